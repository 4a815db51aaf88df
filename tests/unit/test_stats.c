/* test_stats: the activity counters and latency histograms behind
 * pg_stat_* and hcdb_stat_* (engine/stats.c). Criterion runs every test in
 * a fresh process, so each starts from zero. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "engine/catalog.h"
#include "engine/stats.h"

Test(stats, bucket_bounds_are_inclusive_upper_limits)
{
    eng_stat_observe(ENG_HIST_VECTOR_SEARCH, 100);      /* exactly 0.0001 s: le="0.0001" */
    eng_stat_observe(ENG_HIST_VECTOR_SEARCH, 101);      /* just above: the next bucket */
    eng_stat_observe(ENG_HIST_VECTOR_SEARCH, 20000000); /* 20 s: past every bound, +Inf only */
    uint64_t cum[ENG_HIST_BUCKETS + 1], sum;
    eng_stat_hist(ENG_HIST_VECTOR_SEARCH, cum, &sum);
    cr_assert_eq(cum[0], 1);
    cr_assert_eq(cum[1], 2);
    cr_assert_eq(cum[ENG_HIST_BUCKETS - 1], 2, "10 s bound");
    cr_assert_eq(cum[ENG_HIST_BUCKETS], 3, "+Inf is the count");
    cr_assert_eq(sum, 100 + 101 + 20000000);
    eng_stat_hist(ENG_HIST_STATEMENT, cum, &sum);
    cr_assert_eq(cum[ENG_HIST_BUCKETS], 0, "histograms are separate");
}

Test(stats, bounds_text_lists_every_bucket)
{
    int commas = 0;
    for (const char *p = eng_hist_bounds_text; *p; p++)
        commas += *p == ',';
    cr_assert_eq(commas + 1, ENG_HIST_BUCKETS);
    cr_assert_str_eq(eng_hist_name(ENG_HIST_STATEMENT), "statement");
    cr_assert_str_eq(eng_hist_name(ENG_HIST_VECTOR_SEARCH), "vector_search");
}

Test(stats, scans_count_per_table_index_and_database)
{
    eng_table t;
    eng_index ix;
    memset(&t, 0, sizeof(t));
    memset(&ix, 0, sizeof(ix));
    eng_stat_scan_start(&t, NULL);
    eng_stat_scan_rows(&t, NULL, 7);
    eng_stat_scan_start(&t, &ix);
    eng_stat_scan_rows(&t, &ix, 2);
    eng_stat_tup(&t, ENG_STAT_TUP_INSERTED, 3);
    eng_stat_tup(&t, ENG_STAT_TUP_DELETED, 1);
    cr_assert_eq(eng_stat_rel(&t.stat.seq_scan), 1);
    cr_assert_eq(eng_stat_rel(&t.stat.seq_tup_read), 7);
    cr_assert_eq(eng_stat_rel(&t.stat.idx_scan), 1);
    cr_assert_eq(eng_stat_rel(&ix.stat.idx_scan), 1);
    cr_assert_eq(eng_stat_rel(&ix.stat.idx_tup_read), 2);
    cr_assert_eq(eng_stat_rel(&t.stat.n_tup_ins), 3);
    cr_assert_eq(eng_stat_rel(&t.stat.n_tup_del), 1);
    cr_assert_eq(eng_stat_get(ENG_STAT_TUP_RETURNED), 7);
    cr_assert_eq(eng_stat_get(ENG_STAT_TUP_FETCHED), 2);
    cr_assert_eq(eng_stat_get(ENG_STAT_TUP_INSERTED), 3);
    cr_assert_eq(eng_stat_get(ENG_STAT_TUP_DELETED), 1);
    cr_assert_eq(eng_stat_get(ENG_STAT_COUNT), 0, "an id past the end reads 0");
}

static eng_table shared_table;

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100000; i++) {
        eng_stat_tup(&shared_table, ENG_STAT_TUP_UPDATED, 1);
        eng_stat_add(ENG_STAT_STATEMENTS, 1);
    }
    return NULL;
}

Test(stats, concurrent_adds_are_not_lost)
{
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, writer, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(eng_stat_rel(&shared_table.stat.n_tup_upd), 400000);
    cr_assert_eq(eng_stat_get(ENG_STAT_STATEMENTS), 400000);
}
