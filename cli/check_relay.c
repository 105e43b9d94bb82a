/* check_relay.c — what `check`, `status` and `check-user` say on a
 * subscriber (role = subscriber, issue 16), whose directory is the relay:
 * it holds no tenant url or secret, so nothing here reaches the tenant.
 *
 * `check` reads the relay once through relay/subscribe.c's own steps
 * (sb_relay_probe: the same GETs, the same signature and release checks,
 * the snapshot decoded against the signature) and prints one OK/WARN/FAIL
 * line per step, as cmd_check.c does for the tenant; it installs nothing and
 * writes no state, so it can run beside the daemon. A value that parsed but
 * does not work (a key that is not the publisher's, a URL where no relay
 * answers) is named with the config file, line and key.
 *
 * cli_print_relay is the subscriber's state file (<cache_path>.relay: what
 * the daemon or `scimbridge sync` last verified), for status and
 * check-user. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "log.h"
#include "subscribe.h"

static void line(const char *verdict, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void line(const char *verdict, const char *step, const char *fmt, ...)
{
	va_list ap;

	printf("%-8s %-5s ", verdict, step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* "FILE:LINE" of a key, or "FILE" when the line is not known. */
static const char *where(const struct sb_config *cfg, const char *key, char *buf, size_t size)
{
	unsigned n = sb_config_key_line(cfg, key);

	if (n)
		snprintf(buf, size, "%s:%u", cfg->path, n);
	else
		snprintf(buf, size, "%s", cfg->path ? cfg->path : "config");
	return buf;
}

static long long ago(long long t)
{
	return (long long)time(NULL) - t;
}

/* A subscriber holds no tenant credential: one left in its config is a
 * secret on a host that must not have it. */
static bool check_role(const struct sb_config *cfg)
{
	static const char *const tenant_keys[] = {"url", "client_id", "client_secret_file",
						  "bearer_token_file"};
	const char *const vals[] = {cfg->url, cfg->client_id, cfg->client_secret_file,
				    cfg->bearer_token_file};
	char at[300];
	bool clean = true;

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		if (vals[i]) {
			line("WARN", "role",
			     "subscriber: key '%s' (%s) is never used: a subscriber reads the "
			     "relay and holds no tenant credential (remove it)",
			     tenant_keys[i], where(cfg, tenant_keys[i], at, sizeof(at)));
			clean = false;
		}
	if (clean)
		line("OK", "role", "subscriber: reads %s, never the tenant (no url or secret here)",
		     cfg->relay_url);
	return clean;
}

/* The failure at p->step, with what to look at. */
static void print_failure(const struct sb_config *cfg, const struct sb_relay_probe *p,
			  const char *msg)
{
	char at[300];

	switch (p->step) {
	case SB_RSTEP_KEY:
		line("FAIL", "key", "%s: key 'relay_public_key': %s",
		     where(cfg, "relay_public_key", at, sizeof(at)), msg);
		break;
	case SB_RSTEP_RELEASE:
		line("FAIL", "relay", "%s (key 'relay_url', %s)", msg,
		     where(cfg, "relay_url", at, sizeof(at)));
		break;
	case SB_RSTEP_SIGNATURE:
		line("FAIL", "signature", "%s%s%s", msg,
		     strstr(msg, "expected key") ? ": key 'relay_public_key' at " : "",
		     strstr(msg, "expected key") ? where(cfg, "relay_public_key", at, sizeof(at))
						 : "");
		if (strstr(msg, "expected key"))
			printf(
			    "         the publisher's key is the one `scimbridge keygen` printed "
			    "there (its signing_key_file)\n");
		break;
	case SB_RSTEP_DOCUMENT:
		line("FAIL", "release", "%s", msg);
		break;
	case SB_RSTEP_VERDICT:
		if (p->verdict == SB_RELEASE_EXPIRED)
			line("FAIL", "valid",
			     "%s; is the publisher's daemon running? (it re-signs within "
			     "release_ttl); until then subscribers decide from their cache "
			     "within offline_grace (%u s)",
			     msg, cfg->offline_grace);
		else if (p->verdict == SB_RELEASE_ROLLBACK)
			line("FAIL", "release",
			     "%s: the relay serves an older release than this host installed "
			     "(a stale mirror or a replay)",
			     msg);
		else if (p->verdict == SB_RELEASE_OTHER_DIR)
			line("FAIL", "release", "%s: key 'relay_url' at %s serves another fleet",
			     msg, where(cfg, "relay_url", at, sizeof(at)));
		else
			line("FAIL", "release", "%s", msg);
		break;
	default:
		line("FAIL", "snapshot", "%s", msg);
	}
}

