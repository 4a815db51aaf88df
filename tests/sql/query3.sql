-- Edge cases: NULL join keys, numeric and float grouping, NOT IN with NULLs, nested correlation,
-- aggregates over NULLs, result types of aggregates, VALUES aliases, ORDER BY forms.
-- tests/expected/query3.out is what PostgreSQL 15 prints for this file (see tests/README.md).
SELECT DISTINCT x FROM (VALUES (1.0), (1.00), (2)) v(x) ORDER BY 1;
SELECT x, count(*) FROM (VALUES (0.0::float8), (-0.0::float8), ('NaN'::float8), ('NaN'::float8)) v(x) GROUP BY x ORDER BY 1;
SELECT a.x, b.y FROM (VALUES (1), (NULL)) a(x) JOIN (VALUES (1), (NULL)) b(y) ON a.x = b.y;
SELECT a.x, b.y FROM (VALUES (1), (NULL)) a(x) FULL JOIN (VALUES (1), (NULL)) b(y) ON a.x = b.y ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x) LEFT JOIN (VALUES (1), (3)) b(y) ON a.x = b.y WHERE b.y IS NULL OR a.x = 1 ORDER BY 1;
SELECT x FROM (VALUES (1), (2), (NULL)) a(x) WHERE x NOT IN (SELECT 3) ORDER BY 1;
SELECT x FROM (VALUES (1), (2), (NULL)) a(x) WHERE x IN (SELECT NULL::int) ORDER BY 1;
SELECT (SELECT max(y) FROM (VALUES (1), (2)) b(y) WHERE b.y <= a.x) FROM (VALUES (1), (2), (0)) a(x) ORDER BY 1 NULLS FIRST;
SELECT x FROM (VALUES (1), (2)) a(x) WHERE EXISTS (SELECT 1 FROM (VALUES (1), (2)) b(y) WHERE b.y > a.x AND EXISTS (SELECT 1 WHERE a.x = 1));
SELECT x, (SELECT count(*) FROM (VALUES (1),(1),(2)) c(z) WHERE c.z = a.x) FROM (VALUES (1), (2), (3)) a(x) ORDER BY 1;
WITH w AS (SELECT 1 AS k) SELECT * FROM w JOIN w w2 USING (k);
WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM b WHERE y IN (SELECT y FROM b);
SELECT count(*), count(x), sum(x), avg(x), min(x), max(x) FROM (VALUES (NULL::int)) v(x);
SELECT string_agg(x, ', '), array_agg(x) FROM (VALUES ('a'), (NULL), ('b')) v(x);
SELECT bool_and(x), bool_or(x), every(x) FROM (VALUES (true), (NULL), (false)) v(x);
SELECT sum(x::int2), sum(x::int8), sum(x::float4), avg(x::float8) FROM (VALUES (1), (2)) v(x);
SELECT g, sum(x) FILTER (WHERE x > 1) FROM (VALUES (1, 'a'), (2, 'a'), (3, 'b')) v(x, g) GROUP BY g ORDER BY g;
SELECT 1 INTERSECT SELECT 1 UNION SELECT 2 ORDER BY 1;
SELECT * FROM (SELECT 1 AS a, 2 AS b) s(x);
SELECT x.* FROM (SELECT 1 AS a, 'q' AS b) x;
SELECT * FROM (VALUES (1, 2)) v(a, b, c);
SELECT v.a FROM (VALUES (1)) v(a) ORDER BY v.a;
SELECT a, b FROM (VALUES (1, 2), (1, 3), (2, 1)) v(a, b) ORDER BY a DESC, b;
SELECT count(*) FROM (VALUES (1)) a(x), (VALUES (2)) b(x) WHERE x = 1;
SELECT a.x FROM (VALUES (1)) a(x) JOIN (VALUES (1)) b(x) ON true JOIN (VALUES (1)) c(z) ON a.x = z;
SELECT x FROM (VALUES (1)) a(x) GROUP BY x HAVING x > (SELECT 0);
SELECT * FROM (VALUES ('b'), ('A'), ('a')) v(t) ORDER BY t;
SELECT upper(t) AS u FROM (VALUES ('b'), ('a')) v(t) ORDER BY u DESC;
SELECT t FROM (VALUES ('b'), ('a')) v(t) ORDER BY upper(t);
SELECT DISTINCT t FROM (VALUES ('b'), ('a')) v(t) ORDER BY upper(t);
