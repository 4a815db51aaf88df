/*
 * bind: AST → bound expressions, with PostgreSQL's type resolution
 * (parse_oper.c, parse_func.c, parse_coerce.c): unknown literals and
 * parameters take their type from context, operators and functions are
 * chosen by func_select_candidate's rules, CASE/COALESCE/GREATEST use
 * select_common_type. Error texts and SQLSTATEs are PostgreSQL's.
 */
#include <stdio.h>
#include <string.h>

#include "engine/bind.h"
#include "engine/types/numeric.h"
#include "engine/types/text.h"

void eng__errpos(bctx *b, int loc)
{
    if (loc >= 0 && b->text)
        b->err->position = (int)eng_utf8_len(b->text, (size_t)loc) + 1;
}

eng_expr *eng__bx_new(bctx *b, bx_kind k, uint32_t type, int loc, int nargs)
{
    eng_expr *e = arena_calloc(b->a, 1, sizeof(*e));
    if (!e) {
        pgw_error_oom(b->err);
        return NULL;
    }
    e->kind = k;
    e->type = type;
    e->typmod = -1;
    e->loc = loc;
    e->nargs = nargs;
    if (nargs > 0 && !(e->args = arena_calloc(b->a, (size_t)nargs, sizeof(eng_expr *)))) {
        pgw_error_oom(b->err);
        return NULL;
    }
    return e;
}

static eng_ctx const_ctx(bctx *b)
{
    eng_ctx c = {.mem = b->a, .err = b->err, .env = b->env};
    return c;
}

/* ---- coercion -------------------------------------------------------- */

static eng_expr *apply_typmod(bctx *b, eng_expr *e, int32_t typmod, bool explicit_cast)
{
    const eng_type *t = eng_type_by_oid(e->type);
    if (typmod < 0 || !t || !t->typmod)
        return e;
    if (e->kind == BX_CONST) {
        if (!e->val.null) {
            eng_ctx c = const_ctx(b);
            if (t->typmod(&c, &e->val, typmod, explicit_cast))
                return NULL;
        }
        e->typmod = typmod;
        return e;
    }
    eng_expr *m = eng__bx_new(b, BX_TYPMOD, e->type, e->loc, 1);
    if (!m)
        return NULL;
    m->args[0] = e;
    m->typmod = typmod;
    m->explicit_cast = explicit_cast;
    return m;
}

static void note_param_type(bctx *b, eng_expr *e, uint32_t type)
{
    b->params->types[e->index] = type;
    e->type = type;
}

eng_expr *eng__coerce(bctx *b, eng_expr *e, uint32_t type, int32_t typmod, eng_cast_ctx cc, int loc)
{
    if (type == OID_ANY || type == OID_ANYELEMENT || type == OID_ANYNONARRAY)
        type = e->type == OID_UNKNOWN ? OID_TEXT : e->type;
    if (e->type == OID_UNKNOWN && e->kind == BX_CONST) {
        const eng_type *t = eng_type_by_oid(type);
        if (!t || !t->in) {
            pgw_error_set(b->err, SQLSTATE_CANNOT_COERCE, "cannot cast type unknown to %s", eng_type_sqlname(type));
            eng__errpos(b, loc);
            return NULL;
        }
        if (!e->val.null) {
            eng_ctx c = const_ctx(b);
            eng_val v;
            if (t->in(&c, e->val.s.p, e->val.s.n, -1, &v)) {
                eng__errpos(b, e->loc);
                return NULL;
            }
            e->val = v;
        }
        e->type = type;
        return apply_typmod(b, e, typmod, cc == ENG_CAST_EXPLICIT);
    }
    if (e->type == OID_UNKNOWN && e->kind == BX_PARAM) {
        note_param_type(b, e, type);
        return apply_typmod(b, e, typmod, cc == ENG_CAST_EXPLICIT);
    }
    if (e->type == type) {
        if (typmod >= 0 && typmod != e->typmod)
            return apply_typmod(b, e, typmod, cc == ENG_CAST_EXPLICIT);
        return e;
    }
    eng_cast_fn fn;
    bool via_io;
    if (!eng_cast_find(e->type, type, cc, &fn, &via_io)) {
        pgw_error_set(b->err, SQLSTATE_CANNOT_COERCE, "cannot cast type %s to %s", eng_type_sqlname(e->type),
                      eng_type_sqlname(type));
        eng__errpos(b, loc);
        return NULL;
    }
    eng_expr *c = eng__bx_new(b, via_io ? BX_IOCAST : fn ? BX_CAST : BX_RELABEL, type, loc, 1);
    if (!c)
        return NULL;
    c->args[0] = e;
    c->cast = fn;
    return apply_typmod(b, c, typmod, cc == ENG_CAST_EXPLICIT);
}

