/*
 * exec: the planner and the basic volcano nodes (see exec.h, exec_node.h):
 * Result, Function Scan, Seq Scan / primary-key lookups, Filter, the
 * projection (ProjectSet for set-returning targets), Limit.
 *
 * A query level becomes: FROM tree (scans, joins) → Filter (WHERE left
 * after pushdown) → Aggregate (GROUP BY / aggregates) → Filter (HAVING) →
 * projection → Unique (DISTINCT) → Sort → Limit.
 */
#define _GNU_SOURCE
#include "engine/exec_node.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/catalog.h"
#include "engine/exec_indexscan.h"
#include "engine/syscat.h"
#include "engine/types/numeric.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int eng__next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    if (!n->plan->instrument)
        return n->ops->next(n, c, row);
    double t0 = now_ms();
    if (!n->started) {
        n->started = true;
        n->loops = 1;
    }
    int rc = n->ops->next(n, c, row);
    double dt = now_ms() - t0;
    if (rc == 1 && n->nrows++ == 0)
        n->t_first = n->t_total + dt;
    n->t_total += dt;
    return rc;
}

/* Polled per row by loops that read many; the session's check takes a lock,
 * so only every 256th call asks (a cancel still lands within microseconds). */
int eng__check(eng_ctx *c)
{
    static _Thread_local unsigned tick;
    if (++tick & 255)
        return 0;
    return c->env && c->env->check_interrupts ? c->env->check_interrupts(c->env->ctx, c->err) : 0;
}

eng_node *eng__node(eng_plan *p, const eng_node_ops *ops, const eng_select *sel, eng_node *child)
{
    eng_node *n = arena_calloc(p->a, 1, sizeof(*n));
    if (n) {
        n->ops = ops;
        n->sel = sel;
        n->child = child;
        n->a = p->a;
        n->plan = p;
        n->width = 4;
        if (child) {
            n->rows = child->rows;
            n->cost0 = child->cost0;
            n->cost1 = child->cost1;
        }
    }
    return n;
}

arena *eng__node_arena(eng_plan *p)
{
    if (p->narenas == p->caparenas) {
        int cap = p->caparenas ? p->caparenas * 2 : 4;
        arena **v = arena_alloc(p->a, (size_t)cap * sizeof(*v));
        if (!v)
            return NULL;
        if (p->narenas)
            memcpy(v, p->arenas, (size_t)p->narenas * sizeof(*v));
        p->arenas = v;
        p->caparenas = cap;
    }
    arena *a = arena_new();
    if (a)
        p->arenas[p->narenas++] = a;
    return a;
}

int eng__plan_own(eng_plan *p, eng_plan **slot)
{
    if (p->nowned == p->capowned) {
        int cap = p->capowned ? p->capowned * 2 : 4;
        eng_plan ***v = arena_alloc(p->a, (size_t)cap * sizeof(*v));
        if (!v)
            return -1;
        if (p->nowned)
            memcpy(v, p->owned, (size_t)p->nowned * sizeof(*v));
        p->owned = v;
        p->capowned = cap;
    }
    p->owned[p->nowned++] = slot;
    return 0;
}

int eng__copy_val(arena *a, uint32_t type, eng_val *v)
{
    if (v->null)
        return 0;
    if (type == OID_NUMERIC) {
        size_t sz = sizeof(eng_num) + (size_t)v->num->nd;
        eng_num *p = arena_alloc(a, sz);
        if (!p)
            return -1;
        memcpy(p, v->num, sz);
        v->num = p;
        return 0;
    }
    if (eng__fixed_len(type) || type == OID_INTERVAL)
        return 0;
    char *p = arena_alloc(a, v->s.n + 1);
    if (!p)
        return -1;
    if (v->s.n)
        memcpy(p, v->s.p, v->s.n);
    v->s.p = p;
    return 0;
}

/* ---- Result, Function Scan -------------------------------------------- */

typedef struct once_state {
    bool done;
    int64_t ordinality;             /* rows returned so far (WITH ORDINALITY) */
    int64_t srf_state[ENG_SRF_STATE_WORDS];
    bool srf_started;
    eng_val args[ENG_PROC_MAX_ARGS];
} once_state;

static int result_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    once_state *s = n->st;
    (void)c;
    if (s->done)
        return 0;
    s->done = true;
    *row = NULL;
    return 1;
}

