/*
 * Who is told what about a case, in the notice inbox (notice module), inside
 * the transaction of the change it tells of and dated with it:
 *
 *   - the reporter, of each step of her case (not those she took herself);
 *   - the users of a unit, when a case is dispatched to it, by a routing rule
 *     at the report or by staff: it is theirs to handle;
 *   - the street admins over its community, when the overdue sweep
 *     escalates it to the street, and the community's own secretaries and
 *     staff, whose case it still is to finish.
 *
 *   - the unit (or, with none at work on it, the community's staff), when
 *     the reporter adds information (补充) or urges (催办).
 *
 * Links are "/cases/{id}", a route of both the resident H5 and the console.
 *
 * Notices of internal steps (a dispatch, a hold, a check, a return, an
 * assignment, an escalation, an urge) do not pile up: a newer notice about
 * the same case to the same user folds her older unread ones of those kinds
 * (marks them read), so a case keeps one unread line of them at most. The
 * steps that tell a reporter where she stands (处置中, 处置完成, 结案, 重启)
 * stay unread until she reads them.
 */
#include <string.h>

#include "cases/cases.h"
#include "notice/notice.h"
#include "core/banned.h"

#define CASES_NOTIFY_MAX_USERS 200   /* recipients of one notice: a unit, a street's admins */

static const char SQL_CASE_BRIEF[] =
    "SELECT coalesce(d.name, c.community), k.name, coalesce(b.name, c.address, '地图选点'),"
    " substr(c.description, 1, 40), length(c.description) > 40"
    " FROM cases c JOIN case_category k ON k.id = c.category_id"
    " LEFT JOIN building b ON b.id = c.building_id LEFT JOIN division d ON d.code = c.community"
    " WHERE c.id = ?1";

static const char SQL_UNIT_USERS[] =
    "SELECT x.user_id FROM case_unit_user x JOIN app_user u ON u.id = x.user_id"
    " WHERE x.unit_id = ?1 AND u.disabled = 0 ORDER BY x.user_id LIMIT ?2";

/* A street admin's scope is a prefix of the communities she oversees. */
static const char SQL_STREET_ADMINS[] =
    "SELECT u.id FROM app_user u JOIN cases c ON c.id = ?1"
    " WHERE u.role = 'street_admin' AND u.disabled = 0"
    " AND substr(c.community, 1, length(u.scope)) = u.scope ORDER BY u.id LIMIT ?2";

/* A secretary's or staff member's scope is her community's code itself. */
static const char SQL_COMMUNITY_STAFF[] =
    "SELECT u.id FROM cases c JOIN app_user u ON u.role IN ('secretary', 'staff')"
    " AND u.scope = c.community AND u.disabled = 0 WHERE c.id = ?1 ORDER BY u.id LIMIT ?2";

static const char SQL_FOLD[] =
    "UPDATE notice SET read_at = ?3 WHERE user_id = ?1 AND link = ?2 AND read_at IS NULL"
    " AND kind IN ('case.dispatched', 'case.on_hold', 'case.resumed', 'case.verified',"
    " 'case.returned', 'case.assigned', 'case.escalated', 'case.urged', 'case.supplemented')";

/* The unit's users while it works on the case; otherwise the community's staff. */
static const char SQL_HANDLERS[] =
    "SELECT x.user_id FROM cases c JOIN case_unit_user x ON x.unit_id = c.unit_id"
    " JOIN app_user u ON u.id = x.user_id"
    " WHERE c.id = ?1 AND c.state IN ('dispatched', 'handling') AND u.disabled = 0"
    " UNION SELECT u.id FROM cases c JOIN app_user u ON u.role IN ('secretary', 'staff')"
    " AND u.scope = c.community AND u.disabled = 0"
    " WHERE c.id = ?1 AND (c.unit_id IS NULL OR c.state NOT IN ('dispatched', 'handling'))"
    " LIMIT ?2";

/* notice_add_at, folding the user's older unread notices of internal steps of the same case. */
static Error *add_folding(Store *st, Arena *a, int64_t user_id, const char *kind,
                          const char *title, const char *body, const char *link, int64_t at_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_FOLD);

    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, link);
    store_bind_int64(s, 3, at_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return notice_add_at(st, a, user_id, kind, title, body, link, at_ms);
}

typedef struct CaseBrief {
    const char *community_name;
    const char *text;                /* "楼道堆物 · 3号楼：楼道里堆满纸箱…" */
} CaseBrief;

static Error *case_brief(Store *st, Arena *a, int64_t id, CaseBrief *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_CASE_BRIEF);

    store_bind_int64(s, 1, id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    ret->community_name = store_column_text(s, a, 0);
    ret->text = arena_sprintf(a, "%s · %s：%s%s", store_column_text(s, a, 1),
                              store_column_text(s, a, 2), store_column_text(s, a, 3),
                              store_column_int64(s, 4) ? "…" : "");
    store_reset(s);
    return NULL;
}

