"""psql 15's meta-commands print what PostgreSQL 15 prints for the same
schema (expected files made by psql_meta/make_expected.py from PostgreSQL
15), except ports and sizes."""
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "psql_meta"))
import commands  # noqa: E402

# The commands hcdb answers so far; the others wait for joins and
# subqueries in hcdb's SQL.
WORKING = {"conninfo"}


@pytest.fixture(scope="module")
def meta_server(trust_server):
    for sql in commands.SETUP + commands.LATE_SETUP:
        res = trust_server.psql(sql=sql)
        assert res.returncode == 0, res.stderr
    return trust_server


@pytest.mark.parametrize("name,cmd", [(n, c) for n, c, _ in commands.COMMANDS if n in WORKING])
def test_meta_command_prints_what_postgresql_prints(meta_server, name, cmd):
    expected = (HERE / "psql_meta" / "expected" / f"{name}.out").read_text()
    assert commands.run(meta_server, cmd) == expected
