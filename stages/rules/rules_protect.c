/*
 * rules_protect.c - protected spans: parts of a text no protected rule
 * edits (titles of works, named sequences, URLs, handles, tags, code).
 *
 * Consumes: one UTF-8 text and the offset of a word a protected rule
 * matched.  Emits: 1 if the word lies in a protected span.  A lower-case
 * word can only be in a URL, handle, tag or code span, which the bytes
 * around it decide; for a capitalised word the spans of the whole text are
 * found once per apply into o->prot (scratch owned by the cf_rules_out) by
 * a scan that skips ordinary bytes through a class table.  Spans:
 *   - URLs (http://, https://, www.) up to white space;
 *   - @handles and #tags (the sign and the word after it);
 *   - code: `...` on one line;
 *   - a quoted title: "...", “...” or '...' of at most 12 words in which every
 *     word but the small ones (of, the, and, a, ...) starts with a capital
 *     ("The Lord of the Rings"; not "I love you," she said);
 *   - a Title-Case sequence in mid-sentence: two or more capitalised words
 *     joined by small words, or led by The/A/An ("Pride and Prejudice",
 *     "the film The Best Man"); a plain run of capitalised words ("Tom
 *     Hanks") is a name, and five or more words in capitals are shouting:
 *     neither is protected.
 * Which rules are protected is the rule set's choice (cf_rules_set_protect);
 * apply() counts the matches it skipped in o->nprotected.
 *
 * State: none beyond the caller's cf_rules_out.  Limits: spans are capped
 * by CF_RULES_MAX_EDITS.  Failure: CF_ENOMEM, CF_ELIMIT.
 */
#define _GNU_SOURCE   /* memrchr */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rules.h"


/* Small words, classified without a table walk (this runs on every
 * capitalised word of a text): SMALL, words title case leaves lower-case;
 * JOIN, words that join a title's words but not two names ("Pride and
 * Prejudice" and "Tom and Mary" look alike, so and/or are not JOIN); PREP,
 * prepositions that join only with an article after them ("Gone with the
 * Wind", not "Hanks with Meg Ryan"). */
enum { SMALL = 1, JOIN = 2, PREP = 4 };

#define K2(a, b) ((unsigned)(a) << 8 | (unsigned)(b))
#define K3(a, b, c) (K2(a, b) << 8 | (unsigned)(c))
#define K4(a, b, c, d) (K3(a, b, c) << 8 | (unsigned)(d))

/* The folded word packed in an integer, one switch: no strcmp per
 * candidate word (issue 15: the title scan asks this per capital). */
static int small_kind(const char *w, size_t n)
{
	unsigned k = 0;
	size_t i;

	if (n == 0 || n > 4)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		if (!c)
			return 0;   /* as strcmp saw it: a shorter word, none listed */
		k = k << 8 | (c >= 'A' && c <= 'Z' ? c + 32u : c);
	}
	switch (k) {
	case 'a':
	case K2('o', 'f'): case K2('a', 'n'): case K3('t', 'h', 'e'):
		return SMALL | JOIN;
	case K2('i', 'n'): case K2('o', 'n'): case K2('t', 'o'): case K2('a', 't'):
	case K3('f', 'o', 'r'):
	case K4('w', 'i', 't', 'h'): case K4('f', 'r', 'o', 'm'): case K4('i', 'n', 't', 'o'):
		return SMALL | PREP;
	case K2('b', 'y'): case K2('o', 'r'): case K2('a', 's'): case K2('i', 's'):
	case K3('a', 'n', 'd'):
		return SMALL;
	}
	return 0;
}

static int small(const char *w, size_t n) { return small_kind(w, n) & SMALL; }
static int joiner(const char *w, size_t n) { return small_kind(w, n) & JOIN; }
static int prep(const char *w, size_t n) { return small_kind(w, n) & PREP; }

static int is_upper_at(const unsigned char *t, size_t len, size_t p)
{
	if (t[p] >= 'A' && t[p] <= 'Z')
		return 1;
	return p + 1 < len && t[p] == 0xC3 && t[p + 1] >= 0x80 && t[p + 1] <= 0x9E;
}

/* Append span [s, e) (title: a quoted or Title-Case title, else a URL,
 * handle, tag or code), merging with the last when they touch. */
