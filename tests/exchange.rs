//! TMX and TBX: import from other tools, export that they read back.

mod common;

use std::path::Path;

use common::Sandbox;

fn shared_tmx(name: &str) -> Option<std::path::PathBuf> {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/tmx")).join(name);
    path.exists().then_some(path)
}

#[test]
fn tmx_to_memoire_to_tmx_keeps_every_pair() {
    let Some(tico) = shared_tmx("tico19-all.en-fr.tmx") else {
        eprintln!("skipped: ../shared/data/tmx is not there");
        return;
    };
    let first = Sandbox::new();
    let run = first.import(&tico, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("TMX 1.4, UTF-8"), "{}", run.stderr);
    assert!(run.stderr.contains("rows read 3071"), "{}", run.stderr);
    let exported = first.path("tico.tmx");
    assert_eq!(
        first
            .run(&["export", "-o", exported.to_str().unwrap()])
            .code,
        0
    );

    let second = Sandbox::new();
    assert_eq!(second.import(&exported, &[]).code, 0);
    assert_eq!(
        first.export(),
        second.export(),
        "same pairs and origins after TMX → memoire → TMX"
    );
    let again = second.path("again.tmx");
    assert_eq!(
        second.run(&["export", "-o", again.to_str().unwrap()]).code,
        0
    );
    assert_eq!(
        std::fs::read_to_string(&exported).unwrap(),
        std::fs::read_to_string(&again).unwrap(),
        "dates and usage counts survive too"
    );
}

