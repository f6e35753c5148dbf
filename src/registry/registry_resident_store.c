/*
 * Residents: the only table with sealed personal data. A write seals the ID
 * number and phone, stores their keyed hashes for exact search, their masks
 * for lists and the phone's last four digits for the search box. Every write
 * runs in one transaction (or a caller's), with its history event.
 */
#include <string.h>

#include "core/jsonw.h"
#include "core/mask.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "registry/registry.h"
#include "registry/registry_store.h"
#include "core/banned.h"

#define RESIDENT_SELECT                                                                        \
    "SELECT r.id, r.household_id, r.building_id, r.community, b.name, h.unit, h.floor, h.room," \
    " r.name, r.gender, r.birth_date, r.id_masked, r.phone_masked, r.relation, r.status,"       \
    " r.moved_in, r.moved_out,"                                                                 \
    " (SELECT group_concat(x.tag, ',') FROM (SELECT t.tag FROM resident_tag t"                 \
    " WHERE t.resident_id = r.id ORDER BY t.tag COLLATE \"C\") x),"                            \
    " r.created_at, r.updated_at"                                                               \
    " FROM resident r JOIN household h ON h.id = r.household_id"                                \
    " JOIN building b ON b.id = r.building_id"

static const char SQL_RESIDENT_GET[] = RESIDENT_SELECT " WHERE r.id = ?1";
static const char SQL_RESIDENT_SECRETS[] = "SELECT id_enc, phone_enc FROM resident WHERE id = ?1";
static const char SQL_RESIDENT_HISTORY[] =
    "SELECT e.kind, e.date, e.household_id, e.reason, e.created_at"
    " FROM residence_event e WHERE e.resident_id = ?1 ORDER BY e.id";

static const char SQL_RESIDENT_INSERT[] =
    "INSERT INTO resident (household_id, building_id, community, name, name_initials, gender,"
    " birth_date, id_hash, id_enc, id_masked, phone_hash, phone_enc, phone_masked, phone_last4,"
    " relation, status, moved_in, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'active', ?16,"
    " ?17, ?17) RETURNING id";
static const char SQL_RESIDENT_DUPLICATE[] =
    "SELECT id FROM resident WHERE id_hash = ?1 AND status = 'active'";
/* without an ID number, the same person is the same name and birth date in the household */
static const char SQL_RESIDENT_SAME_PERSON[] =
    "SELECT id FROM resident WHERE household_id = ?1 AND name = ?2 AND birth_date = ?3"
    " AND status = 'active' LIMIT 1";
static const char SQL_TAG_EXISTS[] = "SELECT 1 FROM tag WHERE name = ?1";
static const char SQL_RESIDENT_TAG_INSERT[] =
    "INSERT INTO resident_tag (resident_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
static const char SQL_RESIDENT_TAGS[] = "SELECT tag FROM resident_tag WHERE resident_id = ?1";
static const char SQL_RESIDENT_TAG_DELETE[] =
    "DELETE FROM resident_tag WHERE resident_id = ?1 AND tag = ?2";
static const char SQL_EVENT_INSERT[] =
    "INSERT INTO residence_event (resident_id, kind, household_id, date, reason, actor_id,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static const char SQL_RESIDENT_CURRENT[] =
    "SELECT household_id, name, gender, birth_date, id_enc, relation, status FROM resident WHERE id = ?1";
static const char SQL_RESIDENT_UPDATE[] =
    "UPDATE resident SET household_id = ?2, building_id = ?3, community = ?4, name = ?5,"
    " name_initials = ?6, gender = ?7, birth_date = ?8, relation = ?9, updated_at = ?10"
    " WHERE id = ?1";
static const char SQL_RESIDENT_UPDATE_ID[] =
    "UPDATE resident SET id_hash = ?2, id_enc = ?3, id_masked = ?4 WHERE id = ?1";
static const char SQL_RESIDENT_UPDATE_PHONE[] =
    "UPDATE resident SET phone_hash = ?2, phone_enc = ?3, phone_masked = ?4, phone_last4 = ?5"
    " WHERE id = ?1";
static const char SQL_RESIDENT_MOVE_OUT[] =
    "UPDATE resident SET status = 'moved_out', moved_out = ?2, updated_at = ?3"
    " WHERE id = ?1 AND status = 'active'";

static const char SQL_RESIDENT_ROWS[] =
    "SELECT r.id, b.name, h.unit, h.floor, h.room, h.area_m2, r.name, r.gender, r.birth_date,"
    " r.id_enc, r.phone_enc, r.relation,"
    " (SELECT group_concat(x.tag, '、') FROM (SELECT t.tag FROM resident_tag t"
    " WHERE t.resident_id = r.id ORDER BY t.tag COLLATE \"C\") x), r.moved_in"
    " FROM resident r JOIN household h ON h.id = r.household_id JOIN building b ON b.id = r.building_id"
    " WHERE r.community = ?1 AND r.status = 'active' ORDER BY b.id, h.unit, h.floor, h.room, r.id";

