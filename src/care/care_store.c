/*
 * Care's SQL, written once for SQLite and PostgreSQL (docs/POSTGRESQL.md).
 * Sealed columns (core/crypto) are sealed and opened here.
 */
#include <stdlib.h>
#include <string.h>

#include "care/care_store.h"
#include "core/timeutil.h"
#include "http/response.h"
#include "core/banned.h"

#define DAY_MS TIME_DAY_MS

/* ---- sealed JSON ---- */

void *care_seal_json(const CryptoKeys *k, Arena *a, json_t *j, size_t *ret_len)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    void *out;

    json_decref(j);
    if (!text)
        abort();
    out = crypto_seal(k, a, text, ret_len);
    free(text);
    return out;
}

json_t *care_open_json(const CryptoKeys *k, Arena *a, const void *p, size_t n)
{
    char *text;

    if (!p || !n)
        return NULL;
    text = crypto_open(k, a, p, n);
    return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

json_t *care_data_json(const CareData *d)
{
    json_t *reasons = json_array(), *tags = json_array();

    for (int i = 0; i < d->n_reasons; i++)
        json_array_append_new(reasons, json_string(d->reasons[i]));
    for (int t = 0; t < _CARE_TAG_MAX; t++)
        if (d->tags[t])
            json_array_append_new(tags, json_string(care_tag_name((CareTag)t)));
    return json_pack("{s:o, s:o, s:s}", "reasons", reasons, "tags", tags, "note",
                     d->note ? d->note : "");
}

void care_data_from_json(Arena *a, json_t *j, CareData *ret)
{
    json_t *v;
    size_t i;

    memset(ret, 0, sizeof(*ret));
    ret->note = "";
    if (!j)
        return;
    json_array_foreach(json_object_get(j, "reasons"), i, v) {
        if (json_is_string(v) && ret->n_reasons < CARE_REASONS_MAX)
            ret->reasons[ret->n_reasons++] = arena_strdup(a, json_string_value(v));
    }
    json_array_foreach(json_object_get(j, "tags"), i, v) {
        CareTag t;

        if (json_is_string(v) && care_tag_parse(json_string_value(v), &t))
            ret->tags[t] = true;
    }
    v = json_object_get(j, "note");
    if (json_is_string(v))
        ret->note = arena_strdup(a, json_string_value(v));
}

/* ---- small helpers ---- */

static Error *done(Store *st, Arena *a, StoreStmt *s)
{
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static void bind_blob_or_null(StoreStmt *s, int idx, const void *p, size_t n)
{
    if (p)
        store_bind_blob(s, idx, p, n);
    else
        store_bind_null(s, idx);
}

static json_t *time_or_null(Arena *a, int64_t ms)
{
    return ms ? json_string(time_format_rfc3339(a, ms)) : json_null();
}

/* ---- settings ---- */

static const char SQL_SETTINGS_GET[] = "SELECT settings FROM care_settings WHERE community = ?1";
static const char SQL_SETTINGS_PUT[] =
    "INSERT INTO care_settings (community, settings, updated_by, updated_at)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (community) DO UPDATE SET"
    " settings = excluded.settings, updated_by = excluded.updated_by,"
    " updated_at = excluded.updated_at";

Error *care_store_settings(Store *st, Arena *a, const char *community, CareSettings *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_SETTINGS_GET);
    const char *text = NULL;
    json_t *j;
    Error *err = NULL;

    care_settings_default(ret);
    store_bind_text(s, 1, community);
    switch (store_step(s)) {
    case STORE_ROW:
        text = store_column_text(s, a, 0);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        break;
    default:
        return store_error(st, a);
    }
    if (!text)
        return NULL;
    j = json_loads(text, 0, NULL);
    if (j)
        err = care_settings_parse(a, j, ret);
    json_decref(j);
    if (!j || err)
        return error_internal(a, "care settings of %s unreadable", community);
    return NULL;
}

Error *care_store_settings_put(Store *st, Arena *a, const char *community, const CareSettings *cs,
                               int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_SETTINGS_PUT);
    json_t *j = care_settings_json(cs);
    char *text = json_dumps(j, JSON_COMPACT);
    const char *copy = arena_strdup(a, text ? text : "{}");

    free(text);
    json_decref(j);
    store_bind_text(s, 1, community);
    store_bind_text(s, 2, copy);
    store_bind_id_or_null(s, 3, user_id);
    store_bind_int64(s, 4, now_ms);
    return done(st, a, s);
}

/* ---- residents and accounts ---- */

static const char SQL_RESIDENT[] =
    "SELECT id, building_id, community, status, birth_date, name FROM resident WHERE id = ?1";
static const char SQL_USER[] =
    "SELECT id, role, scope, coalesce(nullif(display_name, ''), username),"
    " coalesce(resident_id, 0),"
    " CASE WHEN disabled = 0 AND state = 'active' THEN 1 ELSE 0 END"
    " FROM app_user WHERE id = ?1";

Error *care_store_resident(Store *st, Arena *a, int64_t id, CareResident *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT);

    memset(ret, 0, sizeof(*ret));
    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        ret->id = store_column_int64(s, 0);
        ret->building_id = store_column_int64(s, 1);
        ret->community = store_column_text(s, a, 2);
        ret->status = store_column_text(s, a, 3);
        ret->birth_date = store_column_text(s, a, 4);
        ret->name = store_column_text(s, a, 5);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *care_store_user(Store *st, Arena *a, int64_t id, CareUser *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER);

    memset(ret, 0, sizeof(*ret));
    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        ret->id = store_column_int64(s, 0);
        ret->role = store_column_text(s, a, 1);
        ret->scope = store_column_text(s, a, 2);
        ret->name = store_column_text(s, a, 3);
        ret->resident_id = store_column_int64(s, 4);
        ret->active = store_column_int64(s, 5) != 0;
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

/* ---- people ---- */

static const char SQL_OPEN[] =
    "INSERT INTO care_person (resident_id, community, building_id, living, data_enc, opened_at,"
    " opened_by, visit_due_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?6)"
    " RETURNING id";

Error *care_store_open(Store *st, Arena *a, const CareResident *r, const char *living,
                       const void *enc, size_t enc_len, int64_t user_id, int64_t now_ms,
                       int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_OPEN);

    store_bind_int64(s, 1, r->id);
    store_bind_text(s, 2, r->community);
    store_bind_int64(s, 3, r->building_id);
    store_bind_text(s, 4, living);
    store_bind_blob(s, 5, enc, enc_len);
    store_bind_int64(s, 6, now_ms);
    store_bind_id_or_null(s, 7, user_id);
    store_bind_int64(s, 8, now_ms + 30 * DAY_MS);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        if (store_error_mentions(st, "care_person"))
            return error_conflict(a, "resident_id", "already_in_care",
                                  "该居民已在关爱名单中，请直接打开其关爱档案");
        return store_error(st, a);
    default:
        return store_error(st, a);
    }
}

/*
 * The columns of a person, ?1 being today (Beijing): the registry's part,
 * then care's (NULL or 0 outside care). Read by read_person().
 */
