/* nssprobe — calls libnss_scim.so.2's entry points directly (dlopen), so a
 * test sees the exact nss_status and errno that glibc would:
 *   nssprobe SO pwnam NAME [BUFLEN]   nssprobe SO pwuid UID [BUFLEN]
 *   nssprobe SO grnam NAME [BUFLEN]   nssprobe SO grgid GID [BUFLEN]
 *   nssprobe SO initgroups NAME
 *   nssprobe SO threads CACHE N_THREADS REWRITES
 *   nssprobe SO fork NAME     (look up, fork while another thread looks up,
 *                              look up again in the child; exit 0 if both hit)
 *   nssprobe SO forkenum MISSING   (the same while another thread enumerates
 *                              and misses; the child enumerates and misses)
 *   nssprobe SO enumswap CACHE pw|gr   (needs enumerate = yes; see enum_swap)
 *   nssprobe SO enumthreads CACHE REWRITES   (see enum_threads)
 *   nssprobe SO errno NAME UID GID MISSING   (see errno_check)
 * prints "status=S errno=E" and the entry. `threads` has N threads look up
 * random users of a 1000-user cache while the main thread rewrites it
 * REWRITES times with a new generation; every answer must be whole (name,
 * uid, home and the GECOS generation marker consistent) — never torn. */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache_writer.h"

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);

static void *so;
static atomic_int stop, bad, answers;

static void *sym(const char *name)
{
	void *p = dlsym(so, name);

	if (!p) {
		fprintf(stderr, "nssprobe: %s missing\n", name);
		exit(3);
	}
	return p;
}

static void write_gen(const char *path, unsigned gen)
{
	struct sb_dataset ds = {0};
	struct sb_err err = {0};
	char buf[64];

	ds.n_users = 1000;
	ds.users = calloc(ds.n_users, sizeof(*ds.users));
	for (size_t i = 0; i < ds.n_users; i++) {
		struct sb_user *u = &ds.users[i];

		snprintf(buf, sizeof(buf), "t%04zu", i);
		u->name = sb_arena_strdup(&ds.arena, buf);
		snprintf(buf, sizeof(buf), "/home/t%04zu", i);
		u->home = sb_arena_strdup(&ds.arena, buf);
		snprintf(buf, sizeof(buf), "T %zu gen %u", i, gen);
		u->gecos = sb_arena_strdup(&ds.arena, buf);
		u->shell = sb_arena_strdup(&ds.arena, "/bin/sh");
		snprintf(buf, sizeof(buf), "sid-%zu", i);
		u->scim_id = sb_arena_strdup(&ds.arena, buf);
		u->uid = u->gid = 300000 + (uint32_t)i;
		u->flags = 1;
	}
	if (sb_cache_write(path, &ds, &err) < 0) {
		fprintf(stderr, "nssprobe: %s\n", err.msg);
		exit(3);
	}
	sb_dataset_free(&ds);
}

/* For enum_swap: users t<first>..t0999, each with a private group, and ten
 * shared groups; the GECOS carries gen. */
static void write_enum_gen(const char *path, size_t first, unsigned gen)
{
	struct sb_dataset ds = {0};
	struct sb_err err = {0};
	char buf[64];

	ds.n_users = 1000 - first;
	ds.users = calloc(ds.n_users, sizeof(*ds.users));
	ds.groups = calloc(ds.n_users + 10, sizeof(*ds.groups));
	for (size_t i = 0; i < ds.n_users; i++) {
		struct sb_user *u = &ds.users[i];
		struct sb_group *g = &ds.groups[ds.n_groups++];

		snprintf(buf, sizeof(buf), "t%04zu", first + i);
		u->name = sb_arena_strdup(&ds.arena, buf);
		u->home = sb_arena_strdup(&ds.arena, "/home/t");
		snprintf(buf, sizeof(buf), "gen %u", gen);
		u->gecos = sb_arena_strdup(&ds.arena, buf);
		u->shell = sb_arena_strdup(&ds.arena, "/bin/sh");
		u->scim_id = sb_arena_strdup(&ds.arena, u->name);
		u->uid = u->gid = 300000 + (uint32_t)(first + i);
		*g = (struct sb_group){.name = u->name, .gid = u->uid, .flags = SB_GROUP_UPG};
		g->members = sb_arena_calloc(&ds.arena, 1, sizeof(uint32_t));
		g->members[0] = (uint32_t)i;
		g->n_members = 1;
	}
	for (unsigned k = 0; k < 10; k++) {
		struct sb_group *g = &ds.groups[ds.n_groups++];

		snprintf(buf, sizeof(buf), "g%02u", k);
		g->name = sb_arena_strdup(&ds.arena, buf);
		g->scim_id = g->name;
		g->gid = 400000 + k;
	}
	if (sb_cache_write(path, &ds, &err) < 0) {
		fprintf(stderr, "nssprobe: %s\n", err.msg);
		exit(3);
	}
	sb_dataset_free(&ds);
}

typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);

/* The next entry's name (and GECOS, for passwd) in out, or 0 at the end. */
static int next_entry(int pw, char *out, size_t outlen)
{
	char buf[16384];
	struct passwd p;
	struct group g;
	int e = 0;
	enum nss_status st =
	    pw ? ((enum nss_status(*)(struct passwd *, char *, size_t, int *))sym(
		     "_nss_scim_getpwent_r"))(&p, buf, sizeof(buf), &e)
	       : ((enum nss_status(*)(struct group *, char *, size_t, int *))sym(
		     "_nss_scim_getgrent_r"))(&g, buf, sizeof(buf), &e);

	if (st != NSS_STATUS_SUCCESS)
		return 0;
	snprintf(out, outlen, "%s:%s", pw ? p.pw_name : g.gr_name, pw ? p.pw_gecos : "");
	return 1;
}

/* In a forked child, the rest of the enumeration the parent is in: exit 0
 * if it is the `want` entries left of the parent's file. */
static int rest_in_child(int pw, int want)
{
	char name[64];
	int n = 0, newgen = 0, status = 1;
	pid_t pid = fork();

	if (pid == 0) {
		while (next_entry(pw, name, sizeof(name))) {
			n++;
			newgen += strstr(name, "gen 2") != NULL;
		}
		_exit(n == want && !newgen ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* An enumeration started on a cache of t0000..t0999 (with their private
 * groups, plus g00..g09) that is replaced after 300 entries by one without
 * t0000..t0099: it must still list the cache it started on, every entry
 * once, none missing, none from the new file (glibc's files backend keeps
 * reading the file it opened); so must a child forked after 500 entries.
 * Prints what it saw; exit 0 when whole. */
static int enum_swap(const char *cache, int pw)
{
	static char seen[1010];
	char name[64];
	int n = 0, dup = 0, foreign = 0, newgen = 0, missing = 0, child_ok = 0;

	write_enum_gen(cache, 0, 1);
	((setent_fn)sym(pw ? "_nss_scim_setpwent" : "_nss_scim_setgrent"))(0);
	while (next_entry(pw, name, sizeof(name))) {
		unsigned i;

		if (++n == 300)
			write_enum_gen(cache, 100, 2);
		if (n == 500)
			child_ok = rest_in_child(pw, (pw ? 1000 : 1010) - 500);
		if (sscanf(name, "t%4u:", &i) == 1 && i < 1000)
			dup += seen[i]++ > 0;
		else if (sscanf(name, "g%2u:", &i) == 1 && i < 10)
			dup += seen[1000 + i]++ > 0;
		else
			foreign++;
		newgen += strstr(name, "gen 2") != NULL;
	}
	((endent_fn)sym(pw ? "_nss_scim_endpwent" : "_nss_scim_endgrent"))();
	for (int i = 0; i < (pw ? 1000 : 1010); i++)
		missing += !seen[i];
	printf("entries=%d dup=%d missing=%d foreign=%d newgen=%d child=%s\n", n, dup, missing,
	       foreign, newgen, child_ok ? "ok" : "bad");
	return dup || missing || foreign || newgen || !child_ok ? 1 : 0;
}

/* One errno_check case: calls fn with errnop = &errno, as glibc does, after
 * setting errno to EDOM; what errno must be afterwards is `want` (EDOM: the
 * call left it alone). */
#define ERRNO_CASE(label, want_st, want, call)                                                    \
	do {                                                                                       \
		enum nss_status st_;                                                               \
		int got_;                                                                          \
		errno = EDOM;                                                                      \
		st_ = (call);                                                                      \
		got_ = errno;                                                                      \
		printf("%s: status=%d errno=%d%s\n", label, st_, got_,                              \
		       st_ == (want_st) && got_ == (want) ? "" : " WRONG");                        \
		fails += st_ != (want_st) || got_ != (want);                                       \
	} while (0)

/* errno discipline, as nss-systemd's PROTECT_ERRNO keeps it: a call that
 * succeeds leaves errno as it found it (the first one maps the cache and
 * reads the config, a miss asks the daemon: none of those syscalls may
 * show); one that fails says why through *errnop, which glibc points at
 * errno. NAME/UID/GID exist (NAME's own groups: at least one), MISSING does
 * not. */
static int errno_check(const char *name, uid_t uid, gid_t gid, const char *missing)
{
	static char buf[4096], buf2[4096];
	struct passwd pw;
	struct group gr;
	long start = 0, size = 1;
	gid_t *g = malloc(sizeof(gid_t));
	int fails = 0;

	ERRNO_CASE("first getpwnam_r (maps the cache)", NSS_STATUS_SUCCESS, EDOM,
		   ((pwnam_fn)sym("_nss_scim_getpwnam_r"))(name, &pw, buf, sizeof(buf), &errno));
	ERRNO_CASE("getpwuid_r hit", NSS_STATUS_SUCCESS, EDOM,
		   ((pwuid_fn)sym("_nss_scim_getpwuid_r"))(uid, &pw, buf, sizeof(buf), &errno));
	ERRNO_CASE("getgrgid_r hit", NSS_STATUS_SUCCESS, EDOM,
		   ((grgid_fn)sym("_nss_scim_getgrgid_r"))(gid, &gr, buf, sizeof(buf), &errno));
	ERRNO_CASE("getpwnam_r miss (asks the absent daemon)", NSS_STATUS_NOTFOUND, ENOENT,
		   ((pwnam_fn)sym("_nss_scim_getpwnam_r"))(missing, &pw, buf, sizeof(buf), &errno));
	ERRNO_CASE("getgrnam_r miss", NSS_STATUS_NOTFOUND, ENOENT,
		   ((grnam_fn)sym("_nss_scim_getgrnam_r"))(missing, &gr, buf, sizeof(buf), &errno));
	ERRNO_CASE("getpwnam_r hit after a miss", NSS_STATUS_SUCCESS, EDOM,
		   ((pwnam_fn)sym("_nss_scim_getpwnam_r"))(name, &pw, buf, sizeof(buf), &errno));
	ERRNO_CASE("getpwnam_r small buffer", NSS_STATUS_TRYAGAIN, ERANGE,
		   ((pwnam_fn)sym("_nss_scim_getpwnam_r"))(name, &pw, buf, 8, &errno));
	ERRNO_CASE("getgrgid_r small buffer", NSS_STATUS_TRYAGAIN, ERANGE,
		   ((grgid_fn)sym("_nss_scim_getgrgid_r"))(gid, &gr, buf, 8, &errno));
	ERRNO_CASE("initgroups_dyn hit", NSS_STATUS_SUCCESS, EDOM,
		   ((initgr_fn)sym("_nss_scim_initgroups_dyn"))(name, (gid_t)-1, &start, &size, &g,
								-1, &errno));
	ERRNO_CASE("initgroups_dyn miss", NSS_STATUS_NOTFOUND, ENOENT,
		   ((initgr_fn)sym("_nss_scim_initgroups_dyn"))(missing, (gid_t)-1, &start, &size,
								&g, -1, &errno));
	ERRNO_CASE("setpwent", NSS_STATUS_SUCCESS, EDOM, ((setent_fn)sym("_nss_scim_setpwent"))(0));
	ERRNO_CASE("getpwent_r first entry (maps a file of its own)", NSS_STATUS_SUCCESS, EDOM,
		   ((enum nss_status(*)(struct passwd *, char *, size_t, int *))sym(
		       "_nss_scim_getpwent_r"))(&pw, buf, sizeof(buf), &errno));
	ERRNO_CASE("endpwent", NSS_STATUS_SUCCESS, EDOM, ((endent_fn)sym("_nss_scim_endpwent"))());
	ERRNO_CASE("setgrent", NSS_STATUS_SUCCESS, EDOM, ((setent_fn)sym("_nss_scim_setgrent"))(0));
	ERRNO_CASE("getgrent_r first entry", NSS_STATUS_SUCCESS, EDOM,
		   ((enum nss_status(*)(struct group *, char *, size_t, int *))sym(
		       "_nss_scim_getgrent_r"))(&gr, buf, sizeof(buf), &errno));
	ERRNO_CASE("getgrnam_r hit", NSS_STATUS_SUCCESS, EDOM,
		   ((grnam_fn)sym("_nss_scim_getgrnam_r"))(gr.gr_name, &gr, buf2, sizeof(buf2),
							   &errno));
	ERRNO_CASE("endgrent", NSS_STATUS_SUCCESS, EDOM, ((endent_fn)sym("_nss_scim_endgrent"))());
	ERRNO_CASE("getpwuid_r 0 refused", NSS_STATUS_NOTFOUND, ENOENT,
		   ((pwuid_fn)sym("_nss_scim_getpwuid_r"))(0, &pw, buf, sizeof(buf), &errno));
	ERRNO_CASE("getgrnam_r root refused", NSS_STATUS_NOTFOUND, ENOENT,
		   ((grnam_fn)sym("_nss_scim_getgrnam_r"))("root", &gr, buf, sizeof(buf), &errno));
	free(g);
	printf("errno: %d wrong\n", fails);
	return fails ? 1 : 0;
}

/* One whole passwd (arg non-NULL) or group enumeration after another: each
 * must list one generation whole (odd: 1000 users, even: 900). */
static void *enum_reader(void *arg)
{
	int pw = arg != NULL;
	char name[64];

	while (!atomic_load(&stop)) {
		int n = 0, mixed = 0;
		unsigned gen = 0, g;

		((setent_fn)sym(pw ? "_nss_scim_setpwent" : "_nss_scim_setgrent"))(0);
		while (next_entry(pw, name, sizeof(name))) {
			const char *at = strstr(name, ":gen ");

			n++;
			if (!pw || !at || sscanf(at, ":gen %u", &g) != 1)
				continue;
			mixed += gen && g != gen;
			gen = g;
		}
		((endent_fn)sym(pw ? "_nss_scim_endpwent" : "_nss_scim_endgrent"))();
		if (pw ? mixed || n != (gen % 2 ? 1000 : 900) : n != 1010 && n != 910)
			atomic_fetch_add(&bad, 1);
		atomic_fetch_add(&answers, 1);
	}
	return NULL;
}

/* A passwd and a group enumeration in two threads, over and over, while the
 * main thread replaces the cache REWRITES times (for TSan, and for torn
 * enumerations). */
static int enum_threads(const char *cache, int rewrites)
{
	pthread_t t[2];

	write_enum_gen(cache, 0, 1);
	pthread_create(&t[0], NULL, enum_reader, (void *)1);
	pthread_create(&t[1], NULL, enum_reader, NULL);
	for (int g = 2; g < rewrites + 2; g++) {
		write_enum_gen(cache, g % 2 ? 0 : 100, (unsigned)g);
		usleep(20000);
	}
	atomic_store(&stop, 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("enumerations=%d bad=%d rewrites=%d\n", atomic_load(&answers), atomic_load(&bad),
	       rewrites);
	return atomic_load(&bad) || atomic_load(&answers) < 2 ? 1 : 0;
}

static void *reader(void *arg)
{
	pwnam_fn pwnam = sym("_nss_scim_getpwnam_r");
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		struct passwd pw;
		char buf[512], name[16], want_home[32], want_gecos[32];
		int e = 0;
		unsigned i = (unsigned)rand_r(&seed) % 1000, gen;

		snprintf(name, sizeof(name), "t%04u", i);
		if (pwnam(name, &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS) {
			atomic_fetch_add(&bad, 1);
			continue;
		}
		snprintf(want_home, sizeof(want_home), "/home/t%04u", i);
		if (sscanf(pw.pw_gecos, "T %*u gen %u", &gen) != 1)
			gen = 0;
		snprintf(want_gecos, sizeof(want_gecos), "T %u gen %u", i, gen);
		if (strcmp(pw.pw_name, name) || pw.pw_uid != 300000 + i ||
		    strcmp(pw.pw_dir, want_home) || strcmp(pw.pw_gecos, want_gecos) || gen == 0)
			atomic_fetch_add(&bad, 1);
		atomic_fetch_add(&answers, 1);
	}
	return NULL;
}

static int threads(const char *cache, int n, int rewrites)
{
	pthread_t t[64];

	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, reader, (void *)(uintptr_t)(i + 1));
	for (int g = 2; g < rewrites + 2; g++) {
		write_gen(cache, (unsigned)g);
		usleep(20000);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("answers=%d bad=%d rewrites=%d\n", atomic_load(&answers), atomic_load(&bad),
	       rewrites);
	return atomic_load(&bad) ? 1 : 0;
}

static void *spin(void *arg)
{
	pwnam_fn pwnam = sym("_nss_scim_getpwnam_r");
	struct passwd pw;
	char buf[512];
	int e;

	while (!atomic_load(&stop))
		pwnam((const char *)arg, &pw, buf, sizeof(buf), &e);
	return NULL;
}

/* The module's locks and mapping across fork(), with another thread busy in
 * the module at the moment of the fork. */
static int fork_check(const char *name)
{
	pwnam_fn pwnam = sym("_nss_scim_getpwnam_r");
	struct passwd pw;
	char buf[512];
	int e, status = 1;
	pthread_t t;
	pid_t pid;

	if (pwnam(name, &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
		return 1;
	pthread_create(&t, NULL, spin, (void *)name);
	for (int i = 0; i < 50; i++) {
		pid = fork();
		if (pid == 0)
			_exit(pwnam(name, &pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS ? 0 : 1);
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			break;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("fork: %s\n", status == 0 ? "child lookups ok" : "child failed");
	return status == 0 ? 0 : 1;
}

/* Enumerations and misses in a loop: the thread holds the cursors' lock or
 * the daemon client's lock most of the time. */
static void *spin_enum(void *arg)
{
	pwnam_fn pwnam = sym("_nss_scim_getpwnam_r");
	struct passwd pw;
	char buf[512], out[256];

	while (!atomic_load(&stop)) {
		int e;

		((setent_fn)sym("_nss_scim_setpwent"))(0);
		for (int i = 0; i < 20 && next_entry(1, out, sizeof(out)); i++)
			;
		((endent_fn)sym("_nss_scim_endpwent"))();
		pwnam((const char *)arg, &pw, buf, sizeof(buf), &e);
	}
	return NULL;
}

/* A child must find every lock of the module free: the cursors' and the
 * daemon client's as well as the cache's (each file resets its own). A lock
 * inherited held hangs the child: alarm bounds it. */
static int child_enum(const char *missing)
{
	pwnam_fn pwnam = sym("_nss_scim_getpwnam_r");
	struct passwd pw;
	char buf[512], out[256];
	int e, ok;

	alarm(10);
	((setent_fn)sym("_nss_scim_setpwent"))(0);
	ok = next_entry(1, out, sizeof(out));
	((endent_fn)sym("_nss_scim_endpwent"))();
	return ok && pwnam(missing, &pw, buf, sizeof(buf), &e) == NSS_STATUS_NOTFOUND ? 0 : 1;
}

static int fork_enum_check(const char *missing)
{
	int status = 1;
	pthread_t t;
	pid_t pid;

	pthread_create(&t, NULL, spin_enum, (void *)missing);
	for (int i = 0; i < 50; i++) {
		pid = fork();
		if (pid == 0)
			_exit(child_enum(missing));
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			break;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("forkenum: %s\n", status == 0 ? "child enumerations ok" : "child failed");
	return status == 0 ? 0 : 1;
}

static void print_group(const struct group *g)
{
	printf(" %s:%s:%u:", g->gr_name, g->gr_passwd, (unsigned)g->gr_gid);
	for (char **m = g->gr_mem; *m; m++)
		printf("%s%s", m == g->gr_mem ? "" : ",", *m);
}

int main(int argc, char **argv)
{
	struct passwd pw;
	struct group gr;
	size_t len = argc > 4 ? (size_t)atol(argv[4]) : 4096;
	char *buf;
	enum nss_status st = NSS_STATUS_UNAVAIL;
	int e = 0;

	if (argc < 4) {
		fprintf(
		    stderr,
		    "usage: nssprobe SO pwnam|pwuid|grnam|grgid|initgroups|threads ARG [BUFLEN]\n");
		return 2;
	}
	so = dlopen(argv[1], RTLD_NOW);
	if (!so) {
		fprintf(stderr, "nssprobe: %s\n", dlerror());
		return 3;
	}
	if (!strcmp(argv[2], "forkenum") && argc > 3)
		return fork_enum_check(argv[3]);
	if (!strcmp(argv[2], "fork"))
		return fork_check(argv[3]);
	if (!strcmp(argv[2], "enumswap") && argc > 4)
		return enum_swap(argv[3], !strcmp(argv[4], "pw"));
	if (!strcmp(argv[2], "errno") && argc > 6)
		return errno_check(argv[3], (uid_t)atol(argv[4]), (gid_t)atol(argv[5]), argv[6]);
	if (!strcmp(argv[2], "enumthreads") && argc > 4)
		return enum_threads(argv[3], atoi(argv[4]));
	if (!strcmp(argv[2], "threads")) {
		write_gen(argv[3], 1);
		return threads(argv[3], argc > 4 ? atoi(argv[4]) : 16,
			       argc > 5 ? atoi(argv[5]) : 100);
	}
	buf = malloc(len + 1);
	/* An odd address checks gr_mem alignment inside the caller's buffer. */
	if (!strcmp(argv[2], "pwnam"))
		st = ((pwnam_fn)sym("_nss_scim_getpwnam_r"))(argv[3], &pw, buf + 1, len, &e);
	else if (!strcmp(argv[2], "pwuid"))
		st = ((pwuid_fn)sym("_nss_scim_getpwuid_r"))((uid_t)atol(argv[3]), &pw, buf + 1,
							     len, &e);
	else if (!strcmp(argv[2], "grnam"))
		st = ((grnam_fn)sym("_nss_scim_getgrnam_r"))(argv[3], &gr, buf + 1, len, &e);
	else if (!strcmp(argv[2], "grgid"))
		st = ((grgid_fn)sym("_nss_scim_getgrgid_r"))((gid_t)atol(argv[3]), &gr, buf + 1,
							     len, &e);
	else if (!strcmp(argv[2], "initgroups")) {
		long start = 0, size = 1;
		gid_t *g = malloc(sizeof(gid_t));

		st = ((initgr_fn)sym("_nss_scim_initgroups_dyn"))(argv[3], 1, &start, &size, &g, -1,
								  &e);
		printf("status=%d errno=%d groups=%ld", st, st == NSS_STATUS_SUCCESS ? 0 : e,
		       start);
		for (long i = 0; i < start; i++)
			printf(" %u", (unsigned)g[i]);
		printf("\n");
		free(g);
		return 0;
	}
	printf("status=%d errno=%d", st, st == NSS_STATUS_SUCCESS ? 0 : e);
	if (st == NSS_STATUS_SUCCESS && argv[2][0] == 'p')
		printf(" %s:%s:%u:%u:%s:%s:%s", pw.pw_name, pw.pw_passwd, (unsigned)pw.pw_uid,
		       (unsigned)pw.pw_gid, pw.pw_gecos, pw.pw_dir, pw.pw_shell);
	else if (st == NSS_STATUS_SUCCESS)
		print_group(&gr);
	printf("\n");
	free(buf);
	return 0;
}