char *registry_address(Arena *a, const char *building, int64_t unit, const char *room)
{
    size_t nb = strlen(building), nr = strlen(room), n = 0;
    char *out = arena_alloc(a, nb + nr + 24 + sizeof("单元室"));

    /* "%s%lld单元%s室" without printf: it runs for every row of every list */
    memcpy(out, building, nb);
    n = nb + jsonw_format_int(out + nb, unit);
    memcpy(out + n, "单元", sizeof("单元") - 1);
    n += sizeof("单元") - 1;
    memcpy(out + n, room, nr);
    n += nr;
    memcpy(out + n, "室", sizeof("室"));
    return out;
}

static void tags_write_json(JsonW *w, const char *csv)
{
    const char *p = csv;

    jsonw_array(w);
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);

        jsonw_stringn(w, p, n);
        p = comma ? comma + 1 : NULL;
    }
    jsonw_array_end(w);
}

static void time_write_json(JsonW *w, const char *key, int64_t ms)
{
    char buf[TIME_RFC3339_BUF];

    time_rfc3339_buf(buf, ms);
    jsonw_kstring(w, key, buf);
}

/*
 * The members of a resident's object, from a row of RESIDENT_SELECT, written
 * straight as JSON text (jansson objects cost more than the query). @full,
 * when given, shows the unmasked ID number and phone instead of the masks.
 */
static void resident_members(JsonW *w, StoreStmt *s, Arena *a, const char *today,
                             const ResidentSecrets *full, ResidentRef *ret)
{
    const char *community = store_column_text(s, a, 3);
    const char *building = store_column_text(s, a, 4);
    const char *room = store_column_text(s, a, 7);
    const char *birth = store_column_text(s, a, 10);
    int64_t unit = store_column_int64(s, 5);

    jsonw_kint(w, "id", store_column_int64(s, 0));
    jsonw_kint(w, "household_id", store_column_int64(s, 1));
    jsonw_kint(w, "building_id", store_column_int64(s, 2));
    jsonw_kstring(w, "community", community);
    jsonw_kstring(w, "building_name", building);
    jsonw_kstring(w, "address", registry_address(a, building ? building : "", unit, room ? room : ""));
    jsonw_kint(w, "unit", unit);
    jsonw_kint(w, "floor", store_column_int64(s, 6));
    jsonw_kstring(w, "room", room);
    jsonw_kstring(w, "name", store_column_text(s, a, 8));
    jsonw_kstring(w, "gender", store_column_text(s, a, 9));
    jsonw_kstring(w, "birth_date", birth);
    jsonw_kint(w, "age", birth ? age_on(birth, today) : -1);
    jsonw_kstring(w, "id_number", full ? full->id_number : store_column_text(s, a, 11));
    jsonw_kstring(w, "phone", full ? full->phone : store_column_text(s, a, 12));
    jsonw_kstring(w, "relation", store_column_text(s, a, 13));
    jsonw_kstring(w, "status", store_column_text(s, a, 14));
    jsonw_kstring(w, "moved_in", store_column_text(s, a, 15));
    jsonw_kstring(w, "moved_out", store_column_text(s, a, 16));
    jsonw_key(w, "tags");
    tags_write_json(w, store_column_text(s, a, 17));
    time_write_json(w, "created_at", store_column_int64(s, 18));
    time_write_json(w, "updated_at", store_column_int64(s, 19));
    if (ret) {
        ret->household_id = store_column_int64(s, 1);
        ret->community = community;
    }
}

/*
 * The search's WHERE clause, made of fixed fragments for the filters in use,
 * so that SQLite can drive each shape from its best index: (community,
 * status) for lists in rowid order, phone_last4, the hashes, the tag index.
 * An OR-of-optional-parameters query would scan every row instead.
 */
typedef struct SearchSql {
    StrBuf sb;
    struct {
        const char *text;
        const void *blob;
        int64_t i;
        int kind;  /* 0 text, 1 integer, 2 blob */
    } params[16];
    int n;
} SearchSql;

/*
 * Appends @fragment with each "%d" in it written as the newest parameter's
 * number. Not printf: a search builds a dozen fragments per request, and
 * vsnprintf (run twice by strbuf_addf, to size and to write) cost more than
 * the rest of the SQL text.
 */
static void add_fragment(SearchSql *q, const char *fragment)
{
    char num[24];
    size_t num_len = jsonw_format_int(num, q->n);
    const char *p = fragment, *d;

    while ((d = strstr(p, "%d"))) {
        strbuf_add(&q->sb, p, (size_t)(d - p));
        strbuf_add(&q->sb, num, num_len);
        p = d + 2;
    }
    strbuf_adds(&q->sb, p);
}

static void param_text(SearchSql *q, const char *fragment, const char *v)
{
    q->params[q->n].kind = 0;
    q->params[q->n].text = v;
    q->n++;
    add_fragment(q, fragment);
}

