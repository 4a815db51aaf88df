/*
 * role: CREATE / ALTER / DROP ROLE and USER against the server's role
 * store (sql_role_ops). Only a superuser manages roles; any role may change
 * its own password, as in PostgreSQL. Messages and SQLSTATEs are
 * PostgreSQL's (42501, 42710, 42704 + NOTICE under IF EXISTS, 55006). The
 * store writes each change at once: a ROLLBACK does not undo it.
 */
#include <string.h>

#include "sql-compat/stmt.h"

static int denied(pgw_error *err, const char *what)
{
    pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied to %s role", what);
    return -1;
}

static sql_role_attrs attrs_of(const ast_role *r)
{
    sql_role_attrs a = {r->superuser, r->login, r->password, r->password_null};
    return a;
}

static int alter_role(sql_session *s, const sql_role_ops *ops, const ast_role *r, pgw_error *err)
{
    const char *name = r->names.v[0];
    bool own_password_only = strcmp(name, s->user) == 0 && r->superuser < 0 && r->login < 0;
    if (!s->is_superuser && !own_password_only) {
        pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied");
        return -1;
    }
    sql_role_attrs a = attrs_of(r);
    return ops->alter(ops->ctx, name, &a, err);
}

typedef struct exists_ctx {
    const char *name;
    bool found;
} exists_ctx;

static void exists_cb(void *arg, const char *name, bool superuser, bool login)
{
    exists_ctx *x = arg;
    (void)superuser, (void)login;
    x->found |= strcmp(x->name, name) == 0;
}

static bool role_exists(const sql_role_ops *ops, const char *name)
{
    exists_ctx x = {name, false};
    ops->each(ops->ctx, exists_cb, &x);
    return x.found;
}

static int drop_roles(sql_session *s, const sql_role_ops *ops, const ast_role *r, const sql_sink *sink,
                      pgw_error *err)
{
    if (!s->is_superuser)
        return denied(err, "drop");
    for (int i = 0; i < r->names.n; i++) {
        const char *name = r->names.v[i];
        if (strcmp(name, s->user) == 0) {
            pgw_error_set(err, SQLSTATE_OBJECT_IN_USE, "current user cannot be dropped");
            return -1;
        }
        if (!r->missing_ok && !role_exists(ops, name)) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
            return -1;
        }
    }
    for (int i = 0; i < r->names.n; i++) {
        const char *name = r->names.v[i];
        if (!role_exists(ops, name)) {
            if (sink && sink->notice) {
                pgw_error n;
                pgw_error_set(&n, "00000", "role \"%s\" does not exist, skipping", name);
                n.severity = "NOTICE";
                sink->notice(sink->ctx, &n);
            }
            continue;
        }
        if (ops->drop(ops->ctx, name, err))
            return -1;
    }
    return 0;
}

int sqlc__run_role(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    sql_session *s = p->s;
    const sql_role_ops *ops = &s->srv->roles;
    const ast_role *r = &p->st->ast->role;
    if (!ops->each) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "this server has no role store");
        return -1;
    }
    switch (r->kind) {
    case ROLE_CREATE: {
        if (!s->is_superuser)
            return denied(err, "create");
        sql_role_attrs a = attrs_of(r);
        return ops->create(ops->ctx, r->names.v[0], &a, err);
    }
    case ROLE_ALTER:
        return alter_role(s, ops, r, err);
    case ROLE_DROP:
        return drop_roles(s, ops, r, sink, err);
    }
    return 0;
}