#define PERSON_COLS                                                                               \
    "r.id, r.name, r.gender, r.birth_date, r.community, r.household_id, r.building_id, b.name,"   \
    " coalesce(b.grid_id, 0), g.name, h.unit, h.room,"                                            \
    " (SELECT count(*) FROM resident r2 WHERE r2.household_id = r.household_id"                   \
    " AND r2.status = 'active'),"                                                                 \
    " coalesce(c.id, 0), c.living, coalesce(c.ability_level, -1), coalesce(c.grade, 0),"          \
    " coalesce(c.grade_computed, 0), coalesce(c.grade_override, 0), coalesce(c.daily_check, 0),"  \
    " coalesce(c.visit_days, 0), coalesce(c.last_visit_at, 0), coalesce(c.visit_due_at, 0),"      \
    " c.last_check_day, coalesce(c.opened_at, 0), coalesce(c.closed_at, 0), c.close_reason,"      \
    " c.close_note, coalesce(c.community, r.community),"                                          \
    " (SELECT count(*) FROM care_pair p WHERE p.care_id = c.id AND p.ended_at IS NULL),"          \
    " CASE WHEN EXISTS (SELECT 1 FROM care_away w WHERE w.care_id = c.id"                         \
    " AND w.cancelled_at IS NULL AND w.from_day <= ?1 AND w.to_day >= ?1) THEN 1 ELSE 0 END,"      \
    " CASE WHEN EXISTS (SELECT 1 FROM care_alert al WHERE al.care_id = c.id"                      \
    " AND al.kind = 'check' AND al.day = ?1)"                                                     \
    " AND (c.last_check_day IS NULL OR c.last_check_day < ?1) THEN 1 ELSE 0 END"
#define PERSON_N_COLS 32
#define PERSON_FROM                                                                               \
    " JOIN building b ON b.id = r.building_id JOIN household h ON h.id = r.household_id"          \
    " LEFT JOIN grid g ON g.id = b.grid_id"

static void read_person(StoreStmt *s, Arena *a, const char *today, CarePerson *p)
{
    memset(p, 0, sizeof(*p));
    p->resident_id = store_column_int64(s, 0);
    p->name = store_column_text(s, a, 1);
    p->gender = store_column_text(s, a, 2);
    p->birth_date = store_column_text(s, a, 3);
    p->age = age_on(p->birth_date, today);
    p->household_id = store_column_int64(s, 5);
    p->building_id = store_column_int64(s, 6);
    p->building_name = store_column_text(s, a, 7);
    p->grid_id = store_column_int64(s, 8);
    p->grid_name = store_column_text(s, a, 9);
    p->unit = store_column_int64(s, 10);
    p->room = store_column_text(s, a, 11);
    p->household_alone = store_column_int64(s, 12) == 1;
    p->id = store_column_int64(s, 13);
    p->living = store_column_text(s, a, 14);
    p->ability_level = (int)store_column_int64(s, 15);
    p->grade = (int)store_column_int64(s, 16);
    p->grade_computed = (int)store_column_int64(s, 17);
    p->grade_override = (int)store_column_int64(s, 18);
    p->daily_check = store_column_int64(s, 19) != 0;
    p->visit_days = (int)store_column_int64(s, 20);
    p->last_visit_at = store_column_int64(s, 21);
    p->visit_due_at = store_column_int64(s, 22);
    p->last_check_day = store_column_text(s, a, 23);
    p->opened_at = store_column_int64(s, 24);
    p->closed_at = store_column_int64(s, 25);
    p->close_reason = store_column_text(s, a, 26);
    p->close_note = store_column_text(s, a, 27);
    p->community = store_column_text(s, a, 28);
    p->n_helpers = store_column_int64(s, 29);
    p->away_today = store_column_int64(s, 30) != 0;
    p->check_missed = store_column_int64(s, 31) != 0;
    p->lives_alone = (p->living && strcmp(p->living, "alone") == 0) || p->household_alone;
}

static const char SQL_GET[] =
    "SELECT " PERSON_COLS ", c.data_enc, c.grade_enc, c.override_enc,"
    " coalesce(c.override_by, 0), coalesce(c.override_at, 0)"
    " FROM care_person c JOIN resident r ON r.id = c.resident_id" PERSON_FROM
    " WHERE c.id = ?2";

Error *care_store_get(Store *st, Arena *a, int64_t id, const char *today, CarePerson **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_GET);
    CarePerson *p;

    *ret = NULL;
    store_bind_text(s, 1, today);
    store_bind_int64(s, 2, id);
    switch (store_step(s)) {
    case STORE_ROW:
        p = arena_alloc(a, sizeof(*p));
        read_person(s, a, today, p);
        p->data_enc = store_column_blob(s, a, PERSON_N_COLS, &p->data_len);
        p->grade_enc = store_column_blob(s, a, PERSON_N_COLS + 1, &p->grade_len);
        p->override_enc = store_column_blob(s, a, PERSON_N_COLS + 2, &p->override_len);
        p->override_by = store_column_int64(s, PERSON_N_COLS + 3);
        p->override_at = store_column_int64(s, PERSON_N_COLS + 4);
        store_reset(s);
        *ret = p;
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

static const char SQL_OPEN_OF[] =
    "SELECT id FROM care_person WHERE resident_id = ?1 AND closed_at IS NULL";

Error *care_store_open_of(Store *st, Arena *a, int64_t resident_id, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_OPEN_OF);

    *ret_id = 0;
    store_bind_int64(s, 1, resident_id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

static const char SQL_EPISODES[] =
    "SELECT id, opened_at, coalesce(closed_at, 0), close_reason FROM care_person"
    " WHERE resident_id = ?1 ORDER BY opened_at, id";

Error *care_store_episodes(Store *st, Arena *a, int64_t resident_id, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_EPISODES);
    StoreResult r;

    store_bind_int64(s, 1, resident_id);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:o, s:o, s:o}", "id",
                                               (json_int_t)store_column_int64(s, 0), "opened_at",
                                               time_or_null(a, store_column_int64(s, 1)),
                                               "closed_at",
                                               time_or_null(a, store_column_int64(s, 2)),
                                               "close_reason",
                                               json_string_or_null(store_column_text(s, a, 3))));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_UPDATE[] =
    "UPDATE care_person SET living = ?2, data_enc = ?3, updated_at = ?4 WHERE id = ?1";

Error *care_store_update(Store *st, Arena *a, int64_t id, const char *living, const void *enc,
                         size_t enc_len, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_UPDATE);

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, living);
    store_bind_blob(s, 3, enc, enc_len);
    store_bind_int64(s, 4, now_ms);
    return done(st, a, s);
}

static const char SQL_CLOSE[] =
    "UPDATE care_person SET closed_at = ?2, closed_by = ?3, close_reason = ?4, close_note = ?5,"
    " updated_at = ?2 WHERE id = ?1 AND closed_at IS NULL";
static const char SQL_PAIRS_END_ALL[] =
    "UPDATE care_pair SET ended_at = ?2, ended_by = ?3 WHERE care_id = ?1 AND ended_at IS NULL";

Error *care_store_close(Store *st, Arena *a, int64_t id, const char *reason, const char *note,
                        int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_CLOSE);
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now_ms);
    store_bind_id_or_null(s, 3, user_id);
    store_bind_text(s, 4, reason);
    store_bind_text(s, 5, note);
    err = done(st, a, s);
    if (err)
        return err;
    if (store_changes(st) == 0)
        return error_conflict(a, NULL, "already_closed", "该居民的关爱已经结束，无需重复操作");
    s = store_prepare(st, a, SQL_PAIRS_END_ALL);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now_ms);
    store_bind_id_or_null(s, 3, user_id);
    return done(st, a, s);
}

