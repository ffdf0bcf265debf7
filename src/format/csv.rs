//! Aligned CSV as translators really have it, and CSV/TSV export.
//!
//! ## Reading
//! [`PairReader::open`] looks at the file before reading it:
//!
//! * **Text.** Spreadsheets, archives, PDFs, programs, JSON and files with
//!   NUL bytes are refused with a message saying what the file is.
//! * **Encoding.** See [`super::encoding`]: byte-order mark, UTF-16 zero
//!   bytes, else one scan for UTF-8 / Windows-1252 / mixed.
//! * **Delimiter.** Excel's `sep=;` first line decides; otherwise comma,
//!   semicolon and tab are each tried on the first 1 MiB; the one that
//!   splits the rows into the same number of fields (two or more) wins; ties
//!   go to a recognised header, then to exactly two columns, then tab,
//!   semicolon, comma. `--delimiter` forces a choice.
//! * **Header.** The first non-blank row is a header when a cell names a
//!   role or a language: `source`/`target` (and `src`, `tgt`,
//!   `translation`, `traduction`, `texte source`, `cible`, `langue
//!   source`…), a language code (`fr`, `fr-CH`, `en_GB`, `fra`), a
//!   language name (`French`, `français (France)`…) or `origin`. With a
//!   header, the source column is the first one naming the source role or
//!   language, likewise the target; without one, columns 1 and 2.
//!   `--source-col`/`--target-col` take a header name or a 1-based index.
//! * **Extra columns.** A column named `origin` gives each row's origin
//!   label; every other column is ignored (the import summary lists them).
//!
//! Each data row comes back as its own `Result`: a row with a missing
//! column, more cells than the header (an unquoted delimiter), a quote that
//! is closed and then goes on (or never closes), an empty source or target,
//! undecodable bytes or control characters is a [`BadRow`] carrying its
//! line and its raw bytes, so the caller can copy it unchanged to a rejects
//! file. Only I/O failures end the reading. Rows whose cells are all empty
//! (spreadsheet filler) are skipped.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::str::FromStr;

use csv::ByteRecord;

use super::encoding::{self, Decoded, Detected, TextEncoding};
use super::xml::Limits;
use super::{BadRow, PairRow, RowSource};
use crate::error::{Error, Kind, Result};
use crate::text;

/// How much of the file is looked at to detect delimiter and header.
const SNIFF_BYTES: usize = 1 << 20;

/// Whether the first row is a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderMode {
    #[default]
    Auto,
    Yes,
    No,
}

/// A column chosen by the user: a header name or a 0-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Index(usize),
    Name(String),
}

impl FromStr for Column {
    type Err = String;
    /// `"2"` is the second column; anything else is a header name.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().parse::<usize>() {
            Ok(0) => Err("columns are counted from 1".to_string()),
            Ok(n) => Ok(Column::Index(n - 1)),
            Err(_) if s.trim().is_empty() => Err("empty column name".to_string()),
            Err(_) => Ok(Column::Name(s.trim().to_string())),
        }
    }
}

/// What the user forced; everything left `None` is detected.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    pub delimiter: Option<u8>,
    pub encoding: Option<TextEncoding>,
    pub header: HeaderMode,
    pub source_col: Option<Column>,
    pub target_col: Option<Column>,
}

/// What was detected (or forced) about a file.
#[derive(Debug, Clone)]
pub struct Layout {
    pub encoding: TextEncoding,
    pub had_bom: bool,
    /// UTF-8 with some cells in Windows-1252.
    pub mixed: bool,
    pub delimiter: u8,
    /// The header cells, when the file has a header row.
    pub header: Option<Vec<String>>,
    /// The header row (or Excel's `sep=` line and the header) as read,
    /// for the top of a rejects file.
    pub header_raw: Vec<u8>,
    /// 0-based column indexes.
    pub source: usize,
    pub target: usize,
    pub origin: Option<usize>,
    /// Glossary columns: domain, note and status (preferred, admitted,
    /// forbidden); a memory import does not store them.
    pub domain: Option<usize>,
    pub note: Option<usize>,
    pub status: Option<usize>,
    /// Glossary columns: part of speech and the date last checked.
    pub pos: Option<usize>,
    pub checked: Option<usize>,
    /// Names (or `column N`) of the columns that are not imported.
    pub ignored: Vec<String>,
    /// Cells a row should have (the header's count, else the usual one).
    pub width: usize,
}

/// Streams the rows of an aligned CSV file.
pub struct PairReader {
    /// A table written by `memoire pretranslate` (columns id, paragraph,
    /// score…): a reviewed draft.
    draft: bool,
    /// Draft rows read, and those not learnt (no confirmed status).
    draft_rows: u64,
    draft_skipped: u64,
    /// Data rows read that ended with a line break.
    terminated_rows: u64,
    previous_source: Option<String>,
    path: PathBuf,
    reader: csv::Reader<Tap<Box<dyn Read>>>,
    watched: Rc<RefCell<Watched>>,
    layout: Layout,
    detected: Detected,
    record: ByteRecord,
}

impl PairReader {
    /// Open `path`, detect its layout, and position after the header.
    /// `source_lang`/`target_lang` help recognise header names.
    pub fn open(
        path: &Path,
        options: &CsvOptions,
        source_lang: &str,
        target_lang: &str,
        limits: Limits,
    ) -> Result<PairReader> {
        let detected = encoding::detect(path, options.encoding)?;
        let mut stream = encoding::decoded_stream(path, detected)?;
        let mut sample = Vec::with_capacity(1 << 16);
        (&mut stream)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut sample)
            .map_err(|e| Error::io("cannot read", path, e))?;
        check_text(&sample).map_err(|why| Error::new(Kind::Input, why).at(path))?;
        let truncated = sample.len() == SNIFF_BYTES;
        let langs = (source_lang, target_lang);

