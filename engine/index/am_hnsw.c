/*
 * am_hnsw: the `hnsw` access method (am.h) over the graph of hnsw.h, with
 * pgvector's operator classes, WITH options, ranges and messages.
 *
 * def->opt: [0] m, [1] ef_construction, [2] bit mask of the options the
 * user gave (only those are shown back, as PostgreSQL shows reloptions).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/index/am.h"
#include "engine/index/hnsw.h"
#include "util/mem.h"

enum { OPT_M, OPT_EF_CONSTRUCTION, OPT_GIVEN };

static const eng_am_opclass opclasses[] = {
    {"vector_l2_ops", OID_VECTOR, "<->", DIST_L2, true, NULL, NULL},
    {"vector_ip_ops", OID_VECTOR, "<#>", DIST_IP, false, NULL, NULL},
    {"vector_cosine_ops", OID_VECTOR, "<=>", DIST_COSINE, false, NULL, NULL},
    {"vector_l1_ops", OID_VECTOR, "<+>", DIST_L1, false, NULL, NULL},
    {NULL, 0, NULL, 0, false, NULL, NULL},
};

static const char *const option_names[] = {"m", "ef_construction"};

/* PostgreSQL's parse_int for reloptions: optional spaces and sign, digits, optional spaces. */
static int parse_option(const char *name, const char *s, int32_t *out, pgw_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (end == s || *end || errno || v < INT32_MIN || v > INT32_MAX) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid value for integer option \"%s\": %s", name, s);
        return -1;
    }
    *out = (int32_t)v;
    return 0;
}

static int hnsw_define(eng_am_def *def, const eng_am_option *opts, int nopts, pgw_error *err)
{
    def->opt[OPT_M] = HNSW_DEFAULT_M;
    def->opt[OPT_EF_CONSTRUCTION] = HNSW_DEFAULT_EF_CONSTRUCTION;
    def->opt[OPT_GIVEN] = 0;
    for (int i = 0; i < nopts; i++) {
        int k = 0;
        while (k < 2 && strcasecmp(opts[i].name, option_names[k]) != 0)
            k++;
        if (k == 2) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized parameter \"%s\"", opts[i].name);
            return -1;
        }
        if (def->opt[OPT_GIVEN] & (1 << k)) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "parameter \"%s\" specified more than once",
                          opts[i].name);
            return -1;
        }
        if (parse_option(option_names[k], opts[i].value, &def->opt[k], err))
            return -1;
        def->opt[OPT_GIVEN] |= 1 << k;
    }
    if (def->typmod < 1) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "column does not have dimensions");
        return -1;
    }
    hnsw_params p;
    hnsw_params_init(&p, (dist_metric)def->opclass->metric, def->typmod);
    p.m = def->opt[OPT_M];
    p.ef_construction = def->opt[OPT_EF_CONSTRUCTION];
    return hnsw_params_check(&p, err) ? -1 : 0;
}

static void hnsw_describe(const eng_am_def *def, char *out, size_t outsz)
{
    size_t n = 0;
    out[0] = '\0';
    for (int k = 0; k < 2; k++) {
        if (!(def->opt[OPT_GIVEN] & (1 << k)) || n >= outsz)
            continue;
        n += (size_t)snprintf(out + n, outsz - n, "%s%s='%d'", n ? ", " : "", option_names[k], (int)def->opt[k]);
    }
}

static int hnsw_am_create(const eng_am_def *def, void **state, pgw_error *err)
{
    hnsw_params p;
    hnsw_params_init(&p, (dist_metric)def->opclass->metric, def->typmod);
    p.m = def->opt[OPT_M];
    p.ef_construction = def->opt[OPT_EF_CONSTRUCTION];
    return hnsw_create(&p, (hnsw_index **)state, err) ? -1 : 0;
}

static void hnsw_am_free(void *state)
{
    hnsw_free(state);
}

/* v's floats, aligned (row images may hand out unaligned bytes); *tmp is freed by the caller. */
static const float *floats(const eng_val *v, float **tmp)
{
    *tmp = NULL;
    if (((uintptr_t)v->s.p & (sizeof(float) - 1)) == 0)
        return (const float *)(const void *)v->s.p;
    if ((*tmp = mem_alloc(v->s.n ? v->s.n : 1)))
        memcpy(*tmp, v->s.p, v->s.n);
    return *tmp;
}

static int check_dim(void *state, const eng_val *v, pgw_error *err)
{
    int dim = hnsw_dim(state), got = (int)(v->s.n / sizeof(float));
    if (got != dim) {
        pgw_error_set(err, SQLSTATE_DATA_EXCEPTION, "expected %d dimensions, not %d", dim, got);
        return -1;
    }
    return 0;
}

static int hnsw_am_insert(void *state, int64_t label, const eng_val *v, pgw_error *err)
{
    float *tmp;
    if (check_dim(state, v, err))
        return -1;
    const float *x = floats(v, &tmp);
    int rc = x ? hnsw_insert(state, label, x, err) : (pgw_error_oom(err), -1);
    mem_free(tmp);
    return rc < 0 ? -1 : rc == HNSW_SKIPPED;
}

static int hnsw_am_build(void *state, const int64_t *labels, const eng_val *vals, size_t n, int nthreads,
                         pgw_error *err)
{
    size_t dim = (size_t)hnsw_dim(state);
    float *all = mem_alloc((n ? n : 1) * dim * sizeof(float));
    if (!all)
        return pgw_error_oom(err), -1;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = check_dim(state, &vals[i], err);
        if (!rc)
            memcpy(all + i * dim, vals[i].s.p, dim * sizeof(float));
    }
    if (!rc && n)
        rc = hnsw_build(state, all, labels, n, nthreads, NULL, NULL, err) < 0 ? -1 : 0;
    mem_free(all);
    return rc;
}

static int hnsw_am_knn(void *state, const eng_val *query, size_t k, const eng_am_scan_opts *o,
                       eng_am_accept_fn accept, void *ctx, eng_am_hit *out, pgw_error *err)
{
    int dim = hnsw_dim(state), got = (int)(query->s.n / sizeof(float));
    if (got != dim) {
        pgw_error_set(err, SQLSTATE_DATA_EXCEPTION, "different vector dimensions %d and %d", dim, got);
        return -1;
    }
    hnsw_result *res = mem_alloc((k ? k : 1) * sizeof(*res));
    float *tmp;
    const float *q = floats(query, &tmp);
    int n = res && q ? (accept ? hnsw_search_filtered(state, q, k, o->ef_search, accept, ctx, res)
                               : hnsw_search(state, q, k, o->ef_search, res))
                     : HNSW_ENOMEM;
    for (int i = 0; i < n; i++)
        out[i] = (eng_am_hit){res[i].label, res[i].distance};
    mem_free(tmp);
    mem_free(res);
    if (n < 0) {
        if (n == HNSW_ENOMEM)
            pgw_error_oom(err);
        else
            pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "hnsw search failed (%d)", n);
        return -1;
    }
    return n;
}

static size_t hnsw_am_memory(const void *state)
{
    return hnsw_memory_bytes(state);
}

const eng_am eng__am_hnsw = {
    .name = "hnsw",
    .oid = 16386, /* next to the vector type's 16385; pgvector's is assigned at CREATE EXTENSION */
    .opclasses = opclasses,
    .define = hnsw_define,
    .describe = hnsw_describe,
    .create = hnsw_am_create,
    .free = hnsw_am_free,
    .insert = hnsw_am_insert,
    .build = hnsw_am_build,
    .knn = hnsw_am_knn,
    .memory = hnsw_am_memory,
};
