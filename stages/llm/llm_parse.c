/*
 * llm_parse.c - the llm stage's answer parsing (see llm_parse.h): picking
 * a sample's choice out of a completion, and reading its content as text
 * (trimmed, optionally between two markers) or as a JSON object (from the
 * first '{' to the last '}', so code fences and chatter around it do not
 * matter).  No state; allocation only through jansson.
 */
#define _GNU_SOURCE   /* memmem */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "cfaug/util.h"
#include "json_parse.h"
#include "llm_parse.h"

json_t *cf_llm_choice(const json_t *choices, int k)
{
	json_t *entry;
	size_t ci;

	json_array_foreach(choices, ci, entry) {
		json_t *ix = json_object_get(entry, "index");
		if ((ix && json_integer_value(ix) == k) || (!ix && (int)ci == k))
			return entry;
	}
	return NULL;
}

json_t *cf_llm_cut_string(const char *str, size_t len, size_t max)
{
	if (len > max) {
		len = max;
		while (len && ((unsigned char)str[len] & 0xC0) == 0x80)
			len--;
	}
	return json_stringn(str, len);
}

/* Does s[0..n) contain needle?  memchr to each candidate first byte, then
 * a compare: markers are short, and this runs on every answer. */
static int has(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	const char *p = s, *end = s + n;

	if (!m || n < m)
		return 0;
	while ((p = memchr(p, needle[0], (size_t)(end - p) - m + 1))) {
		if (memcmp(p, needle, m) == 0)
			return 1;
		if (++p > end - m)
			break;
	}
	return 0;
}

/* A model that declines answers with an apology instead of an edit; its
 * text must never become a counterfactual.  Matched case-insensitively at
 * the start of the answer (after quotes), unless the original starts the
 * same way. */
static const char *const refusals[] = {
	"i'm sorry", "i am sorry", "i’m sorry", "sorry, ", "i apologize", "i apologise",
	"i cannot", "i can't", "i can’t", "i can not", "i won't", "i will not",
	"i'm unable", "i am unable", "i’m unable", "i'm not able", "i am not able",
	"as an ai", "as a language model", "i'm an ai", "unfortunately, i", NULL
};

static const char *refusal_at(const char *s, size_t n)
{
	size_t i, m;

	while (n && (*s == '"' || *s == '\'' || *s == ' '))
		s++, n--;
	for (i = 0; refusals[i]; i++) {
		m = strlen(refusals[i]);
		if (n >= m && strncasecmp(s, refusals[i], m) == 0)
			return refusals[i];
	}
	return NULL;
}

/* Share of the first words of a[0..n) (letters and digits, at most 64)
 * that occur in o[0..on) too, ignoring case, in percent.  An edit keeps
 * most of its original; an apology keeps little of it. */
static int overlap_pct(const char *a, size_t n, const char *o, size_t on)
{
	size_t i = 0, w, words = 0, hits = 0, k;

	while (i < n && words < 64) {
		while (i < n && !isalnum((unsigned char)a[i]))
			i++;
		for (w = i; i < n && isalnum((unsigned char)a[i]); i++)
			;
		if (i == w)
			break;
		words++;
		for (k = 0; k + (i - w) <= on; k++)
			if (strncasecmp(o + k, a + w, i - w) == 0 &&
			    (k == 0 || !isalnum((unsigned char)o[k - 1])) &&
			    (k + (i - w) == on || !isalnum((unsigned char)o[k + (i - w)]))) {
				hits++;
				break;
			}
	}
	return words ? (int)(hits * 100 / words) : 0;
}

int cf_llm_is_refusal(const char *answer, size_t n, const char *orig, size_t on)
{
	const char *r = refusal_at(answer, n);

	if (!r || (orig && refusal_at(orig, on) == r))
		return 0;
	/* "I can't say it is great" for "I can say it is great" is an edit */
	return !orig || overlap_pct(answer, n, orig, on > 65536 ? 65536 : on) < 50;
}

