/*
 * st: hcdb's storage engine, SQL-agnostic. In-memory table heaps of opaque
 * rows with version chains (MVCC), READ COMMITTED transactions with statement
 * and user savepoints, row write locks with non-blocking waits, a WAL with
 * group commit, checkpoints, crash recovery and online backup.
 *
 * Objects and threads:
 *   st_db    - one data directory. Thread-safe. Owns a WAL writer thread and
 *              a checkpointer thread.
 *   st_table - one table (a 32-bit relation id chosen by the engine). Valid
 *              from creation until st_close, even after a committed drop.
 *   st_txn   - one transaction. Used by one thread at a time (the session's);
 *              only its waker is called from other threads.
 * Nothing here blocks the caller on a lock or on disk, except st_open,
 * st_close, st_checkpoint and st_backup (never call those on a loop thread).
 * Waiting is ST_WOULD_BLOCK plus a later call of the transaction's waker.
 */
#ifndef HCDB_STORAGE_ST_H
#define HCDB_STORAGE_ST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/pgw_error.h"
#include "storage/st_io.h"

/* SQLSTATEs storage raises that protocol/sqlstate.h does not list. */
#define ST_SQLSTATE_DEADLOCK "40P01"
#define ST_SQLSTATE_DATA_CORRUPTED "XX001"

typedef struct st_db st_db;
typedef struct st_table st_table;
typedef struct st_txn st_txn;
typedef struct st_ckpt_writer st_ckpt_writer;

/* Results of fallible calls. ST_ERROR always comes with `err` filled. */
typedef enum st_status {
    ST_OK = 0,
    ST_NOT_FOUND = 1,   /* no such row for this caller (invisible, deleted) */
    ST_WOULD_BLOCK = 2, /* must wait: the txn's waker fires later; call again
                         * (a row op: roll the statement back and re-run it) */
    ST_RETRY = 3,       /* the row changed after the statement's snapshot:
                         * roll the statement back and re-run it now */
    ST_ERROR = -1,
} st_status;

/* ---- database ------------------------------------------------------- */

/* Called by the checkpointer (any thread) to add the engine's catalog and
 * index images to a checkpoint, through st_ckpt_put(). Rows are written by
 * storage. Return 0, or -1 with err filled to abandon the checkpoint. */
typedef int (*st_checkpoint_fn)(void *ctx, st_ckpt_writer *w, pgw_error *err);

/* Tunables (defaults justified in st_options_init). */
#define ST_DEFAULT_SEGMENT_SIZE (16u << 20)
#define ST_MIN_SEGMENT_SIZE (64u << 10)
#define ST_DEFAULT_MAX_WAL_SIZE (256u << 20)
#define ST_DEFAULT_CHECKPOINT_TIMEOUT_MS 300000u
#define ST_DEFAULT_WAL_WRITER_DELAY_MS 200u

typedef struct st_options {
    bool fsync;                  /* false: never fdatasync (tests only) */
    bool synchronous_commit;     /* default for new transactions */
    uint64_t wal_segment_size;   /* a new segment starts past this size */
    uint64_t max_wal_size;       /* WAL bytes since the last checkpoint that trigger one; 0 = never */
    uint32_t checkpoint_timeout_ms; /* time-triggered checkpoint; 0 = never */
    uint32_t wal_writer_delay_ms;   /* longest an asynchronous commit stays unflushed */
    const st_io *io;             /* file operations; NULL = the real ones */
    st_checkpoint_fn checkpoint; /* engine images; NULL = none */
    void *checkpoint_ctx;
} st_options;

void st_options_init(st_options *o);

/* What recovery hands back to the engine, in this order: the blobs of the
 * checkpoint (catalog and index images, in the order they were put), then,
 * for every transaction committed after it in WAL order, its engine records
 * (st_log_engine) and row changes. Storage applies row changes to its tables
 * itself; `row` only tells the engine (for index maintenance). Records after
 * the checkpoint's redo point may already be reflected in its images: make
 * replay idempotent. Any callback may be NULL. A non-zero return from
 * blob/record aborts st_open with err filled by the callback. */
typedef enum st_row_op { ST_ROW_INSERT = 1, ST_ROW_UPDATE = 2, ST_ROW_DELETE = 3 } st_row_op;

