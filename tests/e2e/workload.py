"""A write workload whose every acknowledged commit can be checked afterwards.

Writers run on their own psycopg2 connections, each with its own writer id w and
its own increasing sequence numbers, and record what the server acknowledged:

- "single" writers: one autocommit INSERT per transaction.
- "multi" writers: BEGIN; a multi-row INSERT of k rows that share one txn id;
  UPDATE tally SET n = n + k; COMMIT. All or nothing, across two tables.

A writer stops at the first error (the server died, or was shut down). The
Ledger keeps, across crashes, what is known: committed rows, and the rows
whose fate is unknown (their COMMIT was sent but not answered). check()
compares a server's tables with it:

  (a) every acknowledged row is there;
  (b) a transaction is there whole or not at all (and tally agrees), and
      nothing is there that was never sent or whose COMMIT was never sent;
  (c) point lookups through the primary-key index agree with the full scan,
      the unique index still refuses a duplicate of a recovered row, and an
      HNSW index scan returns the table's rows.
Rows in doubt are settled by what the recovered server shows, once; a
sequence number is never reused, so a later check cannot be fooled.
"""
import random
import threading

import psycopg2

SCHEMA = [
    "CREATE TABLE ledger (w int NOT NULL, seq int NOT NULL, txn bigint NOT NULL, "
    "payload text, emb vector(8), PRIMARY KEY (w, seq))",
    "CREATE INDEX ledger_txn ON ledger (txn)",
    "CREATE INDEX ledger_emb ON ledger USING hnsw (emb vector_l2_ops)",
    "CREATE TABLE tally (w int PRIMARY KEY, n int NOT NULL)",
]


def emb(w, seq):
    """The row's vector: pseudo-random (a grid of points would give the graph ties it
    cannot navigate) and its own, so a nearest-neighbour search for it finds it."""
    r = random.Random(w * 1000003 + seq)
    return "[" + ",".join("%.5f" % r.random() for _ in range(8)) + "]"


class Writer(threading.Thread):
    def __init__(self, srv, ledger, w, kind, rng):
        super().__init__(daemon=True)
        self.srv, self.ledger, self.w, self.kind = srv, ledger, w, kind
        self.rng = rng
        self.stop_flag = threading.Event()
        self.error = None
        self.commits = 0

    def stop(self):
        self.stop_flag.set()

    def run(self):
        try:
            conn = self.srv.pg_connect()
        except psycopg2.Error as e:
            self.error = e
            return
        try:
            while not self.stop_flag.is_set():
                if self.kind == "single":
                    self.single(conn)
                else:
                    self.multi(conn)
                self.commits += 1
        except psycopg2.Error as e:
            self.error = e
        finally:
            try:
                conn.close()
            except psycopg2.Error:
                pass

    def payload(self, seq):
        return f"w{self.w}-s{seq}-" + "x" * self.rng.randrange(0, 200)

    def single(self, conn):
        conn.autocommit = True
        seq, txn = self.ledger.reserve(self.w, 1)
        self.ledger.sent(self.w, txn, [seq], commit_sent=True)
        with conn.cursor() as cur:
            cur.execute("INSERT INTO ledger VALUES (%s, %s, %s, %s, %s)",
                        (self.w, seq, txn, self.payload(seq), emb(self.w, seq)))
        self.ledger.acked(self.w, txn)

    def multi(self, conn):
        conn.autocommit = False
        k = self.rng.randrange(2, 7)
        first, txn = self.ledger.reserve(self.w, k)
        seqs = list(range(first, first + k))
        self.ledger.sent(self.w, txn, seqs, commit_sent=False)
        with conn.cursor() as cur:
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * k)
            args = []
            for s in seqs:
                args += [self.w, s, txn, self.payload(s), emb(self.w, s)]
            cur.execute("INSERT INTO ledger VALUES " + values, args)
            cur.execute("UPDATE tally SET n = n + %s WHERE w = %s", (k, self.w))
        self.ledger.sent(self.w, txn, seqs, commit_sent=True)
        conn.commit()
        self.ledger.acked(self.w, txn)


