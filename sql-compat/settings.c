/*
 * settings: GUC table and per-session values (see settings.h).
 *
 * Each setting keeps its current value, the value a COMMIT keeps (`sess`,
 * differs from `cur` only under SET LOCAL), the value to restore on
 * ROLLBACK (`saved`, taken at the first change inside a transaction), the
 * RESET target (`boot`: built-in default or start-up option), and the last
 * value reported through ParameterStatus.
 */
#include "sql-compat/settings.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sql-compat/parse.h"
#include "util/mem.h"
#include "util/version.h"

enum { K_BOOL, K_INT, K_REAL, K_STR, K_ENUM };
enum { U_NONE, U_MS, U_S, U_KB, U_8KB };
enum {
    F_REPORT = 1,      /* sent in ParameterStatus */
    F_INTERNAL = 2,    /* read-only */
    F_POSTMASTER = 4,  /* read-only: needs a restart */
    F_SIGHUP = 8,      /* read-only in a session */
    F_LIST = 16,       /* list input, elements quoted (search_path) */
    F_NOSHOWALL = 32,
};

typedef int (*check_fn)(const char *name, const char *in, char *out, size_t outsz, pgw_error *err);

typedef struct gucdef {
    const char *name;
    int kind, unit, flags;
    const char *def;
    long min, max;
    const char *enums;  /* comma-separated for K_ENUM */
    check_fn check;
    const char *desc;
} gucdef;

static int check_encoding(const char *, const char *, char *, size_t, pgw_error *);
static int check_datestyle(const char *, const char *, char *, size_t, pgw_error *);
static int check_timezone(const char *, const char *, char *, size_t, pgw_error *);
static int check_appname(const char *, const char *, char *, size_t, pgw_error *);
static int check_locale(const char *, const char *, char *, size_t, pgw_error *);

