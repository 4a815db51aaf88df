/*
 * exec_agg: Aggregate / HashAggregate (GROUP BY, count, sum, avg, min,
 * max, string_agg, bool_and/or, DISTINCT aggregates), Sort, and Unique
 * (DISTINCT, DISTINCT ON) over the projected rows.
 *
 * Aggregation and sorting read their whole input in one call, with the
 * input's per-row values in a scratch arena reset after every row; what
 * must stay (group keys, states, sorted rows) is copied to node arenas.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "engine/exec_node.h"
#include "engine/types/array.h"
#include "engine/types/numeric.h"
#include "engine/types/vector.h"

typedef struct agg_val {
    eng_val acc;
    int64_t cnt;
    size_t cap;                     /* string_agg: bytes allocated at acc.s.p */
    eng_rowtab *seen;               /* DISTINCT: values already aggregated */
} agg_val;

typedef struct agg_state {
    bool built;
    arena *mem;                     /* group keys and states */
    eng_rowtab *groups;             /* GROUP BY: key → entry; entry->row[ngroup] holds the agg_val array */
    agg_val *plain;                 /* no GROUP BY: the one group */
    int *keyidx;
    uint32_t *keytypes;
    eng_val **out;                  /* finished rows */
    size_t nout, pos;
} agg_state;

static int distinct_seen(agg_state *s, const eng_agg *g, agg_val *v, const eng_val *in, bool *dup)
{
    static const int key0 = 0;
    if (!v->seen && !(v->seen = eng__rowtab_new(s->mem, 1, &key0, &g->arg->type)))
        return -1;
    size_t before = eng__rowtab_count(v->seen);
    bool oom;
    if (!eng__rowtab_find(v->seen, in, 1, &g->arg->type, true, &oom) && oom)
        return -1;
    *dup = eng__rowtab_count(v->seen) == before;
    return 0;
}

static int string_append(agg_state *s, agg_val *v, const eng_val *delim, const eng_val *x)
{
    size_t dn = v->acc.null || delim->null ? 0 : delim->s.n;
    size_t need = (v->acc.null ? 0 : v->acc.s.n) + dn + x->s.n;
    if (need > v->cap) {
        size_t cap = need * 2 + 16;
        char *p = arena_alloc(s->mem, cap);
        if (!p)
            return -1;
        if (!v->acc.null && v->acc.s.n)
            memcpy(p, v->acc.s.p, v->acc.s.n);
        v->acc.s.p = p;
        v->cap = cap;
    }
    char *p = (char *)v->acc.s.p;
    size_t n = v->acc.null ? 0 : v->acc.s.n;
    if (dn)
        memcpy(p + n, delim->s.p, dn);
    if (x->s.n)
        memcpy(p + n + dn, x->s.p, x->s.n);
    v->acc.null = false;
    v->acc.s.n = n + dn + x->s.n;
    return 0;
}

/* array_agg: the elements' text forms joined by commas; braces at the end. */
static int array_step(eng_ctx *c, agg_state *s, const eng_agg *g, agg_val *v, const eng_val *x)
{
    if (g->distinct) {
        bool dup;
        if (distinct_seen(s, g, v, x, &dup))
            return eng__oom(c);
        if (dup)
            return 0;
    }
    size_t len;
    char *t = eng_array_elem_text(c, g->arg->type, x, &len);
    if (!t)
        return pgw_error_is_set(c->err) ? -1 : eng__oom(c);
    eng_val comma = {.s = {",", 1}}, elem = {.s = {t, len}};
    v->cnt++;
    return string_append(s, v, &comma, &elem) ? eng__oom(c) : 0;
}

