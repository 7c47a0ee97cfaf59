/*
 * vmgroupd.c - the sync daemon: main, options, lock, event loop.
 *
 * The loop waits on the spool (inotify), signals (signalfd) and a timeout:
 * the next rescan, lease expiry, retry or full reconcile, whichever is
 * first.  SIGHUP reloads the configuration, SIGTERM/SIGINT stop cleanly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "lock.h"
#include "log.h"
#include "spool.h"
#include "xmem.h"

#define COALESCE_MS 200		/* gather a burst of events into one pass */

struct opts {
	const char *config;
	int test, foreground, verbose, once, allow_root;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroupd [-f FILE] [-t] [-d] [-v] [--once]\n"
"Sync VM registrations from the spool into Active Directory DNS and\n"
"vmGroup objects, over LDAP with Kerberos (SASL GSSAPI) from a keytab.\n"
"  -f, --config FILE  configuration (default " CONF_DEFAULT_PATH ")\n"
"  -t, --test         check the configuration, keytab and spool; exit\n"
"  -d, --foreground   stay in the foreground, log to stderr (systemd)\n"
"  -v, --verbose      more detail in the log; with -t, print the settings\n"
"      --once         one pass, then exit (0 if the directory is in sync)\n"
"      --allow-root   run as root (not recommended: use an unprivileged\n"
"                     user with read access to the keytab)\n"
"  -h, --help         this text\n"
"  -V, --version      the version\n");
}

static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "test", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "once", no_argument, NULL, 'o' },
		{ "allow-root", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->config = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "f:tdvhV", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': o->config = optarg; break;
		case 't': o->test = 1; break;
		case 'd': o->foreground = 1; break;
		case 'v': o->verbose = 1; break;
		case 'o': o->once = 1; break;
		case 'R': o->allow_root = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("vmgroupd %s\n", PACKAGE_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* sd_notify(3) by hand: one datagram to $NOTIFY_SOCKET, if any. */
static void
notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == -1)
		log_warn("sd_notify");
	close(fd);
}

/* One daemon per spool and per state folder: the spool first (its
 * refusal is the one a second copy of the same configuration meets). */
