/* map_fixture.c — the shared fixtures of the test_map_*.c suites (see
 * map_fixture.h): the per-case setup and teardown of struct map_case, the
 * tenant builders, the lookups and the log capture; linked into each of
 * them by the Makefile's test_map_% rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "map_fixture.h"

static char *ignore_v[] = {"ALL USERS"};
static int saved_stderr = -1;
static char capture_path[] = "/tmp/sbmap-log.XXXXXX";

void base_config(struct sb_config *cfg)
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

/* v with room for entry n (of size bytes), zeroed; doubling, as ASan's
 * realloc always copies */
static void *grown(void *v, size_t n, size_t *cap, size_t size)
{
	if (n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		v = realloc(v, *cap * size);
		assert_non_null(v);
	}
	memset((char *)v + n * size, 0, size);
	return v;
}

void add_user(struct sb_scim_users *a, const char *id, const char *name, const char *domain,
	      int active)
{
	struct sb_scim_user *u;

	a->v = grown(a->v, a->n, &a->cap, sizeof(*a->v));
	u = &a->v[a->n++];
	u->id = strdup(id);
	u->user_name = strdup(name);
	u->domain = domain ? strdup(domain) : NULL;
	u->display_name = strdup(name);
	u->active = active ? SB_TRUE : SB_FALSE;
	u->soft_deleted = SB_UNSET;
}

void add_group(struct sb_scim_groups *a, const char *id, const char *display, int n,
	       const char **members)
{
	struct sb_scim_group *g;

	a->v = grown(a->v, a->n, &a->cap, sizeof(*a->v));
	g = &a->v[a->n++];
	g->id = strdup(id);
	g->display_name = strdup(display);
	g->members = calloc((size_t)n + 1, sizeof(*g->members));
	for (int i = 0; i < n; i++)
		g->members[i].value = strdup(members[i]);
	g->n_members = (size_t)n;
}

const struct sb_user *user(const struct sb_dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->n_users; i++)
		if (strcmp(ds->users[i].name, name) == 0)
			return &ds->users[i];
	return NULL;
}

const struct sb_group *group(const struct sb_dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->n_groups; i++)
		if (strcmp(ds->groups[i].name, name) == 0)
			return &ds->groups[i];
	return NULL;
}

/* Temp passwd and group files for one case (static paths: one at a time). */
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

static void drop_local(struct sb_map_opts *o)
{
	if (o->passwd_file)
		unlink(o->passwd_file);
	if (o->group_file)
		unlink(o->group_file);
	memset(o, 0, sizeof(*o));
}

void case_local(struct map_case *c, const char *passwd_text, const char *group_text)
{
	drop_local(&c->local);
	c->local = local_files(passwd_text, group_text ? group_text : "root:x:0:\nusers:x:100:\n");
	c->o.passwd_file = c->local.passwd_file;
	c->o.group_file = c->local.group_file;
}

int map_setup(void **state)
{
	struct map_case *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	base_config(&c->cfg);
	case_local(c, "", NULL);
	*state = c;
	return 0;
}

int map_teardown(void **state)
{
	struct map_case *c = *state;

	if (saved_stderr >= 0) /* a case that failed inside a capture */
		free(capture_end());
	free(c->log);
	sb_dataset_free(&c->ds);
	sb_dataset_free(&c->first);
	free_tenant(&c->u, &c->g);
	sb_scim_users_free(&c->later);
	drop_local(&c->local);
	free(c);
	return 0;
}

int case_build(struct map_case *c, const struct sb_scim_users *users, struct sb_dataset *out)
{
	sb_dataset_free(out);
	return sb_map_build(&c->cfg, users, &c->g, &c->o, out, &c->rep, &c->err);
}

int case_map(struct map_case *c)
{
	return case_build(c, &c->u, &c->ds);
}

int case_map_logged(struct map_case *c)
{
	int rc;

	capture_start();
	rc = case_map(c);
	free(c->log);
	c->log = capture_end();
	return rc;
}

/* sb_log writes to fd 2: point it at a temp file for the duration. */
void capture_start(void)
{
	int fd;

	strcpy(capture_path, "/tmp/sbmap-log.XXXXXX");
	fd = mkstemp(capture_path);
	assert_true(fd >= 0);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

char *capture_end(void)
{
	FILE *f;
	char *text = calloc(1, 1 << 20);
	size_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	f = fopen(capture_path, "r");
	assert_non_null(f);
	n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(capture_path);
	return text;
}

/* Lines of text holding every one of the (NULL-ended) needles. */
int lines_with(const char *text, ...)
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

void set_member_group(struct sb_scim_groups *g, size_t gi, size_t mi)
{
	g->v[gi].members[mi].is_group = true;
}

void free_tenant(struct sb_scim_users *u, struct sb_scim_groups *g)
{
	sb_scim_users_free(u);
	sb_scim_groups_free(g);
}

const struct sb_group *group_by_gid(const struct sb_dataset *ds, uint32_t gid)
{
	for (size_t i = 0; i < ds->n_groups; i++)
		if (ds->groups[i].gid == gid)
			return &ds->groups[i];
	return NULL;
}

/* Member names of a group, comma-joined, for readable assertions. */
char *members_of(const struct sb_dataset *ds, const struct sb_group *g)
{
	char *out = calloc(1, 4096);

	for (size_t i = 0; g && i < g->n_members; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, ds->users[g->members[i]].name);
	}
	return out;
}

void assert_members(const struct sb_dataset *ds, const char *group_name, const char *want)
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

void count_skip(void *ctx, const char *kind, const char *scim_id, const char *reason)
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