static int agg_step(eng_ctx *c, agg_state *s, const eng_agg *g, agg_val *v, const eng_val *in)
{
    if (g->filter) {
        eng_val f;
        if (eng_eval(c, g->filter, in, &f))
            return -1;
        if (f.null || !f.i)
            return 0;
    }
    if (g->kind == AGG_COUNT_STAR) {
        v->cnt++;
        return 0;
    }
    eng_val x;
    if (eng_eval(c, g->arg, in, &x))
        return -1;
    if (g->kind == AGG_ARRAY_AGG) /* keeps NULLs */
        return array_step(c, s, g, v, &x);
    if (x.null)
        return 0;
    if (g->distinct) {
        bool dup;
        if (distinct_seen(s, g, v, &x, &dup))
            return eng__oom(c);
        if (dup)
            return 0;
    }
    v->cnt++;
    switch (g->kind) {
    case AGG_COUNT:
        return 0;
    case AGG_STRING_AGG: {
        eng_val d;
        if (eng_eval(c, g->arg2, in, &d))
            return -1;
        return string_append(s, v, &d, &x) ? eng__oom(c) : 0;
    }
    case AGG_BOOL_AND: case AGG_BOOL_OR:
        if (v->acc.null)
            v->acc = x;
        else
            v->acc.i = g->kind == AGG_BOOL_AND ? (v->acc.i && x.i) : (v->acc.i || x.i);
        return 0;
    default:
        break;
    }
    if (g->kind == AGG_AVG && (g->state_type == OID_VECTOR || g->state_type == OID_HALFVEC))
        return eng__vector_accum(c, g->state_type, s->mem, &v->acc, &x);
    if (v->acc.null) {
        v->acc = x;
        return eng__copy_val(s->mem, g->arg->type, &v->acc) ? eng__oom(c) : 0;
    }
    eng_val args[2] = {v->acc, x}, out;
    if (g->kind == AGG_SUM || g->kind == AGG_AVG) {
        if (g->step->fn(c, args, 2, &out))
            return -1;
        v->acc = out;
        return eng__copy_val(s->mem, g->state_type, &v->acc) ? eng__oom(c) : 0;
    }
    /* min: replace when x < acc; max: when x > acc */
    args[0] = x;
    args[1] = v->acc;
    if (g->step->fn(c, args, 2, &out))
        return -1;
    if (!out.null && out.i) {
        v->acc = x;
        return eng__copy_val(s->mem, g->arg->type, &v->acc) ? eng__oom(c) : 0;
    }
    return 0;
}

static int agg_final(eng_ctx *c, const eng_agg *g, const agg_val *v, eng_val *out)
{
    *out = v->acc;
    if (g->kind == AGG_COUNT_STAR || g->kind == AGG_COUNT) {
        out->null = false;
        out->i = v->cnt;
        return 0;
    }
    if (g->kind == AGG_ARRAY_AGG && !out->null) {
        char *p = arena_alloc(c->mem, out->s.n + 3);
        if (!p)
            return eng__oom(c);
        p[0] = '{';
        memcpy(p + 1, out->s.p, out->s.n);
        p[out->s.n + 1] = '}';
        out->s.p = p;
        out->s.n += 2;
        return 0;
    }
    if (g->kind != AGG_AVG || out->null)
        return 0;
    if (g->state_type == OID_FLOAT8) {
        out->f = out->f / (double)v->cnt;
        return 0;
    }
    if (g->state_type == OID_INTERVAL) {
        out->null = true; /* avg(interval) is refused at bind time; never reached */
        return 0;
    }
    if (g->state_type == OID_VECTOR || g->state_type == OID_HALFVEC)
        return eng__vector_avg(c, g->state_type, &v->acc, v->cnt, out);
    eng_val args[2] = {v->acc, {.null = false}};
    if (g->state_type == OID_INT8)
        args[0].num = eng__num_from_int(c->mem, v->acc.i);
    args[1].num = eng__num_from_int(c->mem, v->cnt);
    if (!args[0].num || !args[1].num)
        return eng__oom(c);
    return g->div->fn(c, args, 2, out);
}

static agg_val *new_states(agg_state *s, int naggs)
{
    agg_val *v = arena_calloc(s->mem, (size_t)naggs + 1, sizeof(agg_val));
    for (int i = 0; v && i < naggs; i++)
        v[i].acc.null = true;
    return v;
}

