/* translate_ext: CREATE EXTENSION and DROP EXTENSION → ast_ext. */
#include <string.h>

#include "sql-compat/translate.h"

static const char *str_arg(PgQuery__Node *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

static int create_ext(PgQuery__CreateExtensionStmt *x, arena *a, ast_stmt *st, pgw_error *err)
{
    ast_ext *e = &st->ext;
    st->kind = STMT_CREATE_EXT;
    st->tag = "CREATE EXTENSION";
    e->if_not_exists = x->if_not_exists;
    e->names.v = arena_calloc(a, 2, sizeof(char *));
    if (!e->names.v)
        return pgw_error_oom(err), -1;
    e->names.v[e->names.n++] = x->extname;
    for (size_t i = 0; i < x->n_options; i++) {
        if (x->options[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
            continue;
        PgQuery__DefElem *d = x->options[i]->def_elem;
        if (strcmp(d->defname, "schema") == 0)
            e->schema = str_arg(d->arg);
        else if (strcmp(d->defname, "new_version") == 0)
            e->version = str_arg(d->arg);
        else if (strcmp(d->defname, "cascade") == 0)
            e->cascade = !d->arg || d->arg->node_case != PG_QUERY__NODE__NODE_BOOLEAN || d->arg->boolean->boolval;
    }
    return 0;
}

static int drop_ext(PgQuery__DropStmt *x, arena *a, ast_stmt *st, pgw_error *err)
{
    ast_ext *e = &st->ext;
    st->kind = STMT_DROP_EXT;
    st->tag = "DROP EXTENSION";
    e->if_not_exists = x->missing_ok;
    e->cascade = x->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    e->names.v = arena_calloc(a, x->n_objects + 1, sizeof(char *));
    if (!e->names.v)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < x->n_objects; i++) {
        const char *name = str_arg(x->objects[i]);
        if (!name) {
            pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "invalid extension name");
            return -1;
        }
        e->names.v[e->names.n++] = name;
    }
    return 0;
}

int sqlc__translate_ext_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err)
{
    if (n->node_case == PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT)
        return create_ext(n->create_extension_stmt, a, st, err);
    if (n->node_case == PG_QUERY__NODE__NODE_DROP_STMT &&
        n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION)
        return drop_ext(n->drop_stmt, a, st, err);
    return 1;
}
