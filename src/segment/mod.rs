//! Sentence segmentation for French (source side) and English (target side).
//!
//! A [`Segmenter`] is built once ([`Segmenter::french`],
//! [`Segmenter::english`], optionally extended with
//! [`Segmenter::with_abbreviations`]) and then splits any number of texts with
//! [`Segmenter::split`], which returns byte ranges into the input: in order,
//! never overlapping, on char boundaries, trimmed of surrounding whitespace,
//! covering every non-whitespace byte. The text itself is never altered.
//!
//! ```
//! use memoire::segment::Segmenter;
//!
//! let seg = Segmenter::french().with_abbreviations("consid.\nAG +\n").unwrap();
//! let text = "M. Rey a signé. « Pourquoi ? » a-t-il demandé.";
//! let sentences: Vec<&str> = seg.split(text).into_iter().map(|r| &text[r]).collect();
//! assert_eq!(sentences, ["M. Rey a signé.", "« Pourquoi ? » a-t-il demandé."]);
//! ```
//!
//! # Design
//!
//! The scanner is hand-written and works on bytes: it looks for line breaks
//! and for sentence-final punctuation (`.`, `?`, `!`, `…`) and only then
//! looks around it, so the cost is one pass over the bytes plus a little work
//! per punctuation mark (no regular expressions, no allocation per
//! character).
//!
//! 1. A line break (`\n`, `\r\n`, `\r`, U+2028, U+2029) always ends a
//!    sentence: each line is a paragraph (headlines, datelines and bylines
//!    sit on their own lines).
//! 2. A *cluster* is a run of `.`, `?`, `!`, `…`. It may be followed by
//!    closing quotes and brackets (`»`, `”`, `"`, `)`, `]`, also after a
//!    no-break space as in `pas. »`) and by footnote marks (`[4]`). It is a
//!    candidate boundary only if whitespace or the end of the line follows;
//!    `phrase.Deuxième` and `www.admin.ch/x` are never split. `(...)`,
//!    `[…]` mark an elision and never end a sentence; `:` and `;` never do.
//! 3. The word after the candidate decides, after skipping opening quotes,
//!    brackets, dashes and a bracketed elision (`. [...] Les`):
//!    - Punctuation (`… ?`, `... )`) never starts a sentence.
//!    - `?` `!` end the sentence unless a lower-case word follows
//!      (`« Pourquoi ? » a-t-il demandé`); ellipses likewise, and not before
//!      a figure either (`revendu... 3 millions`).
//!    - A `.` followed by a closing quote or bracket and then a lower-case
//!      word does not end it (`« Je pars. » dit-il`).
//!    - Otherwise a `.` depends on the word before it (elided article and
//!      opening punctuation stripped: `l'art.` is `art`):
//!      - an abbreviation from the rules behaves as its marker says: never
//!        ends a sentence (titles: `M.`, `Dr`, `art.`), ends it before a
//!        likely sentence starter (`*`: `janv.`, `J.-C.`), or before any
//!        capitalised word not inside brackets (`+`: `etc.`, `Inc.`, and
//!        `vol.`, which is also an ordinary word);
//!      - a plain word ends it before anything; before a lower-case word only
//!        in French, where real text shows a sentence typed without its
//!        capital far more often than an unknown abbreviation (English keeps
//!        going);
//!      - a short capitalised word (`Rép.`, `Arch.`) or a number ends it,
//!        but not before a lower-case word (`le 18. décembre`);
//!      - a number of up to three digits at the start of the line or after a
//!        sentence end, `:` or `;` is a list item and never ends it
//!        (`fraternité. 1. Chacun`);
//!      - a single capital or a hyphenated initial (`J.-P.`) is an initial:
//!        it only ends a sentence before a starter that is not also a surname
//!        particle (`J.-M. G. Le Clézio` stays whole);
//!      - dotted capitals or short dotted segments (`O.N.U.`, `S.A.`,
//!        `Ph.D.`, `p.-d.g.`) are acronyms, ending it before a likely starter
//!        (`Nestlé S.A. Le groupe`); longer dotted words (`www.admin.ch.`,
//!        `info@rts.ch.`) are plain words, split after the final dot;
//!      - a single lower-case letter (`18 h.`, `p.`, `s.`) behaves like a `*`
//!        abbreviation.
//!
//!    A capitalised next word means an upper-case first letter, or a brand
//!    such as `iPhone`; a Roman numeral (`Vol. XVII`) counts as a figure.
//!
//! # Rules data
//!
//! Abbreviations and sentence starters live in `rules.txt`, compiled
//! in with `include_str!`; its header documents the format, which is also
//! what [`Segmenter::with_abbreviations`] reads:
//!
//! ```text
//! # comment (to the end of the line)
//! [abbreviations]      # default section of a user file
//! art.                 # never ends a sentence
//! S.A. *               # ends one before a likely sentence starter
//! etc. +               # ends one before any capitalised word
//! [starters]
//! Elle                 # a capitalised word that usually starts a sentence
//! L' ~                 # elided form; `~`: also a surname particle
//! [en abbreviations]   # a language prefix limits a section to `fr` or `en`
//! ```
//!
//! Entries are case-sensitive, but a word with only its first letter
//! capitalised also matches the lower-case entry (`art` matches `Art.`, not
//! `ART.`). Later entries override
//! earlier ones, so a user file can also change a built-in marker.
//!
//! # Limits
//!
//! - Sentences that end without punctuation (a headline followed by its text
//!   on the same line) are not split; UD treebanks also split at `;` and `:`,
//!   which French typography does not treat as sentence ends.
//! - An unknown abbreviation before a capitalised name splits
//!   (`la société Xyz. Design`); extend the rules for domain abbreviations.
//! - Initials and `*` abbreviations only split before the listed starters,
//!   so a sentence that starts with a name after them stays joined
//!   (`... 44 av. J.-C. César ...`); `+` abbreviations split before names
//!   (`Acme Inc. Paris`).
//! - Ellipses before a capitalised word always split, even when the writer
//!   meant a pause before a name (`cette femme... Mlle Dupont`).
//! - Quotes are not balanced beyond ASCII `"`: a `"` right after the
//!   punctuation closes; after a space it closes only a quote opened in the
//!   same sentence. `»` and `”` always close.
//! - Only `\n`, `\r`, U+2028 and U+2029 break lines; U+0085, vertical tab
//!   and form feed are ordinary whitespace.

mod headline;

use std::collections::HashMap;
use std::ops::Range;

use headline::HeadlineRules;

/// The built-in rules: abbreviations and sentence starters per language.
const BUILTIN_RULES: &str = include_str!("rules.txt");