        let excel_sep = excel_separator(&sample);
        let body = &sample[excel_sep.map_or(0, |(_, len)| len)..];
        let delimiter = options
            .delimiter
            .or(excel_sep.and_then(|(d, _)| d))
            .unwrap_or_else(|| detect_delimiter(body, truncated, detected, langs));
        let first = first_record(body, delimiter, detected);
        let has_header = match options.header {
            HeaderMode::Yes => true,
            HeaderMode::No => false,
            HeaderMode::Auto => {
                let named = |c: &Option<Column>| matches!(c, Some(Column::Name(_)));
                named(&options.source_col)
                    || named(&options.target_col)
                    || looks_like_header(&first, langs)
            }
        };
        let header = has_header.then_some(first);
        let columns = choose_columns(
            header.as_deref(),
            options,
            langs,
            usual_width(body, delimiter),
        )
        .map_err(|msg| Error::new(Kind::Input, msg).at(path))?;

        let watched = Rc::new(RefCell::new(Watched {
            max_window: limits.max_event + (1 << 16),
            ..Watched::default()
        }));
        let tap = Tap {
            inner: Box::new(Cursor::new(sample).chain(stream)) as Box<dyn Read>,
            watched: Rc::clone(&watched),
            at: 0,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(tap);
        let mut record = ByteRecord::new();
        // Excel's `sep=` line, blank rows and the header stay out of the data.
        let mut header_raw = Vec::new();
        if excel_sep.is_some() {
            header_raw.extend(
                read_raw(&mut reader, &watched, &mut record, path)?
                    .unwrap_or_default()
                    .0,
            );
        }
        if header.is_some() {
            while let Some((raw, blank)) = read_raw(&mut reader, &watched, &mut record, path)? {
                header_raw.extend(raw);
                if !blank {
                    break;
                }
            }
        }
        // The header's line break counts among the rows that had one.
        let header_terminated = matches!(header_raw.last(), Some(b'\n' | b'\r'));
        let layout = Layout {
            encoding: detected.encoding,
            had_bom: detected.had_bom,
            mixed: detected.mixed,
            delimiter,
            header,
            header_raw,
            source: columns.source,
            target: columns.target,
            origin: columns.origin,
            domain: columns.domain,
            note: columns.note,
            status: columns.status,
            pos: columns.pos,
            checked: columns.checked,
            ignored: columns.ignored,
            width: columns.width,
        };
        let draft = layout.header.as_ref().is_some_and(|cells| {
            ["id", "paragraph", "score"]
                .iter()
                .all(|name| cells.iter().any(|c| c.eq_ignore_ascii_case(name)))
        });
        if draft && layout.status.is_none() {
            return Err(Error::new(
                Kind::Input,
                "this is a memoire draft (columns id, paragraph, score) without its status \
                 column: memoire learns only the rows a reviewer marked translated; put the \
                 status column back",
            )
            .at(path));
        }
        Ok(PairReader {
            draft,
            draft_rows: 0,
            draft_skipped: 0,
            terminated_rows: u64::from(header_terminated),
            previous_source: None,
            path: path.to_path_buf(),
            reader,
            watched,
            layout,
            detected,
            record,
        })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Bytes of the (decoded) file read so far, for progress reports.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The next data row, good or bad; `Ok(None)` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>> {
        loop {
            let before = self.reader.position().byte();
            let more = self.reader.read_byte_record(&mut self.record);
            let (line, start) = self.watched.borrow_mut().locate(before);
            if self.watched.borrow().overflow {
                let mib = self.watched.borrow().max_window >> 20;
                return Err(Error::new(
                    Kind::Input,
                    format!(
                        "a row of more than {mib} MiB starts here (a quote that never closes? \
                         the limit is 32 times --max-segment-size); nothing was imported"
                    ),
                )
                .at_line(&self.path, line));
            }
            if !more.map_err(|e| csv_error(&self.path, Some(line), e))? {
                return Ok(None);
            }
            let end = self.reader.position().byte();
            let (raw, terminated) = self.watched.borrow_mut().take(start, end);
            if self
                .record
                .iter()
                .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            let mut row = self.pair(line, raw);
            // A last row without the line break every row before it had:
            // the file was probably cut in the middle of it.
            if !terminated && self.terminated_rows >= 2 {
                row = row.and_then(|pair| {
                    Err(BadRow {
                        line,
                        reason: "the file ends in this row without the line break every row \
                                 before it has: it may be cut short; check the row"
                            .to_string(),
                        raw: pair.raw,
                    })
                });
            }
            self.terminated_rows += u64::from(terminated);
            if self.draft {
                // A pre-translation table: sentences still untranslated or
                // unchecked (status new, fuzzy, empty, unknown) are skipped,
                // not rejected; each one is the next one's context.
                let source = self.cell_text(self.layout.source);
                let previous = std::mem::replace(&mut self.previous_source, source);
                self.draft_rows += 1;
                let learnt = match &row {
                    Ok(pair) => pair.status.as_deref().is_some_and(confirmed_status),
                    Err(bad) => bad.reason != "empty target",
                };
                if !learnt {
                    self.draft_skipped += 1;
                    continue;
                }
                return Ok(Some(row.map(|pair| PairRow {
                    prev_source: previous.map(|p| formula_unguard(&p).to_string()),
                    status: None,
                    ..pair
                })));
            }
            return Ok(Some(row));
        }
    }

    /// The text of a cell of the current record, if it decodes.
    fn cell_text(&self, index: usize) -> Option<String> {
        let bytes = self.record.get(index)?;
        encoding::decode(bytes, self.detected)
            .ok()
            .map(|(text, _)| text)
    }

    fn pair(&self, line: u64, raw: Vec<u8>) -> std::result::Result<PairRow, BadRow> {
        let reason = match self.check_row(&raw) {
            Ok(row) => return Ok(PairRow { line, raw, ..row }),
            Err(reason) => reason,
        };
        let lines = raw.iter().filter(|&&b| b == b'\n').count() as u64;
        let reason = if lines > 1 {
            format!(
                "{reason} (the row runs over lines {line}–{})",
                line + lines - 1
            )
        } else {
            reason
        };
        Err(BadRow { line, reason, raw })
    }

    /// The row's pair, or why it cannot be imported.
    fn check_row(&self, raw: &[u8]) -> std::result::Result<PairRow, String> {
        check_quotes(raw, self.layout.delimiter)?;
        let extra = self.record.iter().skip(self.layout.width);
        if extra
            .clone()
            .any(|c| !c.iter().all(u8::is_ascii_whitespace))
        {
            return Err(format!(
                "{} cells where {} are expected: a {} inside a text without quotes?",
                self.layout.width + extra.count(),
                self.layout.width,
                delimiter_name(self.layout.delimiter)
            ));
        }
        let mut windows_1252 = false;
        let mut cell = |index: usize, role: &str| -> std::result::Result<String, String> {
            let bytes = self.record.get(index).ok_or_else(|| {
                format!(
                    "no {role} column (column {} expected, the row has {})",
                    index + 1,
                    self.record.len()
                )
            })?;
            let (text, how) =
                encoding::decode(bytes, self.detected).map_err(|why| format!("{role}: {why}"))?;
            windows_1252 |= how == Decoded::Windows1252Fallback;
            Ok(match formula_unguard(&text) {
                unguarded if unguarded.len() < text.len() => unguarded.to_string(),
                _ => text,
            })
        };
        let source = cell(self.layout.source, "source")?;
        let target = cell(self.layout.target, "target")?;
        let mut optional = |index: Option<usize>, role: &str| match index {
            Some(index) => {
                cell(index, role).map(|text| Some(text).filter(|t| !t.trim().is_empty()))
            }
            None => Ok(None),
        };
        let origin = optional(self.layout.origin, "origin")?;
        let domain = optional(self.layout.domain, "domain")?;
        let note = optional(self.layout.note, "note")?;
        let status = optional(self.layout.status, "status")?;
        let pos = optional(self.layout.pos, "pos")?;
        let checked = optional(self.layout.checked, "checked")?;
        if source.trim().is_empty() {
            return Err("empty source".to_string());
        }
        if target.trim().is_empty() {
            return Err("empty target".to_string());
        }
        Ok(PairRow {
            line: 0,
            source,
            target,
            origin,
            domain,
            note,
            status,
            pos,
            checked,
            windows_1252,
            raw: Vec::new(),
            ..PairRow::default()
        })
    }
}

impl RowSource for PairReader {
    fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>> {
        PairReader::next_row(self)
    }

