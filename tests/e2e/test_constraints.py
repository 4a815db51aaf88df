"""CHECK and FOREIGN KEY constraints over the wire (psycopg2): every error with
PostgreSQL's SQLSTATE, message and DETAIL, the NOTICE of DROP ... CASCADE,
foreign keys under concurrent READ COMMITTED transactions, and constraints
kept across a clean restart and a crash (kill -9)."""
import signal
import threading

import psycopg2
import pytest


def run(conn, *statements):
    with conn.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def error_of(conn, sql):
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.Error) as e:
            cur.execute(sql)
    return e.value.pgcode, e.value.diag.message_primary, e.value.diag.message_detail


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    run(c, "DROP TABLE IF EXISTS ck_b, ck_a, ck_c, ck_t CASCADE",
        "CREATE TABLE ck_a (id int PRIMARY KEY, code text UNIQUE, n int)",
        "CREATE TABLE ck_b (id int PRIMARY KEY, aid int REFERENCES ck_a (id), v int CHECK (v > 0))",
        "INSERT INTO ck_a VALUES (1, 'one', 0), (2, 'two', 0)",
        "INSERT INTO ck_b VALUES (1, 1, 5)")
    yield c
    run(c, "DROP TABLE IF EXISTS ck_b, ck_a, ck_c, ck_t CASCADE")
    c.close()


ERRORS = [
    ("INSERT INTO ck_b VALUES (2, 1, -1)", "23514",
     'new row for relation "ck_b" violates check constraint "ck_b_v_check"', "Failing row contains (2, 1, -1)."),
    ("UPDATE ck_b SET v = 0", "23514",
     'new row for relation "ck_b" violates check constraint "ck_b_v_check"', "Failing row contains (1, 1, 0)."),
    ("INSERT INTO ck_b VALUES (2, 5, 1)", "23503",
     'insert or update on table "ck_b" violates foreign key constraint "ck_b_aid_fkey"',
     'Key (aid)=(5) is not present in table "ck_a".'),
    ("UPDATE ck_b SET aid = 9", "23503",
     'insert or update on table "ck_b" violates foreign key constraint "ck_b_aid_fkey"',
     'Key (aid)=(9) is not present in table "ck_a".'),
    ("DELETE FROM ck_a WHERE id = 1", "23503",
     'update or delete on table "ck_a" violates foreign key constraint "ck_b_aid_fkey" on table "ck_b"',
     'Key (id)=(1) is still referenced from table "ck_b".'),
    ("UPDATE ck_a SET id = 10 WHERE id = 1", "23503",
     'update or delete on table "ck_a" violates foreign key constraint "ck_b_aid_fkey" on table "ck_b"',
     'Key (id)=(1) is still referenced from table "ck_b".'),
    ("CREATE TABLE ck_c (x int REFERENCES ck_a (n))", "42830",
     'there is no unique constraint matching given keys for referenced table "ck_a"', None),
    ("CREATE TABLE ck_c (x int, y int, FOREIGN KEY (x, y) REFERENCES ck_a (id))", "42830",
     "number of referencing and referenced columns for foreign key disagree", None),
    ("CREATE TABLE ck_c (x int REFERENCES ck_nothere)", "42P01", 'relation "ck_nothere" does not exist', None),
    ("CREATE TABLE ck_c (x int REFERENCES ck_a (nope))", "42703",
     'column "nope" referenced in foreign key constraint does not exist', None),
    ("CREATE TABLE ck_c (x text REFERENCES ck_a (id))", "42804",
     'foreign key constraint "ck_c_x_fkey" cannot be implemented',
     'Key columns "x" and "id" are of incompatible types: text and integer.'),
    ("CREATE TABLE ck_c (x int CHECK (x + 1))", "42804", "argument of CHECK must be type boolean, not type integer",
     None),
    ("CREATE TABLE ck_c (x int CHECK (y > 0))", "42703", 'column "y" does not exist', None),
    ("CREATE TABLE ck_c (x int CHECK (x > (SELECT 1)))", "0A000", "cannot use subquery in check constraint", None),
    ("CREATE TABLE ck_c (x int CHECK (max(x) > 0))", "42803",
     "aggregate functions are not allowed in check constraints", None),
    ("DROP TABLE ck_a", "2BP01", "cannot drop table ck_a because other objects depend on it",
     "constraint ck_b_aid_fkey on table ck_b depends on table ck_a"),
    ("ALTER TABLE ck_a DROP CONSTRAINT ck_a_pkey", "2BP01",
     "cannot drop constraint ck_a_pkey on table ck_a because other objects depend on it",
     "constraint ck_b_aid_fkey on table ck_b depends on index ck_a_pkey"),
    ("ALTER TABLE ck_b DROP CONSTRAINT nope", "42704", 'constraint "nope" of relation "ck_b" does not exist', None),
    ("ALTER TABLE ck_b ADD CONSTRAINT ck_b_v_check CHECK (v < 5)", "42710",
     'constraint "ck_b_v_check" for relation "ck_b" already exists', None),
    ("ALTER TABLE ck_b ADD CHECK (v > 5)", "23514",
     'check constraint "ck_b_v_check1" of relation "ck_b" is violated by some row', None),
    ("ALTER TABLE ck_b ADD FOREIGN KEY (v) REFERENCES ck_a", "23503",
     'insert or update on table "ck_b" violates foreign key constraint "ck_b_v_fkey"',
     'Key (v)=(5) is not present in table "ck_a".'),
    ("ALTER TABLE ck_b ADD COLUMN w int NOT NULL", "23502",
     'column "w" of relation "ck_b" contains null values', None),
]


