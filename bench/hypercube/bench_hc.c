/*
 * bench_hc: in-process benchmark of the hypercube mapping and the spatial4d
 * index. Prints a markdown table. Built and run by bench/hypercube/run.sh
 * against build/libhcdb_core.a. Single-threaded; timings are wall clock
 * (CLOCK_MONOTONIC), best of 3 for the short mapping runs.
 *
 * Usage: bench_hc [points (default 1000000)] [queries (default 2000)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/hypercube/hc_map.h"
#include "engine/hypercube/hc_reverse.h"
#include "engine/index/spatial4d.h"
#include "util/mem.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng = 12345;
static double unif(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static void row(const char *what, const char *value)
{
    printf("| %s | %s |\n", what, value);
}

static void bench_mapping(void)
{
    char v[128];
    double t0 = now_s();
    if (hc_map_init() != HC_OK)
        exit(1);
    snprintf(v, sizeof v, "%.1f ms", (now_s() - t0) * 1e3);
    row("rank table build (once, first use)", v);
    static int32_t cps[100000];
    static hc_point out[100000];
    for (int i = 0; i < 100000; i++)
        cps[i] = (int32_t)(((uint32_t)i * 2654435761u) % 0xD800u);
    const int sizes[2] = {10000, 100000};
    for (int s = 0; s < 2; s++) {
        double best = 1e9;
        for (int rep = 0; rep < 3; rep++) {
            t0 = now_s();
            if (hc_map_codepoints(cps, (size_t)sizes[s], out, NULL) != HC_OK)
                exit(1);
            double t = now_s() - t0;
            best = t < best ? t : best;
        }
        snprintf(v, sizeof v, "%.2f ms (%.0f ns each)", best * 1e3, best * 1e9 / sizes[s]);
        char what[64];
        snprintf(what, sizeof what, "%d mappings, hc_map_codepoints", sizes[s]);
        row(what, v);
    }
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        t0 = now_s();
        for (int i = 0; i < 100000; i++)
            if (hc_map_codepoint(cps[i], &out[i]) != HC_OK)
                exit(1);
        double t = now_s() - t0;
        best = t < best ? t : best;
    }
    snprintf(v, sizeof v, "%.2f ms", best * 1e3);
    row("100000 mappings, hc_map_codepoint one by one", v);

    t0 = now_s();
    if (hc_reverse_init() != HC_OK)
        exit(1);
    snprintf(v, sizeof v, "%.0f ms", (now_s() - t0) * 1e3);
    row("reverse index build, 1,112,064 atoms (once)", v);
    int32_t back;
    size_t n = 0;
    t0 = now_s();
    for (int cp = 0; cp <= HC_MAX_CODEPOINT; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        hc_point p;
        if (hc_map_codepoint(cp, &p) != HC_OK || hc_codepoint_from_coords(p.x, p.y, p.z, p.m, &back) != HC_OK ||
            back != cp) {
            fprintf(stderr, "round trip failed at %d\n", cp);
            exit(1);
        }
        n++;
    }
    double t = now_s() - t0;
    snprintf(v, sizeof v, "%.2f s (%.2f us per codepoint, all %zu exact)", t, t * 1e6 / (double)n, n);
    row("round trip map + reverse, every character", v);
}

/* Exact scan: k best by (dist2, id) with a small sorted array. */
static size_t scan_knn(double (*pts)[4], const uint64_t *ids, size_t n, const double q[4], size_t k,
                       s4d_result *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = s4d_dist2(pts[i], q);
        if (m == k && (d > out[k - 1].dist2 || (d == out[k - 1].dist2 && ids[i] > out[k - 1].id)))
            continue;
        size_t j = m < k ? m++ : k - 1;
        while (j > 0 && (out[j - 1].dist2 > d || (out[j - 1].dist2 == d && out[j - 1].id > ids[i]))) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = (s4d_result){ids[i], d};
    }
    return m;
}

