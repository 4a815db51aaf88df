/*
 * exec_node: internal to the executor's files (exec*.c, explain.c).
 *
 * A plan is a tree of eng_node. Every node kind is one eng_node_ops: its
 * EXPLAIN name, a `label` callback for what follows the name ("on t",
 * "using idx on t") and a `detail` callback for its property lines
 * ("Hash Cond: ...", "Sort Key: ..."), and `next`, the volcano iterator.
 * A new access method (an index scan) adds one ops table in its own file
 * and builds its node in eng__plan_rel / eng__plan_select.
 *
 * Rows: a node returns an array of eng_val valid until the caller's next
 * call; FROM-side nodes return whole FROM rows (width sel->width) with
 * only their own columns filled. Memory: per-row values go to ctx->mem
 * (reset by the portal between output rows); what must outlive a row goes
 * to the node's arena `a` (the portal's) or an arena of its own made with
 * eng__node_arena (freed at eng_exec_close).
 */
#ifndef HCDB_ENGINE_EXEC_NODE_H
#define HCDB_ENGINE_EXEC_NODE_H

#include "engine/exec.h"
#include "util/buf.h"

typedef struct eng_node eng_node;
typedef struct eng_plan eng_plan;

typedef struct eng_node_ops {
    const char *name;                                     /* "Seq Scan", "Hash Join" */
    int (*next)(eng_node *n, eng_ctx *c, const eng_val **row);
    void (*label)(const eng_node *n, buf *out);           /* text after the name, or NULL */
    void (*detail)(const eng_node *n, eng_plan *p);       /* property lines, or NULL */
} eng_node_ops;

struct eng_node {
    const eng_node_ops *ops;
    eng_node *child, *child2;       /* input; a join's inner side */
    const eng_select *sel;          /* the query level this node belongs to */
    const eng_rel *rel;             /* FROM item, for scans and joins */
    arena *a;                       /* the portal's arena */
    eng_plan *plan;
    void *st;                       /* kind-specific state */
    const char *name_override;      /* e.g. "HashAggregate" vs "Aggregate"; NULL = ops->name */
    bool above_project;             /* emits the query's target rows (EXPLAIN VERBOSE's Output) */
    /* planner estimates (EXPLAIN) */
    double rows, cost0, cost1;
    int width;
    /* EXPLAIN ANALYZE */
    bool started;
    int64_t nrows, loops;
    double t_first, t_total;        /* milliseconds */
    double t_start;
};

/* One plan: the tree, the arenas it owns, the subquery cache. */
struct eng_plan {
    eng_node *top;
    eng_node *scan;                 /* a single-table query's scan (UPDATE/DELETE), or NULL */
    bool instrument;                /* EXPLAIN ANALYZE: time and count every node */
    arena **arenas;                 /* made by eng__node_arena */
    int narenas, caparenas;
    arena *a;
    struct eng_subcache *cache;
    /* EXPLAIN output under construction (explain.c) */
    buf *out;
    int indent;
    bool verbose, json;
    bool json_first;                /* no property written yet in the current JSON object */
    bool json_inline;               /* the next object opens on the current line (after a key) */
};

/* Filter's state, read by EXPLAIN to show it as its child's "Filter:" line. */
typedef struct eng_filter_state {
    const eng_expr *cond;
    bool agg_row;                   /* HAVING: cond reads the Agg node's rows */
} eng_filter_state;

/* Pull one row from a child (counts and times it under ANALYZE). */
int eng__next(eng_node *n, eng_ctx *c, const eng_val **row);
int eng__check(eng_ctx *c);
eng_node *eng__node(eng_plan *p, const eng_node_ops *ops, const eng_select *sel, eng_node *child);
arena *eng__node_arena(eng_plan *p);

/* Build (and free) a plan for a query level; instrument for EXPLAIN ANALYZE. */
int eng__plan_open(arena *a, const eng_select *sel, eng_ctx *c, bool instrument, eng_plan **out)
    __attribute__((warn_unused_result));
void eng__plan_close(eng_plan *p);
/* exec_sub.c: the plan's cache of uncorrelated subquery results. */
struct eng_subcache *eng__subcache(eng_plan *p);

/* Planning (exec.c): a FROM item, a whole query level. */
eng_node *eng__plan_rel(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c);
eng_node *eng__plan_select(eng_plan *p, const eng_select *sel, eng_ctx *c);
/* exec_join.c */
eng_node *eng__plan_join(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c);
/* exec_agg.c: Agg, Sort, Unique over a query level */
eng_node *eng__plan_agg(eng_plan *p, const eng_select *sel, eng_node *child);
eng_node *eng__plan_sort(eng_plan *p, const eng_select *sel, eng_node *child);
/* A LIMIT above needs only the first `bound` rows of this Sort (top-N). */
void eng__sort_bound(eng_node *sort, int64_t bound);
eng_node *eng__plan_distinct(eng_plan *p, const eng_select *sel, eng_node *child);
/* exec_setop.c: subquery scans, VALUES, UNION / INTERSECT / EXCEPT */
eng_node *eng__plan_subquery(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c);
eng_node *eng__plan_values(eng_plan *p, const eng_select *sel, const eng_rel *r);
eng_node *eng__plan_setop(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c);

/* Copy a value's payload into a (so it outlives the row arena). */
int eng__copy_val(arena *a, uint32_t type, eng_val *v);
/* Values of this type live in eng_val.i / .f (no payload to copy). */
bool eng__fixed_len(uint32_t type);
/* Hash / equality of values as GROUP BY, DISTINCT and hash joins see them:
 * NULLs equal each other; numeric 1.0 equals 1.00; -0.0 equals 0.0. */
uint64_t eng__val_hash(uint32_t type, const eng_val *v);
bool eng__val_same(uint32_t type, const eng_val *a, const eng_val *b);

/* Whether `a = b` over these types may be answered by eng__val_hash/val_same
 * (int2/4/8 and oid hash alike, as all are held as int64). */
bool eng__hashable_pair(uint32_t a, uint32_t b);

/* A hash table of rows keyed by some of their values (exec_setop.c). */
typedef struct eng_rowtab eng_rowtab;
typedef struct eng_rowent {
    struct eng_rowent *next;        /* same bucket */
    uint64_t hash;
    eng_val *row;                   /* copied into the table's arena */
    int64_t count[2];               /* per-side counts (set operations), or free for the user */
    bool matched;                   /* hash join: found by some outer row */
} eng_rowent;
eng_rowtab *eng__rowtab_new(arena *a, int nkeys, const int *keys, const uint32_t *types);
/* Find the entry whose key equals row's; with add, insert a copy of row
 * (width values) when none. NULL: not found (or out of memory with add;
 * *oom tells). */
eng_rowent *eng__rowtab_find(eng_rowtab *t, const eng_val *row, int width, const uint32_t *coltypes, bool add,
                             bool *oom);
/* The i-th entry in insertion order, or NULL past the end. */
eng_rowent *eng__rowtab_at(eng_rowtab *t, size_t i);
size_t eng__rowtab_count(const eng_rowtab *t);

/* explain.c: deparse an expression of a query level into b. agg_row: e
 * reads the Agg node's rows. */
void eng__deparse(const eng_select *sel, const eng_expr *e, bool agg_row, bool qualify, buf *b);
void eng__explain_prop(eng_plan *p, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void eng__explain_expr(eng_plan *p, const char *key, const eng_node *n, const eng_expr *e, bool agg_row);
/* Whether EXPLAIN names columns with their item (VERBOSE, or several items). */
bool eng__explain_qualify(const eng_plan *p, const eng_select *sel);

#endif
