#pragma once
/*
 * Announcements (通知公告): staff publish a notice to a community or a whole
 * street, or narrow it to a building, one unit of it, or the households
 * with a resident carrying a tag (老年人, 独居老人 ...). Residents see those
 * that reach their household, on the H5 home and in their inbox (消息);
 * staff see every announcement of their scope and how many of the households
 * it reached have read it ("已读 312 / 962 户").
 *
 *   POST /api/v1/announcements            {"scope","title","body", optional
 *                                           "building_id","unit","tag","pinned",
 *                                           "ends_at","files"}
 *   GET  /api/v1/announcements            what the user may see
 *   GET  /api/v1/announcements/{id}       one, with its files and receipts
 *   PATCH /api/v1/announcements/{id}      {"pinned","ends_at"}
 *   POST /api/v1/announcements/{id}/withdraw
 *   POST /api/v1/announcements/{id}/read  the user has read it
 *   GET  /api/v1/announcements/{id}/reads the households, read or not
 *   POST /api/v1/announcement-files       a picture or PDF, before publishing
 *   GET  /api/v1/announcement-files/{id}
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"

#define ANNOUNCE_TITLE_MAX 60        /* characters */
#define ANNOUNCE_BODY_MAX 5000       /* characters */
#define ANNOUNCE_MAX_FILES 9
#define ANNOUNCE_FILE_MAX ROUTER_FILE_BODY /* bytes: the limit the server's 413 names too */
#define ROLES_ANNOUNCE_WRITE (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)

typedef enum AnnounceState {
    ANNOUNCE_ACTIVE,
    ANNOUNCE_ENDED,     /* past ends_at */
    ANNOUNCE_WITHDRAWN,
    _ANNOUNCE_STATE_MAX
} AnnounceState;

/* A new announcement, as announce_parse reads it. */
typedef struct AnnounceInput {
    const char *scope;      /* division code, 9 or 12 digits */
    int64_t building_id;    /* 0: the whole scope */
    int64_t unit;           /* 0: the whole building */
    const char *tag;        /* NULL: every household */
    const char *title;
    const char *body;
    bool pinned;
    int64_t ends_at_ms;     /* 0: until withdrawn */
    int64_t files[ANNOUNCE_MAX_FILES];
    int n_files;
} AnnounceInput;

/* A change to one, as announce_parse_patch reads it. */
typedef struct AnnouncePatch {
    bool has_pinned;
    bool pinned;
    bool has_ends_at;
    int64_t ends_at_ms;     /* 0: clear it */
} AnnouncePatch;

typedef struct AnnounceFile {
    int64_t id;
    const char *name;
    const char *mime;
    int64_t size;           /* bytes */
} AnnounceFile;

typedef struct Announcement {
    int64_t id;
    const char *scope;
    const char *scope_name;
    int64_t building_id;    /* 0: none */
    const char *building_name;
    int64_t unit;           /* 0: none */
    const char *tag;        /* NULL: none */
    const char *title;
    const char *body;
    bool pinned;
    int64_t ends_at_ms;     /* 0: none */
    int64_t author_id;
    const char *author_name;
    int64_t households;      /* reached when published */
    int64_t read_households; /* of them, read by a member */
    int64_t created_at_ms;
    int64_t updated_at_ms;
    int64_t withdrawn_at_ms; /* 0: not withdrawn */
    int64_t read_at_ms;      /* the viewer's reading; 0: not read */
    AnnounceState state;
    AnnounceFile *files;
    size_t n_files;
} Announcement;

/*
 * Who is looking: a resident (her community and household) sees what is
 * current and reaches her household; anyone else sees what lies within
 * [lo, hi) or above @prefix (a street's announcement in its communities).
 */
typedef struct AnnounceViewer {
    int64_t user_id;
    bool resident;
    const char *community;  /* resident */
    int64_t household_id;   /* resident; 0: none */
    const char *lo, *hi;    /* others */
    const char *prefix;
    int state;              /* -1: every state, else an AnnounceState */
    int64_t now_ms;
} AnnounceViewer;

/* ---- announce_validate.c ---- */

