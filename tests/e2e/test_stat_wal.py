"""hcdb_stat_wal (the exporter's WAL metrics) and CHECKPOINT as PostgreSQL's: done
when it answers, superuser only."""
import psycopg2
import pytest

pytestmark = pytest.mark.hcdb_only   # hcdb's own view; CHECKPOINT is checked with it


def wal_stats(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT records, bytes, fsyncs, group_commit_batches, commits, checkpoints, "
                    "last_checkpoint_age_seconds, insert_lsn, flushed_lsn, redo_lsn FROM hcdb_stat_wal")
        rows = cur.fetchall()
    assert len(rows) == 1
    return dict(zip(["records", "bytes", "fsyncs", "batches", "commits", "checkpoints", "age",
                     "insert_lsn", "flushed_lsn", "redo_lsn"], rows[0]))


def test_wal_counters_follow_commits_and_checkpoints(server_factory):
    srv = server_factory()
    conn = srv.pg_connect()
    conn.autocommit = True
    before = wal_stats(conn)
    assert before["checkpoints"] == 0 and before["age"] is None
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        for i in range(10):
            cur.execute("INSERT INTO t VALUES (%s, 'x')", (i,))
    mid = wal_stats(conn)
    assert mid["commits"] == before["commits"] + 11
    # each INSERT writes a row record and a COMMIT record
    assert mid["records"] >= before["records"] + 20
    assert mid["bytes"] > before["bytes"] and mid["fsyncs"] > before["fsyncs"]
    assert mid["batches"] == mid["fsyncs"]
    assert mid["flushed_lsn"] == mid["insert_lsn"] > 0
    with conn.cursor() as cur:
        cur.execute("CHECKPOINT")
    after = wal_stats(conn)                      # done when CHECKPOINT answered
    assert after["checkpoints"] == mid["checkpoints"] + 1
    assert 0 <= after["age"] < 3600
    assert after["redo_lsn"] == after["insert_lsn"]
    conn.close()
    srv.stop()
    srv.start()                                   # the age survives a restart
    conn = srv.pg_connect()
    assert wal_stats(conn)["age"] is not None
    conn.close()


def test_checkpoint_needs_superuser(server_factory):
    srv = server_factory()
    assert srv.psql(sql="CREATE ROLE plain LOGIN").returncode == 0
    conn = srv.pg_connect(user="plain")
    conn.autocommit = True
    with pytest.raises(psycopg2.Error) as e:
        with conn.cursor() as cur:
            cur.execute("CHECKPOINT")
    assert e.value.pgcode == "42501"
    assert "must be superuser or have privileges of pg_checkpoint to do CHECKPOINT" in str(e.value)
    conn.close()
