/*
 * The care overdue sweep: a missed 平安 check or a visit past its rhythm is
 * noticed the same day.
 *
 * Per community, under its settings (care_rules.c), at @now:
 *  - a daily check missing after check_hour (Beijing) tells the person's
 *    helpers (the community's staff and secretary when she has none): alert
 *    'check'; staff_after_hours later, still missing, the staff and
 *    secretary: 'check_staff'; missing check_escalate_days days running,
 *    the secretary: 'check_secretary';
 *  - a visit past its due time tells her helpers (staff when none): 'visit';
 *    visit_escalate_days past it, the secretary: 'visit_secretary'.
 * Nobody is alarmed on days away (住院, 外出).
 *
 * Each alert is a row of care_alert, unique per (person, kind, day): the
 * notices go out only when INSERT … ON CONFLICT DO NOTHING RETURNING
 * returns the row, in the same write transaction. So sweeps racing each
 * other (the thread of every `linli serve` on one database, a CLI run) and
 * sweeps after a restart each notify an alert once, and an alert's notices
 * are written with it or not at all. A missed check also raises the
 * person's missed-check count, so her grade is computed again.
 */
#include "care/care_store.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "notice/notice.h"
#include "core/banned.h"

#define HOUR_MS (60 * TIME_MINUTE_MS)

static Error *notify(Store *st, Arena *a, const int64_t *ids, size_t n, const char *kind,
                     const char *title, const char *body, int64_t care_id, int64_t now_ms)
{
    const char *link = arena_sprintf(a, "/care/people/%lld", (long long)care_id);

    for (size_t i = 0; i < n; i++) {
        Error *err = notice_add_at(st, a, ids[i], kind, title, body, link, now_ms);

        if (err)
            return err;
    }
    return NULL;
}

/*
 * A community's staff and secretaries, read once per sweep: the accounts
 * table of a city is large and a sweep may escalate thousands of people.
 */
typedef struct Staff {
    const char *community;
    int64_t *all, *secretaries;
    size_t n_all, n_secretaries;
} Staff;

static Error *staff_load(Store *st, Arena *a, const char *community, Staff *sf)
{
    Error *err;

    *sf = (Staff){ .community = community };
    err = care_store_staff_ids(st, a, community, false, &sf->all, &sf->n_all);
    if (!err)
        err = care_store_staff_ids(st, a, community, true, &sf->secretaries, &sf->n_secretaries);
    return err;
}

/* Her helpers, or the community's staff and secretaries when she has none. */
static Error *tell_helpers(Store *st, Arena *a, const Staff *sf, int64_t care_id,
                           const char *kind, const char *title, const char *body, int64_t now_ms)
{
    int64_t *ids = NULL;
    size_t n = 0;
    Error *err = care_store_helper_ids(st, a, care_id, &ids, &n);

    if (!err && n == 0)
        return notify(st, a, sf->all, sf->n_all, kind, title, body, care_id, now_ms);
    if (!err)
        err = notify(st, a, ids, n, kind, title, body, care_id, now_ms);
    return err;
}

static Error *tell_staff(Store *st, Arena *a, const Staff *sf, bool secretary_only,
                         int64_t care_id, const char *kind, const char *title, const char *body,
                         int64_t now_ms)
{
    return secretary_only
               ? notify(st, a, sf->secretaries, sf->n_secretaries, kind, title, body, care_id, now_ms)
               : notify(st, a, sf->all, sf->n_all, kind, title, body, care_id, now_ms);
}

static const char *person_name(Store *st, Arena *a, int64_t care_id, const char *today)
{
    CarePerson *p = NULL;

    if (care_store_get(st, a, care_id, today, &p) || !p)
        return "关爱对象";
    return p->name;
}

