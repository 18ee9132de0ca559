/*
 * json_parse.c - a validating JSON parser that builds jansson values
 * (pipeline/util/json_parse.h).
 *
 * Design: recursive descent straight over the input bytes, no tokenizer and
 * no copy of the input.  Strings are where the time goes (a JSONL record is
 * mostly one long text field), so find_special() skips 16 bytes at a time
 * (SSE2; 8 with a portable SWAR fallback) until a byte that is '"', '\\', a
 * control character or non-ASCII.  Non-ASCII sequences are checked as UTF-8
 * where they are met, so a string is read and validated in one pass and then
 * handed to jansson with json_stringn_nocheck.  A string without escapes is
 * passed to jansson straight from the input; one with escapes is decoded
 * into a scratch buffer (on the stack for small inputs, else one allocation
 * of n bytes, made at the first escape).  The scratch is a stack: an object
 * key stays in it while its value is parsed, and since a decoded string is
 * never longer than its source, n bytes always suffice.
 *
 * Limits: nesting depth CF_JSON_MAX_DEPTH (the recursion is bounded by it).
 * Failure: NULL with the first problem found, its kind and byte offset; any
 * value built so far is released.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_parse.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#if JSON_INTEGER_IS_LONG_LONG
#define JINT_MAX LLONG_MAX
#define JINT_MIN LLONG_MIN
#else
#define JINT_MAX LONG_MAX
#define JINT_MIN LONG_MIN
#endif

#define SCRATCH_STACK 4096    /* inputs up to this size decode on the stack */
#define NUMBUF 64             /* reals up to this length convert on the stack */

typedef struct parser {
	const unsigned char *base, *p, *end;
	cf_json_error *e;
	char *scratch;            /* NULL until the first escape */
	size_t top;               /* bytes of scratch held by pending strings */
	int heap;                 /* scratch was malloc'd */
	char stack[SCRATCH_STACK];
} parser;

static json_t *parse_value(parser *ps, int depth);

/* Record the problem at at (the first one wins) and return NULL. */
__attribute__((format(printf, 4, 5)))
static json_t *fail(parser *ps, int kind, const unsigned char *at,
                    const char *fmt, ...)
{
	va_list ap;

	if (ps->e && !ps->e->kind) {
		ps->e->kind = kind;
		ps->e->offset = (size_t)(at - ps->base);
		va_start(ap, fmt);
		vsnprintf(ps->e->msg, sizeof ps->e->msg, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

/* Length of the valid UTF-8 sequence whose lead byte (>= 0x80) is at s, or
 * 0: no overlongs, no UTF-16 surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t need;

	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0) lo = 0xA0;
		if (c == 0xED) hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0) lo = 0x90;
		if (c == 0xF4) hi = 0x8F;
	} else {
		return 0;
	}
	if ((size_t)(end - s) <= need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k <= need; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	return need + 1;
}

/* The byte at ps->p cannot start what was expected: say why, in the words
 * that fit the byte (end, NUL, bad UTF-8, or what). */
static json_t *unexpected(parser *ps, const char *what)
{
	const unsigned char *at = ps->p;

	if (at == ps->end)
		return fail(ps, CF_JSON_ESYNTAX, at, "unexpected end of input");
	if (*at == 0)
		return fail(ps, CF_JSON_ENUL, at, "NUL byte");
	if (*at >= 0x80 && !utf8_len(at, ps->end))
		return fail(ps, CF_JSON_EUTF8, at, "invalid UTF-8");
	if (what)
		return fail(ps, CF_JSON_ESYNTAX, at, "%s", what);
	if (*at < 0x20 || *at >= 0x7F)
		return fail(ps, CF_JSON_ESYNTAX, at, "unexpected byte 0x%02X", *at);
	return fail(ps, CF_JSON_ESYNTAX, at, "unexpected character '%c'", *at);
}

static inline void skip_ws(parser *ps)
{
	const unsigned char *p = ps->p;

	while (p < ps->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	ps->p = p;
}

/* First byte in [p, end) that a string scan must stop at: '"', '\\', below
 * 0x20 or at/above 0x80; end if none. */
static inline const unsigned char *find_special(const unsigned char *p,
                                                const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* signed compare: bytes >= 0x80 are negative, so < 0x20 too */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
		                                      _mm_cmpeq_epi8(v, bslash)),
		                         _mm_cmplt_epi8(v, space));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);

		if (bits)
			return p + __builtin_ctz(bits);
		p += 16;
	}
#else
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (end - p >= 8) {
		uint64_t v, q, b;

		memcpy(&v, p, 8);
		q = v ^ (ones * '"');
		b = v ^ (ones * '\\');
		/* a byte of q/b is zero, a byte of v is < 0x20, or its top bit is set */
		if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((v - ones * 0x20) & ~v) | v)
		    & highs)
			break;          /* the byte loop below finds which one */
		p += 8;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && *p >= 0x20 && *p < 0x80)
		p++;
	return p;
}

