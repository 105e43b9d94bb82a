/* test_map_tenant.c — sb_map_build over a whole tenant: the small tenant
 * (domain filter, reserved, bad and duplicate names, inactive users, user
 * private and nested groups, ignore_groups, the report's counts) and
 * issue #6's hostile data (huge and long values, 10,000 groups in a
 * cycle, short log lines). Split from test_map.c; the fixtures are
 * map_fixture.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "map.h"
#include "map_fixture.h"
#include "names.h"

static void small_tenant(struct sb_scim_users *u, struct sb_scim_groups *g)
{
	const char *eng[] = {"id-alice", "id-bob", "id-staff"}; /* crew ⊂ engineers ⊂ crew */
	const char *adm[] = {"id-alice", "id-nobody-here"};
	const char *staff[] = {"id-eng", "id-carol"};
	const char *all[] = {"id-alice", "id-bob", "id-carol"};

	memset(u, 0, sizeof(*u));
	memset(g, 0, sizeof(*g));
	add_user(u, "id-alice", "alice", "okta.example.com", 1);
	add_user(u, "id-bob", "bob", "okta.example.com", 1);
	add_user(u, "id-carol", "Carol", "okta.example.com", 1);
	add_user(u, "id-dave", "dave", "okta.example.com", 0);
	add_user(u, "id-grace", "grace", "other.example.com", 1);
	add_user(u, "id-root", "root", "okta.example.com", 1);
	add_user(u, "id-bad", "bad:name", "okta.example.com", 1);
	add_user(u, "id-zz-dup", "alice", "okta.example.com", 1);
	add_group(g, "id-eng", "Engineers", 3, eng);
	add_group(g, "id-adm", "admins", 2, adm);
	add_group(g, "id-staff", "crew", 2, staff);
	add_group(g, "id-all", "ALL USERS", 3, all);
	add_group(g, "id-badg", "bad:group", 0, NULL);
}

static void test_small_tenant(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;
	const struct sb_user *alice, *carol;
	const struct sb_group *eng, *staff;

	case_local(c, "root:x:0:0::/root:/bin/sh\n", NULL);
	small_tenant(&c->u, &c->g);
	assert_int_equal(case_map(c), 0);
	/* served: alice bob carol dave (inactive); not: grace, root, bad:name, dup */
	assert_int_equal(ds->n_users, 4);
	assert_int_equal(c->rep.users_other_domain, 1);
	assert_int_equal(c->rep.users_skipped, 3);
	assert_int_equal(c->rep.users_inactive, 1);
	alice = user(ds, "alice");
	assert_non_null(alice);
	assert_string_equal(alice->scim_id, "id-alice"); /* the smaller SCIM id won */
	assert_non_null(carol = user(ds, "carol"));
	assert_null(user(ds, "root"));
	assert_int_equal(user(ds, "dave")->flags & SB_USER_ACTIVE, 0);
	assert_int_equal(alice->flags & SB_USER_ACTIVE, SB_USER_ACTIVE);
	assert_string_equal(alice->home, "/home/alice");
	assert_true(alice->uid >= 200000 && alice->uid == alice->gid);
	/* user private groups, the three mapped SCIM groups, no ALL USERS */
	assert_non_null(group(ds, "alice"));
	assert_null(group(ds, "all-users"));
	assert_null(group(ds, "bad:group"));
	assert_int_equal(c->rep.groups_ignored, 1);
	assert_int_equal(c->rep.groups_skipped, 1);
	eng = group(ds, "engineers");
	staff = group(ds, "crew");
	assert_non_null(eng);
	assert_non_null(staff);
	/* the cycle crew ⊂ engineers ⊂ crew: both hold alice, bob, carol */
	assert_int_equal(eng->n_members, 3);
	assert_int_equal(staff->n_members, 3);
	assert_int_equal(group(ds, "admins")->n_members, 1);
	/* carol is in engineers and crew through nesting, sorted gids */
	assert_int_equal(carol->n_gids, 2);
	assert_true(carol->gids[0] < carol->gids[1]);
	assert_int_equal(alice->n_gids, 3);
	for (size_t i = 0; i < ds->n_groups; i++)
		assert_true(ds->groups[i].gid != 0);
}

static void test_hostile_input(void **state)
{
	struct map_case *c = *state;
	struct sb_scim_users *u = &c->u;
	struct sb_scim_groups *g = &c->g;
	char *big = malloc(1 << 20), *big2 = malloc(1 << 20), longname[301];
	const char **many = malloc(10000 * sizeof(char *));

	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	memcpy(big2, big, 1 << 20);
	memset(longname, 'a', 300);
	longname[300] = '\0';
	add_user(u, "id-big", "big", "okta.example.com", 1);
	free(u->v[0].display_name);
	u->v[0].display_name = big;
	add_user(u, "id-long", longname, "okta.example.com", 1);
	add_user(u, "id-nl", "new\nline", "okta.example.com", 1);
	add_user(u, "id-dash", "-rf", "okta.example.com", 1);
	add_user(u, "id-slash", "a/b", "okta.example.com", 1);
	for (int i = 0; i < 10000; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "gid-%05d", i);
		snprintf(name, sizeof(name), "grp%05d", i);
		many[0] = "id-big";
		add_group(g, id, name, 1, many);
	}
	/* a cycle across the 10,000: the first and the last hold each other */
	g->v[0].members[1].value = strdup("gid-09999");
	g->v[0].n_members = 2;
	g->v[9999].members[1].value = strdup("gid-00000");
	g->v[9999].n_members = 2;
	add_group(g, "gid-long", longname, 1, many);
	add_group(g, "gid-huge", big2, 1, many);
	free(big2);
	free(many);
	assert_int_equal(case_map_logged(c), 0);
	assert_int_equal(c->ds.n_users, 1);
	assert_int_equal(c->rep.users_skipped, 4);
	assert_int_equal(c->rep.groups_skipped, 2);
	assert_int_equal(strlen(c->ds.users[0].gecos), SB_GECOS_MAX);
	assert_int_equal(c->ds.users[0].n_gids, 10000);
	assert_int_equal(group(&c->ds, "grp00000")->n_members, 1);
	/* log lines stay short whatever the tenant sends */
	assert_int_equal(lines_with(c->log, "skipped group gid-huge", NULL), 1);
	assert_true(strlen(c->log) < 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    map_test(test_small_tenant),
	    map_test(test_hostile_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
