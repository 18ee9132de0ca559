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
#include "cfaug/sys/stage.h"   /* cf_edit_span */

/* Hash the tokens of s[0..len) into out (at most cap); returns the count
 * of tokens in s (which may exceed cap: only cap were stored). */
size_t cf_tokens_hash(const char *s, size_t len, uint64_t *out, size_t cap);

/* Levenshtein distance between token sequences a[0..na) and b[0..nb).
 * Returns (size_t)-1 if memory runs out. */
size_t cf_tokens_distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* Scratch for the two below, made once by a stage (cf_tokens_work_init)
 * for texts of up to cap tokens, so no candidate allocates. */
typedef struct cf_tokens_work {
	size_t cap;
	size_t *row;                /* cap + 1: cf_tokens_distance_row */
	uint32_t *aoff, *boff;      /* cap: where a's and b's tokens start */
	uint32_t *agap;             /* cap: 1 + the gap a's token is in, 0 in a span */
	uint32_t *gend;             /* cap + 1 per gap (run of unedited tokens):
	                               its end in a's tokens */
	int32_t *gshift;            /* cap + 1 per gap: b's token index - a's */
	ptrdiff_t *reach;           /* 2 (2 cap + 3): furthest row per diagonal */
} cf_tokens_work;

/* 0 or -1 (out of memory; w is then empty, and free to free). */
int cf_tokens_work_init(cf_tokens_work *w, size_t cap);
void cf_tokens_work_free(cf_tokens_work *w);

/* cf_tokens_distance with w's row (na, nb <= w->cap): never allocates. */
size_t cf_tokens_distance_row(const uint64_t *a, size_t na, const uint64_t *b,
                              size_t nb, cf_tokens_work *w);

/* The token Levenshtein distance between texts a and b when b is a with
 * the byte spans e[0..n) replaced (src in a, dst in b; one field's spans),
 * with *ntok = a's token count; or CF_TOKENS_UNKNOWN when the spans do not
 * say so: out of order or overlapping, a and b differ between them, a
 * token straddles a span's border in a or in b (so the tokens of the
 * pieces would not be the tokens of the text), more than w->cap tokens.
 * Exact whenever it answers: the tokens between spans are the same on
 * both sides, so the diagonal search (Ukkonen / Landau-Vishkin, O(n +
 * d^2)) crosses each such run in one step where it is aligned with its
 * copy, and compares tokens only near the edits.  (Summing per-edit
 * costs is not exact: "he she he" -> "she he she" is 2, not 3.) */
#define CF_TOKENS_UNKNOWN ((size_t)-2)
size_t cf_tokens_distance_spans(const char *a, size_t alen, const char *b,
                                size_t blen, const cf_edit_span *e, size_t n,
                                cf_tokens_work *w, size_t *ntok);

#endif
