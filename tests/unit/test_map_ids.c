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
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	const char *vals[] = {"300000", "-5",	      "0",	    "abc",     "99",
			      "300000", "4294967296", "2000000000", "300001x", "65534"};
	const char *why[] = {NULL,	 "positive",	   "positive", "positive",
			     "outside",	 "already in use", "positive", "outside",
			     "positive", "outside"};
	char *log;

	(void)state;
	base_config(&cfg);
	cfg.uid_attribute = "employeeNumber";
	for (int i = 0; i < 10; i++) {
		char id[8], name[8];

		snprintf(id, sizeof(id), "id-%d", i);
		snprintf(name, sizeof(name), "u%d", i);
		add_user(&u, id, name, "okta.example.com", 1);
		u.v[i].uid_value = strdup(vals[i]);
	}
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	log = capture_end();
	assert_int_equal(ds.n_users, 10);
	assert_int_equal(user(&ds, "u0")->uid, 300000);
	for (int i = 1; i < 10; i++) {
		char name[8], id[8], quoted[32];

		snprintf(name, sizeof(name), "u%d", i);
		snprintf(id, sizeof(id), "id-%d", i);
		snprintf(quoted, sizeof(quoted), "'%s'", vals[i]);
		/* hashed: the documented first choice (no collisions this sparse) */
		assert_int_equal(user(&ds, name)->uid,
				 200000 + sb_idmap_hash(id) % (1999999999u - 200000 + 1));
		if (lines_with(log, id, quoted, why[i], "hashed", NULL) != 1)
			fail_msg("no log line for %s = %s (%s) in:\n%s", id, vals[i], why[i], log);
	}
	assert_int_equal(lines_with(log, "id-0", NULL), 0);
	free(log);
	sb_dataset_free(&ds);
	sb_scim_users_free(&u);
	drop_local(&o);
}

/* A user that leaves keeps its uid reserved: a new user whose hash lands
 * exactly there gets the next free id instead. */
static void test_removed_uid_never_reused(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0}, u2 = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset first, second;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	uint32_t gone;
	char newcomer[16];
	int found = 0;

	(void)state;
	base_config(&cfg);
	cfg.uid_min = cfg.gid_min = 300000;
	cfg.uid_max = cfg.gid_max = 300009; /* ten ids: collisions are easy */
	add_user(&u, "id-leaver", "leaver", "okta.example.com", 1);
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &first, NULL, &err), 0);
	gone = first.users[0].uid;
	/* a SCIM id whose first choice is the leaver's uid */
	for (int i = 0; i < 10000 && !found; i++) {
		snprintf(newcomer, sizeof(newcomer), "new-%d", i);
		found = 300000 + sb_idmap_hash(newcomer) % 10 == gone;
	}
	assert_true(found);
	add_user(&u2, newcomer, "newcomer", "okta.example.com", 1);
	o.prior = first.idmap;
	o.n_prior = first.n_idmap;
	assert_int_equal(sb_map_build(&cfg, &u2, &g, &o, &second, NULL, &err), 0);
	assert_int_equal(second.n_users, 1);
	assert_true(second.users[0].uid != gone);
	assert_int_equal(second.users[0].uid, gone == 300009 ? 300000 : gone + 1);
	assert_int_equal(second.n_idmap, 2); /* prior ∪ new */
	assert_string_equal(second.idmap[0].scim_id, "id-leaver");
	assert_int_equal(second.idmap[0].id, gone);
	/* without the prior, the newcomer would have taken it */
	sb_dataset_free(&second);
	o.prior = NULL;
	o.n_prior = 0;
	assert_int_equal(sb_map_build(&cfg, &u2, &g, &o, &second, NULL, &err), 0);
	assert_int_equal(second.users[0].uid, gone);
	sb_dataset_free(&first);
	sb_dataset_free(&second);
	free_tenant(&u, &g);
	sb_scim_users_free(&u2);
	drop_local(&o);
}

/* An attribute uid is recorded too: when the HR number moves to someone
 * else after its owner left, the newcomer does not inherit the old files. */
static void test_attribute_uid_sticky(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0}, u2 = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset first, second;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	char *log;

	(void)state;
	base_config(&cfg);
	cfg.uid_attribute = "employeeNumber";
	add_user(&u, "id-old", "old", "okta.example.com", 1);
	u.v[0].uid_value = strdup("300000");
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &first, NULL, &err), 0);
	assert_int_equal(first.users[0].uid, 300000);
	add_user(&u2, "id-new", "new", "okta.example.com", 1);
	u2.v[0].uid_value = strdup("300000");
	o.prior = first.idmap;
	o.n_prior = first.n_idmap;
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u2, &g, &o, &second, NULL, &err), 0);
	log = capture_end();
	assert_true(second.users[0].uid != 300000);
	assert_int_equal(lines_with(log, "id-new", "300000", "already in use", NULL), 1);
	free(log);
	sb_dataset_free(&second);
	/* the owner itself keeps it on the next sync */
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &second, NULL, &err), 0);
	assert_int_equal(second.users[0].uid, 300000);
	sb_dataset_free(&first);
	sb_dataset_free(&second);
	free_tenant(&u, &g);
	sb_scim_users_free(&u2);
	drop_local(&o);
}

