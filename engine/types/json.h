/* json, jsonb: validated on input, held as text (jsonb in PostgreSQL's
 * normalised form), the -> and ->> operators, to_json and json[b]_typeof. */
#ifndef HCDB_ENGINE_TYPES_JSON_H
#define HCDB_ENGINE_TYPES_JSON_H

#include "engine/types/types.h"

#define OID_JSON 114u
#define OID_JSONB 3802u

extern const eng_type eng__type_json, eng__type_jsonb;

void eng__register_json(void);

#endif
