/* hc_error: SQLSTATE and message for each hc_status (see hc_error.h). */
#include "engine/hypercube/hc_error.h"

#include "protocol/sqlstate.h"

const char *hc_status_sqlstate(hc_status st)
{
    switch (st) {
    case HC_OK:
        return SQLSTATE_SUCCESSFUL_COMPLETION;
    case HC_ERR_CODEPOINT_RANGE:
        return SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE;
    case HC_ERR_SURROGATE:
    case HC_ERR_INVALID_ARGUMENT:
    case HC_ERR_EMPTY_INPUT:
        return SQLSTATE_INVALID_PARAMETER_VALUE;
    case HC_ERR_LENGTH_MISMATCH:
    case HC_ERR_INTERNAL:
        return SQLSTATE_DATA_EXCEPTION;
    case HC_ERR_NOMEM:
        return SQLSTATE_OUT_OF_MEMORY;
    }
    return SQLSTATE_DATA_EXCEPTION;
}

const char *hc_status_message(hc_status st)
{
    switch (st) {
    case HC_OK:
        return "success";
    case HC_ERR_CODEPOINT_RANGE:
        return "codepoint out of range (valid: 0 .. 1114111)";
    case HC_ERR_SURROGATE:
        return "surrogate codepoints (U+D800 .. U+DFFF) are not characters";
    case HC_ERR_INVALID_ARGUMENT:
        return "invalid argument (coordinates must be finite numbers)";
    case HC_ERR_LENGTH_MISMATCH:
        return "array lengths differ";
    case HC_ERR_EMPTY_INPUT:
        return "input must not be empty";
    case HC_ERR_NOMEM:
        return "out of memory";
    case HC_ERR_INTERNAL:
        return "internal error in a cryptographic library call";
    }
    return "unknown hypercube error";
}
