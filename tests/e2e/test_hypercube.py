"""The hypercube 4-D point type and the codepoint functions over the wire.

`hypercube` has the fixed OID 16390 (PostgreSQL 15 has no such type, so these
tests are hcdb_only). Atoms lie on the sphere of radius 0.5 around the centre
(0.5, 0.5, 0.5, 0.5); 'A' is the reference's unit-sphere point
(-0.0373825, 0.0232951, -0.2477166, 0.9678308) mapped by (v + 1) / 2.
"""
import math
import struct

import psycopg2
import pytest

from pgwire import bind, describe, execute, parse, sync

pytestmark = pytest.mark.hcdb_only

OID_HYPERCUBE = 16390
A_POINT = (0.48130875858885125, 0.5116475333069512, 0.3761416843914945, 0.9839153749541313)
CENTRE = "(0.5, 0.5, 0.5, 0.5)"


def psql_rows(srv, sql, timeout=60):
    r = srv.psql(sql=sql, timeout=timeout)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def point(text):
    assert text[0] == "(" and text[-1] == ")", text
    return tuple(float(v) for v in text[1:-1].split(","))


def test_map_codepoint_matches_the_reference(trust_server):
    (row,) = psql_rows(trust_server, "SELECT hc_map_codepoint(65)")
    p = point(row)
    assert p == A_POINT
    # the reference's float32 test vector, to its printed precision
    for got, ref in zip(p, (-0.0373825, 0.0232951, -0.2477166, 0.9678308)):
        assert abs((got * 2 - 1) - ref) < 1e-6
    # on the sphere of radius 0.5 around the centre
    assert abs(math.dist(p, (0.5,) * 4) - 0.5) < 1e-12
    assert psql_rows(trust_server, "SELECT ST_AsText(hc_map_codepoint(65))") == [
        "POINT ZM (%r %r %r %r)" % A_POINT]
    assert psql_rows(trust_server, "SELECT ST_X(hc_map_codepoint(65)), ST_Y(hc_map_codepoint(65)), "
                                   "ST_Z(hc_map_codepoint(65)), ST_M(hc_map_codepoint(65))") == [
        "|".join(repr(v) for v in A_POINT)]
    (far,) = psql_rows(trust_server, "SELECT hc_map_codepoint(32768)")
    assert abs(math.dist(point(far), (0.5,) * 4) - 0.5) < 1e-12


def test_reverse_mapping(trust_server):
    assert psql_rows(trust_server, "SELECT hc_codepoint_from_coords(hc_map_codepoint(65)), "
                                   "hc_codepoint_from_coords(%r, %r, %r, %r)" % A_POINT) == ["65|65"]
    # the centre: whatever atom is nearest, no other atom is nearer
    (cp,) = psql_rows(trust_server, "SELECT hc_codepoint_from_coords(0.5, 0.5, 0.5, 0.5)")
    rows = psql_rows(trust_server, f"SELECT count(*) FROM generate_series(0, 1114111) c "
                                   f"WHERE (c < 55296 OR c > 57343) AND hc_map_codepoint(c) <-> '{CENTRE}' < "
                                   f"hc_map_codepoint({cp}) <-> '{CENTRE}'")
    assert rows == ["0"]


@pytest.mark.slow
def test_every_character_round_trips(trust_server):
    rows = psql_rows(trust_server, "SELECT count(*) FROM generate_series(0, 1114111) c "
                                   "WHERE (c < 55296 OR c > 57343) "
                                   "AND hc_codepoint_from_coords(hc_map_codepoint(c)) = c",
                     timeout=300)  # 2.2M calls: about 15 s alone, far more on a busy machine
    assert rows == ["1112064"]


def test_generate_series_inside_the_call(trust_server):
    rows = psql_rows(trust_server, "SELECT hc_map_codepoint(generate_series(1, 10000))")
    assert len(rows) == 10000
    assert rows[64] == "(%r, %r, %r, %r)" % A_POINT
    assert psql_rows(trust_server, "SELECT ST_X(hc_map_codepoint(generate_series(64, 66))), "
                                   "generate_series(1, 2)") == [
        psql_rows(trust_server, "SELECT ST_X(hc_map_codepoint(64))")[0] + "|1",
        repr(A_POINT[0]) + "|2",
        psql_rows(trust_server, "SELECT ST_X(hc_map_codepoint(66))")[0] + "|"]
    # a scan over any integers maps surrogates to the reference's reserved point
    assert psql_rows(trust_server, "SELECT hc_map_codepoint(55296), hc_categorize(55296)") == [
        "(1, 0.5, 0.5, 0.5)|surrogate"]
    assert psql_rows(trust_server, "SELECT count(*) FROM generate_series(1, 100000) c "
                                   "WHERE hc_map_codepoint(c) IS NOT NULL") == ["100000"]


