"""Temporary tables over the wire: CREATE TEMP TABLE (x) and CREATE TEMP TABLE ... AS, seen
only by their session, found before a permanent table of the same name, dropped when the
session ends, undone by ROLLBACK, and gone after a crash and restart.

Expected results, SQLSTATEs and messages are PostgreSQL 15's (HCDB_E2E_REFERENCE=pg15 runs
the tests that are not hcdb-specific against it).
"""
import os
import re
import signal
import time

import psycopg2
import pytest

from sqlerrors import assert_error


def q(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def session(srv):
    c = srv.pg_connect()
    c.autocommit = True
    return c, c.cursor()


@pytest.mark.hcdb_only
def test_benchmark_statement_from_the_users(trust_server):
    c, cur = session(trust_server)
    cur.execute("CREATE TEMP TABLE benchmark_data AS SELECT generate_series(1, 100000) AS id")
    assert cur.statusmessage == "SELECT 100000"
    assert q(cur, "SELECT COUNT(*) FROM (SELECT hc_map_codepoint(id) FROM benchmark_data) t") == [(100000,)]
    c.close()
    # the same two statements through psql, one session
    out = trust_server.psql("-c", "CREATE TEMP TABLE benchmark_data AS SELECT generate_series(1, 100000) AS id;",
                            "-c", "SELECT COUNT(*) FROM (SELECT hc_map_codepoint(id) FROM benchmark_data) t;")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["SELECT 100000", "100000"]


def test_temp_table_is_private_to_its_session(trust_server):
    a, ca = session(trust_server)
    b, cb = session(trust_server)
    ca.execute("CREATE TEMPORARY TABLE tt (x int PRIMARY KEY, y text)")
    ca.execute("INSERT INTO tt VALUES (1, 'a'), (2, 'b')")
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cb.execute("SELECT * FROM tt")
    # the other session may have its own table of that name
    cb.execute("CREATE TEMP TABLE tt AS VALUES (10)")
    assert q(cb, "SELECT * FROM tt") == [(10,)]
    ca.execute("UPDATE tt SET y = 'c' WHERE x = 2")
    ca.execute("DELETE FROM tt WHERE x = 1")
    assert q(ca, "SELECT * FROM tt") == [(2, "c")]
    with pytest.raises(psycopg2.errors.UniqueViolation) as e:
        ca.execute("INSERT INTO tt VALUES (2, 'dup')")
    assert e.value.pgerror.splitlines()[0] == 'ERROR:  duplicate key value violates unique constraint "tt_pkey"'
    a.close()
    b.close()


def test_temp_table_shadows_permanent_one(trust_server):
    c, cur = session(trust_server)
    cur.execute("DROP TABLE IF EXISTS shadowed")
    cur.execute("CREATE TABLE shadowed (p int)")
    cur.execute("INSERT INTO shadowed VALUES (1)")
    cur.execute("CREATE TEMP TABLE shadowed (t text)")
    cur.execute("INSERT INTO shadowed VALUES ('temp')")
    assert q(cur, "SELECT * FROM shadowed") == [("temp",)]
    assert q(cur, "SELECT * FROM public.shadowed") == [(1,)]
    cur.execute("DROP TABLE shadowed")  # the temporary one
    assert q(cur, "SELECT * FROM shadowed") == [(1,)]
    cur.execute("DROP TABLE shadowed")
    c.close()


def test_temp_tables_dropped_when_session_ends(trust_server):
    c, cur = session(trust_server)
    cur.execute("CREATE TEMP TABLE gone_at_end AS SELECT 1 AS one")
    c.close()
    c, cur = session(trust_server)
    assert_error(trust_server, "SELECT * FROM gone_at_end", "42P01", 'relation "gone_at_end" does not exist')
    assert q(cur, "SELECT count(*) FROM pg_class WHERE relname LIKE '%gone_at_end%'") == [(0,)]
    c.close()


def test_temp_table_rollback(trust_server):
    c = trust_server.pg_connect()
    cur = c.cursor()
    cur.execute("CREATE TEMP TABLE rolled (x int)")
    c.rollback()
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.execute("SELECT * FROM rolled")
    c.rollback()
    cur.execute("CREATE TEMP TABLE kept (x int)")
    c.commit()
    cur.execute("INSERT INTO kept VALUES (1)")
    c.rollback()
    assert q(cur, "SELECT count(*) FROM kept") == [(0,)]
    c.close()


def test_temp_table_errors(trust_server):
    c, cur = session(trust_server)
    cur.execute("CREATE TEMP TABLE twice (x int)")
    with pytest.raises(psycopg2.errors.DuplicateTable) as e:
        cur.execute("CREATE TEMP TABLE twice (x int)")
    assert e.value.pgerror.splitlines()[0] == 'ERROR:  relation "twice" already exists'
    with pytest.raises(psycopg2.errors.InvalidTableDefinition) as e:
        cur.execute("CREATE TEMP TABLE public.wrong (x int)")
    assert e.value.pgerror.splitlines()[0] == \
        "ERROR:  cannot create temporary relation in non-temporary schema"
    c.close()


def test_on_commit_drop(trust_server):
    c = trust_server.pg_connect()
    cur = c.cursor()
    cur.execute("CREATE TEMP TABLE ocd (x int) ON COMMIT DROP")
    cur.execute("INSERT INTO ocd VALUES (1)")
    assert q(cur, "SELECT * FROM ocd") == [(1,)]
    c.commit()
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.execute("SELECT * FROM ocd")
    c.rollback()
    c.autocommit = True
    # outside a transaction block it is gone at the end of its own statement
    cur.execute("CREATE TEMP TABLE ocd2 AS SELECT 1 AS a WITH NO DATA")
    cur.execute("CREATE TEMP TABLE ocd3 (x int) ON COMMIT DROP")
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.execute("SELECT * FROM ocd3")
    assert q(cur, "SELECT count(*) FROM ocd2") == [(0,)]
    c.close()
    assert_error(trust_server, "CREATE TABLE perm (x int) ON COMMIT DROP", "42P16",
                 "ON COMMIT can only be used on temporary tables")


def test_on_commit_delete_rows(trust_server):
    c = trust_server.pg_connect()
    cur = c.cursor()
    cur.execute("CREATE TEMP TABLE ocdel (x int) ON COMMIT DELETE ROWS")
    c.commit()
    cur.execute("INSERT INTO ocdel VALUES (1), (2)")
    assert q(cur, "SELECT count(*) FROM ocdel") == [(2,)]  # kept within the transaction
    c.commit()
    assert q(cur, "SELECT count(*) FROM ocdel") == [(0,)]  # emptied by the commit, table kept
    c.commit()
    c.autocommit = True
    cur.execute("INSERT INTO ocdel VALUES (3)")  # its own transaction: gone at once
    assert q(cur, "SELECT count(*) FROM ocdel") == [(0,)]
    # the same name made again without the clause keeps its rows
    cur.execute("DROP TABLE ocdel")
    cur.execute("CREATE TEMP TABLE ocdel (x int)")
    cur.execute("INSERT INTO ocdel VALUES (4)")
    assert q(cur, "SELECT x FROM ocdel") == [(4,)]
    # created in a transaction that rolls back: nothing left to empty, nothing breaks
    c.autocommit = False
    cur.execute("CREATE TEMP TABLE ocdel2 (x int) ON COMMIT DELETE ROWS")
    c.rollback()
    cur.execute("INSERT INTO ocdel VALUES (5)")
    c.commit()
    assert q(cur, "SELECT x FROM ocdel ORDER BY x") == [(4,), (5,)]
    c.close()


@pytest.mark.hcdb_only
def test_temp_tables_gone_after_crash(server_factory):
    srv = server_factory()
    c, cur = session(srv)
    cur.execute("CREATE TEMP TABLE crashed AS SELECT generate_series(1, 100) AS id")
    cur.execute("CREATE TABLE survivor AS SELECT 1 AS id")
    os.kill(srv.pid, signal.SIGKILL)
    srv.proc.wait(30)
    srv.start()
    c, cur = session(srv)
    assert q(cur, "SELECT count(*) FROM pg_class WHERE relname LIKE '%crashed%'") == [(0,)]
    assert q(cur, "SELECT * FROM survivor") == [(1,)]
    cur.execute("CREATE TEMP TABLE crashed (x int)")
    c.close()
    # a clean restart keeps nothing temporary either
    srv.stop()
    srv.start()
    c, cur = session(srv)
    assert q(cur, "SELECT count(*) FROM pg_class WHERE relname LIKE '%crashed%'") == [(0,)]
    c.close()


def test_serial_column_of_temp_table_numbers_rows_and_its_sequence_goes_with_it(trust_server):
    a, ca = session(trust_server)
    ca.execute("CREATE TEMP TABLE ts (id serial PRIMARY KEY, v text)")
    ca.execute("CREATE TEMP TABLE tc (id bigserial) ON COMMIT DROP")
    ca.execute("INSERT INTO ts (v) VALUES ('a'), ('b')")
    assert q(ca, "SELECT id, v FROM ts ORDER BY id") == [(1, "a"), (2, "b")]
    # ON COMMIT DROP (autocommit) took its table and sequence at once
    assert q(ca, "SELECT count(*) FROM pg_class WHERE relname = 'tc_id_seq'") == [(0,)]
    a.close()
    b, cb = session(trust_server)
    for _ in range(100):  # the end-of-session drop runs after the client has gone
        if q(cb, "SELECT count(*) FROM pg_class WHERE relname LIKE 'ts%'") == [(0,)]:
            break
        time.sleep(0.05)
    assert q(cb, "SELECT relname FROM pg_class WHERE relname LIKE 'ts%'") == []
    b.close()


def test_temp_table_in_the_catalog_as_postgresql_shows_it(trust_server):
    """A temporary table lives in pg_temp_<n>: pg_class and pg_namespace show it there, visible
    to its session only (so psql's \\d finds it), ::regclass finds it first, and a permanent
    table of the same name stays reachable as public.name."""
    a, ca = session(trust_server)
    b, cb = session(trust_server)
    ca.execute("CREATE TABLE cat_t (a int)")
    ca.execute("CREATE TEMP TABLE cat_t (id int PRIMARY KEY, v text NOT NULL)")
    (schema,) = q(ca, "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE c.relname = 'cat_t' AND c.relpersistence = 't'")[0]
    assert schema.startswith("pg_temp_")
    assert q(ca, "SELECT 'cat_t'::regclass::text, pg_table_is_visible('cat_t'::regclass), "
                 "'pg_temp.cat_t'::regclass = 'cat_t'::regclass, 'public.cat_t'::regclass <> 'cat_t'::regclass") == \
        [("cat_t", True, True, True)]
    assert q(ca, "SELECT schemaname, indexname FROM pg_indexes WHERE tablename = 'cat_t'") == [(schema, "cat_t_pkey")]
    assert q(ca, "SELECT table_schema, table_type FROM information_schema.tables WHERE table_name = 'cat_t' "
                 "ORDER BY 1") == [(schema, "LOCAL TEMPORARY"), ("public", "BASE TABLE")]
    # the other session sees the row but not as visible, and its bare name means the permanent table
    assert q(cb, f"SELECT pg_table_is_visible(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 f"WHERE c.relname = 'cat_t' AND n.nspname = '{schema}'") == [(False,)]
    assert q(cb, "SELECT 'cat_t'::regclass = 'public.cat_t'::regclass") == [(True,)]
    a.close()
    b.close()
    # psql's \d, as PostgreSQL prints it
    out = trust_server.psql("-c", "CREATE TEMP TABLE cat_p (id int PRIMARY KEY)", "-c", "\\d cat_p", tuples_only=False)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert re.fullmatch(r'\s*Table "pg_temp_\d+\.cat_p"', lines[1]), lines
    assert '    "cat_p_pkey" PRIMARY KEY, btree (id)' in lines
