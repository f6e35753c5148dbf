#pragma once
/*
 * Notices (站内消息): a small inbox per user. Other modules call notice_add
 * inside their own write transaction, so a notice is written with the change
 * it tells of, or not at all. The API shows a user only her own.
 */
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "http/router.h"
#include "store/store.h"

/*
 * Adds a notice for @user_id. @kind is a dotted tag ("case.dispatched"),
 * @title a short Chinese line, @body (may be NULL) the detail, @link (may be
 * NULL) the H5 route it opens ("/cases/12"). Fails only if the database does.
 */
Error *notice_add(Store *st, Arena *a, int64_t user_id, const char *kind, const char *title,
                  const char *body, const char *link);
/*
 * notice_add of an event at @at_ms rather than now: a step written with a
 * time of its own (the demo's history, a sweep) dates its notice the same.
 */
Error *notice_add_at(Store *st, Arena *a, int64_t user_id, const char *kind, const char *title,
                     const char *body, const char *link, int64_t at_ms);

/*
 * Marks read @user_id's unread notices that open @link: the thing they
 * tell of was seen another way (an announcement read from the home page).
 */
Error *notice_read_link(Store *st, Arena *a, int64_t user_id, const char *link, int64_t now_ms);

void notice_routes_register(Router *r);
