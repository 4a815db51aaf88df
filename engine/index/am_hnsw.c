/*
 * am_hnsw: the `hnsw` access method (am.h) over the graph of hnsw.h, with
 * pgvector's operator classes, WITH options, ranges and messages.
 *
 * def->opt: [0] m, [1] ef_construction, [2] bit mask of the options the
 * user gave (only those are shown back, as PostgreSQL shows reloptions).
 *
 * halfvec columns: the graph holds their values widened to float32 (exact,
 * every half is a float), so distances in the index equal the SQL
 * operators' and the kernels stay the float32 ones; the vectors then take
 * as much index memory as a vector column's. bit columns (bit_hamming_ops):
 * each bit becomes a 0.0 / 1.0 float, and the L1 distance between two such
 * vectors is their Hamming distance, so the graph needs no kernel of its own
 * (at 32 times a bit's size in memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/index/am.h"
#include "engine/index/hnsw.h"
#include "engine/types/half.h"
#include "util/mem.h"

enum { OPT_M, OPT_EF_CONSTRUCTION, OPT_GIVEN };

static const eng_am_opclass opclasses[] = {
    {"vector_l2_ops", OID_VECTOR, "<->", DIST_L2, true, NULL, NULL},
    {"vector_ip_ops", OID_VECTOR, "<#>", DIST_IP, false, NULL, NULL},
    {"vector_cosine_ops", OID_VECTOR, "<=>", DIST_COSINE, false, NULL, NULL},
    {"vector_l1_ops", OID_VECTOR, "<+>", DIST_L1, false, NULL, NULL},
    {"halfvec_l2_ops", OID_HALFVEC, "<->", DIST_L2, true, NULL, NULL},
    {"halfvec_ip_ops", OID_HALFVEC, "<#>", DIST_IP, false, NULL, NULL},
    {"halfvec_cosine_ops", OID_HALFVEC, "<=>", DIST_COSINE, false, NULL, NULL},
    {"halfvec_l1_ops", OID_HALFVEC, "<+>", DIST_L1, false, NULL, NULL},
    {"bit_hamming_ops", OID_BIT, "<~>", DIST_L1, true, NULL, NULL},
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

typedef enum { EL_F32, EL_F16, EL_BIT } elem_kind;

/* One index: the graph and the kind of the column's elements. */
typedef struct am_state {
    hnsw_index *g;
    elem_kind kind;
} am_state;

static const char *const kind_names[] = {"vector", "halfvec", "bit"};

/* The state of an index of def around graph g (NULL when out of memory). */
static am_state *state_of(const eng_am_def *def, hnsw_index *g)
{
    am_state *st = mem_alloc(sizeof(*st));
    if (st) {
        st->g = g;
        st->kind = def->opclass->type == OID_HALFVEC ? EL_F16 : def->opclass->type == OID_BIT ? EL_BIT : EL_F32;
    }
    return st;
}

static int hnsw_am_create(const eng_am_def *def, void **state, pgw_error *err)
{
    hnsw_params p;
    hnsw_params_init(&p, (dist_metric)def->opclass->metric, def->typmod);
    p.m = def->opt[OPT_M];
    p.ef_construction = def->opt[OPT_EF_CONSTRUCTION];
    am_state *st = state_of(def, NULL);
    if (!st)
        return pgw_error_oom(err), -1;
    if (hnsw_create(&p, &st->g, err)) {
        mem_free(st);
        return -1;
    }
    *state = st;
    return 0;
}

static void hnsw_am_free(void *state)
{
    am_state *st = state;
    hnsw_free(st->g);
    mem_free(st);
}

/* v's element count: floats, halves, or the bit count that leads a bit string (bit.h). */
static int dims_of(const am_state *st, const eng_val *v)
{
    if (st->kind == EL_BIT) {
        uint32_t n;
        memcpy(&n, v->s.p, sizeof(n));
        return (int)n;
    }
    return (int)(v->s.n / (st->kind == EL_F16 ? sizeof(uint16_t) : sizeof(float)));
}

/* v's elements as floats into dst (dim of them): row images may be unaligned, halves widen,
 * bits become 0 / 1. */
static void widen(const am_state *st, const eng_val *v, float *dst)
{
    int dim = dims_of(st, v);
    for (int i = 0; i < dim; i++) {
        if (st->kind == EL_BIT) {
            dst[i] = ((const uint8_t *)v->s.p)[sizeof(uint32_t) + (size_t)i / 8] & (0x80 >> (i % 8)) ? 1.0f : 0.0f;
        } else if (st->kind == EL_F16) {
            uint16_t h;
            memcpy(&h, v->s.p + (size_t)i * sizeof(h), sizeof(h));
            dst[i] = eng_half_to_float(h);
        } else {
            memcpy(&dst[i], v->s.p + (size_t)i * sizeof(float), sizeof(float));
        }
    }
}

