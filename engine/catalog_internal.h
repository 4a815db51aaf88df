/*
 * catalog_internal: what the catalog's files (catalog.c, catalog_cons.c)
 * share: the record codec of catalog.c's format comment and the undo log.
 * Called under the catalog's write lock, or during recovery.
 */
#ifndef HCDB_ENGINE_CATALOG_INTERNAL_H
#define HCDB_ENGINE_CATALOG_INTERNAL_H

#include "engine/catalog.h"

/* Record kinds 12-13 (CAT_CONS, CAT_DROP_CONS) are catalog_cons.c's. */
enum { ENG_CAT_CONS = 12, ENG_CAT_DROP_CONS = 13 };

typedef struct eng_rd {
    const uint8_t *p, *end;
    bool bad;
} eng_rd;

void eng__put_u32(buf *b, uint32_t v);
void eng__put_str(buf *b, const char *s);
uint32_t eng__get_u32(eng_rd *r);
char *eng__get_str(eng_rd *r, arena *a);
/* Write b (then freed) as an engine redo record of txn. */
int eng__log_rec(st_txn *txn, uint32_t relid, int kind, buf *b, pgw_error *err) __attribute__((warn_unused_result));
uint32_t eng__note_oid(eng_catalog *cat, uint32_t oid);

/* Keep k until the catalog closes (tables and undo entries only point at it). */
int eng__cat_keep_cons(eng_catalog *cat, eng_constraint *k) __attribute__((warn_unused_result));
/* An undo entry: t's constraint array was `old` (n long) before; a rollback puts it back. */
int eng__ddl_log_cons(eng_ddl_log *log, eng_table *t, eng_constraint **old, int n, pgw_error *err)
    __attribute__((warn_unused_result));

/* catalog_cons.c: a copy of def (its OID kept) appended to the constraints of t, a table not
 * yet visible: neither logged nor undone. -1 when out of memory. */
int eng__cons_put(eng_catalog *cat, eng_table *t, const eng_constraint *def) __attribute__((warn_unused_result));
/* Free a constraint (at close, or one never kept). */
void eng__cons_free(eng_constraint *k);
/* The records of t's constraints (CAT_CONS payloads), appended
 * to a checkpoint blob through put(kind, payload) or logged into txn. */
void eng__cons_records(const eng_table *t, void (*put)(buf *blob, int kind, buf *payload), buf *blob, buf *one);
int eng__cons_log(st_txn *txn, const eng_table *t, pgw_error *err) __attribute__((warn_unused_result));
/* Recovery: apply a CAT_CONS / CAT_DROP_CONS record of table t (may be NULL: skipped). */
int eng__cons_apply(eng_catalog *cat, eng_table *t, uint32_t kind, eng_rd *r, arena *a, pgw_error *err)
    __attribute__((warn_unused_result));

/* ---- shared by catalog.c and catalog_recover.c ---------------------------- */

/* Kinds 20-22 are seq.c's records (undo kinds CAT_SEQ / CAT_DROP_SEQ). */
enum { CAT_CREATE = 1, CAT_DROP = 2, CAT_INDEX = 3, CAT_DROP_INDEX = 4, CAT_EXT = 5, CAT_DROP_EXT = 6, CAT_ACL = 7,
       CAT_SEQ = 8, CAT_DROP_SEQ = 9, CAT_RENAME = 10, CAT_REPLACE = 11 /* undo only: logged as CAT_CREATE + CAT_INDEX */,
       CAT_CONS_SET = 14 /* undo only: a table's constraint array replaced */,
       CAT_NARROW = 15 /* undo only: t replaced by nt, one column less, indexes borrowed */ };

typedef struct acl_entry {
    uint32_t oid;
    char role[64];
    uint32_t privs;
} acl_entry;
#define CAT_BLOB_KIND 1u
/* PostgreSQL's first user OID; relids below it stay free for emulated catalogs. */
#define CAT_FIRST_RELID 16384u

struct eng_catalog {
    pthread_rwlock_t lock;
    st_db *db;
    eng_table **tables; /* every table ever made, dropped ones too */
    size_t ntables, cap;
    uint32_t next_relid;  /* the next OID for a table, index or extension */
    eng_extension **exts; /* every extension ever created, dropped ones too */
    size_t nexts, capexts;
    struct eng_seqs *seqs; /* sequences (seq.c) */
    char **retired;       /* names replaced by renames: a bound plan may still point at one */
    size_t nretired, capretired;
    acl_entry *acl;       /* granted privileges; entries are never removed (0 = none) */
    size_t nacl, capacl;
    eng_constraint **cons; /* every constraint ever made (tables point at the live ones) */
    size_t ncons, capcons;
};

/* A DDL's undo entries (catalog.c reverses them at rollback). */
typedef struct undo {
    int kind; /* CAT_CREATE, CAT_DROP, CAT_INDEX, CAT_DROP_INDEX */
    eng_table *t;
    eng_index *ix;
    eng_extension *ext;
    void *seq;           /* CAT_SEQ / CAT_DROP_SEQ: the eng_seq */
    eng_table *nt;       /* CAT_REPLACE: t's replacement */
    int col;             /* CAT_RENAME: the column, -1 for the table, and the name before */
    char *old_name;
    size_t acl;          /* CAT_ACL: the entry, and its value before */
    uint32_t old_privs;
    eng_constraint **old_cons; /* CAT_CONS_SET: t's constraint array before */
    int old_ncons;
} undo;

struct eng_ddl_log {
    undo *v;
    size_t n, cap;
};

void eng__cat_table_free(eng_table *t);
eng_table *eng__cat_table_new(uint32_t relid, const char *name, int ncols, const eng_column *cols);
int eng__cat_add_table(eng_catalog *cat, eng_table *t);
int eng__cat_attach_index(eng_table *t, eng_index *ix);
void eng__cat_detach_index(eng_table *t, eng_index *ix);
eng_index *eng__cat_index_new(const char *name, const int *cols, int ncols, bool unique, bool primary,
                              const eng_am *am, const eng_am_def *def, pgw_error *err);
int eng__cat_acl_put(eng_catalog *cat, uint32_t oid, const char *role, uint32_t privs, uint32_t *old);
int eng__cat_apply_ext(eng_catalog *cat, uint32_t kind, uint32_t oid, eng_rd *r, arena *a, pgw_error *err);
void eng__cat_rec_create(buf *b, const eng_table *t);
void eng__cat_rec_index(buf *b, const eng_table *t, const eng_index *ix);
void eng__cat_rec_ext(buf *b, const eng_extension *e);
void eng__cat_rec_acl(buf *b, const acl_entry *e);
void eng__cat_move_parts(eng_table *to, eng_table *from);
char **eng__cat_rename_slot(eng_table *t, int col);
int eng__cat_log_push(eng_ddl_log *log, int kind, eng_table *t, eng_index *ix, pgw_error *err);
/* catalog_recover.c: one catalog record (from the WAL or a checkpoint's blob), the
 * checkpoint writer, and the recovery callbacks storage calls. */
int eng__cat_apply_rec(eng_catalog *cat, uint32_t kind, const uint8_t *data, size_t len, pgw_error *err);
int eng__cat_checkpoint(void *ctx, st_ckpt_writer *w, pgw_error *err);
st_recovery_ops eng__cat_recovery_ops(eng_catalog *cat);

#endif
