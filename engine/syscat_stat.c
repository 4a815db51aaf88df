/*
 * syscat_stat: PostgreSQL's statistics views (pg_stat_database, _user_tables,
 * _user_indexes, pg_statio_user_tables, pg_stat_bgwriter, pg_stat_archiver,
 * pg_stat_wal, pg_stat_database_conflicts, pg_locks) from the counters of
 * stats.h and storage's st_stats.
 *
 * What hcdb has no equivalent of reads 0 rather than NULL where PostgreSQL
 * shows a number (block reads: every block is in memory; archiving, recovery
 * conflicts and temporary files: there are none), so monitoring that sums
 * or rates these columns works unchanged. pg_locks is empty: row locks live
 * in storage's version chains, not in a lock table a view could list.
 */
#include <string.h>

#include "engine/syscat_internal.h"
#include "storage/st.h"

/* The database every statistics row is about: hcdb serves one. */
#define STAT_DATID 5

static const char *db_name(eng_vrows *r)
{
    return r->c->env && r->c->env->database ? r->c->env->database : "postgres";
}

static void zeros(eng_vrows *r, int n)
{
    for (int i = 0; i < n; i++)
        eng__vint(r, 0);
}

static void nulls(eng_vrows *r, int n)
{
    for (int i = 0; i < n; i++)
        eng__vnull(r);
}

static int64_t start_time(eng_vrows *r)
{
    const eng_env *env = r->c->env;
    return env && env->sys ? env->sys->start_time : 0;
}

static void storage_stats(eng_vrows *r, st_stats *s)
{
    memset(s, 0, sizeof(*s));
    if (r->c->env && r->c->env->catalog)
        st_get_stats(eng_catalog_db(r->c->env->catalog), s);
}

/* ---- tables and indexes ------------------------------------------------------ */

static void stat_table_row(eng_vrows *r, const eng_table *t)
{
    const eng_relstat *s = &t->stat;
    uint64_t ins = eng_stat_rel(&s->n_tup_ins), upd = eng_stat_rel(&s->n_tup_upd), del = eng_stat_rel(&s->n_tup_del);
    eng__vrow(r);
    eng__vint(r, t->relid);
    eng__vtext(r, "public");
    eng__vtext(r, t->name);
    eng__vint(r, (int64_t)eng_stat_rel(&s->seq_scan));
    eng__vint(r, (int64_t)eng_stat_rel(&s->seq_tup_read));
    eng__vint(r, (int64_t)eng_stat_rel(&s->idx_scan));
    eng__vint(r, (int64_t)eng_stat_rel(&s->idx_tup_read));
    eng__vint(r, (int64_t)ins);
    eng__vint(r, (int64_t)upd);
    eng__vint(r, (int64_t)del);
    eng__vint(r, 0);                               /* n_tup_hot_upd: no HOT */
    eng__vint(r, t->st ? (int64_t)st_table_count_approx(t->st) : 0);
    eng__vint(r, 0);                               /* n_dead_tup: versions are reclaimed by storage */
    eng__vint(r, (int64_t)(ins + upd + del));      /* n_mod_since_analyze: there is no ANALYZE */
    eng__vint(r, (int64_t)ins);                    /* n_ins_since_vacuum: there is no VACUUM */
    nulls(r, 4);
    zeros(r, 4);
}

int eng__fill_stat_user_tables(eng_vrows *r)
{
    return eng__each_table(r, stat_table_row);
}

static void stat_index_rows(eng_vrows *r, const eng_table *t)
{
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        uint64_t read = eng_stat_rel(&ix->stat.idx_tup_read);
        eng__vrow(r);
        eng__vint(r, t->relid);
        eng__vint(r, ix->relid);
        eng__vtext(r, "public");
        eng__vtext(r, t->name);
        eng__vtext(r, ix->name);
        eng__vint(r, (int64_t)eng_stat_rel(&ix->stat.idx_scan));
        eng__vint(r, (int64_t)read);
        eng__vint(r, (int64_t)read); /* idx_tup_fetch: every entry read leads to its row */
    }
}

int eng__fill_stat_user_indexes(eng_vrows *r)
{
    return eng__each_table(r, stat_index_rows);
}

