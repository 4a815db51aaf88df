/*
 * exec_indexscan: the Index Scan node over an ordered access-method index
 * (see exec_indexscan.h).
 *
 * MVCC: the index holds one entry per row version that changed the indexed
 * value, never removed (index/am.h). A hit counts when the version of its
 * row that this statement sees exists and still hashes to the entry's
 * value, and passes the table's WHERE conjuncts; a row is returned once
 * even if two entries match it (a value updated away and back).
 *
 * The search runs at the first call: first plain (no callback, the fast
 * path when the newest versions are all visible); if a hit fails the check,
 * or there is a WHERE, again with the check as the accept callback so the
 * walk continues past failing rows until k pass; when rows repeat it asks
 * for more. The rows found are then fetched into the node's arena and
 * ordered by the exact value of the ORDER BY expression.
 */
#include "engine/exec_indexscan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exec.h"
#include "util/mem.h"

typedef struct hit_row {
    eng_val *row;              /* the FROM row, in the node's arena */
    eng_val key;               /* the ORDER BY value */
    int ord;                   /* the index's order, for ties */
} hit_row;

typedef struct iscan_state {
    const eng_index *ix;
    const eng_expr *key;       /* the ORDER BY expression, col <op> value */
    const eng_expr *query;     /* its value side */
    const eng_expr *conds[2];  /* the table's WHERE conjuncts, and the rest of a one-table WHERE
                                * (the Filter above checks that again) */
    eng_val q;
    size_t k, want, entries;   /* LIMIT + OFFSET; hits asked of the index; labels at plan time */
    eng_ctx *c;                /* during a search: the accept callback's context */
    int check_rc;              /* an error inside the accept callback */
    eng_am_hit *hits;
    int nhits;
    hit_row *rows;             /* the answer, exact order */
    size_t nrows, pos;
    bool started;
} iscan_state;

static const char *setting(const eng_env *env, const char *name)
{
    pgw_error e;
    return env && env->get_setting ? env->get_setting(env->ctx, name, true, &e) : NULL;
}

/* e is `a <op> b`, or fn(a, b) for an opclass whose function orders the same way. */
static bool is_order_op(const eng_expr *e, const eng_am_opclass *oc)
{
    if (e->kind != BX_FUNC || e->nargs != 2)
        return false;
    if (e->proc->is_op)
        return strcmp(e->proc->name, oc->order_op) == 0;
    return oc->order_fn && strcmp(e->proc->name, oc->order_fn) == 0;
}

/* A value fixed for the whole scan: no row, aggregate or volatile call in it, or a whole
 * uncorrelated scalar subquery. */
static bool fixed_value(const eng_expr *e)
{
    if (e->kind == BX_SUBLINK)
        return e->sub && !e->sub->correlated && e->nargs == 0;
    return !eng__reads_scan(e);
}

/* Under the catalog lock: the index that can answer sel's first ORDER BY key for the table r,
 * with the expression giving the value to order by (*query), or NULL. */
static const eng_index *match(const eng_select *sel, const eng_rel *r, const eng_env *env, const eng_expr **query)
{
    const eng_table *t = r->table;
    if (r->kind != REL_TABLE || sel->from != r || !t || t->dropped || !sel->limit || sel->nsort < 1 ||
        sel->naggs || sel->grouped || sel->distinct || sel->ndistinct_on || sel->sort[0].desc)
        return NULL;
    for (int i = 0; i < sel->ntargets; i++)
        if (sel->targets[i].srf)
            return NULL;
    const char *on = setting(env, "enable_indexscan");
    if (on && strcmp(on, "off") == 0)
        return NULL;
    const eng_expr *key = sel->targets[sel->sort[0].target].expr;
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        if (!ix->amx || !is_order_op(key, eng_amidx_def(ix->amx)->opclass))
            continue;
        for (int side = 0; side < 2; side++) {
            const eng_expr *col = key->args[side], *val = key->args[1 - side];
            if (col->kind == BX_SCANCOL && col->index == r->lo + ix->cols[0] && fixed_value(val)) {
                *query = val;
                return ix;
            }
        }
    }
    return NULL;
}

/* ---- checking and fetching rows ---------------------------------------- */

/* The version of rowid this statement sees as a FROM row in c->mem, if it still holds the
 * indexed value `hash` and passes the table's WHERE conjuncts: 1, 0 (not), -1 (error). */
