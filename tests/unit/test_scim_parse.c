/* test_scim_parse.c — tenant bodies in both dialects, every malformed shape
 * refused as a whole page with a message saying where, extension and
 * qualified attributes, error bodies, and RFC 7644 filter escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scim_client.h"
#include "idindex.h"
#include "members.h"
#include "scim_parse.h"

static const struct sb_parse_opts ws1 = {
    .dialect = SB_DIALECT_WORKSPACE_ONE,
    .uid_attribute = "urn:scim:schemas:extension:enterprise:1.0:employeeNumber",
    .ssh_keys_attribute = "urn:scim:schemas:extension:custom:1.0:sshPublicKey"};
static const struct sb_parse_opts s2 = {
    .dialect = SB_DIALECT_SCIM2,
    .uid_attribute = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"};

static const char ws1_page[] =
    "{\"schemas\":[\"urn:scim:schemas:core:1.0\"],\"totalResults\":2,\"itemsPerPage\":2,"
    "\"startIndex\":1,\"Resources\":["
    "{\"id\":\"a1\",\"userName\":\"alice\",\"displayName\":\"Alice A\",\"active\":true,"
    "\"name\":{\"givenName\":\"Alice\",\"familyName\":\"A\"},"
    "\"urn:scim:schemas:extension:workspace:1.0\":{\"domain\":\"okta.example.com\","
    "\"userStatus\":\"1\",\"internalUserType\":\"PROVISIONED\",\"softDeleted\":false},"
    "\"urn:scim:schemas:extension:enterprise:1.0\":{\"employeeNumber\":300001},"
    "\"urn:scim:schemas:extension:custom:1.0\":{\"sshPublicKey\":[\"ssh-ed25519 AAA a\","
    "\"ssh-rsa BBB b\"]},\"groups\":[{\"value\":\"g1\"}]},"
    "{\"id\":\"d1\",\"userName\":\"dave\",\"active\":false,"
    "\"urn:scim:schemas:extension:workspace:1.0\":{\"userStatus\":2}}]}";

static void test_ws1_users(void **state)
{
	struct sb_scim_users u = {0};
	struct sb_page_info info;
	struct sb_err err = {0};

	(void)state;
	assert_int_equal(sb_parse_user_page(ws1_page, strlen(ws1_page), &ws1, &u, &info, &err), 0);
	assert_int_equal(info.total_results, 2);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.v[0].domain, "okta.example.com");
	assert_string_equal(u.v[0].uid_value, "300001");
	assert_int_equal(u.v[0].n_ssh_keys, 2);
	assert_string_equal(u.v[0].ssh_keys[1], "ssh-rsa BBB b");
	assert_true(sb_scim_user_login_allowed(&u.v[0]));
	assert_string_equal(u.v[1].user_status, "2"); /* a number is kept as text */
	assert_false(sb_scim_user_login_allowed(&u.v[1]));
	sb_scim_users_free(&u);
}

static void test_scim2_and_groups(void **state)
{
	const char users[] =
	    "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
	    "\"totalResults\":1,\"startIndex\":1,\"Resources\":[{\"id\":\"b1\",\"userName\":"
	    "\"bob@x.example\",\"active\":\"true\",\"urn:ietf:params:scim:schemas:extension:"
	    "enterprise:2.0:User\":{\"employeeNumber\":\"42\"}}]}";
	const char groups[] = "{\"totalResults\":1,\"Resources\":[{\"id\":\"g1\",\"displayName\":"
			      "\"eng\",\"members\":[{\"value\":\"b1\",\"type\":\"User\"},"
			      "{\"value\":\"g2\",\"type\":\"Group\"},{\"value\":\"x\"}]}]}";
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_page_info info;
	struct sb_err err = {0};

	(void)state;
	assert_int_equal(sb_parse_user_page(users, strlen(users), &s2, &u, &info, &err), 0);
	assert_int_equal(u.v[0].active, SB_TRUE);
	assert_string_equal(u.v[0].uid_value, "42");
	assert_null(u.v[0].domain);
	assert_int_equal(sb_parse_group_page(groups, strlen(groups), &s2, &g, &info, &err), 0);
	assert_int_equal(g.v[0].n_members, 3);
	assert_false(g.v[0].members[0].is_group);
	assert_true(g.v[0].members[1].is_group);
	assert_false(g.v[0].members[2].is_group); /* no type: the mapper decides */
	sb_scim_groups_free(&g);

	/* resolved as a sync's listing does, by the mapping's hook on each
	 * group read: b1 is user 7; g2 is typed Group, x is no user: both stay
	 * ids */
	struct sb_idindex ids = {0};
	struct sb_parse_opts r = s2;

	assert_int_equal(sb_idindex_put(&ids, "b1", 7), 0);
	assert_int_equal(sb_idindex_put(&ids, "g2", 8), 0);
	assert_int_equal(sb_parse_group_page(groups, strlen(groups), &s2, &g, &info, &err), 0);
	assert_null(g.v[0].member_users); /* without the hook members stay ids */
	sb_scim_groups_free(&g);
	r.on_group = sb_members_resolve_group;
	r.on_group_ctx = &ids;
	assert_int_equal(sb_parse_group_page(groups, strlen(groups), &r, &g, &info, &err), 0);
	assert_int_equal(g.v[0].n_member_users, 1);
	assert_int_equal(g.v[0].member_users[0], 7);
	assert_int_equal(g.v[0].n_members, 2);
	assert_string_equal(g.v[0].members[0].value, "g2");
	assert_true(g.v[0].members[0].is_group);
	assert_string_equal(g.v[0].members[1].value, "x");
	sb_idindex_free(&ids);
	sb_scim_users_free(&u);
	sb_scim_groups_free(&g);
}

