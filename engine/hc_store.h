/*
 * hc_store: the hypercube schema -- tables atom, composition,
 * composition_child and relation (hypercube-semantics.md §5.1, with hcdb's
 * types: ids are 32-byte SHA-256 bytea, points are `hypercube`, Hilbert
 * halves bigint) -- created by CREATE EXTENSION hypercube, and the row
 * access the hc_* functions need: find a row by its primary key, insert,
 * update in place.
 *
 * Install runs inside the CREATE EXTENSION statement (catalog write-locked,
 * DDL undo in the caller's log). The row calls run inside a statement that
 * holds the catalog's read lock and a storage transaction (env->txn): the
 * binder marks calls of ENG_F_TABLES functions so that their statement gets
 * both.
 */
#ifndef HCDB_ENGINE_HC_STORE_H
#define HCDB_ENGINE_HC_STORE_H

#include "engine/catalog.h"
#include "engine/ext.h"

/* Column numbers. */
enum { HC_ATOM_ID, HC_ATOM_CODEPOINT, HC_ATOM_VALUE, HC_ATOM_GEOM, HC_ATOM_HLO, HC_ATOM_HHI, HC_ATOM_NCOLS };
enum {
    HC_COMP_ID, HC_COMP_LABEL, HC_COMP_DEPTH, HC_COMP_CHILD_COUNT, HC_COMP_ATOM_COUNT, HC_COMP_CENTROID,
    HC_COMP_HLO, HC_COMP_HHI, HC_COMP_NCOLS
};
enum { HC_CC_COMP, HC_CC_ORDINAL, HC_CC_TYPE, HC_CC_CHILD, HC_CC_NCOLS };
enum {
    HC_REL_ID, HC_REL_STYPE, HC_REL_TTYPE, HC_REL_SOURCE, HC_REL_TARGET, HC_REL_TYPE, HC_REL_WEIGHT,
    HC_REL_MODEL, HC_REL_COUNT, HC_REL_LAYER, HC_REL_COMPONENT, HC_REL_NCOLS
};

typedef struct hc_store {
    eng_table *atom, *comp, *child, *rel;
} hc_store;

/* CREATE EXTENSION hypercube: the four tables and their indexes (42P07 when
 * one of the names is taken). DROP EXTENSION hypercube: drops them. */
int hc_store_install(const eng_ext_install *in, pgw_error *err) __attribute__((warn_unused_result));
int hc_store_uninstall(const eng_ext_install *in, pgw_error *err) __attribute__((warn_unused_result));

/* The four tables (the caller holds the catalog lock); 42P01 naming the
 * missing one, with a hint to CREATE EXTENSION hypercube. */
int hc_store_open(eng_ctx *c, hc_store *s) __attribute__((warn_unused_result));

/* The row of t whose primary key columns equal those in key[] (a full row
 * array; other entries ignored): 1 with row[] (t->ncols values) and *rowid,
 * 0 when there is none, -1 on error. */
int hc_store_get(eng_ctx *c, eng_table *t, const eng_val *key, eng_val *row, uint64_t *rowid)
    __attribute__((warn_unused_result));

/* Calls fn(c, arg, row, rowid) for every row of t the statement sees, each decoded
 * into a scratch arena reset before the next (copy what you keep into c->mem);
 * a non-zero return stops the scan and is returned. */
typedef int (*hc_row_fn)(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid);
int hc_store_scan(eng_ctx *c, eng_table *t, hc_row_fn fn, void *arg) __attribute__((warn_unused_result));

/* Room for element n of the array *p (capacity *cap, elements of elem bytes) in
 * c->mem, doubling it when full (the old block stays in the arena). */
int hc_store_room(eng_ctx *c, void **p, size_t n, size_t *cap, size_t elem) __attribute__((warn_unused_result));

/* Replace row `rowid` by row[] (primary and unique keys unchanged). 40001 when
 * another transaction holds the row. */
int hc_store_update(eng_ctx *c, eng_table *t, uint64_t rowid, const eng_val *row)
    __attribute__((warn_unused_result));

/* The text of atom or composition `id` rebuilt from its leaf atoms (the exact
 * text ingested), in c->mem: 1 with *out, 0 for an unknown id, -1 on error. */
int hc_store_text(eng_ctx *c, const hc_store *s, const eng_val *id, eng_val *out)
    __attribute__((warn_unused_result));

#endif
