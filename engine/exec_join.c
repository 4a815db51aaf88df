/*
 * exec_join: joins of two FROM items — Hash Join when the condition holds
 * equalities between the two sides of hashable types, Nested Loop
 * otherwise — for INNER, LEFT, RIGHT (run as LEFT with the sides swapped)
 * and FULL joins.
 *
 * The inner side is read whole into the node's arena first (with its
 * matched flags for FULL joins); the outer side streams. The current outer
 * row is copied to an arena of its own (reset per outer row), because one
 * outer row yields many output rows across the portal's row resets.
 */
#include <string.h>

#include "engine/exec_node.h"

typedef struct inner_row {
    eng_val *vals;                  /* the inner item's columns */
    struct inner_row *next;         /* same hash key */
    bool matched;
} inner_row;

typedef struct join_state {
    eng_node *outer, *inner;
    int olo, on, ilo, in;           /* column ranges of each side in the FROM row */
    bool keep_outer, keep_inner;    /* outer join: emit unmatched rows with NULLs */
    int nkeys;
    const eng_expr **okey, **ikey;  /* hash keys: outer-side and inner-side expressions */
    uint32_t *ktypes;
    int *kidx;
    const eng_expr *residual;       /* the rest of the condition (all of it for a nested loop) */
    /* run time */
    bool built;
    arena *mem, *orow_mem;
    inner_row *rows;
    size_t nrows;
    eng_rowtab *hash;               /* key → entry whose slot [nkeys] is its inner_row list */
    eng_val *keys;
    eng_val *orow;                  /* current outer row (FROM-row width), NULL = fetch one */
    bool omatched;
    inner_row *cand;                /* hash candidates left */
    size_t ipos;                    /* nested loop position; unmatched-inner scan position */
    bool outer_done;
} join_state;

/* ---- condition analysis ------------------------------------------------- */

static bool reads_range(const eng_expr *e, int lo, int n, bool *other)
{
    if (!e)
        return false;
    if (e->kind == BX_SCANCOL) {
        if (e->index >= lo && e->index < lo + n)
            return true;
        *other = true;
        return false;
    }
    if (e->kind == BX_SUBLINK || e->kind == BX_AGG || (e->kind == BX_FUNC && (e->proc->flags & ENG_F_VOLATILE))) {
        *other = true;
        return false;
    }
    bool any = false;
    for (int i = 0; i < e->nargs; i++)
        any |= reads_range(e->args[i], lo, n, other);
    return any;
}

/* Reads only columns of [lo, lo+n) (and at least one). */
static bool only_side(const eng_expr *e, int lo, int n)
{
    bool other = false;
    return reads_range(e, lo, n, &other) && !other;
}

static bool int_family(uint32_t t)
{
    return t == OID_INT2 || t == OID_INT4 || t == OID_INT8 || t == OID_OID;
}

bool eng__hashable_pair(uint32_t a, uint32_t b)
{
    if (int_family(a) && int_family(b))
        return true;
    if (a != b)
        return false;
    switch (a) {
    case OID_BOOL: case OID_TEXT: case OID_VARCHAR: case OID_NAME: case OID_FLOAT4: case OID_FLOAT8:
    case OID_NUMERIC: case OID_DATE: case OID_TIMESTAMP: case OID_TIMESTAMPTZ: case OID_CHAR: case OID_BYTEA:
        return true;
    default:
        return false;
    }
}

static eng_expr *and_node(arena *a, eng_expr *l, const eng_expr *r)
{
    if (!l)
        return (eng_expr *)r;
    eng_expr *e = arena_calloc(a, 1, sizeof(*e));
    eng_expr **args = arena_calloc(a, 2, sizeof(*args));
    if (!e || !args)
        return NULL;
    e->kind = BX_AND;
    e->type = OID_BOOL;
    e->typmod = -1;
    e->loc = -1;
    e->nargs = 2;
    e->args = args;
    args[0] = l;
    args[1] = (eng_expr *)r;
    return e;
}

