//! Bring a file of aligned pairs into the store.
//!
//! Two layers of results: the outer [`Result`] is the file (it cannot be
//! opened, it is not CSV, the database is locked…), and each row has its own
//! result, so one bad row does not abort a million good ones. Bad rows are
//! listed in the [`ImportReport`] with their line and reason and copied
//! unchanged (same bytes, same encoding, after the file's header) to a
//! rejects file: written in full and synced before the import commits, put
//! in place right after the commit (so that a failed commit leaves an
//! earlier file there untouched), and kept under its temporary name if it
//! cannot be put in place, so that nothing is lost. The rejects file may
//! not be the input or the memory. The whole import is one transaction:
//! until it commits, the store is exactly as it was, whatever happens to
//! the process.
//!
//! The same core reads every format through [`RowSource`]: CSV/TSV, TMX
//! (memory) and TBX (glossary).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Kind, Result};
use crate::file::{Output, same_file};
use crate::format::csv::{CsvOptions, PairReader};
use crate::format::tbx::TbxReader;
use crate::format::tmx::TmxReader;
use crate::format::xliff::XliffReader;
use crate::format::xml::Limits;
use crate::format::{self, PairRow, RowSource};
use crate::glossary::Pos;
use crate::store::{Added, NewPair, NewTerm, Store, TermAdded};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub source_lang: String,
    pub target_lang: String,
    /// Origin label for every pair; default: the file name (or the row's
    /// `origin` column, when the file has one).
    pub origin: Option<String>,
    /// Stop at the first bad row and import nothing.
    pub strict: bool,
    /// Where to write rejected rows; default: [`default_rejects_path`].
    pub rejects: Option<PathBuf>,
    /// Replace a file already at the rejects path (never the input or the
    /// memory).
    pub replace_rejects: bool,
    /// The longest source or target text accepted, in bytes; a longer one
    /// is rejected with its line.
    pub max_segment: usize,
    /// The file's format; `None` decides by its extension.
    pub format: Option<Format>,
    pub csv: CsvOptions,
    /// Who imports (a user of `memoire serve`): recorded as the pairs'
    /// author where the file names none.
    pub user: Option<String>,
}

/// The default longest text of a segment: 64 KiB, far beyond any sentence
/// (a long news paragraph is 2 KiB).
pub const DEFAULT_MAX_SEGMENT: usize = 64 * 1024;

/// File formats memoire imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV or TSV (the delimiter is detected).
    Csv,
    Tmx,
    Tbx,
    /// XLIFF 2.0 or 1.2: a reviewed pre-translation.
    Xliff,
    /// memoire's review table in a Word file.
    ReviewDocx,
    /// A translated document aligned with its original.
    Aligned,
}

impl Format {
    /// `.tmx` → TMX, `.tbx` → TBX, anything else CSV/TSV.
    pub fn of(path: &Path) -> Format {
        match path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .as_deref()
        {
            Some("tmx") => Format::Tmx,
            Some("tbx") => Format::Tbx,
            Some("xlf" | "xliff") => Format::Xliff,
            Some("docx") => Format::ReviewDocx,
            _ => Format::Csv,
        }
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            source_lang: "fr".to_string(),
            target_lang: "en".to_string(),
            origin: None,
            strict: false,
            rejects: None,
            replace_rejects: false,
            max_segment: DEFAULT_MAX_SEGMENT,
            format: None,
            csv: CsvOptions::default(),
            user: None,
        }
    }
}