/* One OK line for each step before p->step. */
static void print_passed(const struct sb_config *cfg, const struct sb_relay_probe *p)
{
	const struct sb_release *r = &p->rel;
	char at[300], t[64];

	if (p->step > SB_RSTEP_KEY)
		line("OK", "key", "relay_public_key (%s): key id %s, directory %s",
		     where(cfg, "relay_public_key", at, sizeof(at)), p->key_id, p->directory);
	if (p->step > SB_RSTEP_RELEASE)
		line("OK", "relay", "%s%srelease answered, %zu bytes", cfg->relay_url,
		     cfg->relay_url[strlen(cfg->relay_url) - 1] == '/' ? "" : "/",
		     p->release_bytes);
	if (p->step > SB_RSTEP_SIGNATURE)
		line("OK", "signature", "release.minisig (%zu bytes) verifies with key %s",
		     p->sig_bytes, p->key_id);
	if (p->step > SB_RSTEP_VERDICT ||
	    (p->step == SB_RSTEP_VERDICT && p->verdict == SB_RELEASE_EXPIRED))
		line("OK", "release", "directory %s, generation %llu, made %s (%lld s ago)",
		     r->directory, (unsigned long long)r->generation,
		     cli_fmt_time(r->created, t, sizeof(t)), ago(r->created));
	if (p->step > SB_RSTEP_VERDICT)
		line("OK", "valid", "until %s (in %lld s)",
		     cli_fmt_time(r->valid_until, t, sizeof(t)), -ago(r->valid_until));
	if (p->step > SB_RSTEP_SNAPSHOT)
		line("OK", "snapshot", "%llu bytes, decodes to the signed cache (%llu bytes)",
		     (unsigned long long)r->snapshot.size, (unsigned long long)p->cache_size);
}

/* What this host has installed, against what the relay serves. 1 = the
 * same, 0 = behind (WARN). */
static int check_installed(const struct sb_config *cfg, const struct sb_relay_probe *p)
{
	unsigned long long g = p->rel.generation;

	if (p->verdict == SB_RELEASE_SAME) {
		line("OK", "cache", "generation %llu installed (%s), as the relay serves", g,
		     cfg->cache_path);
		return 1;
	}
	if (!p->installed)
		line("WARN", "cache",
		     "nothing installed yet: the daemon installs generation %llu at its first "
		     "poll (or `scimbridge sync`)",
		     g);
	else
		line("WARN", "cache",
		     "generation %llu installed, the relay serves %llu: installed at the next "
		     "poll (relay_poll_interval %u s) or by `scimbridge sync`",
		     (unsigned long long)p->installed, g, cfg->relay_poll_interval);
	return 0;
}

/* The last check the daemon (or `scimbridge sync`) made. */
static int check_last(const struct sb_config *cfg)
{
	struct sb_relay_state st;
	char t[64], result[sizeof(st.result) * 4];

	if (sb_relay_state_read(cfg, &st, NULL) < 0 || st.checked <= 0) {
		line("WARN", "last",
		     "no check of the relay recorded yet (is scimbridged running?)");
		return 0;
	}
	sb_text_escape(st.result, result, sizeof(result));
	line(st.ok ? "OK" : "WARN", "last", "check %s (%lld s ago): %s",
	     cli_fmt_time(st.checked, t, sizeof(t)), ago(st.checked), result);
	return st.ok;
}

int cli_check_relay(struct cli *ctx)
{
	const struct sb_config *cfg = &ctx->cfg;
	struct sb_relay_probe *p = calloc(1, sizeof(*p)); /* a release is 3 KB */
	struct sb_err err = {0};
	char msg[sizeof(err.msg) * 4];
	int clean, rc = CLI_FAIL;

	if (!p) {
		line("FAIL", "relay", "out of memory");
		return CLI_FAIL;
	}
	clean = check_role(cfg);
	if (sb_relay_probe(cfg, p, &err) < 0) {
		print_passed(cfg, p);
		sb_text_escape(err.msg, msg, sizeof(msg));
		print_failure(cfg, p, msg);
		goto out;
	}
	print_passed(cfg, p);
	clean &= check_installed(cfg, p);
	clean &= check_last(cfg);
	printf("%s\n", clean ? "all checks passed" : "checks passed, with the warnings above");
	rc = CLI_OK;
out:
	free(p);
	return rc;
}

static void print_at(const char *label, int width, long long t)
{
	char buf[64];

	if (t <= 0)
		printf("%-*s never\n", width, label);
	else
		printf("%-*s %s (%lld s ago)\n", width, label, cli_fmt_time(t, buf, sizeof(buf)),
		       ago(t));
}

int cli_print_relay(const struct sb_config *cfg, int width)
{
	struct sb_relay_state st;
	struct sb_err err = {0};
	char buf[64], result[sizeof(st.result) * 4];

	printf("%-*s %s\n", width, "relay:", cfg->relay_url ? cfg->relay_url : "?");
	if (sb_relay_state_read(cfg, &st, &err) < 0) {
		printf("%-*s never checked (%s)\n", width, "last check:", err.msg);
		return -1;
	}
	printf("%-*s %llu\n", width, "release gen:", (unsigned long long)st.generation);
	print_at("release made:", width, st.created);
	if (st.valid_until > 0 && (long long)time(NULL) >= st.valid_until)
		printf("%-*s EXPIRED %lld s ago (%s): the relay counts as unreachable\n", width,
		       "valid until:", ago(st.valid_until),
		       cli_fmt_time(st.valid_until, buf, sizeof(buf)));
	else if (st.valid_until > 0)
		printf("%-*s %s (in %lld s)\n", width,
		       "valid until:", cli_fmt_time(st.valid_until, buf, sizeof(buf)),
		       -ago(st.valid_until));
	print_at("last check:", width, st.checked);
	sb_text_escape(st.result, result, sizeof(result));
	printf("%-*s %s\n", width, "last result:", result);
	return st.ok ? 0 : -1;
}
