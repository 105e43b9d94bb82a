/* test_names.c — the name rules (each one on its own), reserved names, the
 * name_format and home templates, GECOS clean-up and its UTF-8-safe cut, and
 * group names from displayName. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "map.h"
#include "names.h"

static void test_valid_names(void **state)
{
	(void)state;
	assert_true(sb_name_valid("alice"));
	assert_true(sb_name_valid("_svc"));
	assert_true(sb_name_valid("a.b-c_d9"));
	assert_true(sb_name_valid("x"));
	assert_true(sb_name_valid("a1234"));
}

static void test_invalid_characters(void **state)
{
	const char *bad[] = {"Alice",	    "bad:name",	 "a,b",	 "a/b",	  "a b",
			     "a\tb",	    "new\nline", "cr\r", "c\x01", "del\x7f",
			     "caf\xc3\xa9", "a@b",	 "a+b",	 "a$",	  "a%"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sb_name_valid(bad[i]))
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void test_first_character(void **state)
{
	(void)state;
	assert_false(sb_name_valid("-rf"));
	assert_false(sb_name_valid(".hidden"));
	assert_false(sb_name_valid("1abc"));
	assert_false(sb_name_valid("12345")); /* all digits */
	assert_false(sb_name_valid("0"));
	assert_false(sb_name_valid(""));
	assert_false(sb_name_valid(NULL));
}

static void test_length(void **state)
{
	char s[301];

	(void)state;
	memset(s, 'a', sizeof(s) - 1);
	s[300] = '\0';
	assert_false(sb_name_valid(s));
	s[SB_NAME_MAX + 1] = '\0';
	assert_false(sb_name_valid(s)); /* 33 bytes */
	s[SB_NAME_MAX] = '\0';
	assert_true(sb_name_valid(s)); /* 32 bytes */
}

static void test_ascii_iequal(void **state)
{
	(void)state;
	assert_true(sb_ascii_iequal("ALL USERS", "all users"));
	assert_true(sb_ascii_iequal("Okta.Example.COM", "okta.example.com"));
	assert_true(sb_ascii_iequal("", ""));
	assert_false(sb_ascii_iequal("all users", "all users "));
	assert_false(sb_ascii_iequal("abc", "ab"));
	assert_false(sb_ascii_iequal("\xc3\x89", "\xc3\xa9")); /* É/é: ASCII only */
}

static void test_reserved(void **state)
{
	const char *r[] = {"root",
			   "daemon",
			   "bin",
			   "sys",
			   "sync",
			   "games",
			   "man",
			   "lp",
			   "mail",
			   "news",
			   "uucp",
			   "proxy",
			   "www-data",
			   "backup",
			   "list",
			   "irc",
			   "gnats",
			   "nobody",
			   "nogroup",
			   "sshd",
			   "_apt",
			   "messagebus",
			   "systemd-network",
			   "systemd-x"};

	(void)state;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		if (!sb_name_reserved(r[i], NULL))
			fail_msg("'%s' not reserved", r[i]);
	}
	assert_false(sb_name_reserved("alice", NULL));
	assert_false(sb_name_reserved("rooty", NULL));
	assert_false(sb_name_reserved("systemd", NULL)); /* only the systemd-* family */
}

/* Issue 14: names that sudoers, polkit, udev or a package grant rights to by
 * name (Ubuntu's sudoers grants %admin) are never a tenant's. */
static void test_reserved_privileged(void **state)
{
	const char *r[] = {"admin",	 "docker",	"lxd",	      "sudoers",    "sudo",
			   "wheel",	 "adm",		"root",	      "shadow",	    "disk",
			   "kvm",	 "libvirt",	"systemd-journal", "netdev", "plugdev",
			   "lpadmin",	 "sambashare",	"staff",      "libvirt-qemu", "input",
			   "render",	 "video",	"audio",      "dialout",    "tty",
			   "utmp",	 "kmem",	"ssl-cert",   "crontab",    "syslog",
			   "incus-admin", "_ssh",	"bluetooth",  "tss",	    "sync"};

	(void)state;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (!sb_name_reserved(r[i], NULL))
			fail_msg("'%s' not reserved", r[i]);
	assert_false(sb_name_reserved("admins", NULL));
	assert_false(sb_name_reserved("dockers", NULL));
	assert_false(sb_name_reserved("engineers", NULL));
}

