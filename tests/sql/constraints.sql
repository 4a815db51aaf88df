-- CHECK and FOREIGN KEY constraints: definition, naming, enforcement on
-- INSERT / UPDATE / DELETE / COPY, ALTER TABLE ADD / DROP CONSTRAINT,
-- ADD COLUMN with a DEFAULT over existing rows, DROP TABLE dependencies,
-- pg_constraint and psql's \d.
-- CHECK: column and table level, named and automatic names
CREATE TABLE con_items (
    id int PRIMARY KEY,
    qty int CHECK (qty > 0),
    price numeric(10,2) CONSTRAINT price_positive CHECK (price > 0.5),
    lo int,
    hi int,
    name text CHECK (name <> ''),
    CHECK (lo < hi),
    CHECK (lo >= 0)
);
INSERT INTO con_items VALUES (1, 5, 10, 1, 2, 'a');
INSERT INTO con_items VALUES (2, 0, 10, 1, 2, 'b');
INSERT INTO con_items VALUES (3, 5, 0.25, 1, 2, 'c');
INSERT INTO con_items VALUES (4, 5, 10, 3, 2, 'd');
INSERT INTO con_items VALUES (5, 5, 10, -1, 2, 'e');
INSERT INTO con_items VALUES (6, 5, 10, 1, 2, '');
-- a NULL result passes
INSERT INTO con_items VALUES (7, NULL, NULL, NULL, NULL, NULL);
INSERT INTO con_items (id, qty) VALUES (8, 1), (9, -2);
UPDATE con_items SET qty = qty - 5 WHERE id = 1;
UPDATE con_items SET hi = 0 WHERE id = 1;
SELECT id, qty, price, lo, hi, name FROM con_items ORDER BY id;
-- COPY checks every row, and nothing of a failed COPY stays
COPY con_items (id, qty) FROM stdin;
10	1
11	-1
\.
SELECT count(*) FROM con_items;
-- the text pg_get_constraintdef gives, plain and pretty
SELECT conname, contype, conkey, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true)
FROM pg_constraint WHERE conrelid = 'con_items'::regclass ORDER BY conname;
\d con_items
CREATE TABLE con_exprs (
    a int, b int, c int, s varchar(10), f float8,
    CHECK (a + b > c * 2),
    CHECK (a BETWEEN 1 AND 10),
    CHECK (NOT (b = 5)),
    CHECK (c IS NOT NULL OR a > 3),
    CHECK (length(s) > 2),
    CHECK (a > -1 AND (b < 100 OR c < 100)),
    CHECK ((a - b) - c < a - (b - c)),
    CHECK (f > 1.5)
);
SELECT conname, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true)
FROM pg_constraint WHERE conrelid = 'con_exprs'::regclass ORDER BY conname;
-- bad CHECK expressions
CREATE TABLE con_bad (a int CHECK (a + 1));
CREATE TABLE con_bad (a int CHECK (b > 0));
CREATE TABLE con_bad (a int CHECK (a > (SELECT 1)));
CREATE TABLE con_bad (a int CHECK (sum(a) > 0));
CREATE TABLE con_bad (a int CONSTRAINT x CHECK (a > 0), b int CONSTRAINT x CHECK (b > 0));
-- FOREIGN KEY
CREATE TABLE con_parent (id int PRIMARY KEY, code text UNIQUE, other int);
CREATE TABLE con_child (
    id int PRIMARY KEY,
    pid int REFERENCES con_parent (id),
    pcode text REFERENCES con_parent (code) ON DELETE CASCADE ON UPDATE CASCADE,
    qty int CHECK (qty > 0)
);
INSERT INTO con_parent VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30);
INSERT INTO con_child VALUES (1, 1, 'one', 1);
INSERT INTO con_child VALUES (2, 5, 'one', 1);
INSERT INTO con_child VALUES (3, 1, 'nine', 1);
INSERT INTO con_child VALUES (4, NULL, NULL, 1);
INSERT INTO con_child VALUES (5, 2, 'two', 1);
UPDATE con_child SET pid = 7 WHERE id = 1;
UPDATE con_child SET pid = 3 WHERE id = 1;
-- a change that leaves the key alone is not checked
UPDATE con_child SET qty = 2 WHERE id = 1;
DELETE FROM con_parent WHERE id = 3;
UPDATE con_parent SET id = 30 WHERE id = 3;
UPDATE con_parent SET other = 31 WHERE id = 3;
-- ON UPDATE CASCADE / ON DELETE CASCADE through code
UPDATE con_parent SET code = 'TWO' WHERE id = 2;
SELECT * FROM con_child ORDER BY id;
DELETE FROM con_parent WHERE id = 1;
DELETE FROM con_child WHERE id = 1;
DELETE FROM con_parent WHERE id = 1;
SELECT * FROM con_child ORDER BY id;
COPY con_child FROM stdin;
10	2	TWO	1
11	9	TWO	1
\.
SELECT conname, contype, conkey, confkey, confupdtype, confdeltype, confmatchtype,
       pg_get_constraintdef(oid, true)
