//! The glossary: term pairs, looking terms up, and finding them in text.
//!
//! Terms live in the store ([`crate::store::Term`]); a [`Glossary`] is built
//! in memory from one language pair's terms (a 10,000-entry glossary takes
//! a few milliseconds) and answers two questions:
//!
//! * **[`Glossary::lookup`]** — which entries answer a fragment a translator
//!   typed: exact, up to case and accents, inflected (French plural and
//!   feminine endings by rule — « émeutes » finds « émeute », « fédéraux »
//!   « fédéral » — other languages through their Snowball stemmer),
//!   containing the fragment's
//!   words (« Conseil » finds « Conseil fédéral »), or a name spelt
//!   differently (Jaro-Winkler similarity: « Choigou » finds « Choïgou »).
//! * **[`Glossary::find`]** — which terms occur in a text, with byte spans:
//!   words are compared folded (lower case, no accents) through a token
//!   trie, the longest term wins, then inflected forms through a second
//!   trie of stems. Words of a term may be separated by any white space
//!   (no-break spaces, line breaks) or by hyphens, dots or slashes without
//!   spaces; other punctuation ends a term. Elided articles are their own
//!   words (`l'OTSC`, `d'Almaty`), so terms after them are found.
//!
//! Three rules keep recognition precise on news text: a term word in
//! capitals (an acronym: `CE`, `UE`, `ONU`) only matches the same capitals,
//! so the pronoun « ce » is not the Council of Europe; a one-word term with
//! a capital (a name: « Berne », « Poutine ») only matches a word with a
//! capital, so « il berne ses électeurs » holds no place name; and a capital
//! inside a term (« Le Centre », « Les Républicains ») must be there in the
//! text, so « le centre de Lausanne » is not the party.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use crate::error::{Error, Kind, Result};
use crate::store::{NewTerm, Store, Term, TermBatch, TermStatus};
use crate::text::{self, TokenKind};

/// Origin label of the entries of the shipped glossary.
pub const SHIPPED_ORIGIN: &str = "memoire fr-en news glossary";

/// The shipped French–English news glossary (`glossary/fr-en-news.csv`).
const SHIPPED_CSV: &str = include_str!("../glossary/fr-en-news.csv");

/// An entry of the shipped glossary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedTerm {
    pub source: String,
    pub target: String,
    pub domain: Option<String>,
    pub note: Option<String>,
    pub status: TermStatus,
    pub pos: Option<String>,
    pub checked: Option<String>,
}

/// The longest glossary source or target, in characters: a term, a name,
/// a title, a phrase; anything longer is a sentence pasted by mistake.
pub const MAX_TERM_CHARS: usize = 1000;

/// Why `text` cannot be a glossary source or target, if it cannot.
pub fn check_term_text(field: &str, text: &str) -> std::result::Result<(), String> {
    let n = text.chars().count();
    if n > MAX_TERM_CHARS {
        return Err(format!(
            "{field}: {n} characters, longer than a glossary entry can be ({MAX_TERM_CHARS})"
        ));
    }
    Ok(())
}

/// The entries of the shipped glossary, fr → en.
pub fn shipped() -> Result<Vec<ShippedTerm>> {
    let mut reader = csv::Reader::from_reader(SHIPPED_CSV.as_bytes());
    let bad = |why: String| {
        Error::new(
            Kind::Input,
            format!("the shipped glossary is damaged: {why}"),
        )
    };
    let mut terms = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let cell = |i: usize| {
            record
                .get(i)
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
        };
        terms.push(ShippedTerm {
            source: cell(0).ok_or_else(|| bad("empty source".into()))?,
            target: cell(1).ok_or_else(|| bad("empty target".into()))?,
            domain: cell(2),
            note: cell(3),
            status: cell(4)
                .as_deref()
                .unwrap_or("preferred")
                .parse()
                .map_err(bad)?,
            pos: cell(5),
            checked: cell(6),
        });
    }
    Ok(terms)
}

/// Put the shipped glossary (fr → en) into a batch of terms. Returns how
/// many entries were new.
pub fn add_shipped(batch: &mut TermBatch<'_>) -> Result<usize> {
    let mut added = 0;
    for term in &shipped()? {
        let new = batch.add(&NewTerm {
            source_lang: "fr",
            target_lang: "en",
            source: &term.source,
            target: &term.target,
            domain: term.domain.as_deref(),
            note: term.note.as_deref(),
            status: Some(term.status),
            origin: SHIPPED_ORIGIN,
            pos: term.pos.as_deref(),
            checked: term.checked.as_deref(),
        })?;
        added += usize::from(new == crate::store::TermAdded::New);
    }
    Ok(added)
}

/// Open the memory at `path` for writing; a new memory gets the shipped
/// glossary, when `with_shipped`, in the same transaction that creates it,
/// so that no memory ever exists without it.
pub fn open_for_writing(path: &Path, with_shipped: bool) -> Result<Store> {
    let seed = |batch: &mut TermBatch<'_>| add_shipped(batch).map(drop);
    Store::create_or_open(
        path,
        with_shipped.then_some(&seed as crate::store::Seed<'_>),
    )
}

/// Which side of the term pairs is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    /// From the translation back (`term lookup --reverse`).
    Target,
}

/// How a term was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// Written exactly as in the glossary (spacing aside).
    Exact,
    /// Differs in case or accents only (« Etat » for « État »).
    CaseOrAccents,
    /// An inflected form: plural, feminine (« émeutes » for « émeute »).
    Inflected,
    /// A conjugated verb (« a salué » for « saluer »).
    Conjugated,
    /// A title with a nationality between its words (« ministre russe de
    /// la Défense » for « ministre de la Défense »).
    WithModifier,
    /// The fragment's words are part of the term (lookup only).
    Partial,
    /// A similar spelling (lookup only): names transliterated differently.
    Fuzzy,
}

impl MatchKind {
    pub fn describe(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::CaseOrAccents => "case or accents",
            MatchKind::Inflected => "inflected form",
            MatchKind::Conjugated => "conjugated verb",
            MatchKind::WithModifier => "with a nationality",
            MatchKind::Partial => "part of the term",
            MatchKind::Fuzzy => "similar spelling",
        }
    }
}

/// A word of a term or a text: its span and its two keys.
#[derive(Debug, Clone)]
struct Word {
    span: Range<usize>,
    fold: String,
    stem: String,
    /// All capitals, two letters or more: an acronym.
    acronym: bool,
    capitalised: bool,
}

/// How a language's inflected forms are brought together.
enum Inflection {
    /// French: rules for plural and feminine forms (see [`french_base`]).
    French,
    /// Another language: its Snowball stemmer.
    Snowball(Stemmer),
}

impl Inflection {
    fn for_language(lang: &str) -> Option<Inflection> {
        let algorithm = match text::primary_language(lang) {
            "fr" => return Some(Inflection::French),
            "en" => Algorithm::English,
            "de" => Algorithm::German,
            "it" => Algorithm::Italian,
            "es" => Algorithm::Spanish,
            "pt" => Algorithm::Portuguese,
            "nl" => Algorithm::Dutch,
            "ru" => Algorithm::Russian,
            _ => return None,
        };
        Some(Inflection::Snowball(Stemmer::create(algorithm)))
    }

