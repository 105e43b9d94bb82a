/* relaypublish — relay/publish.c from the shell, for benchmarks that
 * publish synthetic caches (mkcache) without a tenant: publishes CACHE per
 * CONF's publish_dir, signing_key_file and release_ttl, and prints what it
 * did and how long it took.
 *
 * usage: relaypublish CONF CACHE */
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "publish.h"

int main(int argc, char **argv)
{
	struct sb_config cfg;
	struct sb_publish_report r;
	struct sb_err err = {0};
	struct timespec t0, t1;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: relaypublish CONF CACHE\n");
		return 2;
	}
	sb_config_defaults(&cfg);
	if (sb_config_load(argv[1], &cfg, &err) < 0) {
		fprintf(stderr, "relaypublish: %s\n", err.msg);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sb_publish(&cfg, argv[2], &r, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc < 0)
		fprintf(stderr, "relaypublish: %s\n", err.msg);
	else
		printf("generation %llu action %d cache %llu snapshot %llu deltas %zu delta_bytes "
		       "%llu pruned %zu seconds %.2f\n",
		       (unsigned long long)r.generation, (int)r.action,
		       (unsigned long long)r.cache_size, (unsigned long long)r.snapshot_size,
		       r.ndeltas, (unsigned long long)r.delta_bytes, r.pruned,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	sb_config_free(&cfg);
	return rc < 0 ? 1 : 0;
}
