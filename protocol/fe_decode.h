/*
 * fe_decode: the bodies of frontend messages into structs whose pointers
 * point into the message (no copies). Every length and count read off the
 * wire is checked against the bytes that are really there; failures give
 * PostgreSQL's 08P01 messages ("insufficient data left in message",
 * "invalid string in message", "invalid message format").
 *
 * Pure functions; any thread. Arrays for variable-length messages (Bind)
 * come from the caller's arena.
 */
#ifndef HCDB_PROTOCOL_FE_DECODE_H
#define HCDB_PROTOCOL_FE_DECODE_H

#include <stdint.h>

#include "protocol/pgw_error.h"
#include "util/arena.h"

/* At most this many name/value pairs in a StartupMessage (10,000 bytes hold fewer). */
#define PGW_STARTUP_PARAMS_MAX 256

typedef struct pgw_startup {
    uint32_t code; /* protocol version, or a request code (SSL, GSSENC, cancel) */
    int nparams;   /* name/value pairs (StartupMessage only) */
    const char *names[PGW_STARTUP_PARAMS_MAX];
    const char *values[PGW_STARTUP_PARAMS_MAX];
    uint32_t cancel_pid; /* CancelRequest only */
    uint32_t cancel_key;
} pgw_startup;

typedef struct pgw_parse {
    const char *name;
    const char *query;
    int nparam_types;
    const uint8_t *param_types; /* nparam_types big-endian uint32 OIDs; read with pgw_parse_param_type */
} pgw_parse;

typedef struct pgw_bind {
    const char *portal;
    const char *statement;
    int nparam_formats;
    int16_t *param_formats;
    int nparams;
    const uint8_t **param_values;
    int32_t *param_lengths; /* -1 = NULL */
    int nresult_formats;
    int16_t *result_formats;
} pgw_bind;

typedef struct pgw_target {
    char kind;        /* 'S' statement or 'P' portal */
    const char *name;
} pgw_target;

typedef struct pgw_execute {
    const char *portal;
    int32_t max_rows; /* 0 = all */
} pgw_execute;

typedef struct pgw_sasl_initial {
    const char *mechanism;
    const uint8_t *data; /* client-first-message */
    int32_t len;         /* -1 = none sent */
} pgw_sasl_initial;

int pgw_decode_startup(const uint8_t *body, uint32_t len, pgw_startup *out, pgw_error *err)
    __attribute__((warn_unused_result));
/* Query: the SQL text. */
int pgw_decode_query(const uint8_t *body, uint32_t len, const char **sql, pgw_error *err)
    __attribute__((warn_unused_result));
int pgw_decode_parse(const uint8_t *body, uint32_t len, pgw_parse *out, pgw_error *err)
    __attribute__((warn_unused_result));
uint32_t pgw_parse_param_type(const pgw_parse *p, int i);
int pgw_decode_bind(const uint8_t *body, uint32_t len, arena *a, pgw_bind *out, pgw_error *err)
    __attribute__((warn_unused_result));
/* Describe ('D') and Close ('C'). */
int pgw_decode_target(const uint8_t *body, uint32_t len, char msg_type, pgw_target *out, pgw_error *err)
    __attribute__((warn_unused_result));
int pgw_decode_execute(const uint8_t *body, uint32_t len, pgw_execute *out, pgw_error *err)
    __attribute__((warn_unused_result));
/* PasswordMessage: a cleartext password. */
int pgw_decode_password(const uint8_t *body, uint32_t len, const char **password, pgw_error *err)
    __attribute__((warn_unused_result));
int pgw_decode_sasl_initial(const uint8_t *body, uint32_t len, pgw_sasl_initial *out, pgw_error *err)
    __attribute__((warn_unused_result));
/* CopyFail: the client's reason. */
int pgw_decode_copy_fail(const uint8_t *body, uint32_t len, const char **reason, pgw_error *err)
    __attribute__((warn_unused_result));

#endif
