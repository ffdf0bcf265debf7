//! Inline codes of the XML exchange formats, read into and written from
//! the one segment model ([`crate::text::Coded`]).
//!
//! One reader for all: the TMX elements (`bpt`, `ept`, `ph`, `it`, `ut`,
//! `hi`, `sub`), XLIFF 1.2's (`g`, `x`, `bx`, `ex`, `bpt`, `ept`, `ph`,
//! `it`, `mrk`) and XLIFF 2.0's (`pc`, `ph`, `sc`, `ec`, `cp`, `mrk`, `sm`,
//! `em`). A code element's content is its native code — kept as the code's
//! markup, never as text; `sub` text inside it stays in that markup. The
//! readers feed the events of a segment to an [`InlineBuilder`] and
//! [`align`] the source's and the target's codes so that a target code
//! carries the id of the source code it stands for.
//!
//! Writers put the codes back as TMX level 2 (`bpt`/`ept` with `i` and
//! `x`, `ph`, `it`, `hi`), XLIFF 1.2 (`bpt`/`ept`/`ph` with the native code,
//! `g`/`x` without) and XLIFF 2.0 (`pc`/`ph`, the native code in
//! `originalData`).

use std::collections::HashMap;

use quick_xml::events::BytesStart;

use super::xml;
use crate::text::coded::Isolated;
use crate::text::{Code, CodeKind, Coded};

/// Which format's elements are being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Tmx,
    Xliff1,
    Xliff2,
}

/// What ties a code to its counterpart in the other language: TMX's `x`
/// (or `i` for `bpt`/`ept`), XLIFF's `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeKey(pub Option<String>);

/// A code element being read: its content goes to the markup.
#[derive(Debug)]
struct Capture {
    kind: CodeKind,
    /// TMX/XLIFF 1.2 `it`: which end of a pair it is.
    isolated: Option<Isolated>,
    /// `i` of a `bpt`/`ept` (pairs them inside one segment).
    pair: Option<String>,
    key: Option<String>,
    ctype: Option<String>,
    markup: String,
    /// Elements opened inside it (`sub`).
    depth: usize,
}

/// Builds one segment (`seg`, `source`, `target`) from its events.
#[derive(Debug)]
pub struct InlineBuilder {
    dialect: Dialect,
    coded: Coded,
    keys: Vec<CodeKey>,
    capture: Option<Capture>,
    /// Paired elements open around the text (`hi`, `g`, `pc`): name and
    /// the id of their open code; transparent ones (`mrk`) have none.
    open: Vec<(String, Option<u32>)>,
    /// `bpt` (by `i`) or `sc` (by `id`) waiting for their end.
    started: HashMap<String, u32>,
    next_id: u32,
    /// XLIFF 2.0 `originalData`: native code by data id.
    data: HashMap<String, String>,
}

/// An element this module reads as a code (or transparent markup).
pub fn is_inline(dialect: Dialect, name: &str) -> bool {
    match dialect {
        Dialect::Tmx => matches!(name, "bpt" | "ept" | "ph" | "it" | "ut" | "hi" | "sub"),
        Dialect::Xliff1 => matches!(
            name,
            "g" | "x" | "bx" | "ex" | "bpt" | "ept" | "ph" | "it" | "mrk" | "sub"
        ),
        Dialect::Xliff2 => matches!(name, "pc" | "ph" | "sc" | "ec" | "cp" | "mrk" | "sm" | "em"),
    }
}

/// TMX and XLIFF 1.2 type names as memoire keeps them (`ulined` is
/// `underline`).
fn ctype_of(value: Option<String>) -> Option<String> {
    value.map(|t| match t.as_str() {
        "ulined" | "underlined" => "underline".to_string(),
        "x-bold" => "bold".to_string(),
        "x-italic" => "italic".to_string(),
        _ => t,
    })
}

impl InlineBuilder {
    pub fn new(dialect: Dialect) -> InlineBuilder {
        InlineBuilder {
            dialect,
            coded: Coded::default(),
            keys: Vec::new(),
            capture: None,
            open: Vec::new(),
            started: HashMap::new(),
            next_id: 1,
            data: HashMap::new(),
        }
    }

    /// XLIFF 2.0: the unit's `originalData`, for `dataRef`, `dataRefStart`
    /// and `dataRefEnd`.
    pub fn with_data(mut self, data: HashMap<String, String>) -> InlineBuilder {
        self.data = data;
        self
    }

