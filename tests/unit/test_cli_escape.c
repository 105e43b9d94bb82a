/* test_cli_escape — tenant text the CLI prints (names, display names, the
 * tenant's words in `status`): controls escaped, printable UTF-8 kept, C1
 * and stray bytes >= 0x80 escaped, the result bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../cli/cli.h"

static const char *esc(const char *in)
{
	static char out[64];

	return cli_escape(out, sizeof(out), in);
}

static void test_controls(void **state)
{
	(void)state;
	assert_string_equal(esc("a\nb"), "a\\nb");
	assert_string_equal(esc("\x1b]2;x\x07"), "\\x1b]2;x\\x07");
	assert_string_equal(esc("del\x7f"), "del\\x7f");
}

static void test_utf8(void **state)
{
	(void)state;
	assert_string_equal(esc("Jos\xc3\xa9 \xe2\x89\xa5 \xf0\x9f\x98\x80"),
			    "Jos\xc3\xa9 \xe2\x89\xa5 \xf0\x9f\x98\x80");
	/* U+009B (CSI to many terminals), encoded and as a lone byte */
	assert_string_equal(esc("a\xc2\x9b" "1m"), "a\\xc2\\x9b1m");
	assert_string_equal(esc("a\x9b" "1m"), "a\\x9b1m");
	/* a truncated sequence and an overlong '/' */
	assert_string_equal(esc("x\xe2\x89"), "x\\xe2\\x89");
	assert_string_equal(esc("\xc0\xaf"), "\\xc0\\xaf");
	/* U+061C arabic letter mark, U+200B zero-width space, U+FEFF */
	assert_string_equal(esc("a\xd8\x9c" "b"), "a\\xd8\\x9cb");
	assert_string_equal(esc("a\xe2\x80\x8b" "b"), "a\\xe2\\x80\\x8bb");
	assert_string_equal(esc("\xef\xbb\xbf" "x"), "\\xef\\xbb\\xbfx");
	/* U+202E, right-to-left override */
	assert_string_equal(esc("\xe2\x80\xae" "abc"), "\\xe2\\x80\\xaeabc");
}

static void test_bounded(void **state)
{
	char big[300], out[16];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cli_escape(out, sizeof(out), big);
	assert_true(strlen(out) < sizeof(out));
	assert_non_null(strstr(out, "..."));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
