/*
 * Dashboard aggregates from case_stat, the per-(community, month, unit,
 * category, grid) counters the triggers of 0004_cases.sql keep. A street's
 * three years are some tens of thousands of counter rows, not a million
 * cases, so every grouping is one short scan of the primary key.
 */
#include <string.h>

#include "cases/cases.h"
#include "core/banned.h"

#define SUMS                                                                                 \
    "sum(total), sum(open), sum(overdue_open), sum(resp_due), sum(resp_ok), sum(res_due),"   \
    " sum(res_ok), sum(rated), sum(satisfied), sum(basically), sum(unsatisfied)"
#define RANGE " WHERE community >= ?1 AND community < ?2 AND month >= ?3 AND month <= ?4"
#define OUTER_SUMS                                                                           \
    "sum(t), sum(o), sum(oo), sum(rd), sum(rk), sum(sd), sum(sk), sum(ra), sum(sa), sum(ba), sum(un)"
#define INNER_SUMS                                                                           \
    "sum(total) t, sum(open) o, sum(overdue_open) oo, sum(resp_due) rd, sum(resp_ok) rk,"    \
    " sum(res_due) sd, sum(res_ok) sk, sum(rated) ra, sum(satisfied) sa, sum(basically) ba,"  \
    " sum(unsatisfied) un"

static const char SQL_STATS_TOTAL[] = "SELECT '', '合计', " SUMS " FROM case_stat" RANGE;

static const char SQL_STATS_MONTH[] =
    "SELECT (month / 100) || '-' || (CASE WHEN month % 100 < 10 THEN '0' ELSE '' END)"
    " || (month % 100), (month / 100) || '年' || (month % 100) || '月', "
    SUMS " FROM case_stat" RANGE " GROUP BY month ORDER BY month";

/* units are per community: one row per unit (0 = the community itself, per community) */
static const char SQL_STATS_UNIT[] =
    "SELECT CASE WHEN s.unit_id = 0 THEN 'community:' || s.community"
    " ELSE CAST(s.unit_id AS TEXT) END,"
    " CASE WHEN s.unit_id = 0 THEN d.name || '（社区自办）' ELSE u.name END, " OUTER_SUMS
    " FROM (SELECT community, unit_id, " INNER_SUMS " FROM case_stat" RANGE
    " GROUP BY community, unit_id) s LEFT JOIN case_unit u ON u.id = s.unit_id"
    " LEFT JOIN division d ON d.code = s.community"
    " GROUP BY 1, 2 ORDER BY sum(t) DESC";

/* categories are per community: grouped by their code across communities */
static const char SQL_STATS_CATEGORY[] =
    "SELECT k.code, min(k.name), " OUTER_SUMS
    " FROM (SELECT category_id, " INNER_SUMS " FROM case_stat" RANGE " GROUP BY category_id) s"
    " JOIN case_category k ON k.id = s.category_id GROUP BY k.code ORDER BY min(k.sort), k.code";

static const char SQL_STATS_GRID[] =
    "SELECT CASE WHEN s.grid_id = 0 THEN 'none:' || s.community"
    " ELSE CAST(s.grid_id AS TEXT) END,"
    " d.name || ' ' || coalesce(g.name, '未划网格（地图点位）'), " OUTER_SUMS
    " FROM (SELECT community, grid_id, " INNER_SUMS " FROM case_stat" RANGE
    " GROUP BY community, grid_id) s LEFT JOIN grid g ON g.id = s.grid_id"
    " LEFT JOIN division d ON d.code = s.community"
    " GROUP BY 1, 2, s.community, g.name ORDER BY s.community, g.name";

Error *cases_store_stats(Store *st, Arena *a, const char *lo, const char *hi, int from_month,
                         int to_month, const char *by, CaseStatRow **ret, size_t *ret_n)
{
    const char *sql = SQL_STATS_TOTAL;
    size_t n = 0, cap = 16;
    CaseStatRow *rows = arena_alloc(a, cap * sizeof(*rows));
    StoreStmt *s;
    StoreResult r;

    if (strcmp(by, "month") == 0)
        sql = SQL_STATS_MONTH;
    else if (strcmp(by, "unit") == 0)
        sql = SQL_STATS_UNIT;
    else if (strcmp(by, "category") == 0)
        sql = SQL_STATS_CATEGORY;
    else if (strcmp(by, "grid") == 0)
        sql = SQL_STATS_GRID;
    s = store_prepare(st, a, sql);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, from_month);
    store_bind_int64(s, 4, to_month);
    while ((r = store_step(s)) == STORE_ROW) {
        CaseStatRow *x;

        rows = arena_grow(a, rows, n, &cap, sizeof(*rows));
        x = &rows[n++];
        x->key = store_column_text(s, a, 0);
        x->label = store_column_text(s, a, 1);
        x->total = store_column_int64(s, 2);
        x->open = store_column_int64(s, 3);
        x->overdue_open = store_column_int64(s, 4);
        x->resp_due = store_column_int64(s, 5);
        x->resp_ok = store_column_int64(s, 6);
        x->res_due = store_column_int64(s, 7);
        x->res_ok = store_column_int64(s, 8);
        x->rated = store_column_int64(s, 9);
        x->satisfied = store_column_int64(s, 10);
        x->basically = store_column_int64(s, 11);
        x->unsatisfied = store_column_int64(s, 12);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = rows;
    *ret_n = n;
    return NULL;
}

