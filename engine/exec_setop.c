/*
 * exec_setop: row hash tables (GROUP BY, DISTINCT, set operations, hash
 * joins share them), Subquery Scan, Values Scan, and UNION [ALL] /
 * INTERSECT [ALL] / EXCEPT [ALL] with PostgreSQL's duplicate counting
 * (INTERSECT ALL keeps min(l, r) copies, EXCEPT ALL max(l - r, 0)).
 */
#include <math.h>
#include <string.h>
#include <xxhash.h>

#include "engine/exec_node.h"
#include "engine/types/numeric.h"

/* ---- value hashing -------------------------------------------------------- */

bool eng__fixed_len(uint32_t type)
{
    switch (type) { /* the common ones without a type-table walk */
    case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID: case OID_DATE:
    case OID_TIMESTAMP: case OID_TIMESTAMPTZ:
        return true;
    case OID_TEXT: case OID_VARCHAR: case OID_BPCHAR: case OID_NAME: case OID_BYTEA:
        return false;
    default: {
        const eng_type *t = eng_type_by_oid(type);
        return t && t->len > 0;
    }
    }
}

uint64_t eng__val_hash(uint32_t type, const eng_val *v)
{
    if (v->null)
        return 0x9e3779b97f4a7c15ull;
    if (type == OID_FLOAT4 || type == OID_FLOAT8) {
        double d = v->f == 0 ? 0 : v->f; /* -0 hashes as 0 */
        if (isnan(d))
            return 0x7ff8;
        return XXH3_64bits(&d, sizeof(d));
    }
    if (type == OID_NUMERIC) {
        const eng_num *n = v->num;
        int32_t nd = n->nd;
        while (nd > 0 && n->d[nd - 1] == 0)
            nd--; /* 1.0 and 1.00 are equal */
        int32_t point = n->nd - n->scale;
        uint64_t h = XXH3_64bits(n->d, (size_t)nd);
        return h ^ ((uint64_t)n->kind << 56) ^ ((uint64_t)n->neg << 48) ^ (uint64_t)(uint32_t)point;
    }
    if (type == OID_INTERVAL)
        return XXH3_64bits(&v->iv, sizeof(v->iv));
    if (eng__fixed_len(type))
        return XXH3_64bits(&v->i, sizeof(v->i));
    return XXH3_64bits(v->s.p, v->s.n);
}

bool eng__val_same(uint32_t type, const eng_val *a, const eng_val *b)
{
    if (a->null || b->null)
        return a->null && b->null;
    if (type == OID_FLOAT4 || type == OID_FLOAT8)
        return a->f == b->f || (isnan(a->f) && isnan(b->f));
    if (type == OID_NUMERIC)
        return eng__num_cmp(a->num, b->num) == 0;
    if (type == OID_INTERVAL)
        return memcmp(&a->iv, &b->iv, sizeof(a->iv)) == 0;
    if (eng__fixed_len(type))
        return a->i == b->i;
    return a->s.n == b->s.n && (a->s.n == 0 || memcmp(a->s.p, b->s.p, a->s.n) == 0);
}

/* ---- row hash table ------------------------------------------------------ */

struct eng_rowtab {
    arena *a;
    int nkeys;
    const int *keys;
    const uint32_t *types;          /* per key */
    eng_rowent **buckets;
    size_t nbuckets, n;
    eng_rowent **order;             /* insertion order */
    size_t caporder;
};

eng_rowtab *eng__rowtab_new(arena *a, int nkeys, const int *keys, const uint32_t *types)
{
    eng_rowtab *t = arena_calloc(a, 1, sizeof(*t));
    if (!t)
        return NULL;
    t->a = a;
    t->nkeys = nkeys;
    t->keys = keys;
    t->types = types;
    t->nbuckets = 64;
    if (!(t->buckets = arena_calloc(a, t->nbuckets, sizeof(eng_rowent *))))
        return NULL;
    return t;
}

static uint64_t row_hash(const eng_rowtab *t, const eng_val *row)
{
    uint64_t h = 0x12345;
    for (int i = 0; i < t->nkeys; i++)
        h = (h ^ eng__val_hash(t->types[i], &row[t->keys[i]])) * 0x100000001b3ull;
    return h;
}

static bool rows_same(const eng_rowtab *t, const eng_val *a, const eng_val *b)
{
    for (int i = 0; i < t->nkeys; i++)
        if (!eng__val_same(t->types[i], &a[t->keys[i]], &b[t->keys[i]]))
            return false;
    return true;
}

static bool rehash(eng_rowtab *t)
{
    size_t nb = t->nbuckets * 2;
    eng_rowent **v = arena_calloc(t->a, nb, sizeof(*v));
    if (!v)
        return false;
    for (size_t i = 0; i < t->n; i++) {
        eng_rowent *e = t->order[i];
        e->next = v[e->hash & (nb - 1)];
        v[e->hash & (nb - 1)] = e;
    }
    t->buckets = v;
    t->nbuckets = nb;
    return true;
}

