//! Where a command writes: standard output, or a file given with `-o`,
//! written atomically (see [`memoire::file::Output`]) and never over the
//! memory or the command's own input.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use memoire::file::{Output, same_file};
use memoire::store;
use memoire::{Error, Kind, Result};

/// The destination of a command's output.
pub enum Sink {
    Stdout(io::StdoutLock<'static>),
    File(Output),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(buf),
            Sink::File(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::File(out) => out.flush(),
        }
    }
}

/// The format an output file's extension names: `table` maps extensions
/// (lower case, without the dot) to formats; no extension, no file or
/// standard output (`-`) give `default`; an extension not in the table is an
/// error that lists `choices`, so that `-o article.docx` does not silently
/// get another format.
pub fn format_of<T: Copy>(
    output: Option<&Path>,
    table: &[(&str, T)],
    default: T,
    choices: &str,
) -> Result<T> {
    let Some(path) = output.filter(|p| *p != Path::new("-")) else {
        return Ok(default);
    };
    // `.tmx` alone is a hidden file to the standard library, without an
    // extension; to a translator it is a TMX file.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = match path.extension() {
        Some(extension) => extension.to_string_lossy().to_ascii_lowercase(),
        None => match name.strip_prefix('.') {
            Some(ext) if !ext.is_empty() => ext.to_ascii_lowercase(),
            _ => return Ok(default),
        },
    };
    table
        .iter()
        .find(|(e, _)| *e == extension)
        .map(|&(_, format)| format)
        .ok_or_else(|| {
            Error::new(
                Kind::Input,
                format!(
                    "memoire does not write .{extension} files here; give the format with \
                     --format ({choices}) or use one of their extensions"
                ),
            )
            .at(path)
        })
}

/// A buffered [`Sink`] and the name errors call it.
pub struct Destination {
    pub out: BufWriter<Sink>,
    pub name: PathBuf,
}

impl Destination {
    /// `path`, or standard output when `None` or `-`. The file may be neither the
    /// memory (any of its files) nor `input`, compared as files.
    pub fn open(path: Option<&Path>, db: &Path, input: Option<&Path>) -> Result<Destination> {
        let Some(path) = path.filter(|p| *p != Path::new("-")) else {
            return Ok(Destination {
                out: BufWriter::new(Sink::Stdout(io::stdout().lock())),
                name: PathBuf::from("<stdout>"),
            });
        };
        if store::is_own_file(db, path) || input.is_some_and(|input| same_file(path, input)) {
            return Err(Error::new(
                Kind::Input,
                "this would overwrite the memory or the input; write to another file",
            )
            .at(path));
        }
        Ok(Destination {
            out: BufWriter::new(Sink::File(Output::create(path)?)),
            name: path.to_path_buf(),
        })
    }

    /// Flush everything; a file is moved into place only now.
    pub fn finish(self) -> Result<()> {
        let name = self.name;
        let sink = self
            .out
            .into_inner()
            .map_err(|e| Error::io("cannot write", &name, e.into_error()))?;
        match sink {
            Sink::Stdout(mut out) => out.flush().map_err(|e| Error::io("cannot write", &name, e)),
            Sink::File(file) => file.commit(),
        }
    }
}