/*
 * Synthetic cases for benchmarks, in one statement: @count cases spread
 * evenly over @years up to @now, across the street's buildings and the
 * default categories; older ones mostly closed and rated, recent ones in
 * every state; deadlines approximated in calendar time (a working day as
 * 7/5 of a day, a working hour as three hours). No case_step rows.
 */
/*
 * NEEDSWORK: SQLite's only (strftime, two-argument min); `linli cases
 * generate` on PostgreSQL needs a variant (store_sql).
 */
static const char SQL_GENERATE[] =
    "INSERT INTO cases (community, category_id, description, building_id, grid_id, source,"
    " contact_ok, state, unit_id, month, created_at, updated_at, respond_due, resolve_due,"
    " responded_at, closed_at, overdue_respond, overdue, escalated_at, rateable, rating)"
    " WITH RECURSIVE"
    " b AS (SELECT id, community, grid_id, row_number() OVER (ORDER BY id) - 1 AS k"
    "  FROM building WHERE community >= ?1 AND community < ?2),"
    " nb AS (SELECT count(*) AS c FROM b),"
    " n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?3 - 1),"
    " x AS (SELECT n.i, b.id AS bid, b.community, b.grid_id,"
    "  min(?4 - ?5 + n.i * (?5 / ?3) + (n.i * 7919) % 3600000, ?4 - 1000) AS t,"
    "  (n.i * 31) % 12 + 1 AS sort, (n.i * 13 + n.i / 7) % 100 AS r"
    "  FROM n JOIN b ON b.k = (n.i * 104729) % (SELECT c FROM nb)),"
    " y AS (SELECT x.*, k.id AS cat, d.respond_hours AS rh, d.resolve_days AS rd,"
    "  CASE WHEN ?4 - x.t > 30 * 86400000 THEN (CASE WHEN x.r < 97 THEN 'closed' ELSE 'handling' END)"
    "   WHEN x.r < 40 THEN 'closed' WHEN x.r < 55 THEN 'handling' WHEN x.r < 70 THEN 'dispatched'"
    "   WHEN x.r < 80 THEN 'verified' WHEN x.r < 88 THEN 'accepted' WHEN x.r < 93 THEN 'returned'"
    "   WHEN x.r < 97 THEN 'on_hold' ELSE 'reopened' END AS state"
    "  FROM x JOIN case_category_default d ON d.sort = x.sort"
    "  JOIN case_category k ON k.community = x.community AND k.code = d.code),"
    " z AS (SELECT y.*, y.t + y.rh * 3 * 3600000 AS respond_due,"
    "  y.t + y.rd * 86400000 * 7 / 5 AS resolve_due,"
    "  CASE WHEN y.state IN ('closed', 'handling', 'verified')"
    "   THEN y.t + (1 + y.r % 10) * 3600000 END AS responded_at,"
    "  CASE WHEN y.state = 'closed' THEN min(y.t + (1 + y.r % 15) * 43200000, ?4) END AS closed_at"
    "  FROM y)"
    " SELECT community, cat, '合成案件 #' || i, bid, grid_id, 'app', 0, state,"
    "  (SELECT unit_id FROM case_route WHERE community = z.community AND category_id = z.cat"
    "   ORDER BY grid_id IS NOT NULL LIMIT 1),"
    "  CAST(strftime('%Y%m', (t + 28800000) / 1000, 'unixepoch') AS INTEGER), t,"
    "  coalesce(closed_at, responded_at, t), respond_due, resolve_due, responded_at, closed_at,"
    "  responded_at IS NULL AND respond_due < ?4,"
    "  coalesce(closed_at > resolve_due, state <> 'closed' AND resolve_due < ?4),"
    "  CASE WHEN state <> 'closed' AND resolve_due < ?4 THEN resolve_due END, 0,"
    "  CASE WHEN state = 'closed' AND r % 4 <> 3"
    "   THEN (CASE WHEN r % 10 < 6 THEN 'satisfied' WHEN r % 10 < 9 THEN 'basically_satisfied'"
    "    ELSE 'unsatisfied' END) END"
    " FROM z";

Error *cases_store_generate(Store *st, Arena *a, const char *street, int64_t count, int years,
                            int64_t now_ms, int64_t *ret_made)
{
    StoreStmt *s = store_prepare(st, a, SQL_GENERATE);
    const char *hi = arena_sprintf(a, "%s~", street);

    store_bind_text(s, 1, street);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, count);
    store_bind_int64(s, 4, now_ms);
    store_bind_int64(s, 5, (int64_t)years * 365 * 86400000);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_made = store_changes(st);
    return NULL;
}

static const char SQL_COUNTS_BY_COMMUNITY[] =
    "SELECT s.community, k.code, min(k.name), " OUTER_SUMS
    " FROM (SELECT community, category_id, " INNER_SUMS " FROM case_stat" RANGE
    " GROUP BY community, category_id) s JOIN case_category k ON k.id = s.category_id"
    " GROUP BY s.community, k.code ORDER BY s.community, min(k.sort), k.code";

Error *cases_store_counts_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                       int from_month, int to_month, CountRows *out)
{
    return store_count_rows(st, a,
                            store_prepare_bind(st, a, SQL_COUNTS_BY_COMMUNITY, "ttii", lo, hi,
                                               (int64_t)from_month, (int64_t)to_month),
                            out);
}
