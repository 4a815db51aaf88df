/*
 * stats: activity counters since the server started, for pg_stat_database,
 * pg_stat_user_tables / _indexes and hcdb's own hcdb_stat_* views.
 *
 * Every counter is a relaxed atomic: writers never lock, readers see each
 * counter exact but the set of them not as one snapshot (PostgreSQL's
 * statistics are not either). Per-relation counters live in the table and
 * index structs (eng_relstat), which the catalog never frees. Scans count
 * rows in their own state and add them here in batches (eng_stat_scan_rows),
 * so a row costs no shared write.
 */
#ifndef HCDB_ENGINE_STATS_H
#define HCDB_ENGINE_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* One table's or one index's counters (pg_stat_user_tables / _indexes columns). */
/* Plain integers updated with the __atomic builtins (relaxed), so that the
 * structs holding them may still be copied as a whole. */
typedef struct eng_relstat {
    uint64_t seq_scan, seq_tup_read;   /* tables */
    uint64_t idx_scan, idx_tup_read;   /* tables: scans through any index; indexes: their own */
    uint64_t n_tup_ins, n_tup_upd, n_tup_del;
    uint64_t search_us;                /* indexes: time in ordered (nearest-first) searches */
    uint64_t build_us;                 /* indexes: the last build's time */
} eng_relstat;

/* The server-wide counters. */
typedef enum eng_stat_id {
    ENG_STAT_XACT_COMMIT,
    ENG_STAT_XACT_ROLLBACK,
    ENG_STAT_TUP_RETURNED,      /* rows read by sequential scans */
    ENG_STAT_TUP_FETCHED,       /* rows fetched through indexes */
    ENG_STAT_TUP_INSERTED,
    ENG_STAT_TUP_UPDATED,
    ENG_STAT_TUP_DELETED,
    ENG_STAT_SESSIONS,          /* sessions established */
    ENG_STAT_STATEMENTS,        /* statements that completed */
    ENG_STAT_ERRORS,            /* statements that ended in an error */
    ENG_STAT_CANCELS,           /* ... of them by a cancel request */
    ENG_STAT_TIMEOUTS,          /* ... of them by statement_timeout */
    ENG_STAT_ROWS_SENT,         /* rows of completed statements sent to clients */
    ENG_STAT_STATEMENT_US,      /* time statements ran, in µs */
    ENG_STAT_VECTOR_SEARCHES,   /* ordered index (HNSW, 4-D) searches */
    ENG_STAT_VECTOR_SEARCH_US,  /* their time in µs */
    ENG_STAT_INDEX_BUILDS,      /* access-method index builds finished */
    ENG_STAT_INDEX_BUILD_US,
    ENG_STAT_COUNT
} eng_stat_id;

void eng_stat_add(eng_stat_id id, uint64_t n);
uint64_t eng_stat_get(eng_stat_id id);

/* A scan started on table t (index ix, or NULL for a sequential scan). */
struct eng_table;
struct eng_index;
void eng_stat_scan_start(const struct eng_table *t, const struct eng_index *ix);
/* n more rows read by that scan (ix NULL: sequentially). */
void eng_stat_scan_rows(const struct eng_table *t, const struct eng_index *ix, uint64_t n);
/* Rows written to t. */
void eng_stat_tup(const struct eng_table *t, eng_stat_id id, uint64_t n);
/* An ordered search of index ix took us microseconds. */
void eng_stat_search(const struct eng_index *ix, uint64_t us);
/* Index ix was built (CREATE INDEX, REINDEX) in us microseconds. */
void eng_stat_build(const struct eng_index *ix, uint64_t us);
/* One counter of a relation, read once. */
uint64_t eng_stat_rel(const uint64_t *counter);

/* Latency histograms (Prometheus-style cumulative buckets, in seconds). */
typedef enum eng_hist_id {
    ENG_HIST_STATEMENT,         /* a statement, from its first Execute to its end */
    ENG_HIST_VECTOR_SEARCH,     /* an ordered index search */
    ENG_HIST_COUNT
} eng_hist_id;

#define ENG_HIST_BUCKETS 16
/* The bucket bounds, in seconds, as PostgreSQL prints a float8[] ("{0.0001,...}"). */
extern const char eng_hist_bounds_text[];

/* One event of us microseconds. */
void eng_stat_observe(eng_hist_id id, uint64_t us);
/* "statement", "vector_search". */
const char *eng_hist_name(eng_hist_id id);
/* Cumulative counts per bound (the last is +Inf's, i.e. the count), and the
 * sum of all events in µs. */
void eng_stat_hist(eng_hist_id id, uint64_t cumulative[ENG_HIST_BUCKETS + 1], uint64_t *sum_us);

/* Monotonic microseconds, for the latency counters. */
uint64_t eng_stat_now_us(void);

#endif