/* A sticky uid that a local account has since taken is not served twice. */
static void test_prior_now_local(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_idmap_entry prior[] = {{.scim_id = "id-a", .id = 400000, .kind = SB_ID_USER},
					 {.scim_id = "id-b", .id = 400000, .kind = SB_ID_USER},
					 {.scim_id = "id-z", .id = 0, .kind = SB_ID_USER}};
	struct sb_map_opts o = local_opts("admin2:x:400000:400000::/home/admin2:/bin/sh\n");
	char *log;

	(void)state;
	base_config(&cfg);
	add_user(&u, "id-a", "a", "okta.example.com", 1);
	add_user(&u, "id-b", "b", "okta.example.com", 1);
	o.prior = prior;
	o.n_prior = 3;
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	log = capture_end();
	assert_true(user(&ds, "a")->uid != 400000);
	assert_true(user(&ds, "b")->uid != 400000);
	assert_int_equal(lines_with(log, "id-a", "400000", "local", NULL), 1);
	/* id-b's claim on the same id and id-z's uid 0 are dropped, with a reason */
	assert_int_equal(lines_with(log, "id-b", "400000", "dropped", NULL), 1);
	assert_int_equal(lines_with(log, "id-z", "dropped", "forbidden", NULL), 1);
	free(log);
	for (size_t i = 0; i < ds.n_idmap; i++)
		assert_true(ds.idmap[i].id != 0);
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

/* A tiny range around 65534/65535: collisions everywhere, forbidden ids
 * never given, the user that does not fit is skipped (not given 0). */
static void test_forbidden_never_produced(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_map_report rep;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");

	(void)state;
	base_config(&cfg);
	cfg.uid_min = cfg.gid_min = 65530;
	cfg.uid_max = cfg.gid_max = 65540; /* 11 ids, 9 usable */
	for (int i = 0; i < 12; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "id-%02d", i);
		snprintf(name, sizeof(name), "user%02d", i);
		add_user(&u, id, name, "okta.example.com", 1);
	}
	add_group(&g, "gid-x", "late", 0, NULL);
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	free(capture_end());
	assert_int_equal(ds.n_users, 9);
	assert_int_equal(rep.users_skipped, 3);
	assert_int_equal(rep.groups_skipped, 1); /* no gid left for it */
	for (size_t i = 0; i < ds.n_users; i++) {
		uint32_t id = ds.users[i].uid;

		assert_true(id >= 65530 && id <= 65540 && id != 65534 && id != 65535);
		for (size_t k = 0; k < i; k++)
			assert_true(ds.users[k].uid != id);
	}
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

/* Overlapping uid and gid ranges: a group's gid never equals any uid (a
 * user private group has gid = uid, so they share one space). */
static void test_uids_and_gids_apart(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");

	(void)state;
	base_config(&cfg);
	cfg.uid_min = cfg.gid_min = 500000;
	cfg.uid_max = cfg.gid_max = 500079;
	for (int i = 0; i < 50; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "u-%02d", i);
		snprintf(name, sizeof(name), "user%02d", i);
		add_user(&u, id, name, "okta.example.com", 1);
	}
	for (int i = 0; i < 30; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "g-%02d", i);
		snprintf(name, sizeof(name), "Team %02d", i);
		add_group(&g, id, name, 0, NULL);
	}
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_int_equal(ds.n_users, 50);
	assert_int_equal(ds.n_groups, 80);
	for (size_t i = 0; i < ds.n_groups; i++) {
		const struct sb_group *gr = &ds.groups[i];

		for (size_t k = 0; k < ds.n_groups; k++)
			assert_true(k == i || ds.groups[k].gid != gr->gid);
		if (gr->flags & SB_GROUP_UPG)
			continue;
		for (size_t k = 0; k < ds.n_users; k++)
			assert_true(ds.users[k].uid != gr->gid);
	}
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uid_attribute),
	    cmocka_unit_test(test_removed_uid_never_reused),
	    cmocka_unit_test(test_attribute_uid_sticky),
	    cmocka_unit_test(test_prior_now_local),
	    cmocka_unit_test(test_forbidden_never_produced),
	    cmocka_unit_test(test_uids_and_gids_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
