/*
 * spatial4d_persist: save/load in the byte format documented in spatial4d.h.
 *
 * Save renumbers nodes compactly: leaves in depth-first order, inner nodes
 * in post-order (every child before its parent, root last), so load can
 * rebuild bounding boxes in one forward pass and a child reference can be
 * checked as "smaller than my own number and not yet used". Everything
 * written goes through an XXH3-64 streaming state; the digest is the last 8
 * bytes. Load trusts nothing: checksum first, then structure.
 */
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack: no malloc outside util/mem */
#include <xxhash.h>

#include <math.h>
#include <string.h>

#include "engine/index/spatial4d_internal.h"
#include "util/mem.h"

#define S4D_MAGIC "HCS4DIX"
#define S4D_VERSION 1u
#define S4D_HEADER_LEN 40
#define S4D_EMPTY_HEIGHT 0xFFFFFFFFu

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}
static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static double bitsd(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* ---- save ---- */

typedef struct sink {
    s4d_write_fn write;
    void *ctx;
    XXH3_state_t hash;
    int failed;
} sink;

static void emit(sink *s, const void *buf, size_t len)
{
    if (s->failed)
        return;
    XXH3_64bits_update(&s->hash, buf, len);
    if (s->write(s->ctx, buf, len) != 0)
        s->failed = 1;
}

/* Numbers the subtree: leaves in DFS order, inner nodes in post-order. */
static void number(const s4d_index *x, uint32_t node, uint32_t level, uint32_t *leaf_no, uint32_t *inner_no,
                   uint32_t *nl, uint32_t *ni, uint32_t *leaf_seq, uint32_t *inner_seq)
{
    if (level == 0) {
        leaf_seq[*nl] = node;
        leaf_no[node] = (*nl)++;
        return;
    }
    const s4d_inner *n = s4d__inner(x, node);
    for (uint32_t i = 0; i < n->count; i++)
        number(x, n->child[i], level - 1, leaf_no, inner_no, nl, ni, leaf_seq, inner_seq);
    inner_seq[*ni] = node;
    inner_no[node] = (*ni)++;
}

static void emit_leaf(sink *s, const s4d_leaf *l)
{
    uint8_t buf[4 + S4D_NODE_MAX * 40];
    size_t o = 4;
    put32(buf, l->count);
    for (uint32_t i = 0; i < l->count; i++, o += 40) {
        for (int d = 0; d < 4; d++)
            put64(buf + o + 8 * d, dbits(l->pt[i][d]));
        put64(buf + o + 32, l->id[i]);
    }
    emit(s, buf, o);
}

static void emit_inner(sink *s, const s4d_inner *n, const uint32_t *child_no)
{
    uint8_t buf[8 + S4D_NODE_MAX * 4];
    put32(buf, n->level);
    put32(buf + 4, n->count);
    for (uint32_t i = 0; i < n->count; i++)
        put32(buf + 8 + 4 * i, child_no[n->child[i]]);
    emit(s, buf, 8 + 4 * (size_t)n->count);
}

static s4d_status save_locked(const s4d_index *x, sink *s)
{
    uint32_t *leaf_no = mem_alloc(sizeof(uint32_t) * (x->leaves.used + 1));
    uint32_t *inner_no = mem_alloc(sizeof(uint32_t) * (x->inners.used + 1));
    uint32_t *leaf_seq = mem_alloc(sizeof(uint32_t) * (x->leaves.used + 1));
    uint32_t *inner_seq = mem_alloc(sizeof(uint32_t) * (x->inners.used + 1));
    s4d_status st = S4D_OK;
    if (!leaf_no || !inner_no || !leaf_seq || !inner_seq) {
        st = S4D_ERR_NOMEM;
        goto out;
    }
    uint32_t nl = 0, ni = 0;
    if (x->root != S4D_NONE)
        number(x, x->root, x->height, leaf_no, inner_no, &nl, &ni, leaf_seq, inner_seq);
    uint8_t h[S4D_HEADER_LEN] = {0};
    memcpy(h, S4D_MAGIC, 8);
    put32(h + 8, S4D_VERSION);
    put32(h + 12, S4D_NODE_MAX);
    put64(h + 16, x->count);
    put32(h + 24, x->root == S4D_NONE ? S4D_EMPTY_HEIGHT : x->height);
    put32(h + 28, nl);
    put32(h + 32, ni);
    emit(s, h, sizeof h);
    for (uint32_t i = 0; i < nl; i++)
        emit_leaf(s, s4d__leaf(x, leaf_seq[i]));
    for (uint32_t i = 0; i < ni; i++) {
        const s4d_inner *n = s4d__inner(x, inner_seq[i]);
        emit_inner(s, n, n->level == 1 ? leaf_no : inner_no);
    }
    uint8_t digest[8];
    put64(digest, XXH3_64bits_digest(&s->hash));
    if (!s->failed && s->write(s->ctx, digest, 8) != 0)
        s->failed = 1;
    st = s->failed ? S4D_ERR_IO : S4D_OK;
out:
    mem_free(leaf_no), mem_free(inner_no), mem_free(leaf_seq), mem_free(inner_seq);
    return st;
}

s4d_status s4d_save(s4d_index *x, s4d_write_fn write, void *ctx)
{
    if (!x || !write)
        return S4D_ERR_INVALID;
    sink s = {.write = write, .ctx = ctx};
    XXH3_64bits_reset(&s.hash);
    pthread_rwlock_rdlock(&x->lock);
    s4d_status st = save_locked(x, &s);
    pthread_rwlock_unlock(&x->lock);
    return st;
}

/* ---- load ---- */

typedef struct source {
    s4d_read_fn read;
    void *ctx;
    XXH3_state_t hash;
} source;

static s4d_status take(source *s, void *buf, size_t len)
{
    if (s->read(s->ctx, buf, len) != 0)
        return S4D_ERR_IO;
    XXH3_64bits_update(&s->hash, buf, len);
    return S4D_OK;
}

static s4d_status read_leaf(source *s, s4d_leaf *l)
{
    uint8_t buf[S4D_NODE_MAX * 40];
    s4d_status st = take(s, buf, 4);
    if (st != S4D_OK)
        return st;
    l->count = get32(buf);
    if (l->count == 0 || l->count > S4D_NODE_MAX)
        return S4D_ERR_CORRUPT;
    if ((st = take(s, buf, 40 * (size_t)l->count)) != S4D_OK)
        return st;
    for (uint32_t i = 0; i < l->count; i++) {
        for (int d = 0; d < 4; d++)
            l->pt[i][d] = bitsd(get64(buf + 40 * i + 8 * d));
        l->id[i] = get64(buf + 40 * i + 32);
        if (!s4d__finite4(l->pt[i]))
            return S4D_ERR_CORRUPT;
    }
    return S4D_OK;
}

/* Reads inner node `self`; children must be unused nodes numbered below it (post-order). */
static s4d_status read_inner(source *s, s4d_index *x, uint32_t self, uint32_t nl, uint8_t *used_leaf,
                             uint8_t *used_inner)
{
    uint8_t buf[8 + S4D_NODE_MAX * 4];
    s4d_status st = take(s, buf, 8);
    if (st != S4D_OK)
        return st;
    s4d_inner *n = s4d__inner(x, self);
    n->level = get32(buf);
    n->count = get32(buf + 4);
    if (n->count == 0 || n->count > S4D_NODE_MAX || n->level == 0 || n->level >= S4D_MAX_HEIGHT)
        return S4D_ERR_CORRUPT;
    if ((st = take(s, buf + 8, 4 * (size_t)n->count)) != S4D_OK)
        return st;
    for (uint32_t i = 0; i < n->count; i++) {
        uint32_t c = get32(buf + 8 + 4 * i);
        if (n->level == 1) {
            if (c >= nl || used_leaf[c])
                return S4D_ERR_CORRUPT;
            used_leaf[c] = 1;
            s4d__leaf_box(s4d__leaf(x, c), &n->box[i]);
        } else {
            if (c >= self || used_inner[c] || s4d__inner(x, c)->level != n->level - 1)
                return S4D_ERR_CORRUPT;
            used_inner[c] = 1;
            s4d__inner_box(s4d__inner(x, c), &n->box[i]);
        }
        n->child[i] = c;
    }
    return S4D_OK;
}

/* Header checks and pool sizing; fills *nl, *ni, *height, *count. */
static s4d_status read_header(source *s, s4d_index *x, uint32_t *nl, uint32_t *ni, uint32_t *height,
                              uint64_t *count)
{
    uint8_t h[S4D_HEADER_LEN];
    s4d_status st = take(s, h, sizeof h);
    if (st != S4D_OK)
        return st;
    if (memcmp(h, S4D_MAGIC, 8) != 0)
        return S4D_ERR_CORRUPT;
    if (get32(h + 8) != S4D_VERSION)
        return S4D_ERR_VERSION;
    *count = get64(h + 16);
    *height = get32(h + 24);
    *nl = get32(h + 28);
    *ni = get32(h + 32);
    if (get32(h + 12) != S4D_NODE_MAX || get32(h + 36) != 0 || *nl >= UINT32_MAX / 2 || *ni >= UINT32_MAX / 2)
        return S4D_ERR_CORRUPT;
    if (*height == S4D_EMPTY_HEIGHT) {
        if (*nl || *ni || *count)
            return S4D_ERR_CORRUPT;
    } else if (*nl == 0 || *height >= S4D_MAX_HEIGHT || (*height == 0) != (*ni == 0) ||
               *count > (uint64_t)*nl * S4D_NODE_MAX) {
        return S4D_ERR_CORRUPT;
    }
    /* Sizes are still unverified (the checksum comes last): pools grow as nodes arrive. */
    (void)x;
    return S4D_OK;
}

static s4d_status load_body(source *s, s4d_index *x, uint8_t **used_leaf, uint8_t **used_inner)
{
    uint32_t nl, ni, height;
    uint64_t count;
    s4d_status st = read_header(s, x, &nl, &ni, &height, &count);
    if (st != S4D_OK || height == S4D_EMPTY_HEIGHT)
        return st;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < nl; i++) {
        uint32_t li;
        if ((st = s4d__pool_alloc(&x->leaves, sizeof(s4d_leaf), &li)) != S4D_OK)
            return st;
        if ((st = read_leaf(s, s4d__leaf(x, li))) != S4D_OK)
            return st;
        seen += s4d__leaf(x, li)->count;
    }
    if (seen != count || !(*used_leaf = mem_calloc(nl, 1)) || !(*used_inner = mem_calloc(ni + 1, 1)))
        return seen != count ? S4D_ERR_CORRUPT : S4D_ERR_NOMEM;
    for (uint32_t i = 0; i < ni; i++) {
        uint32_t in;
        if ((st = s4d__pool_alloc(&x->inners, sizeof(s4d_inner), &in)) != S4D_OK)
            return st;
        if ((st = read_inner(s, x, in, nl, *used_leaf, *used_inner)) != S4D_OK)
            return st;
    }
    /* Every node but the root used exactly once (each use was checked unique). */
    uint32_t root = ni ? ni - 1 : 0;
    if (ni && s4d__inner(x, root)->level != height)
        return S4D_ERR_CORRUPT;
    for (uint32_t i = 0; i < nl; i++)
        if (!(*used_leaf)[i] && ni)
            return S4D_ERR_CORRUPT;
    for (uint32_t i = 0; i + 1 < ni; i++)
        if (!(*used_inner)[i])
            return S4D_ERR_CORRUPT;
    if (!ni && nl != 1)
        return S4D_ERR_CORRUPT;
    x->root = root;
    x->height = height;
    x->count = count;
    return S4D_OK;
}

