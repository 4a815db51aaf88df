/*
 * checkpoint: consistent images of every table plus the engine's blobs,
 * written to a new file, fsynced, renamed into place and the directory
 * fsynced; then the WAL before the previous checkpoint's redo LSN is removed.
 * Two checkpoints are kept, so a corrupt newest one falls back to the older
 * one plus the WAL after it. No freeze: the image is a csn snapshot taken
 * after the WAL is durable up to the redo LSN R, so it holds every
 * transaction that committed before R (and maybe some after, whose redo is
 * idempotent). The checkpointer thread runs them by time and by WAL size.
 * Large engine structures (index images) go to files of their own beside the
 * main file (st_ckpt_file_*), written and fsynced before it and named in it
 * with their size and checksum: the main file's rename switches to them too,
 * and a damaged one costs only its own contents (the engine rebuilds them).
 *
 * File DIR/checkpoint/<16 hex digits of the sequence>.ckpt (little-endian):
 *   header (64 bytes):
 *      0  8  magic "HCDBCKPT"
 *      8  4  format version          12  4  zero
 *     16  8  sequence number         24  8  redo LSN
 *     32  8  snapshot csn            40  8  creation time (µs since the epoch)
 *     48  8  zero                    56  8  XXH3_64bits of bytes 0..55
 *   entries, each a 24-byte head then a body:
 *      0  4  type   4  4  a   8  4  b   12  4  zero   16  8  body length
 *     type 1 BLOB:  a = engine kind, b = engine id, body = the bytes
 *     type 2 TABLE: a = relid, body = next row id (u64); then its rows, each
 *                   rowid u64 | length u32 | bytes, ended by rowid 2^64-1
 *     type 3 END:   body empty
 *     type 4 FILE:  a = engine id, body = size u64 | XXH3_64bits u64 of the
 *                   engine file DIR/checkpoint/<16 hex seq>-<8 hex id>.dat
 *   trailer (16 bytes): length of everything before it u64 | XXH3_64bits of it
 */
#define XXH_STATIC_LINKING_ONLY
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "storage/st_internal.h"
#include "storage/wal_format.h"
#include "util/log.h"
#include "util/mem.h"

#define CK_MAGIC "HCDBCKPT"
#define CK_HEADER 64u
#define CK_ENTRY 24u
#define CK_BLOB 1u
#define CK_TABLE 2u
#define CK_END 3u
#define CK_FILE 4u
#define CK_ROWS_END UINT64_MAX
/* Written in 1 MiB pieces: large enough for sequential bandwidth. */
#define CK_BUF (1u << 20)

/* One file being written: bytes go through a 1 MiB buffer and an XXH3 state. */
typedef struct ck_sink {
    const st_io *io;
    int fd;
    uint64_t off;
    uint8_t *buf;
    size_t len;
    XXH3_state_t xx;
    int err;
} ck_sink;

struct st_ckpt_writer {
    ck_sink main;       /* the checkpoint file; its err is the checkpoint's */
    ck_sink file;       /* an engine file (st_ckpt_file_begin), fd -1 when none is open */
    const char *dir;    /* the data directory written into (db's own or a backup's) */
    uint64_t seq;
    uint32_t file_id;
    bool fsync;
};

static void w_flush(ck_sink *w)
{
    if (w->err || w->len == 0)
        return;
    XXH3_64bits_update(&w->xx, w->buf, w->len);
    w->err = st_io_write_all(w->io, w->fd, w->buf, w->len, (off_t)w->off);
    w->off += w->len;
    w->len = 0;
}

static void w_put(ck_sink *w, const void *p, size_t n)
{
    const uint8_t *c = p;
    while (n > 0 && !w->err) {
        size_t k = CK_BUF - w->len < n ? CK_BUF - w->len : n;
        memcpy(w->buf + w->len, c, k);
        w->len += k;
        c += k;
        n -= k;
        if (w->len == CK_BUF)
            w_flush(w);
    }
}

static void w_entry(ck_sink *w, uint32_t type, uint32_t a, uint32_t b, uint64_t len)
{
    uint8_t h[CK_ENTRY] = {0};
    st_put_le32(h, type);
    st_put_le32(h + 4, a);
    st_put_le32(h + 8, b);
    st_put_le64(h + 16, len);
    w_put(w, h, sizeof(h));
}