static void expect_page_error(const char *body, const char *needle)
{
	struct sb_scim_users u = {0};
	struct sb_page_info info;
	struct sb_err err = {0};

	assert_int_equal(sb_parse_user_page(body, strlen(body), &ws1, &u, &info, &err), -1);
	assert_int_equal(err.kind, SB_E_PROTOCOL);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
	assert_int_equal(u.n, 0); /* nothing of a bad page is kept */
	sb_scim_users_free(&u);	  /* (its room may have grown) */
}

static void test_malformed(void **state)
{
	(void)state;
	expect_page_error("{\"totalResults\":3,\"Resources\":[", "not a JSON object");
	expect_page_error("", "empty");
	expect_page_error("[1,2]", "not a JSON object");
	expect_page_error("{\"Resources\":[]}", "'totalResults' missing");
	/* found by the fuzzer once UBSan stopped it: a double past long's range */
	expect_page_error("{\"totalResults\":9e118,\"Resources\":[]}", "out of range");
	expect_page_error("{\"totalResults\":1,\"startIndex\":-1e300,\"Resources\":[]}",
			  "'startIndex'");
	expect_page_error("{\"totalResults\":\"2\",\"Resources\":[]}", "'totalResults'");
	expect_page_error("{\"totalResults\":1,\"Resources\":{}}", "'Resources' is not a list");
	expect_page_error("{\"totalResults\":2,\"Resources\":[{\"id\":\"a\",\"userName\":\"a\"},"
			  "{\"userName\":\"b\"}]}",
			  "Resources[1]: 'id' missing");
	expect_page_error("{\"totalResults\":1,\"Resources\":[{\"id\":\"a\",\"userName\":5}]}",
			  "'userName'");
	expect_page_error("{\"totalResults\":1,\"Resources\":[{\"id\":\"a\",\"userName\":\"a\","
			  "\"active\":3}]}",
			  "not a boolean");
}

/* The page is read member by member and Resources element by element: the
 * order of the members must not matter, nor keys or strings that look like
 * the page's own punctuation; anything after the object is refused. */
static void test_page_walk(void **state)
{
	const char reordered[] =
	    " \n{\"Resources\" : [ {\"id\":\"a\",\"userName\":\"a\",\"x\":\"]}{,:\\\"\"} ,"
	    "{\"id\":\"b\",\"userName\":\"b\",\"Resources\":[1]} ] ,\"sch\\\"emas\":{\"a\":[]},"
	    "\"startIndex\":5,\"totalResults\":9}\r\n";
	struct sb_scim_users u = {0};
	struct sb_page_info info;
	struct sb_err err = {0};

	(void)state;
	assert_int_equal(sb_parse_user_page(reordered, strlen(reordered), &ws1, &u, &info, &err), 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.v[1].id, "b");
	assert_int_equal(info.total_results, 9);
	assert_int_equal(info.start_index, 5);
	assert_int_equal(info.items, 2);
	/* a good page after a bad one: the bad one left nothing behind */
	expect_page_error("{\"totalResults\":1,\"Resources\":[{\"id\":\"c\",\"userName\":\"c\"}]}x",
			  "cut short at byte");
	assert_int_equal(sb_parse_user_page(ws1_page, strlen(ws1_page), &ws1, &u, &info, &err), 0);
	assert_int_equal(u.n, 4);
	assert_string_equal(u.v[2].user_name, "alice");
	sb_scim_users_free(&u);
	expect_page_error("{\"totalResults\":0,\"Resources\":[],\"Resources\":[]}", "appears twice");
	expect_page_error("{\"totalResults\":0,\"Resources\":[]", "not a JSON object");
	expect_page_error("{\"totalResults\":0 \"Resources\":[]}", "not a JSON object");
	expect_page_error("{\"totalResults\":1,\"Resources\":[{\"id\":\"a\",\"userName\":\"a\"},]}",
			  "not a JSON object");
	expect_page_error("{totalResults:1}", "not a JSON object");
	expect_page_error("{\"totalResults\":1,\"Resources\":null}", "'Resources' is not a list");
}