static int add_span(cf_rules_out *o, size_t s, size_t e, int title)
{
	cf_rules_span *v = o->prot;

	if (e <= s)
		return 0;
	if (o->nprot && v[o->nprot - 1].e >= s) {   /* merge with the last */
		if (v[o->nprot - 1].e < e)
			v[o->nprot - 1].e = e;
		v[o->nprot - 1].title |= title;
		return 0;
	}
	if (o->nprot == o->protcap) {
		size_t cap = o->protcap ? o->protcap * 2 : 8;
		if (cap > CF_RULES_MAX_EDITS)
			return CF_ELIMIT;
		if (!(v = realloc(o->prot, cap * sizeof *v)))
			return CF_ENOMEM;
		o->prot = v;
		o->protcap = cap;
	}
	v[o->nprot].s = s;
	v[o->nprot].e = e;
	v[o->nprot].title = title;
	o->nprot++;
	return 0;
}

/* End of the word at p (0 length if none). */
static size_t word_end(const unsigned char *t, size_t len, size_t p)
{
	size_t cl;

	for (;;) {
		p = cf_rules_skip_ascii_word(t, len, p);   /* ASCII run, no call per byte */
		if (p >= len || t[p] < 0x80 || !cf_rules_is_word(t + p, len - p, &cl))
			return p;
		p += cl;
	}
}

/* Quote starting at p (" or “): its closing position, or 0. */
static size_t quote_end(const unsigned char *t, size_t len, size_t p,
                        size_t *qlen)
{
	size_t i;

	if (t[p] == '"') {
		/* the next '"' if no line break comes first (memchr: SIMD) */
		const unsigned char *q = memchr(t + p + 1, '"', len - p - 1);
		*qlen = 1;
		if (!q || memchr(t + p + 1, '\n', (size_t)(q - t) - p - 1))
			return 0;
		return (size_t)(q - t);
	}
	*qlen = 3;   /* “ ... ” */
	for (i = p + 3; i + 2 < len && t[i] != '\n'; i++)
		if (t[i] == 0xE2 && t[i + 1] == 0x80 && t[i + 2] == 0x9D)
			return i;
	return 0;
}

/* Is [s, e) a Title-Case phrase of at most 12 words? */
static int title_case(const unsigned char *t, size_t len, size_t s, size_t e)
{
	size_t p = s, words = 0, cl;

	while (p < e) {
		if (!cf_rules_is_word(t + p, len - p, &cl)) {
			p += cl;
			continue;
		}
		size_t we = word_end(t, e, p);
		if (p > s && (t[p - 1] == '\'' || t[p - 1] == 0x99) && we - p == 1 &&
		    (t[p] == 's' || t[p] == 't')) {
			p = we;   /* Peter's Friends: 's is part of the word */
			continue;
		}
		words++;
		if (words > 12)
			return 0;
		if (!is_upper_at(t, len, p) && !(t[p] >= '0' && t[p] <= '9') &&
		    !(words > 1 && small((const char *)t + p, we - p)))
			return 0;
		p = we;
	}
	return words > 0;
}

/* Words of t[s, e) in capitals only (a word of two letters or more). */
static size_t upper_words(const unsigned char *t, size_t s, size_t e)
{
	size_t n = 0, len = 0;
	int lower = 0;

	for (; s <= e; s++) {
		int letter = s < e && ((t[s] >= 'a' && t[s] <= 'z') ||
		                       (t[s] >= 'A' && t[s] <= 'Z'));
		if (letter) {
			len++;
			lower |= t[s] >= 'a';
			continue;
		}
		n += len >= 2 && !lower;
		len = 0;
		lower = 0;
	}
	return n;
}

/* A sentence boundary just before p (white space skipped)? */
static int sentence_start(const unsigned char *t, size_t p)
{
	while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t'))
		p--;
	return p == 0 || strchr(".!?:;\n\"(>", t[p - 1]) != NULL || t[p - 1] >= 0x80;
}

/* Bytes that may start a span: capitals (ASCII, Latin-1 and its lead byte
 * C3), @ # ` " ' and E2 (curly quotes); with h/w too (URLs). */
#define STARTS \
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, \
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, \
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, \
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, \
	['Y'] = 1, ['Z'] = 1, ['@'] = 1, ['#'] = 1, ['`'] = 1, ['"'] = 1, \
	['\''] = 1, [0xC3] = 1, [0xE2] = 1
static const unsigned char starts[256] = { STARTS };
static const unsigned char starts_url[256] = { STARTS, ['h'] = 1, ['w'] = 1 };

