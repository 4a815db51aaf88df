/*
 * exec_indexscan: ordered index scans through an access-method index (see
 * exec_indexscan.h).
 *
 * MVCC: the index holds one entry per row version that changed the indexed
 * value, never removed (index/am.h). A hit counts when the version of its
 * row that this statement sees exists and still hashes to the entry's
 * value, and passes the WHERE; a row is returned once even if two entries
 * match it (a value updated away and back).
 *
 * Two passes: first the plain search (no callback, the fast path when the
 * newest versions are all visible); if a hit fails the check, or there is
 * a WHERE, the search runs again with the check as its accept callback so
 * the walk continues past failing rows until k pass.
 */
#include "engine/exec_indexscan.h"

#include <stdlib.h>
#include <string.h>

#include "engine/exec.h"

struct eng_idxscan {
    const eng_select *sel;
    const eng_index *ix;
    const eng_expr *query;
    eng_ctx *c;                /* during a search: the accept callback's context */
    size_t k;
    bool started, heap;        /* heap: fell back to reading the table */
    st_scan scan;
    eng_am_hit *hits;
    uint64_t *rowids;          /* of hits[0..nhits), the returned ones */
    int nhits, pos;
    int check_rc;              /* an error inside the accept callback */
};

static const char *setting(const eng_env *env, const char *name)
{
    pgw_error e;
    return env && env->get_setting ? env->get_setting(env->ctx, name, true, &e) : NULL;
}

static bool is_order_op(const eng_expr *e, const char *op)
{
    return e->kind == BX_FUNC && e->proc->is_op && e->nargs == 2 && strcmp(e->proc->name, op) == 0;
}

const eng_index *eng_idxscan_match(const eng_select *sel, const eng_env *env, const eng_expr **query)
{
    const eng_table *t = sel->table;
    if (!t || t->dropped || !sel->limit || sel->nsort < 1 || sel->naggs || sel->sort[0].desc)
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
        if (!ix->amx || !is_order_op(key, eng_amidx_def(ix->amx)->opclass->order_op))
            continue;
        for (int side = 0; side < 2; side++) {
            const eng_expr *col = key->args[side], *val = key->args[1 - side];
            if (col->kind == BX_SCANCOL && col->index == ix->cols[0] && !eng__reads_scan(val)) {
                *query = val;
                return ix;
            }
        }
    }
    return NULL;
}

int eng_idxscan_open(arena *a, const eng_select *sel, const eng_index *ix, const eng_expr *query, eng_ctx *c,
                     eng_idxscan **out)
{
    eng_idxscan *s = arena_calloc(a, 1, sizeof(*s));
    if (!s)
        return eng__oom(c);
    s->sel = sel;
    s->ix = ix;
    s->query = query;
    eng_val lim = {.null = true}, off = {.null = true};
    if (eng_eval(c, sel->limit, NULL, &lim) || (sel->offset && eng_eval(c, sel->offset, NULL, &off)))
        return -1;
    size_t entries = eng_amidx_entries(ix->amx);
    int64_t k = lim.null || lim.i < 0 ? (int64_t)entries : lim.i + (off.null || off.i < 0 ? 0 : off.i);
    s->k = (size_t)k < entries ? (size_t)k : entries;
    s->hits = arena_alloc(a, (s->k + 1) * sizeof(*s->hits));
    s->rowids = arena_alloc(a, (s->k + 1) * sizeof(*s->rowids));
    if (!s->hits || !s->rowids)
        return eng__oom(c);
    *out = s;
    return 0;
}

/* The row version of rowid this statement sees, decoded, if it still holds the indexed value
 * `hash` and passes the WHERE: 1 (row in *vals), 0 (not), -1 (error). */
