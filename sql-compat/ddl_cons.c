/*
 * ddl_cons: constraints in DDL — the CHECK and FOREIGN KEY constraints of
 * CREATE TABLE and ALTER TABLE ADD CONSTRAINT (named as PostgreSQL names
 * them, existing rows validated), ALTER TABLE DROP CONSTRAINT, the foreign
 * keys that make DROP TABLE refuse (2BP01) or cascade, and the rows an
 * ADD COLUMN with a DEFAULT fills. Runs under the catalog's write lock in
 * the session's storage statement. A row lock met while validating or
 * filling fails the statement (55P03) rather than waiting: a DDL's catalog
 * change is undone with its transaction, not with its statement, so it
 * cannot be run again.
 */
#include <stdio.h>
#include <string.h>

#include "engine/cons.h"
#include "engine/dml.h"
#include "engine/seq.h"
#include "engine/temp.h"
#include "engine/types/types.h"
#include "sql-compat/stmt.h"
#include "util/mem.h"

static void notice(const sql_sink *sink, const char *msg, const char *detail)
{
    if (!sink || !sink->notice)
        return;
    pgw_error n;
    pgw_error_set(&n, "00000", "%s", msg);
    if (detail)
        pgw_error_detail(&n, "%s", detail);
    n.severity = "NOTICE";
    sink->notice(sink->ctx, &n);
}

/* ENG_BLOCKED / ENG_RETRY of a row step inside DDL become errors (see the file comment). */
static int no_wait(int rc, const eng_table *t, pgw_error *err)
{
    if (rc == ENG_BLOCKED || rc == ENG_RETRY) {
        pgw_error_set(err, rc == ENG_BLOCKED ? "55P03" : "40001",
                      rc == ENG_BLOCKED ? "could not obtain lock on row in relation \"%s\""
                                        : "could not serialize access due to concurrent update",
                      eng_temp_bare(t->name));
        return -1;
    }
    return rc;
}

static bool conname_taken(eng_catalog *cat, const char *name)
{
    size_t cur = 0;
    for (const eng_table *t; (t = eng_catalog_next(cat, &cur));)
        if (eng_table_constraint(t, name, NULL))
            return true;
    return sqlc__relname_taken(cat, name);
}

/* ChooseConstraintName: <table>_<cols>_<label>, numbered when taken. */
static const char *choose_name(arena *a, eng_catalog *cat, const eng_table *t, const char *const *cols, int n,
                               const char *label)
{
    char *base = arena_strdup(a, eng_temp_bare(t->name));
    for (int i = 0; base && i < n; i++)
        base = arena_printf(a, "%s_%s", base, cols[i]);
    base = base ? arena_printf(a, "%s_%s", base, label) : NULL;
    if (!base || !conname_taken(cat, base))
        return base;
    for (int k = 1;; k++) {
        char *c = arena_printf(a, "%s%d", base, k);
        if (!c || !conname_taken(cat, c))
            return c;
    }
}

/* An explicit name must be new among t's constraints (and its indexes, which name its keys);
 * two CHECKs of one CREATE TABLE (`fresh`) clash as PostgreSQL words it. */
static int name_free(const eng_table *t, const char *name, bool fresh, char kind, pgw_error *err)
{
    const eng_constraint *k = eng_table_constraint(t, name, NULL);
    bool taken = k != NULL;
    for (int i = 0; i < t->nindexes && !taken; i++)
        taken = strcmp(eng_temp_bare(t->indexes[i]->name), name) == 0;
    if (taken && fresh && kind == 'c' && k && k->kind == 'c')
        pgw_error_set(err, "42710", "check constraint \"%s\" already exists", name);
    else if (taken)
        pgw_error_set(err, "42710", "constraint \"%s\" for relation \"%s\" already exists", name, eng_temp_bare(t->name));
    return taken ? -1 : 0;
}

typedef int (*row_fn)(void *ctx, eng_ctx *c, uint64_t rowid, const eng_val *vals);