/* The states of input row `in`'s group (keys evaluated into keys[]). */
static agg_val *group_of(eng_ctx *c, agg_state *s, const eng_select *sel, const eng_val *in, eng_val *keys)
{
    if (!sel->ngroup)
        return s->plain;
    for (int k = 0; k < sel->ngroup; k++)
        if (eng_eval(c, sel->group[k], in, &keys[k]))
            return NULL;
    bool oom;
    eng_rowent *e = eng__rowtab_find(s->groups, keys, sel->ngroup, s->keytypes, true, &oom);
    if (!e) {
        eng__oom(c);
        return NULL;
    }
    if (!e->row[sel->ngroup].s.p) {
        agg_val *v = new_states(s, sel->naggs);
        if (!v) {
            eng__oom(c);
            return NULL;
        }
        e->row[sel->ngroup].s.p = (const char *)v;
    }
    return (agg_val *)e->row[sel->ngroup].s.p;
}

static int agg_consume(eng_node *n, eng_ctx *c)
{
    agg_state *s = n->st;
    const eng_select *sel = n->sel;
    arena *scratch = eng__node_arena(n->plan);
    eng_val *keys = arena_calloc(n->a, (size_t)sel->ngroup + 2, sizeof(eng_val));
    if (!scratch || !keys || (!sel->ngroup && !(s->plain = new_states(s, sel->naggs))))
        return eng__oom(c);
    eng_ctx cc = *c;
    cc.mem = scratch;
    for (;;) {
        arena_reset(scratch);
        const eng_val *in;
        int rc = eng__next(n->child, &cc, &in);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return 0;
        memset(keys, 0, sizeof(eng_val) * ((size_t)sel->ngroup + 2));
        agg_val *v = group_of(&cc, s, sel, in, keys);
        if (!v)
            return -1;
        for (int i = 0; i < sel->naggs; i++)
            if (agg_step(&cc, s, &sel->aggs[i], &v[i], in))
                return -1;
        if (eng__check(c))
            return -1;
    }
}

/* Final rows [keys | aggregates], in the node's arena. */
static int agg_finish(eng_node *n, eng_ctx *c)
{
    agg_state *s = n->st;
    const eng_select *sel = n->sel;
    size_t ng = sel->ngroup ? eng__rowtab_count(s->groups) : 1;
    int w = sel->ngroup + sel->naggs;
    s->out = arena_calloc(s->mem, ng + 1, sizeof(eng_val *));
    if (!s->out)
        return eng__oom(c);
    for (size_t g = 0; g < ng; g++) {
        eng_val *row = arena_calloc(s->mem, (size_t)w + 1, sizeof(eng_val));
        if (!row)
            return eng__oom(c);
        agg_val *v = s->plain;
        if (sel->ngroup) {
            eng_rowent *e = eng__rowtab_at(s->groups, g);
            memcpy(row, e->row, sizeof(eng_val) * (size_t)sel->ngroup);
            v = (agg_val *)e->row[sel->ngroup].s.p;
        }
        for (int i = 0; i < sel->naggs; i++) {
            if (agg_final(c, &sel->aggs[i], &v[i], &row[sel->ngroup + i]) ||
                eng__copy_val(s->mem, sel->aggs[i].type, &row[sel->ngroup + i]))
                return pgw_error_is_set(c->err) ? -1 : eng__oom(c);
        }
        s->out[s->nout++] = row;
    }
    return 0;
}

static int agg_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    agg_state *s = n->st;
    if (!s->built) {
        s->built = true;
        if (agg_consume(n, c) || agg_finish(n, c))
            return -1;
    }
    if (s->pos >= s->nout)
        return 0;
    *row = s->out[s->pos++];
    return 1;
}

static void agg_detail(const eng_node *n, eng_plan *p)
{
    const eng_select *sel = n->sel;
    if (!sel->ngroup)
        return;
    buf b;
    buf_init(&b);
    for (int k = 0; k < sel->ngroup; k++) {
        if (k)
            buf_put_str(&b, ", ");
        eng__deparse(sel, sel->group[k], false, eng__explain_qualify(p, sel), &b);
    }
    buf_put_u8(&b, 0);
    if (!b.failed)
        eng__explain_prop(p, "Group Key", "%s", (const char *)b.data);
    buf_free(&b);
}

static const eng_node_ops agg_ops = {"Aggregate", agg_next, NULL, agg_detail};

