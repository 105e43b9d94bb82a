/* test_map_users.c — sb_map_build's users: local names and ids not
 * shadowed, the domain filter, the active flag, home, GECOS and shell, one
 * log line and one callback per skipped entry, the local passwd and group
 * files. The name rules on their own are test_names.c; the fixtures are
 * map_fixture.c. */
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

static void test_local_name_and_id_not_shadowed(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	char line[128];
	struct sb_map_opts o;
	uint32_t hashed;

	(void)state;
	base_config(&cfg);
	add_user(&u, "id-bob", "bob", "okta.example.com", 1);
	add_user(&u, "id-x", "xavier", "okta.example.com", 1);
	hashed = 200000 + sb_idmap_hash("id-x") % (1999999999u - 200000 + 1);
	snprintf(line, sizeof(line), "bob:x:1000:1000::/home/bob:/bin/sh\nsvc:x:%u:1::/:/bin/sh\n",
		 hashed);
	o = local_opts(line);
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_int_equal(ds.n_users, 1);
	assert_string_equal(ds.users[0].name, "xavier");
	assert_int_equal(ds.users[0].uid, hashed + 1); /* the local uid is skipped */
	sb_dataset_free(&ds);
	sb_scim_users_free(&u);
	drop_local(&o);
}

static void test_domain_filter(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_map_report rep;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	char *log;

	(void)state;
	base_config(&cfg);
	cfg.name_format = "%l";
	add_user(&u, "w1", "ann@okta.example.com", "okta.example.com", 1);  /* ws1 attribute */
	add_user(&u, "w2", "bob@okta.example.com", "OKTA.example.COM", 1);  /* any case */
	add_user(&u, "w3", "cat@okta.example.com", "other.example.com", 1); /* attribute wins */
	add_user(&u, "s1", "dan@okta.example.com", NULL, 1);		    /* scim2: after '@' */
	add_user(&u, "s2", "eve@elsewhere.org", NULL, 1); /* scim2: other domain */
	add_user(&u, "s3", "fay", NULL, 1);		  /* no domain at all: kept */
	for (int i = 0; i < 200; i++) {
		char id[16];

		snprintf(id, sizeof(id), "x%03d", i);
		add_user(&u, id, "x@other.example.com", "other.example.com", 1);
	}
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	log = capture_end();
	assert_int_equal(ds.n_users, 4);
	assert_non_null(user(&ds, "ann"));
	assert_non_null(user(&ds, "bob"));
	assert_non_null(user(&ds, "dan"));
	assert_non_null(user(&ds, "fay"));
	assert_int_equal(rep.users_other_domain, 202);
	assert_int_equal(rep.users_skipped, 0);
	/* one summary line, not one per user */
	assert_int_equal(lines_with(log, "202", "other domain", NULL), 1);
	assert_int_equal(lines_with(log, "x0", NULL), 0);
	free(log);
	sb_dataset_free(&ds);
	/* domain unset: everyone (the 200 x@other share one login: one kept) */
	cfg.domain = NULL;
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	free(capture_end());
	assert_int_equal(rep.users_other_domain, 0);
	assert_int_equal(ds.n_users, 7);
	assert_string_equal(user(&ds, "x")->scim_id, "x000");
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

static void test_active_flag(void **state)
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
	add_user(&u, "a1", "on", "okta.example.com", 1);
	add_user(&u, "a2", "off", "okta.example.com", 0);
	add_user(&u, "a3", "unset", "okta.example.com", 1);
	u.v[2].active = SB_UNSET;
	add_user(&u, "a4", "disabled", "okta.example.com", 1);
	u.v[3].user_status = strdup("2");
	add_user(&u, "a5", "softdel", "okta.example.com", 1);
	u.v[4].soft_deleted = SB_TRUE;
	add_user(&u, "a6", "status1", "okta.example.com", 1);
	u.v[5].user_status = strdup("1");
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	assert_int_equal(ds.n_users, 6); /* deactivated users stay resolvable */
	assert_int_equal(rep.users_inactive, 3);
	assert_int_equal(user(&ds, "on")->flags, SB_USER_ACTIVE);
	assert_int_equal(user(&ds, "unset")->flags, SB_USER_ACTIVE);
	assert_int_equal(user(&ds, "status1")->flags, SB_USER_ACTIVE);
	assert_int_equal(user(&ds, "off")->flags & SB_USER_ACTIVE, 0);
	assert_int_equal(user(&ds, "disabled")->flags & SB_USER_ACTIVE, 0);
	assert_int_equal(user(&ds, "softdel")->flags & SB_USER_ACTIVE, 0);
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

static void test_home_gecos_shell(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_map_report rep;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	const struct sb_user *x;

	(void)state;
	base_config(&cfg);
	cfg.domain = NULL;
	cfg.name_format = "%l";
	cfg.home = "/home/%d/%u-%i";
	cfg.shell = "/bin/zsh";
	add_user(&u, "h1", "ann@ex.com", NULL, 1);
	add_user(&u, "h2", "bob@ev:il", NULL, 1); /* ':' in the home: skipped */
	add_user(&u, "h3", "cat@ex.com", NULL, 1);
	free(u.v[2].display_name);
	u.v[2].display_name = NULL;
	u.v[2].name_formatted = strdup("Cat, PhD");
	add_user(&u, "h4", "dan@ex.com", NULL, 1);
	free(u.v[3].display_name);
	u.v[3].display_name = strdup("");
	u.v[3].given_name = strdup("Dan");
	u.v[3].family_name = strdup("O:Neil");
	add_user(&u, "h5", "eve@ex.com", NULL, 1);
	free(u.v[4].display_name);
	u.v[4].display_name = NULL;
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	free(capture_end());
	assert_int_equal(ds.n_users, 4);
	assert_int_equal(rep.users_skipped, 1);
	assert_null(user(&ds, "bob"));
	assert_int_equal(ds.n_idmap, 4); /* the skipped user took no id */
	for (size_t i = 0; i < ds.n_idmap; i++)
		assert_string_not_equal(ds.idmap[i].scim_id, "h2");
	x = user(&ds, "ann");
	{
		char want[64];

		snprintf(want, sizeof(want), "/home/ex.com/ann-%u", x->uid);
		assert_string_equal(x->home, want);
	}
	assert_string_equal(x->shell, "/bin/zsh");
	assert_string_equal(x->gecos, "ann@ex.com");
	assert_string_equal(user(&ds, "cat")->gecos, "Cat PhD");
	assert_string_equal(user(&ds, "dan")->gecos, "Dan ONeil");
	assert_string_equal(user(&ds, "eve")->gecos, "");
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

/* Each skipped entry: one log line naming kind, SCIM id, name and reason,
 * and one callback. */
static void test_skips_logged_once(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_map_report rep;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("alice:x:1000:1000::/home/alice:/bin/sh\n");
	struct skips sk = {0};
	char *log;

	(void)state;
	base_config(&cfg);
	add_user(&u, "k1", "root", "okta.example.com", 1);
	add_user(&u, "k2", "alice", "okta.example.com", 1);
	add_user(&u, "k3", "Bad Name", "okta.example.com", 1);
	add_user(&u, "k4", "dup", "okta.example.com", 1);
	add_user(&u, "k5", "DUP", "okta.example.com", 1);
	add_user(&u, "k6", "fine", "okta.example.com", 1);
	o.skipped = count_skip;
	o.skipped_ctx = &sk;
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	log = capture_end();
	assert_int_equal(ds.n_users, 2);
	assert_int_equal(rep.users_skipped, 4);
	assert_int_equal(sk.users, 4);
	assert_int_equal(rep.users_in,
			 rep.users_mapped + rep.users_skipped + rep.users_other_domain);
	assert_int_equal(ds.n_idmap, 2); /* skipped users take no id */
	assert_int_equal(lines_with(log, "skipped user k1 (root)", "reserved", NULL), 1);
	assert_int_equal(lines_with(log, "skipped user k2 (alice)", "local", NULL), 1);
	assert_int_equal(lines_with(log, "skipped user k3", "portable", NULL), 1);
	assert_int_equal(lines_with(log, "skipped user k5 (dup)", "another tenant user", NULL), 1);
	assert_int_equal(lines_with(log, "skipped", NULL), 4);
	assert_string_equal(user(&ds, "dup")->scim_id, "k4");
	free(log);
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

/* The local files are read directly; a missing one is empty, an unreadable
 * one fails the whole map (never "no local accounts"). Comment lines and
 * malformed lines are ignored; names and ids from both files count. */
static void test_local_files(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_map_opts o =
	    local_files("# comment\nbroken-line\nsvc:x:abc:1::/:/bin/sh\n", "ops:x:777:alice\n");
	const char *m[] = {"id-ops"};

	(void)state;
	base_config(&cfg);
	add_user(&u, "id-svc", "svc", "okta.example.com", 1);
	add_user(&u, "id-ops", "ops", "okta.example.com", 1);
	add_user(&u, "id-broken", "broken-line", "okta.example.com", 1);
	add_group(&g, "g-team", "team", 1, m);
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	free(capture_end());
	assert_null(user(&ds, "svc"));		   /* a local name even with a bad uid field */
	assert_null(user(&ds, "ops"));		   /* a local group name */
	assert_non_null(user(&ds, "broken-line")); /* no ':' at all: not an entry */
	sb_dataset_free(&ds);
	drop_local(&o);
	o.passwd_file = "/nonexistent/passwd";
	o.group_file = "/nonexistent/group";
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_int_equal(ds.n_users, 3);
	sb_dataset_free(&ds);
	o.passwd_file = "/"; /* opens, but reading fails (EISDIR) */
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), -1);
	assert_int_equal(err.kind, SB_E_IO);
	assert_int_equal(ds.n_users, 0);
	free_tenant(&u, &g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_local_name_and_id_not_shadowed),
	    cmocka_unit_test(test_domain_filter),
	    cmocka_unit_test(test_active_flag),
	    cmocka_unit_test(test_home_gecos_shell),
	    cmocka_unit_test(test_skips_logged_once),
	    cmocka_unit_test(test_local_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
