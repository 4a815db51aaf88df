/*
 * condef: constraints printed as PostgreSQL's pg_get_constraintdef does
 * (ruleutils.c): "CHECK ((v > 0))" plain, "CHECK (v > 0)" pretty (psql's
 * \d), "FOREIGN KEY (aid) REFERENCES a(id) ON DELETE CASCADE".
 * Plain form: every operator, AND/OR, NOT and IS NULL in parentheses.
 * Pretty form: parentheses only where ruleutils' isSimpleNode wants them.
 */
#include <ctype.h>
#include <string.h>

#include "engine/cons.h"
#include "engine/func/registry.h"
#include "engine/temp.h"
#include "engine/types/types.h"

static void sql(const eng_table *t, const eng_expr *e, bool pretty, const eng_expr *parent, buf *b, int depth);

/* A constant: int4 and plain numerics bare, booleans as true/false, the rest 'text'::type. */
static void const_sql(const eng_expr *e, buf *b)
{
    if (e->val.null) {
        buf_put_str(b, "NULL");
        return;
    }
    if (e->type == OID_BOOL) {
        buf_put_str(b, e->val.i ? "true" : "false");
        return;
    }
    const eng_type *ty = eng_type_by_oid(e->type);
    arena *a = arena_new();
    pgw_error err;
    pgw_error_clear(&err);
    eng_ctx c = {.mem = a, .err = &err};
    size_t len = 0;
    char *s = a && ty && ty->out ? ty->out(&c, &e->val, &len) : NULL;
    bool bare = s && len && ((e->type == OID_INT4 && s[0] != '-') ||
                             (e->type == OID_NUMERIC && isdigit((unsigned char)s[0]) && strcspn(s, "eE.") != len));
    if (bare) {
        buf_append(b, s, len);
    } else {
        buf_put_str(b, "'");
        for (size_t i = 0; s && i < len; i++) {
            if (s[i] == '\'')
                buf_put_str(b, "'");
            buf_append(b, &s[i], 1);
        }
        buf_printf(b, "'::%s", eng_type_sqlname(e->type));
    }
    arena_free(a);
}

/* A literal cast to its column's type, folded as the parser folds it: 'x'::text. */
static void cast_const_sql(const eng_expr *e, buf *b)
{
    arena *a = arena_new();
    pgw_error err;
    pgw_error_clear(&err);
    eng_ctx c = {.mem = a, .err = &err};
    eng_expr lit = {.kind = BX_CONST, .type = e->type, .typmod = e->typmod};
    if (a && eng_eval(&c, e, NULL, &lit.val) == 0)
        const_sql(&lit, b);
    else
        buf_put_str(b, "NULL");
    arena_free(a);
}

/* Needs no parentheses before a pretty "::type": a column, a constant, a function call. */
static bool simple_arg(const eng_expr *e)
{
    return e->kind == BX_SCANCOL || e->kind == BX_CONST || (e->kind == BX_FUNC && !e->proc->is_op);
}

static bool is_binop(const eng_expr *e)
{
    return e && e->kind == BX_FUNC && e->proc->is_op && e->nargs == 2;
}

static bool is_bool(const eng_expr *e)
{
    return e && (e->kind == BX_AND || e->kind == BX_OR || e->kind == BX_NOT);
}

static bool is_cast(const eng_expr *e)
{
    return e && (e->kind == BX_CAST || e->kind == BX_IOCAST || e->kind == BX_RELABEL);
}

/* Arithmetic priority of a binary operator: 1 for + -, 2 for * / %, 0 for the rest. */
static int prio(const eng_expr *e)
{
    const char *op = e->proc->name;
    return op[1] ? 0 : strchr("+-", op[0]) ? 1 : strchr("*/%", op[0]) ? 2 : 0;
}

/* ruleutils' isSimpleNode (PRETTYFLAG_PAREN): may e stand without parentheses under parent? */
static bool simple(const eng_expr *e, const eng_expr *parent)
{
    if (!parent)
        return true;
    if (is_binop(e) && is_binop(parent)) {
        int p = prio(e), pp = prio(parent);
        if (!p || !pp)
            return false;
        return p > pp || (p == pp && parent->args[0] == e);
    }
    if (is_binop(e) || e->kind == BX_ISNULL || e->kind == BX_BOOLTEST || e->kind == BX_DISTINCT)
        return is_bool(parent) || (parent->kind == BX_FUNC && !is_cast(parent) && !parent->proc->is_op) ||
               parent->kind == BX_COALESCE || parent->kind == BX_CASE;
    if (e->kind == BX_AND || e->kind == BX_NOT)
        return parent->kind == BX_AND || parent->kind == BX_OR;
    if (e->kind == BX_OR)
        return parent->kind == BX_OR;
    return true;
}

/* e as an argument of parent: in parentheses unless simple there. */
static void arg_sql(const eng_table *t, const eng_expr *e, bool pretty, const eng_expr *parent, buf *b, int depth)
{
    bool paren = pretty && !simple(e, parent);
    if (paren)
        buf_put_str(b, "(");
    sql(t, e, pretty, parent, b, depth + 1);
    if (paren)
        buf_put_str(b, ")");
}