static const gucdef defs[] = {
    {"application_name", K_STR, 0, F_REPORT, "", 0, 0, NULL, check_appname, "Sets the application name to be reported in statistics and logs."},
    {"block_size", K_INT, 0, F_INTERNAL, "8192", 8192, 8192, NULL, NULL, "Shows the size of a disk block."},
    {"bytea_output", K_ENUM, 0, 0, "hex", 0, 0, "hex", NULL, "Sets the output format for bytea."},
    {"client_encoding", K_STR, 0, F_REPORT, "UTF8", 0, 0, NULL, check_encoding, "Sets the client's character set encoding."},
    {"client_min_messages", K_ENUM, 0, 0, "notice", 0, 0, "debug5,debug4,debug3,debug2,debug1,debug,log,notice,warning,error", NULL, "Sets the message levels that are sent to the client."},
    {"DateStyle", K_STR, 0, F_REPORT | F_LIST, "ISO, MDY", 0, 0, NULL, check_datestyle, "Sets the display format for date and time values."},
    {"default_transaction_isolation", K_ENUM, 0, 0, "read committed", 0, 0, "serializable,repeatable read,read committed,read uncommitted", NULL, "Sets the transaction isolation level of each new transaction."},
    {"default_transaction_read_only", K_BOOL, 0, F_REPORT, "off", 0, 0, NULL, NULL, "Sets the default read-only status of new transactions."},
    {"effective_cache_size", K_INT, U_8KB, 0, "524288", 1, INT_MAX, NULL, NULL, "Sets the planner's assumption about the total size of the data caches."},
    {"enable_seqscan", K_BOOL, 0, 0, "on", 0, 0, NULL, NULL, "Enables the planner's use of sequential-scan plans."},
    {"enable_indexscan", K_BOOL, 0, 0, "on", 0, 0, NULL, NULL, "Enables the planner's use of index-scan plans."},
    {"extra_float_digits", K_INT, 0, 0, "1", -15, 3, NULL, NULL, "Sets the number of digits displayed for floating-point values."},
    {"fsync", K_BOOL, 0, F_SIGHUP, "on", 0, 0, NULL, NULL, "Forces synchronization of updates to disk."},
    {"hnsw.ef_search", K_INT, 0, 0, "40", 1, 1000, NULL, NULL, "Sets the size of the dynamic candidate list for search"},
    {"idle_in_transaction_session_timeout", K_INT, U_MS, 0, "0", 0, INT_MAX, NULL, NULL, "Sets the maximum allowed idle time between queries, when in a transaction."},
    {"in_hot_standby", K_BOOL, 0, F_REPORT | F_INTERNAL, "off", 0, 0, NULL, NULL, "Shows whether hot standby is currently active."},
    {"integer_datetimes", K_BOOL, 0, F_REPORT | F_INTERNAL, "on", 0, 0, NULL, NULL, "Shows whether datetimes are integer based."},
    {"IntervalStyle", K_ENUM, 0, F_REPORT, "postgres", 0, 0, "postgres", NULL, "Sets the display format for interval values."},
    {"is_superuser", K_BOOL, 0, F_REPORT | F_INTERNAL | F_NOSHOWALL, "off", 0, 0, NULL, NULL, "Shows whether the current user is a superuser."},
    {"jit", K_BOOL, 0, 0, "on", 0, 0, NULL, NULL, "Allow JIT compilation."},
    {"lc_collate", K_STR, 0, F_INTERNAL, "C", 0, 0, NULL, NULL, "Shows the collation order locale."},
    {"lc_ctype", K_STR, 0, F_INTERNAL, "C", 0, 0, NULL, NULL, "Shows the character classification and case conversion locale."},
    {"lc_messages", K_STR, 0, 0, "C", 0, 0, NULL, check_locale, "Sets the language in which messages are displayed."},
    {"lc_monetary", K_STR, 0, 0, "C", 0, 0, NULL, check_locale, "Sets the locale for formatting monetary amounts."},
    {"lc_numeric", K_STR, 0, 0, "C", 0, 0, NULL, check_locale, "Sets the locale for formatting numbers."},
    {"lc_time", K_STR, 0, 0, "C", 0, 0, NULL, check_locale, "Sets the locale for formatting date and time values."},
    {"lock_timeout", K_INT, U_MS, 0, "0", 0, INT_MAX, NULL, NULL, "Sets the maximum allowed duration of any wait for a lock."},
    {"maintenance_work_mem", K_INT, U_KB, 0, "65536", 1024, INT_MAX, NULL, NULL, "Sets the maximum memory to be used for maintenance operations."},
    {"max_connections", K_INT, 0, F_POSTMASTER, "100", 1, 262143, NULL, NULL, "Sets the maximum number of concurrent connections."},
    {"max_identifier_length", K_INT, 0, F_INTERNAL, "63", 63, 63, NULL, NULL, "Shows the maximum identifier length."},
    /* hcdb builds HNSW indexes on this many workers plus the leader, at most one per core; the
     * default asks for every core (PostgreSQL's is 2) */
    {"max_parallel_maintenance_workers", K_INT, 0, 0, "1024", 0, 1024, NULL, NULL, "Sets the maximum number of parallel processes per maintenance operation."},
    {"max_parallel_workers_per_gather", K_INT, 0, 0, "2", 0, 1024, NULL, NULL, "Sets the maximum number of parallel processes per executor node."},
    {"random_page_cost", K_REAL, 0, 0, "4", 0, 1000000, NULL, NULL, "Sets the planner's estimate of the cost of a nonsequentially fetched disk page."},
    {"row_security", K_BOOL, 0, 0, "on", 0, 0, NULL, NULL, "Enable row security."},
    {"search_path", K_STR, 0, F_LIST, "\"$user\", public", 0, 0, NULL, NULL, "Sets the schema search order for names that are not schema-qualified."},
    {"server_encoding", K_STR, 0, F_REPORT | F_INTERNAL, "UTF8", 0, 0, NULL, NULL, "Shows the server (database) character set encoding."},
    {"server_version", K_STR, 0, F_REPORT | F_INTERNAL, HCDB_SERVER_VERSION, 0, 0, NULL, NULL, "Shows the server version."},
    {"server_version_num", K_INT, 0, F_INTERNAL, HCDB_PG_VERSION_NUM, 0, 0, NULL, NULL, "Shows the server version as an integer."},
    {"session_authorization", K_STR, 0, F_REPORT | F_NOSHOWALL, "", 0, 0, NULL, NULL, "Sets the session user name."},
    {"shared_buffers", K_INT, U_8KB, F_POSTMASTER, "16384", 16, 1073741823, NULL, NULL, "Sets the number of shared memory buffers used by the server."},
    {"shared_preload_libraries", K_STR, 0, F_POSTMASTER, "", 0, 0, NULL, NULL, "Lists shared libraries to preload into server."},
    {"standard_conforming_strings", K_BOOL, 0, F_REPORT, "on", 0, 0, NULL, NULL, "Causes '...' strings to treat backslashes literally."},
    {"statement_timeout", K_INT, U_MS, 0, "0", 0, INT_MAX, NULL, NULL, "Sets the maximum allowed duration of any statement."},
    {"synchronous_commit", K_ENUM, 0, 0, "on", 0, 0, "local,remote_write,remote_apply,on,off", NULL, "Sets the current transaction's synchronization level."},
    {"TimeZone", K_STR, 0, F_REPORT, "UTC", 0, 0, NULL, check_timezone, "Sets the time zone for displaying and interpreting time stamps."},
    {"transaction_isolation", K_ENUM, 0, F_NOSHOWALL, "read committed", 0, 0, "serializable,repeatable read,read committed,read uncommitted", NULL, "Sets the current transaction's isolation level."},
    {"transaction_read_only", K_BOOL, 0, F_NOSHOWALL, "off", 0, 0, NULL, NULL, "Sets the current transaction's read-only status."},
    {"work_mem", K_INT, U_KB, 0, "4096", 64, INT_MAX, NULL, NULL, "Sets the maximum memory to be used for query workspaces."},
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))
#define MAX_PLACEHOLDERS 64
#define VALUE_MAX 1024