    /// The text read so far (codes aside).
    pub fn text(&self) -> &str {
        &self.coded.text
    }

    fn push(
        &mut self,
        kind: CodeKind,
        id: u32,
        ctype: Option<String>,
        markup: String,
        key: Option<String>,
    ) {
        self.coded.codes.push(Code {
            kind,
            id,
            at: self.coded.text.len(),
            ctype,
            markup,
            isolated: None,
        });
        self.keys.push(CodeKey(key));
    }

    /// Mark the code just pushed as one end of a pair it does not hold.
    fn isolate(&mut self, end: Isolated) {
        if let Some(code) = self.coded.codes.last_mut() {
            code.kind = CodeKind::Standalone;
            code.isolated = Some(end);
        }
    }

    fn new_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id - 1
    }

    /// Text (decoded) at the current place.
    pub fn push_text(&mut self, text: &str) {
        match self.capture.as_mut() {
            Some(capture) => capture.markup.push_str(text),
            None => self.coded.text.push_str(text),
        }
    }

    /// An opening tag inside the segment. Returns false for an element
    /// that is not inline markup of the dialect (the caller decides).
    pub fn start(&mut self, e: &BytesStart<'_>) -> bool {
        let name = xml::local_name(e);
        if let Some(capture) = self.capture.as_mut() {
            // `sub` and whatever else inside a native code: its text is
            // part of that code.
            capture.depth += 1;
            return true;
        }
        if !is_inline(self.dialect, &name) {
            return false;
        }
        let attr = |a: &str| xml::attribute(e, a);
        let capture = |kind, pair, key, ctype| Capture {
            kind,
            isolated: None,
            pair,
            key,
            ctype,
            markup: String::new(),
            depth: 0,
        };
        match (self.dialect, name.as_str()) {
            (Dialect::Tmx, "bpt") => {
                self.capture = Some(capture(
                    CodeKind::Open,
                    attr("i"),
                    attr("x").or_else(|| attr("i")),
                    ctype_of(attr("type")),
                ))
            }
            (Dialect::Tmx, "ept") => {
                self.capture = Some(capture(CodeKind::Close, attr("i"), attr("i"), None))
            }
            (Dialect::Tmx, "ph" | "ut") => {
                self.capture = Some(capture(
                    CodeKind::Standalone,
                    None,
                    attr("x"),
                    ctype_of(attr("type")),
                ))
            }
            (Dialect::Tmx | Dialect::Xliff1, "it") => {
                let end = match attr("pos").as_deref() {
                    Some("end" | "close") => Isolated::End,
                    _ => Isolated::Begin,
                };
                let ctype = ctype_of(attr("type").or_else(|| attr("ctype")));
                let mut it = capture(
                    CodeKind::Standalone,
                    None,
                    attr("x").or_else(|| attr("id")),
                    ctype,
                );
                it.isolated = Some(end);
                self.capture = Some(it);
            }
            (Dialect::Tmx, "hi") => {
                let id = self.new_id();
                self.push(
                    CodeKind::Open,
                    id,
                    ctype_of(attr("type")).or(Some("x-hi".to_string())),
                    String::new(),
                    attr("x"),
                );
                self.open.push((name, Some(id)));
            }
            (Dialect::Xliff1, "bpt") => {
                self.capture = Some(capture(
                    CodeKind::Open,
                    attr("rid").or_else(|| attr("id")),
                    attr("id"),
                    ctype_of(attr("ctype")),
                ))
            }
            (Dialect::Xliff1, "ept") => {
                self.capture = Some(capture(
                    CodeKind::Close,
                    attr("rid").or_else(|| attr("id")),
                    attr("id"),
                    None,
                ))
            }
            (Dialect::Xliff1, "ph") => {
                self.capture = Some(capture(
                    CodeKind::Standalone,
                    None,
                    attr("id"),
                    ctype_of(attr("ctype")),
                ))
            }
            (Dialect::Xliff1, "g") => {
                let id = self.new_id();
                self.push(
                    CodeKind::Open,
                    id,
                    ctype_of(attr("ctype")),
                    String::new(),
                    attr("id"),
                );
                self.open.push((name, Some(id)));
            }
            (Dialect::Xliff2, "pc") => {
                let id = self.new_id();
                let markup = attr("dataRefStart")
                    .and_then(|d| self.data.get(&d).cloned())
                    .unwrap_or_default();
                self.push(CodeKind::Open, id, xliff2_type(e), markup, attr("id"));
                let end = attr("dataRefEnd")
                    .and_then(|d| self.data.get(&d).cloned())
                    .unwrap_or_default();
                self.open.push((format!("pc\u{0}{end}"), Some(id)));
            }
            // Annotations and anything else inline: their text is text.
            _ => self.open.push((name, None)),
        }
        true
    }

    /// A closing tag inside the segment; false when it is not this
    /// module's (the segment's own end tag).
    pub fn end(&mut self, name: &str) -> bool {
        if let Some(capture) = self.capture.as_mut() {
            if capture.depth > 0 {
                capture.depth -= 1;
                return true;
            }
            let capture = self.capture.take().expect("a capture");
            self.finish_capture(capture);
            return true;
        }
        let Some(k) = self
            .open
            .iter()
            .rposition(|(open, _)| open == name || open.split('\u{0}').next() == Some(name))
        else {
            return false;
        };
        let (open, id) = self.open.remove(k);
        if let Some(id) = id {
            let markup = open
                .split_once('\u{0}')
                .map_or(String::new(), |(_, m)| m.to_string());
            let at = self
                .coded
                .codes
                .iter()
                .position(|c| c.id == id && c.kind == CodeKind::Open)
                .expect("the open code is there");
            let ctype = self.coded.codes[at].ctype.clone();
            let key = self.keys[at].0.clone();
            self.push(CodeKind::Close, id, ctype, markup, key);
        }
        true
    }

    /// An empty element (`<ph/>`, `<x/>`, `<sc/>`) inside the segment.
    pub fn empty(&mut self, e: &BytesStart<'_>) -> bool {
        if self.capture.is_some() {
            return true;
        }
        let name = xml::local_name(e);
        if !is_inline(self.dialect, &name) {
            return false;
        }
        let attr = |a: &str| xml::attribute(e, a);
        let data_map = self.data.clone();
        let data = |a: &str| {
            attr(a)
                .and_then(|d| data_map.get(&d).cloned())
                .unwrap_or_default()
        };
        match (self.dialect, name.as_str()) {
            (Dialect::Xliff1, "x" | "bx" | "ex") => {
                let id = self.new_id();
                let ctype = ctype_of(attr("ctype"));
                self.push(CodeKind::Standalone, id, ctype, String::new(), attr("id"));
                match name.as_str() {
                    "bx" => self.isolate(Isolated::Begin),
                    "ex" => self.isolate(Isolated::End),
                    _ => {}
                }
            }
            (Dialect::Xliff2, "ph") => {
                let id = self.new_id();
                let markup = data("dataRef");
                self.push(CodeKind::Standalone, id, xliff2_type(e), markup, attr("id"));
            }
            (Dialect::Xliff2, "sc") => {
                let id = self.new_id();
                let markup = data("dataRef");
                if let Some(key) = attr("id") {
                    self.started.insert(key, id);
                }
                self.push(CodeKind::Open, id, xliff2_type(e), markup, attr("id"));
            }
            (Dialect::Xliff2, "ec") => {
                let markup = data("dataRef");
                match attr("startRef").and_then(|r| self.started.remove(&r)) {
                    Some(id) => {
                        let ctype = self
                            .coded
                            .codes
                            .iter()
                            .find(|c| c.id == id)
                            .and_then(|c| c.ctype.clone());
                        self.push(CodeKind::Close, id, ctype, markup, attr("startRef"));
                    }
                    None => {
                        let id = self.new_id();
                        self.push(CodeKind::Standalone, id, None, markup, attr("id"));
                        self.isolate(Isolated::End);
                    }
                }
            }
            (Dialect::Xliff2, "cp") => {
                if let Some(c) = attr("hex")
                    .and_then(|h| u32::from_str_radix(&h, 16).ok())
                    .and_then(char::from_u32)
                {
                    self.push_text(&c.to_string());
                }
            }
            (_, "bpt" | "ept" | "ph" | "it" | "ut" | "hi" | "g" | "pc") => {
                // An empty element that usually has content: the same code
                // with no native code.
                self.start(e);
                let name = xml::local_name(e);
                self.end(&name);
            }
            _ => {}
        }
        true
    }

    fn finish_capture(&mut self, capture: Capture) {
        match capture.kind {
            CodeKind::Open => {
                let id = self.new_id();
                if let Some(pair) = &capture.pair {
                    self.started.insert(pair.clone(), id);
                }
                self.push(
                    CodeKind::Open,
                    id,
                    capture.ctype,
                    capture.markup,
                    capture.key,
                );
            }
            CodeKind::Close => match capture.pair.as_ref().and_then(|p| self.started.remove(p)) {
                Some(id) => {
                    let ctype = self
                        .coded
                        .codes
                        .iter()
                        .find(|c| c.id == id)
                        .and_then(|c| c.ctype.clone());
                    self.push(CodeKind::Close, id, ctype, capture.markup, capture.key);
                }
                // An end without its start: an isolated code.
                None => {
                    let id = self.new_id();
                    self.push(CodeKind::Standalone, id, None, capture.markup, capture.key);
                    self.isolate(Isolated::End);
                }
            },
            CodeKind::Standalone => {
                let id = self.new_id();
                self.push(
                    CodeKind::Standalone,
                    id,
                    capture.ctype,
                    capture.markup,
                    capture.key,
                );
                if let Some(end) = capture.isolated {
                    self.isolate(end);
                }
            }
        }
    }

    /// The segment, with its codes' keys. A start left without its end
    /// (`bpt` without `ept`, `sc` without `ec`) becomes an isolated code,
    /// so the segment always nests.
    pub fn finish(mut self) -> (Coded, Vec<CodeKey>) {
        if let Some(capture) = self.capture.take() {
            self.finish_capture(capture);
        }
        while let Some((name, _)) = self.open.last().cloned() {
            let name = name.split('\u{0}').next().unwrap_or("").to_string();
            self.end(&name);
        }
        let unclosed: Vec<u32> = self.started.values().copied().collect();
        for code in &mut self.coded.codes {
            if code.kind == CodeKind::Open && unclosed.contains(&code.id) {
                code.kind = CodeKind::Standalone;
                code.isolated = Some(Isolated::Begin);
            }
        }
        if self.coded.check().is_err() {
            // Codes that do not nest (`<hi>` closed across a `bpt` pair):
            // their markup kept, as isolated codes.
            for code in &mut self.coded.codes {
                code.kind = CodeKind::Standalone;
            }
            self.coded.renumber();
        }
        (self.coded, self.keys)
    }
}

