//! HTML articles as documents, parsed as a browser parses them (html5ever,
//! through scraper) and written back as the same page translated.
//!
//! Reading: every run of text and inline elements inside a block element
//! (`p`, `h1`–`h6`, `li`, `td`, `div`, `title`, `figcaption`…) is a
//! paragraph; inline elements (`b`, `strong`, `i`, `em`, `a`, `span`…)
//! become paired codes, `br`, `img` and comments standalone codes, each
//! keeping the element it came from. `script`, `style`, `template`,
//! `noscript`, `code`, `pre` and `svg` are not translated, nor is any
//! attribute but `alt` and `title`, whose values are paragraphs of their
//! own.
//!
//! Writing: the page is the one read, with each paragraph's content
//! replaced by its translation (the codes rebuilt as the elements they
//! were), `alt` and `title` replaced, `lang` set to the target language on
//! `<html>` (and on elements that said the source language), and a stretch
//! left untranslated wrapped in `<mark lang="fr">`. The document is written
//! in UTF-8, a `<meta charset>` saying so.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use ego_tree::{NodeId, NodeRef};
use html5ever::{LocalName, QualName, local_name, namespace_url, ns};
use scraper::node::{Element, Text};
use scraper::{Html, Node, StrTendril};

use crate::document::{self, DocFormat, Document, Paragraph, Role, TO_CHECK, UNTRANSLATED};
use crate::error::{Error, Kind, Result};
use crate::text::{Code, CodeKind, Coded};

/// Elements whose content is never translated.
const SKIPPED: &[&str] = &[
    "script", "style", "template", "noscript", "code", "pre", "svg", "math",
];

/// Elements that hold paragraphs (or other blocks) rather than flowing in
/// a line of text.
const BLOCKS: &[&str] = &[
    "html",
    "body",
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "ul",
    "summary",
    "menu",
    "title",
    "option",
    "select",
    "legend",
    "center",
];

/// Inline elements that stand alone (no text inside).
const STANDALONE: &[&str] = &[
    "br", "img", "wbr", "input", "hr", "video", "audio", "iframe",
];

/// Where a paragraph is in the page.
#[derive(Debug, Clone)]
enum Place {
    /// A run of children of an element.
    Run {
        parent: NodeId,
        children: Vec<NodeId>,
    },
    /// The value of an attribute.
    Attribute { element: NodeId, name: QualName },
    /// The `<title>`: its text.
    Title { element: NodeId },
}

/// An HTML page read as paragraphs.
pub struct HtmlDocument {
    html: Html,
    paragraphs: Vec<Paragraph>,
    places: Vec<Place>,
    /// The node each code's markup came from: paired codes rebuild its
    /// element, standalone codes copy the node whole.
    nodes: HashMap<String, NodeId>,
    encoding: Option<&'static str>,
}

impl HtmlDocument {
    pub fn read(bytes: &[u8]) -> Result<HtmlDocument> {
        super::encoding::refuse_binary(bytes, std::path::Path::new("<html>"))?;
        let (text, encoding) = decode(bytes)?;
        check_formatting(&text)?;
        let html = Html::parse_document(&text);
        check_depth(&html)?;
        let mut doc = HtmlDocument {
            html,
            paragraphs: Vec::new(),
            places: Vec::new(),
            nodes: HashMap::new(),
            encoding,
        };
        let root = doc.html.tree.root().id();
        doc.collect(root);
        Ok(doc)
    }