/* fn over every row of t the statement sees, decoded; a scratch arena per row. */
static int each_row(sql_portal *p, eng_table *t, row_fn fn, void *ctx, pgw_error *err)
{
    arena *a = arena_new();
    eng_val *vals = a ? arena_calloc(p->mem, (size_t)t->ncols + 1, sizeof(eng_val)) : NULL;
    if (!vals) {
        arena_free(a);
        return pgw_error_oom(err), -1;
    }
    eng_ctx c = {.mem = a, .err = err, .env = &p->env};
    st_scan sc;
    st_row r;
    int rc = 0;
    st_scan_init(&sc, p->s->stx, t->st);
    while (!rc && st_scan_next(&sc, &r)) {
        arena_reset(a);
        rc = eng_row_decode(&c, t, r.data, r.len, vals) ? -1 : fn(ctx, &c, r.rowid, vals);
    }
    arena_free(a);
    return no_wait(rc, t, err);
}

typedef struct check_job {
    const eng_table *t;
    const char *name;
    eng_expr *e;
} check_job;

static int check_existing(void *ctx, eng_ctx *c, uint64_t rowid, const eng_val *vals)
{
    check_job *j = ctx;
    eng_val r;
    (void)rowid;
    if (eng_eval(c, j->e, vals, &r))
        return -1;
    if (!r.null && !r.i) {
        pgw_error_set(c->err, SQLSTATE_CHECK_VIOLATION, "check constraint \"%s\" of relation \"%s\" is violated by some row",
                      j->name, eng_temp_bare(j->t->name));
        return -1;
    }
    return 0;
}

static int add_check(sql_portal *p, eng_table *t, const ast_constraint *k, bool validate, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    eng_expr *e;
    int *cols = arena_calloc(p->mem, (size_t)t->ncols + 1, sizeof(int));
    if (!cols)
        return pgw_error_oom(err), -1;
    if (eng_bind_check(p->mem, &p->env, t, k->check, &e, err)) {
        if (err->position > 0) /* env->parse_expr reads the text as "SELECT (text)" */
            err->position += k->check_pos - (int)strlen("SELECT (");
        return -1;
    }
    int n = eng_expr_columns(e, cols, t->ncols);
    const char *name = k->name;
    if (name ? name_free(t, name, !validate, 'c', err) != 0
             : !(name = choose_name(p->mem, cat, t, (const char *const *)&t->cols[cols[0]].name, n == 1, "check")))
        return pgw_error_is_set(err) ? -1 : (pgw_error_oom(err), -1);
    check_job j = {t, name, e};
    if (validate && !k->not_valid && each_row(p, t, check_existing, &j, err))
        return -1;
    eng_constraint def = {.name = (char *)name, .kind = 'c', .ncols = n, .cols = cols, .expr = (char *)k->check};
    return eng_catalog_add_constraint(cat, p->s->stx, p->s->ddl, t, &def, err);
}

/* Column numbers of names in t, or -1 with 42703 as PostgreSQL words it for foreign keys. */
static int fk_columns(const eng_table *t, const ast_names *names, int *out, pgw_error *err)
{
    for (int i = 0; i < names->n; i++) {
        if ((out[i] = eng_table_column(t, names->v[i])) < 0) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" referenced in foreign key constraint does not exist",
                          names->v[i]);
            return -1;
        }
    }
    return 0;
}

/* The referenced columns: those named, or the primary key's. */
static int fk_refcols(const eng_table *pt, const ast_constraint *k, int *out, int *n, pgw_error *err)
{
    if (k->refcols.n) {
        *n = k->refcols.n;
        return fk_columns(pt, &k->refcols, out, err);
    }
    for (int i = 0; i < pt->nindexes; i++) {
        if (pt->indexes[i]->primary) {
            *n = pt->indexes[i]->ncols;
            memcpy(out, pt->indexes[i]->cols, sizeof(int) * (size_t)*n);
            return 0;
        }
    }
    pgw_error_set(err, SQLSTATE_INVALID_FOREIGN_KEY, "there is no primary key for referenced table \"%s\"",
                  eng_temp_bare(pt->name));
    return -1;
}