/* v's floats, aligned; *tmp is freed by the caller. */
static const float *floats(const am_state *st, const eng_val *v, float **tmp)
{
    *tmp = NULL;
    if (st->kind == EL_F32 && ((uintptr_t)v->s.p & (sizeof(float) - 1)) == 0)
        return (const float *)(const void *)v->s.p;
    int dim = dims_of(st, v);
    if ((*tmp = mem_alloc((size_t)(dim ? dim : 1) * sizeof(float))))
        widen(st, v, *tmp);
    return *tmp;
}

static int check_dim(const am_state *st, const eng_val *v, pgw_error *err)
{
    int dim = hnsw_dim(st->g), got = dims_of(st, v);
    if (got != dim) {
        pgw_error_set(err, SQLSTATE_DATA_EXCEPTION, "expected %d dimensions, not %d", dim, got);
        return -1;
    }
    return 0;
}

static int hnsw_am_insert(void *state, int64_t label, const eng_val *v, pgw_error *err)
{
    am_state *st = state;
    float *tmp;
    if (check_dim(st, v, err))
        return -1;
    const float *x = floats(st, v, &tmp);
    int rc = x ? hnsw_insert(st->g, label, x, err) : (pgw_error_oom(err), -1);
    mem_free(tmp);
    return rc < 0 ? -1 : rc == HNSW_SKIPPED;
}

/* hnsw_build's progress callback over the access method's: never cancels. */
static int report(void *ctx, size_t done, size_t total)
{
    const eng_am_progress *p = ctx;
    p->report(p->ctx, done, total);
    return 0;
}

static int hnsw_am_build(void *state, const int64_t *labels, const eng_val *vals, size_t n, int nthreads,
                         const eng_am_progress *progress, pgw_error *err)
{
    am_state *st = state;
    size_t dim = (size_t)hnsw_dim(st->g);
    float *all = mem_alloc((n ? n : 1) * dim * sizeof(float));
    if (!all)
        return pgw_error_oom(err), -1;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = check_dim(st, &vals[i], err);
        if (!rc)
            widen(st, &vals[i], all + i * dim);
    }
    if (!rc && n)
        rc = hnsw_build(st->g, all, labels, n, nthreads, progress ? report : NULL, (void *)progress, err) < 0 ? -1
                                                                                                                  : 0;
    mem_free(all);
    return rc;
}

static int hnsw_am_knn(void *state, const eng_val *query, size_t k, const eng_am_scan_opts *o,
                       eng_am_accept_fn accept, void *ctx, eng_am_hit *out, pgw_error *err)
{
    am_state *st = state;
    int dim = hnsw_dim(st->g), got = dims_of(st, query);
    if (got != dim && st->kind == EL_BIT) {
        pgw_error_set(err, SQLSTATE_DATA_EXCEPTION, "different bit lengths %d and %d", dim, got);
        return -1;
    }
    if (got != dim) {
        pgw_error_set(err, SQLSTATE_DATA_EXCEPTION, "different %s dimensions %d and %d", kind_names[st->kind], dim,
                      got);
        return -1;
    }
    hnsw_result *res = mem_alloc((k ? k : 1) * sizeof(*res));
    float *tmp;
    const float *q = floats(st, query, &tmp);
    int n = res && q ? (accept ? hnsw_search_filtered(st->g, q, k, o->ef_search, accept, ctx, res)
                               : hnsw_search(st->g, q, k, o->ef_search, res))
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
    const am_state *st = state;
    return sizeof(*st) + hnsw_memory_bytes(st->g);
}

static int hnsw_am_save(void *state, eng_am_write_fn write, void *ctx, pgw_error *err)
{
    return hnsw_save(((am_state *)state)->g, write, ctx, err) == HNSW_OK ? 0 : -1;
}

/* A graph saved for another definition (never written so, but a file is not trusted) is refused. */
static int hnsw_am_load(const eng_am_def *def, eng_am_read_fn read, void *ctx, size_t len, void **state,
                        pgw_error *err)
{
    hnsw_index *x;
    if (hnsw_load_sized(read, ctx, len, &x, err) != HNSW_OK)
        return -1;
    hnsw_params want;
    hnsw_params_init(&want, (dist_metric)def->opclass->metric, def->typmod);
    if (hnsw_metric(x) != want.metric || hnsw_dim(x) != want.dim) {
        hnsw_free(x);
        pgw_error_set(err, SQLSTATE_DATA_CORRUPTED, "hnsw index image does not match its definition");
        return -1;
    }
    if (!(*state = state_of(def, x))) {
        hnsw_free(x);
        return pgw_error_oom(err), -1;
    }
    return 0;
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
    .save = hnsw_am_save,
    .load = hnsw_am_load,
};
