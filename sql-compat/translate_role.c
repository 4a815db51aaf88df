/* translate_role: CREATE / ALTER / DROP ROLE and USER → ast_role. */
#include <string.h>

#include "sql-compat/translate.h"

static int refuse(pgw_error *err, const char *what)
{
    pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported yet", what);
    return -1;
}

/* A role option's boolean: SUPERUSER gives true, NOSUPERUSER false. */
static int bool_arg(const PgQuery__Node *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
        return n->boolean->boolval ? 1 : 0;
    if (n && n->node_case == PG_QUERY__NODE__NODE_INTEGER)
        return n->integer->ival != 0;
    return 1;
}

static int options(PgQuery__Node **opts, size_t n, ast_role *r, pgw_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
            return refuse(err, "this role option");
        PgQuery__DefElem *d = opts[i]->def_elem;
        if (strcmp(d->defname, "superuser") == 0) {
            r->superuser = bool_arg(d->arg);
        } else if (strcmp(d->defname, "canlogin") == 0) {
            r->login = bool_arg(d->arg);
        } else if (strcmp(d->defname, "password") == 0) {
            r->password_null = !d->arg || d->arg->node_case != PG_QUERY__NODE__NODE_STRING;
            r->password = r->password_null ? NULL : d->arg->string->sval;
        } else if (strcmp(d->defname, "inherit") == 0 || strcmp(d->defname, "connectionlimit") == 0 ||
                   strcmp(d->defname, "validUntil") == 0) {
            continue; /* accepted: every role inherits, with no limit or expiry */
        } else if (strcmp(d->defname, "createdb") == 0 || strcmp(d->defname, "createrole") == 0 ||
                   strcmp(d->defname, "isreplication") == 0 || strcmp(d->defname, "bypassrls") == 0) {
            if (bool_arg(d->arg))
                return refuse(err, "this role attribute (superusers have it)");
        } else {
            return refuse(err, "this role option");
        }
    }
    return 0;
}

static int one_name(arena *a, const char *name, ast_names *out, pgw_error *err)
{
    out->v = arena_calloc(a, 2, sizeof(char *));
    if (!out->v)
        return pgw_error_oom(err), -1;
    out->v[out->n++] = name;
    return 0;
}

static int role_spec_name(const PgQuery__RoleSpec *rs, const char **out, pgw_error *err)
{
    if (!rs || rs->roletype != PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING)
        return refuse(err, "this role name form");
    *out = rs->rolename;
    return 0;
}

int sqlc__translate_role_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err)
{
    ast_role *r = &st->role;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT: case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT:
    case PG_QUERY__NODE__NODE_DROP_ROLE_STMT:
        r->superuser = r->login = -1; /* only now: st is a union shared with other statements */
        break;
    default:
        return 1;
    }
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT: {
        PgQuery__CreateRoleStmt *x = n->create_role_stmt;
        st->kind = STMT_ROLE;
        r->kind = ROLE_CREATE;
        bool user = x->stmt_type == PG_QUERY__ROLE_STMT_TYPE__ROLESTMT_USER;
        st->tag = "CREATE ROLE"; /* PostgreSQL's tag for CREATE USER too */
        if (one_name(a, x->role, &r->names, err) || options(x->options, x->n_options, r, err))
            return -1;
        if (r->login < 0)
            r->login = user;
        if (r->superuser < 0)
            r->superuser = 0;
        return 0;
    }
    case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT: {
        PgQuery__AlterRoleStmt *x = n->alter_role_stmt;
        const char *name;
        st->kind = STMT_ROLE;
        st->tag = "ALTER ROLE";
        r->kind = ROLE_ALTER;
        if (role_spec_name(x->role, &name, err) || one_name(a, name, &r->names, err))
            return -1;
        return options(x->options, x->n_options, r, err);
    }
    case PG_QUERY__NODE__NODE_DROP_ROLE_STMT: {
        PgQuery__DropRoleStmt *x = n->drop_role_stmt;
        st->kind = STMT_ROLE;
        st->tag = "DROP ROLE";
        r->kind = ROLE_DROP;
        r->missing_ok = x->missing_ok;
        r->names.v = arena_calloc(a, x->n_roles + 1, sizeof(char *));
        if (!r->names.v)
            return pgw_error_oom(err), -1;
        for (size_t i = 0; i < x->n_roles; i++) {
            if (x->roles[i]->node_case != PG_QUERY__NODE__NODE_ROLE_SPEC)
                return refuse(err, "this role name form");
            if (role_spec_name(x->roles[i]->role_spec, &r->names.v[r->names.n], err))
                return -1;
            r->names.n++;
        }
        return 0;
    }
    default:
        return 1;
    }
}
