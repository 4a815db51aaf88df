/*
 * wal_writer: the WAL's in-memory tail and the thread that makes it durable.
 *
 * Sessions append whole committed transactions under a short lock
 * (st__wal_append: LSNs and checksums filled in, bytes copied). One writer
 * thread swaps the buffer out, writes it to the current segment and calls
 * fdatasync once for everything in it, then finishes every synchronous
 * commit the flush covers (group commit). While it flushes, new commits
 * gather in the other buffer for the next round, so the number of flushes
 * tracks the disk, not the number of commits.
 *
 * A failed write or flush (ENOSPC, EIO, fsync error) fails every commit not
 * yet durable (their changes are undone in memory), cuts the segment back
 * to the last durable byte and rewinds the insert LSN there, so no failed
 * transaction can come back at recovery and nothing durable is touched.
 * If asynchronous commits (already visible) were lost that way, commits
 * are refused until a checkpoint has saved them. Segment format: wal_format.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "storage/st_internal.h"
#include "storage/wal_format.h"
#include "util/log.h"
#include "util/mem.h"

struct st_wal {
    st_db *db;
    const st_io *io;
    char *waldir;
    pthread_mutex_t lock;
    pthread_cond_t work_cv;  /* the writer waits for work */
    pthread_cond_t done_cv;  /* flushers wait for a round to end */
    buf cur, spare;
    uint64_t insert_lsn;     /* end of appended bytes */
    uint64_t flushed_lsn;    /* end of durable bytes */
    uint64_t completed_lsn;  /* commits up to here are durable and visible */
    uint64_t async_end;      /* end of the newest asynchronous commit */
    uint64_t flush_want;     /* someone waits for flushed_lsn >= this */
    st_txn *pend_head, *pend_tail;
    uint64_t fail_gen;       /* bumped by every failed round */
    int last_err;
    int need_ckpt_err;       /* commits refused until a checkpoint (0 = no) */
    bool stop, running;
    pthread_t thr;
    /* Writer thread only. */
    int fd;
    uint64_t seg_start;
    bool broken;             /* the segment may hold bytes past flushed_lsn */
    _Atomic uint64_t n_flushes, n_bytes, n_records;
    _Atomic uint64_t flush_ns, flush_max_ns; /* time in the round flushes (write_round) */
};

char *st__wal_seg_path(const char *dir, uint64_t start)
{
    size_t n = strlen(dir) + 40;
    char *p = mem_alloc(n);
    if (p)
        snprintf(p, n, "%s/wal/%016" PRIx64 ".wal", dir, start);
    return p;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int st__wal_list(const char *dir, uint64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *wd = st__path(dir, "wal");
    if (!wd)
        return -ENOMEM;
    DIR *d = opendir(wd);
    mem_free(wd);
    if (!d)
        return errno == ENOENT ? 0 : -errno;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        if (strlen(e->d_name) != 20 || strcmp(e->d_name + 16, ".wal") != 0)
            continue;
        uint64_t s = strtoull(e->d_name, &end, 16);
        if (end != e->d_name + 16)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *nl = mem_realloc(*out, cap * sizeof(uint64_t));
            if (!nl) {
                closedir(d);
                mem_free(*out);
                *out = NULL;
                return -ENOMEM;
            }
            *out = nl;
        }
        (*out)[(*n)++] = s;
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof(uint64_t), cmp_u64);
    return 0;
}

/* ---- segments (writer thread) -------------------------------------- */

