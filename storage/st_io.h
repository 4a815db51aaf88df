/*
 * st_io: every file operation storage uses to write, behind one ops table so
 * that tests can inject faults (short writes, ENOSPC, EIO, failing fsync)
 * without touching the disk. Reads (recovery) use the system directly.
 * Every function returns >= 0 on success or a negative errno, never sets
 * errno for the caller. The table must stay valid while a db uses it; the
 * functions are called from several threads at once.
 */
#ifndef HCDB_STORAGE_ST_IO_H
#define HCDB_STORAGE_ST_IO_H

#include <stddef.h>
#include <sys/types.h>

typedef struct st_io {
    int (*open)(const char *path, int flags, int mode);            /* fd or -errno */
    ssize_t (*pwrite)(int fd, const void *p, size_t n, off_t off); /* bytes (maybe short) or -errno */
    int (*fdatasync)(int fd);
    int (*fsync)(int fd);
    int (*ftruncate)(int fd, off_t len);
    int (*rename)(const char *from, const char *to);
    int (*unlink)(const char *path);
    int (*close)(int fd);
} st_io;

/* The real system calls. */
const st_io *st_io_default(void);

/* Write all n bytes at off through io, retrying short writes and EINTR.
 * 0 or -errno (a write that makes no progress is -EIO). */
int st_io_write_all(const st_io *io, int fd, const void *p, size_t n, off_t off)
    __attribute__((warn_unused_result));
/* fsync a directory (after a create, rename or unlink in it). */
int st_io_fsync_dir(const st_io *io, const char *dir) __attribute__((warn_unused_result));

#endif
