/*
 * startup: from the first packet to ReadyForQuery. SSLRequest and
 * GSSENCRequest negotiation, the StartupMessage (protocol version, user,
 * database, options), max_connections, and authentication (trust,
 * cleartext password, SCRAM-SHA-256[-PLUS]). As in PostgreSQL, `md5` with
 * a SCRAM-stored password runs SCRAM, and a client cannot learn which roles
 * exist from a password method's answers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "protocol/be_encode.h"
#include "protocol/fe_decode.h"
#include "server/auth_scram.h"
#include "server/conn.h"
#include "util/log.h"
#include "util/mem.h"

static void fatal(srv_conn *c, const char *sqlstate, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fatal(srv_conn *c, const char *sqlstate, const char *fmt, ...)
{
    char message[PGW_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    pgw_error e;
    pgw_error_set(&e, sqlstate, "%s", message);
    srv_conn_fatal(c, &e);
}

static void answer_ssl_request(srv_conn *c)
{
    if (c->tls || !c->srv->tls) {
        buf_put_u8(&c->out, 'N');
        return;
    }
    if (c->in.len > c->in_pos) {
        /* CVE-2021-23222: bytes sent before the handshake must not be trusted. */
        fatal(c, SQLSTATE_PROTOCOL_VIOLATION, "received unencrypted data after SSL request");
        return;
    }
    buf_put_u8(&c->out, 'S');
    srv_conn_flush(c); /* the 'S' goes out in clear, everything after through TLS */
    if (srv_conn_start_tls(c) < 0)
        fatal(c, SQLSTATE_OUT_OF_MEMORY, "could not start TLS");
}

/* Keep a start-up setting for when the session exists. */
static int keep_option(srv_conn *c, const char *name, const char *value)
{
    if (!c->startup_arena && !(c->startup_arena = arena_new()))
        return -1;
    if (c->nstartup_options % 16 == 0) {
        size_t n = (size_t)c->nstartup_options + 16;
        const char **names = arena_alloc(c->startup_arena, n * sizeof(char *));
        const char **values = arena_alloc(c->startup_arena, n * sizeof(char *));
        if (!names || !values)
            return -1;
        if (c->nstartup_options) {
            memcpy(names, c->startup_names, (size_t)c->nstartup_options * sizeof(char *));
            memcpy(values, c->startup_values, (size_t)c->nstartup_options * sizeof(char *));
        }
        c->startup_names = names;
        c->startup_values = values;
    }
    const char *n = arena_strdup(c->startup_arena, name), *v = arena_strdup(c->startup_arena, value);
    if (!n || !v)
        return -1;
    c->startup_names[c->nstartup_options] = n;
    c->startup_values[c->nstartup_options] = v;
    c->nstartup_options++;
    return 0;
}

/* The `options` parameter: "-c name=value" and "--name=value" words, as PGOPTIONS sends them. */
static int keep_command_line_options(srv_conn *c, const char *options)
{
    char word[1024];
    const char *p = options;
    bool expect_c_value = false;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = 0;
        for (; *p && *p != ' ' && *p != '\t'; p++) {
            if (*p == '\\' && p[1])
                p++;
            if (n < sizeof(word) - 1)
                word[n++] = *p;
        }
        word[n] = '\0';
        if (!n)
            break;
        const char *setting = NULL;
        if (expect_c_value)
            setting = word;
        else if (strcmp(word, "-c") == 0)
            expect_c_value = true;
        else if (strncmp(word, "-c", 2) == 0)
            setting = word + 2;
        else if (strncmp(word, "--", 2) == 0)
            setting = word + 2;
        else
            return -2;
        if (!setting)
            continue;
        expect_c_value = false;
        char *eq = strchr(setting, '=');
        if (!eq)
            return -2;
        *eq = '\0';
        for (char *q = (char *)setting; *q; q++)
            if (*q == '-')
                *q = '_';
        if (keep_option(c, setting, eq + 1) < 0)
            return -1;
    }
    return 0;
}

