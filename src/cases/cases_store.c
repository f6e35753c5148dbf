/*
 * Cases and their steps: insert, read, list, take a step, the overdue
 * sweep, duplicates, photos.
 *
 * Functions that write expect the caller's write transaction (store_begin,
 * BEGIN IMMEDIATE). A step is one UPDATE whose WHERE clause holds the states
 * it may start from (from the table in cases_rules.c); if it changed no row
 * the case had moved on, and the step is refused with a 409. The case_step
 * row is written in the same transaction, so history and state never
 * disagree.
 */
#include <stdio.h>
#include <string.h>

#include "cases/cases.h"
#include "core/crypto.h"
#include "core/mask.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define CASE_SELECT                                                                              \
    "SELECT c.id, c.community, c.category_id, k.code, k.name, c.description,"                   \
    " coalesce(c.building_id, 0), b.name, coalesce(c.unit_no, 0), coalesce(c.grid_id, 0), g.name," \
    " c.lat IS NOT NULL, coalesce(c.lat, 0), coalesce(c.lon, 0), c.address, c.source,"           \
    " coalesce(c.reporter_id, 0), u.display_name, coalesce(c.logged_by, 0), c.contact_ok,"       \
    " c.contact_name, c.contact_phone_masked, c.state, c.held_state, coalesce(c.unit_id, 0),"    \
    " n.name, coalesce(c.merged_into, 0), c.last_reason, c.created_at, c.updated_at,"            \
    " c.respond_due, c.resolve_due, coalesce(c.responded_at, 0), coalesce(c.closed_at, 0),"      \
    " c.overdue_respond, c.overdue, coalesce(c.escalated_at, 0), c.to_secretary,"                \
    " c.reopen_count, c.rateable, c.rating, c.rating_comment, coalesce(c.rated_at, 0),"          \
    " c.open311_token, (SELECT count(*) FROM case_photo p WHERE p.case_id = c.id),"             \
    " k.after_photos_required, coalesce(c.completed_at, 0), c.reply"                             \
    " FROM cases c JOIN case_category k ON k.id = c.category_id"                                 \
    " LEFT JOIN building b ON b.id = c.building_id LEFT JOIN grid g ON g.id = c.grid_id"         \
    " LEFT JOIN app_user u ON u.id = c.reporter_id LEFT JOIN case_unit n ON n.id = c.unit_id"

static const char SQL_CASE_GET[] = CASE_SELECT " WHERE c.id = ?1";

static const char SQL_CASE_INSERT[] =
    "INSERT INTO cases (community, category_id, description, building_id, unit_no, grid_id, lat,"
    " lon, address, source, reporter_id, logged_by, contact_ok, contact_name, contact_phone_enc,"
    " contact_phone_masked, state, prev_state, unit_id, month, created_at, updated_at, respond_due,"
    " resolve_due, open311_token, api_key_id)"
    " VALUES (?1, ?2, ?3, nullif(?4, 0), nullif(?5, 0), nullif(?6, 0), ?7, ?8, ?9, ?10,"
    " nullif(?11, 0), nullif(?12, 0), ?13, ?14, ?15, ?16, ?17, ?18, nullif(?19, 0), ?20, ?21, ?21,"
    " ?22, ?23, ?24, nullif(?25, 0)) RETURNING id";

static const char SQL_STEP_INSERT[] =
    "INSERT INTO case_step (case_id, action, from_state, to_state, actor_id, actor_name, unit_id,"
    " reason, at) VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), ?6, nullif(?7, 0), ?8, ?9) RETURNING id";

static const char SQL_PHOTO_ATTACH[] =
    "UPDATE case_photo SET case_id = ?1, kind = ?4, step_id = nullif(?5, 0)"
    " WHERE id = ?2 AND uploader_id = ?3 AND case_id IS NULL";

/*
 * One step. ?3 is the state to go to, or 'held' for the state before the
 * hold. The right-hand sides all see the row as it was, so prev_state is
 * the state the step started from.
 */
static const char SQL_CASE_STEP[] =
    "UPDATE cases SET prev_state = state,"
    " state = CASE WHEN ?3 = 'held' THEN coalesce(held_state, 'accepted') ELSE ?3 END,"
    " held_state = CASE WHEN ?3 = 'on_hold' THEN state ELSE held_state END,"
    " unit_id = CASE WHEN ?4 > 0 THEN ?4 ELSE unit_id END,"
    " responded_at = CASE WHEN ?3 = 'handling' THEN coalesce(responded_at, ?5) ELSE responded_at END,"
    " closed_at = CASE WHEN ?3 = 'closed' THEN ?5 ELSE closed_at END,"
    " merged_into = CASE WHEN ?6 > 0 THEN ?6 ELSE merged_into END,"
    " rateable = CASE WHEN ?3 = 'closed' AND ?6 = 0 AND reporter_id IS NOT NULL THEN 1 ELSE 0 END,"
    " to_secretary = CASE WHEN ?3 = 'dispatched' THEN 0 ELSE to_secretary END,"
    " completed_at = CASE WHEN ?3 IN ('handling', 'dispatched', 'returned') THEN NULL"
    "  ELSE completed_at END,"
    " reply = CASE WHEN ?3 IN ('handling', 'dispatched', 'returned') THEN NULL ELSE reply END,"
    " last_reason = coalesce(?7, last_reason), updated_at = ?5"
    " WHERE id = ?1 AND instr(?2, ',' || state || ',') > 0"
    "  AND (?8 = 0 OR completed_at IS NOT NULL OR (SELECT k.after_photos_required"
    "   FROM case_category k WHERE k.id = cases.category_id) = 0)"
    " RETURNING prev_state, state, coalesce(unit_id, 0), coalesce(reporter_id, 0)";

