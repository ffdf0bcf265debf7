//! Fuzzy matching: the indexed search returns exactly what scoring every
//! stored segment returns, and the score behaves as documented.

mod common;

use memoire::fuzzy::{self, Query, Segment, score};
use memoire::store::{NewPair, Store};
use proptest::prelude::*;

/// A small vocabulary so that random segments share words, with case,
/// accent, number and punctuation variants.
const WORDS: &[&str] = &[
    "le",
    "Le",
    "la",
    "de",
    "des",
    "conseil",
    "Conseil",
    "fédéral",
    "federal",
    "État",
    "Etat",
    "état",
    "a",
    "à",
    "vote",
    "votation",
    "Berne",
    "Genève",
    "mardi",
    "mercredi",
    "francs",
    "hausse",
    "l’OTSC",
    "l'OTSC",
    "d’Almaty",
    "10’000",
    "12’500",
    "3,5",
    "4,2",
    "2025",
    ",",
    ".",
    "?",
    "«",
    "»",
    "…",
    "(",
    ")",
    "–",
];

fn sentence() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..14).prop_map(|w| w.join(" "))
}

/// A query: a stored sentence with up to three random edits, or a new one.
fn query_from(stored: Vec<String>) -> impl Strategy<Value = String> {
    let n = stored.len();
    (
        0..n,
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                prop::sample::select(WORDS),
                0..3u8,
            ),
            0..4,
        ),
        sentence(),
        any::<bool>(),
    )
        .prop_map(move |(i, edits, fresh, use_fresh)| {
            if use_fresh {
                return fresh;
            }
            let mut words: Vec<String> = stored[i].split(' ').map(str::to_string).collect();
            for (at, word, op) in edits {
                match op {
                    0 if !words.is_empty() => {
                        let k = at.index(words.len());
                        words[k] = word.to_string();
                    }
                    1 if !words.is_empty() => {
                        words.remove(at.index(words.len()));
                    }
                    _ => words.insert(at.index(words.len() + 1), word.to_string()),
                }
            }
            words.join(" ")
        })
}

/// A sentence and many near copies of it (a few words replaced, deleted or
/// inserted each): a memory where many sources compete for the best
/// places, as Hansard's repeated formulas do.
fn near_duplicates() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    let base = prop::collection::vec(prop::sample::select(WORDS), 6..16);
    let edits = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            prop::sample::select(WORDS),
            0..3u8,
        ),
        0..5,
    );
    (
        base,
        prop::collection::vec(edits.clone(), 5..30),
        prop::collection::vec(edits, 1..4),
    )
        .prop_map(|(base, copies, queries)| {
            let apply = |edits: &Vec<(prop::sample::Index, &str, u8)>| {
                let mut words: Vec<&str> = base.clone();
                for (at, word, kind) in edits {
                    let i = at.index(words.len().max(1));
                    match kind {
                        0 if !words.is_empty() => words[i] = word,
                        1 if words.len() > 1 => {
                            words.remove(i);
                        }
                        _ => words.insert(i.min(words.len()), word),
                    }
                }
                words.join(" ")
            };
            (
                copies.iter().map(apply).collect(),
                queries.iter().map(apply).collect(),
            )
        })
}

fn memory_and_queries() -> impl Strategy<Value = (Vec<(String, String)>, Vec<String>, u8)> {
    prop::collection::vec((sentence(), sentence()), 1..40)
        .prop_filter("sources and targets need text", |pairs| {
            pairs
                .iter()
                .any(|(s, t)| !s.trim().is_empty() && !t.trim().is_empty())
        })
        .prop_flat_map(|pairs| {
            let sources: Vec<String> = pairs.iter().map(|(s, _)| s.clone()).collect();
            (
                Just(pairs),
                prop::collection::vec(query_from(sources), 1..6),
                prop_oneof![Just(50u8), Just(75), Just(95), Just(100), 50..=100u8],
            )
        })
}

