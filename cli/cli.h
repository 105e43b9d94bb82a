/* cli.h — what the commands of `scimbridge` share: the parsed global
 * options, how each command loads the config, the exit codes, and the one
 * entry point per command file (cmd_*.c). */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "err.h"
#include "scim_client.h"

enum cli_exit { CLI_OK = 0, CLI_FAIL = 1, CLI_NOTFOUND = 2, CLI_USAGE = 2 };

/* How strictly a command needs its config:
 *  STRICT  — load and validate; any problem is fatal (talks to the tenant).
 *  PUBLIC  — load; on failure warn and fall back to the defaults (reads the
 *            public cache only: status, lookup).
 *  QUIET   — like PUBLIC without the warning (keys runs under sshd as nobody,
 *            which may not be able to read the config). */
enum cli_conf_mode { CLI_CONF_STRICT, CLI_CONF_PUBLIC, CLI_CONF_QUIET };

struct cli {
	const char *prog;
	const char *conf_path;
	int verbose;
	struct sb_config cfg;
	bool cfg_ready;
};

/* Loads ctx->cfg per mode; prints the error and returns -1 when fatal. */
int cli_load_config(struct cli *ctx, enum cli_conf_mode mode);
/* The same, leaving a fatal error in err instead of printing it. */
int cli_load_config_err(struct cli *ctx, enum cli_conf_mode mode, struct sb_err *err);
/* Prints "scimbridge: <what>: <kind>: <message>" to stderr. */
void cli_print_err(const struct cli *ctx, const char *what, const struct sb_err *err);
/* A SCIM client whose secret may be owned by the caller (or root). */
int cli_client_new(struct cli *ctx, bool progress, struct sb_scim_client **out, struct sb_err *err);
/* Writes data to path through a 0600 temp file renamed into place, so the
 * file is never readable by others, not even for a moment. */
int cli_write_private_file(const char *path, const char *data, struct sb_err *err);
/* Copies tenant text for a terminal: control characters as \n or \xNN,
 * cut with "..." to fit size. Returns dst. */
const char *cli_escape(char *dst, size_t size, const char *src);
/* Formats a unix time as UTC ISO 8601 into buf. */
const char *cli_fmt_time(long long t, char *buf, unsigned size);

/* role = subscriber (check_relay.c): `check`'s steps against the relay,
 * printed, CLI_OK or CLI_FAIL; and the state of the last relay check, one
 * "label: value" line each, labels padded to width (-1 if none or failed). */
int cli_check_relay(struct cli *ctx);
int cli_print_relay(const struct sb_config *cfg, int width);

int cmd_sync(struct cli *ctx, int argc, char **argv);
int cmd_status(struct cli *ctx, int argc, char **argv);
int cmd_lookup(struct cli *ctx, int argc, char **argv);
int cmd_check(struct cli *ctx, int argc, char **argv);
int cmd_token(struct cli *ctx, int argc, char **argv);
int cmd_create_directory(struct cli *ctx, int argc, char **argv);
int cmd_keys(struct cli *ctx, int argc, char **argv);
int cmd_keygen(struct cli *ctx, int argc, char **argv);
int cmd_check_user(struct cli *ctx, int argc, char **argv);

#endif
