/*
 * copy: COPY t [(cols)] FROM STDIN and COPY t|(query) TO STDOUT, text and
 * CSV formats, against the contract in sql.h. COPY FROM runs as one
 * storage statement: the first run answers SQL_RUN_COPY_IN, each CopyData
 * payload is split into lines (a partial line waits for the next payload)
 * and every line becomes an inserted row at once; a bad line fails the
 * COPY with 22P02/22P04 naming the line, and the statement rollback leaves
 * nothing of it. The final run after CopyDone reports "COPY n".
 * Text format: fields split by the delimiter, backslash escapes (\t \n \r
 * \b \f \v \\ \N and octal/hex), `\.` ends the data. CSV: quotes, doubled
 * quote (or ESCAPE) inside, unquoted NULL string is NULL, HEADER skipped.
 * Binary (FROM only): PostgreSQL's format — 11-byte signature, int32 flags,
 * int32 header-extension length and its bytes, then per row an int16 field
 * count (-1 ends the data) and per field an int32 length (-1 = NULL) and
 * the type's binary send form, all big-endian; a row is parsed once all of
 * its bytes have arrived.
 */
#include <stdio.h>
#include <string.h>

#include "engine/catalog.h"
#include "engine/types/types.h"
#include "sql-compat/stmt.h"
#include "util/buf.h"
#include "util/mem.h"

typedef struct sqlc_copy {
    eng_table *t;
    int ncols;
    int *cols;             /* table column of each field */
    buf line;              /* a partial line carried between payloads */
    long lineno;
    const char *cur;       /* the text or csv line being read, for error context */
    size_t curn;
    int64_t count;
    bool ended, failed, eof, header_done;
    char *fail_reason;
    eng_ins_state ins;
    arena *rowmem;
    eng_val *vals;
} sqlc_copy;

void sqlc__copy_free(sql_portal *p)
{
    sqlc_copy *c = p->copy;
    if (!c)
        return;
    buf_free(&c->line);
    eng_ins_state_free(&c->ins);
    arena_free(c->rowmem);
    mem_free(c->fail_reason);
    mem_free(c);
    p->copy = NULL;
}

static int setup(sql_portal *p, pgw_error *err)
{
    const ast_copy *ac = &p->st->ast->copy;
    eng_table *t = sqlc__find_table(p->s, ac->relname);
    if (!t) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", ac->relname);
        return -1;
    }
    sqlc_copy *c = mem_calloc(1, sizeof(*c));
    if (!c || !(c->rowmem = arena_new()))
        return mem_free(c), pgw_error_oom(err), -1;
    p->copy = c;
    buf_init(&c->line);
    c->t = t;
    c->ncols = ac->cols.n ? ac->cols.n : t->ncols;
    c->cols = arena_calloc(p->mem, (size_t)c->ncols + 1, sizeof(int));
    c->vals = arena_calloc(p->mem, (size_t)t->ncols + 1, sizeof(eng_val));
    if (!c->cols || !c->vals)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < c->ncols; i++) {
        c->cols[i] = ac->cols.n ? eng_table_column(t, ac->cols.v[i]) : i;
        if (c->cols[i] < 0) {
            pgw_error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist",
                          ac->cols.v[i], t->name);
            return -1;
        }
    }
    return 0;
}

/* ---- parsing one line --------------------------------------------------- */

/* PostgreSQL shows at most this many bytes of a bad value or line, then "...". */
#define COPY_SHOW_MAX 100

/* How much of s[0..n) to show: at most COPY_SHOW_MAX bytes, never half a character. */
static int shown(const char *s, size_t n)
{
    if (n <= COPY_SHOW_MAX)
        return (int)n;
    size_t k = COPY_SHOW_MAX;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return (int)k;
}

/* CONTEXT "COPY t, line N[: "the line"]" as PostgreSQL reports a bad row. */
static void line_context(sqlc_copy *c, pgw_error *err)
{
    if (c->cur)
        pgw_error_context(err, "COPY %s, line %ld: \"%.*s%s\"", c->t->name, c->lineno, shown(c->cur, c->curn),
                          c->cur, c->curn > COPY_SHOW_MAX ? "..." : "");
    else
        pgw_error_context(err, "COPY %s, line %ld", c->t->name, c->lineno);
}