/// Longest word (in bytes) looked up in the abbreviation and starter tables.
const MAX_LOOKUP: usize = 48;

/// How an abbreviation behaves before the next word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AbbrevKind {
    /// Never ends a sentence (`M.`, `art.`, `cf.`).
    Never,
    /// Ends a sentence before a likely sentence starter (`S.A.`, `janv.`).
    BeforeStarter,
    /// Ends a sentence before any capitalised word (`etc.`).
    BeforeCapital,
}

/// A word that usually begins a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StarterKind {
    Plain,
    /// Also a surname particle (`Le`, `De`): not a starter after an initial.
    Particle,
}

/// The sentence punctuation of a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Terminator {
    /// Contains `?` or `!`.
    Strong,
    /// `...` or `…` without `?`/`!`.
    Ellipsis,
    /// A single `.`.
    Period,
    /// `..` (an abbreviation dot plus a final dot: `J.-C..`).
    DoublePeriod,
}

/// What the word before a `.` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prev {
    Plain,
    /// A short capitalised word (`Rép`, `Arch`): before a lower-case word,
    /// probably an abbreviation missing from the rules.
    ShortTitle,
    Number,
    ListNumber,
    Initial,
    Acronym,
    Abbrev(AbbrevKind),
}

/// What comes after a candidate boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next<'a> {
    End,
    Punct,
    Digit,
    Lower,
    /// A capitalised word (or a brand like `iPhone`); `elided` when an
    /// apostrophe follows (`L'`, `Qu'`), `bracketed` after `(` or `[`.
    Upper {
        word: &'a str,
        elided: bool,
        bracketed: bool,
    },
    Other,
}

/// A sentence segmenter: rules compiled once, then [`Segmenter::split`].
#[derive(Clone, Debug)]
pub struct Segmenter {
    lang: &'static str,
    abbreviations: HashMap<Box<str>, AbbrevKind>,
    starters: HashMap<Box<str>, StarterKind>,
    elided_starters: HashMap<Box<str>, StarterKind>,
    split_before_lowercase: bool,
    /// The news rules (see [`headline`]) and whether they apply.
    headlines: HeadlineRules,
    headline_split: bool,
}

impl Segmenter {
    /// The French rules (source side).
    pub fn french() -> Self {
        Self::builtin("fr", true)
    }

    /// The rules for a language code: French for `fr`, `fr-CH`…, the
    /// English rules for any other language.
    pub fn for_language(code: &str) -> Self {
        match crate::text::primary_language(code) {
            "fr" => Self::french(),
            _ => Self::english(),
        }
    }

    /// The simpler English rules (target side): same engine, English
    /// abbreviations and starters, no split before a lower-case word.
    pub fn english() -> Self {
        Self::builtin("en", false)
    }

    fn builtin(lang: &'static str, split_before_lowercase: bool) -> Self {
        let mut seg = Segmenter {
            lang,
            abbreviations: HashMap::new(),
            starters: HashMap::new(),
            elided_starters: HashMap::new(),
            split_before_lowercase,
            headlines: HeadlineRules::default(),
            // Headlines run into their lede: French news as scraped.
            headline_split: lang == "fr",
        };
        seg.load(BUILTIN_RULES)
            .expect("built-in segmentation rules are valid");
        seg
    }

    /// Adds abbreviations (and optionally starters) from user data in the
    /// rules format described in the module docs. Later entries override
    /// earlier ones. Returns an error naming the first bad line.
    pub fn with_abbreviations(mut self, text: &str) -> Result<Self, String> {
        self.load(text)?;
        Ok(self)
    }

    /// The same segmenter without the news rules (metadata prefix, rubric,
    /// headline run into its lede, credit): only punctuation and line
    /// breaks split.
    pub fn without_headline_rules(mut self) -> Self {
        self.headline_split = false;
        self
    }

    /// Splits `text` into sentences, returned as trimmed byte ranges.
    /// The sentences of a paragraph with inline codes: a line break (a
    /// standalone code of type `break`: Word's `<w:br/>`, HTML's `<br>`)
    /// always ends one, as a new line of a text file does, whether a space
    /// follows it or not.
    pub fn split_coded(&self, coded: &crate::text::Coded) -> Vec<Range<usize>> {
        let breaks = coded
            .codes
            .iter()
            .filter(|c| {
                c.kind == crate::text::CodeKind::Standalone && c.ctype.as_deref() == Some("break")
            })
            .map(|c| c.at);
        let mut ranges = Vec::new();
        let mut from = 0;
        for cut in breaks.chain([coded.text.len()]) {
            if cut <= from && cut < coded.text.len() {
                continue;
            }
            ranges.extend(
                self.split(&coded.text[from..cut])
                    .into_iter()
                    .map(|r| r.start + from..r.end + from),
            );
            from = cut;
        }
        ranges
    }

    pub fn split(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for line in lines(text) {
            self.split_line(text, line.start, line.end, &mut out);
        }
        out
    }

    /// Splits `text` paragraph by paragraph: each line of the input is one
    /// [`Paragraph`] (empty lines included, so numbering follows the file).
    pub fn paragraphs(&self, text: &str) -> Vec<Paragraph> {
        lines(text)
            .enumerate()
            .map(|(index, line)| {
                let mut sentences = Vec::new();
                self.split_line(text, line.start, line.end, &mut sentences);
                Paragraph {
                    number: index + 1,
                    range: line,
                    sentences,
                }
            })
            .collect()
    }

