/* types: the type table, casts and shared I/O helpers (see types.h). */
#include "engine/types/types.h"

#include <stdio.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/types/datetime.h"
#include "engine/types/float.h"
#include "engine/types/hypercube.h"
#include "engine/types/int.h"
#include "engine/types/json.h"
#include "engine/types/numeric.h"
#include "engine/types/regtypes.h"
#include "engine/types/text.h"
#include "engine/types/uuid.h"
#include "engine/types/vector.h"
#include "engine/types/array.h"
#include "engine/types/bit.h"
#include "engine/types/halfvec.h"

static const eng_type eng__type_any = {OID_ANY, "any", "\"any\"", 4, 'P', false, NULL, NULL, NULL, NULL, NULL};
static const eng_type eng__type_anyelement = {OID_ANYELEMENT, "anyelement", "anyelement", 4, 'P', false,
                                              NULL, NULL, NULL, NULL, NULL};
static const eng_type eng__type_anynonarray = {OID_ANYNONARRAY, "anynonarray", "anynonarray", 4, 'P', false,
                                               NULL, NULL, NULL, NULL, NULL};

static const eng_type *const all_types[] = {
    &eng__type_bool,    &eng__type_bytea,     &eng__type_char,        &eng__type_name,
    &eng__type_int8,    &eng__type_int2,      &eng__type_int4,        &eng__type_text,
    &eng__type_oid,     &eng__type_float4,    &eng__type_float8,      &eng__type_unknown,
    &eng__type_bpchar,  &eng__type_varchar,   &eng__type_date,        &eng__type_timestamp,
    &eng__type_timestamptz, &eng__type_numeric, &eng__type_void,      &eng__type_any,
    &eng__type_anyelement, &eng__type_anynonarray, &eng__type_vector, &eng__type_hypercube,
    &eng__type_regclass, &eng__type_regtype, &eng__type_regproc, &eng__type_regnamespace, &eng__type_uuid,
    &eng__type_interval, &eng__type_json, &eng__type_jsonb, &eng__type_halfvec, &eng__type_bit, &eng__type_varbit,
};

#define NTYPES (sizeof(all_types) / sizeof(all_types[0]))

const eng_type *eng_type_by_oid(uint32_t oid)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (all_types[i]->oid == oid)
            return all_types[i];
    return eng__array_type(oid);
}

const eng_type *eng_type_at(int i)
{
    return i >= 0 && (size_t)i < NTYPES ? all_types[i] : NULL;
}

const eng_type *eng_type_by_name(const char *name)
{
    static const struct { const char *alias, *name; } aliases[] = {
        {"int", "int4"}, {"integer", "int4"}, {"smallint", "int2"}, {"bigint", "int8"},
        {"real", "float4"}, {"float", "float8"}, {"decimal", "numeric"}, {"boolean", "bool"},
        {"character varying", "varchar"}, {"character", "bpchar"},
    };
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(name, aliases[i].alias) == 0)
            name = aliases[i].name;
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(all_types[i]->name, name) == 0 && all_types[i]->category != 'P')
            return all_types[i];
    return NULL;
}

const char *eng_type_sqlname(uint32_t oid)
{
    const eng_type *t = eng_type_by_oid(oid);
    return t ? t->sqlname : "???";
}

char *eng_type_format(arena *a, uint32_t oid, int32_t typmod)
{
    const char *base = eng_type_sqlname(oid);
    if (typmod < 0)
        return arena_strdup(a, base);
    if (oid == OID_VARCHAR || oid == OID_BPCHAR)
        return arena_printf(a, "%s(%d)", base, typmod - 4);
    if (oid == OID_VECTOR || oid == OID_HALFVEC || oid == OID_BIT || oid == OID_VARBIT)
        return arena_printf(a, "%s(%d)", base, typmod);
    if (oid == OID_NUMERIC && typmod >= 4) {
        int32_t tm = typmod - 4;
        return arena_printf(a, "numeric(%d,%d)", (tm >> 16) & 0xffff, ((tm & 0x7ff) ^ 1024) - 1024);
    }
    return arena_strdup(a, base);
}

/* varchar/bpchar: (n) with 1 <= n <= 10485760; numeric: (p[,s]) with
 * 1 <= p <= 1000 and -1000 <= s <= 1000 (PostgreSQL 15's limits). */