typedef struct gucval {
    char *cur, *sess, *saved, *boot, *reported;
    bool has_saved;
} gucval;

typedef struct placeholder {
    char *name;
    gucval v;
} placeholder;

struct sqlc_settings {
    gucval vals[NDEFS];
    placeholder ph[MAX_PLACEHOLDERS];
    int nph;
};

static int find_def(const char *name)
{
    const char *n = name;
    if (strcasecmp(n, "timezone") == 0)
        n = "TimeZone";
    for (size_t i = 0; i < NDEFS; i++)
        if (strcasecmp(defs[i].name, n) == 0)
            return (int)i;
    return -1;
}

bool sqlc_setting_is_list(const char *name)
{
    int i = find_def(name);
    return i >= 0 && (defs[i].flags & F_LIST) && strcasecmp(name, "datestyle") != 0;
}

const char *sqlc_settings_canonical(const char *name)
{
    int i = find_def(name);
    return i >= 0 ? defs[i].name : name;
}

static void setstr(char **slot, const char *v)
{
    char *d = mem_strdup(v ? v : "");
    if (!d)
        return; /* keep the old value; callers treat settings as best effort under OOM */
    mem_free(*slot);
    *slot = d;
}

sqlc_settings *sqlc_settings_new(const char *user, bool is_superuser)
{
    sqlc_settings *s = mem_calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    for (size_t i = 0; i < NDEFS; i++) {
        const char *d = defs[i].def;
        if (strcmp(defs[i].name, "is_superuser") == 0)
            d = is_superuser ? "on" : "off";
        else if (strcmp(defs[i].name, "session_authorization") == 0)
            d = user ? user : "";
        char tmp[64];
        if (defs[i].kind == K_INT && defs[i].unit != U_NONE) {
            /* defaults are stored in base units and shown with a unit */
            snprintf(tmp, sizeof(tmp), "%s", d);
        }
        setstr(&s->vals[i].cur, d);
        setstr(&s->vals[i].sess, d);
        setstr(&s->vals[i].boot, d);
        if (!s->vals[i].cur || !s->vals[i].sess || !s->vals[i].boot) {
            sqlc_settings_free(s);
            return NULL;
        }
    }
    return s;
}

static void free_val(gucval *v)
{
    mem_free(v->cur);
    mem_free(v->sess);
    mem_free(v->saved);
    mem_free(v->boot);
    mem_free(v->reported);
}

void sqlc_settings_free(sqlc_settings *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < NDEFS; i++)
        free_val(&s->vals[i]);
    for (int i = 0; i < s->nph; i++) {
        free_val(&s->ph[i].v);
        mem_free(s->ph[i].name);
    }
    mem_free(s);
}

/* ---- showing --------------------------------------------------------- */