/* bsearch needs the built-in list sorted and free of duplicates; every name
 * in it must be one a tenant could otherwise send (a valid POSIX name). */
static void test_reserved_list_sorted(void **state)
{
	size_t n = sb_name_reserved_count();

	(void)state;
	assert_true(n > 100);
	for (size_t i = 0; i < n; i++) {
		const char *s = sb_name_reserved_at(i);

		assert_true(sb_name_valid(s));
		assert_true(sb_name_reserved(s, NULL));
		if (i > 0 && strcmp(sb_name_reserved_at(i - 1), s) >= 0)
			fail_msg("'%s' out of order", s);
	}
	assert_null(sb_name_reserved_at(n));
}

/* reserved_names adds to the built-in list, ignoring ASCII case. */
static void test_reserved_extra(void **state)
{
	char *v[] = {"ops", "Build-Admins"};
	struct sb_strlist extra = {.v = v, .n = 2};

	(void)state;
	assert_false(sb_name_reserved("ops", NULL));
	assert_true(sb_name_reserved("ops", &extra));
	assert_true(sb_name_reserved("build-admins", &extra));
	assert_true(sb_name_reserved("docker", &extra));
	assert_false(sb_name_reserved("opsx", &extra));
}

static void expect_login(const char *fmt, const char *user, const char *domain, const char *want)
{
	char *s = sb_format_login(fmt, user, domain);

	if (!want) {
		assert_null(s);
		return;
	}
	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_format_login(void **state)
{
	(void)state;
	expect_login("%u", "Alice.Smith@Okta.Example.com", NULL, "alice.smith@okta.example.com");
	expect_login("%l", "Alice.Smith@Okta.example.com", NULL, "alice.smith");
	expect_login("%l", "NoAt", NULL, "noat");
	expect_login("%l_%d", "Bob@x", "EXAMPLE.com", "bob_example.com");
	expect_login("%d", "bob", NULL, "");
	expect_login("100%%-%l", "Bob", NULL, "100%-bob");
	/* only ASCII is lower-cased; the rest is left for sb_name_valid to refuse */
	expect_login("%u", "\xc3\x89VE", NULL, "\xc3\x89ve");
	expect_login("%x", "a", NULL, NULL);
	expect_login("trailing%", "a", NULL, NULL);
	/* one expander serves both templates: each keeps its own conversions */
	expect_login("%i", "a", NULL, NULL);
	expect_login("%u|%l|%d", NULL, NULL, "||");
	expect_login("", "a", NULL, "");
}

static void test_format_home(void **state)
{
	char *s;

	(void)state;
	s = sb_format_home("/home/%d/%u/%i%%", "bob", "ex.com", 200001);
	assert_string_equal(s, "/home/ex.com/bob/200001%");
	free(s);
	s = sb_format_home("/home/%u", "bob", NULL, 5);
	assert_string_equal(s, "/home/bob");
	free(s);
	assert_null(sb_format_home("home/%u", "bob", NULL, 5));	    /* not absolute */
	assert_null(sb_format_home("/home/%u:x", "bob", NULL, 5));  /* ':' */
	assert_null(sb_format_home("/home/%d", "bob", "a\nb", 5));  /* newline */
	assert_null(sb_format_home("/home/%d", "bob", "a\x01", 5)); /* control */
	assert_null(sb_format_home("/home/%z", "bob", NULL, 5));
	assert_null(sb_format_home("/home/%", "bob", NULL, 5));
	assert_null(sb_format_home("/home/%l", "bob", NULL, 5)); /* the login's only */
}

static void expect_gecos(const char *in, const char *want)
{
	char *s = sb_gecos_clean(in);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_gecos_characters(void **state)
{
	(void)state;
	expect_gecos("Ann: Lee,\nJr\x7f", "Ann LeeJr");
	expect_gecos("tab\there\r\x1b[31m", "tabhere[31m");
	expect_gecos("Zo\xc3\xab \xe6\x9d\x8e", "Zo\xc3\xab \xe6\x9d\x8e"); /* UTF-8 kept */
	expect_gecos("", "");
	expect_gecos(NULL, "");
}

/* n ASCII bytes followed by tail, cleaned. */
static char *cut(size_t n, const char *tail)
{
	char *in = malloc(n + strlen(tail) + 1);
	char *out;

	memset(in, 'a', n);
	strcpy(in + n, tail);
	out = sb_gecos_clean(in);
	free(in);
	return out;
}

static void test_gecos_cut_on_utf8_boundary(void **state)
{
	char *s;

	(void)state;
	s = cut(253, "\xc3\xa9"); /* é ends at byte 255: kept */
	assert_int_equal(strlen(s), 255);
	assert_memory_equal(s + 253, "\xc3\xa9", 2);
	free(s);
	s = cut(254, "\xc3\xa9"); /* é would end at 256: dropped whole */
	assert_int_equal(strlen(s), 254);
	free(s);
	s = cut(253, "\xf0\x9f\x98\x80"); /* a 4-byte emoji across the cap */
	assert_int_equal(strlen(s), 253);
	free(s);
	s = cut(252, "\xe6\x9d\x8e"); /* 3-byte character exactly to 255 */
	assert_int_equal(strlen(s), 255);
	free(s);
	s = cut(1 << 20, "");
	assert_int_equal(strlen(s), SB_GECOS_MAX);
	free(s);
}

static void test_group_name_from_display(void **state)
{
	char *s;

	(void)state;
	s = sb_group_name_from_display("Engineering Team EU");
	assert_string_equal(s, "engineering-team-eu");
	free(s);
	s = sb_group_name_from_display("ALL USERS");
	assert_string_equal(s, "all-users");
	free(s);
	s = sb_group_name_from_display("tab\tteam"); /* only spaces become '-' */
	assert_false(sb_name_valid(s));
	free(s);
	s = sb_group_name_from_display(NULL);
	assert_string_equal(s, "");
	free(s);
}

/* The user's domain and the domain filter, one rule for the mapping and
 * `scimbridge check` (sb_map_user_domain, sb_map_user_in_domain). */
static void test_user_domain(void **state)
{
	struct sb_scim_user ws1 = {.user_name = "ann@b.example", .domain = "Corp.Example"};
	struct sb_scim_user mail = {.user_name = "bob@Mail.Example"};
	struct sb_scim_user bare = {.user_name = "carl"};

	(void)state;
	assert_string_equal(sb_map_user_domain(&ws1), "Corp.Example"); /* extension first */
	assert_string_equal(sb_map_user_domain(&mail), "Mail.Example");
	assert_null(sb_map_user_domain(&bare));
	assert_true(sb_map_user_in_domain(&ws1, "corp.example")); /* ASCII case ignored */
	assert_false(sb_map_user_in_domain(&ws1, "b.example"));
	assert_true(sb_map_user_in_domain(&mail, NULL)); /* no domain configured */
	assert_false(sb_map_user_in_domain(&mail, "corp.example"));
	assert_true(sb_map_user_in_domain(&bare, "corp.example")); /* no domain: served */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_names),
	    cmocka_unit_test(test_invalid_characters),
	    cmocka_unit_test(test_first_character),
	    cmocka_unit_test(test_length),
	    cmocka_unit_test(test_reserved),
	    cmocka_unit_test(test_reserved_privileged),
	    cmocka_unit_test(test_reserved_list_sorted),
	    cmocka_unit_test(test_reserved_extra),
	    cmocka_unit_test(test_ascii_iequal),
	    cmocka_unit_test(test_format_login),
	    cmocka_unit_test(test_format_home),
	    cmocka_unit_test(test_gecos_characters),
	    cmocka_unit_test(test_gecos_cut_on_utf8_boundary),
	    cmocka_unit_test(test_group_name_from_display),
	    cmocka_unit_test(test_user_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
