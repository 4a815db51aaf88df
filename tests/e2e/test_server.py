"""hcdb's own interface: flags, environment, config file, data-dir lock,
signals, logging."""
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

import pgwire
from conftest import HCDB_BIN, HcdbServer, clean_env, free_port

pytestmark = pytest.mark.hcdb_only


def run_bin(*args, timeout=30, env=None):
    e = clean_env()
    e.update(env or {})
    return subprocess.run([str(HCDB_BIN), *args], capture_output=True, text=True,
                          timeout=timeout, env=e)


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def test_version():
    res = run_bin("--version")
    assert res.returncode == 0, res
    out = res.stdout + res.stderr
    assert "hcdb" in out.lower()
    assert re.search(r"\d+\.\d+", out), out


def test_help():
    res = run_bin("--help")
    assert res.returncode == 0, res
    out = res.stdout + res.stderr
    for flag in ("--listen", "--port", "--data", "--auth", "--threads", "--max-connections",
                 "--tls-cert", "--tls-key", "--log-level", "--max-message-size", "--config"):
        assert flag in out, f"{flag} missing from --help"


def test_unknown_flag_refused(tmp_path):
    res = run_bin("--no-such-flag", "--data", str(tmp_path / "d"), "--port", str(free_port()))
    assert res.returncode != 0
    assert "no-such-flag" in res.stderr


def test_bad_flag_values_refused(tmp_path):
    for args in (["--port", "notaport"], ["--port", "70000"], ["--auth", "kerberos"],
                 ["--log-level", "loud"], ["--threads", "-3"]):
        res = run_bin(*args, "--data", str(tmp_path / "d"), timeout=30)
        assert res.returncode != 0, args
        assert res.stderr.strip(), args


def test_startup_log_line(server_factory):
    s = server_factory()
    version = run_bin("--version").stdout.strip()
    ver = re.search(r"\d+\.\d+(\.\d+)?", version).group(0)
    log = s.log()
    assert f"listening on 127.0.0.1:{s.port}" in log, log
    assert ver in log, log
    assert str(s.data_dir) in log, log


def test_precedence_flag_env_config(server_factory, tmp_path):
    p_conf, p_env, p_flag = free_port(), free_port(), free_port()
    conf = tmp_path / "hcdb.conf"
    conf.write_text(f"# test configuration\nport = {p_conf}\n\nauth = trust  # comment\n"
                    f"data = {tmp_path / 'data-conf'}\n")
    # Config file only.
    s = server_factory(args=["--config", str(conf)], use_port_flag=False, port=p_conf, auth=None)
    s.assert_serving()
    assert s.stop() == 0
    # Env beats the config file.
    s = server_factory(args=["--config", str(conf)], use_port_flag=False, port=p_env, auth=None,
                       env={"HCDB_PORT": str(p_env)})
    s.assert_serving()
    assert not listening(p_conf)
    assert s.stop() == 0
    # A flag beats both.
    s = server_factory(args=["--config", str(conf), "--port", str(p_flag)], use_port_flag=False,
                       port=p_flag, auth=None, env={"HCDB_PORT": str(p_env)})
    s.assert_serving()
    assert not listening(p_conf) and not listening(p_env)
    assert f"listening on 127.0.0.1:{p_flag}" in s.log()


def test_config_file_other_keys(server_factory, tmp_path):
    port = free_port()
    conf = tmp_path / "hcdb.conf"
    conf.write_text(f"listen = 127.0.0.1\nport = {port}\nauth = password\nmax_connections = 2\n"
                    f"threads = 1\nlog_level = debug\nmax_message_size = 65536\n")
    s = server_factory(args=["--config", str(conf)], use_port_flag=False, port=port, auth=None,
                       password="conf-pw", listen=None)
    c1 = s.connect_raw(password="conf-pw")
    c2 = s.connect_raw(password="conf-pw")
    try:
        with pytest.raises(pgwire.ServerError) as e:
            s.connect_raw(password="conf-pw")
        assert e.value.fields["C"] == "53300"
        c1.query("SELECT 'conf-log-marker'")
        assert "conf-log-marker" in s.log()
    finally:
        c1.terminate()
        c2.terminate()


