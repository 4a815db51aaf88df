/* activity: the session list behind pg_stat_activity (see activity.h). */
#include "sql-compat/activity.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sql-compat/session.h"
#include "util/mem.h"

struct sqlc_act {
    struct sqlc_act *next, *prev;
    sql_session *s;
    int32_t pid;
    char user[64], db[64], app[64], addr[64];
    int port;
    int64_t backend_start, xact_start, query_start, state_change;
    const char *state;          /* a static string */
    char query[SQLC_ACT_QUERY_MAX];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sqlc_act *head;

int sqlc__act_register(sql_session *s, const sql_session_info *info)
{
    struct sqlc_act *a = mem_calloc(1, sizeof(*a));
    if (!a)
        return -1;
    a->s = s;
    a->pid = s->backend_pid;
    snprintf(a->user, sizeof(a->user), "%s", s->user);
    snprintf(a->db, sizeof(a->db), "%s", s->database);
    a->port = -1;
    if (info && info->client_addr) {
        snprintf(a->addr, sizeof(a->addr), "%s", info->client_addr);
        a->port = info->client_port;
    }
    a->backend_start = a->state_change = eng_now_us();
    a->state = "idle";
    pthread_mutex_lock(&lock);
    a->next = head;
    if (head)
        head->prev = a;
    head = a;
    pthread_mutex_unlock(&lock);
    s->act = a;
    return 0;
}

void sqlc__act_unregister(sql_session *s)
{
    struct sqlc_act *a = s->act;
    if (!a)
        return;
    pthread_mutex_lock(&lock);
    if (a->prev)
        a->prev->next = a->next;
    else
        head = a->next;
    if (a->next)
        a->next->prev = a->prev;
    pthread_mutex_unlock(&lock);
    s->act = NULL;
    mem_free(a);
}

void sqlc__act_query(sql_session *s, const char *text)
{
    struct sqlc_act *a = s->act;
    if (!a)
        return;
    pthread_mutex_lock(&lock);
    snprintf(a->query, sizeof(a->query), "%s", text);
    a->query_start = eng_now_us();
    pthread_mutex_unlock(&lock);
}

void sqlc__act_running(sql_session *s, bool running)
{
    struct sqlc_act *a = s->act;
    if (!a)
        return;
    const char *app = sqlc_settings_get(s->settings, "application_name", true, NULL);
    const char *state = running ? "active"
                      : s->txn == 'T' ? "idle in transaction"
                      : s->txn == 'E' ? "idle in transaction (aborted)" : "idle";
    pthread_mutex_lock(&lock);
    snprintf(a->app, sizeof(a->app), "%s", app ? app : "");
    if (state != a->state)
        a->state_change = eng_now_us();
    a->state = state;
    a->xact_start = s->txn == 'I' && !running ? 0 : s->txn_ts;
    pthread_mutex_unlock(&lock);
}

void sqlc__act_each(void *session, eng_activity_cb fn, void *arg)
{
    sql_session *me = session;
    pthread_mutex_lock(&lock);
    for (struct sqlc_act *a = head; a; a = a->next) {
        if (a->s->srv != me->srv)
            continue;
        eng_activity x = {
            .pid = a->pid, .datname = a->db, .usename = a->user, .application_name = a->app,
            .client_addr = a->addr[0] ? a->addr : NULL, .client_port = a->port,
            .backend_start = a->backend_start, .xact_start = a->xact_start, .query_start = a->query_start,
            .state_change = a->state_change, .state = a->state, .query = a->query,
            .backend_type = "client backend",
        };
        fn(arg, &x);
    }
    pthread_mutex_unlock(&lock);
}

int sqlc__act_signal(void *session, int32_t pid, bool terminate)
{
    sql_session *me = session;
    int found = 0;
    pthread_mutex_lock(&lock);
    for (struct sqlc_act *a = head; a; a = a->next) {
        if (a->s->srv != me->srv || a->pid != pid)
            continue;
        if (terminate)
            atomic_store(&a->s->terminate, true);
        sql_session_cancel(a->s);
        found = 1;
        break;
    }
    pthread_mutex_unlock(&lock);
    return found;
}