static int fk_types(const eng_table *t, const eng_table *pt, const eng_constraint *d, pgw_error *err)
{
    for (int i = 0; i < d->ncols; i++) {
        uint32_t a = t->cols[d->cols[i]].type, b = pt->cols[d->fcols[i]].type;
        eng_cast_fn fn = NULL;
        bool io = false;
        if (a == b || (eng_cast_find(a, b, ENG_CAST_IMPLICIT, &fn, &io) && !io))
            continue;
        pgw_error_set(err, SQLSTATE_DATATYPE_MISMATCH, "foreign key constraint \"%s\" cannot be implemented", d->name);
        pgw_error_detail(err, "Key columns \"%s\" and \"%s\" are of incompatible types: %s and %s.",
                         t->cols[d->cols[i]].name, pt->cols[d->fcols[i]].name, eng_type_sqlname(a), eng_type_sqlname(b));
        return -1;
    }
    return 0;
}

typedef struct fk_job {
    eng_table *t;
    const eng_constraint *k;
} fk_job;

static int fk_existing(void *ctx, eng_ctx *c, uint64_t rowid, const eng_val *vals)
{
    fk_job *j = ctx;
    (void)rowid;
    return eng_cons_fk_check(c, j->t, j->k, vals, NULL);
}

static int add_fk(sql_portal *p, eng_table *t, const ast_constraint *k, bool validate, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    eng_table *pt = sqlc__find_table(p->s, k->reftable);
    if (!pt) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", k->reftable);
        return -1;
    }
    if (eng_table_is_temp(t) != eng_table_is_temp(pt)) {
        pgw_error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                      eng_table_is_temp(t) ? "constraints on temporary tables may reference only temporary tables"
                                           : "constraints on permanent tables may reference only permanent tables");
        return -1;
    }
    int cols[64], fcols[64], nf = 0;
    if (k->cols.n > 32 || k->refcols.n > 32)
        return pgw_error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "cannot have more than 32 keys in a foreign key"), -1;
    if (fk_columns(t, &k->cols, cols, err) || fk_refcols(pt, k, fcols, &nf, err))
        return -1;
    if (nf != k->cols.n) {
        pgw_error_set(err, SQLSTATE_INVALID_FOREIGN_KEY, "number of referencing and referenced columns for foreign key disagree");
        return -1;
    }
    if (!eng_cons_unique_index(pt, fcols, nf)) {
        pgw_error_set(err, SQLSTATE_INVALID_FOREIGN_KEY,
                      "there is no unique constraint matching given keys for referenced table \"%s\"", eng_temp_bare(pt->name));
        return -1;
    }
    const char *name = k->name;
    if (name ? name_free(t, name, !validate, 'f', err) != 0
             : !(name = choose_name(p->mem, cat, t, k->cols.v, k->cols.n, "fkey")))
        return pgw_error_is_set(err) ? -1 : (pgw_error_oom(err), -1);
    eng_constraint def = {.name = (char *)name, .kind = 'f', .ncols = nf, .cols = cols, .frelid = pt->relid,
                          .fcols = fcols, .on_delete = k->on_delete, .on_update = k->on_update};
    fk_job j = {t, &def};
    if (fk_types(t, pt, &def, err) || (validate && !k->not_valid && each_row(p, t, fk_existing, &j, err)))
        return -1;
    return eng_catalog_add_constraint(cat, p->s->stx, p->s->ddl, t, &def, err);
}

int sqlc__add_constraint(sql_portal *p, eng_table *t, const ast_constraint *k, bool validate, pgw_error *err)
{
    switch (k->kind) {
    case 'c':
        return add_check(p, t, k, validate, err);
    case 'f':
        return add_fk(p, t, k, validate, err);
    default:
        return sqlc__add_index(p, t, k->name, &k->cols, !k->primary, k->primary, err);
    }
}

/* ---- what depends on a table, an index or a column ------------------------------- */

typedef struct dep {
    eng_table *ct;
    int pos;
} dep;

/* Foreign keys of the tables not in `except` referencing t, through index ix or column col
 * when given (ix NULL, col -1: any). */
