/*
 * syscat_hcdb: hcdb's own statistics views (hcdb_stat_*), read by the
 * Prometheus exporter through deploy/hcdb-queries.yaml. Counters run from
 * the server's start; *_seconds columns are totals, so a rate of one over a
 * rate of its count is an average latency.
 *
 * hcdb_stat_wal: one row of storage counters. Every WAL flush is one
 * group-commit batch, so group_commit_batches equals fsyncs and records /
 * group_commit_batches is the records per flush (both stay 0 with fsync
 * off). last_checkpoint_age_seconds is NULL until a checkpoint was written
 * or loaded.
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "engine/catalog.h"
#include "engine/index/am.h"
#include "engine/syscat_internal.h"
#include "storage/st.h"
#include "util/mem.h"

static double seconds(uint64_t us)
{
    return (double)us / 1e6;
}

int eng__fill_stat_wal(eng_vrows *r)
{
    const eng_env *env = r->c->env;
    if (!env || !env->catalog)
        return 0;
    st_stats s;
    st_get_stats(eng_catalog_db(env->catalog), &s);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint64_t now = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
    eng__vrow(r);
    eng__vint(r, (int64_t)s.wal_records);
    eng__vint(r, (int64_t)s.wal_bytes);
    eng__vint(r, (int64_t)s.wal_flushes);
    eng__vint(r, (int64_t)s.wal_flushes);
    eng__vint(r, (int64_t)s.commits);
    eng__vint(r, (int64_t)s.checkpoints);
    if (s.last_checkpoint_us)
        eng__vfloat(r, now > s.last_checkpoint_us ? (double)(now - s.last_checkpoint_us) / 1e6 : 0.0);
    else
        eng__vnull(r);
    eng__vint(r, (int64_t)s.insert_lsn);
    eng__vint(r, (int64_t)s.flushed_lsn);
    eng__vint(r, (int64_t)s.redo_lsn);
    eng__vfloat(r, (double)s.wal_flush_ns / 1e9);
    eng__vfloat(r, (double)s.wal_flush_max_ns / 1e9);
    return 0;
}

int eng__fill_hcdb_server(eng_vrows *r)
{
    const eng_env *env = r->c->env;
    const eng_sysinfo *sys = env ? env->sys : NULL;
    eng__vrow(r);
    if (sys && sys->start_time)
        eng__vfloat(r, seconds((uint64_t)(eng_now_us() - sys->start_time)));
    else
        eng__vnull(r);
    eng__vint(r, eng__sessions_count(r));
    if (sys && sys->max_connections)
        eng__vint(r, sys->max_connections);
    else
        eng__vnull(r);
    eng__vint(r, (int64_t)eng_stat_get(ENG_STAT_SESSIONS));
    eng__vint(r, (int64_t)mem_bytes_in_use());
    return 0;
}

/* ---- sessions by state -------------------------------------------------------- */

static const char *const states[] = {"active", "idle", "idle in transaction", "idle in transaction (aborted)"};
#define NSTATES (sizeof(states) / sizeof(states[0]))

static void count_state(void *arg, const eng_activity *a)
{
    int *counts = arg;
    for (size_t i = 0; i < NSTATES; i++)
        if (a->state && strcmp(a->state, states[i]) == 0)
            counts[i]++;
}

/* Every state has its row, 0 included, so the exporter's series never vanish. */
int eng__fill_hcdb_sessions(eng_vrows *r)
{
    const eng_env *env = r->c->env;
    int counts[NSTATES] = {0};
    if (env && env->sys && env->sys->each_session)
        env->sys->each_session(env->ctx, count_state, counts);
    for (size_t i = 0; i < NSTATES; i++) {
        eng__vrow(r);
        eng__vtext(r, states[i]);
        eng__vint(r, counts[i]);
    }
    return 0;
}

/* ---- statements, vector searches ------------------------------------------------ */

static void counter(eng_vrows *r, eng_stat_id id)
{
    eng__vint(r, (int64_t)eng_stat_get(id));
}

int eng__fill_hcdb_statements(eng_vrows *r)
{
    eng__vrow(r);
    counter(r, ENG_STAT_STATEMENTS);
    counter(r, ENG_STAT_ERRORS);
    counter(r, ENG_STAT_ROWS_SENT);
    counter(r, ENG_STAT_CANCELS);
    counter(r, ENG_STAT_TIMEOUTS);
    eng__vfloat(r, seconds(eng_stat_get(ENG_STAT_STATEMENT_US)));
    counter(r, ENG_STAT_XACT_COMMIT);
    counter(r, ENG_STAT_XACT_ROLLBACK);
    return 0;
}

int eng__fill_hcdb_vector(eng_vrows *r)
{
    eng__vrow(r);
    counter(r, ENG_STAT_VECTOR_SEARCHES);
    eng__vfloat(r, seconds(eng_stat_get(ENG_STAT_VECTOR_SEARCH_US)));
    counter(r, ENG_STAT_INDEX_BUILDS);
    eng__vfloat(r, seconds(eng_stat_get(ENG_STAT_INDEX_BUILD_US)));
    return 0;
}

/* One row per histogram, in the exporter's HISTOGRAM form: the bounds, the
 * cumulative counts per bound, the sum and the count. */
int eng__fill_hcdb_latency(eng_vrows *r)
{
    for (int h = 0; h < ENG_HIST_COUNT; h++) {
        uint64_t cum[ENG_HIST_BUCKETS + 1], sum;
        eng_stat_hist((eng_hist_id)h, cum, &sum);
        char counts[ENG_HIST_BUCKETS * 21 + 3], *p = counts;
        for (int b = 0; b < ENG_HIST_BUCKETS; b++)
            p += sprintf(p, "%c%llu", b ? ',' : '{', (unsigned long long)cum[b]);
        strcpy(p, "}");
        eng__vrow(r);
        eng__vtext(r, eng_hist_name((eng_hist_id)h));
        eng__vtext(r, eng_hist_bounds_text);
        eng__vtext(r, counts);
        eng__vfloat(r, seconds(sum));
        eng__vint(r, (int64_t)cum[ENG_HIST_BUCKETS]);
    }
    return 0;
}

/* ---- every index: kind, size, use ---------------------------------------------- */

static void index_rows(eng_vrows *r, const eng_table *t)
{
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        eng__vrow(r);
        eng__vtext(r, t->name);
        eng__vtext(r, ix->name);
        eng__vtext(r, ix->amx ? eng_amidx_am(ix->amx)->name : "btree");
        eng__vint(r, ix->amx ? (int64_t)eng_amidx_entries(ix->amx) : ix->keys ? (int64_t)eng_keyidx_count(ix->keys) : 0);
        eng__vint(r, eng__index_bytes(t, ix));
        eng__vint(r, (int64_t)eng_stat_rel(&ix->stat.idx_scan));
        eng__vfloat(r, seconds(eng_stat_rel(&ix->stat.search_us)));
        eng__vint(r, (int64_t)eng_stat_rel(&ix->stat.idx_tup_read));
        uint64_t build = eng_stat_rel(&ix->stat.build_us);
        if (build)
            eng__vfloat(r, seconds(build));
        else
            eng__vnull(r);
    }
}

int eng__fill_hcdb_indexes(eng_vrows *r)
{
    return eng__each_table(r, index_rows);
}
