/*
 * main: start-up and shutdown of the hcdb server process.
 *
 * Order: configuration, logging, data directory lock, roles, SQL layer,
 * TLS, event-loop threads, then the listening socket on the main thread's
 * loop (which also takes the signals). Shutdown modes, as pg_ctl's:
 *   SIGTERM  smart: new connections are refused (FATAL 57P03), sessions
 *            go on until their clients disconnect, then a checkpoint and
 *            exit 0; a later SIGINT or SIGQUIT escalates;
 *   SIGINT   fast: stop accepting, end every session at once (FATAL
 *            57P01; running statements are not waited for, their
 *            transactions roll back), write a checkpoint, exit 0;
 *   SIGQUIT  immediate: exit at once, no checkpoint; the next start
 *            recovers from the WAL (every acknowledged commit is in it).
 * The checkpoint makes the next start replay nothing.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "server/backup_cli.h"
#include "server/config.h"
#include "server/datadir.h"
#include "server/sdnotify.h"
#include "server/server.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/version.h"

static srv_server server;
static uv_signal_t sigint_handle, sigterm_handle, sigquit_handle;

/* 1,000 idle clients need more descriptors than the usual soft limit of 1,024. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void close_any(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Stop now: no new clients, every loop ends its sessions (a fast stop does not wait
 * for statements under way), then run() checkpoints and exits. */
static void begin_stop(uv_loop_t *loop, bool fast)
{
    atomic_store(&server.stopping, true);
    srv_acceptor_stop(); /* closed on this loop's next turn: new clients are refused at once */
    srv_loops_request_stop(&server, fast);
    /* Pending first-packet sockets, the smart-shutdown timer and the signal
     * handles themselves; uv_run then returns and run() waits for the loops. */
    uv_walk(loop, close_any, NULL);
    /* Closing the handles restored the default actions: a second signal
     * must not kill the process while sessions end (they are bounded by the
     * loops' shutdown grace anyway). */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
}

/* Smart shutdown: polled until the last session has gone (sessions live on
 * their loops' threads; the count is the one max_connections uses). */
#define SMART_POLL_MS 50
static uv_timer_t smart_timer;
static bool smart_waiting;

static void on_smart_poll(uv_timer_t *t)
{
    if (atomic_load(&server.nsessions) > 0)
        return;
    log_info("smart shutdown: the last session has ended");
    begin_stop(t->loop, false);
}

static void on_signal(uv_signal_t *s, int signum)
{
    if (!smart_waiting && srv_sdnotify_stopping("shutting down") < 0)
        log_warn("could not tell the service manager (NOTIFY_SOCKET) that hcdb is stopping");
    if (signum == SIGQUIT) {
        /* Nothing is written: every acknowledged commit is already durable
         * in the WAL, which the next start replays. */
        log_info("received SIGQUIT: immediate shutdown, the next start recovers from the WAL");
        _exit(0);
    }
    if (signum == SIGTERM) {
        /* PostgreSQL's smart mode: sessions go on until their clients leave;
         * a new client gets FATAL 57P03; SIGINT or SIGQUIT later escalate. */
        if (smart_waiting)
            return;
        smart_waiting = true;
        log_info("received SIGTERM: smart shutdown, waiting for %d session(s) to end; new connections "
                 "are refused", atomic_load(&server.nsessions));
        atomic_store(&server.stopping, true);
        uv_timer_init(s->loop, &smart_timer);
        uv_timer_start(&smart_timer, on_smart_poll, 0, SMART_POLL_MS);
        return;
    }
    log_info("received SIGINT: fast shutdown, running statements are rolled back");
    begin_stop(s->loop, true);
}

/* After the last session: a checkpoint, so the next start replays nothing. */
static void shutdown_checkpoint(void)
{
    pgw_error err;
    pgw_error_clear(&err);
    if (sql_server_checkpoint(server.sql, &err) < 0)
        log_warn("shutdown checkpoint failed (the next start replays the WAL): %s", err.message);
    else
        log_info("shutdown checkpoint complete");
}

static int setup_tls(srv_server *srv)
{
    if (!srv->cfg.tls_cert[0])
        return 0;
    char why[512] = "";
    srv->tls = srv_tls_ctx_new(srv->cfg.tls_cert, srv->cfg.tls_key, why, sizeof(why));
    if (!srv->tls) {
        log_msg(LOG_FATAL, "could not load TLS certificate \"%s\" / key \"%s\": %s", srv->cfg.tls_cert,
                srv->cfg.tls_key, why);
        return -1;
    }
    if (srv_tls_ctx_endpoint_hash(srv->tls, srv->tls_endpoint, sizeof(srv->tls_endpoint),
                                  &srv->tls_endpoint_len) < 0)
        srv->tls_endpoint_len = 0;
    return 0;
}

