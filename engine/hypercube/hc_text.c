/*
 * hc_text: one pass over the codepoints with a list per open tier
 * (sentence, paragraph, document); a closed list becomes one node (or
 * stands for its only child) in the list above it. Nodes are deduplicated
 * by id through an open-addressing map keyed by the id's first 8 bytes
 * (SHA-256 bytes are uniform; a full compare settles every hit).
 */
#include "engine/hypercube/hc_text.h"

#include <string.h>

#include "engine/hypercube/hc_centroid.h"
#include "util/mem.h"

#define NONE UINT32_MAX

/* u64 key -> u32 value, linear probing, grown at half full. */
typedef struct omap {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, n;
} omap;

typedef struct hc_text_maps {
    omap ids;            /* id prefix -> node */
    omap pairs;          /* (a << 32 | b) -> pair */
    uint32_t *atom_of;   /* codepoint -> node + 1 (0 = none yet) */
} hc_text_maps;

/* One entry of an open tier: a node and the bytes of this occurrence. */
typedef struct entry {
    uint32_t node;
    size_t b0, b1;
    int ws;              /* a whitespace token */
} entry;

typedef struct tier {
    entry *v;
    size_t n, cap;
} tier;

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    return k ^ (k >> 33);
}

static int omap_grow(omap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    uint64_t *keys = mem_alloc(cap * sizeof(uint64_t));
    uint32_t *vals = mem_alloc(cap * sizeof(uint32_t));
    if (!keys || !vals) {
        mem_free(keys), mem_free(vals);
        return -1;
    }
    memset(vals, 0xff, cap * sizeof(uint32_t));
    for (size_t i = 0; i < m->cap; i++) {
        if (m->vals[i] == NONE)
            continue;
        size_t j = mix(m->keys[i]) & (cap - 1);
        while (vals[j] != NONE)
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    mem_free(m->keys), mem_free(m->vals);
    m->keys = keys, m->vals = vals, m->cap = cap;
    return 0;
}

/* The slot for key where same(val) holds, or the empty slot to fill. */
static size_t omap_slot(const omap *m, uint64_t key, int (*same)(const hc_tree *, uint32_t, const void *),
                        const hc_tree *t, const void *probe)
{
    size_t j = mix(key) & (m->cap - 1);
    while (m->vals[j] != NONE && !(m->keys[j] == key && same(t, m->vals[j], probe)))
        j = (j + 1) & (m->cap - 1);
    return j;
}

static int same_id(const hc_tree *t, uint32_t v, const void *id)
{
    return memcmp(t->nodes[v].id, id, HC_ID_LEN) == 0;
}

static int same_key(const hc_tree *t, uint32_t v, const void *key)
{
    (void)t, (void)v, (void)key;
    return 1; /* the 64-bit key is the whole key */
}

static uint64_t id_key(const uint8_t *id)
{
    uint64_t k;
    memcpy(&k, id, sizeof(k));
    return k;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256;
    while (c < need)
        c *= 2;
    void *q = mem_realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q, *cap = c;
    return 0;
}

static hc_node *new_node(hc_tree *t, uint32_t *num)
{
    if (grow((void **)&t->nodes, &t->capnodes, t->nnodes + 1, sizeof(hc_node)))
        return NULL;
    *num = (uint32_t)t->nnodes;
    hc_node *n = &t->nodes[t->nnodes++];
    memset(n, 0, sizeof(*n));
    n->cp = -1;
    return n;
}

static hc_status atom_node(hc_tree *t, uint32_t cp, size_t b0, size_t b1, uint32_t *num)
{
    uint32_t have = t->maps->atom_of[cp];
    if (have) {
        *num = have - 1;
        return HC_OK;
    }
    hc_node *n = new_node(t, num);
    if (!n)
        return HC_ERR_NOMEM;
    hc_status st = hc_atom_id(cp, n->id);
    if (st == HC_OK)
        st = hc_map_codepoint(cp, &n->centroid);
    if (st != HC_OK)
        return st;
    n->atom_count = 1;
    n->cp = (int32_t)cp;
    n->b0 = b0, n->b1 = b1;
    t->maps->atom_of[cp] = *num + 1;
    return HC_OK;
}

/* The node for the children v[0..n): the child itself when n == 1. */
static hc_status comp_node(hc_tree *t, const entry *v, size_t n, uint32_t *num)
{
    if (n == 1) {
        *num = v[0].node;
        return HC_OK;
    }
    uint8_t (*ids)[HC_ID_LEN] = mem_alloc(n * HC_ID_LEN);
    hc_point *pts = mem_alloc(n * sizeof(hc_point));
    hc_status st = ids && pts ? HC_OK : HC_ERR_NOMEM;
    int depth = 0;
    int64_t atoms = 0;
    for (size_t i = 0; st == HC_OK && i < n; i++) {
        const hc_node *c = &t->nodes[v[i].node];
        memcpy(ids[i], c->id, HC_ID_LEN);
        pts[i] = c->centroid;
        depth = c->depth + 1 > depth ? c->depth + 1 : depth;
        atoms += c->atom_count;
    }
    uint8_t id[HC_ID_LEN];
    if (st == HC_OK)
        st = hc_composition_id((const uint8_t(*)[HC_ID_LEN])ids, n, id);
    hc_point centroid = {0, 0, 0, 0};
    if (st == HC_OK)
        st = hc_centroid_text(pts, n, depth, &centroid);
    mem_free(ids), mem_free(pts);
    if (st != HC_OK)
        return st;
    if (t->maps->ids.n * 2 >= t->maps->ids.cap && omap_grow(&t->maps->ids))
        return HC_ERR_NOMEM;
    size_t slot = omap_slot(&t->maps->ids, id_key(id), same_id, t, id);
    if (t->maps->ids.vals[slot] != NONE) {
        *num = t->maps->ids.vals[slot];
        return HC_OK;
    }
    if (grow((void **)&t->kids, &t->capkids, t->nkids + n, sizeof(uint32_t)))
        return HC_ERR_NOMEM;
    hc_node *c = new_node(t, num);
    if (!c)
        return HC_ERR_NOMEM;
    memcpy(c->id, id, HC_ID_LEN);
    c->centroid = centroid;
    c->depth = depth;
    c->atom_count = atoms;
    c->b0 = v[0].b0, c->b1 = v[n - 1].b1;
    c->first = (uint32_t)t->nkids, c->n = (uint32_t)n;
    for (size_t i = 0; i < n; i++)
        t->kids[t->nkids++] = v[i].node;
    t->maps->ids.keys[slot] = id_key(id);
    t->maps->ids.vals[slot] = *num;
    t->maps->ids.n++;
    return HC_OK;
}

static hc_status push(tier *tr, entry e)
{
    if (grow((void **)&tr->v, &tr->cap, tr->n + 1, sizeof(entry)))
        return HC_ERR_NOMEM;
    tr->v[tr->n++] = e;
    return HC_OK;
}

static hc_status count_pair(hc_tree *t, uint32_t a, uint32_t b)
{
    omap *m = &t->maps->pairs;
    if (m->n * 2 >= m->cap && omap_grow(m))
        return HC_ERR_NOMEM;
    uint64_t key = (uint64_t)a << 32 | b;
    size_t slot = omap_slot(m, key, same_key, t, NULL);
    if (m->vals[slot] != NONE) {
        t->pairs[m->vals[slot]].count++;
        return HC_OK;
    }
    if (grow((void **)&t->pairs, &t->cappairs, t->npairs + 1, sizeof(hc_pair)))
        return HC_ERR_NOMEM;
    t->pairs[t->npairs] = (hc_pair){a, b, 1};
    m->keys[slot] = key;
    m->vals[slot] = (uint32_t)t->npairs++;
    m->n++;
    return HC_OK;
}

/* Close tier `from` into one entry of tier `to`. */
static hc_status close_tier(hc_tree *t, tier *from, tier *to, int count_pairs)
{
    if (from->n == 0)
        return HC_OK;
    hc_status st = HC_OK;
    uint32_t prev = NONE;
    for (size_t i = 0; count_pairs && st == HC_OK && i < from->n; i++) {
        if (from->v[i].ws)
            continue;
        if (prev != NONE)
            st = count_pair(t, prev, from->v[i].node);
        prev = from->v[i].node;
    }
    uint32_t num;
    if (st == HC_OK)
        st = comp_node(t, from->v, from->n, &num);
    if (st == HC_OK)
        st = push(to, (entry){num, from->v[0].b0, from->v[from->n - 1].b1, 0});
    from->n = 0;
    return st;
}

/* Decode one codepoint of valid UTF-8 at s[*i], advancing *i. */
static uint32_t next_cp(const unsigned char *s, size_t *i)
{
    uint32_t c = s[*i];
    int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    c &= extra == 0 ? 0x7F : extra == 1 ? 0x1F : extra == 2 ? 0x0F : 0x07;
    for (int k = 1; k <= extra; k++)
        c = (c << 6) | (s[*i + k] & 0x3F);
    *i += (size_t)extra + 1;
    return c;
}

static int is_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

typedef struct builder {
    hc_tree *t;
    const unsigned char *s;
    size_t len;
    tier tok, sent, para, doc;
} builder;

/* One token: the run of codepoints of one kind starting at *i. */
static hc_status token(builder *b, size_t *i, int *ws, int *breaks, uint32_t *last)
{
    size_t b0 = *i;
    *breaks = 0;
    b->tok.n = 0;
    uint32_t c = next_cp(b->s, &(size_t){*i});
    *ws = is_space(c);
    while (*i < b->len) {
        size_t at = *i, j = *i;
        c = next_cp(b->s, &j);
        if (is_space(c) != *ws)
            break;
        *breaks += c == '\n' ? 1 : c == 0x2029 ? 2 : 0;
        *last = c;
        uint32_t num;
        hc_status st = atom_node(b->t, c, at, j, &num);
        if (st == HC_OK)
            st = push(&b->tok, (entry){num, at, j, 0});
        if (st != HC_OK)
            return st;
        *i = j;
    }
    uint32_t num;
    hc_status st = comp_node(b->t, b->tok.v, b->tok.n, &num);
    return st == HC_OK ? push(&b->sent, (entry){num, b0, *i, *ws}) : st;
}

static hc_status build(builder *b)
{
    size_t i = 0;
    int ended = 0; /* the sentence's last word ended it; its trailing space follows */
    while (i < b->len) {
        int ws, breaks;
        uint32_t last = 0;
        hc_status st = token(b, &i, &ws, &breaks, &last);
        if (st != HC_OK)
            return st;
        if (!ws) {
            ended = last == '.' || last == '!' || last == '?';
            continue;
        }
        if (breaks >= 2) {
            st = close_tier(b->t, &b->sent, &b->para, 1);
            if (st == HC_OK)
                st = close_tier(b->t, &b->para, &b->doc, 0);
        } else if (ended) {
            st = close_tier(b->t, &b->sent, &b->para, 1);
        }
        ended = 0;
        if (st != HC_OK)
            return st;
    }
    hc_status st = close_tier(b->t, &b->sent, &b->para, 1);
    if (st == HC_OK)
        st = close_tier(b->t, &b->para, &b->doc, 0);
    if (st == HC_OK)
        st = comp_node(b->t, b->doc.v, b->doc.n, &b->t->root);
    return st;
}

hc_status hc_text_build(const char *text, size_t len, hc_tree *out)
{
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return HC_ERR_EMPTY_INPUT;
    out->maps = mem_calloc(1, sizeof(hc_text_maps));
    if (!out->maps || !(out->maps->atom_of = mem_calloc(HC_MAX_CODEPOINT + 1, sizeof(uint32_t))) ||
        omap_grow(&out->maps->ids) || omap_grow(&out->maps->pairs)) {
        hc_text_free(out);
        return HC_ERR_NOMEM;
    }
    builder b = {out, (const unsigned char *)text, len, {0}, {0}, {0}, {0}};
    hc_status st = build(&b);
    mem_free(b.tok.v), mem_free(b.sent.v), mem_free(b.para.v), mem_free(b.doc.v);
    if (st != HC_OK)
        hc_text_free(out);
    return st;
}

void hc_text_free(hc_tree *t)
{
    if (t->maps) {
        mem_free(t->maps->ids.keys), mem_free(t->maps->ids.vals);
        mem_free(t->maps->pairs.keys), mem_free(t->maps->pairs.vals);
        mem_free(t->maps->atom_of);
        mem_free(t->maps);
    }
    mem_free(t->nodes), mem_free(t->kids), mem_free(t->pairs);
    memset(t, 0, sizeof(*t));
}
