/*
 * datetime: date, timestamp, timestamptz — ISO input and output (DateStyle
 * ISO), PostgreSQL's binary formats (int32 days / int64 microseconds since
 * 2000-01-01), comparisons and the current-time functions.
 *
 * Time zones are fixed offsets (eng_env.tz_offset_s): hcdb accepts only
 * UTC-like zones and numeric offsets for TimeZone so far, so no DST rules.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/func/registry.h"
#include "engine/types/datetime.h"
#include "engine/types/int.h"


/* Days since 2000-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
int64_t eng__days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - 10957;
}

void eng__civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468 + 10957;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t eng_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec - 946684800LL) * 1000000LL + ts.tv_nsec / 1000;
}

int eng__days_in_month(int64_t y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

typedef struct dt_fields {
    int64_t year;
    int mon, day, hour, min, sec;
    int64_t usec;
    bool has_time, has_tz;
    int32_t tz;          /* seconds east of UTC */
} dt_fields;

static bool read_int(const char **p, const char *e, int maxd, int64_t *out)
{
    int n = 0;
    int64_t v = 0;
    while (*p < e && isdigit((unsigned char)**p) && n < maxd) {
        v = v * 10 + (**p - '0');
        (*p)++, n++;
    }
    *out = v;
    return n > 0;
}

/* "+05", "+05:30", "-0800", "Z", "UTC". */
static bool parse_tz(const char **pp, const char *e, int32_t *tz)
{
    const char *p = *pp;
    if (p < e && (*p == 'Z' || *p == 'z')) {
        *tz = 0;
        *pp = p + 1;
        return true;
    }
    if (e - p >= 3 && strncasecmp(p, "UTC", 3) == 0) {
        *tz = 0;
        *pp = p + 3;
        return true;
    }
    if (e - p >= 3 && strncasecmp(p, "GMT", 3) == 0) {
        *tz = 0;
        *pp = p + 3;
        return true;
    }
    if (p >= e || (*p != '+' && *p != '-'))
        return false;
    int sign = *p++ == '-' ? -1 : 1;
    int64_t h, m = 0;
    const char *s = p;
    if (!read_int(&p, e, 2, &h))
        return false;
    if (p - s == 2 && p < e && isdigit((unsigned char)*p)) {
        if (!read_int(&p, e, 2, &m))
            return false;
    } else if (p < e && *p == ':') {
        p++;
        if (!read_int(&p, e, 2, &m))
            return false;
    }
    if (h > 15 || m > 59)
        return false;
    *tz = sign * (int32_t)(h * 3600 + m * 60);
    *pp = p;
    return true;
}

/* ISO 8601 and PostgreSQL's ISO-ish forms; returns 0, or 1 for bad syntax,
 * 2 for a field out of range, 3 for a month out of range. */
static int parse_datetime(const char *s, size_t n, dt_fields *f)
{
    const char *p = s, *e = s + n;
    memset(f, 0, sizeof(*f));
    while (p < e && isspace((unsigned char)*p))
        p++;
    while (e > p && isspace((unsigned char)e[-1]))
        e--;
    int64_t y, mo, d;
    if (!read_int(&p, e, 9, &y) || p >= e || *p++ != '-' || !read_int(&p, e, 2, &mo) || p >= e ||
        *p++ != '-' || !read_int(&p, e, 2, &d))
        return 1;
    f->year = y, f->mon = (int)mo, f->day = (int)d;
    if (p < e && (*p == 'T' || *p == ' ')) {
        p++;
        while (p < e && *p == ' ')
            p++;
        int64_t h, mi, sec = 0;
        if (!read_int(&p, e, 2, &h) || p >= e || *p++ != ':' || !read_int(&p, e, 2, &mi))
            return 1;
        if (p < e && *p == ':') {
            p++;
            if (!read_int(&p, e, 2, &sec))
                return 1;
            if (p < e && *p == '.') {
                p++;
                int64_t frac = 0;
                int digits = 0;
                while (p < e && isdigit((unsigned char)*p)) {
                    if (digits < 7)
                        frac = frac * 10 + (*p - '0'), digits++;
                    p++;
                }
                while (digits < 7)
                    frac *= 10, digits++;
                f->usec = (frac + 5) / 10; /* round to microseconds */
            }
        }
        f->hour = (int)h, f->min = (int)mi, f->sec = (int)sec;
        f->has_time = true;
        while (p < e && *p == ' ')
            p++;
        if (p < e) {
            if (!parse_tz(&p, e, &f->tz))
                return 1;
            f->has_tz = true;
        }
    }
    if (p != e)
        return 1;
    if (f->mon < 1 || f->mon > 12)
        return 3;
    if (f->day < 1 || f->day > eng__days_in_month(f->year, f->mon) || f->year == 0 ||
        f->hour > 24 || f->min > 59 || f->sec > 60 || (f->hour == 24 && (f->min || f->sec || f->usec)))
        return 2;
    return 0;
}