/* 处置完成: once per round of handling; the case stays 'handling' until verified. */
static const char SQL_CASE_COMPLETE[] =
    "UPDATE cases SET prev_state = state, completed_at = ?3, reply = ?2, updated_at = ?3"
    " WHERE id = ?1 AND state = 'handling' AND completed_at IS NULL"
    " RETURNING prev_state, state, coalesce(unit_id, 0), coalesce(reporter_id, 0)";

/* A rating; an unsatisfied first rating reopens the case (once) for the secretary. */
static const char SQL_CASE_RATE[] =
    "UPDATE cases SET prev_state = state, rating = ?2, rating_comment = ?3, rated_at = ?4,"
    " rateable = 0,"
    " state = CASE WHEN ?2 = 'unsatisfied' AND reopen_count = 0 THEN 'reopened' ELSE state END,"
    " closed_at = CASE WHEN ?2 = 'unsatisfied' AND reopen_count = 0 THEN NULL ELSE closed_at END,"
    " to_secretary = CASE WHEN ?2 = 'unsatisfied' AND reopen_count = 0 THEN 1 ELSE to_secretary END,"
    " reopen_count = CASE WHEN ?2 = 'unsatisfied' AND reopen_count = 0 THEN 1 ELSE reopen_count END,"
    " updated_at = ?4"
    " WHERE id = ?1 AND state = 'closed' AND rateable = 1 AND reporter_id = ?5"
    " RETURNING prev_state, state, coalesce(unit_id, 0), coalesce(reporter_id, 0)";

static const char SQL_CASE_STATE[] =
    "SELECT state, rateable, rating, completed_at IS NOT NULL FROM cases WHERE id = ?1";
static const char SQL_MERGE_TARGET[] =
    "SELECT state, merged_into IS NOT NULL FROM cases WHERE id = ?1 AND community = ?2";
static const char SQL_UNIT_OF_COMMUNITY[] =
    "SELECT 1 FROM case_unit WHERE id = ?1 AND community = ?2 AND active = 1";

static const char SQL_STEPS[] =
    "SELECT s.id, s.action, s.from_state, s.to_state, coalesce(s.actor_id, 0), s.actor_name,"
    " coalesce(s.unit_id, 0), u.name, s.reason, s.at, p.role FROM case_step s"
    " LEFT JOIN case_unit u ON u.id = s.unit_id LEFT JOIN app_user p ON p.id = s.actor_id"
    " WHERE s.case_id = ?1 ORDER BY s.id";
static const char SQL_PHOTOS[] =
    "SELECT id, uploader_id, coalesce(case_id, 0), file, mime, size, coalesce(width, 0),"
    " coalesce(height, 0), kind, coalesce(step_id, 0) FROM case_photo WHERE case_id = ?1"
    " ORDER BY id LIMIT ?2";
static const char SQL_PHOTO_GET[] =
    "SELECT id, uploader_id, coalesce(case_id, 0), file, mime, size, coalesce(width, 0),"
    " coalesce(height, 0), kind, coalesce(step_id, 0) FROM case_photo WHERE id = ?1";
static const char SQL_PHOTO_INSERT[] =
    "INSERT INTO case_photo (uploader_id, file, mime, size, width, height, created_at)"
    " VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), nullif(?6, 0), ?7) RETURNING id";

static const char SQL_ORPHANS_DUE[] =
    "SELECT 1 FROM case_photo WHERE case_id IS NULL AND created_at < ?1 LIMIT 1";
static const char SQL_ORPHANS_DELETE[] =
    "DELETE FROM case_photo WHERE id IN (SELECT id FROM case_photo"
    " WHERE case_id IS NULL AND created_at < ?1 ORDER BY id LIMIT ?2) RETURNING id, file";

static const char SQL_DUPLICATES[] =
    "SELECT id FROM cases WHERE building_id = ?1 AND category_id = ?2 AND created_at >= ?3"
    " AND created_at <= ?4 AND id <> ?5 AND state <> 'closed' ORDER BY id LIMIT 10";

/*
 * The clock of a case on hold stands still: the sweep passes it by (resume
 * moves its deadlines). ORDER BY keeps the check on cases_due under
 * PostgreSQL's generic plan, which would scan the table (booking_sweep_store.c).
 */
static const char SQL_SWEEP_DUE[] =
    "SELECT 1 FROM cases WHERE next_due <= ?1 AND state <> 'on_hold' ORDER BY next_due LIMIT 1";
static const char SQL_SWEEP[] =
    "UPDATE cases SET"
    " overdue_respond = CASE WHEN responded_at IS NULL AND respond_due <= ?1 THEN 1"
    "  ELSE overdue_respond END,"
    " overdue = CASE WHEN state <> 'closed' AND resolve_due <= ?1 THEN 1 ELSE overdue END,"
    " escalated_at = CASE WHEN state <> 'closed' AND resolve_due <= ?1 AND escalated_at IS NULL"
    "  THEN ?1 ELSE escalated_at END"
    " WHERE id IN (SELECT id FROM cases WHERE next_due <= ?1 AND state <> 'on_hold'"
    "  ORDER BY next_due LIMIT 500)"
    " RETURNING id, state, escalated_at = ?1";

/* Resuming: when the hold began, the deadlines, whether a response is still due. */
static const char SQL_HOLD_CLOCK[] =
    "SELECT (SELECT max(at) FROM case_step WHERE case_id = ?1 AND action = 'hold'),"
    " respond_due, resolve_due, responded_at IS NULL FROM cases WHERE id = ?1";
static const char SQL_DEADLINES_SET[] =
    "UPDATE cases SET respond_due = ?2, resolve_due = ?3 WHERE id = ?1";

