/*
 * The 完整社区 checklist (住房和城乡建设部《完整居住社区建设标准（试行）》,
 * 2020: 6 categories, 20 items; ../shared/standards/STANDARDS.md §3.1) of
 * one community: the items a walk can answer are computed from coverage
 * (the share of the community's placed buildings within the item's minute
 * band of an open facility of its categories: all of them 达标, some
 * 部分达标, none 未达标, no building placed 未知); the rest are entered
 * by the community's staff (GET/PUT /api/v1/geo/checklist?community=).
 * A note may be kept on every item.
 */
#include <math.h>
#include <string.h>

#include "audit/audit.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "lifecircle/lifecircle_routes.h"
#include "core/banned.h"

#define ITEMS 20
#define CATS_MAX 3

typedef struct ChecklistItem {
    const char *group; /* 一、基本公共服务设施完善 … */
    const char *name;
    int minutes;        /* computed items: the band; 0 when staff enter it */
    int cats[CATS_MAX]; /* every one must be within reach; -1 ends */
} ChecklistItem;

#define NONE                                                                                       \
    {                                                                                              \
        -1, -1, -1                                                                                 \
    }

static const ChecklistItem items[ITEMS] = {
    { "基本公共服务设施完善", "一个社区综合服务站", 15, { GEO_COMMUNITY_SERVICE, -1, -1 } },
    { "基本公共服务设施完善", "一个幼儿园", 10, { GEO_KINDERGARTEN, -1, -1 } },
    { "基本公共服务设施完善", "一个托儿所", 10, { GEO_NURSERY, -1, -1 } },
    { "基本公共服务设施完善", "一个老年服务站", 10, { GEO_ELDERLY_CARE, -1, -1 } },
    { "基本公共服务设施完善", "一个社区卫生服务站", 15, { GEO_CLINIC, -1, -1 } },
    { "便民商业服务设施健全", "一个综合超市", 15, { GEO_SUPERMARKET, -1, -1 } },
    { "便民商业服务设施健全", "多个邮件和快件寄递服务设施", 15, { GEO_POST, -1, -1 } },
    { "便民商业服务设施健全",
      "其他便民商业网点（理发店、药店、维修点、餐饮店等）",
      10,
      { GEO_PHARMACY, GEO_FOOD, GEO_CONVENIENCE } },
    { "市政配套基础设施完备", "水、电、路、气、热、信等设施", 0, NONE },
    { "市政配套基础设施完备", "停车及充电设施", 0, NONE },
    { "市政配套基础设施完备", "慢行系统", 0, NONE },
    { "市政配套基础设施完备", "无障碍设施", 0, NONE },
    { "市政配套基础设施完备", "环境卫生设施", 0, NONE },
    { "公共活动空间充足", "公共活动场地", 0, NONE },
    { "公共活动空间充足", "公共绿地", 10, { GEO_PARK, -1, -1 } },
    { "物业管理全覆盖", "物业服务", 0, NONE },
    { "物业管理全覆盖", "物业管理服务平台", 0, NONE },
    { "社区管理机制健全", "管理机制", 0, NONE },
    { "社区管理机制健全", "综合管理服务", 0, NONE },
    { "社区管理机制健全", "社区文化", 0, NONE },
};

static const char *const statuses[] = { "met", "partly", "unmet", "unknown", NULL };

static const char SQL_CHECKLIST[] =
    "SELECT item, status, note, updated_at FROM geo_checklist WHERE community = ?1";
static const char SQL_CHECKLIST_PUT[] =
    "INSERT INTO geo_checklist (community, item, status, note, updated_at, updated_by)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (community, item) DO UPDATE SET"
    " status = excluded.status, note = excluded.note, updated_at = excluded.updated_at,"
    " updated_by = excluded.updated_by";
static const char SQL_IS_COMMUNITY[] =
    "SELECT count(*) FROM division WHERE code = ?1 AND level = 5";

