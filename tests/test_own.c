/*
 * test_own.c - the ownership record: written as JSON by hand (DNs with
 * quotes, backslashes and control bytes read back the same), the journal
 * replayed, the file rewritten once the journal lines outgrow it.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "own.h"
#include "xmem.h"

static const char odd[] = "DC=a\\\"q\\\\b,DC=x/y",
    ctl[] = "DC=c\x01\x1f,DC=z", grp[] = "CN=g1,OU=VM Groups";

struct fixture {
	char dir[64];
	char path[PATH_MAX];
	char jpath[PATH_MAX];
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	(void)xstrlcpy(f->dir, "/tmp/vmg-own-test.XXXXXX", sizeof(f->dir));
	if (mkdtemp(f->dir) == NULL ||
	    xsnprintf(f->path, sizeof(f->path), "%s/owned.json", f->dir) ==
	    -1 || xsnprintf(f->jpath, sizeof(f->jpath), "%s/owned.json.journal",
	    f->dir) == -1)
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

static void
vm_dn(char *dn, size_t len, int i)
{
	assert_int_equal(xsnprintf(dn, len, "DC=vm%d,DC=example.test,"
	    "CN=MicrosoftDNS,DC=DomainDnsZones,DC=example,DC=test", i), 0);
}

/* Odd DNs survive the file and the journal; many adds rewrite the file
 * (no journal lines queued for them), a few go to the journal. */
static void
test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct own o, p;
	char err[256], dn[256];
	int i;

	assert_int_equal(own_load(&o, f->path, err, sizeof(err)), 0);
	own_add(&o, OWN_NODE, odd);
	own_add(&o, OWN_NODE, ctl);
	own_add(&o, OWN_GROUP, grp);
	assert_int_equal(own_save(&o, err, sizeof(err)), 0);
	assert_int_equal(own_flush(&o, err, sizeof(err)), 0);
	for (i = 0; i < 5000; i++) {
		vm_dn(dn, sizeof(dn), i);
		own_add(&o, OWN_NODE, dn);
	}
	assert_int_equal(o.npending, 0);	/* outgrew the journal */
	assert_int_equal(own_save(&o, err, sizeof(err)), 0);
	assert_int_equal(access(f->jpath, F_OK), -1);
	vm_dn(dn, sizeof(dn), 7);
	own_del(&o, OWN_NODE, dn);
	own_add(&o, OWN_GROUP, "CN=g2,OU=VM Groups");
	assert_int_equal(own_save(&o, err, sizeof(err)), 0);
	assert_int_equal(access(f->jpath, F_OK), 0);	/* a journal line */
	assert_int_equal(own_load(&p, f->path, err, sizeof(err)), 0);
	assert_int_equal(own_count(&p, OWN_NODE), 5001);
	assert_int_equal(own_count(&p, OWN_GROUP), 2);
	assert_true(own_has(&p, OWN_NODE, odd));
	assert_true(own_has(&p, OWN_NODE, ctl));
	assert_false(own_has(&p, OWN_NODE, dn));
	assert_true(own_has(&p, OWN_GROUP, grp));
	assert_int_equal(own_flush(&p, err, sizeof(err)), 0);
	own_free(&p);
	assert_int_equal(own_load(&p, f->path, err, sizeof(err)), 0);
	assert_int_equal(own_count(&p, OWN_NODE), 5001);
	assert_true(own_has(&p, OWN_GROUP, "CN=g2,OU=VM Groups"));
	own_free(&p);
	own_free(&o);
}

/* path holds text; loaded: 0 or -1, counts of nodes and groups. */
static int
load_text(const char *path, const char *text, size_t *nodes, size_t *groups)
{
	char err[256];
	struct own o;
	FILE *fp;
	int rc;

	assert_non_null(fp = fopen(path, "w"));
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	rc = own_load(&o, path, err, sizeof(err));
	if (rc == 0) {
		*nodes = own_count(&o, OWN_NODE);
		*groups = own_count(&o, OWN_GROUP);
		assert_true(own_has(&o, OWN_NODE, "DC=a,DC=z"));
		own_free(&o);
	} else
		assert_non_null(strstr(err, "not an ownership record"));
	return rc;
}

/* The file as the writer leaves it is read line by line; any other JSON
 * object as json-c reads it; a damaged one is refused whole. */
