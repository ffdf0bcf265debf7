//! Fuzzy lookup benchmark: warm latency and recall against exhaustive
//! scoring. Run through `benches/fuzzy.sh`, which builds the store first;
//! by hand: `MEMOIRE_BENCH_DB=/path/hansard.db cargo bench --bench fuzzy`.
//!
//! Queries: 1,000 French sentences from the WMT news test sets (mostly not
//! in the memory), and 1,000 memory sources with one to three words
//! replaced, deleted or inserted. Both sets are written to
//! `target/fuzzy-queries-{news,edited}.txt` for the one-shot and rapidfuzz
//! runs. Recall is checked on the first `MEMOIRE_BENCH_ORACLE` queries of
//! each set (default 50) by scoring every stored source (two threads).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use memoire::fuzzy::{self, Query, Segment};
use memoire::store::Store;

/// The lowest score looked for: 75 (what `lookup` uses), or
/// `MEMOIRE_BENCH_THRESHOLD`.
fn threshold() -> u8 {
    std::env::var("MEMOIRE_BENCH_THRESHOLD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(75)
}

/// A small deterministic random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn news_queries(root: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for year in ["2013", "2012", "2011"] {
        let path = format!("{root}/../shared/data/fr-en/newstest/newstest{year}_fren.csv");
        let Ok(mut reader) = csv::Reader::from_path(&path) else {
            continue;
        };
        for record in reader.records().map_while(Result::ok) {
            if out.len() == n {
                return out;
            }
            if let Some(source) = record.get(0).filter(|s| s.split_whitespace().count() >= 3) {
                out.push(source.to_string());
            }
        }
    }
    // A new user's report: a clone elsewhere found no file, wrote an empty
    // query list and then failed on an index out of bounds.
    assert!(
        !out.is_empty(),
        "no news sentences in {root}/../shared/data/fr-en/newstest/: the benchmarks read the \
         third-party test data in ../shared/data beside the checkout"
    );
    out
}

