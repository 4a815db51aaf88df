/*
 * sequence: CREATE SEQUENCE, DROP SEQUENCE and ALTER TABLE ... RENAME under
 * the catalog's write lock, transactional through the session's eng_ddl_log. Sequences share
 * the relation namespace with tables and indexes (42P07).
 */
#include <string.h>

#include "engine/seq.h"
#include "sql-compat/stmt.h"

void sqlc__notice_rel(const sql_sink *sink, const char *name, const char *tail)
{
    if (!sink || !sink->notice)
        return;
    pgw_error n;
    pgw_error_set(&n, "00000", "relation \"%s\" %s", name, tail);
    n.severity = "NOTICE";
    sink->notice(sink->ctx, &n);
}

bool sqlc__relname_taken(eng_catalog *cat, const char *name)
{
    int pos;
    return eng_catalog_find(cat, name) || eng_catalog_find_index(cat, name, &pos) || eng_seq_exists(cat, name);
}

static int seq_type(const char *type, uint32_t *oid, pgw_error *err)
{
    if (!type || strcmp(type, "int8") == 0)
        *oid = OID_INT8;
    else if (strcmp(type, "int4") == 0)
        *oid = OID_INT4;
    else if (strcmp(type, "int2") == 0)
        *oid = OID_INT2;
    else
        return pgw_error_set(err, "22023", "sequence type must be smallint, integer, or bigint"), -1;
    return 0;
}

int sqlc__create_seq(sql_session *s, const char *name, const ast_seq *q, const eng_seq_def *owner,
                     const sql_sink *sink, pgw_error *err)
{
    eng_catalog *cat = s->srv->cat;
    if (sqlc__relname_taken(cat, name)) {
        if (q->missing_ok) {
            sqlc__notice_rel(sink, name, "already exists, skipping");
            return 0;
        }
        pgw_error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
        return -1;
    }
    eng_seq_def d = {name, q->incr, q->minv, q->maxv, q->start, q->cache, q->cycle, 0, 0, 0, 0};
    if (owner) {
        d.owner_rel = owner->owner_rel;
        d.owner_col = owner->owner_col;
        d.identity = owner->identity;
    }
    eng_seq_opts o = {q->has_incr, q->has_min, q->has_max, q->has_start, q->has_cache, 0};
    if (seq_type(q->type, &o.type, err) || eng_seq_fill(&d, &o, err))
        return -1;
    return eng_seq_create(cat, s->stx, s->ddl, &d, err);
}

/* 2BP01 when a live table's column default uses the sequence (serial / identity). */
static int owned_by_table(eng_catalog *cat, const char *name, pgw_error *err)
{
    uint32_t relid;
    int col;
    if (!eng_seq_owner(cat, name, &relid, &col))
        return 0;
    const eng_table *t = NULL;
    for (size_t i = 0; (t = eng_catalog_table_at(cat, i)) && t->relid != relid; i++)
        ;
    if (!t || col >= t->ncols)
        return 0;
    pgw_error_set(err, "2BP01", "cannot drop sequence %s because other objects depend on it", name);
    pgw_error_detail(err, "default value for column %s of table %s depends on sequence %s", t->cols[col].name, t->name,
                     name);
    pgw_error_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
    return -1;
}

static int drop_seqs(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    sql_session *s = p->s;
    const ast_seq *q = &p->st->ast->seq;
    for (int i = 0; i < q->names.n; i++) {
        if (!eng_seq_exists(s->srv->cat, q->names.v[i]) && !q->missing_ok) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "sequence \"%s\" does not exist", q->names.v[i]);
            return -1;
        }
        if (owned_by_table(s->srv->cat, q->names.v[i], err))
            return -1;
    }
    for (int i = 0; i < q->names.n; i++) {
        if (!eng_seq_exists(s->srv->cat, q->names.v[i])) {
            pgw_error n;
            pgw_error_set(&n, "00000", "sequence \"%s\" does not exist, skipping", q->names.v[i]);
            n.severity = "NOTICE";
            if (sink && sink->notice)
                sink->notice(sink->ctx, &n);
            continue;
        }
        if (eng_seq_drop(s->srv->cat, s->stx, s->ddl, q->names.v[i], err))
            return -1;
    }
    return 0;
}

