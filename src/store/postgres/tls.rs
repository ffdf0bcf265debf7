//! TLS to PostgreSQL, as a connection string asks for it with libpq's
//! words: `sslmode=require`, `verify-ca` or `verify-full` encrypt the
//! connection and check the server's certificate — against the system's
//! trusted roots and, when given, the PEM file `sslrootcert=…` — and its
//! host name (memoire's `require` checks as much as libpq's
//! `verify-full`: an encrypted connection to a server nobody vouched for
//! is not what a desk asks for). `disable`, `prefer` (the default) and no
//! `sslmode` connect without TLS, over a Unix socket or a private network.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Kind, Result};

/// A connection string as the driver reads it, and the TLS it asks for.
pub(super) struct Wanted {
    /// The string without memoire's own reading (`sslrootcert`, and the
    /// `verify-…` modes, which the driver does not know: `require`).
    pub conn: String,
    /// `None`: no TLS.
    pub tls: Option<MakeRustlsConnect>,
}

/// The TLS words of `conn` (a URL or `key=value` words): `sslmode` and
/// `sslrootcert`, and the string as the driver reads it (without
/// `sslrootcert`, and `require` for the `verify-…` modes, which it does not
/// know; an unknown mode left out).
pub(super) struct Words {
    pub conn: String,
    pub mode: Option<String>,
    pub root: Option<String>,
    /// How many times `sslmode` is given (more than once is refused).
    pub modes: usize,
}

pub(super) fn words(conn: &str) -> Words {
    let mut mode: Option<String> = None;
    let mut root: Option<String> = None;
    let mut kept: Vec<String> = Vec::new();
    let mut modes = 0;
    let mut take = |key: &str, value: &str, raw: &str| match key {
        "sslmode" => {
            modes += 1;
            mode = Some(value.to_string());
        }
        "sslrootcert" => root = Some(value.to_string()),
        _ => kept.push(raw.to_string()),
    };
    let url = conn.starts_with("postgres://") || conn.starts_with("postgresql://");
    let base = if url {
        let (base, query) = conn.split_once('?').unwrap_or((conn, ""));
        for raw in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = raw.split_once('=').unwrap_or((raw, ""));
            // (Keys decoded as the driver decodes them: `ssl%6dode` is
            // `sslmode` to it.)
            take(&percent_decoded(key), &percent_decoded(value), raw);
        }
        base
    } else {
        for raw in conn.split_whitespace() {
            let (key, value) = raw.split_once('=').unwrap_or((raw, ""));
            take(key, value.trim_matches('\''), raw);
        }
        ""
    };
    // A string the driver reads as it is stays as it is (a quoted
    // password keeps its spaces).
    if root.is_none()
        && matches!(
            mode.as_deref(),
            None | Some("disable" | "prefer" | "require")
        )
    {
        return Words {
            conn: conn.to_string(),
            mode,
            root,
            modes,
        };
    }
    match (asks_for_tls(mode.as_deref()), &mode) {
        (Some(true), _) => kept.push("sslmode=require".to_string()),
        (Some(false), Some(mode)) => kept.push(format!("sslmode={mode}")),
        _ => {}
    }
    let conn = match (url, kept.is_empty()) {
        (true, true) => base.to_string(),
        (true, false) => format!("{base}?{}", kept.join("&")),
        (false, _) => kept.join(" "),
    };
    Words {
        conn,
        mode,
        root,
        modes,
    }
}

/// What an `sslmode` asks for: TLS (`Some(true)`), none (`Some(false)`,
/// also when there is none), or nothing memoire knows (`None`).
fn asks_for_tls(mode: Option<&str>) -> Option<bool> {
    match mode {
        None | Some("disable" | "prefer") => Some(false),
        Some("require" | "verify-ca" | "verify-full") => Some(true),
        Some(_) => None,
    }
}