    /// The sentences of `text` as string slices.
    pub fn sentences<'a>(&self, text: &'a str) -> impl Iterator<Item = &'a str> {
        self.split(text).into_iter().map(move |r| &text[r])
    }

    // ----- rules loading -------------------------------------------------

    fn load(&mut self, text: &str) -> Result<(), String> {
        let mut section = Some(Section::Abbreviations);
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |msg: &str| format!("rules line {}: {msg}: {raw:?}", n + 1);
            if let Some(header) = line.strip_prefix('[') {
                let header = header.strip_suffix(']').ok_or_else(|| err("unclosed ["))?;
                section = self.parse_header(header).map_err(|m| err(&m))?;
                continue;
            }
            match section {
                None => {}
                Some(Section::Abbreviations) => self.add_abbreviation(line).map_err(|m| err(&m))?,
                Some(Section::Starters) => self.add_starter(line).map_err(|m| err(&m))?,
                Some(Section::News(news)) => self.headlines.add(news, line).map_err(|m| err(&m))?,
            }
        }
        Ok(())
    }

    /// `Some(section)` when the section applies to this language.
    fn parse_header(&self, header: &str) -> Result<Option<Section>, String> {
        let words: Vec<&str> = header.split_whitespace().collect();
        let (lang, name) = match words.as_slice() {
            [] => return Err("bad section header".into()),
            [lang, rest @ ..] if matches!(*lang, "fr" | "en") && !rest.is_empty() => {
                (Some(*lang), rest.join(" "))
            }
            all => (None, all.join(" ")),
        };
        let section = match name.as_str() {
            "abbreviations" => Section::Abbreviations,
            "starters" => Section::Starters,
            other => match headline::Section::named(other) {
                Some(news) => Section::News(news),
                None => return Err(format!("unknown section {name:?}")),
            },
        };
        Ok(match lang {
            Some(l) if l != self.lang => None,
            _ => Some(section),
        })
    }

    fn add_abbreviation(&mut self, line: &str) -> Result<(), String> {
        let (word, marker) = word_and_marker(line)?;
        let kind = match marker {
            None => AbbrevKind::Never,
            Some("*") => AbbrevKind::BeforeStarter,
            Some("+") => AbbrevKind::BeforeCapital,
            Some(m) => return Err(format!("unknown marker {m:?} (use * or +)")),
        };
        let word = word.strip_suffix('.').unwrap_or(word);
        check_word(word)?;
        self.abbreviations.insert(word.into(), kind);
        Ok(())
    }

    fn add_starter(&mut self, line: &str) -> Result<(), String> {
        let (word, marker) = word_and_marker(line)?;
        let kind = match marker {
            None => StarterKind::Plain,
            Some("~") => StarterKind::Particle,
            Some(m) => return Err(format!("unknown marker {m:?} (use ~)")),
        };
        match word.strip_suffix(['\'', '’']) {
            Some(stem) => {
                check_word(stem)?;
                self.elided_starters.insert(stem.into(), kind);
            }
            None => {
                check_word(word)?;
                self.starters.insert(word.into(), kind);
            }
        }
        Ok(())
    }

    // ----- scanning ------------------------------------------------------

    /// Segments `text[start..end]`, a single line.
    fn split_line(&self, text: &str, start: usize, end: usize, out: &mut Vec<Range<usize>>) {
        let line = &text[start..end];
        let bytes = line.as_bytes();
        // Where each sentence after the first starts.
        let mut bounds = Vec::new();
        let mut quotes = QuoteParity::default();
        let mut i = 0;
        while let Some(cluster_start) = find_terminator(bytes, i) {
            let cluster_end = cluster_end(bytes, cluster_start);
            i = cluster_end;
            let open = quotes.is_open(bytes, cluster_start);
            if let Some(boundary) = self.boundary_after(line, cluster_start, cluster_end, open) {
                bounds.push(boundary);
                quotes = QuoteParity {
                    pos: boundary,
                    open: false,
                };
                i = boundary;
            }
        }
        if self.headline_split {
            bounds.extend(self.headlines.cuts(line, &bounds));
            bounds.sort_unstable();
            bounds.dedup();
        }
        let mut from = 0;
        for &bound in &bounds {
            push_trimmed(out, line, start, from, bound);
            from = bound;
        }
        push_trimmed(out, line, start, from, line.len());
    }

    /// The end of the sentence if the cluster `line[cs..ce]` ends one.
    /// `quote_open`: an ASCII `"` opened in this sentence is still open.
    fn boundary_after(&self, line: &str, cs: usize, ce: usize, quote_open: bool) -> Option<usize> {
        let term = classify_cluster(&line[cs..ce]);
        if term == Terminator::Ellipsis && is_bracketed(line, cs, ce) {
            return None;
        }
        let (after, closed) = skip_closers(line, ce, quote_open);
        if !line[after..].starts_with(char::is_whitespace) {
            return None; // end of line (handled by the caller) or no space
        }
        let next = next_word(line, after);
        self.ends_sentence(line, cs, term, closed, next)
            .then_some(after)
    }

    fn ends_sentence(
        &self,
        line: &str,
        cs: usize,
        term: Terminator,
        closed: bool,
        next: Next,
    ) -> bool {
        if matches!(next, Next::End | Next::Punct) {
            return false;
        }
        match term {
            Terminator::Strong => next != Next::Lower,
            // `revendu... 1,6 million`: a pause before a figure, not an end.
            Terminator::Ellipsis => !matches!(next, Next::Lower | Next::Digit),
            _ if closed => next != Next::Lower,
            Terminator::DoublePeriod => self.after_plain(next),
            Terminator::Period => match self.classify_prev(line, cs) {
                Prev::Plain => self.after_plain(next),
                Prev::ShortTitle | Prev::Number => next != Next::Lower,
                Prev::ListNumber | Prev::Abbrev(AbbrevKind::Never) => false,
                Prev::Abbrev(AbbrevKind::BeforeCapital) => matches!(
                    next,
                    Next::Upper {
                        bracketed: false,
                        ..
                    }
                ),
                Prev::Abbrev(AbbrevKind::BeforeStarter) | Prev::Acronym => {
                    self.starter(next).is_some()
                }
                Prev::Initial => self.starter(next) == Some(StarterKind::Plain),
            },
        }
    }

    fn after_plain(&self, next: Next) -> bool {
        next != Next::Lower || self.split_before_lowercase
    }

    fn starter(&self, next: Next) -> Option<StarterKind> {
        let Next::Upper { word, elided, .. } = next else {
            return None;
        };
        let table = if elided {
            &self.elided_starters
        } else {
            &self.starters
        };
        table.get(word).copied()
    }

    /// Classifies the word that ends right before the `.` at `cs`.
    fn classify_prev(&self, line: &str, cs: usize) -> Prev {
        let token_start = line[..cs].rfind(char::is_whitespace).map_or(0, |p| {
            p + line[p..].chars().next().map_or(1, char::len_utf8)
        });
        let token = &line[token_start..cs];
        if token.ends_with(is_closer) {
            return Prev::Plain;
        }
        let word = strip_prefixes(token);
        if word.is_empty() {
            return Prev::Plain;
        }
        if let Some(kind) = self.lookup_abbreviation(word) {
            return Prev::Abbrev(kind);
        }
        classify_shape(word, || is_list_position(line, token_start))
    }

    fn lookup_abbreviation(&self, word: &str) -> Option<AbbrevKind> {
        if word.len() > MAX_LOOKUP {
            return None;
        }
        if let Some(&kind) = self.abbreviations.get(word) {
            return Some(kind);
        }
        let mut buf = [0u8; MAX_LOOKUP + 8];
        let lowered = lower_first(word, &mut buf)?;
        self.abbreviations.get(lowered).copied()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Abbreviations,
    Starters,
    News(headline::Section),
}

