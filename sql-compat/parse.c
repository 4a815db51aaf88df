/*
 * parse: the libpg_query boundary (see parse.h).
 *
 * Before parsing, the text is checked for valid UTF-8 (22021, as
 * PostgreSQL's pg_verify_mbstr) and for nesting depth: libpg_query's
 * protobuf output recurses once per tree level with ~2 kB of stack per
 * level and has no depth check, so `1+1+...` with a few thousand terms
 * would overflow the stack. A light scan over the text (skipping literals
 * and comments) bounds the depth from above and refuses it with 54001, as
 * PostgreSQL's check_stack_depth() would.
 */
#include "sql-compat/translate.h"

#include <ctype.h>
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <strings.h>
#include <strings.h>
#include <string.h>

#include "engine/types/text.h"
#include "engine/value.h"
#include "util/mem.h"

struct sqlc_parsed {
    int refs;          /* the batch and every statement prepared from it */
    char *text;
    PgQuery__ParseResult *tree;
};

int sqlc_char_position(const char *text, int byte_loc)
{
    if (byte_loc < 0)
        return 0;
    return (int)eng_utf8_len(text, (size_t)byte_loc) + 1;
}

void sqlc_set_position(pgw_error *err, const char *text, int byte_loc)
{
    if (byte_loc >= 0)
        err->position = sqlc_char_position(text, byte_loc);
}

/* Skip a quoted literal or comment starting at s[i]; returns the index after it. */
static size_t skip_token(const char *s, size_t n, size_t i)
{
    if (s[i] == '\'' || s[i] == '"') {
        char q = s[i++];
        bool esc = s[i - 1] == '\'' && i >= 2 && (s[i - 2] == 'E' || s[i - 2] == 'e');
        while (i < n) {
            if (esc && s[i] == '\\' && i + 1 < n)
                i += 2;
            else if (s[i] == q && i + 1 < n && s[i + 1] == q)
                i += 2;
            else if (s[i] == q)
                return i + 1;
            else
                i++;
        }
        return n;
    }
    if (s[i] == '-' && i + 1 < n && s[i + 1] == '-') {
        while (i < n && s[i] != '\n')
            i++;
        return i;
    }
    if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
        int level = 1;
        i += 2;
        while (i < n && level > 0) {
            if (s[i] == '/' && i + 1 < n && s[i + 1] == '*')
                level++, i += 2;
            else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/')
                level--, i += 2;
            else
                i++;
        }
        return i;
    }
    if (s[i] == '$') {
        size_t j = i + 1;
        while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'))
            j++;
        if (j < n && s[j] == '$' && !(j > i + 1 && isdigit((unsigned char)s[i + 1]))) {
            size_t tl = j - i + 1;
            for (size_t k = j + 1; k + tl <= n; k++)
                if (memcmp(s + k, s + i, tl) == 0)
                    return k + tl;
            return n;
        }
    }
    return i + 1;
}

/* An upper bound of the parse tree's depth: parentheses and brackets nest,
 * and every operator (or NOT) between two commas of one level adds a level,
 * since PostgreSQL's grammar builds operator chains as left-deep trees. */