static int bad_line(sqlc_copy *c, pgw_error *err, const char *sqlstate, const char *msg)
{
    pgw_error_set(err, sqlstate, "%s", msg);
    line_context(c, err);
    return -1;
}

/* Split a text-format line into fields (unescaped, in a); NULL fields get s = NULL. */
static int split_text(sqlc_copy *c, const ast_copy *ac, char *s, size_t n, arena *a, char **f, size_t *fl,
                      int max, int *nf, pgw_error *err)
{
    *nf = 0;
    size_t i = 0;
    for (;;) {
        if (*nf >= max)
            return bad_line(c, err, SQLSTATE_BAD_COPY_FILE_FORMAT, "extra data after last expected column");
        char *out = arena_alloc(a, n - i + 1);
        if (!out)
            return pgw_error_oom(err), -1;
        size_t o = 0, start = i;
        while (i < n && s[i] != ac->delim) {
            char ch = s[i++];
            if (ch != '\\' || i >= n) {
                out[o++] = ch;
                continue;
            }
            ch = s[i++];
            switch (ch) {
            case 'n': out[o++] = '\n'; break;
            case 't': out[o++] = '\t'; break;
            case 'r': out[o++] = '\r'; break;
            case 'b': out[o++] = '\b'; break;
            case 'f': out[o++] = '\f'; break;
            case 'v': out[o++] = '\v'; break;
            case 'x': {
                int v = 0, k = 0;
                while (k < 2 && i < n && strchr("0123456789abcdefABCDEF", s[i]) && s[i])
                    v = v * 16 + (s[i] <= '9' ? s[i] - '0' : (s[i] | 32) - 'a' + 10), i++, k++;
                out[o++] = k ? (char)v : 'x';
                break;
            }
            default:
                if (ch >= '0' && ch <= '7') {
                    int v = ch - '0', k = 1;
                    while (k < 3 && i < n && s[i] >= '0' && s[i] <= '7')
                        v = v * 8 + (s[i++] - '0'), k++;
                    out[o++] = (char)v;
                } else {
                    out[o++] = ch;
                }
            }
        }
        bool is_null = i - start == strlen(ac->null_str) && memcmp(s + start, ac->null_str, i - start) == 0;
        f[*nf] = is_null ? NULL : out;
        fl[(*nf)++] = o;
        if (i >= n)
            return 0;
        i++; /* the delimiter */
    }
}

