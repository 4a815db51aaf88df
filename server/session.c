/*
 * session: the query phase of one connection. Simple Query (several
 * statements per message), the extended protocol (Parse / Bind / Describe /
 * Execute / Close / Sync / Flush with named statements and portals), and
 * PostgreSQL's rules around them: after an error in the extended protocol
 * everything up to Sync is skipped; ReadyForQuery only after Sync or a
 * simple Query; portals end with the transaction.
 *
 * A statement whose output fills the connection's buffer pauses (its
 * portal is kept) and resumes when the client has read enough.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "protocol/be_encode.h"
#include "protocol/fe_decode.h"
#include "server/conn.h"
#include "util/log.h"
#include "util/mem.h"

typedef struct named_stmt {
    struct named_stmt *next;
    char *name; /* "" = the unnamed statement */
    sql_stmt *stmt;
} named_stmt;

typedef struct named_portal {
    struct named_portal *next;
    char *name; /* "" = the unnamed portal */
    sql_portal *portal;
    bool done;
} named_portal;

typedef enum pause_kind { PAUSE_NONE, PAUSE_QUERY, PAUSE_EXECUTE } pause_kind;

struct srv_session {
    named_stmt *stmts;
    named_portal *portals;
    bool skip_till_sync; /* an extended-protocol message failed */
    arena *msg_arena;    /* scratch for one message (Bind's arrays) */

    /* A simple Query in progress. */
    char *query_text;
    sql_batch *batch;
    int batch_index;
    sql_stmt *query_stmt;
    sql_portal *query_portal;

    /* An Execute in progress. */
    named_portal *exec;
    long exec_max_rows;
    long exec_rows;
    long exec_rows_before; /* s->rows when this run of the Execute began */

    long rows; /* rows sent by the statement running now */
    pause_kind paused;
    bool blocked; /* paused until the SQL layer's waker fires */

    /* A long statement running on a worker thread (see run_portal). */
    buf *sink_out;          /* where results go: the connection's out, or work_out */
    bool offloaded;         /* a worker runs work_portal now */
    bool woken_offloaded;   /* a wake came while it ran there: maybe its own waker (a commit's
                             * WAL flush), which must not be waited for again once it parks */
    bool work_ready;        /* its result waits for continue_<work_kind> */
    uv_work_t work;
    sql_portal *work_portal;
    long work_max_rows;
    pause_kind work_kind;
    buf work_out;           /* the worker's output, appended when it returns */
    /* NOTICEs the worker sends while nothing else is buffered (an index build's progress):
     * the loop moves them to the connection when woken, so the client sees them live. */
    pthread_mutex_t live_lock;
    buf live_out;           /* under live_lock */
    int work_rc;
    sql_run_status work_status;
    pgw_error work_err;

    /* COPY: which statement is in COPY FROM STDIN, and how it went. */
    pause_kind copying;
    bool copy_failed;  /* skip CopyData until CopyDone / CopyFail */
    pgw_error copy_err;
    bool copy_out;     /* CopyOutResponse sent for the running statement */
};

static sql_sink make_sink(srv_conn *c);

/* ---- registries of statements and portals -------------------------- */

static named_stmt **find_stmt(srv_session *s, const char *name)
{
    named_stmt **p = &s->stmts;
    while (*p && strcmp((*p)->name, name) != 0)
        p = &(*p)->next;
    return p;
}

static named_portal **find_portal(srv_session *s, const char *name)
{
    named_portal **p = &s->portals;
    while (*p && strcmp((*p)->name, name) != 0)
        p = &(*p)->next;
    return p;
}

static void drop_stmt(named_stmt **p)
{
    named_stmt *n = *p;
    *p = n->next;
    sql_stmt_free(n->stmt);
    mem_free(n->name);
    mem_free(n);
}

static void drop_portal(srv_session *s, named_portal **p)
{
    named_portal *n = *p;
    if (s->exec == n) {
        s->exec = NULL;
        s->paused = PAUSE_NONE;
    }
    *p = n->next;
    sql_portal_free(n->portal);
    mem_free(n->name);
    mem_free(n);
}

