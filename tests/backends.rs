//! One test body, two backends (issue 14): each test here runs on a SQLite
//! file and on a PostgreSQL database (when `MEMOIRE_TEST_POSTGRES` names a
//! server; `.ci/run` starts one), through the same `Store` every command
//! and the server use, or through the real binary.

mod common;

use std::path::{Path, PathBuf};

use common::pg::{TempDb, server};
use common::{BIN, Run};
use memoire::Kind;
use memoire::auth::Role;
use memoire::fuzzy::{self, Query};
use memoire::store::{Added, NewPair, NewTerm, Store, TermAdded, TermStatus};

/// A memory on one backend, gone at the end of the test.
struct Backend {
    name: &'static str,
    /// What `--db` takes.
    db: PathBuf,
    _dir: tempfile::TempDir,
    _pg: Option<TempDb>,
}

/// A SQLite file, and a PostgreSQL database when there is a server.
fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![Backend {
        name: "sqlite",
        db: dir.path().join("memoire.db"),
        _dir: dir,
        _pg: None,
    }];
    if let Some(server) = server() {
        let pg = TempDb::new(&server);
        all.push(Backend {
            name: "postgres",
            db: PathBuf::from(pg.cli_url()),
            _dir: tempfile::tempdir().unwrap(),
            _pg: Some(pg),
        });
    }
    all
}

fn pair<'a>(source: &'a str, target: &'a str, origin: &'a str) -> NewPair<'a> {
    NewPair {
        source_lang: "fr",
        target_lang: "en",
        source,
        target,
        origin,
        ..NewPair::default()
    }
}

fn import(store: &mut Store, pairs: &[NewPair<'_>]) -> Vec<Added> {
    let mut batch = store.begin_import().unwrap();
    let added = pairs.iter().map(|p| batch.add(p).unwrap()).collect();
    batch.commit().unwrap();
    added
}

fn lookup(store: &Store, text: &str, threshold: u8) -> Vec<(u8, String)> {
    let query = Query {
        text,
        source_lang: "fr",
        target_lang: "en",
        threshold,
        limit: 10,
        exhaustive: false,
    };
    fuzzy::search(store, &query)
        .unwrap()
        .into_iter()
        .map(|m| (m.score, m.pair.target))
        .collect()
}

fn term<'a>(source: &'a str, target: &'a str) -> NewTerm<'a> {
    NewTerm {
        source_lang: "fr",
        target_lang: "en",
        source,
        target,
        origin: "desk.csv",
        ..NewTerm::default()
    }
}

#[test]
fn no_memory_yet_is_an_error_for_readers_and_removers_on_both() {
    for b in backends() {
        for open in [Store::open_read_only, Store::open_existing] {
            let err = open(&b.db).err().unwrap_or_else(|| panic!("{}", b.name));
            assert_eq!(err.kind(), Kind::Input, "{}: {err}", b.name);
            assert!(err.to_string().contains("no memory"), "{}: {err}", b.name);
        }
    }
}

#[test]
fn a_read_only_store_cannot_import_on_both() {
    for b in backends() {
        import(
            &mut Store::open(&b.db).unwrap(),
            &[pair("Bonjour.", "Hello.", "a")],
        );
        let mut reader = Store::open_read_only(&b.db).unwrap();
        let tried = reader
            .begin_import()
            .and_then(|mut batch| batch.add(&pair("Salut.", "Hi.", "b")).map(|_| batch))
            .and_then(|batch| batch.commit());
        assert!(tried.is_err(), "{}: a read-only store imported", b.name);
        assert_eq!(Store::open(&b.db).unwrap().max_pair_id().unwrap(), 1);
    }
}

#[test]
fn a_failing_seed_leaves_no_memory_on_both() {
    for b in backends() {
        let seed = |batch: &mut memoire::store::TermBatch<'_>| {
            batch.add(&term("Conseil fédéral", "Federal Council"))?;
            Err(memoire::Error::new(Kind::Internal, "stop here"))
        };
        assert!(Store::create_or_open(&b.db, Some(&seed)).is_err());
        // Nothing is left that a reader would take for a memory.
        let left = Store::open_read_only(&b.db);
        match left {
            Err(e) => assert!(e.to_string().contains("no memory"), "{}: {e}", b.name),
            Ok(store) => assert_eq!(store.stats().unwrap().term_pairs, 0, "{}", b.name),
        }
        let ok = |batch: &mut memoire::store::TermBatch<'_>| {
            batch
                .add(&term("Conseil fédéral", "Federal Council"))
                .map(drop)
        };
        let store = Store::create_or_open(&b.db, Some(&ok)).unwrap();
        assert!(store.created(), "{}", b.name);
        assert_eq!(store.terms("fr", "en").unwrap().len(), 1, "{}", b.name);
    }
}