def connect_once_slot_frees(s, password, timeout=10.0):
    """The server frees a closed connection's slot asynchronously (as a
    PostgreSQL backend exits): retry while it still counts the old one."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return s.connect_raw(password=password)
        except pgwire.ServerError as e:
            if e.fields["C"] != "53300" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_env_settings(server_factory):
    s = server_factory(auth=None, password="env-pw", env={"HCDB_AUTH": "password",
                                                          "HCDB_MAX_CONNECTIONS": "1"})
    c = s.raw()
    c.send(pgwire.startup_message({"user": "postgres", "database": "postgres"}))
    t, body = c.recv_msg()
    assert (t, body[:4]) == ("R", b"\0\0\0\3")        # cleartext password requested
    c.close()
    c = connect_once_slot_frees(s, "env-pw")
    try:
        with pytest.raises(pgwire.ServerError) as e:
            s.connect_raw(password="env-pw")
        assert e.value.fields["C"] == "53300"
    finally:
        c.terminate()


def test_bad_config_file_refused(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("port = 5432\nthis is not a setting\n")
    res = run_bin("--config", str(conf), "--data", str(tmp_path / "d"))
    assert res.returncode != 0
    assert res.stderr.strip()
    res = run_bin("--config", str(tmp_path / "missing.conf"), "--data", str(tmp_path / "d"))
    assert res.returncode != 0


def test_data_dir_lock(server_factory):
    first = server_factory()
    second = server_factory(start=False, data_dir=first.data_dir)
    second.expect_exit = True
    proc = second.spawn()
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        pytest.fail("a second server started on a data directory already in use")
    assert rc != 0
    assert "lock" in second.log().lower(), second.log()
    first.assert_serving()


def test_data_dir_created_and_reused(server_factory, tmp_path):
    data = tmp_path / "newdata"
    s = server_factory(data_dir=data)
    assert data.is_dir()
    assert s.stop() == 0
    s = server_factory(data_dir=data)     # the lock is released at exit
    s.assert_serving()


def test_default_data_dir(server_factory):
    s = server_factory(start=False)
    s.data_dir = None
    s.command = lambda: [str(HCDB_BIN), "--port", str(s.port), "--auth", "trust"]
    s.start()
    s.assert_serving()
    assert (s.workdir / "hcdb-data").is_dir()


def shutting_down_error(s):
    """The error a new client gets while the server shuts down (None if it got in)."""
    try:
        s.connect_raw(timeout=5).terminate()
    except pgwire.ServerError as e:
        return (e.fields.get("S"), e.fields.get("C"), e.fields.get("M"))
    return None


def test_sigterm_is_smart_and_waits_for_clients(server_factory):
    # PostgreSQL's smart shutdown: sessions go on, new ones are refused, and the
    # server exits (checkpoint, status 0) once the last client has left.
    s = server_factory()
    s.expect_exit = True            # the exit status is checked here, not at teardown
    c = s.connect_raw()
    c.query("CREATE TABLE smart (id int)")
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert s.proc.poll() is None, "the server left while a client was connected"
    assert shutting_down_error(s) == ("FATAL", "57P03", "the database system is shutting down")
    res = c.query("INSERT INTO smart VALUES (1); SELECT count(*) FROM smart")
    assert res.errors == [], res.errors
    assert res.text_rows() == [["1"]]
    c.terminate()
    assert s.proc.wait(60) == 0
    assert "shutdown checkpoint complete" in s.log()
    s.expect_exit = False
    s.start()
    c = s.connect_raw()
    assert c.query("SELECT count(*) FROM smart").text_rows() == [["1"]]
    c.terminate()


def test_sigterm_finishes_running_statement(server_factory):
    s = server_factory()
    c = s.connect_raw()
    c.send(pgwire.query("SELECT pg_sleep(1), 'finished'"))
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    res = c.recv_result()
    assert res.errors == [], res.errors
    assert res.text_rows() == [["", "finished"]]
    # The one SIGTERM is enough: the server exits by itself once the client leaves.
    s.expect_exit = True            # the exit status is checked here, not at teardown
    c.terminate()
    assert s.proc.wait(60) == 0


def test_sigint_during_smart_shutdown_escalates_to_fast(server_factory):
    s = server_factory()
    s.expect_exit = True
    c = s.connect_raw(timeout=60)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    c.send(pgwire.query("SELECT pg_sleep(600)"))
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGINT)
    t, body = c.recv_msg()
    while t in "TN":
        t, body = c.recv_msg()
    assert t == "E", (t, body)
    fields = pgwire.error_fields(body)
    assert (fields["S"], fields["C"]) == ("FATAL", "57P01"), fields
    assert s.proc.wait(60) == 0
    assert "shutdown checkpoint complete" in s.log()
    c.close()


def test_second_sigterm_during_shutdown(server_factory):
    # Service managers and impatient users signal twice; the shutdown stays clean.
    s = server_factory()
    s.expect_exit = True            # the exit status is checked here, not at teardown
    c = s.connect_raw()
    c.send(pgwire.query("SELECT pg_sleep(0.5)"))
    time.sleep(0.2)
    s.proc.send_signal(signal.SIGTERM)
    for _ in range(20):
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.01)
    assert c.recv_result().errors == []
    c.terminate()
    deadline = time.monotonic() + 30
    while s.proc.poll() is None and time.monotonic() < deadline:
        try:
            s.proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    assert s.proc.wait(60) == 0


def test_no_new_connections_after_sigterm(server_factory):
    s = server_factory()
    c = s.connect_raw()
    c.send(pgwire.query("SELECT pg_sleep(1)"))
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert shutting_down_error(s) == ("FATAL", "57P03", "the database system is shutting down")
    c.recv_result()
    c.terminate()
    s.expect_exit = True            # the exit status is checked here, not at teardown
    assert s.proc.wait(60) == 0
    c.close()


def test_log_level_debug_logs_statements(server_factory):
    s = server_factory(args=["--log-level", "debug"])
    c = s.connect_raw()
    c.query("SELECT 'debug-marker-7781'")
    c.terminate()
    deadline = time.monotonic() + 5
    while "debug-marker-7781" not in s.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "debug-marker-7781" in s.log()


def test_default_log_level_does_not_log_statements(server_factory):
    s = server_factory()
    c = s.connect_raw()
    c.query("SELECT 'quiet-marker-5512'")
    c.terminate()
    time.sleep(0.2)
    assert "quiet-marker-5512" not in s.log()


def messages_so_far(conn):
    """The whole messages a raw connection has received by now, without waiting for more."""
    conn.sock.settimeout(0.05)
    try:
        while True:
            chunk = conn.sock.recv(65536)
            if not chunk:
                break
            conn.buf += chunk
    except socket.timeout:
        pass
    conn.sock.settimeout(pgwire.DEFAULT_TIMEOUT)
    msgs = []
    while len(conn.buf) >= 5 and len(conn.buf) >= 1 + int.from_bytes(conn.buf[1:5], "big"):
        msgs.append(conn.recv_msg())
    return msgs


def test_threads_1(server_factory):
    s = server_factory(args=["--threads", "1"])
    conns = [s.connect_raw() for _ in range(8)]
    try:
        for i, c in enumerate(conns):
            c.send(pgwire.query(f"SELECT {i}"))
        for i, c in enumerate(conns):
            assert c.recv_result().text_rows() == [[str(i)]]
    finally:
        for c in conns:
            c.terminate()


def test_threads_1_sleep_does_not_block_others(server_factory):
    s = server_factory(args=["--threads", "1"])
    sleeper = s.connect_raw()
    try:
        sleeper.send(pgwire.query("SELECT pg_sleep(3)"))
        time.sleep(0.2)
        # Another client is served while the first one sleeps (no timing asserted:
        # the order of completion is).
        other = s.connect_raw()
        assert other.query("SELECT 'first'").scalar() == "first"
        # Whatever the sleeper got so far (a RowDescription may come early) must
        # not include the end of its statement.
        early = messages_so_far(sleeper)
        assert "Z" not in [t for t, _ in early], \
            "pg_sleep(3) finished before a quick query on another connection was answered"
        res = pgwire.Result(early + sleeper.recv_until("Z"))
        assert res.errors == [] and res.text_rows() == [[""]]
        other.terminate()
    finally:
        sleeper.close()


def test_new_clients_go_past_a_loop_busy_with_a_statement(server_factory):
    """A statement that computes for long runs on its connection's event loop; clients
    that connect meanwhile are handed to the other loop, so they log in and are answered
    before it ends (the order of completion is asserted, not a time)."""
    s = server_factory(args=["--threads", "2"])
    busy = s.connect_raw()
    try:
        busy.send(pgwire.query("SELECT count(*) FROM generate_series(1, 2000000000)"))
        time.sleep(0.3)
        for i in range(4):
            other = s.connect_raw()
            assert other.query(f"SELECT {i}").scalar() == str(i)
            other.terminate()
        early = messages_so_far(busy)
        assert "Z" not in [t for t, _ in early], "the long count ended before the other clients were served"
        pgwire.send_cancel(s.host, s.port, busy.pid, busy.key)
        res = pgwire.Result(early + busy.recv_until("Z"))
        assert res.errors and res.errors[0]["C"] == "57014", res.messages
    finally:
        busy.close()


def test_password_env_only_first_start(server_factory, tmp_path):
    data = tmp_path / "data"
    s = server_factory(auth="scram-sha-256", password="one", data_dir=data)
    assert s.stop() == 0
    s = server_factory(auth="scram-sha-256", password="two", data_dir=data)
    # The stored verifier from the first start is authoritative.
    s.connect_raw(password="one").terminate()
    with pytest.raises(pgwire.ServerError):
        s.connect_raw(password="two").terminate()


def test_threads_1_cancel_works(server_factory):
    # The CancelRequest arrives on the same (single) loop that runs the statement.
    s = server_factory(args=["--threads", "1"])
    c = s.connect_raw()
    try:
        c.send(pgwire.query("SELECT pg_sleep(10)"))
        time.sleep(0.3)
        pgwire.send_cancel(s.host, s.port, c.pid, c.key)
        res = c.recv_result()
        assert res.errors and res.errors[0]["C"] == "57014", res.messages
        assert c.query("SELECT 1").scalar() == "1"
    finally:
        c.terminate()
