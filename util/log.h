/*
 * log: leveled lines on stderr, text or JSON, safe from any thread (one
 * write(2) per line, so lines from different loops never interleave).
 */
#ifndef HCDB_UTIL_LOG_H
#define HCDB_UTIL_LOG_H

#include <stdbool.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR, LOG_FATAL } log_level;

void log_set_level(log_level level);
log_level log_get_level(void);
/* Parses "debug", "info", "warning", "error"; false if unknown. */
bool log_parse_level(const char *name, log_level *out);
void log_set_json(bool json);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