fn results(store: &Store, text: &str, threshold: u8, exhaustive: bool) -> Vec<(u8, i64)> {
    results_limited(store, text, threshold, usize::MAX, exhaustive)
}

fn results_limited(
    store: &Store,
    text: &str,
    threshold: u8,
    limit: usize,
    exhaustive: bool,
) -> Vec<(u8, i64)> {
    let query = Query {
        text,
        source_lang: "fr",
        target_lang: "en",
        threshold,
        limit,
        exhaustive,
    };
    let mut found: Vec<(u8, i64)> = fuzzy::search(store, &query)
        .unwrap()
        .into_iter()
        .map(|m| (m.score, m.pair.id))
        .collect();
    found.sort_unstable();
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn indexed_search_returns_exactly_what_exhaustive_scoring_returns(
        (pairs, queries, threshold) in memory_and_queries()
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        // Two imports, so that the index is also updated incrementally.
        for half in pairs.chunks(pairs.len().div_ceil(2)) {
            let mut batch = store.begin_import().unwrap();
            for (source, target) in half {
                if source.trim().is_empty() || target.trim().is_empty() {
                    continue;
                }
                batch.add(&NewPair { source_lang: "fr", target_lang: "en", source, target, origin: "p", ..NewPair::default() }).unwrap();
            }
            batch.commit().unwrap();
        }
        for query in &queries {
            prop_assert_eq!(
                results(&store, query, threshold, false),
                results(&store, query, threshold, true),
                "query {:?} at {}", query, threshold
            );
        }
    }

    /// With a limit, the search skips what cannot enter the best
    /// `limit` sources: the answer is still exactly exhaustive scoring's,
    /// in the same order.
    #[test]
    fn indexed_search_with_a_limit_returns_what_exhaustive_scoring_returns(
        (pairs, queries, threshold) in memory_and_queries(),
        limit in 1usize..4
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        let mut batch = store.begin_import().unwrap();
        for (source, target) in &pairs {
            if source.trim().is_empty() || target.trim().is_empty() {
                continue;
            }
            batch.add(&NewPair { source_lang: "fr", target_lang: "en", source, target, origin: "p", ..NewPair::default() }).unwrap();
        }
        batch.commit().unwrap();
        let ordered = |exhaustive| -> Vec<Vec<(u8, i64)>> {
            queries.iter().map(|q| {
                let query = Query { text: q, source_lang: "fr", target_lang: "en", threshold, limit, exhaustive };
                fuzzy::search(&store, &query).unwrap().into_iter().map(|m| (m.score, m.pair.id)).collect()
            }).collect()
        };
        prop_assert_eq!(ordered(false), ordered(true), "limit {} at {}", limit, threshold);
    }

    /// The same, where many near copies compete for the best places.
    #[test]
    fn a_limited_search_among_near_copies_returns_what_exhaustive_scoring_returns(
        (sources, queries) in near_duplicates(),
        limit in 1usize..4,
        threshold in prop_oneof![Just(50u8), Just(60), Just(75), 50..=95u8],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        let mut batch = store.begin_import().unwrap();
        for (k, source) in sources.iter().enumerate() {
            let target = format!("t{k}");
            batch.add(&NewPair { source_lang: "fr", target_lang: "en", source, target: &target, origin: "p", ..NewPair::default() }).unwrap();
        }
        batch.commit().unwrap();
        let ordered = |exhaustive| -> Vec<Vec<(u8, i64)>> {
            queries.iter().map(|q| {
                let query = Query { text: q, source_lang: "fr", target_lang: "en", threshold, limit, exhaustive };
                fuzzy::search(&store, &query).unwrap().into_iter().map(|m| (m.score, m.pair.id)).collect()
            }).collect()
        };
        prop_assert_eq!(ordered(false), ordered(true), "limit {} at {}", limit, threshold);
    }

    /// The index kept in memory by the server answers as the store's: after
    /// its load, after pairs are added (read as they come), and after a
    /// removal (read again whole).
    #[test]
    fn the_warm_index_in_memory_returns_what_exhaustive_scoring_returns(
        (sources, queries) in near_duplicates(),
        (pairs, more_queries, threshold) in memory_and_queries(),
        limit in prop_oneof![Just(usize::MAX), 1usize..4],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        let add = |store: &mut Store, texts: &[String], origin: &str| {
            let mut batch = store.begin_import().unwrap();
            for (k, source) in texts.iter().enumerate() {
                if source.trim().is_empty() {
                    continue;
                }
                let target = format!("{origin}{k}");
                batch.add(&NewPair { source_lang: "fr", target_lang: "en", source, target: &target, origin, ..NewPair::default() }).unwrap();
            }
            batch.commit().unwrap();
        };
        add(&mut store, &sources, "a");
        let warm = fuzzy::warm::WarmIndex::load(&store).unwrap();
        let all: Vec<String> = queries.iter().chain(&more_queries).cloned().collect();
        let check = |store: &Store, stage: &str| -> Result<(), TestCaseError> {
            for q in &all {
                let query = Query { text: q, source_lang: "fr", target_lang: "en", threshold, limit, exhaustive: false };
                let got: Vec<(u8, i64)> = warm.search(store, &query).unwrap().into_iter().map(|m| (m.score, m.pair.id)).collect();
                let want: Vec<(u8, i64)> = fuzzy::search(store, &Query { exhaustive: true, ..query }).unwrap().into_iter().map(|m| (m.score, m.pair.id)).collect();
                prop_assert_eq!(got, want, "{} query {:?} at {} limit {}", stage, q, threshold, limit);
            }
            Ok(())
        };
        check(&store, "loaded")?;
        let more: Vec<String> = pairs.iter().map(|(s, _)| s.clone()).collect();
        add(&mut store, &more, "b");
        check(&store, "after adding")?;
        store.remove_pairs_from("a", "fr", "en").unwrap();
        add(&mut store, &sources, "c");
        check(&store, "after a removal")?;
    }

    #[test]
    fn score_properties(a in sentence(), b in sentence()) {
        let (sa, sb) = (Segment::new(&a), Segment::new(&b));
        prop_assert_eq!(score(&sa, &sa), 100);
        prop_assert_eq!(score(&sa, &sb), score(&sb, &sa));
        prop_assert!(score(&sa, &sb) <= 100);
    }

    #[test]
    fn more_word_edits_never_score_higher(
        words in prop::collection::vec("[a-z]{2,9}", 3..30),
        positions in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
    ) {
        let original = words.join(" ");
        let mut edited = words.clone();
        let mut previous = 100;
        for (n, at) in positions.iter().enumerate() {
            // Replace one word by a word found nowhere else: one more edit.
            let k = at.index(edited.len());
            edited[k] = format!("zz{n}unique");
            let s = score(&Segment::new(&original), &Segment::new(&edited.join(" ")));
            prop_assert!(s <= previous, "{} then {}", previous, s);
            previous = s;
        }
    }
}

