-- LATERAL subqueries and VALUES: run again for every row of the items before them.
-- tests/expected/lateral.out is what PostgreSQL 15 prints for this file (see tests/README.md).
DROP TABLE IF EXISTS qa, qb, qc;
CREATE TABLE qa (id int PRIMARY KEY, name text);
CREATE TABLE qb (id int, aid int, v numeric);
CREATE TABLE qc (id int, note text);
INSERT INTO qa VALUES (1, 'x'), (2, 'y'), (3, 'z');
INSERT INTO qb VALUES (10, 1, 1.5), (11, 1, 2.5), (12, 2, 3), (13, 9, 4), (14, NULL, 5);
INSERT INTO qc VALUES (2, 'two'), (5, 'five');
SELECT * FROM qa, LATERAL (SELECT 1) s ORDER BY id;
SELECT a.id, s.n FROM qa a, LATERAL (SELECT count(*) AS n FROM qb b WHERE b.aid = a.id) s ORDER BY 1;
SELECT a.id, s.id FROM qa a LEFT JOIN LATERAL (SELECT b.id FROM qb b WHERE b.aid = a.id ORDER BY b.id DESC LIMIT 1) s ON true ORDER BY 1;
SELECT a.id, s.v FROM qa a JOIN LATERAL (SELECT v FROM qb b WHERE b.aid = a.id) s ON s.v > 2 ORDER BY 1, 2;
SELECT a.id, x FROM qa a CROSS JOIN LATERAL (SELECT a.id * 10 AS x UNION ALL SELECT a.id * 100) s ORDER BY 1, 2;
SELECT * FROM qa a, LATERAL (SELECT * FROM qc c WHERE c.id = a.id) s;
SELECT a.id, v.y FROM qa a, LATERAL (VALUES (a.id + 1), (a.id + 2)) v(y) ORDER BY 1, 2;
SELECT id, (SELECT max(y) FROM (VALUES (a.id), (5)) v(y)) FROM qa a ORDER BY 1;
DROP TABLE qa, qb, qc;
