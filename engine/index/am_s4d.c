/*
 * am_s4d: the `gist` access method for `hypercube` columns (am.h) over the
 * 4-D R*-tree of spatial4d.h. PostgreSQL spells a 4-D point index
 * `USING gist`; here that name builds spatial4d, which answers
 * `ORDER BY col <-> value LIMIT k` (opclass gist_hypercube_ops, the
 * default) and `ORDER BY col <<->> value LIMIT k` (gist_geometry_ops_nd, as
 * PostGIS names its n-D opclass); ST_Distance(col, value) orders the same way.
 *
 * Labels are the spatial index's row ids; the amidx hands them out in row
 * order. Distances are sqrt(s4d_dist2), the `<->` value exactly, and hits
 * come back as an exact scan sorted by (distance, row) would give them.
 * No WITH options.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/index/am.h"
#include "engine/index/spatial4d.h"
#include "engine/types/hypercube.h"
#include "util/mem.h"

static const eng_am_opclass opclasses[] = {
    {"gist_hypercube_ops", OID_HYPERCUBE, "<->", 0, true, "st_distance", "st_dwithin"},
    {"gist_geometry_ops_nd", OID_HYPERCUBE, "<<->>", 0, false, "st_distance", "st_dwithin"},
    {NULL, 0, NULL, 0, false, NULL, NULL},
};

/* The tree sits behind a pointer so that build can replace the empty one create made. */
typedef struct s4d_am {
    s4d_index *idx;
} s4d_am;

static int s4d_define(eng_am_def *def, const eng_am_option *opts, int nopts, pgw_error *err)
{
    (void)def;
    if (nopts > 0) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized parameter \"%s\"", opts[0].name);
        return -1;
    }
    return 0;
}

static void s4d_describe(const eng_am_def *def, char *out, size_t outsz)
{
    (void)def;
    if (outsz)
        out[0] = '\0';
}

static int s4d_fail(s4d_status st, pgw_error *err)
{
    if (st == S4D_ERR_NOMEM)
        pgw_error_oom(err);
    else
        pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "4-D index: %s", s4d_status_message(st));
    return -1;
}

static int s4d_am_create(const eng_am_def *def, void **state, pgw_error *err)
{
    (void)def;
    s4d_am *a = mem_calloc(1, sizeof(*a));
    if (!a || !(a->idx = s4d_create())) {
        mem_free(a);
        return pgw_error_oom(err), -1;
    }
    *state = a;
    return 0;
}

static void s4d_am_free(void *state)
{
    s4d_am *a = state;
    if (a)
        s4d_destroy(a->idx);
    mem_free(a);
}

static int s4d_am_insert(void *state, int64_t label, const eng_val *v, pgw_error *err)
{
    double p[4];
    eng_hcube_get(v, p);
    s4d_status st = s4d_insert(((s4d_am *)state)->idx, p, (uint64_t)label);
    return st == S4D_OK ? 0 : s4d_fail(st, err);
}

static int s4d_am_build(void *state, const int64_t *labels, const eng_val *vals, size_t n, int nthreads,
                        const eng_am_progress *progress,
                        pgw_error *err)
{
    (void)progress; /* one step: there is nothing to watch */
    (void)nthreads; /* STR packing is a few sorts: one thread builds a million points in about a second */
    s4d_am *a = state;
    double (*pts)[4] = mem_alloc((n ? n : 1) * sizeof(*pts));
    uint64_t *ids = mem_alloc((n ? n : 1) * sizeof(uint64_t));
    s4d_index *idx = NULL;
    s4d_status st = pts && ids ? S4D_OK : S4D_ERR_NOMEM;
    for (size_t i = 0; st == S4D_OK && i < n; i++) {
        eng_hcube_get(&vals[i], pts[i]);
        ids[i] = (uint64_t)labels[i];
    }
    if (st == S4D_OK)
        st = s4d_build(&idx, (const double(*)[4])pts, ids, n);
    mem_free(pts), mem_free(ids);
    if (st != S4D_OK)
        return s4d_fail(st, err);
    s4d_destroy(a->idx);
    a->idx = idx;
    return 0;
}

/* Hits in the order of an exact scan sorted by (col <-> value, row): the SQL
 * value sqrt(dist2) can be equal for different dist2, and then the smaller
 * label (earlier row) goes first, not the smaller dist2. */
static int hit_cmp(const void *pa, const void *pb)
{
    const eng_am_hit *a = pa, *b = pb;
    if (a->distance != b->distance)
        return a->distance < b->distance ? -1 : 1;
    return (a->label > b->label) - (a->label < b->label);
}