eng_node *eng__plan_agg(eng_plan *p, const eng_select *sel, eng_node *child)
{
    eng_node *n = eng__node(p, &agg_ops, sel, child);
    agg_state *s = n ? arena_calloc(p->a, 1, sizeof(*s)) : NULL;
    if (!s || !(s->mem = eng__node_arena(p)))
        return NULL;
    n->st = s;
    n->rows = sel->ngroup ? child->rows / 10 + 1 : 1;
    n->cost1 = child->cost1 + child->rows * 0.0025 * (sel->naggs + 1);
    n->cost0 = n->cost1;
    if (!sel->ngroup)
        return n;
    n->name_override = "HashAggregate";
    s->keyidx = arena_calloc(p->a, (size_t)sel->ngroup + 1, sizeof(int));
    s->keytypes = arena_calloc(p->a, (size_t)sel->ngroup + 1, sizeof(uint32_t));
    if (!s->keyidx || !s->keytypes)
        return NULL;
    for (int k = 0; k < sel->ngroup; k++) {
        s->keyidx[k] = k;
        s->keytypes[k] = sel->group[k]->type;
    }
    /* each entry's row has one extra slot (zero type: not copied) for its states */
    return (s->groups = eng__rowtab_new(s->mem, sel->ngroup, s->keyidx, s->keytypes)) ? n : NULL;
}

/* ---- Sort ---------------------------------------------------------------- */

typedef struct sort_state {
    bool built;
    int64_t bound;                  /* LIMIT + OFFSET above: only that many rows matter; 0 = all */
    eng_val **rows;
    size_t nrows, caprows, pos;
    uint32_t *types;
} sort_state;

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

/* Top-N: once twice the bound has piled up, sort and keep the first `bound`. */
static void sort_trim(eng_node *n, eng_ctx *c)
{
    sort_state *s = n->st;
    sort_ctx sc = {n->sel, c};
    qsort_r(s->rows, s->nrows, sizeof(eng_val *), sort_cmp, &sc);
    s->nrows = (size_t)s->bound;
}

static int sort_fill(eng_node *n, eng_ctx *c)
{
    sort_state *s = n->st;
    const eng_select *sel = n->sel;
    arena *scratch = eng__node_arena(n->plan), *keep = eng__node_arena(n->plan);
    if (!scratch || !keep)
        return eng__oom(c);
    eng_ctx cc = *c;
    cc.mem = scratch;
    for (;;) {
        arena_reset(scratch);
        const eng_val *in;
        int rc = eng__next(n->child, &cc, &in);
        if (rc <= 0)
            return rc;
        if (s->nrows == s->caprows) {
            size_t ncap = s->caprows ? s->caprows * 2 : 64;
            eng_val **v = arena_alloc(keep, ncap * sizeof(*v));
            if (!v)
                return eng__oom(c);
            if (s->nrows)
                memcpy(v, s->rows, s->nrows * sizeof(*v));
            s->rows = v;
            s->caprows = ncap;
        }
        eng_val *copy = arena_alloc(keep, sizeof(eng_val) * ((size_t)sel->ntargets + 1));
        if (!copy)
            return eng__oom(c);
        memcpy(copy, in, sizeof(eng_val) * (size_t)sel->ntargets);
        for (int i = 0; i < sel->ntargets; i++)
            if (eng__copy_val(keep, sel->targets[i].expr->type, &copy[i]))
                return eng__oom(c);
        s->rows[s->nrows++] = copy;
        if (s->bound > 0 && s->nrows >= 2 * (size_t)s->bound + 64)
            sort_trim(n, c);
        if (eng__check(c))
            return -1;
    }
}

static int sort_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    sort_state *s = n->st;
    if (!s->built) {
        s->built = true;
        if (sort_fill(n, c))
            return -1;
        sort_ctx sc = {n->sel, c};
        if (s->nrows > 1) /* an empty result has no row array to hand qsort_r */
            qsort_r(s->rows, s->nrows, sizeof(eng_val *), sort_cmp, &sc);
    }
    if (s->pos >= s->nrows)
        return 0;
    *row = s->rows[s->pos++];
    return 1;
}

