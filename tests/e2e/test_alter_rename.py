"""ALTER TABLE ... RENAME TO / RENAME COLUMN over the wire: transactional, durable, and
PostgreSQL's errors."""
import psycopg2
import pytest


def q(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall() if cur.description else None


def err(conn, sql):
    with pytest.raises(psycopg2.Error) as e:
        q(conn, sql)
    conn.rollback()
    return e.value.pgcode, e.value.pgerror.splitlines()[0]


@pytest.mark.hcdb_only  # restart of hcdb's own data directory
def test_rename_table_and_column(server_factory):
    srv = server_factory()
    c = srv.pg_connect()
    q(c, "CREATE TABLE t (id int PRIMARY KEY, a text, b int)")
    q(c, "INSERT INTO t VALUES (1, 'x', 10), (2, 'y', 20)")
    c.commit()
    q(c, "ALTER TABLE t RENAME TO t2")
    q(c, "ALTER TABLE t2 RENAME COLUMN a TO label")
    assert q(c, "SELECT id, label FROM t2 WHERE id = 2") == [(2, "y")]
    c.rollback()  # DDL is transactional
    assert q(c, "SELECT a FROM t WHERE id = 1") == [("x",)]
    assert err(c, "SELECT * FROM t2")[0] == "42P01"
    q(c, "ALTER TABLE t RENAME TO t2")
    q(c, "ALTER TABLE t2 RENAME a TO label")
    c.commit()
    cases = [
        ("ALTER TABLE nope RENAME TO x", "42P01", 'ERROR:  relation "nope" does not exist'),
        ("ALTER TABLE t2 RENAME TO t_pkey", "42P07", 'ERROR:  relation "t_pkey" already exists'),
        ("ALTER TABLE t2 RENAME COLUMN nope TO x", "42703", 'ERROR:  column "nope" does not exist'),
        ("ALTER TABLE t2 RENAME COLUMN label TO b", "42701",
         'ERROR:  column "b" of relation "t2" already exists'),
    ]
    for sql, code, msg in cases:
        assert err(c, sql) == (code, msg), sql
    q(c, "ALTER TABLE IF EXISTS nope RENAME TO x")
    assert c.notices[-1].strip() == 'NOTICE:  relation "nope" does not exist, skipping'
    c.commit()
    c.close()
    for restart in ("stop", "kill"):
        if restart == "stop":
            srv.stop()
        else:
            srv.proc.kill()
            srv.proc.wait(30)
        srv.start()
        c = srv.pg_connect()
        # the primary key survives the rename and recovery
        assert q(c, "SELECT label, b FROM t2 WHERE id = 2") == [("y", 20)]
        assert err(c, "INSERT INTO t2 VALUES (1, 'dup', 0)")[0] == "23505"
        assert err(c, "SELECT a FROM t2")[0] == "42703"
        c.close()


@pytest.mark.hcdb_only  # restart of hcdb's own data directory
def test_add_column(server_factory):
    srv = server_factory()
    c = srv.pg_connect()
    q(c, "CREATE TABLE t (id int PRIMARY KEY)")
    q(c, "INSERT INTO t VALUES (1), (2)")
    c.commit()
    q(c, "ALTER TABLE t ADD COLUMN note text")
    assert q(c, "SELECT id, note FROM t ORDER BY id") == [(1, None), (2, None)]
    c.rollback()
    assert err(c, "SELECT note FROM t")[0] == "42703"
    q(c, "ALTER TABLE t ADD note text")
    q(c, "INSERT INTO t VALUES (3, 'three')")
    q(c, "ALTER TABLE t ADD COLUMN IF NOT EXISTS note int")
    assert c.notices[-1].strip() == 'NOTICE:  column "note" of relation "t" already exists, skipping'
    c.commit()
    cases = [
        ("ALTER TABLE t ADD COLUMN note text", "42701", 'ERROR:  column "note" of relation "t" already exists'),
        ("ALTER TABLE nope ADD COLUMN x int", "42P01", 'ERROR:  relation "nope" does not exist'),
        ("ALTER TABLE t ADD COLUMN x int NOT NULL", "23502",
         'ERROR:  column "x" of relation "t" contains null values'),
        ("ALTER TABLE t ADD COLUMN x nosuchtype", "42704", 'ERROR:  type "nosuchtype" does not exist'),
    ]
    for sql, code, msg in cases:
        assert err(c, sql) == (code, msg), sql
    # an empty table takes NOT NULL, DEFAULT and serial columns
    q(c, "CREATE TABLE e (a int)")
    q(c, "ALTER TABLE e ADD COLUMN id serial")
    q(c, "ALTER TABLE e ADD COLUMN flag bool NOT NULL DEFAULT true")
    assert q(c, "INSERT INTO e (a) VALUES (5) RETURNING a, id, flag") == [(5, 1, True)]
    c.commit()
    srv.proc.kill()
    srv.proc.wait(30)
    srv.start()
    c = srv.pg_connect()
    assert q(c, "SELECT id, note FROM t ORDER BY id") == [(1, None), (2, None), (3, "three")]
    assert err(c, "INSERT INTO t VALUES (3, 'dup')")[0] == "23505"  # the key survives
    new_id, flag = q(c, "INSERT INTO e (a) VALUES (6) RETURNING id, flag")[0]
    assert new_id > 1 and flag  # after a crash the sequence may skip, as PostgreSQL's does
    c.commit()
    c.close()
