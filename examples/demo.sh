#!/usr/bin/env bash
# memoire on the shipped example data, in a throw-away database: your own
# memory is never touched. Builds the binary first if needed.
#
# Imports the example memory (the new database also gets the shipped
# glossary), pre-translates the example article into an English draft with
# its match analysis, writes the XLIFF, CSV and HTML drafts into
# ./demo-output/ (kept, so that you can open them; git ignores the folder),
# pre-translates the Word version of the article into a translated Word
# file with its formatting, then shows a fuzzy lookup and the glossary
# terms of a sentence.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
memoire() { "${CARGO_TARGET_DIR:-target}/debug/memoire" --db "$tmp/demo.db" "$@"; }
step() { printf '\n$ memoire %s\n' "$1"; }

step "import examples/memory-fr-en.csv"
memoire import examples/memory-fr-en.csv

step "pretranslate examples/article-fr.txt --format text"
memoire pretranslate examples/article-fr.txt --format text

out=demo-output
mkdir -p "$out"
step "pretranslate examples/article-fr.txt -o $out/article.xlf   (and .csv, .html)"
memoire pretranslate examples/article-fr.txt -o "$out/article.xlf" 2> /dev/null
memoire pretranslate examples/article-fr.txt -o "$out/article.csv" 2> /dev/null
memoire pretranslate examples/article-fr.txt -o "$out/article.html" 2> /dev/null
echo "$(grep -c '<segment ' "$out/article.xlf") segments in XLIFF 2.0, $(wc -c < "$out/article.html") bytes of HTML report"

# The article as a Word file: the same file back, translated, its bold,
# italics, link and table kept, untranslated sentences highlighted.
step "pretranslate examples/article-fr.docx -o $out/article.en.docx"
memoire pretranslate examples/article-fr.docx -o "$out/article.en.docx" 2>&1 | sed -n '/^  band/,$p'

# A near match from the article: one number differs.
step "lookup \"La présidente de la Confédération a accueilli son hôte sur la place Fédérale à 10 h 30, sous une pluie fine.\""
memoire lookup "La présidente de la Confédération a accueilli son hôte sur la place Fédérale à 10 h 30, sous une pluie fine."

# The glossary terms in a sentence, with their equivalents.
step "term find --text \"Le président kazakh a appelé à la retenue et salué le rôle de l’OTSC.\""
memoire term find --text "Le président kazakh a appelé à la retenue et salué le rôle de l’OTSC."

printf '\nThe drafts are in %s/: article.xlf (open it in a CAT tool), article.csv (a\nspreadsheet), article.html (a browser), article.en.docx (Word or LibreOffice).\n' "$out"