/*
 * One notice about case @id to each user @sql yields (bound to @key, and
 * the limit): "[community · ]category · place：description", then @tail.
 */
static Error *notify_users(Store *st, Arena *a, int64_t id, const char *sql, int64_t key,
                           const char *kind, const char *title, bool with_community,
                           const char *tail, int64_t at_ms)
{
    StoreStmt *s;
    int64_t ids[CASES_NOTIFY_MAX_USERS];
    size_t n = 0;
    CaseBrief brief = { 0 };
    const char *body, *link = arena_sprintf(a, "/cases/%lld", (long long)id);
    StoreResult r;
    Error *err;

    err = case_brief(st, a, id, &brief);
    if (err)
        return err;
    body = with_community ? arena_sprintf(a, "%s · %s。%s", brief.community_name, brief.text, tail)
                          : arena_sprintf(a, "%s。%s", brief.text, tail);
    s = store_prepare(st, a, sql);
    store_bind_int64(s, 1, key);
    store_bind_int64(s, 2, CASES_NOTIFY_MAX_USERS);
    while ((r = store_step(s)) == STORE_ROW && n < CASES_NOTIFY_MAX_USERS)
        ids[n++] = store_column_int64(s, 0);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    /* the select is done before the first insert: one statement at a time */
    for (size_t i = 0; i < n; i++) {
        err = add_folding(st, a, ids[i], kind, title, body, link, at_ms);
        if (err)
            return err;
    }
    return NULL;
}

Error *cases_notify_reporter(Store *st, Arena *a, int64_t id, int64_t reporter_id,
                             const CaseStepInput *in, CaseState to, const char *reason,
                             int64_t at_ms)
{
    static const struct {
        const char *kind, *title, *body;
    } steps[_CASE_ACTION_MAX] = {
        [CASE_DISPATCH] = { "case.dispatched", "报事已派遣", "已派给责任单位办理" },
        [CASE_HANDLE] = { "case.handling", "报事处置中", "责任单位已开始处置" },
        [CASE_VERIFY] = { "case.verified", "报事已核查", "网格员已现场核查处置结果" },
        [CASE_CLOSE] = { "case.closed", "报事已结案", "办理完毕，欢迎对结果进行评价" },
        [CASE_RETURN] = { "case.returned", "报事被退单", "责任单位退回，社区将重新派遣" },
        [CASE_HOLD] = { "case.on_hold", "报事已挂起", "暂缓办理，恢复后继续计时" },
        [CASE_RESUME] = { "case.resumed", "报事已恢复办理", "挂起结束，继续办理" },
        [CASE_MERGE] = { "case.merged", "报事已并单", "与同类报事合并办理" },
        [CASE_RATE] = { "case.reopened", "报事已重启", "评价不满意，已转社区书记重新办理" },
        [CASE_COMPLETE] = { "case.completed", "报事处置完成", "责任单位已处置完成，请查看回复" },
    };
    CaseAction act = in->t->action;
    const char *body;

    if (act == CASE_RATE ? to != CASE_REOPENED : in->actor_id == reporter_id)
        return NULL;
    if (act == CASE_RETURN)
        return NULL;  /* internal: the community sends it on; she sees no return */
    body = steps[act].body;
    if (act == CASE_MERGE)
        body = arena_sprintf(a, "已并入案件 %lld 合并办理", (long long)in->merged_into);
    else if (reason && *reason && act != CASE_RATE)
        body = arena_sprintf(a, "%s。%s", body, reason);
    return add_folding(st, a, reporter_id, steps[act].kind,
                         arena_sprintf(a, "%s（案件 %lld）", steps[act].title, (long long)id), body,
                         arena_sprintf(a, "/cases/%lld", (long long)id), at_ms);
}

Error *cases_notify_unit(Store *st, Arena *a, int64_t id, int64_t unit_id, const char *how,
                         int64_t at_ms)
{
    return notify_users(st, a, id, SQL_UNIT_USERS, unit_id, "case.assigned",
                        arena_sprintf(a, "新派单，请及时处置（案件 %lld）", (long long)id), false,
                        how, at_ms);
}

Error *cases_notify_escalated(Store *st, Arena *a, int64_t id, int64_t at_ms)
{
    const char *title = arena_sprintf(a, "案件超期上报街道（案件 %lld）", (long long)id);
    Error *err;

    err = notify_users(st, a, id, SQL_STREET_ADMINS, id, "case.escalated", title, true,
                       "已超过办结时限，请督办", at_ms);
    if (!err)
        err = notify_users(st, a, id, SQL_COMMUNITY_STAFF, id, "case.escalated", title, false,
                           "已超过办结时限并上报街道督办，请尽快办结", at_ms);
    return err;
}

Error *cases_notify_handlers(Store *st, Arena *a, int64_t id, const char *kind, const char *title,
                             const char *tail, int64_t at_ms)
{
    return notify_users(st, a, id, SQL_HANDLERS, id, kind,
                        arena_sprintf(a, "%s（案件 %lld）", title, (long long)id), false, tail,
                        at_ms);
}
