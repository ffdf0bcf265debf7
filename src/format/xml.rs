//! What the TMX, TBX and XLIFF readers share: an XML file read as a stream
//! of events that are *checked*, so that only a well-formed document is
//! ever imported.
//!
//! [`open`] decodes the file to UTF-8 (UTF-16 as Trados writes it, with or
//! without byte-order mark; a declared Latin-1; else UTF-8, refused with its
//! line when it is not), and [`XmlFile::next`] hands out quick-xml's events
//! after checking what quick-xml lets through, as a conforming XML 1.0
//! parser would: names; attribute syntax (quoted values, no duplicates, no
//! `<`, defined references); namespace prefixes that are declared;
//! characters XML allows (no C0 control, no U+FFFE/U+FFFF, no lone
//! surrogate); `]]>` outside CDATA; comments; the XML declaration only at
//! the very start; one DOCTYPE (without an internal subset, which memoire
//! does not read) before the root; one root element with nothing but
//! white space, comments and processing instructions after it; and a
//! document that ends only once its root is closed. Anything else is a
//! fatal error with its line: a truncated file, two files glued together,
//! junk after the root, `<tu usagecount=5>`.
//!
//! Memory stays bounded: no single piece of markup or text may exceed
//! [`Limits::max_event`] bytes (a 200 MB segment stops the import with its
//! line instead of filling the memory).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use encoding_rs_io::DecodeReaderBytesBuilder;
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::encoding::Utf16Decoder;
use crate::error::{Error, Kind, Result};

/// Size limits of a file being read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest piece of text or markup, in bytes.
    pub max_event: u64,
}

