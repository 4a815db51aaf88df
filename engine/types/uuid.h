/* uuid: PostgreSQL's uuid type (16 bytes) and gen_random_uuid(). */
#ifndef HCDB_ENGINE_TYPES_UUID_H
#define HCDB_ENGINE_TYPES_UUID_H

#include "engine/types/types.h"

extern const eng_type eng__type_uuid;

#endif
