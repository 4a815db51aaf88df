/*
 * date_fn: make_date(year, month, day) with PostgreSQL 15's checks (a
 * negative year is BC, year 0 does not exist, 22008 for a field out of
 * range or a date outside 4713 BC .. 5874897 AD).
 */
#include "engine/func/registry.h"
#include "engine/types/datetime.h"

static int f_make_date(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    int64_t y = a[0].i, m = a[1].i, d = a[2].i;
    int64_t astro = y < 0 ? y + 1 : y; /* 1 BC is year 0 of the proleptic calendar */
    if (y == 0 || m < 1 || m > 12 || d < 1 || d > eng__days_in_month(astro, (int)m)) {
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date field value out of range: %lld-%02lld-%02lld",
                      (long long)y, (long long)m, (long long)d);
        return -1;
    }
    int64_t days = astro < -4713 || astro > 5874898 ? MIN_TS_DAYS - 1 : eng__days_from_civil(astro, (int)m, (int)d);
    if (days < MIN_TS_DAYS || days >= MAX_DATE_DAYS) {
        /* PostgreSQL names the date by its astronomical year here */
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range: %lld-%02lld-%02lld",
                      (long long)astro, (long long)m, (long long)d);
        return -1;
    }
    o->null = false;
    o->i = days;
    return 0;
}

void eng__register_date_fn(void)
{
    eng__reg("make_date", false, OID_DATE, ENG_F_STRICT, f_make_date, 3, OID_INT4, OID_INT4, OID_INT4);
}
