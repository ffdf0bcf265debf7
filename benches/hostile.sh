#!/usr/bin/env bash
# Hostile-input benchmark: memory stays bounded whatever the file holds.
# Generates, in a temp dir, a CSV and a TMX each holding one 200 MB segment,
# and a 200 MB TMX of ordinary units (streamed with constant memory), then
# imports each and reports exit status, the first error line, wall time and
# peak RSS.
#
#   benches/hostile.sh [SIZE_MB]      (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=target/release/memoire

python3 - "$work" "$mb" <<'PY'
import sys
work, mb = sys.argv[1], int(sys.argv[2])
size = mb * 1_000_000
word = "mot "
with open(f"{work}/one-segment.csv", "w") as f:
    f.write("fr,en\nOui.,Yes.\n\"")
    for _ in range(size // 1_000_000):
        f.write(word * 250_000)
    f.write("\",Words.\n")
with open(f"{work}/one-segment.tmx", "w") as f:
    f.write('<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="fr"/><body>\n<tu><tuv xml:lang="fr"><seg>')
    for _ in range(size // 1_000_000):
        f.write(word * 250_000)
    f.write('</seg></tuv><tuv xml:lang="en"><seg>Words.</seg></tuv></tu>\n</body></tmx>\n')
with open(f"{work}/many-units.tmx", "w") as f:
    f.write('<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="fr"/><body>\n')
    written, i = 0, 0
    while written < size:
        unit = (f'<tu><tuv xml:lang="fr"><seg>La phrase numéro {i} du grand fichier de test, '
                f'avec quelques mots de plus.</seg></tuv><tuv xml:lang="en"><seg>Sentence number {i} '
                f'of the big test file, with a few more words.</seg></tuv></tu>\n')
        f.write(unit)
        written += len(unit.encode())
        i += 1
    f.write('</body></tmx>\n')
PY

for input in one-segment.csv one-segment.tmx many-units.tmx; do
  db="$work/$input.db"
  status=0
  /usr/bin/time -f '%e %M' -o "$work/time" env MEMOIRE_NO_GLOSSARY=1 \
    "$bin" --db "$db" import "$work/$input" --rejects "$work/$input.rejects" \
    2> "$work/stderr" > /dev/null || status=$?
  read -r secs peak_kb < <(tail -n 1 "$work/time")
  first=$(grep -m1 -v '^rows read' "$work/stderr" | sed "s|$work/||g" || true)
  size=$(stat -c %s "$work/$input")
  printf '%-16s %4d MB  exit %d  %6.1f s  peak RSS %4d MiB  %s\n' \
    "$input" $((size / 1000000)) "$status" "$secs" $((peak_kb / 1024)) "$first"
done
