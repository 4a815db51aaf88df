/*
 * grant: GRANT / REVOKE on tables, ALL TABLES IN SCHEMA public, the schema
 * public and the database, stored as catalog records (transactional,
 * persisted); and the ownership rules for DDL by non-superusers: CREATE
 * TABLE needs CREATE on public and makes the creator the table's owner
 * (every privilege plus ENG_PRIV_OWNER); DROP, ALTER and CREATE INDEX need
 * ownership, TRUNCATE its privilege. Superusers pass everything.
 * Messages and SQLSTATEs are PostgreSQL's (42501, 42704, 42P01, 3F000, 3D000).
 */
#include <string.h>

#include "engine/privs.h"
#include "engine/syscat.h"
#include "sql-compat/stmt.h"

typedef struct find_role {
    const char *name;
    bool found;
} find_role;

static void find_role_cb(void *arg, const char *name, bool superuser, bool login)
{
    find_role *f = arg;
    (void)superuser, (void)login;
    f->found |= strcmp(f->name, name) == 0;
}

static int check_grantees(sql_session *s, const ast_grant *g, pgw_error *err)
{
    for (int i = 0; i < g->grantees.n; i++) {
        find_role f = {g->grantees.v[i], strcmp(g->grantees.v[i], "public") == 0};
        if (!f.found && s->srv->roles.each)
            s->srv->roles.each(s->srv->roles.ctx, find_role_cb, &f);
        else if (!f.found)
            f.found = strcmp(f.name, s->user) == 0;
        if (!f.found) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", f.name);
            return -1;
        }
    }
    return 0;
}

static bool owns(sql_session *s, eng_catalog *cat, const eng_table *t)
{
    return s->is_superuser || (eng_catalog_privs(cat, t->relid, s->user) & ENG_PRIV_OWNER);
}

static int not_owner(pgw_error *err, const char *kind, const char *name)
{
    pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be owner of %s %s", kind, name);
    return -1;
}

/* Every object the statement names: OIDs into *oids (in p->mem). */
static int grant_targets(sql_portal *p, eng_catalog *cat, uint32_t **oids, int *n, pgw_error *err)
{
    const ast_grant *g = &p->st->ast->grant;
    sql_session *s = p->s;
    size_t cap = (size_t)g->objects.n + 1;
    for (size_t i = 0; g->on == GRANT_ON_ALL_TABLES && eng_catalog_table_at(cat, i); i++)
        cap++;
    *oids = arena_calloc(p->mem, cap, sizeof(uint32_t));
    if (!*oids)
        return pgw_error_oom(err), -1;
    *n = 0;
    for (int i = 0; i < g->objects.n; i++) {
        const char *name = g->objects.v[i];
        if (g->on == GRANT_ON_TABLE) {
            const eng_table *t = sqlc__find_table(p->s, name);
            if (!t) {
                pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
                return -1;
            }
            if (!owns(s, cat, t)) {
                pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for table %s", name);
                return -1;
            }
            (*oids)[(*n)++] = t->relid;
        } else if (g->on == GRANT_ON_DATABASE ? strcmp(name, s->database) != 0 : strcmp(name, "public") != 0) {
            pgw_error_set(err, g->on == GRANT_ON_DATABASE ? SQLSTATE_UNDEFINED_DATABASE : SQLSTATE_INVALID_SCHEMA_NAME,
                          "%s \"%s\" does not exist", g->on == GRANT_ON_DATABASE ? "database" : "schema", name);
            return -1;
        } else if (!s->is_superuser) {
            pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for %s %s",
                          g->on == GRANT_ON_DATABASE ? "database" : "schema", name);
            return -1;
        } else if (g->on != GRANT_ON_ALL_TABLES) {
            (*oids)[(*n)++] = g->on == GRANT_ON_DATABASE ? ENG_DATABASE_OID : ENG_NS_PUBLIC;
        }
    }
    for (size_t i = 0; g->on == GRANT_ON_ALL_TABLES; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        (*oids)[(*n)++] = t->relid;
    }
    return 0;
}

int sqlc__run_grant(sql_portal *p, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const ast_grant *g = &p->st->ast->grant;
    eng_catalog_wrlock(cat);
    uint32_t *oids;
    int n, rc = check_grantees(s, g, err) || grant_targets(p, cat, &oids, &n, err) ? -1 : 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        for (int k = 0; rc == 0 && k < g->grantees.n; k++) {
            uint32_t old = eng_catalog_privs(cat, oids[i], g->grantees.v[k]);
            uint32_t now = g->is_grant ? old | g->privs : old & ~g->privs;
            if (now != old)
                rc = eng_catalog_set_privs(cat, s->stx, s->ddl, oids[i], g->grantees.v[k], now, err);
        }
    }
    eng_catalog_unlock(cat);
    return rc;
}

/* The table a DROP / ALTER / CREATE INDEX name means (an index's table). */
static const eng_table *named_table(sql_session *s, const char *name, bool is_index)
{
    int pos;
    return is_index ? eng_catalog_find_index(s->srv->cat, name, &pos) : sqlc__find_table(s, name);
}

int sqlc__ddl_allowed(sql_portal *p, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const ast_stmt *st = p->st->ast;
    if (s->is_superuser)
        return 0;
    eng_env env;
    sqlc__env(s, &env);
    switch (st->kind) {
    case STMT_CREATE_TABLE:
        return eng_priv_check_schema(&env, ENG_PRIV_CREATE, err);
    case STMT_DROP:
        for (int i = 0; i < st->drop.names.n; i++) {
            const eng_table *t = named_table(s, st->drop.names.v[i], st->drop.is_index);
            if (t && !owns(s, cat, t))
                return not_owner(err, st->drop.is_index ? "index" : "table", st->drop.names.v[i]);
        }
        return 0;
    case STMT_TRUNCATE:
        for (int i = 0; i < st->truncate.n; i++) {
            const eng_table *t = sqlc__find_table(p->s, st->truncate.v[i]);
            if (t && eng_priv_check_table(&env, t, ENG_PRIV_TRUNCATE, err))
                return -1;
        }
        return 0;
    case STMT_RENAME: case STMT_ADD_COLUMN: {
        const eng_table *t = eng_catalog_find(cat, st->rename.relname);
        return t && !owns(s, cat, t) ? not_owner(err, "table", t->name) : 0;
    }
    default: {
        const eng_table *t = sqlc__find_table(p->s, st->index.relname);
        return t && !owns(s, cat, t) ? not_owner(err, "table", t->name) : 0;
    }
    }
}

int sqlc__ddl_owned(sql_portal *p, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const eng_table *t = sqlc__find_table(p->s, p->st->ast->create.relname);
    if (!t)
        return 0;
    return eng_catalog_set_privs(cat, s->stx, s->ddl, t->relid, s->user, ENG_PRIV_TABLE_ALL | ENG_PRIV_OWNER, err);
}
