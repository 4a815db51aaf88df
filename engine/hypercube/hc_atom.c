/* hc_atom: assemble one atom record (see hc_atom.h). */
#include "engine/hypercube/hc_atom.h"

#include "engine/hypercube/hc_map.h"

hc_status hc_atom_record(int64_t cp, hc_atom *out)
{
    hc_status st = hc_check_codepoint(cp);
    if (st == HC_OK)
        st = hc_map_codepoint_raw(cp, out->lanes);
    if (st == HC_OK)
        st = hc_atom_id(cp, out->id);
    if (st == HC_OK)
        st = hc_categorize(cp, &out->category);
    if (st == HC_OK)
        out->hilbert = hc_hilbert_encode(out->lanes);
    return st;
}