/// XLIFF 2.0 `type`/`subType` as memoire's code type.
fn xliff2_type(e: &BytesStart<'_>) -> Option<String> {
    match xml::attribute(e, "subType").as_deref() {
        Some("xlf:b") => Some("bold".to_string()),
        Some("xlf:i") => Some("italic".to_string()),
        Some("xlf:u") => Some("underline".to_string()),
        Some("xlf:lb") => Some("break".to_string()),
        Some(other) => Some(other.to_string()),
        None => match xml::attribute(e, "type").as_deref() {
            Some("link") => Some("link".to_string()),
            Some("image") => Some("image".to_string()),
            Some(other) => Some(format!("x-{other}")),
            None => None,
        },
    }
}

/// The source and the target of a unit with their codes numbered 1, 2, …
/// in the source, each target code taking the number of the source code
/// it stands for: by key (TMX `x`/`i`, XLIFF `id`), else by rank among
/// codes of its kind and type. Target codes with no counterpart get
/// numbers of their own.
pub fn align(source: (Coded, Vec<CodeKey>), target: (Coded, Vec<CodeKey>)) -> (Coded, Coded) {
    let (mut source, source_keys) = source;
    let (mut target, target_keys) = target;
    // Number the source 1, 2, …
    source.renumber();
    let source_ids: Vec<u32> = source.codes.iter().map(|c| c.id).collect();
    let rank = |codes: &[Code], k: usize| {
        let c = &codes[k];
        codes[..k]
            .iter()
            .filter(|d| d.kind == c.kind && d.ctype == c.ctype)
            .count()
    };
    let mut used = vec![false; source.codes.len()];
    let mut mapping: HashMap<u32, u32> = HashMap::new();
    // Opens and standalones decide; a close follows its open.
    for (k, (code, key)) in target.codes.iter().zip(&target_keys).enumerate() {
        if code.kind == CodeKind::Close {
            continue;
        }
        let by_key = key.0.as_ref().and_then(|key| {
            (0..source.codes.len()).find(|&s| {
                !used[s]
                    && source.codes[s].kind == code.kind
                    && source_keys[s].0.as_deref() == Some(key.as_str())
            })
        });
        let by_rank = || {
            let r = rank(&target.codes, k);
            (0..source.codes.len()).find(|&s| {
                !used[s]
                    && source.codes[s].kind == code.kind
                    && source.codes[s].ctype == code.ctype
                    && rank(&source.codes, s) == r
            })
        };
        if let Some(s) = by_key.or_else(by_rank) {
            used[s] = true;
            mapping.insert(code.id, source_ids[s]);
        }
    }
    let mut fresh = source_ids.iter().copied().max().unwrap_or(0) + 1;
    for code in &mut target.codes {
        let id = *mapping.entry(code.id).or_insert_with(|| {
            fresh += 1;
            fresh - 1
        });
        code.id = id;
    }
    (source, target)
}