static void param_int(SearchSql *q, const char *fragment, int64_t v)
{
    q->params[q->n].kind = 1;
    q->params[q->n].i = v;
    q->n++;
    add_fragment(q, fragment);
}

static void search_from_where(SearchSql *q, const ResidentFilter *f)
{
    /* a tag drives the search from its index, already in resident id order */
    if (f->tag) {
        /* CROSS JOIN keeps SQLite's order; the condition in WHERE, as PostgreSQL asks */
        param_text(q, " FROM resident_tag t CROSS JOIN resident r"
                      " WHERE r.id = t.resident_id AND t.tag = ?%d", f->tag);
        if (strlen(f->lo) == 12) {
            param_text(q, " AND r.community = ?%d", f->lo);
        } else {
            param_text(q, " AND r.community >= ?%d", f->lo);
            param_text(q, " AND r.community < ?%d", f->hi);
        }
    } else if (strlen(f->lo) == 12) {
        param_text(q, " FROM resident r WHERE r.community = ?%d", f->lo);
    } else {
        /*
         * A street (or more): community by community, so that each index
         * (community, status, X) is searched for X in every one of them; a
         * range of communities would leave X to be checked row by row over
         * the whole street (17 ms for four phone digits at 100k, 0.1 ms so).
         */
        param_text(q, " FROM resident r WHERE r.community IN (SELECT d.code FROM division d"
                      " WHERE d.code >= ?%d", f->lo);
        param_text(q, " AND d.code < ?%d)", f->hi);
    }
    /* the status as a literal: the partial indexes (WHERE status = 'active')
     * make a bound status expire the statement at every run, so SQLite would
     * parse and plan it again each time */
    if (f->status && strcmp(f->status, "active") == 0)
        strbuf_adds(&q->sb, " AND r.status = 'active'");
    else if (f->status && strcmp(f->status, "moved_out") == 0)
        strbuf_adds(&q->sb, " AND r.status = 'moved_out'");
    else if (f->status)
        param_text(q, " AND r.status = ?%d", f->status);
    if (f->household_id)
        param_int(q, " AND r.household_id = ?%d", f->household_id);
    if (f->building_id)
        param_int(q, " AND r.building_id = ?%d", f->building_id);
    if (f->key_population)
        strbuf_adds(&q->sb, " AND EXISTS (SELECT 1 FROM resident_tag kt JOIN tag kg ON kg.name = kt.tag"
                            " WHERE kt.resident_id = r.id AND kg.key_population = 1)");
    if (f->living_alone)
        strbuf_adds(&q->sb, " AND r.status = 'active' AND NOT EXISTS (SELECT 1 FROM resident o"
                            " WHERE o.household_id = r.household_id AND o.status = 'active'"
                            " AND o.id <> r.id)");
    if (f->name_lo) {
        param_text(q, " AND r.name >= ?%d", f->name_lo);
        param_text(q, " AND r.name < ?%d", f->name_hi);
    }
    if (f->name_like)
        param_text(q, " AND r.name LIKE ?%d ESCAPE '\\'", f->name_like);
    if (f->initials_lo) {
        param_text(q, " AND r.name_initials >= ?%d", f->initials_lo);
        param_text(q, " AND r.name_initials < ?%d", f->initials_hi);
    }
    if (f->last4)
        param_text(q, " AND r.phone_last4 = ?%d", f->last4);
    if (f->hash) {
        q->params[q->n].kind = 2;
        q->params[q->n].blob = f->hash;
        q->n++;
        /* driven by the hash indexes (SQLite plans the OR of the two as a
         * scan of the community); the ID's is partial: active residents */
        if (f->status && strcmp(f->status, "active") == 0)
            add_fragment(q, " AND r.id IN (SELECT h.id FROM resident h WHERE h.id_hash = ?%d"
                            " AND h.status = 'active' UNION ALL"
                            " SELECT h.id FROM resident h WHERE h.phone_hash = ?%d)");
        else
            add_fragment(q, " AND (r.id_hash = ?%d OR r.phone_hash = ?%d)");
    }
}

static StoreStmt *search_prepare(Store *st, Arena *a, SearchSql *q)
{
    const char *sql = strbuf_finish(&q->sb, NULL);
    StoreStmt *s = store_prepare_text(st, a, sql ? sql : "SELECT NULL WHERE 1 = 0");

    for (int i = 0; i < q->n; i++) {
        if (q->params[i].kind == 0)
            store_bind_text(s, i + 1, q->params[i].text);
        else if (q->params[i].kind == 1)
            store_bind_int64(s, i + 1, q->params[i].i);
        else
            store_bind_blob(s, i + 1, q->params[i].blob, CRYPTO_HASH_BYTES);
    }
    return s;
}

/*
 * The active residents of a range of communities, all of them or those with
 * a tag (a key population in a community or a street), are counted by the
 * counters of schema 9, kept by triggers in every write's transaction: the
 * rows themselves would be one resident lookup per tagged resident, seconds
 * for a street at a million, and an index entry per resident otherwise.
 */
