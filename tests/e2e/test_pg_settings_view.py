"""pg_settings as monitoring reads it (the Prometheus exporter turns every bool,
integer and real row into a metric): the setting in its base unit with the
unit beside it, vartype, context, range, and the values the server's own
options fix (max_connections, fsync)."""
import pytest

COLS = "name, setting, unit, vartype, context, min_val, max_val"


def rows(srv, where):
    conn = srv.pg_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {COLS} FROM pg_settings WHERE {where} ORDER BY name")
            return cur.fetchall()
    finally:
        conn.close()


def test_numbers_are_in_base_units(trust_server):
    assert rows(trust_server, "name IN ('work_mem', 'statement_timeout', 'shared_buffers', 'jit', "
                              "'max_identifier_length', 'block_size', 'max_connections')") == [
        ("block_size", "8192", None, "integer", "internal", "8192", "8192"),
        ("jit", "on", None, "bool", "user", None, None),
        ("max_connections", "100", None, "integer", "postmaster", "1", "262143"),
        ("max_identifier_length", "63", None, "integer", "internal", "63", "63"),
        ("shared_buffers", "16384", "8kB", "integer", "postmaster", "16", "1073741823"),
        ("statement_timeout", "0", "ms", "integer", "user", "0", "2147483647"),
        ("work_mem", "4096", "kB", "integer", "user", "64", "2147483647"),
    ]


def test_session_changes_show_in_base_units(trust_server):
    conn = trust_server.pg_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET work_mem = '8MB'")
            cur.execute("SET statement_timeout = '2s'")
            cur.execute("SELECT name, setting, source FROM pg_settings "
                        "WHERE name IN ('work_mem', 'statement_timeout') ORDER BY name")
            assert cur.fetchall() == [("statement_timeout", "2000", "session"), ("work_mem", "8192", "session")]
    finally:
        conn.close()


def test_server_options_show(server_factory):
    srv = server_factory(max_connections=37)
    conn = srv.pg_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW max_connections")
            assert cur.fetchone() == ("37",)
            cur.execute("SELECT setting, vartype, context FROM pg_settings WHERE name = 'max_connections'")
            assert cur.fetchone() == ("37", "integer", "postmaster")
    finally:
        conn.close()


@pytest.mark.hcdb_only   # the --fsync option is hcdb's
def test_fsync_option_shows(server_factory):
    srv = server_factory(args=["--fsync", "off"])
    conn = srv.pg_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT setting, vartype, context FROM pg_settings WHERE name = 'fsync'")
            assert cur.fetchone() == ("off", "bool", "sighup")
    finally:
        conn.close()