fn store_with(pairs: &[(&str, &str)]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    let mut batch = store.begin_import().unwrap();
    for (source, target) in pairs {
        batch
            .add(&NewPair {
                source_lang: "fr",
                target_lang: "en",
                source,
                target,
                origin: "t",
                ..NewPair::default()
            })
            .unwrap();
    }
    batch.commit().unwrap();
    (dir, store)
}

/// Bug pinned (counts a byte each, issue 13): a query of more than 255
/// terms shares more terms with its match than a count holds. A saturated
/// count must pass every filter: here the match needs 285 of its 300
/// terms (threshold 95), and differs only in case.
#[test]
fn a_query_of_more_than_255_terms_finds_its_match_in_the_store_and_in_memory() {
    let words = ["conseil", "vote", "hausse", "Berne", "mardi", "francs"];
    let long: Vec<String> = (0..300)
        .map(|k| format!("{}{}", words[k % 6], k % 50))
        .collect();
    let stored = long.join(" ");
    let mut query = long.clone();
    query[7] = query[7].to_uppercase();
    let query = query.join(" ");
    let (_dir, store) = store_with(&[(&stored, "long"), ("le conseil vote mardi", "short")]);
    let warm = fuzzy::warm::WarmIndex::load(&store).unwrap();
    for threshold in [95, 75, 50] {
        let want = results(&store, &query, threshold, true);
        assert_eq!(want.len(), 1, "the oracle finds it at {threshold}");
        assert!(want[0].0 >= 95);
        assert_eq!(
            results(&store, &query, threshold, false),
            want,
            "store at {threshold}"
        );
        let q = Query {
            text: &query,
            source_lang: "fr",
            target_lang: "en",
            threshold,
            limit: usize::MAX,
            exhaustive: false,
        };
        let got: Vec<(u8, i64)> = (warm.search(&store, &q).unwrap().into_iter())
            .map(|m| (m.score, m.pair.id))
            .collect();
        assert_eq!(got, want, "in memory at {threshold}");
    }
}

