"""The 4-D index in SQL: CREATE INDEX ... USING gist on a hypercube column
builds hcdb's spatial index, and ORDER BY col <-> value / <<->> / ST_Distance
LIMIT k and WHERE ST_DWithin(col, value, r) read it. Every answer is compared with the exact scan of the same
query (enable_indexscan = off): same rows, same order, ties by id."""
import io
import random

import psycopg2
import pytest

pytestmark = pytest.mark.hcdb_only

CENTRE = "(0.5, 0.5, 0.5, 0.5)"


def point(r):
    return "(%r, %r, %r, %r)" % tuple(r.random() for _ in range(4))


def both(cur, sql, args=None):
    """(index answer, exact answer, plan) of one query."""
    cur.execute("EXPLAIN " + sql, args)
    plan = "\n".join(r[0] for r in cur.fetchall())
    cur.execute(sql, args)
    got = cur.fetchall()
    cur.execute("SET enable_indexscan = off")
    cur.execute(sql, args)
    exact = cur.fetchall()
    cur.execute("RESET enable_indexscan")
    return got, exact, plan


def load(conn, table, n, seed):
    r = random.Random(seed)
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, p hypercube)")
    rows = "".join(f"{i}\t{point(r)}\n" for i in range(n))

    cur.copy_expert(f"COPY {table} FROM STDIN", io.StringIO(rows))
    return r


def test_knn_equals_exact_scan(trust_server):
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        r = load(conn, "pts", 20000, 7)
        cur = conn.cursor()
        cur.execute("CREATE INDEX pts_p ON pts USING gist (p)")
        for _ in range(30):
            q = point(r)
            k = r.choice([1, 10, 57])
            got, exact, plan = both(cur, "SELECT id, p <-> %s::hypercube d FROM pts ORDER BY d, id LIMIT %s", (q, k))
            assert "Index Scan using pts_p on pts" in plan
            assert got == exact and len(got) == k
            got, exact, plan = both(cur, "SELECT id FROM pts ORDER BY ST_Distance(p, %s::hypercube), id LIMIT 10",
                                    (q,))
            assert "Index Scan using pts_p" in plan and got == exact
        # kept current by DML
        cur.execute("INSERT INTO pts SELECT 100000 + c, %s::hypercube FROM generate_series(1, 5) c", (CENTRE,))
        cur.execute("UPDATE pts SET p = '(0.5, 0.5, 0.5, 0.5000001)' WHERE id = 3")
        cur.execute("DELETE FROM pts WHERE id = 100002")
        got, exact, plan = both(cur, f"SELECT id FROM pts ORDER BY p <-> '{CENTRE}', id LIMIT 6")
        assert "Index Scan" in plan and got == exact
        assert [x[0] for x in got][:5] == [100001, 100003, 100004, 100005, 3]
        # a WHERE on the table is honoured while walking the index
        got, exact, plan = both(cur, f"SELECT id FROM pts WHERE id % 2 = 0 ORDER BY p <-> '{CENTRE}', id LIMIT 4")
        assert got == exact and all(x[0] % 2 == 0 for x in got)
    finally:
        conn.close()


def test_radius_filter_equals_exact_scan(trust_server):
    """WHERE ST_DWithin(col, value, r) reads the index's radius search, then checks the
    whole WHERE on each row: the same rows as the exact scan, DML through it included."""
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        r = load(conn, "rad", 20000, 5)
        cur = conn.cursor()
        cur.execute("CREATE INDEX rad_p ON rad USING gist (p)")
        for _ in range(25):
            q, radius = point(r), r.choice([0.0, 0.05, 0.12, 0.3])
            got, exact, plan = both(cur, "SELECT id FROM rad WHERE ST_DWithin(p, %s::hypercube, %s) AND id %% 3 <> 1 "
                                         "ORDER BY id", (q, radius))
            assert "Index Scan using rad_p on rad" in plan and got == exact
            got, exact, plan = both(cur, "SELECT count(*) FROM rad WHERE ST_DWithin(%s::hypercube, p, %s)",
                                    (q, radius))
            assert "Index Scan using rad_p" in plan and got == exact
        # a radius that is NULL, negative, NaN or infinite: the function's own answer
        for radius in ["NULL", "-1", "'NaN'", "'infinity'"]:
            got, exact, _ = both(cur, f"SELECT count(*) FROM rad WHERE ST_DWithin(p, '{CENTRE}', {radius})")
            assert got == exact
        assert exact == [(20000,)]
        # UPDATE and DELETE find their rows through it, inside a transaction too
        conn.autocommit = False
        cur.execute(f"UPDATE rad SET p = '(0.5, 0.5, 0.5, 0.52)' WHERE ST_DWithin(p, '{CENTRE}', 0.15)")
        moved = cur.rowcount
        assert moved > 0
        got, exact, _ = both(cur, "SELECT id FROM rad WHERE ST_DWithin(p, '(0.5, 0.5, 0.5, 0.52)', 0) ORDER BY id")
        assert got == exact and len(got) == moved
        cur.execute("DELETE FROM rad WHERE ST_DWithin(p, '(0.5, 0.5, 0.5, 0.52)', 0.000001)")
        assert cur.rowcount == moved
        got, exact, _ = both(cur, f"SELECT count(*) FROM rad WHERE ST_DWithin(p, '{CENTRE}', 0.15)")
        assert got == exact == [(0,)]
        conn.rollback()
        got, exact, _ = both(cur, f"SELECT count(*) FROM rad WHERE ST_DWithin(p, '{CENTRE}', 0.15)")
        assert got == exact == [(moved,)]
    finally:
        conn.close()


