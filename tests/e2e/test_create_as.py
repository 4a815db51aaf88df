"""CREATE TABLE ... AS SELECT / VALUES / WITH NO DATA over the wire.

Expected rows, command tags, SQLSTATEs and messages are PostgreSQL 15's for the same
statements (HCDB_E2E_REFERENCE=pg15 runs this file against it).
"""
import psycopg2
import pytest

from sqlerrors import assert_error


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    c.cursor().execute("DROP TABLE IF EXISTS ca, cb, cc, cd")
    yield c
    c.close()


def q(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def test_create_as_select_counts_and_copies_rows(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE ca AS SELECT generate_series(1, 1000) AS id")
    assert cur.statusmessage == "SELECT 1000"
    assert q(cur, "SELECT count(*), sum(id) FROM ca") == [(1000, 500500)]
    cur.execute("INSERT INTO ca VALUES (1001)")
    assert q(cur, "SELECT max(id) FROM ca") == [(1001,)]


def test_create_as_values_with_column_names(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE cb (a, b) AS VALUES (1, 'x'), (2, 'y')")
    assert cur.statusmessage == "SELECT 2"
    assert q(cur, "SELECT a, b FROM cb ORDER BY a") == [(1, "x"), (2, "y")]
    # names past the column list are the targets' own
    cur.execute("CREATE TABLE cc (k) AS SELECT 7, 'z'")
    assert [d.name for d in cur.description or []] == []
    assert q(cur, "SELECT * FROM cc") == [(7, "z")]
    cur.execute("SELECT * FROM cc")
    assert [d.name for d in cur.description] == ["k", "?column?"]


def test_create_as_with_no_data_keeps_types(conn, trust_server):
    cur = conn.cursor()
    cur.execute("CREATE TABLE cd AS SELECT 'lit' AS s, 2.5 AS x, 3::bigint AS n WITH NO DATA")
    assert cur.statusmessage == "CREATE TABLE AS"
    assert q(cur, "SELECT count(*) FROM cd") == [(0,)]
    assert q(cur, "SELECT column_name, data_type FROM information_schema.columns "
                  "WHERE table_name = 'cd' ORDER BY ordinal_position") == [
        ("s", "text"), ("x", "numeric"), ("n", "bigint")]
    out = trust_server.psql(sql="\\d cd", tuples_only=False)
    assert out.returncode == 0, out.stderr
    assert "\ns|text|" in out.stdout and "\nn|bigint|" in out.stdout


def test_create_as_if_not_exists_and_errors(conn, trust_server):
    cur = conn.cursor()
    cur.execute("CREATE TABLE ca AS SELECT 1 AS one")
    cur.execute("CREATE TABLE IF NOT EXISTS ca AS SELECT 2 AS two")
    assert cur.statusmessage == "CREATE TABLE AS"
    assert conn.notices[-1] == 'NOTICE:  relation "ca" already exists, skipping\n'
    assert q(cur, "SELECT * FROM ca") == [(1,)]
    assert_error(trust_server, "CREATE TABLE ca AS SELECT 1", "42P07", 'relation "ca" already exists')
    assert_error(trust_server, "CREATE TABLE cb AS SELECT * FROM no_such_table", "42P01",
                 'relation "no_such_table" does not exist')
    assert_error(trust_server, "CREATE TABLE cb (a, b, c) AS SELECT 1, 2", "42601",
                 "too many column names were specified")
    assert_error(trust_server, "CREATE TABLE cb AS SELECT 1 AS a, 2 AS a", "42701",
                 'column "a" specified more than once')


def test_failed_create_as_leaves_nothing(conn, trust_server):
    cur = conn.cursor()
    assert_error(trust_server, "CREATE TABLE cb AS SELECT 10 / (3 - g) AS v FROM generate_series(1, 5) g",
                 "22012", "division by zero")
    assert_error(trust_server, "SELECT * FROM cb", "42P01", 'relation "cb" does not exist')
    conn.autocommit = False
    cur.execute("CREATE TABLE cb AS SELECT 1 AS one")
    conn.rollback()
    conn.autocommit = True
    assert_error(trust_server, "SELECT * FROM cb", "42P01", 'relation "cb" does not exist')


def test_create_as_survives_restart(server_factory):
    srv = server_factory()
    c = srv.pg_connect()
    c.autocommit = True
    c.cursor().execute("CREATE TABLE kept AS SELECT g AS id, 'v' || g AS name FROM generate_series(1, 50) g")
    c.close()
    srv.stop()
    srv.start()
    c = srv.pg_connect()
    assert q(c.cursor(), "SELECT count(*), max(name) FROM kept") == [(50, "v9")]
    c.close()
