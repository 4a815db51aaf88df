/*
 * misc: session and system functions — version(), current_user,
 * current_setting(), set_config(), pg_sleep(), generate_series() and
 * friends. Anything that needs session state reaches it through eng_env.
 */
#include <string.h>
#include <time.h>

#include "engine/func/registry.h"
#include "engine/types/text.h"
#include "util/version.h"

static int text_result(eng_ctx *c, const char *s, eng_val *o)
{
    if (!s) {
        o->null = true;
        return 0;
    }
    return eng__text_val(c, s, strlen(s), o);
}

static char *cstr(eng_ctx *c, const eng_val *v)
{
    return arena_strndup(c->mem, v->s.p, v->s.n);
}

static int f_version(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return text_result(c, HCDB_VERSION_STRING, o);
}

static int f_current_database(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return text_result(c, c->env ? c->env->database : "postgres", o);
}

static int f_current_user(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return text_result(c, c->env ? c->env->user : "postgres", o);
}

static int f_current_schema(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return text_result(c, c->env ? c->env->schema : "public", o);
}

static int f_backend_pid(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = c->env ? c->env->backend_pid : 0;
    return 0;
}

static int f_server_port(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = !c->env || c->env->server_port <= 0;
    o->i = c->env ? c->env->server_port : 0;
    return 0;
}

static int f_current_setting(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    char *name = cstr(c, &a[0]);
    bool missing_ok = n > 1 && a[1].i;
    if (!name || !c->env)
        return eng__oom(c);
    const char *v = c->env->get_setting(c->env->ctx, name, missing_ok, c->err);
    if (!v && pgw_error_is_set(c->err))
        return -1;
    return text_result(c, v, o);
}

/* set_config(name, value, is_local): not strict — a NULL value resets. */
static int f_set_config(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (a[0].null) {
        pgw_error_set(c->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED, "SET requires parameter name");
        return -1;
    }
    char *name = cstr(c, &a[0]);
    char *value = a[1].null ? NULL : cstr(c, &a[1]);
    if (!name || (!a[1].null && !value) || !c->env)
        return eng__oom(c);
    const char *r = c->env->set_setting(c->env->ctx, name, value, !a[2].null && a[2].i, c->err);
    if (!r)
        return -1;
    return text_result(c, r, o);
}

/* pg_sleep: sleeps in slices of at most 10 ms, checking for cancel and
 * statement_timeout between slices, as PostgreSQL's does with latches. */
static int f_pg_sleep(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    double secs = a[0].f;
    o->null = false;
    o->i = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (c->env && c->env->check_interrupts && c->env->check_interrupts(c->env->ctx, c->err))
            return -1;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        double left = secs - elapsed;
        if (!(left > 0)) /* also ends for NaN */
            return 0;
        double slice = left < 0.01 ? left : 0.01;
        struct timespec ts = {0, (long)(slice * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* generate_series(start, stop[, step]) for int4 and int8; state words:
 * 0 next value, 1 stop, 2 step, 3 started, 4 overflowed-past-end. */
static int series(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    if (!st[3]) {
        st[0] = a[0].i;
        st[1] = a[1].i;
        st[2] = n > 2 ? a[2].i : 1;
        st[3] = 1;
        if (st[2] == 0) {
            pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
            return -1;
        }
    }
    if (st[4] || (st[2] > 0 ? st[0] > st[1] : st[0] < st[1])) {
        *done = true;
        return 0;
    }
    o->null = false;
    o->i = st[0];
    if (__builtin_add_overflow(st[0], st[2], &st[0]))
        st[4] = 1;
    return 0;
}

static int series4(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    int rc = series(c, a, n, st, done, o);
    /* int4 series stop at the int4 boundary rather than overflowing */
    if (rc == 0 && !st[4] && (st[0] > INT32_MAX || st[0] < INT32_MIN))
        st[4] = 1;
    return rc;
}

void eng__register_misc(void)
{
    eng__reg("version", false, OID_TEXT, ENG_F_STRICT, f_version, 0);
    eng__reg("current_database", false, OID_NAME, ENG_F_STRICT, f_current_database, 0);
    eng__reg("current_catalog", false, OID_NAME, ENG_F_STRICT, f_current_database, 0);
    eng__reg("current_user", false, OID_NAME, ENG_F_STRICT, f_current_user, 0);
    eng__reg("session_user", false, OID_NAME, ENG_F_STRICT, f_current_user, 0);
    eng__reg("current_schema", false, OID_NAME, ENG_F_STRICT, f_current_schema, 0);
    eng__reg("pg_backend_pid", false, OID_INT4, ENG_F_STRICT, f_backend_pid, 0);
    eng__reg("inet_server_port", false, OID_INT4, ENG_F_STRICT, f_server_port, 0);
    eng__reg("current_setting", false, OID_TEXT, ENG_F_STRICT, f_current_setting, 1, OID_TEXT);
    eng__reg("current_setting", false, OID_TEXT, ENG_F_STRICT, f_current_setting, 2, OID_TEXT, OID_BOOL);
    eng__reg("set_config", false, OID_TEXT, ENG_F_VOLATILE, f_set_config, 3, OID_TEXT, OID_TEXT, OID_BOOL);
    eng__reg("pg_sleep", false, OID_VOID, ENG_F_STRICT | ENG_F_VOLATILE | ENG_F_LONG, f_pg_sleep, 1, OID_FLOAT8);
    eng__reg_srf("generate_series", OID_INT4, ENG_F_STRICT, series4, 2, OID_INT4, OID_INT4);
    eng__reg_srf("generate_series", OID_INT4, ENG_F_STRICT, series4, 3, OID_INT4, OID_INT4, OID_INT4);
    eng__reg_srf("generate_series", OID_INT8, ENG_F_STRICT, series, 2, OID_INT8, OID_INT8);
    eng__reg_srf("generate_series", OID_INT8, ENG_F_STRICT, series, 3, OID_INT8, OID_INT8, OID_INT8);
}
