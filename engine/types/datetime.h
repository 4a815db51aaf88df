/* datetime: date/timestamp helpers shared with other modules. */
#ifndef HCDB_ENGINE_TYPES_DATETIME_H
#define HCDB_ENGINE_TYPES_DATETIME_H

#include "engine/types/types.h"

extern const eng_type eng__type_date, eng__type_timestamp, eng__type_timestamptz, eng__type_interval;

#define USECS_PER_DAY 86400000000LL
#define DT_NOBEGIN INT64_MIN
#define DT_NOEND INT64_MAX
#define DATE_NOBEGIN INT32_MIN
#define DATE_NOEND INT32_MAX
/* PostgreSQL's range: 4713 BC to 294276 AD for timestamps. */
#define MIN_TS_DAYS (-2451545LL)     /* 4714-11-24 BC, Julian day 0 */
#define MAX_TS_DAYS (106751983LL)    /* 294277-01-01 */
#define MAX_DATE_DAYS (2145031949LL) /* 5874898-01-01 */

int64_t eng__days_from_civil(int64_t y, int m, int d);
void eng__civil_from_days(int64_t days, int64_t *y, int *m, int *d);

int eng__days_in_month(int64_t y, int m);
/* The session's TimeZone as microseconds east of UTC (0 without a session). */
int64_t eng__tz_offset_us(const eng_ctx *c);

/* interval.c */
char *eng__interval_format(eng_ctx *c, const eng_interval *iv, size_t *len);
int eng__interval_cmp(const eng_interval *a, const eng_interval *b);
/* A unit name of interval input ("hours", "mon", "y"): its index in the
 * eng_dt_unit order, or -1. */
typedef enum {
    DTU_USEC, DTU_MSEC, DTU_SEC, DTU_MIN, DTU_HOUR, DTU_DAY, DTU_WEEK, DTU_MON, DTU_YEAR, DTU_DECADE, DTU_CENTURY,
    DTU_MILLENNIUM
} eng_dt_unit;
int eng__interval_unit(const char *w, size_t n);
void eng__register_interval(void);

/* datetime_ops.c: arithmetic, date_trunc, extract, age, generate_series. */
void eng__register_datetime_ops(void);
/* to_char.c */
void eng__register_to_char(void);

#endif
