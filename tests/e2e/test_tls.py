"""TLS: sslmode=require, channel binding, SSLRequest/GSSENCRequest answers."""
import ssl

import psycopg2
import pytest

import pgwire

PASSWORD = "tls-pw"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory, tls_files):
    from conftest import ServerFactory
    f = ServerFactory(tmp_path_factory, "tls")
    srv = f(auth="scram-sha-256", password=PASSWORD, tls=tls_files)
    yield srv
    f.teardown()


def test_psql_sslmode_require(tls_server):
    res = tls_server.psql("-c", "\\conninfo", sql="SELECT 1", sslmode="require")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("1\n")
    assert "SSL connection (protocol: TLSv1." in res.stdout, res.stdout


def test_psycopg2_ssl_in_use(tls_server):
    c = tls_server.pg_connect(sslmode="require")
    try:
        assert c.info.ssl_in_use
        assert c.info.ssl_attribute("protocol").startswith("TLSv1.")
        cur = c.cursor()
        cur.execute("SELECT %s::int + 1", (1,))
        assert cur.fetchone() == (2,)
    finally:
        c.close()


def test_plain_connection_still_allowed(tls_server):
    c = tls_server.pg_connect(sslmode="disable")
    try:
        assert not c.info.ssl_in_use
    finally:
        c.close()


def test_scram_channel_binding_required(tls_server):
    conninfo = (f"host={tls_server.host} port={tls_server.port} user=postgres dbname=postgres "
                "sslmode=require channel_binding=require")
    res = tls_server.psql(sql="SELECT current_user", conninfo=conninfo)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "postgres\n"


def test_scram_plus_offered_over_tls(tls_server):
    c = tls_server.raw()
    try:
        c.send(pgwire.ssl_request())
        assert c.recv_byte() == b"S"
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c.sock = ctx.wrap_socket(c.sock)
        c.send(pgwire.startup_message({"user": "postgres", "database": "postgres"}))
        t, body = c.recv_msg()
        assert t == "R" and body[:4] == b"\0\0\0\x0a", (t, body)
        mechs = [m for m in body[4:].split(b"\0") if m]
        assert b"SCRAM-SHA-256-PLUS" in mechs and b"SCRAM-SHA-256" in mechs
    finally:
        c.close()


def test_channel_binding_wrong_password(tls_server):
    conninfo = (f"host={tls_server.host} port={tls_server.port} user=postgres dbname=postgres "
                "sslmode=require channel_binding=require")
    res = tls_server.psql(sql="SELECT 1", conninfo=conninfo, password="wrong")
    assert res.returncode == 2
    assert 'password authentication failed for user "postgres"' in res.stderr, res.stderr


def test_raw_tls_session(tls_server):
    c = tls_server.raw()
    try:
        c.send(pgwire.ssl_request())
        assert c.recv_byte() == b"S"
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c.sock = ctx.wrap_socket(c.sock)
        c.startup(password=PASSWORD)
        assert c.query("SELECT 'over tls'").scalar() == "over tls"
    finally:
        c.terminate()


def test_sslmode_require_without_tls_fails(trust_server):
    res = trust_server.psql(sql="SELECT 1", sslmode="require")
    assert res.returncode == 2
    assert "server does not support SSL, but SSL was required" in res.stderr, res.stderr
    with pytest.raises(psycopg2.OperationalError):
        trust_server.pg_connect(sslmode="require")


def test_ssl_request_answered_n_then_startup(trust_server):
    c = trust_server.raw()
    try:
        c.send(pgwire.ssl_request())
        assert c.recv_byte() == b"N"
        c.startup()
        assert c.query("SELECT 1").scalar() == "1"
    finally:
        c.terminate()


@pytest.mark.hcdb_only   # a PostgreSQL built with GSSAPI may answer 'G'
def test_gssenc_request_answered_n(trust_server):
    c = trust_server.raw()
    try:
        c.send(pgwire.gssenc_request())
        assert c.recv_byte() == b"N"
        # The client may then try SSL on the same socket, then start up.
        c.send(pgwire.ssl_request())
        assert c.recv_byte() == b"N"
        c.startup()
        assert c.query("SELECT 2").scalar() == "2"
    finally:
        c.terminate()


def test_psql_gssencmode_prefer_works(trust_server):
    res = trust_server.psql(sql="SELECT 1", env={"PGGSSENCMODE": "prefer"})
    assert res.returncode == 0 and res.stdout == "1\n", res