/* The first i' >= i with starts[t[i']] (starts_url with url), or len:
 * 16 bytes at a time where SSE2 is there (the scan's common case, issue
 * 15: most bytes start nothing). */
static size_t skip_plain(const unsigned char *t, size_t len, size_t i, int url)
{
	const unsigned char *cls = url ? starts_url : starts;
#if defined(__SSE2__)
	while (i + 16 <= len) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
		__m128i m = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
		                          _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
#define EQ(ch) m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)(ch))))
		EQ('@'); EQ('#'); EQ('`'); EQ('"'); EQ('\''); EQ(0xC3); EQ(0xE2);
		if (url) {
			EQ('h');
			EQ('w');
		}
#undef EQ
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		if (bits)
			return i + (size_t)__builtin_ctz(bits);
		i += 16;
	}
#endif
	while (i < len && !cls[t[i]])
		i++;
	return i;
}

/* memmem(text, "://") || memmem(text, "www."), by memchr on ':' and '.'
 * (rare bytes: SIMD skips) instead of two general substring searches. */
static int has_url_mark(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while ((p = memchr(p, ':', (size_t)(end - p))) && p + 2 < end) {
		if (p[1] == '/' && p[2] == '/')
			return 1;
		p++;
	}
	for (p = text + 3; p < end && (p = memchr(p, '.', (size_t)(end - p))); p++)
		if (p[-3] == 'w' && p[-2] == 'w' && p[-1] == 'w')
			return 1;
	return 0;
}

