/* test_map.c — the SCIM → POSIX mapping: name rules, the documented id hash
 * (checked against published FNV-1a test vectors, not against itself),
 * domain filter, reserved and local names, uid attribute handling, sticky and
 * deterministic ids, forbidden ids, user private groups, nested and cyclic
 * groups, ignore_groups, GECOS clean-up. */
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
#include "names.h"

static char *ignore_v[] = {"ALL USERS"};

static void base_config(struct sb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->domain = "okta.example.com";
	cfg->name_format = "%u";
	cfg->home = "/home/%u";
	cfg->shell = "/bin/bash";
	cfg->uid_min = cfg->gid_min = 200000;
	cfg->uid_max = cfg->gid_max = 1999999999;
	cfg->ignore_groups.v = ignore_v;
	cfg->ignore_groups.n = 1;
}

static void add_user(struct sb_scim_users *a, const char *id, const char *name, const char *domain,
		     int active)
{
	struct sb_scim_user *u;

	a->v = realloc(a->v, (a->n + 1) * sizeof(*a->v));
	u = &a->v[a->n++];
	memset(u, 0, sizeof(*u));
	u->id = strdup(id);
	u->user_name = strdup(name);
	u->domain = domain ? strdup(domain) : NULL;
	u->display_name = strdup(name);
	u->active = active ? SB_TRUE : SB_FALSE;
	u->soft_deleted = SB_UNSET;
}

static void add_group(struct sb_scim_groups *a, const char *id, const char *display, int n,
		      const char **members)
{
	struct sb_scim_group *g;

	a->v = realloc(a->v, (a->n + 1) * sizeof(*a->v));
	g = &a->v[a->n++];
	memset(g, 0, sizeof(*g));
	g->id = strdup(id);
	g->display_name = strdup(display);
	g->members = calloc((size_t)n + 1, sizeof(*g->members));
	for (int i = 0; i < n; i++)
		g->members[i].value = strdup(members[i]);
	g->n_members = (size_t)n;
}

static const struct sb_user *user(const struct sb_dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->n_users; i++)
		if (strcmp(ds->users[i].name, name) == 0)
			return &ds->users[i];
	return NULL;
}

static const struct sb_group *group(const struct sb_dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->n_groups; i++)
		if (strcmp(ds->groups[i].name, name) == 0)
			return &ds->groups[i];
	return NULL;
}

static struct sb_map_opts local_opts(const char *passwd_text)
{
	static char pw[] = "/tmp/sbmap-pw.XXXXXX", gr[] = "/tmp/sbmap-gr.XXXXXX";
	int fd;

	strcpy(pw, "/tmp/sbmap-pw.XXXXXX");
	strcpy(gr, "/tmp/sbmap-gr.XXXXXX");
	fd = mkstemp(pw);
	assert_true(write(fd, passwd_text, strlen(passwd_text)) >= 0);
	close(fd);
	fd = mkstemp(gr);
	assert_true(write(fd, "root:x:0:\nusers:x:100:\n", 23) == 23);
	close(fd);
	return (struct sb_map_opts){.passwd_file = pw, .group_file = gr};
}

static void drop_local(struct sb_map_opts *o)
{
	unlink(o->passwd_file);
	unlink(o->group_file);
}

static void test_names(void **state)
{
	char long_name[40];
	char *s;

	(void)state;
	assert_true(sb_name_valid("alice"));
	assert_true(sb_name_valid("_svc.x-1"));
	assert_false(sb_name_valid("Alice"));
	assert_false(sb_name_valid("bad:name"));
	assert_false(sb_name_valid("a/b"));
	assert_false(sb_name_valid("-leading"));
	assert_false(sb_name_valid("new\nline"));
	assert_false(sb_name_valid("12345"));
	assert_false(sb_name_valid(""));
	memset(long_name, 'a', 33);
	long_name[33] = '\0';
	assert_false(sb_name_valid(long_name));
	long_name[32] = '\0';
	assert_true(sb_name_valid(long_name));
	assert_true(sb_name_reserved("root"));
	assert_true(sb_name_reserved("systemd-network"));
	assert_false(sb_name_reserved("alice"));
	s = sb_format_login("%l", "Alice.Smith@Okta.example.com", "okta.example.com");
	assert_string_equal(s, "alice.smith");
	free(s);
	s = sb_format_login("%u_%d", "Bob", "EXAMPLE");
	assert_string_equal(s, "bob_example");
	free(s);
	assert_null(sb_format_login("%x", "a", NULL));
	s = sb_gecos_clean("Ann: Lee,\nJr\x7f");
	assert_string_equal(s, "Ann LeeJr");
	free(s);
	s = sb_format_home("/home/%d/%u", "bob", "ex.com", 5);
	assert_string_equal(s, "/home/ex.com/bob");
	free(s);
	assert_null(sb_format_home("home/%u", "bob", NULL, 5));
	assert_null(sb_format_home("/home/%u:x", "bob", NULL, 5));
}

