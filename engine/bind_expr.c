/* bind_expr: one AST expression → a bound, typed expression (see bind.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/bind.h"
#include "engine/types/array.h"
#include "engine/types/numeric.h"

static eng_expr *const_node(bctx *b, uint32_t type, int loc)
{
    return eng__bx_new(b, BX_CONST, type, loc, 0);
}

/* make_const: integer-looking T_Float text that fits int8 is int8, else numeric. */
static eng_expr *num_const(bctx *b, const ast_expr *x)
{
    const char *s = x->str;
    if (!strpbrk(s, ".eE")) {
        errno = 0;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (errno == 0 && *end == '\0') {
            eng_expr *e = const_node(b, OID_INT8, x->loc);
            if (e)
                e->val.i = v;
            return e;
        }
    }
    eng_expr *e = const_node(b, OID_NUMERIC, x->loc);
    if (!e)
        return NULL;
    eng_ctx c = {.mem = b->a, .err = b->err, .env = b->env};
    if (!(e->val.num = eng__num_parse(&c, s, strlen(s))))
        return NULL;
    return e;
}

static eng_expr *param_node(bctx *b, const ast_expr *x)
{
    int64_t n = x->ival;
    eng_params *p = b->params;
    if (n < 1 || n > 65535 || (p->fixed && n > p->n)) {
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_PARAMETER, "there is no parameter $%lld", (long long)n);
        eng__errpos(b, x->loc);
        return NULL;
    }
    if (n > p->cap) {
        int cap = (int)n + 8;
        uint32_t *t = arena_calloc(b->a, (size_t)cap, sizeof(uint32_t));
        if (!t)
            return pgw_error_oom(b->err), NULL;
        if (p->n)
            memcpy(t, p->types, (size_t)p->n * sizeof(uint32_t));
        p->types = t;
        p->cap = cap;
    }
    if (n > p->n)
        p->n = (int)n;
    uint32_t t = p->types[n - 1];
    eng_expr *e = eng__bx_new(b, BX_PARAM, t ? t : OID_UNKNOWN, x->loc, 0);
    if (!e)
        return NULL;
    e->index = (int)n - 1;
    if (b->nparam_nodes == b->cap_param_nodes) {
        int cap = b->cap_param_nodes * 2 + 8;
        eng_expr **nodes = arena_alloc(b->a, (size_t)cap * sizeof(*nodes));
        if (!nodes)
            return pgw_error_oom(b->err), NULL;
        if (b->nparam_nodes)
            memcpy(nodes, b->param_nodes, (size_t)b->nparam_nodes * sizeof(*nodes));
        b->param_nodes = nodes;
        b->cap_param_nodes = cap;
    }
    b->param_nodes[b->nparam_nodes++] = e;
    return e;
}

static int bind_args(bctx *b, const ast_expr *x, int from, eng_expr **out)
{
    for (int i = from; i < x->nargs; i++)
        if (!(out[i - from] = eng__bind_expr(b, x->args[i])))
            return -1;
    return 0;
}

static eng_expr *bool_node(bctx *b, const ast_expr *x, bx_kind k, const char *construct)
{
    eng_expr *e = eng__bx_new(b, k, OID_BOOL, x->loc, x->nargs);
    if (!e || bind_args(b, x, 0, e->args))
        return NULL;
    for (int i = 0; i < x->nargs; i++)
        if (!(e->args[i] = eng__coerce_to_bool(b, e->args[i], construct)))
            return NULL;
    return e;
}

static eng_expr *cast_node(bctx *b, const ast_expr *x)
{
    const ast_expr *src = x->args[0];
    /* ARRAY[]::t[]: the cast gives the empty array its type */
    bool empty_array = src->kind == AST_ARRAY && src->nargs == 0 && x->type.is_array;
    eng_expr *arg = empty_array ? NULL : eng__bind_expr(b, src);
    if (!arg && !empty_array)
        return NULL;
    const eng_type *t = eng_type_by_name(x->type.name);
    if (!t) {
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", x->type.name);
        eng__errpos(b, x->type.loc);
        return NULL;
    }
    if (x->type.is_array) {
        uint32_t at = eng_array_of(t->oid);
        if (!at) {
            pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "arrays of type %s are not supported yet", t->sqlname);
            eng__errpos(b, x->type.loc);
            return NULL;
        }
        if (empty_array)
            return eng__bx_new(b, BX_ARRAY, at, src->loc, 0);
        return eng__coerce(b, arg, at, -1, ENG_CAST_EXPLICIT, x->loc);
    }
    int32_t typmod;
    if (eng_type_typmod(t, x->type.mods, x->type.nmods, &typmod, b->err)) {
        eng__errpos(b, x->type.loc);
        return NULL;
    }
    /* bpchar written as CHARACTER without a length means char(1) */
    return eng__coerce(b, arg, t->oid, typmod, ENG_CAST_EXPLICIT, x->loc);
}

