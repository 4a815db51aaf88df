/*
 * messages: client_min_messages — the NOTICE and WARNING messages a
 * statement raises reach the client only at or above the session's level,
 * as in PostgreSQL (INFO always does; errors are not notices).
 */
#include <string.h>
#include <strings.h>

#include "sql-compat/session.h"

static const char *const levels[] = {"debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice",
                                     "warning", "error"};

static int rank(const char *level)
{
    if (strcasecmp(level, "debug") == 0)
        level = "debug2";
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcasecmp(level, levels[i]) == 0)
            return (int)i;
    return -1;
}

static void filtered_notice(void *ctx, const pgw_error *n)
{
    sqlc_msg_filter *f = ctx;
    int r = rank(n->severity ? n->severity : "notice");
    if (strcasecmp(n->severity ? n->severity : "", "INFO") == 0 || r < 0 || r >= f->min)
        f->inner->notice(f->inner->ctx, n);
}

/* The sink's other callbacks, forwarded with the inner context. */
static int fwd_row(void *ctx, int ncols, const sql_cell *cells)
{
    const sql_sink *in = ((sqlc_msg_filter *)ctx)->inner;
    return in->row ? in->row(in->ctx, ncols, cells) : 0;
}

static void fwd_copy_begin(void *ctx, int16_t format, int ncols)
{
    const sql_sink *in = ((sqlc_msg_filter *)ctx)->inner;
    in->copy_out_begin(in->ctx, format, ncols);
}

static int fwd_copy_data(void *ctx, const uint8_t *data, size_t len)
{
    const sql_sink *in = ((sqlc_msg_filter *)ctx)->inner;
    return in->copy_data(in->ctx, data, len);
}

const sql_sink *sqlc__msg_filter(sql_session *s, const sql_sink *sink, sqlc_msg_filter *f)
{
    const char *min = sqlc_settings_get(s->settings, "client_min_messages", true, NULL);
    if (!sink || !sink->notice || !min || rank(min) <= rank("notice"))
        return sink;
    f->inner = sink;
    f->min = rank(min);
    f->sink = (sql_sink){f, fwd_row, filtered_notice, sink->copy_out_begin ? fwd_copy_begin : NULL,
                         sink->copy_data ? fwd_copy_data : NULL};
    return &f->sink;
}
