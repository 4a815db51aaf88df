/* Helpers shared by the storage test binaries (each includes this once). */
#ifndef HCDB_TEST_STORAGE_UTIL_H
#define HCDB_TEST_STORAGE_UTIL_H

#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/st.h"
#include "storage/st_internal.h"

/* A waker that counts calls; wait_wake() blocks until a call newer than `seen`. */
typedef struct waker {
    pthread_mutex_t m;
    pthread_cond_t c;
    int count;
} waker;

static inline void waker_init(waker *w)
{
    pthread_mutex_init(&w->m, NULL);
    pthread_cond_init(&w->c, NULL);
    w->count = 0;
}

static inline void waker_fn(void *ctx)
{
    waker *w = ctx;
    pthread_mutex_lock(&w->m);
    w->count++;
    pthread_cond_broadcast(&w->c);
    pthread_mutex_unlock(&w->m);
}

static inline int waker_count(waker *w)
{
    pthread_mutex_lock(&w->m);
    int n = w->count;
    pthread_mutex_unlock(&w->m);
    return n;
}

static inline void waker_wait(waker *w, int seen)
{
    pthread_mutex_lock(&w->m);
    while (w->count <= seen)
        pthread_cond_wait(&w->c, &w->m);
    pthread_mutex_unlock(&w->m);
}

/* Commit, waiting for the waker as a session would. */
static inline int commit_wait(st_txn *t, waker *w, pgw_error *e)
{
    for (;;) {
        int seen = waker_count(w);
        int rc = st_commit(t, e);
        if (rc != ST_WOULD_BLOCK)
            return rc;
        waker_wait(w, seen);
    }
}

static inline st_txn *begin_w(st_db *db, waker *w)
{
    pgw_error e;
    st_txn *t = st_txn_begin(db, &e);
    cr_assert_not_null(t);
    st_txn_set_waker(t, waker_fn, w);
    return t;
}

static inline int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

static inline void rm_rf(const char *dir)
{
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *make_tmpdir(void)
{
    char *d = strdup("/tmp/hcdb_st_XXXXXX");
    cr_assert_not_null(mkdtemp(d));
    return d;
}

static inline st_db *open_db(const char *dir, const st_options *o)
{
    st_db *db = NULL;
    pgw_error e;
    pgw_error_clear(&e);
    int rc = st_open(dir, o, NULL, &db, &e);
    cr_assert_eq(rc, 0, "st_open: %s", e.message);
    return db;
}

/* Insert a NUL-terminated string row in its own committed transaction. */
static inline uint64_t put_row(st_db *db, st_table *tb, const char *s)
{
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    uint64_t id;
    cr_assert_eq(st_insert(t, tb, s, strlen(s) + 1, &id, &e), ST_OK);
    st_stmt_end(t);
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK, "%s", e.message);
    st_txn_free(t);
    return id;
}

/* The row visible to a fresh statement of t as a string, or NULL. */
static inline const char *get_str(st_txn *t, st_table *tb, uint64_t id)
{
    st_row r;
    return st_get(t, tb, id, &r) == ST_OK ? (const char *)r.data : NULL;
}

/* Count visible rows in a fresh read-only transaction. */
static inline int count_rows(st_db *db, st_table *tb)
{
    pgw_error e;
    st_txn *t = st_txn_begin(db, &e);
    st_stmt_begin(t);
    st_scan s;
    st_row r;
    int n = 0;
    st_scan_init(&s, t, tb);
    while (st_scan_next(&s, &r))
        n++;
    st_txn_free(t);
    return n;
}

static inline st_table *make_table(st_db *db, uint32_t relid)
{
    waker w;
    waker_init(&w);
    pgw_error e;
    st_txn *t = begin_w(db, &w);
    st_stmt_begin(t);
    st_table *tb = NULL;
    cr_assert_eq(st_table_create(t, relid, &tb, &e), ST_OK);
    st_stmt_end(t);
    cr_assert_eq(commit_wait(t, &w, &e), ST_OK, "%s", e.message);
    st_txn_free(t);
    return tb;
}

#endif
