//! Readers and writers of exchange formats, over `Read`/`Write` and files.
//! They never see the database: the import and export code joins them to the
//! store.
//!
//! Every reader yields the same records — a [`PairRow`] for each good unit
//! and a [`BadRow`] for each one that cannot be imported — through
//! [`RowSource`], so that one import core handles rejects, `--strict` and
//! the transaction for CSV, TSV, TMX and TBX alike.

pub mod csv;
pub mod docx;
pub mod draft;
pub mod encoding;
pub mod html;
pub mod inline;
pub mod markup;
pub mod news;
pub mod odt;
pub mod review;
pub mod tbx;
pub mod text;
pub mod tmx;
pub mod xliff;
pub mod xml;

use crate::error::Result;

/// A good unit of a file: a source and a target, and what else the file
/// says about them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairRow {
    /// Line where the unit starts.
    pub line: u64,
    pub source: String,
    pub target: String,
    /// Origin label, domain, note and glossary status, when the file has
    /// them (CSV columns, TMX notes and props, TBX descriptions).
    pub origin: Option<String>,
    pub domain: Option<String>,
    pub note: Option<String>,
    pub status: Option<String>,
    /// Glossary: part of speech and the date the entry was last checked.
    pub pos: Option<String>,
    pub checked: Option<String>,
    /// Dates as `YYYY-MM-DDThh:mm:ssZ` and a usage count (TMX).
    pub created_at: Option<String>,
    pub changed_at: Option<String>,
    pub usage_count: Option<i64>,
    /// Who added and who last changed the pair (TMX `creationid`,
    /// `changeid`).
    pub created_by: Option<String>,
    pub changed_by: Option<String>,
    /// The source segments before and after this one in its document
    /// (XLIFF, memoire's bilingual CSV).
    pub prev_source: Option<String>,
    pub next_source: Option<String>,
    /// Inline codes of the source and the target (TMX, XLIFF), at byte
    /// offsets into them; a target code has its source code's id.
    pub source_codes: Vec<crate::text::Code>,
    pub target_codes: Vec<crate::text::Code>,
    /// Some cell was read as Windows-1252 in a mixed CSV file.
    pub windows_1252: bool,
    /// The unit as read, for the rejects file.
    pub raw: Vec<u8>,
}

/// A unit that cannot be imported, why, and its text as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
    pub raw: Vec<u8>,
}

/// Why a row read from any format cannot be stored, if it cannot: an empty
/// source or target, a text longer than `max_segment` bytes, or a character
/// that XML cannot hold (see [`crate::text::forbidden_char`]) in any field
/// that goes into TMX, TBX or XLIFF files, which it would make unreadable.
/// (The context, the neighbouring sentences, is never written out: a bad
/// neighbour does not reject a good pair.)
pub fn check_row(row: &PairRow, max_segment: usize) -> std::result::Result<(), String> {
    for (side, text) in [("source", &row.source), ("target", &row.target)] {
        if text.trim().is_empty() {
            return Err(format!("empty {side}"));
        }
        if text.len() > max_segment {
            return Err(format!(
                "{side}: {} bytes of text, over the limit of {max_segment} (--max-segment-size)",
                text.len()
            ));
        }
    }
    let fields = [
        ("source", Some(&row.source)),
        ("target", Some(&row.target)),
        ("origin", row.origin.as_ref()),
        ("domain", row.domain.as_ref()),
        ("note", row.note.as_ref()),
        ("status", row.status.as_ref()),
        ("pos", row.pos.as_ref()),
        ("checked", row.checked.as_ref()),
    ];
    for (field, text) in fields {
        if let Some(c) = text.and_then(|t| t.chars().find(|&c| crate::text::forbidden_char(c))) {
            return Err(format!("{field}: {}", crate::text::describe_forbidden(c)));
        }
    }
    Ok(())
}

/// A file read unit by unit.
pub trait RowSource {
    /// The next unit, good or bad; `Ok(None)` at the end. An `Err` is fatal
    /// (unreadable file, malformed XML).
    fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>>;
    /// Bytes read so far, for progress reports.
    fn bytes_read(&self) -> u64;
    /// What was detected, for the import summary.
    fn describe(&self) -> String;
    /// What a rejects file starts and ends with (a CSV header; a TMX
    /// header and body), in the file's own encoding.
    fn rejects_frame(&self) -> (Vec<u8>, Vec<u8>);
    /// A rejected unit's raw text in the file's own encoding.
    fn reencode(&self, raw: &[u8]) -> Vec<u8> {
        raw.to_vec()
    }
    /// Columns of the file that are not imported; `glossary` says whether
    /// domain, note and status are used.
    fn ignored_columns(&self, glossary: bool) -> Vec<String> {
        let _ = glossary;
        Vec::new()
    }
    /// Is this a reviewed pre-translation (XLIFF, or the bilingual table
    /// `memoire pretranslate` writes)? Its translations replace the earlier
    /// ones of the same document instead of piling up as alternatives.
    fn is_reviewed_draft(&self) -> bool {
        false
    }
    /// The pairs an alignment found, with their confidence (learnt or
    /// not), for the report of `import --aligned`.
    fn aligned(&self) -> Vec<crate::align::AlignedPair> {
        Vec::new()
    }
}
