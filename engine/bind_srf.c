/*
 * bind_srf: set-returning calls inside select-list expressions.
 *
 * PostgreSQL evaluates `f(generate_series(1, 3))` by lifting the
 * set-returning call into a ProjectSet node and evaluating f over each of
 * its rows. The binder does the same within one target: the call moves to
 * eng_target.srf_call, and a NULL constant takes its place in the
 * expression (srf_hole). Bound expressions are shared by portals, so the
 * executor's ProjectSet fills a per-portal copy of that constant
 * (eng_srf_instance) with each value of the call and evaluates the copy.
 */
#include "engine/bind.h"

static bool is_srf(const eng_expr *e)
{
    return e->kind == BX_FUNC && (e->proc->flags & ENG_F_SRF);
}

/* The slot in e's tree that holds the set-returning call, or NULL. */
static eng_expr **find_srf(eng_expr **slot, int depth)
{
    eng_expr *e = *slot;
    if (!e || depth > ENG_MAX_DEPTH)
        return NULL;
    if (is_srf(e))
        return slot;
    for (int k = 0; k < e->nargs; k++) {
        eng_expr **r = find_srf(&e->args[k], depth + 1);
        if (r)
            return r;
    }
    return NULL;
}

int eng__lift_srf(bctx *b, eng_target *t)
{
    t->srf = true;
    eng_expr **slot = find_srf(&t->expr, 0);
    if (!slot) { /* an aggregate's argument held it: the aggregate binder refused it already */
        pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "set-returning function in an unsupported place");
        return -1;
    }
    eng_expr *call = *slot;
    if (call->proc->cols) {
        pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "function %s returns rows of several columns: call it in FROM", call->proc->name);
        eng__errpos(b, call->loc);
        return -1;
    }
    t->srf_call = call;
    if (slot == &t->expr) /* the call is the whole target */
        return 0;
    eng_expr *hole = eng__bx_new(b, BX_CONST, call->type, call->loc, 0);
    if (!hole)
        return -1;
    hole->typmod = call->typmod;
    hole->val.null = true;
    t->srf_hole = hole;
    *slot = hole;
    return 0;
}

/* Copies e down to `target` (NULL: not below e); *hole gets the copy of it. */
static eng_expr *copy_path(arena *a, const eng_expr *e, const eng_expr *target, eng_expr **hole, bool *oom)
{
    bool below = e == target;
    for (int k = 0; k < e->nargs && !below; k++)
        below = e->args[k] && copy_path(a, e->args[k], target, NULL, oom) != NULL;
    if (!below || *oom)
        return NULL;
    eng_expr *c = arena_alloc(a, sizeof(*c));
    eng_expr **args = e->nargs ? arena_alloc(a, sizeof(eng_expr *) * (size_t)e->nargs) : NULL;
    if (!c || (e->nargs && !args)) {
        *oom = true;
        return NULL;
    }
    *c = *e;
    c->args = args;
    if (e == target && hole)
        *hole = c;
    for (int k = 0; k < e->nargs; k++) {
        eng_expr *sub = e->args[k] ? copy_path(a, e->args[k], target, hole, oom) : NULL;
        c->args[k] = sub ? sub : e->args[k];
    }
    return *oom ? NULL : c;
}

eng_expr *eng_srf_instance(arena *a, const eng_target *t, eng_expr **hole)
{
    bool oom = false;
    *hole = NULL;
    eng_expr *c = copy_path(a, t->expr, t->srf_hole, hole, &oom);
    return c && *hole ? c : NULL;
}