static const char SQL_TAG_TOTAL[] =
    "SELECT coalesce(sum(n), 0) FROM tag_count WHERE tag = ?1 AND community >= ?2 AND community < ?3";

static const char SQL_ACTIVE_TOTAL[] =
    "SELECT coalesce(sum(n), 0) FROM resident_count WHERE community >= ?1 AND community < ?2";

/* Active residents in the range, with at most a tag: what the counters count. */
static bool counted(const ResidentFilter *f)
{
    return f->status && strcmp(f->status, "active") == 0 && !f->household_id &&
           !f->building_id && !f->key_population && !f->living_alone && !f->name_lo &&
           !f->name_like && !f->initials_lo && !f->last4 && !f->hash;
}

/* The total of a counted() filter: the tag's counters, or the age counters for all. */
static Error *counted_total(Store *st, Arena *a, const ResidentFilter *f, int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, f->tag ? SQL_TAG_TOTAL : SQL_ACTIVE_TOTAL);
    int i = 1;

    if (f->tag)
        store_bind_text(s, i++, f->tag);
    store_bind_text(s, i++, f->lo);
    store_bind_text(s, i, f->hi);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

/*
 * The whole register of a street (or more) in id order, with no filter: each
 * community's (community, status) index is already in id order, so the page
 * is merged from the first offset + limit ids of each community, and the
 * total is the sum of the age counters (schema 9). One query over the range
 * would gather and sort every resident of the street for twenty of them
 * (350 ms for a street of a million).
 */
#define MERGE_MAX 20000 /* ids per community at most (page 1,000 of 20); deeper pages take the one query */

static const char SQL_RANGE_COMMUNITIES[] =
    "SELECT d.code FROM division d WHERE d.code >= ?1 AND d.code < ?2 AND length(d.code) = 12";
static const char SQL_COMMUNITY_IDS[] =
    "SELECT id FROM resident WHERE community = ?1 AND status = 'active' ORDER BY id LIMIT ?2";
static const char SQL_RESIDENTS_OF_IDS[] =
    RESIDENT_SELECT " WHERE r.id IN (SELECT value FROM json_each(?1)) ORDER BY r.id";
/* the ids' JSON array as rows: each dialect has its own function */
static const char SQL_RESIDENTS_OF_IDS_PG[] =
    RESIDENT_SELECT " WHERE r.id IN (SELECT CAST(value AS BIGINT)"
    " FROM json_array_elements_text(CAST(?1 AS json))) ORDER BY r.id";

static bool whole_range(const ResidentFilter *f, int64_t limit)
{
    return strlen(f->lo) != 12 && counted(f) && !f->tag && f->offset >= 0 &&
           f->offset + limit <= MERGE_MAX;
}

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

    return (a > b) - (a < b);
}

static Error *range_ids(Store *st, Arena *a, const ResidentFilter *f, int64_t want,
                        int64_t **ret_ids, size_t *ret_n)
{
    StoreStmt *c = store_prepare(st, a, SQL_RANGE_COMMUNITIES);
    size_t n = 0, cap = 256;
    int64_t *ids = arena_alloc(a, cap * sizeof(int64_t));
    StoreResult rc, r;

    store_bind_text(c, 1, f->lo);
    store_bind_text(c, 2, f->hi);
    while ((rc = store_step(c)) == STORE_ROW) {
        StoreStmt *s = store_prepare(st, a, SQL_COMMUNITY_IDS);

        store_bind_text(s, 1, store_column_text(c, a, 0));
        store_bind_int64(s, 2, want);
        while ((r = store_step(s)) == STORE_ROW) {
            if (n == cap) {
                int64_t *more = arena_alloc(a, 2 * cap * sizeof(int64_t));

                memcpy(more, ids, n * sizeof(int64_t));
                ids = more;
                cap *= 2;
            }
            ids[n++] = store_column_int64(s, 0);
        }
        store_reset(s);
        if (r != STORE_DONE)
            return store_error(st, a);
    }
    if (rc != STORE_DONE)
        return store_error(st, a);
    store_reset(c);
    qsort(ids, n, sizeof(int64_t), cmp_id);
    *ret_ids = ids;
    *ret_n = n;
    return NULL;
}