/* Split cond into hash keys (outer = inner) and the residual. */
static int split_cond(arena *a, join_state *s, const eng_expr *cond)
{
    if (!cond)
        return 0;
    if (cond->kind == BX_AND) {
        for (int i = 0; i < cond->nargs; i++)
            if (split_cond(a, s, cond->args[i]))
                return -1;
        return 0;
    }
    if (cond->kind == BX_FUNC && cond->proc->is_op && cond->nargs == 2 && strcmp(cond->proc->name, "=") == 0 &&
        eng__hashable_pair(cond->args[0]->type, cond->args[1]->type)) {
        for (int side = 0; side < 2; side++) {
            const eng_expr *o = cond->args[side], *i = cond->args[1 - side];
            if (only_side(o, s->olo, s->on) && only_side(i, s->ilo, s->in)) {
                s->okey[s->nkeys] = o;
                s->ikey[s->nkeys] = i;
                /* int2/4/8 hash alike (all held as int64), so either side's type will do */
                s->ktypes[s->nkeys] = int_family(o->type) ? OID_INT8 : o->type;
                s->kidx[s->nkeys] = s->nkeys;
                s->nkeys++;
                return 0;
            }
        }
    }
    eng_expr *r = and_node(a, (eng_expr *)s->residual, cond);
    if (!r)
        return -1;
    s->residual = r;
    return 0;
}

static int count_conjuncts(const eng_expr *e)
{
    if (!e)
        return 0;
    if (e->kind != BX_AND)
        return 1;
    int n = 0;
    for (int i = 0; i < e->nargs; i++)
        n += count_conjuncts(e->args[i]);
    return n;
}

/* ---- run time ------------------------------------------------------------ */

static int eval_keys(eng_ctx *c, const eng_expr **ks, int n, const eng_val *row, eng_val *out, bool *anynull)
{
    *anynull = false;
    for (int k = 0; k < n; k++) {
        if (eng_eval(c, ks[k], row, &out[k]))
            return -1;
        *anynull |= out[k].null;
    }
    return 0;
}

static int add_inner(eng_node *n, eng_ctx *c, const eng_val *row)
{
    join_state *s = n->st;
    inner_row *r = &s->rows[s->nrows++];
    r->vals = arena_alloc(s->mem, sizeof(eng_val) * ((size_t)s->in + 1));
    if (!r->vals)
        return eng__oom(c);
    memcpy(r->vals, row + s->ilo, sizeof(eng_val) * (size_t)s->in);
    for (int i = 0; i < s->in; i++)
        if (eng__copy_val(s->mem, n->sel->col_types[s->ilo + i], &r->vals[i]))
            return eng__oom(c);
    return 0;
}

static int build(eng_node *n, eng_ctx *c)
{
    join_state *s = n->st;
    arena *scratch = eng__node_arena(n->plan);
    if (!scratch)
        return eng__oom(c);
    eng_ctx cc = *c;
    cc.mem = scratch;
    size_t cap = 0;
    for (;;) {
        arena_reset(scratch);
        const eng_val *row;
        int rc = eng__next(s->inner, &cc, &row);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        if (s->nrows == cap) {
            cap = cap ? cap * 2 : 64;
            inner_row *v = arena_calloc(s->mem, cap, sizeof(*v));
            if (!v)
                return eng__oom(c);
            if (s->nrows)
                memcpy(v, s->rows, s->nrows * sizeof(*v));
            s->rows = v;
        }
        if (add_inner(n, c, row))
            return -1;
        if (eng__check(c))
            return -1;
    }
    if (!s->nkeys)
        return 0;
    /* hash the inner rows by key; links are set after the array stops moving */
    eng_val *full = arena_calloc(s->mem, (size_t)n->sel->width + 1, sizeof(eng_val));
    if (!full)
        return eng__oom(c);
    for (size_t i = s->nrows; i-- > 0;) { /* backwards: chains come out in input order */
        arena_reset(scratch);
        memcpy(full + s->ilo, s->rows[i].vals, sizeof(eng_val) * (size_t)s->in);
        bool anynull, oom;
        if (eval_keys(&cc, s->ikey, s->nkeys, full, s->keys, &anynull))
            return -1;
        if (anynull)
            continue; /* NULL never equals anything */
        eng_rowent *e = eng__rowtab_find(s->hash, s->keys, s->nkeys, s->ktypes, true, &oom);
        if (!e)
            return eng__oom(c);
        s->rows[i].next = (inner_row *)e->row[s->nkeys].s.p;
        e->row[s->nkeys].s.p = (const char *)&s->rows[i];
    }
    return 0;
}

