//! Aligned CSV as translators really have it, and CSV/TSV export.
//!
//! ## Reading
//! [`PairReader::open`] looks at the file before reading it:
//!
//! * **Encoding.** A byte-order mark decides (UTF-8, UTF-16 LE/BE). Without
//!   one, a UTF-16 file is recognised by its zero bytes; otherwise the whole
//!   file is scanned once: valid UTF-8 is UTF-8, a file with no valid UTF-8
//!   multi-byte sequence at all is Windows-1252 (what French Excel writes;
//!   Latin-1 is read as its superset Windows-1252), and a file with both is
//!   taken as UTF-8 in which the rows holding invalid bytes are rejected,
//!   never guessed at. `--encoding` forces a choice.
//! * **Delimiter.** Comma, semicolon and tab are each tried on the first
//!   64 KiB; the one that splits the rows into the same number of fields
//!   (two or more) wins; ties go to a recognised header, then to exactly two
//!   columns, then tab, semicolon, comma. `--delimiter` forces a choice.
//! * **Header.** The first row is a header when a cell names a role or a
//!   language: `source`/`target` (and `src`, `tgt`, `translation`,
//!   `traduction`, `texte source`, `cible`…), a language code (`fr`,
//!   `fr-CH`, `en_GB`), a language name (`French`, `français`…) or
//!   `origin`. With a header, the source column is the first one naming the
//!   source role or language, likewise the target; without one, columns 1
//!   and 2. `--source-col`/`--target-col` take a header name or a 1-based
//!   index.
//! * **Extra columns.** A column named `origin` gives each row's origin
//!   label; every other column is ignored (the import summary lists them).
//!   They stay in the file and in the rejects file, untouched.
//!
//! Each data row comes back as its own `Result`: a row with a missing
//! column, an empty source or target, undecodable bytes or control
//! characters is a [`BadRow`] carrying its line and its byte range in the
//! file, so the caller can copy it unchanged to a rejects file
//! ([`copy_rows`]). Only I/O failures end the reading. Rows whose cells are
//! all empty (spreadsheet filler) are skipped.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, Cursor, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::str::FromStr;

use csv::ByteRecord;
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::error::{Error, Kind, Result};
use crate::text;

/// How much of the file is looked at to detect delimiter and header.
const SNIFF_BYTES: usize = 64 * 1024;

/// A text encoding memoire reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// Windows-1252, also used for Latin-1 (ISO-8859-1), which it extends.
    Windows1252,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Windows1252 => "Windows-1252",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }

    fn bom(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8 => b"\xEF\xBB\xBF",
            TextEncoding::Windows1252 => b"",
            TextEncoding::Utf16Le => b"\xFF\xFE",
            TextEncoding::Utf16Be => b"\xFE\xFF",
        }
    }

    fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }
}

impl FromStr for TextEncoding {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let name = s.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match name.as_str() {
            "utf-8" | "utf8" => TextEncoding::Utf8,
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" | "ansi" => {
                TextEncoding::Windows1252
            }
            "utf-16le" | "utf-16" | "utf16" | "unicode" => TextEncoding::Utf16Le,
            "utf-16be" => TextEncoding::Utf16Be,
            _ => {
                return Err(format!(
                    "unknown encoding {s:?}: use utf-8, windows-1252 (also latin1), utf-16le or utf-16be"
                ));
            }
        })
    }
}

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
    pub delimiter: u8,
    /// The header cells, when the first row is a header.
    pub header: Option<Vec<String>>,
    /// Byte range of the header row in the decoded stream.
    header_range: Option<Range<u64>>,
    /// 0-based column indexes.
    pub source: usize,
    pub target: usize,
    pub origin: Option<usize>,
    /// Names (or `column N`) of the columns that are not imported.
    pub ignored: Vec<String>,
    /// Cells a row should have (the header's count, else the usual one);
    /// a row with more non-empty cells is rejected.
    pub width: usize,
}

/// A good row: a source and a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRow {
    pub line: u64,
    pub source: String,
    pub target: String,
    /// The row's `origin` cell, when the file has such a column.
    pub origin: Option<String>,
    pub raw: Range<u64>,
}

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
    pub raw: Range<u64>,
}