/* The accepted hits among the ask nearest, into *hits (mem_alloc'ed, nearest
 * first), and the distance of the farthest point looked at. */
static s4d_status accepted(s4d_index *idx, const double q[4], size_t ask, eng_am_accept_fn accept, void *ctx,
                           eng_am_hit **hits, size_t *n, double *reach)
{
    size_t nres = 0;
    s4d_result *res = mem_alloc((ask ? ask : 1) * sizeof(*res));
    *hits = mem_alloc((ask ? ask : 1) * sizeof(eng_am_hit));
    s4d_status st = res && *hits ? s4d_knn(idx, q, ask, NULL, res, &nres) : S4D_ERR_NOMEM;
    *n = 0;
    *reach = st == S4D_OK && nres ? sqrt(res[nres - 1].dist2) : 0;
    for (size_t i = 0; st == S4D_OK && i < nres; i++)
        if (!accept || accept(ctx, (int64_t)res[i].id))
            (*hits)[(*n)++] = (eng_am_hit){(int64_t)res[i].id, sqrt(res[i].dist2)};
    mem_free(res);
    return st;
}

/* Asks the tree for k, 2k, 4k, ... nearest until k are accepted and every
 * point not looked at is strictly farther than the k-th (so no tie of the
 * SQL value is left out), or the index is exhausted. */
static int s4d_am_knn(void *state, const eng_val *query, size_t k, const eng_am_scan_opts *o,
                      eng_am_accept_fn accept, void *ctx, eng_am_hit *out, pgw_error *err)
{
    (void)o;
    s4d_index *idx = ((s4d_am *)state)->idx;
    double q[4], reach;
    eng_hcube_get(query, q);
    size_t total = s4d_count(idx), ask = k < total ? k : total, n;
    for (;;) {
        eng_am_hit *hits;
        s4d_status st = accepted(idx, q, ask, accept, ctx, &hits, &n, &reach);
        if (st != S4D_OK) {
            mem_free(hits);
            return s4d_fail(st, err);
        }
        if (ask >= total || k == 0 || (n >= k && reach > hits[k - 1].distance)) {
            qsort(hits, n, sizeof(*hits), hit_cmp);
            n = n < k ? n : k;
            if (n)
                memcpy(out, hits, n * sizeof(*hits));
            mem_free(hits);
            return (int)n;
        }
        mem_free(hits);
        ask = ask * 2 < total ? ask * 2 : total;
    }
}

typedef struct within_visit {
    eng_am_visit_fn visit;
    void *ctx;
    int stopped;
} within_visit;

static int visit_point(void *arg, const double p[4], uint64_t id)
{
    (void)p;
    within_visit *w = arg;
    return w->stopped = w->visit(w->ctx, (int64_t)id);
}

/* ST_DWithin(col, query, radius): the tree's radius search, the same inclusive test. */
static int s4d_am_within(void *state, const eng_val *query, double radius, eng_am_visit_fn visit, void *ctx,
                         pgw_error *err)
{
    double q[4];
    eng_hcube_get(query, q);
    within_visit w = {visit, ctx, 0};
    s4d_status st = s4d_radius(((s4d_am *)state)->idx, q, radius, visit_point, &w);
    return st == S4D_OK ? w.stopped : s4d_fail(st, err);
}

static size_t s4d_am_memory(const void *state)
{
    return s4d_memory_bytes(((const s4d_am *)state)->idx);
}

static int s4d_am_save(void *state, eng_am_write_fn write, void *ctx, pgw_error *err)
{
    s4d_status st = s4d_save(((s4d_am *)state)->idx, write, ctx);
    return st == S4D_OK ? 0 : s4d_fail(st, err);
}

static int s4d_am_load(const eng_am_def *def, eng_am_read_fn read, void *ctx, size_t len, void **state,
                       pgw_error *err)
{
    (void)def;
    (void)len; /* its loader checks counts against what it reads */
    s4d_am *a = mem_calloc(1, sizeof(*a));
    if (!a)
        return pgw_error_oom(err), -1;
    s4d_status st = s4d_load(&a->idx, read, ctx);
    if (st != S4D_OK) {
        mem_free(a);
        return s4d_fail(st, err);
    }
    *state = a;
    return 0;
}

const eng_am eng__am_s4d = {
    .name = "gist",
    .opclasses = opclasses,
    .define = s4d_define,
    .describe = s4d_describe,
    .create = s4d_am_create,
    .free = s4d_am_free,
    .insert = s4d_am_insert,
    .build = s4d_am_build,
    .knn = s4d_am_knn,
    .memory = s4d_am_memory,
    .save = s4d_am_save,
    .load = s4d_am_load,
    .within = s4d_am_within,
};
