//! Several `memoire serve` processes on one PostgreSQL database (issue
//! 14), over real sockets, against a PostgreSQL cluster of the test's own
//! (started with tests/tools/pg-cluster.sh, so that it can be stopped and
//! started again under load without disturbing other tests).
//!
//! Runs when `MEMOIRE_TEST_POSTGRES` is set (PostgreSQL is installed);
//! `.ci/run` sets it.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{BIN, Run, example};

/// A PostgreSQL cluster of this test's own, stopped at the end.
struct Cluster {
    dir: tempfile::TempDir,
    /// Its port (also in its socket's name).
    port: u16,
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/pg-cluster.sh");

impl Cluster {
    fn start() -> Cluster {
        let cluster = Cluster::in_new_folder(5432);
        cluster.script("start", &[], &[]);
        cluster.create("desk");
        cluster
    }

    /// A streaming replica of `primary` (a hot standby), on its own socket.
    fn replica_of(primary: &Cluster) -> Cluster {
        let cluster = Cluster::in_new_folder(5432);
        cluster.script("replica", &[primary.socket().as_os_str()], &[]);
        cluster
    }

    /// A cluster that takes only TLS connections, on 127.0.0.1 (see
    /// pg-cluster.sh, PG_TLS): its port.
    fn start_tls() -> (Cluster, u16) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Cluster::in_new_folder(port);
        cluster.script(
            "start",
            &[],
            &[("PG_TLS", "on"), ("PG_PORT", &port.to_string())],
        );
        cluster.create("desk");
        (cluster, port)
    }

