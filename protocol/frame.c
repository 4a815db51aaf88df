/* frame: message boundaries and per-type length limits (see frame.h). */
#include "protocol/frame.h"

#include "util/buf.h"

pgw_frame_result pgw_frame_startup(const uint8_t *data, size_t avail, pgw_frame *out, pgw_error *err)
{
    if (avail < 4)
        return PGW_FRAME_INCOMPLETE;
    uint32_t len = buf_get_u32be(data);
    if (len < 8 || len > PGW_STARTUP_MAX) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid length of startup packet");
        err->severity = "FATAL";
        return PGW_FRAME_BAD;
    }
    if (avail < len)
        return PGW_FRAME_INCOMPLETE;
    out->type = 0;
    out->body = data + 4;
    out->len = len - 4;
    out->size = len;
    return PGW_FRAME_READY;
}

/* The limit for a message type in a phase; 0 = type not allowed there. */
static uint32_t type_limit(char type, pgw_phase phase, uint32_t large_max)
{
    if (phase == PGW_PHASE_AUTH)
        return type == 'p' ? PGW_AUTH_MESSAGE_MAX : 0;
    switch (type) {
    case 'Q': /* Query */
    case 'P': /* Parse */
    case 'B': /* Bind */
    case 'd': /* CopyData */
    case 'F': /* FunctionCall */
        return large_max;
    case 'D': /* Describe */
    case 'E': /* Execute */
    case 'C': /* Close */
    case 'S': /* Sync */
    case 'H': /* Flush */
    case 'X': /* Terminate */
    case 'c': /* CopyDone */
    case 'f': /* CopyFail */
        return PGW_SMALL_MESSAGE_MAX;
    default:
        return 0;
    }
}

pgw_frame_result pgw_frame_message(const uint8_t *data, size_t avail, pgw_phase phase, uint32_t large_max,
                                   pgw_frame *out, pgw_error *err)
{
    if (avail < 1)
        return PGW_FRAME_INCOMPLETE;
    char type = (char)data[0];
    uint32_t limit = type_limit(type, phase, large_max);
    if (limit == 0) {
        if (phase == PGW_PHASE_AUTH)
            pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "expected password response, got message type %d",
                          (int)(uint8_t)type);
        else
            pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid frontend message type %d",
                          (int)(uint8_t)type);
        err->severity = "FATAL";
        return PGW_FRAME_BAD;
    }
    if (avail < 5)
        return PGW_FRAME_INCOMPLETE;
    uint32_t len = buf_get_u32be(data + 1);
    if (len < 4 || len - 4 > limit) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid message length");
        if (len >= 4)
            pgw_error_detail(err, "Message type '%c' is %u bytes long; the limit is %u.", type, len - 4, limit);
        err->severity = "FATAL";
        return PGW_FRAME_BAD;
    }
    if (avail - 1 < len)
        return PGW_FRAME_INCOMPLETE;
    out->type = type;
    out->body = data + 5;
    out->len = len - 4;
    out->size = (size_t)len + 1;
    return PGW_FRAME_READY;
}

size_t pgw_frame_missing(const uint8_t *data, size_t avail, int startup)
{
    size_t hdr = startup ? 4 : 5;
    if (avail < hdr)
        return 0;
    size_t total = startup ? buf_get_u32be(data) : (size_t)buf_get_u32be(data + 1) + 1;
    return total > avail ? total - avail : 0;
}