    fn bytes_read(&self) -> u64 {
        PairReader::bytes_read(self)
    }

    fn describe(&self) -> String {
        let layout = &self.layout;
        let header = match &layout.header {
            Some(cells) => format!("header {}", cells.join(", ")),
            None => "no header (columns 1 and 2 imported)".to_string(),
        };
        let encoding = if layout.mixed {
            "UTF-8 with some rows in Windows-1252 (each cell read in its own encoding)".to_string()
        } else {
            layout.encoding.name().to_string()
        };
        let draft = if self.draft {
            format!(
                "; a reviewed draft: {} rows, {} without a confirmed status skipped (learnt: {})",
                self.draft_rows,
                self.draft_skipped,
                CONFIRMED_STATUSES.join(", ")
            )
        } else {
            String::new()
        };
        format!(
            "{encoding}, {}-separated, {header}{draft}",
            delimiter_name(layout.delimiter)
        )
    }

    fn rejects_frame(&self) -> (Vec<u8>, Vec<u8>) {
        let layout = &self.layout;
        let mut prelude = Vec::new();
        if layout.had_bom {
            prelude.extend(layout.encoding.bom());
        }
        prelude.extend(layout.encoding.reencode(&layout.header_raw));
        (prelude, Vec::new())
    }

    fn reencode(&self, raw: &[u8]) -> Vec<u8> {
        self.layout.encoding.reencode(raw)
    }

    fn is_reviewed_draft(&self) -> bool {
        self.draft
    }

    fn ignored_columns(&self, glossary: bool) -> Vec<String> {
        let layout = &self.layout;
        let mut ignored = layout.ignored.clone();
        if !glossary {
            // A reviewed draft's status decides what is learnt: it is used.
            let status = layout.status.filter(|_| !self.draft);
            let named = [
                layout.domain,
                layout.note,
                status,
                layout.pos,
                layout.checked,
            ];
            ignored.extend(
                named
                    .into_iter()
                    .flatten()
                    .filter_map(|i| layout.header.as_ref().and_then(|h| h.get(i)).cloned()),
            );
        }
        ignored
    }
}

/// The statuses of a reviewed draft's rows that are learnt (any case):
/// memoire's own `translated`, and what reviewers type for a checked row.
pub const CONFIRMED_STATUSES: [&str; 9] = [
    "translated",
    "reviewed",
    "final",
    "ok",
    "approved",
    "confirmed",
    "validated",
    "done",
    "signed-off",
];

fn confirmed_status(status: &str) -> bool {
    let status = status.trim().to_lowercase();
    CONFIRMED_STATUSES.contains(&status.as_str())
}

/// Read one record and return its raw bytes and whether it is blank.
fn read_raw(
    reader: &mut csv::Reader<Tap<Box<dyn Read>>>,
    watched: &RefCell<Watched>,
    record: &mut ByteRecord,
    path: &Path,
) -> Result<Option<(Vec<u8>, bool)>> {
    let before = reader.position().byte();
    if !reader
        .read_byte_record(record)
        .map_err(|e| csv_error(path, None, e))?
    {
        return Ok(None);
    }
    let (_, start) = watched.borrow_mut().locate(before);
    let (raw, _) = watched.borrow_mut().take(start, reader.position().byte());
    let blank = record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace));
    Ok(Some((raw, blank)))
}

/// `comma`, `semicolon`, `tab` or the character.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "comma".to_string(),
        b';' => "semicolon".to_string(),
        b'\t' => "tab".to_string(),
        other => format!("{:?}", other as char),
    }
}

