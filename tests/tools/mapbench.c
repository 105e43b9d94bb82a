/* mapbench — times sb_map_build on a synthetic tenant, so the "100,000 users
 * and 10,000 groups well under a second" target is a measured figure: user i
 * is in ~10 groups, every 50th group nests the next one. Runs twice: a first
 * sync (every id hashed) and a second one with the first's idmap as the
 * sticky prior (the daemon's steady state).
 *
 * usage: mapbench [N_USERS [N_GROUPS]]   (defaults 100000 10000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "log.h"
#include "map.h"

#define GROUPS_PER_USER 10

static char *fmt(const char *f, unsigned long a)
{
	char buf[96];

	snprintf(buf, sizeof(buf), f, a);
	return strdup(buf);
}

static void make_users(struct sb_scim_users *u, size_t n)
{
	u->v = calloc(n, sizeof(*u->v));
	u->n = u->cap = n;
	for (size_t i = 0; i < n; i++) {
		struct sb_scim_user *s = &u->v[i];

		s->id = fmt("%08lx-5e1c-4c7a-9d1f-00000000b00c", (unsigned long)(i * 2654435761u));
		s->user_name = fmt("user%06lu@okta.example.com", (unsigned long)i);
		s->domain = strdup("okta.example.com");
		s->display_name = fmt("User Number %lu", (unsigned long)i);
		s->active = i % 17 ? SB_TRUE : SB_FALSE;
		s->soft_deleted = SB_UNSET;
	}
}

/* Each group's members: users u with (u * 7 + k * k * 131) % m == g for some k,
 * so every user is in ~10 groups. The member ids sit in one block per group,
 * as the parser lays them out (scim_types.h, member_blob). */
static void make_groups(struct sb_scim_groups *g, size_t m, const struct sb_scim_users *u)
{
	size_t *cnt = calloc(m, sizeof(*cnt)), *bytes = calloc(m, sizeof(*bytes));

	g->v = calloc(m, sizeof(*g->v));
	g->n = g->cap = m;
	for (size_t i = 0; i < u->n; i++)
		for (size_t k = 0; k < GROUPS_PER_USER; k++) {
			size_t j = (i * 7 + k * k * 131) % m;

			cnt[j]++;
			bytes[j] += strlen(u->v[i].id) + 1;
		}
	for (size_t j = 0; j < m; j++) {
		g->v[j].id = fmt("g%07lu-7d2e-4f11-8a3b-0000000000aa", (unsigned long)j);
		g->v[j].display_name = fmt("Team %lu", (unsigned long)j);
		g->v[j].members = calloc(cnt[j] + 1, sizeof(struct sb_scim_member));
		/* room for one nested group id too */
		g->v[j].member_blob = malloc(bytes[j] + 64);
		bytes[j] = 0;
	}
	for (size_t i = 0; i < u->n; i++)
		for (size_t k = 0; k < GROUPS_PER_USER; k++) {
			size_t j = (i * 7 + k * k * 131) % m;
			struct sb_scim_group *grp = &g->v[j];
			char *dst = grp->member_blob + bytes[j];

			strcpy(dst, u->v[i].id);
			bytes[j] += strlen(dst) + 1;
			grp->members[grp->n_members++].value = dst;
		}
	for (size_t j = 0; j + 1 < m; j += 50) {
		struct sb_scim_group *grp = &g->v[j];
		char *dst = grp->member_blob + bytes[j];

		strcpy(dst, g->v[j + 1].id);
		grp->members[grp->n_members].value = dst;
		grp->members[grp->n_members++].is_group = true;
	}
	free(cnt);
	free(bytes);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process: the machine is shared, so
 * wall time alone says more about the neighbours than about the mapping. */
static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int run(const struct sb_config *cfg, const struct sb_scim_users *u,
	       const struct sb_scim_groups *g, const struct sb_map_opts *o, struct sb_dataset *ds,
	       const char *label)
{
	struct sb_map_report rep;
	struct sb_err err = {0};
	double t0 = now(), c0 = cpu(), t, c;

	if (sb_map_build(cfg, u, g, o, ds, &rep, &err) < 0) {
		fprintf(stderr, "mapbench: %s\n", err.msg);
		return -1;
	}
	t = now() - t0;
	c = cpu() - c0;
	printf("%-22s %zu users (%zu inactive), %zu groups mapped, %zu ids: %.3f s wall, %.3f s "
	       "CPU\n",
	       label, rep.users_mapped, rep.users_inactive, rep.groups_mapped, ds->n_idmap, t, c);
	return 0;
}

int main(int argc, char **argv)
{
	static char *ignore[] = {"ALL USERS"};
	struct sb_config cfg = {.name_format = "%l",
				.home = "/home/%u",
				.shell = "/bin/bash",
				.uid_min = 200000,
				.uid_max = 1999999999,
				.gid_min = 200000,
				.gid_max = 1999999999,
				.domain = "okta.example.com",
				.ignore_groups = {.v = ignore, .n = 1}};
	struct sb_map_opts o = {.passwd_file = "/etc/passwd", .group_file = "/etc/group"};
	size_t nu = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	size_t ng = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
	struct sb_scim_users u = {0};
	struct sb_scim_groups g = {0};
	struct sb_dataset first = {0}, second = {0};
	int rc = 1;

	sb_log_init("mapbench", SB_LOG_STDERR, 0);
	if (ng == 0)
		ng = 1;
	make_users(&u, nu);
	make_groups(&g, ng, &u);
	if (run(&cfg, &u, &g, &o, &first, "first sync (hashed):") < 0)
		goto out;
	o.prior = first.idmap;
	o.n_prior = first.n_idmap;
	if (run(&cfg, &u, &g, &o, &second, "next sync (sticky):") < 0)
		goto out;
	rc = 0;
out:
	sb_dataset_free(&first);
	sb_dataset_free(&second);
	sb_scim_users_free(&u);
	sb_scim_groups_free(&g);
	return rc;
}
