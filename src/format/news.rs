//! Wire copy in the news agencies' own XML: NITF and NewsML-G2 (whose
//! `contentSet` holds NITF or XHTML), read by element and written back as
//! the same file with the translation in place.
//!
//! Each element that holds a part of the story is a paragraph of its own,
//! with its role: NITF's `hl1` (headline), `hl2` (subheadline), `byline`,
//! `dateline`, `p`, `media-caption`, `tagline`, `li`, `td`, the `title` of
//! its `head`; NewsML-G2's `headline`, `subheadline`, `description`,
//! `dateline` and `by`; XHTML's `h1`–`h6`, `p`, `li`, `td`, `figcaption`.
//! So a headline never runs into its lede here: the wire says where each
//! ends. Metadata (`docdata`, `itemMeta`, `rightsInfo`, subjects,
//! keywords, sluglines, credit lines) is not translated. Inline elements
//! (`em`, `a`, `person`, `org`, `location`, `q`…) are paired codes keeping
//! their tags; empty ones (`br`) standalone codes.
//!
//! Writing: each paragraph element's content is replaced by its
//! translation, everything else is kept byte for byte, and the language is
//! updated: every `xml:lang` (and XHTML `lang`, NewsML-G2 `language tag`)
//! that named the source language names the target one. A stretch left
//! untranslated is marked `<span lang="fr">` in XHTML and left as it is in
//! NITF, which has no such element.

use std::io::Write;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::document::{self, DocFormat, Document, Paragraph, Role};
use crate::error::{Error, Kind, Result};
use crate::format::markup;
use crate::text::{self, Coded};

/// The element's role when it is a paragraph of the story.
fn role_of(name: &str, in_head: bool) -> Option<Role> {
    if in_head {
        return (name == "title").then_some(Role::Title);
    }
    Some(match name {
        "hl1" | "headline" | "h1" => Role::Headline,
        "hl2" | "subheadline" | "h2" | "h3" | "h4" | "h5" | "h6" => Role::Subheadline,
        "byline" | "by" => Role::Byline,
        "dateline" => Role::Dateline,
        "p" | "tagline" | "li" | "description" => Role::Body,
        "media-caption" | "figcaption" | "caption" => Role::Caption,
        "td" | "th" => Role::Cell,
        _ => return None,
    })
}

/// Elements whose content is metadata, never translated.
const METADATA: &[&str] = &[
    "docdata",
    "itemMeta",
    "rightsInfo",
    "subject",
    "keyword",
    "slugline",
    "creditline",
    "genre",
    "located",
    "infoSource",
    "creator",
    "contributor",
    "audience",
    "catalogRef",
    "urgency",
    "pubdata",
    "identification",
    "doc-id",
    "script",
    "style",
];

/// A NITF or NewsML-G2 document read as paragraphs.
pub struct NewsDocument {
    xml: String,
    /// For each paragraph: its element's range, start and end tags, and
    /// whether it is XHTML (where untranslated text can be marked).
    paras: Vec<(std::ops::Range<usize>, String, String, bool)>,
    paragraphs: Vec<Paragraph>,
    dialect: &'static str,
}