static bool too_deep(const char *s, size_t n)
{
    enum { MAXLV = ENG_MAX_DEPTH + 2 };
    static const char opchars[] = "+-*/<>=~!@#%^&|`?:";
    if (n < ENG_MAX_DEPTH)
        return false;
    int ops[MAXLV];
    int level = 0, depth = 0;
    ops[0] = 0;
    for (size_t i = 0; i < n;) {
        char ch = s[i];
        if (ch == '\'' || ch == '"' || ch == '$' || (ch == '-' && i + 1 < n && s[i + 1] == '-') ||
            (ch == '/' && i + 1 < n && s[i + 1] == '*')) {
            size_t j = skip_token(s, n, i);
            if (j != i + 1 || ch == '\'' || ch == '"') {
                i = j;
                continue;
            }
        }
        if (ch == '(' || ch == '[') {
            if (++level >= MAXLV)
                return true;
            ops[level] = 0;
            depth++;
        } else if ((ch == ')' || ch == ']') && level > 0) {
            depth -= 1 + ops[level];
            level--;
        } else if (ch == ',' || ch == ';') {
            depth -= ops[level];
            ops[level] = 0;
        } else if (strchr(opchars, ch) ||
                   ((ch == 'n' || ch == 'N') && i + 3 <= n && strncasecmp(s + i, "not", 3) == 0 &&
                    (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
                    (i + 3 == n || !isalnum((unsigned char)s[i + 3])))) {
            ops[level]++;
            depth++;
        }
        if (depth > ENG_MAX_DEPTH)
            return true;
        i++;
    }
    return false;
}

int sqlc_parse(const char *text, sqlc_parsed **out, pgw_error *err)
{
    size_t n = strlen(text);
    size_t ok = eng_utf8_valid_prefix(text, n);
    if (ok != n) {
        eng_utf8_error(err, text + ok, n - ok);
        return -1;
    }
    if (too_deep(text, n)) {
        eng_err_depth(err);
        return -1;
    }
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(text);
    if (r.error) {
        /* libpg_query reports the grammar's message and 1-based character cursor. */
        pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "%s", r.error->message);
        if (strncmp(r.error->message, "stack depth limit exceeded", 26) == 0)
            eng_err_depth(err);
        /* the grammar's hint, which libpg_query's error does not carry */
        if (strcmp(r.error->message, "subquery in FROM must have an alias") == 0)
            pgw_error_hint(err, "For example, FROM (SELECT ...) [AS] foo.");
        err->position = r.error->cursorpos;
        pg_query_free_protobuf_parse_result(r);
        return -1;
    }
    PgQuery__ParseResult *tree = pg_query__parse_result__unpack(NULL, r.parse_tree.len, (const uint8_t *)r.parse_tree.data);
    pg_query_free_protobuf_parse_result(r);
    sqlc_parsed *p = mem_calloc(1, sizeof(*p));
    char *copy = mem_strdup(text);
    if (!tree || !p || !copy) {
        if (tree)
            pg_query__parse_result__free_unpacked(tree, NULL);
        mem_free(p);
        mem_free(copy);
        pgw_error_oom(err);
        return -1;
    }
    p->refs = 1;
    p->text = copy;
    p->tree = tree;
    *out = p;
    return 0;
}

sqlc_parsed *sqlc_parsed_ref(sqlc_parsed *p)
{
    p->refs++;
    return p;
}

void sqlc_parsed_free(sqlc_parsed *p)
{
    if (!p || --p->refs > 0)
        return;
    pg_query__parse_result__free_unpacked(p->tree, NULL);
    mem_free(p->text);
    mem_free(p);
}

int sqlc_nstmts(const sqlc_parsed *p)
{
    return (int)p->tree->n_stmts;
}

void sqlc_stmt_range(const sqlc_parsed *p, int i, int *loc, int *len)
{
    PgQuery__RawStmt *rs = p->tree->stmts[i];
    *loc = rs->stmt_location;
    /* stmt_len 0 means "to the end of the string" */
    *len = rs->stmt_len ? rs->stmt_len : (int)strlen(p->text) - rs->stmt_location;
}

bool sqlc_stmt_is_txn_exit(const sqlc_parsed *p, int i)
{
    PgQuery__Node *n = p->tree->stmts[i]->stmt;
    if (!n || n->node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT)
        return false;
    PgQuery__TransactionStmtKind k = n->transaction_stmt->kind;
    return k == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ||
           k == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK ||
           k == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO ||
           k == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE ||
           k == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT_PREPARED ||
           k == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_PREPARED;
}


int sqlc_translate(const sqlc_parsed *p, int i, arena *a, ast_stmt **out, pgw_error *err)
{
    return sqlc__translate_stmt(p->text, p->tree->stmts[i]->stmt, a, out, err);
}

const char *sqlc_text(const sqlc_parsed *p)
{
    return p->text;
}
