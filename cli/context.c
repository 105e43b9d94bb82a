/* context.c — the pieces every command shares: loading the config as
 * strictly as the command needs, printing errors in one format, and making
 * a SCIM client whose secret may belong to the caller. */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

/* The message may quote the tenant (an HTTP error body) or a file: escaped
 * (sb_text_escape), so it cannot move the admin's terminal (ESC, BEL) or
 * print a line that did not come from us. */
void cli_print_err(const struct cli *ctx, const char *what, const struct sb_err *err)
{
	char msg[sizeof(err->msg) * 4];

	sb_text_escape(err->msg, msg, sizeof(msg));
	if (err->http_status)
		fprintf(stderr, "%s: %s: %s (HTTP %ld): %s\n", ctx->prog, what,
			sb_errkind_name(err->kind), err->http_status, msg);
	else
		fprintf(stderr, "%s: %s: %s: %s\n", ctx->prog, what, sb_errkind_name(err->kind),
			msg);
}

int cli_load_config_err(struct cli *ctx, enum cli_conf_mode mode, struct sb_err *err)
{
	sb_config_defaults(&ctx->cfg);
	ctx->cfg_ready = true;
	if (sb_config_load(ctx->conf_path, &ctx->cfg, err) == 0) {
		if (mode != CLI_CONF_STRICT || sb_config_validate(&ctx->cfg, err) == 0)
			return 0;
	}
	if (mode == CLI_CONF_STRICT)
		return -1;
	/* The public cache is still readable at its default path. */
	sb_config_free(&ctx->cfg);
	sb_config_defaults(&ctx->cfg);
	if (mode == CLI_CONF_PUBLIC)
		fprintf(stderr, "%s: warning: %s; using the default cache path %s\n", ctx->prog,
			err->msg, ctx->cfg.cache_path);
	sb_err_clear(err);
	return 0;
}

int cli_load_config(struct cli *ctx, enum cli_conf_mode mode)
{
	struct sb_err err = {0};

	if (cli_load_config_err(ctx, mode, &err) == 0)
		return 0;
	/* The message already names the file, the line and the key. */
	fprintf(stderr, "%s: %s\n", ctx->prog, err.msg);
	return -1;
}

/* Pages as they arrive, on one line per list. The client may report the
 * same count twice (its check past a full last page): shown once. */
static void progress(void *arg, const char *what, long done, long total)
{
	static const char *last_what;
	static long last_done = -1;

	(void)arg;
	if (what == last_what && done == last_done)
		return;
	last_what = what;
	last_done = done;
	if (total > 0)
		fprintf(stderr, "\r%s: %ld/%ld   ", what, done, total);
	else
		fprintf(stderr, "\r%s: %ld   ", what, done);
	if (total > 0 && done >= total)
		fputc('\n', stderr);
}

int cli_client_new(struct cli *ctx, bool want_progress, struct sb_scim_client **out,
		   struct sb_err *err)
{
	struct sb_client_opts o = {.secret_owner = (long)getuid()};

	/* From here on the process holds the client secret (and tokens with
	 * the tenant's admin scope): no core dump, and no ptrace or
	 * /proc/PID/mem by other processes of the same user. */
	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0)
		return sb_err_sys(err, errno, "prctl(PR_SET_DUMPABLE)");

	if (want_progress && isatty(STDERR_FILENO))
		o.progress = progress;
	return sb_scim_client_new(&ctx->cfg, &o, out, err);
}