/* _ShowOption for integers with units: the largest unit that divides. */
static void show_int(const gucdef *d, long v, char *out, size_t sz)
{
    if (d->unit == U_NONE || v == 0 || v == -1) {
        snprintf(out, sz, "%ld", v);
        return;
    }
    static const struct { const char *u; long mul; } ms[] = {{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}};
    static const struct { const char *u; long mul; } kb[] = {{"TB", 1L << 30}, {"GB", 1L << 20}, {"MB", 1L << 10}, {"kB", 1}};
    if (d->unit == U_MS) {
        for (size_t i = 0; i < 5; i++)
            if (v % ms[i].mul == 0) {
                snprintf(out, sz, "%ld%s", v / ms[i].mul, ms[i].u);
                return;
            }
    }
    long kbv = d->unit == U_8KB ? v * 8 : v;
    for (size_t i = 0; i < 4; i++)
        if (kbv % kb[i].mul == 0) {
            snprintf(out, sz, "%ld%s", kbv / kb[i].mul, kb[i].u);
            return;
        }
}

static const char *shown(sqlc_settings *s, int i, char *buf, size_t sz)
{
    const char *v = s->vals[i].cur;
    if (defs[i].kind == K_INT && defs[i].unit != U_NONE) {
        show_int(&defs[i], strtol(v, NULL, 10), buf, sz);
        return buf;
    }
    return v;
}

static placeholder *find_ph(sqlc_settings *s, const char *name)
{
    for (int i = 0; i < s->nph; i++)
        if (strcasecmp(s->ph[i].name, name) == 0)
            return &s->ph[i];
    return NULL;
}

static int unknown(const char *name, pgw_error *err)
{
    pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    return -1;
}

const char *sqlc_settings_get(sqlc_settings *s, const char *name, bool missing_ok, pgw_error *err)
{
    static __thread char buf[64];
    int i = find_def(name);
    if (i >= 0)
        return shown(s, i, buf, sizeof(buf));
    placeholder *p = find_ph(s, name);
    if (p)
        return p->v.cur;
    if (!missing_ok)
        unknown(name, err);
    return NULL;
}

/* ---- checks ---------------------------------------------------------- */

static int bad_value(const char *name, const char *in, pgw_error *err)
{
    pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"", name, in);
    return -1;
}

static void squash(const char *in, char *out, size_t sz)
{
    size_t k = 0;
    for (; *in && k + 1 < sz; in++)
        if (isalnum((unsigned char)*in))
            out[k++] = (char)tolower((unsigned char)*in);
    out[k] = '\0';
}

/* Only UTF8 is spoken; other real encodings are 0A000 like a missing
 * conversion in PostgreSQL, unknown names 22023. */
static int check_encoding(const char *name, const char *in, char *out, size_t sz, pgw_error *err)
{
    static const char *const known[] = {"sqlascii", "latin1", "latin2", "latin3", "latin4", "latin5", "latin6",
                                        "latin7", "latin8", "latin9", "latin10", "win1250", "win1251", "win1252",
                                        "win1253", "win1254", "win1255", "win1256", "win1257", "win1258", "win866",
                                        "win874", "koi8r", "koi8u", "eucjp", "euccn", "euckr", "euctw", "sjis",
                                        "big5", "gbk", "gb18030", "uhc", "johab", "mulecinternal", "iso88591",
                                        "iso88595", "iso88596", "iso88597", "iso88598", "eucjis2004", "shiftjis2004"};
    char sq[64];
    squash(in, sq, sizeof(sq));
    if (strcmp(sq, "utf8") == 0 || strcmp(sq, "unicode") == 0) {
        snprintf(out, sz, "UTF8");
        return 0;
    }
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(sq, known[i]) == 0) {
            pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "conversion between %s and UTF8 is not supported", in);
            return -1;
        }
    }
    return bad_value(name, in, err);
}

/* DateStyle: output style (only ISO here) and field order, merged with the
 * current value as PostgreSQL's check_datestyle does. */
