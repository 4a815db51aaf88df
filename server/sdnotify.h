/*
 * sdnotify: tells a service manager (systemd's Type=notify, or anything that
 * speaks the same protocol) how start-up and shutdown are going, without
 * linking libsystemd.
 *
 * The protocol: one datagram of newline-separated KEY=VALUE lines sent to the
 * AF_UNIX datagram socket named by $NOTIFY_SOCKET (a path, or an abstract
 * name written with a leading '@'). Without $NOTIFY_SOCKET every call is a
 * no-op that succeeds, so the server runs the same outside a service manager.
 * Thread-safe: each call opens, sends on and closes its own socket.
 */
#ifndef HCDB_SERVER_SDNOTIFY_H
#define HCDB_SERVER_SDNOTIFY_H

#include <stddef.h>

/* Sends `state` (e.g. "READY=1\nSTATUS=accepting connections") to
 * $NOTIFY_SOCKET. Returns 0 when sent or when there is no $NOTIFY_SOCKET,
 * a negative errno when the socket name is invalid or sending failed. */
int srv_sdnotify(const char *state) __attribute__((warn_unused_result));

/* READY=1, the MAINPID of this process and a STATUS line. */
int srv_sdnotify_ready(const char *status) __attribute__((warn_unused_result));

/* STOPPING=1 and a STATUS line. */
int srv_sdnotify_stopping(const char *status) __attribute__((warn_unused_result));

/* Builds the sockaddr for a $NOTIFY_SOCKET value into `addr` (a struct
 * sockaddr_un) and its length into `*len`. '@' at the start means the
 * abstract namespace (a leading NUL byte). Returns 0 or -EINVAL for an empty,
 * relative or too long name. Exposed for the unit tests. */
int srv_sdnotify_address(const char *name, void *addr, size_t *len) __attribute__((warn_unused_result));

#endif