/* ?community= : a community in her scope. */
static Error *community_query(Request *req, const char **ret)
{
    const char *v = request_query(req, "community");
    const char *code = NULL;
    int64_t n = 0;
    Error *err;

    if (!v || !*v)
        return error_bad_request(req->arena, "community", "missing_query", "请指定社区 community");
    err = validate_division_code(req->arena, "community", v, &code);
    if (err) {
        err->status = 400;
        return err;
    }
    if (strlen(code) != 12)
        return error_bad_request(req->arena, "community", "invalid_query", "社区代码应为 12 位");
    err = auth_require_scope(req, code);
    if (!err)
        err = store_run_int64(
            req->store, req->arena,
            store_prepare_bind(req->store, req->arena, SQL_IS_COMMUNITY, "t", code), &n);
    if (!err && !n)
        err = error_not_found(req->arena, "community", "找不到该社区");
    *ret = code;
    return err;
}

static Error *respond_checklist(Request *req, Response *res, const char *community)
{
    const char *status[ITEMS] = { 0 }, *note[ITEMS] = { 0 };
    int64_t at[ITEMS] = { 0 };
    GeoModel *m = NULL;
    RegBuilding *bs = NULL;
    size_t nb = 0;
    int met = 0;
    json_t *out;
    StoreStmt *s;
    Error *err;

    s = store_prepare_bind(req->store, req->arena, SQL_CHECKLIST, "t", community);
    while (store_step(s) == STORE_ROW) {
        int64_t i = store_column_int64(s, 0) - 1;

        if (i < 0 || i >= ITEMS)
            continue;
        status[i] = store_column_text(s, req->arena, 1);
        note[i] = store_column_text(s, req->arena, 2);
        at[i] = store_column_int64(s, 3);
    }
    store_reset(s);
    err = geo_model_get(req->store, req->arena, &m);
    if (err)
        return err;
    err = geo_scope_buildings(req, m, community, arena_sprintf(req->arena, "%s~", community), &bs,
                              &nb);
    if (err) {
        geo_model_put(m);
        return err;
    }
    out = json_array();
    for (int i = 0; i < ITEMS; i++) {
        const ChecklistItem *it = &items[i];
        json_t *o = json_pack("{s:i, s:s, s:s, s:b}", "item", i + 1, "group", it->group, "name",
                              it->name, "computed", it->minutes > 0);
        const char *st = status[i] ? status[i] : "unknown";

        if (it->minutes > 0) {
            json_t *cats = json_array();
            double meters = m->set.meters[geo_band_of(it->minutes)];
            int64_t cov_b = 0, cov_r = 0, all_r = 0;

            for (int k = 0; k < CATS_MAX && it->cats[k] >= 0; k++)
                json_array_append_new(cats, json_string(geo_categories[it->cats[k]].key));
            for (size_t b = 0; b < nb; b++) {
                bool ok = true;

                for (int k = 0; k < CATS_MAX && it->cats[k] >= 0; k++)
                    ok = ok && geo_building_distance(m, &bs[b], it->cats[k]) <= meters;
                all_r += bs[b].residents;
                if (ok) {
                    cov_b++;
                    cov_r += bs[b].residents;
                }
            }
            st = !nb ? "unknown" : cov_b == (int64_t)nb ? "met" : cov_b ? "partly" : "unmet";
            json_object_set_new(o, "categories", cats);
            json_object_set_new(o, "minutes", json_integer(it->minutes));
            json_object_set_new(o, "meters", json_real(meters));
            json_object_set_new(o, "buildings", json_integer((json_int_t)nb));
            json_object_set_new(o, "buildings_covered", json_integer(cov_b));
            json_object_set_new(o, "building_share",
                                nb ? json_real((double)cov_b / (double)nb) : json_null());
            json_object_set_new(o, "resident_share",
                                all_r ? json_real((double)cov_r / (double)all_r) : json_null());
        }
        json_object_set_new(o, "status", json_string(st));
        json_object_set_new(o, "note", json_string(note[i] ? note[i] : ""));
        json_object_set_new(o, "updated_at", at[i] ? json_integer(at[i]) : json_null());
        if (!strcmp(st, "met"))
            met++;
        json_array_append_new(out, o);
    }
    geo_model_put(m);
    return response_json(res, 200,
                         json_pack("{s:s, s:i, s:i, s:o}", "community", community, "met", met,
                                   "total", ITEMS, "items", out));
}