typedef struct st_recovery_ops {
    void *ctx;
    int (*blob)(void *ctx, uint32_t kind, uint32_t id, const void *data, size_t len, pgw_error *err);
    int (*record)(void *ctx, uint32_t relid, uint32_t kind, const void *data, size_t len,
                  pgw_error *err);
    void (*table)(void *ctx, uint32_t relid, bool created); /* created=false: dropped */
    /* old: the row's image before this change (NULL when it had none) */
    void (*row)(void *ctx, uint32_t relid, uint64_t rowid, st_row_op op, const void *data, size_t len,
                const void *old, size_t oldlen);
    /* An engine file of the checkpoint (st_ckpt_file_*), intact; after the
     * blobs put before it. Not called for a damaged or missing file (logged). */
    int (*file)(void *ctx, uint32_t id, const void *data, size_t len, pgw_error *err);
} st_recovery_ops;

/* Open (creating if empty) the data directory and recover it. A directory
 * written by a newer format version is refused (55000, naming both). */
int st_open(const char *dir, const st_options *o, const st_recovery_ops *ops, st_db **out,
            pgw_error *err) __attribute__((warn_unused_result));
/* Clean shutdown: flushes the WAL, stops the threads, frees everything.
 * Every transaction must have been freed. */
void st_close(st_db *db);

/* Write a checkpoint now and remove the WAL it makes unnecessary. Blocks. */
int st_checkpoint(st_db *db, pgw_error *err) __attribute__((warn_unused_result));
/* Ask the checkpointer thread for a checkpoint soon; returns at once. */
void st_checkpoint_request(st_db *db);
/* Add one blob to a checkpoint being written (inside st_checkpoint_fn).
 * kind is the engine's (e.g. 1 catalog, 2 index image); several puts with
 * the same kind and id are handed back in order (chunking). */
int st_ckpt_put(st_ckpt_writer *w, uint32_t kind, uint32_t id, const void *data, size_t len)
    __attribute__((warn_unused_result));

/* A large engine structure (an index image) as a file of its own beside the
 * checkpoint, inside st_checkpoint_fn: begin, any number of writes, end.
 * It is fsynced before the checkpoint is switched to, and recorded in it
 * with its size and checksum; recovery hands it back through
 * st_recovery_ops.file only when both match, so a damaged file costs only
 * what it held. No st_ckpt_put while a file is open. id is the engine's
 * (unique within one checkpoint). 0, or -1 and the checkpoint is abandoned. */
int st_ckpt_file_begin(st_ckpt_writer *w, uint32_t id) __attribute__((warn_unused_result));
int st_ckpt_file_write(st_ckpt_writer *w, const void *data, size_t len)
    __attribute__((warn_unused_result));
int st_ckpt_file_end(st_ckpt_writer *w) __attribute__((warn_unused_result));

/* A consistent copy in dest_dir (created; must be absent or empty) while
 * writes go on. Starting on it gives exactly the transactions whose commit
 * record lies before the backup's end LSN (*end_lsn if non-NULL). Blocks. */
int st_backup(st_db *db, const char *dest_dir, uint64_t *end_lsn, pgw_error *err)
    __attribute__((warn_unused_result));

typedef struct st_stats {
    uint64_t commits;      /* transactions committed with WAL records */
    uint64_t wal_flushes;  /* fdatasync calls on WAL segments */
    uint64_t wal_bytes;    /* bytes written to WAL */
    uint64_t checkpoints;  /* checkpoints completed */
    uint64_t insert_lsn;   /* end of the WAL appended so far */
    uint64_t flushed_lsn;  /* end of the WAL known durable */
    uint64_t redo_lsn;     /* where recovery would start */
    uint64_t wal_records;  /* records appended to the WAL */
    uint64_t last_checkpoint_us; /* µs since the epoch of the newest checkpoint
                                  * written or loaded (0: none) */
} st_stats;

void st_get_stats(st_db *db, st_stats *s);

/* ---- transactions --------------------------------------------------- */

/* NULL on out-of-memory (err 53200). */
st_txn *st_txn_begin(st_db *db, pgw_error *err);
/* The function called (any thread) when a wait of this transaction may be
 * over: a row lock it waits for was released, or its commit is durable. */
void st_txn_set_waker(st_txn *t, void (*wake)(void *ctx), void *ctx);
void st_txn_set_synchronous_commit(st_txn *t, bool on);
uint64_t st_txn_id(const st_txn *t);

/* Every statement runs between st_stmt_begin (a fresh READ COMMITTED
 * snapshot and an implicit savepoint) and st_stmt_end (keep its changes) or
 * st_stmt_rollback (undo them, the transaction goes on). */
void st_stmt_begin(st_txn *t);
void st_stmt_end(st_txn *t);
void st_stmt_rollback(st_txn *t);

