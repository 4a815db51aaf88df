"""pg_stat_activity, pg_stat_database, pg_cancel_backend and
pg_terminate_backend across several psycopg2 sessions (also checked
against PostgreSQL 15)."""
import threading
import time

import psycopg2
import pytest


def one(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()


def activity(conn, pid):
    return one(conn, "SELECT state, query, application_name, usename, datname, client_addr, wait_event, "
                     "backend_start IS NOT NULL, xact_start IS NOT NULL FROM pg_stat_activity WHERE pid = %s", (pid,))


def wait_for(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def pair(trust_server):
    a = trust_server.pg_connect(application_name="worker-a")
    b = trust_server.pg_connect()
    a.autocommit = b.autocommit = True
    yield a, b
    for c in (a, b):
        try:
            c.close()
        except psycopg2.Error:
            pass


def test_other_session_is_listed_idle_with_its_last_query(pair):
    a, b = pair
    pid = one(a, "SELECT pg_backend_pid()")[0]
    one(a, "SELECT 41 + 1")
    assert activity(b, pid) == ("idle", "SELECT 41 + 1", "worker-a", "postgres", "postgres", "127.0.0.1",
                                "ClientRead", True, False)


def test_own_session_is_active(pair):
    _, b = pair
    got = one(b, "SELECT state, query, wait_event FROM pg_stat_activity WHERE pid = pg_backend_pid()")
    assert got == ("active", "SELECT state, query, wait_event FROM pg_stat_activity WHERE pid = pg_backend_pid()", None)


def test_idle_in_transaction(pair):
    a, b = pair
    a.autocommit = False
    pid = one(a, "SELECT pg_backend_pid()")[0]
    state, _, _, _, _, _, _, _, in_xact = activity(b, pid)
    assert (state, in_xact) == ("idle in transaction", True)
    a.rollback()
    assert activity(b, pid)[0] == "idle"


def test_numbackends_counts_sessions(pair):
    _, b = pair
    assert one(b, "SELECT numbackends >= 2 FROM pg_stat_database WHERE datname = 'postgres'") == (True,)


def test_cancel_backend_stops_a_running_statement(pair):
    a, b = pair
    pid = one(a, "SELECT pg_backend_pid()")[0]
    errors = []

    def sleeper():
        try:
            one(a, "SELECT pg_sleep(30)")
        except psycopg2.Error as e:
            errors.append(e)

    t = threading.Thread(target=sleeper)
    t.start()
    wait_for(lambda: activity(b, pid)[0] == "active")
    assert one(b, "SELECT pg_cancel_backend(%s)", (pid,)) == (True,)
    t.join(10)
    assert not t.is_alive()
    assert len(errors) == 1 and errors[0].pgcode == "57014"
    assert one(a, "SELECT 1") == (1,)  # the session itself goes on


def test_terminate_backend_ends_the_session(pair):
    a, b = pair
    pid = one(a, "SELECT pg_backend_pid()")[0]
    assert one(b, "SELECT pg_terminate_backend(%s)", (pid,)) == (True,)
    wait_for(lambda: one(b, "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)) == (0,))
    with pytest.raises(psycopg2.OperationalError):
        one(a, "SELECT 1")


def test_signalling_an_unknown_pid_returns_false(pair):
    _, b = pair
    assert one(b, "SELECT pg_cancel_backend(1), pg_terminate_backend(1)") == (False, False)