eng_expr *eng__coerce_to_bool(bctx *b, eng_expr *e, const char *construct)
{
    if (e->type == OID_BOOL)
        return e;
    if (e->type == OID_UNKNOWN)
        return eng__coerce(b, e, OID_BOOL, -1, ENG_CAST_IMPLICIT, e->loc);
    if (!eng_can_coerce(e->type, OID_BOOL)) {
        pgw_error_set(b->err, SQLSTATE_DATATYPE_MISMATCH, "argument of %s must be type %s, not type %s", construct,
                      "boolean", eng_type_sqlname(e->type));
        eng__errpos(b, e->loc);
        return NULL;
    }
    return eng__coerce(b, e, OID_BOOL, -1, ENG_CAST_IMPLICIT, e->loc);
}

/* select_common_type(): the first known type sets the category; a later
 * type wins if it is implicitly reachable and not vice versa. */
int eng__common_type(bctx *b, eng_expr **es, int n, const char *context, uint32_t *out)
{
    uint32_t ptype = OID_UNKNOWN;
    int ploc = -1;
    for (int i = 0; i < n; i++) {
        if (!es[i] || es[i]->type == OID_UNKNOWN)
            continue;
        uint32_t nt = es[i]->type;
        if (ptype == OID_UNKNOWN) {
            ptype = nt;
            ploc = es[i]->loc;
            continue;
        }
        if (nt == ptype)
            continue;
        const eng_type *pt = eng_type_by_oid(ptype), *t = eng_type_by_oid(nt);
        if (!pt || !t || pt->category != t->category) {
            pgw_error_set(b->err, SQLSTATE_DATATYPE_MISMATCH, "%s types %s and %s cannot be matched", context,
                          eng_type_sqlname(ptype), eng_type_sqlname(nt));
            eng__errpos(b, es[i]->loc);
            return -1;
        }
        if (!pt->preferred && eng_can_coerce(ptype, nt) && !eng_can_coerce(nt, ptype)) {
            ptype = nt;
            ploc = es[i]->loc;
        }
    }
    (void)ploc;
    *out = ptype == OID_UNKNOWN ? OID_TEXT : ptype;
    return 0;
}

/* ---- SELECT ------------------------------------------------------------ */

static int bind_targets(bctx *b, const ast_select *sel, eng_select *out)
{
    out->ntargets = sel->ntargets;
    out->targets = arena_calloc(b->a, (size_t)sel->ntargets + 1, sizeof(eng_target));
    if (!out->targets)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < sel->ntargets; i++) {
        b->srf_ok = true;
        b->saw_srf = false;
        b->agg_sel = out;
        eng_expr *e = eng__bind_expr(b, sel->targets[i].expr);
        b->agg_sel = NULL;
        b->srf_ok = false;
        if (!e)
            return -1;
        out->targets[i].expr = e;
        out->targets[i].name = sel->targets[i].name;
        if (b->saw_srf && eng__lift_srf(b, &out->targets[i]))
            return -1;
    }
    /* resolveTargetListUnknowns: what is still unknown becomes text. */
    for (int i = 0; i < sel->ntargets; i++) {
        eng_expr *e = out->targets[i].expr;
        if (e->kind == BX_PARAM && e->type == OID_UNKNOWN && b->params->types[e->index])
            e->type = b->params->types[e->index];
        if (e->type == OID_UNKNOWN && !b->setop_branch &&
            !(out->targets[i].expr = eng__coerce(b, e, OID_TEXT, -1, ENG_CAST_IMPLICIT, e->loc)))
            return -1;
    }
    return 0;
}

static int bind_limit(bctx *b, const ast_expr *x, const char *what, eng_expr **out)
{
    if (!x)
        return 0;
    b->clause = what;
    eng_expr *e = eng__bind_expr(b, x);
    b->clause = NULL;
    if (!e)
        return -1;
    if (e->type != OID_INT8 && e->type != OID_UNKNOWN && !eng_can_coerce(e->type, OID_INT8)) {
        pgw_error_set(b->err, SQLSTATE_DATATYPE_MISMATCH, "argument of %s must be type bigint, not type %s", what,
                      eng_type_sqlname(e->type));
        eng__errpos(b, e->loc);
        return -1;
    }
    *out = eng__coerce(b, e, OID_INT8, -1, ENG_CAST_IMPLICIT, e->loc);
    return *out ? 0 : -1;
}

