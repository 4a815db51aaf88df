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

#endif
