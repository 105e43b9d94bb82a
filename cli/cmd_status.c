/* cmd_status.c — `scimbridge status`: the state of this host's view of the
 * tenant from the public files alone (cache header and status file), so it
 * works without a daemon; if the daemon answers, its own lines follow.
 * Exit 0 when a valid cache is being served, 1 otherwise. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cache_reader.h"
#include "cli.h"
#include "proto.h"
#include "sync.h"

#define DAEMON_TIMEOUT_MS 2000

static void print_age(const char *label, long long t)
{
	char buf[64];
	long long age = (long long)time(NULL) - t;

	if (t <= 0)
		printf("%-14s never\n", label);
	else
		printf("%-14s %s (%lld s ago)\n", label, cli_fmt_time(t, buf, sizeof(buf)), age);
}

static int print_cache(struct cli *ctx)
{
	struct sb_cache *cache = NULL;
	struct sb_cache_info info;
	struct sb_err err = {0};

	printf("%-14s %s\n", "cache:", ctx->cfg.cache_path);
	if (sb_cache_open(ctx->cfg.cache_path, &cache, &err) < 0) {
		printf("%-14s unusable: %s: %s\n", "", sb_errkind_name(err.kind), err.msg);
		return -1;
	}
	sb_cache_get_info(cache, &info);
	printf("%-14s %u users, %u groups, %u id assignments, %llu bytes\n", "", info.n_users,
	       info.n_groups, info.n_idmap, (unsigned long long)info.file_size);
	printf("%-14s %llu (format version %u)\n",
	       "generation:", (unsigned long long)info.generation, info.version);
	print_age("written:", info.write_time);
	print_age("tenant read:", info.sync_time);
	sb_cache_close(cache);
	return 0;
}

static void print_sync_status(struct cli *ctx)
{
	struct sb_sync_status st;
	struct sb_err err = {0};

	if (sb_status_read(&ctx->cfg, &st, &err) < 0) {
		printf("%-14s %s\n", "last sync:", err.msg);
		return;
	}
	print_age("last attempt:", st.last_attempt);
	print_age("last success:", st.last_success);
	printf("%-14s %s: %s\n", "last result:", st.ok ? "ok" : "FAILED", st.message);
	if (st.last_failure > 0) {
		print_age("last failure:", st.last_failure);
		printf("%-14s %s\n", "", st.failure);
	}
	if (st.reads[0]) {
		char reads[sizeof(st.reads)];

		cli_escape(reads, sizeof(reads), st.reads); /* the tenant's words are in it */
		printf("%-14s %s\n", "daemon reads:", reads);
	}
}

/* The daemon's tenant=… lines, said plainly. */
static void print_tenant(const char *line)
{
	if (!strcmp(line, "tenant=online"))
		printf("%-14s online (live checks ask it)\n", "tenant:");
	else if (!strcmp(line, "tenant=offline"))
		printf("%-14s OFFLINE: PAM decides from the cache until a probe reaches it\n",
		       "tenant:");
}

static void print_daemon(struct cli *ctx)
{
	char msg[SB_PROTO_MAX_MSG + 1] = "";
	struct sb_err err = {0};
	const struct sb_proto_req req = {.socket_path = ctx->cfg.socket_path,
					 .type = SB_REQ_STATUS,
					 .timeout_ms = DAEMON_TIMEOUT_MS};
	struct sb_proto_reply reply = {.msg = msg, .msg_size = sizeof(msg) - 1};
	uint16_t status;
	char *line, *save = NULL;

	if (sb_proto_call(&req, &reply, &err) < 0) {
		if (sb_proto_no_daemon(&err))
			printf("%-14s not running (%s)\n", "daemon:", err.msg);
		else
			printf("%-14s not answering on %s (%s)\n", "daemon:", ctx->cfg.socket_path,
			       err.msg);
		return;
	}
	status = reply.status;
	if (status != SB_RESP_OK) {
		printf("%-14s answered status %u\n", "daemon:", status);
		return;
	}
	printf("%-14s running (%s)\n", "daemon:", ctx->cfg.socket_path);
	for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		print_tenant(line);
		printf("  %s\n", line);
	}
}

int cmd_status(struct cli *ctx, int argc, char **argv)
{
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: scimbridge status\n");
		return CLI_USAGE;
	}
	if (cli_load_config(ctx, CLI_CONF_PUBLIC) < 0)
		return CLI_FAIL;
	rc = print_cache(ctx) < 0 ? CLI_FAIL : CLI_OK;
	if (ctx->cfg.role == SB_ROLE_SUBSCRIBER) {
		/* A subscriber never syncs: the relay is its tenant. */
		cli_print_relay(&ctx->cfg, 14);
		print_daemon(ctx); /* its relay checks (role=subscriber lines) */
		return rc;
	}
	print_sync_status(ctx);
	print_daemon(ctx);
	return rc;
}
