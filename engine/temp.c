/*
 * temp: naming, lookup and clean-up of temporary tables (see temp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/seq.h"
#include "engine/temp.h"

#define TEMP_PREFIX "pg_temp_"

char *eng_temp_name(arena *a, int32_t pid, const char *name)
{
    return arena_printf(a, TEMP_PREFIX "%ld.%s", (long)pid, name);
}

static bool is_temp_name(const char *name)
{
    return strncmp(name, TEMP_PREFIX, sizeof(TEMP_PREFIX) - 1) == 0 && strchr(name, '.');
}

bool eng_table_is_temp(const eng_table *t)
{
    return is_temp_name(t->name);
}

int32_t eng_temp_pid(const eng_table *t)
{
    return eng_table_is_temp(t) ? (int32_t)strtol(t->name + sizeof(TEMP_PREFIX) - 1, NULL, 10) : -1;
}

const char *eng_temp_bare(const char *name)
{
    return is_temp_name(name) ? strchr(name, '.') + 1 : name;
}

eng_table *eng_temp_find(eng_catalog *cat, int32_t pid, const char *name)
{
    char full[512];
    if (!strchr(name, '.') && (size_t)snprintf(full, sizeof(full), TEMP_PREFIX "%ld.%s", (long)pid, name) < sizeof(full)) {
        eng_table *t = eng_catalog_find(cat, full);
        if (t)
            return t;
    }
    return eng_catalog_find(cat, name);
}

static bool owned_by(const eng_table *t, int32_t pid)
{
    if (!eng_table_is_temp(t))
        return false;
    if (pid < 0)
        return true;
    char prefix[64];
    int n = snprintf(prefix, sizeof(prefix), TEMP_PREFIX "%ld.", (long)pid);
    return strncmp(t->name, prefix, (size_t)n) == 0;
}

bool eng_temp_any(eng_catalog *cat, int32_t pid)
{
    const eng_table *t;
    for (size_t i = 0; (t = eng_catalog_table_at(cat, i)); i++)
        if (owned_by(t, pid))
            return true;
    return false;
}

int eng_temp_drop_all(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, int32_t pid, pgw_error *err)
{
    int dropped = 0;
    /* table_at counts live tables only: a drop shifts the ones after it down */
    for (size_t i = 0;;) {
        eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            return dropped;
        if (!owned_by(t, pid)) {
            i++;
            continue;
        }
        if (eng_seq_drop_table(cat, txn, log, t, err))
            return -1;
        dropped++;
    }
}
