/*
 * backup_cli: `hcdb backup --data DIR --to DEST`, a consistent copy of a
 * data directory. When no server holds DIR, the copy is made right here
 * (the directory is locked and opened, recovery included); when a server
 * runs on it, the command asks that server over the wire (libpq, the usual
 * PG* environment and --host/--port/--user) with SELECT hcdb_backup(DEST),
 * so the copy is made while it keeps serving. Runs on the main thread only.
 */
#ifndef HCDB_SERVER_BACKUP_CLI_H
#define HCDB_SERVER_BACKUP_CLI_H

/* argv[0] is "backup". Returns the process exit status. */
int srv_backup_main(int argc, char **argv);

#endif
