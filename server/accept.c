/*
 * accept: the listening socket on the main thread's loop. It reads each new
 * connection's first packet itself: a CancelRequest is served right here
 * (so a cancel gets through even while every event loop is busy running
 * statements), anything else is handed with its bytes to an event loop.
 * The main loop never runs statements, so it always answers promptly.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol/fe_decode.h"
#include "protocol/frame.h"
#include "server/server.h"
#include "util/log.h"
#include "util/mem.h"

/* A first packet must arrive within this time or the socket is dropped. */
#define ACCEPT_FIRST_PACKET_TIMEOUT_MS 10000
#define ACCEPT_BACKLOG 511

typedef struct pending_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    int open_handles;
    uint8_t data[PGW_STARTUP_MAX];
    size_t len;
} pending_conn;

static srv_server *server;
static uv_tcp_t listener;
static bool listening;

static void on_pending_closed(uv_handle_t *h)
{
    pending_conn *p = h->data;
    if (--p->open_handles == 0)
        mem_free(p);
}

static void pending_close(pending_conn *p)
{
    if (uv_is_closing((uv_handle_t *)&p->tcp))
        return;
    uv_close((uv_handle_t *)&p->tcp, on_pending_closed);
    uv_close((uv_handle_t *)&p->timer, on_pending_closed);
}

static void on_pending_timeout(uv_timer_t *t)
{
    pending_close(t->data);
}

/* Give the socket to an event loop: dup the fd (closing our handle closes ours). */
static void hand_off(pending_conn *p)
{
    uv_os_fd_t fd;
    int copy = -1;
    if (uv_fileno((uv_handle_t *)&p->tcp, &fd) == 0)
        copy = dup(fd);
    if (copy >= 0)
        srv_loops_handoff(server, copy, p->data, p->len);
    pending_close(p);
}

static void serve_cancel(pending_conn *p, const pgw_frame *f)
{
    pgw_startup st;
    pgw_error err;
    if (pgw_decode_startup(f->body, f->len, &st, &err) == 0) {
        bool found = srv_cancel_request(st.cancel_pid, st.cancel_key);
        log_debug("cancel request for pid %u: %s", st.cancel_pid, found ? "sent" : "no matching session");
    }
    pending_close(p); /* PostgreSQL closes without a reply either way */
}

static void on_pending_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    pending_conn *p = s->data;
    (void)b;
    if (nread < 0) {
        pending_close(p);
        return;
    }
    p->len += (size_t)nread;
    pgw_frame f;
    pgw_error err;
    pgw_frame_result r = pgw_frame_startup(p->data, p->len, &f, &err);
    if (r == PGW_FRAME_INCOMPLETE && p->len < sizeof(p->data))
        return;
    uv_read_stop(s);
    if (r == PGW_FRAME_READY && f.len >= 4 && buf_get_u32be(f.body) == PGW_CANCEL_REQUEST_CODE)
        serve_cancel(p, &f);
    else
        hand_off(p); /* the loop answers everything else, bad packets included */
}

static void on_pending_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
    pending_conn *p = h->data;
    (void)suggested;
    *out = uv_buf_init((char *)p->data + p->len, (unsigned)(sizeof(p->data) - p->len));
}

static void on_connection(uv_stream_t *l, int status)
{
    if (status < 0) {
        log_warn("accept failed: %s", uv_strerror(status));
        return;
    }
    pending_conn *p = mem_calloc(1, sizeof(*p));
    if (!p)
        return;
    uv_tcp_init(l->loop, &p->tcp);
    uv_timer_init(l->loop, &p->timer);
    p->tcp.data = p->timer.data = p;
    p->open_handles = 2;
    /* during a smart shutdown a new client still gets its FATAL 57P03 from the start-up */
    if (uv_accept(l, (uv_stream_t *)&p->tcp) < 0) {
        pending_close(p);
        return;
    }
    uv_timer_start(&p->timer, on_pending_timeout, ACCEPT_FIRST_PACKET_TIMEOUT_MS, 0);
    uv_read_start((uv_stream_t *)&p->tcp, on_pending_alloc, on_pending_read);
}

static int resolve(const char *addr, int port, struct sockaddr_storage *out)
{
    if (strcmp(addr, "*") == 0 || strcmp(addr, "0.0.0.0") == 0)
        return uv_ip4_addr("0.0.0.0", port, (struct sockaddr_in *)out);
    if (strcmp(addr, "localhost") == 0)
        return uv_ip4_addr("127.0.0.1", port, (struct sockaddr_in *)out);
    if (strchr(addr, ':'))
        return uv_ip6_addr(addr, port, (struct sockaddr_in6 *)out);
    return uv_ip4_addr(addr, port, (struct sockaddr_in *)out);
}

int srv_acceptor_start(srv_server *srv, uv_loop_t *loop)
{
    server = srv;
    struct sockaddr_storage sa;
    int rc = resolve(srv->cfg.listen, srv->cfg.port, &sa);
    if (rc < 0) {
        log_msg(LOG_FATAL, "invalid listen address \"%s\": %s", srv->cfg.listen, uv_strerror(rc));
        return -1;
    }
    uv_tcp_init(loop, &listener);
    rc = uv_tcp_bind(&listener, (struct sockaddr *)&sa, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&listener, ACCEPT_BACKLOG, on_connection);
    if (rc < 0) {
        log_msg(LOG_FATAL, "could not listen on %s:%d: %s", srv->cfg.listen, srv->cfg.port, uv_strerror(rc));
        uv_close((uv_handle_t *)&listener, NULL);
        return -1;
    }
    listening = true;
    snprintf(srv->bound_addr, sizeof(srv->bound_addr), "%s", srv->cfg.listen);
    return 0;
}

void srv_acceptor_stop(void)
{
    if (listening && !uv_is_closing((uv_handle_t *)&listener))
        uv_close((uv_handle_t *)&listener, NULL);
    listening = false;
}
