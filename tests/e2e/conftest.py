"""Fixtures for hcdb's end-to-end tests.

Every test talks to a real server process on a free loopback port with its own
temporary data directory, through real clients (psql, pg_isready, pgbench,
psycopg2) or raw sockets (pgwire.py). Everything is bounded in time and every
server a test starts is stopped with SIGINT (fast shutdown) at teardown, where its
exit status must be 0.

Environment:
  HCDB_BIN             the server binary (default: build/hcdb in the repository)
  HCDB_E2E_REFERENCE   "pg15": run the same tests against Debian's PostgreSQL 15
                       instead (tests marked hcdb_only are skipped). This checks
                       the tests themselves: PostgreSQL's behaviour is the spec.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pgwire  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
HCDB_BIN = Path(os.environ.get("HCDB_BIN") or REPO / "build" / "hcdb").resolve()
REFERENCE = os.environ.get("HCDB_E2E_REFERENCE", "")
PG_BINDIR = Path("/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"
START_TIMEOUT = 60.0     # generous: sanitizer builds start slowly on small CI machines
STOP_TIMEOUT = 60.0
CLIENT_TIMEOUT = 60      # seconds for one client command (psql, pgbench, ...)
# A password file that does not exist, so libpq never reads ~/.pgpass.
NO_PGPASS = os.path.join(tempfile.gettempdir(), "hcdb-e2e-no-such-pgpass")


def pg_tool(name):
    """Path of a PostgreSQL client program, preferring Debian's version-15 build."""
    p = PG_BINDIR / name
    if p.exists():
        return str(p)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: run scripts/setup.sh")
    return found


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def clean_env():
    """The caller's environment without libpq (PG*) and hcdb (HCDB_*) settings,
    so that nothing from the machine leaks into a test."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PG") and not k.startswith("HCDB_")}
    env["LC_ALL"] = "C.UTF-8"
    env.pop("LANG", None)
    env.pop("LANGUAGE", None)
    return env


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running test, skipped in the sanitizer run")
    config.addinivalue_line("markers", "hcdb_only: tests hcdb's own interface (flags, logs); "
                                       "skipped against the PostgreSQL reference")
    # libpq inside psycopg2 reads PG* variables from this process's environment.
    for k in [k for k in os.environ if k.startswith("PG")]:
        del os.environ[k]
    os.environ["PGPASSFILE"] = NO_PGPASS
    os.environ["PGCONNECT_TIMEOUT"] = "10"


def pytest_collection_modifyitems(config, items):
    if REFERENCE:
        skip = pytest.mark.skip(reason="hcdb-specific interface, not in the PostgreSQL reference")
        for item in items:
            if "hcdb_only" in item.keywords:
                item.add_marker(skip)


class StartError(Exception):
    pass


class BaseServer:
    """Common client helpers; subclasses know how to start and stop one server."""

    host = HOST

    def __init__(self, workdir, auth="trust", password=None, tls=None,
                 max_connections=None, max_message_size=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.auth = auth
        self.password = password
        self.tls = tls                    # (cert_path, key_path) or None
        self.max_connections = max_connections
        self.max_message_size = max_message_size
        self.port = None
        self.proc = None
        self.log_path = self.workdir / "server.log"
        self.returncode = None

    # ---- process control
    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError(f"server exited with {self.proc.returncode} during start-up:\n"
                                 + self.log()[-4000:])
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise StartError("server did not accept connections in time:\n" + self.log()[-4000:])

    def stop(self, sig=signal.SIGINT, timeout=STOP_TIMEOUT):
        """Signals the server and waits for it; returns its exit status. The default is
        the fast shutdown: SIGTERM (smart) waits for every client to leave."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                self.returncode = "did not exit within %ss of signal %s" % (timeout, sig)
                return self.returncode
        self.returncode = self.proc.returncode
        return self.returncode

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    # ---- clients
    def client_env(self, password=None, sslmode=None, extra=None):
        env = clean_env()
        env["PGPASSFILE"] = NO_PGPASS
        env["PGCONNECT_TIMEOUT"] = "10"
        if password is not None:
            env["PGPASSWORD"] = password
        if sslmode is not None:
            env["PGSSLMODE"] = sslmode
        env.update(extra or {})
        return env

    def psql(self, *args, sql=None, user="postgres", dbname="postgres", password=None,
             sslmode=None, tuples_only=True, env=None, input=None, conninfo=None,
             timeout=CLIENT_TIMEOUT):
        """Runs psql -X -v ON_ERROR_STOP=1 -A [-t] ... and returns the CompletedProcess
        (text mode). sql, if given, is passed with -c."""
        cmd = [pg_tool("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-A"]
        if tuples_only:
            cmd.append("-t")
        if conninfo is not None:
            cmd += ["-d", conninfo]
        else:
            cmd += ["-h", self.host, "-p", str(self.port), "-U", user, "-d", dbname]
        if sql is not None:
            cmd += ["-c", sql]
        cmd += list(args)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input,
                              env=self.client_env(password if password is not None
                                                  else self.password, sslmode, env))

    def pgbench(self, *args, password=None, timeout=180):
        cmd = [pg_tool("pgbench"), "-h", self.host, "-p", str(self.port), "-U", "postgres"]
        cmd += list(args) + ["postgres"]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=self.client_env(password if password is not None
                                                  else self.password))

    def pg_isready(self, timeout=CLIENT_TIMEOUT):
        cmd = [pg_tool("pg_isready"), "-h", self.host, "-p", str(self.port), "-t", "10"]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=self.client_env())

    def raw(self, timeout=pgwire.DEFAULT_TIMEOUT):
        """A raw socket connection, before any start-up message."""
        return pgwire.PgConn(self.host, self.port, timeout)

    def connect_raw(self, user="postgres", database="postgres", password=None, extra=None,
                    timeout=pgwire.DEFAULT_TIMEOUT, protocol=pgwire.PROTOCOL_3_0):
        """A raw connection past start-up (ReadyForQuery received)."""
        return pgwire.connect(self.host, self.port, user, database,
                              password if password is not None else self.password,
                              extra, timeout, protocol)

    def pg_connect(self, **kw):
        """A psycopg2 connection; keyword arguments go to psycopg2.connect."""
        import psycopg2
        args = dict(host=self.host, port=self.port, user="postgres", dbname="postgres",
                    connect_timeout=10)
        if self.password is not None:
            args["password"] = self.password
        args.update(kw)
        return psycopg2.connect(**args)

    def assert_serving(self):
        """A fresh client still gets SELECT 1 answered."""
        c = self.connect_raw()
        try:
            res = c.query("SELECT 1")
            assert res.errors == [], res.errors
            assert res.text_rows() == [["1"]]
            assert res.status == "I"
        finally:
            c.terminate()