static void
lock_folders(const struct conf *c, struct lock *spool, struct lock *state)
{
	char err[PATH_MAX + 128];

	if (lock_take(spool, c->spool, "spool", err, sizeof(err)) == -1 ||
	    lock_take(state, c->state_dir, "state folder", err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
}

static int
setup_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

static int
setup_inotify(const char *spool)
{
	char path[PATH_MAX];
	int fd;

	if (xsnprintf(path, sizeof(path), "%s/new", spool) == -1)
		fatalx("spool path too long");
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd == -1)
		fatal("inotify_init1");
	if (inotify_add_watch(fd, path, IN_MOVED_TO | IN_CLOSE_WRITE) == -1) {
		/* the periodic rescan still finds every file */
		log_warn("inotify on %s; relying on the rescan", path);
		close(fd);
		return -1;
	}
	return fd;
}

static void
drain(int fd)
{
	char buf[4096];

	while (fd != -1 && read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Milliseconds until the next thing that needs a pass. */
static int
next_timeout(const struct daemon *dm, time_t now)
{
	time_t next = now + dm->conf.rescan_interval, t;

	t = dm->last_full + (time_t)dm->conf.reconcile_interval;
	if (t < next)
		next = t;
	if (!dm->synced && dm->next_try != 0 && dm->next_try < next)
		next = dm->next_try;
	t = daemon_next_expiry(dm);
	if (t != 0 && t < next)
		next = t;
	if (next <= now)
		return 0;
	return (int)(next - now) * 1000;
}

/* 1 stop, 2 reload, 0 nothing. */
static int
read_signal(int sfd)
{
	struct signalfd_siginfo si;
	int what = 0;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP && what == 0)
			what = 2;
		else if (si.ssi_signo != SIGHUP)
			what = 1;
	}
	return what;
}

/* 1 if paths a and b name the same folder (or the same string). */
static int
same_folder(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The spool and the state folder stay for the life of the daemon (their
 * locks are held): a reload that moves one is refused. */
static int
reload_folders(const struct conf *old, const struct conf *c, char *err,
    size_t errlen)
{
	const char *what, *from, *to;

	if (!same_folder(c->spool, old->spool)) {
		what = "spool";
		from = old->spool;
		to = c->spool;
	} else if (!same_folder(c->state_dir, old->state_dir)) {
		what = "state_dir";
		from = old->state_dir;
		to = c->state_dir;
	} else
		return 0;
	(void)xsnprintf(err, errlen, "%s changed from %s to %s, which needs "
	    "a restart", what, from, to);
	return -1;
}

/* A refused reload always keeps the running configuration: the new one is
 * opened beside it and replaces it only once it is complete. */
static void
reload(struct daemon *dm, const struct opts *o)
{
	struct daemon next;
	struct conf c;
	char err[512];

	if (conf_load(o->config, &c, err, sizeof(err)) == 0 &&
	    reload_folders(&dm->conf, &c, err, sizeof(err)) == 0) {
		if (daemon_open(&next, &c, err, sizeof(err)) == 0) {
			daemon_replace(dm, &next);
			log_info("configuration reloaded from %s", o->config);
			return;
		}
		daemon_close(&next);
	}
	log_warnx("reload refused, keeping the running configuration: %s",
	    err);
}

/* After one spool event, wait for the burst to settle (bounded). */
static void
coalesce(int ifd)
{
	struct pollfd p = { .fd = ifd, .events = POLLIN };
	int rounds;

	for (rounds = 0; rounds < 10; rounds++) {
		drain(ifd);
		if (poll(&p, 1, COALESCE_MS) <= 0)
			break;
	}
	drain(ifd);
}

static int
pass_due(const struct daemon *dm, time_t now)
{
	char **names = NULL;
	size_t n = 0;
	time_t exp = daemon_next_expiry(dm);

	if (now >= dm->last_full + (time_t)dm->conf.reconcile_interval ||
	    (!dm->synced && now >= dm->next_try) || (exp != 0 && exp <= now))
		return 1;
	if (spool_list(dm->conf.spool, &names, &n) == -1)
		return 1;
	spool_list_free(names, n);
	return n > 0;
}

static void
run(struct daemon *dm, const struct opts *o, int sfd, int ifd)
{
	struct pollfd p[2];
	int n, sig;

	daemon_cycle(dm, time(NULL));
	notify("READY=1\nSTATUS=serving");
	for (;;) {
		p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = ifd, .events = POLLIN };
		n = poll(p, ifd == -1 ? 1 : 2, next_timeout(dm, time(NULL)));
		if (n == -1 && errno != EINTR)
			fatal("poll");
		sig = (p[0].revents & POLLIN) ? read_signal(sfd) : 0;
		if (sig == 1)
			break;
		if (sig == 2) {
			notify("RELOADING=1");
			reload(dm, o);
			notify("READY=1");
		}
		if (ifd != -1 && (p[1].revents & POLLIN))
			coalesce(ifd);
		else if (sig == 0 && !pass_due(dm, time(NULL)))
			continue;
		daemon_cycle(dm, time(NULL));
	}
	notify("STOPPING=1");
	log_info("stopping");
}

static int
check_config(const struct conf *c, const char *path, int verbose)
{
	char err[512];

	if (krb_check_keytab(c->keytab, err, sizeof(err)) == -1 ||
	    spool_init(c->spool, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return 1;
	}
	if (verbose)
		conf_dump(c, stdout);
	printf("%s: configuration OK\n", path);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct daemon dm;
	struct lock spool_lk, state_lk;
	struct conf c;
	char err[512];
	int sfd, ifd, rc = 0;

	if (parse_opts(argc, argv, &o) == -1)
		return 2;
	log_init(o.foreground || o.test || o.once, "vmgroupd");
	log_setverbose(o.verbose);
	if (conf_load(o.config, &c, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return 1;
	}
	if (o.test)
		return check_config(&c, o.config, o.verbose);
	if (geteuid() == 0 && !o.allow_root)
		fatalx("refusing to run as root: run vmgroupd as an "
		    "unprivileged user that can read the keytab (the systemd "
		    "unit uses User=vmgroup), or pass --allow-root");
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	sfd = setup_signals();
	if (daemon_open(&dm, &c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	lock_folders(&c, &spool_lk, &state_lk);
	dm.spool_lock = &spool_lk;
	dm.state_lock = &state_lk;
	if (o.once) {
		rc = daemon_cycle(&dm, time(NULL)) == 0 ? 0 : 1;
	} else {
		if (!o.foreground && daemon(0, 0) == -1)
			fatal("daemon");
		ifd = setup_inotify(c.spool);
		log_info("vmgroupd %s: host %s, zone %s, spool %s, %zu "
		    "directory URI(s)", PACKAGE_VERSION, c.model.host,
		    c.model.zone, c.spool, c.nuris);
		run(&dm, &o, sfd, ifd);
		if (ifd != -1)
			close(ifd);
	}
	daemon_close(&dm);
	lock_release(&state_lk);
	lock_release(&spool_lk);
	close(sfd);
	return rc;
}
