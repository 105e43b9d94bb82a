/* test_map_groups.c — sb_map_build's groups: user private groups, a named
 * primary group (tenant, local, missing), nested and cyclic groups, name
 * clashes, privileged names refused (issue 14), ignore_groups. The
 * fixtures are map_fixture.c. */
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

static void test_user_private_groups(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;
	const char *team[] = {"id-ann", "id-ben"};

	c->cfg.primary_group = ""; /* empty counts as unset */
	add_user(&c->u, "id-ann", "ann", "okta.example.com", 1);
	add_user(&c->u, "id-ben", "ben", "okta.example.com", 1);
	add_group(&c->g, "id-team", "Team", 2, team);
	assert_int_equal(case_map(c), 0);
	assert_int_equal(ds->n_groups, 3);
	for (size_t i = 0; i < ds->n_users; i++) {
		const struct sb_user *us = &ds->users[i];
		const struct sb_group *upg = group_by_gid(ds, us->uid);

		assert_int_equal(us->gid, us->uid);
		assert_non_null(upg);
		assert_string_equal(upg->name, us->name);
		assert_int_equal(upg->flags & SB_GROUP_UPG, SB_GROUP_UPG);
		assert_null(upg->scim_id);
		assert_int_equal(upg->n_members, 1);
		assert_int_equal(upg->members[0], i);
		/* supplementary: the team only, not the private group */
		assert_int_equal(us->n_gids, 1);
		assert_int_equal(us->gids[0], group(ds, "team")->gid);
	}
	assert_int_equal(group(ds, "team")->flags & SB_GROUP_UPG, 0);
}

static void test_named_primary_group(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;
	const char *staff[] = {"id-ann"};
	uint32_t staff_gid;

	case_local(c, "", "root:x:0:\nusers:x:100:\nwheel0:x:0:\n");
	add_user(&c->u, "id-ann", "ann", "okta.example.com", 1);
	add_user(&c->u, "id-ben", "ben", "okta.example.com", 1);
	add_group(&c->g, "id-staff", "Crew", 1, staff);
	/* a tenant group: everyone's gid; no private groups; in the gids of the
	 * users it lists (initgroups agrees with getgrnam; glibc skips the
	 * primary gid when it calls initgroups_dyn) */
	c->cfg.primary_group = "crew";
	assert_int_equal(case_map(c), 0);
	assert_int_equal(ds->n_groups, 1);
	staff_gid = group(ds, "crew")->gid;
	assert_int_equal(user(ds, "ann")->gid, staff_gid);
	assert_int_equal(user(ds, "ben")->gid, staff_gid);
	assert_int_equal(user(ds, "ann")->n_gids, 1);
	assert_int_equal(user(ds, "ann")->gids[0], staff_gid);
	assert_int_equal(user(ds, "ben")->n_gids, 0);
	assert_true(user(ds, "ann")->uid != staff_gid);
	/* a local group */
	c->cfg.primary_group = "users";
	assert_int_equal(case_map(c), 0);
	assert_int_equal(user(ds, "ben")->gid, 100);
	assert_int_equal(user(ds, "ann")->n_gids, 1);
	/* missing, or gid 0: the whole map fails, naming the group */
	c->cfg.primary_group = "nosuch";
	assert_int_equal(case_map(c), -1);
	assert_int_equal(c->err.kind, SB_E_CONFIG);
	assert_non_null(strstr(c->err.msg, "nosuch"));
	assert_int_equal(ds->n_users, 0);
	c->cfg.primary_group = "wheel0";
	assert_int_equal(case_map(c), -1);
}

/* a ⊃ b ⊃ c ⊃ a (a cycle through three), d ⊃ d (a self-loop), e holds b
 * without a member type (ws1 may omit it), a user listed twice, a member
 * that is neither a mapped user nor a group. */
static void test_nested_and_cyclic_groups(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;
	struct sb_scim_groups *g = &c->g;
	const char *ga[] = {"id-u1", "id-gb", "id-u1"};
	const char *gb[] = {"id-u2", "id-gc"};
	const char *gc[] = {"id-u3", "id-ga", "id-ghost"};
	const char *gd[] = {"id-gd", "id-u4"};
	const char *ge[] = {"id-gb"};

	add_user(&c->u, "id-u1", "u1", "okta.example.com", 1);
	add_user(&c->u, "id-u2", "u2", "okta.example.com", 1);
	add_user(&c->u, "id-u3", "u3", "okta.example.com", 1);
	add_user(&c->u, "id-u4", "u4", "okta.example.com", 1);
	add_user(&c->u, "id-other", "other", "other.example.com", 1); /* not mapped */
	add_group(g, "id-ga", "ga", 3, ga);
	add_group(g, "id-gb", "gb", 2, gb);
	add_group(g, "id-gc", "gc", 3, gc);
	add_group(g, "id-gd", "gd", 2, gd);
	add_group(g, "id-ge", "ge", 1, ge);
	set_member_group(g, 0, 1);
	set_member_group(g, 1, 1);
	set_member_group(g, 2, 1);
	set_member_group(g, 3, 0);
	g->v[2].members[2].value[3] = 'o'; /* "id-ohost": unknown, dropped */
	assert_int_equal(case_map(c), 0);
	assert_members(ds, "ga", "u1,u2,u3");
	assert_members(ds, "gb", "u1,u2,u3");
	assert_members(ds, "gc", "u1,u2,u3");
	assert_members(ds, "gd", "u4");
	assert_members(ds, "ge", "u1,u2,u3"); /* untyped member resolved as a group */
	assert_int_equal(user(ds, "u1")->n_gids, 4);
	assert_int_equal(user(ds, "u4")->n_gids, 1);
	for (size_t i = 0; i < ds->n_users; i++)
		for (size_t k = 1; k < ds->users[i].n_gids; k++)
			assert_true(ds->users[i].gids[k - 1] < ds->users[i].gids[k]);
}