static eng_val *combine(eng_node *n, eng_ctx *c, const eng_val *orow, const inner_row *ir)
{
    join_state *s = n->st;
    eng_val *out = arena_calloc(c->mem, (size_t)n->sel->width + 1, sizeof(eng_val));
    if (!out)
        return NULL;
    if (orow)
        memcpy(out + s->olo, orow + s->olo, sizeof(eng_val) * (size_t)s->on);
    else
        for (int i = 0; i < s->on; i++)
            out[s->olo + i].null = true;
    if (ir)
        memcpy(out + s->ilo, ir->vals, sizeof(eng_val) * (size_t)s->in);
    else
        for (int i = 0; i < s->in; i++)
            out[s->ilo + i].null = true;
    return out;
}

/* Fetch the next outer row into s->orow; 0 when the outer side is done. */
static int next_outer(eng_node *n, eng_ctx *c)
{
    join_state *s = n->st;
    arena_reset(s->orow_mem);
    const eng_val *row;
    int rc = eng__next(s->outer, c, &row);
    if (rc <= 0)
        return rc;
    s->orow = arena_calloc(s->orow_mem, (size_t)n->sel->width + 1, sizeof(eng_val));
    if (!s->orow)
        return eng__oom(c);
    memcpy(s->orow + s->olo, row + s->olo, sizeof(eng_val) * (size_t)s->on);
    for (int i = 0; i < s->on; i++)
        if (eng__copy_val(s->orow_mem, n->sel->col_types[s->olo + i], &s->orow[s->olo + i]))
            return eng__oom(c);
    s->omatched = false;
    s->ipos = 0;
    s->cand = NULL;
    if (s->nkeys) {
        bool anynull;
        eng_ctx cc = *c;
        cc.mem = s->orow_mem;
        if (eval_keys(&cc, s->okey, s->nkeys, s->orow, s->keys, &anynull))
            return -1;
        bool oom;
        eng_rowent *e = anynull ? NULL : eng__rowtab_find(s->hash, s->keys, s->nkeys, s->ktypes, false, &oom);
        s->cand = e ? (inner_row *)e->row[s->nkeys].s.p : NULL;
    }
    return 1;
}

/* The next inner row to try with the current outer row, or NULL. */
static inner_row *next_candidate(join_state *s)
{
    if (s->nkeys) {
        inner_row *r = s->cand;
        if (r)
            s->cand = r->next;
        return r;
    }
    return s->ipos < s->nrows ? &s->rows[s->ipos++] : NULL;
}

static int join_probe(eng_node *n, eng_ctx *c, const eng_val **row)
{
    join_state *s = n->st;
    for (;;) {
        if (!s->orow) {
            int rc = next_outer(n, c);
            if (rc <= 0)
                return rc;
        }
        inner_row *ir;
        while ((ir = next_candidate(s))) {
            eng_val *out = combine(n, c, s->orow, ir);
            if (!out)
                return eng__oom(c);
            if (s->residual) {
                eng_val v;
                if (eng_eval(c, s->residual, out, &v))
                    return -1;
                if (v.null || !v.i)
                    continue;
            }
            s->omatched = true;
            ir->matched = true;
            *row = out;
            return 1;
        }
        bool emit_unmatched = s->keep_outer && !s->omatched;
        const eng_val *orow = s->orow;
        s->orow = NULL;
        if (emit_unmatched) {
            if (!(*row = combine(n, c, orow, NULL)))
                return eng__oom(c);
            return 1;
        }
        if (eng__check(c))
            return -1;
    }
}

static int join_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    join_state *s = n->st;
    if (!s->built) {
        s->built = true;
        if (build(n, c))
            return -1;
    }
    if (!s->outer_done) {
        int rc = join_probe(n, c, row);
        if (rc != 0)
            return rc;
        s->outer_done = true;
        s->ipos = 0;
    }
    /* FULL join: the inner rows no outer row matched */
    while (s->keep_inner && s->ipos < s->nrows) {
        inner_row *ir = &s->rows[s->ipos++];
        if (ir->matched)
            continue;
        if (!(*row = combine(n, c, NULL, ir)))
            return eng__oom(c);
        return 1;
    }
    return 0;
}

static void join_detail(const eng_node *n, eng_plan *p)
{
    const join_state *s = n->st;
    if (s->nkeys) {
        buf b;
        buf_init(&b);
        for (int k = 0; k < s->nkeys; k++) {
            if (k)
                buf_put_str(&b, " AND ");
            buf_put_str(&b, "(");
            eng__deparse(n->sel, s->okey[k], false, true, &b);
            buf_put_str(&b, " = ");
            eng__deparse(n->sel, s->ikey[k], false, true, &b);
            buf_put_str(&b, ")");
        }
        buf_put_u8(&b, 0);
        if (!b.failed)
            eng__explain_prop(p, "Hash Cond", "%s", (const char *)b.data);
        buf_free(&b);
    }
    if (s->residual)
        eng__explain_expr(p, "Join Filter", n, s->residual, false);
}

