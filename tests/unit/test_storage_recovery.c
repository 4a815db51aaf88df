/* Unit tests for storage recovery: crashes, torn WAL, corrupt checkpoints,
 * format versions, engine blobs and records, online backup. */
#include "tests/unit/test_storage_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "storage/wal_format.h"
#include "util/log.h"
#include "util/mem.h"

static char *dir;

static void setup(void)
{
    log_set_level(LOG_FATAL);
    dir = make_tmpdir();
}

static void teardown(void)
{
    rm_rf(dir);
    free(dir);
}

TestSuite(recovery, .init = setup, .fini = teardown, .timeout = 60);

static st_options small_opts(void)
{
    st_options o;
    st_options_init(&o);
    o.wal_segment_size = ST_MIN_SEGMENT_SIZE;
    o.checkpoint_timeout_ms = 0;
    o.max_wal_size = 0;
    return o;
}

/* Every visible row as "rowid=text" lines, sorted by rowid. */
static void dump(st_db *db, uint32_t relid, char *out, size_t cap)
{
    out[0] = 0;
    st_table *tb = st_table_lookup(db, relid);
    if (!tb)
        return;
    pgw_error e;
    st_txn *t = st_txn_begin(db, &e);
    st_stmt_begin(t);
    st_scan s;
    st_row r;
    size_t n = 0;
    st_scan_init(&s, t, tb);
    while (st_scan_next(&s, &r))
        n += (size_t)snprintf(out + n, cap - n, "%llu=%s\n", (unsigned long long)r.rowid,
                              (const char *)r.data);
    st_txn_free(t);
}

static void update_row(st_db *db, st_table *tb, uint64_t id, const char *s)
{
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    cr_assert_eq(st_update(t, tb, id, s, strlen(s) + 1, &e), ST_OK);
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
}

static void delete_row(st_db *db, st_table *tb, uint64_t id)
{
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    cr_assert_eq(st_delete(t, tb, id, &e), ST_OK);
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
}

Test(recovery, crash_keeps_acknowledged_commits_and_drops_open_ones)
{
    st_options o = small_opts();
    st_db *db = open_db(dir, &o);
    st_table *tb = make_table(db, 1);
    uint64_t a = put_row(db, tb, "a");
    uint64_t b = put_row(db, tb, "b");
    put_row(db, tb, "c");
    update_row(db, tb, a, "a2");
    delete_row(db, tb, b);
    pgw_error e;
    st_txn *open = st_txn_begin(db, &e); /* never committed */
    st_stmt_begin(open);
    uint64_t x;
    cr_assert_eq(st_insert(open, tb, "open", 5, &x, &e), ST_OK);
    char before[1024];
    dump(db, 1, before, sizeof(before));
    cr_assert_str_eq(before, "0=a2\n2=c\n");
    st__close_crash(db);
    db = open_db(dir, &o);
    char after[1024];
    dump(db, 1, after, sizeof(after));
    cr_assert_str_eq(after, before);
    /* Row ids are not reused after recovery. */
    uint64_t d = put_row(db, st_table_lookup(db, 1), "d");
    cr_assert_gt(d, 2);
    st_close(db);
}

static char *last_segment(void)
{
    uint64_t *segs;
    size_t n;
    cr_assert_eq(st__wal_list(dir, &segs, &n), 0);
    cr_assert_gt(n, 0);
    char *p = st__wal_seg_path(dir, segs[n - 1]);
    mem_free(segs);
    return p;
}

Test(recovery, torn_last_record_recovers_up_to_last_good)
{
    st_options o = small_opts();
    st_db *db = open_db(dir, &o);
    st_table *tb = make_table(db, 1);
    for (int i = 0; i < 10; i++)
        put_row(db, tb, "row");
    st__close_crash(db);
    char *seg = last_segment();
    struct stat sb;
    cr_assert_eq(stat(seg, &sb), 0);
    cr_assert_eq(truncate(seg, sb.st_size - 5), 0); /* mid-way through the last commit */
    db = open_db(dir, &o);
    tb = st_table_lookup(db, 1);
    cr_assert_eq(count_rows(db, tb), 9);
    put_row(db, tb, "new"); /* the torn tail is gone; new records follow the good ones */
    st__close_crash(db);
    db = open_db(dir, &o);
    cr_assert_eq(count_rows(db, st_table_lookup(db, 1)), 10);
    st_close(db);
    mem_free(seg);
}