static eng_expr *common_list(bctx *b, eng_expr **es, int n, const char *context, bx_kind k, int loc)
{
    uint32_t t;
    if (eng__common_type(b, es, n, context, &t))
        return NULL;
    eng_expr *e = eng__bx_new(b, k, t, loc, n);
    if (!e)
        return NULL;
    for (int i = 0; i < n; i++) {
        if (!es[i])
            continue;
        if (!(e->args[i] = eng__coerce(b, es[i], t, -1, ENG_CAST_IMPLICIT, es[i]->loc)))
            return NULL;
    }
    return e;
}

/* CASE [arg] WHEN w THEN r ... ELSE d END: args[0] arg, then pairs, then else. */
static eng_expr *case_node(bctx *b, const ast_expr *x)
{
    int npairs = (x->nargs - 2) / 2;
    eng_expr *arg = x->args[0] ? eng__bind_expr(b, x->args[0]) : NULL;
    if (x->args[0] && !arg)
        return NULL;
    eng_expr **results = arena_calloc(b->a, (size_t)npairs + 1, sizeof(eng_expr *));
    eng_expr **conds = arena_calloc(b->a, (size_t)npairs + 1, sizeof(eng_expr *));
    if (!results || !conds)
        return pgw_error_oom(b->err), NULL;
    for (int i = 0; i < npairs; i++) {
        eng_expr *w = eng__bind_expr(b, x->args[1 + 2 * i]);
        if (!w)
            return NULL;
        if (arg) {
            eng_expr *pair[2] = {arg, w};
            if (!(w = eng__make_call(b, "=", true, pair, 2, w->loc)))
                return NULL;
        }
        if (!(conds[i] = eng__coerce_to_bool(b, w, "CASE/WHEN")))
            return NULL;
        if (!(results[i] = eng__bind_expr(b, x->args[2 + 2 * i])))
            return NULL;
    }
    const ast_expr *dx = x->args[x->nargs - 1];
    if (dx && !(results[npairs] = eng__bind_expr(b, dx)))
        return NULL;
    if (!dx) {
        eng_expr *nul = const_node(b, OID_UNKNOWN, x->loc);
        if (!nul)
            return NULL;
        nul->val.null = true;
        results[npairs] = nul;
    }
    /* PostgreSQL puts the ELSE result first when choosing the common type */
    eng_expr **order = arena_calloc(b->a, (size_t)npairs + 1, sizeof(eng_expr *));
    if (!order)
        return pgw_error_oom(b->err), NULL;
    order[0] = results[npairs];
    memcpy(order + 1, results, (size_t)npairs * sizeof(eng_expr *));
    eng_expr *r = common_list(b, order, npairs + 1, "CASE", BX_CASE, x->loc);
    if (!r)
        return NULL;
    memcpy(results, r->args + 1, (size_t)npairs * sizeof(eng_expr *));
    results[npairs] = r->args[0];
    eng_expr *e = eng__bx_new(b, BX_CASE, r->type, x->loc, 2 * npairs + 1);
    if (!e)
        return NULL;
    for (int i = 0; i < npairs; i++) {
        e->args[2 * i] = conds[i];
        e->args[2 * i + 1] = results[i];
    }
    e->args[2 * npairs] = results[npairs];
    return e;
}

/* NULLIF(a, b) and IS [NOT] DISTINCT FROM: an = operator over both. */
static eng_expr *eq_based(bctx *b, const ast_expr *x, bx_kind k)
{
    eng_expr *args[2];
    if (bind_args(b, x, 0, args))
        return NULL;
    eng_expr *eq = eng__make_call(b, "=", true, args, 2, x->loc);
    if (!eq)
        return NULL;
    if (eq->type != OID_BOOL) {
        pgw_error_set(b->err, SQLSTATE_DATATYPE_MISMATCH, "%s requires = operator to yield boolean",
                      k == BX_NULLIF ? "NULLIF" : "IS DISTINCT FROM");
        eng__errpos(b, x->loc);
        return NULL;
    }
    eng_expr *e = eng__bx_new(b, k, k == BX_NULLIF ? eq->args[0]->type : OID_BOOL, x->loc, 2);
    if (!e)
        return NULL;
    e->proc = eq->proc;
    e->args[0] = eq->args[0];
    e->args[1] = eq->args[1];
    e->negate = x->negate;
    return e;
}

