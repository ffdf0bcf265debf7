//! Write the memory (CSV, TSV, TMX 1.4b) and the glossary (CSV, TSV,
//! TBX-Basic) out.
//!
//! Memory: the two language codes and `origin` (`fr,en,origin`). Glossary:
//! the codes, `domain`, `note`, `status` and `origin`. [`crate::import`]
//! recognises every one of these columns, so an export imports back into
//! the same pairs with the same origins.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Kind, Result};
use crate::format::csv::CsvWriter;
use crate::format::tbx::{EntryOut, TbxWriter};
use crate::format::tmx::{TmxWriter, UnitOut};
use crate::store::Store;

/// Stop an export at Ctrl-C: the output file is then never put in place.
fn check_interrupt() -> Result<()> {
    if crate::interrupt::requested() {
        return Err(Error::new(
            Kind::Interrupted,
            "interrupted: nothing written",
        ));
    }
    Ok(())
}

/// Write every pair of `source_lang` → `target_lang` to `out`, separated
/// by `delimiter` (cells that a spreadsheet would run as a formula guarded
/// with a leading `'` when `guard`, see [`crate::format::csv::formula_guard`]); `name` is what errors call the output. Returns the
/// number of pairs written.
pub fn export_pairs(
    store: &Store,
    source_lang: &str,
    target_lang: &str,
    delimiter: u8,
    guard: bool,
    out: &mut dyn Write,
    name: &Path,
) -> Result<u64> {
    let write_err = |e| Error::io("cannot write", name, e);
    let header = [source_lang, target_lang, "origin"];
    let mut writer = CsvWriter::new(out, delimiter, guard, &header).map_err(write_err)?;
    let mut written = 0;
    store.for_each_pair(Some(source_lang), Some(target_lang), |pair| {
        check_interrupt()?;
        written += 1;
        writer
            .write(&[&pair.source, &pair.target, &pair.origin])
            .map_err(write_err)
    })?;
    writer.finish().map_err(write_err)?;
    Ok(written)
}

/// Write every term pair of `source_lang` → `target_lang` to `out`.
/// Returns the number of terms written.
pub fn export_terms(
    store: &Store,
    source_lang: &str,
    target_lang: &str,
    delimiter: u8,
    guard: bool,
    out: &mut dyn Write,
    name: &Path,
) -> Result<u64> {
    let write_err = |e| Error::io("cannot write", name, e);
    let header = [
        source_lang,
        target_lang,
        "domain",
        "note",
        "status",
        "origin",
        "pos",
        "checked",
    ];
    let mut writer = CsvWriter::new(out, delimiter, guard, &header).map_err(write_err)?;
    let terms = store.terms(source_lang, target_lang)?;
    for term in &terms {
        writer
            .write(&[
                &term.source,
                &term.target,
                term.domain.as_deref().unwrap_or(""),
                term.note.as_deref().unwrap_or(""),
                term.status.as_str(),
                &term.origin,
                term.pos.as_deref().unwrap_or(""),
                term.checked.as_deref().unwrap_or(""),
            ])
            .map_err(write_err)?;
    }
    writer.finish().map_err(write_err)?;
    Ok(terms.len() as u64)
}

/// Write every pair of a language pair as TMX 1.4b, with dates, usage
/// counts and notes.
pub fn export_tmx(
    store: &Store,
    source_lang: &str,
    target_lang: &str,
    out: &mut dyn Write,
    name: &Path,
) -> Result<u64> {
    let write_err = |e| Error::io("cannot write", name, e);
    let mut writer = TmxWriter::new(out, source_lang).map_err(write_err)?;
    let mut written = 0;
    store.for_each_pair(Some(source_lang), Some(target_lang), |pair| {
        check_interrupt()?;
        written += 1;
        writer
            .unit(&UnitOut {
                source_lang,
                source: &pair.source,
                target_lang,
                target: &pair.target,
                created_at: &pair.created_at,
                changed_at: &pair.changed_at,
                usage_count: pair.usage_count,
                note: pair.note.as_deref(),
                origin: &pair.origin,
                prev_source: pair.prev_source.as_deref(),
                next_source: pair.next_source.as_deref(),
                source_codes: &pair.source_codes,
                target_codes: &pair.target_codes,
                created_by: pair.created_by.as_deref(),
                changed_by: pair.changed_by.as_deref(),
            })
            .map_err(write_err)
    })?;
    writer.finish().map_err(write_err)?;
    Ok(written)
}

/// Write every term pair of a language pair as TBX-Basic.
pub fn export_tbx(
    store: &Store,
    source_lang: &str,
    target_lang: &str,
    out: &mut dyn Write,
    name: &Path,
) -> Result<u64> {
    let write_err = |e| Error::io("cannot write", name, e);
    let mut writer = TbxWriter::new(out).map_err(write_err)?;
    let terms = store.terms(source_lang, target_lang)?;
    for term in &terms {
        writer
            .entry(&EntryOut {
                source_lang,
                source: &term.source,
                target_lang,
                target: &term.target,
                domain: term.domain.as_deref(),
                note: term.note.as_deref(),
                status: term.status.as_str(),
                pos: term.pos.as_deref(),
            })
            .map_err(write_err)?;
    }
    writer.finish().map_err(write_err)?;
    Ok(terms.len() as u64)
}
