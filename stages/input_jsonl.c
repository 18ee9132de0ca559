/*
 * input_jsonl.c - JSON Lines reader: one JSON object per physical line.
 *
 * Consumes lines from the shared line reader (stages/input.c) and emits each
 * as the object jansson parses from it; the OK record's text is the exact
 * line (no newline, no trailing '\r') so a writer can pass it through.
 * Whitespace-only lines are skipped but counted as lines.  A line that is
 * not an object, not JSON, holds a NUL byte or invalid UTF-8, or is longer
 * than max_record_bytes is a bad record; reading goes on with the next line.
 *
 * Speed: json_loadb reads about 80 MB/s on review-sized lines, too slow for
 * the pipeline's target, so lines go first through a small strict parser
 * here (word-at-a-time string scanning, values built with jansson's own
 * constructors) that runs several times faster.  It accepts only what
 * jansson accepts and builds the same values; anything it is unsure of (an
 * error, \u0000, lone surrogates, big numbers, deep nesting, a top level
 * other than an object) is handed to json_loadb, whose verdict and message
 * are the ones reported.  State: one scratch buffer of max_record_bytes for
 * unescaped strings and keys.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "input.h"

#define FAST_MAX_DEPTH 256      /* deeper lines go to jansson (limit 2048) */

typedef struct jsonl { char *scratch; } jsonl;

/* The fast parser's cursor; scratch is used as a stack: keys on the path
 * from the root stay below top while their value is parsed. */
typedef struct jp {
	const char *p, *e;
	char *scratch;
	int depth;
} jp;

static json_t *fast_value(jp *j, size_t top);

static inline void skip_ws(jp *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' ||
	                       *j->p == '\n'))
		j->p++;
}

/* 1 if any of the 8 bytes in w is '"', '\\' or a control byte < 0x20. */
static inline int word_stops(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w))
	       & highs ? 1 : 0;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

/* A string at j->p (after its opening quote).  The line is valid UTF-8
 * already.  Returns its bytes in s and n: in the input when it has no escape,
 * else unescaped into scratch + top.  -1 for anything to leave to jansson. */
