/* test_map_determinism.c — sb_map_build gives the same dataset whatever
 * the order of its input: sticky ids across syncs, and a spec tenant
 * (duplicate ids and names, colliding ids, nested groups) shuffled 15 ways,
 * with members resolved as the listing does, mapped identically. The
 * fixtures are map_fixture.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "idindex.h"
#include "map.h"
#include "map_fixture.h"

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

/* What the listing's on_group hook (sb_members_resolve_group) does as
 * groups arrive: members that are user ids become indexes into the users
 * array. */
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

/* c->first and c->ds are two syncs of the same users in two orders; then
 * c->later, a sync without b, into c->ds. */
static void test_sticky_and_deterministic(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *first = &c->first, *second = &c->ds, *third = &c->ds;
	struct sb_scim_users *shuffled = &c->later;
	uint32_t gone_uid, hashed_new;
	int kept = 0;

	add_user(&c->u, "id-a", "a", "okta.example.com", 1);
	add_user(&c->u, "id-b", "b", "okta.example.com", 1);
	add_user(&c->u, "id-c", "c", "okta.example.com", 1);
	add_user(shuffled, "id-c", "c", "okta.example.com", 1);
	add_user(shuffled, "id-a", "a", "okta.example.com", 1);
	add_user(shuffled, "id-b", "b", "okta.example.com", 1);
	assert_int_equal(case_build(c, &c->u, first), 0);
	assert_int_equal(case_build(c, shuffled, second), 0);
	assert_int_equal(user(first, "b")->uid, user(second, "b")->uid);
	assert_int_equal(user(first, "c")->uid, user(second, "c")->uid);
	/* b leaves the tenant; a new user whose hash lands on b's uid must not
	 * get it: the prior map keeps b's uid reserved. */
	gone_uid = user(first, "b")->uid;
	c->o.prior = first->idmap;
	c->o.n_prior = first->n_idmap;
	sb_scim_users_free(shuffled);
	add_user(shuffled, "id-a", "a", "okta.example.com", 1);
	add_user(shuffled, "id-b2", "b2", "okta.example.com", 1);
	shuffled->v[1].id[0] = 'i';
	assert_int_equal(case_build(c, shuffled, third), 0);
	assert_int_equal(user(third, "a")->uid, user(first, "a")->uid);
	hashed_new = user(third, "b2")->uid;
	assert_true(hashed_new != gone_uid);
	/* the retired assignment is carried forward */
	for (size_t i = 0; i < third->n_idmap; i++)
		if (strcmp(third->idmap[i].scim_id, "id-b") == 0 && third->idmap[i].id == gone_uid)
			kept = 1;
	assert_true(kept);
}

/* c->first is the reference: the spec tenant in its own order. */
static void test_shuffled_input_same_dataset(void **state)
{
	struct map_case *c = *state;
	struct sb_dataset *ref = &c->first;

	c->cfg.uid_attribute = "employeeNumber";
	c->cfg.uid_min = c->cfg.gid_min = 300100; /* small: hashed ids collide */
	c->cfg.uid_max = c->cfg.gid_max = 300130;
	build_spec(&c->u, &c->g, 0);
	capture_start();
	assert_int_equal(case_build(c, &c->u, ref), 0);
	free_tenant(&c->u, &c->g);
	for (unsigned seed = 1; seed < 16; seed++) {
		build_spec(&c->u, &c->g, seed % 8);
		if (seed >= 8) /* members resolved by the listing: the same answer */
			resolve_like_listing(&c->u, &c->g);
		assert_int_equal(case_map(c), 0);
		assert_same_dataset(ref, &c->ds);
		free_tenant(&c->u, &c->g);
	}
	c->log = capture_end();
	/* what the spec says, checked once */
	assert_string_equal(user(ref, "ann")->scim_id, "7f3a"); /* "a0a0" is Ann too */
	assert_int_equal(user(ref, "bob")->uid, 300123);	/* 0b12 < 44e1 */
	assert_true(user(ref, "dan")->uid != 300123);
	assert_string_equal(user(ref, "eve")->scim_id, "5555"); /* the duplicate id: one */
	assert_null(user(ref, "eve2"));
	assert_string_equal(group(ref, "eng")->scim_id, "g-1"); /* g-1 < g-9 */
	/* members in dataset order (users sorted by SCIM id), through the
	 * skipped g-9 "Eng" and the cycle back to g-3 */
	assert_members(ref, "ops", "bob,dan,ann,cat");
	/* the duplicated id g-5: "Duplicate Id" sorts before "Leads" and wins */
	assert_null(group(ref, "leads"));
	assert_members(ref, "duplicate-id", "fay");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    map_test(test_sticky_and_deterministic),
	    map_test(test_shuffled_input_same_dataset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
