#!/usr/bin/env python3
"""Query-engine timings: joins, grouping, subqueries, DISTINCT, set operations and sorts over
two tables of N rows, on hcdb and on PostgreSQL 15 started by this script on the same machine.

    /usr/bin/python3 bench/sql/run.py            # N = 200000
    BENCH_ROWS=50000 /usr/bin/python3 bench/sql/run.py

Each query runs REPEAT times (default 3) after one warm-up run; the median wall time seen by
the client is reported, with hcdb / PostgreSQL (below 1 means hcdb is faster). Both servers
use trust auth on a free loopback port and a temporary data directory.
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
PGBIN = Path("/usr/lib/postgresql/15/bin")
N = int(os.environ.get("BENCH_ROWS", "200000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))

SETUP = [
    "CREATE TABLE t1 (id int PRIMARY KEY, g int, v float8)",
    "CREATE TABLE t2 (id int PRIMARY KEY, name text)",
    f"INSERT INTO t1 SELECT i, i % 100, i * 0.5 FROM generate_series(1, {N}) AS i",
    f"INSERT INTO t2 SELECT i, 'n' || i FROM generate_series(1, {N}) AS i WHERE i % 2 = 0",
]

QUERIES = [
    ("hash join, count", "SELECT count(*) FROM t1 JOIN t2 ON t1.id = t2.id"),
    ("left join, filter on inner", "SELECT count(*) FROM t1 LEFT JOIN t2 ON t1.id = t2.id WHERE t2.id IS NULL"),
    ("GROUP BY 100 groups", "SELECT g, count(*), sum(v), avg(v) FROM t1 GROUP BY g"),
    ("count(DISTINCT)", "SELECT count(DISTINCT g) FROM t1"),
    ("IN (subquery)", "SELECT count(*) FROM t1 WHERE id IN (SELECT id FROM t2 WHERE id % 3 = 0)"),
    ("EXISTS, correlated, 1000 outer rows",
     "SELECT count(*) FROM t1 WHERE id <= 1000 AND EXISTS (SELECT 1 FROM t2 WHERE t2.id = t1.id)"),
    ("UNION", "SELECT count(*) FROM (SELECT g FROM t1 UNION SELECT id FROM t2) s"),
    ("ORDER BY ... LIMIT 10", "SELECT id FROM t1 ORDER BY v DESC LIMIT 10"),
    ("join + GROUP BY + ORDER BY",
     "SELECT t1.g, count(t2.name) FROM t1 JOIN t2 ON t2.id = t1.id GROUP BY t1.g ORDER BY 2 DESC, 1 LIMIT 5"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, log):
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"server exited:\n{Path(log).read_text()[-2000:]}")
        try:
            psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres").close()
            return
        except psycopg2.OperationalError:
            time.sleep(0.1)
    sys.exit("server did not start")


def start_hcdb(work):
    port = free_port()
    log = work / "hcdb.log"
    proc = subprocess.Popen([str(ROOT / "build" / "hcdb"), "--listen", "127.0.0.1", "--port", str(port),
                             "--auth", "trust", "--data", str(work / "hcdb-data"), "--log-level", "warning"],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    wait_ready(port, proc, log)
    return port, proc


def start_postgres(work):
    port = free_port()
    pre = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] if os.getuid() == 0 else []
    if pre:
        shutil.chown(work, "postgres", "postgres")
    subprocess.run(pre + [str(PGBIN / "initdb"), "-D", str(work / "pgdata"), "-U", "postgres", "--auth=trust",
                          "-E", "UTF8", "--locale=C"], check=True, stdout=subprocess.DEVNULL)
    with open(work / "pgdata" / "postgresql.conf", "a") as f:
        f.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\n")
    log = work / "pg.log"
    proc = subprocess.Popen(pre + [str(PGBIN / "postgres"), "-D", str(work / "pgdata")],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    wait_ready(port, proc, log)
    return port, proc


def timings(port, analyze):
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    for s in SETUP:
        cur.execute(s)
    if analyze:
        cur.execute("ANALYZE")
    out, answers = {}, {}
    for name, q in QUERIES:
        cur.execute(q)
        answers[name] = cur.fetchall()
        ts = []
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            cur.execute(q)
            cur.fetchall()
            ts.append((time.perf_counter() - t0) * 1000)
        out[name] = statistics.median(ts)
    conn.close()
    return out, answers


def main():
    work = Path(tempfile.mkdtemp(prefix="hcdb-sqlbench-"))
    os.chmod(work, 0o755)
    procs = []
    try:
        hport, hproc = start_hcdb(work)
        procs.append(hproc)
        h, ha = timings(hport, False)
        hproc.terminate()
        hproc.wait()
        pport, pproc = start_postgres(work)
        procs.append(pproc)
        p, pa = timings(pport, True)
    finally:
        for pr in procs:
            if pr.poll() is None:
                pr.terminate()
                pr.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{N} rows in t1, {N // 2} in t2; median of {REPEAT} runs; {os.cpu_count()} cores\n")
    print("| query | hcdb ms | PostgreSQL 15 ms | hcdb / PostgreSQL | same answer |")
    print("|---|---:|---:|---:|---|")
    for name, _ in QUERIES:
        same = "yes" if sorted(map(str, ha[name])) == sorted(map(str, pa[name])) else "NO"
        print(f"| {name} | {h[name]:.1f} | {p[name]:.1f} | {h[name] / p[name]:.2f} | {same} |")
    print("\ncommand: /usr/bin/python3 bench/sql/run.py" + (f" (BENCH_ROWS={N})" if N != 200000 else ""))


if __name__ == "__main__":
    main()