@pytest.mark.parametrize("sql,code,message,detail", ERRORS, ids=[e[0][:48] for e in ERRORS])
def test_errors_as_postgresql_reports_them(conn, sql, code, message, detail):
    assert error_of(conn, sql) == (code, message, detail)
    # nothing of the failed statement stays
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM ck_a), (SELECT count(*) FROM ck_b), "
                    "(SELECT count(*) FROM pg_class WHERE relname = 'ck_c')")
        assert cur.fetchone() == (2, 1, 0)


def test_null_passes_check_and_foreign_key(conn):
    run(conn, "INSERT INTO ck_b VALUES (2, NULL, NULL)")
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM ck_b WHERE aid IS NULL AND v IS NULL")
        assert cur.fetchone() == (1,)


def test_copy_checks_rows_and_keeps_nothing(conn):
    import io
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.Error) as e:
            cur.copy_expert("COPY ck_b FROM STDIN", io.StringIO("2\t1\t1\n3\t1\t-3\n"))
        assert e.value.pgcode == "23514"
        with pytest.raises(psycopg2.Error) as e:
            cur.copy_expert("COPY ck_b FROM STDIN", io.StringIO("2\t1\t1\n3\t7\t3\n"))
        assert (e.value.pgcode, e.value.diag.message_detail) == ("23503", 'Key (aid)=(7) is not present in table "ck_a".')
        cur.copy_expert("COPY ck_b FROM STDIN", io.StringIO("2\t2\t1\n"))
        cur.execute("SELECT id FROM ck_b ORDER BY id")
        assert cur.fetchall() == [(1,), (2,)]


def test_drop_cascade_notice_and_actions(conn):
    run(conn, "CREATE TABLE ck_c (id int PRIMARY KEY, aid int REFERENCES ck_a ON DELETE CASCADE, "
              "code text REFERENCES ck_a (code) ON UPDATE CASCADE ON DELETE SET NULL)",
        "INSERT INTO ck_c VALUES (1, 1, 'two'), (2, 2, 'one')")
    run(conn, "UPDATE ck_a SET code = 'TWO' WHERE id = 2")
    run(conn, "DELETE FROM ck_b", "DELETE FROM ck_a WHERE id = 1")
    with conn.cursor() as cur:
        cur.execute("SELECT id, aid, code FROM ck_c ORDER BY id")
        # row 1 went with ck_a 1 (aid, CASCADE); row 2 lost its code 'one' (SET NULL)
        assert cur.fetchall() == [(2, 2, None)]
    del conn.notices[:]
    run(conn, "DROP TABLE ck_a CASCADE")
    assert conn.notices == ["NOTICE:  drop cascades to 3 other objects\n"
                            "DETAIL:  drop cascades to constraint ck_b_aid_fkey on table ck_b\n"
                            "drop cascades to constraint ck_c_aid_fkey on table ck_c\n"
                            "drop cascades to constraint ck_c_code_fkey on table ck_c\n"]
    with conn.cursor() as cur:
        cur.execute("SELECT conname FROM pg_constraint WHERE contype = 'f' AND conname LIKE 'ck%'")
        assert cur.fetchall() == []


