"""Joins, GROUP BY, subqueries, WITH, set operations, regex and EXPLAIN over the wire.

Expected rows are what PostgreSQL 15 returns for the same statements; the
errors carry PostgreSQL's SQLSTATEs and messages.
"""
import psycopg2
import pytest


@pytest.fixture
def cur(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS qa, qb")
    cur.execute("CREATE TABLE qa (id int PRIMARY KEY, name text)")
    cur.execute("CREATE TABLE qb (id int, aid int, v numeric)")
    cur.execute("INSERT INTO qa VALUES (1, 'x'), (2, 'y'), (3, 'z')")
    cur.execute("INSERT INTO qb VALUES (10, 1, 1.5), (11, 1, 2.5), (12, 2, 3), (13, 9, 4), (14, NULL, 5)")
    yield cur
    c.close()


def q(cur, sql, *args):
    cur.execute(sql, args or None)
    return cur.fetchall()


def test_inner_join_on_and_comma_join(cur):
    want = [(1, "x", 10), (1, "x", 11), (2, "y", 12)]
    assert q(cur, "SELECT a.id, a.name, b.id FROM qa a JOIN qb b ON a.id = b.aid ORDER BY 1, 3") == want
    assert q(cur, "SELECT a.id, a.name, b.id FROM qa a, qb b WHERE a.id = b.aid ORDER BY 1, 3") == want
    assert q(cur, "SELECT count(*) FROM qa CROSS JOIN qb") == [(15,)]


def test_outer_joins(cur):
    assert q(cur, "SELECT a.id, b.id FROM qa a LEFT JOIN qb b ON a.id = b.aid ORDER BY 1, 2") == [
        (1, 10), (1, 11), (2, 12), (3, None)]
    assert q(cur, "SELECT a.id, b.id FROM qa a RIGHT JOIN qb b ON a.id = b.aid ORDER BY 2") == [
        (1, 10), (1, 11), (2, 12), (None, 13), (None, 14)]
    assert q(cur, "SELECT a.id, b.id FROM qa a FULL JOIN qb b ON a.id = b.aid ORDER BY 2, 1") == [
        (1, 10), (1, 11), (2, 12), (None, 13), (None, 14), (3, None)]
    # a WHERE on the nullable side filters after the join
    assert q(cur, "SELECT a.id FROM qa a LEFT JOIN qb b ON a.id = b.aid WHERE b.id IS NULL") == [(3,)]
    # a non-equality condition runs as a nested loop
    assert q(cur, "SELECT a.id, b.id FROM qa a JOIN qb b ON b.aid > a.id ORDER BY 1, 2") == [
        (1, 12), (1, 13), (2, 13), (3, 13)]


def test_using_and_natural(cur):
    cur.execute("SELECT * FROM qa JOIN qb USING (id)")
    assert [d[0] for d in cur.description] == ["id", "name", "aid", "v"]
    cur.execute("DROP TABLE IF EXISTS qc")
    cur.execute("CREATE TABLE qc (id int, note text)")
    cur.execute("INSERT INTO qc VALUES (2, 'two'), (5, 'five')")
    assert q(cur, "SELECT * FROM qa NATURAL JOIN qc") == [(2, "y", "two")]
    assert q(cur, "SELECT id, name, note FROM qa FULL JOIN qc USING (id) ORDER BY id") == [
        (1, "x", None), (2, "y", "two"), (3, "z", None), (5, None, "five")]


def test_group_by_having_aggregates(cur):
    rows = q(cur, "SELECT a.name, count(*), sum(b.v), min(b.id), max(b.id), string_agg(b.id::text, ',') "
                  "FROM qa a JOIN qb b ON a.id = b.aid GROUP BY a.name ORDER BY 1")
    assert [(r[0], r[1], str(r[2]), r[3], r[4], r[5]) for r in rows] == [
        ("x", 2, "4.0", 10, 11, "10,11"), ("y", 1, "3", 12, 12, "12")]
    assert q(cur, "SELECT aid, count(*) FROM qb GROUP BY aid HAVING count(*) > 1") == [(1, 2)]
    assert q(cur, "SELECT count(aid), count(DISTINCT aid), bool_and(v > 1), bool_or(v > 4) FROM qb") == [
        (4, 3, True, True)]
    assert q(cur, "SELECT aid % 2 AS odd, count(*) FROM qb WHERE aid IS NOT NULL GROUP BY 1 ORDER BY 1") == [
        (0, 1), (1, 3)]
    assert q(cur, "SELECT count(*), sum(v) FROM qb WHERE false") == [(0, None)]
    assert q(cur, "SELECT aid FROM qb WHERE false GROUP BY aid") == []


def test_distinct(cur):
    assert q(cur, "SELECT DISTINCT aid FROM qb WHERE aid IS NOT NULL ORDER BY 1") == [(1,), (2,), (9,)]
    assert q(cur, "SELECT DISTINCT ON (aid) aid, id FROM qb WHERE aid IS NOT NULL ORDER BY aid, id DESC") == [
        (1, 11), (2, 12), (9, 13)]


def test_subqueries(cur):
    assert q(cur, "SELECT id FROM qa WHERE id IN (SELECT aid FROM qb) ORDER BY 1") == [(1,), (2,)]
    # NOT IN over a list holding NULL is never true
    assert q(cur, "SELECT id FROM qa WHERE id NOT IN (SELECT aid FROM qb)") == []
    assert q(cur, "SELECT id FROM qa a WHERE EXISTS (SELECT 1 FROM qb b WHERE b.aid = a.id) ORDER BY 1") == [
        (1,), (2,)]
    cur.execute("SELECT id, (SELECT count(*) FROM qb b WHERE b.aid = a.id) FROM qa a ORDER BY 1")
    assert [d[0] for d in cur.description] == ["id", "count"]
    assert cur.fetchall() == [(1, 2), (2, 1), (3, 0)]
    assert q(cur, "SELECT s.aid, s.n FROM (SELECT aid, count(*) AS n FROM qb GROUP BY aid) s "
                  "WHERE s.n > 1") == [(1, 2)]
    assert q(cur, "SELECT name FROM qa WHERE id = (SELECT min(aid) FROM qb)") == [("x",)]
    assert q(cur, "SELECT id FROM qa WHERE id > ALL (SELECT aid FROM qb WHERE aid < 3)") == [(3,)]


def test_with_union_values(cur):
    assert q(cur, "WITH t AS (SELECT aid, count(*) c FROM qb GROUP BY aid), u AS (SELECT * FROM t WHERE c = 1) "
                  "SELECT aid FROM u ORDER BY aid NULLS FIRST") == [(None,), (2,), (9,)]
    assert q(cur, "SELECT id FROM qa UNION SELECT aid FROM qb WHERE aid IS NOT NULL ORDER BY 1") == [
        (1,), (2,), (3,), (9,)]
    assert q(cur, "SELECT id FROM qa UNION ALL SELECT id FROM qa ORDER BY 1") == [(1,), (1,), (2,), (2,), (3,), (3,)]
    assert q(cur, "SELECT id FROM qa INTERSECT SELECT aid FROM qb ORDER BY 1") == [(1,), (2,)]
    assert q(cur, "SELECT id FROM qa EXCEPT SELECT aid FROM qb") == [(3,)]
    assert q(cur, "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(x, y) ORDER BY x DESC") == [(2, "b"), (1, "a")]
    assert q(cur, "VALUES (1), (2.5)") == [(1,), (2.5,)]


def test_regex_like_collate(cur):
    assert q(cur, "SELECT 'abc' ~ '^a', 'abc' ~* 'B', 'abc' !~ 'z', 'abc' !~* 'A'") == [(True, True, True, False)]
    assert q(cur, "SELECT name FROM qa WHERE name OPERATOR(pg_catalog.~) '^(y)$' COLLATE pg_catalog.default") == [
        ("y",)]
    assert q(cur, "SELECT name FROM qa WHERE name LIKE 'x%' OR name ILIKE 'Z'") == [("x",), ("z",)]


def test_insert_select_join(cur):
    cur.execute("DROP TABLE IF EXISTS qd")
    cur.execute("CREATE TABLE qd (name text, n int8)")
    cur.execute("INSERT INTO qd SELECT a.name, count(*) FROM qa a JOIN qb b ON a.id = b.aid GROUP BY a.name")
    assert cur.rowcount == 2
    assert q(cur, "SELECT * FROM qd ORDER BY 1") == [("x", 2), ("y", 1)]


@pytest.mark.parametrize("sql,state,msg", [
    ("SELECT * FROM qa JOIN nope ON true", "42P01", 'relation "nope" does not exist'),
    ("SELECT a.nope FROM qa a", "42703", "column a.nope does not exist"),
    ("SELECT id FROM qa, qb", "42702", 'column reference "id" is ambiguous'),
    ("SELECT name, count(*) FROM qb, qa GROUP BY aid", "42803",
     'column "qa.name" must appear in the GROUP BY clause or be used in an aggregate function'),
    ("SELECT (SELECT id FROM qa)", "21000", "more than one row returned by a subquery used as an expression"),
    ("SELECT id FROM qa UNION SELECT id, aid FROM qb", "42601",
     "each UNION query must have the same number of columns"),
    ("SELECT * FROM (SELECT 1)", "42601", "subquery in FROM must have an alias"),
    ("SELECT DISTINCT name FROM qa ORDER BY id", "42P10",
     "for SELECT DISTINCT, ORDER BY expressions must appear in select list"),
    ("SELECT x.id FROM qa", "42P01", 'missing FROM-clause entry for table "x"'),
    ("SELECT * FROM qa a, qb a", "42712", 'table name "a" specified more than once'),
    ("SELECT 'a' ~ '('", "2201B", "invalid regular expression"),
    ("SELECT id FROM qa WHERE id IN (SELECT id, aid FROM qb)", "42601", "subquery has too many columns"),
    ("SELECT * FROM qa JOIN qb USING (nope)", "42703",
     'column "nope" specified in USING clause does not exist in left table'),
])
def test_bad_queries(cur, sql, state, msg):
    with pytest.raises(psycopg2.Error) as ei:
        cur.execute(sql)
    assert ei.value.pgcode == state
    assert msg in ei.value.pgerror
    cur.execute("SELECT 1")
    assert cur.fetchall() == [(1,)]


def test_explain_over_psql(trust_server, cur):
    out = trust_server.psql("-X", "-A", "-t", "-c",
                            "EXPLAIN SELECT a.name, count(*) FROM qa a JOIN qb b ON a.id = b.aid "
                            "GROUP BY a.name ORDER BY 1")
    lines = out.stdout.splitlines() if hasattr(out, "stdout") else str(out).splitlines()
    assert lines[0].startswith("Sort  (cost=")
    assert "  Sort Key: a.name" in lines
    assert any(l.startswith("  ->  HashAggregate  (cost=") for l in lines)
    assert "        Group Key: a.name" in lines
    assert any(l.startswith("        ->  Hash Join  (cost=") for l in lines)
    assert "              Hash Cond: (a.id = b.aid)" in lines
    assert any(l.startswith("              ->  Seq Scan on qa a  (cost=") for l in lines)
    assert any(l.startswith("              ->  Hash  (cost=") for l in lines)


def test_explain_analyze_index_scan(cur):
    rows = [r[0] for r in q(cur, "EXPLAIN ANALYZE SELECT * FROM qa WHERE id = 2")]
    assert rows[0].startswith("Index Scan using qa_pkey on qa  (cost=")
    assert "(actual time=" in rows[0] and "rows=1 loops=1)" in rows[0]
    assert "  Index Cond: (id = 2)" in rows
    assert rows[-2].startswith("Planning Time: ") and rows[-1].startswith("Execution Time: ")
    rows = [r[0] for r in q(cur, "EXPLAIN (COSTS OFF) SELECT * FROM qb WHERE v > 2 LIMIT 1")]
    assert rows == ["Limit", "  ->  Seq Scan on qb", "        Filter: (v > '2'::numeric)"]


def test_arrays_from_psycopg2(cur):
    # psycopg2 sends Python lists as ARRAY[...] and reads {...} back into lists
    assert q(cur, "SELECT %s::int[], %s::text[]", [1, 2, None], ["a b", 'q"', ""]) == [
        ([1, 2, None], ["a b", 'q"', ""])]
    assert q(cur, "SELECT id FROM qa WHERE id = ANY(%s) ORDER BY 1", [1, 3]) == [(1,), (3,)]
    cur.execute("CREATE TABLE IF NOT EXISTS qf (id int, emb float4[])")
    cur.execute("INSERT INTO qf VALUES (%s, %s)", (1, [0.5, 1.25]))
    assert q(cur, "SELECT emb, emb[2], array_length(emb, 1) FROM qf") == [([0.5, 1.25], 1.25, 2)]
    cur.execute("DROP TABLE qf")
    with pytest.raises(psycopg2.Error) as ei:
        cur.execute("SELECT '{1,2'::int[]")
    assert ei.value.pgcode == "22P02" and 'malformed array literal: "{1,2"' in ei.value.pgerror
