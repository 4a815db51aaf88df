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

#include "engine/catalog.h"
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
        if (e->args[0]->kind == BX_CONST && !e->args[0]->val.null) {
            /* PostgreSQL folds the cast of a constant: '1'::numeric */
            eng_expr lit = *e->args[0];
            buf tmp;
            buf_init(&tmp);
            deparse_const(&lit, &tmp);
            buf_put_u8(&tmp, 0);
            const char *t = tmp.failed ? "" : (const char *)tmp.data;
            if (*t == '\'') {
                const char *end = strstr(t, "'::");
                buf_append(b, t, end ? (size_t)(end - t + 1) : strlen(t));
            } else {
                buf_printf(b, "'%s'", t);
            }
            buf_printf(b, "::%s", eng_type_sqlname(e->type));
            buf_free(&tmp);
            return;
        }
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

/* TEXT: a line per node, properties two columns in. JSON: PostgreSQL's
 * object per node ("Node Type", costs, properties, "Plans"). */

static void indent(eng_plan *p, int n)
{
    for (int i = 0; i < n; i++)
        buf_put_u8(p->out, ' ');
}

static void json_str(buf *b, const char *s)
{
    buf_put_u8(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_printf(b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            buf_printf(b, "\\u%04x", (unsigned char)*s);
        else
            buf_put_u8(b, (uint8_t)*s);
    }
    buf_put_u8(b, '"');
}

/* JSON: start a key (a comma first unless it is the object's first). */
static void json_key(eng_plan *p, const char *key)
{
    if (!p->json_first)
        buf_put_str(p->out, ",\n");
    p->json_first = false;
    indent(p, p->indent);
    json_str(p->out, key);
    buf_put_str(p->out, ": ");
}

static void json_raw(eng_plan *p, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void json_raw(eng_plan *p, const char *key, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    json_key(p, key);
    buf_put_str(p->out, text);
}

void eng__explain_prop(eng_plan *p, const char *key, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (p->json) {
        json_key(p, key);
        json_str(p->out, text);
        return;
    }
    indent(p, p->indent);
    buf_printf(p->out, "%s: %s\n", key, text);
}

bool eng__explain_qualify(const eng_plan *p, const eng_select *sel)
{
    return p->verbose || (sel->from && sel->from->kind == REL_JOIN);
}

void eng__explain_expr(eng_plan *p, const char *key, const eng_node *n, const eng_expr *e, bool agg_row)
{
    buf b;
    buf_init(&b);
    /* PostgreSQL's rule: a scan's quals name columns bare (VERBOSE: qualified); quals
     * above the scans are qualified when the query reads more than one item */
    bool scan = n->rel && n->rel->kind != REL_JOIN && !n->above_project && strcmp(key, "Join Filter") != 0;
    bool qualify = p->verbose || (!scan && n->sel->from && n->sel->from->kind == REL_JOIN);
    deparse(n->sel, e, agg_row, qualify, &b, 0);
    buf_put_u8(&b, 0);
    if (!b.failed)
        eng__explain_prop(p, key, "%s", (const char *)b.data);
    buf_free(&b);
}

typedef struct xopts {
    bool analyze, costs;
} xopts;

static void stats_text(const eng_node *n, const xopts *o, buf *b)
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

static void stats_json(eng_plan *p, const eng_node *n, const xopts *o)
{
    if (o->costs) {
        json_raw(p, "Startup Cost", "%.2f", n->cost0);
        json_raw(p, "Total Cost", "%.2f", n->cost1);
        json_raw(p, "Plan Rows", "%.0f", n->rows);
        json_raw(p, "Plan Width", "%d", n->width);
    }
    if (o->analyze) {
        json_raw(p, "Actual Startup Time", "%.3f", n->t_first);
        json_raw(p, "Actual Total Time", "%.3f", n->t_total);
        json_raw(p, "Actual Rows", "%lld", (long long)n->nrows);
        json_raw(p, "Actual Loops", "%lld", (long long)n->loops);
    }
}

static bool is_named(const eng_node *n, const char *name)
{
    return strcmp(n->ops->name, name) == 0;
}

/* VERBOSE: what a node emits — the query's targets at and above the
 * projection, else the FROM columns of its item. */
static void output_prop(eng_plan *p, const eng_node *n)
{
    const eng_select *sel = n->sel;
    buf b;
    buf_init(&b);
    if (n->above_project || is_named(n, "Aggregate")) {
        bool qualify = sel->from && sel->from->kind == REL_JOIN;
        for (int i = 0; i < sel->nvisible; i++) {
            if (i)
                buf_put_str(&b, ", ");
            deparse(sel, sel->targets[i].expr, sel->grouped, qualify, &b, 0);
        }
    } else if (n->rel) {
        bool qualify = sel->from && sel->from->kind == REL_JOIN;
        for (int i = 0; i < n->rel->ncols; i++) {
            if (i)
                buf_put_str(&b, ", ");
            deparse_col(sel, n->rel->lo + i, qualify, &b);
        }
    }
    buf_put_u8(&b, 0);
    if (!b.failed && b.len > 1)
        eng__explain_prop(p, "Output", "%s", (const char *)b.data);
    buf_free(&b);
}

static void json_names(eng_plan *p, const eng_node *n)
{
    const eng_rel *r = n->rel;
    if (!r || (r->kind != REL_TABLE && r->kind != REL_FUNC))
        return;
    if (r->kind == REL_TABLE) {
        json_key(p, "Relation Name");
        json_str(p->out, r->table->name);
        if (p->verbose) {
            json_key(p, "Schema");
            json_str(p->out, "public");
        }
    } else {
        json_key(p, "Function Name");
        json_str(p->out, r->func->proc->name);
    }
    if (r->alias) {
        json_key(p, "Alias");
        json_str(p->out, r->alias);
    }
}

static void print_node(eng_plan *p, const eng_node *n, const eng_expr *filter, bool filter_agg, int col, bool child,
                       const char *relation, const xopts *o);

/* Nodes PostgreSQL shows that hcdb folds into another: the Hash under a
 * hash join, the Append under a UNION's HashAggregate. */
static const eng_node_ops hash_ops = {"Hash", NULL, NULL, NULL};
static const eng_node_ops append_ops = {"Append", NULL, NULL, NULL};

static const char *join_type(const eng_node *n)
{
    if (!n->rel || n->rel->kind != REL_JOIN)
        return NULL;
    const char *name = n->name_override ? n->name_override : n->ops->name;
    return strstr(name, "Full") ? "Full" : strstr(name, "Left") ? "Left" : "Inner";
}

/* A node's line (TEXT) or the opening of its object (JSON). */
static void open_node(eng_plan *p, const eng_node *n, const char *name, int col, bool child, const char *relation,
                      const xopts *o)
{
    if (p->json) {
        if (!p->json_inline)
            indent(p, p->indent);
        p->json_inline = false;
        buf_put_str(p->out, "{\n");
        p->indent += 2;
        p->json_first = true;
        json_key(p, "Node Type");
        json_str(p->out, name);
        if (n && (strcmp(name, "Aggregate") == 0 || strcmp(name, "HashAggregate") == 0)) {
            json_key(p, "Strategy");
            json_str(p->out, name[0] == 'H' ? "Hashed" : "Plain");
            json_key(p, "Partial Mode");
            json_str(p->out, "Simple");
        }
        if (relation) {
            json_key(p, "Parent Relationship");
            json_str(p->out, relation);
        }
        json_raw(p, "Parallel Aware", "false");
        json_raw(p, "Async Capable", "false");
        if (n)
            json_names(p, n);
        if (n && join_type(n)) {
            json_key(p, "Join Type");
            json_str(p->out, join_type(n));
        }
        if (n)
            stats_json(p, n, o);
        return;
    }
    buf b;
    buf_init(&b);
    if (child)
        buf_put_str(&b, "->  ");
    buf_put_str(&b, name);
    if (n && n->ops->label)
        n->ops->label(n, &b);
    if (n)
        stats_text(n, o, &b);
    buf_put_u8(&b, 0);
    if (!b.failed) {
        indent(p, child ? col - 4 : col);
        buf_put_str(p->out, (const char *)b.data);
        buf_put_u8(p->out, '\n');
    }
    buf_free(&b);
    p->indent = col + 2;
}

static void close_node(eng_plan *p)
{
    if (!p->json)
        return;
    p->indent -= 2;
    buf_put_u8(p->out, '\n');
    indent(p, p->indent);
    buf_put_u8(p->out, '}');
    p->json_first = false;
}

static void children(eng_plan *p, const eng_node *n, int col, const xopts *o)
{
    const eng_node *kids[2] = {n->child, n->child2};
    if (!kids[0] && !kids[1])
        return;
    if (p->json) {
        json_key(p, "Plans");
        buf_put_str(p->out, "[\n");
        p->indent += 2;
    }
    bool hash = is_named(n, "Hash Join");
    bool first = true;
    for (int i = 0; i < 2; i++) {
        if (!kids[i])
            continue;
        if (p->json && !first)
            buf_put_str(p->out, ",\n");
        first = false;
        const char *rel = i == 0 ? (n->child2 || !is_named(n, "Subquery Scan on") ? "Outer" : "Subquery") : "Inner";
        if (is_named(n, "Append"))
            rel = "Member";
        if (i == 1 && hash) {
            /* PostgreSQL shows the hashed side under a Hash node */
            int saved = p->indent;
            eng_node shown = *kids[i];
            shown.ops = &hash_ops;
            shown.rel = NULL;
            open_node(p, &shown, "Hash", col, true, "Inner", o);
            int inner_col = col + 6;
            if (p->json) {
                json_key(p, "Plans");
                buf_put_str(p->out, "[\n");
                p->indent += 2;
            }
            print_node(p, kids[i], NULL, false, inner_col, true, "Outer", o);
            if (p->json) {
                p->indent -= 2;
                buf_put_u8(p->out, '\n');
                indent(p, p->indent);
                buf_put_u8(p->out, ']');
            }
            close_node(p);
            if (!p->json)
                p->indent = saved;
            continue;
        }
        print_node(p, kids[i], NULL, false, col, true, rel, o);
    }
    if (p->json) {
        p->indent -= 2;
        buf_put_u8(p->out, '\n');
        indent(p, p->indent);
        buf_put_u8(p->out, ']');
        p->json_first = false;
    }
}

static void print_node(eng_plan *p, const eng_node *n, const eng_expr *filter, bool filter_agg, int col, bool child,
                       const char *relation, const xopts *o)
{
    if (is_named(n, "Filter")) {
        const eng_filter_state *fs = n->st;
        print_node(p, n->child, fs->cond, fs->agg_row, col, child, relation, o);
        return;
    }
    if (is_named(n, "ProjectSet")) {
        bool srf = false;
        for (int i = 0; i < n->sel->ntargets; i++)
            srf |= n->sel->targets[i].srf;
        if (!srf) {
            print_node(p, n->child, filter, filter_agg, col, child, relation, o);
            return;
        }
    }
    int saved = p->indent;
    open_node(p, n, n->name_override ? n->name_override : n->ops->name, col, child, relation, o);
    if (p->verbose)
        output_prop(p, n);
    if (n->ops->detail)
        n->ops->detail(n, p);
    if (filter)
        eng__explain_expr(p, n->name_override && strcmp(n->name_override, "Index Scan") == 0 ? "Index Cond" : "Filter",
                          n, filter, filter_agg);
    if (n->child2 && is_named(n, "HashSetOp") && n->name_override && strcmp(n->name_override, "HashAggregate") == 0) {
        /* UNION: HashAggregate over an Append of the branches */
        eng_node app = *n;
        app.ops = &append_ops;
        app.name_override = NULL;
        app.above_project = false;
        if (p->json) {
            json_key(p, "Plans");
            buf_put_str(p->out, "[\n");
            p->indent += 2;
        }
        int s2 = p->indent;
        open_node(p, &app, "Append", col + 6, true, "Outer", o);
        children(p, &app, col + 12, o);
        close_node(p);
        if (p->json) {
            p->indent -= 2;
            buf_put_u8(p->out, '\n');
            indent(p, p->indent);
            buf_put_u8(p->out, ']');
        } else {
            p->indent = s2;
        }
    } else {
        children(p, n, col + 6, o);
    }
    close_node(p);
    if (!p->json)
        p->indent = saved;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
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
        p->verbose = o->verbose;
        p->json = o->json;
        if (p->json) {
            buf_put_str(&text, "[\n  {\n");
            p->indent = 4;
            p->json_first = true;
            json_key(p, "Plan");
            p->json_inline = true;
            print_node(p, p->top, NULL, false, 0, false, NULL, &xo);
            if (o->analyze) {
                json_raw(p, "Planning Time", "%.3f", t1 - t0);
                json_raw(p, "Triggers", "[]");
                json_raw(p, "Execution Time", "%.3f", t2 - t1);
            }
            buf_put_str(&text, "\n  }\n]\n");
        } else {
            print_node(p, p->top, NULL, false, 0, false, NULL, &xo);
            if (o->analyze) {
                buf_printf(&text, "Planning Time: %.3f ms\n", t1 - t0);
                buf_printf(&text, "Execution Time: %.3f ms\n", t2 - t1);
            }
        }
        buf_append(out, text.data, text.len);
        if (text.failed || out->failed)
            rc = eng__oom(c);
    }
    buf_free(&text);
    eng__plan_close(p);
    return rc;
}