static int fetch(eng_idxscan *s, eng_ctx *c, uint64_t rowid, uint64_t hash, eng_val **vals)
{
    const eng_table *t = s->sel->table;
    st_row r;
    if (st_get(c->env->txn, t->st, rowid, &r) != ST_OK)
        return 0;
    eng_val *v = arena_alloc(c->mem, sizeof(eng_val) * ((size_t)t->ncols + 1));
    if (!v)
        return eng__oom(c);
    if (eng_row_decode(c, t, r.data, r.len, v))
        return -1;
    const eng_val *key = &v[s->ix->cols[0]];
    if (key->null || eng_amidx_hash(key) != hash)
        return 0;
    if (s->sel->where) {
        eng_val w;
        if (eng_eval(c, s->sel->where, v, &w))
            return -1;
        if (w.null || !w.i)
            return 0;
    }
    *vals = v;
    return 1;
}

static bool accept(void *ctx, int64_t label)
{
    eng_idxscan *s = ctx;
    uint64_t rowid, hash;
    eng_val *vals;
    if (s->check_rc)
        return false;
    eng_amidx_entry(s->ix->amx, label, &rowid, &hash);
    int rc = fetch(s, s->c, rowid, hash, &vals);
    if (rc < 0)
        s->check_rc = -1;
    return rc == 1;
}

static int search(eng_idxscan *s, eng_ctx *c, const eng_val *q, bool checked)
{
    eng_am_scan_opts o = {ENG_AM_DEFAULT_EF_SEARCH};
    const char *ef = setting(c->env, "hnsw.ef_search");
    if (ef)
        o.ef_search = atoi(ef);
    s->c = c;
    s->check_rc = 0;
    int n = eng_amidx_knn(s->ix->amx, q, s->k, &o, checked ? accept : NULL, s, s->hits, c->err);
    if (s->check_rc)
        return -1;
    s->nhits = n < 0 ? 0 : n;
    s->pos = 0;
    return n < 0 ? -1 : 0;
}

static int start(eng_idxscan *s, eng_ctx *c)
{
    eng_val q;
    s->started = true;
    if (eng_eval(c, s->query, NULL, &q))
        return -1;
    if (q.null) {
        s->heap = true;
        st_scan_init(&s->scan, c->env->txn, s->sel->table->st);
        return 0;
    }
    if (search(s, c, &q, s->sel->where != NULL))
        return -1;
    if (s->sel->where || (size_t)s->nhits < s->k)
        return 0;
    for (int i = 0; i < s->nhits; i++) {
        uint64_t rowid, hash;
        eng_val *vals;
        eng_amidx_entry(s->ix->amx, s->hits[i].label, &rowid, &hash);
        int rc = fetch(s, c, rowid, hash, &vals);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return search(s, c, &q, true);
    }
    return 0;
}

static bool seen(const eng_idxscan *s, uint64_t rowid)
{
    for (int i = 0; i < s->pos - 1; i++)
        if (s->rowids[i] == rowid)
            return true;
    return false;
}

int eng_idxscan_next(eng_idxscan *s, eng_ctx *c, const eng_val **row, uint64_t *rowid)
{
    const eng_table *t = s->sel->table;
    if (!c->env->txn || t->dropped) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", t->name);
        return -1;
    }
    if (!s->started && start(s, c))
        return -1;
    if (s->heap) {
        st_row r;
        if (!st_scan_next(&s->scan, &r))
            return 0;
        eng_val *vals = arena_alloc(c->mem, sizeof(eng_val) * ((size_t)t->ncols + 1));
        if (!vals)
            return eng__oom(c);
        if (eng_row_decode(c, t, r.data, r.len, vals))
            return -1;
        *row = vals;
        *rowid = r.rowid;
        return 1;
    }
    while (s->pos < s->nhits) {
        uint64_t id, hash;
        eng_val *vals;
        eng_amidx_entry(s->ix->amx, s->hits[s->pos].label, &id, &hash);
        s->rowids[s->pos++] = id;
        int rc = seen(s, id) ? 0 : fetch(s, c, id, hash, &vals);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            *row = vals;
            *rowid = id;
            return 1;
        }
    }
    return 0;
}
