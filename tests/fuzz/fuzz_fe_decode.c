/*
 * libFuzzer target: frontend framing and every message decoder, in every
 * phase, on arbitrary bytes. Nothing may crash, read out of bounds or leak.
 * Run: build with -DHCDB_FUZZ=ON (clang), then
 *   build-fuzz/fuzz_fe_decode tests/fuzz/corpus/fuzz_fe_decode -max_total_time=600
 */
#include <stddef.h>
#include <stdint.h>

#include "protocol/fe_decode.h"
#include "protocol/frame.h"
#include "util/arena.h"

static void decode_typed(const pgw_frame *f, arena *a)
{
    pgw_error e;
    const char *s;
    pgw_parse p;
    pgw_bind b;
    pgw_target t;
    pgw_execute x;
    pgw_sasl_initial si;
    switch (f->type) {
    case 'Q':
        (void)pgw_decode_query(f->body, f->len, &s, &e);
        break;
    case 'P':
        if (pgw_decode_parse(f->body, f->len, &p, &e) == 0)
            for (int i = 0; i < p.nparam_types; i++)
                (void)pgw_parse_param_type(&p, i);
        break;
    case 'B':
        (void)pgw_decode_bind(f->body, f->len, a, &b, &e);
        break;
    case 'D':
    case 'C':
        (void)pgw_decode_target(f->body, f->len, f->type, &t, &e);
        break;
    case 'E':
        (void)pgw_decode_execute(f->body, f->len, &x, &e);
        break;
    case 'p':
        (void)pgw_decode_password(f->body, f->len, &s, &e);
        (void)pgw_decode_sasl_initial(f->body, f->len, &si, &e);
        break;
    case 'f':
        (void)pgw_decode_copy_fail(f->body, f->len, &s, &e);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static arena *a;
    if (!a)
        a = arena_new();
    pgw_frame f;
    pgw_error e;
    pgw_startup st;
    if (pgw_frame_startup(data, size, &f, &e) == PGW_FRAME_READY)
        (void)pgw_decode_startup(f.body, f.len, &st, &e);
    for (pgw_phase phase = PGW_PHASE_AUTH; phase <= PGW_PHASE_READY; phase++) {
        size_t off = 0;
        while (off < size && pgw_frame_message(data + off, size - off, phase, 1 << 20, &f, &e) == PGW_FRAME_READY) {
            decode_typed(&f, a);
            arena_reset(a);
            off += f.size;
        }
        (void)pgw_frame_missing(data, size, 0);
    }
    return 0;
}
