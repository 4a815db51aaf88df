-- WITH RECURSIVE: counting, UNION dropping repeats, a tree walked down and up, type rules.
-- tests/expected/recursive.out is what PostgreSQL 15 prints for this file (see tests/README.md).
CREATE TABLE nodes (id int PRIMARY KEY, pid int, name text);
INSERT INTO nodes VALUES (1, NULL, 'a'), (2, 1, 'b'), (3, 1, 'c'), (4, 2, 'd'), (5, 4, 'e');
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n % 3 + 1 FROM t) SELECT * FROM t ORDER BY n;
WITH RECURSIVE fib(a, b) AS (SELECT 0::int8, 1::int8 UNION ALL SELECT b, a + b FROM fib WHERE b < 100) SELECT a FROM fib;
WITH RECURSIVE tree AS (SELECT id, pid, name, 0 AS depth FROM nodes WHERE pid IS NULL UNION ALL SELECT c.id, c.pid, c.name, t.depth + 1 FROM nodes c JOIN tree t ON c.pid = t.id) SELECT name, depth FROM tree ORDER BY depth, name;
WITH RECURSIVE up AS (SELECT id, pid FROM nodes WHERE name = 'd' UNION SELECT n.id, n.pid FROM nodes n, up WHERE n.id = up.pid) SELECT count(*) FROM up;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n::int8 + 1 FROM t WHERE n < 3) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 ORDER BY 1) SELECT * FROM t;
WITH RECURSIVE t(n, path) AS (SELECT 1, ARRAY[1] UNION ALL SELECT n + 1, path || ARRAY[n + 1] FROM t WHERE n < 3) SELECT * FROM t;
DROP TABLE nodes;