static int hex4(const unsigned char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned c = s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static unsigned char *put_utf8(unsigned char *d, unsigned cp)
{
	if (cp < 0x80) {
		*d++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*d++ = (unsigned char)(0xC0 | cp >> 6);
		*d++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*d++ = (unsigned char)(0xE0 | cp >> 12);
		*d++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		*d++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else {
		*d++ = (unsigned char)(0xF0 | cp >> 18);
		*d++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		*d++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		*d++ = (unsigned char)(0x80 | (cp & 0x3F));
	}
	return d;
}

/* Decode the escape at s (s[0] is '\\', s[1] exists) into *d.  Returns
 * the bytes of source used, or 0 after fail(). */
static size_t unescape(parser *ps, const unsigned char *s, unsigned char **d)
{
	const unsigned char *end = ps->end;
	unsigned cp, lo;

	switch (s[1]) {
	case '"':  *(*d)++ = '"';  return 2;
	case '\\': *(*d)++ = '\\'; return 2;
	case '/':  *(*d)++ = '/';  return 2;
	case 'b':  *(*d)++ = '\b'; return 2;
	case 'f':  *(*d)++ = '\f'; return 2;
	case 'n':  *(*d)++ = '\n'; return 2;
	case 'r':  *(*d)++ = '\r'; return 2;
	case 't':  *(*d)++ = '\t'; return 2;
	case 'u':  break;
	default:
		fail(ps, CF_JSON_ESYNTAX, s, "invalid escape");
		return 0;
	}
	if (end - s < 6 || hex4(s + 2, &cp)) {
		fail(ps, CF_JSON_ESYNTAX, s, "invalid \\u escape");
		return 0;
	}
	if (cp == 0) {
		/* jansson refuses it too: C strings downstream would be cut */
		fail(ps, CF_JSON_ESYNTAX, s, "\\u0000 is not allowed");
		return 0;
	}
	if (cp < 0xD800 || cp > 0xDFFF) {
		*d = put_utf8(*d, cp);
		return 6;
	}
	if (cp >= 0xDC00 || end - s < 12 || s[6] != '\\' || s[7] != 'u' ||
	    hex4(s + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
		fail(ps, CF_JSON_ESYNTAX, s, "invalid Unicode escape (lone surrogate)");
		return 0;
	}
	*d = put_utf8(*d, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
	return 12;
}

/* Read the string whose opening quote is at ps->p.  On success *out and
 * *len hold its decoded bytes: in the input when it has no escapes, else in
 * the scratch at the old ps->top, which is moved past them (the caller puts
 * it back when done with the string).  Returns 0, or -1 after fail(). */
static int parse_string(parser *ps, const char **out, size_t *len)
{
	const unsigned char *open = ps->p, *s = open + 1, *q, *end = ps->end;
	unsigned char *d = NULL, *d0 = NULL;
	size_t k;

	for (;;) {
		q = find_special(s, end);
		if (d) {
			memcpy(d, s, (size_t)(q - s));
			d += q - s;
		}
		if (q == end)
			goto unterminated;
		if (*q == '"')
			break;
		if (*q >= 0x80) {
			if (!(k = utf8_len(q, end))) {
				fail(ps, CF_JSON_EUTF8, q, "invalid UTF-8");
				return -1;
			}
			if (d) {
				memcpy(d, q, k);
				d += k;
			}
			s = q + k;
			continue;
		}
		if (*q == '\\') {
			if (!d) {
				/* first escape: move what came before it to the scratch */
				if (!ps->scratch) {
					size_t n = (size_t)(end - ps->base);

					if (n <= sizeof ps->stack) {
						ps->scratch = ps->stack;
					} else if ((ps->scratch = malloc(n))) {
						ps->heap = 1;
					} else {
						fail(ps, CF_JSON_ENOMEM, q, "out of memory");
						return -1;
					}
				}
				d = d0 = (unsigned char *)ps->scratch + ps->top;
				memcpy(d, open + 1, (size_t)(q - open - 1));
				d += q - open - 1;
			}
			if (end - q < 2)
				goto unterminated;
			if (!(k = unescape(ps, q, &d)))
				return -1;
			s = q + k;
			continue;
		}
		if (*q == 0)
			fail(ps, CF_JSON_ENUL, q, "NUL byte in string");
		else
			fail(ps, CF_JSON_ESYNTAX, q, "control character 0x%02X in string", *q);
		return -1;
	}
	if (d) {
		*out = (const char *)d0;
		*len = (size_t)(d - d0);
		ps->top += *len;
	} else {
		*out = (const char *)(open + 1);
		*len = (size_t)(q - open - 1);
	}
	ps->p = q + 1;
	return 0;

unterminated:
	fail(ps, CF_JSON_ESYNTAX, open, "unterminated string");
	return -1;
}

static json_t *string_value(parser *ps)
{
	size_t mark = ps->top, len;
	const char *s;
	json_t *j;

	if (parse_string(ps, &s, &len))
		return NULL;
	j = json_stringn_nocheck(s, len);
	ps->top = mark;
	if (!j)
		return fail(ps, CF_JSON_ENOMEM, ps->p, "out of memory");
	return j;
}

/* strtod on s[0..len), which is a valid JSON real.  It is copied because
 * the input is not NUL-terminated, and its '.' becomes the locale's decimal
 * point, as jansson does, since strtod follows LC_NUMERIC. */
static int to_double(const unsigned char *s, size_t len, double *out)
{
	char stackbuf[NUMBUF], *buf = stackbuf, *dot;
	char dp = localeconv()->decimal_point[0];
	int rc = 0;

	if (len >= sizeof stackbuf && !(buf = malloc(len + 1)))
		return CF_JSON_ENOMEM;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (dp && dp != '.' && (dot = memchr(buf, '.', len)))
		*dot = dp;
	errno = 0;
	*out = strtod(buf, NULL);
	if ((*out == HUGE_VAL || *out == -HUGE_VAL) && errno == ERANGE)
		rc = CF_JSON_ERANGE;
	if (buf != stackbuf)
		free(buf);
	return rc;
}

static json_t *number_value(parser *ps)
{
	const unsigned char *start = ps->p, *p = start, *end = ps->end, *digits;
	int neg = 0, real = 0, rc;
	uint64_t v = 0, limit;
	double dv;
	json_t *j;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	digits = p;
	if (p == end || *p < '0' || *p > '9')
		goto bad;
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			goto bad;           /* leading zero */
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && *p == '.') {
		real = 1;
		if (++p == end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = 1;
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	ps->p = p;

	if (real) {
		if ((rc = to_double(start, (size_t)(p - start), &dv)) == CF_JSON_ENOMEM)
			return fail(ps, rc, start, "out of memory");
		if (rc)
			return fail(ps, rc, start, "real number overflow");
		j = json_real(dv);
	} else {
		limit = neg ? (uint64_t)JINT_MAX + 1 : (uint64_t)JINT_MAX;
		for (const unsigned char *d = digits; d < p; d++) {
			unsigned dig = *d - '0';

			if (v > (limit - dig) / 10)
				return fail(ps, CF_JSON_ERANGE, start, "integer overflow");
			v = v * 10 + dig;
		}
		if (!neg)
			j = json_integer((json_int_t)v);
		else if (v == (uint64_t)JINT_MAX + 1)
			j = json_integer(JINT_MIN);
		else
			j = json_integer(-(json_int_t)v);
	}
	if (!j)
		return fail(ps, CF_JSON_ENOMEM, start, "out of memory");
	return j;

bad:
	ps->p = p;
	return p == end ? unexpected(ps, NULL)
	                : fail(ps, CF_JSON_ESYNTAX, p, "invalid number");
}

static json_t *literal(parser *ps, const char *word, size_t len, json_t *v)
{
	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len))
		return fail(ps, CF_JSON_ESYNTAX, ps->p, "invalid literal");
	ps->p += len;
	return v;
}

static json_t *parse_object(parser *ps, int depth)
{
	json_t *obj = json_object(), *v;
	size_t mark = ps->top, klen;
	const char *key;

	if (!obj)
		return fail(ps, CF_JSON_ENOMEM, ps->p, "out of memory");
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return obj;
	}
	for (;;) {
		if (ps->p == ps->end || *ps->p != '"') {
			unexpected(ps, "expected a string key");
			goto fail;
		}
		if (parse_string(ps, &key, &klen))
			goto fail;
		skip_ws(ps);
		if (ps->p == ps->end || *ps->p != ':') {
			unexpected(ps, "expected ':'");
			goto fail;
		}
		ps->p++;
		skip_ws(ps);
		if (!(v = parse_value(ps, depth)))
			goto fail;
		/* steals v, also on failure; the last of duplicate keys wins */
		if (json_object_setn_new_nocheck(obj, key, klen, v)) {
			fail(ps, CF_JSON_ENOMEM, ps->p, "out of memory");
			goto fail;
		}
		ps->top = mark;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return obj;
		}
		unexpected(ps, "expected ',' or '}'");
		goto fail;
	}
fail:
	ps->top = mark;
	json_decref(obj);
	return NULL;
}

static json_t *parse_array(parser *ps, int depth)
{
	json_t *arr = json_array(), *v;

	if (!arr)
		return fail(ps, CF_JSON_ENOMEM, ps->p, "out of memory");
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return arr;
	}
	for (;;) {
		if (!(v = parse_value(ps, depth)))
			goto fail;
		if (json_array_append_new(arr, v)) {     /* steals v */
			fail(ps, CF_JSON_ENOMEM, ps->p, "out of memory");
			goto fail;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return arr;
		}
		unexpected(ps, "expected ',' or ']'");
		goto fail;
	}
fail:
	json_decref(arr);
	return NULL;
}