static int check_datestyle(const char *name, const char *in, char *out, size_t sz, pgw_error *err)
{
    const char *order = NULL;
    char buf[VALUE_MAX];
    snprintf(buf, sizeof(buf), "%s", in);
    for (char *save = NULL, *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        if (strcasecmp(tok, "ISO") == 0)
            continue;
        if (strcasecmp(tok, "MDY") == 0 || strcasecmp(tok, "US") == 0 || strcasecmp(tok, "NONEURO") == 0 ||
            strcasecmp(tok, "NONEUROPEAN") == 0)
            order = "MDY";
        else if (strcasecmp(tok, "DMY") == 0 || strcasecmp(tok, "EURO") == 0 || strcasecmp(tok, "EUROPEAN") == 0)
            order = "DMY";
        else if (strcasecmp(tok, "YMD") == 0)
            order = "YMD";
        else if (strcasecmp(tok, "SQL") == 0 || strcasecmp(tok, "POSTGRES") == 0 || strcasecmp(tok, "GERMAN") == 0) {
            pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "DateStyle \"%s\" is not supported yet", tok);
            return -1;
        } else if (strcasecmp(tok, "DEFAULT") == 0)
            order = "MDY";
        else {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"", name, in);
            pgw_error_detail(err, "Unrecognized key word: \"%s\".", tok);
            return -1;
        }
    }
    /* order unspecified: keep the current one (the caller passed it in out) */
    char cur[32];
    snprintf(cur, sizeof(cur), "%s", out);
    const char *keep = strstr(cur, "DMY") ? "DMY" : strstr(cur, "YMD") ? "YMD" : "MDY";
    snprintf(out, sz, "ISO, %s", order ? order : keep);
    return 0;
}

/* UTC aliases and PostgreSQL's numeric-offset form "<+05>-05". Real zone
 * names exist in tzdata but need DST rules hcdb does not have yet. */
static int check_timezone(const char *name, const char *in, char *out, size_t sz, pgw_error *err)
{
    static const char *const utc[] = {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "UCT", "Etc/UCT", "Universal",
                                      "Etc/Universal", "Zulu", "Etc/Zulu", "Greenwich", "Etc/Greenwich", "GMT0",
                                      "Etc/GMT0", "GMT+0", "GMT-0", "Z"};
    for (size_t i = 0; i < sizeof(utc) / sizeof(utc[0]); i++) {
        if (strcasecmp(in, utc[i]) == 0) {
            snprintf(out, sz, "%s", strcasecmp(in, "Z") == 0 ? "UTC" : utc[i]);
            return 0;
        }
    }
    int h1, m1 = 0, h2, m2 = 0;
    char s1, s2, tail;
    if ((sscanf(in, "<%c%2d>%c%2d%c", &s1, &h1, &s2, &h2, &tail) == 4 ||
         sscanf(in, "<%c%2d:%2d>%c%2d:%2d%c", &s1, &h1, &m1, &s2, &h2, &m2, &tail) == 6) &&
        (s1 == '+' || s1 == '-') && s2 == (s1 == '+' ? '-' : '+') && h1 == h2 && m1 == m2 && h1 <= 15 && m1 < 60) {
        snprintf(out, sz, "%s", in);
        return 0;
    }
    char path[512];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", in);
    if (!strstr(in, "..") && access(path, R_OK) == 0) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "time zone \"%s\" is not supported yet", in);
        pgw_error_hint(err, "Use UTC or a numeric offset such as SET TIME ZONE 5.");
        return -1;
    }
    pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"", name, in);
    return -1;
}

/* check_application_name: non-printable-ASCII bytes become '?'. */
static int check_appname(const char *name, const char *in, char *out, size_t sz, pgw_error *err)
{
    size_t k = 0;
    for (; *in && k + 1 < sz; in++)
        out[k++] = (*in < 32 || (unsigned char)*in > 126) ? '?' : *in;
    out[k] = '\0';
    return 0;
}

static int check_locale(const char *name, const char *in, char *out, size_t sz, pgw_error *err)
{
    static const char *const ok[] = {"", "C", "POSIX", "C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (strcmp(in, ok[i]) == 0) {
            snprintf(out, sz, "%s", in[0] ? in : "C");
            return 0;
        }
    }
    return bad_value(name, in, err);
}

