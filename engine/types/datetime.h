/* datetime: date/timestamp helpers shared with other modules. */
#ifndef HCDB_ENGINE_TYPES_DATETIME_H
#define HCDB_ENGINE_TYPES_DATETIME_H

#include "engine/types/types.h"

extern const eng_type eng__type_date, eng__type_timestamp, eng__type_timestamptz;

int64_t eng__days_from_civil(int64_t y, int m, int d);
void eng__civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
