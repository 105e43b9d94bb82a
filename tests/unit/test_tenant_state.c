/* test_tenant_state.c — offline mode's transitions (daemon/tenant_state.c)
 * and the status record they write. A status write can wait seconds (for
 * data_lock, held by a cache write): an "offline" whose write is slow must
 * not land after a later "back online", or the status file says offline
 * while the tenant is up. status_record here is the daemon's seam: it
 * records each write in order, and holds the first one until released. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../daemon/daemon.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int writes;
static bool entered, released;
static int last_ok = -1;
static char last_msg[256];

void status_record(struct daemon *d, int ok, bool sync, const char *message)
{
	(void)d;
	(void)sync;
	pthread_mutex_lock(&m);
	if (++writes == 1) {
		entered = true;
		pthread_cond_broadcast(&cond);
		while (!released)
			pthread_cond_wait(&cond, &m);
	}
	last_ok = ok;
	snprintf(last_msg, sizeof(last_msg), "%s", message);
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&m);
}

/* The probe thread is not started here: no live client is ever asked for. */
_Thread_local enum live_tier live_tier;

struct sb_scim_client *live_acquire(struct daemon *d, int *slot, struct sb_err *err)
{
	(void)d;
	*slot = -1;
	sb_err_set(err, SB_E_INTERNAL, "no live clients in this test");
	return NULL;
}

void live_release(struct daemon *d, int slot)
{
	(void)d;
	(void)slot;
}

static void *fail_thread(void *arg)
{
	struct sb_err err = {.kind = SB_E_NETWORK};

	snprintf(err.msg, sizeof(err.msg), "timed out");
	tenant_failed(arg, "account check", &err);
	return NULL;
}

static void *reach_thread(void *arg)
{
	tenant_reached(arg, "probe");
	return NULL;
}

/* Waits (bounded) until pred holds; m held by the caller. */
static bool wait_for(bool (*pred)(void), int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	while (!pred())
		if (pthread_cond_timedwait(&cond, &m, &until) == ETIMEDOUT)
			return pred();
	return true;
}

static bool first_entered(void)
{
	return entered;
}

static bool second_written(void)
{
	return writes >= 2;
}

static void test_slow_offline_write_not_after_back_online(void **state)
{
	static struct daemon d;
	pthread_t a, b;

	(void)state;
	tenant_state_init(&d);
	assert_int_equal(pthread_create(&a, NULL, fail_thread, &d), 0);
	pthread_mutex_lock(&m);
	assert_true(wait_for(first_entered, 10000)); /* "offline" is being written */
	pthread_mutex_unlock(&m);
	assert_true(tenant_offline(&d, NULL, 0));

	/* The tenant comes back while that write waits. Without one transition
	 * at a time, "back online" is written now (seen within 1 s), then the
	 * stale "offline" over it. */
	assert_int_equal(pthread_create(&b, NULL, reach_thread, &d), 0);
	pthread_mutex_lock(&m);
	wait_for(second_written, 1000);
	released = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&m);
	pthread_join(a, NULL);
	pthread_join(b, NULL);

	assert_false(tenant_offline(&d, NULL, 0));
	assert_int_equal(writes, 2);
	assert_int_equal(last_ok, 1);
	assert_non_null(strstr(last_msg, "back online"));
}

static void test_no_write_without_transition(void **state)
{
	static struct daemon d;
	struct sb_err err = {.kind = SB_E_NETWORK};
	int before;

	(void)state;
	tenant_state_init(&d);
	pthread_mutex_lock(&m);
	before = writes;
	released = true;
	pthread_mutex_unlock(&m);
	tenant_reached(&d, "sync"); /* online already */
	tenant_failed(&d, "account check", &err);
	tenant_failed(&d, "account check", &err); /* offline already */
	err.kind = SB_E_AUTH;
	tenant_reached(&d, "probe");
	tenant_failed(&d, "account check", &err); /* not an unreachable tenant */
	assert_false(tenant_offline(&d, NULL, 0));
	assert_int_equal(writes - before, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slow_offline_write_not_after_back_online),
	    cmocka_unit_test(test_no_write_without_transition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
