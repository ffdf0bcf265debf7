//! Learning from a translated document and its original
//! (`memoire import --aligned ORIGINAL TRANSLATED`): paragraphs are paired
//! in order, sentences within them by length (Gale & Church, 1993), and
//! each pair gets a confidence; pairs below [`MIN_CONFIDENCE`] go to the
//! rejects file, not to the memory.
//!
//! Gale & Church: the length of a sentence's translation, in characters,
//! is about `c` times its own (`c` measured on the two documents), with a
//! variance proportional to the length (`s² = 6.8`). Each way of grouping
//! sentences (1–1, 1–0, 0–1, 2–1, 1–2, 2–2) has a prior probability; a
//! dynamic programme finds the grouping of least cost (−log probability)
//! for each paragraph. A pair's confidence is the two-sided probability of
//! its length difference, `2 (1 − Φ(|δ|))`, times 0.9 for a grouping of
//! two sentences with one (0.8 for two with two): it says how well the
//! lengths agree, not whether the words do.

use std::path::Path;

use crate::document;
use crate::error::{Error, Kind, Result};
use crate::format::{BadRow, PairRow, RowSource};
use crate::segment::Segmenter;
use crate::text::{self, Coded};

/// Pairs below this confidence (0–100) are rejected.
pub const MIN_CONFIDENCE: u8 = 10;

/// The variance of a length difference per source character.
const VARIANCE: f64 = 6.8;

/// Groupings of sentences (source, target) and their prior probabilities.
const BEADS: [((usize, usize), f64); 6] = [
    ((1, 1), 0.89),
    ((1, 0), 0.0099 / 2.0),
    ((0, 1), 0.0099 / 2.0),
    ((2, 1), 0.089 / 2.0),
    ((1, 2), 0.089 / 2.0),
    ((2, 2), 0.011),
];

/// The standard normal distribution function (Abramowitz & Stegun 7.1.26).
fn phi(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs() / std::f64::consts::SQRT_2);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-(x * x) / 2.0).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// The two-sided probability of a length difference as large as this one.
fn match_probability(source_len: usize, target_len: usize, ratio: f64) -> f64 {
    if source_len == 0 && target_len == 0 {
        return 1.0;
    }
    let mean = (source_len as f64 + target_len as f64 / ratio) / 2.0;
    let delta = (target_len as f64 - source_len as f64 * ratio) / (mean * VARIANCE).sqrt();
    (2.0 * (1.0 - phi(delta.abs()))).max(1e-12)
}

/// One aligned pair: the source and target sentences it joins (ranges of
/// indexes) and its confidence (0–100).
#[derive(Debug, Clone, PartialEq)]
pub struct Bead {
    pub source: std::ops::Range<usize>,
    pub target: std::ops::Range<usize>,
    pub confidence: u8,
}

/// Align `source` and `target` sentence lengths (characters); `ratio` is
/// the expected target length per source character.
pub fn align_lengths(source: &[usize], target: &[usize], ratio: f64) -> Vec<Bead> {
    let (n, m) = (source.len(), target.len());
    let mut cost = vec![vec![f64::INFINITY; m + 1]; n + 1];
    let mut back = vec![vec![(0usize, 0usize); m + 1]; n + 1];
    cost[0][0] = 0.0;
    let sum =
        |lens: &[usize], from: usize, count: usize| lens[from..from + count].iter().sum::<usize>();
    for i in 0..=n {
        for j in 0..=m {
            if i == 0 && j == 0 {
                continue;
            }
            for ((di, dj), prior) in BEADS {
                if di > i || dj > j {
                    continue;
                }
                let previous = cost[i - di][j - dj];
                if previous.is_infinite() {
                    continue;
                }
                let p = match_probability(sum(source, i - di, di), sum(target, j - dj, dj), ratio);
                let c = previous - prior.ln() - p.ln();
                if c < cost[i][j] {
                    cost[i][j] = c;
                    back[i][j] = (di, dj);
                }
            }
        }
    }
    let mut beads = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let (di, dj) = back[i][j];
        let p = match_probability(sum(source, i - di, di), sum(target, j - dj, dj), ratio);
        // A sentence left alone has no pair; a grouping of several
        // sentences, which the alignment chose over the others, is a
        // little less sure than one for one.
        let weight = match (di, dj) {
            (0, _) | (_, 0) => 0.0,
            (1, 1) => 1.0,
            (2, 2) => 0.8,
            _ => 0.9,
        };
        beads.push(Bead {
            source: i - di..i,
            target: j - dj..j,
            confidence: (100.0 * p * weight).round().clamp(0.0, 100.0) as u8,
        });
        i -= di;
        j -= dj;
    }
    beads.reverse();
    beads
}

