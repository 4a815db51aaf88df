"""bit(n) / bit varying(n) as PostgreSQL 15 has them, and pgvector's binary
quantization on top: binary_quantize, <~> (Hamming), <%> (Jaccard), an HNSW
index with bit_hamming_ops, and the quantize-then-re-rank query pattern.

The bit type's texts and errors are PostgreSQL's; binary_quantize and the
distances are pgvector's (absent from plain PostgreSQL), hence hcdb_only.
"""
import random

import pytest

from pgwire import bind, describe, execute, parse, sync
from sqlerrors import assert_error

pytestmark = pytest.mark.hcdb_only

OID_BIT, OID_VARBIT = 1560, 1562
DIM = 24


def psql_rows(srv, sql):
    r = srv.psql(sql=sql)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_literals_and_casts(trust_server):
    assert psql_rows(trust_server, "SELECT B'1010', X'1F', '101'::bit(3), '101'::bit, '10101'::varbit, "
                                   "'10101'::bit varying(2), X'F0'::bit(4), B'1'::bit(3)") == [
        "1010|00011111|101|1|10101|10|1111|100"]


def test_columns_and_typmods(trust_server):
    srv = trust_server
    r = srv.psql(sql="CREATE TABLE bits (a bit, b bit(3), c varbit(4), d bit varying)")
    assert r.returncode == 0, r.stderr
    assert psql_rows(srv, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                          "WHERE attrelid = 'bits'::regclass ORDER BY attnum") == [
        "bit(1)", "bit(3)", "bit varying(4)", "bit varying"]
    assert psql_rows(srv, "INSERT INTO bits VALUES ('1', '101', '10', '1111111')") == ["INSERT 0 1"]
    assert psql_rows(srv, "SELECT a, b, c, d FROM bits") == ["1|101|10|1111111"]
    assert psql_rows(srv, "SELECT oid, typname FROM pg_type WHERE typname IN ('bit', 'varbit') ORDER BY oid") == [
        "1560|bit", "1562|varbit"]


@pytest.mark.parametrize("sql, state, message", [
    ("SELECT '102'::bit(3)", "22P02", '"2" is not a valid binary digit'),
    ("SELECT B'1'::bit(3) <~> 'x1G'", "22P02", '"G" is not a valid hexadecimal digit'),
    ("SELECT 'abc'::varbit", "22P02", '"a" is not a valid binary digit'),
    ("INSERT INTO bits (b) VALUES ('10')", "22026", "bit string length 2 does not match type bit(3)"),
    ("INSERT INTO bits (c) VALUES ('10101')", "22001", "bit string too long for type bit varying(4)"),
    ("CREATE TABLE bz (b bit(0))", "22023", "length for type bit must be at least 1"),
    ("SELECT B'10' <~> B'101'", "22000", "different bit lengths 2 and 3"),
    ("SELECT jaccard_distance(B'10', B'101')", "22000", "different bit lengths 2 and 3"),
])
def test_errors(trust_server, sql, state, message):
    trust_server.psql(sql="CREATE TABLE IF NOT EXISTS bits (a bit, b bit(3), c varbit(4), d bit varying)")
    assert_error(trust_server, sql, state, message)


def test_quantize_and_distances(trust_server):
    assert psql_rows(trust_server, "SELECT binary_quantize('[1,-2,3,0]'::vector), "
                                   "binary_quantize('[1,-2,3]'::halfvec), "
                                   "binary_quantize('[1,-2,3]'::vector)::bit(2)") == ["1010|101|10"]
    assert psql_rows(trust_server, "SELECT B'1100' <~> B'1010', hamming_distance(B'1111', B'0000'), "
                                   "B'1100' <%> B'1010', jaccard_distance(B'0000', B'0000'), "
                                   "jaccard_distance(B'1100', B'1100')") == ["2|4|0.6666666666666667|1|0"]