static int split_csv(sqlc_copy *c, const ast_copy *ac, char *s, size_t n, arena *a, char **f, size_t *fl, int max,
                     int *nf, pgw_error *err)
{
    *nf = 0;
    size_t i = 0;
    for (;;) {
        if (*nf >= max)
            return bad_line(c, err, SQLSTATE_BAD_COPY_FILE_FORMAT, "extra data after last expected column");
        char *out = arena_alloc(a, n - i + 1);
        if (!out)
            return pgw_error_oom(err), -1;
        size_t o = 0, start = i;
        bool quoted = false;
        while (i < n) {
            char ch = s[i];
            if (ch == ac->quote) {
                quoted = true;
                i++;
                while (i < n) {
                    if (s[i] == ac->escape && i + 1 < n && s[i + 1] == ac->quote) {
                        out[o++] = ac->quote;
                        i += 2;
                    } else if (s[i] == ac->quote) {
                        break;
                    } else {
                        out[o++] = s[i++];
                    }
                }
                if (i >= n)
                    return bad_line(c, err, SQLSTATE_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
                i++;
                continue;
            }
            if (ch == ac->delim)
                break;
            out[o++] = ch;
            i++;
        }
        bool is_null = !quoted && i - start == strlen(ac->null_str) && memcmp(s + start, ac->null_str, i - start) == 0;
        f[*nf] = is_null ? NULL : out;
        fl[(*nf)++] = o;
        if (i >= n)
            return 0;
        i++;
    }
}

/* The row in c->vals goes into the table. A referenced row locked by another transaction
 * fails the COPY (55P03): its input cannot be read again to run it once more. */
static int insert_vals(sqlc_copy *c, eng_ctx *ec, pgw_error *err)
{
    int rc = eng_insert_row(ec, c->t, c->vals, &c->ins);
    if (rc) {
        if (rc == ENG_BLOCKED || rc == ENG_RETRY)
            pgw_error_set(err, rc == ENG_BLOCKED ? "55P03" : SQLSTATE_SERIALIZATION_FAILURE,
                          rc == ENG_BLOCKED ? "could not obtain lock on a row referenced by a foreign key"
                                            : "could not serialize access due to concurrent update");
        /* PostgreSQL quotes the line for the checks on the row itself (NOT NULL, CHECK), names
         * only the line for a unique key, and nothing for a foreign key (checked at the end,
         * as its AFTER trigger) */
        if (strcmp(err->sqlstate, SQLSTATE_FOREIGN_KEY_VIOLATION) == 0)
            return -1;
        if (strcmp(err->sqlstate, SQLSTATE_NOT_NULL_VIOLATION) != 0 && strcmp(err->sqlstate, SQLSTATE_CHECK_VIOLATION) != 0)
            c->cur = NULL;
        line_context(c, err);
        return -1;
    }
    c->count++;
    return 0;
}

static int insert_line(sql_portal *p, char *s, size_t n, pgw_error *err)
{
    sqlc_copy *c = p->copy;
    const ast_copy *ac = &p->st->ast->copy;
    pgw_error_clear(err);
    c->lineno++;
    if (ac->header && !c->header_done) {
        c->header_done = true;
        return 0;
    }
    if (n && s[n - 1] == '\r')
        n--;
    if (n == 2 && s[0] == '\\' && s[1] == '.') { /* the end marker, in text and csv */
        c->eof = true;
        return 0;
    }
    c->cur = s;
    c->curn = n;
    arena_reset(c->rowmem);
    char **f = arena_calloc(c->rowmem, (size_t)c->ncols + 1, sizeof(char *));
    size_t *fl = arena_calloc(c->rowmem, (size_t)c->ncols + 1, sizeof(size_t));
    int nf;
    if (!f || !fl)
        return pgw_error_oom(err), -1;
    int rc = ac->format == COPY_CSV ? split_csv(c, ac, s, n, c->rowmem, f, fl, c->ncols, &nf, err)
                                    : split_text(c, ac, s, n, c->rowmem, f, fl, c->ncols, &nf, err);
    if (rc)
        return -1;
    if (nf < c->ncols) {
        char msg[128];
        snprintf(msg, sizeof(msg), "missing data for column \"%s\"", c->t->cols[c->cols[nf]].name);
        return bad_line(c, err, SQLSTATE_BAD_COPY_FILE_FORMAT, msg);
    }
    eng_ctx ec = {.mem = c->rowmem, .err = err, .env = &p->env};
    for (int i = 0; i < c->t->ncols; i++)
        c->vals[i].null = true;
    for (int i = 0; i < nf; i++) {
        const eng_column *col = &c->t->cols[c->cols[i]];
        if (!f[i])
            continue;
        const eng_type *ty = eng_type_by_oid(col->type);
        if (!ty || !ty->in || ty->in(&ec, f[i], fl[i], col->typmod, &c->vals[c->cols[i]])) {
            if (!pgw_error_is_set(err))
                pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "COPY into type %s is not supported yet",
                              eng_type_sqlname(col->type));
            pgw_error_context(err, "COPY %s, line %ld, column %s: \"%.*s%s\"", c->t->name, c->lineno, col->name,
                              shown(f[i], fl[i]), f[i], fl[i] > COPY_SHOW_MAX ? "..." : "");
            return -1;
        }
        if (ty->typmod && col->typmod >= 0 && ty->typmod(&ec, &c->vals[c->cols[i]], col->typmod, false)) {
            pgw_error_context(err, "COPY %s, line %ld, column %s", c->t->name, c->lineno, col->name);
            return -1;
        }
    }
    return insert_vals(c, &ec, err);
}

/* ---- binary format -------------------------------------------------------- */

static const uint8_t copy_signature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0377, '\r', '\n', 0};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One field's bytes through its type's receive function (and typmod). */
static int recv_field(sql_portal *p, eng_ctx *ec, int i, const uint8_t *d, uint32_t len, pgw_error *err)
{
    sqlc_copy *c = p->copy;
    const eng_column *col = &c->t->cols[c->cols[i]];
    const eng_type *ty = eng_type_by_oid(col->type);
    eng_val *v = &c->vals[c->cols[i]];
    if (!ty || !ty->recv || ty->recv(ec, d, len, col->typmod, v) ||
        (ty->typmod && col->typmod >= 0 && ty->typmod(ec, v, col->typmod, false))) {
        if (!pgw_error_is_set(err))
            pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "COPY into type %s is not supported yet",
                          eng_type_sqlname(col->type));
        pgw_error_context(err, "COPY %s, line %ld, column %s", c->t->name, c->lineno, col->name);
        return -1;
    }
    return 0;
}

