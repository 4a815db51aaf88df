/*
 * eval: tree-walking evaluation of bound expressions with SQL's NULL
 * rules (three-valued AND/OR, strict functions). Results live in c->mem.
 * Recursion is bounded by ENG_MAX_DEPTH like every other pass.
 */
#include <string.h>

#include "engine/expr.h"

static int eval_args(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *vals, bool *anynull)
{
    *anynull = false;
    for (int i = 0; i < e->nargs; i++) {
        if (eng_eval(c, e->args[i], scan, &vals[i]))
            return -1;
        *anynull |= vals[i].null;
    }
    return 0;
}

static int call(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val vals[ENG_PROC_MAX_ARGS];
    bool anynull;
    if (eval_args(c, e, scan, vals, &anynull))
        return -1;
    if (anynull && (e->proc->flags & ENG_F_STRICT)) {
        out->null = true;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    return e->proc->fn(c, vals, e->nargs, out);
}

/* AND/OR: false (true) wins over NULL; all arguments are evaluated left to
 * right until the deciding one, as PostgreSQL's ExecEvalAnd/Or. */
static int andor(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out, bool is_and)
{
    bool sawnull = false;
    for (int i = 0; i < e->nargs; i++) {
        eng_val v;
        if (eng_eval(c, e->args[i], scan, &v))
            return -1;
        if (v.null)
            sawnull = true;
        else if ((v.i != 0) != is_and) {
            out->null = false;
            out->i = !is_and;
            return 0;
        }
    }
    out->null = sawnull;
    out->i = is_and;
    return 0;
}

static int booltest(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val v;
    if (eng_eval(c, e->args[0], scan, &v))
        return -1;
    bool r = e->ival == 2 ? v.null : e->ival == 0 ? (!v.null && v.i) : (!v.null && !v.i);
    out->null = false;
    out->i = e->negate ? !r : r;
    return 0;
}

static int cmp_call(eng_ctx *c, const eng_proc *p, const eng_val *a, const eng_val *b, bool *res)
{
    eng_val args[2] = {*a, *b}, r;
    if (p->fn(c, args, 2, &r))
        return -1;
    *res = !r.null && r.i;
    return 0;
}

static int distinct(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val v[2];
    bool anynull, eq;
    if (eval_args(c, e, scan, v, &anynull))
        return -1;
    out->null = false;
    if (v[0].null || v[1].null)
        eq = v[0].null && v[1].null;
    else if (cmp_call(c, e->proc, &v[0], &v[1], &eq))
        return -1;
    out->i = e->negate ? eq : !eq;
    return 0;
}

static int nullif(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val v[2];
    bool anynull, eq = false;
    if (eval_args(c, e, scan, v, &anynull))
        return -1;
    if (!v[0].null && !v[1].null && cmp_call(c, e->proc, &v[0], &v[1], &eq))
        return -1;
    if (eq)
        out->null = true;
    else
        *out = v[0];
    return 0;
}

static int case_eval(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    int npairs = (e->nargs - 1) / 2;
    for (int i = 0; i < npairs; i++) {
        eng_val w;
        if (eng_eval(c, e->args[2 * i], scan, &w))
            return -1;
        if (!w.null && w.i)
            return eng_eval(c, e->args[2 * i + 1], scan, out);
    }
    return eng_eval(c, e->args[e->nargs - 1], scan, out);
}

static int coalesce(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    for (int i = 0; i < e->nargs; i++) {
        if (eng_eval(c, e->args[i], scan, out))
            return -1;
        if (!out->null)
            return 0;
    }
    out->null = true;
    return 0;
}

/* GREATEST/LEAST ignore NULLs; NULL only when all are. proc is "<". */
static int minmax(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    out->null = true;
    for (int i = 0; i < e->nargs; i++) {
        eng_val v;
        if (eng_eval(c, e->args[i], scan, &v))
            return -1;
        if (v.null)
            continue;
        bool better = true;
        if (!out->null) {
            /* LEAST: take v if v < out; GREATEST: take v if out < v */
            if (e->negate ? cmp_call(c, e->proc, &v, out, &better) : cmp_call(c, e->proc, out, &v, &better))
                return -1;
        }
        if (better)
            *out = v;
    }
    return 0;
}

static int iocast(eng_ctx *c, const eng_expr *e, const eng_val *in, eng_val *out)
{
    const eng_type *src = eng_type_by_oid(e->args[0]->type), *dst = eng_type_by_oid(e->type);
    if (!src || !dst || !src->out || !dst->in) {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cast from %s to %s is not supported yet",
                      eng_type_sqlname(e->args[0]->type), eng_type_sqlname(e->type));
        return -1;
    }
    size_t len;
    char *s = src->out(c, in, &len);
    if (!s)
        return eng__oom(c);
    return dst->in(c, s, len, -1, out);
}