    /// The key shared by a word's inflected forms (lower case, no accents).
    fn key(&self, word: &str) -> String {
        let lower = word.to_lowercase().replace('’', "'");
        let base = match self {
            Inflection::French => french_base(&lower),
            Inflection::Snowball(stemmer) => stemmer.stem(&lower).into_owned(),
        };
        text::fold(TokenKind::Word, &base).into_owned()
    }
}

/// The words of `text` as the glossary compares them in language `lang`:
/// lower case, no accents, inflection removed (English "called", "calls"
/// and "calling" are all "call"; "Switzerland's" is "switzerland").
pub fn word_keys(text: &str, lang: &str) -> Vec<String> {
    let inflection = Inflection::for_language(lang);
    text::tokens(text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .map(|t| {
            let surface = &text[t.span];
            match (&inflection, t.kind) {
                (Some(inflection), TokenKind::Word) => inflection.key(surface),
                _ => text::fold(t.kind, surface).into_owned(),
            }
        })
        .collect()
}

/// A French word without its plural and feminine endings: « émeutes » →
/// « émeut », « fédéraux » → « fédéral », « présidente » → « président »,
/// « européennes » → « européen », « négociée » → « négocié ». Only
/// nominal and adjectival endings are removed, never verb endings:
/// Snowball's stemmer also joins « appelé » to « appel » and « négociée »
/// to « négociations », which recognition must not.
fn french_base(word: &str) -> String {
    let mut w = word.to_string();
    // « appels aux » is the plural of « appel au ».
    if w == "aux" {
        return "au".to_string();
    }
    if w.chars().count() <= 3 {
        return w;
    }
    if w.ends_with("eaux") {
        w.pop();
    } else if let Some(stem) = w.strip_suffix("aux") {
        w = format!("{stem}al");
    } else if w.ends_with('s') || w.ends_with('x') {
        w.pop();
    }
    const FEMININE: [(&str, &str); 9] = [
        // « ambassadrice », « directrice » → « ambassadeur », « directeur ».
        ("rice", "eur"),
        ("euse", "eu"),
        ("eux", "eu"),
        ("ive", "if"),
        ("elle", "el"),
        ("enne", "en"),
        ("onne", "on"),
        ("ère", "er"),
        // « cheffe » → « chef ».
        ("effe", "ef"),
    ];
    for (ending, base) in FEMININE {
        if let Some(stem) = w.strip_suffix(ending) {
            return format!("{stem}{base}");
        }
    }
    // « française », « chinoise » → « français », « chinois », whose s
    // went with the plural ending above.
    if let Some(stem) = w.strip_suffix("aise").or_else(|| w.strip_suffix("oise")) {
        let vowel = if w.ends_with("aise") { "ai" } else { "oi" };
        return format!("{stem}{vowel}");
    }
    if w.ends_with('e') && w.chars().count() > 3 {
        w.pop();
    }
    w
}

/// A folded French word without its plural ending only (« communes » →
/// « commune », « journaux » → « journal »): how nouns inflect.
fn plural_base(fold: &str) -> String {
    if fold == "aux" {
        return "au".to_string();
    }
    if fold.chars().count() <= 3 {
        return fold.to_string();
    }
    if let Some(stem) = fold.strip_suffix("eaux") {
        return format!("{stem}eau");
    }
    if let Some(stem) = fold.strip_suffix("aux") {
        return format!("{stem}al");
    }
    fold.strip_suffix(['s', 'x']).unwrap_or(fold).to_string()
}

/// Endings of French verbs of the first group (`-er`), after the stem:
/// present, imperfect, simple past, future, conditional, subjunctive,
/// participles. Folded words have no accents: « salué » is « salue ».
const ER_ENDINGS: &[&str] = &[
    "eraient", "erions", "assent", "erait", "erais", "erons", "eront", "erent", "aient", "erai",
    "eras", "ions", "iez", "ent", "ons", "ait", "ais", "ant", "era", "ees", "ee", "es", "ez", "er",
    "ai", "as", "e", "a",
];

/// Endings of verbs in `-dre` (« attendre », « prétendre ») after their
/// stem `attend`: « attend », « attendent », « attendu », « attendra »…
const DRE_ENDINGS: &[&str] = &[
    "raient", "rions", "rait", "rais", "rons", "ront", "rez", "rai", "ras", "ra", "re", "aient",
    "irent", "ions", "iez", "ent", "ons", "ait", "ais", "ant", "ez", "ues", "us", "ue", "u", "it",
    "es", "e", "s", "",
];

/// Irregular verbs that glossary entries start with, folded, with their
/// folded forms.
const IRREGULAR_VERBS: &[(&str, &[&str])] = &[
    (
        "faire",
        &[
            "fais",
            "fait",
            "faits",
            "faite",
            "faites",
            "faisons",
            "font",
            "faisait",
            "faisaient",
            "fera",
            "feront",
            "ferait",
            "feraient",
            "ferons",
            "fasse",
            "fassent",
            "faisant",
            "fit",
            "firent",
        ],
    ),
    (
        "battre",
        &[
            "bats",
            "bat",
            "battons",
            "battez",
            "battent",
            "battait",
            "battaient",
            "battu",
            "battue",
            "battus",
            "battues",
            "battra",
            "battront",
            "battrait",
            "battraient",
            "battant",
            "batte",
            "battit",
            "battirent",
        ],
    ),
    (
        "mettre",
        &[
            "mets",
            "met",
            "mettons",
            "mettez",
            "mettent",
            "mettait",
            "mettaient",
            "mis",
            "mise",
            "mises",
            "mettra",
            "mettront",
            "mettrait",
            "mettraient",
            "mettant",
            "mette",
            "mit",
            "mirent",
        ],
    ),
    (
        "decevoir",
        &[
            "decois",
            "decoit",
            "decevons",
            "decevez",
            "decoivent",
            "decevait",
            "decevaient",
            "decu",
            "decue",
            "decus",
            "decues",
            "decevra",
            "decevront",
            "decevrait",
            "decevraient",
            "decevant",
            "decoive",
        ],
    ),
    (
        "ressentir",
        &[
            "ressens",
            "ressent",
            "ressentons",
            "ressentez",
            "ressentent",
            "ressentait",
            "ressentaient",
            "ressenti",
            "ressentie",
            "ressentis",
            "ressenties",
            "ressentira",
            "ressentiront",
            "ressentirait",
            "ressentiraient",
            "ressentant",
            "ressente",
        ],
    ),
];

/// The key a glossary verb is indexed under, from its folded infinitive:
/// `saluer` → `salu`, `attendre` → `attend/re`, `faire` → `faire`; `None`
/// for an infinitive memoire cannot conjugate.
fn infinitive_key(infinitive: &str) -> Option<String> {
    if IRREGULAR_VERBS.iter().any(|(verb, _)| *verb == infinitive) {
        return Some(infinitive.to_string());
    }
    if let Some(stem) = infinitive.strip_suffix("re").filter(|s| s.ends_with('d')) {
        return Some(format!("{stem}/re"));
    }
    infinitive.strip_suffix("er").map(str::to_string)
}

/// Every key a folded word of a text may be a form of (see
/// [`infinitive_key`]): `salue`, `saluent`, `saluait` → `salu`; `appelle`
/// → `appell` and `appel` (a consonant doubles before a mute e, or belongs
/// to the stem, as in `quitte`); `attendu` → `attend/re`; `fit` → `faire`.
fn form_keys(word: &str) -> Vec<String> {
    let mut keys: Vec<String> = IRREGULAR_VERBS
        .iter()
        .filter(|(verb, forms)| *verb == word || forms.contains(&word))
        .map(|(verb, _)| verb.to_string())
        .collect();
    let stems = |endings: &'static [&str]| {
        endings
            .iter()
            .filter_map(move |e| word.strip_suffix(e))
            .filter(|stem| stem.chars().count() >= 2)
    };
    for stem in stems(ER_ENDINGS) {
        keys.push(stem.to_string());
        if stem.ends_with("ll") || stem.ends_with("tt") {
            keys.push(stem[..stem.len() - 1].to_string());
        }
    }
    for stem in stems(DRE_ENDINGS).filter(|stem| stem.ends_with('d')) {
        keys.push(format!("{stem}/re"));
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Determiners: a verb form right after one is a noun (« la demande »,
/// « des contrôles »), unless a subject pronoun stands before it and it is
/// an object pronoun (« il la demande »).
const DETERMINERS: &[&str] = &[
    "le", "la", "les", "l'", "un", "une", "des", "du", "au", "aux", "ce", "cet", "cette", "ces",
    "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos",
    "leur", "leurs",
];

/// Does word `i` follow a determiner (so that it is a noun, not a verb)?
/// Words are compared in lower case with their accents: « dû » is no
/// « du ».
fn after_determiner(text: &str, words: &[Word], i: usize) -> bool {
    let lower = |k: usize| text[words[k].span.clone()].to_lowercase().replace('’', "'");
    i >= 1
        && DETERMINERS.contains(&lower(i - 1).as_str())
        && !(i >= 2 && SUBJECTS.contains(&lower(i - 2).as_str()))
}

/// Prepositions: after one, a verb stands in the infinitive (« de
/// contrôler ») or the present participle (« en contrôlant »); any other
/// form is a noun (« sous contrôle », « hors de contrôle »).
const PREPOSITIONS: &[&str] = &[
    "de", "d'", "sous", "hors", "sans", "avec", "par", "pour", "en", "contre", "dans", "sur",
    "entre", "vers", "chez", "selon", "après", "avant",
];

/// Can word `i`, a form of a verb, be that verb where it stands?
fn verb_fits(text: &str, words: &[Word], i: usize) -> bool {
    if after_determiner(text, words, i) {
        return false;
    }
    let lower = |k: usize| text[words[k].span.clone()].to_lowercase().replace('’', "'");
    let infinitive_or_participle = ["er", "re", "ir", "ant"]
        .iter()
        .any(|e| words[i].fold.ends_with(e));
    i == 0 || !PREPOSITIONS.contains(&lower(i - 1).as_str()) || infinitive_or_participle
}

/// Subject pronouns and the negation that come before an object pronoun.
const SUBJECTS: &[&str] = &[
    "il", "elle", "on", "ils", "elles", "qui", "je", "j'", "tu", "nous", "vous", "ne", "n'",
];

/// Words after which a lower-case noun may stand (folded): determiners,
/// prepositions, conjunctions and the few adjectives that come first. Not
/// « à », which folds like the auxiliary « a » (« a prévenu »), nor
/// « pour », which mostly comes before an adjective (« tenu pour
/// responsable »).
const NOUN_INTRODUCERS: &[&str] = &[
    "le",
    "la",
    "les",
    "l'",
    "un",
    "une",
    "des",
    "du",
    "de",
    "d'",
    "au",
    "aux",
    "ce",
    "cet",
    "cette",
    "ces",
    "mon",
    "ma",
    "mes",
    "ton",
    "ta",
    "tes",
    "son",
    "sa",
    "ses",
    "notre",
    "nos",
    "votre",
    "vos",
    "leur",
    "leurs",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "chaque",
    "plusieurs",
    "quelques",
    "certains",
    "certaines",
    "aucun",
    "aucune",
    "tout",
    "toute",
    "tous",
    "toutes",
    "autre",
    "autres",
    "meme",
    "memes",
    "nombreux",
    "nombreuses",
    "petit",
    "petite",
    "petits",
    "petites",
    "grand",
    "grande",
    "grands",
    "grandes",
    "nouveau",
    "nouvel",
    "nouvelle",
    "nouveaux",
    "nouvelles",
    "ancien",
    "ancienne",
    "anciens",
    "anciennes",
    "premier",
    "premiere",
    "premiers",
    "premieres",
    "dernier",
    "derniere",
    "derniers",
    "dernieres",
    "seul",
    "seule",
    "seuls",
    "seules",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "en",
    "par",
    "sur",
    "sous",
    "dans",
    "avec",
    "sans",
    "entre",
    "chez",
    "vers",
    "contre",
    "selon",
    "et",
    "ou",
];

/// Words (and numbers) of `text` with their keys.
fn words(text: &str, inflection: Option<&Inflection>) -> Vec<Word> {
    text::tokens(text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .map(|t| {
            let surface = &text[t.span.clone()];
            let fold = match t.kind {
                TokenKind::Number => surface.to_string(),
                _ => text::fold(t.kind, surface).into_owned(),
            };
            let stem = match inflection {
                Some(inflection) if t.kind == TokenKind::Word && !fold.ends_with('\'') => {
                    inflection.key(surface)
                }
                _ => fold.clone(),
            };
            let letters = || surface.chars().filter(|c| c.is_alphabetic());
            Word {
                span: t.span,
                fold,
                stem,
                acronym: letters().count() >= 2 && letters().all(char::is_uppercase),
                capitalised: surface.chars().next().is_some_and(char::is_uppercase),
            }
        })
        .collect()
}

/// May two consecutive words of a text belong to one term? Yes when only
/// white space separates them, or hyphens, dots or slashes with no space
/// (`Kassym-Jomart`, `S.A.`, `Bosnie-Herzégovine`).
fn joinable(gap: &str) -> bool {
    gap.chars().all(char::is_whitespace)
        || gap
            .chars()
            .all(|c| matches!(c, '-' | '‐' | '‑' | '.' | '/'))
}

/// A trie over word keys; each node lists the terms that end there.
#[derive(Debug, Default)]
struct Trie {
    nodes: Vec<Node>,
    /// The most words of any term in it: how far a walk can go.
    depth: usize,
}

#[derive(Debug, Default)]
struct Node {
    next: HashMap<Box<str>, usize>,
    terms: Vec<usize>,
}

impl Trie {
    fn insert<'a>(&mut self, keys: impl Iterator<Item = &'a str>, term: usize) {
        if self.nodes.is_empty() {
            self.nodes.push(Node::default());
        }
        let mut at = 0;
        let mut depth = 0;
        for key in keys {
            depth += 1;
            at = match self.nodes[at].next.get(key) {
                Some(&next) => next,
                None => {
                    self.nodes.push(Node::default());
                    let next = self.nodes.len() - 1;
                    self.nodes[at].next.insert(key.into(), next);
                    next
                }
            };
        }
        self.nodes[at].terms.push(term);
        self.depth = self.depth.max(depth);
    }

    /// Every (word count, terms) of terms spelt by the words from `start`,
    /// shortest first.
    fn walk<'t>(
        &'t self,
        text: &str,
        words: &[Word],
        start: usize,
        key: impl Fn(&Word) -> &str,
    ) -> Vec<(usize, &'t [usize])> {
        let mut found = Vec::new();
        let mut at = 0;
        for (i, word) in words.iter().enumerate().skip(start) {
            if i > start && !joinable(&text[words[i - 1].span.end..word.span.start]) {
                break;
            }
            match self.nodes.get(at).and_then(|n| n.next.get(key(word))) {
                Some(&next) => at = next,
                None => break,
            }
            if !self.nodes[at].terms.is_empty() {
                found.push((i + 1 - start, self.nodes[at].terms.as_slice()));
            }
        }
        found
    }
}

impl Trie {
    /// Like [`Trie::walk`], over keys already computed for the words from
    /// `start` (`keys[k]` for `words[start + k]`).
    fn walk_keys<'t>(
        &'t self,
        text: &str,
        words: &[Word],
        start: usize,
        keys: &[String],
    ) -> Vec<(usize, &'t [usize])> {
        let mut found = Vec::new();
        let mut at = 0;
        for (k, key) in keys.iter().enumerate() {
            let i = start + k;
            if k > 0 && !joinable(&text[words[i - 1].span.end..words[i].span.start]) {
                break;
            }
            match self.nodes.get(at).and_then(|n| n.next.get(key.as_str())) {
                Some(&next) => at = next,
                None => break,
            }
            if !self.nodes[at].terms.is_empty() {
                found.push((k + 1, self.nodes[at].terms.as_slice()));
            }
        }
        found
    }
}

/// Keep `found` (covering `n` words) if it is longer than `best`; on a
/// tie the earlier kind (spelt, then verb, then title) stays.
fn keep_longest<'g>(best: &mut Option<(usize, Found<'g>)>, n: usize, found: Found<'g>) {
    if best.as_ref().is_none_or(|(m, _)| n > *m) {
        *best = Some((n, found));
    }
}