/* parse_int with units (guc.c): "5s", "1min", "64MB"; fractions round. */
static int parse_int_unit(const gucdef *d, const char *in, long *out, pgw_error *err)
{
    char *end;
    double v = strtod(in, &end);
    if (end == in)
        return bad_value(d->name, in, err);
    while (isspace((unsigned char)*end))
        end++;
    if (*end) {
        static const struct { const char *u; int kind; double mul; } units[] = {
            {"us", U_MS, 0.001}, {"ms", U_MS, 1}, {"s", U_MS, 1000}, {"min", U_MS, 60000}, {"h", U_MS, 3600000},
            {"d", U_MS, 86400000}, {"B", U_KB, 1.0 / 1024}, {"kB", U_KB, 1}, {"MB", U_KB, 1024},
            {"GB", U_KB, 1024 * 1024}, {"TB", U_KB, 1024.0 * 1024 * 1024}};
        int kind = d->unit == U_8KB ? U_KB : d->unit;
        bool found = false;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            if (units[i].kind == kind && strcmp(end, units[i].u) == 0) {
                v *= units[i].mul / (d->unit == U_8KB ? 8 : 1);
                found = true;
            }
        }
        if (!found) {
            bad_value(d->name, in, err);
            if (kind == U_MS)
                pgw_error_hint(err, "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".");
            else if (kind == U_KB)
                pgw_error_hint(err, "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".");
            return -1;
        }
    } else if (strpbrk(in, ".eE") && d->unit == U_NONE) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"", d->name, in);
        return -1;
    }
    v = rint(v);
    if (!(v >= d->min && v <= d->max)) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "%.0f%s is outside the valid range for parameter \"%s\" (%ld .. %ld)",
                      v, d->unit == U_MS ? " ms" : d->unit == U_KB ? " kB" : d->unit == U_8KB ? " 8kB" : "",
                      d->name, d->min, d->max);
        return -1;
    }
    *out = (long)v;
    return 0;
}

static int normalize(const gucdef *d, const char *in, char *out, size_t sz, pgw_error *err)
{
    switch (d->kind) {
    case K_BOOL: {
        size_t n = strlen(in);
        static const struct { const char *w; size_t min; bool v; } w[] = {
            {"true", 1, true}, {"false", 1, false}, {"yes", 1, true}, {"no", 1, false},
            {"on", 2, true},   {"off", 2, false},   {"1", 1, true},   {"0", 1, false}};
        for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
            if (n >= w[i].min && n <= strlen(w[i].w) && strncasecmp(in, w[i].w, n) == 0) {
                snprintf(out, sz, "%s", w[i].v ? "on" : "off");
                return 0;
            }
        }
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "parameter \"%s\" requires a Boolean value", d->name);
        return -1;
    }
    case K_INT: {
        long v;
        if (parse_int_unit(d, in, &v, err))
            return -1;
        snprintf(out, sz, "%ld", v);
        return 0;
    }
    case K_REAL: {
        char *end;
        double v = strtod(in, &end);
        if (end == in || *end)
            return bad_value(d->name, in, err);
        if (!(v >= d->min && v <= d->max)) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "%g is outside the valid range for parameter \"%s\" (%g .. %g)",
                          v, d->name, (double)d->min, (double)d->max);
            return -1;
        }
        snprintf(out, sz, "%g", v);
        return 0;
    }
    case K_ENUM: {
        char list[512];
        snprintf(list, sizeof(list), "%s", d->enums);
        for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (strcasecmp(tok, in) == 0) {
                snprintf(out, sz, "%s", tok);
                return 0;
            }
        }
        bad_value(d->name, in, err);
        char hint[600];
        snprintf(hint, sizeof(hint), "%s", d->enums);
        for (char *p = hint; *p; p++)
            if (*p == ',')
                *p = '\x01';
        char pretty[700] = "";
        for (char *save = NULL, *tok = strtok_r(hint, "\x01", &save); tok; tok = strtok_r(NULL, "\x01", &save))
            snprintf(pretty + strlen(pretty), sizeof(pretty) - strlen(pretty), "%s%s", pretty[0] ? ", " : "", tok);
        pgw_error_hint(err, "Available values: %s.", pretty);
        return -1;
    }
    default:
        if (d->check)
            return d->check(d->name, in, out, sz, err);
        snprintf(out, sz, "%s", in);
        return 0;
    }
}

/* ---- setting ----------------------------------------------------------- */

static void save_for_rollback(gucval *v)
{
    if (!v->has_saved) {
        setstr(&v->saved, v->sess);
        v->has_saved = true;
    }
}

static void assign(gucval *v, const char *value, sqlc_set_scope scope, bool in_block)
{
    if (scope == SQLC_SET_STARTUP) {
        setstr(&v->cur, value);
        setstr(&v->sess, value);
        setstr(&v->boot, value);
        return;
    }
    save_for_rollback(v);
    setstr(&v->cur, value);
    if (scope == SQLC_SET_SESSION)
        setstr(&v->sess, value);
}

