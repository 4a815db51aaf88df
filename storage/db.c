/*
 * db: opening (recovery), closing, online backup and statistics.
 *
 * Data directory layout (docs/STORAGE.md):
 *   DIR/HCDB_STORAGE_VERSION   the format version as decimal text
 *   DIR/wal/<lsn>.wal          WAL segments (wal_format.h)
 *   DIR/checkpoint/<seq>.ckpt  checkpoints (checkpoint.c)
 * Recovery: load the newest valid checkpoint, replay the WAL after its redo
 * LSN, cut the WAL back to the last complete transaction, start the writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/st_internal.h"
#include "storage/wal_format.h"
#include "util/log.h"
#include "util/mem.h"

#define VERSION_FILE "HCDB_STORAGE_VERSION"

void st_options_init(st_options *o)
{
    memset(o, 0, sizeof(*o));
    o->fsync = true;
    o->synchronous_commit = true;
    o->wal_segment_size = ST_DEFAULT_SEGMENT_SIZE;   /* PostgreSQL's 16 MiB */
    o->max_wal_size = ST_DEFAULT_MAX_WAL_SIZE;       /* bounds replay to seconds */
    o->checkpoint_timeout_ms = ST_DEFAULT_CHECKPOINT_TIMEOUT_MS; /* PostgreSQL's 5 min */
    o->wal_writer_delay_ms = ST_DEFAULT_WAL_WRITER_DELAY_MS;     /* PostgreSQL's 200 ms */
}

char *st__path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = mem_alloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int st__mkdir_p(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    return -errno;
}

int st__write_version_file(const st_io *io, const char *dir)
{
    char *tmp = st__path(dir, VERSION_FILE ".tmp"), *fin = st__path(dir, VERSION_FILE);
    int rc = tmp && fin ? 0 : -ENOMEM;
    if (rc == 0) {
        char text[16];
        int n = snprintf(text, sizeof(text), "%u\n", ST_FORMAT_VERSION);
        int fd = io->open(tmp, O_CREAT | O_TRUNC | O_WRONLY, 0600);
        rc = fd < 0 ? fd : st_io_write_all(io, fd, text, (size_t)n, 0);
        if (rc == 0)
            rc = io->fsync(fd);
        if (fd >= 0)
            io->close(fd);
        if (rc == 0)
            rc = io->rename(tmp, fin);
        if (rc == 0)
            rc = st_io_fsync_dir(io, dir);
    }
    mem_free(tmp);
    mem_free(fin);
    return rc;
}

/* Check (or, in a new directory, write) the format version. */
static int check_version(st_db *db, pgw_error *err)
{
    char *path = st__path(db->dir, VERSION_FILE);
    if (!path) {
        pgw_error_oom(err);
        return -1;
    }
    FILE *f = fopen(path, "re");
    mem_free(path);
    if (!f) {
        int rc = st__write_version_file(db->io, db->dir);
        if (rc != 0)
            st__error_from_errno(err, rc, "data directory");
        return rc ? -1 : 0;
    }
    unsigned v = 0;
    int ok = fscanf(f, "%u", &v);
    fclose(f);
    if (ok != 1 || v == 0) {
        pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED, "\"%s/%s\" is not a valid version file",
                      db->dir, VERSION_FILE);
        return -1;
    }
    if (v > ST_FORMAT_VERSION) {
        pgw_error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "database files are incompatible with this server");
        pgw_error_detail(err,
                         "The data directory \"%s\" has storage format version %u, but this "
                         "server supports versions up to %u.",
                         db->dir, v, ST_FORMAT_VERSION);
        pgw_error_hint(err, "Use a newer hcdb to open it.");
        return -1;
    }
    if (v < ST_FORMAT_VERSION) { /* older files are read as they are; what is written now is newer */
        int rc = st__write_version_file(db->io, db->dir);
        if (rc != 0)
            st__error_from_errno(err, rc, "data directory");
        return rc ? -1 : 0;
    }
    return 0;
}

static int make_dirs(const char *dir, pgw_error *err)
{
    char *w = st__path(dir, "wal"), *c = st__path(dir, "checkpoint");
    int rc = w && c ? st__mkdir_p(dir) : -ENOMEM;
    if (rc == 0)
        rc = st__mkdir_p(w);
    if (rc == 0)
        rc = st__mkdir_p(c);
    mem_free(w);
    mem_free(c);
    if (rc != 0)
        st__error_from_errno(err, rc, "data directory");
    return rc ? -1 : 0;
}

