/* cmd_token.c — `scimbridge token [-o FILE]`: mints an API token with the
 * client credentials, for the Okta side's "API Token" field. The token goes
 * to stdout, or with -o to a file that is 0600 from the moment it exists
 * (then only the expiry is printed, so it stays out of terminal logs). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

static void print_expiry(long expires_in, const char *scope)
{
	char buf[64];

	if (expires_in < 0)
		printf("expires: unknown (static bearer_token_file)\n");
	else
		printf("expires: in %ld s, at %s\n", expires_in,
		       cli_fmt_time((long long)time(NULL) + expires_in, buf, sizeof(buf)));
	if (scope)
		printf("scope: %s\n", scope);
}

int cmd_token(struct cli *ctx, int argc, char **argv)
{
	struct sb_scim_client *c = NULL;
	struct sb_err err = {0};
	char *token = NULL, *scope = NULL;
	const char *out_file = NULL;
	long expires_in = 0;
	int opt, rc = CLI_FAIL;

	while ((opt = getopt(argc, argv, "o:")) != -1) {
		if (opt != 'o') {
			fprintf(stderr, "usage: scimbridge token [-o FILE]\n");
			return CLI_USAGE;
		}
		out_file = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: scimbridge token [-o FILE]\n");
		return CLI_USAGE;
	}
	if (cli_load_config(ctx, CLI_CONF_STRICT) < 0)
		return CLI_FAIL;
	if (cli_client_new(ctx, false, &c, &err) < 0 ||
	    sb_scim_token(c, &token, &expires_in, &scope, &err) < 0) {
		cli_print_err(ctx, "token", &err);
		goto out;
	}
	if (out_file) {
		if (cli_write_private_file(out_file, token, &err) < 0) {
			cli_print_err(ctx, "token", &err);
			goto out;
		}
		printf("token written to %s (mode 0600)\n", out_file);
	} else {
		printf("%s\n", token);
	}
	print_expiry(expires_in, scope);
	rc = CLI_OK;
out:
	if (token)
		explicit_bzero(token, strlen(token));
	free(token);
	free(scope);
	if (c)
		sb_scim_client_free(c);
	return rc;
}
