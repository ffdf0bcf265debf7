//! Fuzzy matching: the score translators know from CAT tools, and a
//! lossless candidate search through an index kept in the SQLite file.
//!
//! ## Score (0–100)
//! Segments are cut into tokens ([`text::tokens`]): words, numbers and
//! punctuation marks.
//!
//! * **100** — identical after normalisation ([`text::match_key`]: NFC,
//!   white space and no-break spaces, ’ and ', quote styles).
//! * **95–99** — the words are the same up to case, accents, number values
//!   and punctuation: `100 × (1 − cost ÷ tokens)`, tokens counted with
//!   punctuation, kept within 95–99.
//! * **0–94** — otherwise, a word-level edit distance: `100 × (1 − cost ÷ n)`
//!   rounded down, `n` the number of words and numbers in the longer
//!   segment. Inserting, deleting or replacing a word or number costs 1; a
//!   case- or accent-only change, a changed number value, or an inserted,
//!   deleted or replaced punctuation mark costs 0.2.
//!
//! The score is symmetric and `score(a, a) = 100`.
//!
//! ## Lossless search
//! The index maps every folded word and number ([`text::fold`]: lower case,
//! no accents, numbers as `#`) to the pairs whose source contains it, by
//! source length in words. For a threshold `t` (≥ 50 in the CLI), with
//! `δ = 1 − t/100`, a query of `q` words and a stored source of `s` words:
//!
//! * a score ≥ t allows at most `e = ⌊δ·max(q, s)⌋` full-cost edits, because
//!   the cost is at least the number of full-cost edits and minor edits never
//!   change the folded words;
//! * **length filter**: `|q − s| ≤ e`;
//! * **count filter**: the folded word multisets share at least
//!   `k = max(q, s) − e` words, since each full-cost edit removes at most one
//!   shared word. Each posting keeps how often its source holds the term
//!   ([`Postings`]), so a source is credited the smaller of that and the
//!   query's count: a sentence with « de » five times no longer lets every
//!   source with one « de » count five;
//! * **prefix filter**: order the query's words rarest first; a source
//!   sharing `k` of them contains one of the first `q − k + 1` (pigeonhole).
//!   Only those posting lists are read, one range per allowed length `s`, so
//!   the lists of « de », « la », « le » are almost never touched. Words the
//!   memory has never seen sort first and cost nothing;
//! * **pruning**: the next-rarest lists are then read only to count, while
//!   they are short next to the candidate set; a candidate whose terms found
//!   so far plus the query terms not yet read fall below `k` is dropped.
//!   The index in memory ([`warm`]) also keeps, per source, how often it
//!   holds each of the sixteen most frequent terms (« de », « la »…): the
//!   lists of those, the longest, are then never read to prune, and each
//!   candidate counts the smaller of its and the query's occurrences instead
//!   ([`Frequent`]);
//!
//! * **subsequence filter**: the words an alignment keeps (same folded
//!   form, same order) are a common subsequence of the two term sequences,
//!   so a match's longest common subsequence with the query holds at least
//!   `k` words; every candidate is checked against its stored terms in
//!   order ([`Pattern`], bit-parallel), and the LCS bounds its score;
//! * **top `limit`**: candidates are scored best bound first; once `limit`
//!   sources are found, one whose bound is below the lowest of their scores
//!   ends the search.
//!
//! None is dropped on a guess, so the search returns exactly what scoring
//! every stored segment would ([`search`] with `exhaustive`: the oracle the
//! tests compare against).

pub mod warm;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::Result;
use crate::store::{PairRecord, Pairs, Store};
use crate::text::{self, Token, TokenKind};

/// Cost units: a full edit is 10, a minor one 2 (0.2 of a word).
const FULL: u32 = 10;
const MINOR: u32 = 2;

/// A segment cut into tokens, with what scoring and search need.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    /// The text in NFC.
    pub text: Cow<'a, str>,
    key: String,
    tokens: Vec<Token>,
    /// Each token as keys compare it (one apostrophe style, no zero-width
    /// characters): two tokens with the same key are the same.
    keys: Pieces,
    /// Folded form of each token.
    folds: Pieces,
}

/// Strings side by side in one buffer (a segment's token keys, or its
/// folded tokens): two allocations a segment, not one a token (a server
/// scores scores of candidates a lookup).
#[derive(Debug, Clone)]
struct Pieces {
    text: String,
    /// Piece i is `text[bounds[i]..bounds[i + 1]]`.
    bounds: Vec<u32>,
}

impl Pieces {
    fn with_capacity(bytes: usize, pieces: usize) -> Pieces {
        let mut bounds = Vec::with_capacity(pieces + 1);
        bounds.push(0);
        Pieces {
            text: String::with_capacity(bytes),
            bounds,
        }
    }

    fn push(&mut self, piece: &str) {
        self.text.push_str(piece);
        self.bounds.push(self.text.len() as u32);
    }

    #[inline]
    fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.bounds[i] as usize..self.bounds[i + 1] as usize
    }

    fn get(&self, i: usize) -> &str {
        &self.text[self.range(i)]
    }

    /// Whether piece `i` is `other`'s piece `j` (the edit distance's inner
    /// loop: bytes, no check of character boundaries).
    #[inline]
    fn same(&self, i: usize, other: &Pieces, j: usize) -> bool {
        self.text.as_bytes()[self.range(i)] == other.text.as_bytes()[other.range(j)]
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.bounds.len() - 1).map(|i| self.get(i))
    }
}

impl<'a> Segment<'a> {
    pub fn new(text: &'a str) -> Segment<'a> {
        let text = text::nfc(text);
        let tokens = text::tokens(&text);
        let piece = |t: &Token| &text[t.span.clone()];
        let mut keys = Pieces::with_capacity(text.len(), tokens.len());
        let mut folds = Pieces::with_capacity(text.len(), tokens.len());
        for t in &tokens {
            keys.push(&text::token_key(piece(t)));
            folds.push(&text::fold(t.kind, piece(t)));
        }
        Segment {
            key: text::match_key(&text),
            text,
            tokens,
            keys,
            folds,
        }
    }

    /// Folded words and numbers, in order: what the index stores (the same
    /// as [`index_terms`]).
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.tokens
            .iter()
            .zip(self.folds.iter())
            .filter(|(t, _)| t.kind != TokenKind::Punct)
            .map(|(_, f)| f)
    }

    /// Number of tokens (words, numbers and punctuation marks).
    pub fn token_count(&self) -> usize {
        self.tokens.len()
    }

    /// Number of words and numbers.
    pub fn word_count(&self) -> usize {
        self.tokens
            .iter()
            .filter(|t| t.kind != TokenKind::Punct)
            .count()
    }

    fn token_text(&self, i: usize) -> &str {
        &self.text[self.tokens[i].span.clone()]
    }

    fn indel_cost(&self, i: usize) -> u32 {
        match self.tokens[i].kind {
            TokenKind::Punct => MINOR,
            _ => FULL,
        }
    }
}

