/*
 * catalog: hcdb's tables and their indexes (engine-owned), on top of one
 * storage database (st_db) that the catalog opens and closes.
 *
 * Invariants: table and index structs are never freed before the catalog
 * (a dropped table is only marked), so bound plans may hold pointers to
 * them; every change of the name map or of a table's index list happens
 * under the catalog's write lock (eng_catalog_wrlock), every reader that
 * walks them holds the read lock. DDL is transactional the simple way: the
 * change is made at once and an undo entry goes to the caller's eng_ddl_log,
 * replayed backwards on ROLLBACK. Rows are opaque storage rows in the
 * format of rowfmt.c; indexes are in-memory key → rowid multimaps
 * (index/keyidx.c) whose entries are only candidates: a reader checks the
 * visible version in storage and compares the key again.
 */
#ifndef HCDB_ENGINE_CATALOG_H
#define HCDB_ENGINE_CATALOG_H

#include "engine/index/am.h"
#include "engine/index/keyidx.h"
#include "util/buf.h"
#include "engine/value.h"

struct eng_progress;
#include "storage/st.h"

typedef struct eng_catalog eng_catalog;

typedef struct eng_column {
    char *name;
    uint32_t type;
    int32_t typmod;
    bool notnull;
    char *def;           /* DEFAULT expression's SQL text, or NULL */
} eng_column;

typedef struct eng_index {
    char *name;
    uint32_t relid;      /* its pg_class OID (from the table OID counter) */
    int ncols;
    int *cols;           /* table column numbers, 0-based */
    bool unique, primary;
    eng_keyidx *keys;    /* key -> rowid candidates; NULL for an access-method index */
    eng_amidx *amx;      /* USING hnsw (...): ordered by distance, else NULL */
    bool restored;       /* recovery only: contents loaded from the checkpoint (the WAL is
                          * replayed into them), else rebuilt by a scan afterwards */
} eng_index;

typedef struct eng_table {
    char *name;
    uint32_t relid;
    int ncols;
    eng_column *cols;
    st_table *st;
    int nindexes;
    eng_index **indexes; /* under the catalog lock */
    bool dropped;
    const struct eng_vrel *vrel; /* a pg_catalog / information_schema relation: rows made at scan time
                                  * (syscat.h), st is NULL */
} eng_table;

/* Open (recovering) the storage in `dir` and the catalog saved in it.
 * fsync false only for tests. Blocks: not on a loop thread. */
eng_catalog *eng_catalog_open(const char *dir, const st_options *o, pgw_error *err);
void eng_catalog_close(eng_catalog *cat);
st_db *eng_catalog_db(eng_catalog *cat);

void eng_catalog_rdlock(eng_catalog *cat);
void eng_catalog_wrlock(eng_catalog *cat);
void eng_catalog_unlock(eng_catalog *cat);

/* Under a lock: the live table of that name, or NULL. */
eng_table *eng_catalog_find(eng_catalog *cat, const char *name);
/* Under a lock: the i-th live table (0-based, oldest first), NULL past the end. */
eng_table *eng_catalog_table_at(eng_catalog *cat, size_t i);
/* Under a lock: the table holding the index of that name, or NULL. */
eng_table *eng_catalog_find_index(eng_catalog *cat, const char *name, int *pos);
/* Column number of name in t, or -1. */
int eng_table_column(const eng_table *t, const char *name);

/* ---- DDL (under the write lock, inside a statement of txn) ---------- */

typedef struct eng_ddl_log eng_ddl_log;
eng_ddl_log *eng_ddl_log_new(void);
void eng_ddl_log_free(eng_ddl_log *log);
/* The transaction committed: forget the undo entries. */
void eng_ddl_log_commit(eng_catalog *cat, eng_ddl_log *log);
/* The transaction rolled back: undo its DDL, newest first. Takes the lock. */
void eng_ddl_log_rollback(eng_catalog *cat, eng_ddl_log *log);

/* A table definition to create (names copied). */
typedef struct eng_table_def {
    const char *name;
    int ncols;
    const eng_column *cols;
} eng_table_def;

int eng_catalog_create_table(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const eng_table_def *def,
                             eng_table **out, pgw_error *err) __attribute__((warn_unused_result));
