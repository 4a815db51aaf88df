/* regtypes: the OID alias types (regclass, regtype, regproc, regnamespace). */
#ifndef HCDB_ENGINE_TYPES_REGTYPES_H
#define HCDB_ENGINE_TYPES_REGTYPES_H

#include "engine/types/types.h"

extern const eng_type eng__type_regclass, eng__type_regtype, eng__type_regproc, eng__type_regnamespace;

#endif
