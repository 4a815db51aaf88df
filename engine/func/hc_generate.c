/*
 * hc_generate: gen_generate(prompt, n) -> text and gen_walk(prompt, n) ->
 * SETOF text, the reference's greedy walk (hypercube-semantics.md §6.2) over
 * the ingested corpus.
 *
 * Vocabulary: the depth-1 compositions with a label (not only whitespace)
 * and a centroid, ordered by label. The walk starts at the entry whose label
 * equals the prompt exactly (none: no output, not an error) and repeatedly
 * appends the candidate of highest
 *   0.4 centroid + 0.3 pmi + 0.2 attention + 0.1 global
 * (first in label order on ties): centroid = 1 - d/2 with d the 4-D distance
 * in the unit cube; pmi = the 'S' relation weight current -> candidate over
 * max(1, the largest 'S' weight); attention = the same normalised weight
 * (hcdb stores sequence relations only; the reference also read 'A'/'W'
 * rows, unnormalised); global = ln(1 + uses as a child) / 10. It stops
 * after a label ending in '.', '!' or '?', and the output holds at most n
 * labels, the prompt included (n <= 10000). Greedy only: the same corpus gives the same
 * words. gen_generate joins the labels with a space before each, except
 * the first and those starting with , . ! ? or #.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/hc_store.h"
#include "engine/hypercube/hc_id.h"
#include "engine/index/spatial4d.h"
#include "engine/types/hypercube.h"
#include "engine/types/text.h"

#define W_CENTROID 0.4
#define W_PMI 0.3
#define W_ATTN 0.2
#define W_GLOBAL 0.1
#define GEN_MAX_WORDS 10000 /* n beyond this is refused (22023): the output is held in memory */

typedef struct vocab_entry {
    uint8_t id[HC_ID_LEN];
    const char *label;
    size_t len;
    double p[4];
    int64_t freq;
} vocab_entry;

typedef struct seq_rel {
    uint32_t src, dst;
    double w;
} seq_rel;

typedef struct vocab {
    vocab_entry *v;
    size_t n, cap;
    uint32_t *by_id;   /* entry numbers sorted by id */
    seq_rel *rel;
    size_t nrel, caprel;
    double maxw;
} vocab;

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
            return false;
    return true;
}

static int take_comp(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid)
{
    vocab *v = arg;
    (void)rowid;
    const eng_val *label = &row[HC_COMP_LABEL];
    if (row[HC_COMP_DEPTH].i != 1 || label->null || row[HC_COMP_CENTROID].null || blank(label->s.p, label->s.n))
        return 0;
    if (hc_store_room(c, (void **)&v->v, v->n, &v->cap, sizeof(vocab_entry)))
        return -1;
    vocab_entry *e = &v->v[v->n];
    char *l = arena_strndup(c->mem, label->s.p, label->s.n);
    if (!l)
        return eng__oom(c);
    memcpy(e->id, row[HC_COMP_ID].s.p, HC_ID_LEN);
    e->label = l, e->len = label->s.n, e->freq = 0;
    eng_hcube_get(&row[HC_COMP_CENTROID], e->p);
    v->n++;
    return 0;
}

static int label_cmp(const void *a, const void *b)
{
    const vocab_entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->label, y->label, n);
    return r ? r : x->len < y->len ? -1 : x->len > y->len;
}

static const vocab *sort_ctx; /* qsort has no context argument; set only around the call */

static int id_cmp(const void *a, const void *b)
{
    return memcmp(sort_ctx->v[*(const uint32_t *)a].id, sort_ctx->v[*(const uint32_t *)b].id, HC_ID_LEN);
}

