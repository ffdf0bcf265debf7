//! # memoire
//!
//! A translation memory and bilingual glossary for translators who turn
//! French news into English (and other languages).
//!
//! The library owns the domain; the `memoire` binary only parses arguments,
//! calls it and renders results. Modules, one job each:
//!
//! * [`text`] — normalisation shared by every key (NFC, exact-match key).
//! * [`store`] — the SQLite file: schema, migrations, every SQL statement.
//! * [`format`] — exchange formats (aligned CSV/TSV) over files and streams.
//! * [`import`] — one file into the store, in one transaction, with a report
//!   and a rejects file for the rows that could not be taken.
//! * [`export`] — the store (memory and glossary) back out as CSV/TSV that
//!   imports unchanged.
//! * [`fuzzy`] — the match score and the lossless candidate search.
//! * [`glossary`] — term lookup and term recognition in text; the shipped
//!   French–English news glossary.
//! * [`segment`] — French (and English) sentence segmentation as byte
//!   ranges; rules in a data file users can extend.
//! * [`pretranslate`] — an article in, a draft out: segments, best
//!   matches, glossary terms, terminology checks, match analysis.
//! * [`file`] — files compared by identity and written atomically.
//! * [`interrupt`] — Ctrl-C and lock waits, as the front end reports them.
//! * [`auth`] — API tokens and roles of the shared server.
//! * [`server`] — `memoire serve`: the HTTP adapter (axum) over the same
//!   library calls as the CLI; no other module uses it.
//! * [`error`] — the one error type, with a kind and a location.

pub mod align;
pub mod auth;
pub mod document;
pub mod error;
pub mod export;
pub mod file;
pub mod format;
pub mod fuzzy;
pub mod glossary;
pub mod import;
pub mod interrupt;
pub mod migrate;
pub mod pretranslate;
pub mod segment;
pub mod server;
pub mod store;
pub mod text;

pub use error::{Error, Kind, Result};