/* Bytes of the complete row at d[0..n), or 0 when it has not all arrived. */
static size_t binary_row_size(const uint8_t *d, size_t n, int nfields)
{
    size_t off = 2;
    for (int i = 0; i < nfields; i++) {
        if (off + 4 > n)
            return 0;
        uint32_t len = be32(d + off);
        off += 4 + (len == 0xFFFFFFFFu ? 0 : (size_t)len);
    }
    return off <= n ? off : 0;
}

/* Insert every complete binary row in c->line; at the end (all) a partial one is an error. */
static int drain_binary(sql_portal *p, bool all, pgw_error *err)
{
    sqlc_copy *c = p->copy;
    const uint8_t *d = c->line.data;
    size_t n = c->line.len, off = 0;
    if (!c->header_done) {
        if (n < 19 ? all : memcmp(d, copy_signature, 11) != 0)
            return bad_line(c, err, SQLSTATE_BAD_COPY_FILE_FORMAT, "COPY file signature not recognized");
        if (n < 19 || n < 19 + (size_t)be32(d + 15))
            return all ? bad_line(c, err, SQLSTATE_BAD_COPY_FILE_FORMAT, "invalid COPY file header (missing length)") : 0;
        off = 19 + be32(d + 15);
        c->header_done = true;
    }
    while (!c->eof && n - off >= 2) {
        int16_t nf = (int16_t)(d[off] << 8 | d[off + 1]);
        if (nf == -1) {
            c->eof = true;
            break;
        }
        c->lineno++;
        if (nf != c->ncols) {
            char msg[96];
            snprintf(msg, sizeof(msg), "row field count is %d, expected %d", nf, c->ncols);
            return bad_line(c, err, SQLSTATE_BAD_COPY_FILE_FORMAT, msg);
        }
        size_t size = binary_row_size(d + off, n - off, nf);
        if (!size) {
            c->lineno--;
            break;
        }
        arena_reset(c->rowmem);
        eng_ctx ec = {.mem = c->rowmem, .err = err, .env = &p->env};
        pgw_error_clear(err);
        for (int i = 0; i < c->t->ncols; i++)
            c->vals[i].null = true;
        size_t at = off + 2;
        for (int i = 0; i < nf; i++) {
            uint32_t len = be32(d + at);
            at += 4;
            if (len != 0xFFFFFFFFu && recv_field(p, &ec, i, d + at, len, err))
                return -1;
            at += len == 0xFFFFFFFFu ? 0 : len;
        }
        c->cur = NULL; /* binary rows have no line text to quote */
        if (insert_vals(c, &ec, err))
            return -1;
        off += size;
    }
    if (all && !c->eof && off < n)
        return bad_line(c, err, SQLSTATE_BAD_COPY_FILE_FORMAT, "unexpected EOF in COPY data");
    buf_consume(&c->line, c->eof ? c->line.len : off);
    return 0;
}

/* Insert every complete line in c->line (all of it when `all`). */
static int drain(sql_portal *p, bool all, pgw_error *err)
{
    sqlc_copy *c = p->copy;
    if (p->st->ast->copy.format == COPY_BINARY)
        return drain_binary(p, all, err);
    size_t start = 0;
    while (!c->eof && start < c->line.len) {
        uint8_t *nl = memchr(c->line.data + start, '\n', c->line.len - start);
        if (!nl && !all)
            break;
        size_t end = nl ? (size_t)(nl - c->line.data) : c->line.len;
        if (insert_line(p, (char *)c->line.data + start, end - start, err))
            return -1;
        start = nl ? end + 1 : end;
    }
    buf_consume(&c->line, c->eof ? c->line.len : start);
    return 0;
}

int16_t sql_portal_copy_in_format(const sql_portal *p, int *ncols)
{
    *ncols = p->copy ? p->copy->ncols : 0;
    return p->st->ast->copy.format == COPY_BINARY;
}

