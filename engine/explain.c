/*
 * explain: EXPLAIN [ANALYZE] [VERBOSE] [(FORMAT TEXT|JSON)] — the plan tree
 * the executor really runs, printed in PostgreSQL's text layout (a node per
 * line, "->  " for children, property lines two columns in) or as its JSON
 * list. Each node kind names itself through its eng_node_ops (name, label,
 * detail). Filters the executor keeps as separate nodes are shown as the
 * "Filter:" line of the node below, as PostgreSQL shows quals.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/exec_node.h"

/* ---- expressions ------------------------------------------------------ */

static void deparse(const eng_select *sel, const eng_expr *e, bool agg_row, bool qualify, buf *b, int depth);

static void deparse_const(const eng_expr *e, buf *b)
{
    if (e->val.null) {
        buf_put_str(b, "NULL");
        return;
    }
    const eng_type *t = eng_type_by_oid(e->type);
    arena *a = arena_new();
    pgw_error err;
    pgw_error_clear(&err);
    eng_ctx c = {.mem = a, .err = &err};
    size_t len = 0;
    char *s = a && t && t->out ? t->out(&c, &e->val, &len) : NULL;
    bool quoted = t && t->category != 'N';
    if (quoted)
        buf_put_str(b, "'");
    if (s)
        buf_append(b, s, len);
    if (quoted)
        buf_printf(b, "'::%s", eng_type_sqlname(e->type));
    arena_free(a);
}

static void deparse_col(const eng_select *sel, int index, bool qualify, buf *b)
{
    if (!sel->col_names || index < 0 || index >= sel->width) {
        buf_printf(b, "$%d", index);
        return;
    }
    if (qualify && sel->col_rels[index])
        buf_printf(b, "%s.", sel->col_rels[index]);
    buf_put_str(b, sel->col_names[index] ? sel->col_names[index] : "?");
}

static void deparse_agg_row(const eng_select *sel, const eng_expr *e, bool qualify, buf *b, int depth)
{
    if (e->index < sel->ngroup) {
        deparse(sel, sel->group[e->index], false, qualify, b, depth + 1);
        return;
    }
    const eng_agg *g = &sel->aggs[e->index - sel->ngroup];
    buf_printf(b, "%s(", g->name ? g->name : "agg");
    if (g->distinct)
        buf_put_str(b, "DISTINCT ");
    if (g->kind == AGG_COUNT_STAR)
        buf_put_str(b, "*");
    else
        deparse(sel, g->arg, false, qualify, b, depth + 1);
    buf_put_str(b, ")");
}

static void deparse(const eng_select *sel, const eng_expr *e, bool agg_row, bool qualify, buf *b, int depth)
{
    if (!e || depth > 100) {
        buf_put_str(b, "...");
        return;
    }
    switch (e->kind) {
    case BX_CONST:
        deparse_const(e, b);
        return;
    case BX_PARAM:
        buf_printf(b, "$%d", e->index + 1);
        return;
    case BX_SCANCOL:
        if (agg_row)
            deparse_agg_row(sel, e, qualify, b, depth);
        else
            deparse_col(sel, e->index, qualify, b);
        return;
    case BX_AGG:
        deparse_agg_row(sel, e, qualify, b, depth);
        return;
    case BX_SUBLINK:
        buf_put_str(b, e->ival == SUBLINK_EXISTS ? "(EXISTS (SubPlan))" : "(SubPlan)");
        return;
    case BX_AND: case BX_OR:
        buf_put_str(b, "(");
        for (int i = 0; i < e->nargs; i++) {
            if (i)
                buf_put_str(b, e->kind == BX_AND ? " AND " : " OR ");
            deparse(sel, e->args[i], agg_row, qualify, b, depth + 1);
        }
        buf_put_str(b, ")");
        return;
    case BX_NOT:
        buf_put_str(b, "(NOT ");
        deparse(sel, e->args[0], agg_row, qualify, b, depth + 1);
        buf_put_str(b, ")");
        return;
    case BX_ISNULL:
        buf_put_str(b, "(");
        deparse(sel, e->args[0], agg_row, qualify, b, depth + 1);
        buf_put_str(b, e->negate ? " IS NOT NULL)" : " IS NULL)");
        return;
    case BX_FUNC:
        if (e->proc->is_op && e->nargs == 2) {
            buf_put_str(b, "(");
            deparse(sel, e->args[0], agg_row, qualify, b, depth + 1);
            buf_printf(b, " %s ", e->proc->name);
            deparse(sel, e->args[1], agg_row, qualify, b, depth + 1);
            buf_put_str(b, ")");
            return;
        }
        buf_printf(b, "%s(", e->proc->name);
        for (int i = 0; i < e->nargs; i++) {
            if (i)
                buf_put_str(b, ", ");
            deparse(sel, e->args[i], agg_row, qualify, b, depth + 1);
        }
        buf_put_str(b, ")");
        return;
    case BX_CAST: case BX_IOCAST:
        buf_put_str(b, "(");
        deparse(sel, e->args[0], agg_row, qualify, b, depth + 1);
        buf_printf(b, ")::%s", eng_type_sqlname(e->type));
        return;
    default:
        if (e->nargs == 1) {
            deparse(sel, e->args[0], agg_row, qualify, b, depth + 1);
            return;
        }
        buf_put_str(b, "CASE ... END");
    }
}