int st_ckpt_put(st_ckpt_writer *w, uint32_t kind, uint32_t id, const void *data, size_t len)
{
    if (w->file.fd >= 0)
        return -1; /* a file is open: its bytes and this blob would interleave */
    w_entry(&w->main, CK_BLOB, kind, id, len);
    w_put(&w->main, data, len);
    return w->main.err ? -1 : 0;
}

/* DIR/checkpoint/<seq>-<id>.dat: an engine file of checkpoint seq. */
static char *file_path(const char *dir, uint64_t seq, uint32_t id)
{
    size_t n = strlen(dir) + 48;
    char *p = mem_alloc(n);
    if (p)
        snprintf(p, n, "%s/checkpoint/%016" PRIx64 "-%08" PRIx32 ".dat", dir, seq, id);
    return p;
}

int st_ckpt_file_begin(st_ckpt_writer *w, uint32_t id)
{
    if (w->main.err || w->file.fd >= 0)
        return -1;
    char *path = file_path(w->dir, w->seq, id);
    if (!path) {
        w->main.err = -ENOMEM;
        return -1;
    }
    /* O_TRUNC: a file left by an earlier, abandoned try at this sequence is replaced */
    int fd = w->main.io->open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    mem_free(path);
    if (fd < 0) {
        w->main.err = fd;
        return -1;
    }
    w->file.fd = fd;
    w->file.off = 0;
    w->file.len = 0;
    w->file.err = 0;
    w->file_id = id;
    XXH3_64bits_reset(&w->file.xx);
    return 0;
}

int st_ckpt_file_write(st_ckpt_writer *w, const void *data, size_t len)
{
    if (w->file.fd < 0)
        return -1;
    w_put(&w->file, data, len);
    if (w->file.err && !w->main.err)
        w->main.err = w->file.err; /* the checkpoint fails with this I/O error */
    return w->file.err ? -1 : 0;
}

int st_ckpt_file_end(st_ckpt_writer *w)
{
    if (w->file.fd < 0)
        return -1;
    w_flush(&w->file);
    int rc = w->file.err;
    /* durable before the checkpoint that names it is renamed into place */
    if (rc == 0 && w->fsync)
        rc = w->file.io->fsync(w->file.fd);
    w->file.io->close(w->file.fd);
    w->file.fd = -1;
    if (rc != 0) {
        if (!w->main.err)
            w->main.err = rc;
        return -1;
    }
    uint8_t body[16];
    st_put_le64(body, w->file.off);
    st_put_le64(body + 8, XXH3_64bits_digest(&w->file.xx));
    w_entry(&w->main, CK_FILE, w->file_id, 0, sizeof(body));
    w_put(&w->main, body, sizeof(body));
    return w->main.err ? -1 : 0;
}

static void write_table(ck_sink *w, st_table *tb, uint64_t csn)
{
    pthread_rwlock_rdlock(&tb->lock);
    uint8_t nr[8];
    st_put_le64(nr, tb->next_rowid);
    w_entry(w, CK_TABLE, tb->relid, 0, 8);
    w_put(w, nr, 8);
    for (uint64_t r = 0; r < tb->next_rowid && !w->err; r++) {
        st_ver **s = st__slot(tb, r);
        const st_ver *v = s ? *s : NULL;
        while (v && !st__ver_visible_at(v, csn))
            v = v->older;
        if (!v)
            continue;
        uint8_t h[12];
        st_put_le64(h, r);
        st_put_le32(h + 8, v->len);
        w_put(w, h, sizeof(h));
        w_put(w, v->data, v->len);
    }
    pthread_rwlock_unlock(&tb->lock);
    st_put_le64(nr, CK_ROWS_END);
    w_put(w, nr, 8);
}

static bool table_in_image(st_table *tb, uint64_t csn)
{
    uint64_t c = atomic_load(&tb->created_csn), d = atomic_load(&tb->dropped_csn);
    return !atomic_load(&tb->dead) && c != 0 && c <= csn && (d == 0 || d > csn);
}

