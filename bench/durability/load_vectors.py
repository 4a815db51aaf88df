"""Loads N random DIM-d vectors (uniform in [-1, 1), fixed seed) into
items(id int PRIMARY KEY, emb vector(DIM)) by binary COPY, then builds an HNSW
index on them (m 16, ef_construction 64: pgvector's defaults).

    load_vectors.py PORT N DIM
"""
import io
import sys

import numpy as np
import psycopg2

CHUNK = 5000


class Rows(io.RawIOBase):
    """COPY BINARY stream of the rows, made chunk by chunk."""

    def __init__(self, n, dim):
        self.rng = np.random.default_rng(1)
        self.n, self.dim, self.done = n, dim, 0
        self.pending = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
        self.row = np.dtype([("nf", ">i2"), ("idlen", ">i4"), ("id", ">i4"), ("vlen", ">i4"),
                             ("dim", ">i2"), ("unused", ">i2"), ("v", ">f4", (dim,))])

    def readable(self):
        return True

    def chunk(self):
        k = min(CHUNK, self.n - self.done)
        rows = np.zeros(k, dtype=self.row)
        rows["nf"], rows["idlen"], rows["vlen"] = 2, 4, 4 + 4 * self.dim
        rows["id"] = np.arange(self.done, self.done + k)
        rows["dim"] = self.dim
        rows["v"] = self.rng.uniform(-1, 1, (k, self.dim)).astype(np.float32)
        self.done += k
        return rows.tobytes() + (b"\xff\xff" if self.done == self.n else b"")

    def readinto(self, b):
        while len(self.pending) < len(b) and self.done < self.n:
            self.pending += self.chunk()
        m = min(len(b), len(self.pending))
        b[:m] = self.pending[:m]
        self.pending = self.pending[m:]
        return m


def main():
    port, n, dim = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE items (id int PRIMARY KEY, emb vector(%d))" % dim)
    cur.copy_expert("COPY items FROM STDIN (FORMAT binary)", io.BufferedReader(Rows(n, dim), 1 << 20))
    cur.execute("CREATE INDEX items_emb ON items USING hnsw (emb vector_l2_ops)")
    cur.execute("SELECT count(*) FROM items")
    assert cur.fetchone()[0] == n
    conn.close()


if __name__ == "__main__":
    main()
