//! Term recognition speed: `cargo bench --bench glossary`.
//!
//! A glossary of more than 10,000 entries — memoire's shipped glossary plus
//! the FreeDict, FranceTerme and TICO-19 lists from ../shared/data/glossary
//! — built in memory, then `Glossary::find` over the 3,003 French sentences
//! of WMT newstest2014 (the project's example article when the shared data
//! is not there). Reports the build time and the time per sentence.

use std::time::Instant;

use memoire::glossary::{Glossary, Side, shipped};
use memoire::store::{Term, TermStatus};

fn term(id: usize, source: &str, target: &str) -> Term {
    Term {
        id: id as i64,
        source_lang: "fr".into(),
        target_lang: "en".into(),
        source: source.into(),
        target: target.into(),
        domain: None,
        note: None,
        status: TermStatus::Preferred,
        origin: "bench".into(),
        pos: None,
        checked: None,
    }
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut terms: Vec<Term> = shipped()
        .expect("shipped glossary")
        .iter()
        .enumerate()
        .map(|(i, t)| term(i, &t.source, &t.target))
        .collect();
    for file in [
        "freedict_fra-eng_terms.csv",
        "franceterme_fr-en.csv",
        "tico19_terminology_fr-en.csv",
    ] {
        let path = format!("{root}/../shared/data/glossary/{file}");
        let Ok(mut reader) = csv::Reader::from_path(&path) else {
            println!("({path} not found; skipped)");
            continue;
        };
        for record in reader.records().map_while(Result::ok) {
            if let (Some(s), Some(t)) = (record.get(0), record.get(1)) {
                terms.push(term(terms.len(), s, t));
            }
        }
    }
    let sgm = format!("{root}/../shared/data/fr-en/newstest/newstest2014-fren-src.fr.sgm");
    let sentences: Vec<String> = match std::fs::read_to_string(&sgm) {
        Ok(raw) => raw
            .lines()
            .filter(|l| l.starts_with("<seg"))
            .filter_map(|l| Some(l.split_once('>')?.1.trim_end_matches("</seg>").to_string()))
            .collect(),
        Err(_) => std::fs::read_to_string(format!("{root}/examples/article-fr.txt"))
            .expect("example article")
            .lines()
            .map(str::to_string)
            .collect(),
    };

    let start = Instant::now();
    let glossary = Glossary::new(terms, Side::Source, "fr");
    let build = start.elapsed();

    let mut times: Vec<f64> = Vec::with_capacity(sentences.len());
    let mut found = 0;
    for _round in 0..3 {
        times.clear();
        found = 0;
        for sentence in &sentences {
            let start = Instant::now();
            found += std::hint::black_box(glossary.find(sentence)).len();
            times.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    let p99 = times[(times.len() - 1) * 99 / 100];
    println!(
        "{} entries, built in {:.0} ms; {} sentences, {found} terms found: mean {mean:.1} µs, p99 {p99:.1} µs, max {:.1} µs per sentence",
        glossary.len(),
        build.as_secs_f64() * 1000.0,
        sentences.len(),
        times[times.len() - 1]
    );
}
