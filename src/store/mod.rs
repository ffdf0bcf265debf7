//! What memoire keeps: segment pairs, glossary terms, the fuzzy index's
//! lists, the server's users. The model types shared by every module live
//! here, with [`Store`], which every command and the server go through;
//! the SQL lives in the two backends side by side: [`sqlite`] (one file,
//! the default) and [`postgres`] (a `postgres://` URL given as `--db`).

pub mod postgres;
pub mod sqlite;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::auth::{Role, User};
use crate::error::Result;
use crate::text::{self, Code, Coded};

pub use sqlite::{BUSY_TIMEOUT, SCHEMA_VERSION};

/// One stored segment pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairRecord {
    pub id: i64,
    pub source_lang: String,
    pub target_lang: String,
    pub source: String,
    pub target: String,
    pub origin: String,
    pub created_at: String,
    pub changed_at: String,
    pub usage_count: i64,
    pub note: Option<String>,
    /// The source segments before and after this one where it was
    /// translated (learnt from reviewed translations).
    pub prev_source: Option<String>,
    pub next_source: Option<String>,
    /// Inline codes of the source and the target (a target code has the id
    /// of the source code it stands for).
    pub source_codes: Vec<Code>,
    pub target_codes: Vec<Code>,
    /// Who added the pair and who last changed it (a TMX `creationid` and
    /// `changeid`, a user of `memoire serve`), when known.
    pub created_by: Option<String>,
    pub changed_by: Option<String>,
}

impl PairRecord {
    pub fn coded_source(&self) -> Coded {
        Coded {
            text: self.source.clone(),
            codes: self.source_codes.clone(),
        }
    }

    pub fn coded_target(&self) -> Coded {
        Coded {
            text: self.target.clone(),
            codes: self.target_codes.clone(),
        }
    }
}

/// Inline codes as the `codes` column holds them.
#[derive(Debug, Default, Serialize, serde::Deserialize)]
pub(crate) struct StoredCodes {
    #[serde(default)]
    pub(crate) source: Vec<Code>,
    #[serde(default)]
    pub(crate) target: Vec<Code>,
}

/// The `codes` column for a pair: NULL when it has none.
pub(crate) fn codes_column(source: &[Code], target: &[Code]) -> Option<String> {
    (!source.is_empty() || !target.is_empty()).then(|| {
        serde_json::to_string(&StoredCodes {
            source: source.to_vec(),
            target: target.to_vec(),
        })
        .expect("codes serialise")
    })
}

/// What the search reads of a memory's pairs, whatever the backend
/// (the fuzzy index's lists are [`crate::fuzzy::Index`]).
pub trait Pairs {
    /// Every stored translation of `text` (exact match after
    /// normalisation), most recently changed first.
    fn exact(&self, source_lang: &str, target_lang: &str, text: &str) -> Result<Vec<PairRecord>>;
    /// The pair with this id.
    fn pair(&self, id: i64) -> Result<Option<PairRecord>>;
    /// The source of the pair with this id, when it has these languages.
    fn source_of(&self, id: i64, source_lang: &str, target_lang: &str) -> Result<Option<String>>;
    /// [`Pairs::source_of`] for many ids at once (those without a pair of
    /// these languages are left out).
    fn sources_of(
        &self,
        ids: &[i64],
        source_lang: &str,
        target_lang: &str,
    ) -> Result<HashMap<i64, String>> {
        let mut sources = HashMap::with_capacity(ids.len());
        for &id in ids {
            if let Some(source) = self.source_of(id, source_lang, target_lang)? {
                sources.insert(id, source);
            }
        }
        Ok(sources)
    }
    /// The exact matches of `text` ([`Pairs::exact`]) and the pairs with
    /// these ids, each once (one statement on a database server).
    fn exact_and_pairs(
        &self,
        source_lang: &str,
        target_lang: &str,
        text: &str,
        ids: &[i64],
    ) -> Result<Vec<PairRecord>> {
        let mut found = self.exact(source_lang, target_lang, text)?;
        let exact: std::collections::HashSet<i64> = found.iter().map(|p| p.id).collect();
        for &id in ids {
            if !exact.contains(&id)
                && let Some(pair) = self.pair(id)?
            {
                found.push(pair);
            }
        }
        Ok(found)
    }
    /// Call `each` on every pair of the given languages (all when `None`),
    /// in the order they were added. `each` must not read the store (on
    /// PostgreSQL the connection is busy streaming the rows).
    fn each_pair(
        &self,
        source_lang: Option<&str>,
        target_lang: Option<&str>,
        each: &mut dyn FnMut(&PairRecord) -> Result<()>,
    ) -> Result<()>;
    /// Run `f` on one snapshot of the memory (nested calls share it).
    fn read_snapshot(&self, f: &mut dyn FnMut() -> Result<()>) -> Result<()>;
}

/// A pair about to be added, as every backend stores it: texts and their
/// codes in NFC, the source's match key and hash, the context in NFC.
pub(crate) struct Prepared {
    pub(crate) source: String,
    pub(crate) target: String,
    pub(crate) source_key: String,
    pub(crate) target_key: String,
    pub(crate) hash: i64,
    /// The `codes` column.
    pub(crate) codes: Option<String>,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
}

