/*
 * syscat: the virtual relations of pg_catalog and information_schema. Each
 * is an eng_table without storage (vrel set, st NULL) whose rows are made
 * from hcdb's live catalog, the function registry and the session when a
 * scan starts, so the binder and executor treat them as tables and they are
 * never stale. Columns, types and relation OIDs are PostgreSQL 15's (a
 * subset of the columns where a type is missing here, e.g. arrays).
 *
 * Names resolve as PostgreSQL's search path does for a superuser's
 * default path: pg_catalog first, then public; information_schema only when
 * named. The table structs are built once (pthread_once) and read-only
 * afterwards; a scan runs under the catalog's read lock, like any scan.
 */
#ifndef HCDB_ENGINE_SYSCAT_H
#define HCDB_ENGINE_SYSCAT_H

#include "engine/catalog.h"

/* Namespace OIDs (PostgreSQL's for pg_catalog; public's, ENG_NS_PUBLIC, is in catalog.h). */
#define ENG_NS_PG_CATALOG 11u
#define ENG_NS_PG_TOAST 99u
#define ENG_NS_INFORMATION_SCHEMA 13000u

/* One session as pg_stat_activity shows it. Strings may be NULL. */
typedef struct eng_activity {
    int32_t pid;
    const char *datname, *usename, *application_name, *client_addr;
    int client_port;            /* -1 = none (Unix socket or unknown) */
    int64_t backend_start;      /* µs since 2000-01-01 UTC; 0 = NULL */
    int64_t xact_start, query_start, state_change;
    const char *state;          /* "active", "idle", "idle in transaction", ... */
    const char *query;
    const char *backend_type;   /* "client backend" */
} eng_activity;

typedef void (*eng_setting_cb)(void *arg, const char *name, const char *value, const char *description);
typedef void (*eng_activity_cb)(void *arg, const eng_activity *a);
typedef void (*eng_role_cb)(void *arg, const char *name, bool superuser, bool login);

/* What the session layer lends the catalog views (env->sys); every
 * callback gets env->ctx first. Any member may be NULL (nothing shown). */
typedef struct eng_sysinfo {
    void (*each_setting)(void *ctx, eng_setting_cb fn, void *arg);
    void (*each_session)(void *ctx, eng_activity_cb fn, void *arg);
    void (*each_role)(void *ctx, eng_role_cb fn, void *arg);
    /* pg_cancel_backend / pg_terminate_backend: 1 signalled, 0 no such pid. */
    int (*signal_backend)(void *ctx, int32_t pid, bool terminate);
    /* pg_reload_conf(): read the server's configuration file again. */
    void (*reload_conf)(void *ctx);
    int64_t start_time;         /* pg_postmaster_start_time(), µs since 2000 */
} eng_sysinfo;

/* The relation a FROM item names: "pg_catalog.x" and "information_schema.x"
 * name only virtual relations, a plain name is looked up in pg_catalog and
 * then among the tables of cat (may be NULL). Under the catalog lock. */
eng_table *eng_rel_find(eng_catalog *cat, const char *relname);
/* The virtual relation of that OID, or NULL. */
eng_table *eng_syscat_by_oid(uint32_t oid);
/* The i-th virtual relation (0-based), NULL past the end. */
eng_table *eng_syscat_at(int i);
/* "pg_catalog" or "information_schema" for a virtual relation. */
const char *eng_syscat_schema(const eng_table *t);

/* Make every row of virtual relation t (ncols values each) in arena a.
 * 0 with *rows / *nrows set, or -1 with c->err filled. */
int eng_syscat_rows(eng_ctx *c, const eng_table *t, arena *a, eng_val ***rows, size_t *nrows)
    __attribute__((warn_unused_result));

#endif