/// Escape native code for an XML element's content.
fn native(markup: &str) -> String {
    xml::text(markup)
}

/// The segment as TMX level-2 content: `bpt`/`ept` (with `i`, and `x`
/// linking the two languages), `ph`, `it`, and `hi` for a pair without
/// native code.
pub fn write_tmx(coded: &Coded) -> String {
    let mut out = String::with_capacity(coded.text.len() + 32 * coded.codes.len());
    let mut from = 0;
    let hi: Vec<u32> = coded
        .codes
        .iter()
        .filter(|c| c.kind == CodeKind::Open && c.markup.is_empty())
        .map(|c| c.id)
        .collect();
    for code in &coded.codes {
        out.push_str(&xml::text(&coded.text[from..code.at]));
        from = code.at;
        let ctype = code
            .ctype
            .as_deref()
            .filter(|t| *t != "x-hi")
            .map(|t| format!(" type=\"{}\"", xml::text(tmx_type(t))))
            .unwrap_or_default();
        let id = code.id;
        out.push_str(&match code.kind {
            CodeKind::Open if hi.contains(&id) => format!("<hi x=\"{id}\"{ctype}>"),
            CodeKind::Close if hi.contains(&id) => "</hi>".to_string(),
            CodeKind::Open => format!(
                "<bpt i=\"{id}\" x=\"{id}\"{ctype}>{}</bpt>",
                native(&code.markup)
            ),
            CodeKind::Close => format!("<ept i=\"{id}\">{}</ept>", native(&code.markup)),
            CodeKind::Standalone => match code.isolated {
                Some(end) => format!(
                    "<it pos=\"{}\" x=\"{id}\"{ctype}>{}</it>",
                    if end == Isolated::End { "end" } else { "begin" },
                    native(&code.markup)
                ),
                None => format!("<ph x=\"{id}\"{ctype}>{}</ph>", native(&code.markup)),
            },
        });
    }
    out.push_str(&xml::text(&coded.text[from..]));
    out
}