static const char SQL_OVERRIDE[] =
    "UPDATE care_person SET grade_override = ?2, override_enc = ?3, override_by = ?4,"
    " override_at = ?5, updated_at = ?6 WHERE id = ?1";

Error *care_store_override(Store *st, Arena *a, int64_t id, int grade, const void *enc,
                           size_t enc_len, int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_OVERRIDE);

    store_bind_int64(s, 1, id);
    if (grade)
        store_bind_int64(s, 2, grade);
    else
        store_bind_null(s, 2);
    bind_blob_or_null(s, 3, grade ? enc : NULL, enc_len);
    store_bind_id_or_null(s, 4, grade ? user_id : 0);
    if (grade)
        store_bind_int64(s, 5, now_ms);
    else
        store_bind_null(s, 5);
    store_bind_int64(s, 6, now_ms);
    return done(st, a, s);
}

/* ---- the grade ---- */

static const char SQL_FACTS[] =
    "SELECT coalesce(c.ability_level, -1), c.living,"
    " (SELECT count(*) FROM resident r2 WHERE r2.household_id = r.household_id"
    " AND r2.status = 'active'),"
    " r.birth_date, c.data_enc, coalesce(c.grade_override, 0), coalesce(c.last_visit_at, 0),"
    " c.opened_at,"
    " (SELECT count(*) FROM care_alert al WHERE al.care_id = c.id AND al.kind = 'check'"
    " AND al.created_at >= ?2 AND NOT EXISTS (SELECT 1 FROM care_check k"
    " WHERE k.care_id = al.care_id AND k.day = al.day))"
    " FROM care_person c JOIN resident r ON r.id = c.resident_id WHERE c.id = ?1";
static const char SQL_REGRADE[] =
    "UPDATE care_person SET grade_computed = ?2, grade = ?3, grade_enc = ?4, daily_check = ?5,"
    " visit_days = ?6, visit_due_at = ?7, updated_at = ?8 WHERE id = ?1";

Error *care_store_regrade(Store *st, Arena *a, const CryptoKeys *k, const CareSettings *cs,
                          int64_t id, int64_t now_ms, CareGrade *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_FACTS);
    CareFacts f = { .ability_level = -1 };
    CareGrade g;
    CareData d;
    const char *living, *birth;
    const void *enc;
    size_t enc_len, sealed_len;
    int64_t last_visit, opened, hh;
    int override, grade;
    char today[11];
    void *sealed;
    json_t *j;

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now_ms - 30 * DAY_MS);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_DONE:
        store_reset(s);
        return error_not_found(a, "id", "找不到该关爱对象");
    default:
        return store_error(st, a);
    }
    f.ability_level = (int)store_column_int64(s, 0);
    living = store_column_text(s, a, 1);
    hh = store_column_int64(s, 2);
    birth = store_column_text(s, a, 3);
    enc = store_column_blob(s, a, 4, &enc_len);
    override = (int)store_column_int64(s, 5);
    last_visit = store_column_int64(s, 6);
    opened = store_column_int64(s, 7);
    f.missed_checks = (int)store_column_int64(s, 8);
    store_reset(s);

    care_day(now_ms, today);
    f.age = age_on(birth, today);
    f.lives_alone = (living && strcmp(living, "alone") == 0) || hh == 1;
    j = care_open_json(k, a, enc, enc_len);
    care_data_from_json(a, j, &d);
    json_decref(j);
    memcpy(f.tags, d.tags, sizeof(f.tags));
    care_grade(cs, &f, &g);
    grade = override ? override : g.grade;
    sealed = care_seal_json(k, a, care_grade_reasons_json(&g), &sealed_len);

    s = store_prepare(st, a, SQL_REGRADE);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, g.grade);
    store_bind_int64(s, 3, grade);
    store_bind_blob(s, 4, sealed, sealed_len);
    store_bind_int64(s, 5, cs->rhythm[grade].daily_check ? 1 : 0);
    store_bind_int64(s, 6, cs->rhythm[grade].visit_days);
    store_bind_int64(s, 7, (last_visit ? last_visit : opened) +
                               (int64_t)cs->rhythm[grade].visit_days * DAY_MS);
    store_bind_int64(s, 8, now_ms);
    if (ret)
        *ret = g;
    return done(st, a, s);
}

static const char SQL_OPEN_IN[] =
    "SELECT id FROM care_person WHERE community = ?1 AND closed_at IS NULL ORDER BY id";

Error *care_store_regrade_all(Store *st, Arena *a, const CryptoKeys *k, const CareSettings *cs,
                              const char *community, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_OPEN_IN);
    int64_t *ids = NULL;
    size_t n = 0;
    Error *err;

    store_bind_text(s, 1, community);
    err = store_run_ids(st, a, s, &ids, &n);
    for (size_t i = 0; !err && i < n; i++)
        err = care_store_regrade(st, a, k, cs, ids[i], now_ms, NULL);
    return err;
}

/* ---- the list ---- */

/*
 * The list in two steps: the page's (resident, care) ids in order with the
 * total, then each row's columns. The filters and the sort touch a few
 * narrow columns; the row's subqueries (household size, helpers, away,
 * missed check) run for the page's rows only, not for every match.
 * In care, the walk starts from care_person's community index; the elderly
 * not in care (or all) come from the residents of the community range.
 */
#define LIST_FILTERS(T, A, G, B, AL, O, H)                                                        \
    " AND (" G " = 0 OR c.grade = " G ")"                                                         \
    " AND (" B " = 0 OR b.grid_id = " B ")"                                                       \
    " AND (" AL " = 0 OR r.building_id = " AL ")"                                                 \
    " AND (" A " = -1 OR (CASE WHEN c.living = 'alone' OR (SELECT count(*) FROM resident r3"     \
    " WHERE r3.household_id = r.household_id AND r3.status = 'active') = 1 THEN 1 ELSE 0 END)"    \
    " = " A ")"                                                                                   \
    " AND (" O " = 0 OR (c.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM care_away w2"            \
    " WHERE w2.care_id = c.id AND w2.cancelled_at IS NULL AND w2.from_day <= " T                  \
    " AND w2.to_day >= " T ") AND (c.visit_due_at < " H " OR ((c.last_check_day IS NULL"          \
    " OR c.last_check_day < " T ") AND EXISTS (SELECT 1 FROM care_alert al2"                      \
    " WHERE al2.care_id = c.id AND al2.kind = 'check' AND al2.day = " T ")))))"
#define LIST_IN_CARE_FROM                                                                         \
    " FROM care_person c JOIN resident r ON r.id = c.resident_id"                                 \
    " JOIN building b ON b.id = r.building_id JOIN household h ON h.id = r.household_id"          \
    " WHERE c.community >= ?2 AND c.community < ?3 AND c.closed_at IS NULL"                       \
    " AND r.birth_date <= ?4 AND r.birth_date > ?5"                                               \
    LIST_FILTERS("?1", "?6", "?7", "?8", "?9", "?10", "?11")                                      \
    " AND (?12 = 0 OR EXISTS (SELECT 1 FROM care_pair p2 WHERE p2.care_id = c.id"                 \
    " AND p2.user_id = ?12 AND p2.ended_at IS NULL))"
