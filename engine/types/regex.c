/*
 * regex: POSIX-style regular expression match operators ~ ~* !~ !~* on
 * text (and name, as psql's \d patterns use OPERATOR(pg_catalog.~) on
 * relname), through PCRE2 in UTF-8 mode. PCRE2's syntax covers what
 * clients send (anchors, groups, classes, alternation); PostgreSQL's ARE
 * extras (\m, \y, embedded options) are not translated. A bad pattern is
 * 2201B as in PostgreSQL.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/types/types.h"

static int regex_match(eng_ctx *c, const eng_val *a, bool ci, bool negate, eng_val *out)
{
    int ecode;
    PCRE2_SIZE eoff;
    uint32_t opts = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | (ci ? PCRE2_CASELESS : 0);
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)a[1].s.p, a[1].s.n, opts, &ecode, &eoff, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ecode, msg, sizeof(msg));
        pgw_error_set(c->err, SQLSTATE_INVALID_REGULAR_EXPRESSION, "invalid regular expression: %s", (char *)msg);
        return -1;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) {
        pcre2_code_free(re);
        return eng__oom(c);
    }
    int rc = pcre2_match(re, (PCRE2_SPTR)a[0].s.p, a[0].s.n, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
        pgw_error_set(c->err, SQLSTATE_INVALID_REGULAR_EXPRESSION, "regular expression failed (PCRE2 error %d)", rc);
        return -1;
    }
    out->null = false;
    out->i = (rc >= 0) != negate;
    return 0;
}

static int re_match(eng_ctx *c, const eng_val *a, int n, eng_val *out)
{
    (void)n;
    return regex_match(c, a, false, false, out);
}

static int re_nmatch(eng_ctx *c, const eng_val *a, int n, eng_val *out)
{
    (void)n;
    return regex_match(c, a, false, true, out);
}

static int re_imatch(eng_ctx *c, const eng_val *a, int n, eng_val *out)
{
    (void)n;
    return regex_match(c, a, true, false, out);
}

static int re_nimatch(eng_ctx *c, const eng_val *a, int n, eng_val *out)
{
    (void)n;
    return regex_match(c, a, true, true, out);
}

void eng__register_regex(void)
{
    const uint32_t types[] = {OID_TEXT, OID_NAME, OID_BPCHAR};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        eng__reg("~", true, OID_BOOL, ENG_F_STRICT, re_match, 2, types[i], OID_TEXT);
        eng__reg("!~", true, OID_BOOL, ENG_F_STRICT, re_nmatch, 2, types[i], OID_TEXT);
        eng__reg("~*", true, OID_BOOL, ENG_F_STRICT, re_imatch, 2, types[i], OID_TEXT);
        eng__reg("!~*", true, OID_BOOL, ENG_F_STRICT, re_nimatch, 2, types[i], OID_TEXT);
    }
}
