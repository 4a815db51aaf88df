/* Unit tests for storage/: visibility, statements, savepoints, row locks. */
#include "tests/unit/test_storage_util.h"
#include "util/log.h"

static char *dir;
static st_db *db;
static st_table *tb;

static void setup(void)
{
    log_set_level(LOG_WARNING);
    dir = make_tmpdir();
    st_options o;
    st_options_init(&o);
    o.fsync = false;
    db = open_db(dir, &o);
    tb = make_table(db, 100);
}

static void teardown(void)
{
    st_close(db);
    rm_rf(dir);
    free(dir);
}

TestSuite(storage, .init = setup, .fini = teardown, .timeout = 30);

Test(storage, uncommitted_rows_invisible_to_others_own_visible_next_statement)
{
    waker w1, w2;
    waker_init(&w1);
    waker_init(&w2);
    pgw_error e;
    st_txn *a = begin_w(db, &w1), *b = begin_w(db, &w2);
    st_stmt_begin(a);
    uint64_t id;
    cr_assert_eq(st_insert(a, tb, "x", 2, &id, &e), ST_OK);
    cr_assert_null(get_str(a, tb, id), "a statement does not see its own new rows");
    st_stmt_end(a);
    st_stmt_begin(a);
    cr_assert_str_eq(get_str(a, tb, id), "x");
    st_stmt_begin(b);
    cr_assert_null(get_str(b, tb, id));
    cr_assert_eq(commit_wait(a, &w1, &e), ST_OK);
    cr_assert_null(get_str(b, tb, id), "the statement's snapshot predates the commit");
    st_stmt_begin(b);
    cr_assert_str_eq(get_str(b, tb, id), "x", "READ COMMITTED: the next statement sees it");
    st_txn_free(a);
    st_txn_free(b);
}

Test(storage, rollback_leaves_nothing)
{
    uint64_t keep = put_row(db, tb, "keep");
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    uint64_t id;
    cr_assert_eq(st_insert(t, tb, "gone", 5, &id, &e), ST_OK);
    cr_assert_eq(st_update(t, tb, keep, "changed", 8, &e), ST_OK);
    st_stmt_end(t);
    st_rollback(t);
    st_txn_free(t);
    cr_assert_eq(count_rows(db, tb), 1);
    st_txn *r = begin_w(db, &w);
    st_stmt_begin(r);
    cr_assert_str_eq(get_str(r, tb, keep), "keep");
    st_txn_free(r);
}

Test(storage, statement_rollback_keeps_earlier_statements)
{
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    uint64_t a, b;
    st_stmt_begin(t);
    cr_assert_eq(st_insert(t, tb, "a", 2, &a, &e), ST_OK);
    st_stmt_end(t);
    st_stmt_begin(t);
    cr_assert_eq(st_insert(t, tb, "b", 2, &b, &e), ST_OK);
    cr_assert_eq(st_update(t, tb, a, "a2", 3, &e), ST_OK);
    st_stmt_rollback(t); /* the statement failed half-way */
    st_stmt_begin(t);
    cr_assert_str_eq(get_str(t, tb, a), "a");
    cr_assert_null(get_str(t, tb, b));
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
    cr_assert_eq(count_rows(db, tb), 1);
}

Test(storage, savepoints_rollback_to_and_release)
{
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    uint64_t a, b, c;
    st_stmt_begin(t);
    cr_assert_eq(st_insert(t, tb, "a", 2, &a, &e), ST_OK);
    st_stmt_end(t);
    int s1 = st_savepoint(t, &e);
    cr_assert_eq(s1, 1);
    st_stmt_begin(t);
    cr_assert_eq(st_insert(t, tb, "b", 2, &b, &e), ST_OK);
    cr_assert_eq(st_update(t, tb, a, "a2", 3, &e), ST_OK);
    st_stmt_end(t);
    int s2 = st_savepoint(t, &e);
    cr_assert_eq(s2, 2);
    st_stmt_begin(t);
    cr_assert_eq(st_insert(t, tb, "c", 2, &c, &e), ST_OK);
    st_stmt_end(t);
    st_release(t, s2);
    st_rollback_to(t, s1); /* undoes b, a2 and c (released into s1) */
    st_stmt_begin(t);
    cr_assert_str_eq(get_str(t, tb, a), "a");
    cr_assert_null(get_str(t, tb, b));
    cr_assert_null(get_str(t, tb, c));
    cr_assert_eq(st_update(t, tb, a, "a3", 3, &e), ST_OK);
    st_stmt_end(t);
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
    st_txn *r = begin_w(db, &w);
    st_stmt_begin(r);
    cr_assert_str_eq(get_str(r, tb, a), "a3");
    st_txn_free(r);
    cr_assert_eq(count_rows(db, tb), 1);
}

