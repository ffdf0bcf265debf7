//! The import, export, lookup and stats commands, run as a translator runs
//! them: the real binary, a temp dir, `--db` always given.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Sandbox, generated_csv};

const PAIRS: &str = "\
Le Conseil fédéral a adopté le message.,The Federal Council adopted the dispatch.
\"L’OTSC, alliance militaire, s’est réunie à Almaty.\",\"The CSTO, a military alliance, met in Almaty.\"
La BNS maintient son taux directeur à 0\u{a0}%.,The SNB is keeping its policy rate at 0%.
« Pourquoi\u{a0}? » a-t-il demandé.,\"\"\"Why?\"\" he asked.\"
";

#[test]
fn comma_utf8_and_semicolon_windows_1252_import_to_the_same_memory() {
    let utf8 = Sandbox::new();
    let comma = utf8.write("pairs.csv", format!("fr,en\n{PAIRS}"));
    assert_eq!(utf8.import(&comma, &["--origin", "x"]).code, 0);

    let excel = Sandbox::new();
    let semicolon_text = format!("fr;en\r\n{PAIRS}")
        .lines()
        .map(|line| line.replacen(".,", ".;", 1).replacen("\",\"", "\";\"", 1))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"; // Excel ends the last row with a line break too
    let bytes = encoding_rs::WINDOWS_1252
        .encode(&semicolon_text)
        .0
        .into_owned();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the file really is Windows-1252"
    );
    let semicolon = excel.write("pairs-excel.csv", bytes);
    let run = excel.import(&semicolon, &["--origin", "x"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Windows-1252, semicolon-separated"),
        "{}",
        run.stderr
    );

    assert_eq!(utf8.pair_count(), 4);
    assert_eq!(utf8.export(), excel.export());
}

