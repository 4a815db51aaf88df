"""hc_ingest / hc_reconstruct and the embedding functions over the wire.

CREATE EXTENSION hypercube makes the tables atom, composition,
composition_child and relation. Ingestion of a multi-MB corpus uses Debian's debian-reference-en
(scripts/setup.sh installs it).
"""
import gzip
from pathlib import Path

import pytest
from sqlerrors import assert_error

pytestmark = pytest.mark.hcdb_only

SCHEMA = "CREATE EXTENSION IF NOT EXISTS hypercube"
TEXT = "The cat sat. The dog ran!  Hello world.\n\nNew paragraph, héllo wörld ✓ 😀.\n"
CORPUS = Path("/usr/share/debian-reference/debian-reference.en.txt.gz")


@pytest.fixture(scope="module")
def hc(trust_server):
    r = trust_server.psql(sql=SCHEMA)
    assert r.returncode == 0, r.stderr
    return trust_server


def one(conn, sql, args=()):
    cur = conn.cursor()
    cur.execute(sql, args)
    return cur.fetchone()


def test_ingest_reconstruct_idempotent(hc):
    conn = hc.pg_connect()
    conn.autocommit = True
    try:
        (doc,) = one(conn, "SELECT hc_ingest(%s)", (TEXT,))
        assert len(bytes(doc)) == 32
        counts = one(conn, "SELECT (SELECT count(*) FROM atom), (SELECT count(*) FROM composition), "
                           "(SELECT count(*) FROM composition_child), (SELECT count(*) FROM relation)")
        assert min(counts) > 0
        (again,) = one(conn, "SELECT hc_ingest(%s, 'corpus')", (TEXT,))
        assert bytes(again) == bytes(doc)
        assert one(conn, "SELECT (SELECT count(*) FROM atom), (SELECT count(*) FROM composition), "
                         "(SELECT count(*) FROM composition_child), (SELECT count(*) FROM relation)") == counts
        assert one(conn, "SELECT hc_reconstruct(%s)", (doc,)) == (TEXT,)
        # tiers: the document, its paragraphs, sentences and tokens
        assert one(conn, "SELECT depth, child_count, atom_count, label IS NULL FROM composition WHERE id = %s",
                   (doc,)) == (4, 2, len(TEXT), False)
        assert one(conn, "SELECT depth, child_count, atom_count FROM composition WHERE label = 'The dog ran!  '") \
            == (2, 6, 14)
        assert one(conn, "SELECT hc_reconstruct(id) FROM composition WHERE label = 'wörld'") == ("wörld",)
        # the content-addressed id of a token: SHA-256 over (LE32 ordinal || child id)
        assert one(conn, "SELECT count(*) FROM atom WHERE id = hc_atom_id(codepoint) "
                         "AND geom = hc_map_codepoint(codepoint)") == one(conn, "SELECT count(*) FROM atom")
        # 'The' is followed by 'cat' once and by 'dog' once
        assert one(conn, "SELECT count(*), sum(source_count), min(weight) FROM relation r "
                         "JOIN composition s ON s.id = r.source_id WHERE s.label = 'The'") == (2, 2, 1.0)
        # centroids sit inside the sphere of the atoms, deeper ones nearer the centre on average
        assert one(conn, "SELECT count(*) FROM composition WHERE centroid <-> '(0.5,0.5,0.5,0.5)' > 0.5") == (0,)
        assert one(conn, "SELECT hc_reconstruct('\\x00'::bytea) IS NULL") == (True,)
    finally:
        conn.close()


def test_relations_accumulate_across_documents(hc):
    conn = hc.pg_connect()
    conn.autocommit = True
    try:
        one(conn, "SELECT hc_ingest('Blue sky today. Blue sky again.')")
        assert one(conn, "SELECT r.source_count, r.weight FROM relation r JOIN composition s ON s.id = r.source_id "
                         "JOIN composition t ON t.id = r.target_id WHERE s.label = 'Blue' AND t.label = 'sky'") \
            == (2, 2.0)
        one(conn, "SELECT hc_ingest('Blue sky forever.')")
        assert one(conn, "SELECT r.source_count FROM relation r JOIN composition s ON s.id = r.source_id "
                         "JOIN composition t ON t.id = r.target_id WHERE s.label = 'Blue' AND t.label = 'sky'") \
            == (3,)
    finally:
        conn.close()


def test_rollback_leaves_nothing(hc):
    conn = hc.pg_connect()
    try:
        before = one(conn, "SELECT count(*) FROM composition")
        one(conn, "SELECT hc_ingest('Rolled back text here.')")
        assert one(conn, "SELECT count(*) FROM composition WHERE label = 'Rolled'") == (1,)
        conn.rollback()
        assert one(conn, "SELECT count(*) FROM composition") == before
    finally:
        conn.close()


@pytest.mark.slow
def test_corpus_round_trip(hc):
    text = gzip.open(CORPUS).read().decode()
    conn = hc.pg_connect()
    conn.autocommit = True
    try:
        (doc,) = one(conn, "SELECT hc_ingest(%s, 'debian-reference')", (text,))
        assert one(conn, "SELECT hc_reconstruct(%s) = %s", (doc, text)) == (True,)
        assert one(conn, "SELECT atom_count FROM composition WHERE id = %s", (doc,)) == (len(text),)
    finally:
        conn.close()