class HcdbServer(BaseServer):
    def __init__(self, workdir, auth="trust", password=None, tls=None, max_connections=None,
                 max_message_size=None, args=(), env=None, listen=HOST, data_dir=None,
                 port=None, use_port_flag=True):
        super().__init__(workdir, auth, password, tls, max_connections, max_message_size)
        self.args = list(args)
        self.extra_env = dict(env or {})
        self.listen = listen
        self.data_dir = Path(data_dir) if data_dir else self.workdir / "data"
        self.fixed_port = port
        self.use_port_flag = use_port_flag

    def command(self):
        cmd = [str(HCDB_BIN)]
        if self.listen is not None:
            cmd += ["--listen", self.listen]
        if self.use_port_flag:
            cmd += ["--port", str(self.port)]
        cmd += ["--data", str(self.data_dir)]
        if self.auth is not None:
            cmd += ["--auth", self.auth]
        if self.tls:
            cmd += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        if self.max_connections is not None:
            cmd += ["--max-connections", str(self.max_connections)]
        if self.max_message_size is not None:
            cmd += ["--max-message-size", str(self.max_message_size)]
        return cmd + self.args

    def env(self):
        env = clean_env()
        if self.password is not None:
            env["HCDB_PASSWORD"] = self.password
        env.update(self.extra_env)
        return env

    def spawn(self):
        """Starts the process without waiting for it to listen."""
        if not HCDB_BIN.exists():
            raise StartError(f"server binary {HCDB_BIN} does not exist: build it first "
                             "(scripts/build.sh) or set HCDB_BIN")
        if self.port is None:
            self.port = self.fixed_port or free_port()
        self.log_fh = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self.log_fh, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.env(), cwd=self.workdir)
        return self.proc

    def start(self):
        for attempt in range(3):
            self.spawn()
            try:
                self.wait_ready()
                return self
            except StartError:
                # Another process may have taken the free port in between: retry.
                if (self.fixed_port is None and self.proc.poll() is not None
                        and "in use" in self.log().lower() and attempt < 2):
                    self.port = None
                    continue
                raise
        return self