/// How far an import has got.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Bytes of the file read so far and in all (approximate for UTF-16).
    pub bytes: u64,
    pub total: u64,
    pub rows: u64,
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub path: PathBuf,
    /// What was detected: format, encoding, delimiter, header.
    pub described: String,
    /// Rows with a cell read as Windows-1252 in a mixed CSV file.
    pub windows_1252_rows: u64,
    pub ignored_columns: Vec<String>,
    /// Data rows read, good and bad (blank rows not counted).
    pub rows_read: u64,
    /// Pairs whose source was new to the memory.
    pub added: u64,
    /// Pairs for a known source with a new target.
    pub alternatives: u64,
    /// Pairs already in the memory, skipped.
    pub duplicates: u64,
    /// Glossary entries already there whose domain, note or status changed.
    pub updated: u64,
    pub rejected: Vec<Rejected>,
    /// Where the rejected rows were written, if there were any.
    pub rejects_path: Option<PathBuf>,
    /// Pairs already stored that learnt their context (a reviewed draft).
    pub context_learnt: u64,
    /// Things the user should know that did not stop the import.
    pub warnings: Vec<String>,
    /// `import --aligned`: every pair found, with its confidence.
    pub aligned: Vec<crate::align::AlignedPair>,
}

impl ImportReport {
    /// True when every row was imported (or was already there).
    pub fn complete(&self) -> bool {
        self.rejected.is_empty()
    }
}

/// `memory.csv` → `memory.rejects.csv`, in the same folder.
pub fn default_rejects_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "import".into(), |s| s.to_string_lossy());
    // Rows of a document (a Word review table, an aligned translation)
    // are kept as CSV.
    let ext = path.extension().map_or_else(
        || "csv".into(),
        |e| e.to_string_lossy().to_ascii_lowercase(),
    );
    let ext = match ext.as_str() {
        "docx" | "odt" | "html" | "htm" | "xml" => "csv".to_string(),
        other => other.to_string(),
    };
    path.with_file_name(format!("{stem}.rejects.{ext}"))
}

/// The rejects file, created at the first rejected row: the input's
/// byte-order mark and header, then each rejected row as it was read, in
/// the input's encoding. It is written as a temporary file beside its
/// destination and moved into place before the import commits; it never
/// overwrites a file (unless asked to) and never follows a symlink.
struct Rejects {
    path: PathBuf,
    replace: bool,
    out: Option<BufWriter<Output>>,
    /// What the file starts and ends with (header; TMX/TBX skeleton).
    frame: (Vec<u8>, Vec<u8>),
}

impl Rejects {
    fn fail(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
        move |e| {
            Error::io(
                "cannot write the rejects file (choose another place with --rejects PATH)",
                path,
                e,
            )
        }
    }

    /// Write one rejected unit, already in the file's encoding.
    fn write(&mut self, raw: &[u8]) -> Result<()> {
        let fail = Rejects::fail(&self.path);
        let out = match &mut self.out {
            Some(out) => out,
            None => {
                let file = if self.replace {
                    Output::create(&self.path)
                } else {
                    Output::create_new(&self.path)
                }
                .map_err(|e| rejects_in_the_way(&self.path, e))?;
                let mut out = BufWriter::new(file);
                out.write_all(&self.frame.0).map_err(&fail)?;
                self.out.insert(out)
            }
        };
        out.write_all(raw).map_err(fail)
    }

    /// The rejects file written in full, not yet in place (nothing was
    /// rejected: `None`).
    fn finish(mut self) -> Result<Option<PendingRejects>> {
        let Some(mut out) = self.out.take() else {
            return Ok(None);
        };
        out.write_all(&self.frame.1)
            .map_err(Rejects::fail(&self.path))?;
        let file = out
            .into_inner()
            .map_err(|e| Rejects::fail(&self.path)(e.into_error()))?;
        Ok(Some(PendingRejects {
            written: file.finish()?,
            path: self.path,
        }))
    }
}

/// A rejects file written and synced, waiting for the import to commit.
struct PendingRejects {
    written: crate::file::Written,
    path: PathBuf,
}

impl PendingRejects {
    /// After the commit: put the file in place, or keep it under its
    /// temporary name and say where.
    fn place(self, report: &mut ImportReport) {
        let PendingRejects { written, path } = self;
        match written.place_or_keep() {
            Ok(()) => report.rejects_path = Some(path),
            Err((why, kept)) => {
                report.warnings.push(match &kept {
                    Some(kept) => format!(
                        "the rejected rows could not be put at {} ({why}); they are in {}",
                        path.display(),
                        kept.display()
                    ),
                    None => format!("the rejected rows could not be written: {why}"),
                });
                report.rejects_path = kept;
            }
        }
    }
}