#[test]
fn three_bad_rows_are_rejected_with_lines_and_kept_in_the_rejects_file() {
    let sb = Sandbox::new();
    let text = "fr,en\n\
                Bonjour.,Hello.\n\
                Sans traduction.,\n\
                Merci.,Thank you.\n\
                Une seule colonne\n\
                \"Deux\nlignes.\",\"Two\nlines.\"\n\
                ,Orphan target.\n\
                Au revoir.,Goodbye.\n";
    let input = sb.write("memoire.csv", text);
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let name = input.display();
    for (line, reason) in [
        (3, "empty target"),
        (5, "no target column"),
        (9, "empty source"),
    ] {
        let expected = format!("{name}:{line}: {reason}");
        assert!(
            run.stderr.contains(&expected),
            "missing {expected:?} in:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("rows read 7, pairs added 4"),
        "{}",
        run.stderr
    );
    let rejects = std::fs::read_to_string(sb.path("memoire.rejects.csv")).unwrap();
    assert_eq!(
        rejects,
        "fr,en\nSans traduction.,\nUne seule colonne\n,Orphan target.\n"
    );
    assert_eq!(sb.pair_count(), 4);

    // The rejects file, once fixed, imports cleanly.
    let fixed = rejects
        .replace("Sans traduction.,\n", "Sans traduction.,Untranslated.\n")
        .replace("Une seule colonne\n", "Une colonne,One column\n")
        .replace(",Orphan target.", "Orphelin.,Orphan target.");
    let fixed = sb.write("fixed.csv", fixed);
    assert_eq!(sb.import(&fixed, &[]).code, 0);
    assert_eq!(sb.pair_count(), 7);
}

#[test]
fn strict_import_keeps_nothing_and_exits_2() {
    let sb = Sandbox::new();
    let input = sb.write("strict.csv", "fr,en\nBonjour.,Hello.\nSans.,\n");
    let run = sb.import(&input, &["--strict"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("strict.csv:3: empty target"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.pair_count(), 0);
}

#[test]
fn importing_the_same_file_twice_adds_nothing_the_second_time() {
    let sb = Sandbox::new();
    let first = sb.import(&common::example("memory-fr-en.csv"), &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let count = sb.pair_count();
    let second = sb.import(&common::example("memory-fr-en.csv"), &[]);
    assert_eq!(second.code, 0);
    assert!(
        second
            .stderr
            .contains("pairs added 0, alternatives added 0"),
        "{}",
        second.stderr
    );
    assert_eq!(sb.pair_count(), count);
}

#[test]
fn lookup_normalises_spacing_and_apostrophes_and_shows_alternatives() {
    let sb = Sandbox::new();
    let input = sb.write(
        "alt.csv",
        "fr,en\n\
         L’OTSC s’est réunie.,The CSTO met.\n\
         L'OTSC s'est réunie.,The CSTO held a meeting.\n",
    );
    assert_eq!(sb.import(&input, &[]).code, 0);
    let run = sb.run(&["lookup", "--json", "L'OTSC  s’est\u{a0}réunie."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let matches: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let matches = matches.as_array().unwrap();
    assert_eq!(matches.len(), 2);
    for m in matches {
        assert_eq!(m["score"], 100);
        assert_eq!(m["origin"], "alt.csv");
        assert_eq!(m["alternatives"], 2);
    }
    // Most recent first: the second row was stored last.
    assert_eq!(matches[0]["target"], "The CSTO held a meeting.");

    let miss = sb.run(&["lookup", "La BNS a relevé son taux."]);
    assert_eq!(miss.code, 1);
    assert!(miss.stdout.is_empty());
}

#[test]
fn export_then_import_round_trips_the_memory() {
    let sb = Sandbox::new();
    assert_eq!(sb.import(&common::example("memory-fr-en.csv"), &[]).code, 0);
    let csv = sb.path("export.csv");
    let tsv = sb.path("export.tsv");
    assert_eq!(sb.run(&["export", "-o", csv.to_str().unwrap()]).code, 0);
    assert_eq!(sb.run(&["export", "-o", tsv.to_str().unwrap()]).code, 0);
    assert!(
        std::fs::read_to_string(&tsv)
            .unwrap()
            .starts_with("fr\ten\torigin\n")
    );

    for file in [&csv, &tsv] {
        let other = Sandbox::new();
        let run = other.import(file, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            other.export(),
            sb.export(),
            "round trip through {}",
            file.display()
        );
    }
}

#[test]
fn kill_9_during_a_large_import_leaves_the_store_as_it_was() {
    let sb = Sandbox::new();
    let small = sb.write("small.csv", generated_csv("before", 10));
    assert_eq!(sb.import(&small, &[]).code, 0);
    let big = sb.write("big.csv", generated_csv("big", 300_000));

    let mut child = sb
        .cmd()
        .arg("import")
        .arg(&big)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import has written a good part of its transaction
    // (a debug build on two busy cores can take over a minute: the limit
    // only stops a hung test, it proves nothing).
    let wal = sb.path("memoire.db-wal");
    let deadline = Instant::now() + Duration::from_secs(300);
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 4 << 20 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed"
        );
        assert!(
            Instant::now() < deadline,
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(status.code().is_none(), "killed by a signal");

    let conn = rusqlite::Connection::open(&sb.db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let count: i64 = conn
        .query_row("SELECT count(*) FROM segment_pair", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 10, "none of the killed import is in the store");
    drop(conn);
    assert_eq!(sb.pair_count(), 10);
}

#[test]
fn two_imports_started_at_once_both_land() {
    let sb = Sandbox::new();
    let a = sb.write("a.csv", generated_csv("a", 20_000));
    let b = sb.write("b.csv", generated_csv("b", 20_000));
    let spawn = |file: &Path| {
        sb.cmd()
            .arg("import")
            .arg(file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(&a), spawn(&b));
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(sb.pair_count(), 40_000);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let sb = Sandbox::new();
    let input = sb.write("many.csv", generated_csv("pipe", 5_000));
    assert_eq!(sb.import(&input, &[]).code, 0);
    let mut child = sb
        .cmd()
        .arg("export")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped here: like `memoire export | head -c 64`.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn errors_name_the_file_and_say_what_to_do() {
    let sb = Sandbox::new();
    let missing = sb.import(&sb.path("absent.csv"), &[]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("absent.csv: cannot open"),
        "{}",
        missing.stderr
    );
    assert_eq!(
        missing.stderr.lines().count(),
        1,
        "one line: {}",
        missing.stderr
    );

    let empty = sb.write("empty.csv", "");
    let run = sb.import(&empty, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("empty.csv: the file is empty"),
        "{}",
        run.stderr
    );

    let lookup = Sandbox::new().run(&["lookup", "Bonjour."]);
    assert_eq!(lookup.code, 2);
    assert!(
        lookup.stderr.contains("no memory here yet"),
        "{}",
        lookup.stderr
    );

    let not_db = sb.write("notes.txt", "Ceci n'est pas une base.\n".repeat(100));
    let run = common::Run::from(
        std::process::Command::new(common::BIN)
            .args(["--db", not_db.to_str().unwrap(), "stats"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("notes.txt"), "{}", run.stderr);
    assert!(
        run.stderr.contains("not a memoire database"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_database_from_a_newer_memoire_is_refused() {
    let sb = Sandbox::new();
    let input = sb.write("one.csv", "fr,en\nOui.,Yes.\n");
    assert_eq!(sb.import(&input, &[]).code, 0);
    let conn = rusqlite::Connection::open(&sb.db).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let run = sb.run(&["stats"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("newer memoire"), "{}", run.stderr);
    assert!(run.stderr.contains("upgrade memoire"), "{}", run.stderr);
}

#[test]
fn the_database_defaults_to_memoire_db_then_xdg_data_home() {
    let sb = Sandbox::new();
    let input = sb.write("one.csv", "fr,en\nOui.,Yes.\n");
    let env_db = sb.path("from-env.db");
    let run = std::process::Command::new(common::BIN)
        .args(["import", input.to_str().unwrap()])
        .env("MEMOIRE_DB", &env_db)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert!(env_db.exists());

    let data_home = sb.path("xdg");
    let run = std::process::Command::new(common::BIN)
        .args(["import", input.to_str().unwrap()])
        .env_remove("MEMOIRE_DB")
        .env("XDG_DATA_HOME", &data_home)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert!(data_home.join("memoire/memoire.db").exists());
}

#[test]
fn stats_lists_language_pairs_and_origins() {
    let sb = Sandbox::new();
    assert_eq!(sb.import(&common::example("memory-fr-en.csv"), &[]).code, 0);
    let input = sb.write("de.csv", "fr,de\nBerne.,Bern.\n");
    assert_eq!(sb.import(&input, &["--target-lang", "de"]).code, 0);
    let run = sb.run(&["stats"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("fr → de   1 pairs"), "{}", run.stdout);
    assert!(run.stdout.contains("memory-fr-en.csv"), "{}", run.stdout);
    assert!(run.stdout.contains("de.csv"), "{}", run.stdout);
}

#[test]
fn the_rejects_file_never_overwrites_the_input_or_the_memory() {
    // Regression: `--rejects ./victim.csv` (same file, other spelling)
    // replaced the input with its own header.
    let sb = Sandbox::new();
    let text = "fr,en\nOui.,Yes.\nSans.,\n";
    let input = sb.write("victim.csv", text);
    let same = format!("{}/./victim.csv", sb.dir.path().display());
    let run = sb.import(&input, &["--rejects", &same]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("choose another --rejects PATH"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&input).unwrap(), text);
    assert_eq!(sb.pair_count(), 0);

    let db = sb.db.to_str().unwrap().to_string();
    let run = sb.import(&input, &["--rejects", &db]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(sb.pair_count(), 0, "the memory is intact and still empty");
}

#[test]
fn export_refuses_to_write_over_the_memory() {
    // Regression: `memoire --db v.db export -o v.db` destroyed the memory.
    let sb = Sandbox::new();
    assert_eq!(sb.import(&common::example("memory-fr-en.csv"), &[]).code, 0);
    let run = sb.run(&["export", "-o", sb.db.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("would overwrite the memory"),
        "{}",
        run.stderr
    );
    assert!(sb.pair_count() > 0);
}

#[test]
fn files_that_are_not_csv_are_refused_and_nothing_is_written() {
    let sb = Sandbox::new();
    for (name, bytes, what) in [
        (
            "program",
            &b"\x7FELF\x02\x01\x01\x00rest of a program"[..],
            "a program",
        ),
        ("memory.xlsx", b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
        (
            "memory.json",
            b"[{\"source\": \"Bonjour\", \"target\": \"Hello\"}]\n",
            "JSON",
        ),
    ] {
        let input = sb.write(name, bytes);
        let run = sb.import(&input, &[]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(what), "{name}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    let leftovers: Vec<_> = std::fs::read_dir(sb.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("rejects"))
        .collect();
    assert!(leftovers.is_empty(), "no rejects file: {leftovers:?}");
}

#[test]
fn an_unwritable_rejects_file_stops_the_import_with_a_hint() {
    let sb = Sandbox::new();
    let input = sb.write("some-bad.csv", "fr,en\nOui.,Yes.\nSans.,\n");
    let nowhere = sb.path("no/such/folder/rejects.csv");
    let run = sb.import(&input, &["--rejects", nowhere.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("rejects.csv: cannot write the rejects file"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--rejects PATH"), "{}", run.stderr);
    assert_eq!(
        sb.pair_count(),
        0,
        "nothing imported when rejects cannot be kept"
    );
}

#[test]
fn rejects_of_a_utf16_file_stay_utf16() {
    let sb = Sandbox::new();
    let utf16 = |text: &str| {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    };
    let input = sb.write("unicode.txt", utf16("fr\ten\r\nÉté\tSummer\r\nHiver\t\r\n"));
    let run = sb.import(&input, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rejects = std::fs::read(sb.path("unicode.rejects.txt")).unwrap();
    assert_eq!(rejects, utf16("fr\ten\r\nHiver\t\r\n"));
}

#[test]
fn a_lookup_does_not_wait_for_an_import_in_progress() {
    // Regression: every command took the write lock to check the schema.
    let sb = Sandbox::new();
    assert_eq!(sb.import(&common::example("memory-fr-en.csv"), &[]).code, 0);
    let writer = rusqlite::Connection::open(&sb.db).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = Instant::now();
    let run = sb.run(&[
        "lookup",
        "Les entretiens ont porté sur le commerce, l’énergie et la sécurité régionale.",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "waited {:?}",
        start.elapsed()
    );
    writer.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn db_flag_beats_the_environment_and_home_is_the_last_resort() {
    let sb = Sandbox::new();
    let input = sb.write("one.csv", "fr,en\nOui.,Yes.\n");
    let flag_db = sb.path("flag.db");
    let env_db = sb.path("env.db");
    let run = std::process::Command::new(common::BIN)
        .args([
            "--db",
            flag_db.to_str().unwrap(),
            "import",
            input.to_str().unwrap(),
        ])
        .env("MEMOIRE_DB", &env_db)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert!(flag_db.exists() && !env_db.exists());

    let home = sb.path("home");
    let run = std::process::Command::new(common::BIN)
        .args(["import", input.to_str().unwrap()])
        .env("MEMOIRE_DB", "")
        .env_remove("XDG_DATA_HOME")
        .env("HOME", &home)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(home.join(".local/share/memoire/memoire.db").exists());
}