/* A new round of handling: the category's time limits, the deadlines, whether a response is due. */
static const char SQL_ROUND_CLOCK[] =
    "SELECT k.respond_hours, k.resolve_days, c.respond_due, c.resolve_due, c.responded_at IS NULL"
    " FROM cases c JOIN case_category k ON k.id = c.category_id WHERE c.id = ?1";
/*
 * The deadlines of a new round, and the overdue flags they lift. The
 * response deadline moves only while no response was made (a response's
 * timeliness is counted once, against the deadline it met or missed).
 */
static const char SQL_ROUND_SET[] =
    "UPDATE cases SET respond_due = CASE WHEN responded_at IS NULL THEN ?2 ELSE respond_due END,"
    " resolve_due = ?3,"
    " overdue_respond = CASE WHEN responded_at IS NULL AND ?2 > ?4 THEN 0 ELSE overdue_respond END,"
    " overdue = CASE WHEN ?3 > ?4 THEN 0 ELSE overdue END"
    " WHERE id = ?1";

/* ---- reading ---- */

static Case *read_case(StoreStmt *s, Arena *a)
{
    Case *c = arena_zalloc(a, sizeof(Case));
    int i = 0;

    c->id = store_column_int64(s, i++);
    c->community = store_column_text(s, a, i++);
    c->category_id = store_column_int64(s, i++);
    c->category_code = store_column_text(s, a, i++);
    c->category_name = store_column_text(s, a, i++);
    c->description = store_column_text(s, a, i++);
    c->building_id = store_column_int64(s, i++);
    c->building_name = store_column_text(s, a, i++);
    c->unit_no = store_column_int64(s, i++);
    c->grid_id = store_column_int64(s, i++);
    c->grid_name = store_column_text(s, a, i++);
    c->has_point = store_column_int64(s, i++) != 0;
    c->lat = store_column_double(s, i++);
    c->lon = store_column_double(s, i++);
    c->address = store_column_text(s, a, i++);
    c->source = store_column_text(s, a, i++);
    c->reporter_id = store_column_int64(s, i++);
    c->reporter_name = store_column_text(s, a, i++);
    c->logged_by = store_column_int64(s, i++);
    c->contact_ok = store_column_int64(s, i++) != 0;
    c->contact_name = store_column_text(s, a, i++);
    c->contact_phone_masked = store_column_text(s, a, i++);
    if (!case_state_parse(store_column_text(s, a, i++), &c->state))
        c->state = CASE_ACCEPTED;
    if (!case_state_parse(store_column_text(s, a, i++), &c->held_state))
        c->held_state = CASE_ACCEPTED;
    c->unit_id = store_column_int64(s, i++);
    c->unit_name = store_column_text(s, a, i++);
    c->merged_into = store_column_int64(s, i++);
    c->last_reason = store_column_text(s, a, i++);
    c->created_at = store_column_int64(s, i++);
    c->updated_at = store_column_int64(s, i++);
    c->respond_due = store_column_int64(s, i++);
    c->resolve_due = store_column_int64(s, i++);
    c->responded_at = store_column_int64(s, i++);
    c->closed_at = store_column_int64(s, i++);
    c->overdue_respond = store_column_int64(s, i++) != 0;
    c->overdue = store_column_int64(s, i++) != 0;
    c->escalated_at = store_column_int64(s, i++);
    c->to_secretary = store_column_int64(s, i++) != 0;
    c->reopen_count = (int)store_column_int64(s, i++);
    c->rateable = store_column_int64(s, i++) != 0;
    c->rating = store_column_text(s, a, i++);
    c->rating_comment = store_column_text(s, a, i++);
    c->rated_at = store_column_int64(s, i++);
    c->open311_token = store_column_text(s, a, i++);
    c->n_photos = store_column_int64(s, i++);
    c->after_photos_required = store_column_int64(s, i++) != 0;
    c->completed_at = store_column_int64(s, i++);
    c->reply = store_column_text(s, a, i++);
    return c;
}

static void read_photo(StoreStmt *s, Arena *a, CasePhoto *p)
{
    p->id = store_column_int64(s, 0);
    p->uploader_id = store_column_int64(s, 1);
    p->case_id = store_column_int64(s, 2);
    p->file = store_column_text(s, a, 3);
    p->mime = store_column_text(s, a, 4);
    p->size = store_column_int64(s, 5);
    p->width = (int)store_column_int64(s, 6);
    p->height = (int)store_column_int64(s, 7);
    p->kind = store_column_text(s, a, 8);
    p->step_id = store_column_int64(s, 9);
}