/* FNV-1a 32-bit reference vectors (Fowler/Noll/Vo test suite). */
static void test_hash_vectors(void **state)
{
	struct sb_idalloc a;

	(void)state;
	assert_int_equal(sb_idmap_hash(""), 0x811c9dc5u);
	assert_int_equal(sb_idmap_hash("a"), 0xe40c292cu);
	assert_int_equal(sb_idmap_hash("foobar"), 0xbf9cf968u);
	sb_idalloc_init(&a, 200000, 1999999999);
	/* id = min + h mod span */
	assert_int_equal(sb_idalloc_assign(&a, "foobar"), 200000u + 0xbf9cf968u % 1999800000u);
	/* taken: the next id in the range */
	assert_int_equal(sb_idalloc_assign(&a, "foobar"), 200001u + 0xbf9cf968u % 1999800000u);
	sb_idalloc_free(&a);
}

static void test_forbidden_ids_never_given(void **state)
{
	struct sb_idalloc a;
	uint32_t got[8];

	(void)state;
	sb_idalloc_init(&a, 65532, 65537);
	for (int i = 0; i < 4; i++) {
		char id[8];

		snprintf(id, sizeof(id), "x%d", i);
		got[i] = sb_idalloc_assign(&a, id);
		assert_true(got[i] >= 65532 && got[i] <= 65537);
		assert_true(got[i] != 65534 && got[i] != 65535);
	}
	assert_int_equal(sb_idalloc_assign(&a, "full"), 0); /* 4 usable ids, all taken */
	sb_idalloc_free(&a);
	assert_false(sb_id_parse("-5", &got[0]));
	assert_false(sb_id_parse("0", &got[0]));
	assert_false(sb_id_parse("12ab", &got[0]));
	assert_false(sb_id_parse("99999999999", &got[0]));
	assert_true(sb_id_parse("300000", &got[0]));
}

static void small_tenant(struct sb_scim_users *u, struct sb_scim_groups *g)
{
	const char *eng[] = {"id-alice", "id-bob", "id-staff"}; /* staff ⊂ engineers ⊂ staff */
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
	add_group(g, "id-staff", "staff", 2, staff);
	add_group(g, "id-all", "ALL USERS", 3, all);
	add_group(g, "id-badg", "bad:group", 0, NULL);
}

static void test_small_tenant(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u;
	struct sb_scim_groups g;
	struct sb_dataset ds;
	struct sb_map_report rep;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("root:x:0:0::/root:/bin/sh\n");
	const struct sb_user *alice, *carol;
	const struct sb_group *eng, *staff;

	(void)state;
	base_config(&cfg);
	small_tenant(&u, &g);
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	/* served: alice bob carol dave (inactive); not: grace, root, bad:name, dup */
	assert_int_equal(ds.n_users, 4);
	assert_int_equal(rep.users_other_domain, 1);
	assert_int_equal(rep.users_skipped, 3);
	assert_int_equal(rep.users_inactive, 1);
	alice = user(&ds, "alice");
	assert_non_null(alice);
	assert_string_equal(alice->scim_id, "id-alice"); /* the smaller SCIM id won */
	assert_non_null(carol = user(&ds, "carol"));
	assert_null(user(&ds, "root"));
	assert_int_equal(user(&ds, "dave")->flags & SB_USER_ACTIVE, 0);
	assert_int_equal(alice->flags & SB_USER_ACTIVE, SB_USER_ACTIVE);
	assert_string_equal(alice->home, "/home/alice");
	assert_true(alice->uid >= 200000 && alice->uid == alice->gid);
	/* user private groups, the three mapped SCIM groups, no ALL USERS */
	assert_non_null(group(&ds, "alice"));
	assert_null(group(&ds, "all-users"));
	assert_null(group(&ds, "bad:group"));
	assert_int_equal(rep.groups_ignored, 1);
	assert_int_equal(rep.groups_skipped, 1);
	eng = group(&ds, "engineers");
	staff = group(&ds, "staff");
	assert_non_null(eng);
	assert_non_null(staff);
	/* the cycle staff ⊂ engineers ⊂ staff: both hold alice, bob, carol */
	assert_int_equal(eng->n_members, 3);
	assert_int_equal(staff->n_members, 3);
	assert_int_equal(group(&ds, "admins")->n_members, 1);
	/* carol is in engineers and staff through nesting, sorted gids */
	assert_int_equal(carol->n_gids, 2);
	assert_true(carol->gids[0] < carol->gids[1]);
	assert_int_equal(alice->n_gids, 3);
	for (size_t i = 0; i < ds.n_groups; i++)
		assert_true(ds.groups[i].gid != 0);
	sb_dataset_free(&ds);
	sb_scim_users_free(&u);
	sb_scim_groups_free(&g);
	drop_local(&o);
}

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

