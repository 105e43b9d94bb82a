/* main.c — scimbridged: `scimbridged [-c FILE] [-f] [-d]`. Reads the config,
 * refuses a secret that is not 0600 and root-owned, marks its own
 * environment so our NSS module never calls back into this daemon, starts
 * the sync thread and serves the socket until SIGTERM/SIGINT. SIGHUP asks for
 * a full sync (a subscriber: a relay check).
 * Signals: SIGTERM, SIGINT and SIGHUP are blocked in every thread from the
 * start (threads inherit the mask) and taken in one place, a signalfd in the
 * accept loop's poll (server.c), which hands them to daemon_signals. The
 * daemon starts no other program, so no child inherits the mask. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define STOP_GRACE_S 1

static void usage(void)
{
	fprintf(stderr, "usage: scimbridged [-c FILE] [-f] [-d]\n"
			"  -c FILE  config (default " SB_DEFAULT_CONF ")\n"
			"  -f       stay in the foreground, log to stderr\n"
			"  -d       debug logging\n");
}

void daemon_init(struct daemon *d)
{
	pthread_mutex_init(&d->data_lock, NULL);
	pthread_mutex_init(&d->sync_lock, NULL);
	pthread_cond_init(&d->sync_cond, NULL);
	tenant_state_init(d);
	atomic_init(&d->stopping, 0);
	conn_slots_init(&d->conns);
	limits_init(&d->limits);
	publish_init(&d->pub);
	relay_checks_init(&d->relay);
	device_logins_init(&d->dev);
	pthread_mutex_init(&d->doubt_lock, NULL);
	d->filter_doubt[0] = '\0';
}

static int setup(struct daemon *d, const char *conf)
{
	struct sb_client_opts opts = {.secret_owner = -1};
	struct sb_err err = {0};

	/* Before the secret is read: no core dump of a process that holds it
	 * and tokens with the tenant's admin scope, and no ptrace or
	 * /proc/PID/mem by other processes of the same uid (systemd's
	 * LimitCORE=0 says the same for the unit). */
	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0) {
		sb_log(LOG_ERR, "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		return -1;
	}
	daemon_init(d);
	sb_config_defaults(&d->cfg);
	if (sb_config_load(conf, &d->cfg, &err) < 0 || sb_config_validate(&d->cfg, &err) < 0) {
		sb_log(LOG_ERR, "%s", err.msg);
		return -1;
	}
	/* A subscriber holds no tenant credential and makes no tenant client. */
	if (d->cfg.role == SB_ROLE_SUBSCRIBER
		? relay_init(d) < 0
		: sb_scim_client_new(&d->cfg, &opts, &d->sync_client, &err) < 0 ||
		      live_pool_init(d, &err) < 0) {
		sb_log(LOG_ERR, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* The signals we take, blocked in every thread; SIGPIPE is ignored. */
static void signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* SIGHUP: what SB_REQ_SYNC asks, without waiting for it. */
static void request_sync(struct daemon *d)
{
	if (d->cfg.role == SB_ROLE_SUBSCRIBER) {
		relay_request(d);
		return;
	}
	pthread_mutex_lock(&d->sync_lock);
	d->sync_requested = true;
	pthread_cond_broadcast(&d->sync_cond);
	pthread_mutex_unlock(&d->sync_lock);
}

/* Stop: every thread's wait ends now (each checks d->stopping under its
 * own lock, so the broadcasts below cannot be missed). */
static void stop(struct daemon *d)
{
	atomic_store(&d->stopping, 1);
	pthread_mutex_lock(&d->sync_lock);
	pthread_cond_broadcast(&d->sync_cond);
	pthread_mutex_unlock(&d->sync_lock);
	publish_wake(d);
	relay_wake(d);
	tenant_state_wake(d);
}

void daemon_signals(struct daemon *d, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			request_sync(d);
		else
			stop(d);
	}
}

/* The long-lived threads, joined at stop (main thread only). */
struct threads {
	pthread_t t[3];
	int n;
};

static int start(struct threads *ts, void *(*fn)(void *), struct daemon *d)
{
	if (ts->n >= 3 || pthread_create(&ts->t[ts->n], NULL, fn, d) != 0)
		return -1;
	ts->n++;
	return 0;
}

/* Per role: a subscriber's relay thread instead of the tenant's threads;
 * a publisher's publish thread beside them. */
static int start_threads(struct daemon *d, struct threads *ts)
{
	if (d->cfg.role == SB_ROLE_SUBSCRIBER)
		return start(ts, relay_thread, d);
	if (start(ts, sync_thread, d) < 0 || start(ts, probe_thread, d) < 0)
		return -1;
	return d->cfg.role == SB_ROLE_PUBLISHER ? start(ts, publish_thread, d) : 0;
}

/* After stop(): the threads, woken, end at once unless a sync, publish,
 * relay check or a connection's live check is in flight; waits
 * STOP_GRACE_S for them. True if all ended:
 * then exit's handlers (OpenSSL's cleanup) cannot free what one of them is
 * still using, at its end included (its thread-local destructors). */
static bool join_threads(struct daemon *d, struct threads *ts)
{
	struct timespec until;
	bool all = true;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STOP_GRACE_S;
	for (int i = 0; i < ts->n; i++)
		all &= pthread_timedjoin_np(ts->t[i], NULL, &until) == 0;
	/* connection threads are detached: a live check may be in flight */
	return all && conns_idle_by(&d->conns, &until);
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct threads ts = {.n = 0};
	const char *conf = SB_DEFAULT_CONF;
	bool foreground = false, debug = false;
	sigset_t sigs;
	int opt, rc, lfd, sfd;

	while ((opt = getopt(argc, argv, "c:fdh")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else if (opt == 'f')
			foreground = true;
		else if (opt == 'd')
			debug = true;
		else {
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	sb_log_init("scimbridged", foreground ? SB_LOG_STDERR : SB_LOG_SYSLOG, LOG_DAEMON);
	sb_log_set_level(debug ? LOG_DEBUG : LOG_INFO);
	sb_log_timestamps(foreground);
	setenv("SCIMBRIDGE_DAEMON", "1", 1);
	/* Before any thread (the HTTP library may start its own), so that
	 * every thread inherits the mask. */
	signals_block(&sigs);
	if (setup(&d, conf) < 0)
		return 1;
	if (!foreground && daemon(0, 0) < 0) {
		sb_log(LOG_ERR, "cannot detach");
		return 1;
	}
	lfd = serve_listen(&d);
	if (lfd < 0)
		return 1;
	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		sb_log(LOG_ERR, "signalfd: %s", strerror(errno));
		return 1;
	}
	if (start_threads(&d, &ts) < 0) {
		sb_log(LOG_ERR, "cannot start threads");
		return 1;
	}
	rc = serve(&d, lfd, sfd) < 0 ? 1 : 0;
	sb_log(LOG_INFO, "stopping");
	/* A sync in flight is not waited for past the grace (its cache write
	 * is atomic whenever the process ends): then no exit handlers. */
	if (!join_threads(&d, &ts))
		_exit(rc);
	return rc;
}
