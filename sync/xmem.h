/*
 * xmem.h - allocation that aborts on out-of-memory, and bounded string
 * helpers whose truncation is always reported to the caller.
 */
#ifndef VMG_XMEM_H
#define VMG_XMEM_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);

/* Copy src into dst of size dstsize; 0 on success, -1 if it did not fit
 * (dst then holds a truncated, terminated copy). */
int xstrlcpy(char *dst, const char *src, size_t dstsize);

/* snprintf that returns 0 on success, -1 on error or truncation. */
int xsnprintf(char *dst, size_t dstsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append to a string in a buffer; 0 on success, -1 on truncation. */
int xstrlcat(char *dst, const char *src, size_t dstsize);

#endif
