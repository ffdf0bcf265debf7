//! `memoire pretranslate`, `memoire analyze` and learning back from the
//! reviewed draft, run as a translator runs them.

mod common;

use std::path::Path;

use common::{Sandbox, example};

/// A sandbox with the example memory (and the shipped glossary).
fn with_memory() -> Sandbox {
    let sb = Sandbox::new();
    let run = sb.import(&example("memory-fr-en.csv"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    sb
}

/// `memoire pretranslate [args…] -o out article`, which must succeed.
fn pretranslate_to(sb: &Sandbox, args: &[&str], out: &Path, article: &Path) {
    let mut all = vec!["pretranslate"];
    all.extend_from_slice(args);
    all.extend(["-o", out.to_str().unwrap(), article.to_str().unwrap()]);
    let run = sb.run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn draft_json(sb: &Sandbox, article: &Path) -> serde_json::Value {
    let run = sb.run(&[
        "pretranslate",
        "--format",
        "json",
        article.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn the_draft_fills_matches_lists_terms_and_counts_bands() {
    let sb = with_memory();
    let draft = draft_json(&sb, &example("article-fr.txt"));
    let segments = draft["segments"].as_array().unwrap();
    // The headline and the dateline paragraph are segments of their own.
    assert_eq!(segments[0]["paragraph"], 1);
    assert_eq!(segments[1]["paragraph"], 2);
    let exact = segments
        .iter()
        .find(|s| {
            s["source"]
                == "Les entretiens ont porté sur le commerce, l’énergie et la sécurité régionale."
        })
        .unwrap();
    assert_eq!(exact["band"], "exact");
    assert_eq!(exact["suggestion"]["alternatives"], 2);
    assert!(exact["target"].is_string());
    // A near match with a different number gets the article's number.
    let adjusted = segments
        .iter()
        .find(|s| s["suggestion"]["adjusted"] == true);
    assert!(adjusted.is_some(), "a number was adjusted somewhere");
    // Glossary terms with their equivalents.
    let tokayev = segments[0]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["text"] == "Tokaïev")
        .unwrap();
    assert_eq!(tokayev["entries"][0]["target"], "Tokayev");
    // The analysis adds up.
    let analysis = &draft["analysis"];
    let rows: u64 = analysis["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["segments"].as_u64().unwrap())
        .sum();
    assert_eq!(rows, analysis["segments"].as_u64().unwrap());
    assert_eq!(
        analysis["segments"].as_u64().unwrap() as usize,
        segments.len()
    );
}

#[test]
fn repetitions_and_terminology_warnings() {
    let sb = with_memory();
    let article = sb.write(
        "rep.txt",
        "Les CFF ne prévoient pas de restrictions sur le réseau ferroviaire.\n\
         Les CFF ne prévoient pas de restrictions sur le réseau ferroviaire.\n",
    );
    let draft = draft_json(&sb, &article);
    let segments = draft["segments"].as_array().unwrap();
    assert_eq!(segments[1]["band"], "repetition");
    assert_eq!(segments[1]["repetition_of"], 1);
    assert_eq!(segments[1]["target"], segments[0]["target"]);
    // The stored translation says "SBB"? If it does not, the check says so.
    let target = segments[0]["target"].as_str().unwrap_or("");
    let warned = segments[0]["warnings"].as_array().unwrap();
    assert_eq!(
        warned.is_empty(),
        target.contains("SBB"),
        "{target} / {warned:?}"
    );
}

/// The end-to-end test: pre-translate, edit the XLIFF's targets,
/// import it back, pre-translate again: the edited segments are now exact
/// matches (101 % in the same context).
#[test]
fn a_reviewed_xliff_teaches_the_memory() {
    for format in ["xliff", "xliff1"] {
        let sb = with_memory();
        let article = example("article-fr.txt");
        let xlf = sb.path("article.xlf");
        pretranslate_to(&sb, &["--format", format], &xlf, &article);

        // "Review": translate every empty target, mark segments translated.
        let text = std::fs::read_to_string(&xlf).unwrap();
        let mut edited = String::new();
        let mut count = 0;
        for line in text.lines() {
            // Fuzzy fills (a target still to check) are left unconfirmed.
            let line = if format == "xliff"
                && line.contains("state=\"initial\"")
                && !line.contains("<target>")
            {
                count += 1;
                line.replace("state=\"initial\"", "state=\"final\"")
                    .replace(
                        "</source></segment>",
                        &format!("</source><target>Reviewed sentence {count}.</target></segment>"),
                    )
            } else if format == "xliff1" && line.contains("<target state=\"new\"></target>") {
                count += 1;
                line.replace(
                    "<target state=\"new\"></target>",
                    &format!("<target state=\"final\">Reviewed sentence {count}.</target>"),
                )
            } else {
                line.to_string()
            };
            edited.push_str(&line);
            edited.push('\n');
        }
        assert!(count >= 5, "{format}: {count} untranslated segments edited");
        let reviewed = sb.write("article-reviewed.xlf", edited);
        let run = sb.import(&reviewed, &[]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        // The edited segments, and the fuzzy fills confirmed as they were
        // (new sources), are added; exact matches are already there.
        let added: usize = run
            .stderr
            .split("pairs added ")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(added >= count, "{format}: {}", run.stderr);
        assert!(
            run.stderr.contains("rejected 0"),
            "{format}: {}",
            run.stderr
        );

        let draft = draft_json(&sb, &article);
        for segment in draft["segments"].as_array().unwrap() {
            let target = segment["target"].as_str().unwrap_or("");
            if target.starts_with("Reviewed sentence") {
                assert_eq!(segment["suggestion"]["score"], 101, "{format}: {segment}");
            }
        }
        let learnt = draft["segments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["target"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Reviewed sentence"))
            })
            .count();
        assert_eq!(learnt, count, "{format}: every edited segment comes back");
        assert_eq!(
            draft["analysis"]["rows"][7]["segments"], 0,
            "{format}: no segment left without a match"
        );

        // Reviewed again with one change: updated, not an alternative.
        let changed = std::fs::read_to_string(&reviewed)
            .unwrap()
            .replace("Reviewed sentence 1.", "Reviewed sentence 1, corrected.");
        let again = sb.write("article-reviewed.xlf", changed);
        let run = sb.import(&again, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains("pairs added 0, alternatives added 0"),
            "{format}: {}",
            run.stderr
        );
        let draft = draft_json(&sb, &article);
        assert!(
            draft["segments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["target"] == "Reviewed sentence 1, corrected."),
            "{format}: the correction replaced the earlier translation"
        );
    }
}

#[test]
fn translate_toolkit_reads_both_xliff_versions() {
    let sb = with_memory();
    let article = example("article-fr.txt");
    for (format, kind) in [("xliff", "xliff2"), ("xliff1", "xliff")] {
        let xlf = sb.path(&format!("a-{format}.xlf"));
        pretranslate_to(&sb, &["--format", format], &xlf, &article);
        let Some(pairs) = common::read_with_translate_toolkit(kind, &xlf) else {
            return;
        };
        let draft = draft_json(&sb, &article);
        let ours: Vec<(String, String)> = draft["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["source"].as_str().unwrap().to_string(),
                    s["target"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(pairs, ours, "{kind}");
    }
}

#[test]
fn csv_text_and_html_drafts() {
    let sb = with_memory();
    let article = example("article-fr.txt");
    let csv = sb.path("draft.csv");
    pretranslate_to(&sb, &["--bom"], &csv, &article);
    let bytes = std::fs::read(&csv).unwrap();
    assert!(
        bytes.starts_with(
            b"\xEF\xBB\xBFid,paragraph,fr,en,status,score,match origin,memory source,diff,terms,warnings\n"
        )
    );

    let run = sb.run(&[
        "pretranslate",
        "--format",
        "text",
        article.to_str().unwrap(),
    ]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 10, "a line per paragraph");
    assert!(lines[0].starts_with("[[Berne déroule"), "{}", lines[0]);

    let html = sb.path("draft.html");
    pretranslate_to(&sb, &[], &html, &article);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert!(
        page.contains("<h2>Analysis</h2>")
            && page.contains("<mark title=\"Tokayev (preferred)\">Tokaïev</mark>")
    );
    // A fuzzy fill shows what differs from the memory's sentence.
    assert!(page.contains("<del>lundi</del><ins>mardi</ins>"), "{page}");
}

/// Every fuzzy fill shows the memory's source and the word diff, in every
/// draft format: the 77 % fill said "Monday" for « mardi ».
#[test]
fn fuzzy_fills_show_the_memory_source_and_what_differs() {
    let sb = with_memory();
    let article = example("article-fr.txt");
    let diff = "[-lundi-]{+mardi+}";
    for (name, args) in [
        ("d.xlf", vec![]),
        ("d12.xlf", vec!["--format", "xliff1"]),
        ("d.csv", vec![]),
        ("d.tsv", vec![]),
    ] {
        let out = sb.path(name);
        pretranslate_to(&sb, &args, &out, &article);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains(diff), "{name}: {text}");
        assert!(
            text.contains("Le Conseil fédéral a reçu [-lundi-]{+mardi+} à Berne"),
            "{name}"
        );
    }
}

#[test]
fn analyze_counts_per_file_and_in_total() {
    let sb = with_memory();
    let article = example("article-fr.txt");
    let second = sb.write(
        "short.txt",
        "Les CFF ne prévoient pas de restrictions sur le réseau ferroviaire.\n",
    );
    let run = sb.run(&[
        "analyze",
        "--json",
        article.to_str().unwrap(),
        second.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[2]["file"], "total");
    let total = |f: &serde_json::Value| f["segments"].as_u64().unwrap();
    assert_eq!(total(&files[2]), total(&files[0]) + total(&files[1]));
    assert_eq!(files[1]["rows"][3]["band"], "exact");
    assert_eq!(files[1]["rows"][3]["segments"], 1);
    // 11 words, 0.1 each: the payable total of an exact match.
    assert_eq!(files[1]["weighted_words"], 1.1);

    let csv = sb.run(&[
        "analyze",
        "--csv",
        "--weights",
        "100=0.2",
        second.to_str().unwrap(),
    ]);
    assert!(
        csv.stdout.contains("short.txt,repetitions,0,0,0,0.1,0.0\n"),
        "{}",
        csv.stdout
    );
    assert!(
        csv.stdout.contains("short.txt,100 %,1,11,57,0.2,2.2\n"),
        "{}",
        csv.stdout
    );

    // A sentence that nearly repeats an earlier one of the article is an
    // internal fuzzy match (memoQ's count), when the memory has nothing
    // better.
    let near = sb.write(
        "near.txt",
        "Le comité a tenu sa séance annuelle mardi soir à la salle communale.\n\
         Le comité a tenu sa séance annuelle mercredi soir à la salle communale.\n",
    );
    let run = sb.run(&["analyze", "--json", near.to_str().unwrap()]);
    let files: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(files[0]["rows"][1]["band"], "internal");
    assert_eq!(files[0]["rows"][1]["segments"], 1, "{}", run.stdout);
}

/// The bilingual table works as a review format too: untranslated rows are
/// skipped, translated ones learnt (with the previous sentence as context),
/// and a second review updates rather than adds alternatives.
#[test]
fn a_reviewed_csv_draft_teaches_the_memory() {
    let sb = with_memory();
    let article = example("article-fr.txt");
    let csv = sb.path("draft.csv");
    pretranslate_to(&sb, &[], &csv, &article);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    let mut edited = 0;
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        // Translate the third untranslated sentence and mark it done; leave
        // the others empty and the fuzzy fills unchecked.
        if row[3].is_empty() {
            edited += 1;
            if edited == 3 {
                row[3] = "Reviewed in the table.".to_string();
                row[4] = "translated".to_string();
            }
        }
        out.write_record(&row).unwrap();
    }
    let reviewed = sb.write("draft-reviewed.csv", out.into_inner().unwrap());
    let run = sb.import(&reviewed, &[]);
    assert_eq!(
        run.code, 0,
        "untranslated rows are skipped, not rejected: {}",
        run.stderr
    );
    let draft = draft_json(&sb, &article);
    let learnt: Vec<&serde_json::Value> = draft["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["target"] == "Reviewed in the table.")
        .collect();
    assert_eq!(learnt.len(), 1);
    assert_eq!(learnt[0]["suggestion"]["score"], 101, "in context");

    let again = std::fs::read_to_string(&reviewed)
        .unwrap()
        .replace("Reviewed in the table.", "Reviewed twice.");
    let again = sb.write("draft-reviewed.csv", again);
    let run = sb.import(&again, &[]);
    assert!(
        run.stderr.contains("alternatives added 0"),
        "{}",
        run.stderr
    );
    let draft = draft_json(&sb, &article);
    assert!(
        draft["segments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["target"] == "Reviewed twice.")
    );
}

/// Regressions from the review of pre-translation.
#[test]
fn only_confirmed_translations_are_learnt_and_fixes_count() {
    let sb = with_memory();
    let article = example("article-fr.txt");
    let xlf = sb.path("article.xlf");
    pretranslate_to(&sb, &[], &xlf, &article);
    // The unedited draft teaches nothing new: fuzzy fills are unconfirmed
    // (a 77 % fill said "Monday" for "mardi").
    let run = sb.import(&xlf, &[]);
    assert!(run.stderr.contains("pairs added 0,"), "{}", run.stderr);

    // A reviewer's typographic change of an exact match from another origin
    // (the memory's CSV) does not rewrite that origin's pair (its house
    // style): regression of the trust review.
    let text = std::fs::read_to_string(&xlf).unwrap();
    let fixed = text.replace(
        "<target>The talks covered trade, energy and regional security.</target>",
        "<target>The talks covered trade, energy and regional  security.</target>",
    );
    assert_ne!(fixed, text);
    let fixed = sb.write("fixed.xlf", fixed);
    let run = sb.import(&fixed, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let draft = draft_json(&sb, &article);
    let targets = || {
        draft_json(&sb, &article)["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["target"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        targets().contains(&"The talks covered trade, energy and regional security.".to_string())
    );

    // A translation learnt from this draft, then fixed in a second review
    // of the same draft, is updated, typography included.
    let confirmed = text.replacen(
        "state=\"initial\"><source>MétéoSuisse",
        "state=\"translated\"><source>MétéoSuisse",
        1,
    );
    let confirmed = confirmed.replace("gusts of up to 90km/h", "gusts of up to 70km/h");
    let first = sb.write("first.xlf", &confirmed);
    assert_eq!(sb.import(&first, &[]).code, 0);
    assert!(
        targets()
            .iter()
            .any(|t| t.contains("gusts of up to 70km/h on the Swiss Plateau."))
    );
    let second = sb.write(
        "second.xlf",
        confirmed.replace("gusts of up to 70km/h", "gusts of up to 70 km/h"),
    );
    let run = sb.import(&second, &[]);
    assert!(
        run.stderr.contains("translations updated 1"),
        "{}",
        run.stderr
    );
    assert!(
        targets()
            .iter()
            .any(|t| t.contains("gusts of up to 70 km/h on the Swiss Plateau."))
    );

    // A document in other languages is refused.
    let german = sb.write("de.xlf", text.replace("trgLang=\"en\"", "trgLang=\"de\""));
    let run = sb.import(&german, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--target-lang de"), "{}", run.stderr);

    // Numbers that could not be carried over are flagged.
    let time = draft["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"].as_str().unwrap().contains("accueilli son hôte"))
        .unwrap();
    assert!(
        time["warnings"].to_string().contains("numbers differ"),
        "{time}"
    );
}

#[test]
fn control_characters_and_formulas_do_not_break_the_drafts() {
    let sb = with_memory();
    let article = sb.write(
        "vt.txt",
        "Le Conseil fédéral\u{b}siège. 1 < 2 & « 3 » > 0.\n- Le vote a eu lieu.\n",
    );
    for format in ["xliff", "xliff1"] {
        let run = sb.run(&[
            "pretranslate",
            "--format",
            format,
            article.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0);
        assert!(!run.stdout.contains('\u{b}'), "{format}");
        assert!(run.stdout.contains("1 &lt; 2 &amp;"), "{format}");
    }
    let csv = sb.run(&["pretranslate", "--format", "csv", article.to_str().unwrap()]);
    assert!(
        csv.stdout.contains(",'- Le vote a eu lieu.,"),
        "{}",
        csv.stdout
    );
}

/// A forbidden translation is never listed as one to use: XLIFF 2.0 keeps
/// `gls:translation` for allowed ones, and every format says "not: …".
#[test]
fn forbidden_translations_are_marked_in_every_draft() {
    let sb = Sandbox::new();
    let article = sb.write("a.txt", "Le bureau est actuellement fermé.\n");
    for args in [
        vec!["term", "add", "actuellement", "currently"],
        vec![
            "term",
            "add",
            "actuellement",
            "actually",
            "--status",
            "forbidden",
            "--note",
            "false friend",
        ],
    ] {
        assert_eq!(sb.run_without_glossary(&args).code, 0);
    }
    for (name, args, allowed, forbidden) in [
        (
            "d.xlf",
            vec![],
            "<gls:translation>currently</gls:translation>",
            "<gls:definition>not: actually (false friend)</gls:definition>",
        ),
        (
            "d12.xlf",
            vec!["--format", "xliff1"],
            "actuellement → currently (not: actually (false friend))",
            "not: actually",
        ),
        (
            "d.csv",
            vec![],
            "actuellement → currently (not: actually (false friend))",
            "not: actually",
        ),
    ] {
        let out = sb.path(name);
        pretranslate_to(&sb, &args, &out, &article);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains(allowed), "{name}: {text}");
        assert!(text.contains(forbidden), "{name}: {text}");
        assert!(
            !text.contains("<gls:translation>actually"),
            "{name}: {text}"
        );
    }
}

#[test]
fn a_dateline_does_not_hide_the_memory_match_of_its_sentence() {
    // Regression (new-user test, issue 11): « BERNE (ATS) – » before a lede
    // cost 15 points, so a sentence the memory holds came out as an 85 %
    // fuzzy match with the wrong number.
    let sb = Sandbox::new();
    let memory = sb.write(
        "memory.csv",
        "fr,en\n\"Le peuple suisse a rejeté l'initiative par 54 % des voix.\",Swiss voters rejected the initiative by 54% of the vote.\n",
    );
    assert_eq!(sb.import(&memory, &[]).code, 0);
    let article = sb.write(
        "article.txt",
        "BERNE (ATS) – Le peuple suisse a rejeté l'initiative par 55 % des voix.\n",
    );
    let draft = draft_json(&sb, &article);
    let segment = &draft["segments"][0];
    assert_eq!(
        segment["target"],
        "BERNE (ATS) – Swiss voters rejected the initiative by 55% of the vote."
    );
    assert_eq!(segment["suggestion"]["dateline"], "BERNE (ATS) – ");
    assert!(segment["suggestion"]["score"].as_u64().unwrap() >= 95);
    let warnings = segment["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("dateline « BERNE (ATS) – »")),
        "{warnings:?}"
    );
}

#[test]
fn a_very_long_sentence_is_looked_up_exact_only() {
    // Regression (adversarial test, issue 11): two lines of 100,000 « (»
    // ran for minutes: a fuzzy score compares every token with every one.
    let sb = Sandbox::new();
    let long_fr = format!("Liste : {}fin.", "le canton, ".repeat(300));
    let long_en = format!("List: {}end.", "the canton, ".repeat(300));
    let memory = sb.write(
        "memory.csv",
        format!("fr,en\n\"{long_fr}\",\"{long_en}\"\n"),
    );
    assert_eq!(sb.import(&memory, &[]).code, 0);
    let article = sb.write(
        "article.txt",
        format!("{long_fr}\n{}\n", "(".repeat(100_000)),
    );
    let draft = draft_json(&sb, &article);
    let segments = draft["segments"].as_array().unwrap();
    assert_eq!(
        segments[0]["target"],
        long_en.as_str(),
        "the exact match is found"
    );
    assert!(
        segments[0]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("too long for fuzzy matching"),
        "{:?}",
        segments[0]["warnings"]
    );
}

#[test]
fn a_translation_of_two_lines_keeps_the_text_draft_one_paragraph_per_line() {
    // Regression (adversarial test, issue 11): a memory target with a line
    // break split its paragraph in two in the text draft.
    let sb = Sandbox::new();
    let memory = sb.write("memory.csv", "fr,en\n\"Deux lignes.\",\"Two\nlines.\"\n");
    assert_eq!(sb.import(&memory, &[]).code, 0);
    let article = sb.write("article.txt", "Deux lignes.\nFin.\n");
    let run = sb.run(&[
        "pretranslate",
        "--format",
        "text",
        article.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Two lines.\n[[Fin.]]\n");
}
