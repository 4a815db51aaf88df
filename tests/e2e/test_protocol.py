"""The v3 protocol on raw sockets: start-up, simple and extended query flows,
transaction status, cancel, negotiation."""
import socket
import struct
import threading
import time

import pytest

import pgwire
from pgwire import bind, close, describe, execute, flush, parse, query, sync

MUST_HAVE_PARAMS = {
    "client_encoding": "UTF8",
    "DateStyle": "ISO, MDY",
    "standard_conforming_strings": "on",
    "integer_datetimes": "on",
    "server_encoding": "UTF8",
}
ALL_PARAMS = {"application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
              "in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser",
              "server_encoding", "server_version", "session_authorization",
              "standard_conforming_strings", "TimeZone"}


@pytest.fixture
def conn(trust_server):
    c = trust_server.connect_raw()
    yield c
    c.close()


def types_of(msgs):
    return "".join(t for t, _ in msgs)


def assert_quiet(c, wait=0.3):
    """Nothing more arrives (no stray ReadyForQuery or other message)."""
    c.sock.settimeout(wait)
    try:
        data = c.sock.recv(1)
    except socket.timeout:
        data = None
    finally:
        c.sock.settimeout(pgwire.DEFAULT_TIMEOUT)
    assert data is None and not c.buf, f"unexpected bytes after ReadyForQuery: {data!r} {c.buf!r}"


# ------------------------------------------------------------------ start-up

def test_startup_sequence(trust_server):
    c = trust_server.raw()
    try:
        seen = c.startup(extra={"application_name": "raw-test"})
        kinds = types_of(seen)
        assert kinds[0] == "R" and seen[0][1] == b"\0\0\0\0"           # AuthenticationOk
        assert kinds[-2:] == "KZ", kinds                             # BackendKeyData, ReadyForQuery
        assert set(kinds[1:-2]) == {"S"}, kinds
        assert ALL_PARAMS <= set(c.params), sorted(c.params)
        for k, v in MUST_HAVE_PARAMS.items():
            assert c.params[k] == v, (k, c.params[k])
        assert c.params["server_version"].startswith("15.")
        assert c.params["application_name"] == "raw-test"
        assert c.params["session_authorization"] == "postgres"
        assert c.params["is_superuser"] == "on"
        assert c.status == "I"
        assert c.pid is not None and c.key is not None
    finally:
        c.terminate()


def test_backend_keys_differ(trust_server):
    a, b = trust_server.connect_raw(), trust_server.connect_raw()
    try:
        assert (a.pid, a.key) != (b.pid, b.key)
        assert a.pid != b.pid
    finally:
        a.terminate()
        b.terminate()


def test_startup_options_and_settings(trust_server):
    c = trust_server.connect_raw(extra={"options": "-c statement_timeout=4321 -capplication_name=opt",
                                        "DateStyle": "ISO, MDY"})
    try:
        assert c.query("SHOW statement_timeout").scalar() == "4321ms"
        assert c.query("SHOW application_name").scalar() == "opt"
    finally:
        c.terminate()


def test_unknown_pq_option_negotiated(trust_server):
    c = trust_server.raw()
    try:
        seen = c.startup(extra={"_pq_.xyz": "1"})
        assert seen[0][0] == "v", types_of(seen)
        newest, names = c.negotiate
        assert newest in (0, 0x00030000)          # minor 0 (PostgreSQL sends 3.0 as a whole)
        assert names == ["_pq_.xyz"]
        assert types_of(seen[1:])[0] == "R"
        assert c.query("SELECT 1").scalar() == "1"
    finally:
        c.terminate()


def test_protocol_3_1_negotiated_down(trust_server):
    c = trust_server.raw()
    try:
        seen = c.startup(protocol=(3 << 16) | 1)
        assert seen[0][0] == "v", types_of(seen)
        newest, names = c.negotiate
        assert newest & 0xFFFF == 0 and newest >> 16 in (0, 3)
        assert names == []
        assert c.query("SELECT 1").scalar() == "1"
    finally:
        c.terminate()


def test_terminate_closes(conn):
    conn.send(pgwire.terminate())
    assert conn.is_closed(10)
    assert conn.buf == b""


