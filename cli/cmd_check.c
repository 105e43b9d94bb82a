/* cmd_check.c — `scimbridge check`, like Okta's "Test API Credentials":
 * each step on its own line with OK or FAIL and the precise reason, so an
 * admin can tell a DNS typo from a bad CA, a wrong secret, a missing scope
 * or a directory domain that does not match the config. Stops at the first
 * failure (later steps depend on it) and exits 1. The last step says how
 * many of the users read the mapping would skip, and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "map.h"
#include "names.h"
#include "scim_types.h"

#define DOMAINS_SHOWN 8

static void step(const char *name, int ok, const char *fmt, const char *detail)
{
	printf("%-8s %-5s ", ok ? "OK" : "FAIL", name);
	printf(fmt, detail);
	putchar('\n');
}

/* Set when the config names a bearer_token_file: a 401 is then the token's
 * fault, not a client_id or secret's. */
static bool static_bearer;

/* Names the layer that failed, from the error kind and curl's reason. */
static const char *classify(const struct sb_err *e)
{
	if (e->kind == SB_E_AUTH || e->http_status == 401)
		return e->http_status == 403 ? "forbidden (403): the client lacks the admin scope"
		       : static_bearer
			   ? "rejected (401): the token in bearer_token_file is invalid or expired"
			   : "rejected (401): wrong client_id or secret";
	if (e->http_status == 403)
		return "forbidden (403): the client lacks the admin scope";
	if (e->kind == SB_E_SECURITY)
		return "secret file refused";
	if (e->kind == SB_E_CONFIG)
		return "config";
	if (e->kind != SB_E_NETWORK)
		return sb_errkind_name(e->kind);
	if (strcasestr(e->msg, "resolve"))
		return "DNS: the tenant's host name does not resolve";
	if (strcasestr(e->msg, "SSL") || strcasestr(e->msg, "TLS") ||
	    strcasestr(e->msg, "certificate"))
		return "TLS: the tenant's certificate is not trusted (ca_file?)";
	if (strcasestr(e->msg, "timed out") || strcasestr(e->msg, "timeout"))
		return "timeout: the tenant did not answer in time";
	if (strcasestr(e->msg, "connect") || strcasestr(e->msg, "refused"))
		return "connect: nothing answers at the tenant's address";
	return "network";
}

/* The error message already carries the URL, HTTP status and the tenant's
 * or curl's words (escaped: the tenant's may hold a terminal escape or a
 * line of its own); the prefix names the layer. */
static void step_fail(const char *name, const struct sb_err *e)
{
	char msg[sizeof(e->msg) * 4];

	sb_text_escape(e->msg, msg, sizeof(msg));
	printf("FAIL     %-5s %s: %s\n", name, classify(e), msg);
}

static int check_token(struct cli *ctx, struct sb_scim_client *c)
{
	struct sb_err err = {0};
	char *token = NULL, *scope = NULL;
	long expires_in = 0;
	char line[256];

	if (sb_scim_token(c, &token, &expires_in, &scope, &err) < 0) {
		step_fail("token", &err);
		return -1;
	}
	if (expires_in < 0)
		snprintf(line, sizeof(line), "static bearer token from %s",
			 ctx->cfg.bearer_token_file);
	else
		snprintf(line, sizeof(line), "obtained from %s, expires in %ld s, scope '%s'",
			 ctx->cfg.token_path, expires_in, scope ? scope : "");
	step("token", 1, "%s", line);
	/* Workspace ONE answers Users/Groups only to an admin-scoped token;
	 * the 403 would come later and be less clear. */
	if (ctx->cfg.dialect == SB_DIALECT_WORKSPACE_ONE && scope && !strstr(scope, "admin"))
		printf("WARN     token scope '%s' lacks 'admin': expect 403 on Users\n", scope);
	free(token);
	free(scope);
	return 0;
}

static int check_page(struct sb_scim_client *c, const char *resource, long count,
		      struct sb_scim_users *users)
{
	struct sb_err err = {0};
	long total = 0;
	char line[128];

	if (sb_scim_probe(c, resource, count, users, &total, &err) < 0) {
		step_fail(resource, &err);
		return -1;
	}
	snprintf(line, sizeof(line), "one page read, totalResults %ld", total);
	step(resource, 1, "%s", line);
	return 0;
}

/* The configured domain must appear on at least one user of the first
 * page, else the directory (or the config) is not the one Okta feeds.
 * Users without any domain (SCIM 2.0) are not filtered by the mapping, so
 * a page of only such users is not a mismatch. */
