/* Unit tests for the WAL: group commit and injected write/flush faults. */
#include "tests/unit/test_storage_util.h"

#include <errno.h>
#include <stdatomic.h>
#include <unistd.h>
#include "util/log.h"

/* ---- the fault-injection shim -------------------------------------- */

static _Atomic int write_err;     /* -errno returned by pwrite; 0 = none */
static _Atomic int fsync_err;     /* -errno returned by fdatasync/fsync */
static _Atomic int short_writes;  /* pwrite writes at most 7 bytes per call */
static _Atomic long n_fdatasync;
static _Atomic int fsync_delay_us;

static ssize_t f_pwrite(int fd, const void *p, size_t n, off_t off)
{
    int e = atomic_load(&write_err);
    if (e)
        return e;
    if (atomic_load(&short_writes) && n > 7)
        n = 7;
    return st_io_default()->pwrite(fd, p, n, off);
}

static int f_fdatasync(int fd)
{
    atomic_fetch_add(&n_fdatasync, 1);
    int d = atomic_load(&fsync_delay_us);
    if (d)
        usleep((useconds_t)d);
    int e = atomic_load(&fsync_err);
    return e ? e : st_io_default()->fdatasync(fd);
}

static int f_fsync(int fd)
{
    int e = atomic_load(&fsync_err);
    return e ? e : st_io_default()->fsync(fd);
}

static st_io faulty;

static char *dir;
static st_db *db;
static st_table *tb;

static void setup(void)
{
    log_set_level(LOG_FATAL);
    faulty = *st_io_default();
    faulty.pwrite = f_pwrite;
    faulty.fdatasync = f_fdatasync;
    faulty.fsync = f_fsync;
    atomic_store(&write_err, 0);
    atomic_store(&fsync_err, 0);
    atomic_store(&short_writes, 0);
    atomic_store(&n_fdatasync, 0);
    atomic_store(&fsync_delay_us, 0);
    dir = make_tmpdir();
    st_options o;
    st_options_init(&o);
    o.io = &faulty;
    db = open_db(dir, &o);
    tb = make_table(db, 7);
}

static void teardown(void)
{
    if (db)
        st_close(db);
    rm_rf(dir);
    free(dir);
}

TestSuite(wal, .init = setup, .fini = teardown, .timeout = 30);

/* ---- group commit -------------------------------------------------- */

#define GC_THREADS 32
#define GC_COMMITS 20

static void *committer(void *arg)
{
    long me = (long)arg;
    waker w;
    waker_init(&w);
    pgw_error e;
    for (int i = 0; i < GC_COMMITS; i++) {
        st_txn *t = begin_w(db, &w);
        st_stmt_begin(t);
        char row[32];
        snprintf(row, sizeof(row), "%ld-%d", me, i);
        uint64_t id;
        cr_assert_eq(st_insert(t, tb, row, strlen(row) + 1, &id, &e), ST_OK);
        st_stmt_end(t);
        cr_assert_eq(commit_wait(t, &w, &e), ST_OK, "%s", e.message);
        st_txn_free(t);
    }
    return NULL;
}

Test(wal, group_commit_shares_fdatasync)
{
    atomic_store(&fsync_delay_us, 2000); /* a disk that takes 2 ms per flush */
    long before = atomic_load(&n_fdatasync);
    pthread_t th[GC_THREADS];
    for (long i = 0; i < GC_THREADS; i++)
        pthread_create(&th[i], NULL, committer, (void *)i);
    for (int i = 0; i < GC_THREADS; i++)
        pthread_join(th[i], NULL);
    long flushes = atomic_load(&n_fdatasync) - before;
    cr_assert_eq(count_rows(db, tb), GC_THREADS * GC_COMMITS);
    cr_assert_lt(flushes, GC_THREADS * GC_COMMITS / 4, "%ld flushes for %d commits", flushes,
                 GC_THREADS * GC_COMMITS);
    st_stats s;
    st_get_stats(db, &s);
    cr_assert_eq(s.flushed_lsn, s.insert_lsn);
}

Test(wal, synchronous_commit_off_returns_at_once_and_is_flushed_soon)
{
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_txn_set_synchronous_commit(t, false);
    st_stmt_begin(t);
    uint64_t id;
    cr_assert_eq(st_insert(t, tb, "a", 2, &id, &e), ST_OK);
    cr_assert_eq(st_commit(t, &e), ST_OK);
    st_txn_free(t);
    cr_assert_eq(count_rows(db, tb), 1, "visible at once");
    st_stats s;
    for (int i = 0; i < 200; i++) { /* within the writer delay */
        st_get_stats(db, &s);
        if (s.flushed_lsn == s.insert_lsn)
            break;
        usleep(5000);
    }
    cr_assert_eq(s.flushed_lsn, s.insert_lsn);
}

/* ---- faults -------------------------------------------------------- */