/* ---- a function reading the items before it (implicit LATERAL) ---------- */

/* A FROM row holding only the columns of item r (the rest NULL), in a. */
static eng_val *copy_range(eng_node *n, eng_ctx *c, arena *a, const eng_val *row, const eng_rel *r)
{
    int w = n->sel->width;
    eng_val *out = arena_calloc(a, (size_t)w + 1, sizeof(eng_val));
    if (!out) {
        eng__oom(c);
        return NULL;
    }
    for (int i = 0; i < w; i++)
        out[i].null = true;
    for (int i = r->lo; i < r->lo + r->ncols; i++) {
        out[i] = row[i];
        if (eng__copy_val(a, n->sel->col_types[i], &out[i])) {
            eng__oom(c);
            return NULL;
        }
    }
    return out;
}

typedef struct lateral_state {
    eng_node *outer;
    const eng_rel *fn;              /* the function item */
    bool keep_outer;
    arena *orow_mem;
    eng_val *orow;
    eng_val args[ENG_PROC_MAX_ARGS];
    int64_t srf[ENG_SRF_STATE_WORDS];
    int64_t ordinality;             /* the function's rows for this outer row so far */
    bool omatched;
} lateral_state;

static int lateral_start(eng_node *n, eng_ctx *c)
{
    lateral_state *s = n->st;
    const eng_val *row;
    arena_reset(s->orow_mem);
    s->orow = NULL;
    int rc = eng__next(s->outer, c, &row);
    if (rc <= 0)
        return rc;
    if (!(s->orow = copy_range(n, c, s->orow_mem, row, n->rel->left)))
        return -1;
    eng_ctx cc = *c;
    cc.mem = s->orow_mem;
    const eng_expr *f = s->fn->func;
    for (int i = 0; i < f->nargs; i++)
        if (eng_eval(&cc, f->args[i], s->orow, &s->args[i]))
            return -1;
    memset(s->srf, 0, sizeof(s->srf));
    s->ordinality = 0;
    s->omatched = false;
    return 1;
}

/* A candidate row of a lateral join: 1 when it passes the join condition (it
 * becomes *row and its outer row counts as matched), 0 when not, -1 on error. */
static int lateral_try(eng_node *n, eng_ctx *c, eng_val *out, bool *omatched, const eng_val **row)
{
    eng_val v = {.i = 1};
    if (n->rel->cond && eng_eval(c, n->rel->cond, out, &v))
        return -1;
    if (v.null || !v.i)
        return 0;
    *omatched = true;
    *row = out;
    return 1;
}

/* The outer row is used up. A LEFT JOIN LATERAL whose outer row matched
 * nothing emits it once, NULL over the lateral columns [lo, lo + ncols): 1. */
static int lateral_outer_done(eng_val **orow, bool unmatched, eng_val *out, int lo, int ncols,
                              const eng_val **row)
{
    *orow = NULL;
    if (!unmatched)
        return 0;
    for (int i = 0; i < ncols; i++)
        out[lo + i].null = true;
    *row = out;
    return 1;
}

static int lateral_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    lateral_state *s = n->st;
    const eng_expr *f = s->fn->func;
    for (;;) {
        if (!s->orow) {
            int rc = lateral_start(n, c);
            if (rc <= 0)
                return rc;
        }
        bool done = false, anynull = false;
        for (int i = 0; i < f->nargs; i++)
            anynull |= s->args[i].null;
        eng_val *out = arena_alloc(c->mem, sizeof(eng_val) * ((size_t)n->sel->width + 1));
        if (!out)
            return eng__oom(c);
        memcpy(out, s->orow, sizeof(eng_val) * (size_t)n->sel->width);
        if (!(anynull && (f->proc->flags & ENG_F_STRICT)) &&
            f->proc->srf(c, s->args, f->nargs, s->srf, &done, &out[s->fn->lo]))
            return -1;
        int ocol = s->fn->lo + s->fn->ncols - 1;
        if (!done && !(anynull && (f->proc->flags & ENG_F_STRICT))) {
            if (s->fn->ordinality)
                out[ocol] = (eng_val){.i = ++s->ordinality};
            int rc = lateral_try(n, c, out, &s->omatched, row);
            if (rc)
                return rc;
            continue;
        }
        if (lateral_outer_done(&s->orow, s->keep_outer && !s->omatched, out, s->fn->lo, s->fn->ncols, row))
            return 1;
    }
}