/// The folded words and numbers of a stored source, in order: what the
/// index keeps for it. The same as [`Segment::terms`], without the match
/// key and the token keys a score needs (the import's hot path).
pub fn index_terms(text: &str) -> Vec<String> {
    let text = text::nfc(text);
    text::tokens(&text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .map(|t| text::fold(t.kind, &text[t.span]).into_owned())
        .collect()
}

/// Cost of turning token `i` of `a` into token `j` of `b`.
fn substitution_cost(a: &Segment<'_>, i: usize, b: &Segment<'_>, j: usize) -> u32 {
    let (ka, kb) = (a.tokens[i].kind, b.tokens[j].kind);
    if ka != kb {
        return FULL;
    }
    if a.keys.same(i, &b.keys, j) {
        return 0; // ’ and ', 10 000 and 10\u{a0}000: the same token
    }
    if ka == TokenKind::Punct && a.folds.same(i, &b.folds, j) {
        return 0; // « and " , ’ and ': the same mark
    }
    match ka {
        TokenKind::Punct | TokenKind::Number => MINOR,
        TokenKind::Word if a.folds.same(i, &b.folds, j) => MINOR,
        TokenKind::Word => FULL,
    }
}

/// One step of an alignment of `a` (memory) to `b` (query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Keep(usize, usize),
    Replace(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// The full edit-distance table, for the alignment behind a diff.
fn table(a: &Segment<'_>, b: &Segment<'_>) -> Vec<Vec<u32>> {
    let (n, m) = (a.tokens.len(), b.tokens.len());
    let mut d = vec![vec![0u32; m + 1]; n + 1];
    for i in 1..=n {
        d[i][0] = d[i - 1][0] + a.indel_cost(i - 1);
    }
    for j in 1..=m {
        d[0][j] = d[0][j - 1] + b.indel_cost(j - 1);
    }
    for i in 1..=n {
        for j in 1..=m {
            d[i][j] = (d[i - 1][j - 1] + substitution_cost(a, i - 1, b, j - 1))
                .min(d[i - 1][j] + a.indel_cost(i - 1))
                .min(d[i][j - 1] + b.indel_cost(j - 1));
        }
    }
    d
}

/// Edit cost in units (two rows, no alignment).
fn cost(a: &Segment<'_>, b: &Segment<'_>) -> u32 {
    let m = b.tokens.len();
    let mut prev: Vec<u32> = std::iter::once(0)
        .chain((0..m).scan(0, |acc, j| {
            *acc += b.indel_cost(j);
            Some(*acc)
        }))
        .collect();
    let mut row = vec![0u32; m + 1];
    for i in 0..a.tokens.len() {
        row[0] = prev[0] + a.indel_cost(i);
        for j in 0..m {
            row[j + 1] = (prev[j] + substitution_cost(a, i, b, j))
                .min(prev[j + 1] + a.indel_cost(i))
                .min(row[j] + b.indel_cost(j));
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[m]
}

/// The score of a stored segment against a query (symmetric).
pub fn score(a: &Segment<'_>, b: &Segment<'_>) -> u8 {
    if a.key == b.key {
        return 100;
    }
    let cost = cost(a, b);
    if a.terms().eq(b.terms()) {
        // Only case, accents, number values or punctuation differ.
        let tokens = a.tokens.len().max(b.tokens.len()).max(1) as u32;
        let percent = 100 - (100 * cost).div_ceil(FULL * tokens).min(100);
        return percent.clamp(95, 99) as u8;
    }
    let words = a.word_count().max(b.word_count()).max(1) as u32;
    let lost = (100 * cost).div_ceil(FULL * words).min(100);
    (100 - lost).min(94) as u8
}

/// The score of `a` against `b` when it can reach `min`, `None` when it
/// cannot — checked first by a cheap bound, so that ruling out a pair
/// rarely runs the edit distance. Lossless: `Some(score(a, b))` whenever
/// `score(a, b) >= min`.
///
/// The bound: a word of one whose folded form the other lacks (counting
/// repeats) costs a full edit whatever the alignment, as a substitution by
/// a different word, a deletion or an insertion.
pub fn score_at_least(a: &Segment<'_>, b: &Segment<'_>, min: u8) -> Option<u8> {
    if a.key != b.key {
        fn words<'s>(s: &'s Segment<'_>) -> Vec<&'s str> {
            let mut w: Vec<&str> = (s.tokens.iter().zip(s.folds.iter()))
                .filter(|(t, _)| t.kind == TokenKind::Word)
                .map(|(_, f)| f)
                .collect();
            w.sort_unstable();
            w
        }
        let (wa, wb) = (words(a), words(b));
        let (mut i, mut j, mut only_a, mut only_b) = (0, 0, 0usize, 0usize);
        while i < wa.len() && j < wb.len() {
            match wa[i].cmp(wb[j]) {
                std::cmp::Ordering::Less => (only_a, i) = (only_a + 1, i + 1),
                std::cmp::Ordering::Greater => (only_b, j) = (only_b + 1, j + 1),
                std::cmp::Ordering::Equal => (i, j) = (i + 1, j + 1),
            }
        }
        let unmatched = (only_a + wa.len() - i).max(only_b + wb.len() - j);
        if unmatched > 0 {
            let words = a.word_count().max(b.word_count()).max(1);
            let best = 100 - (100 * unmatched).div_ceil(words).min(100);
            if best < usize::from(min) {
                return None;
            }
        }
    }
    Some(score(a, b)).filter(|&s| s >= min)
}

/// The cheapest alignment of `memory` to `query`.
fn alignment(memory: &Segment<'_>, query: &Segment<'_>) -> Vec<Step> {
    let d = table(memory, query);
    let (mut i, mut j) = (memory.tokens.len(), query.tokens.len());
    let mut steps = Vec::with_capacity(i.max(j));
    while i > 0 || j > 0 {
        if i > 0 && j > 0 {
            let sub = substitution_cost(memory, i - 1, query, j - 1);
            if d[i][j] == d[i - 1][j - 1] + sub {
                steps.push(if sub == 0 {
                    Step::Keep(i - 1, j - 1)
                } else {
                    Step::Replace(i - 1, j - 1)
                });
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 0 && d[i][j] == d[i - 1][j] + memory.indel_cost(i - 1) {
            steps.push(Step::Delete(i - 1));
            i -= 1;
        } else {
            steps.push(Step::Insert(j - 1));
            j -= 1;
        }
    }
    steps.reverse();
    steps
}

/// A piece of a word diff: text both share, the memory's words the query
/// does not have, or the query's words the memory does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum DiffPart {
    Same(String),
    Removed(String),
    Added(String),
}

/// A word-level diff of the memory source against the query: what the
/// translator must change. [`render_diff`] writes it in the
/// `[-removed-]{+added+}` notation.
pub fn diff_parts(memory: &Segment<'_>, query: &Segment<'_>) -> Vec<DiffPart> {
    let mut parts: Vec<DiffPart> = Vec::new();
    let same = |parts: &mut Vec<DiffPart>, text: &str| {
        if text.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(DiffPart::Same(s)) => s.push_str(text),
            _ => parts.push(DiffPart::Same(text.to_string())),
        }
    };
    let mut last_end = 0;
    // White space of the memory source before its token `i`.
    let gap = |i: usize, last_end: usize| &memory.text[last_end..memory.tokens[i].span.start];
    let steps = alignment(memory, query);
    let mut k = 0;
    while k < steps.len() {
        match steps[k] {
            Step::Keep(i, _) => {
                same(&mut parts, gap(i, last_end));
                same(&mut parts, memory.token_text(i));
                last_end = memory.tokens[i].span.end;
                k += 1;
            }
            _ => {
                // A run of changes: all removed words, then all added ones.
                let run_end = steps[k..]
                    .iter()
                    .position(|s| matches!(s, Step::Keep(..)))
                    .map_or(steps.len(), |p| k + p);
                let removed: Vec<usize> = steps[k..run_end]
                    .iter()
                    .filter_map(|s| match s {
                        Step::Replace(i, _) | Step::Delete(i) => Some(*i),
                        _ => None,
                    })
                    .collect();
                let added: Vec<usize> = steps[k..run_end]
                    .iter()
                    .filter_map(|s| match s {
                        Step::Replace(_, j) | Step::Insert(j) => Some(*j),
                        _ => None,
                    })
                    .collect();
                if let (Some(&first), Some(&last)) = (removed.first(), removed.last()) {
                    same(&mut parts, gap(first, last_end));
                    parts.push(DiffPart::Removed(
                        memory.text[memory.tokens[first].span.start..memory.tokens[last].span.end]
                            .to_string(),
                    ));
                    last_end = memory.tokens[last].span.end;
                } else if parts.last().is_some_and(|p| match p {
                    DiffPart::Same(s) => !s.ends_with(char::is_whitespace),
                    _ => true,
                }) {
                    same(&mut parts, " ");
                }
                if let (Some(&first), Some(&last)) = (added.first(), added.last()) {
                    parts.push(DiffPart::Added(
                        query.text[query.tokens[first].span.start..query.tokens[last].span.end]
                            .to_string(),
                    ));
                    // An insertion glued to the next word: keep them apart.
                    let next_is_word = steps.get(run_end).is_some_and(|s| match s {
                        Step::Keep(i, _) => {
                            memory.tokens[*i].kind != TokenKind::Punct
                                && gap(*i, last_end).is_empty()
                        }
                        _ => false,
                    });
                    if removed.is_empty() && next_is_word {
                        same(&mut parts, " ");
                    }
                }
                k = run_end;
            }
        }
    }
    parts
}

/// A diff in the `[-removed-]{+added+}` notation.
pub fn render_diff(parts: &[DiffPart]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            DiffPart::Same(text) => out.push_str(text),
            DiffPart::Removed(text) => {
                out.push_str("[-");
                out.push_str(text);
                out.push_str("-]");
            }
            DiffPart::Added(text) => {
                out.push_str("{+");
                out.push_str(text);
                out.push_str("+}");
            }
        }
    }
    out
}

/// [`diff_parts`] rendered by [`render_diff`].
pub fn diff(memory: &Segment<'_>, query: &Segment<'_>) -> String {
    render_diff(&diff_parts(memory, query))
}

/// When a match differs from the query only in number values, the target
/// with the query's numbers put in, in English notation. `None` when other
/// things differ, or a number of the memory source is not found exactly once
/// in the target.
pub fn adjust_numbers(memory: &Segment<'_>, query: &Segment<'_>, target: &str) -> Option<String> {
    let steps = alignment(memory, query);
    let mut changes: Vec<(f64, &str)> = Vec::new();
    for step in steps {
        match step {
            Step::Keep(..) => {}
            Step::Replace(i, j)
                if memory.tokens[i].kind == TokenKind::Number
                    && query.tokens[j].kind == TokenKind::Number =>
            {
                changes.push((french_number(memory.token_text(i))?, query.token_text(j)));
            }
            _ => return None,
        }
    }
    if changes.is_empty() {
        return None;
    }
    let target_tokens = text::tokens(target);
    let numbers: Vec<(std::ops::Range<usize>, f64)> = target_tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Number)
        .filter_map(|t| Some((t.span.clone(), english_number(&target[t.span.clone()])?)))
        .collect();
    let mut replacements: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    for (old, new) in changes {
        let mut found = numbers.iter().filter(|(_, v)| *v == old);
        let (span, _) = found.next()?;
        if found.next().is_some() {
            return None; // ambiguous: the same value twice in the target
        }
        let styled = english_notation(new, &target[span.clone()])?;
        if replacements
            .insert(span.start, (span.end, styled))
            .is_some()
        {
            return None;
        }
    }
    let mut out = String::with_capacity(target.len() + 8);
    let mut at = 0;
    for (start, (end, new)) in replacements {
        out.push_str(&target[at..start]);
        out.push_str(&new);
        at = end;
    }
    out.push_str(&target[at..]);
    Some(out)
}

/// A number written the French or Swiss way, as integer and decimal
/// digits: the decimal separator is the last comma (`3,5`, `1.000,5`), or
/// else a last dot not followed by exactly three digits (`12.50`); every
/// other separator groups thousands (`10’000`, `1 200`, `10.000`). So
/// `1.234` reads as 1234, as a French text means it.
fn french_parts(number: &str) -> Option<(String, String)> {
    let decimal_at = number.rfind(',').or_else(|| {
        number
            .rfind('.')
            .filter(|&p| number[p + 1..].chars().filter(char::is_ascii_digit).count() != 3)
    });
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let (int, frac) = match decimal_at {
        Some(p) => (digits(&number[..p]), digits(&number[p + 1..])),
        None => (digits(number), String::new()),
    };
    (!int.is_empty()).then_some((int, frac))
}

fn french_number(number: &str) -> Option<f64> {
    let (int, frac) = french_parts(number)?;
    format!("{int}.{frac}0").parse().ok()
}

/// The value of a number written the English way: `10,000`, `3.5`.
fn english_number(number: &str) -> Option<f64> {
    let plain: String = number
        .chars()
        .filter(|&c| c != ',' && c != '’' && c != '\'')
        .collect();
    plain.parse().ok()
}

/// The query's French number in English notation, its thousands grouped
/// with commas only when the target grouped the number it replaces
/// (`10,000`), so that identifiers and postcodes stay as they are.
fn english_notation(french: &str, target_style: &str) -> Option<String> {
    let (int, frac) = french_parts(french)?;
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let grouped = target_style.contains(',');
    let mut out = String::with_capacity(int.len() + frac.len() + 4);
    for (k, c) in int.chars().enumerate() {
        if grouped && k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac);
    }
    Some(out)
}

