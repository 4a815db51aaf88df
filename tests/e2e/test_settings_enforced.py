"""client_min_messages filters what reaches the client, over psycopg2
(also checked against PostgreSQL 15)."""
import pytest


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    yield c
    c.close()


def notices_of(conn, sql):
    del conn.notices[:]
    with conn.cursor() as cur:
        cur.execute(sql)
    return list(conn.notices)


def test_client_min_messages_hides_notices_below_it(conn):
    drop = "DROP TABLE IF EXISTS no_such_table_here"
    assert notices_of(conn, drop) == ['NOTICE:  table "no_such_table_here" does not exist, skipping\n']
    notices_of(conn, "SET client_min_messages = warning")
    assert notices_of(conn, drop) == []
    notices_of(conn, "SET client_min_messages = log")
    assert len(notices_of(conn, drop)) == 1
    notices_of(conn, "RESET client_min_messages")
    assert len(notices_of(conn, drop)) == 1


def test_client_min_messages_rejects_unknown_levels(conn):
    import psycopg2
    with pytest.raises(psycopg2.Error) as e:
        notices_of(conn, "SET client_min_messages = loud")
    assert e.value.pgcode == "22023"


def show_in_new_session(server, name):
    c = server.pg_connect()
    try:
        with c.cursor() as cur:
            cur.execute(f"SHOW {name}")
            return cur.fetchone()[0]
    finally:
        c.close()


def wait_for_value(server, name, value):
    import time
    deadline = time.monotonic() + 10
    while show_in_new_session(server, name) != value and time.monotonic() < deadline:
        time.sleep(0.1)  # PostgreSQL reloads asynchronously
    return show_in_new_session(server, name)


def test_alter_system_applies_at_reload(trust_server, conn):
    with conn.cursor() as cur:
        cur.execute("ALTER SYSTEM SET work_mem = '8MB'")
        assert show_in_new_session(trust_server, "work_mem") == "4MB"
        cur.execute("SELECT pg_reload_conf()")
        assert cur.fetchone() == (True,)
        assert wait_for_value(trust_server, "work_mem", "8MB") == "8MB"
        cur.execute("ALTER SYSTEM RESET work_mem")
        cur.execute("SELECT pg_reload_conf()")
        assert wait_for_value(trust_server, "work_mem", "4MB") == "4MB"


@pytest.mark.parametrize("sql,code", [
    ("ALTER SYSTEM SET no_such_setting = 1", "42704"),
    ("ALTER SYSTEM SET statement_timeout = 'soon'", "22023"),
])
def test_alter_system_bad_input(conn, sql, code):
    import psycopg2
    with pytest.raises(psycopg2.Error) as e:
        notices_of(conn, sql)
    assert e.value.pgcode == code


def test_alter_system_not_in_a_block(trust_server):
    import psycopg2
    c = trust_server.pg_connect()
    try:
        with pytest.raises(psycopg2.Error) as e:
            with c.cursor() as cur:
                cur.execute("ALTER SYSTEM SET work_mem = '8MB'")
        assert e.value.pgcode == "25001"
    finally:
        c.close()


@pytest.mark.hcdb_only
def test_alter_system_survives_restart(server_factory):
    srv = server_factory()
    c = srv.pg_connect()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute("ALTER SYSTEM SET statement_timeout = '5s'")
    c.close()
    srv.stop()
    srv.start()
    assert show_in_new_session(srv, "statement_timeout") == "5s"


def test_search_path_decides_what_bare_names_find(conn):
    import psycopg2
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS sp_items (a int)")
        cur.execute("SET search_path = no_such_schema")
        cur.execute("SELECT current_schema()")
        assert cur.fetchone() == (None,)
        with pytest.raises(psycopg2.Error) as e:
            cur.execute("SELECT * FROM sp_items")
        assert e.value.pgcode == "42P01"
        cur.execute("SELECT count(*) FROM public.sp_items")
        assert cur.fetchone() == (0,)
        cur.execute("SELECT count(*) > 0 FROM pg_class")  # pg_catalog is always searched
        assert cur.fetchone() == (True,)
        cur.execute("SET search_path = pg_catalog, public")
        cur.execute("SELECT current_schema(), count(*) FROM sp_items")
        assert cur.fetchone() == ("pg_catalog", 0)
        cur.execute('SET search_path = "$user", public')
        cur.execute("SELECT current_schema(), pg_table_is_visible('public.sp_items'::regclass)")
        assert cur.fetchone() == ("public", True)
        cur.execute("RESET search_path")
