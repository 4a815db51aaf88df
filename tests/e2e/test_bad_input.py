"""Malformed, hostile or excessive input on raw sockets. After each case a fresh
client must still get SELECT 1 answered."""
import resource
import socket
import struct
import time

import pytest

import pgwire
from pgwire import bind, execute, msg, parse, query, sync

MAX_MESSAGE_SIZE = 1048576


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    from conftest import ServerFactory
    f = ServerFactory(tmp_path_factory, "bad")
    s = f(max_message_size=MAX_MESSAGE_SIZE)
    yield s
    f.teardown()


def closed_with(c, timeout=10):
    """Waits for the server to close; returns the ErrorResponses it sent first."""
    closed, msgs = c.messages_until_close(timeout)
    assert closed, f"connection not closed; got {msgs}"
    return [pgwire.error_fields(b) for t, b in msgs if t == "E"]


def test_startup_length_too_small(srv):
    c = srv.raw()
    try:
        c.send(struct.pack("!I", 4))
        errs = closed_with(c)
        assert all(e["C"] == "08P01" for e in errs), errs
    finally:
        c.close()
    srv.assert_serving()


def test_startup_length_too_large(srv):
    c = srv.raw()
    try:
        c.send(struct.pack("!II", 20000, pgwire.PROTOCOL_3_0) + b"user\0postgres\0")
        errs = closed_with(c)
        assert all(e["C"] == "08P01" for e in errs), errs
    finally:
        c.close()
    srv.assert_serving()


