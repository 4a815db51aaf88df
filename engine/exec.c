/* exec: volcano iterator nodes (see exec.h). */
#include "engine/exec.h"

#include <string.h>

typedef struct node node;
struct node {
    int (*next)(node *n, eng_ctx *c, const eng_val **row);
    node *child;
    const eng_select *sel;
    /* per-kind state */
    bool done;
    int64_t srf_state[ENG_SRF_STATE_WORDS];
    bool srf_started;
    eng_val *slot;                  /* ProjectSet output */
    int64_t *tstate;                /* ProjectSet: SRF state per target */
    bool *tdone;
    const eng_val *input;           /* ProjectSet: current input row */
    bool need_input;
    int64_t skip, left;             /* Limit */
    bool unlimited;
};

struct eng_exec {
    node *top;
};

static int check(eng_ctx *c)
{
    return c->env && c->env->check_interrupts ? c->env->check_interrupts(c->env->ctx, c->err) : 0;
}

static int result_next(node *n, eng_ctx *c, const eng_val **row)
{
    if (n->done)
        return 0;
    n->done = true;
    *row = NULL;
    return 1;
}

static int funcscan_next(node *n, eng_ctx *c, const eng_val **row)
{
    const eng_expr *f = n->sel->scan_func;
    eng_val args[ENG_PROC_MAX_ARGS];
    if (n->done)
        return 0;
    if (!n->srf_started) {
        bool anynull = false;
        for (int i = 0; i < f->nargs; i++) {
            if (eng_eval(c, f->args[i], NULL, &args[i]))
                return -1;
            anynull |= args[i].null;
        }
        n->srf_started = true;
        if (anynull && (f->proc->flags & ENG_F_STRICT)) {
            n->done = true;
            return 0;
        }
    }
    eng_val *out = arena_alloc(c->mem, sizeof(eng_val));
    if (!out)
        return eng__oom(c);
    bool done = false;
    if (f->proc->srf(c, args, f->nargs, n->srf_state, &done, out))
        return -1;
    if (done) {
        n->done = true;
        return 0;
    }
    *row = out;
    return 1;
}

static int filter_next(node *n, eng_ctx *c, const eng_val **row)
{
    for (;;) {
        int rc = n->child->next(n->child, c, row);
        if (rc <= 0)
            return rc;
        eng_val v;
        if (eng_eval(c, n->sel->where, *row, &v))
            return -1;
        if (!v.null && v.i)
            return 1;
        if (check(c))
            return -1;
    }
}

/* One SRF target step: first call evaluates its arguments. */
static int srf_step(node *n, eng_ctx *c, int i, bool *done, eng_val *out)
{
    const eng_expr *f = n->sel->targets[i].expr;
    int64_t *st = &n->tstate[i * ENG_SRF_STATE_WORDS];
    eng_val args[ENG_PROC_MAX_ARGS];
    if (st[ENG_SRF_STATE_WORDS - 1] == 0) {
        bool anynull = false;
        for (int k = 0; k < f->nargs; k++) {
            if (eng_eval(c, f->args[k], n->input, &args[k]))
                return -1;
            anynull |= args[k].null;
        }
        if (anynull) {
            *done = true;
            return 0;
        }
    }
    return f->proc->srf(c, args, f->nargs, st, done, out);
}

/* ProjectSet: SRF targets advance in lockstep; the row count per input row
 * is the longest SRF's, shorter ones give NULL (PostgreSQL 10+). */
