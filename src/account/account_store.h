#pragma once
/* The account module's queries. */
#include <stdbool.h>

#include "account/account.h"

typedef struct StoredUser {
    User user;
    const char *password_hash;
    const char *role_name;
    bool disabled;
    const char *state;        /* 'active', 'inactive' (waits for its code), 'pending' */
} StoredUser;

Error *account_store_user_insert(Store *st, Arena *a, const UserInput *in, const char *hash,
                                 const char *role, int64_t *ret_id);
/* *ret is NULL if there is no such user. */
Error *account_store_user_by_name(Store *st, Arena *a, const char *username, StoredUser **ret);
/* *ret: whether `linli demo` filled this database (the demo passwords are allowed). */
Error *account_store_is_demo(Store *st, Arena *a, bool *ret);
/* Marks the database as the demo's. */
Error *account_store_set_demo(Store *st, Arena *a);
/* *ret: whether the administrative division @code is in the database. */
Error *account_store_division_exists(Store *st, Arena *a, const char *code, bool *ret);
