/*
 * The index access-method layer (engine/index/am.h) with the hnsw method:
 * registry and opclass lookup with PostgreSQL's errors, option parsing with
 * pgvector's ranges, the label map (one label per inserted version, row id
 * and value hash kept), bulk build plus inserts, and k-NN with an accept
 * callback that keeps going until k accepted labels are found.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/index/am.h"
#include "engine/index/dist.h"

static eng_val vec(float *x, int dim)
{
    eng_val v = {.null = false};
    v.s.p = (const char *)x;
    v.s.n = (size_t)dim * sizeof(float);
    return v;
}

static const eng_am *hnsw(void)
{
    const eng_am *am = eng_am_find("hnsw");
    cr_assert_not_null(am);
    return am;
}

Test(am, registry_and_opclasses)
{
    pgw_error err;
    cr_assert_null(eng_am_find("ivfflat"));
    const eng_am_opclass *o = eng_am_opclass_for(hnsw(), NULL, OID_VECTOR, "vector", &err);
    cr_assert_str_eq(o->name, "vector_l2_ops");
    cr_assert_str_eq(o->order_op, "<->");
    o = eng_am_opclass_for(hnsw(), "vector_cosine_ops", OID_VECTOR, "vector", &err);
    cr_assert_str_eq(o->order_op, "<=>");
    cr_assert_eq(o->metric, DIST_COSINE);
    cr_assert_null(eng_am_opclass_for(hnsw(), "nope_ops", OID_VECTOR, "vector", &err));
    cr_assert_str_eq(err.sqlstate, "42704");
    cr_assert_null(eng_am_opclass_for(hnsw(), NULL, OID_INT4, "integer", &err));
    cr_assert_str_eq(err.message, "data type integer has no default operator class for access method \"hnsw\"");
    cr_assert_null(eng_am_opclass_for(hnsw(), "vector_ip_ops", OID_INT4, "integer", &err));
    cr_assert_str_eq(err.sqlstate, "42804");
}

Test(am, options)
{
    pgw_error err;
    eng_am_def def = {.typmod = 3};
    def.opclass = eng_am_opclass_for(hnsw(), NULL, OID_VECTOR, "vector", &err);
    eng_am_option ok[] = {{"m", "8"}, {"EF_CONSTRUCTION", " 20 "}};
    cr_assert_eq(hnsw()->define(&def, ok, 2, &err), 0);
    cr_assert_eq(def.opt[0], 8);
    cr_assert_eq(def.opt[1], 20);
    char text[64];
    hnsw()->describe(&def, text, sizeof(text));
    cr_assert_str_eq(text, "m='8', ef_construction='20'");
    struct {
        eng_am_option o;
        const char *message;
    } bad[] = {
        {{"m", "1"}, "value 1 out of bounds for option \"m\""},
        {{"m", "1.5"}, "invalid value for integer option \"m\": 1.5"},
        {{"ef_construction", "1001"}, "value 1001 out of bounds for option \"ef_construction\""},
        {{"lists", "3"}, "unrecognized parameter \"lists\""},
        {{"m", "50"}, "ef_construction must be greater than or equal to 2 * m"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(hnsw()->define(&def, &bad[i].o, 1, &err), -1);
        cr_assert_str_eq(err.sqlstate, "22023");
        cr_assert_str_eq(err.message, bad[i].message);
    }
    def.typmod = -1;
    cr_assert_eq(hnsw()->define(&def, NULL, 0, &err), -1);
    cr_assert_str_eq(err.message, "column does not have dimensions");
}

/* Accepts only odd row ids; counts its calls. */
static bool odd_rows(void *ctx, int64_t label)
{
    eng_amidx *x = ctx;
    uint64_t rowid, hash;
    eng_amidx_entry(x, label, &rowid, &hash);
    return rowid % 2 == 1;
}