static Error *read_steps(Store *st, Arena *a, Case *c)
{
    StoreStmt *s = store_prepare(st, a, SQL_STEPS);
    size_t n = 0, cap = 16;
    CaseStep *items = arena_alloc(a, cap * sizeof(*items));
    StoreResult r;

    store_bind_int64(s, 1, c->id);
    while ((r = store_step(s)) == STORE_ROW) {
        CaseStep *x;

        items = arena_grow(a, items, n, &cap, sizeof(*items));
        x = &items[n++];
        x->id = store_column_int64(s, 0);
        x->action = store_column_text(s, a, 1);
        x->from_state = store_column_text(s, a, 2);
        x->to_state = store_column_text(s, a, 3);
        x->actor_id = store_column_int64(s, 4);
        x->actor_name = store_column_text(s, a, 5);
        x->unit_id = store_column_int64(s, 6);
        x->unit_name = store_column_text(s, a, 7);
        x->reason = store_column_text(s, a, 8);
        x->at = store_column_int64(s, 9);
        x->actor_role = store_column_text(s, a, 10);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    c->steps = items;
    c->n_steps = n;
    return NULL;
}

static Error *read_photos(Store *st, Arena *a, Case *c)
{
    StoreStmt *s = store_prepare(st, a, SQL_PHOTOS);
    CasePhoto *items = arena_alloc(a, CASES_MAX_CASE_PHOTOS * sizeof(*items));
    size_t n = 0;
    StoreResult r;

    store_bind_int64(s, 1, c->id);
    store_bind_int64(s, 2, CASES_MAX_CASE_PHOTOS);
    while ((r = store_step(s)) == STORE_ROW && n < CASES_MAX_CASE_PHOTOS)
        read_photo(s, a, &items[n++]);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    c->photos = items;
    c->n_photos_list = n;
    return NULL;
}

Error *cases_store_get(Store *st, Arena *a, int64_t id, bool full, Case **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_CASE_GET);
    Case *c;
    Error *err;

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        c = read_case(s, a);
        store_reset(s);
        break;
    case STORE_DONE:
        store_reset(s);
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
    if (full) {
        err = read_steps(st, a, c);
        if (!err)
            err = read_photos(st, a, c);
        if (err)
            return err;
    }
    *ret = c;
    return NULL;
}

Error *cases_store_duplicates(Store *st, Arena *a, const Case *c, int64_t window_ms,
                              int64_t **ret, size_t *ret_n)
{
    StoreStmt *s;
    int64_t *ids = arena_alloc(a, 10 * sizeof(*ids));
    size_t n = 0;
    StoreResult r;

    *ret = ids;
    *ret_n = 0;
    if (!c->building_id)
        return NULL;
    s = store_prepare(st, a, SQL_DUPLICATES);
    store_bind_int64(s, 1, c->building_id);
    store_bind_int64(s, 2, c->category_id);
    store_bind_int64(s, 3, c->created_at - window_ms);
    store_bind_int64(s, 4, c->created_at + window_ms);
    store_bind_int64(s, 5, c->id);
    while ((r = store_step(s)) == STORE_ROW && n < 10)
        ids[n++] = store_column_int64(s, 0);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret_n = n;
    return NULL;
}

/* ---- listing: WHERE built from fixed fragments, every value bound ---- */

typedef struct Binds {
    int n;
    int type[100];                   /* 'i' int64, 't' text */
    int64_t i[100];
    const char *t[100];
} Binds;

static void where_int(StrBuf *sb, Binds *b, const char *fmt, int64_t v)
{
    b->n++;
    b->type[b->n] = 'i';
    b->i[b->n] = v;
    strbuf_addf(sb, fmt, b->n);
}

static void where_text(StrBuf *sb, Binds *b, const char *fmt, const char *v)
{
    b->n++;
    b->type[b->n] = 't';
    b->t[b->n] = v;
    strbuf_addf(sb, fmt, b->n);
}

static void bind_all(StoreStmt *s, const Binds *b)
{
    for (int k = 1; k <= b->n; k++) {
        if (b->type[k] == 'i')
            store_bind_int64(s, k, b->i[k]);
        else
            store_bind_text(s, k, b->t[k]);
    }
}

static void build_where(StrBuf *sb, Binds *b, const CaseFilter *f)
{
    strbuf_adds(sb, " WHERE 1 = 1");
    if (f->lo && f->hi) {
        size_t n = strlen(f->lo);

        /* one community: equality, so (community, id) gives the order */
        if (n == 12 && strlen(f->hi) == 13 && strncmp(f->lo, f->hi, 12) == 0)
            where_text(sb, b, " AND c.community = ?%d", f->lo);
        else if (n > 0) {
            where_text(sb, b, " AND c.community >= ?%d", f->lo);
            where_text(sb, b, " AND c.community < ?%d", f->hi);
        }
    }
    if (f->state >= 0)
        where_text(sb, b, " AND c.state = ?%d", case_state_name((CaseState)f->state));
    else if (f->state == -2)
        strbuf_adds(sb, " AND c.state <> 'closed'");
    if (f->category_id)
        where_int(sb, b, " AND c.category_id = ?%d", f->category_id);
    if (f->n_codes) {
        strbuf_adds(sb, " AND k.code IN (");
        for (size_t k = 0; k < f->n_codes; k++)
            where_text(sb, b, k ? ", ?%d" : "?%d", f->codes[k]);
        strbuf_addc(sb, ')');
    }
    if (f->unit_id > 0)
        where_int(sb, b, " AND c.unit_id = ?%d", f->unit_id);
    else if (f->unit_id < 0)
        strbuf_adds(sb, " AND c.unit_id IS NULL");
    if (f->grid_id)
        where_int(sb, b, " AND c.grid_id = ?%d", f->grid_id);
    if (f->grid_user_id) {
        /* as her work queue counts them (workqueue_store.c) */
        where_int(sb, b,
                  " AND (NOT EXISTS (SELECT 1 FROM user_grid ug JOIN grid g ON g.id = ug.grid_id"
                  " WHERE ug.user_id = ?%d AND g.community = c.community)",
                  f->grid_user_id);
        where_int(sb, b, " OR c.grid_id IN (SELECT grid_id FROM user_grid WHERE user_id = ?%d))",
                  f->grid_user_id);
    }
    if (f->building_id)
        where_int(sb, b, " AND c.building_id = ?%d", f->building_id);
    if (f->overdue == 1)
        strbuf_adds(sb, " AND c.overdue = 1 AND c.state <> 'closed'");
    else if (f->overdue == 0)
        strbuf_adds(sb, " AND c.overdue = 0");
    if (f->reporter_id)
        where_int(sb, b, " AND c.reporter_id = ?%d", f->reporter_id);
    if (f->from_ms)
        where_int(sb, b, " AND c.created_at >= ?%d", f->from_ms);
    if (f->to_ms)
        where_int(sb, b, " AND c.created_at < ?%d", f->to_ms);
    if (f->n_ids) {
        strbuf_adds(sb, " AND c.id IN (");
        for (size_t k = 0; k < f->n_ids; k++)
            where_int(sb, b, k ? ", ?%d" : "?%d", f->ids[k]);
        strbuf_addc(sb, ')');
    }
}