/// Streams the rows of an aligned CSV file.
pub struct PairReader {
    path: PathBuf,
    reader: csv::Reader<LineCounter<Box<dyn Read>>>,
    lines: Rc<RefCell<LineBreaks>>,
    layout: Layout,
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
    ) -> Result<PairReader> {
        let (encoding, had_bom) = match options.encoding {
            Some(forced) => (forced, starts_with_file(path, forced.bom())?),
            None => detect_encoding(path)?,
        };
        let mut stream = decoded_stream(path, encoding, had_bom)?;
        let mut sample = Vec::with_capacity(SNIFF_BYTES);
        (&mut stream)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut sample)
            .map_err(|e| Error::io("cannot read", path, e))?;
        let truncated = sample.len() == SNIFF_BYTES;
        if sample.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::new(Kind::Input, "the file is empty").at(path));
        }
        let langs = (source_lang, target_lang);
        let delimiter = match options.delimiter {
            Some(d) => d,
            None => detect_delimiter(&sample, truncated, encoding, langs),
        };
        let first = first_record(&sample, delimiter, encoding);
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
            usual_width(&sample, delimiter),
        )
        .map_err(|msg| Error::new(Kind::Input, msg).at(path))?;

        let stream: Box<dyn Read> = Box::new(Cursor::new(sample).chain(stream));
        let lines = Rc::new(RefCell::new(LineBreaks::default()));
        let counter = LineCounter {
            inner: stream,
            breaks: Rc::clone(&lines),
            at: 0,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(counter);
        let mut record = ByteRecord::new();
        let header_range = if header.is_some() {
            reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(path, None, e))?;
            let (_, start) = lines.borrow_mut().locate(0);
            Some(start..reader.position().byte())
        } else {
            None
        };
        let layout = Layout {
            encoding,
            had_bom,
            delimiter,
            header,
            header_range,
            source: columns.source,
            target: columns.target,
            origin: columns.origin,
            ignored: columns.ignored,
            width: columns.width,
        };
        Ok(PairReader {
            path: path.to_path_buf(),
            reader,
            lines,
            layout,
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
            let (line, start) = self.lines.borrow_mut().locate(before);
            if !more.map_err(|e| csv_error(&self.path, Some(line), e))? {
                return Ok(None);
            }
            let raw = start..self.reader.position().byte();
            if self
                .record
                .iter()
                .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            return Ok(Some(self.pair(line, raw)));
        }
    }

    fn pair(&self, line: u64, raw: Range<u64>) -> std::result::Result<PairRow, BadRow> {
        let bad = |reason: String| BadRow {
            line,
            reason,
            raw: raw.clone(),
        };
        let cell = |index: usize, role: &str| -> std::result::Result<String, BadRow> {
            let bytes = self.record.get(index).ok_or_else(|| {
                bad(format!(
                    "no {role} column (column {} expected, the row has {})",
                    index + 1,
                    self.record.len()
                ))
            })?;
            decode(bytes, self.layout.encoding).map_err(|why| bad(format!("{role}: {why}")))
        };
        let extra = self.record.iter().skip(self.layout.width);
        if extra
            .clone()
            .any(|c| !c.iter().all(u8::is_ascii_whitespace))
        {
            let delimiter = match self.layout.delimiter {
                b',' => "comma".to_string(),
                b';' => "semicolon".to_string(),
                b'\t' => "tab".to_string(),
                other => format!("{:?}", other as char),
            };
            return Err(bad(format!(
                "{} cells where {} are expected: a {delimiter} inside a text without quotes?",
                self.layout.width + extra.count(),
                self.layout.width
            )));
        }
        let source = cell(self.layout.source, "source")?;
        let target = cell(self.layout.target, "target")?;
        if source.trim().is_empty() {
            return Err(bad("empty source".to_string()));
        }
        if target.trim().is_empty() {
            return Err(bad("empty target".to_string()));
        }
        let origin = match self.layout.origin {
            Some(index) => Some(cell(index, "origin")?).filter(|o| !o.trim().is_empty()),
            None => None,
        };
        Ok(PairRow {
            line,
            source: text::nfc(&source).into_owned(),
            target: text::nfc(&target).into_owned(),
            origin,
            raw,
        })
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

/// Line breaks seen by the CSV parser and not yet passed by a record.
///
/// The `csv` crate's own line numbers are wrong in files with CRLF line ends
/// (every record after the first is counted one line short), and a record's
/// byte position may point at the line end of the previous record or at
/// skipped blank lines. So the stream is watched on its way into the parser:
/// every CR and LF offset is queued, and [`LineBreaks::locate`] turns a
/// record's position into its true first byte and its 1-based line. Memory
/// stays bounded by the parser's read-ahead.
#[derive(Debug, Default)]
struct LineBreaks {
    /// Offsets of CR and LF bytes not yet passed, with the byte.
    pending: VecDeque<(u64, u8)>,
    /// Line breaks passed so far (CRLF counts once).
    passed: u64,
    last_cr: Option<u64>,
}

impl LineBreaks {
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
        while let Some(&(offset, byte)) = self.pending.front() {
            if offset > start {
                break;
            }
            if offset == start {
                start += 1;
            }
            self.pass(offset, byte);
            self.pending.pop_front();
        }
        (self.passed + 1, start)
    }
}

