//! Files memoire writes: compared by identity, never written through a path
//! the user did not name, never left half-written.
//!
//! * [`same_file`] compares two paths as files — device and inode — so a
//!   hard link or a symlink to the memory is recognised as the memory.
//! * [`Output`] writes a temporary file beside the destination and renames
//!   it into place only when everything was written and synced: a full
//!   disk, an error or a `kill -9` leaves the old file (or none), never half
//!   of a new one. A symlink at the destination is replaced, not followed;
//!   a replaced file keeps its permissions, and a read-only one is not
//!   replaced. A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is
//!   written to directly, never replaced by a file.
//!   [`Output::create_new`] refuses a destination where a file already is
//!   — a symlink included — at the start and again at the rename, which
//!   cannot overwrite.

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

/// What is at a destination path, following symlinks.
enum Destination {
    /// Nothing (or a symlink that leads nowhere).
    Free,
    /// A regular file: replaced by a rename.
    File(std::fs::Metadata),
    /// A device, a pipe, a socket (`/dev/null`, `/dev/stdout`, a FIFO):
    /// written to directly, never replaced.
    Stream,
    Folder,
}

fn destination(path: &Path) -> Destination {
    match std::fs::metadata(path) {
        Err(_) => Destination::Free,
        Ok(m) if m.is_dir() => Destination::Folder,
        Ok(m) if m.is_file() => Destination::File(m),
        Ok(_) => Destination::Stream,
    }
}

/// A file being written: a temporary file beside its destination until
/// [`Output::commit`] — or, for a device or a pipe, the stream itself.
pub struct Output {
    target: Target,
    path: PathBuf,
    replace: bool,
}

enum Target {
    Temp(NamedTempFile),
    Stream(File),
}

impl Output {
    /// Write `path`, replacing whatever regular file is there when
    /// committed (keeping its permissions); a device or a pipe is written
    /// to directly.
    pub fn create(path: &Path) -> Result<Output> {
        Output::start(path, true)
    }

    /// Write `path`, where no file may be now nor when committed (a device
    /// or a pipe, such as `/dev/null`, is written to directly).
    pub fn create_new(path: &Path) -> Result<Output> {
        Output::start(path, false)
    }

    fn start(path: &Path, replace: bool) -> Result<Output> {
        let permissions = match destination(path) {
            Destination::Stream => {
                let stream = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| Error::io("cannot write", path, e))?;
                return Ok(Output {
                    target: Target::Stream(stream),
                    path: path.to_path_buf(),
                    replace,
                });
            }
            Destination::Folder => {
                return Err(Error::new(Kind::Input, "this is a folder; give a file name").at(path));
            }
            Destination::File(_) if !replace => return Err(already_there(path)),
            Destination::File(m) if m.permissions().readonly() => {
                return Err(Error::new(
                    Kind::Input,
                    "this file is read-only; memoire does not replace it (choose another name)",
                )
                .at(path));
            }
            Destination::File(m) => Some(m.permissions()),
            Destination::Free if !replace && occupied(path) => return Err(already_there(path)),
            Destination::Free => None,
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".memoire-").suffix(".tmp");
        #[cfg(unix)]
        {
            // The file's own permissions when it is replaced (an export kept
            // private stays private), else the usual rw-r--r-- (0666 less
            // the umask), not tempfile's 0600.
            use std::os::unix::fs::PermissionsExt;
            builder
                .permissions(permissions.unwrap_or_else(|| std::fs::Permissions::from_mode(0o666)));
        }
        #[cfg(not(unix))]
        let _ = permissions;
        let temp = builder
            .tempfile_in(dir)
            .map_err(|e| Error::io("cannot create a file in this folder", path, e))?;
        Ok(Output {
            target: Target::Temp(temp),
            path: path.to_path_buf(),
            replace,
        })
    }

    /// Where the file will be.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write everything to disk, but do not put the file in place yet:
    /// [`Written::place`] does, once the caller is sure it wants it (an
    /// import puts its rejects file in place only after its commit).
    pub fn finish(mut self) -> Result<Written> {
        let fail = |e| Error::io("cannot write", &self.path, e);
        match &mut self.target {
            Target::Temp(temp) => {
                temp.flush().map_err(fail)?;
                temp.as_file().sync_all().map_err(fail)?;
            }
            Target::Stream(stream) => stream.flush().map_err(fail)?,
        }
        Ok(Written(self))
    }

    /// Sync the file and move it into place. Until this returns, the
    /// destination is as it was.
    pub fn commit(self) -> Result<()> {
        self.finish()?.place()
    }
}

/// A file written in full, not yet in place.
pub struct Written(Output);

impl Written {
    /// Move the file into place (a stream was written already).
    pub fn place(self) -> Result<()> {
        let Output {
            target,
            path,
            replace,
        } = self.0;
        let Target::Temp(temp) = target else {
            return Ok(());
        };
        let placed = if replace {
            temp.persist(&path).map(drop)
        } else {
            temp.persist_noclobber(&path).map(drop)
        };
        match placed {
            Ok(()) => {
                sync_dir(&path);
                Ok(())
            }
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Err(already_there(&path)),
            Err(e) => Err(Error::io("cannot write", &path, e.error)),
        }
    }

    /// Like [`Written::place`], but when the file cannot be put in place,
    /// keep it under its temporary name instead of deleting it: the error
    /// and that name.
    pub fn place_or_keep(self) -> std::result::Result<(), (Error, Option<PathBuf>)> {
        let Output {
            target,
            path,
            replace,
        } = self.0;
        let Target::Temp(temp) = target else {
            return Ok(());
        };
        let placed = if replace {
            temp.persist(&path)
        } else {
            temp.persist_noclobber(&path)
        };
        match placed {
            Ok(_) => {
                sync_dir(&path);
                Ok(())
            }
            Err(e) => {
                let why = if e.error.kind() == io::ErrorKind::AlreadyExists {
                    already_there(&path)
                } else {
                    Error::io("cannot write", &path, e.error)
                };
                let kept = e.file.keep().ok().map(|(_, kept)| kept);
                Err((why, kept))
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Temp(temp) => temp.write(buf),
            Target::Stream(stream) => stream.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Temp(temp) => temp.flush(),
            Target::Stream(stream) => stream.flush(),
        }
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
    fn devices_and_pipes_are_written_to_not_replaced() {
        // Regression: `export -o /dev/null` as root replaced the device
        // with a regular file.
        let dir = tempfile::tempdir().unwrap();
        let null = Path::new("/dev/null");
        for create in [Output::create, Output::create_new] {
            let mut out = create(null).unwrap();
            out.write_all(b"gone").unwrap();
            out.commit().unwrap();
            let kind = std::fs::metadata(null).unwrap().file_type();
            use std::os::unix::fs::FileTypeExt;
            assert!(kind.is_char_device());
        }
        let link = dir.path().join("null");
        std::os::unix::fs::symlink(null, &link).unwrap();
        Output::create(&link).unwrap().commit().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions_and_a_read_only_one_stays() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("private.csv");
        std::fs::write(&private, "old").unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
        Output::create(&private).unwrap().commit().unwrap();
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o444)).unwrap();
        assert!(Output::create(&private).is_err());
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