static uint64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static void write_body(st_db *db, st_ckpt_writer *cw, uint64_t redo, uint64_t csn, pgw_error *err)
{
    ck_sink *w = &cw->main;
    uint8_t h[CK_HEADER] = {0};
    memcpy(h, CK_MAGIC, 8);
    st_put_le32(h + 8, ST_FORMAT_VERSION);
    st_put_le64(h + 16, cw->seq);
    st_put_le64(h + 24, redo);
    st_put_le64(h + 32, csn);
    st_put_le64(h + 40, now_us());
    st_put_le64(h + 56, XXH3_64bits(h, 56));
    w_put(w, h, sizeof(h));
    int rc = db->opt.checkpoint ? db->opt.checkpoint(db->opt.checkpoint_ctx, cw, err) : 0;
    if (cw->file.fd >= 0) { /* the engine left a file open: abandon it */
        db->io->close(cw->file.fd);
        cw->file.fd = -1;
        rc = -1;
    }
    if (rc != 0) {
        if (!w->err)
            w->err = -ECANCELED;
        return;
    }
    pthread_rwlock_rdlock(&db->tables_lock);
    for (size_t i = 0; i < db->ntables && !w->err; i++)
        if (table_in_image(db->tables[i], csn))
            write_table(w, db->tables[i], csn);
    pthread_rwlock_unlock(&db->tables_lock);
    w_entry(w, CK_END, 0, 0, 0);
    w_flush(w);
    uint8_t t[16];
    st_put_le64(t, w->off);
    st_put_le64(t + 8, XXH3_64bits_digest(&w->xx));
    if (!w->err)
        w->err = st_io_write_all(w->io, w->fd, t, sizeof(t), (off_t)w->off);
}

static char *ckpt_path(const char *dir, uint64_t seq, const char *suffix)
{
    size_t n = strlen(dir) + 48;
    char *p = mem_alloc(n);
    if (p)
        snprintf(p, n, "%s/checkpoint/%016" PRIx64 "%s", dir, seq, suffix);
    return p;
}

/* Write checkpoint `seq` of db's current state into dir (db's own or a
 * backup's). *redo_out = its redo LSN. Caller holds ckpt_lock. The engine's
 * files are written and fsynced first; renaming the main file (then the
 * directory fsync) switches to all of them at once. */
