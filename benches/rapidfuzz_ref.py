"""Brute-force reference: rapidfuzz's process.extract over every stored
French source, for the queries benches/fuzzy.rs wrote. Prints the mean and
median time per query. Usage: rapidfuzz_ref.py DB [QUERIES_PER_SET]"""
import sqlite3
import statistics
import sys
import time

from rapidfuzz import fuzz, process

db, per_set = sys.argv[1], int(sys.argv[2])
sources = [row[0] for row in sqlite3.connect(db).execute(
    "SELECT source FROM segment_pair WHERE source_lang = 'fr' AND target_lang = 'en'")]
for name in ("news", "edited"):
    with open(f"target/fuzzy-queries-{name}.txt", encoding="utf-8") as f:
        queries = [line.rstrip("\n") for line in f][:per_set]
    times = []
    for q in queries:
        start = time.perf_counter()
        process.extract(q, sources, scorer=fuzz.ratio, limit=5, score_cutoff=75)
        times.append((time.perf_counter() - start) * 1000)
    print(f"rapidfuzz {name:<7} {len(queries)} queries over {len(sources)} sources: "
          f"mean {statistics.mean(times):.0f} ms, median {statistics.median(times):.0f} ms per query")