/// A rejects file could not be created where it should go.
fn rejects_in_the_way(path: &Path, cause: Error) -> Error {
    if crate::file::occupied(path) {
        Error::new(
            Kind::Input,
            "a file is already at the rejects path (from an earlier import?); memoire never \
             overwrites it: move it away, choose another place with --rejects PATH, or \
             replace it with --force; nothing was imported",
        )
        .at(path)
    } else {
        Error::new(
            Kind::Io,
            "cannot write the rejects file (choose another place with --rejects PATH)",
        )
        .at(path)
        .caused_by(cause)
    }
}

/// What one row did to the store.
enum RowOutcome {
    Added,
    Alternative,
    Updated,
    Duplicate,
}

/// Stores one good row with its origin: the outer `Result` is a store
/// failure (fatal), the inner one a reason to reject just this row.
type AddRow<'a> = dyn FnMut(&PairRow, &str) -> Result<std::result::Result<RowOutcome, String>> + 'a;

/// Where rejected rows go: `--rejects` or beside the input, but never the
/// input itself nor the memory's own files (compared as files: a hard link
/// or a symlink to them is them). An existing file there is refused when
/// the first row is rejected, unless `--force` was given.
fn rejects_path(store: &Store, path: &Path, options: &ImportOptions) -> Result<PathBuf> {
    let rejects = options
        .rejects
        .clone()
        .unwrap_or_else(|| default_rejects_path(path));
    if same_file(&rejects, path) || store.is_own_file(&rejects) {
        return Err(Error::new(
            Kind::Input,
            "the rejects file would overwrite the input or the memory; choose another --rejects PATH",
        )
        .at(&rejects));
    }
    Ok(rejects)
}

/// Commit the import, then put its rejects file in place. A Ctrl-C that
/// came during the commit did not stop it: the report says so.
fn commit(
    report: &mut ImportReport,
    rejects: Option<PendingRejects>,
    committed: Result<()>,
) -> Result<()> {
    committed?;
    if let Some(rejects) = rejects {
        rejects.place(report);
    }
    if crate::interrupt::requested() {
        report.warnings.push(
            "Ctrl-C came while the import was being committed: it was complete, and is kept"
                .to_string(),
        );
    }
    Ok(())
}

/// Open `path` in its format (see [`Format`]).
fn open_source(path: &Path, options: &ImportOptions) -> Result<Box<dyn RowSource>> {
    let (source, target) = (&options.source_lang, &options.target_lang);
    let limits = Limits::for_segments(options.max_segment);
    Ok(match options.format.unwrap_or_else(|| Format::of(path)) {
        Format::Csv => Box::new(PairReader::open(
            path,
            &options.csv,
            source,
            target,
            limits,
        )?),
        Format::Tmx => Box::new(TmxReader::open(path, source, target, limits)?),
        Format::Tbx => Box::new(TbxReader::open(path, source, target, limits)?),
        Format::Xliff => Box::new(XliffReader::open(path, source, target, limits)?),
        Format::ReviewDocx => Box::new(crate::format::review::ReviewReader::open(
            path, source, target,
        )?),
        Format::Aligned => {
            return Err(Error::new(
                Kind::Input,
                "an aligned import needs the original too (--aligned ORIGINAL)",
            ));
        }
    })
}

