/* test_map_ids.c — sb_map_build's uids and gids: the uid attribute (bad
 * values hashed, with a log line), a leaver's uid never reused, attribute
 * uids sticky, a prior id a local account took, forbidden ids never given
 * under forced collisions, uids and gids kept apart. The id algorithm on
 * its own is test_idmap.c; the fixtures are map_fixture.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "idmap.h"
#include "map.h"
#include "map_fixture.h"

/* Issue #6: bad uid attribute values are not used; each gets the hashed uid
 * and one log line naming the user, the value and why. */
static void test_uid_attribute(void **state)
{
	struct map_case *c = *state;
	const char *vals[] = {"300000", "-5",	      "0",	    "abc",     "99",
			      "300000", "4294967296", "2000000000", "300001x", "65534"};
	const char *why[] = {NULL,	 "positive",	   "positive", "positive",
			     "outside",	 "already in use", "positive", "outside",
			     "positive", "outside"};

	c->cfg.uid_attribute = "employeeNumber";
	for (int i = 0; i < 10; i++) {
		char id[8], name[8];

		snprintf(id, sizeof(id), "id-%d", i);
		snprintf(name, sizeof(name), "u%d", i);
		add_user(&c->u, id, name, "okta.example.com", 1);
		c->u.v[i].uid_value = strdup(vals[i]);
	}
	assert_int_equal(case_map_logged(c), 0);
	assert_int_equal(c->ds.n_users, 10);
	assert_int_equal(user(&c->ds, "u0")->uid, 300000);
	for (int i = 1; i < 10; i++) {
		char name[8], id[8], quoted[32];

		snprintf(name, sizeof(name), "u%d", i);
		snprintf(id, sizeof(id), "id-%d", i);
		snprintf(quoted, sizeof(quoted), "'%s'", vals[i]);
		/* hashed: the documented first choice (no collisions this sparse) */
		assert_int_equal(user(&c->ds, name)->uid,
				 200000 + sb_idmap_hash(id) % (1999999999u - 200000 + 1));
		if (lines_with(c->log, id, quoted, why[i], "hashed", NULL) != 1)
			fail_msg("no log line for %s = %s (%s) in:\n%s", id, vals[i], why[i],
				 c->log);
	}
	assert_int_equal(lines_with(c->log, "id-0", NULL), 0);
}

/* A user that leaves keeps its uid reserved: a new user whose hash lands
 * exactly there gets the next free id instead. c->first is the sync the
 * leaver was in, c->later the next sync's users, c->ds what it gives. */
static void test_removed_uid_never_reused(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *second = &c->ds;
	uint32_t gone;
	char newcomer[16];
	int found = 0;

	c->cfg.uid_min = c->cfg.gid_min = 300000;
	c->cfg.uid_max = c->cfg.gid_max = 300009; /* ten ids: collisions are easy */
	add_user(&c->u, "id-leaver", "leaver", "okta.example.com", 1);
	assert_int_equal(case_build(c, &c->u, &c->first), 0);
	gone = c->first.users[0].uid;
	/* a SCIM id whose first choice is the leaver's uid */
	for (int i = 0; i < 10000 && !found; i++) {
		snprintf(newcomer, sizeof(newcomer), "new-%d", i);
		found = 300000 + sb_idmap_hash(newcomer) % 10 == gone;
	}
	assert_true(found);
	add_user(&c->later, newcomer, "newcomer", "okta.example.com", 1);
	c->o.prior = c->first.idmap;
	c->o.n_prior = c->first.n_idmap;
	assert_int_equal(case_build(c, &c->later, second), 0);
	assert_int_equal(second->n_users, 1);
	assert_true(second->users[0].uid != gone);
	assert_int_equal(second->users[0].uid, gone == 300009 ? 300000 : gone + 1);
	assert_int_equal(second->n_idmap, 2); /* prior ∪ new */
	assert_string_equal(second->idmap[0].scim_id, "id-leaver");
	assert_int_equal(second->idmap[0].id, gone);
	/* without the prior, the newcomer would have taken it */
	c->o.prior = NULL;
	c->o.n_prior = 0;
	assert_int_equal(case_build(c, &c->later, second), 0);
	assert_int_equal(second->users[0].uid, gone);
}

/* An attribute uid is recorded too: when the HR number moves to someone
 * else after its owner left, the newcomer does not inherit the old files. */
