/*
 * test_state.c - the state files: registrations and release records survive
 * a restart; what cannot be written out fails the save, never dropped; the
 * journal: appended lines, a torn tail, a bad line, a compaction cut short,
 * and load(snapshot) + replay(journal) = the state in memory on random
 * sequences.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "state.h"
#include "xmem.h"

#define T0 1764000000

struct fixture {
	char dir[64];
	char path[PATH_MAX];
	char jpath[PATH_MAX];
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	(void)xstrlcpy(f->dir, "/tmp/vmg-state-test.XXXXXX", sizeof(f->dir));
	if (mkdtemp(f->dir) == NULL ||
	    xsnprintf(f->path, sizeof(f->path), "%s/registrations.json",
	    f->dir) == -1 || xsnprintf(f->jpath, sizeof(f->jpath),
	    "%s/registrations.journal", f->dir) == -1)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	(void)unlink(f->path);
	(void)unlink(f->jpath);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

/* Save regs as the snapshot at path (a compaction). */
static int
save(const char *path, const struct model_regs *regs, char *err,
    size_t errlen)
{
	struct state_store st;
	struct model_regs none;
	size_t bad;
	int rc;

	model_regs_init(&none);
	if (state_open(&st, path, &none, &bad, err, errlen) == -1) {
		model_regs_free(&none);
		return -1;
	}
	rc = state_save(&st, regs, err, errlen);
	state_close(&st);
	model_regs_free(&none);
	return rc;
}

/* Set: apply() notes each event there too. */
static struct state_store *noted;

static int
apply(struct model_regs *regs, enum event_op op, const char *vm,
    int64_t time, int64_t expires)
{
	struct event ev;
	int rc;

	memset(&ev, 0, sizeof(ev));
	ev.version = 1;
	ev.op = op;
	ev.source = EVENT_SRC_DHCP;
	(void)xstrlcpy(ev.host, "hv1", sizeof(ev.host));
	(void)xstrlcpy(ev.vm, vm, sizeof(ev.vm));
	ev.time = time;
	ev.expires = expires;
	if (op != EVENT_OP_RELEASE) {
		ev.addrs[0].family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, "192.0.2.10",
		    &ev.addrs[0].u.v4), 1);
		ev.naddrs = 1;
	}
	rc = model_apply(regs, &ev);
	if (noted != NULL)
		state_note(noted, regs, &ev, rc);
	return rc;
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct model_regs regs, back;
	struct release *r;
	char err[256];
	size_t bad;

	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0, T0 + 2 * 86400);
	apply(&regs, EVENT_OP_REGISTER, "web2", T0, 0);
	apply(&regs, EVENT_OP_RELEASE, "web1", T0 + 100, 0);
	assert_int_equal(save(f->path, &regs, err, sizeof(err)), 0);
	/* a restart: a fresh table from the file */
	model_regs_init(&back);
	assert_int_equal(state_load(f->path, &back, &bad, err, sizeof(err)),
	    0);
	assert_int_equal(bad, 0);
	assert_int_equal(model_regs_count(&back), 1);
	assert_int_equal(release_count(&back.released), 1);
	HASH_FIND_STR(back.released.by_key, "web1/hv1", r);
	if (r == NULL)
		fail_msg("no release record after the restart");
	else {
		assert_int_equal(r->time, T0 + 100);
		assert_int_equal(r->until, T0 + 100 + 2 * 86400);
	}
	/* the late register stays out after the restart too */
	assert_int_equal(apply(&back, EVENT_OP_REGISTER, "web1", T0 + 50, 0),
	    0);
	assert_int_equal(model_regs_count(&back), 1);
	model_regs_free(&regs);
	model_regs_free(&back);
}

/* A registration that cannot be written out fails the save; the file
 * keeps what it held. */
static void
test_unwritable_fails(void **state)
{
	struct fixture *f = *state;
	struct model_regs regs, back;
	char err[256];
	size_t bad;

	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0, 0);
	assert_int_equal(save(f->path, &regs, err, sizeof(err)), 0);
	/* not a lower-case label: event_to_json refuses it */
	apply(&regs, EVENT_OP_REGISTER, "Bad_Name", T0, 0);
	assert_int_equal(save(f->path, &regs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "registration of VM Bad_Name"));
	model_regs_init(&back);
	assert_int_equal(state_load(f->path, &back, &bad, err, sizeof(err)),
	    0);
	assert_int_equal(model_regs_count(&back), 1);
	model_regs_free(&regs);
	model_regs_free(&back);
}

