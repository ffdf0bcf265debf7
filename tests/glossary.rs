//! The `memoire term` commands, run as a translator runs them.

mod common;

use std::path::Path;

use common::Sandbox;

/// A sandbox whose memory starts without the shipped glossary.
fn empty() -> Sandbox {
    let sb = Sandbox::new();
    let mut cmd = sb.cmd();
    let out = cmd
        .env("MEMOIRE_NO_GLOSSARY", "1")
        .args([
            "term",
            "add",
            "Conseil fédéral",
            "Federal Council",
            "--domain",
            "institution-ch",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sb
}

fn term_count(sb: &Sandbox) -> usize {
    let run = sb.run(&["term", "list", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str::<serde_json::Value>(&run.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_new_memory_gets_the_shipped_glossary_unless_opted_out() {
    let sb = Sandbox::new();
    let input = sb.write("one.csv", "fr,en\nOui.,Yes.\n");
    assert_eq!(sb.import(&input, &[]).code, 0);
    assert!(term_count(&sb) >= 300, "the shipped glossary is there");
    let run = sb.run(&["term", "lookup", "OTSC"]);
    assert!(run.stdout.contains("CSTO"), "{}", run.stdout);

    assert_eq!(term_count(&empty()), 1, "opted out: only the term added");
}

#[test]
fn add_list_remove_and_several_targets_per_source() {
    let sb = empty();
    for args in [
        ["term", "add", "actuellement", "currently"].as_slice(),
        &[
            "term",
            "add",
            "actuellement",
            "actually",
            "--status",
            "forbidden",
            "--note",
            "false friend",
        ],
    ] {
        assert_eq!(sb.run(args).code, 0);
    }
    let run = sb.run(&["term", "list", "--status", "forbidden"]);
    assert_eq!(
        run.stdout,
        "actuellement → ✗ actually  (forbidden; false friend)\n"
    );
    let again = sb.run(&["term", "add", "actuellement", "currently"]);
    assert!(
        again.stderr.contains("already in the glossary"),
        "{}",
        again.stderr
    );
    assert_eq!(term_count(&sb), 3);

    assert_eq!(
        sb.run(&["term", "remove", "actuellement", "actually"]).code,
        0
    );
    assert_eq!(term_count(&sb), 2);
    assert_eq!(sb.run(&["term", "remove", "inconnu"]).code, 1);
    let run = sb.run(&["term", "remove", "--origin", "memoire term add"]);
    assert!(
        run.stderr.contains("removed 2 term pairs"),
        "{}",
        run.stderr
    );
}

#[test]
fn import_is_as_robust_as_the_memory_import() {
    let sb = empty();
    let text = "fr;en;domaine;statut;remarque\r\n\
                Tokaïev;Tokayev;person;preferred;président du Kazakhstan\r\n\
                Choïgou;Shoigu;person;;\r\n\
                Kadhafi;Gadhafi;person;maybe;\r\n\
                OTSC;;organisation;;\r\n";
    let bytes = encoding_rs::WINDOWS_1252.encode(text).0.into_owned();
    let input = sb.write("termes.csv", bytes);
    let run = sb.run(&["term", "import", input.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("termes.csv:4: unknown status \"maybe\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("termes.csv:5: empty target"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("terms added 2"), "{}", run.stderr);
    let rejects = std::fs::read(sb.path("termes.rejects.csv")).unwrap();
    let expected = "fr;en;domaine;statut;remarque\r\nKadhafi;Gadhafi;person;maybe;\r\nOTSC;;organisation;;\r\n";
    assert_eq!(
        rejects,
        encoding_rs::WINDOWS_1252.encode(expected).0.as_ref()
    );

    let run = sb.run(&["term", "list", "--domain", "person", "--json"]);
    let terms: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(terms[0]["note"], "président du Kazakhstan");
    assert_eq!(terms[1]["status"], "preferred");
}

#[test]
fn export_then_import_keeps_every_term() {
    let sb = empty();
    assert_eq!(
        sb.run(&[
            "term",
            "add",
            "OTSC",
            "CSTO",
            "--note",
            "acronym, \"Moscow-led\""
        ])
        .code,
        0
    );
    let file = sb.path("terms.tsv");
    assert_eq!(
        sb.run(&["term", "export", "-o", file.to_str().unwrap()])
            .code,
        0
    );
    let other = empty();
    let run = other.run(&["term", "import", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = |s: &Sandbox| s.run(&["term", "list", "--json"]).stdout;
    let strip_ids = |s: String| -> Vec<serde_json::Value> {
        let mut v: Vec<serde_json::Value> = serde_json::from_str(&s).unwrap();
        for t in &mut v {
            t.as_object_mut().unwrap().retain(|k, _| k != "id");
        }
        v
    };
    assert_eq!(strip_ids(list(&sb)), strip_ids(list(&other)));
}

#[test]
fn find_lists_terms_per_segment_across_elision_inflection_and_line_breaks() {
    let sb = empty();
    for (s, t) in [
        ("OTSC", "CSTO"),
        ("Almaty", "Almaty"),
        ("émeute", "riot"),
        ("département d'État", "State Department"),
    ] {
        assert_eq!(sb.run(&["term", "add", s, t]).code, 0);
    }
    let text = "Des émeutes ont éclaté près d'Almaty. L'OTSC se réunit.\n\
                Le Conseil\u{a0}fédéral et le département d’Etat ont réagi.\n";
    let file = sb.write("article.txt", text);
    let run = sb.run(&["term", "find", "--json", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let segments: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<Vec<(String, String)>> = segments
        .iter()
        .map(|s| {
            s["terms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["text"].as_str().unwrap().to_string(),
                        t["kind"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        found,
        [
            vec![pair("émeutes", "inflected"), pair("Almaty", "exact")],
            vec![pair("OTSC", "exact")],
            vec![
                pair("Conseil\u{a0}fédéral", "exact"),
                pair("département d’Etat", "case-or-accents")
            ],
        ]
    );
    let first = &segments[0]["terms"][0];
    let span = first["start"].as_u64().unwrap() as usize..first["end"].as_u64().unwrap() as usize;
    assert_eq!(&text[span], "émeutes");
}

#[test]
fn the_shipped_glossary_reads_the_issue_11_dispatch_right() {
    // Regression (issue 11): on this dispatch « appelle » and « fait appel
    // à » were flagged as *appeal*, « ministre russe de la Défense » was
    // missed and « commune » was the municipality.
    let sb = Sandbox::new();
    let memory = sb.write("memory.csv", "fr,en\nBonjour.,Hello.\nMerci.,Thank you.\n");
    assert_eq!(sb.run(&["import", memory.to_str().unwrap()]).code, 0);
    let text = "date 2022-01 Diplomatie – Washington appelle Moscou à quitter «rapidement» le \
                Kazakhstan Le président Kassym-Jomart Tokaïev avait fait appel à des forces \
                russes pour ramener le calme. Le ministre russe de la Défense a donné une \
                conférence de presse commune avec le président américain.\n";
    let file = sb.write("article.txt", text);
    let run = sb.run(&["term", "find", "--json", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let segments: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    // (text found, first target, the nationality's first target)
    let found: Vec<(String, String, Option<String>)> = segments
        .iter()
        .flat_map(|s| s["terms"].as_array().unwrap().clone())
        .map(|t| {
            (
                t["text"].as_str().unwrap().to_string(),
                t["entries"][0]["target"].as_str().unwrap().to_string(),
                t["modifier"]["entries"][0]["target"]
                    .as_str()
                    .map(str::to_string),
            )
        })
        .collect();
    let targets: Vec<&str> = found.iter().map(|(_, t, _)| t.as_str()).collect();
    assert!(!targets.contains(&"appeal"), "{found:?}");
    assert!(!targets.contains(&"municipality"), "{found:?}");
    let get = |text: &str| {
        found
            .iter()
            .find(|(t, ..)| t == text)
            .unwrap_or_else(|| panic!("{text} not found in {found:?}"))
    };
    assert_eq!(get("fait appel à").1, "call in");
    assert_eq!(
        get("conférence de presse commune").1,
        "joint news conference"
    );
    let minister = get("ministre russe de la Défense");
    assert_eq!(
        (minister.1.as_str(), minister.2.as_deref()),
        ("Defence Minister", Some("Russian"))
    );
    let president = get("président américain");
    assert_eq!(president.2.as_deref(), Some("US"));
    assert_eq!(get("Kassym-Jomart Tokaïev").1, "Kassym-Jomart Tokayev");
}

#[test]
fn lookup_finds_fragments_names_and_the_reverse_direction() {
    let sb = empty();
    for (s, t) in [
        ("Choïgou", "Shoigu"),
        ("département d'État", "State Department"),
    ] {
        assert_eq!(sb.run(&["term", "add", s, t]).code, 0);
    }
    let run = sb.run(&["term", "lookup", "Choigu"]);
    assert!(
        run.stdout
            .starts_with("Choïgou → Shoigu   [similar spelling"),
        "{}",
        run.stdout
    );
    let run = sb.run(&["term", "lookup", "--reverse", "state department"]);
    assert!(
        run.stdout
            .starts_with("State Department ← département d'État   [case or accents]"),
        "{}",
        run.stdout
    );
    let run = sb.run(&["term", "lookup", "--json", "Conseil"]);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(hits[0]["kind"], "partial");
    assert_eq!(hits[0]["target"], "Federal Council");
    assert_eq!(sb.run(&["term", "lookup", "Zurich"]).code, 1);
    // Regression (issue 11): an English form typed on the French side
    // pointed nowhere; it now names the reverse lookup.
    let run = sb.run(&["term", "lookup", "Shoigu"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("look it up with memoire term lookup --reverse \"Shoigu\""),
        "{}",
        run.stderr
    );
    // Regression (issue 11): `term lookup Blinken` offered « blindé →
    // armoured vehicle »; a capitalised query gets similar names only.
    assert_eq!(
        sb.run(&["term", "add", "blindé", "armoured vehicle"]).code,
        0
    );
    assert_eq!(sb.run(&["term", "add", "Blinken", "Blinken"]).code, 0);
    let run = sb.run(&["term", "lookup", "Blinken"]);
    assert!(
        run.stdout.starts_with("Blinken → Blinken"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("blindé"), "{}", run.stdout);
    // The same letters in lower case are no name: the similar word comes.
    let run = sb.run(&["term", "lookup", "blinken"]);
    assert!(run.stdout.contains("blindé"), "{}", run.stdout);
}

/// The third-party glossaries in ../shared/data/glossary import whole:
/// FranceTerme (domain column, definitions ignored), TICO-19 (an origin
/// column) and FreeDict (16,628 entries).
#[test]
fn third_party_glossaries_import_cleanly() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/glossary"
    ));
    if !dir.exists() {
        eprintln!("skipped: {} is not there", dir.display());
        return;
    }
    let sb = empty();
    for (file, min_added) in [
        ("franceterme_fr-en.csv", 1_000),
        ("tico19_terminology_fr-en.csv", 600),
        ("freedict_fra-eng_terms.csv", 15_000),
    ] {
        let run = sb.run(&[
            "term",
            "import",
            dir.join(file).to_str().unwrap(),
            "--rejects",
            sb.path("r.csv").to_str().unwrap(),
        ]);
        assert!(run.code <= 1, "{file}: {}", run.stderr);
        let added: usize = run
            .stderr
            .split("terms added ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(added >= min_added, "{file}: {}", run.stderr);
    }
    let run = sb.run(&["term", "lookup", "--json", "barrière géologique"]);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(hits[0]["target"], "geological barrier");
    assert_eq!(hits[0]["domain"], "Nucléaire");
}

/// Precision and recall of `Glossary::find` with the shipped glossary on a
/// gold set of 70 sentences written for this project
/// (`tests/data/term-recognition.jsonl`), counted over term occurrences:
/// a found term is right when its entry's source is the next expected one.
/// Prints the figures the README reports.
/// Precision and recall of the shipped glossary's recognition on a gold
/// set (JSON lines: a text and the glossary sources a translator would
/// want flagged in it); prints every extra and missed term.
fn recognition(gold: &str) -> (f64, f64) {
    use memoire::glossary::{Glossary, Side, shipped};
    use memoire::store::{Term, TermStatus};
    use std::collections::HashMap;

    let terms: Vec<Term> = shipped()
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, t)| Term {
            id: i as i64,
            source_lang: "fr".into(),
            target_lang: "en".into(),
            source: t.source,
            target: t.target,
            domain: t.domain,
            note: t.note,
            status: TermStatus::Preferred,
            origin: "shipped".into(),
            pos: t.pos,
            checked: t.checked,
        })
        .collect();
    let glossary = Glossary::new(terms, Side::Source, "fr");
    let (mut found_total, mut expected_total, mut right) = (0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for line in gold.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = case["text"].as_str().unwrap();
        let mut expected: HashMap<String, usize> = HashMap::new();
        for t in case["terms"].as_array().unwrap() {
            *expected.entry(t.as_str().unwrap().to_string()).or_default() += 1;
            expected_total += 1;
        }
        for found in glossary.find(text) {
            found_total += 1;
            let sources: Vec<&str> = found.entries.iter().map(|e| e.source.as_str()).collect();
            let hit = sources
                .iter()
                .find(|s| expected.get(**s).is_some_and(|n| *n > 0));
            match hit {
                Some(source) => {
                    *expected.get_mut(*source).unwrap() -= 1;
                    right += 1;
                }
                None => misses.push(format!(
                    "extra {:?} in {text:?}",
                    &text[found.start..found.end]
                )),
            }
        }
        for (term, n) in expected.into_iter().filter(|(_, n)| *n > 0) {
            misses.push(format!("missed {term:?} ({n}) in {text:?}"));
        }
    }
    let precision = right as f64 / found_total as f64;
    let recall = right as f64 / expected_total as f64;
    println!(
        "term recognition: precision {precision:.3} ({right}/{found_total}), recall {recall:.3} ({right}/{expected_total})"
    );
    for miss in &misses {
        println!("  {miss}");
    }
    (precision, recall)
}

#[test]
fn recognition_precision_and_recall_on_the_gold_set() {
    let (precision, recall) = recognition(include_str!("data/term-recognition.jsonl"));
    assert!(
        precision >= 0.97 && recall >= 0.97,
        "precision {precision:.3}, recall {recall:.3}"
    );
}

#[test]
fn recognition_precision_and_recall_on_190_news_sentences() {
    let (precision, recall) = recognition(include_str!("data/term-recognition-news.jsonl"));
    assert!(
        precision >= 0.97 && recall >= 0.97,
        "precision {precision:.3}, recall {recall:.3}"
    );
}

#[test]
fn term_add_on_an_existing_pair_keeps_what_is_not_given() {
    // Regression (review): adding a note turned a forbidden entry preferred
    // and cleared its domain.
    let sb = empty();
    let add = [
        "term",
        "add",
        "actuellement",
        "actually",
        "--status",
        "forbidden",
        "--domain",
        "false-friend",
    ];
    assert_eq!(sb.run(&add).code, 0);
    assert_eq!(
        sb.run(&[
            "term",
            "add",
            "actuellement",
            "actually",
            "--note",
            "use currently"
        ])
        .code,
        0
    );
    let run = sb.run(&["term", "list", "--status", "forbidden"]);
    assert_eq!(
        run.stdout,
        "actuellement → ✗ actually  (forbidden; false-friend; use currently)\n"
    );
}

#[test]
fn a_glossary_file_without_some_columns_keeps_what_the_memory_knows() {
    // Regression (new-user test, issue 11): importing a two-column glossary
    // blanked the domain, note, part of speech and date of the shipped
    // entries it repeated, and turned admitted and forbidden entries
    // preferred.
    let sb = Sandbox::new();
    let memory = sb.write("memory.csv", "fr,en\nBonjour.,Hello.\n");
    assert_eq!(sb.run(&["import", memory.to_str().unwrap()]).code, 0);
    let entry = |sb: &Sandbox, source: &str, target: &str| -> serde_json::Value {
        let run = sb.run(&["term", "list", "--json"]);
        let all: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        all.into_iter()
            .find(|t| t["source"] == source && t["target"] == target)
            .unwrap_or_else(|| panic!("{source} → {target} not listed"))
    };
    let before = entry(&sb, "Viola Amherd", "Viola Amherd");
    let admitted = entry(&sb, "département d'État", "Department of State");
    assert_eq!(admitted["status"], "admitted");
    assert_ne!(before["domain"], serde_json::Value::Null);
    let two = sb.write(
        "deux-colonnes.csv",
        "fr,en\nViola Amherd,Viola Amherd\ndépartement d'État,Department of State\n",
    );
    let run = sb.run(&["term", "import", two.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(entry(&sb, "Viola Amherd", "Viola Amherd"), before);
    assert_eq!(
        entry(&sb, "département d'État", "Department of State"),
        admitted
    );
    // A date that is no month is refused, the row kept in the rejects.
    let dated = sb.write("dates.csv", "fr,en,checked\nBerne,Bern,mars 2024\n");
    let run = sb.run(&["term", "import", dated.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("YYYY-MM"), "{}", run.stderr);
}

#[test]
fn apostrophes_and_spaces_do_not_make_a_second_entry() {
    // Regression (adversarial test, issue 11): a curly apostrophe or a
    // double space made a second entry, with a contradictory status.
    let sb = empty();
    assert_eq!(
        sb.run(&["term", "add", "département d'État", "State Department"])
            .code,
        0
    );
    let run = sb.run(&[
        "term",
        "add",
        "département d’État",
        "State  Department",
        "--status",
        "admitted",
    ]);
    assert!(run.stderr.contains("updated"), "{}", run.stderr);
    assert_eq!(
        sb.run(&["term", "add", "Conseil  fédéral", "Federal Council"])
            .code,
        0
    );
    // Conseil fédéral (from empty()) and département d'État: two entries.
    assert_eq!(term_count(&sb), 2);
}

#[test]
fn unknown_parts_of_speech_and_overlong_entries_are_refused() {
    // Regression (adversarial test, issue 11): pos "xyz", a 70,000-character
    // source were stored as they came.
    let sb = empty();
    let long = "mot ".repeat(400);
    let file = sb.write(
        "pc.csv",
        format!("fr,en,pos\nt1,u1,xyz\nt2,u2,nom\n{long},u3,noun\n"),
    );
    let run = sb.run(&["term", "import", file.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("pc.csv:2: part of speech \"xyz\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("pc.csv:4: source: 1600 characters"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("terms added 1"), "{}", run.stderr);
    let run = sb.run(&["term", "add", &long, "x"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
