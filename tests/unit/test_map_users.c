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
	struct map_case *c = *state;
	char line[128];
	uint32_t hashed;

	add_user(&c->u, "id-bob", "bob", "okta.example.com", 1);
	add_user(&c->u, "id-x", "xavier", "okta.example.com", 1);
	hashed = 200000 + sb_idmap_hash("id-x") % (1999999999u - 200000 + 1);
	snprintf(line, sizeof(line), "bob:x:1000:1000::/home/bob:/bin/sh\nsvc:x:%u:1::/:/bin/sh\n",
		 hashed);
	case_local(c, line, NULL);
	assert_int_equal(case_map(c), 0);
	assert_int_equal(c->ds.n_users, 1);
	assert_string_equal(c->ds.users[0].name, "xavier");
	assert_int_equal(c->ds.users[0].uid, hashed + 1); /* the local uid is skipped */
}

static void test_domain_filter(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;

	c->cfg.name_format = "%l";
	add_user(&c->u, "w1", "ann@okta.example.com", "okta.example.com", 1); /* ws1 attribute */
	add_user(&c->u, "w2", "bob@okta.example.com", "OKTA.example.COM", 1); /* any case */
	add_user(&c->u, "w3", "cat@okta.example.com", "other.example.com",
		 1);						 /* attribute wins */
	add_user(&c->u, "s1", "dan@okta.example.com", NULL, 1); /* scim2: after '@' */
	add_user(&c->u, "s2", "eve@elsewhere.org", NULL, 1);	 /* scim2: other domain */
	add_user(&c->u, "s3", "fay", NULL, 1);			 /* no domain at all: kept */
	for (int i = 0; i < 200; i++) {
		char id[16];

		snprintf(id, sizeof(id), "x%03d", i);
		add_user(&c->u, id, "x@other.example.com", "other.example.com", 1);
	}
	assert_int_equal(case_map_logged(c), 0);
	assert_int_equal(ds->n_users, 4);
	assert_non_null(user(ds, "ann"));
	assert_non_null(user(ds, "bob"));
	assert_non_null(user(ds, "dan"));
	assert_non_null(user(ds, "fay"));
	assert_int_equal(c->rep.users_other_domain, 202);
	assert_int_equal(c->rep.users_skipped, 0);
	/* one summary line, not one per user */
	assert_int_equal(lines_with(c->log, "202", "other domain", NULL), 1);
	assert_int_equal(lines_with(c->log, "x0", NULL), 0);
	/* domain unset: everyone (the 200 x@other share one login: one kept) */
	c->cfg.domain = NULL;
	assert_int_equal(case_map_logged(c), 0);
	assert_int_equal(c->rep.users_other_domain, 0);
	assert_int_equal(ds->n_users, 7);
	assert_string_equal(user(ds, "x")->scim_id, "x000");
}

static void test_active_flag(void **state)
{
	struct map_case *c = *state;
	struct sb_scim_users *u = &c->u;
	struct sb_dataset *ds = &c->ds;

	add_user(u, "a1", "on", "okta.example.com", 1);
	add_user(u, "a2", "off", "okta.example.com", 0);
	add_user(u, "a3", "unset", "okta.example.com", 1);
	u->v[2].active = SB_UNSET;
	add_user(u, "a4", "disabled", "okta.example.com", 1);
	u->v[3].user_status = strdup("2");
	add_user(u, "a5", "softdel", "okta.example.com", 1);
	u->v[4].soft_deleted = SB_TRUE;
	add_user(u, "a6", "status1", "okta.example.com", 1);
	u->v[5].user_status = strdup("1");
	assert_int_equal(case_map(c), 0);
	assert_int_equal(ds->n_users, 6); /* deactivated users stay resolvable */
	assert_int_equal(c->rep.users_inactive, 3);
	assert_int_equal(user(ds, "on")->flags, SB_USER_ACTIVE);
	assert_int_equal(user(ds, "unset")->flags, SB_USER_ACTIVE);
	assert_int_equal(user(ds, "status1")->flags, SB_USER_ACTIVE);
	assert_int_equal(user(ds, "off")->flags & SB_USER_ACTIVE, 0);
	assert_int_equal(user(ds, "disabled")->flags & SB_USER_ACTIVE, 0);
	assert_int_equal(user(ds, "softdel")->flags & SB_USER_ACTIVE, 0);
}

