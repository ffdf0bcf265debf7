//! Text encodings of the files translators import: detection, a decoded
//! stream, per-cell decoding that never guesses silently, and the checks
//! that refuse files which are not text at all.
//!
//! Detection (when not forced):
//! * a byte-order mark decides: UTF-8, UTF-16 LE, UTF-16 BE;
//! * UTF-16 without a mark is recognised by its zero bytes;
//! * otherwise the whole file is scanned once: valid UTF-8 is UTF-8; a file
//!   with no UTF-8 multi-byte character at all is Windows-1252 (what French
//!   Excel writes; Latin-1 is read as Windows-1252, its superset); a file
//!   with both is *mixed*: each cell that is valid UTF-8 is read as UTF-8,
//!   and a cell that is not is read as Windows-1252 only when it holds no
//!   UTF-8 character at all and does not end in a cut UTF-8 sequence — a
//!   cell with broken UTF-8 is refused rather than turned into `Ã©`.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::str::FromStr;

use crate::error::{Error, Kind, Result};

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

    /// The byte-order mark of the encoding (empty for Windows-1252).
    pub fn bom(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8 => b"\xEF\xBB\xBF",
            TextEncoding::Windows1252 => b"",
            TextEncoding::Utf16Le => b"\xFF\xFE",
            TextEncoding::Utf16Be => b"\xFE\xFF",
        }
    }

    pub fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }

    /// Bytes of the decoded stream back in this encoding, for the rejects
    /// file of a UTF-16 input (a lone surrogate, which the stream holds in
    /// its WTF-8 form, goes back as it was); other encodings pass through.
    pub fn reencode(self, stream_bytes: &[u8]) -> Vec<u8> {
        let big_endian = match self {
            TextEncoding::Utf16Le => false,
            TextEncoding::Utf16Be => true,
            _ => return stream_bytes.to_vec(),
        };
        let mut units: Vec<u16> = Vec::with_capacity(stream_bytes.len());
        // The odd last byte of a file, kept as read.
        let mut odd = None;
        let mut rest = stream_bytes;
        while !rest.is_empty() {
            let valid = match std::str::from_utf8(rest) {
                Ok(valid) => valid,
                Err(e) => std::str::from_utf8(&rest[..e.valid_up_to()]).expect("valid prefix"),
            };
            units.extend(valid.encode_utf16());
            rest = &rest[valid.len()..];
            match rest {
                // A surrogate in WTF-8: ED A0..BF xx.
                [0xED, b1 @ 0xA0..=0xBF, b2, ..] => {
                    units.push(0xD000 | (u16::from(*b1 & 0x3F) << 6) | u16::from(*b2 & 0x3F));
                    rest = &rest[3..];
                }
                [] => {}
                [b, ..] => {
                    odd = Some(*b);
                    rest = &rest[1..];
                }
            }
        }
        let mut out: Vec<u8> = units
            .into_iter()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect();
        out.extend(odd);
        out
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

/// What [`detect`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: TextEncoding,
    pub had_bom: bool,
    /// UTF-8 with some cells in Windows-1252 (see the module docs).
    pub mixed: bool,
}

