/*
 * exec_indexscan: the ordered index scan — `SELECT ... FROM t [WHERE ...]
 * ORDER BY col <op> value LIMIT k` answered by an access-method index
 * (index/am.h) on col whose opclass orders by <op>, instead of reading and
 * sorting the whole table. Plan label: `Index Scan using <index> on <table>`.
 *
 * The choice is made when the plan is built (each execution), so a
 * prepared statement picks up an index created after it was prepared. It
 * needs: the query's one FROM item is the table, a LIMIT, no GROUP BY,
 * aggregate, DISTINCT or set-returning target, the first ORDER BY key
 * ascending and of the form `col <op> e` (or `e <op> col`) where e does
 * not read the row (a constant, a parameter, an uncorrelated scalar
 * subquery), and enable_indexscan on; a key lookup fixed by the WHERE
 * wins (exec.c tries it first). The value of e is taken when the scan
 * starts; a NULL value makes every distance NULL, so any k rows that pass
 * the WHERE are an exact answer and the scan takes them in label order.
 *
 * What it returns: up to LIMIT + OFFSET rows, each the version the
 * statement sees, still holding the indexed value, and passing the table's
 * WHERE conjuncts (checked during the search, so the graph walk goes on
 * until enough rows pass: filtered queries get k rows when k exist),
 * ordered by the exact SQL value of the sort key (ties: the index's
 * order). With a single sort key no Sort node is planned above it, as in
 * PostgreSQL's plan (Limit -> Index Scan). Same thread rules as exec.h.
 */
#ifndef HCDB_ENGINE_EXEC_INDEXSCAN_H
#define HCDB_ENGINE_EXEC_INDEXSCAN_H

#include "engine/catalog.h"
#include "engine/exec_node.h"

/* Planning (eng__plan_rel): *out = an Index Scan node for table r when an ordered index
 * answers sel's first ORDER BY key (the rules above), else NULL. -1 with c->err on an
 * error evaluating LIMIT / OFFSET. Call under the catalog lock. */
int eng__plan_indexscan(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c, eng_node **out)
    __attribute__((warn_unused_result));
/* Whether n is an Index Scan that returns its rows in the order of sel's only sort key
 * (then no Sort node is needed above it). */
bool eng__indexscan_sorts(const eng_node *n, const eng_select *sel);

/* Radius filters: an access-method index on table r whose opclass's within_fn
 * (ST_DWithin) is a conjunct of the filter w as fn(col, value, radius), value and
 * radius fixed for the scan; NULL when none (or enable_indexscan is off). The Seq
 * Scan node then reads only the rows eng__within_rowids finds, in row order, each
 * once, and still checks the whole filter on each. */
const eng_index *eng__within_index(const eng_rel *r, const eng_expr *w, const eng_env *env);
/* The rows ix's within search finds for w's conjunct, in arena a: their count, or -1
 * with c->err; *all when the radius is infinite (read the whole table instead). */
long eng__within_rowids(eng_ctx *c, const eng_rel *r, const eng_index *ix, const eng_expr *w, arena *a,
                        uint64_t **out, bool *all) __attribute__((warn_unused_result));

#endif
