/* pglsn: PostgreSQL's pg_lsn type (a WAL position, "16/B374D848") and the
 * WAL position functions monitoring tools call (pg_current_wal_lsn(),
 * pg_wal_lsn_diff()). Values live in eng_val.i as the unsigned 64-bit LSN. */
#ifndef HCDB_ENGINE_TYPES_PGLSN_H
#define HCDB_ENGINE_TYPES_PGLSN_H

#include "engine/types/types.h"

#define OID_PG_LSN 3220u

extern const eng_type eng__type_pg_lsn;

void eng__register_pglsn(void);

#endif
