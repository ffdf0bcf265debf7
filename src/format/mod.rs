//! Readers and writers of exchange formats, over `Read`/`Write` and files.
//! They never see the database: the import and export code joins them to the
//! store.

pub mod csv;
pub mod encoding;
