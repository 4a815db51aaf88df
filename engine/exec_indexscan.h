/*
 * exec_indexscan: the ordered index scan — `SELECT ... FROM t [WHERE ...]
 * ORDER BY col <op> value LIMIT k` answered by an access-method index
 * (index/am.h) on col whose opclass orders by <op>, instead of reading and
 * sorting the whole table. Plan label: `Index Scan using <index> on <table>`.
 *
 * The choice (eng_idxscan_match) is made when the plan opens, so a
 * prepared statement picks up an index created after it was prepared. It
 * needs: a table scan, a LIMIT, no aggregate or set-returning target, the
 * first ORDER BY key ascending and of the form `col <op> e` (or `e <op>
 * col`) where e does not read the row (a constant, a parameter, a scalar
 * subquery), and enable_indexscan on. The value of e is taken when the
 * scan opens; when it is NULL the open gives no scan and the caller reads
 * the heap, as the exact plan would.
 *
 * What it returns: up to LIMIT + OFFSET rows, each the version the
 * statement sees, still holding the indexed value, and passing the WHERE
 * (checked during the search, so the graph walk goes on until enough rows
 * pass: filtered queries get k rows when k exist). Rows come nearest first
 * by the index's distance; the plan's Sort above orders those few rows by
 * the exact SQL value. Same thread rules as exec.h.
 */
#ifndef HCDB_ENGINE_EXEC_INDEXSCAN_H
#define HCDB_ENGINE_EXEC_INDEXSCAN_H

#include "engine/catalog.h"
#include "engine/expr.h"

typedef struct eng_idxscan eng_idxscan;

/* Under the catalog lock: the index that can answer sel's ORDER BY, with the expression
 * giving the value to order by (*query), or NULL. env may be NULL (settings not consulted). */
const eng_index *eng_idxscan_match(const eng_select *sel, const eng_env *env, const eng_expr **query);

/* Open the scan of sel through ix (from eng_idxscan_match); state in a. *out = NULL (and 0):
 * read the heap instead. */
int eng_idxscan_open(arena *a, const eng_select *sel, const eng_index *ix, const eng_expr *query, eng_ctx *c,
                     eng_idxscan **out) __attribute__((warn_unused_result));
/* 1 with *row (the table's columns, in c->mem) and *rowid set, 0 when done, -1 on error. */
int eng_idxscan_next(eng_idxscan *s, eng_ctx *c, const eng_val **row, uint64_t *rowid)
    __attribute__((warn_unused_result));

#endif