/// Regression cases the index must not miss: near-duplicates, very short
/// and very long segments, punctuation-only and number-only segments.
#[test]
fn edge_segments_are_found_by_the_index() {
    let long: String = (0..110).map(|i| format!("mot{} ", i % 37)).collect();
    let long_query = long.replacen("mot3 ", "autre ", 1);
    let pairs = [
        ("Oui.", "Yes."),
        ("Non merci.", "No thanks."),
        (
            "Le vote a eu lieu mardi.",
            "The vote took place on Tuesday.",
        ),
        (
            "Le vote a eu lieu mercredi.",
            "The vote took place on Wednesday.",
        ),
        ("…", "…"),
        ("?!", "?!"),
        ("2025", "2025"),
        ("10’000", "10,000"),
        (long.as_str(), "long"),
    ];
    let (_dir, store) = store_with(&pairs);
    for (query, threshold) in [
        ("Oui !", 50),
        ("Non, merci.", 75),
        ("Le vote a eu lieu jeudi.", 75),
        ("… ?", 50),
        ("!?", 95),
        ("2026", 95),
        ("12’000", 95),
        (long_query.as_str(), 95),
        (long_query.as_str(), 90),
    ] {
        let indexed = results(&store, query, threshold, false);
        assert_eq!(
            indexed,
            results(&store, query, threshold, true),
            "{query:?} at {threshold}"
        );
        assert!(
            !indexed.is_empty() || threshold >= 95,
            "{query:?} finds something"
        );
    }
}