/// Memory sources with 1–3 words replaced (by a word of another source),
/// deleted or inserted.
fn edited_queries(store: &Store, n: usize, rng: &mut Rng) -> Vec<String> {
    let max_id = store.max_pair_id().expect("read the store");
    let mut out = Vec::new();
    let mut donor: Vec<String> = vec!["nouveau".into()];
    while out.len() < n {
        let id = 1 + rng.below(max_id as usize) as i64;
        let Some(pair) = store.pair(id).expect("read a pair") else {
            continue;
        };
        let mut words: Vec<String> = pair.source.split_whitespace().map(str::to_string).collect();
        if words.len() < 4 {
            continue;
        }
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(words.len());
            match rng.below(3) {
                0 => words[at] = donor[rng.below(donor.len())].clone(),
                1 if words.len() > 3 => {
                    words.remove(at);
                }
                _ => words.insert(at, donor[rng.below(donor.len())].clone()),
            }
        }
        donor.extend(pair.source.split_whitespace().take(3).map(str::to_string));
        out.push(words.join(" "));
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn query<'a>(text: &'a str, limit: usize) -> Query<'a> {
    Query {
        text,
        source_lang: "fr",
        target_lang: "en",
        threshold: threshold(),
        limit,
        exhaustive: false,
    }
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let db =
        std::env::var("MEMOIRE_BENCH_DB").expect("set MEMOIRE_BENCH_DB (see benches/fuzzy.sh)");
    let oracle_n: usize = std::env::var("MEMOIRE_BENCH_ORACLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let store = Store::open_read_only(std::path::Path::new(&db)).expect("open the bench store");
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let sets = [
        ("news", news_queries(root, 1000)),
        ("edited", edited_queries(&store, 1000, &mut rng)),
    ];
    for (name, queries) in &sets {
        std::fs::write(
            format!("{root}/target/fuzzy-queries-{name}.txt"),
            queries.join("\n") + "\n",
        )
        .expect("write the queries");
    }

    // MEMOIRE_BENCH_WARM=1: through the index in memory, as `memoire
    // serve` searches.
    let warm = std::env::var_os("MEMOIRE_BENCH_WARM").map(|_| {
        let start = Instant::now();
        let warm = fuzzy::warm::WarmIndex::load(&store).expect("load the index");
        println!(
            "index in memory: {} pairs read in {:.1} s, RSS {} MiB",
            warm.len(),
            start.elapsed().as_secs_f64(),
            peak_rss_mib()
        );
        warm
    });
    // MEMOIRE_BENCH_PROFILE=N (with MEMOIRE_BENCH_WARM): the edited, then
    // the news queries, N times over, and their mean times: a run to profile
    // (`perf record -D 9000 …`, the index loaded first).
    if let (Some(warm), Ok(n)) = (&warm, std::env::var("MEMOIRE_BENCH_PROFILE")) {
        let n: usize = n.parse().unwrap_or(3).max(1);
        for (name, queries) in sets.iter().rev() {
            let start = Instant::now();
            for _ in 0..n {
                for q in queries {
                    warm.search(&store, &query(q, 5)).expect("search");
                }
            }
            println!(
                "profile: {:.3} ms per {name} query",
                start.elapsed().as_secs_f64() * 1000.0 / (n * queries.len()) as f64
            );
        }
        return;
    }
    // Warm latency, threshold 75, best 5, as `memoire lookup` runs it.
    let mut all = Vec::new();
    for (name, queries) in &sets {
        let mut times = Vec::with_capacity(queries.len());
        let mut with_match = 0;
        for q in queries {
            let start = Instant::now();
            let found = match &warm {
                Some(warm) => warm.search(&store, &query(q, 5)),
                None => fuzzy::search(&store, &query(q, 5)),
            }
            .expect("search");
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            with_match += usize::from(!found.is_empty());
        }
        all.extend_from_slice(&times);
        // Each query's time, in the queries' order: for a model of the
        // server's queue (what one lookup costs, query by query).
        std::fs::write(
            format!("{root}/target/fuzzy-times-{name}.txt"),
            times
                .iter()
                .map(|t| format!("{t:.4}\n"))
                .collect::<String>(),
        )
        .expect("write the times");

        times.sort_by(f64::total_cmp);
        println!(
            "{name:<7} {} queries, {with_match} with a match ≥ {}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
            times.len(),
            threshold(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99),
            times[times.len() - 1]
        );
    }
    all.sort_by(f64::total_cmp);
    println!(
        "all     {} queries: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 0.99)
    );
    println!("peak RSS of the warm process: {} MiB", peak_rss_mib());

    // Recall against scoring every stored source.
    let checked: Vec<&String> = sets
        .iter()
        .flat_map(|(_, q)| q.iter().take(oracle_n))
        .collect();
    let mut sources: Vec<(i64, String)> = Vec::new();
    store
        .for_each_pair(Some("fr"), Some("en"), |p| {
            sources.push((p.id, p.source.clone()));
            Ok(())
        })
        .expect("read the store");
    let start = Instant::now();
    let prepared: Vec<Segment<'_>> = checked.iter().map(|q| Segment::new(q)).collect();
    let halves = sources.split_at(sources.len() / 2);
    let min = threshold();
    let oracle: Vec<BTreeMap<i64, u8>> = std::thread::scope(|scope| {
        let run = |part: &[(i64, String)]| {
            let mut found = vec![BTreeMap::new(); prepared.len()];
            for (id, source) in part {
                let memory = Segment::new(source);
                for (k, q) in prepared.iter().enumerate() {
                    let s = fuzzy::score(&memory, q);
                    if s >= min {
                        found[k].insert(*id, s);
                    }
                }
            }
            found
        };
        let a = scope.spawn(move || run(halves.0));
        let b = run(halves.1);
        let mut a = a.join().expect("oracle thread");
        for (k, more) in b.into_iter().enumerate() {
            a[k].extend(more);
        }
        a
    });
    let oracle_secs = start.elapsed().as_secs_f64();
    let (mut expected, mut got, mut same_best) = (0usize, 0usize, 0usize);
    for (k, q) in checked.iter().enumerate() {
        let indexed: BTreeSet<(i64, u8)> = fuzzy::search(&store, &query(q, usize::MAX))
            .expect("search")
            .into_iter()
            .map(|m| (m.pair.id, m.score))
            .collect();
        let truth: BTreeSet<(i64, u8)> = oracle[k].iter().map(|(&id, &s)| (id, s)).collect();
        expected += truth.len();
        got += truth.intersection(&indexed).count();
        let best = |set: &BTreeSet<(i64, u8)>| set.iter().map(|&(_, s)| s).max();
        same_best += usize::from(best(&truth) == best(&indexed) && truth == indexed);
    }
    println!(
        "recall vs exhaustive on {} queries ({} matches ≥ {} over {} sources, oracle {:.0} s): {:.2} %, identical result sets {} of {}",
        checked.len(),
        expected,
        threshold(),
        sources.len(),
        oracle_secs,
        if expected == 0 {
            100.0
        } else {
            100.0 * got as f64 / expected as f64
        },
        same_best,
        checked.len()
    );
}