Test(am, build_insert_and_accepting_knn)
{
    pgw_error err;
    eng_am_def def = {.typmod = 2};
    def.opclass = eng_am_opclass_for(hnsw(), NULL, OID_VECTOR, "vector", &err);
    cr_assert_eq(hnsw()->define(&def, NULL, 0, &err), 0);
    eng_amidx *x = eng_amidx_new(hnsw(), &def, &err);
    cr_assert_not_null(x);
    enum { N = 500 };
    static float pts[N + 1][2];
    uint64_t ids[N];
    eng_val vals[N];
    for (int i = 0; i < N; i++) {
        pts[i][0] = (float)i;
        pts[i][1] = (float)(i % 7);
        ids[i] = (uint64_t)i * 10 + (uint64_t)(i % 2); /* odd row id exactly for odd i */
        vals[i] = vec(pts[i], 2);
    }
    cr_assert_eq(eng_amidx_build(x, ids, vals, N, 2, NULL, &err), 0);
    /* a new version of row 1000001 with its own label, and a NULL (not indexed) */
    pts[N][0] = 250.5f;
    pts[N][1] = 0.0f;
    eng_val nv = vec(pts[N], 2), null = {.null = true};
    cr_assert_eq(eng_amidx_insert(x, 1000001, &nv, &err), 0);
    cr_assert_eq(eng_amidx_insert(x, 7, &null, &err), 0);
    cr_assert_eq(eng_amidx_entries(x), N + 1);
    uint64_t rowid, hash;
    eng_amidx_entry(x, N, &rowid, &hash);
    cr_assert_eq(rowid, 1000001);
    cr_assert_eq(hash, eng_amidx_hash(&nv));

    char def_text[128];
    eng_amidx_indexdef(x, "emb", def_text, sizeof(def_text));
    cr_assert_str_eq(def_text, "hnsw (emb)");
    float qx[2] = {250.4f, 0.0f};
    eng_val q = vec(qx, 2);
    eng_am_hit hits[20];
    eng_am_scan_opts o = {ENG_AM_DEFAULT_EF_SEARCH};
    cr_assert_eq(eng_amidx_knn(x, &q, 1, &o, NULL, NULL, hits, &err), 1);
    cr_assert_eq(hits[0].label, N);
    cr_assert_float_eq(hits[0].distance, 0.1, 1e-4);
    /* only odd rows: 20 of them, nearest first, all odd */
    int n = eng_amidx_knn(x, &q, 20, &o, odd_rows, x, hits, &err);
    cr_assert_eq(n, 20);
    for (int i = 0; i < n; i++) {
        cr_assert(odd_rows(x, hits[i].label));
        cr_assert(i == 0 || hits[i].distance >= hits[i - 1].distance);
    }
    float wrong[3] = {1, 2, 3};
    eng_val w = vec(wrong, 3);
    cr_assert_eq(eng_amidx_knn(x, &w, 1, &o, NULL, NULL, hits, &err), -1);
    cr_assert_str_eq(err.message, "different vector dimensions 2 and 3");
    cr_assert_eq(eng_amidx_insert(x, 9, &w, &err), -1);
    cr_assert_str_eq(err.message, "expected 2 dimensions, not 3");
    cr_assert_gt(eng_amidx_memory(x), (size_t)N * 2 * sizeof(float));
    eng_amidx_free(x);
}

/* What a build reported: calls, and the last done / total. */
typedef struct seen {
    int calls;
    size_t done, total;
} seen;

static void on_progress(void *ctx, size_t done, size_t total)
{
    seen *s = ctx;
    cr_assert_geq(done, s->done); /* never backwards */
    s->calls++;
    s->done = done;
    s->total = total;
}

Test(am, label_map_across_chunks)
{
    pgw_error err;
    eng_am_def def = {.typmod = 1};
    def.opclass = eng_am_opclass_for(hnsw(), "vector_l1_ops", OID_VECTOR, "vector", &err);
    eng_am_option m[] = {{"m", "4"}};
    cr_assert_eq(hnsw()->define(&def, m, 1, &err), 0);
    eng_amidx *x = eng_amidx_new(hnsw(), &def, &err);
    char def_text[128];
    eng_amidx_indexdef(x, "v", def_text, sizeof(def_text));
    cr_assert_str_eq(def_text, "hnsw (v vector_l1_ops) WITH (m='4')");
    enum { N = 5000 };
    static float v[N];
    static uint64_t ids[N];
    static eng_val vals[N];
    for (int i = 0; i < N; i++) {
        v[i] = (float)i;
        ids[i] = 1000000 + (uint64_t)i;
        vals[i] = vec(&v[i], 1);
    }
    /* 3,000 in bulk, the rest one by one: labels cross the 1 Ki, 2 Ki and 4 Ki chunks */
    seen s = {0};
    eng_am_progress watch = {on_progress, &s};
    cr_assert_eq(eng_amidx_build(x, ids, vals, 3000, 1, &watch, &err), 0);
    cr_assert_eq(s.calls, 10); /* one per tenth */
    cr_assert_eq(s.done, 3000);
    cr_assert_eq(s.total, 3000);
    for (int i = 3000; i < N; i++)
        cr_assert_eq(eng_amidx_insert(x, ids[i], &vals[i], &err), 0);
    for (int i = 0; i < N; i += 97) {
        uint64_t rowid, hash;
        eng_amidx_entry(x, i, &rowid, &hash);
        cr_assert_eq(rowid, ids[i]);
        cr_assert_eq(hash, eng_amidx_hash(&vals[i]));
    }
    float q = 4321.2f;
    eng_val qv = vec(&q, 1);
    eng_am_hit hit;
    eng_am_scan_opts o = {ENG_AM_DEFAULT_EF_SEARCH};
    cr_assert_eq(eng_amidx_knn(x, &qv, 1, &o, NULL, NULL, &hit, &err), 1);
    cr_assert_eq(hit.label, 4321);
    eng_amidx_free(x);
}
