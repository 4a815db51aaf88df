"""--allow-remote-trust: trust authentication on addresses others can reach, only when
asked for (as the postgres image's POSTGRES_HOST_AUTH_METHOD=trust), with a warning."""
import subprocess

import pytest

from conftest import HCDB_BIN

pytestmark = pytest.mark.hcdb_only   # hcdb's own flag


def test_allow_remote_trust_starts_and_warns(server_factory):
    srv = server_factory(auth="trust", listen="0.0.0.0", args=["--allow-remote-trust", "on"])
    srv.assert_serving()
    assert "trust authentication on \"0.0.0.0\" (--allow-remote-trust)" in srv.log()


def test_allow_remote_trust_from_the_environment(server_factory):
    srv = server_factory(auth="trust", listen="0.0.0.0", env={"HCDB_ALLOW_REMOTE_TRUST": "on"})
    srv.assert_serving()


def test_without_it_the_refusal_names_it(tmp_path):
    res = subprocess.run([str(HCDB_BIN), "--listen", "0.0.0.0", "--auth", "trust", "--data",
                          str(tmp_path / "d")], capture_output=True, text=True, timeout=30)
    assert res.returncode == 2
    assert "--allow-remote-trust on" in res.stderr, res.stderr


def test_bad_value_refused(tmp_path):
    res = subprocess.run([str(HCDB_BIN), "--allow-remote-trust", "sure", "--data", str(tmp_path / "d")],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 2
    assert 'invalid value for allow_remote_trust: "sure"' in res.stderr, res.stderr
