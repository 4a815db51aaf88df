/* pgw_error: filling client-visible errors without allocating (see pgw_error.h). */
#include "protocol/pgw_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pgw_error_clear(pgw_error *e)
{
    e->severity = NULL;
    e->sqlstate[0] = '\0';
    e->message[0] = '\0';
    e->detail[0] = '\0';
    e->hint[0] = '\0';
    e->context[0] = '\0';
    e->position = 0;
}

void pgw_error_set(pgw_error *e, const char *sqlstate, const char *fmt, ...)
{
    pgw_error_clear(e);
    e->severity = "ERROR";
    snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", sqlstate);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

void pgw_error_detail(pgw_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
    va_end(ap);
}

void pgw_error_hint(pgw_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
    va_end(ap);
}

void pgw_error_context(pgw_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->context, sizeof(e->context), fmt, ap);
    va_end(ap);
}

void pgw_error_oom(pgw_error *e)
{
    pgw_error_set(e, SQLSTATE_OUT_OF_MEMORY, "out of memory");
}