static int dependents(sql_portal *p, const eng_table *t, const eng_index *ix, int col, const ast_names *except,
                      dep **out, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    int n = 0, cap = 8;
    dep *v = arena_alloc(p->mem, sizeof(dep) * (size_t)cap);
    size_t cur = 0;
    for (eng_table *ct; v && (ct = eng_catalog_next(cat, &cur));) {
        bool skip = false; /* t itself is among `except` when the whole table goes */
        for (int i = 0; except && i < except->n && !skip; i++)
            skip = sqlc__find_table(p->s, except->v[i]) == ct;
        for (int i = 0; !skip && i < ct->ncons; i++) {
            const eng_constraint *k = ct->cons[i];
            bool hit = k->kind == 'f' && k->frelid == t->relid &&
                       (!ix || eng_cons_unique_index(t, k->fcols, k->ncols) == ix);
            bool uses = col < 0;
            for (int c = 0; hit && !uses && c < k->ncols; c++)
                uses = k->fcols[c] == col;
            hit = hit && uses;
            if (!hit)
                continue;
            if (n == cap) {
                dep *nv = arena_alloc(p->mem, sizeof(dep) * (size_t)cap * 2);
                if (!nv)
                    return pgw_error_oom(err), -1;
                memcpy(nv, v, sizeof(dep) * (size_t)n);
                v = nv;
                cap *= 2;
            }
            v[n++] = (dep){ct, i};
        }
    }
    if (!v)
        return pgw_error_oom(err), -1;
    /* oldest constraint first, as PostgreSQL's dependency scan lists them */
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && v[k].ct->cons[v[k].pos]->oid < v[k - 1].ct->cons[v[k - 1].pos]->oid; k--) {
            dep x = v[k];
            v[k] = v[k - 1];
            v[k - 1] = x;
        }
    *out = v;
    return n;
}

/* PostgreSQL's reportDependentObjects: 2BP01 without CASCADE, else the NOTICE and the drops. */
static int drop_dependents(sql_portal *p, const char *what, dep *v, int n, bool cascade, const char *on,
                           const sql_sink *sink, pgw_error *err)
{
    if (!n)
        return 0;
    char *lines = arena_strdup(p->mem, "");
    for (int i = 0; lines && i < n; i++)
        lines = arena_printf(p->mem, "%s%s%sconstraint %s on table %s%s", lines, i ? "\n" : "",
                             cascade ? "drop cascades to " : "", v[i].ct->cons[v[i].pos]->name,
                             eng_temp_bare(v[i].ct->name), cascade ? "" : on);
    if (!lines)
        return pgw_error_oom(err), -1;
    if (!cascade) {
        pgw_error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST, "cannot drop %s because other objects depend on it", what);
        pgw_error_detail(err, "%s", lines);
        pgw_error_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
        return -1;
    }
    if (n == 1) {
        notice(sink, lines, NULL);
    } else {
        char *head = arena_printf(p->mem, "drop cascades to %d other objects", n);
        notice(sink, head ? head : "drop cascades to other objects", lines);
    }
    /* by name: a drop moves the positions of the table's later constraints */
    const char **names = arena_calloc(p->mem, (size_t)n + 1, sizeof(char *));
    if (!names)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < n; i++)
        names[i] = v[i].ct->cons[v[i].pos]->name;
    for (int i = 0; i < n; i++) {
        int pos;
        if (eng_table_constraint(v[i].ct, names[i], &pos) &&
            eng_catalog_drop_constraint(p->s->srv->cat, p->s->stx, p->s->ddl, v[i].ct, pos, err))
            return -1;
    }
    return 0;
}

int sqlc__drop_table_refs(sql_portal *p, eng_table *t, const ast_drop *d, bool act, const sql_sink *sink,
                          pgw_error *err)
{
    dep *v;
    int n = dependents(p, t, NULL, -1, &d->names, &v, err);
    if (n <= 0 || (!act && d->cascade))
        return n < 0 ? -1 : 0;
    char *what = arena_printf(p->mem, "table %s", eng_temp_bare(t->name));
    char *on = arena_printf(p->mem, " depends on table %s", eng_temp_bare(t->name));
    if (!what || !on)
        return pgw_error_oom(err), -1;
    return drop_dependents(p, what, v, n, d->cascade, on, sink, err);
}

