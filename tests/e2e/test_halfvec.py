"""pgvector's halfvec type over the wire: psql, psycopg2, a raw binary Bind and HNSW.

hcdb gives `halfvec` the fixed OID 16391; texts, errors and SQLSTATEs are
pgvector 0.8's. PostgreSQL 15 has no halfvec type, so these are hcdb_only.
"""
import random
import struct

import pytest

from pgwire import bind, describe, execute, parse, sync
from sqlerrors import assert_error

pytestmark = pytest.mark.hcdb_only

OID_HALFVEC = 16391

SETUP = """
CREATE TABLE hitems (id bigint PRIMARY KEY, embedding halfvec(3));
INSERT INTO hitems VALUES (1, '[1,2,3]'), (2, '[4,5,6]'), (3, '[1,1,1]');
"""


@pytest.fixture(scope="module")
def hitems(trust_server):
    r = trust_server.psql(sql=SETUP.replace("\n", " "))
    assert r.returncode == 0, r.stderr
    return trust_server


def psql_rows(srv, sql):
    r = srv.psql(sql=sql)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_text_form_is_the_half_value(hitems):
    # 0.1 is 0.0999755859375 in binary16; the output is its shortest float4 text.
    assert psql_rows(hitems, "SELECT '[0.1,0.2, 3 ]'::halfvec, '[65504,-65504,1e-9]'::halfvec") == [
        "[0.099975586,0.19995117,3]|[65504,-65504,0]"]
    # Round to nearest, ties to even: 2049 lies between 2048 and 2050, 2051 between 2050 and 2052.
    assert psql_rows(hitems, "SELECT '[2049,2051,65519]'::halfvec") == ["[2048,2052,65504]"]
    assert psql_rows(hitems, "SELECT embedding FROM hitems ORDER BY id") == ["[1,2,3]", "[4,5,6]", "[1,1,1]"]


def test_operators_and_functions(hitems):
    assert psql_rows(hitems, "SELECT '[1,2]'::halfvec <-> '[4,6]', '[1,2,3]'::halfvec <#> '[4,5,6]', "
                             "'[1,1]'::halfvec <=> '[-1,-1]', '[1,2,3]'::halfvec <+> '[4,5,6]'") == ["5|-32|2|9"]
    assert psql_rows(hitems, "SELECT l2_distance(embedding, '[1,2,4]'), inner_product(embedding, '[1,1,1]'), "
                             "cosine_distance(embedding, '[2,4,6]'), l1_distance(embedding, '[0,0,0]'), "
                             "vector_dims(embedding), l2_norm('[3,4]'::halfvec) "
                             "FROM hitems WHERE id = 1") == ["1|6|0|6|3|5"]
    assert psql_rows(hitems, "SELECT l2_normalize('[3,4]'::halfvec), subvector('[1,2,3,4]'::halfvec, 2, 2), "
                             "'[1,2]'::halfvec + '[3,4]', '[1,2]'::halfvec - '[3,5]', '[1,2]'::halfvec * '[3,4]'") == [
        "[0.60009766,0.7998047]|[2,3]|[4,6]|[-2,-3]|[3,8]"]
    assert psql_rows(hitems, "SELECT '[1,2]'::halfvec < '[1,3]', '[1,2]'::halfvec = '[1,2]'") == ["t|t"]
    assert psql_rows(hitems, "SELECT id FROM hitems ORDER BY embedding <-> '[3,1,2]' LIMIT 2") == ["3", "1"]


def test_casts(hitems):
    assert psql_rows(hitems, "SELECT '[1.5,2]'::vector::halfvec, '[0.1]'::halfvec::vector, "
                             "'{1,2}'::int[]::halfvec, '{1.5,2}'::real[]::halfvec(2), '{1.25}'::float8[]::halfvec, "
                             "'{2.5}'::numeric[]::halfvec, '[1,2.5]'::halfvec::real[]") == [
        "[1.5,2]|[0.099975586]|[1,2]|[1.5,2]|[1.25]|[2.5]|{1,2.5}"]
    # vector -> halfvec is implicit (pgvector declares it so): a vector fits a halfvec column.
    r = hitems.psql(sql="BEGIN; INSERT INTO hitems VALUES (60, '[7,8,9]'::vector); "
                        "SELECT embedding FROM hitems WHERE id = 60; ROLLBACK")
    assert r.returncode == 0, r.stderr
    assert "[7,8,9]" in r.stdout.splitlines()


