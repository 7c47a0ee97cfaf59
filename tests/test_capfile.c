/*
 * test_capfile.c - vmgroup-capture itself, run on capture files written
 * here (pcap_open_dead + pcap_dump_open): the spool files it queues (one
 * canonical line each), its "queued ..." log lines, the lease table kept
 * across runs, and its refusals (a world-writable spool, a usage error).
 * The binary is $top_builddir/vmgroup-capture.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cappkt.h"
#include "xmem.h"

#define T0 1764000000
#define MAXF 16

static const uint8_t MAC[6] = { 0x52, 0x54, 0, 0, 0, 0x07 };
static const uint8_t MAC2[6] = { 0x52, 0x54, 0, 0, 0, 0x08 };

static char dir[64], prog[4096];

struct frames {
	uint8_t f[MAXF][CAPPKT_MAX];
	size_t len[MAXF];
	long t[MAXF];
	size_t n;
};

static void
add4(struct frames *fr, long t, const struct cappkt_v4 *d)
{
	fr->len[fr->n] = cappkt_dhcp4(fr->f[fr->n], d);
	fr->t[fr->n++] = t;
}

static void
add6(struct frames *fr, long t, const struct cappkt_v6 *d)
{
	fr->len[fr->n] = cappkt_dhcp6(fr->f[fr->n], d);
	fr->t[fr->n++] = t;
}

static void
write_pcap(const char *path, const struct frames *fr)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	struct pcap_pkthdr h;
	size_t i;

	assert_non_null(p);
	d = pcap_dump_open(p, path);
	assert_non_null(d);
	for (i = 0; i < fr->n; i++) {
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = fr->t[i];
		h.caplen = h.len = (bpf_u_int32)fr->len[i];
		pcap_dump((u_char *)d, &h, fr->f[i]);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

/* Run the program with args (NULL-ended); stderr into dir/err.  Its exit
 * status. */
static int
run(const char *first, ...)
{
	const char *argv[32];
	char errpath[128];
	va_list ap;
	int n = 1, st, fd;
	pid_t pid;

	argv[0] = prog;
	va_start(ap, first);
	for (argv[n] = first; argv[n] != NULL && n < 30;)
		argv[++n] = va_arg(ap, const char *);
	va_end(ap);
	(void)xsnprintf(errpath, sizeof(errpath), "%s/err", dir);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1 || dup2(fd, 2) == -1)
			_exit(126);
		close(fd);
		if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(fd, 1) == -1)
			_exit(126);
		execv(prog, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spool's files in arrival order, each file's text into out[i]. */
static size_t
spool_files(char out[][1024], size_t max)
{
	char path[256], *names[64];
	struct dirent *de;
	size_t n = 0, i, len;
	DIR *d;
	FILE *fp;

	(void)xsnprintf(path, sizeof(path), "%s/spool/new", dir);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL && n < 64)
		if (de->d_name[0] != '.')
			names[n++] = xstrdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmpstr);
	for (i = 0; i < n; i++) {
		(void)xsnprintf(path, sizeof(path), "%s/spool/new/%s", dir,
		    names[i]);
		fp = fopen(path, "r");
		assert_non_null(fp);
		if (i < max) {
			len = fread(out[i], 1, 1023, fp);
			out[i][len] = '\0';
		}
		fclose(fp);
		free(names[i]);
	}
	return n;
}

