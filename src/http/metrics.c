#include "http/metrics.h"

#include <stdatomic.h>
#include "core/banned.h"


static const int64_t bucket_us[] = { 1000, 5000, 10000, 50000, 100000, 500000, 1000000 };
#define N_BUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

static atomic_uint_fast64_t by_class[6]; /* 1xx..5xx, [0] unknown */
static atomic_uint_fast64_t buckets[N_BUCKETS + 1];
static atomic_uint_fast64_t sum_us;

void metrics_observe(int status, int64_t duration_us)
{
    int cls = status / 100;
    size_t b = 0;

    if (cls < 1 || cls > 5)
        cls = 0;
    atomic_fetch_add_explicit(&by_class[cls], 1, memory_order_relaxed);
    while (b < N_BUCKETS && duration_us > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum_us, (uint64_t)duration_us, memory_order_relaxed);
}

void metrics_render(StrBuf *sb)
{
    uint64_t cum = 0;

    strbuf_adds(sb, "# HELP linli_http_requests_total HTTP requests by status class.\n"
                    "# TYPE linli_http_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        strbuf_addf(sb, "linli_http_requests_total{code=\"%dxx\"} %llu\n", c,
                    (unsigned long long)atomic_load(&by_class[c]));
    strbuf_adds(sb, "# HELP linli_http_request_duration_seconds Time to answer a request.\n"
                    "# TYPE linli_http_request_duration_seconds histogram\n");
    for (size_t b = 0; b < N_BUCKETS; b++) {
        cum += atomic_load(&buckets[b]);
        strbuf_addf(sb, "linli_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                    (double)bucket_us[b] / 1e6, (unsigned long long)cum);
    }
    cum += atomic_load(&buckets[N_BUCKETS]);
    strbuf_addf(sb, "linli_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                (unsigned long long)cum);
    strbuf_addf(sb, "linli_http_request_duration_seconds_sum %g\n",
                (double)atomic_load(&sum_us) / 1e6);
    strbuf_addf(sb, "linli_http_request_duration_seconds_count %llu\n", (unsigned long long)cum);
}