static int funcscan_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    once_state *s = n->st;
    const eng_expr *f = n->rel->func;
    if (s->done)
        return 0;
    if (!s->srf_started) {
        bool anynull = false;
        for (int i = 0; i < f->nargs; i++) {
            if (eng_eval(c, f->args[i], NULL, &s->args[i]))
                return -1;
            if (eng__copy_val(n->a, f->args[i]->type, &s->args[i]))
                return eng__oom(c);
            anynull |= s->args[i].null;
        }
        s->srf_started = true;
        if (anynull && (f->proc->flags & ENG_F_STRICT)) {
            s->done = true;
            return 0;
        }
    }
    int w = n->sel->width;
    eng_val *out = arena_calloc(c->mem, (size_t)w + 1, sizeof(eng_val));
    if (!out)
        return eng__oom(c);
    bool done = false;
    if (f->proc->srf(c, s->args, f->nargs, s->srf_state, &done, &out[n->rel->lo]))
        return -1;
    if (done) {
        s->done = true;
        return 0;
    }
    if (n->rel->ordinality)
        out[n->rel->lo + n->rel->ncols - 1].i = ++s->ordinality;
    *row = out;
    return 1;
}

static void funcscan_label(const eng_node *n, buf *out)
{
    buf_printf(out, " on %s", n->rel->func->proc->name);
    if (n->rel->alias && strcmp(n->rel->alias, n->rel->func->proc->name) != 0)
        buf_printf(out, " %s", n->rel->alias);
}



static void scan_detail(const eng_node *n, eng_plan *p);

static const eng_node_ops result_ops = {"Result", result_next, NULL, NULL};
static const eng_node_ops funcscan_ops = {"Function Scan", funcscan_next, funcscan_label, scan_detail};

/* ---- Seq Scan and key lookups -------------------------------------------- */

typedef struct scan_state {
    st_scan scan;
    bool use_index, opened;
    const eng_index *index;
    uint64_t *ids;
    long nids, ipos;
    uint64_t rowid;                 /* the current row's id */
    const eng_val *cur;             /* the current row */
    eng_val **vrows;                /* a pg_catalog relation's rows (syscat.h) */
    size_t nvrows, vpos;
} scan_state;

