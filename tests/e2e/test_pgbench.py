"""pgbench custom scripts in the three query modes."""
import re

import pytest


def processed(out):
    m = re.search(r"number of transactions actually processed: (\d+)/(\d+)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def failed(out):
    m = re.search(r"number of failed transactions: (\d+)", out)
    return int(m.group(1)) if m else None


@pytest.mark.parametrize("mode", ["simple", "extended", "prepared"])
def test_pgbench_select1(trust_server, tmp_path, mode):
    script = tmp_path / "select1.sql"
    script.write_text("SELECT 1;\n")
    res = trust_server.pgbench("-n", "-f", str(script), "-c", "4", "-j", "2", "-t", "200",
                               "-M", mode)
    assert res.returncode == 0, res.stdout + res.stderr
    assert processed(res.stdout) == (800, 800), res.stdout
    assert failed(res.stdout) in (0, None), res.stdout


@pytest.mark.parametrize("mode", ["simple", "extended", "prepared"])
def test_pgbench_with_variables(trust_server, tmp_path, mode):
    # In extended/prepared mode :x becomes a $1 parameter whose type the server infers.
    script = tmp_path / "vars.sql"
    script.write_text("\\set x random(1, 100000)\nSELECT :x::int + 1 AS y;\n"
                      "\\set y random(1, 100)\nSELECT :y * 2, 'abc' || :y;\n")
    res = trust_server.pgbench("-n", "-f", str(script), "-c", "2", "-j", "2", "-t", "100",
                               "-M", mode)
    assert res.returncode == 0, res.stdout + res.stderr
    assert processed(res.stdout) == (200, 200), res.stdout


def test_pgbench_transaction_script(trust_server, tmp_path):
    script = tmp_path / "tx.sql"
    script.write_text("BEGIN;\nSELECT 1;\nSELECT 2;\nEND;\n")
    res = trust_server.pgbench("-n", "-f", str(script), "-c", "2", "-j", "1", "-t", "100",
                               "-M", "prepared")
    assert res.returncode == 0, res.stdout + res.stderr
    assert processed(res.stdout) == (200, 200), res.stdout


def test_pgbench_reports_server_errors(trust_server, tmp_path):
    # Control: a script that fails on the server makes pgbench fail.
    script = tmp_path / "bad.sql"
    script.write_text("SELECT * FROM no_such_table;\n")
    res = trust_server.pgbench("-n", "-f", str(script), "-c", "1", "-t", "5")
    assert res.returncode != 0
    assert "no_such_table" in res.stderr
