/*
 * hc_search: semantic_search(query, k) -- the k compositions nearest (4-D
 * Euclidean, ties by id bytes) to the centroid the query text's own
 * composition would have (hc_text, nothing stored), as rows (id, text,
 * depth, atom_count, distance). text is the composition's label (NULL for
 * one longer than labels hold: hc_reconstruct(id) gives it).
 *
 * The function keeps no memory between rows (an SRF's rows may stop at any
 * LIMIT): each row is the best one after the previous row's (distance, id)
 * key, found by one exact scan of the visible rows, so k rows cost k scans.
 */
#include <math.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/hc_store.h"
#include "engine/hypercube/hc_text.h"
#include "engine/index/spatial4d.h"
#include "engine/types/hypercube.h"

#define KEY_ID_BYTES 24 /* of the id kept in the SRF state after the distance; SHA-256 prefixes do not collide */

static const char *const ss_names[] = {"id", "text", "depth", "atom_count", "distance"};
static const uint32_t ss_types[] = {OID_BYTEA, OID_TEXT, OID_INT4, OID_INT8, OID_FLOAT8};
static const eng_srf_cols ss_cols = {5, ss_names, ss_types};

typedef struct ss_key {
    double d;
    uint8_t id[HC_ID_LEN];
} ss_key;

static int key_cmp(const ss_key *a, const ss_key *b, size_t idlen)
{
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    return memcmp(a->id, b->id, idlen);
}

static int query_point(eng_ctx *c, const eng_val *q, double p[4])
{
    hc_tree t;
    hc_status st = hc_text_build(q->s.p, q->s.n, &t);
    if (st != HC_OK) {
        if (st == HC_ERR_NOMEM)
            return eng__oom(c);
        pgw_error_set(c->err, hc_status_sqlstate(st), "semantic_search needs a non-empty query text");
        return -1;
    }
    const hc_point *cp = &t.nodes[t.root].centroid;
    p[0] = cp->x, p[1] = cp->y, p[2] = cp->z, p[3] = cp->m;
    hc_text_free(&t);
    return 0;
}

typedef struct ss_scan {
    const double *q;
    const ss_key *after;  /* NULL: any */
    ss_key best;
    uint64_t rowid;
    bool found;
} ss_scan;

static int consider(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid)
{
    ss_scan *s = arg;
    (void)c;
    if (row[HC_COMP_CENTROID].null || row[HC_COMP_ID].s.n != HC_ID_LEN)
        return 0;
    double p[4];
    eng_hcube_get(&row[HC_COMP_CENTROID], p);
    ss_key k = {sqrt(s4d_dist2(p, s->q)), {0}};
    memcpy(k.id, row[HC_COMP_ID].s.p, HC_ID_LEN);
    if ((s->after && key_cmp(&k, s->after, KEY_ID_BYTES) <= 0) || (s->found && key_cmp(&k, &s->best, HC_ID_LEN) >= 0))
        return 0;
    s->best = k;
    s->rowid = rowid;
    s->found = true;
    return 0;
}

/* The smallest key above `after` (NULL: any): 1 with *best and *rowid, 0 when none. */
static int next_best(eng_ctx *c, eng_table *comp, const double q[4], const ss_key *after, ss_key *best,
                     uint64_t *rowid)
{
    ss_scan s = {.q = q, .after = after};
    if (hc_store_scan(c, comp, consider, &s))
        return -1;
    *best = s.best;
    *rowid = s.rowid;
    return s.found;
}

/* state: [0] rows given, [1] the last distance's bits, [2..4] its id's first 24 bytes */
static int srf_semantic_search(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    if (a[1].i < 0) {
        pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "semantic_search: k must not be negative");
        return -1;
    }
    hc_store s;
    double q[4] = {0, 0, 0, 0};
    if (st[0] >= a[1].i) {
        *done = true;
        return 0;
    }
    if (hc_store_open(c, &s) || query_point(c, &a[0], q))
        return -1;
    ss_key after = {0, {0}}, best = {0, {0}};
    if (st[0]) {
        memcpy(&after.d, &st[1], sizeof(double));
        memcpy(after.id, &st[2], KEY_ID_BYTES);
    }
    uint64_t rowid = 0;
    int found = next_best(c, s.comp, q, st[0] ? &after : NULL, &best, &rowid);
    if (found <= 0) {
        *done = found == 0;
        return found;
    }
    st[0]++;
    memcpy(&st[1], &best.d, sizeof(double));
    memcpy(&st[2], best.id, KEY_ID_BYTES);
    st_row r;
    eng_val *row = arena_calloc(c->mem, (size_t)s.comp->ncols + 1, sizeof(eng_val));
    if (!row)
        return eng__oom(c);
    if (st_get(c->env->txn, s.comp->st, rowid, &r) != ST_OK || eng_row_decode(c, s.comp, r.data, r.len, row))
        return pgw_error_is_set(c->err) ? -1 : (pgw_error_set(c->err, SQLSTATE_SERIALIZATION_FAILURE, "row vanished during the search"), -1);
    o[0] = row[HC_COMP_ID];
    o[1] = row[HC_COMP_LABEL];
    o[2] = row[HC_COMP_DEPTH];
    o[3] = row[HC_COMP_ATOM_COUNT];
    o[4] = (eng_val){.null = false, .f = best.d};
    return 0;
}

void eng__register_hc_search(void)
{
    eng__reg_srf_cols("semantic_search", &ss_cols, ENG_F_STRICT | ENG_F_TABLES, srf_semantic_search, 2, OID_TEXT,
                      OID_INT4);
}