# ------------------------------------------------------------------ simple query

def test_simple_query_messages(conn):
    res = conn.query("SELECT 1 AS one, 'two' AS two")
    assert res.types == ["T", "D", "C", "Z"]
    cols = res.columns[0]
    assert [(c["name"], c["type_oid"], c["typlen"], c["format"]) for c in cols] == \
        [("one", 23, 4, 0), ("two", 25, -1, 0)]
    assert res.text_rows() == [["1", "two"]]
    assert res.tags == ["SELECT 1"]
    assert res.status == "I"


def test_multi_statement_query(conn):
    res = conn.query("SELECT 1; SELECT 'b' AS x;")
    assert res.types == ["T", "D", "C", "T", "D", "C", "Z"]
    assert res.text_rows() == [["1"], ["b"]]


def test_multi_statement_stops_at_error(conn):
    res = conn.query("SELECT 1; SELECT 1/0; SELECT 3")
    # A RowDescription may precede a run-time error (PostgreSQL folds 1/0 before that).
    assert res.types in (["T", "D", "C", "E", "Z"], ["T", "D", "C", "T", "E", "Z"])
    assert res.errors[0]["C"] == "22012"
    assert res.status == "I"


def test_empty_query(conn):
    res = conn.query("")
    assert res.types == ["I", "Z"]
    res = conn.query("  ;  ")
    assert res.types == ["I", "Z"]


def test_error_fields(conn):
    res = conn.query("SELECT * FROM missing_table")
    assert res.types == ["E", "Z"]
    e = res.errors[0]
    assert e["S"] == "ERROR" and e["V"] == "ERROR"
    assert e["C"] == "42P01"
    assert e["M"] == 'relation "missing_table" does not exist'
    assert e["P"] == "15"


def test_ready_for_query_status_bytes(conn):
    assert conn.status == "I"
    res = conn.query("BEGIN")
    assert (res.tags, res.status) == (["BEGIN"], "T")
    res = conn.query("SELECT 1")
    assert res.status == "T"
    res = conn.query("SELECT 1/0")
    assert res.errors[0]["C"] == "22012" and res.status == "E"
    res = conn.query("SELECT 1")
    assert res.errors[0]["C"] == "25P02" and res.status == "E"
    assert res.rows == []
    res = conn.query("ROLLBACK")
    assert (res.tags, res.status) == (["ROLLBACK"], "I")
    res = conn.query("SELECT 1")
    assert res.status == "I" and not res.errors


def test_commit_of_failed_transaction_rolls_back(conn):
    conn.query("BEGIN")
    conn.query("SELECT 1/0")
    res = conn.query("COMMIT")
    assert res.tags == ["ROLLBACK"] and res.status == "I"


def test_commit_outside_transaction_warns(conn):
    res = conn.query("COMMIT")
    assert res.tags == ["COMMIT"] and res.status == "I"
    assert res.notices and res.notices[0]["C"] == "25P01", res.messages


def test_begin_in_multi_statement(conn):
    res = conn.query("BEGIN; SELECT 1; COMMIT; BEGIN")
    assert res.tags == ["BEGIN", "SELECT 1", "COMMIT", "BEGIN"]
    assert res.status == "T"
    assert conn.query("ROLLBACK").status == "I"


# ------------------------------------------------------------------ extended query

def run_batch(c, *messages):
    c.send(b"".join(messages))
    return c.recv_until("Z")


def test_extended_unnamed(conn):
    msgs = run_batch(conn, parse("SELECT $1::int + 1 AS r"), bind(["41"]), describe("P"),
                     execute(), sync())
    assert types_of(msgs) == "12TDCZ"
    cols = pgwire.row_description(msgs[2][1])
    assert [(c["name"], c["type_oid"]) for c in cols] == [("r", 23)]
    assert pgwire.data_row(msgs[3][1]) == [b"42"]
    assert msgs[4][1] == b"SELECT 1\0"
    assert msgs[5][1] == b"I"


