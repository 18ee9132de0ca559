/*
 * buf.c - the one growable byte buffer (cf_buf, include/cfaug/util.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "cfaug/util.h"

int cf_buf_grow(cf_buf *b, size_t n)
{
	size_t max = b->max ? b->max : CF_BUF_MAX_DEFAULT, cap;
	char *p;

	if (n > max || b->len > max - n)
		return CF_ELIMIT;
	if (b->p && b->len + n < b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap <= b->len + n && cap <= SIZE_MAX / 2)
		cap *= 2;
	if (cap <= b->len + n || cap - 1 > max)   /* the memory bound is exact */
		cap = (max < SIZE_MAX ? max : b->len + n) + 1;
	if (!(p = realloc(b->p, cap)))
		return CF_ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int cf_buf_vprintf(cf_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return CF_EINTERNAL;
	if ((rc = cf_buf_reserve(b, (size_t)n)) < 0)
		return rc;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int cf_buf_printf(cf_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = cf_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void cf_buf_free(cf_buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
