/*
 * utf8_cut.h - cutting and repairing text on UTF-8 boundaries (internal).
 *
 * Every text cfaug shortens for a message, a reason, a detail or an
 * excerpt goes through these, so no line of errors.jsonl or
 * rejected.jsonl ever holds half a character (jansson refuses such a
 * string, which used to drop the whole field).
 */
#ifndef CF_UTF8_CUT_H
#define CF_UTF8_CUT_H

#include <stddef.h>

/* The longest prefix of s[0..n) of at most max bytes that does not end
 * inside a multi-byte sequence. */
size_t cf_utf8_cut(const char *s, size_t n, size_t max);

/* In place: drop a multi-byte sequence cut at the end of the
 * NUL-terminated s (what snprintf("%.80s") leaves). */
void cf_utf8_trim(char *s);

/* In place, for fixed message buffers: drop a sequence cut at the end and
 * replace every other byte that is not valid UTF-8 (or a NUL inside) by
 * '?', so the text can go into JSON whole. */
void cf_utf8_sanitize(char *s);

/* A malloc'd NUL-terminated copy of s[0..n) that is valid UTF-8: every
 * invalid byte and every NUL becomes U+FFFD, a sequence cut at the end is
 * dropped.  NULL when out of memory.  The caller frees. */
char *cf_utf8_valid_dup(const char *s, size_t n);

#endif