impl Limits {
    /// Pieces up to 32 times the longest segment text, at least 1 MiB.
    pub fn for_segments(max_segment: usize) -> Limits {
        Limits {
            max_event: (max_segment as u64).saturating_mul(32).max(1 << 20),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::for_segments(crate::import::DEFAULT_MAX_SEGMENT)
    }
}

/// Where the line feeds are and why the stream failed, shared between the
/// [`Scanner`] (which sees the bytes) and the [`XmlFile`] (which reports).
#[derive(Debug, Default)]
struct Tracker {
    /// Offsets of the line feeds that went into the parser and have not
    /// been passed yet.
    pending: VecDeque<u64>,
    passed: u64,
    /// A failure of the stream: its line and what it was.
    failure: Option<(u64, String)>,
}

impl Tracker {
    /// The 1-based line of byte `position` (positions must not go back).
    fn line_at(&mut self, position: u64) -> u64 {
        while self.pending.front().is_some_and(|&nl| nl < position) {
            self.pending.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// Where the scanner is in the markup, for the size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Text,
    /// Just after `<`.
    Open,
    /// After `<!`: the bytes of `--` or `[CDATA[` matched so far.
    Bang(u8),
    BangCData(u8),
    /// In a tag; the quote of the attribute value being read.
    Tag(Option<u8>),
    /// In a comment: dashes just seen.
    Comment(u8),
    /// In CDATA: closing brackets just seen.
    CData(u8),
    /// In a processing instruction: just saw `?`.
    Pi(bool),
    /// In a DOCTYPE: bracket depth and quote.
    Doctype(u32, Option<u8>),
    /// After `<!D`: the letters of `DOCTYPE` matched so far.
    Keyword(u8),
    /// Markup that can only be malformed (`<!doctype`, `<!DOCTYPEtmx`).
    Invalid,
}

/// A reader that checks the decoded stream on its way to the parser: it
/// must be UTF-8 (a lone UTF-16 surrogate arrives as its WTF-8 form and is
/// refused here), and no piece of markup or text may run longer than the
/// limit. It also records where the line feeds are.
struct Scanner<R> {
    inner: R,
    tracker: Rc<RefCell<Tracker>>,
    /// Offset of the next byte in the decoded stream.
    at: u64,
    line: u64,
    lex: Lex,
    /// Bytes in the current piece of text or markup.
    run: u64,
    max_event: u64,
    /// An incomplete UTF-8 sequence at the end of the last read.
    carry: Vec<u8>,
    /// Says how an invalid sequence is reported (and whether only ASCII
    /// is allowed).
    decoding: Decoding,
}

impl<R: Read> Scanner<R> {
    fn fail(&self, line: u64, message: String) -> io::Error {
        self.tracker.borrow_mut().failure = Some((line, message.clone()));
        io::Error::new(io::ErrorKind::InvalidData, message)
    }

    /// Check that `bytes` (after the carried ones) are UTF-8.
    fn check_utf8(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut joined;
        let data = if self.carry.is_empty() {
            bytes
        } else {
            joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(bytes);
            &joined[..]
        };
        let carried_before = data.len() - bytes.len();
        if self.decoding == Decoding::Ascii
            && let Some(at) = data.iter().position(|b| !b.is_ascii())
        {
            let line = self.line
                + data[carried_before.min(at)..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
            let message = format!(
                "a byte that is not ASCII (0x{:02X}) in a file that declares encoding=\"US-ASCII\"",
                data[at]
            );
            return Err(self.fail(line, message));
        }
        if let Err(e) = std::str::from_utf8(data) {
            if e.error_len().is_none() && data.len() - e.valid_up_to() < 4 {
                self.carry = data[e.valid_up_to()..].to_vec();
                return Ok(());
            }
            let at = e.valid_up_to();
            let line = self.line
                + data[carried_before.min(at)..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
            let message = match (self.decoding, data.get(at..at + 2)) {
                (Decoding::Utf16 { .. }, Some([0xED, 0xA0..=0xBF])) => {
                    "invalid UTF-16: an unpaired surrogate".to_string()
                }
                (Decoding::Utf16 { .. }, _) => {
                    "invalid UTF-16: an odd number of bytes at the end of the file".to_string()
                }
                (Decoding::Utf8, _) => format!(
                    "not UTF-8 text (byte 0x{:02X}), and no other encoding is declared: add \
                     encoding=\"ISO-8859-15\" (or the right one) to the <?xml?> declaration",
                    data[at]
                ),
                _ => format!("the text cannot be decoded (byte 0x{:02X})", data[at]),
            };
            return Err(self.fail(line, message));
        }
        Ok(())
    }

    /// Follow the markup byte by byte and count the current piece.
    fn scan(&mut self, bytes: &[u8]) -> io::Result<()> {
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                self.tracker
                    .borrow_mut()
                    .pending
                    .push_back(self.at + i as u64);
                self.line += 1;
            }
            let (next, new_piece) = step(self.lex, b);
            self.lex = next;
            if next == Lex::Invalid {
                return Err(self.fail(
                    self.line,
                    "malformed markup after \"<!\" (a comment is <!-- … -->, a declaration \
                     <!DOCTYPE name …>)"
                        .to_string(),
                ));
            }
            self.run = if new_piece { 1 } else { self.run + 1 };
            if self.run > self.max_event {
                let what = if self.lex == Lex::Text {
                    "text"
                } else {
                    "markup"
                };
                return Err(self.fail(
                    self.line,
                    format!(
                        "more than {} MiB of {what} in one piece: not a file a CAT tool writes \
                         (a longer segment limit needs --max-segment-size)",
                        self.max_event >> 20
                    ),
                ));
            }
        }
        self.at += bytes.len() as u64;
        Ok(())
    }
}

/// The scanner's next state after byte `b`, and whether `b` starts a new
/// piece of text or markup.
fn step(lex: Lex, b: u8) -> (Lex, bool) {
    match lex {
        Lex::Text => match b {
            b'<' => (Lex::Open, true),
            _ => (Lex::Text, false),
        },
        Lex::Open => match b {
            b'!' => (Lex::Bang(0), false),
            b'?' => (Lex::Pi(false), false),
            _ => step(Lex::Tag(None), b),
        },
        Lex::Bang(0) if b == b'-' => (Lex::Bang(1), false),
        Lex::Bang(1) if b == b'-' => (Lex::Comment(0), false),
        Lex::Bang(0) if b == b'[' => (Lex::BangCData(0), false),
        Lex::Bang(0) if b == b'D' => (Lex::Keyword(1), false),
        Lex::Bang(_) => (Lex::Invalid, false),
        // `<!DOCTYPE` in capitals and followed by white space, as XML
        // requires (quick-xml takes `<!doctype` and `<!DOCTYPEtmx`).
        Lex::Keyword(7) if b.is_ascii_whitespace() => (Lex::Doctype(0, None), false),
        Lex::Keyword(n) if n < 7 && b"DOCTYPE"[n as usize] == b => (Lex::Keyword(n + 1), false),
        Lex::Keyword(_) | Lex::Invalid => (Lex::Invalid, false),
        Lex::BangCData(n) if b"CDATA["[n as usize] == b => match n {
            5 => (Lex::CData(0), false),
            _ => (Lex::BangCData(n + 1), false),
        },
        Lex::BangCData(_) => (Lex::Invalid, false),
        Lex::Tag(Some(quote)) if b == quote => (Lex::Tag(None), false),
        Lex::Tag(Some(quote)) => (Lex::Tag(Some(quote)), false),
        Lex::Tag(None) => match b {
            b'"' | b'\'' => (Lex::Tag(Some(b)), false),
            b'>' => (Lex::Text, true),
            _ => (Lex::Tag(None), false),
        },
        Lex::Comment(dashes) => match b {
            b'-' => (Lex::Comment((dashes + 1).min(2)), false),
            b'>' if dashes == 2 => (Lex::Text, true),
            _ => (Lex::Comment(0), false),
        },
        Lex::CData(brackets) => match b {
            b']' => (Lex::CData((brackets + 1).min(2)), false),
            b'>' if brackets == 2 => (Lex::Text, true),
            _ => (Lex::CData(0), false),
        },
        Lex::Pi(question) => match b {
            b'?' => (Lex::Pi(true), false),
            b'>' if question => (Lex::Text, true),
            _ => (Lex::Pi(false), false),
        },
        Lex::Doctype(depth, Some(quote)) if b == quote => (Lex::Doctype(depth, None), false),
        Lex::Doctype(depth, Some(quote)) => (Lex::Doctype(depth, Some(quote)), false),
        Lex::Doctype(depth, None) => match b {
            b'"' | b'\'' => (Lex::Doctype(depth, Some(b)), false),
            b'[' => (Lex::Doctype(depth + 1, None), false),
            b']' => (Lex::Doctype(depth.saturating_sub(1), None), false),
            b'>' if depth == 0 => (Lex::Text, true),
            _ => (Lex::Doctype(depth, None), false),
        },
    }
}

impl<R: Read> Read for Scanner<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((_, message)) = &self.tracker.borrow().failure {
            return Err(io::Error::new(io::ErrorKind::InvalidData, message.clone()));
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !self.carry.is_empty() {
            let carry = std::mem::take(&mut self.carry);
            // A sequence cut by the end of the file: check it alone.
            self.check_utf8(&carry)?;
            if !self.carry.is_empty() {
                let line = self.line;
                return Err(self.fail(line, "the file ends in the middle of a character".into()));
            }
        }
        self.check_utf8(&buf[..n])?;
        self.scan(&buf[..n])?;
        Ok(n)
    }
}

/// Where the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the first event: the XML declaration may come.
    Start,
    /// In the prolog, before the root element.
    Prolog,
    /// Inside the root element.
    Root,
    /// After the root element closed.
    Epilog,
}

/// An XML file opened for streaming, read through [`XmlFile::next`].
pub struct XmlFile {
    reader: Reader<BufReader<Scanner<Box<dyn Read>>>>,
    tracker: Rc<RefCell<Tracker>>,
    /// The encoding read, for summaries (`UTF-8`, `ISO-8859-15`).
    pub encoding: String,
    path: PathBuf,
    stage: Stage,
    seen_doctype: bool,
    /// Open elements: their names and the namespaces each declares
    /// (prefix, URI).
    open: Vec<(String, Vec<(String, String)>)>,
    /// The line where the current event starts.
    event_line: u64,
}

/// How a file's bytes become the UTF-8 the parser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoding {
    Utf8,
    /// UTF-8 that must hold only ASCII (declared `US-ASCII`).
    Ascii,
    Utf16 {
        big_endian: bool,
    },
    /// A declared single-byte encoding (ISO-8859-15, Windows-1252…).
    SingleByte(&'static encoding_rs::Encoding),
}

impl Decoding {
    fn name(self) -> String {
        match self {
            Decoding::Utf8 => "UTF-8".to_string(),
            Decoding::Ascii => "US-ASCII".to_string(),
            Decoding::Utf16 { big_endian: false } => "UTF-16LE".to_string(),
            Decoding::Utf16 { big_endian: true } => "UTF-16BE".to_string(),
            Decoding::SingleByte(encoding) => encoding.name().to_string(),
        }
    }
}

/// The `encoding` of the XML declaration that opens `head` (ASCII-
/// compatible bytes), if it has one.
fn declared_encoding(head: &[u8]) -> Option<String> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let decl = head.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&decl[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|&q| q == '"' || q == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// Decide how to decode a file from its first bytes: a byte-order mark,
/// the zero bytes of UTF-16, else the declared encoding (UTF-8 when none).
/// A declaration that contradicts the bytes is an error.
fn decoding(head: &[u8]) -> std::result::Result<Decoding, String> {
    let utf16 = if head.starts_with(b"\xFF\xFE")
        || (head.len() > 1 && head[0] == b'<' && head[1] == 0)
    {
        Some(false)
    } else if head.starts_with(b"\xFE\xFF") || (head.len() > 1 && head[0] == 0 && head[1] == b'<') {
        Some(true)
    } else {
        None
    };
    if let Some(big_endian) = utf16 {
        // The declaration, read as UTF-16 (ASCII characters only).
        let ascii: Vec<u8> = head
            .chunks_exact(2)
            .map(|b| if big_endian { b[1] } else { b[0] })
            .skip_while(|&b| b == 0xFE || b == 0xFF)
            .collect();
        return match declared_encoding(&ascii).map(|e| e.to_ascii_lowercase()) {
            None => Ok(Decoding::Utf16 { big_endian }),
            Some(e) if e.starts_with("utf-16") || e == "ucs-2" => {
                Ok(Decoding::Utf16 { big_endian })
            }
            Some(e) => Err(format!(
                "the file is UTF-16 but its declaration says encoding=\"{e}\"; fix the declaration"
            )),
        };
    }
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let Some(label) = declared_encoding(head) else {
        return Ok(Decoding::Utf8);
    };
    let lower = label.to_ascii_lowercase();
    match lower.as_str() {
        "utf-8" | "utf8" => Ok(Decoding::Utf8),
        "us-ascii" | "ascii" if !bom => Ok(Decoding::Ascii),
        _ if lower.starts_with("utf-16") || lower == "ucs-2" => Err(format!(
            "the declaration says encoding=\"{label}\", but the file is not UTF-16 (no \
             byte-order mark, no zero bytes): it is probably UTF-8; fix the declaration"
        )),
        _ if bom => Err(format!(
            "the file starts with a UTF-8 byte-order mark but declares encoding=\"{label}\"; \
             fix the declaration"
        )),
        _ => match encoding_rs::Encoding::for_label(label.as_bytes()) {
            Some(encoding) if encoding.is_single_byte() => Ok(Decoding::SingleByte(encoding)),
            Some(_) => Err(format!(
                "encoding=\"{label}\" is not one memoire reads (UTF-8, UTF-16 or a \
                 single-byte encoding such as ISO-8859-15): save the file as UTF-8"
            )),
            None => Err(format!(
                "unknown encoding=\"{label}\" in the XML declaration"
            )),
        },
    }
}

/// Open `path` as XML: UTF-16 (with a byte-order mark, or recognised by
/// its zero bytes, as Trados writes it), the single-byte encoding its
/// declaration names (ISO-8859-15, Windows-1252…), else UTF-8; always
/// parsed as UTF-8.
pub fn open(path: &Path, limits: Limits) -> Result<XmlFile> {
    let mut file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    let mut head = [0u8; 512];
    let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io("cannot read", path, e))?;
    let file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    from_reader(&head[..n], Box::new(file), path, limits)
}

/// Check that `bytes` (a part of a Word or OpenDocument file, a wire file)
/// are a well-formed XML document, as strictly as the imports check
/// theirs; the error names `name` and the line.
pub fn check_well_formed(bytes: &[u8], name: &Path) -> Result<()> {
    let head = &bytes[..bytes.len().min(512)];
    let mut xml = from_reader(
        head,
        Box::new(io::Cursor::new(bytes.to_vec())),
        name,
        Limits {
            max_event: u64::MAX,
        },
    )?;
    let mut buf = Vec::new();
    while !matches!(xml.next(&mut buf)?, Event::Eof) {}
    Ok(())
}

/// An XML reader over `file`, whose first bytes are `head`.
fn from_reader(head: &[u8], file: Box<dyn Read>, path: &Path, limits: Limits) -> Result<XmlFile> {
    let decoding = decoding(head).map_err(|why| {
        Error::new(Kind::Encoding, format!("{why}; nothing was imported")).at_line(path, 1)
    })?;
    let decoded: Box<dyn Read> = match decoding {
        Decoding::Utf16 { big_endian } => {
            Box::new(Utf16Decoder::new(BufReader::new(file), big_endian))
        }
        Decoding::SingleByte(encoding) => Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .build(file),
        ),
        // quick-xml removes one UTF-8 byte-order mark itself (a second one
        // is text before the root, an error).
        Decoding::Utf8 | Decoding::Ascii => Box::new(BufReader::with_capacity(1 << 16, file)),
    };
    let tracker = Rc::new(RefCell::new(Tracker::default()));
    let scanner = Scanner {
        inner: decoded,
        tracker: Rc::clone(&tracker),
        at: 0,
        line: 1,
        lex: Lex::Text,
        run: 0,
        max_event: limits.max_event,
        carry: Vec::new(),
        decoding,
    };
    let mut reader = Reader::from_reader(BufReader::with_capacity(1 << 16, scanner));
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    Ok(XmlFile {
        reader,
        tracker,
        encoding: decoding.name(),
        path: path.to_path_buf(),
        stage: Stage::Start,
        seen_doctype: false,
        open: Vec::new(),
        event_line: 1,
    })
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

impl XmlFile {
    /// The line the parser has reached.
    pub fn line(&self) -> u64 {
        self.tracker
            .borrow_mut()
            .line_at(self.reader.buffer_position())
    }