impl Prepared {
    pub(crate) fn new(pair: &NewPair<'_>) -> Prepared {
        // In NFC, the codes kept between the same characters.
        let coded_source = Coded {
            text: pair.source.to_string(),
            codes: pair.source_codes.to_vec(),
        }
        .nfc();
        let coded_target = Coded {
            text: pair.target.to_string(),
            codes: pair.target_codes.to_vec(),
        }
        .nfc();
        let codes = codes_column(&coded_source.codes, &coded_target.codes);
        let (source, target) = (coded_source.text, coded_target.text);
        let source_key = text::match_key(&source);
        Prepared {
            target_key: text::match_key(&target),
            hash: text::key_hash(&source_key),
            source_key,
            source,
            target,
            codes,
            prev: pair.prev_source.map(|t| text::nfc(t).into_owned()),
            next: pair.next_source.map(|t| text::nfc(t).into_owned()),
        }
    }

    /// The `source_key` column: NULL when the key is the source itself.
    pub(crate) fn stored_key(&self) -> Option<&str> {
        (self.source_key != self.source).then_some(self.source_key.as_str())
    }
}

/// A stored pair of the source being added, as an import compares it.
#[derive(Clone)]
pub(crate) struct Known {
    pub(crate) id: i64,
    pub(crate) target: String,
    pub(crate) origin: String,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) codes: Option<String>,
}

/// What a backend writes for a pair an import adds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Store it: a new row (and its entries in the fuzzy index).
    Insert,
    /// Change a stored pair: its context (with `changed_at`, `changed_by`),
    /// its target, its codes.
    Change {
        id: i64,
        context: bool,
        target: bool,
        codes: bool,
    },
    /// The identical pair is stored already.
    Nothing,
}

/// What the import rules ask of a stored pair with the new pair's source:
/// [`Known`] reads the stored texts; a backend may answer from its own
/// record of the pairs it just added (see the PostgreSQL import).
pub(crate) trait Stored {
    fn id(&self) -> i64;
    /// The same target after normalisation (match key).
    fn same_target_key(&self, new: &Prepared) -> bool;
    /// The very same target text.
    fn same_target(&self, new: &Prepared) -> bool;
    fn same_origin(&self, pair: &NewPair<'_>) -> bool;
    /// The same context (previous and next source).
    fn same_context(&self, new: &Prepared) -> bool;
    /// Stored without context.
    fn bare(&self) -> bool;
    fn same_codes(&self, new: &Prepared) -> bool;
}

impl Stored for Known {
    fn id(&self) -> i64 {
        self.id
    }

    fn same_target_key(&self, new: &Prepared) -> bool {
        text::match_key(&self.target) == new.target_key
    }

    fn same_target(&self, new: &Prepared) -> bool {
        self.target == new.target
    }

    fn same_origin(&self, pair: &NewPair<'_>) -> bool {
        self.origin == pair.origin
    }

    fn same_context(&self, new: &Prepared) -> bool {
        self.prev == new.prev && self.next == new.next
    }

    fn bare(&self) -> bool {
        self.prev.is_none() && self.next.is_none()
    }