/* A write that fails names its cause. */
static void
test_write_error_named(void **state)
{
	struct fixture *f = *state;
	struct model_regs regs;
	char path[PATH_MAX], err[256];

	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0, 0);
	assert_int_equal(xsnprintf(path, sizeof(path), "%s/gone/r.json",
	    f->dir), 0);
	assert_int_equal(save(path, &regs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(ENOENT)));
	model_regs_free(&regs);
}

/* Registrations and release records of a and b are the same. */
static void
same_state(const struct model_regs *a, const struct model_regs *b)
{
	const struct model_reg *r, *o;
	const struct release *x, *y;

	assert_int_equal(model_regs_count(a), model_regs_count(b));
	for (r = a->by_vm; r != NULL; r = r->hh.next) {
		HASH_FIND_STR(b->by_vm, r->vm, o);
		if (o == NULL) {
			fail_msg("registration of %s missing", r->vm);
			return;
		}
		assert_string_equal(r->host, o->host);
		assert_string_equal(r->image, o->image);
		assert_int_equal(r->naddrs, o->naddrs);
		assert_memory_equal(r->addrs, o->addrs, sizeof(r->addrs));
		assert_int_equal(r->time, o->time);
		assert_int_equal(r->expires, o->expires);
		assert_int_equal(r->source, o->source);
	}
	assert_int_equal(release_count(&a->released),
	    release_count(&b->released));
	for (x = a->released.by_key; x != NULL; x = x->hh.next) {
		HASH_FIND_STR(b->released.by_key, x->key, y);
		if (y == NULL) {
			fail_msg("release record %s missing", x->key);
			return;
		}
		assert_int_equal(x->time, y->time);
		assert_int_equal(x->until, y->until);
		assert_int_equal(x->source, y->source);
	}
}

/* The files loaded into a fresh table (hold as in mem) equal mem. */
static void
loads_as(const char *path, const struct model_regs *mem, size_t want_bad)
{
	struct model_regs back;
	char err[256];
	size_t bad;

	model_regs_init(&back);
	back.released.hold = mem->released.hold;
	assert_int_equal(state_load(path, &back, &bad, err, sizeof(err)), 0);
	assert_int_equal(bad, want_bad);
	same_state(mem, &back);
	model_regs_free(&back);
}

/* A random event, applied to regs and noted in st. */
static void
random_event(struct state_store *st, struct model_regs *regs, int64_t base)
{
	static const char *const vms[] = { "a", "b", "c", "d", "e", "f" };
	static const char *const imgs[] = { "", "deb", "win" };
	struct event ev;
	int lease;

	memset(&ev, 0, sizeof(ev));
	ev.version = 1;
	ev.op = (enum event_op)(rand() % 3 == 0 ? EVENT_OP_RELEASE :
	    rand() % 2 ? EVENT_OP_REGISTER : EVENT_OP_REFRESH);
	ev.source = rand() % 2 ? EVENT_SRC_DHCP : EVENT_SRC_STATIC;
	(void)xstrlcpy(ev.host, rand() % 3 ? "hv1" : "hv2", sizeof(ev.host));
	(void)xstrlcpy(ev.vm, vms[rand() % 6], sizeof(ev.vm));
	ev.time = base + rand() % 40;
	if (ev.op != EVENT_OP_RELEASE) {
		(void)xstrlcpy(ev.image, imgs[rand() % 3], sizeof(ev.image));
		ev.addrs[0].family = AF_INET;
		ev.addrs[0].u.v4.s_addr = htonl(0xc0000200u + 1 +
		    (uint32_t)(rand() % 20));
		ev.naddrs = 1;
		lease = rand() % 4 == 0 ? 0 : 5 + rand() % 300;
		ev.expires = lease == 0 ? 0 : ev.time + lease;
	}
	state_note(st, regs, &ev, model_apply(regs, &ev));
}

/* Appended lines: only the changes, one line each; a pass that changed
 * nothing writes nothing; a restart reads them back. */