    /// Find the paragraphs under `id`, in document order.
    fn collect(&mut self, id: NodeId) {
        let element = self
            .html
            .tree
            .get(id)
            .and_then(|n| n.value().as_element().map(|e| e.name().to_string()));
        if let Some(name) = &element {
            self.attributes(id);
            if name == "title" {
                let node = self.html.tree.get(id).expect("a node of the tree");
                let text: String = node
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.text.to_string()))
                    .collect();
                if !text.trim().is_empty() {
                    self.push(
                        Coded::plain(text),
                        Role::Title,
                        Place::Title { element: id },
                    );
                }
                return;
            }
            if SKIPPED.contains(&name.as_str()) {
                return;
            }
        }
        // Runs of inline content between block children.
        let node = self.html.tree.get(id).expect("a node of the tree");
        let children: Vec<NodeId> = node.children().map(|c| c.id()).collect();
        let mut run: Vec<NodeId> = Vec::new();
        for child in children {
            if self.is_inline(child) {
                run.push(child);
            } else {
                self.flush_run(id, std::mem::take(&mut run), element.as_deref());
                self.collect(child);
            }
        }
        self.flush_run(id, run, element.as_deref());
    }

    /// Is the node part of a line of text (text, an inline element, a
    /// comment) rather than a block?
    fn is_inline(&self, id: NodeId) -> bool {
        let node = self.html.tree.get(id).expect("a node of the tree");
        match node.value() {
            Node::Text(_) | Node::Comment(_) => true,
            Node::Element(e) => {
                let name = e.name();
                !BLOCKS.contains(&name)
                    && !SKIPPED.contains(&name)
                    && node.descendants().all(|d| match d.value() {
                        Node::Element(e) => !BLOCKS.contains(&e.name()),
                        _ => true,
                    })
            }
            _ => false,
        }
    }

    /// A run of inline nodes is a paragraph when it holds text.
    fn flush_run(&mut self, parent: NodeId, run: Vec<NodeId>, parent_name: Option<&str>) {
        if run.is_empty() {
            return;
        }
        let mut coded = Coded::default();
        let mut next_id = 1;
        let mut with_attributes = Vec::new();
        for &id in &run {
            self.inline(id, &mut coded, &mut next_id, &mut with_attributes);
        }
        if coded.text.trim().is_empty() {
            // No text, but an image's alt text, a link's title.
            for id in with_attributes {
                self.attributes(id);
            }
            return;
        }
        let role = match parent_name {
            Some("h1") => Role::Headline,
            Some("h2" | "h3" | "h4" | "h5" | "h6") => Role::Subheadline,
            Some("figcaption" | "caption") => Role::Caption,
            Some("td" | "th") => Role::Cell,
            _ => Role::Body,
        };
        self.push(
            coded,
            role,
            Place::Run {
                parent,
                children: run,
            },
        );
        for id in with_attributes {
            self.attributes(id);
        }
    }

    fn push(&mut self, content: Coded, role: Role, place: Place) {
        let location = match &place {
            Place::Run { parent, .. } | Place::Title { element: parent } => {
                let name = self
                    .html
                    .tree
                    .get(*parent)
                    .and_then(|n| n.value().as_element().map(|e| e.name().to_string()))
                    .unwrap_or_else(|| "document".to_string());
                format!("<{name}> {}", self.paragraphs.len() + 1)
            }
            Place::Attribute { name, .. } => format!("{} attribute", &*name.local),
        };
        self.paragraphs.push(Paragraph {
            content,
            role,
            location,
        });
        self.places.push(place);
    }

    /// `alt` and `title` attributes of an element as paragraphs.
    fn attributes(&mut self, id: NodeId) {
        let node = self.html.tree.get(id).expect("a node of the tree");
        let Some(element) = node.value().as_element() else {
            return;
        };
        let found: Vec<(QualName, String)> = element
            .attrs
            .iter()
            .filter(|(name, value)| {
                matches!(&*name.local, "alt" | "title") && !value.trim().is_empty()
            })
            .map(|(name, value)| (name.clone(), value.to_string()))
            .collect();
        for (name, value) in found {
            self.push(
                Coded::plain(value),
                Role::Attribute,
                Place::Attribute { element: id, name },
            );
        }
    }

    /// Whether the node is inside a `<pre>` or `<textarea>`, where line
    /// breaks are kept.
    fn preformatted(&self, id: NodeId) -> bool {
        let node = self.html.tree.get(id).expect("a node of the tree");
        node.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "pre" | "textarea" | "listing"))
        })
    }

    /// Append the node's text and codes to `coded`.
    fn inline(
        &mut self,
        id: NodeId,
        coded: &mut Coded,
        next_id: &mut u32,
        with_attributes: &mut Vec<NodeId>,
    ) {
        let node = self.html.tree.get(id).expect("a node of the tree");
        match node.value() {
            // Source lines wrapped inside a paragraph are one space, as a
            // browser shows them, except where the page keeps them.
            Node::Text(t) if self.preformatted(id) => coded.text.push_str(&t.text),
            Node::Text(t) => crate::text::push_wrapped_text(&mut coded.text, &t.text),
            Node::Comment(c) => {
                let markup = format!("<!--{}-->", &*c.comment);
                self.nodes.entry(markup.clone()).or_insert(id);
                push_code(coded, CodeKind::Standalone, next_id, None, markup);
            }
            Node::Element(e) => {
                let name = e.name().to_string();
                let ctype = ctype_of(&name);
                if STANDALONE.contains(&name.as_str()) || SKIPPED.contains(&name.as_str()) {
                    let markup = outer_html(node);
                    self.nodes.entry(markup.clone()).or_insert(id);
                    push_code(coded, CodeKind::Standalone, next_id, ctype, markup);
                    // Its alt and title are paragraphs of their own.
                    with_attributes.push(id);
                    return;
                }
                let markup = start_tag(e);
                self.nodes.entry(markup.clone()).or_insert(id);
                let open = *next_id;
                push_code(coded, CodeKind::Open, next_id, ctype.clone(), markup);
                with_attributes.push(id);
                let children: Vec<NodeId> = node.children().map(|c| c.id()).collect();
                for child in children {
                    self.inline(child, coded, next_id, with_attributes);
                }
                coded.codes.push(Code {
                    kind: CodeKind::Close,
                    id: open,
                    at: coded.text.len(),
                    ctype,
                    markup: format!("</{name}>"),
                    isolated: None,
                });
            }
            _ => {}
        }
    }

    /// Rebuild `target` under `parent` in `tree`, before `before` (or at
    /// the end).
    fn build(
        &self,
        tree: &mut ego_tree::Tree<Node>,
        parent: NodeId,
        target: &Coded,
        source_lang: &str,
    ) {
        let mut stack: Vec<NodeId> = vec![parent];
        let mut from = 0;
        let append_text = |tree: &mut ego_tree::Tree<Node>, at: NodeId, text: &str| {
            if !text.is_empty() {
                let mut node = tree.get_mut(at).expect("a node of the tree");
                node.append(Node::Text(Text {
                    text: StrTendril::from(text),
                }));
            }
        };
        for code in &target.codes {
            append_text(
                tree,
                *stack.last().expect("a parent"),
                &target.text[from..code.at],
            );
            from = code.at;
            let top = *stack.last().expect("a parent");
            match code.kind {
                CodeKind::Open => {
                    let element = if code.ctype.as_deref() == Some(UNTRANSLATED) {
                        mark(source_lang)
                    } else if code.ctype.as_deref() == Some(TO_CHECK) {
                        check_mark()
                    } else {
                        self.element_of(&code.markup)
                    };
                    let mut node = tree.get_mut(top).expect("a node of the tree");
                    let id = node.append(Node::Element(element)).id();
                    stack.push(id);
                }
                CodeKind::Close => {
                    if stack.len() > 1 {
                        stack.pop();
                    }
                }
                CodeKind::Standalone => {
                    if let Some(&original) = self.nodes.get(&code.markup) {
                        copy(&self.html.tree, original, tree, top);
                    }
                }
            }
        }
        append_text(tree, *stack.last().expect("a parent"), &target.text[from..]);
    }

    /// The element a paired code stands for, without its children.
    fn element_of(&self, markup: &str) -> Element {
        match self
            .nodes
            .get(markup)
            .and_then(|id| self.html.tree.get(*id))
            .and_then(|n| n.value().as_element().cloned())
        {
            Some(element) => element,
            // A code from elsewhere (the memory): a span keeps the text.
            None => Element::new(
                QualName::new(None, ns!(html), local_name!("span")),
                Vec::new(),
            ),
        }
    }
}