static eng_rowent *insert(eng_rowtab *t, const eng_val *row, int width, const uint32_t *coltypes, uint64_t h)
{
    if (t->n == t->caporder) {
        size_t cap = t->caporder ? t->caporder * 2 : 64;
        eng_rowent **o = arena_alloc(t->a, cap * sizeof(*o));
        if (!o)
            return NULL;
        if (t->n)
            memcpy(o, t->order, t->n * sizeof(*o));
        t->order = o;
        t->caporder = cap;
    }
    if (t->n >= t->nbuckets && !rehash(t))
        return NULL;
    eng_rowent *e = arena_calloc(t->a, 1, sizeof(*e));
    eng_val *copy = arena_alloc(t->a, sizeof(eng_val) * ((size_t)width + 1));
    if (!e || !copy)
        return NULL;
    memcpy(copy, row, sizeof(eng_val) * (size_t)width);
    memset(&copy[width], 0, sizeof(eng_val)); /* a free slot for the user (GROUP BY states) */
    for (int i = 0; i < width; i++)
        if (coltypes[i] && eng__copy_val(t->a, coltypes[i], &copy[i]))
            return NULL;
    e->row = copy;
    e->hash = h;
    e->next = t->buckets[h & (t->nbuckets - 1)];
    t->buckets[h & (t->nbuckets - 1)] = e;
    t->order[t->n++] = e;
    return e;
}

eng_rowent *eng__rowtab_find(eng_rowtab *t, const eng_val *row, int width, const uint32_t *coltypes, bool add,
                             bool *oom)
{
    uint64_t h = row_hash(t, row);
    *oom = false;
    for (eng_rowent *e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->next)
        if (e->hash == h && rows_same(t, e->row, row))
            return e;
    if (!add)
        return NULL;
    eng_rowent *e = insert(t, row, width, coltypes, h);
    *oom = !e;
    return e;
}

size_t eng__rowtab_count(const eng_rowtab *t)
{
    return t->n;
}

eng_rowent *eng__rowtab_at(eng_rowtab *t, size_t i)
{
    return i < t->n ? t->order[i] : NULL;
}

/* ---- Subquery Scan ---------------------------------------------------------- */

static int subq_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    const eng_val *in;
    int rc = eng__next(n->child, c, &in);
    if (rc <= 0)
        return rc;
    eng_val *out = arena_calloc(c->mem, (size_t)n->sel->width + 1, sizeof(eng_val));
    if (!out)
        return eng__oom(c);
    memcpy(out + n->rel->lo, in, sizeof(eng_val) * (size_t)n->rel->ncols);
    *row = out;
    return 1;
}

static void subq_label(const eng_node *n, buf *out)
{
    if (n->rel->alias)
        buf_printf(out, " %s", n->rel->alias);
}

static void subq_detail(const eng_node *n, eng_plan *p)
{
    if (n->rel->quals)
        eng__explain_expr(p, "Filter", n, n->rel->quals, false);
}

static const eng_node_ops subq_ops = {"Subquery Scan on", subq_next, subq_label, subq_detail};

static int subq_filtered_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    for (;;) {
        int rc = subq_next(n, c, row);
        if (rc <= 0)
            return rc;
        eng_val v;
        if (eng_eval(c, n->rel->quals, *row, &v))
            return -1;
        if (!v.null && v.i)
            return 1;
    }
}

static const eng_node_ops subq_filtered_ops = {"Subquery Scan on", subq_filtered_next, subq_label, subq_detail};

eng_node *eng__plan_subquery(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c)
{
    eng_node *sub = eng__plan_select(p, r->sub, c);
    eng_node *n = sub ? eng__node(p, r->quals ? &subq_filtered_ops : &subq_ops, sel, sub) : NULL;
    if (n)
        n->rel = r;
    return n;
}

/* ---- Values Scan ------------------------------------------------------------ */

static int values_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    int64_t *pos = n->st;
    const eng_rel *r = n->rel;
    if (*pos >= r->nvalues)
        return 0;
    eng_val *out = arena_calloc(c->mem, (size_t)n->sel->width + 1, sizeof(eng_val));
    if (!out)
        return eng__oom(c);
    for (int i = 0; i < r->ncols; i++)
        if (eng_eval(c, r->values[*pos][i], NULL, &out[r->lo + i]))
            return -1;
    (*pos)++;
    *row = out;
    return 1;
}

static void values_label(const eng_node *n, buf *out)
{
    buf_printf(out, " on \"%s\"", n->rel->alias);
}

static const eng_node_ops values_ops = {"Values Scan", values_next, values_label, subq_detail};

eng_node *eng__plan_values(eng_plan *p, const eng_select *sel, const eng_rel *r)
{
    eng_node *n = eng__node(p, &values_ops, sel, NULL);
    if (!n || !(n->st = arena_calloc(p->a, 1, sizeof(int64_t))))
        return NULL;
    n->rel = r;
    n->rows = r->nvalues;
    n->cost1 = 0.01 * r->nvalues;
    return n;
}