/* Ten committed rows, then one byte flipped `back` bytes before the end of
 * the last segment; `prepare` (if any) edits the segment first. Returns the
 * segment's path (size unchanged). */
static char *ten_rows_then_flip(const st_options *o, off_t back, void (*prepare)(const char *seg))
{
    st_db *db = open_db(dir, o);
    st_table *tb = make_table(db, 1);
    for (int i = 0; i < 10; i++)
        put_row(db, tb, "row-xxxxxxxx");
    st__close_crash(db);
    char *seg = last_segment();
    if (prepare)
        prepare(seg);
    struct stat sb;
    cr_assert_eq(stat(seg, &sb), 0);
    int fd = open(seg, O_RDWR);
    uint8_t byte;
    off_t at = sb.st_size - back;
    cr_assert_eq(pread(fd, &byte, 1, at), 1);
    byte ^= 0x40;
    cr_assert_eq(pwrite(fd, &byte, 1, at), 1);
    close(fd);
    return seg;
}

/* Damage with intact records after it is not a torn tail: stopping there
 * would silently drop committed transactions, so opening fails and leaves
 * the files alone. */
Test(recovery, corrupt_record_in_the_middle_refuses_to_open)
{
    st_options o = small_opts();
    char *seg = ten_rows_then_flip(&o, 3 * 100, NULL); /* inside one of the last transactions */
    struct stat before, after;
    cr_assert_eq(stat(seg, &before), 0);
    st_db *db = NULL;
    pgw_error e;
    pgw_error_clear(&e);
    cr_assert_neq(st_open(dir, &o, NULL, &db, &e), 0);
    cr_assert_null(db);
    cr_assert_str_eq(e.sqlstate, ST_SQLSTATE_DATA_CORRUPTED);
    cr_assert(strstr(e.message, "write-ahead log is damaged at LSN"), "%s", e.message);
    cr_assert(strstr(e.detail, "Intact WAL records follow at LSN"), "%s", e.detail);
    cr_assert_eq(stat(seg, &after), 0);
    cr_assert_eq(after.st_size, before.st_size);
    mem_free(seg);
}

/* The same flip inside the very last record is a torn tail: recovery keeps
 * the nine transactions before it. */
Test(recovery, corrupt_last_record_is_a_torn_tail)
{
    st_options o = small_opts();
    char *seg = ten_rows_then_flip(&o, 10, NULL);
    st_db *db = open_db(dir, &o);
    cr_assert_eq(count_rows(db, st_table_lookup(db, 1)), 9);
    st_close(db);
    mem_free(seg);
}

/* Rewrite every COMMIT of the segment as if all ten transactions had been
 * appended in one round that never got flushed (durable = 0), checksums
 * kept valid: what a power loss can leave, with the round's pages reaching
 * the disk in any order. */
static void as_one_unflushed_round(const char *seg)
{
    int fd = open(seg, O_RDWR);
    struct stat sb;
    cr_assert_eq(fstat(fd, &sb), 0);
    uint8_t *b = mem_alloc((size_t)sb.st_size);
    cr_assert_eq(pread(fd, b, (size_t)sb.st_size, 0), sb.st_size);
    for (size_t off = ST_WAL_SEG_HEADER; off + ST_WAL_REC_HEADER <= (size_t)sb.st_size;) {
        uint32_t len = st_get_le32(b + off);
        if (b[off + 4] == ST_WAL_COMMIT) {
            st_put_le64(b + off + ST_WAL_REC_HEADER + 12, 0);
            st_put_le64(b + off + 24, st_wal_checksum(b + off, len));
        }
        off += len;
    }
    cr_assert_eq(pwrite(fd, b, (size_t)sb.st_size, 0), sb.st_size);
    close(fd);
    mem_free(b);
}

/* Damage inside the last, unflushed round is a torn write, not corruption:
 * intact records after it prove nothing, so recovery keeps the prefix. */
Test(recovery, damage_inside_an_unflushed_round_is_a_torn_tail)
{
    st_options o = small_opts();
    char *seg = ten_rows_then_flip(&o, 3 * 100, as_one_unflushed_round);
    st_db *db = open_db(dir, &o);
    int n = count_rows(db, st_table_lookup(db, 1));
    cr_assert(n >= 6 && n < 10, "%d rows", n);
    st_close(db);
    mem_free(seg);
}