/* no window count here: the sort keeps only the page's rows (a top-N sort) */
static const char SQL_LIST_IN_CARE[] =
    "SELECT r.id, c.id, 0" LIST_IN_CARE_FROM
    " ORDER BY c.grade, r.building_id, h.unit, h.room, r.id LIMIT ?13 OFFSET ?14";
static const char SQL_COUNT_IN_CARE[] =
    "SELECT count(*)" LIST_IN_CARE_FROM " AND ?13 >= 0 AND ?14 >= 0";
/* the total without filters but the grade: from care_person's index alone */
static const char SQL_COUNT_IN_CARE_ALL[] =
    "SELECT count(*) FROM care_person WHERE community >= ?1 AND community < ?2"
    " AND closed_at IS NULL AND (?3 = 0 OR grade = ?3)";
static const char SQL_LIST_ELDERLY[] =
    "SELECT r.id, coalesce(c.id, 0), count(*) OVER ()"
    " FROM resident r JOIN building b ON b.id = r.building_id"
    " JOIN household h ON h.id = r.household_id"
    " LEFT JOIN care_person c ON c.resident_id = r.id AND c.closed_at IS NULL"
    " WHERE r.community >= ?2 AND r.community < ?3"
    " AND (r.status = 'active' OR c.id IS NOT NULL)"
    " AND (c.id IS NOT NULL OR r.birth_date <= ?4)"
    " AND r.birth_date <= ?5 AND r.birth_date > ?6"
    " AND (?7 = -1 OR (CASE WHEN c.id IS NULL THEN 0 ELSE 1 END) = ?7)"
    LIST_FILTERS("?1", "?8", "?9", "?10", "?11", "?12", "?13")
    " AND (?14 = 0 OR EXISTS (SELECT 1 FROM care_pair p2 WHERE p2.care_id = c.id"
    " AND p2.user_id = ?14 AND p2.ended_at IS NULL))"
    " ORDER BY CASE WHEN c.id IS NULL THEN 9 ELSE c.grade END, r.building_id, h.unit, h.room,"
    " r.id LIMIT ?15 OFFSET ?16";
/* One row of the list: @2 the care id (0: not in care), @3 the resident. */
static const char SQL_LIST_ROW[] =
    "SELECT " PERSON_COLS " FROM resident r" PERSON_FROM
    " LEFT JOIN care_person c ON c.id = ?2 WHERE r.id = ?3";

static void list_bind(StoreStmt *s, const CareFilter *f, bool in_care)
{
    int k = 1;

    store_bind_text(s, k++, f->today);
    store_bind_text(s, k++, f->lo);
    store_bind_text(s, k++, f->hi);
    if (!in_care)
        store_bind_text(s, k++, f->elderly_before);
    store_bind_text(s, k++, f->born_before);
    store_bind_text(s, k++, f->born_after ? f->born_after : "");
    if (!in_care)
        store_bind_int64(s, k++, f->in_care);
    store_bind_int64(s, k++, f->alone);
    store_bind_int64(s, k++, f->grade);
    store_bind_int64(s, k++, f->grid_id);
    store_bind_int64(s, k++, f->building_id);
    store_bind_int64(s, k++, f->overdue ? 1 : 0);
    store_bind_int64(s, k++, f->now_ms);
    store_bind_int64(s, k++, f->helper_id);
    store_bind_int64(s, k++, f->limit);
    store_bind_int64(s, k++, f->offset);
}