s4d_status s4d_load(s4d_index **out, s4d_read_fn read, void *ctx)
{
    if (!out || !read)
        return S4D_ERR_INVALID;
    source s = {.read = read, .ctx = ctx};
    XXH3_64bits_reset(&s.hash);
    s4d_index *x = s4d__new_empty();
    if (!x)
        return S4D_ERR_NOMEM;
    uint8_t *used_leaf = NULL, *used_inner = NULL;
    s4d_status st = load_body(&s, x, &used_leaf, &used_inner);
    mem_free(used_leaf);
    mem_free(used_inner);
    if (st == S4D_OK || st == S4D_ERR_CORRUPT) {
        /* The checksum decides first: damage anywhere reads as corruption, not as some other error. */
        uint64_t want = XXH3_64bits_digest(&s.hash);
        uint8_t digest[8];
        if (read(ctx, digest, 8) != 0)
            st = st == S4D_OK ? S4D_ERR_IO : st;
        else if (get64(digest) != want)
            st = S4D_ERR_CORRUPT;
    }
    if (st != S4D_OK) {
        s4d_destroy(x);
        return st;
    }
    *out = x;
    return S4D_OK;
}

/* ---- memory streams ---- */

typedef struct membuf {
    uint8_t *p;
    size_t len, cap, pos;
} membuf;

