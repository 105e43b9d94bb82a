/* test_release.c — relay/release.c: a release built and parsed back gives
 * the same fields and the same bytes; a known text parses to known fields;
 * each malformed or out-of-bounds document is refused with the line or
 * field that was wrong; the subscriber's verdicts (other directory,
 * rollback, expired, from the future, same, newer); the file hash check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "release.h"

#define H1 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H2 "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static const char golden[] = "scimbridge-release 1\n"
			     "directory fleet-1.example_com\n"
			     "generation 42\n"
			     "created 1764430000\n"
			     "valid-until 1764433600\n"
			     "snapshot " H1 " 123456\n"
			     "delta 40 " H2 " 2345\n"
			     "delta 41 " H1 " 1234\n";

static void sample(struct sb_release *r)
{
	memset(r, 0, sizeof(*r));
	r->version = 1;
	strcpy(r->directory, "d");
	r->generation = 9;
	r->created = 1000;
	r->valid_until = 4600;
	r->snapshot.size = 77;
	memset(r->snapshot.sha256, 0xab, 32);
	r->ndeltas = 2;
	r->deltas[0].from_generation = 7;
	r->deltas[0].file.size = 5;
	r->deltas[1].from_generation = 8;
	r->deltas[1].file.size = 6;
	r->deltas[1].file.sha256[31] = 1;
}

static void test_golden_parse(void **state)
{
	struct sb_release r;
	struct sb_err err = {0};

	(void)state;
	assert_int_equal(sb_release_parse(golden, strlen(golden), &r, &err), 0);
	assert_int_equal(r.version, 1);
	assert_string_equal(r.directory, "fleet-1.example_com");
	assert_int_equal(r.generation, 42);
	assert_int_equal(r.created, 1764430000);
	assert_int_equal(r.valid_until, 1764433600);
	assert_int_equal(r.snapshot.size, 123456);
	assert_int_equal(r.snapshot.sha256[0], 0x01);
	assert_int_equal(r.snapshot.sha256[31], 0xef);
	assert_int_equal(r.ndeltas, 2);
	assert_int_equal(r.deltas[0].from_generation, 40);
	assert_int_equal(r.deltas[0].file.size, 2345);
	assert_int_equal(r.deltas[0].file.sha256[0], 0xfe);
	assert_int_equal(r.deltas[1].from_generation, 41);
}

static void test_round_trip(void **state)
{
	struct sb_release r, back;
	struct sb_err err = {0};
	char *text;
	size_t len;

	(void)state;
	sample(&r);
	assert_int_equal(sb_release_build(&r, &text, &len, &err), 0);
	assert_int_equal(len, strlen(text));
	assert_int_equal(sb_release_parse(text, len, &back, &err), 0);
	assert_memory_equal(&back, &r, sizeof(r));
	free(text);
	/* the golden text, parsed and built again: the same bytes */
	assert_int_equal(sb_release_parse(golden, strlen(golden), &r, &err), 0);
	assert_int_equal(sb_release_build(&r, &text, &len, &err), 0);
	assert_string_equal(text, golden);
	free(text);
	/* no deltas at all */
	sample(&r);
	r.ndeltas = 0;
	assert_int_equal(sb_release_build(&r, &text, &len, &err), 0);
	assert_int_equal(sb_release_parse(text, len, &back, &err), 0);
	assert_int_equal(back.ndeltas, 0);
	free(text);
}

/* golden with its line `line` (1-based) replaced by with (NULL: removed). */
static char *edit(int line, const char *with)
{
	char *out = malloc(strlen(golden) + 200), *o = out;
	const char *p = golden;

	for (int i = 1; *p; i++) {
		const char *nl = strchr(p, '\n') + 1;

		if (i != line) {
			memcpy(o, p, (size_t)(nl - p));
			o += nl - p;
		} else if (with) {
			o += sprintf(o, "%s\n", with);
		}
		p = nl;
	}
	*o = '\0';
	return out;
}

static void refused_text(const char *text, size_t len, const char *needle)
{
	struct sb_release r;
	struct sb_err err = {0};

	assert_int_equal(sb_release_parse(text, len, &r, &err), -1);
	assert_int_equal(err.kind, SB_E_FORMAT);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
	assert_int_equal(r.generation, 0); /* nothing half-parsed is left */
}

