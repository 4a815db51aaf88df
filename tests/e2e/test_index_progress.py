"""CREATE INDEX ... USING hnsw as a user can watch it: a NOTICE per tenth built
(sent while the build runs), and pg_stat_progress_create_index with
PostgreSQL's columns.
"""
import random
import threading
import time
import pytest

from pgwire import query

pytestmark = pytest.mark.hcdb_only

ROWS = 10000
DIM = 32


@pytest.fixture(scope="module")
def loaded(trust_server):
    rnd = random.Random(5)
    data = "".join(f"{i}\t[{','.join(f'{rnd.random():.4f}' for _ in range(DIM))}]\n" for i in range(ROWS))
    r = trust_server.psql("-c", f"CREATE TABLE pitems (id int, v vector({DIM}))", "-c", "\\copy pitems from stdin",
                          input=data + "\\.\n")
    assert r.returncode == 0, r.stderr
    return trust_server


def test_notice_per_tenth(loaded):
    r = loaded.psql("-c", "CREATE TABLE small (v vector(2))",
                    "-c", "INSERT INTO small SELECT ARRAY[i % 7, i % 5]::real[]::vector FROM generate_series(1, 300) i",
                    "-c", "CREATE INDEX small_idx ON small USING hnsw (v vector_l2_ops)")
    assert r.returncode == 0, r.stderr
    notices = [line for line in r.stderr.splitlines() if line.startswith("NOTICE:")]
    assert notices == [f'NOTICE:  index "small_idx": {t * 10}% built ({t * 30} of 300 rows)' for t in range(1, 11)]
    # An empty table builds nothing and says nothing.
    r = loaded.psql("-c", "CREATE TABLE empty (v halfvec(2))", "-c", "CREATE INDEX ON empty USING hnsw (v)")
    assert r.returncode == 0, r.stderr
    assert "NOTICE" not in r.stderr


def test_progress_view_columns(loaded):
    """The view has PostgreSQL 15's columns; a row exists only while a build runs."""
    conn = loaded.pg_connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT * FROM pg_stat_progress_create_index")
        assert [d.name for d in cur.description] == [
            "pid", "datid", "datname", "relid", "index_relid", "command", "phase", "lockers_total", "lockers_done",
            "current_locker_pid", "blocks_total", "blocks_done", "tuples_total", "tuples_done", "partitions_total",
            "partitions_done"]
        assert cur.fetchall() == []
    finally:
        conn.close()


def test_notices_stream_during_a_long_build(loaded):
    """The build runs on a worker thread, whose NOTICEs the loop forwards while it runs: ten
    of them, in order, ahead of CommandComplete."""
    c = loaded.connect_raw()
    try:
        c.send(query("SET max_parallel_maintenance_workers = 0"))
        assert not c.recv_result().errors
        c.send(query("CREATE INDEX pidx ON pitems USING hnsw (v vector_l2_ops) WITH (ef_construction = 100)"))
        res = c.recv_result()
        assert not res.errors, res.errors
        assert [n["M"] for n in res.notices] == [
            f'index "pidx": {t * 10}% built ({t * ROWS // 10} of {ROWS} rows)' for t in range(1, 11)]
        assert all(n["S"] == "NOTICE" and n["C"] == "00000" for n in res.notices)
    finally:
        c.close()


def test_statements_run_during_a_build(loaded):
    """The build holds the catalog's read lock only: while it runs, other sessions read the
    progress row, query and insert; a row inserted meanwhile is in the finished index."""
    c = loaded.connect_raw()
    other = loaded.pg_connect()
    other.autocommit = True
    try:
        c.send(query("SET max_parallel_maintenance_workers = 0"))
        assert not c.recv_result().errors
        c.send(query("CREATE INDEX pidx_wide ON pitems USING hnsw (v vector_l2_ops) WITH (m = 48, ef_construction = 400)"))
        cur = other.cursor()
        for _ in range(600):
            cur.execute("SELECT phase, tuples_total FROM pg_stat_progress_create_index")
            rows = cur.fetchall()
            if rows and rows[0][0] != "initializing":
                break
            time.sleep(0.05)
        assert rows == [("building index: loading tuples", ROWS)]
        far = "[" + ",".join(["5"] * DIM) + "]"
        cur.execute("INSERT INTO pitems VALUES (%s, %s)", (ROWS + 1, far))
        cur.execute("SELECT count(*) FROM pitems")
        assert cur.fetchone() == (ROWS + 1,)
        # all of that ran while the build was still going
        cur.execute("SELECT count(*) FROM pg_stat_progress_create_index")
        assert cur.fetchone() == (1,)
        res = c.recv_result()
        assert not res.errors, res.errors
        cur.execute("SET enable_seqscan = off")
        cur.execute("EXPLAIN SELECT id FROM pitems ORDER BY v <-> %s LIMIT 1", (far,))
        assert "Index Scan using pidx" in "\n".join(r[0] for r in cur.fetchall())
        cur.execute("SELECT id FROM pitems ORDER BY v <-> %s LIMIT 1", (far,))
        assert cur.fetchone() == (ROWS + 1,)
    finally:
        other.close()
        c.close()


def test_every_autocommit_build_gets_its_answer(server_factory):
    """An autocommit CREATE INDEX runs on a worker thread and its commit may wait for the WAL
    flush, whose wake-up can come before the worker's result reaches the event loop (soonest
    with fsync off): the statement must not then wait for a second one (it did, now and then)."""
    srv = server_factory(args=["--fsync", "off"])
    stop = threading.Event()

    def poll():
        conn = srv.pg_connect()
        conn.autocommit = True
        cur = conn.cursor()
        while not stop.is_set():
            cur.execute("SELECT * FROM pg_stat_database")
            cur.fetchall()
        conn.close()

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        for i in range(30):
            c = srv.connect_raw(timeout=20)
            c.send(query("DROP TABLE IF EXISTS ab; CREATE TABLE ab (id int, v vector(16)); "
                         "INSERT INTO ab SELECT i, (SELECT array_agg(random())::real[]::vector "
                         "FROM generate_series(1, 16) WHERE i > 0) FROM generate_series(1, 300) i; "
                         "CREATE INDEX ON ab USING hnsw (v)"))
            res = c.recv_result()
            assert not res.errors, res.errors
            assert len([n for n in res.notices if "% built" in n["M"]]) == 10, (i, res.notices)
            c.close()
    finally:
        stop.set()
        poller.join()
