"""hcdb as a systemd service: the sd_notify protocol for real, and the shipped
unit file and sample configuration.

The test plays the service manager: it binds a unix datagram socket, starts
hcdb with NOTIFY_SOCKET naming it, and reads what hcdb tells it. READY=1 must
come only once the port accepts connections (systemd starts dependent units
then), STOPPING=1 when a shutdown signal arrives.
"""
import configparser
import os
import select
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CLIENT_TIMEOUT, START_TIMEOUT, STOP_TIMEOUT

pytestmark = pytest.mark.hcdb_only

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "hcdb.service"
SAMPLE_CONF = REPO / "deploy" / "hcdb.conf"


class NotifyListener:
    """A datagram socket standing in for systemd's notification socket."""

    def __init__(self, address):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        # What hcdb must put in NOTIFY_SOCKET: '@' spells the abstract namespace.
        self.name = "@" + address[1:].decode() if isinstance(address, bytes) else address

    def receive(self, proc, timeout):
        """The next datagram as a dict of its KEY=VALUE lines; fails if the
        process exits or nothing comes in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.sock], [], [], 0.1)
            if ready:
                data = self.sock.recv(4096).decode()
                return dict(line.split("=", 1) for line in data.split("\n") if "=" in line)
            if proc.poll() is not None:
                # A last datagram may have been sent just before the exit.
                ready, _, _ = select.select([self.sock], [], [], 0)
                if not ready:
                    pytest.fail(f"hcdb exited with {proc.returncode} before notifying")
        pytest.fail("no sd_notify datagram arrived in time")

    def close(self):
        self.sock.close()


def port_accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return True
    except OSError:
        return False


def run_notified(server_factory, listener, sig):
    """Starts hcdb with NOTIFY_SOCKET, checks READY=1 and STOPPING=1 around `sig`."""
    srv = server_factory(start=False, env={"NOTIFY_SOCKET": listener.name})
    proc = srv.spawn()
    ready = listener.receive(proc, START_TIMEOUT)
    assert ready.get("READY") == "1", ready
    # Sent after listen(): a client connecting now must get in at once.
    assert port_accepts(srv.port), "READY=1 came before the port accepted connections"
    assert ready.get("MAINPID") == str(proc.pid), ready
    assert ready.get("STATUS"), ready
    srv.assert_serving()

    proc.send_signal(sig)
    stopping = listener.receive(proc, STOP_TIMEOUT)
    assert stopping.get("STOPPING") == "1", stopping
    assert srv.stop() == 0, srv.log()[-3000:]


def test_ready_and_stopping_on_a_path_socket(server_factory, tmp_path):
    # A short directory: a socket path must fit in sun_path (108 bytes).
    listener = NotifyListener(str(tmp_path / "notify"))
    try:
        run_notified(server_factory, listener, signal.SIGTERM)
    finally:
        listener.close()


def test_ready_and_stopping_on_an_abstract_socket(server_factory):
    # systemd itself uses an abstract name ("@/org/freedesktop/systemd1/notify/...").
    listener = NotifyListener(f"\0hcdb-e2e-notify-{os.getpid()}-{time.monotonic_ns()}".encode())
    try:
        # SIGINT is the unit file's KillSignal.
        run_notified(server_factory, listener, signal.SIGINT)
    finally:
        listener.close()


def test_unreachable_notify_socket_does_not_stop_the_server(server_factory, tmp_path):
    srv = server_factory(start=False, env={"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    srv.spawn()
    srv.wait_ready()
    srv.assert_serving()


def read_unit():
    # systemd unit files are INI-like; repeated keys are not used in ours.
    cp = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    cp.optionxform = str
    cp.read(UNIT)
    return cp


def test_unit_file_declares_a_notify_service():
    unit = read_unit()
    svc = unit["Service"]
    assert svc["Type"] == "notify"
    assert svc["Restart"] == "on-failure"
    assert svc["User"] == "hcdb"
    assert svc["ExecStart"] == "/usr/local/bin/hcdb --config /etc/hcdb/hcdb.conf"
    assert svc["KillSignal"] == "SIGINT"
    assert int(svc["TimeoutStopSec"].rstrip("s")) > 0
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_unit_file_passes_systemd_analyze():
    analyze = "/usr/bin/systemd-analyze"
    if not os.path.exists(analyze):
        pytest.skip("systemd-analyze is not installed")
    r = subprocess.run([analyze, "verify", "--man=no", str(UNIT)], capture_output=True, text=True,
                       timeout=CLIENT_TIMEOUT)
    # verify also checks that ExecStart's binary exists, which it does not here.
    problems = [line for line in (r.stdout + r.stderr).splitlines()
                if line.strip() and "/usr/local/bin/hcdb" not in line]
    assert not problems, r.stdout + r.stderr


def test_sample_config_is_accepted(server_factory):
    # Flags win over the file, so the test's port and data directory replace the sample's.
    srv = server_factory(start=False, auth=None, password="sample-secret",
                         args=["--config", str(SAMPLE_CONF), "--auth", "scram-sha-256"])
    srv.start()
    r = srv.psql(sql="SELECT 1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"