static int fetch(const eng_node *n, eng_ctx *c, uint64_t rowid, uint64_t hash, eng_val **out)
{
    const iscan_state *s = n->st;
    const eng_table *t = n->rel->table;
    st_row r;
    if (st_get(c->env->txn, t->st, rowid, &r) != ST_OK)
        return 0;
    eng_val *v = arena_calloc(c->mem, (size_t)n->sel->width + 1, sizeof(eng_val));
    if (!v)
        return eng__oom(c);
    if (eng_row_decode(c, t, r.data, r.len, v + n->rel->lo))
        return -1;
    const eng_val *key = &v[n->rel->lo + s->ix->cols[0]];
    if (key->null || eng_amidx_hash(key) != hash)
        return 0;
    for (int i = 0; i < 2; i++) {
        eng_val w;
        if (!s->conds[i])
            continue;
        if (eng_eval(c, s->conds[i], v, &w))
            return -1;
        if (w.null || !w.i)
            return 0;
    }
    *out = v;
    return 1;
}

static int fetch_label(const eng_node *n, eng_ctx *c, int64_t label, uint64_t *rowid, eng_val **out)
{
    uint64_t hash;
    eng_amidx_entry(((const iscan_state *)n->st)->ix->amx, label, rowid, &hash);
    return fetch(n, c, *rowid, hash, out);
}

static bool accept(void *ctx, int64_t label)
{
    const eng_node *n = ctx;
    iscan_state *s = n->st;
    uint64_t rowid;
    eng_val *row;
    if (s->check_rc)
        return false;
    int rc = fetch_label(n, s->c, label, &rowid, &row);
    if (rc < 0)
        s->check_rc = -1;
    return rc == 1;
}

/* Ask the index for s->want hits (checked: through the accept callback). */
static int search(eng_node *n, eng_ctx *c, bool checked)
{
    iscan_state *s = n->st;
    eng_am_scan_opts o = {ENG_AM_DEFAULT_EF_SEARCH};
    const char *ef = setting(c->env, "hnsw.ef_search");
    if (ef)
        o.ef_search = atoi(ef);
    if (!(s->hits = arena_alloc(n->a, (s->want + 1) * sizeof(*s->hits))))
        return eng__oom(c);
    s->c = c;
    s->check_rc = 0;
    int got = eng_amidx_knn(s->ix->amx, &s->q, s->want, &o, checked ? accept : NULL, n, s->hits, c->err);
    if (s->check_rc || got < 0)
        return -1;
    s->nhits = got;
    return 0;
}