static Error *sweep_checks(Store *st, Arena *a, const CryptoKeys *k, const Staff *sf,
                           const CareSettings *cs, int64_t now_ms, int64_t *ret_n)
{
    int64_t day, deadline, *ids;
    int minute;
    size_t n = 0;
    char today[11], since[11];
    Error *err;

    time_local(now_ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    time_format_date(today, day);
    deadline = time_day_start_ms(day, TIME_OFFSET_SHANGHAI) + (int64_t)cs->check_hour * HOUR_MS;
    if (now_ms < deadline)
        return NULL;

    err = care_store_checks_missing(st, a, sf->community, today, today, deadline, &ids, &n);
    for (size_t i = 0; !err && i < n; i++) {
        bool fresh = false;
        const char *name;

        err = care_store_alert(st, a, ids[i], "check", today, now_ms, &fresh);
        if (err || !fresh)
            continue;
        (*ret_n)++;
        name = person_name(st, a, ids[i], today);
        err = tell_helpers(st, a, sf, ids[i], "care.check_missed",
                           arena_sprintf(a, "%s今天 %d 点前还没有报平安", name, cs->check_hour),
                           "请打电话或上门看看，确认老人平安后在走访中记录。", now_ms);
        if (!err)
            err = care_store_regrade(st, a, k, cs, ids[i], now_ms, NULL);
    }
    if (err || now_ms < deadline + (int64_t)cs->staff_after_hours * HOUR_MS)
        return err;

    for (size_t i = 0; !err && i < n; i++) {
        bool fresh = false;

        err = care_store_alert(st, a, ids[i], "check_staff", today, now_ms, &fresh);
        if (err || !fresh)
            continue;
        (*ret_n)++;
        err = tell_staff(st, a, sf, false, ids[i], "care.check_missed",
                         arena_sprintf(a, "%s今天仍未报平安（已过 %d 点 %d 小时）",
                                       person_name(st, a, ids[i], today), cs->check_hour,
                                       cs->staff_after_hours),
                         "结对帮扶人已收到提醒，但还没有人确认老人平安。", now_ms);
    }
    if (err)
        return err;

    /* missing on check_escalate_days days running (today's deadline passed) */
    time_format_date(since, day - (cs->check_escalate_days - 1));
    err = care_store_checks_missing(st, a, sf->community, today, since,
                                    deadline - (int64_t)(cs->check_escalate_days - 1) * TIME_DAY_MS,
                                    &ids, &n);
    for (size_t i = 0; !err && i < n; i++) {
        bool fresh = false;

        err = care_store_alert(st, a, ids[i], "check_secretary", today, now_ms, &fresh);
        if (err || !fresh)
            continue;
        (*ret_n)++;
        err = tell_staff(st, a, sf, true, ids[i], "care.escalated",
                         arena_sprintf(a, "%s已连续 %d 天未报平安", person_name(st, a, ids[i], today),
                                       cs->check_escalate_days),
                         "请书记督办：安排上门确认老人情况。", now_ms);
    }
    return err;
}

static Error *sweep_visits(Store *st, Arena *a, const Staff *sf, const CareSettings *cs,
                           int64_t now_ms, int64_t *ret_n)
{
    int64_t *ids = NULL, *due = NULL;
    size_t n = 0;
    char today[11];
    Error *err;

    care_day(now_ms, today);
    err = care_store_visits_due(st, a, sf->community, today, now_ms, &ids, &due, &n);
    for (size_t i = 0; !err && i < n; i++) {
        int64_t late_days = (now_ms - due[i]) / TIME_DAY_MS;
        bool fresh = false;
        char due_day[11];
        const char *name = NULL;

        care_day(due[i], due_day);
        err = care_store_alert(st, a, ids[i], "visit", due_day, now_ms, &fresh);
        if (!err && fresh) {
            (*ret_n)++;
            name = person_name(st, a, ids[i], today);
            err = tell_helpers(st, a, sf, ids[i], "care.visit_overdue",
                               arena_sprintf(a, "%s的走访已到期（应于 %s 前走访）", name, due_day),
                               "请尽快上门或电话走访，并在走访记录中登记。", now_ms);
        }
        if (err || late_days < cs->visit_escalate_days)
            continue;
        err = care_store_alert(st, a, ids[i], "visit_secretary", due_day, now_ms, &fresh);
        if (err || !fresh)
            continue;
        (*ret_n)++;
        err = tell_staff(st, a, sf, true, ids[i], "care.escalated",
                         arena_sprintf(a, "%s的走访已超期 %lld 天",
                                       name ? name : person_name(st, a, ids[i], today),
                                       (long long)late_days),
                         "请书记督办：安排结对帮扶人或网格员尽快走访。", now_ms);
    }
    return err;
}

Error *care_sweep(Store *st, Arena *a, const CryptoKeys *k, int64_t now_ms, int64_t *ret_n)
{
    const char **communities = NULL;
    size_t n = 0;
    int64_t made = 0;
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    err = care_store_communities(st, a, &communities, &n);
    for (size_t i = 0; !err && i < n; i++) {
        CareSettings cs;
        Staff sf;

        err = care_store_settings(st, a, communities[i], &cs);
        if (!err)
            err = staff_load(st, a, communities[i], &sf);
        if (!err)
            err = sweep_checks(st, a, k, &sf, &cs, now_ms, &made);
        if (!err)
            err = sweep_visits(st, a, &sf, &cs, now_ms, &made);
    }
    if (!err)
        err = store_commit(st, a);
    if (err) {
        store_rollback(st);
        return err;
    }
    if (ret_n)
        *ret_n = made;
    return NULL;
}

Error *care_sweep_hook(Store *st, Arena *a, int64_t now_ms, void *ctx)
{
    const CareSweepCtx *c = ctx;
    int64_t n = 0;
    Error *err = care_sweep(st, a, c->keys, now_ms, &n);

    if (!err && n > 0)
        log_info("care overdue sweep", "alerts", arena_sprintf(a, "%lld", (long long)n), NULL);
    if (!err)
        err = care_photo_purge(st, a, c->files_base, now_ms, "", NULL);
    return err;
}
