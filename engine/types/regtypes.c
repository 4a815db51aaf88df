/*
 * regtypes: the OID alias types regclass, regtype, regproc and
 * regnamespace — an OID on the wire (binary form = oid's), a name in text,
 * looked up in the live catalog, the type table and the function registry.
 * Input of a name that does not exist fails as PostgreSQL's does (42P01,
 * 42704, 42883, 3F000); output of an unknown OID is the number. Catalog
 * reads take the catalog's read lock (recursive read locks are safe: the
 * lock prefers readers).
 */
#include <ctype.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/syscat_internal.h"
#include "engine/seq.h"
#include "engine/temp.h"
#include "engine/types/types.h"

/* A possibly schema-qualified, possibly quoted name: the last component,
 * folded to lower case unless quoted, and the schema (or NULL). */
static int parse_name(eng_ctx *c, const char *s, size_t n, const char **schema, const char **name)
{
    char *parts[2] = {NULL, NULL};
    int np = 0;
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    while (i < n && np < 2) {
        char *out = arena_alloc(c->mem, n + 1);
        size_t k = 0;
        if (!out)
            return eng__oom(c);
        if (s[i] == '"') {
            for (i++; i < n; i++) {
                if (s[i] == '"' && !(i + 1 < n && s[i + 1] == '"'))
                    break;
                out[k++] = s[i];
                i += s[i] == '"';
            }
            i++;
        } else {
            for (; i < n && s[i] != '.' && !isspace((unsigned char)s[i]); i++)
                out[k++] = (char)tolower((unsigned char)s[i]);
        }
        out[k] = 0;
        parts[np++] = out;
        if (i < n && s[i] == '.')
            i++;
        else
            break;
    }
    *schema = np == 2 ? parts[0] : NULL;
    *name = parts[np - 1];
    return 0;
}

/* An all-digits input is an OID. */
static bool numeric_oid(const char *s, size_t n, eng_val *o)
{
    if (n == 0 || n > 10)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    o->null = false;
    o->i = (int64_t)v;
    return true;
}

static char *out_str(eng_ctx *c, const char *s, size_t *len)
{
    char *p = arena_strdup(c->mem, s);
    if (p)
        *len = strlen(p);
    return p;
}

static char *out_oid(eng_ctx *c, const eng_val *v, size_t *len)
{
    char *p = arena_printf(c->mem, "%u", (uint32_t)v->i);
    if (p)
        *len = strlen(p);
    return p;
}

static eng_catalog *catalog(eng_ctx *c)
{
    return c->env ? c->env->catalog : NULL;
}

/* ---- regclass ------------------------------------------------------------ */

static int regclass_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    if (numeric_oid(s, n, o))
        return 0;
    const char *schema, *name;
    if (parse_name(c, s, n, &schema, &name))
        return -1;
    bool temp = schema && strcmp(schema, "pg_temp") == 0;
    const char *full = schema && !temp && strcmp(schema, "public") != 0 ? arena_printf(c->mem, "%s.%s", schema, name)
                                                                       : name;
    eng_catalog *cat = catalog(c);
    if (cat)
        eng_catalog_rdlock(cat);
    /* a bare name finds the session's temporary table first (pg_temp leads the search path) */
    const eng_table *t = full && cat && (!schema || temp) ? eng_temp_find(cat, c->env->backend_pid, name) : NULL;
    if (temp && t && !eng_table_is_temp(t))
        t = NULL;
    if (!t && full && !temp)
        t = eng_rel_find(cat, full);
    int pos;
    const eng_table *owner = !t && cat && name ? eng_catalog_find_index(cat, name, &pos) : NULL;
    uint32_t oid = t ? t->relid : owner ? owner->indexes[pos]->relid : 0;
    if (!oid && cat && name)
        oid = eng_seq_oid(cat, name);
    if (cat)
        eng_catalog_unlock(cat);
    if (!oid) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%.*s\" does not exist", (int)n, s);
        return -1;
    }
    o->null = false;
    o->i = oid;
    return 0;
}

static char *regclass_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    eng_catalog *cat = catalog(c);
    if (cat)
        eng_catalog_rdlock(cat);
    const eng_index *ix;
    const eng_table *t = eng__rel_by_oid(cat, (uint32_t)v->i, &ix);
    char *s = NULL, seq[256];
    if (ix)
        s = arena_strdup(c->mem, ix->name);
    else if (!t && cat && eng_seq_name(cat, (uint32_t)v->i, seq, sizeof(seq)))
        s = arena_strdup(c->mem, seq);
    else if (t && t->vrel && strcmp(t->vrel->schema, "pg_catalog") != 0)
        s = arena_printf(c->mem, "%s.%s", t->vrel->schema, t->name);
    else if (t) /* a temporary table is qualified only for other sessions, as it is not visible to them */
        s = arena_strdup(c->mem, !t->vrel && c->env && eng_temp_pid(t) == c->env->backend_pid ? eng_temp_bare(t->name)
                                                                                           : t->name);
    if (cat)
        eng_catalog_unlock(cat);
    return s ? out_str(c, s, len) : out_oid(c, v, len);
}

