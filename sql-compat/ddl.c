/*
 * ddl: CREATE TABLE, DROP TABLE/INDEX, TRUNCATE, ALTER TABLE ADD PRIMARY
 * KEY/UNIQUE and CREATE INDEX, run under the catalog's write lock inside
 * the session's storage statement. Names, types and constraints are
 * checked before anything changes, so a failed DDL leaves nothing; what it
 * did change is undone with the transaction (eng_ddl_log). Messages and
 * SQLSTATEs are PostgreSQL's (42P07, 42P01 + NOTICE "... skipping").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/array.h"
#include "engine/catalog.h"
#include "engine/seq.h"
#include "engine/temp.h"
#include "engine/types/types.h"
#include "sql-compat/stmt.h"

/* "<what> \"<name>\" <tail>" as a NOTICE. */
static void notice3(const sql_sink *sink, const char *what, const char *name, const char *tail)
{
    if (!sink || !sink->notice)
        return;
    pgw_error n;
    pgw_error_set(&n, "00000", "%s \"%s\" %s", what, name, tail);
    n.severity = "NOTICE";
    sink->notice(sink->ctx, &n);
}

static bool name_taken(eng_catalog *cat, const char *name)
{
    return sqlc__relname_taken(cat, name);
}

static int col_type(const ast_coldef *d, eng_column *c, pgw_error *err)
{
    const eng_type *t = eng_type_by_name(d->type.name);
    if (!t) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", d->type.name);
        return -1;
    }
    if (d->type.is_array && !eng_array_of(t->oid)) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "column type %s%s is not supported yet", d->type.name,
                      d->type.is_array ? "[]" : "");
        return -1;
    }
    c->type = t->oid;
    if (d->type.is_array) {
        c->type = eng_array_of(t->oid);
        c->typmod = -1;
        return 0;
    }
    if (eng_type_typmod(t, d->type.mods, d->type.nmods, &c->typmod, err))
        return -1;
    /* bpchar written as CHARACTER without a length means char(1) */
    if (t->oid == OID_BPCHAR && d->type.nmods == 0)
        c->typmod = 1 + 4;
    return 0;
}

/* Index name as PostgreSQL chooses it: t_pkey, t_a_b_key, t_a_idx. */
static const char *index_name(arena *a, eng_catalog *cat, const char *table, const ast_names *cols, bool primary,
                              bool unique)
{
    char base[256];
    if (primary) {
        snprintf(base, sizeof(base), "%s_pkey", table);
    } else {
        size_t n = (size_t)snprintf(base, sizeof(base), "%s", table);
        for (int i = 0; i < cols->n && n < sizeof(base); i++)
            n += (size_t)snprintf(base + n, sizeof(base) - n, "_%s", cols->v[i]);
        if (n < sizeof(base))
            snprintf(base + n, sizeof(base) - n, "%s", unique ? "_key" : "_idx");
    }
    if (!name_taken(cat, base))
        return arena_strdup(a, base);
    for (int k = 1;; k++) {
        char *c = arena_printf(a, "%s%d", base, k);
        if (!c || !name_taken(cat, c))
            return c;
    }
}

int sqlc__add_index(sql_portal *p, eng_table *t, const char *name, const ast_names *cols, bool unique,
                     bool primary, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    int ic[64];
    if (cols->n > 64)
        return pgw_error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "cannot use more than 64 columns in an index"), -1;
    for (int i = 0; i < cols->n; i++) {
        if ((ic[i] = eng_table_column(t, cols->v[i])) < 0) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" %s", cols->v[i],
                          primary || unique ? "named in key does not exist" : "does not exist");
            return -1;
        }
    }
    if (primary) {
        for (int k = 0; k < t->nindexes; k++) {
            if (t->indexes[k]->primary) {
                pgw_error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION, "multiple primary keys for table \"%s\" are not allowed",
                              t->name);
                return -1;
            }
        }
    }
    if (!name && !(name = index_name(p->mem, cat, t->name, cols, primary, unique)))
        return pgw_error_oom(err), -1;
    if (name_taken(cat, name)) {
        pgw_error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
        return -1;
    }
    return eng_catalog_add_index(cat, s->stx, s->ddl, t, name, ic, cols->n, unique || primary, primary, err);
}

