/* mkcache — writes a synthetic cache of N users and M groups with
 * sb_cache_write, for NSS tests and benchmarks that must not depend on the
 * tenant. User i is "u%06d", uid 200000+i, in ~10 groups; group j is
 * "g%05d", gid 300000000+j. The GECOS carries a generation marker so a test
 * can tell which file a concurrent reader saw. With -p/-g it also writes the
 * equivalent passwd and group text files (for nss_files and size figures).
 *
 * usage: mkcache [-G gen] [-A age_s] [-V change] [-P gid] [-p passwd] [-g group]
 *        OUT N_USERS N_GROUPS
 * (-A: the cache says it was synced age_s seconds ago; -V: one change to the
 * middle user for delta benchmarks: `gecos` renames them, `inactive`
 * deactivates them, `add` adds one more user at the end, `insert` in the
 * middle, `remove` removes them, `group` adds a group with them as its
 * only member; -P: every user's primary gid, as the mapping writes it for
 * primary_group = a local group). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache_writer.h"
#include "dataset.h"

#define GROUPS_PER_USER 10

/* The dataset's strings and arrays live in its arena (dataset.h). */
static struct sb_arena *arena;

static char *fmt(const char *f, unsigned a, unsigned b)
{
	char buf[128];

	snprintf(buf, sizeof(buf), f, a, b);
	return sb_arena_strdup(arena, buf);
}

