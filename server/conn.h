/*
 * conn: one client connection on its loop thread: socket reads and writes
 * (through TLS when negotiated), the input and output buffers, backpressure
 * and closing. What the bytes mean is startup.c's (start-up and
 * authentication) and session.c's (queries) business.
 *
 * Output is appended to `out` and flushed once per batch of input
 * (uv_try_write, then uv_write for the rest). While more than
 * SRV_CONN_OUT_HIGH_WATER bytes wait to be sent, the connection stops
 * reading and a running statement pauses, so a client that never reads
 * cannot grow the server's memory without bound.
 */
#ifndef HCDB_SERVER_CONN_H
#define HCDB_SERVER_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "protocol/frame.h"
#include "protocol/pgw_error.h"
#include "server/roles.h"
#include "server/server.h"
#include "util/arena.h"
#include "util/buf.h"

/* Pause producing output past this many unsent bytes. */
#define SRV_CONN_OUT_HIGH_WATER (1u << 20)
/* Socket reads land in at least this much free input space. */
#define SRV_CONN_READ_CHUNK 65536u

typedef struct srv_session srv_session;

typedef enum srv_conn_state {
    SRV_CONN_STARTUP, /* waiting for SSLRequest / StartupMessage */
    SRV_CONN_AUTH,    /* authentication exchange */
    SRV_CONN_READY,   /* query phase */
    SRV_CONN_CLOSING, /* flushing the last messages, then closing */
} srv_conn_state;

typedef enum srv_auth_step {
    SRV_AUTH_STEP_NONE,
    SRV_AUTH_STEP_PASSWORD,    /* waiting for a cleartext password */
    SRV_AUTH_STEP_SASL_FIRST,  /* waiting for SASLInitialResponse */
    SRV_AUTH_STEP_SASL_FINAL,  /* waiting for the client-final-message */
} srv_auth_step;

typedef struct srv_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;           /* authentication_timeout, then blocked-statement timeouts */
    uv_async_t wake;            /* the SQL layer's waker for a blocked statement */
    int open_handles;           /* handles not yet closed, plus work in flight; freed at 0 */
    srv_loop *loop;
    srv_server *srv;
    struct srv_conn *prev, *next; /* the loop's connection list */
    srv_conn_state state;

    srv_tls *tls;               /* non-NULL once SSLRequest was accepted */
    buf tls_in;                 /* ciphertext read, before decryption */
    buf in;                     /* plaintext received */
    size_t in_pos;              /* bytes of `in` already processed */
    buf out;                    /* plaintext replies not yet handed to the socket */
    buf wire;                   /* bytes being written */
    uv_write_t write_req;
    bool writing;
    bool reading;
    bool aborted;               /* peer gone: drop everything */
    bool terminate_when_idle;   /* shutdown: end the session once its statement is done */

    char peer_addr[64];
    int peer_port;
    char local_addr[64];
    int local_port;

    /* Start-up and authentication (startup.c). */
    arena *startup_arena;       /* start-up parameters kept until login */
    int nstartup_options;
    const char **startup_names;
    const char **startup_values;
    char user[SRV_ROLE_NAME_MAX];
    char database[SRV_ROLE_NAME_MAX];
    srv_role role;
    bool role_exists;
    bool counted;               /* holds a max_connections slot */
    srv_auth_step auth_step;
    struct srv_scram *scram;

    /* Query phase (session.c). */
    uint32_t backend_pid;
    uint32_t cancel_secret;
    sql_session *sql;
    srv_session *session;
} srv_conn;

/* Adopt an accepted socket on `loop`; `pending` holds bytes already read. */
void srv_conn_start(srv_loop *loop, srv_server *srv, int fd, const uint8_t *pending, size_t n);
/* Append an ErrorResponse or NoticeResponse. */
void srv_conn_put_error(srv_conn *c, const pgw_error *e);
/* Send `e` as FATAL and close once it is written. */
void srv_conn_fatal(srv_conn *c, pgw_error *e);
/* FATAL 57P01 (administrator command) and close. */
void srv_conn_terminate(srv_conn *c);
/* Close now, dropping whatever is queued. */
void srv_conn_abort(srv_conn *c);
/* Close once everything queued is written. */
void srv_conn_close_after_flush(srv_conn *c);
/* Push queued output to the socket. */
void srv_conn_flush(srv_conn *c);
/* True while too much output waits (stop producing more). */
bool srv_conn_output_full(const srv_conn *c);
/* Switch the stream to TLS (after answering 'S' to SSLRequest). */
int srv_conn_start_tls(srv_conn *c) __attribute__((warn_unused_result));
/* Keep the connection's memory alive across work that outlives its handles
 * (a statement on a worker thread); the last unref frees it. */
void srv_conn_ref(srv_conn *c);
void srv_conn_unref(srv_conn *c);
/* Call the session's unblock (or the auth timeout) after `ms`. */
void srv_conn_arm_timer(srv_conn *c, uint64_t ms);
/* Resume processing (after a pause ended); used by session.c. */
void srv_conn_pump(srv_conn *c);

/* Loop-side bookkeeping (loop.c). */
void srv_loop_link(srv_loop *loop, srv_conn *c);
void srv_loop_unlink(srv_loop *loop, srv_conn *c);
uv_loop_t *srv_loop_uv(srv_loop *loop);
bool srv_loop_stopping(const srv_loop *loop);
/* Mark the loop as running a statement inline (new connections go to other loops then). */
void srv_loop_set_running(srv_loop *loop, bool running);

/* Message handlers (startup.c, session.c): each consumes one whole frame. */
void srv_startup_packet(srv_conn *c, const pgw_frame *f);
void srv_auth_message(srv_conn *c, const pgw_frame *f);
void srv_auth_timeout(srv_conn *c);
void srv_conn_release_startup(srv_conn *c);

void srv_session_message(srv_conn *c, const pgw_frame *f);
/* True while a statement waits for output room; srv_session_resume goes on. */
bool srv_session_paused(const srv_conn *c);
/* True while a statement is under way (running, parked, in COPY). */
bool srv_session_busy(const srv_conn *c);
/* True while a statement waits for its waker (SQL_RUN_BLOCKED). */
bool srv_session_blocked(const srv_conn *c);
/* The waker fired (or the block timed out): the statement may go on. */
void srv_session_unblock(srv_conn *c);
void srv_session_resume(srv_conn *c);
/* Begin the query phase after a successful login. */
int srv_session_begin(srv_conn *c, pgw_error *err) __attribute__((warn_unused_result));
void srv_session_end(srv_conn *c);

#endif