#[test]
fn terms_are_added_updated_listed_and_removed_alike_on_both() {
    // A term longer than a PostgreSQL B-tree entry (about 2.7 KB) too.
    let long = "mot ".repeat(1500);
    let mut seen = Vec::new();
    for b in backends() {
        let mut store = Store::open(&b.db).unwrap();
        let mut batch = store.begin_terms().unwrap();
        let mut outcomes = vec![
            batch
                .add(&term("Conseil fédéral", "Federal Council"))
                .unwrap(),
            batch
                .add(&term("Conseil fédéral", "Federal Council"))
                .unwrap(),
            batch
                .add(&NewTerm {
                    status: Some(TermStatus::Forbidden),
                    note: Some("not in news copy"),
                    ..term("Conseil fédéral", "Federal Government")
                })
                .unwrap(),
            batch
                .add(&NewTerm {
                    domain: Some("politics"),
                    ..term("Conseil fédéral", "Federal Council")
                })
                .unwrap(),
            batch.add(&term(long.trim(), "words")).unwrap(),
        ];
        batch.commit().unwrap();
        let mut batch = store.begin_terms().unwrap();
        outcomes.push(
            batch
                .add(&NewTerm {
                    origin: "other.tbx",
                    ..term("ONU", "UN")
                })
                .unwrap(),
        );
        batch.commit().unwrap();
        assert_eq!(
            outcomes,
            [
                TermAdded::New,
                TermAdded::Unchanged,
                TermAdded::New,
                TermAdded::Updated,
                TermAdded::New,
                TermAdded::New
            ],
            "{}",
            b.name
        );
        let listed: Vec<_> = store
            .terms("fr", "en")
            .unwrap()
            .into_iter()
            .map(|t| (t.source, t.target, t.domain, t.note, t.status, t.origin))
            .collect();
        assert_eq!(
            store
                .remove_terms("fr", "en", "Conseil fédéral", Some("Federal Government"))
                .unwrap(),
            1
        );
        assert_eq!(store.remove_terms_from("other.tbx").unwrap(), 1);
        let left = store.terms("fr", "en").unwrap().len();
        seen.push((listed, left));
    }
    assert_eq!(seen[0].1, 2);
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:#?}");
}

#[test]
fn tokens_are_kept_by_hash_and_names_are_unique_on_both() {
    for b in backends() {
        let mut store = Store::open(&b.db).unwrap();
        store.add_user("anne", Role::Translate, "hash-a").unwrap();
        store.add_user("ben", Role::Admin, "hash-b").unwrap();
        let again = store.add_user("anne", Role::Read, "hash-c").unwrap_err();
        assert_eq!(again.kind(), Kind::Input, "{}", b.name);
        let names: Vec<_> = store.users().unwrap().into_iter().map(|u| u.name).collect();
        assert_eq!(names, ["anne", "ben"], "{}", b.name);
        let anne = store.user_by_token_hash("hash-a").unwrap().unwrap();
        assert_eq!((anne.name.as_str(), anne.role), ("anne", Role::Translate));
        assert!(store.user_by_token_hash("hash-c").unwrap().is_none());
        assert!(store.remove_user("anne").unwrap());
        assert!(!store.remove_user("anne").unwrap());
        assert!(
            store.user_by_token_hash("hash-a").unwrap().is_none(),
            "{}",
            b.name
        );
    }
}