int st__ckpt_write(st_db *db, const char *dir, uint64_t seq, uint64_t *redo_out, pgw_error *err)
{
    uint64_t redo;
    int rc = st__wal_flush(db, &redo);
    if (rc != 0) {
        st__error_from_errno(err, rc, "write-ahead log");
        return -1;
    }
    char *tmp = ckpt_path(dir, seq, ".tmp"), *fin = ckpt_path(dir, seq, ".ckpt");
    char *cdir = st__path(dir, "checkpoint");
    st_ckpt_writer w = {.main = {.io = db->io, .fd = -1, .buf = mem_alloc(CK_BUF)},
                        .file = {.io = db->io, .fd = -1, .buf = mem_alloc(CK_BUF)},
                        .dir = dir,
                        .seq = seq,
                        .fsync = db->opt.fsync};
    if (!tmp || !fin || !cdir || !w.main.buf || !w.file.buf) {
        rc = -ENOMEM;
        goto out;
    }
    XXH3_64bits_reset(&w.main.xx);
    w.main.fd = db->io->open(tmp, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (w.main.fd < 0) {
        rc = w.main.fd;
        goto out;
    }
    uint64_t csn = st__pin_snapshot(db);
    pgw_error_clear(err);
    write_body(db, &w, redo, csn, err);
    st__unpin_snapshot(db);
    rc = w.main.err;
    if (rc != 0 && rc != -ECANCELED)
        pgw_error_clear(err); /* an I/O error (53100 disk full, 58030), not the engine's words */
    if (rc == 0 && db->opt.fsync)
        rc = db->io->fsync(w.main.fd);
    db->io->close(w.main.fd);
    if (rc == 0)
        rc = db->io->rename(tmp, fin);
    if (rc == 0 && db->opt.fsync)
        rc = st_io_fsync_dir(db->io, cdir);
    if (rc != 0)
        (void)db->io->unlink(tmp);
out:
    if (rc != 0 && !pgw_error_is_set(err))
        st__error_from_errno(err, rc, "checkpoint file");
    if (rc == 0 && redo_out)
        *redo_out = redo;
    mem_free(w.main.buf);
    mem_free(w.file.buf);
    mem_free(tmp);
    mem_free(fin);
    mem_free(cdir);
    return rc == 0 ? 0 : -1;
}

/* ---- loading ------------------------------------------------------- */

typedef struct ck_file {
    uint8_t *map;
    size_t size;
} ck_file;

/* 0 ok, 1 corrupt (logged), -1 refuse (err filled). */
static int ck_open(const char *path, ck_file *f, pgw_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    f->map = NULL;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size < (off_t)(CK_HEADER + CK_ENTRY + 16)) {
        if (fd >= 0)
            close(fd);
        log_warn("checkpoint %s is unreadable or too short", path);
        return 1;
    }
    f->size = (size_t)sb.st_size;
    f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        return 1;
    }
    const uint8_t *m = f->map;
    if (memcmp(m, CK_MAGIC, 8) == 0 && st_get_le64(m + 56) == XXH3_64bits(m, 56) &&
        st_get_le32(m + 8) > ST_FORMAT_VERSION) {
        pgw_error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "checkpoint %s has format version %u, newer than this server's %u", path,
                      st_get_le32(m + 8), ST_FORMAT_VERSION);
        return -1;
    }
    uint64_t body = st_get_le64(m + f->size - 16);
    if (memcmp(m, CK_MAGIC, 8) != 0 || st_get_le64(m + 56) != XXH3_64bits(m, 56) ||
        body != f->size - 16 || st_get_le64(m + f->size - 8) != XXH3_64bits(m, body)) {
        log_warn("checkpoint %s is corrupt (checksum mismatch); trying an older one", path);
        munmap(f->map, f->size);
        f->map = NULL;
        return 1;
    }
    return 0;
}

static int load_table(st_db *db, const uint8_t *m, size_t end, size_t *off, uint32_t relid)
{
    st_table *tb = st__table_new(db, relid);
    if (!tb || st__table_register(db, tb) != 0) {
        st__table_free(tb);
        return -ENOMEM;
    }
    atomic_store(&tb->created_csn, 1);
    uint64_t next = st_get_le64(m + *off);
    *off += 8;
    for (;;) {
        if (*off + 8 > end)
            return -EINVAL;
        uint64_t rowid = st_get_le64(m + *off);
        *off += 8;
        if (rowid == CK_ROWS_END)
            break;
        if (*off + 4 > end)
            return -EINVAL;
        uint32_t len = st_get_le32(m + *off);
        *off += 4;
        if (len > end - *off)
            return -EINVAL;
        if (st__table_put_frozen(tb, rowid, m + *off, len) != 0)
            return -ENOMEM;
        *off += len;
    }
    if (next > tb->next_rowid)
        tb->next_rowid = next;
    return 0;
}

/* Hand one engine file to the engine if its size and checksum are what the
 * checkpoint recorded; a damaged or missing one is logged and skipped (the
 * engine rebuilds what it held). -1 only when the engine's callback fails. */
static int load_file(st_db *db, uint64_t seq, uint32_t id, const uint8_t *body,
                     const st_recovery_ops *ops, pgw_error *err)
{
    if (!ops || !ops->file)
        return 0;
    char *path = file_path(db->dir, seq, id);
    if (!path)
        return pgw_error_oom(err), -1;
    uint64_t size = st_get_le64(body), sum = st_get_le64(body + 8);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    void *map = MAP_FAILED;
    if (fd >= 0 && fstat(fd, &sb) == 0 && (uint64_t)sb.st_size == size)
        map = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    if (fd >= 0)
        close(fd);
    int rc = 0;
    if (map == MAP_FAILED || XXH3_64bits(map, size) != sum) {
        log_warn("checkpoint file %s is damaged or missing (size or checksum mismatch); "
                 "its contents are rebuilt", path);
    } else {
        if (size)
            (void)madvise(map, size, MADV_SEQUENTIAL);
        rc = ops->file(ops->ctx, id, map, size, err) != 0 ? -1 : 0;
    }
    if (map != MAP_FAILED && map)
        munmap(map, size);
    mem_free(path);
    return rc;
}

