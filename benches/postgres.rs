//! PostgreSQL backend benchmark (issue 14): every pair of a SQLite memory
//! imported into a fresh PostgreSQL database in one import (the rules and
//! the index of `memoire import`), then the fuzzy benchmark's queries
//! searched on it, one process, one connection.
//!
//!   MEMOIRE_BENCH_DB=target/bench-hansard.db \
//!   MEMOIRE_BENCH_POSTGRES='host=/tmp/pg port=5432 user=postgres' \
//!   cargo bench --bench postgres
//!
//! `benches/postgres.sh` starts a throw-away cluster and runs it.
//! MEMOIRE_BENCH_QUERIES (default 200) queries of each set are searched at
//! thresholds 75 and 50, limit 5.

use std::time::Instant;

use memoire::fuzzy::{self, Query};
use memoire::store::postgres::PgStore;
use memoire::store::{NewPair, Pairs, Store};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let db = std::env::var("MEMOIRE_BENCH_DB").expect("set MEMOIRE_BENCH_DB");
    let server = std::env::var("MEMOIRE_BENCH_POSTGRES").expect("set MEMOIRE_BENCH_POSTGRES");
    let n: usize = std::env::var("MEMOIRE_BENCH_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let lite = Store::open_read_only(std::path::Path::new(&db)).expect("open the SQLite memory");

    let name = "memoire_bench";
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).expect("connect");
    let url = format!("{server} dbname={name}");
    // MEMOIRE_BENCH_REUSE=1: search the database an earlier run imported.
    let reuse = std::env::var_os("MEMOIRE_BENCH_REUSE").is_some()
        && admin
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .expect("list the databases")
            .is_some();
    if reuse {
        let pg = PgStore::connect(&url).expect("connect to the bench database");
        search_all(&pg, root, n);
        return;
    }
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .and_then(|_| admin.batch_execute(&format!("CREATE DATABASE {name}")))
        .expect("create the bench database");
    let mut pg = PgStore::connect(&url).expect("connect to the bench database");

    let start = Instant::now();
    let mut pairs = 0u64;
    {
        let mut batch = pg.begin_import().expect("begin");
        lite.each_pair(None, None, &mut |p| {
            let codes = p.coded_source();
            let target = p.coded_target();
            batch.add(&NewPair {
                source_lang: &p.source_lang,
                target_lang: &p.target_lang,
                source: &p.source,
                target: &p.target,
                origin: &p.origin,
                note: p.note.as_deref(),
                created_at: Some(&p.created_at),
                changed_at: Some(&p.changed_at),
                usage_count: Some(p.usage_count),
                prev_source: p.prev_source.as_deref(),
                next_source: p.next_source.as_deref(),
                source_codes: &codes.codes,
                target_codes: &target.codes,
                created_by: p.created_by.as_deref(),
                changed_by: p.changed_by.as_deref(),
                replace_same_origin: false,
            })?;
            pairs += 1;
            Ok(())
        })
        .expect("copy the pairs");
        batch.commit().expect("commit");
    }
    let secs = start.elapsed().as_secs_f64();
    admin.batch_execute("CHECKPOINT").ok();
    let size: i64 = admin
        .query_one("SELECT pg_database_size($1)", &[&name])
        .expect("size")
        .get(0);
    println!(
        "import into PostgreSQL: {pairs} pairs in {secs:.1} s, {:.0} pairs/s, database {} MB",
        pairs as f64 / secs,
        size / 1_000_000
    );

    search_all(&pg, root, n);
}

/// `n` queries of each set at thresholds 75 and 50, limit 5.
fn search_all(pg: &PgStore, root: &str, n: usize) {
    for threshold in [75u8, 50] {
        for set in ["news", "edited"] {
            let path = format!("{root}/target/fuzzy-queries-{set}.txt");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{path}: run `cargo bench --bench fuzzy` first"));
            let mut times = Vec::new();
            for q in text.lines().take(n) {
                let query = Query {
                    text: q,
                    source_lang: "fr",
                    target_lang: "en",
                    threshold,
                    limit: 5,
                    exhaustive: false,
                };
                let start = Instant::now();
                fuzzy::search(pg, &query).expect("search");
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "PostgreSQL t={threshold} {set:<7} {} queries: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                times.len(),
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                times[times.len() - 1]
            );
        }
    }
}