static Error *residents_merged(Store *st, Arena *a, const ResidentFilter *f, int64_t limit,
                               JsonW *items, int64_t *ret_total)
{
    int64_t *ids = NULL;
    size_t n = 0;
    StrBuf list;
    char today[11];
    StoreStmt *s;
    StoreResult r;
    Error *err = range_ids(st, a, f, f->offset + limit, &ids, &n);

    if (err)
        return err;
    strbuf_init(&list, a, 24 * (size_t)limit + 2);
    strbuf_addc(&list, '[');
    for (size_t i = (size_t)f->offset; i < n && i < (size_t)(f->offset + limit); i++) {
        char num[24];

        if (i > (size_t)f->offset)
            strbuf_addc(&list, ',');
        strbuf_add(&list, num, jsonw_format_int(num, ids[i]));
    }
    strbuf_addc(&list, ']');
    s = store_prepare(st, a, store_sql(st, SQL_RESIDENTS_OF_IDS, SQL_RESIDENTS_OF_IDS_PG));
    store_bind_text(s, 1, strbuf_finish(&list, NULL));
    date_today(today);
    while ((r = store_step(s)) == STORE_ROW) {
        jsonw_object(items);
        resident_members(items, s, a, today, NULL, NULL);
        jsonw_object_end(items);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return counted_total(st, a, f, ret_total);
}

/*
 * The page's residents with their joins, the ids chosen by the WHERE in a
 * subquery so that the joins run for 20 rows, not 20,000; then the count
 * (indexes only), unless the page already tells it: a first page with room
 * to spare holds every match, as a search by phone digits or name mostly does.
 */
Error *registry_store_residents(Store *st, Arena *a, const ResidentFilter *f, JsonW *items,
                                int64_t *ret_total)
{
    int64_t limit = f->limit < 200 ? f->limit : 200, rows = 0;
    SearchSql q = { 0 };
    char today[11];
    StoreStmt *s;
    StoreResult r;

    if (whole_range(f, limit))
        return residents_merged(st, a, f, limit, items, ret_total);
    strbuf_init(&q.sb, a, 4096);
    strbuf_adds(&q.sb, RESIDENT_SELECT " WHERE r.id IN (SELECT r.id");
    search_from_where(&q, f);
    /* by the tag index's own order, which SQLite does not know is r.id's: it
     * would otherwise look up and sort every tagged resident for one page */
    param_int(&q, f->tag ? " ORDER BY t.resident_id LIMIT ?%d" : " ORDER BY r.id LIMIT ?%d", limit);
    param_int(&q, " OFFSET ?%d) ORDER BY r.id", f->offset);
    s = search_prepare(st, a, &q);
    date_today(today);
    while ((r = store_step(s)) == STORE_ROW) {
        jsonw_object(items);
        resident_members(items, s, a, today, NULL, NULL);
        jsonw_object_end(items);
        rows++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (f->offset == 0 && rows < limit) {
        *ret_total = rows;
        return NULL;
    }

    if (counted(f))
        return counted_total(st, a, f, ret_total);
    memset(&q, 0, sizeof(q));
    strbuf_init(&q.sb, a, 4096);
    strbuf_adds(&q.sb, "SELECT count(*)");
    search_from_where(&q, f);
    s = search_prepare(st, a, &q);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

static Error *history_write(Store *st, Arena *a, int64_t id, JsonW *w)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT_HISTORY);
    StoreResult r;

    store_bind_int64(s, 1, id);
    jsonw_array(w);
    while ((r = store_step(s)) == STORE_ROW) {
        jsonw_object(w);
        jsonw_kstring(w, "kind", store_column_text(s, a, 0));
        jsonw_kstring(w, "date", store_column_text(s, a, 1));
        jsonw_key(w, "household_id");
        if (store_column_is_null(s, 2))
            jsonw_null(w);
        else
            jsonw_int(w, store_column_int64(s, 2));
        jsonw_kstring(w, "reason", store_column_text(s, a, 3));
        time_write_json(w, "at", store_column_int64(s, 4));
        jsonw_object_end(w);
    }
    jsonw_array_end(w);
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *registry_store_resident_write(Store *st, Arena *a, int64_t id, const ResidentSecrets *full,
                                     JsonW *w, ResidentRef *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT_GET);
    char today[11];
    Error *err;

    ret->community = NULL;
    ret->household_id = 0;
    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
    date_today(today);
    jsonw_object(w);
    resident_members(w, s, a, today, full, ret);
    store_reset(s);
    jsonw_key(w, "history");
    err = history_write(st, a, id, w);
    if (err)
        return err;
    if (full) {
        jsonw_key(w, "revealed");
        jsonw_bool(w, true);
    }
    jsonw_object_end(w);
    return NULL;
}

Error *registry_store_resident_reveal(Store *st, Arena *a, const CryptoKeys *k, int64_t id,
                                      const char **ret_id_number, const char **ret_phone)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT_SECRETS);
    size_t n;
    void *p;

    store_bind_int64(s, 1, id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    p = store_column_blob(s, a, 0, &n);
    *ret_id_number = p ? crypto_open(k, a, p, n) : NULL;
    p = store_column_blob(s, a, 1, &n);
    *ret_phone = p ? crypto_open(k, a, p, n) : NULL;
    store_reset(s);
    return NULL;
}