static void free_db(st_db *db)
{
    while (db->live) { /* only after a simulated crash */
        st_txn *t = db->live;
        db->live = t->live_next;
        buf_free(&t->wal);
        mem_free(t->undo);
        mem_free(t->levels);
        mem_free(t);
    }
    for (size_t i = 0; i < db->ntables; i++)
        st__table_free(db->tables[i]);
    mem_free(db->tables);
    pthread_mutex_destroy(&db->tx_lock);
    pthread_mutex_destroy(&db->commit_lock);
    pthread_mutex_destroy(&db->ckpt_lock);
    pthread_mutex_destroy(&db->bg_lock);
    pthread_rwlock_destroy(&db->tables_lock);
    mem_free(db->dir);
    mem_free(db);
}

int st_open(const char *dir, const st_options *o, const st_recovery_ops *ops, st_db **out,
            pgw_error *err)
{
    *out = NULL;
    st_db *db = mem_calloc(1, sizeof(*db));
    if (!db || !(db->dir = mem_strdup(dir))) {
        mem_free(db);
        pgw_error_oom(err);
        return -1;
    }
    if (o)
        db->opt = *o;
    else
        st_options_init(&db->opt);
    if (db->opt.wal_segment_size < ST_MIN_SEGMENT_SIZE)
        db->opt.wal_segment_size = ST_MIN_SEGMENT_SIZE;
    db->io = db->opt.io ? db->opt.io : st_io_default();
    pthread_mutex_init(&db->tx_lock, NULL);
    pthread_mutex_init(&db->commit_lock, NULL);
    pthread_mutex_init(&db->ckpt_lock, NULL);
    pthread_mutex_init(&db->bg_lock, NULL);
    pthread_rwlock_init(&db->tables_lock, NULL);
    atomic_init(&db->last_csn, 1); /* csn 1: everything recovered */
    atomic_init(&db->horizon, 1);
    uint64_t redo = 0, end = 0;
    if (make_dirs(dir, err) != 0 || check_version(db, err) != 0 ||
        st__ckpt_load(db, ops, &redo, err) != 0 || st__wal_replay(db, redo, ops, &end, err) != 0 ||
        st__wal_start(db, end, err) != 0) {
        free_db(db);
        return -1;
    }
    atomic_store(&db->redo_lsn, redo);
    st__bg_start(db);
    *out = db;
    return 0;
}

void st_close(st_db *db)
{
    if (!db)
        return;
    st__bg_stop(db);
    st__wal_stop(db, true);
    free_db(db);
}

void st__close_crash(st_db *db)
{
    st__bg_stop(db);
    st__wal_stop(db, false);
    free_db(db);
}

void st_get_stats(st_db *db, st_stats *s)
{
    memset(s, 0, sizeof(*s));
    st__wal_stats(db, s);
    s->commits = atomic_load(&db->n_commits);
    s->checkpoints = atomic_load(&db->n_checkpoints);
    s->last_checkpoint_us = atomic_load(&db->last_ckpt_us);
    s->redo_lsn = atomic_load(&db->redo_lsn);
}

static bool dir_empty_or_absent(const char *dir)
{
    char *v = st__path(dir, VERSION_FILE);
    bool ok = v && access(v, F_OK) != 0;
    mem_free(v);
    return ok;
}

int st_backup(st_db *db, const char *dest, uint64_t *end_lsn, pgw_error *err)
{
    if (!dir_empty_or_absent(dest)) {
        pgw_error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "backup directory \"%s\" already holds a data directory", dest);
        return -1;
    }
    if (make_dirs(dest, err) != 0)
        return -1;
    int rc = st__write_version_file(db->io, dest);
    if (rc != 0) {
        st__error_from_errno(err, rc, "backup directory");
        return -1;
    }
    pthread_mutex_lock(&db->ckpt_lock);
    uint64_t redo = 0, end = 0;
    rc = st__ckpt_write(db, dest, 1, &redo, err);
    if (rc == 0 && (rc = st__wal_flush(db, &end)) != 0)
        st__error_from_errno(err, rc, "write-ahead log");
    if (rc == 0)
        rc = st__wal_copy(db, redo, end, dest, err);
    if (rc == 0) {
        char *wd = st__path(dest, "wal");
        rc = wd ? st_io_fsync_dir(db->io, wd) : -ENOMEM;
        mem_free(wd);
        if (rc != 0)
            st__error_from_errno(err, rc, "backup directory");
    }
    pthread_mutex_unlock(&db->ckpt_lock);
    if (rc == 0 && end_lsn)
        *end_lsn = end;
    if (rc == 0)
        log_info("backup in \"%s\": checkpoint redo LSN %llu, WAL to %llu", dest,
                 (unsigned long long)redo, (unsigned long long)end);
    return rc ? -1 : 0;
}
