/*
 * version: who hcdb says it is. Clients pick their catalog SQL by the
 * PostgreSQL version in server_version, so hcdb reports the PostgreSQL
 * release whose catalogs it emulates, then its own version in brackets.
 */
#ifndef HCDB_UTIL_VERSION_H
#define HCDB_UTIL_VERSION_H

#ifndef HCDB_VERSION
#define HCDB_VERSION "0.1.0"
#endif

#define HCDB_PG_VERSION "15.8"         /* emulated PostgreSQL release */
#define HCDB_PG_VERSION_NUM "150008"   /* server_version_num */
#define HCDB_SERVER_VERSION HCDB_PG_VERSION " (hcdb " HCDB_VERSION ")"
/* SELECT version() */
#define HCDB_VERSION_STRING "PostgreSQL " HCDB_PG_VERSION " (hcdb " HCDB_VERSION ") on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"

#endif