static void
test_read_shapes(void **state)
{
	static const struct {
		const char *text;
		int rc;
		size_t nodes, groups;
	} files[] = {
		/* the writer's shape */
		{ "{\n  \"nodes\": [\n    \"DC=a,DC=z\",\n    \"DC=b,DC=z\"\n"
		    "  ],\n  \"groups\": []\n}\n", 0, 2, 0 },
		{ "{\n  \"nodes\": [\n    \"DC=a,DC=z\"\n  ],\n  \"groups\": [\n"
		    "    \"CN=g,OU=x\"\n  ]\n}\n", 0, 1, 1 },
		/* other shapes: one line, keys swapped, an escape; a space */
		{ "{\"groups\":[\"CN=g\"],\"nodes\":[\"DC=a,DC=z\","
		    "\"DC=\\u0063,DC=z\"]}", 0, 2, 1 },
		{ "{\n  \"nodes\": [\n    \"DC=a,DC=z\" ,\n    \"DC=b,DC=z\"\n"
		    "  ],\n  \"groups\": []\n}\n", 0, 2, 0 },
		/* cut short in the writer's shape: refused, not half read */
		{ "{\n  \"nodes\": [\n    \"DC=a,DC=z\",\n    \"DC=b,DC=z\"\n",
		    -1, 0, 0 },
		{ "[\"DC=a,DC=z\"]\n", -1, 0, 0 },
	};
	struct fixture *f = *state;
	size_t i, n, g;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		n = g = 0;
		assert_int_equal(load_text(f->path, files[i].text, &n, &g),
		    files[i].rc);
		assert_int_equal(n, files[i].nodes);
		assert_int_equal(g, files[i].groups);
	}
}

/* The DNs kept as a first RDN and a shared parent come back the same:
 * escaped commas, no comma, more parents than are shared; deletions in
 * the middle of probe runs; the list in strcmp's order. */
static void
test_shapes(void **state)
{
	static const char *const shapes[] = { "DC=a\\,b,DC=z", "DC=nocomma",
	    ",DC=empty", "DC=trail,", "DC=x\\\\,DC=y" };
	struct own o;
	const char **dns;
	char err[256], dn[128];
	size_t i, n;

	(void)state;
	assert_int_equal(own_load(&o, "", err, sizeof(err)), 0);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(xsnprintf(dn, sizeof(dn), "DC=n%zu,DC=p%zu",
		    i, i % 400), 0);
		own_add(&o, OWN_NODE, dn);
	}
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		own_add(&o, OWN_NODE, shapes[i]);
	for (i = 0; i < 3000; i += 3) {
		assert_int_equal(xsnprintf(dn, sizeof(dn), "DC=n%zu,DC=p%zu",
		    i, i % 400), 0);
		own_del(&o, OWN_NODE, dn);
	}
	assert_int_equal(own_count(&o, OWN_NODE), 2000 + 5);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(xsnprintf(dn, sizeof(dn), "DC=n%zu,DC=p%zu",
		    i, i % 400), 0);
		assert_int_equal(own_has(&o, OWN_NODE, dn), i % 3 != 0);
	}
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		assert_true(own_has(&o, OWN_NODE, shapes[i]));
	assert_false(own_has(&o, OWN_NODE, "DC=a\\,b"));
	assert_false(own_has(&o, OWN_NODE, "DC=n1,DC=p2"));
	dns = own_list(&o, OWN_NODE, &n);
	assert_int_equal(n, 2005);
	for (i = 1; i < n; i++)
		assert_true(strcmp(dns[i - 1], dns[i]) < 0);
	for (i = 0; i < n; i++)
		assert_true(own_has(&o, OWN_NODE, dns[i]));
	free(dns);
	own_free(&o);
}

/* The rest of dn after its first RDN (an escaped comma is no end). */
static const char *
rest_of(const char *dn)
{
	const char *c;

	for (c = dn; (c = strchr(c, ',')) != NULL; c++)
		if (c == dn || c[-1] != '\\')
			return c + 1;
	return NULL;
}

/* A walk under one parent gives exactly the DNs of the list whose rest is
 * that parent, shared parents or DNs kept whole alike. */
static void
test_walk_under(void **state)
{
	static const char *const parents[] = { "DC=p7", "DC=p399", "DC=z",
	    "DC=y", "", "DC=none" };
	struct own o;
	struct own_walk w;
	const char **dns, *dn, *r;
	char err[256], buf[128];
	size_t i, j, n, want, got;

	(void)state;
	assert_int_equal(own_load(&o, "", err, sizeof(err)), 0);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(xsnprintf(buf, sizeof(buf), "DC=n%zu,DC=p%zu",
		    i, i % 400), 0);
		own_add(&o, OWN_NODE, buf);
	}
	own_add(&o, OWN_NODE, "DC=a\\,b,DC=z");
	own_add(&o, OWN_NODE, "DC=x\\\\,DC=y");
	own_add(&o, OWN_NODE, "DC=trail,");
	dns = own_list(&o, OWN_NODE, &n);
	for (i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		for (j = want = 0; j < n; j++)
			want += (r = rest_of(dns[j])) != NULL &&
			    strcmp(r, parents[i]) == 0;
		got = own_walk_under(&w, &o, OWN_NODE, parents[i]);
		assert_int_equal(got, want);
		for (j = 0; (dn = own_walk_next(&w)) != NULL; j++) {
			assert_true(own_has(&o, OWN_NODE, dn));
			assert_non_null(rest_of(dn));
			assert_string_equal(rest_of(dn), parents[i]);
		}
		assert_int_equal(j, want);
		own_walk_end(&w);
	}
	assert_int_equal(own_walk_under(&w, &o, OWN_NODE, "DC=p7"), 8);
	own_walk_end(&w);
	free(dns);
	own_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    teardown),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test_setup_teardown(test_read_shapes, setup,
		    teardown),
		cmocka_unit_test(test_walk_under),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