fn word_and_marker(line: &str) -> Result<(&str, Option<&str>), String> {
    let mut parts = line.split_whitespace();
    let word = parts.next().ok_or("empty entry")?;
    let marker = parts.next();
    if parts.next().is_some() {
        return Err("expected one word and at most one marker".into());
    }
    Ok((word, marker))
}

fn check_word(word: &str) -> Result<(), String> {
    if word.is_empty() || word.len() > MAX_LOOKUP {
        return Err(format!("entry must be 1 to {MAX_LOOKUP} bytes"));
    }
    Ok(())
}

/// `Art` → `art`, into `buf` without allocating. `None` unless the word
/// starts with a capital followed by no other capital (`PP`, `CH` are
/// acronyms, not the abbreviations `pp.`, `ch.`), or if `buf` overflows.
fn lower_first<'b>(word: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let mut chars = word.chars();
    let first = chars.next().filter(|c| c.is_uppercase())?;
    let rest = chars.as_str();
    if rest.contains(char::is_uppercase) {
        return None;
    }
    let mut len = 0;
    for c in first.to_lowercase() {
        let n = c.len_utf8();
        c.encode_utf8(buf.get_mut(len..len + n)?);
        len += n;
    }
    buf.get_mut(len..len + rest.len())?
        .copy_from_slice(rest.as_bytes());
    std::str::from_utf8(&buf[..len + rest.len()]).ok()
}

/// The length in bytes of the dateline that opens `text`, with the dash
/// and the space after it: « BERNE (ATS) – », « GENÈVE (AFP) - », « Moscou,
/// 12 mars (AFP) – », « ZURICH – ». A dateline is at most six words before a
/// dash, either all in capitals or ending with an agency in brackets, with
/// no sentence punctuation.
pub fn dateline_len(text: &str) -> Option<usize> {
    let mut cut = text.len().min(80);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    let (dash_at, dash) = [" – ", " — ", " - "]
        .iter()
        .filter_map(|d| head.find(d).map(|i| (i, *d)))
        .min()?;
    let before = head[..dash_at].trim_end();
    if before.is_empty()
        || before.contains(['.', '!', '?', ':', ';', '«', '"'])
        || !before.starts_with(char::is_uppercase)
    {
        return None;
    }
    let agency = before
        .strip_suffix(')')
        .and_then(|b| b.rsplit_once('('))
        .filter(|(place, agency)| {
            !place.trim().is_empty()
                && (2..=20).contains(&agency.chars().count())
                && agency.starts_with(char::is_uppercase)
                && !agency.chars().any(|c| c.is_ascii_digit())
        });
    let words = before.split_whitespace().count();
    let capitals = !before.chars().any(char::is_lowercase);
    // The place: capitalised words (« New York », « La Chaux-de-Fonds »,
    // « Rio de Janeiro »), before a date or the agency.
    let place = before.split([',', '(']).next().unwrap_or("");
    let place_like = place.split_whitespace().all(|w| {
        w.starts_with(char::is_uppercase)
            || [
                "de", "du", "des", "la", "le", "les", "sur", "en", "am", "im",
            ]
            .contains(&w)
    });
    if words > 6 || !place_like || !(agency.is_some() || capitals) {
        return None;
    }
    let end = dash_at + dash.len();
    let rest = &text[end..];
    let rest = rest.trim_start();
    (!rest.is_empty()).then(|| text.len() - rest.len())
}

/// One line of the input and the sentences in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// 1-based line number in the input.
    pub number: usize,
    /// The line, without its line break.
    pub range: Range<usize>,
    /// Sentence byte ranges into the whole input.
    pub sentences: Vec<Range<usize>>,
}

/// The lines of `text` as byte ranges without their line breaks; a text
/// that ends with a line break has no empty last line.
fn lines(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let n = line_break_len(bytes, i);
            if n > 0 {
                let line = start..i;
                i += n;
                start = i;
                return Some(line);
            }
            i += 1;
        }
        (start < bytes.len()).then(|| {
            let line = start..bytes.len();
            start = bytes.len();
            line
        })
    })
}

/// Length of the line break starting at `i`, or 0.
fn line_break_len(bytes: &[u8], i: usize) -> usize {
    match bytes[i] {
        b'\n' => 1,
        b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
        b'\r' => 1,
        0xE2 if bytes.get(i + 1) == Some(&0x80)
            && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
        {
            3
        }
        _ => 0,
    }
}

/// Is the byte at `i` the start of `…` (U+2026, E2 80 A6)?
fn is_ellipsis_at(bytes: &[u8], i: usize) -> bool {
    bytes[i] == 0xE2 && bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA6)
}

/// The next `.`, `?`, `!` or `…` at or after `from`.
fn find_terminator(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len())
        .find(|&i| matches!(bytes[i], b'.' | b'?' | b'!') || is_ellipsis_at(bytes, i))
}

/// End of the run of `.?!…` starting at `start`.
fn cluster_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        if matches!(bytes[i], b'.' | b'?' | b'!') {
            i += 1;
        } else if is_ellipsis_at(bytes, i) {
            i += 3;
        } else {
            break;
        }
    }
    i
}

fn classify_cluster(cluster: &str) -> Terminator {
    if cluster.contains(['?', '!']) {
        Terminator::Strong
    } else if cluster.contains('…') || cluster.len() >= 3 {
        Terminator::Ellipsis
    } else if cluster.len() == 2 {
        Terminator::DoublePeriod
    } else {
        Terminator::Period
    }
}

/// `(...)`, `[…]`: an elision mark, not a sentence end.
fn is_bracketed(line: &str, cs: usize, ce: usize) -> bool {
    line[..cs].ends_with(['(', '[']) && line[ce..].starts_with([')', ']'])
}

fn is_closer(c: char) -> bool {
    matches!(c, '»' | '›' | '”' | '’' | '"' | '\'' | ')' | ']' | '}')
}

/// Closers that may follow a space in French typography (`pas. »`).
fn is_spaced_closer(c: char) -> bool {
    matches!(c, '»' | '›' | '”' | ')' | ']')
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '«' | '‹'
            | '“'
            | '‘'
            | '„'
            | '"'
            | '\''
            | '('
            | '['
            | '{'
            | '¿'
            | '¡'
            | '-'
            | '–'
            | '—'
            | '*'
            | '•'
    )
}

fn is_horizontal_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Tracks whether an ASCII `"` is open in the current sentence, counting
/// quotes incrementally so each byte is counted once.
#[derive(Clone, Copy, Debug, Default)]
struct QuoteParity {
    pos: usize,
    open: bool,
}

