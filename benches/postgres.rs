//! One-process searches on a memory in PostgreSQL (issue 14), or in a
//! file: the fuzzy benchmark's queries through the store's own index (no
//! copy in memory), one connection, as `memoire lookup --db …` runs them.
//!
//!   MEMOIRE_BENCH_POSTGRES=postgresql://postgres@/hansard?host=/tmp/pg \
//!   cargo bench --bench postgres
//!
//! (MEMOIRE_BENCH_POSTGRES may name a SQLite file too: benches/scale.sh
//! compares both.)
//!
//! `benches/postgres.sh` starts a throw-away cluster, imports the Hansard
//! memory with `memoire import` and runs this. MEMOIRE_BENCH_QUERIES
//! (default 200) queries of each set are searched at thresholds 75 and 50,
//! limit 5. With MEMOIRE_BENCH_WARM=1 they go through a warm index, as
//! `memoire serve` runs them (one client, no HTTP).

use std::time::Instant;

use memoire::fuzzy::{self, Query};
use memoire::store::Store;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let url = std::env::var("MEMOIRE_BENCH_POSTGRES").expect("set MEMOIRE_BENCH_POSTGRES");
    let n: usize = std::env::var("MEMOIRE_BENCH_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let store = Store::open_read_only(std::path::Path::new(&url)).expect("open the memory");
    let warm = std::env::var_os("MEMOIRE_BENCH_WARM")
        .map(|_| fuzzy::warm::WarmIndex::load(&store).expect("load the index"));
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
                match &warm {
                    Some(warm) => warm.search(&store, &query),
                    None => fuzzy::search(&store, &query),
                }
                .expect("search");
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{}{} t={threshold} {set:<7} {} queries: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                if store.is_postgres() {
                    "PostgreSQL"
                } else {
                    "SQLite"
                },
                if warm.is_some() { " (warm)" } else { "" },
                times.len(),
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                times[times.len() - 1]
            );
        }
    }
}