    /// Bytes of the decoded file read so far, for progress reports.
    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fatal error at the current line: the file cannot be imported.
    pub fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::new(
            Kind::Input,
            format!("{message}; nothing was imported — fix the file and try again"),
        )
        .at_line(&self.path, self.line())
    }

    /// A fatal error at the line where the current event started.
    fn event_error(&self, message: impl std::fmt::Display) -> Error {
        Error::new(
            Kind::Input,
            format!("{message}; nothing was imported — fix the file and try again"),
        )
        .at_line(&self.path, self.event_line)
    }

    /// A fatal error where the parser failed: the XML cannot be read on.
    pub fn malformed(&self, cause: impl std::fmt::Display) -> Error {
        if let Some((line, message)) = self.tracker.borrow().failure.clone() {
            return Error::new(Kind::Input, format!("{message}; nothing was imported"))
                .at_line(&self.path, line);
        }
        let line = self
            .tracker
            .borrow_mut()
            .line_at(self.reader.error_position());
        Error::new(
            Kind::Input,
            format!("malformed XML ({cause}); nothing was imported — fix the file and try again"),
        )
        .at_line(&self.path, line)
    }

    /// The next event of a well-formed document; `Event::Eof` only once
    /// the root element has closed and nothing but white space, comments
    /// and processing instructions followed it.
    pub fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>> {
        buf.clear();
        self.event_line = self.line();
        let event = match self.reader.read_event_into(buf) {
            Ok(event) => event,
            Err(e) => return Err(self.malformed(e)),
        };
        self.check(&event)?;
        Ok(event)
    }