FROM pg_constraint WHERE conrelid = 'con_child'::regclass ORDER BY conname;
\d con_child
\d con_parent
-- ON DELETE SET NULL, RESTRICT, NO ACTION, a multi-column key, REFERENCES t (its primary key)
CREATE TABLE con_p2 (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE con_c2 (
    x int, y int, z int REFERENCES con_parent ON DELETE RESTRICT,
    FOREIGN KEY (x, y) REFERENCES con_p2 ON DELETE SET NULL
);
INSERT INTO con_p2 VALUES (1, 1), (1, 2);
INSERT INTO con_c2 VALUES (1, 1, 2), (1, 2, NULL), (NULL, 5, NULL);
INSERT INTO con_c2 VALUES (2, 1, NULL);
DELETE FROM con_p2 WHERE b = 1;
SELECT * FROM con_c2 ORDER BY y;
DELETE FROM con_parent WHERE id = 2;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = 'con_c2'::regclass ORDER BY conname;
-- a table referring to itself
CREATE TABLE con_tree (id int PRIMARY KEY, parent int REFERENCES con_tree ON DELETE CASCADE);
INSERT INTO con_tree VALUES (1, NULL);
INSERT INTO con_tree VALUES (2, 1), (3, 2);
INSERT INTO con_tree VALUES (4, 4);
INSERT INTO con_tree VALUES (5, 9);
DELETE FROM con_tree WHERE id = 2;
SELECT * FROM con_tree ORDER BY id;
-- bad foreign keys
CREATE TABLE con_bad (a int REFERENCES con_nothere (id));
CREATE TABLE con_bad (a int REFERENCES con_parent (nothere));
CREATE TABLE con_bad (a int REFERENCES con_parent (other));
CREATE TABLE con_bad (a int, b int, FOREIGN KEY (a, b) REFERENCES con_parent (id));
CREATE TABLE con_bad (a text REFERENCES con_parent (id));
CREATE TABLE con_bad (a int, FOREIGN KEY (nothere) REFERENCES con_parent (id));
CREATE TABLE con_nopk (a int);
CREATE TABLE con_bad (a int REFERENCES con_nopk);
-- DROP TABLE with dependents
DROP TABLE con_parent;
DROP TABLE con_p2;
DROP TABLE con_parent CASCADE;
\d con_child
-- ALTER TABLE ADD / DROP CONSTRAINT
CREATE TABLE con_alt (id int, v int, w int);
INSERT INTO con_alt VALUES (1, 10, 1), (2, -5, 2), (2, 7, NULL);
ALTER TABLE con_alt ADD CONSTRAINT v_pos CHECK (v > 0);
ALTER TABLE con_alt ADD PRIMARY KEY (id);
DELETE FROM con_alt WHERE v < 0;
ALTER TABLE con_alt ADD CONSTRAINT v_pos CHECK (v > 0);
ALTER TABLE con_alt ADD CHECK (w < 100);
ALTER TABLE con_alt ADD CONSTRAINT v_pos CHECK (v > 1);
ALTER TABLE con_alt ADD UNIQUE (v);
INSERT INTO con_alt VALUES (3, 0, 1);
CREATE TABLE con_ref (id int PRIMARY KEY);
INSERT INTO con_ref VALUES (1);
ALTER TABLE con_alt ADD FOREIGN KEY (w) REFERENCES con_ref (id);
INSERT INTO con_ref VALUES (2);
ALTER TABLE con_alt ADD FOREIGN KEY (w) REFERENCES con_ref (id);
\d con_alt
ALTER TABLE con_alt DROP CONSTRAINT v_pos;
ALTER TABLE con_alt DROP CONSTRAINT v_pos;
ALTER TABLE con_alt DROP CONSTRAINT IF EXISTS v_pos;
ALTER TABLE con_ref DROP CONSTRAINT con_ref_pkey;
ALTER TABLE con_ref DROP CONSTRAINT con_ref_pkey CASCADE;
ALTER TABLE IF EXISTS con_nothere DROP CONSTRAINT x;
ALTER TABLE con_nothere ADD CHECK (a > 0);
INSERT INTO con_alt VALUES (4, -1, 9);
\d con_alt
-- constraints in a transaction roll back with it
BEGIN;
ALTER TABLE con_alt ADD CONSTRAINT w_small CHECK (w < 5);
INSERT INTO con_alt VALUES (5, 1, 6);
ROLLBACK;
INSERT INTO con_alt VALUES (5, 1, 6);
SELECT conname FROM pg_constraint WHERE conrelid = 'con_alt'::regclass ORDER BY conname;
-- ADD COLUMN with a DEFAULT fills the rows already there
ALTER TABLE con_alt ADD COLUMN d int DEFAULT 42;
ALTER TABLE con_alt ADD COLUMN e text NOT NULL DEFAULT 'x';
ALTER TABLE con_alt ADD COLUMN f int NOT NULL;
ALTER TABLE con_alt ADD COLUMN g int DEFAULT -1 CHECK (g > 0);
ALTER TABLE con_alt ADD COLUMN h serial;
SELECT * FROM con_alt ORDER BY id;
INSERT INTO con_alt (id, v, w) VALUES (9, 1, 1);
SELECT * FROM con_alt ORDER BY id;
-- information_schema
CREATE TABLE con_is_a (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE con_is_b (id int NOT NULL, aid int REFERENCES con_is_a ON DELETE CASCADE, c text, v int CHECK (v > 0),
    FOREIGN KEY (c) REFERENCES con_is_a (code) ON UPDATE SET NULL);
SELECT constraint_name, table_name, constraint_type, is_deferrable, initially_deferred, enforced, nulls_distinct
FROM information_schema.table_constraints
WHERE table_name LIKE 'con\_is\_%' AND constraint_name NOT LIKE '%not_null' ORDER BY 1;
SELECT constraint_name, table_name, column_name, ordinal_position, position_in_unique_constraint
FROM information_schema.key_column_usage WHERE table_name LIKE 'con\_is\_%' ORDER BY 1, 4;
SELECT constraint_schema, constraint_name, unique_constraint_schema, unique_constraint_name, match_option,
       update_rule, delete_rule
FROM information_schema.referential_constraints WHERE constraint_name LIKE 'con\_is\_%' ORDER BY 2;
SELECT constraint_name, check_clause FROM information_schema.check_constraints
WHERE constraint_name LIKE 'con\_is\_%' ORDER BY 1;
-- TRUNCATE of a referenced table alone is refused
TRUNCATE con_is_a;
TRUNCATE con_is_a, con_is_b;
DROP TABLE con_items, con_exprs, con_child, con_p2, con_c2, con_tree, con_nopk, con_alt, con_ref, con_is_b, con_is_a;
-- RENAME COLUMN: the CHECKs follow the column
CREATE TABLE con_rn (v int CHECK (v > 0), "W x" int, length int, CHECK (v < "W x" AND length(v::text) < 5 AND length > 0 AND 'v' <> 'x'));
ALTER TABLE con_rn RENAME COLUMN v TO value;
ALTER TABLE con_rn RENAME COLUMN "W x" TO w;
ALTER TABLE con_rn RENAME COLUMN length TO len;
INSERT INTO con_rn VALUES (0, 5, 1);
INSERT INTO con_rn VALUES (6, 5, 1);
INSERT INTO con_rn VALUES (1, 5, 1);
SELECT conname, pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'con_rn'::regclass ORDER BY 1;
BEGIN;
ALTER TABLE con_rn RENAME COLUMN value TO zz;
ROLLBACK;
INSERT INTO con_rn VALUES (0, 5, 1);
DROP TABLE con_rn;
-- DROP INDEX / DROP CONSTRAINT of a key a foreign key needs
CREATE TABLE con_di_a (id int, k int);
CREATE UNIQUE INDEX con_di_a_id ON con_di_a (id);
CREATE TABLE con_di_b (aid int REFERENCES con_di_a (id));
DROP INDEX con_di_a_id;
DROP INDEX con_di_a_id CASCADE;
INSERT INTO con_di_b VALUES (5);
DROP TABLE con_di_a, con_di_b;
CREATE TABLE con_di_t (id int PRIMARY KEY, parent int REFERENCES con_di_t);
ALTER TABLE con_di_t DROP CONSTRAINT con_di_t_pkey;
TRUNCATE con_di_t;
DROP TABLE con_di_t;
-- ON DELETE / ON UPDATE SET DEFAULT
CREATE TABLE con_sd_a (id int PRIMARY KEY);
INSERT INTO con_sd_a VALUES (0), (1), (2);
CREATE TABLE con_sd_b (id int, aid int DEFAULT 0 REFERENCES con_sd_a ON DELETE SET DEFAULT ON UPDATE SET DEFAULT, bid int DEFAULT 9 REFERENCES con_sd_a ON DELETE SET DEFAULT);
INSERT INTO con_sd_b VALUES (1, 1, NULL), (2, 2, 2);
DELETE FROM con_sd_a WHERE id = 1;
UPDATE con_sd_a SET id = 20 WHERE id = 2;
SELECT * FROM con_sd_b ORDER BY id;
DELETE FROM con_sd_a WHERE id = 20;
DELETE FROM con_sd_a WHERE id = 0;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'con_sd_b'::regclass ORDER BY 1;
DROP TABLE con_sd_b, con_sd_a;
-- ON CONFLICT DO UPDATE checks the row it makes; temporary and permanent tables do not mix
CREATE TABLE con_oc (id int PRIMARY KEY, v int CHECK (v < 10));
INSERT INTO con_oc VALUES (1, 1);
INSERT INTO con_oc VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = con_oc.v + 20;
INSERT INTO con_oc VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = 3 RETURNING *;
CREATE TEMP TABLE con_oc_t (id int PRIMARY KEY);
CREATE TABLE con_oc_p (x int REFERENCES con_oc_t);
CREATE TEMP TABLE con_oc_t2 (x int REFERENCES con_oc);
CREATE TEMP TABLE con_oc_t3 (x int REFERENCES con_oc_t CHECK (x > 0));
INSERT INTO con_oc_t3 VALUES (1);
INSERT INTO con_oc_t3 VALUES (0);
DROP TABLE con_oc_t3, con_oc_t, con_oc;
-- ALTER TABLE DROP COLUMN: its indexes and constraints go with it, others' foreign keys need CASCADE
CREATE TABLE con_dc_a (id int PRIMARY KEY, code text UNIQUE, junk int, n int CHECK (n > 0), m int, CHECK (m > n), CHECK (junk <> 0));
CREATE INDEX con_dc_a_m ON con_dc_a (m);
CREATE INDEX con_dc_a_junk_m ON con_dc_a (junk, m);
INSERT INTO con_dc_a VALUES (1, 'one', 5, 1, 2), (2, 'two', 6, 2, 3);
CREATE TABLE con_dc_b (aid int REFERENCES con_dc_a, acode text REFERENCES con_dc_a (code), x int);
INSERT INTO con_dc_b VALUES (1, 'two', 7);
ALTER TABLE con_dc_a DROP COLUMN nothere;
ALTER TABLE con_dc_a DROP COLUMN IF EXISTS nothere;
ALTER TABLE con_dc_a DROP COLUMN junk;
SELECT * FROM con_dc_a ORDER BY id;
\d con_dc_a
INSERT INTO con_dc_a VALUES (3, 'three', 0, 1);
INSERT INTO con_dc_a VALUES (3, 'three', 1, 0);
INSERT INTO con_dc_a VALUES (3, 'one', 1, 5);
INSERT INTO con_dc_a VALUES (3, 'three', 1, 5);
SELECT * FROM con_dc_a WHERE m = 5;
INSERT INTO con_dc_b VALUES (9, NULL, 1);
INSERT INTO con_dc_b VALUES (3, 'three', 1);
ALTER TABLE con_dc_a DROP COLUMN code;
ALTER TABLE con_dc_a DROP COLUMN code CASCADE;
\d con_dc_a
\d con_dc_b
INSERT INTO con_dc_b VALUES (3, 'nothing', 1);
DELETE FROM con_dc_a WHERE id = 3;
ALTER TABLE con_dc_b DROP COLUMN aid;
\d con_dc_b
BEGIN;
ALTER TABLE con_dc_a DROP COLUMN n;
SELECT * FROM con_dc_a ORDER BY id;
ROLLBACK;
SELECT * FROM con_dc_a ORDER BY id;
DROP TABLE con_dc_b, con_dc_a;
-- NOT NULL violations carry the failing row too
CREATE TABLE con_nn (id int NOT NULL, v text);
INSERT INTO con_nn VALUES (NULL, 'x');
INSERT INTO con_nn VALUES (1, 'x');
UPDATE con_nn SET id = NULL;
COPY con_nn FROM stdin;
\N	y
\.
DROP TABLE con_nn;
