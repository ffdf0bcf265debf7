#!/usr/bin/env bash
# memoire on the shipped example data, in a throw-away database: your own
# memory is never touched. Builds the binary first if needed.
#
# Imports the example memory (the new database also gets the shipped
# glossary), pre-translates the example article into an English draft with
# its match analysis, writes the XLIFF and HTML drafts next to the database,
# then shows a fuzzy lookup and the glossary terms of a sentence.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
memoire() { target/debug/memoire --db "$tmp/demo.db" "$@"; }
step() { printf '\n$ memoire %s\n' "$1"; }

step "import examples/memory-fr-en.csv"
memoire import examples/memory-fr-en.csv

step "pretranslate examples/article-fr.txt --format text"
memoire pretranslate examples/article-fr.txt --format text

step "pretranslate examples/article-fr.txt -o article.xlf   (and -o article.html)"
memoire pretranslate examples/article-fr.txt -o "$tmp/article.xlf" 2> /dev/null
memoire pretranslate examples/article-fr.txt -o "$tmp/article.html" 2> /dev/null
echo "$(grep -c '<segment ' "$tmp/article.xlf") segments in XLIFF 2.0, $(wc -c < "$tmp/article.html") bytes of HTML report"

# A near match from the article: one number differs.
step "lookup \"La présidente de la Confédération a accueilli son hôte sur la place Fédérale à 10 h 30, sous une pluie fine.\""
memoire lookup "La présidente de la Confédération a accueilli son hôte sur la place Fédérale à 10 h 30, sous une pluie fine."

# The glossary terms in a sentence, with their equivalents.
step "term find --text \"M. Tokaïev a plaidé pour le maintien de son pays dans l’OTSC.\""
memoire term find --text "M. Tokaïev a plaidé pour le maintien de son pays dans l’OTSC."