bool eng__reads_scan(const eng_expr *e)
{
    if (!e)
        return false;
    if (e->kind == BX_SCANCOL || e->kind == BX_AGG || e->kind == BX_SUBLINK)
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

static const eng_expr *scan_filter(const eng_node *n)
{
    if (n->rel->quals)
        return n->rel->quals;
    return n->sel->from == n->rel ? n->sel->where : NULL;
}

/* Planning: an index whose every column is fixed by `=` in the filter. */
static const eng_index *choose_index(const eng_node *n, const eng_env *env)
{
    const eng_table *t = n->rel->table;
    const eng_expr *w = scan_filter(n);
    for (int k = 0; k < t->nindexes && w; k++) {
        const eng_index *ix = t->indexes[k];
        if (!ix->keys)
            continue; /* an ordered access-method index: exec_indexscan.c */
        bool all = true;
        for (int i = 0; i < ix->ncols && all; i++)
            all = eq_value(w, n->rel->lo + ix->cols[i], t->cols[ix->cols[i]].type) != NULL;
        if (all)
            return ix;
    }
    return eng__within_index(n->rel, w, env); /* a radius filter (ST_DWithin) */
}

/* Look the chosen index's key up: ids holds the candidates. */
static int try_index(eng_node *n, eng_ctx *c)
{
    scan_state *s = n->st;
    const eng_table *t = n->rel->table;
    const eng_expr *w = scan_filter(n);
    pgw_error_clear(c->err);
    if (s->index && s->index->amx) {
        bool all;
        s->nids = eng__within_rowids(c, n->rel, s->index, w, n->a, &s->ids, &all);
        s->use_index = !all;
        return s->nids < 0 ? -1 : 0;
    }
    for (int k = 0; k < t->nindexes && w && s->index; k++) {
        const eng_index *ix = t->indexes[k];
        if (ix != s->index)
            continue;
        eng_val *vals = arena_calloc(c->mem, (size_t)t->ncols + 1, sizeof(eng_val));
        if (!vals)
            return eng__oom(c);
        bool all = true;
        for (int i = 0; i < ix->ncols && all; i++) {
            int col = ix->cols[i];
            const eng_expr *v = eq_value(w, n->rel->lo + col, t->cols[col].type);
            if (!v || eng_eval(c, v, NULL, &vals[col]))
                all = false;
        }
        if (pgw_error_is_set(c->err))
            return -1;
        if (!all)
            continue;
        uint8_t *key;
        size_t klen;
        s->use_index = true;
        s->index = ix;
        if (!eng_index_key(c, t, ix, vals, &key, &klen)) {
            s->nids = 0; /* a NULL key matches nothing */
            return pgw_error_is_set(c->err) ? -1 : 0;
        }
        s->nids = eng_keyidx_lookup(ix->keys, key, klen, n->a, &s->ids);
        return s->nids < 0 ? eng__oom(c) : 0;
    }
    return 0;
}

static int scan_fetch(eng_node *n, eng_ctx *c, st_txn *txn, st_row *r)
{
    scan_state *s = n->st;
    const eng_table *t = n->rel->table;
    for (;;) {
        if (s->use_index) {
            if (s->ipos >= s->nids)
                return 0;
            if (st_get(txn, t->st, s->ids[s->ipos++], r) != ST_OK)
                continue;
            return 1;
        }
        return st_scan_next(&s->scan, r) ? 1 : 0;
    }
}

/* The next row of t at rel->lo of a fresh row: from storage, or for a
 * pg_catalog relation from the rows made at the first call. 1, 0 or -1. */
static int scan_row(eng_node *n, eng_ctx *c, st_txn *txn, eng_val *vals)
{
    scan_state *s = n->st;
    const eng_table *t = n->rel->table;
    if (t->vrel) {
        if (s->vpos >= s->nvrows)
            return 0;
        memcpy(vals + n->rel->lo, s->vrows[s->vpos++], sizeof(eng_val) * (size_t)t->ncols);
        return 1;
    }
    st_row r;
    int rc = scan_fetch(n, c, txn, &r);
    if (rc <= 0)
        return rc;
    s->rowid = r.rowid;
    return eng_row_decode(c, t, r.data, r.len, vals + n->rel->lo) ? -1 : 1;
}

static int scan_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    scan_state *s = n->st;
    const eng_table *t = n->rel->table;
    st_txn *txn = c->env->txn;
    if (t->vrel && !s->opened) {
        s->opened = true;
        if (eng_syscat_rows(c, t, n->a, &s->vrows, &s->nvrows))
            return -1;
    } else if (!t->vrel && (!txn || t->dropped)) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", t->name);
        return -1;
    }
    if (!s->opened) {
        s->opened = true;
        if (try_index(n, c))
            return -1;
        st_scan_init(&s->scan, txn, t->st);
    }
    for (;;) {
        eng_val *vals = arena_calloc(c->mem, (size_t)n->sel->width + 1, sizeof(eng_val));
        if (!vals)
            return eng__oom(c);
        int rc = scan_row(n, c, txn, vals);
        if (rc <= 0)
            return rc;
        if (n->rel->quals) {
            eng_val v;
            if (eng_eval(c, n->rel->quals, vals, &v))
                return -1;
            if (v.null || !v.i) {
                if (eng__check(c))
                    return -1;
                continue;
            }
        }
        s->cur = vals + n->rel->lo;
        *row = vals;
        return 1;
    }
}

static void scan_label(const eng_node *n, buf *out)
{
    const scan_state *s = n->st;
    if (s->index)
        buf_printf(out, " using %s", s->index->name);
    buf_printf(out, " on %s%s", n->plan->verbose ? "public." : "", n->rel->table->name);
    if (n->rel->alias && strcmp(n->rel->alias, n->rel->table->name) != 0)
        buf_printf(out, " %s", n->rel->alias);
}

static void scan_detail(const eng_node *n, eng_plan *p)
{
    if (n->rel && n->rel->quals)
        eng__explain_expr(p, n->rel->kind == REL_TABLE && ((const scan_state *)n->st)->index ? "Index Cond" : "Filter",
                          n, n->rel->quals, false);
}

static const eng_node_ops seqscan_ops = {"Seq Scan", scan_next, scan_label, scan_detail};

/* ---- Filter, projection, Limit -------------------------------------------- */


static int filter_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    const eng_filter_state *s = n->st;
    for (;;) {
        int rc = eng__next(n->child, c, row);
        if (rc <= 0)
            return rc;
        eng_val v;
        if (eng_eval(c, s->cond, *row, &v))
            return -1;
        if (!v.null && v.i)
            return 1;
        if (eng__check(c))
            return -1;
    }
}

/* A Filter is shown as its child's "Filter:" line, as PostgreSQL folds quals into nodes. */
static const eng_node_ops filter_ops = {"Filter", filter_next, NULL, NULL};