int sql_portal_copy_in(sql_portal *p, const uint8_t *data, size_t len, pgw_error *err)
{
    sqlc_copy *c = p->copy;
    if (!c || c->failed || c->ended || !p->stmt_open) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "unexpected COPY data");
        return -1;
    }
    if (c->eof)
        return 0; /* data after \. is ignored, as PostgreSQL does */
    buf_append(&c->line, data, len);
    eng_catalog *cat = p->s->srv->cat;
    eng_catalog_rdlock(cat);
    int rc = c->line.failed ? (pgw_error_oom(err), -1) : drain(p, false, err);
    eng_catalog_unlock(cat);
    if (rc) {
        c->failed = true;
        st_stmt_rollback(p->s->stx);
        p->stmt_open = false;
        p->done = true;
        sqlc__fail(p->s);
    }
    return rc;
}

int sql_portal_copy_in_end(sql_portal *p, const char *failed_reason, pgw_error *err)
{
    sqlc_copy *c = p->copy;
    if (!c || c->failed) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "unexpected end of COPY data");
        return -1;
    }
    c->ended = true;
    if (failed_reason && !(c->fail_reason = mem_strdup(failed_reason)))
        return pgw_error_oom(err), -1;
    return 0;
}

/* ---- COPY TO -------------------------------------------------------------- */

static void put_field(buf *b, const ast_copy *ac, const uint8_t *d, int32_t len, bool force_quote)
{
    if (len < 0) {
        buf_append(b, ac->null_str, strlen(ac->null_str));
        return;
    }
    if (ac->format == COPY_CSV) {
        bool q = force_quote || (len == 0 && strlen(ac->null_str) == 0);
        for (int32_t i = 0; i < len && !q; i++)
            q = d[i] == (uint8_t)ac->delim || d[i] == (uint8_t)ac->quote || d[i] == '\n' || d[i] == '\r';
        if (!q) {
            buf_append(b, d, (size_t)len);
            return;
        }
        buf_put_u8(b, (uint8_t)ac->quote);
        for (int32_t i = 0; i < len; i++) {
            if (d[i] == (uint8_t)ac->quote || d[i] == (uint8_t)ac->escape)
                buf_put_u8(b, (uint8_t)ac->escape);
            buf_put_u8(b, d[i]);
        }
        buf_put_u8(b, (uint8_t)ac->quote);
        return;
    }
    for (int32_t i = 0; i < len; i++) {
        uint8_t ch = d[i];
        const char *e = ch == '\\' ? "\\\\" : ch == '\n' ? "\\n" : ch == '\r' ? "\\r" : ch == '\t' ? "\\t" : NULL;
        if (ch == (uint8_t)ac->delim && !e) {
            buf_put_u8(b, '\\');
            buf_put_u8(b, ch);
        } else if (e) {
            buf_append(b, e, 2);
        } else {
            buf_put_u8(b, ch);
        }
    }
}

typedef struct out_ctx {
    const sql_sink *sink;
    const ast_copy *ac;
    const eng_select *sel;
    bool *force_quote;     /* per column */
    int64_t n;
    bool begun;
} out_ctx;

/* HEADER: the column names, as a row of text fields. */
static void put_header(out_ctx *o, buf *b, int ncols)
{
    for (int i = 0; i < ncols; i++) {
        const char *name = o->sel->targets[i].name ? o->sel->targets[i].name : "?column?";
        if (i)
            buf_put_u8(b, (uint8_t)o->ac->delim);
        put_field(b, o->ac, (const uint8_t *)name, (int32_t)strlen(name), false);
    }
    buf_put_u8(b, '\n');
}

static int out_row(void *vctx, int ncols, const sql_cell *cells)
{
    out_ctx *o = vctx;
    buf b;
    buf_init(&b);
    if (!o->begun) {
        o->begun = true;
        if (o->sink->copy_out_begin)
            o->sink->copy_out_begin(o->sink->ctx, 0, ncols);
        if (o->ac->header)
            put_header(o, &b, ncols);
    }
    for (int i = 0; i < ncols; i++) {
        if (i)
            buf_put_u8(&b, (uint8_t)o->ac->delim);
        put_field(&b, o->ac, cells[i].data, cells[i].len, o->force_quote[i]);
    }
    buf_put_u8(&b, '\n');
    o->n++;
    int rc = o->sink->copy_data ? o->sink->copy_data(o->sink->ctx, b.data, b.len) : 0;
    buf_free(&b);
    return rc;
}