def in_thread(srv, sql):
    """Runs sql on a new autocommit connection in a thread: (thread, result dict)."""
    result = {}

    def go():
        c = srv.pg_connect()
        c.autocommit = True
        try:
            run(c, sql)
            result["ok"] = True
        except psycopg2.Error as e:
            result["err"] = (e.pgcode, e.diag.message_detail)
        finally:
            c.close()

    th = threading.Thread(target=go)
    th.start()
    return th, result


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_child_waits_for_an_uncommitted_parent_delete(conn, trust_server, outcome):
    """READ COMMITTED: the referenced row is locked by the child's insert, so an insert
    of a child of a parent deleted by a transaction still open waits for its end."""
    deleter = trust_server.pg_connect()
    run(deleter, "DELETE FROM ck_a WHERE id = 2")  # a transaction left open
    th, result = in_thread(trust_server, "INSERT INTO ck_b VALUES (3, 2, 1)")
    th.join(1.0)
    assert th.is_alive(), result  # still waiting for the deleting transaction
    getattr(deleter, outcome)()
    th.join(30)
    deleter.close()
    if outcome == "commit":
        assert result == {"err": ("23503", 'Key (aid)=(2) is not present in table "ck_a".')}
    else:
        assert result == {"ok": True}


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_parent_delete_waits_for_an_uncommitted_child(conn, trust_server, outcome):
    inserter = trust_server.pg_connect()
    run(inserter, "INSERT INTO ck_b VALUES (3, 2, 1)")  # a transaction left open
    th, result = in_thread(trust_server, "DELETE FROM ck_a WHERE id = 2")
    th.join(1.0)
    assert th.is_alive(), result  # the child's insert locked the referenced row
    getattr(inserter, outcome)()
    th.join(30)
    inserter.close()
    if outcome == "commit":
        assert result == {"err": ("23503", 'Key (id)=(2) is still referenced from table "ck_b".')}
    else:
        assert result == {"ok": True}


def test_children_of_one_parent_from_two_sessions(conn, trust_server):
    """Two sessions insert children of the same parent: the second waits for the first
    (the parent's row lock) and both succeed."""
    first = trust_server.pg_connect()
    run(first, "INSERT INTO ck_b VALUES (3, 2, 1)")
    th, result = in_thread(trust_server, "INSERT INTO ck_b VALUES (4, 2, 1)")
    first.commit()
    th.join(30)
    first.close()
    assert result == {"ok": True}
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM ck_b WHERE aid = 2 ORDER BY id")
        assert cur.fetchall() == [(3,), (4,)]


def check_state(srv):
    with srv.pg_connect() as c, c.cursor() as cur:
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid IN ('rs_a'::regclass, 'rs_b'::regclass) ORDER BY conname")
        defs = cur.fetchall()
        for sql, code in [("INSERT INTO rs_b VALUES (9, 1)", "23503"), ("INSERT INTO rs_b VALUES (1, -1)", "23514"),
                          ("DELETE FROM rs_a WHERE id = 1", "23503"), ("DROP TABLE rs_a", "2BP01")]:
            with pytest.raises(psycopg2.Error) as e:
                cur.execute(sql)
            assert e.value.pgcode == code, sql
            c.rollback()
        cur.execute("SELECT * FROM rs_b ORDER BY 1, 2")
        rows = cur.fetchall()
    c.close()
    return defs, rows


