"""pgvector's vector type over the wire: psql, psycopg2 and a raw binary Bind.

hcdb gives `vector` the fixed OID 16385; texts, errors and SQLSTATEs are
pgvector 0.8's. PostgreSQL 15 has no vector type, so these are hcdb_only.
"""
import struct

import pytest

from pgwire import bind, describe, execute, parse, sync
from sqlerrors import assert_error

pytestmark = pytest.mark.hcdb_only

OID_VECTOR = 16385

SETUP = """
CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3));
INSERT INTO items VALUES (1, '[1,2,3]'), (2, '[4,5,6]'), (3, '[1,1,1]');
"""


@pytest.fixture(scope="module")
def items(trust_server):
    r = trust_server.psql(sql=SETUP.replace("\n", " "))
    assert r.returncode == 0, r.stderr
    return trust_server


def psql_rows(srv, sql):
    r = srv.psql(sql=sql)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_psql_readme_block(items):
    assert psql_rows(items, "SELECT '[1,2,3]'::vector <-> '[4,5,6]'::vector") == ["5.196152422706632"]
    assert psql_rows(items, "SELECT id FROM items ORDER BY embedding <-> '[3,1,2]' LIMIT 2") == ["3", "1"]
    assert psql_rows(items, "SELECT id, embedding <=> '[1,1,1]' AS d FROM items ORDER BY d LIMIT 1") == ["3|0"]
    assert psql_rows(items, "SELECT embedding FROM items ORDER BY id") == ["[1,2,3]", "[4,5,6]", "[1,1,1]"]


def test_psql_text_forms_and_functions(items):
    assert psql_rows(items, "SELECT '[ 1 , 2.5e0 ,3]'::vector, '[0.1,2.5]'::vector") == ["[1,2.5,3]|[0.1,2.5]"]
    assert psql_rows(items, "SELECT '[1,2,3]'::vector <#> '[4,5,6]', '[1,2,3]'::vector <+> '[4,5,6]', "
                            "vector_dims(embedding), vector_norm('[3,4]'), l2_normalize('[3,4]'::vector) "
                            "FROM items WHERE id = 1") == ["-32|9|3|5|[0.6,0.8]"]
    assert psql_rows(items, "SELECT inner_product('[1,2,3]'::vector, '[4,5,6]'), l1_distance('[1,2,3]'::vector, '[4,5,6]'), "
                            "'[1,2,3]'::vector + '[4,5,6]'") == ["32|9|[5,7,9]"]


@pytest.mark.parametrize("sql, state, message", [
    ("SELECT 'x'::vector", "22P02", 'invalid input syntax for type vector: "x"'),
    ("SELECT '[1,2'::vector", "22P02", 'invalid input syntax for type vector: "[1,2"'),
    ("SELECT '[]'::vector", "22000", "vector must have at least 1 dimension"),
    ("SELECT '[1,NaN]'::vector", "22000", "NaN not allowed in vector"),
    ("SELECT '[1,Infinity]'::vector", "22000", "infinite value not allowed in vector"),
    ("SELECT '[1,2,3]'::vector(2)", "22000", "expected 2 dimensions, not 3"),
    ("INSERT INTO items VALUES (9, '[1,2,3,4]')", "22000", "expected 3 dimensions, not 4"),
    ("SELECT '[1,2,3]'::vector <-> '[1,2,3,4]'", "22000", "different vector dimensions 3 and 4"),
    ("CREATE TABLE big (v vector(16001))", "22023", "dimensions for type vector cannot exceed 16000"),
])
def test_psycopg2_errors(items, sql, state, message):
    assert_error(items, sql, state, message)


def test_psycopg2_parameters_and_oid(items):
    conn = items.pg_connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT id, embedding <-> %s AS d FROM items ORDER BY d LIMIT 2", ("[3,1,2]",))
        assert [r[0] for r in cur.fetchall()] == [3, 1]
        assert cur.description[1].type_code == 701
        cur.execute("SELECT embedding FROM items WHERE id = 2")
        assert cur.fetchone() == ("[4,5,6]",)
        assert cur.description[0].type_code == OID_VECTOR
        cur.execute("INSERT INTO items VALUES (%s, %s)", (7, "[7,8,9]"))
        cur.execute("SELECT embedding FROM items WHERE id = 7")
        assert cur.fetchone() == ("[7,8,9]",)
        conn.rollback()
    finally:
        conn.close()