def test_embedding_functions(hc):
    conn = hc.pg_connect()
    try:
        for t, fmt in (("vector", "[%s]"), ("float4[]", "{%s}")):
            def v(x):
                return "'" + fmt % x + "'::" + t
            r = one(conn, f"SELECT embedding_cosine_similarity({v('1,0')}, {v('0,1')}), "
                          f"embedding_cosine_sim({v('1,2')}, {v('2,4')}), embedding_l2_dist({v('0,0')}, {v('3,4')}), "
                          f"embedding_cosine_similarity({v('0,0')}, {v('1,1')})")
            assert r[0] == 0.0 and abs(r[1] - 1.0) < 1e-6 and r[2] == 5.0 and r[3] == 0.0
            assert one(conn, f"SELECT embedding_vector_add({v('1,2')}, {v('3,4')}), "
                             f"embedding_vector_sub({v('1,2')}, {v('3,4')}), "
                             f"embedding_analogy_vec({v('1,1')}, {v('0,1')}, {v('5,5')})") == \
                ((fmt % "4,6", fmt % "-2,-2", fmt % "6,5") if t == "vector" else ([4, 6], [-2, -2], [6, 5]))
        cur = conn.cursor()
        cur.execute("CREATE TABLE embeddings (id int, embedding vector(3))")
        cur.execute("INSERT INTO embeddings VALUES (1, '[1,2,3]'), (2, '[3,2,1]')")
        cur.execute("SELECT embedding_cosine_similarity(a.embedding, b.embedding) FROM embeddings a, embeddings b "
                    "WHERE a.id = 1 AND b.id = 2")
        assert abs(cur.fetchone()[0] - 10 / 14) < 1e-12
        conn.rollback()
    finally:
        conn.close()


@pytest.mark.parametrize("sql, state, message", [
    ("SELECT hc_ingest('')", "22023", "input must not be empty"),
    ("SELECT embedding_cosine_similarity('[1,2]'::vector, '[1,2,3]')", "22000", "embedding lengths differ: 2 and 3"),
    ("SELECT embedding_cosine_similarity('{1,2}'::float4[], '{1,2,3}')", "22000",
     "embedding lengths differ: 2 and 3"),
    ("SELECT embedding_analogy_vec('[1,2]'::vector, '[1,2]', '[1]')", "22000", "embedding lengths differ: 2 and 1"),
    ("SELECT embedding_vector_add('[3e38]'::vector, '[3e38]')", "22003", "value out of range: overflow"),
    ("SELECT embedding_vector_add('{3e38}'::float4[], '{3e38}')", "22003", "value out of range: overflow"),
    ("SELECT embedding_l2_dist('{1,NULL}'::float4[], '{1,2}')", "22004", "embedding arrays must not contain nulls"),
    ("SELECT embedding_cosine_similarity('[1,0]', '[0,1]')", "42725",
     "function embedding_cosine_similarity(unknown, unknown) is not unique"),
    ("SELECT hc_reconstruct(NULL) IS NULL, hc_reconstruct(1)", "42883",
     "function hc_reconstruct(integer) does not exist"),
])
def test_errors(hc, sql, state, message):
    assert_error(hc, sql, state, message)


def test_extension_tables(server_factory):
    srv = server_factory()
    r = srv.psql(sql="SELECT hc_ingest('x y')")
    assert r.returncode != 0
    assert 'ERROR:  relation "atom" does not exist' in r.stderr
    assert "CREATE EXTENSION hypercube" in r.stderr
    r = srv.psql("-c", "CREATE EXTENSION hypercube", "-c", "SELECT length(hc_ingest('Kept after restart.'))",
                 "-c", "BEGIN", "-c", "DROP EXTENSION hypercube", "-c", "ROLLBACK",
                 "-c", "SELECT count(*) FROM composition")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "4"      # three words and their sentence
    srv.stop()
    srv.start()
    r = srv.psql(sql="SELECT hc_reconstruct(id) FROM composition WHERE depth = 2")
    assert r.stdout.splitlines() == ["Kept after restart."]
    r = srv.psql(sql="DROP EXTENSION hypercube; CREATE TABLE atom (id int); SELECT hc_reconstruct('\\x01')")
    assert 'ERROR:  table "atom" does not have the hypercube columns' in r.stderr
    r = srv.psql(sql="CREATE EXTENSION hypercube")
    assert 'ERROR:  relation "atom" already exists' in r.stderr



def test_validate_after_ingestion(hc):
    conn = hc.pg_connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT hc_ingest(%s)", (TEXT,))
        conn.commit()
        cur.execute("SELECT * FROM hc_validate()")
        rows = cur.fetchall()
        assert [d.name for d in cur.description] == ["check", "status", "detail"]
        assert [r[0] for r in rows] == ["STATS", "ORPHAN_CHECK", "ATOM_COUNT_CHECK", "LEAF_CHECK", "COMP_CHECK",
                                        "GEOMETRY_CHECK"]
        assert all(r[1] == "PASS" for r in rows), rows
        # damage the tree inside a transaction: the checks see it
        cur.execute("DELETE FROM atom WHERE codepoint = 101")            # 'e'
        cur.execute("UPDATE composition SET atom_count = atom_count + 1 WHERE label = 'cat'")
        cur.execute("SELECT \"check\", status FROM hc_validate() WHERE status = 'FAIL'")
        assert cur.fetchall() == [("ORPHAN_CHECK", "FAIL"), ("ATOM_COUNT_CHECK", "FAIL")]
        conn.rollback()
    finally:
        conn.close()