static placeholder *new_ph(sqlc_settings *s, const char *name, pgw_error *err)
{
    if (s->nph >= MAX_PLACEHOLDERS) {
        pgw_error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "too many custom configuration parameters");
        return NULL;
    }
    placeholder *p = &s->ph[s->nph];
    memset(p, 0, sizeof(*p));
    p->name = mem_strdup(name);
    setstr(&p->v.cur, "");
    setstr(&p->v.sess, "");
    setstr(&p->v.boot, "");
    if (!p->name || !p->v.cur || !p->v.sess || !p->v.boot) {
        pgw_error_oom(err);
        return NULL;
    }
    for (char *c = p->name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    s->nph++;
    return p;
}

/* A dotted name is a custom placeholder, as PostgreSQL's "x.y" GUCs. */
static int set_placeholder(sqlc_settings *s, const char *name, const char *value, sqlc_set_scope scope, bool in_block,
                           pgw_error *err)
{
    const char *dot = strchr(name, '.');
    if (!dot || dot == name || !dot[1])
        return unknown(name, err);
    placeholder *p = find_ph(s, name);
    if (!p && !(p = new_ph(s, name, err)))
        return -1;
    assign(&p->v, value ? value : p->v.boot, scope, in_block);
    return 0;
}

int sqlc_settings_set(sqlc_settings *s, const char *name, const char *value, sqlc_set_scope scope, bool in_block,
                      pgw_error *err)
{
    int i = find_def(name);
    if (i < 0)
        return set_placeholder(s, name, value, scope, in_block, err);
    const gucdef *d = &defs[i];
    if (d->flags & (F_INTERNAL | F_POSTMASTER | F_SIGHUP)) {
        pgw_error_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM, (d->flags & F_POSTMASTER) ? "parameter \"%s\" cannot be changed without restarting the server"
                                    : (d->flags & F_SIGHUP) ? "parameter \"%s\" cannot be changed now"
                                                            : "parameter \"%s\" cannot be changed", d->name);
        return -1;
    }
    gucval *v = &s->vals[i];
    char out[VALUE_MAX];
    if (!value) {
        snprintf(out, sizeof(out), "%s", v->boot);
    } else {
        snprintf(out, sizeof(out), "%s", v->cur); /* check_datestyle merges with the current value */
        if (normalize(d, value, out, sizeof(out), err))
            return -1;
    }
    if (strcmp(d->name, "standard_conforming_strings") == 0 && strcmp(out, "off") == 0) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "standard_conforming_strings = off is not supported");
        return -1;
    }
    if (strcmp(d->name, "session_authorization") == 0 && strcmp(out, v->boot) != 0) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "changing session_authorization is not supported yet");
        return -1;
    }
    assign(v, out, scope, in_block);
    return 0;
}

void sqlc_settings_reset_all(sqlc_settings *s, bool in_block)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (!(defs[i].flags & (F_INTERNAL | F_POSTMASTER | F_SIGHUP)) && strcmp(defs[i].name, "transaction_isolation") &&
            strcmp(defs[i].name, "transaction_read_only"))
            assign(&s->vals[i], s->vals[i].boot, SQLC_SET_SESSION, in_block);
    for (int i = 0; i < s->nph; i++)
        assign(&s->ph[i].v, s->ph[i].v.boot, SQLC_SET_SESSION, in_block);
}

static void end_val(gucval *v, bool commit)
{
    if (!v->has_saved)
        return;
    if (!commit)
        setstr(&v->sess, v->saved);
    setstr(&v->cur, v->sess);
    v->has_saved = false;
}

void sqlc_settings_txn_end(sqlc_settings *s, bool commit)
{
    for (size_t i = 0; i < NDEFS; i++)
        end_val(&s->vals[i], commit);
    for (int i = 0; i < s->nph; i++)
        end_val(&s->ph[i].v, commit);
}

void sqlc_settings_reports(sqlc_settings *s, bool all, void (*fn)(void *ctx, const char *name, const char *value),
                           void *ctx)
{
    char buf[64];
    for (size_t i = 0; i < NDEFS; i++) {
        if (!(defs[i].flags & F_REPORT))
            continue;
        const char *v = shown(s, (int)i, buf, sizeof(buf));
        if (!all && s->vals[i].reported && strcmp(s->vals[i].reported, v) == 0)
            continue;
        setstr(&s->vals[i].reported, v);
        fn(ctx, defs[i].name, v);
    }
}