def test_describe_statement(conn):
    msgs = run_batch(conn, parse("SELECT $1::int4 AS a, $2::text AS b, 2.5::float8 AS c", "st1"),
                     describe("S", "st1"), sync())
    assert types_of(msgs) == "1tTZ"
    assert pgwire.parameter_description(msgs[1][1]) == [23, 25]
    cols = pgwire.row_description(msgs[2][1])
    assert [(c["name"], c["type_oid"], c["format"]) for c in cols] == \
        [("a", 23, 0), ("b", 25, 0), ("c", 701, 0)]
    run_batch(conn, close("S", "st1"), sync())


def test_describe_statement_declared_types(conn):
    msgs = run_batch(conn, parse("SELECT $1 AS v", "", [20]), describe("S"), sync())
    assert types_of(msgs) == "1tTZ"
    assert pgwire.parameter_description(msgs[1][1]) == [20]
    assert pgwire.row_description(msgs[2][1])[0]["type_oid"] == 20


def test_describe_no_data(conn):
    msgs = run_batch(conn, parse("SET statement_timeout = 1000"), describe("S"), bind(),
                     describe("P"), execute(), sync())
    assert types_of(msgs) == "1tn2nCZ"
    assert msgs[5][1] == b"SET\0"


def test_set_reported_setting_sends_parameter_status(conn):
    res = conn.query("SET application_name = 'changed'")
    assert res.tags == ["SET"]
    statuses = [pgwire.parameter_status(b) for t, b in res.messages if t == "S"]
    assert ("application_name", "changed") in statuses, res.messages
    # Not reported again when nothing changed on the next statement.
    res = conn.query("SELECT 1")
    assert "S" not in res.types


def test_named_statement_reuse_and_close(conn):
    run_batch(conn, parse("SELECT $1::int * 2", "dbl"), sync())
    batch = []
    for i in range(5):
        batch += [bind([str(i)], stmt="dbl"), execute()]
    msgs = run_batch(conn, *batch, sync())
    assert types_of(msgs) == "2DC" * 5 + "Z"
    rows = [pgwire.data_row(b)[0] for t, b in msgs if t == "D"]
    assert rows == [b"0", b"2", b"4", b"6", b"8"]
    # A second Parse with the same name is an error (42P05) ...
    msgs = run_batch(conn, parse("SELECT 1", "dbl"), sync())
    assert types_of(msgs) == "EZ"
    assert pgwire.error_fields(msgs[0][1])["C"] == "42P05"
    # ... the statement still works, until Close.
    msgs = run_batch(conn, bind(["21"], stmt="dbl"), execute(), close("S", "dbl"), sync())
    assert types_of(msgs) == "2DC3Z"
    msgs = run_batch(conn, bind(["1"], stmt="dbl"), execute(), sync())
    assert types_of(msgs) == "EZ"
    e = pgwire.error_fields(msgs[0][1])
    assert e["C"] == "26000" and e["M"] == 'prepared statement "dbl" does not exist'
    # Closing a statement that does not exist is not an error.
    assert types_of(run_batch(conn, close("S", "nope"), close("P", "nope"), sync())) == "33Z"


def test_unnamed_statement_replaced(conn):
    msgs = run_batch(conn, parse("SELECT 1"), parse("SELECT 2"), bind(), execute(), sync())
    assert types_of(msgs) == "112DCZ"
    assert pgwire.data_row(msgs[3][1]) == [b"2"]


def test_flush_without_sync(conn):
    conn.send(parse("SELECT 'flushed'") + bind() + describe("P") + execute() + flush())
    got = [conn.recv_msg() for _ in range(5)]
    assert types_of(got) == "12TDC"
    assert pgwire.data_row(got[3][1]) == [b"flushed"]
    assert_quiet(conn)
    conn.send(sync())
    assert conn.recv_msg() == ("Z", b"I")