static void flip_byte(const char *path, off_t at)
{
    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    uint8_t b;
    cr_assert_eq(pread(fd, &b, 1, at), 1);
    b ^= 0xff;
    cr_assert_eq(pwrite(fd, &b, 1, at), 1);
    close(fd);
}

Test(recovery, corrupt_checkpoint_falls_back_to_previous_plus_wal)
{
    st_options o = small_opts();
    st_db *db = open_db(dir, &o);
    st_table *tb = make_table(db, 1);
    pgw_error e;
    put_row(db, tb, "A");
    cr_assert_eq(st_checkpoint(db, &e), 0, "%s", e.message);
    put_row(db, tb, "B");
    cr_assert_eq(st_checkpoint(db, &e), 0, "%s", e.message);
    put_row(db, tb, "C");
    char before[256];
    dump(db, 1, before, sizeof(before));
    st__close_crash(db);
    char path[512];
    snprintf(path, sizeof(path), "%s/checkpoint/%016x.ckpt", dir, 2);
    flip_byte(path, 70); /* a byte of the table entry */
    db = open_db(dir, &o);
    char after[256];
    dump(db, 1, after, sizeof(after));
    cr_assert_str_eq(after, before);
    cr_assert_str_eq(after, "0=A\n1=B\n2=C\n");
    /* The next checkpoint must keep the one recovery used (not the corrupt
     * one) as its own fallback: damage it too, and nothing is lost. */
    put_row(db, st_table_lookup(db, 1), "D");
    cr_assert_eq(st_checkpoint(db, &e), 0, "%s", e.message);
    st__close_crash(db);
    cr_assert_eq(access(path, F_OK), 0, "the new checkpoint takes the free sequence number");
    flip_byte(path, 70);
    db = open_db(dir, &o);
    dump(db, 1, after, sizeof(after));
    cr_assert_str_eq(after, "0=A\n1=B\n2=C\n3=D\n");
    st_close(db);
}

Test(recovery, newer_format_version_is_refused)
{
    st_db *db = open_db(dir, NULL);
    st_close(db);
    char path[512];
    snprintf(path, sizeof(path), "%s/HCDB_STORAGE_VERSION", dir);
    FILE *f = fopen(path, "w");
    fputs("99\n", f);
    fclose(f);
    pgw_error e;
    pgw_error_clear(&e);
    cr_assert_neq(st_open(dir, NULL, NULL, &db, &e), 0);
    cr_assert_str_eq(e.sqlstate, "55000");
    cr_assert(strstr(e.detail, "version 99") != NULL, "%s", e.detail);
}

Test(recovery, older_format_version_is_read_and_upgraded)
{
    st_db *db = open_db(dir, NULL);
    st_close(db);
    char path[512];
    snprintf(path, sizeof(path), "%s/HCDB_STORAGE_VERSION", dir);
    FILE *f = fopen(path, "w");
    fputs("1\n", f);
    fclose(f);
    db = open_db(dir, NULL);
    st_close(db);
    char text[16] = {0};
    f = fopen(path, "r");
    cr_assert(fgets(text, sizeof(text), f) != NULL);
    fclose(f);
    cr_assert_str_eq(text, "2\n");
}

/* ---- engine blobs and records -------------------------------------- */

static int ckpt_cb(void *ctx, st_ckpt_writer *w, pgw_error *err)
{
    (void)ctx;
    (void)err;
    if (st_ckpt_put(w, 1, 0, "catalog-v1", 10) != 0 || st_ckpt_put(w, 2, 42, "hnsw", 4) != 0)
        return -1;
    return 0;
}

typedef struct seen {
    char log[1024];
    size_t n;
} seen;

static int blob_cb(void *ctx, uint32_t kind, uint32_t id, const void *d, size_t len, pgw_error *e)
{
    (void)e;
    seen *s = ctx;
    s->n += (size_t)snprintf(s->log + s->n, sizeof(s->log) - s->n, "blob %u/%u %.*s;", kind, id,
                             (int)len, (const char *)d);
    return 0;
}