/* a IN (b, c) → a = b OR a = c; NOT IN → a <> b AND a <> c. */
static eng_expr *in_node(bctx *b, const ast_expr *x)
{
    eng_expr *lhs = eng__bind_expr(b, x->args[0]);
    if (!lhs)
        return NULL;
    eng_expr *e = eng__bx_new(b, x->negate ? BX_AND : BX_OR, OID_BOOL, x->loc, x->nargs - 1);
    if (!e)
        return NULL;
    for (int i = 1; i < x->nargs; i++) {
        eng_expr *pair[2] = {lhs, eng__bind_expr(b, x->args[i])};
        if (!pair[1])
            return NULL;
        eng_expr *cmp = eng__make_call(b, x->negate ? "<>" : "=", true, pair, 2, x->loc);
        if (!cmp || !(e->args[i - 1] = eng__coerce_to_bool(b, cmp, "IN")))
            return NULL;
    }
    return e;
}

static eng_expr *minmax_node(bctx *b, const ast_expr *x)
{
    eng_expr **args = arena_calloc(b->a, (size_t)x->nargs + 1, sizeof(eng_expr *));
    if (!args)
        return pgw_error_oom(b->err), NULL;
    if (bind_args(b, x, 0, args))
        return NULL;
    eng_expr *e = common_list(b, args, x->nargs, x->kind == AST_GREATEST ? "GREATEST" : "LEAST", BX_MINMAX, x->loc);
    if (!e)
        return NULL;
    eng_expr *pair[2] = {e->args[0], e->args[0]};
    bctx quiet = *b;
    e->proc = eng__resolve(&quiet, "<", true, pair, 2, x->loc);
    if (!e->proc || e->proc->args[0] != e->type) {
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_FUNCTION, "could not identify a comparison function for type %s",
                      eng_type_sqlname(e->type));
        eng__errpos(b, x->loc);
        return NULL;
    }
    e->negate = x->kind == AST_LEAST;
    return e;
}

static eng_expr *func_node(bctx *b, const ast_expr *x)
{
    if (eng__is_agg_name(x->name))
        return eng__agg_call(b, x);
    if (x->agg_filter) {
        pgw_error_set(b->err, SQLSTATE_WRONG_OBJECT_TYPE, "FILTER specified, but %s is not an aggregate function",
                      x->name);
        eng__errpos(b, x->loc);
        return NULL;
    }
    if (x->star || x->distinct || x->nagg_order) {
        if (x->star)
            pgw_error_set(b->err, SQLSTATE_WRONG_OBJECT_TYPE, "%s(*) specified, but %s is not an aggregate function",
                          x->name, x->name);
        else
            pgw_error_set(b->err, SQLSTATE_WRONG_OBJECT_TYPE, "%s specified, but %s is not an aggregate function",
                          x->distinct ? "DISTINCT" : "ORDER BY", x->name);
        eng__errpos(b, x->loc);
        return NULL;
    }
    if (x->nargs > ENG_PROC_MAX_ARGS) {
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_FUNCTION, "function %s with %d arguments does not exist", x->name,
                      x->nargs);
        pgw_error_hint(b->err, "No function matches the given name and argument types. You might need to add "
                               "explicit type casts.");
        eng__errpos(b, x->loc);
        return NULL;
    }
    /* Arguments of a select-list call may hold one set-returning call
     * (hc_map_codepoint(generate_series(1, 10))); the binder lifts it into
     * the target's ProjectSet step (eng__lift_srf). */
    bool saw_before = b->saw_srf;
    eng_expr *args[ENG_PROC_MAX_ARGS];
    if (bind_args(b, x, 0, args))
        return NULL;
    bool nested = b->saw_srf && !saw_before;
    eng_expr *e = eng__make_call(b, x->name, false, args, x->nargs, x->loc);
    if (e && (e->proc->flags & ENG_F_SRF)) {
        if (nested || saw_before) {
            pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "only one set-returning function per select-list item is supported");
            eng__errpos(b, x->loc);
            return NULL;
        }
        b->saw_srf = true;
    }
    if (e && (e->proc->flags & ENG_F_LONG))
        b->saw_long = true;
    if (e && (e->proc->flags & ENG_F_TABLES))
        b->saw_table = true;
    return e;
}

