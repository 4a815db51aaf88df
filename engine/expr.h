/*
 * expr: bound expressions and bound SELECTs — what the binder makes of the
 * AST once names, types and functions are resolved with PostgreSQL's rules,
 * and what the evaluator and executor run. Lives in the statement's arena,
 * immutable after binding, so portals of one statement share it.
 */
#ifndef HCDB_ENGINE_EXPR_H
#define HCDB_ENGINE_EXPR_H

#include "engine/func/registry.h"
#include "sql-compat/ast.h"

typedef enum bx_kind {
    BX_CONST, BX_PARAM, BX_SCANCOL, BX_FUNC, BX_AND, BX_OR, BX_NOT, BX_ISNULL, BX_BOOLTEST,
    BX_DISTINCT, BX_NULLIF, BX_CASE, BX_COALESCE, BX_MINMAX, BX_CAST, BX_IOCAST, BX_TYPMOD, BX_RELABEL,
    BX_AGG,                    /* index: the aggregate's slot in the Agg node's output row */
} bx_kind;

typedef struct eng_expr eng_expr;
struct eng_expr {
    bx_kind kind;
    uint32_t type;
    int32_t typmod;
    int loc;
    eng_val val;               /* BX_CONST */
    int index;                 /* BX_PARAM: 0-based; BX_SCANCOL: column */
    const eng_proc *proc;      /* BX_FUNC; BX_DISTINCT/NULLIF/MINMAX: the comparison */
    eng_cast_fn cast;          /* BX_CAST */
    bool negate;               /* IS NOT NULL, IS NOT DISTINCT, IS NOT TRUE; LEAST for MINMAX */
    bool explicit_cast;        /* BX_TYPMOD */
    int ival;                  /* BX_BOOLTEST: 0 TRUE, 1 FALSE, 2 UNKNOWN */
    int nargs;
    eng_expr **args;           /* BX_CASE: [when1, then1, ..., else] */
};

/* Parameter types of a statement: declared ones, then inferred. */
typedef struct eng_params {
    uint32_t *types;           /* 0 = not yet known */
    int n;
    int cap;
    bool fixed;                /* simple protocol: no $n may appear beyond n */
} eng_params;

typedef struct eng_target {
    eng_expr *expr;
    const char *name;
    bool srf;                  /* the target holds a set-returning call */
    eng_expr *srf_call;        /* that call: expr itself, or nested in expr ... */
    const eng_expr *srf_hole;  /* ... where a NULL constant holds its place */
} eng_target;

typedef enum eng_agg_kind { AGG_COUNT_STAR, AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX } eng_agg_kind;

typedef struct eng_agg {
    eng_agg_kind kind;
    eng_expr *arg;             /* NULL for count(*) */
    uint32_t type;             /* result type */
    const eng_proc *step;      /* sum: "+" on the state type; min/max: "<" / ">" */
    const eng_proc *div;       /* avg: "/" on the state type */
    uint32_t state_type;       /* sum/avg accumulate in this type */
} eng_agg;

typedef struct eng_sortkey {
    int target;                /* index into targets (hidden ones follow the visible) */
    bool desc, nulls_first;
    const eng_proc *lt;        /* "<" on the key's type */
} eng_sortkey;

struct eng_table;

typedef struct eng_select {
    int ntargets;
    eng_target *targets;
    eng_expr *where;
    eng_expr *limit, *offset;  /* int8 or NULL */
    eng_expr *scan_func;       /* FROM f(...): a set-returning BX_FUNC, or NULL */
    uint32_t scan_type;
    bool long_running;         /* calls a function that may run for long */
    struct eng_table *table;   /* FROM table, or NULL */
    int nvisible;              /* targets sent to the client; the rest are ORDER BY keys */
    int naggs;
    eng_agg *aggs;
    int nsort;
    eng_sortkey *sort;
} eng_select;

/* Bind a SELECT. `text` is the query text, for error positions. */
int eng_bind_select(arena *a, const char *text, const eng_env *env, const ast_select *sel, eng_params *params,
                    eng_select **out, pgw_error *err) __attribute__((warn_unused_result));

/* A copy of t->expr in `a` whose placeholder for the nested set-returning
 * call (t->srf_hole) is the new constant *hole, for the executor to fill
 * with each of the call's values. Only nodes above the hole are copied. */
eng_expr *eng_srf_instance(arena *a, const eng_target *t, eng_expr **hole);

/* Evaluate e for the current row (scan values in `scan`, may be NULL). */
int eng_eval(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out) __attribute__((warn_unused_result));

#endif