/// A term found in a text.
#[derive(Debug, Clone, Serialize)]
pub struct Found<'g> {
    /// Byte range of the term in the text.
    pub start: usize,
    pub end: usize,
    pub kind: MatchKind,
    /// Every entry for what was found (several targets, or a forbidden one).
    pub entries: Vec<&'g Term>,
    /// A nationality inside or after a title (« russe » in « ministre russe
    /// de la Défense »), with its own entries when the glossary has it.
    pub modifier: Option<Modifier<'g>>,
}

/// The nationality of a title found with one (see [`Found::modifier`]).
#[derive(Debug, Clone, Serialize)]
pub struct Modifier<'g> {
    pub start: usize,
    pub end: usize,
    pub entries: Vec<&'g Term>,
}

/// A part of speech, as a glossary entry may give it: it decides how the
/// entry is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pos {
    /// A noun: recognised in its singular and plural only (never through a
    /// feminine or verb-like ending: « appel » is not in « il appelle »);
    /// one lower-case word only after a determiner, a preposition, a number
    /// or a few adjectives, so that the adjective « commune » of « une
    /// conférence de presse commune » is not the noun.
    Noun,
    /// A verb, given in the infinitive: recognised in its conjugated forms
    /// (« saluer » in « a salué », « saluent »; « appeler à » in « appelle
    /// à »).
    Verb,
    Adj,
    Name,
    Phrase,
}