static void test_error_bodies(void **state)
{
	const char ws1_err[] =
	    "{\"errors\":[{\"code\":\"user.not.found\",\"message\":\"No user\"}]}";
	const char s2_err[] =
	    "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],"
	    "\"status\":\"400\",\"scimType\":\"invalidFilter\",\"detail\":\"bad\"}";
	char buf[128];

	(void)state;
	assert_int_equal(sb_parse_error_body(ws1_err, strlen(ws1_err), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "No user (user.not.found)");
	assert_int_equal(sb_parse_error_body(s2_err, strlen(s2_err), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "bad (invalidFilter)");
	assert_int_equal(sb_parse_error_body("<html>", 6, buf, sizeof(buf)), -1);
}

/* meta.lastModified as unix seconds (0: absent or unreadable), which the
 * daemon's incremental reads rely on. */
static void test_last_modified(void **state)
{
	const char page[] =
	    "{\"totalResults\":5,\"Resources\":["
	    "{\"id\":\"1\",\"userName\":\"a\",\"meta\":{\"lastModified\":\"2026-01-02T03:04:05Z\"}},"
	    "{\"id\":\"2\",\"userName\":\"b\",\"meta\":{\"lastModified\":\"2026-01-02T03:04:05.678Z\"}},"
	    "{\"id\":\"3\",\"userName\":\"c\",\"meta\":{\"lastModified\":\"2026-01-02T05:04:05+02:00\"}},"
	    "{\"id\":\"4\",\"userName\":\"d\",\"meta\":{\"created\":\"2026-01-02T03:04:05Z\"}},"
	    "{\"id\":\"5\",\"userName\":\"e\",\"meta\":{\"lastModified\":\"yesterday\"}}]}";
	const char groups[] = "{\"totalResults\":2,\"Resources\":["
			      "{\"id\":\"g\",\"displayName\":\"g\",\"meta\":{\"lastModified\":"
			      "\"2026-01-02T03:04:05Z\"}},{\"id\":\"h\",\"displayName\":\"h\"}]}";
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_page_info info;
	struct sb_err err = {0};

	(void)state;
	assert_int_equal(sb_parse_user_page(page, strlen(page), &s2, &u, &info, &err), 0);
	assert_int_equal(u.n, 5);
	assert_int_equal(u.v[0].last_modified, 1767323045);
	assert_int_equal(u.v[1].last_modified, 1767323045); /* fraction dropped */
	assert_int_equal(u.v[2].last_modified, 1767323045); /* offset applied */
	assert_int_equal(u.v[3].last_modified, 0);
	assert_int_equal(u.v[4].last_modified, 0);
	assert_int_equal(sb_parse_group_page(groups, strlen(groups), &s2, &g, &info, &err), 0);
	assert_int_equal(g.v[0].last_modified, 1767323045);
	assert_int_equal(g.v[1].last_modified, 0);
	sb_scim_users_free(&u);
	sb_scim_groups_free(&g);
}

static void test_filter_escaping(void **state)
{
	char *f;

	(void)state;
	f = sb_scim_filter_op("userName", "sw", "newbie@");
	assert_string_equal(f, "userName sw \"newbie@\"");
	free(f);
	f = sb_scim_filter_eq("userName", "alice");
	assert_string_equal(f, "userName eq \"alice\"");
	free(f);
	f = sb_scim_filter_eq("userName", "a\"b\\c");
	assert_string_equal(f, "userName eq \"a\\\"b\\\\c\"");
	free(f);
	f = sb_scim_filter_eq("userName", "x\ny\x01");
	assert_string_equal(f, "userName eq \"x\\u000ay\\u0001\"");
	free(f);
	f = sb_scim_filter_eq("userName", "\" or userName pr or \"");
	assert_string_equal(f, "userName eq \"\\\" or userName pr or \\\"\"");
	free(f);
}

/* The login state of active/userStatus/softDeleted, read in one place
 * (sb_scim_user_refusal): the daemon's live check says why, the mapping's
 * active flag is its NULL. */
static void test_login_state(void **state)
{
	struct sb_scim_user u = {.active = SB_UNSET, .soft_deleted = SB_UNSET};

	(void)state;
	assert_null(sb_scim_user_refusal(&u)); /* nothing said: may log in */
	assert_true(sb_scim_user_login_allowed(&u));
	u.user_status = "1";
	u.active = SB_TRUE;
	assert_null(sb_scim_user_refusal(&u));
	u.active = SB_FALSE;
	assert_string_equal(sb_scim_user_refusal(&u), "deactivated");
	assert_false(sb_scim_user_login_allowed(&u));
	u.active = SB_TRUE;
	u.user_status = "2";
	assert_string_equal(sb_scim_user_refusal(&u), "disabled");
	u.user_status = "3";
	assert_string_equal(sb_scim_user_refusal(&u), "deleted");
	u.user_status = "1";
	u.soft_deleted = SB_TRUE;
	assert_string_equal(sb_scim_user_refusal(&u), "deleted");
	assert_false(sb_scim_user_login_allowed(&u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ws1_users),	    cmocka_unit_test(test_scim2_and_groups),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_page_walk),	    cmocka_unit_test(test_error_bodies),
	    cmocka_unit_test(test_filter_escaping), cmocka_unit_test(test_last_modified),
	    cmocka_unit_test(test_login_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
