/* test_log.c — issue 14's log injection: a name with a newline (or a
 * terminal escape) from the tenant or a local client must come out of
 * sb_log as one printable line, whatever the call site passed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static void test_escape(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(sb_log_escape("alice", out, sizeof(out)), 5);
	assert_string_equal(out, "alice");
	sb_log_escape("a\nscimbridged: info: forged", out, sizeof(out));
	assert_string_equal(out, "a\\x0ascimbridged: info: forged");
	sb_log_escape("\r\t\033[2J\x7f", out, sizeof(out));
	assert_string_equal(out, "\\x0d\\x09\\x1b[2J\\x7f");
	sb_log_escape("back\\slash", out, sizeof(out));
	assert_string_equal(out, "back\\\\slash");
	sb_log_escape("\xc3\xa9\xe2\x80\xae", out, sizeof(out)); /* é, RIGHT-TO-LEFT OVERRIDE */
	assert_string_equal(out, "\\xc3\\xa9\\xe2\\x80\\xae");
	sb_log_escape(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

/* For a terminal: printable UTF-8 stays, control characters in any
 * encoding and broken UTF-8 do not. */
static void test_text_escape(void **state)
{
	char out[128], small[6];

	(void)state;
	sb_text_escape("uid_min: must be \xe2\x89\xa5 1000, Ren\xc3\xa9" "e", out, sizeof(out));
	assert_string_equal(out, "uid_min: must be \xe2\x89\xa5 1000, Ren\xc3\xa9" "e");
	sb_text_escape("evil\033]2;pwned\007\nforged=1\\", out, sizeof(out));
	assert_string_equal(out, "evil\\x1b]2;pwned\\x07\\x0aforged=1\\\\");
	/* C1 CSI (U+009B), RIGHT-TO-LEFT OVERRIDE, LINE SEPARATOR */
	sb_text_escape("a\xc2\x9b" "2Jb\xe2\x80\xae" "c\xe2\x80\xa8" "d", out, sizeof(out));
	assert_string_equal(out, "a\\xc2\\x9b2Jb\\xe2\\x80\\xaec\\xe2\\x80\\xa8d");
	/* stray continuation, overlong, truncated sequence, lone lead at the end */
	sb_text_escape("\x80\xc0\xaf\xe2\x89x\xe2", out, sizeof(out));
	assert_string_equal(out, "\\x80\\xc0\\xaf\\xe2\\x89x\\xe2");
	/* bounded: a character or an escape whole, or not at all */
	assert_int_equal(sb_text_escape("ab\xe2\x89\xa5", small, sizeof(small)), 5);
	assert_string_equal(small, "ab\xe2\x89\xa5");
	assert_int_equal(sb_text_escape("abc\xe2\x89\xa5", small, sizeof(small)), 3);
	assert_int_equal(sb_text_escape("ab\n", small, sizeof(small)), 2);
	sb_text_escape(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

/* Cut before an escape that would not fit, never inside one. */
static void test_escape_bounded(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(sb_log_escape("abcd\nef", out, sizeof(out)), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(sb_log_escape("abcdefghij", out, sizeof(out)), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(sb_log_escape("x", out, 1), 0);
	assert_string_equal(out, "");
}

/* What sb_log writes to stderr for one message. */
static char *logged(const char *name)
{
	static char buf[4096];
	int p[2], saved = dup(STDERR_FILENO);
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	sb_log(LOG_WARNING, "lookup %s: %s", name, "not found");
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	return buf;
}

static void test_sb_log_one_line(void **state)
{
	char *s;

	(void)state;
	sb_log_init("scimbridged", SB_LOG_STDERR, LOG_DAEMON);
	s = logged("eve\nscimbridged: info: account check alice: active");
	assert_string_equal(s, "scimbridged: warning: lookup eve\\x0ascimbridged: info: account "
			       "check alice: active: not found\n");
	s = logged("\033]0;owned\007");
	assert_string_equal(s, "scimbridged: warning: lookup \\x1b]0;owned\\x07: not found\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_escape_bounded),
	    cmocka_unit_test(test_text_escape),
	    cmocka_unit_test(test_sb_log_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