static void test_group_name_clashes(void **state)
{
	struct map_case *c = *state;
	struct sb_scim_groups *g = &c->g;
	struct skips sk = {0};

	case_local(c, "", "root:x:0:\nbuilders:x:999:\n");
	add_user(&c->u, "id-ann", "ann", "okta.example.com", 1);
	add_group(g, "g1", "Ann", 0, NULL);	  /* the user's private group */
	add_group(g, "g2", "Builders", 0, NULL); /* a local group */
	add_group(g, "g3", "Daemon", 0, NULL);	  /* reserved */
	add_group(g, "g5", "Team A", 0, NULL);	  /* same name as g4: g4 wins */
	add_group(g, "g4", "team a", 0, NULL);
	add_group(g, "g6", "Ops: EU", 0, NULL);    /* still invalid once sanitised */
	add_group(g, "g7", "systemd-x", 0, NULL);  /* reserved family */
	add_group(g, "g8", "Good Group", 0, NULL); /* served */
	c->o.skipped = count_skip;
	c->o.skipped_ctx = &sk;
	assert_int_equal(case_map_logged(c), 0);
	assert_int_equal(c->rep.groups_mapped, 2);
	assert_int_equal(c->rep.groups_skipped, 6);
	assert_int_equal(sk.groups, 6);
	assert_string_equal(group(&c->ds, "team-a")->scim_id, "g4");
	assert_non_null(group(&c->ds, "good-group"));
	assert_int_equal(lines_with(c->log, "skipped group g1", "Ann", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped group g2", "local", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped group g3", "reserved", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped group g5", "Team A", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped group g6", "not a portable", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped group g7", "reserved", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped group", NULL), 6);
}

/* Issue 14: a tenant cannot create a group (or user) that the host grants
 * rights to by name, even when no local group has the name (Ubuntu's
 * sudoers grants %admin); reserved_names adds the admin's own. */
static void test_privileged_names_refused(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;
	const char *members[] = {"id-ann"};
	const char *privileged[] = {"admin", "docker", "lxd",	     "sudoers",	"sudo",
				    "wheel", "adm",    "libvirt",    "kvm",	"netdev",
				    "plugdev", "lpadmin", "sambashare", "staff", "systemd-journal"};
	char *extra[] = {"ops", "Deploy"};
	char id[32];

	case_local(c, "root:x:0:0::/root:/bin/sh\n", "root:x:0:\n");
	c->cfg.reserved_names.v = extra;
	c->cfg.reserved_names.n = 2;
	add_user(&c->u, "id-ann", "ann", "okta.example.com", 1);
	add_user(&c->u, "id-docker", "docker", "okta.example.com", 1);
	add_user(&c->u, "id-deploy", "deploy", "okta.example.com", 1);
	for (size_t i = 0; i < sizeof(privileged) / sizeof(privileged[0]); i++) {
		snprintf(id, sizeof(id), "gp%zu", i);
		add_group(&c->g, id, privileged[i], 1, members);
	}
	add_group(&c->g, "g-ops", "OPS", 1, members);
	add_group(&c->g, "g-eng", "engineers", 1, members);
	assert_int_equal(case_map_logged(c), 0);
	for (size_t i = 0; i < sizeof(privileged) / sizeof(privileged[0]); i++)
		if (group(ds, privileged[i]))
			fail_msg("group '%s' served", privileged[i]);
	assert_null(group(ds, "ops"));
	assert_non_null(group(ds, "engineers"));
	assert_null(user(ds, "docker"));
	assert_null(user(ds, "deploy"));
	assert_non_null(user(ds, "ann"));
	assert_int_equal(c->rep.groups_skipped, sizeof(privileged) / sizeof(privileged[0]) + 1);
}

static void test_ignore_groups(void **state)
{
	struct map_case *c = *state;
	char *two[] = {"ALL USERS", "Contractors"};
	const char *m[] = {"id-ann"};

	c->cfg.ignore_groups.v = two;
	c->cfg.ignore_groups.n = 2;
	add_user(&c->u, "id-ann", "ann", "okta.example.com", 1);
	add_group(&c->g, "g1", "All Users", 1, m);
	add_group(&c->g, "g2", "CONTRACTORS", 1, m);
	add_group(&c->g, "g3", "Contractors EU", 1, m); /* whole-name match only */
	assert_int_equal(case_map(c), 0);
	assert_int_equal(c->rep.groups_ignored, 2);
	assert_int_equal(c->rep.groups_skipped, 0);
	assert_null(group(&c->ds, "all-users"));
	assert_null(group(&c->ds, "contractors"));
	assert_non_null(group(&c->ds, "contractors-eu"));
	assert_int_equal(user(&c->ds, "ann")->n_gids, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    map_test(test_user_private_groups),
	    map_test(test_named_primary_group),
	    map_test(test_nested_and_cyclic_groups),
	    map_test(test_group_name_clashes),
	    map_test(test_privileged_names_refused),
	    map_test(test_ignore_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
