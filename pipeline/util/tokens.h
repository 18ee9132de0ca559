/*
 * tokens.h - word tokens and token-level edit distance (internal).
 *
 * Tokens: maximal runs of letters/digits (any byte >= 0x80 counts as a
 * letter, so UTF-8 words stay whole) and every other non-space character
 * on its own.  This is the tokenizer behind minimality figures (the
 * MiCE / CEval token-level Levenshtein distance).
 */
#ifndef CF_TOKENS_H
#define CF_TOKENS_H

#include <stddef.h>
#include <stdint.h>

/* Hash the tokens of s[0..len) into out (at most cap); returns the count
 * of tokens in s (which may exceed cap: only cap were stored). */
size_t cf_tokens_hash(const char *s, size_t len, uint64_t *out, size_t cap);

/* Levenshtein distance between token sequences a[0..na) and b[0..nb).
 * Returns (size_t)-1 if memory runs out. */
size_t cf_tokens_distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

#endif