/* Build threads: max_parallel_maintenance_workers plus the leader, at most the cores. */
static int build_threads(sql_portal *p)
{
    pgw_error e;
    const char *w = p->env.get_setting ? p->env.get_setting(p->env.ctx, "max_parallel_maintenance_workers", true, &e)
                                       : NULL;
    int n = w ? atoi(w) + 1 : 1, cores = eng__cores();
    return n < 1 ? 1 : n > cores ? cores : n;
}

/* CREATE INDEX ... USING <access method> (col [opclass]) [WITH (...)], pgvector's checks in its order. */
static int add_am_index(sql_portal *p, const sql_sink *sink, eng_table *t, const ast_index *ix, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    const eng_am *am = eng_am_find(ix->method);
    if (!am) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "access method \"%s\" does not exist", ix->method);
        return -1;
    }
    if (ix->unique || ix->cols.n != 1) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "access method \"%s\" does not support %s indexes", am->name,
                      ix->unique ? "unique" : "multicolumn");
        return -1;
    }
    int col = eng_table_column(t, ix->cols.v[0]);
    if (col < 0) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist", ix->cols.v[0]);
        return -1;
    }
    eng_am_def def = {.typmod = t->cols[col].typmod};
    eng_am_option opts[64];
    if (ix->optnames.n > 64)
        return pgw_error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "too many index options"), -1;
    for (int i = 0; i < ix->optnames.n; i++)
        opts[i] = (eng_am_option){ix->optnames.v[i], ix->optvals[i]};
    if (!(def.opclass = eng_am_opclass_for(am, ix->opclass[0], t->cols[col].type,
                                           eng_type_sqlname(t->cols[col].type), err)) ||
        am->define(&def, opts, ix->optnames.n, err))
        return -1;
    const char *name = ix->idxname ? ix->idxname : index_name(p->mem, cat, t->name, &ix->cols, false, false);
    if (!name)
        return pgw_error_oom(err), -1;
    if (name_taken(cat, name)) {
        pgw_error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
        return -1;
    }
    return sqlc__add_am_index_watched(p, sink, t, name, col, am, &def, build_threads(p), err);
}

/* The columns of CREATE TABLE t (col type ..., ...); seqs[i] names the sequence a serial column needs. */
static int defined_columns(sql_portal *p, eng_column **out, int *ncols, const char ***seqs, pgw_error *err)
{
    const ast_create_table *ct = &p->st->ast->create;
    eng_column *cols = arena_calloc(p->mem, (size_t)ct->ncols + 1, sizeof(eng_column));
    *seqs = arena_calloc(p->mem, (size_t)ct->ncols + 1, sizeof(char *));
    if (!cols || !*seqs)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < ct->ncols; i++) {
        const ast_coldef *d = &ct->cols[i];
        cols[i].name = (char *)d->name;
        cols[i].notnull = d->notnull;
        cols[i].def = (char *)d->def_text;
        int serial = sqlc__serial_column(p->mem, p->s->srv->cat, ct->relname, d, &cols[i], &(*seqs)[i], err);
        if (serial < 0 || (!serial && col_type(d, &cols[i], err)))
            return -1;
    }
    *out = cols;
    *ncols = ct->ncols;
    return 0;
}

