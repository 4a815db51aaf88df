/* translate_role: CREATE / ALTER / DROP ROLE and USER → ast_role. */
#include <string.h>

#include "engine/catalog.h"
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

/* ---- GRANT / REVOKE ---------------------------------------------------------- */

static const struct { const char *name; uint32_t bit; } priv_names[] = {
    {"select", ENG_PRIV_SELECT}, {"insert", ENG_PRIV_INSERT}, {"update", ENG_PRIV_UPDATE},
    {"delete", ENG_PRIV_DELETE}, {"truncate", ENG_PRIV_TRUNCATE}, {"references", ENG_PRIV_REFERENCES},
    {"trigger", ENG_PRIV_TRIGGER}, {"usage", ENG_PRIV_USAGE}, {"create", ENG_PRIV_CREATE},
    {"connect", ENG_PRIV_CONNECT}, {"temporary", ENG_PRIV_TEMP}, {"temp", ENG_PRIV_TEMP},
};

/* What ALL means, and which privileges exist, per object kind. */
static uint32_t kind_privs(ast_grant_on on)
{
    switch (on) {
    case GRANT_ON_SCHEMA: return ENG_PRIV_USAGE | ENG_PRIV_CREATE;
    case GRANT_ON_DATABASE: return ENG_PRIV_CREATE | ENG_PRIV_CONNECT | ENG_PRIV_TEMP;
    default: return ENG_PRIV_TABLE_ALL;
    }
}

static const char *kind_word(ast_grant_on on)
{
    return on == GRANT_ON_SCHEMA ? "schema" : on == GRANT_ON_DATABASE ? "database" : "table";
}

static int grant_privs(PgQuery__GrantStmt *x, ast_grant *g, pgw_error *err)
{
    uint32_t valid = kind_privs(g->on);
    if (x->n_privileges == 0) {
        g->privs = valid;
        return 0;
    }
    for (size_t i = 0; i < x->n_privileges; i++) {
        PgQuery__Node *p = x->privileges[i];
        if (p->node_case != PG_QUERY__NODE__NODE_ACCESS_PRIV || p->access_priv->n_cols)
            return refuse(err, "column privileges");
        const char *name = p->access_priv->priv_name;
        uint32_t bit = 0;
        for (size_t k = 0; k < sizeof(priv_names) / sizeof(priv_names[0]); k++)
            if (strcmp(name, priv_names[k].name) == 0)
                bit = priv_names[k].bit;
        if (!(bit & valid)) {
            char upper[32];
            size_t k = 0;
            for (; name[k] && k + 1 < sizeof(upper); k++)
                upper[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
            upper[k] = '\0';
            pgw_error_set(err, SQLSTATE_INVALID_GRANT_OPERATION, "invalid privilege type %s for %s", upper,
                          kind_word(g->on));
            return -1;
        }
        g->privs |= bit;
    }
    return 0;
}

static int grant_objects(PgQuery__GrantStmt *x, arena *a, ast_grant *g, pgw_error *err)
{
    g->objects.v = arena_calloc(a, x->n_objects + 1, sizeof(char *));
    if (!g->objects.v)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < x->n_objects; i++) {
        PgQuery__Node *o = x->objects[i];
        const char *name = NULL;
        if (o->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
            const char *schema = o->range_var->schemaname;
            if (schema && schema[0] && strcmp(schema, "public") != 0) {
                pgw_error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", schema);
                return -1;
            }
            name = o->range_var->relname;
        } else if (o->node_case == PG_QUERY__NODE__NODE_STRING) {
            name = o->string->sval;
        }
        if (!name)
            return refuse(err, "this GRANT object");
        g->objects.v[g->objects.n++] = name;
    }
    return 0;
}

static int grant_grantees(PgQuery__GrantStmt *x, arena *a, ast_grant *g, pgw_error *err)
{
    g->grantees.v = arena_calloc(a, x->n_grantees + 1, sizeof(char *));
    if (!g->grantees.v)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < x->n_grantees; i++) {
        PgQuery__Node *n = x->grantees[i];
        const PgQuery__RoleSpec *rs = n->node_case == PG_QUERY__NODE__NODE_ROLE_SPEC ? n->role_spec : NULL;
        if (rs && rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC)
            g->grantees.v[g->grantees.n++] = "public";
        else if (role_spec_name(rs, &g->grantees.v[g->grantees.n], err) == 0)
            g->grantees.n++;
        else
            return -1;
    }
    return 0;
}

int sqlc__translate_grant_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err)
{
    if (n->node_case != PG_QUERY__NODE__NODE_GRANT_STMT)
        return 1;
    PgQuery__GrantStmt *x = n->grant_stmt;
    ast_grant *g = &st->grant;
    st->kind = STMT_GRANT;
    st->tag = x->is_grant ? "GRANT" : "REVOKE";
    g->is_grant = x->is_grant;
    if (x->grant_option)
        return refuse(err, "WITH GRANT OPTION");
    if (x->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA &&
        x->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        g->on = GRANT_ON_ALL_TABLES;
    else if (x->targtype != PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_OBJECT)
        return refuse(err, "this GRANT target");
    else if (x->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        g->on = GRANT_ON_TABLE;
    else if (x->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA)
        g->on = GRANT_ON_SCHEMA;
    else if (x->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE)
        g->on = GRANT_ON_DATABASE;
    else
        return refuse(err, "GRANT on this kind of object");
    return grant_privs(x, g, err) || grant_objects(x, a, g, err) || grant_grantees(x, a, g, err) ? -1 : 0;
}
