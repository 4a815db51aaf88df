"""CREATE EXTENSION / DROP EXTENSION over psycopg2 and psql, with
PostgreSQL's messages and SQLSTATEs. uuid-ossp and pgcrypto exist in both
hcdb and Debian's PostgreSQL 15, so those tests also run against it."""
import psycopg2
import pytest


@pytest.fixture
def conn(trust_server):
    """A connection to the module's server, with no extension left over from another test."""
    c = trust_server.pg_connect()
    c.autocommit = True
    run(c, 'DROP EXTENSION IF EXISTS pgcrypto, "uuid-ossp"')
    if trust_server.__class__.__name__ == "HcdbServer":
        run(c, "DROP EXTENSION IF EXISTS vector")
    del c.notices[:]
    yield c
    c.close()


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall() if cur.description else None


def installed(conn):
    return run(conn, "SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1")


def test_create_and_drop(conn):
    assert installed(conn) == []
    run(conn, 'CREATE EXTENSION "uuid-ossp"')
    run(conn, "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public")
    assert installed(conn) == [("pgcrypto", "1.3"), ("uuid-ossp", "1.1")]
    assert run(conn, "SELECT extnamespace::regnamespace::text FROM pg_extension "
                     "WHERE extname = 'pgcrypto'") == [("public",)]
    run(conn, 'DROP EXTENSION pgcrypto, "uuid-ossp"')
    assert installed(conn) == []


def test_available_extensions_show_installed_version(conn):
    run(conn, "CREATE EXTENSION pgcrypto")
    got = run(conn, "SELECT name, default_version, installed_version FROM pg_available_extensions "
                    "WHERE name IN ('pgcrypto', 'uuid-ossp') ORDER BY 1")
    assert got == [("pgcrypto", "1.3", "1.3"), ("uuid-ossp", "1.1", None)]


def test_if_not_exists_and_if_exists_give_notices(conn):
    run(conn, "CREATE EXTENSION pgcrypto")
    del conn.notices[:]
    run(conn, "CREATE EXTENSION IF NOT EXISTS pgcrypto")
    run(conn, "DROP EXTENSION IF EXISTS no_such_ext")
    assert conn.notices == ['NOTICE:  extension "pgcrypto" already exists, skipping\n',
                            'NOTICE:  extension "no_such_ext" does not exist, skipping\n']


@pytest.mark.hcdb_only
def test_unknown_extension_has_no_control_file(conn):
    # hcdb answers as earlier PostgreSQL 15 minor releases do: 58P01 naming
    # the control file (15.20 says 0A000 "extension ... is not available"
    # and gives that text as DETAIL), so this is not checked against 15.20.
    with pytest.raises(psycopg2.Error) as e:
        run(conn, "CREATE EXTENSION no_such_ext")
    assert e.value.pgcode == "58P01"
    assert e.value.diag.message_primary == ('could not open extension control file '
                                            '"/usr/share/postgresql/15/extension/no_such_ext.control": '
                                            'No such file or directory')


@pytest.mark.parametrize("sql,code,message", [
    ("DROP EXTENSION no_such_ext", "42704", 'extension "no_such_ext" does not exist'),
    ("CREATE EXTENSION pgcrypto WITH SCHEMA no_such_schema", "3F000", 'schema "no_such_schema" does not exist'),
    ("CREATE EXTENSION pgcrypto VERSION '9.9'", "22023",
     'extension "pgcrypto" has no installation script nor update path for version "9.9"'),
])
def test_bad_extension_statements(conn, sql, code, message):
    with pytest.raises(psycopg2.Error) as e:
        run(conn, sql)
    assert e.value.pgcode == code
    assert e.value.diag.message_primary == message


def test_duplicate_create_fails(conn):
    run(conn, "CREATE EXTENSION pgcrypto")
    with pytest.raises(psycopg2.Error) as e:
        run(conn, "CREATE EXTENSION pgcrypto")
    assert e.value.pgcode == "42710"
    assert e.value.diag.message_primary == 'extension "pgcrypto" already exists'


def test_drop_checks_every_name_first(conn):
    run(conn, "CREATE EXTENSION pgcrypto")
    with pytest.raises(psycopg2.Error) as e:
        run(conn, "DROP EXTENSION pgcrypto, no_such_ext")
    assert e.value.pgcode == "42704"
    assert installed(conn) == [("pgcrypto", "1.3")]


def test_rollback_undoes_create_and_drop(conn):
    conn.autocommit = False
    run(conn, "CREATE EXTENSION pgcrypto")
    assert installed(conn) == [("pgcrypto", "1.3")]
    conn.rollback()
    assert installed(conn) == []
    run(conn, "CREATE EXTENSION pgcrypto")
    conn.commit()
    run(conn, "DROP EXTENSION pgcrypto")
    conn.rollback()
    assert installed(conn) == [("pgcrypto", "1.3")]


@pytest.mark.hcdb_only
def test_extensions_survive_restart(server_factory):
    srv = server_factory()
    c = srv.pg_connect()
    c.autocommit = True
    run(c, 'CREATE EXTENSION "uuid-ossp"')
    run(c, "CREATE EXTENSION pgcrypto")
    run(c, "DROP EXTENSION pgcrypto")
    c.close()
    srv.stop()
    srv.start()
    c = srv.pg_connect()
    try:
        assert installed(c) == [("uuid-ossp", "1.1")]
    finally:
        c.close()


@pytest.mark.hcdb_only
def test_builtin_extensions_listed(conn):
    got = run(conn, "SELECT name, default_version FROM pg_available_extensions ORDER BY 1")
    assert got == [("embedding_ops", "1.0"), ("generative", "1.0"), ("hypercube", "1.0"), ("hypercube_ops", "1.0"),
                   ("pg_stat_statements", "1.10"), ("pgcrypto", "1.3"), ("semantic_ops", "1.0"),
                   ("uuid-ossp", "1.1"), ("vector", "0.8.0")]


@pytest.mark.hcdb_only
def test_extension_functions_appear_in_pg_proc_once_created(conn):
    q = "SELECT proname, pronamespace::regnamespace::text FROM pg_proc WHERE proname = 'l2_distance'"
    assert run(conn, q) == []
    run(conn, "CREATE EXTENSION vector")
    assert run(conn, q) == [("l2_distance", "public")] * len(run(conn, q))
    assert len(run(conn, q)) >= 1
    run(conn, "DROP EXTENSION vector")
    assert run(conn, q) == []


@pytest.mark.hcdb_only
def test_psql_sees_created_extension(trust_server, conn):
    run(conn, "CREATE EXTENSION vector")
    res = trust_server.psql(sql="SELECT extname, extversion FROM pg_extension ORDER BY 1")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "vector|0.8.0\n"
