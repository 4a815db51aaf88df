"""Authentication methods, as PostgreSQL 15 does them."""
import struct
import subprocess
import time

import pytest

import pgwire

PASSWORD = "s3cret pässword"


def first_auth_request(server):
    """The code of the first Authentication message the server sends."""
    c = server.raw()
    try:
        c.send(pgwire.startup_message({"user": "postgres", "database": "postgres"}))
        t, body = c.recv_msg()
        assert t == "R", (t, body)
        return struct.unpack_from("!I", body)[0], body
    finally:
        c.close()


def psql_login(server, password):
    return server.psql(sql="SELECT current_user", password=password)


def assert_login_ok(server, password):
    res = psql_login(server, password)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "postgres\n"


def assert_login_fails(server, password):
    res = psql_login(server, password)
    assert res.returncode == 2, res
    assert 'password authentication failed for user "postgres"' in res.stderr, res.stderr
    # The same failure seen on the wire: FATAL 28P01.
    with pytest.raises(pgwire.ServerError) as e:
        server.connect_raw(password=password).terminate()
    assert e.value.fields["C"] == "28P01"
    assert e.value.fields["S"] == "FATAL"
    assert e.value.fields["M"] == 'password authentication failed for user "postgres"'


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One server per password method, all with the same stored password."""
    from conftest import ServerFactory
    f = ServerFactory(tmp_path_factory, "auth")
    out = {m: f(auth=m, password=PASSWORD) for m in ("scram-sha-256", "password", "md5")}
    yield out
    f.teardown()


@pytest.mark.parametrize("method", ["scram-sha-256", "password", "md5"])
def test_right_password(servers, method):
    assert_login_ok(servers[method], PASSWORD)


@pytest.mark.parametrize("method", ["scram-sha-256", "password", "md5"])
def test_wrong_password(servers, method):
    assert_login_fails(servers[method], "wrong")
    servers[method].assert_serving()


@pytest.mark.parametrize("method", ["scram-sha-256", "password", "md5"])
def test_empty_password(servers, method):
    # libpq refuses to send an empty password itself; a raw client can.
    with pytest.raises(pgwire.ServerError) as e:
        servers[method].connect_raw(password="").terminate()
    assert e.value.fields["C"] == "28P01"


def test_scram_requests(servers):
    code, body = first_auth_request(servers["scram-sha-256"])
    assert code == 10
    mechs = [m for m in body[4:].split(b"\0") if m]
    assert b"SCRAM-SHA-256" in mechs
    # Without TLS there is nothing to bind to, so no -PLUS variant is offered.
    assert b"SCRAM-SHA-256-PLUS" not in mechs


def test_password_method_asks_cleartext(servers):
    assert first_auth_request(servers["password"])[0] == 3


def test_md5_with_scram_stored_password_does_scram(servers):
    # As in PostgreSQL: the md5 method falls back to SCRAM for a SCRAM verifier.
    assert first_auth_request(servers["md5"])[0] == 10


def test_raw_scram_client_verifies_server(servers):
    c = servers["scram-sha-256"].connect_raw(password=PASSWORD)
    try:
        assert c.query("SELECT current_user").scalar() == "postgres"
    finally:
        c.terminate()


def test_trust(trust_server):
    assert first_auth_request(trust_server)[0] == 0
    res = trust_server.psql(sql="SELECT current_user", password="anything")
    assert res.returncode == 0 and res.stdout == "postgres\n", res


def test_scram_without_password_set(server_factory):
    srv = server_factory(auth="scram-sha-256", password=None)
    res = srv.psql(sql="SELECT 1", password="guess")
    assert res.returncode == 2
    assert 'password authentication failed for user "postgres"' in res.stderr, res.stderr


def test_unknown_database(trust_server):
    with pytest.raises(pgwire.ServerError) as e:
        trust_server.connect_raw(database="nosuchdb").terminate()
    assert e.value.fields["C"] == "3D000"
    assert e.value.fields["S"] == "FATAL"
    assert e.value.fields["M"] == 'database "nosuchdb" does not exist'
    res = trust_server.psql(sql="SELECT 1", dbname="nosuchdb")
    assert res.returncode == 2
    assert 'database "nosuchdb" does not exist' in res.stderr


def test_unknown_database_needs_password_first(servers):
    # A wrong password is reported before the database is looked at.
    with pytest.raises(pgwire.ServerError) as e:
        servers["scram-sha-256"].connect_raw(database="nosuchdb", password="wrong").terminate()
    assert e.value.fields["C"] == "28P01"


def test_unknown_role_trust(trust_server):
    with pytest.raises(pgwire.ServerError) as e:
        trust_server.connect_raw(user="nobody").terminate()
    assert e.value.fields["C"] == "28000"
    assert e.value.fields["M"] == 'role "nobody" does not exist'


def test_unknown_role_scram(servers):
    with pytest.raises(pgwire.ServerError) as e:
        servers["scram-sha-256"].connect_raw(user="nobody", password=PASSWORD).terminate()
    assert e.value.fields["C"] == "28P01"
    assert e.value.fields["M"] == 'password authentication failed for user "nobody"'


def test_startup_without_user(trust_server):
    c = trust_server.raw()
    try:
        c.send(pgwire.startup_message({"database": "postgres"}))
        closed, msgs = c.messages_until_close()
        errs = [pgwire.error_fields(b) for t, b in msgs if t == "E"]
        assert errs and errs[0]["C"] == "28000", msgs
        assert closed
    finally:
        c.close()
    trust_server.assert_serving()


@pytest.mark.hcdb_only
@pytest.mark.parametrize("listen", ["0.0.0.0", "::"])
def test_trust_on_non_loopback_refused(server_factory, listen):
    srv = server_factory(start=False, auth="trust", listen=listen)
    srv.expect_exit = True
    proc = srv.spawn()
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        pytest.fail("server started with --auth trust on a non-loopback address")
    assert rc != 0
    log = srv.log().lower()
    assert "trust" in log, log


@pytest.mark.hcdb_only
def test_password_not_stored_in_clear(server_factory):
    srv = server_factory(auth="scram-sha-256", password="Plain-Text-Marker-9431")
    assert_login_ok(srv, "Plain-Text-Marker-9431")
    srv.stop()
    found = []
    for p in srv.data_dir.rglob("*"):
        if p.is_file() and b"Plain-Text-Marker-9431" in p.read_bytes():
            found.append(str(p))
    assert not found, f"password stored in clear in {found}"
    assert "Plain-Text-Marker-9431" not in srv.log()


@pytest.mark.hcdb_only
def test_password_survives_restart(server_factory, tmp_path):
    data = tmp_path / "data"
    srv = server_factory(auth="scram-sha-256", password="first-pw", data_dir=data)
    assert_login_ok(srv, "first-pw")
    assert srv.stop() == 0
    # Second start without HCDB_PASSWORD: the stored verifier is used.
    srv2 = server_factory(auth="scram-sha-256", password=None, data_dir=data)
    assert_login_ok(srv2, "first-pw")
