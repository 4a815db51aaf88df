"""The Prometheus postgres exporter (Debian's prometheus-postgres-exporter)
against hcdb: its default collectors scrape without an error, and the queries
of deploy/hcdb-queries.yaml turn hcdb's hcdb_stat_* views into metrics that
follow the statements run. The exporter logs in with SCRAM, as a deployment's
would, and is scraped over HTTP like Prometheus does."""
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg2
import pytest

from conftest import REPO, START_TIMEOUT, ServerFactory, clean_env, free_port, pg_tool

pytestmark = pytest.mark.hcdb_only   # hcdb's own views; the default collectors are checked with them

EXPORTER = shutil.which("prometheus-postgres-exporter") or "/usr/bin/prometheus-postgres-exporter"
QUERIES = REPO / "deploy" / "hcdb-queries.yaml"
PASSWORD = "hcdb-secret"
MAX_CONNECTIONS = 50
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$')


@pytest.fixture(scope="module")
def hcdb(tmp_path_factory):
    f = ServerFactory(tmp_path_factory, "exporter-backend")
    srv = f(auth="scram-sha-256", password=PASSWORD, max_connections=MAX_CONNECTIONS)
    yield srv
    f.teardown()


class Exporter:
    def __init__(self, server, workdir):
        if not Path(EXPORTER).exists():
            raise RuntimeError("prometheus-postgres-exporter not found: run scripts/setup.sh")
        self.port = free_port()
        self.log_path = Path(workdir) / "exporter.log"
        env = clean_env()
        env["DATA_SOURCE_NAME"] = (f"postgresql://postgres:{PASSWORD}@{server.host}:{server.port}/postgres"
                                   "?sslmode=disable")
        self.log_fh = open(self.log_path, "wb")
        self.proc = subprocess.Popen([EXPORTER, f"--web.listen-address=127.0.0.1:{self.port}",
                                      f"--extend.query-path={QUERIES}"],
                                     stdout=self.log_fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.fetch("/")
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("exporter did not start:\n" + self.log())
                time.sleep(0.1)

    def fetch(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as r:
            return r.read().decode()

    def scrape(self):
        """{(name, labels): value} of one scrape of /metrics."""
        out = {}
        for line in self.fetch("/metrics").splitlines():
            m = SAMPLE.match(line)
            if m and not line.startswith("#"):
                out[(m.group(1), m.group(2) or "")] = float(m.group(3))
        return out

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)
        self.log_fh.close()


@pytest.fixture(scope="module")
def exporter(hcdb, tmp_path_factory):
    e = Exporter(hcdb, tmp_path_factory.mktemp("exporter"))
    yield e
    e.stop()


def value(metrics, name, **labels):
    """The value of one series; labels given must all match."""
    found = [v for (n, ls), v in metrics.items()
             if n == name and all(f'{k}="{val}"' in ls for k, val in labels.items())]
    assert len(found) == 1, f"{name} {labels}: {len(found)} series"
    return found[0]


def test_default_collectors_scrape_without_errors(exporter):
    m = exporter.scrape()
    assert value(m, "pg_up") == 1
    assert value(m, "pg_exporter_last_scrape_error") == 0
    assert value(m, "pg_exporter_user_queries_load_error") == 0
    # one series of every default collector
    for name in ["pg_stat_database_xact_commit", "pg_stat_database_conflicts_confl_lock",
                 "pg_stat_bgwriter_checkpoints_timed_total", "pg_stat_archiver_archived_count",
                 "pg_database_size_bytes", "pg_settings_max_connections"]:
        assert any(n == name for n, _ in m), name
    assert value(m, "pg_locks_count", mode="accesssharelock") >= 0
    assert value(m, "pg_stat_activity_count", state="active") >= 1
    assert value(m, "pg_settings_shared_buffers_bytes") == 128 * 1024 * 1024
    assert value(m, "pg_settings_statement_timeout_seconds") == 0
    assert value(m, "pg_settings_max_connections") == MAX_CONNECTIONS
    # nothing failed, not even the queries whose failure only gets logged
    log = exporter.log()
    assert "level=error" not in log and "Error running query" not in log, log


def test_hcdb_metrics_follow_statements(hcdb, exporter):
    before = exporter.scrape()
    conn = hcdb.pg_connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET client_min_messages = warning")  # not the build's progress NOTICEs
        cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
        cur.execute("CREATE TABLE items (id int PRIMARY KEY, emb vector(3))")
        cur.execute("INSERT INTO items SELECT g, ('[' || g || ',' || g % 7 || ',1]')::vector "
                    "FROM generate_series(1, 500) g")
        cur.execute("CREATE INDEX items_emb ON items USING hnsw (emb vector_l2_ops)")
        for i in range(5):
            cur.execute("SELECT id FROM items ORDER BY emb <-> %s::vector LIMIT 3", (f"[{i},{i},1]",))
            assert len(cur.fetchall()) == 3
        cur.execute("SELECT id FROM items WHERE id = 7")
        with pytest.raises(psycopg2.errors.DivisionByZero):
            cur.execute("SELECT 1 / 0")
        with pytest.raises(psycopg2.errors.SyntaxError):
            cur.execute("SELEC 1")
        cur.execute("SET statement_timeout = 50")
        with pytest.raises(psycopg2.errors.QueryCanceled):
            cur.execute("SELECT count(*) FROM generate_series(1, 100000000)")
        cur.execute("RESET statement_timeout")
    after = exporter.scrape()
    assert value(after, "pg_exporter_last_scrape_error") == 0

    def grew(name, by=1, **labels):
        return value(after, name, **labels) - value(before, name, **labels) >= by

    assert grew("hcdb_statements_queries", 10)
    assert grew("hcdb_statements_errors", 3)
    assert grew("hcdb_statements_statement_timeouts", 1)
    assert grew("hcdb_statements_rows_sent", 16)
    assert value(after, "hcdb_statements_total_seconds") > 0.04   # the timed-out statement ran 50 ms
    assert grew("hcdb_vector_searches", 5)
    assert grew("hcdb_vector_index_builds", 1)
    assert value(after, "hcdb_vector_search_seconds") > 0
    assert value(after, "hcdb_index_entries", index_name="items_emb", kind="hnsw") == 500
    assert value(after, "hcdb_index_searches", index_name="items_emb") == 5
    assert value(after, "hcdb_index_rows_read", index_name="items_emb") == 15
    assert value(after, "hcdb_index_memory_bytes", index_name="items_emb") > 500 * 3 * 4
    assert value(after, "hcdb_index_entries", index_name="items_pkey", kind="btree") == 500
    assert value(after, "hcdb_index_searches", index_name="items_pkey") == 1
    assert 0 < value(after, "hcdb_index_build_seconds", index_name="items_emb") < 600
    assert grew("hcdb_wal_bytes", 500 * 12) and grew("hcdb_wal_fsyncs", 1)
    assert value(after, "hcdb_wal_fsync_seconds") > 0
    assert value(after, "hcdb_wal_fsync_max_seconds") > 0
    assert value(after, "hcdb_server_connections") >= 2       # this test's and the exporter's
    assert value(after, "hcdb_server_max_connections") == MAX_CONNECTIONS
    assert value(after, "hcdb_server_memory_bytes") > 0
    assert value(after, "hcdb_server_uptime_seconds") > value(before, "hcdb_server_uptime_seconds")
    assert value(after, "hcdb_sessions_count", state="idle") >= 1
    assert value(after, "hcdb_sessions_count", state="active") >= 1  # the exporter's own scrape
    # latency histograms: cumulative buckets ending in +Inf = count, the 50 ms timeout above 25 ms
    for kind in ("statement", "vector_search"):
        buckets = sorted(((float(re.search(r'le="([^"]+)"', ls).group(1)), v) for (n, ls), v in after.items()
                          if n == "hcdb_latency_seconds_bucket" and f'kind="{kind}"' in ls))
        assert len(buckets) == 17 and buckets[-1][0] == float("inf")
        assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
        assert buckets[-1][1] == value(after, "hcdb_latency_seconds_count", kind=kind)
    assert grew("hcdb_latency_seconds_count", 5, kind="vector_search")
    assert grew("hcdb_latency_seconds_count", 10, kind="statement")
    slow = (value(after, "hcdb_latency_seconds_count", kind="statement")
            - value(after, "hcdb_latency_seconds_bucket", kind="statement", le="0.025"))
    assert slow >= 1
    assert value(after, "hcdb_latency_seconds_sum", kind="statement") > 0.04
    # PostgreSQL's views carry the same counters
    assert grew("pg_stat_database_tup_inserted", 500)
    assert grew("pg_stat_database_xact_commit", 3)
    conn.close()


def test_scrapes_under_load_stay_clean(hcdb, exporter):
    """Scrapes while pgbench writes: no scrape error, commit counters move."""
    env = hcdb.client_env(password=PASSWORD)
    init = hcdb.pgbench("-i", "-s", "1", "-q")
    assert init.returncode == 0, init.stderr
    before = exporter.scrape()
    load = subprocess.Popen([pg_tool("pgbench"), "-h", hcdb.host, "-p", str(hcdb.port), "-U", "postgres",
                             "-c", "4", "-j", "2", "-T", "4", "-N", "postgres"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        scrapes = []
        while load.poll() is None:
            scrapes.append(exporter.scrape())
            time.sleep(0.3)
        out, err = load.communicate(timeout=60)
    finally:
        if load.poll() is None:
            load.kill()
    assert load.returncode == 0, err
    assert re.search(r"number of failed transactions: 0 ", out), out
    assert len(scrapes) >= 3
    for m in scrapes:
        assert value(m, "pg_up") == 1 and value(m, "pg_exporter_last_scrape_error") == 0
    after = exporter.scrape()
    assert value(after, "pg_stat_database_xact_commit") > value(before, "pg_stat_database_xact_commit") + 100
    assert value(after, "hcdb_statements_xact_commit") > value(before, "hcdb_statements_xact_commit") + 100
    assert "level=error" not in exporter.log()
