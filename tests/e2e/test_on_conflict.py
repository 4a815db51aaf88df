"""INSERT ... ON CONFLICT over the wire (psycopg2 and psql): DO NOTHING, DO UPDATE with
EXCLUDED and WHERE, ON CONSTRAINT, rollback, and PostgreSQL's errors.

Expected rows, tags, SQLSTATEs and messages are PostgreSQL 15's (HCDB_E2E_REFERENCE=pg15
runs this file against it).
"""
import psycopg2
import pytest

from sqlerrors import assert_error


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS kv")
    cur.execute("CREATE TABLE kv (k int PRIMARY KEY, v text, n int, u int UNIQUE)")
    cur.execute("INSERT INTO kv VALUES (1, 'a', 0, 10), (2, 'b', 0, 20)")
    yield c
    c.close()


def q(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def test_do_nothing(conn):
    cur = conn.cursor()
    cur.execute("INSERT INTO kv VALUES (1, 'x') ON CONFLICT DO NOTHING")
    assert cur.statusmessage == "INSERT 0 0"
    assert q(cur, "INSERT INTO kv VALUES (1, 'x'), (3, 'c') ON CONFLICT (k) DO NOTHING RETURNING k, v") == [(3, "c")]
    assert cur.statusmessage == "INSERT 0 1"
    # a bare DO NOTHING watches every unique index, also u
    cur.execute("INSERT INTO kv VALUES (5, 'q', 0, 10) ON CONFLICT DO NOTHING")
    assert cur.statusmessage == "INSERT 0 0"
    # duplicates inside one statement: the second is skipped
    cur.execute("INSERT INTO kv VALUES (7, 'a'), (7, 'b') ON CONFLICT (k) DO NOTHING")
    assert cur.statusmessage == "INSERT 0 1"
    assert q(cur, "SELECT k, v FROM kv ORDER BY k") == [(1, "a"), (2, "b"), (3, "c"), (7, "a")]


def test_do_update_with_excluded_and_where(conn):
    cur = conn.cursor()
    assert q(cur, "INSERT INTO kv VALUES (1, 'y') ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = kv.n + 1 "
                  "RETURNING k, v, n") == [(1, "y", 1)]
    cur.execute("INSERT INTO kv VALUES (2, 'z') ON CONFLICT ON CONSTRAINT kv_pkey DO UPDATE SET v = excluded.v "
                "WHERE kv.n > 5")
    assert cur.statusmessage == "INSERT 0 0"
    cur.execute("INSERT INTO kv SELECT g, 'g' FROM generate_series(1, 4) g "
                "ON CONFLICT (k) DO UPDATE SET n = kv.n + 100")
    assert cur.statusmessage == "INSERT 0 4"
    assert q(cur, "SELECT k, v, n FROM kv ORDER BY k") == [(1, "y", 101), (2, "b", 100), (3, "g", None),
                                                        (4, "g", None)]


def test_upsert_rolls_back(conn):
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("INSERT INTO kv VALUES (1, 'changed') ON CONFLICT (k) DO UPDATE SET v = excluded.v")
    cur.execute("INSERT INTO kv VALUES (9, 'new') ON CONFLICT (k) DO NOTHING")
    conn.rollback()
    assert q(cur, "SELECT k, v FROM kv ORDER BY k") == [(1, "a"), (2, "b")]
    conn.rollback()


def test_upsert_with_psql_parameters(trust_server, conn):
    out = trust_server.psql("-c", "INSERT INTO kv VALUES (2, 'p') ON CONFLICT (k) DO UPDATE SET v = excluded.v || kv.v",
                            "-c", "SELECT v FROM kv WHERE k = 2")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["INSERT 0 1", "pb"]
    cur = conn.cursor()
    cur.execute("INSERT INTO kv VALUES (%s, %s) ON CONFLICT (k) DO UPDATE SET v = excluded.v", (2, "param"))
    assert q(cur, "SELECT v FROM kv WHERE k = 2") == [("param",)]


def test_on_conflict_errors(conn, trust_server):
    err = lambda sql, state, msg: assert_error(trust_server, sql, state, msg)  # noqa: E731
    err("INSERT INTO kv VALUES (7, 'a'), (7, 'b') ON CONFLICT (k) DO UPDATE SET v = excluded.v", "21000",
        "ON CONFLICT DO UPDATE command cannot affect row a second time")
    err("INSERT INTO kv VALUES (1, 'x') ON CONFLICT (v) DO NOTHING", "42P10",
        "there is no unique or exclusion constraint matching the ON CONFLICT specification")
    err("INSERT INTO kv VALUES (1, 'x') ON CONFLICT ON CONSTRAINT nope DO NOTHING", "42704",
        'constraint "nope" for table "kv" does not exist')
    err("INSERT INTO kv VALUES (1, 'x') ON CONFLICT DO UPDATE SET v = 'x'", "42601",
        "ON CONFLICT DO UPDATE requires inference specification or constraint name")
    err("INSERT INTO kv VALUES (1, 'x') ON CONFLICT (k) DO UPDATE SET v = v", "42702",
        'column reference "v" is ambiguous')
    err("INSERT INTO kv VALUES (1, 'x') ON CONFLICT (zz) DO NOTHING", "42703",
        'column "zz" does not exist')
    # an arbiter on k does not hide a conflict on u
    err("INSERT INTO kv VALUES (5, 'q', 0, 10) ON CONFLICT (k) DO UPDATE SET v = 'never'", "23505",
        'duplicate key value violates unique constraint "kv_u_key"')
    # the failed statements changed nothing
    assert q(conn.cursor(), "SELECT k, v FROM kv ORDER BY k") == [(1, "a"), (2, "b")]
