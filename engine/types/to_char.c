/*
 * to_char(timestamp[tz], text): PostgreSQL's common template patterns
 * (year, month, day, hour, minute, second, fraction, meridiem, month and day
 * names, quarter, FM fill mode and "quoted" literals). Anything else is
 * copied as is, as PostgreSQL copies non-pattern characters.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/func/registry.h"
#include "engine/types/datetime.h"

static const char *const month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[7] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

typedef struct tc_fields {
    int64_t year;
    int mon, day, dow, doy;
    int64_t tod;
} tc_fields;

/* A name in the case of the pattern: "Month", "MONTH" or "month"; padded
 * to 9 characters unless fill mode is off (FM). */
static int put_name(char *o, const char *name, int len, char casing, bool fm, int pad)
{
    char w[16];
    snprintf(w, sizeof(w), "%.*s", len, name);
    for (char *p = w; *p; p++)
        if (casing == 'U' || (casing == 'l'))
            *p = (char)(casing == 'U' ? (*p >= 'a' && *p <= 'z' ? *p - 32 : *p) : (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
    return sprintf(o, "%-*s", fm ? 0 : pad, w);
}

/* Casing of a pattern word from its first two letters. */
static char casing_of(const char *p)
{
    if (p[0] >= 'a' && p[0] <= 'z')
        return 'l';
    return p[1] >= 'A' && p[1] <= 'Z' ? 'U' : 'C';
}

static bool starts(const char *p, const char *w) { return strncmp(p, w, strlen(w)) == 0; }

static bool starts_ci(const char *p, const char *w) { return strncasecmp(p, w, strlen(w)) == 0; }

/* One pattern at p: writes to o, returns the pattern's length (0 = none). */
static size_t one_pattern(const char *p, const tc_fields *f, bool fm, char *o, int *w)
{
    int64_t h24 = f->tod / 3600000000LL, mi = f->tod / 60000000LL % 60, s = f->tod / 1000000 % 60,
            us = f->tod % 1000000, y = f->year > 0 ? f->year : 1 - f->year;
    int h12 = (int)(h24 % 12 == 0 ? 12 : h24 % 12);
#define NUM(PAT, WIDTH, VAL)                                                       \
    if (starts(p, PAT)) {                                                          \
        *w = sprintf(o, "%0*lld", fm ? 0 : (WIDTH), (long long)(VAL));             \
        return strlen(PAT);                                                        \
    }
    NUM("YYYY", 4, y)
    NUM("YYY", 3, y % 1000)
    NUM("YY", 2, y % 100)
    NUM("HH24", 2, h24)
    NUM("HH12", 2, h12)
    NUM("HH", 2, h12)
    NUM("MI", 2, mi)
    NUM("SS", 2, s)
    NUM("MS", 3, us / 1000)
    NUM("US", 6, us)
    NUM("MM", 2, f->mon)
    NUM("DDD", 3, f->doy)
    NUM("DD", 2, f->day)
    NUM("Q", 1, (f->mon - 1) / 3 + 1)
#undef NUM
    if (starts_ci(p, "AM") || starts_ci(p, "PM")) {
        const char *m = h24 < 12 ? "AM" : "PM";
        *w = sprintf(o, "%s", p[0] >= 'a' ? (h24 < 12 ? "am" : "pm") : m);
        return 2;
    }
    if (starts_ci(p, "MONTH")) {
        *w = put_name(o, month_names[f->mon - 1], 9, casing_of(p), fm, 9);
        return 5;
    }
    if (starts_ci(p, "MON")) {
        *w = put_name(o, month_names[f->mon - 1], 3, casing_of(p), true, 3);
        return 3;
    }
    if (starts_ci(p, "DAY")) {
        *w = put_name(o, day_names[f->dow], 9, casing_of(p), fm, 9);
        return 3;
    }
    if (starts_ci(p, "DY")) {
        *w = put_name(o, day_names[f->dow], 3, casing_of(p), true, 3);
        return 2;
    }
    if (starts(p, "D")) {
        *w = sprintf(o, "%d", f->dow + 1);
        return 1;
    }
    return 0;
}

static int to_char_local(eng_ctx *c, int64_t t, const eng_val *fmt, eng_val *out)
{
    tc_fields f;
    int64_t days = t / USECS_PER_DAY;
    f.tod = t % USECS_PER_DAY;
    if (f.tod < 0)
        f.tod += USECS_PER_DAY, days--;
    eng__civil_from_days(days, &f.year, &f.mon, &f.day);
    f.dow = (int)(((days + 6) % 7 + 7) % 7);
    f.doy = (int)(days - eng__days_from_civil(f.year, 1, 1) + 1);
    char *pat = arena_alloc(c->mem, fmt->s.n + 1);
    char *o = arena_alloc(c->mem, fmt->s.n * 12 + 1);
    if (!pat || !o)
        return eng__oom(c);
    memcpy(pat, fmt->s.p, fmt->s.n);
    pat[fmt->s.n] = '\0';
    size_t n = 0;
    for (const char *p = pat; *p;) {
        bool fm = starts_ci(p, "FM");
        if (fm)
            p += 2;
        int w = 0;
        size_t k = one_pattern(p, &f, fm, o + n, &w);
        if (k) {
            p += k, n += (size_t)w;
            continue;
        }
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                o[n++] = *p == '\\' && p[1] ? *++p : *p;
            if (*p)
                p++;
            continue;
        }
        o[n++] = *p++;
    }
    o[n] = '\0';
    out->null = false;
    out->s.p = o;
    out->s.n = n;
    return 0;
}

static int f_to_char_ts(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    if (a[0].i == DT_NOEND || a[0].i == DT_NOBEGIN) {
        o->null = true;
        return 0;
    }
    return to_char_local(c, a[0].i, &a[1], o);
}

static int f_to_char_tstz(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    eng_val local = a[0];
    if (local.i != DT_NOEND && local.i != DT_NOBEGIN)
        local.i += eng__tz_offset_us(c);
    eng_val args[2] = {local, a[1]};
    return f_to_char_ts(c, args, n, o);
}

void eng__register_to_char(void)
{
    eng__reg("to_char", false, OID_TEXT, ENG_F_STRICT, f_to_char_ts, 2, OID_TIMESTAMP, OID_TEXT);
    eng__reg("to_char", false, OID_TEXT, ENG_F_STRICT, f_to_char_tstz, 2, OID_TIMESTAMPTZ, OID_TEXT);
}
