/*
 * hc_reverse: nearest-atom lookup over a spatial4d index of every atom
 * (row id = codepoint, so the index's id tie-break is "smaller codepoint").
 * The index is built once and never freed (it lives as long as the process,
 * like the rank table).
 */
#include "engine/hypercube/hc_reverse.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "engine/hypercube/hc_rank.h"
#include "engine/index/spatial4d.h"
#include "util/mem.h"

static pthread_mutex_t atoms_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(s4d_index *) atoms;
static pthread_key_t scratch_key; /* per-thread s4d_scratch, destroyed at thread exit */

static void scratch_dtor(void *p)
{
    s4d_scratch_destroy(p);
}

static hc_status build_atoms(s4d_index **out)
{
    const uint32_t *rank_of;
    hc_status st = hc__rank_table(&rank_of);
    if (st != HC_OK)
        return st;
    double (*pts)[4] = mem_alloc(sizeof *pts * HC_NUM_ATOMS);
    uint64_t *ids = mem_alloc(sizeof *ids * HC_NUM_ATOMS);
    if (!pts || !ids) {
        mem_free(pts), mem_free(ids);
        return HC_ERR_NOMEM;
    }
    size_t n = 0;
    for (uint32_t cp = 0; cp <= HC_MAX_CODEPOINT; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        double v[4];
        hc_spiral_point(rank_of[cp], v);
        for (int d = 0; d < 4; d++)
            pts[n][d] = (v[d] + 1.0) * 0.5; /* the same expression as hc_map_codepoint */
        ids[n++] = cp;
    }
    s4d_status ss = s4d_build(out, (const double(*)[4])pts, ids, n);
    mem_free(pts), mem_free(ids);
    return ss == S4D_OK ? HC_OK : HC_ERR_NOMEM;
}

static hc_status atom_index(s4d_index **out)
{
    s4d_index *x = atomic_load_explicit(&atoms, memory_order_acquire);
    if (x) {
        *out = x;
        return HC_OK;
    }
    hc_status st = HC_OK;
    pthread_mutex_lock(&atoms_lock);
    x = atomic_load_explicit(&atoms, memory_order_relaxed);
    if (!x) {
        if (pthread_key_create(&scratch_key, scratch_dtor) != 0)
            st = HC_ERR_NOMEM;
        else if ((st = build_atoms(&x)) == HC_OK)
            atomic_store_explicit(&atoms, x, memory_order_release);
        else
            pthread_key_delete(scratch_key);
    }
    pthread_mutex_unlock(&atoms_lock);
    *out = x;
    return st;
}

hc_status hc_reverse_init(void)
{
    s4d_index *x;
    return atom_index(&x);
}

static hc_status thread_scratch(s4d_scratch **out)
{
    s4d_scratch *s = pthread_getspecific(scratch_key);
    if (!s) {
        if (!(s = s4d_scratch_create()))
            return HC_ERR_NOMEM;
        if (pthread_setspecific(scratch_key, s) != 0) {
            s4d_scratch_destroy(s);
            return HC_ERR_NOMEM;
        }
    }
    *out = s;
    return HC_OK;
}

static hc_status nearest(s4d_index *x, s4d_scratch *s, const double q[4], int32_t *cp)
{
    if (!isfinite(q[0]) || !isfinite(q[1]) || !isfinite(q[2]) || !isfinite(q[3]))
        return HC_ERR_INVALID_ARGUMENT;
    s4d_result r;
    size_t n = 0;
    s4d_status st = s4d_knn(x, q, 1, s, &r, &n);
    if (st != S4D_OK)
        return st == S4D_ERR_NOMEM ? HC_ERR_NOMEM : HC_ERR_INVALID_ARGUMENT;
    if (n != 1)
        return HC_ERR_INTERNAL;
    *cp = (int32_t)r.id;
    return HC_OK;
}

hc_status hc_codepoint_from_coords(double x, double y, double z, double m, int32_t *cp)
{
    s4d_index *idx;
    s4d_scratch *s;
    hc_status st = atom_index(&idx);
    if (st == HC_OK)
        st = thread_scratch(&s);
    if (st != HC_OK)
        return st;
    const double q[4] = {x, y, z, m};
    return nearest(idx, s, q, cp);
}

hc_status hc_codepoint_from_raw(const uint32_t lanes[4], int32_t *cp)
{
    double q[4];
    for (int d = 0; d < 4; d++)
        q[d] = (double)lanes[d] / 4294967295.0;
    return hc_codepoint_from_coords(q[0], q[1], q[2], q[3], cp);
}

hc_status hc_codepoints_from_points(const hc_point *pts, size_t n, int32_t *cps, size_t *bad_index)
{
    s4d_index *idx;
    s4d_scratch *s;
    hc_status st = atom_index(&idx);
    if (st == HC_OK)
        st = thread_scratch(&s);
    for (size_t i = 0; st == HC_OK && i < n; i++) {
        const double q[4] = {pts[i].x, pts[i].y, pts[i].z, pts[i].m};
        st = nearest(idx, s, q, &cps[i]);
        if (st != HC_OK && bad_index)
            *bad_index = i;
    }
    return st;
}
