/*
 * hnsw_select: neighbour selection and linking. Algorithm 4 (SELECT-NEIGHBORS-
 * HEURISTIC, Malkov & Yashunin) without extendCandidates and without
 * keepPrunedConnections, as hnswlib does: a candidate is kept only if it is
 * closer to the base element than to every neighbour kept before it, which
 * spreads the links in all directions. Used both to pick the links of a new
 * element and to shrink a neighbour's list that overflows (Algorithm 1,
 * lines 13-16).
 */
#include "engine/index/hnsw_internal.h"

#include <stdlib.h>

#include "util/mem.h"

static int cmp_cand(const void *a, const void *b)
{
    const hnsw_cand *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Algorithm 4. c[0..n) in any order; the kept ones end up in c[0..return), closest first. */
size_t hnsw__select_heuristic(hnsw_index *x, hnsw_cand *c, size_t n, size_t m)
{
    qsort(c, n, sizeof(*c), cmp_cand);
    if (n <= m)
        return n; /* everything fits; hnswlib likewise keeps all when there are < m */
    size_t kept = 0;
    for (size_t i = 0; i < n && kept < m; i++) {
        const float *v = hnsw__vec(x, c[i].id);
        bool good = true;
        for (size_t j = 0; j < kept; j++) {
            if (hnsw__dist(x, v, hnsw__vec(x, c[j].id)) < c[i].d) {
                good = false;
                break;
            }
        }
        if (good)
            c[kept++] = c[i];
    }
    return kept;
}

static bool ensure_sel(hnsw_scratch *s, size_t need)
{
    if (s->sel_cap >= need)
        return true;
    hnsw_cand *p = mem_realloc(s->sel, need * sizeof(*p));
    if (!p)
        return false;
    s->sel = p;
    s->sel_cap = need;
    return true;
}

/* Adds `id` to e's list at lc, shrinking it with the heuristic if full. Caller holds e's lock. */
static void link_back(hnsw_index *x, hnsw_scratch *s, uint32_t e, uint32_t id, int lc)
{
    uint32_t mmax = lc == 0 ? (uint32_t)x->m0 : (uint32_t)x->m;
    uint32_t cnt;
    uint32_t *ids = hnsw__links(x, e, lc, &cnt);
    for (uint32_t j = 0; j < cnt; j++)
        if (ids[j] == id)
            return;
    if (cnt < mmax) {
        hnsw__set_link(ids, cnt, id);
        hnsw__set_count(x, e, lc, cnt + 1);
        return;
    }
    const float *ev = hnsw__vec(x, e);
    s->sel[0] = (hnsw_cand){hnsw__dist(x, ev, hnsw__vec(x, id)), id};
    for (uint32_t j = 0; j < cnt; j++)
        s->sel[j + 1] = (hnsw_cand){hnsw__dist(x, ev, hnsw__vec(x, ids[j])), ids[j]};
    size_t kept = hnsw__select_heuristic(x, s->sel, cnt + 1, mmax);
    for (size_t j = 0; j < kept; j++)
        hnsw__set_link(ids, (uint32_t)j, s->sel[j].id);
    hnsw__set_count(x, e, lc, (uint32_t)kept);
}

bool hnsw__connect(hnsw_index *x, hnsw_scratch *s, uint32_t id, int lc, hnsw_cand *nb, size_t nn)
{
    if (!ensure_sel(s, (size_t)x->m0 + 1))
        return false;
    uint32_t cnt;
    hnsw__lock(x, id);
    uint32_t *own = hnsw__links(x, id, lc, &cnt);
    for (size_t i = 0; i < nn; i++)
        hnsw__set_link(own, (uint32_t)i, nb[i].id);
    hnsw__set_count(x, id, lc, (uint32_t)nn);
    hnsw__unlock(x, id);
    for (size_t i = 0; i < nn; i++) {
        uint32_t e = nb[i].id;
        if (e == id)
            continue;
        hnsw__lock(x, e);
        link_back(x, s, e, id, lc);
        hnsw__unlock(x, e);
    }
    return true;
}