fn csv_error(path: &Path, line: Option<u64>, err: csv::Error) -> Error {
    let base = Error::new(Kind::Input, "cannot read the CSV");
    let base = match line {
        Some(line) => base.at_line(path, line),
        None => base.at(path),
    };
    base.caused_by(err)
}

/// Refuse a decoded sample that is not text a person would import.
fn check_text(sample: &[u8]) -> std::result::Result<(), String> {
    if sample.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty".to_string());
    }
    if sample.contains(&0) {
        return Err(
            "this is not a text file (it holds NUL bytes); export the memory as CSV".to_string(),
        );
    }
    let start = sample
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let head = &sample[start..];
    let after_bracket = head
        .get(1..)
        .map(|rest| rest.trim_ascii_start().first().copied());
    let json_object = head.starts_with(b"{") && after_bracket == Some(Some(b'"'));
    let json_array =
        head.starts_with(b"[") && matches!(after_bracket, Some(Some(b'{' | b'"' | b'[')));
    if json_object || json_array {
        return Err("this looks like JSON, not CSV; export the memory as CSV".to_string());
    }
    if head.starts_with(b"<?xml") || head.starts_with(b"<tmx") {
        return Err("this is an XML file, not CSV: name TMX files .tmx, XLIFF .xlf, TBX .tbx, or give --format".to_string());
    }
    Ok(())
}

/// Excel's `sep=;` first line: the delimiter it names (none for a bare
/// `sep=`: a line break or a quote cannot separate cells) and the line's
/// length.
fn excel_separator(sample: &[u8]) -> Option<(Option<u8>, usize)> {
    let rest = sample.strip_prefix(b"sep=")?;
    let line_end = |after: &[u8]| match after {
        [b'\r', b'\n', ..] => Some(2),
        [b'\n' | b'\r', ..] => Some(1),
        [] => Some(0),
        _ => None,
    };
    if let Some(end) = line_end(rest) {
        return Some((None, 4 + end));
    }
    let (&delimiter, after) = rest.split_first()?;
    if delimiter == b'"' {
        return None;
    }
    Some((Some(delimiter), 4 + 1 + line_end(after)?))
}

/// Is `raw` a row whose quoted cells are properly closed (RFC 4180)? The
/// `csv` crate is lenient: `"Il a dit oui,…\n"Fin",End` reads as one cell
/// spanning five lines. A quote in the middle of an unquoted cell is fine.
fn check_quotes(raw: &[u8], delimiter: u8) -> std::result::Result<(), String> {
    let mut i = 0;
    while i < raw.len() {
        // At the start of a cell.
        if raw[i] == b'"' {
            let opened = i;
            i += 1;
            loop {
                match raw[i..].iter().position(|&b| b == b'"') {
                    None => return Err("a quote opens a cell and is never closed".to_string()),
                    Some(k) => i += k + 1,
                }
                match raw.get(i) {
                    Some(b'"') => i += 1, // a doubled quote inside the cell
                    None | Some(b'\r' | b'\n') => break,
                    Some(&b) if b == delimiter => break,
                    Some(_) => {
                        let cell = String::from_utf8_lossy(&raw[opened..i.min(opened + 40)]);
                        return Err(format!(
                            "a quoted cell is closed and then goes on ({cell}…): a quote is missing \
                             or not doubled"
                        ));
                    }
                }
            }
        }
        // Skip to the next cell.
        match raw[i..]
            .iter()
            .position(|&b| b == delimiter || b == b'\n' || b == b'\r')
        {
            Some(k) => i += k + 1,
            None => break,
        }
    }
    Ok(())
}

/// The stream into the parser as it passes: where the line breaks are (the
/// `csv` crate's own line numbers are wrong in CRLF files, and a record's
/// position may point at the line end before it or at skipped blank lines),
/// and the bytes of the records not yet taken, for the rejects file and the
/// quote check. Memory stays bounded by the parser's read-ahead and the
/// current record.
#[derive(Debug, Default)]
struct Watched {
    /// Offsets of CR and LF bytes not yet passed, with the byte.
    breaks: VecDeque<(u64, u8)>,
    /// Line breaks passed so far (CRLF counts once).
    passed: u64,
    last_cr: Option<u64>,
    /// Bytes from `window_start` on.
    window: Vec<u8>,
    window_start: u64,
    /// The most the window may hold: one row and the parser's read-ahead.
    max_window: u64,
    /// A row ran over the limit; the stream stopped.
    overflow: bool,
}

impl Watched {
    fn pass(&mut self, offset: u64, byte: u8) {
        let crlf = byte == b'\n' && self.last_cr.is_some_and(|cr| cr + 1 == offset);
        if !crlf {
            self.passed += 1;
        }
        self.last_cr = (byte == b'\r').then_some(offset);
    }

    /// The first byte of the record the parser placed at `position`
    /// (skipping line ends left before it) and the line it starts on.
    fn locate(&mut self, position: u64) -> (u64, u64) {
        let mut start = position;
        while let Some(&(offset, byte)) = self.breaks.front() {
            if offset > start {
                break;
            }
            if offset == start {
                start += 1;
            }
            self.pass(offset, byte);
            self.breaks.pop_front();
        }
        (self.passed + 1, start)
    }

    /// The bytes `start..end` ending with a line break (the parser stops
    /// between the CR and LF of a CRLF, and the last row may have none),
    /// and whether the row had one; everything before `end` is forgotten.
    fn take(&mut self, start: u64, end: u64) -> (Vec<u8>, bool) {
        let from = (start.max(self.window_start) - self.window_start) as usize;
        let to = ((end - self.window_start) as usize).min(self.window.len());
        let mut bytes = self.window[from.min(to)..to].to_vec();
        self.window.drain(..to);
        self.window_start += to as u64;
        let terminated = matches!(bytes.last(), Some(b'\n' | b'\r'));
        if bytes.last() != Some(&b'\n') {
            bytes.push(b'\n');
        }
        (bytes, terminated)
    }
}

