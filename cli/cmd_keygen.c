/* cmd_keygen.c — `scimbridge keygen -o FILE`: a new Ed25519 signing key for
 * a publisher (issue 16), written to FILE in minisign's unencrypted secret
 * key format, mode 0600, never over an existing file. Prints the line that
 * subscribers put in their config; `minisign -V -P` takes the same key.
 * Needs no config: the key is made before any publisher is configured. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "minisign.h"

static int usage(void)
{
	fprintf(stderr, "usage: scimbridge keygen -o FILE\n");
	return CLI_USAGE;
}

int cmd_keygen(struct cli *ctx, int argc, char **argv)
{
	struct sb_ms_seckey sk;
	struct sb_ms_pubkey pk;
	struct sb_err err = {0};
	char text[SB_MS_PUBKEY_TEXT], id[17];
	const char *out_file = NULL;
	int opt, rc = CLI_FAIL;

	while ((opt = getopt(argc, argv, "o:")) != -1) {
		if (opt != 'o')
			return usage();
		out_file = optarg;
	}
	if (optind != argc || !out_file)
		return usage();
	if (sb_ms_keygen(&sk, &pk, &err) < 0 || sb_ms_seckey_save(out_file, &sk, &err) < 0) {
		cli_print_err(ctx, "keygen", &err);
		goto out;
	}
	sb_ms_pubkey_text(&pk, text);
	fprintf(stderr,
		"signing key %s written to %s (mode 0600, minisign's unencrypted format); "
		"give subscribers this line:\n",
		sb_ms_keyid_hex(pk.keyid, id), out_file);
	printf("relay_public_key = %s\n", text);
	rc = CLI_OK;
out:
	sb_ms_seckey_wipe(&sk);
	return rc;
}