static int name_cmp(const void *a, const void *b)
{
    return strcasecmp(defs[*(const int *)a].name, defs[*(const int *)b].name);
}

void sqlc_settings_each(sqlc_settings *s, void (*fn)(void *ctx, const char *name, const char *value,
                                                     const char *description), void *ctx)
{
    int idx[NDEFS];
    for (size_t i = 0; i < NDEFS; i++)
        idx[i] = (int)i;
    qsort(idx, NDEFS, sizeof(int), name_cmp);
    char buf[64];
    for (size_t k = 0; k < NDEFS; k++) {
        int i = idx[k];
        if (!(defs[i].flags & F_NOSHOWALL))
            fn(ctx, defs[i].name, shown(s, i, buf, sizeof(buf)), defs[i].desc);
    }
}

void sqlc_settings_server_value(sqlc_settings *s, const char *name, const char *value)
{
    int i = find_def(name);
    if (i >= 0)
        assign(&s->vals[i], value, SQLC_SET_STARTUP, false);
}

static const char *const unit_names[] = {[U_NONE] = NULL, [U_MS] = "ms", [U_S] = "s", [U_KB] = "kB", [U_8KB] = "8kB"};
static const char *const kind_names[] = {[K_BOOL] = "bool", [K_INT] = "integer", [K_REAL] = "real",
                                         [K_STR] = "string", [K_ENUM] = "enum"};

static const char *context_of(const gucdef *d)
{
    return d->flags & F_INTERNAL ? "internal" : d->flags & F_POSTMASTER ? "postmaster" : d->flags & F_SIGHUP ? "sighup" : "user";
}

/* One row; numbers go through bufs (4 of 32 bytes) as PostgreSQL prints them. */
static void setting_row(sqlc_settings *s, int i, eng_setting_cb fn, void *ctx)
{
    const gucdef *d = &defs[i];
    char range[2][32], enums[VALUE_MAX];
    bool ranged = (d->kind == K_INT || d->kind == K_REAL) && (d->min || d->max);
    snprintf(range[0], sizeof(range[0]), "%ld", d->min);
    snprintf(range[1], sizeof(range[1]), "%ld", d->max);
    snprintf(enums, sizeof(enums), "{%s}", d->enums ? d->enums : "");
    eng_setting row = {
        .name = d->name,
        .setting = s->vals[i].cur,
        .unit = d->kind == K_INT ? unit_names[d->unit] : NULL,
        .short_desc = d->desc,
        .context = context_of(d),
        .vartype = kind_names[d->kind],
        .source = strcmp(s->vals[i].cur, d->def) == 0             ? "default"
                  : d->flags & (F_INTERNAL | F_POSTMASTER | F_SIGHUP) ? "command line" /* the server's options */
                                                                      : "session",
        .min_val = ranged ? range[0] : NULL,
        .max_val = ranged ? range[1] : NULL,
        .enumvals = d->kind == K_ENUM ? enums : NULL,
        .boot_val = d->def,
        .reset_val = s->vals[i].boot,
    };
    fn(ctx, &row);
}

void sqlc_settings_rows(sqlc_settings *s, eng_setting_cb fn, void *ctx)
{
    int idx[NDEFS];
    for (size_t i = 0; i < NDEFS; i++)
        idx[i] = (int)i;
    qsort(idx, NDEFS, sizeof(int), name_cmp);
    for (size_t k = 0; k < NDEFS; k++)
        if (!(defs[idx[k]].flags & F_NOSHOWALL))
            setting_row(s, idx[k], fn, ctx);
}

int sqlc_settings_statement_timeout_ms(sqlc_settings *s)
{
    return atoi(s->vals[find_def("statement_timeout")].cur);
}

int sqlc_settings_extra_float_digits(sqlc_settings *s)
{
    return atoi(s->vals[find_def("extra_float_digits")].cur);
}

/* TimeZone as seconds east of UTC: 0 for UTC aliases, else from "<+05:30>-05:30". */
int sqlc_settings_tz_offset(sqlc_settings *s)
{
    const char *v = s->vals[find_def("TimeZone")].cur;
    int h = 0, m = 0;
    char sign;
    if (v[0] != '<' || sscanf(v, "<%c%2d:%2d", &sign, &h, &m) < 2)
        return 0;
    int secs = h * 3600 + m * 60;
    return sign == '-' ? -secs : secs;
}
