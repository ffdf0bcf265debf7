//! Fuzzed imports: CSV, TMX, TBX and XLIFF files mutated by a seeded
//! mutator (flipped and deleted bytes, inserted markup, truncation, files
//! glued together, unquoted and duplicated attributes, characters XML
//! cannot hold) are imported into a memory.
//!
//! For every input:
//! * the import does not panic and ends in success, partial success (rows
//!   rejected) or an error naming the file: exit status ≤ 2;
//! * rows read = added + alternatives + duplicates + updated + rejected;
//! * a refused file leaves the memory byte for byte as it was;
//! * an XML file memoire accepts is well-formed for a conforming parser
//!   (roxmltree), and so is the rejects file written from it.
//!
//! `cargo test` runs a few hundred inputs per format in seconds. The long
//! run: `MEMOIRE_FUZZ_CASES=20000 cargo test --release --test fuzz_import
//! -- --nocapture` (the README gives its last result). `MEMOIRE_FUZZ_SEED`
//! picks another seed.

use std::path::{Path, PathBuf};

use memoire::import::{Format, ImportOptions, ImportReport, import_csv, import_terms};
use memoire::store::{NewPair, Store};

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
<header creationtool="memoire-test" creationtoolversion="1" segtype="sentence" o-tmf="test" adminlang="en" srclang="fr-FR" datatype="plaintext"/>
<body>
<!-- a comment -->
<tu creationdate="20240102T030405Z" usagecount="3">
  <prop type="x-origin">dépêches</prop>
  <note>relu</note>
  <tuv xml:lang="fr-FR"><seg>Le <bpt i="1">&lt;b&gt;</bpt>Conseil fédéral<ept i="1">&lt;/b&gt;</ept> a siégé &amp; décidé.</seg></tuv>
  <tuv xml:lang="en-GB"><seg>The <hi>Federal Council</hi> met and decided.</seg></tuv>
</tu>
<tu><tuv xml:lang="fr"><seg><![CDATA[Prix : 3 < 4 francs]]></seg></tuv><tuv xml:lang="en"><seg>Price: 3 &lt; 4 francs</seg></tuv></tu>
<tu><tuv lang="FR"><seg>Il pleut&#160;!</seg></tuv><tuv lang="EN"><seg>It is raining!</seg></tuv></tu>
</body>
</tmx>
"#;

const TBX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="fr"><martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader><text><body>
<termEntry id="t1"><descrip type="subjectField">politique</descrip>
<langSet xml:lang="fr"><tig><term>Conseil fédéral</term></tig></langSet>
<langSet xml:lang="en"><tig><term>Federal Council</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig></langSet>
</termEntry>
<termEntry id="t2"><langSet xml:lang="fr"><tig><term>cessez-le-feu</term></tig></langSet>
<langSet xml:lang="en"><tig><term>ceasefire</term></tig></langSet></termEntry>
</body></text></martif>
"#;

const TBX3: &str = r#"<?xml version="1.0"?>
<tbx type="TBX-Core" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
<conceptEntry id="c1"><langSec xml:lang="fr"><termSec><term>OTSC</term></termSec></langSec>
<langSec xml:lang="en"><termSec><term>CSTO</term></termSec></langSec></conceptEntry>
</body></text></tbx>
"#;

const XLIFF2: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" xmlns:mtc="urn:oasis:names:tc:xliff:matches:2.0" version="2.0" srcLang="fr" trgLang="en">
 <file id="f1" original="dépêche.txt">
  <unit id="p1">
   <mtc:matches><mtc:match ref="#s1" similarity="100"><source>Il pleut.</source><target>It rains.</target></mtc:match></mtc:matches>
   <segment id="s1" state="translated"><source>Il pleut.</source><target>It is raining.</target></segment>
   <ignorable><source> </source></ignorable>
   <segment id="s2" state="final"><source>Le <pc id="1">vent</pc> souffle.</source><target>The <pc id="1">wind</pc> blows.</target></segment>
   <segment id="s3"><source>Non revu.</source><target>Not reviewed.</target></segment>
  </unit>
 </file>
</xliff>
"##;

const XLIFF12: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="dépêche.txt" source-language="fr" target-language="en" datatype="plaintext">
  <body>
   <group id="p1">
    <trans-unit id="s1" approved="yes"><source>Il pleut.</source><target state="translated">It is raining.</target></trans-unit>
    <trans-unit id="s2"><source>Le vent souffle.</source><target state="needs-review-translation">The wind blows.</target>
     <alt-trans match-quality="80"><source>Le vent tourne.</source><target>The wind turns.</target></alt-trans></trans-unit>
    <trans-unit id="s3" approved="yes"><source>Il neige <x id="1"/> fort.</source><target>It snows <x id="1"/> hard.</target></trans-unit>
   </group>
  </body>
 </file>
</xliff>
"#;

const CSV: &str = "fr,en,origin\n\
\"Le Conseil fédéral a siégé.\",\"The Federal Council met.\",dépêches\n\
Il pleut.,It is raining.,\n\
\"Il a dit « oui », puis \"\"non\"\".\",\"He said \"\"yes\"\", then \"\"no\"\".\",x\n\
'=SOMME(A1),'=SUM(A1),\n";