static int
err_has(const char *what)
{
	char path[128], buf[8192];
	size_t n;
	FILE *fp;

	(void)xsnprintf(path, sizeof(path), "%s/err", dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return strstr(buf, what) != NULL;
}

static int
setup(void **state)
{
	const char *b = getenv("top_builddir");
	char p[128];
	FILE *fp;

	(void)state;
	(void)xsnprintf(prog, sizeof(prog), "%s/vmgroup-capture",
	    b != NULL ? b : ".");
	(void)xstrlcpy(dir, "/tmp/vmg-capfile.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	(void)xsnprintf(p, sizeof(p), "%s/spool", dir);
	assert_int_equal(mkdir(p, 0750), 0);
	(void)xsnprintf(p, sizeof(p), "%s/images", dir);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs("52:54:00:00:00:07 debian-12\n", fp);
	fclose(fp);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[256];

	(void)state;
	(void)xsnprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The scenario: REQUEST + ACK without a name, a v6 Reply, a renewal, a
 * RELEASE, a v6 Release; a hostile name for a second MAC. */
static void
scenario(struct frames *fr)
{
	struct in6_addr a6;
	struct cappkt_v4 d = { .type = 3, .requested = 0xc000020a,
	    .name = "Web7" };
	struct cappkt_v6 r = { .type = 7, .addrs = &a6, .naddrs = 1,
	    .valid = 7200, .status = -1, .fqdn = "web7" };

	assert_int_equal(inet_pton(AF_INET6, "2001:db8::7", &a6), 1);
	memcpy(d.mac, MAC, 6);
	memcpy(r.mac, MAC, 6);
	fr->n = 0;
	add4(fr, T0, &d);
	d = (struct cappkt_v4){ .type = 5, .yiaddr = 0xc000020a,
	    .lease = 3600 };
	memcpy(d.mac, MAC, 6);
	add4(fr, T0, &d);			/* Kea: no name in the ACK */
	add6(fr, T0 + 1, &r);
	d.lease = 7200;			/* renewed past the v6 lease */
	add4(fr, T0 + 1800, &d);
	d.type = 7;
	d.ciaddr = d.yiaddr;
	d.yiaddr = 0;
	d.lease = 0;
	add4(fr, T0 + 2000, &d);
	r.type = 8;
	r.fqdn = NULL;
	add6(fr, T0 + 2001, &r);
	d = (struct cappkt_v4){ .type = 5, .yiaddr = 0xc000020b,
	    .lease = 3600, .name = "dc1.example.test" };
	memcpy(d.mac, MAC2, 6);
	add4(fr, T0 + 2002, &d);
}

#define HEAD "{\"version\":1,\"op\":"
#define TAIL "\"mac\":\"52:54:00:00:00:07\",\"source\":\"pcap\","

static void
test_file(void **state)
{
	static const struct {
		const char *op, *addrs, *tail;
	} expect[] = {
		{ "register", "\"192.0.2.10\"", "1764000000,\"expires\":1764003600" },
		{ "register", "\"192.0.2.10\",\"2001:db8::7\"",
		    "1764000001,\"expires\":1764007201" },
		{ "refresh", "\"192.0.2.10\",\"2001:db8::7\"",
		    "1764001800,\"expires\":1764009000" },
		{ "register", "\"2001:db8::7\"", "1764002000,\"expires\":1764007201" },
		{ "release", "", "1764002001" },
	};
	static struct frames fr;
	static char got[8][1024];
	char pcap[128], spool[128], st[128], map[128], want[1024];
	size_t i;

	(void)state;
	(void)xsnprintf(pcap, sizeof(pcap), "%s/a.pcap", dir);
	(void)xsnprintf(spool, sizeof(spool), "%s/spool", dir);
	(void)xsnprintf(st, sizeof(st), "%s/state", dir);
	(void)xsnprintf(map, sizeof(map), "%s/images", dir);
	scenario(&fr);
	write_pcap(pcap, &fr);
	assert_int_equal(run("-r", pcap, "-s", spool, "-H", "hv1", "-m", map,
	    "-d", st, "-v", NULL), 0);
	assert_int_equal(spool_files(got, 8), 5);
	for (i = 0; i < 5; i++) {
		(void)xsnprintf(want, sizeof(want), HEAD "\"%s\",\"host\":"
		    "\"hv1\",\"vm\":\"web7\",\"image\":\"debian-12\","
		    "\"addresses\":[%s]," TAIL "\"time\":%s}\n", expect[i].op,
		    expect[i].addrs, expect[i].tail);
		assert_string_equal(got[i], want);
	}
	assert_true(err_has("queued register web7 addresses 192.0.2.10 "
	    "(52:54:00:00:00:07) from DHCPACK"));
	assert_true(err_has("queued register web7 addresses "
	    "192.0.2.10,2001:db8::7 (52:54:00:00:00:07) from DHCPv6 Reply"));
	assert_true(err_has("queued refresh web7 addresses "));
	assert_true(err_has("queued release web7 addresses 2001:db8::7 "
	    "(52:54:00:00:00:07) from DHCPv6 Release"));
	assert_true(err_has("refused host name \"dc1.example.test\""));
}

/* A restart keeps the table: the same lease seen again queues nothing,
 * a later RELEASE (no name) finds the VM. */
static void
test_restart(void **state)
{
	static struct frames fr;
	static char got[8][1024];
	char pcap[128], spool[128], st[128];
	struct cappkt_v4 d = { .type = 5, .yiaddr = 0xc000020a,
	    .lease = 3600, .name = "web7" };

	(void)state;
	(void)xsnprintf(pcap, sizeof(pcap), "%s/b.pcap", dir);
	(void)xsnprintf(spool, sizeof(spool), "%s/spool", dir);
	(void)xsnprintf(st, sizeof(st), "%s/state", dir);
	memcpy(d.mac, MAC, 6);
	add4(&fr, T0, &d);
	write_pcap(pcap, &fr);
	assert_int_equal(run("-r", pcap, "-s", spool, "-H", "hv1", "-m",
	    "/nonexistent", "-d", st, NULL), 0);
	assert_int_equal(spool_files(got, 8), 1);
	assert_int_equal(run("-r", pcap, "-s", spool, "-H", "hv1", "-m",
	    "/nonexistent", "-d", st, NULL), 0);
	assert_int_equal(spool_files(got, 8), 1);
	fr.n = 0;
	d.type = 7;
	d.ciaddr = d.yiaddr;
	d.name = NULL;
	add4(&fr, T0 + 60, &d);
	write_pcap(pcap, &fr);
	assert_int_equal(run("-r", pcap, "-s", spool, "-H", "hv1", "-m",
	    "/nonexistent", "-d", st, "-v", NULL), 0);
	assert_int_equal(spool_files(got, 8), 2);
	assert_non_null(strstr(got[1], "\"op\":\"release\",\"host\":\"hv1\","
	    "\"vm\":\"web7\""));
	assert_true(err_has("queued release web7 addresses 192.0.2.10 "
	    "(52:54:00:00:00:07) from DHCPRELEASE"));
}

static void
test_refusals(void **state)
{
	char pcap[128], spool[128], st[128];
	static struct frames fr;

	(void)state;
	(void)xsnprintf(pcap, sizeof(pcap), "%s/c.pcap", dir);
	(void)xsnprintf(spool, sizeof(spool), "%s/spool", dir);
	(void)xsnprintf(st, sizeof(st), "%s/state", dir);
	write_pcap(pcap, &fr);
	assert_int_equal(run("-r", pcap, NULL), 2);	/* no spool */
	assert_int_equal(run("-r", pcap, "-i", "lo", "-s", spool, NULL), 2);
	assert_int_equal(run("-r", pcap, "-s", spool, "-H", "a.b", NULL), 2);
	assert_int_equal(run("--help", NULL), 0);
	assert_int_equal(mkdir(st, 0777), 0);
	assert_int_equal(chmod(st, 0777), 0);
	assert_int_equal(run("-r", pcap, "-s", spool, "-d", st, NULL), 1);
	assert_true(err_has("world-writable"));
	assert_int_equal(chmod(st, 0750), 0);
	assert_int_equal(chmod(spool, 0777), 0);
	assert_int_equal(run("-r", pcap, "-s", spool, "-d", st, NULL), 1);
	assert_int_equal(chmod(spool, 0750), 0);
	assert_int_equal(run("-r", pcap, "-s", spool, "-d", st, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