class PgReferenceServer(BaseServer):
    """PostgreSQL 15 configured like an hcdb server with the same options."""

    def __init__(self, workdir, auth="trust", password=None, tls=None, max_connections=None,
                 max_message_size=None, **ignored):
        super().__init__(workdir, auth, password, tls, max_connections, max_message_size)
        self.as_root = os.geteuid() == 0
        # pytest's temp root is private to the current user; the postgres OS
        # user needs a directory of its own.
        self.pgdir = Path(tempfile.mkdtemp(prefix="hcdb-ref-"))
        self.data_dir = self.pgdir / "pgdata"

    def _own(self, path):
        if self.as_root:
            shutil.chown(path, "postgres", "postgres")

    def start(self):
        self._own(self.pgdir)
        os.chmod(self.pgdir, 0o700)
        self.port = free_port()
        pwfile = self.pgdir / "pw"
        initdb = [str(PG_BINDIR / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                  "-E", "UTF8", "--locale=C",
                  # Like hcdb, store the password as a SCRAM verifier whatever the
                  # method; pg_hba.conf below then picks the method.
                  "--auth=" + ("scram-sha-256" if self.password is not None else "trust")]
        if self.password is not None:
            pwfile.write_text(self.password + "\n")
            self._own(pwfile)
            initdb += ["--pwfile", str(pwfile)]
        kw = dict(user="postgres", group="postgres") if self.as_root else {}
        r = subprocess.run(initdb, capture_output=True, text=True, timeout=120, env=clean_env(), **kw)
        if r.returncode != 0:
            raise StartError(f"initdb failed: {r.stdout}{r.stderr}")
        conf = [f"port = {self.port}", f"listen_addresses = '{self.host}'",
                "unix_socket_directories = ''", "fsync = off", "superuser_reserved_connections = 0",
                f"max_connections = {self.max_connections or 100}", "lc_messages = 'C'"]
        if self.tls:
            for src, name in zip(self.tls, ("server.crt", "server.key")):
                dst = self.data_dir / name
                shutil.copy(src, dst)
                os.chmod(dst, 0o600)
                self._own(dst)
            conf += ["ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'"]
        with open(self.data_dir / "postgresql.conf", "a") as fh:
            fh.write("\n".join(conf) + "\n")
        with open(self.data_dir / "pg_hba.conf", "w") as fh:
            fh.write(f"host all all 127.0.0.1/32 {self.auth}\n")
        self.log_fh = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(PG_BINDIR / "postgres"), "-D", str(self.data_dir)],
                                     stdout=self.log_fh, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=clean_env(), **kw)
        self.wait_ready()
        # PostgreSQL accepts connections before it can serve them (57P03).
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                pgwire.connect(self.host, self.port, password=self.password).terminate()
                break
            except pgwire.ServerError as e:
                if e.fields.get("C") != "57P03" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        return self

    def stop(self, sig=signal.SIGINT, timeout=STOP_TIMEOUT):
        rc = super().stop(sig, timeout)
        shutil.rmtree(self.pgdir, ignore_errors=True)
        return rc


def make_server(workdir, **kw):
    if REFERENCE:
        return PgReferenceServer(workdir, **kw)
    return HcdbServer(workdir, **kw)


class ServerFactory:
    def __init__(self, tmp_path_factory, name):
        self.tmp_path_factory = tmp_path_factory
        self.name = name
        self.servers = []

    def __call__(self, start=True, **kw):
        """Creates (and by default starts) a server; see HcdbServer for options."""
        workdir = self.tmp_path_factory.mktemp(self.name)
        srv = make_server(workdir, **kw)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def teardown(self):
        problems = []
        for srv in self.servers:
            if srv.proc is None:
                continue
            was_running = srv.running()
            rc = srv.stop()
            expected_clean = getattr(srv, "expect_clean_exit", True)
            if was_running and expected_clean and rc != 0:
                problems.append(f"server on port {srv.port} exited with {rc} after SIGINT "
                                f"(expected 0); log tail:\n{srv.log()[-3000:]}")
            elif not was_running and expected_clean and rc not in (0, None) \
                    and not getattr(srv, "expect_exit", False):
                problems.append(f"server on port {srv.port} died during the test with {rc}; "
                                f"log tail:\n{srv.log()[-3000:]}")
            fh = getattr(srv, "log_fh", None)
            if fh:
                fh.close()
        assert not problems, "\n\n".join(problems)


@pytest.fixture
def server_factory(tmp_path_factory):
    f = ServerFactory(tmp_path_factory, "srv")
    yield f
    f.teardown()


@pytest.fixture(scope="module")
def trust_server(tmp_path_factory):
    """One trust-auth server shared by the tests of a module."""
    f = ServerFactory(tmp_path_factory, "shared")
    srv = f()
    yield srv
    f.teardown()


@pytest.fixture(scope="module")
def scram_server(tmp_path_factory):
    """One scram-sha-256 server with the postgres password 'hcdb-secret'."""
    f = ServerFactory(tmp_path_factory, "scram")
    srv = f(auth="scram-sha-256", password="hcdb-secret")
    yield srv
    f.teardown()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed certificate and key for localhost, made with openssl."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "server.crt", d / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=120)
    os.chmod(key, 0o600)
    return cert, key