static int scan(const char *text, size_t len, cf_rules_out *o)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t p = 0, cl, q, ql;
	int rc;
	/* h and w stop the fast skip only in a text that has a URL at all */
	const unsigned char *cls = has_url_mark(text, len) ? starts_url : starts;

	while (p < len) {
		unsigned char c = t[p];
		/* the common case: bytes that start nothing */
		if (!cls[c]) {
			p = skip_plain(t, len, p + 1, cls == starts_url);
			continue;
		}
		if ((c == 'h' || c == 'w') && p > 0 && t[p - 1] >= 'a' && t[p - 1] <= 'z') {
			p++;   /* mid-word: not a URL */
			continue;
		}
		/* URLs */
		if ((c == 'h' || c == 'H') && (p == 0 || !cf_rules_is_word(t + p - 1, 1, &cl)) &&
		    (!strncasecmp(text + p, "http://", len - p < 7 ? len - p : 7) ||
		     !strncasecmp(text + p, "https://", len - p < 8 ? len - p : 8)) &&
		    len - p >= 8) {
			q = p;
			while (q < len && t[q] > ' ')
				q++;
			if ((rc = add_span(o, p, q, 0)) < 0)
				return rc;
			p = q;
			continue;
		}
		if ((c == 'w' || c == 'W') && len - p > 4 && !strncasecmp(text + p, "www.", 4) &&
		    (p == 0 || !cf_rules_is_word(t + p - 1, 1, &cl))) {
			q = p;
			while (q < len && t[q] > ' ')
				q++;
			if ((rc = add_span(o, p, q, 0)) < 0)
				return rc;
			p = q;
			continue;
		}
		/* @handles, #tags */
		if ((c == '@' || c == '#') && p + 1 < len &&
		    (p == 0 || !cf_rules_is_word(t + p - 1, 1, &cl)) &&
		    cf_rules_is_word(t + p + 1, len - p - 1, &cl)) {
			q = word_end(t, len, p + 1);
			if ((rc = add_span(o, p, q, 0)) < 0)
				return rc;
			p = q;
			continue;
		}
		/* `code` */
		if (c == '`') {
			const unsigned char *e = memchr(t + p + 1, '`', len - p - 1);
			const unsigned char *nl = memchr(t + p + 1, '\n', len - p - 1);
			if (e && (!nl || e < nl)) {
				q = (size_t)(e - t) + 1;
				if ((rc = add_span(o, p, q, 0)) < 0)
					return rc;
				p = q;
				continue;
			}
		}
		/* 'Single-Quoted Titles': an opening ' after a space or the start,
		 * a closing ' before a non-word (not an apostrophe of "don't") */
		if (c == '\'' && (p == 0 || t[p - 1] == ' ' || t[p - 1] == '(') &&
		    p + 1 < len && is_upper_at(t, len, p + 1)) {
			for (q = p + 1; q < len && t[q] != '\n' && q < p + 120; q++) {
				size_t cl2;
				if (t[q] == '\'' && (q + 1 >= len ||
				    !cf_rules_is_word(t + q + 1, len - q - 1, &cl2)))
					break;
			}
			if (q < len && t[q] == '\'' && title_case(t, len, p + 1, q)) {
				if ((rc = add_span(o, p, q + 1, 1)) < 0)
					return rc;
				p = q + 1;
				continue;
			}
		}
		/* "Quoted Titles" */
		if (c == '"' || (c == 0xE2 && p + 2 < len && t[p + 1] == 0x80 &&
		                 t[p + 2] == 0x9C)) {
			q = quote_end(t, len, p, &ql);
			if (q && title_case(t, len, p + ql, q)) {
				if ((rc = add_span(o, p, q + ql, 1)) < 0)
					return rc;
				p = q + ql;
				continue;
			}
			p += ql;
			continue;
		}
		/* Title-Case sequences in mid-sentence */
		if (is_upper_at(t, len, p) && (p == 0 || !cf_rules_is_word(t + p - 1, 1, &cl))) {
			size_t s = p, e = word_end(t, len, p), last = e;
			int caps = 1, joined = 0;
			int lead = small(text + s, e - s);   /* The, A, An */
			q = e;
			for (;;) {
				size_t a = q;
				while (a < len && (t[a] == ' ' || (t[a] == '\'' && a == q)))
					a++;
				if (a == q || a >= len)
					break;
				size_t b = word_end(t, len, a);
				if (b == a)
					break;
				if (is_upper_at(t, len, a)) {
					if (joiner(text + a, b - a) || prep(text + a, b - a))
						joined = 1;   /* DAY OF THE WOMAN, Men In White */
					caps++;
					last = b;
					q = b;
					continue;
				}
				int pr = prep(text + a, b - a);
				/* "and the": Harry Potter and the Goblet of Fire; a bare
				 * "and" joins people (Tom and Jerry), not a title */
				int and_the = b - a == 3 && !memcmp(text + a, "and", 3);
				if (joiner(text + a, b - a) || pr || and_the) {
					/* small words count only if a capital follows them */
					size_t c2 = b;
					for (;;) {
						while (c2 < len && t[c2] == ' ')
							c2++;
						size_t d = word_end(t, len, c2);
						if (d == c2 || is_upper_at(t, len, c2) ||
						    !joiner(text + c2, d - c2))
							break;
						c2 = d;
						pr = and_the = 0;   /* the article it needs */
					}
					if (pr || and_the)
						break;
					if (c2 < len && is_upper_at(t, len, c2)) {
						joined = 1;
						caps++;
						q = last = word_end(t, len, c2);
						continue;
					}
				}
				break;
			}
			/* five or more words in capitals are shouting, not a title
			 * (HOW COULD UNCLE JESSE BE MAKING ...) */
			if (caps >= 5 && upper_words(t, s, last) >= 5)
				joined = lead = 0;
			if (caps >= 2 && (joined || (lead && !sentence_start(t, s)))) {
				if ((rc = add_span(o, s, last, 1)) < 0)
					return rc;
			}
			p = last > e ? last : e;
			continue;
		}
		if (c < 0x80) {
			p++;
		} else {
			cf_rules_is_word(t + p, len - p, &cl);
			p += cl;
		}
	}
	return 0;
}

/* The same answer as the full scan for a word starting lower-case at off:
 * such a word can only be protected by a URL, a handle, a tag or code
 * (title spans need capitals), which the bytes around it decide. */
static int lower_protected(const unsigned char *t, size_t len, size_t off)
{
	size_t ts = off, ls = off, u, cl, ticks = 0;

	while (ts > 0 && t[ts - 1] > ' ' && off - ts < 512)
		ts--;
	for (u = ts; u < off; u++) {   /* a URL starting in this token */
		if (u > 0 && u > ts && cf_rules_is_word(t + u - 1, 1, &cl))
			continue;
		if ((len - u >= 8 && (!strncasecmp((const char *)t + u, "http://", 7) ||
		                      !strncasecmp((const char *)t + u, "https://", 8))) ||
		    (len - u > 4 && !strncasecmp((const char *)t + u, "www.", 4)))
			return 1;
	}
	if (off > 0 && (t[off - 1] == '@' || t[off - 1] == '#') &&
	    (off == 1 || !cf_rules_is_word(t + off - 2, 1, &cl)))
		return 1;   /* @he, #his */
	if (!off || !memrchr(t, '`', off))
		return 0;   /* no code before it: the common case, found fast */
	{
		const unsigned char *nl = memrchr(t, '\n', off);
		ls = nl ? (size_t)(nl - t) + 1 : 0;
	}
	for (u = ls; u < off; u++)
		ticks += t[u] == '`';
	if (ticks % 2) {   /* inside `code` if it closes on this line */
		for (u = off; u < len && t[u] != '\n'; u++)
			if (t[u] == '`')
				return 1;
	}
	return 0;
}

