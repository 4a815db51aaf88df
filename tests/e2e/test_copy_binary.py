"""COPY ... FROM STDIN (FORMAT binary): PostgreSQL's binary copy format through psycopg2,
with the type's binary receive form per field (int4, text, float8, NULL, vector), and
PostgreSQL's errors for a bad signature, a wrong field count and truncated data."""
import io
import struct

import psycopg2
import pytest

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)


def field(b):
    return struct.pack("!i", -1) if b is None else struct.pack("!i", len(b)) + b


def row(*fields):
    return struct.pack("!h", len(fields)) + b"".join(field(f) for f in fields)


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    c.cursor().execute("DROP TABLE IF EXISTS cb; CREATE TABLE cb (id int, name text, x float8)")
    c.commit()
    yield c
    c.close()


def test_rows_and_nulls(conn):
    data = SIGNATURE + row(struct.pack("!i", 1), b"one", struct.pack("!d", 1.5)) \
        + row(struct.pack("!i", 2), None, None) + TRAILER
    cur = conn.cursor()
    cur.copy_expert("COPY cb FROM STDIN (FORMAT binary)", io.BytesIO(data))
    assert cur.rowcount == 2
    cur.execute("SELECT id, name, x FROM cb ORDER BY id")
    assert cur.fetchall() == [(1, "one", 1.5), (2, None, None)]


@pytest.mark.hcdb_only
def test_vector_column(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE cbv (id int, v vector(2))")
    vec = struct.pack("!hhff", 2, 0, 1.0, -2.5)
    cur.copy_expert("COPY cbv (id, v) FROM STDIN WITH (FORMAT binary)",
                    io.BytesIO(SIGNATURE + row(struct.pack("!i", 7), vec) + TRAILER))
    cur.execute("SELECT id, v::text FROM cbv")
    assert cur.fetchall() == [(7, "[1,-2.5]")]
    conn.rollback()


@pytest.mark.parametrize("data, message", [
    (b"PGCOPY\n\xff\r\n\x01" + bytes(8) + TRAILER, "COPY file signature not recognized"),
    (SIGNATURE + row(struct.pack("!i", 1)) + TRAILER, "row field count is 1, expected 3"),
    (SIGNATURE + row(struct.pack("!i", 1), b"x", struct.pack("!d", 1.0))[:-3], "unexpected EOF in COPY data"),
])
def test_bad_data(conn, data, message):
    cur = conn.cursor()
    with pytest.raises(psycopg2.Error) as e:
        cur.copy_expert("COPY cb FROM STDIN (FORMAT binary)", io.BytesIO(data))
    assert e.value.pgcode == "22P04"
    assert e.value.pgerror.splitlines()[0] == "ERROR:  " + message
    conn.rollback()
    cur.execute("SELECT count(*) FROM cb")
    assert cur.fetchone() == (0,)