/// A pair the alignment found, as the import reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedPair {
    pub confidence: u8,
    pub source: String,
    pub target: String,
}

/// The pairs of a document and its translation, as rows to import.
pub struct AlignedSource {
    rows: std::vec::IntoIter<std::result::Result<PairRow, BadRow>>,
    pairs: Vec<AlignedPair>,
    described: String,
    size: u64,
    read: u64,
}

impl AlignedSource {
    /// Read both documents (the same format, the same paragraphs) and
    /// align them.
    pub fn open(
        original: &Path,
        translated: &Path,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<AlignedSource> {
        let a = document::read(original, None)?;
        let b = document::read(translated, None)?;
        if a.format() != b.format() {
            return Err(Error::new(
                Kind::Input,
                format!(
                    "the original is {} and the translation {}: align two files of the same \
                     format",
                    a.format().name(),
                    b.format().name()
                ),
            )
            .at(translated));
        }
        let (pa, pb) = (a.paragraphs(), b.paragraphs());
        if pa.len() != pb.len() {
            return Err(Error::new(
                Kind::Input,
                format!(
                    "the original has {} paragraphs and the translation {}: memoire aligns \
                     documents with the same paragraph structure only",
                    pa.len(),
                    pb.len()
                ),
            )
            .at(translated));
        }
        let source_segmenter = Segmenter::for_language(source_lang);
        let target_segmenter = Segmenter::for_language(target_lang);
        let sentences = |segmenter: &Segmenter, content: &Coded| -> Vec<Coded> {
            let (_, inner) = content.hoist();
            let ranges = segmenter.split_coded(&inner);
            inner
                .split(&ranges)
                .into_iter()
                .map(|(_, mut piece)| {
                    piece.renumber();
                    piece
                })
                .collect()
        };
        let split: Vec<(Vec<Coded>, Vec<Coded>)> = pa
            .iter()
            .zip(pb)
            .map(|(x, y)| {
                (
                    sentences(&source_segmenter, &x.content),
                    sentences(&target_segmenter, &y.content),
                )
            })
            .collect();
        let chars = |s: &Coded| s.text.chars().count();
        let source_chars: usize = split.iter().flat_map(|p| &p.0).map(chars).sum();
        let target_chars: usize = split.iter().flat_map(|p| &p.1).map(chars).sum();
        let ratio = (target_chars as f64 / source_chars.max(1) as f64).clamp(0.5, 2.0);
        let mut rows = Vec::new();
        let mut pairs = Vec::new();
        let mut below = 0;
        let mut untranslated = 0;
        for (k, (source, target)) in split.iter().enumerate() {
            let lengths = |v: &Vec<Coded>| v.iter().map(chars).collect::<Vec<_>>();
            let beads = align_lengths(&lengths(source), &lengths(target), ratio);
            let texts: Vec<(Coded, Coded)> = beads
                .iter()
                .map(|b| {
                    (
                        Coded::join(&source[b.source.clone()], " "),
                        Coded::join(&target[b.target.clone()], " "),
                    )
                })
                .collect();
            for (n, (bead, (s, t))) in beads.iter().zip(&texts).enumerate() {
                let line = (k + 1) as u64;
                let raw = csv_row(&[
                    &s.text,
                    &t.text,
                    &bead.confidence.to_string(),
                    &pa[k].location,
                ]);
                pairs.push(AlignedPair {
                    confidence: bead.confidence,
                    source: s.text.clone(),
                    target: t.text.clone(),
                });
                let reason = if s.text.trim().is_empty() || t.text.trim().is_empty() {
                    Some("a sentence without a counterpart".to_string())
                } else if text::match_key(&s.text) == text::match_key(&t.text) {
                    untranslated += 1;
                    Some("the translation is the original's text: left untranslated".to_string())
                } else if bead.confidence < MIN_CONFIDENCE {
                    Some(format!(
                        "alignment confidence {} % is below {MIN_CONFIDENCE} %: check the pair",
                        bead.confidence
                    ))
                } else {
                    None
                };
                if let Some(reason) = reason {
                    below += 1;
                    rows.push(Err(BadRow { line, reason, raw }));
                    continue;
                }
                let (s, t) = crate::format::inline::align(
                    (s.clone(), vec![Default::default(); s.codes.len()]),
                    (t.clone(), vec![Default::default(); t.codes.len()]),
                );
                rows.push(Ok(PairRow {
                    line,
                    source: s.text,
                    target: t.text,
                    source_codes: s.codes,
                    target_codes: t.codes,
                    prev_source: n.checked_sub(1).map(|p| texts[p].0.text.clone()),
                    next_source: texts.get(n + 1).map(|x| x.0.text.clone()),
                    raw,
                    ..PairRow::default()
                }));
            }
        }
        if !pairs.is_empty() && untranslated == pairs.len() {
            return Err(Error::new(
                Kind::Input,
                "every sentence of the translation is the original's: give the translated \
                 document second",
            )
            .at(translated));
        }
        let size = std::fs::metadata(translated).map_or(0, |m| m.len());
        Ok(AlignedSource {
            described: format!(
                "aligned with {}: {} paragraphs, {} pairs, {} below {MIN_CONFIDENCE} % or alone",
                original.display(),
                pa.len(),
                pairs.len(),
                below
            ),
            rows: rows.into_iter(),
            pairs,
            size,
            read: 0,
        })
    }

    /// Every pair found, with its confidence, learnt or not.
    pub fn pairs(&self) -> &[AlignedPair] {
        &self.pairs
    }
}

/// One CSV row (for the rejects file).
fn csv_row(cells: &[&str]) -> Vec<u8> {
    let mut raw = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut raw);
        w.write_record(
            cells
                .iter()
                .map(|c| crate::format::csv::formula_guard(c).into_owned()),
        )
        .and_then(|()| w.flush().map_err(csv::Error::from))
        .expect("writing to memory");
    }
    raw
}