@pytest.mark.parametrize("sql, state, message", [
    ("SELECT 'x'::halfvec", "22P02", 'invalid input syntax for type halfvec: "x"'),
    ("SELECT '[1,2'::halfvec", "22P02", 'invalid input syntax for type halfvec: "[1,2"'),
    ("SELECT '[]'::halfvec", "22000", "halfvec must have at least 1 dimension"),
    ("SELECT '[1,NaN]'::halfvec", "22000", "NaN not allowed in halfvec"),
    ("SELECT '[1,Infinity]'::halfvec", "22000", "infinite value not allowed in halfvec"),
    ("SELECT '[70000]'::halfvec", "22003", '"70000" is out of range for type halfvec'),
    ("SELECT '[-65520]'::halfvec", "22003", '"-65520" is out of range for type halfvec'),
    ("SELECT '[1e39]'::halfvec", "22003", '"1e39" is out of range for type halfvec'),
    ("SELECT '[1e6]'::vector::halfvec", "22003", '"1e+06" is out of range for type halfvec'),
    ("SELECT '{100000}'::real[]::halfvec", "22003", '"100000" is out of range for type halfvec'),
    ("SELECT '{NaN}'::float8[]::halfvec", "22000", "NaN not allowed in halfvec"),
    ("SELECT '[1,2,3]'::halfvec(2)", "22000", "expected 2 dimensions, not 3"),
    ("INSERT INTO hitems VALUES (9, '[1,2,3,4]')", "22000", "expected 3 dimensions, not 4"),
    ("SELECT '[1,2,3]'::halfvec <-> '[1,2,3,4]'", "22000", "different halfvec dimensions 3 and 4"),
    ("SELECT '[60000]'::halfvec + '[60000]'", "22003", "value out of range: overflow"),
    ("SELECT '[0.0001]'::halfvec * '[0.0001]'", "22003", "value out of range: underflow"),
    ("SELECT subvector('[1,2]'::halfvec, 3, 1)", "22000", "halfvec must have at least 1 dimension"),
    ("CREATE TABLE hbig (v halfvec(16001))", "22023", "dimensions for type halfvec cannot exceed 16000"),
    ("CREATE TABLE hbig (v halfvec(0))", "22023", "dimensions for type halfvec must be at least 1"),
])
def test_errors(hitems, sql, state, message):
    assert_error(hitems, sql, state, message)


def test_catalog(hitems):
    assert psql_rows(hitems, "SELECT oid, typname FROM pg_type WHERE typname = 'halfvec'") == [f"{OID_HALFVEC}|halfvec"]
    assert psql_rows(hitems, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                             "WHERE attrelid = 'hitems'::regclass AND attname = 'embedding'") == ["halfvec(3)"]
    assert psql_rows(hitems, "SELECT data_type, udt_name FROM information_schema.columns "
                             "WHERE table_name = 'hitems' AND column_name = 'embedding'") == ["USER-DEFINED|halfvec"]


def test_psycopg2_round_trip(hitems):
    conn = hitems.pg_connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT embedding FROM hitems WHERE id = 2")
        assert cur.fetchone() == ("[4,5,6]",)
        assert cur.description[0].type_code == OID_HALFVEC
        cur.execute("INSERT INTO hitems VALUES (%s, %s)", (7, "[0.5,0.25,0.1]"))
        cur.execute("SELECT embedding, embedding <-> %s FROM hitems WHERE id = 7", ("[0.5,0.25,0.1]",))
        assert cur.fetchone() == ("[0.5,0.25,0.099975586]", 0.0)
        conn.rollback()
    finally:
        conn.close()


def test_binary_round_trip(hitems):
    """pgvector's halfvec binary form: int16 dim, int16 0, binary16 big-endian."""
    payload = bytes.fromhex("00020000" "3c00" "4000")  # [1,2], as halfvec_send prints it
    c = hitems.connect_raw()
    try:
        c.send(parse("SELECT $1::halfvec AS v, $1::halfvec::vector AS w", param_types=(OID_HALFVEC,))
               + bind([payload], param_formats=(1,), result_formats=(1, 1))
               + describe("P") + execute() + sync())
        res = c.recv_result()
        assert not res.errors, res.errors
        assert res.rows == [[payload, struct.pack("!hh2f", 2, 0, 1.0, 2.0)]]
        assert res.columns[0][0]["type_oid"] == OID_HALFVEC
        for bad, state, message in [
            (bytes.fromhex("00010007" "3c00"), "22000", "expected unused to be 0, not 7"),
            (bytes.fromhex("00010000" "7e00"), "22000", "NaN not allowed in halfvec"),
            (bytes.fromhex("00010000" "7c00"), "22000", "infinite value not allowed in halfvec"),
            (bytes.fromhex("00000000"), "22000", "halfvec must have at least 1 dimension"),
        ]:
            c.send(parse("SELECT $1::halfvec", param_types=(OID_HALFVEC,)) + bind([bad], param_formats=(1,))
                   + execute() + sync())
            res = c.recv_result()
            assert res.errors and res.errors[0]["C"] == state, (bad, res.errors)
            assert res.errors[0]["M"] == message
    finally:
        c.close()