int eng_catalog_drop_table(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, pgw_error *err)
    __attribute__((warn_unused_result));
/* ALTER TABLE t ADD COLUMN: t is replaced by a table of one more column over the same
 * storage (*out; t reads as dropped, so plans bound to it fail with 42P01 rather than
 * decode rows with the wrong columns). Rows written before read the new column as NULL. */
int eng_catalog_add_column(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, const eng_column *col,
                           eng_table **out, pgw_error *err) __attribute__((warn_unused_result));
/* ALTER TABLE t RENAME [COLUMN c] TO name: col is the column, -1 for the table. Names
 * checked by the caller; the old name stays allocated until close (plans may hold it). */
int eng_catalog_rename(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int col, const char *name,
                       pgw_error *err) __attribute__((warn_unused_result));
/* Build an index over the rows visible to txn's statement; checks
 * uniqueness (23505) and, for a primary key, NOT NULL (23502). */
int eng_catalog_add_index(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, const char *name,
                          const int *cols, int ncols, bool unique, bool primary, pgw_error *err)
    __attribute__((warn_unused_result));
/* CREATE INDEX ... USING am (col opclass) WITH (...), def checked by the caller (eng_am's
 * define), in two steps so that the build, which may take minutes, blocks no reader or
 * writer: eng_catalog_am_build runs under the catalog's READ lock and fills a new index
 * (not yet in the catalog) on nthreads threads from the row versions txn sees and those
 * of transactions still open, reporting to progress unless it is NULL; eng_catalog_am_attach runs under the WRITE lock (so no
 * statement is writing): it indexes the versions written since, then attaches the index
 * (the caller checks first that t was not dropped and the name not taken meanwhile).
 * attach frees the build whatever it returns; eng_am_build_free drops an unattached one. */
typedef struct eng_am_build eng_am_build;
int eng_catalog_am_build(st_txn *txn, eng_table *t, const char *name, int col, const eng_am *am,
                         const eng_am_def *def, int nthreads, struct eng_progress *progress, eng_am_build **out,
                         pgw_error *err)
    __attribute__((warn_unused_result));
int eng_catalog_am_attach(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_am_build *b, pgw_error *err)
    __attribute__((warn_unused_result));
void eng_am_build_free(eng_am_build *b);
/* catalog.c's index making, for catalog_am.c. */
eng_index *eng__am_index_new(const char *name, int col, const eng_am *am, const eng_am_def *def, pgw_error *err);
void eng__index_free(eng_index *ix);
int eng__attach_index(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, eng_index *ix, pgw_error *err)
    __attribute__((warn_unused_result));
/* Fill an access-method index from the rows visible to txn (catalog_am.c), reporting to
 * progress (pg_stat_progress_create_index) unless it is NULL. */
int eng__fill_am_index(st_txn *txn, eng_table *t, eng_index *ix, int nthreads, struct eng_progress *progress,
                       pgw_error *err)
    __attribute__((warn_unused_result));
/* Index contents in checkpoints (catalog_persist.c): ix's image as a file of the
 * checkpoint being written (catalog lock held); at recovery, ix's contents from that
 * file (ix->restored set; a file that does not parse is logged and left to the rebuild)
 * and every replayed row version into the restored indexes of t. */
int eng__ckpt_index(st_ckpt_writer *w, const eng_index *ix, pgw_error *err) __attribute__((warn_unused_result));
int eng__index_restore(const eng_table *t, eng_index *ix, const uint8_t *p, size_t n);
void eng__index_replay_row(const eng_table *t, uint64_t rowid, const void *data, size_t len, const void *old,
                           size_t oldlen);
/* Whether an UPDATE from old to vals changed column col (NULLs and bytes; dml.c). */
bool eng__col_changed(const eng_val *old, const eng_val *vals, int col);
/* Cores online: the default number of index build threads. */
int eng__cores(void);
/* REINDEX: rebuild ix's contents from the rows (write lock held); not transactional, as
 * the new contents answer every reader exactly as the old ones did, less the dead entries. */
int eng_catalog_reindex(eng_catalog *cat, st_txn *txn, eng_table *t, eng_index *ix, int nthreads, pgw_error *err)
    __attribute__((warn_unused_result));