def test_binary_params_and_results(conn):
    msgs = run_batch(conn, parse("SELECT $1::int4 + 1 AS i, $2::int8 AS j, $3::text AS t, "
                                 "$4::bool AS b, $5::float8 AS f", "", [23, 20, 25, 16, 701]),
                     bind([struct.pack("!i", 41), struct.pack("!q", -5), b"bin", b"\x01",
                           struct.pack("!d", 0.25)], param_formats=[1], result_formats=[1]),
                     describe("P"), execute(), sync())
    assert types_of(msgs) == "12TDCZ"
    cols = pgwire.row_description(msgs[2][1])
    assert [c["format"] for c in cols] == [1] * 5
    vals = pgwire.data_row(msgs[3][1])
    assert vals[0] == b"\x00\x00\x00\x2a"
    assert struct.unpack("!q", vals[1]) == (-5,)
    assert vals[2] == b"bin"
    assert vals[3] == b"\x01"
    assert struct.unpack("!d", vals[4]) == (0.25,)


def test_mixed_result_formats(conn):
    msgs = run_batch(conn, parse("SELECT 7::int4, 8::int4"), bind(result_formats=[0, 1]),
                     describe("P"), execute(), sync())
    assert types_of(msgs) == "12TDCZ"
    assert [c["format"] for c in pgwire.row_description(msgs[2][1])] == [0, 1]
    assert pgwire.data_row(msgs[3][1]) == [b"7", b"\x00\x00\x00\x08"]


def test_null_parameter(conn):
    msgs = run_batch(conn, parse("SELECT $1::int IS NULL, $1::int"), bind([None]), execute(), sync())
    assert types_of(msgs) == "12DCZ"
    assert pgwire.data_row(msgs[2][1]) == [b"t", None]


def test_invalid_text_parameter(conn):
    msgs = run_batch(conn, parse("SELECT $1::int"), bind(["abc"]), execute(), sync())
    assert types_of(msgs) == "1EZ"
    e = pgwire.error_fields(msgs[1][1])
    assert e["C"] == "22P02"
    assert e["M"] == 'invalid input syntax for type integer: "abc"'


def test_bind_wrong_parameter_count(conn):
    msgs = run_batch(conn, parse("SELECT $1::int"), bind(["1", "2"]), execute(), sync())
    assert types_of(msgs) == "1EZ"
    e = pgwire.error_fields(msgs[1][1])
    assert e["C"] == "08P01"
    assert e["M"] == 'bind message supplies 2 parameters, but prepared statement "" requires 1'


THREE_ROWS = "SELECT * FROM generate_series(1,3)"


def test_execute_max_rows_portal_suspended(conn):
    msgs = run_batch(conn, parse(THREE_ROWS), bind(), execute(max_rows=1), execute(max_rows=1),
                     execute(max_rows=0), sync())
    assert types_of(msgs) == "12DsDsDCZ", types_of(msgs)
    rows = [pgwire.data_row(b)[0] for t, b in msgs if t == "D"]
    assert rows == [b"1", b"2", b"3"]
    assert msgs[-2][1] == b"SELECT 1\0"


def test_named_portal_in_transaction(conn):
    conn.query("BEGIN")
    msgs = run_batch(conn, parse(THREE_ROWS), bind(portal="p1"), execute("p1", 2), sync())
    assert types_of(msgs) == "12DDsZ" and msgs[-1][1] == b"T"
    # The named portal survives Sync inside a transaction block.
    msgs = run_batch(conn, execute("p1", 0), close("P", "p1"), sync())
    assert types_of(msgs) == "DC3Z"
    assert conn.query("COMMIT").status == "I"


def test_discard_all_deallocates_prepared_statements(conn):
    msgs = run_batch(conn, parse("SELECT 7", name="keep"), sync())
    assert types_of(msgs) == "1Z"
    assert conn.query("DISCARD ALL").status == "I"
    msgs = run_batch(conn, bind(stmt="keep"), execute(), sync())
    assert types_of(msgs) == "EZ", types_of(msgs)
    e = pgwire.error_fields(msgs[0][1])
    assert e["C"] == "26000" and e["M"] == 'prepared statement "keep" does not exist', e


def test_error_skips_until_sync(conn):
    msgs = run_batch(conn, parse("SELECT 1/0"), bind(), execute(),
                     parse("SELECT 2"), bind(), execute(), sync())
    # The error may come from Bind (PostgreSQL folds 1/0 while planning) or Execute.
    assert types_of(msgs) in ("12EZ", "1EZ"), types_of(msgs)
    assert pgwire.error_fields(msgs[-2][1])["C"] == "22012"
    assert_quiet(conn)
    assert conn.query("SELECT 3").scalar() == "3"


