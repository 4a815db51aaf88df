/*
 * frame: cutting the client's byte stream into protocol messages (v3).
 *
 * Two shapes: the untyped start-up packets (int32 length, then body; the
 * first int32 of the body is a protocol version or request code) and the
 * typed messages after it (one type byte, int32 length counting itself,
 * body). As in PostgreSQL's postgres.c, the type byte is checked before the
 * body is read, and every type has a length limit checked before any of its
 * body is buffered: small control messages may not claim megabytes.
 *
 * Pure functions over byte buffers; any thread.
 */
#ifndef HCDB_PROTOCOL_FRAME_H
#define HCDB_PROTOCOL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/pgw_error.h"

#define PGW_PROTOCOL_3_0 0x00030000u
#define PGW_PROTOCOL_MAJOR(v) ((v) >> 16)
#define PGW_PROTOCOL_MINOR(v) ((v)&0xffff)
#define PGW_CANCEL_REQUEST_CODE 80877102u
#define PGW_SSL_REQUEST_CODE 80877103u
#define PGW_GSSENC_REQUEST_CODE 80877104u

/* PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
#define PGW_STARTUP_MAX 10000u
/* PostgreSQL's PQ_SMALL_MESSAGE_LIMIT: control messages never need more. */
#define PGW_SMALL_MESSAGE_MAX 10000u
/* PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH, for password/SASL messages. */
#define PGW_AUTH_MESSAGE_MAX 65535u
/* Largest Query/Parse/Bind/CopyData: PostgreSQL's PQ_LARGE_MESSAGE_LIMIT (1 GiB - 1). */
#define PGW_DEFAULT_MESSAGE_MAX ((1u << 30) - 1)
#define PGW_MIN_MESSAGE_MAX 1024u

/* Which messages the connection accepts right now. */
typedef enum pgw_phase {
    PGW_PHASE_AUTH,  /* only 'p' (password / SASL response) */
    PGW_PHASE_READY, /* query phase: Q P B D E C S H X F d c f */
} pgw_phase;

typedef struct pgw_frame {
    char type;           /* message type; 0 for a start-up packet */
    const uint8_t *body; /* points into the caller's buffer */
    uint32_t len;        /* body length */
    size_t size;         /* whole message size: bytes to consume */
} pgw_frame;

typedef enum pgw_frame_result {
    PGW_FRAME_BAD = -1,       /* err filled; the connection must end */
    PGW_FRAME_INCOMPLETE = 0, /* need more bytes */
    PGW_FRAME_READY = 1,      /* *out describes one whole message */
} pgw_frame_result;

/* A start-up packet (StartupMessage, SSLRequest, GSSENCRequest,
 * CancelRequest). Bad length: 08P01 "invalid length of startup packet". */
pgw_frame_result pgw_frame_startup(const uint8_t *data, size_t avail, pgw_frame *out, pgw_error *err);

/* A typed message in `phase`; `large_max` bounds the big message types.
 * Unknown type: 08P01 "invalid frontend message type N"; over its limit:
 * 08P01 "invalid message length". */
pgw_frame_result pgw_frame_message(const uint8_t *data, size_t avail, pgw_phase phase, uint32_t large_max,
                                   pgw_frame *out, pgw_error *err);

/* Bytes of the message that starts `data` still missing, once its header is
 * known (0 if unknown); lets the reader size its buffer once. */
size_t pgw_frame_missing(const uint8_t *data, size_t avail, int startup);

#endif
