"""GRANT / REVOKE enforced for ordinary roles (42501), the production
set-ups of an application user and a read-only user, over psycopg2.
Also checked against PostgreSQL 15."""
import itertools

import psycopg2
import pytest

PASSWORD = "pw-for-tests"
_names = itertools.count()


def run(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


def denied(conn, sql):
    with pytest.raises(psycopg2.Error) as e:
        run(conn, sql)
    return e.value.pgcode, e.value.diag.message_primary


class Env:
    """A fresh table and two fresh login roles on the module's server."""

    def __init__(self, server, admin):
        n = next(_names)
        self.server, self.admin = server, admin
        self.table, self.app, self.ro = f"priv_t{n}", f"app{n}", f"ro{n}"
        for role in (self.app, self.ro):
            run(admin, f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
        run(admin, f"CREATE TABLE {self.table} (id int PRIMARY KEY, v text)")
        run(admin, f"INSERT INTO {self.table} VALUES (1, 'one')")
        self.conns = []

    def connect(self, role):
        c = self.server.pg_connect(user=role, password=PASSWORD)
        c.autocommit = True
        self.conns.append(c)
        return c

    def close(self):
        for c in self.conns:
            c.close()


@pytest.fixture
def env(scram_server):
    admin = scram_server.pg_connect()
    admin.autocommit = True
    e = Env(scram_server, admin)
    yield e
    e.close()
    admin.close()


def test_no_privilege_no_access(env):
    app = env.connect(env.app)
    t = env.table
    assert denied(app, f"SELECT * FROM {t}") == ("42501", f"permission denied for table {t}")
    assert denied(app, f"INSERT INTO {t} VALUES (2, 'two')")[0] == "42501"
    assert denied(app, f"UPDATE {t} SET v = 'x'")[0] == "42501"
    assert denied(app, f"DELETE FROM {t}")[0] == "42501"
    # the catalogs stay readable
    assert run(app, "SELECT count(*) > 0 FROM pg_class") == [(True,)]


def test_read_only_user(env):
    t = env.table
    run(env.admin, f"GRANT SELECT ON {t} TO {env.ro}")
    ro = env.connect(env.ro)
    assert run(ro, f"SELECT id, v FROM {t}") == [(1, "one")]
    assert denied(ro, f"INSERT INTO {t} VALUES (2, 'two')") == ("42501", f"permission denied for table {t}")
    assert denied(ro, f"UPDATE {t} SET v = 'x' WHERE id = 1")[0] == "42501"
    assert denied(ro, f"DELETE FROM {t} WHERE id = 1")[0] == "42501"
    run(env.admin, f"REVOKE SELECT ON {t} FROM {env.ro}")
    assert denied(ro, f"SELECT * FROM {t}")[0] == "42501"


def test_application_user_on_all_tables(env):
    t = env.table
    run(env.admin, f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {env.app}")
    app = env.connect(env.app)
    run(app, f"INSERT INTO {t} VALUES (2, 'two')")
    run(app, f"UPDATE {t} SET v = 'TWO' WHERE id = 2")
    assert run(app, f"SELECT v FROM {t} WHERE id = 2") == [("TWO",)]
    run(env.admin, f"REVOKE DELETE ON TABLE {t} FROM {env.app}")
    assert denied(app, f"DELETE FROM {t} WHERE id = 2") == ("42501", f"permission denied for table {t}")
    assert denied(app, f"TRUNCATE {t}")[0] == "42501"
    assert denied(app, f"DROP TABLE {t}") == ("42501", f"must be owner of table {t}")


def test_writes_that_read_the_table_need_select_too(env):
    """As in PostgreSQL: UPDATE / DELETE that read columns (WHERE, SET expressions, RETURNING)
    and INSERT ... RETURNING need SELECT besides their own privilege; blind writes do not."""
    t = env.table
    run(env.admin, f"GRANT INSERT, UPDATE, DELETE ON {t} TO {env.app}")
    app = env.connect(env.app)
    run(app, f"INSERT INTO {t} VALUES (2, 'two')")
    run(app, f"UPDATE {t} SET v = 'all'")
    for sql in [f"UPDATE {t} SET v = 'x' WHERE id = 1", f"UPDATE {t} SET v = v || '!'",
                f"DELETE FROM {t} WHERE id = 2", f"INSERT INTO {t} VALUES (3, 'three') RETURNING id",
                f"UPDATE {t} SET v = 'y' RETURNING v"]:
        assert denied(app, sql) == ("42501", f"permission denied for table {t}"), sql
    run(env.admin, f"GRANT SELECT ON {t} TO {env.app}")
    assert run(app, f"UPDATE {t} SET v = v || '!' WHERE id = 1 RETURNING v") == [("all!",)]
    run(app, f"DELETE FROM {t}")
    assert run(env.admin, f"SELECT count(*) FROM {t}") == [(0,)]


def test_grant_to_public(env):
    t = env.table
    run(env.admin, f"GRANT SELECT ON {t} TO PUBLIC")
    ro = env.connect(env.ro)
    assert run(ro, f"SELECT count(*) FROM {t}") == [(1,)]
    run(env.admin, f"REVOKE ALL ON {t} FROM PUBLIC")
    assert denied(ro, f"SELECT count(*) FROM {t}")[0] == "42501"


def test_create_needs_the_schema_privilege_and_makes_an_owner(env):
    app = env.connect(env.app)
    own = f"{env.app}_own"
    assert denied(app, f"CREATE TABLE {own} (a int)") == ("42501", "permission denied for schema public")
    run(env.admin, f"GRANT CREATE ON SCHEMA public TO {env.app}")
    try:
        run(app, f"CREATE TABLE {own} (a int)")
        run(app, f"INSERT INTO {own} VALUES (1)")
        assert run(app, f"SELECT a FROM {own}") == [(1,)]
        run(app, f"GRANT SELECT ON {own} TO {env.ro}")
        assert run(env.connect(env.ro), f"SELECT a FROM {own}") == [(1,)]
        run(app, f"DROP TABLE {own}")
    finally:
        run(env.admin, f"REVOKE CREATE ON SCHEMA public FROM {env.app}")


def test_rollback_undoes_a_grant(env):
    t = env.table
    env.admin.autocommit = False
    run(env.admin, f"GRANT SELECT ON {t} TO {env.ro}")
    env.admin.rollback()
    env.admin.autocommit = True
    assert denied(env.connect(env.ro), f"SELECT * FROM {t}")[0] == "42501"


def test_schema_and_database_grants(env):
    run(env.admin, f"GRANT USAGE ON SCHEMA public TO {env.app}")
    run(env.admin, f"GRANT CONNECT ON DATABASE postgres TO {env.app}")
    run(env.admin, f"REVOKE CONNECT ON DATABASE postgres FROM {env.app}")
    run(env.admin, f"REVOKE USAGE ON SCHEMA public FROM {env.app}")


def test_connect_privilege_is_checked_at_login(env):
    """PUBLIC holds CONNECT until it is revoked; then only roles granted it (and superusers)
    log in, with PostgreSQL's FATAL 42501 and its DETAIL."""
    env.connect(env.app).close()
    run(env.admin, "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC")
    try:
        with pytest.raises(psycopg2.OperationalError) as e:
            env.connect(env.app)
        assert 'FATAL:  permission denied for database "postgres"' in str(e.value)
        assert "DETAIL:  User does not have CONNECT privilege." in str(e.value)
        run(env.admin, f"GRANT CONNECT ON DATABASE postgres TO {env.app}")
        assert run(env.connect(env.app), "SELECT current_user") == [(env.app,)]
        with pytest.raises(psycopg2.OperationalError):
            env.connect(env.ro)
        su = env.server.pg_connect()  # a superuser is never refused
        su.close()
    finally:
        run(env.admin, "GRANT CONNECT ON DATABASE postgres TO PUBLIC")
    env.connect(env.ro).close()


@pytest.mark.parametrize("sql,code", [
    ("GRANT SELECT ON {t} TO no_such_role", "42704"),
    ("GRANT SELECT ON no_such_table TO {app}", "42P01"),
    ("GRANT USAGE ON TABLE {t} TO {app}", "0LP01"),
    ("GRANT CONNECT ON DATABASE no_such_db TO {app}", "3D000"),
    ("GRANT USAGE ON SCHEMA no_such_schema TO {app}", "3F000"),
])
def test_bad_grants(env, sql, code):
    assert denied(env.admin, sql.format(t=env.table, app=env.app))[0] == code


def test_invalid_privilege_message(env):
    assert denied(env.admin, f"GRANT USAGE ON TABLE {env.table} TO {env.app}") == \
        ("0LP01", "invalid privilege type USAGE for table")


def test_ordinary_role_cannot_grant_what_it_lacks(env):
    app = env.connect(env.app)
    assert denied(app, f"GRANT SELECT ON {env.table} TO {env.ro}") == \
        ("42501", f"permission denied for table {env.table}")