int sqlc__drop_index_refs(sql_portal *p, eng_table *t, eng_index *ix, bool cascade, bool act, const sql_sink *sink,
                          pgw_error *err)
{
    dep *v;
    int n = dependents(p, t, ix, -1, NULL, &v, err);
    if (n <= 0 || (!act && cascade))
        return n < 0 ? -1 : 0;
    const char *name = eng_temp_bare(ix->name);
    char *what = arena_printf(p->mem, "index %s", name);
    char *on = arena_printf(p->mem, " depends on index %s", name);
    if (!what || !on)
        return pgw_error_oom(err), -1;
    return drop_dependents(p, what, v, n, cascade, on, sink, err);
}

int sqlc__truncate_refs(sql_portal *p, eng_table *t, const ast_names *names, pgw_error *err)
{
    dep *v;
    int n = dependents(p, t, NULL, -1, names, &v, err);
    if (n <= 0)
        return n;
    const char *child = eng_temp_bare(v[0].ct->name);
    pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot truncate a table referenced in a foreign key constraint");
    pgw_error_detail(err, "Table \"%s\" references \"%s\".", child, eng_temp_bare(t->name));
    pgw_error_hint(err, "Truncate table \"%s\" at the same time, or use TRUNCATE ... CASCADE.", child);
    return -1;
}

/* ALTER TABLE t DROP CONSTRAINT [IF EXISTS] name [CASCADE]. */
static int drop_constraint(sql_portal *p, eng_table *t, const ast_rename *r, const sql_sink *sink, pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    const char *tn = eng_temp_bare(t->name);
    int pos;
    if (eng_table_constraint(t, r->column, &pos))
        return eng_catalog_drop_constraint(cat, p->s->stx, p->s->ddl, t, pos, err);
    for (int i = 0; i < t->nindexes; i++) {
        eng_index *ix = t->indexes[i];
        if (!ix->unique || strcmp(eng_temp_bare(ix->name), r->column) != 0)
            continue;
        dep *v;
        int n = dependents(p, t, ix, -1, NULL, &v, err);
        char *what = arena_printf(p->mem, "constraint %s on table %s", r->column, tn);
        char *on = arena_printf(p->mem, " depends on index %s", r->column);
        if (n < 0 || !what || !on)
            return pgw_error_is_set(err) ? -1 : (pgw_error_oom(err), -1);
        if (drop_dependents(p, what, v, n, r->cascade, on, sink, err))
            return -1;
        return eng_catalog_drop_index(cat, p->s->stx, p->s->ddl, t, i, err);
    }
    if (r->drop_if_exists) {
        char *m = arena_printf(p->mem, "constraint \"%s\" of relation \"%s\" does not exist, skipping", r->column, tn);
        notice(sink, m ? m : "constraint does not exist, skipping", NULL);
        return 0;
    }
    pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "constraint \"%s\" of relation \"%s\" does not exist", r->column, tn);
    return -1;
}

int sqlc__alter_target(sql_portal *p, const sql_sink *sink, eng_table **out, pgw_error *err)
{
    const ast_rename *r = &p->st->ast->rename;
    if ((*out = sqlc__find_table(p->s, r->relname)))
        return 0;
    if (r->missing_ok) {
        sqlc__notice_rel(sink, r->relname, "does not exist, skipping");
        return 0;
    }
    pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", r->relname);
    return -1;
}

int sqlc__alter_table(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    const ast_rename *r = &p->st->ast->rename;
    eng_table *t;
    int rc = sqlc__alter_target(p, sink, &t, err);
    if (rc || !t)
        return rc;
    switch (r->alter) {
    case 'a':
        return sqlc__add_constraint(p, t, r->con, true, err);
    case 'd':
        return drop_constraint(p, t, r, sink, err);
    default:
        return sqlc__drop_column(p, t, r, sink, err);
    }
}

