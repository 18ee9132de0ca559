/*
 * json_parse.h - a fast validating JSON parser that builds jansson values
 * (internal).
 *
 * Parses one RFC 8259 value from a byte range that need not be
 * NUL-terminated and returns it as a jansson value, so the rest of the
 * program keeps using jansson.  It exists because json_loadb reads byte by
 * byte (about 90 MB/s) and was the bottleneck of the JSONL reader; this
 * parser scans strings 16 bytes at a time and checks UTF-8 in the same pass.
 *
 * It accepts what json_loadb(p, n, JSON_DECODE_ANY, ...) accepts and builds
 * equal values (duplicate keys: the last wins; "\u0000" is refused; a number
 * with '.', 'e' or 'E' is a real, any other is an integer, so "-0" is the
 * integer 0; an integer outside json_int_t or a real outside double is an
 * error), with two differences: nesting deeper than CF_JSON_MAX_DEPTH
 * arrays and objects is refused where jansson allows 2048, and a raw NUL
 * byte is refused wherever it is, where jansson drops one that directly
 * follows a number or literal ("[9\0]" is [9] to jansson).
 */
#ifndef CF_JSON_PARSE_H
#define CF_JSON_PARSE_H

#include <stddef.h>
#include <jansson.h>

#define CF_JSON_MAX_DEPTH 512

/* What went wrong, so a caller can word NUL and UTF-8 problems itself. */
enum {
	CF_JSON_ESYNTAX = 1,  /* not JSON: unexpected character, bad escape, ... */
	CF_JSON_EUTF8,        /* invalid UTF-8; offset is the sequence's first byte */
	CF_JSON_ENUL,         /* a raw NUL byte, in a string or not */
	CF_JSON_EDEPTH,       /* nesting deeper than CF_JSON_MAX_DEPTH */
	CF_JSON_ERANGE,       /* integer outside json_int_t, real outside double */
	CF_JSON_ENOMEM        /* jansson or the scratch buffer could not allocate */
};

typedef struct cf_json_error {
	int kind;             /* CF_JSON_E*, 0 when the parse succeeded */
	size_t offset;        /* 0-based byte offset of the problem in p[0..n) */
	char msg[80];         /* short, e.g. "unterminated string" */
} cf_json_error;

/* Parse exactly one JSON value from p[0..n); whitespace may surround it,
 * anything else after it is an error.  Returns a new reference, or NULL
 * with *e filled in (e may be NULL).  Never reads outside p[0..n). */
json_t *cf_json_parse(const char *p, size_t n, cf_json_error *e);

#endif