static void drop_all_portals(srv_session *s)
{
    while (s->portals)
        drop_portal(s, &s->portals);
}

/* ---- replies ------------------------------------------------------- */

static void report_setting(void *ctx, const char *name, const char *value)
{
    pgw_put_parameter_status(&((srv_conn *)ctx)->out, name, value);
}

static void send_ready(srv_conn *c)
{
    sql_session_reports(c->sql, false, report_setting, c);
    pgw_put_ready(&c->out, sql_session_txn_status(c->sql));
}

static void put_row_description(srv_conn *c, const sql_stmt *st, const sql_portal *portal)
{
    int n = sql_stmt_ncols(st);
    if (n == 0) {
        pgw_put_empty(&c->out, 'n');
        return;
    }
    size_t m = pgw_row_description_begin(&c->out, n);
    for (int i = 0; i < n; i++) {
        const sql_column *col = sql_stmt_column(st, i);
        pgw_row_description_field(&c->out, col->name, col->table_oid, col->attnum, col->type_oid, col->typlen,
                                  col->typmod, portal ? sql_portal_format(portal, i) : 0);
    }
    pgw_msg_end(&c->out, m);
}

/* Output room, judged without touching what the loop thread owns while a
 * worker runs the statement. */
static bool sink_full(srv_conn *c)
{
    srv_session *s = c->session;
    if (s->sink_out == &c->out)
        return srv_conn_output_full(c);
    return s->work_out.len >= SRV_CONN_OUT_HIGH_WATER;
}

static int sink_row(void *ctx, int ncols, const sql_cell *cells)
{
    srv_conn *c = ctx;
    buf *out = c->session->sink_out;
    size_t m = pgw_data_row_begin(out, ncols);
    for (int i = 0; i < ncols; i++)
        pgw_data_row_value(out, cells[i].data, cells[i].len);
    pgw_msg_end(out, m);
    c->session->rows++;
    return sink_full(c) ? 1 : 0;
}

static void sink_notice(void *ctx, const pgw_error *notice)
{
    srv_conn *c = ctx;
    srv_session *s = c->session;
    if (s->sink_out == &s->work_out && s->work_out.len == 0) { /* on the worker, nothing ahead of it */
        pthread_mutex_lock(&s->live_lock);
        pgw_put_error(&s->live_out, notice, 1);
        pthread_mutex_unlock(&s->live_lock);
        uv_async_send(&c->wake);
        return;
    }
    pgw_put_error(s->sink_out, notice, 1);
}

/* Loop thread: the worker's live NOTICEs go out ahead of anything else it produced. */
static void drain_live(srv_conn *c)
{
    srv_session *s = c->session;
    pthread_mutex_lock(&s->live_lock);
    buf_append(&c->out, s->live_out.data, s->live_out.len);
    buf_reset(&s->live_out);
    pthread_mutex_unlock(&s->live_lock);
}

static void sink_copy_out_begin(void *ctx, int16_t format, int ncols)
{
    srv_conn *c = ctx;
    buf *out = c->session->sink_out;
    size_t m = pgw_msg_begin(out, 'H');
    buf_put_u8(out, (uint8_t)format);
    buf_put_u16be(out, (uint16_t)ncols);
    for (int i = 0; i < ncols; i++)
        buf_put_u16be(out, (uint16_t)format);
    pgw_msg_end(out, m);
    c->session->copy_out = true;
}

static int sink_copy_data(void *ctx, const uint8_t *data, size_t len)
{
    srv_conn *c = ctx;
    buf *out = c->session->sink_out;
    size_t m = pgw_msg_begin(out, 'd');
    buf_append(out, data, len);
    pgw_msg_end(out, m);
    return sink_full(c) ? 1 : 0;
}

static sql_sink make_sink(srv_conn *c)
{
    sql_sink sink = {c, sink_row, sink_notice, sink_copy_out_begin, sink_copy_data};
    return sink;
}

