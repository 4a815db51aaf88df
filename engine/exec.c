/* exec: volcano iterator nodes (see exec.h). */
#define _GNU_SOURCE
#include "engine/exec.h"

#include <stdlib.h>
#include <string.h>

#include "engine/catalog.h"
#include "engine/exec_indexscan.h"
#include "engine/types/numeric.h"

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
    /* SeqScan / IndexScan */
    st_scan scan;
    bool use_index, started;
    uint64_t *ids;
    long nids, ipos;
    eng_idxscan *iscan;             /* ORDER BY ... LIMIT through an ordered index */
    uint64_t rowid;                 /* the current row's id */
    const eng_val *cur;             /* the current row */
    /* Sort */
    eng_val **rows;
    size_t nrows, caprows, pos;
    arena *a;                       /* the portal's arena: sorted rows, aggregate states */
};

struct eng_exec {
    node *top;
    node *scan;                     /* the table scan, or NULL */
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

/* ---- table scans ------------------------------------------------------ */

bool eng__reads_scan(const eng_expr *e)
{
    if (!e)
        return false;
    if (e->kind == BX_SCANCOL || e->kind == BX_AGG)
        return true;
    if (e->kind == BX_FUNC && (e->proc->flags & ENG_F_VOLATILE))
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (eng__reads_scan(e->args[i]))
            return true;
    return false;
}

/* The expression `col = e` fixes in w (a conjunct of the WHERE), or NULL. */
static const eng_expr *eq_value(const eng_expr *w, int col, uint32_t type)
{
    if (!w)
        return NULL;
    if (w->kind == BX_AND) {
        for (int i = 0; i < w->nargs; i++) {
            const eng_expr *v = eq_value(w->args[i], col, type);
            if (v)
                return v;
        }
        return NULL;
    }
    if (w->kind != BX_FUNC || !w->proc->is_op || w->nargs != 2 || strcmp(w->proc->name, "=") != 0)
        return NULL;
    for (int side = 0; side < 2; side++) {
        const eng_expr *l = w->args[side], *r = w->args[1 - side];
        if (l->kind == BX_SCANCOL && l->index == col && r->type == type && !eng__reads_scan(r))
            return r;
    }
    return NULL;
}

/* Choose an index whose every column is fixed by `=` in the WHERE and look
 * the key up: n->ids holds the candidates. False: scan the heap. */
static int try_index(node *n, eng_ctx *c, bool *used)
{
    const eng_table *t = n->sel->table;
    *used = false;
    pgw_error_clear(c->err);
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        if (!ix->keys)
            continue; /* an ordered access-method index: exec_indexscan.c */
        eng_val *vals = arena_calloc(c->mem, (size_t)t->ncols + 1, sizeof(eng_val));
        if (!vals)
            return eng__oom(c);
        bool all = true;
        for (int i = 0; i < ix->ncols && all; i++) {
            int col = ix->cols[i];
            const eng_expr *v = eq_value(n->sel->where, col, t->cols[col].type);
            if (!v || eng_eval(c, v, NULL, &vals[col]))
                all = false;
        }
        if (pgw_error_is_set(c->err))
            return -1;
        if (!all)
            continue;
        uint8_t *key;
        size_t klen;
        *used = true;
        if (!eng_index_key(c, t, ix, vals, &key, &klen)) {
            n->nids = 0; /* a NULL key matches nothing */
            return pgw_error_is_set(c->err) ? -1 : 0;
        }
        n->nids = eng_keyidx_lookup(ix->keys, key, klen, n->a, &n->ids);
        return n->nids < 0 ? eng__oom(c) : 0;
    }
    return 0;
}