    fn check(&mut self, event: &Event<'_>) -> Result<()> {
        let first = self.stage == Stage::Start;
        if first {
            self.stage = Stage::Prolog;
        }
        match event {
            Event::Decl(decl) => {
                if self.stage == Stage::Epilog {
                    return Err(self.event_error(
                        "a second XML document after the end of the first: two files glued \
                         together?",
                    ));
                }
                if !first {
                    return Err(self.event_error(
                        "an XML declaration <?xml …?> that is not at the very start of the file",
                    ));
                }
                check_declaration(decl).map_err(|why| self.event_error(why))
            }
            Event::Start(start) | Event::Empty(start) => {
                match self.stage {
                    Stage::Epilog => {
                        return Err(self.event_error(format!(
                            "a second root element <{}> after the end of the document: two \
                             files glued together?",
                            start.name().into_inner()
                        )));
                    }
                    _ => self.stage = Stage::Root,
                }
                if self.open.len() >= MAX_DEPTH {
                    return Err(
                        self.event_error(format!("elements nested more than {MAX_DEPTH} deep"))
                    );
                }
                let prefixes = check_start(start).map_err(|why| self.event_error(why))?;
                self.check_namespaces(start, &prefixes)
                    .map_err(|why| self.event_error(why))?;
                if matches!(event, Event::Start(_)) {
                    let name: &str = start.name().into_inner();
                    self.open.push((name.to_string(), prefixes));
                } else if self.open.is_empty() {
                    self.stage = Stage::Epilog;
                }
                Ok(())
            }
            Event::End(_) => {
                self.open.pop();
                if self.open.is_empty() {
                    self.stage = Stage::Epilog;
                }
                Ok(())
            }
            Event::Text(text) => {
                let raw: &str = text;
                if self.open.is_empty() {
                    if let Some(at) = raw.find(|c| !matches!(c, ' ' | '\t' | '\r' | '\n')) {
                        let place = if self.stage == Stage::Epilog {
                            "after the end of the document"
                        } else {
                            "before the root element"
                        };
                        let line = self.event_line + raw[..at].matches('\n').count() as u64;
                        let c = raw[at..].chars().next().unwrap_or(' ');
                        return Err(Error::new(
                            Kind::Input,
                            format!("text {place} (starting {c:?}); nothing was imported"),
                        )
                        .at_line(&self.path, line));
                    }
                    return Ok(());
                }
                if raw.contains("]]>") {
                    return Err(
                        self.event_error("\"]]>\" in text (it may only end a CDATA section)")
                    );
                }
                check_chars(raw).map_err(|why| self.event_error(why))
            }
            Event::CData(cdata) => {
                if self.open.is_empty() {
                    return Err(self.event_error("a CDATA section outside the root element"));
                }
                check_chars(cdata).map_err(|why| self.event_error(why))
            }
            Event::GeneralRef(reference) => {
                if self.open.is_empty() {
                    return Err(self.event_error("an entity reference outside the root element"));
                }
                check_reference(reference).map_err(|why| self.event_error(why))
            }
            Event::Comment(comment) => {
                let raw: &str = comment;
                if raw.ends_with('-') {
                    return Err(self.event_error("a comment ending in \"--->\""));
                }
                check_chars(raw).map_err(|why| self.event_error(why))
            }
            Event::PI(pi) => {
                let target = pi.target();
                if target.eq_ignore_ascii_case("xml") {
                    return Err(self.event_error(
                        "an XML declaration <?xml …?> that is not at the very start of the file",
                    ));
                }
                if !is_name(target) {
                    return Err(
                        self.event_error(format!("a processing instruction named {target:?}"))
                    );
                }
                check_chars(pi).map_err(|why| self.event_error(why))
            }
            Event::DocType(doctype) => {
                if self.stage != Stage::Prolog || self.seen_doctype {
                    return Err(self.event_error("a DOCTYPE that is not before the root element"));
                }
                self.seen_doctype = true;
                check_doctype(doctype).map_err(|why| self.event_error(why))
            }
            Event::Eof => match (self.stage, self.open.last()) {
                (Stage::Epilog, _) => Ok(()),
                (_, Some((name, _))) => {
                    Err(self.event_error(format!("the file ends inside <{name}>: it is truncated")))
                }
                _ => Err(self.event_error("the file holds no XML element")),
            },
        }
    }