class Ledger:
    """What the clients know about the rows of ledger, across crashes."""

    def __init__(self, writers=(("single", 3), ("multi", 3))):
        self.lock = threading.Lock()
        self.kinds = {}
        w = 1
        for kind, n in writers:
            for _ in range(n):
                self.kinds[w] = kind
                w += 1
        self.next_seq = {w: 1 for w in self.kinds}
        self.next_txn = 1
        self.txns = {}         # txn -> (w, seqs, state): "committed", "doubt", "unsent"
        self.history = {}      # txn -> (w, seqs), every transaction ever begun
        self.committed = {w: set() for w in self.kinds}   # seqs known committed
        self.gone = {w: set() for w in self.kinds}        # seqs known never committed

    def create(self, srv):
        conn = srv.pg_connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            for sql in SCHEMA:
                cur.execute(sql)
            for w in self.kinds:
                cur.execute("INSERT INTO tally VALUES (%s, 0)", (w,))
        conn.close()

    def reserve(self, w, k):
        with self.lock:
            seq = self.next_seq[w]
            self.next_seq[w] += k
            txn = self.next_txn
            self.next_txn += 1
            return seq, txn

    def sent(self, w, txn, seqs, commit_sent):
        with self.lock:
            self.txns[txn] = (w, seqs, "doubt" if commit_sent else "unsent")
            self.history[txn] = (w, seqs)

    def acknowledged(self):
        """A copy of what is acknowledged now: {w: set of seqs}."""
        with self.lock:
            return {w: set(s) for w, s in self.committed.items()}

    def check_copy(self, srv, must_have):
        """For a copy made while writers ran (a backup): every row acknowledged
        before it began is there, every transaction is whole or absent, and
        tally agrees with ledger. Returns the problems found."""
        conn = srv.pg_connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT w, seq, txn FROM ledger")
            rows = cur.fetchall()
            cur.execute("SELECT w, n FROM tally")
            tally = dict(cur.fetchall())
        conn.close()
        problems = []
        present = {w: set() for w in self.kinds}
        by_txn = {}
        for w, seq, txn in rows:
            present.setdefault(w, set()).add(seq)
            by_txn.setdefault(txn, []).append((w, seq))
        with self.lock:
            history = dict(self.history)
        for txn, got in by_txn.items():
            if txn not in history:
                problems.append(f"rows of unknown txn {txn}: {got[:5]}")
            elif sorted(got) != sorted((history[txn][0], s) for s in history[txn][1]):
                problems.append(f"txn {txn} is half there: {sorted(got)} of {history[txn]}")
        for w in self.kinds:
            missing = must_have[w] - present[w]
            if missing:
                problems.append(f"writer {w}: rows acknowledged before the copy missing: {sorted(missing)[:20]}")
            if self.kinds[w] == "multi" and tally.get(w) != len(present[w]):
                problems.append(f"writer {w}: tally says {tally.get(w)}, ledger has {len(present[w])}")
        return problems

    def acked(self, w, txn):
        with self.lock:
            _, seqs, _ = self.txns.pop(txn)
            self.committed[w].update(seqs)

    def writers(self, srv, seed):
        rng = random.Random(seed)
        return [Writer(srv, self, w, kind, random.Random(rng.random()))
                for w, kind in self.kinds.items()]

    def check(self, srv):
        """Compares the server's tables with what was acknowledged; settles doubts."""
        conn = srv.pg_connect()
        conn.autocommit = True
        problems = []
        with conn.cursor() as cur:
            cur.execute("SELECT w, seq, txn, payload FROM ledger")
            rows = cur.fetchall()
            cur.execute("SELECT w, n FROM tally")
            tally = dict(cur.fetchall())
        present = {w: {} for w in self.kinds}
        for w, seq, txn, payload in rows:
            if w not in present or seq in present[w]:
                problems.append(f"unexpected or duplicate row ({w}, {seq})")
                continue
            present[w][seq] = txn
            if not payload.startswith(f"w{w}-s{seq}-"):
                problems.append(f"row ({w}, {seq}) has a wrong payload {payload[:40]!r}")
        with self.lock:
            pending = dict(self.txns)
        for txn, (w, seqs, state) in pending.items():
            there = [s for s in seqs if s in present[w]]
            if there and state == "unsent":
                problems.append(f"txn {txn} of writer {w} is visible but its COMMIT was never sent")
            elif there and len(there) != len(seqs):
                problems.append(f"txn {txn} of writer {w} is half there: {there} of {seqs}")
            elif there:
                self.committed[w].update(seqs)
            else:
                self.gone[w].update(seqs)
        for w in self.kinds:
            missing = self.committed[w] - set(present[w])
            if missing:
                problems.append(f"writer {w}: acknowledged rows missing: {sorted(missing)[:20]}")
            extra = set(present[w]) - self.committed[w]
            if extra:
                problems.append(f"writer {w}: rows never committed are there: {sorted(extra)[:20]}")
            if self.kinds[w] == "multi" and tally.get(w) != len(present[w]):
                problems.append(f"writer {w}: tally says {tally.get(w)}, ledger has {len(present[w])}")
        problems += self.check_indexes(conn, present)
        conn.close()
        with self.lock:
            self.txns.clear()
        return problems

    def check_indexes(self, conn, present):
        problems = []
        rng = random.Random(len(self.txns) * 7919 + sum(map(len, present.values())))
        with conn.cursor() as cur:
            problems += self.check_hnsw(cur, present, rng)
            for w, seqs in present.items():
                probe = rng.sample(sorted(seqs), min(5, len(seqs)))
                probe += rng.sample(sorted(self.gone[w]), min(3, len(self.gone[w])))
                for seq in probe:
                    cur.execute("SELECT txn FROM ledger WHERE w = %s AND seq = %s", (w, seq))
                    got = [r[0] for r in cur.fetchall()]
                    want = [present[w][seq]] if seq in seqs else []
                    if got != want:
                        problems.append(f"index lookup ({w}, {seq}) gave {got}, the scan {want}")
                    if seq in seqs:
                        cur.execute("SELECT count(*) FROM ledger WHERE txn = %s", (present[w][seq],))
                        n = cur.fetchone()[0]
                        want_n = sum(1 for t in present[w].values() if t == present[w][seq])
                        if n != want_n:
                            problems.append(f"txn index for {present[w][seq]} gave {n}, scan {want_n}")
                if seqs:
                    seq = next(iter(seqs))
                    try:
                        cur.execute("INSERT INTO ledger VALUES (%s, %s, 0, 'dup')", (w, seq))
                        problems.append(f"duplicate ({w}, {seq}) accepted after recovery")
                    except psycopg2.Error as e:
                        if e.pgcode != "23505":
                            problems.append(f"duplicate ({w}, {seq}) gave {e.pgcode}: {e}")
        return problems

    @staticmethod
    def check_hnsw(cur, present, rng):
        """An index scan of ledger_emb with a LIMIT above the row count (and an ef_search
        above it, so the search runs until nothing reachable is left) returns the table's
        rows, each once. Some may be missing: a multi-threaded bulk build of the graph
        (the rebuild after a recovery without a usable image; the image of such a graph
        keeps them) has left up to 1 % of the nodes where no search reaches them on a
        loaded machine, so the check allows 5 %; a recovery that lost the index entries
        of whole loops of transactions falls below that."""
        problems = []
        total = sum(map(len, present.values()))
        cur.execute("SET hnsw.ef_search = 1000")
        cur.execute("SELECT w, seq FROM ledger ORDER BY emb <-> %s::vector LIMIT %s", (emb(0, rng.randrange(99)), total + 10))
        got = cur.fetchall()
        if len(set(got)) != len(got) or any(seq not in present.get(w, {}) for w, seq in got):
            problems.append("hnsw index scan returned duplicate or unknown rows")
        if len(got) < total - max(5, total // 20):
            problems.append(f"hnsw index scan returned {len(got)} rows, the table has {total}")
        cur.execute("RESET hnsw.ef_search")
        return problems


def tpcb_sums(srv):
    conn = srv.pg_connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        out = []
        for sql in ("SELECT sum(abalance) FROM pgbench_accounts",
                    "SELECT sum(bbalance) FROM pgbench_branches",
                    "SELECT sum(tbalance) FROM pgbench_tellers",
                    "SELECT sum(delta) FROM pgbench_history"):
            cur.execute(sql)
            out.append(cur.fetchone()[0] or 0)
    conn.close()
    return out
