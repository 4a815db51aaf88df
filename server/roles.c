/* roles: the role file and its bootstrap (see roles.h). */
#include "server/roles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"

/* Enough for the bootstrap role and the few that issue-level role management adds. */
#define ROLES_MAX 1024

typedef struct role_entry {
    char name[SRV_ROLE_NAME_MAX];
    srv_role role;
} role_entry;

struct srv_roles {
    uv_mutex_t lock;
    char path[4300];
    int count;
    role_entry entries[ROLES_MAX];
};

static role_entry *find(srv_roles *r, const char *name)
{
    for (int i = 0; i < r->count; i++)
        if (strcmp(r->entries[i].name, name) == 0)
            return &r->entries[i];
    return NULL;
}

static int parse_line(srv_roles *r, const char *line)
{
    role_entry e;
    memset(&e, 0, sizeof(e));
    int super = 0, login = 0;
    char verifier[SRV_SCRAM_VERIFIER_MAX] = "";
    int n = sscanf(line, "%63s %d %d %255s", e.name, &super, &login, verifier);
    if (n < 3 || r->count == ROLES_MAX)
        return -1;
    e.role.superuser = super != 0;
    e.role.can_login = login != 0;
    if (n == 4 && strcmp(verifier, "-") != 0)
        snprintf(e.role.verifier, sizeof(e.role.verifier), "%s", verifier);
    r->entries[r->count++] = e;
    return 0;
}

static int load(srv_roles *r, char *errbuf, size_t errlen)
{
    FILE *f = fopen(r->path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[512];
    int lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (parse_line(r, line) < 0) {
            snprintf(errbuf, errlen, "corrupt role file \"%s\" at line %d", r->path, lineno);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

static int fsync_dir(const char *path)
{
    char dir[4400];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Write the whole file anew: temp file, fsync, rename, directory fsync. */
static int save(srv_roles *r)
{
    char tmp[4310];
    snprintf(tmp, sizeof(tmp), "%s.tmp", r->path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "# hcdb roles: name superuser login scram-verifier\n");
    for (int i = 0; i < r->count; i++) {
        const role_entry *e = &r->entries[i];
        fprintf(f, "%s %d %d %s\n", e->name, e->role.superuser, e->role.can_login,
                e->role.verifier[0] ? e->role.verifier : "-");
    }
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, r->path);
    if (rc == 0)
        rc = fsync_dir(r->path);
    return rc;
}

/* Creates the bootstrap role, or gives it the password it lacks. */
static int bootstrap(srv_roles *r, const char *password, char *errbuf, size_t errlen)
{
    role_entry *e = find(r, SRV_BOOTSTRAP_ROLE);
    bool changed = false;
    if (!e) {
        e = &r->entries[r->count++];
        memset(e, 0, sizeof(*e));
        snprintf(e->name, sizeof(e->name), "%s", SRV_BOOTSTRAP_ROLE);
        e->role.superuser = e->role.can_login = true;
        changed = true;
    }
    if (password && *password && !e->role.verifier[0]) {
        if (srv_scram_make_verifier(password, SRV_SCRAM_DEFAULT_ITERATIONS, e->role.verifier,
                                    sizeof(e->role.verifier)) < 0) {
            snprintf(errbuf, errlen, "could not make a password verifier");
            return -1;
        }
        log_info("password of role \"%s\" set from HCDB_PASSWORD", SRV_BOOTSTRAP_ROLE);
        changed = true;
    }
    if (changed && save(r) < 0) {
        snprintf(errbuf, errlen, "could not write role file \"%s\": %s", r->path, strerror(errno));
        return -1;
    }
    return 0;
}

srv_roles *srv_roles_open(const char *data_dir, const char *bootstrap_password, char *errbuf, size_t errlen)
{
    srv_roles *r = mem_calloc(1, sizeof(*r));
    if (!r) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/global", data_dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        snprintf(errbuf, errlen, "could not create \"%s\": %s", dir, strerror(errno));
        mem_free(r);
        return NULL;
    }
    snprintf(r->path, sizeof(r->path), "%s/roles", dir);
    if (load(r, errbuf, errlen) < 0 || bootstrap(r, bootstrap_password, errbuf, errlen) < 0) {
        if (!errbuf[0])
            snprintf(errbuf, errlen, "could not read role file \"%s\": %s", r->path, strerror(errno));
        mem_free(r);
        return NULL;
    }
    uv_mutex_init(&r->lock);
    return r;
}

void srv_roles_free(srv_roles *r)
{
    if (!r)
        return;
    uv_mutex_destroy(&r->lock);
    mem_free(r);
}

void srv_roles_each(void *ctx, void (*fn)(void *arg, const char *name, bool superuser, bool login), void *arg)
{
    srv_roles *r = ctx;
    uv_mutex_lock(&r->lock);
    for (int i = 0; i < r->count; i++)
        fn(arg, r->entries[i].name, r->entries[i].role.superuser, r->entries[i].role.can_login);
    uv_mutex_unlock(&r->lock);
}

/* Apply a's password to e: a SCRAM verifier is kept as given (as
 * PostgreSQL stores a pre-hashed one), cleartext is hashed. */
static int set_password(role_entry *e, const sql_role_attrs *a, pgw_error *err)
{
    if (a->clear_password) {
        e->role.verifier[0] = '\0';
        return 0;
    }
    if (!a->password)
        return 0;
    if (strncmp(a->password, "SCRAM-SHA-256$", 14) == 0 && strlen(a->password) < sizeof(e->role.verifier)) {
        snprintf(e->role.verifier, sizeof(e->role.verifier), "%s", a->password);
        return 0;
    }
    if (srv_scram_make_verifier(a->password, SRV_SCRAM_DEFAULT_ITERATIONS, e->role.verifier,
                                sizeof(e->role.verifier)) < 0) {
        pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "could not make a password verifier");
        return -1;
    }
    return 0;
}