/// A reader that shows every byte to [`Watched`].
struct Tap<R> {
    inner: R,
    watched: Rc<RefCell<Watched>>,
    at: u64,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut watched = self.watched.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                watched.breaks.push_back((self.at + i as u64, b));
            }
        }
        watched.window.extend_from_slice(&buf[..n]);
        self.at += n as u64;
        if watched.window.len() as u64 > watched.max_window {
            // One row longer than any text memoire stores: stop before the
            // parser buffers all of it.
            watched.overflow = true;
            return Err(io::Error::new(io::ErrorKind::InvalidData, "row too long"));
        }
        Ok(n)
    }
}

/// Parse `sample` with `delimiter`; the last record is dropped when the
/// sample was cut in the middle of the file.
fn sample_records(sample: &[u8], delimiter: u8, truncated: bool) -> Vec<ByteRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(sample);
    let mut records: Vec<ByteRecord> = reader.byte_records().map_while(|r| r.ok()).collect();
    if truncated && records.len() > 1 {
        records.pop();
    }
    records
}

/// The cells of the first non-blank row, decoded and trimmed.
fn first_record(sample: &[u8], delimiter: u8, detected: Detected) -> Vec<String> {
    sample_records(sample, delimiter, false)
        .into_iter()
        .find(|record| !record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)))
        .map(|record| {
            record
                .iter()
                .map(|cell| {
                    encoding::decode(cell, detected)
                        .map(|(text, _)| text.trim().to_string())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The most common number of cells in the sampled rows.
fn usual_width(sample: &[u8], delimiter: u8) -> usize {
    let mut widths: Vec<usize> = sample_records(sample, delimiter, true)
        .iter()
        .map(ByteRecord::len)
        .collect();
    widths.sort_unstable();
    most_common(&widths).0
}

/// Pick the delimiter that splits the sampled rows most consistently.
fn detect_delimiter(sample: &[u8], truncated: bool, detected: Detected, langs: (&str, &str)) -> u8 {
    // Later in the list wins a tie.
    let candidates = [b',', b';', b'\t'];
    candidates
        .into_iter()
        .max_by_key(|&delimiter| {
            let records = sample_records(sample, delimiter, truncated);
            let mut widths: Vec<usize> = records.iter().map(ByteRecord::len).collect();
            widths.sort_unstable();
            let (mode, count) = most_common(&widths);
            let consistent = (count * 100).checked_div(widths.len()).unwrap_or(0);
            let header = looks_like_header(&first_record(sample, delimiter, detected), langs);
            (mode >= 2, consistent >= 90, header, consistent, mode == 2)
        })
        .unwrap_or(b',')
}

/// The most common value of a sorted slice and how often it occurs.
fn most_common(sorted: &[usize]) -> (usize, usize) {
    sorted
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len()))
        .max_by_key(|&(_, n)| n)
        .unwrap_or((0, 0))
}

/// What a header cell says its column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Source,
    Target,
    Origin,
    Domain,
    Note,
    Status,
    Pos,
    Checked,
    /// Names a language, neither of the ones being imported.
    OtherLanguage,
}

/// Names of a few languages: ISO 639-2 codes, and the names in English,
/// French and the language itself.
fn language_names(primary: &str) -> &'static [&'static str] {
    match primary {
        "fr" => &["fra", "fre", "french", "français", "francais"],
        "en" => &["eng", "english", "anglais"],
        "de" => &["deu", "ger", "german", "deutsch", "allemand"],
        "it" => &["ita", "italian", "italiano", "italien"],
        "es" => &["spa", "spanish", "español", "espagnol"],
        "rm" => &["roh", "romansh", "rumantsch", "romanche"],
        _ => &[],
    }
}

/// Does a header cell name `lang` (a code with or without region, or a name)?
fn names_language(cell: &str, lang: &str) -> bool {
    let primary = text::primary_language(lang);
    if language_names(primary).contains(&cell) {
        return true;
    }
    text::language_code(cell)
        .is_some_and(|code| code == lang || text::primary_language(&code) == primary)
}

/// A header cell lower-cased, without a BOM or a trailing `(France)`.
fn header_word(cell: &str) -> String {
    let cell = cell.trim().trim_start_matches('\u{FEFF}').to_lowercase();
    match cell.split_once('(') {
        Some((word, _)) if !word.trim().is_empty() => word.trim().to_string(),
        _ => cell,
    }
}

fn role(cell: &str, (source_lang, target_lang): (&str, &str)) -> Option<Role> {
    const SOURCE: &[&str] = &[
        "source",
        "src",
        "source text",
        "source_text",
        "source segment",
        "source language",
        "original",
        "texte source",
        "langue source",
        "langue de départ",
    ];
    const TARGET: &[&str] = &[
        "target",
        "tgt",
        "trg",
        "target text",
        "target_text",
        "target segment",
        "target language",
        "translation",
        "traduction",
        "texte cible",
        "cible",
        "langue cible",
        "langue d'arrivée",
    ];
    let cell = header_word(cell);
    let cell = cell.as_str();
    if SOURCE.contains(&cell) || names_language(cell, source_lang) {
        Some(Role::Source)
    } else if TARGET.contains(&cell) || names_language(cell, target_lang) {
        Some(Role::Target)
    } else if matches!(cell, "origin" | "origine") {
        Some(Role::Origin)
    } else if matches!(cell, "domain" | "domaine" | "subject" | "field") {
        Some(Role::Domain)
    } else if matches!(
        cell,
        "note" | "notes" | "comment" | "commentaire" | "remarque"
    ) {
        Some(Role::Note)
    } else if matches!(cell, "status" | "statut") {
        Some(Role::Status)
    } else if matches!(cell, "pos" | "part of speech" | "catégorie" | "nature") {
        Some(Role::Pos)
    } else if matches!(cell, "checked" | "vérifié" | "verified" | "date") {
        Some(Role::Checked)
    } else if ["fr", "en", "de", "it", "es", "rm"]
        .iter()
        .any(|lang| names_language(cell, lang))
    {
        Some(Role::OtherLanguage)
    } else {
        None
    }
}

