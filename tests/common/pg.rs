//! A PostgreSQL server for the tests (issue 14).
//!
//! `MEMOIRE_TEST_POSTGRES` is a connection string to a server where the
//! tests may create and drop databases; `.ci/run` starts a throw-away
//! cluster for them (`tests/tools/pg-cluster.sh`). Without it the tests
//! are skipped, unless `CI` is set: then they fail.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The server's connection string, or `None` to skip.
pub fn server() -> Option<String> {
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
pub struct TempDb {
    pub server: String,
    pub name: String,
}

impl TempDb {
    pub fn new(server: &str) -> TempDb {
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

    pub fn url(&self) -> String {
        format!("{} dbname={}", self.server, self.name)
    }

    /// The database as `--db` takes it: a `postgresql://` URL (the
    /// server's string may be key=value, as libpq's).
    pub fn cli_url(&self) -> String {
        let config: postgres::Config = self.server.parse().expect("a connection string");
        let user = config.get_user().unwrap_or("postgres");
        let port = config.get_ports().first().copied().unwrap_or(5432);
        match config.get_hosts().first() {
            Some(postgres::config::Host::Unix(dir)) => format!(
                "postgresql://{user}@/{}?host={}&port={port}",
                self.name,
                dir.display()
            ),
            Some(postgres::config::Host::Tcp(host)) => {
                format!("postgresql://{user}@{host}:{port}/{}", self.name)
            }
            None => format!("postgresql://{user}@/{}?port={port}", self.name),
        }
    }

    pub fn client(&self) -> postgres::Client {
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