/* ---- ADD COLUMN ... DEFAULT over existing rows, DROP COLUMN ---------------------- */

typedef struct fill_job {
    eng_table *t;
    int col;
    eng_expr *def;
    eng_rowcons *cons;
} fill_job;

static int fill_row(void *ctx, eng_ctx *c, uint64_t rowid, const eng_val *vals)
{
    fill_job *j = ctx;
    eng_table *t = j->t;
    eng_val *nv = (eng_val *)vals; /* each_row's buffer, decoded again for the next row */
    if (eng_eval(c, j->def, NULL, &nv[j->col]))
        return -1;
    if (nv[j->col].null && t->cols[j->col].notnull) {
        pgw_error_set(c->err, SQLSTATE_NOT_NULL_VIOLATION, "column \"%s\" of relation \"%s\" contains null values",
                      t->cols[j->col].name, eng_temp_bare(t->name));
        return -1;
    }
    if (eng_cons_check_row(c, t, &j->cons, nv, true))
        return -1;
    size_t len;
    uint8_t *data = eng_row_encode(c, t, nv, &len);
    if (!data)
        return -1;
    int rc = st_update(c->env->txn, t->st, rowid, data, len, c->err);
    return rc == ST_OK || rc == ST_NOT_FOUND ? 0 : rc == ST_WOULD_BLOCK ? ENG_BLOCKED : rc == ST_RETRY ? ENG_RETRY : -1;
}

int sqlc__fill_column(sql_portal *p, eng_table *t, int col, pgw_error *err)
{
    fill_job j = {t, col, NULL, NULL};
    if (!t->cols[col].def)
        return 0; /* NULL: what the rows read already */
    if (eng_bind_default(p->mem, &p->env, t, col, &j.def, err))
        return -1;
    int rc = each_row(p, t, fill_row, &j, err);
    eng_rowcons_free(j.cons);
    return rc;
}

typedef struct versions {
    uint64_t *ids;
    size_t n, cap;
    bool failed;
} versions;

static int note_version(void *ctx, uint64_t rowid, const void *data, size_t len)
{
    versions *v = ctx;
    (void)data, (void)len;
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 64;
        uint64_t *x = mem_realloc(v->ids, nc * sizeof(*x));
        if (!x)
            return v->failed = true, 1;
        v->ids = x;
        v->cap = nc;
    }
    v->ids[v->n++] = rowid;
    return 0;
}

/* Whether another transaction still open wrote rows of t: their versions are in t's row
 * layout, which DROP COLUMN is about to change. */
static int others_writing(sql_portal *p, const eng_table *t, bool *busy, pgw_error *err)
{
    versions v = {0};
    int rc = st_scan_versions(p->s->stx, t->st, note_version, &v);
    *busy = false;
    for (size_t i = 0; !rc && !*busy && i < v.n; i++) {
        st_row r;
        *busy = (i > 0 && v.ids[i] == v.ids[i - 1]) || st_get(p->s->stx, t->st, v.ids[i], &r) != ST_OK;
    }
    mem_free(v.ids);
    if (rc || v.failed)
        return pgw_error_oom(err), -1;
    return 0;
}

typedef struct narrow_job {
    eng_table *nt;
    int col;
} narrow_job;

static int narrow_row(void *ctx, eng_ctx *c, uint64_t rowid, const eng_val *vals)
{
    narrow_job *j = ctx;
    eng_val *nv = arena_calloc(c->mem, (size_t)j->nt->ncols + 1, sizeof(eng_val));
    if (!nv)
        return eng__oom(c);
    memcpy(nv, vals, sizeof(eng_val) * (size_t)j->col);
    memcpy(nv + j->col, vals + j->col + 1, sizeof(eng_val) * (size_t)(j->nt->ncols - j->col));
    size_t len;
    uint8_t *data = eng_row_encode(c, j->nt, nv, &len);
    if (!data)
        return -1;
    int rc = st_update(c->env->txn, j->nt->st, rowid, data, len, c->err);
    return rc == ST_OK || rc == ST_NOT_FOUND ? 0 : rc == ST_WOULD_BLOCK ? ENG_BLOCKED : rc == ST_RETRY ? ENG_RETRY : -1;
}

