/* be_encode: whole backend messages into a buffer (see be_encode.h). */
#include "protocol/be_encode.h"

#include <stdio.h>

size_t pgw_msg_begin(buf *b, char type)
{
    buf_put_u8(b, (uint8_t)type);
    size_t start = b->len;
    buf_put_u32be(b, 0);
    return start;
}

void pgw_msg_end(buf *b, size_t start)
{
    buf_set_u32be(b, start, (uint32_t)(b->len - start));
}

void pgw_put_auth(buf *b, uint32_t code, const void *data, size_t len)
{
    size_t m = pgw_msg_begin(b, 'R');
    buf_put_u32be(b, code);
    buf_append(b, data, len);
    pgw_msg_end(b, m);
}

void pgw_put_parameter_status(buf *b, const char *name, const char *value)
{
    size_t m = pgw_msg_begin(b, 'S');
    buf_put_cstr(b, name);
    buf_put_cstr(b, value);
    pgw_msg_end(b, m);
}

void pgw_put_backend_key(buf *b, uint32_t pid, uint32_t key)
{
    size_t m = pgw_msg_begin(b, 'K');
    buf_put_u32be(b, pid);
    buf_put_u32be(b, key);
    pgw_msg_end(b, m);
}

void pgw_put_ready(buf *b, char txn_status)
{
    size_t m = pgw_msg_begin(b, 'Z');
    buf_put_u8(b, (uint8_t)txn_status);
    pgw_msg_end(b, m);
}

void pgw_put_command_complete(buf *b, const char *tag)
{
    size_t m = pgw_msg_begin(b, 'C');
    buf_put_cstr(b, tag);
    pgw_msg_end(b, m);
}

void pgw_put_empty_query(buf *b)
{
    pgw_put_empty(b, 'I');
}

static void put_field(buf *b, char code, const char *value)
{
    if (!value || !value[0])
        return;
    buf_put_u8(b, (uint8_t)code);
    buf_put_cstr(b, value);
}

void pgw_put_error(buf *b, const pgw_error *e, int notice)
{
    const char *severity = e->severity ? e->severity : "ERROR";
    size_t m = pgw_msg_begin(b, notice ? 'N' : 'E');
    put_field(b, 'S', severity);
    put_field(b, 'V', severity); /* non-localized severity, protocol 3.0 since PostgreSQL 9.6 */
    put_field(b, 'C', e->sqlstate[0] ? e->sqlstate : SQLSTATE_INTERNAL_ERROR);
    put_field(b, 'M', e->message[0] ? e->message : "internal error: no message was set");
    put_field(b, 'D', e->detail);
    put_field(b, 'H', e->hint);
    if (e->position > 0) {
        char pos[16];
        snprintf(pos, sizeof(pos), "%d", e->position);
        put_field(b, 'P', pos);
    }
    put_field(b, 'W', e->context);
    buf_put_u8(b, 0);
    pgw_msg_end(b, m);
}

void pgw_put_negotiate_version(buf *b, uint32_t newest_minor, int nunknown, const char *const *unknown)
{
    size_t m = pgw_msg_begin(b, 'v');
    buf_put_u32be(b, newest_minor);
    buf_put_u32be(b, (uint32_t)nunknown);
    for (int i = 0; i < nunknown; i++)
        buf_put_cstr(b, unknown[i]);
    pgw_msg_end(b, m);
}

void pgw_put_empty(buf *b, char type)
{
    size_t m = pgw_msg_begin(b, type);
    pgw_msg_end(b, m);
}

void pgw_put_parameter_description(buf *b, int n, const uint32_t *oids)
{
    size_t m = pgw_msg_begin(b, 't');
    buf_put_u16be(b, (uint16_t)n);
    for (int i = 0; i < n; i++)
        buf_put_u32be(b, oids[i]);
    pgw_msg_end(b, m);
}

size_t pgw_row_description_begin(buf *b, int ncols)
{
    size_t m = pgw_msg_begin(b, 'T');
    buf_put_u16be(b, (uint16_t)ncols);
    return m;
}

void pgw_row_description_field(buf *b, const char *name, uint32_t table_oid, int16_t attnum, uint32_t type_oid,
                               int16_t typlen, int32_t typmod, int16_t format)
{
    buf_put_cstr(b, name);
    buf_put_u32be(b, table_oid);
    buf_put_u16be(b, (uint16_t)attnum);
    buf_put_u32be(b, type_oid);
    buf_put_u16be(b, (uint16_t)typlen);
    buf_put_u32be(b, (uint32_t)typmod);
    buf_put_u16be(b, (uint16_t)format);
}

size_t pgw_data_row_begin(buf *b, int ncols)
{
    size_t m = pgw_msg_begin(b, 'D');
    buf_put_u16be(b, (uint16_t)ncols);
    return m;
}

void pgw_data_row_value(buf *b, const void *data, int32_t len)
{
    buf_put_u32be(b, (uint32_t)len);
    if (len > 0)
        buf_append(b, data, (size_t)len);
}