static int create_table(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const ast_create_table *ct = &p->st->ast->create;
    const char *name = ct->temp ? eng_temp_name(p->mem, s->backend_pid, ct->relname) : ct->relname;
    if (!name)
        return pgw_error_oom(err), -1;
    if (name_taken(cat, name)) {
        if (ct->if_not_exists) {
            notice3(sink, "relation", ct->relname, "already exists, skipping");
            return 0;
        }
        pgw_error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", ct->relname);
        return -1;
    }
    eng_column *cols;
    int ncols;
    const char **seqs = NULL;
    if (ct->as_query ? sqlc__ctas_columns(p, &cols, &ncols, err) : defined_columns(p, &cols, &ncols, &seqs, err))
        return -1;
    if (ncols > 1600) {
        pgw_error_set(err, SQLSTATE_TOO_MANY_COLUMNS, "tables can have at most 1600 columns");
        return -1;
    }
    for (int i = 0; i < ncols; i++) {
        for (int k = 0; k < i; k++) {
            if (strcmp(cols[k].name, cols[i].name) == 0) {
                pgw_error_set(err, SQLSTATE_DUPLICATE_COLUMN, "column \"%s\" specified more than once", cols[i].name);
                return -1;
            }
        }
    }
    eng_table_def def = {name, ncols, cols};
    eng_table *t;
    if (eng_catalog_create_table(cat, s->stx, s->ddl, &def, &t, err) ||
        (ct->on_commit_drop && sqlc__temp_on_commit_drop(s, name, err)) ||
        (ct->on_commit_delete && sqlc__temp_on_commit_delete(s, t->relid, err)))
        return -1;
    if (ct->as_query)
        return sqlc__ctas_fill(p, t, err);
    for (int i = 0; i < ct->ncols; i++)
        if (seqs[i] && sqlc__serial_sequence(s, seqs[i], cols[i].type, &ct->cols[i], t->relid, i, err))
            return -1;
    for (int i = 0; i < ct->ncols; i++) {
        const ast_coldef *d = &ct->cols[i];
        ast_names one = {1, (const char **)&ct->cols[i].name, NULL};
        if ((d->primary || d->unique) && sqlc__add_index(p, t, NULL, &one, d->unique, d->primary, err))
            return -1;
    }
    /* keys first (a foreign key may reference the table's own), then CHECKs, then foreign keys */
    static const char order[] = "puc f";
    for (const char *kind = order; *kind; kind++) {
        for (int i = 0; i < ct->ncols; i++)
            for (int k = 0; k < ct->cols[i].ncons; k++)
                if (ct->cols[i].cons[k].kind == *kind && sqlc__add_constraint(p, t, &ct->cols[i].cons[k], false, err))
                    return -1;
        for (int i = 0; i < ct->ncons; i++)
            if (ct->cons[i].kind == *kind && sqlc__add_constraint(p, t, &ct->cons[i], false, err))
                return -1;
    }
    return 0;
}

static int drop(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const ast_drop *d = &p->st->ast->drop;
    const char *what = d->is_index ? "index" : "table";
    /* check every name first: DROP TABLE a, b fails whole if b is missing */
    for (int i = 0; i < d->names.n; i++) {
        int pos;
        bool found = d->is_index ? eng_catalog_find_index(cat, d->names.v[i], &pos) != NULL
                                 : sqlc__find_table(p->s, d->names.v[i]) != NULL;
        if (!found && !d->missing_ok) {
            pgw_error_set(err, d->is_index ? SQLSTATE_UNDEFINED_OBJECT : SQLSTATE_UNDEFINED_TABLE,
                          d->is_index ? "index \"%s\" does not exist" : "table \"%s\" does not exist", d->names.v[i]);
            return -1;
        }
        if (found && !d->is_index && sqlc__drop_table_refs(p, sqlc__find_table(p->s, d->names.v[i]), d, false, sink, err))
            return -1;
        eng_table *it = found && d->is_index ? eng_catalog_find_index(cat, d->names.v[i], &pos) : NULL;
        if (it && sqlc__drop_index_refs(p, it, it->indexes[pos], d->cascade, false, sink, err))
            return -1;
    }
    for (int i = 0; i < d->names.n; i++) {
        int pos;
        if (d->is_index) {
            eng_table *t = eng_catalog_find_index(cat, d->names.v[i], &pos);
            if (!t) {
                notice3(sink, "index", d->names.v[i], "does not exist, skipping");
                continue;
            }
            if (sqlc__drop_index_refs(p, t, t->indexes[pos], d->cascade, true, sink, err) ||
                eng_catalog_drop_index(cat, s->stx, s->ddl, t, pos, err))
                return -1;
            continue;
        }
        eng_table *t = sqlc__find_table(p->s, d->names.v[i]);
        if (!t) {
            notice3(sink, "table", d->names.v[i], "does not exist, skipping");
            continue;
        }
        if (sqlc__drop_table_refs(p, t, d, true, sink, err) || eng_seq_drop_table(cat, s->stx, s->ddl, t, err))
            return -1;
    }
    (void)what;
    return 0;
}

