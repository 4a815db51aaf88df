/*
 * value: how the engine holds one SQL value while it evaluates expressions,
 * and the per-evaluation context (memory, error, session environment).
 *
 * A value's type is never stored in the value: bound expressions carry
 * static types, so an eng_val is just the payload. Variable-length payloads
 * (text, bytea, numeric) point into an arena that outlives the value's use:
 * the statement arena for constants, the row arena for computed values.
 * Single-threaded: an eng_ctx belongs to the portal that runs it.
 */
#ifndef HCDB_ENGINE_VALUE_H
#define HCDB_ENGINE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/pgw_error.h"
#include "util/arena.h"

/* PostgreSQL type OIDs (pg_type.oid), so RowDescription carries real ones. */
#define OID_BOOL 16u
#define OID_BYTEA 17u
#define OID_CHAR 18u
#define OID_NAME 19u
#define OID_INT8 20u
#define OID_INT2 21u
#define OID_INT4 23u
#define OID_TEXT 25u
#define OID_OID 26u
#define OID_REGPROC 24u
#define OID_REGCLASS 2205u
#define OID_REGTYPE 2206u
#define OID_REGNAMESPACE 4089u
#define OID_UUID 2950u
#define OID_BIT 1560u
#define OID_VARBIT 1562u
#define OID_FLOAT4 700u
#define OID_FLOAT8 701u
#define OID_UNKNOWN 705u
#define OID_BPCHAR 1042u
#define OID_VARCHAR 1043u
#define OID_DATE 1082u
#define OID_TIMESTAMP 1114u
#define OID_TIMESTAMPTZ 1184u
#define OID_INTERVAL 1186u
#define OID_NUMERIC 1700u
#define OID_ANY 2276u
#define OID_ANYELEMENT 2283u
#define OID_VOID 2278u
#define OID_ANYNONARRAY 2776u
/* pgvector's vector: PostgreSQL assigns its OID at CREATE EXTENSION time;
 * hcdb fixes it at 16385 (the user range starts at 16384), so clients that
 * look the type up by name (pg_type) or hard-code it see one stable value. */
#define OID_VECTOR 16385u
/* hcdb's 4-D point type `hypercube`, fixed the same way. */
#define OID_HYPERCUBE 16390u
/* pgvector's halfvec, fixed beside them. */
#define OID_HALFVEC 16391u

typedef struct eng_num eng_num;

typedef struct eng_interval {
    int64_t us;     /* time part in microseconds */
    int32_t days;
    int32_t months;
} eng_interval;

typedef struct eng_val {
    bool null;
    union {
        int64_t i;      /* bool, int2/4/8, oid, date (days), timestamp[tz] (µs since 2000-01-01) */
        double f;       /* float4, float8 */
        struct {
            const char *p;
            size_t n;
        } s;            /* text-like and bytea bytes, not NUL-terminated */
        const eng_num *num;
        eng_interval iv;
    };
} eng_val;

/* What the session lends the engine for one statement: values read once at
 * its start, and callbacks for the few functions that reach back into
 * session state (current_setting, set_config, interrupts). */
typedef struct eng_env {
    void *ctx;
    /* Current value of a setting; NULL with err filled when unknown (or NULL
     * without error when missing_ok). */
    const char *(*get_setting)(void *ctx, const char *name, bool missing_ok, pgw_error *err);
    /* Set a setting as SET / SET LOCAL would; returns the new shown value. */
    const char *(*set_setting)(void *ctx, const char *name, const char *value, bool is_local,
                               pgw_error *err);
    /* 0, or -1 with 57014 when cancelled or past statement_timeout. */
    int (*check_interrupts)(void *ctx, pgw_error *err);
    int extra_float_digits;
    int32_t tz_offset_s;     /* TimeZone as a fixed offset east of UTC */
    int64_t txn_ts;          /* transaction start, µs since 2000-01-01 UTC */
    int64_t stmt_ts;         /* statement start */
    const char *user;
    bool superuser;          /* the session's role passes every privilege check */
    const char *database;
    const char *schema;      /* current_schema(): the first schema of search_path that exists, or NULL */
    bool public_hidden;      /* search_path leaves public out: bare names do not find its tables */
    int32_t backend_pid;
    int server_port;         /* 0 = unknown (inet_server_port() is NULL) */
    const char *server_addr, *client_addr; /* NULL = unknown (inet_*_addr() is NULL) */
    struct eng_catalog *catalog; /* tables; NULL = none (expression-only tests) */
    struct st_txn *txn;      /* the statement's storage transaction, set when it runs */
    struct eng_seq_session *seqs; /* the session's currval / lastval memory; NULL = no sequences */
    /* Parse a column DEFAULT's SQL text into an expression AST in `a`. */
    struct ast_expr *(*parse_expr)(void *ctx, arena *a, const char *text, pgw_error *err);
    const struct eng_sysinfo *sys; /* sessions, settings, roles for the catalog views (syscat.h); may be NULL */
    /* hcdb_backup(): copy the data directory to dest; NULL = not available. */
    int (*backup)(void *ctx, const char *dest, uint64_t *end_lsn, pgw_error *err);
} eng_env;

/* The rows of the enclosing queries while a subquery runs (correlation). */
typedef struct eng_outer {
    const struct eng_val *row; /* a FROM row of that query, NULL when it has none */
    const struct eng_outer *up;
} eng_outer;

typedef struct eng_ctx {
    arena *mem;              /* where results of this evaluation live */
    pgw_error *err;
    const eng_env *env;
    const eng_val *params;   /* bound parameter values ($1 is params[0]) */
    int nparams;
    int depth;               /* recursion guard, see ENG_MAX_DEPTH */
    const eng_outer *outer;  /* enclosing queries' rows, innermost first; NULL at top level */
    struct eng_subcache *subcache; /* results of uncorrelated subqueries for this run, or NULL */
} eng_ctx;

/* Deepest expression nesting any recursive pass (translate, bind, eval)
 * accepts. libpg_query's own tree output needs ~2 kB of stack per level,
 * so sql-compat refuses deeper text before parsing; this is the same bound
 * for hcdb's own recursion. */
#define ENG_MAX_DEPTH 1000

/* Microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch). */
int64_t eng_now_us(void);

/* Fill err with "stack depth limit exceeded" (54001), PostgreSQL's text. */
void eng_err_depth(pgw_error *err);

#endif
