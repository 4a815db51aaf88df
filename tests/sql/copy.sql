-- COPY FROM STDIN / TO STDOUT in text and csv with PostgreSQL's options, and bad rows that keep
-- nothing of their COPY.
-- tests/expected/copy.out is what PostgreSQL 15 prints for this file (see tests/README.md).
CREATE TABLE cp (id int PRIMARY KEY, name text, amount numeric(6,2), tags text[]);
COPY cp FROM STDIN;
1	one	1.50	{a,b}
2	two\twith tab	\N	{}
3	back\\slash	-3	\N
\.
COPY cp (id, name) FROM STDIN WITH (FORMAT csv, HEADER true);
id,name
4,"quoted, comma"
5,
6,""
\.
COPY cp (id, name) FROM STDIN WITH (FORMAT csv, DELIMITER '|', NULL 'NIL', QUOTE '''');
7|'it''s'
8|NIL
\.
COPY cp TO STDOUT;
COPY cp TO STDOUT WITH (FORMAT csv, HEADER);
COPY (SELECT id, name FROM cp WHERE id > 5 ORDER BY id) TO STDOUT WITH (FORMAT csv, DELIMITER ';', NULL 'N/A', FORCE_QUOTE *);
COPY cp (name, id) TO STDOUT;
COPY (SELECT id, name AS "the name" FROM cp WHERE id > 7) TO STDOUT WITH (FORMAT csv, HEADER, FORCE_QUOTE (id));
COPY (SELECT 1 AS a WHERE false) TO STDOUT WITH (FORMAT csv, HEADER);
COPY cp TO STDOUT WITH (FORCE_QUOTE *);
COPY cp (id) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE (name));
SELECT id, name, amount FROM cp ORDER BY id;
COPY cp (id, name) FROM STDIN;
9	nine
x	bad
\.
COPY cp (id, name) FROM STDIN;
10	ten	extra
\.
COPY cp (id, name) FROM STDIN;
11
\.
COPY cp (id, name) FROM STDIN;
13	xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx	extra
\.
COPY cp (id, name) FROM STDIN WITH (FORMAT csv);
12,"unterminated"x
\.
COPY cp (id, name) FROM STDIN;
1	again
\.
SELECT count(*) FROM cp WHERE id >= 9;
COPY cp (nosuch) FROM STDIN;
COPY nosuch FROM STDIN;
COPY cp FROM STDIN WITH (FORMAT xml);
COPY cp FROM STDIN WITH (DELIMITER 'ab');
BEGIN;
COPY cp (id, name) FROM STDIN;
20	in txn
\.
ROLLBACK;
SELECT count(*) FROM cp WHERE id = 20;
\copy cp (id, name) from stdin
30	via psql
\.
\copy (SELECT id, name FROM cp WHERE id = 30) to stdout with csv
DROP TABLE cp;