/* FORCE_QUOTE * or (cols): which output columns are always quoted. */
static int force_quote_cols(const ast_copy *ac, const eng_select *sel, bool *fq, pgw_error *err)
{
    for (int i = 0; i < sel->nvisible; i++)
        fq[i] = ac->force_quote_all;
    for (int k = 0; k < ac->force_quote.n; k++) {
        int i = 0;
        while (i < sel->nvisible && !(sel->targets[i].name && strcmp(sel->targets[i].name, ac->force_quote.v[k]) == 0))
            i++;
        if (i == sel->nvisible) {
            pgw_error_set(err, SQLSTATE_INVALID_COLUMN_REFERENCE, "FORCE_QUOTE column \"%s\" not referenced by COPY",
                          ac->force_quote.v[k]);
            return -1;
        }
        fq[i] = true;
    }
    return 0;
}

/* COPY TO runs the query to the end in one go (the sink's pause is not
 * honoured mid-COPY; the server buffers). A table becomes SELECT *. */
static int copy_out(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err)
{
    const ast_copy *ac = &p->st->ast->copy;
    if (!p->st->sel) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "COPY table TO STDOUT: use COPY (SELECT * FROM t) TO STDOUT");
        return -1;
    }
    int ncols = p->st->sel->nvisible;
    out_ctx o = {sink, ac, p->st->sel, arena_calloc(p->mem, (size_t)ncols + 1, sizeof(bool)), 0, false};
    sql_sink s2 = {.ctx = &o, .row = out_row, .notice = sink ? sink->notice : NULL};
    if (!o.force_quote)
        return pgw_error_oom(err), -1;
    if (force_quote_cols(ac, p->st->sel, o.force_quote, err))
        return -1;
    /* encode_row reads the statement's columns; a COPY describes none, so
     * lend it the query's for the run (text output of each column type). */
    sql_column *cols = arena_calloc(p->mem, (size_t)ncols + 1, sizeof(sql_column));
    int16_t *text_formats = arena_calloc(p->mem, (size_t)ncols + 1, sizeof(int16_t));
    if (!cols || !text_formats)
        return pgw_error_oom(err), -1;
    int16_t *bound_formats = p->formats; /* sized for the 0 columns the COPY describes */
    p->formats = text_formats;
    for (int i = 0; i < ncols; i++) {
        cols[i].type_oid = p->st->sel->targets[i].expr->type;
        cols[i].typmod = p->st->sel->targets[i].expr->typmod;
    }
    sql_column *described = p->st->cols;
    p->st->cols = cols;
    p->st->ncols = ncols;
    int rc = sqlc__run_select(p, sink ? &s2 : NULL, 0, status, err);
    p->st->ncols = 0;
    p->st->cols = described;
    p->formats = bound_formats;
    if (rc)
        return rc;
    if (!o.begun && sink && sink->copy_out_begin) {
        sink->copy_out_begin(sink->ctx, 0, ncols);
        if (ac->header) {
            buf b;
            buf_init(&b);
            put_header(&o, &b, ncols);
            rc = sink->copy_data ? sink->copy_data(sink->ctx, b.data, b.len) : 0;
            buf_free(&b);
            if (rc)
                return rc;
        }
    }
    snprintf(p->tag, sizeof(p->tag), "COPY %lld", (long long)o.n);
    *status = SQL_RUN_DONE;
    return 0;
}

int sqlc__copy_step(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err)
{
    const ast_copy *ac = &p->st->ast->copy;
    if (!ac->is_from)
        return copy_out(p, sink, status, err);
    eng_catalog *cat = p->s->srv->cat;
    if (!p->copy) {
        eng_catalog_rdlock(cat);
        int rc = setup(p, err);
        eng_catalog_unlock(cat);
        if (rc)
            return -1;
        *status = SQL_RUN_COPY_IN;
        return 0;
    }
    sqlc_copy *c = p->copy;
    if (!c->ended) {
        *status = SQL_RUN_COPY_IN;
        return 0;
    }
    if (c->fail_reason) {
        pgw_error_set(err, SQLSTATE_QUERY_CANCELED, "COPY from stdin failed: %s", c->fail_reason);
        return -1;
    }
    eng_catalog_rdlock(cat);
    int rc = drain(p, true, err);
    eng_catalog_unlock(cat);
    if (rc)
        return -1;
    snprintf(p->tag, sizeof(p->tag), "COPY %lld", (long long)c->count);
    *status = SQL_RUN_DONE;
    return 0;
}