impl QuoteParity {
    fn is_open(&mut self, bytes: &[u8], upto: usize) -> bool {
        let n = bytes[self.pos..upto].iter().filter(|&&b| b == b'"').count();
        self.open ^= n % 2 == 1;
        self.pos = upto;
        self.open
    }
}

/// Skips closing quotes, brackets and footnote marks after a cluster; a `"`
/// after a space closes only an open quote (`quote_open`).
/// Returns the position after them and whether any was found.
fn skip_closers(line: &str, mut pos: usize, mut quote_open: bool) -> (usize, bool) {
    let mut closed = false;
    loop {
        let rest = &line[pos..];
        let mut chars = rest.char_indices();
        let Some((_, c)) = chars.next() else { break };
        if is_closer(c) {
            pos += c.len_utf8();
            closed = true;
            quote_open &= c != '"';
        } else if let Some(n) = footnote_len(rest) {
            pos += n;
        } else if is_horizontal_space(c) {
            let spaces = rest.len() - rest.trim_start_matches(is_horizontal_space).len();
            let after_spaces = &rest[spaces..];
            match after_spaces.chars().next() {
                Some(q)
                    if is_spaced_closer(q)
                        || (q == '"' && quote_open && ends_word(after_spaces)) =>
                {
                    pos += spaces + q.len_utf8();
                    closed = true;
                    quote_open &= q != '"';
                }
                _ => break,
            }
        } else {
            break;
        }
    }
    (pos, closed)
}

/// Is `s` (starting with a one-byte char) followed by whitespace or the end?
fn ends_word(s: &str) -> bool {
    s[1..].chars().next().is_none_or(char::is_whitespace)
}

/// Length of a footnote mark like `[4]` or `[12]` at the start of `s`.
fn footnote_len(s: &str) -> Option<usize> {
    let digits = s.strip_prefix('[')?;
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&n).then_some(())?;
    digits[n..].starts_with(']').then_some(n + 2)
}

/// Classifies what follows the boundary candidate at `pos`.
fn next_word(line: &str, pos: usize) -> Next<'_> {
    let mut rest = &line[pos..];
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || is_opener(c));
        match ["...)", "…)", "...]", "…]"]
            .iter()
            .find(|e| rest.starts_with(*e))
        {
            Some(e) => rest = &rest[e.len()..], // `(...) Les`: skip the elision
            None => break,
        }
    }
    let Some(c) = rest.chars().next() else {
        return Next::End;
    };
    if c.is_numeric() {
        return Next::Digit;
    }
    if c.is_alphabetic() {
        let bracketed = line[pos..line.len() - rest.len()].contains(['(', '[']);
        return letter_word(rest, c, bracketed);
    }
    if is_closer(c) || matches!(c, ',' | ';' | ':' | '.' | '?' | '!' | '…' | '%' | '/') {
        return Next::Punct;
    }
    Next::Other
}

fn letter_word(rest: &str, first: char, bracketed: bool) -> Next<'_> {
    let len = rest
        .char_indices()
        .take_while(|&(i, c)| i < MAX_LOOKUP && c.is_alphabetic())
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    let word = &rest[..len];
    let elided = rest[len..].starts_with(['\'', '’']);
    if is_roman_numeral(word) {
        Next::Digit // `Vol. XVII`
    } else if first.is_uppercase() || (first.is_lowercase() && word.chars().any(char::is_uppercase))
    {
        Next::Upper {
            word,
            elided,
            bracketed,
        }
    } else if first.is_lowercase() {
        Next::Lower
    } else {
        Next::Other // letters without case (CJK, Arabic...)
    }
}

/// `XVII`, `IV` (two letters or more: `V.` alone is an initial).
fn is_roman_numeral(word: &str) -> bool {
    word.len() >= 2 && word.bytes().all(|b| b"IVXLCDM".contains(&b))
}

/// Strips opening punctuation and an elided article (`l'art` → `art`).
fn strip_prefixes(token: &str) -> &str {
    let token = token.trim_start_matches(is_opener);
    match token.rfind(['\'', '’']) {
        Some(p) => &token[p + token[p..].chars().next().map_or(1, char::len_utf8)..],
        None => token,
    }
}

/// Classifies a word by its shape (not found among the abbreviations).
fn classify_shape(word: &str, list_position: impl Fn() -> bool) -> Prev {
    let mut chars = word.chars();
    let first = chars.next().unwrap_or(' ');
    if first.is_ascii_digit() {
        return if !word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '\'' | '’'))
        {
            Prev::Plain
        } else if word.len() <= 3 && word.bytes().all(|b| b.is_ascii_digit()) && list_position() {
            Prev::ListNumber
        } else {
            Prev::Number
        };
    }
    if chars.next().is_none() {
        return match first {
            c if c.is_uppercase() => Prev::Initial,
            c if c.is_lowercase() => Prev::Abbrev(AbbrevKind::BeforeStarter),
            _ => Prev::Plain,
        };
    }
    if word.contains('.') {
        return dotted_shape(word);
    }
    if is_short_title(word) {
        return Prev::ShortTitle;
    }
    Prev::Plain
}

/// `Rép`, `Arch`: a capital then one to three lower-case letters.
fn is_short_title(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && (1..=3).contains(&chars.clone().count())
        && chars.all(char::is_lowercase)
}

/// `O.N.U`, `S.A`, `Ph.D`, `p.-d.g` are acronyms; `J.-P` is an initial;
/// `www.admin.ch` or `3.a` are plain words.
fn dotted_shape(word: &str) -> Prev {
    let mut hyphenated = false;
    let mut all_single = true;
    for segment in word.split('.') {
        let segment = match segment.strip_prefix('-') {
            Some(s) => {
                hyphenated = true;
                s
            }
            None => segment,
        };
        let n = segment.chars().count();
        if !(1..=3).contains(&n) || !segment.chars().all(char::is_alphabetic) {
            return Prev::Plain;
        }
        all_single &= n == 1;
    }
    if hyphenated && all_single && word.starts_with(char::is_uppercase) {
        Prev::Initial
    } else {
        Prev::Acronym
    }
}

/// Does the token at `token_start` open a list item: at the start of the
/// line or right after a sentence end, a colon or a semicolon
/// (`fraternité. 1. Chacun`)?
fn is_list_position(line: &str, token_start: usize) -> bool {
    let before = line[..token_start].trim_end();
    before.is_empty() || before.ends_with(['.', '?', '!', '…', ':', ';'])
}