static int try_insert(const char *row, pgw_error *e)
{
    waker w;
    waker_init(&w);
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    uint64_t id;
    cr_assert_eq(st_insert(t, tb, row, strlen(row) + 1, &id, e), ST_OK);
    st_stmt_end(t);
    pgw_error_clear(e);
    int rc = commit_wait(t, &w, e);
    st_txn_free(t);
    return rc;
}

/* Reopen the directory (clean close) and count rows. */
static int reopen_count(void)
{
    st_close(db);
    db = open_db(dir, NULL);
    tb = st_table_lookup(db, 7);
    cr_assert_not_null(tb);
    return count_rows(db, tb);
}

static void fault_then_recover(_Atomic int *knob, int err, const char *sqlstate)
{
    pgw_error e;
    cr_assert_eq(try_insert("before", &e), ST_OK);
    atomic_store(knob, err);
    cr_assert_eq(try_insert("failed", &e), ST_ERROR);
    cr_assert_str_eq(e.sqlstate, sqlstate, "%s", e.message);
    cr_assert_eq(count_rows(db, tb), 1, "the failed commit left nothing; reads still work");
    atomic_store(knob, 0);
    cr_assert_eq(try_insert("after", &e), ST_OK, "%s", e.message);
    cr_assert_eq(count_rows(db, tb), 2);
    cr_assert_eq(reopen_count(), 2, "recovery has before and after, never the failed one");
}

Test(wal, disk_full_fails_commit_with_53100_then_recovers)
{
    fault_then_recover(&write_err, -ENOSPC, "53100");
}

Test(wal, io_error_fails_commit_with_58030_then_recovers)
{
    fault_then_recover(&write_err, -EIO, "58030");
}

Test(wal, fsync_failure_fails_commit_then_recovers)
{
    fault_then_recover(&fsync_err, -EIO, "58030");
}

Test(wal, short_writes_are_completed)
{
    atomic_store(&short_writes, 1);
    pgw_error e;
    for (int i = 0; i < 5; i++)
        cr_assert_eq(try_insert("a row longer than seven bytes", &e), ST_OK);
    atomic_store(&short_writes, 0);
    cr_assert_eq(reopen_count(), 5);
}

Test(wal, failed_commit_releases_row_locks_and_undoes_updates)
{
    pgw_error e;
    waker w;
    waker_init(&w);
    uint64_t id = put_row(db, tb, "v0");
    atomic_store(&write_err, -ENOSPC);
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    cr_assert_eq(st_update(t, tb, id, "v1", 3, &e), ST_OK);
    cr_assert_eq(commit_wait(t, &w, &e), ST_ERROR);
    st_txn_free(t);
    atomic_store(&write_err, 0);
    t = begin_w(db, &w);
    st_stmt_begin(t);
    cr_assert_str_eq(get_str(t, tb, id), "v0");
    cr_assert_eq(st_update(t, tb, id, "v2", 3, &e), ST_OK, "the lock is free again");
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
}

/* An engine writing an image file the way engine/catalog_persist.c does: on a failed
 * write it reports its own error and gives up. */
static int image_cb(void *ctx, st_ckpt_writer *w, pgw_error *err)
{
    (void)ctx;
    static char image[3u << 20];
    if (st_ckpt_file_begin(w, 5) == 0 && st_ckpt_file_write(w, image, sizeof(image)) == 0 &&
        st_ckpt_file_end(w) == 0)
        return 0;
    pgw_error_set(err, "58030", "could not write the image");
    return -1;
}

Test(wal, disk_full_in_an_image_file_fails_the_checkpoint_with_53100)
{
    st_close(db);
    st_options o;
    st_options_init(&o);
    o.io = &faulty;
    o.checkpoint = image_cb;
    db = open_db(dir, &o);
    tb = st_table_lookup(db, 7);
    pgw_error e;
    cr_assert_eq(try_insert("a", &e), ST_OK);
    atomic_store(&write_err, -ENOSPC);
    cr_assert_neq(st_checkpoint(db, &e), 0);
    cr_assert_str_eq(e.sqlstate, "53100", "%s", e.message);
    atomic_store(&write_err, 0);
    cr_assert_eq(st_checkpoint(db, &e), 0, "%s", e.message);
    cr_assert_eq(try_insert("b", &e), ST_OK);
    cr_assert_eq(reopen_count(), 2);
}

Test(wal, checkpoint_fails_cleanly_on_disk_full)
{
    pgw_error e;
    cr_assert_eq(try_insert("a", &e), ST_OK);
    atomic_store(&write_err, -ENOSPC);
    cr_assert_neq(st_checkpoint(db, &e), 0);
    cr_assert_str_eq(e.sqlstate, "53100");
    atomic_store(&write_err, 0);
    cr_assert_eq(st_checkpoint(db, &e), 0, "%s", e.message);
    cr_assert_eq(try_insert("b", &e), ST_OK);
    cr_assert_eq(reopen_count(), 2);
}
