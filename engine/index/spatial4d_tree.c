/*
 * spatial4d_tree: lifetime, node pools, insertion and deletion.
 *
 * Insertion: choose the child whose box needs the least volume enlargement
 * (ties: least margin enlargement, then smaller volume) down to a leaf; an
 * overflowing node is split with the R*-tree split (Beckmann et al. 1990,
 * §4.2: axis by minimum margin sum, distribution by minimum overlap, then
 * minimum volume); boxes on the path are recomputed exactly afterwards.
 * Deletion: find the leaf by box containment, remove the entry, and condense
 * (Guttman 1984, CondenseTree): a leaf that falls below S4D_NODE_MIN is
 * dissolved and its points reinserted; an inner node is dropped only when it
 * has no children left; a root with one child is replaced by that child.
 * Pool space for the worst case is reserved before anything changes, so a
 * failed allocation leaves the index as it was.
 */
#include <math.h>
#include <string.h>

#include "engine/index/spatial4d_internal.h"
#include "util/mem.h"

/* ---- pools ---- */

static s4d_status pool_grow(s4d_pool *p, size_t node_size, uint32_t want_cap)
{
    if (want_cap <= p->cap)
        return S4D_OK;
    uint32_t cap = p->cap ? p->cap : 16;
    while (cap < want_cap)
        cap = cap > UINT32_MAX / 2 ? UINT32_MAX - 1 : cap * 2;
    void *nodes = mem_realloc(p->nodes, node_size * cap);
    if (!nodes)
        return S4D_ERR_NOMEM;
    p->nodes = nodes;
    uint32_t *fr = mem_realloc(p->free, sizeof(uint32_t) * cap);
    if (!fr)
        return S4D_ERR_NOMEM; /* nodes grew, which is harmless; cap stays, so retried later */
    p->free = fr;
    p->free_cap = cap;
    p->cap = cap;
    return S4D_OK;
}

s4d_status s4d__pool_reserve(s4d_pool *p, size_t node_size, uint32_t n)
{
    uint32_t avail = (p->cap - p->used) + p->nfree;
    if (avail >= n)
        return S4D_OK;
    return pool_grow(p, node_size, p->used + (n - p->nfree));
}

s4d_status s4d__pool_alloc(s4d_pool *p, size_t node_size, uint32_t *out)
{
    if (p->nfree > 0) {
        *out = p->free[--p->nfree];
        return S4D_OK;
    }
    if (p->used == p->cap) {
        s4d_status st = pool_grow(p, node_size, p->cap + 1);
        if (st != S4D_OK)
            return st;
    }
    *out = p->used++;
    return S4D_OK;
}

/* Never allocates: the free stack always has room for every slot. */
void s4d__pool_release(s4d_pool *p, uint32_t i)
{
    p->free[p->nfree++] = i;
}

void s4d__pool_free(s4d_pool *p)
{
    mem_free(p->nodes);
    mem_free(p->free);
    memset(p, 0, sizeof *p);
}

/* ---- lifetime ---- */

s4d_index *s4d__new_empty(void)
{
    s4d_index *x = mem_calloc(1, sizeof *x);
    if (!x)
        return NULL;
    /*
     * Writer preference: glibc's default rwlock lets a steady stream of
     * readers starve the writer forever (seen in the concurrency test).
     */
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
#if defined(__GLIBC__)
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    int rc = pthread_rwlock_init(&x->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (rc != 0) {
        mem_free(x);
        return NULL;
    }
    x->root = S4D_NONE;
    return x;
}

s4d_index *s4d_create(void)
{
    return s4d__new_empty();
}

void s4d_destroy(s4d_index *x)
{
    if (!x)
        return;
    s4d__pool_free(&x->leaves);
    s4d__pool_free(&x->inners);
    pthread_rwlock_destroy(&x->lock);
    mem_free(x);
}

size_t s4d_count(s4d_index *x)
{
    pthread_rwlock_rdlock(&x->lock);
    size_t n = x->count;
    pthread_rwlock_unlock(&x->lock);
    return n;
}

unsigned s4d_height(s4d_index *x)
{
    pthread_rwlock_rdlock(&x->lock);
    unsigned h = x->height;
    pthread_rwlock_unlock(&x->lock);
    return h;
}

size_t s4d_memory_bytes(s4d_index *x)
{
    pthread_rwlock_rdlock(&x->lock);
    size_t b = sizeof *x + (size_t)x->leaves.cap * (sizeof(s4d_leaf) + 4) +
               (size_t)x->inners.cap * (sizeof(s4d_inner) + 4);
    pthread_rwlock_unlock(&x->lock);
    return b;
}

/* ---- boxes ---- */

int s4d__finite4(const double p[4])
{
    return p && isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]) && isfinite(p[3]);
}