static int new_segment(st_wal *w, uint64_t start)
{
    char *path = st__wal_seg_path(w->db->dir, start);
    if (!path)
        return -ENOMEM;
    int fd = w->io->open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    int rc = fd < 0 ? fd : 0;
    if (rc == 0) {
        uint8_t h[ST_WAL_SEG_HEADER] = {0};
        memcpy(h, ST_WAL_MAGIC, 8);
        st_put_le32(h + 8, ST_FORMAT_VERSION);
        st_put_le64(h + 16, start);
        st_put_le64(h + 24, XXH3_64bits(h, 24));
        rc = st_io_write_all(w->io, fd, h, sizeof(h), 0);
        if (rc == 0 && w->db->opt.fsync)
            rc = w->io->fdatasync(fd);
        if (rc == 0 && w->db->opt.fsync)
            rc = st_io_fsync_dir(w->io, w->waldir);
    }
    if (rc != 0) {
        if (fd >= 0) {
            w->io->close(fd);
            (void)w->io->unlink(path);
        }
        mem_free(path);
        return rc;
    }
    mem_free(path);
    if (w->fd >= 0)
        w->io->close(w->fd);
    w->fd = fd;
    w->seg_start = start;
    return 0;
}

/* Cut the segment back to `durable` (an LSN) and make that stick. */
static int cut_back(st_wal *w, uint64_t durable)
{
    int rc = w->io->ftruncate(w->fd, (off_t)(ST_WAL_SEG_HEADER + durable - w->seg_start));
    if (rc == 0)
        rc = w->io->fdatasync(w->fd);
    w->broken = rc != 0;
    return rc;
}

/* One round flush took ns nanoseconds: for st_stats' fsync latency. Only
 * the writer thread stores the maximum, so load-then-store is enough. */
static void count_flush(st_wal *w, uint64_t ns)
{
    atomic_fetch_add(&w->n_flushes, 1);
    atomic_fetch_add(&w->flush_ns, ns);
    if (ns > atomic_load(&w->flush_max_ns))
        atomic_store(&w->flush_max_ns, ns);
}

/* Write one round's bytes, which start at LSN `start`, and flush them. */
static int write_round(st_wal *w, const uint8_t *data, size_t len, uint64_t start)
{
    int rc;
    if (w->fd >= 0 && w->broken && (rc = cut_back(w, start)) != 0)
        return rc;
    if (w->fd < 0 || ST_WAL_SEG_HEADER + start - w->seg_start >= w->db->opt.wal_segment_size) {
        if ((rc = new_segment(w, start)) != 0)
            return rc;
    }
    rc = st_io_write_all(w->io, w->fd, data, len,
                         (off_t)(ST_WAL_SEG_HEADER + start - w->seg_start));
    if (rc == 0 && w->db->opt.fsync) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = w->io->fdatasync(w->fd);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        count_flush(w, (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec)));
    }
    if (rc != 0) {
        log_error("WAL write at LSN %" PRIu64 " failed: %s", start, strerror(-rc));
        (void)cut_back(w, start);
        return rc;
    }
    atomic_fetch_add(&w->n_bytes, len);
    return 0;
}

/* ---- the writer thread --------------------------------------------- */

static void wait_for_batch(st_wal *w)
{
    while (!w->stop && w->cur.len == 0)
        pthread_cond_wait(&w->work_cv, &w->lock);
    if (w->stop || w->pend_head || w->flush_want > w->flushed_lsn)
        return;
    /* Only asynchronous commits: let more gather, up to the writer delay. */
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    uint64_t ns = (uint64_t)w->db->opt.wal_writer_delay_ms * 1000000u + (uint64_t)dl.tv_nsec;
    dl.tv_sec += (time_t)(ns / 1000000000u);
    dl.tv_nsec = (long)(ns % 1000000000u);
    while (!w->stop && !w->pend_head && w->flush_want <= w->flushed_lsn)
        if (pthread_cond_timedwait(&w->work_cv, &w->lock, &dl) == ETIMEDOUT)
            break;
}

static void complete(st_txn *list, int rc)
{
    while (list) {
        st_txn *next = list->pend_next;
        list->pend_next = NULL;
        if (rc == 0)
            st__txn_commit_durable(list);
        else
            st__txn_commit_failed(list, rc);
        list = next;
    }
}

