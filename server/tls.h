/*
 * tls: TLS for client connections with OpenSSL over memory BIOs, so the
 * event loop keeps doing all socket I/O: ciphertext read from the socket is
 * fed in, plaintext comes out; plaintext to send goes in, ciphertext to
 * write comes out.
 *
 * A srv_tls_ctx is made once at start-up from the configured certificate
 * and key, and is shared read-only by all loop threads. A srv_tls belongs to
 * one connection and so to one loop thread.
 */
#ifndef HCDB_SERVER_TLS_H
#define HCDB_SERVER_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef struct srv_tls_ctx srv_tls_ctx;
typedef struct srv_tls srv_tls;

/* NULL with a reason in errbuf if the files cannot be loaded or do not match. */
srv_tls_ctx *srv_tls_ctx_new(const char *cert_file, const char *key_file, char *errbuf, size_t errlen);
void srv_tls_ctx_free(srv_tls_ctx *ctx);

/* tls-server-end-point channel binding data (RFC 5929): the hash of the
 * server certificate, SHA-256 unless its signature uses a stronger one. */
int srv_tls_ctx_endpoint_hash(const srv_tls_ctx *ctx, uint8_t *out, size_t outsz, size_t *len);

srv_tls *srv_tls_new(srv_tls_ctx *ctx);
void srv_tls_free(srv_tls *t);

/* Ciphertext received from the socket. 0, or -1 if it cannot be buffered. */
int srv_tls_feed(srv_tls *t, const uint8_t *data, size_t len) __attribute__((warn_unused_result));
/* Advance the handshake and decrypt what has arrived, appending plaintext
 * to `plain`. 0 = fine (possibly nothing yet), 1 = the peer closed TLS
 * cleanly, -1 = fatal TLS error (reason in errbuf). */
int srv_tls_read(srv_tls *t, buf *plain, char *errbuf, size_t errlen) __attribute__((warn_unused_result));
/* Encrypt plaintext for sending. 0 or -1. */
int srv_tls_write(srv_tls *t, const uint8_t *data, size_t len) __attribute__((warn_unused_result));
/* Move all ciphertext waiting to go out (handshake, records, alerts) to `out`. */
void srv_tls_drain(srv_tls *t, buf *out);
bool srv_tls_handshake_done(const srv_tls *t);
/* Queue a close_notify alert (drain afterwards). */
void srv_tls_shutdown(srv_tls *t);

#endif