static void test_home_gecos_shell(void **state)
{
	struct map_case *c = *state;
	struct sb_scim_users *u = &c->u;
	struct sb_dataset *ds = &c->ds;
	const struct sb_user *x;
	char want[64];

	c->cfg.domain = NULL;
	c->cfg.name_format = "%l";
	c->cfg.home = "/home/%d/%u-%i";
	c->cfg.shell = "/bin/zsh";
	add_user(u, "h1", "ann@ex.com", NULL, 1);
	add_user(u, "h2", "bob@ev:il", NULL, 1); /* ':' in the home: skipped */
	add_user(u, "h3", "cat@ex.com", NULL, 1);
	free(u->v[2].display_name);
	u->v[2].display_name = NULL;
	u->v[2].name_formatted = strdup("Cat, PhD");
	add_user(u, "h4", "dan@ex.com", NULL, 1);
	free(u->v[3].display_name);
	u->v[3].display_name = strdup("");
	u->v[3].given_name = strdup("Dan");
	u->v[3].family_name = strdup("O:Neil");
	add_user(u, "h5", "eve@ex.com", NULL, 1);
	free(u->v[4].display_name);
	u->v[4].display_name = NULL;
	assert_int_equal(case_map_logged(c), 0);
	assert_int_equal(ds->n_users, 4);
	assert_int_equal(c->rep.users_skipped, 1);
	assert_null(user(ds, "bob"));
	assert_int_equal(ds->n_idmap, 4); /* the skipped user took no id */
	for (size_t i = 0; i < ds->n_idmap; i++)
		assert_string_not_equal(ds->idmap[i].scim_id, "h2");
	x = user(ds, "ann");
	snprintf(want, sizeof(want), "/home/ex.com/ann-%u", x->uid);
	assert_string_equal(x->home, want);
	assert_string_equal(x->shell, "/bin/zsh");
	assert_string_equal(x->gecos, "ann@ex.com");
	assert_string_equal(user(ds, "cat")->gecos, "Cat PhD");
	assert_string_equal(user(ds, "dan")->gecos, "Dan ONeil");
	assert_string_equal(user(ds, "eve")->gecos, "");
}

/* Each skipped entry: one log line naming kind, SCIM id, name and reason,
 * and one callback. */
static void test_skips_logged_once(void **state)
{
	struct map_case *c = *state;
	struct sb_map_report *rep = &c->rep;
	struct skips sk = {0};

	case_local(c, "alice:x:1000:1000::/home/alice:/bin/sh\n", NULL);
	add_user(&c->u, "k1", "root", "okta.example.com", 1);
	add_user(&c->u, "k2", "alice", "okta.example.com", 1);
	add_user(&c->u, "k3", "Bad Name", "okta.example.com", 1);
	add_user(&c->u, "k4", "dup", "okta.example.com", 1);
	add_user(&c->u, "k5", "DUP", "okta.example.com", 1);
	add_user(&c->u, "k6", "fine", "okta.example.com", 1);
	c->o.skipped = count_skip;
	c->o.skipped_ctx = &sk;
	assert_int_equal(case_map_logged(c), 0);
	assert_int_equal(c->ds.n_users, 2);
	assert_int_equal(rep->users_skipped, 4);
	assert_int_equal(sk.users, 4);
	assert_int_equal(rep->users_in,
			 rep->users_mapped + rep->users_skipped + rep->users_other_domain);
	assert_int_equal(c->ds.n_idmap, 2); /* skipped users take no id */
	assert_int_equal(lines_with(c->log, "skipped user k1 (root)", "reserved", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped user k2 (alice)", "local", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped user k3", "portable", NULL), 1);
	assert_int_equal(lines_with(c->log, "skipped user k5 (dup)", "another tenant user", NULL),
			 1);
	assert_int_equal(lines_with(c->log, "skipped", NULL), 4);
	assert_string_equal(user(&c->ds, "dup")->scim_id, "k4");
}

/* The local files are read directly; a missing one is empty, an unreadable
 * one fails the whole map (never "no local accounts"). Comment lines and
 * malformed lines are ignored; names and ids from both files count. */
static void test_local_files(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ds = &c->ds;
	const char *m[] = {"id-ops"};

	case_local(c, "# comment\nbroken-line\nsvc:x:abc:1::/:/bin/sh\n", "ops:x:777:alice\n");
	add_user(&c->u, "id-svc", "svc", "okta.example.com", 1);
	add_user(&c->u, "id-ops", "ops", "okta.example.com", 1);
	add_user(&c->u, "id-broken", "broken-line", "okta.example.com", 1);
	add_group(&c->g, "g-team", "team", 1, m);
	assert_int_equal(case_map_logged(c), 0);
	assert_null(user(ds, "svc"));		  /* a local name even with a bad uid field */
	assert_null(user(ds, "ops"));		  /* a local group name */
	assert_non_null(user(ds, "broken-line")); /* no ':' at all: not an entry */
	c->o.passwd_file = "/nonexistent/passwd";
	c->o.group_file = "/nonexistent/group";
	assert_int_equal(case_map(c), 0);
	assert_int_equal(ds->n_users, 3);
	c->o.passwd_file = "/"; /* opens, but reading fails (EISDIR) */
	assert_int_equal(case_map(c), -1);
	assert_int_equal(c->err.kind, SB_E_IO);
	assert_int_equal(ds->n_users, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    map_test(test_local_name_and_id_not_shadowed),
	    map_test(test_domain_filter),
	    map_test(test_active_flag),
	    map_test(test_home_gecos_shell),
	    map_test(test_skips_logged_once),
	    map_test(test_local_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
