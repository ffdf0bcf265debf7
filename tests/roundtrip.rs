//! Property: export → import keeps every pair unchanged, for CSV and TSV,
//! whatever the texts hold (quotes, delimiters, line breaks, no-break
//! spaces, accents, guillemets), and whatever the cells start with: the
//! formula guard (`'` before `=`, `+`, `-`, `@`, tab, CR) is undone on
//! import.

use std::collections::BTreeSet;

use memoire::export::export_pairs;
use memoire::import::{ImportOptions, import_csv};
use memoire::store::{NewPair, Store};
use proptest::prelude::*;

/// Cell text: printable and tricky characters, never blank, sometimes
/// starting like a spreadsheet formula (or a guarded one).
fn cell() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "", "", "", "=", "+", "-", "@", "\t", "\r", "'", "'=", "''-", "'@x",
    ]);
    (
        prefix,
        "[a-zA-Zéèàçœ’'«»\"“”,;\t\n \u{a0}\u{202f}0-9.!?…=+@-]{0,30}[a-zA-Zé0-9.?]",
    )
        .prop_map(|(prefix, rest)| format!("{prefix}{rest}"))
}

fn pairs_of(store: &Store) -> BTreeSet<(String, String, String)> {
    let mut pairs = BTreeSet::new();
    store
        .for_each_pair(Some("fr"), Some("en"), |p| {
            pairs.insert((p.source.clone(), p.target.clone(), p.origin.clone()));
            Ok(())
        })
        .unwrap();
    pairs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn export_then_import_round_trips(
        pairs in prop::collection::vec((cell(), cell(), "[a-z][a-z .]{0,11}"), 1..20),
        tsv in any::<bool>(),
        guard in any::<bool>(),
    ) {
        // Without the guard, a cell that looks guarded cannot come back.
        let looks_guarded = |c: &String| memoire::format::csv::formula_unguard(c) != c;
        let pairs: Vec<_> = pairs
            .into_iter()
            .filter(|(s, t, _)| guard || !(looks_guarded(s) || looks_guarded(t)))
            .collect();
        prop_assume!(!pairs.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("a.db")).unwrap();
        let mut batch = store.begin_import().unwrap();
        for (source, target, origin) in &pairs {
            batch.add(&NewPair { source_lang: "fr", target_lang: "en", source, target, origin, ..NewPair::default() }).unwrap();
        }
        batch.commit().unwrap();

        let file = dir.path().join(if tsv { "out.tsv" } else { "out.csv" });
        let mut out = std::fs::File::create(&file).unwrap();
        export_pairs(&store, "fr", "en", if tsv { b'\t' } else { b',' }, guard, &mut out, &file).unwrap();

        let mut copy = Store::open(&dir.path().join("b.db")).unwrap();
        let report = import_csv(&mut copy, &file, &ImportOptions::default(), &mut |_| {}).unwrap();
        prop_assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        prop_assert_eq!(pairs_of(&copy), pairs_of(&store));
    }
}
