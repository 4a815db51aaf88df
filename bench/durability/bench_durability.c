/*
 * bench_durability: in-process commit throughput of storage/ with fsync on.
 * N threads each commit one-row INSERT transactions (synchronous_commit on,
 * waiting for the waker as a session would) for a fixed time; prints
 * commits/s and WAL flushes per commit. Usage: bench_durability DIR [SECONDS]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/st.h"
#include "util/log.h"

typedef struct waker {
    pthread_mutex_t m;
    pthread_cond_t c;
    int count;
} waker;

static void wake(void *ctx)
{
    waker *w = ctx;
    pthread_mutex_lock(&w->m);
    w->count++;
    pthread_cond_signal(&w->c);
    pthread_mutex_unlock(&w->m);
}

static st_db *db;
static st_table *tb;
static _Atomic int stop;
static _Atomic long commits;
static int sync_on = 1;

static void *worker(void *arg)
{
    (void)arg;
    waker w = {.count = 0};
    pthread_mutex_init(&w.m, NULL);
    pthread_cond_init(&w.c, NULL);
    char row[100];
    memset(row, 'r', sizeof(row));
    pgw_error e;
    while (!atomic_load(&stop)) {
        st_txn *t = st_txn_begin(db, &e);
        st_txn_set_waker(t, wake, &w);
        st_txn_set_synchronous_commit(t, sync_on);
        st_stmt_begin(t);
        uint64_t id;
        if (st_insert(t, tb, row, sizeof(row), &id, &e) != ST_OK)
            abort();
        st_stmt_end(t);
        for (;;) {
            pthread_mutex_lock(&w.m);
            int seen = w.count;
            pthread_mutex_unlock(&w.m);
            int rc = st_commit(t, &e);
            if (rc == ST_OK)
                break;
            if (rc != ST_WOULD_BLOCK) {
                fprintf(stderr, "commit failed: %s\n", e.message);
                abort();
            }
            pthread_mutex_lock(&w.m);
            while (w.count <= seen)
                pthread_cond_wait(&w.c, &w.m);
            pthread_mutex_unlock(&w.m);
        }
        st_txn_free(t);
        atomic_fetch_add(&commits, 1);
    }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(int nthreads, double secs)
{
    st_stats s0, s1;
    st_get_stats(db, &s0);
    atomic_store(&stop, 0);
    atomic_store(&commits, 0);
    pthread_t th[64];
    double t0 = now();
    for (int i = 0; i < nthreads; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    struct timespec d = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
    nanosleep(&d, NULL);
    atomic_store(&stop, 1);
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    double el = now() - t0;
    st_get_stats(db, &s1);
    long c = atomic_load(&commits);
    printf("| %d | %s | %.0f | %llu | %.2f |\n", nthreads, sync_on ? "on" : "off", (double)c / el,
           (unsigned long long)(s1.wal_flushes - s0.wal_flushes),
           (double)c / (double)(s1.wal_flushes - s0.wal_flushes ? s1.wal_flushes - s0.wal_flushes : 1));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [SECONDS]\n", argv[0]);
        return 2;
    }
    double secs = argc > 2 ? atof(argv[2]) : 3.0;
    log_set_level(LOG_WARNING);
    st_options o;
    st_options_init(&o);
    o.checkpoint_timeout_ms = 0;
    pgw_error e;
    if (st_open(argv[1], &o, NULL, &db, &e) != 0) {
        fprintf(stderr, "open: %s\n", e.message);
        return 1;
    }
    st_txn *t = st_txn_begin(db, &e);
    st_stmt_begin(t);
    if (st_table_create(t, 1, &tb, &e) != ST_OK)
        return 1;
    st_txn_set_synchronous_commit(t, false);
    if (st_commit(t, &e) != ST_OK)
        return 1;
    st_txn_free(t);
    printf("| threads | synchronous_commit | commits/s | fdatasyncs | commits per fdatasync |\n");
    printf("|---|---|---|---|---|\n");
    int ns[] = {1, 8, 32};
    for (int i = 0; i < 3; i++)
        run(ns[i], secs);
    sync_on = 0;
    run(8, secs);
    st_close(db);
    return 0;
}