typedef struct project_state {
    eng_val *slot;
    eng_val *srfval;                /* each SRF target's call's current value */
    eng_expr **tinst, **thole;      /* per target with a nested call: eng_srf_instance */
    int64_t *tstate;                /* SRF state per target */
    eng_val *targs;                 /* SRF arguments per target, kept for every call of it */
    bool *tdone;
    const eng_val *input;           /* current input row */
    bool need_input, has_srf;
} project_state;

/* One SRF target step; the arguments are evaluated once per input row and kept. */
static int srf_step(eng_node *n, eng_ctx *c, int i, bool *done, eng_val *out)
{
    project_state *s = n->st;
    const eng_expr *f = n->sel->targets[i].srf_call;
    int64_t *st = &s->tstate[i * ENG_SRF_STATE_WORDS];
    eng_val *args = &s->targs[i * ENG_PROC_MAX_ARGS];
    if (st[ENG_SRF_STATE_WORDS - 1] == 0) {
        bool anynull = false;
        for (int k = 0; k < f->nargs; k++) {
            if (eng_eval(c, f->args[k], s->input, &args[k]))
                return -1;
            if (eng__copy_val(n->a, f->args[k]->type, &args[k])) /* the row arena is reset between calls */
                return eng__oom(c);
            anynull |= args[k].null;
        }
        if (anynull) {
            *done = true;
            return 0;
        }
    }
    return f->proc->srf(c, args, f->nargs, st, done, out);
}

/* Advance every SRF target once; *any: some produced a value. */
static int srf_round(eng_node *n, eng_ctx *c, bool *any)
{
    project_state *s = n->st;
    const eng_select *sel = n->sel;
    for (int i = 0; i < sel->ntargets; i++) {
        if (!sel->targets[i].srf)
            continue;
        s->srfval[i].null = true;
        if (s->tdone[i])
            continue;
        bool done = false;
        if (srf_step(n, c, i, &done, &s->srfval[i]))
            return -1;
        /* the last state word marks "started" for srf_step */
        s->tstate[i * ENG_SRF_STATE_WORDS + ENG_SRF_STATE_WORDS - 1] = 1;
        if (done) {
            s->tdone[i] = true;
            s->srfval[i].null = true;
        } else {
            *any = true;
        }
        s->slot[i] = s->srfval[i];
    }
    return 0;
}

/* ProjectSet: SRF targets advance in lockstep; the row count per input row
 * is the longest SRF's, shorter ones give NULL (PostgreSQL 10+). */
static int project_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    project_state *s = n->st;
    const eng_select *sel = n->sel;
    for (;;) {
        if (s->need_input) {
            int rc = eng__next(n->child, c, &s->input);
            if (rc <= 0)
                return rc;
            s->need_input = false;
            memset(s->tstate, 0, sizeof(int64_t) * ENG_SRF_STATE_WORDS * (size_t)(sel->ntargets + 1));
            memset(s->tdone, 0, sizeof(bool) * (size_t)(sel->ntargets + 1));
        }
        bool any = !s->has_srf;
        if (s->has_srf && srf_round(n, c, &any))
            return -1;
        if (!any) {
            s->need_input = true;
            continue;
        }
        for (int i = 0; i < sel->ntargets; i++) {
            const eng_expr *e = sel->targets[i].expr;
            if (s->thole[i]) { /* a nested call: its value goes into this portal's copy */
                s->thole[i]->val = s->srfval[i];
                e = s->tinst[i];
            } else if (sel->targets[i].srf) {
                continue;
            }
            if (eng_eval(c, e, s->input, &s->slot[i]))
                return -1;
        }
        if (!s->has_srf)
            s->need_input = true;
        *row = s->slot;
        return 1;
    }
}

static const eng_node_ops project_ops = {"ProjectSet", project_next, NULL, NULL};

typedef struct limit_state {
    int64_t skip, left;
    bool unlimited;
} limit_state;

static int limit_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    limit_state *s = n->st;
    while (s->skip > 0) {
        int rc = eng__next(n->child, c, row);
        if (rc <= 0)
            return rc;
        s->skip--;
        if (eng__check(c))
            return -1;
    }
    if (!s->unlimited && s->left <= 0)
        return 0;
    int rc = eng__next(n->child, c, row);
    if (rc == 1)
        s->left--;
    return rc;
}

static const eng_node_ops limit_ops = {"Limit", limit_next, NULL, NULL};

