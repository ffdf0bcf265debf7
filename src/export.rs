//! Write the memory out as CSV or TSV.
//!
//! The columns are the two language codes and `origin`
//! (`fr,en,origin`), which [`crate::import`] recognises, so an export
//! imports back into the same pairs with the same origins.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::format::csv::PairWriter;
use crate::store::Store;

/// Write every pair of `source_lang` → `target_lang` to `out`, separated
/// by `delimiter`; `name` is what errors call the output. Returns the
/// number of pairs written.
pub fn export_pairs(
    store: &Store,
    source_lang: &str,
    target_lang: &str,
    delimiter: u8,
    out: impl Write,
    name: &Path,
) -> Result<u64> {
    let write_err = |e| Error::io("cannot write", name, e);
    let mut writer =
        PairWriter::new(out, delimiter, source_lang, target_lang).map_err(write_err)?;
    let mut written = 0;
    store.for_each_pair(Some(source_lang), Some(target_lang), |pair| {
        written += 1;
        writer
            .write(&pair.source, &pair.target, &pair.origin)
            .map_err(write_err)
    })?;
    writer.finish().map_err(write_err)?;
    Ok(written)
}
