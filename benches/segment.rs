//! Segmentation speed, single-threaded: `cargo bench --bench segment`.
//!
//! Texts: the project's example article repeated to 16 MB, and, when the
//! shared test data is beside the checkout, the French side of WMT
//! newstest2014 (real news articles, SGML tags stripped) repeated likewise.
//! Each text is split five times; the best pass is reported in MB/s.

use std::hint::black_box;
use std::time::Instant;

use memoire::segment::Segmenter;

const TARGET_BYTES: usize = 16 * 1024 * 1024;

fn repeated(text: &str) -> String {
    text.repeat(TARGET_BYTES / text.len().max(1) + 1)
}

fn measure(name: &str, text: &str) {
    let segmenter = Segmenter::french();
    let mut best = f64::INFINITY;
    let mut sentences = 0;
    for _ in 0..5 {
        let start = Instant::now();
        sentences = black_box(segmenter.split(black_box(text))).len();
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mb = text.len() as f64 / 1e6;
    println!(
        "{name:<28} {mb:>6.1} MB  {sentences:>8} sentences  {:>7.1} MB/s",
        mb / best
    );
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let article = std::fs::read_to_string(format!("{root}/examples/article-fr.txt"))
        .expect("examples/article-fr.txt");
    measure("example article (repeated)", &repeated(&article));

    let sgm = format!("{root}/../shared/data/fr-en/newstest/newstest2014-fren-src.fr.sgm");
    match std::fs::read_to_string(&sgm) {
        Ok(raw) => {
            let text: String = raw
                .lines()
                .filter(|l| l.starts_with("<seg"))
                .filter_map(|l| Some(l.split_once('>')?.1.trim_end_matches("</seg>")))
                .collect::<Vec<_>>()
                .join("\n");
            measure("newstest2014 fr (repeated)", &repeated(&text));
        }
        Err(_) => println!("(newstest2014 not found at {sgm}; skipped)"),
    }
}
