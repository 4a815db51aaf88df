/*
 * spatial4d_search: kNN, box and radius queries (read lock held throughout).
 *
 * kNN is Hjaltason & Samet's best-first search ("Distance browsing in
 * spatial databases", TODS 1999): one min-priority queue holds both nodes
 * (keyed by MINDIST of their box) and points (keyed by distance); popping a
 * point yields the next nearest. Queue order is (distance, nodes before
 * points, row id): a node whose MINDIST equals a point's distance may still
 * hold an equal-distance point with a smaller id, so it must be opened
 * first. MINDIST is computed with the same lane order and operations as
 * s4d_dist2, and floating-point rounding is monotonic, so MINDIST never
 * exceeds the computed distance of a point inside the box -- the search is
 * exact, not approximate. A bounded max-heap of the k best point distances
 * seen so far prunes pushes that cannot make the answer. Both heaps live in
 * the caller's s4d_scratch and only grow, so a warm search does not allocate.
 */
#include <math.h>
#include <string.h>

#include "engine/index/spatial4d_internal.h"
#include "util/mem.h"

typedef struct qent {
    double d;
    uint64_t key;  /* row id (points) or node number (nodes) */
    uint32_t kind; /* 0: point; 1: leaf node; 2 + l: inner node of level l... (kind - 1 = level) */
} qent;

struct s4d_scratch {
    qent *q;
    size_t qn, qcap;
    double *best; /* max-heap of the k smallest point distances pushed */
    size_t bn, bcap;
};

s4d_scratch *s4d_scratch_create(void)
{
    return mem_calloc(1, sizeof(s4d_scratch));
}

void s4d_scratch_destroy(s4d_scratch *s)
{
    if (!s)
        return;
    mem_free(s->q);
    mem_free(s->best);
    mem_free(s);
}

static int qless(const qent *a, const qent *b)
{
    if (a->d != b->d)
        return a->d < b->d;
    if ((a->kind == 0) != (b->kind == 0))
        return a->kind != 0; /* nodes first */
    return a->key < b->key;
}

static s4d_status qpush(s4d_scratch *s, qent e)
{
    if (s->qn == s->qcap) {
        size_t cap = s->qcap ? s->qcap * 2 : 256;
        qent *q = mem_realloc(s->q, cap * sizeof *q);
        if (!q)
            return S4D_ERR_NOMEM;
        s->q = q, s->qcap = cap;
    }
    size_t i = s->qn++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!qless(&e, &s->q[p]))
            break;
        s->q[i] = s->q[p];
        i = p;
    }
    s->q[i] = e;
    return S4D_OK;
}

static qent qpop(s4d_scratch *s)
{
    qent top = s->q[0], last = s->q[--s->qn];
    size_t i = 0, n = s->qn;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && qless(&s->q[c + 1], &s->q[c]))
            c++;
        if (!qless(&s->q[c], &last))
            break;
        s->q[i] = s->q[c];
        i = c;
    }
    if (n > 0)
        s->q[i] = last;
    return top;
}

/* Current pruning bound: the k-th smallest point distance pushed, or +inf. */
static double bound(const s4d_scratch *s, size_t k)
{
    return s->bn == k ? s->best[0] : INFINITY;
}

/* Records a pushed point distance in the bounded max-heap (capacity k, reserved). */
static void best_add(s4d_scratch *s, size_t k, double d)
{
    size_t i;
    if (s->bn < k) {
        i = s->bn++;
        while (i > 0 && s->best[(i - 1) / 2] < d) {
            s->best[i] = s->best[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        s->best[i] = d;
        return;
    }
    if (d >= s->best[0])
        return;
    i = 0; /* replace the maximum and sift down */
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= k)
            break;
        if (c + 1 < k && s->best[c + 1] > s->best[c])
            c++;
        if (s->best[c] <= d)
            break;
        s->best[i] = s->best[c];
        i = c;
    }
    s->best[i] = d;
}

/* MINDIST^2 from q to a box, same operation order as s4d_dist2. */
static double mindist2(const double q[4], const s4d_box4 *b)
{
    double t[4];
    for (int d = 0; d < 4; d++)
        t[d] = q[d] < b->lo[d] ? q[d] - b->lo[d] : q[d] > b->hi[d] ? q[d] - b->hi[d] : 0.0;
    return ((t[0] * t[0] + t[1] * t[1]) + t[2] * t[2]) + t[3] * t[3];
}

static s4d_status expand(const s4d_index *x, s4d_scratch *s, const qent *e, const double q[4], size_t k)
{
    if (e->kind == 1) {
        const s4d_leaf *l = s4d__leaf(x, (uint32_t)e->key);
        for (uint32_t i = 0; i < l->count; i++) {
            double d = s4d_dist2(l->pt[i], q);
            if (d > bound(s, k))
                continue;
            best_add(s, k, d);
            s4d_status st = qpush(s, (qent){d, l->id[i], 0});
            if (st != S4D_OK)
                return st;
        }
        return S4D_OK;
    }
    const s4d_inner *n = s4d__inner(x, (uint32_t)e->key);
    for (uint32_t i = 0; i < n->count; i++) {
        double d = mindist2(q, &n->box[i]);
        if (d > bound(s, k))
            continue;
        s4d_status st = qpush(s, (qent){d, n->child[i], n->level}); /* child level + 1 == n->level */
        if (st != S4D_OK)
            return st;
    }
    return S4D_OK;
}

