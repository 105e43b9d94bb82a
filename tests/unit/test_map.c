/* test_map.c — sb_map_build: domain filter, reserved and local names, uid
 * attribute handling (with its log lines), sticky and deterministic ids
 * (shuffled input gives an identical dataset), forbidden ids under forced
 * collisions, uids and gids kept apart, user private and named primary
 * groups, nested and cyclic groups, name clashes, ignore_groups, home and
 * GECOS, the active flag, and issue #6's hostile data. The name rules and
 * the id algorithm on their own are test_names.c and test_idmap.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "idmap.h"
#include "idindex.h"
#include "map.h"
#include "names.h"

static char *ignore_v[] = {"ALL USERS"};

static void capture_start(void);
static char *capture_end(void);
static int lines_with(const char *text, ...);

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

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
	}
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

	if (a->n == a->cap) { /* doubling: ASan's realloc always copies */
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
	}
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

/* Temp passwd and group files for one test (static paths: one at a time). */
static struct sb_map_opts local_files(const char *passwd_text, const char *group_text)
{
	static char pw[] = "/tmp/sbmap-pw.XXXXXX", gr[] = "/tmp/sbmap-gr.XXXXXX";
	int fd;

	strcpy(pw, "/tmp/sbmap-pw.XXXXXX");
	strcpy(gr, "/tmp/sbmap-gr.XXXXXX");
	fd = mkstemp(pw);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, passwd_text, strlen(passwd_text)), (ssize_t)strlen(passwd_text));
	close(fd);
	fd = mkstemp(gr);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, group_text, strlen(group_text)), (ssize_t)strlen(group_text));
	close(fd);
	return (struct sb_map_opts){.passwd_file = pw, .group_file = gr};
}

static struct sb_map_opts local_opts(const char *passwd_text)
{
	return local_files(passwd_text, "root:x:0:\nusers:x:100:\n");
}

static void drop_local(struct sb_map_opts *o)
{
	unlink(o->passwd_file);
	unlink(o->group_file);
}

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
	staff = group(&ds, "crew");
	assert_non_null(eng);
	assert_non_null(staff);
	/* the cycle crew ⊂ engineers ⊂ crew: both hold alice, bob, carol */
	assert_int_equal(eng->n_members, 3);
	assert_int_equal(staff->n_members, 3);
	assert_int_equal(group(&ds, "admins")->n_members, 1);
	/* carol is in engineers and crew through nesting, sorted gids */
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
	char *big = malloc(1 << 20), *big2 = malloc(1 << 20), longname[301], *log;
	const char **many = malloc(10000 * sizeof(char *));
	struct sb_map_report rep;

	(void)state;
	base_config(&cfg);
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	memcpy(big2, big, 1 << 20);
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
	/* a cycle across the 10,000: the first and the last hold each other */
	g.v[0].members[1].value = strdup("gid-09999");
	g.v[0].n_members = 2;
	g.v[9999].members[1].value = strdup("gid-00000");
	g.v[9999].n_members = 2;
	add_group(&g, "gid-long", longname, 1, many);
	add_group(&g, "gid-huge", big2, 1, many);
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	log = capture_end();
	assert_int_equal(ds.n_users, 1);
	assert_int_equal(rep.users_skipped, 4);
	assert_int_equal(rep.groups_skipped, 2);
	assert_int_equal(strlen(ds.users[0].gecos), SB_GECOS_MAX);
	assert_int_equal(ds.users[0].n_gids, 10000);
	assert_int_equal(group(&ds, "grp00000")->n_members, 1);
	/* log lines stay short whatever the tenant sends */
	assert_int_equal(lines_with(log, "skipped group gid-huge", NULL), 1);
	assert_true(strlen(log) < 4096);
	free(log);
	sb_dataset_free(&ds);
	sb_scim_users_free(&u);
	sb_scim_groups_free(&g);
	free(big2);
	free(many);
	drop_local(&o);
}

/* ---- helpers for the tests below ---- */

static int saved_stderr = -1;
static char capture_path[] = "/tmp/sbmap-log.XXXXXX";

