"""Damaged files in the data directory, over the wire: a torn last WAL record, a
flipped byte in the newest checkpoint, a flipped byte in the middle of the WAL.
Each ends in a recovery that keeps every transaction it can prove committed, or
in a refusal to start with a clear message; never in silent loss.
"""
import os
import signal
from pathlib import Path

import pytest

pytestmark = pytest.mark.hcdb_only   # hcdb's own data directory format


def wal_segments(srv):
    return sorted(Path(srv.data_dir, "base", "wal").glob("*.wal"))


def checkpoints(srv):
    return sorted(Path(srv.data_dir, "base", "checkpoint").glob("*.ckpt"))


def crash(srv):
    os.kill(srv.pid, signal.SIGKILL)
    srv.proc.wait(30)


def flip(path, offset):
    with open(path, "r+b") as fh:
        fh.seek(offset)
        b = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([b[0] ^ 0xFF]))


def insert_rows(srv, first, n, pad=50):
    """n single-row autocommit transactions, each acknowledged before the next."""
    conn = srv.pg_connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        for i in range(first, first + n):
            cur.execute("INSERT INTO t VALUES (%s, %s)", (i, f"row {i} " + "x" * pad))
    conn.close()


def ids(srv):
    conn = srv.pg_connect()
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM t")
        out = sorted(r[0] for r in cur.fetchall())
    conn.close()
    return out


@pytest.fixture
def srv(server_factory):
    s = server_factory()
    res = s.psql(sql="CREATE TABLE t (id int PRIMARY KEY, v text)")
    assert res.returncode == 0, res.stderr
    return s


def test_torn_last_wal_record(srv):
    insert_rows(srv, 1, 20)
    crash(srv)
    last = wal_segments(srv)[-1]
    size = last.stat().st_size
    os.truncate(last, size - 7)          # the last COMMIT record loses its tail
    srv.start()
    assert ids(srv) == list(range(1, 20)), "exactly the torn transaction is gone"
    assert "WAL replay stops at LSN" in srv.log()
    # The torn bytes were cut away: new commits land after the last good one and
    # survive another crash.
    insert_rows(srv, 100, 5)
    crash(srv)
    srv.start()
    assert ids(srv) == list(range(1, 20)) + list(range(100, 105))


def test_partial_record_header_at_the_end(srv):
    insert_rows(srv, 1, 10)
    crash(srv)
    last = wal_segments(srv)[-1]
    with open(last, "ab") as fh:         # a write cut short after 11 bytes of a header
        fh.write(b"\x40\x00\x00\x00\x01\x00\x00\x00\x99\x99\x99")
    srv.start()
    assert ids(srv) == list(range(1, 11))


def test_flipped_byte_in_newest_checkpoint(srv):
    insert_rows(srv, 1, 10)
    assert srv.psql(sql="CHECKPOINT").returncode == 0
    insert_rows(srv, 11, 10)
    assert srv.psql(sql="CHECKPOINT").returncode == 0
    insert_rows(srv, 21, 10)
    crash(srv)
    newest = checkpoints(srv)[-1]
    flip(newest, newest.stat().st_size // 2)
    srv.start()
    assert ids(srv) == list(range(1, 31))
    assert "is corrupt (checksum mismatch); trying an older one" in srv.log()
    assert Path(str(newest) + ".corrupt").exists(), "the damaged file is kept for inspection"
    # A checkpoint after the fallback, another crash, and everything is still there.
    assert srv.psql(sql="CHECKPOINT").returncode == 0
    insert_rows(srv, 31, 3)
    crash(srv)
    srv.start()
    assert ids(srv) == list(range(1, 34))


def test_damage_in_the_middle_of_the_wal_refuses_to_start(srv):
    insert_rows(srv, 1, 40)
    crash(srv)
    seg = wal_segments(srv)[-1]
    size = seg.stat().st_size
    flip(seg, size // 2)
    srv.expect_exit = True
    srv.spawn()
    assert srv.proc.wait(60) != 0
    log = srv.log()
    assert "write-ahead log is damaged at LSN" in log, log[-2000:]
    assert "Intact WAL records follow at LSN" in log, log[-2000:]
    assert seg.stat().st_size == size, "the WAL was left as it is"
    # Undo the damage: the server starts and has every row.
    flip(seg, size // 2)
    srv.expect_exit = False
    srv.start()
    assert ids(srv) == list(range(1, 41))


def test_missing_wal_segment_refuses_to_start(server_factory):
    # Small segments, so that 300 commits of 1 kB fill several; then one in the middle goes.
    srv = server_factory(args=["--wal-segment-size", "65536"])
    assert srv.psql(sql="CREATE TABLE t (id int PRIMARY KEY, v text)").returncode == 0
    insert_rows(srv, 1, 300, pad=1000)
    crash(srv)
    segs = wal_segments(srv)
    assert len(segs) >= 3, segs
    segs[1].unlink()
    srv.expect_exit = True
    srv.spawn()
    assert srv.proc.wait(60) != 0
    assert "write-ahead log is damaged at LSN" in srv.log()