def exact_ids(srv, table, op, q, k):
    """The ids of the k nearest rows by an exact scan (no index on `table`)."""
    return psql_rows(srv, f"SELECT id FROM {table} ORDER BY v {op} '{q}', id LIMIT {k}")


@pytest.mark.parametrize("opclass, op", [
    ("halfvec_l2_ops", "<->"), ("halfvec_ip_ops", "<#>"), ("halfvec_cosine_ops", "<=>"), ("halfvec_l1_ops", "<+>"),
])
def test_hnsw_matches_exact_scan(hitems, opclass, op):
    rnd = random.Random(opclass)
    rows = ", ".join(f"({i}, '[{','.join(f'{rnd.uniform(-1, 1):.3f}' for _ in range(8))}]')" for i in range(300))
    table = "h_" + opclass
    r = hitems.psql(sql=f"CREATE TABLE {table} (id int, v halfvec(8)); INSERT INTO {table} VALUES {rows}; "
                        f"CREATE TABLE {table}_x AS SELECT * FROM {table}")
    assert r.returncode == 0, r.stderr
    # One build thread: the graph is the same on every run.
    r = hitems.psql(sql=f"SET max_parallel_maintenance_workers = 0; CREATE INDEX ON {table} USING hnsw (v {opclass})")
    assert r.returncode == 0, r.stderr
    q = "[" + ",".join(f"{rnd.uniform(-1, 1):.3f}" for _ in range(8)) + "]"
    plan = "\n".join(psql_rows(hitems, f"EXPLAIN SELECT id FROM {table} ORDER BY v {op} '{q}' LIMIT 5"))
    assert "Index Scan using" in plan
    # With 300 rows and ef_search 100 the graph search finds the exact top 5.
    got = psql_rows(hitems, f"SET hnsw.ef_search = 100; SELECT id FROM {table} ORDER BY v {op} '{q}' LIMIT 5")
    assert got[-5:] == exact_ids(hitems, table + "_x", op, q, 5)
    assert_error(hitems, f"SELECT id FROM {table} ORDER BY v {op} '[1,2]' LIMIT 5", "22000",
                 "different halfvec dimensions 8 and 2")


def test_hnsw_opclass_type_checks(hitems):
    assert_error(hitems, "CREATE INDEX ON hitems USING hnsw (embedding vector_l2_ops)", "42804",
                 'operator class "vector_l2_ops" does not accept data type halfvec')
    r = hitems.psql(sql="CREATE TABLE hv_only (v vector(3))")
    assert r.returncode == 0, r.stderr
    assert_error(hitems, "CREATE INDEX ON hv_only USING hnsw (v halfvec_l2_ops)", "42804",
                 'operator class "halfvec_l2_ops" does not accept data type vector')


def test_sum_and_avg(hitems):
    assert psql_rows(hitems, "SELECT g, sum(e), avg(e) FROM (VALUES (1, '[1,2,3]'::halfvec), (1, '[4,5,6]'), "
                             "(2, '[1,1,1]'), (2, NULL)) t(g, e) GROUP BY g ORDER BY g") == [
        "1|[5,7,9]|[2.5,3.5,4.5]", "2|[1,1,1]|[1,1,1]"]
    # The float8 average rounded to binary16: 5/3 is 1.6669922 as a half.
    assert psql_rows(hitems, "SELECT avg(e) FROM (VALUES ('[1,2]'::halfvec), ('[2,2]'), ('[2,3]')) t(e)") == [
        "[1.6669922,2.3339844]"]
    assert psql_rows(hitems, "SELECT avg(e) FROM (VALUES ('[60000]'::halfvec), ('[60000]')) t(e)") == ["[60000]"]
    assert_error(hitems, "SELECT sum(e) FROM (VALUES ('[60000]'::halfvec), ('[60000]')) t(e)", "22003",
                 "value out of range: overflow")
    assert_error(hitems, "SELECT avg(e) FROM (VALUES ('[1,2,3]'::halfvec), ('[1,2]')) t(e)", "22000",
                 "expected 3 dimensions, not 2")
