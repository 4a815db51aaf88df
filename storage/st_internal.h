/*
 * st_internal: the structures shared by storage's files (heap.c, txn.c,
 * wal_writer.c, wal_replay.c, checkpoint.c, db.c). Not for other modules;
 * tests may include it for the crash hook.
 *
 * Locks, in the order they may nest: ckpt_lock > table->lock > db->tx_lock;
 * wal->lock > commit_lock (a leaf). Row version csn fields are atomics
 * stamped without the table lock: readers load db->last_csn with acquire
 * order before they look at them, and a commit stamps every version before
 * it publishes its csn (so a statement sees all of a commit or none of it).
 */
#ifndef HCDB_STORAGE_ST_INTERNAL_H
#define HCDB_STORAGE_ST_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "storage/st.h"
#include "util/buf.h"

/* One version of a row; newest first through `older`. */
typedef struct st_ver {
    struct st_ver *older;
    uint64_t xmin;                /* creating xid (0 = recovered, committed) */
    uint64_t xmax;                /* deleting or locking xid; 0 = none (table lock) */
    _Atomic uint64_t xmin_csn;    /* creator's commit csn; 0 = not committed */
    _Atomic uint64_t xmax_csn;    /* deleter's commit csn; 0 = not committed */
    uint32_t cmin, cmax;          /* statement ids within xmin / xmax */
    uint32_t len;
    uint8_t data[];
} st_ver;

/* Slots are chunked so that growing never moves them. */
#define ST_CHUNK_SHIFT 10
#define ST_CHUNK_ROWS (1u << ST_CHUNK_SHIFT)

struct st_table {
    st_db *db;
    uint32_t relid;
    pthread_rwlock_t lock;        /* slots, chains, xmax fields */
    st_ver ***chunks;             /* chunks[rowid >> SHIFT][rowid & mask] = newest version */
    size_t nchunks;
    uint64_t next_rowid;
    uint64_t creator;             /* creating xid until committed */
    uint64_t dropper;             /* dropping xid while uncommitted */
    _Atomic uint64_t created_csn; /* 0 = uncommitted */
    _Atomic uint64_t dropped_csn; /* 0 = not dropped */
    _Atomic bool dead;            /* creation rolled back, or dropped (recovery) */
};

enum { ST_UNDO_ROW, ST_UNDO_CREATE, ST_UNDO_DROP };

typedef struct st_undo {
    int kind;
    st_table *tb;
    uint64_t rowid;
    st_ver *created;              /* new version (insert, update) */
    st_ver *deleted;              /* version whose xmax we set (update, delete) */
} st_undo;

typedef struct st_mark {
    size_t nundo;
    size_t wal_len;
    uint32_t nrec;
} st_mark;

enum { ST_TXN_ACTIVE, ST_TXN_COMMITTING, ST_TXN_COMMITTED, ST_TXN_FAILED, ST_TXN_ABORTED };

struct st_txn {
    st_db *db;
    uint64_t xid;
    uint32_t cid;                 /* current statement id */
    uint64_t snap;                /* current statement's snapshot csn; 0 = none */
    bool sync;
    _Atomic int state;
    buf wal;                      /* this transaction's records, not yet in the WAL */
    uint32_t nrec;
    st_undo *undo;
    size_t nundo, capundo;
    st_mark stmt;                 /* the statement savepoint */
    st_mark *levels;              /* user savepoints; levels[i] is level i+1 */
    int nlevels, caplevels;
    void (*wake)(void *);
    void *wake_ctx;
    /* Under db->tx_lock: */
    struct st_txn *live_prev, *live_next;
    uint64_t waiting_for;         /* xid we wait on; 0 = none */
    struct st_txn *waiters;       /* transactions waiting on us */
    struct st_txn *wait_next;
    /* Under the WAL lock: */
    uint64_t commit_lsn;          /* end LSN of the commit record */
    struct st_txn *pend_next;
    int commit_err;               /* -errno of a failed commit */
};

typedef struct st_wal st_wal;

