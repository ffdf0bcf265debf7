#!/usr/bin/env bash
# The peer reference for `memoire serve`: Weblate's translation-memory
# query, PostgreSQL pg_trgm, over the same Hansard sources and the same
# lookups as benches/serve.sh.
#
#   benches/pgtrgm.sh [HANSARD_DB]
#
# Starts a throw-away PostgreSQL cluster (Debian's postgresql 15 and
# postgresql-contrib, run as the `postgres` user in a temporary folder,
# port 55432), loads the memory's distinct sources (memoire export), builds
# Weblate's index (GiST gist_trgm_ops over left(source, 2048)) and runs
# QUERIES (default 200) of the fuzzy benchmark's queries, news and edited
# interleaved, as Weblate does: `left(source, 2048) % query LIMIT 50` with
# pg_trgm.similarity_threshold = 0.127264 * ln(24.282 * t) (t = 0.75 gives
# 0.369, t = 0.5 gives 0.318), at 1 and 32 concurrent clients (psycopg2
# from PyPI). Reports queries/s, p50/p99/max latency, and recall: of the
# sources memoire finds at or above t (its exhaustive scoring of the same
# queries, limit 50), the share pg_trgm's 50 rows hold.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-target/bench-hansard.db}
queries=${QUERIES:-200}
cargo build --release --quiet
bin=$PWD/target/release/memoire
python3 -c 'import psycopg2' 2> /dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check psycopg2-binary
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
work=$(mktemp -d)
chmod 755 "$work"
install -d -o postgres "$work/pg" "$work/sock"
cleanup() {
  su postgres -c "$pgbin/pg_ctl -D $work/pg -m fast stop" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
rmdir "$work/pg" && install -d -o postgres -m 700 "$work/pg"
su postgres -c "$pgbin/initdb -D $work/pg -A trust -U postgres" > /dev/null
su postgres -c "$pgbin/pg_ctl -D $work/pg -l $work/sock/pg.log -o '-p 55432 -k $work/sock -c shared_buffers=2GB -c max_connections=100' start" > /dev/null
psql=(psql -h "$work/sock" -p 55432 -U postgres -q -v ON_ERROR_STOP=1)
until "${psql[@]}" -c 'SELECT 1' > /dev/null 2>&1; do sleep 0.5; done

if [ ! -s target/fuzzy-queries-news.txt ]; then
  MEMOIRE_BENCH_DB="$db" MEMOIRE_BENCH_ORACLE=0 cargo bench --quiet --bench fuzzy > /dev/null
fi
"$bin" --db "$db" export -o "$work/memory.csv" 2> /dev/null
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
seen = set()
with open(f"{work}/memory.csv", encoding="utf-8", newline="") as f, \
        open(f"{work}/sources.tsv", "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        s = row["fr"]
        if s not in seen:
            seen.add(s)
            out.write(s.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ") + "\n")
PY
start=$(date +%s)
"${psql[@]}" -c 'CREATE EXTENSION pg_trgm; CREATE TABLE memory (id serial PRIMARY KEY, source text NOT NULL);'
"${psql[@]}" -c "\\copy memory (source) FROM '$work/sources.tsv'"
"${psql[@]}" -c 'CREATE INDEX memory_source_trgm ON memory USING gist (left(source, 2048) gist_trgm_ops); ANALYZE memory;'
echo "pg_trgm: $("${psql[@]}" -At -c 'SELECT count(*) FROM memory') sources loaded and indexed in $(($(date +%s) - start)) s"

python3 - "$work" "$bin" "$db" "$queries" <<'PY'
import concurrent.futures, math, subprocess, json, sys, time
import psycopg2
work, binary, db, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
news = open("target/fuzzy-queries-news.txt", encoding="utf-8").read().splitlines()
edited = open("target/fuzzy-queries-edited.txt", encoding="utf-8").read().splitlines()
queries = [q for pair in zip(news, edited) for q in pair][:n]

def connect():
    return psycopg2.connect(host=f"{work}/sock", port=55432, user="postgres")

def pg_lookup(conn, t, q):
    with conn.cursor() as cur:
        cur.execute("SET pg_trgm.similarity_threshold = %s", (0.127264 * math.log(24.282 * t / 100),))
        start = time.perf_counter()
        cur.execute("SELECT source FROM memory WHERE left(source, 2048) %% %s LIMIT 50", (q,))
        rows = [r[0] for r in cur.fetchall()]
        return time.perf_counter() - start, rows

def memoire_truth(t, q):
    out = subprocess.run([binary, "--db", db, "lookup", "--json", "--exhaustive", "--threshold", str(t),
                          "--limit", "50", q], capture_output=True, text=True)
    return {m["source"] for m in json.loads(out.stdout or "[]")}

for t in (75, 50):
    conn = connect()
    times, found, expected = [], 0, 0
    for k, q in enumerate(queries):
        elapsed, rows = pg_lookup(conn, t, q)
        times.append(elapsed)
        if k < 40:  # recall on the first 40 (exhaustive scoring is slow)
            truth = memoire_truth(t, q)
            expected += len(truth)
            found += len(truth & set(rows))
    conn.close()
    times.sort()
    pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1000
    recall = 100.0 * found / expected if expected else 100.0
    print(f"pg_trgm t={t} 1 client: {len(times)} queries, {len(times) / sum(times):.1f} queries/s, "
          f"p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, max {times[-1] * 1000:.0f} ms; "
          f"recall of memoire's matches (first 40 queries): {recall:.1f} % ({found} of {expected})")
    # 32 clients for 60 s
    deadline = time.time() + 60
    def client(i):
        c = connect()
        done, lat = 0, []
        while time.time() < deadline:
            e, _ = pg_lookup(c, t, queries[(i * 7 + done) % len(queries)])
            lat.append(e)
            done += 1
        c.close()
        return lat
    began = time.time()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        lat = [x for part in pool.map(client, range(32)) for x in part]
    wall = time.time() - began
    lat.sort()
    print(f"pg_trgm t={t} 32 clients: {len(lat)} queries in {wall:.0f} s, {len(lat) / wall:.1f} queries/s, "
          f"p50 {lat[len(lat) // 2] * 1000:.0f} ms, p99 {lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000:.0f} ms")
PY