static Error *event_insert(Store *st, Arena *a, int64_t resident_id, const char *kind,
                           int64_t household_id, const char *date, const char *reason,
                           int64_t actor_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_EVENT_INSERT);
    char today[11];

    if (!date) {
        date_today(today);
        date = arena_strdup(a, today);
    }
    store_bind_int64(s, 1, resident_id);
    store_bind_text(s, 2, kind);
    if (household_id)
        store_bind_int64(s, 3, household_id);
    store_bind_text(s, 4, date);
    store_bind_text(s, 5, reason);
    if (actor_id)
        store_bind_int64(s, 6, actor_id);
    store_bind_int64(s, 7, time_now_ms());
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static Error *tags_write(Store *st, Arena *a, int64_t id, const ResidentInput *in, bool replace)
{
    StoreStmt *s;

    /*
     * Replacing: only the tags she no longer has go, so that the tag history
     * (resident_tag_event) records what changed, not every tag again.
     */
    if (replace) {
        const char **gone = NULL;
        size_t n_gone = 0, cap = 0;
        StoreResult r;

        s = store_prepare(st, a, SQL_RESIDENT_TAGS);
        store_bind_int64(s, 1, id);
        while ((r = store_step(s)) == STORE_ROW) {
            const char *t = store_column_text(s, a, 0);
            bool kept = false;

            for (size_t i = 0; i < in->n_tags && !kept; i++)
                kept = strcmp(in->tags[i], t) == 0;
            if (kept)
                continue;
            if (!cap) {
                cap = 8;
                gone = arena_alloc(a, cap * sizeof(*gone));
            }
            gone = arena_grow(a, gone, n_gone, &cap, sizeof(*gone));
            gone[n_gone++] = t;
        }
        store_reset(s);
        if (r != STORE_DONE)
            return store_error(st, a);
        for (size_t i = 0; i < n_gone; i++) {
            s = store_prepare(st, a, SQL_RESIDENT_TAG_DELETE);
            store_bind_int64(s, 1, id);
            store_bind_text(s, 2, gone[i]);
            if (store_step(s) != STORE_DONE)
                return store_error(st, a);
            store_reset(s);
        }
    }
    for (size_t i = 0; i < in->n_tags; i++) {
        StoreResult r;

        s = store_prepare(st, a, SQL_TAG_EXISTS);
        store_bind_text(s, 1, in->tags[i]);
        r = store_step(s);
        store_reset(s);
        if (r == STORE_DONE)
            return error_invalid(a, "tags", "unknown_tag",
                                 arena_sprintf(a, "没有“%s”这个标签，请先在标签管理中添加", in->tags[i]));
        if (r != STORE_ROW)
            return store_error(st, a);
        s = store_prepare(st, a, SQL_RESIDENT_TAG_INSERT);
        store_bind_int64(s, 1, id);
        store_bind_text(s, 2, in->tags[i]);
        if (store_step(s) != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
    }
    return NULL;
}

static Error *duplicate_error(Store *st, Arena *a, const uint8_t *hash)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT_DUPLICATE);
    int64_t other = 0;

    store_bind_blob(s, 1, hash, CRYPTO_HASH_BYTES);
    if (store_step(s) == STORE_ROW)
        other = store_column_int64(s, 0);
    store_reset(s);
    return error_conflict(a, "id_number", "duplicate_resident",
                          other ? arena_sprintf(a, "该身份证号的居民已在册（居民编号 %lld），请勿重复登记",
                                                (long long)other)
                                : "该身份证号的居民已在册，请勿重复登记");
}

/* 409 when the household already has an active resident of that name and birth date. */
static Error *same_person_check(Store *st, Arena *a, const ResidentInput *in, int64_t household_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT_SAME_PERSON);
    int64_t other = 0;
    StoreResult r;

    store_bind_int64(s, 1, household_id);
    store_bind_text(s, 2, in->name);
    store_bind_text(s, 3, in->birth_date);
    r = store_step(s);
    if (r == STORE_ROW)
        other = store_column_int64(s, 0);
    store_reset(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    if (!other)
        return NULL;
    return error_conflict(a, "name", "duplicate_resident",
                          arena_sprintf(a, "该户已有同名、同出生日期的居民（居民编号 %lld），请勿重复登记",
                                        (long long)other));
}

typedef struct Sealed {
    uint8_t hash[CRYPTO_HASH_BYTES];
    void *enc;
    size_t enc_len;
    const char *masked;
    char last4[5];
} Sealed;

static void seal(const CryptoKeys *k, Arena *a, const char *value, bool phone, Sealed *out)
{
    crypto_lookup_hash(k, value, out->hash);
    out->enc = crypto_seal(k, a, value, &out->enc_len);
    out->masked = phone ? mask_phone(a, value) : mask_id_number(a, value);
    if (phone) {
        size_t n = strlen(value);

        memcpy(out->last4, value + n - 4, 4);
        out->last4[4] = '\0';
    }
}

static Error *begin_own(Store *st, Arena *a, bool *own)
{
    *own = !store_in_tx(st);
    return *own ? store_begin(st, a) : NULL;
}

static Error *finish_own(Store *st, Arena *a, bool own, Error *err)
{
    if (!own)
        return err;
    if (err) {
        store_rollback(st);
        return err;
    }
    return store_commit(st, a);
}