/* Every $n must have a type by now (PostgreSQL: 42P18); then every param
 * node takes its parameter's final type. */
int eng__finish_params(bctx *b)
{
    eng_params *p = b->params;
    for (int i = 0; i < p->n; i++) {
        if (!p->types[i] || p->types[i] == OID_UNKNOWN) {
            pgw_error_set(b->err, SQLSTATE_INDETERMINATE_DATATYPE, "could not determine data type of parameter $%d", i + 1);
            return -1;
        }
    }
    for (int i = 0; i < b->nparam_nodes; i++)
        b->param_nodes[i]->type = p->types[b->param_nodes[i]->index];
    return 0;
}

static int bind_where(bctx *b, const ast_select *sel, eng_select *s)
{
    if (!sel->where)
        return 0;
    b->clause = "WHERE";
    eng_expr *w = eng__bind_expr(b, sel->where);
    b->clause = NULL;
    if (!w || !(s->where = eng__coerce_to_bool(b, w, "WHERE")))
        return -1;
    return 0;
}

static int bind_having(bctx *b, const ast_select *sel, eng_select *s)
{
    if (!sel->having)
        return 0;
    b->agg_sel = s;
    eng_expr *h = eng__bind_expr(b, sel->having);
    b->agg_sel = NULL;
    if (!h || !(s->having = eng__coerce_to_bool(b, h, "HAVING")))
        return -1;
    return 0;
}

/* SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... (one query level). */
static int bind_plain(bctx *b, const ast_select *sel, eng_select *s)
{
    ast_select expanded;
    if (eng__bind_from(b, sel, s) || eng__expand_star(b, sel, &expanded) || bind_targets(b, &expanded, s))
        return -1;
    s->nvisible = s->ntargets;
    if (bind_where(b, sel, s) || bind_having(b, sel, s))
        return -1;
    if (eng__bind_sort(b, &expanded, s) || eng__bind_distinct(b, &expanded, s) ||
        eng__bind_grouping(b, &expanded, s))
        return -1;
    eng__push_quals_arena(b->a, s);
    return eng__name_columns(b, s);
}

/* Bind one query level whose enclosing query level is `parent`. */
int eng__bind_query(bctx *pb, const ast_select *sel, eng_scope *parent, eng_select **out)
{
    bctx b = *pb;
    if (++b.depth > ENG_MAX_DEPTH) {
        eng_err_depth(pb->err);
        return -1;
    }
    eng_select *s = arena_calloc(b.a, 1, sizeof(*s));
    if (!s)
        return pgw_error_oom(b.err), -1;
    eng_scope sc = {.parent = parent, .sel = s};
    eng_ctes ctes = {sel->ctes, sel->nctes, pb->ctes};
    b.scope = &sc;
    b.agg_sel = NULL;
    b.clause = NULL;
    pb->setop_branch = false; /* only the branch itself keeps unknown outputs, not what it contains */
    b.saw_table = false;
    b.saw_long = false;
    if (sel->nctes)
        b.ctes = &ctes;
    int rc;
    b.setop_branch = b.setop_branch && sel->setop == SETOP_NONE && !sel->nvalues;
    if (sel->setop != SETOP_NONE)
        rc = eng__bind_setop(&b, sel, s);
    else if (sel->nvalues)
        rc = eng__bind_values(&b, sel, s);
    else
        rc = bind_plain(&b, sel, s);
    if (!rc)
        rc = bind_limit(&b, sel->limit, "LIMIT", &s->limit) || bind_limit(&b, sel->offset, "OFFSET", &s->offset);
    s->long_running = b.saw_long;
    s->uses_tables = b.saw_table;
    pb->saw_long |= b.saw_long; /* an INSERT ... SELECT calling pg_sleep is long too */
    pb->saw_table |= b.saw_table;
    /* the param-node list may have grown */
    pb->param_nodes = b.param_nodes;
    pb->nparam_nodes = b.nparam_nodes;
    pb->cap_param_nodes = b.cap_param_nodes;
    if (rc)
        return -1;
    *out = s;
    return 0;
}

int eng__bind_select_in(bctx *pb, const ast_select *sel, eng_select **out)
{
    return eng__bind_query(pb, sel, NULL, out);
}

int eng_bind_select(arena *a, const char *text, const eng_env *env, const ast_select *sel, eng_params *params,
                    eng_select **out, pgw_error *err)
{
    eng_registry_init();
    bctx b = {.a = a, .text = text, .env = env, .params = params, .err = err};
    if (eng__bind_select_in(&b, sel, out) || eng__finish_params(&b))
        return -1;
    return 0;
}