def test_parse_error_skips_until_sync(conn):
    msgs = run_batch(conn, parse("SELEC 1"), bind(), describe("P"), execute(), flush(), sync())
    assert types_of(msgs) == "EZ"
    e = pgwire.error_fields(msgs[0][1])
    assert e["C"] == "42601" and e["P"] == "1"
    assert_quiet(conn)
    # Each further Sync gets its own ReadyForQuery.
    msgs = run_batch(conn, sync())
    assert types_of(msgs) == "Z"
    assert_quiet(conn)


def test_extended_error_in_transaction(conn):
    conn.query("BEGIN")
    msgs = run_batch(conn, parse("SELECT 1/0"), bind(), execute(), sync())
    assert types_of(msgs) in ("12EZ", "1EZ") and msgs[-1][1] == b"E"
    msgs = run_batch(conn, parse("SELECT 1"), bind(), execute(), sync())
    assert types_of(msgs) == "EZ" and msgs[-1][1] == b"E"
    assert pgwire.error_fields(msgs[0][1])["C"] == "25P02"
    assert conn.query("ROLLBACK").status == "I"


def test_extended_empty_query(conn):
    msgs = run_batch(conn, parse(""), bind(), describe("P"), execute(), sync())
    assert types_of(msgs) == "12nIZ"


def test_many_pipelined_extended(conn):
    batch = []
    for i in range(200):
        batch += [parse(f"SELECT {i}"), bind(), execute()]
    msgs = run_batch(conn, *batch, sync())
    assert types_of(msgs) == "12DC" * 200 + "Z"
    assert [pgwire.data_row(b)[0] for t, b in msgs if t == "D"] == \
        [str(i).encode() for i in range(200)]


# ------------------------------------------------------------------ cancel

def test_cancel_request(trust_server, conn):
    conn.send(query("SELECT pg_sleep(10)"))
    time.sleep(0.3)   # let the statement start; the result does not depend on it
    pgwire.send_cancel(trust_server.host, trust_server.port, conn.pid, conn.key)
    res = conn.recv_result()
    assert res.errors and res.errors[0]["C"] == "57014", res.messages
    assert res.errors[0]["M"] == "canceling statement due to user request"
    assert res.status == "I"
    assert conn.query("SELECT 'alive'").scalar() == "alive"


def test_cancel_with_wrong_key_cancels_nothing(trust_server, conn):
    conn.send(query("SELECT pg_sleep(1.5)"))
    time.sleep(0.2)
    pgwire.send_cancel(trust_server.host, trust_server.port, conn.pid, (conn.key + 1) & 0xFFFFFFFF)
    pgwire.send_cancel(trust_server.host, trust_server.port, (conn.pid + 1) & 0xFFFFFFFF, conn.key)
    res = conn.recv_result()
    assert res.errors == [], res.errors
    assert res.text_rows() == [[""]]


def test_cancel_in_transaction(trust_server, conn):
    conn.query("BEGIN")
    conn.send(query("SELECT pg_sleep(10)"))
    time.sleep(0.3)
    pgwire.send_cancel(trust_server.host, trust_server.port, conn.pid, conn.key)
    res = conn.recv_result()
    assert res.errors[0]["C"] == "57014"
    assert res.status == "E"
    assert conn.query("ROLLBACK").status == "I"


def test_cancel_idle_connection_is_harmless(trust_server, conn):
    pgwire.send_cancel(trust_server.host, trust_server.port, conn.pid, conn.key)
    time.sleep(0.2)
    assert conn.query("SELECT 5").scalar() == "5"


def test_cancel_extended_protocol(trust_server, conn):
    conn.send(parse("SELECT pg_sleep(10)") + bind() + execute() + sync())
    time.sleep(0.3)
    pgwire.send_cancel(trust_server.host, trust_server.port, conn.pid, conn.key)
    msgs = conn.recv_until("Z")
    assert "E" in types_of(msgs)
    assert pgwire.error_fields(dict(msgs)["E"])["C"] == "57014"
    assert conn.query("SELECT 6").scalar() == "6"