/// Read `source` and hand each good row to `add`, which may still refuse it
/// (its `Err(reason)` rejects the row like a bad row). Rejects are written
/// before this returns; the caller commits its batch afterwards.
fn import_rows(
    source: &mut dyn RowSource,
    path: &Path,
    options: &ImportOptions,
    rejects_path: PathBuf,
    progress: &mut dyn FnMut(Progress),
    add: &mut AddRow<'_>,
) -> Result<(ImportReport, Option<PendingRejects>)> {
    let total = std::fs::metadata(path)
        .map_err(|e| Error::io("cannot open", path, e))?
        .len();
    let mut report = ImportReport {
        path: path.to_path_buf(),
        ..ImportReport::default()
    };
    let mut rejects = Rejects {
        path: rejects_path,
        replace: options.replace_rejects,
        out: None,
        frame: source.rejects_frame(),
    };
    let result = read_all(
        source,
        path,
        options,
        &mut rejects,
        &mut report,
        total,
        progress,
        add,
    );
    // On an error the import keeps nothing: the unfinished rejects file is
    // dropped with it (it was never in place).
    result?;
    report.described = source.describe();
    // The rejects are on disk before the import commits: nothing is lost.
    let pending = rejects.finish()?;
    progress(Progress {
        bytes: total,
        total,
        rows: report.rows_read,
    });
    Ok((report, pending))
}

/// The reading loop of [`import_rows`].
#[allow(clippy::too_many_arguments)]
fn read_all(
    source: &mut dyn RowSource,
    path: &Path,
    options: &ImportOptions,
    rejects: &mut Rejects,
    report: &mut ImportReport,
    total: u64,
    progress: &mut dyn FnMut(Progress),
    add: &mut AddRow<'_>,
) -> Result<()> {
    let file_origin = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    while let Some(row) = source.next_row()? {
        if crate::interrupt::requested() {
            return Err(Error::new(
                Kind::Interrupted,
                "interrupted: nothing imported",
            ));
        }
        report.rows_read += 1;
        let outcome = match row {
            Ok(pair) => {
                report.windows_1252_rows += u64::from(pair.windows_1252);
                let origin = options
                    .origin
                    .as_deref()
                    .or(pair.origin.as_deref())
                    .unwrap_or(&file_origin);
                match format::check_row(&pair, options.max_segment) {
                    Ok(()) => add(&pair, origin)?,
                    Err(reason) => Err(reason),
                }
                .map_err(|reason| (pair.line, reason, pair.raw))
            }
            Err(bad) => Err((bad.line, bad.reason, bad.raw)),
        };
        match outcome {
            Ok(RowOutcome::Added) => report.added += 1,
            Ok(RowOutcome::Alternative) => report.alternatives += 1,
            Ok(RowOutcome::Updated) => report.updated += 1,
            Ok(RowOutcome::Duplicate) => report.duplicates += 1,
            Err((line, reason, _)) if options.strict => {
                return Err(Error::new(
                    Kind::Rejected,
                    format!("{reason}; nothing was imported (--strict)"),
                )
                .at_line(path, line));
            }
            Err((line, reason, raw)) => {
                rejects.write(&source.reencode(&raw))?;
                report.rejected.push(Rejected { line, reason });
            }
        }
        if report.rows_read.is_multiple_of(8192) {
            progress(Progress {
                bytes: source.bytes_read().min(total),
                total,
                rows: report.rows_read,
            });
        }
    }
    Ok(())
}

/// Import segment pairs from a CSV/TSV or TMX file. `progress` is called
/// now and then. Glossary columns (domain, note, status) of a CSV are not
/// stored; the report lists them as ignored. A TMX unit's dates, usage
/// count, notes and props are kept.
pub fn import_csv(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let source = open_memory_file(path, options)?;
    import_pairs(store, source, options, progress)
}

/// A file opened for import, its format and layout read (and its text
/// checked): opened before the memory, so that a file that cannot be
/// imported never leaves a new, empty memory behind.
pub struct ImportFile {
    path: PathBuf,
    format: Format,
    reader: Box<dyn RowSource>,
}

/// Open a file of translation pairs (CSV/TSV, TMX, XLIFF) for
/// [`import_pairs`].
pub fn open_memory_file(path: &Path, options: &ImportOptions) -> Result<ImportFile> {
    let format = options.format.unwrap_or_else(|| Format::of(path));
    if format == Format::Tbx {
        return Err(Error::new(
            Kind::Input,
            "a TBX file holds glossary terms: import it with `memoire term import`",
        )
        .at(path));
    }
    Ok(ImportFile {
        path: path.to_path_buf(),
        format,
        reader: open_source(path, options)?,
    })
}

