/*
 * backup: a consistent copy of a whole data directory while the server
 * runs (hcdb_backup() in SQL, `hcdb backup` on the command line).
 *
 * DEST/base gets storage's online backup (st_backup: a checkpoint written
 * into it plus the WAL up to the end LSN); DEST/global gets a copy of the
 * server's own files (the roles). Everything is fsynced. The global files
 * are copied first, so a role created during the backup may be missing
 * from it, never half there (each file is replaced by rename). A failed
 * backup leaves a directory that must be removed before trying again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/catalog.h"
#include "sql-compat/session.h"
#include "storage/st.h"
#include "util/log.h"

/* dir/name into out; false if it does not fit. */
static bool join(char *out, size_t n, const char *dir, const char *name)
{
    int k = snprintf(out, n, "%s/%s", dir, name);
    return k >= 0 && (size_t)k < n;
}

static int too_long(pgw_error *err, const char *dir)
{
    pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "path under \"%s\" is too long", dir);
    return -1;
}

static int io_error(pgw_error *err, const char *what, const char *path)
{
    pgw_error_set(err, SQLSTATE_IO_ERROR, "could not %s \"%s\": %s", what, path, strerror(errno));
    return -1;
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int copy_file(const char *src, const char *dst, pgw_error *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return io_error(err, "open file", src);
    int out = open(dst, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return io_error(err, "create file", dst);
    }
    char b[65536];
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = read(in, b, sizeof(b))) != 0) {
        if (n < 0 || write(out, b, (size_t)n) != n)
            rc = io_error(err, n < 0 ? "read file" : "write file", n < 0 ? src : dst);
    }
    if (rc == 0 && fsync(out) != 0)
        rc = io_error(err, "fsync file", dst);
    close(in);
    close(out);
    return rc;
}

/* Every regular file of src_dir into dst_dir (created), fsynced. */
static int copy_dir_files(const char *src_dir, const char *dst_dir, pgw_error *err)
{
    if (mkdir(dst_dir, 0700) != 0 && errno != EEXIST)
        return io_error(err, "create directory", dst_dir);
    DIR *d = opendir(src_dir);
    if (!d)
        return errno == ENOENT ? 0 : io_error(err, "open directory", src_dir);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        char src[4352], dst[4352], tmp[4352];
        if (!join(src, sizeof(src), src_dir, e->d_name) || !join(dst, sizeof(dst), dst_dir, e->d_name) ||
            !join(tmp, sizeof(tmp), dst_dir, ".copy.tmp")) {
            rc = too_long(err, dst_dir);
            break;
        }
        struct stat sb;
        if (stat(src, &sb) != 0 || !S_ISREG(sb.st_mode) || strstr(e->d_name, ".tmp"))
            continue;
        rc = copy_file(src, tmp, err);
        if (rc == 0 && rename(tmp, dst) != 0)
            rc = io_error(err, "rename file", tmp);
    }
    closedir(d);
    if (rc == 0 && fsync_path(dst_dir, O_RDONLY | O_DIRECTORY) != 0)
        rc = io_error(err, "fsync directory", dst_dir);
    return rc;
}

/* dest must be absent (its parent existing) or an empty directory. */
static int make_dest(const char *dest, pgw_error *err)
{
    DIR *d = opendir(dest);
    if (!d) {
        if (errno != ENOENT)
            return io_error(err, "open backup directory", dest);
        if (mkdir(dest, 0700) != 0)
            return io_error(err, "create backup directory", dest);
        return 0;
    }
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    if (!empty) {
        pgw_error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "backup directory \"%s\" exists but is not empty", dest);
        return -1;
    }
    return 0;
}

int sql_server_backup(sql_server *srv, const char *dest, uint64_t *end_lsn, pgw_error *err)
{
    if (!srv->cat || srv->tmp_dir) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "this server has no data directory to back up");
        return -1;
    }
    char global[4200], dglobal[4200], dbase[4200];
    if (!join(global, sizeof(global), srv->data_dir, "global") || !join(dglobal, sizeof(dglobal), dest, "global") ||
        !join(dbase, sizeof(dbase), dest, "base"))
        return too_long(err, dest);
    if (make_dest(dest, err) < 0 || copy_dir_files(global, dglobal, err) < 0 ||
        st_backup(eng_catalog_db(srv->cat), dbase, end_lsn, err) < 0)
        return -1;
    if (fsync_path(dest, O_RDONLY | O_DIRECTORY) != 0)
        return io_error(err, "fsync directory", dest);
    log_info("backup of \"%s\" complete in \"%s\"", srv->data_dir, dest);
    return 0;
}

int sqlc__backup(void *ctx, const char *dest, uint64_t *end_lsn, pgw_error *err)
{
    sql_session *s = ctx;
    if (!s->is_superuser) {
        pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for function hcdb_backup");
        return -1;
    }
    if (dest[0] != '/') {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "backup directory must be an absolute path");
        return -1;
    }
    return sql_server_backup(s->srv, dest, end_lsn, err);
}