/// `<mark lang="fr">` around text left untranslated.
fn mark(lang: &str) -> Element {
    let lang = if lang.is_empty() { "fr" } else { lang };
    Element::new(
        QualName::new(None, ns!(html), LocalName::from("mark")),
        vec![html5ever::Attribute {
            name: QualName::new(None, ns!(), local_name!("lang")),
            value: lang.into(),
        }],
    )
}

/// `<mark class="memoire-check">`, in blue (browsers show a `<mark>` in
/// yellow, as the untranslated ones): a translation to check.
fn check_mark() -> Element {
    Element::new(
        QualName::new(None, ns!(html), LocalName::from("mark")),
        vec![
            html5ever::Attribute {
                name: QualName::new(None, ns!(), local_name!("class")),
                value: "memoire-check".into(),
            },
            html5ever::Attribute {
                name: QualName::new(None, ns!(), local_name!("style")),
                value: "background: #bdf".into(),
            },
        ],
    )
}

/// Copy the subtree at `id` of `from` as the last child of `parent`.
fn copy(from: &ego_tree::Tree<Node>, id: NodeId, to: &mut ego_tree::Tree<Node>, parent: NodeId) {
    let Some(node) = from.get(id) else {
        return;
    };
    let copied = to
        .get_mut(parent)
        .expect("a node of the tree")
        .append(node.value().clone())
        .id();
    let children: Vec<NodeId> = node.children().map(|c| c.id()).collect();
    for child in children {
        copy(from, child, to, copied);
    }
}

