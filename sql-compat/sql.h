/*
 * sql: the façade through which the server runs SQL. The server knows
 * nothing of SQL text beyond handing it here; sql-compat parses it with
 * libpg_query (PostgreSQL's own grammar), translates the tree into hcdb's
 * AST and hands that to engine/ to bind, plan and execute.
 *
 * Objects and threads:
 *   sql_server  - process-wide state (databases, catalog). Thread-safe.
 *   sql_session - one connection's SQL state: settings (GUCs), transaction
 *                 status, prepared-statement independent. Used only by the
 *                 loop thread that owns the connection, except
 *                 sql_session_cancel(), which any thread may call.
 *   sql_stmt    - one parsed and analysed statement (a Parse message, or one
 *                 statement of a simple Query). Reference-counted: freeing it
 *                 while portals made from it live is allowed.
 *   sql_portal  - a statement bound to parameter values and result formats,
 *                 executed in steps (Execute with a row limit, or pauses the
 *                 server asks for when its output buffer is full).
 *
 * Errors: every fallible call returns 0 on success and -1 with `err` filled
 * (SQLSTATE, PostgreSQL's message, position when there is one). A failure
 * inside an explicit transaction block moves the session to the failed
 * state ('E'); statements other than ROLLBACK / COMMIT then fail with 25P02.
 */
#ifndef HCDB_SQL_COMPAT_SQL_H
#define HCDB_SQL_COMPAT_SQL_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/pgw_error.h"

typedef struct sql_server sql_server;
typedef struct sql_session sql_session;
typedef struct sql_batch sql_batch;
typedef struct sql_stmt sql_stmt;
typedef struct sql_portal sql_portal;

/* ---- server ---------------------------------------------------------- */

/* Storage settings of the server (its configuration). */
typedef struct sql_server_options {
    bool fsync;                    /* false: never flush to disk (tests only) */
    bool synchronous_commit;       /* default of the session setting */
    uint32_t checkpoint_timeout_s; /* 0: storage's default */
    uint64_t max_wal_size;         /* bytes; 0: storage's default */
    uint64_t wal_segment_size;     /* bytes; 0: storage's default */
} sql_server_options;

/* data_dir "" (unit tests): a throw-away directory without fsync.
 * o NULL: the defaults (durable). */
sql_server *sql_server_new(const char *data_dir, const sql_server_options *o, pgw_error *err);
void sql_server_free(sql_server *srv);
/* A consistent copy of the data directory in dest (absent or empty) while
 * the server runs; a server started on dest has exactly the transactions
 * committed before *end_lsn. Blocks (not on a loop thread). */
int sql_server_backup(sql_server *srv, const char *dest, uint64_t *end_lsn, pgw_error *err)
    __attribute__((warn_unused_result));
/* Write a checkpoint now (blocks; not on a loop thread). */
int sql_server_checkpoint(sql_server *srv, pgw_error *err) __attribute__((warn_unused_result));
/* True if a database of that name exists ("postgres" always does). */
bool sql_server_database_exists(sql_server *srv, const char *name);
/* Whether `user` holds CONNECT on the database (directly or through PUBLIC); superusers always. */
bool sql_server_may_connect(sql_server *srv, const char *user, bool superuser, const char *database);

/* ---- session --------------------------------------------------------- */

typedef struct sql_session_info {
    const char *user;        /* authenticated role */
    const char *database;    /* connected database (exists) */
    int32_t backend_pid;     /* pg_backend_pid(), BackendKeyData pid */
    bool is_superuser;
    const char *client_addr; /* peer address text, NULL for none */
    int client_port;
    const char *server_addr; /* local address text */
    int server_port;
} sql_session_info;

sql_session *sql_session_new(sql_server *srv, const sql_session_info *info, pgw_error *err);
void sql_session_free(sql_session *s);

/* Apply a start-up parameter or `-c name=value` option as a session default
 * (application_name, client_encoding, DateStyle, TimeZone, search_path,
 * statement_timeout, ...). Unknown name: 42704; bad value: 22023. */
int sql_session_set_option(sql_session *s, const char *name, const char *value, pgw_error *err)
    __attribute__((warn_unused_result));

/* Calls fn for every setting reported to clients through ParameterStatus
 * (server_version, server_encoding, client_encoding, application_name,
 * DateStyle, IntervalStyle, TimeZone, integer_datetimes,
 * standard_conforming_strings, is_superuser, session_authorization,
 * default_transaction_read_only, in_hot_standby): all of them when `all`,
 * else only those changed since the previous call. */
