/* session: internal view of sql_session for stmt.c and utility.c. */
#ifndef HCDB_SQL_COMPAT_SESSION_H
#define HCDB_SQL_COMPAT_SESSION_H

#include <stdatomic.h>
#include <time.h>

#include "engine/syscat.h"
#include "sql-compat/settings.h"
#include "sql-compat/sql.h"

struct eng_catalog;
struct eng_ddl_log;
struct st_txn;

typedef struct sqlc_sysconf sqlc_sysconf;

struct sql_server {
    sqlc_sysconf *sysconf;    /* ALTER SYSTEM's settings (sysconf.c) */
    sql_role_ops roles;       /* each == NULL: no role store */
    int64_t start_time;       /* pg_postmaster_start_time() */
    char *data_dir;
    char *tmp_dir;            /* a throw-away data directory (tests), removed at free */
    struct eng_catalog *cat;  /* tables and the storage under them */
    bool async_commit;        /* the server's synchronous_commit is off */
    int max_connections;      /* the server's limit (hcdb_stat_server), 0 = unknown */
    bool fsync_off;           /* the server never flushes (SHOW fsync) */
};

struct sql_session {
    sql_server *srv;
    char *user, *database, *server_addr, *client_addr;
    int32_t backend_pid;
    int server_port;
    bool is_superuser;
    char txn;                 /* 'I', 'T', 'E' */
    sqlc_settings *settings;
    atomic_bool cancel;       /* set by any thread, read by the session's */
    atomic_bool terminate;    /* pg_terminate_backend() */
    struct sqlc_act *act;     /* this session in pg_stat_activity */
    eng_sysinfo sys;          /* what the catalog views read through env->sys */
    int64_t txn_ts;           /* now(): start of the block, or of the statement */
    int64_t stmt_ts;
    struct timespec deadline; /* statement_timeout; tv_sec 0 = none */
    void (*waker)(void *ctx); /* wakes a blocked portal; thread-safe */
    void *waker_ctx;
    struct st_txn *stx;       /* the storage transaction, begun lazily; NULL = none */
    bool committing;          /* st_commit answered WOULD_BLOCK */
    struct eng_ddl_log *ddl;  /* undo of this transaction's DDL */
    struct eng_seq_session *seqs; /* currval / lastval memory */
    struct sqlc_parsed **defaults; /* parse trees of column DEFAULTs (sqlc__parse_default) */
    int ndefaults, capdefaults;
    char **sp_names;          /* user savepoints, innermost last */
    int *sp_levels;
    int nsp, capsp;
    char **oc_drop;           /* temporary tables created ON COMMIT DROP in this transaction */
    int noc_drop, capoc_drop;
    uint32_t *oc_delete;      /* relids of temporary tables created ON COMMIT DELETE ROWS */
    int noc_delete, capoc_delete;
    struct sqlc_parse_cache *parses; /* recent statement texts' parse trees */
};

/* Start a statement: drop a stale cancel, arm statement_timeout, stamp times. */
void sqlc__stmt_start(sql_session *s);
/* A statement failed (counted in hcdb_stat_statements.errors): a block goes
 * to 'E'; outside one, its SETs roll back. */
void sqlc__fail(sql_session *s);
/* A statement finished outside a block: its implicit transaction commits. */
void sqlc__stmt_done(sql_session *s);
/* 57014 on cancel or timeout. */
int sqlc__check_interrupts(sql_session *s, pgw_error *err);
/* txn.c: the storage transaction under the session. */
int sqlc__txn_ensure(sql_session *s, pgw_error *err);
/* 0 committed (or nothing to commit), 1 waiting for the WAL flush (call
 * again after the waker), -1 failed (rolled back, err filled). */
int sqlc__txn_commit(sql_session *s, pgw_error *err);
void sqlc__txn_abort(sql_session *s);
int sqlc__savepoint(sql_session *s, const char *name, pgw_error *err);
int sqlc__release(sql_session *s, const char *name, bool rollback, pgw_error *err);
/* A column DEFAULT's text → AST (env->parse_expr). */
struct ast_expr *sqlc__parse_default(void *ctx, arena *a, const char *text, pgw_error *err);
/* messages.c: the sink to run a statement with, dropping the notices below
 * client_min_messages (f is the caller's storage for the wrapper). */
typedef struct sqlc_msg_filter {
    sql_sink sink;
    const sql_sink *inner;
    int min;
} sqlc_msg_filter;
const sql_sink *sqlc__msg_filter(sql_session *s, const sql_sink *sink, sqlc_msg_filter *f);
/* sysconf.c: postgresql.auto.conf in dir; new sessions' defaults from it. */
sqlc_sysconf *sqlc__sysconf_open(const char *dir);
void sqlc__sysconf_free(sqlc_sysconf *c);
void sqlc__sysconf_apply(sqlc_sysconf *c, sqlc_settings *settings);
/* pg_reload_conf(): read the file again (env->sys; session is the caller's). */
void sqlc__sysconf_reload(void *session);
/* catalog_env.c: env->schema and env->public_hidden from search_path. */
void sqlc__search_path(sql_session *s, eng_env *env);
/* catalog_env.c: fill s->sys, what the catalog views read of the server. */
void sqlc__sysinfo_init(sql_session *s);
/* hcdb_backup() for the engine (backup.c): superuser, absolute dest. */
int sqlc__backup(void *ctx, const char *dest, uint64_t *end_lsn, pgw_error *err);
/* The engine's view of the session for one statement. */
void sqlc__env(sql_session *s, eng_env *env);
/* Temporary tables (temp_tables.c): the table a bare name means to s; drop
 * s's own at its end; drop every leftover one at start-up. */
eng_table *sqlc__find_table(sql_session *s, const char *name);
void sqlc__temp_session_end(sql_session *s);
void sqlc__temp_startup(eng_catalog *cat);
/* ON COMMIT DROP: remember a table created in s's transaction; drop them all
 * inside it just before its commit (0 or -1); forget them (rollback, free). */
int sqlc__temp_on_commit_drop(sql_session *s, const char *name, pgw_error *err);
int sqlc__temp_commit_drops(sql_session *s, pgw_error *err);
/* ON COMMIT DELETE ROWS: remember the table for the session; every commit
 * empties those that still exist, inside the committing transaction. */
int sqlc__temp_on_commit_delete(sql_session *s, uint32_t relid, pgw_error *err);
void sqlc__temp_forget_drops(sql_session *s);

#endif