static int check_domain(struct cli *ctx, const struct sb_scim_users *users)
{
	char seen[512] = "", shown_d[80];
	size_t shown = 0, len = 0, with_domain = 0;

	if (!ctx->cfg.domain) {
		step("domain", 1, "%s", "no domain configured: every user of the tenant is served");
		return 0;
	}
	for (size_t i = 0; i < users->n; i++) {
		const char *d = sb_map_user_domain(&users->v[i]);

		if (!d)
			continue;
		with_domain++;
		if (sb_map_user_in_domain(&users->v[i], ctx->cfg.domain)) {
			step("domain", 1, "'%s' seen on the users page", ctx->cfg.domain);
			return 0;
		}
		cli_escape(shown_d, sizeof(shown_d), d);
		if (shown < DOMAINS_SHOWN && !strstr(seen, shown_d) &&
		    len + strlen(shown_d) + 3 < sizeof(seen)) {
			len += (size_t)snprintf(seen + len, sizeof(seen) - len, "%s%s",
						shown ? ", " : "", shown_d);
			shown++;
		}
	}
	if (users->n && !with_domain) {
		step("domain", 1, "%s",
		     "no user on the page carries a domain (no workspace extension): not filtered");
		return 0;
	}
	printf("FAIL     domain domain mismatch: '%s' is on none of the %zu users read; domains "
	       "seen: %s\n",
	       ctx->cfg.domain, users->n, shown ? seen : "(no users)");
	return -1;
}

/* What the mapping would do with the login names of the users read (of the
 * configured domain): how many it would skip and why, with a hint when
 * e-mail userNames meet a %u format (issue 18: 15 of 15 skipped, and check
 * said "all checks passed"). 1 = fine, 0 = some skipped (WARN), -1 = all. */
static int check_names(struct cli *ctx, const struct sb_scim_users *users)
{
	size_t n = 0, invalid = 0, reserved = 0, with_at = 0, local_ok = 0;
	const char *fmt = ctx->cfg.name_format;

	for (size_t i = 0; i < users->n; i++) {
		const struct sb_scim_user *u = &users->v[i];
		const char *d = sb_map_user_domain(u);
		char *login, *local;

		if (!sb_map_user_in_domain(u, ctx->cfg.domain))
			continue; /* of another domain: not served anyway */
		n++;
		login = sb_format_login(fmt, u->user_name, d);
		local = sb_format_login("%l", u->user_name, d);
		with_at += strchr(u->user_name, '@') != NULL;
		if (!login || !sb_name_valid(login))
			invalid++;
		else if (sb_name_reserved(login, &ctx->cfg.reserved_names))
			reserved++;
		local_ok += local && sb_name_valid(local) &&
			    !sb_name_reserved(local, &ctx->cfg.reserved_names);
		free(login);
		free(local);
	}
	if (invalid + reserved == 0) {
		printf("OK       names %zu of %zu users read map to login names with name_format "
		       "%s\n",
		       n, n, fmt);
		return 1;
	}
	printf("%-8s names %zu of %zu users read would be skipped with name_format %s: %zu not a "
	       "portable POSIX name, %zu a reserved system name\n",
	       invalid + reserved == n ? "FAIL" : "WARN", invalid + reserved, n, fmt, invalid,
	       reserved);
	if (with_at && strstr(fmt, "%u") && local_ok > n - invalid - reserved)
		printf("         %zu userNames are e-mail addresses: name_format = %%l (the part "
		       "before @) would map %zu of the %zu\n",
		       with_at, local_ok, n);
	return invalid + reserved == n ? -1 : 0;
}

int cmd_check(struct cli *ctx, int argc, char **argv)
{
	struct sb_scim_client *c = NULL;
	struct sb_scim_users users = {0};
	struct sb_err err = {0};
	long count;
	int rc = CLI_FAIL, names;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: scimbridge check\n");
		return CLI_USAGE;
	}
	if (cli_load_config_err(ctx, CLI_CONF_STRICT, &err) < 0) {
		printf("FAIL     config %s\n", err.msg);
		return CLI_FAIL;
	}
	step("config", 1, "%s is valid", ctx->conf_path);
	if (ctx->cfg.role == SB_ROLE_SUBSCRIBER)
		return cli_check_relay(ctx); /* no tenant to ask: the relay */
	if (cli_client_new(ctx, false, &c, &err) < 0) {
		step_fail("token", &err);
		goto out;
	}
	static_bearer = ctx->cfg.bearer_token_file != NULL;
	count = ctx->cfg.page_size ? (long)ctx->cfg.page_size : 100;
	if (check_token(ctx, c) < 0 || check_page(c, "Users", count, &users) < 0 ||
	    check_page(c, "Groups", 1, NULL) < 0 || check_domain(ctx, &users) < 0)
		goto out;
	names = check_names(ctx, &users);
	if (names < 0)
		goto out;
	printf("%s\n", names ? "all checks passed" : "checks passed, with the warning above");
	rc = CLI_OK;
out:
	sb_scim_users_free(&users);
	if (c)
		sb_scim_client_free(c);
	return rc;
}
