/*
 * pglsn: the pg_lsn type and the WAL position functions (see pglsn.h).
 * Input is PostgreSQL's: two hexadecimal parts of 1 to 8 digits joined by
 * '/', nothing around them. hcdb's WAL positions are byte offsets in its
 * WAL stream, so differences between them are WAL bytes as in PostgreSQL.
 */
#include "engine/types/pglsn.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/catalog.h"
#include "engine/func/registry.h"
#include "engine/types/numeric.h"

#define LSN_PART_MAX 8

static size_t hex_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] && strchr("0123456789abcdefABCDEF", s[i]))
        i++;
    return i;
}

static uint64_t hex_value(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        v = v * 16 + (uint64_t)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
    }
    return v;
}

static int lsn_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    (void)tm;
    size_t hi = hex_run(s, n);
    if (hi < 1 || hi > LSN_PART_MAX || hi >= n || s[hi] != '/')
        return eng__bad_input(c, "pg_lsn", s, n);
    size_t lo = hex_run(s + hi + 1, n - hi - 1);
    if (lo < 1 || lo > LSN_PART_MAX || hi + 1 + lo != n)
        return eng__bad_input(c, "pg_lsn", s, n);
    o->null = false;
    o->i = (int64_t)(hex_value(s, hi) << 32 | hex_value(s + hi + 1, lo));
    return 0;
}

static char *lsn_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    uint64_t x = (uint64_t)v->i;
    char *s = arena_printf(c->mem, "%" PRIX32 "/%" PRIX32, (uint32_t)(x >> 32), (uint32_t)x);
    if (s)
        *len = strlen(s);
    return s;
}

static int lsn_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    (void)tm;
    if (eng__recv_len(c, n, 8))
        return -1;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = x << 8 | p[i];
    o->null = false;
    o->i = (int64_t)x;
    return 0;
}

static uint8_t *lsn_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__send_be(c, (uint64_t)v->i, 8, len);
}

const eng_type eng__type_pg_lsn = {OID_PG_LSN, "pg_lsn", "pg_lsn", 8, 'U', false,
                                   lsn_in, lsn_out, lsn_recv, lsn_send, NULL};

/* ---- operators and functions ------------------------------------------ */

#define LSN_CMP(NAME, OP)                                                       \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)           \
    {                                                                           \
        (void)c;                                                                \
        (void)n;                                                                \
        o->null = false;                                                        \
        o->i = (uint64_t)a[0].i OP(uint64_t) a[1].i;                            \
        return 0;                                                               \
    }
LSN_CMP(lsn_eq, ==)
LSN_CMP(lsn_ne, !=)
LSN_CMP(lsn_lt, <)
LSN_CMP(lsn_gt, >)
LSN_CMP(lsn_le, <=)
LSN_CMP(lsn_ge, >=)

/* pg_lsn - pg_lsn and pg_wal_lsn_diff(): bytes between two positions, numeric. */
static int lsn_diff(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    uint64_t x = (uint64_t)a[0].i, y = (uint64_t)a[1].i;
    char txt[24]; /* the full unsigned range: FFFFFFFF/FFFFFFFF - 0/0 does not fit int8 */
    int len = snprintf(txt, sizeof(txt), "%s%" PRIu64, x >= y ? "" : "-", x >= y ? x - y : y - x);
    o->null = false;
    o->num = eng__num_parse(c, txt, (size_t)len);
    return o->num ? 0 : -1;
}

/* pg_lsn(text): the function-style cast monitoring queries write (pg_lsn('0/0')). */
static int lsn_from_text(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    return lsn_in(c, a[0].s.p, a[0].s.n, -1, o);
}

typedef enum { WAL_INSERT, WAL_FLUSH } wal_pos;

static int wal_lsn(eng_ctx *c, eng_val *o, wal_pos which)
{
    st_stats s = {0};
    if (c->env && c->env->catalog)
        st_get_stats(eng_catalog_db(c->env->catalog), &s);
    o->null = false;
    o->i = (int64_t)(which == WAL_FLUSH ? s.flushed_lsn : s.insert_lsn);
    return 0;
}

/* pg_current_wal_lsn() is where PostgreSQL has written to (not necessarily
 * flushed); hcdb writes each record at once, so it is the insert position. */
static int f_current_wal_lsn(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)a;
    (void)n;
    return wal_lsn(c, o, WAL_INSERT);
}

static int f_current_wal_flush_lsn(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)a;
    (void)n;
    return wal_lsn(c, o, WAL_FLUSH);
}

void eng__register_pglsn(void)
{
    static const char *const names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn fns[6] = {lsn_eq, lsn_ne, lsn_lt, lsn_gt, lsn_le, lsn_ge};
    for (int k = 0; k < 6; k++)
        eng__reg(names[k], true, OID_BOOL, ENG_F_STRICT, fns[k], 2, OID_PG_LSN, OID_PG_LSN);
    eng__reg("-", true, OID_NUMERIC, ENG_F_STRICT, lsn_diff, 2, OID_PG_LSN, OID_PG_LSN);
    eng__reg("pg_wal_lsn_diff", false, OID_NUMERIC, ENG_F_STRICT, lsn_diff, 2, OID_PG_LSN, OID_PG_LSN);
    eng__reg("pg_lsn", false, OID_PG_LSN, ENG_F_STRICT, lsn_from_text, 1, OID_TEXT);
    eng__reg("pg_current_wal_lsn", false, OID_PG_LSN, ENG_F_VOLATILE, f_current_wal_lsn, 0);
    eng__reg("pg_current_wal_insert_lsn", false, OID_PG_LSN, ENG_F_VOLATILE, f_current_wal_lsn, 0);
    eng__reg("pg_current_wal_flush_lsn", false, OID_PG_LSN, ENG_F_VOLATILE, f_current_wal_flush_lsn, 0);
}
