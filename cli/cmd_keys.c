/* cmd_keys.c — `scimbridge keys USER`, sshd's AuthorizedKeysCommand: the
 * user's SSH public keys from the cache, one per line. Runs as an
 * unprivileged user (AuthorizedKeysCommandUser nobody): it reads only the
 * public cache, never the secret, and falls back to the default cache path
 * when the config is unreadable. An inactive or unknown user gets nothing
 * and exit 0 (no keys), so sshd simply refuses the key. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cache_reader.h"
#include "cli.h"
#include "daemon_ask.h"
#include "dataset.h"
#include "proto.h"

#define DAEMON_TIMEOUT_MS 2000

/* A key line from the tenant goes verbatim into sshd's authorized_keys
 * parser, which reads a first word that is not a key type as options: so
 * the line must be one line whose first word is exactly a key type we know
 * ("ssh-x,command=..." is options to sshd, not a type), then one space and
 * a base64 blob, then at most a comment. No control character could add a
 * second line. */
static const char *const key_types[] = {
    "ssh-ed25519",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-ed25519-cert-v01@openssh.com",
    "ssh-rsa-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
};

static bool known_type(const char *k, size_t len)
{
	for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (strlen(key_types[i]) == len && !strncmp(k, key_types[i], len))
			return true;
	return false;
}

static bool b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Length of the base64 blob at b (with up to two '=' of padding), or 0. */
static size_t b64_len(const char *b)
{
	size_t n = 0, pad = 0;

	while (b64_char(b[n]))
		n++;
	while (b[n + pad] == '=' && pad < 2)
		pad++;
	return n ? n + pad : 0;
}

static int key_is_safe(const char *k)
{
	size_t type_len = strcspn(k, " "), blob;

	for (const char *p = k; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	if (!known_type(k, type_len) || k[type_len] != ' ')
		return 0;
	blob = b64_len(k + type_len + 1);
	return blob && (k[type_len + 1 + blob] == '\0' || k[type_len + 1 + blob] == ' ');
}

/* Asks the daemon about name (type: what to ask, want: the answer that
 * means it rewrote the cache); true if *cache is a fresh mapping to look in
 * again. */
static bool ask_daemon(struct cli *ctx, const char *name, uint16_t type, uint16_t want,
		       struct sb_cache **cache)
{
	const struct sb_daemon_ask a = {.socket_path = ctx->cfg.socket_path,
					.type = type,
					.key = name,
					.timeout_ms = DAEMON_TIMEOUT_MS,
					.want = want};

	return sb_daemon_ask_remap(&ctx->cfg, &a, cache) == SB_REMAP_AGAIN;
}

int cmd_keys(struct cli *ctx, int argc, char **argv)
{
	struct sb_cache *cache = NULL;
	struct sb_user_view u;
	struct sb_err err = {0};
	int found;

	if (argc != 2) {
		fprintf(stderr, "usage: scimbridge keys USER\n");
		return CLI_USAGE;
	}
	if (cli_load_config(ctx, CLI_CONF_QUIET) < 0)
		return CLI_FAIL;
	if (sb_cache_open_cfg(&ctx->cfg, &cache, &err) < 0) {
		cli_print_err(ctx, "keys", &err);
		return CLI_FAIL;
	}
	found = sb_cache_user_by_name(cache, argv[1], &u);
	/* The cache may predate the user: the daemon writes the user into the
	 * cache before answering FOUND. */
	if (!found && ask_daemon(ctx, argv[1], SB_REQ_USER_BY_NAME, SB_RESP_FOUND, &cache))
		found = sb_cache_user_by_name(cache, argv[1], &u);
	/* The cache says inactive, but Okta may have reactivated the user since:
	 * a live check through the daemon rewrites the cache when the state
	 * changed. Without it a reactivated user would have no keys, so sshd
	 * would refuse them before PAM's own live check could let them in. */
	if (found && !(u.flags & SB_USER_ACTIVE) &&
	    ask_daemon(ctx, argv[1], SB_REQ_ACCOUNT, SB_RESP_ACCT_OK, &cache))
		found = sb_cache_user_by_name(cache, argv[1], &u);
	if (found && (u.flags & SB_USER_ACTIVE)) {
		for (uint32_t i = 0; i < u.n_keys; i++) {
			const char *k = sb_cache_user_key(cache, &u, i);

			if (k && key_is_safe(k))
				printf("%s\n", k);
			else if (k)
				fprintf(stderr,
					"%s: keys: key %u of %s is not a plain key line, "
					"ignored\n",
					ctx->prog, i, u.name);
		}
	}
	sb_cache_close(cache);
	return CLI_OK;
}
