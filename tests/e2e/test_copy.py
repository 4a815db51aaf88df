"""COPY over the wire with psycopg2: FROM STDIN (text, csv), TO STDOUT, bad rows, CopyFail."""
import io

import psycopg2
import pytest


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS copy_t")
    cur.execute("CREATE TABLE copy_t (id int PRIMARY KEY, name text, score float8)")
    yield c
    c.close()


def rows(conn):
    cur = conn.cursor()
    cur.execute("SELECT id, name, score FROM copy_t ORDER BY id")
    return cur.fetchall()


def test_copy_from_stdin_text(conn):
    cur = conn.cursor()
    cur.copy_expert("COPY copy_t FROM STDIN", io.StringIO("1\tone\t1.5\n2\t\\N\t2\n3\ttab\\there\t-0.25\n"))
    assert cur.rowcount == 3
    assert rows(conn) == [(1, "one", 1.5), (2, None, 2.0), (3, "tab\there", -0.25)]


def test_copy_from_stdin_csv_with_header(conn):
    cur = conn.cursor()
    data = 'id,name,score\n1,"a, b",1\n2,"say ""hi""",2\n'
    cur.copy_expert("COPY copy_t (id, name, score) FROM STDIN WITH (FORMAT csv, HEADER true)", io.StringIO(data))
    assert rows(conn) == [(1, "a, b", 1.0), (2, 'say "hi"', 2.0)]


def test_copy_bad_row_keeps_nothing_and_session_goes_on(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation) as e:
        cur.copy_expert("COPY copy_t FROM STDIN", io.StringIO("1\tok\t1\nx\tbad\t2\n"))
    assert e.value.pgcode == "22P02"
    assert rows(conn) == []
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_copy_fail_from_client_is_57014(conn):
    class Exploding(io.StringIO):
        def read(self, *a):
            raise RuntimeError("client gave up")
    cur = conn.cursor()
    with pytest.raises(Exception):
        cur.copy_expert("COPY copy_t FROM STDIN", Exploding("1\ta\t1\n"))
    assert rows(conn) == []
    cur.execute("SELECT 2")
    assert cur.fetchone() == (2,)


def test_copy_query_to_stdout(conn):
    cur = conn.cursor()
    cur.execute("INSERT INTO copy_t VALUES (1, 'x', 0.5), (2, NULL, 3)")
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT id, name, score FROM copy_t ORDER BY id) TO STDOUT", out)
    assert out.getvalue() == "1\tx\t0.5\n2\t\\N\t3\n"
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT id, name FROM copy_t ORDER BY id) TO STDOUT WITH (FORMAT csv)", out)
    assert out.getvalue() == "1,x\n2,\n"