Test(storage, update_does_not_see_its_own_new_versions)
{
    put_row(db, tb, "1");
    put_row(db, tb, "2");
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    st_scan s;
    st_row r;
    int seen = 0;
    st_scan_init(&s, t, tb);
    while (st_scan_next(&s, &r)) {
        seen++;
        cr_assert_eq(st_update(t, tb, r.rowid, "u", 2, &e), ST_OK);
        cr_assert_eq(st_update(t, tb, r.rowid, "v", 2, &e), ST_NOT_FOUND,
                     "a row is changed once per statement");
    }
    cr_assert_eq(seen, 2);
    st_stmt_end(t);
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
}

Test(storage, delete_and_insert_select_semantics)
{
    uint64_t a = put_row(db, tb, "a");
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    /* INSERT ... SELECT: the scan must not see what the statement inserts. */
    st_scan s;
    st_row r;
    int n = 0;
    st_scan_init(&s, t, tb);
    while (st_scan_next(&s, &r)) {
        uint64_t id;
        cr_assert_eq(st_insert(t, tb, r.data, r.len, &id, &e), ST_OK);
        n++;
    }
    cr_assert_eq(n, 1);
    st_stmt_end(t);
    st_stmt_begin(t);
    cr_assert_eq(st_delete(t, tb, a, &e), ST_OK);
    cr_assert_str_eq(get_str(t, tb, a), "a", "deleted by this statement: still seen by it");
    st_stmt_end(t);
    st_stmt_begin(t);
    cr_assert_null(get_str(t, tb, a));
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
    cr_assert_eq(count_rows(db, tb), 1);
}

/* Two writers on one row: the second waits; on commit its retry sees the new version. */
Test(storage, concurrent_update_waits_then_sees_commit)
{
    uint64_t id = put_row(db, tb, "v0");
    waker w1, w2;
    waker_init(&w1);
    waker_init(&w2);
    pgw_error e;
    st_txn *a = begin_w(db, &w1), *b = begin_w(db, &w2);
    st_stmt_begin(a);
    cr_assert_eq(st_update(a, tb, id, "v1", 3, &e), ST_OK);
    st_stmt_end(a);
    st_stmt_begin(b);
    int seen = waker_count(&w2);
    cr_assert_eq(st_update(b, tb, id, "vb", 3, &e), ST_WOULD_BLOCK);
    cr_assert_eq(waker_count(&w2), seen);
    cr_assert_eq(commit_wait(a, &w1, &e), ST_OK);
    waker_wait(&w2, seen); /* fired by a's commit */
    st_stmt_rollback(b);
    st_stmt_begin(b); /* re-run with a fresh snapshot */
    cr_assert_str_eq(get_str(b, tb, id), "v1");
    cr_assert_eq(st_update(b, tb, id, "v2", 3, &e), ST_OK);
    st_stmt_end(b);
    cr_assert_eq(commit_wait(b, &w2, &e), ST_OK);
    st_txn_free(a);
    st_txn_free(b);
    st_txn *r = begin_w(db, &w1);
    st_stmt_begin(r);
    cr_assert_str_eq(get_str(r, tb, id), "v2");
    st_txn_free(r);
}

Test(storage, concurrent_update_waits_then_sees_old_after_abort)
{
    uint64_t id = put_row(db, tb, "v0");
    waker w1, w2;
    waker_init(&w1);
    waker_init(&w2);
    pgw_error e;
    st_txn *a = begin_w(db, &w1), *b = begin_w(db, &w2);
    st_stmt_begin(a);
    cr_assert_eq(st_delete(a, tb, id, &e), ST_OK);
    st_stmt_begin(b);
    int seen = waker_count(&w2);
    cr_assert_eq(st_update(b, tb, id, "vb", 3, &e), ST_WOULD_BLOCK);
    st_rollback(a);
    waker_wait(&w2, seen);
    st_stmt_rollback(b);
    st_stmt_begin(b);
    cr_assert_str_eq(get_str(b, tb, id), "v0");
    cr_assert_eq(st_update(b, tb, id, "vb", 3, &e), ST_OK);
    cr_assert_eq(commit_wait(b, &w2, &e), ST_OK);
    st_txn_free(a);
    st_txn_free(b);
}