/// Read the TLS settings of `conn` (see [`words`]).
pub(super) fn wanted(conn: &str) -> Result<Wanted> {
    let Words {
        conn,
        mode,
        root,
        modes,
    } = words(conn);
    let name = super::redacted(&conn);
    if modes > 1 {
        return Err(Error::new(
            Kind::Input,
            "sslmode is given more than once: give it once (verify-full for TLS)",
        )
        .at(Path::new(&name)));
    }
    let tls = match (asks_for_tls(mode.as_deref()), mode.as_deref()) {
        (Some(tls), _) => tls,
        (None, other) => {
            let other = other.unwrap_or_default();
            return Err(Error::new(
                Kind::Input,
                format!(
                    "sslmode={} is not one memoire knows: disable, prefer (no TLS), \
                     require, verify-ca or verify-full (TLS, the server's certificate checked)",
                    // (Only a plausible value is echoed: the rest of a
                    // password may have been read as one.)
                    if other.len() <= 12
                        && other
                            .chars()
                            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_')
                    {
                        other
                    } else {
                        "…"
                    }
                ),
            )
            .at(Path::new(&name)));
        }
    };
    if !tls {
        if root.is_some() {
            return Err(Error::new(
                Kind::Input,
                "sslrootcert is given but sslmode does not ask for TLS: add sslmode=verify-full",
            )
            .at(Path::new(&name)));
        }
        return Ok(Wanted { conn, tls: None });
    }
    // TLS runs over TCP: PostgreSQL offers none on a Unix socket.
    if conn.parse::<postgres::Config>().is_ok_and(|c| {
        c.get_hosts()
            .iter()
            .all(|h| matches!(h, postgres::config::Host::Unix(_)))
    }) {
        return Err(Error::new(
            Kind::Input,
            "TLS is asked for on a Unix socket, where PostgreSQL offers none: connect over \
             TCP (a host name) for TLS, or leave sslmode out on the socket",
        )
        .at(Path::new(&name)));
    }
    // libpq's `sslrootcert=system`: the system's roots alone.
    let root = root.filter(|r| r != "system");
    let connector = connector(root.as_deref().map(PathBuf::from).as_deref(), &name)?;
    Ok(Wanted {
        conn,
        tls: Some(connector),
    })
}

/// The host of `conn` when the connection to it goes over the network
/// without TLS (no `sslmode`, `prefer` or `disable`, and a host that is
/// not this machine): what a desk's admin should be told.
pub(super) fn unencrypted_remote_host(conn: &str) -> Option<String> {
    let words = words(conn);
    if asks_for_tls(words.mode.as_deref()) == Some(true) {
        return None;
    }
    let config: postgres::Config = words.conn.parse().ok()?;
    config.get_hosts().iter().find_map(|host| match host {
        postgres::config::Host::Tcp(name)
            if !(name == "localhost" || name == "::1" || name.starts_with("127.")) =>
        {
            Some(name.clone())
        }
        _ => None,
    })
}