/* ---- UNION / INTERSECT / EXCEPT --------------------------------------------- */

typedef struct setop_state {
    eng_node *l, *r;
    bool on_right, built;
    eng_rowtab *tab;
    uint32_t *types;
    int *keys;
    size_t pos;
    int64_t emitted;                /* copies of the current entry already returned */
} setop_state;

/* Output row of a branch as a FROM row of the set operation's level. */
static int emit(eng_node *n, eng_ctx *c, const eng_val *in, const eng_val **row)
{
    eng_val *out = arena_calloc(c->mem, (size_t)n->sel->width + 1, sizeof(eng_val));
    if (!out)
        return eng__oom(c);
    memcpy(out, in, sizeof(eng_val) * (size_t)n->rel->ncols);
    *row = out;
    return 1;
}

static int union_all_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    setop_state *s = n->st;
    for (;;) {
        const eng_val *in;
        int rc = eng__next(s->on_right ? s->r : s->l, c, &in);
        if (rc < 0)
            return -1;
        if (rc == 1)
            return emit(n, c, in, row);
        if (s->on_right)
            return 0;
        s->on_right = true;
    }
}

/* Count every distinct row's copies on each side into the table. */
static int setop_build(eng_node *n, eng_ctx *c)
{
    setop_state *s = n->st;
    arena *scratch = eng__node_arena(n->plan);
    if (!scratch)
        return eng__oom(c);
    eng_ctx cc = *c;
    cc.mem = scratch;
    for (int side = 0; side < 2; side++) {
        eng_node *src = side ? s->r : s->l;
        for (;;) {
            arena_reset(scratch);
            const eng_val *in;
            int rc = eng__next(src, &cc, &in);
            if (rc < 0)
                return -1;
            if (rc == 0)
                break;
            bool oom;
            eng_rowent *e = eng__rowtab_find(s->tab, in, n->rel->ncols, s->types, side == 0 || n->rel->setop == 1, &oom);
            if (oom)
                return eng__oom(c);
            if (e)
                e->count[side]++;
            if (eng__check(c))
                return -1;
        }
    }
    return 0;
}

static int64_t copies(const eng_node *n, const eng_rowent *e)
{
    int64_t l = e->count[0], r = e->count[1];
    bool all = n->rel->setop_all;
    switch (n->rel->setop) {
    case 1: /* UNION */
        return 1;
    case 2: /* INTERSECT */
        return all ? (l < r ? l : r) : (l && r ? 1 : 0);
    default: /* EXCEPT */
        return all ? (l > r ? l - r : 0) : (l && !r ? 1 : 0);
    }
}

static int setop_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    setop_state *s = n->st;
    if (!s->built) {
        s->built = true;
        if (setop_build(n, c))
            return -1;
    }
    for (;;) {
        eng_rowent *e = eng__rowtab_at(s->tab, s->pos);
        if (!e)
            return 0;
        if (s->emitted < copies(n, e)) {
            s->emitted++;
            return emit(n, c, e->row, row);
        }
        s->pos++;
        s->emitted = 0;
    }
}

static const eng_node_ops append_ops = {"Append", union_all_next, NULL, NULL};
static const eng_node_ops hashsetop_ops = {"HashSetOp", setop_next, NULL, NULL};

eng_node *eng__plan_setop(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c)
{
    bool append = r->setop == 1 && r->setop_all;
    eng_node *n = eng__node(p, append ? &append_ops : &hashsetop_ops, sel, NULL);
    setop_state *s = n ? arena_calloc(p->a, 1, sizeof(*s)) : NULL;
    if (!s || !(s->l = eng__plan_select(p, r->larg, c)) || !(s->r = eng__plan_select(p, r->rarg, c)))
        return NULL;
    n->st = s;
    n->rel = r;
    n->child = s->l;
    n->child2 = s->r;
    n->rows = s->l->rows + s->r->rows;
    n->cost1 = s->l->cost1 + s->r->cost1;
    if (r->setop == 1)
        n->name_override = append ? NULL : "HashAggregate";
    else
        n->name_override = r->setop == 2 ? (r->setop_all ? "HashSetOp Intersect All" : "HashSetOp Intersect")
                                         : (r->setop_all ? "HashSetOp Except All" : "HashSetOp Except");
    if (append)
        return n;
    arena *ta = eng__node_arena(p);
    s->types = arena_calloc(p->a, (size_t)r->ncols + 1, sizeof(uint32_t));
    s->keys = arena_calloc(p->a, (size_t)r->ncols + 1, sizeof(int));
    if (!ta || !s->types || !s->keys)
        return NULL;
    for (int i = 0; i < r->ncols; i++) {
        s->keys[i] = i;
        s->types[i] = r->larg->targets[i].expr->type;
    }
    return (s->tab = eng__rowtab_new(ta, r->ncols, s->keys, s->types)) ? n : NULL;
}