/// Files that are not text, by their first bytes: what they are.
const NOT_TEXT: &[(&[u8], &str)] = &[
    (
        b"PK\x03\x04",
        "a ZIP archive (an Excel .xlsx, a Word or LibreOffice file?)",
    ),
    (b"\xD0\xCF\x11\xE0", "an old Office file (.xls or .doc)"),
    (b"{\\rtf", "an RTF document (WordPad, Word)"),
    (b"\x1F\x8B", "a gzip-compressed file"),
    (b"\xFD7zXZ\x00", "an xz-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"%PDF", "a PDF document"),
    (b"\x7FELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
];

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

/// The encoding of `path`: `forced` if given (refusing a byte-order mark
/// that says otherwise), else detected. Files that are not text are refused.
pub fn detect(path: &Path, forced: Option<TextEncoding>) -> Result<Detected> {
    let mut file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    let mut head = vec![0; 4096];
    let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io("cannot read", path, e))?;
    head.truncate(n);
    if let Some((_, what)) = NOT_TEXT.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Err(Error::new(
            Kind::Input,
            format!("this is {what}, not a CSV or text file; save it as CSV (UTF-8) first"),
        )
        .at(path));
    }
    let marked = [
        TextEncoding::Utf8,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
    ]
    .into_iter()
    .find(|e| head.starts_with(e.bom()));
    if let Some(forced) = forced {
        return match marked {
            Some(mark) if mark != forced => Err(Error::new(
                Kind::Encoding,
                format!(
                    "the file starts with a {} byte-order mark, but --encoding {} was given; \
                     leave --encoding out",
                    mark.name(),
                    forced.name()
                ),
            )
            .at(path)),
            _ => Ok(Detected {
                encoding: forced,
                had_bom: marked.is_some(),
                mixed: false,
            }),
        };
    }
    if let Some(encoding) = marked {
        return Ok(Detected {
            encoding,
            had_bom: true,
            mixed: false,
        });
    }
    if let Some(encoding) = utf16_by_zero_bytes(&head) {
        return Ok(Detected {
            encoding,
            had_bom: false,
            mixed: false,
        });
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io("cannot read", path, e))?;
    let census = utf8_census(&mut file).map_err(|e| Error::io("cannot read", path, e))?;
    if census.cut_at_end && census.invalid == 1 {
        return Err(Error::new(
            Kind::Encoding,
            "the file ends in the middle of a UTF-8 character: it was cut (an interrupted \
             download or copy); import the whole file",
        )
        .at(path));
    }
    let encoding = if census.multibyte == 0 && census.invalid > 0 {
        TextEncoding::Windows1252
    } else {
        TextEncoding::Utf8
    };
    Ok(Detected {
        encoding,
        had_bom: false,
        mixed: census.multibyte > 0 && census.invalid > 0,
    })
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
    /// The stream ends inside a UTF-8 character (a lead byte without all
    /// its continuation bytes): a cut file.
    cut_at_end: bool,
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
                            census.cut_at_end = true;
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
/// the stream the CSV parser reads and line numbers refer to.
pub fn decoded_stream(path: &Path, detected: Detected) -> Result<Box<dyn Read>> {
    let mut file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    let encoding = detected.encoding;
    if encoding.is_utf16() {
        let big_endian = encoding == TextEncoding::Utf16Be;
        return Ok(Box::new(Utf16Decoder::new(
            io::BufReader::with_capacity(1 << 16, file),
            big_endian,
        )));
    }
    if detected.had_bom {
        file.seek(SeekFrom::Start(encoding.bom().len() as u64))
            .map_err(|e| Error::io("cannot read", path, e))?;
    }
    Ok(Box::new(io::BufReader::with_capacity(1 << 16, file)))
}

/// UTF-16 to UTF-8, keeping what cannot be decoded visible: a lone
/// surrogate becomes its 3-byte WTF-8 form (which is not UTF-8, so the
/// [`Scanner`] or the CSV cell check refuses it, and which re-encodes to
/// the same UTF-16 for a rejects file), an odd last byte becomes 0xFF.
/// encoding_rs would turn both into U+FFFD silently.
pub struct Utf16Decoder<R> {
    inner: R,
    big_endian: bool,
    input: Vec<u8>,
    output: Vec<u8>,
    out_pos: usize,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
    /// The byte-order mark is still to be skipped.
    at_start: bool,
    done: bool,
}

impl<R: Read> Utf16Decoder<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16Decoder {
            inner,
            big_endian,
            input: Vec::with_capacity(1 << 16),
            output: Vec::with_capacity(1 << 17),
            out_pos: 0,
            high: None,
            at_start: true,
            done: false,
        }
    }

    fn push_wtf8(&mut self, unit: u16) {
        // The generalised UTF-8 form of a surrogate code point.
        let code = u32::from(unit);
        self.output.extend([
            0xE0 | (code >> 12) as u8,
            0x80 | ((code >> 6) & 0x3F) as u8,
            0x80 | (code & 0x3F) as u8,
        ]);
    }

    fn push_char(&mut self, c: char) {
        let mut bytes = [0u8; 4];
        self.output
            .extend_from_slice(c.encode_utf8(&mut bytes).as_bytes());
    }

    fn decode(&mut self, unit: u16) {
        if self.at_start {
            self.at_start = false;
            if unit == 0xFEFF {
                return;
            }
        }
        if let Some(high) = self.high.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let code =
                    0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                self.push_char(char::from_u32(code).expect("a valid surrogate pair"));
                return;
            }
            self.push_wtf8(high);
        }
        match unit {
            0xD800..0xDC00 => self.high = Some(unit),
            0xDC00..0xE000 => self.push_wtf8(unit),
            _ => self.push_char(char::from_u32(u32::from(unit)).expect("not a surrogate")),
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        self.output.clear();
        self.out_pos = 0;
        while self.output.is_empty() && !self.done {
            let start = self.input.len();
            self.input.resize(start + (1 << 16), 0);
            let n = self.inner.read(&mut self.input[start..])?;
            self.input.truncate(start + n);
            if n == 0 {
                self.done = true;
            }
            let whole = self.input.len() / 2 * 2;
            let units: Vec<u16> = self.input[..whole]
                .chunks_exact(2)
                .map(|b| {
                    if self.big_endian {
                        u16::from_be_bytes([b[0], b[1]])
                    } else {
                        u16::from_le_bytes([b[0], b[1]])
                    }
                })
                .collect();
            self.input.drain(..whole);
            for unit in units {
                self.decode(unit);
            }
            if self.done {
                if let Some(high) = self.high.take() {
                    self.push_wtf8(high);
                }
                if !self.input.is_empty() {
                    self.output.push(0xFF);
                    self.input.clear();
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.output.len() {
            self.fill()?;
        }
        let n = buf.len().min(self.output.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Refuse a file that is not text by its first bytes (a Word file, a PDF,
/// an archive) read as a text, HTML or XML article.
pub fn refuse_binary(bytes: &[u8], name: &Path) -> Result<()> {
    match NOT_TEXT.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        Some((_, what)) => Err(Error::new(
            Kind::Input,
            format!(
                "this is {what}, not a text, HTML or XML article: memoire reads Word (.docx), \
                 LibreOffice (.odt), HTML, NITF/NewsML and plain-text articles; name the file by \
                 its format or give --input-format docx|odt, or save it as one of those"
            ),
        )
        .at(name)),
        None => Ok(()),
    }
}

/// A whole text (an article, a rules file) from its bytes: a byte-order
/// mark decides (UTF-8, UTF-16), else valid UTF-8 is UTF-8 and a text with
/// no UTF-8 character at all is Windows-1252 (what Word and older CMSs save
/// as "plain text"). Documents that are not plain text (Word, PDF, archives)
/// and texts that mix both encodings are refused, saying what to do.
/// Returns the text and the encoding read.
pub fn decode_text(bytes: &[u8], name: &Path) -> Result<(String, TextEncoding)> {
    refuse_binary(bytes, name)?;
    if bytes.starts_with(b"\xFF\xFE\x00\x00") || bytes.starts_with(b"\x00\x00\xFE\xFF") {
        return Err(Error::new(
            Kind::Encoding,
            "UTF-32 text: save it as UTF-8 and try again",
        )
        .at(name));
    }
    let utf16 = [
        (&b"\xFF\xFE"[..], TextEncoding::Utf16Le),
        (&b"\xFE\xFF"[..], TextEncoding::Utf16Be),
    ]
    .into_iter()
    .find_map(|(bom, encoding)| bytes.strip_prefix(bom).map(|rest| (rest, encoding)))
    // Without a byte-order mark, UTF-16 shows by its zero bytes.
    .or_else(|| utf16_by_zero_bytes(&bytes[..bytes.len().min(4096)]).map(|e| (bytes, e)));
    let (text, encoding) = match utf16 {
        Some((rest, encoding)) => (decode_utf16(rest, encoding, name)?, encoding),
        None => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let line_of =
                |at: usize| 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
            match std::str::from_utf8(bytes) {
                Ok(text) => (text.to_string(), TextEncoding::Utf8),
                // Valid UTF-8 up to a character cut at the very end.
                Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
                    return Err(Error::new(
                        Kind::Encoding,
                        "the file ends in the middle of a UTF-8 character: it was cut (an \
                         interrupted download or copy)",
                    )
                    .at_line(name, line_of(e.valid_up_to())));
                }
                Err(e) if is_plain_8bit(bytes) => {
                    let text = windows_1252(bytes).map_err(|why| {
                        let at = e.valid_up_to();
                        Error::new(Kind::Encoding, why).at_line(name, line_of(at))
                    })?;
                    (text, TextEncoding::Windows1252)
                }
                Err(e) => {
                    let at = e.valid_up_to();
                    return Err(Error::new(
                        Kind::Encoding,
                        format!(
                            "not UTF-8 text (byte 0x{:02X}), and not Windows-1252 either (it also \
                             holds UTF-8 characters): save the file as UTF-8 and try again",
                            bytes[at]
                        ),
                    )
                    .at_line(name, line_of(at)));
                }
            }
        }
    };
    // A NUL is no text: a binary file, or UTF-16/32 not recognised.
    if let Some(at) = text.find('\0') {
        let line = 1 + text[..at].matches('\n').count() as u64;
        return Err(Error::new(
            Kind::Encoding,
            "a NUL character: this is not a text file (save it as plain text, UTF-8)",
        )
        .at_line(name, line));
    }
    Ok((text, encoding))
}

/// UTF-16 bytes (after their byte-order mark) as text, refusing a cut
/// file and an unpaired surrogate with its line.
fn decode_utf16(bytes: &[u8], encoding: TextEncoding, name: &Path) -> Result<String> {
    if bytes.len() % 2 == 1 {
        return Err(Error::new(
            Kind::Encoding,
            "UTF-16 text with an odd number of bytes: the file was cut",
        )
        .at(name));
    }
    let units = bytes.chunks_exact(2).map(|b| {
        if encoding == TextEncoding::Utf16Be {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                let line = 1 + text.matches('\n').count() as u64;
                return Err(
                    Error::new(Kind::Encoding, "invalid UTF-16 (an unpaired surrogate)")
                        .at_line(name, line),
                );
            }
        }
    }
    Ok(text)
}

/// How a cell was decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    AsDetected,
    /// A Windows-1252 cell in a mixed UTF-8 file.
    Windows1252Fallback,
}

fn windows_1252(bytes: &[u8]) -> std::result::Result<String, String> {
    if let Some(&b) = bytes
        .iter()
        .find(|&&b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
    {
        return Err(format!("byte 0x{b:02X} is not a character in Windows-1252"));
    }
    Ok(encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned())
}

/// Decode one cell, refusing anything that would have to be guessed.
pub fn decode(bytes: &[u8], detected: Detected) -> std::result::Result<(String, Decoded), String> {
    let (text, how) = match detected.encoding {
        TextEncoding::Windows1252 => (windows_1252(bytes)?, Decoded::AsDetected),
        // UTF-16 arrives here already transcoded to UTF-8.
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), Decoded::AsDetected),
            Err(_) if detected.mixed && is_plain_8bit(bytes) => {
                (windows_1252(bytes)?, Decoded::Windows1252Fallback)
            }
            Err(_) if detected.encoding.is_utf16() => {
                return Err("invalid UTF-16 (an unpaired surrogate)".to_string());
            }
            Err(e) => {
                let at = e.valid_up_to();
                return Err(format!(
                    "invalid UTF-8 (byte 0x{:02X} after {:?}): the text is damaged or in another \
                     encoding; fix it in the rejects file",
                    bytes[at],
                    tail(&String::from_utf8_lossy(&bytes[..at]), 20)
                ));
            }
        },
    };
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(format!("control character U+{:04X} in the text", c as u32));
    }
    Ok((text, how))
}