Error *care_store_list(Store *st, Arena *a, const CareFilter *f, CarePerson **ret, size_t *ret_n,
                       int64_t *ret_total)
{
    bool in_care = f->in_care == 1;
    StoreStmt *s = store_prepare(st, a, in_care ? SQL_LIST_IN_CARE : SQL_LIST_ELDERLY);
    size_t n = 0, m = 0, cap = 32;
    int64_t (*ids)[2] = arena_alloc(a, cap * sizeof(*ids));
    CarePerson *out;
    StoreResult r;
    Error *err;

    *ret_total = 0;
    list_bind(s, f, in_care);
    while ((r = store_step(s)) == STORE_ROW) {
        ids = arena_grow(a, ids, n, &cap, sizeof(*ids));
        ids[n][0] = store_column_int64(s, 0);
        ids[n][1] = store_column_int64(s, 1);
        *ret_total = store_column_int64(s, 2);
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (in_care && f->alone == -1 && !f->overdue && !f->grid_id && !f->building_id &&
        !f->helper_id && strcmp(f->born_before, "9999-12-31") == 0 &&
        (!f->born_after || !*f->born_after)) {
        s = store_prepare(st, a, SQL_COUNT_IN_CARE_ALL);
        store_bind_text(s, 1, f->lo);
        store_bind_text(s, 2, f->hi);
        store_bind_int64(s, 3, f->grade);
        err = store_run_int64(st, a, s, ret_total);
    } else if (in_care) {
        s = store_prepare(st, a, SQL_COUNT_IN_CARE);
        list_bind(s, f, true);
        err = store_run_int64(st, a, s, ret_total);
    } else {
        err = NULL;
    }
    if (err)
        return err;
    out = arena_alloc(a, (n ? n : 1) * sizeof(*out));
    s = store_prepare(st, a, SQL_LIST_ROW);
    for (size_t i = 0; i < n; i++) {
        store_bind_text(s, 1, f->today);
        store_bind_int64(s, 2, ids[i][1]);
        store_bind_int64(s, 3, ids[i][0]);
        r = store_step(s);
        if (r == STORE_ROW)
            read_person(s, a, f->today, &out[m++]);
        else if (r != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
    }
    *ret = out;
    *ret_n = m;
    return NULL;
}

/* ---- assessments ---- */

static const char SQL_ASSESS_INSERT[] =
    "INSERT INTO care_assessment (care_id, community, assessed_at, assessor_id, assessor_name,"
    " final_level, data_enc, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
/* The newest assessment sets the level, whatever order they were entered in. */
static const char SQL_ASSESS_LEVEL[] =
    "UPDATE care_person SET ability_level = (SELECT final_level FROM care_assessment"
    " WHERE care_id = ?1 ORDER BY assessed_at DESC, id DESC LIMIT 1), updated_at = ?2"
    " WHERE id = ?1";
static const char SQL_ASSESSMENTS[] =
    "SELECT id, assessed_at, assessor_name, final_level, data_enc FROM care_assessment"
    " WHERE care_id = ?1 ORDER BY assessed_at DESC, id DESC";

Error *care_store_assessment_insert(Store *st, Arena *a, int64_t care_id, const char *community,
                                    int64_t at_ms, int64_t user_id, const char *user_name,
                                    int final_level, const void *enc, size_t enc_len,
                                    int64_t now_ms, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_ASSESS_INSERT);

    store_bind_int64(s, 1, care_id);
    store_bind_text(s, 2, community);
    store_bind_int64(s, 3, at_ms);
    store_bind_id_or_null(s, 4, user_id);
    store_bind_text(s, 5, user_name);
    store_bind_int64(s, 6, final_level);
    store_bind_blob(s, 7, enc, enc_len);
    store_bind_int64(s, 8, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_id = store_column_int64(s, 0);
    store_reset(s);
    s = store_prepare(st, a, SQL_ASSESS_LEVEL);
    store_bind_int64(s, 1, care_id);
    store_bind_int64(s, 2, now_ms);
    return done(st, a, s);
}

Error *care_store_assessments(Store *st, Arena *a, const CryptoKeys *k, int64_t care_id,
                              bool full, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_ASSESSMENTS);
    StoreResult r;

    store_bind_int64(s, 1, care_id);
    while ((r = store_step(s)) == STORE_ROW) {
        json_t *o = json_pack("{s:I, s:o, s:o, s:i}", "id", (json_int_t)store_column_int64(s, 0),
                              "assessed_at", time_or_null(a, store_column_int64(s, 1)),
                              "assessor", json_string_or_null(store_column_text(s, a, 2)),
                              "final_level", (int)store_column_int64(s, 3));
        json_t *data;
        size_t n = 0;
        const void *p = store_column_blob(s, a, 4, &n);

        data = care_open_json(k, a, p, n);
        if (data) {
            json_t *result = json_object_get(data, "result");

            /* the scores of the four dimensions and the total: the trend chart's points */
            json_object_set(o, "total", json_object_get(result, "total"));
            json_object_set(o, "dimensions", json_object_get(result, "dimensions"));
            if (full) {
                json_object_set(o, "result", result);
                json_object_set(o, "input", json_object_get(data, "input"));
                json_object_set(o, "rules", json_object_get(data, "rules"));
            }
            json_decref(data);
        }
        json_array_append_new(items, o);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- pairs ---- */

static const char SQL_PAIR_KIND[] =
    "SELECT kind FROM care_pair WHERE care_id = ?1 AND user_id = ?2 AND ended_at IS NULL";
static const char SQL_PAIR_INSERT[] =
    "INSERT INTO care_pair (care_id, user_id, kind, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
static const char SQL_PAIR_CARE[] =
    "SELECT care_id FROM care_pair WHERE id = ?1 AND ended_at IS NULL";
static const char SQL_PAIR_END[] =
    "UPDATE care_pair SET ended_at = ?2, ended_by = ?3 WHERE id = ?1 AND ended_at IS NULL";
static const char SQL_PAIRS[] =
    "SELECT p.id, p.user_id, coalesce(nullif(u.display_name, ''), u.username), u.role, p.kind,"
    " p.created_at FROM care_pair p JOIN app_user u ON u.id = p.user_id"
    " WHERE p.care_id = ?1 AND p.ended_at IS NULL ORDER BY p.id";
static const char SQL_PAIRS_OF[] =
    "SELECT p.care_id, p.kind, r.name, c.last_check_day, coalesce(c.last_visit_at, 0), c.grade,"
    " c.visit_due_at FROM care_pair p JOIN care_person c ON c.id = p.care_id"
    " JOIN resident r ON r.id = c.resident_id"
    " WHERE p.user_id = ?1 AND p.ended_at IS NULL AND c.closed_at IS NULL ORDER BY p.care_id";

Error *care_store_pair_kind(Store *st, Arena *a, int64_t care_id, int64_t user_id,
                            const char **ret_kind)
{
    StoreStmt *s = store_prepare(st, a, SQL_PAIR_KIND);

    *ret_kind = NULL;
    store_bind_int64(s, 1, care_id);
    store_bind_int64(s, 2, user_id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_kind = store_column_text(s, a, 0);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *care_store_pair_insert(Store *st, Arena *a, int64_t care_id, int64_t user_id,
                              const char *kind, int64_t by, int64_t now_ms, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_PAIR_INSERT);

    store_bind_int64(s, 1, care_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, kind);
    store_bind_id_or_null(s, 4, by);
    store_bind_int64(s, 5, now_ms);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        if (store_error_mentions(st, "care_pair"))
            return error_conflict(a, "user_id", "already_paired", "该帮扶人已与这位老人结对");
        return store_error(st, a);
    default:
        return store_error(st, a);
    }
}

static Error *one_id(Store *st, Arena *a, const char *sql, int64_t id, int64_t *ret)
{
    StoreStmt *s = store_prepare(st, a, sql);

    *ret = 0;
    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = store_column_int64(s, 0);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *care_store_pair_care(Store *st, Arena *a, int64_t id, int64_t *ret_care_id)
{
    return one_id(st, a, SQL_PAIR_CARE, id, ret_care_id);
}

Error *care_store_pair_end(Store *st, Arena *a, int64_t id, int64_t by, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_PAIR_END);
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now_ms);
    store_bind_id_or_null(s, 3, by);
    err = done(st, a, s);
    if (!err && store_changes(st) == 0)
        return error_not_found(a, "id", "找不到该结对，或已经解除");
    return err;
}

Error *care_store_pairs(Store *st, Arena *a, int64_t care_id, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_PAIRS);
    StoreResult r;

    store_bind_int64(s, 1, care_id);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(
            items, json_pack("{s:I, s:I, s:o, s:o, s:o, s:o}", "id",
                             (json_int_t)store_column_int64(s, 0), "user_id",
                             (json_int_t)store_column_int64(s, 1), "name",
                             json_string_or_null(store_column_text(s, a, 2)), "role",
                             json_string_or_null(store_column_text(s, a, 3)), "kind",
                             json_string_or_null(store_column_text(s, a, 4)), "since",
                             time_or_null(a, store_column_int64(s, 5))));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *care_store_pairs_of(Store *st, Arena *a, int64_t user_id, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_PAIRS_OF);
    StoreResult r;

    store_bind_int64(s, 1, user_id);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(
            items, json_pack("{s:I, s:o, s:o, s:o, s:o, s:i, s:o}", "care_id",
                             (json_int_t)store_column_int64(s, 0), "kind",
                             json_string_or_null(store_column_text(s, a, 1)), "name",
                             json_string_or_null(store_column_text(s, a, 2)), "last_check_day",
                             json_string_or_null(store_column_text(s, a, 3)), "last_visit_at",
                             time_or_null(a, store_column_int64(s, 4)), "grade",
                             (int)store_column_int64(s, 5), "visit_due_at",
                             time_or_null(a, store_column_int64(s, 6))));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- visits ---- */

static const char SQL_VISIT_INSERT[] =
    "INSERT INTO care_visit (care_id, community, helper_id, helper_name, visited_at, mode,"
    " concern, data_enc, case_ids, due_at, on_time, month, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id";
/* The newest visit counts, whatever order they were entered in. */
static const char SQL_VISIT_LAST[] =
    "UPDATE care_person SET last_visit_at = (SELECT max(visited_at) FROM care_visit"
    " WHERE care_id = ?1), updated_at = ?2 WHERE id = ?1";
static const char SQL_VISITS[] =
    "SELECT id, visited_at, mode, helper_id, helper_name, concern, data_enc, case_ids, on_time"
    " FROM care_visit WHERE care_id = ?1 ORDER BY visited_at DESC, id DESC LIMIT ?2";

Error *care_store_visit_insert(Store *st, Arena *a, int64_t care_id, const char *community,
                               int64_t helper_id, const char *helper_name, int64_t at_ms,
                               const char *mode, bool concern, const void *enc, size_t enc_len,
                               const char *case_ids, int64_t due_at, int64_t now_ms,
                               int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_VISIT_INSERT);

    store_bind_int64(s, 1, care_id);
    store_bind_text(s, 2, community);
    store_bind_int64(s, 3, helper_id);
    store_bind_text(s, 4, helper_name);
    store_bind_int64(s, 5, at_ms);
    store_bind_text(s, 6, mode);
    store_bind_int64(s, 7, concern ? 1 : 0);
    store_bind_blob(s, 8, enc, enc_len);
    store_bind_text(s, 9, case_ids);
    store_bind_int64(s, 10, due_at);
    store_bind_int64(s, 11, at_ms <= due_at ? 1 : 0);
    store_bind_int64(s, 12, care_month(at_ms));
    store_bind_int64(s, 13, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_id = store_column_int64(s, 0);
    store_reset(s);
    s = store_prepare(st, a, SQL_VISIT_LAST);
    store_bind_int64(s, 1, care_id);
    store_bind_int64(s, 2, now_ms);
    return done(st, a, s);
}

Error *care_store_visits(Store *st, Arena *a, const CryptoKeys *k, int64_t care_id,
                         int64_t limit, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_VISITS);
    StoreResult r;

    store_bind_int64(s, 1, care_id);
    store_bind_int64(s, 2, limit);
    while ((r = store_step(s)) == STORE_ROW) {
        size_t n = 0;
        const void *p = store_column_blob(s, a, 6, &n);
        json_t *data = care_open_json(k, a, p, n);
        const char *cases = store_column_text(s, a, 7);
        json_t *case_ids = cases ? json_loads(cases, 0, NULL) : NULL;
        json_t *o = json_pack("{s:I, s:o, s:o, s:I, s:o, s:b, s:b}", "id",
                              (json_int_t)store_column_int64(s, 0), "visited_at",
                              time_or_null(a, store_column_int64(s, 1)), "mode",
                              json_string_or_null(store_column_text(s, a, 2)), "helper_id",
                              (json_int_t)store_column_int64(s, 3), "helper",
                              json_string_or_null(store_column_text(s, a, 4)), "concern",
                              store_column_int64(s, 5) != 0, "on_time",
                              store_column_int64(s, 8) != 0);

        json_object_set_new(o, "case_ids", case_ids ? case_ids : json_array());
        if (data) {
            json_object_set(o, "checklist", json_object_get(data, "checklist"));
            json_object_set(o, "notes", json_object_get(data, "notes"));
            json_object_set(o, "needs", json_object_get(data, "needs"));
            json_decref(data);
        }
        json_array_append_new(items, o);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- checks ---- */

static const char SQL_CHECK[] =
    "INSERT INTO care_check (care_id, day, at, user_id, by_kind) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (care_id, day) DO NOTHING RETURNING at";
static const char SQL_CHECK_LAST[] =
    "UPDATE care_person SET last_check_day = ?2 WHERE id = ?1"
    " AND (last_check_day IS NULL OR last_check_day < ?2)";
static const char SQL_CHECKS[] =
    "SELECT day, at, by_kind FROM care_check WHERE care_id = ?1 AND day >= ?2 ORDER BY day DESC";

Error *care_store_check(Store *st, Arena *a, int64_t care_id, const char *day, int64_t user_id,
                        const char *by_kind, int64_t now_ms, bool *ret_new)
{
    StoreStmt *s = store_prepare(st, a, SQL_CHECK);

    store_bind_int64(s, 1, care_id);
    store_bind_text(s, 2, day);
    store_bind_int64(s, 3, now_ms);
    store_bind_int64(s, 4, user_id);
    store_bind_text(s, 5, by_kind);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_new = true;
        break;
    case STORE_DONE:
        *ret_new = false;
        break;
    default:
        return store_error(st, a);
    }
    store_reset(s);
    s = store_prepare(st, a, SQL_CHECK_LAST);
    store_bind_int64(s, 1, care_id);
    store_bind_text(s, 2, day);
    return done(st, a, s);
}

Error *care_store_checks(Store *st, Arena *a, int64_t care_id, const char *since, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_CHECKS);
    StoreResult r;

    store_bind_int64(s, 1, care_id);
    store_bind_text(s, 2, since);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:o, s:o, s:o}", "day",
                                               json_string_or_null(store_column_text(s, a, 0)),
                                               "at", time_or_null(a, store_column_int64(s, 1)),
                                               "by",
                                               json_string_or_null(store_column_text(s, a, 2))));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- days away ---- */