static void box_of_point(const double p[4], s4d_box4 *b)
{
    for (int d = 0; d < 4; d++)
        b->lo[d] = b->hi[d] = p[d];
}

static void box_extend(s4d_box4 *b, const s4d_box4 *o)
{
    for (int d = 0; d < 4; d++) {
        if (o->lo[d] < b->lo[d])
            b->lo[d] = o->lo[d];
        if (o->hi[d] > b->hi[d])
            b->hi[d] = o->hi[d];
    }
}

void s4d__leaf_box(const s4d_leaf *l, s4d_box4 *b)
{
    box_of_point(l->pt[0], b);
    for (uint32_t i = 1; i < l->count; i++) {
        for (int d = 0; d < 4; d++) {
            if (l->pt[i][d] < b->lo[d])
                b->lo[d] = l->pt[i][d];
            if (l->pt[i][d] > b->hi[d])
                b->hi[d] = l->pt[i][d];
        }
    }
}

void s4d__inner_box(const s4d_inner *n, s4d_box4 *b)
{
    *b = n->box[0];
    for (uint32_t i = 1; i < n->count; i++)
        box_extend(b, &n->box[i]);
}

static double box_volume(const s4d_box4 *b)
{
    return (b->hi[0] - b->lo[0]) * (b->hi[1] - b->lo[1]) * (b->hi[2] - b->lo[2]) * (b->hi[3] - b->lo[3]);
}

static double box_margin(const s4d_box4 *b)
{
    return (b->hi[0] - b->lo[0]) + (b->hi[1] - b->lo[1]) + (b->hi[2] - b->lo[2]) + (b->hi[3] - b->lo[3]);
}

static double box_overlap(const s4d_box4 *a, const s4d_box4 *b)
{
    double v = 1.0;
    for (int d = 0; d < 4; d++) {
        double lo = a->lo[d] > b->lo[d] ? a->lo[d] : b->lo[d];
        double hi = a->hi[d] < b->hi[d] ? a->hi[d] : b->hi[d];
        if (hi <= lo)
            return 0.0;
        v *= hi - lo;
    }
    return v;
}

/* ---- R* split ---- */

#define SPLIT_N (S4D_NODE_MAX + 1)