Test(storage, update_of_row_committed_after_snapshot_asks_retry)
{
    uint64_t id = put_row(db, tb, "v0");
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *b = begin_w(db, &w);
    st_stmt_begin(b); /* snapshot before the next commit */
    st_txn *a = begin_w(db, &w);
    st_stmt_begin(a);
    cr_assert_eq(st_update(a, tb, id, "v1", 3, &e), ST_OK);
    cr_assert_eq(commit_wait(a, &w, &e), ST_OK);
    st_txn_free(a);
    cr_assert_eq(st_update(b, tb, id, "vb", 3, &e), ST_RETRY);
    st_stmt_rollback(b);
    st_stmt_begin(b);
    cr_assert_eq(st_update(b, tb, id, "vb", 3, &e), ST_OK);
    st_txn_free(b); /* rolls back */
}

Test(storage, deadlock_detected)
{
    uint64_t x = put_row(db, tb, "x"), y = put_row(db, tb, "y");
    waker w1, w2;
    waker_init(&w1);
    waker_init(&w2);
    pgw_error e;
    st_txn *a = begin_w(db, &w1), *b = begin_w(db, &w2);
    st_stmt_begin(a);
    st_stmt_begin(b);
    cr_assert_eq(st_update(a, tb, x, "a", 2, &e), ST_OK);
    cr_assert_eq(st_update(b, tb, y, "b", 2, &e), ST_OK);
    cr_assert_eq(st_update(a, tb, y, "a", 2, &e), ST_WOULD_BLOCK);
    pgw_error_clear(&e);
    cr_assert_eq(st_update(b, tb, x, "b", 2, &e), ST_ERROR);
    cr_assert_str_eq(e.sqlstate, "40P01");
    int seen = waker_count(&w1);
    st_rollback(b);
    waker_wait(&w1, seen);
    st_stmt_rollback(a);
    st_stmt_begin(a);
    cr_assert_eq(st_update(a, tb, x, "a", 2, &e), ST_OK);
    cr_assert_eq(st_update(a, tb, y, "a", 2, &e), ST_OK);
    cr_assert_eq(commit_wait(a, &w1, &e), ST_OK);
    st_txn_free(a);
    st_txn_free(b);
}

Test(storage, ddl_is_transactional)
{
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    st_table *t2;
    cr_assert_eq(st_table_create(t, 200, &t2, &e), ST_OK);
    uint64_t id;
    cr_assert_eq(st_insert(t, t2, "r", 2, &id, &e), ST_OK);
    st_rollback(t);
    st_txn_free(t);
    cr_assert_null(st_table_lookup(db, 200));
    t = begin_w(db, &w);
    st_stmt_begin(t);
    cr_assert_eq(st_table_drop(t, tb, &e), ST_OK);
    st_rollback(t);
    st_txn_free(t);
    cr_assert_eq(st_table_lookup(db, 100), tb);
    t = begin_w(db, &w);
    st_stmt_begin(t);
    cr_assert_eq(st_table_drop(t, tb, &e), ST_OK);
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
    cr_assert_null(st_table_lookup(db, 100));
}

/* Many updates of one row while a reader keeps an old snapshot: the reader's
 * version survives pruning; after it ends, old versions are freed. */
Test(storage, old_versions_kept_for_open_snapshots)
{
    uint64_t id = put_row(db, tb, "0");
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *r = begin_w(db, &w);
    st_stmt_begin(r);
    st_row old;
    cr_assert_eq(st_get(r, tb, id, &old), ST_OK);
    for (int i = 1; i <= 50; i++) {
        char v[8];
        snprintf(v, sizeof(v), "%d", i);
        st_txn *t = begin_w(db, &w);
        st_stmt_begin(t);
        cr_assert_eq(st_update(t, tb, id, v, strlen(v) + 1, &e), ST_OK);
        cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
        st_txn_free(t);
    }
    cr_assert_str_eq((const char *)old.data, "0");
    cr_assert_str_eq(get_str(r, tb, id), "0");
    st_txn_free(r);
    r = begin_w(db, &w);
    st_stmt_begin(r);
    cr_assert_str_eq(get_str(r, tb, id), "50");
    st_txn_free(r);
}

