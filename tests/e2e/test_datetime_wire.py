"""date/time values over the wire: PostgreSQL's binary formats (interval as int64 µs,
int32 days, int32 months), psycopg2's timedelta round trip, and intervals kept in a
table across a restart."""
import datetime
import struct

import pgwire
from pgwire import bind, execute, parse, sync


def run_batch(c, *messages):
    c.send(b"".join(messages))
    return c.recv_until("Z")


def test_interval_binary_send_and_recv(trust_server):
    c = trust_server.connect_raw()
    try:
        iv = struct.pack("!qii", 5 * 3600 * 10**6 + 250000, 3, 14)  # 1 year 2 mons 3 days 05:00:00.25
        msgs = run_batch(c, parse("SELECT $1::interval AS a, $1::interval::text AS t, "
                                  "timestamp '2024-01-31' + $1 AS b, date '2024-03-01' AS d", "", [1186]),
                         bind([iv], param_formats=[1], result_formats=[1, 0, 1, 1]), execute(), sync())
        rows = [pgwire.data_row(m[1]) for m in msgs if m[0] == "D"]
        assert rows[0][0] == iv
        assert rows[0][1] == b"1 year 2 mons 3 days 05:00:00.25"
        # 2025-03-31 05:00:00.25 (2025-03-31 clamped from the 31st, plus 3 days = 2025-04-03)
        want = datetime.datetime(2025, 4, 3, 5, 0, 0, 250000) - datetime.datetime(2000, 1, 1)
        assert struct.unpack("!q", rows[0][2]) == (want // datetime.timedelta(microseconds=1),)
        assert struct.unpack("!i", rows[0][3]) == ((datetime.date(2024, 3, 1) - datetime.date(2000, 1, 1)).days,)
    finally:
        c.close()


def test_interval_binary_recv_rejects_wrong_length(trust_server):
    c = trust_server.connect_raw()
    try:
        for value, code, message in [(b"\x00" * 12, "08P01", "insufficient data left in message"),
                                     (b"\x00" * 17, "22P03", "incorrect binary data format in bind parameter 1")]:
            msgs = run_batch(c, parse("SELECT $1::interval", "", [1186]),
                             bind([value], param_formats=[1]), execute(), sync())
            err = pgwire.error_fields(next(m[1] for m in msgs if m[0] == "E"))
            assert (err["C"], err["M"]) == (code, message)
    finally:
        c.close()


def test_psycopg2_timedelta_round_trip(trust_server):
    with trust_server.pg_connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT %s::interval, interval '-1 day 02:03:04.5', "
                    "timestamp '2024-03-01' - timestamp '2024-01-01 12:00'",
                    (datetime.timedelta(days=2, seconds=7),))
        assert cur.fetchone() == (datetime.timedelta(days=2, seconds=7),
                                  datetime.timedelta(days=-1, hours=2, minutes=3, seconds=4.5),
                                  datetime.timedelta(days=59, hours=12))


def test_intervals_survive_restart(server_factory):
    srv = server_factory()
    with srv.pg_connect() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE spans (id int, s interval)")
        cur.execute("INSERT INTO spans VALUES (1, '1 mon -2 days 03:00'), (2, '-00:00:01.5'), (3, NULL)")
    conn.close()
    srv.stop()
    srv.start()
    with srv.pg_connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT id, s::text FROM spans ORDER BY s NULLS FIRST")
        assert cur.fetchall() == [(3, None), (2, "-00:00:01.5"), (1, "1 mon -2 days +03:00:00")]
    conn.close()
