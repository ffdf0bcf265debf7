//! The PostgreSQL backend against a real server (issue 14).
//!
//! `MEMOIRE_TEST_POSTGRES` is a connection string to a server where the
//! tests may create and drop databases; `.ci/run` starts a throw-away
//! cluster for them (`tests/tools/pg-cluster.sh`). Without it the tests
//! are skipped, unless `CI` is set: then they fail.

mod common;

use common::pg::{TempDb, server};
use memoire::Kind;
use memoire::store::postgres::{PgStore, SCHEMA_VERSION};

/// Sentences over a small vocabulary, so that pairs share words, differ
/// in case or accents, numbers and punctuation (both test modules).
fn sentence(words: std::ops::Range<usize>) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let word = prop::sample::select(vec![
        "Le",
        "le",
        "Conseil",
        "fédéral",
        "federal",
        "a",
        "décidé",
        "refusé",
        "hier",
        "12",
        "13",
        ",",
        ".",
        "«",
        "»",
        "l’État",
        "l'Etat",
        "de",
        "la",
        "loi",
    ]);
    prop::collection::vec(word, words).prop_map(|w| w.join(" "))
}

#[test]
fn first_use_creates_the_schema_and_the_next_connection_finds_it() {
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    let first = PgStore::connect(&db.url()).expect("first connection");
    assert!(first.created());
    assert_eq!(first.schema_version().unwrap(), SCHEMA_VERSION);
    let second = PgStore::connect(&db.url()).expect("second connection");
    assert!(!second.created());
    assert_eq!(second.upgraded_from(), None);
    assert_eq!(second.schema_version().unwrap(), SCHEMA_VERSION);
    // The tables the SQLite file has are there.
    let tables: Vec<String> = db
        .client()
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for table in [
        "api_token",
        "fuzzy_doc",
        "fuzzy_posting",
        "fuzzy_term",
        "index_epoch",
        "memoire_schema",
        "segment_pair",
        "term_pair",
    ] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
}

#[test]
fn a_database_with_other_tables_is_refused_and_left_alone() {
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    db.client()
        .batch_execute("CREATE TABLE invoices (id integer)")
        .unwrap();
    let err = PgStore::connect(&db.url()).err().expect("refused");
    assert_eq!(err.kind(), Kind::Corrupt);
    assert!(err.to_string().contains("did not make"), "{err}");
    let memoire_tables: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('memoire_schema', 'segment_pair')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(memoire_tables, 0, "nothing was created");
}

#[test]
fn a_schema_written_by_a_newer_memoire_is_refused() {
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    PgStore::connect(&db.url()).expect("create");
    db.client()
        .execute(
            "UPDATE memoire_schema SET version = $1",
            &[&(SCHEMA_VERSION as i32 + 1)],
        )
        .unwrap();
    let err = PgStore::connect(&db.url()).err().expect("refused");
    assert_eq!(err.kind(), Kind::NewerSchema);
}