void sql_session_reports(sql_session *s, bool all,
                         void (*fn)(void *ctx, const char *name, const char *value), void *ctx);

/* 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block. */
char sql_session_txn_status(const sql_session *s);

/* Register the function that wakes a blocked portal (SQL_RUN_BLOCKED). The
 * SQL layer calls wake(ctx) from any thread when the session may go on (a
 * lock it waits for was released, its commit record is durable). wake must
 * be cheap and thread-safe; it is never called after sql_session_free()
 * returns. */
void sql_session_set_waker(sql_session *s, void (*wake)(void *ctx), void *ctx);

/* Ask the statement running on this session to stop with 57014. Any thread.
 * A cancel that arrives while no statement runs is dropped when the next
 * statement starts, as PostgreSQL does. A blocked portal is woken so that
 * its next run fails with 57014. */
void sql_session_cancel(sql_session *s);
/* True once pg_terminate_backend() named this session (it was cancelled
 * and woken too): the server ends it with FATAL 57P01 when idle. */
bool sql_session_terminated(const sql_session *s);
/* The server's role store, for pg_roles / pg_user / pg_authid and CREATE /
 * ALTER / DROP ROLE. Every call may come from any thread. */
typedef struct sql_role_attrs {
    int superuser, login;      /* -1 = leave as is (ALTER), else 0 / 1 */
    const char *password;      /* cleartext or a SCRAM verifier; NULL = leave as is */
    bool clear_password;       /* PASSWORD NULL */
} sql_role_attrs;

typedef struct sql_role_ops {
    void *ctx;
    /* fn(arg, name, superuser, login) for every role */
    void (*each)(void *ctx, void (*fn)(void *arg, const char *name, bool superuser, bool login), void *arg);
    /* 0, or -1 with err: 42710 exists (create), 42704 missing (alter, drop) */
    int (*create)(void *ctx, const char *name, const sql_role_attrs *a, pgw_error *err);
    int (*alter)(void *ctx, const char *name, const sql_role_attrs *a, pgw_error *err);
    int (*drop)(void *ctx, const char *name, pgw_error *err);
} sql_role_ops;

/* Set once, before sessions start; without it only the session's own role
 * is shown and role DDL fails with 0A000. */
void sql_server_set_roles(sql_server *srv, const sql_role_ops *ops);

/* While a portal is BLOCKED: milliseconds until its statement_timeout
 * expires (the server wakes it then, so it fails with 57014), or -1 for
 * no timeout. */
long sql_session_block_timeout_ms(const sql_session *s);

/* ---- parsing ------------------------------------------------------- */

/* Parse a simple-protocol Query string into its statements (zero for an
 * empty or comment-only string). A syntax error anywhere fails the whole
 * string before anything runs (42601 with the position). */
int sql_batch_parse(sql_session *s, const char *text, sql_batch **out, pgw_error *err)
    __attribute__((warn_unused_result));
int sql_batch_count(const sql_batch *b);
/* Analyse statement i. Done one at a time, right before running it, because
 * an earlier statement of the batch may create what a later one names. */
int sql_batch_prepare(sql_batch *b, int i, sql_stmt **out, pgw_error *err)
    __attribute__((warn_unused_result));
void sql_batch_free(sql_batch *b);

/* Parse + analyse one statement for the extended protocol. `param_types`
 * holds the n declared parameter type OIDs (0 = infer from context); more
 * $n than declared are inferred too. More than one statement: 42601
 * "cannot insert multiple commands into a prepared statement". An empty
 * string gives an empty statement (sql_stmt_is_empty). */
int sql_prepare(sql_session *s, const char *text, const uint32_t *param_types, int n,
                sql_stmt **out, pgw_error *err) __attribute__((warn_unused_result));

/* ---- statements ---------------------------------------------------- */

typedef struct sql_column {
    const char *name;   /* "?column?" when PostgreSQL would say so */
    uint32_t table_oid; /* 0 unless a plain table column */
    int16_t attnum;     /* 0 unless a plain table column */
    uint32_t type_oid;
    int16_t typlen;     /* pg_type.typlen: 4 for int4, -1 for text, ... */
    int32_t typmod;     /* -1 = none */
} sql_column;

bool sql_stmt_is_empty(const sql_stmt *st);
int sql_stmt_nparams(const sql_stmt *st);
uint32_t sql_stmt_param_type(const sql_stmt *st, int i);
/* Result columns; 0 for statements that return no rows (NoData). */
int sql_stmt_ncols(const sql_stmt *st);
const sql_column *sql_stmt_column(const sql_stmt *st, int i);
void sql_stmt_free(sql_stmt *st);

