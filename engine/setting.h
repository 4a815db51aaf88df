/* setting: one row of pg_settings, as the session layer lends it to the
 * catalog views (syscat.h) without either depending on the other's headers. */
#ifndef HCDB_ENGINE_SETTING_H
#define HCDB_ENGINE_SETTING_H

/* One pg_settings row as PostgreSQL shows it: setting in the base unit
 * (unit "ms", "kB", "8kB", ...), vartype bool / integer / real / string /
 * enum. Any member but name may be NULL. */
typedef struct eng_setting {
    const char *name, *setting, *unit, *short_desc, *context, *vartype, *source;
    const char *min_val, *max_val, *enumvals, *boot_val, *reset_val;
} eng_setting;

typedef void (*eng_setting_cb)(void *arg, const eng_setting *s);

#endif
