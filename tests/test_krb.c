/*
 * test_krb.c - when credentials are renewed: renew_margin, clamped to half
 * the ticket's life (a margin as long as the life renewed on every pass);
 * the krb5 configuration the context reads (krbprof.h): the system's file
 * with SPAKE and PKINIT left out unless the file configures clpreauth.
 */
#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "krb.h"
#include "krbprof.h"

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

/* A context over a krb5.conf holding text (KRB5_CONFIG); the values of
 * plugins/clpreauth/disable joined by spaces into out ("" if none). */
static void
disabled_with(const char *text, char *out, size_t outlen, char *realm,
    size_t realmlen)
{
	static const char *const path[] = { "plugins", "clpreauth", "disable",
	    NULL };
	char file[] = "/tmp/test_krb.XXXXXX", err[256], *r = NULL, **v = NULL;
	krb5_context ctx;
	profile_t base, p;
	FILE *f;
	int fd;
	size_t i;

	assert_true((fd = mkstemp(file)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(setenv("KRB5_CONFIG", file, 1), 0);
	assert_int_equal(krbprof_context(&ctx, &base, err, sizeof(err)), 0);
	out[0] = '\0';
	assert_int_equal(krb5_get_profile(ctx, &p), 0);
	if (profile_get_values(p, path, &v) == 0) {
		for (i = 0; v[i] != NULL; i++) {
			if (i > 0)
				(void)strncat(out, " ", outlen - strlen(out) - 1);
			(void)strncat(out, v[i], outlen - strlen(out) - 1);
		}
		profile_free_list(v);
	}
	profile_release(p);
	assert_int_equal(krb5_get_default_realm(ctx, &r), 0);
	(void)snprintf(realm, realmlen, "%s", r);
	krb5_free_default_realm(ctx, r);
	krb5_free_context(ctx);
	krbprof_free(base);
	(void)unlink(file);
	(void)unsetenv("KRB5_CONFIG");
}

static void
test_profile(void **state)
{
	char out[128], realm[64];

	(void)state;
	/* nothing said about clpreauth: SPAKE and PKINIT left out, the rest
	 * read from the file */
	disabled_with("[libdefaults]\n default_realm = ONE.TEST\n",
	    out, sizeof(out), realm, sizeof(realm));
	assert_string_equal(out, "spake pkinit");
	assert_string_equal(realm, "ONE.TEST");
	/* the file's own choice is followed as it is */
	disabled_with("[libdefaults]\n default_realm = TWO.TEST\n"
	    "[plugins]\n clpreauth = {\n  disable = otp\n }\n",
	    out, sizeof(out), realm, sizeof(realm));
	assert_string_equal(out, "otp");
	assert_string_equal(realm, "TWO.TEST");
	disabled_with("[libdefaults]\n default_realm = THREE.TEST\n"
	    "[plugins]\n clpreauth = {\n  enable_only = spake\n }\n",
	    out, sizeof(out), realm, sizeof(realm));
	assert_string_equal(out, "");
	assert_string_equal(realm, "THREE.TEST");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_margin),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