fn push_code(
    coded: &mut Coded,
    kind: CodeKind,
    next_id: &mut u32,
    ctype: Option<String>,
    markup: String,
) {
    coded.codes.push(Code {
        kind,
        id: *next_id,
        at: coded.text.len(),
        ctype,
        markup,
        isolated: None,
    });
    *next_id += 1;
}

/// The code type of an inline element.
fn ctype_of(name: &str) -> Option<String> {
    Some(
        match name {
            "b" | "strong" => "bold",
            "i" | "em" | "cite" => "italic",
            "u" | "ins" => "underline",
            "a" => "link",
            "br" => "break",
            "img" => "image",
            other => return Some(format!("x-html-{other}")),
        }
        .to_string(),
    )
}

/// An element's start tag as HTML writes it: `<a href="…">`.
fn start_tag(e: &Element) -> String {
    let mut tag = format!("<{}", e.name());
    for (name, value) in e.attrs.iter() {
        tag.push(' ');
        if let Some(prefix) = &name.prefix {
            tag.push_str(prefix);
            tag.push(':');
        }
        tag.push_str(&name.local);
        tag.push_str("=\"");
        tag.push_str(&value.replace('&', "&amp;").replace('"', "&quot;"));
        tag.push('"');
    }
    tag.push('>');
    tag
}

/// A node and what it holds, as HTML.
fn outer_html(node: NodeRef<'_, Node>) -> String {
    match scraper::ElementRef::wrap(node) {
        Some(element) => element.html(),
        None => String::new(),
    }
}

/// The page's text: a byte-order mark decides, then a `charset` declared in
/// its first 1,024 bytes, then UTF-8 if it is valid, else Windows-1252.
/// Returns the encoding to report when it was not UTF-8.
/// How deeply a page may nest its elements. Reading and writing a page
/// walk it one call a level: a page of a few thousand `<div>` in one
/// another (70 KB) overflowed a thread's stack and took the whole server
/// down. Real articles stay within a few dozen levels.
const MAX_DEPTH: usize = 256;

