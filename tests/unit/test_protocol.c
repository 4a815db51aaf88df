/* Unit tests for protocol/: framing limits, frontend decoding, backend encoding. */
#include <criterion/criterion.h>
#include <string.h>

#include "protocol/be_encode.h"
#include "protocol/fe_decode.h"
#include "protocol/frame.h"
#include "util/arena.h"
#include "util/buf.h"

static buf msg;

static void setup(void)
{
    buf_init(&msg);
}

static void teardown(void)
{
    buf_free(&msg);
}

TestSuite(protocol, .init = setup, .fini = teardown);

/* A typed message with the given body. */
static void typed(char type, const void *body, size_t len)
{
    buf_put_u8(&msg, (uint8_t)type);
    buf_put_u32be(&msg, (uint32_t)len + 4);
    buf_append(&msg, body, len);
}

Test(protocol, startup_packet_needs_whole_length)
{
    uint8_t pkt[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}; /* SSLRequest */
    pgw_frame f;
    pgw_error e;
    cr_assert_eq(pgw_frame_startup(pkt, 3, &f, &e), PGW_FRAME_INCOMPLETE);
    cr_assert_eq(pgw_frame_startup(pkt, 7, &f, &e), PGW_FRAME_INCOMPLETE);
    cr_assert_eq(pgw_frame_startup(pkt, 8, &f, &e), PGW_FRAME_READY);
    cr_assert_eq(f.size, 8);
    pgw_startup st;
    cr_assert_eq(pgw_decode_startup(f.body, f.len, &st, &e), 0);
    cr_assert_eq(st.code, PGW_SSL_REQUEST_CODE);
}

Test(protocol, startup_packet_bad_lengths_are_rejected)
{
    uint8_t small[] = {0, 0, 0, 4, 0, 3, 0, 0};
    uint8_t huge[] = {0, 0, 0x4e, 0x21, 0, 3, 0, 0}; /* 20001 > 10000 */
    pgw_frame f;
    pgw_error e;
    cr_assert_eq(pgw_frame_startup(small, sizeof(small), &f, &e), PGW_FRAME_BAD);
    cr_assert_str_eq(e.sqlstate, "08P01");
    cr_assert_eq(pgw_frame_startup(huge, sizeof(huge), &f, &e), PGW_FRAME_BAD);
    cr_assert_str_eq(e.message, "invalid length of startup packet");
}

Test(protocol, startup_message_parameters)
{
    const char body[] = "\0\3\0\0user\0alice\0database\0db1\0options\0-c x=1\0\0";
    pgw_startup st;
    pgw_error e;
    cr_assert_eq(pgw_decode_startup((const uint8_t *)body, sizeof(body) - 1, &st, &e), 0);
    cr_assert_eq(st.code, PGW_PROTOCOL_3_0);
    cr_assert_eq(st.nparams, 3);
    cr_assert_str_eq(st.names[1], "database");
    cr_assert_str_eq(st.values[2], "-c x=1");
}

Test(protocol, startup_message_unterminated_string)
{
    const char body[] = "\0\3\0\0user\0ali";
    pgw_startup st;
    pgw_error e;
    cr_assert_eq(pgw_decode_startup((const uint8_t *)body, sizeof(body) - 1, &st, &e), -1);
    cr_assert_str_eq(e.sqlstate, "08P01");
    cr_assert_str_eq(e.message, "invalid string in message");
}

Test(protocol, cancel_request)
{
    uint8_t body[] = {0x04, 0xd2, 0x16, 0x2e, 0, 0, 0x30, 0x39, 0xde, 0xad, 0xbe, 0xef};
    pgw_startup st;
    pgw_error e;
    cr_assert_eq(pgw_decode_startup(body, sizeof(body), &st, &e), 0);
    cr_assert_eq(st.code, PGW_CANCEL_REQUEST_CODE);
    cr_assert_eq(st.cancel_pid, 12345);
    cr_assert_eq(st.cancel_key, 0xdeadbeef);
    cr_assert_eq(pgw_decode_startup(body, 10, &st, &e), -1, "a truncated cancel request is refused");
}

Test(protocol, unknown_message_type_is_fatal_before_length)
{
    uint8_t data[] = {'x'};
    pgw_frame f;
    pgw_error e;
    cr_assert_eq(pgw_frame_message(data, 1, PGW_PHASE_READY, 1 << 20, &f, &e), PGW_FRAME_BAD);
    cr_assert_str_eq(e.message, "invalid frontend message type 120");
    cr_assert_str_eq(e.severity, "FATAL");
}

