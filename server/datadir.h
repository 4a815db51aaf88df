/*
 * datadir: the data directory's creation and its lock. One server per data
 * directory: the lock (flock on DIR/hcdb.pid, which also records the PID) is
 * held for the life of the process and released by the kernel on any exit,
 * so a crash never leaves a stale lock behind.
 */
#ifndef HCDB_SERVER_DATADIR_H
#define HCDB_SERVER_DATADIR_H

#include <stddef.h>

/* Create DIR (mode 0700) if missing and lock it. Returns the lock fd, or
 * SRV_DATADIR_BUSY (another server holds it) or -1 (permissions, ...) with
 * the reason in errbuf. */
#define SRV_DATADIR_BUSY (-2)

int srv_datadir_lock(const char *dir, char *errbuf, size_t errlen);

#endif