Error *registry_store_resident_insert(Store *st, Arena *a, const CryptoKeys *k,
                                      const ResidentInput *in, const Household *h, int64_t actor_id,
                                      int64_t *ret_id)
{
    Sealed id_s = { 0 }, phone_s = { 0 };
    StoreStmt *s;
    int64_t id = 0;
    bool own;
    Error *err;

    if (in->id_number)
        seal(k, a, in->id_number, false, &id_s);
    if (in->phone)
        seal(k, a, in->phone, true, &phone_s);
    err = begin_own(st, a, &own);
    if (err)
        return err;
    if (!in->id_number) {
        err = same_person_check(st, a, in, h->id);
        if (err)
            return finish_own(st, a, own, err);
    }
    s = store_prepare(st, a, SQL_RESIDENT_INSERT);
    store_bind_int64(s, 1, h->id);
    store_bind_int64(s, 2, h->building_id);
    store_bind_text(s, 3, h->community);
    store_bind_text(s, 4, in->name);
    store_bind_text(s, 5, text_pinyin_initials(a, in->name));
    store_bind_text(s, 6, in->gender);
    store_bind_text(s, 7, in->birth_date);
    if (in->id_number) {
        store_bind_blob(s, 8, id_s.hash, CRYPTO_HASH_BYTES);
        store_bind_blob(s, 9, id_s.enc, id_s.enc_len);
        store_bind_text(s, 10, id_s.masked);
    }
    if (in->phone) {
        store_bind_blob(s, 11, phone_s.hash, CRYPTO_HASH_BYTES);
        store_bind_blob(s, 12, phone_s.enc, phone_s.enc_len);
        store_bind_text(s, 13, phone_s.masked);
        store_bind_text(s, 14, phone_s.last4);
    }
    store_bind_text(s, 15, in->relation ? in->relation : "");
    store_bind_text(s, 16, in->moved_in);
    store_bind_int64(s, 17, time_now_ms());
    switch (store_step(s)) {
    case STORE_ROW:
        id = store_column_int64(s, 0);
        store_reset(s);
        break;
    case STORE_CONSTRAINT:
        err = in->id_number ? duplicate_error(st, a, id_s.hash) : store_error(st, a);
        return finish_own(st, a, own, err);
    default:
        return finish_own(st, a, own, store_error(st, a));
    }
    err = tags_write(st, a, id, in, false);
    if (!err)
        err = event_insert(st, a, id, "move_in", h->id, in->moved_in, NULL, actor_id);
    err = finish_own(st, a, own, err);
    if (!err)
        *ret_id = id;
    return err;
}

Error *registry_store_resident_update(Store *st, Arena *a, const CryptoKeys *k, int64_t id,
                                      ResidentInput *in, const Household *new_household,
                                      int64_t actor_id)
{
    StoreStmt *s;
    ResidentInput merged = { 0 };
    int64_t household_id;
    Household *h = NULL;
    bool own;
    Error *err;

    err = begin_own(st, a, &own);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_RESIDENT_CURRENT);
    store_bind_int64(s, 1, id);
    if (store_step(s) != STORE_ROW)
        return finish_own(st, a, own, error_not_found(a, "id", NULL));
    household_id = store_column_int64(s, 0);
    merged.name = store_column_text(s, a, 1);
    merged.gender = store_column_text(s, a, 2);
    merged.birth_date = store_column_text(s, a, 3);
    if (!store_column_is_null(s, 4)) {
        size_t n;
        void *p = store_column_blob(s, a, 4, &n);

        merged.id_number = crypto_open(k, a, p, n);
    }
    merged.relation = store_column_text(s, a, 5);
    if (strcmp(store_column_text(s, a, 6), "active") != 0) {
        store_reset(s);
        return finish_own(st, a, own, error_conflict(a, NULL, "moved_out", "该居民已迁出，不能修改"));
    }
    store_reset(s);

    if (in->set & RES_NAME)
        merged.name = in->name;
    if (in->set & RES_GENDER)
        merged.gender = in->gender;
    if (in->set & RES_BIRTH)
        merged.birth_date = in->birth_date;
    if (in->set & RES_ID_NUMBER)
        merged.id_number = in->id_number;
    if (in->set & RES_RELATION)
        merged.relation = in->relation;
    /* re-derive consistency from the ID number only when one of the three changed */
    if (in->set & (RES_ID_NUMBER | RES_BIRTH | RES_GENDER)) {
        if ((in->set & RES_ID_NUMBER) && merged.id_number && !(in->set & RES_BIRTH))
            merged.birth_date = NULL;
        if ((in->set & RES_ID_NUMBER) && merged.id_number && !(in->set & RES_GENDER))
            merged.gender = NULL;
        err = registry_check_resident(a, &merged);
        if (err)
            return finish_own(st, a, own, err);
    }

    if (new_household)
        h = (Household *)new_household;
    else {
        err = registry_store_household_get(st, a, household_id, &h);
        if (err || !h)
            return finish_own(st, a, own, err ? err : error_internal(a, "household %lld missing", (long long)household_id));
    }
    s = store_prepare(st, a, SQL_RESIDENT_UPDATE);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, h->id);
    store_bind_int64(s, 3, h->building_id);
    store_bind_text(s, 4, h->community);
    store_bind_text(s, 5, merged.name);
    store_bind_text(s, 6, text_pinyin_initials(a, merged.name));
    store_bind_text(s, 7, merged.gender);
    store_bind_text(s, 8, merged.birth_date);
    store_bind_text(s, 9, merged.relation ? merged.relation : "");
    store_bind_int64(s, 10, time_now_ms());
    if (store_step(s) != STORE_DONE)
        return finish_own(st, a, own, store_error(st, a));
    store_reset(s);

    if (in->set & RES_ID_NUMBER) {
        Sealed sl = { 0 };

        s = store_prepare(st, a, SQL_RESIDENT_UPDATE_ID);
        store_bind_int64(s, 1, id);
        if (in->id_number) {
            seal(k, a, in->id_number, false, &sl);
            store_bind_blob(s, 2, sl.hash, CRYPTO_HASH_BYTES);
            store_bind_blob(s, 3, sl.enc, sl.enc_len);
            store_bind_text(s, 4, sl.masked);
        }
        switch (store_step(s)) {
        case STORE_DONE:
            store_reset(s);
            break;
        case STORE_CONSTRAINT:
            return finish_own(st, a, own, duplicate_error(st, a, sl.hash));
        default:
            return finish_own(st, a, own, store_error(st, a));
        }
    }
    if (in->set & RES_PHONE) {
        Sealed sl = { 0 };

        s = store_prepare(st, a, SQL_RESIDENT_UPDATE_PHONE);
        store_bind_int64(s, 1, id);
        if (in->phone) {
            seal(k, a, in->phone, true, &sl);
            store_bind_blob(s, 2, sl.hash, CRYPTO_HASH_BYTES);
            store_bind_blob(s, 3, sl.enc, sl.enc_len);
            store_bind_text(s, 4, sl.masked);
            store_bind_text(s, 5, sl.last4);
        }
        if (store_step(s) != STORE_DONE)
            return finish_own(st, a, own, store_error(st, a));
        store_reset(s);
    }
    if (in->set & RES_TAGS) {
        err = tags_write(st, a, id, in, true);
        if (err)
            return finish_own(st, a, own, err);
    }
    if (new_household && new_household->id != household_id) {
        err = event_insert(st, a, id, "transfer", new_household->id, NULL, NULL, actor_id);
        if (err)
            return finish_own(st, a, own, err);
    }
    return finish_own(st, a, own, NULL);
}

