/*
 * spatial4d_build: Sort-Tile-Recursive bulk loading (Leutenegger, Lopez &
 * Edgington, ICDE 1997), generalised to 4 dimensions.
 *
 * Level by level: the items (points, then the nodes just made, by their box
 * centres) are sorted on lane 0 and cut into S slabs, each slab sorted on
 * lane 1 and cut again, and so on; after lane 3 consecutive runs of
 * S4D_BULK_FILL items become one node. S is the smallest integer with
 * S^(lanes left) >= nodes needed, so the tiles come out near-cubic.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/index/spatial4d_internal.h"
#include "util/mem.h"

typedef struct str_item {
    double c[4];  /* point, or centre of the node's box */
    uint64_t ref; /* row id, or node number */
} str_item;

static int cmp0(const void *a, const void *b)
{
    double x = ((const str_item *)a)->c[0], y = ((const str_item *)b)->c[0];
    return (x > y) - (x < y);
}
static int cmp1(const void *a, const void *b)
{
    double x = ((const str_item *)a)->c[1], y = ((const str_item *)b)->c[1];
    return (x > y) - (x < y);
}
static int cmp2(const void *a, const void *b)
{
    double x = ((const str_item *)a)->c[2], y = ((const str_item *)b)->c[2];
    return (x > y) - (x < y);
}
static int cmp3(const void *a, const void *b)
{
    double x = ((const str_item *)a)->c[3], y = ((const str_item *)b)->c[3];
    return (x > y) - (x < y);
}
static int (*const CMP[4])(const void *, const void *) = {cmp0, cmp1, cmp2, cmp3};

/* Smallest s with s^e >= n. */
static size_t int_root_ceil(size_t n, int e)
{
    size_t s = 1;
    for (;;) {
        size_t p = 1;
        for (int i = 0; i < e; i++)
            p *= s;
        if (p >= n)
            return s;
        s++;
    }
}

/* Sorts items into STR tile order (in place), starting at lane `lane`. */
static void str_tile(str_item *it, size_t n, int lane)
{
    qsort(it, n, sizeof *it, CMP[lane]);
    if (lane == 3)
        return;
    size_t nodes = (n + S4D_BULK_FILL - 1) / S4D_BULK_FILL;
    size_t slabs = int_root_ceil(nodes, 4 - lane);
    size_t per = ((nodes + slabs - 1) / slabs) * S4D_BULK_FILL; /* items per slab, whole nodes */
    for (size_t off = 0; off < n; off += per)
        str_tile(it + off, n - off < per ? n - off : per, lane + 1);
}

static void box_centre(const s4d_box4 *b, double c[4])
{
    for (int d = 0; d < 4; d++)
        c[d] = b->lo[d] * 0.5 + b->hi[d] * 0.5;
}

/* Packs sorted point items into leaves; rewrites items to describe the leaves. */
static size_t pack_leaves(s4d_index *x, str_item *it, size_t n)
{
    size_t out = 0;
    for (size_t off = 0; off < n; off += S4D_BULK_FILL) {
        uint32_t li;
        (void)s4d__pool_alloc(&x->leaves, sizeof(s4d_leaf), &li);
        s4d_leaf *l = s4d__leaf(x, li);
        l->count = 0;
        for (size_t i = off; i < n && i < off + S4D_BULK_FILL; i++) {
            memcpy(l->pt[l->count], it[i].c, sizeof l->pt[0]);
            l->id[l->count++] = it[i].ref;
        }
        s4d_box4 b;
        s4d__leaf_box(l, &b);
        box_centre(&b, it[out].c);
        it[out++].ref = li;
    }
    return out;
}

/* Packs sorted node items of `level - 1` into inner nodes of `level`. */
static size_t pack_inner(s4d_index *x, str_item *it, size_t n, uint32_t level)
{
    size_t out = 0;
    for (size_t off = 0; off < n; off += S4D_BULK_FILL) {
        uint32_t ni;
        (void)s4d__pool_alloc(&x->inners, sizeof(s4d_inner), &ni);
        s4d_inner *node = s4d__inner(x, ni);
        node->count = 0;
        node->level = level;
        for (size_t i = off; i < n && i < off + S4D_BULK_FILL; i++) {
            uint32_t c = (uint32_t)it[i].ref;
            if (level == 1)
                s4d__leaf_box(s4d__leaf(x, c), &node->box[node->count]);
            else
                s4d__inner_box(s4d__inner(x, c), &node->box[node->count]);
            node->child[node->count++] = c;
        }
        s4d_box4 b;
        s4d__inner_box(node, &b);
        box_centre(&b, it[out].c);
        it[out++].ref = ni;
    }
    return out;
}

/* Total nodes STR will make for n points: reserved up front so packing cannot fail. */
static void count_nodes(size_t n, size_t *leaves, size_t *inners)
{
    *leaves = (n + S4D_BULK_FILL - 1) / S4D_BULK_FILL;
    *inners = 0;
    for (size_t m = *leaves; m > 1;) {
        m = (m + S4D_BULK_FILL - 1) / S4D_BULK_FILL;
        *inners += m;
    }
}

s4d_status s4d_build(s4d_index **out, const double (*pts)[4], const uint64_t *ids, size_t n)
{
    if (!out || (n > 0 && (!pts || !ids)))
        return S4D_ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        if (!s4d__finite4(pts[i]))
            return S4D_ERR_INVALID;
    size_t nl, ni;
    count_nodes(n, &nl, &ni);
    if (nl >= UINT32_MAX / 2 || ni >= UINT32_MAX / 2)
        return S4D_ERR_NOMEM;
    s4d_index *x = s4d__new_empty();
    str_item *it = n ? mem_alloc(sizeof *it * n) : NULL;
    if (!x || (n && !it) || s4d__pool_reserve(&x->leaves, sizeof(s4d_leaf), (uint32_t)nl) != S4D_OK ||
        s4d__pool_reserve(&x->inners, sizeof(s4d_inner), (uint32_t)ni) != S4D_OK) {
        mem_free(it);
        s4d_destroy(x);
        return S4D_ERR_NOMEM;
    }
    if (n > 0) {
        for (size_t i = 0; i < n; i++) {
            memcpy(it[i].c, pts[i], sizeof it[i].c);
            it[i].ref = ids[i];
        }
        str_tile(it, n, 0);
        size_t m = pack_leaves(x, it, n);
        uint32_t level = 0;
        while (m > 1) {
            str_tile(it, m, 0);
            m = pack_inner(x, it, m, ++level);
        }
        x->root = (uint32_t)it[0].ref;
        x->height = level;
        x->count = n;
    }
    mem_free(it);
    *out = x;
    return S4D_OK;
}