/* The vocabulary entry with this id, or -1. */
static long find_id(const vocab *v, const eng_val *id)
{
    if (id->s.n != HC_ID_LEN)
        return -1;
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = memcmp(v->v[v->by_id[mid]].id, id->s.p, HC_ID_LEN);
        if (r == 0)
            return v->by_id[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int take_child(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid)
{
    vocab *v = arg;
    (void)c, (void)rowid;
    long k = find_id(v, &row[HC_CC_CHILD]);
    if (k >= 0)
        v->v[k].freq++;
    return 0;
}

static int take_rel(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid)
{
    vocab *v = arg;
    (void)rowid;
    if (row[HC_REL_TYPE].null || row[HC_REL_TYPE].s.n < 1 || row[HC_REL_TYPE].s.p[0] != 'S' || row[HC_REL_WEIGHT].null)
        return 0;
    long a = find_id(v, &row[HC_REL_SOURCE]), b = find_id(v, &row[HC_REL_TARGET]);
    if (a < 0 || b < 0)
        return 0;
    if (hc_store_room(c, (void **)&v->rel, v->nrel, &v->caprel, sizeof(seq_rel)))
        return -1;
    v->rel[v->nrel++] = (seq_rel){(uint32_t)a, (uint32_t)b, row[HC_REL_WEIGHT].f};
    if (row[HC_REL_WEIGHT].f > v->maxw)
        v->maxw = row[HC_REL_WEIGHT].f;
    return 0;
}

static int load(eng_ctx *c, vocab *v)
{
    hc_store s;
    memset(v, 0, sizeof(*v));
    if (hc_store_open(c, &s) || hc_store_scan(c, s.comp, take_comp, v))
        return -1;
    if (v->n)
        qsort(v->v, v->n, sizeof(vocab_entry), label_cmp);
    if (!(v->by_id = arena_alloc(c->mem, (v->n + 1) * sizeof(uint32_t))))
        return eng__oom(c);
    for (size_t i = 0; i < v->n; i++)
        v->by_id[i] = (uint32_t)i;
    sort_ctx = v;
    if (v->n)
        qsort(v->by_id, v->n, sizeof(uint32_t), id_cmp);
    sort_ctx = NULL;
    return hc_store_scan(c, s.child, take_child, v) || hc_store_scan(c, s.rel, take_rel, v) ? -1 : 0;
}

static size_t next_word(const vocab *v, size_t cur, double *rel)
{
    memset(rel, 0, v->n * sizeof(double));
    double norm = v->maxw > 1 ? v->maxw : 1;
    for (size_t i = 0; i < v->nrel; i++)
        if (v->rel[i].src == cur)
            rel[v->rel[i].dst] += v->rel[i].w / norm;
    size_t best = SIZE_MAX;
    double best_score = -INFINITY;
    for (size_t k = 0; k < v->n; k++) {
        if (k == cur)
            continue;
        double centroid = 1.0 - sqrt(s4d_dist2(v->v[cur].p, v->v[k].p)) / 2.0;
        double score = W_CENTROID * centroid + W_PMI * rel[k] + W_ATTN * rel[k] +
                       W_GLOBAL * log1p((double)v->v[k].freq) / 10.0;
        if (score > best_score) {
            best_score = score;
            best = k;
        }
    }
    return best;
}

/* The walk's labels (entry numbers) into *out, at most n; *len their count. */
static int walk(eng_ctx *c, const eng_val *prompt, int64_t n, vocab *v, uint32_t **out, size_t *len)
{
    *len = 0;
    if (n > GEN_MAX_WORDS) {
        pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "at most %d words can be generated", GEN_MAX_WORDS);
        return -1;
    }
    if (n <= 0)
        return 0;
    if (load(c, v))
        return -1;
    vocab_entry probe = {.label = prompt->s.p, .len = prompt->s.n};
    vocab_entry *start = v->n ? bsearch(&probe, v->v, v->n, sizeof(vocab_entry), label_cmp) : NULL;
    if (!start)
        return 0;
    double *rel = arena_alloc(c->mem, (v->n + 1) * sizeof(double));
    if (!(*out = arena_alloc(c->mem, (size_t)n * sizeof(uint32_t))) || !rel)
        return eng__oom(c);
    size_t cur = (size_t)(start - v->v);
    (*out)[(*len)++] = (uint32_t)cur;
    while (*len < (size_t)n) {
        const vocab_entry *e = &v->v[cur];
        char last = e->label[e->len - 1]; /* labels are not empty: blank ones are left out */
        if (last == '.' || last == '!' || last == '?')
            break;
        size_t next = next_word(v, cur, rel);
        if (next == SIZE_MAX)
            break;
        (*out)[(*len)++] = (uint32_t)next;
        cur = next;
    }
    return 0;
}

static int f_generate(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    vocab v;
    uint32_t *words = NULL;
    size_t len;
    if (walk(c, &a[0], a[1].i, &v, &words, &len))
        return -1;
    size_t total = 1;
    for (size_t i = 0; i < len; i++)
        total += v.v[words[i]].len + 1;
    char *s = arena_alloc(c->mem, total), *p = s;
    if (!s)
        return eng__oom(c);
    for (size_t i = 0; i < len; i++) {
        const vocab_entry *e = &v.v[words[i]];
        if (i > 0 && !strchr(",.!?#", e->label[0]))
            *p++ = ' ';
        memcpy(p, e->label, e->len);
        p += e->len;
    }
    return eng__text_val(c, s, (size_t)(p - s), o);
}

/* gen_walk: row i is the i-th label of the walk (recomputed per row: an
 * SRF keeps no memory between rows). state: [0] rows given. */
static int srf_walk(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    vocab v;
    uint32_t *words = NULL;
    size_t len;
    if (walk(c, &a[0], a[1].i, &v, &words, &len))
        return -1;
    if ((size_t)st[0] >= len) {
        *done = true;
        return 0;
    }
    const vocab_entry *e = &v.v[words[st[0]++]];
    return eng__text_val(c, e->label, e->len, o);
}

void eng__register_hc_generate(void)
{
    const int F = ENG_F_STRICT | ENG_F_TABLES;
    eng__reg("gen_generate", false, OID_TEXT, F, f_generate, 2, OID_TEXT, OID_INT4);
    eng__reg("gen_complete", false, OID_TEXT, F, f_generate, 2, OID_TEXT, OID_INT4);
    eng__reg_srf("gen_walk", OID_TEXT, F, srf_walk, 2, OID_TEXT, OID_INT4);
}
