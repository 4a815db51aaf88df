/*
 * catalog_env: what the catalog views and functions read of the server
 * through env->sys — settings of the session, the sessions of the server
 * (activity.c), the roles the server lends (sql_server_set_roles) — and
 * pg_cancel_backend / pg_terminate_backend.
 */
#include "sql-compat/activity.h"
#include "sql-compat/session.h"

static void each_setting(void *ctx, eng_setting_cb fn, void *arg)
{
    sql_session *s = ctx;
    sqlc_settings_each(s->settings, fn, arg);
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
        .start_time = s->srv->start_time,
    };
}
