"""pg_lsn and the WAL position functions monitoring queries use (the Prometheus
exporter's pg_stat_replication / pg_replication_slots queries): input and output
as PostgreSQL's, comparisons, differences as numeric, the current position."""
import pytest

from sqlerrors import assert_error


NUMERIC_OID, PG_LSN_OID = 1700, 3220


def one(srv, sql, types=None):
    """The only row of sql; with a list `types`, also the result column type OIDs."""
    conn = srv.pg_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            if types is not None:
                types.extend(d.type_code for d in cur.description)
            return cur.fetchone()
    finally:
        conn.close()


def test_text_form_round_trips_in_upper_case(trust_server):
    assert one(trust_server, "SELECT '16/b374d848'::pg_lsn::text, '0/0'::pg_lsn::text, "
                             "pg_lsn('FFFFFFFF/FFFFFFFF')::text") == \
        ("16/B374D848", "0/0", "FFFFFFFF/FFFFFFFF")


@pytest.mark.parametrize("text", ["g/0", "0/", "/0", "0", "123456789/0", "0/123456789", " 0/0",
                                  "0/0 ", "0//0", ""])
def test_bad_input_is_22P02(trust_server, text):
    assert_error(trust_server, f"SELECT '{text}'::pg_lsn", "22P02",
                 f'invalid input syntax for type pg_lsn: "{text}"')


def test_function_style_cast_checks_its_input(trust_server):
    assert_error(trust_server, "SELECT pg_lsn('x')", "22P02", 'invalid input syntax for type pg_lsn: "x"')


def test_comparisons_and_differences(trust_server):
    types = []
    row = one(trust_server, "SELECT pg_lsn('1/0') > '0/FFFFFFFF', '0/10'::pg_lsn = '0/10', "
                            "'0/10'::pg_lsn <> '0/10', '0/1'::pg_lsn <= '0/2', "
                            "pg_wal_lsn_diff('0/10', '0/0'), '0/0'::pg_lsn - '0/10', "
                            "'FFFFFFFF/FFFFFFFF'::pg_lsn - '0/0'", types)
    assert row[:4] == (True, True, False, True)
    assert (int(row[4]), int(row[5]), int(row[6])) == (16, -16, 2 ** 64 - 1)
    assert types[4:] == [NUMERIC_OID] * 3


def test_current_wal_lsn_moves_with_writes(trust_server):
    conn = trust_server.pg_connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_current_wal_lsn()")
            before, = cur.fetchone()
            assert cur.description[0].type_code == PG_LSN_OID
            cur.execute("CREATE TABLE lsn_t (id int)")
            cur.execute("INSERT INTO lsn_t SELECT generate_series(1, 100)")
            cur.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)::float8, "
                        "pg_current_wal_lsn() > %s::pg_lsn", (before, before))
            diff, later = cur.fetchone()
            assert diff > 0 and later
            cur.execute("DROP TABLE lsn_t")
    finally:
        conn.close()


def test_exporter_replication_queries_answer(trust_server):
    """The exporter's pg_stat_replication and pg_replication_slots queries, verbatim."""
    conn = trust_server.pg_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("""SELECT *,
                (case pg_is_in_recovery() when 't' then null else pg_current_wal_lsn() end) AS pg_current_wal_lsn,
                (case pg_is_in_recovery() when 't' then null
                 else pg_wal_lsn_diff(pg_current_wal_lsn(), pg_lsn('0/0'))::float end) AS pg_current_wal_lsn_bytes,
                (case pg_is_in_recovery() when 't' then null
                 else pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float end) AS pg_wal_lsn_diff
                FROM pg_stat_replication""")
            assert cur.fetchall() == []
            assert [d.name for d in cur.description][-3:] == ["pg_current_wal_lsn", "pg_current_wal_lsn_bytes",
                                                              "pg_wal_lsn_diff"]
            cur.execute("SELECT slot_name, database, active, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) "
                        "FROM pg_replication_slots")
            assert cur.fetchall() == []
    finally:
        conn.close()
