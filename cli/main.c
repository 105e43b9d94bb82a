/* main.c — `scimbridge [-c FILE] [-v] COMMAND …`: global options, then one
 * command per cmd_*.c. Exit codes: 0 ok, 1 failure, 2 not found or usage. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

struct command {
	const char *name;
	int (*run)(struct cli *ctx, int argc, char **argv);
	const char *args, *help;
};

static const struct command commands[] = {
    {"check", cmd_check, "", "test the tenant credentials (a subscriber: the relay), step by step"},
    {"sync", cmd_sync, "", "a full sync now (by the daemon when it runs)"},
    {"status", cmd_status, "",
     "cache age and counts, last sync (or relay check) result, daemon state"},
    {"lookup", cmd_lookup, "NAME|UID", "what the cache says about a user or group"},
    {"token", cmd_token, "[-o FILE]", "mint an API token with the client credentials"},
    {"create-directory", cmd_create_directory, "--name N --domain D",
     "create the tenant's directory of type Other (workspace-one)"},
    {"keys", cmd_keys, "USER", "a user's SSH public keys (AuthorizedKeysCommand)"},
    {"keygen", cmd_keygen, "-o FILE", "new relay signing key (0600); prints the public key"},
    {"check-user", cmd_check_user, "NAME", "what NSS and PAM say about a user, and why"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: scimbridge [-c FILE] [-v] COMMAND [ARGS]\n"
		   "       scimbridge COMMAND --help\n"
		   "  -c FILE     config file (default " SB_DEFAULT_CONF ")\n"
		   "  -v          more log output (twice for debug)\n"
		   "  -h, --help  this help\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-17s %-21s %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fprintf(f, "exit status: 0 ok, 1 failure, 2 not found or usage error.\n"
		   "See scimbridge(1) and scimbridge.conf(5).\n");
}

/* `scimbridge COMMAND --help`: the command's own line, before its parser
 * (which would call --help an invalid option) sees it. */
static int command_help(const struct command *cmd, int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "--help") && strcmp(argv[1], "-h")))
		return 0;
	printf("usage: scimbridge [-c FILE] [-v] %s%s%s\n  %s\n", cmd->name, *cmd->args ? " " : "",
	       cmd->args, cmd->help);
	return 1;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli ctx = {.prog = "scimbridge", .conf_path = SB_DEFAULT_CONF};
	const struct command *cmd;
	static const struct option long_opts[] = {{"help", no_argument, NULL, 'h'},
						  {NULL, 0, NULL, 0}};
	int opt, rc;

	/* '+': stop at the command name so its own options stay its own. */
	while ((opt = getopt_long(argc, argv, "+c:vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			ctx.conf_path = optarg;
			break;
		case 'v':
			ctx.verbose++;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "scimbridge: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return CLI_USAGE;
	}
	/* The commands report what matters (sync lists skipped entries, capped);
	 * the log's own lines — one per skip, uncapped — only with -v. */
	sb_log_init("scimbridge", SB_LOG_STDERR, LOG_USER);
	sb_log_set_level(ctx.verbose >= 2 ? LOG_DEBUG : ctx.verbose ? LOG_INFO : LOG_ERR);
	argc -= optind;
	argv += optind;
	if (command_help(cmd, argc, argv))
		return CLI_OK;
	optind = 1; /* reset for the command's own getopt */
	rc = cmd->run(&ctx, argc, argv);
	if (ctx.cfg_ready)
		sb_config_free(&ctx.cfg);
	return rc;
}