impl RowSource for AlignedSource {
    fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>> {
        let row = self.rows.next();
        if row.is_some() {
            self.read += 1;
        }
        Ok(row)
    }

    fn bytes_read(&self) -> u64 {
        let n = self.pairs.len().max(1) as u64;
        self.size * self.read.min(n) / n
    }

    fn describe(&self) -> String {
        self.described.clone()
    }

    fn rejects_frame(&self) -> (Vec<u8>, Vec<u8>) {
        (b"source,target,confidence,paragraph\n".to_vec(), Vec::new())
    }

    fn aligned(&self) -> Vec<AlignedPair> {
        self.pairs.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_one_when_lengths_agree_and_two_to_one_when_joined() {
        let beads = align_lengths(&[40, 80, 30], &[38, 85, 29], 1.0);
        let shape: Vec<(usize, usize)> = beads
            .iter()
            .map(|b| (b.source.len(), b.target.len()))
            .collect();
        assert_eq!(shape, [(1, 1), (1, 1), (1, 1)]);
        assert!(beads.iter().all(|b| b.confidence >= 50), "{beads:?}");
        // The translator joined the last two sentences.
        let beads = align_lengths(&[40, 60, 50], &[41, 112], 1.0);
        let shape: Vec<(usize, usize)> = beads
            .iter()
            .map(|b| (b.source.len(), b.target.len()))
            .collect();
        assert_eq!(shape, [(1, 1), (2, 1)]);
    }

    #[test]
    fn a_pair_of_very_different_lengths_has_a_low_confidence() {
        let beads = align_lengths(&[20], &[200], 1.0);
        assert!(beads[0].confidence < MIN_CONFIDENCE, "{beads:?}");
    }

    #[test]
    fn phi_is_the_normal_distribution() {
        assert!((phi(0.0) - 0.5).abs() < 1e-6);
        assert!((phi(1.96) - 0.975).abs() < 1e-3);
        assert!((phi(-1.0) - 0.1587).abs() < 1e-3);
    }
}