/* A capitalised word with no capital, small word or quote next to it ("He
 * said"): it cannot be in a title (a run needs two capitals, a quoted
 * title all its words capitalised), so the scan is not needed. */
static int alone(const unsigned char *t, size_t len, size_t off)
{
	size_t e = word_end(t, len, off), p = off, q, w;

	/* before: the start, a sentence end, or a lower-case word that is not
	 * a small word nor the 's of a capitalised one */
	while (p > 0 && t[p - 1] == ' ')
		p--;
	if (p > 0) {
		unsigned char c = t[p - 1];
		if (c >= 'a' && c <= 'z') {
			w = p - 1;
			while (w > 0 && ((t[w - 1] >= 'a' && t[w - 1] <= 'z') ||
			                 (t[w - 1] >= 'A' && t[w - 1] <= 'Z')))
				w--;
			if (p == off || is_upper_at(t, len, w) ||
			    small_kind((const char *)t + w, p - w) ||
			    (w > 0 && (t[w - 1] == '\'' || t[w - 1] >= 0x80)))
				return 0;
		} else if (!((c == '.' || c == '!' || c == '?') && p < off)) {
			return 0;
		}
	}
	/* after: the end, a sentence end not before a quote, or a lower-case
	 * word that is not a small word */
	q = e;
	if (q < len && (t[q] == '.' || t[q] == '!' || t[q] == '?'))
		return q + 1 >= len || t[q + 1] == ' ' || t[q + 1] == '\n';
	if (q < len && t[q] != ' ')
		return 0;
	while (q < len && t[q] == ' ')
		q++;
	if (q >= len)
		return 1;
	if (!(t[q] >= 'a' && t[q] <= 'z'))
		return 0;
	w = word_end(t, len, q);
	return !small_kind((const char *)t + q, w - q);
}

/* 0: off is in no span; 1: in a URL, handle, tag or code; 2: in a title;
 * or CF_ENOMEM / CF_ELIMIT. */
static int span_at(cf_rules_out *o, const char *text, size_t len, size_t off)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t lo = 0, hi;
	int rc;

	if (off >= len)
		return 0;
	if (!is_upper_at(t, len, off) || (!o->prot_done && alone(t, len, off)))
		return lower_protected(t, len, off);   /* no scan needed */
	/* a capitalised word: the spans of the whole text, found once */
	if (!o->prot_done) {
		o->nprot = 0;
		if ((rc = scan(text, len, o)) < 0)
			return rc;
		o->prot_done = 1;
	}
	hi = o->nprot;
	while (lo < hi) {   /* the first span ending after off */
		size_t mid = (lo + hi) / 2;
		if (((cf_rules_span *)o->prot)[mid].e <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < o->nprot && ((cf_rules_span *)o->prot)[lo].s <= off)
		return ((cf_rules_span *)o->prot)[lo].title ? 2 : 1;
	return 0;
}

int cf_rules_protected_at(cf_rules_out *o, const char *text, size_t len,
                          size_t off)
{
	int rc = span_at(o, text, len, off);

	return rc < 0 ? rc : rc > 0;
}

