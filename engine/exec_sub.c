/*
 * exec_sub: subqueries inside expressions (EXISTS, scalar, IN / ANY /
 * ALL). A correlated one runs again for every row of the enclosing query,
 * with that row on the ctx's outer chain; an uncorrelated one runs once per
 * plan and its result (the value, or the rows an IN list tests) is kept in
 * the plan's cache.
 */
#include <string.h>

#include "engine/exec_node.h"
#include "engine/types/array.h"

typedef struct cache_ent {
    const eng_expr *e;
    eng_val val;                    /* EXISTS / scalar result */
    eng_val *rows;                  /* ANY / ALL: the subquery's single column */
    size_t nrows;
    eng_rowtab *set;                /* `x = ANY`/IN over hashable types: the distinct non-NULL values */
    bool has_null;                  /* ... and whether a NULL was among them */
    uint32_t set_type;
    struct cache_ent *next;
} cache_ent;

struct eng_subcache {
    arena *a;
    cache_ent *head;
};

struct eng_subcache *eng__subcache(eng_plan *p)
{
    if (!p->cache && (p->cache = arena_calloc(p->a, 1, sizeof(*p->cache))))
        p->cache->a = p->a;
    return p->cache;
}

/* Run sub to the end (or to `limit` rows), calling back per row. */
typedef int (*row_fn)(void *arg, eng_ctx *c, const eng_val *row);

static int run_sub(eng_ctx *c, const eng_select *sub, const eng_val *scan, long limit, row_fn fn, void *arg)
{
    eng_outer outer = {scan, c->outer};
    eng_ctx cc = *c;
    cc.outer = &outer;
    arena *a = arena_new();
    if (!a)
        return eng__oom(c);
    eng_plan *p = NULL;
    int rc = eng__plan_open(a, sub, &cc, false, &p);
    long n = 0;
    while (rc == 0 && (limit < 0 || n < limit)) {
        const eng_val *row;
        int r = eng__next(p->top, &cc, &row);
        if (r <= 0) {
            rc = r;
            break;
        }
        n++;
        rc = fn(arg, &cc, row);
    }
    eng__plan_close(p);
    arena_free(a);
    return rc < 0 ? -1 : 0;
}

typedef struct collect {
    eng_val first;
    size_t n;
    eng_val *rows;
    size_t cap;
    arena *a;                       /* where collected values are copied */
    uint32_t type;
} collect;

static int collect_row(void *arg, eng_ctx *c, const eng_val *row)
{
    collect *k = arg;
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        eng_val *v = arena_alloc(k->a, cap * sizeof(*v));
        if (!v)
            return eng__oom(c);
        if (k->n)
            memcpy(v, k->rows, k->n * sizeof(*v));
        k->rows = v;
        k->cap = cap;
    }
    k->rows[k->n] = row[0];
    if (eng__copy_val(k->a, k->type, &k->rows[k->n]))
        return eng__oom(c);
    k->n++;
    return 0;
}

static int count_row(void *arg, eng_ctx *c, const eng_val *row)
{
    collect *k = arg;
    (void)row;
    (void)c;
    k->n++;
    return 0;
}

/* Scalar subquery: its one value, NULL when empty, 21000 beyond one row. */
static int scalar(eng_ctx *c, const eng_expr *e, const eng_val *scan, arena *a, eng_val *out)
{
    collect k = {.a = a, .type = e->type};
    if (run_sub(c, e->sub, scan, 2, collect_row, &k))
        return -1;
    if (k.n > 1) {
        pgw_error_set(c->err, SQLSTATE_CARDINALITY_VIOLATION, "more than one row returned by a subquery used as an expression");
        return -1;
    }
    out->null = true;
    if (k.n == 1)
        *out = k.rows[0];
    return 0;
}

/* lhs op ANY/ALL (values): SQL's three-valued rules. */
int eng__quantified(eng_ctx *c, const eng_expr *e, const eng_val *lhs, const eng_val *vals, size_t n, eng_val *out)
{
    bool all = e->ival == SUBLINK_ALL, sawnull = false;
    eng_val pair[2] = {*lhs, {.null = true}};
    for (size_t i = 0; i < n; i++) {
        pair[1] = vals[i];
        eng_val r;
        if (eng_eval(c, e->subtest, pair, &r))
            return -1;
        if (r.null) {
            sawnull = true;
            continue;
        }
        if ((r.i != 0) != all) {
            out->null = false;
            out->i = !all;
            return 0;
        }
    }
    out->null = sawnull;
    out->i = all;
    return 0;
}

