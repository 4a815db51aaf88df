/* log: one formatted line per call on stderr (see log.h). */
#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int current_level = LOG_INFO;
static atomic_bool json_format;

static const char *const level_names[] = {"DEBUG", "INFO", "WARNING", "ERROR", "FATAL"};

void log_set_level(log_level level)
{
    atomic_store(&current_level, level);
}

log_level log_get_level(void)
{
    return (log_level)atomic_load(&current_level);
}

bool log_parse_level(const char *name, log_level *out)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(name, names[i]) == 0) {
            *out = (log_level)i;
            return true;
        }
    }
    return false;
}

void log_set_json(bool json)
{
    atomic_store(&json_format, json);
}

static size_t json_escape(char *dst, size_t cap, const char *src)
{
    size_t o = 0;
    for (; *src && o + 7 < cap; src++) {
        unsigned char c = (unsigned char)*src;
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(dst + o, cap - o, "\\u%04x", c);
        } else {
            dst[o++] = (char)c;
        }
    }
    dst[o] = '\0';
    return o;
}

void log_msg(log_level level, const char *fmt, ...)
{
    if ((int)level < atomic_load(&current_level))
        return;
    char msg[2048], line[4608], stamp[40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(stamp + n, sizeof(stamp) - n, ".%03ld UTC", ts.tv_nsec / 1000000);

    int len;
    if (atomic_load(&json_format)) {
        char esc[sizeof(msg) * 2];
        json_escape(esc, sizeof(esc), msg);
        len = snprintf(line, sizeof(line), "{\"time\":\"%s\",\"level\":\"%s\",\"pid\":%d,\"message\":\"%s\"}\n",
                       stamp, level_names[level], (int)getpid(), esc);
    } else {
        len = snprintf(line, sizeof(line), "%s [%d] %s:  %s\n", stamp, (int)getpid(), level_names[level], msg);
    }
    if (len > (int)sizeof(line))
        len = (int)sizeof(line);
    ssize_t unused = write(STDERR_FILENO, line, (size_t)len);
    (void)unused;
}