static void lateral_detail(const eng_node *n, eng_plan *p)
{
    if (n->rel->cond)
        eng__explain_expr(p, "Join Filter", n, n->rel->cond, false);
}

static const eng_node_ops lateral_ops = {"Nested Loop", lateral_next, NULL, lateral_detail};

/* ---- LATERAL (subquery): run again for every row of the items before it ---- */

typedef struct latsub_state {
    eng_node *outer;
    const eng_rel *sub;             /* the subquery item */
    bool keep_outer, omatched;
    arena *orow_mem;
    eng_val *orow;
    eng_outer link;                 /* orow as the subquery's enclosing row */
    arena *plan_mem;                /* the current run's plan */
    eng_plan *plan;
} latsub_state;

static int latsub_start(eng_node *n, eng_ctx *c)
{
    latsub_state *s = n->st;
    eng__plan_close(s->plan);
    s->plan = NULL;
    arena_reset(s->plan_mem);
    arena_reset(s->orow_mem);
    s->orow = NULL;
    const eng_val *row;
    int rc = eng__next(s->outer, c, &row);
    if (rc <= 0)
        return rc;
    if (!(s->orow = copy_range(n, c, s->orow_mem, row, n->rel->left)))
        return -1;
    s->link = (eng_outer){s->orow, c->outer};
    eng_ctx cc = *c;
    cc.outer = &s->link;
    s->omatched = false;
    return eng__plan_open(s->plan_mem, s->sub->sub, &cc, false, &s->plan) ? -1 : 1;
}

static int latsub_next(eng_node *n, eng_ctx *c, const eng_val **row)
{
    latsub_state *s = n->st;
    for (;;) {
        if (!s->orow) {
            int rc = latsub_start(n, c);
            if (rc <= 0)
                return rc;
        }
        eng_ctx cc = *c;
        cc.outer = &s->link;
        const eng_val *in;
        int rc = eng__next(s->plan->top, &cc, &in);
        if (rc < 0)
            return -1;
        eng_val *out = arena_alloc(c->mem, sizeof(eng_val) * ((size_t)n->sel->width + 1));
        if (!out)
            return eng__oom(c);
        memcpy(out, s->orow, sizeof(eng_val) * (size_t)n->sel->width);
        if (rc == 1) {
            memcpy(out + s->sub->lo, in, sizeof(eng_val) * (size_t)s->sub->ncols);
            rc = lateral_try(n, c, out, &s->omatched, row);
            if (rc)
                return rc;
            continue;
        }
        if (lateral_outer_done(&s->orow, s->keep_outer && !s->omatched, out, s->sub->lo, s->sub->ncols, row))
            return 1;
    }
}

static const eng_node_ops latsub_ops = {"Nested Loop", latsub_next, NULL, lateral_detail};

static eng_node *plan_latsub(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c)
{
    eng_node *l = eng__plan_rel(p, sel, r->left, c);
    latsub_state *s = l ? arena_calloc(p->a, 1, sizeof(*s)) : NULL;
    eng_node *n = s ? eng__node(p, &latsub_ops, sel, l) : NULL;
    if (!n || !(s->orow_mem = eng__node_arena(p)) || !(s->plan_mem = eng__node_arena(p)))
        return NULL;
    if (eng__plan_own(p, &s->plan))
        return NULL;
    s->outer = l;
    s->sub = r->right;
    s->keep_outer = r->join == EJ_LEFT;
    n->st = s;
    n->rel = r;
    n->name_override = s->keep_outer ? "Nested Loop Left Join" : NULL;
    n->rows = l->rows * 10;
    n->cost1 = l->cost1 * 2 + n->rows * 0.01;
    return n;
}

/* True if the right item is a function reading columns of the left. */
static bool is_lateral(const eng_rel *r)
{
    if (r->right->kind != REL_FUNC)
        return false;
    bool other = false;
    const eng_expr *f = r->right->func;
    for (int i = 0; i < f->nargs; i++)
        if (reads_range(f->args[i], 0, 0, &other) || other)
            return true;
    return false;
}

