/* cmd_check_user.c — `scimbridge check-user NAME` ("why was I refused?",
 * like `sssctl user-checks`): what NSS answers for the name (passwd line
 * and groups, through whatever nsswitch.conf says), what the cache holds,
 * and what pam_scim's account step would decide and why — from the cache,
 * and live (the daemon asks the tenant; root only). On a subscriber the
 * relay's last check is shown and "live" is the daemon's check of the relay
 * (relay_loop.c), never the tenant. The decisions come from
 * pam_scim's own code (pam_module/pam_decide.c, linked in), so they cannot
 * drift from the module's.
 * Exit: 0 allowed, 1 refused (expired or not allowed), 2 not a directory
 * user (or usage), 3 cannot decide. The live answer counts when there is one. */
#include <grp.h>
#include <pwd.h>
#include <security/pam_modules.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache_reader.h"
#include "cli.h"
#include "../pam_module/pam_decide.h"

#define MAX_GROUPS 256

static const char *code_name(int code)
{
	switch (code) {
	case PAM_SUCCESS:
		return "allowed (PAM_SUCCESS)";
	case PAM_ACCT_EXPIRED:
		return "refused (PAM_ACCT_EXPIRED)";
	case PAM_PERM_DENIED:
		return "refused (PAM_PERM_DENIED)";
	case PAM_USER_UNKNOWN:
		return "not a directory user (PAM_USER_UNKNOWN: the next module decides)";
	default:
		return "cannot decide (PAM_AUTHINFO_UNAVAIL)";
	}
}

static int exit_code(int code)
{
	switch (code) {
	case PAM_SUCCESS:
		return 0;
	case PAM_ACCT_EXPIRED:
	case PAM_PERM_DENIED:
		return 1;
	case PAM_USER_UNKNOWN:
		return 2;
	default:
		return 3;
	}
}

static void print_nss(const char *name)
{
	struct passwd *pw = getpwnam(name);
	gid_t gids[MAX_GROUPS];
	int n = MAX_GROUPS;
	char shown[256];

	if (!pw) {
		printf("%-13s no such user\n", "nss passwd:");
		return;
	}
	printf("%-13s %s:%s:%u:%u:%s:%s:%s\n", "nss passwd:", pw->pw_name, pw->pw_passwd,
	       (unsigned)pw->pw_uid, (unsigned)pw->pw_gid,
	       cli_escape(shown, sizeof(shown), pw->pw_gecos), pw->pw_dir, pw->pw_shell);
	printf("%-13s", "nss groups:");
	if (getgrouplist(name, pw->pw_gid, gids, &n) < 0)
		n = MAX_GROUPS;
	for (int i = 0; i < n; i++) {
		struct group *g = getgrgid(gids[i]);

		printf(" %s(%u)", g ? g->gr_name : "?", (unsigned)gids[i]);
	}
	printf("\n");
}

static void print_cache(const struct sb_config *cfg, const char *name)
{
	struct sb_cache *c = NULL;
	struct sb_user_view u;
	struct sb_err err = {0};

	if (sb_cache_open(cfg->cache_path, &c, &err) < 0) {
		printf("%-13s unusable: %s\n", "cache:", err.msg);
		return;
	}
	if (!sb_cache_user_by_name(c, name, &u))
		printf("%-13s no such user in %s\n", "cache:", cfg->cache_path);
	else
		printf("%-13s uid %u, %s, SCIM id %s, %u supplementary groups\n", "cache:", u.uid,
		       (u.flags & SB_USER_ACTIVE) ? "active" : "NOT active", u.scim_id, u.n_gids);
	sb_cache_close(c);
}

static void print_allowed(const struct sb_config *cfg)
{
	printf("%-13s", "allowed_groups:");
	if (!cfg->allowed_groups.n)
		printf(" (none: every active directory user)");
	for (size_t i = 0; i < cfg->allowed_groups.n; i++)
		printf(" %s", cfg->allowed_groups.v[i]);
	printf("\n");
}

/* pam_scim's decision with live_check as given. */
static int decide(struct sb_config *cfg, const char *name, bool live, const char *label)
{
	struct pam_decision d;
	bool saved = cfg->live_check;

	cfg->live_check = live;
	pam_scim_decide(cfg, name, false, &d);
	cfg->live_check = saved;
	printf("%-13s %s: %s\n", label, code_name(d.pam_code), d.reason);
	return d.pam_code;
}

int cmd_check_user(struct cli *ctx, int argc, char **argv)
{
	const char *name, *live;
	bool relay;
	int code;

	if (argc != 2) {
		fprintf(stderr, "usage: scimbridge check-user NAME\n");
		return CLI_USAGE;
	}
	name = argv[1];
	if (cli_load_config(ctx, CLI_CONF_PUBLIC) < 0)
		return CLI_FAIL;
	relay = ctx->cfg.role == SB_ROLE_SUBSCRIBER;
	live = relay ? "pam (relay):" : "pam (live):";
	printf("%-13s %s\n", "user:", name);
	print_nss(name);
	print_cache(&ctx->cfg, name);
	print_allowed(&ctx->cfg);
	if (relay) /* the subscriber's directory is the relay, not the tenant */
		cli_print_relay(&ctx->cfg, 13);
	code = decide(&ctx->cfg, name, false, "pam (cache):");
	if (!ctx->cfg.live_check)
		printf("%-13s not asked: live_check = no\n", live);
	else if (geteuid() != 0)
		printf("%-13s not asked: live checks are for root\n", live);
	else
		code = decide(&ctx->cfg, name, true, live);
	return exit_code(code);
}
