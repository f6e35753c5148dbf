/*
 * Demo profiles for `linli demo`: every community of the street gets an
 * office phone, hours, an address at its service station and a duty phone,
 * so that the H5's 呼叫居委会 tile dials a number and the assistant can say
 * how to reach the 居委会 on a fresh machine. Numbers are made up (the
 * street's area code, then a number derived from the community's place).
 */
#include "community/community.h"
#include "core/banned.h"

Error *community_demo(Store *st, Arena *a, const char *street, int *ret_n)
{
    const char **codes;
    size_t n;
    Error *err;

    *ret_n = 0;
    err = community_store_under(st, a, street, &codes, &n);
    if (err)
        return err;
    err = store_begin(st, a);
    if (err)
        return err;
    for (size_t i = 0; i < n && !err; i++) {
        CommunityProfile p = {
            .community = codes[i],
            .office_phone = arena_sprintf(a, "021-6251%04zu", 1000 + i * 37),
            .office_hours = "周一至周五 8:30—17:00，周六 9:00—12:00",
            .address = "社区党群服务站一楼",
            .station = "社区党群服务站（助餐点、活动室、卫生服务站都在这里），每天 8:00—20:00 开放",
            .duty_phone = arena_sprintf(a, "1391620%04zu", 2000 + i * 53),
        };

        err = community_store_profile_put(st, a, &p, 0);
    }
    if (!err)
        err = store_commit(st, a);
    if (err) {
        store_rollback(st);
        return err;
    }
    *ret_n = (int)n;
    return NULL;
}