@pytest.mark.parametrize("how", ["restart", "crash"])
def test_constraints_survive_restart_and_crash(server_factory, how):
    srv = server_factory()
    with srv.pg_connect() as c, c.cursor() as cur:
        cur.execute("CREATE TABLE rs_a (id int PRIMARY KEY)")
        cur.execute("CREATE TABLE rs_b (junk text, aid int REFERENCES rs_a ON DELETE RESTRICT, v int CHECK (v > 0), "
                    "CHECK (junk <> ''))")
        cur.execute("INSERT INTO rs_a VALUES (1), (2)")
        cur.execute("INSERT INTO rs_b VALUES ('x', 1, 1), ('y', 2, 2)")
        cur.execute("CHECKPOINT")
        # after the checkpoint: only in the WAL
        cur.execute("ALTER TABLE rs_b ADD CONSTRAINT v_small CHECK (v < 100)")
        cur.execute("ALTER TABLE rs_b ADD CONSTRAINT gone CHECK (v <> 50)")
        cur.execute("ALTER TABLE rs_b DROP CONSTRAINT gone")
        cur.execute("ALTER TABLE rs_b ADD COLUMN w int DEFAULT 7 CHECK (w > 0)")
        cur.execute("ALTER TABLE rs_b DROP COLUMN junk")
    c.close()
    before = check_state(srv)
    assert before[0] == [("rs_a_pkey", "PRIMARY KEY (id)"),
                         ("rs_b_aid_fkey", "FOREIGN KEY (aid) REFERENCES rs_a(id) ON DELETE RESTRICT"),
                         ("rs_b_v_check", "CHECK ((v > 0))"), ("rs_b_w_check", "CHECK ((w > 0))"),
                         ("v_small", "CHECK ((v < 100))")]
    assert before[1] == [(1, 1, 7), (2, 2, 7)]
    srv.stop(signal.SIGKILL if how == "crash" else signal.SIGTERM)
    srv.start()
    assert check_state(srv) == before


def test_pgbench_with_foreign_keys(server_factory):
    """pgbench -i --foreign-keys adds its ALTER TABLE ... FOREIGN KEY constraints; the TPC-B
    run then checks and locks referenced rows, with no failed transaction."""
    srv = server_factory()
    init = srv.pgbench("-i", "-s", "1", "--foreign-keys")
    assert init.returncode == 0, init.stderr
    run_ = srv.pgbench("-c", "4", "-j", "2", "-t", "100")
    assert run_.returncode == 0, run_.stderr
    assert "number of failed transactions: 0" in run_.stdout
    with srv.pg_connect() as c, c.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
        assert cur.fetchone() == (5,)
        cur.execute("SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(bbalance) FROM pgbench_branches),"
                    " (SELECT sum(tbalance) FROM pgbench_tellers), (SELECT sum(delta) FROM pgbench_history)")
        a, b, t, h = cur.fetchone()
        assert a == b == t == h
        with pytest.raises(psycopg2.Error) as e:
            cur.execute("DELETE FROM pgbench_branches")
        assert e.value.pgcode == "23503"
    c.close()


def test_drop_column_refused_while_another_transaction_writes_the_table(conn, trust_server):
    """Rows of a transaction still open are in the table's old layout: DROP COLUMN fails
    (55P03) rather than leave them to be read with the new one."""
    writer = trust_server.pg_connect()
    run(writer, "INSERT INTO ck_b VALUES (3, 2, 1)")
    code = error_of(conn, "ALTER TABLE ck_b DROP COLUMN v")
    writer.rollback()
    writer.close()
    assert code == ("55P03", 'could not obtain lock on relation "ck_b"', None)
    run(conn, "ALTER TABLE ck_b DROP COLUMN v")
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM ck_b")
        assert cur.fetchall() == [(1, 1)]
        cur.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'ck_b'::regclass ORDER BY 1")
        assert cur.fetchall() == [("ck_b_aid_fkey",), ("ck_b_pkey",)]


def test_drop_column_and_serial_columns(conn):
    run(conn, "CREATE TABLE ck_t (a int, s serial, b int)", "INSERT INTO ck_t (a, b) VALUES (1, 2)")
    assert error_of(conn, "ALTER TABLE ck_t DROP COLUMN a") == (
        "0A000", "ALTER TABLE DROP COLUMN is not supported yet before or on a serial or identity column", None)
    run(conn, "ALTER TABLE ck_t DROP COLUMN b", "INSERT INTO ck_t (a) VALUES (3)")
    with conn.cursor() as cur:
        cur.execute("SELECT a, s FROM ck_t ORDER BY s")
        assert cur.fetchall() == [(1, 1), (3, 2)]