impl Pos {
    /// Reads a part of speech as memoire, TBX (`adjective`, `properNoun`,
    /// `other`) or a French glossary (« nom », « verbe ») writes it.
    pub fn parse(value: &str) -> Option<Pos> {
        Some(match value.trim().to_lowercase().as_str() {
            "noun" | "n" | "commonnoun" | "common noun" | "nom" | "substantif" => Pos::Noun,
            "verb" | "v" | "verbe" => Pos::Verb,
            "adj" | "adjective" | "adjectif" => Pos::Adj,
            "name" | "propernoun" | "proper noun" | "nom propre" => Pos::Name,
            "phrase" | "other" | "expression" | "locution" => Pos::Phrase,
            _ => return None,
        })
    }

    /// The name memoire stores and writes in CSV files.
    pub fn name(self) -> &'static str {
        match self {
            Pos::Noun => "noun",
            Pos::Verb => "verb",
            Pos::Adj => "adj",
            Pos::Name => "name",
            Pos::Phrase => "phrase",
        }
    }

    /// TBX-Basic's picklist value.
    pub fn tbx(self) -> &'static str {
        match self {
            Pos::Noun | Pos::Verb => self.name(),
            Pos::Adj => "adjective",
            Pos::Name => "properNoun",
            Pos::Phrase => "other",
        }
    }
}

/// An entry that answers a lookup.
#[derive(Debug, Clone, Serialize)]
pub struct LookupHit<'g> {
    pub kind: MatchKind,
    /// Jaro-Winkler similarity of the folded texts, 0–1.
    pub similarity: f64,
    #[serde(flatten)]
    pub entry: &'g Term,
}

/// One language pair's glossary, ready for lookups and recognition.
pub struct Glossary {
    terms: Vec<Term>,
    side: Side,
    inflection: Option<Inflection>,
    /// The searched side of each term, cut into words.
    words: Vec<Vec<Word>>,
    folds: Trie,
    stems: Trie,
    /// Verb entries by the stems of their words (the verb's own stem).
    verbs: Trie,
    /// The part of speech of each term.
    pos: Vec<Option<Pos>>,
    /// Nationality adjectives (domain `nationality`), by stem.
    nationalities: HashMap<String, Vec<usize>>,
    /// Titles (domain `title`) by the stems of their words, without the
    /// nationality they may hold.
    titles: Trie,
}

