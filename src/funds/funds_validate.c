/*
 * Funds request bodies -> input (funds_routes.h): amounts in fen, dates,
 * budget tables whose totals must add up, a budget's lines. Every error
 * names its field ("items[2].unit_fen").
 */
#include <string.h>

#include "core/validate.h"
#include "funds/funds_routes.h"
#include "core/banned.h"

Error *funds_field_prefix(Request *req, Error *err, const char *prefix)
{
    if (err && err->field)
        err->field = arena_sprintf(req->arena, "%s.%s", prefix, err->field);
    return err;
}

Error *funds_money_field(Request *req, json_t *obj, const char *name, bool required,
                          bool positive, int64_t *ret, bool *ret_present)
{
    json_t *v = json_object_get(obj, name);

    if (ret_present)
        *ret_present = false;
    if (!v || json_is_null(v)) {
        if (required)
            return error_invalid(req->arena, name, "missing_field",
                                 arena_sprintf(req->arena, "请填写金额（%s）", name));
        return NULL;
    }
    if (ret_present)
        *ret_present = true;
    return funds_money_from_json(req->arena, name, v, positive, ret);
}

Error *funds_date_field(Request *req, json_t *obj, const char *name, bool required,
                         const char **ret)
{
    const char *s = NULL;
    Error *err = request_field_string(req, obj, name, required, 10, 10, &s);

    *ret = NULL;
    if (!err && s)
        err = validate_date(req->arena, name, s, ret);
    return err;
}

/* One item of the budget table: quantity × unit price = amount, exactly. */
static Error *parse_item(Request *req, json_t *o, bool with_id, FundsItemInput *it)
{
    static const char *const fields[] = { "id", "name", "unit", "quantity", "unit_fen",
                                          "amount_fen", NULL };
    bool present = false;
    int64_t amount = 0;
    Error *err;

    memset(it, 0, sizeof(*it));
    if (!json_is_object(o))
        return error_invalid(req->arena, NULL, "invalid_item", "预算明细的每一项应为对象");
    err = request_reject_unknown(req, o, fields);
    if (!err && with_id)
        err = request_field_int(req, o, "id", false, 1, INT64_MAX, &it->id, NULL);
    if (!err && !with_id && json_object_get(o, "id"))
        err = error_invalid(req->arena, "id", "unknown_field", "新申请的预算明细不能带 id");
    if (!err)
        err = request_field_string(req, o, "name", true, 1, 60, &it->name);
    if (!err)
        err = request_field_string(req, o, "unit", false, 0, 10, &it->unit);
    if (!err)
        err = request_field_int(req, o, "quantity", true, 1, FUNDS_MAX_QUANTITY, &it->quantity,
                                NULL);
    if (!err)
        err = funds_money_field(req, o, "unit_fen", true, false, &it->unit_fen, NULL);
    if (!err)
        err = funds_money_field(req, o, "amount_fen", false, false, &amount, &present);
    if (err)
        return err;
    if (!it->unit)
        it->unit = "";
    if (!funds_money_mul(it->quantity, it->unit_fen, &it->amount_fen))
        return error_invalid(req->arena, "unit_fen", "amount_too_large", "数量乘单价超出上限");
    if (present && amount != it->amount_fen)
        return error_invalid(req->arena, "amount_fen", "amount_mismatch",
                             arena_sprintf(req->arena, "金额应等于数量乘单价（%lld × %lld = %lld 分）",
                                           (long long)it->quantity, (long long)it->unit_fen,
                                           (long long)it->amount_fen));
    return NULL;
}

/* "items" and "total_fen" (optional, checked against the items' sum). */
Error *funds_parse_items(Request *req, json_t *body, bool required, bool with_id,
                          FundsAppInput *in)
{
    json_t *items = json_object_get(body, "items"), *v;
    bool present = false;
    int64_t total = 0, sum = 0;
    size_t i;
    Error *err;

    in->n_items = 0;
    if (!items || json_is_null(items)) {
        if (required)
            return error_invalid(req->arena, "items", "missing_field", "请填写预算明细");
    } else if (!json_is_array(items)) {
        return error_invalid(req->arena, "items", "invalid_type", "预算明细应为数组");
    } else if (json_array_size(items) > FUNDS_MAX_ITEMS) {
        return error_invalid(req->arena, "items", "too_many_items",
                             "预算明细最多 100 项，请合并同类支出");
    } else if (required && json_array_size(items) == 0) {
        return error_invalid(req->arena, "items", "missing_field", "请至少填写一项预算明细");
    }
    json_array_foreach (items, i, v) {
        FundsItemInput *it = &in->items[in->n_items];

        err = parse_item(req, v, with_id, it);
        if (err)
            return funds_field_prefix(req, err, arena_sprintf(req->arena, "items[%zu]", i));
        for (int j = 0; with_id && it->id && j < in->n_items; j++)
            if (in->items[j].id == it->id)
                return error_invalid(req->arena, arena_sprintf(req->arena, "items[%zu].id", i),
                                     "duplicate_item", "同一项预算明细出现了两次");
        if (!funds_money_add(sum, it->amount_fen, &sum))
            return error_invalid(req->arena, "items", "amount_too_large", "预算合计超出上限");
        in->n_items++;
    }
    err = funds_money_field(req, body, "total_fen", false, false, &total, &present);
    if (err)
        return err;
    if (sum > FUNDS_MAX_FEN)
        return error_invalid(req->arena, "items", "amount_too_large", "预算合计超出上限");
    if (present && total != sum)
        return error_invalid(req->arena, "total_fen", "total_mismatch",
                             arena_sprintf(req->arena, "合计金额与明细之和不符：明细合计 %lld 分",
                                           (long long)sum));
    in->total_fen = sum;
    return NULL;
}

Error *funds_parse_lines(Request *req, json_t *body, FundsLineInput *lines, int *ret_n)
{
    json_t *arr = json_object_get(body, "lines"), *v;
    static const char *const fields[] = { "name", "budget_fen", NULL };
    size_t i;
    Error *err;

    *ret_n = 0;
    if (!arr || json_is_null(arr))
        return NULL;
    if (!json_is_array(arr) || json_array_size(arr) > FUNDS_MAX_LINES)
        return error_invalid(req->arena, "lines", "invalid_lines", "预算科目应为不超过 30 项的数组");
    json_array_foreach (arr, i, v) {
        const char *prefix = arena_sprintf(req->arena, "lines[%zu]", i);

        if (!json_is_object(v))
            return error_invalid(req->arena, prefix, "invalid_type", "每个预算科目应为对象");
        err = request_reject_unknown(req, v, fields);
        if (!err)
            err = request_field_string(req, v, "name", true, 1, 20, &lines[i].name);
        if (!err)
            err = funds_money_field(req, v, "budget_fen", true, false, &lines[i].budget_fen, NULL);
        if (err)
            return funds_field_prefix(req, err, prefix);
        for (size_t j = 0; j < i; j++)
            if (strcmp(lines[j].name, lines[i].name) == 0)
                return error_invalid(req->arena, arena_sprintf(req->arena, "%s.name", prefix),
                                     "line_exists", "预算科目名称重复");
    }
    *ret_n = (int)i;
    return NULL;
}

Error *funds_year_query(Request *req, bool required, int64_t *ret)
{
    if (required && !request_query(req, "year"))
        return error_bad_request(req->arena, "year", "missing_query", "请指定年度（year）");
    return request_query_int(req, "year", 0, 2000, 2100, ret);
}
