//! Bring a file of aligned pairs into the store.
//!
//! Two layers of results: the outer [`Result`] is the file (it cannot be
//! opened, it is not CSV, the database is locked…), and each row has its own
//! result, so one bad row does not abort a million good ones. Bad rows are
//! listed in the [`ImportReport`] with their line and reason and copied
//! unchanged (same bytes, same encoding, after the file's header) to a
//! rejects file, written before the import commits, so that nothing is
//! lost. The rejects file may not be the input or the memory. The whole import is one transaction: until it commits,
//! the store is exactly as it was, whatever happens to the process.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Kind, Result};
use crate::format::csv::{CsvOptions, Layout, PairReader, PairRow};
use crate::store::{Added, NewPair, NewTerm, Store, TermAdded, TermStatus, same_file};

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
    pub csv: CsvOptions,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            source_lang: "fr".to_string(),
            target_lang: "en".to_string(),
            origin: None,
            strict: false,
            rejects: None,
            csv: CsvOptions::default(),
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
    pub encoding: &'static str,
    /// Some cells were UTF-8 and others Windows-1252.
    pub mixed_encoding: bool,
    /// Rows with a cell read as Windows-1252 in a mixed file.
    pub windows_1252_rows: u64,
    pub delimiter: u8,
    pub header: Option<Vec<String>>,
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
    let ext = path
        .extension()
        .map_or_else(|| "csv".into(), |e| e.to_string_lossy());
    path.with_file_name(format!("{stem}.rejects.{ext}"))
}

/// The rejects file, created at the first rejected row: the input's
/// byte-order mark and header, then each rejected row as it was read, in
/// the input's encoding.
struct Rejects {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    layout: Layout,
}

impl Rejects {
    fn write(&mut self, raw: &[u8]) -> Result<()> {
        let path = &self.path;
        let fail = |e| {
            Error::io(
                "cannot write the rejects file (choose another place with --rejects PATH)",
                path,
                e,
            )
        };
        if self.out.is_none() {
            let mut out = BufWriter::new(File::create(path).map_err(fail)?);
            if self.layout.had_bom {
                out.write_all(self.layout.encoding.bom()).map_err(fail)?;
            }
            out.write_all(&self.layout.encoding.reencode(&self.layout.header_raw))
                .map_err(fail)?;
            self.out = Some(out);
        }
        if let Some(out) = &mut self.out {
            out.write_all(&self.layout.encoding.reencode(raw))
                .map_err(fail)?;
        }
        Ok(())
    }

    /// Flush; the path, if anything was written.
    fn finish(self) -> Result<Option<PathBuf>> {
        match self.out {
            None => Ok(None),
            Some(mut out) => {
                out.flush()
                    .map_err(|e| Error::io("cannot write the rejects file", &self.path, e))?;
                Ok(Some(self.path))
            }
        }
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
/// input itself nor the memory's own files.
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

/// Read `path` and hand each good row to `add`, which may still refuse it
/// (its `Err(reason)` rejects the row like a bad row). Rejects are written
/// before this returns; the caller commits its batch afterwards.
/// `glossary` says whether the domain, note and status columns are used.
fn import_rows(
    path: &Path,
    options: &ImportOptions,
    rejects_path: PathBuf,
    glossary: bool,
    progress: &mut dyn FnMut(Progress),
    add: &mut AddRow<'_>,
) -> Result<ImportReport> {
    let total = std::fs::metadata(path)
        .map_err(|e| Error::io("cannot open", path, e))?
        .len();
    let mut reader = PairReader::open(
        path,
        &options.csv,
        &options.source_lang,
        &options.target_lang,
    )?;
    let layout = reader.layout().clone();
    let file_origin = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut ignored_columns = layout.ignored.clone();
    if !glossary {
        let named = [layout.domain, layout.note, layout.status];
        ignored_columns.extend(
            named
                .into_iter()
                .flatten()
                .filter_map(|i| layout.header.as_ref().and_then(|h| h.get(i)).cloned()),
        );
    }
    let mut report = ImportReport {
        path: path.to_path_buf(),
        encoding: layout.encoding.name(),
        mixed_encoding: layout.mixed,
        delimiter: layout.delimiter,
        header: layout.header.clone(),
        ignored_columns,
        ..ImportReport::default()
    };
    let mut rejects = Rejects {
        path: rejects_path,
        out: None,
        layout,
    };
    while let Some(row) = reader.next_row()? {
        report.rows_read += 1;
        let outcome = match row {
            Ok(pair) => {
                report.windows_1252_rows += u64::from(pair.windows_1252);
                let origin = options
                    .origin
                    .as_deref()
                    .or(pair.origin.as_deref())
                    .unwrap_or(&file_origin);
                add(&pair, origin)?.map_err(|reason| (pair.line, reason, pair.raw))
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
                rejects.write(&raw)?;
                report.rejected.push(Rejected { line, reason });
            }
        }
        if report.rows_read.is_multiple_of(8192) {
            progress(Progress {
                bytes: reader.bytes_read().min(total),
                total,
                rows: report.rows_read,
            });
        }
    }
    // The rejects are on disk before the import commits: nothing is lost.
    report.rejects_path = rejects.finish()?;
    progress(Progress {
        bytes: total,
        total,
        rows: report.rows_read,
    });
    Ok(report)
}

/// Import an aligned CSV/TSV file of segment pairs. `progress` is called
/// now and then. Glossary columns (domain, note, status) are not stored;
/// the report lists them as ignored.
pub fn import_csv(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let rejects = rejects_path(store, path, options)?;
    let mut batch = store.begin_import()?;
    let report = import_rows(
        path,
        options,
        rejects,
        false,
        progress,
        &mut |pair, origin| {
            let added = batch.add(&NewPair {
                source_lang: &options.source_lang,
                target_lang: &options.target_lang,
                source: &pair.source,
                target: &pair.target,
                origin,
            })?;
            Ok(Ok(match added {
                Added::New => RowOutcome::Added,
                Added::Alternative => RowOutcome::Alternative,
                Added::Duplicate => RowOutcome::Duplicate,
            }))
        },
    )?;
    batch.commit()?;
    store.checkpoint();
    Ok(report)
}

/// Import glossary term pairs from a CSV/TSV file: source and target
/// columns as for a memory, plus optional `domain`, `note` and `status`
/// (preferred, admitted, forbidden) columns. The same pair again updates
/// its domain, note and status.
pub fn import_terms(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let rejects = rejects_path(store, path, options)?;
    let mut batch = store.begin_terms()?;
    let report = import_rows(
        path,
        options,
        rejects,
        true,
        progress,
        &mut |pair, origin| {
            let status = match pair
                .status
                .as_deref()
                .map_or(Ok(TermStatus::Preferred), str::parse)
            {
                Ok(status) => status,
                Err(why) => return Ok(Err(why)),
            };
            let added = batch.add(&NewTerm {
                source_lang: &options.source_lang,
                target_lang: &options.target_lang,
                source: pair.source.trim(),
                target: pair.target.trim(),
                domain: pair.domain.as_deref().map(str::trim),
                note: pair.note.as_deref().map(str::trim),
                status,
                origin,
            })?;
            Ok(Ok(match added {
                TermAdded::New => RowOutcome::Added,
                TermAdded::Updated => RowOutcome::Updated,
                TermAdded::Unchanged => RowOutcome::Duplicate,
            }))
        },
    )?;
    batch.commit()?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

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