impl Glossary {
    /// Index `terms` for searching their `side`, whose language is `lang`.
    pub fn new(terms: Vec<Term>, side: Side, lang: &str) -> Glossary {
        let inflection = Inflection::for_language(lang);
        let (mut folds, mut stems) = (Trie::default(), Trie::default());
        let words: Vec<Vec<Word>> = terms
            .iter()
            .map(|term| {
                let text = match side {
                    Side::Source => &term.source,
                    Side::Target => &term.target,
                };
                words(text, inflection.as_ref())
            })
            .collect();
        let pos: Vec<Option<Pos>> = terms
            .iter()
            .map(|t| t.pos.as_deref().and_then(Pos::parse))
            .collect();
        let french = matches!(inflection, Some(Inflection::French));
        let (mut verbs, mut titles) = (Trie::default(), Trie::default());
        let mut nationalities: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, term_words) in words.iter().enumerate() {
            if term_words.is_empty() {
                continue;
            }
            // A nationality adjective alone is no term to flag (« les
            // autorités russes »): it is found inside a title only.
            let nationality = terms[i].domain.as_deref() == Some("nationality");
            if !(nationality && side == Side::Source) {
                folds.insert(term_words.iter().map(|w| w.fold.as_str()), i);
                stems.insert(term_words.iter().map(|w| w.stem.as_str()), i);
            }
            if side != Side::Source || !french {
                continue;
            }
            if pos[i] == Some(Pos::Verb)
                && let Some(stem) = infinitive_key(&term_words[0].fold)
            {
                let keys = std::iter::once(stem.as_str())
                    .chain(term_words[1..].iter().map(|w| w.fold.as_str()));
                verbs.insert(keys, i);
            }
            match terms[i].domain.as_deref() {
                Some("nationality") if term_words.len() == 1 => nationalities
                    .entry(term_words[0].stem.clone())
                    .or_default()
                    .push(i),
                // Titles and ministries: « ministère russe de la Défense ».
                Some("title" | "government") => {
                    titles.insert(term_words.iter().map(|w| w.stem.as_str()), i)
                }
                _ => {}
            }
        }
        Glossary {
            terms,
            side,
            inflection,
            words,
            folds,
            stems,
            verbs,
            pos,
            nationalities,
            titles,
        }
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    fn searched<'a>(&self, term: &'a Term) -> &'a str {
        match self.side {
            Side::Source => &term.source,
            Side::Target => &term.target,
        }
    }

    /// Does the text's words `at..at + n` satisfy term `i`'s case rules
    /// (acronyms in the same capitals, one-word names with a capital)?
    fn case_fits(&self, i: usize, text: &str, found: &[Word]) -> bool {
        let term_words = &self.words[i];
        let term_text = self.searched(&self.terms[i]);
        // A capitalised term is a name (« Communauté française », « Assemblée
        // générale »): « la communauté française de Genève » is not it.
        if term_words[0].capitalised && !found[0].capitalised {
            return false;
        }
        term_words.iter().zip(found).enumerate().all(|(i, (t, w))| {
            let acronym_kept = !t.acronym || term_text[t.span.clone()] == text[w.span.clone()];
            // A capital inside a term marks a proper name (« Le Centre »,
            // « Les Républicains »): « le centre de Lausanne » is not it.
            let capital_kept = i == 0 || !t.capitalised || w.capitalised;
            acronym_kept && capital_kept
        })
    }

    /// The terms in `text`, in order, longest first where they overlap.
    pub fn find(&self, text: &str) -> Vec<Found<'_>> {
        let words = words(text, self.inflection.as_ref());
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            // The longest of: a term spelt (or inflected) as in the
            // glossary, a conjugated verb, a title with a nationality.
            let mut best: Option<(usize, Found<'_>)> = None;
            if let Some((n, kind, entries)) = self.best_at(text, &words, i) {
                let found = Found {
                    start: words[i].span.start,
                    end: words[i + n - 1].span.end,
                    kind,
                    entries,
                    modifier: None,
                };
                keep_longest(&mut best, n, found);
            }
            if let Some((n, entries)) = self.verb_at(text, &words, i) {
                let found = Found {
                    start: words[i].span.start,
                    end: words[i + n - 1].span.end,
                    kind: MatchKind::Conjugated,
                    entries,
                    modifier: None,
                };
                keep_longest(&mut best, n, found);
            }
            if let Some((n, found)) = self.title_with_nationality_at(text, &words, i) {
                keep_longest(&mut best, n, found);
            }
            match best {
                Some((mut n, mut found)) => {
                    // A title of several words with its nationality after
                    // it: « le Premier ministre britannique ».
                    if found.modifier.is_none()
                        && found
                            .entries
                            .iter()
                            .any(|t| matches!(t.domain.as_deref(), Some("title" | "government")))
                        && let Some(adjective) = words.get(i + n)
                        && !adjective.capitalised
                        && joinable(&text[words[i + n - 1].span.end..adjective.span.start])
                        && let Some(ids) = self.nationalities.get(&adjective.stem)
                    {
                        found.end = adjective.span.end;
                        found.kind = MatchKind::WithModifier;
                        found.modifier = Some(Modifier {
                            start: adjective.span.start,
                            end: adjective.span.end,
                            entries: ids.iter().map(|&t| &self.terms[t]).collect(),
                        });
                        n += 1;
                    }
                    out.push(found);
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }

    /// A verb entry conjugated at word `i` (« a salué », « appelle à »):
    /// its length in words and its entries.
    fn verb_at(&self, text: &str, words: &[Word], i: usize) -> Option<(usize, Vec<&Term>)> {
        if self.verbs.nodes.is_empty() || words[i].capitalised && i > 0 {
            return None;
        }
        if !verb_fits(text, words, i) {
            return None;
        }
        let fold = |k: usize| words[k].fold.as_str();
        // The longest of the walks from each key the form may stand for;
        // only as many words as the longest verb entry has are looked at,
        // so a long paragraph stays linear.
        let rest: Vec<String> = words[i + 1..]
            .iter()
            .take(self.verbs.depth.saturating_sub(1))
            .map(|w| w.fold.clone())
            .collect();
        let mut best: Option<(usize, &[usize])> = None;
        for key in form_keys(fold(i)) {
            let keys: Vec<String> = std::iter::once(key).chain(rest.iter().cloned()).collect();
            if let Some((n, ids)) = self.verbs.walk_keys(text, words, i, &keys).pop()
                && best.is_none_or(|(m, _)| n > m)
            {
                best = Some((n, ids));
            }
        }
        let (n, ids) = best?;
        Some((n, ids.iter().map(|&t| &self.terms[t]).collect()))
    }

    /// A title with a nationality adjective in it (« ministre russe de la
    /// Défense ») or after it (« le président américain »): the length in
    /// words, and what was found.
    fn title_with_nationality_at(
        &self,
        text: &str,
        words: &[Word],
        i: usize,
    ) -> Option<(usize, Found<'_>)> {
        let adjective = words.get(i + 1)?;
        if adjective.capitalised
            || !joinable(&text[words[i].span.end..adjective.span.start])
            || !self.nationalities.contains_key(&adjective.stem)
        {
            return None;
        }
        // The title's words, the nationality left out.
        let rest: Vec<Word> = std::iter::once(words[i].clone())
            .chain(words[i + 2..].iter().cloned())
            .take(self.titles.depth)
            .collect();
        // Between the title's first word and the rest stands the adjective:
        // both gaps around it, and the gaps of the rest, must join.
        let joined = |k: usize| match k {
            0 => true,
            1 => joinable(&text[adjective.span.end..rest[1].span.start]),
            _ => joinable(&text[rest[k - 1].span.end..rest[k].span.start]),
        };
        let keys: Vec<String> = rest.iter().map(|w| w.stem.clone()).collect();
        let mut at = 0;
        let mut best: Option<(usize, &[usize])> = None;
        for (k, key) in keys.iter().enumerate() {
            if !joined(k) {
                break;
            }
            match self
                .titles
                .nodes
                .get(at)
                .and_then(|n| n.next.get(key.as_str()))
            {
                Some(&next) => at = next,
                None => break,
            }
            if !self.titles.nodes[at].terms.is_empty() {
                best = Some((k + 1, self.titles.nodes[at].terms.as_slice()));
            }
        }
        let (n, ids) = best?;
        // A one-word title takes the nationality after it (« président
        // américain »); a longer one needs it inside (« ministre russe de
        // la Défense »), not glued to a term that ends earlier.
        let ids: Vec<&Term> = ids
            .iter()
            .filter(|&&t| self.case_fits(t, text, &rest[..n]))
            .map(|&t| &self.terms[t])
            .collect();
        if ids.is_empty() {
            return None;
        }
        let real_words = n + 1;
        let last = if n == 1 { i + 1 } else { i + n };
        let modifier = Modifier {
            start: adjective.span.start,
            end: adjective.span.end,
            entries: self.nationalities[&adjective.stem]
                .iter()
                .map(|&t| &self.terms[t])
                .collect(),
        };
        Some((
            real_words,
            Found {
                start: words[i].span.start,
                end: words[last].span.end,
                kind: MatchKind::WithModifier,
                entries: ids,
                modifier: Some(modifier),
            },
        ))
    }

    /// A one-word lower-case entry is no part of a name: a noun not where
    /// the text capitalises it inside a sentence (« l'Euro féminin », « la
    /// Marine nationale »), no entry but a title before another capitalised
    /// word (« Marine Tondelier »). Text in capitals says nothing either way.
    fn name_fits(&self, t: usize, text: &str, words: &[Word], i: usize, n: usize) -> bool {
        let word = &words[i];
        if n != 1 || self.words[t][0].capitalised || !word.capitalised {
            return true;
        }
        // A title comes before a name and is often capitalised (« le
        // Président Macron », « le Président a parlé »): always a title.
        if matches!(
            self.terms[t].domain.as_deref(),
            Some("title" | "government")
        ) {
            return true;
        }
        let all_caps = |w: &Word| {
            let surface = &text[w.span.clone()];
            surface.chars().filter(|c| c.is_alphabetic()).count() > 1
                && !surface.chars().any(char::is_lowercase)
        };
        if all_caps(word) {
            return true;
        }
        // Capitalised inside a sentence, a common noun is a name's: only
        // for entries marked as nouns (« l'Euro féminin », « la Marine
        // nationale »); other entries may be capitalised for emphasis.
        if i > 0 && self.pos[t] == Some(Pos::Noun) {
            let gap = &text[words[i - 1].span.end..word.span.start];
            let sentence_starts = gap.chars().any(|c| {
                matches!(
                    c,
                    '.' | '!' | '?' | ':' | '«' | '"' | '“' | '(' | '[' | '–' | '—' | '…' | '\n'
                )
            });
            if !sentence_starts {
                return false;
            }
        }
        match words.get(i + 1) {
            Some(next) => {
                !(next.capitalised
                    && !all_caps(next)
                    && text[word.span.end..next.span.start] == *" ")
            }
            None => true,
        }
    }

    /// Do the parts of speech allow term `t` on the text's words `i..i+n`?
    /// A verb: not after a determiner. A noun: only its number inflects,
    /// and a single lower-case noun must follow a word that can introduce a
    /// noun.
    fn pos_fits(&self, t: usize, text: &str, words: &[Word], i: usize, n: usize) -> bool {
        match self.pos[t] {
            // « un supporter » is a fan, not « supporter ».
            Some(Pos::Verb) => return verb_fits(text, words, i),
            Some(Pos::Noun) => {}
            _ => return true,
        }
        let term_words = &self.words[t];
        let numbers_only = term_words
            .iter()
            .zip(&words[i..i + n])
            .all(|(a, b)| plural_base(&a.fold) == plural_base(&b.fold));
        if !numbers_only {
            return false;
        }
        if n > 1 || term_words[0].capitalised {
            return true;
        }
        match i.checked_sub(1) {
            None => true,
            Some(p) => {
                let gap = &text[words[p].span.end..words[i].span.start];
                // After a comma, a colon, a bracket or a dash (a list, a
                // heading), no determiner is needed; quotes are looked past.
                let quotes =
                    |c: char| c.is_whitespace() || matches!(c, '«' | '»' | '"' | '“' | '”');
                !gap.chars().all(quotes)
                    || words[p].fold.chars().all(|c| c.is_ascii_digit())
                    || NOUN_INTRODUCERS.contains(&words[p].fold.as_str())
            }
        }
    }

    /// The longest term starting at word `i`: by folded words first, then by
    /// stems; on equal length the folded match wins.
    fn best_at(
        &self,
        text: &str,
        words: &[Word],
        i: usize,
    ) -> Option<(usize, MatchKind, Vec<&Term>)> {
        let fitting = |n: usize, ids: &[usize]| -> Vec<usize> {
            ids.iter()
                .copied()
                .filter(|&t| {
                    self.case_fits(t, text, &words[i..i + n])
                        && self.name_fits(t, text, words, i, n)
                        && self.pos_fits(t, text, words, i, n)
                })
                .collect()
        };
        let longest = |trie: &Trie, key: fn(&Word) -> &str| {
            trie.walk(text, words, i, key)
                .into_iter()
                .rev()
                .map(|(n, ids)| (n, fitting(n, ids)))
                .find(|(_, ids)| !ids.is_empty())
        };
        let by_fold = longest(&self.folds, |w| &w.fold);
        let by_stem = longest(&self.stems, |w| &w.stem);
        let (n, ids, inflected) = match (by_fold, by_stem) {
            (Some((n, ids)), Some((m, _))) if n >= m => (n, ids, false),
            (_, Some((m, ids))) => (m, ids, true),
            (Some((n, ids)), None) => (n, ids, false),
            (None, None) => return None,
        };
        let span = &text[words[i].span.start..words[i + n - 1].span.end];
        // Different terms may share stems (« conseiller fédéral » and
        // « Conseil fédéral »): keep the ones spelt closest to the text.
        let ids = if inflected {
            let folded = |ws: &[Word]| {
                ws.iter()
                    .map(|w| w.fold.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let here = folded(&words[i..i + n]);
            let closeness = |t: usize| strsim::jaro_winkler(&here, &folded(&self.words[t]));
            let best = ids.iter().map(|&t| closeness(t)).fold(0.0, f64::max);
            ids.into_iter().filter(|&t| closeness(t) == best).collect()
        } else {
            ids
        };
        let kind = if inflected {
            MatchKind::Inflected
        } else if ids
            .iter()
            .any(|&t| text::match_key(self.searched(&self.terms[t])) == text::match_key(span))
        {
            MatchKind::Exact
        } else {
            MatchKind::CaseOrAccents
        };
        Some((n, kind, ids.into_iter().map(|t| &self.terms[t]).collect()))
    }

    /// Entries answering a fragment, best first (exact, case or accents,
    /// inflected, part of the term, similar spelling), at most `limit`.
    pub fn lookup(&self, query: &str, limit: usize) -> Vec<LookupHit<'_>> {
        let query_words = words(query, self.inflection.as_ref());
        if query_words.is_empty() {
            return Vec::new();
        }
        let joined = |ws: &[Word]| {
            ws.iter()
                .map(|w| w.fold.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let query_folded = joined(&query_words);
        let query_key = text::match_key(query);
        let name_query = query.trim_start().starts_with(char::is_uppercase);
        let mut hits: Vec<LookupHit<'_>> = Vec::new();
        for (i, term) in self.terms.iter().enumerate() {
            let term_words = &self.words[i];
            let same = |key: fn(&Word) -> &str| {
                term_words.len() == query_words.len()
                    && term_words
                        .iter()
                        .zip(&query_words)
                        .all(|(a, b)| key(a) == key(b))
            };
            let term_folded = joined(term_words);
            let similarity = strsim::jaro_winkler(&query_folded, &term_folded);
            let kind = if text::match_key(self.searched(term)) == query_key {
                MatchKind::Exact
            } else if same(|w| &w.fold) {
                MatchKind::CaseOrAccents
            } else if same(|w| &w.stem) {
                MatchKind::Inflected
            } else if term_words.len() > query_words.len()
                && term_words.windows(query_words.len()).any(|window| {
                    window
                        .iter()
                        .zip(&query_words)
                        .all(|(a, b)| a.stem == b.stem)
                })
            {
                MatchKind::Partial
            } else if query_folded.chars().count() >= 3
                && similarity >= 0.85
                && (!name_query || self.searched(term).starts_with(char::is_uppercase))
            {
                // A capitalised query is a name: its similar spellings are
                // names too (`Blinken` is not « blindé »).
                MatchKind::Fuzzy
            } else {
                continue;
            };
            hits.push(LookupHit {
                kind,
                similarity,
                entry: term,
            });
        }
        hits.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then(b.similarity.total_cmp(&a.similarity))
                .then(a.entry.id.cmp(&b.entry.id))
        });
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: i64, source: &str, target: &str, status: TermStatus) -> Term {
        Term {
            id,
            source_lang: "fr".into(),
            target_lang: "en".into(),
            source: source.into(),
            target: target.into(),
            domain: None,
            note: None,
            status,
            origin: "test".into(),
            pos: None,
            checked: None,
        }
    }

    fn glossary() -> Glossary {
        let entries = [
            ("OTSC", "CSTO"),
            (
                "Organisation du traité de sécurité collective",
                "Collective Security Treaty Organization",
            ),
            ("Tokaïev", "Tokayev"),
            ("Almaty", "Almaty"),
            ("département d'État", "State Department"),
            ("État", "state"),
            ("émeute", "riot"),
            ("Conseil fédéral", "Federal Council"),
            ("conseiller fédéral", "Federal Councillor"),
            ("CE", "Council of Europe"),
            ("Berne", "Bern"),
            ("Choïgou", "Shoigu"),
            ("Kassym-Jomart Tokaïev", "Kassym-Jomart Tokayev"),
        ];
        let mut terms: Vec<Term> = entries
            .iter()
            .enumerate()
            .map(|(i, (s, t))| term(i as i64 + 1, s, t, TermStatus::Preferred))
            .collect();
        terms.push(term(99, "actuellement", "actually", TermStatus::Forbidden));
        terms.push(term(
            100,
            "actuellement",
            "currently",
            TermStatus::Preferred,
        ));
        Glossary::new(terms, Side::Source, "fr")
    }

    /// (found text, first entry's target, kind) for each term in `text`.
    fn found(g: &Glossary, text: &str) -> Vec<(String, String, MatchKind)> {
        g.find(text)
            .into_iter()
            .map(|f| {
                (
                    text[f.start..f.end].to_string(),
                    f.entries[0].target.clone(),
                    f.kind,
                )
            })
            .collect()
    }

    #[test]
    fn terms_are_found_across_elision_case_accents_and_inflection() {
        let g = glossary();
        assert_eq!(
            found(
                &g,
                "Le président Tokaïev a reçu l'OTSC à Almaty, puis d’Almaty il a gagné Berne."
            ),
            [
                ("Tokaïev".into(), "Tokayev".into(), MatchKind::Exact),
                ("OTSC".into(), "CSTO".into(), MatchKind::Exact),
                ("Almaty".into(), "Almaty".into(), MatchKind::Exact),
                ("Almaty".into(), "Almaty".into(), MatchKind::Exact),
                ("Berne".into(), "Bern".into(), MatchKind::Exact),
            ]
        );
        let hits = found(&g, "Le departement d'Etat condamne des émeutes.");
        assert_eq!(
            hits[0],
            (
                "departement d'Etat".into(),
                "State Department".into(),
                MatchKind::CaseOrAccents
            )
        );
        assert_eq!(
            hits[1],
            ("émeutes".into(), "riot".into(), MatchKind::Inflected)
        );
    }

    #[test]
    fn the_longest_term_wins_and_spacing_does_not_matter() {
        let g = glossary();
        let text =
            "Kassym-Jomart\u{a0}Tokaïev et l’Organisation du traité\nde sécurité collective.";
        let hits = found(&g, text);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(hits[0].1, "Kassym-Jomart Tokayev");
        assert_eq!(hits[1].1, "Collective Security Treaty Organization");
    }

    #[test]
    fn acronyms_and_one_word_names_keep_their_capitals() {
        let g = glossary();
        assert!(
            found(&g, "Ce que le ministre berne, ce n'est pas l'État.")
                .iter()
                .all(|(text, _, _)| text == "État")
        );
        assert_eq!(found(&g, "La CE a siégé.")[0].1, "Council of Europe");
    }

    #[test]
    fn a_term_does_not_run_across_a_sentence_end() {
        let g = glossary();
        let hits = found(&g, "Il a parlé au Conseil. Fédéral, le système l'est.");
        assert!(
            hits.iter()
                .all(|(_, target, _)| target != "Federal Council"),
            "{hits:?}"
        );
        assert_eq!(
            found(&g, "Les conseillers fédéraux votent.")[0].1,
            "Federal Councillor"
        );
    }

    #[test]
    fn all_entries_of_a_source_come_together_with_their_status() {
        let g = glossary();
        let hits = g.find("Il est actuellement à Berne.");
        let statuses: Vec<TermStatus> = hits[0].entries.iter().map(|t| t.status).collect();
        assert_eq!(statuses, [TermStatus::Forbidden, TermStatus::Preferred]);
    }

    #[test]
    fn lookup_by_fragment_inflection_and_similar_spelling() {
        let g = glossary();
        let kinds = |q: &str| -> Vec<(String, MatchKind)> {
            g.lookup(q, 5)
                .into_iter()
                .map(|h| (h.entry.source.clone(), h.kind))
                .collect()
        };
        assert_eq!(kinds("OTSC")[0], ("OTSC".into(), MatchKind::Exact));
        assert_eq!(kinds("otsc")[0], ("OTSC".into(), MatchKind::CaseOrAccents));
        assert_eq!(kinds("émeutes")[0], ("émeute".into(), MatchKind::Inflected));
        assert_eq!(
            kinds("Choigou")[0],
            ("Choïgou".into(), MatchKind::CaseOrAccents)
        );
        assert_eq!(kinds("Choïgu")[0], ("Choïgou".into(), MatchKind::Fuzzy));
        assert!(kinds("Conseil").contains(&("Conseil fédéral".into(), MatchKind::Partial)));
        assert!(kinds("zzz").is_empty());
    }

    #[test]
    fn french_plural_and_feminine_forms_share_a_base() {
        for (a, b) in [
            ("émeutes", "émeute"),
            ("fédéraux", "fédéral"),
            ("présidente", "président"),
            ("européennes", "européen"),
            ("officielles", "officiel"),
            ("actives", "actif"),
            ("premières", "premier"),
            ("heureuses", "heureux"),
            ("bureaux", "bureau"),
            ("française", "français"),
            ("françaises", "français"),
            ("chinoise", "chinois"),
            ("cheffe", "chef"),
        ] {
            assert_eq!(french_base(a), french_base(b), "{a} / {b}");
        }
        // Verb forms stay apart from nouns.
        assert_ne!(french_base("appelé"), french_base("appel"));
        assert_ne!(french_base("négociée"), french_base("négociations"));
    }

    fn with_pos(entries: &[(&str, &str, Option<&str>, Option<&str>)]) -> Glossary {
        let terms = entries
            .iter()
            .enumerate()
            .map(|(i, (s, t, domain, pos))| Term {
                domain: domain.map(str::to_string),
                pos: pos.map(str::to_string),
                ..term(i as i64, s, t, TermStatus::Preferred)
            })
            .collect();
        Glossary::new(terms, Side::Source, "fr")
    }

    #[test]
    fn verbs_are_found_conjugated_and_in_the_infinitive() {
        let g = with_pos(&[
            ("appeler à", "call for", None, Some("verb")),
            ("saluer", "welcome", None, Some("verb")),
            ("faire appel", "appeal", None, Some("verb")),
            ("faire appel à", "call in", None, Some("verb")),
        ]);
        let targets = |text: &str| -> Vec<(String, String)> {
            found(&g, text)
                .into_iter()
                .map(|(t, target, _)| (t, target))
                .collect()
        };
        assert_eq!(
            targets("Kiev appelle à la retenue et a salué l'accord."),
            [
                ("appelle à".to_string(), "call for".to_string()),
                ("salué".to_string(), "welcome".to_string())
            ]
        );
        assert_eq!(
            targets("L'ONU va appeler à une trêve.")[0].0,
            "appeler à",
            "an infinitive in the text"
        );
        assert_eq!(
            targets("Son avocate a annoncé faire appel.")[0],
            ("faire appel".to_string(), "appeal".to_string())
        );
        assert_eq!(
            targets("Le régime avait fait appel à des mercenaires.")[0],
            ("fait appel à".to_string(), "call in".to_string()),
            "an irregular verb, and the longest phrase wins"
        );
        assert!(targets("Le fait est là.").is_empty());
    }

    #[test]
    fn verbs_in_dre_irregular_verbs_and_stems_that_end_in_a_double_consonant() {
        let g = with_pos(&[
            ("attendre", "expect", None, Some("verb")),
            ("quitter", "leave", None, Some("verb")),
            ("appeler à", "call for", None, Some("verb")),
            ("mettre en évidence", "highlight", None, Some("verb")),
            ("demander", "ask", None, Some("verb")),
            ("supporter", "bear", None, Some("verb")),
        ]);
        let spans =
            |text: &str| -> Vec<String> { found(&g, text).into_iter().map(|(t, ..)| t).collect() };
        assert_eq!(
            spans("On attend, ils attendaient, elle a attendu, ils attendront."),
            ["attend", "attendaient", "attendu", "attendront"]
        );
        assert_eq!(
            spans("Il quitte Kiev; ils ont quitté Kiev; elle appelle à la retenue."),
            ["quitte", "quitté", "appelle à"]
        );
        assert_eq!(
            spans("Le rapport a mis en évidence des failles."),
            ["mis en évidence"]
        );
        // After a determiner a form is a noun, unless a subject stands
        // before the determiner (then it is an object pronoun).
        assert!(spans("La demande de Kiev et un supporter du club.").is_empty());
        assert_eq!(spans("Il la demande."), ["demande"]);
    }

    #[test]
    fn a_noun_is_not_found_in_a_verb_or_without_a_determiner() {
        let g = with_pos(&[("appel", "appeal", None, Some("noun"))]);
        assert_eq!(found(&g, "Il a perdu en appel.").len(), 1);
        assert_eq!(found(&g, "Les appels ont échoué.").len(), 1, "plural");
        assert!(found(&g, "Il appelle la police.").is_empty(), "a verb");
        assert!(
            found(&g, "Kiev appel urgent.").is_empty(),
            "no word that introduces a noun"
        );
    }

    #[test]
    fn a_title_with_a_nationality_carries_the_adjective_as_a_modifier() {
        let g = with_pos(&[
            (
                "ministre de la Défense",
                "Defence Minister",
                Some("title"),
                None,
            ),
            ("président", "President", Some("title"), None),
            ("russe", "Russian", Some("nationality"), Some("adj")),
        ]);
        let hits = g.find("Le ministre russe de la Défense a rencontré le président russe.");
        assert_eq!(hits.len(), 2, "{hits:?}");
        for hit in &hits {
            assert_eq!(hit.kind, MatchKind::WithModifier);
            let modifier = hit.modifier.as_ref().expect("a modifier");
            assert_eq!(modifier.entries[0].target, "Russian");
        }
        assert_eq!(hits[0].entries[0].target, "Defence Minister");
        assert_eq!(hits[1].entries[0].target, "President");
        assert!(
            g.find("Les autorités russes se taisent.").is_empty(),
            "a nationality alone is no term"
        );
        // Regression (adversarial test, issue 11): the nationality after a
        // title of several words was not taken.
        let g = with_pos(&[
            ("premier ministre", "Prime Minister", Some("title"), None),
            ("britannique", "British", Some("nationality"), Some("adj")),
        ]);
        let hits = g.find("Le Premier ministre britannique a démissionné.");
        assert_eq!(hits.len(), 1);
        assert_eq!(
            hits[0].modifier.as_ref().unwrap().entries[0].target,
            "British"
        );
    }

    #[test]
    fn a_lower_case_entry_is_no_part_of_a_name() {
        let g = with_pos(&[
            ("euro", "euro", None, Some("noun")),
            ("marine", "navy", None, Some("noun")),
        ]);
        assert!(found(&g, "L'Euro féminin a battu des records.").is_empty());
        assert!(found(&g, "Marine Tondelier a parlé.").is_empty());
        assert_eq!(
            found(&g, "Marine et armée ont défilé.").len(),
            1,
            "a sentence start"
        );
        assert_eq!(
            found(&g, "LA MARINE RUSSE").len(),
            1,
            "capitals say nothing"
        );
        assert_eq!(
            found(&g, "Il coûte dix euros. « Euro fort » : le titre.").len(),
            2
        );
        // Regression (adversarial test, issue 11): « le Président » was
        // missed; a title is found capitalised and before a name.
        let g = with_pos(&[("président", "president", Some("title"), None)]);
        assert_eq!(found(&g, "Le Président a parlé.").len(), 1);
        assert_eq!(found(&g, "Selon le Président Macron, oui.").len(), 1);
    }

    #[test]
    fn a_capitalised_name_needs_its_capital_in_the_text() {
        let g = with_pos(&[("Communauté française", "French Community", None, None)]);
        assert_eq!(found(&g, "La Communauté française a voté.").len(), 1);
        assert_eq!(found(&g, "LA COMMUNAUTE FRANCAISE A VOTE").len(), 1);
        assert!(found(&g, "La communauté française de Genève a voté.").is_empty());
    }

    #[test]
    fn reverse_lookup_searches_the_translations() {
        let terms = vec![term(
            1,
            "Conseil fédéral",
            "Federal Council",
            TermStatus::Preferred,
        )];
        let g = Glossary::new(terms, Side::Target, "en");
        assert_eq!(
            g.lookup("federal councils", 5)[0].kind,
            MatchKind::Inflected
        );
    }

    #[test]
    fn the_shipped_glossary_parses_completely() {
        let terms = shipped().expect("every row of glossary/fr-en-news.csv is valid");
        assert!(terms.len() >= 300, "{} entries", terms.len());
        let mut pairs: Vec<(&str, &str)> = terms
            .iter()
            .map(|t| (t.source.as_str(), t.target.as_str()))
            .collect();
        pairs.sort_unstable();
        let before = pairs.len();
        pairs.dedup();
        assert_eq!(pairs.len(), before, "no pair twice");
        // glossary/README.md: every source has exactly one preferred row,
        // and every entry says when it was last checked.
        let mut preferred: HashMap<&str, usize> = HashMap::new();
        for t in &terms {
            *preferred.entry(t.source.as_str()).or_default() +=
                usize::from(t.status == TermStatus::Preferred);
        }
        let wrong: Vec<_> = preferred.iter().filter(|(_, n)| **n != 1).collect();
        assert!(
            wrong.is_empty(),
            "sources without exactly one preferred row: {wrong:?}"
        );
        let undated: Vec<&str> = terms
            .iter()
            .filter(|t| t.checked.as_deref().is_none_or(|c| c.len() != 7))
            .map(|t| t.source.as_str())
            .collect();
        assert!(
            undated.is_empty(),
            "entries without a YYYY-MM date: {undated:?}"
        );
        assert!(
            terms
                .iter()
                .all(|t| t.pos.as_deref().is_none_or(|p| Pos::parse(p).is_some())),
            "a part of speech memoire does not know"
        );
    }
}
