/*
 * extension: CREATE EXTENSION and DROP EXTENSION over the built-in
 * extensions (engine/ext.h), under the catalog's write lock inside the
 * session's storage statement, so they are transactional and persisted
 * like table DDL. Messages and SQLSTATEs are PostgreSQL's: 58P01 for a
 * name it has no control file for, 42710 / 42704 with NOTICE "... skipping"
 * under IF [NOT] EXISTS, 3F000 for an unknown schema.
 */
#include <string.h>

#include "engine/ext.h"
#include "sql-compat/stmt.h"

/* Where PostgreSQL 15 looks for control files, for its error text. */
#define EXT_CONTROL_DIR "/usr/share/postgresql/15/extension"

static void notice(const sql_sink *sink, const char *name, const char *tail)
{
    if (!sink || !sink->notice)
        return;
    pgw_error n;
    pgw_error_set(&n, "00000", "extension \"%s\" %s", name, tail);
    n.severity = "NOTICE";
    sink->notice(sink->ctx, &n);
}

static const eng_extdef *known(const char *name, pgw_error *err)
{
    const eng_extdef *d = eng_ext_find(name);
    if (!d)
        pgw_error_set(err, SQLSTATE_UNDEFINED_FILE,
                      "could not open extension control file \"" EXT_CONTROL_DIR "/%s.control\": No such file or directory",
                      name);
    return d;
}

static int create_one(sql_portal *p, const sql_sink *sink, const char *name, const char *schema, bool cascade,
                      int depth, pgw_error *err);

static int create_required(sql_portal *p, const sql_sink *sink, const eng_extdef *d, const char *schema,
                           bool cascade, int depth, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    if (!d->requires || eng_catalog_extension(cat, d->requires))
        return 0;
    if (!cascade) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "required extension \"%s\" is not installed", d->requires);
        pgw_error_hint(err, "Use CREATE EXTENSION ... CASCADE to install required extensions too.");
        return -1;
    }
    if (depth > 8) { /* the built-in table has no cycles; this only bounds a bad edit */
        pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "extension requirements nest too deeply");
        return -1;
    }
    notice(sink, d->requires, "installing required extension");
    return create_one(p, sink, d->requires, schema, cascade, depth + 1, err);
}

static int create_one(sql_portal *p, const sql_sink *sink, const char *name, const char *schema, bool cascade,
                      int depth, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const eng_extdef *d = known(name, err);
    if (!d || create_required(p, sink, d, schema, cascade, depth, err))
        return -1;
    if (d->install) {
        eng_ext_install in = {cat, s->stx, s->ddl, schema};
        if (d->install(&in, err))
            return -1;
    }
    return eng_catalog_create_extension(cat, s->stx, s->ddl, d->name, d->version, schema, err);
}

static int create_ext(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    const ast_ext *e = &p->st->ast->ext;
    const char *name = e->names.v[0];
    const char *schema = e->schema ? e->schema : "public";
    if (eng_catalog_extension(p->s->srv->cat, name)) {
        if (e->if_not_exists) {
            notice(sink, name, "already exists, skipping");
            return 0;
        }
        pgw_error_set(err, SQLSTATE_DUPLICATE_OBJECT, "extension \"%s\" already exists", name);
        return -1;
    }
    const eng_extdef *d = known(name, err);
    if (!d)
        return -1;
    if (strcmp(schema, "public") != 0 && strcmp(schema, "pg_catalog") != 0) {
        pgw_error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", schema);
        return -1;
    }
    if (e->version && strcmp(e->version, d->version) != 0) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "extension \"%s\" has no installation script nor update path for version \"%s\"", name,
                      e->version);
        return -1;
    }
    return create_one(p, sink, name, schema, e->cascade, 0, err);
}

static int drop_ext(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const ast_ext *e = &p->st->ast->ext;
    /* every name is checked before anything is dropped, as PostgreSQL does */
    for (int i = 0; i < e->names.n; i++) {
        if (!eng_catalog_extension(cat, e->names.v[i]) && !e->if_not_exists) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "extension \"%s\" does not exist", e->names.v[i]);
            return -1;
        }
    }
    for (int i = 0; i < e->names.n; i++) {
        const char *name = e->names.v[i];
        const eng_extension *made = eng_catalog_extension(cat, name);
        if (!made) {
            notice(sink, name, "does not exist, skipping");
            continue;
        }
        const eng_extdef *d = eng_ext_find(name);
        if (d && d->uninstall) {
            eng_ext_install in = {cat, s->stx, s->ddl, made->schema};
            if (d->uninstall(&in, err))
                return -1;
        }
        if (eng_catalog_drop_extension(cat, s->stx, s->ddl, name, err))
            return -1;
    }
    return 0;
}

int sqlc__run_extension(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    eng_catalog_wrlock(cat);
    int rc = p->st->ast->kind == STMT_CREATE_EXT ? create_ext(p, sink, err) : drop_ext(p, sink, err);
    eng_catalog_unlock(cat);
    return rc;
}
