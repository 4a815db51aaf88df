"""Activity counters of pg_stat_user_tables, pg_stat_user_indexes and
pg_stat_database: rows inserted, updated and deleted, sequential and index
scans with the rows they read, commits and rollbacks. PostgreSQL publishes its
counters up to a second late, so every check polls until the expected value
shows (hcdb's are exact at once)."""
import time

import psycopg2

DEADLINE = 15.0


def fetch(srv, sql, args=()):
    conn = srv.pg_connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchone()
    finally:
        conn.close()


def eventually(srv, sql, args, ok):
    """The row of sql once ok(row) holds; fails with the last row after DEADLINE."""
    end = time.monotonic() + DEADLINE
    while True:
        row = fetch(srv, sql, args)
        if ok(row) or time.monotonic() > end:
            assert ok(row), row
            return row
        time.sleep(0.2)


TABLE_SQL = ("SELECT n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, seq_scan, seq_tup_read, idx_scan, "
             "idx_tup_fetch FROM pg_stat_user_tables WHERE relname = %s")
DB_SQL = ("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, numbackends "
          "FROM pg_stat_database WHERE datname = current_database()")


def run(conn, *stmts):
    with conn.cursor() as cur:
        for s in stmts:
            cur.execute(s)


def test_table_counters_follow_writes_and_scans(trust_server):
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        run(conn, "CREATE TABLE sc_t (id int PRIMARY KEY, v text)",
            "INSERT INTO sc_t SELECT g, 'x' FROM generate_series(1, 10) g",
            "UPDATE sc_t SET v = 'y' WHERE v = 'x' AND id % 4 = 1",      # 1, 5, 9
            "DELETE FROM sc_t WHERE v = 'x' AND id % 5 = 0")             # 10
        eventually(trust_server, TABLE_SQL, ("sc_t",), lambda r: r[:4] == (10, 3, 1, 9))
        before = fetch(trust_server, TABLE_SQL, ("sc_t",))
        run(conn, "SELECT count(*) FROM sc_t")
        eventually(trust_server, TABLE_SQL, ("sc_t",),
                   lambda r: r[4] >= before[4] + 1 and r[5] >= before[5] + 9)
        run(conn, "SET enable_seqscan = off", "SELECT v FROM sc_t WHERE id = 5")
        eventually(trust_server, TABLE_SQL, ("sc_t",), lambda r: r[6] >= before[6] + 1 and r[7] >= before[7] + 1)
        eventually(trust_server, "SELECT idx_scan, idx_tup_read FROM pg_stat_user_indexes "
                                 "WHERE indexrelname = 'sc_t_pkey' AND relname = 'sc_t'", (),
                   lambda r: r is not None and r[0] >= 1 and r[1] >= 1)
    finally:
        run(conn, "DROP TABLE sc_t")
        conn.close()


def test_database_counters_follow_transactions(trust_server):
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        run(conn, "CREATE TABLE sc_d (id int)")
        before = eventually(trust_server, DB_SQL, (), lambda r: r[5] >= 1)
        run(conn, "INSERT INTO sc_d VALUES (1), (2), (3)", "UPDATE sc_d SET id = id + 10 WHERE id = 1",
            "DELETE FROM sc_d WHERE id = 2")
        conn.autocommit = False
        run(conn, "INSERT INTO sc_d VALUES (4)")
        conn.rollback()
        eventually(trust_server, DB_SQL, (),
                   lambda r: r[0] >= before[0] + 3 and r[1] >= before[1] + 1 and r[2] >= before[2] + 4
                   and r[3] >= before[3] + 1 and r[4] >= before[4] + 1)
    finally:
        conn.autocommit = True
        run(conn, "DROP TABLE sc_d")
        conn.close()


def test_failed_statement_counts_a_rollback(trust_server):
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        run(conn, "CREATE TABLE sc_f (id int PRIMARY KEY)", "INSERT INTO sc_f VALUES (1)")
        before = eventually(trust_server, DB_SQL, (), lambda r: r[5] >= 1)
        try:
            run(conn, "INSERT INTO sc_f VALUES (2), (1)")
        except psycopg2.errors.UniqueViolation:
            pass
        else:
            raise AssertionError("duplicate key accepted")
        eventually(trust_server, DB_SQL, (), lambda r: r[1] >= before[1] + 1)
    finally:
        run(conn, "DROP TABLE sc_f")
        conn.close()