static void trim(const char **b, size_t *n)
{
	while (*n && strchr(" \t\r\n", (*b)[0])) {
		(*b)++;
		(*n)--;
	}
	while (*n && strchr(" \t\r\n", (*b)[*n - 1]))
		(*n)--;
}

const char *cf_llm_parse_answer(const cf_llm_parse *p, const cf_item *it,
                                const char *content, json_t **edits)
{
	const char *b = content, *e, *a;
	size_t n, i, ol;
	int changed = 0, nul;
	json_t *obj = NULL, *v;
	const char *reason = NULL;

	*edits = NULL;
	if (!content)
		return "no_content";
	n = strlen(content);
	if (p->between[0]) {
		if (!(a = strstr(content, p->between[0])))
			return "no_marker";
		b = a + strlen(p->between[0]);
		if (!(e = strstr(b, p->between[1])))
			return "no_marker";
		n = (size_t)(e - b);
	}
	if (!(*edits = json_object()))
		return "out_of_memory";
	if (!p->json_mode) {
		trim(&b, &n);
		if (!n) {
			reason = "empty";
			goto done;
		}
		/* cf_utf8_check is jansson's rule (no overlong forms, no
		 * surrogates, nothing past U+10FFFF; b holds no NUL), 8 bytes a step */
		if (cf_utf8_check(b, n, &nul) != n || !(v = json_stringn_nocheck(b, n))) {
			reason = "invalid_utf8";
			goto done;
		}
		json_object_set_new(*edits, p->edit->v[0], v);
	} else {
		const char *o = memchr(b, '{', n), *c = NULL;
		for (i = n; i > 0; i--)
			if (b[i - 1] == '}') {
				c = b + i - 1;
				break;
			}
		if (!o || !c || c < o || !(obj = cf_json_parse(o, (size_t)(c - o) + 1, NULL)) ||
		    !json_is_object(obj)) {
			reason = "bad_json";
			goto done;
		}
		for (i = 0; i < p->edit->n; i++) {
			const char *t;
			v = json_object_get(obj, p->jfield ? p->jfield : p->edit->v[i]);
			if (!json_is_string(v)) {
				reason = "missing_field";
				goto done;
			}
			t = json_string_value(v);
			n = json_string_length(v);
			trim(&t, &n);
			if (!n) {
				reason = "empty";
				goto done;
			}
			json_object_set_new(*edits, p->edit->v[i], json_stringn(t, n));
		}
	}
	/* unchanged: every edited field equals the original (both trimmed) */
	for (i = 0; i < p->edit->n; i++) {
		const char *o = cf_item_text(it, p->edit->v[i], &ol);
		json_t *ed = json_object_get(*edits, p->edit->v[i]);
		if (!o) {
			changed = 1;
			continue;
		}
		trim(&o, &ol);
		if (ol != json_string_length(ed) || memcmp(o, json_string_value(ed), ol))
			changed = 1;
	}
	if (!changed) {
		reason = "unchanged";
		goto done;
	}
	/* markers left in the edit (a second <new>, an answer that repeats the
	 * instructions) or an apology: not an edit of the text */
	for (i = 0; i < p->edit->n; i++) {
		json_t *ed = json_object_get(*edits, p->edit->v[i]);
		const char *t = json_string_value(ed), *o = cf_item_text(it, p->edit->v[i], &ol);
		size_t tl = json_string_length(ed), k;
		const char *marks[4] = { p->between[0], p->between[1], "<new>", "</new>" };
		for (k = 0; k < 4; k++)
			if (marks[k] && !(k >= 2 && p->between[k - 2] &&
			                  strcmp(p->between[k - 2], marks[k]) == 0) &&
			    has(t, tl, marks[k]) && !(o && has(o, ol, marks[k]))) {
				reason = "marker_in_answer";
				goto done;
			}
		if (cf_llm_is_refusal(t, tl, o, o ? ol : 0)) {
			reason = "refusal";
			goto done;
		}
	}
done:
	json_decref(obj);
	if (reason) {
		json_decref(*edits);
		*edits = NULL;
	}
	return reason;
}
