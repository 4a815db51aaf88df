/* st_io: the real file operations and the write-everything helper. */
#include "storage/st_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int sys_open(const char *path, int flags, int mode)
{
    int fd = open(path, flags | O_CLOEXEC, mode);
    return fd < 0 ? -errno : fd;
}

static ssize_t sys_pwrite(int fd, const void *p, size_t n, off_t off)
{
    ssize_t w = pwrite(fd, p, n, off);
    return w < 0 ? -errno : w;
}

static int sys_fdatasync(int fd)
{
    return fdatasync(fd) < 0 ? -errno : 0;
}

static int sys_fsync(int fd)
{
    return fsync(fd) < 0 ? -errno : 0;
}

static int sys_ftruncate(int fd, off_t len)
{
    return ftruncate(fd, len) < 0 ? -errno : 0;
}

static int sys_rename(const char *from, const char *to)
{
    return rename(from, to) < 0 ? -errno : 0;
}

static int sys_unlink(const char *path)
{
    return unlink(path) < 0 ? -errno : 0;
}

static int sys_close(int fd)
{
    return close(fd) < 0 ? -errno : 0;
}

static const st_io default_io = {
    .open = sys_open,
    .pwrite = sys_pwrite,
    .fdatasync = sys_fdatasync,
    .fsync = sys_fsync,
    .ftruncate = sys_ftruncate,
    .rename = sys_rename,
    .unlink = sys_unlink,
    .close = sys_close,
};

const st_io *st_io_default(void)
{
    return &default_io;
}

int st_io_write_all(const st_io *io, int fd, const void *p, size_t n, off_t off)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = io->pwrite(fd, c, n, off);
        if (w == -EINTR)
            continue;
        if (w < 0)
            return (int)w;
        if (w == 0)
            return -EIO;
        c += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

int st_io_fsync_dir(const st_io *io, const char *dir)
{
    int fd = io->open(dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return fd;
    int rc = io->fsync(fd);
    io->close(fd);
    return rc;
}
