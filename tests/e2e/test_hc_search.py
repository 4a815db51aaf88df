"""semantic_search and the generator over the wire, on a small corpus ingested
into a server of their own (so that nothing else is in its tables)."""
import pytest

from test_hc_ingest import SCHEMA, one
from sqlerrors import assert_error

pytestmark = pytest.mark.hcdb_only


LEX_TEXT = "A dog barks at the gate. It runs.\n\nThe dog sleeps now. It dreams."
GEN_TEXT = "The cat sat on the mat. The cat ran home. The dog sat down. A cat is here."


@pytest.fixture(scope="module")
def corpus(trust_server):
    r = trust_server.psql(sql=SCHEMA)
    assert r.returncode == 0, r.stderr
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        one(conn, "SELECT hc_ingest(%s, 'gen')", (GEN_TEXT,))
    finally:
        conn.close()
    return trust_server


def test_semantic_search(corpus):
    conn = corpus.pg_connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT * FROM semantic_search('The cat ran home. ', 10)")
        rows = cur.fetchall()
        assert [d.name for d in cur.description] == ["id", "text", "depth", "atom_count", "distance"]
        assert len(rows) == 10
        # the query's own sentence is stored: it is its own nearest composition
        assert rows[0][1] == "The cat ran home. " and rows[0][4] == 0.0
        # ordered by distance, then id; equal to an exact scan computed here
        keys = [(r[4], bytes(r[0])) for r in rows]
        assert keys == sorted(keys)
        cur.execute("SELECT id, centroid <-> (SELECT centroid FROM composition WHERE label = 'The cat ran home. ') d "
                    "FROM composition ORDER BY d, id LIMIT 10")
        assert [(bytes(i), d) for i, d in cur.fetchall()] == [(k[1], k[0]) for k in keys]
        cur.execute("SELECT text FROM semantic_search('The cat ran home. ', 3) LIMIT 2")
        assert [r[0] for r in cur.fetchall()] == [rows[0][1], rows[1][1]]
        cur.execute("SELECT count(*) FROM semantic_search('anything', 0)")
        assert cur.fetchone() == (0,)
    finally:
        conn.close()


def test_generation(corpus):
    conn = corpus.pg_connect()
    try:
        (text,) = one(conn, "SELECT gen_generate('The', 5)")
        words = text.split(" ")
        assert words[0] == "The" and 1 < len(words) <= 5
        assert one(conn, "SELECT gen_generate('The', 5)") == (text,)          # deterministic
        cur = conn.cursor()
        cur.execute("SELECT * FROM gen_walk('The', 5)")
        assert [r[0] for r in cur.fetchall()] == words
        # every generated word is a token of the corpus
        for w in words:
            assert w in GEN_TEXT.split()
        assert one(conn, "SELECT gen_generate('Zebra', 5), gen_generate('The', 1), gen_generate('The', 0)") == \
            ("", "The", "")
        # the walk stops after a sentence end
        cur.execute("SELECT * FROM gen_walk('home.', 5)")
        assert [r[0] for r in cur.fetchall()] == ["home."]
    finally:
        conn.close()


@pytest.mark.parametrize("sql, state, message", [
    ("SELECT * FROM semantic_search('x', -1)", "22023", "semantic_search: k must not be negative"),
    ("SELECT * FROM semantic_search('', 3)", "22023", "semantic_search needs a non-empty query text"),
    ("SELECT semantic_search('x', 3)", "0A000",
     "function semantic_search returns rows of several columns: call it in FROM"),
    ("SELECT * FROM search_text('cat', -1)", "22023", "search_text: the limit must not be negative"),
    ("SELECT gen_generate('The', 10001)", "22023", "at most 10000 words can be generated"),
])
def test_search_errors(corpus, sql, state, message):
    assert_error(corpus, sql, state, message)


