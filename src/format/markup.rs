//! The content of a paragraph element of an XML document (OpenDocument's
//! `text:p`, NITF's `p`, NewsML-G2's `headline`) as a segment with codes,
//! and back: the shared half of the `odt` and `news` readers and writers.
//!
//! Text is the element's text, entities decoded. An inline element that
//! wraps text (a span, a link, an emphasis) is a pair of codes whose markup
//! is its start and end tags as written; any other element (an empty one,
//! a frame, a note) is a standalone code holding its whole XML. Writing
//! puts the markup back verbatim around the escaped translation.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::document::UNTRANSLATED;
use crate::format::xml;
use crate::text::{Code, CodeKind, Coded};

/// The content of an element (the XML between its tags) as a segment.
/// `wrapper` says, for an element name with content, the type of the pair
/// it makes, or `None` to keep it whole as a standalone code; `standalone`
/// gives the type of an empty element.
pub fn coded_of(
    inner: &str,
    wrapper: &dyn Fn(&str) -> Option<String>,
    standalone: &dyn Fn(&str) -> Option<String>,
) -> std::result::Result<Coded, String> {
    let mut reader = Reader::from_str(inner);
    let mut coded = Coded::default();
    let mut next = 1;
    let mut open: Vec<(String, u32, Option<String>)> = Vec::new();
    let push = |coded: &mut Coded, kind, id, ctype: Option<String>, markup: &str| {
        coded.codes.push(Code {
            kind,
            id,
            at: coded.text.len(),
            ctype,
            markup: markup.to_string(),
            isolated: None,
        });
    };
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Text(t) => crate::text::push_wrapped_text(&mut coded.text, &t.xml10_content()),
            Event::GeneralRef(r) => coded.text.push_str(&xml::entity_text(&r)?),
            Event::CData(c) => coded.text.push_str(&c.xml10_content()),
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                match wrapper(&name) {
                    Some(ctype) => {
                        push(
                            &mut coded,
                            CodeKind::Open,
                            next,
                            Some(ctype.clone()),
                            &inner[before..after],
                        );
                        open.push((name, next, Some(ctype)));
                    }
                    None => {
                        reader.read_to_end(e.name()).map_err(|e| e.to_string())?;
                        let end = reader.buffer_position() as usize;
                        push(
                            &mut coded,
                            CodeKind::Standalone,
                            next,
                            None,
                            &inner[before..end],
                        );
                    }
                }
                next += 1;
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                if let Some(k) = open.iter().rposition(|(n, ..)| *n == name) {
                    let (_, id, ctype) = open.remove(k);
                    push(
                        &mut coded,
                        CodeKind::Close,
                        id,
                        ctype,
                        &inner[before..after],
                    );
                }
            }
            Event::Empty(e) => {
                let ctype = standalone(e.name().as_ref());
                push(
                    &mut coded,
                    CodeKind::Standalone,
                    next,
                    ctype,
                    &inner[before..after],
                );
                next += 1;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(coded)
}

/// The element rebuilt with `target` between `start_tag` and `end_tag`: the
/// codes' markup as written, the text escaped, an untranslated stretch
/// between `untranslated.0` and `untranslated.1`.
pub fn write_element(
    start_tag: &str,
    end_tag: &str,
    target: &Coded,
    untranslated: (&str, &str),
) -> String {
    let mut out = String::with_capacity(start_tag.len() + 2 * target.text.len() + 64);
    out.push_str(start_tag);
    let mut from = 0;
    for code in &target.codes {
        out.push_str(&xml::text(&target.text[from..code.at]));
        from = code.at;
        let mark = code.ctype.as_deref() == Some(UNTRANSLATED);
        match (code.kind, mark) {
            (CodeKind::Open, true) => out.push_str(untranslated.0),
            (CodeKind::Close, true) => out.push_str(untranslated.1),
            _ => out.push_str(&code.markup),
        }
    }
    out.push_str(&xml::text(&target.text[from..]));
    out.push_str(end_tag);
    out
}
