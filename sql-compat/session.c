/*
 * session: sql_server and sql_session — identity, transaction status,
 * settings, cancel and statement_timeout (see sql.h).
 */
#include "sql-compat/activity.h"
#include "sql-compat/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/catalog.h"
#include "engine/seq.h"
#include "sql-compat/parse_cache.h"
#include "storage/st.h"
#include "util/log.h"
#include "util/mem.h"

/* What the server's configuration fixes, as SHOW and pg_settings show it. */
static void server_settings(const sql_server *srv, sqlc_settings *settings)
{
    if (!settings)
        return;
    char n[16];
    snprintf(n, sizeof(n), "%d", srv->max_connections);
    if (srv->max_connections)
        sqlc_settings_server_value(settings, "max_connections", n);
    if (srv->fsync_off)
        sqlc_settings_server_value(settings, "fsync", "off");
}

sql_server *sql_server_new(const char *data_dir, const sql_server_options *o, pgw_error *err)
{
    sql_server *srv = mem_calloc(1, sizeof(*srv));
    if (!srv || !(srv->data_dir = mem_strdup(data_dir ? data_dir : ""))) {
        mem_free(srv);
        pgw_error_oom(err);
        return NULL;
    }
    srv->start_time = eng_now_us();
    /* Tables live in <data>/base; no data directory (unit tests) gets a
     * throw-away one without fsync. */
    char dir[4096];
    bool tmp = !data_dir || !data_dir[0];
    if (tmp) {
        char tmpl[] = "/tmp/hcdb-sql-XXXXXX";
        if (!mkdtemp(tmpl)) {
            pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "could not create a temporary data directory");
            sql_server_free(srv);
            return NULL;
        }
        srv->tmp_dir = mem_strdup(tmpl);
        snprintf(dir, sizeof(dir), "%s", tmpl);
    } else {
        snprintf(dir, sizeof(dir), "%s/base", data_dir);
        mkdir(data_dir, 0700);
    }
    st_options so;
    st_options_init(&so);
    if (o) {
        so.fsync = o->fsync;
        if (o->checkpoint_timeout_s)
            so.checkpoint_timeout_ms = o->checkpoint_timeout_s * 1000u;
        if (o->max_wal_size)
            so.max_wal_size = o->max_wal_size;
        if (o->wal_segment_size)
            so.wal_segment_size = o->wal_segment_size;
        srv->async_commit = !o->synchronous_commit;
        srv->max_connections = o->max_connections;
    }
    if (tmp)
        so.fsync = false;
    srv->fsync_off = !so.fsync;
    if (!(srv->cat = eng_catalog_open(dir, &so, err)) ||
        !(srv->sysconf = sqlc__sysconf_open(tmp ? srv->tmp_dir : data_dir))) {
        if (!pgw_error_is_set(err))
            pgw_error_oom(err);
        sql_server_free(srv);
        return NULL;
    }
    sqlc__temp_startup(srv->cat);
    return srv;
}

void sql_server_free(sql_server *srv)
{
    if (!srv)
        return;
    eng_catalog_close(srv->cat);
    sqlc__sysconf_free(srv->sysconf);
    if (srv->tmp_dir) {
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", srv->tmp_dir);
        if (system(cmd) != 0) {
            /* a leftover temporary directory is harmless */
        }
        mem_free(srv->tmp_dir);
    }
    mem_free(srv->data_dir);
    mem_free(srv);
}

int sql_server_checkpoint(sql_server *srv, pgw_error *err)
{
    return srv->cat ? st_checkpoint(eng_catalog_db(srv->cat), err) : 0;
}

bool sql_server_database_exists(sql_server *srv, const char *name)
{
    return name && strcmp(name, "postgres") == 0;
}

bool sql_server_may_connect(sql_server *srv, const char *user, bool superuser, const char *database)
{
    (void)database; /* one database: its OID is fixed */
    if (superuser || !srv->cat)
        return true;
    eng_catalog_rdlock(srv->cat);
    uint32_t privs = eng_catalog_privs(srv->cat, ENG_DATABASE_OID, user) |
                     eng_catalog_privs(srv->cat, ENG_DATABASE_OID, "public");
    eng_catalog_unlock(srv->cat);
    return privs & ENG_PRIV_CONNECT;
}

sql_session *sql_session_new(sql_server *srv, const sql_session_info *info, pgw_error *err)
{
    sql_session *s = mem_calloc(1, sizeof(*s));
    if (!s)
        return pgw_error_oom(err), NULL;
    s->srv = srv;
    s->user = mem_strdup(info && info->user ? info->user : "postgres");
    s->database = mem_strdup(info && info->database ? info->database : "postgres");
    s->server_addr = info && info->server_addr ? mem_strdup(info->server_addr) : NULL;
    s->client_addr = info && info->client_addr ? mem_strdup(info->client_addr) : NULL;
    s->backend_pid = info ? info->backend_pid : 0;
    s->server_port = info ? info->server_port : 0;
    s->is_superuser = !info || info->is_superuser; /* no session info: the bootstrap superuser */
    s->txn = 'I';
    atomic_init(&s->cancel, false);
    s->settings = sqlc_settings_new(s->user, s->is_superuser);
    s->parses = sqlc_parse_cache_new();
    s->seqs = eng_seq_session_new();
    server_settings(srv, s->settings);
    sqlc__sysconf_apply(srv->sysconf, s->settings);
    sqlc__sysinfo_init(s);
    pgw_error ignored;
    if (s->settings && srv->async_commit &&
        sqlc_settings_set(s->settings, "synchronous_commit", "off", SQLC_SET_STARTUP, false, &ignored) < 0)
        log_warn("could not default synchronous_commit to off: %s", ignored.message);
    if (!s->user || !s->database || !s->settings || !s->parses || !s->seqs || sqlc__act_register(s, info)) {
        sql_session_free(s);
        pgw_error_oom(err);
        return NULL;
    }
    eng_stat_add(ENG_STAT_SESSIONS, 1);
    return s;
}

