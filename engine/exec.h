/*
 * exec: the executor — volcano iterators (open/next/close) over bound
 * SELECTs, so a portal can stop after any row and resume later. Plans are
 * built per portal in the portal's arena; rows are produced into the
 * caller's per-row arena (ctx->mem), valid until the next call.
 *
 * Plan shapes: scans of tables, functions, subqueries and VALUES; hash and
 * nested-loop joins; Filter; Aggregate / HashAggregate; projection (with
 * set-returning targets); Unique; Sort; Limit; set operations.
 */
#ifndef HCDB_ENGINE_EXEC_H
#define HCDB_ENGINE_EXEC_H

#include "engine/expr.h"

typedef struct eng_exec eng_exec;

/* Build and open the plan. LIMIT/OFFSET are evaluated here. */
int eng_exec_open(arena *portal_mem, const eng_select *sel, eng_ctx *ctx, eng_exec **out)
    __attribute__((warn_unused_result));
/* 1 with *row set (ntargets values), 0 when done, -1 on error. */
int eng_exec_next(eng_exec *x, eng_ctx *ctx, const eng_val **row) __attribute__((warn_unused_result));
void eng_exec_close(eng_exec *x);
/* Whether e reads the current row (a column, an aggregate, a volatile call),
 * i.e. cannot be evaluated once before the scan. */
bool eng__reads_scan(const eng_expr *e);
/* The table row under the last row returned (UPDATE/DELETE), or NULL. */
const eng_val *eng_exec_current(eng_exec *x, uint64_t *rowid);

/* EXPLAIN: the plan of sel as text lines (each ending in '\n') or JSON,
 * appended to out; with analyze the query runs first (rows discarded). */
typedef struct eng_explain_opts {
    bool analyze, verbose, costs, json;
} eng_explain_opts;
struct buf;
int eng_explain(arena *portal_mem, const eng_select *sel, eng_ctx *ctx, const eng_explain_opts *o, struct buf *out)
    __attribute__((warn_unused_result));

#endif
