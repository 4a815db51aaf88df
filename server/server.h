/*
 * server: the process-wide state shared by the acceptor (main thread) and
 * the event-loop threads. Written on the main thread before the loops start
 * and read-only afterwards, except the atomics.
 */
#ifndef HCDB_SERVER_SERVER_H
#define HCDB_SERVER_SERVER_H

#include <stdatomic.h>
#include <uv.h>

#include "server/config.h"
#include "server/roles.h"
#include "server/tls.h"
#include "sql-compat/sql.h"

typedef struct srv_loop srv_loop;

typedef struct srv_server {
    srv_config cfg;
    srv_tls_ctx *tls;   /* NULL: TLS not configured, SSLRequest answered 'N' */
    uint8_t tls_endpoint[64]; /* tls-server-end-point channel binding data */
    size_t tls_endpoint_len;
    sql_server *sql;
    srv_roles *roles;
    char bound_addr[256]; /* the address really bound, for logs and inet_server_addr() */
    int nloops;
    srv_loop **loops;
    atomic_uint next_loop;   /* round-robin handoff */
    atomic_int nsessions;    /* connections counted against max_connections */
    atomic_bool stopping;    /* shutdown requested: refuse new sessions */
} srv_server;

/* ---- event-loop threads (loop.c) ---------------------------------- */

int srv_loops_start(srv_server *srv) __attribute__((warn_unused_result));
/* Give an accepted socket (already read bytes in `pending`) to a loop. */
void srv_loops_handoff(srv_server *srv, int fd, const uint8_t *pending, size_t n);
/* Ask every loop to end its sessions and exit (returns at once); fast: do
 * not wait for statements under way (they are rolled back). */
void srv_loops_request_stop(srv_server *srv, bool fast);
/* Wait for every loop to exit, then free them. */
void srv_loops_join(srv_server *srv);

/* ---- the acceptor (accept.c), on the main loop --------------------- */

int srv_acceptor_start(srv_server *srv, uv_loop_t *loop) __attribute__((warn_unused_result));
void srv_acceptor_stop(void);

/* ---- cancel keys (cancel.c) ---------------------------------------- */

/* A fresh BackendKeyData pid (unique among live sessions) and secret. */
void srv_cancel_new_key(uint32_t *pid, uint32_t *secret);
void srv_cancel_register(uint32_t pid, uint32_t secret, sql_session *session);
void srv_cancel_unregister(uint32_t pid);
/* Cancel the statement of the session with that key; false if none matches. */
bool srv_cancel_request(uint32_t pid, uint32_t secret);

#endif