static eng_expr *sqlvalue_node(bctx *b, const ast_expr *x)
{
    static const char *const fn[] = {"current_date", "now", "localtimestamp", "current_user", "session_user",
                                     "current_user", "current_user", "current_database", "current_schema"};
    if (x->ival < 0 || x->ival >= (int64_t)(sizeof(fn) / sizeof(fn[0])))
        return NULL;
    return eng__make_call(b, fn[x->ival], false, NULL, 0, x->loc);
}

static eng_expr *bind_inner(bctx *b, const ast_expr *x)
{
    eng_expr *e;
    switch (x->kind) {
    case AST_CONST_INT:
        if ((e = const_node(b, OID_INT4, x->loc)))
            e->val.i = x->ival;
        return e;
    case AST_CONST_NUM:
        return num_const(b, x);
    case AST_CONST_STR:
        if ((e = const_node(b, OID_UNKNOWN, x->loc))) {
            e->val.s.p = x->str;
            e->val.s.n = strlen(x->str);
        }
        return e;
    case AST_CONST_BOOL:
        if ((e = const_node(b, OID_BOOL, x->loc)))
            e->val.i = x->ival;
        return e;
    case AST_CONST_NULL:
        if ((e = const_node(b, OID_UNKNOWN, x->loc)))
            e->val.null = true;
        return e;
    case AST_PARAM:
        return param_node(b, x);
    case AST_COLREF:
        return eng__colref(b, x);
    case AST_SUBLINK:
        return eng__sublink(b, x);
    case AST_ARRAY:
        return eng__bind_array(b, x);
    case AST_SCALARARRAY:
        return eng__bind_scalararray(b, x);
    case AST_SUBSCRIPT:
        return eng__bind_subscript(b, x);
    case AST_OP: {
        eng_expr *args[2];
        if (bind_args(b, x, 0, args))
            return NULL;
        return eng__make_call(b, x->name, true, args, x->nargs, x->loc);
    }
    case AST_AND:
        return bool_node(b, x, BX_AND, "AND");
    case AST_OR:
        return bool_node(b, x, BX_OR, "OR");
    case AST_NOT:
        return bool_node(b, x, BX_NOT, "NOT");
    case AST_IS_NULL:
        if (!(e = eng__bx_new(b, BX_ISNULL, OID_BOOL, x->loc, 1)) || bind_args(b, x, 0, e->args))
            return NULL;
        e->negate = x->negate;
        return e;
    case AST_BOOLTEST: {
        static const char *const names[2][3] = {{"IS TRUE", "IS FALSE", "IS UNKNOWN"},
                                                {"IS NOT TRUE", "IS NOT FALSE", "IS NOT UNKNOWN"}};
        if (!(e = eng__bx_new(b, BX_BOOLTEST, OID_BOOL, x->loc, 1)) || bind_args(b, x, 0, e->args))
            return NULL;
        e->ival = (int)x->ival;
        e->negate = x->negate;
        if (!(e->args[0] = eng__coerce_to_bool(b, e->args[0], names[x->negate][x->ival % 3])))
            return NULL;
        return e;
    }
    case AST_DISTINCT:
        return eq_based(b, x, BX_DISTINCT);
    case AST_NULLIF:
        return eq_based(b, x, BX_NULLIF);
    case AST_IN:
        return in_node(b, x);
    case AST_CASE:
        return case_node(b, x);
    case AST_COALESCE: {
        eng_expr **args = arena_calloc(b->a, (size_t)x->nargs + 1, sizeof(eng_expr *));
        if (!args || bind_args(b, x, 0, args))
            return args ? NULL : (pgw_error_oom(b->err), NULL);
        return common_list(b, args, x->nargs, "COALESCE", BX_COALESCE, x->loc);
    }
    case AST_GREATEST:
    case AST_LEAST:
        return minmax_node(b, x);
    case AST_FUNC:
        return func_node(b, x);
    case AST_CAST:
        return cast_node(b, x);
    case AST_SQLVALUE:
        return sqlvalue_node(b, x);
    case AST_DEFAULT:
        pgw_error_set(b->err, SQLSTATE_SYNTAX_ERROR, "DEFAULT is not allowed in this context");
        eng__errpos(b, x->loc);
        return NULL;
    }
    pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "this expression is not supported yet");
    return NULL;
}

eng_expr *eng__bind_expr(bctx *b, const ast_expr *x)
{
    if (++b->depth > ENG_MAX_DEPTH) {
        eng_err_depth(b->err);
        return NULL;
    }
    bool srf_ok = b->srf_ok;
    if (x->kind != AST_FUNC && x->kind != AST_OP && x->kind != AST_CAST)
        b->srf_ok = false;
    eng_expr *e = bind_inner(b, x);
    b->srf_ok = srf_ok;
    b->depth--;
    return e;
}