Error *cases_store_list(Store *st, Arena *a, const CaseFilter *f, Case ***ret, size_t *ret_n,
                        int64_t *ret_total)
{
    StrBuf sb;
    Binds b = { 0 };
    const char *sql;
    StoreStmt *s;
    StoreResult r;
    size_t n = 0;
    Case **items = arena_alloc(a, (size_t)(f->limit > 0 ? f->limit : 1) * sizeof(*items));

    strbuf_init(&sb, a, 8192);
    strbuf_adds(&sb, CASE_SELECT);
    build_where(&sb, &b, f);
    /* with a time window (Open311 always has one) the (community, created_at)
     * index gives the order and reads only the window */
    strbuf_adds(&sb, f->from_ms ? " ORDER BY c.created_at DESC, c.id DESC" : " ORDER BY c.id DESC");
    where_int(&sb, &b, " LIMIT ?%d", f->limit);
    where_int(&sb, &b, " OFFSET ?%d", f->offset);
    sql = strbuf_finish(&sb, NULL);
    if (!sql)
        return error_internal(a, "case list query too long");
    s = store_prepare_text(st, a, sql);
    bind_all(s, &b);
    while ((r = store_step(s)) == STORE_ROW && n < (size_t)f->limit)
        items[n++] = read_case(s, a);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    if (!ret_total)
        return NULL;

    memset(&b, 0, sizeof(b));
    strbuf_init(&sb, a, 8192);
    strbuf_adds(&sb, "SELECT count(*) FROM cases c");
    if (f->n_codes)
        strbuf_adds(&sb, " JOIN case_category k ON k.id = c.category_id");
    build_where(&sb, &b, f);
    sql = strbuf_finish(&sb, NULL);
    if (!sql)
        return error_internal(a, "case count query too long");
    s = store_prepare_text(st, a, sql);
    bind_all(s, &b);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

/* ---- writing ---- */

static Error *insert_step_id(Store *st, Arena *a, int64_t case_id, const char *action,
                             const char *from, const char *to, int64_t actor_id,
                             const char *actor_name, int64_t unit_id, const char *reason,
                             int64_t now_ms, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_STEP_INSERT);

    store_bind_int64(s, 1, case_id);
    store_bind_text(s, 2, action);
    store_bind_text(s, 3, from);
    store_bind_text(s, 4, to);
    store_bind_int64(s, 5, actor_id);
    store_bind_text(s, 6, actor_name ? actor_name : "");
    store_bind_int64(s, 7, unit_id);
    store_bind_text(s, 8, reason);
    store_bind_int64(s, 9, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    if (ret_id)
        *ret_id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

static Error *insert_step(Store *st, Arena *a, int64_t case_id, const char *action,
                          const char *from, const char *to, int64_t actor_id,
                          const char *actor_name, int64_t unit_id, const char *reason,
                          int64_t now_ms)
{
    return insert_step_id(st, a, case_id, action, from, to, actor_id, actor_name, unit_id, reason,
                          now_ms, NULL);
}

Error *cases_store_attach_photos(Store *st, Arena *a, int64_t case_id, int64_t step_id,
                                 const char *kind, const int64_t *photos, int n_photos,
                                 int64_t uploader_id)
{
    for (int i = 0; i < n_photos; i++) {
        StoreStmt *s = store_prepare(st, a, SQL_PHOTO_ATTACH);

        store_bind_int64(s, 1, case_id);
        store_bind_int64(s, 2, photos[i]);
        store_bind_int64(s, 3, uploader_id);
        store_bind_text(s, 4, kind);
        store_bind_int64(s, 5, step_id);
        if (store_step(s) != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
        if (store_changes(st) != 1)
            return error_invalid(a, arena_sprintf(a, "photos[%d]", i), "unknown_photo",
                                 "找不到该照片，或它已用于其他案件；请重新上传");
    }
    return NULL;
}

Error *cases_store_add_step(Store *st, Arena *a, int64_t case_id, const char *action,
                            const char *state, int64_t actor_id, const char *actor_name,
                            const char *reason, int64_t now_ms, int64_t *ret_id)
{
    return insert_step_id(st, a, case_id, action, state, state, actor_id, actor_name, 0, reason,
                          now_ms, ret_id);
}

Error *cases_store_insert(Store *st, Arena *a, Case *c, const int64_t *photos, int n_photos,
                          int64_t uploader_id, const char *phone_plain, const CryptoKeys *keys,
                          int64_t actor_id, const char *actor_name, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_CASE_INSERT);
    void *sealed = NULL;
    size_t sealed_len = 0;
    int64_t step_id = 0;
    Error *err;

    if (phone_plain && keys) {
        sealed = crypto_seal(keys, a, phone_plain, &sealed_len);
        c->contact_phone_masked = mask_phone(a, phone_plain);
    }
    c->state = c->unit_id ? CASE_DISPATCHED : CASE_ACCEPTED;
    c->created_at = c->updated_at = now_ms;
    store_bind_text(s, 1, c->community);
    store_bind_int64(s, 2, c->category_id);
    store_bind_text(s, 3, c->description);
    store_bind_int64(s, 4, c->building_id);
    store_bind_int64(s, 5, c->unit_no);
    store_bind_int64(s, 6, c->grid_id);
    if (c->has_point) {
        store_bind_double(s, 7, c->lat);
        store_bind_double(s, 8, c->lon);
    } else {
        store_bind_null(s, 7);
        store_bind_null(s, 8);
    }
    store_bind_text(s, 9, c->address);
    store_bind_text(s, 10, c->source);
    store_bind_int64(s, 11, c->reporter_id);
    store_bind_int64(s, 12, c->logged_by);
    store_bind_int64(s, 13, c->contact_ok);
    store_bind_text(s, 14, c->contact_name);
    if (sealed)
        store_bind_blob(s, 15, sealed, sealed_len);
    else
        store_bind_null(s, 15);
    store_bind_text(s, 16, c->contact_phone_masked);
    store_bind_text(s, 17, case_state_name(c->state));
    store_bind_text(s, 18, c->unit_id ? "accepted" : NULL);
    store_bind_int64(s, 19, c->unit_id);
    store_bind_int64(s, 20, case_month(now_ms));
    store_bind_int64(s, 21, now_ms);
    store_bind_int64(s, 22, c->respond_due);
    store_bind_int64(s, 23, c->resolve_due);
    store_bind_text(s, 24, c->open311_token);
    store_bind_int64(s, 25, 0);
    switch (store_step(s)) {
    case STORE_ROW:
        c->id = store_column_int64(s, 0);
        store_reset(s);
        break;
    case STORE_CONSTRAINT:
        store_reset(s);
        return error_invalid(a, NULL, "invalid_case", "案件信息不完整，请检查类别和位置");
    default:
        return store_error(st, a);
    }
    err = insert_step_id(st, a, c->id, "report", NULL, "accepted", actor_id, actor_name, 0, NULL,
                         now_ms, &step_id);
    if (!err)
        err = cases_store_attach_photos(st, a, c->id, step_id, "report", photos, n_photos,
                                        uploader_id);
    if (!err && c->unit_id)
        err = insert_step(st, a, c->id, "dispatch", "accepted", "dispatched", 0, "系统（自动派单）",
                          c->unit_id, "按派单规则自动派遣", now_ms);
    if (!err && c->unit_id)
        err = cases_notify_unit(st, a, c->id, c->unit_id, "按派单规则自动派遣", now_ms);
    return err;
}

/* Why a step changed nothing: 409 naming the state the case is in, or 404. */
static Error *step_refused(Store *st, Arena *a, int64_t id, const CaseTransition *t)
{
    StoreStmt *s = store_prepare(st, a, SQL_CASE_STATE);
    CaseState state = CASE_ACCEPTED;
    bool rateable = false, rated = false, completed = false;

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        case_state_parse(store_column_text(s, a, 0), &state);
        rateable = store_column_int64(s, 1) != 0;
        rated = !store_column_is_null(s, 2);
        completed = store_column_int64(s, 3) != 0;
        store_reset(s);
        break;
    case STORE_DONE:
        store_reset(s);
        return error_not_found(a, "id", "找不到该案件");
    default:
        return store_error(st, a);
    }
    if (t->action == CASE_RATE && state == CASE_CLOSED && !rateable)
        return error_conflict(a, "rating", rated ? "already_rated" : "not_rateable",
                              rated ? "该案件已评价过，不能再次评价" : "该案件不能评价");
    if (t->action == CASE_COMPLETE && state == CASE_HANDLING && completed)
        return error_conflict(a, "state", "already_completed",
                              "该案件已提交处置完成，等待核查；如需补充请联系社区");
    if (t->action == CASE_VERIFY && state == CASE_HANDLING && !completed)
        return error_conflict(a, "state", "not_completed",
                              "该类问题须由处置单位先提交“处置完成”（回复和处置后照片），才能核查");
    return error_conflict(a, "state", "invalid_transition",
                          arena_sprintf(a, "案件当前状态为“%s”，不能%s", case_state_label(state),
                                        t->label));
}

static Error *check_targets(Store *st, Arena *a, int64_t id, const CaseStepInput *in,
                            const char *community, CaseState *ret_target)
{
    StoreStmt *s;

    if (in->unit_id) {
        s = store_prepare(st, a, SQL_UNIT_OF_COMMUNITY);
        store_bind_int64(s, 1, in->unit_id);
        store_bind_text(s, 2, community);
        switch (store_step(s)) {
        case STORE_ROW:
            store_reset(s);
            break;
        case STORE_DONE:
            store_reset(s);
            return error_invalid(a, "unit", "unknown_unit", "找不到该责任单位，或它不属于本社区");
        default:
            return store_error(st, a);
        }
    }
    if (in->merged_into) {
        CaseState state = CASE_CLOSED;
        bool merged = false;

        if (in->merged_into == id)
            return error_invalid(a, "into", "merge_self", "不能把案件并入它自己");
        s = store_prepare(st, a, SQL_MERGE_TARGET);
        store_bind_int64(s, 1, in->merged_into);
        store_bind_text(s, 2, community);
        switch (store_step(s)) {
        case STORE_ROW:
            case_state_parse(store_column_text(s, a, 0), &state);
            merged = store_column_int64(s, 1) != 0;
            store_reset(s);
            break;
        case STORE_DONE:
            store_reset(s);
            return error_invalid(a, "into", "unknown_case", "找不到要并入的案件，或它不属于本社区");
        default:
            return store_error(st, a);
        }
        if (state == CASE_CLOSED || merged)
            return error_conflict(a, "into", "merge_target_closed", "要并入的案件已结案，请选择未结案的案件");
        *ret_target = state;
    }
    return NULL;
}

/*
 * After a resume: the office time the case spent on hold does not count, so
 * each deadline still ahead when the hold began moves on by it (a response
 * deadline only while no response was made). *ret_held gets that time.
 */
static Error *resume_clock(Store *st, Arena *a, int64_t id, int64_t now_ms, int64_t *ret_held)
{
    StoreStmt *s = store_prepare(st, a, SQL_HOLD_CLOCK);
    int64_t held_at, respond_due, resolve_due, from_day, to_day, last_day, held;
    bool respond_open;
    int minute;
    Calendar cal;
    Error *err;

    *ret_held = 0;
    store_bind_int64(s, 1, id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    held_at = store_column_int64(s, 0);
    respond_due = store_column_int64(s, 1);
    resolve_due = store_column_int64(s, 2);
    respond_open = store_column_int64(s, 3) != 0;
    store_reset(s);
    if (held_at <= 0 || held_at >= now_ms)
        return NULL;
    time_local(held_at, TIME_OFFSET_SHANGHAI, &from_day, &minute);
    time_local(now_ms, TIME_OFFSET_SHANGHAI, &to_day, &minute);
    time_local(respond_due > resolve_due ? respond_due : resolve_due, TIME_OFFSET_SHANGHAI,
               &last_day, &minute);
    if (last_day < to_day)
        last_day = to_day;
    /* the push is at most as many working days as the hold lasted calendar days */
    err = cases_store_calendar(st, a, from_day, last_day + 2 * (to_day - from_day) + 60, &cal, NULL);
    if (err)
        return err;
    held = calendar_work_ms(&cal, held_at, now_ms);
    if (held <= 0)
        return NULL;
    if (respond_open && respond_due > held_at)
        respond_due = calendar_add_work_ms(&cal, respond_due, held);
    if (resolve_due > held_at)
        resolve_due = calendar_add_work_ms(&cal, resolve_due, held);
    s = store_prepare(st, a, SQL_DEADLINES_SET);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, respond_due);
    store_bind_int64(s, 3, resolve_due);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_held = held;
    return NULL;
}

/*
 * A case reopened after an unsatisfied rating, or sent to a unit again
 * (after a return, a reopening, or to another unit), starts a new round:
 * its deadlines are counted again from @now_ms on the working-day
 * calendar, by its category's limits, never earlier than they were.
 */
static Error *restart_clock(Store *st, Arena *a, int64_t id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROUND_CLOCK);
    int64_t respond_due, resolve_due, old_respond, old_resolve, day;
    int respond_hours, resolve_days, span, minute;
    bool respond_open;
    Calendar cal;
    Error *err;

    store_bind_int64(s, 1, id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    respond_hours = (int)store_column_int64(s, 0);
    resolve_days = (int)store_column_int64(s, 1);
    old_respond = store_column_int64(s, 2);
    old_resolve = store_column_int64(s, 3);
    respond_open = store_column_int64(s, 4) != 0;
    store_reset(s);
    span = resolve_days > respond_hours / 8 + 1 ? resolve_days : respond_hours / 8 + 1;
    time_local(now_ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    err = cases_store_calendar(st, a, day, day + span * 2 + 60, &cal, NULL);
    if (err)
        return err;
    respond_due = calendar_add_work_hours(&cal, now_ms, respond_hours);
    resolve_due = calendar_add_work_days(&cal, now_ms, resolve_days);
    if (respond_due < old_respond || !respond_open)
        respond_due = old_respond;
    if (resolve_due < old_resolve)
        resolve_due = old_resolve;
    s = store_prepare(st, a, SQL_ROUND_SET);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, respond_due);
    store_bind_int64(s, 3, resolve_due);
    store_bind_int64(s, 4, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *cases_store_step(Store *st, Arena *a, int64_t id, const CaseStepInput *in, int64_t now_ms,
                        CaseState *ret_to)
{
    const CaseTransition *t = in->t;
    StoreStmt *s;
    CaseState from = CASE_ACCEPTED, to = CASE_ACCEPTED, target = CASE_ACCEPTED;
    int64_t unit_id = 0, held = 0, reporter_id = 0, step_id = 0;
    const char *reason;
    const char *community = NULL;
    Case *c;
    Error *err;

    if (in->unit_id || in->merged_into) {
        err = cases_store_get(st, a, id, false, &c);
        if (err)
            return err;
        if (!c)
            return error_not_found(a, "id", "找不到该案件");
        community = c->community;
        err = check_targets(st, a, id, in, community, &target);
        if (err)
            return err;
    }
    if (t->action == CASE_RATE) {
        s = store_prepare(st, a, SQL_CASE_RATE);
        store_bind_int64(s, 1, id);
        store_bind_text(s, 2, in->rating);
        store_bind_text(s, 3, in->reason);
        store_bind_int64(s, 4, now_ms);
        store_bind_int64(s, 5, in->actor_id);
    } else if (t->action == CASE_COMPLETE) {
        s = store_prepare(st, a, SQL_CASE_COMPLETE);
        store_bind_int64(s, 1, id);
        store_bind_text(s, 2, in->reason);
        store_bind_int64(s, 3, now_ms);
    } else {
        s = store_prepare(st, a, SQL_CASE_STEP);
        store_bind_int64(s, 1, id);
        store_bind_text(s, 2, case_transition_from_list(a, t));
        store_bind_text(s, 3, t->to == CASE_TO_HELD ? "held" : case_state_name((CaseState)t->to));
        store_bind_int64(s, 4, in->unit_id);
        store_bind_int64(s, 5, now_ms);
        store_bind_int64(s, 6, in->merged_into);
        store_bind_text(s, 7, in->reason);
        store_bind_int64(s, 8, t->action == CASE_VERIFY);
    }
    switch (store_step(s)) {
    case STORE_ROW:
        case_state_parse(store_column_text(s, a, 0), &from);
        case_state_parse(store_column_text(s, a, 1), &to);
        unit_id = store_column_int64(s, 2);
        reporter_id = store_column_int64(s, 3);
        store_reset(s);
        break;
    case STORE_DONE:
        store_reset(s);
        return step_refused(st, a, id, t);
    default:
        return store_error(st, a);
    }
    reason = t->action == CASE_RATE ? case_rating_label(in->rating) : in->reason;
    if (t->action == CASE_RESUME) {
        err = resume_clock(st, a, id, now_ms, &held);
        if (err)
            return err;
        if (held > 0)
            reason = arena_sprintf(a, "%s%s挂起 %.1f 个工作小时，不计入办理时限",
                                   reason ? reason : "", reason ? "；" : "",
                                   (double)held / (double)(60 * TIME_MINUTE_MS));
    }
    err = insert_step_id(st, a, id, t->name, case_state_name(from), case_state_name(to),
                         in->actor_id, in->actor_name, t->action == CASE_DISPATCH ? unit_id : 0,
                         reason, now_ms, &step_id);
    if (!err && in->n_photos)
        err = cases_store_attach_photos(st, a, id, step_id,
                                        t->action == CASE_COMPLETE ? "after" : "verify",
                                        in->photos, in->n_photos, in->actor_id);
    if (!err && t->action == CASE_RATE && to == CASE_REOPENED)
        err = insert_step(st, a, id, "reopen", "closed", "reopened", in->actor_id, in->actor_name,
                          0, "评价不满意，案件重启并转社区书记", now_ms);
    if (!err && (to == CASE_REOPENED || (t->action == CASE_DISPATCH && from != CASE_ACCEPTED)))
        err = restart_clock(st, a, id, now_ms);
    if (!err && t->action == CASE_MERGE)
        err = insert_step(st, a, in->merged_into, "merged_from", case_state_name(target),
                          case_state_name(target), in->actor_id, in->actor_name, 0,
                          arena_sprintf(a, "案件 %lld 并入本案", (long long)id), now_ms);
    if (!err && reporter_id > 0)
        err = cases_notify_reporter(st, a, id, reporter_id, in, to, reason, now_ms);
    if (!err && t->action == CASE_DISPATCH)
        err = cases_notify_unit(st, a, id, unit_id,
                                in->reason && *in->reason
                                    ? arena_sprintf(a, "社区派单：%s", in->reason)
                                    : "社区派单",
                                now_ms);
    if (err)
        return err;
    *ret_to = to;
    return NULL;
}

/* ---- overdue sweep ---- */

/* Does @sql, with @v bound to ?1, yield a row? */
static Error *any_row(Store *st, Arena *a, const char *sql, int64_t v, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, sql);

    store_bind_int64(s, 1, v);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = true;
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = false;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_sweep_due(Store *st, Arena *a, int64_t now_ms, bool *ret)
{
    return any_row(st, a, SQL_SWEEP_DUE, now_ms, ret);
}

Error *cases_store_sweep(Store *st, Arena *a, int64_t now_ms, int64_t *ret_n)
{
    int64_t total = 0;

    for (;;) {
        StoreStmt *s = store_prepare(st, a, SQL_SWEEP);
        int64_t ids[500];
        const char *states[500];
        size_t n = 0, n_rows = 0;
        StoreResult r;
        Error *err;

        store_bind_int64(s, 1, now_ms);
        while ((r = store_step(s)) == STORE_ROW) {
            n_rows++;
            if (store_column_int64(s, 2) && n < 500) {  /* newly escalated */
                ids[n] = store_column_int64(s, 0);
                states[n] = store_column_text(s, a, 1);
                n++;
            }
        }
        if (r != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
        for (size_t i = 0; i < n; i++) {
            err = insert_step(st, a, ids[i], "escalate", states[i], states[i], 0, "系统（超期督办）",
                              0, "超过办结时限，已上报街道", now_ms);
            if (!err)
                err = cases_notify_escalated(st, a, ids[i], now_ms);
            if (err)
                return err;
        }
        total += (int64_t)n_rows;
        if (n_rows < 500)
            break;
    }
    if (ret_n)
        *ret_n = total;
    return NULL;
}

/* ---- photos ---- */

Error *cases_store_photo_insert(Store *st, Arena *a, CasePhoto *p, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_PHOTO_INSERT);

    store_bind_int64(s, 1, p->uploader_id);
    store_bind_text(s, 2, p->file);
    store_bind_text(s, 3, p->mime);
    store_bind_int64(s, 4, p->size);
    store_bind_int64(s, 5, p->width);
    store_bind_int64(s, 6, p->height);
    store_bind_int64(s, 7, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    p->id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *cases_store_photo_get(Store *st, Arena *a, int64_t id, CasePhoto **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_PHOTO_GET);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = arena_zalloc(a, sizeof(CasePhoto));
        read_photo(s, a, *ret);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_orphans_due(Store *st, Arena *a, int64_t before_ms, bool *ret)
{
    return any_row(st, a, SQL_ORPHANS_DUE, before_ms, ret);
}

Error *cases_store_orphans_delete(Store *st, Arena *a, int64_t before_ms, size_t limit,
                                  CasePhoto *ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_ORPHANS_DELETE);
    size_t n = 0;
    StoreResult r;

    store_bind_int64(s, 1, before_ms);
    store_bind_int64(s, 2, (int64_t)limit);
    while ((r = store_step(s)) == STORE_ROW && n < limit) {
        memset(&ret[n], 0, sizeof(ret[n]));
        ret[n].id = store_column_int64(s, 0);
        ret[n].file = store_column_text(s, a, 1);
        n++;
    }
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret_n = n;
    return NULL;
}