int eng_type_typmod(const eng_type *t, const int32_t *mods, int nmods, int32_t *out, pgw_error *err)
{
    *out = -1;
    if (nmods == 0)
        return 0;
    if (t->oid == OID_VARCHAR || t->oid == OID_BPCHAR) {
        const char *tn = t->oid == OID_VARCHAR ? "varchar" : "char";
        if (nmods != 1) {
            pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "invalid type modifier");
            return -1;
        }
        if (mods[0] < 1) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "length for type %s must be at least 1", tn);
            return -1;
        }
        if (mods[0] > 10485760) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "length for type %s cannot exceed 10485760", tn);
            return -1;
        }
        *out = mods[0] + 4;
        return 0;
    }
    if (t->oid == OID_NUMERIC) {
        if (nmods > 2) {
            pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "invalid NUMERIC type modifier");
            return -1;
        }
        int32_t p = mods[0], s = nmods > 1 ? mods[1] : 0;
        if (p < 1 || p > 1000) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "NUMERIC precision %d must be between 1 and %d", p, 1000);
            return -1;
        }
        if (s < -1000 || s > 1000) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "NUMERIC scale %d must be between %d and %d", s, -1000, 1000);
            return -1;
        }
        *out = ((p << 16) | (s & 0x7ff)) + 4;
        return 0;
    }
    if (t->oid == OID_VECTOR)
        return eng__vector_typmod(mods, nmods, out, err);
    if (t->oid == OID_HALFVEC)
        return eng__halfvec_typmod(mods, nmods, out, err);
    if (t->oid == OID_BIT || t->oid == OID_VARBIT)
        return eng__bit_typmod(t, mods, nmods, out, err);
    pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "type modifier is not allowed for type \"%s\"", t->name);
    return -1;
}

/* ---- casts ----------------------------------------------------------- */

static bool is_polymorphic(uint32_t oid)
{
    return oid == OID_ANY || oid == OID_ANYELEMENT || oid == OID_ANYNONARRAY;
}

bool eng_cast_find(uint32_t src, uint32_t dst, eng_cast_ctx cc, eng_cast_fn *fn, bool *via_io)
{
    *fn = NULL;
    *via_io = false;
    if (src == dst)
        return true;
    const eng_castdef *cd = eng_cast_lookup(src, dst);
    if (cd)  {
        if (cd->ctx > cc)
            return false;
        *fn = cd->fn;
        return true;
    }
    const eng_type *s = eng_type_by_oid(src), *d = eng_type_by_oid(dst);
    if (!s || !d || s->category == 'P' || d->category == 'P' || dst == OID_UNKNOWN)
        return false;
    /* CoerceViaIO: to a string type in assignment, from one when explicit. */
    if ((d->category == 'S' && cc >= ENG_CAST_ASSIGN) || (s->category == 'S' && cc == ENG_CAST_EXPLICIT)) {
        *via_io = true;
        return true;
    }
    /* array to array where the elements cast: element by element through the text forms */
    if (s->category == 'A' && d->category == 'A') {
        eng_cast_fn efn;
        bool eio;
        if (eng_cast_find(eng_array_elem(src), eng_array_elem(dst), cc, &efn, &eio)) {
            *via_io = true;
            return true;
        }
    }
    return false;
}

bool eng_can_coerce(uint32_t src, uint32_t dst)
{
    if (src == dst || src == OID_UNKNOWN || dst == OID_ANY)
        return true;
    if (dst == OID_ANYELEMENT || dst == OID_ANYNONARRAY)
        return src != OID_VOID;
    if (is_polymorphic(src))
        return false;
    if (eng_array_elem(src) && eng_array_elem(dst))
        return eng_can_coerce(eng_array_elem(src), eng_array_elem(dst));
    const eng_castdef *cd = eng_cast_lookup(src, dst);
    return cd && cd->ctx == ENG_CAST_IMPLICIT;
}

/* ---- helpers --------------------------------------------------------- */

char *eng__strval(eng_ctx *c, const char *s, size_t n, size_t *len)
{
    *len = n;
    return arena_strndup(c->mem, s, n);
}

int eng__bad_input(eng_ctx *c, const char *tname, const char *s, size_t n)
{
    size_t len;
    char *txt = eng__strval(c, s, n, &len);
    if (!txt)
        return eng__oom(c);
    pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type %s: \"%s\"", tname, txt);
    return -1;
}

int eng__oom(eng_ctx *c)
{
    pgw_error_oom(c->err);
    return -1;
}

uint8_t *eng__send_be(eng_ctx *c, uint64_t v, int bytes, size_t *len)
{
    uint8_t *p = arena_alloc(c->mem, (size_t)bytes);
    if (!p)
        return NULL;
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    *len = (size_t)bytes;
    return p;
}

/* pq_getmsg* semantics: too few bytes is a protocol violation; too many is
 * reported by the caller as "incorrect binary data format". */
int eng__recv_len(eng_ctx *c, size_t n, size_t want)
{
    if (n < want) {
        pgw_error_set(c->err, SQLSTATE_PROTOCOL_VIOLATION, "insufficient data left in message");
        return -1;
    }
    if (n > want) {
        pgw_error_set(c->err, SQLSTATE_INVALID_BINARY_REPRESENTATION, "incorrect binary data format");
        return -1;
    }
    return 0;
}

void eng_err_depth(pgw_error *err)
{
    pgw_error_set(err, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
    pgw_error_hint(err, "Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), after "
                        "ensuring the platform's stack depth limit is adequate.");
}