    fn same_codes(&self, new: &Prepared) -> bool {
        self.codes == new.codes
    }
}

/// The rules of an import, the same on every backend: given the pairs
/// stored with the same languages and source key (`known`, in any order),
/// what adding `pair` (prepared as `new`) writes, and what it did. Where
/// several stored pairs fit, the oldest (lowest id) is the one changed,
/// whatever order the backend returned them in.
pub(crate) fn decide<K: Stored>(pair: &NewPair<'_>, new: &Prepared, known: &[K]) -> (Step, Added) {
    let has_context = new.prev.is_some() || new.next.is_some();
    // The same place of the same document: a reviewed draft imported
    // again. The same sentence elsewhere in it (another context) is
    // another translation, kept beside this one.
    let same_place = |k: &K| k.same_origin(pair) && k.same_context(new);
    if let Some(k) = known
        .iter()
        .filter(|k| k.same_target_key(new))
        .min_by_key(|k| k.id())
    {
        // A reviewer's typographic fix (quotes, spaces) of a translation
        // learnt from the same document counts; another origin's pair
        // keeps its own typography (a client's house style).
        if pair.replace_same_origin && !k.same_target(new) && k.same_origin(pair) {
            let change = Step::Change {
                id: k.id(),
                context: true,
                target: true,
                codes: true,
            };
            return (change, Added::Updated);
        }
        let bare = k.bare();
        // The same pair with inline codes it did not have, or other
        // ones: the codes the file gives are the ones to keep.
        if new.codes.is_some() && !k.same_codes(new) {
            let change = Step::Change {
                id: k.id(),
                context: has_context && bare,
                target: false,
                codes: true,
            };
            return (change, Added::Updated);
        }
        // The same pair: learn its context if it had none.
        if has_context && bare {
            let change = Step::Change {
                id: k.id(),
                context: true,
                target: false,
                codes: false,
            };
            return (change, Added::ContextLearnt);
        }
        return (Step::Nothing, Added::Duplicate);
    }
    if pair.replace_same_origin
        && let Some(k) = known
            .iter()
            .filter(|k| same_place(k))
            .min_by_key(|k| k.id())
    {
        // A reviewed translation of the same document changed: update it.
        let change = Step::Change {
            id: k.id(),
            context: true,
            target: true,
            codes: true,
        };
        return (change, Added::Updated);
    }
    let added = if known.is_empty() {
        Added::New
    } else {
        Added::Alternative
    };
    (Step::Insert, added)
}

/// Ids in any order as LEB128 varints of their zigzag-coded differences
/// (small either way: the ids of a sentence's words are close when its
/// words are frequent).
pub(crate) fn encode_ids(ids: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ids.len() * 2);
    let mut prev = 0i64;
    for &id in ids {
        let difference = id.wrapping_sub(prev);
        let mut delta = ((difference << 1) ^ (difference >> 63)) as u64;
        prev = id;
        loop {
            let byte = (delta & 0x7f) as u8;
            delta >>= 7;
            if delta == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

pub(crate) fn decode_ids(bytes: &[u8]) -> Vec<i64> {
    let mut ids = Vec::with_capacity(bytes.len());
    let (mut value, mut shift, mut prev) = (0u64, 0, 0i64);
    for &byte in bytes {
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            let difference = (value >> 1) as i64 ^ -((value & 1) as i64);
            prev = prev.wrapping_add(difference);
            ids.push(prev);
            value = 0;
            shift = 0;
        }
    }
    ids
}

/// Postings an import buffers before it writes them.
pub(crate) const POSTINGS_PER_FLUSH: usize = 1 << 20;

/// What an import adds to the fuzzy index, the same on every backend: each
/// source's term ids in order (the "" term for a source without words),
/// one posting per distinct term at the source's length in words, and the
/// document frequencies. Term ids are cached; the backend looks up or adds
/// a term it has not seen, and writes the buffers out.
#[derive(Default)]
pub(crate) struct IndexBuffer {
    /// term → id
    terms: HashMap<String, i64>,
    /// term id → document-frequency change not yet written
    pub(crate) df: HashMap<i64, i64>,
    /// (term id, source length in words, pair id, how often the source
    /// holds the term)
    pub(crate) postings: Vec<(i64, u32, i64, u32)>,
}

impl IndexBuffer {
    /// Buffer the entries of `source` (pair `pair_id`), with `term_id` for
    /// the terms not yet cached; returns the source's term ids in order
    /// (`fuzzy_doc.terms`).
    pub(crate) fn add<E>(
        &mut self,
        pair_id: i64,
        source: &str,
        mut term_id: impl FnMut(&str) -> std::result::Result<i64, E>,
    ) -> std::result::Result<Vec<i64>, E> {
        let terms = crate::fuzzy::index_terms(source);
        let words = terms.len() as u32;
        let mut ids = Vec::with_capacity(terms.len().max(1));
        for term in terms
            .iter()
            .map(String::as_str)
            .chain(terms.is_empty().then_some(""))
        {
            let id = match self.terms.get(term) {
                Some(&id) => id,
                None => {
                    let id = term_id(term)?;
                    self.terms.insert(term.to_string(), id);
                    id
                }
            };
            ids.push(id);
        }
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        for run in sorted.chunk_by(|a, b| a == b) {
            let id = run[0];
            self.postings.push((id, words, pair_id, run.len() as u32));
            *self.df.entry(id).or_insert(0) += 1;
        }
        Ok(ids)
    }

    /// Cache a stored term's id (a backend that reads them all at once).
    pub(crate) fn know(&mut self, term: String, id: i64) {
        self.terms.insert(term, id);
    }

    /// Enough postings are buffered to write them out.
    pub(crate) fn is_full(&self) -> bool {
        self.postings.len() >= POSTINGS_PER_FLUSH
    }
}

/// A pair to add to the memory; texts are put in NFC by the store. Dates
/// (`YYYY-MM-DDThh:mm:ssZ`) default to now, the usage count to 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewPair<'a> {
    pub source_lang: &'a str,
    pub target_lang: &'a str,
    pub source: &'a str,
    pub target: &'a str,
    pub origin: &'a str,
    pub note: Option<&'a str>,
    pub created_at: Option<&'a str>,
    pub changed_at: Option<&'a str>,
    pub usage_count: Option<i64>,
    /// The source segments before and after this one in its document.
    pub prev_source: Option<&'a str>,
    pub next_source: Option<&'a str>,
    /// Inline codes of the source and the target, at byte offsets into
    /// them (see [`crate::text::coded`]).
    pub source_codes: &'a [Code],
    pub target_codes: &'a [Code],
    /// Who adds the pair (TMX `creationid`, a server user) and who last
    /// changed it (`changeid`; defaults to `created_by`).
    pub created_by: Option<&'a str>,
    pub changed_by: Option<&'a str>,
    /// When the source is stored with another target from the same
    /// origin, replace that target instead of adding an alternative (a
    /// reviewed translation imported again).
    pub replace_same_origin: bool,
}

/// What [`ImportBatch::add`] did with a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A source the memory did not have.
    New,
    /// A known source with a new target: an alternative translation.
    Alternative,
    /// The identical pair is already stored; nothing was written.
    Duplicate,
    /// The identical pair was stored without context; it learnt the new
    /// pair's (a reviewed draft).
    ContextLearnt,
    /// A reviewed translation from the same origin replaced the stored one.
    Updated,
}

/// Counts for `memoire stats`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub path: String,
    pub schema_version: i64,
    pub language_pairs: Vec<LanguagePairCount>,
    pub origins: Vec<OriginCount>,
    pub term_pairs: i64,
    /// Size of the database file plus its write-ahead log, in bytes.
    pub size_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LanguagePairCount {
    pub source_lang: String,
    pub target_lang: String,
    pub pairs: i64,
    /// Distinct sources (pairs minus alternative translations).
    pub sources: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OriginCount {
    pub origin: String,
    pub pairs: i64,
    pub last_changed: String,
}

/// Whether a glossary target may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TermStatus {
    #[default]
    Preferred,
    Admitted,
    /// A translation that must not be used (a false friend, an old name).
    Forbidden,
}

