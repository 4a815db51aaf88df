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
    arena *a;                  /* the portal's: hits live across calls */
    eng_ctx *c;                /* during a search: the accept callback's context */
    size_t k, want;            /* LIMIT + OFFSET; hits asked of the index (more when rows repeat) */
    size_t entries;
    bool started;
    eng_val q;                 /* the value to order by */
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

/* The query value outlives the row arena it was computed in. */
static int copy_query(arena *a, eng_val *q)
{
    char *p = arena_alloc(a, q->s.n + 1);
    if (!p)
        return -1;
    memcpy(p, q->s.p, q->s.n);
    q->s.p = p;
    return 0;
}

int eng_idxscan_open(arena *a, const eng_select *sel, const eng_index *ix, const eng_expr *query, eng_ctx *c,
                     eng_idxscan **out)
{
    eng_idxscan *s = arena_calloc(a, 1, sizeof(*s));
    if (!s)
        return eng__oom(c);
    s->a = a;
    s->sel = sel;
    s->ix = ix;
    eng_val lim = {.null = true}, off = {.null = true};
    if (eng_eval(c, sel->limit, NULL, &lim) || (sel->offset && eng_eval(c, sel->offset, NULL, &off)) ||
        eng_eval(c, query, NULL, &s->q))
        return -1;
    *out = NULL;
    if (s->q.null)
        return 0; /* every distance is NULL: the heap scan gives the exact plan's rows */
    if (copy_query(a, &s->q))
        return eng__oom(c);
    s->entries = eng_amidx_entries(ix->amx);
    int64_t k = lim.null || lim.i < 0 ? (int64_t)s->entries : lim.i + (off.null || off.i < 0 ? 0 : off.i);
    s->k = (size_t)k < s->entries ? (size_t)k : s->entries;
    s->want = s->k;
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

/* Ask the index for s->want hits (checked: through the accept callback). */
static int search(eng_idxscan *s, eng_ctx *c, const eng_val *q, bool checked)
{
    s->hits = arena_alloc(s->a, (s->want + 1) * sizeof(*s->hits));
    s->rowids = arena_alloc(s->a, (s->want + 1) * sizeof(*s->rowids));
    if (!s->hits || !s->rowids)
        return eng__oom(c);
    eng_am_scan_opts o = {ENG_AM_DEFAULT_EF_SEARCH};
    const char *ef = setting(c->env, "hnsw.ef_search");
    if (ef)
        o.ef_search = atoi(ef);
    s->c = c;
    s->check_rc = 0;
    int n = eng_amidx_knn(s->ix->amx, q, s->want, &o, checked ? accept : NULL, s, s->hits, c->err);
    if (s->check_rc)
        return -1;
    s->nhits = n < 0 ? 0 : n;
    s->pos = 0;
    return n < 0 ? -1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Rows behind the hits, each counted once (the hits of a checked search are all valid);
 * *invalid: some hit fails the check (only looked at when !checked). */
static int distinct_rows(eng_idxscan *s, eng_ctx *c, bool checked, bool *invalid, size_t *out)
{
    *invalid = false;
    for (int i = 0; i < s->nhits; i++) {
        uint64_t hash;
        eng_val *vals;
        eng_amidx_entry(s->ix->amx, s->hits[i].label, &s->rowids[i], &hash);
        int rc = checked ? 1 : fetch(s, c, s->rowids[i], hash, &vals);
        if (rc < 0)
            return -1;
        *invalid |= rc == 0;
    }
    qsort(s->rowids, (size_t)s->nhits, sizeof(uint64_t), cmp_u64);
    *out = 0;
    for (int i = 0; i < s->nhits; i++)
        *out += i == 0 || s->rowids[i] != s->rowids[i - 1];
    return 0;
}

/* Search until k distinct valid rows are in hand or the index has no more: first without
 * the callback (the common case, nothing to skip), then checked; a row that two entries
 * hold (its value changed and changed back) makes it ask for more. */
static int start(eng_idxscan *s, eng_ctx *c)
{
    s->started = true;
    bool checked = s->sel->where != NULL;
    for (;;) {
        bool invalid;
        size_t rows;
        if (search(s, c, &s->q, checked) || distinct_rows(s, c, checked, &invalid, &rows))
            return -1;
        if (!checked && invalid) {
            checked = true;
            continue;
        }
        if (rows >= s->k || (size_t)s->nhits < s->want || s->want >= s->entries)
            return 0;
        s->want += s->k - rows;
    }
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
    if (!s->started && start(s, c))
        return -1;
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