/* CommandComplete, after CopyDone when the statement was a COPY TO STDOUT. */
static void complete_command(srv_conn *c, const sql_portal *p)
{
    srv_session *s = c->session;
    if (s->copy_out)
        pgw_put_empty(&c->out, 'c');
    s->copy_out = false;
    bool discard_all = strcmp(sql_portal_tag(p), "DISCARD ALL") == 0;
    pgw_put_command_complete(&c->out, sql_portal_tag(p));
    if (discard_all) { /* as in PostgreSQL, it includes DEALLOCATE ALL and CLOSE ALL */
        drop_all_portals(s);
        while (s->stmts)
            drop_stmt(&s->stmts);
    }
}

/* CopyInResponse; the statement waits for CopyData in `kind`. */
static void start_copy_in(srv_conn *c, const sql_portal *p, pause_kind kind)
{
    srv_session *s = c->session;
    int ncols = 0;
    int16_t format = sql_portal_copy_in_format(p, &ncols);
    size_t m = pgw_msg_begin(&c->out, 'G');
    buf_put_u8(&c->out, (uint8_t)format);
    buf_put_u16be(&c->out, (uint16_t)ncols);
    for (int i = 0; i < ncols; i++)
        buf_put_u16be(&c->out, (uint16_t)format);
    pgw_msg_end(&c->out, m);
    s->copying = kind;
    s->copy_failed = false;
}

/* ---- pausing -------------------------------------------------------- */

/* Park the running statement: until there is output room (PAUSED), or
 * until the waker or its statement_timeout (BLOCKED). */
static void park(srv_conn *c, pause_kind kind, sql_run_status status)
{
    srv_session *s = c->session;
    s->paused = kind;
    s->blocked = status == SQL_RUN_BLOCKED;
    if (!s->blocked)
        return;
    long ms = sql_session_block_timeout_ms(c->sql);
    if (ms >= 0)
        srv_conn_arm_timer(c, (uint64_t)ms);
}

/* ---- long statements on a worker thread ----------------------------- */

static void continue_query(srv_conn *c);
static void continue_execute(srv_conn *c);

static void work_run(uv_work_t *w)
{
    srv_conn *c = w->data;
    srv_session *s = c->session;
    sql_sink sink = make_sink(c);
    s->work_rc = sql_portal_run(s->work_portal, &sink, s->work_max_rows, &s->work_status, &s->work_err);
}

static void work_done(uv_work_t *w, int status)
{
    srv_conn *c = w->data;
    srv_session *s = c->session;
    (void)status;
    s->offloaded = false;
    s->sink_out = &c->out;
    if (c->state == SRV_CONN_CLOSING) { /* the client left or the server stops */
        buf_reset(&s->live_out);        /* the worker is done: no lock needed */
        buf_reset(&s->work_out);
        srv_conn_unref(c);
        return;
    }
    drain_live(c);
    buf_append(&c->out, s->work_out.data, s->work_out.len);
    buf_reset(&s->work_out);
    s->work_ready = true;
    bool woken = s->woken_offloaded;
    s->woken_offloaded = false;
    if (s->work_kind == PAUSE_QUERY)
        continue_query(c);
    else
        continue_execute(c);
    if (woken && s->blocked) { /* the wake may have been this wait's: look again rather than hang */
        s->blocked = false;
        uv_timer_stop(&c->timer);
    }
    srv_conn_pump(c);
    srv_conn_unref(c);
}

/* Run p now, or on a worker thread when it may run for long, so this loop
 * keeps serving its other connections. Returns 1 if it went to a worker
 * (continue_<kind> runs again when it is back, and finds the result here),
 * else 0 with rc, status and err filled. */
