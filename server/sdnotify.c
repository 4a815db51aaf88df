/* sdnotify: the sd_notify datagram protocol without libsystemd (see sdnotify.h). */
#include "server/sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A STATUS line longer than this is cut: systemctl shows one short line anyway. */
#define SDNOTIFY_MESSAGE_MAX 1024

int srv_sdnotify_address(const char *name, void *addr, size_t *len)
{
    struct sockaddr_un *sun = addr;
    size_t n = name ? strlen(name) : 0;
    /* An abstract name starts with '@'; anything else must be an absolute path,
     * as sd_notify(3) requires. The path needs room for its NUL, the abstract
     * name does not have one. */
    if (n < 2 || (name[0] != '@' && name[0] != '/') || n > sizeof(sun->sun_path) - (name[0] == '/'))
        return -EINVAL;
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, name, n);
    if (name[0] == '@')
        sun->sun_path[0] = '\0';
    /* The abstract name is exactly n bytes long: its length, not a NUL, ends it. */
    *len = offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '/');
    return 0;
}

int srv_sdnotify(const char *state)
{
    const char *name = getenv("NOTIFY_SOCKET");
    if (!name || !*name)
        return 0;
    struct sockaddr_un sun;
    size_t len;
    int rc = srv_sdnotify_address(name, &sun, &len);
    if (rc < 0)
        return rc;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    ssize_t sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, (socklen_t)len);
    rc = sent < 0 ? -errno : 0;
    close(fd);
    return rc;
}

int srv_sdnotify_ready(const char *status)
{
    char msg[SDNOTIFY_MESSAGE_MAX];
    /* MAINPID lets a manager that started a wrapper script still follow hcdb. */
    snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\nSTATUS=%s", (long)getpid(), status ? status : "");
    return srv_sdnotify(msg);
}

int srv_sdnotify_stopping(const char *status)
{
    char msg[SDNOTIFY_MESSAGE_MAX];
    snprintf(msg, sizeof(msg), "STOPPING=1\nSTATUS=%s", status ? status : "");
    return srv_sdnotify(msg);
}
