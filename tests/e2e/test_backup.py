"""Online backup: SELECT hcdb_backup('DEST') and `hcdb backup`, taken while committed
writers (workload.py) and pgbench run; a server started on the copy passes the crash
harness's checks (every commit acknowledged before the backup began is there, every
transaction whole or absent, the TPC-B invariant) and takes writes.
"""
import signal
import subprocess
import time

import psycopg2
import pytest

from conftest import HCDB_BIN, pg_tool
from workload import Ledger, tpcb_sums

pytestmark = pytest.mark.hcdb_only   # hcdb's own function and data directory


def backup_sql(srv, dest):
    conn = srv.pg_connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT hcdb_backup(%s)", (str(dest),))
            return cur.fetchone()[0]
    finally:
        conn.close()


def busy_server(server_factory, **kw):
    srv = server_factory(**kw)
    ledger = Ledger()
    ledger.create(srv)
    res = srv.pgbench("-i", "-s", "1", "-I", "dtGvp")
    assert res.returncode == 0, res.stdout + res.stderr
    return srv, ledger


def run_during(srv, ledger, action):
    """Starts the writers and pgbench, runs action() while they write, stops them.
    Returns (what was acknowledged before action began, action's result)."""
    writers = ledger.writers(srv, 7)
    for w in writers:
        w.start()
    bench = subprocess.Popen([pg_tool("pgbench"), "-h", srv.host, "-p", str(srv.port), "-U", "postgres",
                              "-n", "-c", "4", "-j", "2", "-T", "60", "postgres"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=srv.client_env())
    time.sleep(0.5)
    before = ledger.acknowledged()
    result = action()
    time.sleep(0.3)
    for w in writers:
        w.stop()
    bench.send_signal(signal.SIGINT)
    bench.communicate(timeout=60)
    for w in writers:
        w.join(30)
        assert w.error is None, w.error
    assert sum(w.commits for w in writers) > 0
    return before, result


def check_copy(server_factory, dest, ledger, before, **kw):
    copy = server_factory(data_dir=dest, **kw)
    problems = ledger.check_copy(copy, before)
    assert not problems, "\n".join(problems)
    a, b, t, h = tpcb_sums(copy)
    assert a == b == t == h, (a, b, t, h)
    conn = copy.pg_connect()
    conn.autocommit = True
    with conn.cursor() as cur:                 # the copy takes writes
        cur.execute("INSERT INTO tally VALUES (1000, 0)")
    conn.close()
    return copy


def test_sql_backup_while_writing(server_factory, tmp_path):
    srv, ledger = busy_server(server_factory)
    dest = tmp_path / "backup"
    before, end_lsn = run_during(srv, ledger, lambda: backup_sql(srv, dest))
    assert end_lsn > 0
    assert not ledger.check(srv), "the source server is intact"
    check_copy(server_factory, dest, ledger, before)
    # A second backup of the same server, after more writes, is independent.
    dest2 = tmp_path / "backup2"
    assert backup_sql(srv, dest2) >= end_lsn


def test_backup_keeps_roles(server_factory, tmp_path):
    srv = server_factory(auth="scram-sha-256", password="bk-secret")
    assert srv.psql(sql="CREATE TABLE t (id int)").returncode == 0
    dest = tmp_path / "backup"
    backup_sql(srv, dest)
    copy = server_factory(data_dir=dest, auth="scram-sha-256", password="bk-secret",
                          env={"HCDB_PASSWORD": ""})
    copy.connect_raw(password="bk-secret").terminate()
    with pytest.raises(Exception):
        copy.connect_raw(password="wrong").terminate()


def test_cli_backup_of_a_stopped_server(server_factory, tmp_path):
    srv, ledger = busy_server(server_factory)
    before, _ = run_during(srv, ledger, lambda: None)
    assert srv.stop() == 0
    dest = tmp_path / "cli-backup"
    res = subprocess.run([str(HCDB_BIN), "backup", "--data", str(srv.data_dir), "--to", str(dest)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "backup complete" in res.stdout + res.stderr
    check_copy(server_factory, dest, ledger, ledger.acknowledged())


def test_cli_backup_of_a_running_server_goes_through_it(server_factory, tmp_path):
    srv, ledger = busy_server(server_factory)
    dest = tmp_path / "cli-online"

    def cli():
        return subprocess.run([str(HCDB_BIN), "backup", "--data", str(srv.data_dir), "--to", str(dest),
                               "--port", str(srv.port)],
                              capture_output=True, text=True, timeout=120)
    before, res = run_during(srv, ledger, cli)
    assert res.returncode == 0, res.stdout + res.stderr
    check_copy(server_factory, dest, ledger, before)


@pytest.mark.parametrize("dest, code, message", [
    ("relative/dir", "22023", "backup directory must be an absolute path"),
    ("{tmp}", "55000", "exists but is not empty"),
    ("{tmp}/no/such/parent", "58030", "could not create backup directory"),
])
def test_bad_backup_destinations(trust_server, tmp_path, dest, code, message):
    (tmp_path / "something").write_text("x")
    dest = dest.format(tmp=tmp_path)
    with pytest.raises(psycopg2.Error) as e:
        backup_sql(trust_server, dest)
    assert e.value.pgcode == code, e.value
    assert message in str(e.value)