/* Detach pending commits ending at or before lsn (all when lsn is max). */
static st_txn *detach(st_wal *w, uint64_t lsn)
{
    st_txn *head = w->pend_head, *last = NULL;
    for (st_txn *t = head; t && t->commit_lsn <= lsn; t = t->pend_next)
        last = t;
    if (!last)
        return NULL;
    w->pend_head = last->pend_next;
    if (!w->pend_head)
        w->pend_tail = NULL;
    last->pend_next = NULL;
    return head;
}

static void *writer_main(void *arg)
{
    st_wal *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        wait_for_batch(w);
        if (w->cur.len == 0 && w->stop)
            break;
        buf tmp = w->cur;
        w->cur = w->spare;
        w->spare = tmp;
        uint64_t start = w->flushed_lsn, end = w->insert_lsn;
        pthread_mutex_unlock(&w->lock);
        int rc = write_round(w, w->spare.data, w->spare.len, start);
        pthread_mutex_lock(&w->lock);
        w->spare.len = 0;
        st_txn *done;
        if (rc == 0) {
            w->flushed_lsn = end;
            done = detach(w, end);
        } else {
            done = detach(w, UINT64_MAX);
            if (w->async_end > w->flushed_lsn) {
                w->need_ckpt_err = rc;
                log_error("asynchronously committed transactions were not written; "
                          "commits are refused until a checkpoint succeeds");
            }
            w->insert_lsn = w->flushed_lsn;
            w->cur.len = 0;
            w->last_err = rc;
            w->fail_gen++;
        }
        pthread_cond_broadcast(&w->done_cv);
        pthread_mutex_unlock(&w->lock);
        complete(done, rc);
        if (rc == 0) {
            pthread_mutex_lock(&w->lock);
            w->completed_lsn = end;
            pthread_cond_broadcast(&w->done_cv);
            pthread_mutex_unlock(&w->lock);
        }
        if (rc != 0 && w->need_ckpt_err)
            st_checkpoint_request(w->db);
        if (w->db->opt.max_wal_size &&
            end - atomic_load(&w->db->redo_lsn) > w->db->opt.max_wal_size)
            st_checkpoint_request(w->db);
        pthread_mutex_lock(&w->lock);
    }
    w->running = false;
    pthread_cond_broadcast(&w->done_cv);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- start / stop --------------------------------------------------- */

/* After recovery: drop everything past end_lsn so it can never be replayed. */
static int trim_tail(st_wal *w, uint64_t end)
{
    uint64_t *segs;
    size_t n;
    int rc = st__wal_list(w->db->dir, &segs, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = st__wal_seg_path(w->db->dir, segs[i]);
        if (!path) {
            rc = -ENOMEM;
            break;
        }
        if (segs[i] >= end) {
            rc = w->io->unlink(path);
        } else {
            struct stat sb;
            off_t want = (off_t)(ST_WAL_SEG_HEADER + end - segs[i]);
            if (stat(path, &sb) == 0 && sb.st_size > want) {
                int fd = w->io->open(path, O_WRONLY, 0);
                rc = fd < 0 ? fd : w->io->ftruncate(fd, want);
                if (rc == 0 && w->db->opt.fsync)
                    rc = w->io->fdatasync(fd);
                if (fd >= 0)
                    w->io->close(fd);
            }
        }
        mem_free(path);
    }
    mem_free(segs);
    if (rc == 0 && w->db->opt.fsync)
        rc = st_io_fsync_dir(w->io, w->waldir);
    return rc;
}

