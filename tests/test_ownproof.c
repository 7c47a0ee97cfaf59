/*
 * test_ownproof.c - the verdict on a node from what the directory says of
 * it (ownproof.h's table), row by row.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dnsrec.h"
#include "ownproof.h"
#include "ownrec.h"
#include "xmem.h"

static uint8_t vals[3][DNSREC_BUF];

/* A node holding a PTR and, unless host is NULL, an owner value. */
static void
node_make(struct dir_node *n, struct dir_value *v, enum dir_owner owner,
    int tomb, const char *host, int64_t t)
{
	uint8_t raw[OWNREC_RAW_BUF];
	struct dnsrec rec;
	size_t len;

	memset(n, 0, sizeof(*n));
	n->exists = 1;
	n->tombstoned = tomb;
	n->owner = owner;
	n->values = v;
	dnsrec_init(&rec, DNSREC_TYPE_PTR, 1, 300, 0);
	assert_int_equal(xstrlcpy(rec.u.name, "vm1.example.test",
	    sizeof(rec.u.name)), 0);
	assert_int_equal(dnsrec_encode(&rec, vals[0], DNSREC_BUF, &len), 0);
	v[n->nvalues++] = (struct dir_value){ vals[0], len };
	if (host == NULL)
		return;
	dnsrec_init(&rec, DNSREC_TYPE_TXT, 1, 300, 0);
	assert_int_equal(ownrec_encode(&rec, host, t, raw), 0);
	assert_int_equal(dnsrec_encode(&rec, vals[1], DNSREC_BUF, &len), 0);
	v[n->nvalues++] = (struct dir_value){ vals[1], len };
}

static enum ownproof
judge(enum dir_owner owner, int owned, int tomb, const char *held_host,
    int64_t held_t, int64_t want_t)
{
	struct dir_value v[3];
	struct dir_node n;
	struct ownrec held;

	node_make(&n, v, owner, tomb, held_host, held_t);
	return ownproof_judge(&n, owned, "hv2", want_t, &held);
}

static void
test_table(void **state)
{
	struct dir_node none = { 0 };
	struct ownrec held;

	(void)state;
	/* absent: create it */
	assert_int_equal(ownproof_judge(&none, 0, "hv2", 5, &held),
	    OWNPROOF_OURS);
	/* a tombstone: free if vmgroupd's, else never */
	assert_int_equal(judge(DIR_OWNER_SELF, 0, 1, NULL, 0, 5), OWNPROOF_OURS);
	assert_int_equal(judge(DIR_OWNER_OTHER, 0, 1, NULL, 0, 5),
	    OWNPROOF_FOREIGN);
	assert_int_equal(judge(DIR_OWNER_UNKNOWN, 1, 1, NULL, 0, 5),
	    OWNPROOF_OURS);
	/* this host's owner value */
	assert_int_equal(judge(DIR_OWNER_SELF, 0, 0, "hv2", 9, 5), OWNPROOF_OURS);
	assert_int_equal(judge(DIR_OWNER_OTHER, 0, 0, "hv2", 9, 5),
	    OWNPROOF_FOREIGN);		/* forged: someone else's node */
	assert_int_equal(judge(DIR_OWNER_UNKNOWN, 0, 0, "hv2", 9, 5),
	    OWNPROOF_FOREIGN);		/* cannot tell: the record decides */
	assert_int_equal(judge(DIR_OWNER_UNKNOWN, 1, 0, "hv2", 9, 5),
	    OWNPROOF_OURS);
	/* another host's: taken over only by a newer registration */
	assert_int_equal(judge(DIR_OWNER_SELF, 0, 0, "hv1", 4, 5), OWNPROOF_TAKE);
	assert_int_equal(judge(DIR_OWNER_SELF, 0, 0, "hv1", 5, 5), OWNPROOF_HELD);
	assert_int_equal(judge(DIR_OWNER_SELF, 1, 0, "hv1", 6, 5), OWNPROOF_HELD);
	assert_int_equal(judge(DIR_OWNER_SELF, 1, 0, "hv1", 6, -1),
	    OWNPROOF_HELD);		/* unwanted: left to hv1 */
	assert_int_equal(judge(DIR_OWNER_OTHER, 0, 0, "hv1", 4, 5),
	    OWNPROOF_FOREIGN);
	/* no owner value: the local record alone (written before them) */
	assert_int_equal(judge(DIR_OWNER_SELF, 1, 0, NULL, 0, 5), OWNPROOF_OURS);
	assert_int_equal(judge(DIR_OWNER_SELF, 0, 0, NULL, 0, 5),
	    OWNPROOF_FOREIGN);
}

static void
test_scan(void **state)
{
	struct dir_value v[3];
	struct dir_node n;

	(void)state;
	node_make(&n, v, DIR_OWNER_SELF, 0, "hv2", 3);
	assert_int_equal(ownproof_scan(&n, 0, "hv2"), 1);	/* rebuilt */
	assert_int_equal(ownproof_scan(&n, 1, "hv2"), 0);
	assert_int_equal(ownproof_scan(&n, 1, "hv1"), -1);	/* taken */
	assert_int_equal(ownproof_scan(&n, 0, "hv1"), 0);
	n.owner = DIR_OWNER_OTHER;
	assert_int_equal(ownproof_scan(&n, 0, "hv2"), 0);	/* forged */
	n.owner = DIR_OWNER_UNKNOWN;				/* not read */
	assert_int_equal(ownproof_scan(&n, 0, "hv2"), 2);
	assert_int_equal(ownproof_scan(&n, 1, "hv1"), -1);
	node_make(&n, v, DIR_OWNER_SELF, 0, NULL, 0);
	assert_int_equal(ownproof_scan(&n, 1, "hv2"), 0);
	/* two owner values: proof of nothing */
	node_make(&n, v, DIR_OWNER_SELF, 0, "hv2", 3);
	v[n.nvalues++] = v[1];
	assert_int_equal(ownproof_scan(&n, 0, "hv2"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
