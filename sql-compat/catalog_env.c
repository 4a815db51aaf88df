/*
 * catalog_env: what the catalog views and functions read of the server
 * through env->sys — settings of the session, the sessions of the server
 * (activity.c), the roles the server lends (sql_server_set_roles) — and
 * pg_cancel_backend / pg_terminate_backend.
 */
#include <ctype.h>
#include <string.h>

#include "sql-compat/activity.h"
#include "sql-compat/session.h"

static void each_setting(void *ctx, eng_setting_cb fn, void *arg)
{
    sql_session *s = ctx;
    sqlc_settings_rows(s->settings, fn, arg);
}

static void each_role(void *ctx, eng_role_cb fn, void *arg)
{
    sql_session *s = ctx;
    if (s->srv->roles.each)
        s->srv->roles.each(s->srv->roles.ctx, fn, arg);
    else
        fn(arg, s->user, s->is_superuser, true); /* no role store (tests): the session's own role */
}

void sql_server_set_roles(sql_server *srv, const sql_role_ops *ops)
{
    srv->roles = *ops;
}

void sqlc__sysinfo_init(sql_session *s)
{
    s->sys = (eng_sysinfo){
        .each_setting = each_setting,
        .each_session = sqlc__act_each,
        .each_role = each_role,
        .signal_backend = sqlc__act_signal,
        .reload_conf = sqlc__sysconf_reload,
        .start_time = s->srv->start_time,
        .max_connections = s->srv->max_connections,
    };
}

/* The schemas of search_path, in order: the first that exists is
 * current_schema() ("$user" names a schema of the role's name, which never
 * exists here); public outside it hides the tables from bare names. */
void sqlc__search_path(sql_session *s, eng_env *env)
{
    static const char *const existing[] = {"public", "pg_catalog", "information_schema", "pg_toast"};
    const char *path = sqlc_settings_get(s->settings, "search_path", true, NULL);
    env->schema = NULL;
    env->public_hidden = true;
    for (const char *p = path ? path : "public"; *p;) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        bool quoted = *p == '"';
        const char *start = p + quoted, *end = start;
        while (*end && (quoted ? *end != '"' : *end != ',' && !isspace((unsigned char)*end)))
            end++;
        size_t n = (size_t)(end - start);
        for (size_t i = 0; i < sizeof(existing) / sizeof(existing[0]); i++) {
            if (strlen(existing[i]) != n || strncmp(start, existing[i], n) != 0)
                continue;
            if (!env->schema)
                env->schema = existing[i];
            if (i == 0)
                env->public_hidden = false;
        }
        p = *end ? end + quoted : end;
    }
}