static void refused(int line, const char *with, const char *needle)
{
	char *text = edit(line, with);

	refused_text(text, strlen(text), needle);
	free(text);
}

static void test_header_refusals(void **state)
{
	(void)state;
	refused(1, "scimbridge-release 2", "format version 2 not supported");
	refused(1, "scimbridge-release 01", "bad format version");
	refused(1, "apt-release 1", "not a release");
	refused(1, "scimbridge-release  1", "not a release");
	refused(2, NULL, "line 2: expected 'directory");
	refused(2, "directory", "line 2");
	refused(2, "directory a/b", "line 2");
	refused(2, "directory a b", "line 2");
	refused(2,
		"directory "
		"x12345678901234567890123456789012345678901234567890123456789012345",
		"line 2");
	refused(2, "Directory d", "line 2");
	refused(2, "directory d ", "line 2");
	refused(3, "generation 0", "generation must be");
	refused(3, "generation -1", "line 3");
	refused(3, "generation +1", "line 3");
	refused(3, "generation 042", "line 3");
	refused(3, "generation 9223372036854775808", "line 3"); /* 2^63 */
	refused(3, "generation 99999999999999999999999", "line 3");
	refused(3, "generation 4x", "line 3");
	refused(4, "created 1764433600", "valid-until after it");
	refused(4, "created 0", "created must be");
	refused(5, "valid-until 1764430000", "valid-until after it");
	refused(5, "valid_until 1764433600", "line 5");
	refused(4, "valid-until 1764433600", "line 4"); /* out of order */
	refused(6, "snapshot " H1, "line 6");
	refused(6, "snapshot sha256:0123 5", "line 6");
	refused(6, "snapshot sha1:0123456789abcdef0123456789abcdef01234567 5", "line 6");
	refused(6,
		"snapshot sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef "
		"5",
		"line 6");
	refused(6, "snapshot " H1 " 0", "snapshot size 0");
	refused(6, "snapshot " H1 " 4294967297", "snapshot size 4294967297");
	refused(6, "directory d", "line 6"); /* a field twice */
	refused(6, "origin somewhere", "line 6");
}

static void test_delta_refusals(void **state)
{
	char *text, *p;
	size_t len;

	(void)state;
	refused(7, "delta 42 " H2 " 1", "below 42");
	refused(8, "delta 40 " H2 " 1", "ascending");
	refused(8, "delta 39 " H2 " 1", "ascending");
	refused(7, "delta 40 " H2 " 0", "size 0");
	refused(7, "delta 40 " H2, "line 7");
	refused(7, "delta 40 " H2 " 1 extra", "line 7");
	refused(7, "label stable", "line 7"); /* unknown field after the header */
	refused(8, "snapshot " H1 " 1", "line 8");
	/* 65 deltas */
	text = malloc(SB_RELEASE_TEXT_MAX);
	p = text + sprintf(text, "%.*s", (int)(strstr(golden, "delta") - golden), golden);
	for (int i = 0; i <= SB_RELEASE_MAX_DELTAS; i++)
		p += sprintf(p, "delta %d " H2 " 1\n", i + 1);
	len = (size_t)(p - text);
	assert_true(len < SB_RELEASE_TEXT_MAX);
	refused_text(text, len, "at most 64");
	free(text);
}

static void test_shape_refusals(void **state)
{
	char *big;
	size_t n = strlen(golden);

	(void)state;
	refused_text(golden, n - 1, "not ending in a newline");
	refused_text("", 0, "empty");
	refused_text(golden, 65, "3 lines, the header needs 6"); /* cut at a line's end */
	refused_text("scimbridge-release 1\ndirectory d\n", 33, "2 lines");
	big = malloc(SB_RELEASE_TEXT_MAX + 2);
	memset(big, '\n', SB_RELEASE_TEXT_MAX + 1);
	refused_text(big, SB_RELEASE_TEXT_MAX + 1, "more than 16384");
	memcpy(big, golden, n + 1);
	big[10] = '\0';
	refused_text(big, n, "NUL");
	big[10] = '\r';
	refused_text(big, n, "CR");
	free(big);
}

