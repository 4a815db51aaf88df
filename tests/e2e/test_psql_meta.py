"""psql 15's meta-commands print what PostgreSQL 15 prints for the same
schema (expected files made by psql_meta/make_expected.py from PostgreSQL
15), except ports and sizes."""
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "psql_meta"))
import commands  # noqa: E402


def run_sql(server, statements):
    for sql in statements:
        res = server.psql(sql=sql)
        assert res.returncode == 0, res.stderr


@pytest.fixture(scope="module")
def meta_server(trust_server):
    run_sql(trust_server, commands.SETUP)
    return trust_server


@pytest.mark.parametrize("name,cmd,late", commands.COMMANDS)
def test_meta_command_prints_what_postgresql_prints(meta_server, name, cmd, late):
    if late:
        run_sql(meta_server, commands.LATE_SETUP)
    expected = (HERE / "psql_meta" / "expected" / f"{name}.out").read_text()
    assert commands.run(meta_server, cmd) == expected
