#!/usr/bin/env bash
# memoire on the shipped example data, in a throw-away database: your own
# memory is never touched. Builds the binary first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
memoire() { target/debug/memoire --db "$tmp/demo.db" "$@"; }
step() { printf '\n$ memoire %s\n' "$1"; }

step "import examples/memory-fr-en.csv"
memoire import examples/memory-fr-en.csv

# The article writes d'honneur / l'armée with a straight apostrophe; the
# memory has the typographic one. Still a 100 % match.
step "lookup \"Un détachement de la garde d'honneur de l'armée a rendu les honneurs militaires.\""
memoire lookup "Un détachement de la garde d'honneur de l'armée a rendu les honneurs militaires."

# A source with two stored translations: both are shown, most recent first.
step "lookup \"Les entretiens ont porté sur le commerce, l’énergie et la sécurité régionale.\""
memoire lookup "Les entretiens ont porté sur le commerce, l’énergie et la sécurité régionale."

# A near match from the example article: one number differs.
step "lookup \"La présidente de la Confédération a accueilli son hôte sur la place Fédérale à 10 h 30, sous une pluie fine.\""
memoire lookup "La présidente de la Confédération a accueilli son hôte sur la place Fédérale à 10 h 30, sous une pluie fine."

# The glossary terms in a sentence, with their equivalents.
step "term find --text \"M. Tokaïev a plaidé pour le maintien de son pays dans l’OTSC.\""
memoire term find --text "M. Tokaïev a plaidé pour le maintien de son pays dans l’OTSC."

step stats
memoire stats
