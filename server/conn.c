/* conn: socket I/O, buffers, TLS, backpressure and closing (see conn.h). */
#include "server/conn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol/be_encode.h"
#include "server/auth_scram.h"
#include "util/log.h"
#include "util/mem.h"

/* Idle connections give back buffer memory beyond this. */
#define CONN_KEEP_BUFFER (64u * 1024)
/* A message header may claim up to max_message_size; room for more than this
 * is only made as the bytes really arrive, so a lying header costs nothing. */
#define CONN_PRERESERVE_MAX (16u << 20)

static void conn_pump_input(srv_conn *c);

static void on_handle_closed(uv_handle_t *h)
{
    srv_conn_unref(h->data);
}

void srv_conn_ref(srv_conn *c)
{
    c->open_handles++;
}

void srv_conn_unref(srv_conn *c)
{
    if (--c->open_handles > 0)
        return;
    srv_session_end(c);
    srv_conn_release_startup(c);
    if (c->counted)
        atomic_fetch_sub(&c->srv->nsessions, 1);
    srv_loop_unlink(c->loop, c);
    srv_tls_free(c->tls);
    buf_free(&c->tls_in);
    buf_free(&c->in);
    buf_free(&c->out);
    buf_free(&c->wire);
    mem_free(c);
}

/* Close now, whatever is queued (the peer is gone, or the write failed). */
void srv_conn_abort(srv_conn *c)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    c->aborted = true;
    c->state = SRV_CONN_CLOSING;
    /* First: once the SQL session is gone its waker is never called, so the
     * async handle may close. */
    srv_session_end(c);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    uv_close((uv_handle_t *)&c->wake, on_handle_closed);
}

static void maybe_finish_close(srv_conn *c)
{
    if (c->state == SRV_CONN_CLOSING && !c->writing && c->wire.len == 0 && c->out.len == 0)
        srv_conn_abort(c);
}

static void on_write(uv_write_t *req, int status)
{
    srv_conn *c = req->data;
    c->writing = false;
    buf_reset(&c->wire);
    if (status < 0) {
        if (status != UV_ECANCELED)
            log_debug("connection %s:%d: write failed: %s", c->peer_addr, c->peer_port, uv_strerror(status));
        srv_conn_abort(c);
        return;
    }
    srv_conn_pump(c);
}

/* Move queued plaintext into `wire`, encrypting when on TLS. */
static int stage_output(srv_conn *c)
{
    if (c->tls) {
        if (c->out.len && srv_tls_write(c->tls, c->out.data, c->out.len) < 0)
            return -1;
        buf_reset(&c->out);
        srv_tls_drain(c->tls, &c->wire);
    } else if (c->out.len) {
        buf tmp = c->wire;
        c->wire = c->out;
        c->out = tmp;
        buf_reset(&c->out);
    }
    return c->wire.failed ? -1 : 0;
}

void srv_conn_flush(srv_conn *c)
{
    if (c->writing || uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (c->out.failed || stage_output(c) < 0) {
        log_error("connection %s:%d: out of memory for output", c->peer_addr, c->peer_port);
        srv_conn_abort(c);
        return;
    }
    if (c->wire.len == 0) {
        maybe_finish_close(c);
        return;
    }
    uv_buf_t b = uv_buf_init((char *)c->wire.data, (unsigned)c->wire.len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n == UV_EAGAIN)
        n = 0;
    if (n < 0) {
        srv_conn_abort(c);
        return;
    }
    if ((size_t)n == c->wire.len) {
        buf_reset(&c->wire);
        buf_shrink(&c->wire, CONN_KEEP_BUFFER);
        buf_shrink(&c->out, CONN_KEEP_BUFFER);
        maybe_finish_close(c);
        return;
    }
    b.base += n;
    b.len -= (unsigned)n;
    c->write_req.data = c;
    if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &b, 1, on_write) < 0) {
        srv_conn_abort(c);
        return;
    }
    c->writing = true;
}

bool srv_conn_output_full(const srv_conn *c)
{
    return c->out.len + c->wire.len >= SRV_CONN_OUT_HIGH_WATER;
}

void srv_conn_put_error(srv_conn *c, const pgw_error *e)
{
    bool notice = e->severity && (strcmp(e->severity, "NOTICE") == 0 || strcmp(e->severity, "WARNING") == 0 ||
                                  strcmp(e->severity, "INFO") == 0 || strcmp(e->severity, "LOG") == 0 ||
                                  strcmp(e->severity, "DEBUG") == 0);
    pgw_put_error(&c->out, e, notice);
}

