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
