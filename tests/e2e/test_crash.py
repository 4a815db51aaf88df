"""Crash safety: kill -9 the real server at random moments while committed writers
(psycopg2, workload.py) and pgbench's TPC-B-like script run, restart it, and check
that every acknowledged commit is there, that no transaction is half there, that
index lookups agree with scans, and that the server takes writes again.

HCDB_CRASH_LOOPS sets the number of loops of the long test (default 20; the
documented long run is 200). HCDB_CRASH_SEED fixes the random moments.
"""
import os
import random
import signal
import subprocess
import threading
import time

import pytest

from conftest import pg_tool
from workload import Ledger, tpcb_sums

pytestmark = pytest.mark.hcdb_only   # kill -9 and restart of hcdb's own data directory

LOOPS = int(os.environ.get("HCDB_CRASH_LOOPS", "20"))
SEED = int(os.environ.get("HCDB_CRASH_SEED", str(random.randrange(1 << 30))))


def start_pgbench(srv, seconds=60):
    cmd = [pg_tool("pgbench"), "-h", srv.host, "-p", str(srv.port), "-U", "postgres",
           "-n", "-c", "4", "-j", "2", "-T", str(seconds), "postgres"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=srv.client_env())


def checkpoints(srv, rng, stop):
    """Issues CHECKPOINT at random moments, so that crashes also hit checkpoints."""
    try:
        conn = srv.pg_connect()
        conn.autocommit = True
        while not stop.wait(rng.uniform(0.05, 0.6)):
            with conn.cursor() as cur:
                cur.execute("CHECKPOINT")
    except Exception:  # the server was killed under it
        pass


def crash_loops(server_factory, loops, seed, with_pgbench):
    rng = random.Random(seed)
    srv = server_factory()
    ledger = Ledger()
    ledger.create(srv)
    if with_pgbench:
        res = srv.pgbench("-i", "-s", "1", "-I", "dtGvp")
        assert res.returncode == 0, res.stdout + res.stderr
    total = 0
    for loop in range(loops):
        writers = ledger.writers(srv, rng.random())
        for w in writers:
            w.start()
        bench = start_pgbench(srv) if with_pgbench else None
        stop_ckpt = threading.Event()
        ckpt = threading.Thread(target=checkpoints, args=(srv, random.Random(rng.random()), stop_ckpt),
                                daemon=True)
        if rng.random() < 0.5:
            ckpt.start()
        time.sleep(rng.uniform(0.2, 1.2))
        os.kill(srv.pid, signal.SIGKILL)
        srv.proc.wait(30)
        stop_ckpt.set()
        for w in writers:
            w.join(30)
            assert not w.is_alive(), "a writer did not notice the crash"
            total += w.commits
        if bench:
            bench.communicate(timeout=60)
        srv.start()
        problems = ledger.check(srv)
        assert not problems, f"loop {loop} (seed {seed}):\n" + "\n".join(problems) \
            + "\n" + srv.log()[-3000:]
        if with_pgbench:
            a, b, t, h = tpcb_sums(srv)
            assert a == b == t == h, f"loop {loop} (seed {seed}): TPC-B sums {a} {b} {t} {h}"
    # (d) the server takes writes after the last recovery, and shuts down cleanly
    writers = ledger.writers(srv, rng.random())
    for w in writers:
        w.start()
    time.sleep(0.3)
    for w in writers:
        w.stop()
        w.join(30)
        assert w.error is None, w.error
        total += w.commits
    assert not ledger.check(srv)
    assert total > 0, "no transaction was acknowledged in any loop"


def test_kill9_short(server_factory):
    """Three loops, also in the sanitizer run."""
    crash_loops(server_factory, 3, SEED, with_pgbench=False)


@pytest.mark.slow
def test_kill9_loops_with_pgbench(server_factory):
    crash_loops(server_factory, LOOPS, SEED, with_pgbench=True)