    /// Every prefix used by the element and its attributes is declared
    /// here or by an enclosing element, and no two attributes have the same
    /// namespace and local name.
    fn check_namespaces(
        &self,
        start: &BytesStart<'_>,
        declared: &[(String, String)],
    ) -> std::result::Result<(), String> {
        let uri = |prefix: &str| -> Option<String> {
            if prefix == "xml" {
                return Some("http://www.w3.org/XML/1998/namespace".to_string());
            }
            declared
                .iter()
                .chain(self.open.iter().rev().flat_map(|(_, d)| d.iter()))
                .find(|(p, _)| p == prefix)
                .map(|(_, u)| u.clone())
        };
        let element: &str = start.name().into_inner();
        if let Some((prefix, _)) = element.split_once(':')
            && uri(prefix).is_none()
        {
            return Err(format!(
                "the namespace prefix {prefix:?} of <{element}> is not declared"
            ));
        }
        let mut expanded: Vec<(String, &str)> = Vec::new();
        for name in attribute_names(start) {
            let Some((prefix, local)) = name.split_once(':') else {
                continue;
            };
            if prefix == "xmlns" {
                continue;
            }
            let Some(uri) = uri(prefix) else {
                return Err(format!(
                    "the namespace prefix {prefix:?} of <{element}> is not declared"
                ));
            };
            if expanded.iter().any(|(u, l)| *u == uri && *l == local) {
                return Err(format!(
                    "two attributes {local} in the same namespace in <{element}>"
                ));
            }
            expanded.push((uri, local));
        }
        Ok(())
    }
}