/* ---- regtype -------------------------------------------------------------- */

static int regtype_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    if (numeric_oid(s, n, o))
        return 0;
    char *txt = arena_strndup(c->mem, s, n);
    if (!txt)
        return eng__oom(c);
    for (char *p = txt; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *name = strncmp(txt, "pg_catalog.", 11) == 0 ? txt + 11 : txt;
    const eng_type *t = eng_type_by_name(name);
    if (!t) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_OBJECT, "type \"%.*s\" does not exist", (int)n, s);
        return -1;
    }
    o->null = false;
    o->i = t->oid;
    return 0;
}

static char *regtype_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    const eng_type *t = eng_type_by_oid((uint32_t)v->i);
    return t ? out_str(c, t->sqlname, len) : out_oid(c, v, len);
}

/* ---- regproc -------------------------------------------------------------- */

static int regproc_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    if (numeric_oid(s, n, o))
        return 0;
    const char *schema, *name;
    if (parse_name(c, s, n, &schema, &name))
        return -1;
    int count = 0;
    const eng_proc *p = name ? eng_procs_named(name, false, &count) : NULL;
    if (count == 0) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_FUNCTION, "function \"%.*s\" does not exist", (int)n, s);
        return -1;
    }
    if (count > 1) {
        pgw_error_set(c->err, SQLSTATE_AMBIGUOUS_FUNCTION, "more than one function named \"%.*s\"", (int)n, s);
        return -1;
    }
    o->null = false;
    o->i = eng__proc_oid(p);
    return 0;
}

static char *regproc_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    if (v->i == 0)
        return out_str(c, "-", len);
    const eng_proc *p = eng__proc_by_oid((uint32_t)v->i);
    return p ? out_str(c, p->name, len) : out_oid(c, v, len);
}

/* ---- regnamespace ------------------------------------------------------------ */

static int regnamespace_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    if (numeric_oid(s, n, o))
        return 0;
    const char *schema, *name;
    if (parse_name(c, s, n, &schema, &name))
        return -1;
    uint32_t oid = name ? eng__nsp_oid(name) : 0;
    if (!oid) {
        pgw_error_set(c->err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%.*s\" does not exist", (int)n, s);
        return -1;
    }
    o->null = false;
    o->i = oid;
    return 0;
}

static char *regnamespace_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    const char *name = eng__nsp_name((uint32_t)v->i);
    return name ? out_str(c, name, len) : out_oid(c, v, len);
}

/* ---- wire forms: oid's --------------------------------------------------------- */

static int reg_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    return eng_type_by_oid(OID_OID)->recv(c, p, n, tm, o);
}

static uint8_t *reg_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng_type_by_oid(OID_OID)->send(c, v, len);
}

const eng_type eng__type_regclass = {OID_REGCLASS, "regclass", "regclass", 4, 'N', false,
                                     regclass_in, regclass_out, reg_recv, reg_send, NULL};
const eng_type eng__type_regtype = {OID_REGTYPE, "regtype", "regtype", 4, 'N', false,
                                    regtype_in, regtype_out, reg_recv, reg_send, NULL};
const eng_type eng__type_regproc = {OID_REGPROC, "regproc", "regproc", 4, 'N', false,
                                    regproc_in, regproc_out, reg_recv, reg_send, NULL};
const eng_type eng__type_regnamespace = {OID_REGNAMESPACE, "regnamespace", "regnamespace", 4, 'N', false,
                                         regnamespace_in, regnamespace_out, reg_recv, reg_send, NULL};

static int cast_same(eng_ctx *c, const eng_val *in, eng_val *o)
{
    (void)c;
    *o = *in;
    return 0;
}

static int cast_int_to_reg(eng_ctx *c, const eng_val *in, eng_val *o)
{
    if (in->i < INT32_MIN || in->i > UINT32_MAX) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range");
        return -1;
    }
    o->null = false;
    o->i = (uint32_t)in->i;
    return 0;
}

void eng__register_regtypes(void)
{
    static const uint32_t regs[] = {OID_REGCLASS, OID_REGTYPE, OID_REGPROC, OID_REGNAMESPACE};
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        /* pg_cast: oid <-> reg* binary-coercible both ways, integers in implicitly */
        eng__reg_cast(OID_OID, regs[i], ENG_CAST_IMPLICIT, NULL);
        eng__reg_cast(regs[i], OID_OID, ENG_CAST_IMPLICIT, NULL);
        eng__reg_cast(OID_INT4, regs[i], ENG_CAST_IMPLICIT, cast_int_to_reg);
        eng__reg_cast(OID_INT8, regs[i], ENG_CAST_IMPLICIT, cast_int_to_reg);
        eng__reg_cast(regs[i], OID_INT4, ENG_CAST_ASSIGN, cast_same);
        eng__reg_cast(regs[i], OID_INT8, ENG_CAST_ASSIGN, cast_same);
    }
}
