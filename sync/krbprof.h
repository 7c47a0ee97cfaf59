/*
 * krbprof.h - the krb5 configuration vmgroupd's Kerberos context reads:
 * the system's (krb5.conf, KRB5_CONFIG) with one default of its own.
 *
 * Unless krb5.conf says which client preauth modules to load ([plugins]
 * clpreauth: module, enable_only or disable), the SPAKE and PKINIT modules
 * are not loaded.  A keytab needs neither (its keys answer encrypted
 * timestamp and FAST challenges), AD offers neither, and loading them maps
 * OpenSSL's libcrypto into the daemon: about 1.5 MiB of resident memory
 * for nothing.  Every other setting is read from the system's files as
 * libkrb5 reads them.
 */
#ifndef VMG_KRBPROF_H
#define VMG_KRBPROF_H

#include <krb5.h>
#include <profile.h>
#include <stddef.h>

/* A context over the system's configuration with that default; *base is
 * the profile under it, released with krbprof_free after the context.
 * 0 / -1 with err. */
int krbprof_context(krb5_context *ctx, profile_t *base, char *err,
    size_t errlen);
void krbprof_free(profile_t base);

#endif