/* ---- planning --------------------------------------------------------- */

static eng_node *with_state(eng_node *n, size_t size)
{
    if (n && !(n->st = arena_calloc(n->a, 1, size)))
        return NULL;
    return n;
}

static double table_rows(const eng_table *t)
{
    (void)t;
    return 1000; /* no statistics yet: a fixed guess, as PostgreSQL's for a never-analyzed table */
}

eng_node *eng__plan_rel(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c)
{
    eng_node *n = NULL;
    switch (r->kind) {
    case REL_TABLE:
        if ((n = with_state(eng__node(p, &seqscan_ops, sel, NULL), sizeof(scan_state)))) {
            n->rel = r;
            n->rows = table_rows(r->table);
            n->cost1 = n->rows * 0.01 + 10;
            scan_state *s = n->st;
            eng_node *ordered = NULL;
            /* a key lookup fixed by the WHERE reads few rows exactly: it wins over a distance index */
            if ((s->index = choose_index(n, c->env))) {
                n->name_override = "Index Scan";
                n->rows = 1;
                n->cost1 = 8.17;
            } else if (eng__plan_indexscan(p, sel, r, c, &ordered)) {
                return NULL;
            }
            if (ordered)
                return ordered;
        }
        break;
    case REL_FUNC:
        if ((n = with_state(eng__node(p, &funcscan_ops, sel, NULL), sizeof(once_state)))) {
            n->rows = 1000;
            n->cost1 = 10;
        }
        break;
    case REL_SUBQUERY:
        return eng__plan_subquery(p, sel, r, c);
    case REL_VALUES:
        return eng__plan_values(p, sel, r);
    case REL_SETOP:
        return eng__plan_setop(p, sel, r, c);
    case REL_JOIN:
        return eng__plan_join(p, sel, r, c);
    case REL_RECURSIVE:
        return eng__plan_recursive(p, sel, r, c);
    case REL_WORKTABLE:
        return eng__plan_worktable(p, sel, r);
    }
    if (n) {
        n->rel = r;
        if (r->quals)
            n->rows = n->rows / 3 + 1;
    }
    return n;
}

static eng_node *filter_node(eng_plan *p, const eng_select *sel, eng_node *child, const eng_expr *cond, bool agg_row)
{
    eng_node *n = with_state(eng__node(p, &filter_ops, sel, child), sizeof(eng_filter_state));
    if (!n)
        return NULL;
    eng_filter_state *s = n->st;
    s->cond = cond;
    s->agg_row = agg_row;
    n->rows = child->rows / 3 + 1;
    return n;
}