void sql_session_free(sql_session *s)
{
    if (!s)
        return;
    sqlc__act_unregister(s);
    sqlc__txn_abort(s);
    sqlc__temp_session_end(s);
    mem_free(s->oc_drop);
    mem_free(s->oc_delete);
    eng_ddl_log_free(s->ddl);
    eng_seq_session_free(s->seqs);
    for (int i = 0; i < s->ndefaults; i++)
        sqlc_parsed_free(s->defaults[i]);
    mem_free(s->defaults);
    mem_free(s->sp_names);
    mem_free(s->sp_levels);
    sqlc_settings_free(s->settings);
    sqlc_parse_cache_free(s->parses);
    mem_free(s->user);
    mem_free(s->database);
    mem_free(s->server_addr);
    mem_free(s->client_addr);
    mem_free(s);
}

int sql_session_set_option(sql_session *s, const char *name, const char *value, pgw_error *err)
{
    return sqlc_settings_set(s->settings, name, value, SQLC_SET_STARTUP, false, err);
}

void sql_session_reports(sql_session *s, bool all, void (*fn)(void *ctx, const char *name, const char *value),
                         void *ctx)
{
    sqlc_settings_reports(s->settings, all, fn, ctx);
}

bool sql_session_terminated(const sql_session *s)
{
    return atomic_load(&s->terminate);
}

char sql_session_txn_status(const sql_session *s)
{
    return s->txn;
}

void sql_session_cancel(sql_session *s)
{
    atomic_store(&s->cancel, true);
    if (s->waker)
        s->waker(s->waker_ctx); /* a blocked statement must run to notice */
}

void sql_session_set_waker(sql_session *s, void (*wake)(void *ctx), void *ctx)
{
    s->waker = wake;
    s->waker_ctx = ctx;
}

long sql_session_block_timeout_ms(const sql_session *s)
{
    if (!s->deadline.tv_sec)
        return -1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (long)(s->deadline.tv_sec - now.tv_sec) * 1000 + (s->deadline.tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? ms : 0;
}

void sqlc__stmt_start(sql_session *s)
{
    atomic_store(&s->cancel, false);
    s->stmt_ts = eng_now_us();
    if (s->txn == 'I')
        s->txn_ts = s->stmt_ts;
    int ms = sqlc_settings_statement_timeout_ms(s->settings);
    s->deadline.tv_sec = 0;
    if (ms > 0) {
        clock_gettime(CLOCK_MONOTONIC, &s->deadline);
        s->deadline.tv_sec += ms / 1000;
        s->deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (s->deadline.tv_nsec >= 1000000000L) {
            s->deadline.tv_sec++;
            s->deadline.tv_nsec -= 1000000000L;
        }
    }
}

void sqlc__fail(sql_session *s)
{
    eng_stat_add(ENG_STAT_ERRORS, 1);
    if (s->txn == 'T') {
        s->txn = 'E';
    } else if (s->txn == 'I') {
        sqlc__txn_abort(s);
        sqlc_settings_txn_end(s->settings, false);
    }
}

void sqlc__stmt_done(sql_session *s)
{
    if (s->txn == 'I')
        sqlc_settings_txn_end(s->settings, true);
}

int sqlc__check_interrupts(sql_session *s, pgw_error *err)
{
    if (atomic_exchange(&s->cancel, false)) {
        pgw_error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to user request");
        return -1;
    }
    if (s->deadline.tv_sec) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > s->deadline.tv_sec ||
            (now.tv_sec == s->deadline.tv_sec && now.tv_nsec >= s->deadline.tv_nsec)) {
            pgw_error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to statement timeout");
            return -1;
        }
    }
    return 0;
}

static const char *env_get(void *ctx, const char *name, bool missing_ok, pgw_error *err)
{
    return sqlc_settings_get(((sql_session *)ctx)->settings, name, missing_ok, err);
}

static const char *env_set(void *ctx, const char *name, const char *value, bool is_local, pgw_error *err)
{
    sql_session *s = ctx;
    if (sqlc_settings_set(s->settings, name, value, is_local ? SQLC_SET_LOCAL : SQLC_SET_SESSION, s->txn != 'I', err))
        return NULL;
    return sqlc_settings_get(s->settings, name, false, err);
}

static int env_check(void *ctx, pgw_error *err)
{
    return sqlc__check_interrupts(ctx, err);
}

void sqlc__env(sql_session *s, eng_env *env)
{
    memset(env, 0, sizeof(*env));
    env->ctx = s;
    env->get_setting = env_get;
    env->set_setting = env_set;
    env->check_interrupts = env_check;
    env->extra_float_digits = sqlc_settings_extra_float_digits(s->settings);
    env->tz_offset_s = sqlc_settings_tz_offset(s->settings);
    env->txn_ts = s->txn_ts ? s->txn_ts : eng_now_us();
    env->stmt_ts = s->stmt_ts ? s->stmt_ts : env->txn_ts;
    env->user = s->user;
    env->superuser = s->is_superuser;
    env->database = s->database;
    sqlc__search_path(s, env);
    env->backend_pid = s->backend_pid;
    env->server_port = s->server_port;
    env->server_addr = s->server_addr;
    env->client_addr = s->client_addr;
    env->catalog = s->srv->cat;
    env->txn = s->stx;
    env->seqs = s->seqs;
    env->parse_expr = sqlc__parse_default;
    env->sys = &s->sys;
    env->backup = sqlc__backup;
}