/// `%XX` escapes of a URL's value decoded (a path in `sslrootcert`).
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap() * 16 + hex(l).unwrap()) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A TLS connector that trusts the system's roots and those of `root` (a
/// PEM file).
fn connector(root: Option<&Path>, name: &str) -> Result<MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable system certificates are skipped: `sslrootcert` may be
    // all a desk needs.
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(root) = root {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let unreadable = |detail: String| {
            Error::new(
                Kind::Input,
                format!("cannot read the trusted certificates (sslrootcert): {detail}"),
            )
            .at(root)
        };
        // A CA file is a few kilobytes: anything but a regular file, or
        // more than 1 MiB, is refused before it is read (adversary:
        // /dev/zero grew memory without end, a FIFO hung).
        const MAX_CA_FILE: u64 = 1 << 20;
        let meta = std::fs::metadata(root).map_err(|e| unreadable(e.to_string()))?;
        if !meta.is_file() {
            return Err(unreadable("not a regular file".to_string()));
        }
        let mut pem = Vec::new();
        use std::io::Read;
        std::fs::File::open(root)
            .and_then(|f| f.take(MAX_CA_FILE + 1).read_to_end(&mut pem))
            .map_err(|e| unreadable(e.to_string()))?;
        if pem.len() as u64 > MAX_CA_FILE {
            return Err(unreadable("more than 1 MiB: not a CA file".to_string()));
        }
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| unreadable(e.to_string()))?;
        if certs.is_empty() {
            return Err(unreadable("no PEM certificate in the file".to_string()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| unreadable(format!("not a usable certificate: {e}")))?;
        }
    }
    if roots.is_empty() {
        return Err(Error::new(
            Kind::Input,
            "TLS asked for, but no trusted certificate to check the server's against: \
             give the server's CA as sslrootcert=FILE.pem",
        )
        .at(Path::new(name)));
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::new(Kind::Input, format!("cannot set up TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_sslmode_and_prefer_connect_without_tls() {
        for conn in [
            "postgres://u@h/db",
            "postgres://u@h/db?sslmode=prefer",
            "host=/tmp user=u sslmode=disable",
        ] {
            let wanted = wanted(conn).unwrap();
            assert!(wanted.tls.is_none(), "{conn}");
            assert_eq!(wanted.conn, conn);
        }
    }

    #[test]
    fn memoires_own_words_are_taken_out_for_the_driver() {
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("ca.pem");
        // Any self-signed certificate will do to fill the store.
        std::fs::write(&pem, TEST_CA).unwrap();
        let url = format!(
            "postgresql://u@h:5433/db?application_name=x&sslmode=verify-full&sslrootcert={}",
            pem.display().to_string().replace('/', "%2F")
        );
        let wanted = wanted(&url).unwrap();
        assert!(wanted.tls.is_some());
        assert_eq!(
            wanted.conn,
            "postgresql://u@h:5433/db?application_name=x&sslmode=require"
        );
        let words = format!(
            "host=h user=u sslmode=require sslrootcert={}",
            pem.display()
        );
        assert_eq!(
            super::wanted(&words).unwrap().conn,
            "host=h user=u sslmode=require"
        );
    }

    #[test]
    fn a_remote_host_without_tls_is_named_and_no_other() {
        let remote = unencrypted_remote_host;
        assert_eq!(
            remote("postgres://u@db.example/desk").as_deref(),
            Some("db.example")
        );
        assert_eq!(
            remote("postgres://u@10.0.0.5/desk?sslmode=prefer").as_deref(),
            Some("10.0.0.5")
        );
        for conn in [
            "postgres://u@db.example/desk?sslmode=verify-full",
            "postgres://u@localhost/desk",
            "postgres://u@127.0.0.1:5433/desk",
            "postgres://u@/desk?host=/run/postgresql",
        ] {
            assert_eq!(remote(conn), None, "{conn}");
        }
    }

    #[test]
    fn an_encoded_sslmode_key_is_read_as_the_driver_reads_it() {
        // Adversary: `ssl%6dode=disable` after `sslmode=require` was
        // `disable` to the driver and unseen by memoire (the connection
        // then went out in plaintext; `open_client` now also forces TLS
        // on the driver's configuration).
        let w = words("postgres://u@h/db?sslmode=require&ssl%6dode=disable");
        assert_eq!((w.mode.as_deref(), w.modes), (Some("disable"), 2));
        let err = wanted("postgres://u@h/db?sslmode=require&ssl%6dode=disable")
            .err()
            .unwrap();
        assert!(err.to_string().contains("more than once"), "{err}");
        let w = words("postgres://u@h/db?ssl%6Dode=verify-full");
        assert_eq!(w.mode.as_deref(), Some("verify-full"));
        assert_eq!(w.conn, "postgres://u@h/db?sslmode=require");
    }

    #[test]
    fn a_root_file_that_is_no_file_or_too_big_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        for (root, why) in [
            ("/dev/zero".into(), "not a regular file"),
            (dir.path().to_path_buf(), "not a regular file"),
        ] {
            let err = connector(Some(&root), "x").err().unwrap();
            assert!(err.to_string().contains(why), "{err}");
        }
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'A'; (1 << 20) + 10]).unwrap();
        let err = connector(Some(&big), "x").err().unwrap();
        assert!(err.to_string().contains("more than 1 MiB"), "{err}");
    }

    #[test]
    fn tls_on_a_unix_socket_is_refused_and_system_means_the_systems_roots() {
        let err = wanted("postgres://u@/db?host=/run/postgresql&sslmode=verify-full")
            .err()
            .unwrap();
        assert!(err.to_string().contains("Unix socket"), "{err}");
        // `system` is no file name: the system's roots, when it has any.
        match wanted("postgres://u@h/db?sslmode=require&sslrootcert=system") {
            Ok(wanted) => assert!(wanted.tls.is_some()),
            Err(err) => assert!(err.to_string().contains("no trusted certificate"), "{err}"),
        }
        // A quoted password keeps its spaces when nothing is taken out.
        let conn = "host=h user=u password='a  b' sslmode=require";
        assert_eq!(words(conn).conn, conn);
    }

    #[test]
    fn a_missing_or_empty_root_file_and_an_unknown_mode_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.pem");
        let err = wanted(&format!(
            "host=h sslmode=require sslrootcert={}",
            missing.display()
        ))
        .err()
        .unwrap();
        assert!(err.to_string().contains("none.pem"), "{err}");
        assert!(err.to_string().contains("sslrootcert"), "{err}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = wanted(&format!(
            "host=h sslmode=require sslrootcert={}",
            empty.display()
        ))
        .err()
        .unwrap();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
        let err = wanted("host=h sslmode=allow").err().unwrap();
        assert!(err.to_string().contains("sslmode=allow"), "{err}");
        let err = wanted(&format!("host=h sslrootcert={}", empty.display()))
            .err()
            .unwrap();
        assert!(err.to_string().contains("sslmode"), "{err}");
    }

    /// A self-signed certificate (CN=memoire test CA, EC P-256), made with
    /// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1`.
    const TEST_CA: &str = include_str!("tls-test-ca.pem");
}