static int dt_error(eng_ctx *c, int kind, const char *tname, const char *s, size_t n)
{
    size_t len;
    char *txt = eng__strval(c, s, n, &len);
    if (kind >= 2) {
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date/time field value out of range: \"%s\"", txt ? txt : "");
        if (kind == 3) /* PostgreSQL suspects a day-month order mix-up */
            pgw_error_hint(c->err, "Perhaps you need a different \"datestyle\" setting.");
    }
    else
        pgw_error_set(c->err, SQLSTATE_INVALID_DATETIME_FORMAT, "invalid input syntax for type %s: \"%s\"", tname, txt ? txt : "");
    return -1;
}

static bool special_word(const char *s, size_t n, const char *w)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static int ts_in_common(eng_ctx *c, const char *s, size_t n, bool with_tz, eng_val *o)
{
    const char *tname = with_tz ? "timestamp with time zone" : "timestamp without time zone";
    int32_t off = c->env ? c->env->tz_offset_s : 0;
    o->null = false;
    if (special_word(s, n, "infinity") || special_word(s, n, "+infinity")) {
        o->i = DT_NOEND;
        return 0;
    }
    if (special_word(s, n, "-infinity")) {
        o->i = DT_NOBEGIN;
        return 0;
    }
    if (special_word(s, n, "epoch")) {
        o->i = -946684800LL * 1000000LL;
        return 0;
    }
    if (special_word(s, n, "now")) {
        int64_t t = c->env ? c->env->txn_ts : eng_now_us();
        o->i = with_tz ? t : t + (int64_t)off * 1000000;
        return 0;
    }
    dt_fields f;
    int rc = parse_datetime(s, n, &f);
    if (rc)
        return dt_error(c, rc, tname, s, n);
    int64_t days = eng__days_from_civil(f.year, f.mon, f.day);
    int64_t t = days * USECS_PER_DAY + ((int64_t)f.hour * 3600 + f.min * 60 + f.sec) * 1000000LL + f.usec;
    if (with_tz)
        t -= (int64_t)(f.has_tz ? f.tz : off) * 1000000LL;
    if (days < MIN_TS_DAYS || days >= MAX_TS_DAYS) {
        size_t len;
        char *txt = eng__strval(c, s, n, &len);
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"%s\"", txt ? txt : "");
        return -1;
    }
    o->i = t;
    return 0;
}

static int ts_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o) { return ts_in_common(c, s, n, false, o); }
static int tstz_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o) { return ts_in_common(c, s, n, true, o); }

static int date_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    o->null = false;
    if (special_word(s, n, "infinity")) {
        o->i = DATE_NOEND;
        return 0;
    }
    if (special_word(s, n, "-infinity")) {
        o->i = DATE_NOBEGIN;
        return 0;
    }
    dt_fields f;
    int rc = parse_datetime(s, n, &f);
    if (rc)
        return dt_error(c, rc, "date", s, n);
    o->i = eng__days_from_civil(f.year, f.mon, f.day);
    return 0;
}

/* EncodeDateOnly / EncodeDateTime for DateStyle ISO. */
static int format_date(char *o, int64_t days)
{
    int64_t y;
    int m, d;
    eng__civil_from_days(days, &y, &m, &d);
    if (y <= 0)
        return sprintf(o, "%04lld-%02d-%02d BC", (long long)(1 - y), m, d);
    return sprintf(o, "%04lld-%02d-%02d", (long long)y, m, d);
}

