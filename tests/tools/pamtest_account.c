/* pamtest_account — runs pam_acct_mgmt through cwrap's libpamtest:
 *   pamtest_account SERVICE USER EXPECTED
 * EXPECTED is success, acct_expired, perm_denied, user_unknown or
 * authinfo_unavail. Prints what PAM returned and any message the module sent
 * through the conversation; exits 0 when it is the expected code. Run under
 * pam_wrapper (LD_PRELOAD=libpam_wrapper.so, PAM_WRAPPER=1,
 * PAM_WRAPPER_SERVICE_DIR) so no real /etc/pam.d is needed. */
#include <libpamtest.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int code;
} codes[] = {
    {"success", PAM_SUCCESS},
    {"acct_expired", PAM_ACCT_EXPIRED},
    {"perm_denied", PAM_PERM_DENIED},
    {"user_unknown", PAM_USER_UNKNOWN},
    {"authinfo_unavail", PAM_AUTHINFO_UNAVAIL},
};

int main(int argc, char **argv)
{
	char err0[512] = "", *errs[] = {err0, NULL}, info0[512] = "", *infos[] = {info0, NULL};
	struct pamtest_conv_data conv = {.out_err = errs, .out_info = infos};
	struct pam_testcase tests[] = {pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS)};
	enum pamtest_err perr;
	int expected = -1;

	if (argc != 4) {
		fprintf(stderr, "usage: pamtest_account SERVICE USER EXPECTED\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(argv[3], codes[i].name))
			expected = codes[i].code;
	if (expected < 0) {
		fprintf(stderr, "pamtest_account: unknown code %s\n", argv[3]);
		return 2;
	}
	tests[0].expected_rv = expected;
	perr = run_pamtest(argv[1], argv[2], &conv, tests, NULL);
	printf("%s: pam returned %d (%s), expected %s; message: '%s'\n", argv[2], tests[0].op_rv,
	       pam_strerror(NULL, tests[0].op_rv), argv[3], err0);
	return perr == PAMTEST_ERR_OK ? 0 : 1;
}