/// Refuse a page nested deeper than [`MAX_DEPTH`] (counted without
/// recursion).
fn check_depth(html: &Html) -> Result<()> {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for edge in html.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(_) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ego_tree::iter::Edge::Close(_) => depth -= 1,
        }
    }
    if deepest > MAX_DEPTH {
        return Err(Error::new(
            Kind::Input,
            format!(
                "the page nests its elements {deepest} levels deep; memoire reads pages of \
                 up to {MAX_DEPTH} levels"
            ),
        ));
    }
    Ok(())
}

/// How many formatting elements (`<b>`, `<i>`, `<a>`, `<font>`…) a page
/// may leave open at once. A browser's parser reopens every open one in
/// each new block: 450 unclosed `<b id=…>` before 5,000 short paragraphs
/// (a 22 KB page) made 2 million elements, 23 s of CPU and 500 MB.
const MAX_OPEN_FORMATTING: usize = 100;

/// The HTML parser's formatting elements.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Refuse, before parsing, a page that leaves more than
/// [`MAX_OPEN_FORMATTING`] formatting elements open at some point (start
/// tags less end tags, read from the text: an over-count in a script
/// only makes the check stricter).
fn check_formatting(text: &str) -> Result<()> {
    let (mut open, mut most) = (0usize, 0usize);
    for tag in text.split('<').skip(1) {
        let (closing, rest) = match tag.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, tag),
        };
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        if name.is_empty() || !FORMATTING.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            continue;
        }
        if closing {
            open = open.saturating_sub(1);
        } else {
            open += 1;
            most = most.max(open);
        }
    }
    if most > MAX_OPEN_FORMATTING {
        return Err(Error::new(
            Kind::Input,
            format!(
                "the page leaves {most} formatting elements (<b>, <i>, <a>, <font>…) open at once; \
                 memoire reads pages with up to {MAX_OPEN_FORMATTING}"
            ),
        ));
    }
    Ok(())
}

fn decode(bytes: &[u8]) -> Result<(String, Option<&'static str>)> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, bad) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if bad {
            return Err(Error::new(
                Kind::Encoding,
                format!("invalid {} in the page", encoding.name()),
            ));
        }
        let name = (encoding != encoding_rs::UTF_8).then(|| encoding.name());
        return Ok((text.into_owned(), name));
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let declared = head.find("charset=").and_then(|at| {
        let rest = head[at + 8..].trim_start_matches(['"', '\'']);
        let label: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        encoding_rs::Encoding::for_label(label.as_bytes())
    });
    let encoding = match declared {
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => encoding_rs::UTF_8,
        None => encoding_rs::WINDOWS_1252,
    };
    let (text, bad) = encoding.decode_without_bom_handling(bytes);
    if bad {
        return Err(Error::new(
            Kind::Encoding,
            format!(
                "the page is not valid {} (as it declares or as memoire read it): save it as \
                 UTF-8 and try again",
                encoding.name()
            ),
        ));
    }
    let name = (encoding != encoding_rs::UTF_8).then(|| encoding.name());
    Ok((text.into_owned(), name))
}

impl Document for HtmlDocument {
    fn format(&self) -> DocFormat {
        DocFormat::Html
    }

    fn paragraphs(&self) -> &[Paragraph] {
        &self.paragraphs
    }

    fn encoding(&self) -> Option<&str> {
        self.encoding
    }