static void test_attribute_uid_sticky(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *second = &c->ds;

	c->cfg.uid_attribute = "employeeNumber";
	add_user(&c->u, "id-old", "old", "okta.example.com", 1);
	c->u.v[0].uid_value = strdup("300000");
	assert_int_equal(case_build(c, &c->u, &c->first), 0);
	assert_int_equal(c->first.users[0].uid, 300000);
	add_user(&c->later, "id-new", "new", "okta.example.com", 1);
	c->later.v[0].uid_value = strdup("300000");
	c->o.prior = c->first.idmap;
	c->o.n_prior = c->first.n_idmap;
	capture_start();
	assert_int_equal(case_build(c, &c->later, second), 0);
	c->log = capture_end();
	assert_true(second->users[0].uid != 300000);
	assert_int_equal(lines_with(c->log, "id-new", "300000", "already in use", NULL), 1);
	/* the owner itself keeps it on the next sync */
	assert_int_equal(case_map(c), 0);
	assert_int_equal(second->users[0].uid, 300000);
}

/* A sticky uid that a local account has since taken is not served twice. */
static void test_prior_now_local(void **state)
{
	struct map_case *c = *state;
	struct sb_idmap_entry prior[] = {{.scim_id = "id-a", .id = 400000, .kind = SB_ID_USER},
					 {.scim_id = "id-b", .id = 400000, .kind = SB_ID_USER},
					 {.scim_id = "id-z", .id = 0, .kind = SB_ID_USER}};

	case_local(c, "admin2:x:400000:400000::/home/admin2:/bin/sh\n", NULL);
	add_user(&c->u, "id-a", "a", "okta.example.com", 1);
	add_user(&c->u, "id-b", "b", "okta.example.com", 1);
	c->o.prior = prior;
	c->o.n_prior = 3;
	assert_int_equal(case_map_logged(c), 0);
	assert_true(user(&c->ds, "a")->uid != 400000);
	assert_true(user(&c->ds, "b")->uid != 400000);
	assert_int_equal(lines_with(c->log, "id-a", "400000", "local", NULL), 1);
	/* id-b's claim on the same id and id-z's uid 0 are dropped, with a reason */
	assert_int_equal(lines_with(c->log, "id-b", "400000", "dropped", NULL), 1);
	assert_int_equal(lines_with(c->log, "id-z", "dropped", "forbidden", NULL), 1);
	for (size_t i = 0; i < c->ds.n_idmap; i++)
		assert_true(c->ds.idmap[i].id != 0);
}

/* A tiny range around 65534/65535: collisions everywhere, forbidden ids
 * never given, the user that does not fit is skipped (not given 0). */
static void test_forbidden_never_produced(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;

	c->cfg.uid_min = c->cfg.gid_min = 65530;
	c->cfg.uid_max = c->cfg.gid_max = 65540; /* 11 ids, 9 usable */
	for (int i = 0; i < 12; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "id-%02d", i);
		snprintf(name, sizeof(name), "user%02d", i);
		add_user(&c->u, id, name, "okta.example.com", 1);
	}
	add_group(&c->g, "gid-x", "late", 0, NULL);
	assert_int_equal(case_map_logged(c), 0);
	assert_int_equal(ds->n_users, 9);
	assert_int_equal(c->rep.users_skipped, 3);
	assert_int_equal(c->rep.groups_skipped, 1); /* no gid left for it */
	for (size_t i = 0; i < ds->n_users; i++) {
		uint32_t id = ds->users[i].uid;

		assert_true(id >= 65530 && id <= 65540 && id != 65534 && id != 65535);
		for (size_t k = 0; k < i; k++)
			assert_true(ds->users[k].uid != id);
	}
}

/* Overlapping uid and gid ranges: a group's gid never equals any uid (a
 * user private group has gid = uid, so they share one space). */
static void test_uids_and_gids_apart(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;

	c->cfg.uid_min = c->cfg.gid_min = 500000;
	c->cfg.uid_max = c->cfg.gid_max = 500079;
	for (int i = 0; i < 50; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "u-%02d", i);
		snprintf(name, sizeof(name), "user%02d", i);
		add_user(&c->u, id, name, "okta.example.com", 1);
	}
	for (int i = 0; i < 30; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "g-%02d", i);
		snprintf(name, sizeof(name), "Team %02d", i);
		add_group(&c->g, id, name, 0, NULL);
	}
	assert_int_equal(case_map(c), 0);
	assert_int_equal(ds->n_users, 50);
	assert_int_equal(ds->n_groups, 80);
	for (size_t i = 0; i < ds->n_groups; i++) {
		const struct sb_group *gr = &ds->groups[i];

		for (size_t k = 0; k < ds->n_groups; k++)
			assert_true(k == i || ds->groups[k].gid != gr->gid);
		if (gr->flags & SB_GROUP_UPG)
			continue;
		for (size_t k = 0; k < ds->n_users; k++)
			assert_true(ds->users[k].uid != gr->gid);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    map_test(test_uid_attribute),
	    map_test(test_removed_uid_never_reused),
	    map_test(test_attribute_uid_sticky),
	    map_test(test_prior_now_local),
	    map_test(test_forbidden_never_produced),
	    map_test(test_uids_and_gids_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
