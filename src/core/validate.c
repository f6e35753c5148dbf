#include "core/validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/banned.h"

char id_number_check_char(const char *first17)
{
    static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    static const char checks[] = "10X98765432";
    int sum = 0;

    for (int i = 0; i < 17; i++) {
        if (first17[i] < '0' || first17[i] > '9')
            return '\0';
        sum += (first17[i] - '0') * weights[i];
    }
    return checks[sum % 11];
}

static bool province_code_valid(int p)
{
    static const int codes[] = { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
                                 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64,
                                 65, 71, 81, 82 };

    for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
        if (codes[i] == p)
            return true;
    return false;
}

Error *validate_id_number(Arena *a, const char *field, const char *in, const char **ret)
{
    char id[19];
    int y, m, d;
    char date[11];

    if (!in || strlen(in) != 18)
        return error_invalid(a, field, "invalid_id_number", "身份证号应为18位，请核对后重新输入");
    for (int i = 0; i < 18; i++)
        id[i] = (char)toupper((unsigned char)in[i]);
    id[18] = '\0';
    for (int i = 0; i < 17; i++)
        if (!isdigit((unsigned char)id[i]))
            return error_invalid(a, field, "invalid_id_number", "身份证号前17位应为数字，请核对后重新输入");
    if (!isdigit((unsigned char)id[17]) && id[17] != 'X')
        return error_invalid(a, field, "invalid_id_number", "身份证号最后一位应为数字或X，请核对后重新输入");
    if (!province_code_valid((id[0] - '0') * 10 + (id[1] - '0')))
        return error_invalid(a, field, "invalid_id_number", "身份证号的地区码不正确，请核对后重新输入");
    snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
    if (!date_parse(date, &y, &m, &d))
        return error_invalid(a, field, "invalid_id_number", "身份证号中的出生日期不正确，请核对后重新输入");
    if (id_number_check_char(id) != id[17])
        return error_invalid(a, field, "invalid_id_number", "身份证号校验位不正确，请核对是否输错");
    *ret = arena_strdup(a, id);
    return NULL;
}

void id_number_birth_date(const char *id, char ret_date[11])
{
    snprintf(ret_date, 11, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
}

const char *id_number_gender(const char *id)
{
    return ((id[16] - '0') % 2) ? "male" : "female";
}

bool phone_is_mobile(const char *p)
{
    if (strlen(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9')
        return false;
    for (int i = 0; i < 11; i++)
        if (!isdigit((unsigned char)p[i]))
            return false;
    return true;
}

Error *validate_phone(Arena *a, const char *field, const char *in, const char **ret)
{
    char digits[16];
    size_t n = 0;
    size_t len;

    if (!in)
        return error_invalid(a, field, "invalid_phone", "请填写手机号码");
    len = strlen(in);
    if (len == 11 && phone_is_mobile(in)) {
        *ret = arena_strdup(a, in);
        return NULL;
    }
    /* landline: 0 + 2-3 digit area code + 7-8 digit number, one optional '-' */
    if (len >= 10 && len <= 13 && in[0] == '0') {
        int dashes = 0;

        for (size_t i = 0; i < len; i++) {
            if (in[i] == '-') {
                dashes++;
                continue;
            }
            if (!isdigit((unsigned char)in[i]) || n >= sizeof(digits) - 1)
                goto bad;
            digits[n++] = in[i];
        }
        if (dashes <= 1 && n >= 10 && n <= 12) {
            *ret = arena_strdup(a, in);
            return NULL;
        }
    }
bad:
    return error_invalid(a, field, "invalid_phone",
                         "手机号码应为11位数字（如13912345678），座机请带区号（如021-12345678）");
}

Error *validate_date(Arena *a, const char *field, const char *in, const char **ret)
{
    int y, m, d;

    if (!date_parse(in, &y, &m, &d))
        return error_invalid(a, field, "invalid_date", "日期格式应为 年-月-日（如 1950-03-02），且须是真实日期");
    *ret = arena_strdup(a, in);
    return NULL;
}

Error *validate_division_code(Arena *a, const char *field, const char *in, const char **ret)
{
    size_t len = in ? strlen(in) : 0;

    if (len != 6 && len != 9 && len != 12)
        goto bad;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)in[i]))
            goto bad;
    *ret = arena_strdup(a, in);
    return NULL;
bad:
    return error_invalid(a, field, "invalid_code", "行政区划代码应为6位（区县）、9位（街道）或12位（社区）数字");
}

bool text_has_bidi_control(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    for (; *s; s++) {
        if (s[0] == 0xD8 && s[1] == 0x9C)
            return true; /* U+061C ARABIC LETTER MARK */
        if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x8E || s[2] == 0x8F ||
                                             (s[2] >= 0xAA && s[2] <= 0xAE)))
            return true; /* LRM, RLM, LRE RLE PDF LRO RLO */
        if (s[0] == 0xE2 && s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9)
            return true; /* LRI RLI FSI PDI */
    }
    return false;
}

Error *validate_no_bidi(Arena *a, const char *field, const char *s)
{
    if (!text_has_bidi_control(s))
        return NULL;
    return error_invalid(a, field, "invalid_text",
                         "含有文字方向控制字符（它能让文字显示成别的样子），请删除后再提交");
}

bool utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned cp;

        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}
