//! Files memoire writes: compared by identity, never written through a path
//! the user did not name, never left half-written.
//!
//! * [`same_file`] compares two paths as files — device and inode — so a
//!   hard link or a symlink to the memory is recognised as the memory.
//! * [`Output`] writes a temporary file beside the destination and renames
//!   it into place only when everything was written and synced: a full
//!   disk, an error or a `kill -9` leaves the old file (or none), never half
//!   of a new one. A symlink at the destination is replaced, not followed.
//!   [`Output::create_new`] refuses a destination that already exists —
//!   whatever it is, a symlink included — at the start and again at the
//!   rename, which cannot overwrite.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Kind, Result};

/// The (device, inode) of the file `path` leads to, following symlinks.
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Do two paths lead to the same existing file (hard links, symlinks, `./`
/// and `..` included)?
#[cfg(unix)]
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(not(unix))]
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Is there anything at `path`: a file, a folder, a symlink (even one that
/// leads nowhere)?
pub fn occupied(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// A file being written: a temporary file beside its destination until
/// [`Output::commit`].
pub struct Output {
    temp: NamedTempFile,
    path: PathBuf,
    replace: bool,
}

impl Output {
    /// Write `path`, replacing whatever is there when committed.
    pub fn create(path: &Path) -> Result<Output> {
        Output::start(path, true)
    }

    /// Write `path`, which must not exist now nor when committed.
    pub fn create_new(path: &Path) -> Result<Output> {
        if occupied(path) {
            return Err(already_there(path));
        }
        Output::start(path, false)
    }

    fn start(path: &Path, replace: bool) -> Result<Output> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".memoire-").suffix(".tmp");
        #[cfg(unix)]
        {
            // The usual rw-r--r-- (0666 less the umask), not tempfile's 0600.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = builder
            .tempfile_in(dir)
            .map_err(|e| Error::io("cannot create a file in this folder", path, e))?;
        Ok(Output {
            temp,
            path: path.to_path_buf(),
            replace,
        })
    }

    /// Where the file will be.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sync the file and move it into place. Until this returns, the
    /// destination is as it was.
    pub fn commit(mut self) -> Result<()> {
        let fail = |e| Error::io("cannot write", &self.path, e);
        self.temp.flush().map_err(fail)?;
        self.temp.as_file().sync_all().map_err(fail)?;
        let placed = if self.replace {
            self.temp.persist(&self.path).map(drop)
        } else {
            self.temp.persist_noclobber(&self.path).map(drop)
        };
        match placed {
            Ok(()) => {
                sync_dir(&self.path);
                Ok(())
            }
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                Err(already_there(&self.path))
            }
            Err(e) => Err(Error::io("cannot write", &self.path, e.error)),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

fn already_there(path: &Path) -> Error {
    Error::new(
        Kind::Input,
        "a file is already there; memoire does not overwrite it (move it away, or choose \
         another name)",
    )
    .at(path)
}

/// Make a rename durable (best effort: not every system can sync a folder).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_links_and_symlinks_are_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, "x").unwrap();
        let hard = dir.path().join("hard");
        std::fs::hard_link(&a, &hard).unwrap();
        assert!(same_file(&a, &hard));
        #[cfg(unix)]
        {
            let soft = dir.path().join("soft");
            std::os::unix::fs::symlink(&a, &soft).unwrap();
            assert!(same_file(&soft, &hard));
        }
        let other = dir.path().join("other");
        std::fs::write(&other, "x").unwrap();
        assert!(!same_file(&a, &other));
        assert!(!same_file(&a, &dir.path().join("missing")));
    }

    #[test]
    fn nothing_reaches_the_destination_before_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let mut out = Output::create(&path).unwrap();
        out.write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        drop(out);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let names = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(names, 1, "a dropped output leaves no temporary file");
        let mut out = Output::create(&path).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_destination_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("out.csv");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let mut out = Output::create(&link).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "new");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn create_new_refuses_anything_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(Output::create_new(&victim).is_err());
        assert!(Output::create_new(&dangling).is_err());
        // Something appears while the file is written: still not overwritten.
        let path = dir.path().join("late");
        let mut out = Output::create_new(&path).unwrap();
        out.write_all(b"mine").unwrap();
        std::fs::write(&path, "theirs").unwrap();
        assert!(out.commit().is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "theirs");
        assert!(!dir.path().join("nowhere").exists());
    }
}