static const char SQL_AWAY_INSERT[] =
    "INSERT INTO care_away (care_id, from_day, to_day, reason, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_AWAY_CARE[] =
    "SELECT care_id FROM care_away WHERE id = ?1 AND cancelled_at IS NULL";
static const char SQL_AWAY_CANCEL[] =
    "UPDATE care_away SET cancelled_at = ?2 WHERE id = ?1 AND cancelled_at IS NULL";
static const char SQL_AWAYS[] =
    "SELECT id, from_day, to_day, reason FROM care_away WHERE care_id = ?1"
    " AND cancelled_at IS NULL AND to_day >= ?2 ORDER BY from_day";

Error *care_store_away_insert(Store *st, Arena *a, int64_t care_id, const char *from,
                              const char *to, const char *reason, int64_t by, int64_t now_ms,
                              int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_AWAY_INSERT);

    store_bind_int64(s, 1, care_id);
    store_bind_text(s, 2, from);
    store_bind_text(s, 3, to);
    store_bind_text(s, 4, reason);
    store_bind_id_or_null(s, 5, by);
    store_bind_int64(s, 6, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *care_store_away_care(Store *st, Arena *a, int64_t id, int64_t *ret_care_id)
{
    return one_id(st, a, SQL_AWAY_CARE, id, ret_care_id);
}

Error *care_store_away_cancel(Store *st, Arena *a, int64_t id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_AWAY_CANCEL);

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now_ms);
    return done(st, a, s);
}

Error *care_store_aways(Store *st, Arena *a, int64_t care_id, const char *today, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_AWAYS);
    StoreResult r;

    store_bind_int64(s, 1, care_id);
    store_bind_text(s, 2, today);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:o, s:o, s:o}", "id",
                                               (json_int_t)store_column_int64(s, 0), "from",
                                               json_string_or_null(store_column_text(s, a, 1)),
                                               "to",
                                               json_string_or_null(store_column_text(s, a, 2)),
                                               "reason",
                                               json_string_or_null(store_column_text(s, a, 3))));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- statistics ---- */

static const char SQL_STATS_LEVEL[] =
    "SELECT coalesce(ability_level, -1), count(*) FROM care_person"
    " WHERE community >= ?1 AND community < ?2 AND closed_at IS NULL"
    " GROUP BY coalesce(ability_level, -1) ORDER BY coalesce(ability_level, -1)";
static const char SQL_STATS_GRADE[] =
    "SELECT grade, count(*) FROM care_person"
    " WHERE community >= ?1 AND community < ?2 AND closed_at IS NULL GROUP BY grade ORDER BY grade";
static const char SQL_STATS_TOTALS[] =
    "SELECT count(*),"
    " coalesce(sum(CASE WHEN c.living = 'alone' OR (SELECT count(*) FROM resident r2"
    " WHERE r2.household_id = r.household_id AND r2.status = 'active') = 1 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN c.visit_due_at < ?3 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN c.last_check_day = ?4 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN c.daily_check = 1 THEN 1 ELSE 0 END), 0)"
    " FROM care_person c JOIN resident r ON r.id = c.resident_id"
    " WHERE c.community >= ?1 AND c.community < ?2 AND c.closed_at IS NULL";
static const char SQL_STATS_VISITS[] =
    "SELECT helper_id, helper_name, month, count(*), sum(on_time) FROM care_visit"
    " WHERE community >= ?1 AND community < ?2 AND month >= ?3 AND month <= ?4"
    " GROUP BY helper_id, helper_name, month ORDER BY month, helper_id";