static char *format_ts(eng_ctx *c, int64_t t, bool with_tz, size_t *len)
{
    if (t == DT_NOEND || t == DT_NOBEGIN) {
        *len = t == DT_NOEND ? 8 : 9;
        return arena_strdup(c->mem, t == DT_NOEND ? "infinity" : "-infinity");
    }
    int32_t off = with_tz && c->env ? c->env->tz_offset_s : 0;
    t += (int64_t)off * 1000000LL;
    int64_t days = t / USECS_PER_DAY, rem = t % USECS_PER_DAY;
    if (rem < 0)
        rem += USECS_PER_DAY, days--;
    char buf[96], *o = buf;
    int64_t y;
    int m, d;
    eng__civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / 1000000, us = rem % 1000000;
    o += sprintf(o, "%04lld-%02d-%02d %02lld:%02lld:%02lld", (long long)(y <= 0 ? 1 - y : y), m, d,
                 (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60));
    if (us) {
        o += sprintf(o, ".%06lld", (long long)us);
        while (o[-1] == '0')
            o--;
    }
    if (with_tz) {
        int32_t a = off < 0 ? -off : off;
        o += sprintf(o, "%c%02d", off < 0 ? '-' : '+', a / 3600);
        if (a % 3600)
            o += sprintf(o, ":%02d", a / 60 % 60);
        if (a % 60)
            o += sprintf(o, ":%02d", a % 60);
    }
    if (y <= 0)
        o += sprintf(o, " BC");
    *o = '\0';
    *len = (size_t)(o - buf);
    return arena_strdup(c->mem, buf);
}

static char *ts_out(eng_ctx *c, const eng_val *v, size_t *len) { return format_ts(c, v->i, false, len); }
static char *tstz_out(eng_ctx *c, const eng_val *v, size_t *len) { return format_ts(c, v->i, true, len); }

static char *date_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    char buf[48];
    if (v->i == DATE_NOEND || v->i == DATE_NOBEGIN)
        strcpy(buf, v->i == DATE_NOEND ? "infinity" : "-infinity");
    else
        format_date(buf, v->i);
    *len = strlen(buf);
    return arena_strdup(c->mem, buf);
}

static uint8_t *ts_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__send_be(c, (uint64_t)v->i, 8, len);
}

static uint8_t *date_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__send_be(c, (uint64_t)v->i, 4, len);
}

static int ts_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, 8))
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    o->null = false;
    o->i = (int64_t)v;
    return 0;
}

static int date_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, 4))
        return -1;
    o->null = false;
    o->i = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
    return 0;
}

const eng_type eng__type_date = {OID_DATE, "date", "date", 4, 'D', false,
                                 date_in, date_out, date_recv, date_send, NULL};
const eng_type eng__type_timestamp = {OID_TIMESTAMP, "timestamp", "timestamp without time zone", 8, 'D', false,
                                      ts_in, ts_out, ts_recv, ts_send, NULL};
const eng_type eng__type_timestamptz = {OID_TIMESTAMPTZ, "timestamptz", "timestamp with time zone", 8, 'D', true,
                                        tstz_in, tstz_out, ts_recv, ts_send, NULL};

/* ---- functions, operators, casts ------------------------------------- */

#define TS_CMP(NAME, OP)                                              \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)  \
    {                                                                 \
        o->null = false;                                              \
        o->i = a[0].i OP a[1].i;                                      \
        return 0;                                                     \
    }

TS_CMP(ts_eq, ==)
TS_CMP(ts_ne, !=)
TS_CMP(ts_lt, <)
TS_CMP(ts_gt, >)
TS_CMP(ts_le, <=)
TS_CMP(ts_ge, >=)

static int f_now(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = c->env ? c->env->txn_ts : eng_now_us();
    return 0;
}

static int f_stmt_ts(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = c->env ? c->env->stmt_ts : eng_now_us();
    return 0;
}

static int f_clock_ts(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = eng_now_us();
    return 0;
}

static int cast_date_ts(eng_ctx *c, const eng_val *in, eng_val *o)
{
    o->null = false;
    o->i = in->i == DATE_NOEND ? DT_NOEND : in->i == DATE_NOBEGIN ? DT_NOBEGIN : in->i * USECS_PER_DAY;
    return 0;
}

static int cast_date_tstz(eng_ctx *c, const eng_val *in, eng_val *o)
{
    cast_date_ts(c, in, o);
    if (o->i != DT_NOEND && o->i != DT_NOBEGIN && c->env)
        o->i -= (int64_t)c->env->tz_offset_s * 1000000LL;
    return 0;
}

