/* nssbench — times lookups through glibc's real NSS dispatch (whatever
 * /etc/nsswitch.conf says), over keys drawn at random from u000001…uN.
 *   nssbench pwnam|pwuid|grouplist|miss N_USERS ITERATIONS
 * prints "<mode> <ns per lookup> ns (<found>/<iterations> found)". */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *mode;
	long n, iters, found = 0;
	char (*names)[16];
	unsigned *ids, seed = 12345;
	char buf[4096];
	struct passwd pw, *res;
	gid_t groups[64];
	double t0, t1;

	if (argc != 4)
		return fprintf(stderr, "usage: nssbench pwnam|pwuid|grouplist|miss N ITER\n"), 2;
	mode = argv[1];
	n = atol(argv[2]);
	iters = atol(argv[3]);
	names = malloc((size_t)iters * sizeof(*names));
	ids = malloc((size_t)iters * sizeof(*ids));
	for (long i = 0; i < iters; i++) {
		unsigned k = (unsigned)rand_r(&seed) % (unsigned)n + 1;

		ids[i] = 200000 + k;
		snprintf(names[i], sizeof(names[i]), strcmp(mode, "miss") ? "u%06u" : "nx%06u", k);
	}
	/* warm up: the first call loads the module and maps the cache */
	getpwnam_r("u000001", &pw, buf, sizeof(buf), &res);
	t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		if (!strcmp(mode, "pwuid")) {
			found += getpwuid_r(ids[i], &pw, buf, sizeof(buf), &res) == 0 && res;
		} else if (!strcmp(mode, "grouplist")) {
			int ng = 64;

			found += getgrouplist(names[i], (gid_t)ids[i], groups, &ng) > 1;
		} else {
			found += getpwnam_r(names[i], &pw, buf, sizeof(buf), &res) == 0 && res;
		}
	}
	t1 = now_ns();
	printf("%s %.0f ns (%ld/%ld found)\n", mode, (t1 - t0) / (double)iters, found, iters);
	return 0;
}