/* serial, bigserial, smallserial (and serial4/8, serial2): the integer type under them, or 0. */
static uint32_t serial_base(const char *name)
{
    static const struct { const char *name; uint32_t type; } v[] = {
        {"serial", OID_INT4}, {"serial4", OID_INT4}, {"bigserial", OID_INT8},
        {"serial8", OID_INT8}, {"smallserial", OID_INT2}, {"serial2", OID_INT2},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        if (strcmp(name, v[i].name) == 0)
            return v[i].type;
    return 0;
}

/* PostgreSQL's choice: <table>_<column>_seq, then ..._seq1, _seq2 while taken. */
static const char *serial_seq_name(arena *a, eng_catalog *cat, const char *table, const char *col)
{
    const char *base = arena_printf(a, "%s_%s_seq", table, col);
    for (int k = 1; base; k++) {
        const char *c = k == 1 ? base : arena_printf(a, "%s%d", base, k - 1);
        if (!c || !sqlc__relname_taken(cat, c))
            return c;
    }
    return NULL;
}

/* An identity column's type: smallint, integer or bigint (22023 otherwise). */
static uint32_t identity_type(const ast_coldef *d, pgw_error *err)
{
    const eng_type *t = d->type.is_array ? NULL : eng_type_by_name(d->type.name);
    if (t && (t->oid == OID_INT2 || t->oid == OID_INT4 || t->oid == OID_INT8))
        return t->oid;
    pgw_error_set(err, "22023", "identity column type must be smallint, integer, or bigint");
    return 0;
}

int sqlc__serial_column(arena *a, eng_catalog *cat, const char *table, const ast_coldef *d, eng_column *c,
                        const char **seqname, pgw_error *err)
{
    uint32_t type = d->type.is_array ? 0 : serial_base(d->type.name);
    if (!type && !d->identity)
        return 0;
    if (d->def) {
        pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, d->identity ? "both default and identity specified for column \"%s\" of table \"%s\""
                                                             : "multiple default values specified for column \"%s\" of table \"%s\"",
                      d->name, table);
        return -1;
    }
    if (d->identity && !(type = identity_type(d, err)))
        return -1;

    const char *seq = serial_seq_name(a, cat, table, d->name);
    char *def = seq ? arena_printf(a, "nextval('%s'::regclass)", seq) : NULL;
    if (!def)
        return pgw_error_oom(err), -1;
    c->type = type;
    c->typmod = -1;
    c->notnull = true;
    c->def = def;
    *seqname = seq;
    return 1;
}

int sqlc__serial_sequence(sql_session *s, const char *seqname, uint32_t type, const ast_coldef *d, uint32_t relid,
                          int col, pgw_error *err)
{
    ast_seq q = d->idopts ? *d->idopts : (ast_seq){0};
    q.missing_ok = false;
    q.type = type == OID_INT2 ? "int2" : type == OID_INT4 ? "int4" : "int8";
    eng_seq_def owner = {.owner_rel = relid, .owner_col = col, .identity = d->identity};
    return sqlc__create_seq(s, seqname, &q, &owner, NULL, err);
}

/* ALTER TABLE ... RENAME [COLUMN], PostgreSQL's checks and messages. */
int sqlc__rename(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    sql_session *s = p->s;
    eng_catalog *cat = s->srv->cat;
    const ast_rename *r = &p->st->ast->rename;
    eng_table *t = eng_catalog_find(cat, r->relname);
    if (!t) {
        if (r->missing_ok) {
            sqlc__notice_rel(sink, r->relname, "does not exist, skipping");
            return 0;
        }
        pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", r->relname);
        return -1;
    }
    int col = -1;
    if (r->column) {
        if ((col = eng_table_column(t, r->column)) < 0) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist", r->column);
            return -1;
        }
        if (eng_table_column(t, r->newname) >= 0) {
            pgw_error_set(err, SQLSTATE_DUPLICATE_COLUMN, "column \"%s\" of relation \"%s\" already exists", r->newname,
                          t->name);
            return -1;
        }
    } else if (sqlc__relname_taken(cat, r->newname)) {
        pgw_error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", r->newname);
        return -1;
    }
    if (eng_catalog_rename(cat, s->stx, s->ddl, t, col, r->newname, err))
        return -1;
    return col >= 0 ? sqlc__rename_in_checks(p, t, r->column, r->newname, err) : 0;
}

int sqlc__run_sequence(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    const ast_seq *q = &p->st->ast->seq;
    eng_catalog_wrlock(cat);
    int rc = p->st->ast->kind == STMT_CREATE_SEQ ? sqlc__create_seq(p->s, q->names.v[0], q, NULL, sink, err)
                                                 : drop_seqs(p, sink, err);
    eng_catalog_unlock(cat);
    return rc;
}