static Error *counts(Store *st, Arena *a, const char *sql, const char *lo, const char *hi,
                     const char *key, json_t *out)
{
    StoreStmt *s = store_prepare(st, a, sql);
    json_t *items = json_array();
    StoreResult r;

    json_object_set_new(out, key, items);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t v = store_column_int64(s, 0);

        json_array_append_new(items, json_pack("{s:o, s:I}", "value",
                                               v < 0 ? json_null() : json_integer(v), "count",
                                               (json_int_t)store_column_int64(s, 1)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *care_store_stats(Store *st, Arena *a, const char *lo, const char *hi, const char *today,
                        int64_t now_ms, int from_month, int to_month, json_t *out)
{
    StoreStmt *s;
    json_t *visits = json_array();
    StoreResult r;
    Error *err;

    err = counts(st, a, SQL_STATS_LEVEL, lo, hi, "by_ability_level", out);
    if (!err)
        err = counts(st, a, SQL_STATS_GRADE, lo, hi, "by_grade", out);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_STATS_TOTALS);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, now_ms);
    store_bind_text(s, 4, today);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    json_object_set_new(out, "in_care", json_integer(store_column_int64(s, 0)));
    json_object_set_new(out, "living_alone", json_integer(store_column_int64(s, 1)));
    json_object_set_new(out, "visits_overdue", json_integer(store_column_int64(s, 2)));
    json_object_set_new(out, "checked_today", json_integer(store_column_int64(s, 3)));
    json_object_set_new(out, "daily_check", json_integer(store_column_int64(s, 4)));
    store_reset(s);

    json_object_set_new(out, "visits", visits);
    s = store_prepare(st, a, SQL_STATS_VISITS);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, from_month);
    store_bind_int64(s, 4, to_month);
    while ((r = store_step(s)) == STORE_ROW) {
        int month = (int)store_column_int64(s, 2);

        json_array_append_new(
            visits, json_pack("{s:I, s:o, s:s, s:I, s:I}", "helper_id",
                              (json_int_t)store_column_int64(s, 0), "helper",
                              json_string_or_null(store_column_text(s, a, 1)), "month",
                              arena_sprintf(a, "%04d-%02d", month / 100, month % 100), "visits",
                              (json_int_t)store_column_int64(s, 3), "on_time",
                              (json_int_t)store_column_int64(s, 4)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- the sweep ---- */

static const char SQL_COMMUNITIES[] =
    "SELECT DISTINCT community FROM care_person WHERE closed_at IS NULL ORDER BY community";
static const char SQL_CHECKS_MISSING[] =
    "SELECT c.id FROM care_person c WHERE c.community = ?1 AND c.closed_at IS NULL"
    " AND c.daily_check = 1 AND (c.last_check_day IS NULL OR c.last_check_day < ?3)"
    " AND c.opened_at < ?4 AND NOT EXISTS (SELECT 1 FROM care_away w WHERE w.care_id = c.id"
    " AND w.cancelled_at IS NULL AND w.from_day <= ?2 AND w.to_day >= ?2)"
    " AND (EXISTS (SELECT 1 FROM app_user u WHERE u.resident_id = c.resident_id"
    " AND u.disabled = 0 AND u.state = 'active') OR EXISTS (SELECT 1 FROM care_pair p"
    " WHERE p.care_id = c.id AND p.kind = 'relative' AND p.ended_at IS NULL)) ORDER BY c.id";
static const char SQL_VISITS_DUE[] =
    "SELECT c.id, c.visit_due_at FROM care_person c WHERE c.community = ?1"
    " AND c.closed_at IS NULL AND c.visit_due_at < ?3"
    " AND NOT EXISTS (SELECT 1 FROM care_away w WHERE w.care_id = c.id"
    " AND w.cancelled_at IS NULL AND w.from_day <= ?2 AND w.to_day >= ?2) ORDER BY c.id";
static const char SQL_ALERT[] =
    "INSERT INTO care_alert (care_id, kind, day, created_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (care_id, kind, day) DO NOTHING RETURNING id";
static const char SQL_HELPER_IDS[] =
    "SELECT p.user_id FROM care_pair p JOIN app_user u ON u.id = p.user_id"
    " WHERE p.care_id = ?1 AND p.ended_at IS NULL AND u.disabled = 0 ORDER BY p.user_id";
static const char SQL_STAFF_IDS[] =
    "SELECT id FROM app_user WHERE scope = ?1 AND disabled = 0 AND state = 'active'"
    " AND (role = 'secretary' OR (?2 = 0 AND role = 'staff')) ORDER BY id";

Error *care_store_communities(Store *st, Arena *a, const char ***ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMUNITIES);
    size_t n = 0, cap = 16;
    const char **out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        out = arena_grow(a, out, n, &cap, sizeof(*out));
        out[n++] = store_column_text(s, a, 0);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    return NULL;
}

Error *care_store_checks_missing(Store *st, Arena *a, const char *community, const char *today,
                                 const char *since_day, int64_t opened_before, int64_t **ret,
                                 size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_CHECKS_MISSING);

    store_bind_text(s, 1, community);
    store_bind_text(s, 2, today);
    store_bind_text(s, 3, since_day);
    store_bind_int64(s, 4, opened_before);
    return store_run_ids(st, a, s, ret, ret_n);
}

Error *care_store_visits_due(Store *st, Arena *a, const char *community, const char *today,
                             int64_t due_before, int64_t **ret_ids, int64_t **ret_due,
                             size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_VISITS_DUE);
    size_t n = 0, cap = 16, cap2 = 16;
    int64_t *ids = arena_alloc(a, cap * sizeof(*ids)), *due = arena_alloc(a, cap2 * sizeof(*due));
    StoreResult r;

    store_bind_text(s, 1, community);
    store_bind_text(s, 2, today);
    store_bind_int64(s, 3, due_before);
    while ((r = store_step(s)) == STORE_ROW) {
        ids = arena_grow(a, ids, n, &cap, sizeof(*ids));
        due = arena_grow(a, due, n, &cap2, sizeof(*due));
        ids[n] = store_column_int64(s, 0);
        due[n++] = store_column_int64(s, 1);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_ids = ids;
    *ret_due = due;
    *ret_n = n;
    return NULL;
}

Error *care_store_alert(Store *st, Arena *a, int64_t care_id, const char *kind, const char *day,
                        int64_t now_ms, bool *ret_new)
{
    StoreStmt *s = store_prepare(st, a, SQL_ALERT);

    store_bind_int64(s, 1, care_id);
    store_bind_text(s, 2, kind);
    store_bind_text(s, 3, day);
    store_bind_int64(s, 4, now_ms);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_new = true;
        break;
    case STORE_DONE:
        *ret_new = false;
        break;
    default:
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

Error *care_store_helper_ids(Store *st, Arena *a, int64_t care_id, int64_t **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_HELPER_IDS);

    store_bind_int64(s, 1, care_id);
    return store_run_ids(st, a, s, ret, ret_n);
}

Error *care_store_staff_ids(Store *st, Arena *a, const char *community, bool secretary_only,
                            int64_t **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_STAFF_IDS);

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, secretary_only ? 1 : 0);
    return store_run_ids(st, a, s, ret, ret_n);
}