/// TMX's name of a code type (`underline` is `ulined`).
fn tmx_type(ctype: &str) -> &str {
    match ctype {
        "underline" => "ulined",
        other => other,
    }
}

/// The segment as XLIFF 1.2 content: a code with native markup as
/// `bpt`/`ept`/`ph`, one without as `g`/`x`.
pub fn write_xliff1(coded: &Coded) -> String {
    let mut out = String::with_capacity(coded.text.len() + 32 * coded.codes.len());
    let mut from = 0;
    let g: Vec<u32> = coded
        .codes
        .iter()
        .filter(|c| c.kind == CodeKind::Open && c.markup.is_empty())
        .map(|c| c.id)
        .collect();
    for code in &coded.codes {
        out.push_str(&xml::text(&coded.text[from..code.at]));
        from = code.at;
        let ctype = code
            .ctype
            .as_deref()
            .map(|t| {
                let t = match t {
                    "underline" => "underlined",
                    "bold" | "italic" | "link" | "image" | "lb" => t,
                    t if t.starts_with("x-") => t,
                    _ => "",
                };
                if t.is_empty() {
                    String::new()
                } else {
                    format!(" ctype=\"{}\"", xml::text(t))
                }
            })
            .unwrap_or_default();
        let id = code.id;
        out.push_str(&match code.kind {
            CodeKind::Open if g.contains(&id) => format!("<g id=\"{id}\"{ctype}>"),
            CodeKind::Close if g.contains(&id) => "</g>".to_string(),
            CodeKind::Open => format!(
                "<bpt id=\"{id}\" rid=\"{id}\"{ctype}>{}</bpt>",
                native(&code.markup)
            ),
            CodeKind::Close => format!(
                "<ept id=\"{id}e\" rid=\"{id}\">{}</ept>",
                native(&code.markup)
            ),
            CodeKind::Standalone if code.isolated.is_some() => format!(
                "<it id=\"{id}\" pos=\"{}\"{ctype}>{}</it>",
                if code.isolated == Some(Isolated::End) {
                    "close"
                } else {
                    "open"
                },
                native(&code.markup)
            ),
            CodeKind::Standalone if code.markup.is_empty() => format!("<x id=\"{id}\"{ctype}/>"),
            CodeKind::Standalone => format!("<ph id=\"{id}\"{ctype}>{}</ph>", native(&code.markup)),
        });
    }
    out.push_str(&xml::text(&coded.text[from..]));
    out
}