/// A header names at least one language or the source or target role;
/// `origin`, `note` and the like alone could be data.
fn looks_like_header(cells: &[String], langs: (&str, &str)) -> bool {
    cells.len() >= 2
        && cells.iter().any(|cell| {
            matches!(
                role(cell, langs),
                Some(Role::Source | Role::Target | Role::OtherLanguage)
            )
        })
}

struct Columns {
    source: usize,
    target: usize,
    origin: Option<usize>,
    domain: Option<usize>,
    note: Option<usize>,
    status: Option<usize>,
    pos: Option<usize>,
    checked: Option<usize>,
    ignored: Vec<String>,
    /// Cells a row should have: the header's, else the usual count.
    width: usize,
}

/// Resolve the source, target and origin columns.
fn choose_columns(
    header: Option<&[String]>,
    options: &CsvOptions,
    langs: (&str, &str),
    usual_width: usize,
) -> std::result::Result<Columns, String> {
    let width = header.map_or(usual_width, <[String]>::len);
    let listed = |cells: &[String]| cells.join(", ");
    let by_name = |name: &str| -> std::result::Result<usize, String> {
        let header = header
            .ok_or_else(|| format!("column {name:?} chosen by name, but the file has no header"))?;
        let wanted = name.to_lowercase();
        header
            .iter()
            .position(|cell| cell.to_lowercase() == wanted)
            .ok_or_else(|| {
                format!(
                    "no column named {name:?} in the header ({})",
                    listed(header)
                )
            })
    };
    let by_role = |wanted: Role, fallback: usize| -> std::result::Result<usize, String> {
        let Some(cells) = header else {
            return Ok(fallback);
        };
        cells
            .iter()
            .position(|cell| role(cell, langs) == Some(wanted))
            .ok_or_else(|| {
                let (what, lang, flag) = match wanted {
                    Role::Source => ("source", langs.0, "--source-col"),
                    _ => ("target", langs.1, "--target-col"),
                };
                format!(
                    "no {what} column for language {lang} in the header ({}); choose it with \
                 {flag} NAME or a column number, set the language, or use --header no if \
                 this row is data",
                    listed(cells)
                )
            })
    };
    let pick = |forced: &Option<Column>, wanted: Role, fallback: usize| match forced {
        Some(Column::Index(i)) if *i >= width && width > 0 => Err(format!(
            "there is no column {}: the file has {width} columns",
            i + 1
        )),
        Some(Column::Index(i)) => Ok(*i),
        Some(Column::Name(name)) => by_name(name),
        None => by_role(wanted, fallback),
    };
    let source = pick(&options.source_col, Role::Source, 0)?;
    let target = pick(&options.target_col, Role::Target, 1)?;
    if source == target {
        return Err(format!(
            "source and target are the same column ({})",
            source + 1
        ));
    }
    if width < 2 && header.is_none() {
        return Err(
            "found only one column: is this an aligned CSV? If the delimiter was \
                    misdetected, give it with --delimiter"
                .to_string(),
        );
    }
    let find = |wanted: Role| {
        header.and_then(|cells| cells.iter().position(|c| role(c, langs) == Some(wanted)))
    };
    let (origin, domain, note, status) = (
        find(Role::Origin),
        find(Role::Domain),
        find(Role::Note),
        find(Role::Status),
    );
    let (pos, checked) = (find(Role::Pos), find(Role::Checked));
    let ignored = (0..width)
        .filter(|&i| {
            i != source
                && i != target
                && ![origin, domain, note, status, pos, checked].contains(&Some(i))
        })
        .map(|i| match header {
            Some(cells) if !cells[i].is_empty() => cells[i].clone(),
            _ => format!("column {}", i + 1),
        })
        .collect();
    Ok(Columns {
        source,
        target,
        origin,
        domain,
        note,
        status,
        pos,
        checked,
        ignored,
        width,
    })
}

/// Does a spreadsheet take this cell for a formula (or, for a cell
/// starting with `'`, for a guarded one)? Excel and LibreOffice run a cell
/// starting with `=`, `+`, `-` or `@`, and a tab or carriage return in front
/// does not stop them.
fn needs_guard(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => needs_guard(&cell[1..]),
        _ => false,
    }
}

