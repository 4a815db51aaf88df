/*
 * hc_validate: hc_validate() -> rows (check, status, detail), the checks of
 * the reference's validate_full.sql re-expressed for atom / composition /
 * composition_child (BINARY_CHECK does not apply: trees are n-ary):
 *   STATS             counts (always PASS)
 *   ORPHAN_CHECK      every child names a stored atom ('A') or composition ('C')
 *   ATOM_COUNT_CHECK  a composition's atom_count is the sum over its children
 *   LEAF_CHECK        only compositions have children (atoms are leaves)
 *   COMP_CHECK        every composition has child_count >= 2 ordered children 0..n-1
 *   GEOMETRY_CHECK    every atom sits at hc_map_codepoint(codepoint), every
 *                     composition has a centroid
 * A check passes when its count of offenders is 0. The tables are read once
 * per row (an SRF keeps no memory between rows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/hc_store.h"
#include "engine/hypercube/hc_id.h"
#include "engine/hypercube/hc_map.h"
#include "engine/types/hypercube.h"
#include "engine/types/text.h"

static const char *const v_names[] = {"check", "status", "detail"};
static const uint32_t v_types[] = {OID_TEXT, OID_TEXT, OID_TEXT};
static const eng_srf_cols v_cols = {3, v_names, v_types};

typedef struct node_info {
    uint8_t id[HC_ID_LEN];
    int64_t atom_count, child_count, seen, sum; /* children found, their atom total */
} node_info;

typedef struct tally {
    node_info *comp;
    size_t ncomp, capcomp;
    uint8_t (*atoms)[HC_ID_LEN];
    size_t natoms, capatoms;
    int64_t children, orphans, leaf_parents, bad_geom, no_centroid, bad_ordinal;
} tally;

static int id_cmp(const void *a, const void *b)
{
    return memcmp(a, b, HC_ID_LEN);
}

static int take_atom(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid)
{
    tally *y = arg;
    (void)rowid;
    if (hc_store_room(c, (void **)&y->atoms, y->natoms, &y->capatoms, HC_ID_LEN))
        return -1;
    memcpy(y->atoms[y->natoms++], row[HC_ATOM_ID].s.p, HC_ID_LEN);
    hc_point p;
    double g[4];
    eng_hcube_get(&row[HC_ATOM_GEOM], g);
    if (hc_map_codepoint(row[HC_ATOM_CODEPOINT].i, &p) != HC_OK || p.x != g[0] || p.y != g[1] || p.z != g[2] ||
        p.m != g[3])
        y->bad_geom++;
    return 0;
}

static int take_comp(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid)
{
    tally *y = arg;
    (void)rowid;
    if (hc_store_room(c, (void **)&y->comp, y->ncomp, &y->capcomp, sizeof(node_info)))
        return -1;
    node_info *n = &y->comp[y->ncomp++];
    memset(n, 0, sizeof(*n));
    memcpy(n->id, row[HC_COMP_ID].s.p, HC_ID_LEN);
    n->atom_count = row[HC_COMP_ATOM_COUNT].i;
    n->child_count = row[HC_COMP_CHILD_COUNT].i;
    y->no_centroid += row[HC_COMP_CENTROID].null;
    return 0;
}

static node_info *find_comp(tally *y, const eng_val *id)
{
    return id->s.n == HC_ID_LEN ? bsearch(id->s.p, y->comp, y->ncomp, sizeof(node_info), id_cmp) : NULL;
}

static int take_child(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid)
{
    tally *y = arg;
    (void)c, (void)rowid;
    y->children++;
    node_info *parent = find_comp(y, &row[HC_CC_COMP]);
    const eng_val *child = &row[HC_CC_CHILD];
    bool atom = row[HC_CC_TYPE].s.n && row[HC_CC_TYPE].s.p[0] == 'A';
    node_info *cc = atom ? NULL : find_comp(y, child);
    bool found = atom ? child->s.n == HC_ID_LEN && bsearch(child->s.p, y->atoms, y->natoms, HC_ID_LEN, id_cmp)
                      : cc != NULL;
    y->orphans += !found;
    if (!parent) {
        y->leaf_parents++;
        return 0;
    }
    parent->seen++;
    parent->sum += atom ? 1 : cc ? cc->atom_count : 0;
    y->bad_ordinal += row[HC_CC_ORDINAL].i < 0 || row[HC_CC_ORDINAL].i >= parent->child_count;
    return 0;
}

static int tally_all(eng_ctx *c, tally *y)
{
    hc_store s;
    memset(y, 0, sizeof(*y));
    if (hc_store_open(c, &s) || hc_store_scan(c, s.atom, take_atom, y) || hc_store_scan(c, s.comp, take_comp, y))
        return -1;
    if (y->natoms)
        qsort(y->atoms, y->natoms, HC_ID_LEN, id_cmp);
    if (y->ncomp)
        qsort(y->comp, y->ncomp, sizeof(node_info), id_cmp);
    return hc_store_scan(c, s.child, take_child, y);
}

static int row_out(eng_ctx *c, const char *check, int64_t bad, const char *detail, eng_val *o)
{
    const char *status = bad ? "FAIL" : "PASS";
    return eng__text_val(c, check, strlen(check), &o[0]) || eng__text_val(c, status, strlen(status), &o[1]) ||
                   eng__text_val(c, detail, strlen(detail), &o[2])
               ? -1
               : 0;
}

static int srf_validate(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    (void)a, (void)n;
    if (st[0] >= 6) {
        *done = true;
        return 0;
    }
    tally y;
    if (tally_all(c, &y))
        return -1;
    int64_t bad_count = 0, bad_comp = 0;
    for (size_t i = 0; i < y.ncomp; i++) {
        bad_count += y.comp[i].sum != y.comp[i].atom_count;
        bad_comp += y.comp[i].child_count < 2 || y.comp[i].seen != y.comp[i].child_count;
    }
    char d[160];
    int k = (int)st[0]++;
    switch (k) {
    case 0:
        snprintf(d, sizeof(d), "%zu atoms, %zu compositions, %lld children", y.natoms, y.ncomp, (long long)y.children);
        return row_out(c, "STATS", 0, d, o);
    case 1:
        snprintf(d, sizeof(d), "%lld children name no stored atom or composition", (long long)y.orphans);
        return row_out(c, "ORPHAN_CHECK", y.orphans, d, o);
    case 2:
        snprintf(d, sizeof(d), "%lld compositions whose atom_count is not the sum over their children",
                 (long long)bad_count);
        return row_out(c, "ATOM_COUNT_CHECK", bad_count, d, o);
    case 3:
        snprintf(d, sizeof(d), "%lld children belong to no composition", (long long)y.leaf_parents);
        return row_out(c, "LEAF_CHECK", y.leaf_parents, d, o);
    case 4:
        snprintf(d, sizeof(d), "%lld compositions with fewer than 2 children or a gap in their ordinals",
                 (long long)(bad_comp + y.bad_ordinal));
        return row_out(c, "COMP_CHECK", bad_comp + y.bad_ordinal, d, o);
    default:
        snprintf(d, sizeof(d), "%lld atoms off their codepoint's point, %lld compositions without a centroid",
                 (long long)y.bad_geom, (long long)y.no_centroid);
        return row_out(c, "GEOMETRY_CHECK", y.bad_geom + y.no_centroid, d, o);
    }
}

void eng__register_hc_validate(void)
{
    eng__reg_srf_cols("hc_validate", &v_cols, ENG_F_TABLES | ENG_F_VOLATILE, srf_validate, 0);
}
