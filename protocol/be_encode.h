/*
 * be_encode: backend messages appended to a byte buffer.
 *
 * Each function appends one whole message; errors are the buffer's sticky
 * `failed` bit, checked once by the caller before sending (so an error
 * half-way never puts half a message on the wire). Variable messages
 * (RowDescription, DataRow) are built with pgw_msg_begin / pgw_msg_end,
 * which back-patch the length.
 */
#ifndef HCDB_PROTOCOL_BE_ENCODE_H
#define HCDB_PROTOCOL_BE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/pgw_error.h"
#include "util/buf.h"

/* Authentication request codes (message 'R'). */
#define PGW_AUTH_OK 0
#define PGW_AUTH_CLEARTEXT 3
#define PGW_AUTH_MD5 5
#define PGW_AUTH_SASL 10
#define PGW_AUTH_SASL_CONTINUE 11
#define PGW_AUTH_SASL_FINAL 12

/* Start a message; returns the offset to hand to pgw_msg_end. */
size_t pgw_msg_begin(buf *b, char type);
void pgw_msg_end(buf *b, size_t start);

void pgw_put_auth(buf *b, uint32_t code, const void *data, size_t len);
void pgw_put_parameter_status(buf *b, const char *name, const char *value);
void pgw_put_backend_key(buf *b, uint32_t pid, uint32_t key);
void pgw_put_ready(buf *b, char txn_status);
void pgw_put_command_complete(buf *b, const char *tag);
void pgw_put_empty_query(buf *b);
/* ErrorResponse, or NoticeResponse when `notice` is non-zero. */
void pgw_put_error(buf *b, const pgw_error *e, int notice);
void pgw_put_negotiate_version(buf *b, uint32_t newest_minor, int nunknown, const char *const *unknown);
/* The one-message replies: ParseComplete '1', BindComplete '2',
 * CloseComplete '3', NoData 'n', PortalSuspended 's', CopyDone 'c'. */
void pgw_put_empty(buf *b, char type);
void pgw_put_parameter_description(buf *b, int n, const uint32_t *oids);

/* RowDescription: begin, one field per column, end. */
size_t pgw_row_description_begin(buf *b, int ncols);
void pgw_row_description_field(buf *b, const char *name, uint32_t table_oid, int16_t attnum, uint32_t type_oid,
                               int16_t typlen, int32_t typmod, int16_t format);

/* DataRow: begin, one value per column (len -1 = NULL), end with pgw_msg_end. */
size_t pgw_data_row_begin(buf *b, int ncols);
void pgw_data_row_value(buf *b, const void *data, int32_t len);

#endif