static int record_cb(void *ctx, uint32_t relid, uint32_t kind, const void *d, size_t len,
                     pgw_error *e)
{
    (void)e;
    seen *s = ctx;
    s->n += (size_t)snprintf(s->log + s->n, sizeof(s->log) - s->n, "rec %u/%u %.*s;", relid, kind,
                             (int)len, (const char *)d);
    return 0;
}

static void row_cb(void *ctx, uint32_t relid, uint64_t rowid, st_row_op op, const void *d, size_t len,
                   const void *old, size_t oldlen)
{
    (void)d;
    (void)len;
    (void)old;
    (void)oldlen;
    seen *s = ctx;
    s->n += (size_t)snprintf(s->log + s->n, sizeof(s->log) - s->n, "row %u/%llu/%d;", relid,
                             (unsigned long long)rowid, (int)op);
}

Test(recovery, engine_blobs_and_records_come_back_in_order)
{
    st_options o = small_opts();
    o.checkpoint = ckpt_cb;
    st_db *db = open_db(dir, &o);
    st_table *tb = make_table(db, 5);
    pgw_error e;
    cr_assert_eq(st_checkpoint(db, &e), 0);
    waker w;
    waker_init(&w);
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    cr_assert_eq(st_log_engine(t, 5, 9, "alter", 5, &e), ST_OK);
    uint64_t id;
    cr_assert_eq(st_insert(t, tb, "r", 2, &id, &e), ST_OK);
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
    st_txn_free(t);
    t = begin_w(db, &w); /* rolled back: must not come back */
    st_stmt_begin(t);
    cr_assert_eq(st_log_engine(t, 5, 9, "nope", 4, &e), ST_OK);
    st_txn_free(t);
    st__close_crash(db);
    seen s = {.n = 0};
    st_recovery_ops ops = {.ctx = &s, .blob = blob_cb, .record = record_cb, .row = row_cb};
    cr_assert_eq(st_open(dir, &o, &ops, &db, &e), 0);
    cr_assert_str_eq(s.log, "blob 1/0 catalog-v1;blob 2/42 hnsw;rec 5/9 alter;row 5/0/1;");
    st_close(db);
}

/* ---- engine files of a checkpoint ------------------------------------- */

static int files_cb(void *ctx, st_ckpt_writer *w, pgw_error *err)
{
    (void)ctx;
    (void)err;
    if (st_ckpt_put(w, 1, 0, "catalog", 7) != 0 || st_ckpt_file_begin(w, 7) != 0 ||
        st_ckpt_file_write(w, "index ", 6) != 0 || st_ckpt_file_write(w, "seven", 5) != 0 ||
        st_ckpt_put(w, 1, 1, "no", 2) == 0 /* refused while a file is open */ || st_ckpt_file_end(w) != 0 ||
        st_ckpt_file_begin(w, 9) != 0 || st_ckpt_file_write(w, "nine", 4) != 0 || st_ckpt_file_end(w) != 0)
        return -1;
    return 0;
}

static int file_cb(void *ctx, uint32_t id, const void *d, size_t len, pgw_error *e)
{
    (void)e;
    seen *s = ctx;
    s->n += (size_t)snprintf(s->log + s->n, sizeof(s->log) - s->n, "file %u %.*s;", id, (int)len,
                             (const char *)d);
    return 0;
}

static char *file_of(uint64_t seq, uint32_t id)
{
    char *p = mem_alloc(strlen(dir) + 64);
    sprintf(p, "%s/checkpoint/%016llx-%08x.dat", dir, (unsigned long long)seq, id);
    return p;
}