void eng__deparse(const eng_select *sel, const eng_expr *e, bool agg_row, bool qualify, buf *b)
{
    deparse(sel, e, agg_row, qualify, b, 0);
}

/* ---- output ------------------------------------------------------------- */

static void line(eng_plan *p, int col, const char *text)
{
    for (int i = 0; i < col; i++)
        buf_put_u8(p->out, ' ');
    buf_put_str(p->out, text);
    buf_put_u8(p->out, '\n');
}

void eng__explain_prop(eng_plan *p, const char *key, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    for (int i = 0; i < p->indent; i++)
        buf_put_u8(p->out, ' ');
    buf_printf(p->out, "%s: %s\n", key, text);
}

void eng__explain_expr(eng_plan *p, const char *key, const eng_node *n, const eng_expr *e, bool agg_row)
{
    buf b;
    buf_init(&b);
    bool qualify = n->sel->from && n->sel->from->kind == REL_JOIN;
    deparse(n->sel, e, agg_row, qualify, &b, 0);
    buf_put_u8(&b, 0);
    if (!b.failed)
        eng__explain_prop(p, key, "%s", (const char *)b.data);
    buf_free(&b);
}

typedef struct xopts {
    bool analyze, costs;
} xopts;

static void stats(const eng_node *n, const xopts *o, buf *b)
{
    if (o->costs)
        buf_printf(b, "  (cost=%.2f..%.2f rows=%.0f width=%d)", n->cost0, n->cost1, n->rows, n->width);
    if (!o->analyze)
        return;
    if (!n->loops)
        buf_put_str(b, o->costs ? " (never executed)" : "  (never executed)");
    else
        buf_printf(b, "%s(actual time=%.3f..%.3f rows=%lld loops=%lld)", o->costs ? " " : "  ", n->t_first,
                   n->t_total, (long long)n->nrows, (long long)n->loops);
}

static bool is_named(const eng_node *n, const char *name)
{
    return strcmp(n->ops->name, name) == 0;
}

static void print_node(eng_plan *p, const eng_node *n, const eng_expr *filter, bool filter_agg, int col, bool child,
                       const xopts *o);

/* col: where the children's names start. */
static void print_children(eng_plan *p, const eng_node *n, int col, const xopts *o)
{
    const eng_node *kids[2] = {n->child, n->child2};
    bool hash = is_named(n, "Hash Join");
    for (int i = 0; i < 2; i++) {
        if (!kids[i])
            continue;
        if (i == 1 && hash) {
            /* PostgreSQL shows the hashed side under a Hash node */
            buf b;
            buf_init(&b);
            buf_put_str(&b, "->  Hash");
            stats(kids[i], o, &b);
            buf_put_u8(&b, 0);
            if (!b.failed)
                line(p, col - 4, (const char *)b.data);
            buf_free(&b);
            print_node(p, kids[i], NULL, false, col + 6, true, o);
            continue;
        }
        print_node(p, kids[i], NULL, false, col, true, o);
    }
}