/* The fields each body may have, NULL-terminated. */
extern const char *const ANNOUNCE_FIELDS[];
extern const char *const ANNOUNCE_PATCH_FIELDS[];
/* @body of POST /announcements (a JSON object) -> *ret; 422 naming the field. Strings in req->arena. */
Error *announce_parse(Request *req, json_t *body, AnnounceInput *ret);
/* @body of PATCH /announcements/{id} -> *ret. */
Error *announce_parse_patch(Request *req, json_t *body, AnnouncePatch *ret);
/* "active", "ended", "withdrawn" -> the state; false if none of them. */
bool announce_state_parse(const char *s, AnnounceState *ret);
const char *announce_state_name(AnnounceState s);

/* ---- announce_store.c ---- */

/*
 * Checks @in's scope, building, unit, tag and files against the database:
 * 422 unknown_scope, unknown_building, unknown_unit, unknown_tag.
 */
Error *announce_store_check(Store *st, Arena *a, const AnnounceInput *in);
/*
 * Publishes @in by @author inside the caller's write transaction: counts
 * the households it reaches, attaches the files (422 unknown_file for one
 * that is not @author's or is already used) and tells each resident account
 * it reaches in her inbox. *ret_id receives the new id.
 */
Error *announce_store_insert(Store *st, Arena *a, const AnnounceInput *in, const User *author,
                             int64_t now_ms, int64_t *ret_id);
/* The active resident accounts whose households @in reaches, by id; array in @a. */
Error *announce_store_reached_users(Store *st, Arena *a, const AnnounceInput *in,
                                   int64_t **ret_ids, size_t *ret_n);
/* One page of what @v may see, pinned current ones first, then newest first; arrays in @a. */
Error *announce_store_list(Store *st, Arena *a, const AnnounceViewer *v, int64_t limit,
                           int64_t offset, Announcement **ret_items, size_t *ret_n,
                           int64_t *ret_total, int64_t *ret_unread);
/* Announcement @id if @v may see it (*ret NULL otherwise), with its files. */
Error *announce_store_get(Store *st, Arena *a, const AnnounceViewer *v, int64_t id,
                          Announcement **ret);
/* Records that @user_id (of @household_id, 0 if none) has read @id; idempotent. */
Error *announce_store_read(Store *st, Arena *a, int64_t id, int64_t user_id, int64_t household_id,
                           int64_t now_ms, int64_t *ret_read_at_ms);
/* Applies @p (and withdraws it when @withdraw); false in *ret_found if @id is gone. */
Error *announce_store_update(Store *st, Arena *a, int64_t id, const AnnouncePatch *p,
                             bool withdraw, int64_t now_ms, bool *ret_found);
/*
 * The households @ann reaches with the time one of them first read it,
 * unread ones first, then by building, unit and room: @items receives
 * {"household_id","address","read_at"} objects.
 */
Error *announce_store_reads(Store *st, Arena *a, const Announcement *ann, bool unread_only,
                            int64_t limit, int64_t offset, json_t *items, int64_t *ret_total);
Error *announce_store_file_insert(Store *st, Arena *a, int64_t uploader_id, const char *name,
                                  const char *mime, const void *data, size_t len, int64_t now_ms,
                                  int64_t *ret_id);
/*
 * File @id with its bytes; *ret_announcement_id is 0 while it is attached
 * to nothing, and *ret_uploader_id its uploader. *ret_data NULL if none.
 */
Error *announce_store_file_get(Store *st, Arena *a, int64_t id, const char **ret_mime,
                               const char **ret_name, const void **ret_data, size_t *ret_len,
                               int64_t *ret_announcement_id, int64_t *ret_uploader_id);

/* ---- announce_json.c ---- */

/* @ann as JSON; receipts and editing for @staff (not a resident), @can_edit for its author's peers. */
json_t *announce_json(Arena *a, const Announcement *ann, bool staff, bool can_edit);

/* ---- announce_routes.c ---- */

void announce_routes_register(Router *r);

/*
 * Demo announcements for @community (a few notices of different scopes and
 * ages, one pinned, one ended, a tag's, with read receipts): linli demo.
 */
Error *announce_demo(Store *st, Arena *a, const char *community);