/* TRUNCATE deletes every visible row in the statement: transactional and
 * MVCC-correct for free (a row another transaction holds makes it wait). */
static int truncate_tables(sql_portal *p, pgw_error *err)
{
    sql_session *s = p->s;
    const ast_names *n = &p->st->ast->truncate;
    for (int i = 0; i < n->n; i++) {
        if (!sqlc__find_table(p->s, n->v[i])) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", n->v[i]);
            return -1;
        }
    }
    for (int i = 0; i < n->n; i++)
        if (sqlc__truncate_refs(p, sqlc__find_table(p->s, n->v[i]), n, err))
            return -1;
    for (int i = 0; i < n->n; i++) {
        eng_table *t = sqlc__find_table(p->s, n->v[i]);
        st_scan sc;
        st_row r;
        st_scan_init(&sc, s->stx, t->st);
        while (st_scan_next(&sc, &r)) {
            int rc = st_delete(s->stx, t->st, r.rowid, err);
            if (rc == ST_WOULD_BLOCK)
                return ENG_BLOCKED;
            if (rc == ST_RETRY)
                return ENG_RETRY;
            if (rc == ST_ERROR)
                return -1;
        }
    }
    return 0;
}

static int alter_or_index(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    const ast_index *ix = &p->st->ast->index;
    eng_table *t = sqlc__find_table(p->s, ix->relname);
    if (!t) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", ix->relname);
        return -1;
    }
    if (p->st->ast->kind == STMT_ALTER_ADD) /* if_not_exists marks PRIMARY KEY there */
        return sqlc__add_index(p, t, ix->idxname, &ix->cols, !ix->if_not_exists, ix->if_not_exists, err);
    if (ix->idxname && ix->if_not_exists && name_taken(cat, ix->idxname)) {
        sqlc__notice_rel(sink, ix->idxname, "already exists, skipping");
        return 0;
    }
    if (ix->method)
        return add_am_index(p, sink, t, ix, err);
    return sqlc__add_index(p, t, ix->idxname, &ix->cols, ix->unique, false, err);
}

/* REINDEX INDEX i / TABLE t: every index rebuilt from the rows, dead entries gone. */
static int reindex(sql_portal *p, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    const ast_index *ix = &p->st->ast->index;
    int pos = -1;
    const char *name = ix->idxname ? ix->idxname : ix->relname;
    eng_table *t = ix->idxname ? eng_catalog_find_index(cat, name, &pos) : sqlc__find_table(p->s, name);
    if (!t) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
        return -1;
    }
    for (int k = 0; k < t->nindexes; k++)
        if ((pos < 0 || k == pos) && eng_catalog_reindex(cat, p->s->stx, t, t->indexes[k], build_threads(p), err))
            return -1;
    return 0;
}

/* Whether the statement's transaction sees a row of t. */
static bool has_rows(sql_session *s, eng_table *t)
{
    st_scan sc;
    st_row r;
    st_scan_init(&sc, s->stx, t->st);
    return st_scan_next(&sc, &r);
}

/* ALTER TABLE ... ADD COLUMN: rows already there read the new column as NULL, so a
 * DEFAULT other than NULL or a serial / identity column needs an empty table for now. */