int st__wal_start(st_db *db, uint64_t end_lsn, pgw_error *err)
{
    st_wal *w = mem_calloc(1, sizeof(*w));
    if (!w || !(w->waldir = st__path(db->dir, "wal"))) {
        mem_free(w);
        pgw_error_oom(err);
        return -1;
    }
    w->db = db;
    w->io = db->io;
    w->fd = -1;
    w->insert_lsn = w->flushed_lsn = w->completed_lsn = end_lsn;
    buf_init(&w->cur);
    buf_init(&w->spare);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->work_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&w->done_cv, NULL);
    db->wal = w;
    int rc = trim_tail(w, end_lsn);
    if (rc == 0)
        rc = -pthread_create(&w->thr, NULL, writer_main, w);
    if (rc != 0) {
        st__error_from_errno(err, rc, "write-ahead log");
        st__wal_stop(db, false);
        return -1;
    }
    w->running = true;
    return 0;
}

void st__wal_stop(st_db *db, bool flush)
{
    st_wal *w = db->wal;
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    bool was_running = w->running;
    if (!flush)
        w->cur.len = 0;
    w->stop = true;
    pthread_cond_broadcast(&w->work_cv);
    pthread_mutex_unlock(&w->lock);
    if (was_running)
        pthread_join(w->thr, NULL);
    if (w->fd >= 0)
        w->io->close(w->fd);
    buf_free(&w->cur);
    buf_free(&w->spare);
    pthread_cond_destroy(&w->work_cv);
    pthread_cond_destroy(&w->done_cv);
    pthread_mutex_destroy(&w->lock);
    mem_free(w->waldir);
    mem_free(w);
    db->wal = NULL;
}

/* ---- the session side ---------------------------------------------- */

int st__wal_append(st_db *db, st_txn *t)
{
    st_wal *w = db->wal;
    pthread_mutex_lock(&w->lock);
    if (w->need_ckpt_err) {
        int rc = w->need_ckpt_err;
        pthread_mutex_unlock(&w->lock);
        st_checkpoint_request(db);
        return rc;
    }
    uint8_t *p = t->wal.data;
    size_t len = t->wal.len;
    uint64_t nrec = 0;
    for (size_t off = 0; off < len; nrec++) {
        uint32_t rl = st_get_le32(p + off);
        if (p[off + 4] == ST_WAL_COMMIT && rl >= ST_WAL_REC_HEADER + ST_WAL_COMMIT_LEN)
            st_put_le64(p + off + ST_WAL_REC_HEADER + 12, w->flushed_lsn);
        st_put_le64(p + off + 8, w->insert_lsn + off);
        st_put_le64(p + off + 24, st_wal_checksum(p + off, rl));
        off += rl;
    }
    buf_append(&w->cur, p, len);
    if (w->cur.failed) {
        w->cur.failed = false; /* a failed append adds nothing */
        pthread_mutex_unlock(&w->lock);
        return -ENOMEM;
    }
    w->insert_lsn += len;
    atomic_fetch_add(&w->n_records, nrec);
    t->commit_lsn = w->insert_lsn;
    if (t->sync) {
        t->pend_next = NULL;
        if (w->pend_tail)
            w->pend_tail->pend_next = t;
        else
            w->pend_head = t;
        w->pend_tail = t;
    } else {
        /* Visible before the lock is dropped: a checkpoint that reads the
         * insert LSN after this must find the commit in its snapshot. */
        w->async_end = w->insert_lsn;
        st__txn_stamp(t);
    }
    pthread_cond_signal(&w->work_cv);
    pthread_mutex_unlock(&w->lock);
    return 0;
}

int st__wal_flush(st_db *db, uint64_t *end_lsn)
{
    st_wal *w = db->wal;
    pthread_mutex_lock(&w->lock);
    uint64_t target = w->insert_lsn, gen = w->fail_gen;
    if (target > w->flush_want)
        w->flush_want = target;
    pthread_cond_signal(&w->work_cv);
    /* Wait until the commits are visible too, so that a snapshot taken
     * after this holds every transaction that committed before target. */
    while (w->completed_lsn < target && w->fail_gen == gen && w->running)
        pthread_cond_wait(&w->done_cv, &w->lock);
    int rc = w->completed_lsn >= target ? 0 : (w->last_err ? w->last_err : -EIO);
    if (end_lsn)
        *end_lsn = target;
    pthread_mutex_unlock(&w->lock);
    return rc;
}