impl TermStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TermStatus::Preferred => "preferred",
            TermStatus::Admitted => "admitted",
            TermStatus::Forbidden => "forbidden",
        }
    }
}

impl std::str::FromStr for TermStatus {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "" | "preferred" | "préféré" | "preferre" | "pref" => Ok(TermStatus::Preferred),
            "admitted" | "admis" | "allowed" | "accepted" => Ok(TermStatus::Admitted),
            "forbidden" | "interdit" | "deprecated" | "avoid" | "banned" => {
                Ok(TermStatus::Forbidden)
            }
            other => Err(format!(
                "unknown status {other:?}: use preferred, admitted or forbidden"
            )),
        }
    }
}

/// One stored glossary entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Term {
    pub id: i64,
    pub source_lang: String,
    pub target_lang: String,
    pub source: String,
    pub target: String,
    pub domain: Option<String>,
    pub note: Option<String>,
    pub status: TermStatus,
    pub origin: String,
    /// Part of speech of the source (`noun`, `verb`, `adj`, `name`,
    /// `phrase`), when the entry says.
    pub pos: Option<String>,
    /// When the entry was last checked (`2025-10`).
    pub checked: Option<String>,
}

/// A term pair to add; texts are put in NFC by the store.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewTerm<'a> {
    pub source_lang: &'a str,
    pub target_lang: &'a str,
    pub source: &'a str,
    pub target: &'a str,
    /// Domain, note, status, part of speech and date: `None` keeps what a
    /// stored pair has (a file without that column changes nothing of
    /// it); a new pair gets nothing, and the status `preferred`.
    pub domain: Option<&'a str>,
    pub note: Option<&'a str>,
    pub status: Option<TermStatus>,
    pub origin: &'a str,
    /// Part of speech of the source (see [`crate::glossary::Pos`]).
    pub pos: Option<&'a str>,
    /// When the entry was last checked (`2025-10`).
    pub checked: Option<&'a str>,
}

/// What [`TermBatch::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermAdded {
    New,
    /// The pair was there; its domain, note or status changed.
    Updated,
    Unchanged,
}

/// A term pair's fields besides its texts, as stored.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TermFields {
    pub(crate) domain: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) status: String,
    pub(crate) pos: Option<String>,
    pub(crate) checked: Option<String>,
}

impl TermFields {
    /// What a stored pair (`known`, when there is one) should hold after
    /// `term` is added: the fields `term` gives, else the stored ones.
    pub(crate) fn wanted(term: &NewTerm<'_>, known: Option<&TermFields>) -> TermFields {
        let given = |new: Option<&str>, old: Option<&Option<String>>| {
            new.map(str::to_string).or_else(|| old.cloned().flatten())
        };
        TermFields {
            domain: given(term.domain, known.map(|k| &k.domain)),
            note: given(term.note, known.map(|k| &k.note)),
            status: match (term.status, known) {
                (Some(status), _) => status.as_str().to_string(),
                (None, Some(k)) => k.status.clone(),
                (None, None) => TermStatus::Preferred.as_str().to_string(),
            },
            pos: given(term.pos, known.map(|k| &k.pos)),
            checked: given(term.checked, known.map(|k| &k.checked)),
        }
    }
}

/// Code run inside the transaction that creates a new memory (the shipped
/// glossary): a kill leaves either no memory or a complete one.
pub type Seed<'s> = &'s dyn Fn(&mut TermBatch<'_>) -> Result<()>;

/// The PostgreSQL connection string a `--db` value is, if it is one
/// (`postgres://…` or `postgresql://…`); anything else is a file path.
pub fn postgres_url(db: &Path) -> Option<&str> {
    db.to_str().filter(|s| postgres::is_url(s))
}

/// A `--db` value fit to show: a path as it is, a connection string
/// without its password.
pub fn shown(db: &Path) -> String {
    match postgres_url(db) {
        Some(url) => postgres::redacted(url),
        None => db.display().to_string(),
    }
}

/// [`shown`], quoted for a shell when it needs to be (a URL with `&` or
/// `?`), for a command line a message suggests.
pub fn shown_for_shell(db: &Path) -> String {
    let shown = shown(db);
    if shown
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-:@+,=%".contains(c))
    {
        shown
    } else {
        format!("'{}'", shown.replace('\'', "'\\''"))
    }
}

/// A `--db` value that names neither a file nor a PostgreSQL URL as memoire
/// takes them: a libpq key=value string (`host=… dbname=…`) or another
/// scheme (`postgress://`, `mysql://`), which would otherwise be taken
/// for a file name.
pub fn check_db(db: &Path) -> Result<()> {
    let Some(text) = db.to_str() else {
        return Ok(());
    };
    if postgres_url(db).is_some() {
        return Ok(());
    }
    let key_value = text
        .split_whitespace()
        .next()
        .and_then(|word| word.split_once('='))
        .is_some_and(|(key, _)| {
            ["host", "hostaddr", "dbname", "user", "port", "password"].contains(&key)
        });
    if key_value || text.contains("://") {
        return Err(crate::Error::new(
            crate::Kind::Input,
            "--db takes a file path or a URL postgres://USER@HOST/DATABASE (for a Unix \
             socket: postgres://USER@/DATABASE?host=/var/run/postgresql); this is neither",
        ));
    }
    Ok(())
}

/// An open memory, in either backend. Every method means the same on both
/// (the SQLite one is the reference; see each backend for how).
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    Postgres(Box<postgres::PgStore>),
}

