"""pgbench's own tables and builtin scripts (tpcb-like, -N, -S) in the three query modes,
then the TPC-B invariant: every delta lands once in accounts, tellers, branches and history."""
import re

import pytest

MODES = ["simple", "extended", "prepared"]


def processed(out):
    m = re.search(r"number of transactions actually processed: (\d+)/(\d+)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def failed(out):
    m = re.search(r"number of failed transactions: (\d+)", out)
    return int(m.group(1)) if m else 0


def scalar(srv, sql):
    res = srv.psql(sql=sql)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def sums(srv):
    return [scalar(srv, "SELECT sum(abalance) FROM pgbench_accounts"),
            scalar(srv, "SELECT sum(bbalance) FROM pgbench_branches"),
            scalar(srv, "SELECT sum(tbalance) FROM pgbench_tellers"),
            scalar(srv, "SELECT sum(delta) FROM pgbench_history")]


def run(srv, *args):
    res = srv.pgbench(*args)
    assert res.returncode == 0, res.stdout + res.stderr
    return res


@pytest.fixture(scope="module")
def bench_server(server_factory_module):
    srv = server_factory_module()
    res = run(srv, "-i", "-s", "1", "-I", "dtGvp")
    assert "done" in res.stderr, res.stderr
    assert scalar(srv, "SELECT count(*) FROM pgbench_accounts") == "100000"
    return srv


@pytest.fixture(scope="module")
def server_factory_module(tmp_path_factory):
    from conftest import ServerFactory
    f = ServerFactory(tmp_path_factory, "tpcb")
    yield f
    f.teardown()


@pytest.mark.parametrize("mode", MODES)
def test_tpcb_like(bench_server, mode):
    # -n: keep pgbench_history, so the invariant covers every run of the module
    res = run(bench_server, "-n", "-c", "8", "-j", "2", "-t", "200", "-M", mode)
    assert processed(res.stdout) == (1600, 1600), res.stdout
    assert failed(res.stdout) == 0, res.stdout
    a, b, t, h = sums(bench_server)
    assert a == b == t == h, (a, b, t, h)


@pytest.mark.parametrize("mode", MODES)
def test_select_only(bench_server, mode):
    res = run(bench_server, "-n", "-S", "-c", "8", "-j", "2", "-t", "200", "-M", mode)
    assert processed(res.stdout) == (1600, 1600), res.stdout
    assert failed(res.stdout) == 0, res.stdout


@pytest.mark.parametrize("mode", MODES)
def test_simple_update(bench_server, mode):
    before = int(scalar(bench_server, "SELECT count(*) FROM pgbench_history"))
    res = run(bench_server, "-n", "-N", "-c", "8", "-j", "2", "-t", "200", "-M", mode)
    assert processed(res.stdout) == (1600, 1600), res.stdout
    assert failed(res.stdout) == 0, res.stdout
    assert int(scalar(bench_server, "SELECT count(*) FROM pgbench_history")) == before + 1600


def test_invariant_survives_restart(server_factory):
    srv = server_factory()
    run(srv, "-i", "-s", "1", "-I", "dtGvp")
    run(srv, "-n", "-c", "4", "-j", "2", "-t", "100")
    before = sums(srv)
    assert before[0] == before[1] == before[2] == before[3]
    srv.stop()
    srv.start()
    assert sums(srv) == before
    assert scalar(srv, "SELECT count(*) FROM pgbench_history") == "400"


def test_run_setup_with_vacuum_and_truncate(bench_server):
    # without -n: pgbench vacuums the branches and tellers and truncates the history first
    res = run(bench_server, "-c", "2", "-j", "1", "-t", "50")
    assert processed(res.stdout) == (100, 100), res.stdout
    assert scalar(bench_server, "SELECT count(*) FROM pgbench_history") == "100"


# pgbench's default init loads with COPY ... FROM STDIN (with freeze on).
def test_client_side_init_with_copy(server_factory):
    srv = server_factory()
    run(srv, "-i", "-s", "1")
    assert scalar(srv, "SELECT count(*) FROM pgbench_accounts") == "100000"
    res = run(srv, "-c", "4", "-j", "2", "-t", "100")
    assert failed(res.stdout) == 0, res.stdout
