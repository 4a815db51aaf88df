"""Index contents in checkpoints, over the wire: after a restart the btree (key),
HNSW and 4-D gist indexes are loaded from the checkpoint's files instead of being
rebuilt by a scan, the WAL written after the checkpoint is applied to them, and
every index scan answers as the sequential scan does. A damaged index file costs
a rebuild of that index, never a wrong answer.
"""
import os
import random
import re
import signal
from pathlib import Path

import psycopg2
import pytest

pytestmark = pytest.mark.hcdb_only   # hcdb's own data directory format

DIM = 8
N = 400
INDEXES = ("t_pkey", "t_k", "t_emb", "t_p")


def vec(r):
    return "[" + ",".join("%.6f" % r.uniform(-1, 1) for _ in range(DIM)) + "]"


def cube(r):
    return "(%r, %r, %r, %r)" % tuple(round(r.random(), 6) for _ in range(4))


def crash(srv):
    """Immediate stop: no shutdown checkpoint, so the next start replays the WAL."""
    os.kill(srv.pid, signal.SIGQUIT)
    srv.proc.wait(30)


def index_files(srv):
    """The index files of the newest checkpoint."""
    cdir = Path(srv.data_dir, "base", "checkpoint")
    newest = sorted(cdir.glob("*.ckpt"))[-1].name[:16]
    return sorted(cdir.glob(newest + "-*.dat"))


def flip(path, offset):
    with open(path, "r+b") as fh:
        fh.seek(offset)
        b = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([b[0] ^ 0xFF]))


def setup_table(srv, seed=1):
    conn = srv.pg_connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, k int, emb vector(%d), p hypercube)" % DIM)
    cur.execute("CREATE INDEX t_k ON t (k)")
    cur.execute("CREATE INDEX t_emb ON t USING hnsw (emb vector_l2_ops)")
    cur.execute("CREATE INDEX t_p ON t USING gist (p)")
    r = random.Random(seed)
    for i in range(N):
        cur.execute("INSERT INTO t VALUES (%s, %s, %s, %s)", (i, i % 37, vec(r), cube(r)))
    conn.close()
    return r


def write_after_checkpoint(srv, r):
    """Inserts, key-changing updates and deletes that only the WAL holds."""
    conn = srv.pg_connect()
    conn.autocommit = True
    cur = conn.cursor()
    for i in range(N, N + 40):
        cur.execute("INSERT INTO t VALUES (%s, %s, %s, %s)", (i, i % 37, vec(r), cube(r)))
    for i in range(0, 60, 3):
        cur.execute("UPDATE t SET k = k + 100, emb = %s, p = %s WHERE id = %s", (vec(r), cube(r), i))
    cur.execute("UPDATE t SET id = id + 1000 WHERE id BETWEEN 100 AND 109")
    cur.execute("DELETE FROM t WHERE id BETWEEN 200 AND 219")
    conn.close()


def answers(cur, sql, args=()):
    """(index answer, sequential answer, plan) of one ordered query."""
    cur.execute("EXPLAIN " + sql, args)
    plan = "\n".join(row[0] for row in cur.fetchall())
    cur.execute(sql, args)
    got = cur.fetchall()
    cur.execute("SET enable_indexscan = off")
    cur.execute("EXPLAIN " + sql, args)
    assert "Index" not in "\n".join(row[0] for row in cur.fetchall())
    cur.execute(sql, args)
    exact = cur.fetchall()
    cur.execute("RESET enable_indexscan")
    return got, exact, plan


def lookup(cur, sql, args, index):
    cur.execute("EXPLAIN " + sql, args)
    assert "Index Scan using " + index in "\n".join(row[0] for row in cur.fetchall())
    cur.execute(sql, args)
    return cur.fetchall()


