/* i18n_ko.c - the catalog: each English text of the programs with its Korean. Terms follow the field
 * notes (../shared/seeds): 4-way handshake, 좀비 커넥션, 커넥션 풀 ..., with the English term where a
 * reader meets it in Wireshark or man pages. A translation keeps its English's printf conversions in
 * the same order (tests/common/test_i18n.c checks). */
#include "common/i18n.h"

static const struct i18n_pair pairs[] = {
    /* common/cli.c */
    {"usage: %s %s\n\noptions:\n", "사용법: %s %s\n\n옵션:\n"},
    {"--lang L      ko or en (default: the user's locale)", "--lang L      ko 또는 en (기본값: 사용자의 로케일)"},
    {"--help        this text", "--help        이 도움말"},
    {"--version     print the version", "--version     버전 출력"},
    {"--lang: '%s' is not a language socklab speaks (ko or en)", "--lang: '%s'은(는) socklab이 쓰는 언어가 아닙니다 (ko 또는 en)"},
    {"--%s needs a value", "--%s에는 값이 필요합니다"},
    {"--%s takes no value", "--%s은(는) 값을 받지 않습니다"},
    {"unknown option '--%.*s' (see --help)", "알 수 없는 옵션 '--%.*s' (--help 참고)"},
    {"unknown option '--%.*s' (did you mean --%s? see --help)", "알 수 없는 옵션 '--%.*s' (--%s을(를) 말씀하신 건가요? --help 참고)"},
    {"unknown option '%s' (options are long: see --help)", "알 수 없는 옵션 '%s' (옵션은 긴 형식입니다: --help 참고)"},
    {"unexpected argument '%s' (see --help)", "예상하지 못한 인자 '%s' (--help 참고)"},
    {"--%s: '%s' is not a whole number from %ld to %ld", "--%s: '%s'은(는) %ld부터 %ld까지의 정수가 아닙니다"},
    {"--%s: '%s' is not a number from %g to %g", "--%s: '%s'은(는) %g부터 %g까지의 수가 아닙니다"},
    {"--%s: '%s' is not a port number (0-65535)", "--%s: '%s'은(는) 포트 번호(0-65535)가 아닙니다"},
};

const struct i18n_pair *i18n_catalog(size_t *n)
{
    *n = sizeof pairs / sizeof pairs[0];
    return pairs;
}
