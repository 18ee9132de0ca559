/*
 * json_write.c - see json_write.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_write.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* -1 when the buffer cannot take n more bytes (out of memory, over the cap) */
static inline int reserve(cf_jbuf *b, size_t n)
{
	return cf_buf_reserve(b, n) < 0 ? -1 : 0;
}

/* Does any byte of the 8 in w need escaping ('"', '\\' or < 0x20)? */
static inline int word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
	uint64_t ctl = (w - ones * 0x20) & ~w;          /* bytes < 0x20 */
	uint64_t zq = (q - ones) & ~q, zb = (bs - ones) & ~bs;

	return ((ctl | zq | zb) & high) != 0;
}

int cf_json_write_string(cf_jbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, run;
	uint64_t w;
	char *o;

	/* worst case: every byte becomes \u00XX */
	if (reserve(b, n * 6 + 2) < 0)
		return -1;
	o = b->p + b->len;
	*o++ = '"';
	while (i < n) {
		run = i;
#if defined(__SSE2__)
		while (i + 16 <= n) {   /* '"', '\\' or < 0x20 among 16 bytes? */
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			__m128i m = _mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
				             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
				_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
			if (_mm_movemask_epi8(m))
				break;
			i += 16;
		}
#endif
		while (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (word_needs_escape(w))
				break;
			i += 8;
		}
		while (i < n) {
			unsigned char c = (unsigned char)s[i];
			if (c == '"' || c == '\\' || c < 0x20)
				break;
			i++;
		}
		memcpy(o, s + run, i - run);
		o += i - run;
		if (i == n)
			break;
		{
			unsigned char c = (unsigned char)s[i++];
			*o++ = '\\';
			switch (c) {
			case '"':  *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\b': *o++ = 'b'; break;
			case '\f': *o++ = 'f'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				*o++ = 'u'; *o++ = '0'; *o++ = '0';
				*o++ = hex[c >> 4]; *o++ = hex[c & 15];
			}
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	return 0;
}

/* A real as jansson writes it with JSON_REAL_PRECISION(10): %.10g, with
 * ".0" added when it would read back as an integer. */
static int write_real(cf_jbuf *b, double d)
{
	char buf[64];
	int n;

	if (d != d || d - d != 0)
		return -1;      /* NaN or infinity: not JSON */
	n = snprintf(buf, sizeof buf, "%.10g", d);
	if (n < 0 || (size_t)n >= sizeof buf - 3)
		return -1;
	if (!strpbrk(buf, ".eE")) {
		buf[n++] = '.';
		buf[n++] = '0';
	}
	return cf_jbuf_put(b, buf, (size_t)n);
}

/* i in decimal, right-aligned at the end of buf[32]; returns its length.
 * Provenance holds many integers (edit offsets): printf was 5% of a run. */
static int write_int(char *buf, json_int_t i)
{
	unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
	char *p = buf + 32;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (i < 0)
		*--p = '-';
	return (int)(buf + 32 - p);
}

int cf_json_write_int(cf_jbuf *b, json_int_t i)
{
	char buf[32];
	int n = write_int(buf, i);

	return cf_jbuf_put(b, buf + sizeof buf - n, (size_t)n);
}

int cf_json_write(cf_jbuf *b, const json_t *v)
{
	char buf[32];
	const char *key;
	json_t *val;
	size_t i, first = 1;
	int n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (cf_jbuf_put(b, "{", 1) < 0)
			return -1;
		json_object_foreach((json_t *)v, key, val) {
			if (!first && cf_jbuf_put(b, ",", 1) < 0)
				return -1;
			first = 0;
			if (cf_json_write_string(b, key, strlen(key)) < 0 ||
			    cf_jbuf_put(b, ":", 1) < 0 || cf_json_write(b, val) < 0)
				return -1;
		}
		return cf_jbuf_put(b, "}", 1);
	case JSON_ARRAY:
		if (cf_jbuf_put(b, "[", 1) < 0)
			return -1;
		for (i = 0; i < json_array_size(v); i++) {
			if ((i && cf_jbuf_put(b, ",", 1) < 0) ||
			    cf_json_write(b, json_array_get(v, i)) < 0)
				return -1;
		}
		return cf_jbuf_put(b, "]", 1);
	case JSON_STRING:
		return cf_json_write_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		n = write_int(buf, json_integer_value(v));
		return cf_jbuf_put(b, buf + sizeof buf - n, (size_t)n);
	case JSON_REAL:
		return write_real(b, json_real_value(v));
	case JSON_TRUE:
		return cf_jbuf_put(b, "true", 4);
	case JSON_FALSE:
		return cf_jbuf_put(b, "false", 5);
	case JSON_NULL:
		return cf_jbuf_put(b, "null", 4);
	}
	return -1;
}
