/*
 * test_krb.c - when credentials are renewed: renew_margin, clamped to half
 * the ticket's life (a margin as long as the life renewed on every pass).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "krb.h"

/* A credential held from start to end (no KDC: only the times matter). */
static void
held(struct krb *k, time_t start, time_t end)
{
	memset(k, 0, sizeof(*k));
	k->cred = (gss_cred_id_t)k;	/* anything but GSS_C_NO_CREDENTIAL */
	k->starttime = start;
	k->endtime = end;
}

static void
test_margin(void **state)
{
	struct krb k;

	(void)state;
	held(&k, 1000, 1000 + 36000);		/* 10 h */
	assert_int_equal(krb_margin(&k, 600), 600);
	assert_int_equal(krb_margin(&k, 18000), 18000);
	assert_int_equal(krb_margin(&k, 86400), 18000);
	held(&k, 1000, 1000 + 300);		/* 5 min, margin 10 min */
	assert_int_equal(krb_margin(&k, 600), 150);
	assert_int_equal(krb_margin(&k, 0), 0);
	held(&k, 1000, 1000 + 1);
	assert_int_equal(krb_margin(&k, 600), 0);
	held(&k, 0, 0);				/* nothing known yet */
	assert_int_equal(krb_margin(&k, 600), 600);
}

static void
test_stale(void **state)
{
	struct krb k;

	(void)state;
	held(&k, 1000, 1300);		/* 300 s tickets, renew_margin 600 */
	assert_false(krb_stale(&k, 1000, 600));	/* not right after */
	assert_false(krb_stale(&k, 1149, 600));
	assert_true(krb_stale(&k, 1150, 600));
	assert_int_equal(krb_renew_at(&k, 600), 1150);
	assert_int_equal(krb_renew_at(&k, 0), 1300);
	memset(&k, 0, sizeof(k));
	k.cred = GSS_C_NO_CREDENTIAL;
	assert_true(krb_stale(&k, 1000, 600));
	assert_int_equal(krb_renew_at(&k, 600), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_margin),
		cmocka_unit_test(test_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
