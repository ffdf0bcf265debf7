//! Regressions of the trust review (issue 10): each test names the way a
//! memory could be polluted, cut short or destroyed, and fails on the code
//! that allowed it.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, Run, Sandbox, example};

/// A CSV with one good and one bad row (empty target).
const ONE_BAD_ROW: &str = "fr,en\nOui.,Yes.\nSans traduction.,\n";

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// The fuzzy index's postings as schemas before 11 kept them (a row
/// each, table emptied: an upgrade builds the index again), and the file
/// marked as of schema `version`.
fn with_rows_a_posting(conn: &rusqlite::Connection, version: i64) {
    conn.execute_batch(&format!(
        "DROP TABLE fuzzy_block;
         CREATE TABLE fuzzy_posting (
             term_id INTEGER NOT NULL, words INTEGER NOT NULL, pair_id INTEGER NOT NULL,
             PRIMARY KEY (term_id, words, pair_id)
         ) WITHOUT ROWID;
         PRAGMA user_version = {version};"
    ))
    .unwrap();
}

fn with_pairs() -> Sandbox {
    let sb = Sandbox::new();
    let run = sb.run_without_glossary(&["import", example("memory-fr-en.csv").to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    sb
}

// ---------------------------------------------------------------- rejects

#[test]
fn rejects_given_a_hard_link_to_the_database_is_refused() {
    // Regression: --rejects given a hard link to the database truncated the
    // memory to 19 bytes.
    let sb = with_pairs();
    let pairs = sb.pair_count();
    let link = sb.path("innocent.csv");
    std::fs::hard_link(&sb.db, &link).unwrap();
    let input = sb.write("in.csv", ONE_BAD_ROW);
    let run = sb.import(&input, &["--rejects", link.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("overwrite the input or the memory"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), pairs);
}

#[test]
fn rejects_given_a_hard_link_to_the_input_is_refused() {
    let sb = Sandbox::new();
    let input = sb.write("in.csv", ONE_BAD_ROW);
    let link = sb.path("copy.csv");
    std::fs::hard_link(&input, &link).unwrap();
    let run = sb.import(&input, &["--rejects", link.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(bytes(&input), ONE_BAD_ROW.as_bytes());
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_at_the_default_rejects_path_is_never_followed() {
    // Regression: a file's author could plant memory.rejects.csv → any file
    // and make memoire overwrite it.
    let sb = Sandbox::new();
    let victim = sb.write("victim.txt", "precious\n");
    let input = sb.write("memory.csv", ONE_BAD_ROW);
    let planted = sb.path("memory.rejects.csv");
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(bytes(&victim), b"precious\n");
    assert!(std::fs::symlink_metadata(&planted).unwrap().is_symlink());
    assert_eq!(sb.pair_count(), 0, "nothing imported");
    // --force replaces the link itself, never the file it points to.
    let run = sb.import(&input, &["--force"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(bytes(&victim), b"precious\n");
    assert!(!std::fs::symlink_metadata(&planted).unwrap().is_symlink());
    assert_eq!(bytes(&planted), b"fr,en\nSans traduction.,\n");
}

#[test]
fn an_earlier_rejects_file_is_neither_emptied_nor_deleted() {
    // Regression: the rejects file of an earlier run was silently replaced,
    // and removed when a later import failed.
    let sb = Sandbox::new();
    let earlier = sb.write("memory.rejects.csv", "fr,en\nmy fixes in progress,\n");
    // An import that rejects nothing does not need the path.
    let good = sb.write("memory.csv", "fr,en\nOui.,Yes.\n");
    let run = sb.import(&good, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(bytes(&earlier), b"fr,en\nmy fixes in progress,\n");
    // One that rejects a row stops, imports nothing, and leaves it.
    let bad = sb.write("memory.csv", "fr,en\nNon.,No.\nSans traduction.,\n");
    let run = sb.import(&bad, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("already at the rejects path"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(bytes(&earlier), b"fr,en\nmy fixes in progress,\n");
    assert_eq!(sb.pair_count(), 1);
    // A TMX that has a rejected unit and then turns out malformed, with
    // --force: the earlier file of the same name is still there.
    let tmx = sb.write(
        "t.tmx",
        "<tmx version=\"1.4\"><header srclang=\"fr\"/><body>\n\
         <tu><tuv xml:lang=\"fr\"><seg>Seul</seg></tuv></tu>\n\
         <tu><tuv xml:lang=\"fr\"><seg>Oui</seg></tuv><tuv xml:lang=\"en\"><seg>Yes</seg></tuv></tu>\n\
         <tu usagecount=5></tu></body></tmx>\n",
    );
    let kept = sb.write("t.rejects.tmx", "mine");
    let run = sb.import(&tmx, &["--force"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(bytes(&kept), b"mine");
    assert_eq!(sb.pair_count(), 1);
    // --force replaces it only once the import has committed.
    let run = sb.import(&bad, &["--force"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(bytes(&earlier), b"fr,en\nSans traduction.,\n");
}

#[test]
fn xliff_rejects_are_written() {
    // Regression: XLIFF printed "rejected rows copied to r.out" and left it
    // empty.
    let sb = Sandbox::new();
    let xlf = sb.write(
        "d.xlf",
        "<?xml version=\"1.0\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" \
         version=\"2.0\" srcLang=\"fr\" trgLang=\"en\"><file id=\"f\" original=\"d.txt\"><unit id=\"p1\">\n\
         <segment id=\"s1\" state=\"final\"><source>Oui.</source><target>Yes.</target></segment>\n\
         <segment id=\"s2\" state=\"final\"><source>Non\u{85}.</source><target>No.</target></segment>\n\
         </unit></file></xliff>\n",
    );
    let out = sb.path("r.out");
    let run = sb.import(&xlf, &["--rejects", out.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("d.xlf:4: source: control character U+0085"),
        "{}",
        run.stderr
    );
    let rejects = String::from_utf8(bytes(&out)).unwrap();
    assert!(
        rejects.contains("<segment id=\"s2\" state=\"final\">"),
        "{rejects}"
    );
    assert!(rejects.contains("srcLang=\"fr\""), "{rejects}");
    // The rejects file is an XLIFF that imports again (to the same reject).
    let again = sb.import(
        &out,
        &[
            "--format",
            "xliff",
            "--rejects",
            sb.path("r2").to_str().unwrap(),
        ],
    );
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert_eq!(sb.pair_count(), 1);
}

// ------------------------------------------------------- cut, glued, malformed

fn refused_with_line(sb: &Sandbox, name: &str, text: &str, line: u32, what: &str) {
    let path = sb.write(name, text);
    let before = sb.pair_count();
    let run = sb.import(&path, &[]);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{name}:{line}:")) && run.stderr.contains(what),
        "{name}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing was imported"),
        "{name}: {}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), before, "{name}: nothing imported");
}

const TMX_HEAD: &str =
    "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"fr\"/><body>\n";
const TU: &str = "<tu><tuv xml:lang=\"fr\"><seg>Oui.</seg></tuv><tuv xml:lang=\"en\"><seg>Yes.</seg></tuv></tu>\n";

#[test]
fn cut_glued_and_doubled_files_import_nothing() {
    // Regression: some of these imported part of the file with exit 0.
    let sb = with_pairs();
    let whole_tmx = format!("{TMX_HEAD}{TU}</body></tmx>\n");
    refused_with_line(
        &sb,
        "glued.tmx",
        &format!("{whole_tmx}{whole_tmx}"),
        5,
        "two files glued",
    );
    refused_with_line(
        &sb,
        "second-body.tmx",
        &format!("{TMX_HEAD}{TU}</body>\n<body>{TU}</body></tmx>\n"),
        5,
        "a second <body>",
    );
    refused_with_line(
        &sb,
        "junk.tmx",
        &format!("{whole_tmx}junk\n"),
        5,
        "after the end of the document",
    );
    refused_with_line(&sb, "cut.tmx", &format!("{TMX_HEAD}{TU}{TU}</bo"), 5, "");
    refused_with_line(
        &sb,
        "cut-after-body.tmx",
        &format!("{TMX_HEAD}{TU}</body>\n"),
        5,
        "truncated",
    );
    let xliff = "<?xml version=\"1.0\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" \
                 srcLang=\"fr\" trgLang=\"en\"><file id=\"f\"><unit id=\"u\">\n\
                 <segment state=\"final\"><source>Oui.</source><target>Yes.</target></segment>\n\
                 <segment state=\"final\"><source>Non.</source><target>No";
    refused_with_line(&sb, "cut.xlf", xliff, 4, "truncated");
    let tbx = "<?xml version=\"1.0\"?>\n<martif type=\"TBX\"><text><body>\n\
               <termEntry><langSet xml:lang=\"fr\"><tig><term>oui</term></tig></langSet>\
               <langSet xml:lang=\"en\"><tig><term>yes</term></tig></langSet></termEntry>\n";
    let path = sb.write("cut.tbx", tbx);
    let run = sb.run(&["term", "import", path.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("cut.tbx:4:") && run.stderr.contains("truncated"),
        "{}",
        run.stderr
    );
    let terms = sb.run(&["term", "lookup", "oui"]);
    assert_eq!(terms.code, 1, "no term imported: {}", terms.stdout);
}

#[test]
fn malformed_xml_is_refused() {
    // Regression: unquoted and duplicate attributes were accepted.
    let sb = with_pairs();
    refused_with_line(
        &sb,
        "unquoted.tmx",
        &format!(
            "{TMX_HEAD}<tu usagecount=5><tuv xml:lang=\"fr\"><seg>Oui.</seg></tuv></tu>\n</body></tmx>\n"
        ),
        3,
        "not in quotes",
    );
    refused_with_line(
        &sb,
        "twice.tmx",
        &format!("{TMX_HEAD}{TU}<tu a=\"1\" a=\"2\"></tu>\n</body></tmx>\n"),
        4,
        "twice",
    );
    refused_with_line(
        &sb,
        "state.xlf",
        "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\"><file original=\"x\" source-language=\"fr\" \
         target-language=\"en\"><body>\n<trans-unit id=\"1\"><source>Oui.</source>\
         <target state=initial>Yes.</target></trans-unit>\n</body></file></xliff>\n",
        3,
        "not in quotes",
    );
    refused_with_line(
        &sb,
        "control.tmx",
        &format!(
            "{TMX_HEAD}<tu><tuv xml:lang=\"fr\"><seg>Oui&#1;</seg></tuv></tu>\n</body></tmx>\n"
        ),
        3,
        "XML allows",
    );
}

// ---------------------------------------------------------- characters

#[test]
fn characters_xml_cannot_hold_are_rejected_per_row_and_never_exported() {
    // Regression: a CSV row with U+FFFF gave a TMX and an XLIFF that other
    // tools reject as not well-formed.
    let sb = Sandbox::new();
    let input = sb.write(
        "c.csv",
        "fr,en\nOui.,Yes.\n\"Non\u{FFFF}.\",No.\nPeut-être.,\"Maybe\u{FDD0}.\"\nAlors\u{1}.,So.\n",
    );
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for line in [
        "c.csv:3: source: non-character U+FFFF",
        "c.csv:4: target: non-character U+FDD0",
        "c.csv:5: source: control character U+0001",
    ] {
        assert!(run.stderr.contains(line), "{line}: {}", run.stderr);
    }
    assert_eq!(sb.pair_count(), 1);
    // A pair stored by an older memoire with such a character is exported
    // with U+FFFD in its place: the TMX stays well-formed.
    {
        let mut store = memoire::store::Store::open(&sb.db).unwrap();
        let mut batch = store.begin_import().unwrap();
        batch
            .add(&memoire::store::NewPair {
                source_lang: "fr",
                target_lang: "en",
                source: "Ancien\u{FFFE}.",
                target: "Old\u{1}.",
                origin: "old memoire",
                ..Default::default()
            })
            .unwrap();
        batch.commit().unwrap();
    }
    let tmx = sb.path("out.tmx");
    assert_eq!(sb.run(&["export", "-o", tmx.to_str().unwrap()]).code, 0);
    let text = String::from_utf8(bytes(&tmx)).unwrap();
    assert!(
        text.contains("Ancien\u{FFFD}.") && text.contains("Old\u{FFFD}."),
        "{text}"
    );
    if let Some(pairs) = common::read_with_translate_toolkit("tmx", &tmx) {
        assert_eq!(pairs.len(), 2, "{pairs:?}");
    }
}

#[test]
fn a_lone_surrogate_in_utf16_is_rejected_and_kept_as_it_was() {
    let sb = Sandbox::new();
    let mut units: Vec<u16> = vec![0xFEFF];
    units.extend("fr\ten\nOui.\tYes.\nNon".encode_utf16());
    units.push(0xD800); // a high surrogate with no low half
    units.extend(".\tNo.\n".encode_utf16());
    let le: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let input = sb.write("u16.txt", &le);
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("u16.txt:3:"), "{}", run.stderr);
    assert_eq!(sb.pair_count(), 1);
    let mut expected: Vec<u16> = vec![0xFEFF];
    expected.extend("fr\ten\nNon".encode_utf16());
    expected.push(0xD800);
    expected.extend(".\tNo.\n".encode_utf16());
    let expected: Vec<u8> = expected.iter().flat_map(|u| u.to_le_bytes()).collect();
    assert_eq!(
        bytes(&sb.path("u16.rejects.txt")),
        expected,
        "the row, byte for byte"
    );
}

// ------------------------------------------------- only checked translations

fn import_xliff(sb: &Sandbox, name: &str, text: &str) -> common::Run {
    let path = sb.write(name, text);
    sb.import(&path, &[])
}

#[test]
fn memoires_own_xliff12_draft_teaches_no_fuzzy_fill() {
    // Regression: the unedited 1.2 draft stored "gusts of up to 90km/h"
    // for « 70 km/h ».
    let sb = with_pairs();
    let before = sb.pair_count();
    let xlf = sb.path("draft.xlf");
    let article = example("article-fr.txt");
    let run = sb.run(&[
        "pretranslate",
        article.to_str().unwrap(),
        "--format",
        "xliff1",
        "-o",
        xlf.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = sb.import(&xlf, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("pairs added 0,"), "{}", run.stderr);
    assert_eq!(sb.pair_count(), before);
    let lookup = sb.run(&["lookup", "--threshold", "100", "MétéoSuisse annonce des averses orageuses pour mercredi après-midi, avec des rafales jusqu’à 70 km/h sur le Plateau."]);
    assert_eq!(lookup.code, 1, "{}", lookup.stdout);
}

#[test]
fn xliff12_exact_matches_are_approved_for_other_tools() {
    let sb = with_pairs();
    let xlf = sb.path("draft.xlf");
    let article = example("article-fr.txt");
    sb.run(&[
        "pretranslate",
        article.to_str().unwrap(),
        "--format",
        "xliff1",
        "-o",
        xlf.to_str().unwrap(),
    ]);
    let text = String::from_utf8(bytes(&xlf)).unwrap();
    assert!(text.contains("approved=\"yes\">"), "{text}");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/tools/translate_toolkit_check.py"
    );
    let out = Command::new("python3")
        .args([script, "xliff-fuzzy", xlf.to_str().unwrap()])
        .output();
    let Some(out) = out.ok().filter(|o| o.status.code() != Some(3)) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have translate-toolkit"
        );
        eprintln!("skipped: python3 with translate-toolkit is not installed");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let units: Vec<(String, String, bool)> = serde_json::from_slice(&out.stdout).unwrap();
    let exact = units
        .iter()
        .find(|u| u.0.starts_with("Les entretiens ont porté"))
        .unwrap();
    assert!(
        !exact.2,
        "an exact match is not fuzzy for Translate Toolkit: {exact:?}"
    );
    let fuzzy = units
        .iter()
        .find(|u| u.0.starts_with("MétéoSuisse"))
        .unwrap();
    assert!(fuzzy.2, "a fuzzy fill stays fuzzy: {fuzzy:?}");
}

const XLIFF2_HEAD: &str = "<?xml version=\"1.0\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"fr\" trgLang=\"en\"><file id=\"f\" original=\"a.txt\"><unit id=\"u\">\n";

#[test]
fn xliff2_segments_without_a_state_are_not_learnt() {
    let sb = Sandbox::new();
    let run = import_xliff(
        &sb,
        "a.xlf",
        &format!(
            "{XLIFF2_HEAD}<segment><source>Oui.</source><target>Yes.</target></segment>\n\
                  <segment state=\"reviewed\"><source>Non.</source><target>No.</target></segment>\n</unit></file></xliff>\n"
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("pairs added 1,"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 without a confirmed translation skipped"),
        "{}",
        run.stderr
    );
}

#[test]
fn xliff12_states_po_headers_and_approved_no_decide_what_is_learnt() {
    let sb = Sandbox::new();
    let units = [
        ("a", "", "state=\"translated\"", true),
        ("b", "", "state=\"final\"", true),
        ("c", "", "state=\"signed-off\"", true),
        ("d", " approved=\"yes\"", "", true),
        ("e", "", "", false),
        (
            "f",
            " approved=\"yes\"",
            "state=\"needs-review-translation\"",
            false,
        ),
        ("g", "", "state=\"needs-translation\"", false),
        ("h", "", "state=\"new\"", false),
        ("i", "", "state=\"x-mystery\"", false),
        ("j", " approved=\"no\"", "state=\"translated\"", false),
        (
            "k",
            " restype=\"x-gettext-domain-header\" approved=\"yes\"",
            "",
            false,
        ),
    ];
    let mut xlf = "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\
                   <file original=\"po\" source-language=\"fr\" target-language=\"en\" datatype=\"po\"><body>\n"
        .to_string();
    for (id, unit_attrs, target_attrs, _) in units {
        xlf.push_str(&format!(
            "<trans-unit id=\"{id}\"{unit_attrs}><source>Phrase {id}.</source><target {target_attrs}>Sentence {id}.</target></trans-unit>\n"
        ));
    }
    xlf.push_str("</body></file></xliff>\n");
    let run = import_xliff(&sb, "po.xlf", &xlf);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (id, _, _, learnt) in units {
        let found = sb.run(&["lookup", "--threshold", "100", &format!("Phrase {id}.")]);
        assert_eq!(found.code == 0, learnt, "unit {id}: {}", found.stdout);
    }
}

#[test]
fn the_same_source_twice_keeps_both_translations_with_their_contexts() {
    // Regression: the second occurrence overwrote the first.
    let sb = Sandbox::new();
    let run = import_xliff(
        &sb,
        "twice.xlf",
        &format!(
            "{XLIFF2_HEAD}<segment state=\"final\"><source>Le président a parlé.</source><target>The president spoke.</target></segment>\n\
             <segment state=\"final\"><source>Il a dit oui.</source><target>He said yes.</target></segment>\n\
             <segment state=\"final\"><source>La présidente a parlé.</source><target>The president spoke.</target></segment>\n\
             <segment state=\"final\"><source>Il a dit oui.</source><target>She said yes.</target></segment>\n\
             <segment state=\"final\"><source>Fin.</source><target>End.</target></segment>\n</unit></file></xliff>\n"
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let found = sb.run(&["lookup", "--json", "Il a dit oui."]);
    let matches: serde_json::Value = serde_json::from_str(&found.stdout).unwrap();
    let mut targets: Vec<&str> = matches
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    targets.sort_unstable();
    assert_eq!(targets, ["He said yes.", "She said yes."]);
    // Each comes back at 101 % after its own previous sentence.
    let article = sb.write("a.txt", "La présidente a parlé. Il a dit oui.\n");
    let draft = sb.run(&[
        "pretranslate",
        article.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let draft: serde_json::Value = serde_json::from_str(&draft.stdout).unwrap();
    assert_eq!(draft["segments"][1]["target"], "She said yes.", "{draft}");
    assert_eq!(draft["segments"][1]["band"], "context", "{draft}");
}

// ------------------------------------------------------------ TMX variants

#[test]
fn a_tmx_variant_is_never_both_source_and_target() {
    // Regression: a unit with only de-de and en-gb, imported as en-US →
    // en-GB, stored "First entry" → "First entry".
    let sb = Sandbox::new();
    let path = sb.write(
        "v.tmx",
        "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"de-de\"/><body>\n\
         <tu><tuv xml:lang=\"de-de\"><seg>Erster Eintrag</seg></tuv><tuv xml:lang=\"en-gb\"><seg>First entry</seg></tuv></tu>\n\
         <tu><tuv xml:lang=\"en-us\"><seg>Color</seg></tuv><tuv xml:lang=\"en-gb\"><seg>Colour</seg></tuv></tu>\n\
         </body></tmx>\n",
    );
    let run = sb.import(&path, &["--source-lang", "en-us", "--target-lang", "en-gb"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("v.tmx:3: no separate en-us and en-gb variants"),
        "{}",
        run.stderr
    );
    let export = sb.run(&["export", "--source-lang", "en-us", "--target-lang", "en-gb"]);
    assert_eq!(export.stdout, "en-us,en-gb,origin\nColor,Colour,v.tmx\n");
}

// ------------------------------------------------------------------ store

#[test]
fn an_import_never_waits_for_a_reader_to_checkpoint() {
    // Regression: after committing, an import waited minutes in a
    // checkpoint for a reader such as `memoire export | less`.
    let sb = with_pairs();
    let reader = rusqlite_reader(&sb.db);
    let input = sb.write("big.csv", common::generated_csv("r", 20_000));
    let mut child = sb
        .cmd()
        .arg("import")
        .arg(&input)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the import is still waiting after it committed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    drop(reader);
    assert!(sb.pair_count() > 20_000);
}

/// A connection holding a read transaction open on `db`.
fn rusqlite_reader(db: &Path) -> ReaderHold {
    // A second process reading: `memoire export` piped into a pager that
    // is not read from.
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .arg("export")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Read one line so that the export has started its read transaction,
    // then stop reading: the pipe fills and the export waits with it open.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    ReaderHold { child, _out: out }
}

struct ReaderHold {
    child: std::process::Child,
    _out: BufReader<std::process::ChildStdout>,
}

impl Drop for ReaderHold {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_kill_during_creation_leaves_no_memory_or_a_complete_one() {
    // Regression: 7 of 45 kills left a memory without its glossary, for
    // good.
    let reference = Sandbox::new();
    let input = reference.write("one.csv", "fr,en\nOui.,Yes.\n");
    assert_eq!(reference.import(&input, &[]).code, 0);
    let shipped = term_pairs(&reference).expect("a complete memory");
    let mut complete = 0;
    for attempt in 0..30u64 {
        let sb = Sandbox::new();
        let mut child = sb
            .cmd()
            .arg("import")
            .arg(&input)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(attempt * 3 % 90));
        let _ = child.kill();
        let _ = child.wait();
        match term_pairs(&sb) {
            Some(n) => {
                assert_eq!(
                    n, shipped,
                    "attempt {attempt}: a memory without its glossary"
                );
                complete += 1;
            }
            None => {
                // No memory: the next write creates a complete one.
                assert_eq!(sb.import(&input, &[]).code, 0);
                assert_eq!(term_pairs(&sb), Some(shipped), "attempt {attempt}");
            }
        }
    }
    eprintln!("{complete} of 30 killed creations had completed");
}

/// Term pairs of the memory, or `None` when there is no memory.
fn term_pairs(sb: &Sandbox) -> Option<i64> {
    let run = sb.run(&["stats", "--json"]);
    if run.code != 0 {
        // A kill before the first write leaves no file or an empty one.
        assert!(
            run.stderr.contains("no memory here yet") || run.stderr.contains("this file is empty"),
            "{}",
            run.stderr
        );
        return None;
    }
    let stats: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    stats["term_pairs"].as_i64()
}

#[test]
fn a_database_from_a_newer_memoire_is_not_modified_in_any_byte() {
    // Regression: the journal mode was switched before the version check.
    let sb = with_pairs();
    {
        let conn = rusqlite::Connection::open(&sb.db).unwrap();
        conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
            .unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = bytes(&sb.db);
    let input = sb.write("in.csv", "fr,en\nOui.,Yes.\n");
    for args in [
        vec!["import", input.to_str().unwrap()],
        vec!["lookup", "Oui."],
        vec!["stats"],
        vec!["term", "add", "oui", "yes"],
        vec!["export"],
    ] {
        let run = sb.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("newer memoire"), "{}", run.stderr);
        assert!(bytes(&sb.db) == before, "{args:?} changed the file");
    }
}

#[test]
fn an_empty_file_given_as_db_is_not_a_memory_for_lookups() {
    let sb = Sandbox::new();
    std::fs::write(&sb.db, "").unwrap();
    for args in [
        vec!["lookup", "Oui."],
        vec!["stats"],
        vec!["export"],
        vec!["term", "list"],
    ] {
        let run = sb.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("empty"), "{}", run.stderr);
        assert_eq!(bytes(&sb.db), b"", "{args:?} wrote to it");
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_memory_can_be_consulted() {
    // A shared reference memory on a read-only folder: lookups,
    // concordance, drafts and exports work; imports say why they cannot.
    let sb = with_pairs();
    let shared = sb.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let db = shared.join("reference.db");
    assert_eq!(
        sb.run(&["export", "-o", sb.path("all.csv").to_str().unwrap()])
            .code,
        0
    );
    let mut make = Command::new(BIN);
    make.arg("--db")
        .arg(&db)
        .arg("import")
        .arg(sb.path("all.csv"))
        .env("MEMOIRE_NO_GLOSSARY", "1");
    assert!(make.status().unwrap().success());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o555)).unwrap();
    let root = is_root();
    // root ignores permissions: run as nobody so that they hold, from a
    // copy of the binary nobody can reach (the checkout may be in /root).
    let bin = if root {
        let copy = sb.dir.path().join("memoire");
        std::fs::copy(BIN, &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        let dir = sb.dir.path();
        let mode = std::fs::metadata(dir).unwrap().permissions().mode();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o005)).unwrap();
        copy
    } else {
        std::path::PathBuf::from(BIN)
    };
    let as_reader = |args: &[&str]| {
        let mut cmd = if root {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        cmd.arg("--db").arg(&db).args(args).current_dir("/");
        common::Run::from(cmd.output().unwrap())
    };
    let lookup = as_reader(&[
        "lookup",
        "Les entretiens ont porté sur le commerce, l’énergie et la sécurité régionale.",
    ]);
    assert_eq!(lookup.code, 0, "{}", lookup.stderr);
    assert!(lookup.stdout.contains("100%"), "{}", lookup.stdout);
    let conc = as_reader(&["concordance", "Conseil fédéral"]);
    assert_eq!(conc.code, 0, "{}", conc.stderr);
    let article = sb.path("article.txt");
    std::fs::copy(example("article-fr.txt"), &article).unwrap();
    std::fs::set_permissions(&article, std::fs::Permissions::from_mode(0o644)).unwrap();
    let draft = as_reader(&[
        "pretranslate",
        article.to_str().unwrap(),
        "--format",
        "text",
    ]);
    assert_eq!(draft.code, 0, "{}", draft.stderr);
    let stats = as_reader(&["stats"]);
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    let import = as_reader(&[
        "import",
        sb.path("all.csv").to_str().unwrap(),
        "--rejects",
        "/tmp/never.csv",
    ]);
    assert_eq!(import.code, 2, "{}", import.stderr);
    assert!(
        import.stderr.contains("permissions") || import.stderr.contains("read"),
        "{}",
        import.stderr
    );
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

#[cfg(unix)]
#[test]
fn a_failed_export_never_leaves_half_a_file() {
    // A full disk (here: a file size limit) or a kill while `export -o`
    // writes leaves the previous file as it was.
    let sb = Sandbox::new();
    let input = sb.write("big.csv", common::generated_csv("x", 5_000));
    assert_eq!(
        sb.run_without_glossary(&["import", input.to_str().unwrap()])
            .code,
        0
    );
    for (name, args) in [
        ("out.csv", vec!["export"]),
        ("out.tmx", vec!["export"]),
        ("glossary.csv", vec!["term", "export"]),
        ("draft.xlf", vec!["pretranslate", "ARTICLE"]),
    ] {
        let out = sb.write(name, "previous good file\n");
        let article = example("article-fr.txt");
        let args: Vec<&str> = args
            .iter()
            .map(|a| {
                if *a == "ARTICLE" {
                    article.to_str().unwrap()
                } else {
                    a
                }
            })
            .collect();
        let script = format!(
            "ulimit -f 1; exec \"$0\" --db \"$1\" {} -o \"$2\"",
            args.iter()
                .map(|a| format!("'{a}'"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let status = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .arg(BIN)
            .arg(&sb.db)
            .arg(&out)
            .env("MEMOIRE_NO_GLOSSARY", "1")
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(!status.success(), "{name}: the size limit must stop it");
        assert_eq!(bytes(&out), b"previous good file\n", "{name}");
    }
    let leftovers: Vec<String> = std::fs::read_dir(sb.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".memoire-"))
        .collect();
    // A process killed by the limit cannot clean up; a failed write does.
    eprintln!("temporary files left by killed processes: {leftovers:?}");
}

#[test]
fn an_over_long_segment_is_rejected_with_its_line() {
    // Regression: a 200 MB segment took 3 GB of memory and made later
    // concordance searches take 38 s.
    let sb = Sandbox::new();
    let long = "mot ".repeat(20_000); // 80 KB
    let input = sb.write("long.csv", format!("fr,en\nOui.,Yes.\n\"{long}\",Words.\n"));
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("long.csv:3: source: 80000 bytes of text, over the limit of 65536"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), 1);
    let run = sb.import(&input, &["--max-segment-size", "1M", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A row far beyond any limit stops the import before it is buffered.
    let huge = "x".repeat(3 << 20);
    let input = sb.write("huge.csv", format!("fr,en\nNon.,No.\n\"{huge}\",Huge.\n"));
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("huge.csv:3: a row of more than 2 MiB"),
        "{}",
        run.stderr
    );
    let tmx = sb.write(
        "huge.tmx",
        format!("{TMX_HEAD}<tu><tuv xml:lang=\"fr\"><seg>{huge}</seg></tuv></tu></body></tmx>"),
    );
    let run = sb.import(&tmx, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("huge.tmx:3: more than 2 MiB of text"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), 2);
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_an_import_imports_nothing_and_says_so() {
    let sb = with_pairs();
    let pairs = sb.pair_count();
    let input = sb.write("big.csv", common::generated_csv("c", 200_000));
    let child = sb
        .cmd()
        .arg("import")
        .arg(&input)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted: nothing imported"), "{stderr}");
    assert_eq!(sb.pair_count(), pairs);
}

#[test]
fn an_import_waiting_for_another_says_so_once() {
    let sb = with_pairs();
    let conn = rusqlite::Connection::open(&sb.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let input = sb.write("in.csv", "fr,en\nEncore.,Again.\n");
    let mut child = sb
        .cmd()
        .arg("import")
        .arg(&input)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert_eq!(first.trim(), "waiting for another import to finish…");
    std::thread::sleep(Duration::from_millis(300));
    conn.execute_batch("COMMIT").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(!rest.contains("waiting"), "said once: {rest}");
}

// ------------------------------------------------------------ spreadsheets

#[test]
fn csv_exports_cannot_run_as_formulas_and_import_back_unchanged() {
    let sb = Sandbox::new();
    let input = sb.write(
        "f.csv",
        "fr,en\n\"=HYPERLINK(\"\"http://x\"\")\",Link.\n\"- Oui, a-t-il dit.\",\"- Yes, he said.\"\n\
         \"@Conseil\",\"+41 58 462 21 11\"\n\"\tTab.\",Tab.\n\"''=déjà\",\"''-guarded\"\n",
    );
    let run = sb.import(&input, &["--origin", "=cmd|' /C calc'!A0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let export = sb.export();
    for line in export.lines().skip(1) {
        assert!(
            line.starts_with("'") || line.starts_with("\"'"),
            "{line:?} in\n{export}"
        );
    }
    assert!(export.contains("'=cmd|' /C calc'!A0"), "{export}");
    let back = sb.write("back.csv", &export);
    let copy = Sandbox::new();
    assert_eq!(copy.import(&back, &[]).code, 0);
    assert_eq!(
        copy.export(),
        export,
        "export → import → export is unchanged"
    );
    let pairs = copy.run(&["lookup", "--json", "=HYPERLINK(\"http://x\")"]);
    assert!(
        pairs.stdout.contains("\"source\": \"=HYPERLINK"),
        "{}",
        pairs.stdout
    );
    // A CSV cell '' + formula is a guarded text that starts with ': the
    // text keeps its ' through export and import.
    let exact = copy.run(&["lookup", "--json", "'=déjà"]);
    assert!(
        exact.stdout.contains("\"target\": \"'-guarded\""),
        "{}",
        exact.stdout
    );
    // Plain cells on request; term exports and drafts are guarded too.
    let raw = sb.run(&["export", "--no-formula-guard"]);
    assert!(raw.stdout.contains("\n\"=HYPERLINK("), "{}", raw.stdout);
    assert_eq!(sb.run(&["term", "add", "--", "=SUM", "-total"]).code, 0);
    let terms = sb.run(&["term", "export", "--format", "tsv"]);
    assert!(terms.stdout.contains("'=SUM\t'-total"), "{}", terms.stdout);
}

// ------------------------------------------------------------------ minor

#[test]
fn a_sep_line_followed_by_a_newline_is_not_a_delimiter() {
    let sb = Sandbox::new();
    let input = sb.write("s.csv", "sep=\n\nfr;en\nOui.;Yes.\n");
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("semicolon-separated"), "{}", run.stderr);
    assert_eq!(sb.pair_count(), 1);
}

#[test]
fn the_status_column_of_a_reviewed_draft_is_not_called_ignored() {
    let sb = with_pairs();
    let csv = sb.path("draft.csv");
    let run = sb.run(&[
        "pretranslate",
        example("article-fr.txt").to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = sb.import(&csv, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ignored = run
        .stderr
        .lines()
        .find(|l| l.starts_with("ignored columns"))
        .unwrap_or("");
    assert!(!ignored.contains("status"), "{}", run.stderr);
}

// ------------------------------------------- findings of the adversary run

#[cfg(unix)]
#[test]
fn devices_pipes_and_dev_null_are_written_to_never_replaced() {
    // Regression: `export -o /dev/null` or `--rejects /dev/null --force`
    // as root replaced the device with a regular file.
    use std::os::unix::fs::FileTypeExt;
    let sb = with_pairs();
    let run = sb.run(&["export", "-o", "/dev/null"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let input = sb.write("in.csv", ONE_BAD_ROW);
    let run = sb.import(&input, &["--rejects", "/dev/null"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A link to standard output writes to it.
    let link = sb.path("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let run = sb.run(&["export", "-o", link.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("fr,en,origin\n"), "{}", run.stdout);
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
}

#[cfg(unix)]
#[test]
fn the_log_of_a_memory_opened_through_a_symlink_is_its_own_file() {
    // Regression: with --db given as a symlink, `export -o real.db-wal`
    // was accepted and a committed import was lost.
    let sb = with_pairs();
    let link = sb.path("link.db");
    std::os::unix::fs::symlink(&sb.db, &link).unwrap();
    let mut wal = sb.db.clone().into_os_string();
    wal.push("-wal");
    let mut journal = sb.db.clone().into_os_string();
    journal.push("-journal");
    for target in [&wal, &journal] {
        let run = Command::new(BIN)
            .args(["--db", link.to_str().unwrap(), "export", "-o"])
            .arg(target)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{target:?}");
    }
    let input = sb.write("in.csv", ONE_BAD_ROW);
    let run = Command::new(BIN)
        .args(["--db", link.to_str().unwrap(), "import"])
        .arg(&input)
        .arg("--rejects")
        .arg(&wal)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn a_csv_cut_in_its_last_row_does_not_teach_the_cut_row() {
    // Regression: `…\nIl neige.,It is snow` (cut) stored "It is snow".
    let sb = Sandbox::new();
    let input = sb.write(
        "cut.csv",
        "fr,en\r\nIl pleut.,It is raining.\r\nIl vente.,It is windy.\r\nIl neige.,It is snow",
    );
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("cut.csv:4: the file ends in this row"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), 2);
}

#[test]
fn declarations_that_lie_and_legacy_encodings() {
    let sb = Sandbox::new();
    let body = "<tmx version=\"1.4\"><header srclang=\"fr\"/><body>\
                <tu><tuv xml:lang=\"fr\"><seg>Le cœur de l'œuvre coûte 5 €.</seg></tuv>\
                <tuv xml:lang=\"en\"><seg>The heart of the work costs 5 euros.</seg></tuv></tu>\
                </body></tmx>\n";
    // ISO-8859-15 is not Windows-1252: œ and € are read right.
    let latin9 = encoding_rs::ISO_8859_15.encode(body).0.into_owned();
    let mut file = b"<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n".to_vec();
    file.extend(latin9);
    let path = sb.write("latin9.tmx", &file);
    let run = sb.import(&path, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        sb.export().contains("Le cœur de l'œuvre coûte 5 €."),
        "{}",
        sb.export()
    );
    // A comment that mentions an encoding does not change it.
    let path = sb.write(
        "comment.tmx",
        format!("<!-- converted from latin1 -->\n{body}"),
    );
    assert_eq!(sb.import(&path, &[]).code, 0);
    // Declarations that contradict the bytes are refused.
    for (name, head) in [
        (
            "klingon.tmx",
            "<?xml version=\"1.0\" encoding=\"KLINGON\"?>\n",
        ),
        (
            "ascii.tmx",
            "<?xml version=\"1.0\" encoding=\"US-ASCII\"?>\n",
        ),
        ("utf16.tmx", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"),
        (
            "lowercase.tmx",
            "<?xml version=\"1.0\"?>\n<!doctype tmx SYSTEM \"tmx14.dtd\">\n",
        ),
        ("bom2.tmx", "\u{FEFF}\u{FEFF}<?xml version=\"1.0\"?>\n"),
    ] {
        let path = sb.write(name, format!("{head}{body}"));
        let run = sb.import(&path, &[]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    }
}

#[test]
fn deep_nesting_is_refused_before_it_fills_the_memory() {
    // Regression: 25 million nested elements took 2 GB.
    let sb = Sandbox::new();
    let deep = format!(
        "<tmx version=\"1.4\"><header srclang=\"fr\"/><body>{}{}</body></tmx>\n",
        "<x>".repeat(2000),
        "</x>".repeat(2000)
    );
    let path = sb.write("deep.tmx", deep);
    let run = sb.import(&path, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("nested more than 1000 deep"),
        "{}",
        run.stderr
    );
}

#[test]
fn odd_structures_are_not_learnt() {
    // Regression: two targets in a trans-unit, translate="no" on a group,
    // segments inside <ignorable> or of another namespace, two segs in a
    // tuv, were learnt.
    let sb = Sandbox::new();
    let run = import_xliff(
        &sb,
        "odd12.xlf",
        "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\"><file original=\"o\" source-language=\"fr\" \
         target-language=\"en\"><body>\n\
         <trans-unit id=\"1\" approved=\"yes\"><source>Un.</source><target state=\"translated\">One.</target>\
         <target>Unchecked.</target></trans-unit>\n\
         <group translate=\"no\"><trans-unit id=\"2\" approved=\"yes\"><source>Deux.</source>\
         <target state=\"translated\">Two.</target></trans-unit></group>\n\
         <trans-unit id=\"3\" approved=\"yes\"><source>Trois.</source><target state=\"translated\">Three.</target></trans-unit>\n\
         </body></file></xliff>\n",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("two <target> elements"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), 1, "only Trois.");
    let run = import_xliff(
        &sb,
        "odd20.xlf",
        &format!(
            "{XLIFF2_HEAD}<ignorable><segment state=\"final\"><source>Quatre.</source><target>Four.</target></segment></ignorable>\n\
             <my:segment xmlns:my=\"urn:my\" state=\"final\"><source>Cinq.</source><target>Five.</target></my:segment>\n\
             <segment state=\"final\"><source>Six.</source><target>Six.</target></segment>\n</unit></file></xliff>\n"
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(sb.pair_count(), 2, "only Six.");
    let path = sb.write(
        "two-segs.tmx",
        format!("{TMX_HEAD}<tu><tuv xml:lang=\"fr\"><seg>Sept.</seg><seg>Huit.</seg></tuv><tuv xml:lang=\"en\"><seg>Seven.</seg></tuv></tu>\n</body></tmx>\n"),
    );
    let run = sb.import(&path, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("two <seg> elements in one <tuv>"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), 2);
}

#[test]
fn a_csv_draft_without_status_teaches_nothing_unchecked() {
    // Regression: a draft whose status column was deleted, or whose status
    // cell was emptied, taught the memory its fuzzy fills.
    let sb = with_pairs();
    let csv = sb.path("draft.csv");
    let article = example("article-fr.txt");
    let run = sb.run(&[
        "pretranslate",
        article.to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = String::from_utf8(bytes(&csv)).unwrap();
    let before = sb.pair_count();
    // The status column deleted: refused.
    let no_status: String = text
        .lines()
        .map(|line| {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            let record = reader.records().next().unwrap().unwrap();
            let cells: Vec<&str> = record
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 4)
                .map(|(_, c)| c)
                .collect();
            let mut writer = csv::Writer::from_writer(vec![]);
            writer.write_record(&cells).unwrap();
            String::from_utf8(writer.into_inner().unwrap()).unwrap()
        })
        .collect();
    let path = sb.write("no-status.csv", &no_status);
    let run = sb.import(&path, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("without its status column"),
        "{}",
        run.stderr
    );
    // Every status emptied: nothing learnt.
    let empty = text.replace(",fuzzy,", ",,").replace(",translated,", ",,");
    let path = sb.write("empty-status.csv", &empty);
    let run = sb.import(&path, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("pairs added 0,"), "{}", run.stderr);
    assert!(
        run.stderr.contains("without a confirmed status skipped"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), before);
}

#[cfg(unix)]
#[test]
fn a_read_only_memory_with_unread_changes_is_refused_not_shown_stale() {
    // Regression: opened as immutable (its folder read-only, no -shm), a
    // memory whose write-ahead log held an import showed without it.
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        eprintln!("skipped: needs root to run a command as another user");
        return;
    }
    let sb = with_pairs();
    let shared = sb.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let db = shared.join("m.db");
    let input = sb.write("more.csv", common::generated_csv("w", 3000));
    let first = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&input)
        .env("MEMOIRE_NO_GLOSSARY", "1")
        .output()
        .unwrap();
    assert!(first.status.success());
    // A reader holds a snapshot, so the next import stays in the log.
    let reader = rusqlite_reader(&db);
    let second = sb.write(
        "two.csv",
        "fr,en\nEncore une.,One more.\nEt deux.,And two.\n",
    );
    let run = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&second)
        .output()
        .unwrap();
    assert!(run.status.success());
    drop(reader);
    let mut shm = db.clone().into_os_string();
    shm.push("-shm");
    let _ = std::fs::remove_file(&shm);
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the log holds the import"
    );
    let copy = sb.dir.path().join("memoire");
    std::fs::copy(BIN, &copy).unwrap();
    for dir in [sb.dir.path(), shared.as_path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&copy)
        .arg("--db")
        .arg(&db)
        .args(["stats", "--json"])
        .current_dir("/")
        .output()
        .unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("recent changes"), "{stderr}");
}

// ------------------------------------------- findings of the new-user run

#[test]
fn an_import_made_by_mistake_can_be_removed_by_its_origin() {
    let sb = with_pairs();
    let before = sb.pair_count();
    // A text file imported as a CSV: its fragments land in the memory.
    let article = sb.path("article-fr.txt");
    std::fs::copy(example("article-fr.txt"), &article).unwrap();
    let run = sb.import(&article, &[]);
    assert!(run.code <= 1, "{}", run.stderr);
    let polluted = sb.pair_count();
    assert!(polluted > before);
    let run = sb.run(&["remove", "--origin", "article-fr.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("removed {} fr → en pairs", polluted - before)),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), before);
    // The fuzzy index forgot them too: indexed and exhaustive searches agree.
    let query = "La présidente de la Confédération a accueilli son hôte sur la place Fédérale.";
    let indexed = sb.run(&["lookup", "--json", "--threshold", "50", query]);
    let exhaustive = sb.run(&[
        "lookup",
        "--json",
        "--threshold",
        "50",
        "--exhaustive",
        query,
    ]);
    assert_eq!(indexed.stdout, exhaustive.stdout);
    let run = sb.run(&["remove", "--origin", "nothing"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("memory-fr-en.csv"), "{}", run.stderr);
}

#[test]
fn a_new_memory_says_so_and_a_mistyped_folder_is_not_created() {
    let sb = Sandbox::new();
    let input = sb.write("one.csv", "fr,en\nOui.,Yes.\n");
    let run = sb.import(&input, &[]);
    assert!(
        run.stderr.contains("new memory created at"),
        "{}",
        run.stderr
    );
    let run = sb.import(&input, &[]);
    assert!(!run.stderr.contains("new memory"), "{}", run.stderr);
    let typo = sb.path("nodir/m.db");
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&typo)
        .arg("import")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!sb.path("nodir").exists());
    // A file that cannot be imported leaves no memory behind.
    let other = Sandbox::new();
    let run = other.import(&other.write("x.xlsx", b"PK\x03\x04rest"), &[]);
    assert_eq!(run.code, 2);
    assert!(!other.db.exists());
}

#[test]
fn outputs_by_extension_and_to_standard_output() {
    let sb = with_pairs();
    let run = sb.run(&["export", "-o", "-"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("fr,en,origin\n"));
    let docx = sb.path("article.docx");
    let run = sb.run(&[
        "pretranslate",
        example("article-fr.txt").to_str().unwrap(),
        "-o",
        docx.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--format"), "{}", run.stderr);
    assert!(!docx.exists());
    let xlsx = sb.path("memory.xlsx");
    assert_eq!(sb.run(&["export", "-o", xlsx.to_str().unwrap()]).code, 2);
    assert!(!xlsx.exists());
}

#[test]
fn a_lookup_in_the_wrong_language_pair_says_which_pairs_there_are() {
    let sb = Sandbox::new();
    let input = sb.write(
        "gb.csv",
        "fr,en\nLe centre est fermé.,The centre is closed.\n",
    );
    assert_eq!(sb.import(&input, &["--target-lang", "en-gb"]).code, 0);
    let run = sb.run(&["lookup", "Le centre est fermé."]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--target-lang en-gb"), "{}", run.stderr);
}

#[test]
fn a_tmx_export_keeps_the_context_learnt_from_drafts() {
    // Regression: a memory restored from its TMX export lost the context,
    // so its 101 % matches came back as 100 %.
    let sb = Sandbox::new();
    let run = import_xliff(
        &sb,
        "d.xlf",
        &format!(
            "{XLIFF2_HEAD}<segment state=\"final\"><source>Il pleut.</source><target>It is raining.</target></segment>\n\
             <segment state=\"final\"><source>Les routes sont fermées.</source><target>The roads are closed.</target></segment>\n</unit></file></xliff>\n"
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tmx = sb.path("backup.tmx");
    assert_eq!(sb.run(&["export", "-o", tmx.to_str().unwrap()]).code, 0);
    let restored = Sandbox::new();
    assert_eq!(restored.import(&tmx, &[]).code, 0);
    let article = restored.write("a.txt", "Il pleut. Les routes sont fermées.\n");
    let draft = restored.run(&[
        "pretranslate",
        article.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let draft: serde_json::Value = serde_json::from_str(&draft.stdout).unwrap();
    assert_eq!(draft["segments"][1]["band"], "context", "{draft}");
}

#[test]
fn term_add_and_origins_refuse_what_xml_cannot_hold() {
    let sb = Sandbox::new();
    let run = sb.run_without_glossary(&["term", "add", "Gen\u{2}ève", "Geneva"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = sb.run_without_glossary(&["term", "add", "Genève", "Geneva", "--status", "banned"]);
    assert!(run.stderr.contains("(forbidden)"), "{}", run.stderr);
    let input = sb.write("in.csv", "fr,en\nOui.,Yes.\nNon.,No.\n");
    let run = sb.import(&input, &["--origin", "x\u{1}"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "said once: {}", run.stderr);
    let pipe = sb.run(&["import", "/dev/stdin"]);
    assert_eq!(pipe.code, 2);
    assert!(
        pipe.stderr.contains("save the data to a file"),
        "{}",
        pipe.stderr
    );
}

#[test]
fn a_closed_stderr_never_makes_memoire_panic() {
    // Regression (adversarial test, issue 10): `memoire … 2>&1 | head` that
    // quit early made every eprintln! panic (exit 101) — after an import
    // had committed, so a script retried it.
    let sb = Sandbox::new();
    let csv = sb.write("c.csv", "fr,en\nTrois.,Three.\n,x\nQuatre.,Four.\n");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = sb
        .cmd()
        .args(["import", csv.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "one row rejected, no panic");
    assert_eq!(sb.pair_count(), 2);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let article = example("article-fr.txt");
    let out = sb
        .cmd()
        .args([
            "pretranslate",
            "--format",
            "text",
            article.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_read_only_command_never_upgrades_an_older_memory() {
    // Regression (adversarial test, issue 10): `lookup` upgraded a memory of
    // an older memoire in place, silently, locking out colleagues on it.
    let sb = with_pairs();
    let db = sb.path("memoire.db");
    // The memory as schema 5 wrote it: without what 6 to 11 added.
    let older = |path: &Path| {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(
            "ALTER TABLE term_pair DROP COLUMN pos;
             ALTER TABLE term_pair DROP COLUMN checked;
             ALTER TABLE segment_pair DROP COLUMN codes;
             ALTER TABLE segment_pair DROP COLUMN created_by;
             ALTER TABLE segment_pair DROP COLUMN changed_by;
             DROP TABLE api_token;
             DROP TABLE index_epoch;",
        )
        .unwrap();
        with_rows_a_posting(&conn, 5);
    };
    older(&db);
    let before = bytes(&db);
    for args in [
        &["lookup", "Bonjour"][..],
        &["stats"],
        &["term", "lookup", "OTSC"],
    ] {
        let run = sb.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        // (New-user finding: the advice said `memoire upgrade` without the
        // --db it needs, which then looked at the default memory.)
        assert!(
            run.stderr
                .contains(&format!("memoire --db {} upgrade", db.display())),
            "{}",
            run.stderr
        );
        assert_eq!(bytes(&db), before, "{args:?} changed the file");
    }
    let run = sb.run(&["upgrade"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("upgraded from schema version 5"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.run(&["stats"]).code, 0);
    let run = sb.run(&["upgrade"]);
    assert!(
        run.stderr.contains("already at schema version"),
        "{}",
        run.stderr
    );
}

#[test]
fn articles_in_utf16_without_mark_are_read_and_broken_ones_refused() {
    // Regression (adversarial test, issue 11): UTF-16 without a byte-order
    // mark was read as Windows-1252 with NULs between letters (and billed
    // as one word per letter); UTF-32, odd-length UTF-16 and NUL bytes
    // passed unnoticed.
    let sb = Sandbox::new();
    let text = "Le Conseil fédéral a siégé.\nIl pleut à Berne.\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (name, bytes) in [("le.txt", le.clone()), ("be.txt", be)] {
        let path = sb.write(name, &bytes);
        let run = sb.run(&["segment", path.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(
            run.stdout, "Le Conseil fédéral a siégé.\n\nIl pleut à Berne.\n\n",
            "{name}"
        );
    }
    let mut odd = vec![0xFF, 0xFE];
    odd.extend(&le);
    odd.push(b'x');
    let mut utf32 = vec![0xFF, 0xFE, 0, 0];
    utf32.extend(text.chars().flat_map(|c| (c as u32).to_le_bytes()));
    for (name, bytes, why) in [
        ("odd.txt", odd, "odd number of bytes"),
        ("utf32.txt", utf32, "UTF-32"),
        (
            "nul.txt",
            b"Un.\nDeux\0trois.\n".to_vec(),
            "2: a NUL character",
        ),
        (
            "cut.txt",
            b"Un.\nDeux \xC3".to_vec(),
            "2: the file ends in the middle",
        ),
    ] {
        let path = sb.write(name, &bytes);
        let run = sb.run(&["segment", path.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{name}: {}", run.stderr);
    }
    // A CSV cut inside its last character is not imported as Windows-1252.
    let csv = sb.write(
        "c8.csv",
        b"fr,en\nUn chien.,A dog.\nDeux chiens.,Two dogs \xC3",
    );
    let run = sb.import(&csv, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("it was cut"), "{}", run.stderr);
    assert!(
        !sb.path("memoire.db").exists(),
        "no memory made of a cut file"
    );
}

#[test]
fn a_small_csv_cut_in_its_last_row_is_caught_and_one_typed_row_is_not() {
    // Regression (adversarial test, issue 10): with a header and one row,
    // a file cut inside its second row imported « Two c ».
    let sb = Sandbox::new();
    let cut = sb.write("cut.csv", "fr,en\nUn chat.,A cat.\nDeux chats.,Two c");
    let run = sb.import(&cut, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("cut.csv:3: the file ends in this row"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), 1);
    let typed = sb.write("one.csv", "fr,en\nBonjour.,Hello.");
    assert_eq!(sb.import(&typed, &[]).code, 0);
    assert_eq!(sb.pair_count(), 2);
}

#[test]
fn two_csv_files_glued_with_their_byte_order_marks_are_caught() {
    // Regression (adversarial test, issue 10): the second file's header,
    // after its byte-order mark, became a pair « fr » → « en ».
    let sb = Sandbox::new();
    let one = "\u{feff}fr,en\nUn.,One.\nDeux.,Two.\n";
    let csv = sb.write("glued.csv", format!("{one}{one}"));
    let run = sb.import(&csv, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("glued.csv:4: "), "{}", run.stderr);
    assert!(run.stderr.contains("byte-order mark"), "{}", run.stderr);
    assert_eq!(sb.pair_count(), 2);
    // `-o dir/.tmx` is a TMX file, as a translator means it.
    let out = sb.path(".tmx");
    assert_eq!(sb.run(&["export", "-o", out.to_str().unwrap()]).code, 0);
    assert!(std::fs::read_to_string(&out).unwrap().contains("<tmx "));
}

#[test]
fn an_upgrade_killed_while_it_rebuilds_the_index_leaves_the_older_memory_as_it_was() {
    // Schema 11 rebuilds the fuzzy index inside the upgrade's transaction:
    // a kill -9 midway must leave the schema-10 memory whole, and a second
    // upgrade must then do the whole job.
    let sb = Sandbox::new();
    let csv = sb.write("big.csv", common::generated_csv("up", 60_000));
    let run = sb.import(&csv, &["--source-lang", "fr", "--target-lang", "en"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The memory as schema 10 kept its index: a row a posting.
    with_rows_a_posting(&rusqlite::Connection::open(&sb.db).unwrap(), 10);
    let version = || -> i64 {
        rusqlite::Connection::open(&sb.db)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    // How long a whole upgrade takes, on a copy: the kill comes at half
    // that, inside the rebuild's transaction. (Watching the journal grow
    // did not do: the rebuild fits the page cache, and the journal is
    // written at the commit.)
    let copy = sb.path("copy.db");
    std::fs::copy(&sb.db, &copy).unwrap();
    let started = Instant::now();
    let run = Run::from(
        Command::new(BIN)
            .arg("--db")
            .arg(&copy)
            .arg("upgrade")
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let whole = started.elapsed();
    let mut child = sb.cmd().arg("upgrade").spawn().unwrap();
    std::thread::sleep(whole / 2);
    let finished = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!finished, "the upgrade ended before the kill");
    assert_eq!(version(), 10);
    let still_old: i64 = rusqlite::Connection::open(&sb.db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'fuzzy_posting'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(still_old, 1, "half an upgrade");
    let run = sb.run(&["upgrade"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("upgrading (the fuzzy index"),
        "{}",
        run.stderr
    );
    assert_eq!(version(), 11);
    let found = sb.run(&[
        "lookup",
        "Le canton n° 4242 (up) a publié ses comptes, déficit de 29694 francs.",
    ]);
    assert_eq!(found.code, 0, "{}", found.stderr);
    assert!(
        found.stdout.contains("Canton no. 4242 (up)"),
        "{}",
        found.stdout
    );
}