/* sb_log writes to fd 2: point it at a temp file for the duration. */
static void capture_start(void)
{
	int fd;

	strcpy(capture_path, "/tmp/sbmap-log.XXXXXX");
	fd = mkstemp(capture_path);
	assert_true(fd >= 0);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

static char *capture_end(void)
{
	FILE *f;
	char *text = calloc(1, 1 << 20);
	size_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	f = fopen(capture_path, "r");
	assert_non_null(f);
	n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(capture_path);
	return text;
}

/* Lines of text holding every one of the (NULL-ended) needles. */
static int lines_with(const char *text, ...)
{
	int count = 0;

	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *copy = strndup(line, len);
		int all = 1;
		va_list ap;

		va_start(ap, text);
		for (const char *n = va_arg(ap, const char *); n; n = va_arg(ap, const char *))
			if (!strstr(copy, n))
				all = 0;
		va_end(ap);
		count += all;
		free(copy);
		line += len + (eol != NULL);
	}
	return count;
}

static void set_member_group(struct sb_scim_groups *g, size_t gi, size_t mi)
{
	g->v[gi].members[mi].is_group = true;
}

static void free_tenant(struct sb_scim_users *u, struct sb_scim_groups *g)
{
	sb_scim_users_free(u);
	sb_scim_groups_free(g);
}

static const struct sb_group *group_by_gid(const struct sb_dataset *ds, uint32_t gid)
{
	for (size_t i = 0; i < ds->n_groups; i++)
		if (ds->groups[i].gid == gid)
			return &ds->groups[i];
	return NULL;
}

/* Member names of a group, comma-joined, for readable assertions. */
static char *members_of(const struct sb_dataset *ds, const struct sb_group *g)
{
	char *out = calloc(1, 4096);

	for (size_t i = 0; g && i < g->n_members; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, ds->users[g->members[i]].name);
	}
	return out;
}

static void assert_members(const struct sb_dataset *ds, const char *group_name, const char *want)
{
	const struct sb_group *g = group(ds, group_name);
	char *got;

	if (!g)
		fail_msg("no group %s", group_name);
	got = members_of(ds, g);
	if (strcmp(got, want) != 0)
		fail_msg("group %s: members '%s', want '%s'", group_name, got, want);
	free(got);
}

struct skips {
	int users, groups;
};

static void count_skip(void *ctx, const char *kind, const char *scim_id, const char *reason)
{
	struct skips *sk = ctx;

	(void)scim_id;
	assert_non_null(reason);
	if (strcmp(kind, "user") == 0)
		sk->users++;
	else if (strcmp(kind, "group") == 0)
		sk->groups++;
	else
		fail_msg("unknown kind %s", kind);
}

/* ---- ids ---- */

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

/* ---- groups ---- */

static void test_user_private_groups(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	const char *team[] = {"id-ann", "id-ben"};

	(void)state;
	base_config(&cfg);
	cfg.primary_group = ""; /* empty counts as unset */
	add_user(&u, "id-ann", "ann", "okta.example.com", 1);
	add_user(&u, "id-ben", "ben", "okta.example.com", 1);
	add_group(&g, "id-team", "Team", 2, team);
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_int_equal(ds.n_groups, 3);
	for (size_t i = 0; i < ds.n_users; i++) {
		const struct sb_user *us = &ds.users[i];
		const struct sb_group *upg = group_by_gid(&ds, us->uid);

		assert_int_equal(us->gid, us->uid);
		assert_non_null(upg);
		assert_string_equal(upg->name, us->name);
		assert_int_equal(upg->flags & SB_GROUP_UPG, SB_GROUP_UPG);
		assert_null(upg->scim_id);
		assert_int_equal(upg->n_members, 1);
		assert_int_equal(upg->members[0], i);
		/* supplementary: the team only, not the private group */
		assert_int_equal(us->n_gids, 1);
		assert_int_equal(us->gids[0], group(&ds, "team")->gid);
	}
	assert_int_equal(group(&ds, "team")->flags & SB_GROUP_UPG, 0);
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

static void test_named_primary_group(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_map_opts o = local_files("", "root:x:0:\nusers:x:100:\nwheel0:x:0:\n");
	const char *staff[] = {"id-ann"};
	uint32_t staff_gid;

	(void)state;
	base_config(&cfg);
	add_user(&u, "id-ann", "ann", "okta.example.com", 1);
	add_user(&u, "id-ben", "ben", "okta.example.com", 1);
	add_group(&g, "id-staff", "Crew", 1, staff);
	/* a tenant group: everyone's gid; no private groups; in the gids of the
	 * users it lists (initgroups agrees with getgrnam; glibc skips the
	 * primary gid when it calls initgroups_dyn) */
	cfg.primary_group = "crew";
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_int_equal(ds.n_groups, 1);
	staff_gid = group(&ds, "crew")->gid;
	assert_int_equal(user(&ds, "ann")->gid, staff_gid);
	assert_int_equal(user(&ds, "ben")->gid, staff_gid);
	assert_int_equal(user(&ds, "ann")->n_gids, 1);
	assert_int_equal(user(&ds, "ann")->gids[0], staff_gid);
	assert_int_equal(user(&ds, "ben")->n_gids, 0);
	assert_true(user(&ds, "ann")->uid != staff_gid);
	sb_dataset_free(&ds);
	/* a local group */
	cfg.primary_group = "users";
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_int_equal(user(&ds, "ben")->gid, 100);
	assert_int_equal(user(&ds, "ann")->n_gids, 1);
	sb_dataset_free(&ds);
	/* missing, or gid 0: the whole map fails, naming the group */
	cfg.primary_group = "nosuch";
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), -1);
	assert_int_equal(err.kind, SB_E_CONFIG);
	assert_non_null(strstr(err.msg, "nosuch"));
	assert_int_equal(ds.n_users, 0);
	cfg.primary_group = "wheel0";
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), -1);
	free_tenant(&u, &g);
	drop_local(&o);
}