uint64_t st__wal_insert_lsn(st_db *db)
{
    pthread_mutex_lock(&db->wal->lock);
    uint64_t l = db->wal->insert_lsn;
    pthread_mutex_unlock(&db->wal->lock);
    return l;
}

void st__wal_checkpoint_done(st_db *db)
{
    pthread_mutex_lock(&db->wal->lock);
    db->wal->need_ckpt_err = 0;
    db->wal->async_end = 0;
    pthread_mutex_unlock(&db->wal->lock);
}

void st__wal_stats(st_db *db, st_stats *s)
{
    st_wal *w = db->wal;
    pthread_mutex_lock(&w->lock);
    s->insert_lsn = w->insert_lsn;
    s->flushed_lsn = w->flushed_lsn;
    pthread_mutex_unlock(&w->lock);
    s->wal_flushes = atomic_load(&w->n_flushes);
    s->wal_bytes = atomic_load(&w->n_bytes);
    s->wal_records = atomic_load(&w->n_records);
    s->wal_flush_ns = atomic_load(&w->flush_ns);
    s->wal_flush_max_ns = atomic_load(&w->flush_max_ns);
}

void st__wal_remove_before(st_db *db, uint64_t lsn)
{
    uint64_t *segs;
    size_t n;
    if (st__wal_list(db->dir, &segs, &n) != 0)
        return;
    bool removed = false;
    for (size_t i = 0; i + 1 < n && segs[i + 1] <= lsn; i++) {
        char *path = st__wal_seg_path(db->dir, segs[i]);
        if (path && db->io->unlink(path) == 0)
            removed = true;
        mem_free(path);
    }
    mem_free(segs);
    if (removed && db->opt.fsync && st_io_fsync_dir(db->io, db->wal->waldir) != 0)
        log_warn("could not fsync the WAL directory after removing segments");
}

/* Copy the first `len` bytes of src to a new file dst, fsynced. */
static int copy_prefix(const st_io *io, const char *src, const char *dst, uint64_t len)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -errno;
    int out = io->open(dst, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (out < 0) {
        close(in);
        return out;
    }
    static const size_t chunk = 1u << 20;
    uint8_t *b = mem_alloc(chunk);
    int rc = b ? 0 : -ENOMEM;
    for (uint64_t off = 0; rc == 0 && off < len;) {
        size_t want = len - off < chunk ? (size_t)(len - off) : chunk;
        ssize_t r = pread(in, b, want, (off_t)off);
        if (r <= 0) {
            rc = r < 0 ? -errno : -EIO;
            break;
        }
        rc = st_io_write_all(io, out, b, (size_t)r, (off_t)off);
        off += (uint64_t)r;
    }
    if (rc == 0)
        rc = io->fsync(out);
    mem_free(b);
    close(in);
    io->close(out);
    return rc;
}

int st__wal_copy(st_db *db, uint64_t from, uint64_t to, const char *dest_dir, pgw_error *err)
{
    uint64_t *segs;
    size_t n;
    int rc = st__wal_list(db->dir, &segs, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t end = i + 1 < n ? segs[i + 1] : UINT64_MAX;
        if (end <= from || segs[i] >= to)
            continue;
        uint64_t stop = end < to ? end : to;
        char *src = st__wal_seg_path(db->dir, segs[i]);
        char *dst = st__wal_seg_path(dest_dir, segs[i]);
        rc = src && dst ? copy_prefix(db->io, src, dst, ST_WAL_SEG_HEADER + stop - segs[i])
                        : -ENOMEM;
        mem_free(src);
        mem_free(dst);
    }
    mem_free(segs);
    if (rc != 0)
        st__error_from_errno(err, rc, "backup WAL");
    return rc;
}
