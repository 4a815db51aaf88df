/* translate_seq: CREATE SEQUENCE and DROP SEQUENCE → ast_seq; ALTER TABLE RENAME → ast_rename. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sql-compat/translate.h"

/* An option's number: Integer, or Float for values past int4; 22023 when absent. */
static int num_arg(PgQuery__DefElem *d, int64_t *out, pgw_error *err)
{
    PgQuery__Node *n = d->arg;
    if (n && n->node_case == PG_QUERY__NODE__NODE_INTEGER) {
        *out = n->integer->ival;
        return 0;
    }
    if (n && n->node_case == PG_QUERY__NODE__NODE_FLOAT) {
        char *end;
        errno = 0;
        long long v = strtoll(n->float_->fval, &end, 10);
        if (!errno && !*end) {
            *out = v;
            return 0;
        }
    }
    pgw_error_set(err, "22023", "%s requires a numeric value", d->defname);
    return -1;
}

static int seq_option(PgQuery__DefElem *d, ast_seq *q, pgw_error *err)
{
    const char *k = d->defname;
    if (strcmp(k, "cycle") == 0) {
        q->cycle = !d->arg || d->arg->node_case != PG_QUERY__NODE__NODE_BOOLEAN || d->arg->boolean->boolval;
        return 0;
    }
    if (strcmp(k, "as") == 0) {
        PgQuery__TypeName *t = d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME ? d->arg->type_name : NULL;
        PgQuery__Node *last = t && t->n_names ? t->names[t->n_names - 1] : NULL;
        q->type = last && last->node_case == PG_QUERY__NODE__NODE_STRING ? last->string->sval : NULL;
        return 0;
    }
    struct { const char *name; bool *has; int64_t *v; } opts[] = {
        {"increment", &q->has_incr, &q->incr}, {"minvalue", &q->has_min, &q->minv},
        {"maxvalue", &q->has_max, &q->maxv},   {"start", &q->has_start, &q->start},
        {"cache", &q->has_cache, &q->cache},
    };
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        if (strcmp(k, opts[i].name) != 0)
            continue;
        if (*opts[i].has) {
            pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "conflicting or redundant options");
            return -1;
        }
        /* NO MINVALUE / NO MAXVALUE: no argument, the default */
        if (!d->arg && (opts[i].v == &q->minv || opts[i].v == &q->maxv))
            return 0;
        *opts[i].has = true;
        return num_arg(d, opts[i].v, err);
    }
    pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "sequence option \"%s\" is not supported", k);
    return -1;
}

int sqlc__seq_options(PgQuery__Node **opts, size_t n, ast_seq *q, pgw_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && seq_option(opts[i]->def_elem, q, err))
            return -1;
    return 0;
}

static int create_seq(PgQuery__CreateSeqStmt *x, arena *a, ast_stmt *st, pgw_error *err)
{
    ast_seq *q = &st->seq;
    st->kind = STMT_CREATE_SEQ;
    st->tag = "CREATE SEQUENCE";
    q->missing_ok = x->if_not_exists;
    if (x->sequence->relpersistence && x->sequence->relpersistence[0] == 't') {
        /* as CREATE TEMPORARY TABLE: session-private relations do not exist yet */
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "CREATE TEMPORARY SEQUENCE is not supported yet");
        return -1;
    }
    if (!(q->names.v = arena_calloc(a, 2, sizeof(char *))))
        return pgw_error_oom(err), -1;
    q->names.v[q->names.n++] = x->sequence->relname;
    return sqlc__seq_options(x->options, x->n_options, q, err);
}

static int drop_seq(PgQuery__DropStmt *x, arena *a, ast_stmt *st, pgw_error *err)
{
    ast_seq *q = &st->seq;
    st->kind = STMT_DROP_SEQ;
    st->tag = "DROP SEQUENCE";
    q->missing_ok = x->missing_ok;
    if (!(q->names.v = arena_calloc(a, x->n_objects + 1, sizeof(char *))))
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < x->n_objects; i++) {
        PgQuery__Node *o = x->objects[i];
        PgQuery__Node *last = o->node_case == PG_QUERY__NODE__NODE_LIST && o->list->n_items
                                  ? o->list->items[o->list->n_items - 1] : NULL;
        if (!last || last->node_case != PG_QUERY__NODE__NODE_STRING) {
            pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "invalid sequence name");
            return -1;
        }
        q->names.v[q->names.n++] = last->string->sval;
    }
    return 0;
}

/* ALTER TABLE ... RENAME: the table or one of its columns. */
static int rename_stmt(PgQuery__RenameStmt *x, ast_stmt *st, pgw_error *err)
{
    if ((x->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && x->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN) ||
        (x->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN && x->relation_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) ||
        !x->relation) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "this RENAME is not supported yet");
        return -1;
    }
    st->kind = STMT_RENAME;
    st->tag = "ALTER TABLE";
    st->rename = (ast_rename){.relname = x->relation->relname,
                              .column = x->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN ? x->subname : NULL,
                              .newname = x->newname,
                              .missing_ok = x->missing_ok};
    return 0;
}

int sqlc__translate_seq_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err)
{
    if (n->node_case == PG_QUERY__NODE__NODE_RENAME_STMT)
        return rename_stmt(n->rename_stmt, st, err);
    if (n->node_case == PG_QUERY__NODE__NODE_CREATE_SEQ_STMT)
        return create_seq(n->create_seq_stmt, a, st, err);
    if (n->node_case == PG_QUERY__NODE__NODE_DROP_STMT &&
        n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE)
        return drop_seq(n->drop_stmt, a, st, err);
    return 1;
}