def test_distances_and_accessors(trust_server):
    assert psql_rows(trust_server, "SELECT ST_Distance(ST_MakePoint(0, 0, 0, 0), ST_MakePoint(1, 1, 1, 1)), "
                                   "'(0,0,0,0)'::hypercube <-> '(1,1,1,1)', "
                                   "'(0,0,0,0)'::hypercube <<->> '(0,0,0,1)', "
                                   "ST_Distance('(0,0,0,0)', '(0,0,0.3,0.4)')") == ["2|2|1|0.5"]
    assert psql_rows(trust_server, "SELECT '( 0.25 ,0.5, 1,0 )'::hypercube, '0,0,0,1'::hypercube, "
                                   "ST_MakePoint(0.1, 0.2, 0.3, 0.4) = '(0.1,0.2,0.3,0.4)', "
                                   "ST_MakePoint(0.1, 0.2, 0.3, 0.4) <> '(0.1,0.2,0.3,0.4)'") == [
        "(0.25, 0.5, 1, 0)|(0, 0, 0, 1)|t|f"]
    assert psql_rows(trust_server, "SELECT ST_DWithin('(0,0,0,0)', '(0,0,0.3,0.4)', 0.5), "
                                   "ST_DWithin('(0,0,0,0)', '(0,0,0.3,0.4)', 0.49)") == ["t|f"]


def test_categories_ids_and_hilbert(trust_server):
    assert psql_rows(trust_server, "SELECT hc_categorize(65), hc_categorize(40), hc_categorize(43), "
                                   "hypercube_categorize(97)") == [
        "letter_upper|punctuation_open|math_symbol|letter_lower"]
    # atom id = SHA-256 of the UTF-8 bytes
    assert psql_rows(trust_server, "SELECT hc_atom_id(65)") == [
        "\\x559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd"]
    rows = psql_rows(trust_server, "SELECT hc_hilbert_decode(hc_hilbert_encode(hc_map_codepoint(65))), "
                                   "hc_hilbert_decode(hc_hilbert_lo(hc_map_codepoint(65)), "
                                   "hc_hilbert_hi(hc_map_codepoint(65))), "
                                   "length(hc_hilbert_encode('(1,1,1,1)')), "
                                   f"hc_hilbert_encode('{CENTRE}') = hc_hilbert_encode('{CENTRE}')")
    a, b, n, eq = rows[0].split("|")
    assert a == b and n == "16" and eq == "t"
    # quantised to 32 bits per lane: back within one step of 2^-32
    assert max(abs(x - y) for x, y in zip(point(a), A_POINT)) < 2.0 ** -31
    assert psql_rows(trust_server, "SELECT hc_hilbert_decode(hc_hilbert_encode('(0,0,0,0)')), "
                                   "hc_hilbert_decode(hc_hilbert_encode('(1,1,1,1)'))") == [
        "(0, 0, 0, 0)|(1, 1, 1, 1)"]


def test_table_column_and_ordering(trust_server):
    r = trust_server.psql(
        "-c", "CREATE TABLE hp (id int PRIMARY KEY, p hypercube)",
        "-c", "INSERT INTO hp SELECT c, hc_map_codepoint(c) FROM generate_series(48, 122) c",
        "-c", "INSERT INTO hp VALUES (1, '(0.5,0.5,0.5,0.5)'), (2, NULL)",
        "-c", f"SELECT id FROM hp ORDER BY p <-> '{CENTRE}', id LIMIT 3",
        "-c", f"SELECT id FROM hp ORDER BY ST_Distance(p, ST_MakePoint(0.5, 0.5, 0.5, 0.5)), id LIMIT 1",
        "-c", "SELECT p FROM hp WHERE id = 65",
        "-c", "SELECT count(*) FROM hp WHERE ST_DWithin(p, hc_map_codepoint(65), 0.2)")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[3] == "1"          # the centre itself first
    assert lines[6] == "1"
    assert lines[7] == "(%r, %r, %r, %r)" % A_POINT
    exact = psql_rows(trust_server, "SELECT count(*) FROM hp WHERE p <-> hc_map_codepoint(65) <= 0.2")
    assert lines[8] == exact[0]