/* ---- the demo ---- */

static const char SQL_DEMO_ELDERS[] =
    "SELECT r.id, r.building_id, r.birth_date,"
    " (SELECT count(*) FROM resident_tag t WHERE t.resident_id = r.id AND t.tag = '独居老人'),"
    " (SELECT count(*) FROM resident_tag t WHERE t.resident_id = r.id AND t.tag = '低保'),"
    " (SELECT count(*) FROM resident_tag t WHERE t.resident_id = r.id"
    " AND t.tag = '认知障碍高风险')"
    " FROM resident r WHERE r.community = ?1 AND r.status = 'active'"
    " AND EXISTS (SELECT 1 FROM resident_tag t WHERE t.resident_id = r.id"
    " AND t.tag IN ('独居老人', '高龄'))"
    " AND NOT EXISTS (SELECT 1 FROM care_person c WHERE c.resident_id = r.id"
    " AND c.closed_at IS NULL) ORDER BY r.id LIMIT ?2";
/* one tagged 志愿者, else any adult under 60; the last, so that the first stay without accounts */
static const char SQL_DEMO_VOLUNTEER[] =
    "SELECT r.id, r.household_id, r.name FROM resident r"
    " WHERE r.community = ?1 AND r.status = 'active' AND r.birth_date > ?2"
    " AND r.birth_date <= ?3"
    " AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.resident_id = r.id)"
    " ORDER BY CASE WHEN EXISTS (SELECT 1 FROM resident_tag t WHERE t.resident_id = r.id"
    " AND t.tag = '志愿者') THEN 0 ELSE 1 END, r.id DESC LIMIT 1";
static const char SQL_DEMO_RESIDENT_HOUSEHOLD[] =
    "SELECT household_id, name FROM resident WHERE id = ?1";
static const char SQL_STREET_COMMUNITIES[] =
    "SELECT code FROM division WHERE parent_code = ?1 AND level = 5 ORDER BY code";
static const char SQL_DEMO_USER[] = "SELECT id FROM app_user WHERE username = ?1";

Error *care_store_demo_elders(Store *st, Arena *a, const char *community, int64_t limit,
                              CareDemoElder **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_ELDERS);
    size_t n = 0, cap = 32;
    CareDemoElder *out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, limit);
    while ((r = store_step(s)) == STORE_ROW) {
        out = arena_grow(a, out, n, &cap, sizeof(*out));
        out[n] = (CareDemoElder){
            .resident_id = store_column_int64(s, 0),
            .building_id = store_column_int64(s, 1),
            .birth_date = store_column_text(s, a, 2),
            .alone = store_column_int64(s, 3) > 0,
            .low_income = store_column_int64(s, 4) > 0,
            .dementia_risk = store_column_int64(s, 5) > 0,
        };
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    return NULL;
}

Error *care_store_street_communities(Store *st, Arena *a, const char *street, const char ***ret,
                                     size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_STREET_COMMUNITIES);
    size_t n = 0, cap = 32;
    const char **out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    store_bind_text(s, 1, street);
    while ((r = store_step(s)) == STORE_ROW) {
        out = arena_grow(a, out, n, &cap, sizeof(*out));
        out[n++] = store_column_text(s, a, 0);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    return NULL;
}

Error *care_store_demo_volunteer(Store *st, Arena *a, const char *community, int64_t *ret_id,
                                 int64_t *ret_household, const char **ret_name)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_VOLUNTEER);

    char today[11], y60[11], y18[11];
    int y, m, d;

    *ret_id = 0;
    care_day(time_now_ms(), today);
    if (!date_parse(today, &y, &m, &d))
        return error_internal(a, "today unreadable");
    memcpy(y60, today, sizeof(today));
    memcpy(y18, today, sizeof(today));
    y60[0] = (char)('0' + (y - 60) / 1000);
    y60[1] = (char)('0' + (y - 60) / 100 % 10);
    y60[2] = (char)('0' + (y - 60) / 10 % 10);
    y60[3] = (char)('0' + (y - 60) % 10);
    y18[0] = (char)('0' + (y - 18) / 1000);
    y18[1] = (char)('0' + (y - 18) / 100 % 10);
    y18[2] = (char)('0' + (y - 18) / 10 % 10);
    y18[3] = (char)('0' + (y - 18) % 10);
    store_bind_text(s, 1, community);
    store_bind_text(s, 2, y60);
    store_bind_text(s, 3, y18);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        *ret_household = store_column_int64(s, 1);
        *ret_name = store_column_text(s, a, 2);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *care_store_demo_household(Store *st, Arena *a, int64_t resident_id, int64_t *ret_household,
                                 const char **ret_name)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_RESIDENT_HOUSEHOLD);

    *ret_household = 0;
    store_bind_int64(s, 1, resident_id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_household = store_column_int64(s, 0);
        *ret_name = store_column_text(s, a, 1);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *care_store_user_by_name(Store *st, Arena *a, const char *username, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_USER);

    *ret_id = 0;
    store_bind_text(s, 1, username);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

/* ---- helpers to pair ---- */

static const char SQL_HELPERS[] =
    "SELECT u.id, coalesce(nullif(u.display_name, ''), u.username), u.role,"
    " (SELECT count(*) FROM care_pair p JOIN care_person c ON c.id = p.care_id"
    " WHERE p.user_id = u.id AND p.ended_at IS NULL AND c.closed_at IS NULL),"
    " CASE WHEN EXISTS (SELECT 1 FROM resident_tag t WHERE t.resident_id = u.resident_id"
    " AND t.tag = '志愿者') THEN 1 ELSE 0 END"
    " FROM app_user u WHERE u.scope = ?1 AND u.disabled = 0 AND u.state = 'active'"
    " AND u.role IN ('grid_worker', 'resident', 'reporter', 'staff')"
    " AND (?2 = '' OR instr(u.display_name, ?2) > 0 OR instr(u.username, ?2) > 0)"
    " ORDER BY CASE WHEN u.role = 'grid_worker' THEN 0 ELSE 1 END,"
    " CASE WHEN EXISTS (SELECT 1 FROM resident_tag t WHERE t.resident_id = u.resident_id"
    " AND t.tag = '志愿者') THEN 0 ELSE 1 END, u.id LIMIT 100";

Error *care_store_helpers(Store *st, Arena *a, const char *community, const char *q,
                          json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_HELPERS);
    StoreResult r;

    store_bind_text(s, 1, community);
    store_bind_text(s, 2, q ? q : "");
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:o, s:o, s:I, s:b}", "user_id",
                                               (json_int_t)store_column_int64(s, 0), "name",
                                               json_string_or_null(store_column_text(s, a, 1)),
                                               "role",
                                               json_string_or_null(store_column_text(s, a, 2)),
                                               "pairs", (json_int_t)store_column_int64(s, 3),
                                               "volunteer", store_column_int64(s, 4) != 0));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_LAST_VISITS[] =
    "SELECT community, CAST(resident_id AS TEXT), '', resident_id, coalesce(last_visit_at, 0), id"
    " FROM care_person WHERE closed_at IS NULL AND community >= ?1 AND community < ?2";

Error *care_store_last_visits(Store *st, Arena *a, const char *lo, const char *hi,
                              CountRows *out)
{
    return store_count_rows(st, a, store_prepare_bind(st, a, SQL_LAST_VISITS, "tt", lo, hi), out);
}