static void list_sql(const eng_table *t, const eng_expr *e, bool pretty, const char *sep, buf *b, int depth)
{
    for (int i = 0; i < e->nargs; i++) {
        if (i)
            buf_put_str(b, sep);
        arg_sql(t, e->args[i], pretty, e, b, depth);
    }
}

static void sql(const eng_table *t, const eng_expr *e, bool pretty, const eng_expr *parent, buf *b, int depth)
{
    (void)parent;
    if (!e || depth > 100) {
        buf_put_str(b, "...");
        return;
    }
    const char *open = pretty ? "" : "(", *close = pretty ? "" : ")";
    switch (e->kind) {
    case BX_CONST:
        const_sql(e, b);
        return;
    case BX_SCANCOL:
        buf_put_str(b, e->index >= 0 && e->index < t->ncols ? t->cols[e->index].name : "?");
        return;
    case BX_AND: case BX_OR:
        buf_put_str(b, open);
        list_sql(t, e, pretty, e->kind == BX_AND ? " AND " : " OR ", b, depth);
        buf_put_str(b, close);
        return;
    case BX_NOT:
        buf_printf(b, "%sNOT ", open);
        arg_sql(t, e->args[0], pretty, e, b, depth);
        buf_put_str(b, close);
        return;
    case BX_ISNULL:
        buf_put_str(b, open);
        arg_sql(t, e->args[0], pretty, e, b, depth);
        buf_printf(b, " IS %sNULL%s", e->negate ? "NOT " : "", close);
        return;
    case BX_FUNC:
        if (e->proc->is_op && e->nargs == 2) {
            buf_put_str(b, open);
            arg_sql(t, e->args[0], pretty, e, b, depth);
            buf_printf(b, " %s ", e->proc->name);
            arg_sql(t, e->args[1], pretty, e, b, depth);
            buf_put_str(b, close);
            return;
        }
        if (e->proc->is_op) {
            buf_printf(b, "%s%s ", open, e->proc->name);
            arg_sql(t, e->args[0], pretty, e, b, depth);
            buf_put_str(b, close);
            return;
        }
        buf_printf(b, "%s(", e->proc->name);
        list_sql(t, e, pretty, ", ", b, depth);
        buf_put_str(b, ")");
        return;
    case BX_CAST: case BX_IOCAST: case BX_RELABEL:
        if (e->args[0]->kind == BX_CONST && e->args[0]->type == OID_UNKNOWN) {
            cast_const_sql(e, b); /* the parser types a literal where it stands */
            return;
        }
        if (pretty && !simple_arg(e->args[0])) {
            buf_put_str(b, "(");
            sql(t, e->args[0], pretty, e, b, depth + 1);
            buf_put_str(b, ")");
        } else {
            buf_put_str(b, pretty ? "" : "(");
            sql(t, e->args[0], pretty, e, b, depth + 1);
            buf_put_str(b, pretty ? "" : ")");
        }
        buf_printf(b, "::%s", eng_type_sqlname(e->type));
        return;
    default:
        if (e->nargs == 1) {
            sql(t, e->args[0], pretty, e, b, depth + 1);
            return;
        }
        buf_put_str(b, "...");
    }
}

void eng_expr_sql(const eng_table *t, const eng_expr *e, bool pretty, buf *b)
{
    sql(t, e, pretty, NULL, b, 0);
}

static const char *action_sql(char a)
{
    switch (a) {
    case ENG_FK_RESTRICT: return "RESTRICT";
    case ENG_FK_CASCADE: return "CASCADE";
    case ENG_FK_SET_NULL: return "SET NULL";
    case ENG_FK_SET_DEFAULT: return "SET DEFAULT";
    default: return NULL;
    }
}

static void cols_sql(const eng_table *t, const int *cols, int n, buf *b)
{
    for (int i = 0; i < n; i++)
        buf_printf(b, "%s%s", i ? ", " : "", cols[i] >= 0 && cols[i] < t->ncols ? t->cols[cols[i]].name : "?");
}

char *eng_constraint_def(arena *a, const eng_env *env, eng_catalog *cat, const eng_table *t,
                         const eng_constraint *k, bool pretty)
{
    buf b;
    buf_init(&b);
    if (k->kind == 'c') {
        pgw_error err;
        eng_expr *e;
        if (eng_bind_check(a, env, t, k->expr, &e, &err)) {
            buf_free(&b);
            return NULL;
        }
        buf_put_str(&b, "CHECK (");
        eng_expr_sql(t, e, pretty, &b);
        buf_put_str(&b, ")");
    } else {
        const eng_table *ft = eng_catalog_find_relid(cat, k->frelid);
        buf_put_str(&b, "FOREIGN KEY (");
        cols_sql(t, k->cols, k->ncols, &b);
        buf_printf(&b, ") REFERENCES %s(", ft ? eng_temp_bare(ft->name) : "?");
        if (ft)
            cols_sql(ft, k->fcols, k->ncols, &b);
        buf_put_str(&b, ")");
        if (action_sql(k->on_update))
            buf_printf(&b, " ON UPDATE %s", action_sql(k->on_update));
        if (action_sql(k->on_delete))
            buf_printf(&b, " ON DELETE %s", action_sql(k->on_delete));
    }
    char *s = b.failed ? NULL : arena_strndup(a, (const char *)b.data, b.len);
    buf_free(&b);
    return s;
}