static int saved(srv_roles *r, pgw_error *err)
{
    if (save(r) == 0)
        return 0;
    pgw_error_set(err, SQLSTATE_IO_ERROR, "could not write role file \"%s\": %s", r->path, strerror(errno));
    return -1;
}

int srv_roles_create(void *ctx, const char *name, const sql_role_attrs *a, pgw_error *err)
{
    srv_roles *r = ctx;
    if (strlen(name) >= SRV_ROLE_NAME_MAX || strpbrk(name, " \t\n")) {
        pgw_error_set(err, SQLSTATE_INVALID_NAME, "role name \"%s\" is not supported here", name);
        return -1;
    }
    uv_mutex_lock(&r->lock);
    int rc = -1;
    if (find(r, name)) {
        pgw_error_set(err, SQLSTATE_DUPLICATE_OBJECT, "role \"%s\" already exists", name);
    } else if (r->count == ROLES_MAX) {
        pgw_error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "too many roles");
    } else {
        role_entry *e = &r->entries[r->count];
        memset(e, 0, sizeof(*e));
        snprintf(e->name, sizeof(e->name), "%s", name);
        e->role.superuser = a->superuser > 0;
        e->role.can_login = a->login > 0;
        if (set_password(e, a, err) == 0) {
            r->count++;
            rc = saved(r, err);
        }
    }
    uv_mutex_unlock(&r->lock);
    return rc;
}

int srv_roles_alter(void *ctx, const char *name, const sql_role_attrs *a, pgw_error *err)
{
    srv_roles *r = ctx;
    uv_mutex_lock(&r->lock);
    role_entry *e = find(r, name);
    int rc = -1;
    if (!e) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
    } else {
        role_entry copy = *e;
        if (a->superuser >= 0)
            copy.role.superuser = a->superuser;
        if (a->login >= 0)
            copy.role.can_login = a->login;
        if (set_password(&copy, a, err) == 0) {
            *e = copy;
            rc = saved(r, err);
        }
    }
    uv_mutex_unlock(&r->lock);
    return rc;
}

int srv_roles_drop(void *ctx, const char *name, pgw_error *err)
{
    srv_roles *r = ctx;
    uv_mutex_lock(&r->lock);
    role_entry *e = find(r, name);
    int rc = -1;
    if (!e) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
    } else {
        /* keep the order: pg_roles numbers roles by it */
        memmove(e, e + 1, (size_t)(r->entries + r->count - (e + 1)) * sizeof(*e));
        r->count--;
        rc = saved(r, err);
    }
    uv_mutex_unlock(&r->lock);
    return rc;
}

bool srv_roles_lookup(srv_roles *r, const char *name, srv_role *out)
{
    uv_mutex_lock(&r->lock);
    role_entry *e = find(r, name);
    if (e)
        *out = e->role;
    uv_mutex_unlock(&r->lock);
    return e != NULL;
}