Error *registry_store_resident_move_out(Store *st, Arena *a, int64_t id, const char *date,
                                        const char *reason, int64_t actor_id)
{
    StoreStmt *s;
    char today[11];
    bool own;
    Error *err;

    if (!date) {
        date_today(today);
        date = arena_strdup(a, today);
    }
    err = begin_own(st, a, &own);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_RESIDENT_MOVE_OUT);
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, date);
    store_bind_int64(s, 3, time_now_ms());
    if (store_step(s) != STORE_DONE)
        return finish_own(st, a, own, store_error(st, a));
    store_reset(s);
    if (store_changes(st) == 0)
        return finish_own(st, a, own, error_conflict(a, NULL, "already_moved_out", "该居民已迁出"));
    err = event_insert(st, a, id, "move_out", 0, date, reason, actor_id);
    return finish_own(st, a, own, err);
}

Error *registry_store_resident_rows(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                                    void (*fn)(const ResidentRow *row, void *ctx), void *ctx,
                                    int64_t *ret_count)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT_ROWS);
    Arena *row_arena = arena_new(4096);
    int64_t count = 0;
    StoreResult r;

    store_bind_text(s, 1, community);
    while ((r = store_step(s)) == STORE_ROW) {
        ResidentRow row = { 0 };
        size_t n;
        void *p;

        arena_reset(row_arena);
        row.id = store_column_int64(s, 0);
        row.building = store_column_text(s, row_arena, 1);
        row.unit = store_column_int64(s, 2);
        row.floor = store_column_int64(s, 3);
        row.room = store_column_text(s, row_arena, 4);
        row.has_area = !store_column_is_null(s, 5);
        row.area_m2 = store_column_double(s, 5);
        row.name = store_column_text(s, row_arena, 6);
        row.gender = store_column_text(s, row_arena, 7);
        row.birth_date = store_column_text(s, row_arena, 8);
        p = store_column_blob(s, row_arena, 9, &n);
        row.id_number = p ? crypto_open(k, row_arena, p, n) : NULL;
        p = store_column_blob(s, row_arena, 10, &n);
        row.phone = p ? crypto_open(k, row_arena, p, n) : NULL;
        row.relation = store_column_text(s, row_arena, 11);
        row.tags = store_column_text(s, row_arena, 12);
        row.moved_in = store_column_text(s, row_arena, 13);
        fn(&row, ctx);
        count++;
    }
    arena_free(row_arena);
    if (r != STORE_DONE)
        return store_error(st, a);
    *ret_count = count;
    return NULL;
}
