/*
 * Volunteers' pure rules and code lists (volunteers.h), unit-tested in
 * tests/unit/volunteers/test_volunteers_rules.c.
 */
#include <string.h>

#include "core/timeutil.h"
#include "volunteers/volunteers.h"
#include "core/banned.h"

const VolunteersCode volunteers_skills[] = {
    { "medical", "医疗护理" },   { "teaching", "教学辅导" }, { "repair", "家电维修" },
    { "haircut", "理发" },       { "legal", "法律咨询" },    { "counseling", "心理疏导" },
    { "digital", "手机电脑" },   { "elder_care", "陪伴助老" }, { "sorting", "垃圾分类" },
    { "patrol", "治安巡逻" },    { "culture", "文艺表演" },  { "photo", "摄影宣传" },
    { "translate", "外语翻译" }, { "driving", "驾驶接送" },  { NULL, NULL },
};

const VolunteersCode volunteers_slots[] = {
    { "weekday_morning", "工作日上午" },   { "weekday_afternoon", "工作日下午" },
    { "weekday_evening", "工作日晚上" },   { "weekend_morning", "周末上午" },
    { "weekend_afternoon", "周末下午" },   { "weekend_evening", "周末晚上" },
    { NULL, NULL },
};

const char *volunteers_code_label(const VolunteersCode *list, const char *code)
{
    for (; code && list->code; list++)
        if (strcmp(list->code, code) == 0)
            return list->label;
    return NULL;
}

int64_t volunteers_attendance_minutes(int64_t in_ms, int64_t out_ms)
{
    int64_t m;

    if (out_ms <= in_ms)
        return 0;
    m = (out_ms - in_ms + 30000) / 60000;
    return m > VOLUNTEERS_MAX_ENTRY_MIN ? VOLUNTEERS_MAX_ENTRY_MIN : m;
}

void volunteers_year_month(int64_t ms, int *ret_year, int *ret_month)
{
    int64_t day;
    int minute, d;

    time_local(ms, VOLUNTEERS_UTC_OFFSET_MIN, &day, &minute);
    civil_from_days(day, ret_year, ret_month, &d);
}

char *volunteers_hours_text(Arena *a, int64_t minutes)
{
    int64_t m = minutes < 0 ? -minutes : minutes;
    int64_t tenths = (m * 10 + 30) / 60;

    return arena_sprintf(a, "%s%lld.%lld", minutes < 0 ? "-" : "", (long long)(tenths / 10),
                         (long long)(tenths % 10));
}