static void test_uid_attribute(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	const char *vals[] = {"300000", "-5", "0", "abc", "99", "300000"};
	const char *names[] = {"u1", "u2", "u3", "u4", "u5", "u6"};

	(void)state;
	base_config(&cfg);
	cfg.uid_attribute = "employeeNumber";
	for (int i = 0; i < 6; i++) {
		char id[8];

		snprintf(id, sizeof(id), "id-%d", i);
		add_user(&u, id, names[i], "okta.example.com", 1);
		u.v[i].uid_value = strdup(vals[i]);
	}
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_int_equal(ds.n_users, 6);
	assert_int_equal(user(&ds, "u1")->uid, 300000);
	for (int i = 1; i < 6; i++) {
		uint32_t uid = user(&ds, names[i])->uid;

		assert_true(uid >= 200000 && uid != 300000); /* hashed, not the bad value */
	}
	sb_dataset_free(&ds);
	sb_scim_users_free(&u);
	drop_local(&o);
}

static void test_sticky_and_deterministic(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0}, shuffled = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset first, second, third;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	uint32_t gone_uid, hashed_new;

	(void)state;
	base_config(&cfg);
	add_user(&u, "id-a", "a", "okta.example.com", 1);
	add_user(&u, "id-b", "b", "okta.example.com", 1);
	add_user(&u, "id-c", "c", "okta.example.com", 1);
	add_user(&shuffled, "id-c", "c", "okta.example.com", 1);
	add_user(&shuffled, "id-a", "a", "okta.example.com", 1);
	add_user(&shuffled, "id-b", "b", "okta.example.com", 1);
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &first, NULL, &err), 0);
	assert_int_equal(sb_map_build(&cfg, &shuffled, &g, &o, &second, NULL, &err), 0);
	assert_int_equal(user(&first, "b")->uid, user(&second, "b")->uid);
	assert_int_equal(user(&first, "c")->uid, user(&second, "c")->uid);
	/* b leaves the tenant; a new user whose hash lands on b's uid must not
	 * get it: the prior map keeps b's uid reserved. */
	gone_uid = user(&first, "b")->uid;
	o.prior = first.idmap;
	o.n_prior = first.n_idmap;
	sb_scim_users_free(&shuffled);
	memset(&shuffled, 0, sizeof(shuffled));
	add_user(&shuffled, "id-a", "a", "okta.example.com", 1);
	add_user(&shuffled, "id-b2", "b2", "okta.example.com", 1);
	shuffled.v[1].id[0] = 'i';
	assert_int_equal(sb_map_build(&cfg, &shuffled, &g, &o, &third, NULL, &err), 0);
	assert_int_equal(user(&third, "a")->uid, user(&first, "a")->uid);
	hashed_new = user(&third, "b2")->uid;
	assert_true(hashed_new != gone_uid);
	/* the retired assignment is carried forward */
	{
		int kept = 0;

		for (size_t i = 0; i < third.n_idmap; i++)
			if (strcmp(third.idmap[i].scim_id, "id-b") == 0 &&
			    third.idmap[i].id == gone_uid)
				kept = 1;
		assert_true(kept);
	}
	sb_dataset_free(&first);
	sb_dataset_free(&second);
	sb_dataset_free(&third);
	sb_scim_users_free(&u);
	sb_scim_users_free(&shuffled);
	drop_local(&o);
}

static void test_hostile_input(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	char *big = malloc(1 << 20), longname[301];
	const char **many = malloc(10000 * sizeof(char *));

	(void)state;
	base_config(&cfg);
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	memset(longname, 'a', 300);
	longname[300] = '\0';
	add_user(&u, "id-big", "big", "okta.example.com", 1);
	free(u.v[0].display_name);
	u.v[0].display_name = big;
	add_user(&u, "id-long", longname, "okta.example.com", 1);
	add_user(&u, "id-nl", "new\nline", "okta.example.com", 1);
	add_user(&u, "id-dash", "-rf", "okta.example.com", 1);
	add_user(&u, "id-slash", "a/b", "okta.example.com", 1);
	for (int i = 0; i < 10000; i++) {
		char id[16], name[16];

		snprintf(id, sizeof(id), "gid-%05d", i);
		snprintf(name, sizeof(name), "grp%05d", i);
		many[0] = "id-big";
		add_group(&g, id, name, 1, many);
	}
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_int_equal(ds.n_users, 1);
	assert_int_equal(strlen(ds.users[0].gecos), SB_GECOS_MAX);
	assert_int_equal(ds.users[0].n_gids, 10000);
	sb_dataset_free(&ds);
	sb_scim_users_free(&u);
	sb_scim_groups_free(&g);
	free(many);
	drop_local(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_hash_vectors),
	    cmocka_unit_test(test_forbidden_ids_never_given),
	    cmocka_unit_test(test_small_tenant),
	    cmocka_unit_test(test_local_name_and_id_not_shadowed),
	    cmocka_unit_test(test_uid_attribute),
	    cmocka_unit_test(test_sticky_and_deterministic),
	    cmocka_unit_test(test_hostile_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
