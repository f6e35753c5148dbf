/*
 * The demo street's service lists (服务清单), so that the pages built on
 * /api/v1/analytics/services have something to show after `make run`: a few
 * services of each kind for the types the default rules give the demo
 * street's communities (老龄化型, 老旧小区型, and 混合型 for both at once).
 * The indicators, types and groups need no demo data of their own: they
 * come from the registry, cases, rooms and questions the other demos make.
 */
#include "analytics/analytics.h"
#include "analytics/analytics_store.h"
#include "core/banned.h"

static const AnalyticsService demo_services[] = {
    { 0, NULL, "老龄化型", "basic", "老年人助餐服务", "街道社区事务受理服务中心", "每日午餐" },
    { 0, NULL, "老龄化型", "basic", "独居老人定期探访", "社区居委会、网格员", "每月至少一次" },
    { 0, NULL, "老龄化型", "welfare", "老年大学社区课堂", "社区老年协会", "每周二、周四" },
    { 0, NULL, "老龄化型", "market", "上门理发、助浴", "签约家政服务企业", "预约" },
    { 0, NULL, "老旧小区型", "basic", "楼道堆物清理与消防巡查", "物业、社区居委会", "每月" },
    { 0, NULL, "老旧小区型", "welfare", "加装电梯议事协调", "社区议事会", "按需" },
    { 0, NULL, "混合型", "basic", "老年人助餐服务", "街道社区事务受理服务中心", "每日午餐" },
    { 0, NULL, "混合型", "welfare", "邻里互助志愿服务", "红旗手志愿队", "每周六" },
    { 0, NULL, "混合型", "market", "便民维修（水电、家电）", "社区合作商户", "每周三" },
};

Error *analytics_demo(Store *st, Arena *a, const char *street, int64_t now_ms, int *ret_n)
{
    Error *err = NULL;
    int64_t id;

    *ret_n = 0;
    for (size_t i = 0; !err && i < sizeof(demo_services) / sizeof(demo_services[0]); i++) {
        AnalyticsService x = demo_services[i];

        x.scope = street;
        err = analytics_store_service_insert(st, a, &x, 0, now_ms, &id);
        if (!err)
            (*ret_n)++;
    }
    return err;
}
