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
} UserInput;

/* Validates and creates a user; 409 if the username is taken. */
Error *account_user_add(Store *st, Arena *a, const UserInput *in, int64_t *ret_id);

void account_routes_register(Router *r);