def test_binary_round_trip_and_oid(trust_server):
    payload = struct.pack("!4d", *A_POINT)
    c = trust_server.connect_raw()
    try:
        c.send(parse("SELECT $1::hypercube AS p", param_types=(OID_HYPERCUBE,))
               + bind([payload], param_formats=(1,), result_formats=(1,))
               + describe("P") + execute() + sync())
        res = c.recv_result()
        assert not res.errors, res.errors
        assert res.rows == [[payload]]
        assert res.columns[0][0]["type_oid"] == OID_HYPERCUBE
        for bad, state in ((struct.pack("!3d", 0, 0, 0), "08P01"), (struct.pack("!4d", 0, 0, 0, 2), "22003"),
                           (struct.pack("!4d", 0, 0, 0, float("nan")), "22003")):
            c.send(parse("SELECT $1::hypercube") + bind([bad], param_formats=(1,)) + execute() + sync())
            res = c.recv_result()
            assert res.errors and res.errors[0]["C"] == state, res.errors
    finally:
        c.close()


def test_psycopg2_parameters(trust_server):
    conn = trust_server.pg_connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT hc_map_codepoint(%s), hc_codepoint_from_coords(%s, %s, %s, %s)", (65,) + A_POINT)
        p, cp = cur.fetchone()
        assert point(p) == A_POINT and cp == 65
        assert cur.description[0].type_code == OID_HYPERCUBE
        cur.execute("SELECT %s::hypercube <-> %s::hypercube", ("(0,0,0,0)", "(0,0,0,1)"))
        assert cur.fetchone() == (1.0,)
    finally:
        conn.close()


@pytest.mark.parametrize("sql, state, message", [
    ("SELECT hc_map_codepoint(-1)", "22003", "codepoint out of range (valid: 0 .. 1114111)"),
    ("SELECT hc_map_codepoint(1114112)", "22003", "codepoint out of range (valid: 0 .. 1114111)"),
    ("SELECT hc_categorize(2147483647)", "22003", "codepoint out of range (valid: 0 .. 1114111)"),
    ("SELECT hc_atom_id(55296)", "22023", "surrogate codepoints (U+D800 .. U+DFFF) are not characters"),
    ("SELECT hc_codepoint_from_coords('NaN', 0, 0, 0)", "22023",
     "invalid argument (coordinates must be finite numbers)"),
    ("SELECT '(1,2,3,4)'::hypercube", "22003", "hypercube coordinate y = 2 is outside [0, 1]"),
    ("SELECT ST_MakePoint(0, 0, -0.5, 0)", "22003", "hypercube coordinate z = -0.5 is outside [0, 1]"),
    ("SELECT ST_MakePoint(0, 0, 0, 'Infinity')", "22003", "hypercube coordinate m = Infinity is outside [0, 1]"),
    ("SELECT 'abc'::hypercube", "22P02", 'invalid input syntax for type hypercube: "abc"'),
    ("SELECT '(0,0,0)'::hypercube", "22P02", 'invalid input syntax for type hypercube: "(0,0,0)"'),
    ("SELECT '(0,0,0,0,0)'::hypercube", "22P02", 'invalid input syntax for type hypercube: "(0,0,0,0,0)"'),
    ("SELECT '(0,0,0,0'::hypercube", "22P02", 'invalid input syntax for type hypercube: "(0,0,0,0"'),
    ("SELECT '(0,0,,0)'::hypercube", "22P02", 'invalid input syntax for type hypercube: "(0,0,,0)"'),
    ("SELECT hc_hilbert_decode('\\x00'::bytea)", "22023", "a Hilbert key is 16 bytes, not 1"),
    ("SELECT generate_series(1, 2) + generate_series(1, 3)", "0A000",
     "only one set-returning function per select-list item is supported"),
    ("SELECT hc_map_codepoint('x')", "22P02", 'invalid input syntax for type bigint: "x"'),
])
def test_errors(trust_server, sql, state, message):
    conn = trust_server.pg_connect()
    try:
        with pytest.raises(psycopg2.Error) as e:
            conn.cursor().execute(sql)
        assert e.value.pgcode == state
        assert e.value.pgerror.splitlines()[0] == "ERROR:  " + message
        conn.rollback()
        cur = conn.cursor()
        cur.execute("SELECT hc_codepoint_from_coords(hc_map_codepoint(97))")
        assert cur.fetchone() == (97,)
    finally:
        conn.close()