/* The value at ps->p (whitespace already skipped); depth counts the arrays
 * and objects it is inside. */
static json_t *parse_value(parser *ps, int depth)
{
	if (ps->p == ps->end)
		return unexpected(ps, NULL);
	switch (*ps->p) {
	case '"':
		return string_value(ps);
	case '{':
	case '[':
		if (depth >= CF_JSON_MAX_DEPTH)
			return fail(ps, CF_JSON_EDEPTH, ps->p, "nesting too deep");
		return *ps->p == '{' ? parse_object(ps, depth + 1)
		                     : parse_array(ps, depth + 1);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return number_value(ps);
	case 't':
		return literal(ps, "true", 4, json_true());
	case 'f':
		return literal(ps, "false", 5, json_false());
	case 'n':
		return literal(ps, "null", 4, json_null());
	default:
		return unexpected(ps, NULL);
	}
}

json_t *cf_json_parse(const char *p, size_t n, cf_json_error *e)
{
	parser ps;
	json_t *j;

	ps.base = ps.p = (const unsigned char *)p;
	ps.end = ps.base + n;
	ps.e = e;
	ps.scratch = NULL;
	ps.top = 0;
	ps.heap = 0;
	if (e) {
		e->kind = 0;
		e->offset = 0;
		e->msg[0] = '\0';
	}
	skip_ws(&ps);
	if ((j = parse_value(&ps, 0))) {
		skip_ws(&ps);
		if (ps.p != ps.end) {
			unexpected(&ps, "trailing characters");
			json_decref(j);
			j = NULL;
		}
	}
	if (ps.heap)
		free(ps.scratch);
	return j;
}