static int ck_apply(st_db *db, const ck_file *f, const st_recovery_ops *ops, pgw_error *err)
{
    const uint8_t *m = f->map;
    size_t end = f->size - 16, off = CK_HEADER;
    while (off + CK_ENTRY <= end) {
        uint32_t type = st_get_le32(m + off), a = st_get_le32(m + off + 4);
        uint32_t b = st_get_le32(m + off + 8);
        uint64_t len = st_get_le64(m + off + 16);
        off += CK_ENTRY;
        if (type == CK_END)
            return 0;
        if (len > end - off)
            break;
        if (type == CK_BLOB) {
            if (ops && ops->blob && ops->blob(ops->ctx, a, b, m + off, len, err) != 0)
                return -1;
            off += len;
        } else if (type == CK_FILE && len == 16) {
            if (load_file(db, st_get_le64(m + 16), a, m + off, ops, err) != 0)
                return -1;
            off += len;
        } else if (type == CK_TABLE && len == 8) {
            int rc = load_table(db, m, end, &off, a);
            if (rc == -ENOMEM) {
                pgw_error_oom(err);
                return -1;
            }
            if (rc != 0)
                break;
            if (ops && ops->table)
                ops->table(ops->ctx, a, true);
        } else {
            break;
        }
    }
    pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED, "checkpoint is malformed at offset %zu", off);
    return -1;
}

static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Sequence numbers of the checkpoint files, newest first. */
static int list_ckpts(const char *dir, uint64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *cd = st__path(dir, "checkpoint");
    DIR *d = cd ? opendir(cd) : NULL;
    mem_free(cd);
    if (!d)
        return 0;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *endp;
        if (strlen(e->d_name) != 21 || strcmp(e->d_name + 16, ".ckpt") != 0)
            continue;
        uint64_t s = strtoull(e->d_name, &endp, 16);
        if (endp != e->d_name + 16)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            uint64_t *nl = mem_realloc(*out, cap * sizeof(uint64_t));
            if (!nl)
                break;
            *out = nl;
        }
        (*out)[(*n)++] = s;
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof(uint64_t), cmp_desc);
    return 0;
}

/* Load the newest valid checkpoint; *redo_lsn = where replay starts
 * (0 with no checkpoint). */
int st__ckpt_load(st_db *db, const st_recovery_ops *ops, uint64_t *redo_lsn, pgw_error *err)
{
    uint64_t *seqs;
    size_t n;
    *redo_lsn = 0;
    list_ckpts(db->dir, &seqs, &n);
    if (n > 0)
        db->ckpt_seq = seqs[0];
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = ckpt_path(db->dir, seqs[i], ".ckpt");
        ck_file f;
        rc = path ? ck_open(path, &f, err) : -1;
        if (rc == 1) { /* keep it for inspection, out of the way */
            char moved[4096];
            snprintf(moved, sizeof(moved), "%s.corrupt", path);
            (void)rename(path, moved);
            mem_free(path);
            rc = 0;
            continue;
        }
        if (rc == 0) {
            /* The next checkpoint follows this one, so that it keeps this
             * one (not a corrupt newer one) as its fallback. */
            db->ckpt_seq = seqs[i];
            *redo_lsn = st_get_le64(f.map + 24);
            atomic_store(&db->last_ckpt_us, st_get_le64(f.map + 40));
            rc = ck_apply(db, &f, ops, err);
            munmap(f.map, f.size);
            if (rc == 0)
                log_info("loaded checkpoint %s (redo LSN %" PRIu64 ")", path, *redo_lsn);
        }
        mem_free(path);
        mem_free(seqs);
        return rc;
    }
    mem_free(seqs);
    if (n > 0)
        log_warn("no valid checkpoint; replaying the WAL from its start");
    return 0;
}