Test(recovery, checkpoint_files_come_back_unless_damaged)
{
    st_options o = small_opts();
    o.checkpoint = files_cb;
    st_db *db = open_db(dir, &o);
    pgw_error e;
    cr_assert_eq(st_checkpoint(db, &e), 0);
    cr_assert_eq(st_checkpoint(db, &e), 0);
    st_close(db);
    seen s = {.n = 0};
    st_recovery_ops ops = {.ctx = &s, .blob = blob_cb, .file = file_cb};
    cr_assert_eq(st_open(dir, &o, &ops, &db, &e), 0);
    cr_assert_str_eq(s.log, "blob 1/0 catalog;file 7 index seven;file 9 nine;");
    st_close(db); /* (no checkpoint at close: still sequences 1 and 2) */
    char *seven = file_of(2, 7), *nine = file_of(2, 9), *old = file_of(1, 7);
    cr_assert_eq(access(old, F_OK), 0, "the previous checkpoint keeps its files");
    flip_byte(seven, 2);
    cr_assert_eq(truncate(nine, 3), 0);
    s.n = 0;
    s.log[0] = '\0';
    cr_assert_eq(st_open(dir, &o, &ops, &db, &e), 0);
    cr_assert_str_eq(s.log, "blob 1/0 catalog;", "damaged files are skipped, the checkpoint stays");
    cr_assert_eq(st_checkpoint(db, &e), 0); /* 3: removes 1 and its files */
    cr_assert_neq(access(old, F_OK), 0);
    st_close(db);
    mem_free(seven);
    mem_free(nine);
    mem_free(old);
}

/* ---- many segments, checkpoints by size, WAL removal ---------------- */

Test(recovery, wal_segments_roll_over_and_old_ones_are_removed)
{
    st_options o = small_opts();
    o.fsync = false;
    st_db *db = open_db(dir, &o);
    st_table *tb = make_table(db, 1);
    char big[2000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    pgw_error e;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++)
            put_row(db, tb, big);
        cr_assert_eq(st_checkpoint(db, &e), 0);
    }
    uint64_t *segs;
    size_t n;
    cr_assert_eq(st__wal_list(dir, &segs, &n), 0);
    st_stats s;
    st_get_stats(db, &s);
    cr_assert_lt(n, 6, "old segments removed (%zu left)", n);
    cr_assert_leq(segs[0], s.redo_lsn);
    mem_free(segs);
    for (int i = 0; i < 10; i++)
        put_row(db, tb, "tail");
    st__close_crash(db);
    db = open_db(dir, &o);
    cr_assert_eq(count_rows(db, st_table_lookup(db, 1)), 310);
    st_close(db);
}

/* ---- kill -9 during commits ------------------------------------------ */

/* The child commits pairs of rows "i-a", "i-b" in one transaction from 4
 * threads and reports i on the pipe after each acknowledged commit. */
static int ack_fd;
static st_db *child_db;
static st_table *child_tb;

static void *child_worker(void *arg)
{
    long base = (long)arg;
    waker w;
    waker_init(&w);
    pgw_error e;
    for (long i = base;; i += 4) {
        st_txn *t = begin_w(child_db, &w);
        st_stmt_begin(t);
        char r[32];
        uint64_t id;
        snprintf(r, sizeof(r), "%ld-a", i);
        if (st_insert(t, child_tb, r, strlen(r) + 1, &id, &e) != ST_OK)
            _exit(3);
        snprintf(r, sizeof(r), "%ld-b", i);
        if (st_insert(t, child_tb, r, strlen(r) + 1, &id, &e) != ST_OK)
            _exit(3);
        if (commit_wait(t, &w, &e) != ST_OK)
            _exit(4);
        st_txn_free(t);
        int v = (int)i;
        if (write(ack_fd, &v, sizeof(v)) != sizeof(v))
            _exit(5);
    }
    return NULL;
}

Test(recovery, sigkill_mid_commit_keeps_every_acknowledged_commit)
{
    st_options o = small_opts();
    st_db *db = open_db(dir, &o);
    make_table(db, 1);
    st_close(db);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        ack_fd = p[1];
        pgw_error e;
        if (st_open(dir, &o, NULL, &child_db, &e) != 0)
            _exit(2);
        child_tb = st_table_lookup(child_db, 1);
        pthread_t th[4];
        for (long i = 0; i < 4; i++)
            pthread_create(&th[i], NULL, child_worker, (void *)i);
        pthread_join(th[0], NULL);
        _exit(0);
    }
    close(p[1]);
    static char acked[1 << 16];
    int v, nack = 0;
    while (nack < 300 && read(p[0], &v, sizeof(v)) == sizeof(v)) {
        cr_assert_lt(v, (int)sizeof(acked));
        acked[v] = 1;
        nack++;
    }
    kill(pid, SIGKILL);
    while (read(p[0], &v, sizeof(v)) == sizeof(v)) /* acks sent before the kill */
        if (v < (int)sizeof(acked))
            acked[v] = 1;
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFSIGNALED(status), "child exited with %d", WEXITSTATUS(status));
    close(p[0]);
    db = open_db(dir, &o);
    st_table *tb = st_table_lookup(db, 1);
    static char have_a[1 << 16], have_b[1 << 16];
    pgw_error e;
    st_txn *t = st_txn_begin(db, &e);
    st_stmt_begin(t);
    st_scan s;
    st_row r;
    st_scan_init(&s, t, tb);
    while (st_scan_next(&s, &r)) {
        int i;
        char c;
        cr_assert_eq(sscanf((const char *)r.data, "%d-%c", &i, &c), 2);
        (c == 'a' ? have_a : have_b)[i] = 1;
    }
    st_txn_free(t);
    for (int i = 0; i < (int)sizeof(acked); i++) {
        cr_assert_eq(have_a[i], have_b[i], "transaction %d is partial", i);
        if (acked[i])
            cr_assert(have_a[i], "acknowledged transaction %d lost", i);
    }
    st_close(db);
}

