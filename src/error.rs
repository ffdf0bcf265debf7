//! The library's one error type.
//!
//! An [`Error`] has a [`Kind`] (what went wrong, for callers that branch on
//! it), an optional [`Location`] (which file, which line), a message written
//! for a translator, and an optional cause reachable through
//! [`std::error::Error::source`]. `Display` prints only this layer —
//! `path:line: message` — so a caller prints the whole chain itself.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A file could not be opened, read or written.
    Io,
    /// The input is not what it should be (not CSV, bad option value, …).
    Input,
    /// The bytes cannot be decoded in the expected text encoding.
    Encoding,
    /// The database is locked by another process and stayed locked.
    Busy,
    /// The file is not a memoire database or is damaged.
    Corrupt,
    /// The database was written by a newer memoire.
    NewerSchema,
    /// The database was written by an older memoire and a read-only
    /// command cannot upgrade it.
    OlderSchema,
    /// Any other SQLite failure.
    Database,
    /// An import stopped at a bad row because `--strict` was asked for.
    Rejected,
    /// The user pressed Ctrl-C; nothing was changed.
    Interrupted,
    /// The database server (PostgreSQL) cannot be reached or is shutting
    /// down: try again later.
    Unavailable,
    /// memoire broke one of its own rules: a bug to report.
    Internal,
}

/// Where an error happened: a file and, when known, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        Ok(())
    }
}

/// A library error: kind, location, message and cause.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    location: Option<Location>,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a message.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            location: None,
            message: message.into(),
            source: None,
        }
    }

    /// Attach the file the error is about.
    pub fn at(mut self, path: &Path) -> Self {
        self.location = Some(Location {
            path: path.to_path_buf(),
            line: self.location.and_then(|l| l.line),
        });
        self
    }

    /// Attach the file and line the error is about.
    pub fn at_line(mut self, path: &Path, line: u64) -> Self {
        self.location = Some(Location {
            path: path.to_path_buf(),
            line: Some(line),
        });
        self
    }

    /// Attach the underlying cause.
    pub fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(cause));
        self
    }

    /// An I/O failure on `path`, with what memoire was doing.
    pub fn io(doing: &str, path: &Path, cause: std::io::Error) -> Self {
        Error::new(Kind::Io, doing).at(path).caused_by(cause)
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The file and line the error is about, when known.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// True when a cause anywhere in the chain is a broken pipe, i.e. the
    /// reader of our output went away (`memoire export | head`).
    pub fn is_broken_pipe(&self) -> bool {
        let mut cause = std::error::Error::source(self);
        while let Some(err) = cause {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return true;
            }
            cause = err.source();
        }
        false
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_and_line_but_not_the_cause() {
        let cause = std::io::Error::other("disk on fire");
        let err = Error::new(Kind::Io, "cannot read")
            .at_line(Path::new("a.csv"), 7)
            .caused_by(cause);
        assert_eq!(err.to_string(), "a.csv:7: cannot read");
        let source = std::error::Error::source(&err).expect("has a cause");
        assert_eq!(source.to_string(), "disk on fire");
    }

    #[test]
    fn broken_pipe_is_found_in_the_chain() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let err = Error::io("cannot write", Path::new("<stdout>"), pipe);
        assert!(err.is_broken_pipe());
        assert!(!Error::new(Kind::Input, "x").is_broken_pipe());
    }
}