int cf_rules_protected_elsewhere(cf_rules_out *o, const char *text, size_t len,
                                 size_t ws, size_t we)
{
	const unsigned char *t = (const unsigned char *)text;
	const cf_rules_span *v;
	size_t n = we - ws, i, cl;
	int rc;

	if (!o->prot_done) {   /* the spans of the whole text, if it can matter */
		if (!cf_rules_find(text, ws, text + ws, n) &&
		    !cf_rules_find(text + we, len - we, text + ws, n))
			return 0;   /* the word occurs once */
		o->nprot = 0;
		if ((rc = scan(text, len, o)) < 0)
			return rc;
		o->prot_done = 1;
	}
	v = o->prot;
	/* look for the word inside the title spans only: few, and short */
	for (i = 0; n && i < o->nprot; i++) {
		size_t p = v[i].s;
		if (!v[i].title || (ws >= v[i].s && ws < v[i].e))
			continue;
		while (p + n <= v[i].e) {
			const char *q = cf_rules_find(text + p, v[i].e - p, text + ws, n);
			size_t s;
			if (!q)
				break;
			s = (size_t)(q - text);
			p = s + 1;
			if ((s > 0 && t[s - 1] < 0x80 && cf_rules_is_word(t + s - 1, 1, &cl)) ||
			    (s + n < len && cf_rules_is_word(t + s + n, len - s - n, &cl)))
				continue;   /* inside a longer word */
			return 1;
		}
	}
	return 0;
}

/* ---- gender pack: titles and names (cf_rules_gender_title) ------------ */

/* Titles a person's name follows: with a capitalised word they name one
 * person (Queen Elizabeth, Mister Rogers, Earl Babbage) or a work (Queen
 * Bee, King Kong); swapping the title alone changes that person's sex and
 * keeps the name.  Mr/Mrs/Ms are left out: they stand before surnames,
 * which fit either sex (Mr. Smith -> Mrs. Smith is right). */
static const char *const person_title[] = {
	"queen", "king", "lady", "lord", "sir", "dame", "mister", "miss",
	"missus", "madam", "madame", "prince", "princess", "duke", "duchess",
	"earl", "countess", "count", "baron", "baroness", "emperor", "empress",
	"uncle", "aunt", "auntie", "aunty", "brother", "sister", "father",
	"mother", "grandma", "grandpa", "granny", "master", "mistress", NULL
};
/* Titles before a first name (the names pack swaps the name after them:
 * Sir John -> Dame Mary when both packs run). */
static const char *const first_name_title[] = {
	"sir", "dame", "lady", "uncle", "aunt", "auntie", "aunty", "brother",
	"sister", NULL
};
/* Titles before a surname: the surname fits either sex. */
static const char *const surname_title[] = { "mr", "mrs", "ms", NULL };
/* Words before an award category: Best Actress names its winner's sex. */
static const char *const award[] = { "best", "supporting", NULL };

static int listed(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (!strcmp(*list, w))
			return 1;
	return 0;
}

/* A word of two letters or more in capitals only. */
static int all_caps(const char *text, size_t s, size_t e)
{
	size_t i;

	if (e - s < 2)
		return 0;
	for (i = s; i < e; i++)
		if (!(text[i] >= 'A' && text[i] <= 'Z'))
			return 0;
	return 1;
}

/* A capitalised word token that can be part of a name or title: not "I",
 * not a small word (of, the, and ...). */
static int cap_word(const cf_rules_tok *k, const char *text, size_t len)
{
	return k->kind == CF_TOK_WORD &&
	       is_upper_at((const unsigned char *)text, len, k->s) &&
	       !(k->e - k->s == 1 && text[k->s] == 'I') &&
	       !small(text + k->s, k->e - k->s);
}

/* Is the word at ws at the start of a sentence (quotes, brackets and
 * asterisks before it skipped)? */
static int starts_sentence(const unsigned char *t, size_t ws)
{
	while (ws > 0 && (t[ws - 1] == '"' || t[ws - 1] == '\'' || t[ws - 1] == '(' ||
	                  t[ws - 1] == '*' || t[ws - 1] == ' ' || t[ws - 1] == '\t' ||
	                  t[ws - 1] == 0x9C || t[ws - 1] == 0x98))
		ws--;
	return ws == 0 || strchr(".!?:;\n\r>-", t[ws - 1]) != NULL;
}

/* A plural gendered word capitalised mid-sentence: common nouns are not,
 * so it names a work, band or team (the Dukes of Hazzard, good Dukes
 * movies, Sons of Anarchy, the Sacramento Kings); a person's title is
 * singular (the Duke of Edinburgh, then Mother said). */
static int plural_word(const cf_rules_tok *w)
{
	/* -men words English capitalises anyway: Frenchmen, Irishmen */
	static const char *const nation[] = {
		"china", "cornish", "dutch", "english", "french", "irish", "manx",
		"norse", "scots", "welsh", NULL
	};
	size_t k = strlen(w->w), i;

	if (k > 3 && w->w[k - 1] == 's' && w->w[k - 2] != 's')
		return 1;
	if (k < 3 || strcmp(w->w + k - 3, "men"))
		return 0;
	for (i = 0; nation[i]; i++)
		if (!strncmp(w->w, nation[i], strlen(nation[i])))
			return 0;
	return 1;
}

