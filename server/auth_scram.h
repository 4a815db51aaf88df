/*
 * auth_scram: the server side of SCRAM-SHA-256 and SCRAM-SHA-256-PLUS
 * (RFC 5802, RFC 7677; channel binding tls-server-end-point, RFC 5929), and
 * the stored password verifier, in PostgreSQL's format:
 *   SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>
 * Passwords are only ever stored as such verifiers.
 *
 * One srv_scram per authentication exchange, owned by one loop thread.
 * All crypto comes from OpenSSL. The user name in the client-first message
 * is ignored (PostgreSQL takes it from the start-up packet).
 */
#ifndef HCDB_SERVER_AUTH_SCRAM_H
#define HCDB_SERVER_AUTH_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/pgw_error.h"
#include "util/buf.h"

#define SRV_SCRAM_DEFAULT_ITERATIONS 4096 /* PostgreSQL's scram_iterations default */
#define SRV_SCRAM_VERIFIER_MAX 256

typedef struct srv_scram srv_scram;

/* Make a verifier for `password` with a random 16-byte salt. 0 or -1. */
int srv_scram_make_verifier(const char *password, int iterations, char *out, size_t outsz)
    __attribute__((warn_unused_result));

/* Check a cleartext password against a verifier (password auth). */
bool srv_scram_verify_password(const char *verifier, const char *password);

/* Start an exchange. `verifier` NULL means the role has no password: the
 * exchange runs with a mock verifier and always fails at the end, so a
 * client cannot tell which roles exist. `endpoint_hash` is the
 * tls-server-end-point data when on TLS (enables -PLUS), else NULL. */
srv_scram *srv_scram_new(const char *verifier, const uint8_t *endpoint_hash, size_t endpoint_len);
void srv_scram_free(srv_scram *sc);

/* The SASL mechanism list for AuthenticationSASL: "SCRAM-SHA-256-PLUS"
 * (only with endpoint data) and "SCRAM-SHA-256", each NUL-terminated, then a
 * final NUL. Appends to `out`. */
void srv_scram_mechanisms(const srv_scram *sc, buf *out);

/* SASLInitialResponse: mechanism and client-first-message. Appends the
 * server-first-message to `out`. Malformed: 08P01; unknown mechanism or a
 * channel-binding mismatch: 08P01 / 28000 as PostgreSQL does. */
int srv_scram_client_first(srv_scram *sc, const char *mechanism, const uint8_t *msg, size_t len,
                           buf *out, pgw_error *err) __attribute__((warn_unused_result));

/* SASLResponse: client-final-message. On success appends the
 * server-final-message ("v=...") to `out` and returns 0. A wrong password
 * (or no verifier) gives -1 with 28P01
 * 'password authentication failed for user "<user>"' — `user` is for the
 * message only. Malformed input: 08P01. */
int srv_scram_client_final(srv_scram *sc, const char *user, const uint8_t *msg, size_t len,
                           buf *out, pgw_error *err) __attribute__((warn_unused_result));

#endif
