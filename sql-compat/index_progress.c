/*
 * index_progress: CREATE INDEX ... USING <access method> as a user can watch
 * it: while the build runs, its row is in pg_stat_progress_create_index
 * (engine/progress.h), and each tenth done sends a NOTICE
 * `index "name": 30% built (3000 of 10000 rows)`. A statement that runs on
 * a worker thread delivers its NOTICEs with its result; the view is live.
 */
#include <stdio.h>
#include <string.h>

#include "engine/progress.h"
#include "sql-compat/stmt.h"

typedef struct watch {
    const sql_sink *sink;
    const char *name;
} watch;

/* From a build thread, one call at a time, while the statement's thread waits in the build. */
static void tenth_done(void *ctx, const eng_progress *p, int tenth)
{
    const watch *w = ctx;
    pgw_error n;
    pgw_error_set(&n, "00000", "index \"%s\": %d%% built (%lld of %lld rows)", w->name, tenth * 10,
                  (long long)atomic_load(&p->tuples_done), (long long)atomic_load(&p->tuples_total));
    n.severity = "NOTICE";
    w->sink->notice(w->sink->ctx, &n);
}

int sqlc__add_am_index_watched(sql_portal *p, const sql_sink *sink, eng_table *t, const char *name, int col,
                               const eng_am *am, const eng_am_def *def, int nthreads, pgw_error *err)
{
    watch w = {sink, name};
    eng_progress prog = {.pid = p->s->backend_pid, .relid = t->relid, .ctx = &w};
    if (sink && sink->notice)
        prog.tenth = tenth_done;
    snprintf(prog.datname, sizeof(prog.datname), "%s", p->s->database ? p->s->database : "postgres");
    eng_progress_begin(&prog);
    int rc = eng_catalog_add_am_index(p->s->srv->cat, p->s->stx, p->s->ddl, t, name, col, am, def, nthreads, &prog,
                                      err);
    eng_progress_end(&prog);
    return rc;
}