#[test]
fn lookup_shows_score_diff_alternatives_and_adjusted_numbers() {
    let sb = common::Sandbox::new();
    let memory = sb.write(
        "m.csv",
        "fr,en\n\
         La séance a lieu mardi à Berne.,The meeting is on Tuesday in Bern.\n\
         La séance a lieu mardi à Berne.,The session takes place on Tuesday in Bern.\n\
         La commune a reçu 10’000 francs.,\"The commune received 10,000 francs.\"\n",
    );
    assert_eq!(sb.import(&memory, &[]).code, 0);

    let run = sb.run(&["lookup", "La séance a lieu mercredi à Berne."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with(" 85%  La séance a lieu mardi à Berne."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("diff: La séance a lieu [-mardi-]{+mercredi+} à Berne."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("translation 2 of 2"), "{}", run.stdout);

    let run = sb.run(&["lookup", "--json", "La commune a reçu 12’500 francs."]);
    let matches: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(matches[0]["score"], 97);
    assert_eq!(matches[0]["source"], "La commune a reçu 10’000 francs.");
    assert_eq!(matches[0]["target"], "The commune received 10,000 francs.");
    assert_eq!(
        matches[0]["adjusted_target"],
        "The commune received 12,500 francs."
    );
    assert_eq!(matches[0]["origin"], "m.csv");

    let none = sb.run(&["lookup", "Il neige sur le Jura."]);
    assert_eq!(none.code, 1);
    let exhaustive = sb.run(&[
        "lookup",
        "--exhaustive",
        "--threshold",
        "60",
        "La séance a lieu.",
    ]);
    let indexed = sb.run(&["lookup", "--threshold", "60", "La séance a lieu."]);
    assert_eq!(exhaustive.stdout, indexed.stdout);
}

#[test]
fn concordance_marks_the_phrase_whatever_its_case_and_accents() {
    let sb = common::Sandbox::new();
    let memory = sb.write(
        "m.csv",
        "fr,en\n\
         Le Conseil fédéral a tranché.,The Federal Council has decided.\n\
         Un conseil d'administration.,A board of directors.\n\
         Le conseil federal siège.,The Federal Council is sitting.\n",
    );
    assert_eq!(sb.import(&memory, &[]).code, 0);
    let run = sb.run(&["concordance", "Conseil fédéral"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Most recently added first; marked with ⟦ ⟧ when not on a terminal.
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.contains('⟦'))
            .collect::<Vec<_>>(),
        [
            "Le ⟦conseil federal⟧ siège.",
            "Le ⟦Conseil fédéral⟧ a tranché."
        ]
    );
    let json = sb.run(&["concordance", "--json", "conseil d'administration"]);
    let found: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["target"], "A board of directors.");
    assert_eq!(
        (
            found[0]["match_start"].as_u64(),
            found[0]["match_end"].as_u64()
        ),
        (Some(3), Some(27))
    );
    assert_eq!(sb.run(&["concordance", "Conseil national"]).code, 1);
}

/// Regression (fuzzy review): sources equal to the query once normalised
/// were missed by the index when their words were cut differently, a
/// decomposed query scored low, and the apostrophe style counted as edits.
#[test]
fn normalised_spellings_are_found_and_scored_alike() {
    let (_dir, store) = store_with(&[
        ("Il a reçu 10 000 francs.", "He received 10,000 francs."),
        ("Genève a voté.", "Geneva voted."),
        (
            "L'OTSC s'est réunie aujourd'hui à Almaty.",
            "The CSTO met in Almaty today.",
        ),
        ("Leconseil siège.", "x"),
    ]);
    for (query, expected) in [
        ("Il a reçu 10\u{a0}000 francs.", 100),
        ("Il a reçu 10\u{202f}000 francs.", 100),
        ("Gene\u{300}ve a vote\u{301}.", 100),
        ("LʼOTSC sʼest réunie aujourdʼhui à Almaty.", 100),
        ("Le\u{200b}conseil siège.", 100),
        ("Il a reçu 12 500 francs.", 96),
        // One word of nine changed; the apostrophe style is no edit.
        ("L’OTSC s’est réunie aujourd’hui à Bichkek.", 88),
    ] {
        let indexed = results(&store, query, 50, false);
        assert_eq!(indexed, results(&store, query, 50, true), "{query:?}");
        assert_eq!(indexed.first().map(|r| r.0), Some(expected), "{query:?}");
    }
}

#[test]
fn a_source_group_shows_its_best_score_whatever_the_threshold() {
    // Regression: the group took the score of the pair stored first.
    let (_dir, store) = store_with(&[
        ("Il a reçu 10\u{a0}000 francs.", "He received CHF 10,000."),
        ("Il a reçu 10 000 francs.", "He received 10,000 francs."),
    ]);
    for threshold in [75, 95] {
        let query = Query {
            text: "Il a reçu 12 000 francs.",
            source_lang: "fr",
            target_lang: "en",
            threshold,
            limit: 5,
            exhaustive: false,
        };
        let found = fuzzy::search(&store, &query).unwrap();
        assert_eq!(found.len(), 2, "both translations at {threshold}");
        assert!(
            found.iter().all(|m| m.score == 96 && m.alternatives == 2),
            "{found:?}"
        );
    }
}