static int project_next(node *n, eng_ctx *c, const eng_val **row)
{
    const eng_select *s = n->sel;
    bool has_srf = false;
    for (int i = 0; i < s->ntargets; i++)
        has_srf |= s->targets[i].srf;
    for (;;) {
        if (n->need_input) {
            int rc = n->child->next(n->child, c, &n->input);
            if (rc <= 0)
                return rc;
            n->need_input = false;
            memset(n->tstate, 0, sizeof(int64_t) * ENG_SRF_STATE_WORDS * (size_t)(s->ntargets + 1));
            memset(n->tdone, 0, sizeof(bool) * (size_t)(s->ntargets + 1));
        }
        bool any = !has_srf;
        for (int i = 0; i < s->ntargets; i++) {
            if (!s->targets[i].srf)
                continue;
            n->slot[i].null = true;
            if (n->tdone[i])
                continue;
            bool done = false;
            if (srf_step(n, c, i, &done, &n->slot[i]))
                return -1;
            /* the last state word marks "started" for srf_step */
            n->tstate[i * ENG_SRF_STATE_WORDS + ENG_SRF_STATE_WORDS - 1] = 1;
            if (done) {
                n->tdone[i] = true;
                n->slot[i].null = true;
            } else {
                any = true;
            }
        }
        if (!any) {
            n->need_input = true;
            continue;
        }
        for (int i = 0; i < s->ntargets; i++)
            if (!s->targets[i].srf && eng_eval(c, s->targets[i].expr, n->input, &n->slot[i]))
                return -1;
        if (!has_srf)
            n->need_input = true;
        *row = n->slot;
        return 1;
    }
}

static int limit_next(node *n, eng_ctx *c, const eng_val **row)
{
    while (n->skip > 0) {
        int rc = n->child->next(n->child, c, row);
        if (rc <= 0)
            return rc;
        n->skip--;
        if (check(c))
            return -1;
    }
    if (!n->unlimited && n->left <= 0)
        return 0;
    int rc = n->child->next(n->child, c, row);
    if (rc == 1)
        n->left--;
    return rc;
}

static node *mknode(arena *a, const eng_select *sel, node *child, int (*next)(node *, eng_ctx *, const eng_val **))
{
    node *n = arena_calloc(a, 1, sizeof(*n));
    if (n) {
        n->sel = sel;
        n->child = child;
        n->next = next;
    }
    return n;
}

static int eval_count(eng_ctx *c, const eng_expr *e, const char *what, const char *state, int64_t *out, bool *null)
{
    eng_val v;
    if (eng_eval(c, e, NULL, &v))
        return -1;
    *null = v.null;
    if (!v.null && v.i < 0) {
        pgw_error_set(c->err, state, "%s must not be negative", what);
        return -1;
    }
    *out = v.null ? 0 : v.i;
    return 0;
}

int eng_exec_open(arena *a, const eng_select *sel, eng_ctx *c, eng_exec **out)
{
    node *n = mknode(a, sel, NULL, sel->scan_func ? funcscan_next : result_next);
    if (n && sel->where)
        n = mknode(a, sel, n, filter_next);
    if (n)
        n = mknode(a, sel, n, project_next);
    if (!n)
        return eng__oom(c);
    n->need_input = true;
    n->slot = arena_calloc(a, (size_t)sel->ntargets + 1, sizeof(eng_val));
    n->tstate = arena_calloc(a, ((size_t)sel->ntargets + 1) * ENG_SRF_STATE_WORDS, sizeof(int64_t));
    n->tdone = arena_calloc(a, (size_t)sel->ntargets + 1, sizeof(bool));
    if (!n->slot || !n->tstate || !n->tdone)
        return eng__oom(c);
    if (sel->limit || sel->offset) {
        node *l = mknode(a, sel, n, limit_next);
        if (!l)
            return eng__oom(c);
        bool null = true;
        l->unlimited = true;
        if (sel->offset && eval_count(c, sel->offset, "OFFSET", SQLSTATE_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE, &l->skip, &null))
            return -1;
        if (sel->limit) {
            if (eval_count(c, sel->limit, "LIMIT", SQLSTATE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE, &l->left, &null))
                return -1;
            l->unlimited = null;
        }
        n = l;
    }
    eng_exec *x = arena_calloc(a, 1, sizeof(*x));
    if (!x)
        return eng__oom(c);
    x->top = n;
    *out = x;
    return 0;
}

int eng_exec_next(eng_exec *x, eng_ctx *c, const eng_val **row)
{
    return x->top->next(x->top, c, row);
}

void eng_exec_close(eng_exec *x)
{
    (void)x; /* all state lives in the portal's arena */
}