static int read_parameters(srv_conn *c, const pgw_startup *st, const char **unknown, int *nunknown)
{
    for (int i = 0; i < st->nparams; i++) {
        const char *name = st->names[i], *value = st->values[i];
        int rc = 0;
        if (strcmp(name, "user") == 0)
            snprintf(c->user, sizeof(c->user), "%s", value);
        else if (strcmp(name, "database") == 0)
            snprintf(c->database, sizeof(c->database), "%s", value);
        else if (strcmp(name, "options") == 0)
            rc = keep_command_line_options(c, value);
        else if (strcmp(name, "replication") == 0) {
            if (strcmp(value, "false") != 0 && strcmp(value, "0") != 0 && strcmp(value, "off") != 0) {
                fatal(c, SQLSTATE_FEATURE_NOT_SUPPORTED, "replication connections are not supported");
                return -1;
            }
        } else if (strncmp(name, "_pq_.", 5) == 0) {
            unknown[(*nunknown)++] = name;
        } else {
            rc = keep_option(c, name, value);
        }
        if (rc == -2) {
            fatal(c, SQLSTATE_PROTOCOL_VIOLATION, "invalid command-line argument for server process: %s", value);
            return -1;
        }
        if (rc < 0) {
            fatal(c, SQLSTATE_OUT_OF_MEMORY, "out of memory");
            return -1;
        }
    }
    return 0;
}

static void begin_authentication(srv_conn *c);

