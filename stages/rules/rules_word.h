/*
 * rules_word.h - what a word character is (internal to the rules engine).
 *
 * The layer under the token helpers of rules_gender.c and the scan of
 * rules_lexicon.c: both use it, it uses neither, so the gender and lexicon
 * files no longer lean on each other for it (issue 10).  Words: an ASCII
 * letter, digit or '_', or any non-ASCII code point outside the
 * punctuation and symbol blocks; invalid UTF-8 bytes are non-word.
 */
#ifndef CF_RULES_WORD_H
#define CF_RULES_WORD_H

#include <stddef.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* cf_rules_is_word of one ASCII byte (index < 0x80), for inline fast paths */
extern const unsigned char cf_rules_ascii_word[128];

/* Decode one code point; invalid or truncated sequences give -1, len 1. */
static inline long cf_rules_utf8_decode(const unsigned char *s, size_t n, size_t *clen)
{
	long cp;
	size_t k, i;

	*clen = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF) { k = 2; cp = s[0] & 0x1F; }
	else if (s[0] >= 0xE0 && s[0] <= 0xEF) { k = 3; cp = s[0] & 0x0F; }
	else if (s[0] >= 0xF0 && s[0] <= 0xF4) { k = 4; cp = s[0] & 0x07; }
	else return -1;
	if (n < k)
		return -1;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*clen = k;
	return cp;
}

static inline int cf_rules_cp_is_word(long cp)
{
	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return cf_rules_ascii_word[cp];
	if (cp <= 0xBF)    /* C1 controls, Latin-1 punctuation and symbols */
		return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
	if (cp == 0xD7 || cp == 0xF7)
		return 0;
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
	    cp == 0xFEFF || (cp >= 0x1F000 && cp <= 0x1FAFF))
		return 0;
	return 1;
}

/* 1 if the code point starting at s[0] (n bytes available) is a word
 * character (letter, digit, mark, underscore); *clen gets its byte length. */
int cf_rules_is_word(const unsigned char *s, size_t n, size_t *clen);

/* The word scan's fast step (issue 15), 16 bytes at a time where SSE2 is
 * there: the first i' >= i with t[i'] not an ASCII word character; len
 * when there is none. */
static inline size_t cf_rules_skip_ascii_word(const unsigned char *t, size_t len,
                                              size_t i)
{
#if defined(__SSE2__)
	while (i + 16 <= len) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
		__m128i lc = _mm_or_si128(v, _mm_set1_epi8(0x20));   /* 'A' -> 'a' */
		__m128i w = _mm_or_si128(
			_mm_and_si128(_mm_cmpgt_epi8(lc, _mm_set1_epi8('a' - 1)),
			              _mm_cmplt_epi8(lc, _mm_set1_epi8('z' + 1))),
			_mm_or_si128(
			_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
			              _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1))),
			_mm_cmpeq_epi8(v, _mm_set1_epi8('_'))));
		/* bytes >= 0x80 are negative: no range above takes them */
		unsigned m = ~(unsigned)_mm_movemask_epi8(w) & 0xffffu;
		if (m)
			return i + (size_t)__builtin_ctz(m);
		i += 16;
	}
#endif
	while (i < len && t[i] < 0x80 && cf_rules_ascii_word[t[i]])
		i++;
	return i;
}

#endif
