/* datadir: create and lock the data directory (see datadir.h). */
#include "server/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_FILE "hcdb.pid"

static int make_dir(const char *dir, char *errbuf, size_t errlen)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        snprintf(errbuf, errlen, "data directory \"%s\" is not a directory", dir);
        return -1;
    }
    snprintf(errbuf, errlen, "could not create data directory \"%s\": %s", dir, strerror(errno));
    return -1;
}

static long read_holder_pid(int fd)
{
    char text[32] = {0};
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    return n > 0 ? strtol(text, NULL, 10) : 0;
}

int srv_datadir_lock(const char *dir, char *errbuf, size_t errlen)
{
    if (make_dir(dir, errbuf, errlen) < 0)
        return -1;
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, LOCK_FILE);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(errbuf, errlen, "could not open lock file \"%s\": %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        long holder = read_holder_pid(fd);
        snprintf(errbuf, errlen,
                 "could not lock data directory \"%s\": another hcdb server (PID %ld) is using it", dir, holder);
        close(fd);
        return SRV_DATADIR_BUSY;
    }
    char text[32];
    int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        snprintf(errbuf, errlen, "could not write lock file \"%s\": %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