static eng_node *project_node(eng_plan *p, const eng_select *sel, eng_node *child)
{
    eng_node *n = with_state(eng__node(p, &project_ops, sel, child), sizeof(project_state));
    if (!n)
        return NULL;
    project_state *s = n->st;
    s->need_input = true;
    s->slot = arena_calloc(p->a, (size_t)sel->ntargets + 1, sizeof(eng_val));
    s->tstate = arena_calloc(p->a, ((size_t)sel->ntargets + 1) * ENG_SRF_STATE_WORDS, sizeof(int64_t));
    s->tdone = arena_calloc(p->a, (size_t)sel->ntargets + 1, sizeof(bool));
    s->srfval = arena_calloc(p->a, (size_t)sel->ntargets + 1, sizeof(eng_val));
    s->targs = arena_calloc(p->a, ((size_t)sel->ntargets + 1) * ENG_PROC_MAX_ARGS, sizeof(eng_val));
    s->tinst = arena_calloc(p->a, (size_t)sel->ntargets + 1, sizeof(eng_expr *));
    s->thole = arena_calloc(p->a, (size_t)sel->ntargets + 1, sizeof(eng_expr *));
    if (!s->slot || !s->tstate || !s->tdone || !s->srfval || !s->tinst || !s->thole || !s->targs)
        return NULL;
    for (int i = 0; i < sel->ntargets; i++)
        if (sel->targets[i].srf_hole && !(s->tinst[i] = eng_srf_instance(p->a, &sel->targets[i], &s->thole[i])))
            return NULL;
    for (int i = 0; i < sel->ntargets; i++)
        s->has_srf |= sel->targets[i].srf;
    n->width = 4 * sel->nvisible;
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

static eng_node *limit_node(eng_plan *p, const eng_select *sel, eng_node *child, eng_ctx *c)
{
    eng_node *n = with_state(eng__node(p, &limit_ops, sel, child), sizeof(limit_state));
    if (!n) {
        eng__oom(c);
        return NULL;
    }
    limit_state *s = n->st;
    bool null = true;
    s->unlimited = true;
    if (sel->offset && eval_count(c, sel->offset, "OFFSET", SQLSTATE_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
                                  &s->skip, &null))
        return NULL;
    if (sel->limit) {
        if (eval_count(c, sel->limit, "LIMIT", SQLSTATE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE, &s->left, &null))
            return NULL;
        s->unlimited = null;
        if (!null && s->left < n->rows)
            n->rows = (double)s->left;
    }
    if (!s->unlimited && s->left < ((int64_t)1 << 40) && s->skip < ((int64_t)1 << 40) && s->left + s->skip > 0)
        eng__sort_bound(child, s->left + s->skip);
    return n;
}

/* Errors: NULL with c->err set (out of memory sets it here). */
eng_node *eng__plan_select(eng_plan *p, const eng_select *sel, eng_ctx *c)
{
    eng_node *n, *from = NULL;
    if (sel->from) {
        n = from = eng__plan_rel(p, sel, sel->from, c);
    } else if ((n = with_state(eng__node(p, &result_ops, sel, NULL), sizeof(once_state)))) {
        n->rows = 1;
    }
    if (n && sel->where)
        n = filter_node(p, sel, n, sel->where, false);
    if (n && sel->grouped) {
        n = eng__plan_agg(p, sel, n);
        if (n && sel->having)
            n = filter_node(p, sel, n, sel->having, true);
    }
    if (n && (n = project_node(p, sel, n)))
        n->above_project = true;
    if (n && sel->distinct && !sel->ndistinct_on && (n = eng__plan_distinct(p, sel, n)))
        n->above_project = true;
    if (n && sel->nsort && !eng__indexscan_sorts(from, sel) && (n = eng__plan_sort(p, sel, n)))
        n->above_project = true;
    if (n && sel->ndistinct_on && (n = eng__plan_distinct(p, sel, n)))
        n->above_project = true;
    if (n && (sel->limit || sel->offset) && (n = limit_node(p, sel, n, c)))
        n->above_project = true;
    if (!n && !pgw_error_is_set(c->err))
        eng__oom(c);
    return n;
}

int eng__plan_open(arena *a, const eng_select *sel, eng_ctx *c, bool instrument, eng_plan **out)
{
    eng_plan *p = arena_calloc(a, 1, sizeof(*p));
    if (!p)
        return eng__oom(c);
    p->a = a;
    p->instrument = instrument;
    pgw_error_clear(c->err);
    if (!(p->top = eng__plan_select(p, sel, c))) {
        eng__plan_close(p);
        return -1;
    }
    if (sel->from && sel->from->kind == REL_TABLE) {
        eng_node *s = p->top;
        while (s && s->ops != &seqscan_ops)
            s = s->child;
        p->scan = s;
    }
    *out = p;
    return 0;
}

void eng__plan_close(eng_plan *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nowned; i++) {
        eng__plan_close(*p->owned[i]);
        *p->owned[i] = NULL;
    }
    p->nowned = 0;
    for (int i = 0; i < p->narenas; i++)
        arena_free(p->arenas[i]);
    p->narenas = 0;
}

/* ---- eng_exec ------------------------------------------------------------ */

struct eng_exec {
    eng_plan *plan;
};

int eng_exec_open(arena *a, const eng_select *sel, eng_ctx *c, eng_exec **out)
{
    eng_exec *x = arena_calloc(a, 1, sizeof(*x));
    if (!x)
        return eng__oom(c);
    if (eng__plan_open(a, sel, c, false, &x->plan))
        return -1;
    *out = x;
    return 0;
}

const eng_val *eng_exec_current(eng_exec *x, uint64_t *rowid)
{
    eng_node *n = x->plan->scan;
    if (!n || !((scan_state *)n->st)->cur)
        return NULL;
    *rowid = ((scan_state *)n->st)->rowid;
    return ((scan_state *)n->st)->cur;
}

int eng_exec_next(eng_exec *x, eng_ctx *c, const eng_val **row)
{
    struct eng_subcache *saved = c->subcache;
    if (!c->subcache)
        c->subcache = eng__subcache(x->plan);
    int rc = eng__next(x->plan->top, c, row);
    c->subcache = saved;
    return rc;
}

void eng_exec_close(eng_exec *x)
{
    if (x)
        eng__plan_close(x->plan);
}