/// XLIFF 2.0: the segment's content (`pc` for pairs, `ph` for standalone
/// codes, `dataRef…` pointing into `originalData`), and the data entries
/// (`id`, native code) the unit must declare. `prefix` keeps data ids
/// unique within the unit (the segment id).
pub fn write_xliff2(coded: &Coded, prefix: &str) -> (String, Vec<(String, String)>) {
    let mut out = String::with_capacity(coded.text.len() + 32 * coded.codes.len());
    let mut data = Vec::new();
    let mut from = 0;
    let mut data_ref = |code: &Code, end: bool| -> String {
        if code.markup.is_empty() {
            return String::new();
        }
        let id = format!("{prefix}d{}{}", code.id, if end { "e" } else { "" });
        data.push((id.clone(), code.markup.clone()));
        let attr = match (code.kind, end) {
            (CodeKind::Open, _) => "dataRefStart",
            (CodeKind::Close, _) => "dataRefEnd",
            (CodeKind::Standalone, _) => "dataRef",
        };
        format!(" {attr}=\"{id}\"")
    };
    // A pc's end markup goes on its start tag: look it up ahead.
    let closes: HashMap<u32, &Code> = coded
        .codes
        .iter()
        .filter(|c| c.kind == CodeKind::Close)
        .map(|c| (c.id, c))
        .collect();
    for code in &coded.codes {
        out.push_str(&xml::text(&coded.text[from..code.at]));
        from = code.at;
        let id = code.id;
        let (kind_attr, sub) = xliff2_attrs(code.ctype.as_deref());
        out.push_str(&match code.kind {
            CodeKind::Open => {
                let start = data_ref(code, false);
                let end = closes.get(&id).map_or(String::new(), |c| data_ref(c, true));
                format!("<pc id=\"{id}\"{kind_attr}{sub}{start}{end}>")
            }
            CodeKind::Close => "</pc>".to_string(),
            CodeKind::Standalone => {
                let r = data_ref(code, false);
                format!("<ph id=\"{id}\"{kind_attr}{sub}{r}/>")
            }
        });
    }
    out.push_str(&xml::text(&coded.text[from..]));
    (out, data)
}

