/*
 * translate_utility: BEGIN/COMMIT/ROLLBACK, SET/RESET, SHOW → AST; every
 * other statement kind is refused with 0A000 naming its command.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <pg_query/pg_query.pb-c.h>

#include "sql-compat/translate.h"
#include "util/buf.h"

static int refuse(pgw_error *err, const char *what)
{
    pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported yet", what);
    return -1;
}

/* BEGIN ISOLATION LEVEL ... / READ ONLY: DefElems named transaction_*. */
static int txn_options(PgQuery__Node **opts, size_t n, ast_txn *tx, pgw_error *err)
{
    tx->read_only = -1;
    for (size_t i = 0; i < n; i++) {
        if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
            return refuse(err, "this transaction option");
        PgQuery__DefElem *d = opts[i]->def_elem;
        PgQuery__Node *arg = d->arg;
        PgQuery__AConst *c = arg && arg->node_case == PG_QUERY__NODE__NODE_A_CONST ? arg->a_const : NULL;
        if (strcmp(d->defname, "transaction_isolation") == 0 && c && c->val_case == PG_QUERY__A__CONST__VAL_SVAL)
            tx->isolation = c->sval->sval;
        else if (strcmp(d->defname, "transaction_read_only") == 0 && c && c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
            tx->read_only = c->ival->ival != 0;
        else if (strcmp(d->defname, "transaction_deferrable") == 0)
            continue; /* DEFERRABLE only matters for SERIALIZABLE READ ONLY; accepted as PostgreSQL does */
        else
            return refuse(err, "this transaction option");
    }
    return 0;
}

static int txn_stmt(PgQuery__TransactionStmt *t, ast_stmt *st, pgw_error *err)
{
    st->kind = STMT_TXN;
    switch (t->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
        st->txn.kind = TXN_BEGIN;
        st->tag = "BEGIN";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        st->txn.kind = TXN_START;
        st->tag = "START TRANSACTION";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
        st->txn.kind = TXN_COMMIT;
        st->tag = "COMMIT";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        st->txn.kind = TXN_ROLLBACK;
        st->tag = "ROLLBACK";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
        st->txn.kind = TXN_SAVEPOINT;
        st->tag = "SAVEPOINT";
        st->txn.savepoint = t->savepoint_name;
        return 0;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
        st->txn.kind = TXN_RELEASE;
        st->tag = "RELEASE";
        st->txn.savepoint = t->savepoint_name;
        return 0;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
        st->txn.kind = TXN_ROLLBACK_TO;
        st->tag = "ROLLBACK";
        st->txn.savepoint = t->savepoint_name;
        return 0;
    default:
        return refuse(err, "two-phase commit");
    }
    if (t->chain)
        return refuse(err, "AND CHAIN");
    return txn_options(t->options, t->n_options, &st->txn, err);
}

/* quote_identifier: quote unless all lower-case letters, digits, _ and
 * not starting with a digit (hcdb does not check keywords yet). */
static void put_ident(buf *b, const char *s)
{
    bool safe = s[0] && !isdigit((unsigned char)s[0]);
    for (const char *p = s; *p && safe; p++)
        safe = (*p >= 'a' && *p <= 'z') || isdigit((unsigned char)*p) || *p == '_';
    if (safe) {
        buf_put_str(b, s);
        return;
    }
    buf_put_u8(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_put_u8(b, '"');
        buf_put_u8(b, (uint8_t)*p);
    }
    buf_put_u8(b, '"');
}

/* flatten_set_variable_args(): the argument list as one string. Numeric
 * TimeZone arguments become PostgreSQL's POSIX form "<+05>-05". */
static int flatten_args(const char *name, PgQuery__Node **args, size_t n, arena *a, const char **out, pgw_error *err)
{
    bool list = sqlc_setting_is_list(name);
    if (n > 1 && !list) {
        pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "SET %s takes only one argument", name);
        return -1;
    }
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        PgQuery__Node *arg = args[i];
        if (i)
            buf_put_str(&b, ", ");
        if (arg->node_case != PG_QUERY__NODE__NODE_A_CONST || arg->a_const->isnull) {
            buf_free(&b);
            return refuse(err, "this SET value form");
        }
        PgQuery__AConst *c = arg->a_const;
        bool numeric = c->val_case == PG_QUERY__A__CONST__VAL_IVAL || c->val_case == PG_QUERY__A__CONST__VAL_FVAL;
        char num[64] = "";
        if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
            snprintf(num, sizeof(num), "%d", c->ival->ival);
        else if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL)
            snprintf(num, sizeof(num), "%s", c->fval->fval);
        if (numeric && strcasecmp(name, "timezone") == 0) {
            double h = atof(num);
            int secs = (int)(h * 3600 + (h < 0 ? -0.5 : 0.5));
            int as = secs < 0 ? -secs : secs;
            char fmt[32];
            if (as % 3600)
                snprintf(fmt, sizeof(fmt), "%02d:%02d", as / 3600, as / 60 % 60);
            else
                snprintf(fmt, sizeof(fmt), "%02d", as / 3600);
            buf_printf(&b, "<%c%s>%c%s", secs < 0 ? '-' : '+', fmt, secs < 0 ? '+' : '-', fmt);
        } else if (numeric) {
            buf_put_str(&b, num);
        } else if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL) {
            if (list)
                put_ident(&b, c->sval->sval);
            else
                buf_put_str(&b, c->sval->sval);
        } else if (c->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL) {
            buf_put_str(&b, c->boolval->boolval ? "true" : "false");
        } else {
            buf_free(&b);
            return refuse(err, "this SET value form");
        }
    }
    buf_put_u8(&b, 0);
    if (b.failed) {
        buf_free(&b);
        return pgw_error_oom(err), -1;
    }
    *out = arena_strdup(a, (const char *)b.data);
    buf_free(&b);
    return *out ? 0 : (pgw_error_oom(err), -1);
}