/// Pieces the mutator inserts: markup that breaks or bends a document.
const TOKENS: &[&str] = &[
    "<",
    ">",
    "&",
    "\"",
    "'",
    "=",
    "/",
    "]]>",
    "<!--",
    "-->",
    "--",
    "<![CDATA[",
    "</tu>",
    "<tu>",
    "</body>",
    "<body>",
    "</segment>",
    "<segment state=\"final\">",
    "</termEntry>",
    "&amp;",
    "&nbsp;",
    "&foo;",
    "&#1;",
    "&#xFFFF;",
    "&#xD800;",
    "&#65;",
    "\u{FFFF}",
    "\u{FFFE}",
    "\u{1}",
    "\u{FDD0}",
    "\u{85}",
    "<?xml version=\"1.0\"?>",
    "<?pi x?>",
    " a=\"1\"",
    " a=1",
    " xml:lang=\"de\"",
    "xmlns:x=\"urn:x\"",
    "<x:y/>",
    "<!DOCTYPE x>",
    "\r\n",
    "\0",
    "\u{FEFF}",
    "\"\"",
    ",",
    ";",
    "\t",
    "\n",
    "sep=;\n",
];

/// One mutation of `input`.
fn mutate(rng: &mut Rng, input: &[u8], seeds: &[&[u8]]) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        let at = rng.below(out.len() + 1).min(out.len());
        match rng.below(10) {
            0 => {
                // Replace a byte.
                if at < out.len() {
                    out[at] = *rng.pick(&[
                        b'<', b'>', b'"', b'\'', b'=', b'&', b';', b'/', b'!', b'?', b']', b'-',
                        b' ', b'\n', 0, 0xFF, 0xC3, 0x01, b'a', b'1', b':',
                    ]);
                }
            }
            1 => {
                // Delete a span.
                let len = 1 + rng.below(16);
                let end = (at + len).min(out.len());
                out.drain(at..end);
            }
            2 => {
                // Duplicate a span.
                let len = 1 + rng.below(40);
                let end = (at + len).min(out.len());
                let span = out[at..end].to_vec();
                out.splice(at..at, span);
            }
            3 | 4 => {
                let token = rng.pick(TOKENS).as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            5 => out.truncate(at),
            6 => {
                // Glue another file (or this one) after it.
                let other = *rng.pick(seeds);
                out.extend_from_slice(other);
            }
            7 => {
                // Unquote an attribute value: `a="x"` → `a=x`.
                if let Some(q) = out[at..].iter().position(|&b| b == b'"') {
                    out.remove(at + q);
                    if let Some(q2) = out[at + q..].iter().position(|&b| b == b'"') {
                        out.remove(at + q + q2);
                    }
                }
            }
            8 => {
                // Duplicate an attribute: copy ` name="value"` in place.
                if let Some(eq) = out[at..].windows(2).position(|w| w == b"=\"") {
                    let eq = at + eq;
                    let start = out[..eq].iter().rposition(|&b| b == b' ').unwrap_or(eq);
                    if let Some(close) = out[eq + 2..].iter().position(|&b| b == b'"') {
                        let attr = out[start..eq + 3 + close].to_vec();
                        out.splice(start..start, attr);
                    }
                }
            }
            _ => {
                // Cut a line out.
                if let Some(nl) = out[at..].iter().position(|&b| b == b'\n') {
                    let end = out[at + nl + 1..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(out.len(), |n| at + nl + 1 + n);
                    out.drain(at + nl..end);
                }
            }
        }
    }
    out
}

/// Is `bytes` a well-formed XML document for roxmltree? `&nbsp;`, which
/// memoire accepts in TMX on purpose, counts as `&#160;`.
fn well_formed(bytes: &[u8]) -> bool {
    oracle(bytes).is_ok()
}

