/* relaysign — relay/minisign.c from the shell, for tests/integration/
 * relay_sign.sh: sign a file with a key file, verify a file against a
 * public key, print a secret key file's public key. Exit 0 ok, 1 refused
 * or failed (the reason on stderr), 2 usage.
 *
 * usage: relaysign sign SECKEY FILE SIGFILE [TRUSTED_COMMENT]
 *        relaysign verify PUBKEY|PUBKEY_FILE FILE SIGFILE
 *        relaysign pubkey SECKEY */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_replace.h"
#include "minisign.h"

#define FILE_MAX (64u << 20)

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(FILE_MAX + 1);
	size_t n = 0;

	if (!f || !buf) {
		fprintf(stderr, "relaysign: %s: %s\n", path, strerror(errno));
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX) {
		fprintf(stderr, "relaysign: %s: larger than %u bytes\n", path, FILE_MAX);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int fail(const struct sb_err *err)
{
	fprintf(stderr, "relaysign: %s: %s\n", sb_errkind_name(err->kind), err->msg);
	return 1;
}

static int do_sign(int argc, char **argv)
{
	struct sb_ms_seckey sk;
	struct sb_err err = {0};
	char *msg, *sig = NULL;
	size_t len;
	int rc = 1;

	if (sb_ms_seckey_load(argv[2], &sk, &err) < 0)
		return fail(&err);
	msg = slurp(argv[3], &len);
	if (msg && sb_ms_sign(&sk, msg, len, NULL, argc > 5 ? argv[5] : NULL, &sig, &err) == 0 &&
	    sb_file_replace_data(argv[4], 0644, sig, strlen(sig), "signature", &err) == 0)
		rc = 0;
	else if (msg)
		fail(&err);
	sb_ms_seckey_wipe(&sk);
	free(msg);
	free(sig);
	return rc;
}

static int do_verify(char **argv)
{
	struct sb_ms_pubkey pk;
	struct sb_err err = {0};
	char *msg = NULL, *sig = NULL, *pkfile = NULL, trusted[SB_MS_TRUSTED_COMMENT_MAX];
	size_t len, sig_len, pk_len;
	int rc = 1;

	if (strlen(argv[2]) != 56 && !(pkfile = slurp(argv[2], &pk_len)))
		return 1;
	if (sb_ms_pubkey_parse(pkfile ? pkfile : argv[2], &pk, &err) < 0) {
		fail(&err);
		goto out;
	}
	msg = slurp(argv[3], &len);
	sig = slurp(argv[4], &sig_len);
	if (!msg || !sig)
		goto out;
	if (sb_ms_verify(&pk, msg, len, sig, sig_len, trusted, sizeof(trusted), &err) < 0) {
		fail(&err);
		goto out;
	}
	printf("verified; trusted comment: %s\n", trusted);
	rc = 0;
out:
	free(pkfile);
	free(msg);
	free(sig);
	return rc;
}

static int do_pubkey(char **argv)
{
	struct sb_ms_seckey sk;
	struct sb_ms_pubkey pk;
	struct sb_err err = {0};
	char text[SB_MS_PUBKEY_TEXT];

	if (sb_ms_seckey_load(argv[2], &sk, &err) < 0)
		return fail(&err);
	sb_ms_seckey_pubkey(&sk, &pk);
	sb_ms_seckey_wipe(&sk);
	sb_ms_pubkey_text(&pk, text);
	printf("%s\n", text);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && argc <= 6 && !strcmp(argv[1], "sign"))
		return do_sign(argc, argv);
	if (argc == 5 && !strcmp(argv[1], "verify"))
		return do_verify(argv);
	if (argc == 3 && !strcmp(argv[1], "pubkey"))
		return do_pubkey(argv);
	fprintf(stderr, "usage: relaysign sign SECKEY FILE SIGFILE [TRUSTED_COMMENT]\n"
			"       relaysign verify PUBKEY|PUBKEY_FILE FILE SIGFILE\n"
			"       relaysign pubkey SECKEY\n");
	return 2;
}
