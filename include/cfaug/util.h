/*
 * cfaug/util.h - small helpers every layer may use (implemented in
 * pipeline/util/): hashing, UTF-8 validation and the one growable byte
 * buffer.  Declared here, below the
 * stage and reader headers that re-export them, so a utility never has to
 * include a header of a layer above it.
 */
#ifndef CFAUG_UTIL_H
#define CFAUG_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cfaug/cfaug.h"

/* splitmix64's finaliser: good low bits from any 64-bit value. */
static inline uint64_t cf_mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* FNV-1a over data[0..len), seeded, then cf_mix64 (pipeline/util/hash64.c).
 * Deterministic across machines: shards and samples derive from it. */
uint64_t cf_hash64(const void *data, size_t len, uint64_t seed);

/* Offset of the first byte of s[0..n) that is not part of valid UTF-8 (or
 * is a NUL byte: *nul is then set to 1), or n if all is valid
 * (pipeline/util/utf8.c). */
size_t cf_utf8_check(const char *s, size_t n, int *nul);

/*
 * cf_buf - the one growable byte buffer, with a hard cap (pipeline/util/
 * buf.c; like curl's dynbuf).  Nothing from the network or from input
 * grows without bound: every buffer has a cap (max; 0 means
 * CF_BUF_MAX_DEFAULT) and an append that would pass it fails with
 * CF_ELIMIT, leaving the buffer as it was.  Room for a terminating NUL is
 * always kept: after cf_buf_put/cf_buf_printf, p[len] is 0.  A zeroed
 * cf_buf (plus max) is an empty one; the caller owns p and frees it with
 * cf_buf_free (or takes it over and zeroes b).
 */
#define CF_BUF_MAX_DEFAULT ((size_t)1 << 31)

typedef struct cf_buf {
	char *p;
	size_t len, cap;
	size_t max;          /* hard cap on len: appending beyond it fails */
} cf_buf;

/* Make room for n more bytes (and the NUL) without passing the cap:
 * 0, CF_ELIMIT or CF_ENOMEM. */
int cf_buf_grow(cf_buf *b, size_t n);

static inline int cf_buf_reserve(cf_buf *b, size_t n)
{
	return n < b->cap - b->len ? 0 : cf_buf_grow(b, n);
}

/* Append s[0..n): 0, CF_ELIMIT or CF_ENOMEM. */
static inline int cf_buf_put(cf_buf *b, const void *s, size_t n)
{
	int rc = cf_buf_reserve(b, n);

	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Append formatted text: 0, CF_ELIMIT or CF_ENOMEM. */
int cf_buf_printf(cf_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cf_buf_vprintf(cf_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Free p and empty b (max stays); b may be NULL. */
void cf_buf_free(cf_buf *b);

#endif