/// roxmltree's verdict, with its reason.
fn oracle(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let text = text.replace("&nbsp;", "&#160;");
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(&text, options)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The memory's files as bytes: what must not change when an import is
/// refused.
fn snapshot(db: &Path) -> Vec<Vec<u8>> {
    ["", "-wal"]
        .iter()
        .map(|suffix| {
            let mut path = db.as_os_str().to_owned();
            path.push(suffix);
            std::fs::read(PathBuf::from(path)).unwrap_or_default()
        })
        .collect()
}

#[derive(Default, Debug)]
struct Tally {
    inputs: u64,
    accepted: u64,
    partial: u64,
    refused: u64,
    /// Inputs a conforming parser calls malformed.
    malformed: u64,
    malformed_refused: u64,
}

impl Tally {
    fn add(mut self, other: Tally) -> Tally {
        self.inputs += other.inputs;
        self.accepted += other.accepted;
        self.partial += other.partial;
        self.refused += other.refused;
        self.malformed += other.malformed;
        self.malformed_refused += other.malformed_refused;
        self
    }
}

fn check_report(report: &ImportReport, name: &str) {
    let counted = report.added
        + report.alternatives
        + report.duplicates
        + report.updated
        + report.rejected.len() as u64;
    assert_eq!(
        report.rows_read, counted,
        "{name}: rows do not add up: {report:?}"
    );
}

fn run(kind: &str, ext: &str, seed_text: &str, cases: u64, seed: u64) -> Tally {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let mut store = Store::open(&db).unwrap();
    let mut batch = store.begin_import().unwrap();
    batch
        .add(&NewPair {
            source_lang: "fr",
            target_lang: "en",
            source: "Déjà là.",
            target: "Already there.",
            origin: "seed",
            ..NewPair::default()
        })
        .unwrap();
    batch.commit().unwrap();
    let xml = ext != "csv";
    let seeds: Vec<&[u8]> = vec![
        TMX.as_bytes(),
        TBX.as_bytes(),
        TBX3.as_bytes(),
        XLIFF2.as_bytes(),
        XLIFF12.as_bytes(),
        seed_text.as_bytes(),
    ];
    let mut rng = Rng(seed ^ kind.bytes().fold(0, |h, b| h * 31 + u64::from(b)));
    let mut tally = Tally::default();
    let input = dir.path().join(format!("in.{ext}"));
    let rejects = dir.path().join(format!("in.rejects.{ext}"));
    for case in 0..cases {
        let bytes = mutate(&mut rng, seed_text.as_bytes(), &seeds);
        std::fs::write(&input, &bytes).unwrap();
        let _ = std::fs::remove_file(&rejects);
        let options = ImportOptions {
            rejects: Some(rejects.clone()),
            format: Some(match ext {
                "tmx" => Format::Tmx,
                "tbx" => Format::Tbx,
                "xlf" => Format::Xliff,
                _ => Format::Csv,
            }),
            ..ImportOptions::default()
        };
        let before = snapshot(&db);
        let result = if ext == "tbx" {
            import_terms(&mut store, &input, &options, &mut |_| {})
        } else {
            import_csv(&mut store, &input, &options, &mut |_| {})
        };
        let name = format!("{kind} case {case}");
        let conforming = xml && well_formed(&bytes);
        tally.inputs += 1;
        if xml && !conforming {
            tally.malformed += 1;
        }
        match result {
            Ok(report) => {
                check_report(&report, &name);
                if report.rejected.is_empty() {
                    tally.accepted += 1;
                } else {
                    tally.partial += 1;
                }
                if xml {
                    assert!(
                        conforming,
                        "{name}: memoire accepted a file roxmltree calls malformed ({:?}):\n{}",
                        oracle(&bytes),
                        String::from_utf8_lossy(&bytes)
                    );
                    if let Some(path) = &report.rejects_path {
                        let written = std::fs::read(path).unwrap();
                        assert!(
                            well_formed(&written),
                            "{name}: the rejects file is not well-formed:\n{}\nfrom:\n{}",
                            String::from_utf8_lossy(&written),
                            String::from_utf8_lossy(&bytes)
                        );
                    }
                }
            }
            Err(err) => {
                tally.refused += 1;
                if xml && !conforming {
                    tally.malformed_refused += 1;
                }
                assert!(
                    err.location().is_some(),
                    "{name}: the error names no file: {err}"
                );
                assert_eq!(
                    snapshot(&db),
                    before,
                    "{name}: a refused import changed the memory ({err})"
                );
                assert!(
                    !rejects.exists(),
                    "{name}: a refused import left a rejects file"
                );
            }
        }
    }
    tally
}

fn cases() -> u64 {
    std::env::var("MEMOIRE_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

fn seed() -> u64 {
    std::env::var("MEMOIRE_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20261202)
}

fn report(kind: &str, tally: &Tally) {
    eprintln!(
        "fuzz {kind}: {} inputs, {} imported, {} with rejected rows, {} refused; \
         {} malformed for roxmltree, {} of them refused",
        tally.inputs,
        tally.accepted,
        tally.partial,
        tally.refused,
        tally.malformed,
        tally.malformed_refused
    );
}

#[test]
fn fuzzed_tmx_imports_hold_every_invariant() {
    let tally = run("tmx", "tmx", TMX, cases(), seed());
    report("tmx", &tally);
    assert_eq!(tally.malformed, tally.malformed_refused);
}

#[test]
fn fuzzed_tbx_imports_hold_every_invariant() {
    let tally = run("tbx", "tbx", TBX, cases() / 2, seed()).add(run(
        "tbx3",
        "tbx",
        TBX3,
        cases() / 2,
        seed(),
    ));
    report("tbx", &tally);
    assert_eq!(tally.malformed, tally.malformed_refused);
}

#[test]
fn fuzzed_xliff_imports_hold_every_invariant() {
    let tally = run("xliff2", "xlf", XLIFF2, cases() / 2, seed()).add(run(
        "xliff12",
        "xlf",
        XLIFF12,
        cases() / 2,
        seed(),
    ));
    report("xliff", &tally);
    assert_eq!(tally.malformed, tally.malformed_refused);
}

#[test]
fn fuzzed_csv_imports_hold_every_invariant() {
    let tally = run("csv", "csv", CSV, cases(), seed());
    report("csv", &tally);
}