/* a ⊃ b ⊃ c ⊃ a (a cycle through three), d ⊃ d (a self-loop), e holds b
 * without a member type (ws1 may omit it), a user listed twice, a member
 * that is neither a mapped user nor a group. */
static void test_nested_and_cyclic_groups(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	const char *ga[] = {"id-u1", "id-gb", "id-u1"};
	const char *gb[] = {"id-u2", "id-gc"};
	const char *gc[] = {"id-u3", "id-ga", "id-ghost"};
	const char *gd[] = {"id-gd", "id-u4"};
	const char *ge[] = {"id-gb"};

	(void)state;
	base_config(&cfg);
	add_user(&u, "id-u1", "u1", "okta.example.com", 1);
	add_user(&u, "id-u2", "u2", "okta.example.com", 1);
	add_user(&u, "id-u3", "u3", "okta.example.com", 1);
	add_user(&u, "id-u4", "u4", "okta.example.com", 1);
	add_user(&u, "id-other", "other", "other.example.com", 1); /* not mapped */
	add_group(&g, "id-ga", "ga", 3, ga);
	add_group(&g, "id-gb", "gb", 2, gb);
	add_group(&g, "id-gc", "gc", 3, gc);
	add_group(&g, "id-gd", "gd", 2, gd);
	add_group(&g, "id-ge", "ge", 1, ge);
	set_member_group(&g, 0, 1);
	set_member_group(&g, 1, 1);
	set_member_group(&g, 2, 1);
	set_member_group(&g, 3, 0);
	g.v[2].members[2].value[3] = 'o'; /* "id-ohost": unknown, dropped */
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
	assert_members(&ds, "ga", "u1,u2,u3");
	assert_members(&ds, "gb", "u1,u2,u3");
	assert_members(&ds, "gc", "u1,u2,u3");
	assert_members(&ds, "gd", "u4");
	assert_members(&ds, "ge", "u1,u2,u3"); /* untyped member resolved as a group */
	assert_int_equal(user(&ds, "u1")->n_gids, 4);
	assert_int_equal(user(&ds, "u4")->n_gids, 1);
	for (size_t i = 0; i < ds.n_users; i++)
		for (size_t k = 1; k < ds.users[i].n_gids; k++)
			assert_true(ds.users[i].gids[k - 1] < ds.users[i].gids[k]);
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

static void test_group_name_clashes(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_map_report rep;
	struct sb_err err = {0};
	struct sb_map_opts o = local_files("", "root:x:0:\nbuilders:x:999:\n");
	struct skips sk = {0};
	char *log;

	(void)state;
	base_config(&cfg);
	add_user(&u, "id-ann", "ann", "okta.example.com", 1);
	add_group(&g, "g1", "Ann", 0, NULL);	/* the user's private group */
	add_group(&g, "g2", "Builders", 0, NULL); /* a local group */
	add_group(&g, "g3", "Daemon", 0, NULL); /* reserved */
	add_group(&g, "g5", "Team A", 0, NULL); /* same name as g4: g4 wins */
	add_group(&g, "g4", "team a", 0, NULL);
	add_group(&g, "g6", "Ops: EU", 0, NULL);    /* still invalid once sanitised */
	add_group(&g, "g7", "systemd-x", 0, NULL);  /* reserved family */
	add_group(&g, "g8", "Good Group", 0, NULL); /* served */
	o.skipped = count_skip;
	o.skipped_ctx = &sk;
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	log = capture_end();
	assert_int_equal(rep.groups_mapped, 2);
	assert_int_equal(rep.groups_skipped, 6);
	assert_int_equal(sk.groups, 6);
	assert_string_equal(group(&ds, "team-a")->scim_id, "g4");
	assert_non_null(group(&ds, "good-group"));
	assert_int_equal(lines_with(log, "skipped group g1", "Ann", NULL), 1);
	assert_int_equal(lines_with(log, "skipped group g2", "local", NULL), 1);
	assert_int_equal(lines_with(log, "skipped group g3", "reserved", NULL), 1);
	assert_int_equal(lines_with(log, "skipped group g5", "Team A", NULL), 1);
	assert_int_equal(lines_with(log, "skipped group g6", "not a portable", NULL), 1);
	assert_int_equal(lines_with(log, "skipped group g7", "reserved", NULL), 1);
	assert_int_equal(lines_with(log, "skipped group", NULL), 6);
	free(log);
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

/* Issue 14: a tenant cannot create a group (or user) that the host grants
 * rights to by name, even when no local group has the name (Ubuntu's
 * sudoers grants %admin); reserved_names adds the admin's own. */
static void test_privileged_names_refused(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_map_report rep;
	struct sb_err err = {0};
	struct sb_map_opts o = local_files("root:x:0:0::/root:/bin/sh\n", "root:x:0:\n");
	const char *members[] = {"id-ann"};
	const char *privileged[] = {"admin", "docker", "lxd",	     "sudoers",	"sudo",
				    "wheel", "adm",    "libvirt",    "kvm",	"netdev",
				    "plugdev", "lpadmin", "sambashare", "staff", "systemd-journal"};
	char *extra[] = {"ops", "Deploy"};
	char id[32];

	(void)state;
	base_config(&cfg);
	cfg.reserved_names.v = extra;
	cfg.reserved_names.n = 2;
	add_user(&u, "id-ann", "ann", "okta.example.com", 1);
	add_user(&u, "id-docker", "docker", "okta.example.com", 1);
	add_user(&u, "id-deploy", "deploy", "okta.example.com", 1);
	for (size_t i = 0; i < sizeof(privileged) / sizeof(privileged[0]); i++) {
		snprintf(id, sizeof(id), "gp%zu", i);
		add_group(&g, id, privileged[i], 1, members);
	}
	add_group(&g, "g-ops", "OPS", 1, members);
	add_group(&g, "g-eng", "engineers", 1, members);
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	free(capture_end());
	for (size_t i = 0; i < sizeof(privileged) / sizeof(privileged[0]); i++)
		if (group(&ds, privileged[i]))
			fail_msg("group '%s' served", privileged[i]);
	assert_null(group(&ds, "ops"));
	assert_non_null(group(&ds, "engineers"));
	assert_null(user(&ds, "docker"));
	assert_null(user(&ds, "deploy"));
	assert_non_null(user(&ds, "ann"));
	assert_int_equal(rep.groups_skipped, sizeof(privileged) / sizeof(privileged[0]) + 1);
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

static void test_ignore_groups(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset ds;
	struct sb_map_report rep;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");
	char *two[] = {"ALL USERS", "Contractors"};
	const char *m[] = {"id-ann"};

	(void)state;
	base_config(&cfg);
	cfg.ignore_groups.v = two;
	cfg.ignore_groups.n = 2;
	add_user(&u, "id-ann", "ann", "okta.example.com", 1);
	add_group(&g, "g1", "All Users", 1, m);
	add_group(&g, "g2", "CONTRACTORS", 1, m);
	add_group(&g, "g3", "Contractors EU", 1, m); /* whole-name match only */
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, &rep, &err), 0);
	assert_int_equal(rep.groups_ignored, 2);
	assert_int_equal(rep.groups_skipped, 0);
	assert_null(group(&ds, "all-users"));
	assert_null(group(&ds, "contractors"));
	assert_non_null(group(&ds, "contractors-eu"));
	assert_int_equal(user(&ds, "ann")->n_gids, 1);
	sb_dataset_free(&ds);
	free_tenant(&u, &g);
	drop_local(&o);
}

/* ---- users ---- */

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

/* ---- determinism ---- */

struct spec_user {
	const char *id, *name, *uid_value;
};
struct spec_group {
	const char *id, *name;
	const char *members[4];
};

static const struct spec_user spec_users[] = {
    {"7f3a", "ann", NULL},     {"0b12", "bob", "300123"}, {"c9d0", "cat", "-4"},
    {"44e1", "dan", "300123"}, {"a0a0", "Ann", NULL},	  {"5555", "eve", NULL},
    {"5555", "eve2", NULL},    {"e2e2", "fay", "abc"},	  {"19af", "gus", NULL},
};
static const struct spec_group spec_groups[] = {
    {"g-9", "Eng", {"7f3a", "0b12", "g-3", NULL}},
    {"g-3", "Ops", {"c9d0", "g-9", "44e1", NULL}},
    {"g-1", "eng", {"5555", NULL}},
    {"g-7", "ALL USERS", {"7f3a", "0b12", "c9d0", NULL}},
    {"g-5", "Leads", {"g-1", "19af", "zzzz", NULL}},
    {"g-5", "Duplicate Id", {"e2e2", NULL}},
};

/* The spec tenant, entries and members in the order perm gives. */
static void build_spec(struct sb_scim_users *u, struct sb_scim_groups *g, unsigned seed)
{
	size_t nu = sizeof(spec_users) / sizeof(spec_users[0]);
	size_t ng = sizeof(spec_groups) / sizeof(spec_groups[0]);

	memset(u, 0, sizeof(*u));
	memset(g, 0, sizeof(*g));
	for (size_t k = 0; k < nu; k++) {
		const struct spec_user *s = &spec_users[(k * 5 + seed) % nu];

		add_user(u, s->id, s->name, "okta.example.com", 1);
		if (s->uid_value)
			u->v[u->n - 1].uid_value = strdup(s->uid_value);
	}
	for (size_t k = 0; k < ng; k++) {
		const struct spec_group *s = &spec_groups[(k * 5 + seed) % ng];
		const char *m[4];
		int n = 0;

		while (n < 4 && s->members[n])
			n++;
		for (int i = 0; i < n; i++)
			m[i] = s->members[(i + seed) % (unsigned)n];
		add_group(g, s->id, s->name, n, m);
	}
}

static void assert_same_dataset(const struct sb_dataset *a, const struct sb_dataset *b)
{
	assert_int_equal(a->n_users, b->n_users);
	assert_int_equal(a->n_groups, b->n_groups);
	assert_int_equal(a->n_idmap, b->n_idmap);
	for (size_t i = 0; i < a->n_users; i++) {
		const struct sb_user *x = &a->users[i], *y = &b->users[i];

		assert_string_equal(x->name, y->name);
		assert_string_equal(x->scim_id, y->scim_id);
		assert_string_equal(x->gecos, y->gecos);
		assert_string_equal(x->home, y->home);
		assert_int_equal(x->uid, y->uid);
		assert_int_equal(x->gid, y->gid);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->n_gids, y->n_gids);
		if (x->n_gids)
			assert_memory_equal(x->gids, y->gids, x->n_gids * sizeof(uint32_t));
	}
	for (size_t i = 0; i < a->n_groups; i++) {
		const struct sb_group *x = &a->groups[i], *y = &b->groups[i];

		assert_string_equal(x->name, y->name);
		assert_int_equal(x->gid, y->gid);
		assert_int_equal(x->n_members, y->n_members);
		if (x->n_members)
			assert_memory_equal(x->members, y->members,
					    x->n_members * sizeof(uint32_t));
	}
	for (size_t i = 0; i < a->n_idmap; i++) {
		assert_string_equal(a->idmap[i].scim_id, b->idmap[i].scim_id);
		assert_int_equal(a->idmap[i].id, b->idmap[i].id);
		assert_int_equal(a->idmap[i].kind, b->idmap[i].kind);
	}
}