static int run_portal(srv_conn *c, sql_portal *p, long max_rows, pause_kind kind, int *rc,
                      sql_run_status *status, pgw_error *err)
{
    srv_session *s = c->session;
    if (s->work_ready) {
        s->work_ready = false;
        *rc = s->work_rc;
        *status = s->work_status;
        if (*rc < 0)
            *err = s->work_err;
        return 0;
    }
    if (sql_portal_wants_worker(p)) {
        s->work.data = c;
        s->work_portal = p;
        s->work_max_rows = max_rows;
        s->work_kind = kind;
        s->sink_out = &s->work_out;
        if (uv_queue_work(srv_loop_uv(c->loop), &s->work, work_run, work_done) == 0) {
            s->offloaded = true;
            srv_conn_ref(c); /* the connection outlives its handles until the work is back */
            return 1;
        }
        s->sink_out = &c->out; /* no worker: run it here */
    }
    sql_sink sink = make_sink(c);
    srv_loop_set_running(c->loop, true);
    *rc = sql_portal_run(p, &sink, max_rows, status, err);
    srv_loop_set_running(c->loop, false);
    return 0;
}

/* ---- simple Query -------------------------------------------------- */

static void end_query(srv_session *s)
{
    sql_portal_free(s->query_portal);
    sql_stmt_free(s->query_stmt);
    sql_batch_free(s->batch);
    mem_free(s->query_text);
    s->query_portal = NULL;
    s->query_stmt = NULL;
    s->batch = NULL;
    s->query_text = NULL;
    s->paused = PAUSE_NONE;
}

static int start_statement(srv_conn *c, pgw_error *err)
{
    srv_session *s = c->session;
    if (sql_batch_prepare(s->batch, s->batch_index, &s->query_stmt, err) < 0)
        return -1;
    if (sql_bind(c->sql, s->query_stmt, NULL, NULL, 0, &s->query_portal, err) < 0)
        return -1;
    if (sql_stmt_ncols(s->query_stmt) > 0)
        put_row_description(c, s->query_stmt, s->query_portal);
    s->rows = 0;
    return 0;
}

/* The statement failed: the rest of the Query string is not run. */
static void query_failed(srv_conn *c, const pgw_error *err)
{
    c->session->copy_out = false;
    srv_conn_put_error(c, err);
    end_query(c->session);
    send_ready(c);
}

/* Runs (or resumes) the batch until it ends or output fills up. */
static void continue_query(srv_conn *c)
{
    srv_session *s = c->session;
    pgw_error err = {0};
    s->paused = PAUSE_NONE;
    while (s->batch_index < sql_batch_count(s->batch)) {
        if (!s->query_portal && start_statement(c, &err) < 0)
            goto failed;
        sql_run_status status;
        int rc;
        if (run_portal(c, s->query_portal, 0, PAUSE_QUERY, &rc, &status, &err))
            return;
        if (rc < 0)
            goto failed;
        if (status == SQL_RUN_COPY_IN) {
            start_copy_in(c, s->query_portal, PAUSE_QUERY);
            return;
        }
        if (status != SQL_RUN_DONE) {
            park(c, PAUSE_QUERY, status);
            return;
        }
        complete_command(c, s->query_portal);
        sql_portal_free(s->query_portal);
        sql_stmt_free(s->query_stmt);
        s->query_portal = NULL;
        s->query_stmt = NULL;
        s->batch_index++;
    }
    end_query(s);
    send_ready(c);
    return;
failed:
    query_failed(c, &err);
}

static void handle_query(srv_conn *c, const pgw_frame *f)
{
    srv_session *s = c->session;
    const char *sql;
    pgw_error err = {0};
    if (pgw_decode_query(f->body, f->len, &sql, &err) < 0) {
        srv_conn_fatal(c, &err);
        return;
    }
    log_debug("statement: %s", sql);
    s->query_text = mem_strdup(sql);
    if (!s->query_text) {
        pgw_error_oom(&err);
        goto failed;
    }
    if (sql_batch_parse(c->sql, s->query_text, &s->batch, &err) < 0)
        goto failed;
    s->batch_index = 0;
    if (sql_batch_count(s->batch) == 0) {
        pgw_put_empty_query(&c->out);
        end_query(s);
        send_ready(c);
        return;
    }
    continue_query(c);
    return;
failed:
    srv_conn_put_error(c, &err);
    end_query(s);
    send_ready(c);
}