/// An import in progress: one transaction (see [`Store::begin_import`]).
pub enum ImportBatch<'a> {
    Sqlite(sqlite::ImportBatch<'a>),
    Postgres(Box<postgres::ImportBatch<'a>>),
}

/// Glossary terms being added: one transaction.
pub enum TermBatch<'a> {
    Sqlite(sqlite::TermBatch<'a>),
    Postgres(postgres::TermBatch<'a>),
}

/// The same call on whichever backend `$self` is.
macro_rules! either {
    ($enum:ident, $self:expr, $s:ident => $call:expr) => {
        match $self {
            $enum::Sqlite($s) => $call,
            $enum::Postgres($s) => $call,
        }
    };
}

impl ImportBatch<'_> {
    /// Add one pair unless the identical pair is already stored (the rules
    /// of [`decide`]).
    pub fn add(&mut self, pair: &NewPair<'_>) -> Result<Added> {
        either!(ImportBatch, self, b => b.add(pair))
    }

    /// Pairs, term pairs and tokens the memory holds, read inside this
    /// import (under the write lock: no other writer can change them
    /// before the commit).
    pub fn holdings(&mut self) -> Result<(i64, i64, i64)> {
        either!(ImportBatch, self, b => b.holdings())
    }

    /// A glossary term in the same transaction (`memoire migrate`).
    pub fn add_term(&mut self, term: &NewTerm<'_>) -> Result<TermAdded> {
        either!(ImportBatch, self, b => b.add_term(term))
    }

    /// A server user's token (its hash), with the date it was made, in the
    /// same transaction (`memoire migrate`).
    pub fn add_token(&mut self, user: &User, hash: &str) -> Result<()> {
        either!(ImportBatch, self, b => b.add_token(user, hash))
    }

    /// Make the whole import durable at once.
    pub fn commit(self) -> Result<()> {
        either!(ImportBatch, self, b => b.commit())
    }
}

impl TermBatch<'_> {
    /// Add a term pair, or update the domain, note, status, part of speech
    /// and date of the same pair (same languages, source and target) with
    /// those `term` gives.
    pub fn add(&mut self, term: &NewTerm<'_>) -> Result<TermAdded> {
        either!(TermBatch, self, b => b.add(term))
    }

    pub fn commit(self) -> Result<()> {
        either!(TermBatch, self, b => b.commit())
    }
}

impl Store {
    /// Open the memory at `db` for writing, creating it if needed (a file
    /// whose folder exists, or an empty PostgreSQL database), and bring its
    /// schema up to date.
    pub fn open(db: &Path) -> Result<Store> {
        Store::create_or_open(db, None)
    }

    /// Like [`Store::open`]; a memory created by this call gets `seed` in
    /// the same transaction as its schema.
    pub fn create_or_open(db: &Path, seed: Option<Seed<'_>>) -> Result<Store> {
        Ok(match postgres_url(db) {
            Some(url) => Store::Postgres(Box::new(postgres::PgStore::create_or_open(url, seed)?)),
            None => Store::Sqlite(sqlite::SqliteStore::create_or_open(db, seed)?),
        })
    }

    /// Open an existing memory for writing: no memory there is an error.
    pub fn open_existing(db: &Path) -> Result<Store> {
        Ok(match postgres_url(db) {
            Some(url) => Store::Postgres(Box::new(postgres::PgStore::open_existing(url)?)),
            None => Store::Sqlite(sqlite::SqliteStore::open_existing(db)?),
        })
    }

    /// Open an existing memory to read it, never writing to it.
    pub fn open_read_only(db: &Path) -> Result<Store> {
        Ok(match postgres_url(db) {
            Some(url) => Store::Postgres(Box::new(postgres::PgStore::open_read_only(url)?)),
            None => Store::Sqlite(sqlite::SqliteStore::open_read_only(db)?),
        })
    }

    /// The memory's name for messages: its path, or its connection string
    /// without the password (as `stats` shows it).
    pub fn name(&self) -> String {
        match self {
            Store::Sqlite(s) => s.path().display().to_string(),
            Store::Postgres(s) => s.name().to_string(),
        }
    }

    /// The memory is in PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// True when this open created the memory.
    pub fn created(&self) -> bool {
        either!(Store, self, s => s.created())
    }

    /// The schema version this open upgraded the memory from.
    pub fn upgraded_from(&self) -> Option<i64> {
        either!(Store, self, s => s.upgraded_from())
    }

    /// The schema version of this build on this backend.
    pub fn current_schema(&self) -> i64 {
        match self {
            Store::Sqlite(_) => sqlite::SCHEMA_VERSION,
            Store::Postgres(_) => postgres::SCHEMA_VERSION,
        }
    }

    pub fn schema_version(&self) -> Result<i64> {
        either!(Store, self, s => s.schema_version())
    }

