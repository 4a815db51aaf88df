"""Results larger than the server's output buffer (1 MiB), read by a fast client.

The server pauses a statement when 1 MiB of output waits and resumes it when the
socket has taken it. A client that reads as fast as the server writes can take all
of it in one write: the statement must go on then too (it once stalled forever).
"""
import threading

import pytest


def bounded(fn, timeout=60):
    """fn() on a thread, failing the test if it has not returned in time."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        except Exception as e:  # noqa: BLE001 - handed to the test below
            out["error"] = e
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "the result never finished arriving"
    if "error" in out:
        raise out["error"]
    return out["value"]


def fetch(conn, sql, args=None):
    def go():
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    return bounded(go)


@pytest.fixture(scope="module")
def wide(trust_server):
    conn = trust_server.pg_connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE wide_rows (id int PRIMARY KEY, payload text)")
        # 4,000 rows of 1,000 bytes: about 4 MiB of DataRows.
        for start in range(0, 4000, 500):
            values = ", ".join(f"({i}, '{str(i).rjust(1000, 'x')}')" for i in range(start, start + 500))
            cur.execute("INSERT INTO wide_rows VALUES " + values)
    yield conn
    conn.close()


def test_psycopg2_reads_4mib_result(wide):
    rows = fetch(wide, "SELECT id, payload FROM wide_rows")
    assert len(rows) == 4000
    assert sorted(r[0] for r in rows) == list(range(4000))
    assert all(r[1] == str(r[0]).rjust(1000, "x") for r in rows)


def test_psql_reads_4mib_result_twice(trust_server, wide):
    for _ in range(2):
        res = trust_server.psql(sql="SELECT payload FROM wide_rows")
        assert res.returncode == 0, res.stderr
        assert len(res.stdout.splitlines()) == 4000


def test_filtered_4mib_result(wide):
    assert len(fetch(wide, "SELECT id, payload FROM wide_rows WHERE id >= %s", (0,))) == 4000