static eng_node *plan_lateral(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c)
{
    eng_node *l = eng__plan_rel(p, sel, r->left, c);
    lateral_state *s = l ? arena_calloc(p->a, 1, sizeof(*s)) : NULL;
    eng_node *n = s ? eng__node(p, &lateral_ops, sel, l) : NULL;
    if (!n || !(s->orow_mem = eng__node_arena(p)))
        return NULL;
    s->outer = l;
    s->fn = r->right;
    s->keep_outer = r->join == EJ_LEFT;
    n->st = s;
    n->rel = r;
    n->name_override = s->keep_outer ? "Nested Loop Left Join" : NULL;
    n->rows = l->rows * 10;
    n->cost1 = l->cost1 * 2 + n->rows * 0.01;
    return n;
}

static const eng_node_ops hashjoin_ops = {"Hash Join", join_next, NULL, join_detail};
static const eng_node_ops nestloop_ops = {"Nested Loop", join_next, NULL, join_detail};

static const char *join_name(const join_state *s, bool hash)
{
    if (s->keep_inner)
        return hash ? "Hash Full Join" : "Nested Loop Full Join";
    if (s->keep_outer)
        return hash ? "Hash Left Join" : "Nested Loop Left Join";
    return NULL;
}

eng_node *eng__plan_join(eng_plan *p, const eng_select *sel, const eng_rel *r, eng_ctx *c)
{
    if (is_lateral(r) || (r->right->kind == REL_SUBQUERY && r->right->lateral)) {
        if (r->join == EJ_RIGHT || r->join == EJ_FULL) {
            pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "the join type can only be LEFT or INNER with a LATERAL item");
            return NULL;
        }
        return r->right->kind == REL_FUNC ? plan_lateral(p, sel, r, c) : plan_latsub(p, sel, r, c);
    }
    eng_node *l = eng__plan_rel(p, sel, r->left, c), *rt = l ? eng__plan_rel(p, sel, r->right, c) : NULL;
    join_state *s = rt ? arena_calloc(p->a, 1, sizeof(*s)) : NULL;
    if (!s)
        return NULL;
    /* RIGHT runs as LEFT with the sides swapped; an inner join hashes the smaller side */
    bool swap = r->join == EJ_RIGHT || (r->join == EJ_INNER && l->rows < rt->rows);
    const eng_rel *orel = swap ? r->right : r->left, *irel = swap ? r->left : r->right;
    s->outer = swap ? rt : l;
    s->inner = swap ? l : rt;
    s->olo = orel->lo;
    s->on = orel->ncols;
    s->ilo = irel->lo;
    s->in = irel->ncols;
    s->keep_outer = r->join != EJ_INNER;
    s->keep_inner = r->join == EJ_FULL;
    int nc = count_conjuncts(r->cond) + 1;
    s->okey = arena_calloc(p->a, (size_t)nc, sizeof(eng_expr *));
    s->ikey = arena_calloc(p->a, (size_t)nc, sizeof(eng_expr *));
    s->ktypes = arena_calloc(p->a, (size_t)nc, sizeof(uint32_t));
    s->kidx = arena_calloc(p->a, (size_t)nc, sizeof(int));
    s->keys = arena_calloc(p->a, (size_t)nc, sizeof(eng_val));
    if (!s->okey || !s->ikey || !s->ktypes || !s->kidx || !s->keys || split_cond(p->a, s, r->cond))
        return NULL;
    if (!(s->mem = eng__node_arena(p)) || !(s->orow_mem = eng__node_arena(p)))
        return NULL;
    if (s->nkeys && !(s->hash = eng__rowtab_new(s->mem, s->nkeys, s->kidx, s->ktypes)))
        return NULL;
    eng_node *n = eng__node(p, s->nkeys ? &hashjoin_ops : &nestloop_ops, sel, s->outer);
    if (!n)
        return NULL;
    n->child2 = s->inner;
    n->st = s;
    n->rel = r;
    n->name_override = join_name(s, s->nkeys > 0);
    double rows = s->nkeys ? (s->outer->rows > s->inner->rows ? s->outer->rows : s->inner->rows)
                           : s->outer->rows * s->inner->rows / (s->residual ? 3 : 1);
    n->rows = rows < 1 ? 1 : rows;
    n->cost0 = s->inner->cost1;
    n->cost1 = s->outer->cost1 + s->inner->cost1 + n->rows * 0.01;
    n->width = s->outer->width + s->inner->width;
    return n;
}