static int open_storage(srv_server *srv)
{
    char why[4608] = "";
    if (srv_datadir_lock(srv->cfg.data_dir, why, sizeof(why)) < 0) {
        log_msg(LOG_FATAL, "%s", why);
        return -1;
    }
    srv->roles = srv_roles_open(srv->cfg.data_dir, getenv("HCDB_PASSWORD"), why, sizeof(why));
    if (!srv->roles) {
        log_msg(LOG_FATAL, "%s", why);
        return -1;
    }
    pgw_error err;
    sql_server_options o = {
        .fsync = srv->cfg.fsync,
        .synchronous_commit = srv->cfg.synchronous_commit,
        .checkpoint_timeout_s = (uint32_t)srv->cfg.checkpoint_timeout_s,
        .max_wal_size = (uint64_t)srv->cfg.max_wal_size_mb << 20,
        .wal_segment_size = (uint64_t)srv->cfg.wal_segment_size,
    };
    srv->sql = sql_server_new(srv->cfg.data_dir, &o, &err);
    if (!srv->sql) {
        log_msg(LOG_FATAL, "could not open the database: %s", err.message);
        return -1;
    }
    sql_role_ops ops = {srv->roles, srv_roles_each, srv_roles_create, srv_roles_alter, srv_roles_drop};
    sql_server_set_roles(srv->sql, &ops);
    return 0;
}

static void warn_if_no_password(srv_server *srv)
{
    if (srv->cfg.auth == SRV_AUTH_TRUST && !srv_config_is_loopback(srv->cfg.listen))
        log_warn("trust authentication on \"%s\" (--allow-remote-trust): anyone who can reach port %d "
                 "connects as any role, the superuser included, without a password",
                 srv->cfg.listen, srv->cfg.port);
    srv_role role;
    if (srv->cfg.auth != SRV_AUTH_TRUST && srv_roles_lookup(srv->roles, SRV_BOOTSTRAP_ROLE, &role) &&
        !role.verifier[0])
        log_warn("role \"%s\" has no password and auth is %s: logins will fail until the data directory is "
                 "created with HCDB_PASSWORD set",
                 SRV_BOOTSTRAP_ROLE, srv_auth_method_name(srv->cfg.auth));
}

static int run(void)
{
    uv_loop_t *loop = uv_default_loop();
    if (open_storage(&server) < 0 || setup_tls(&server) < 0)
        return 1;
    warn_if_no_password(&server);
    if (srv_loops_start(&server) < 0) {
        log_msg(LOG_FATAL, "could not start the event-loop threads");
        return 1;
    }
    if (srv_acceptor_start(&server, loop) < 0) {
        srv_loops_request_stop(&server, true);
        srv_loops_join(&server);
        return 1;
    }
    uv_signal_init(loop, &sigint_handle);
    uv_signal_init(loop, &sigterm_handle);
    uv_signal_start(&sigint_handle, on_signal, SIGINT);
    uv_signal_start(&sigterm_handle, on_signal, SIGTERM);
    uv_signal_init(loop, &sigquit_handle);
    uv_signal_start(&sigquit_handle, on_signal, SIGQUIT);
    log_info("hcdb %s (PostgreSQL %s protocol) listening on %s:%d, data directory \"%s\", auth %s, %d threads%s",
             HCDB_VERSION, HCDB_PG_VERSION, server.cfg.listen, server.cfg.port, server.cfg.data_dir,
             srv_auth_method_name(server.cfg.auth), server.cfg.threads, server.tls ? ", TLS on" : "");
    if (srv_sdnotify_ready("accepting connections") < 0)
        log_warn("could not tell the service manager (NOTIFY_SOCKET) that hcdb is ready");
    uv_run(loop, UV_RUN_DEFAULT);
    srv_loops_join(&server);
    uv_loop_close(loop);
    shutdown_checkpoint();
    sql_server_free(server.sql);
    srv_roles_free(server.roles);
    srv_tls_ctx_free(server.tls);
    log_info("hcdb stopped");
    return 0;
}

int main(int argc, char **argv)
{
    bool hooked = mem_install_library_hooks() == 0;
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && strcmp(argv[1], "backup") == 0)
        return srv_backup_main(argc - 1, argv + 1);
    char why[8192] = "";
    switch (srv_config_load(&server.cfg, argc, argv, why, sizeof(why))) {
    case SRV_CONFIG_EXIT_OK:
        return 0;
    case SRV_CONFIG_ERROR:
        fprintf(stderr, "hcdb: %s\n", why);
        return 2;
    case SRV_CONFIG_OK:
        break;
    }
    log_set_level(server.cfg.log_level);
    log_set_json(server.cfg.log_json);
    if (!hooked)
        log_warn("libuv or OpenSSL allocations are not counted: their memory hooks could not be installed");
    raise_fd_limit();
    /* Long statements run on libuv's worker pool; its default of 4 would let
     * a few pg_sleep calls queue everyone else's. Set before the pool starts. */
    setenv("UV_THREADPOOL_SIZE", "64", 0);
    return run();
}
