"""client_min_messages filters what reaches the client, over psycopg2
(also checked against PostgreSQL 15)."""
import pytest


@pytest.fixture
def conn(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    yield c
    c.close()


def notices_of(conn, sql):
    del conn.notices[:]
    with conn.cursor() as cur:
        cur.execute(sql)
    return list(conn.notices)


def test_client_min_messages_hides_notices_below_it(conn):
    drop = "DROP TABLE IF EXISTS no_such_table_here"
    assert notices_of(conn, drop) == ['NOTICE:  table "no_such_table_here" does not exist, skipping\n']
    notices_of(conn, "SET client_min_messages = warning")
    assert notices_of(conn, drop) == []
    notices_of(conn, "SET client_min_messages = log")
    assert len(notices_of(conn, drop)) == 1
    notices_of(conn, "RESET client_min_messages")
    assert len(notices_of(conn, drop)) == 1


def test_client_min_messages_rejects_unknown_levels(conn):
    import psycopg2
    with pytest.raises(psycopg2.Error) as e:
        notices_of(conn, "SET client_min_messages = loud")
    assert e.value.pgcode == "22023"
