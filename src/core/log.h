#pragma once
/*
 * One JSON object per line on stderr: time, level, msg, then named fields.
 * Never log ID numbers, phones, health data, passwords, tokens or bodies.
 *
 *   log_info("request", "rid", rid, "status", "200", NULL);
 *
 * Fields are name/value string pairs ending with NULL.
 */
#include <stdbool.h>

typedef enum LogLevel { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, _LOG_LEVEL_MAX } LogLevel;

void log_set_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_write(LogLevel level, const char *msg, ...);

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)