/// A reader that tells [`LineBreaks`] where the line breaks are.
struct LineCounter<R> {
    inner: R,
    breaks: Rc<RefCell<LineBreaks>>,
    at: u64,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                breaks.pending.push_back((self.at + i as u64, b));
            }
        }
        self.at += n as u64;
        Ok(n)
    }
}

/// Does the file start with `prefix`? (An empty prefix never matches.)
fn starts_with_file(path: &Path, prefix: &[u8]) -> Result<bool> {
    if prefix.is_empty() {
        return Ok(false);
    }
    let mut head = vec![0; prefix.len()];
    let mut file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io("cannot read", path, e))?;
    Ok(n == prefix.len() && head == prefix)
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Decide the encoding of a file (see the module docs).
fn detect_encoding(path: &Path) -> Result<(TextEncoding, bool)> {
    let mut file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    let mut head = vec![0; 4096];
    let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io("cannot read", path, e))?;
    head.truncate(n);
    for encoding in [
        TextEncoding::Utf8,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
    ] {
        if head.starts_with(encoding.bom()) {
            return Ok((encoding, true));
        }
    }
    if let Some(utf16) = utf16_by_zero_bytes(&head) {
        return Ok((utf16, false));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io("cannot read", path, e))?;
    let census = utf8_census(&mut file).map_err(|e| Error::io("cannot read", path, e))?;
    let encoding = if census.invalid == 0 || census.multibyte > census.invalid {
        TextEncoding::Utf8
    } else {
        TextEncoding::Windows1252
    };
    Ok((encoding, false))
}

/// UTF-16 without a byte-order mark: text in Latin script has a zero in
/// every other byte.
fn utf16_by_zero_bytes(head: &[u8]) -> Option<TextEncoding> {
    if head.len() < 16 {
        return None;
    }
    let zeros_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = head.len() / 2;
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 > half * 3 && even == 0 {
        Some(TextEncoding::Utf16Le)
    } else if even * 10 > half * 3 && odd == 0 {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// How many valid multi-byte UTF-8 characters and how many invalid
/// sequences a stream holds.
#[derive(Debug, Default, PartialEq, Eq)]
struct Utf8Census {
    multibyte: u64,
    invalid: u64,
}

fn utf8_census(reader: &mut impl Read) -> io::Result<Utf8Census> {
    let mut census = Utf8Census::default();
    let mut buf = vec![0u8; 1 << 20];
    let mut carried = 0;
    loop {
        let n = reader.read(&mut buf[carried..])?;
        let end = carried + n;
        let at_eof = n == 0;
        let mut rest = &buf[..end];
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    census.multibyte += count_multibyte(valid.as_bytes());
                    rest = &[];
                    break;
                }
                Err(e) => {
                    census.multibyte += count_multibyte(&rest[..e.valid_up_to()]);
                    match e.error_len() {
                        Some(len) => {
                            census.invalid += 1;
                            rest = &rest[e.valid_up_to() + len..];
                        }
                        None if at_eof => {
                            census.invalid += 1;
                            rest = &[];
                            break;
                        }
                        None => {
                            rest = &rest[e.valid_up_to()..];
                            break;
                        }
                    }
                }
            }
        }
        if at_eof {
            return Ok(census);
        }
        carried = rest.len();
        let start = end - carried;
        buf.copy_within(start..end, 0);
    }
}

/// Lead bytes of multi-byte characters in valid UTF-8.
fn count_multibyte(valid: &[u8]) -> u64 {
    valid.iter().filter(|&&b| b >= 0xC0).count() as u64
}

