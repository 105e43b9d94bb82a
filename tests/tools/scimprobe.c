/* scimprobe.c — drives the SCIM client alone, for tests/integration/scim_client.sh:
 * `scimprobe -c CONF users|groups|token|get ID` lists (or fetches) through
 * tenant/scim_client.c and prints what it got, the client's statistics and
 * the elapsed time, or the error message (exit 1). The token itself is never
 * printed, only its length, so a test log cannot leak it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "scim_client.h"
#include "scim_types.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int print_users(const struct sb_scim_users *u)
{
	size_t active = 0;

	for (size_t i = 0; i < u->n; i++) {
		printf("user %s %s\n", u->v[i].id, u->v[i].user_name);
		active += sb_scim_user_login_allowed(&u->v[i]);
	}
	printf("users %zu allowed %zu\n", u->n, active);
	return 0;
}

static int print_groups(const struct sb_scim_groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		printf("group %s %s members %zu\n", g->v[i].id,
		       g->v[i].display_name ? g->v[i].display_name : "-", g->v[i].n_members);
	printf("groups %zu\n", g->n);
	return 0;
}

static int run(struct sb_scim_client *c, int argc, char **argv, struct sb_err *err)
{
	const char *what = argv[0];
	int rc = -1;

	if (strcmp(what, "users") == 0) {
		struct sb_scim_users u = {0};

		if ((rc = sb_scim_list_users(c, argc > 1 ? argv[1] : NULL, &u, err)) == 0)
			print_users(&u);
		sb_scim_users_free(&u);
	} else if (strcmp(what, "groups") == 0) {
		struct sb_scim_groups g = {0};

		if ((rc = sb_scim_list_groups(c, argc > 1 ? argv[1] : NULL, &g, err)) == 0)
			print_groups(&g);
		sb_scim_groups_free(&g);
	} else if (strcmp(what, "token") == 0) {
		char *tok = NULL, *scope = NULL;
		long exp = 0;

		if ((rc = sb_scim_token(c, &tok, &exp, &scope, err)) == 0)
			printf("token length %zu expires_in %ld scope %s\n", strlen(tok), exp,
			       scope ? scope : "-");
		free(tok);
		free(scope);
	} else if (strcmp(what, "get") == 0 && argc > 1) {
		struct sb_scim_user u = {0};

		if ((rc = sb_scim_get_user(c, argv[1], &u, err)) == 0)
			printf("user %s %s active %d\n", u.id, u.user_name, (int)u.active);
		sb_scim_user_free(&u);
	} else {
		sb_err_set(err, SB_E_CONFIG, "unknown command '%s'", what);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct sb_config cfg;
	struct sb_client_opts opts = {.secret_owner = (long)getuid()};
	struct sb_scim_client *c = NULL;
	struct sb_client_stats st;
	struct sb_err err = {0};
	double t0 = now_s();
	int rc = -1;

	sb_config_defaults(&cfg);
	if (argc < 4 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr,
			"usage: scimprobe -c CONF users [FILTER]|groups [FILTER]|token|get ID\n");
		return 2;
	}
	sb_log_init("scimprobe", SB_LOG_STDERR, LOG_USER);
	if (sb_config_load(argv[2], &cfg, &err) < 0 || sb_config_validate(&cfg, &err) < 0 ||
	    sb_scim_client_new(&cfg, &opts, &c, &err) < 0)
		goto out;
	rc = run(c, argc - 3, argv + 3, &err);
	sb_scim_client_stats(c, &st);
	printf("stats requests %ld token_requests %ld retries %ld connects %ld bytes %ld\n",
	       st.requests, st.token_requests, st.retries, st.connects, st.bytes);
out:
	printf("elapsed %.3f\n", now_s() - t0);
	if (rc < 0)
		printf("error %s (HTTP %ld): %s\n", sb_errkind_name(err.kind), err.http_status,
		       err.msg);
	sb_scim_client_free(c);
	sb_config_free(&cfg);
	return rc < 0 ? 1 : 0;
}
