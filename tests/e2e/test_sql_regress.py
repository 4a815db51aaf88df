"""pg_regress-style scripts: each tests/sql/NAME.sql runs through psql (echoing every
statement, errors included) and must print exactly tests/expected/NAME.out, which is
what PostgreSQL 15's psql and server print for the same file (tests/README.md)."""
import subprocess
from pathlib import Path

import pytest

from conftest import CLIENT_TIMEOUT, REPO, pg_tool

SCRIPTS = sorted((REPO / "tests" / "sql").glob("*.sql"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_sql_script(trust_server, script):
    expected = (REPO / "tests" / "expected" / (script.stem + ".out")).read_text()
    cmd = [pg_tool("psql"), "-X", "-a", "-q", "-h", trust_server.host, "-p", str(trust_server.port),
           "-U", "postgres", "-d", "postgres"]
    out = subprocess.run(cmd, input=Path(script).read_text(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=CLIENT_TIMEOUT * 3, env=trust_server.client_env())
    got = out.stdout
    if got != expected:
        import difflib
        diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                            "expected", "hcdb", n=2))
        pytest.fail(f"{script.name} differs from PostgreSQL's output:\n{diff[:6000]}")