/// Bytes that hold no UTF-8 multi-byte character and do not end in a cut
/// one (a lead byte followed by continuation bytes): 8-bit text in a
/// single-byte encoding, not damaged UTF-8.
fn is_plain_8bit(bytes: &[u8]) -> bool {
    let mut census = Utf8Census::default();
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                census.multibyte += count_multibyte(valid.as_bytes());
                break;
            }
            Err(e) => {
                census.multibyte += count_multibyte(&rest[..e.valid_up_to()]);
                let Some(len) = e.error_len() else {
                    // A lone lead byte at the end is a letter (`é` is 0xE9);
                    // a lead byte and continuation bytes are cut UTF-8.
                    return rest.len() - e.valid_up_to() == 1 && census.multibyte == 0;
                };
                rest = &rest[e.valid_up_to() + len..];
            }
        }
    }
    census.multibyte == 0
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

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(encoding: TextEncoding, mixed: bool) -> Detected {
        Detected {
            encoding,
            had_bom: false,
            mixed,
        }
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
                invalid: 1,
                cut_at_end: true,
            }
        );
        let cut = utf8_census(&mut &b"Deux chiens \xC3"[..]).unwrap();
        assert!(cut.cut_at_end);
        let whole = utf8_census(&mut &b"Deux chiens \xC3\x83\n"[..]).unwrap();
        assert!(!whole.cut_at_end);
    }

    #[test]
    fn mixed_files_decode_latin1_cells_but_refuse_damaged_utf8() {
        let mixed = detected(TextEncoding::Utf8, true);
        assert_eq!(
            decode("Café".as_bytes(), mixed),
            Ok(("Café".into(), Decoded::AsDetected))
        );
        assert_eq!(
            decode(b"Caf\xE9", mixed),
            Ok(("Café".into(), Decoded::Windows1252Fallback))
        );
        // A cell with a UTF-8 character and a stray byte is damaged UTF-8.
        assert!(decode(b"\xC3\xA9t\xE9", mixed).is_err());
        // A cut UTF-8 sequence at the end (€ is E2 82 AC) is damaged too.
        assert!(decode(b"5 \xE2\x82", mixed).is_err());
        assert_eq!(decode(b"\xC9t\xE9", mixed).unwrap().0, "Été");
        // Without the mixed flag, invalid UTF-8 is refused.
        assert!(decode(b"Caf\xE9", detected(TextEncoding::Utf8, false)).is_err());
    }

    #[test]
    fn undefined_windows_1252_bytes_and_controls_are_refused() {
        let cp1252 = detected(TextEncoding::Windows1252, false);
        assert!(decode(b"a\x81b", cp1252).unwrap_err().contains("0x81"));
        assert!(decode(b"a\x01b", cp1252).unwrap_err().contains("U+0001"));
        assert_eq!(decode(b"\x80 5", cp1252).unwrap().0, "€ 5");
    }

    #[test]
    fn rejects_of_utf16_files_go_back_to_utf16() {
        assert_eq!(
            TextEncoding::Utf16Le.reencode("é\n".as_bytes()),
            [0xE9, 0, b'\n', 0]
        );
        assert_eq!(TextEncoding::Utf16Be.reencode(b"a"), [0, b'a']);
        assert_eq!(TextEncoding::Utf8.reencode(b"a"), b"a");
    }

    #[test]
    fn encodings_parse_from_user_words() {
        assert_eq!(
            "Latin1".parse::<TextEncoding>(),
            Ok(TextEncoding::Windows1252)
        );
        assert!("ebcdic".parse::<TextEncoding>().is_err());
    }
}
