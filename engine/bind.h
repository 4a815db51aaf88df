/* bind: internal to the binder's files (bind.c, bind_expr.c, resolve.c). */
#ifndef HCDB_ENGINE_BIND_H
#define HCDB_ENGINE_BIND_H

#include "engine/expr.h"

typedef struct bctx {
    arena *a;
    const char *text;
    const eng_env *env;
    eng_params *params;
    pgw_error *err;
    int depth;
    const char *scan_name;      /* the FROM function's column name, or NULL */
    const char *scan_alias;     /* its table alias */
    uint32_t scan_type;
    const struct eng_table *table; /* FROM table, or NULL */
    const char *table_alias;    /* its alias or name */
    eng_select *agg_sel;        /* where aggregates go; NULL = not allowed here */
    bool in_agg;                /* binding an aggregate's argument */
    bool srf_ok;                /* a set-returning call is allowed here */
    bool saw_srf;
    bool saw_long;              /* a call to an ENG_F_LONG function */
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

/* bind_table.c */
int eng__bind_from_table(bctx *b, const ast_fromitem *f, eng_select *out);
eng_expr *eng__table_colref(bctx *b, const ast_expr *x);
eng_expr *eng__agg_call(bctx *b, const ast_expr *x);
bool eng__is_agg_name(const char *name);
/* Aggregate query checks: no bare column outside an aggregate (42803). */
int eng__check_grouping(bctx *b, const eng_select *s);
int eng__bind_sort(bctx *b, const ast_select *sel, eng_select *out);
/* Expand `*` targets; returns the new target list in *out. */
int eng__expand_star(bctx *b, const ast_select *sel, ast_select *out);
int eng__finish_params(bctx *b);
int eng__bind_select_in(bctx *b, const ast_select *sel, eng_select **out);

/* bind_srf.c: mark target t as set-returning; a call nested in
 * its expression is moved to t->srf_call, a NULL constant in its place. */
int eng__lift_srf(bctx *b, eng_target *t);

#endif
