/*
 * stats: the server-wide counters and the per-relation ones (see stats.h).
 * The relation structs are calloc'ed and never freed before the catalog,
 * so counting through a const pointer writes memory that is not really
 * read-only; the const only says the scan does not change the definition.
 */
#include "engine/stats.h"

#include <time.h>

#include "engine/catalog.h"

/* One cache line each: sessions on different cores bump different counters
 * (commits, rows, statements) without pulling each other's lines. */
static struct {
    _Alignas(64) uint64_t v;
} counters[ENG_STAT_COUNT];

static void bump(const uint64_t *c, uint64_t n)
{
    __atomic_fetch_add((uint64_t *)c, n, __ATOMIC_RELAXED);
}

void eng_stat_add(eng_stat_id id, uint64_t n)
{
    if (id < ENG_STAT_COUNT)
        bump(&counters[id].v, n);
}

uint64_t eng_stat_get(eng_stat_id id)
{
    return id < ENG_STAT_COUNT ? __atomic_load_n(&counters[id].v, __ATOMIC_RELAXED) : 0;
}

uint64_t eng_stat_rel(const uint64_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void eng_stat_scan_start(const eng_table *t, const eng_index *ix)
{
    if (!t || t->vrel)
        return;
    if (ix) {
        bump(&t->stat.idx_scan, 1);
        bump(&ix->stat.idx_scan, 1);
    } else {
        bump(&t->stat.seq_scan, 1);
    }
}

void eng_stat_scan_rows(const eng_table *t, const eng_index *ix, uint64_t n)
{
    if (!t || t->vrel || !n)
        return;
    if (ix) {
        bump(&t->stat.idx_tup_read, n);
        bump(&ix->stat.idx_tup_read, n);
        eng_stat_add(ENG_STAT_TUP_FETCHED, n);
    } else {
        bump(&t->stat.seq_tup_read, n);
        eng_stat_add(ENG_STAT_TUP_RETURNED, n);
    }
}

void eng_stat_tup(const eng_table *t, eng_stat_id id, uint64_t n)
{
    if (!t || t->vrel)
        return;
    const uint64_t *c = id == ENG_STAT_TUP_INSERTED  ? &t->stat.n_tup_ins
                        : id == ENG_STAT_TUP_UPDATED ? &t->stat.n_tup_upd
                        : id == ENG_STAT_TUP_DELETED ? &t->stat.n_tup_del
                                                     : NULL;
    if (!c)
        return;
    bump(c, n);
    eng_stat_add(id, n);
}

void eng_stat_search(const eng_index *ix, uint64_t us)
{
    bump(&ix->stat.search_us, us);
    eng_stat_add(ENG_STAT_VECTOR_SEARCHES, 1);
    eng_stat_add(ENG_STAT_VECTOR_SEARCH_US, us);
    eng_stat_observe(ENG_HIST_VECTOR_SEARCH, us);
}

/* ---- histograms ------------------------------------------------------------ */

const char eng_hist_bounds_text[] =
    "{0.0001,0.00025,0.0005,0.001,0.0025,0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10}";
static const uint64_t bounds_us[ENG_HIST_BUCKETS] = {100,    250,    500,    1000,    2500,    5000,
                                                      10000,  25000,  50000,  100000,  250000,  500000,
                                                      1000000, 2500000, 5000000, 10000000};

/* Per-bucket (not cumulative) counts, the last for events past every bound. */
static struct {
    _Alignas(64) uint64_t bucket[ENG_HIST_BUCKETS + 1];
    uint64_t sum_us;
} hists[ENG_HIST_COUNT];

void eng_stat_observe(eng_hist_id id, uint64_t us)
{
    if (id >= ENG_HIST_COUNT)
        return;
    int b = 0;
    while (b < ENG_HIST_BUCKETS && us > bounds_us[b])
        b++;
    bump(&hists[id].bucket[b], 1);
    bump(&hists[id].sum_us, us);
}

const char *eng_hist_name(eng_hist_id id)
{
    return id == ENG_HIST_STATEMENT ? "statement" : id == ENG_HIST_VECTOR_SEARCH ? "vector_search" : NULL;
}

void eng_stat_hist(eng_hist_id id, uint64_t cumulative[ENG_HIST_BUCKETS + 1], uint64_t *sum_us)
{
    uint64_t run = 0;
    for (int b = 0; b <= ENG_HIST_BUCKETS; b++) {
        run += id < ENG_HIST_COUNT ? eng_stat_rel(&hists[id].bucket[b]) : 0;
        cumulative[b] = run;
    }
    *sum_us = id < ENG_HIST_COUNT ? eng_stat_rel(&hists[id].sum_us) : 0;
}

void eng_stat_build(const eng_index *ix, uint64_t us)
{
    __atomic_store_n((uint64_t *)&ix->stat.build_us, us, __ATOMIC_RELAXED);
    eng_stat_add(ENG_STAT_INDEX_BUILDS, 1);
    eng_stat_add(ENG_STAT_INDEX_BUILD_US, us);
}

uint64_t eng_stat_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