/// Pushes `line[from..to]` trimmed, as absolute offsets, if not empty.
fn push_trimmed(out: &mut Vec<Range<usize>>, line: &str, offset: usize, from: usize, to: usize) {
    let s = &line[from..to];
    let trimmed = s.trim_start();
    let start = from + (s.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    if !trimmed.is_empty() {
        out.push(offset + start..offset + start + trimmed.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(text: &str) -> Vec<&str> {
        Segmenter::french().sentences(text).collect()
    }

    fn en(text: &str) -> Vec<&str> {
        Segmenter::english().sentences(text).collect()
    }

    /// Asserts that `text` splits into exactly `expected`.
    #[track_caller]
    fn check(text: &str, expected: &[&str]) {
        assert_eq!(fr(text), expected, "input: {text:?}");
    }

    /// Asserts that `text` stays one sentence.
    #[track_caller]
    fn one(text: &str) {
        check(text, &[text]);
    }

    #[test]
    fn plain_sentences() {
        check(
            "Le train est parti. Le quai est vide ! Qui reste encore ?",
            &[
                "Le train est parti.",
                "Le quai est vide !",
                "Qui reste encore ?",
            ],
        );
        check(
            "Personne ne répond.Fin du message.",
            &["Personne ne répond.Fin du message."],
        );
        assert!(fr("").is_empty());
        assert!(fr("  \n \r\n\t ").is_empty());
    }

    #[test]
    fn line_breaks_always_split() {
        let text = "Incendie à Morges\r\nLAUSANNE (ATS) – Un entrepôt a brûlé.\nPar Jean Rossier\u{2028}Fin";
        assert_eq!(
            fr(text),
            [
                "Incendie à Morges",
                "LAUSANNE (ATS) – Un entrepôt a brûlé.",
                "Par Jean Rossier",
                "Fin"
            ]
        );
    }

    #[test]
    fn titles_never_end_a_sentence() {
        one("M. Favre et MM. Rey et Bovet ont rencontré Mme Zufferey hier.");
        one("Selon Mme. Perrin, Mlle Berset et Me Vuille ont quitté la salle.");
        one("Le Dr. Imhof et le Pr. Chappuis dirigent l'étude avec le prof. Meier.");
        one("La kermesse de St. Laurent attire Mgr. Morerod chaque année.");
        one("M. le syndic a ouvert la séance.");
    }

    #[test]
    fn abbreviations_inside_a_sentence() {
        one("L'art. 12 al. 3 de la loi, cf. annexe B, prévoit env. 40 postes.");
        one("Certains métaux, p. ex. le cuivre, sont recyclés, c.-à-d. refondus.");
        one("Voir le vol. 2, p. 118, et le n° 7 de la revue.");
        one("Le bureau se trouve au 4, av. de la Poste, à Delémont.");
        one("Le billet coûte Fr. 8.40 depuis le 3 janv. 2025 pour les étudiants.");
        one("Le temple fut bâti vers 120 av. J.-C. par des colons grecs.");
        one("Le titre de Ph.D. est rare et Google Inc. est cotée.");
        one("Nous citons l'éd. originale, op. cit., et l'impr. de 1820.");
        one("Art. 5 al. 2 : Cf. la note, Etc. compris.");
    }

    #[test]
    fn acronyms_are_not_lower_case_abbreviations() {
        check(
            "Elle dessine une BD. Les planches sont prêtes.",
            &["Elle dessine une BD.", "Les planches sont prêtes."],
        );
        check(
            "Il a voté pour le PP. Sa femme aussi.",
            &["Il a voté pour le PP.", "Sa femme aussi."],
        );
    }

    #[test]
    fn abbreviations_that_end_a_sentence() {
        check(
            "Il vend des vis, des clous, etc. Le magasin ferme à midi.",
            &[
                "Il vend des vis, des clous, etc.",
                "Le magasin ferme à midi.",
            ],
        );
        check(
            "La cité fut rasée en 146 av. J.-C. Elle fut reconstruite plus tard.",
            &[
                "La cité fut rasée en 146 av. J.-C.",
                "Elle fut reconstruite plus tard.",
            ],
        );
        check(
            "Elle a rejoint Logitech S.A. Le groupe l'a nommée directrice.",
            &[
                "Elle a rejoint Logitech S.A.",
                "Le groupe l'a nommée directrice.",
            ],
        );
        check(
            "Il a signé chez Acme Inc. Puis il a déménagé.",
            &["Il a signé chez Acme Inc.", "Puis il a déménagé."],
        );
        check(
            "La séance aura lieu le 9 déc. Elle sera publique.",
            &["La séance aura lieu le 9 déc.", "Elle sera publique."],
        );
        one("Les outils (pinces, scies, etc.) sont rangés.");
        one("La firme Holcim S.A. a fusionné.");
        one("Son siège, Brasserie Dupuis Inc. (« BDI »), reste à Bulle.");
    }

    #[test]
    fn initials_and_acronyms() {
        one("Le roman de J.-L. Pasquier a été traduit par Anne W. Grant.");
        one("Le prix revient à P.-A. B. Le Goff, poète breton.");
        one("Selon C. Ramuz, l'hiver sera long.");
        one("Le rapport de l'O.N.U. a été publié.");
        one("Les troupes de l'O.T.A.N. Nord ont été rappelées.");
        check(
            "Le texte cite la vitamine D. Elle est utile en hiver.",
            &["Le texte cite la vitamine D.", "Elle est utile en hiver."],
        );
        check(
            "Il travaille pour l'O.N.U. Les autres candidats ont renoncé.",
            &[
                "Il travaille pour l'O.N.U.",
                "Les autres candidats ont renoncé.",
            ],
        );
    }

    #[test]
    fn numbers_and_units() {
        one("La commune compte 12’400 habitants et 1 250 vaches.");
        one("L'inflation est de 2,7 % et le litre coûte Fr. 1.95.");
        one("Le concert débute à 19 h 30 le 1er août, 2e édition.");
        one("Le délai court jusqu'au 31.12.2026 selon le chap. 4.2.1. de la directive.");
        check(
            "Le scrutin se termine à 12 h. Les résultats suivront.",
            &["Le scrutin se termine à 12 h.", "Les résultats suivront."],
        );
        check(
            "Le bouchon mesure 8 km. Les secours sont sur place.",
            &["Le bouchon mesure 8 km.", "Les secours sont sur place."],
        );
        check(
            "Le contrat expire le 30.06.2027. Il sera renouvelé.",
            &["Le contrat expire le 30.06.2027.", "Il sera renouvelé."],
        );
        check(
            "Il a régné après Henri IV. Son fils lui a succédé.",
            &["Il a régné après Henri IV.", "Son fils lui a succédé."],
        );
        check(
            "Elle a fini 3e. Sa coéquipière a abandonné.",
            &["Elle a fini 3e.", "Sa coéquipière a abandonné."],
        );
    }

    #[test]
    fn numbered_list_items() {
        check(
            "Le règlement prévoit deux points. 1. Chaque membre paie. 2. Le comité décide.",
            &[
                "Le règlement prévoit deux points.",
                "1. Chaque membre paie.",
                "2. Le comité décide.",
            ],
        );
        check(
            "Deux règles s'appliquent : 1. Le casque est obligatoire ; 2. Les chiens restent en laisse.",
            &[
                "Deux règles s'appliquent : 1. Le casque est obligatoire ; 2. Les chiens restent en laisse.",
            ],
        );
        check(
            "Le score final était de 2 à 1. Bâle jouera la finale.",
            &["Le score final était de 2 à 1.", "Bâle jouera la finale."],
        );
    }

    #[test]
    fn urls_domains_and_emails() {
        check(
            "Les horaires sont sur www.cff.ch. Les billets aussi.",
            &["Les horaires sont sur www.cff.ch.", "Les billets aussi."],
        );
        check(
            "Écrivez à contact@vaud-info.ch. Une réponse suivra.",
            &["Écrivez à contact@vaud-info.ch.", "Une réponse suivra."],
        );
        one("Le guide https://www.vd.ch/aide/guide.pdf est gratuit.");
        one("Le site meteo.ch est consulté par tous.");
    }

    #[test]
    fn guillemets_and_quotes() {
        one("« Qui paiera ? » a demandé la conseillère.");
        one("«\u{a0}Jamais\u{a0}!\u{a0}» a répondu le maire.");
        one("«Assez!» a crié la foule.");
        one("« La salle est pleine. » dit l'huissier.");
        check(
            "« Je signerai demain. » Ce fut sa dernière promesse.",
            &["« Je signerai demain. »", "Ce fut sa dernière promesse."],
        );
        check(
            "Elle a dit\u{a0}: «\u{a0}C'est fini.\u{a0}» Le public s'est levé.",
            &[
                "Elle a dit\u{a0}: «\u{a0}C'est fini.\u{a0}»",
                "Le public s'est levé.",
            ],
        );
        check(
            "Il parle d'une «\u{202f}bavure\u{202f}». La police dément.",
            &[
                "Il parle d'une «\u{202f}bavure\u{202f}».",
                "La police dément.",
            ],
        );
        check(
            "Le maire évoque un “malentendu”. Le préfet se tait.",
            &["Le maire évoque un “malentendu”.", "Le préfet se tait."],
        );
        check(
            "« Tu viens ? Oui, j'arrive ! » Ils sont partis.",
            &["« Tu viens ?", "Oui, j'arrive ! »", "Ils sont partis."],
        );
        check(
            "Le syndic a lancé : \" Nous voterons. \" Le conseil a approuvé.",
            &[
                "Le syndic a lancé : \" Nous voterons. \"",
                "Le conseil a approuvé.",
            ],
        );
    }

    #[test]
    fn french_spacing_before_punctuation() {
        check(
            "Que décider\u{a0}? Le comité hésite.",
            &["Que décider\u{a0}?", "Le comité hésite."],
        );
        check(
            "Quelle audace\u{202f}! La salle applaudit.",
            &["Quelle audace\u{202f}!", "La salle applaudit."],
        );
        one("Quelle audace\u{a0}! s'est exclamé le juge.");
        one("Il a tranché\u{a0}: rien ne change\u{202f}; tout continue.");
        check(
            "Sérieusement\u{202f}?! Non.",
            &["Sérieusement\u{202f}?!", "Non."],
        );
    }

    #[test]
    fn ellipses() {
        one("Elle attend… puis elle signe.");
        one("Il compte... et recompte.");
        one("Il a lu Camus (...) sans conviction.");
        one("Elle écrit : « Les élus […] ont menti. »");
        one("Le lot fut revendu... 3 millions.");
        one("J'ai vu des chats (Tom, Félix, ...) partout.");
        check(
            "La suite reste floue… Le jury tranchera.",
            &["La suite reste floue…", "Le jury tranchera."],
        );
        check(
            "Tout reste possible... Les discussions reprendront.",
            &["Tout reste possible...", "Les discussions reprendront."],
        );
        check(
            "Il conclut : « On verra... » La séance est levée.",
            &["Il conclut : « On verra... »", "La séance est levée."],
        );
        check(
            "La fête fut longue. [...] Les voisins se sont plaints.",
            &["La fête fut longue.", "[...] Les voisins se sont plaints."],
        );
    }

    #[test]
    fn dateline_len_never_cuts_a_character() {
        // Regression: the first 80 bytes were cut inside « à ».
        let text = "Ils cherchent comment, au cours de la prochaine décennie, ils pourront passer à un \
                    système permettant aux conducteurs de payer.";
        assert_eq!(dateline_len(text), None);
        for n in 70..90 {
            let text = format!("{}é – suite", "a".repeat(n));
            let _ = dateline_len(&text);
        }
    }

    #[test]
    fn datelines_are_recognised_and_sentences_are_not() {
        for (text, dateline) in [
            ("BERNE (ATS) – Le peuple a voté.", Some("BERNE (ATS) – ")),
            ("GENÈVE (AFP) - Il pleut.", Some("GENÈVE (AFP) - ")),
            (
                "Moscou, 12 mars (AFP) – Le Kremlin a dit.",
                Some("Moscou, 12 mars (AFP) – "),
            ),
            ("ZURICH – La BNS a relevé son taux.", Some("ZURICH – ")),
            ("Le Conseil fédéral – enfin – a tranché.", None),
            ("Diplomatie – Washington appelle Moscou.", None),
            ("BERNE (ATS) – ", None),
            ("Il a dit (AFP) – rien.", None),
        ] {
            assert_eq!(dateline_len(text).map(|n| &text[..n]), dateline, "{text}");
        }
    }

    #[test]
    fn parentheses_datelines_and_starts() {
        check(
            "Le bilan s'alourdit. (Les noms des victimes seront publiés plus tard.) Le deuil est décrété.",
            &[
                "Le bilan s'alourdit.",
                "(Les noms des victimes seront publiés plus tard.)",
                "Le deuil est décrété.",
            ],
        );
        one("SION (Keystone-ATS) - Le Grand Conseil a voté le budget.");
        one("Lyon, 4 avril 2025 (AFP) — La grève se poursuit.");
        check(
            "Le col reste fermé, selon la police. (ATS)",
            &["Le col reste fermé, selon la police.", "(ATS)"],
        );
        check(
            "Le salon ouvre demain. iPad et Mac y seront présentés.",
            &["Le salon ouvre demain.", "iPad et Mac y seront présentés."],
        );
        check(
            "La saison est finie. 2026 sera une année de transition.",
            &["La saison est finie.", "2026 sera une année de transition."],
        );
        check(
            "Le vent tombe. puis la pluie arrive.",
            &["Le vent tombe.", "puis la pluie arrive."],
        );
        one("Il lit (vraiment ?) tous les rapports.");
        check("Il dort.[3] Elle veille.", &["Il dort.[3]", "Elle veille."]);
    }

    #[test]
    fn english_rules() {
        assert_eq!(
            en("Mr. Smith met Dr. Jones at 5 p.m. The talks failed. Why? Nobody knows."),
            [
                "Mr. Smith met Dr. Jones at 5 p.m.",
                "The talks failed.",
                "Why?",
                "Nobody knows."
            ]
        );
        assert_eq!(
            en("Apple Inc. is based in Cupertino, e.g. near San Jose."),
            ["Apple Inc. is based in Cupertino, e.g. near San Jose."]
        );
        assert_eq!(
            en("It rained. then it stopped."),
            ["It rained. then it stopped."]
        );
        assert_eq!(
            en("\"Stop!\" she shouted. He did."),
            ["\"Stop!\" she shouted.", "He did."]
        );
    }

    #[test]
    fn user_abbreviations() {
        let base = Segmenter::french();
        let text = "La décision du TF, cf. consid. Les juges ont tranché.";
        assert_eq!(base.sentences(text).count(), 2);
        let seg = base
            .with_abbreviations("# local rules\nconsid.\n")
            .expect("valid rules");
        assert_eq!(seg.sentences(text).count(), 1);

        let seg = Segmenter::french()
            .with_abbreviations(
                "[abbreviations]\nAG +   # Aktiengesellschaft\n[starters]\nFinalement\n",
            )
            .expect("valid rules");
        assert_eq!(
            seg.sentences("Il dirige Roche AG. Finalement il démissionne.")
                .count(),
            2
        );
        let seg = seg.with_abbreviations("ca. *").expect("valid rules");
        assert_eq!(seg.sentences("Il pèse ca. Finalement non.").count(), 2);
        assert_eq!(seg.sentences("Il pèse ca. Martin le sait.").count(), 1);
    }

    #[test]
    fn bad_rules_are_reported() {
        let err = Segmenter::french()
            .with_abbreviations("ok\nfoo ?\n")
            .unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(Segmenter::french().with_abbreviations("[nothing]").is_err());
        assert!(Segmenter::french().with_abbreviations("a b c").is_err());
        assert!(
            Segmenter::french()
                .with_abbreviations("[starters\n")
                .is_err()
        );
        // Sections for another language are skipped.
        assert!(
            Segmenter::french()
                .with_abbreviations("[en abbreviations]\nxyz ?\n")
                .is_ok()
        );
    }

    #[test]
    fn builtin_rules_parse_for_both_languages() {
        let fr = Segmenter::french();
        assert_eq!(
            fr.abbreviations.get("etc"),
            Some(&AbbrevKind::BeforeCapital)
        );
        assert_eq!(fr.starters.get("Le"), Some(&StarterKind::Particle));
        assert_eq!(fr.elided_starters.get("Qu"), Some(&StarterKind::Plain));
        let en = Segmenter::english();
        assert!(en.abbreviations.contains_key("Mr"));
        assert!(!en.abbreviations.contains_key("Mme"));
    }

    /// xorshift64*: a tiny deterministic generator for the property test.
    struct XorShift(u64);

    impl XorShift {
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

    const PIECES: &[&str] = &[
        ".", "?", "!", "…", "...", " ", " ", "\u{a0}", "\u{202f}", "\n", "\r\n", "\r", "\u{2028}",
        "«", "»", "“", "”", "\"", "'", "’", "(", ")", "[", "]", "[4]", "a", "É", "é", "İ", "ß",
        "1", "42", "M", "Mme", "etc", "J.-C", "S.A", "Le", "il", "www", "@", "-", "–", ":", ";",
        ",", "🙂", "\u{301}", "漢", "\t", "ǅ", "x",
    ];

    fn random_text(rng: &mut XorShift) -> String {
        let len = rng.below(40);
        let mut text = String::new();
        for _ in 0..len {
            if rng.below(8) == 0 {
                // Any scalar value, weighted towards the BMP.
                let limit = if rng.below(2) == 0 { 0x3000 } else { 0x11_0000 };
                text.extend(char::from_u32(rng.below(limit) as u32));
            } else {
                text.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
        text
    }

    #[track_caller]
    fn check_invariants(text: &str, ranges: &[Range<usize>]) {
        let mut covered = vec![false; text.len()];
        let mut last_end = 0;
        for r in ranges {
            assert!(r.start < r.end, "empty range in {text:?}");
            assert!(r.start >= last_end, "overlap or disorder in {text:?}");
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            let s = &text[r.clone()];
            assert_eq!(s, s.trim(), "untrimmed range in {text:?}");
            assert!(
                !s.contains(['\n', '\r', '\u{2028}', '\u{2029}']),
                "line break inside {s:?}"
            );
            covered[r.clone()].iter_mut().for_each(|c| *c = true);
            last_end = r.end;
        }
        for (i, c) in text.char_indices() {
            if !c.is_whitespace() {
                assert!(covered[i], "{c:?} at {i} not covered in {text:?}");
            }
        }
    }

    #[test]
    fn paragraphs_follow_the_lines_of_the_input() {
        let text = "Titre sans point\r\n\nGENÈVE (ATS) – Il pleut. Il neige.\n";
        let seg = Segmenter::french();
        let paragraphs = seg.paragraphs(text);
        let numbers: Vec<usize> = paragraphs.iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert!(paragraphs[1].sentences.is_empty());
        let third: Vec<&str> = paragraphs[2]
            .sentences
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(third, ["GENÈVE (ATS) – Il pleut.", "Il neige."]);
        let flat: Vec<_> = paragraphs.into_iter().flat_map(|p| p.sentences).collect();
        assert_eq!(flat, seg.split(text));
    }

    #[test]
    fn random_input_keeps_invariants() {
        let segmenters = [Segmenter::french(), Segmenter::english()];
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let text = random_text(&mut rng);
            for seg in &segmenters {
                check_invariants(&text, &seg.split(&text));
            }
        }
    }
}