static int add_column(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const ast_rename *r = &p->st->ast->rename;
    const ast_coldef *d = r->add;
    eng_table *t;
    int rc = sqlc__alter_target(p, sink, &t, err);
    if (rc || !t)
        return rc;
    if (eng_table_column(t, d->name) >= 0) {
        if (!r->add_if_not_exists) {
            pgw_error_set(err, SQLSTATE_DUPLICATE_COLUMN, "column \"%s\" of relation \"%s\" already exists", d->name,
                          t->name);
            return -1;
        }
        pgw_error n;
        pgw_error_set(&n, "42701", "column \"%s\" of relation \"%s\" already exists, skipping", d->name, t->name);
        n.severity = "NOTICE";
        if (sink && sink->notice)
            sink->notice(sink->ctx, &n);
        return 0;
    }
    if (t->ncols >= 1600) {
        pgw_error_set(err, SQLSTATE_TOO_MANY_COLUMNS, "tables can have at most 1600 columns");
        return -1;
    }
    eng_column c = {(char *)d->name, 0, -1, d->notnull, (char *)d->def_text};
    const char *seq = NULL;
    int serial = sqlc__serial_column(p->mem, cat, t->name, d, &c, &seq, err);
    if (serial < 0 || (!serial && col_type(d, &c, err)))
        return -1;
    bool rows = has_rows(s, t), filled = serial || (d->def && d->def->kind != AST_CONST_NULL);
    if (rows && c.notnull && !filled) {
        pgw_error_set(err, SQLSTATE_NOT_NULL_VIOLATION, "column \"%s\" of relation \"%s\" contains null values", d->name,
                      t->name);
        return -1;
    }
    eng_table *nt;
    if (eng_catalog_add_column(cat, s->stx, s->ddl, t, &c, &nt, err))
        return -1;
    if (seq && sqlc__serial_sequence(s, seq, c.type, d, nt->relid, nt->ncols - 1, err))
        return -1;
    for (int k = 0; k < d->ncons; k++)
        if (d->cons[k].kind == 'c' && sqlc__add_constraint(p, nt, &d->cons[k], false, err))
            return -1;
    if (rows && filled && sqlc__fill_column(p, nt, nt->ncols - 1, err))
        return -1;
    ast_names one = {1, (const char **)&d->name, NULL};
    if ((d->primary || d->unique) && sqlc__add_index(p, nt, NULL, &one, d->unique, d->primary, err))
        return -1;
    for (int k = 0; k < d->ncons; k++)
        if (d->cons[k].kind == 'f' && sqlc__add_constraint(p, nt, &d->cons[k], true, err))
            return -1;
    return 0;
}

int sqlc__run_ddl(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    eng_catalog_wrlock(cat);
    int rc = sqlc__ddl_allowed(p, err);
    switch (rc ? STMT_NOOP : p->st->ast->kind) {
    case STMT_NOOP:
        break;
    case STMT_CREATE_TABLE: {
        bool existed = sqlc__find_table(p->s, p->st->ast->create.relname) != NULL; /* IF NOT EXISTS */
        rc = create_table(p, sink, err);
        if (rc == 0 && !existed && !p->s->is_superuser)
            rc = sqlc__ddl_owned(p, err);
        break;
    }
    case STMT_DROP:
        rc = drop(p, sink, err);
        break;
    case STMT_TRUNCATE:
        rc = truncate_tables(p, err);
        break;
    case STMT_REINDEX:
        rc = reindex(p, err);
        break;
    case STMT_RENAME:
        rc = sqlc__rename(p, sink, err);
        break;
    case STMT_ADD_COLUMN:
        rc = add_column(p, sink, err);
        break;
    case STMT_ALTER_TABLE:
        rc = sqlc__alter_table(p, sink, err);
        break;
    default:
        rc = alter_or_index(p, sink, err);
        break;
    }
    eng_catalog_unlock(cat);
    return rc;
}