/* ---- extended protocol --------------------------------------------- */

static void extended_error(srv_conn *c, const pgw_error *err)
{
    srv_conn_put_error(c, err);
    c->session->skip_till_sync = true;
}

static void handle_parse(srv_conn *c, const pgw_frame *f)
{
    srv_session *s = c->session;
    pgw_parse msg;
    pgw_error err = {0};
    if (pgw_decode_parse(f->body, f->len, &msg, &err) < 0)
        { extended_error(c, &err); return; }
    log_debug("parse %s: %s", msg.name[0] ? msg.name : "<unnamed>", msg.query);
    named_stmt **slot = find_stmt(s, msg.name);
    if (*slot && msg.name[0]) {
        pgw_error_set(&err, SQLSTATE_DUPLICATE_PREPARED_STATEMENT, "prepared statement \"%s\" already exists",
                      msg.name);
        { extended_error(c, &err); return; }
    }
    uint32_t *types = msg.nparam_types ? arena_alloc(s->msg_arena, sizeof(uint32_t) * (size_t)msg.nparam_types) : NULL;
    if (msg.nparam_types && !types) {
        pgw_error_oom(&err);
        { extended_error(c, &err); return; }
    }
    for (int i = 0; i < msg.nparam_types; i++)
        types[i] = pgw_parse_param_type(&msg, i);
    sql_stmt *st;
    if (sql_prepare(c->sql, msg.query, types, msg.nparam_types, &st, &err) < 0)
        { extended_error(c, &err); return; }
    if (*slot)
        drop_stmt(slot); /* the unnamed statement is replaced */
    named_stmt *n = mem_calloc(1, sizeof(*n));
    if (!n || !(n->name = mem_strdup(msg.name))) {
        mem_free(n);
        sql_stmt_free(st);
        pgw_error_oom(&err);
        { extended_error(c, &err); return; }
    }
    n->stmt = st;
    n->next = s->stmts;
    s->stmts = n;
    pgw_put_empty(&c->out, '1');
}

static sql_stmt *lookup_stmt(srv_session *s, const char *name, pgw_error *err)
{
    named_stmt *n = *find_stmt(s, name);
    if (n)
        return n->stmt;
    if (name[0])
        pgw_error_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME, "prepared statement \"%s\" does not exist", name);
    else
        pgw_error_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME, "unnamed prepared statement does not exist");
    return NULL;
}

