/*
 * uuid: the uuid type as PostgreSQL has it — 16 bytes, text input with or
 * without hyphens (and braces), lower-case 8-4-4-4-12 output, binary form
 * the raw bytes, byte-order comparisons — and the version-4 generators
 * gen_random_uuid() and uuid-ossp's uuid_generate_v4().
 */
#include <ctype.h>
#include <string.h>
#include <sys/random.h>

#include "engine/func/registry.h"
#include "engine/types/text.h"
#include "engine/types/uuid.h"

#define UUID_LEN 16

static int hexval(char ch)
{
    return isdigit((unsigned char)ch) ? ch - '0' : (tolower((unsigned char)ch) - 'a' + 10);
}

/* PostgreSQL's string_to_uuid(): optional braces, a hyphen allowed after
 * any group of four hex digits. */
static int uuid_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    uint8_t *u = arena_alloc(c->mem, UUID_LEN);
    if (!u)
        return eng__oom(c);
    size_t i = 0;
    bool braces = n > 0 && s[0] == '{';
    i += braces;
    for (int k = 0; k < UUID_LEN; k++) {
        if (i + 1 >= n || !isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
            return eng__bad_input(c, "uuid", s, n);
        u[k] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
        i += 2;
        if (k % 2 == 1 && k < UUID_LEN - 1 && i < n && s[i] == '-')
            i++;
    }
    if (braces && (i >= n || s[i++] != '}'))
        return eng__bad_input(c, "uuid", s, n);
    if (i != n)
        return eng__bad_input(c, "uuid", s, n);
    o->null = false;
    o->s.p = (const char *)u;
    o->s.n = UUID_LEN;
    return 0;
}

static char *uuid_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    static const char hex[] = "0123456789abcdef";
    char *s = arena_alloc(c->mem, 37), *p = s;
    if (!s)
        return NULL;
    const uint8_t *u = (const uint8_t *)v->s.p;
    for (int k = 0; k < UUID_LEN; k++) {
        if (k == 4 || k == 6 || k == 8 || k == 10)
            *p++ = '-';
        *p++ = hex[u[k] >> 4];
        *p++ = hex[u[k] & 15];
    }
    *p = '\0';
    *len = 36;
    return s;
}

static int uuid_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, UUID_LEN))
        return -1;
    return eng__text_val(c, (const char *)p, UUID_LEN, o);
}

static uint8_t *uuid_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    uint8_t *p = arena_alloc(c->mem, UUID_LEN);
    if (p) {
        memcpy(p, v->s.p, UUID_LEN);
        *len = UUID_LEN;
    }
    return p;
}

const eng_type eng__type_uuid = {OID_UUID, "uuid", "uuid", UUID_LEN, 'U', false,
                                 uuid_in, uuid_out, uuid_recv, uuid_send, NULL};

/* Version 4 (random), RFC 4122 variant. */
static int f_random_uuid(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    uint8_t u[UUID_LEN];
    if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u)) {
        pgw_error_set(c->err, SQLSTATE_INTERNAL_ERROR, "could not generate random values");
        return -1;
    }
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    return eng__text_val(c, (const char *)u, UUID_LEN, o);
}

#define UUID_CMP(NAME, OP)                                                     \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)          \
    {                                                                          \
        o->null = false;                                                       \
        o->i = memcmp(a[0].s.p, a[1].s.p, UUID_LEN) OP 0;                      \
        return 0;                                                              \
    }
UUID_CMP(u_eq, ==)
UUID_CMP(u_ne, !=)
UUID_CMP(u_lt, <)
UUID_CMP(u_gt, >)
UUID_CMP(u_le, <=)
UUID_CMP(u_ge, >=)

void eng__register_uuid(void)
{
    static const char *const names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn fns[6] = {u_eq, u_ne, u_lt, u_gt, u_le, u_ge};
    for (int k = 0; k < 6; k++)
        eng__reg(names[k], true, OID_BOOL, ENG_F_STRICT, fns[k], 2, OID_UUID, OID_UUID);
    eng__reg("gen_random_uuid", false, OID_UUID, ENG_F_VOLATILE, f_random_uuid, 0);
    eng__reg("uuid_generate_v4", false, OID_UUID, ENG_F_VOLATILE, f_random_uuid, 0);
}
