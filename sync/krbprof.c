/*
 * krbprof.c - the system's krb5 profile seen through a profile vtable
 * (profile_init_vtable, <profile.h>) that adds one default: the SPAKE and
 * PKINIT client preauth modules are disabled unless krb5.conf configures
 * the clpreauth interface itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "krbprof.h"
#include "xmem.h"

static const char *const krbprof_disabled[] = { "spake", "pkinit" };

struct krbprof_iter {
	void *it;			/* the base profile's iterator */
};

/* names is plugins/clpreauth/<rel>. */
static int
krbprof_is(const char *const *names, const char *rel)
{
	return names[0] != NULL && strcmp(names[0], "plugins") == 0 &&
	    names[1] != NULL && strcmp(names[1], "clpreauth") == 0 &&
	    names[2] != NULL && strcmp(names[2], rel) == 0 && names[3] == NULL;
}

/* The system's configuration names clpreauth modules (any of the three
 * relations): then it is followed as it is. */
static int
krbprof_configured(profile_t base)
{
	static const char *const rels[] = { "module", "enable_only",
	    "disable" };
	const char *names[4] = { "plugins", "clpreauth", NULL, NULL };
	char **v;
	size_t i;

	for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		names[2] = rels[i];
		if (profile_get_values(base, names, &v) == 0) {
			profile_free_list(v);
			return 1;
		}
	}
	return 0;
}

static long
krbprof_get_values(void *cb, const char *const *names, char ***ret)
{
	size_t i, n = sizeof(krbprof_disabled) / sizeof(krbprof_disabled[0]);
	char **v;

	if (!krbprof_is(names, "disable") || krbprof_configured(cb))
		return profile_get_values(cb, names, ret);
	/* freed with profile_free_list: malloc'd strings, NULL at the end */
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = xstrdup(krbprof_disabled[i]);
	*ret = v;
	return 0;
}

static void
krbprof_free_values(void *cb, char **values)
{
	(void)cb;
	profile_free_list(values);
}

static long
krbprof_iter_create(void *cb, const char *const *names, int flags,
    void **ret)
{
	struct krbprof_iter *i = xcalloc(1, sizeof(*i));
	long code;

	if ((code = profile_iterator_create(cb, names, flags, &i->it)) != 0) {
		free(i);
		return code;
	}
	*ret = i;
	return 0;
}

static long
krbprof_iter_next(void *cb, void *iter, char **name, char **value)
{
	struct krbprof_iter *i = iter;

	(void)cb;
	return profile_iterator(&i->it, name, value);
}

static void
krbprof_iter_free(void *cb, void *iter)
{
	struct krbprof_iter *i = iter;

	(void)cb;
	profile_iterator_free(&i->it);
	free(i);
}

static void
krbprof_free_string(void *cb, char *s)
{
	(void)cb;
	profile_release_string(s);
}

int
krbprof_context(krb5_context *ctx, profile_t *base, char *err, size_t errlen)
{
	/* no copy and no cleanup: copies share the base, which the caller
	 * releases after the context (krbprof_free) */
	static struct profile_vtable vt = {
		1, krbprof_get_values, krbprof_free_values, NULL, NULL,
		krbprof_iter_create, krbprof_iter_next, krbprof_iter_free,
		krbprof_free_string, NULL, NULL, NULL, NULL, NULL, NULL
	};
	krb5_context sys = NULL;
	profile_t prof = NULL;
	krb5_error_code code;
	int rc = -1;

	*ctx = NULL;
	*base = NULL;
	if ((code = krb5_init_context(&sys)) != 0 ||
	    (code = krb5_get_profile(sys, base)) != 0) {
		(void)xsnprintf(err, errlen, "Kerberos configuration: %s",
		    error_message(code));
		goto out;
	}
	if ((code = profile_init_vtable(&vt, *base, &prof)) != 0 ||
	    (code = krb5_init_context_profile(prof, 0, ctx)) != 0) {
		(void)xsnprintf(err, errlen, "Kerberos context: %s",
		    error_message(code));
		*ctx = NULL;
		goto out;
	}
	rc = 0;
out:
	if (prof != NULL)
		profile_release(prof);
	if (sys != NULL)
		krb5_free_context(sys);
	if (rc == -1 && *base != NULL) {
		profile_release(*base);
		*base = NULL;
	}
	return rc;
}

void
krbprof_free(profile_t base)
{
	if (base != NULL)
		profile_release(base);
}
