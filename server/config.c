/* config: defaults < config file < HCDB_* environment < flags (see config.h). */
#include "server/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/version.h"

typedef enum opt_kind { OPT_STRING, OPT_INT, OPT_AUTH, OPT_LOGLEVEL, OPT_BOOL_FORMAT, OPT_BOOL } opt_kind;

typedef struct opt_def {
    const char *key;  /* config-file key; the flag is --key with '_' as '-' */
    const char *env;  /* environment variable */
    opt_kind kind;
    size_t offset;    /* field in srv_config */
    size_t size;      /* field size for strings */
    long min, max;    /* for integers */
    const char *help;
} opt_def;

#define STR_OPT(k, e, f, h) {k, e, OPT_STRING, offsetof(srv_config, f), sizeof(((srv_config *)0)->f), 0, 0, h}
#define INT_OPT(k, e, f, lo, hi, h) {k, e, OPT_INT, offsetof(srv_config, f), sizeof(int), lo, hi, h}

static const opt_def options[] = {
    STR_OPT("listen", "HCDB_LISTEN", listen, "address to listen on (default 127.0.0.1; * for all)"),
    INT_OPT("port", "HCDB_PORT", port, 1, 65535, "TCP port (default 5432)"),
    STR_OPT("data", "HCDB_DATA", data_dir, "data directory (default ./hcdb-data)"),
    {"auth", "HCDB_AUTH", OPT_AUTH, offsetof(srv_config, auth), 0, 0, 0,
     "trust | password | md5 | scram-sha-256 (default scram-sha-256)"},
    INT_OPT("threads", "HCDB_THREADS", threads, 1, SRV_MAX_THREADS, "event-loop threads (default: cores)"),
    INT_OPT("max_connections", "HCDB_MAX_CONNECTIONS", max_connections, 1, SRV_MAX_MAX_CONNECTIONS,
            "most concurrent client sessions (default 100)"),
    STR_OPT("tls_cert", "HCDB_TLS_CERT", tls_cert, "PEM certificate file; enables TLS"),
    STR_OPT("tls_key", "HCDB_TLS_KEY", tls_key, "PEM private key file"),
    {"log_level", "HCDB_LOG_LEVEL", OPT_LOGLEVEL, offsetof(srv_config, log_level), 0, 0, 0,
     "debug | info | warning | error (default info; debug logs every statement)"},
    {"log_format", "HCDB_LOG_FORMAT", OPT_BOOL_FORMAT, offsetof(srv_config, log_json), 0, 0, 0,
     "text | json (default text)"},
    INT_OPT("max_message_size", "HCDB_MAX_MESSAGE_SIZE", max_message_size, 1024, (1L << 30) - 1,
            "largest protocol message in bytes (default 1073741823)"),
    INT_OPT("auth_timeout", "HCDB_AUTH_TIMEOUT", auth_timeout_s, 1, 600,
            "seconds a client has to log in (default 60)"),
    {"fsync", "HCDB_FSYNC", OPT_BOOL, offsetof(srv_config, fsync), 0, 0, 0,
     "on | off: off never flushes to disk, for tests only (default on)"},
    {"synchronous_commit", "HCDB_SYNCHRONOUS_COMMIT", OPT_BOOL, offsetof(srv_config, synchronous_commit), 0, 0, 0,
     "on | off: the default of the session setting (default on)"},
    INT_OPT("checkpoint_timeout", "HCDB_CHECKPOINT_TIMEOUT", checkpoint_timeout_s, 1, 86400,
            "seconds between automatic checkpoints (default 300)"),
    INT_OPT("max_wal_size", "HCDB_MAX_WAL_SIZE", max_wal_size_mb, 1, 1 << 20,
            "MiB of WAL that trigger a checkpoint (default 256)"),
    {"allow_remote_trust", "HCDB_ALLOW_REMOTE_TRUST", OPT_BOOL, offsetof(srv_config, allow_remote_trust), 0, 0, 0,
     "on | off: accept --auth trust on addresses others can reach (default off)"},
    INT_OPT("wal_segment_size", "HCDB_WAL_SEGMENT_SIZE", wal_segment_size, 65536, 1 << 30,
            "bytes per WAL segment file (default 16777216)"),
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void set_defaults(srv_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1");
    cfg->port = SRV_DEFAULT_PORT;
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "hcdb-data");
    cfg->auth = SRV_AUTH_SCRAM;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = cores < 1 ? 1 : cores > SRV_MAX_THREADS ? SRV_MAX_THREADS : (int)cores;
    cfg->max_connections = SRV_DEFAULT_MAX_CONNECTIONS;
    cfg->log_level = LOG_INFO;
    cfg->max_message_size = (1u << 30) - 1;
    cfg->auth_timeout_s = SRV_DEFAULT_AUTH_TIMEOUT_S;
    cfg->fsync = true;
    cfg->synchronous_commit = true;
    cfg->checkpoint_timeout_s = SRV_DEFAULT_CHECKPOINT_TIMEOUT_S;
    cfg->max_wal_size_mb = SRV_DEFAULT_MAX_WAL_SIZE_MB;
    cfg->wal_segment_size = SRV_DEFAULT_WAL_SEGMENT_SIZE;
}