    /// Start an import: one transaction that holds until
    /// [`ImportBatch::commit`]. Dropping the batch, a crash or `kill -9`
    /// leaves the store exactly as it was.
    pub fn begin_import(&mut self) -> Result<ImportBatch<'_>> {
        Ok(match self {
            Store::Sqlite(s) => ImportBatch::Sqlite(s.begin_import()?),
            Store::Postgres(s) => ImportBatch::Postgres(Box::new(s.begin_import()?)),
        })
    }

    /// Start adding glossary terms: one transaction, like an import.
    pub fn begin_terms(&mut self) -> Result<TermBatch<'_>> {
        Ok(match self {
            Store::Sqlite(s) => TermBatch::Sqlite(s.begin_terms()?),
            Store::Postgres(s) => TermBatch::Postgres(s.begin_terms()?),
        })
    }

    /// Every stored translation of `text` (exact match after
    /// normalisation), most recently changed first.
    pub fn exact(
        &self,
        source_lang: &str,
        target_lang: &str,
        text: &str,
    ) -> Result<Vec<PairRecord>> {
        either!(Store, self, s => s.exact(source_lang, target_lang, text))
    }

    /// Call `each` on every stored pair of the given languages (all when a
    /// language is `None`), in the order they were added. `each` must not
    /// read this store.
    pub fn for_each_pair(
        &self,
        source_lang: Option<&str>,
        target_lang: Option<&str>,
        each: impl FnMut(&PairRecord) -> Result<()>,
    ) -> Result<()> {
        either!(Store, self, s => s.for_each_pair(source_lang, target_lang, each))
    }

    /// Does the memory hold any pair of `source_lang` → `target_lang`?
    pub fn has_pairs(&self, source_lang: &str, target_lang: &str) -> Result<bool> {
        either!(Store, self, s => s.has_pairs(source_lang, target_lang))
    }

    /// The language pairs the memory holds (source, target).
    pub fn language_pairs(&self) -> Result<Vec<(String, String)>> {
        either!(Store, self, s => s.language_pairs())
    }

    /// The highest pair id in use (0 for an empty memory).
    pub fn max_pair_id(&self) -> Result<i64> {
        either!(Store, self, s => s.max_pair_id())
    }

    /// One stored pair by id.
    pub fn pair(&self, id: i64) -> Result<Option<PairRecord>> {
        either!(Store, self, s => s.pair(id))
    }

    /// A pair's source, when the pair exists and is of this language pair.
    pub fn source_of(
        &self,
        id: i64,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<Option<String>> {
        either!(Store, self, s => s.source_of(id, source_lang, target_lang))
    }

    /// For each fuzzy-index term: its id and how many sources hold it.
    pub fn term_stats(&self, terms: &[&str]) -> Result<Vec<Option<(i64, i64)>>> {
        either!(Store, self, s => s.term_stats(terms))
    }

    /// Run `f` in one read transaction (one snapshot; nested calls share
    /// it).
    pub fn in_read_transaction<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        either!(Store, self, s => s.in_read_transaction(f))
    }

    /// How many times pairs were removed from the fuzzy index.
    pub fn index_epoch(&self) -> Result<i64> {
        either!(Store, self, s => s.index_epoch())
    }

    /// The highest pair id in the fuzzy index.
    pub fn max_indexed_pair(&self) -> Result<i64> {
        either!(Store, self, s => s.max_indexed_pair())
    }

    /// [`Store::index_epoch`] and [`Store::max_indexed_pair`] together (one
    /// statement on a database server).
    pub fn index_state(&self) -> Result<(i64, i64)> {
        match self {
            Store::Sqlite(s) => s.index_state(),
            Store::Postgres(s) => s.index_state(),
        }
    }

    /// Every posting: term id, source length in words, pair id.
    pub fn for_each_posting(&self, f: impl FnMut(i64, i64, i64)) -> Result<()> {
        either!(Store, self, s => s.for_each_posting(f))
    }

    /// The term ids of every pair after `after` in the fuzzy index.
    pub fn for_each_doc_after(&self, after: i64, f: impl FnMut(i64, Vec<i64>)) -> Result<()> {
        either!(Store, self, s => s.for_each_doc_after(after, f))
    }

    /// Every pair after `after`, in id order: id, languages and source.
    pub fn for_each_source_after(
        &self,
        after: i64,
        f: impl FnMut(i64, &str, &str, &str),
    ) -> Result<()> {
        either!(Store, self, s => s.for_each_source_after(after, f))
    }

    /// Every term of the fuzzy index after `after`: id and text.
    pub fn for_each_term_after(&self, after: i64, f: impl FnMut(i64, &str)) -> Result<()> {
        either!(Store, self, s => s.for_each_term_after(after, f))
    }

    /// Ids of the pairs whose source holds `term_id` and has `words` words.
    pub fn postings(&self, term_id: i64, words: usize) -> Result<Vec<i64>> {
        either!(Store, self, s => s.postings(term_id, words))
    }

    /// Ids of the pairs whose source holds `term_id`, in increasing order.
    pub fn postings_any_length(&self, term_id: i64) -> Result<Vec<i64>> {
        either!(Store, self, s => s.postings_any_length(term_id))
    }

    /// The term ids of a pair's source, in the source's order.
    pub fn pair_terms(&self, pair_id: i64) -> Result<Vec<i64>> {
        either!(Store, self, s => s.pair_terms(pair_id))
    }

    /// Remove every pair of a language pair that came from `origin`, with
    /// its entries in the fuzzy index, in one transaction.
    pub fn remove_pairs_from(
        &mut self,
        origin: &str,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<u64> {
        either!(Store, self, s => s.remove_pairs_from(origin, source_lang, target_lang))
    }

    /// Every term pair of a language pair, in the order they were added.
    pub fn terms(&self, source_lang: &str, target_lang: &str) -> Result<Vec<Term>> {
        either!(Store, self, s => s.terms(source_lang, target_lang))
    }

    /// Remove the term pairs of `source` (only the one with `target`, if
    /// given); returns how many were removed.
    pub fn remove_terms(
        &mut self,
        source_lang: &str,
        target_lang: &str,
        source: &str,
        target: Option<&str>,
    ) -> Result<usize> {
        either!(Store, self, s => s.remove_terms(source_lang, target_lang, source, target))
    }

    /// Remove every term pair that came from `origin`.
    pub fn remove_terms_from(&mut self, origin: &str) -> Result<usize> {
        either!(Store, self, s => s.remove_terms_from(origin))
    }

    /// Record a server user's token (its hash, see [`crate::auth`]).
    pub fn add_user(&mut self, name: &str, role: Role, hash: &str) -> Result<()> {
        either!(Store, self, s => s.add_user(name, role, hash))
    }

    /// The server's users, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        either!(Store, self, s => s.users())
    }

    /// The language pairs the glossary holds (source, target).
    pub fn term_languages(&self) -> Result<Vec<(String, String)>> {
        either!(Store, self, s => s.term_languages())
    }

    /// Every user with the hash of their token, in the order they were
    /// made.
    pub fn tokens(&self) -> Result<Vec<(User, String)>> {
        either!(Store, self, s => s.tokens())
    }

    /// The user a token (by its hash) belongs to.
    pub fn user_by_token_hash(&self, hash: &str) -> Result<Option<User>> {
        either!(Store, self, s => s.user_by_token_hash(hash))
    }

    /// Remove a user's token; false when there is none of that name.
    pub fn remove_user(&mut self, name: &str) -> Result<bool> {
        either!(Store, self, s => s.remove_user(name))
    }

    /// Counts per language pair and origin, term pairs, and size.
    pub fn stats(&self) -> Result<Stats> {
        either!(Store, self, s => s.stats())
    }

    /// Is `path` the memory's file or one of its companions? (Never, for
    /// a memory in PostgreSQL.)
    pub fn is_own_file(&self, path: &Path) -> bool {
        match self {
            Store::Sqlite(s) => s.is_own_file(path),
            Store::Postgres(_) => false,
        }
    }

    /// Size of the memory on disk (of the database, on PostgreSQL).
    pub fn size_bytes(&self) -> u64 {
        either!(Store, self, s => s.size_bytes())
    }

    /// The connection to the database server is lost (PostgreSQL
    /// restarted, the network dropped): this store will only fail from now
    /// on, and a new one should be opened. (Never, for a SQLite file.)
    pub fn is_broken(&self) -> bool {
        match self {
            Store::Sqlite(_) => false,
            Store::Postgres(s) => s.is_broken(),
        }
    }

    /// Whether a database server still answers on this connection (a file
    /// always does).
    pub fn is_alive(&self) -> bool {
        match self {
            Store::Sqlite(_) => true,
            Store::Postgres(s) => s.is_alive(),
        }
    }

    /// SQLite: fold the write-ahead log back into the file, without
    /// waiting. (PostgreSQL looks after its own.)
    pub fn checkpoint(&mut self) {
        if let Store::Sqlite(s) = self {
            s.checkpoint();
        }
    }
}