static bool taken(const iscan_state *s, const uint64_t *ids, uint64_t id)
{
    for (size_t i = 0; i < s->nrows; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Rows behind the hits, in the node's arena, each once; *invalid: a hit failed the check. */
static int collect(eng_node *n, eng_ctx *c, bool *invalid)
{
    iscan_state *s = n->st;
    eng_ctx keep = *c;
    keep.mem = n->a;
    uint64_t *ids = arena_alloc(c->mem, ((size_t)s->nhits + 1) * sizeof(*ids));
    if (!(s->rows = arena_alloc(n->a, ((size_t)s->nhits + 1) * sizeof(*s->rows))) || !ids)
        return eng__oom(c);
    s->nrows = 0;
    *invalid = false;
    for (int i = 0; i < s->nhits; i++) {
        uint64_t id;
        eng_val *row;
        int rc = fetch_label(n, &keep, s->hits[i].label, &id, &row);
        if (rc < 0)
            return -1;
        *invalid |= rc == 0;
        if (rc == 1 && !taken(s, ids, id)) {
            ids[s->nrows] = id;
            s->rows[s->nrows++] = (hit_row){row, {.null = true}, i};
        }
    }
    return 0;
}

/* A NULL value to order by: every distance is NULL, any k passing rows answer it. */
static int collect_any(eng_node *n, eng_ctx *c)
{
    iscan_state *s = n->st;
    eng_ctx keep = *c;
    keep.mem = n->a;
    uint64_t *ids = arena_alloc(c->mem, (s->k + 1) * sizeof(*ids));
    if (!(s->rows = arena_alloc(n->a, (s->k + 1) * sizeof(*s->rows))) || !ids)
        return eng__oom(c);
    for (size_t label = 0; label < s->entries && s->nrows < s->k; label++) {
        uint64_t id;
        eng_val *row;
        int rc = fetch_label(n, &keep, (int64_t)label, &id, &row);
        if (rc < 0)
            return -1;
        if (rc == 1 && !taken(s, ids, id)) {
            ids[s->nrows] = id;
            s->rows[s->nrows++] = (hit_row){row, {.null = true}, (int)s->nrows};
        }
        if (eng__check(c))
            return -1;
    }
    return 0;
}

static int by_key(const void *pa, const void *pb)
{
    const hit_row *a = pa, *b = pb;
    if (a->key.null != b->key.null)
        return a->key.null ? 1 : -1;
    if (!a->key.null && a->key.f != b->key.f)
        return a->key.f < b->key.f ? -1 : 1;
    return a->ord - b->ord;
}

/* Search until k distinct valid rows are in hand or the index has no more, then order them. */
static int start(eng_node *n, eng_ctx *c)
{
    iscan_state *s = n->st;
    s->started = true;
    if (eng_eval(c, s->query, NULL, &s->q))
        return -1;
    if (s->q.null)
        return collect_any(n, c);
    bool checked = s->conds[0] || s->conds[1];
    for (;;) {
        bool invalid = false;
        if (search(n, c, checked) || collect(n, c, &invalid))
            return -1;
        if (!checked && invalid) {
            checked = true;
            continue;
        }
        if (s->nrows >= s->k || (size_t)s->nhits < s->want || s->want >= s->entries)
            break;
        s->want += s->k - s->nrows;
    }
    eng_ctx keep = *c;
    keep.mem = n->a;
    for (size_t i = 0; i < s->nrows; i++)
        if (eng_eval(&keep, s->key, s->rows[i].row, &s->rows[i].key))
            return -1;
    if (s->nrows > 1)
        qsort(s->rows, s->nrows, sizeof(*s->rows), by_key);
    return 0;
}

static int iscan_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    iscan_state *s = n->st;
    if (!c->env->txn || n->rel->table->dropped) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", n->rel->table->name);
        return -1;
    }
    if (!s->started && start(n, c))
        return -1;
    if (s->pos >= s->nrows)
        return 0;
    *row = s->rows[s->pos++].row;
    return 1;
}

/* ---- planning and EXPLAIN ---------------------------------------------- */

static void iscan_label(const eng_node *n, buf *out)
{
    const iscan_state *s = n->st;
    buf_printf(out, " using %s on %s", s->ix->name, n->rel->table->name);
    if (n->rel->alias && strcmp(n->rel->alias, n->rel->table->name) != 0)
        buf_printf(out, " %s", n->rel->alias);
}

static void iscan_detail(const eng_node *n, eng_plan *p)
{
    const iscan_state *s = n->st;
    eng__explain_expr(p, "Order By", n, s->key, false);
    if (n->rel->quals)
        eng__explain_expr(p, "Filter", n, n->rel->quals, false);
}

static const eng_node_ops iscan_ops = {"Index Scan", iscan_next, iscan_label, iscan_detail};

/* LIMIT + OFFSET, or -1 when either is NULL or negative (no index scan then). */
static int64_t wanted_rows(const eng_select *sel, eng_ctx *c, int *rc)
{
    eng_val lim, off = {.null = false, .i = 0};
    *rc = eng_eval(c, sel->limit, NULL, &lim) || (sel->offset && eng_eval(c, sel->offset, NULL, &off)) ? -1 : 0;
    if (*rc || lim.null || off.null || lim.i < 0 || off.i < 0 || lim.i > INT64_MAX - off.i)
        return -1;
    return lim.i + off.i;
}

int eng__plan_indexscan(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c, eng_node **out)
{
    const eng_expr *query;
    int rc;
    *out = NULL;
    const eng_index *ix = match(sel, r, c->env, &query);
    int64_t k = ix ? wanted_rows(sel, c, &rc) : -1;
    if (!ix || k < 0)
        return ix ? rc : 0;
    eng_node *n = eng__node(p, &iscan_ops, sel, NULL);
    iscan_state *s = n ? arena_calloc(p->a, 1, sizeof(*s)) : NULL;
    if (!s)
        return eng__oom(c);
    n->st = s;
    n->rel = r;
    s->ix = ix;
    s->key = sel->targets[sel->sort[0].target].expr;
    s->query = query;
    s->conds[0] = r->quals;
    s->conds[1] = sel->where;
    s->entries = eng_amidx_entries(ix->amx);
    s->k = s->want = (size_t)k < s->entries ? (size_t)k : s->entries;
    n->rows = (double)k;
    n->cost1 = 8.0 + (double)k * 0.5; /* a graph walk: a few pages per row, never a table read */
    *out = n;
    return 0;
}