/* ---- portals ------------------------------------------------------- */

typedef struct sql_params {
    int n;                         /* number of values */
    const uint8_t *const *values;  /* value bytes (not NUL-terminated) */
    const int32_t *lengths;        /* -1 = NULL */
    const int16_t *formats;        /* Bind's format codes: 0 text, 1 binary */
    int nformats;                  /* 0 = all text, 1 = one code for all, else n */
} sql_params;

/* Bind parameters (NULL = none) and result formats (nformats 0 = all text,
 * 1 = one code for all, else one per column). Wrong parameter count: 08P01;
 * bad parameter text: 22P02; bad binary: 22P03; unknown format code: 22023. */
int sql_bind(sql_session *s, sql_stmt *st, const sql_params *params, const int16_t *result_formats,
             int nformats, sql_portal **out, pgw_error *err) __attribute__((warn_unused_result));

/* One result column value, already in the format Bind asked for. */
typedef struct sql_cell {
    const uint8_t *data;
    int32_t len; /* -1 = NULL */
} sql_cell;

typedef struct sql_sink {
    void *ctx;
    /* One row. Return 0 to go on, 1 to pause after this row (the server's
     * output buffer is full; it resumes with another sql_portal_run). */
    int (*row)(void *ctx, int ncols, const sql_cell *cells);
    /* A NOTICE or WARNING raised while running (severity is set). */
    void (*notice)(void *ctx, const pgw_error *notice);
    /* COPY ... TO STDOUT: called once before the first copy_data, with the
     * overall format (0 text/csv, 1 binary) and the column count. */
    void (*copy_out_begin)(void *ctx, int16_t format, int ncols);
    /* One CopyData payload (a text/csv line with its newline, or binary
     * bytes). Return values as for row(). The server sends CopyDone itself
     * when the portal reports DONE. */
    int (*copy_data)(void *ctx, const uint8_t *data, size_t len);
} sql_sink;

typedef enum sql_run_status {
    SQL_RUN_DONE,      /* finished; sql_portal_tag() holds the command tag */
    SQL_RUN_SUSPENDED, /* max_rows rows sent; more remain (PortalSuspended) */
    SQL_RUN_PAUSED,    /* the sink asked to pause; call sql_portal_run again */
    SQL_RUN_BLOCKED,   /* waiting (a row lock, a WAL flush); never blocks the
                        * calling thread: call sql_portal_run again after the
                        * session's waker fires */
    SQL_RUN_COPY_IN,   /* COPY ... FROM STDIN wants data: the server sends
                        * CopyInResponse (sql_portal_copy_in_format), feeds
                        * CopyData to sql_portal_copy_in, then calls
                        * sql_portal_copy_in_end and runs the portal again
                        * (DONE with tag "COPY n", or an error) */
} sql_run_status;

/* Run until done, until `max_rows` rows (0 = no limit) have been sent by
 * this call, until the sink pauses, or until it must wait (BLOCKED). Statement timeout and cancel end it
 * with 57014. After an error the portal is dead: free it. */
int sql_portal_run(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status,
                   pgw_error *err) __attribute__((warn_unused_result));
/* COPY FROM STDIN: the overall format (0 text/csv, 1 binary) and columns. */
int16_t sql_portal_copy_in_format(const sql_portal *p, int *ncols);
/* One CopyData payload; may hold partial lines (the portal buffers them).
 * A bad row fails the COPY (22P02 / 22P04 with the line number): the
 * server then skips CopyData until CopyDone/CopyFail, and runs nothing more. */
int sql_portal_copy_in(sql_portal *p, const uint8_t *data, size_t len, pgw_error *err)
    __attribute__((warn_unused_result));
/* CopyDone (failed_reason NULL) or CopyFail (the client's reason: the COPY
 * fails with 57014 "COPY from stdin failed: <reason>" on the next run). */
int sql_portal_copy_in_end(sql_portal *p, const char *failed_reason, pgw_error *err)
    __attribute__((warn_unused_result));

/* True when the statement may run for long (pg_sleep, big scans): the
 * server then runs it on a worker thread so its event loop stays free.
 * While it runs there, nothing else touches the session. */
bool sql_portal_wants_worker(const sql_portal *p);

/* The CommandComplete tag ("SELECT 3", "INSERT 0 1", "BEGIN", "SET"). */
const char *sql_portal_tag(const sql_portal *p);
const sql_stmt *sql_portal_stmt(const sql_portal *p);
/* The format code of result column i (0 text, 1 binary). */
int16_t sql_portal_format(const sql_portal *p, int i);
void sql_portal_free(sql_portal *p);

#endif