static void test_build_refuses_invalid(void **state)
{
	struct sb_release r;
	struct sb_err err = {0};
	char *text = (char *)1;
	size_t len;

	(void)state;
	sample(&r);
	r.version = 2;
	assert_int_equal(sb_release_build(&r, &text, &len, &err), -1);
	assert_null(text);
	sample(&r);
	strcpy(r.directory, "a b");
	assert_int_equal(sb_release_build(&r, &text, &len, &err), -1);
	sample(&r);
	r.deltas[1].from_generation = 9;
	assert_int_equal(sb_release_build(&r, &text, &len, &err), -1);
	sample(&r);
	r.valid_until = r.created;
	assert_int_equal(sb_release_build(&r, &text, &len, &err), -1);
	sample(&r);
	r.ndeltas = SB_RELEASE_MAX_DELTAS + 1;
	assert_int_equal(sb_release_build(&r, &text, &len, &err), -1);
}

static void test_judge(void **state)
{
	struct sb_release r;
	struct sb_err err = {0};

	(void)state;
	sample(&r); /* generation 9, created 1000, valid until 4600 */
	assert_int_equal(sb_release_judge(&r, "d", 0, 2000, 300, &err), SB_RELEASE_NEWER);
	assert_int_equal(sb_release_judge(&r, "d", 8, 2000, 300, &err), SB_RELEASE_NEWER);
	assert_int_equal(sb_release_judge(&r, "d", 9, 2000, 300, &err), SB_RELEASE_SAME);
	assert_int_equal(sb_release_judge(&r, "e", 0, 2000, 300, &err), SB_RELEASE_OTHER_DIR);
	assert_int_equal(err.kind, SB_E_SECURITY);
	assert_int_equal(sb_release_judge(&r, "d", 10, 2000, 300, &err), SB_RELEASE_ROLLBACK);
	assert_non_null(strstr(err.msg, "rollback"));
	/* an old release replayed after it expired is still called a rollback */
	assert_int_equal(sb_release_judge(&r, "d", 10, 9999, 300, &err), SB_RELEASE_ROLLBACK);
	assert_int_equal(sb_release_judge(&r, "d", 9, 4600, 300, &err), SB_RELEASE_EXPIRED);
	assert_int_equal(err.kind, SB_E_NETWORK); /* counts as an unreachable directory */
	assert_int_equal(sb_release_judge(&r, "d", 9, 4599, 300, &err), SB_RELEASE_SAME);
	assert_int_equal(sb_release_judge(&r, "d", 0, 699, 300, &err), SB_RELEASE_FROM_FUTURE);
	assert_int_equal(sb_release_judge(&r, "d", 0, 700, 300, &err), SB_RELEASE_NEWER);
}

static void test_file_check(void **state)
{
	struct sb_release_file f = {.size = 3};
	struct sb_err err = {0};
	char hex[65];

	(void)state;
	/* SHA-256("abc"), FIPS 180-2's example */
	assert_string_equal(sb_release_sha256_hex("abc", 3, hex),
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	for (int i = 0; i < 32; i++)
		sscanf(hex + 2 * i, "%2hhx", &f.sha256[i]);
	assert_int_equal(sb_release_file_check(&f, "abc", 3, "snapshot", &err), 0);
	assert_int_equal(sb_release_file_check(&f, "abd", 3, "snapshot", &err), -1);
	assert_int_equal(err.kind, SB_E_SECURITY);
	assert_non_null(strstr(err.msg, "snapshot: sha256"));
	assert_int_equal(sb_release_file_check(&f, "ab", 2, "delta", &err), -1);
	assert_non_null(strstr(err.msg, "delta: 2 bytes, the signed release says 3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_parse),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_header_refusals),
	    cmocka_unit_test(test_delta_refusals),
	    cmocka_unit_test(test_shape_refusals),
	    cmocka_unit_test(test_build_refuses_invalid),
	    cmocka_unit_test(test_judge),
	    cmocka_unit_test(test_file_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
