"""Shutdown modes as pg_ctl's, and the storage settings of the configuration.

SIGTERM (smart): new clients are refused, the server waits for its sessions to end, then
a checkpoint is written, exit 0; the next start replays nothing (test_server.py covers
the waiting). SIGINT (fast): running statements are not waited
for, their transactions roll back. SIGQUIT (immediate): exit at once without a
checkpoint; the next start recovers every acknowledged commit from the WAL.
"""
import re
import signal
import subprocess
import time

import pytest

import pgwire
from conftest import HCDB_BIN

pytestmark = pytest.mark.hcdb_only   # hcdb's log lines and data directory


def replayed(srv):
    """(from, to) LSNs of the last recovery in the log."""
    found = re.findall(r"WAL replayed from LSN (\d+) to (\d+)", srv.log())
    assert found, srv.log()[-2000:]
    return tuple(map(int, found[-1]))


def fill(srv, n=50):
    conn = srv.pg_connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        for i in range(n):
            cur.execute("INSERT INTO t VALUES (%s, %s)", (i, "v" * 100))
    conn.close()


def count(srv):
    conn = srv.pg_connect()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM t")
        n = cur.fetchone()[0]
    conn.close()
    return n


def test_sigterm_checkpoints_so_restart_replays_nothing(server_factory):
    srv = server_factory()
    fill(srv)
    assert srv.stop(signal.SIGTERM) == 0
    assert "shutdown checkpoint complete" in srv.log()
    srv.start()
    start, end = replayed(srv)
    assert start == end > 0, (start, end)
    assert count(srv) == 50


def test_sigint_rolls_back_running_statements(server_factory):
    srv = server_factory()
    fill(srv, 5)
    open_txn = srv.pg_connect()
    with open_txn.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1000, 'never committed')")
    sleeper = srv.connect_raw(timeout=60)
    sleeper.send(pgwire.query("SELECT pg_sleep(600)"))
    time.sleep(0.5)
    srv.proc.send_signal(signal.SIGINT)
    srv.expect_exit = True
    assert srv.proc.wait(60) == 0, srv.log()[-2000:]
    # PostgreSQL's fast shutdown: the statement ends with FATAL 57P01, no result.
    t, body = sleeper.recv_msg()
    while t in "TN":
        t, body = sleeper.recv_msg()
    assert t == "E", (t, body)
    fields = pgwire.error_fields(body)
    assert (fields["S"], fields["C"]) == ("FATAL", "57P01"), fields
    assert sleeper.is_closed(10)
    sleeper.close()
    assert "shutdown checkpoint complete" in srv.log()
    srv.expect_exit = False
    srv.start()
    assert count(srv) == 5, "the open transaction was rolled back"


def test_sigquit_is_immediate_and_recovery_finds_every_commit(server_factory):
    srv = server_factory()
    fill(srv, 40)
    srv.proc.send_signal(signal.SIGQUIT)
    srv.expect_exit = True
    assert srv.proc.wait(60) == 0
    assert "shutdown checkpoint complete" not in srv.log()
    srv.expect_exit = False
    srv.start()
    start, end = replayed(srv)
    assert end > start, "the WAL was replayed"
    assert count(srv) == 40


def test_session_synchronous_commit_off(server_factory):
    srv = server_factory()
    conn = srv.pg_connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SHOW synchronous_commit")
        assert cur.fetchone()[0] == "off"
        cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        for i in range(20):
            cur.execute("INSERT INTO t VALUES (%s, 'async')", (i,))
    conn.close()
    assert srv.stop(signal.SIGTERM) == 0     # the shutdown flushes what was acknowledged
    srv.start()
    assert count(srv) == 20


def test_server_synchronous_commit_off_is_the_session_default(server_factory):
    srv = server_factory(args=["--synchronous-commit", "off", "--fsync", "off",
                               "--checkpoint-timeout", "30", "--max-wal-size", "64"])
    assert srv.psql(sql="SHOW synchronous_commit").stdout.strip() == "off"
    fill(srv, 10)
    assert count(srv) == 10


@pytest.mark.parametrize("args, message", [
    (["--fsync", "maybe"], 'invalid value for fsync: "maybe"'),
    (["--synchronous-commit", "2"], 'invalid value for synchronous_commit: "2"'),
    (["--wal-segment-size", "1000"], "invalid value for wal_segment_size"),
    (["--checkpoint-timeout", "0"], "invalid value for checkpoint_timeout"),
])
def test_bad_storage_settings_are_refused(tmp_path, args, message):
    res = subprocess.run([str(HCDB_BIN), "--data", str(tmp_path / "d")] + args,
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 2
    assert message in res.stderr, res.stderr
