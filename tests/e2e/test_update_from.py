"""UPDATE ... FROM and DELETE ... USING over the wire: joins to other tables, subqueries
and VALUES lists, RETURNING, rollback, and PostgreSQL's errors.

Expected rows, tags, SQLSTATEs and messages are PostgreSQL 15's (HCDB_E2E_REFERENCE=pg15
runs this file against it).
"""
import pytest

from sqlerrors import assert_error


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS acc, mv")
    cur.execute("CREATE TABLE acc (id int PRIMARY KEY, bal int, name text)")
    cur.execute("CREATE TABLE mv (acc int, delta int)")
    cur.execute("INSERT INTO acc VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c')")
    cur.execute("INSERT INTO mv VALUES (1, 5), (3, -7), (9, 1)")
    yield c
    c.close()


def q(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def test_update_from_table(conn):
    cur = conn.cursor()
    assert q(cur, "UPDATE acc SET bal = acc.bal + m.delta FROM mv m WHERE m.acc = acc.id "
                  "RETURNING acc.id, acc.bal") in ([(1, 15), (3, 23)], [(3, 23), (1, 15)])
    assert cur.statusmessage == "UPDATE 2"
    assert q(cur, "SELECT id, bal FROM acc ORDER BY id") == [(1, 15), (2, 20), (3, 23)]


def test_update_from_values_with_alias(conn):
    cur = conn.cursor()
    cur.execute("UPDATE acc a SET name = x.n FROM (VALUES (2, 'two'), (3, 'three')) x(i, n) WHERE x.i = a.id")
    assert cur.statusmessage == "UPDATE 2"
    assert q(cur, "SELECT name FROM acc ORDER BY id") == [("a",), ("two",), ("three",)]
    # a target row matched by several FROM rows is updated once
    cur.execute("UPDATE acc SET bal = 0 FROM mv m, mv m2 WHERE m.acc = acc.id AND m2.acc = m.acc")
    assert cur.statusmessage == "UPDATE 2"


def test_delete_using(conn):
    cur = conn.cursor()
    assert q(cur, "DELETE FROM acc USING mv WHERE mv.acc = acc.id AND mv.delta < 0 RETURNING acc.*") == [
        (3, 30, "c")]
    assert cur.statusmessage == "DELETE 1"
    cur.execute("DELETE FROM acc a USING (SELECT 2 AS k) s WHERE s.k = a.id")
    assert cur.statusmessage == "DELETE 1"
    assert q(cur, "SELECT id FROM acc") == [(1,)]


def test_update_from_rolls_back(conn):
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("UPDATE acc SET bal = -1 FROM mv WHERE mv.acc = acc.id")
    cur.execute("DELETE FROM acc USING mv WHERE mv.acc = acc.id")
    conn.rollback()
    assert q(cur, "SELECT id, bal FROM acc ORDER BY id") == [(1, 10), (2, 20), (3, 30)]
    conn.rollback()


def test_update_from_errors(conn, trust_server):
    assert_error(trust_server, "DELETE FROM acc a USING mv m WHERE m.acc = a.id AND nothing = 1", "42703",
                 'column "nothing" does not exist')
    assert_error(trust_server, "UPDATE acc SET bal = 0 FROM nope WHERE true", "42P01",
                 'relation "nope" does not exist')
    assert_error(trust_server, "UPDATE acc SET bal = m.delta / 0 FROM mv m WHERE m.acc = acc.id", "22012",
                 "division by zero")
    assert q(conn.cursor(), "SELECT id, bal FROM acc ORDER BY id") == [(1, 10), (2, 20), (3, 30)]


@pytest.mark.hcdb_only
def test_returning_star_with_from_refused(conn, trust_server):
    # PostgreSQL's RETURNING * there includes the FROM items' columns, which hcdb cannot return yet
    assert_error(trust_server, "DELETE FROM acc USING mv WHERE mv.acc = acc.id RETURNING *", "0A000",
                 "RETURNING * with UPDATE ... FROM or DELETE ... USING is not supported yet")
    assert q(conn.cursor(), "SELECT count(*) FROM acc") == [(3,)]