/* ---- online backup --------------------------------------------------- */

#define BK_MAX 100000
static st_db *bk_db;
static st_table *bk_tb;
static _Atomic int bk_stop;
static uint64_t bk_lsn[BK_MAX]; /* commit LSN of the transaction writing row i */
static _Atomic int bk_n;

static void *bk_writer(void *arg)
{
    (void)arg;
    waker w;
    waker_init(&w);
    pgw_error e;
    while (!atomic_load(&bk_stop)) {
        int i = atomic_fetch_add(&bk_n, 1);
        if (i >= BK_MAX)
            break;
        st_txn *t = begin_w(bk_db, &w);
        st_stmt_begin(t);
        char r[32];
        uint64_t id;
        snprintf(r, sizeof(r), "%d", i);
        cr_assert_eq(st_insert(t, bk_tb, r, strlen(r) + 1, &id, &e), ST_OK);
        cr_assert_eq(commit_wait(t, &w, &e), ST_OK);
        bk_lsn[i] = t->commit_lsn;
        st_txn_free(t);
    }
    return NULL;
}

Test(recovery, backup_during_writes_has_exactly_commits_before_its_end)
{
    st_options o = small_opts();
    o.fsync = false;
    bk_db = open_db(dir, &o);
    bk_tb = make_table(bk_db, 1);
    for (int i = 0; i < 50; i++)
        put_row(bk_db, bk_tb, "pre");
    pgw_error e;
    cr_assert_eq(st_checkpoint(bk_db, &e), 0);
    atomic_store(&bk_stop, 0);
    atomic_store(&bk_n, 0);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, bk_writer, NULL);
    usleep(50000);
    char dest[600];
    snprintf(dest, sizeof(dest), "%s/backup", dir);
    uint64_t end = 0;
    cr_assert_eq(st_backup(bk_db, dest, &end, &e), 0, "%s", e.message);
    usleep(20000);
    atomic_store(&bk_stop, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    int total = atomic_load(&bk_n);
    st_close(bk_db);
    st_db *copy = open_db(dest, &o);
    st_table *tb = st_table_lookup(copy, 1);
    cr_assert_not_null(tb);
    static char in_copy[BK_MAX];
    memset(in_copy, 0, sizeof(in_copy));
    int pre = 0, expected = 0, got = 0;
    st_txn *t = st_txn_begin(copy, &e);
    st_stmt_begin(t);
    st_scan s;
    st_row r;
    st_scan_init(&s, t, tb);
    while (st_scan_next(&s, &r)) {
        if (strcmp((const char *)r.data, "pre") == 0) {
            pre++;
            continue;
        }
        in_copy[atoi((const char *)r.data)] = 1;
        got++;
    }
    st_txn_free(t);
    cr_assert_eq(pre, 50);
    for (int i = 0; i < total && i < BK_MAX; i++) {
        if (!bk_lsn[i])
            continue; /* never committed (stopped) */
        bool before = bk_lsn[i] <= end;
        expected += before;
        cr_assert_eq(in_copy[i], before, "row %d (commit LSN %llu, backup end %llu)", i,
                     (unsigned long long)bk_lsn[i], (unsigned long long)end);
    }
    cr_assert_eq(got, expected);
    cr_assert_gt(expected, 0);
    cr_assert_lt(expected, total - 4, "writes went on during and after the backup");
    st_close(copy);
}
