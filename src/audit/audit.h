#pragma once
/*
 * Audit log: every write and every full view of personal data is recorded
 * with who, when, what and from where. Entries never hold the personal data
 * itself, only record ids and field names.
 */
#include <jansson.h>
#include <stdint.h>

#include "http/request.h"
#include "http/router.h"

/*
 * The community of an entry about a setting every community shares (the
 * working-day calendar, the assistant's synonyms): such entries show in
 * every community's audit view, since the change has effect in each.
 */
#define AUDIT_EVERY_COMMUNITY "*"

/*
 * Records @action ("resident.view_full") on @object_type/@object_id in
 * @community by the request's user. @detail (may be NULL) is a JSON object
 * whose reference is stolen. Fails only if the database does.
 */
Error *audit_record(Request *req, const char *action, const char *object_type, int64_t object_id,
                    const char *community, json_t *detail);

/*
 * Like audit_record, for a request without a user (a failed login): the
 * entry names @username as the actor, as it was typed.
 */
Error *audit_record_attempt(Request *req, const char *username, const char *action,
                            const char *object_type, int64_t object_id, const char *community,
                            json_t *detail);

/* For the CLI and other non-request writers: @actor is a label such as "cli". */
Error *audit_record_system(Store *st, Arena *a, const char *actor, const char *action,
                           const char *object_type, int64_t object_id, const char *community,
                           json_t *detail);

void audit_routes_register(Router *r);