/// How deep elements may nest (TMX, TBX and XLIFF need a dozen levels).
const MAX_DEPTH: usize = 1000;

/// Is `c` a character XML 1.0 allows in a document?
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn check_chars(text: &str) -> std::result::Result<(), String> {
    match text.chars().find(|&c| !is_xml_char(c)) {
        Some(c) => Err(format!(
            "character U+{:04X}, which XML does not allow",
            c as u32
        )),
        None => Ok(()),
    }
}

fn is_name_start(c: char) -> bool {
    matches!(c, ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// An XML Name that is also a qualified name of Namespaces in XML: one or
/// two parts around a colon, each starting like a name.
fn is_name(name: &str) -> bool {
    let part = |p: &str| {
        let mut chars = p.chars();
        chars.next().is_some_and(|c| c != ':' && is_name_start(c))
            && chars.all(|c| c != ':' && is_name_char(c))
    };
    match name.split_once(':') {
        Some((prefix, local)) => part(prefix) && part(local),
        None => part(name),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// A reference without its `&` and `;`: a defined entity or a character
/// XML allows.
fn check_reference(name: &str) -> std::result::Result<(), String> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix('x') {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()
            }
            Some(_) => None,
            None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                number.parse().ok()
            }
            None => None,
        };
        return match code.and_then(char::from_u32) {
            Some(c) if is_xml_char(c) => Ok(()),
            _ => Err(format!(
                "the character reference &{name}; is not a character XML allows"
            )),
        };
    }
    match name {
        "lt" | "gt" | "amp" | "apos" | "quot" | "nbsp" => Ok(()),
        _ if is_name(name) => Err(format!("undefined entity &{name};")),
        _ => Err(format!("a malformed reference &{name}")),
    }
}

/// The attributes of a start tag, checked: `name="value"` pairs separated
/// by white space, names valid and not repeated, values quoted, without
/// `<`, with defined references and allowed characters. Returns the
/// namespace prefixes the tag declares.
fn check_start(start: &BytesStart<'_>) -> std::result::Result<Vec<(String, String)>, String> {
    let tag: &str = start;
    let name_len = tag.bytes().position(is_space).unwrap_or(tag.len());
    let name = &tag[..name_len];
    if !is_name(name) || name.starts_with("xmlns:") {
        return Err(format!("an element named {name:?}"));
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut declared = Vec::new();
    for attribute in parse_attributes(&tag[name_len..])? {
        let (key, value) = attribute;
        if !is_name(key) {
            return Err(format!("an attribute named {key:?} in <{name}>"));
        }
        if seen.contains(&key) {
            return Err(format!("the attribute {key} twice in <{name}>"));
        }
        seen.push(key);
        check_value(value).map_err(|why| format!("attribute {key} of <{name}>: {why}"))?;
        if let Some(prefix) = key.strip_prefix("xmlns:") {
            const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
            if value.is_empty() {
                return Err(format!("the namespace prefix {prefix} is declared empty"));
            }
            if prefix == "xmlns" || (prefix == "xml") != (value == XML_NS) {
                return Err(format!("the reserved namespace prefix {prefix} is rebound"));
            }
            declared.push((prefix.to_string(), value.to_string()));
        }
    }
    Ok(declared)
}

/// `(name, raw value)` of each attribute in the text after an element name,
/// or why it is not attribute syntax.
fn parse_attributes(mut rest: &str) -> std::result::Result<Vec<(&str, &str)>, String> {
    let mut out = Vec::new();
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        if trimmed.is_empty() {
            return Ok(out);
        }
        if trimmed.len() == rest.len() {
            return Err(format!(
                "no space before {:?}",
                trimmed.chars().take(20).collect::<String>()
            ));
        }
        let key_len = trimmed
            .find(|c: char| c == '=' || c.is_ascii_whitespace())
            .ok_or_else(|| format!("the attribute {trimmed:?} has no value"))?;
        let key = &trimmed[..key_len];
        let after = trimmed[key_len..].trim_start_matches([' ', '\t', '\r', '\n']);
        let after = after
            .strip_prefix('=')
            .ok_or_else(|| format!("the attribute {key} has no value"))?
            .trim_start_matches([' ', '\t', '\r', '\n']);
        let quote = after
            .chars()
            .next()
            .filter(|&q| q == '"' || q == '\'')
            .ok_or_else(|| format!("the value of the attribute {key} is not in quotes"))?;
        let body = &after[1..];
        let end = body
            .find(quote)
            .ok_or_else(|| format!("the value of the attribute {key} has no closing quote"))?;
        out.push((key, &body[..end]));
        rest = &body[end + 1..];
    }
}

/// A raw attribute value: no `<`, references defined, characters allowed.
fn check_value(value: &str) -> std::result::Result<(), String> {
    if value.contains('<') {
        return Err("\"<\" in the value".to_string());
    }
    check_chars(value)?;
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        let after = &rest[at + 1..];
        let end = after
            .find(';')
            .ok_or_else(|| "an \"&\" that starts no reference".to_string())?;
        check_reference(&after[..end])?;
        rest = &after[end + 1..];
    }
    Ok(())
}

