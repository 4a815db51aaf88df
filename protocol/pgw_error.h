/*
 * pgw_error: what reaches a client as an ErrorResponse or NoticeResponse.
 *
 * Every fallible function that a client's input can reach fills one of these
 * through an out-parameter (no longjmp). Fixed-size fields: filling an error
 * never allocates, so out-of-memory can be reported too. Text longer than a
 * field is truncated.
 */
#ifndef HCDB_PROTOCOL_PGW_ERROR_H
#define HCDB_PROTOCOL_PGW_ERROR_H

#include <stdbool.h>

#include "protocol/sqlstate.h"

#define PGW_ERROR_MESSAGE_MAX 1024
#define PGW_ERROR_DETAIL_MAX 1024
#define PGW_ERROR_HINT_MAX 512
#define PGW_ERROR_CONTEXT_MAX 256

typedef struct pgw_error {
    const char *severity;                /* "ERROR", "FATAL", "WARNING", "NOTICE"; NULL = no error */
    char sqlstate[6];                    /* five characters and a NUL */
    char message[PGW_ERROR_MESSAGE_MAX]; /* primary message, PostgreSQL's wording */
    char detail[PGW_ERROR_DETAIL_MAX];   /* optional ("" = absent) */
    char hint[PGW_ERROR_HINT_MAX];       /* optional ("" = absent) */
    char context[PGW_ERROR_CONTEXT_MAX]; /* optional: where it happened ("JSON data, line 1: ...") */
    int position;                        /* 1-based character offset into the query; 0 = none */
} pgw_error;

/* Clear to "no error". */
void pgw_error_clear(pgw_error *e);
/* Set severity ERROR, the SQLSTATE and the message; clears detail, hint and position. */
void pgw_error_set(pgw_error *e, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pgw_error_detail(pgw_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pgw_error_hint(pgw_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pgw_error_context(pgw_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The common out-of-memory error (53200). */
void pgw_error_oom(pgw_error *e);
static inline bool pgw_error_is_set(const pgw_error *e)
{
    return e->severity != 0;
}

#endif