#[test]
fn tmx_files_from_other_tools_import() {
    let cases = [
        // TMX 1.1 with lang=, several tuv per tu (OmegaT tests).
        ("omegat_tests/project_save.tmx", 0, "TMX 1.1"),
        ("omegat_tests/test-multiple-tuv.tmx", 1, "TMX 1.1"),
        // UTF-16 as Trados-era tools write it; its languages are lang1/lang2.
        ("nrc_portage/test.tmx", 1, "UTF-16LE"),
        ("nrc_portage/unittest1.tmx", 0, "TMX 1.4"),
    ];
    for (name, code, described) in cases {
        let Some(path) = shared_tmx(name) else { return };
        let sb = Sandbox::new();
        let rejects = sb.path("r.tmx");
        let run = sb.import(
            &path,
            &[
                "--source-lang",
                "en",
                "--target-lang",
                "fr",
                "--rejects",
                rejects.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, code, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(described), "{name}: {}", run.stderr);
        if code == 1 {
            // Rejected units are kept in a TMX of their own that reads back.
            let text = std::fs::read_to_string(&rejects).unwrap();
            assert!(
                text.starts_with("<?xml") && text.trim_end().ends_with("</tmx>"),
                "{text}"
            );
        }
    }
}

#[test]
fn a_truncated_tmx_imports_nothing() {
    let sb = Sandbox::new();
    let tmx = "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"fr\"/><body>\n\
               <tu><tuv xml:lang=\"fr\"><seg>Oui.</seg></tuv><tuv xml:lang=\"en\"><seg>Yes.</seg></tuv></tu>\n\
               <tu><tuv xml:lang=\"fr\"><seg>Non";
    let path = sb.write("cut.tmx", tmx);
    let run = sb.import(&path, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cut.tmx:4:") && run.stderr.contains("truncated"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), 0);
}

#[test]
fn tmx_edge_cases_cdata_entities_empty_and_missing_languages() {
    let sb = Sandbox::new();
    let tmx = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="fr-FR" segtype="sentence" creationtool="x" creationtoolversion="1" o-tmf="x" adminlang="en" datatype="plaintext"/><body>
<tu><tuv xml:lang="fr-FR"><seg><![CDATA[L'OTSC & <l'ONU>]]></seg></tuv><tuv xml:lang="en-GB"><seg>The CSTO &amp; &lt;the UN&gt; &#x2013; ok</seg></tuv></tu>
<tu><tuv xml:lang="fr-FR"><seg></seg></tuv><tuv xml:lang="en-GB"><seg>Empty source</seg></tuv></tu>
<tu><tuv xml:lang="fr-FR"><seg>Sans anglais</seg></tuv><tuv xml:lang="de-CH"><seg>Ohne Englisch</seg></tuv></tu>
</body></tmx>"#;
    let path = sb.write("edge.tmx", tmx);
    let run = sb.import(&path, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("edge.tmx:4: empty source segment"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("edge.tmx:5: no en variant (languages: fr-FR, de-CH)"),
        "{}",
        run.stderr
    );
    let found = sb.run(&["lookup", "--json", "L'OTSC & <l'ONU>"]);
    let matches: serde_json::Value = serde_json::from_str(&found.stdout).unwrap();
    assert_eq!(matches[0]["target"], "The CSTO & <the UN> – ok");
}

#[test]
fn tbx_export_imports_back_with_status_domain_and_note() {
    let sb = Sandbox::new();
    let mut cmd = sb.cmd();
    let out = cmd
        .env("MEMOIRE_NO_GLOSSARY", "1")
        .args([
            "term",
            "add",
            "actuellement",
            "actually",
            "--status",
            "forbidden",
            "--note",
            "faux ami",
            "--domain",
            "false-friend",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        sb.run(&["term", "add", "actuellement", "currently"]).code,
        0
    );
    let tbx = sb.path("glossaire.tbx");
    assert_eq!(
        sb.run(&["term", "export", "-o", tbx.to_str().unwrap()])
            .code,
        0
    );
    assert!(
        std::fs::read_to_string(&tbx)
            .unwrap()
            .contains("deprecatedTerm-admn-sts")
    );

    let other = Sandbox::new();
    let mut cmd = other.cmd();
    let run = cmd
        .env("MEMOIRE_NO_GLOSSARY", "1")
        .args(["term", "import", tbx.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let list = other.run(&["term", "list"]);
    assert_eq!(
        list.stdout,
        "actuellement → ✗ actually  (forbidden; false-friend; faux ami)\nactuellement → currently\n"
    );
}

#[test]
fn formats_go_to_the_right_command() {
    let sb = Sandbox::new();
    let tbx = sb.write("g.tbx", "<martif><text><body></body></text></martif>");
    let run = sb.import(&tbx, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("memoire term import"), "{}", run.stderr);
    let run = sb.run(&["term", "export", "--format", "tmx"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("memoire export --format tmx"),
        "{}",
        run.stderr
    );
}

/// Translate Toolkit reads our TMX and TBX exports and finds the same pairs.
#[test]
fn translate_toolkit_reads_our_tmx_and_tbx() {
    let sb = Sandbox::new();
    assert_eq!(sb.import(&common::example("memory-fr-en.csv"), &[]).code, 0);
    let (tmx, tbx) = (sb.path("memory.tmx"), sb.path("glossary.tbx"));
    assert_eq!(sb.run(&["export", "-o", tmx.to_str().unwrap()]).code, 0);
    assert_eq!(
        sb.run(&["term", "export", "-o", tbx.to_str().unwrap()])
            .code,
        0
    );
    let Some(theirs) = common::read_with_translate_toolkit("tmx", &tmx) else {
        return;
    };

    let mut ours: Vec<(String, String)> = Vec::new();
    let exported = sb.export();
    let mut reader = csv::Reader::from_reader(exported.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        ours.push((record[0].to_string(), record[1].to_string()));
    }
    assert_eq!(theirs, ours, "Translate Toolkit finds the same TMX pairs");

    let terms = sb.run(&["term", "list", "--json"]);
    let terms: Vec<serde_json::Value> = serde_json::from_str(&terms.stdout).unwrap();
    let tbx_pairs = common::read_with_translate_toolkit("tbx", &tbx).unwrap();
    assert_eq!(tbx_pairs.len(), terms.len());
    for ((source, target), term) in tbx_pairs.iter().zip(&terms) {
        assert_eq!(
            (source.as_str(), target.as_str()),
            (
                term["source"].as_str().unwrap(),
                term["target"].as_str().unwrap()
            )
        );
    }
}

/// TMX level 2: inline codes come in with a pair and go out unchanged.
#[test]
fn tmx_inline_codes_survive_import_and_export() {
    // Regression (issue 12): bpt/ept/ph/it/hi were thrown away.
    let input = common::test_data("inline-codes.tmx");
    let dtd = common::test_data("tmx14.dtd");
    let sb = Sandbox::new();
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let exported = sb.path("out.tmx");
    assert_eq!(
        sb.run(&["export", "-o", exported.to_str().unwrap()]).code,
        0
    );
    let text = std::fs::read_to_string(&exported).unwrap();
    for expected in [
        // Paired codes keep their native code and type; the target's pairs,
        // in another order, keep the source code they stand for (x).
        r#"<seg>Le <bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>Conseil fédéral<ept i="1">&lt;/b&gt;</ept>"#,
        r#"<seg>The <bpt i="2" x="2" type="bold">&lt;b&gt;</bpt>key<ept i="2">&lt;/b&gt;</ept> rate is raised by the <bpt i="1" x="1" type="italic">"#,
        r#"<bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>&lt; 1 %<ept i="1">&lt;/b&gt;</ept> &amp; reste"#,
        r#"<it pos="begin" x="1" type="bold">&lt;b&gt;</it>de la dépêche."#,
        r#"Fin<it pos="end" x="1" type="bold">&lt;/b&gt;</it>"#,
        r#"<ph x="1" type="image">&lt;img src=&quot;berne.jpg&quot;/&gt;</ph>"#,
        r#"Un texte avec <hi x="1" type="x-term">une partie marquée</hi>."#,
    ] {
        assert!(text.contains(expected), "{expected}\nnot in\n{text}");
    }
    if let Some(valid) = common::valid_against_dtd(&exported, &dtd) {
        valid.expect("the export is valid TMX 1.4b");
    }
    // Imported again, then exported: the same file.
    let second = Sandbox::new();
    assert_eq!(second.import(&exported, &[]).code, 0);
    let again = second.path("again.tmx");
    assert_eq!(
        second.run(&["export", "-o", again.to_str().unwrap()]).code,
        0
    );
    let strip_dates = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("<tu ") && !l.contains("x-origin"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip_dates(&text),
        strip_dates(&std::fs::read_to_string(&again).unwrap())
    );
    // A real client reads our export as it reads the original.
    if let (Some(ours), Some(original)) = (
        common::read_with_translate_toolkit("tmx", &exported),
        common::read_with_translate_toolkit("tmx", &input),
    ) {
        assert_eq!(ours, original);
    }
}