impl Pairs for Store {
    fn exact(&self, source_lang: &str, target_lang: &str, text: &str) -> Result<Vec<PairRecord>> {
        Store::exact(self, source_lang, target_lang, text)
    }

    fn pair(&self, id: i64) -> Result<Option<PairRecord>> {
        Store::pair(self, id)
    }

    fn source_of(&self, id: i64, source_lang: &str, target_lang: &str) -> Result<Option<String>> {
        Store::source_of(self, id, source_lang, target_lang)
    }

    fn sources_of(
        &self,
        ids: &[i64],
        source_lang: &str,
        target_lang: &str,
    ) -> Result<HashMap<i64, String>> {
        either!(Store, self, s => s.sources_of(ids, source_lang, target_lang))
    }

    fn exact_and_pairs(
        &self,
        source_lang: &str,
        target_lang: &str,
        text: &str,
        ids: &[i64],
    ) -> Result<Vec<PairRecord>> {
        either!(Store, self, s => s.exact_and_pairs(source_lang, target_lang, text, ids))
    }

    fn each_pair(
        &self,
        source_lang: Option<&str>,
        target_lang: Option<&str>,
        each: &mut dyn FnMut(&PairRecord) -> Result<()>,
    ) -> Result<()> {
        either!(Store, self, s => s.each_pair(source_lang, target_lang, each))
    }

    fn read_snapshot(&self, f: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        either!(Store, self, s => s.read_snapshot(f))
    }
}

impl crate::fuzzy::Index for Store {
    fn term_stats(&self, terms: &[&str]) -> Result<Vec<Option<(i64, i64)>>> {
        Store::term_stats(self, terms)
    }

    fn postings(&self, term: i64, words: usize, out: &mut Vec<u32>) -> Result<()> {
        use crate::fuzzy::Index;
        match self {
            Store::Sqlite(s) => Index::postings(s, term, words, out),
            Store::Postgres(s) => Index::postings(&**s, term, words, out),
        }
    }

