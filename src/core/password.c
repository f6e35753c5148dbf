#include "core/password.h"

#include <string.h>

#include "core/validate.h"
#include "core/banned.h"

/*
 * Passwords of eight or more characters that lead the public lists of leaked
 * passwords (SecLists' top lists, and the Chinese ones from the CSDN, Tianya
 * and 12306 leaks), in lower case. Runs and repeated characters ("12345678",
 * "88888888") are caught by the rules below and need no entry.
 */
static const char *const common[] = {
    "password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "p@ssword",
    "iloveyou", "iloveyou1", "iloveyou520", "princess", "sunshine", "football", "baseball",
    "superman", "trustno1", "letmein1", "welcome1", "welcome123", "changeme", "computer",
    "internet", "michael1", "dragon123", "monkey123", "master123", "shadow123", "whatever",
    "qwerty123", "qwerty12", "qwer1234", "1234qwer", "asdf1234", "1234asdf", "zxcv1234",
    "1q2w3e4r", "1q2w3e4r5t", "q1w2e3r4", "q1w2e3r4t5", "1qaz2wsx", "1qaz2wsx3edc", "1qazxsw2",
    "zaq12wsx", "zaq1zaq1", "qazwsxedc", "qweasdzxc", "123qweasd", "123qweasdzxc", "qwe123456",
    "qwe123qwe", "asd123456", "zxc123456", "a1b2c3d4", "abcd1234", "abc12345", "abc123456",
    "abc123456789", "abcd123456", "a1234567", "a12345678", "a123456789", "aa123456",
    "aa12345678", "aaa123456", "123456a", "1234567a", "12345678a", "123456789a", "123456abc",
    "123456aa", "123456qq", "qq123456", "qq12345678", "admin123", "admin1234", "admin888",
    "admin12345", "administrator", "root1234", "root123456", "test1234", "test123456",
    "woaini1314", "woaini520", "woaini123", "woaini1234", "woaiwojia", "5201314520", "13145200",
    "52013145", "5201314a", "iloveu520", "1314520520", "147258369", "159357456", "147852369",
    "258369147", "123456789", "12341234", "11223344", "112233445566", "12121212", "12344321",
    "123123123", "123321123", "1234512345", "123456123456", "123654789", "741852963",
    "789456123", "987654321a", "caonima123", "wang123456", "zhang123456", "li123456",
    "liu123456", "chen123456", "huang123456", "zhao123456", "wangwei123", "shanghai",
    "shanghai123", "beijing", "beijing123", "china123", "zhongguo", "xiaoming", "asdfasdf",
    "qweqweqwe", "asdasdasd", "zxczxczxc", "abcabcabc", "aaaaaa11", "1111aaaa", "letmein123",
    "lovelove", "iloveyou123", "fuckyou1", "secret123", "password!", "qwerty1234",
};

/* Rows a run of keys or letters is read from, and their reverse. */
static const char *const runs[] = {
    "01234567890", "09876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
    "qwertyuiopasdfghjklzxcvbnm", "mnbvcxzlkjhgfdsapoiuytrewq", "1qaz2wsx3edc4rfv5tgb6yhn7ujm",
    "qazwsxedcrfvtgbyhnujmikolp",
};

static char *lower_ascii(Arena *a, const char *s)
{
    char *out = arena_strdup(a, s);

    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

static bool is_common(const char *lower)
{
    for (size_t i = 0; i < ARRAY_SIZE(common); i++)
        if (strcmp(common[i], lower) == 0)
            return true;
    for (size_t i = 0; i < ARRAY_SIZE(runs); i++)
        if (strstr(runs[i], lower))
            return true;
    return false;
}

static size_t distinct_bytes(const char *s)
{
    bool seen[256] = { false };
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (!seen[*p])
            n++;
        seen[*p] = true;
    }
    return n;
}

/* "linli" and digits only: the demo's password and its obvious neighbours. */
static bool is_demo(const char *lower)
{
    if (strncmp(lower, "linli", 5) != 0)
        return false;
    for (const char *p = lower + 5; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

Error *password_check(Arena *a, const char *field, const char *password, const char *username,
                      bool demo)
{
    size_t n = password ? strlen(password) : 0;
    const char *lower;

    if (n < PASSWORD_MIN_BYTES || n > PASSWORD_MAX_BYTES)
        return error_invalid(a, field, "weak_password", "密码至少8位，最多128位");
    if (!utf8_valid(password, n))
        return error_invalid(a, field, "weak_password", "密码含有无法识别的字符，请重新输入");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)password[i] < 0x20 || password[i] == 0x7f)
            return error_invalid(a, field, "weak_password", "密码不能含有控制字符");
    lower = lower_ascii(a, password);
    if (!demo && is_demo(lower))
        return error_invalid(a, field, "weak_password",
                             "这是演示系统的公开密码，不能在正式系统中使用，请换一个");
    if (is_common(lower) || distinct_bytes(lower) < 4)
        return error_invalid(a, field, "weak_password",
                             "密码太常见或太简单，容易被猜中；请混用字母、数字和符号，换一个");
    if (username && strlen(username) >= 3 && strstr(lower, lower_ascii(a, username)))
        return error_invalid(a, field, "weak_password", "密码不能包含用户名，请换一个");
    return NULL;
}
