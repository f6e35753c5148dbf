#pragma once
/*
 * Request: what a handler sees of one HTTP request, and the helpers that
 * read it. Everything here is allocated in req->arena and lives until the
 * response has been sent. Field readers return an Error naming the field.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/error.h"
#include "http/ratelimit.h"
#include "store/store.h"

struct MHD_Connection;

typedef enum Role {
    ROLE_RESIDENT = 1 << 0,
    ROLE_GRID_WORKER = 1 << 1,
    ROLE_STAFF = 1 << 2,
    ROLE_SECRETARY = 1 << 3,
    ROLE_STREET_ADMIN = 1 << 4,
    ROLE_PROPERTY = 1 << 5,
    ROLE_ADMIN = 1 << 6,
    ROLE_REPORTER = 1 << 7, /* 流动网格员: reports cases, sees only her own */
} Role;

#define ROLES_ALL 0xff
#define ROLES_COMMUNITY_STAFF (ROLE_STAFF | ROLE_SECRETARY)
#define ROLES_REGISTRY_READ \
    (ROLE_GRID_WORKER | ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)

typedef struct User {
    int64_t id;
    const char *username;
    const char *display_name;
    Role role;
    const char *scope;      /* code prefix ("" for admin); a resident's community */
    int64_t household_id;   /* residents only, else 0 */
    bool pending;           /* registered by phone, waits for staff: ROUTE_PENDING routes only */
} User;

/* Process-wide state shared by all requests; read-only while serving. */
typedef struct App {
    Config *cfg;
    CryptoKeys *keys;
    RateLimit login_limit;           /* sign-in failures (counted in the database) */
    RateLimit search_limit;          /* whole-number searches that missed, per user */
    RateLimit tts_limit;             /* read-aloud syntheses, per user */
} App;

typedef struct Request {
    Arena *arena;
    Store *store;
    const App *app;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;         /* without the query string */
    char *body;               /* NUL-terminated; NULL if none */
    size_t body_len;
    size_t body_cap;
    size_t body_max;
    bool body_file; /* the body is one file of at most ROUTER_FILE_BODY: a 413 says that limit */
    bool body_too_large;
    const char *params[4];    /* {name} segments of the matched route, in order */
    int n_params;
    const User *user;         /* NULL until authenticated */
    char id[17];              /* request id, in logs and internal errors */
    const char *client_ip;
    bool via_proxy;           /* the peer is a trusted proxy (its X-Forwarded-* are believed) */
    int64_t start_us;
    const struct Route *route;
    int status;               /* set when the response is queued, for the access log */
    bool read_tx;             /* a GET's handler runs in one read transaction until it writes */
} Request;

/* Query-string argument or NULL. */
const char *request_query(Request *req, const char *name);
/* Every value of a repeated query argument (?a=x&a=y), joined by commas; NULL if absent. */
const char *request_query_all(Request *req, const char *name);
const char *request_header(Request *req, const char *name);
const char *request_cookie(Request *req, const char *name);

/*
 * Parses the body as a JSON object. 400 malformed_json when it is not JSON,
 * 400 expected_object when it is JSON but not an object, 415 when a body
 * comes without "Content-Type: application/json". The object is released
 * with the arena.
 */
Error *request_json_object(Request *req, json_t **ret_obj);

/* 422 unknown_field for the first key of @obj not in NULL-terminated @allowed. */
Error *request_reject_unknown(Request *req, json_t *obj, const char *const *allowed);

/* request_json_object(), then request_reject_unknown() with @allowed. */
Error *request_json_fields(Request *req, const char *const *allowed, json_t **ret_obj);

/*
 * A string field, trimmed, of @min..@max characters, valid UTF-8 without
 * control characters. When @required is false and the field is absent or
 * null, *ret is set to NULL and NULL is returned.
 */
Error *request_field_string(Request *req, json_t *obj, const char *name, bool required,
                            size_t min_chars, size_t max_chars, const char **ret);
/* An integer field in [@min, @max]; absent and optional leaves *ret as is and sets *ret_present false. */
Error *request_field_int(Request *req, json_t *obj, const char *name, bool required, int64_t min,
                         int64_t max, int64_t *ret, bool *ret_present);
/* A number (integer or real) in [@min, @max]; null allowed when optional. */
Error *request_field_number(Request *req, json_t *obj, const char *name, bool required, double min,
                            double max, double *ret, bool *ret_present);

/* The query argument @name as an integer in [@min, @max], or @def if absent. */
Error *request_query_int(Request *req, const char *name, int64_t def, int64_t min, int64_t max,
                         int64_t *ret);

/* The query argument @name as a flag: 1 for "1"/"true", 0 for "0"/"false", -1 when absent or empty; 400 otherwise. */
Error *request_query_flag(Request *req, const char *name, int *ret);

/* Route parameter @idx as a positive id; 404 if it is not one. */
Error *request_param_id(Request *req, int idx, int64_t *ret);

/* Ends the request's read transaction; a GET handler calls it before it writes. */
void request_end_read(Request *req);

/* A form body (application/x-www-form-urlencoded or multipart), decoded. */
#define REQUEST_FORM_MAX 64
typedef struct RequestForm {
    const char *keys[REQUEST_FORM_MAX];
    const char *values[REQUEST_FORM_MAX];
    size_t lens[REQUEST_FORM_MAX];         /* bytes of each value (a file may hold NULs) */
    const char *filenames[REQUEST_FORM_MAX]; /* multipart file parts: the file's name; else NULL */
    size_t n;
} RequestForm;

/*
 * Decodes the body as a form: 415 when the Content-Type is not a form, 400
 * when it is malformed, has more than REQUEST_FORM_MAX fields, or a value
 * that is not valid text (file parts of a multipart form are bytes, not
 * checked). An empty body is an empty form.
 */
Error *request_form(Request *req, RequestForm *ret);
/* The value of text field @name, or NULL (also for a file part: see request_form_file). */
const char *request_form_value(const RequestForm *f, const char *name);
/* The bytes of multipart file part @name and their length, or NULL. */
const char *request_form_file(const RequestForm *f, const char *name, size_t *ret_len);

/* Checks a user-supplied string: valid UTF-8, no control characters. */
bool request_text_ok(const char *s);