static int mem_write(void *ctx, const void *buf, size_t len)
{
    membuf *m = ctx;
    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + len)
            cap *= 2;
        uint8_t *p = mem_realloc(m->p, cap);
        if (!p)
            return -1;
        m->p = p, m->cap = cap;
    }
    memcpy(m->p + m->len, buf, len);
    m->len += len;
    return 0;
}

static int mem_read(void *ctx, void *buf, size_t len)
{
    membuf *m = ctx;
    if (len > m->len - m->pos)
        return -1;
    memcpy(buf, m->p + m->pos, len);
    m->pos += len;
    return 0;
}

s4d_status s4d_save_mem(s4d_index *x, uint8_t **buf, size_t *len)
{
    if (!buf || !len)
        return S4D_ERR_INVALID;
    membuf m = {0};
    s4d_status st = s4d_save(x, mem_write, &m);
    if (st != S4D_OK) {
        mem_free(m.p);
        return st == S4D_ERR_IO ? S4D_ERR_NOMEM : st;
    }
    *buf = m.p;
    *len = m.len;
    return S4D_OK;
}

s4d_status s4d_load_mem(s4d_index **out, const uint8_t *buf, size_t len)
{
    if (!buf && len)
        return S4D_ERR_INVALID;
    membuf m = {(uint8_t *)buf, len, len, 0};
    s4d_status st = s4d_load(out, mem_read, &m);
    if (st == S4D_ERR_IO)
        return S4D_ERR_CORRUPT; /* a buffer that ends early is a damaged one */
    if (st == S4D_OK && m.pos != len) {
        s4d_destroy(*out);
        *out = NULL;
        return S4D_ERR_CORRUPT; /* trailing bytes */
    }
    return st;
}