/* Sort idx[] by (lo, hi) of `axis` (by_hi = 0) or by (hi, lo) (by_hi = 1); insertion sort, n <= 33. */
static void sort_entries(const s4d_box4 *b, int *idx, int n, int axis, int by_hi)
{
    for (int i = 1; i < n; i++) {
        int v = idx[i], j = i - 1;
        double k1 = by_hi ? b[v].hi[axis] : b[v].lo[axis], k2 = by_hi ? b[v].lo[axis] : b[v].hi[axis];
        while (j >= 0) {
            const s4d_box4 *w = &b[idx[j]];
            double w1 = by_hi ? w->hi[axis] : w->lo[axis], w2 = by_hi ? w->lo[axis] : w->hi[axis];
            if (w1 < k1 || (w1 == k1 && w2 <= k2))
                break;
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = v;
    }
}

/* Bounding boxes of every prefix idx[0..k) and suffix idx[k..n). */
static void prefix_suffix(const s4d_box4 *b, const int *idx, int n, s4d_box4 *pre, s4d_box4 *suf)
{
    pre[1] = b[idx[0]];
    for (int k = 2; k <= n; k++) {
        pre[k] = pre[k - 1];
        box_extend(&pre[k], &b[idx[k - 1]]);
    }
    suf[n - 1] = b[idx[n - 1]];
    for (int k = n - 2; k >= 0; k--) {
        suf[k] = suf[k + 1];
        box_extend(&suf[k], &b[idx[k]]);
    }
}

/* Chooses the R* split of n boxes: order[0..*k) is group one, order[*k..n) group two. */
static void rstar_split(const s4d_box4 *b, int n, int *order, int *k_out)
{
    s4d_box4 pre[SPLIT_N + 1], suf[SPLIT_N + 1];
    int idx[SPLIT_N];
    int best_axis = 0;
    double best_margin = INFINITY;
    for (int axis = 0; axis < 4; axis++) {
        double margin = 0;
        for (int by_hi = 0; by_hi < 2; by_hi++) {
            for (int i = 0; i < n; i++)
                idx[i] = i;
            sort_entries(b, idx, n, axis, by_hi);
            prefix_suffix(b, idx, n, pre, suf);
            for (int k = S4D_NODE_MIN; k <= n - S4D_NODE_MIN; k++)
                margin += box_margin(&pre[k]) + box_margin(&suf[k]);
        }
        if (margin < best_margin)
            best_margin = margin, best_axis = axis;
    }
    double best_overlap = INFINITY, best_vol = INFINITY;
    for (int by_hi = 0; by_hi < 2; by_hi++) {
        for (int i = 0; i < n; i++)
            idx[i] = i;
        sort_entries(b, idx, n, best_axis, by_hi);
        prefix_suffix(b, idx, n, pre, suf);
        for (int k = S4D_NODE_MIN; k <= n - S4D_NODE_MIN; k++) {
            double ov = box_overlap(&pre[k], &suf[k]);
            double vol = box_volume(&pre[k]) + box_volume(&suf[k]);
            if (ov < best_overlap || (ov == best_overlap && vol < best_vol)) {
                best_overlap = ov, best_vol = vol, *k_out = k;
                memcpy(order, idx, sizeof(int) * (size_t)n);
            }
        }
    }
}

/* Splits a full leaf plus one new point between `l` and the fresh leaf `r`. */
static void split_leaf(s4d_leaf *l, s4d_leaf *r, const double p[4], uint64_t id)
{
    double pts[SPLIT_N][4];
    uint64_t ids[SPLIT_N];
    s4d_box4 boxes[SPLIT_N];
    int order[SPLIT_N], k = S4D_NODE_MIN;
    memcpy(pts, l->pt, sizeof l->pt);
    memcpy(ids, l->id, sizeof l->id);
    memcpy(pts[S4D_NODE_MAX], p, sizeof pts[0]);
    ids[S4D_NODE_MAX] = id;
    for (int i = 0; i < SPLIT_N; i++)
        box_of_point(pts[i], &boxes[i]);
    rstar_split(boxes, SPLIT_N, order, &k);
    l->count = r->count = 0;
    for (int i = 0; i < SPLIT_N; i++) {
        s4d_leaf *dst = i < k ? l : r;
        memcpy(dst->pt[dst->count], pts[order[i]], sizeof pts[0]);
        dst->id[dst->count++] = ids[order[i]];
    }
}

/* Splits a full inner node plus one new child between `n` and the fresh node `r`. */
static void split_inner(s4d_inner *n, s4d_inner *r, const s4d_box4 *box, uint32_t child)
{
    s4d_box4 boxes[SPLIT_N];
    uint32_t kids[SPLIT_N];
    int order[SPLIT_N], k = S4D_NODE_MIN;
    memcpy(boxes, n->box, sizeof n->box);
    memcpy(kids, n->child, sizeof n->child);
    boxes[S4D_NODE_MAX] = *box;
    kids[S4D_NODE_MAX] = child;
    rstar_split(boxes, SPLIT_N, order, &k);
    r->level = n->level;
    n->count = r->count = 0;
    for (int i = 0; i < SPLIT_N; i++) {
        s4d_inner *dst = i < k ? n : r;
        dst->box[dst->count] = boxes[order[i]];
        dst->child[dst->count++] = kids[order[i]];
    }
}

/* ---- insert ---- */

static uint32_t choose_child(const s4d_inner *n, const double p[4])
{
    uint32_t best = 0;
    double best_enl = INFINITY, best_menl = INFINITY, best_vol = INFINITY;
    for (uint32_t i = 0; i < n->count; i++) {
        s4d_box4 grown = n->box[i], pb;
        box_of_point(p, &pb);
        box_extend(&grown, &pb);
        double vol = box_volume(&n->box[i]);
        double enl = box_volume(&grown) - vol;
        double menl = box_margin(&grown) - box_margin(&n->box[i]);
        if (enl < best_enl || (enl == best_enl && (menl < best_menl || (menl == best_menl && vol < best_vol)))) {
            best = i, best_enl = enl, best_menl = menl, best_vol = vol;
        }
    }
    return best;
}

typedef struct path_step {
    uint32_t node; /* inner node */
    uint32_t slot; /* entry taken in it */
} path_step;

/* Box of child `c` of an inner node of `level`. */
static void child_box(const s4d_index *x, uint32_t level, uint32_t c, s4d_box4 *b)
{
    if (level == 1)
        s4d__leaf_box(s4d__leaf(x, c), b);
    else
        s4d__inner_box(s4d__inner(x, c), b);
}

/* Inserts with pool space already reserved: cannot fail. */
static void insert_reserved(s4d_index *x, const double p[4], uint64_t id)
{
    uint32_t node;
    if (x->root == S4D_NONE) {
        (void)s4d__pool_alloc(&x->leaves, sizeof(s4d_leaf), &node);
        s4d__leaf(x, node)->count = 0;
        x->root = node;
        x->height = 0;
    }
    path_step path[S4D_MAX_HEIGHT];
    node = x->root;
    for (uint32_t lvl = x->height; lvl >= 1; lvl--) {
        s4d_inner *n = s4d__inner(x, node);
        uint32_t s = choose_child(n, p);
        path[lvl - 1] = (path_step){node, s};
        node = n->child[s];
    }
    /* node is the leaf; `split` carries a new sibling up the path. */
    uint32_t split = S4D_NONE;
    s4d_leaf *leaf = s4d__leaf(x, node);
    if (leaf->count < S4D_NODE_MAX) {
        memcpy(leaf->pt[leaf->count], p, sizeof leaf->pt[0]);
        leaf->id[leaf->count++] = id;
    } else {
        (void)s4d__pool_alloc(&x->leaves, sizeof(s4d_leaf), &split);
        split_leaf(s4d__leaf(x, node), s4d__leaf(x, split), p, id);
    }
    for (uint32_t lvl = 1; lvl <= x->height; lvl++) {
        path_step st = path[lvl - 1];
        s4d_inner *n = s4d__inner(x, st.node);
        child_box(x, lvl, n->child[st.slot], &n->box[st.slot]);
        if (split == S4D_NONE)
            continue;
        s4d_box4 sb;
        child_box(x, lvl, split, &sb);
        if (n->count < S4D_NODE_MAX) {
            n->box[n->count] = sb;
            n->child[n->count++] = split;
            split = S4D_NONE;
        } else {
            uint32_t r;
            (void)s4d__pool_alloc(&x->inners, sizeof(s4d_inner), &r);
            n = s4d__inner(x, st.node); /* the pool may have moved */
            split_inner(n, s4d__inner(x, r), &sb, split);
            split = r;
        }
    }
    if (split != S4D_NONE) { /* the root split: grow a level */
        uint32_t nr;
        (void)s4d__pool_alloc(&x->inners, sizeof(s4d_inner), &nr);
        s4d_inner *root = s4d__inner(x, nr);
        root->level = x->height + 1;
        root->count = 2;
        root->child[0] = x->root;
        root->child[1] = split;
        child_box(x, root->level, x->root, &root->box[0]);
        child_box(x, root->level, split, &root->box[1]);
        x->root = nr;
        x->height++;
    }
    x->count++;
}

/* Room for `points` insertions, each of which may split every level and add a root. */
static s4d_status reserve_for_inserts(s4d_index *x, uint32_t points)
{
    s4d_status st = s4d__pool_reserve(&x->leaves, sizeof(s4d_leaf), points + 1);
    if (st == S4D_OK)
        st = s4d__pool_reserve(&x->inners, sizeof(s4d_inner), points * (x->height + 2));
    return st;
}

s4d_status s4d_insert(s4d_index *x, const double p[4], uint64_t id)
{
    if (!x || !s4d__finite4(p))
        return S4D_ERR_INVALID;
    pthread_rwlock_wrlock(&x->lock);
    s4d_status st = x->height + 2 >= S4D_MAX_HEIGHT ? S4D_ERR_NOMEM : reserve_for_inserts(x, 1);
    if (st == S4D_OK)
        insert_reserved(x, p, id);
    pthread_rwlock_unlock(&x->lock);
    return st;
}

/* ---- delete ---- */

static int box_contains(const s4d_box4 *b, const double p[4])
{
    for (int d = 0; d < 4; d++)
        if (p[d] < b->lo[d] || p[d] > b->hi[d])
            return 0;
    return 1;
}

/* Depth-first search for the leaf holding (p, id); fills path[level-1] on the way down. */
static int find_leaf(const s4d_index *x, uint32_t node, uint32_t level, const double p[4], uint64_t id,
                     path_step *path, uint32_t *leaf, uint32_t *slot)
{
    if (level == 0) {
        const s4d_leaf *l = s4d__leaf(x, node);
        for (uint32_t i = 0; i < l->count; i++) {
            if (l->id[i] == id && memcmp(l->pt[i], p, sizeof l->pt[i]) == 0) {
                *leaf = node, *slot = i;
                return 1;
            }
        }
        return 0;
    }
    const s4d_inner *n = s4d__inner(x, node);
    for (uint32_t i = 0; i < n->count; i++) {
        if (!box_contains(&n->box[i], p))
            continue;
        path[level - 1] = (path_step){node, i};
        if (find_leaf(x, n->child[i], level - 1, p, id, path, leaf, slot))
            return 1;
    }
    return 0;
}

/* Removes empty or underfull nodes bottom-up; underfull leaves' points go to orphans. */
static uint32_t condense(s4d_index *x, const path_step *path, double (*orph)[4], uint64_t *orph_id)
{
    uint32_t norph = 0;
    for (uint32_t lvl = 1; lvl <= x->height; lvl++) {
        s4d_inner *n = s4d__inner(x, path[lvl - 1].node);
        uint32_t s = path[lvl - 1].slot, c = n->child[s];
        int drop;
        if (lvl == 1) {
            s4d_leaf *l = s4d__leaf(x, c);
            drop = l->count < S4D_NODE_MIN;
            if (drop) {
                memcpy(orph + norph, l->pt, sizeof l->pt[0] * l->count);
                memcpy(orph_id + norph, l->id, sizeof l->id[0] * l->count);
                norph += l->count;
                s4d__pool_release(&x->leaves, c);
            }
        } else {
            drop = s4d__inner(x, c)->count == 0;
            if (drop)
                s4d__pool_release(&x->inners, c);
        }
        if (drop) {
            n->count--;
            n->box[s] = n->box[n->count];
            n->child[s] = n->child[n->count];
        } else {
            child_box(x, lvl, c, &n->box[s]);
        }
    }
    return norph;
}

/* Shrinks the tree while the root is an inner node with fewer than two children. */
static void shorten(s4d_index *x)
{
    while (x->height > 0) {
        s4d_inner *r = s4d__inner(x, x->root);
        if (r->count > 1)
            return;
        uint32_t old = x->root;
        if (r->count == 0) {
            x->root = S4D_NONE;
            x->height = 0;
            s4d__pool_release(&x->inners, old);
            return;
        }
        x->root = r->child[0];
        x->height--;
        s4d__pool_release(&x->inners, old);
    }
    if (x->root != S4D_NONE && s4d__leaf(x, x->root)->count == 0) {
        s4d__pool_release(&x->leaves, x->root);
        x->root = S4D_NONE;
    }
}

s4d_status s4d_delete(s4d_index *x, const double p[4], uint64_t id)
{
    if (!x || !s4d__finite4(p))
        return S4D_ERR_INVALID;
    pthread_rwlock_wrlock(&x->lock);
    path_step path[S4D_MAX_HEIGHT];
    uint32_t leaf, slot;
    s4d_status st = S4D_ERR_NOT_FOUND;
    if (x->root != S4D_NONE && find_leaf(x, x->root, x->height, p, id, path, &leaf, &slot)) {
        st = reserve_for_inserts(x, S4D_NODE_MIN);
        if (st == S4D_OK) {
            s4d_leaf *l = s4d__leaf(x, leaf);
            l->count--;
            memmove(l->pt[slot], l->pt[l->count], sizeof l->pt[0]);
            l->id[slot] = l->id[l->count];
            x->count--;
            double orph[S4D_NODE_MIN][4];
            uint64_t orph_id[S4D_NODE_MIN];
            uint32_t norph = condense(x, path, orph, orph_id);
            shorten(x);
            x->count -= norph;
            for (uint32_t i = 0; i < norph; i++)
                insert_reserved(x, orph[i], orph_id[i]);
        }
    }
    pthread_rwlock_unlock(&x->lock);
    return st;
}

const char *s4d_status_message(s4d_status st)
{
    switch (st) {
    case S4D_OK:
        return "success";
    case S4D_ERR_NOMEM:
        return "out of memory";
    case S4D_ERR_NOT_FOUND:
        return "entry not found in spatial index";
    case S4D_ERR_INVALID:
        return "invalid argument (coordinates must be finite, radius non-negative)";
    case S4D_ERR_CORRUPT:
        return "spatial index data is corrupt";
    case S4D_ERR_VERSION:
        return "spatial index data has an unsupported format version";
    case S4D_ERR_IO:
        return "spatial index stream failed or ended early";
    }
    return "unknown spatial index error";
}