bool eng__indexscan_sorts(const eng_node *n, const eng_select *sel)
{
    return n && n->ops == &iscan_ops && sel->nsort == 1;
}

/* ---- radius filters ------------------------------------------------------ */

/* The conjunct of w that is the opclass's within_fn(col, value, r), with value and r fixed
 * (value may come first), and its value side in *val; or NULL. */
static const eng_expr *within_conjunct(const eng_expr *w, int col, const eng_am_opclass *oc, const eng_expr **val)
{
    if (!w || !oc->within_fn)
        return NULL;
    if (w->kind == BX_AND) {
        for (int i = 0; i < w->nargs; i++) {
            const eng_expr *e = within_conjunct(w->args[i], col, oc, val);
            if (e)
                return e;
        }
        return NULL;
    }
    if (w->kind != BX_FUNC || w->nargs != 3 || strcmp(w->proc->name, oc->within_fn) != 0 || !fixed_value(w->args[2]))
        return NULL;
    for (int side = 0; side < 2; side++) {
        const eng_expr *c = w->args[side], *v = w->args[1 - side];
        if (c->kind == BX_SCANCOL && c->index == col && fixed_value(v)) {
            *val = v;
            return w;
        }
    }
    return NULL;
}

const eng_index *eng__within_index(const eng_rel *r, const eng_expr *w, const eng_env *env)
{
    const char *on = setting(env, "enable_indexscan");
    if (r->kind != REL_TABLE || !w || (on && strcmp(on, "off") == 0))
        return NULL;
    const eng_expr *val;
    for (int k = 0; k < r->table->nindexes; k++) {
        const eng_index *ix = r->table->indexes[k];
        if (ix->amx && within_conjunct(w, r->lo + ix->cols[0], eng_amidx_def(ix->amx)->opclass, &val))
            return ix;
    }
    return NULL;
}

typedef struct within_ids {
    const eng_amidx *x;
    uint64_t *ids;
    size_t n, cap;
} within_ids;

static int add_row(void *ctx, int64_t label)
{
    within_ids *w = ctx;
    uint64_t rowid, hash;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        uint64_t *ids = mem_realloc(w->ids, cap * sizeof(*ids));
        if (!ids)
            return 1;
        w->ids = ids;
        w->cap = cap;
    }
    eng_amidx_entry(w->x, label, &rowid, &hash);
    w->ids[w->n++] = rowid;
    return 0;
}

static int by_rowid(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

long eng__within_rowids(eng_ctx *c, const eng_rel *r, const eng_index *ix, const eng_expr *w, arena *a,
                        uint64_t **out, bool *all)
{
    const eng_expr *val, *e = within_conjunct(w, r->lo + ix->cols[0], eng_amidx_def(ix->amx)->opclass, &val);
    eng_val q, radius;
    *all = false;
    if (!e || eng_eval(c, val, NULL, &q) || eng_eval(c, e->args[2], NULL, &radius))
        return e ? -1 : 0;
    if (q.null || radius.null || !(radius.f >= 0))
        return 0; /* the function is NULL or false for every row */
    if (isinf(radius.f)) {
        *all = true; /* true for every row: read the table */
        return 0;
    }
    within_ids ids = {ix->amx, NULL, 0, 0};
    int rc = eng_amidx_within(ix->amx, &q, radius.f, add_row, &ids, c->err);
    size_t kept = 0;
    if (rc == 0 && ids.n) {
        qsort(ids.ids, ids.n, sizeof(*ids.ids), by_rowid); /* the table's order, each row once */
        for (size_t i = 0; i < ids.n; i++)
            if (!kept || ids.ids[i] != ids.ids[kept - 1])
                ids.ids[kept++] = ids.ids[i];
    }
    *out = rc == 0 ? arena_alloc(a, (kept + 1) * sizeof(**out)) : NULL;
    if (*out && kept)
        memcpy(*out, ids.ids, kept * sizeof(**out));
    mem_free(ids.ids);
    if (rc)
        return rc < 0 ? -1 : eng__oom(c);
    return *out ? (long)kept : eng__oom(c);
}