/* PostgreSQL's spellings of a boolean setting. */
static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"on", "true", "yes", "1"}, *const no[] = {"off", "false", "no", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
            *out = strcasecmp(v, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

const char *srv_auth_method_name(srv_auth_method m)
{
    static const char *const names[] = {"trust", "password", "md5", "scram-sha-256"};
    return names[m];
}

static bool parse_auth(const char *v, srv_auth_method *out)
{
    for (int m = SRV_AUTH_TRUST; m <= SRV_AUTH_SCRAM; m++) {
        if (strcmp(v, srv_auth_method_name((srv_auth_method)m)) == 0) {
            *out = (srv_auth_method)m;
            return true;
        }
    }
    return false;
}

/* Store `value` for `opt`; `origin` names where it came from, for the message. */
static bool apply(srv_config *cfg, const opt_def *opt, const char *value, const char *origin, char *errbuf,
                  size_t errlen)
{
    char *field = (char *)cfg + opt->offset;
    switch (opt->kind) {
    case OPT_STRING:
        if (strlen(value) >= opt->size) {
            snprintf(errbuf, errlen, "%s: value for %s is too long", origin, opt->key);
            return false;
        }
        memcpy(field, value, strlen(value) + 1);
        return true;
    case OPT_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < opt->min || v > opt->max) {
            snprintf(errbuf, errlen, "%s: invalid value for %s: \"%s\" (expected an integer from %ld to %ld)",
                     origin, opt->key, value, opt->min, opt->max);
            return false;
        }
        if (opt->offset == offsetof(srv_config, max_message_size))
            *(uint32_t *)field = (uint32_t)v;
        else
            *(int *)field = (int)v;
        return true;
    }
    case OPT_AUTH:
        if (parse_auth(value, (srv_auth_method *)field))
            return true;
        break;
    case OPT_LOGLEVEL:
        if (log_parse_level(value, (log_level *)field))
            return true;
        break;
    case OPT_BOOL:
        if (parse_bool(value, (bool *)field))
            return true;
        break;
    case OPT_BOOL_FORMAT:
        if (strcmp(value, "text") == 0 || strcmp(value, "json") == 0) {
            *(bool *)field = strcmp(value, "json") == 0;
            return true;
        }
        break;
    }
    snprintf(errbuf, errlen, "%s: invalid value for %s: \"%s\"", origin, opt->key, value);
    return false;
}

static const opt_def *find_option(const char *key, size_t len)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const char *k = options[i].key;
        if (strlen(k) != len)
            continue;
        bool same = true;
        for (size_t j = 0; j < len && same; j++)
            same = (key[j] == '-' ? '_' : key[j]) == k[j];
        if (same)
            return &options[i];
    }
    return NULL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* One `key = value` line; values may be single-quoted as in postgresql.conf. */
static bool apply_file_line(srv_config *cfg, char *line, const char *path, int lineno, char *errbuf,
                            size_t errlen)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *s = trim(line);
    if (!*s)
        return true;
    char *eq = strchr(s, '=');
    if (!eq) {
        snprintf(errbuf, errlen, "%s:%d: expected key = value", path, lineno);
        return false;
    }
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    size_t vlen = strlen(value);
    if (vlen >= 2 && value[0] == '\'' && value[vlen - 1] == '\'') {
        value[vlen - 1] = '\0';
        value++;
    }
    const opt_def *opt = find_option(key, strlen(key));
    if (!opt) {
        snprintf(errbuf, errlen, "%s:%d: unknown setting \"%s\"", path, lineno, key);
        return false;
    }
    char origin[4200];
    snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
    return apply(cfg, opt, value, origin, errbuf, errlen);
}

