/* test_sdnotify: socket names and the datagrams a service manager receives. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/sdnotify.h"

/* Binds an abstract datagram socket with a name unique to this process. */
static int bind_abstract(char *name, size_t namelen)
{
    snprintf(name, namelen, "@hcdb-test-sdnotify-%ld", (long)getpid());
    struct sockaddr_un sun;
    size_t len;
    cr_assert_eq(srv_sdnotify_address(name, &sun, &len), 0);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert(fd >= 0);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sun, (socklen_t)len), 0);
    return fd;
}

static void receive(int fd, char *buf, size_t size)
{
    ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);
    cr_assert(n > 0, "no datagram arrived");
    buf[n] = '\0';
}

Test(sdnotify, path_address)
{
    struct sockaddr_un sun;
    size_t len;
    cr_assert_eq(srv_sdnotify_address("/run/systemd/notify", &sun, &len), 0);
    cr_assert_str_eq(sun.sun_path, "/run/systemd/notify");
    cr_assert_eq(len, offsetof(struct sockaddr_un, sun_path) + strlen("/run/systemd/notify") + 1);
}

Test(sdnotify, abstract_address_has_leading_nul_and_no_trailing_one)
{
    struct sockaddr_un sun;
    size_t len;
    cr_assert_eq(srv_sdnotify_address("@abc", &sun, &len), 0);
    cr_assert_eq(sun.sun_path[0], '\0');
    cr_assert_eq(memcmp(sun.sun_path + 1, "abc", 3), 0);
    cr_assert_eq(len, offsetof(struct sockaddr_un, sun_path) + 4);
}

Test(sdnotify, invalid_names_are_refused)
{
    struct sockaddr_un sun;
    size_t len;
    char longname[200];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[0] = '/';
    longname[sizeof(longname) - 1] = '\0';
    cr_assert_eq(srv_sdnotify_address("", &sun, &len), -EINVAL);
    cr_assert_eq(srv_sdnotify_address("@", &sun, &len), -EINVAL);
    cr_assert_eq(srv_sdnotify_address("relative/path", &sun, &len), -EINVAL);
    cr_assert_eq(srv_sdnotify_address(longname, &sun, &len), -EINVAL);
}

Test(sdnotify, without_notify_socket_nothing_is_sent)
{
    unsetenv("NOTIFY_SOCKET");
    cr_assert_eq(srv_sdnotify_ready("x"), 0);
}

Test(sdnotify, ready_and_stopping_reach_an_abstract_socket)
{
    char name[108], buf[2048];
    int fd = bind_abstract(name, sizeof(name));
    setenv("NOTIFY_SOCKET", name, 1);
    cr_assert_eq(srv_sdnotify_ready("accepting connections"), 0);
    receive(fd, buf, sizeof(buf));
    char want[64];
    snprintf(want, sizeof(want), "MAINPID=%ld\n", (long)getpid());
    cr_assert(strncmp(buf, "READY=1\n", 8) == 0, "got: %s", buf);
    cr_assert(strstr(buf, want), "got: %s", buf);
    cr_assert(strstr(buf, "STATUS=accepting connections"), "got: %s", buf);
    cr_assert_eq(srv_sdnotify_stopping("bye"), 0);
    receive(fd, buf, sizeof(buf));
    cr_assert_str_eq(buf, "STOPPING=1\nSTATUS=bye");
    close(fd);
}

Test(sdnotify, unreachable_socket_is_an_error)
{
    setenv("NOTIFY_SOCKET", "@hcdb-test-sdnotify-nobody-listens", 1);
    cr_assert(srv_sdnotify("READY=1") < 0);
}