static int cast_ts_tstz(eng_ctx *c, const eng_val *in, eng_val *o)
{
    *o = *in;
    if (o->i != DT_NOEND && o->i != DT_NOBEGIN && c->env)
        o->i -= (int64_t)c->env->tz_offset_s * 1000000LL;
    return 0;
}

static int cast_tstz_ts(eng_ctx *c, const eng_val *in, eng_val *o)
{
    *o = *in;
    if (o->i != DT_NOEND && o->i != DT_NOBEGIN && c->env)
        o->i += (int64_t)c->env->tz_offset_s * 1000000LL;
    return 0;
}

static int ts_to_date(int64_t t, eng_val *o)
{
    o->null = false;
    if (t == DT_NOEND || t == DT_NOBEGIN) {
        o->i = t == DT_NOEND ? DATE_NOEND : DATE_NOBEGIN;
        return 0;
    }
    int64_t days = t / USECS_PER_DAY;
    if (t % USECS_PER_DAY < 0)
        days--;
    o->i = days;
    return 0;
}

static int cast_ts_date(eng_ctx *c, const eng_val *in, eng_val *o)
{
    return ts_to_date(in->i, o);
}

static int cast_tstz_date(eng_ctx *c, const eng_val *in, eng_val *o)
{
    int64_t t = in->i;
    if (t != DT_NOEND && t != DT_NOBEGIN && c->env)
        t += (int64_t)c->env->tz_offset_s * 1000000LL;
    return ts_to_date(t, o);
}

static int f_current_date(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    eng_val t;
    f_now(c, a, n, &t);
    return cast_tstz_date(c, &t, o);
}

static int f_localtimestamp(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    eng_val t;
    f_now(c, a, n, &t);
    return cast_tstz_ts(c, &t, o);
}

int64_t eng__tz_offset_us(const eng_ctx *c)
{
    return c->env ? (int64_t)c->env->tz_offset_s * 1000000LL : 0;
}

void eng__register_datetime(void)
{
    eng__register_interval();
    eng__register_datetime_ops();
    eng__register_to_char();
    static const char *names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn fns[6] = {ts_eq, ts_ne, ts_lt, ts_gt, ts_le, ts_ge};
    uint32_t types[3] = {OID_DATE, OID_TIMESTAMP, OID_TIMESTAMPTZ};
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < 6; k++)
            eng__reg(names[k], true, OID_BOOL, ENG_F_STRICT, fns[k], 2, types[t], types[t]);
    eng__reg("now", false, OID_TIMESTAMPTZ, ENG_F_STRICT, f_now, 0);
    eng__reg("transaction_timestamp", false, OID_TIMESTAMPTZ, ENG_F_STRICT, f_now, 0);
    eng__reg("statement_timestamp", false, OID_TIMESTAMPTZ, ENG_F_STRICT, f_stmt_ts, 0);
    eng__reg("clock_timestamp", false, OID_TIMESTAMPTZ, ENG_F_STRICT | ENG_F_VOLATILE, f_clock_ts, 0);
    eng__reg("current_date", false, OID_DATE, ENG_F_STRICT, f_current_date, 0);
    eng__reg("localtimestamp", false, OID_TIMESTAMP, ENG_F_STRICT, f_localtimestamp, 0);
    eng__reg_cast(OID_DATE, OID_TIMESTAMP, ENG_CAST_IMPLICIT, cast_date_ts);
    eng__reg_cast(OID_DATE, OID_TIMESTAMPTZ, ENG_CAST_IMPLICIT, cast_date_tstz);
    eng__reg_cast(OID_TIMESTAMP, OID_TIMESTAMPTZ, ENG_CAST_IMPLICIT, cast_ts_tstz);
    eng__reg_cast(OID_TIMESTAMPTZ, OID_TIMESTAMP, ENG_CAST_ASSIGN, cast_tstz_ts);
    eng__reg_cast(OID_TIMESTAMP, OID_DATE, ENG_CAST_ASSIGN, cast_ts_date);
    eng__reg_cast(OID_TIMESTAMPTZ, OID_DATE, ENG_CAST_ASSIGN, cast_tstz_date);
}
