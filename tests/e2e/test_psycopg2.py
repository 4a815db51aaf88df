"""psycopg2 (libpq) over SCRAM: parameters, types, transactions, errors, cancel."""
import datetime
import decimal
import threading
import time

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
import pytest

PASSWORD = "hcdb-secret"


@pytest.fixture
def conn(scram_server):
    c = scram_server.pg_connect()
    yield c
    c.close()


def test_connect_scram_parameter_status(conn):
    assert conn.get_parameter_status("server_version").startswith("15.")
    assert conn.get_parameter_status("client_encoding") == "UTF8"
    assert conn.get_parameter_status("DateStyle").startswith("ISO")
    assert conn.get_parameter_status("standard_conforming_strings") == "on"
    assert conn.get_parameter_status("integer_datetimes") == "on"
    assert 150000 <= conn.server_version < 160000
    assert conn.info.backend_pid > 0


def test_wrong_password_fails(scram_server):
    with pytest.raises(psycopg2.OperationalError) as e:
        scram_server.pg_connect(password="not-the-password")
    assert 'password authentication failed for user "postgres"' in str(e.value)


UTC = datetime.timezone.utc


@pytest.mark.parametrize("value,sql,expected", [
    (42, "SELECT %s", 42),
    (-7, "SELECT %s", -7),
    (2**40, "SELECT %s", 2**40),
    (2.5, "SELECT %s::float8", 2.5),
    (-0.125, "SELECT %s::float4", -0.125),
    ("hello", "SELECT %s", "hello"),
    ("it's a \"quote\" and \\ backslash", "SELECT %s", "it's a \"quote\" and \\ backslash"),
    ("héllo wörld ✓", "SELECT %s", "héllo wörld ✓"),
    (True, "SELECT %s", True),
    (False, "SELECT %s", False),
    (None, "SELECT %s", None),
    (decimal.Decimal("12345.678900"), "SELECT %s", decimal.Decimal("12345.678900")),
    (decimal.Decimal("-0.5"), "SELECT %s::numeric", decimal.Decimal("-0.5")),
    (datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "SELECT %s",
     datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
    (41, "SELECT %s::int + 1", 42),
    ("7", "SELECT %s::int8 * 6", 42),
    ("abc", "SELECT %s || 'def'", "abcdef"),
    ("x", "SELECT %s::varchar", "x"),
])
def test_parameter_round_trip(conn, value, sql, expected):
    cur = conn.cursor()
    cur.execute(sql, (value,))
    got = cur.fetchone()[0]
    if isinstance(expected, datetime.datetime):
        assert got == expected
        assert got.utcoffset() is not None
    else:
        assert got == expected
        assert type(got) is type(expected)


def test_bytea_round_trip(conn):
    data = bytes(range(256)) + b"\x00tail"
    cur = conn.cursor()
    cur.execute("SELECT %s", (psycopg2.Binary(data),))
    got = cur.fetchone()[0]
    assert bytes(got) == data


def test_several_parameters(conn):
    cur = conn.cursor()
    cur.execute("SELECT %s, %s, %s, %s", (1, "two", None, 4.0))
    assert cur.fetchone() == (1, "two", None, decimal.Decimal("4.0"))


def test_description_type_oids(conn):
    cur = conn.cursor()
    cur.execute("SELECT 1::int2 AS a, 1::int4 AS b, 1::int8 AS c, 1.5::float4 AS d, "
                "1.5::float8 AS e, 1.5::numeric AS f, 'a'::text AS g, 'a'::varchar AS h, "
                "true AS i, '\\x00'::bytea AS j, now() AS k")
    names = [d.name for d in cur.description]
    codes = [d.type_code for d in cur.description]
    assert names == list("abcdefghijk")
    assert codes == [21, 23, 20, 700, 701, 1700, 25, 1043, 16, 17, 1184]
    row = cur.fetchone()
    assert row[:10] == (1, 1, 1, 1.5, 1.5, decimal.Decimal("1.5"), "a", "a", True,
                        memoryview(b"\x00")) or bytes(row[9]) == b"\x00"
    assert isinstance(row[10], datetime.datetime) and row[10].tzinfo is not None


def test_select_without_rows_description(conn):
    cur = conn.cursor()
    cur.execute("SET application_name = 'z'")
    assert cur.description is None
    assert cur.statusmessage == "SET"


def test_transaction_commit_and_status(conn):
    assert conn.autocommit is False
    cur = conn.cursor()
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    cur.execute("SELECT 1")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
    conn.commit()
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE


def test_error_aborts_transaction_until_rollback(conn):
    cur = conn.cursor()
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.errors.DivisionByZero):
        cur.execute("SELECT 1/0")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR
    with pytest.raises(psycopg2.errors.InFailedSqlTransaction) as e:
        cur.execute("SELECT 2")
    assert e.value.pgcode == "25P02"
    conn.rollback()
    cur.execute("SELECT 3")
    assert cur.fetchone() == (3,)
    conn.commit()