static void startup_message(srv_conn *c, const pgw_startup *st)
{
    uint32_t major = PGW_PROTOCOL_MAJOR(st->code), minor = PGW_PROTOCOL_MINOR(st->code);
    if (major != 3) {
        pgw_error e;
        pgw_error_set(&e, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0", major, minor);
        srv_conn_fatal(c, &e);
        return;
    }
    const char *unknown[PGW_STARTUP_PARAMS_MAX];
    int nunknown = 0;
    if (read_parameters(c, st, unknown, &nunknown) < 0)
        return;
    if (minor > 0 || nunknown > 0)
        pgw_put_negotiate_version(&c->out, 0, nunknown, unknown);
    if (!c->user[0]) {
        fatal(c, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
              "no PostgreSQL user name specified in startup packet");
        return;
    }
    if (!c->database[0])
        snprintf(c->database, sizeof(c->database), "%s", c->user);
    if (atomic_load(&c->srv->stopping)) {
        fatal(c, SQLSTATE_CANNOT_CONNECT_NOW, "the database system is shutting down");
        return;
    }
    c->counted = true;
    if (atomic_fetch_add(&c->srv->nsessions, 1) >= c->srv->cfg.max_connections) {
        fatal(c, SQLSTATE_TOO_MANY_CONNECTIONS, "sorry, too many clients already");
        return;
    }
    begin_authentication(c);
}

void srv_startup_packet(srv_conn *c, const pgw_frame *f)
{
    pgw_startup st;
    pgw_error err = {0};
    if (pgw_decode_startup(f->body, f->len, &st, &err) < 0) {
        srv_conn_fatal(c, &err);
        return;
    }
    switch (st.code) {
    case PGW_SSL_REQUEST_CODE:
        answer_ssl_request(c);
        return;
    case PGW_GSSENC_REQUEST_CODE:
        buf_put_u8(&c->out, 'N');
        return;
    case PGW_CANCEL_REQUEST_CODE:
        srv_cancel_request(st.cancel_pid, st.cancel_key);
        srv_conn_close_after_flush(c);
        return;
    default:
        startup_message(c, &st);
    }
}

/* ---- authentication ------------------------------------------------ */

static void login_failed(srv_conn *c)
{
    fatal(c, SQLSTATE_INVALID_PASSWORD, "password authentication failed for user \"%s\"", c->user);
}

static void login_succeeded(srv_conn *c)
{
    if (c->role_exists && !c->role.can_login) {
        fatal(c, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION, "role \"%s\" is not permitted to log in", c->user);
        return;
    }
    if (!sql_server_database_exists(c->srv->sql, c->database)) {
        fatal(c, SQLSTATE_INVALID_CATALOG_NAME, "database \"%s\" does not exist", c->database);
        return;
    }
    if (!sql_server_may_connect(c->srv->sql, c->user, c->role_exists && c->role.superuser, c->database)) {
        pgw_error err = {0};
        pgw_error_set(&err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for database \"%s\"", c->database);
        pgw_error_detail(&err, "User does not have CONNECT privilege.");
        srv_conn_fatal(c, &err);
        return;
    }
    pgw_put_auth(&c->out, PGW_AUTH_OK, NULL, 0);
    pgw_error err = {0};
    if (srv_session_begin(c, &err) < 0) {
        srv_conn_fatal(c, &err);
        return;
    }
    uv_timer_stop(&c->timer);
    srv_conn_release_startup(c);
    c->state = SRV_CONN_READY;
    log_debug("connection %s:%d: authorized user=%s database=%s", c->peer_addr, c->peer_port, c->user,
              c->database);
}

static void begin_sasl(srv_conn *c)
{
    const char *verifier = c->role_exists && c->role.verifier[0] ? c->role.verifier : NULL;
    c->scram = srv_scram_new(verifier, c->tls ? c->srv->tls_endpoint : NULL, c->tls ? c->srv->tls_endpoint_len : 0);
    if (!c->scram) {
        fatal(c, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        return;
    }
    size_t m = pgw_msg_begin(&c->out, 'R');
    buf_put_u32be(&c->out, PGW_AUTH_SASL);
    srv_scram_mechanisms(c->scram, &c->out);
    pgw_msg_end(&c->out, m);
    c->auth_step = SRV_AUTH_STEP_SASL_FIRST;
}

static void begin_authentication(srv_conn *c)
{
    c->role_exists = srv_roles_lookup(c->srv->roles, c->user, &c->role);
    c->state = SRV_CONN_AUTH;
    switch (c->srv->cfg.auth) {
    case SRV_AUTH_TRUST:
        if (!c->role_exists) {
            fatal(c, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION, "role \"%s\" does not exist", c->user);
            return;
        }
        login_succeeded(c);
        return;
    case SRV_AUTH_PASSWORD:
        pgw_put_auth(&c->out, PGW_AUTH_CLEARTEXT, NULL, 0);
        c->auth_step = SRV_AUTH_STEP_PASSWORD;
        return;
    case SRV_AUTH_MD5: /* passwords are stored as SCRAM verifiers, so md5 runs SCRAM */
    case SRV_AUTH_SCRAM:
        begin_sasl(c);
        return;
    }
}

static void check_password(srv_conn *c, const pgw_frame *f)
{
    const char *password;
    pgw_error err = {0};
    if (pgw_decode_password(f->body, f->len, &password, &err) < 0) {
        srv_conn_fatal(c, &err);
        return;
    }
    if (c->role_exists && c->role.verifier[0] && srv_scram_verify_password(c->role.verifier, password))
        login_succeeded(c);
    else
        login_failed(c);
}

static void sasl_first(srv_conn *c, const pgw_frame *f)
{
    pgw_sasl_initial init;
    pgw_error err = {0};
    if (pgw_decode_sasl_initial(f->body, f->len, &init, &err) < 0) {
        srv_conn_fatal(c, &err);
        return;
    }
    buf reply;
    buf_init(&reply);
    if (srv_scram_client_first(c->scram, init.mechanism, init.data, init.len < 0 ? 0 : (size_t)init.len, &reply,
                               &err) < 0) {
        buf_free(&reply);
        srv_conn_fatal(c, &err);
        return;
    }
    pgw_put_auth(&c->out, PGW_AUTH_SASL_CONTINUE, reply.data, reply.len);
    buf_free(&reply);
    c->auth_step = SRV_AUTH_STEP_SASL_FINAL;
}

static void sasl_final(srv_conn *c, const pgw_frame *f)
{
    buf reply;
    buf_init(&reply);
    pgw_error err = {0};
    int rc = srv_scram_client_final(c->scram, c->user, f->body, f->len, &reply, &err);
    if (rc < 0) {
        buf_free(&reply);
        srv_conn_fatal(c, &err);
        return;
    }
    pgw_put_auth(&c->out, PGW_AUTH_SASL_FINAL, reply.data, reply.len);
    buf_free(&reply);
    login_succeeded(c);
}

void srv_auth_message(srv_conn *c, const pgw_frame *f)
{
    switch (c->auth_step) {
    case SRV_AUTH_STEP_PASSWORD:
        check_password(c, f);
        break;
    case SRV_AUTH_STEP_SASL_FIRST:
        sasl_first(c, f);
        break;
    case SRV_AUTH_STEP_SASL_FINAL:
        sasl_final(c, f);
        break;
    case SRV_AUTH_STEP_NONE:
        fatal(c, SQLSTATE_PROTOCOL_VIOLATION, "unexpected authentication message");
        break;
    }
}

void srv_auth_timeout(srv_conn *c)
{
    if (c->state == SRV_CONN_READY || c->state == SRV_CONN_CLOSING)
        return;
    log_info("connection %s:%d: canceling authentication due to timeout", c->peer_addr, c->peer_port);
    srv_conn_abort(c);
}

void srv_conn_release_startup(srv_conn *c)
{
    srv_scram_free(c->scram);
    c->scram = NULL;
    arena_free(c->startup_arena);
    c->startup_arena = NULL;
    c->nstartup_options = 0;
    c->startup_names = c->startup_values = NULL;
}