static void sort_detail(const eng_node *n, eng_plan *p)
{
    const eng_select *sel = n->sel;
    buf b;
    buf_init(&b);
    for (int i = 0; i < sel->nsort; i++) {
        const eng_sortkey *k = &sel->sort[i];
        if (i)
            buf_put_str(&b, ", ");
        eng__deparse(sel, sel->targets[k->target].expr, sel->grouped, eng__explain_qualify(p, sel), &b);
        if (k->desc)
            buf_put_str(&b, " DESC");
        if (k->nulls_first != k->desc)
            buf_put_str(&b, k->nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    buf_put_u8(&b, 0);
    if (!b.failed)
        eng__explain_prop(p, "Sort Key", "%s", (const char *)b.data);
    buf_free(&b);
}

static const eng_node_ops sort_ops = {"Sort", sort_next, NULL, sort_detail};

void eng__sort_bound(eng_node *sort, int64_t bound)
{
    if (sort->ops == &sort_ops && bound > 0)
        ((sort_state *)sort->st)->bound = bound;
}

eng_node *eng__plan_sort(eng_plan *p, const eng_select *sel, eng_node *child)
{
    eng_node *n = eng__node(p, &sort_ops, sel, child);
    if (!n || !(n->st = arena_calloc(p->a, 1, sizeof(sort_state))))
        return NULL;
    n->cost0 = child->cost1 + child->rows * 0.02;
    n->cost1 = n->cost0 + child->rows * 0.01;
    return n;
}

/* ---- Unique (DISTINCT, DISTINCT ON) ------------------------------------ */

typedef struct distinct_state {
    eng_rowtab *seen;
    uint32_t *types;                /* per target; hidden targets are copied too */
} distinct_state;

static int distinct_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    distinct_state *s = n->st;
    for (;;) {
        int rc = eng__next(n->child, c, row);
        if (rc <= 0)
            return rc;
        size_t before = eng__rowtab_count(s->seen);
        bool oom;
        if (!eng__rowtab_find(s->seen, *row, n->sel->ntargets, s->types, true, &oom) && oom)
            return eng__oom(c);
        if (eng__rowtab_count(s->seen) > before)
            return 1;
        if (eng__check(c))
            return -1;
    }
}

static void distinct_detail(const eng_node *n, eng_plan *p)
{
    const eng_select *sel = n->sel;
    if (sel->ndistinct_on)
        return;
    buf b;
    buf_init(&b);
    for (int i = 0; i < sel->nvisible; i++) {
        if (i)
            buf_put_str(&b, ", ");
        eng__deparse(sel, sel->targets[i].expr, sel->grouped, eng__explain_qualify(p, sel), &b);
    }
    buf_put_u8(&b, 0);
    if (!b.failed)
        eng__explain_prop(p, "Group Key", "%s", (const char *)b.data);
    buf_free(&b);
}

static const eng_node_ops distinct_ops = {"HashAggregate", distinct_next, NULL, distinct_detail};
static const eng_node_ops unique_ops = {"Unique", distinct_next, NULL, NULL};

eng_node *eng__plan_distinct(eng_plan *p, const eng_select *sel, eng_node *child)
{
    eng_node *n = eng__node(p, sel->ndistinct_on ? &unique_ops : &distinct_ops, sel, child);
    distinct_state *s = n ? arena_calloc(p->a, 1, sizeof(*s)) : NULL;
    arena *ta = s ? eng__node_arena(p) : NULL;
    if (!ta)
        return NULL;
    n->st = s;
    int nk = sel->ndistinct_on ? sel->ndistinct_on : sel->nvisible;
    int *keys = arena_calloc(p->a, (size_t)nk + 1, sizeof(int));
    uint32_t *ktypes = arena_calloc(p->a, (size_t)nk + 1, sizeof(uint32_t));
    s->types = arena_calloc(p->a, (size_t)sel->ntargets + 1, sizeof(uint32_t));
    if (!keys || !ktypes || !s->types)
        return NULL;
    for (int i = 0; i < sel->ntargets; i++)
        s->types[i] = sel->targets[i].expr->type;
    for (int i = 0; i < nk; i++) {
        keys[i] = sel->ndistinct_on ? sel->distinct_on[i] : i;
        ktypes[i] = s->types[keys[i]];
    }
    return (s->seen = eng__rowtab_new(ta, nk, keys, ktypes)) ? n : NULL;
}
