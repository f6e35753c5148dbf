/*
 * The count of an owners' decision under 民法典 第二百七十八条: reading
 * units and ballots, counting owners and area exactly, and the result with
 * each condition as a fraction. The same code serves `linli votes tally`
 * and the votes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "votes/votes.h"
#include "core/banned.h"

static Error *field_error(Arena *a, const char *field, const char *code, const char *message)
{
    return error_invalid(a, field, code, message);
}

static Error *reject_unknown(Arena *a, json_t *obj, const char *prefix, const char *const *allowed)
{
    const char *key;
    json_t *value;

    json_object_foreach(obj, key, value) {
        bool known = false;

        (void)value;
        for (const char *const *k = allowed; *k; k++)
            known = known || strcmp(*k, key) == 0;
        if (!known)
            return field_error(a, arena_sprintf(a, "%s%s", prefix, key), "unknown_field",
                               arena_sprintf(a, "不认识的字段“%s”，请检查字段名", key));
    }
    return NULL;
}

/* "123", "123.4", "123.45": hundredths; false for anything else. */
static bool area_from_text(const char *s, int64_t *ret)
{
    int64_t whole = 0;
    int frac = 0, places = 0;
    const char *p = s;

    if (!*p)
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        whole = whole * 10 + (*p - '0');
        if (whole > VOTES_AREA_MAX_M2)
            return false;
    }
    if (p == s)
        return false;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (++places > 2)
                return false;
            frac = frac * 10 + (*p - '0');
        }
        if (places == 0)
            return false;
    }
    if (*p)
        return false;
    if (places == 1)
        frac *= 10;
    *ret = whole * 100 + frac;
    return true;
}

/*
 * A JSON number with at most two decimal places, as hundredths. The parser
 * gives a double; the decimal it was written as is the nearest hundredth,
 * found exactly for every area below VOTES_AREA_MAX_M2.
 */
static bool area_from_number(json_t *v, int64_t *ret)
{
    double x, h;

    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0 || json_integer_value(v) > VOTES_AREA_MAX_M2)
            return false;
        *ret = json_integer_value(v) * 100;
        return true;
    }
    x = json_real_value(v);
    if (!(x >= 0) || x > VOTES_AREA_MAX_M2)
        return false;
    h = x * 100;
    if (fabs(h - nearbyint(h)) > 1e-6)
        return false;
    *ret = (int64_t)nearbyint(h);
    return true;
}

static Error *parse_units(Arena *a, json_t *list, VotesInput *in)
{
    static const char *const allowed[] = { "id", "area_m2", "owner", "unsold", NULL };
    size_t i;
    json_t *u;
    Error *err;

    if (!json_is_array(list))
        return field_error(a, "units", "invalid_type", "专有部分（units）应为列表");
    if (json_array_size(list) > VOTES_UNITS_MAX)
        return field_error(a, "units", "too_many",
                           arena_sprintf(a, "一次表决最多 %d 个专有部分", VOTES_UNITS_MAX));
    in->n_units = json_array_size(list);
    in->units = arena_zalloc(a, (in->n_units + 1) * sizeof(*in->units));
    json_array_foreach(list, i, u) {
        const char *prefix = arena_sprintf(a, "units[%zu].", i);
        VotesUnit *unit = &in->units[i];
        json_t *id, *area, *owner, *unsold;
        bool ok;

        if (!json_is_object(u))
            return field_error(a, arena_sprintf(a, "units[%zu]", i), "invalid_type",
                               "每个专有部分应为对象：{\"id\", \"area_m2\", \"owner\"}");
        err = reject_unknown(a, u, prefix, allowed);
        if (err)
            return err;
        id = json_object_get(u, "id");
        if (json_is_string(id) && json_string_length(id) > 0 && json_string_length(id) <= 64)
            unit->id = json_string_value(id);
        else if (json_is_integer(id))
            unit->id = arena_sprintf(a, "%lld", (long long)json_integer_value(id));
        else
            return field_error(a, arena_sprintf(a, "%sid", prefix), id ? "invalid_type" : "missing_field",
                               "专有部分的编号（id）应为 1–64 个字符的文字或整数");

        area = json_object_get(u, "area_m2");
        ok = json_is_string(area) ? area_from_text(json_string_value(area), &unit->area_cm2)
                                  : json_is_number(area) && area_from_number(area, &unit->area_cm2);
        if (!ok)
            return field_error(a, arena_sprintf(a, "%sarea_m2", prefix), area ? "invalid_area" : "missing_field",
                               arena_sprintf(a, "专有部分“%s”的面积（area_m2）应为 0–%d 平方米、最多两位小数的数，如 89.50",
                                             unit->id, VOTES_AREA_MAX_M2));

        unsold = json_object_get(u, "unsold");
        if (unsold && !json_is_boolean(unsold))
            return field_error(a, arena_sprintf(a, "%sunsold", prefix), "invalid_type",
                               "是否未售（unsold）应为 true 或 false");
        unit->unsold = unsold && json_is_true(unsold);

        owner = json_object_get(u, "owner");
        if (json_is_string(owner) && json_string_length(owner) > 0 && json_string_length(owner) <= 128)
            unit->owner = json_string_value(owner);
        else if (json_is_integer(owner))
            unit->owner = arena_sprintf(a, "%lld", (long long)json_integer_value(owner));
        else if (!unit->unsold || (owner && !json_is_null(owner)))
            return field_error(a, arena_sprintf(a, "%sowner", prefix), owner ? "invalid_type" : "missing_field",
                               arena_sprintf(a, "专有部分“%s”缺少业主（owner）：已售的专有部分须写明业主", unit->id));
        if (unit->unsold)
            unit->owner = NULL; /* the developer, one owner for all its unsold units */
    }
    return NULL;
}

