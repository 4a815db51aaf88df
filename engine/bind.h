/* bind: internal to the binder's files (bind.c, bind_expr.c, resolve.c). */
#ifndef HCDB_ENGINE_BIND_H
#define HCDB_ENGINE_BIND_H

#include "engine/expr.h"

/* One FROM entry visible by name: a table, function, subquery or VALUES. */
typedef struct eng_rte {
    const char *alias;
    int lo, ncols;              /* its columns in the FROM row */
    const char **names;
    uint32_t *types;
    int32_t *typmods;
} eng_rte;

/* A JOIN USING / NATURAL column, seen unqualified as one column. */
typedef struct eng_merged {
    const char *name;
    eng_expr *expr;
} eng_merged;

/* The names one query level sees; parent = the enclosing query (for
 * correlated subqueries). */
typedef struct eng_scope eng_scope;
struct eng_scope {
    eng_scope *parent;
    eng_select *sel;            /* marked correlated when a deeper level reads this one */
    eng_rte *rtes;
    int nrtes, caprtes;
    eng_merged *merged;
    int nmerged, capmerged;
    ast_target *star;           /* what `*` expands to, in order */
    int nstar;
    int width;
};

/* WITH queries visible where a table name is looked up. */
typedef struct eng_ctes {
    const ast_cte *v;
    int n;
    const struct eng_ctes *parent;
} eng_ctes;

typedef struct bctx {
    arena *a;
    const char *text;
    const eng_env *env;
    eng_params *params;
    pgw_error *err;
    int depth;
    eng_scope *scope;           /* names in reach; NULL = none (VALUES, no FROM) */
    const eng_ctes *ctes;
    eng_select *agg_sel;        /* where aggregates go; NULL = not allowed here */
    bool in_agg;                /* binding an aggregate's argument */
    const char *clause;         /* "WHERE", "JOIN conditions", ...: named when an aggregate is misplaced */
    bool setop_branch;          /* the next query bound is a set operation's branch (keeps unknown outputs) */
    bool srf_ok;                /* a set-returning call is allowed here */
    bool saw_srf;
    bool saw_long;              /* a call to an ENG_F_LONG function */
    bool saw_table;             /* a table is read */
    eng_expr **param_nodes;     /* every BX_PARAM made, to fix types at the end */
    int nparam_nodes, cap_param_nodes;
} bctx;

void eng__errpos(bctx *b, int loc);
eng_expr *eng__bx_new(bctx *b, bx_kind k, uint32_t type, int loc, int nargs);
eng_expr *eng__coerce(bctx *b, eng_expr *e, uint32_t type, int32_t typmod, eng_cast_ctx cc, int loc);
eng_expr *eng__coerce_to_bool(bctx *b, eng_expr *e, const char *construct);
int eng__common_type(bctx *b, eng_expr **es, int n, const char *context, uint32_t *out);
eng_expr *eng__bind_expr(bctx *b, const ast_expr *x);

/* Resolve an operator or function call over bound args and coerce them;
 * returns the BX_FUNC node. */
eng_expr *eng__make_call(bctx *b, const char *name, bool is_op, eng_expr **args, int nargs, int loc);
/* Only resolve: the chosen proc, or NULL with err filled. */
const eng_proc *eng__resolve(bctx *b, const char *name, bool is_op, eng_expr **args, int nargs, int loc);

/* bind_from.c: FROM items into the scope and sel->from; WHERE pushdown. */
int eng__bind_from(bctx *b, const ast_select *sel, eng_select *out);
/* A scope holding one table at column 0 (UPDATE/DELETE/INSERT targets). */
int eng__scope_table(bctx *b, const ast_fromitem *f, eng_scope *sc, eng_select *out);
eng_expr *eng__colref(bctx *b, const ast_expr *x);
void eng__push_quals_arena(arena *a, eng_select *s);
/* Record the scope's column names in s (for EXPLAIN). */
int eng__name_columns(bctx *b, eng_select *s);
/* Expand `*` targets; returns the new target list in *out. */
int eng__expand_star(bctx *b, const ast_select *sel, ast_select *out);
/* bind_array.c: ARRAY[...], op ANY/ALL (array), subscripts */
eng_expr *eng__bind_array(bctx *b, const ast_expr *x);
eng_expr *eng__bind_scalararray(bctx *b, const ast_expr *x);
eng_expr *eng__bind_subscript(bctx *b, const ast_expr *x);
/* The comparison `l op r` over the row [l, r] (ANY/ALL tests). */
eng_expr *eng__pair_test(bctx *b, const char *op, const eng_expr *l, uint32_t rtype, int32_t rtypmod, int loc,
                         const char *construct);
/* bind_sub.c: subqueries in expressions, set operations, VALUES */
eng_expr *eng__sublink(bctx *b, const ast_expr *x);
int eng__bind_setop(bctx *b, const ast_select *sel, eng_select *out);
int eng__bind_values(bctx *b, const ast_select *sel, eng_select *out);
/* Bind a complete query level below the current one (scope parent given). */
int eng__bind_query(bctx *b, const ast_select *sel, eng_scope *parent, eng_select **out);

/* bind_table.c: aggregates and ORDER BY */
eng_expr *eng__agg_call(bctx *b, const ast_expr *x);
bool eng__is_agg_name(const char *name);
int eng__bind_sort(bctx *b, const ast_select *sel, eng_select *out);
/* bind_group.c: GROUP BY, HAVING, DISTINCT; the 42803 checks. */
int eng__bind_grouping(bctx *b, const ast_select *sel, eng_select *out);
int eng__bind_distinct(bctx *b, const ast_select *sel, eng_select *out);
bool eng__expr_equal(const eng_expr *a, const eng_expr *b);
int eng__finish_params(bctx *b);
int eng__bind_select_in(bctx *b, const ast_select *sel, eng_select **out);

/* bind_srf.c: mark target t as set-returning; a call nested in
 * its expression is moved to t->srf_call, a NULL constant in its place. */
int eng__lift_srf(bctx *b, eng_target *t);

#endif
