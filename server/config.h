/*
 * config: the server's settings from defaults, a postgresql.conf-style file
 * (`key = value`, `#` comments), HCDB_* environment variables and command-line
 * flags, in rising precedence. Read once at start-up on the main thread and
 * read-only afterwards, so every thread may read it without locks.
 */
#ifndef HCDB_SERVER_CONFIG_H
#define HCDB_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"

#define SRV_DEFAULT_PORT 5432
#define SRV_DEFAULT_MAX_CONNECTIONS 100
#define SRV_MAX_MAX_CONNECTIONS 100000
#define SRV_MAX_THREADS 256
/* PostgreSQL's authentication_timeout default: a client gets this long to log in. */
#define SRV_DEFAULT_AUTH_TIMEOUT_S 60
/* Storage defaults: PostgreSQL's checkpoint_timeout (5 min) and WAL segment
 * size (16 MiB); max_wal_size is a quarter of PostgreSQL's 1 GiB because
 * hcdb replays logical records, which costs more per byte than pages. */
#define SRV_DEFAULT_CHECKPOINT_TIMEOUT_S 300
#define SRV_DEFAULT_MAX_WAL_SIZE_MB 256
#define SRV_DEFAULT_WAL_SEGMENT_SIZE (16 << 20)

typedef enum srv_auth_method {
    SRV_AUTH_TRUST,
    SRV_AUTH_PASSWORD,
    SRV_AUTH_MD5,
    SRV_AUTH_SCRAM,
} srv_auth_method;

typedef struct srv_config {
    char listen[256];        /* address to bind; "*" and "0.0.0.0" mean all */
    int port;
    char data_dir[4096];
    srv_auth_method auth;
    int threads;             /* event-loop threads */
    int max_connections;
    char tls_cert[4096];     /* "" = no TLS */
    char tls_key[4096];
    log_level log_level;
    bool log_json;
    uint32_t max_message_size; /* largest Query/Parse/Bind/CopyData body */
    int auth_timeout_s;
    bool fsync;              /* false: never flush (tests only) */
    bool synchronous_commit; /* default of the session setting */
    int checkpoint_timeout_s;
    int max_wal_size_mb;
    int wal_segment_size;    /* bytes */
    bool allow_remote_trust; /* trust on a non-loopback address is accepted */
} srv_config;

typedef enum srv_config_result {
    SRV_CONFIG_OK,
    SRV_CONFIG_EXIT_OK,    /* --help or --version printed; exit 0 */
    SRV_CONFIG_ERROR,      /* message in errbuf; exit non-zero */
} srv_config_result;

srv_config_result srv_config_load(srv_config *cfg, int argc, char **argv, char *errbuf, size_t errlen);
const char *srv_auth_method_name(srv_auth_method m);
/* True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
bool srv_config_is_loopback(const char *addr);

#endif
