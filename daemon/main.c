/* main.c — scimbridged: `scimbridged [-c FILE] [-f] [-d]`. Reads the config,
 * refuses a secret that is not 0600 and root-owned, marks its own
 * environment so our NSS module never calls back into this daemon, starts
 * the sync thread and serves the socket until SIGTERM/SIGINT. SIGHUP asks for
 * a full sync. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/* Set by the handler in the main thread, read by the others: atomics, as
 * volatile sig_atomic_t is only for the handler's own thread (TSan). */
atomic_int daemon_stopping;
static atomic_int hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		atomic_store(&hup, 1);
	else
		atomic_store(&daemon_stopping, 1);
}

static void usage(void)
{
	fprintf(stderr, "usage: scimbridged [-c FILE] [-f] [-d]\n"
			"  -c FILE  config (default " SB_DEFAULT_CONF ")\n"
			"  -f       stay in the foreground, log to stderr\n"
			"  -d       debug logging\n");
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
	pthread_mutex_init(&d->data_lock, NULL);
	pthread_mutex_init(&d->sync_lock, NULL);
	pthread_cond_init(&d->sync_cond, NULL);
	tenant_state_init(d);
	return 0;
}

static void signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Turns a SIGHUP into a sync request from a normal thread context. */
static void *hup_watch(void *arg)
{
	struct daemon *d = arg;

	while (!daemon_stopping) {
		if (atomic_exchange(&hup, 0)) {
			pthread_mutex_lock(&d->sync_lock);
			d->sync_requested = true;
			pthread_cond_broadcast(&d->sync_cond);
			pthread_mutex_unlock(&d->sync_lock);
		}
		usleep(200000);
	}
	pthread_mutex_lock(&d->sync_lock);
	pthread_cond_broadcast(&d->sync_cond);
	pthread_mutex_unlock(&d->sync_lock);
	return NULL;
}

static int start(void *(*fn)(void *), struct daemon *d)
{
	pthread_t t;

	return pthread_create(&t, NULL, fn, d) != 0 || pthread_detach(t) != 0 ? -1 : 0;
}

/* Per role: a subscriber's relay thread instead of the tenant's threads;
 * a publisher's publish thread beside them. */
static int start_threads(struct daemon *d)
{
	if (d->cfg.role == SB_ROLE_SUBSCRIBER)
		return start(relay_thread, d);
	if (start(sync_thread, d) < 0 || start(hup_watch, d) < 0 || start(probe_thread, d) < 0)
		return -1;
	return d->cfg.role == SB_ROLE_PUBLISHER ? start(publish_thread, d) : 0;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	const char *conf = SB_DEFAULT_CONF;
	bool foreground = false, debug = false;
	sigset_t all, old;
	int opt, rc, lfd;

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
	if (setup(&d, conf) < 0)
		return 1;
	if (!foreground && daemon(0, 0) < 0) {
		sb_log(LOG_ERR, "cannot detach");
		return 1;
	}
	lfd = serve_listen(&d);
	if (lfd < 0)
		return 1;
	signals();
	/* Threads start with signals blocked so the handler runs in main. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* Detached: stopping does not wait for a sync in flight, whose cache
	 * write is atomic whenever the process ends. */
	if (start_threads(&d) < 0) {
		sb_log(LOG_ERR, "cannot start threads");
		return 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	rc = serve(&d, lfd) < 0 ? 1 : 0;
	sb_log(LOG_INFO, "stopping");
	return rc;
}
