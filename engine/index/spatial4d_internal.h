/*
 * spatial4d_internal: node layout shared by the spatial4d_*.c files only.
 *
 * Nodes live in two pools (leaves, inner nodes) addressed by uint32 index;
 * an inner node's level says which pool its children are in (level 1:
 * leaves). Free slots are kept on a stack and reused. The caller of every
 * function here holds the index lock (read or write, as the function needs).
 */
#ifndef HCDB_ENGINE_INDEX_SPATIAL4D_INTERNAL_H
#define HCDB_ENGINE_INDEX_SPATIAL4D_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "engine/index/spatial4d.h"

#define S4D_NONE UINT32_MAX
#define S4D_MAX_HEIGHT 48 /* far above any reachable height: splits need full nodes */

typedef struct s4d_box4 {
    double lo[4], hi[4];
} s4d_box4;

typedef struct s4d_leaf {
    uint32_t count;
    double pt[S4D_NODE_MAX][4];
    uint64_t id[S4D_NODE_MAX];
} s4d_leaf;

typedef struct s4d_inner {
    uint32_t count;
    uint32_t level;               /* 1: children are leaves; n: children are inner nodes of level n-1 */
    s4d_box4 box[S4D_NODE_MAX];   /* tight bounding box of each child */
    uint32_t child[S4D_NODE_MAX];
} s4d_inner;

typedef struct s4d_pool {
    void *nodes;     /* s4d_leaf[] or s4d_inner[] */
    uint32_t used;   /* slots handed out so far (high-water mark) */
    uint32_t cap;
    uint32_t *free;  /* stack of released slots */
    uint32_t nfree;
    uint32_t free_cap;
} s4d_pool;

struct s4d_index {
    pthread_rwlock_t lock;
    s4d_pool leaves, inners;
    uint32_t root;   /* S4D_NONE when empty */
    uint32_t height; /* 0: root is a leaf */
    size_t count;
};

static inline s4d_leaf *s4d__leaf(const s4d_index *x, uint32_t i)
{
    return (s4d_leaf *)x->leaves.nodes + i;
}
static inline s4d_inner *s4d__inner(const s4d_index *x, uint32_t i)
{
    return (s4d_inner *)x->inners.nodes + i;
}

/* Pools (spatial4d_tree.c). */
s4d_status s4d__pool_alloc(s4d_pool *p, size_t node_size, uint32_t *out);
void s4d__pool_release(s4d_pool *p, uint32_t i);
s4d_status s4d__pool_reserve(s4d_pool *p, size_t node_size, uint32_t n);
void s4d__pool_free(s4d_pool *p);
s4d_index *s4d__new_empty(void);

/* Boxes. */
void s4d__leaf_box(const s4d_leaf *l, s4d_box4 *b);
void s4d__inner_box(const s4d_inner *n, s4d_box4 *b);
int s4d__finite4(const double p[4]);

#endif