/// Open a file of glossary terms (CSV/TSV, TBX) for [`import_term_pairs`].
pub fn open_glossary_file(path: &Path, options: &ImportOptions) -> Result<ImportFile> {
    let format = options.format.unwrap_or_else(|| Format::of(path));
    if matches!(format, Format::Tmx | Format::Xliff) {
        return Err(Error::new(
            Kind::Input,
            "a TMX or XLIFF file holds translations: import it with `memoire import`",
        )
        .at(path));
    }
    Ok(ImportFile {
        path: path.to_path_buf(),
        format,
        reader: open_source(path, options)?,
    })
}

/// Open a translated document and its original (the same format, the same
/// paragraphs) for [`import_pairs`]: sentences aligned by length, pairs of
/// low confidence rejected.
pub fn open_aligned_files(
    original: &Path,
    translated: &Path,
    options: &ImportOptions,
) -> Result<ImportFile> {
    if same_file(original, translated) {
        return Err(Error::new(
            Kind::Input,
            "the original and the translation are the same file",
        )
        .at(translated));
    }
    Ok(ImportFile {
        path: translated.to_path_buf(),
        format: Format::Aligned,
        reader: Box::new(crate::align::AlignedSource::open(
            original,
            translated,
            &options.source_lang,
            &options.target_lang,
        )?),
    })
}

/// Import the pairs of an opened file (see [`import_csv`]).
pub fn import_pairs(
    store: &mut Store,
    file: ImportFile,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let ImportFile {
        path,
        format,
        reader: mut source,
    } = file;
    let path = path.as_path();
    let rejects = rejects_path(store, path, options)?;
    // A reviewed draft (XLIFF, or the bilingual CSV memoire writes) updates
    // its own earlier translations instead of adding alternatives.
    let reviewed = format == Format::Xliff || source.is_reviewed_draft();
    let mut batch = store.begin_import()?;
    let mut context_learnt = 0;
    let (mut report, pending) = import_rows(
        source.as_mut(),
        path,
        options,
        rejects,
        progress,
        &mut |pair, origin| {
            let added = batch.add(&NewPair {
                source_lang: &options.source_lang,
                target_lang: &options.target_lang,
                source: &pair.source,
                target: &pair.target,
                origin,
                note: pair.note.as_deref(),
                created_at: pair.created_at.as_deref(),
                changed_at: pair.changed_at.as_deref(),
                usage_count: pair.usage_count,
                prev_source: pair.prev_source.as_deref(),
                next_source: pair.next_source.as_deref(),
                source_codes: &pair.source_codes,
                target_codes: &pair.target_codes,
                created_by: pair.created_by.as_deref().or(options.user.as_deref()),
                changed_by: pair.changed_by.as_deref().or(options.user.as_deref()),
                replace_same_origin: reviewed,
            })?;
            Ok(Ok(match added {
                Added::New => RowOutcome::Added,
                Added::Alternative => RowOutcome::Alternative,
                Added::Duplicate => RowOutcome::Duplicate,
                Added::ContextLearnt => {
                    context_learnt += 1;
                    RowOutcome::Duplicate
                }
                Added::Updated => RowOutcome::Updated,
            }))
        },
    )?;
    commit(&mut report, pending, batch.commit())?;
    report.context_learnt = context_learnt;
    report.aligned = source.aligned();
    store.checkpoint();
    report.ignored_columns = source.ignored_columns(false);
    Ok(report)
}

/// Import glossary term pairs from a CSV/TSV or TBX file: source and
/// target, plus optional `domain`, `note` and `status` (preferred,
/// admitted, forbidden). The same pair again updates its domain, note and
/// status.
pub fn import_terms(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let file = open_glossary_file(path, options)?;
    import_term_pairs(store, file, options, progress)
}