static void
test_journal_append(void **state)
{
	struct fixture *f = *state;
	struct state_store st;
	struct model_regs regs;
	struct stat sb;
	char err[256];
	size_t bad;

	model_regs_init(&regs);
	assert_int_equal(state_open(&st, f->path, &regs, &bad, err,
	    sizeof(err)), 0);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0, 0);
	assert_int_equal(save(f->path, &regs, err, sizeof(err)), 0);
	state_close(&st);
	assert_int_equal(state_open(&st, f->path, &regs, &bad, err,
	    sizeof(err)), 0);
	/* no journal yet; nothing noted: nothing written */
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	assert_int_equal(stat(f->jpath, &sb), -1);
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "web1", T0 - 5, 0), 0);
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	assert_int_equal(stat(f->jpath, &sb), -1);	/* stale: no line */
	noted = &st;
	apply(&regs, EVENT_OP_REGISTER, "web2", T0 + 10, 0);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0 + 10, 0);
	noted = NULL;
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	assert_int_equal(stat(f->jpath, &sb), 0);
	assert_int_equal((size_t)sb.st_size, st.jsize);
	assert_true(sb.st_size > 100 && sb.st_size < 400);	/* 2 lines */
	/* a release record that ends on its own (no registration ends) */
	regs.released.hold = 10;
	noted = &st;
	apply(&regs, EVENT_OP_REGISTER, "db1", T0 + 20, 0);
	apply(&regs, EVENT_OP_RELEASE, "gone1", T0 + 20, 0);
	noted = NULL;
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	loads_as(f->path, &regs, 0);
	assert_int_equal(state_expire(&st, &regs, T0 + 100000), 0);
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	loads_as(f->path, &regs, 0);
	state_close(&st);
	model_regs_free(&regs);
}

static void
append_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "a");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* A last line cut short is ignored (not an error), and cut off by the
 * next append. */
static void
test_journal_torn_tail(void **state)
{
	struct fixture *f = *state;
	struct state_store st;
	struct model_regs regs, back;
	struct stat sb;
	char err[256];
	size_t bad;
	int i;

	model_regs_init(&regs);
	assert_int_equal(state_open(&st, f->path, &regs, &bad, err,
	    sizeof(err)), 0);
	for (i = 0; i < 5; i++)
		random_event(&st, &regs, T0);
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	state_close(&st);
	append_text(f->jpath, "{\"version\":1,\"op\":\"regis");
	loads_as(f->path, &regs, 0);
	/* the daemon starts again and goes on */
	model_regs_free(&regs);
	model_regs_init(&back);
	assert_int_equal(state_open(&st, f->path, &back, &bad, err,
	    sizeof(err)), 0);
	assert_int_equal(bad, 0);
	random_event(&st, &back, T0 + 50);
	assert_int_equal(state_commit(&st, &back, err, sizeof(err)), 0);
	assert_int_equal(stat(f->jpath, &sb), 0);
	assert_int_equal((size_t)sb.st_size, st.jsize);
	loads_as(f->path, &back, 0);
	state_close(&st);
	model_regs_free(&back);
}

/* A bad line elsewhere is skipped and counted, like a bad snapshot entry,
 * and gone after the next commit (a compaction). */
static void
test_journal_bad_line(void **state)
{
	struct fixture *f = *state;
	struct state_store st;
	struct model_regs regs, back;
	struct stat sb;
	char err[256];
	size_t bad;

	model_regs_init(&regs);
	assert_int_equal(state_open(&st, f->path, &regs, &bad, err,
	    sizeof(err)), 0);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0, 0);
	state_changed(&st);
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	append_text(f->jpath, "{\"version\":1,\"op\":\"register\",\"host\":"
	    "\"hv1\",\"vm\":\"dc1.x\",\"addresses\":[\"192.0.2.9\"],"
	    "\"source\":\"dhcp\",\"time\":1764000000}\n{\"expire\":-3}\n"
	    "{\"version\":1,\"op\":\"register\",\"host\":\"hv1\",\"vm\":"
	    "\"web2\",\"addresses\":[\"192.0.2.10\"],\"source\":\"dhcp\","
	    "\"time\":1764000000}\n");
	apply(&regs, EVENT_OP_REGISTER, "web2", T0, 0);
	state_close(&st);
	model_regs_init(&back);
	assert_int_equal(state_open(&st, f->path, &back, &bad, err,
	    sizeof(err)), 0);
	assert_int_equal(bad, 2);
	same_state(&regs, &back);
	assert_int_equal(state_commit(&st, &back, err, sizeof(err)), 0);
	assert_int_equal(stat(f->jpath, &sb), -1);
	loads_as(f->path, &regs, 0);
	state_close(&st);
	model_regs_free(&regs);
	model_regs_free(&back);
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *p = xmalloc(1 << 20);

	assert_non_null(fp);
	*len = fread(p, 1, (1 << 20) - 1, fp);
	p[*len] = '\0';
	fclose(fp);
	return p;
}