Test(protocol, auth_phase_accepts_only_password_messages)
{
    uint8_t data[] = {'Q', 0, 0, 0, 5, 0};
    pgw_frame f;
    pgw_error e;
    cr_assert_eq(pgw_frame_message(data, sizeof(data), PGW_PHASE_AUTH, 1 << 20, &f, &e), PGW_FRAME_BAD);
    cr_assert_str_eq(e.sqlstate, "08P01");
    cr_assert(strstr(e.message, "expected password response"));
}

Test(protocol, per_type_limits)
{
    uint8_t sync_big[] = {'S', 0, 0, 0x30, 0x00}; /* Sync claiming 12 KB */
    uint8_t query_big[] = {'Q', 0, 0x10, 0, 5};  /* Query of 1 MB against a 64 KB limit */
    uint8_t query_ok[] = {'Q', 0, 0, 0, 5};
    pgw_frame f;
    pgw_error e;
    cr_assert_eq(pgw_frame_message(sync_big, 5, PGW_PHASE_READY, 1 << 30, &f, &e), PGW_FRAME_BAD);
    cr_assert_str_eq(e.message, "invalid message length");
    cr_assert_eq(pgw_frame_message(query_big, 5, PGW_PHASE_READY, 65536, &f, &e), PGW_FRAME_BAD);
    cr_assert_eq(pgw_frame_message(query_ok, 5, PGW_PHASE_READY, 65536, &f, &e), PGW_FRAME_INCOMPLETE);
    uint8_t bad_len[] = {'S', 0, 0, 0, 3};
    cr_assert_eq(pgw_frame_message(bad_len, 5, PGW_PHASE_READY, 65536, &f, &e), PGW_FRAME_BAD);
}

Test(protocol, query_and_trailing_bytes)
{
    typed('Q', "SELECT 1\0", 9);
    pgw_frame f;
    pgw_error e;
    cr_assert_eq(pgw_frame_message(msg.data, msg.len, PGW_PHASE_READY, 1 << 20, &f, &e), PGW_FRAME_READY);
    const char *sql;
    cr_assert_eq(pgw_decode_query(f.body, f.len, &sql, &e), 0);
    cr_assert_str_eq(sql, "SELECT 1");
    cr_assert_eq(pgw_decode_query((const uint8_t *)"SELECT 1\0x", 10, &sql, &e), -1);
    cr_assert_str_eq(e.message, "invalid message format");
}

Test(protocol, parse_with_types)
{
    const uint8_t body[] = "s1\0SELECT $1\0\0\2\0\0\0\x17\0\0\0\x19";
    pgw_parse p;
    pgw_error e;
    cr_assert_eq(pgw_decode_parse(body, sizeof(body) - 1, &p, &e), 0);
    cr_assert_str_eq(p.name, "s1");
    cr_assert_eq(p.nparam_types, 2);
    cr_assert_eq(pgw_parse_param_type(&p, 0), 23);
    cr_assert_eq(pgw_parse_param_type(&p, 1), 25);
    cr_assert_eq(pgw_decode_parse(body, sizeof(body) - 3, &p, &e), -1, "types cut short");
    cr_assert_str_eq(e.message, "insufficient data left in message");
}

Test(protocol, bind_decodes_values_and_formats)
{
    buf b;
    buf_init(&b);
    buf_put_cstr(&b, "p");
    buf_put_cstr(&b, "s");
    buf_put_u16be(&b, 1);
    buf_put_u16be(&b, 1);
    buf_put_u16be(&b, 2);
    buf_put_u32be(&b, 4);
    buf_put_u32be(&b, 42);
    buf_put_u32be(&b, 0xffffffffu); /* NULL */
    buf_put_u16be(&b, 1);
    buf_put_u16be(&b, 0);
    arena *a = arena_new();
    pgw_bind m;
    pgw_error e;
    cr_assert_eq(pgw_decode_bind(b.data, (uint32_t)b.len, a, &m, &e), 0);
    cr_assert_eq(m.nparams, 2);
    cr_assert_eq(m.param_lengths[0], 4);
    cr_assert_eq(buf_get_u32be(m.param_values[0]), 42);
    cr_assert_eq(m.param_lengths[1], -1);
    cr_assert_null(m.param_values[1]);
    cr_assert_eq(m.nresult_formats, 1);
    cr_assert_eq(m.param_formats[0], 1);
    arena_free(a);
    buf_free(&b);
}

Test(protocol, bind_with_counts_past_the_body)
{
    buf b;
    buf_init(&b);
    buf_put_cstr(&b, "");
    buf_put_cstr(&b, "");
    buf_put_u16be(&b, 0);
    buf_put_u16be(&b, 3);      /* three values promised */
    buf_put_u32be(&b, 1000);   /* the first claims 1000 bytes */
    buf_put_str(&b, "abc");
    arena *a = arena_new();
    pgw_bind m;
    pgw_error e;
    cr_assert_eq(pgw_decode_bind(b.data, (uint32_t)b.len, a, &m, &e), -1);
    cr_assert_str_eq(e.sqlstate, "08P01");
    cr_assert_str_eq(e.message, "insufficient data left in message");
    arena_free(a);
    buf_free(&b);
}

