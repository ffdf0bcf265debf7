#!/usr/bin/env bash
# Pre-translation benchmark.
#
#   benches/pretranslate.sh [HANSARD_DB]
#
# 1. One-shot `memoire pretranslate` of a 30-sentence news article (the
#    first 30 sentences of WMT newstest2014, one per line) against the
#    1.13M-pair Hansard memory (default target/bench-hansard.db, built by
#    benches/import.sh with KEEP_DB): wall time and peak RSS over 5 runs.
# 2. Throughput: the 3,003 segments of newstest2014, article by article
#    (176 documents), against a copy of that memory plus newstest2008-2013.
set -euo pipefail
cd "$(dirname "$0")/.."
hansard=${1:-target/bench-hansard.db}
data=../shared/data/fr-en/newstest
cargo build --release --quiet
bin=$PWD/target/release/memoire
if [ ! -f "$hansard" ]; then
  KEEP_DB="$PWD/$hansard" benches/import.sh > /dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The article: segments as lines, unescaped.
python3 - "$data/newstest2014-fren-src.fr.sgm" "$work" <<'PY'
import html, re, sys
src, work = sys.argv[1], sys.argv[2]
docs, doc = [], None
for line in open(src, encoding="utf-8"):
    if line.startswith("<doc"):
        doc = []
        docs.append(doc)
    m = re.match(r"<seg[^>]*>(.*)</seg>", line.strip())
    if m and doc is not None:
        doc.append(html.unescape(m.group(1)))
segs = [s for d in docs for s in d]
open(f"{work}/article30.txt", "w", encoding="utf-8").write("\n".join(segs[:30]) + "\n")
for i, d in enumerate(docs):
    open(f"{work}/doc{i:03}.txt", "w", encoding="utf-8").write("\n".join(d) + "\n")
print(f"{len(docs)} documents, {len(segs)} segments", file=sys.stderr)
PY

echo "one-shot pretranslate, 30 sentences, Hansard memory:"
for i in 1 2 3 4 5; do
  start=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$work/rss" "$bin" --db "$hansard" pretranslate "$work/article30.txt" -o "$work/out.xlf" 2> /dev/null
  end=$EPOCHREALTIME
  echo "$start $end $(tail -n 1 "$work/rss")"
done | awk '{ print ($2 - $1) * 1000, $3 }' | sort -n | awk '{ t[NR] = $1; if ($2 > rss) rss = $2 }
  END { printf "  median %.0f ms, max %.0f ms, peak RSS %d MiB\n", t[int((NR + 1) / 2)], t[NR], rss / 1024 }'

cp "$hansard" "$work/news.db"
for f in "$data"/news-test2008_fren.csv "$data"/newstest2009_fren.csv "$data"/newstest2010_fren.csv \
         "$data"/newstest2011_fren.csv "$data"/newstest2012_fren.csv "$data"/newstest2013_fren.csv; do
  [ -f "$f" ] && "$bin" --db "$work/news.db" import "$f" --quiet --rejects "$work/rejects.csv" || true
done
segments=$(cat "$work"/doc*.txt | grep -c .)
documents=$(ls "$work"/doc*.txt | wc -l)
start=$EPOCHREALTIME
for doc in "$work"/doc*.txt; do
  "$bin" --db "$work/news.db" pretranslate "$doc" --format json -o "$work/out.json" 2> /dev/null
done
end=$EPOCHREALTIME
awk -v s="$start" -v e="$end" -v n="$segments" -v d="$documents" 'BEGIN {
  printf "newstest2014, %d segments in %d articles against Hansard + newstest2008-2013: %.1f s, %.0f segments/s (one process per article)\n", n, d, e - s, n / (e - s) }'
"$bin" --db "$work/news.db" analyze "$work"/doc*.txt 2> /dev/null | sed -n '/^total/,$p'
