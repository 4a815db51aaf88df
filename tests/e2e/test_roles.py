"""CREATE / ALTER / DROP ROLE and USER over psycopg2 on a scram-sha-256
server: logins with the new roles, NOLOGIN (28000), and PostgreSQL's
errors (42501, 42710, 42704, 55006). Also checked against PostgreSQL 15."""
import psycopg2
import pytest

PASSWORD = "hcdb-secret"


@pytest.fixture
def admin(scram_server):
    c = scram_server.pg_connect()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute("DROP ROLE IF EXISTS app, nolog, web, temp1, temp2")
    del c.notices[:]
    yield c
    c.close()


def run(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


def fails(conn, sql):
    with pytest.raises(psycopg2.Error) as e:
        run(conn, sql)
    return e.value.pgcode, e.value.diag.message_primary


def login(server, user, password):
    c = server.pg_connect(user=user, password=password)
    try:
        return run(c, "SELECT current_user")[0][0]
    finally:
        c.close()


def test_created_role_logs_in_with_its_password(scram_server, admin):
    run(admin, "CREATE ROLE app WITH LOGIN PASSWORD 'app-pw'")
    assert login(scram_server, "app", "app-pw") == "app"
    assert run(admin, "SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = 'app'") == [(False, True)]
    with pytest.raises(psycopg2.OperationalError) as e:
        login(scram_server, "app", "wrong")
    assert "password authentication failed" in str(e.value)


def test_create_user_can_log_in_and_role_cannot(scram_server, admin):
    run(admin, "CREATE USER web PASSWORD 'web-pw'")
    run(admin, "CREATE ROLE nolog PASSWORD 'x'")
    assert login(scram_server, "web", "web-pw") == "web"
    assert run(admin, "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('web', 'nolog') ORDER BY 1") == \
        [("nolog", False), ("web", True)]
    with pytest.raises(psycopg2.OperationalError) as e:
        login(scram_server, "nolog", "x")
    assert 'role "nolog" is not permitted to log in' in str(e.value)


def test_alter_role_password_and_login(scram_server, admin):
    run(admin, "CREATE ROLE app LOGIN PASSWORD 'one'")
    run(admin, "ALTER ROLE app PASSWORD 'two'")
    assert login(scram_server, "app", "two") == "app"
    with pytest.raises(psycopg2.OperationalError):
        login(scram_server, "app", "one")
    run(admin, "ALTER USER app NOLOGIN")
    with pytest.raises(psycopg2.OperationalError) as e:
        login(scram_server, "app", "two")
    assert "is not permitted to log in" in str(e.value)
    run(admin, "ALTER ROLE app LOGIN SUPERUSER")
    assert run(admin, "SELECT rolsuper FROM pg_roles WHERE rolname = 'app'") == [(True,)]


def test_drop_role(scram_server, admin):
    run(admin, "CREATE ROLE temp1")
    run(admin, "CREATE ROLE temp2")
    run(admin, "DROP ROLE temp1, temp2")
    assert run(admin, "SELECT count(*) FROM pg_roles WHERE rolname IN ('temp1', 'temp2')") == [(0,)]
    run(admin, "DROP ROLE IF EXISTS temp1")
    assert admin.notices == ['NOTICE:  role "temp1" does not exist, skipping\n']


@pytest.mark.parametrize("sql,code,message", [
    ("DROP ROLE temp1", "42704", 'role "temp1" does not exist'),
    ("ALTER ROLE temp1 LOGIN", "42704", 'role "temp1" does not exist'),
    ("DROP ROLE postgres", "55006", "current user cannot be dropped"),
])
def test_bad_role_statements(admin, sql, code, message):
    assert fails(admin, sql) == (code, message)


def test_duplicate_role(admin):
    run(admin, "CREATE ROLE temp1")
    assert fails(admin, "CREATE USER temp1") == ("42710", 'role "temp1" already exists')


def test_ordinary_role_cannot_manage_roles_but_can_change_its_password(scram_server, admin):
    run(admin, "CREATE ROLE app LOGIN PASSWORD 'app-pw'")
    run(admin, "CREATE ROLE temp1")
    c = scram_server.pg_connect(user="app", password="app-pw")
    c.autocommit = True
    try:
        assert fails(c, "CREATE ROLE temp2") == ("42501", "permission denied to create role")
        assert fails(c, "DROP ROLE temp1") == ("42501", "permission denied to drop role")
        assert fails(c, "ALTER ROLE temp1 LOGIN")[0] == "42501"
        assert fails(c, "ALTER ROLE app SUPERUSER")[0] == "42501"
        run(c, "ALTER ROLE app PASSWORD 'changed'")
    finally:
        c.close()
    assert login(scram_server, "app", "changed") == "app"


@pytest.mark.hcdb_only
def test_roles_survive_restart(server_factory):
    srv = server_factory(auth="scram-sha-256", password=PASSWORD)
    c = srv.pg_connect()
    c.autocommit = True
    run(c, "CREATE ROLE app LOGIN PASSWORD 'app-pw'")
    c.close()
    srv.stop()
    srv.start()
    assert login(srv, "app", "app-pw") == "app"
