/*
 * syscat_hcdb: hcdb's own statistics views (hcdb_stat_*), read by the
 * Prometheus exporter through deploy/hcdb-queries.yaml.
 *
 * hcdb_stat_wal: one row of storage counters since the server started.
 * Every WAL flush is one group-commit batch, so group_commit_batches equals
 * fsyncs and records / group_commit_batches is the records per flush
 * (both stay 0 with fsync off). last_checkpoint_age_seconds is NULL until a
 * checkpoint was written or loaded.
 */
#include <sys/time.h>

#include "engine/catalog.h"
#include "engine/syscat_internal.h"
#include "storage/st.h"

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
    return 0;
}
