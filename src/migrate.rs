//! `memoire migrate`: a whole memory copied into an empty one, from a
//! SQLite file to PostgreSQL or back (or file to file, database to
//! database): every pair with its dates, origin, usage count, note,
//! context, inline codes and authors; every glossary term; every server
//! token (by its hash: the tokens the desk holds keep working).
//!
//! The copy is one transaction in the destination, read from one snapshot
//! of the source: stopped, killed or failed, it leaves the destination as
//! it was. The destination must hold nothing yet, so that what comes out
//! is the source and only the source: each pair must be added as new (an
//! identical pair twice in the source would be merged, and is refused).
//!
//! What changes: pair ids are given again in the source's order (removed
//! pairs leave no gaps), and term pairs are dated by the migration (the
//! glossary's dates are not part of what memoire shows or exports).

use crate::error::{Error, Kind, Result};
use crate::store::{Added, NewPair, NewTerm, Store, TermAdded};

/// What a migration copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Migrated {
    pub pairs: u64,
    pub terms: u64,
    pub tokens: u64,
}

/// Pairs copied between two looks at Ctrl-C.
const CHECK_EVERY: u64 = 4096;

/// Copy all of `from` into `to`, which must be empty, in one transaction.
pub fn migrate(from: &Store, to: &mut Store) -> Result<Migrated> {
    let name = to.name();
    let mut batch = to.begin_import()?;
    // Checked under the write lock the copy holds until its commit: two
    // migrations (or an import) into the same new memory cannot both
    // find it empty.
    let (pairs, terms, tokens) = batch.holdings()?;
    if pairs > 0 || terms > 0 || tokens > 0 {
        return Err(Error::new(
            Kind::Input,
            format!(
                "the destination is not empty ({pairs} pairs, {terms} term pairs, {tokens} \
                 tokens): migrate into a new file or an empty database"
            ),
        )
        .at(std::path::Path::new(&name)));
    }
    let mut done = Migrated::default();
    from.in_read_transaction(|| {
        for (user, hash) in from.tokens()? {
            batch.add_token(&user, &hash)?;
            done.tokens += 1;
        }
        for (source_lang, target_lang) in from.term_languages()? {
            for term in from.terms(&source_lang, &target_lang)? {
                let added = batch.add_term(&NewTerm {
                    source_lang: &term.source_lang,
                    target_lang: &term.target_lang,
                    source: &term.source,
                    target: &term.target,
                    domain: term.domain.as_deref(),
                    note: term.note.as_deref(),
                    status: Some(term.status),
                    origin: &term.origin,
                    pos: term.pos.as_deref(),
                    checked: term.checked.as_deref(),
                })?;
                if added != TermAdded::New {
                    return Err(not_copied("term pair", term.id, &term.source));
                }
                done.terms += 1;
            }
        }
        from.for_each_pair(None, None, |pair| {
            let added = batch.add(&NewPair {
                source_lang: &pair.source_lang,
                target_lang: &pair.target_lang,
                source: &pair.source,
                target: &pair.target,
                origin: &pair.origin,
                note: pair.note.as_deref(),
                created_at: Some(&pair.created_at),
                changed_at: Some(&pair.changed_at),
                usage_count: Some(pair.usage_count),
                prev_source: pair.prev_source.as_deref(),
                next_source: pair.next_source.as_deref(),
                source_codes: &pair.source_codes,
                target_codes: &pair.target_codes,
                created_by: pair.created_by.as_deref(),
                changed_by: pair.changed_by.as_deref(),
                replace_same_origin: false,
            })?;
            if !matches!(added, Added::New | Added::Alternative) {
                return Err(not_copied("pair", pair.id, &pair.source));
            }
            done.pairs += 1;
            if done.pairs % CHECK_EVERY == 0 && crate::interrupt::requested() {
                return Err(Error::new(
                    Kind::Interrupted,
                    "migration stopped: nothing was copied",
                ));
            }
            Ok(())
        })
    })?;
    if crate::interrupt::requested() {
        return Err(Error::new(
            Kind::Interrupted,
            "migration stopped: nothing was copied",
        ));
    }
    batch.commit()?;
    Ok(done)
}

fn not_copied(what: &str, id: i64, source: &str) -> Error {
    Error::new(
        Kind::Corrupt,
        format!(
            "the source's {what} {id} ({source:?}) repeats an earlier one, which a copy would \
             merge; nothing was copied (export the source and import the file instead)"
        ),
    )
}
