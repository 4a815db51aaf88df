/*
 * progress: index builds a user can watch, as PostgreSQL and pgvector show
 * them: one row per running CREATE INDEX in pg_stat_progress_create_index
 * (phase "initializing", then "building index: loading tuples" with
 * tuples_done / tuples_total, as pgvector's HNSW build reports), and an
 * optional callback per tenth done (the session turns it into a NOTICE).
 *
 * The statement's thread owns an eng_progress: it registers it, passes it
 * down to the build, and unregisters it before it goes out of scope. Build
 * threads update it through eng_progress_report (serialized by the build);
 * any session's thread reads the list under its mutex.
 */
#ifndef HCDB_ENGINE_PROGRESS_H
#define HCDB_ENGINE_PROGRESS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct eng_progress {
    int32_t pid;                      /* the building session's backend pid */
    char datname[64];
    uint32_t relid, index_relid;      /* the table's and the new index's pg_class OIDs */
    _Atomic(const char *) phase;      /* a static string */
    _Atomic int64_t tuples_total, tuples_done;
    /* Called with the tenth reached (1..10); may be NULL. From a build thread, one call at a time. */
    void (*tenth)(void *ctx, const struct eng_progress *p, int tenth);
    void *ctx;
    struct eng_progress *next;        /* the registry's list */
} eng_progress;

#define ENG_PROGRESS_INITIALIZING "initializing"
#define ENG_PROGRESS_LOADING "building index: loading tuples"

/* Registers p (phase initializing, counts 0); p stays the caller's. */
void eng_progress_begin(eng_progress *p);
void eng_progress_end(eng_progress *p);
void eng_progress_phase(eng_progress *p, const char *phase, int64_t total);
/* done of total tuples are in the index: updates the row and calls tenth when a tenth is passed. */
void eng_progress_report(eng_progress *p, size_t done, size_t total);

struct eng_vrows;
/* The rows of pg_stat_progress_create_index (syscat). */
int eng__fill_progress_create_index(struct eng_vrows *r);

#endif