/// The file as UTF-8 (or Windows-1252) bytes without its byte-order mark:
/// the stream the CSV parser reads and byte ranges refer to.
fn decoded_stream(path: &Path, encoding: TextEncoding, had_bom: bool) -> Result<Box<dyn Read>> {
    let mut file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    if encoding.is_utf16() {
        let label = match encoding {
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            _ => encoding_rs::UTF_16LE,
        };
        let decoder = DecodeReaderBytesBuilder::new()
            .encoding(Some(label))
            .strip_bom(true)
            .build(file);
        return Ok(Box::new(decoder));
    }
    if had_bom {
        file.seek(SeekFrom::Start(encoding.bom().len() as u64))
            .map_err(|e| Error::io("cannot read", path, e))?;
    }
    Ok(Box::new(io::BufReader::with_capacity(1 << 16, file)))
}

/// Decode one cell, refusing anything that would have to be guessed.
fn decode(bytes: &[u8], encoding: TextEncoding) -> std::result::Result<String, String> {
    let text = match encoding {
        TextEncoding::Windows1252 => {
            if let Some(&b) = bytes
                .iter()
                .find(|&&b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
            {
                return Err(format!("byte 0x{b:02X} is not a character in Windows-1252"));
            }
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned()
        }
        // UTF-16 arrives here already transcoded to UTF-8.
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(e) => {
                let at = e.valid_up_to();
                return Err(format!(
                    "invalid UTF-8 (byte 0x{:02X} after {:?}); if the file is from Excel, \
                     try --encoding windows-1252",
                    bytes[at],
                    tail(&String::from_utf8_lossy(&bytes[..at]), 20)
                ));
            }
        },
    };
    if encoding.is_utf16() && text.contains('\u{FFFD}') {
        return Err("invalid UTF-16 (an unpaired surrogate)".to_string());
    }
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(format!("control character U+{:04X} in the text", c as u32));
    }
    Ok(text)
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> &str {
    let start = s
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &s[start..]
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

fn first_record(sample: &[u8], delimiter: u8, encoding: TextEncoding) -> Vec<String> {
    sample_records(sample, delimiter, false)
        .first()
        .map(|record| {
            record
                .iter()
                .map(|cell| {
                    decode(cell, encoding)
                        .unwrap_or_default()
                        .trim()
                        .to_string()
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
fn detect_delimiter(
    sample: &[u8],
    truncated: bool,
    encoding: TextEncoding,
    langs: (&str, &str),
) -> u8 {
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
            let header = looks_like_header(&first_record(sample, delimiter, encoding), langs);
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
    /// Names a language, neither of the ones being imported.
    OtherLanguage,
}

/// Names of a few languages in English, French and their own language.
fn language_names(primary: &str) -> &'static [&'static str] {
    match primary {
        "fr" => &["french", "français", "francais"],
        "en" => &["english", "anglais"],
        "de" => &["german", "deutsch", "allemand"],
        "it" => &["italian", "italiano", "italien"],
        "es" => &["spanish", "español", "espagnol"],
        "rm" => &["romansh", "rumantsch", "romanche"],
        _ => &[],
    }
}

/// Does a header cell name `lang` (a code with or without region, or a name)?
fn names_language(cell: &str, lang: &str) -> bool {
    let primary = text::primary_language(lang);
    match text::language_code(cell) {
        Some(code) => code == lang || text::primary_language(&code) == primary,
        None => language_names(primary).contains(&cell),
    }
}

fn role(cell: &str, (source_lang, target_lang): (&str, &str)) -> Option<Role> {
    let cell = cell.trim().trim_start_matches('\u{FEFF}').to_lowercase();
    let cell = cell.as_str();
    const SOURCE: &[&str] = &[
        "source",
        "src",
        "source text",
        "source_text",
        "source segment",
        "original",
        "texte source",
    ];
    const TARGET: &[&str] = &[
        "target",
        "tgt",
        "trg",
        "target text",
        "target_text",
        "target segment",
        "translation",
        "traduction",
        "texte cible",
        "cible",
    ];
    if SOURCE.contains(&cell) || names_language(cell, source_lang) {
        Some(Role::Source)
    } else if TARGET.contains(&cell) || names_language(cell, target_lang) {
        Some(Role::Target)
    } else if cell == "origin" || cell == "origine" {
        Some(Role::Origin)
    } else if ["fr", "en", "de", "it", "es", "rm"]
        .iter()
        .any(|lang| names_language(cell, lang))
    {
        Some(Role::OtherLanguage)
    } else {
        None
    }
}

fn looks_like_header(cells: &[String], langs: (&str, &str)) -> bool {
    cells.len() >= 2 && cells.iter().any(|cell| role(cell, langs).is_some())
}

struct Columns {
    source: usize,
    target: usize,
    origin: Option<usize>,
    ignored: Vec<String>,
    /// Cells a row should have: the header's, else the usual count.
    width: usize,
}

/// Resolve the source, target and origin columns.
fn choose_columns(
    header: Option<&[String]>,
    options: &CsvOptions,
    langs: (&str, &str),
    width: usize,
) -> std::result::Result<Columns, String> {
    let by_name = |name: &str| -> std::result::Result<usize, String> {
        let header = header
            .ok_or_else(|| format!("column {name:?} chosen by name, but the file has no header"))?;
        header
            .iter()
            .position(|cell| cell.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "no column named {name:?} in the header ({})",
                    header.join(", ")
                )
            })
    };
    let by_role = |wanted: Role, fallback: usize| -> std::result::Result<usize, String> {
        match header {
            None => Ok(fallback),
            Some(cells) => cells
                .iter()
                .position(|cell| role(cell, langs) == Some(wanted))
                .ok_or_else(|| {
                    let (what, lang, flag) = match wanted {
                        Role::Source => ("source", langs.0, "--source-col"),
                        _ => ("target", langs.1, "--target-col"),
                    };
                    format!(
                        "no {what} column for language {lang} in the header ({}); \
                         choose it with {flag} NAME or a column number, or set the language",
                        cells.join(", ")
                    )
                }),
        }
    };
    let pick = |forced: &Option<Column>, wanted: Role, fallback: usize| match forced {
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
    let origin = header.and_then(|cells| {
        cells
            .iter()
            .position(|c| role(c, langs) == Some(Role::Origin))
    });
    let width = header.map_or(width, <[String]>::len);
    if width < 2 && header.is_none() {
        return Err(
            "found only one column: is this an aligned CSV? If the delimiter was \
             misdetected, give it with --delimiter"
                .to_string(),
        );
    }
    let ignored = (0..width)
        .filter(|&i| i != source && i != target && Some(i) != origin)
        .map(|i| match header {
            Some(cells) if !cells[i].is_empty() => cells[i].clone(),
            _ => format!("column {}", i + 1),
        })
        .collect();
    Ok(Columns {
        source,
        target,
        origin,
        ignored,
        width,
    })
}

/// Copy the header (if any) and the given rows of the file, byte for byte as
/// the CSV parser saw them, to `out`: the rejects file. UTF-8 and
/// Windows-1252 files are copied unchanged (with their byte-order mark);
/// UTF-16 files are written as UTF-8 with a byte-order mark.
pub fn copy_rows(
    path: &Path,
    layout: &Layout,
    rows: &[Range<u64>],
    out: &mut dyn Write,
) -> Result<()> {
    let read_err = |e| Error::io("cannot read", path, e);
    let write_err = |e| Error::io("cannot write the rejects file", path, e);
    if layout.had_bom {
        let bom = if layout.encoding.is_utf16() {
            TextEncoding::Utf8.bom()
        } else {
            layout.encoding.bom()
        };
        out.write_all(bom).map_err(write_err)?;
    }
    let mut stream = io::BufReader::new(decoded_stream(path, layout.encoding, layout.had_bom)?);
    let mut at = 0u64;
    for range in layout.header_range.iter().chain(rows) {
        io::copy(&mut (&mut stream).take(range.start - at), &mut io::sink()).map_err(read_err)?;
        let mut row = Vec::new();
        (&mut stream)
            .take(range.end - range.start)
            .read_to_end(&mut row)
            .map_err(read_err)?;
        at = range.end;
        // The parser stops between the CR and LF of a CRLF line end.
        if row.last() == Some(&b'\r')
            && stream.fill_buf().map_err(read_err)?.first() == Some(&b'\n')
        {
            row.push(b'\n');
            stream.consume(1);
            at += 1;
        }
        // The last row of a file may have no line end; the rejects file still does.
        if !matches!(row.last(), Some(b'\n' | b'\r')) {
            row.push(b'\n');
        }
        out.write_all(&row).map_err(write_err)?;
    }
    Ok(())
}

/// Writes pairs as CSV (comma) or TSV (tab), RFC 4180 quoting, UTF-8.
pub struct PairWriter<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> PairWriter<W> {
    /// Start a file with the header `<source_lang>,<target_lang>,origin`.
    pub fn new(out: W, delimiter: u8, source_lang: &str, target_lang: &str) -> io::Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(out);
        writer
            .write_record([source_lang, target_lang, "origin"])
            .map_err(into_io)?;
        Ok(PairWriter { writer })
    }

    pub fn write(&mut self, source: &str, target: &str, origin: &str) -> io::Result<()> {
        self.writer
            .write_record([source, target, origin])
            .map_err(into_io)
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
        let mut reader = PairReader::open(path, options, "fr", "en").unwrap();
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
        assert_eq!(layout.ignored, ["id", "note"]);
        assert_eq!(good[0].origin.as_deref(), Some("atlas"));
    }

    #[test]
    fn a_missing_language_column_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "de.csv", b"fr,de\nBerne,Bern\n");
        let err = PairReader::open(&path, &CsvOptions::default(), "fr", "en")
            .err()
            .unwrap();
        let msg = err.to_string();
        assert!(
            msg.contains("de.csv") && msg.contains("no target column for language en"),
            "{msg}"
        );
    }

    #[test]
    fn forced_columns_by_index_and_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "forced.csv", b"a,b,c\nx,Berne,Bern\n");
        let options = CsvOptions {
            header: HeaderMode::Yes,
            source_col: Some("b".parse().unwrap()),
            target_col: Some("3".parse().unwrap()),
            ..CsvOptions::default()
        };
        let (_, good, _) = read_all(&path, &options);
        assert_eq!(
            (good[0].source.as_str(), good[0].target.as_str()),
            ("Berne", "Bern")
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
    fn invalid_bytes_in_a_utf8_file_reject_the_row_not_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"fr,en\nD\xC3\xA9j\xC3\xA0 vu.,Already seen.\n\xC3\xA9t\xC3\xA9 \xC3\xA0 Gen\xC3\xA8ve,summer in Geneva\nCaf\xE9.,Coffee.\n";
        let path = write(&dir, "mixed.csv", bytes);
        let (layout, good, bad) = read_all(&path, &CsvOptions::default());
        assert_eq!(layout.encoding, TextEncoding::Utf8);
        assert_eq!(good.len(), 2);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].reason.contains("invalid UTF-8"), "{}", bad[0].reason);
        assert!(bad[0].reason.contains("Caf"), "{}", bad[0].reason);
    }

    #[test]
    fn rejected_rows_are_copied_byte_for_byte_after_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = cp1252("fr;en\r\nBon.;Good.\r\n\"Mauvais\r\nÉté\";\r\nFin.;End.\r\nDernière");
        let path = write(&dir, "r.csv", &bytes);
        let (layout, _, bad) = read_all(&path, &CsvOptions::default());
        let ranges: Vec<_> = bad.iter().map(|b| b.raw.clone()).collect();
        assert_eq!(bad.len(), 2);
        let mut out = vec![];
        copy_rows(&path, &layout, &ranges, &mut out).unwrap();
        assert_eq!(out, cp1252("fr;en\r\n\"Mauvais\r\nÉté\";\r\nDernière\n"));
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
    fn line_numbers_count_crlf_blank_lines_and_multiline_cells() {
        // Regression: the csv crate counts every record after the first one
        // line short in CRLF files, and reports blank lines in the position.
        let dir = tempfile::tempdir().unwrap();
        let text = "fr;en\r\n\r\n\"Deux\r\nlignes\";Two lines\r\n\r\nSeul\r\nFin;End";
        let path = write(&dir, "lines.csv", text.as_bytes());
        let (layout, good, bad) = read_all(&path, &CsvOptions::default());
        assert_eq!(good.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 7]);
        assert_eq!(bad[0].line, 6);
        let mut out = vec![];
        let rows: Vec<_> = bad.iter().map(|b| b.raw.clone()).collect();
        copy_rows(&path, &layout, &rows, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "fr;en\r\nSeul\r\n");
    }

    #[test]
    fn utf8_census_counts_across_chunk_boundaries() {
        let mut text = "a".repeat((1 << 20) - 1).into_bytes();
        text.extend("é".as_bytes());
        text.push(0xE9);
        let census = utf8_census(&mut text.as_slice()).unwrap();
        assert_eq!(
            census,
            Utf8Census {
                multibyte: 1,
                invalid: 1
            }
        );
    }

    #[test]
    fn encodings_and_columns_parse_from_user_words() {
        assert_eq!(
            "Latin1".parse::<TextEncoding>(),
            Ok(TextEncoding::Windows1252)
        );
        assert!("ebcdic".parse::<TextEncoding>().is_err());
        assert_eq!("2".parse::<Column>(), Ok(Column::Index(1)));
        assert!("0".parse::<Column>().is_err());
    }
}
