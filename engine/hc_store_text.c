/*
 * hc_store_text: the text of an atom or composition, rebuilt from the
 * tables (see hc_store.h): the leaf atoms' bytes concatenated depth-first
 * in ordinal order, which is exactly the text that was ingested.
 */
#include <string.h>

#include "engine/hc_store.h"
#include "engine/types/types.h"
#include "util/buf.h"

#define RECON_MAX_DEPTH 64 /* ingestion makes at most 5 levels; deeper rows are not ours */

/* A walk down one tree: level d decodes its rows in lvl[d], reset for each
 * node, so the parents' rows stay valid while memory stays flat. */
typedef struct recon {
    eng_ctx *c;
    const hc_store *s;
    arena *lvl[RECON_MAX_DEPTH];
    buf out;
} recon;

static int append_found(recon *r, const eng_val *id, int depth);

static int append_children(recon *r, const eng_val *id, int64_t count, int depth)
{
    eng_ctx c = *r->c;
    c.mem = r->lvl[depth];
    eng_val key[HC_CC_NCOLS], row[HC_CC_NCOLS + 1];
    key[HC_CC_COMP] = *id;
    for (int64_t k = 0; k < count; k++) {
        key[HC_CC_ORDINAL] = (eng_val){.null = false, .i = k};
        uint64_t rowid;
        int found = hc_store_get(&c, r->s->child, key, row, &rowid);
        if (found > 0)
            found = append_found(r, &row[HC_CC_CHILD], depth + 1);
        if (found == 0)
            pgw_error_set(c.err, SQLSTATE_DATA_CORRUPTED, "child %lld of a composition is missing", (long long)k);
        if (found <= 0)
            return -1;
    }
    return 0;
}

/* 1 when id named an atom or a composition (its text appended), 0 when neither. */
static int append_found(recon *r, const eng_val *id, int depth)
{
    if (depth >= RECON_MAX_DEPTH) {
        eng_err_depth(r->c->err);
        return -1;
    }
    if (!r->lvl[depth] && !(r->lvl[depth] = arena_new()))
        return eng__oom(r->c);
    arena_reset(r->lvl[depth]);
    eng_ctx c = *r->c;
    c.mem = r->lvl[depth];
    eng_val key[HC_COMP_NCOLS], row[HC_COMP_NCOLS + 1];
    key[0] = *id;
    uint64_t rowid;
    int found = hc_store_get(&c, r->s->comp, key, row, &rowid);
    if (found)
        return found < 0 || append_children(r, id, row[HC_COMP_CHILD_COUNT].i, depth) ? -1 : 1;
    found = hc_store_get(&c, r->s->atom, key, row, &rowid);
    if (found > 0)
        buf_append(&r->out, row[HC_ATOM_VALUE].s.p, row[HC_ATOM_VALUE].s.n);
    return found;
}

int hc_store_text(eng_ctx *c, const hc_store *s, const eng_val *id, eng_val *out)
{
    recon r = {.c = c, .s = s};
    buf_init(&r.out);
    int found = append_found(&r, id, 0);
    if (found > 0) {
        char *p = r.out.failed ? NULL : arena_alloc(c->mem, r.out.len + 1);
        if (p) {
            memcpy(p, r.out.data, r.out.len);
            *out = (eng_val){.null = false};
            out->s.p = p;
            out->s.n = r.out.len;
        } else {
            found = eng__oom(c);
        }
    }
    buf_free(&r.out);
    for (int d = 0; d < RECON_MAX_DEPTH; d++)
        arena_free(r.lvl[d]);
    return found;
}
