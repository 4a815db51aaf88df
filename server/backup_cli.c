/* backup_cli: the `hcdb backup` command (see backup_cli.h). */
#include "server/backup_cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/config.h"
#include "server/datadir.h"
#include "sql-compat/sql.h"

typedef struct backup_args {
    const char *data, *to, *host, *port, *user;
} backup_args;

static void usage(FILE *f)
{
    fprintf(f, "Usage: hcdb backup --data DIR --to DEST [--host HOST] [--port PORT] [--user USER]\n"
               "\n"
               "Makes a consistent copy of the data directory DIR in DEST (absent or empty).\n"
               "If a server runs on DIR, it makes the copy while it keeps serving: the command\n"
               "connects to it (default 127.0.0.1, HCDB_PORT or 5432, user postgres; PGPASSWORD\n"
               "and the other PG* variables apply) and runs SELECT hcdb_backup(DEST).\n");
}

/* DEST as an absolute path (its parent must exist), for the server's sake. */
static int absolute_dest(const char *dest, char *out, size_t n)
{
    if (dest[0] == '/')
        return snprintf(out, n, "%s", dest) < (int)n ? 0 : -1;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        return -1;
    int k = snprintf(out, n, "%s/%s", cwd, dest);
    return k >= 0 && (size_t)k < n ? 0 : -1;
}

static int backup_here(const backup_args *a, const char *dest)
{
    pgw_error err;
    pgw_error_clear(&err);
    sql_server *srv = sql_server_new(a->data, NULL, &err);
    uint64_t end = 0;
    int rc = srv ? sql_server_backup(srv, dest, &end, &err) : -1;
    sql_server_free(srv);
    if (rc < 0) {
        fprintf(stderr, "hcdb backup: %s\n", err.message);
        return 1;
    }
    printf("hcdb backup: backup complete in \"%s\" (end LSN %" PRIu64 ")\n", dest, end);
    return 0;
}

static int backup_over_wire(const backup_args *a, const char *dest)
{
    const char *port = a->port ? a->port : getenv("HCDB_PORT") ? getenv("HCDB_PORT") : "5432";
    const char *keys[] = {"host", "port", "user", "dbname", "application_name", NULL};
    const char *vals[] = {a->host ? a->host : "127.0.0.1", port, a->user ? a->user : "postgres", "postgres",
                          "hcdb backup", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "hcdb backup: a server runs on \"%s\" but connecting to it failed: %s", a->data,
                PQerrorMessage(conn));
        PQfinish(conn);
        return 1;
    }
    const char *params[] = {dest};
    PGresult *res = PQexecParams(conn, "SELECT hcdb_backup($1)", 1, NULL, params, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : 1;
    if (rc == 0)
        printf("hcdb backup: backup complete in \"%s\" (end LSN %s), made by the running server\n", dest,
               PQgetvalue(res, 0, 0));
    else
        fprintf(stderr, "hcdb backup: %s", PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    return rc;
}

static int parse(int argc, char **argv, backup_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'D'}, {"to", required_argument, NULL, 't'},
        {"host", required_argument, NULL, 'h'}, {"port", required_argument, NULL, 'p'},
        {"user", required_argument, NULL, 'U'}, {"help", no_argument, NULL, '?'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof(*a));
    a->data = getenv("HCDB_DATA");
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'D': a->data = optarg; break;
        case 't': a->to = optarg; break;
        case 'h': a->host = optarg; break;
        case 'p': a->port = optarg; break;
        case 'U': a->user = optarg; break;
        default: return -1;
        }
    }
    return optind == argc && a->data && a->to ? 0 : -1;
}

int srv_backup_main(int argc, char **argv)
{
    backup_args a;
    if (parse(argc, argv, &a) < 0) {
        usage(stderr);
        return 2;
    }
    struct stat sb;
    if (stat(a.data, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "hcdb backup: data directory \"%s\" does not exist\n", a.data);
        return 1;
    }
    char dest[PATH_MAX + 1];
    if (absolute_dest(a.to, dest, sizeof(dest)) < 0) {
        fprintf(stderr, "hcdb backup: invalid destination \"%s\"\n", a.to);
        return 1;
    }
    char why[4608] = "";
    int lock = srv_datadir_lock(a.data, why, sizeof(why));
    if (lock == SRV_DATADIR_BUSY)
        return backup_over_wire(&a, dest);
    if (lock < 0) {
        fprintf(stderr, "hcdb backup: %s\n", why);
        return 1;
    }
    int rc = backup_here(&a, dest);
    close(lock);
    return rc;
}