/* pgbench-like: 8 threads add to the same few rows; no update is lost. */
#define NTHREADS 8
#define NITER 200
static st_table *hot;
static uint64_t hot_ids[3];

static void *adder(void *arg)
{
    (void)arg;
    waker w;
    waker_init(&w);
    pgw_error e;
    for (int i = 0; i < NITER; i++) {
        st_txn *t = begin_w(db, &w);
        for (int k = 0; k < 3; k++) {
            for (;;) {
                st_stmt_begin(t);
                st_row r;
                cr_assert_eq(st_get(t, hot, hot_ids[k], &r), ST_OK);
                long v = atol((const char *)r.data) + 1;
                char s[32];
                snprintf(s, sizeof(s), "%ld", v);
                int seen = waker_count(&w);
                int rc = st_update(t, hot, hot_ids[k], s, strlen(s) + 1, &e);
                if (rc == ST_OK) {
                    st_stmt_end(t);
                    break;
                }
                cr_assert(rc == ST_WOULD_BLOCK || rc == ST_RETRY, "rc %d %s", rc, e.message);
                st_stmt_rollback(t);
                if (rc == ST_WOULD_BLOCK)
                    waker_wait(&w, seen);
            }
        }
        cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
        st_txn_free(t);
    }
    return NULL;
}

Test(storage, hot_rows_no_lost_updates)
{
    hot = tb;
    for (int k = 0; k < 3; k++)
        hot_ids[k] = put_row(db, tb, "0");
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, adder, NULL);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    waker w;
    waker_init(&w);
    st_txn *r = begin_w(db, &w);
    st_stmt_begin(r);
    for (int k = 0; k < 3; k++)
        cr_assert_eq(atol(get_str(r, tb, hot_ids[k])), NTHREADS * NITER);
    st_txn_free(r);
}

/* Collects "rowid:data" strings from st_scan_versions. */
typedef struct seen_versions {
    char got[8][32];
    int n;
} seen_versions;

static int note_version(void *ctx, uint64_t rowid, const void *data, size_t len)
{
    seen_versions *s = ctx;
    cr_assert_lt(s->n, 8);
    snprintf(s->got[s->n++], sizeof(s->got[0]), "%llu:%.*s", (unsigned long long)rowid, (int)len - 1,
             (const char *)data);
    return 0;
}

Test(storage, scan_versions_adds_open_transactions_versions)
{
    uint64_t a_id = put_row(db, tb, "a");
    uint64_t gone = put_row(db, tb, "gone");
    waker w1, w2;
    waker_init(&w1);
    waker_init(&w2);
    pgw_error e;
    st_txn *writer = begin_w(db, &w1), *reader = begin_w(db, &w2);
    st_stmt_begin(writer);
    uint64_t b_id;
    cr_assert_eq(st_insert(writer, tb, "b", 2, &b_id, &e), ST_OK);
    cr_assert_eq(st_update(writer, tb, a_id, "a2", 3, &e), ST_OK);
    cr_assert_eq(st_delete(writer, tb, gone, &e), ST_OK);
    st_stmt_end(writer);
    st_stmt_begin(reader);
    seen_versions s = {.n = 0};
    cr_assert_eq(st_scan_versions(reader, tb, note_version, &s), 0);
    /* newest first per row: the open update, then the version the reader sees */
    char want[4][32];
    snprintf(want[0], 32, "%llu:a2", (unsigned long long)a_id);
    snprintf(want[1], 32, "%llu:a", (unsigned long long)a_id);
    snprintf(want[2], 32, "%llu:gone", (unsigned long long)gone);
    snprintf(want[3], 32, "%llu:b", (unsigned long long)b_id);
    cr_assert_eq(s.n, 4);
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(s.got[i], want[i]);
    st_rollback(writer);
    st_txn_free(writer);
    st_txn_free(reader);
}
