/*
 * hc_ingest: text into the hypercube tables and back.
 *
 * hc_ingest(text [, source]) builds the text's tree (hc_text) and stores
 * every node not stored yet: atoms on first use (id, codepoint, UTF-8 value,
 * point, Hilbert key), compositions with their ordered children, and one
 * 'S' (sequence) relation per adjacent token pair, whose source_count
 * counts the pair's occurrences and whose weight is that count (the
 * generator normalises by the largest). A text whose document is stored
 * already changes nothing (content addressing makes ingestion idempotent).
 * Labels are the node's text up to HC_LABEL_MAX bytes (NULL beyond: the
 * text is always reconstructible from the children).
 *
 * hc_reconstruct(id) concatenates the leaf atoms' bytes depth-first in
 * ordinal order: the exact text ingested; NULL for an unknown id.
 */
#include <string.h>

#include "engine/func/registry.h"
#include "engine/dml.h"
#include "engine/hc_store.h"
#include "engine/hypercube/hc_hilbert.h"
#include "engine/hypercube/hc_text.h"
#include "engine/types/hypercube.h"
#include "util/buf.h"

#define HC_LABEL_MAX 4096 /* labels serve lookups of words and sentences, not whole documents */

static int hc_fail(eng_ctx *c, hc_status st)
{
    if (st == HC_ERR_NOMEM)
        return eng__oom(c);
    pgw_error_set(c->err, hc_status_sqlstate(st), "%s", hc_status_message(st));
    return -1;
}

static eng_val bytes_val(const void *p, size_t n)
{
    eng_val v = {.null = false};
    v.s.p = p;
    v.s.n = n;
    return v;
}

static eng_val int_val(int64_t i)
{
    eng_val v = {.null = false};
    v.i = i;
    return v;
}

static int point_vals(eng_ctx *c, const hc_point *p, eng_val *geom, eng_val *lo, eng_val *hi)
{
    double v[4] = {p->x, p->y, p->z, p->m};
    uint32_t lanes[4];
    for (int d = 0; d < 4; d++)
        lanes[d] = hc_quantize_unit(v[d] * 2.0 - 1.0);
    hc_hilbert h = hc_hilbert_encode(lanes);
    *lo = int_val((int64_t)h.lo);
    *hi = int_val((int64_t)h.hi);
    return eng_hcube_make(c, v, geom);
}

/* 1 when a row with this id is in t already. */
static int stored(eng_ctx *c, eng_table *t, const uint8_t *id)
{
    eng_val *key = arena_calloc(c->mem, (size_t)t->ncols + 1, sizeof(eng_val));
    eng_val *row = arena_calloc(c->mem, (size_t)t->ncols + 1, sizeof(eng_val));
    if (!key || !row)
        return eng__oom(c);
    key[0] = bytes_val(id, HC_ID_LEN); /* the id is column 0 of atom and composition */
    uint64_t rowid;
    return hc_store_get(c, t, key, row, &rowid);
}

static int store_atom(eng_ctx *c, const hc_store *s, const hc_node *n, const char *text)
{
    eng_val v[HC_ATOM_NCOLS];
    v[HC_ATOM_ID] = bytes_val(n->id, HC_ID_LEN);
    v[HC_ATOM_CODEPOINT] = int_val(n->cp);
    v[HC_ATOM_VALUE] = bytes_val(text + n->b0, n->b1 - n->b0);
    if (point_vals(c, &n->centroid, &v[HC_ATOM_GEOM], &v[HC_ATOM_HLO], &v[HC_ATOM_HHI]))
        return -1;
    eng_ins_state ins = {0};
    int rc = eng_insert_row(c, s->atom, v, &ins);
    eng_ins_state_free(&ins);
    return rc;
}

static int store_comp(eng_ctx *c, const hc_store *s, const hc_tree *t, const hc_node *n, const char *text)
{
    eng_val v[HC_COMP_NCOLS];
    size_t len = n->b1 - n->b0;
    v[HC_COMP_ID] = bytes_val(n->id, HC_ID_LEN);
    v[HC_COMP_LABEL] = bytes_val(text + n->b0, len);
    v[HC_COMP_LABEL].null = len > HC_LABEL_MAX;
    v[HC_COMP_DEPTH] = int_val(n->depth);
    v[HC_COMP_CHILD_COUNT] = int_val(n->n);
    v[HC_COMP_ATOM_COUNT] = int_val(n->atom_count);
    if (point_vals(c, &n->centroid, &v[HC_COMP_CENTROID], &v[HC_COMP_HLO], &v[HC_COMP_HHI]))
        return -1;
    eng_ins_state ins = {0};
    int rc = eng_insert_row(c, s->comp, v, &ins);
    eng_ins_state_free(&ins);
    for (uint32_t k = 0; rc == 0 && k < n->n; k++) {
        const hc_node *ch = &t->nodes[t->kids[n->first + k]];
        eng_val cv[HC_CC_NCOLS];
        cv[HC_CC_COMP] = bytes_val(n->id, HC_ID_LEN);
        cv[HC_CC_ORDINAL] = int_val(k);
        cv[HC_CC_TYPE] = bytes_val(ch->depth ? "C" : "A", 1);
        cv[HC_CC_CHILD] = bytes_val(ch->id, HC_ID_LEN);
        eng_ins_state cins = {0};
        rc = eng_insert_row(c, s->child, cv, &cins);
        eng_ins_state_free(&cins);
    }
    return rc;
}