static int cmp_unit_id(const void *x, const void *y)
{
    const VotesUnit *const *a = x, *const *b = y;

    return strcmp((*a)->id, (*b)->id);
}

/* The index of unit @id in @by_id (sorted), or -1. */
static long find_unit(VotesUnit **by_id, size_t n, const char *id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(by_id[mid]->id, id);

        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static Error *parse_ballots(Arena *a, json_t *list, VotesInput *in)
{
    static const char *const allowed[] = { "unit", "choice", NULL };
    size_t i;
    json_t *b;
    Error *err;

    if (!json_is_array(list))
        return field_error(a, "ballots", "invalid_type", "选票（ballots）应为列表");
    if (json_array_size(list) > VOTES_UNITS_MAX)
        return field_error(a, "ballots", "too_many", "选票多于专有部分的上限");
    in->n_ballots = json_array_size(list);
    in->ballots = arena_zalloc(a, (in->n_ballots + 1) * sizeof(*in->ballots));
    json_array_foreach(list, i, b) {
        const char *prefix = arena_sprintf(a, "ballots[%zu].", i);
        VotesBallot *ballot = &in->ballots[i];
        json_t *unit, *choice;
        const char *c;

        if (!json_is_object(b))
            return field_error(a, arena_sprintf(a, "ballots[%zu]", i), "invalid_type",
                               "每张选票应为对象：{\"unit\", \"choice\"}");
        err = reject_unknown(a, b, prefix, allowed);
        if (err)
            return err;
        unit = json_object_get(b, "unit");
        if (json_is_string(unit))
            ballot->unit = json_string_value(unit);
        else if (json_is_integer(unit))
            ballot->unit = arena_sprintf(a, "%lld", (long long)json_integer_value(unit));
        else
            return field_error(a, arena_sprintf(a, "%sunit", prefix), unit ? "invalid_type" : "missing_field",
                               "选票须写明专有部分的编号（unit）");
        choice = json_object_get(b, "choice");
        c = json_is_string(choice) ? json_string_value(choice) : "";
        if (strcmp(c, "yes") == 0)
            ballot->choice = VOTES_YES;
        else if (strcmp(c, "no") == 0)
            ballot->choice = VOTES_NO;
        else if (strcmp(c, "abstain") == 0)
            ballot->choice = VOTES_ABSTAIN;
        else
            return field_error(a, arena_sprintf(a, "%schoice", prefix), choice ? "invalid_choice" : "missing_field",
                               "表决意见（choice）应为 yes（同意）、no（反对）或 abstain（弃权）");
    }
    return NULL;
}

/* Units by id: a unit listed twice, a ballot for no unit, two ballots for one unit. */
static Error *check_ballots(Arena *a, const VotesInput *in, VotesUnit **by_id, size_t *ret_ballot_of)
{
    for (size_t i = 1; i < in->n_units; i++) {
        if (strcmp(by_id[i - 1]->id, by_id[i]->id) == 0)
            return field_error(a, arena_sprintf(a, "units[%zu].id", (size_t)(by_id[i] - in->units)),
                               "duplicate_unit",
                               arena_sprintf(a, "专有部分“%s”列了两次", by_id[i]->id));
    }
    for (size_t i = 0; i < in->n_units; i++)
        ret_ballot_of[i] = SIZE_MAX;
    for (size_t j = 0; j < in->n_ballots; j++) {
        long k = find_unit(by_id, in->n_units, in->ballots[j].unit);
        size_t u;

        if (k < 0)
            return field_error(a, arena_sprintf(a, "ballots[%zu].unit", j), "unknown_unit",
                               arena_sprintf(a, "没有专有部分“%s”：选票只能投给本次表决范围内的专有部分",
                                             in->ballots[j].unit));
        u = (size_t)(by_id[k] - in->units);
        if (ret_ballot_of[u] != SIZE_MAX)
            return field_error(a, arena_sprintf(a, "ballots[%zu].unit", j), "double_vote",
                               arena_sprintf(a, "专有部分“%s”已投过票，不能重复投票", in->ballots[j].unit));
        ret_ballot_of[u] = j;
    }
    return NULL;
}

/* Owners: units sorted by owner (the developer's unsold units first, as one). */
static const VotesInput *sort_input;

static int cmp_unit_owner(const void *x, const void *y)
{
    const VotesUnit *a = &sort_input->units[*(const size_t *)x];
    const VotesUnit *b = &sort_input->units[*(const size_t *)y];

    if (!a->owner || !b->owner)
        return (a->owner != NULL) - (b->owner != NULL);
    return strcmp(a->owner, b->owner);
}

static bool same_owner(const VotesUnit *a, const VotesUnit *b)
{
    if (!a->owner || !b->owner)
        return !a->owner && !b->owner;
    return strcmp(a->owner, b->owner) == 0;
}

/*
 * Each owner's one choice: her units' ballots must agree. Fills the tally's
 * counts; an Error names the ballot that disagrees.
 */
static Error *count_owners(Arena *a, const VotesInput *in, const size_t *ballot_of, VotesTally *t)
{
    size_t *order = arena_alloc(a, (in->n_units + 1) * sizeof(*order));
    size_t i = 0;

    for (size_t k = 0; k < in->n_units; k++)
        order[k] = k;
    sort_input = in;
    qsort(order, in->n_units, sizeof(*order), cmp_unit_owner);
    sort_input = NULL;

    while (i < in->n_units) {
        const VotesUnit *first = &in->units[order[i]];
        VotesChoice choice = VOTES_NONE;
        size_t chosen_by = SIZE_MAX;
        int64_t area = 0;

        for (; i < in->n_units && same_owner(first, &in->units[order[i]]); i++) {
            size_t u = order[i];
            size_t b = ballot_of[u];

            area += in->units[u].area_cm2;
            if (b == SIZE_MAX)
                continue;
            if (choice != VOTES_NONE && in->ballots[b].choice != choice)
                return field_error(a, arena_sprintf(a, "ballots[%zu].choice", b > chosen_by ? b : chosen_by),
                                   "conflicting_ballots",
                                   arena_sprintf(a, "同一业主（%s）的专有部分意见不一致：一名业主只有一个表决意见",
                                                 first->owner ? first->owner : "建设单位未售部分"));
            choice = in->ballots[b].choice;
            if (chosen_by == SIZE_MAX || b < chosen_by)
                chosen_by = b;
        }
        t->owners_total++;
        t->area_total += area;
        if (choice != VOTES_NONE) {
            t->owners_participating++;
            t->area_participating += area;
        }
        if (choice == VOTES_YES) {
            t->owners_yes++;
            t->area_yes += area;
        }
        t->owners_no += choice == VOTES_NO;
        t->owners_abstain += choice == VOTES_ABSTAIN;
    }
    return NULL;
}

Error *votes_tally_parse(Arena *a, json_t *doc, VotesInput *ret)
{
    static const char *const allowed[] = { "matter", "units", "ballots", NULL };
    VotesInput in;
    const char *matter;
    Error *err;

    if (!json_is_object(doc))
        return error_bad_request(a, NULL, "invalid_type", "应为一个 JSON 对象：{\"matter\", \"units\", \"ballots\"}");
    err = reject_unknown(a, doc, "", allowed);
    if (err)
        return err;
    memset(&in, 0, sizeof(in));
    matter = json_string_value(json_object_get(doc, "matter"));
    if (!matter)
        return field_error(a, "matter", "missing_field",
                           "缺少事项类别（matter）：special（特别事项）或 ordinary（一般事项）");
    if (strcmp(matter, "special") == 0)
        in.matter = VOTES_SPECIAL;
    else if (strcmp(matter, "ordinary") == 0)
        in.matter = VOTES_ORDINARY;
    else
        return field_error(a, "matter", "invalid_matter",
                           "事项类别（matter）应为 special（筹集维修资金、改建重建、改变共有部分用途）或 ordinary（其他事项）");
    if (!json_object_get(doc, "units"))
        return field_error(a, "units", "missing_field", "缺少专有部分列表（units）");
    err = parse_units(a, json_object_get(doc, "units"), &in);
    if (err)
        return err;
    if (json_object_get(doc, "ballots")) {
        err = parse_ballots(a, json_object_get(doc, "ballots"), &in);
        if (err)
            return err;
    }

    *ret = in;
    return NULL;
}

/* n/d against t_n/t_d: at least, or more than when @strict; never with d = 0. */
static bool fraction_holds(int64_t n, int64_t d, int t_n, int t_d, bool strict)
{
    __int128 lhs = (__int128)n * t_d, rhs = (__int128)d * t_n;

    if (d <= 0)
        return false;
    return strict ? lhs > rhs : lhs >= rhs;
}

static void condition(VotesCondition *c, const char *name, const char *label, int64_t n, int64_t d,
                      bool area, int t_n, int t_d, bool strict)
{
    c->name = name;
    c->label = label;
    c->n = n;
    c->d = d;
    c->area = area;
    c->t_n = t_n;
    c->t_d = t_d;
    c->strict = strict;
    c->holds = fraction_holds(n, d, t_n, t_d, strict);
}

Error *votes_tally(Arena *a, const VotesInput *in, VotesTally *ret)
{
    VotesUnit **by_id = arena_alloc(a, (in->n_units + 1) * sizeof(*by_id));
    size_t *ballot_of = arena_alloc(a, (in->n_units + 1) * sizeof(*ballot_of));
    bool special = in->matter == VOTES_SPECIAL;
    VotesTally t;
    Error *err;

    memset(&t, 0, sizeof(t));
    for (size_t i = 0; i < in->n_units; i++)
        by_id[i] = &in->units[i];
    qsort(by_id, in->n_units, sizeof(*by_id), cmp_unit_id);
    err = check_ballots(a, in, by_id, ballot_of);
    if (err)
        return err;
    err = count_owners(a, in, ballot_of, &t);
    if (err)
        return err;

    {
        const VotesRule *r = &in->rule;
        int q_n = r->quorum_d ? r->quorum_n : 2, q_d = r->quorum_d ? r->quorum_d : 3;
        int a_n = r->approval_d ? r->approval_n : special ? 3 : 1;
        int a_d = r->approval_d ? r->approval_d : special ? 4 : 2;
        bool strict = r->approval_d ? r->approval_strict : !special;

        condition(&t.conditions[0], "quorum_area", "参与表决的专有部分面积", t.area_participating,
                  t.area_total, true, q_n, q_d, false);
        condition(&t.conditions[1], "quorum_owners", "参与表决的业主人数", t.owners_participating,
                  t.owners_total, false, q_n, q_d, false);
        condition(&t.conditions[2], "approval_area", "同意的专有部分面积（占参与表决面积）",
                  t.area_yes, t.area_participating, true, a_n, a_d, strict);
        condition(&t.conditions[3], "approval_owners", "同意的业主人数（占参与表决人数）",
                  t.owners_yes, t.owners_participating, false, a_n, a_d, strict);
    }
    t.n_conditions = 4;
    t.by_area = true;
    t.quorum = t.conditions[0].holds && t.conditions[1].holds;
    t.approved = t.quorum && t.conditions[2].holds && t.conditions[3].holds;
    *ret = t;
    return NULL;
}

void votes_poll_tally(int64_t total, int64_t yes, int64_t no, int64_t abstain,
                      const VotesRule *rule, VotesTally *ret)
{
    VotesTally t;
    int a_n = rule->approval_d ? rule->approval_n : 1, a_d = rule->approval_d ? rule->approval_d : 2;
    bool strict = rule->approval_d ? rule->approval_strict : true;

    memset(&t, 0, sizeof(t));
    t.owners_total = total;
    t.owners_participating = yes + no + abstain;
    t.owners_yes = yes;
    t.owners_no = no;
    t.owners_abstain = abstain;
    t.quorum = true;
    if (rule->quorum_d) {
        condition(&t.conditions[t.n_conditions++], "quorum", "参与人数", t.owners_participating,
                  total, false, rule->quorum_n, rule->quorum_d, false);
        t.quorum = t.conditions[0].holds;
    }
    condition(&t.conditions[t.n_conditions++], "approval", "同意人数（占参与人数）", yes,
              t.owners_participating, false, a_n, a_d, strict);
    t.approved = t.quorum && t.conditions[t.n_conditions - 1].holds;
    *ret = t;
}

void votes_tally_require(VotesTally *t, const char *name, const char *label, int64_t n, int64_t d,
                         int t_n, int t_d)
{
    VotesCondition *c;

    if (t->n_conditions >= VOTES_CONDITIONS_MAX)
        return;
    c = &t->conditions[t->n_conditions++];
    condition(c, name, label, n, d, false, t_n, t_d, false);
    /* nobody to consent: nothing to hold back */
    if (d == 0)
        c->holds = true;
    t->approved = t->approved && c->holds;
}

const char *votes_area_text(Arena *a, int64_t cm2)
{
    return arena_sprintf(a, "%lld.%02lld", (long long)(cm2 / 100), (long long)(cm2 % 100));
}

/* "71.35%" to two places, rounded half up, exactly. */
const char *votes_percent_text(Arena *a, int64_t n, int64_t d)
{
    __int128 bp;

    if (d <= 0)
        return "—";
    bp = ((__int128)n * 20000 + d) / (2 * d); /* hundredths of a percent */
    return arena_sprintf(a, "%lld.%02lld%%", (long long)(bp / 100), (long long)(bp % 100));
}

json_t *votes_tally_json(Arena *a, const VotesTally *t)
{
    json_t *conds = json_array();

    json_t *o;

    for (int i = 0; i < t->n_conditions; i++) {
        const VotesCondition *c = &t->conditions[i];
        const char *value = c->area ? arena_sprintf(a, "%s/%s", votes_area_text(a, c->n), votes_area_text(a, c->d))
                                    : arena_sprintf(a, "%lld/%lld", (long long)c->n, (long long)c->d);
        const char *text = arena_sprintf(a, "%s %s %s %s %d/%d %s", c->label, value, votes_percent_text(a, c->n, c->d),
                                         c->holds ? (c->strict ? ">" : "≥") : (c->strict ? "≤" : "<"),
                                         c->t_n, c->t_d, c->holds ? "✓" : "✗");

        json_array_append_new(conds, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "name", c->name,
                                               "value", value, "threshold",
                                               arena_sprintf(a, "%d/%d", c->t_n, c->t_d), "op",
                                               c->strict ? ">" : ">=", "holds", c->holds, "label",
                                               c->label, "text", text));
    }
    if (!t->by_area)
        return json_pack("{s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:o}", "voters_total",
                         (json_int_t)t->owners_total, "voters_participating",
                         (json_int_t)t->owners_participating, "yes", (json_int_t)t->owners_yes,
                         "no", (json_int_t)t->owners_no, "abstain", (json_int_t)t->owners_abstain,
                         "quorum", t->quorum, "approved", t->approved, "conditions", conds);
    o = json_pack("{s:I, s:I, s:I, s:f, s:f, s:f, s:b, s:b, s:o}", "owners_total",
                  (json_int_t)t->owners_total, "owners_participating",
                  (json_int_t)t->owners_participating, "owners_yes", (json_int_t)t->owners_yes,
                  "area_total", t->area_total / 100.0, "area_participating",
                  t->area_participating / 100.0, "area_yes", t->area_yes / 100.0, "quorum",
                  t->quorum, "approved", t->approved, "conditions", conds);
    return o;
}