def test_ties_on_the_atom_sphere(trust_server):
    """Every atom is at distance 0.5 from the centre (up to rounding): ties everywhere."""
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        cur = conn.cursor()
        cur.execute("CREATE EXTENSION IF NOT EXISTS hypercube")
        cur.execute("SELECT length(hc_ingest('The quick brown fox jumps over the lazy dog. "
                    "Pack my box with five dozen liquor jugs.'))")
        cur.execute("CREATE INDEX composition_centroid ON composition USING gist (centroid gist_geometry_ops_nd)")
        cur.execute("CREATE TABLE ap (id int PRIMARY KEY, p hypercube)")
        cur.execute("INSERT INTO ap SELECT c, hc_map_codepoint(c) FROM generate_series(1, 30000) c")
        cur.execute("CREATE INDEX ap_p ON ap USING gist (p)")
        got, exact, plan = both(cur, f"SELECT id FROM ap ORDER BY p <-> '{CENTRE}', id LIMIT 20")
        assert "Index Scan using ap_p" in plan and got == exact
        sql = ("SELECT label FROM composition ORDER BY centroid <<->> ST_MakePoint(0.5, 0.5, 0.5, 0.5), id "
               "LIMIT 10")
        got, exact, plan = both(cur, sql)
        assert "Index Scan using composition_centroid" in plan and got == exact
        # the statement, through the same index
        got, exact, plan = both(cur, "SELECT id FROM composition ORDER BY ST_Distance(centroid, "
                                     "ST_MakePoint(0.5, 0.5, 0.5, 0.5)), id LIMIT 10")
        assert "Index Scan using composition_centroid" in plan and got == exact
    finally:
        conn.close()


def test_index_after_restart(server_factory):
    srv = server_factory()
    conn = srv.pg_connect()
    conn.autocommit = True
    r = load(conn, "rp", 3000, 11)
    conn.cursor().execute("CREATE INDEX rp_p ON rp USING gist (p)")
    conn.close()
    srv.stop()
    srv.start()
    conn = srv.pg_connect()
    try:
        cur = conn.cursor()
        q = point(r)
        got, exact, plan = both(cur, "SELECT id FROM rp ORDER BY p <-> %s::hypercube, id LIMIT 10", (q,))
        assert "Index Scan using rp_p" in plan and got == exact and len(got) == 10
    finally:
        conn.close()


@pytest.mark.slow
def test_million_points(trust_server):
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        r = load(conn, "big", 1000000, 3)
        cur = conn.cursor()
        cur.execute("CREATE INDEX big_p ON big USING gist (p)")
        for _ in range(5):
            got, exact, plan = both(cur, "SELECT id FROM big ORDER BY p <-> %s::hypercube, id LIMIT 10", (point(r),))
            assert "Index Scan using big_p" in plan and got == exact
    finally:
        conn.close()


@pytest.mark.parametrize("sql, state, message", [
    ("CREATE INDEX ON ix (id) USING gist", "42601", 'syntax error at or near "USING"'),
    ("CREATE INDEX ON ix USING gist (id)", "42704",
     'data type integer has no default operator class for access method "gist"'),
    ("CREATE INDEX ON ix USING gist (p) WITH (m = 3)", "22023", 'unrecognized parameter "m"'),
    ("CREATE INDEX ON ix USING gist (p vector_l2_ops)", "42704",
     'operator class "vector_l2_ops" does not exist for access method "gist"'),
    ("CREATE INDEX ON ix USING gist (id, p)", "0A000", 'access method "gist" does not support multicolumn indexes'),
])
def test_errors(trust_server, sql, state, message):
    conn = trust_server.pg_connect()
    try:
        cur = conn.cursor()
        cur.execute("CREATE TABLE IF NOT EXISTS ix (id int, p hypercube)")
        conn.commit()
        with pytest.raises(psycopg2.Error) as e:
            cur.execute(sql)
        assert e.value.pgcode == state
        assert e.value.pgerror.splitlines()[0] == "ERROR:  " + message
    finally:
        conn.close()
