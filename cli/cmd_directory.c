/* cmd_directory.c — `scimbridge create-directory --name N --domain D`: the
 * Workspace ONE directory of type Other that Okta provisions into, through
 * the tenant's connector management API. Only that dialect has it. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "log.h"
#include "scim_parse.h"

#define DIRCONFIG_PATH "/SAAS/jersey/manager/api/connectormanagement/directoryconfigs"
#define DIRCONFIG_TYPE                                                                             \
	"application/vnd.vmware.horizon.manager.connector.management.directory.other+json"

static char *build_body(const char *name, const char *domain)
{
	cJSON *o = cJSON_CreateObject(), *domains = NULL;
	char *body = NULL;

	if (!o)
		return NULL;
	domains = cJSON_AddArrayToObject(o, "domains");
	if (!cJSON_AddStringToObject(o, "type", "OTHER_DIRECTORY") || !domains ||
	    !cJSON_AddStringToObject(o, "name", name))
		goto out;
	cJSON_AddItemToArray(domains, cJSON_CreateString(domain));
	if (cJSON_GetArraySize(domains) != 1)
		goto out;
	body = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return body;
}

/* 201 carries {"directoryId": …}; anything else the tenant's own words,
 * escaped (sb_text_escape) like every tenant text shown on a terminal. */
static int report(struct cli *ctx, long status, const char *resp, size_t len)
{
	char msg[512], shown[2048];
	cJSON *o = NULL;
	const cJSON *id;
	int rc = CLI_FAIL;

	if (status != 200 && status != 201) {
		if (!resp || sb_parse_error_body(resp, len, msg, sizeof(msg)) != 0)
			snprintf(msg, sizeof(msg), "%.200s", resp ? resp : "(empty body)");
		sb_text_escape(msg, shown, sizeof(shown));
		fprintf(stderr, "%s: create-directory: tenant answered HTTP %ld: %s\n", ctx->prog,
			status, shown);
		return CLI_FAIL;
	}
	o = cJSON_ParseWithLength(resp, len);
	id = cJSON_GetObjectItemCaseSensitive(o, "directoryId");
	if (!cJSON_IsString(id) || !id->valuestring[0]) {
		snprintf(msg, sizeof(msg), "%.200s", resp ? resp : "(empty body)");
		sb_text_escape(msg, shown, sizeof(shown));
		fprintf(stderr, "%s: create-directory: HTTP %ld but no directoryId in: %s\n",
			ctx->prog, status, shown);
		goto out;
	}
	sb_text_escape(id->valuestring, shown, sizeof(shown));
	printf("%s\n", shown);
	rc = CLI_OK;
out:
	cJSON_Delete(o);
	return rc;
}

static int parse_args(int argc, char **argv, const char **name, const char **domain)
{
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"domain", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'n')
			*name = optarg;
		else if (opt == 'd')
			*domain = optarg;
		else
			return -1;
	}
	if (optind != argc || !*name || !*domain || !**name || !**domain)
		return -1;
	return 0;
}

int cmd_create_directory(struct cli *ctx, int argc, char **argv)
{
	const char *name = NULL, *domain = NULL;
	struct sb_scim_client *c = NULL;
	struct sb_err err = {0};
	char *body = NULL, *resp = NULL;
	size_t resp_len = 0;
	long status = 0;
	int rc = CLI_FAIL;

	if (parse_args(argc, argv, &name, &domain) < 0) {
		fprintf(stderr, "usage: scimbridge create-directory --name N --domain D\n");
		return CLI_USAGE;
	}
	if (cli_load_config(ctx, CLI_CONF_STRICT) < 0)
		return CLI_FAIL;
	if (ctx->cfg.dialect != SB_DIALECT_WORKSPACE_ONE) {
		fprintf(stderr,
			"%s: create-directory: only a Workspace ONE tenant (dialect = "
			"workspace-one) has directories; %s uses scim2\n",
			ctx->prog, ctx->cfg.path ? ctx->cfg.path : ctx->conf_path);
		return CLI_FAIL;
	}
	body = build_body(name, domain);
	if (!body) {
		fprintf(stderr, "%s: create-directory: out of memory\n", ctx->prog);
		goto out;
	}
	if (cli_client_new(ctx, false, &c, &err) < 0 ||
	    (sb_scim_request(c, "POST", DIRCONFIG_PATH, DIRCONFIG_TYPE, body, &status, &resp,
			     &resp_len, &err) < 0 &&
	     status == 0)) {
		cli_print_err(ctx, "create-directory", &err);
		goto out;
	}
	rc = report(ctx, status, resp, resp_len);
out:
	free(body);
	free(resp);
	if (c)
		sb_scim_client_free(c);
	return rc;
}