/* k with its columns past col moved down (cols of t; fcols too when k refers to t itself);
 * false when it uses col, so it goes with the column. */
static bool narrow_constraint(arena *a, const eng_table *t, const eng_constraint *k, int col, eng_constraint *out)
{
    *out = *k;
    out->cols = arena_calloc(a, (size_t)k->ncols + 1, sizeof(int));
    out->fcols = k->fcols ? arena_calloc(a, (size_t)k->ncols + 1, sizeof(int)) : NULL;
    bool self = k->kind == 'f' && k->frelid == t->relid;
    for (int i = 0; i < k->ncols; i++) {
        if (k->cols[i] == col || (self && k->fcols[i] == col) || !out->cols || (k->fcols && !out->fcols))
            return false;
        out->cols[i] = k->cols[i] - (k->cols[i] > col);
        if (k->fcols)
            out->fcols[i] = self ? k->fcols[i] - (k->fcols[i] > col) : k->fcols[i];
    }
    return true;
}

/* The foreign keys of other tables referencing t's columns past col follow them down. */
static int renumber_references(sql_portal *p, const eng_table *t, int col, pgw_error *err)
{
    size_t cur = 0;
    for (eng_table *ct; (ct = eng_catalog_next(p->s->srv->cat, &cur));) {
        for (int i = 0; ct != t && i < ct->ncons; i++) {
            const eng_constraint *k = ct->cons[i];
            bool moves = false;
            for (int c = 0; k->kind == 'f' && k->frelid == t->relid && c < k->ncols; c++)
                moves |= k->fcols[c] > col;
            if (!moves)
                continue;
            eng_constraint d = *k;
            if (!(d.fcols = arena_calloc(p->mem, (size_t)k->ncols + 1, sizeof(int))))
                return pgw_error_oom(err), -1;
            for (int c = 0; c < k->ncols; c++)
                d.fcols[c] = k->fcols[c] - (k->fcols[c] > col);
            if (eng_catalog_replace_constraint(p->s->srv->cat, p->s->stx, p->s->ddl, ct, i, &d, err))
                return -1;
        }
    }
    return 0;
}

int sqlc__drop_column(sql_portal *p, eng_table *t, const ast_rename *r, const sql_sink *sink, pgw_error *err)
{
    const char *tn = eng_temp_bare(t->name);
    int col = eng_table_column(t, r->column);
    if (col < 0 && r->drop_if_exists) {
        char *m = arena_printf(p->mem, "column \"%s\" of relation \"%s\" does not exist, skipping", r->column, tn);
        notice(sink, m ? m : "column does not exist, skipping", NULL);
        return 0;
    }
    if (col < 0) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", r->column, tn);
        return -1;
    }
    eng_seq_info si;
    for (size_t i = 0; eng_seq_at(p->s->srv->cat, i, &si); i++) {
        uint32_t rel;
        int c;
        if (eng_seq_owner(p->s->srv->cat, si.name, &rel, &c) && rel == t->relid && c >= col) {
            /* the sequence would keep the old column number */
            pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ALTER TABLE DROP COLUMN is not supported yet before or on a serial or identity column");
            return -1;
        }
    }
    bool busy;
    if (others_writing(p, t, &busy, err))
        return -1;
    if (busy) {
        pgw_error_set(err, "55P03", "could not obtain lock on relation \"%s\"", tn);
        return -1;
    }
    dep *v;
    int n = dependents(p, t, NULL, col, NULL, &v, err);
    char *what = arena_printf(p->mem, "column %s of table %s", r->column, tn);
    char *on = arena_printf(p->mem, " depends on column %s of table %s", r->column, tn);
    if (n < 0 || !what || !on)
        return pgw_error_is_set(err) ? -1 : (pgw_error_oom(err), -1);
    if (drop_dependents(p, what, v, n, r->cascade, on, sink, err))
        return -1;
    eng_constraint *keep = arena_calloc(p->mem, (size_t)t->ncons + 1, sizeof(eng_constraint));
    const eng_constraint **kp = arena_calloc(p->mem, (size_t)t->ncons + 1, sizeof(eng_constraint *));
    int nk = 0;
    if (!keep || !kp)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < t->ncons; i++)
        if (narrow_constraint(p->mem, t, t->cons[i], col, &keep[nk]))
            kp[nk] = &keep[nk], nk++;
    eng_table *nt;
    narrow_job j;
    if (eng_catalog_drop_column(p->s->srv->cat, p->s->stx, p->s->ddl, t, col, kp, nk, &nt, err))
        return -1;
    j = (narrow_job){nt, col};
    return each_row(p, t, narrow_row, &j, err) || renumber_references(p, t, col, err) ? -1 : 0;
}