def test_issue_block_over_psql(corpus):
    """The statements users run, verbatim, in one psql session (ON_ERROR_STOP)."""
    sql = """
CREATE EXTENSION IF NOT EXISTS hypercube;
CREATE EXTENSION IF NOT EXISTS hypercube_ops;
CREATE EXTENSION IF NOT EXISTS embedding_ops;
CREATE EXTENSION IF NOT EXISTS generative;
CREATE EXTENSION IF NOT EXISTS semantic_ops;
SELECT hc_map_codepoint(65);
SELECT hc_codepoint_from_coords(hc_map_codepoint(32768));
SELECT gen_generate('The', 5);
CREATE TABLE embeddings (id int, embedding float4[]);
INSERT INTO embeddings VALUES (1, '{1,2,3}'), (2, '{3,2,1}');
SELECT embedding_cosine_similarity(a.embedding, b.embedding) FROM embeddings a, embeddings b WHERE a.id = 1 AND b.id = 2;
SELECT count(*) FROM semantic_search('query text', 10);
SELECT count(*) FROM (SELECT * FROM composition ORDER BY ST_Distance(centroid, ST_MakePoint(0.5, 0.5, 0.5, 0.5)) LIMIT 10) t;
SELECT count(*) FROM (SELECT hc_map_codepoint(generate_series(1, 10000))) t;
CREATE TABLE benchmark_data (id int);
INSERT INTO benchmark_data SELECT generate_series(1, 100000);
SELECT COUNT(*) FROM (SELECT hc_map_codepoint(id) FROM benchmark_data) t;
SELECT count(*) FROM pg_proc WHERE proname IN ('hc_map_codepoint', 'hc_ingest', 'gen_generate', 'gen_walk');
SELECT typname FROM pg_type WHERE typname LIKE '%hypercube%' OR typname LIKE '%embedding%';
"""
    r = corpus.psql(sql=sql)
    assert r.returncode == 0, r.stderr
    out = [line for line in r.stdout.splitlines() if line and not line.startswith(("CREATE", "INSERT"))]
    assert out == ["(0.48130875858885125, 0.5116475333069512, 0.3761416843914945, 0.9839153749541313)",
                   "32768", out[2], "0.7142857142857143", "10", "10", "10000", "100000", "5", "hypercube"]  # hc_ingest has 2
    assert out[2].startswith("The ")


def test_search_text_is_lexical_over_paragraphs_and_documents(corpus):
    conn = corpus.pg_connect()
    try:
        # runs last: a second, two-paragraph text gives results of depths 3 and 4
        one(conn, "SELECT hc_ingest(%s, 'lex')", (LEX_TEXT,))
        cur = conn.cursor()
        cur.execute("SELECT * FROM search_text('the DOG')")
        rows = cur.fetchall()
        assert [d.name for d in cur.description] == ["id", "text", "depth", "atom_count", "score"]
        # the same answer written as a plain query: depth >= 3, a word of more than 2 characters
        # found ignoring case, deepest and largest first, then by id
        cur.execute("SELECT id, hc_reconstruct(id), depth, atom_count, 0.5::float8 * depth + 0.1::float8 * atom_count "
                    "FROM composition WHERE depth >= 3 AND length(hc_reconstruct(id)) > 3 "
                    "AND (hc_reconstruct(id) ILIKE '%the%' OR hc_reconstruct(id) ILIKE '%dog%') "
                    "ORDER BY depth DESC, atom_count DESC, id")
        expected = cur.fetchall()
        assert len(expected) >= 3 and expected[0][2] > expected[-1][2]
        assert [(bytes(r[0]),) + tuple(r[1:]) for r in rows] == [(bytes(r[0]),) + tuple(r[1:]) for r in expected]
        assert LEX_TEXT in [r[1] for r in rows] and GEN_TEXT in [r[1] for r in rows]
        cur.execute("SELECT text FROM search_text('dog', 1)")
        assert cur.fetchall() == [(expected[0][1],)]
        # words of one or two characters are ignored unless nothing else is left
        cur.execute("SELECT count(*) FROM search_text('on zebra')")
        assert cur.fetchone() == (0,)
        cur.execute("SELECT count(*) FROM search_text('on')")
        (n_on,) = cur.fetchone()
        cur.execute("SELECT count(*) FROM composition WHERE depth >= 3 AND hc_reconstruct(id) ILIKE '%on%'")
        assert cur.fetchone() == (n_on,) and 0 < n_on < len(expected)
        # the words are literal, not regular expressions (the original's were live)
        cur.execute("SELECT (SELECT count(*) FROM search_text('c.t')) + (SELECT count(*) FROM search_text('(cat'))")
        assert cur.fetchone() == (0,)
        cur.execute("SELECT count(*) FROM search_text('zebra', 5)")
        assert cur.fetchone() == (0,)
    finally:
        conn.close()
