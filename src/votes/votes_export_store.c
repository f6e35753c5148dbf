/*
 * The SQL of the votes' exports (votes_export.c): one row per unit,
 * household or resident of a vote's roll, with where it is, whom it
 * names and its counted ballot if any.
 */
#include <string.h>

#include "votes/votes_store.h"
#include "core/banned.h"

/*
 * The roll's voter keys are "o:ID" (an owner), "r:ID" (a resident), "h:ID"
 * (a household) and "dev"; the CASEs turn the first two into ids that the
 * primary keys find (PostgreSQL evaluates a CASE's branches lazily, so
 * "dev" is never cast).
 */
static const char SQL_SIGNATURES[] =
    "SELECT bd.name, h.unit, h.room, r.area_cm2, r.unsold, r.voter,"
    " COALESCE(o.name, rs.name, ho.name), c.choice, b.channel, b.cast_at"
    " FROM vote_roll r"
    " JOIN household h ON h.id = r.household_id"
    " JOIN building bd ON bd.id = h.building_id"
    " LEFT JOIN property_owner o ON o.id = CASE WHEN substr(r.voter, 1, 2) = 'o:'"
    "  THEN CAST(substr(r.voter, 3) AS BIGINT) END"
    " LEFT JOIN resident rs ON rs.id = CASE WHEN substr(r.voter, 1, 2) = 'r:'"
    "  THEN CAST(substr(r.voter, 3) AS BIGINT) END"
    " LEFT JOIN household_property hp ON hp.household_id = h.id"
    " LEFT JOIN property_owner ho ON ho.id = hp.owner_id AND substr(r.voter, 1, 2) = 'h:'"
    " LEFT JOIN vote_current c ON c.vote_id = r.vote_id AND c.voter = r.voter"
    " LEFT JOIN vote_ballot b ON b.id = c.ballot_id"
    " WHERE r.vote_id = ?1"
    " ORDER BY bd.id, h.unit, h.floor, h.room, r.voter";

Error *votes_store_signatures(Store *st, Arena *a, int64_t vote_id, VotesSignRow **ret,
                              size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_SIGNATURES);
    size_t n = 0, cap = 64;
    VotesSignRow *out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    store_bind_int64(s, 1, vote_id);
    while ((r = store_step(s)) == STORE_ROW) {
        VotesSignRow *row;

        out = arena_grow(a, out, n, &cap, sizeof(*out));
        row = &out[n++];
        row->building = store_column_text(s, a, 0);
        row->unit = store_column_int64(s, 1);
        row->room = store_column_text(s, a, 2);
        row->area_cm2 = store_column_int64(s, 3);
        row->unsold = store_column_int64(s, 4) != 0;
        row->voter = store_column_text(s, a, 5);
        row->name = store_column_text(s, a, 6);
        row->choice = store_column_text(s, a, 7);
        row->channel = store_column_text(s, a, 8);
        row->cast_at = store_column_int64(s, 9);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    return NULL;
}