def test_autocommit_no_transaction(conn):
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE


def test_undefined_table(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.UndefinedTable) as e:
        cur.execute("SELECT * FROM missing_table")
    assert e.value.pgcode == "42P01"
    assert 'relation "missing_table" does not exist' in e.value.pgerror
    conn.rollback()


def test_syntax_error_code(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.SyntaxError) as e:
        cur.execute("SELEC 1")
    assert e.value.pgcode == "42601"
    assert e.value.diag.statement_position == "1"
    conn.rollback()


def test_cancel_from_thread(conn):
    conn.autocommit = True
    cur = conn.cursor()
    errors = []

    def cancel_soon():
        time.sleep(0.5)
        try:
            conn.cancel()
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=cancel_soon)
    t.start()
    try:
        with pytest.raises(psycopg2.errors.QueryCanceled) as e:
            cur.execute("SELECT pg_sleep(10)")
    finally:
        t.join(30)
    assert not errors
    assert e.value.pgcode == "57014"
    assert "canceling statement due to user request" in e.value.pgerror
    cur.execute("SELECT 'still usable'")
    assert cur.fetchone() == ("still usable",)


def test_statement_timeout(conn):
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET statement_timeout = 100")
    cur.execute("SHOW statement_timeout")
    assert cur.fetchone() == ("100ms",)
    with pytest.raises(psycopg2.errors.QueryCanceled) as e:
        cur.execute("SELECT pg_sleep(10)")
    assert e.value.pgcode == "57014"
    assert "statement timeout" in e.value.pgerror
    cur.execute("RESET statement_timeout")
    cur.execute("SELECT pg_sleep(0.01)")
    assert cur.fetchone() == ("",)   # void is sent as an empty string, not NULL


def test_pg_sleep_returns_void(conn):
    cur = conn.cursor()
    cur.execute("SELECT pg_sleep(0)")
    assert cur.description[0].type_code == 2278
    assert cur.fetchone() == ("",)   # void is sent as an empty string, not NULL
    conn.rollback()


def test_options_application_name(scram_server):
    c = scram_server.pg_connect(options="-c application_name=from_options")
    try:
        cur = c.cursor()
        cur.execute("SHOW application_name")
        assert cur.fetchone() == ("from_options",)
    finally:
        c.close()


def test_application_name_parameter(scram_server):
    c = scram_server.pg_connect(application_name="from_param")
    try:
        assert c.get_parameter_status("application_name") == "from_param"
        cur = c.cursor()
        cur.execute("SHOW application_name")
        assert cur.fetchone() == ("from_param",)
    finally:
        c.close()


def test_startup_statement_timeout_option(scram_server):
    c = scram_server.pg_connect(options="-c statement_timeout=1234")
    try:
        cur = c.cursor()
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone() == ("1234ms",)
    finally:
        c.close()


def test_many_sequential_connections(scram_server):
    for i in range(20):
        c = scram_server.pg_connect()
        cur = c.cursor()
        cur.execute("SELECT %s::int * 2", (i,))
        assert cur.fetchone() == (i * 2,)
        c.close()