static void bench_index(size_t n, size_t queries)
{
    char v[160];
    double (*pts)[4] = malloc(sizeof *pts * n);
    uint64_t *ids = malloc(sizeof *ids * n);
    for (size_t i = 0; i < n; i++) {
        for (int d = 0; d < 4; d++)
            pts[i][d] = unif();
        ids[i] = i;
    }
    s4d_index *x;
    double t0 = now_s();
    if (s4d_build(&x, (const double(*)[4])pts, ids, n) != S4D_OK)
        exit(1);
    snprintf(v, sizeof v, "%.0f ms (height %u, %.0f MB)", (now_s() - t0) * 1e3, s4d_height(x),
             (double)s4d_memory_bytes(x) / 1e6);
    char what[96];
    snprintf(what, sizeof what, "s4d_build, %zu uniform points", n);
    row(what, v);

    double (*q)[4] = malloc(sizeof *q * queries);
    for (size_t i = 0; i < queries; i++)
        for (int d = 0; d < 4; d++)
            q[i][d] = unif();
    s4d_scratch *s = s4d_scratch_create();
    s4d_result r[10], w[10];
    size_t got;
    t0 = now_s();
    for (size_t i = 0; i < queries; i++)
        if (s4d_knn(x, q[i], 10, s, r, &got) != S4D_OK || got != 10)
            exit(1);
    double ti = now_s() - t0;
    snprintf(v, sizeof v, "%.0f queries/s (%.1f us each)", (double)queries / ti, ti * 1e6 / (double)queries);
    row("kNN k=10 with the index", v);

    size_t scanq = queries < 200 ? queries : 200, mismatches = 0;
    t0 = now_s();
    for (size_t i = 0; i < scanq; i++) {
        scan_knn(pts, ids, n, q[i], 10, w);
        if (s4d_knn(x, q[i], 10, s, r, &got) != S4D_OK)
            exit(1);
        for (int j = 0; j < 10; j++)
            mismatches += r[j].id != w[j].id || r[j].dist2 != w[j].dist2;
    }
    double ts = now_s() - t0 - ti * (double)scanq / (double)queries;
    snprintf(v, sizeof v, "%.1f queries/s (%.1f ms each); index == scan on %zu queries: %s", (double)scanq / ts,
             ts * 1e3 / (double)scanq, scanq, mismatches ? "NO" : "yes");
    row("kNN k=10 by exact scan", v);
    snprintf(v, sizeof v, "%.0fx", ((double)queries / ti) / ((double)scanq / ts));
    row("index speed-up over scan", v);

    uint8_t *buf;
    size_t len;
    t0 = now_s();
    if (s4d_save_mem(x, &buf, &len) != S4D_OK)
        exit(1);
    double tsave = now_s() - t0;
    s4d_index *y;
    t0 = now_s();
    if (s4d_load_mem(&y, buf, len) != S4D_OK)
        exit(1);
    snprintf(v, sizeof v, "%.1f MB; save %.0f ms, load %.0f ms", (double)len / 1e6, tsave * 1e3,
             (now_s() - t0) * 1e3);
    row("persist (XXH3-checked stream)", v);
    mem_free(buf);
    s4d_destroy(y);

    size_t ins = 100000;
    t0 = now_s();
    for (size_t i = 0; i < ins; i++) {
        double p[4] = {unif(), unif(), unif(), unif()};
        if (s4d_insert(x, p, n + i) != S4D_OK)
            exit(1);
    }
    double tins = now_s() - t0;
    t0 = now_s();
    for (size_t i = 0; i < ins; i++)
        if (s4d_delete(x, pts[i], ids[i]) != S4D_OK)
            exit(1);
    snprintf(v, sizeof v, "insert %.0f/s, delete %.0f/s", (double)ins / tins, (double)ins / (now_s() - t0));
    row("100,000 inserts then 100,000 deletes", v);
    s4d_scratch_destroy(s);
    s4d_destroy(x);
    free(pts), free(ids), free(q);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    size_t queries = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 2000;
    printf("| measure | result |\n|---|---|\n");
    bench_mapping();
    bench_index(n, queries);
    return 0;
}
