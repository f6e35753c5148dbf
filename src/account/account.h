#pragma once
/*
 * Accounts: users, login and logout, and "me". Passwords are argon2id;
 * failed logins are limited per username and per address.
 */
#include <stdint.h>

#include "http/request.h"
#include "http/router.h"

typedef struct UserInput {
    const char *username;
    const char *password;
    Role role;
    const char *scope;         /* code prefix; for a resident, her community */
    int64_t household_id;      /* residents only */
    const char *display_name;
    int64_t resident_id;       /* a resident's own account: who she is; else 0 */
    bool shared;               /* the household's shared access */
    int64_t created_by;        /* the user who opened it; 0: the command line */
} UserInput;

/*
 * Validates and creates a user; 409 if the username is taken. The password
 * passes password_check() (core/password.h); without one (NULL) the account
 * is made with an empty hash and cannot log in until a code sets one.
 */
Error *account_user_add(Store *st, Arena *a, const UserInput *in, int64_t *ret_id);

/* Marks the database as the demo's: the demo passwords are allowed in it. */
Error *account_mark_demo(Store *st, Arena *a);

void account_routes_register(Router *r);

/*
 * Two registrations by phone that wait for staff in @community, for the
 * demo: pending accounts (password @password) with the addresses they typed.
 */
Error *account_register_demo(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                             const char *password);