static s4d_status knn_locked(const s4d_index *x, const double q[4], size_t k, s4d_scratch *s, s4d_result *out,
                             size_t *nout)
{
    *nout = 0;
    if (k == 0 || x->root == S4D_NONE)
        return S4D_OK;
    if (s->bcap < k) {
        double *b = mem_realloc(s->best, k * sizeof *b);
        if (!b)
            return S4D_ERR_NOMEM;
        s->best = b, s->bcap = k;
    }
    s->qn = s->bn = 0;
    s4d_status st = qpush(s, (qent){0.0, x->root, x->height + 1});
    while (st == S4D_OK && s->qn > 0 && *nout < k) {
        qent e = qpop(s);
        if (e.kind == 0) {
            out[*nout].id = e.key;
            out[(*nout)++].dist2 = e.d;
        } else if (e.d <= bound(s, k)) {
            st = expand(x, s, &e, q, k);
        }
    }
    return st;
}

s4d_status s4d_knn(s4d_index *x, const double q[4], size_t k, s4d_scratch *scratch, s4d_result *out, size_t *nout)
{
    if (!x || !nout || !s4d__finite4(q) || (k > 0 && !out))
        return S4D_ERR_INVALID;
    s4d_scratch *own = NULL;
    if (!scratch && !(scratch = own = s4d_scratch_create()))
        return S4D_ERR_NOMEM;
    pthread_rwlock_rdlock(&x->lock);
    s4d_status st = knn_locked(x, q, k, scratch, out, nout);
    pthread_rwlock_unlock(&x->lock);
    s4d_scratch_destroy(own);
    return st;
}

/* ---- box and radius: depth-first with an explicit stack ---- */

typedef struct walk {
    const double *lo, *hi; /* box query */
    const double *c;       /* radius query centre, NULL for a box query */
    double r2;
} walk;

static int box_hits(const walk *w, const s4d_box4 *b)
{
    if (w->c)
        return mindist2(w->c, b) <= w->r2;
    for (int d = 0; d < 4; d++)
        if (b->hi[d] < w->lo[d] || b->lo[d] > w->hi[d])
            return 0;
    return 1;
}

static int point_hits(const walk *w, const double p[4])
{
    if (w->c)
        return s4d_dist2(p, w->c) <= w->r2;
    for (int d = 0; d < 4; d++)
        if (p[d] < w->lo[d] || p[d] > w->hi[d])
            return 0;
    return 1;
}

static void walk_locked(const s4d_index *x, const walk *w, s4d_visit_fn visit, void *arg)
{
    if (x->root == S4D_NONE)
        return;
    struct {
        uint32_t node, level;
    } stack[S4D_MAX_HEIGHT * S4D_NODE_MAX];
    size_t sp = 0;
    stack[sp].node = x->root, stack[sp++].level = x->height;
    while (sp > 0) {
        sp--;
        uint32_t node = stack[sp].node, level = stack[sp].level;
        if (level == 0) {
            const s4d_leaf *l = s4d__leaf(x, node);
            for (uint32_t i = 0; i < l->count; i++)
                if (point_hits(w, l->pt[i]) && visit(arg, l->pt[i], l->id[i]))
                    return;
            continue;
        }
        const s4d_inner *n = s4d__inner(x, node);
        for (uint32_t i = 0; i < n->count; i++) {
            if (box_hits(w, &n->box[i])) {
                stack[sp].node = n->child[i];
                stack[sp++].level = level - 1;
            }
        }
    }
}

s4d_status s4d_box(s4d_index *x, const double lo[4], const double hi[4], s4d_visit_fn visit, void *arg)
{
    if (!x || !visit || !s4d__finite4(lo) || !s4d__finite4(hi))
        return S4D_ERR_INVALID;
    walk w = {lo, hi, NULL, 0};
    pthread_rwlock_rdlock(&x->lock);
    walk_locked(x, &w, visit, arg);
    pthread_rwlock_unlock(&x->lock);
    return S4D_OK;
}

s4d_status s4d_radius(s4d_index *x, const double c[4], double r, s4d_visit_fn visit, void *arg)
{
    if (!x || !visit || !s4d__finite4(c) || !(r >= 0) || !isfinite(r))
        return S4D_ERR_INVALID;
    walk w = {NULL, NULL, c, r * r};
    pthread_rwlock_rdlock(&x->lock);
    walk_locked(x, &w, visit, arg);
    pthread_rwlock_unlock(&x->lock);
    return S4D_OK;
}