static int scan_next(node *n, eng_ctx *c, const eng_val **row)
{
    const eng_table *t = n->sel->table;
    st_txn *txn = c->env->txn;
    if (!txn || t->dropped) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", t->name);
        return -1;
    }
    if (!n->started) {
        n->started = true;
        /* a key lookup fixed by the WHERE is selective: read its few rows exactly (the
         * Sort above orders them) rather than walk a distance index past non-matches */
        const eng_expr *q;
        if (try_index(n, c, &n->use_index))
            return -1;
        const eng_index *ox = n->use_index ? NULL : eng_idxscan_match(n->sel, c->env, &q);
        if (ox && eng_idxscan_open(n->a, n->sel, ox, q, c, &n->iscan))
            return -1;
        st_scan_init(&n->scan, txn, t->st);
    }
    if (n->iscan) {
        int rc = eng_idxscan_next(n->iscan, c, row, &n->rowid);
        n->cur = rc == 1 ? *row : NULL;
        return rc;
    }
    st_row r;
    for (;;) {
        if (n->use_index) {
            if (n->ipos >= n->nids)
                return 0;
            if (st_get(txn, t->st, n->ids[n->ipos++], &r) != ST_OK)
                continue;
        } else if (!st_scan_next(&n->scan, &r)) {
            return 0;
        }
        eng_val *vals = arena_alloc(c->mem, sizeof(eng_val) * ((size_t)t->ncols + 1));
        if (!vals)
            return eng__oom(c);
        if (eng_row_decode(c, t, r.data, r.len, vals))
            return -1;
        n->rowid = r.rowid;
        n->cur = vals;
        *row = vals;
        return 1;
    }
}

/* ---- aggregates --------------------------------------------------------- */

static int agg_step(node *n, eng_ctx *c, const eng_agg *g, eng_val *acc, int64_t *cnt, const eng_val *in)
{
    if (g->kind == AGG_COUNT_STAR) {
        (*cnt)++;
        return 0;
    }
    eng_val v;
    if (eng_eval(c, g->arg, in, &v))
        return -1;
    if (v.null)
        return 0;
    (*cnt)++;
    if (g->kind == AGG_COUNT)
        return 0;
    if (acc->null) {
        *acc = v;
        return 0;
    }
    eng_val args[2] = {*acc, v}, out;
    if (g->kind == AGG_SUM || g->kind == AGG_AVG) {
        if (g->step->fn(c, args, 2, &out))
            return -1;
        *acc = out;
        return 0;
    }
    /* min: replace when v < acc; max: when v > acc */
    args[0] = v;
    args[1] = *acc;
    if (g->step->fn(c, args, 2, &out))
        return -1;
    if (!out.null && out.i)
        *acc = v;
    (void)n;
    return 0;
}

static int agg_final(eng_ctx *c, const eng_agg *g, eng_val *acc, int64_t cnt)
{
    if (g->kind == AGG_COUNT_STAR || g->kind == AGG_COUNT) {
        acc->null = false;
        acc->i = cnt;
        return 0;
    }
    if (g->kind != AGG_AVG || acc->null)
        return 0;
    eng_val args[2] = {*acc, {.null = false}}, out;
    if (g->state_type == OID_FLOAT8) {
        acc->f = acc->f / (double)cnt;
        return 0;
    }
    if (g->state_type == OID_INT8)
        args[0].num = eng__num_from_int(c->mem, acc->i);
    args[1].num = eng__num_from_int(c->mem, cnt);
    if (!args[0].num || !args[1].num)
        return eng__oom(c);
    if (g->div->fn(c, args, 2, &out))
        return -1;
    *acc = out;
    return 0;
}

static int agg_next(node *n, eng_ctx *c, const eng_val **row)
{
    const eng_select *s = n->sel;
    if (n->done)
        return 0;
    n->done = true;
    eng_val *acc = arena_calloc(c->mem, (size_t)s->naggs + 1, sizeof(eng_val));
    int64_t *cnt = arena_calloc(c->mem, (size_t)s->naggs + 1, sizeof(int64_t));
    if (!acc || !cnt)
        return eng__oom(c);
    for (int i = 0; i < s->naggs; i++)
        acc[i].null = true;
    for (;;) {
        const eng_val *in;
        int rc = n->child->next(n->child, c, &in);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        for (int i = 0; i < s->naggs; i++)
            if (agg_step(n, c, &s->aggs[i], &acc[i], &cnt[i], in))
                return -1;
        if (check(c))
            return -1;
    }
    for (int i = 0; i < s->naggs; i++)
        if (agg_final(c, &s->aggs[i], &acc[i], cnt[i]))
            return -1;
    *row = acc;
    return 1;
}

/* ---- sort --------------------------------------------------------------- */