#[test]
fn removing_an_import_takes_its_pairs_out_of_the_index_on_both() {
    let mut seen = Vec::new();
    for b in backends() {
        let mut store = Store::open(&b.db).unwrap();
        import(
            &mut store,
            &[
                pair(
                    "Le Conseil fédéral a décidé hier.",
                    "Yesterday.",
                    "keep.csv",
                ),
                pair("Le Conseil fédéral a refusé hier.", "Refused.", "oops.csv"),
            ],
        );
        let before = (
            store.index_epoch().unwrap(),
            store.term_stats(&["refuse", "conseil"]).unwrap(),
        );
        assert_eq!(
            lookup(&store, "Le Conseil fédéral a refusé hier.", 50).len(),
            2
        );
        assert_eq!(store.remove_pairs_from("oops.csv", "fr", "en").unwrap(), 1);
        assert_eq!(store.remove_pairs_from("oops.csv", "fr", "en").unwrap(), 0);
        let after = (
            store.index_epoch().unwrap(),
            store.term_stats(&["refuse", "conseil"]).unwrap(),
        );
        assert_eq!(
            after.0,
            before.0 + 1,
            "{}: the epoch tells warm indexes",
            b.name
        );
        let found = lookup(&store, "Le Conseil fédéral a refusé hier.", 50);
        assert_eq!(found.len(), 1, "{}: {found:?}", b.name);
        let stats = store.stats().unwrap();
        seen.push((
            before.1,
            after.1,
            found,
            stats.language_pairs,
            stats.origins.len(),
        ));
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:#?}");
}

#[test]
fn a_warm_index_sees_learns_and_removals_made_through_another_connection_on_both() {
    for b in backends() {
        let mut writer = Store::open(&b.db).unwrap();
        import(
            &mut writer,
            &[pair("Le Conseil fédéral a décidé.", "Decided.", "a.csv")],
        );
        let reader = Store::open_read_only(&b.db).unwrap();
        let warm = fuzzy::warm::WarmIndex::load(&reader).unwrap();
        let query = Query {
            text: "Le Conseil fédéral a refusé.",
            source_lang: "fr",
            target_lang: "en",
            threshold: 50,
            limit: 10,
            exhaustive: false,
        };
        let targets = |warm: &fuzzy::warm::WarmIndex| -> Vec<String> {
            let mut t: Vec<String> = warm
                .search(&reader, &query)
                .unwrap()
                .into_iter()
                .map(|m| m.pair.target)
                .collect();
            t.sort();
            t
        };
        assert_eq!(targets(&warm), ["Decided."], "{}", b.name);
        import(
            &mut writer,
            &[pair("Le Conseil fédéral a refusé.", "Refused.", "b.csv")],
        );
        assert_eq!(targets(&warm), ["Decided.", "Refused."], "{}", b.name);
        writer.remove_pairs_from("a.csv", "fr", "en").unwrap();
        assert_eq!(targets(&warm), ["Refused."], "{}", b.name);
    }
}

/// Searches from several threads share one warm index while pairs are
/// learnt: one of them reads what is new, the others wait for it, and
/// every search that starts after a learn has committed finds the new pair
/// (a near match of it, through the index, not the exact key).
#[test]
fn every_search_after_a_learn_finds_it_when_many_share_a_warm_index_on_both() {
    for b in backends() {
        let mut writer = Store::open(&b.db).unwrap();
        import(
            &mut writer,
            &[pair("Le Conseil fédéral siège à Berne.", "Bern.", "a")],
        );
        let warm = std::sync::Arc::new(
            fuzzy::warm::WarmIndex::load(&Store::open_read_only(&b.db).unwrap()).unwrap(),
        );
        let threads = 4;
        let round = std::sync::Arc::new(std::sync::Barrier::new(threads + 1));
        let readers: Vec<_> = (0..threads)
            .map(|_| {
                let (warm, round, db) = (warm.clone(), round.clone(), b.db.clone());
                std::thread::spawn(move || {
                    let reader = Store::open_read_only(&db).unwrap();
                    let mut missed = Vec::new();
                    for k in 0..12 {
                        round.wait(); // pair k is committed
                        let text = format!("La commune numéro {k} a voté oui dimanche matin.");
                        let query = Query {
                            text: &text,
                            source_lang: "fr",
                            target_lang: "en",
                            threshold: 75,
                            limit: 5,
                            exhaustive: false,
                        };
                        let found = warm.search(&reader, &query).unwrap();
                        if !found
                            .iter()
                            .any(|m| m.pair.target == format!("Commune {k}."))
                        {
                            missed.push(k);
                        }
                        round.wait(); // all have searched
                    }
                    missed
                })
            })
            .collect();
        for k in 0..12 {
            let source = format!("La commune numéro {k} a voté oui dimanche.");
            let target = format!("Commune {k}.");
            import(&mut writer, &[pair(&source, &target, "b")]);
            round.wait();
            round.wait();
        }
        for reader in readers {
            assert_eq!(reader.join().unwrap(), Vec::<usize>::new(), "{}", b.name);
        }
    }
}

/// Adversary's finding (issue 14): a search whose snapshot is older than
/// the warm index (another search brought it up to date with a newer
/// learn meanwhile) scored the newer pair from the sources held in memory:
/// it raised the floor above the older pair, then was not found in the
/// snapshot, and the lookup came back empty. It must find the pair its
/// snapshot holds.
#[test]
fn a_search_on_an_older_snapshot_finds_what_that_snapshot_holds_on_both() {
    for b in backends() {
        let mut writer = Store::open(&b.db).unwrap();
        let query_text = "un deux trois quatre cinq six sept huit neuf dix";
        import(
            &mut writer,
            &[pair(
                "un deux trois quatre cinq six sept huit onze douze",
                "Older.",
                "a",
            )],
        );
        let (old, new) = (
            Store::open_read_only(&b.db).unwrap(),
            Store::open_read_only(&b.db).unwrap(),
        );
        let warm = fuzzy::warm::WarmIndex::load(&old).unwrap();
        let query = Query {
            text: query_text,
            source_lang: "fr",
            target_lang: "en",
            threshold: 50,
            limit: 1,
            exhaustive: false,
        };
        let targets = |store: &Store| -> Vec<String> {
            warm.search(store, &query)
                .unwrap()
                .into_iter()
                .map(|m| m.pair.target)
                .collect()
        };
        let mut seen = Vec::new();
        old.in_read_transaction(|| {
            seen.push(targets(&old)); // the snapshot starts here
            // A closer pair is learnt, and another search puts it in.
            import(
                &mut writer,
                &[pair(
                    "un deux trois quatre cinq six sept huit neuf douze",
                    "Newer.",
                    "b",
                )],
            );
            seen.push(targets(&new));
            seen.push(targets(&old));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            [vec!["Older."], vec!["Newer."], vec!["Older."]],
            "{}",
            b.name
        );
    }
}

#[test]
fn a_warm_index_keeps_the_stores_term_statistics_through_learns_and_removals_on_both() {
    for b in backends() {
        let mut writer = Store::open(&b.db).unwrap();
        import(
            &mut writer,
            &[
                pair("Le Conseil fédéral a décidé.", "Decided.", "a.csv"),
                pair("...", "...", "a.csv"),
            ],
        );
        let reader = Store::open_read_only(&b.db).unwrap();
        let warm = fuzzy::warm::WarmIndex::load(&reader).unwrap();
        // The index's terms are folded words: taken from the index's own
        // reading of these.
        let text = "Le Conseil fédéral a décidé refusé Tessin jamais";
        let segment = fuzzy::Segment::new(text);
        let mut words: Vec<&str> = segment.terms().collect();
        assert_eq!(words.len(), 8);
        words.insert(0, "");
        let same = |when: &str| {
            let stored = reader.term_stats(&words).unwrap();
            assert_eq!(
                warm.term_stats(&reader, &words).unwrap(),
                stored,
                "{} {when}",
                b.name
            );
            stored
        };
        let loaded = same("after loading");
        assert!(loaded[6].is_none(), "{}: {loaded:?}", b.name);
        // New words, and more of the known ones, learnt elsewhere.
        import(
            &mut writer,
            &[
                pair("Le Conseil fédéral a refusé.", "Refused.", "b.csv"),
                pair("Le Tessin a refusé.", "Ticino refused.", "b.csv"),
            ],
        );
        let learnt = same("after learns");
        assert_eq!(learnt[6].map(|(_, df)| df), Some(2), "{}", b.name);
        writer.remove_pairs_from("a.csv", "fr", "en").unwrap();
        let removed = same("after a removal");
        assert_eq!(removed[5].map_or(0, |(_, df)| df), 0, "{}", b.name);
    }
}

#[test]
fn a_read_transaction_keeps_its_snapshot_on_both() {
    for b in backends() {
        let mut writer = Store::open(&b.db).unwrap();
        import(&mut writer, &[pair("Bonjour.", "Hello.", "a")]);
        let reader = Store::open_read_only(&b.db).unwrap();
        let (inside, during) = reader
            .in_read_transaction(|| {
                let first = reader.max_pair_id()?;
                // Another connection commits meanwhile.
                let mut other = Store::open(&b.db).unwrap();
                import(&mut other, &[pair("Salut.", "Hi.", "b")]);
                Ok((first, reader.max_pair_id()?))
            })
            .unwrap();
        assert_eq!(inside, during, "{}: one snapshot", b.name);
        assert_eq!(
            reader.max_pair_id().unwrap(),
            2,
            "{}: the next one sees it",
            b.name
        );
    }
}

/// Run the binary on `db` (no MEMOIRE_DB leaking in, no shipped glossary
/// unless asked).
fn memoire(db: &Path, args: &[&str]) -> Run {
    Run::from(
        std::process::Command::new(BIN)
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("MEMOIRE_DB")
            .output()
            .expect("run memoire"),
    )
}

/// What differs between backends by nature: dates, the database's name
/// and size, the schema version.
fn normalised(text: &str, db: &Path) -> String {
    let shown = memoire::store::shown(db);
    without_dates(&text.replace(&shown, "DB").replace("'DB'", "DB"))
        .lines()
        .map(|l| {
            if l.starts_with("database ") {
                "database DB".to_string()
            } else if let Some((head, tail)) = l.split_once("schema version ") {
                let rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
                format!("{head}schema version N{rest}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Dates and times (`2026-12-02T14:11:26Z`, `20261202T141126Z`,
/// `2026-12-02`) replaced by `DATE`.
fn without_dates(text: &str) -> String {
    let bytes: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let dashed = i + 10 <= bytes.len()
            && bytes[i..i + 10].iter().enumerate().all(|(k, c)| {
                if k == 4 || k == 7 {
                    *c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if dashed {
            let mut end = i + 10;
            if end < bytes.len() && bytes[end] == 'T' {
                end += 1;
                while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == ':') {
                    end += 1;
                }
                if end < bytes.len() && bytes[end] == 'Z' {
                    end += 1;
                }
            }
            out.push_str("DATE");
            i = end;
        } else if digits == 8 && bytes.get(i + 8) == Some(&'T') {
            let mut end = i + 9;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if bytes.get(end) == Some(&'Z') {
                end += 1;
            }
            out.push_str("DATE");
            i = end;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn every_command_gives_the_same_answers_on_both() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.xlf");
    let draft = draft.to_str().unwrap();
    let memory = common::example("memory-fr-en.csv");
    let article = common::example("article-fr.txt");
    let (memory, article) = (memory.to_str().unwrap(), article.to_str().unwrap());
    let steps: Vec<Vec<&str>> = vec![
        vec!["import", memory],
        vec!["stats"],
        vec![
            "lookup",
            "--threshold",
            "50",
            "--json",
            "Le Conseil fédéral a reçu mardi à Berne le président du Kazakhstan, Kassym-Jomart Tokaïev, pour une visite de trois jours.",
        ],
        vec!["concordance", "Conseil"],
        vec!["term", "add", "Tokaïev", "Tokayev"],
        vec!["term", "list"],
        vec!["pretranslate", article, "--format", "text"],
        vec!["analyze", article],
        vec!["pretranslate", article, "-o", draft],
        vec!["import", draft],
        vec!["export", "--format", "tmx"],
        vec!["remove", "--origin", "memory-fr-en.csv"],
        vec!["export"],
        vec!["token", "add", "anne", "--role", "read"],
        vec!["token", "list"],
        vec!["upgrade"],
    ];
    let mut transcripts = Vec::new();
    for b in backends() {
        let mut transcript = Vec::new();
        for step in &steps {
            let run = memoire(&b.db, step);
            let mut out = format!(
                "$ {}\n{}\n{}\nexit {}",
                step.join(" "),
                normalised(&run.stdout, &b.db),
                normalised(&run.stderr, &b.db),
                run.code
            );
            // A token is random; its line is not compared.
            if step.starts_with(&["token", "add"]) {
                out = out
                    .lines()
                    .filter(|l| !l.contains("mem_"))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            transcript.push(out);
        }
        transcripts.push((b.name, transcript));
    }
    let (_, sqlite) = &transcripts[0];
    for step in sqlite {
        assert!(step.ends_with("exit 0"), "{step}");
    }
    for (name, other) in &transcripts[1..] {
        for (a, b) in sqlite.iter().zip(other) {
            assert_eq!(a, b, "sqlite and {name} differ");
        }
    }
}

/// Everything a memory shows, as the commands print it: pairs (TMX and
/// CSV), glossary (TBX), tokens, counts.
fn everything(db: &Path) -> Vec<String> {
    [
        vec!["export", "--format", "tmx"],
        vec!["export"],
        vec!["term", "export", "--format", "tbx"],
        vec!["token", "list"],
        vec!["stats"],
    ]
    .iter()
    .map(|args| {
        let run = memoire(db, args);
        assert_eq!(run.code, 0, "{args:?} on {}: {}", db.display(), run.stderr);
        // The database's own line aside (name, size, schema version).
        normalised(&run.stdout, db)
    })
    .collect()
}

#[test]
fn migrate_there_and_back_keeps_everything() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.db");
    let pg = TempDb::new(&server);
    let pg_db = PathBuf::from(pg.cli_url());
    let back = dir.path().join("back.db");
    let draft = dir.path().join("draft.xlf");
    let extra = dir.path().join("extra.csv");
    std::fs::write(&extra, "fr,en\nUne ligne de trop.,One line too many.\n").unwrap();
    let memory = common::example("memory-fr-en.csv");
    let codes = common::test_data("inline-codes.tmx");
    let article = common::example("article-fr.txt");
    let p = |p: &Path| p.to_str().unwrap().to_string();
    // Pairs with codes, context, notes and authors, a gap in the ids,
    // terms and tokens.
    for args in [
        vec!["import".to_string(), p(&memory)],
        vec!["import".into(), p(&extra)],
        vec!["import".into(), p(&codes)],
        vec!["pretranslate".into(), p(&article), "-o".into(), p(&draft)],
        vec!["import".into(), p(&draft)],
        vec!["remove".into(), "--origin".into(), "extra.csv".into()],
        vec![
            "term".into(),
            "add".into(),
            "Tokaïev".into(),
            "Tokayev".into(),
        ],
        vec![
            "token".into(),
            "add".into(),
            "anne".into(),
            "--role".into(),
            "translate".into(),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = memoire(&file, &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let token = memoire(&file, &["token", "add", "ben", "--role", "read"]);
    let token = token.stdout.trim().to_string();
    assert!(token.starts_with("mem_"), "{token}");
    let original = everything(&file);
    assert!(
        original[0].contains("<bpt"),
        "inline codes are in the export"
    );
    for (from, to) in [(&file, &pg_db), (&pg_db, &back)] {
        let run = Run::from(
            std::process::Command::new(BIN)
                .args(["migrate", "--from"])
                .arg(from)
                .arg("--to")
                .arg(to)
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("2 tokens copied"), "{}", run.stderr);
        let copied = everything(to);
        for (a, b) in original.iter().zip(&copied) {
            assert_eq!(a, b, "{} → {}", from.display(), to.display());
        }
    }
    // The token made on the file opens the server's door on PostgreSQL.
    let store = Store::open_read_only(&pg_db).unwrap();
    let user = store
        .user_by_token_hash(&memoire::auth::token_hash(&token))
        .unwrap()
        .expect("ben's token works after the migration");
    assert_eq!((user.name.as_str(), user.role), ("ben", Role::Read));
    // Lookups give the same matches.
    let sentence = "Le Conseil fédéral a reçu mardi à Berne le président du Kazakhstan.";
    let scores = |db: &Path| -> Vec<(u8, String)> {
        lookup(&Store::open_read_only(db).unwrap(), sentence, 50)
    };
    assert!(!scores(&file).is_empty());
    assert_eq!(scores(&file), scores(&pg_db));
    assert_eq!(scores(&file), scores(&back));
}

#[test]
fn migrate_refuses_a_destination_that_holds_anything_and_leaves_it_alone() {
    for b in backends() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source.db");
        import(
            &mut Store::open(&source).unwrap(),
            &[pair("Bonjour.", "Hello.", "a")],
        );
        let mut dest = Store::open(&b.db).unwrap();
        dest.add_user("zoe", Role::Admin, "hash-z").unwrap();
        drop(dest);
        let err = memoire::migrate::migrate(
            &Store::open_read_only(&source).unwrap(),
            &mut Store::open(&b.db).unwrap(),
        )
        .unwrap_err();
        assert_eq!(err.kind(), Kind::Input, "{}: {err}", b.name);
        assert!(err.to_string().contains("not empty"), "{err}");
        let dest = Store::open_read_only(&b.db).unwrap();
        assert_eq!(dest.max_pair_id().unwrap(), 0, "{}", b.name);
        assert_eq!(dest.users().unwrap().len(), 1);
        // The same memory as source and destination is refused too.
        let same = Run::from(
            std::process::Command::new(BIN)
                .args(["migrate", "--from"])
                .arg(&b.db)
                .arg("--to")
                .arg(&b.db)
                .output()
                .unwrap(),
        );
        assert_eq!(same.code, 2, "{}: {}", b.name, same.stderr);
    }
}

#[test]
fn a_migration_stopped_by_ctrl_c_removes_the_file_it_made() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("big.db");
    let csv = dir.path().join("big.csv");
    std::fs::write(&csv, common::generated_csv("int", 30_000)).unwrap();
    assert_eq!(memoire(&source, &["import", csv.to_str().unwrap()]).code, 0);
    let dest = dir.path().join("copy.db");
    let child = std::process::Command::new(BIN)
        .args(["migrate", "--from"])
        .arg(&source)
        .arg("--to")
        .arg(&dest)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !std::fs::metadata(&dest).is_ok_and(|m| m.len() > 0) && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::thread::sleep(std::time::Duration::from_millis(30));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dest.exists(), "the file the migration made is still there");
}

#[test]
fn a_migration_killed_midway_leaves_the_destination_empty() {
    // Big enough that the copy is still running when it is killed.
    let rows = 30_000;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("big.db");
    let csv = dir.path().join("big.csv");
    std::fs::write(&csv, common::generated_csv("kill", rows)).unwrap();
    let run = memoire(&source, &["import", csv.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for b in backends() {
        let mut child = std::process::Command::new(BIN)
            .args(["migrate", "--from"])
            .arg(&source)
            .arg("--to")
            .arg(&b.db)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Until the destination exists and the copy has begun.
        let started = std::time::Instant::now();
        loop {
            std::thread::sleep(std::time::Duration::from_millis(10));
            let busy = match &b._pg {
                Some(pg) => pg
                    .client()
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity
                         WHERE datname = current_database() AND xact_start IS NOT NULL
                           AND pid <> pg_backend_pid()",
                        &[],
                    )
                    .map(|r| r.get::<_, i64>(0) > 0)
                    .unwrap_or(false),
                None => std::fs::metadata(&b.db).is_ok_and(|m| m.len() > 0),
            };
            if busy || started.elapsed().as_secs() > 60 {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(30));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!finished, "{}: the migration ended before the kill", b.name);
        // Nothing of the copy is there, and a new migration works.
        if let Ok(dest) = Store::open_read_only(&b.db) {
            assert_eq!(dest.max_pair_id().unwrap_or(0), 0, "{}", b.name);
            assert_eq!(dest.stats().unwrap().term_pairs, 0, "{}", b.name);
        }
        let again = Run::from(
            std::process::Command::new(BIN)
                .args(["migrate", "--from"])
                .arg(&source)
                .arg("--to")
                .arg(&b.db)
                .output()
                .unwrap(),
        );
        assert_eq!(again.code, 0, "{}: {}", b.name, again.stderr);
        assert!(
            again.stderr.contains(&format!("{rows} pairs")),
            "{}: {}",
            b.name,
            again.stderr
        );
    }
}

#[test]
fn imports_take_turns_and_lookups_never_wait_for_them_on_both() {
    for b in backends() {
        import(
            &mut Store::open(&b.db).unwrap(),
            &[pair("Bonjour.", "Hello.", "a")],
        );
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
        let db = b.db.clone();
        // A holds an import open with one pair added.
        let first = std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            let mut batch = store.begin_import().unwrap();
            batch.add(&pair("Salut.", "Hi.", "first")).unwrap();
            started_tx.send(()).unwrap();
            commit_rx.recv().unwrap();
            batch.commit().unwrap();
        });
        started_rx.recv().unwrap();
        // A lookup meanwhile answers at once, without the uncommitted pair.
        let t = std::time::Instant::now();
        let reader = Store::open_read_only(&b.db).unwrap();
        assert_eq!(reader.exact("fr", "en", "Bonjour.").unwrap().len(), 1);
        assert!(reader.exact("fr", "en", "Salut.").unwrap().is_empty());
        assert!(t.elapsed().as_secs() < 5, "{}: the lookup waited", b.name);
        drop(reader);
        // A second import waits for the first, then finds its pair.
        let db = b.db.clone();
        let second = std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            let mut batch = store.begin_import().unwrap();
            let added = batch.add(&pair("Salut.", "Hi.", "second")).unwrap();
            batch.commit().unwrap();
            added
        });
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert!(
            !second.is_finished(),
            "{}: the second import did not wait",
            b.name
        );
        commit_tx.send(()).unwrap();
        first.join().unwrap();
        assert_eq!(second.join().unwrap(), Added::Duplicate, "{}", b.name);
    }
}

#[test]
fn an_unreachable_postgres_server_fails_the_command_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://anne:s3cret@/desk?host={}&port=5432&connect_timeout=2",
        dir.path().display()
    );
    for args in [vec!["lookup", "Bonjour."], vec!["stats"]] {
        let run = memoire(Path::new(&url), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("cannot connect"), "{}", run.stderr);
        assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
    }
}

#[test]
fn a_db_that_is_neither_a_path_nor_a_postgres_url_is_refused() {
    // New user's report: libpq's key=value string and a misspelt scheme
    // were taken for file names ("no memory here yet").
    for db in [
        "host=/tmp/pg port=5432 user=postgres",
        "dbname=desk",
        "postgress://memoire@db/desk",
        "mysql://memoire@db/desk",
    ] {
        let run = memoire(Path::new(db), &["stats"]);
        assert_eq!(run.code, 2, "{db}: {}", run.stderr);
        assert!(
            run.stderr.contains("--db takes a file path or a URL"),
            "{db}: {}",
            run.stderr
        );
    }
    let run = memoire(
        Path::new("postgresql://anne@/desk?host=/nonexistent&sslmode=require"),
        &["stats"],
    );
    // (TLS is supported now, over TCP; a socket has none to offer.)
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("Unix socket"), "{}", run.stderr);
}

#[test]
fn read_db_is_refused_unless_both_memories_are_in_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.db");
    let memory = common::example("memory-fr-en.csv");
    assert_eq!(
        memoire(&file, &["import", memory.to_str().unwrap()]).code,
        0
    );
    let url = "postgresql://postgres@/desk?host=/nonexistent";
    for (db, read) in [(file.to_str().unwrap(), url), (url, file.to_str().unwrap())] {
        let run = memoire(
            Path::new(db),
            &["serve", "--listen", "127.0.0.1:0", "--read-db", read],
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("--read-db is for a memory in PostgreSQL"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn token_add_suggests_a_serve_command_a_shell_can_run() {
    let Some(server) = server() else { return };
    let pg = TempDb::new(&server);
    let db = PathBuf::from(pg.cli_url());
    let run = memoire(&db, &["token", "add", "anne", "--role", "read"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The URL has & and ?: quoted.
    let suggested = run.stderr.split("serve this memory with `").nth(1).unwrap();
    let command = suggested.split('`').next().unwrap();
    assert!(command.starts_with("memoire --db '"), "{command}");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -- {}; echo \"$3\"",
            &command["memoire ".len()..]
        ))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "serve",
        "{command}"
    );
}

#[test]
fn a_long_origin_is_imported_and_removed_on_both() {
    // Adversary, issue 14: an origin of several KB broke PostgreSQL's
    // B-tree index on origins.
    let origin = "o".repeat(4_000) + "x";
    for b in backends() {
        let mut store = Store::open(&b.db).unwrap();
        let added = import(&mut store, &[pair("Bonjour.", "Hello.", &origin)]);
        assert_eq!(added, [Added::New], "{}", b.name);
        assert_eq!(
            store.remove_pairs_from(&origin, "fr", "en").unwrap(),
            1,
            "{}",
            b.name
        );
    }
}

#[test]
fn two_migrations_into_one_new_memory_do_not_merge() {
    // Adversary, issue 14: the destination was checked before the write
    // lock was taken; two migrations at once both found it empty.
    let dir = tempfile::tempdir().unwrap();
    let sources: Vec<PathBuf> = (0..2)
        .map(|k| {
            let path = dir.path().join(format!("s{k}.db"));
            let mut store = Store::open(&path).unwrap();
            let rows: Vec<(String, String)> = (0..3_000)
                .map(|i| {
                    (
                        format!("Phrase {k} numéro {i}."),
                        format!("Sentence {k}/{i}."),
                    )
                })
                .collect();
            let pairs: Vec<NewPair<'_>> =
                rows.iter().map(|(s, t)| pair(s, t, "seed.csv")).collect();
            import(&mut store, &pairs);
            path
        })
        .collect();
    for b in backends() {
        let runs: Vec<_> = sources
            .iter()
            .map(|source| {
                std::process::Command::new(BIN)
                    .args(["migrate", "--from"])
                    .arg(source)
                    .arg("--to")
                    .arg(&b.db)
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let codes: Vec<i32> = runs
            .into_iter()
            .map(|c| c.wait_with_output().unwrap().status.code().unwrap_or(-1))
            .collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 2], "{}: exit statuses {codes:?}", b.name);
        let stats = Store::open_read_only(&b.db).unwrap().stats().unwrap();
        let pairs: i64 = stats.language_pairs.iter().map(|l| l.pairs).sum();
        assert_eq!(pairs, 3_000, "{}: one memory, not two", b.name);
    }
}

#[test]
fn a_lookup_with_a_nul_finds_nothing_and_does_not_fail_on_both() {
    for b in backends() {
        let mut store = Store::open(&b.db).unwrap();
        import(
            &mut store,
            &[pair("Le Conseil a décidé.", "The Council decided.", "a")],
        );
        assert!(
            store.exact("fr", "en", "Le\0Conseil").unwrap().is_empty(),
            "{}",
            b.name
        );
        let found = lookup(&store, "Le Conseil a\0 décidé.", 50);
        assert!(found.iter().all(|(s, _)| *s < 100), "{}: {found:?}", b.name);
    }
}

#[test]
fn a_memory_reached_over_the_network_without_tls_is_said_to_be() {
    // TLS adversary: nothing told a desk that its connection (no sslmode,
    // or libpq's `prefer`, which memoire does not try TLS for) was
    // plaintext. No server is needed: the note comes before connecting.
    let remote = memoire(
        Path::new("postgres://anne@db.invalid/desk?sslmode=prefer&connect_timeout=1"),
        &["stats"],
    );
    assert_ne!(remote.code, 0);
    assert!(
        remote
            .stderr
            .contains("the connection to db.invalid is not encrypted"),
        "{}",
        remote.stderr
    );
    let local = memoire(
        Path::new("postgres://anne@127.0.0.1:9/desk?connect_timeout=1"),
        &["stats"],
    );
    assert!(!local.stderr.contains("not encrypted"), "{}", local.stderr);
}