/// Import the term pairs of an opened file (see [`import_terms`]).
pub fn import_term_pairs(
    store: &mut Store,
    file: ImportFile,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let ImportFile {
        path,
        reader: mut source,
        ..
    } = file;
    let path = path.as_path();
    let rejects = rejects_path(store, path, options)?;
    let mut batch = store.begin_terms()?;
    let (mut report, pending) = import_rows(
        source.as_mut(),
        path,
        options,
        rejects,
        progress,
        &mut |pair, origin| {
            // A column the file does not have (or an empty cell) keeps
            // what a stored pair has.
            let status = match pair.status.as_deref().map(str::parse).transpose() {
                Ok(status) => status,
                Err(why) => return Ok(Err(why)),
            };
            let checked = match pair.checked.as_deref().map(str::trim) {
                None => None,
                Some(date) => match checked_date(date) {
                    Some(date) => Some(date),
                    None => {
                        return Ok(Err(format!(
                            "checked {date:?}: write the month the entry was checked as \
                             YYYY-MM (or a day: YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY)"
                        )));
                    }
                },
            };
            // Parts of speech in memoire's words; an unknown one is refused.
            let pos = match pair.pos.as_deref().map(|pos| (pos, Pos::parse(pos))) {
                None => None,
                Some((_, Some(known))) => Some(known.name()),
                Some((pos, None)) => {
                    return Ok(Err(format!(
                        "part of speech {:?}: use noun, verb, adj, name or phrase",
                        pos.trim()
                    )));
                }
            };
            for (field, text) in [("source", &pair.source), ("target", &pair.target)] {
                if let Err(why) = crate::glossary::check_term_text(field, text) {
                    return Ok(Err(why));
                }
            }
            let added = batch.add(&NewTerm {
                source_lang: &options.source_lang,
                target_lang: &options.target_lang,
                source: pair.source.trim(),
                target: pair.target.trim(),
                domain: pair.domain.as_deref().map(str::trim),
                note: pair.note.as_deref().map(str::trim),
                status,
                origin,
                pos,
                checked: checked.as_deref(),
            })?;
            Ok(Ok(match added {
                TermAdded::New => RowOutcome::Added,
                TermAdded::Updated => RowOutcome::Updated,
                TermAdded::Unchanged => RowOutcome::Duplicate,
            }))
        },
    )?;
    commit(&mut report, pending, batch.commit())?;
    report.ignored_columns = source.ignored_columns(true);
    Ok(report)
}

/// A glossary date as memoire stores it (`2025-10` or `2025-10-31`) from
/// the ways spreadsheets write one: `2025-10`, `2025-10-31`,
/// `2025-10-31T12:00:00Z`, `31/10/2025`, `31.10.2025`, `2025/10/31`.
fn checked_date(text: &str) -> Option<String> {
    let text = text.split('T').next().unwrap_or(text);
    if valid_month(text) {
        return Some(text.to_string());
    }
    let parts: Vec<&str> = text.split(['/', '.']).collect();
    let iso = match parts[..] {
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        [y, m, d] if y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => return None,
    };
    valid_month(&iso).then_some(iso)
}

