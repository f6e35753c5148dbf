#pragma once
/*
 * The registry's queries, private to the module. Read functions append JSON
 * objects (new references) to @items; single-object getters set *ret to NULL
 * when nothing matches. Writers map constraint violations to 409/422.
 */
#include <jansson.h>

#include "core/jsonw.h"
#include "registry/registry.h"

typedef struct HouseholdFilter {
    const char *lo, *hi;     /* community code range */
    int64_t building_id;     /* 0: any */
    int64_t unit;            /* 0: any */
    int64_t floor;
    bool has_floor;
    int64_t limit, offset;
} HouseholdFilter;

typedef struct ResidentFilter {
    const char *lo, *hi;
    const char *status;      /* "active", "moved_out" or NULL for all */
    int64_t household_id;
    int64_t building_id;
    const char *tag;
    bool key_population;     /* holding any tag counted as 重点人群 */
    bool living_alone;       /* the only active resident of the household (独居) */
    const char *name_lo;     /* name prefix range: "张" .. "张" + 1 */
    const char *name_hi;
    const char *name_like;   /* "%三%": a substring, when no name starts with the query */
    const char *initials_lo;   /* pinyin initials range: "zs" .. "zt" */
    const char *initials_hi;
    const char *last4;
    const uint8_t *hash;     /* keyed hash of a whole phone or ID number */
    int64_t limit, offset;
} ResidentFilter;

/* "1号楼2单元301室", in @a. */
char *registry_address(Arena *a, const char *building, int64_t unit, const char *room);

/* One page of the communities in [@lo, @hi), by code; *ret_total: all of them. */
Error *registry_store_communities(Store *st, Arena *a, const char *lo, const char *hi, int64_t limit,
                                  int64_t offset, json_t *items, int64_t *ret_total);
Error *registry_store_community_get(Store *st, Arena *a, const char *code, json_t **ret);
Error *registry_store_grid_insert(Store *st, Arena *a, const char *community, const char *name,
                                  int64_t *ret_id);
Error *registry_store_grids(Store *st, Arena *a, const char *lo, const char *hi, json_t *items);
Error *registry_store_buildings(Store *st, Arena *a, const char *lo, const char *hi, int64_t limit,
                                int64_t offset, json_t *items, int64_t *ret_total);
Error *registry_store_building_get(Store *st, Arena *a, int64_t id, json_t **ret);
Error *registry_store_household_get_json(Store *st, Arena *a, int64_t id, json_t **ret);
Error *registry_store_households(Store *st, Arena *a, const HouseholdFilter *f, json_t *items,
                                 int64_t *ret_total);
Error *registry_store_tags(Store *st, Arena *a, const char *lo, const char *hi, json_t *items);
Error *registry_store_tag_insert(Store *st, Arena *a, const char *name, bool key_population);
Error *registry_store_stats(Store *st, Arena *a, const char *lo, const char *hi, json_t *out);

/* Residents (registry_resident_store.c). */
/* The page of residents @f selects, each as a JSON object (masked), into the open array @items. */
Error *registry_store_residents(Store *st, Arena *a, const ResidentFilter *f, JsonW *items,
                                int64_t *ret_total);
/* Where a resident lives, for scope checks; community NULL: no such resident. */
typedef struct ResidentRef {
    int64_t household_id;
    const char *community;
} ResidentRef;
/* Unmasked values (registry_store_resident_reveal); either may be NULL. */
typedef struct ResidentSecrets {
    const char *id_number, *phone;
} ResidentSecrets;
/*
 * Resident @id as a JSON object with its "history" into @w, masked; with
 * @full, its unmasked ID number and phone instead and "revealed": true.
 * Nothing is written when there is no such resident (ret->community NULL).
 */
Error *registry_store_resident_write(Store *st, Arena *a, int64_t id, const ResidentSecrets *full,
                                     JsonW *w, ResidentRef *ret);
/* Full ID number and phone (either may be NULL). */
Error *registry_store_resident_reveal(Store *st, Arena *a, const CryptoKeys *k, int64_t id,
                                      const char **ret_id_number, const char **ret_phone);
/* Applies the fields set in @in; @new_household is the target of a move, or NULL. */
Error *registry_store_resident_update(Store *st, Arena *a, const CryptoKeys *k, int64_t id,
                                      ResidentInput *in, const Household *new_household,
                                      int64_t actor_id);
Error *registry_store_resident_move_out(Store *st, Arena *a, int64_t id, const char *date,
                                        const char *reason, int64_t actor_id);
/* Every active resident of @community with full data, for export; calls @fn per row. */
typedef struct ResidentRow {
    const char *building, *room, *name, *gender, *birth_date, *id_number, *phone, *relation,
        *tags, *moved_in;
    int64_t id, unit, floor;
    double area_m2;
    bool has_area;
} ResidentRow;
Error *registry_store_resident_rows(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                                    void (*fn)(const ResidentRow *row, void *ctx), void *ctx,
                                    int64_t *ret_count);

/*
 * A bulk load (the demo's million residents) in the caller's transaction:
 * the registry's data-version triggers (schema 12, one UPDATE per row) are
 * dropped at the start and made again at the end (on PostgreSQL disabled
 * and enabled), which raises the version once. A rollback brings them back
 * as well.
 */
#define REGISTRY_BULK_MAX_TRIGGERS 64
typedef struct RegistryBulk {
    const char *off[REGISTRY_BULK_MAX_TRIGGERS]; /* the statement that takes one away */
    const char *sql[REGISTRY_BULK_MAX_TRIGGERS]; /* the one that brings it back */
    size_t n;
} RegistryBulk;
Error *registry_store_bulk_begin(Store *st, Arena *a, RegistryBulk *ret);
Error *registry_store_bulk_end(Store *st, Arena *a, const RegistryBulk *bulk);