def test_binary_send_and_recv(trust_server):
    c = trust_server.connect_raw()
    try:
        c.send(parse("SELECT $1::bit(3) AS b, $2::varbit AS v", param_types=(OID_BIT, OID_VARBIT))
               # 3 bits 111 with the pad bits set (cleared on receive), 11 bits of ones
               + bind([bytes.fromhex("00000003ff"), bytes.fromhex("0000000bffe0")], param_formats=(1, 1),
                      result_formats=(1, 0))
               + describe("P") + execute() + sync())
        res = c.recv_result()
        assert not res.errors, res.errors
        assert res.rows == [[bytes.fromhex("00000003e0"), b"11111111111"]]
        assert [col["type_oid"] for col in res.columns[0]] == [OID_BIT, OID_VARBIT]
        c.send(parse("SELECT $1::varbit", param_types=(OID_VARBIT,)) + bind([bytes.fromhex("ffffffff")],
                                                                             param_formats=(1,)) + execute() + sync())
        res = c.recv_result()
        assert res.errors and res.errors[0]["C"] == "22P03"
        assert res.errors[0]["M"] == "invalid length in external bit string"
    finally:
        c.close()


def vec(i):
    rnd = random.Random(i)
    return [rnd.randint(-9, 9) for _ in range(DIM)]


@pytest.fixture(scope="module")
def quantized(trust_server):
    rows = ", ".join(f"({i}, '{vec(i)}')".replace(" ", "") for i in range(1, 301))
    r = trust_server.psql(sql=f"CREATE TABLE qitems (id int, v vector({DIM}), q bit({DIM})); "
                              f"INSERT INTO qitems (id, v) VALUES {rows}; "
                              f"UPDATE qitems SET q = binary_quantize(v)::bit({DIM}); "
                              f"CREATE TABLE qexact AS SELECT * FROM qitems")
    assert r.returncode == 0, r.stderr
    return trust_server


def test_hnsw_bit_hamming_ops(quantized):
    srv = quantized
    # One build thread: the graph is the same on every run.
    r = srv.psql(sql="SET max_parallel_maintenance_workers = 0; CREATE INDEX qidx ON qitems USING hnsw (q bit_hamming_ops)")
    assert r.returncode == 0, r.stderr
    plan = "\n".join(psql_rows(srv, f"EXPLAIN SELECT id FROM qitems ORDER BY q <~> B'{'10' * (DIM // 2)}' LIMIT 5"))
    assert "Index Scan using qidx" in plan
    rnd = random.Random(7)
    for _ in range(5):
        q = "".join(rnd.choice("01") for _ in range(DIM))
        # The distances of the 10 nearest (ids may differ among equal distances).
        got = psql_rows(srv, f"SET hnsw.ef_search = 100; SELECT q <~> B'{q}' FROM qitems "
                             f"ORDER BY q <~> B'{q}' LIMIT 10")[-10:]
        want = psql_rows(srv, f"SELECT q <~> B'{q}' FROM qexact ORDER BY q <~> B'{q}' LIMIT 10")
        assert got == want
    ones = "1" * DIM
    r = srv.psql(sql=f"DELETE FROM qitems WHERE q <~> B'{ones}' = 0; INSERT INTO qitems VALUES (999, NULL, B'{ones}')")
    assert r.returncode == 0, r.stderr
    assert psql_rows(srv, f"SELECT id, q <~> B'{ones}' FROM qitems ORDER BY q <~> B'{ones}' LIMIT 1") == ["999|0"]
    assert_error(srv, "SELECT id FROM qitems ORDER BY q <~> B'101' LIMIT 5", "22000",
                 f"different bit lengths {DIM} and 3")
    assert_error(srv, "CREATE INDEX ON qitems USING hnsw (v bit_hamming_ops)", "42804",
                 'operator class "bit_hamming_ops" does not accept data type vector')


def test_quantize_then_rerank(quantized):
    """pgvector's README pattern: a Hamming search over the quantized vectors, re-ranked by the real distance."""
    q = vec(1)  # the quantized neighbourhood of row 1 holds row 1 itself, at distance 0
    sql = (f"SELECT id, v <=> '{q}' FROM (SELECT * FROM qexact ORDER BY binary_quantize(v)::bit({DIM}) <~> "
           f"binary_quantize('{q}'::vector) LIMIT 20) t ORDER BY v <=> '{q}', id LIMIT 5").replace(", ", ",")
    got = psql_rows(quantized, sql)
    assert len(got) == 5 and got[0] == "1|0"
    dists = [float(r.split("|")[1]) for r in got]
    assert dists == sorted(dists)