/// `2025-10` or `2025-10-31`, with a real month (and day of month).
fn valid_month(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse::<u32>().ok())?
    };
    match parts[..] {
        [y, m] => number(y, 4).is_some() && number(m, 2).is_some_and(|m| (1..=12).contains(&m)),
        [y, m, d] => {
            number(y, 4).is_some()
                && number(m, 2).is_some_and(|m| (1..=12).contains(&m))
                && number(d, 2).is_some_and(|d| (1..=31).contains(&d))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_dates_are_months() {
        for good in ["2025-10", "2025-10-31", "1999-01"] {
            assert!(valid_month(good), "{good}");
        }
        for (written, stored) in [
            ("14/10/2025", "2025-10-14"),
            ("1.2.2024", "2024-02-01"),
            ("2025/10/14", "2025-10-14"),
            ("2025-10-14T08:00:00Z", "2025-10-14"),
            ("2025-10", "2025-10"),
        ] {
            assert_eq!(checked_date(written).as_deref(), Some(stored), "{written}");
        }
        for bad in ["31/02/2025x", "mars 2024", "2024-13", "14/13/2025"] {
            assert_eq!(checked_date(bad), None, "{bad}");
        }
        for bad in [
            "2024-13",
            "mars 2024",
            "2024",
            "24-10",
            "2024-1",
            "2024-10-32",
            "",
        ] {
            assert!(!valid_month(bad), "{bad}");
        }
    }

    #[test]
    fn rejects_file_sits_beside_the_input() {
        assert_eq!(
            default_rejects_path(Path::new("/tm/memoire 2024.csv")),
            Path::new("/tm/memoire 2024.rejects.csv")
        );
        assert_eq!(
            default_rejects_path(Path::new("pairs")),
            Path::new("pairs.rejects.csv")
        );
    }

    fn import_text(
        text: &str,
        options: &ImportOptions,
    ) -> (tempfile::TempDir, Store, Result<ImportReport>) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, text).unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        let report = import_csv(&mut store, &input, options, &mut |_| {});
        (dir, store, report)
    }

    #[test]
    fn counts_added_alternatives_duplicates_and_rejects() {
        let text = "fr,en\nOui.,Yes.\nOui.,Yeah.\nOui.,Yes.\nNon.,\n";
        let (dir, store, report) = import_text(text, &ImportOptions::default());
        let report = report.unwrap();
        assert_eq!(
            (
                report.rows_read,
                report.added,
                report.alternatives,
                report.duplicates
            ),
            (4, 1, 1, 1)
        );
        assert_eq!(
            report.rejected,
            [Rejected {
                line: 5,
                reason: "empty target".into()
            }]
        );
        let rejects = std::fs::read_to_string(dir.path().join("in.rejects.csv")).unwrap();
        assert_eq!(rejects, "fr,en\nNon.,\n");
        assert_eq!(store.exact("fr", "en", "Oui.").unwrap().len(), 2);
    }

    #[test]
    fn a_failed_commit_leaves_an_earlier_rejects_file_in_place() {
        // Regression: with --force, an import whose commit failed (a full
        // disk) had already replaced the earlier rejects file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.rejects.csv");
        std::fs::write(&path, "my earlier rejects").unwrap();
        let mut rejects = Rejects {
            path: path.clone(),
            replace: true,
            out: None,
            frame: (b"fr,en\n".to_vec(), Vec::new()),
        };
        rejects.write(b"Non.,\n").unwrap();
        let pending = rejects.finish().unwrap();
        let mut report = ImportReport::default();
        let failed = Err(Error::new(Kind::Io, "the disk is full"));
        assert!(commit(&mut report, pending, failed).is_err());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "my earlier rejects"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn strict_import_stops_at_the_first_bad_row_and_keeps_nothing() {
        let options = ImportOptions {
            strict: true,
            ..ImportOptions::default()
        };
        let (_dir, store, report) = import_text("fr,en\nOui.,Yes.\nNon.,\n", &options);
        let err = report.expect_err("strict import fails");
        assert_eq!(err.kind(), Kind::Rejected);
        assert!(
            err.to_string()
                .ends_with("in.csv:3: empty target; nothing was imported (--strict)")
        );
        assert!(store.exact("fr", "en", "Oui.").unwrap().is_empty());
    }

    #[test]
    fn origin_defaults_to_the_file_name_and_can_be_forced() {
        let (_dir, store, _) = import_text("fr,en\nOui.,Yes.\n", &ImportOptions::default());
        assert_eq!(store.exact("fr", "en", "Oui.").unwrap()[0].origin, "in.csv");
        let options = ImportOptions {
            origin: Some("client A".into()),
            ..ImportOptions::default()
        };
        let (_dir, store, _) = import_text("fr,en\nOui.,Yes.\n", &options);
        assert_eq!(
            store.exact("fr", "en", "Oui.").unwrap()[0].origin,
            "client A"
        );
    }
}