int eng_catalog_drop_index(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int pos, pgw_error *err)
    __attribute__((warn_unused_result));

/* Hooks for seq.c: its registry, an OID (see note_oid), an undo entry. */
struct eng_seqs *eng__catalog_seqs(eng_catalog *cat);
uint32_t eng__catalog_oid(eng_catalog *cat, uint32_t oid);
int eng__ddl_log_seq(eng_ddl_log *log, void *seq, bool created, pgw_error *err) __attribute__((warn_unused_result));

/* ---- extensions ------------------------------------------------------ */

/* A created extension (CREATE EXTENSION); the registry of the ones hcdb
 * has built in is engine/ext.h. */
typedef struct eng_extension {
    uint32_t oid;
    char *name, *version, *schema;
    bool dropped;
} eng_extension;

/* Under a lock: the created extension of that name, or NULL. */
const eng_extension *eng_catalog_extension(eng_catalog *cat, const char *name);
/* Under a lock: the i-th created extension (0-based, oldest first), NULL past the end. */
const eng_extension *eng_catalog_extension_at(eng_catalog *cat, size_t i);
/* Record (or forget) an extension inside txn, undone by a rollback. */
int eng_catalog_create_extension(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const char *name,
                                 const char *version, const char *schema, pgw_error *err)
    __attribute__((warn_unused_result));
int eng_catalog_drop_extension(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const char *name, pgw_error *err)
    __attribute__((warn_unused_result));

/* ---- privileges (GRANT / REVOKE) ----------------------------------------- */

enum {
    ENG_PRIV_SELECT = 1, ENG_PRIV_INSERT = 2, ENG_PRIV_UPDATE = 4, ENG_PRIV_DELETE = 8,
    ENG_PRIV_TRUNCATE = 16, ENG_PRIV_REFERENCES = 32, ENG_PRIV_TRIGGER = 64, /* tables */
    ENG_PRIV_USAGE = 128, ENG_PRIV_CREATE = 256,                              /* schemas */
    ENG_PRIV_CONNECT = 512, ENG_PRIV_TEMP = 1024,                             /* databases */
    ENG_PRIV_OWNER = 2048,     /* a table a non-superuser created: DROP, ALTER, GRANT on it */
};
#define ENG_PRIV_TABLE_ALL 127u
#define ENG_DATABASE_OID 5u    /* the database "postgres", PostgreSQL's OID for it */
#define ENG_NS_PUBLIC 2200u        /* schema public */

/* Under a lock: what `role` was granted on object `oid` (a table's relid,
 * a namespace OID, a database OID); "public" names PUBLIC. Until a GRANT or
 * REVOKE first touches them, PUBLIC holds PostgreSQL 15's defaults: CONNECT
 * and TEMP on the database, USAGE on schema public. */
uint32_t eng_catalog_privs(eng_catalog *cat, uint32_t oid, const char *role);
/* Set role's privileges on oid to `privs`, inside txn (undone by a rollback). */
int eng_catalog_set_privs(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, uint32_t oid, const char *role,
                          uint32_t privs, pgw_error *err) __attribute__((warn_unused_result));

/* ---- rows (rowfmt.c) -------------------------------------------------- */

/* Encode vals[0..t->ncols) into a row image in `a`. */
uint8_t *eng_row_encode(eng_ctx *c, const eng_table *t, const eng_val *vals, size_t *len);
/* Decode a row image into vals[0..t->ncols), payloads in c->mem. */
int eng_row_decode(eng_ctx *c, const eng_table *t, const uint8_t *data, size_t len, eng_val *vals)
    __attribute__((warn_unused_result));
/* The index key of vals (memcmp-comparable bytes); false when a key column
 * is NULL (such rows are not indexed, as NULLs never conflict). */
bool eng_index_key(eng_ctx *c, const eng_table *t, const eng_index *ix, const eng_val *vals, uint8_t **key,
                   size_t *len);
/* Encode one value of type `type` into b (the key / row field encoding). */
int eng__val_encode(eng_ctx *c, uint32_t type, const eng_val *v, buf *b);
/* "Key (a, b)=(1, x)" for unique-violation details. */
char *eng_index_key_text(eng_ctx *c, const eng_table *t, const eng_index *ix, const eng_val *vals);

#endif
