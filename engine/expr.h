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
    BX_OUTERCOL,               /* index: column of an enclosing query's row, ival levels up (1 = parent) */
    BX_SUBLINK,                /* sub; ival: ast_sublink_kind; ANY/ALL: args[0] tested with proc */
    BX_GROUPREF,               /* binder only: index-th GROUP BY key, before the Agg layout is fixed */
    BX_ARRAY,                  /* ARRAY[args] of type `type` */
    BX_SCALARARRAY,            /* args[0] op ANY/ALL (args[1]); ival SUBLINK_ANY/ALL; subtest as BX_SUBLINK's */
    BX_SUBSCRIPT,              /* args[0][args[1]] */
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
    struct eng_select *sub;    /* BX_SUBLINK */
    eng_expr *subtest;         /* BX_SUBLINK ANY/ALL: the comparison over the row [lhs, subquery value] */
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

typedef enum eng_agg_kind {
    AGG_COUNT_STAR, AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_STRING_AGG, AGG_BOOL_AND, AGG_BOOL_OR,
    AGG_ARRAY_AGG
} eng_agg_kind;

typedef struct eng_agg {
    eng_agg_kind kind;
    eng_expr *arg;             /* NULL for count(*) */
    eng_expr *arg2;            /* string_agg's delimiter */
    eng_expr *filter;          /* FILTER (WHERE ...), or NULL */
    bool distinct;             /* agg(DISTINCT x) */
    const char *name;          /* as written, for EXPLAIN */
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
typedef struct eng_select eng_select;

/* FROM items. Every base item owns columns [lo, lo + ncols) of the query's
 * FROM row (width eng_select.width), numbered left to right, so a join
 * subtree covers one contiguous range and expressions read any column of
 * the FROM row by its position (BX_SCANCOL). */
typedef enum eng_rel_kind { REL_TABLE, REL_FUNC, REL_SUBQUERY, REL_VALUES, REL_SETOP, REL_JOIN } eng_rel_kind;
typedef enum eng_join_kind { EJ_INNER, EJ_LEFT, EJ_FULL, EJ_RIGHT } eng_join_kind;

typedef struct eng_rel eng_rel;
struct eng_rel {
    eng_rel_kind kind;
    int lo, ncols;             /* its columns in the FROM row */
    const char *alias;         /* name it is referred to by (EXPLAIN) */
    struct eng_table *table;   /* REL_TABLE */
    eng_expr *func;            /* REL_FUNC: a set-returning BX_FUNC */
    eng_select *sub;           /* REL_SUBQUERY */
    int nvalues;               /* REL_VALUES: rows of ncols expressions */
    eng_expr ***values;
    int setop;                 /* REL_SETOP: ast_setop over larg, rarg */
    bool setop_all;
    eng_select *larg, *rarg;
    eng_rel *left, *right;     /* REL_JOIN */
    eng_join_kind join;
    eng_expr *cond;            /* REL_JOIN: ON / USING / pushed-down WHERE conjuncts, or NULL */
    eng_expr *quals;           /* base items: WHERE conjuncts on their own columns only */
};

struct eng_select {
    int ntargets;
    eng_target *targets;
    eng_expr *where;           /* what of WHERE was not pushed into the FROM tree */
    eng_expr *limit, *offset;  /* int8 or NULL */
    eng_expr *scan_func;       /* FROM f(...): a set-returning BX_FUNC, or NULL */
    uint32_t scan_type;
    bool long_running;         /* calls a function that may run for long */
    struct eng_table *table;   /* the one FROM table of a single-table query, or NULL */
    bool uses_tables;          /* reads some table (here or in a subquery) */
    bool correlated;           /* reads columns of an enclosing query */
    eng_rel *from;             /* NULL: one empty row */
    int width;                 /* FROM row width */
    const char **col_names;    /* per FROM column: its name and its entry's name (EXPLAIN) */
    const char **col_rels;
    uint32_t *col_types;       /* per FROM column: its type */
    int nvisible;              /* targets sent to the client; the rest are ORDER BY keys */
    int naggs;
    eng_agg *aggs;
    bool grouped;              /* an Agg node runs: its rows are [group keys | aggregates] */
    int ngroup;
    eng_expr **group;          /* GROUP BY keys over the FROM row */
    eng_expr *having;          /* over the Agg row */
    bool distinct;             /* SELECT DISTINCT over the visible targets */
    int ndistinct_on;          /* DISTINCT ON: these targets */
    int *distinct_on;
    int nsort;
    eng_sortkey *sort;
};

/* Bind a SELECT. `text` is the query text, for error positions. */
int eng_bind_select(arena *a, const char *text, const eng_env *env, const ast_select *sel, eng_params *params,
                    eng_select **out, pgw_error *err) __attribute__((warn_unused_result));

/* eval_array.c: BX_ARRAY, BX_SCALARARRAY, BX_SUBSCRIPT. */
int eng__eval_array(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
    __attribute__((warn_unused_result));
/* lhs op ANY/ALL over vals with e->subtest: SQL's three-valued result. */
int eng__quantified(eng_ctx *c, const eng_expr *e, const eng_val *lhs, const eng_val *vals, size_t n, eng_val *out)
    __attribute__((warn_unused_result));

/* A copy of t->expr in `a` whose placeholder for the nested set-returning
 * call (t->srf_hole) is the new constant *hole, for the executor to fill
 * with each of the call's values. Only nodes above the hole are copied. */
eng_expr *eng_srf_instance(arena *a, const eng_target *t, eng_expr **hole);
/* exec_sub.c: a BX_SUBLINK for the current row. */
int eng__sublink_eval(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
    __attribute__((warn_unused_result));

/* Evaluate e for the current row (scan values in `scan`, may be NULL). */
int eng_eval(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out) __attribute__((warn_unused_result));

#endif