def test_binary_round_trip(items):
    """pgvector's binary form: int16 dim, int16 0, float4 big-endian."""
    payload = struct.pack("!hh3f", 3, 0, 1.0, 2.0, -0.5)
    assert payload.hex() == "000300003f80000040000000bf000000"
    c = items.connect_raw()
    try:
        c.send(parse("SELECT $1::vector AS v", param_types=(OID_VECTOR,))
               + bind([payload], param_formats=(1,), result_formats=(1,))
               + describe("P") + execute() + sync())
        res = c.recv_result()
        assert not res.errors, res.errors
        assert res.rows == [[payload]]
        assert res.columns[0][0]["type_oid"] == OID_VECTOR
        bad = struct.pack("!hh1f", 1, 7, 1.0)
        c.send(parse("SELECT $1::vector") + bind([bad], param_formats=(1,)) + execute() + sync())
        res = c.recv_result()
        assert res.errors and res.errors[0]["C"] == "22000"
        assert res.errors[0]["M"] == "expected unused to be 0, not 7"
    finally:
        c.close()


def test_copy_text(items):
    r = items.psql("-c", "CREATE TABLE cv (id int, v vector(2))",
                   "-c", "\\copy cv from stdin", "-c", "SELECT id, v FROM cv ORDER BY id",
                   input="1\t[1.5,2]\n2\t\\N\n\\.\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-2:] == ["1|[1.5,2]", "2|"]


def test_subvector(items):
    assert psql_rows(items, "SELECT subvector('[1,2,3,4,5]'::vector, 2, 3), subvector('[1,2,3]'::vector, 0, 2), "
                            "subvector('[1,2,3]'::vector, 2, 99)") == ["[2,3,4]|[1]|[2,3]"]
    for sql in ("SELECT subvector('[1,2,3]'::vector, 4, 1)", "SELECT subvector('[1,2,3]'::vector, 1, 0)",
                "SELECT subvector('[1,2,3]'::vector, -5, 3)"):
        assert_error(items, sql, "22000", "vector must have at least 1 dimension")


def test_sum_and_avg(items):
    assert psql_rows(items, "SELECT g, sum(e), avg(e) FROM (VALUES (1, '[1,2,3]'::vector), (1, '[4,5,6]'), "
                            "(2, '[1,1,1]'), (2, NULL)) t(g, e) GROUP BY g ORDER BY g") == [
        "1|[5,7,9]|[2.5,3.5,4.5]", "2|[1,1,1]|[1,1,1]"]
    assert psql_rows(items, "SELECT avg(e) FROM (VALUES ('[1,2]'::vector), ('[2,2]'), ('[2,3]')) t(e)") == [
        "[1.6666666,2.3333333]"]
    assert psql_rows(items, "SELECT sum(embedding) IS NULL, avg(embedding) IS NULL FROM items WHERE false") == ["t|t"]
    assert_error(items, "SELECT avg(e) FROM (VALUES ('[1,2,3]'::vector), ('[1,2]')) t(e)", "22000",
                 "expected 3 dimensions, not 2")
    assert_error(items, "SELECT sum(e) FROM (VALUES ('[1,2,3]'::vector), ('[1,2]')) t(e)", "22000",
                 "different vector dimensions 3 and 2")
    assert_error(items, "SELECT sum(e) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(e)", "22003",
                 "value out of range: overflow")


def test_casts_with_arrays(items):
    assert psql_rows(items, "SELECT '{1,2,3}'::int[]::vector, '{1.5,2}'::real[]::vector, "
                            "'{1.25,2}'::float8[]::vector, '{1.5,2}'::numeric[]::vector, "
                            "'[1,2.5]'::vector::real[]") == ["[1,2,3]|[1.5,2]|[1.25,2]|[1.5,2]|{1,2.5}"]
    assert psql_rows(items, "SELECT '{7,8,9}'::int[]::vector(3)") == ["[7,8,9]"]
    for sql, state, message in [
        ("SELECT '{1,2,3}'::int[]::vector(2)", "22000", "expected 2 dimensions, not 3"),
        ("SELECT '{1,NULL}'::int[]::vector", "22004", "array must not contain nulls"),
        ("SELECT '{}'::int[]::vector", "22000", "vector must have at least 1 dimension"),
        ("SELECT '{NaN}'::float8[]::vector", "22000", "NaN not allowed in vector"),
        ("SELECT '{1e300}'::float8[]::vector", "22000", "infinite value not allowed in vector"),
    ]:
        assert_error(items, sql, state, message)
    r = items.psql(sql="BEGIN; INSERT INTO items VALUES (50, '{3,2,1}'::int[]); "
                       "SELECT embedding::real[] FROM items WHERE id = 50; ROLLBACK")
    assert r.returncode == 0, r.stderr
    assert "{3,2,1}" in r.stdout.splitlines()