static Error *handle_checklist_get(Request *req, Response *res)
{
    const char *community = NULL;
    Error *err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_GRID_WORKER | ROLE_STREET_ADMIN |
                                       ROLE_ADMIN);

    if (!err)
        err = community_query(req, &community);
    if (err)
        return err;
    return respond_checklist(req, res, community);
}

static Error *handle_checklist_put(Request *req, Response *res)
{
    static const char *const fields[] = { "items", NULL };
    static const char *const item_fields[] = { "item", "status", "note", NULL };
    const char *community = NULL;
    json_t *body = NULL, *list, *x;
    size_t k;
    int64_t item_no[ITEMS];
    const char *st[ITEMS], *nt[ITEMS];
    size_t n = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = community_query(req, &community);
    if (!err && !geo_may_manage(req->user, community))
        err = error_forbidden(req->arena, "只有本社区工作人员可以填写完整社区清单");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    list = json_object_get(body, "items");
    if (!json_is_array(list) || !json_array_size(list) || json_array_size(list) > ITEMS)
        return error_invalid(req->arena, "items", "invalid", "items 应为 1 到 20 项的数组");
    json_array_foreach(list, k, x)
    {
        const char *field = arena_sprintf(req->arena, "items[%zu]", k);
        const char *status = NULL, *note = NULL;
        int64_t no = 0;

        if (!json_is_object(x))
            return error_invalid(req->arena, field, "invalid",
                                 "每一项应为含 item、status、note 的对象");
        err = request_reject_unknown(req, x, item_fields);
        if (!err)
            err = request_field_int(req, x, "item", true, 1, ITEMS, &no, NULL);
        if (!err)
            err = request_field_string(req, x, "status", false, 1, 10, &status);
        if (!err)
            err = request_field_string(req, x, "note", false, 0, 500, &note);
        if (err)
            return err;
        if (status) {
            bool known = false;

            for (int i = 0; statuses[i]; i++)
                known = known || !strcmp(statuses[i], status);
            if (!known)
                return error_invalid(
                    req->arena, "status", "invalid",
                    "状态应为 met（达标）、partly（部分达标）、unmet（未达标）或 unknown（未知）");
            if (items[no - 1].minutes > 0)
                return error_invalid(req->arena, "status", "computed",
                                     "该项由步行覆盖自动计算，不能手工填写状态（可以填写备注）");
        }
        item_no[n] = no;
        st[n] = status;
        nt[n] = note;
        n++;
    }
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    for (size_t i = 0; !err && i < n; i++) {
        /* keep what is not given */
        StoreStmt *q = store_prepare_bind(req->store, req->arena,
                                          "SELECT status, note FROM geo_checklist"
                                          " WHERE community = ?1 AND item = ?2",
                                          "ti", community, item_no[i]);
        const char *old_st = "unknown", *old_nt = "";

        if (store_step(q) == STORE_ROW) {
            old_st = store_column_text(q, req->arena, 0);
            old_nt = store_column_text(q, req->arena, 1);
        }
        store_reset(q);
        err = store_run(req->store, req->arena, SQL_CHECKLIST_PUT, NULL, NULL, NULL, NULL, "tittii",
                        community, item_no[i], st[i] ? st[i] : old_st, nt[i] ? nt[i] : old_nt,
                        time_now_ms(), req->user->id);
    }
    if (!err)
        err = audit_record(req, "geo.checklist", "community", 0, community,
                           json_pack("{s:I}", "items", (json_int_t)n));
    err = geo_finish(req, err);
    if (err)
        return err;
    return respond_checklist(req, res, community);
}

void lifecircle_checklist_register(Router *r)
{
    router_add(r, "GET", "/api/v1/geo/checklist", handle_checklist_get, 0);
    router_add(r, "PUT", "/api/v1/geo/checklist", handle_checklist_put, 0);
}