/* IN (subquery): a plain = between two columns of hashable types. */
static bool hashable_in(const eng_expr *e)
{
    const eng_expr *t = e->subtest;
    return e->ival == SUBLINK_ANY && t && t->kind == BX_FUNC && t->proc->is_op && t->nargs == 2 &&
           strcmp(t->proc->name, "=") == 0 && t->args[0]->kind == BX_SCANCOL && t->args[1]->kind == BX_SCANCOL &&
           eng__hashable_pair(t->args[0]->type, t->args[1]->type);
}

static int build_set(eng_ctx *c, cache_ent *k, arena *a)
{
    static const int key0 = 0;
    uint32_t t = k->e->subtest->args[1]->type;
    k->set_type = t == OID_INT2 || t == OID_INT4 || t == OID_OID ? OID_INT8 : t;
    if (!(k->set = eng__rowtab_new(a, 1, &key0, &k->set_type)))
        return eng__oom(c);
    for (size_t i = 0; i < k->nrows; i++) {
        bool oom;
        if (k->rows[i].null)
            k->has_null = true;
        else if (!eng__rowtab_find(k->set, &k->rows[i], 1, &k->set_type, true, &oom) && oom)
            return eng__oom(c);
    }
    return 0;
}

/* lhs IN (the cached set), with SQL's NULL rules. */
static int in_set(const cache_ent *k, const eng_val *lhs, eng_val *out)
{
    out->null = false;
    out->i = 0;
    if (!k->nrows)
        return 0;
    bool oom;
    if (lhs->null || !eng__rowtab_find(k->set, lhs, 1, &k->set_type, false, &oom)) {
        out->null = lhs->null || k->has_null;
        return 0;
    }
    out->i = 1;
    return 0;
}

static cache_ent *cached(eng_ctx *c, const eng_expr *e)
{
    for (cache_ent *k = c->subcache ? c->subcache->head : NULL; k; k = k->next)
        if (k->e == e)
            return k;
    return NULL;
}

/* Evaluate an uncorrelated subquery once into a cache entry. */
static cache_ent *fill_cache(eng_ctx *c, const eng_expr *e)
{
    arena *a = c->subcache->a;
    cache_ent *k = arena_calloc(a, 1, sizeof(*k));
    if (!k) {
        eng__oom(c);
        return NULL;
    }
    k->e = e;
    int rc;
    if (e->ival == SUBLINK_EXISTS) {
        collect cnt = {0};
        rc = run_sub(c, e->sub, NULL, 1, count_row, &cnt);
        k->val.i = cnt.n > 0;
    } else if (e->ival == SUBLINK_EXPR) {
        rc = scalar(c, e, NULL, a, &k->val);
    } else {
        collect all = {.a = a, .type = e->sub->targets[0].expr->type};
        rc = run_sub(c, e->sub, NULL, -1, collect_row, &all);
        k->rows = all.rows;
        k->nrows = all.n;
        if (!rc && hashable_in(e))
            rc = build_set(c, k, a);
        if (!rc && e->ival == SUBLINK_ARRAY) {
            eng_ctx cc = *c;
            cc.mem = a;
            rc = eng_array_pack(&cc, e->type, all.rows, (int)all.n, &k->val);
        }
    }
    if (rc)
        return NULL;
    k->next = c->subcache->head;
    c->subcache->head = k;
    return k;
}

int eng__sublink_eval(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val lhs = {.null = true};
    if (e->nargs && eng_eval(c, e->args[0], scan, &lhs))
        return -1;
    if (!e->sub->correlated && c->subcache) {
        cache_ent *k = cached(c, e);
        if (!k && !(k = fill_cache(c, e)))
            return -1;
        if (k->set)
            return in_set(k, &lhs, out);
        if (e->ival == SUBLINK_ANY || e->ival == SUBLINK_ALL)
            return eng__quantified(c, e, &lhs, k->rows, k->nrows, out);
        *out = k->val;
        return 0;
    }
    if (e->ival == SUBLINK_EXPR)
        return scalar(c, e, scan, c->mem, out);
    collect k = {.a = c->mem, .type = e->ival == SUBLINK_EXISTS ? 0 : e->sub->targets[0].expr->type};
    if (e->ival == SUBLINK_EXISTS) {
        if (run_sub(c, e->sub, scan, 1, count_row, &k))
            return -1;
        out->null = false;
        out->i = k.n > 0;
        return 0;
    }
    if (run_sub(c, e->sub, scan, -1, collect_row, &k))
        return -1;
    if (e->ival == SUBLINK_ARRAY)
        return eng_array_pack(c, e->type, k.rows, (int)k.n, out);
    return eng__quantified(c, e, &lhs, k.rows, k.n, out);
}
