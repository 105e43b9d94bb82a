/* test_relayfile.c — relay/relayfile.c: the signed trusted comment that
 * names the cache a release installs round-trips, and anything else is
 * refused (it is authenticated, but a subscriber still never trusts a
 * size or name it cannot parse exactly); the directory id a key gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "relayfile.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_comment_roundtrip(void **state)
{
	struct sb_relay_cache c = {.generation = 42, .size = 32851264}, back;
	char text[512];
	struct sb_err err = {0};

	(void)state;
	strcpy(c.directory, "fleet-97E9AE8129EE0131");
	memset(c.sha256, 0x5a, 32);
	sb_relay_comment_build(&c, text, sizeof(text));
	assert_string_equal(text, "scimbridge directory=fleet-97E9AE8129EE0131 generation=42 "
				  "cache=sha256:"
				  "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
				  ":32851264");
	assert_int_equal(sb_relay_comment_parse(text, &back, &err), 0);
	assert_memory_equal(&c, &back, sizeof(c));
}

static void test_comment_refusals(void **state)
{
	static const char *const bad[] = {
	    "",
	    "timestamp:1764430000",
	    "scimbridge directory=d generation=1 cache=sha256:" HEX ":10 x",
	    "scimbridge directory=d generation=1 cache=sha256:" HEX ":0",
	    "scimbridge directory=d generation=1 cache=sha256:" HEX ":4294967297",
	    "scimbridge directory=d generation=1 cache=sha256:" HEX "0:10",
	    "scimbridge directory=d generation=1 cache=sha256:0123:10",
	    "scimbridge directory=d generation=1 cache=sha256:"
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef:10",
	    "scimbridge directory=d/.. generation=1 cache=sha256:" HEX ":10",
	    "scimbridge directory=d generation=x cache=sha256:" HEX ":10",
	    "scimbridge directory="
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    " generation=1 cache=sha256:" HEX ":10",
	};
	struct sb_relay_cache c;
	struct sb_err err;

	(void)state;
	assert_int_equal(sb_relay_comment_parse("scimbridge directory=d generation=1 cache=sha256:" HEX
						":10",
						&c, &err),
			 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (sb_relay_comment_parse(bad[i], &c, &err) != -1)
			fail_msg("accepted: '%s'", bad[i]);
		assert_int_equal(err.kind, SB_E_SECURITY);
		assert_non_null(strstr(err.msg, "does not name a cache"));
	}
}

static void test_directory_id(void **state)
{
	const uint8_t id[SB_MS_KEYID_BYTES] = {0x31, 0x01, 0xee, 0x29, 0x81, 0xae, 0xe9, 0x97};
	char out[32];

	(void)state;
	sb_relay_directory_id(id, out);
	/* minisign prints the id as a little-endian integer */
	assert_string_equal(out, "fleet-97E9AE8129EE0131");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_comment_roundtrip),
	    cmocka_unit_test(test_comment_refusals),
	    cmocka_unit_test(test_directory_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