/// The names of a start tag's attributes (already checked).
fn attribute_names<'a>(start: &'a BytesStart<'_>) -> impl Iterator<Item = &'a str> {
    let tag: &str = start;
    let name_len = tag.bytes().position(is_space).unwrap_or(tag.len());
    parse_attributes(&tag[name_len..])
        .unwrap_or_default()
        .into_iter()
        .map(|(key, _)| key)
}

/// `<?xml version="1.0" encoding="…" standalone="…"?>`, in that order.
fn check_declaration(decl: &quick_xml::events::BytesDecl<'_>) -> std::result::Result<(), String> {
    let content: &str = decl;
    let attributes = parse_attributes(content.strip_prefix("xml").unwrap_or(content))
        .map_err(|why| format!("in the XML declaration: {why}"))?;
    let keys: Vec<&str> = attributes.iter().map(|(k, _)| *k).collect();
    let order_ok = matches!(
        keys.as_slice(),
        ["version"]
            | ["version", "encoding"]
            | ["version", "standalone"]
            | ["version", "encoding", "standalone"]
    );
    if !order_ok {
        return Err(format!(
            "the XML declaration has {} (it takes version, then optionally encoding and standalone)",
            keys.join(", ")
        ));
    }
    for (key, value) in attributes {
        let ok = match key {
            "version" => {
                value.len() > 2
                    && value.starts_with("1.")
                    && value[2..].bytes().all(|b| b.is_ascii_digit())
            }
            "encoding" => {
                value.starts_with(|c: char| c.is_ascii_alphabetic())
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            }
            _ => matches!(value, "yes" | "no"),
        };
        if !ok {
            return Err(format!("the XML declaration has {key}={value:?}"));
        }
    }
    Ok(())
}

/// `<!DOCTYPE name (SYSTEM "…" | PUBLIC "…" "…")?>`; an internal subset
/// (`[…]`) is refused: memoire does not read DTDs, and entities declared
/// there would be read wrong.
fn check_doctype(doctype: &str) -> std::result::Result<(), String> {
    check_chars(doctype)?;
    if doctype.contains('[') {
        return Err("a DOCTYPE with an internal subset […], which memoire does not read".into());
    }
    let mut words = doctype.split_ascii_whitespace();
    let name = words.next().unwrap_or_default();
    if !is_name(name) {
        return Err(format!("a DOCTYPE named {name:?}"));
    }
    let rest = doctype[doctype.find(name).unwrap_or(0) + name.len()..].trim();
    let literals = |mut text: &str, count: usize| -> bool {
        for _ in 0..count {
            text = text.trim_start();
            let Some(quote) = text.chars().next().filter(|&q| q == '"' || q == '\'') else {
                return false;
            };
            let Some(end) = text[1..].find(quote) else {
                return false;
            };
            text = &text[end + 2..];
        }
        text.trim().is_empty()
    };
    let ok = if rest.is_empty() {
        true
    } else if let Some(system) = rest.strip_prefix("SYSTEM") {
        system.starts_with(|c: char| c.is_ascii_whitespace()) && literals(system, 1)
    } else if let Some(public) = rest.strip_prefix("PUBLIC") {
        public.starts_with(|c: char| c.is_ascii_whitespace()) && literals(public, 2)
    } else {
        false
    };
    if ok {
        Ok(())
    } else {
        Err(format!("a malformed DOCTYPE ({doctype:?})"))
    }
}

/// Text or an attribute value for an XML file memoire writes: escaped,
/// and each character XML cannot hold replaced by U+FFFD (see
/// [`crate::text::forbidden_char`]), so that the file is always
/// well-formed.
pub fn text(text: &str) -> String {
    quick_xml::escape::escape(crate::text::without_forbidden(text).as_ref()).into_owned()
}

/// The text an entity reference stands for: a character reference, one of
/// the five predefined entities, or `&nbsp;` (which HTML habits put in
/// TMX files); any other entity is undefined here, and an error.
pub fn entity_text(entity: &BytesRef<'_>) -> std::result::Result<String, String> {
    if let Ok(Some(c)) = entity.resolve_char_ref() {
        return Ok(c.to_string());
    }
    match quick_xml::escape::resolve_predefined_entity(entity) {
        Some(text) => Ok(text.to_string()),
        None if &**entity == "nbsp" => Ok("\u{a0}".to_string()),
        None => Err(format!("undefined entity &{};", &**entity)),
    }
}

/// An attribute's value by local name (`lang` finds `xml:lang` and `lang`),
/// entities decoded.
pub fn attribute(element: &BytesStart<'_>, local: &str) -> Option<String> {
    element.attributes().flatten().find_map(|a| {
        let key: &str = a.key.as_ref();
        let name = key.rsplit(':').next().unwrap_or(key);
        (name == local).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
    })
}

/// The local name of an element (`tuv`, `langSet`…).
pub fn local_name(element: &BytesStart<'_>) -> String {
    let name = element.local_name();
    let name: &str = name.as_ref();
    name.to_string()
}

