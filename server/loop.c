/*
 * loop: the event-loop threads. Each owns a libuv loop and the connections
 * handed to it; nothing else touches them. The acceptor hands sockets over
 * through a mutex-protected queue and a uv_async wake-up. On shutdown each
 * loop tells its idle sessions FATAL 57P01 and closes them; statements
 * already running finish first (not on a fast stop), because they run on
 * this same thread.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol/be_encode.h"
#include "server/conn.h"
#include "server/server.h"
#include "util/log.h"
#include "util/mem.h"

typedef struct handoff {
    struct handoff *next;
    int fd;
    size_t len;
    uint8_t data[]; /* bytes already read by the acceptor */
} handoff;

struct srv_loop {
    uv_loop_t uv;
    uv_async_t wake;
    uv_timer_t force_close; /* shutdown: ends connections that do not drain in time */
    uv_thread_t thread;
    uv_mutex_t lock;       /* guards queue, stop_requested and stop_fast */
    handoff *queue;
    bool stop_requested;
    bool stop_fast;        /* end sessions without letting statements finish */
    bool stopping;         /* this thread's view: shutting down */
    srv_server *srv;
    srv_conn *conns;       /* connections owned by this loop */
    atomic_bool running;   /* a statement runs on this thread now (the acceptor avoids it) */
};

uv_loop_t *srv_loop_uv(srv_loop *loop)
{
    return &loop->uv;
}

void srv_loop_set_running(srv_loop *loop, bool running)
{
    atomic_store_explicit(&loop->running, running, memory_order_relaxed);
}

bool srv_loop_stopping(const srv_loop *loop)
{
    return loop->stopping;
}

/* Shutdown grace: a client that never reads its last messages is cut off after this. */
#define LOOP_SHUTDOWN_GRACE_MS 5000

static void close_loop_handles(srv_loop *loop)
{
    uv_close((uv_handle_t *)&loop->wake, NULL);
    uv_close((uv_handle_t *)&loop->force_close, NULL);
}

void srv_loop_link(srv_loop *loop, srv_conn *c)
{
    c->prev = NULL;
    c->next = loop->conns;
    if (loop->conns)
        loop->conns->prev = c;
    loop->conns = c;
}

void srv_loop_unlink(srv_loop *loop, srv_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        loop->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (loop->stopping && !loop->conns)
        close_loop_handles(loop);
}

/* Tell every session the server is going away, and close it. A fast stop
 * (PostgreSQL's -m fast) does not wait for statements under way: closing
 * the session rolls its transaction back (a statement on a worker is
 * cancelled and its output dropped), as a client leaving would. */
static void terminate_sessions(srv_loop *loop, bool fast)
{
    srv_conn *c = loop->conns;
    while (c) {
        srv_conn *next = c->next;
        if (c->state == SRV_CONN_READY && srv_session_busy(c) && !fast) {
            c->terminate_when_idle = true; /* its statement finishes first */
        } else if (c->state == SRV_CONN_READY || c->state == SRV_CONN_AUTH) {
            srv_conn_terminate(c);
        } else {
            srv_conn_close_after_flush(c);
        }
        c = next;
    }
}

static void on_force_close(uv_timer_t *t)
{
    srv_loop *loop = t->data;
    for (srv_conn *c = loop->conns; c; c = c->next)
        srv_conn_abort(c);
}

static void on_wake(uv_async_t *a)
{
    srv_loop *loop = a->data;
    uv_mutex_lock(&loop->lock);
    handoff *q = loop->queue;
    loop->queue = NULL;
    bool stop = loop->stop_requested, fast = loop->stop_fast;
    uv_mutex_unlock(&loop->lock);

    while (q) {
        handoff *next = q->next;
        if (stop)
            close(q->fd);
        else
            srv_conn_start(loop, loop->srv, q->fd, q->data, q->len);
        mem_free(q);
        q = next;
    }
    if (stop && !loop->stopping) {
        loop->stopping = true;
        if (loop->conns) {
            terminate_sessions(loop, fast);
            uv_timer_start(&loop->force_close, on_force_close, LOOP_SHUTDOWN_GRACE_MS, 0);
        } else {
            close_loop_handles(loop);
        }
    }
}

static void loop_main(void *arg)
{
    srv_loop *loop = arg;
    uv_run(&loop->uv, UV_RUN_DEFAULT);
}

static srv_loop *loop_new(srv_server *srv)
{
    srv_loop *loop = mem_calloc(1, sizeof(*loop));
    if (!loop)
        return NULL;
    loop->srv = srv;
    if (uv_loop_init(&loop->uv) < 0) {
        mem_free(loop);
        return NULL;
    }
    uv_mutex_init(&loop->lock);
    uv_async_init(&loop->uv, &loop->wake, on_wake);
    loop->wake.data = loop;
    uv_timer_init(&loop->uv, &loop->force_close);
    loop->force_close.data = loop;
    return loop;
}

int srv_loops_start(srv_server *srv)
{
    srv->loops = mem_calloc((size_t)srv->cfg.threads, sizeof(*srv->loops));
    if (!srv->loops)
        return -1;
    for (int i = 0; i < srv->cfg.threads; i++) {
        srv_loop *loop = loop_new(srv);
        if (!loop)
            return -1;
        /* Deep expressions recurse: give each loop a stack well above the
         * engine's depth limit (PostgreSQL's max_stack_depth is 2 MB of 8). */
        uv_thread_options_t opts = {UV_THREAD_HAS_STACK_SIZE, 16u << 20};
        if (uv_thread_create_ex(&loop->thread, &opts, loop_main, loop) < 0)
            return -1;
        srv->loops[srv->nloops++] = loop;
    }
    return 0;
}

void srv_loops_handoff(srv_server *srv, int fd, const uint8_t *pending, size_t n)
{
    handoff *h = mem_alloc(sizeof(*h) + n);
    if (!h) {
        close(fd);
        return;
    }
    h->fd = fd;
    h->len = n;
    memcpy(h->data, pending, n);
    /* round-robin, but past loops busy with a statement: a new client should not wait
     * for another client's long query to end before it can even log in */
    unsigned first = atomic_fetch_add(&srv->next_loop, 1) % (unsigned)srv->nloops;
    srv_loop *loop = srv->loops[first];
    for (int k = 0; k < srv->nloops; k++) {
        srv_loop *l = srv->loops[(first + (unsigned)k) % (unsigned)srv->nloops];
        if (!atomic_load_explicit(&l->running, memory_order_relaxed)) {
            loop = l;
            break;
        }
    }
    uv_mutex_lock(&loop->lock);
    h->next = loop->queue;
    loop->queue = h;
    uv_mutex_unlock(&loop->lock);
    uv_async_send(&loop->wake);
}

void srv_loops_request_stop(srv_server *srv, bool fast)
{
    for (int i = 0; i < srv->nloops; i++) {
        srv_loop *loop = srv->loops[i];
        uv_mutex_lock(&loop->lock);
        loop->stop_requested = true;
        loop->stop_fast = fast;
        uv_mutex_unlock(&loop->lock);
        uv_async_send(&loop->wake);
    }
}

void srv_loops_join(srv_server *srv)
{
    for (int i = 0; i < srv->nloops; i++) {
        srv_loop *loop = srv->loops[i];
        uv_thread_join(&loop->thread);
        uv_loop_close(&loop->uv);
        uv_mutex_destroy(&loop->lock);
        mem_free(loop);
    }
    mem_free(srv->loops);
    srv->loops = NULL;
    srv->nloops = 0;
}