struct st_db {
    char *dir;
    st_options opt;
    const st_io *io;
    pthread_mutex_t tx_lock;      /* live list, waits, snapshots, horizon */
    st_txn *live;
    uint64_t next_xid;
    uint64_t ckpt_pin;            /* csn a running checkpoint reads at; 0 = none */
    _Atomic uint64_t last_csn;    /* newest published commit */
    _Atomic uint64_t horizon;     /* no snapshot older than this exists */
    pthread_mutex_t commit_lock;  /* serialises stamp + publish */
    pthread_rwlock_t tables_lock;
    st_table **tables;            /* all tables ever, dead ones too (freed at close) */
    size_t ntables, captables;
    st_wal *wal;
    /* Checkpoints. */
    pthread_mutex_t ckpt_lock;    /* one checkpoint or backup at a time */
    uint64_t ckpt_seq;            /* sequence of the newest checkpoint file */
    _Atomic uint64_t redo_lsn;    /* newest checkpoint's redo LSN */
    pthread_mutex_t bg_lock;
    pthread_cond_t bg_cv;
    bool bg_request, bg_stop, bg_started;
    pthread_t bg_thread;
    _Atomic uint64_t n_commits, n_checkpoints;
    _Atomic uint64_t last_ckpt_us; /* creation time of the newest checkpoint */
};

/* heap.c */
st_table *st__table_new(st_db *db, uint32_t relid);
void st__table_free(st_table *tb);
void st__table_clear(st_table *tb);
int st__table_register(st_db *db, st_table *tb);
bool st__ver_visible_at(const st_ver *v, uint64_t csn);
/* Recovery: set a row to a committed image (data NULL = delete). 0 or -ENOMEM. */
int st__table_put_frozen(st_table *tb, uint64_t rowid, const void *data, size_t len);
void st__table_undo(st_undo *u);
void st__table_vacuum(st_table *tb, uint64_t horizon);
st_ver **st__slot(st_table *tb, uint64_t rowid);

/* txn.c */
int st__txn_log(st_txn *t, int type, const void *a, size_t alen, const void *b, size_t blen);
int st__txn_push_undo(st_txn *t, const st_undo *u);
/* Register t as waiting on `blocker`: ST_WOULD_BLOCK, ST_RETRY (blocker already
 * gone: look again) or ST_ERROR (deadlock). Caller holds the table lock. */
int st__txn_wait_for(st_txn *t, uint64_t blocker, pgw_error *err);
/* Stamp t's versions with a new csn and publish it (visible). */
void st__txn_stamp(st_txn *t);
/* Finish a commit: stamp (if synchronous), release locks, wake. */
void st__txn_commit_durable(st_txn *t);
void st__txn_commit_failed(st_txn *t, int neg_errno);
void st__error_from_errno(pgw_error *err, int neg_errno, const char *what);
uint64_t st__pin_snapshot(st_db *db);
void st__unpin_snapshot(st_db *db);

/* wal_writer.c */
int st__wal_start(st_db *db, uint64_t end_lsn, pgw_error *err);
/* Stop the writer; `flush` first writes what is buffered. */
void st__wal_stop(st_db *db, bool flush);
/* Append t's records (its buffer ends with the COMMIT); sets t->commit_lsn.
 * Sync commits are queued for the writer. 0 or -errno (WAL unusable). */
int st__wal_append(st_db *db, st_txn *t);
/* Block until everything appended before the call is durable. 0 or -errno. */
int st__wal_flush(st_db *db, uint64_t *end_lsn);
uint64_t st__wal_insert_lsn(st_db *db);
void st__wal_stats(st_db *db, st_stats *s);
/* Remove segments wholly before lsn. */
void st__wal_remove_before(st_db *db, uint64_t lsn);
/* Checkpoint succeeded: asynchronous commits lost by a failed write are safe. */
void st__wal_checkpoint_done(st_db *db);
/* Copy WAL [from, to) into dest_dir/wal. */
int st__wal_copy(st_db *db, uint64_t from, uint64_t to, const char *dest_dir, pgw_error *err);
char *st__wal_seg_path(const char *dir, uint64_t start);
/* Sorted start LSNs of the segments in dir/wal; caller frees. */
int st__wal_list(const char *dir, uint64_t **out, size_t *n);

/* wal_replay.c: replay from `from`; *end = end of the last complete txn. */
int st__wal_replay(st_db *db, uint64_t from, const st_recovery_ops *ops, uint64_t *end,
                   pgw_error *err);

/* checkpoint.c */
int st__ckpt_load(st_db *db, const st_recovery_ops *ops, uint64_t *redo_lsn, pgw_error *err);
int st__ckpt_write(st_db *db, const char *dir, uint64_t seq, uint64_t *redo_out, pgw_error *err);
void st__bg_start(st_db *db);
void st__bg_stop(st_db *db);

/* db.c */
int st__mkdir_p(const char *path);
char *st__path(const char *dir, const char *name);
int st__write_version_file(const st_io *io, const char *dir);
/* Tests: drop the in-memory state as a crash would (no flush, no checkpoint). */
void st__close_crash(st_db *db);

#endif