    /// A cluster yet to be started, in a new temporary folder.
    fn in_new_folder(port: u16) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        // The server runs as `postgres` when the tests run as root: it must
        // get through the folder.
        let _ = Command::new("chmod").arg("755").arg(dir.path()).status();
        Cluster { dir, port }
    }

    fn psql(&self, database: &str, sql: &str) -> String {
        let out = Command::new("psql")
            .arg("-h")
            .arg(self.socket())
            .args(["-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", database, "-Atqc", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("pg")
    }

    /// pg-cluster.sh `action` on this cluster's folder, with more
    /// arguments and environment.
    fn script(&self, action: &str, more: &[&std::ffi::OsStr], env: &[(&str, &str)]) {
        let out = Command::new("bash")
            .arg(SCRIPT)
            .arg(action)
            .arg(self.socket())
            .args(more)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg-cluster.sh {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The desk's database as `--db` takes it.
    fn url(&self) -> PathBuf {
        self.url_of("desk")
    }

    fn url_of(&self, database: &str) -> PathBuf {
        PathBuf::from(format!(
            "postgresql://postgres@/{database}?host={}&port=5432",
            self.socket().display()
        ))
    }

    fn create(&self, database: &str) {
        let created = Command::new("psql")
            .arg("-h")
            .arg(self.socket())
            .args(["-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", "postgres", "-qc"])
            .arg(format!("CREATE DATABASE {database}"))
            .status()
            .unwrap();
        assert!(created.success());
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(SCRIPT)
            .arg("stop")
            .arg(self.socket())
            .output();
    }
}

fn memoire(db: &Path, args: &[&str]) -> Run {
    Run::from(
        Command::new(BIN)
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("MEMOIRE_DB")
            .output()
            .unwrap(),
    )
}

/// `memoire serve` on a free loopback port: the child and its address.
/// The shipped example memory, imported into `db`.
fn import_example(db: &Path) {
    let run = memoire(
        db,
        &["import", example("memory-fr-en.csv").to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// A new token for `name` with `role`.
fn new_token(db: &Path, name: &str, role: &str) -> String {
    let run = memoire(db, &["token", "add", name, "--role", role]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.trim().to_string()
}

fn serve(db: &Path) -> (Child, String) {
    serve_with(db, &[])
}

fn serve_with(db: &Path, extra: &[&std::ffi::OsStr]) -> (Child, String) {
    common::serving(
        Command::new(BIN)
            .arg("--db")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0", "--readers", "4"])
            .args(extra)
            .env_remove("MEMOIRE_DB"),
    )
}

/// One request over a new connection: the status (0 when the server is
/// gone) and the body.
fn http(address: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return (0, String::new());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let sent = write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut response = String::new();
    if sent.is_err() || stream.read_to_string(&mut response).is_err() {
        return (0, String::new());
    }
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn lookup_path(text: &str) -> String {
    let mut q = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => q.push(b as char),
            _ => q.push_str(&format!("%{b:02X}")),
        }
    }
    format!("/api/v1/lookup?q={q}&threshold=75")
}

/// Learn « La neige tombe sur Berne. » through the server at `address`.
fn learn_snow(address: &str, token: &str) {
    let (status, body) = http(
        address,
        "POST",
        "/api/v1/learn",
        token,
        r#"{"source": "La neige tombe sur Berne.", "target": "Snow falls on Bern."}"#,
    );
    assert_eq!(status, 200, "{body}");
}

/// Look « La neige tombe sur Berne. » up through the server at `address`:
/// the answer's body.
fn lookup_snow(address: &str, token: &str) -> String {
    let (status, body) = http(
        address,
        "GET",
        &lookup_path("La neige tombe sur Berne."),
        token,
        "",
    );
    assert_eq!(status, 200, "{body}");
    body
}

const KNOWN: &str = "Les entretiens ont porté sur le commerce, l’énergie et la sécurité régionale.";
const KNOWN_TARGET: &str = "The talks focused on trade, energy and regional security.";

#[test]
fn two_servers_share_one_database_through_a_kill_and_a_postgres_restart() {
    if common::pg::server().is_none() {
        return;
    }
    let cluster = Cluster::start();
    let db = cluster.url();
    import_example(&db);
    let token = new_token(&db, "anne", "translate");
    let (mut a, address_a) = serve(&db);
    let (mut b, address_b) = serve(&db);

    // A learn on one server is found by the other at once.
    learn_snow(&address_a, &token);
    let body = lookup_snow(&address_b, &token);
    assert!(body.contains("Snow falls on Bern."), "{body}");

    // Learners on both servers, readers on B, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::new(Mutex::new(Vec::<(Instant, u16, String)>::new()));
    let mut workers = Vec::new();
    for (w, address) in [(0, &address_a), (1, &address_b), (2, &address_b)] {
        let (address, token, stop, acknowledged) = (
            address.clone(),
            token.clone(),
            Arc::clone(&stop),
            Arc::clone(&acknowledged),
        );
        workers.push(std::thread::spawn(move || {
            let mut k = 0;
            while !stop.load(Ordering::SeqCst) {
                k += 1;
                let source = format!("Phrase {w} numéro {k}.");
                let body = format!(r#"{{"source": "{source}", "target": "Sentence {w}/{k}."}}"#);
                match http(&address, "POST", "/api/v1/learn", &token, &body).0 {
                    200 => acknowledged.lock().unwrap().push(source),
                    0 if w == 0 => break, // server A was killed
                    _ => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }));
    }
    for _ in 0..2 {
        let (address, token, stop, answers) = (
            address_b.clone(),
            token.clone(),
            Arc::clone(&stop),
            Arc::clone(&answers),
        );
        workers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let (status, body) = http(&address, "GET", &lookup_path(KNOWN), &token, "");
                answers.lock().unwrap().push((Instant::now(), status, body));
                std::thread::sleep(Duration::from_millis(10));
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    // kill -9 server A in the middle of its learns.
    a.kill().unwrap();
    a.wait().unwrap();
    let killed = Instant::now();
    std::thread::sleep(Duration::from_millis(1000));
    // PostgreSQL stops and starts again under load.
    let down = Instant::now();
    cluster.script("stop", &[], &[]);
    std::thread::sleep(Duration::from_millis(1500));
    cluster.script("up", &[], &[]);
    let up = Instant::now();
    // B answers again by itself, without a restart (regression: a broken
    // connection was dropped on an async thread, which panicked and left
    // B answering nothing).
    let deadline = Instant::now() + Duration::from_secs(20);
    let back = loop {
        let (status, body) = http(&address_b, "GET", &lookup_path(KNOWN), &token, "");
        if status == 200 {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "server B never came back: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(back.contains(KNOWN_TARGET), "{back}");
    // And learns again.
    let (status, body) = http(
        &address_b,
        "POST",
        "/api/v1/learn",
        &token,
        r#"{"source": "Le soleil revient.", "target": "The sun is back."}"#,
    );
    assert_eq!(status, 200, "a learn after the restart: {body}");
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.join().unwrap();
    }
    // A clean stop on SIGTERM (regression: the PostgreSQL driver's
    // connections were closed on the async threads, which panicked).
    let term = Command::new("kill")
        .args(["-TERM", &b.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let stopped = b.wait().unwrap();
    assert!(stopped.success(), "server B stopped with {stopped}");

    // B kept answering after A was killed, with the right answer; while
    // PostgreSQL was down it said so (503 with a JSON error), never a
    // wrong or empty answer.
    let answers = answers.lock().unwrap();
    let after_kill = answers
        .iter()
        .filter(|(t, status, _)| *t > killed && *t < down && *status == 200)
        .count();
    assert!(after_kill > 0, "B answered nothing after A was killed");
    let mut errors = 0;
    for (t, status, body) in answers.iter() {
        match status {
            200 => assert!(body.contains(KNOWN_TARGET), "a wrong answer: {body}"),
            503 => {
                errors += 1;
                assert!(body.contains("\"unavailable\""), "{body}");
                assert!(*t > down, "an error before PostgreSQL was stopped: {body}");
            }
            _ => panic!(
                "status {status} at {:?} after the restart: {body}",
                t.duration_since(up)
            ),
        }
    }
    assert!(errors > 0, "no lookup saw PostgreSQL down");

    // Every acknowledged learn, on either server, is in the database.
    let export = memoire(&db, &["export"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let acknowledged = acknowledged.lock().unwrap();
    assert!(
        acknowledged.len() > 10,
        "only {} learns",
        acknowledged.len()
    );
    for source in acknowledged.iter() {
        assert!(
            export.stdout.contains(source.as_str()),
            "acknowledged but lost: {source}"
        );
    }
    assert!(export.stdout.contains("The sun is back."));
}

#[test]
fn read_db_sends_lookups_to_a_streaming_replica_and_learns_to_the_primary() {
    if common::pg::server().is_none() {
        return;
    }
    let cluster = Cluster::start();
    let primary = cluster.url();
    import_example(&primary);
    let token = new_token(&primary, "anne", "translate");
    // A real hot standby of the primary (pg_basebackup, streaming
    // replication): read-only, so a lookup path that wrote anything would
    // fail on it.
    let standby = Cluster::replica_of(&cluster);
    assert_eq!(standby.psql("desk", "SELECT pg_is_in_recovery()"), "t");
    let replica = standby.url();
    let (mut server, address) = serve_with(&primary, &["--read-db".as_ref(), replica.as_os_str()]);
    let (status, body) = http(&address, "GET", &lookup_path(KNOWN), &token, "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(KNOWN_TARGET), "{body}");
    learn_snow(&address, &token);
    // The learn went to the primary…
    let found = memoire(&primary, &["lookup", "La neige tombe sur Berne."]);
    assert_eq!(found.code, 0, "{}", found.stderr);
    assert!(
        found.stdout.contains("Snow falls on Bern."),
        "{}",
        found.stdout
    );
    // …and the server's lookups, which read the standby, find it once
    // replication has brought it there (at once, as a rule).
    let started = Instant::now();
    loop {
        let body = lookup_snow(&address, &token);
        if body.contains("Snow falls on Bern.") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not replicated: {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The lookups did read the standby: it served this server's reads.
    let reads = standby.psql(
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'desk' AND backend_type = 'client backend'",
    );
    assert!(reads.parse::<u32>().unwrap() > 0, "{reads}");
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Adversary's finding (issue 14): after PostgreSQL restarted, each pooled
/// read connection gave one 503 the first time it was used, although the
/// database was back. A read on a broken connection is now tried once more
/// on a new one, and the write connection is checked before a learn: once
/// PostgreSQL is up, every request succeeds.
#[test]
fn no_request_fails_once_postgres_is_back_after_a_restart() {
    if common::pg::server().is_none() {
        return;
    }
    let cluster = Cluster::start();
    let db = cluster.url();
    import_example(&db);
    let token = new_token(&db, "anne", "read");
    let writer = new_token(&db, "bob", "translate");
    let (mut server, address) = serve(&db); // four read connections
    for _ in 0..8 {
        let (status, body) = http(&address, "GET", &lookup_path(KNOWN), &token, "");
        assert_eq!(status, 200, "{body}");
    }
    cluster.script("stop", &[], &[]);
    cluster.script("up", &[], &[]);
    // Every pooled connection is stale now; each is used at least once.
    for k in 0..12 {
        let (status, body) = http(&address, "GET", &lookup_path(KNOWN), &token, "");
        assert_eq!(status, 200, "request {k} after the restart: {body}");
        assert!(body.contains(KNOWN_TARGET), "{body}");
    }
    // The write connection too: the first learn after the restart works.
    cluster.script("stop", &[], &[]);
    cluster.script("up", &[], &[]);
    let (status, body) = http(
        &address,
        "POST",
        "/api/v1/learn",
        &writer,
        r#"{"source": "Le soleil revient.", "target": "The sun is back."}"#,
    );
    assert_eq!(status, 200, "the first learn after the restart: {body}");
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Issue 14 left TLS out: `sslmode=require` was refused. A desk's
/// PostgreSQL on another machine takes TLS connections only; memoire
/// connects with TLS, checks the server's certificate against the CA
/// given as `sslrootcert`, and refuses a server it cannot trust.
#[test]
fn a_memory_on_a_tls_only_postgres_is_used_and_an_untrusted_server_refused() {
    if common::pg::server().is_none() {
        return;
    }
    let (cluster, port) = Cluster::start_tls();
    let ca = cluster.socket().join("ca.crt");
    let db = PathBuf::from(format!(
        "postgresql://postgres@127.0.0.1:{port}/desk?sslmode=verify-full&sslrootcert={}",
        ca.display()
    ));
    import_example(&db);
    let found = memoire(&db, &["lookup", KNOWN]);
    assert_eq!(found.code, 0, "{}", found.stderr);
    assert!(found.stdout.contains(KNOWN_TARGET), "{}", found.stdout);
    let token = new_token(&db, "anne", "translate");
    let (mut server, address) = serve(&db);
    learn_snow(&address, &token);
    let body = lookup_snow(&address, &token);
    assert!(body.contains("Snow falls on Bern."), "{body}");
    // Every connection of the server is encrypted (the cluster takes no
    // other, but this says so from PostgreSQL's side).
    let encrypted = cluster.psql(
        "postgres",
        "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
         FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = 'desk'",
    );
    let (with, without) = encrypted.split_once('|').unwrap();
    assert!(with.parse::<u32>().unwrap() > 0, "{encrypted}");
    assert_eq!(without, "0", "{encrypted}");
    server.kill().unwrap();
    server.wait().unwrap();

    // A CA that did not sign the server's certificate: refused, saying why.
    let other_ca = cluster.socket().join("other-ca.crt");
    std::fs::write(
        &other_ca,
        include_str!("../src/store/postgres/tls-test-ca.pem"),
    )
    .unwrap();
    let untrusted = PathBuf::from(format!(
        "postgresql://postgres@127.0.0.1:{port}/desk?sslmode=require&sslrootcert={}",
        other_ca.display()
    ));
    let run = memoire(&untrusted, &["lookup", KNOWN]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("invalid peer certificate"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sslrootcert"), "{}", run.stderr);
    // The host name is checked: the certificate is for localhost and
    // 127.0.0.1, not for another name of this machine.
    let renamed = PathBuf::from(format!(
        "postgresql://postgres@127.0.0.2:{port}/desk?sslmode=require&sslrootcert={}",
        ca.display()
    ));
    let run = memoire(&renamed, &["lookup", KNOWN]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    // Adversary: a percent-encoded second sslmode key was `disable` to
    // the driver, unseen by memoire, and the password went out in
    // plaintext while memoire showed `sslmode=require`. Two sslmode keys
    // are refused before anything connects…
    let encoded = PathBuf::from(format!(
        "postgresql://postgres@127.0.0.1:{port}/desk?sslmode=require&ssl%6dode=disable"
    ));
    let run = memoire(&encoded, &["lookup", KNOWN]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("more than once"), "{}", run.stderr);
    // … and TLS asked for is TLS tried, whatever the driver reads in the
    // rest: a `?` and `&sslmode=disable` in a password (percent-encoded
    // `&` here, so that the URL has one sslmode key for both readers).
    let tricky = PathBuf::from(format!(
        "postgresql://postgres:pw%3Fx%26sslmode%3Ddisable@127.0.0.1:{port}/desk?sslmode=require"
    ));
    let run = memoire(&tricky, &["lookup", KNOWN]);
    assert_ne!(run.code, 0);
    assert!(!run.stderr.contains("no encryption"), "{}", run.stderr);
    assert!(
        run.stderr.contains("invalid peer certificate"),
        "{}",
        run.stderr
    );
    // Without TLS, the server itself refuses.
    let plain = PathBuf::from(format!("postgresql://postgres@127.0.0.1:{port}/desk"));
    let run = memoire(&plain, &["lookup", KNOWN]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("no encryption"), "{}", run.stderr);
    assert!(
        run.stderr.contains("add sslmode=verify-full"),
        "{}",
        run.stderr
    );
}