/* ---- RENAME COLUMN inside CHECK texts ------------------------------------------- */

static bool ident_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || (unsigned char)ch >= 0x80;
}

static bool ident_char(char ch)
{
    return ident_start(ch) || (ch >= '0' && ch <= '9') || ch == '$';
}

/* Does the identifier at p (len bytes, quoted or not) name `name`? */
static bool names(const char *p, size_t len, bool quoted, const char *name)
{
    if (quoted) {
        buf b;
        buf_init(&b);
        for (size_t i = 1; i + 1 < len; i++) {
            buf_append(&b, &p[i], 1);
            i += p[i] == '"';
        }
        bool same = !b.failed && b.len == strlen(name) && memcmp(b.data, name, b.len) == 0;
        buf_free(&b);
        return same;
    }
    if (len != strlen(name))
        return false;
    for (size_t i = 0; i < len; i++)
        if ((p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]) != name[i])
            return false;
    return true;
}

/* text with every column reference to `from` naming `to` (quoted); string literals, function
 * names, qualifiers and type names are left alone. NULL when nothing changed. */
static char *rename_ident(arena *a, const char *text, const char *from, const char *to)
{
    buf b;
    buf_init(&b);
    bool changed = false;
    for (const char *p = text; *p;) {
        size_t len = 0;
        bool quoted = *p == '"';
        if (*p == '\'') {
            for (len = 1; p[len] && !(p[len] == '\'' && p[len + 1] != '\''); len++)
                len += p[len] == '\'';
            len += p[len] == '\'';
        } else if (quoted) {
            for (len = 1; p[len] && !(p[len] == '"' && p[len + 1] != '"'); len++)
                len += p[len] == '"';
            len += p[len] == '"';
        } else if (ident_start(*p) && (p == text || !ident_char(p[-1]))) {
            while (ident_char(p[len]))
                len++;
        }
        if (!len) {
            buf_append(&b, p++, 1);
            continue;
        }
        const char *after = p + len;
        while (*after == ' ' || *after == '\t' || *after == '\n')
            after++;
        bool is_col = *p != '\'' && *after != '(' && *after != '.' && !(p - text >= 2 && p[-1] == ':' && p[-2] == ':');
        if (is_col && names(p, len, quoted, from)) {
            buf_put_str(&b, "\"");
            for (const char *q = to; *q; q++) {
                if (*q == '"')
                    buf_put_str(&b, "\""); /* doubled inside the quotes */
                buf_append(&b, q, 1);
            }
            buf_put_str(&b, "\"");
            changed = true;
        } else {
            buf_append(&b, p, len);
        }
        p += len;
    }
    char *out = changed && !b.failed ? arena_strndup(a, (const char *)b.data, b.len) : NULL;
    buf_free(&b);
    return out;
}

int sqlc__rename_in_checks(sql_portal *p, eng_table *t, const char *from, const char *to, pgw_error *err)
{
    for (int i = 0; i < t->ncons; i++) {
        char *x = t->cons[i]->kind == 'c' ? rename_ident(p->mem, t->cons[i]->expr, from, to) : NULL;
        if (x && eng_catalog_replace_check(p->s->srv->cat, p->s->stx, p->s->ddl, t, i, x, err))
            return -1;
    }
    return 0;
}
