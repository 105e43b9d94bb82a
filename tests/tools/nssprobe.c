/* nssprobe — calls libnss_scim.so.2's entry points directly (dlopen), so a
 * test sees the exact nss_status and errno that glibc would:
 *   nssprobe SO pwnam NAME [BUFLEN]   nssprobe SO pwuid UID [BUFLEN]
 *   nssprobe SO grnam NAME [BUFLEN]   nssprobe SO grgid GID [BUFLEN]
 *   nssprobe SO initgroups NAME
 *   nssprobe SO threads CACHE N_THREADS REWRITES
 *   nssprobe SO fork NAME     (look up, fork while another thread looks up,
 *                              look up again in the child; exit 0 if both hit)
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
	if (!strcmp(argv[2], "fork"))
		return fork_check(argv[3]);
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