static void print_node(eng_plan *p, const eng_node *n, const eng_expr *filter, bool filter_agg, int col, bool child,
                       const xopts *o)
{
    if (is_named(n, "Filter")) {
        const eng_filter_state *fs = n->st;
        print_node(p, n->child, fs->cond, fs->agg_row, col, child, o);
        return;
    }
    if (is_named(n, "ProjectSet")) {
        bool srf = false;
        for (int i = 0; i < n->sel->ntargets; i++)
            srf |= n->sel->targets[i].srf;
        if (!srf) {
            print_node(p, n->child, filter, filter_agg, col, child, o);
            return;
        }
    }
    buf b;
    buf_init(&b);
    if (child)
        buf_put_str(&b, "->  ");
    buf_put_str(&b, n->name_override ? n->name_override : n->ops->name);
    if (n->ops->label)
        n->ops->label(n, &b);
    stats(n, o, &b);
    buf_put_u8(&b, 0);
    if (!b.failed)
        line(p, child ? col - 4 : col, (const char *)b.data);
    buf_free(&b);
    int saved = p->indent;
    p->indent = col + 2;
    if (n->ops->detail)
        n->ops->detail(n, p);
    if (filter)
        eng__explain_expr(p, n->name_override && strcmp(n->name_override, "Index Scan") == 0 ? "Index Cond" : "Filter",
                          n, filter, filter_agg);
    p->indent = saved;
    print_children(p, n, col + 6, o);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* JSON: the text form, one line per array element. Enough for tools that
 * only display it; a structured form is future work. */
static int to_json(buf *text, buf *out)
{
    buf_put_str(out, "[\n  {\n    \"Plan\": \"");
    for (size_t i = 0; i < text->len; i++) {
        uint8_t ch = text->data[i];
        if (ch == '\n')
            buf_put_str(out, "\\n");
        else if (ch == '"' || ch == '\\')
            buf_printf(out, "\\%c", ch);
        else
            buf_put_u8(out, ch);
    }
    buf_put_str(out, "\"\n  }\n]\n");
    return out->failed ? -1 : 0;
}

int eng_explain(arena *a, const eng_select *sel, eng_ctx *c, const eng_explain_opts *o, buf *out)
{
    double t0 = now_ms();
    eng_plan *p;
    if (eng__plan_open(a, sel, c, o->analyze, &p))
        return -1;
    double t1 = now_ms();
    int rc = 0;
    if (o->analyze) {
        struct eng_subcache *saved = c->subcache;
        c->subcache = eng__subcache(p);
        arena *rows = arena_new();
        eng_ctx cc = *c;
        cc.mem = rows ? rows : c->mem;
        for (;;) {
            if (rows)
                arena_reset(rows);
            const eng_val *row;
            int r = eng__next(p->top, &cc, &row);
            if (r <= 0) {
                rc = r;
                break;
            }
        }
        arena_free(rows);
        c->subcache = saved;
    }
    double t2 = now_ms();
    buf text;
    buf_init(&text);
    if (rc == 0) {
        xopts xo = {o->analyze, o->costs};
        p->out = &text;
        print_node(p, p->top, NULL, false, 0, false, &xo);
        if (o->analyze) {
            buf_printf(&text, "Planning Time: %.3f ms\n", t1 - t0);
            buf_printf(&text, "Execution Time: %.3f ms\n", t2 - t1);
        }
        if (o->json)
            rc = to_json(&text, out);
        else
            buf_append(out, text.data, text.len);
        if (text.failed || out->failed)
            rc = eng__oom(c);
    }
    buf_free(&text);
    eng__plan_close(p);
    return rc;
}