static int eval_inner(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val v;
    switch (e->kind) {
    case BX_CONST:
        *out = e->val;
        return 0;
    case BX_PARAM:
        if (e->index >= c->nparams) {
            pgw_error_set(c->err, SQLSTATE_UNDEFINED_PARAMETER, "there is no parameter $%d", e->index + 1);
            return -1;
        }
        *out = c->params[e->index];
        return 0;
    case BX_AGG:
    case BX_SCANCOL:
        if (!scan) {
            out->null = true;
            return 0;
        }
        *out = scan[e->index];
        return 0;
    case BX_OUTERCOL: {
        const eng_outer *o = c->outer;
        for (int i = 1; o && i < e->ival; i++)
            o = o->up;
        if (!o || !o->row) {
            out->null = true;
            return 0;
        }
        *out = o->row[e->index];
        return 0;
    }
    case BX_SUBLINK:
        return eng__sublink_eval(c, e, scan, out);
    case BX_GROUPREF:
        break;
    case BX_ARRAY: case BX_SCALARARRAY: case BX_SUBSCRIPT:
        return eng__eval_array(c, e, scan, out);
    case BX_FUNC:
        return call(c, e, scan, out);
    case BX_AND:
    case BX_OR:
        return andor(c, e, scan, out, e->kind == BX_AND);
    case BX_NOT:
        if (eng_eval(c, e->args[0], scan, out))
            return -1;
        out->i = !out->i;
        return 0;
    case BX_ISNULL:
        if (eng_eval(c, e->args[0], scan, &v))
            return -1;
        out->null = false;
        out->i = e->negate ? !v.null : v.null;
        return 0;
    case BX_BOOLTEST:
        return booltest(c, e, scan, out);
    case BX_DISTINCT:
        return distinct(c, e, scan, out);
    case BX_NULLIF:
        return nullif(c, e, scan, out);
    case BX_CASE:
        return case_eval(c, e, scan, out);
    case BX_COALESCE:
        return coalesce(c, e, scan, out);
    case BX_MINMAX:
        return minmax(c, e, scan, out);
    case BX_CAST:
    case BX_IOCAST:
    case BX_RELABEL:
    case BX_TYPMOD:
        if (eng_eval(c, e->args[0], scan, &v))
            return -1;
        if (v.null) {
            out->null = true;
            return 0;
        }
        if (e->kind == BX_CAST)
            return e->cast(c, &v, out);
        if (e->kind == BX_IOCAST)
            return iocast(c, e, &v, out);
        *out = v;
        if (e->kind == BX_TYPMOD) {
            const eng_type *t = eng_type_by_oid(e->type);
            if (t && t->typmod)
                return t->typmod(c, out, e->typmod, e->explicit_cast);
        }
        return 0;
    }
    pgw_error_set(c->err, SQLSTATE_INTERNAL_ERROR, "unrecognized expression node %d", (int)e->kind);
    return -1;
}

int eng_eval(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    if (++c->depth > ENG_MAX_DEPTH) {
        c->depth--;
        eng_err_depth(c->err);
        return -1;
    }
    int rc = eval_inner(c, e, scan, out);
    c->depth--;
    return rc;
}
