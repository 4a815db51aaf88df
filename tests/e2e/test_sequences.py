"""Sequences over the wire: CREATE / DROP SEQUENCE, nextval / currval / setval / lastval
with PostgreSQL's errors, values never handed out twice (rollback, restart, kill -9)."""
import os
import signal

import psycopg2
import pytest


def q(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


def err(conn, sql):
    with pytest.raises(psycopg2.Error) as e:
        q(conn, sql)
    conn.rollback()
    return e.value.pgcode, e.value.pgerror.splitlines()[0]


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    yield c
    c.rollback()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute("DROP SEQUENCE IF EXISTS s, s2, neg, small")
    c.close()


def test_create_and_nextval(conn):
    q(conn, "CREATE SEQUENCE s")
    assert q(conn, "SELECT nextval('s'), nextval('s'), currval('s'), lastval()") == [(1, 2, 2, 2)]
    q(conn, "CREATE SEQUENCE s2 INCREMENT BY 5 START WITH 10 MAXVALUE 20")
    assert [r[0] for r in q(conn, "SELECT nextval('s2') FROM generate_series(1, 3)")] == [10, 15, 20]
    assert err(conn, "SELECT nextval('s2')") == \
        ("2200H", 'ERROR:  nextval: reached maximum value of sequence "s2" (20)')
    q(conn, "CREATE SEQUENCE neg INCREMENT -1")
    assert q(conn, "SELECT nextval('neg'), nextval('NEG'), nextval('public.neg')") == [(-1, -2, -3)]
    q(conn, "CREATE SEQUENCE small AS smallint MINVALUE 1 MAXVALUE 2 CYCLE")
    assert [r[0] for r in q(conn, "SELECT nextval('small') FROM generate_series(1, 5)")] == [1, 2, 1, 2, 1]


def test_setval_and_session_scope(trust_server, conn):
    q(conn, "CREATE SEQUENCE s")
    conn.commit()
    assert q(conn, "SELECT setval('s', 41)") == [(41,)]
    assert q(conn, "SELECT nextval('s'), currval('s')") == [(42, 42)]
    assert q(conn, "SELECT setval('s', 7, false), nextval('s')") == [(7, 7)]
    conn.commit()
    other = trust_server.pg_connect()
    assert err(other, "SELECT currval('s')") == \
        ("55000", 'ERROR:  currval of sequence "s" is not yet defined in this session')
    assert err(other, "SELECT lastval()") == ("55000", "ERROR:  lastval is not yet defined in this session")
    assert q(other, "SELECT nextval('s')") == [(8,)]
    other.close()


def test_bad_input(conn):
    cases = [
        ("SELECT nextval('nope')", "42P01", 'ERROR:  relation "nope" does not exist'),
        ("CREATE SEQUENCE s INCREMENT 0", "22023", "ERROR:  INCREMENT must not be zero"),
        ("CREATE SEQUENCE s MINVALUE 10 MAXVALUE 5", "22023",
         "ERROR:  MINVALUE (10) must be less than MAXVALUE (5)"),
        ("CREATE SEQUENCE s START 0", "22023", "ERROR:  START value (0) cannot be less than MINVALUE (1)"),
        ("CREATE SEQUENCE s START 30 MAXVALUE 20", "22023",
         "ERROR:  START value (30) cannot be greater than MAXVALUE (20)"),
        ("CREATE SEQUENCE s CACHE 0", "22023", "ERROR:  CACHE (0) must be greater than zero"),
        ("CREATE SEQUENCE s AS smallint MAXVALUE 100000", "22023",
         "ERROR:  MAXVALUE (100000) is out of range for sequence data type smallint"),
        ("CREATE SEQUENCE s AS text", "22023", "ERROR:  sequence type must be smallint, integer, or bigint"),
        ("DROP SEQUENCE nope", "42P01", 'ERROR:  sequence "nope" does not exist'),
    ]
    for sql, code, msg in cases:
        assert err(conn, sql) == (code, msg), sql
    q(conn, "CREATE SEQUENCE s")
    conn.commit()
    assert err(conn, "CREATE SEQUENCE s") == ("42P07", 'ERROR:  relation "s" already exists')
    assert err(conn, "SELECT setval('s', 0)") == \
        ("22003", 'ERROR:  setval: value 0 is out of bounds for sequence "s" (1..9223372036854775807)')
    q(conn, "CREATE SEQUENCE IF NOT EXISTS s")
    assert conn.notices[-1].strip() == 'NOTICE:  relation "s" already exists, skipping'
    q(conn, "DROP SEQUENCE IF EXISTS nope")
    assert conn.notices[-1].strip() == 'NOTICE:  sequence "nope" does not exist, skipping'


def test_rollback_keeps_values_used(conn):
    q(conn, "CREATE SEQUENCE s")
    conn.commit()
    assert q(conn, "SELECT nextval('s'), nextval('s')") == [(1, 2)]
    conn.rollback()
    assert q(conn, "SELECT nextval('s')") == [(3,)]
    conn.commit()


def test_ddl_is_transactional(conn):
    q(conn, "CREATE SEQUENCE s")
    assert q(conn, "SELECT nextval('s')") == [(1,)]
    conn.rollback()
    assert err(conn, "SELECT nextval('s')")[0] == "42P01"
    q(conn, "CREATE SEQUENCE s")
    conn.commit()
    q(conn, "DROP SEQUENCE s")
    conn.rollback()
    assert q(conn, "SELECT nextval('s')") == [(1,)]
    conn.commit()


@pytest.mark.hcdb_only  # restart and kill -9 of hcdb's own data directory
@pytest.mark.parametrize("how", ["restart", "kill"])
def test_values_survive_restart(server_factory, how):
    srv = server_factory()
    c = srv.pg_connect()
    c.autocommit = True
    q(c, "CREATE SEQUENCE s")
    q(c, "CREATE TABLE seen (v bigint)")
    # created and used inside one transaction: its log record rides in that transaction
    q(c, "BEGIN; CREATE SEQUENCE s2; SELECT nextval('s2'); COMMIT")
    got = [r[0] for r in q(c, "SELECT nextval('s') FROM generate_series(1, 40)")]
    q(c, "BEGIN")
    got.append(q(c, "SELECT nextval('s')")[0][0])
    q(c, "ROLLBACK")
    c.close()
    if how == "kill":
        os.kill(srv.pid, signal.SIGKILL)
        srv.proc.wait(30)
    else:
        srv.stop()
    srv.start()
    c = srv.pg_connect()
    nxt = q(c, "SELECT nextval('s'), nextval('s2')")[0]
    assert nxt[0] > max(got), (got, nxt)
    assert nxt[1] > 1
    c.close()


def test_regclass_argument(conn):
    q(conn, "CREATE SEQUENCE s")
    assert q(conn, "SELECT nextval('s'::regclass), currval('public.s'::regclass), 's'::regclass::text") == \
        [(1, 1, "s")]
    assert q(conn, "SELECT setval('s'::regclass, 10, true), nextval('s')") == [(10, 11)]
    assert err(conn, "SELECT nextval('nope'::regclass)") == ("42P01", 'ERROR:  relation "nope" does not exist')


@pytest.fixture
def tconn(trust_server):
    c = trust_server.pg_connect()
    yield c
    c.rollback()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS ser, ser2")
    c.close()


def test_serial_columns(tconn):
    c = tconn
    q(c, "CREATE TABLE ser (id serial PRIMARY KEY, big bigserial, sm smallserial, v text)")
    ids = q(c, "INSERT INTO ser (v) VALUES ('a'), ('b') RETURNING id, big, sm")
    assert ids == [(1, 1, 1), (2, 2, 2)]
    assert q(c, "SELECT currval('ser_id_seq'), lastval()") == [(2, 2)]
    assert q(c, "SELECT column_default, is_nullable, data_type FROM information_schema.columns "
                "WHERE table_name = 'ser' AND column_name = 'id'") == \
        [("nextval('ser_id_seq'::regclass)", "NO", "integer")]
    c.commit()
    q(c, "INSERT INTO ser (v) VALUES ('rolled back')")
    c.rollback()
    assert q(c, "INSERT INTO ser (v) VALUES ('c') RETURNING id") == [(4,)]
    q(c, "DROP TABLE ser")
    assert err(c, "SELECT nextval('ser_id_seq')") == \
        ("42P01", 'ERROR:  relation "ser_id_seq" does not exist')
    assert err(c, "CREATE TABLE ser2 (id serial DEFAULT 1)") == \
        ("42601", 'ERROR:  multiple default values specified for column "id" of table "ser2"')


def test_serial_table_rollback_and_name_clash(tconn):
    c = tconn
    q(c, "CREATE TABLE ser (id serial)")
    c.rollback()
    assert err(c, "SELECT nextval('ser_id_seq')")[0] == "42P01"
    q(c, "CREATE SEQUENCE ser2_id_seq")
    q(c, "CREATE TABLE ser2 (id serial)")
    assert q(c, "INSERT INTO ser2 DEFAULT VALUES RETURNING id") == [(1,)]
    assert q(c, "SELECT nextval('ser2_id_seq1')") == [(2,)]
    q(c, "DROP TABLE ser2")
    assert q(c, "SELECT nextval('ser2_id_seq')") == [(1,)]  # not owned by the table: kept
    q(c, "DROP SEQUENCE ser2_id_seq")
    c.commit()


def test_identity_columns(tconn):
    c = tconn
    q(c, "CREATE TABLE ser (id int GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10), "
         "b bigint GENERATED BY DEFAULT AS IDENTITY, v text)")
    assert q(c, "INSERT INTO ser (v) VALUES ('a'), ('b') RETURNING id, b") == [(100, 1), (110, 2)]
    assert q(c, "INSERT INTO ser (b, v) VALUES (50, 'c') RETURNING id, b") == [(120, 50)]
    assert q(c, "INSERT INTO ser (id, v) OVERRIDING SYSTEM VALUE VALUES (7, 'd') RETURNING id") == [(7,)]
    assert q(c, "INSERT INTO ser (id, v) VALUES (DEFAULT, 'e') RETURNING id") == [(130,)]
    c.commit()
    with pytest.raises(psycopg2.Error) as e:
        q(c, "INSERT INTO ser (id, v) VALUES (1, 'x')")
    assert e.value.pgcode == "428C9"
    assert e.value.diag.message_primary == 'cannot insert a non-DEFAULT value into column "id"'
    assert e.value.diag.message_detail == 'Column "id" is an identity column defined as GENERATED ALWAYS.'
    assert e.value.diag.message_hint == "Use OVERRIDING SYSTEM VALUE to override."
    c.rollback()
    assert err(c, "INSERT INTO ser (id, v) SELECT 1, 'x'") == \
        ("428C9", 'ERROR:  cannot insert a non-DEFAULT value into column "id"')
    assert err(c, "UPDATE ser SET id = 5") == ("428C9", 'ERROR:  column "id" can only be updated to DEFAULT')
    assert err(c, "CREATE TABLE ser2 (id text GENERATED ALWAYS AS IDENTITY)") == \
        ("22023", "ERROR:  identity column type must be smallint, integer, or bigint")
    assert err(c, "CREATE TABLE ser2 (id int DEFAULT 1 GENERATED ALWAYS AS IDENTITY)") == \
        ("42601", 'ERROR:  both default and identity specified for column "id" of table "ser2"')


@pytest.mark.hcdb_only  # restart of hcdb's own data directory
def test_identity_survives_restart(server_factory):
    srv = server_factory()
    c = srv.pg_connect()
    c.autocommit = True
    q(c, "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, s serial)")
    q(c, "INSERT INTO t DEFAULT VALUES")
    c.close()
    srv.stop()
    srv.start()
    c = srv.pg_connect()
    assert err(c, "INSERT INTO t (id) VALUES (5)")[0] == "428C9"
    q(c, "INSERT INTO t DEFAULT VALUES")
    assert q(c, "SELECT id, s FROM t ORDER BY id")[0] == (1, 1)
    assert q(c, "SELECT count(*) FROM t")[0][0] == 2
    c.close()


def test_catalog_rows(trust_server, conn):
    q(conn, "CREATE SEQUENCE s AS integer INCREMENT 2 START 5 CACHE 3 CYCLE")
    conn.commit()
    assert q(conn, "SELECT relkind, relnamespace::regnamespace::text FROM pg_class WHERE relname = 's'") == \
        [("S", "public")]
    assert q(conn, "SELECT seqtypid::regtype::text, seqstart, seqincrement, seqmax, seqmin, seqcache, seqcycle "
                   "FROM pg_sequence WHERE seqrelid = 's'::regclass") == \
        [("integer", 5, 2, 2147483647, 1, 3, True)]
    # without CACHE: PostgreSQL's last_value counts the values a session cached
    q(conn, "CREATE SEQUENCE s2 AS integer INCREMENT 2 START 5")
    row = "SELECT data_type::text, start_value, last_value FROM pg_sequences WHERE sequencename = 's2'"
    assert q(conn, row) == [("integer", 5, None)]
    q(conn, "SELECT nextval('s2')")
    assert q(conn, row) == [("integer", 5, 5)]
    conn.commit()
    out = trust_server.psql("-c", r"\ds")
    assert out.returncode == 0, out.stderr
    assert "public|s|sequence|postgres" in out.stdout.splitlines(), out.stdout


def test_owned_sequence_and_temp(tconn):
    c = tconn
    q(c, "CREATE TABLE ser (id serial)")
    c.commit()
    with pytest.raises(psycopg2.Error) as e:
        q(c, "DROP SEQUENCE ser_id_seq")
    assert e.value.pgcode == "2BP01"
    assert e.value.diag.message_primary == "cannot drop sequence ser_id_seq because other objects depend on it"
    assert e.value.diag.message_detail == \
        "default value for column id of table ser depends on sequence ser_id_seq"
    c.rollback()


@pytest.mark.hcdb_only  # hcdb has no session-private relations yet; PostgreSQL makes one
def test_temp_sequence_refused(conn):
    assert err(conn, "CREATE TEMP SEQUENCE tmp_s") == \
        ("0A000", "ERROR:  CREATE TEMPORARY SEQUENCE is not supported yet")