/// One suggestion: a stored pair and how well its source matches.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub score: u8,
    #[serde(flatten)]
    pub pair: PairRecord,
    /// How many translations the memory holds for this source.
    pub alternatives: usize,
    /// The memory source against the query, `[-old-]{+new+}`.
    pub diff: String,
    /// The same diff in parts, for renderings with other marks (HTML).
    pub diff_parts: Vec<DiffPart>,
    /// The target with the query's numbers, when only numbers differ.
    pub adjusted_target: Option<String>,
}

/// What to look for.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    pub text: &'a str,
    pub source_lang: &'a str,
    pub target_lang: &'a str,
    /// Lowest score returned (50–100 keeps the search lossless and fast).
    pub threshold: u8,
    /// Most distinct sources returned; all translations of each are kept.
    pub limit: usize,
    /// Score every stored segment instead of using the index.
    pub exhaustive: bool,
}

/// The best matches for a query, best first; translations of the same
/// source stay together, most recently changed first.
pub fn search<S: Pairs + Index>(store: &S, query: &Query<'_>) -> Result<Vec<Match>> {
    search_with(store, store, query)
}

/// [`search`], reading the fuzzy index from `index` (the store's own, or
/// a copy in memory: [`warm::WarmIndex`]) and the pairs from `store`.
pub fn search_with(store: &dyn Pairs, index: &dyn Index, query: &Query<'_>) -> Result<Vec<Match>> {
    // One read transaction: one snapshot, and no lock taken per statement.
    let mut found = Vec::new();
    store.read_snapshot(&mut || {
        found = search_in(store, index, query)?;
        Ok(())
    })?;
    Ok(found)
}

fn search_in(store: &dyn Pairs, index: &dyn Index, query: &Query<'_>) -> Result<Vec<Match>> {
    let segment = Segment::new(query.text);
    let mut scored: Vec<(u8, PairRecord)> = Vec::new();
    if query.exhaustive || query.threshold == 0 {
        store.each_pair(Some(query.source_lang), Some(query.target_lang), &mut |p| {
            let s = score(&Segment::new(&p.source), &segment);
            if s >= query.threshold {
                scored.push((s, p.clone()));
            }
            Ok(())
        })?;
        return Ok(rank(scored, &segment, query.limit));
    }
    let mut best = TopSources::new(query.limit.max(1), query.threshold);
    let mut seen: std::collections::HashSet<i64> = std::collections::HashSet::new();
    // An index that holds the sources (over a database server) scores its
    // candidates without the store; the pairs that score, and the exact
    // matches, are read at the end in one statement. These wait here: id,
    // score, match key.
    let held = index.holds_sources();
    let mut waiting: Vec<(i64, u8, String)> = Vec::new();
    // `source`: the pair's source when it has the query's languages.
    let mut keep = |id: i64,
                    source: Option<&str>,
                    best: &mut TopSources,
                    scored: &mut Vec<(u8, PairRecord)>,
                    waiting: &mut Vec<(i64, u8, String)>| {
        if !seen.insert(id) {
            return Ok(());
        }
        // The source alone first: most candidates score below the
        // threshold, and need no more.
        let Some(source) = source else {
            return Ok(());
        };
        let s = score(&Segment::new(source), &segment);
        if s < query.threshold {
            return Ok(());
        }
        if held {
            let key = text::match_key(source);
            best.add(key.clone(), s);
            waiting.push((id, s, key));
        } else if let Some(pair) = store.pair(id)? {
            best.add(text::match_key(&pair.source), s);
            scored.push((s, pair));
        }
        Ok::<(), crate::Error>(())
    };
    // Every pair with the same key scores 100, and only those do: taken
    // straight from the key index, whatever the words.
    if !held {
        for pair in store.exact(query.source_lang, query.target_lang, query.text)? {
            keep(
                pair.id,
                Some(&pair.source),
                &mut best,
                &mut scored,
                &mut waiting,
            )?;
        }
    }
    if query.threshold < 100 {
        let plan = Plan::new(index, &segment)?;
        let mut counter = Counter::new(index.max_pair_id()?);
        // Every length's candidates, each with a bound on its score from
        // the words it shares; then scored best bound first. Once `limit`
        // sources are known, only what can reach the lowest of their
        // scores still counts (the floor rises), and the first candidate
        // whose bound is below it ends the search: the results are those
        // of scoring everything, cut to `limit` sources.
        let mut found: Vec<(i64, u8)> = Vec::new();
        for s in plan.lengths(query.threshold) {
            if plan.best_at_length(s) >= best.floor() {
                found.extend(plan.at_length(index, s, best.floor(), &mut counter)?);
            }
        }
        found.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        // The candidates' sources are read a batch at a time (one
        // statement on a database server), the batches growing: the first
        // ones are small, as the search may end after a few candidates.
        let (mut at, mut batch) = (0, 16);
        'candidates: while at < found.len() {
            let end = if held {
                found.len()
            } else {
                (at + batch).min(found.len())
            };
            let sources = if held {
                HashMap::new()
            } else {
                let wanted: Vec<i64> = found[at..end]
                    .iter()
                    .take_while(|(_, bound)| *bound >= best.floor())
                    .map(|(id, _)| *id)
                    .collect();
                store.sources_of(&wanted, query.source_lang, query.target_lang)?
            };
            for &(id, bound) in &found[at..end] {
                if bound < best.floor() {
                    break 'candidates;
                }
                let source = if held {
                    index.source(id as u32, query.source_lang, query.target_lang)
                } else {
                    sources.get(&id).map(String::as_str)
                };
                keep(id, source, &mut best, &mut scored, &mut waiting)?;
            }
            (at, batch) = (end, batch * 2);
        }
    }
    if held {
        // What fell below the final floor cannot be among the `limit`
        // best sources: only the rest is read (with the exact matches,
        // which score 100).
        let waiting: HashMap<i64, u8> = waiting
            .into_iter()
            .filter(|(_, _, key)| best.by_key.get(key).is_some_and(|&b| b >= best.floor()))
            .map(|(id, s, _)| (id, s))
            .collect();
        let ids: Vec<i64> = waiting.keys().copied().collect();
        for pair in store.exact_and_pairs(query.source_lang, query.target_lang, query.text, &ids)? {
            let s = waiting.get(&pair.id).copied().unwrap_or(100);
            scored.push((s, pair));
        }
    }
    Ok(rank(scored, &segment, query.limit))
}

/// The best score of each source found so far (by match key), and the
/// score a new candidate must reach to count: the threshold, or once
/// `limit` sources are known, the lowest of the best `limit`.
struct TopSources {
    limit: usize,
    threshold: u8,
    by_key: HashMap<String, u8>,
    /// The floor, kept up to date by `add` (read once per candidate).
    floor: u8,
}

impl TopSources {
    fn new(limit: usize, threshold: u8) -> TopSources {
        TopSources {
            limit,
            threshold,
            by_key: HashMap::new(),
            floor: threshold,
        }
    }

    fn add(&mut self, key: String, score: u8) {
        let entry = self.by_key.entry(key).or_insert(score);
        *entry = (*entry).max(score);
        if self.by_key.len() >= self.limit {
            let mut scores: Vec<u8> = self.by_key.values().copied().collect();
            scores.sort_unstable_by(|a, b| b.cmp(a));
            self.floor = scores[self.limit - 1].max(self.threshold);
        }
    }

    fn floor(&self) -> u8 {
        self.floor
    }
}