impl NewsDocument {
    pub fn read(bytes: &[u8]) -> Result<NewsDocument> {
        let (xml, _) = super::encoding::decode_text(bytes, Path::new("<news>"))?;
        super::xml::check_well_formed(xml.as_bytes(), Path::new("<news>"))?;
        let bad = |why: String| Error::new(Kind::Input, why);
        let mut reader = Reader::from_str(&xml);
        let mut stack: Vec<String> = Vec::new();
        let mut paras = Vec::new();
        let mut paragraphs = Vec::new();
        let mut dialect = "";
        loop {
            let before = reader.buffer_position() as usize;
            let event = reader
                .read_event()
                .map_err(|e| bad(format!("malformed XML: {e}")))?;
            match event {
                Event::Start(e) => {
                    let name = e.local_name().as_ref().to_string();
                    if stack.is_empty() {
                        dialect = match name.as_str() {
                            "nitf" => "NITF",
                            "newsItem" | "newsMessage" => "NewsML-G2",
                            other => {
                                return Err(bad(format!(
                                    "not a NITF or NewsML-G2 file: the document starts with \
                                     <{other}>"
                                )));
                            }
                        };
                    }
                    let skipped = stack.iter().any(|s| METADATA.contains(&s.as_str()))
                        || METADATA.contains(&name.as_str());
                    // NITF's head holds the title, and metadata.
                    let in_head = stack.iter().any(|s| s == "head");
                    let role = (!skipped).then(|| role_of(&name, in_head)).flatten();
                    match role {
                        Some(role) => {
                            let xhtml = stack.iter().any(|s| s == "html")
                                || e.name().as_ref().starts_with("xhtml:");
                            let tag_end = reader.buffer_position() as usize;
                            reader
                                .read_to_end(e.name())
                                .map_err(|e| bad(format!("malformed XML: {e}")))?;
                            let end = reader.buffer_position() as usize;
                            let inner_end = xml[..end].rfind("</").unwrap_or(end);
                            let coded = coded_of(&xml[tag_end..inner_end])
                                .map_err(|e| bad(format!("malformed XML: {e}")))?;
                            if coded.text.trim().is_empty() {
                                continue;
                            }
                            paragraphs.push(Paragraph {
                                content: coded,
                                role,
                                location: format!("<{name}> {}", paragraphs.len() + 1),
                            });
                            paras.push((
                                before..end,
                                xml[before..tag_end].to_string(),
                                xml[inner_end..end].to_string(),
                                xhtml,
                            ));
                        }
                        None => stack.push(name),
                    }
                }
                Event::End(_) => {
                    stack.pop();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if dialect.is_empty() {
            return Err(bad(
                "not a NITF or NewsML-G2 file: no root element".to_string()
            ));
        }
        Ok(NewsDocument {
            xml,
            paras,
            paragraphs,
            dialect,
        })
    }

    /// `NITF` or `NewsML-G2`.
    pub fn dialect(&self) -> &'static str {
        self.dialect
    }
}

/// A story element's content as a segment: inline elements are pairs,
/// empty ones standalone.
fn coded_of(inner: &str) -> std::result::Result<Coded, String> {
    markup::coded_of(
        inner,
        &|name| {
            let local = name.rsplit(':').next().unwrap_or(name);
            Some(
                match local {
                    "em" | "i" => "italic",
                    "strong" | "b" => "bold",
                    "a" => "link",
                    other => return Some(format!("x-news-{other}")),
                }
                .to_string(),
            )
        },
        &|name| (name.rsplit(':').next() == Some("br")).then(|| "break".to_string()),
    )
}

/// `xml` with every language attribute that named `source` naming
/// `target`: `xml:lang="…"`, XHTML's `lang="…"`, NewsML-G2's
/// `<language tag="…"/>`.
fn with_language(xml: &str, source: &str, target: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    let attrs = [" xml:lang=", " lang=", "<language tag="];
    loop {
        let next = attrs
            .iter()
            .filter_map(|a| rest.find(a).map(|at| (at, a.len())))
            .min();
        let Some((at, len)) = next else {
            out.push_str(rest);
            return out;
        };
        let value_start = at + len;
        let quote = rest[value_start..].chars().next();
        match quote {
            Some(q @ ('"' | '\'')) => {
                let value_from = value_start + 1;
                let Some(end) = rest[value_from..].find(q) else {
                    out.push_str(rest);
                    return out;
                };
                let value = &rest[value_from..value_from + end];
                out.push_str(&rest[..value_from]);
                if text::primary_language(value) == text::primary_language(source) {
                    out.push_str(target);
                } else {
                    out.push_str(value);
                }
                rest = &rest[value_from + end..];
            }
            _ => {
                out.push_str(&rest[..value_start]);
                rest = &rest[value_start..];
            }
        }
    }
}

impl Document for NewsDocument {
    fn format(&self) -> DocFormat {
        DocFormat::News
    }

    fn paragraphs(&self) -> &[Paragraph] {
        &self.paragraphs
    }

    fn write(
        &self,
        targets: &[Coded],
        (source_lang, target_lang): (&str, &str),
        out: &mut dyn Write,
    ) -> Result<()> {
        document::check_targets(self, targets)?;
        // Nothing translated: the same file, still in the source language.
        if !targets.iter().any(document::has_translation) {
            return out
                .write_all(self.xml.as_bytes())
                .map_err(|e| Error::io("cannot write", Path::new("<document>"), e));
        }
        let mut xml = String::with_capacity(self.xml.len() + self.xml.len() / 4);
        let mut from = 0;
        let mark = format!("<span lang=\"{source_lang}\">");
        for ((range, start, end, xhtml), (paragraph, target)) in
            self.paras.iter().zip(self.paragraphs.iter().zip(targets))
        {
            if paragraph.content == *target {
                continue;
            }
            // The language changes everywhere but in the text left in the
            // source language.
            xml.push_str(&with_language(
                &self.xml[from..range.start],
                source_lang,
                target_lang,
            ));
            let untranslated = if *xhtml {
                (mark.as_str(), "</span>")
            } else {
                ("", "")
            };
            let start = with_language(start, source_lang, target_lang);
            xml.push_str(&markup::write_element(&start, end, target, untranslated));
            from = range.end;
        }
        xml.push_str(&with_language(&self.xml[from..], source_lang, target_lang));
        out.write_all(xml.as_bytes())
            .map_err(|e| Error::io("cannot write", Path::new("<document>"), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::UNTRANSLATED;
    use crate::text::{Code, CodeKind};

    const NITF: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <nitf xml:lang=\"fr\"><head><title>Berne reçoit Tokaïev</title>\
        <docdata><doc-id id-string=\"ATS-123\"/><key-list><keyword key=\"Kazakhstan\"/></key-list></docdata></head>\
        <body><body.head><hedline><hl1>Berne déroule le tapis rouge</hl1><hl2>Visite d'Etat</hl2></hedline>\
        <byline>Par <person>Anne Dupont</person></byline>\
        <dateline><location>BERNE</location> (ATS)</dateline></body.head>\
        <body.content><p>Le <em>Conseil fédéral</em> a reçu <person>Kassym-Jomart Tokaïev</person> mardi.<br/>Il pleut.</p>\
        <media><media-caption>La place Fédérale.</media-caption></media></body.content></body></nitf>\n";

    #[test]
    fn nitf_elements_are_paragraphs_with_their_roles() {
        let d = NewsDocument::read(NITF.as_bytes()).unwrap();
        assert_eq!(d.dialect(), "NITF");
        let got: Vec<(Role, String)> = d
            .paragraphs()
            .iter()
            .map(|p| (p.role, p.content.display()))
            .collect();
        assert_eq!(
            got,
            [
                (Role::Title, "Berne reçoit Tokaïev".to_string()),
                (Role::Headline, "Berne déroule le tapis rouge".to_string()),
                (Role::Subheadline, "Visite d'Etat".to_string()),
                (Role::Byline, "Par {1}Anne Dupont{/1}".to_string()),
                (Role::Dateline, "{1}BERNE{/1} (ATS)".to_string()),
                (
                    Role::Body,
                    "Le {1}Conseil fédéral{/1} a reçu {2}Kassym-Jomart Tokaïev{/2} mardi.{3/}Il pleut."
                        .to_string()
                ),
                (Role::Caption, "La place Fédérale.".to_string()),
            ]
        );
    }

    #[test]
    fn nitf_comes_back_with_the_translation_and_its_language() {
        let d = NewsDocument::read(NITF.as_bytes()).unwrap();
        let sources: Vec<Coded> = d.paragraphs().iter().map(|p| p.content.clone()).collect();
        let mut out = Vec::new();
        d.write(&sources, ("fr", "fr"), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), NITF, "the identity");
        let mut targets = sources.clone();
        targets[5] = Coded::from_display(
            "The {1}Federal Council{/1} received {2}Kassym-Jomart Tokayev{/2} on Tuesday.{3/}It is raining.",
            &sources[5].codes,
        )
        .unwrap();
        let mark = |kind, at| Code {
            kind,
            id: 9,
            at,
            ctype: Some(UNTRANSLATED.into()),
            markup: String::new(),
            isolated: None,
        };
        let end = targets[6].text.len();
        targets[6].codes = vec![mark(CodeKind::Open, 0), mark(CodeKind::Close, end)];
        let mut out = Vec::new();
        d.write(&targets, ("fr", "en"), &mut out).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert!(written.contains("<nitf xml:lang=\"en\">"), "{written}");
        assert!(written.contains(
            "<p>The <em>Federal Council</em> received <person>Kassym-Jomart Tokayev</person> on Tuesday.<br/>It is raining.</p>"
        ), "{written}");
        assert!(written.contains("<media-caption>La place Fédérale.</media-caption>"));
        assert!(written.contains("<keyword key=\"Kazakhstan\"/>"));
    }

    #[test]
    fn newsml_g2_with_xhtml_content() {
        let g2 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
            <newsItem xmlns=\"http://iptc.org/std/nar/2006-10-01/\" guid=\"x\" version=\"1\" xml:lang=\"fr\">\
            <itemMeta><itemClass qcode=\"ninat:text\"/><provider literal=\"ATS\"/></itemMeta>\
            <contentMeta><headline>La BNS relève son taux</headline><slugline>bns-taux</slugline>\
            <language tag=\"fr-CH\"/></contentMeta>\
            <contentSet><inlineXML contenttype=\"application/xhtml+xml\">\
            <html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>La BNS relève son taux</h1>\
            <p>La <b>BNS</b> relève son taux directeur.</p></body></html></inlineXML></contentSet></newsItem>";
        let d = NewsDocument::read(g2.as_bytes()).unwrap();
        assert_eq!(d.dialect(), "NewsML-G2");
        let shown: Vec<String> = d.paragraphs().iter().map(|p| p.content.display()).collect();
        assert_eq!(
            shown,
            [
                "La BNS relève son taux",
                "La BNS relève son taux",
                "La {1}BNS{/1} relève son taux directeur."
            ]
        );
        let mut targets: Vec<Coded> = d.paragraphs().iter().map(|p| p.content.clone()).collect();
        targets[0] = Coded::plain("SNB raises its rate");
        let mark = |kind, at| Code {
            kind,
            id: 9,
            at,
            ctype: Some(UNTRANSLATED.into()),
            markup: String::new(),
            isolated: None,
        };
        let end = targets[1].text.len();
        targets[1].codes = vec![mark(CodeKind::Open, 0), mark(CodeKind::Close, end)];
        let mut out = Vec::new();
        d.write(&targets, ("fr", "en"), &mut out).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert!(
            written.contains("<headline>SNB raises its rate</headline>"),
            "{written}"
        );
        assert!(written.contains("<language tag=\"en\"/>"), "{written}");
        assert!(written.contains("xml:lang=\"en\""), "{written}");
        assert!(
            written.contains("<h1><span lang=\"fr\">La BNS relève son taux</span></h1>"),
            "{written}"
        );
        assert!(written.contains("<slugline>bns-taux</slugline>"));
    }

    #[test]
    fn other_xml_is_refused() {
        let err = NewsDocument::read(b"<tmx version=\"1.4\"/>").err().unwrap();
        assert!(err.to_string().contains("not a NITF or NewsML-G2"), "{err}");
    }
}
