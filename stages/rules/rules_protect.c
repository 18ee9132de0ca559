/*
 * rules_protect.c - protected spans: parts of a text no protected rule
 * edits (titles of works, named sequences, URLs, handles, tags, code).
 *
 * Consumes: one UTF-8 text.  Emits: sorted, non-overlapping byte spans in
 * cf_rules_out (o->prot), computed at most once per apply and only when a
 * protected rule first matches (most texts never pay for it).  Spans:
 *   - URLs (http://, https://, www.) up to white space;
 *   - @handles and #tags (the sign and the word after it);
 *   - code: `...` on one line;
 *   - a quoted title: "...", “...” or '...' of at most 12 words in which every
 *     word but the small ones (of, the, and, a, ...) starts with a capital
 *     ("The Lord of the Rings"; not "I love you," she said);
 *   - a Title-Case sequence in mid-sentence: two or more capitalised words
 *     joined by small words, or led by The/A/An ("Pride and Prejudice",
 *     "the film The Best Man"); a plain run of capitalised words ("Tom
 *     Hanks") is a name, not protected.
 * Which rules are protected is the rule set's choice (cf_rules_set_protect);
 * apply() counts the matches it skipped in o->nprotected.
 *
 * State: none beyond the caller's cf_rules_out.  Limits: spans are capped
 * by CF_RULES_MAX_EDITS.  Failure: CF_ENOMEM, CF_ELIMIT.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rules.h"

static int in_words(const char *const *s, const char *w, size_t n)
{
	for (size_t i = 0; s[i]; i++)
		if (strlen(s[i]) == n && strncasecmp(s[i], w, n) == 0)
			return 1;
	return 0;
}

/* Small words title case leaves lower-case. */
static int small(const char *w, size_t n)
{
	static const char *const s[] = {
		"of", "the", "and", "a", "an", "in", "on", "to", "for", "at", "with",
		"from", "by", "or", "as", "is", NULL
	};
	return in_words(s, w, n);
}

/* Small words that join the words of a title but not two names: "Pride
 * and Prejudice" and "Tom and Mary" look alike, so and/or are left out; a
 * preposition joins only with an article after it ("Gone with the Wind",
 * not "Hanks with Meg Ryan"). */
static int joiner(const char *w, size_t n)
{
	static const char *const s[] = { "of", "the", "a", "an", NULL };
	return in_words(s, w, n);
}

static int prep(const char *w, size_t n)
{
	static const char *const s[] = {
		"in", "on", "at", "with", "for", "from", "to", "into", "under", NULL
	};
	return in_words(s, w, n);
}

static int is_upper_at(const unsigned char *t, size_t len, size_t p)
{
	if (t[p] >= 'A' && t[p] <= 'Z')
		return 1;
	return p + 1 < len && t[p] == 0xC3 && t[p + 1] >= 0x80 && t[p + 1] <= 0x9E;
}

static int add_span(cf_rules_out *o, size_t s, size_t e)
{
	cf_rules_span *v = o->prot;

	if (e <= s)
		return 0;
	if (o->nprot && v[o->nprot - 1].e >= s) {   /* merge with the last */
		if (v[o->nprot - 1].e < e)
			v[o->nprot - 1].e = e;
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
	o->nprot++;
	return 0;
}

/* End of the word at p (0 length if none). */
static size_t word_end(const unsigned char *t, size_t len, size_t p)
{
	size_t cl;

	while (p < len && cf_rules_is_word(t + p, len - p, &cl))
		p += cl;
	return p;
}

/* Quote starting at p (" or “): its closing position, or 0. */
static size_t quote_end(const unsigned char *t, size_t len, size_t p,
                        size_t *qlen)
{
	size_t i;

	if (t[p] == '"') {
		*qlen = 1;
		for (i = p + 1; i < len && t[i] != '\n'; i++)
			if (t[i] == '"')
				return i;
		return 0;
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

/* A sentence boundary just before p (white space skipped)? */
static int sentence_start(const unsigned char *t, size_t p)
{
	while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t'))
		p--;
	return p == 0 || strchr(".!?:;\n\"(>", t[p - 1]) != NULL || t[p - 1] >= 0x80;
}

static int scan(const char *text, size_t len, cf_rules_out *o)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t p = 0, cl, q, ql;
	int rc;

	while (p < len) {
		unsigned char c = t[p];
		/* URLs */
		if ((c == 'h' || c == 'H') && (p == 0 || !cf_rules_is_word(t + p - 1, 1, &cl)) &&
		    (!strncasecmp(text + p, "http://", len - p < 7 ? len - p : 7) ||
		     !strncasecmp(text + p, "https://", len - p < 8 ? len - p : 8)) &&
		    len - p >= 8) {
			q = p;
			while (q < len && t[q] > ' ')
				q++;
			if ((rc = add_span(o, p, q)) < 0)
				return rc;
			p = q;
			continue;
		}
		if ((c == 'w' || c == 'W') && len - p > 4 && !strncasecmp(text + p, "www.", 4) &&
		    (p == 0 || !cf_rules_is_word(t + p - 1, 1, &cl))) {
			q = p;
			while (q < len && t[q] > ' ')
				q++;
			if ((rc = add_span(o, p, q)) < 0)
				return rc;
			p = q;
			continue;
		}
		/* @handles, #tags */
		if ((c == '@' || c == '#') && p + 1 < len &&
		    (p == 0 || !cf_rules_is_word(t + p - 1, 1, &cl)) &&
		    cf_rules_is_word(t + p + 1, len - p - 1, &cl)) {
			q = word_end(t, len, p + 1);
			if ((rc = add_span(o, p, q)) < 0)
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
				if ((rc = add_span(o, p, q)) < 0)
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
				if ((rc = add_span(o, p, q + 1)) < 0)
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
				if ((rc = add_span(o, p, q + ql)) < 0)
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
				if (joiner(text + a, b - a) || pr) {
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
						pr = 0;   /* the article a preposition needs */
					}
					if (pr)
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
			if (caps >= 2 && (joined || (lead && !sentence_start(t, s)))) {
				if ((rc = add_span(o, s, last)) < 0)
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

int cf_rules_protected_at(cf_rules_out *o, const char *text, size_t len,
                          size_t off)
{
	size_t lo = 0, hi;
	int rc;

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
	return lo < o->nprot && ((cf_rules_span *)o->prot)[lo].s <= off;
}