static void statio_row(eng_vrows *r, const eng_table *t)
{
    eng__vrow(r);
    eng__vint(r, t->relid);
    eng__vtext(r, "public");
    eng__vtext(r, t->name);
    zeros(r, 4); /* every block is in memory: no reads, and hits are not counted by block */
}

int eng__fill_statio_user_tables(eng_vrows *r)
{
    return eng__each_table(r, statio_row);
}

/* ---- the database ------------------------------------------------------------ */

static void count_session(void *arg, const eng_activity *a)
{
    (void)a;
    (*(int *)arg)++;
}

int eng__sessions_count(eng_vrows *r)
{
    const eng_env *env = r->c->env;
    int n = 0;
    if (env && env->sys && env->sys->each_session)
        env->sys->each_session(env->ctx, count_session, &n);
    return n;
}

static void counter(eng_vrows *r, eng_stat_id id)
{
    eng__vint(r, (int64_t)eng_stat_get(id));
}

int eng__fill_stat_database(eng_vrows *r)
{
    eng__vrow(r);
    eng__vint(r, STAT_DATID);
    eng__vtext(r, db_name(r));
    eng__vint(r, eng__sessions_count(r));
    counter(r, ENG_STAT_XACT_COMMIT);
    counter(r, ENG_STAT_XACT_ROLLBACK);
    zeros(r, 2);                                   /* blks_read, blks_hit */
    counter(r, ENG_STAT_TUP_RETURNED);
    counter(r, ENG_STAT_TUP_FETCHED);
    counter(r, ENG_STAT_TUP_INSERTED);
    counter(r, ENG_STAT_TUP_UPDATED);
    counter(r, ENG_STAT_TUP_DELETED);
    zeros(r, 5);                                   /* conflicts .. checksum_failures */
    eng__vnull(r);                                 /* checksum_last_failure */
    for (int i = 0; i < 5; i++)
        eng__vfloat(r, 0.0);                       /* blk_*_time, session times (not tracked) */
    counter(r, ENG_STAT_SESSIONS);
    zeros(r, 3);                                   /* sessions abandoned, fatal, killed */
    eng__vnull(r);                                 /* stats_reset: never reset */
    return 0;
}

int eng__fill_stat_database_conflicts(eng_vrows *r)
{
    eng__vrow(r);
    eng__vint(r, STAT_DATID);
    eng__vtext(r, db_name(r));
    zeros(r, 5); /* recovery conflicts happen only on standbys */
    return 0;
}

/* ---- checkpoints, WAL, archiving -------------------------------------------------- */

int eng__fill_stat_bgwriter(eng_vrows *r)
{
    st_stats s;
    storage_stats(r, &s);
    eng__vrow(r);
    eng__vint(r, (int64_t)s.checkpoints);          /* checkpoints_timed: storage does not tell requested ones apart */
    eng__vint(r, 0);
    eng__vfloat(r, 0.0);
    eng__vfloat(r, 0.0);
    zeros(r, 6);                                   /* buffers: there is no shared buffer pool */
    eng__vint(r, start_time(r));
    return 0;
}

int eng__fill_stat_archiver(eng_vrows *r)
{
    eng__vrow(r);
    eng__vint(r, 0);
    nulls(r, 2);
    eng__vint(r, 0);
    nulls(r, 2);
    eng__vint(r, start_time(r));
    return 0;
}

int eng__fill_pg_stat_wal(eng_vrows *r)
{
    st_stats s;
    storage_stats(r, &s);
    eng__vrow(r);
    eng__vint(r, (int64_t)s.wal_records);
    eng__vint(r, 0);                               /* wal_fpi: no full-page images */
    eng__vnum(r, (int64_t)s.wal_bytes);
    eng__vint(r, 0);                               /* wal_buffers_full */
    eng__vint(r, (int64_t)s.wal_flushes);          /* wal_write: one write per flushed group */
    eng__vint(r, (int64_t)s.wal_flushes);
    eng__vfloat(r, 0.0);
    eng__vfloat(r, (double)s.wal_flush_ns / 1e6);  /* wal_sync_time, ms */
    eng__vint(r, start_time(r));
    return 0;
}

int eng__fill_locks(eng_vrows *r)
{
    (void)r;
    return 0;
}
