#pragma once
/* Request counters for GET /metrics (Prometheus text format). Lock-free. */
#include <stdint.h>

#include "core/strbuf.h"

void metrics_observe(int status, int64_t duration_us);
/* Appends the Prometheus exposition of all counters to @sb. */
void metrics_render(StrBuf *sb);