    fn write(
        &self,
        targets: &[Coded],
        (source_lang, target_lang): (&str, &str),
        out: &mut dyn Write,
    ) -> Result<()> {
        document::check_targets(self, targets)?;
        let mut html = self.html.clone();
        for (place, target) in self.places.iter().zip(targets) {
            match place {
                Place::Run { parent, children } => {
                    // A new parent for the run, then its nodes moved into
                    // place before the old ones, which go.
                    let first = children[0];
                    let holder = html
                        .tree
                        .orphan(Node::Element(Element::new(
                            QualName::new(None, ns!(html), local_name!("span")),
                            Vec::new(),
                        )))
                        .id();
                    self.build(&mut html.tree, holder, target, source_lang);
                    let built: Vec<NodeId> = html
                        .tree
                        .get(holder)
                        .expect("just made")
                        .children()
                        .map(|c| c.id())
                        .collect();
                    for id in built {
                        html.tree
                            .get_mut(first)
                            .expect("a node of the page")
                            .insert_id_before(id);
                    }
                    for &old in children {
                        html.tree.get_mut(old).expect("a node of the page").detach();
                    }
                    let _ = parent;
                }
                Place::Attribute { element, name } => {
                    let value = plain(target);
                    if let Some(mut node) = html.tree.get_mut(*element)
                        && let Node::Element(e) = node.value()
                    {
                        set_attribute(e, name.clone(), &value);
                    }
                }
                Place::Title { element } => {
                    let value = plain(target);
                    let mut node = html.tree.get_mut(*element).expect("a node of the page");
                    let old: Vec<NodeId> = {
                        let id = node.id();
                        let tree = node.tree();
                        tree.get(id)
                            .expect("a node of the page")
                            .children()
                            .map(|c| c.id())
                            .collect()
                    };
                    node.append(Node::Text(Text {
                        text: StrTendril::from(value.as_str()),
                    }));
                    for id in old {
                        html.tree.get_mut(id).expect("a node of the page").detach();
                    }
                }
            }
        }
        set_languages(&mut html, source_lang, target_lang);
        set_charset(&mut html);
        let page = html.html();
        out.write_all(page.as_bytes())
            .map_err(|e| Error::io("cannot write", Path::new("<document>"), e))
    }
}

/// A translation as an attribute or title value: its text, codes left out.
fn plain(target: &Coded) -> String {
    target.text.clone()
}

fn set_attribute(e: &mut Element, name: QualName, value: &str) {
    let value = StrTendril::from(value);
    match e.attrs.iter_mut().find(|(n, _)| **n == name) {
        Some((_, v)) => *v = value,
        None => {
            e.attrs.insert(name, value);
        }
    }
}

/// `lang` of `<html>`, and of any element that said the source language,
/// becomes the target language (not on the marks of untranslated text).
fn set_languages(html: &mut Html, source_lang: &str, target_lang: &str) {
    let lang = QualName::new(None, ns!(), local_name!("lang"));
    let ids: Vec<NodeId> = html.tree.nodes().map(|n| n.id()).collect();
    for id in ids {
        let mut node = html.tree.get_mut(id).expect("a node of the page");
        let Node::Element(e) = node.value() else {
            continue;
        };
        let is_root = e.name() == "html";
        let is_mark = e.name() == "mark";
        let current = e.attrs.get(&lang).map(|v| v.to_string());
        let says_source = current.as_deref().is_some_and(|v| {
            !source_lang.is_empty()
                && crate::text::primary_language(v) == crate::text::primary_language(source_lang)
        });
        if is_root || (says_source && !is_mark) {
            set_attribute(e, lang.clone(), target_lang);
        }
    }
}

