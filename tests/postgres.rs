//! The PostgreSQL backend against a real server (issue 14).
//!
//! `MEMOIRE_TEST_POSTGRES` is a connection string to a server where the
//! tests may create and drop databases; `.ci/run` starts a throw-away
//! cluster for them (`tests/tools/pg-cluster.sh`). Without it the tests
//! are skipped, unless `CI` is set: then they fail.

use std::sync::atomic::{AtomicUsize, Ordering};

use memoire::Kind;
use memoire::store::postgres::{PgStore, SCHEMA_VERSION};

/// The server's connection string, or `None` to skip.
fn server() -> Option<String> {
    match std::env::var("MEMOIRE_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but MEMOIRE_TEST_POSTGRES is not: .ci/run starts the cluster")
        }
        _ => {
            eprintln!("skipped: set MEMOIRE_TEST_POSTGRES (see tests/tools/pg-cluster.sh)");
            None
        }
    }
}

/// A database of its own for one test, dropped at the end.
struct TempDb {
    server: String,
    name: String,
}

impl TempDb {
    fn new(server: &str) -> TempDb {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "memoire_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(server, postgres::NoTls).expect("connect");
        // One statement per call: neither may run in a transaction block.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .and_then(|_| admin.batch_execute(&format!("CREATE DATABASE {name}")))
            .expect("create the test database");
        TempDb {
            server: server.to_string(),
            name,
        }
    }

    fn url(&self) -> String {
        format!("{} dbname={}", self.server, self.name)
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).expect("connect")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

#[test]
fn first_use_creates_the_schema_and_the_next_connection_finds_it() {
    let Some(server) = server() else { return };
    let db = TempDb::new(&server);
    let mut first = PgStore::connect(&db.url()).expect("first connection");
    assert!(first.created());
    assert_eq!(first.schema_version().unwrap(), SCHEMA_VERSION);
    let mut second = PgStore::connect(&db.url()).expect("second connection");
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
fn an_unreachable_server_is_an_io_error_without_the_password() {
    // No server needed: nothing listens on this socket folder.
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "host={} port=5432 user=anne password=s3cret dbname=desk connect_timeout=2",
        dir.path().display()
    );
    let err = PgStore::connect(&url).err().expect("no server");
    assert_eq!(err.kind(), Kind::Io);
    let message = format!("{err}");
    assert!(message.contains("cannot connect"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}