Test(protocol, describe_subtype_checked)
{
    pgw_target t;
    pgw_error e;
    cr_assert_eq(pgw_decode_target((const uint8_t *)"Pname\0", 6, 'D', &t, &e), 0);
    cr_assert_eq(t.kind, 'P');
    cr_assert_eq(pgw_decode_target((const uint8_t *)"Xname\0", 6, 'D', &t, &e), -1);
    cr_assert_str_eq(e.message, "invalid DESCRIBE message subtype 88");
}

Test(protocol, sasl_initial_response)
{
    const uint8_t body[] = "SCRAM-SHA-256\0\0\0\0\x05n,,n=";
    pgw_sasl_initial s;
    pgw_error e;
    cr_assert_eq(pgw_decode_sasl_initial(body, sizeof(body) - 1, &s, &e), 0);
    cr_assert_str_eq(s.mechanism, "SCRAM-SHA-256");
    cr_assert_eq(s.len, 5);
    cr_assert_eq(memcmp(s.data, "n,,n=", 5), 0);
    cr_assert_eq(pgw_decode_sasl_initial(body, sizeof(body) - 2, &s, &e), -1);
}

Test(protocol, error_response_fields)
{
    pgw_error e;
    pgw_error_set(&e, "42601", "syntax error at or near \"%s\"", "SELEC");
    e.position = 17;
    pgw_error_hint(&e, "try SELECT");
    pgw_put_error(&msg, &e, 0);
    cr_assert_eq(msg.data[0], 'E');
    cr_assert_eq(buf_get_u32be(msg.data + 1), msg.len - 1);
    const char *body = (const char *)msg.data + 5;
    cr_assert_str_eq(body, "SERROR");
    body += strlen(body) + 1;
    cr_assert_str_eq(body, "VERROR");
    body += strlen(body) + 1;
    cr_assert_str_eq(body, "C42601");
    body += strlen(body) + 1;
    cr_assert_str_eq(body, "Msyntax error at or near \"SELEC\"");
    body += strlen(body) + 1;
    cr_assert_str_eq(body, "Htry SELECT");
    body += strlen(body) + 1;
    cr_assert_str_eq(body, "P17");
    body += strlen(body) + 1;
    cr_assert_eq(*body, '\0');
}

Test(protocol, row_description_and_data_row)
{
    size_t m = pgw_row_description_begin(&msg, 1);
    pgw_row_description_field(&msg, "one", 0, 0, 23, 4, -1, 0);
    pgw_msg_end(&msg, m);
    const uint8_t want[] = {'T', 0, 0, 0, 28, 0, 1, 'o', 'n', 'e', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 4,
                            0xff, 0xff, 0xff, 0xff, 0, 0};
    cr_assert_eq(msg.len, sizeof(want));
    cr_assert_eq(memcmp(msg.data, want, sizeof(want)), 0);
    buf_reset(&msg);
    m = pgw_data_row_begin(&msg, 2);
    pgw_data_row_value(&msg, "1", 1);
    pgw_data_row_value(&msg, NULL, -1);
    pgw_msg_end(&msg, m);
    const uint8_t row[] = {'D', 0, 0, 0, 15, 0, 2, 0, 0, 0, 1, '1', 0xff, 0xff, 0xff, 0xff};
    cr_assert_eq(msg.len, sizeof(row));
    cr_assert_eq(memcmp(msg.data, row, sizeof(row)), 0);
}

Test(protocol, ready_and_negotiate)
{
    pgw_put_ready(&msg, 'T');
    const uint8_t z[] = {'Z', 0, 0, 0, 5, 'T'};
    cr_assert_eq(memcmp(msg.data, z, sizeof(z)), 0);
    buf_reset(&msg);
    const char *unknown[] = {"_pq_.x"};
    pgw_put_negotiate_version(&msg, 0, 1, unknown);
    cr_assert_eq(msg.data[0], 'v');
    cr_assert_eq(buf_get_u32be(msg.data + 5), 0);
    cr_assert_eq(buf_get_u32be(msg.data + 9), 1);
    cr_assert_str_eq((const char *)msg.data + 13, "_pq_.x");
}

Test(protocol, buffer_limit_sets_failed)
{
    msg.limit = 8;
    buf_put_u32be(&msg, 1);
    cr_assert_not(msg.failed);
    buf_put_u64be(&msg, 2);
    cr_assert(msg.failed);
    buf_put_u8(&msg, 3);
    cr_assert_eq(msg.len, 4, "appends after a failure do nothing");
}