static named_portal *lookup_portal(srv_session *s, const char *name, pgw_error *err)
{
    named_portal *n = *find_portal(s, name);
    if (!n)
        pgw_error_set(err, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist", name);
    return n;
}

static void handle_bind(srv_conn *c, const pgw_frame *f)
{
    srv_session *s = c->session;
    pgw_bind msg;
    pgw_error err = {0};
    if (pgw_decode_bind(f->body, f->len, s->msg_arena, &msg, &err) < 0)
        { extended_error(c, &err); return; }
    sql_stmt *st = lookup_stmt(s, msg.statement, &err);
    if (!st)
        { extended_error(c, &err); return; }
    named_portal **slot = find_portal(s, msg.portal);
    if (*slot && msg.portal[0]) {
        pgw_error_set(&err, SQLSTATE_DUPLICATE_CURSOR, "cursor \"%s\" already exists", msg.portal);
        { extended_error(c, &err); return; }
    }
    sql_params params = {msg.nparams, msg.param_values, msg.param_lengths, msg.param_formats, msg.nparam_formats};
    sql_portal *portal;
    if (sql_bind(c->sql, st, &params, msg.result_formats, msg.nresult_formats, &portal, &err) < 0)
        { extended_error(c, &err); return; }
    if (*slot)
        drop_portal(s, slot);
    named_portal *n = mem_calloc(1, sizeof(*n));
    if (!n || !(n->name = mem_strdup(msg.portal))) {
        mem_free(n);
        sql_portal_free(portal);
        pgw_error_oom(&err);
        { extended_error(c, &err); return; }
    }
    n->portal = portal;
    n->next = s->portals;
    s->portals = n;
    pgw_put_empty(&c->out, '2');
}

static void handle_describe(srv_conn *c, const pgw_frame *f)
{
    srv_session *s = c->session;
    pgw_target msg;
    pgw_error err = {0};
    if (pgw_decode_target(f->body, f->len, 'D', &msg, &err) < 0)
        { extended_error(c, &err); return; }
    if (msg.kind == 'S') {
        sql_stmt *st = lookup_stmt(s, msg.name, &err);
        if (!st)
            { extended_error(c, &err); return; }
        int n = sql_stmt_nparams(st);
        uint32_t *oids = n ? arena_alloc(s->msg_arena, sizeof(uint32_t) * (size_t)n) : NULL;
        if (n && !oids) {
            pgw_error_oom(&err);
            { extended_error(c, &err); return; }
        }
        for (int i = 0; i < n; i++)
            oids[i] = sql_stmt_param_type(st, i);
        pgw_put_parameter_description(&c->out, n, oids);
        put_row_description(c, st, NULL);
        return;
    }
    named_portal *p = lookup_portal(s, msg.name, &err);
    if (!p)
        { extended_error(c, &err); return; }
    put_row_description(c, sql_portal_stmt(p->portal), p->portal);
}

/* The Execute failed: its portal is dead, and the rest waits for Sync. */
static void execute_failed(srv_conn *c, named_portal *p, const pgw_error *err)
{
    srv_session *s = c->session;
    s->exec = NULL;
    s->copy_out = false;
    drop_portal(s, find_portal(s, p->name));
    extended_error(c, err);
}

/* Runs (or resumes) the current Execute. */
static void continue_execute(srv_conn *c)
{
    srv_session *s = c->session;
    named_portal *p = s->exec;
    pgw_error err = {0};
    s->paused = PAUSE_NONE;
    long limit = s->exec_max_rows ? s->exec_max_rows - s->exec_rows : 0;
    if (!s->work_ready)
        s->exec_rows_before = s->rows;
    sql_run_status status;
    int rc;
    if (run_portal(c, p->portal, limit, PAUSE_EXECUTE, &rc, &status, &err))
        return;
    s->exec_rows += s->rows - s->exec_rows_before;
    if (rc < 0) {
        execute_failed(c, p, &err);
        return;
    }
    if (status == SQL_RUN_COPY_IN) {
        start_copy_in(c, p->portal, PAUSE_EXECUTE);
        return;
    }
    if (status == SQL_RUN_PAUSED || status == SQL_RUN_BLOCKED) {
        park(c, PAUSE_EXECUTE, status);
        return;
    }
    s->exec = NULL;
    if (status == SQL_RUN_SUSPENDED) {
        pgw_put_empty(&c->out, 's');
        return;
    }
    p->done = true;
    complete_command(c, p->portal);
}

static void handle_execute(srv_conn *c, const pgw_frame *f)
{
    srv_session *s = c->session;
    pgw_execute msg;
    pgw_error err = {0};
    if (pgw_decode_execute(f->body, f->len, &msg, &err) < 0)
        { extended_error(c, &err); return; }
    named_portal *p = lookup_portal(s, msg.portal, &err);
    if (!p)
        { extended_error(c, &err); return; }
    if (sql_stmt_is_empty(sql_portal_stmt(p->portal))) {
        pgw_put_empty_query(&c->out);
        return;
    }
    if (p->done) { /* PostgreSQL answers a finished portal with its tag again */
        pgw_put_command_complete(&c->out, sql_portal_tag(p->portal));
        return;
    }
    s->exec = p;
    s->exec_max_rows = msg.max_rows > 0 ? msg.max_rows : 0;
    s->exec_rows = 0;
    s->rows = 0;
    continue_execute(c);
}

static void handle_close(srv_conn *c, const pgw_frame *f)
{
    srv_session *s = c->session;
    pgw_target msg;
    pgw_error err = {0};
    if (pgw_decode_target(f->body, f->len, 'C', &msg, &err) < 0)
        { extended_error(c, &err); return; }
    if (msg.kind == 'S') {
        named_stmt **slot = find_stmt(s, msg.name);
        if (*slot)
            drop_stmt(slot);
    } else {
        named_portal **slot = find_portal(s, msg.name);
        if (*slot)
            drop_portal(s, slot);
    }
    pgw_put_empty(&c->out, '3'); /* closing what does not exist is not an error */
}

static void handle_sync(srv_conn *c)
{
    srv_session *s = c->session;
    s->skip_till_sync = false;
    if (sql_session_txn_status(c->sql) == 'I')
        drop_all_portals(s); /* portals live until their transaction ends */
    send_ready(c);
}

/* ---- dispatch ------------------------------------------------------ */

static void unsupported(srv_conn *c, const char *what)
{
    pgw_error err = {0};
    pgw_error_set(&err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported", what);
    extended_error(c, &err);
}

static void dispatch_extended(srv_conn *c, const pgw_frame *f)
{
    switch (f->type) {
    case 'P':
        handle_parse(c, f);
        break;
    case 'B':
        handle_bind(c, f);
        break;
    case 'D':
        handle_describe(c, f);
        break;
    case 'E':
        handle_execute(c, f);
        break;
    case 'C':
        handle_close(c, f);
        break;
    case 'F':
        unsupported(c, "the fast-path function call interface");
        break;
    }
}

/* ---- COPY FROM STDIN ------------------------------------------------ */

static sql_portal *copy_portal(srv_session *s)
{
    return s->copying == PAUSE_QUERY ? s->query_portal : s->exec->portal;
}

static void copy_fail(srv_session *s, const pgw_error *err)
{
    if (!s->copy_failed)
        s->copy_err = *err;
    s->copy_failed = true;
}

/* CopyDone or CopyFail (reason) ends the data; the statement then finishes. */
static void end_copy_in(srv_conn *c, const char *reason)
{
    srv_session *s = c->session;
    pgw_error err;
    if (!s->copy_failed && sql_portal_copy_in_end(copy_portal(s), reason, &err) < 0)
        copy_fail(s, &err);
    pause_kind kind = s->copying;
    s->copying = PAUSE_NONE;
    if (s->copy_failed) {
        if (kind == PAUSE_QUERY)
            query_failed(c, &s->copy_err);
        else
            execute_failed(c, s->exec, &s->copy_err);
    } else if (kind == PAUSE_QUERY) {
        continue_query(c);
    } else {
        continue_execute(c);
    }
}

static void copy_in_message(srv_conn *c, const pgw_frame *f)
{
    srv_session *s = c->session;
    pgw_error err;
    const char *reason;
    switch (f->type) {
    case 'd':
        if (!s->copy_failed && sql_portal_copy_in(copy_portal(s), f->body, f->len, &err) < 0)
            copy_fail(s, &err);
        return;
    case 'c':
        end_copy_in(c, NULL);
        return;
    case 'f':
        if (pgw_decode_copy_fail(f->body, f->len, &reason, &err) < 0)
            reason = "";
        end_copy_in(c, reason);
        return;
    case 'H': /* Flush and Sync mean nothing inside COPY, as in PostgreSQL */
    case 'S':
        return;
    case 'X':
        srv_conn_close_after_flush(c);
        return;
    default:
        pgw_error_set(&err, SQLSTATE_PROTOCOL_VIOLATION, "unexpected message type 0x%02X during COPY from stdin",
                      (unsigned)(uint8_t)f->type);
        copy_fail(s, &err);
        end_copy_in(c, NULL);
    }
}

void srv_session_message(srv_conn *c, const pgw_frame *f)
{
    srv_session *s = c->session;
    arena_reset(s->msg_arena);
    if (s->copying != PAUSE_NONE) {
        copy_in_message(c, f);
        return;
    }
    switch (f->type) {
    case 'X':
        srv_conn_close_after_flush(c);
        return;
    case 'S':
        handle_sync(c);
        return;
    case 'H':
        srv_conn_flush(c);
        return;
    case 'd': /* COPY messages outside COPY are ignored, as PostgreSQL does */
    case 'c':
    case 'f':
        return;
    }
    if (s->skip_till_sync)
        return;
    if (f->type == 'Q')
        handle_query(c, f);
    else
        dispatch_extended(c, f);
}

bool srv_session_paused(const srv_conn *c)
{
    return c->session && c->session->paused != PAUSE_NONE;
}

bool srv_session_busy(const srv_conn *c)
{
    const srv_session *s = c->session;
    return s && (s->batch || s->exec || s->paused != PAUSE_NONE || s->blocked || s->offloaded);
}

bool srv_session_blocked(const srv_conn *c)
{
    return c->session && (c->session->blocked || c->session->offloaded);
}

void srv_session_unblock(srv_conn *c)
{
    srv_session *s = c->session;
    if (s && s->offloaded) {
        s->woken_offloaded = true;
        drain_live(c);
        srv_conn_flush(c);
    }
    if (!s || !s->blocked)
        return;
    s->blocked = false;
    uv_timer_stop(&c->timer);
    srv_conn_pump(c);
}

void srv_session_resume(srv_conn *c)
{
    if (c->session->paused == PAUSE_QUERY)
        continue_query(c);
    else if (c->session->paused == PAUSE_EXECUTE)
        continue_execute(c);
}

/* ---- life cycle ---------------------------------------------------- */

static void report_initial(void *ctx, const char *name, const char *value)
{
    pgw_put_parameter_status(&((srv_conn *)ctx)->out, name, value);
}

/* Called by the SQL layer from any thread. */
static void wake_connection(void *ctx)
{
    uv_async_send(&((srv_conn *)ctx)->wake);
}

int srv_session_begin(srv_conn *c, pgw_error *err)
{
    srv_session *s = mem_calloc(1, sizeof(*s));
    if (!s || !(s->msg_arena = arena_new())) {
        mem_free(s);
        pgw_error_oom(err);
        return -1;
    }
    c->session = s;
    s->sink_out = &c->out;
    pthread_mutex_init(&s->live_lock, NULL);
    srv_cancel_new_key(&c->backend_pid, &c->cancel_secret);
    sql_session_info info = {c->user, c->database, (int32_t)c->backend_pid, c->role.superuser, c->peer_addr,
                             c->peer_port, c->local_addr, c->local_port};
    c->sql = sql_session_new(c->srv->sql, &info, err);
    if (!c->sql)
        return -1;
    for (int i = 0; i < c->nstartup_options; i++)
        if (sql_session_set_option(c->sql, c->startup_names[i], c->startup_values[i], err) < 0)
            return -1;
    sql_session_set_waker(c->sql, wake_connection, c);
    srv_cancel_register(c->backend_pid, c->cancel_secret, c->sql);
    sql_session_reports(c->sql, true, report_initial, c);
    pgw_put_backend_key(&c->out, c->backend_pid, c->cancel_secret);
    pgw_put_ready(&c->out, sql_session_txn_status(c->sql));
    return 0;
}

void srv_session_end(srv_conn *c)
{
    srv_session *s = c->session;
    if (s && s->offloaded) {
        /* A worker still runs its statement: stop it soon, free all later
         * (the work holds a reference on the connection). */
        sql_session_cancel(c->sql);
        return;
    }
    if (c->sql)
        srv_cancel_unregister(c->backend_pid);
    if (s) {
        end_query(s);
        drop_all_portals(s);
        while (s->stmts)
            drop_stmt(&s->stmts);
        arena_free(s->msg_arena);
        buf_free(&s->work_out);
        buf_free(&s->live_out);
        pthread_mutex_destroy(&s->live_lock);
        mem_free(s);
        c->session = NULL;
    }
    sql_session_free(c->sql);
    c->sql = NULL;
}