/// Which of a unit's language variants (`langs`, as tagged in the file) are
/// the source and the target: never the same one. The source prefers the
/// exact tag, then the file's declared source language (`srclang`), then
/// the same primary language; the target the exact tag, then the same
/// primary language; ties go to the first in the file. `Err` says which
/// side has no variant of its own.
pub fn pick_variants(
    langs: &[&str],
    source: &str,
    target: &str,
    srclang: Option<&str>,
) -> std::result::Result<(usize, usize), Missing> {
    let srclang = srclang.map(|l| l.trim().replace('_', "-").to_ascii_lowercase());
    let source_fit = |lang: &str| match language_fit(lang, source) {
        2 => 3,
        1 if srclang.as_deref() == Some(&lang.trim().replace('_', "-").to_ascii_lowercase()) => 2,
        fit => fit,
    };
    // The best fit overall, then the best target; the first in the file.
    let best = (0..langs.len())
        .flat_map(|i| (0..langs.len()).map(move |j| (i, j)))
        .filter(|&(i, j)| i != j)
        .map(|(i, j)| {
            (
                (source_fit(langs[i]), language_fit(langs[j], target)),
                (i, j),
            )
        })
        .filter(|&((fs, ft), _)| fs > 0 && ft > 0)
        .min_by_key(|&((fs, ft), (i, j))| (std::cmp::Reverse((fs + ft, ft)), i, j));
    if let Some((_, pair)) = best {
        return Ok(pair);
    }
    let has = |wanted: &str| langs.iter().any(|l| language_fit(l, wanted) > 0);
    Err(if !has(source) {
        Missing::Source
    } else if !has(target) {
        Missing::Target
    } else {
        Missing::Separate
    })
}

/// What [`pick_variants`] could not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Source,
    Target,
    /// Only one variant fits both languages: it cannot be both.
    Separate,
}

impl Missing {
    /// `no fr variant`, `no en term`, `no separate en-us and en-gb variants`.
    pub fn describe(self, source: &str, target: &str, what: &str) -> String {
        match self {
            Missing::Source => format!("no {source} {what}"),
            Missing::Target => format!("no {target} {what}"),
            Missing::Separate => format!("no separate {source} and {target} {what}s"),
        }
    }
}

/// A language tag from a file compared with the wanted one: 2 for the
/// same tag (`fr-CH` for `fr-ch`), 1 for the same language (`fr-FR`, `FR`
/// for `fr`), 0 otherwise.
pub fn language_fit(found: &str, wanted: &str) -> u8 {
    let found = found.trim().replace('_', "-").to_ascii_lowercase();
    if found == wanted {
        2
    } else if crate::text::primary_language(&found) == crate::text::primary_language(wanted) {
        1
    } else {
        0
    }
}

/// `20261124T101500Z` (TMX) → `2026-11-24T10:15:00Z`; `None` if malformed.
pub fn tmx_date_to_iso(date: &str) -> Option<String> {
    let d = date.trim();
    let ok = d.len() == 16
        && d.as_bytes()[8] == b'T'
        && d.ends_with('Z')
        && d[..8]
            .bytes()
            .chain(d[9..15].bytes())
            .all(|b| b.is_ascii_digit());
    ok.then(|| {
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            &d[9..11],
            &d[11..13],
            &d[13..15]
        )
    })
}

/// `2026-11-24T10:15:00Z` → `20261124T101500Z`.
pub fn iso_to_tmx_date(iso: &str) -> String {
    iso.chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T' || *c == 'Z')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmx_dates_convert_both_ways() {
        assert_eq!(
            tmx_date_to_iso("20261124T101500Z").as_deref(),
            Some("2026-11-24T10:15:00Z")
        );
        assert_eq!(tmx_date_to_iso("2026-11-24"), None);
        assert_eq!(iso_to_tmx_date("2026-11-24T10:15:00Z"), "20261124T101500Z");
    }

    #[test]
    fn a_variant_is_never_both_source_and_target() {
        // Regression: a unit with only de-de and en-gb, imported as
        // en-US → en-GB, stored "First entry" → "First entry".
        assert!(pick_variants(&["de-de", "en-gb"], "en-us", "en-gb", None).is_err());
        assert_eq!(
            pick_variants(&["en-GB", "en-US"], "en-us", "en-gb", None),
            Ok((1, 0))
        );
        assert_eq!(
            pick_variants(&["en-GB", "en-AU"], "en-us", "en-gb", Some("en-AU")),
            Ok((1, 0))
        );
        assert_eq!(
            pick_variants(&["fr-FR", "en-GB", "en-US"], "fr", "en", None),
            Ok((0, 1))
        );
        assert_eq!(
            pick_variants(&["FR"], "fr", "en", None),
            Err(Missing::Target)
        );
        assert_eq!(
            pick_variants(&["en-GB"], "en-us", "en-gb", None),
            Err(Missing::Separate)
        );
    }

    #[test]
    fn languages_fit_by_tag_then_language() {
        assert_eq!(language_fit("fr-CH", "fr-ch"), 2);
        assert_eq!(language_fit("FR", "fr"), 2);
        assert_eq!(language_fit("fr-FR", "fr"), 1);
        assert_eq!(language_fit("fr_CA", "fr"), 1);
        assert_eq!(language_fit("en-US", "fr"), 0);
    }
}