/// `type` and `subType` attributes of XLIFF 2.0 for a code type.
fn xliff2_attrs(ctype: Option<&str>) -> (String, String) {
    let fmt = |sub: &str| (" type=\"fmt\"".to_string(), format!(" subType=\"{sub}\""));
    match ctype {
        Some("bold") => fmt("xlf:b"),
        Some("italic") => fmt("xlf:i"),
        Some("underline") => fmt("xlf:u"),
        Some("break") => fmt("xlf:lb"),
        Some("link") => (" type=\"link\"".to_string(), String::new()),
        Some("image") => (" type=\"image\"".to_string(), String::new()),
        _ => (String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    /// Read the content of the first `<seg>`/`<source>` of `xml`.
    fn read(dialect: Dialect, xml: &str) -> (Coded, Vec<CodeKey>) {
        let mut reader = Reader::from_str(xml);
        let mut builder = InlineBuilder::new(dialect);
        let mut depth = 0;
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => {
                    if depth > 0 {
                        builder.start(&e);
                    }
                    depth += 1;
                }
                Event::Empty(e) => {
                    builder.empty(&e);
                }
                Event::End(e) => {
                    depth -= 1;
                    if depth > 0 {
                        let name = e.local_name().as_ref().to_string();
                        builder.end(&name);
                    }
                }
                Event::Text(t) => builder.push_text(&t.xml10_content()),
                Event::GeneralRef(r) => builder.push_text(&xml::entity_text(&r).unwrap()),
                Event::Eof => break,
                _ => {}
            }
        }
        builder.finish()
    }

    #[test]
    fn tmx_codes_are_read_with_their_native_markup() {
        let (coded, keys) = read(
            Dialect::Tmx,
            r#"<seg>Le <bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>Conseil<ept i="1">&lt;/b&gt;</ept> a dit<ph x="2">&lt;br/&gt;</ph> <hi type="italic">non</hi><it pos="begin">&lt;i&gt;</it>.</seg>"#,
        );
        assert_eq!(coded.text, "Le Conseil a dit non.");
        assert_eq!(
            coded.display(),
            "Le {1}Conseil{/1} a dit{2/} {3}non{/3}{4/}."
        );
        assert_eq!(coded.codes[0].markup, "<b>");
        assert_eq!(coded.codes[0].ctype.as_deref(), Some("bold"));
        assert_eq!(coded.codes[2].markup, "<br/>");
        assert_eq!(coded.codes[5].isolated, Some(Isolated::Begin));
        assert_eq!(keys[0], CodeKey(Some("1".into())));
        // Written back as TMX and read again: the same segment.
        let written = format!("<seg>{}</seg>", write_tmx(&coded));
        assert_eq!(read(Dialect::Tmx, &written).0, coded);
    }

    #[test]
    fn a_start_without_its_end_becomes_an_isolated_code() {
        let (coded, _) = read(
            Dialect::Tmx,
            r#"<seg><bpt i="1">&lt;b&gt;</bpt>Gras <ept i="9">&lt;/i&gt;</ept>fin</seg>"#,
        );
        assert!(coded.check().is_ok());
        assert_eq!(coded.display(), "{1/}Gras {2/}fin");
    }

    #[test]
    fn xliff_codes_of_both_versions_read_back_as_written() {
        let (coded, _) = read(
            Dialect::Tmx,
            r#"<seg>Le <bpt i="1" type="bold">&lt;b&gt;</bpt>Conseil<ept i="1">&lt;/b&gt;</ept> et <hi type="italic">l'ONU</hi><ph x="3">&lt;br/&gt;</ph>.</seg>"#,
        );
        let v1 = format!("<source>{}</source>", write_xliff1(&coded));
        assert_eq!(read(Dialect::Xliff1, &v1).0, coded);
        let (v2, data) = write_xliff2(&coded, "s1");
        let data: HashMap<String, String> = data.into_iter().collect();
        let mut builder = InlineBuilder::new(Dialect::Xliff2).with_data(data);
        let mut reader = Reader::from_str(&v2);
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => {
                    builder.start(&e);
                }
                Event::Empty(e) => {
                    builder.empty(&e);
                }
                Event::End(e) => {
                    let name = e.local_name().as_ref().to_string();
                    builder.end(&name);
                }
                Event::Text(t) => builder.push_text(&t.xml10_content()),
                Event::GeneralRef(r) => builder.push_text(&xml::entity_text(&r).unwrap()),
                Event::Eof => break,
                _ => {}
            }
        }
        let (back, _) = builder.finish();
        assert_eq!(back, coded, "{v2}");
    }

    #[test]
    fn target_codes_take_the_numbers_of_the_source_codes_they_stand_for() {
        let source = read(
            Dialect::Tmx,
            r#"<seg><bpt i="5" x="7">&lt;a&gt;</bpt>Berne<ept i="5">&lt;/a&gt;</ept> et <bpt i="6" x="8">&lt;b&gt;</bpt>Genève<ept i="6">&lt;/b&gt;</ept></seg>"#,
        );
        // The target has the two pairs the other way round.
        let target = read(
            Dialect::Tmx,
            r#"<seg><bpt i="1" x="8">&lt;b&gt;</bpt>Geneva<ept i="1">&lt;/b&gt;</ept> and <bpt i="2" x="7">&lt;a&gt;</bpt>Bern<ept i="2">&lt;/a&gt;</ept></seg>"#,
        );
        let (source, target) = align(source, target);
        assert_eq!(source.display(), "{1}Berne{/1} et {2}Genève{/2}");
        assert_eq!(target.display(), "{2}Geneva{/2} and {1}Bern{/1}");
    }
}