/* ... before "of" + a capitalised word: the Dukes of Hazzard, Men of
 * Honor (also after a capitalised "The", which may only start the
 * sentence: "The Actors cannot act" is edited). */
static int plural_of_title(const char *text, size_t len, const cf_rules_tok *n)
{
	cf_rules_tok a;

	if (n->kind != CF_TOK_WORD || strcmp(n->w, "of"))
		return 0;
	a = cf_rules_next_tok(text, len, n->e);
	if (a.kind == CF_TOK_WORD && !strcmp(a.w, "the"))
		a = cf_rules_next_tok(text, len, a.e);
	return cap_word(&a, text, len);
}

/* Words in capitals: a title (SYMPATHY FOR LADY VENGEANCE, I gave LADY
 * a 5/10) or emphasis (her SISTER, a FEMALE, GIRLS ice hockey, HE did).
 * A title: next to another word in capitals, or a singular noun standing
 * with no determiner before it, as a name does. */
static int caps_title(const char *text, const cf_rules_tok *p,
                      const cf_rules_tok *w, const cf_rules_tok *n)
{
	static const char *const det[] = {
		"a", "an", "another", "any", "each", "every", "her", "his", "its",
		"my", "no", "one", "our", "some", "that", "the", "their", "these",
		"this", "those", "your", NULL
	};
	static const char *const pronoun[] = {
		"he", "her", "hers", "herself", "him", "himself", "his", "she", NULL
	};
	size_t k = strlen(w->w);

	if (listed(pronoun, w->w))
		return 0;   /* WHEN HE DIED: shouting, not a title */
	if ((p->kind == CF_TOK_WORD && all_caps(text, p->s, p->e)) ||
	    (n->kind == CF_TOK_WORD && all_caps(text, n->s, n->e)))
		return 1;
	return k > 1 && !plural_word(w) &&
	       !(p->kind == CF_TOK_WORD && listed(det, p->w));
}

int cf_rules_gender_title(const cf_rules *r, const char *text, size_t len,
                          size_t ws, size_t we)
{
	const unsigned char *t = (const unsigned char *)text;
	cf_rules_tok p, n, w;

	if (!is_upper_at(t, len, ws))
		return 0;   /* the common case: a lower-case word */
	p = cf_rules_prev_tok(text, ws);
	n = cf_rules_next_tok(text, len, we);
	w = cf_rules_next_tok(text, len, ws);
	/* Mr/Mrs/Ms stand before surnames, which fit either sex (Mr Boll ->
	 * Ms Boll); an award names the winner's sex (Best Actress Oscar): both
	 * are edited */
	if (listed(surname_title, w.w) ||
	    (p.kind == CF_TOK_WORD && listed(award, p.w)))
		return 0;
	if (all_caps(text, ws, we))
		return caps_title(text, &p, &w, &n);
	if (listed(person_title, w.w) && cap_word(&n, text, len))
		/* Queen Elizabeth, Queen Bee: kept, unless the names pack swaps
		 * the first name after Sir/Dame/Lady too (cf_rules_first_name
		 * knows names only when that pack is loaded) */
		return !(listed(first_name_title, w.w) &&
		         cf_rules_first_name(r, text, n.s, n.e));
	if (starts_sentence(t, ws)) {
		/* His Girl Friday is ...: two more capitalised words make a
		 * title; His Oscar-winning role: a capital the sentence gives */
		cf_rules_tok n2 = cf_rules_next_tok(text, len, n.e);
		return cap_word(&n, text, len) && cap_word(&n2, text, len) &&
		       !all_caps(text, n.s, n.e);
	}
	if (plural_word(&w) &&
	    (!(p.kind == CF_TOK_WORD && is_upper_at(t, len, p.s) && small(text + p.s, p.e - p.s)) ||
	     plural_of_title(text, len, &n)))
		return 1;   /* the Dukes of Hazzard, good Dukes movies */
	/* mid-sentence in a Title-Case run: The Princess Bride, Tarzan and His
	 * Mate, Burger King */
	return cap_word(&n, text, len) ||
	       (cap_word(&p, text, len) && !starts_sentence(t, p.s));
}