static int set_stmt(PgQuery__VariableSetStmt *v, arena *a, ast_stmt *st, pgw_error *err)
{
    st->kind = STMT_SET;
    st->tag = "SET";
    ast_set *s = &st->set;
    s->name = v->name;
    s->is_local = v->is_local;
    switch (v->kind) {
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE:
        s->kind = SET_VALUE;
        return flatten_args(v->name, v->args, v->n_args, a, &s->value, err);
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:
        s->kind = SET_DEFAULT;
        return 0;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET:
        s->kind = SET_RESET;
        st->tag = "RESET";
        return 0;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL:
        s->kind = SET_RESET_ALL;
        st->tag = "RESET";
        return 0;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_MULTI:
        if (strcmp(v->name, "TRANSACTION") == 0 || strcmp(v->name, "SESSION CHARACTERISTICS") == 0) {
            s->kind = SET_TXN;
            return txn_options(v->args, v->n_args, &s->txn, err);
        }
        return refuse(err, v->name);
    default:
        return refuse(err, "SET ... FROM CURRENT");
    }
}

/* CreateCommandTag()'s names for the statements a client is likely to send. */
static const char *command_name(PgQuery__Node *n)
{
    static const struct { PgQuery__Node__NodeCase k; const char *name; } names[] = {
        {PG_QUERY__NODE__NODE_INSERT_STMT, "INSERT"},
        {PG_QUERY__NODE__NODE_UPDATE_STMT, "UPDATE"},
        {PG_QUERY__NODE__NODE_DELETE_STMT, "DELETE"},
        {PG_QUERY__NODE__NODE_CREATE_STMT, "CREATE TABLE"},
        {PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT, "CREATE TABLE AS"},
        {PG_QUERY__NODE__NODE_DROP_STMT, "DROP"},
        {PG_QUERY__NODE__NODE_ALTER_TABLE_STMT, "ALTER TABLE"},
        {PG_QUERY__NODE__NODE_INDEX_STMT, "CREATE INDEX"},
        {PG_QUERY__NODE__NODE_VIEW_STMT, "CREATE VIEW"},
        {PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT, "CREATE SCHEMA"},
        {PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT, "CREATE EXTENSION"},
        {PG_QUERY__NODE__NODE_TRUNCATE_STMT, "TRUNCATE TABLE"},
        {PG_QUERY__NODE__NODE_COPY_STMT, "COPY"},
        {PG_QUERY__NODE__NODE_VACUUM_STMT, "VACUUM"},
        {PG_QUERY__NODE__NODE_EXPLAIN_STMT, "EXPLAIN"},
        {PG_QUERY__NODE__NODE_PREPARE_STMT, "PREPARE"},
        {PG_QUERY__NODE__NODE_EXECUTE_STMT, "EXECUTE"},
        {PG_QUERY__NODE__NODE_DEALLOCATE_STMT, "DEALLOCATE"},
        {PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT, "DECLARE CURSOR"},
        {PG_QUERY__NODE__NODE_FETCH_STMT, "FETCH"},
        {PG_QUERY__NODE__NODE_CLOSE_PORTAL_STMT, "CLOSE CURSOR"},
        {PG_QUERY__NODE__NODE_LOCK_STMT, "LOCK TABLE"},
        {PG_QUERY__NODE__NODE_LISTEN_STMT, "LISTEN"},
        {PG_QUERY__NODE__NODE_NOTIFY_STMT, "NOTIFY"},
        {PG_QUERY__NODE__NODE_DISCARD_STMT, "DISCARD"},
        {PG_QUERY__NODE__NODE_DO_STMT, "DO"},
        {PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT, "CREATE FUNCTION"},
        {PG_QUERY__NODE__NODE_CREATEDB_STMT, "CREATE DATABASE"},
        {PG_QUERY__NODE__NODE_CREATE_ROLE_STMT, "CREATE ROLE"},
        {PG_QUERY__NODE__NODE_GRANT_STMT, "GRANT"},
        {PG_QUERY__NODE__NODE_COMMENT_STMT, "COMMENT"},
        {PG_QUERY__NODE__NODE_CHECK_POINT_STMT, "CHECKPOINT"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].k == n->node_case)
            return names[i].name;
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor,
                                                                                (unsigned)n->node_case);
    return f && f->descriptor ? ((const ProtobufCMessageDescriptor *)f->descriptor)->short_name : "this statement";
}

int sqlc__translate_utility(const char *text, PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
        return sqlc__explain_stmt(&(tctx){.text = text, .a = a, .err = err}, n->explain_stmt, st);
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        return txn_stmt(n->transaction_stmt, st, err);
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
        return set_stmt(n->variable_set_stmt, a, st, err);
    case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT: {
        int rc = set_stmt(n->alter_system_stmt->setstmt, a, st, err);
        st->kind = STMT_ALTER_SYSTEM;
        st->tag = "ALTER SYSTEM";
        return rc;
    }
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
        st->kind = STMT_SHOW;
        st->tag = "SHOW";
        st->show = n->variable_show_stmt->name;
        return 0;
    default: {
        int rc = sqlc__translate_ext_stmt(n, a, st, err);
        if (rc == 1)
            rc = sqlc__translate_seq_stmt(n, a, st, err);
        if (rc == 1)
            rc = sqlc__translate_role_stmt(n, a, st, err);
        if (rc == 1)
            rc = sqlc__translate_grant_stmt(n, a, st, err);
        if (rc == 1)
            rc = sqlc__translate_table_stmt(text, n, a, st, err);
        return rc == 1 ? refuse(err, command_name(n)) : rc;
    }
    }
}