/// A cell no spreadsheet runs: a leading `'` (which spreadsheets hide)
/// before a cell that [`needs_guard`]. `- Le Conseil…` would otherwise
/// become `#NAME?`, and `=HYPERLINK(…)` a link.
pub fn formula_guard(cell: &str) -> Cow<'_, str> {
    if needs_guard(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undo [`formula_guard`]: `formula_unguard(&formula_guard(c)) == c` for
/// every cell, so exports import back unchanged. A cell that was not
/// guarded is returned as it is (a guarded-looking cell is always guarded,
/// since the guard also guards cells that start with `'` themselves).
pub fn formula_unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// Writes rows as CSV (comma) or TSV (tab), RFC 4180 quoting, UTF-8; with
/// `guard`, cells pass through [`formula_guard`].
pub struct CsvWriter<W: Write> {
    writer: csv::Writer<W>,
    guard: bool,
}

impl<W: Write> CsvWriter<W> {
    /// Start a file with its header row.
    pub fn new(out: W, delimiter: u8, guard: bool, header: &[&str]) -> io::Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(out);
        writer.write_record(header).map_err(into_io)?;
        Ok(CsvWriter { writer, guard })
    }

    pub fn write(&mut self, cells: &[&str]) -> io::Result<()> {
        if self.guard {
            self.writer
                .write_record(cells.iter().map(|c| formula_guard(c).into_owned()))
                .map_err(into_io)
        } else {
            self.writer.write_record(cells).map_err(into_io)
        }
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// The I/O error inside a CSV writer error, so that a closed pipe is still
/// recognised as one.
fn into_io(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn read_all(path: &Path, options: &CsvOptions) -> (Layout, Vec<PairRow>, Vec<BadRow>) {
        let mut reader = PairReader::open(path, options, "fr", "en", Limits::default()).unwrap();
        let (mut good, mut bad) = (vec![], vec![]);
        while let Some(row) = reader.next_row().unwrap() {
            match row {
                Ok(row) => good.push(row),
                Err(row) => bad.push(row),
            }
        }
        (reader.layout().clone(), good, bad)
    }

    fn cp1252(text: &str) -> Vec<u8> {
        encoding_rs::WINDOWS_1252.encode(text).0.into_owned()
    }

    fn open_err(name: &str, bytes: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, name, bytes);
        PairReader::open(&path, &CsvOptions::default(), "fr", "en", Limits::default())
            .err()
            .expect("refused")
            .to_string()
    }

    #[test]
    fn semicolon_windows_1252_with_french_header() {
        let dir = tempfile::tempdir().unwrap();
        let text = "fr;en\r\nLe député a voté « non ».;The MP voted \"no\".\r\nÉté, hiver;Summer, winter\r\n";
        let path = write(&dir, "excel.csv", &cp1252(text));
        let (layout, good, bad) = read_all(&path, &CsvOptions::default());
        assert_eq!(layout.encoding, TextEncoding::Windows1252);
        assert_eq!(layout.delimiter, b';');
        assert_eq!(
            layout.header.as_deref(),
            Some(&["fr".to_string(), "en".to_string()][..])
        );
        assert!(bad.is_empty());
        assert_eq!(good[0].source, "Le député a voté « non ».");
        assert_eq!(good[1].target, "Summer, winter");
        assert_eq!(good[1].line, 3);
    }

    #[test]
    fn comma_utf8_with_bom_quotes_and_embedded_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let text = "\u{FEFF}source,target\n\"Il a dit : « oui, \"\"bien sûr\"\" ».\",\"He said: \"\"yes\"\".\"\n\"Deux\nlignes\",\"Two\nlines\"\n";
        let path = write(&dir, "bom.csv", text.as_bytes());
        let (layout, good, bad) = read_all(&path, &CsvOptions::default());
        assert!(layout.had_bom);
        assert_eq!(layout.encoding, TextEncoding::Utf8);
        assert_eq!(layout.delimiter, b',');
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(good[0].source, "Il a dit : « oui, \"bien sûr\" ».");
        assert_eq!(good[1].source, "Deux\nlignes");
        assert_eq!(good[1].line, 3);
    }

    #[test]
    fn tab_without_header_takes_columns_one_and_two() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "plain.tsv",
            "Bonjour, Berne.\tHello, Bern.\tnote\nMerci.\tThanks.\tx\n".as_bytes(),
        );
        let (layout, good, _) = read_all(&path, &CsvOptions::default());
        assert_eq!(layout.delimiter, b'\t');
        assert!(layout.header.is_none());
        assert_eq!(layout.ignored, ["column 3"]);
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].target, "Hello, Bern.");
    }

    #[test]
    fn utf16_with_bom_is_transcoded() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "fr\ten\nÉtat\tState\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let path = write(&dir, "excel-unicode.txt", &bytes);
        let (layout, good, bad) = read_all(&path, &CsvOptions::default());
        assert_eq!(layout.encoding, TextEncoding::Utf16Le);
        assert!(bad.is_empty());
        assert_eq!(good[0].source, "État");
    }

    #[test]
    fn header_columns_are_found_by_language_code_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "cols.csv",
            b"id,en-GB,note,fr-CH,origin\n1,Bern,x,Berne,atlas\n",
        );
        let (layout, good, _) = read_all(&path, &CsvOptions::default());
        assert_eq!(
            (layout.source, layout.target, layout.origin),
            (3, 1, Some(4))
        );
        assert_eq!(layout.note, Some(2));
        assert_eq!(layout.ignored, ["id"]);
        assert_eq!(good[0].origin.as_deref(), Some("atlas"));
    }

    #[test]
    fn headers_as_spreadsheets_write_them() {
        let dir = tempfile::tempdir().unwrap();
        for header in [
            "Langue source;Langue cible",
            "Français (France);Anglais (Royaume-Uni)",
            "FRA;ENG",
            "Source (fr);Target (en)",
        ] {
            let path = write(&dir, "h.csv", format!("{header}\r\nOui;Yes\r\n").as_bytes());
            let (layout, good, _) = read_all(&path, &CsvOptions::default());
            assert!(layout.header.is_some(), "{header}");
            assert_eq!(good.len(), 1, "{header}");
        }
        // Excel's sep= line, then a blank row, then the header.
        let path = write(&dir, "sep.csv", b"sep=;\r\n;\r\nfr;en\r\nOui;Yes\r\n");
        let (layout, good, _) = read_all(&path, &CsvOptions::default());
        assert_eq!(layout.delimiter, b';');
        assert_eq!(layout.header_raw, b"sep=;\r\n;\r\nfr;en\r\n");
        assert_eq!((good.len(), good[0].line), (1, 4));
    }

    #[test]
    fn a_missing_language_column_is_a_clear_error() {
        let message = open_err("de.csv", b"fr,de\nBerne,Bern\n");
        assert!(message.contains("de.csv"), "{message}");
        assert!(
            message.contains("no target column for language en"),
            "{message}"
        );
        assert!(message.contains("--header no"), "{message}");
    }

    #[test]
    fn files_that_are_not_csv_are_refused_with_what_they_are() {
        assert!(open_err("x.xlsx", b"PK\x03\x04rest").contains("ZIP archive"));
        assert!(open_err("x.csv.xz", b"\xFD7zXZ\x00\x00").contains("xz-compressed"));
        assert!(
            open_err("m.json", b"[{\"source\": \"Oui\", \"target\": \"Yes\"}]").contains("JSON")
        );
        assert!(open_err("bin", b"fr,en\nab\x00cd,x\n").contains("NUL"));
        assert!(open_err("empty.csv", b"  \n").contains("empty"));
    }

    #[test]
    fn forced_columns_by_index_and_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "forced.csv", "a,b,Cible\nx,Berne,Bern\n".as_bytes());
        let options = CsvOptions {
            header: HeaderMode::Yes,
            source_col: Some("B".parse().unwrap()),
            target_col: Some("CIBLE".parse().unwrap()),
            ..CsvOptions::default()
        };
        let (_, good, _) = read_all(&path, &options);
        assert_eq!(
            (good[0].source.as_str(), good[0].target.as_str()),
            ("Berne", "Bern")
        );
        let options = CsvOptions {
            source_col: Some("2".parse().unwrap()),
            target_col: Some("9".parse().unwrap()),
            ..CsvOptions::default()
        };
        let err = PairReader::open(&path, &options, "fr", "en", Limits::default())
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("there is no column 9: the file has 3 columns"),
            "{err}"
        );
    }

    #[test]
    fn bad_rows_are_reported_with_line_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"fr,en\nUn.,One.\nDeux sans cible\n,Three.\nQuatre.,\"  \"\n".to_vec();
        bytes.extend(b"Cinq \xE9t\xE9.,Five.\n\"Six\x01.\",Six.\nSept.,Seven.\n");
        let path = write(&dir, "bad.csv", &bytes);
        let (layout, good, bad) = read_all(&path, &CsvOptions::default());
        assert_eq!(layout.encoding, TextEncoding::Windows1252);
        let lines: Vec<u64> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [3, 4, 5, 7]);
        assert!(
            bad[0].reason.contains("no target column"),
            "{}",
            bad[0].reason
        );
        assert_eq!(bad[1].reason, "empty source");
        assert_eq!(bad[2].reason, "empty target");
        assert!(
            bad[3].reason.contains("control character"),
            "{}",
            bad[3].reason
        );
        assert_eq!(good.len(), 3, "cp1252 row 6 decodes: {good:?}");
        assert_eq!(good[1].source, "Cinq été.");
    }

    #[test]
    fn mixed_utf8_and_latin1_rows_are_each_read_right() {
        // Regression: a mostly Latin-1 file with one UTF-8 row stored "CafÃ©".
        let dir = tempfile::tempdir().unwrap();
        let mut bytes =
            cp1252("fr;en\nÉté;Summer\nHiver à Genève;Winter in Geneva\nNoël;Christmas\n");
        bytes.extend("Café;Coffee\n".as_bytes());
        bytes.extend(b"D\xC3\xA9j\xE0 vu;Damaged\n");
        let path = write(&dir, "mixed.csv", &bytes);
        let (layout, good, bad) = read_all(&path, &CsvOptions::default());
        assert!(layout.mixed);
        let sources: Vec<&str> = good.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(sources, ["Été", "Hiver à Genève", "Noël", "Café"]);
        assert!(good[0].windows_1252 && !good[3].windows_1252);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].reason.contains("invalid UTF-8"), "{}", bad[0].reason);
    }

    #[test]
    fn an_unbalanced_quote_is_rejected_not_swallowing_rows() {
        // Regression: the csv crate read lines 3-7 as one source cell.
        let dir = tempfile::tempdir().unwrap();
        let text = "fr,en\nBonjour,Hello\n\"Il a dit oui,He said yes\nMerci,Thanks\nOui,Yes\nNon,No\n\"Fin\",End\nAprès,After\n";
        let path = write(&dir, "stray.csv", text.as_bytes());
        let (_, good, bad) = read_all(&path, &CsvOptions::default());
        assert_eq!(good.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 8]);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 3);
        assert!(
            bad[0].reason.contains("closed and then goes on"),
            "{}",
            bad[0].reason
        );
        assert!(bad[0].reason.contains("lines 3–7"), "{}", bad[0].reason);
        assert_eq!(
            bad[0].raw,
            b"\"Il a dit oui,He said yes\nMerci,Thanks\nOui,Yes\nNon,No\n\"Fin\",End\n"
        );
    }

    #[test]
    fn quotes_are_checked_cell_by_cell() {
        assert!(check_quotes(b"\"a,b\",\"c \"\"d\"\"\"\r\n", b',').is_ok());
        assert!(check_quotes(b"He said \"yes\",Il a dit oui\n", b',').is_ok());
        assert!(check_quotes(b"\"a\"b,c\n", b',').is_err());
        assert!(check_quotes(b"\"never closed,c\n", b',').is_err());
        assert!(check_quotes(b"x;\"y\";\"z\"", b';').is_ok());
    }

    #[test]
    fn a_row_with_more_cells_than_the_header_is_rejected_not_cut() {
        // Regression: an unquoted comma in a text used to be cut off silently.
        let dir = tempfile::tempdir().unwrap();
        let text = "fr,en\nIl a reçu 10,5 francs.,He got 10.5 francs.\nOui.,Yes.,\nNon.,No.\n";
        let path = write(&dir, "cut.csv", text.as_bytes());
        let (_, good, bad) = read_all(&path, &CsvOptions::default());
        assert_eq!(good.len(), 2, "a trailing empty cell is fine: {good:?}");
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 2);
        assert!(
            bad[0].reason.starts_with("3 cells where 2 are expected"),
            "{}",
            bad[0].reason
        );
    }

    #[test]
    fn line_numbers_and_raw_rows_in_crlf_files() {
        // Regression: the csv crate counts every record after the first one
        // line short in CRLF files, and reports blank lines in the position.
        let dir = tempfile::tempdir().unwrap();
        let text = "fr;en\r\n\r\n\"Deux\r\nlignes\";Two lines\r\n\r\nSeul\r\nFin;End\r\n";
        let path = write(&dir, "lines.csv", text.as_bytes());
        let (layout, good, bad) = read_all(&path, &CsvOptions::default());
        assert_eq!(good.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 7]);
        assert_eq!(bad[0].line, 6);
        assert_eq!(bad[0].raw, b"Seul\r\n");
        assert_eq!(layout.header_raw, b"fr;en\r\n");
    }

    #[test]
    fn columns_parse_from_user_words() {
        assert_eq!("2".parse::<Column>(), Ok(Column::Index(1)));
        assert!("0".parse::<Column>().is_err());
        assert_eq!("Cible".parse::<Column>(), Ok(Column::Name("Cible".into())));
    }
}
