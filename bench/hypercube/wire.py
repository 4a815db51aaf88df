#!/usr/bin/python3
"""The hypercube functions over the wire: starts build/hcdb (trust auth, free
loopback port, temporary data directory), runs the seed's two mapping
statements, 4-D k-nearest-neighbour queries and text ingestion through
psycopg2, and prints a markdown table. The same kNN queries on the same
points then run on PostgreSQL 15 + PostGIS (a temporary cluster the script
starts: geometry(POINTZM) with a gist_geometry_ops_nd index, ORDER BY
p <<->> q LIMIT 10, PostGIS's 4-D kNN recipe). Each figure is the median of REPEAT
runs, timed at the client (statement sent to last row received); mapping
figures also give a reference measured in the same run: the same statement
without the mapping.

    bench/hypercube/wire.py                  # 1,000,000 points
    BENCH_POINTS=100000 bench/hypercube/wire.py
"""
import gzip
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from io import StringIO
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
HCDB = Path(os.environ.get("HCDB_BIN") or ROOT / "build" / "hcdb")
POINTS = int(os.environ.get("BENCH_POINTS", "1000000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "20"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
KNN = "SELECT id FROM pts ORDER BY p <-> %s::hypercube, id LIMIT 10"
PGBIN = Path("/usr/lib/postgresql/15/bin")
CORPUS = Path("/usr/share/debian-reference/debian-reference.en.txt.gz")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cur, sql, args=None):
    t0 = time.perf_counter()
    cur.execute(sql, args)
    rows = cur.fetchall()
    return time.perf_counter() - t0, rows


def median_ms(cur, sql, args=None):
    timed(cur, sql, args)  # warm: first use builds the rank table
    return statistics.median(timed(cur, sql, args)[0] for _ in range(REPEAT)) * 1e3


def postgis_knn(work, points_tsv, queries):
    """(queries/s, answers) of PostGIS on the same points, or None when it is not installed."""
    if not (PGBIN / "postgres").exists() or not list(Path("/usr/share/postgresql/15/extension").glob("postgis.control")):
        return None
    as_pg = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] if os.getuid() == 0 else []
    pgdata = work / "pgdata"
    if os.getuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    subprocess.run(as_pg + [str(PGBIN / "initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                            "--locale=C"], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    with open(pgdata / "postgresql.conf", "a") as f:
        f.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\n"
                "shared_buffers = 512MB\n")
    pg = subprocess.Popen(as_pg + [str(PGBIN / "postgres"), "-D", str(pgdata)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        conn = connect(port)
        cur = conn.cursor()
        cur.execute("CREATE EXTENSION postgis")
        cur.execute("CREATE TABLE pts (id int PRIMARY KEY, p geometry(POINTZM))")
        points_tsv.seek(0)
        cur.copy_expert("COPY pts FROM STDIN", points_tsv)
        cur.execute("CREATE INDEX ON pts USING gist (p gist_geometry_ops_nd)")
        cur.execute("ANALYZE pts")
        sql = "SELECT id FROM pts ORDER BY p <<->> ST_MakePoint(%s, %s, %s, %s) LIMIT 10"
        answers = []
        t0 = time.perf_counter()
        for q in queries:
            cur.execute(sql, q)
            answers.append(sorted(r[0] for r in cur.fetchall()))
        return len(queries) / (time.perf_counter() - t0), answers
    finally:
        pg.send_signal(2)
        pg.wait(timeout=60)


def connect(port):
    for _ in range(300):
        try:
            conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
            conn.autocommit = True
            return conn
        except psycopg2.OperationalError:
            time.sleep(0.1)
    raise RuntimeError(f"no server on port {port}")


def main():
    work = Path(tempfile.mkdtemp(prefix="hcdb-hc-bench-"))
    work.chmod(0o755)  # PostgreSQL's cluster lives below it, owned by the postgres user
    port = free_port()
    log = open(work / "log", "w")
    srv = subprocess.Popen([str(HCDB), "--port", str(port), "--data", str(work / "data"), "--auth", "trust"],
                           stdout=log, stderr=subprocess.STDOUT)
    try:
        conn = connect(port)
        cur = conn.cursor()
        cur.execute("CREATE EXTENSION hypercube")
        cur.execute("CREATE TABLE benchmark_data (id int)")
        cur.execute("INSERT INTO benchmark_data SELECT generate_series(1, 100000)")
        rows = []
        ms = median_ms(cur, "SELECT hc_map_codepoint(generate_series(1, 10000))")
        ref = median_ms(cur, "SELECT generate_series(1, 10000)")
        rows.append(("SELECT hc_map_codepoint(generate_series(1, 10000)) (10,000 rows to the client)",
                     f"{ms:.1f} ms", f"{ref:.1f} ms (generate_series alone)"))
        ms = median_ms(cur, "SELECT COUNT(*) FROM (SELECT hc_map_codepoint(id) FROM benchmark_data) t")
        ref = median_ms(cur, "SELECT COUNT(*) FROM (SELECT id FROM benchmark_data) t")
        rows.append(("SELECT COUNT(*) FROM (SELECT hc_map_codepoint(id) FROM benchmark_data) t (100,000 mappings)",
                     f"{ms:.1f} ms", f"{ref:.1f} ms (the same without the mapping)"))

        rnd = random.Random(42)
        pts = [tuple(rnd.random() for _ in range(4)) for _ in range(POINTS)]
        buf = StringIO("".join(f"{i}\t({p[0]!r}, {p[1]!r}, {p[2]!r}, {p[3]!r})\n" for i, p in enumerate(pts)))
        cur.execute("CREATE TABLE pts (id int PRIMARY KEY, p hypercube)")
        t0 = time.perf_counter()
        cur.copy_expert("COPY pts FROM STDIN", buf)
        load = time.perf_counter() - t0
        rows.append((f"COPY {POINTS:,} hypercube points", f"{load:.1f} s", ""))
        queries = [tuple(rnd.random() for _ in range(4)) for _ in range(QUERIES)]
        exact = []
        t0 = time.perf_counter()
        for q in queries:
            cur.execute(KNN, (str(q),))
            exact.append(cur.fetchall())
        dt = time.perf_counter() - t0
        rows.append((f"kNN k=10 on {POINTS:,} points, ORDER BY p <-> q, id LIMIT 10, exact scan",
                     f"{QUERIES / dt:.2f} queries/s", f"{dt / QUERIES * 1e3:.0f} ms each"))
        t0 = time.perf_counter()
        cur.execute("CREATE INDEX pts_p ON pts USING gist (p)")
        rows.append(("CREATE INDEX ... USING gist (p) (spatial4d)", f"{time.perf_counter() - t0:.1f} s", ""))
        same = True
        for q, want in zip(queries, exact):
            cur.execute(KNN, (str(q),))
            same &= cur.fetchall() == want
        many = [tuple(rnd.random() for _ in range(4)) for _ in range(QUERIES * 50)]
        mine = []
        t0 = time.perf_counter()
        for q in many:
            cur.execute(KNN, (str(q),))
            mine.append(sorted(r[0] for r in cur.fetchall()))
        di = time.perf_counter() - t0
        rows.append((f"kNN k=10 on {POINTS:,} points with the index (one client)", f"{len(many) / di:.0f} queries/s",
                     f"{QUERIES / dt:.2f} queries/s exact: {dt / QUERIES / (di / len(many)):.0f}x; "
                     f"answers equal the exact scan: {'yes' if same else 'NO'}"))
        wkt = StringIO("".join(f"{i}\tPOINT ZM ({p[0]!r} {p[1]!r} {p[2]!r} {p[3]!r})\n" for i, p in enumerate(pts)))
        del pts
        (work / "pg").mkdir()
        pg = postgis_knn(work / "pg", wkt, many)
        if pg:
            rows.append((f"PostgreSQL 15 + PostGIS 3, gist_geometry_ops_nd, ORDER BY p <<->> q LIMIT 10",
                         f"{pg[0]:.0f} queries/s", f"hcdb / PostGIS: {len(many) / di / pg[0]:.1f}x; "
                         f"same ids: {'yes' if pg[1] == mine else 'NO'}"))
        else:
            rows.append(("PostgreSQL 15 + PostGIS", "not installed", "postgresql-15-postgis-3"))

        text = gzip.open(CORPUS).read().decode()
        mb = len(text.encode()) / 1e6
        dt, (doc,) = timed(cur, "SELECT hc_ingest(%s, 'debian-reference')", (text,))
        rows.append((f"hc_ingest of debian-reference.en.txt ({mb:.2f} MB)", f"{dt:.2f} s",
                     f"{mb / dt:.2f} MB/s"))
        dt2, _ = timed(cur, "SELECT hc_ingest(%s, 'debian-reference')", (text,))
        rows.append(("the same text again (stored already: nothing written)", f"{dt2:.2f} s", ""))
        dt3, ((back,),) = timed(cur, "SELECT hc_reconstruct(%s)", (doc[0],))
        rows.append(("hc_reconstruct of that document", f"{dt3:.2f} s", "exact" if back == text else "DIFFERS"))
        cur.execute("SELECT count(*) FROM composition")
        ncomp = cur.fetchone()[0]
        t0 = time.perf_counter()
        cur.execute("SELECT * FROM semantic_search('package management', 10)")
        cur.fetchall()
        rows.append((f"semantic_search(..., 10) over {ncomp:,} compositions (exact scans)",
                     f"{(time.perf_counter() - t0) * 1e3:.0f} ms", ""))
        print("| measure | result | reference / note |")
        print("|---|---:|---|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    finally:
        srv.terminate()
        srv.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
