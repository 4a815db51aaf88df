/*
 * hc_error: status codes of the hypercube modules (engine/hypercube/).
 *
 * Every fallible hc_* function returns an hc_status; nothing here prints or
 * aborts. The SQL layer turns a status into an ErrorResponse with
 * hc_status_sqlstate() and hc_status_message(). Pure functions, any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_ERROR_H
#define HCDB_ENGINE_HYPERCUBE_HC_ERROR_H

typedef enum hc_status {
    HC_OK = 0,
    HC_ERR_CODEPOINT_RANGE,  /* codepoint < 0 or > 0x10FFFF           -> 22003 */
    HC_ERR_SURROGATE,        /* U+D800..U+DFFF where it has no meaning -> 22023 */
    HC_ERR_INVALID_ARGUMENT, /* NaN/inf coordinates, NULL arrays, ...  -> 22023 */
    HC_ERR_LENGTH_MISMATCH,  /* embedding arrays of different lengths -> 22000 */
    HC_ERR_EMPTY_INPUT,      /* centroid of nothing, id of no children -> 22023 */
    HC_ERR_NOMEM,            /* allocation failed                      -> 53200 */
    HC_ERR_INTERNAL          /* a library call (OpenSSL) failed        -> 22000 */
} hc_status;

/* The five-character SQLSTATE for a status ("00000" for HC_OK). */
const char *hc_status_sqlstate(hc_status st);
/* A static, PostgreSQL-style primary message for a status. */
const char *hc_status_message(hc_status st);

#endif