/* Remove checkpoints older than `keep` (a sequence number) and their files. */
static void remove_old(st_db *db, uint64_t keep)
{
    char *cd = st__path(db->dir, "checkpoint");
    DIR *d = cd ? opendir(cd) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *endp;
        uint64_t s = strtoull(e->d_name, &endp, 16);
        bool ours = endp == e->d_name + 16 && (strcmp(endp, ".ckpt") == 0 ||
                                               (strlen(endp) == 13 && endp[0] == '-' && strcmp(endp + 9, ".dat") == 0));
        if (!ours || s >= keep)
            continue;
        char *p = st__path(cd, e->d_name);
        if (p)
            (void)db->io->unlink(p);
        mem_free(p);
    }
    if (d)
        closedir(d);
    mem_free(cd);
}

/* ---- st_checkpoint and the checkpointer thread -------------------- */

int st_checkpoint(st_db *db, pgw_error *err)
{
    pthread_mutex_lock(&db->ckpt_lock);
    uint64_t prev_redo = atomic_load(&db->redo_lsn), redo;
    uint64_t seq = db->ckpt_seq + 1;
    int rc = st__ckpt_write(db, db->dir, seq, &redo, err);
    if (rc == 0) {
        db->ckpt_seq = seq;
        atomic_store(&db->redo_lsn, redo);
        atomic_fetch_add(&db->n_checkpoints, 1);
        atomic_store(&db->last_ckpt_us, now_us());
        st__wal_checkpoint_done(db);
        /* Keep this and the previous checkpoint, and the WAL from the
         * previous one's redo LSN, in case this one is found corrupt. */
        remove_old(db, seq - 1);
        st__wal_remove_before(db, seq > 1 ? prev_redo : 0);
        uint64_t horizon = atomic_load(&db->horizon);
        pthread_rwlock_rdlock(&db->tables_lock);
        for (size_t i = 0; i < db->ntables; i++)
            st__table_vacuum(db->tables[i], horizon);
        pthread_rwlock_unlock(&db->tables_lock);
    } else {
        log_error("checkpoint failed: %s", err->message);
    }
    pthread_mutex_unlock(&db->ckpt_lock);
    return rc;
}

void st_checkpoint_request(st_db *db)
{
    pthread_mutex_lock(&db->bg_lock);
    db->bg_request = true;
    pthread_cond_signal(&db->bg_cv);
    pthread_mutex_unlock(&db->bg_lock);
}

static void *bg_main(void *arg)
{
    st_db *db = arg;
    pthread_mutex_lock(&db->bg_lock);
    while (!db->bg_stop) {
        if (!db->bg_request) {
            uint32_t ms = db->opt.checkpoint_timeout_ms ? db->opt.checkpoint_timeout_ms : 3600000u;
            struct timespec dl;
            clock_gettime(CLOCK_MONOTONIC, &dl);
            dl.tv_sec += ms / 1000;
            dl.tv_nsec += (long)(ms % 1000) * 1000000L;
            if (dl.tv_nsec >= 1000000000L) {
                dl.tv_sec++;
                dl.tv_nsec -= 1000000000L;
            }
            int w = pthread_cond_timedwait(&db->bg_cv, &db->bg_lock, &dl);
            if (db->bg_stop)
                break;
            if (w == ETIMEDOUT && !db->opt.checkpoint_timeout_ms)
                continue;
        }
        db->bg_request = false;
        pthread_mutex_unlock(&db->bg_lock);
        pgw_error e;
        pgw_error_clear(&e);
        if (st_checkpoint(db, &e) != 0)
            log_warn("background checkpoint failed; will retry");
        pthread_mutex_lock(&db->bg_lock);
    }
    pthread_mutex_unlock(&db->bg_lock);
    return NULL;
}

void st__bg_start(st_db *db)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&db->bg_cv, &ca);
    pthread_condattr_destroy(&ca);
    db->bg_started = pthread_create(&db->bg_thread, NULL, bg_main, db) == 0;
}

void st__bg_stop(st_db *db)
{
    if (!db->bg_started)
        return;
    pthread_mutex_lock(&db->bg_lock);
    db->bg_stop = true;
    pthread_cond_signal(&db->bg_cv);
    pthread_mutex_unlock(&db->bg_lock);
    pthread_join(db->bg_thread, NULL);
    db->bg_started = false;
}