void srv_conn_close_after_flush(srv_conn *c)
{
    if (c->state == SRV_CONN_CLOSING)
        return;
    c->state = SRV_CONN_CLOSING;
    if (c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
    }
    srv_conn_flush(c);
}

void srv_conn_fatal(srv_conn *c, pgw_error *e)
{
    e->severity = "FATAL";
    log_info("connection %s:%d: FATAL %s: %s", c->peer_addr, c->peer_port, e->sqlstate, e->message);
    srv_conn_put_error(c, e);
    srv_conn_close_after_flush(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
    srv_conn *c = h->data;
    buf *b = c->tls ? &c->tls_in : &c->in;
    (void)suggested;
    if (!buf_reserve(b, SRV_CONN_READ_CHUNK)) {
        *out = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS */
        return;
    }
    *out = uv_buf_init((char *)b->data + b->len, (unsigned)(b->cap - b->len));
}

/* Decrypt what arrived: 0, 1 if the peer closed TLS (the plaintext before
 * its close_notify is still to be processed), -1 on a TLS error. */
static int decrypt_input(srv_conn *c)
{
    char why[256] = "";
    int rc = srv_tls_feed(c->tls, c->tls_in.data, c->tls_in.len);
    buf_reset(&c->tls_in);
    if (rc == 0)
        rc = srv_tls_read(c->tls, &c->in, why, sizeof(why));
    if (rc < 0)
        log_info("connection %s:%d: TLS error: %s", c->peer_addr, c->peer_port, why);
    return rc;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    srv_conn *c = s->data;
    (void)b;
    if (nread < 0) {
        if (nread != UV_EOF)
            log_debug("connection %s:%d: read failed: %s", c->peer_addr, c->peer_port, uv_strerror((int)nread));
        srv_conn_abort(c);
        return;
    }
    if (nread == 0)
        return;
    if (c->tls) {
        c->tls_in.len += (size_t)nread;
        int rc = decrypt_input(c);
        if (rc < 0) {
            srv_conn_flush(c); /* a TLS alert may be waiting */
            srv_conn_abort(c);
            return;
        }
        if (rc == 1) {
            srv_conn_pump(c); /* e.g. a Terminate sent just before close_notify */
            srv_conn_close_after_flush(c);
            return;
        }
    } else {
        c->in.len += (size_t)nread;
    }
    srv_conn_pump(c);
}

static void set_reading(srv_conn *c, bool want)
{
    if (want == c->reading || uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (want)
        c->reading = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0;
    else {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
    }
}

/* One whole message, or false if more bytes are needed / the connection ends. */
static bool next_frame(srv_conn *c, pgw_frame *f)
{
    size_t avail = c->in.len - c->in_pos;
    if (avail == 0)
        return false;
    const uint8_t *data = c->in.data + c->in_pos;
    pgw_error err;
    pgw_frame_result r;
    if (c->state == SRV_CONN_STARTUP)
        r = pgw_frame_startup(data, avail, f, &err);
    else
        r = pgw_frame_message(data, avail, c->state == SRV_CONN_AUTH ? PGW_PHASE_AUTH : PGW_PHASE_READY,
                              c->srv->cfg.max_message_size, f, &err);
    if (r == PGW_FRAME_BAD) {
        if (c->state == SRV_CONN_STARTUP)
            log_info("connection %s:%d: %s", c->peer_addr, c->peer_port, err.message);
        srv_conn_fatal(c, &err); /* PostgreSQL only logs a bad start-up length; a FATAL is kinder */
        return false;
    }
    if (r == PGW_FRAME_INCOMPLETE) {
        /* Grow once to the whole message so a big one is not re-copied chunk by chunk. */
        size_t missing = pgw_frame_missing(data, avail, c->state == SRV_CONN_STARTUP);
        if (missing && !c->tls)
            buf_reserve(&c->in, missing < CONN_PRERESERVE_MAX ? missing : CONN_PRERESERVE_MAX);
        return false;
    }
    return true;
}

static void dispatch(srv_conn *c, const pgw_frame *f)
{
    switch (c->state) {
    case SRV_CONN_STARTUP:
        srv_startup_packet(c, f);
        break;
    case SRV_CONN_AUTH:
        srv_auth_message(c, f);
        break;
    case SRV_CONN_READY:
        srv_session_message(c, f);
        break;
    case SRV_CONN_CLOSING:
        break;
    }
}

static void conn_pump_input(srv_conn *c)
{
    while (c->state != SRV_CONN_CLOSING && !srv_conn_output_full(c)) {
        if (c->state == SRV_CONN_READY && srv_session_blocked(c))
            break; /* its waker resumes it */
        if (c->state == SRV_CONN_READY && srv_session_paused(c)) {
            srv_session_resume(c);
            continue;
        }
        pgw_frame f;
        if (!next_frame(c, &f))
            break;
        c->in_pos += f.size;
        dispatch(c, &f);
    }
    /* Compact once per batch: consuming message by message would move the rest each time. */
    if (c->in_pos) {
        buf_consume(&c->in, c->in_pos);
        c->in_pos = 0;
    }
    if (c->in.len == 0)
        buf_shrink(&c->in, CONN_KEEP_BUFFER);
}

void srv_conn_terminate(srv_conn *c)
{
    pgw_error e;
    pgw_error_set(&e, SQLSTATE_ADMIN_SHUTDOWN, "terminating connection due to administrator command");
    srv_conn_fatal(c, &e);
}

/* True when a statement paused for output room may go on now: a flush that
 * sent everything at once frees the room without an on_write to resume it. */
static bool resumable(const srv_conn *c)
{
    return c->state == SRV_CONN_READY && !c->writing && !srv_conn_output_full(c) &&
           srv_session_paused(c) && !srv_session_blocked(c) &&
           !uv_is_closing((const uv_handle_t *)&c->tcp);
}

void srv_conn_pump(srv_conn *c)
{
    do {
        if (uv_is_closing((uv_handle_t *)&c->tcp))
            return;
        conn_pump_input(c);
        if (c->terminate_when_idle && c->state == SRV_CONN_READY && !srv_session_busy(c))
            srv_conn_terminate(c);
        set_reading(c, c->state != SRV_CONN_CLOSING && !srv_conn_output_full(c));
        srv_conn_flush(c);
    } while (resumable(c));
}

int srv_conn_start_tls(srv_conn *c)
{
    c->tls = srv_tls_new(c->srv->tls);
    return c->tls ? 0 : -1;
}

static void on_timer(uv_timer_t *t)
{
    srv_conn *c = t->data;
    if (c->state == SRV_CONN_READY)
        srv_session_unblock(c);
    else
        srv_auth_timeout(c);
}

void srv_conn_arm_timer(srv_conn *c, uint64_t ms)
{
    uv_timer_start(&c->timer, on_timer, ms, 0);
}

static void on_wake(uv_async_t *a)
{
    srv_conn *c = a->data;
    if (c->state != SRV_CONN_READY)
        return;
    if (c->sql && sql_session_terminated(c->sql)) {
        c->terminate_when_idle = true; /* pg_terminate_backend(): its statement was cancelled */
        srv_conn_pump(c);
    }
    srv_session_unblock(c);
}

static void describe_peer(srv_conn *c)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    snprintf(c->peer_addr, sizeof(c->peer_addr), "unknown");
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&ss, c->peer_addr, sizeof(c->peer_addr));
            c->peer_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&ss, c->peer_addr, sizeof(c->peer_addr));
            c->peer_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        }
    }
    len = sizeof(ss);
    if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&ss, c->local_addr, sizeof(c->local_addr));
            c->local_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&ss, c->local_addr, sizeof(c->local_addr));
            c->local_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        }
    }
}

void srv_conn_start(srv_loop *loop, srv_server *srv, int fd, const uint8_t *pending, size_t n)
{
    srv_conn *c = mem_calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return;
    }
    c->loop = loop;
    c->srv = srv;
    c->state = SRV_CONN_STARTUP;
    uv_loop_t *uv = srv_loop_uv(loop);
    uv_tcp_init(uv, &c->tcp);
    uv_timer_init(uv, &c->timer);
    uv_async_init(uv, &c->wake, on_wake);
    c->tcp.data = c->timer.data = c->wake.data = c;
    c->open_handles = 3;
    srv_loop_link(loop, c);
    if (uv_tcp_open(&c->tcp, fd) < 0) {
        close(fd);
        srv_conn_abort(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    describe_peer(c);
    uv_timer_start(&c->timer, on_timer, (uint64_t)srv->cfg.auth_timeout_s * 1000, 0);
    buf_append(&c->in, pending, n);
    srv_conn_pump(c);
}
