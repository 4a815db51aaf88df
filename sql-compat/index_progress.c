/*
 * index_progress: CREATE INDEX ... USING <access method> as a user can watch
 * it: while the build runs, its row is in pg_stat_progress_create_index
 * (engine/progress.h), and each tenth done sends a NOTICE
 * `index "name": 30% built (3000 of 10000 rows)`. A statement that runs on
 * a worker thread delivers its NOTICEs with its result; the view is live.
 * The build holds only the catalog's read lock (see build_and_attach).
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

/* Build under the catalog's read lock, so that every statement goes on meanwhile (the
 * pg_stat_progress_create_index row can be read), then take the caller's write lock back
 * to attach. A DDL statement that changed the table or took the name meanwhile makes it
 * fail, as PostgreSQL's lock would have made that statement wait instead. */
static int build_and_attach(sql_portal *p, eng_table *t, const char *name, int col, const eng_am *am,
                            const eng_am_def *def, int nthreads, eng_progress *prog, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    eng_am_build *b = NULL;
    eng_catalog_unlock(cat);
    eng_catalog_rdlock(cat);
    int rc = t->dropped ? 1 : eng_catalog_am_build(p->s->stx, t, name, col, am, def, nthreads, prog, &b, err);
    eng_catalog_unlock(cat);
    eng_catalog_wrlock(cat);
    if (rc < 0)
        return -1;
    if (rc > 0 || t->dropped) {
        eng_am_build_free(b);
        pgw_error_set(err, SQLSTATE_SERIALIZATION_FAILURE,
                      "could not create index \"%s\": table \"%s\" was altered or dropped meanwhile", name, t->name);
        return -1;
    }
    if (sqlc__relname_taken(cat, name)) {
        eng_am_build_free(b);
        pgw_error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
        return -1;
    }
    return eng_catalog_am_attach(cat, p->s->stx, p->s->ddl, b, err);
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
    int rc = build_and_attach(p, t, name, col, am, def, nthreads, &prog, err);
    eng_progress_end(&prog);
    return rc;
}