#[test]
fn servers_starting_together_create_the_schema_once() {
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    let url = db.url();
    let created: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| PgStore::connect(&url).expect("connect").created()))
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum()
    });
    assert_eq!(created, 1, "one connection created the schema");
    let rows: i64 = db
        .client()
        .query_one("SELECT count(*) FROM memoire_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}

#[test]
fn an_unreachable_server_is_unavailable_without_the_password() {
    // No server needed: nothing listens on this socket folder.
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "host={} port=5432 user=anne password=s3cret dbname=desk connect_timeout=2",
        dir.path().display()
    );
    let err = PgStore::connect(&url).err().expect("no server");
    assert_eq!(err.kind(), Kind::Unavailable);
    let message = format!("{err}");
    assert!(message.contains("cannot connect"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

#[test]
fn the_servers_refusal_is_said_once() {
    // New user: "database "nodb" does not exist: db error: FATAL: database
    // "nodb" does not exist".
    let Some(server) = server() else {
        return;
    };
    let err = PgStore::connect(&format!("{server} dbname=memoire_no_such_db"))
        .err()
        .expect("no such database");
    // The whole chain, as the command line prints it.
    let mut message = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        message.push_str(&format!(": {c}"));
        cause = c.source();
    }
    assert_eq!(message.matches("does not exist").count(), 1, "{message}");
}

mod parity {
    //! The same imports into both backends give the same outcomes, the
    //! same pairs and the same fuzzy index (issue 14: "one test body, two
    //! backends" starts here).
    use super::*;
    use memoire::store::{Added, NewPair, Store};
    use proptest::prelude::*;

    /// A pair to import: source, target, origin, context, replace.
    type Row = (String, String, &'static str, Option<String>, bool);

    fn rows() -> impl Strategy<Value = Vec<Row>> {
        prop::collection::vec(
            (
                sentence(1..7),
                sentence(1..7),
                prop::sample::select(vec!["a.csv", "b.tmx"]),
                prop::option::of(sentence(1..7)),
                any::<bool>(),
            ),
            1..25,
        )
    }

    fn new_pair<'a>(row: &'a Row) -> NewPair<'a> {
        NewPair {
            source_lang: "fr",
            target_lang: "en",
            source: &row.0,
            target: &row.1,
            origin: row.2,
            prev_source: row.3.as_deref(),
            created_at: Some("2026-12-02T10:00:00Z"),
            replace_same_origin: row.4,
            ..NewPair::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn imports_give_the_same_pairs_and_index_on_both_backends(batches in prop::collection::vec(rows(), 1..3)) {
            let Some(server) = server() else { return Ok(()) };
            same_on_both(&server, &batches)?;
        }
    }

    /// Imports large enough for the PostgreSQL import's bulk path (stored
    /// hashes and terms read once, rows copied in), with duplicates within
    /// and across imports, alternatives, context and replacements.
    #[test]
    fn large_imports_give_the_same_pairs_and_index_on_both_backends() {
        let Some(server) = server() else { return };
        let words = [
            "Le",
            "le",
            "Conseil",
            "fédéral",
            "a",
            "décidé",
            "refusé",
            "hier",
            "12",
            "13",
            ",",
            "l’État",
            "de",
            "la",
            "loi",
            "canton",
            "Berne",
            "Genève",
            "vote",
            "budget",
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let sentence = |next: &mut dyn FnMut(u64) -> u64| {
            let n = 1 + next(5);
            (0..n)
                .map(|_| words[next(words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let batches: Vec<Vec<Row>> = [2_500, 3_000]
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|_| {
                        let source = sentence(&mut next);
                        let target = sentence(&mut next);
                        let origin = if next(2) == 0 { "a.csv" } else { "b.tmx" };
                        let context = (next(4) == 0).then(|| sentence(&mut next));
                        (source, target, origin, context, next(8) == 0)
                    })
                    .collect()
            })
            .collect();
        same_on_both(&server, &batches).unwrap();
    }

    /// Import `batches` into a new SQLite file and a new PostgreSQL
    /// database, one import each, and compare everything.
    fn same_on_both(server: &str, batches: &[Vec<Row>]) -> Result<(), TestCaseError> {
        let db = TempDb::new(server);
        let mut pg = PgStore::connect(&db.url()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut lite = Store::open(&dir.path().join("m.db")).unwrap();
        for rows in batches {
            let mut a = lite.begin_import().unwrap();
            let mut b = pg.begin_import().unwrap();
            for row in rows {
                let (x, y): (Added, Added) = (
                    a.add(&new_pair(row)).unwrap(),
                    b.add(&new_pair(row)).unwrap(),
                );
                prop_assert_eq!(x, y, "{:?}", row);
            }
            a.commit().unwrap();
            b.commit().unwrap();
        }
        prop_assert_eq!(lite.max_pair_id().unwrap(), pg.max_pair_id().unwrap());
        let mut sources: Vec<&str> = batches.iter().flatten().map(|r| r.0.as_str()).collect();
        sources.sort_unstable();
        sources.dedup();
        for source in sources {
            let (mut x, mut y) = (
                lite.exact("fr", "en", source).unwrap(),
                pg.exact("fr", "en", source).unwrap(),
            );
            // Changed pairs get the transaction's time: not compared.
            for p in x.iter_mut().chain(y.iter_mut()) {
                p.changed_at.clear();
            }
            prop_assert_eq!(x, y);
        }
        for id in 1..=lite.max_pair_id().unwrap() {
            prop_assert_eq!(lite.pair_terms(id).unwrap(), pg.pair_terms(id).unwrap());
        }
        let mut terms: Vec<String> = batches
            .iter()
            .flatten()
            .flat_map(|r| memoire::fuzzy::index_terms(&r.0))
            .chain([String::new()])
            .collect();
        terms.sort();
        terms.dedup();
        let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
        let (x, y) = (
            lite.term_stats(&terms).unwrap(),
            pg.term_stats(&terms).unwrap(),
        );
        prop_assert_eq!(&x, &y);
        for (id, _) in x.into_iter().flatten() {
            for words in 0..8 {
                let (mut p, mut q) = (
                    lite.postings(id, words).unwrap(),
                    pg.postings(id, words).unwrap(),
                );
                p.sort_unstable();
                q.sort_unstable();
                prop_assert_eq!(p, q);
            }
        }
        Ok(())
    }

    /// A bulk import leaves the planner statistics of the tables it
    /// filled (without them a lookup by key may scan the whole table).
    #[test]
    fn a_large_import_gathers_the_planner_statistics() {
        let Some(server) = server() else { return };
        let db = TempDb::new(&server);
        let mut pg = PgStore::connect(&db.url()).unwrap();
        let mut batch = pg.begin_import().unwrap();
        for k in 0..10_000 {
            let row: Row = (
                format!("Phrase numéro {k} du lot."),
                format!("Sentence {k}."),
                "a.csv",
                None,
                false,
            );
            batch.add(&new_pair(&row)).unwrap();
        }
        batch.commit().unwrap();
        let analysed: i64 = db
            .client()
            .query_one(
                // pg_stats is in the catalog: written by the commit itself.
                "SELECT count(DISTINCT tablename) FROM pg_stats
                 WHERE tablename IN ('segment_pair', 'fuzzy_term', 'fuzzy_posting', 'fuzzy_doc')",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(analysed, 4);
    }

    /// Review of issue 14: a token too long for a B-tree entry (a long
    /// URL, base64) is stored and found like any other.
    #[test]
    fn a_very_long_token_is_indexed_and_found() {
        let Some(server) = server() else { return };
        let db = TempDb::new(&server);
        let mut pg = PgStore::connect(&db.url()).unwrap();
        // Letters at random: compression cannot bring it under the limit.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let token: String = (0..12_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'a' + (x % 26) as u8)
            })
            .collect();
        let source = format!("Le jeton {token} est joint.");
        let row: Row = (
            source.clone(),
            "The token is attached.".into(),
            "a.csv",
            None,
            false,
        );
        let mut batch = pg.begin_import().unwrap();
        assert_eq!(batch.add(&new_pair(&row)).unwrap(), Added::New);
        batch.commit().unwrap();
        assert_eq!(pg.exact("fr", "en", &source).unwrap().len(), 1);
        let stats = pg.term_stats(&[token.as_str()]).unwrap();
        assert_eq!(stats[0].map(|(_, df)| df), Some(1));
    }

    #[test]
    fn an_import_dropped_before_its_commit_leaves_nothing() {
        let Some(server) = server() else { return };
        let db = TempDb::new(&server);
        let mut pg = PgStore::connect(&db.url()).unwrap();
        {
            let mut batch = pg.begin_import().unwrap();
            let row: Row = (
                "Le Conseil a décidé.".into(),
                "The Council decided.".into(),
                "a.csv",
                None,
                false,
            );
            assert_eq!(batch.add(&new_pair(&row)).unwrap(), Added::New);
            // Dropped: a failed or interrupted import.
        }
        assert_eq!(pg.max_pair_id().unwrap(), 0);
        assert!(
            pg.exact("fr", "en", "Le Conseil a décidé.")
                .unwrap()
                .is_empty()
        );
        let terms: i64 = db
            .client()
            .query_one("SELECT count(*) FROM fuzzy_term", &[])
            .unwrap()
            .get(0);
        assert_eq!(terms, 0);
    }
}

mod search {
    //! The lossless search on PostgreSQL: indexed = exhaustive, and the
    //! same results as on SQLite for the same memory and queries.
    use super::*;
    use memoire::fuzzy::{self, Query};
    use memoire::store::{NewPair, Store};
    use proptest::prelude::*;

    fn results(
        store: &dyn ResultsOf,
        text: &str,
        threshold: u8,
        limit: usize,
        exhaustive: bool,
    ) -> Vec<(u8, i64, String)> {
        store.results(&Query {
            text,
            source_lang: "fr",
            target_lang: "en",
            threshold,
            limit,
            exhaustive,
        })
    }

    trait ResultsOf {
        fn results(&self, query: &Query<'_>) -> Vec<(u8, i64, String)>;
    }

    impl<S: memoire::store::Pairs + fuzzy::Index> ResultsOf for S {
        fn results(&self, query: &Query<'_>) -> Vec<(u8, i64, String)> {
            fuzzy::search(self, query)
                .unwrap()
                .into_iter()
                .map(|m| (m.score, m.pair.id, m.pair.target))
                .collect()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn indexed_search_is_exhaustive_and_the_same_on_both_backends(
            sources in prop::collection::vec(sentence(0..12), 1..30),
            queries in prop::collection::vec(sentence(0..12), 1..5),
            threshold in prop_oneof![Just(50u8), Just(75), 50..=100u8],
            limit in prop_oneof![Just(usize::MAX), 1usize..4],
        ) {
            let Some(server) = server() else { return Ok(()) };
            let db = TempDb::new(&server);
            let mut pg = PgStore::connect(&db.url()).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let mut lite = Store::open(&dir.path().join("m.db")).unwrap();
            let targets: Vec<String> = (0..sources.len()).map(|k| format!("t{k}")).collect();
            {
                let mut a = lite.begin_import().unwrap();
                let mut b = pg.begin_import().unwrap();
                for (source, target) in sources.iter().zip(&targets) {
                    if source.trim().is_empty() {
                        continue;
                    }
                    let pair = NewPair { source_lang: "fr", target_lang: "en", source, target, origin: "a", ..NewPair::default() };
                    a.add(&pair).unwrap();
                    b.add(&pair).unwrap();
                }
                a.commit().unwrap();
                b.commit().unwrap();
            }
            // Queries: stored sources (near matches guaranteed) and others.
            for q in queries.iter().chain(sources.iter().take(3)) {
                let on_pg = results(&pg, q, threshold, limit, false);
                prop_assert_eq!(&on_pg, &results(&pg, q, threshold, limit, true), "PostgreSQL indexed vs exhaustive: {:?}", q);
                prop_assert_eq!(&on_pg, &results(&lite, q, threshold, limit, false), "PostgreSQL vs SQLite: {:?}", q);
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..proptest::prelude::ProptestConfig::default() })]
    /// A server's warm index on PostgreSQL holds the sources and reads only
    /// the pairs that score, with the exact matches, at the end: the results
    /// are still exhaustive scoring's, after its load, after pairs are
    /// added elsewhere (read as they come), and after a removal; pairs of
    /// another language pair with the same sources never show.
    #[test]
    fn the_warm_index_on_postgres_returns_what_exhaustive_scoring_returns(
        sources in proptest::collection::vec(sentence(0..12), 1..25),
        queries in proptest::collection::vec(sentence(0..12), 1..4),
        threshold in proptest::prop_oneof![proptest::strategy::Just(50u8), proptest::strategy::Just(75), 50..=100u8],
        limit in proptest::prop_oneof![proptest::strategy::Just(usize::MAX), 1usize..4],
    ) {
        use memoire::fuzzy::{self, Query};
        use memoire::store::{NewPair, Store};
        let Some(server) = server() else { return Ok(()) };
        let db = TempDb::new(&server);
        let url = std::path::PathBuf::from(db.cli_url());
        let mut store = Store::open(&url).unwrap();
        let add = |store: &mut Store, origin: &str| {
            let mut batch = store.begin_import().unwrap();
            for (k, source) in sources.iter().enumerate() {
                if source.trim().is_empty() {
                    continue;
                }
                for target_lang in ["en", "de"] {
                    let target = format!("{origin}{k}{target_lang}");
                    batch.add(&NewPair { source_lang: "fr", target_lang, source, target: &target, origin, ..NewPair::default() }).unwrap();
                }
            }
            batch.commit().unwrap();
        };
        add(&mut store, "a");
        let reader = Store::open_read_only(&url).unwrap();
        let warm = fuzzy::warm::WarmIndex::load(&reader).unwrap();
        let all: Vec<&String> = queries.iter().chain(sources.iter().take(3)).collect();
        let check = |stage: &str| -> Result<(), proptest::test_runner::TestCaseError> {
            for q in &all {
                let query = Query { text: q, source_lang: "fr", target_lang: "en", threshold, limit, exhaustive: false };
                let got: Vec<(u8, i64, String)> = warm.search(&reader, &query).unwrap().into_iter().map(|m| (m.score, m.pair.id, m.pair.target)).collect();
                let want: Vec<(u8, i64, String)> = fuzzy::search(&reader, &Query { exhaustive: true, ..query }).unwrap().into_iter().map(|m| (m.score, m.pair.id, m.pair.target)).collect();
                proptest::prop_assert_eq!(got, want, "{} query {:?} at {} limit {}", stage, q, threshold, limit);
            }
            Ok(())
        };
        check("loaded")?;
        add(&mut store, "b");
        check("after adding")?;
        store.remove_pairs_from("a", "fr", "en").unwrap();
        add(&mut store, "c");
        check("after a removal")?;
    }
}

/// Regression (found while timing the server): a snapshot whose first
/// statement failed panicked ("RefCell already borrowed") while ending its
/// transaction. Now it is an error, the transaction is ended, and the
/// connection answers again once the table is back.
#[test]
fn a_snapshot_whose_first_statement_fails_is_an_error_and_leaves_no_transaction() {
    use memoire::fuzzy::{self, Query};
    use memoire::store::{NewPair, Store};
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    let url = std::path::PathBuf::from(db.cli_url());
    let mut store = Store::open(&url).unwrap();
    let mut batch = store.begin_import().unwrap();
    let pair = NewPair {
        source_lang: "fr",
        target_lang: "en",
        source: "Bonjour.",
        target: "Hello.",
        origin: "a",
        ..NewPair::default()
    };
    batch.add(&pair).unwrap();
    batch.commit().unwrap();
    let reader = Store::open_read_only(&url).unwrap();
    let query = Query {
        text: "Bonjour.",
        source_lang: "fr",
        target_lang: "en",
        threshold: 75,
        limit: 5,
        exhaustive: false,
    };
    assert_eq!(fuzzy::search(&reader, &query).unwrap().len(), 1);
    let mut admin = db.client();
    admin
        .batch_execute("ALTER TABLE index_epoch RENAME TO index_epoch_away")
        .unwrap();
    let err = fuzzy::search(&reader, &query).unwrap_err();
    assert!(err.to_string().contains("index_epoch"), "{err}");
    admin
        .batch_execute("ALTER TABLE index_epoch_away RENAME TO index_epoch")
        .unwrap();
    // No transaction was left open (an aborted one would refuse every
    // statement): the same connection finds the pair again.
    assert_eq!(fuzzy::search(&reader, &query).unwrap().len(), 1);
}

/// Review of issue 14: a search that panics inside its snapshot must not
/// leave the connection in that snapshot (stale lists, read-only).
#[test]
fn a_panic_inside_a_snapshot_leaves_the_connection_usable() {
    use memoire::store::{NewPair, Pairs};
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    let mut pg = PgStore::connect(&db.url()).unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = pg.read_snapshot(&mut || panic!("a bug in a search"));
    }));
    assert!(caught.is_err());
    // Not read-only, not in the old snapshot: an import commits and is seen.
    let mut batch = pg.begin_import().expect("an import after the panic");
    let pair = NewPair {
        source_lang: "fr",
        target_lang: "en",
        source: "La séance est ouverte.",
        target: "The sitting is open.",
        origin: "a.csv",
        ..NewPair::default()
    };
    batch.add(&pair).unwrap();
    batch.commit().unwrap();
    let mut seen = 0;
    pg.read_snapshot(&mut || {
        seen = pg.exact("fr", "en", "La séance est ouverte.")?.len();
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, 1);
}

#[test]
fn a_database_not_in_utf8_is_refused() {
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    let name = format!("{}_latin1", db.name);
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
        ))
        .unwrap();
    let err = PgStore::connect(&format!("{server} dbname={name}")).err();
    admin
        .batch_execute(&format!("DROP DATABASE {name}"))
        .unwrap();
    let err = err.expect("refused");
    assert_eq!(err.kind(), Kind::Input);
    assert!(err.to_string().contains("UTF8"), "{err}");
}

/// Issue 14, left open last time: on PostgreSQL an import waiting for
/// another one's lock waited in silence, where on a SQLite file it says so
/// (tests/trust.rs `an_import_waiting_for_another_says_so_once`).
#[test]
fn an_import_waiting_for_another_says_so_once() {
    use std::io::BufRead;
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    drop(PgStore::connect(&db.url()).expect("the schema"));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "fr,en\nEncore.,Again.\n").unwrap();
    let mut holder = db.client();
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("LOCK TABLE segment_pair IN SHARE ROW EXCLUSIVE MODE")
        .unwrap();
    let mut child = std::process::Command::new(common::BIN)
        .args(["--db", &db.cli_url(), "import"])
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert_eq!(first.trim(), "waiting for another import to finish…");
    std::thread::sleep(std::time::Duration::from_millis(300));
    tx.commit().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(!rest.contains("waiting"), "said once: {rest}");
    let count: i64 = holder
        .query_one("SELECT count(*) FROM segment_pair", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 1);
}