def test_http_request_on_pg_port(srv):
    c = srv.raw()
    try:
        c.send(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        closed_with(c)
    finally:
        c.close()
    srv.assert_serving()


def test_protocol_2_refused(srv):
    c = srv.raw()
    try:
        c.send(pgwire.startup_message({"user": "postgres", "database": "postgres"},
                                      protocol=2 << 16))
        assert c.is_closed(10), "connection not closed"
        raw = c.buf
        assert raw[:1] == b"E", raw
        (ln,) = struct.unpack_from("!I", raw, 1)
        if len(raw) == 1 + ln:
            # A v3 ErrorResponse.
            e = pgwire.error_fields(raw[5:])
            assert e["S"] == "FATAL" and e["C"] == "0A000", e
            assert "unsupported frontend protocol 2.0" in e["M"], e
        else:
            # PostgreSQL answers a 2.0 client in the 2.0 format: 'E' and a C string.
            assert b"FATAL:  unsupported frontend protocol 2.0" in raw, raw
    finally:
        c.close()
    srv.assert_serving()


def test_startup_parameters_not_terminated(srv):
    c = srv.raw()
    try:
        body = struct.pack("!I", pgwire.PROTOCOL_3_0) + b"user\0postgres"     # no terminators
        c.send(struct.pack("!I", len(body) + 4) + body)
        errs = closed_with(c)
        assert all(e["C"] == "08P01" for e in errs), errs
    finally:
        c.close()
    srv.assert_serving()


@pytest.mark.hcdb_only
def test_message_over_max_size(srv):
    c = srv.connect_raw()
    try:
        # The length alone must be refused: no need to send (or buffer) the body.
        c.send(b"Q" + struct.pack("!I", 2 * MAX_MESSAGE_SIZE) + b"SELECT ")
        errs = closed_with(c)
        assert len(errs) == 1, errs
        assert errs[0]["S"] == "FATAL" and errs[0]["C"] == "08P01", errs
    finally:
        c.close()
    srv.assert_serving()


def test_message_just_under_max_size_ok(srv):
    c = srv.connect_raw()
    try:
        pad = MAX_MESSAGE_SIZE - 100
        res = c.query("SELECT 1 /*" + "x" * pad + "*/")
        assert res.errors == [] and res.text_rows() == [["1"]]
    finally:
        c.terminate()


def test_negative_message_length(srv):
    c = srv.connect_raw()
    try:
        c.send(b"Q" + struct.pack("!i", -100))
        errs = closed_with(c)
        assert all(e["C"] == "08P01" for e in errs), errs
    finally:
        c.close()
    srv.assert_serving()


def test_unknown_message_type(srv):
    c = srv.connect_raw()
    try:
        c.send(msg(b"x", b"whatever"))
        errs = closed_with(c)
        assert len(errs) == 1, errs
        assert errs[0]["S"] == "FATAL" and errs[0]["C"] == "08P01"
        assert errs[0]["M"] == "invalid frontend message type 120"
    finally:
        c.close()
    srv.assert_serving()


def test_truncated_message_then_disconnect(srv):
    c = srv.connect_raw()
    c.send(b"Q" + struct.pack("!I", 256) + b"SELECT 1")
    c.close()
    c = srv.raw()
    c.send(struct.pack("!I", 80))          # a truncated start-up packet
    c.close()
    srv.assert_serving()


def test_bind_counts_past_body(srv):
    c = srv.connect_raw()
    try:
        c.send(parse("SELECT $1::int"))
        # portal "", statement "", 0 format codes, 1 parameter claiming 100 bytes, 3 present.
        body = b"\0\0" + struct.pack("!HH", 0, 1) + struct.pack("!i", 100) + b"123"
        c.send(msg(b"B", body) + execute() + sync())
        msgs = c.recv_until("Z")
        kinds = "".join(t for t, _ in msgs)
        assert kinds == "1EZ", kinds
        e = pgwire.error_fields(msgs[1][1])
        assert e["S"] == "ERROR" and e["C"] == "08P01", e
        assert c.query("SELECT 'still here'").scalar() == "still here"
    finally:
        c.terminate()
    srv.assert_serving()


def test_bind_format_count_past_body(srv):
    c = srv.connect_raw()
    try:
        body = b"\0\0" + struct.pack("!H", 500) + b"\0\1"
        c.send(parse("SELECT 1") + msg(b"B", body) + execute() + sync())
        msgs = c.recv_until("Z")
        assert "".join(t for t, _ in msgs) == "1EZ"
        assert pgwire.error_fields(msgs[1][1])["C"] == "08P01"
        assert c.query("SELECT 1").scalar() == "1"
    finally:
        c.terminate()


def test_query_without_terminator(srv):
    c = srv.connect_raw()
    try:
        c.send(msg(b"Q", b"SELECT 1"))            # no NUL at the end of the string
        closed, msgs = c.messages_until_close(3)
        errs = [pgwire.error_fields(b) for t, b in msgs if t == "E"]
        # PostgreSQL answers FATAL 08P01 and closes; an ERROR that keeps the session is fine too.
        assert errs and errs[0]["C"] == "08P01", msgs
    finally:
        c.close()
    srv.assert_serving()


def test_invalid_utf8_query(srv):
    c = srv.connect_raw()
    try:
        c.send(msg(b"Q", b"SELECT '\xff\xfe'\0"))
        res = c.recv_result()
        assert len(res.errors) == 1, res.messages
        assert res.errors[0]["C"] == "22021"
        assert 'invalid byte sequence for encoding "UTF8": 0xff' in res.errors[0]["M"]
        assert c.query("SELECT 'ok'").scalar() == "ok"
    finally:
        c.terminate()


def test_invalid_utf8_parameter(srv):
    c = srv.connect_raw()
    try:
        c.send(parse("SELECT $1::text") + bind([b"a\xc3("]) + execute() + sync())
        msgs = c.recv_until("Z")
        errs = [pgwire.error_fields(b) for t, b in msgs if t == "E"]
        assert errs and errs[0]["C"] == "22021", msgs
    finally:
        c.terminate()


def test_pipelined_queries_never_read(srv):
    """20,000 queries sent without reading any answer, then a disconnect: the
    server must not buffer without bound and must keep serving."""
    c = srv.connect_raw()
    data = query("SELECT 1") * 20000
    c.sock.settimeout(10)
    sent = 0
    try:
        while sent < len(data):
            sent += c.sock.send(data[sent:sent + 65536])
    except socket.timeout:
        pass      # the server stopped reading: back-pressure, as it should
    time.sleep(1.0)
    # PostgreSQL serves each client from its own process: only hcdb's RSS is meaningful.
    is_hcdb = srv.__class__.__name__ == "HcdbServer"
    if is_hcdb:
        rss_mb = srv.rss_kib() / 1024
        assert rss_mb < 300, f"server RSS {rss_mb:.0f} MB while a client does not read"
    srv.assert_serving()
    c.close()
    time.sleep(0.5)
    srv.assert_serving()
    if is_hcdb:
        assert srv.rss_kib() / 1024 < 300


def test_disconnect_in_middle_of_results(srv):
    c = srv.connect_raw()
    big = "x" * 2000
    c.send(query(f"SELECT '{big}'") * 3000)
    c.recv_msg()                                   # the first answers arrive ...
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()                                      # ... then a reset, mid-stream
    srv.assert_serving()


def test_disconnect_during_long_statement(srv):
    c = srv.connect_raw()
    c.send(query("SELECT pg_sleep(1)"))
    c.close()
    time.sleep(1.5)
    srv.assert_serving()


def test_garbage_after_startup(srv):
    c = srv.connect_raw()
    try:
        c.send(bytes(range(256)) * 4)
        closed_with(c)
    finally:
        c.close()
    srv.assert_serving()


@pytest.fixture
def raised_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096
    if hard != resource.RLIM_INFINITY and hard < want:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} is below {want}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.slow
def test_thousand_idle_connections(server_factory, raised_nofile):
    s = server_factory(max_connections=1100)      # inherits the raised limit
    conns = []
    try:
        for _ in range(1000):
            conns.append(s.connect_raw(timeout=30))
        assert all(c.status == "I" for c in conns)
        for i, c in enumerate(conns):
            c.send(query(f"SELECT {i}"))
        for i, c in enumerate(conns):
            assert c.recv_result().text_rows() == [[str(i)]]
    finally:
        for c in conns:
            c.terminate()
    s.assert_serving()


def test_too_many_connections(server_factory):
    s = server_factory(max_connections=3)
    conns = [s.connect_raw() for _ in range(3)]
    try:
        with pytest.raises(pgwire.ServerError) as e:
            s.connect_raw().terminate()
        assert e.value.fields["C"] == "53300"
        assert e.value.fields["S"] == "FATAL"
        assert e.value.fields["M"] == "sorry, too many clients already"
        res = s.psql(sql="SELECT 1")
        assert res.returncode == 2 and "sorry, too many clients already" in res.stderr
        # A slot freed is a slot usable again (the server notices the close soon).
        conns.pop().terminate()
        deadline = time.monotonic() + 10
        while True:
            try:
                conns.append(s.connect_raw())
                break
            except pgwire.ServerError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert conns[-1].query("SELECT 1").scalar() == "1"
    finally:
        for c in conns:
            c.terminate()