/* Relation ids: the first 8 bytes of SHA-256(source || target || type). */
static int relation_id(eng_ctx *c, const hc_node *a, const hc_node *b, int64_t *id)
{
    uint8_t in[2 * HC_ID_LEN + 1], out[HC_ID_LEN];
    memcpy(in, a->id, HC_ID_LEN);
    memcpy(in + HC_ID_LEN, b->id, HC_ID_LEN);
    in[2 * HC_ID_LEN] = 'S';
    hc_status st = hc_sha256(in, sizeof(in), out);
    if (st != HC_OK)
        return hc_fail(c, st);
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | out[i];
    *id = (int64_t)(u >> 1); /* non-negative, like a bigserial */
    return 0;
}

static int store_pair(eng_ctx *c, const hc_store *s, const hc_tree *t, const hc_pair *p, const char *model)
{
    const hc_node *a = &t->nodes[p->a], *b = &t->nodes[p->b];
    eng_val v[HC_REL_NCOLS], old[HC_REL_NCOLS + 1];
    int64_t id = 0;
    if (relation_id(c, a, b, &id))
        return -1;
    v[HC_REL_ID] = int_val(id);
    uint64_t rowid;
    int found = hc_store_get(c, s->rel, v, old, &rowid);
    if (found < 0)
        return -1;
    if (found) {
        old[HC_REL_COUNT].i += p->count;
        old[HC_REL_WEIGHT].f = (double)(float)old[HC_REL_COUNT].i;
        return hc_store_update(c, s->rel, rowid, old);
    }
    v[HC_REL_STYPE] = bytes_val(a->depth ? "C" : "A", 1);
    v[HC_REL_TTYPE] = bytes_val(b->depth ? "C" : "A", 1);
    v[HC_REL_SOURCE] = bytes_val(a->id, HC_ID_LEN);
    v[HC_REL_TARGET] = bytes_val(b->id, HC_ID_LEN);
    v[HC_REL_TYPE] = bytes_val("S", 1);
    v[HC_REL_WEIGHT] = (eng_val){.null = false, .f = (double)(float)p->count};
    v[HC_REL_MODEL] = bytes_val(model, strlen(model));
    v[HC_REL_COUNT] = int_val(p->count);
    v[HC_REL_LAYER] = int_val(-1);
    v[HC_REL_COMPONENT] = bytes_val("", 0);
    eng_ins_state ins = {0};
    int rc = eng_insert_row(c, s->rel, v, &ins);
    eng_ins_state_free(&ins);
    return rc;
}

/* Each node's work in a scratch arena reset after it: memory stays flat
 * however long the text. */
static int store_tree(eng_ctx *pc, const hc_store *s, const hc_tree *t, const char *text, const char *model)
{
    eng_ctx c = *pc;
    if (!(c.mem = arena_new()))
        return eng__oom(pc);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < t->nnodes; i++) {
        const hc_node *n = &t->nodes[i];
        int have = stored(&c, n->depth ? s->comp : s->atom, n->id);
        rc = have < 0 ? -1 : have ? 0 : n->depth ? store_comp(&c, s, t, n, text) : store_atom(&c, s, n, text);
        arena_reset(c.mem);
        if (rc == 0 && (i & 1023) == 0 && c.env && c.env->check_interrupts)
            rc = c.env->check_interrupts(c.env->ctx, c.err);
    }
    for (size_t i = 0; rc == 0 && i < t->npairs; i++) {
        rc = store_pair(&c, s, t, &t->pairs[i], model);
        arena_reset(c.mem);
    }
    arena_free(c.mem);
    return rc;
}

static int f_ingest(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    hc_store s;
    if (hc_store_open(c, &s))
        return -1;
    char *model = n > 1 ? arena_strndup(c->mem, a[1].s.p, a[1].s.n) : "";
    hc_tree t;
    hc_status st = model ? hc_text_build(a[0].s.p, a[0].s.n, &t) : HC_ERR_NOMEM;
    if (st != HC_OK)
        return hc_fail(c, st);
    const hc_node *root = &t.nodes[t.root];
    uint8_t *id = arena_alloc(c->mem, HC_ID_LEN);
    int have = id ? stored(c, root->depth ? s.comp : s.atom, root->id) : eng__oom(c);
    int rc = have < 0 ? -1 : have ? 0 : store_tree(c, &s, &t, a[0].s.p, model);
    if (rc == 0) {
        memcpy(id, root->id, HC_ID_LEN);
        *o = bytes_val(id, HC_ID_LEN);
    }
    hc_text_free(&t);
    return rc;
}

static int f_reconstruct(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    hc_store s;
    if (hc_store_open(c, &s))
        return -1;
    int found = hc_store_text(c, &s, &a[0], o);
    if (found == 0)
        o->null = true;
    return found < 0 ? -1 : 0;
}

void eng__register_hc_ingest(void)
{
    const int F = ENG_F_STRICT | ENG_F_VOLATILE | ENG_F_TABLES;
    eng__reg("hc_ingest", false, OID_BYTEA, F, f_ingest, 1, OID_TEXT);
    eng__reg("hc_ingest", false, OID_BYTEA, F, f_ingest, 2, OID_TEXT, OID_TEXT);
    eng__reg("hc_reconstruct", false, OID_TEXT, ENG_F_STRICT | ENG_F_TABLES, f_reconstruct, 1, OID_BYTEA);
}