/* A compaction cut short: the journal (with or without its last line
 * naming the new snapshot) beside the old or the new snapshot: never
 * replayed twice, never lost. */
static void
test_compaction_cut_short(void **state)
{
	struct fixture *f = *state;
	struct state_store st;
	struct model_regs regs;
	char err[256], line[128], *journal, *snap;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t bad, jlen, slen, i;
	FILE *fp;

	model_regs_init(&regs);
	regs.released.hold = 100;
	assert_int_equal(state_open(&st, f->path, &regs, &bad, err,
	    sizeof(err)), 0);
	for (i = 0; i < 40; i++)
		random_event(&st, &regs, T0 + (int64_t)i);
	state_changed(&st);
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	for (i = 0; i < 40; i++)
		random_event(&st, &regs, T0 + 20 + (int64_t)i);
	(void)state_expire(&st, &regs, T0 + 60);
	assert_int_equal(state_commit(&st, &regs, err, sizeof(err)), 0);
	journal = read_all(f->jpath, &jlen);
	/* crash after the compacted line, before the snapshot moved */
	assert_int_equal(state_save(&st, &regs, err, sizeof(err)), 0);
	snap = read_all(f->path, &slen);
	for (i = 0; i < slen; i++)
		h = (h ^ (unsigned char)snap[i]) * 0x100000001b3ULL;
	(void)xsnprintf(line, sizeof(line), "{\"compacted\":\"%016" PRIx64
	    "\",\"bytes\":%zu}\n", h, slen);
	/* crash after the snapshot moved, before the journal went */
	fp = fopen(f->jpath, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(journal, 1, jlen, fp), jlen);
	assert_int_equal(fputs(line, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	loads_as(f->path, &regs, 0);
	/* the snapshot edited by hand since: the journal is replayed */
	append_text(f->path, " ");
	loads_as(f->path, &regs, 0);
	state_close(&st);
	free(journal);
	free(snap);
	model_regs_free(&regs);
}

/* load(snapshot) + replay(journal) = the state in memory, on random
 * sequences of events, expiries, compactions and restarts. */
static void
test_journal_random(void **state)
{
	struct fixture *f = *state;
	struct state_store st;
	struct model_regs mem, back;
	char err[256];
	size_t bad;
	int round, seed, k;

	for (seed = 1; seed <= 30; seed++) {
		srand((unsigned)seed);
		(void)unlink(f->path);
		(void)unlink(f->jpath);
		model_regs_init(&mem);
		mem.released.hold = 60;
		assert_int_equal(state_open(&st, f->path, &mem, &bad, err,
		    sizeof(err)), 0);
		for (round = 0; round < 60; round++) {
			for (k = rand() % 6; k > 0; k--)
				random_event(&st, &mem, T0 + round * 7);
			(void)state_expire(&st, &mem, T0 + round * 7);
			if (rand() % 10 == 0)
				state_changed(&st);
			if (rand() % 4 == 0)
				continue;	/* a failed pass: kept */
			assert_int_equal(state_commit(&st, &mem, err,
			    sizeof(err)), 0);
			loads_as(f->path, &mem, 0);
			if (rand() % 8 != 0)
				continue;
			/* a restart: memory is what the files hold */
			state_close(&st);
			model_regs_free(&mem);
			model_regs_init(&mem);
			mem.released.hold = 60;
			assert_int_equal(state_open(&st, f->path, &mem, &bad,
			    err, sizeof(err)), 0);
		}
		model_regs_init(&back);
		state_close(&st);
		model_regs_free(&mem);
		model_regs_free(&back);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journal_append, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_torn_tail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_bad_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_compaction_cut_short, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_random, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_error_named, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
