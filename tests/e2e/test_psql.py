"""psql and pg_isready against the server: text output, headers, errors."""
import re

import pytest


def ok(res):
    assert res.returncode == 0, f"rc={res.returncode}\nstdout:{res.stdout}\nstderr:{res.stderr}"
    return res.stdout


def test_select_1(trust_server):
    assert ok(trust_server.psql(sql="SELECT 1")) == "1\n"


def test_expression_list_with_headers(trust_server):
    out = ok(trust_server.psql(sql="SELECT 1+1 AS two, 'a' || 'b', 2.5::float8 * 2",
                               tuples_only=False))
    assert out.splitlines() == ["two|?column?|?column?", "2|ab|5", "(1 row)"]


@pytest.mark.parametrize("expr,header,value", [
    ("1", "?column?", "1"),
    ("'hello'::text", "text", "hello"),
    ("true", "?column?", "t"),
    ("1 = 2", "?column?", "f"),
    ("32767::int2", "int2", "32767"),
    ("-2147483648::int8", "?column?", "-2147483648"),
    ("9223372036854775807::int8", "int8", "9223372036854775807"),
    ("1.5::float4", "float4", "1.5"),
    ("0.1::float8 + 0.2", "?column?", "0.30000000000000004"),
    ("12.50::numeric", "numeric", "12.50"),
    ("'x'::varchar", "varchar", "x"),
    ("'\\x0102ff'::bytea", "bytea", "\\x0102ff"),
    ("NULL::int4", "int4", ""),
    ("current_database()", "current_database", "postgres"),
    ("current_user", "current_user", "postgres"),
    ("7 / 2", "?column?", "3"),
    ("7 % 3 AS m", "m", "1"),
])
def test_typed_expressions(trust_server, expr, header, value):
    out = ok(trust_server.psql(sql=f"SELECT {expr}", tuples_only=False))
    assert out.splitlines() == [header, value, "(1 row)"]


def test_now_and_version(trust_server):
    out = ok(trust_server.psql(sql="SELECT now(), version()", tuples_only=False))
    lines = out.splitlines()
    assert lines[0] == "now|version"
    assert lines[2] == "(1 row)"
    now, version = lines[1].split("|", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?", now), now
    assert version.startswith("PostgreSQL 15.")


@pytest.mark.hcdb_only
def test_version_names_hcdb(trust_server):
    assert "hcdb" in ok(trust_server.psql(sql="SELECT version()"))


def test_server_version_setting(trust_server):
    assert ok(trust_server.psql(sql="SHOW server_version")).startswith("15.")


def test_multi_statement_query(trust_server):
    # psql 15 prints the result of every statement of a multi-statement -c string.
    out = ok(trust_server.psql(sql="SELECT 1 AS a; SELECT 'two' AS b; SELECT 3"))
    assert out.splitlines() == ["1", "two", "3"]


def test_script_from_stdin(trust_server):
    script = "SELECT 1;\nSELECT 'x' || 'y';\n\\echo done\n"
    out = ok(trust_server.psql("-f", "-", input=script))
    assert out.splitlines() == ["1", "xy", "done"]


def test_on_error_stop_stops(trust_server):
    script = "SELECT 1;\nSELECT * FROM missing_table;\nSELECT 2;\n"
    res = trust_server.psql("-f", "-", input=script)
    assert res.returncode == 3, res
    assert res.stdout.splitlines() == ["1"]
    assert 'relation "missing_table" does not exist' in res.stderr


def test_without_on_error_stop_continues(trust_server):
    script = "\\set ON_ERROR_STOP off\nSELECT 1;\nSELECT * FROM missing_table;\nSELECT 2;\n"
    res = trust_server.psql("-f", "-", input=script)
    assert res.returncode == 0, res
    assert res.stdout.splitlines() == ["1", "2"]


def test_error_shows_sqlstate_verbose(trust_server):
    script = "\\set VERBOSITY verbose\nSELEC 1;\n"
    res = trust_server.psql("-f", "-", input=script)
    assert res.returncode == 3
    assert 'ERROR:  42601: syntax error at or near "SELEC"' in res.stderr, res.stderr


def test_undefined_table_sqlstate(trust_server):
    script = "\\set VERBOSITY verbose\nSELECT * FROM nope;\n"
    res = trust_server.psql("-f", "-", input=script)
    assert res.returncode == 3
    assert 'ERROR:  42P01: relation "nope" does not exist' in res.stderr, res.stderr


def test_syntax_error_position(trust_server):
    res = trust_server.psql(sql="SELECT 1 AS a 2")
    assert res.returncode == 1
    lines = res.stderr.splitlines()
    assert lines[0] == 'ERROR:  syntax error at or near "2"', res.stderr
    assert lines[1] == "LINE 1: SELECT 1 AS a 2"
    # The caret stands under the offending token ("LINE 1: " is 8 characters).
    assert lines[2] == " " * (8 + len("SELECT 1 AS a ")) + "^"


def test_division_by_zero(trust_server):
    res = trust_server.psql("-v", "VERBOSITY=verbose", sql="SELECT 1/0")
    assert res.returncode == 1
    assert "ERROR:  22012: division by zero" in res.stderr, res.stderr


def test_set_show_reset(trust_server):
    script = ("SHOW application_name;\nSET application_name = 'abc';\nSHOW application_name;\n"
              "RESET application_name;\nSHOW application_name;\n")
    out = ok(trust_server.psql("-f", "-", input=script))
    assert out.splitlines() == ["psql", "SET", "abc", "RESET", "psql"]


def test_transaction_block(trust_server):
    script = "BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nROLLBACK;\n"
    out = ok(trust_server.psql("-f", "-", input=script))
    assert out.splitlines() == ["BEGIN", "1", "COMMIT", "BEGIN", "2", "ROLLBACK"]


def test_aborted_transaction_25p02(trust_server):
    script = ("\\set ON_ERROR_STOP off\n\\set VERBOSITY verbose\nBEGIN;\nSELECT 1/0;\nSELECT 1;\n"
              "ROLLBACK;\nSELECT 'after';\n")
    res = trust_server.psql("-f", "-", input=script)
    assert res.returncode == 0, res
    assert res.stdout.splitlines() == ["BEGIN", "ROLLBACK", "after"]
    assert "ERROR:  25P02: current transaction is aborted, commands ignored until end of " \
           "transaction block" in res.stderr, res.stderr


def test_pg_isready(trust_server):
    res = trust_server.pg_isready()
    assert res.returncode == 0, res
    assert "accepting connections" in res.stdout


def test_pg_isready_no_server():
    # Control for the test above: nothing listens on a fresh free port.
    import subprocess
    from conftest import free_port, pg_tool, clean_env
    res = subprocess.run([pg_tool("pg_isready"), "-h", "127.0.0.1", "-p", str(free_port()),
                          "-t", "5"], capture_output=True, text=True, timeout=30, env=clean_env())
    assert res.returncode == 2, res


def test_star_over_a_from_function(trust_server):
    out = ok(trust_server.psql(sql="SELECT * FROM generate_series(1, 3); SELECT * FROM generate_series(4, 5) AS g",
                               tuples_only=False))
    assert out.splitlines() == ["generate_series", "1", "2", "3", "(3 rows)", "g", "4", "5", "(2 rows)"]


def test_star_without_from_is_a_syntax_error(trust_server):
    res = trust_server.psql(input="\\set VERBOSITY verbose\nSELECT *;\n")
    assert res.returncode != 0
    assert "ERROR:  42601: SELECT * with no tables specified is not valid" in res.stderr, res.stderr