/* What sb_scim_list_groups_resolved does as pages arrive: members that are
 * user ids become indexes into the users array. */
static void resolve_like_listing(const struct sb_scim_users *u, struct sb_scim_groups *g)
{
	struct sb_idindex ids = {0};

	for (size_t i = 0; i < u->n; i++)
		assert_int_equal(sb_idindex_put(&ids, u->v[i].id, (uint32_t)i), 0);
	for (size_t k = 0; k < g->n; k++) {
		struct sb_scim_group *x = &g->v[k];
		size_t left = 0;

		x->member_users = calloc(x->n_members + 1, sizeof(uint32_t));
		for (size_t i = 0; i < x->n_members; i++) {
			if (sb_idindex_get(&ids, x->members[i].value,
					   &x->member_users[x->n_member_users])) {
				x->n_member_users++;
				free(x->members[i].value);
			} else {
				x->members[left++] = x->members[i];
			}
		}
		x->n_members = left;
	}
	sb_idindex_free(&ids);
}

static void test_shuffled_input_same_dataset(void **state)
{
	struct sb_config cfg;
	struct sb_scim_users u;
	struct sb_scim_groups g;
	struct sb_dataset ref, ds;
	struct sb_err err = {0};
	struct sb_map_opts o = local_opts("");

	(void)state;
	base_config(&cfg);
	cfg.uid_attribute = "employeeNumber";
	cfg.uid_min = cfg.gid_min = 300100; /* small: hashed ids collide */
	cfg.uid_max = cfg.gid_max = 300130;
	build_spec(&u, &g, 0);
	capture_start();
	assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ref, NULL, &err), 0);
	free_tenant(&u, &g);
	for (unsigned seed = 1; seed < 16; seed++) {
		build_spec(&u, &g, seed % 8);
		if (seed >= 8) /* members resolved by the listing: the same answer */
			resolve_like_listing(&u, &g);
		assert_int_equal(sb_map_build(&cfg, &u, &g, &o, &ds, NULL, &err), 0);
		assert_same_dataset(&ref, &ds);
		sb_dataset_free(&ds);
		free_tenant(&u, &g);
	}
	free(capture_end());
	/* what the spec says, checked once */
	assert_string_equal(user(&ref, "ann")->scim_id, "7f3a"); /* "a0a0" is Ann too */
	assert_int_equal(user(&ref, "bob")->uid, 300123);	 /* 0b12 < 44e1 */
	assert_true(user(&ref, "dan")->uid != 300123);
	assert_string_equal(user(&ref, "eve")->scim_id, "5555"); /* the duplicate id: one */
	assert_null(user(&ref, "eve2"));
	assert_string_equal(group(&ref, "eng")->scim_id, "g-1"); /* g-1 < g-9 */
	/* members in dataset order (users sorted by SCIM id), through the
	 * skipped g-9 "Eng" and the cycle back to g-3 */
	assert_members(&ref, "ops", "bob,dan,ann,cat");
	/* the duplicated id g-5: "Duplicate Id" sorts before "Leads" and wins */
	assert_null(group(&ref, "leads"));
	assert_members(&ref, "duplicate-id", "fay");
	sb_dataset_free(&ref);
	drop_local(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_small_tenant),
	    cmocka_unit_test(test_local_name_and_id_not_shadowed),
	    cmocka_unit_test(test_uid_attribute),
	    cmocka_unit_test(test_sticky_and_deterministic),
	    cmocka_unit_test(test_hostile_input),
	    cmocka_unit_test(test_removed_uid_never_reused),
	    cmocka_unit_test(test_attribute_uid_sticky),
	    cmocka_unit_test(test_prior_now_local),
	    cmocka_unit_test(test_forbidden_never_produced),
	    cmocka_unit_test(test_uids_and_gids_apart),
	    cmocka_unit_test(test_user_private_groups),
	    cmocka_unit_test(test_named_primary_group),
	    cmocka_unit_test(test_nested_and_cyclic_groups),
	    cmocka_unit_test(test_group_name_clashes),
	    cmocka_unit_test(test_privileged_names_refused),
	    cmocka_unit_test(test_ignore_groups),
	    cmocka_unit_test(test_domain_filter),
	    cmocka_unit_test(test_active_flag),
	    cmocka_unit_test(test_home_gecos_shell),
	    cmocka_unit_test(test_skips_logged_once),
	    cmocka_unit_test(test_shuffled_input_same_dataset),
	    cmocka_unit_test(test_local_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
