#!/usr/bin/env bash
# Document benchmark (issue 12's targets).
#
#   benches/documents.sh [HANSARD_DB]
#
# 1. A 30-paragraph Word file (the first 30 sentences of WMT newstest2014,
#    one paragraph each, every third with a bold run) pre-translated to
#    DOCX against the 1.13M-pair Hansard memory (target/bench-hansard.db,
#    built by benches/import.sh) as one process: wall time over 5 runs and
#    peak RSS. Target: <= 400 ms.
# 2. A 5 MB Word file with 2,000 paragraphs (newstest2014 sentences, bold
#    and italic runs, a 4.5 MB picture) pre-translated to DOCX, one
#    process: against the example memory (document handling), then against
#    Hansard. Target: <= 5 s and <= 300 MB.
# Needs python3 with python-docx (pip install python-docx).
set -euo pipefail
cd "$(dirname "$0")/.."
hansard=${1:-target/bench-hansard.db}
data=../shared/data/fr-en/newstest
cargo build --release --quiet
bin=$PWD/target/release/memoire
if [ ! -f "$hansard" ]; then
  KEEP_DB="$PWD/$hansard" benches/import.sh > /dev/null
fi
# A memory of an older memoire: bring it to this schema (read-only
# commands refuse to).
"$bin" --db "$hansard" upgrade 2> /dev/null || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$data/newstest2014-fren-src.fr.sgm" "$work" <<'PY'
import html, os, random, re, struct, sys, zlib
import docx
from docx.shared import Inches
src, work = sys.argv[1], sys.argv[2]
segs = [html.unescape(m.group(1)) for m in
        (re.match(r"<seg[^>]*>(.*)</seg>", l.strip()) for l in open(src, encoding="utf-8")) if m]

def fill(d, paragraphs, per):
    for k in range(paragraphs):
        p = d.add_paragraph()
        words = " ".join(segs[(k * per + j) % len(segs)] for j in range(per)).split(" ")
        cut = len(words) // 3
        p.add_run(" ".join(words[:cut]) + " ")
        r = p.add_run(" ".join(words[cut:cut + 3]) + " ")
        r.bold = k % 3 == 0
        r.italic = k % 3 == 1
        p.add_run(" ".join(words[cut + 3:]))

d = docx.Document()
d.add_heading("Article de 30 paragraphes", level=1)
fill(d, 30, 1)
d.save(f"{work}/article30.docx")

# A picture of noise: 4.5 MB that does not compress.
w = h = 1230
raw = b"".join(b"\x00" + os.urandom(w * 3) for _ in range(h))
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")
open(f"{work}/noise.png", "wb").write(png)
d = docx.Document()
d.add_heading("Dossier de 2000 paragraphes", level=1)
d.add_picture(f"{work}/noise.png", width=Inches(2))
fill(d, 2000, 3)
d.save(f"{work}/big.docx")
PY
echo "files: 30-paragraph $(stat -c %s "$work/article30.docx") bytes, 2,000-paragraph $(stat -c %s "$work/big.docx") bytes"

measure() { # label db file runs
  local label=$1 db=$2 file=$3 runs=$4
  for i in $(seq "$runs"); do
    start=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$work/rss" "$bin" --db "$db" pretranslate "$file" -o "$work/out.docx" 2> /dev/null
    end=$EPOCHREALTIME
    echo "$start $end $(tail -n 1 "$work/rss")"
  done | awk -v label="$label" '{ print ($2 - $1) * 1000, $3 }' | sort -n | awk -v label="$label" '
    { t[NR] = $1; if ($2 > rss) rss = $2 }
    END { printf "%s: median %.0f ms, max %.0f ms, peak RSS %d MiB\n", label, t[int((NR + 1) / 2)], t[NR], rss / 1024 }'
}
measure "30-paragraph DOCX, Hansard memory" "$hansard" "$work/article30.docx" 5
"$bin" --db "$work/example.db" import examples/memory-fr-en.csv --quiet 2> /dev/null
measure "5 MB DOCX, 2,000 paragraphs, example memory" "$work/example.db" "$work/big.docx" 3
measure "5 MB DOCX, 2,000 paragraphs, Hansard memory" "$hansard" "$work/big.docx" 1
"$bin" --db "$hansard" analyze "$work/big.docx" 2> /dev/null | tail -n 1