static int copy_val(arena *a, uint32_t type, eng_val *v)
{
    if (v->null)
        return 0;
    switch (type) {
    case OID_TEXT: case OID_VARCHAR: case OID_BPCHAR: case OID_NAME: case OID_BYTEA: case OID_UNKNOWN:
    case OID_VECTOR: {
        char *p = arena_alloc(a, v->s.n + 1);
        if (!p)
            return -1;
        memcpy(p, v->s.p, v->s.n);
        v->s.p = p;
        return 0;
    }
    case OID_NUMERIC: {
        size_t sz = sizeof(eng_num) + (size_t)v->num->nd;
        eng_num *p = arena_alloc(a, sz);
        if (!p)
            return -1;
        memcpy(p, v->num, sz);
        v->num = p;
        return 0;
    }
    default:
        return 0;
    }
}

typedef struct sort_ctx {
    const eng_select *sel;
    eng_ctx *c;
} sort_ctx;

static bool less(sort_ctx *sc, const eng_proc *lt, const eng_val *a, const eng_val *b)
{
    eng_val args[2] = {*a, *b}, out;
    return lt->fn(sc->c, args, 2, &out) == 0 && !out.null && out.i;
}

static int sort_cmp(const void *pa, const void *pb, void *arg)
{
    sort_ctx *sc = arg;
    const eng_val *a = *(eng_val *const *)pa, *b = *(eng_val *const *)pb;
    for (int i = 0; i < sc->sel->nsort; i++) {
        const eng_sortkey *k = &sc->sel->sort[i];
        const eng_val *x = &a[k->target], *y = &b[k->target];
        int r;
        if (x->null || y->null)
            r = x->null && y->null ? 0 : (x->null ? -1 : 1) * (k->nulls_first ? 1 : -1);
        else
            r = less(sc, k->lt, x, y) ? -1 : less(sc, k->lt, y, x) ? 1 : 0, r = k->desc ? -r : r;
        if (r)
            return r;
    }
    return 0;
}

static int sort_fill(node *n, eng_ctx *c)
{
    const eng_select *s = n->sel;
    for (;;) {
        const eng_val *in;
        int rc = n->child->next(n->child, c, &in);
        if (rc <= 0)
            return rc;
        if (n->nrows == n->caprows) {
            size_t nc = n->caprows ? n->caprows * 2 : 64;
            eng_val **v = arena_alloc(n->a, nc * sizeof(*v));
            if (!v)
                return eng__oom(c);
            if (n->nrows)
                memcpy(v, n->rows, n->nrows * sizeof(*v));
            n->rows = v;
            n->caprows = nc;
        }
        eng_val *copy = arena_alloc(n->a, sizeof(eng_val) * ((size_t)s->ntargets + 1));
        if (!copy)
            return eng__oom(c);
        memcpy(copy, in, sizeof(eng_val) * (size_t)s->ntargets);
        for (int i = 0; i < s->ntargets; i++)
            if (copy_val(n->a, s->targets[i].expr->type, &copy[i]))
                return eng__oom(c);
        n->rows[n->nrows++] = copy;
        if (check(c))
            return -1;
    }
}

static int sort_next(node *n, eng_ctx *c, const eng_val **row)
{
    if (!n->started) {
        n->started = true;
        if (sort_fill(n, c))
            return -1;
        sort_ctx sc = {n->sel, c};
        if (n->nrows > 1) /* an empty result has no row array to hand qsort_r */
            qsort_r(n->rows, n->nrows, sizeof(eng_val *), sort_cmp, &sc);
    }
    if (n->pos >= n->nrows)
        return 0;
    *row = n->rows[n->pos++];
    return 1;
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
    node *n = mknode(a, sel, NULL, sel->table ? scan_next : sel->scan_func ? funcscan_next : result_next);
    node *scan = n;
    if (n)
        n->a = a;
    if (n && sel->where)
        n = mknode(a, sel, n, filter_next);
    if (n && sel->naggs)
        n = mknode(a, sel, n, agg_next);
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
    if (sel->nsort) {
        if (!(n = mknode(a, sel, n, sort_next)))
            return eng__oom(c);
        n->a = a;
    }
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
    x->scan = sel->table ? scan : NULL;
    *out = x;
    return 0;
}

const eng_val *eng_exec_current(eng_exec *x, uint64_t *rowid)
{
    if (!x->scan || !x->scan->cur)
        return NULL;
    *rowid = x->scan->rowid;
    return x->scan->cur;
}

int eng_exec_next(eng_exec *x, eng_ctx *c, const eng_val **row)
{
    return x->top->next(x->top, c, row);
}

void eng_exec_close(eng_exec *x)
{
    (void)x; /* all state lives in the portal's arena */
}
