"""hcdb behind PgBouncer (Debian's pgbouncer), and the libpq ways of connecting.

PgBouncer authenticates clients with SCRAM-SHA-256 against a userlist that
holds the password in clear, and logs in to hcdb with SCRAM using that same
password. (A userlist holding only a SCRAM verifier would work only if it were
byte-for-byte hcdb's own verifier: PgBouncer then reuses the client's proof,
which is tied to the server's salt.) The pools are bounded (default_pool_size
= 10) while 50 pgbench clients run, so sessions must hand server connections
on cleanly, with PgBouncer's server_reset_query (DISCARD ALL) in between.
"""
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import (CLIENT_TIMEOUT, START_TIMEOUT, BaseServer, ServerFactory, clean_env,
                      free_port, pg_tool)

PASSWORD = "hcdb-secret"
POOL_SIZE = 10
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@pytest.fixture(scope="module")
def hcdb(tmp_path_factory):
    f = ServerFactory(tmp_path_factory, "bouncer-backend")
    srv = f(auth="scram-sha-256", password=PASSWORD)
    yield srv
    f.teardown()


class PgBouncer(BaseServer):
    """One pgbouncer process with its own ini, userlist and log in a temp dir.
    Clients (psql, pgbench, pg_isready) address it as they address hcdb."""

    def __init__(self, backend, pool_mode):
        self.dir = Path(tempfile.mkdtemp(prefix="hcdb-pgbouncer-"))
        super().__init__(self.dir, auth="scram-sha-256", password=PASSWORD)
        self.backend = backend
        self.pool_mode = pool_mode
        # PgBouncer refuses to run as root; it then switches to a system user,
        # which must be able to read its directory (pytest's is private to root).
        self.run_as = None
        if os.geteuid() == 0:
            self.run_as = next(u for u in ("postgres", "nobody") if _user_exists(u))

    def write_config(self):
        self.port = free_port()
        (self.dir / "userlist.txt").write_text(f'"postgres" "{PASSWORD}"\n')
        (self.dir / "pgbouncer.ini").write_text(f"""\
[databases]
postgres = host={self.backend.host} port={self.backend.port} dbname=postgres

[pgbouncer]
listen_addr = {self.host}
listen_port = {self.port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {self.dir}/userlist.txt
admin_users = postgres
pool_mode = {self.pool_mode}
default_pool_size = {POOL_SIZE}
max_client_conn = 200
server_reset_query = DISCARD ALL
; also after transaction-pooled use, so that every hand-over runs it
server_reset_query_always = 1
; psycopg2 and JDBC send this; hcdb would accept it, PgBouncer must pass it over
ignore_startup_parameters = extra_float_digits
logfile = {self.dir}/pgbouncer.log
pidfile = {self.dir}/pgbouncer.pid
""")
        if self.run_as:
            u = pwd.getpwnam(self.run_as)
            for p in [self.dir, *self.dir.iterdir()]:
                os.chown(p, u.pw_uid, u.pw_gid)

    def start(self):
        self.write_config()
        cmd = [PGBOUNCER, str(self.dir / "pgbouncer.ini")]
        if self.run_as:
            cmd[1:1] = ["-u", self.run_as]
        self.out = open(self.dir / "stdout.log", "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=clean_env())
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pgbouncer exited with {self.proc.returncode}:\n{self.log()}")
            if self.pg_isready().returncode == 0:
                return self
            time.sleep(0.1)
        raise RuntimeError("pgbouncer did not accept connections in time:\n" + self.log())

    def stop(self, *ignored):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc:
            self.out.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        text = ""
        for name in ("pgbouncer.log", "stdout.log"):
            try:
                text += (self.dir / name).read_text(errors="replace")[-3000:]
            except FileNotFoundError:
                pass
        return text



def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module", params=["session", "transaction"])
def bouncer(request, hcdb):
    if not os.path.exists(PGBOUNCER):
        pytest.fail("pgbouncer is not installed: run scripts/setup.sh")
    b = PgBouncer(hcdb, request.param).start()
    yield b
    b.stop()


def show(bouncer, what):
    """Rows of a PgBouncer admin command as dicts."""
    r = bouncer.psql(sql=f"SHOW {what}", dbname="pgbouncer", tuples_only=False)
    assert r.returncode == 0, r.stderr + bouncer.log()
    lines = [line for line in r.stdout.splitlines() if "|" in line]
    header = lines[0].split("|")
    return [dict(zip(header, line.split("|"))) for line in lines[1:]]


def test_select1_through_pgbouncer(bouncer):
    r = bouncer.psql(sql="SELECT 1")
    assert r.returncode == 0, r.stderr + bouncer.log()
    assert r.stdout.strip() == "1"


def test_wrong_password_is_refused_by_pgbouncer(bouncer):
    r = bouncer.psql(sql="SELECT 1", password="not-the-password")
    assert r.returncode != 0
    assert "authentication failed" in r.stderr, r.stderr  # PgBouncer says "SASL authentication failed"


def run_discard_all(server):
    """DISCARD ALL is PgBouncer's server_reset_query: it must succeed with its tag."""
    r = server.psql("-v", "VERBOSITY=verbose", sql="DISCARD ALL", tuples_only=False)
    assert r.returncode == 0, r.stderr
    assert "DISCARD ALL" in r.stdout


def test_discard_all_through_pgbouncer(bouncer):
    run_discard_all(bouncer)


def test_pgbench_50_clients_over_10_server_connections(bouncer, tmp_path):
    script = tmp_path / "select1.sql"
    script.write_text("SELECT 1;\n")
    r = bouncer.pgbench("-n", "-f", str(script), "-c", "50", "-j", "2", "-t", "100", "-M", "simple")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out + bouncer.log()
    assert "number of transactions actually processed: 5000/5000" in out, out
    failed = re.search(r"number of failed transactions: (\d+)", out)
    assert failed is None or failed.group(1) == "0", out
    # The pool stayed bounded: PgBouncer never opened more than 10 connections to hcdb.
    pools = [p for p in show(bouncer, "POOLS") if p["database"] == "postgres"]
    assert pools, bouncer.log()
    for p in pools:
        servers = sum(int(p[k]) for k in p if k.startswith("sv_"))
        assert servers <= POOL_SIZE, p


def test_pg_isready_through_pgbouncer(bouncer):
    r = bouncer.pg_isready()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "accepting connections" in r.stdout


# ---- libpq's ways of addressing a server, against hcdb and through PgBouncer

@pytest.fixture(params=["hcdb", "pgbouncer"])
def target(request, hcdb):
    if request.param == "hcdb":
        yield hcdb
        return
    b = PgBouncer(hcdb, "transaction").start()
    yield b
    b.stop()


def test_discard_all(target):
    run_discard_all(target)


def test_pg_isready(target):
    r = subprocess.run([pg_tool("pg_isready"), "-h", target.host, "-p", str(target.port), "-t", "10"],
                       capture_output=True, text=True, timeout=CLIENT_TIMEOUT, env=clean_env())
    assert r.returncode == 0, r.stdout + r.stderr


def test_libpq_environment_variables(target):
    env = clean_env()
    env.update(PGHOST=target.host, PGPORT=str(target.port), PGUSER="postgres",
               PGPASSWORD=PASSWORD, PGDATABASE="postgres", PGCONNECT_TIMEOUT="10",
               PGPASSFILE=os.path.join(tempfile.gettempdir(), "hcdb-e2e-no-such-pgpass"))
    r = subprocess.run([pg_tool("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", "SELECT 1"],
                       capture_output=True, text=True, timeout=CLIENT_TIMEOUT, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"


def test_connection_uri(target):
    uri = f"postgresql://postgres:{PASSWORD}@{target.host}:{target.port}/postgres?sslmode=disable"
    r = target.psql(sql="SELECT 1", conninfo=uri, password="")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"


def test_connection_uri_with_wrong_password_is_refused(target):
    uri = f"postgresql://postgres:wrong@{target.host}:{target.port}/postgres?sslmode=disable"
    r = target.psql(sql="SELECT 1", conninfo=uri, password="")
    assert r.returncode != 0
    assert "authentication failed" in r.stderr, r.stderr  # PgBouncer says "SASL authentication failed"