/* Deterministic group choice: user i is in groups (i*7 + k*k*131) mod m. */
static uint32_t group_of(size_t i, size_t k, size_t m)
{
	return (uint32_t)((i * 7 + k * k * 131 + k) % m);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void make_users(struct sb_dataset *ds, size_t n, size_t m, unsigned gen)
{
	ds->users = calloc(n, sizeof(*ds->users));
	ds->n_users = n;
	for (size_t i = 0; i < n; i++) {
		struct sb_user *u = &ds->users[i];
		size_t k, w = 0;

		u->name = fmt("u%06u", (unsigned)i + 1, 0);
		u->uid = u->gid = 200000 + (uint32_t)i + 1;
		u->gecos = fmt("User %u gen %u", (unsigned)i + 1, gen);
		u->home = fmt("/home/u%06u", (unsigned)i + 1, 0);
		u->shell = sb_arena_strdup(arena, "/bin/bash");
		u->scim_id = fmt("00000000-0000-4000-8000-%012u", (unsigned)i + 1, 0);
		u->flags = (i % 10 == 9) ? 0 : 1; /* every tenth user deactivated */
		if (i % 3 == 0) {
			u->ssh_keys = sb_arena_calloc(arena, 1, sizeof(char *));
			u->ssh_keys[0] = fmt("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI%06u%u u@host",
					     (unsigned)i, gen);
			u->n_ssh_keys = 1;
		}
		if (!m)
			continue;
		u->gids = sb_arena_calloc(arena, GROUPS_PER_USER, sizeof(uint32_t));
		for (k = 0; k < GROUPS_PER_USER; k++)
			u->gids[w++] = 300000000u + group_of(i, k, m);
		qsort(u->gids, w, sizeof(uint32_t), cmp_u32);
		u->n_gids = 0;
		for (k = 0; k < w; k++)
			if (!u->n_gids || u->gids[u->n_gids - 1] != u->gids[k])
				u->gids[u->n_gids++] = u->gids[k];
	}
}

static void make_groups(struct sb_dataset *ds, size_t m)
{
	size_t n = ds->n_users, *fill;

	ds->n_groups = n + m;
	ds->groups = calloc(n + m, sizeof(*ds->groups));
	fill = calloc(m ? m : 1, sizeof(*fill));
	for (size_t i = 0; i < n; i++) { /* user private groups */
		struct sb_group *g = &ds->groups[i];

		g->name = ds->users[i].name;
		g->gid = ds->users[i].uid;
		g->flags = SB_GROUP_UPG;
		g->members = sb_arena_calloc(arena, 1, sizeof(uint32_t));
		g->members[0] = (uint32_t)i;
		g->n_members = 1;
	}
	for (size_t j = 0; j < m; j++) {
		struct sb_group *g = &ds->groups[n + j];

		g->name = fmt("g%05u", (unsigned)j + 1, 0);
		g->gid = 300000000u + (uint32_t)j;
		g->scim_id = fmt("10000000-0000-4000-8000-%012u", (unsigned)j + 1, 0);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ds->users[i].n_gids; k++)
			fill[ds->users[i].gids[k] - 300000000u]++;
	for (size_t j = 0; j < m; j++)
		ds->groups[n + j].members = sb_arena_calloc(arena, fill[j] + 1, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ds->users[i].n_gids; k++) {
			struct sb_group *g = &ds->groups[n + ds->users[i].gids[k] - 300000000u];

			g->members[g->n_members++] = (uint32_t)i;
		}
	free(fill);
}

/* One change against the same arguments without -V (bench/bench_relay.sh),
 * to the middle user. add and insert: main made one user more (the last);
 * insert moves it to the middle, as a tenant that lists users by name may. */
static int apply_change(struct sb_dataset *ds, const char *change)
{
	size_t n = ds->n_users, mid = n / 2;
	struct sb_user *u = &ds->users[mid], last = ds->users[n - 1];

	if (strcmp(change, "gecos") == 0) {
		u->gecos = sb_arena_strdup(arena, "Renamed By The Relay Benchmark");
	} else if (strcmp(change, "inactive") == 0) {
		u->flags &= ~(uint32_t)SB_USER_ACTIVE;
	} else if (strcmp(change, "insert") == 0) {
		memmove(u + 1, u, (n - 1 - mid) * sizeof(*u));
		*u = last;
	} else if (strcmp(change, "remove") == 0) {
		memmove(u, u + 1, (n - 1 - mid) * sizeof(*u));
		ds->n_users--;
	} else if (strcmp(change, "add") != 0 && strcmp(change, "group") != 0) {
		return -1;
	}
	return 0;
}

/* -V group: one more group, in the middle of the groups, with the middle
 * user as its only member (so that user's record gains a gid). */
static void add_group(struct sb_dataset *ds, size_t m)
{
	size_t n = ds->n_users, at = n + m / 2;
	struct sb_user *u = &ds->users[n / 2];
	struct sb_group *grown = realloc(ds->groups, (ds->n_groups + 1) * sizeof(*grown)), *g;
	uint32_t *gids = sb_arena_calloc(arena, u->n_gids + 1, sizeof(uint32_t));

	if (!grown || !gids)
		abort();
	ds->groups = grown;
	memmove(&grown[at + 1], &grown[at], (ds->n_groups - at) * sizeof(*grown));
	ds->n_groups++;
	g = &grown[at];
	memset(g, 0, sizeof(*g));
	g->name = fmt("gnew%u", (unsigned)m, 0);
	g->gid = 300000000u + (uint32_t)m; /* after every other group's gid */
	g->scim_id = fmt("20000000-0000-4000-8000-%012u", (unsigned)m, 0);
	g->members = sb_arena_calloc(arena, 1, sizeof(uint32_t));
	g->members[0] = (uint32_t)(n / 2);
	g->n_members = 1;
	memcpy(gids, u->gids, u->n_gids * sizeof(uint32_t));
	gids[u->n_gids++] = g->gid;
	u->gids = gids;
}

static void write_text(const struct sb_dataset *ds, const char *pw, const char *gr)
{
	FILE *p = pw ? fopen(pw, "w") : NULL, *g = gr ? fopen(gr, "w") : NULL;

	for (size_t i = 0; p && i < ds->n_users; i++) {
		const struct sb_user *u = &ds->users[i];

		fprintf(p, "%s:*:%u:%u:%s:%s:%s\n", u->name, u->uid, u->gid, u->gecos, u->home,
			u->shell);
	}
	for (size_t j = 0; g && j < ds->n_groups; j++) {
		const struct sb_group *grp = &ds->groups[j];

		fprintf(g, "%s:x:%u:", grp->name, grp->gid);
		for (size_t k = 0; k < grp->n_members; k++)
			fprintf(g, "%s%s", k ? "," : "", ds->users[grp->members[k]].name);
		fputc('\n', g);
	}
	if (p)
		fclose(p);
	if (g)
		fclose(g);
}

int main(int argc, char **argv)
{
	struct sb_dataset ds = {0};
	struct sb_err err = {0};
	const char *pw = NULL, *gr = NULL, *change = NULL;
	size_t n_users;
	unsigned gen = 1;
	long age = 0, primary = 0;
	int opt;

	while ((opt = getopt(argc, argv, "G:A:V:P:p:g:")) != -1) {
		if (opt == 'G')
			gen = (unsigned)atoi(optarg);
		else if (opt == 'A')
			age = atol(optarg);
		else if (opt == 'V')
			change = optarg;
		else if (opt == 'P')
			primary = atol(optarg);
		else if (opt == 'p')
			pw = optarg;
		else if (opt == 'g')
			gr = optarg;
		else
			return 2;
	}
	if (argc - optind != 3) {
		fprintf(stderr,
			"usage: mkcache [-G gen] [-p passwd] [-g group] OUT N_USERS N_GROUPS\n");
		return 2;
	}
	arena = &ds.arena;
	n_users = (size_t)atol(argv[optind + 1]);
	if (change && (strcmp(change, "add") == 0 || strcmp(change, "insert") == 0))
		n_users++;
	make_users(&ds, n_users, (size_t)atol(argv[optind + 2]), gen);
	if (change && (!n_users || apply_change(&ds, change) < 0)) {
		fprintf(stderr,
			"mkcache: -V takes gecos, inactive, add, insert, remove or group\n");
		sb_dataset_free(&ds);
		return 2;
	}
	make_groups(&ds, (size_t)atol(argv[optind + 2]));
	if (change && strcmp(change, "group") == 0)
		add_group(&ds, (size_t)atol(argv[optind + 2]));
	for (size_t i = 0; primary && i < ds.n_users; i++)
		ds.users[i].gid = (uint32_t)primary;
	ds.sync_time = time(NULL) - age;
	write_text(&ds, pw, gr);
	if (sb_cache_write(argv[optind], &ds, &err) < 0) {
		fprintf(stderr, "mkcache: %s\n", err.msg);
		sb_dataset_free(&ds);
		return 1;
	}
	sb_dataset_free(&ds);
	return 0;
}