/* User savepoints, as nesting levels (the engine maps names to levels).
 * st_savepoint returns the new level (>= 1) or -1 (53200). Rolling back to
 * a level undoes everything after it and keeps the level; releasing it
 * merges it into its parent. Levels above the target go away in both. */
int st_savepoint(st_txn *t, pgw_error *err) __attribute__((warn_unused_result));
void st_rollback_to(st_txn *t, int level);
void st_release(st_txn *t, int level);

/* Commit. ST_OK: committed (and durable unless synchronous_commit is off).
 * ST_WOULD_BLOCK: waiting for the WAL flush; call st_commit again after
 * the waker fires (it answers ST_WOULD_BLOCK while still pending).
 * ST_ERROR: not committed (53100 disk full, 58030 I/O error, 53200), all
 * its changes are undone. Then free the transaction. */
int st_commit(st_txn *t, pgw_error *err) __attribute__((warn_unused_result));
/* Undo everything and end the transaction. */
void st_rollback(st_txn *t);
/* Rolls back first if still open. Must not be called while a commit is pending. */
void st_txn_free(st_txn *t);

/* ---- tables --------------------------------------------------------- */

/* Create a table inside t (gone again if t rolls back). 42P07-like
 * duplicates are the engine's concern: an existing live relid is XX000. */
int st_table_create(st_txn *t, uint32_t relid, st_table **out, pgw_error *err)
    __attribute__((warn_unused_result));
/* Drop at commit. The engine serialises DDL against DML on the table. */
int st_table_drop(st_txn *t, st_table *tb, pgw_error *err) __attribute__((warn_unused_result));
/* The table with this relid (committed, or created by the caller's
 * transaction), or NULL. */
st_table *st_table_lookup(st_db *db, uint32_t relid);
uint32_t st_table_relid(const st_table *tb);

/* An opaque engine redo record (catalog change, index metadata) made part
 * of t: written at commit, replayed through st_recovery_ops.record. */
int st_log_engine(st_txn *t, uint32_t relid, uint32_t kind, const void *data, size_t len,
                  pgw_error *err) __attribute__((warn_unused_result));

/* ---- rows ----------------------------------------------------------- */

/* A row version as the caller sees it. `data` stays valid until the
 * transaction's next st_stmt_begin or its end. */
typedef struct st_row {
    uint64_t rowid;
    const uint8_t *data;
    size_t len;
} st_row;

/* Call inside a statement. Insert never waits. */
int st_insert(st_txn *t, st_table *tb, const void *data, size_t len, uint64_t *rowid,
              pgw_error *err) __attribute__((warn_unused_result));
/* Replace / remove the newest version of a row. ST_NOT_FOUND: deleted or
 * invisible, or already changed by this statement. ST_WOULD_BLOCK: another
 * live transaction holds it (the caller is queued; its waker fires when
 * that one ends). ST_RETRY: committed by someone after our snapshot.
 * ST_ERROR 40P01 when waiting would deadlock. */
int st_update(st_txn *t, st_table *tb, uint64_t rowid, const void *data, size_t len,
              pgw_error *err) __attribute__((warn_unused_result));
int st_delete(st_txn *t, st_table *tb, uint64_t rowid, pgw_error *err)
    __attribute__((warn_unused_result));
/* The version of rowid visible to the current statement: ST_OK or ST_NOT_FOUND. */
int st_get(st_txn *t, st_table *tb, uint64_t rowid, st_row *out);

/* Sequential scan in rowid order of the versions visible to the current
 * statement (not those it wrote itself). */
typedef struct st_scan {
    st_txn *txn;
    st_table *tb;
    uint64_t next; /* next rowid to look at */
} st_scan;

void st_scan_init(st_scan *s, st_txn *t, st_table *tb);
bool st_scan_next(st_scan *s, st_row *out);
/* For index builds: calls fn with the version of every row the current statement sees and
 * with every newer version written by another transaction that has not committed yet (it
 * may still commit, and its rows must then be in the index). Called with the table's lock
 * held: fn copies what it keeps and calls nothing of storage. A non-zero return from fn
 * stops the scan and is returned. */
typedef int (*st_version_fn)(void *ctx, uint64_t rowid, const void *data, size_t len);
int st_scan_versions(st_txn *t, st_table *tb, st_version_fn fn, void *ctx) __attribute__((warn_unused_result));
/* Committed, live rows (for statistics; not transactional). */
uint64_t st_table_count_approx(st_table *tb);
/* Bytes the table's row versions (live and not yet reclaimed) and slot
 * arrays take in memory: pg_relation_size(). Not transactional. */
uint64_t st_table_bytes(st_table *tb);

#endif
