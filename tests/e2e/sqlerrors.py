"""Shared assertion: a statement sent through psycopg2 fails with PostgreSQL's SQLSTATE and
primary message."""
import psycopg2
import pytest


def assert_error(srv, sql, state, message):
    conn = srv.pg_connect()
    try:
        with pytest.raises(psycopg2.Error) as e:
            conn.cursor().execute(sql)
        assert e.value.pgcode == state
        assert e.value.pgerror.splitlines()[0] == "ERROR:  " + message
    finally:
        conn.close()