def check_index_scans(srv, seed=99):
    """Every index answers as the sequential scan does (HNSW with an ef_search
    above the row count, so its search is exhaustive and exact)."""
    conn = srv.pg_connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT id, k FROM t")             # a sequential scan: the reference
    rows = dict(cur.fetchall())
    assert len(rows) == N + 40 - 20
    for i in sorted(rows) + [100, 205, N + 40, 2000]:
        got = lookup(cur, "SELECT id, k FROM t WHERE id = %s", (i,), "t_pkey")
        assert got == ([(i, rows[i])] if i in rows else [])
    for k in set(rows.values()) | {36 + 100, 5000}:
        got = lookup(cur, "SELECT id FROM t WHERE k = %s ORDER BY id", (k,), "t_k")
        assert got == [(i,) for i in sorted(rows) if rows[i] == k]
    r = random.Random(seed)
    cur.execute("SET hnsw.ef_search = 1000")
    for _ in range(10):
        q = vec(r)
        got, exact, plan = answers(cur, "SELECT id FROM t ORDER BY emb <-> %s::vector LIMIT 10", (q,))
        assert "t_emb" in plan
        assert got == exact
        c = cube(r)
        got, exact, plan = answers(cur, "SELECT id FROM t ORDER BY p <-> %s::hypercube, id LIMIT 10", (c,))
        assert "t_p" in plan
        assert got == exact
    # every row reaches the HNSW and gist indexes (a LIMIT above the row count)
    for col, q in (("emb", "'" + vec(r) + "'::vector"), ("p", "'" + cube(r) + "'::hypercube")):
        got, exact, plan = answers(cur, "SELECT id FROM t ORDER BY %s <-> %s, id LIMIT 1000" % (col, q))
        assert "Index Scan" in plan
        assert sorted(got) == sorted(exact) == [(i,) for i in sorted(rows)]
    # the loaded unique index still refuses duplicates, old keys and replayed ones
    for dup in (5, N + 3, 1101):
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO t (id, k) VALUES (%s, 0)", (dup,))
    conn.close()


def loaded(log):
    return set(re.findall(r'index "(\w+)" on "t" loaded from the checkpoint', log))


def rebuilt_am(log):
    return set(re.findall(r'index "(\w+)" on "t" built:', log))


@pytest.fixture
def srv(server_factory):
    return server_factory()


def test_restart_loads_indexes_and_replays_the_wal_into_them(srv):
    r = setup_table(srv)
    assert srv.psql(sql="CHECKPOINT").returncode == 0
    write_after_checkpoint(srv, r)
    crash(srv)
    mark = len(srv.log())
    srv.start()
    log = srv.log()[mark:]
    assert loaded(log) == set(INDEXES)
    assert rebuilt_am(log) == set()
    check_index_scans(srv)
    # and once more through a clean shutdown (its checkpoint holds the replayed state)
    srv.stop()
    mark = len(srv.log())
    srv.start()
    assert loaded(srv.log()[mark:]) == set(INDEXES)
    check_index_scans(srv)


def test_index_created_after_the_checkpoint_is_built_by_a_scan(srv):
    r = setup_table(srv)
    conn = srv.pg_connect()
    conn.autocommit = True
    conn.cursor().execute("DROP INDEX t_p")
    assert srv.psql(sql="CHECKPOINT").returncode == 0
    conn.cursor().execute("CREATE INDEX t_p ON t USING gist (p)")
    conn.close()
    write_after_checkpoint(srv, r)
    crash(srv)
    mark = len(srv.log())
    srv.start()
    log = srv.log()[mark:]
    assert loaded(log) == {"t_pkey", "t_k", "t_emb"}
    assert rebuilt_am(log) == {"t_p"}
    check_index_scans(srv)


def test_flipped_byte_in_index_files_rebuilds_those_indexes(srv):
    r = setup_table(srv)
    assert srv.psql(sql="CHECKPOINT").returncode == 0
    write_after_checkpoint(srv, r)
    crash(srv)
    files = index_files(srv)
    assert len(files) == len(INDEXES)
    for f in files[:2] + files[3:]:         # all but one: that one must still load
        flip(f, f.stat().st_size // 2)
    mark = len(srv.log())
    srv.start()
    log = srv.log()[mark:]
    assert log.count("is damaged or missing") == len(INDEXES) - 1
    assert len(loaded(log)) == 1
    check_index_scans(srv)


def test_missing_index_file_rebuilds_that_index(srv):
    setup_table(srv)
    assert srv.psql(sql="CHECKPOINT").returncode == 0
    crash(srv)
    for f in index_files(srv):
        f.unlink()
    mark = len(srv.log())
    srv.start()
    log = srv.log()[mark:]
    assert log.count("is damaged or missing") == len(INDEXES)
    assert loaded(log) == set()
    assert rebuilt_am(log) == {"t_emb", "t_p"}
    conn = srv.pg_connect()
    cur = conn.cursor()
    assert lookup(cur, "SELECT id, k FROM t WHERE id = %s", (17,), "t_pkey") == [(17, 17)]
    assert lookup(cur, "SELECT id FROM t WHERE k = %s ORDER BY id", (17,), "t_k") == [(17,), (54,)] + [
        (i,) for i in range(91, N, 37)]
    conn.close()