static bool load_file(srv_config *cfg, const char *path, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, errlen, "could not open configuration file \"%s\": %s", path, strerror(errno));
        return false;
    }
    char line[8192];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof(line), f))
        ok = apply_file_line(cfg, line, path, ++lineno, errbuf, errlen);
    fclose(f);
    return ok;
}

static bool load_env(srv_config *cfg, char *errbuf, size_t errlen)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const char *v = getenv(options[i].env);
        if (v && *v && !apply(cfg, &options[i], v, options[i].env, errbuf, errlen))
            return false;
    }
    return true;
}

static void print_help(void)
{
    printf("hcdb %s: a PostgreSQL-protocol server for vector and semantic search.\n\n", HCDB_VERSION);
    printf("Usage: hcdb [OPTION]...\n\n");
    printf("  --config FILE              read settings from FILE (key = value lines; env HCDB_CONFIG)\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        char flag[64];
        snprintf(flag, sizeof(flag), "--%s", options[i].key);
        for (char *p = flag + 2; *p; p++)
            if (*p == '_')
                *p = '-';
        printf("  %-26s %s (env %s)\n", flag, options[i].help, options[i].env);
    }
    printf("  --help                     show this help and exit\n");
    printf("  --version                  show the version and exit\n\n");
    printf("Precedence: flags > environment > configuration file > defaults.\n");
    printf("HCDB_PASSWORD sets the password of the superuser \"postgres\" on the first start.\n");
}

/* Finds --config in argv (it decides which file the other layers override). */
static const char *config_path(int argc, char **argv)
{
    const char *path = getenv("HCDB_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            path = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            path = argv[i] + 9;
    }
    return path && *path ? path : NULL;
}

static srv_config_result load_flags(srv_config *cfg, int argc, char **argv, char *errbuf, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "-?") == 0) {
            print_help();
            return SRV_CONFIG_EXIT_OK;
        }
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            printf("hcdb %s (PostgreSQL protocol 3.0, emulating PostgreSQL %s)\n", HCDB_VERSION, HCDB_PG_VERSION);
            return SRV_CONFIG_EXIT_OK;
        }
        if (strncmp(arg, "--", 2) != 0) {
            snprintf(errbuf, errlen, "unexpected argument \"%s\" (see --help)", arg);
            return SRV_CONFIG_ERROR;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (nlen == 6 && strncmp(name, "config", 6) == 0)
            continue; /* already read */
        const opt_def *opt = find_option(name, nlen);
        if (!opt) {
            snprintf(errbuf, errlen, "unknown option \"%s\" (see --help)", arg);
            return SRV_CONFIG_ERROR;
        }
        if (!value) {
            snprintf(errbuf, errlen, "option \"%s\" needs a value", arg);
            return SRV_CONFIG_ERROR;
        }
        if (!apply(cfg, opt, value, "command line", errbuf, errlen))
            return SRV_CONFIG_ERROR;
    }
    return SRV_CONFIG_OK;
}

bool srv_config_is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 || strcmp(addr, "localhost") == 0;
}

static bool validate(srv_config *cfg, char *errbuf, size_t errlen)
{
    if (!cfg->tls_cert[0] != !cfg->tls_key[0]) {
        snprintf(errbuf, errlen, "--tls-cert and --tls-key must be given together");
        return false;
    }
    if (cfg->auth == SRV_AUTH_TRUST && !srv_config_is_loopback(cfg->listen) && !cfg->allow_remote_trust) {
        snprintf(errbuf, errlen,
                 "refusing to listen on \"%s\" with --auth trust: anyone who can reach the port would be a "
                 "superuser. Use --auth scram-sha-256 with HCDB_PASSWORD, or --listen 127.0.0.1 (or "
                 "--allow-remote-trust on, if the network itself is trusted)",
                 cfg->listen);
        return false;
    }
    return true;
}

srv_config_result srv_config_load(srv_config *cfg, int argc, char **argv, char *errbuf, size_t errlen)
{
    set_defaults(cfg);
    const char *path = config_path(argc, argv);
    if (path && !load_file(cfg, path, errbuf, errlen))
        return SRV_CONFIG_ERROR;
    if (!load_env(cfg, errbuf, errlen))
        return SRV_CONFIG_ERROR;
    srv_config_result r = load_flags(cfg, argc, argv, errbuf, errlen);
    if (r != SRV_CONFIG_OK)
        return r;
    return validate(cfg, errbuf, errlen) ? SRV_CONFIG_OK : SRV_CONFIG_ERROR;
}