    fn with_postings(
        &self,
        term: i64,
        words: usize,
        buffer: &mut crate::fuzzy::Postings,
        f: &mut dyn FnMut(crate::fuzzy::Places<'_>, &[u8]),
    ) -> Result<()> {
        use crate::fuzzy::Index;
        match self {
            Store::Sqlite(s) => Index::with_postings(s, term, words, buffer, f),
            Store::Postgres(s) => Index::with_postings(&**s, term, words, buffer, f),
        }
    }

    fn common_terms(
        &self,
        pairs: &[u32],
        query: &crate::fuzzy::Pattern,
        out: &mut Vec<usize>,
    ) -> Result<()> {
        either!(Store, self, s => s.common_terms(pairs, query, out))
    }

    fn max_pair_id(&self) -> Result<u32> {
        Ok(u32::try_from(Store::max_pair_id(self)?).unwrap_or(u32::MAX))
    }

    fn prune_list_factor(&self) -> i64 {
        either!(Store, self, s => s.prune_list_factor())
    }
}

/// Is `path` the memory at `db` or one of its companion files? Writing
/// there would destroy the memory. (A memory in PostgreSQL has none.)
pub fn is_own_file(db: &Path, path: &Path) -> bool {
    postgres_url(db).is_none() && sqlite::is_own_file(db, path)
}

pub use crate::file::same_file;

/// Where the database lives when `--db` is not given: `MEMOIRE_DB` is read by
/// the binary; this is the fallback, `$XDG_DATA_HOME/memoire/memoire.db` or
/// `~/.local/share/memoire/memoire.db`.
pub fn default_path() -> Option<PathBuf> {
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".local/share"))
        })?;
    Some(data_home.join("memoire").join("memoire.db"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair<'a>(source: &'a str, target: &'a str) -> NewPair<'a> {
        NewPair {
            source_lang: "fr",
            target_lang: "en",
            source,
            target,
            origin: "a.csv",
            ..NewPair::default()
        }
    }

    fn known(id: i64, target: &str, origin: &str, prev: Option<&str>) -> Known {
        Known {
            id,
            target: target.to_string(),
            origin: origin.to_string(),
            prev: prev.map(str::to_string),
            next: None,
            codes: None,
        }
    }

    fn decided(pair: &NewPair<'_>, known: &[Known]) -> (Step, Added) {
        decide(pair, &Prepared::new(pair), known)
    }

    #[test]
    fn a_new_source_is_inserted_and_another_target_is_an_alternative() {
        let p = pair("Le Conseil a siégé.", "The Council sat.");
        assert_eq!(decided(&p, &[]), (Step::Insert, Added::New));
        let other = [known(7, "The Council met.", "b.csv", None)];
        assert_eq!(decided(&p, &other), (Step::Insert, Added::Alternative));
    }

    #[test]
    fn the_same_pair_up_to_typography_is_a_duplicate_or_learns_its_context() {
        let p = pair("Il a dit « oui ».", "He said \u{201c}yes\u{201d}.");
        let stored = [known(3, "He said \"yes\".", "b.csv", None)];
        assert_eq!(decided(&p, &stored), (Step::Nothing, Added::Duplicate));
        let with_context = NewPair {
            prev_source: Some("Avant."),
            ..p
        };
        let learnt = Step::Change {
            id: 3,
            context: true,
            target: false,
            codes: false,
        };
        assert_eq!(
            decided(&with_context, &stored),
            (learnt, Added::ContextLearnt)
        );
        // A stored context is never overwritten by another.
        let placed = [known(3, "He said \"yes\".", "b.csv", Some("Ailleurs."))];
        assert_eq!(
            decided(&with_context, &placed),
            (Step::Nothing, Added::Duplicate)
        );
    }

    /// Review of issue 14: PostgreSQL returns rows in no set order; the
    /// pair changed must not depend on it.
    #[test]
    fn the_oldest_fitting_pair_is_changed_whatever_the_row_order() {
        let p = NewPair {
            prev_source: Some("Avant."),
            replace_same_origin: true,
            ..pair("Oui.", "Yes indeed.")
        };
        let rows = [
            known(9, "Yeah.", "a.csv", Some("Avant.")),
            known(4, "Yes.", "a.csv", Some("Avant.")),
        ];
        let changed = |known: &[Known]| match decided(&p, known).0 {
            Step::Change { id, .. } => id,
            other => panic!("{other:?}"),
        };
        assert_eq!(changed(&rows), 4);
        let reversed = [rows[1].clone(), rows[0].clone()];
        assert_eq!(changed(&reversed), 4);
    }

    #[test]
    fn a_reviewed_draft_again_updates_its_own_pairs_only() {
        let p = NewPair {
            prev_source: Some("Avant."),
            replace_same_origin: true,
            ..pair("La séance est levée.", "The sitting is closed.")
        };
        let update = |id| Step::Change {
            id,
            context: true,
            target: true,
            codes: true,
        };
        // Same document, same place, another translation: replaced.
        let own = [known(
            5,
            "The meeting is adjourned.",
            "a.csv",
            Some("Avant."),
        )];
        assert_eq!(decided(&p, &own), (update(5), Added::Updated));
        // Another document's translation is kept beside it.
        let other = [known(
            6,
            "The meeting is adjourned.",
            "b.csv",
            Some("Avant."),
        )];
        assert_eq!(decided(&p, &other), (Step::Insert, Added::Alternative));
    }
}