/// Group by source, order, cut to `limit` sources, and add diffs.
fn rank(scored: Vec<(u8, PairRecord)>, query: &Segment<'_>, limit: usize) -> Vec<Match> {
    // Translations of one source (up to normalisation) stay together.
    let mut by_source: HashMap<String, (u8, Vec<PairRecord>)> = HashMap::new();
    for (s, pair) in scored {
        let entry = by_source
            .entry(text::match_key(&pair.source))
            .or_insert((s, Vec::new()));
        entry.0 = entry.0.max(s);
        entry.1.push(pair);
    }
    let mut groups: Vec<(u8, Vec<PairRecord>)> = by_source.into_values().collect();
    for (_, pairs) in &mut groups {
        pairs.sort_by(|a, b| b.changed_at.cmp(&a.changed_at).then(b.id.cmp(&a.id)));
    }
    groups.sort_by(|(sa, a), (sb, b)| {
        sb.cmp(sa)
            .then_with(|| b[0].changed_at.cmp(&a[0].changed_at))
            .then_with(|| a[0].source.cmp(&b[0].source))
    });
    groups
        .into_iter()
        .take(limit)
        .flat_map(|(s, pairs)| {
            let source = pairs[0].source.clone();
            let memory = Segment::new(&source);
            let parts = diff_parts(&memory, query);
            let diff = render_diff(&parts);
            let alternatives = pairs.len();
            pairs
                .into_iter()
                .map(|pair| {
                    let adjusted_target = (s < 100)
                        .then(|| adjust_numbers(&memory, query, &pair.target))
                        .flatten();
                    Match {
                        score: s,
                        alternatives,
                        diff: diff.clone(),
                        diff_parts: parts.clone(),
                        adjusted_target,
                        pair,
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A stored pair whose source contains a phrase, with where it does.
#[derive(Debug, Clone, Serialize)]
pub struct Occurrence {
    #[serde(flatten)]
    pub pair: PairRecord,
    /// Byte range of the phrase in the source.
    pub match_start: usize,
    pub match_end: usize,
}

/// Where the words of `phrase` follow each other in `source`, ignoring
/// case, accents and punctuation between them; numbers must be written the
/// same. Returns the byte range in `source`.
pub fn find_phrase(phrase: &Segment<'_>, source: &Segment<'_>) -> Option<std::ops::Range<usize>> {
    let words = |s: &Segment<'_>| -> Vec<usize> {
        (0..s.tokens.len())
            .filter(|&i| s.tokens[i].kind != TokenKind::Punct)
            .collect()
    };
    let (wanted, have) = (words(phrase), words(source));
    if wanted.is_empty() || wanted.len() > have.len() {
        return None;
    }
    let same = |i: usize, j: usize| {
        phrase.folds.same(i, &source.folds, j)
            && (phrase.tokens[i].kind != TokenKind::Number || phrase.keys.same(i, &source.keys, j))
    };
    have.windows(wanted.len()).find_map(|window| {
        window
            .iter()
            .zip(&wanted)
            .all(|(&j, &i)| same(i, j))
            .then(|| {
                source.tokens[window[0]].span.start
                    ..source.tokens[window[window.len() - 1]].span.end
            })
    })
}

/// How many stored segments a concordance examines at most: a phrase made
/// of very common words (« de la ») would otherwise read half the memory.
pub const CONCORDANCE_SCAN: usize = 20_000;

/// What [`concordance`] found.
#[derive(Debug, Clone, Serialize)]
pub struct Concordance {
    pub occurrences: Vec<Occurrence>,
    /// False when [`CONCORDANCE_SCAN`] segments were examined before
    /// `limit` occurrences were found: there may be more.
    pub complete: bool,
}

/// Stored pairs whose source contains `phrase` (see [`find_phrase`]), most
/// recently added first, at most `limit`.
pub fn concordance(
    store: &Store,
    phrase: &str,
    source_lang: &str,
    target_lang: &str,
    limit: usize,
) -> Result<Concordance> {
    let phrase = Segment::new(phrase);
    let terms: Vec<&str> = phrase.terms().collect();
    let stats = store.term_stats(&terms)?;
    let none = Concordance {
        occurrences: Vec::new(),
        complete: true,
    };
    let Some(known) = stats.iter().copied().collect::<Option<Vec<(i64, i64)>>>() else {
        return Ok(none); // a word the memory has never seen
    };
    let Some(&(rarest, _)) = known.iter().min_by_key(|(_, df)| *df) else {
        return Ok(none);
    };
    let mut wanted: Vec<i64> = known.iter().map(|(id, _)| *id).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found = Vec::new();
    let mut complete = true;
    for (examined, id) in store
        .postings_any_length(rarest)?
        .into_iter()
        .rev()
        .enumerate()
    {
        if found.len() == limit {
            break;
        }
        if examined == CONCORDANCE_SCAN {
            complete = false;
            break;
        }
        let mut terms = store.pair_terms(id)?;
        terms.sort_unstable();
        if !wanted.iter().all(|t| terms.binary_search(t).is_ok()) {
            continue;
        }
        let Some(pair) = store.pair(id)? else {
            continue;
        };
        if pair.source_lang != source_lang || pair.target_lang != target_lang {
            continue;
        }
        if let Some(span) = find_phrase(&phrase, &Segment::new(&pair.source)) {
            found.push(Occurrence {
                pair,
                match_start: span.start,
                match_end: span.end,
            });
        }
    }
    Ok(Concordance {
        occurrences: found,
        complete,
    })
}

/// How much longer than the candidate set a posting list may be for it to
/// be read only to prune candidates (reading a posting costs a small
/// fraction of fetching a candidate's terms). List lengths at one source
/// length are estimated from the lists already read.
const PRUNE_LIST_FACTOR: i64 = 16;

/// Ids of the stored pairs that may score ≥ `threshold` against `query`
/// (see the module docs): a superset of the true matches, never missing one.
/// What the candidate search knows of a query: its terms, rarest first.
struct Plan {
    /// Words and numbers of the query.
    q: usize,
    /// Query terms rarest first, equal terms together: (id, df, occurrences).
    /// Unknown terms (no id) are in no posting list and cost nothing.
    runs: Vec<(Option<i64>, i64, usize)>,
    positions: usize,
    /// The query's terms in order, for the common-subsequence filter.
    pattern: Pattern,
    /// For each run, its term's slot among the index's [frequent] terms.
    ///
    /// [frequent]: Index::frequent
    frequent_slot: Vec<Option<usize>>,
}

impl Plan {
    fn new(index: &dyn Index, query: &Segment<'_>) -> Result<Plan> {
        let mut terms: Vec<&str> = query.terms().collect();
        if terms.is_empty() {
            terms.push(""); // punctuation-only segments are indexed under ""
        }
        let stats = index.term_stats(&terms)?;
        let mut order: Vec<(i64, Option<i64>)> = stats
            .iter()
            .map(|st| (st.map_or(0, |(_, df)| df), st.map(|(id, _)| id)))
            .collect();
        order.sort_unstable();
        let mut runs: Vec<(Option<i64>, i64, usize)> = Vec::new();
        for (df, id) in order {
            match runs.last_mut() {
                Some((last, _, n)) if id.is_some() && *last == id => *n += 1,
                _ => runs.push((id, df, 1)),
            }
        }
        let in_order: Vec<Option<i64>> = stats.iter().map(|st| st.map(|(id, _)| id)).collect();
        let frequent = index.frequent();
        let frequent_slot = runs
            .iter()
            .map(|&(id, _, _)| frequent.as_ref().and_then(|f| f.slot(id?)))
            .collect();
        Ok(Plan {
            q: query.word_count(),
            positions: terms.len(),
            runs,
            pattern: Pattern::new(&in_order),
            frequent_slot,
        })
    }

    /// Full-cost edits allowed at `threshold` between segments whose
    /// longer one has `n` words.
    fn edits(threshold: u8, n: usize) -> usize {
        (usize::from(100 - threshold.min(100)) * n) / 100
    }

    /// The source lengths that can reach `threshold`, nearest the query's
    /// first.
    fn lengths(&self, threshold: u8) -> Vec<usize> {
        let q = self.q;
        // Longest source that can pass the length filter: s − q ≤ δ·s.
        let max_len = q * 100 / usize::from(threshold.max(1));
        let mut lengths: Vec<usize> = (0..=max_len)
            .filter(|&s| q.abs_diff(s) <= Self::edits(threshold, q.max(s)))
            .collect();
        lengths.sort_by_key(|&s| (s.abs_diff(q), s));
        lengths
    }

    /// The best score a source of `s` words can have: each word the longer
    /// one has more costs a full edit.
    fn best_at_length(&self, s: usize) -> u8 {
        bound(self.q.min(s), self.q.max(s))
    }

    /// The pairs of `s` words that can score `threshold` or more, each
    /// with a bound on its score (from the terms it shares).
    fn at_length(
        &self,
        index: &dyn Index,
        s: usize,
        threshold: u8,
        counter: &mut Counter,
    ) -> Result<Vec<(i64, u8)>> {
        let (q, positions) = (self.q, self.positions);
        let longer = q.max(s);
        if q.abs_diff(s) > Self::edits(threshold, longer) {
            return Ok(Vec::new());
        }
        // A match shares at least `need` terms, so it holds one of the
        // query's rarest `positions − need + 1` (the prefix filter).
        let need = longer - Self::edits(threshold, longer);
        let prefix = positions + 1 - need.min(positions);
        // Candidates and the shared terms found so far (an upper bound
        // per term), in the counter.
        let mut probed = 0;
        // Postings read for this length against the document frequencies of
        // their terms: estimates how long the next list is at this length.
        let (mut read, mut read_df) = (0i64, 0i64);
        let mut list = Postings::default();
        let frequent = index.frequent();
        // The runs not read: from `stop` on.
        let mut stop = self.runs.len();
        let mut since_retain = 0;
        const RETAIN_EVERY: usize = 3;
        for (r, &(id, df, occurrences)) in self.runs.iter().enumerate() {
            let generating = probed < prefix;
            let expected_len = if read_df > 0 { df * read / read_df } else { df };
            // The lists of the index's most frequent terms are the longest:
            // past the prefix, their counts per candidate stand in for them.
            let counted_apart = frequent.is_some() && self.frequent_slot[r].is_some();
            if !generating
                && (counter.is_empty()
                    || counted_apart
                    || expected_len > index.prune_list_factor() * counter.len() as i64)
            {
                stop = r;
                break;
            }
            if let Some(id) = id {
                let occurrences = occurrences.min(usize::from(u16::MAX)) as u16;
                index.with_postings(id, s, &mut list, &mut |list, counts| {
                    read += list.len() as i64;
                    if generating {
                        counter.add_list(list, counts, occurrences);
                    } else {
                        counter.add_list_if_present(list, counts, occurrences);
                    }
                })?;
                read_df += df;
            }
            probed += occurrences;
            if probed >= prefix {
                since_retain += 1;
                if since_retain >= RETAIN_EVERY || probed - occurrences < prefix {
                    // Count filter on what is known: found + still unprobed.
                    let unprobed = positions - probed;
                    counter.retain(|c| c + unprobed >= need);
                    since_retain = 0;
                }
            }
        }
        if since_retain > 0 {
            let unprobed = positions - probed;
            counter.retain(|c| c + unprobed >= need);
        }
        // The count filter once more, the terms not read bounded per
        // candidate: a frequent term by how often the candidate holds it,
        // any other by how often the query does.
        if let Some(frequent) = frequent.filter(|_| stop < self.runs.len()) {
            let rest = stop..self.runs.len();
            let mut other = 0;
            let mut slots: Vec<(usize, usize)> = Vec::new();
            for r in rest {
                match self.frequent_slot[r] {
                    Some(slot) => slots.push((slot, self.runs[r].2)),
                    None => other += self.runs[r].2,
                }
            }
            let counts = frequent.counts;
            let wanted = Wanted::new(&slots);
            counter.retain_pairs(|live, k, c| {
                if let Some(&ahead) = live.get(k + 8) {
                    prefetch(counts.as_ptr().wrapping_add(ahead as usize));
                }
                let held = counts.get(live[k] as usize).copied();
                let shared = match &wanted {
                    Some(wanted) => wanted.shared(held),
                    None => Frequent::shared(held, &slots),
                };
                c + other + shared >= need
            });
        }
        // Each remaining candidate's stored terms, in order: the words an
        // alignment can keep (their longest common subsequence with the
        // query's) must reach `need`, and bound the score.
        let pairs = counter.drain();
        let mut common = Vec::with_capacity(pairs.len());
        index.common_terms(&pairs, &self.pattern, &mut common)?;
        Ok(pairs
            .into_iter()
            .zip(common)
            .filter(|&(_, common)| common >= need)
            .map(|(pair, common)| (index.pair_id(pair), bound(common, longer)))
            .collect())
    }
}

/// A posting list's pairs as an index lends them: by id, or as offsets
/// from a base (an index in memory whose list's pairs are near one
/// another: half the bytes of ids to read, and reading them is most of a
/// search at a low threshold).
#[derive(Clone, Copy, Debug)]
pub enum Places<'a> {
    Ids(&'a [u32]),
    /// The pairs `base + offset`.
    Near(u32, &'a [u16]),
}

impl Places<'_> {
    pub fn len(&self) -> usize {
        match self {
            Places::Ids(ids) => ids.len(),
            Places::Near(_, offsets) => offsets.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A pair's place in [`Places`].
trait Place: Copy {
    fn widen(self) -> usize;
}

impl Place for u32 {
    #[inline(always)]
    fn widen(self) -> usize {
        self as usize
    }
}

impl Place for u16 {
    #[inline(always)]
    fn widen(self) -> usize {
        usize::from(self)
    }
}

/// A posting list as a search reads it: the pairs whose source holds a
/// term, and how often each source holds it (at most [`MANY`]).
#[derive(Default)]
pub struct Postings {
    pub pairs: Vec<u32>,
    pub counts: Vec<u8>,
}

impl Postings {
    pub fn clear(&mut self) {
        self.pairs.clear();
        self.counts.clear();
    }

    /// One more pair, whose source holds the term `count` times.
    pub fn push(&mut self, pair: u32, count: u32) {
        self.pairs.push(pair);
        self.counts.push(held(count));
    }
}

/// A count of [`Postings`] that bounds nothing: the source holds the term
/// that often or more, or the index does not know how often.
pub const MANY: u8 = u8::MAX;

/// `count` as [`Postings`] keep it.
pub fn held(count: u32) -> u8 {
    u8::try_from(count).unwrap_or(MANY)
}

/// What the candidate search reads of the fuzzy index: the store's own
/// tables, or a copy in memory that a long-running server keeps
/// ([`warm::WarmIndex`]). It names pairs by `u32` ids: the store's, or
/// its own ([`Index::pair_id`] gives the store's).
pub trait Index {
    /// For each term, its id and document frequency, when it is known.
    fn term_stats(&self, terms: &[&str]) -> Result<Vec<Option<(i64, i64)>>>;
    /// Append the pairs whose source holds `term` and has `words` words.
    fn postings(&self, term: i64, words: usize, out: &mut Vec<u32>) -> Result<()>;
    /// The same pairs given to `f`, in one or more slices, each pair with
    /// how often its source holds the term ([`MANY`] when the index does
    /// not know): an index in memory lends its own slices (`buffer`: room
    /// for a copy, when one is made).
    fn with_postings(
        &self,
        term: i64,
        words: usize,
        buffer: &mut Postings,
        f: &mut dyn FnMut(Places<'_>, &[u8]),
    ) -> Result<()> {
        buffer.clear();
        self.postings(term, words, &mut buffer.pairs)?;
        buffer.counts.resize(buffer.pairs.len(), MANY);
        f(Places::Ids(&buffer.pairs), &buffer.counts);
        Ok(())
    }
    /// For each of `pairs`, the longest common subsequence of the query's
    /// terms (`query`) and those of the pair's source, in order
    /// ([`Pattern::common`]), appended to `out` (all at once: one round
    /// trip for a backend over the network).
    fn common_terms(&self, pairs: &[u32], query: &Pattern, out: &mut Vec<usize>) -> Result<()>;
    /// The highest id the index may name.
    fn max_pair_id(&self) -> Result<u32>;
    /// The store's id of the pair the index names `id` (the same, unless
    /// the index numbers the pairs its own way, as [`warm`] does).
    fn pair_id(&self, id: u32) -> i64 {
        i64::from(id)
    }
    /// Once the prefix lists are read, the next list is read (to count)
    /// only while it is shorter than this many times the candidates left;
    /// after that each candidate's own terms are checked. The cheaper that
    /// check, the lower the factor.
    fn prune_list_factor(&self) -> i64 {
        PRUNE_LIST_FACTOR
    }
    /// The index's most frequent terms and how often each source holds
    /// them, when it keeps them: past the prefix, a search then reads none
    /// of their lists (the longest) and bounds each candidate by its counts.
    fn frequent(&self) -> Option<Frequent<'_>> {
        None
    }
    /// Whether the index holds the pairs' sources ([`Index::source`]).
    fn holds_sources(&self) -> bool {
        false
    }
    /// The source of pair `id` when it has these languages, from the
    /// index itself (when it [holds them](Index::holds_sources)).
    fn source(&self, _id: u32, _source_lang: &str, _target_lang: &str) -> Option<&str> {
        None
    }
}

/// How often each stored source holds the index's most frequent terms
/// (« de », « la », « le »…): [`FREQUENT`] terms at most, 4 bits a term in
/// one word per pair, 15 meaning 15 or more.
pub struct Frequent<'a> {
    /// The terms, by slot.
    pub terms: &'a [u32],
    /// The counts of the pair the index names p: slot k in bits
    /// `4k..4k + 4` of `counts[p]`.
    pub counts: &'a [u64],
}

/// How many terms [`Frequent`] counts.
pub const FREQUENT: usize = 64 / FREQUENT_BITS as usize;

/// Bits of a count in [`Frequent::counts`]: the highest count means that
/// many or more.
const FREQUENT_BITS: u32 = 4;
const FREQUENT_MAX: u64 = (1 << FREQUENT_BITS) - 1;

impl Frequent<'_> {
    /// The slot of `term`, if it is one of the frequent terms.
    fn slot(&self, term: i64) -> Option<usize> {
        self.terms.iter().position(|&t| i64::from(t) == term)
    }

    /// The counts of a source's terms, 4 bits a slot (saturating at 15).
    pub fn counts_of(slot_of: impl Fn(u32) -> Option<usize>, terms: &[u32]) -> u64 {
        let mut counts = 0u64;
        for &term in terms {
            if let Some(slot) = slot_of(term) {
                let shift = FREQUENT_BITS as usize * slot;
                if (counts >> shift) & FREQUENT_MAX < FREQUENT_MAX {
                    counts += 1 << shift;
                }
            }
        }
        counts
    }

    /// At most how many of the query's occurrences of frequent terms
    /// (`slots`: slot, occurrences) a source with `counts` can share:
    /// each term's smaller count; a count of 15 may be more, and
    /// unknown counts (`None`) may be anything.
    fn shared(counts: Option<u64>, slots: &[(usize, usize)]) -> usize {
        slots
            .iter()
            .map(|&(slot, wanted)| {
                match counts.map(|c| (c >> (FREQUENT_BITS as usize * slot)) & FREQUENT_MAX) {
                    Some(held) if held < FREQUENT_MAX => (held as usize).min(wanted),
                    _ => wanted,
                }
            })
            .sum()
    }
}

/// The query's occurrences of frequent terms laid out as
/// [`Frequent::counts`] are: [`Frequent::shared`] for all slots at once,
/// a few word operations a candidate instead of a loop over the slots.
struct Wanted {
    /// The query's occurrences of slot k in bits `4k..4k + 4`.
    nibbles: u64,
    /// Their sum: what a source whose counts are unknown may share.
    total: usize,
}

impl Wanted {
    /// `None` when the query holds a frequent term more than 14 times:
    /// a source's count of 15 (15 or more) then does not bound it in 4
    /// bits.
    fn new(slots: &[(usize, usize)]) -> Option<Wanted> {
        let mut nibbles = 0u64;
        for &(slot, wanted) in slots {
            let shift = FREQUENT_BITS as usize * slot;
            let sum = ((nibbles >> shift) & FREQUENT_MAX) as usize + wanted;
            if sum >= FREQUENT_MAX as usize {
                return None;
            }
            nibbles += (wanted as u64) << shift;
        }
        let total = slots.iter().map(|&(_, wanted)| wanted).sum();
        Some(Wanted { nibbles, total })
    }

    /// [`Frequent::shared`]: the sum over the slots of the smaller of
    /// the source's count and the query's. A count of 15 is then the
    /// query's, which is below it, as it must be.
    fn shared(&self, counts: Option<u64>) -> usize {
        let Some(held) = counts else {
            return self.total;
        };
        // Even and odd slots, one per byte (values 0..=15): in each byte,
        // 16 + held − wanted keeps bit 4 exactly when held ≥ wanted, and
        // borrows nothing from the next byte.
        const LOW: u64 = 0x0F0F_0F0F_0F0F_0F0F;
        const ONES: u64 = 0x0101_0101_0101_0101;
        let smaller = |held: u64, wanted: u64| {
            let at_least = ((((held | (ONES << 4)) - wanted) >> 4) & ONES) * 0x0F;
            (wanted & at_least) | (held & !at_least)
        };
        let w = self.nibbles;
        let bytes = smaller(held & LOW, w & LOW) + smaller((held >> 4) & LOW, (w >> 4) & LOW);
        // Each byte is at most 30, their sum at most 240: added up in
        // the top byte.
        (bytes.wrapping_mul(ONES) >> 56) as usize
    }
}

impl Index for crate::store::sqlite::SqliteStore {
    fn term_stats(&self, terms: &[&str]) -> Result<Vec<Option<(i64, i64)>>> {
        crate::store::sqlite::SqliteStore::term_stats(self, terms)
    }

    fn postings(&self, term: i64, words: usize, out: &mut Vec<u32>) -> Result<()> {
        out.extend(
            crate::store::sqlite::SqliteStore::postings(self, term, words)?
                .into_iter()
                .filter_map(|id| u32::try_from(id).ok()),
        );
        Ok(())
    }

    fn with_postings(
        &self,
        term: i64,
        words: usize,
        buffer: &mut Postings,
        f: &mut dyn FnMut(Places<'_>, &[u8]),
    ) -> Result<()> {
        buffer.clear();
        self.postings_into(term, words, buffer)?;
        f(Places::Ids(&buffer.pairs), &buffer.counts);
        Ok(())
    }

    fn common_terms(&self, pairs: &[u32], query: &Pattern, out: &mut Vec<usize>) -> Result<()> {
        for &pair in pairs {
            out.push(query.common(&crate::store::sqlite::SqliteStore::pair_terms(
                self,
                i64::from(pair),
            )?));
        }
        Ok(())
    }

    fn max_pair_id(&self) -> Result<u32> {
        Ok(
            u32::try_from(crate::store::sqlite::SqliteStore::max_pair_id(self)?)
                .unwrap_or(u32::MAX),
        )
    }
}

/// Shared-term counts of the candidates of one length, by pair id: a
/// dense array (a memory of a million pairs costs 1 MB) and the list of
/// ids it holds, so that counting a posting is one array access.
///
/// A byte a count: the array touched at one length is half the cache
/// lines of 2 bytes. A count of 255 ([`SATURATED`]) means 255 or more,
/// and passes every count filter ([`Counter::bound`]): a query of more
/// than 255 terms loses no match, its candidates are only filtered less.
///
/// The array is the thread's own, kept all zero between searches (a
/// search puts back the counts it set): zeroing a new one the size of the
/// memory at every lookup was a tenth of a busy server's time.
struct Counter {
    counts: Vec<u8>,
    /// Pairs from here on are not counted: above the highest the index
    /// named at the search's start (the array may be longer, left by an
    /// earlier search of a larger memory).
    limit: usize,
    live: Vec<u32>,
}

/// Room a thread keeps in its candidate list between searches (a search
/// over very frequent words may grow it far beyond).
const LIVE_KEPT: usize = 1 << 16;

/// How many postings ahead a count is asked for: they are all over a
/// large array.
const AHEAD: usize = 16;

/// A count that may stand for more ([`Counter`]).
const SATURATED: u8 = u8::MAX;

/// What a posting credits its pair with (see [`Counter::add_list`]):
/// `held` is [`MANY`] (above any credit) when unknown.
fn credit(held: u8, occurrences: u16) -> u8 {
    u8::try_from(occurrences).unwrap_or(SATURATED).min(held)
}

thread_local! {
    /// This thread's counts, all zero, and its candidate list, empty,
    /// between two searches (kept with its room: growing it again at
    /// every length was most of a server's memory allocations).
    static COUNTS: std::cell::RefCell<(Vec<u8>, Vec<u32>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

impl Counter {
    fn new(max_pair_id: u32) -> Counter {
        let (mut counts, live) = COUNTS.with(|c| std::mem::take(&mut *c.borrow_mut()));
        debug_assert!(counts.iter().all(|&c| c == 0), "counts left by a search");
        debug_assert!(live.is_empty(), "candidates left by a search");
        let limit = max_pair_id as usize + 1;
        if counts.len() < limit {
            counts.resize(limit, 0);
        }
        Counter {
            counts,
            limit,
            live,
        }
    }

    /// Count a posting list of a term the query holds `occurrences`
    /// times: each of its pairs, a candidate from now on, is credited as
    /// often as an alignment can keep the term — at most as often as the
    /// source and the query both hold it (`held`, [`MANY`] when unknown).
    ///
    /// A pair above the highest the index named at the search's start is
    /// not counted: one added since, which the search does not see — or
    /// a damaged list's, which must not make the array grow to billions.
    fn add_list(&mut self, places: Places<'_>, held: &[u8], occurrences: u16) {
        match places {
            Places::Ids(ids) => self.add_places(0, ids, held, occurrences, false),
            Places::Near(base, offsets) => {
                self.add_places(base as usize, offsets, held, occurrences, false)
            }
        }
    }

    /// [`Counter::add_list`] for the candidates only: a pair not counted
    /// yet stays out.
    fn add_list_if_present(&mut self, places: Places<'_>, held: &[u8], occurrences: u16) {
        match places {
            Places::Ids(ids) => self.add_places(0, ids, held, occurrences, true),
            Places::Near(base, offsets) => {
                self.add_places(base as usize, offsets, held, occurrences, true)
            }
        }
    }

    /// The pairs `base + places[k]`.
    fn add_places<P: Place>(
        &mut self,
        base: usize,
        places: &[P],
        held: &[u8],
        occurrences: u16,
        present_only: bool,
    ) {
        // Nearly every term of a query is there once: each posting then
        // credits 1 (what the source holds cannot lower it, a posting's
        // source holds the term), and the list's counts are not read.
        let held = |k: usize| held.get(k).copied().unwrap_or(MANY);
        match (occurrences == 1, present_only) {
            (true, false) => self.add_with(base, places, |_| 1),
            (true, true) => self.add_present_with(base, places, |_| 1),
            (false, false) => self.add_with(base, places, |k| credit(held(k), occurrences)),
            (false, true) => self.add_present_with(base, places, |k| credit(held(k), occurrences)),
        }
    }

    /// Count `base + places[k]`, crediting `credit(k)`.
    ///
    /// Without a branch on whether a pair is new (one the processor
    /// could not foresee, a posting in two): each pair is written after
    /// the candidates, and kept there only when it was new.
    #[inline(always)]
    fn add_with<P: Place>(&mut self, base: usize, places: &[P], credit: impl Fn(usize) -> u8) {
        let counts = &mut self.counts[base.min(self.limit)..self.limit];
        let live = &mut self.live;
        let mut len = live.len();
        live.resize(len + places.len(), 0);
        for (k, &place) in places.iter().enumerate() {
            if let Some(&next) = places.get(k + AHEAD) {
                prefetch(counts.as_ptr().wrapping_add(next.widen()));
            }
            if let Some(c) = counts.get_mut(place.widen()) {
                let was = *c;
                *c = was.saturating_add(credit(k));
                live[len] = (base + place.widen()) as u32;
                len += usize::from(was == 0);
            }
        }
        live.truncate(len);
    }

    /// [`Counter::add_with`] for the candidates only.
    #[inline(always)]
    fn add_present_with<P: Place>(
        &mut self,
        base: usize,
        places: &[P],
        credit: impl Fn(usize) -> u8,
    ) {
        let counts = &mut self.counts[base.min(self.limit)..self.limit];
        for (k, &place) in places.iter().enumerate() {
            if let Some(&next) = places.get(k + AHEAD) {
                prefetch(counts.as_ptr().wrapping_add(next.widen()));
            }
            if let Some(c) = counts.get_mut(place.widen()) {
                let n = if *c > 0 { credit(k) } else { 0 };
                *c = c.saturating_add(n);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    fn len(&self) -> usize {
        self.live.len()
    }

    /// What a count bounds the shared terms by: a saturated one, by more
    /// than any filter needs.
    fn bound(count: u8) -> usize {
        if count == SATURATED {
            usize::MAX / 2
        } else {
            usize::from(count)
        }
    }

    /// Keep the candidates whose [bound](Counter::bound) passes `keep`.
    fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let counts = &mut self.counts;
        self.live.retain(|&pair| {
            let c = &mut counts[pair as usize];
            if keep(Counter::bound(*c)) {
                true
            } else {
                *c = 0;
                false
            }
        });
    }

    /// [`Counter::retain`], deciding on the candidates in `live` by their
    /// place `k` (to look ahead) and bound.
    fn retain_pairs(&mut self, mut keep: impl FnMut(&[u32], usize, usize) -> bool) {
        let mut kept = 0;
        for k in 0..self.live.len() {
            let pair = self.live[k];
            let c = Counter::bound(self.counts[pair as usize]);
            if keep(&self.live, k, c) {
                self.live[kept] = pair;
                kept += 1;
            } else {
                self.counts[pair as usize] = 0;
            }
        }
        self.live.truncate(kept);
    }

    /// The candidates, the counter left empty for the next length.
    fn drain(&mut self) -> Vec<u32> {
        let pairs = self.live.clone();
        self.clear();
        pairs
    }

    /// Every count set is in `live`: all zero again, and no candidate.
    fn clear(&mut self) {
        for &pair in &self.live {
            self.counts[pair as usize] = 0;
        }
        self.live.clear();
    }
}

impl Drop for Counter {
    /// Every count set is in `live`: zeroed, the array goes back to the
    /// thread (a search that failed midway included).
    fn drop(&mut self) {
        self.clear();
        self.live.shrink_to(LIVE_KEPT);
        let kept = (
            std::mem::take(&mut self.counts),
            std::mem::take(&mut self.live),
        );
        let _ = COUNTS.try_with(|c| {
            if let Ok(mut mine) = c.try_borrow_mut()
                && mine.0.len() < kept.0.len()
            {
                *mine = kept;
            }
        });
    }
}

/// The query's terms in order, ready for a longest-common-subsequence
/// count against a stored source's terms: for each distinct term id, the
/// bit set of the positions where the query holds it (bit-parallel LCS,
/// Allison and Dix 1986, Hyyrö 2004).
///
/// Why the LCS: in any alignment, the words kept (same folded form, same
/// order) form a common subsequence of the two term sequences, and every
/// other word of the longer one costs a full edit. So `LCS ≥ need` is a
/// filter no match fails, and `bound(LCS, longer)` a bound no match
/// exceeds; both are tighter than the shared multiset, which ignores order.
pub struct Pattern {
    /// Term positions (unknown terms included: they match nothing).
    len: usize,
    /// 64-bit words per position set.
    blocks: usize,
    /// An open-addressing table from term id to its position set: a slot
    /// is (term id, index into `masks` in blocks), `EMPTY` when free. A
    /// stored source's term is looked up once per check, and most are not
    /// the query's: one multiplication and, as a rule, one probe.
    slots: Vec<(i64, u32)>,
    shift: u32,
    /// The position sets, `blocks` words each.
    masks: Vec<u64>,
}

const EMPTY: i64 = i64::MIN;

impl Pattern {
    /// `terms`: the query's term ids in order, `None` for a term the index
    /// does not know.
    pub fn new(terms: &[Option<i64>]) -> Pattern {
        let blocks = terms.len().div_ceil(64).max(1);
        // At most half full: a lookup that misses ends at a free slot soon.
        let size = (2 * terms.len()).next_power_of_two().max(16);
        let mut pattern = Pattern {
            len: terms.len(),
            blocks,
            slots: vec![(EMPTY, 0); size],
            shift: 64 - size.trailing_zeros(),
            masks: Vec::new(),
        };
        for (position, term) in terms.iter().enumerate() {
            // (No id is negative: the store's ids start at 1.)
            let Some(term) = term.filter(|&t| t != EMPTY) else {
                continue;
            };
            let mut slot = pattern.slot(term);
            if pattern.slots[slot].0 != term {
                // A free slot (`slot` ends at the term or at a free one).
                let at = (pattern.masks.len() / blocks) as u32;
                pattern.masks.resize(pattern.masks.len() + blocks, 0);
                pattern.slots[slot] = (term, at);
                slot = pattern.slot(term);
            }
            let at = pattern.slots[slot].1 as usize * blocks;
            pattern.masks[at + position / 64] |= 1 << (position % 64);
        }
        pattern
    }

    /// The slot of `term`, or the free slot where it would go.
    #[inline(always)]
    fn slot(&self, term: i64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = ((term as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        loop {
            let key = self.slots[i].0;
            if key == term || key == EMPTY {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The position set of `term`, if the query holds it.
    #[inline(always)]
    fn mask(&self, term: i64) -> Option<&[u64]> {
        let (key, at) = self.slots[self.slot(term)];
        (key == term && term != EMPTY)
            .then(|| &self.masks[at as usize * self.blocks..][..self.blocks])
    }

    /// The length of the longest common subsequence of the query's terms
    /// and `doc` (a stored source's term ids, in order).
    pub fn common<T: Copy + Into<i64>>(&self, doc: &[T]) -> usize {
        if self.blocks == 1 {
            // Up to 64 query terms (nearly every sentence): one word.
            let mut v = u64::MAX;
            for &term in doc {
                if let Some(m) = self.mask(term.into()) {
                    let u = v & m[0];
                    v = v.wrapping_add(u) | (v & !m[0]);
                }
            }
            return self.zeros(std::slice::from_ref(&v));
        }
        // Bit i of `v` is 0 when position i ends a step of the LCS.
        let mut v = vec![u64::MAX; self.blocks];
        for &term in doc {
            let Some(m) = self.mask(term.into()) else {
                continue; // a term the query lacks changes nothing
            };
            let mut carry = false;
            for k in 0..self.blocks {
                let u = v[k] & m[k];
                let (sum, c1) = v[k].overflowing_add(u);
                let (sum, c2) = sum.overflowing_add(u64::from(carry));
                carry = c1 || c2;
                v[k] = sum | (v[k] & !m[k]);
            }
        }
        self.zeros(&v)
    }

    /// The zero bits of `v` among the query's positions: the LCS.
    fn zeros(&self, v: &[u64]) -> usize {
        let mut zeros = 0;
        for (k, block) in v.iter().enumerate() {
            let bits = (self.len - 64 * k).min(64);
            let used = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            zeros += (!block & used).count_ones() as usize;
        }
        zeros
    }
}

/// The best score of two segments whose longer one has `longer` words and
/// of which an alignment can keep `shared` (folded, in order: at most their
/// longest common subsequence): each other word of the longer one costs a
/// full edit.
fn bound(shared: usize, longer: usize) -> u8 {
    if longer == 0 || shared >= longer {
        return 100;
    }
    (100 - (100 * (longer - shared)).div_ceil(longer)) as u8
}

/// Ask for the cache line at `p` ahead of its use (a hint: no effect on
/// what the program computes, and none on other architectures).
#[inline]
pub(crate) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str) -> u8 {
        score(&Segment::new(a), &Segment::new(b))
    }

    #[test]
    fn a_pair_above_the_searchs_highest_is_not_counted_and_grows_nothing() {
        // Adversary (schema 11): a damaged block naming pair 4,000,000,000
        // made the counter grow to 8 GB, or abort the process.
        let mut counter = Counter::new(10);
        let before = counter.counts.len();
        counter.add_list(Places::Ids(&[4_000_000_000, 7]), &[1, 2], 1);
        counter.add_list(Places::Ids(&[7]), &[1], 1);
        assert_eq!(counter.counts.len(), before);
        assert_eq!(counter.counts[7], 2);
        assert_eq!(counter.drain(), [7]);
        drop(counter);
        // Adversary (c992792): the thread's array, left longer by a
        // search of a larger memory, counted pairs above this one's
        // highest.
        drop(Counter::new(100));
        let mut counter = Counter::new(10);
        counter.add_list(Places::Ids(&[50, 10, 11]), &[1, 1, 1], 1);
        counter.add_list_if_present(Places::Ids(&[50, 10, 11]), &[1, 1, 1], 1);
        assert_eq!(counter.drain(), [10]);
        assert!(counter.counts.iter().all(|&c| c == 0));
    }

    #[test]
    fn a_thread_keeps_bounded_room_for_its_candidates() {
        // Adversary (c992792): a search over very frequent words grew the
        // list for good on every thread.
        let mut counter = Counter::new(1 << 20);
        let pairs: Vec<u32> = (0..1 << 20).collect();
        counter.add_list(Places::Ids(&pairs), &vec![1; pairs.len()], 1);
        assert_eq!(counter.len(), 1 << 20);
        drop(counter);
        let counter = Counter::new(10);
        assert!(counter.live.is_empty());
        assert!(
            counter.live.capacity() <= LIVE_KEPT,
            "{}",
            counter.live.capacity()
        );
    }

    #[test]
    fn a_count_saturates_at_255_and_then_passes_every_filter() {
        let mut counter = Counter::new(10);
        for _ in 0..300 {
            counter.add_list(Places::Ids(&[3]), &[MANY], 1);
        }
        counter.add_list(Places::Ids(&[4, 3]), &[1, 1], 1);
        assert_eq!((counter.counts[3], counter.counts[4]), (SATURATED, 1));
        counter.retain(|c| c >= 300);
        assert_eq!(counter.drain(), [3]);
        assert_eq!(credit(MANY, 1000), SATURATED);
        assert_eq!(credit(3, 1000), 3);
    }

    #[test]
    fn lists_credit_each_pair_once_per_list_and_only_candidates_after() {
        let mut counter = Counter::new(10);
        // The query holds the term twice; the sources 1, 4, 9 hold it
        // once, three times, an unknown number of times.
        counter.add_list(Places::Ids(&[1, 4, 9]), &[1, 3, MANY], 2);
        counter.add_list(Places::Ids(&[4, 5]), &[1, 1], 1);
        counter.add_list_if_present(Places::Ids(&[1, 2, 9]), &[2, 2, 2], 3);
        assert_eq!(
            counter.counts[1..10],
            [1 + 2, 0, 0, 2 + 1, 1, 0, 0, 0, 2 + 2]
        );
        assert_eq!(counter.drain(), [1, 4, 9, 5]);
        assert!(counter.counts.iter().all(|&c| c == 0));
    }

    /// A term the query holds once credits each posting 1: what the
    /// sources hold is not read (reading it was a tenth of a server's
    /// time at threshold 50), and lists given as offsets from a base
    /// count the same pairs as lists of ids.
    #[test]
    fn a_term_held_once_credits_one_without_reading_the_sources_counts() {
        let mut counter = Counter::new(80_000);
        counter.add_list(Places::Near(70_000, &[0, 5, 9_000]), &[], 1);
        counter.add_list(Places::Ids(&[70_005, 3]), &[], 1);
        counter.add_list_if_present(Places::Near(65_000, &[5_005, 14_000, 0]), &[], 1);
        counter.add_list_if_present(Places::Ids(&[3, 7]), &[], 1);
        assert_eq!(counter.counts[3], 2);
        assert_eq!(counter.counts[7], 0);
        assert_eq!(counter.counts[65_000], 0);
        assert_eq!(counter.counts[70_000], 1);
        assert_eq!(counter.counts[70_005], 3);
        assert_eq!(counter.counts[79_000], 2);
        assert_eq!(counter.drain(), [70_000, 70_005, 79_000, 3]);
        // Past the highest pair (a damaged list): not counted.
        counter.add_list(Places::Near(80_001, &[0, 1]), &[], 1);
        counter.add_list(Places::Near(u32::MAX, &[0, 1]), &[], 1);
        assert!(counter.is_empty());
    }

    /// The frequent terms' counts (issue 13, threshold 50): a count that
    /// saturates bounds nothing, so a source holding « de » twenty times
    /// is never dropped for holding « only » fifteen.
    #[test]
    fn frequent_counts_saturate_and_bound_from_above() {
        let slot_of = |t: u32| (t < 3).then_some(t as usize);
        let mut terms = vec![0u32; 20];
        terms.extend([1, 1, 7, 9]);
        let counts = Frequent::counts_of(slot_of, &terms);
        assert_eq!(counts & 15, 15, "20 occurrences saturate at 15");
        assert_eq!((counts >> 4) & 15, 2);
        assert_eq!((counts >> 8) & 15, 0);
        // The query wants 18 of term 0, 3 of term 1, 1 of term 2.
        let wanted = [(0, 18), (1, 3), (2, 1)];
        assert_eq!(Frequent::shared(Some(counts), &wanted), 18 + 2);
        assert_eq!(Frequent::shared(None, &wanted), 18 + 3 + 1);
        assert_eq!(Frequent::shared(Some(u64::MAX), &wanted), 18 + 3 + 1);
    }

    #[test]
    fn identical_after_normalisation_is_100() {
        assert_eq!(s("L’OTSC se réunit.", "L'OTSC  se réunit."), 100);
        assert_eq!(s("«\u{a0}Non\u{a0}!\u{a0}»", "\"Non!\""), 100);
    }

    #[test]
    fn case_accents_numbers_and_punctuation_score_95_to_99() {
        let base = "Le Conseil fédéral a débloqué 10’000 francs pour la commune de Sion.";
        // 13 tokens; each minor edit costs 0.2, the loss is rounded up.
        assert_eq!(
            s(
                base,
                "le conseil fédéral a débloqué 10’000 francs pour la commune de Sion."
            ),
            96
        );
        assert_eq!(
            s(
                base,
                "Le Conseil fédéral a débloqué 12’500 francs pour la commune de Sion."
            ),
            98
        );
        assert_eq!(
            s(
                base,
                "Le Conseil fédéral a débloqué 10’000 francs pour la commune de Sion"
            ),
            98
        );
        assert_eq!(
            s("Etat", "État"),
            95,
            "a one-token difference stays in the band"
        );
        assert!((95..=99).contains(&s("Il a 3 ans.", "Il a 4 ans !")));
    }

    #[test]
    fn word_edits_cost_a_full_unit() {
        // 1 of 8 words replaced: 87.5 rounded down.
        assert_eq!(
            s(
                "La séance a lieu mardi à Berne demain.",
                "La séance a lieu mercredi à Berne demain."
            ),
            87
        );
        assert_eq!(s("Le chat dort.", "Le chien dort."), 66);
        assert_eq!(s("Oui.", "Non merci, vraiment pas."), 0);
    }

    #[test]
    fn a_content_change_never_reaches_the_95_band() {
        let long: String = (0..120).map(|i| format!("mot{i} ")).collect();
        let changed = long.replacen("mot7 ", "autre ", 1);
        assert_eq!(s(&long, &changed), 94);
    }

    #[test]
    fn score_is_symmetric() {
        let pairs = [
            (
                "La BNS relève son taux à 1,5 %.",
                "La BNS abaisse son taux directeur à 1,25 %.",
            ),
            (
                "« Qui paiera ? » a-t-il demandé.",
                "Qui paiera, a-t-il demandé ?",
            ),
        ];
        for (a, b) in pairs {
            assert_eq!(s(a, b), s(b, a));
        }
    }

    #[test]
    fn index_terms_are_the_segment_terms() {
        for text in [
            "L’OTSC a reçu 10\u{a0}000 francs à Gene\u{300}ve.",
            "…",
            "Œuvre d'État, 3,5 %",
        ] {
            let segment = Segment::new(text);
            assert_eq!(index_terms(text), segment.terms().collect::<Vec<_>>());
        }
    }

    #[test]
    fn diff_shows_what_changed() {
        let memory = Segment::new("La séance a lieu mardi à Berne.");
        let query = Segment::new("La séance a lieu mercredi à Zurich.");
        assert_eq!(
            diff(&memory, &query),
            "La séance a lieu [-mardi-]{+mercredi+} à [-Berne-]{+Zurich+}."
        );
        let memory = Segment::new("Il pleut.");
        let query = Segment::new("Il pleut fort.");
        assert_eq!(diff(&memory, &query), "Il pleut {+fort+}.");
        let memory = Segment::new("Le Conseil fédéral a reçu une visite d’Etat.");
        let query = Segment::new("BERNE (ATS) – Le Conseil fédéral a reçu une visite officielle.");
        assert_eq!(
            diff(&memory, &query),
            "{+BERNE (ATS) –+} Le Conseil fédéral a reçu une visite [-d’Etat-]{+officielle+}."
        );
    }

    #[test]
    fn numbers_are_carried_into_the_target_in_english_notation() {
        let memory = Segment::new("La commune a reçu 10’000 francs et 3,5 % de plus.");
        let query = Segment::new("La commune a reçu 12’500 francs et 4,2 % de plus.");
        let adjusted = adjust_numbers(
            &memory,
            &query,
            "The commune received 10,000 francs and 3.5% more.",
        );
        assert_eq!(
            adjusted.as_deref(),
            Some("The commune received 12,500 francs and 4.2% more.")
        );

        let memory = Segment::new("Le train part à 14 h 30.");
        let query = Segment::new("Le train part à 15 h 30.");
        assert_eq!(
            adjust_numbers(&memory, &query, "The train leaves at 14:30.").as_deref(),
            Some("The train leaves at 15:30.")
        );
        // A word changed too: no adjusted target.
        let query = Segment::new("Le bus part à 15 h 30.");
        assert_eq!(
            adjust_numbers(&memory, &query, "The train leaves at 14:30."),
            None
        );
    }

    #[test]
    fn phrases_are_found_across_case_accents_and_punctuation() {
        let source = Segment::new("Le Conseil fédéral, réuni à Berne, a tranché.");
        let at = |p: &str| find_phrase(&Segment::new(p), &source).map(|r| &source.text[r]);
        assert_eq!(at("conseil federal"), Some("Conseil fédéral"));
        assert_eq!(at("fédéral réuni"), Some("fédéral, réuni"));
        assert_eq!(at("Conseil national"), None);
        let numbers = Segment::new("Il a reçu 10’000 francs.");
        assert!(find_phrase(&Segment::new("10’000 francs"), &numbers).is_some());
        assert!(find_phrase(&Segment::new("12’000 francs"), &numbers).is_none());
    }

    #[test]
    fn french_numbers_parse_the_swiss_and_french_ways() {
        assert_eq!(french_number("10’000"), Some(10000.0));
        assert_eq!(french_number("3,5"), Some(3.5));
        assert_eq!(french_number("10.000"), Some(10000.0));
        assert_eq!(french_number("12.50"), Some(12.5));
        assert_eq!(
            english_notation("1\u{a0}200", "1,000").as_deref(),
            Some("1,200")
        );
        assert_eq!(english_notation("3,50", "2.75").as_deref(), Some("3.50"));
    }

    mod bound {
        use super::*;
        use proptest::prelude::*;

        /// Sentences over a small vocabulary, so that pairs share words,
        /// differ in case or accents, numbers and punctuation.
        fn sentence() -> impl Strategy<Value = String> {
            let word = prop::sample::select(vec![
                "le",
                "Le",
                "conseil",
                "Conseil",
                "fédéral",
                "federal",
                "a",
                "décidé",
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
            ]);
            prop::collection::vec(word, 0..12).prop_map(|w| w.join(" "))
        }

        proptest! {
            /// The bound behind score_at_least never rules out a pair that
            /// reaches the minimum (the internal matches stay lossless).
            #[test]
            fn score_at_least_is_lossless(a in sentence(), b in sentence(), min in 0u8..=100) {
                let (sa, sb) = (Segment::new(&a), Segment::new(&b));
                let full = score(&sa, &sb);
                prop_assert_eq!(score_at_least(&sa, &sb, min), (full >= min).then_some(full));
            }

            /// All slots at once count what the loop over them counts
            /// (the frequent-term filter of issue 13).
            #[test]
            fn wanted_shares_what_frequent_shares(
                counts in prop::option::weighted(0.95, prop::num::u64::ANY),
                wanted in prop::collection::btree_map(0usize..FREQUENT, 0usize..20, 0..FREQUENT),
            ) {
                let slots: Vec<(usize, usize)> = wanted.into_iter().collect();
                let expected = Frequent::shared(counts, &slots);
                match Wanted::new(&slots) {
                    Some(w) => prop_assert_eq!(w.shared(counts), expected),
                    None => prop_assert!(slots.iter().any(|&(_, n)| n >= 15)),
                }
            }

            /// The bit-parallel count is the textbook LCS, across the
            /// 64-position blocks too, and with terms the index lacks.
            #[test]
            fn pattern_counts_the_longest_common_subsequence(
                query in prop::collection::vec(prop::option::weighted(0.9, 0i64..6), 0..150),
                doc in prop::collection::vec(0i64..6, 0..150),
            ) {
                let mut table = vec![vec![0usize; doc.len() + 1]; query.len() + 1];
                for i in 1..=query.len() {
                    for j in 1..=doc.len() {
                        table[i][j] = if query[i - 1] == Some(doc[j - 1]) {
                            table[i - 1][j - 1] + 1
                        } else {
                            table[i - 1][j].max(table[i][j - 1])
                        };
                    }
                }
                prop_assert_eq!(Pattern::new(&query).common(&doc), table[query.len()][doc.len()]);
            }

            /// The search's bound (issue 13, threshold 50): the longest
            /// common subsequence of the folded terms never bounds a score
            /// below what it is.
            #[test]
            fn common_subsequence_bounds_the_score(a in sentence(), b in sentence()) {
                let (sa, sb) = (Segment::new(&a), Segment::new(&b));
                let mut ids: HashMap<&str, i64> = HashMap::new();
                let mut id = |t| { let n = ids.len() as i64; *ids.entry(t).or_insert(n) };
                let ta: Vec<Option<i64>> = sa.terms().map(|t| Some(id(t))).collect();
                let tb: Vec<i64> = sb.terms().map(id).collect();
                let common = Pattern::new(&ta).common(&tb);
                let longer = sa.word_count().max(sb.word_count());
                prop_assert!(bound(common, longer) >= score(&sa, &sb),
                    "bound {} < score {}", bound(common, longer), score(&sa, &sb));
            }
        }
    }
}
