//! Helpers for tests that run the real `memoire` binary in a temp dir.
#![allow(dead_code)]

pub mod pg;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_memoire");

/// A temp dir with a database path in it; `--db` is always given.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("memoire.db");
        Sandbox { dir, db }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write test file");
        path
    }

    /// A command for the binary with `--db` set and no MEMOIRE_DB leaking in.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--db").arg(&self.db).env_remove("MEMOIRE_DB");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().expect("run memoire"))
    }

    /// Like [`Sandbox::run`], for a command that creates the memory without
    /// the shipped glossary.
    pub fn run_without_glossary(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.env("MEMOIRE_NO_GLOSSARY", "1").args(args);
        Run::from(cmd.output().expect("run memoire"))
    }

    pub fn import(&self, file: &Path, extra: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.arg("import").arg(file).args(extra);
        // A file of the checkout (examples/) must not get a rejects file
        // beside it: send its rejects into the sandbox.
        if !file.starts_with(self.dir.path()) && !extra.contains(&"--rejects") {
            cmd.arg("--rejects").arg(self.path("outside.rejects"));
        }
        Run::from(cmd.output().expect("run memoire"))
    }

    /// Number of fr→en pairs, read through `stats --json`.
    pub fn pair_count(&self) -> i64 {
        let run = self.run(&["stats", "--json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let stats: serde_json::Value = serde_json::from_str(&run.stdout).expect("stats JSON");
        stats["language_pairs"]
            .as_array()
            .expect("language_pairs")
            .iter()
            .map(|lp| lp["pairs"].as_i64().expect("pairs"))
            .sum()
    }

    /// The exported memory as CSV text.
    pub fn export(&self) -> String {
        let run = self.run(&["export"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    }
}

/// A file of the project's `examples/` folder.
pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// `rows` distinct, deterministic French/English pairs as CSV lines
/// (no header), tagged so two generated files never share a pair.
pub fn generated_csv(tag: &str, rows: usize) -> String {
    let mut csv = String::with_capacity(rows * 120);
    for i in 0..rows {
        csv.push_str(&format!(
            "\"Le canton n° {i} ({tag}) a publié ses comptes, déficit de {} francs.\",\
             \"Canton no. {i} ({tag}) published its accounts, a deficit of {} francs.\"\n",
            i * 7,
            i * 7
        ));
    }
    csv
}

/// Pairs as Translate Toolkit, a real client, reads `file` (`kind`: tmx,
/// tbx, xliff, xliff2), or `None` when python3 with translate-toolkit is
/// missing (`.ci/run` installs it; on CI its absence fails the test).
pub fn read_with_translate_toolkit(kind: &str, file: &Path) -> Option<Vec<(String, String)>> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/tools/translate_toolkit_check.py"
    );
    let out = Command::new("python3")
        .args([script, kind, file.to_str().unwrap()])
        .output();
    let out = match out {
        Ok(out) if out.status.code() != Some(3) => out,
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have translate-toolkit (see .ci/run)"
            );
            eprintln!("skipped: python3 with translate-toolkit is not installed");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pairs: Vec<(String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    Some(pairs)
}

/// `program` when it runs (`--version` answers), or `None` with a
/// "skipped" note; on CI (`CI` set) a missing program fails the test:
/// `.ci/run` installs it.
pub fn tool(program: &str, package: &str) -> Option<&'static str> {
    let runs = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty());
    if runs {
        return Some(Box::leak(program.to_string().into_boxed_str()));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have {program} (Debian package {package}, see .ci/run)"
    );
    eprintln!("skipped: {program} ({package}) is not installed");
    None
}

/// Is `file` valid against the DTD at `dtd`? (`xmllint --dtdvalid`); `None`
/// when xmllint is missing outside CI.
pub fn valid_against_dtd(file: &Path, dtd: &Path) -> Option<Result<(), String>> {
    let xmllint = tool("xmllint", "libxml2-utils")?;
    let out = Command::new(xmllint)
        .args(["--noout", "--dtdvalid"])
        .arg(dtd)
        .arg(file)
        .output()
        .unwrap();
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

/// A file of the project's `tests/data/` folder.
pub fn test_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// `file` converted by LibreOffice (headless, its own profile in `dir`) to
/// `to` (`pdf`, `docx`, `odt`): the converted file, or `None` when
/// LibreOffice is missing outside CI. Fails the test when the conversion
/// fails.
pub fn libreoffice_convert(file: &Path, to: &str, dir: &Path) -> Option<PathBuf> {
    let soffice = tool("soffice", "libreoffice-writer-nogui")?;
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", dir.display());
    let out = Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            to,
            "--outdir",
        ])
        .arg(dir)
        .arg(file)
        .output()
        .unwrap();
    let converted = dir.join(file.with_extension(to).file_name().unwrap());
    assert!(
        out.status.success() && converted.exists(),
        "LibreOffice could not convert {}: {}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(converted)
}

/// Page 1 of a PDF as a PNG (pdftoppm), and the share of its pixels that
/// are not white (`None` when poppler is missing outside CI).
pub fn first_page(pdf: &Path, png_base: &Path) -> Option<(PathBuf, f64)> {
    let pdftoppm = tool("pdftoppm", "poppler-utils")?;
    let status = Command::new(pdftoppm)
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(png_base)
        .status()
        .unwrap();
    assert!(status.success());
    // The same page in grey, as a PGM: easy to count dark pixels in.
    let status = Command::new(pdftoppm)
        .args(["-gray", "-r", "30", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(png_base)
        .status()
        .unwrap();
    assert!(status.success());
    let with = |ext: &str| PathBuf::from(format!("{}.{ext}", png_base.display()));
    let pgm = std::fs::read(with("pgm")).unwrap();
    // Header: P5, width, height, maxval, each followed by white space.
    let mut fields = 0;
    let mut at = 0;
    while fields < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields += 1;
    }
    let pixels = &pgm[at + 1..];
    let dark = pixels.iter().filter(|&&p| p < 200).count();
    Some((with("png"), dark as f64 / pixels.len() as f64))
}

/// Paragraphs of a Word file as python-docx, a real client, reads them:
/// style and runs (`text`, `bold`, `italic`, `highlight`, `link`); `None`
/// when python-docx is missing outside CI.
pub fn read_with_python_docx(file: &Path) -> Option<serde_json::Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/docx_check.py");
    let out = Command::new("python3").arg(script).arg(file).output();
    match out {
        Ok(out) if out.status.code() != Some(3) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(serde_json::from_slice(&out.stdout).unwrap())
        }
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have python-docx (see .ci/run)"
            );
            eprintln!("skipped: python3 with python-docx is not installed");
            None
        }
    }
}

/// Start `serve` (a command for the binary, `serve --listen 127.0.0.1:0`
/// among its arguments) and wait until it listens: the child and the
/// address it bound. Its stderr is read to the end meanwhile, so that it
/// never blocks on it.
pub fn serving(cmd: &mut Command) -> (std::process::Child, String) {
    use std::io::Read;
    let (child, address, mut stderr) = serving_with_stderr(cmd);
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
    });
    (child, address)
}

/// [`serving`], the rest of the server's stderr left to the caller (who
/// must read it, or the server may block writing its log).
pub fn serving_with_stderr(
    cmd: &mut Command,
) -> (
    std::process::Child,
    String,
    std::io::BufReader<std::process::ChildStderr>,
) {
    use std::io::{BufRead, BufReader};
    let mut child = cmd.stderr(std::process::Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("http://") {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            panic!("the server stopped before listening");
        }
    }
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, address, stderr)
}
