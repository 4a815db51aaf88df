/*
 * cancel: the registry of live sessions by BackendKeyData pid, so that a
 * CancelRequest arriving on any thread finds its session. The lock is held
 * while cancelling, and a session unregisters (under the lock) before it is
 * freed, so a cancel never touches a freed session.
 */
#include <openssl/rand.h>
#include <stdlib.h>
#include <uv.h>

#include "server/server.h"
#include "util/mem.h"

/* Power of two; chains stay short up to tens of thousands of sessions. */
#define CANCEL_BUCKETS 4096

typedef struct cancel_entry {
    struct cancel_entry *next;
    uint32_t pid;
    uint32_t secret;
    sql_session *session;
} cancel_entry;

static uv_once_t init_once = UV_ONCE_INIT;
static uv_mutex_t lock;
static cancel_entry *buckets[CANCEL_BUCKETS];
static uint32_t next_pid;

static void init(void)
{
    uv_mutex_init(&lock);
    /* Start pids at a random point so keys differ across restarts. */
    uint32_t r = 0;
    if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
        r = (uint32_t)uv_hrtime();
    next_pid = 1000 + r % 1000000;
}

static cancel_entry **slot(uint32_t pid)
{
    return &buckets[pid & (CANCEL_BUCKETS - 1)];
}

static bool pid_in_use(uint32_t pid)
{
    for (cancel_entry *e = *slot(pid); e; e = e->next)
        if (e->pid == pid)
            return true;
    return false;
}

void srv_cancel_new_key(uint32_t *pid, uint32_t *secret)
{
    uv_once(&init_once, init);
    uv_mutex_lock(&lock);
    do {
        next_pid = next_pid >= 0x7ffffff0u ? 1000 : next_pid + 1;
    } while (pid_in_use(next_pid));
    *pid = next_pid;
    uv_mutex_unlock(&lock);
    if (RAND_bytes((unsigned char *)secret, sizeof(*secret)) != 1)
        *secret = (uint32_t)uv_hrtime() ^ (uint32_t)rand();
}

void srv_cancel_register(uint32_t pid, uint32_t secret, sql_session *session)
{
    uv_once(&init_once, init);
    cancel_entry *e = mem_alloc(sizeof(*e));
    if (!e)
        return; /* the session simply cannot be cancelled */
    e->pid = pid;
    e->secret = secret;
    e->session = session;
    uv_mutex_lock(&lock);
    e->next = *slot(pid);
    *slot(pid) = e;
    uv_mutex_unlock(&lock);
}

void srv_cancel_unregister(uint32_t pid)
{
    uv_once(&init_once, init);
    uv_mutex_lock(&lock);
    for (cancel_entry **p = slot(pid); *p; p = &(*p)->next) {
        if ((*p)->pid == pid) {
            cancel_entry *e = *p;
            *p = e->next;
            mem_free(e);
            break;
        }
    }
    uv_mutex_unlock(&lock);
}

bool srv_cancel_request(uint32_t pid, uint32_t secret)
{
    uv_once(&init_once, init);
    bool found = false;
    uv_mutex_lock(&lock);
    for (cancel_entry *e = *slot(pid); e; e = e->next) {
        if (e->pid == pid && e->secret == secret) {
            sql_session_cancel(e->session);
            found = true;
            break;
        }
    }
    uv_mutex_unlock(&lock);
    return found;
}