/// The page is written in UTF-8: a `<meta charset>` that says otherwise is
/// corrected.
fn set_charset(html: &mut Html) {
    let charset = QualName::new(None, ns!(), local_name!("charset"));
    let content = QualName::new(None, ns!(), local_name!("content"));
    let ids: Vec<NodeId> = html.tree.nodes().map(|n| n.id()).collect();
    for id in ids {
        let mut node = html.tree.get_mut(id).expect("a node of the page");
        let Node::Element(e) = node.value() else {
            continue;
        };
        if e.name() != "meta" {
            continue;
        }
        if e.attrs.contains_key(&charset) {
            set_attribute(e, charset.clone(), "utf-8");
        } else if let Some(value) = e.attrs.get(&content).map(|v| v.to_string())
            && value.to_ascii_lowercase().contains("charset=")
        {
            let at = value.to_ascii_lowercase().find("charset=").expect("found");
            let fixed = format!("{}charset=utf-8", &value[..at]);
            set_attribute(e, content.clone(), &fixed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\
        <title>Berne reçoit Tokaïev</title><style>p { color: red }</style></head>\n<body>\n\
        <h1>Berne déroule le <em>tapis rouge</em></h1>\n\
        <p>Le <b>Conseil fédéral</b> a reçu <a href=\"https://example.org/kz\" title=\"Le président\">\
        Kassym-Jomart Tokaïev</a> mardi.<br>Il pleut.</p>\n\
        <script>var x = \"ne pas traduire\";</script>\n\
        <img src=\"berne.jpg\" alt=\"La place Fédérale\">\n\
        <table><tr><td>Commerce</td><td><!-- chiffre -->4,2 milliards</td></tr></table>\n\
        <div>Texte libre<p>Un paragraphe.</p>et suite</div>\n</body></html>\n";

    fn doc() -> HtmlDocument {
        HtmlDocument::read(PAGE.as_bytes()).unwrap()
    }

    /// Bug pinned: 450 unclosed `<b>` before 5,000 paragraphs (22 KB) took
    /// 23 s and 500 MB to parse, the parser reopening them in each one.
    #[test]
    fn a_page_leaving_too_many_formatting_elements_open_is_refused_before_parsing() {
        let page = |open: usize, paragraphs: usize| {
            format!(
                "<html><body><p>{}</p>{}</body></html>",
                (0..open).map(|k| format!("<b id={k}>")).collect::<String>(),
                "<p>x".repeat(paragraphs)
            )
        };
        let err = HtmlDocument::read(page(450, 5_000).as_bytes())
            .err()
            .unwrap();
        assert_eq!(err.kind(), Kind::Input);
        assert!(err.to_string().contains("450 formatting elements"), "{err}");
        // Closed ones, and a few left open, are read as before.
        let closed = "<p><b>Le <i>Conseil</i></b> <B>siège</B>.</p>".repeat(200);
        let doc = HtmlDocument::read(closed.as_bytes()).unwrap();
        assert_eq!(doc.paragraphs.len(), 200);
        assert!(HtmlDocument::read(page(20, 50).as_bytes()).is_ok());
    }

    /// Bug pinned: 7,000 `<div>` in one another (70 KB) overflowed the
    /// stack of the server's reader thread and aborted the server.
    #[test]
    fn a_page_nested_too_deep_is_refused_and_one_within_the_limit_is_read() {
        let page = |n: usize| {
            format!(
                "<html><body>{}<p>Le Conseil siège.</p>{}</body></html>",
                "<div>".repeat(n),
                "</div>".repeat(n)
            )
        };
        // Read on a thread with a spawned thread's default stack (2 MiB;
        // the server's readers have 8), in a debug build too.
        let read = |n: usize| {
            let page = page(n);
            std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || HtmlDocument::read(page.as_bytes()).map(|d| d.paragraphs.len()))
                .unwrap()
                .join()
                .unwrap()
        };
        let err = read(7_000).unwrap_err();
        assert_eq!(err.kind(), Kind::Input);
        assert!(err.to_string().contains("levels deep"), "{err}");
        assert_eq!(read(MAX_DEPTH - 10).unwrap(), 1);
    }

    #[test]
    fn blocks_are_paragraphs_and_inline_elements_codes() {
        let d = doc();
        let shown: Vec<String> = d.paragraphs().iter().map(|p| p.content.display()).collect();
        assert_eq!(
            shown,
            [
                "Berne reçoit Tokaïev",
                "Berne déroule le {1}tapis rouge{/1}",
                "Le {1}Conseil fédéral{/1} a reçu {2}Kassym-Jomart Tokaïev{/2} mardi.{3/}Il pleut.",
                "Le président",
                "La place Fédérale",
                "Commerce",
                "{1/}4,2 milliards",
                "Texte libre",
                "Un paragraphe.",
                "et suite",
            ],
            "{shown:#?}"
        );
        assert_eq!(d.paragraphs()[1].role, Role::Headline);
        assert_eq!(
            d.paragraphs()[2].content.codes[2].markup,
            "<a href=\"https://example.org/kz\" title=\"Le président\">"
        );
        assert_eq!(d.paragraphs()[3].role, Role::Attribute);
    }

    /// The page as a tree, for comparison: elements with their attributes,
    /// text, comments.
    fn tree(page: &str) -> Vec<String> {
        let html = Html::parse_document(page);
        html.tree
            .nodes()
            .map(|n| match n.value() {
                Node::Element(e) => {
                    let attrs: Vec<String> = e
                        .attrs
                        .iter()
                        .filter(|(k, _)| &*k.local != "lang")
                        .map(|(k, v)| format!("{}={}", &*k.local, &**v))
                        .collect();
                    format!("<{} {}>", e.name(), attrs.join(" "))
                }
                Node::Text(t) => format!("text {:?}", &*t.text),
                Node::Comment(c) => format!("comment {:?}", &*c.comment),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_page_translated_by_the_identity_is_the_same_tree() {
        let d = doc();
        let sources: Vec<Coded> = d.paragraphs().iter().map(|p| p.content.clone()).collect();
        let mut out = Vec::new();
        d.write(&sources, ("fr", "en"), &mut out).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert_eq!(tree(&written), tree(PAGE));
        assert!(written.contains("<html lang=\"en\">"), "{written}");
    }

    #[test]
    fn translations_replace_the_text_and_nothing_else() {
        let d = doc();
        let mut targets: Vec<Coded> = d.paragraphs().iter().map(|p| p.content.clone()).collect();
        let codes = targets[2].codes.clone();
        targets[2] = Coded::from_display(
            "The {1}Federal Council{/1} received {2}Kassym-Jomart Tokayev{/2} on Tuesday.{3/}It is raining.",
            &codes,
        )
        .unwrap();
        targets[4] = Coded::plain("The Federal Square");
        // The headline left untranslated.
        let untranslated = Code {
            kind: CodeKind::Open,
            id: 9,
            at: 0,
            ctype: Some(UNTRANSLATED.into()),
            markup: String::new(),
            isolated: None,
        };
        let mut headline = targets[1].clone();
        headline.codes.insert(0, untranslated.clone());
        headline.codes.push(Code {
            kind: CodeKind::Close,
            at: headline.text.len(),
            ..untranslated
        });
        targets[1] = headline;
        let mut out = Vec::new();
        d.write(&targets, ("fr", "en"), &mut out).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert!(
            written.contains(
                "<p>The <b>Conseil fédéral</b>"
                    .replace("Conseil fédéral", "Federal Council")
                    .as_str()
            ),
            "{written}"
        );
        assert!(written.contains("<a href=\"https://example.org/kz\" title=\"Le président\">Kassym-Jomart Tokayev</a> on Tuesday.<br>It is raining.</p>"), "{written}");
        assert!(written.contains("alt=\"The Federal Square\""), "{written}");
        assert!(
            written.contains(
                "<h1><mark lang=\"fr\">Berne déroule le <em>tapis rouge</em></mark></h1>"
            ),
            "{written}"
        );
        assert!(
            written.contains("var x = \"ne pas traduire\";"),
            "{written}"
        );
    }

    #[test]
    fn a_page_in_windows_1252_is_read_and_written_in_utf8() {
        let page = b"<html><head><meta charset=\"windows-1252\"></head><body><p>D\xE9p\xEAche</p></body></html>";
        let d = HtmlDocument::read(page).unwrap();
        assert_eq!(d.paragraphs()[0].content.text, "Dépêche");
        assert_eq!(d.encoding(), Some("windows-1252"));
        let mut out = Vec::new();
        d.write(&[Coded::plain("Dispatch")], ("fr", "en"), &mut out)
            .unwrap();
        let written = String::from_utf8(out).unwrap();
        assert!(written.contains("<meta charset=\"utf-8\">"), "{written}");
    }
}