static int fast_string(jp *j, size_t top, const char **s, size_t *n)
{
	const char *p = j->p, *e = j->e, *run;
	char *o = NULL;
	unsigned cp, lo;
	uint64_t w;

	for (;;) {
		run = p;
		while (p + 8 <= e) {
			memcpy(&w, p, 8);
			if (word_stops(w))
				break;
			p += 8;
		}
		while (p < e && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			p++;
		if (p >= e || (unsigned char)*p < 0x20)
			return -1;
		if (o) {
			memcpy(o, run, (size_t)(p - run));
			o += p - run;
		}
		if (*p == '"')
			break;
		/* an escape: from now on the string is built in scratch */
		if (!o) {
			o = j->scratch + top;
			memcpy(o, j->p, (size_t)(p - j->p));
			o += p - j->p;
		}
		if (e - p < 2)
			return -1;
		switch (p[1]) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (e - p < 6 || hex4(p + 2, &cp) < 0 || cp == 0)
				return -1;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return -1;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (e - p < 12 || p[6] != '\\' || p[7] != 'u' ||
				    hex4(p + 8, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xC0 | (cp >> 6));
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				*o++ = (char)(0xE0 | (cp >> 12));
				*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else {
				*o++ = (char)(0xF0 | (cp >> 18));
				*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
				*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			}
			p += 4;
			break;
		default:
			return -1;
		}
		p += 2;
	}
	if (o) {
		*s = j->scratch + top;
		*n = (size_t)(o - *s);
	} else {
		*s = j->p;
		*n = (size_t)(p - j->p);
	}
	j->p = p + 1;
	return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A number, by the JSON grammar; integers as json_int_t like jansson,
 * others as double.  Overflow and odd lengths go to jansson. */
static json_t *fast_number(jp *j)
{
	const char *p = j->p, *e = j->e, *start = p;
	char tok[64], *end;
	int real = 0;
	size_t n;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && is_digit(*p))
		while (p < e && is_digit(*p))
			p++;
	else
		return NULL;
	if (p < e && *p == '.') {
		real = 1;
		if (++p >= e || !is_digit(*p))
			return NULL;
		while (p < e && is_digit(*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		real = 1;
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || !is_digit(*p))
			return NULL;
		while (p < e && is_digit(*p))
			p++;
	}
	n = (size_t)(p - start);
	if (n >= sizeof tok)
		return NULL;
	memcpy(tok, start, n);
	tok[n] = '\0';
	errno = 0;
	j->p = p;
	if (!real) {
		long long v = strtoll(tok, &end, 10);

		if (errno || end != tok + n)
			return NULL;
		return json_integer((json_int_t)v);
	} else {
		double v = strtod(tok, &end);

		/* a locale with another decimal point stops strtod early */
		if (end != tok + n || isinf(v))
			return NULL;
		return json_real(v);
	}
}

static json_t *fast_object(jp *j, size_t top)
{
	json_t *obj = json_object(), *v;
	const char *k;
	size_t kn;
	char *key;

	if (!obj)
		return NULL;
	j->p++;                                 /* '{' */
	skip_ws(j);
	if (j->p < j->e && *j->p == '}') {
		j->p++;
		return obj;
	}
	for (;;) {
		skip_ws(j);
		if (j->p >= j->e || *j->p != '"')
			goto fail;
		j->p++;
		if (fast_string(j, top, &k, &kn) < 0)
			goto fail;
		/* the key must outlive the value's parse: keep it on the stack */
		key = j->scratch + top;
		memmove(key, k, kn);
		key[kn] = '\0';
		skip_ws(j);
		if (j->p >= j->e || *j->p != ':')
			goto fail;
		j->p++;
		skip_ws(j);
		if (!(v = fast_value(j, top + kn + 1)))
			goto fail;
		if (json_object_set_new_nocheck(obj, key, v) < 0)
			goto fail;
		skip_ws(j);
		if (j->p < j->e && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->e && *j->p == '}') {
			j->p++;
			return obj;
		}
		goto fail;
	}
fail:
	json_decref(obj);
	return NULL;
}

static json_t *fast_array(jp *j, size_t top)
{
	json_t *arr = json_array(), *v;

	if (!arr)
		return NULL;
	j->p++;                                 /* '[' */
	skip_ws(j);
	if (j->p < j->e && *j->p == ']') {
		j->p++;
		return arr;
	}
	for (;;) {
		skip_ws(j);
		if (!(v = fast_value(j, top)) || json_array_append_new(arr, v) < 0)
			goto fail;
		skip_ws(j);
		if (j->p < j->e && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->e && *j->p == ']') {
			j->p++;
			return arr;
		}
		goto fail;
	}
fail:
	json_decref(arr);
	return NULL;
}

static json_t *fast_value(jp *j, size_t top)
{
	json_t *v = NULL;
	const char *s;
	size_t n, left = (size_t)(j->e - j->p);

	if (!left)
		return NULL;
	switch (*j->p) {
	case '"':
		j->p++;
		if (fast_string(j, top, &s, &n) == 0)
			v = json_stringn_nocheck(s, n);
		return v;
	case '{':
	case '[':
		if (++j->depth > FAST_MAX_DEPTH)
			return NULL;
		v = *j->p == '{' ? fast_object(j, top) : fast_array(j, top);
		j->depth--;
		return v;
	case 't':
		if (left >= 4 && !memcmp(j->p, "true", 4)) {
			j->p += 4;
			return json_true();
		}
		return NULL;
	case 'f':
		if (left >= 5 && !memcmp(j->p, "false", 5)) {
			j->p += 5;
			return json_false();
		}
		return NULL;
	case 'n':
		if (left >= 4 && !memcmp(j->p, "null", 4)) {
			j->p += 4;
			return json_null();
		}
		return NULL;
	default:
		return fast_number(j);
	}
}

/* The object on line p[0..n) (valid UTF-8), or NULL: ask jansson. */
static json_t *fast_parse(jsonl *st, const char *p, size_t n)
{
	jp j = { p, p + n, st->scratch, 0 };
	json_t *v;

	skip_ws(&j);
	if (j.p >= j.e || *j.p != '{')
		return NULL;
	v = fast_value(&j, 0);
	skip_ws(&j);
	if (v && j.p != j.e) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

static int blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static const char *json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_ARRAY:  return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL:   return "a number";
	case JSON_TRUE:
	case JSON_FALSE:  return "a boolean";
	case JSON_NULL:   return "null";
	default:          return "an object";
	}
}

static int jsonl_init(cf_reader *r, void *state, cf_error *err)
{
	jsonl *st = state;

	/* unescaped text is never longer than its line; keys add one NUL each */
	if (!(st->scratch = malloc(r->max + 16)))
		return cf_error_set(err, CF_ENOMEM, "%s: out of memory", cf_input_name(r));
	return 0;
}

static void jsonl_destroy(cf_reader *r, void *state)
{
	free(((jsonl *)state)->scratch);
}

static int jsonl_next(cf_reader *r, void *state, cf_raw *rec, cf_error *err)
{
	json_error_t je;
	size_t at;
	int nul;
	const char *p;
	size_t n;
	json_t *j;
	int rc;

	for (;;) {
		rc = cf_input_line(r, &p, &n, &rec->line, err);
		if (rc <= 0)
			return rc;                  /* EOF or I/O error */
		if (rc == CF_LINE_LONG) {
			rec->recno = ++r->recno;
			return cf_input_bad(rec, p, n, "record exceeds max_record_bytes (%zu)",
			                    r->max);
		}
		if ((n && p[0] == '{') || !blank(p, n))
			break;
	}
	rec->recno = ++r->recno;
	/* our words for what jansson reports less clearly; and fast_parse
	 * relies on valid UTF-8 */
	if ((at = cf_utf8_check(p, n, &nul)) < n)
		return cf_input_bad(rec, p, n, "%s at byte %zu",
		                    nul ? "NUL byte" : "invalid UTF-8", at + 1);
	j = fast_parse(state, p, n);
	if (!j && !(j = json_loadb(p, n, 0, &je)))
		return cf_input_bad(rec, p, n, "invalid JSON: %s at column %d",
		                    je.text, je.column);
	if (!json_is_object(j)) {
		rc = cf_input_bad(rec, p, n, "not a JSON object (got %s)",
		                  json_type_name(j));
		json_decref(j);
		return rc;
	}
	rec->obj = j;
	rec->text = p;
	rec->text_len = n;
	return CF_READ_OK;
}

static const char *const jsonl_exts[] = { ".jsonl", ".ndjson", ".json", NULL };

const cf_input_format cf_input_jsonl = {
	.fmt = CF_FMT_JSONL,
	.name = "jsonl",
	.exts = jsonl_exts,
	.state_size = sizeof(jsonl),
	.init = jsonl_init,
	.next = jsonl_next,
	.destroy = jsonl_destroy,
};
