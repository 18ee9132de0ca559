/*
 * rules_stance.c - the full_flip check of the rules stage: does a sentiment
 * counterfactual still hold a stance of the label it was flipped from?
 *
 * Word swaps flip the words a pack knows; the review's other evaluative
 * words keep the source stance, and the flipped sentence then contradicts
 * the next ("What an excellent show ... pitiful in every aspect").  On a
 * strict read of CAD dev that was most of the "wrong sense" verdicts.  The
 * check finds, in the candidate's text:
 *   - a stance word of the source label, not negated (no not/n't/never/no
 *     among the four words before it in its clause);
 *   - a stance word of the target label under a negation ("not bad" left
 *     in a review flipped to negative);
 *   - a rating on the source label's side (8/10, 2 out of 10, 8 of 10, 4/5).
 * Stance words (lexicons/antonym-stance.tsv, scripts/derive_stance.py) are
 * the words CAD's human editors changed when they flipped a review
 * (paired_TRAIN); a use the antonyms pack leaves alone as not evaluative
 * (a name or title, a hyphenated compound, a context of
 * antonym-contexts.tsv, a character's love/hate) is not a stance here
 * either.
 *
 * Consumes: a text, the source label's side.  Emits: the first stance left
 * (its byte span), or none.  State: the sorted word list, read-only after
 * load.  Failure: CF_EIO (unreadable list), CF_ECONFIG "FILE:LINE: ...".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "rules.h"

typedef struct stance_ent {
	char w[24];
	unsigned char side;    /* 0 positive, 1 negative */
	unsigned char verb;    /* a love/hate verb: the reviewer's only with I/we/you */
} stance_ent;

typedef struct sent_ent {
	char w[24];
	float wt[2];           /* in positive, in negative reviews */
} sent_ent;

/* One hash table over every word the checks ask about: its stance entry,
 * its sentence-model weight, and whether it negates or turns a clause
 * (one probe per word of a text instead of a search per list). */
typedef struct word_ent {
	char w[24];             /* "" = empty slot */
	int32_t st, sw;         /* index in e / sw, or -1 */
	unsigned char neg, turn;
} word_ent;

struct cf_rules_stance {
	word_ent *tab;
	size_t mask;
	stance_ent *e;
	size_t n, cap;
	cf_rules_sense *sense;  /* antonym-contexts.tsv: non-evaluative uses */
	char **idiom;           /* idioms.txt, lower case: nothing in them counts */
	size_t nidiom, idcap;
	/* the sentence model (antonym-stance-sentences.tsv): word weights per
	 * source side, intercepts, and the probability cut */
	sent_ent *sw;
	size_t nsw, swcap;
	double bias[2], cut[2];
};

void cf_rules_stance_free(cf_rules_stance *s)
{
	if (s) {
		free(s->e);
		free(s->sw);
		free(s->tab);
		cf_rules_sense_free(s->sense);
		for (size_t i = 0; i < s->nidiom; i++)
			free(s->idiom[i]);
		free(s->idiom);
		free(s);
	}
}

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const stance_ent *)a)->w, ((const stance_ent *)b)->w);
}

static int build_index(cf_rules_stance *s, cf_error *err);

static int sent_cmp(const void *a, const void *b)
{
	return strcmp(((const sent_ent *)a)->w, ((const sent_ent *)b)->w);
}

/* antonym-stance-sentences.tsv: word<TAB>weight<TAB>weight, and the rows
 * <bias> and <threshold>. */
static int load_sentences(cf_rules_stance *s, const char *path, cf_error *err)
{
	FILE *f = fopen(path, "r");
	char line[256];
	long ln = 0;
	int rc = 0, have = 0;

	if (!f)
		return cf_error_set(err, CF_EIO, "%s: cannot open the sentence model: %s",
		                    path, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		char w[64], *end;
		double a, b;
		ln++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2 || (size_t)(t1 - line) >= sizeof s->sw->w ||
		    (a = strtod(t1 + 1, &end), end != t2) ||
		    (b = strtod(t2 + 1, &end), *end)) {
			rc = cf_error_set(err, CF_ECONFIG, "%s:%ld: expected word<TAB>weight"
			                  "<TAB>weight, a word under 24 bytes", path, ln);
			break;
		}
		memcpy(w, line, (size_t)(t1 - line));
		w[t1 - line] = '\0';
		if (!strcmp(w, "<bias>")) {
			s->bias[0] = a, s->bias[1] = b, have |= 1;
			continue;
		}
		if (!strcmp(w, "<threshold>")) {
			s->cut[0] = a, s->cut[1] = b, have |= 2;
			continue;
		}
		if (s->nsw == s->swcap) {
			size_t cap = s->swcap ? 2 * s->swcap : 1024;
			sent_ent *e = realloc(s->sw, cap * sizeof *e);
			if (!e) {
				rc = cf_error_set(err, CF_ENOMEM, "rules: out of memory");
				break;
			}
			s->sw = e;
			s->swcap = cap;
		}
		memcpy(s->sw[s->nsw].w, w, strlen(w) + 1);
		s->sw[s->nsw].wt[0] = (float)a;
		s->sw[s->nsw++].wt[1] = (float)b;
	}
	fclose(f);
	if (rc == 0 && have != 3)
		rc = cf_error_set(err, CF_ECONFIG, "%s: no <bias> or <threshold> row", path);
	if (rc == 0)
		qsort(s->sw, s->nsw, sizeof *s->sw, sent_cmp);
	return rc;
}

static int add_idiom(void *ctx, const char *p, size_t n)
{
	cf_rules_stance *s = ctx;
	char *d;

	if (s->nidiom == s->idcap) {
		size_t cap = s->idcap ? 2 * s->idcap : 64;
		char **v = realloc(s->idiom, cap * sizeof *v);
		if (!v)
			return CF_ENOMEM;
		s->idiom = v;
		s->idcap = cap;
	}
	if (!(d = malloc(n + 1)))
		return CF_ENOMEM;
	for (size_t i = 0; i < n; i++)
		d[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
	d[n] = '\0';
	s->idiom[s->nidiom++] = d;
	return 0;
}

/* 1 if the word w at text[ws, we) is part of an idiom there ("too bad",
 * "so bad it's good", "fall in love"), as the antonyms pack reads it. */
static int in_idiom(const cf_rules_stance *s, const char *w, const char *text,
                    size_t len, size_t ws, size_t we)
{
	size_t wl = we - ws;

	for (size_t i = 0; i < s->nidiom; i++) {
		const char *id = s->idiom[i], *h = id;
		size_t il = strlen(id);
		while ((h = strstr(h, w))) {
			size_t o = (size_t)(h - id), j;
			h++;
			if ((o && id[o - 1] != ' ') || (id[o + wl] && id[o + wl] != ' ' &&
			                                id[o + wl] != '\'') ||
			    o > ws || ws - o + il > len)
				continue;
			for (j = 0; j < il; j++) {
				char c = text[ws - o + j];
				if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != id[j])
					break;
			}
			if (j == il)
				return 1;
		}
	}
	return 0;
}

int cf_rules_stance_load(cf_rules_stance **out, const char *path,
                         const char *contexts, const char *idioms,
                         const char *sentences, cf_error *err)
{
	cf_rules_stance *s = calloc(1, sizeof *s);
	FILE *f = NULL;
	char line[512];
	long ln = 0;
	int rc = 0;

	*out = NULL;
	if (!s)
		return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
	if ((rc = cf_rules_sense_load(&s->sense, contexts, err)) < 0 ||
	    (rc = cf_rules_read_phrases(idioms, add_idiom, s, err)) < 0 ||
	    (rc = load_sentences(s, sentences, err)) < 0)
		goto done;
	if (!(f = fopen(path, "r"))) {
		rc = cf_error_set(err, CF_EIO, "%s: cannot open the stance list: %s",
		                  path, strerror(errno));
		goto done;
	}
	while (fgets(line, sizeof line, f)) {
		char *w = line, *side, *rest, *verb;
		ln++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		side = strchr(w, '\t');
		if (side)
			*side++ = '\0';
		rest = side ? strchr(side, '\t') : NULL;
		if (rest)
			*rest++ = '\0';
		verb = rest ? strrchr(rest, '\t') : NULL;
		if (!side || !*w || strlen(w) >= sizeof s->e->w ||
		    (strcmp(side, "positive") && strcmp(side, "negative"))) {
			rc = cf_error_set(err, CF_ECONFIG, "%s:%ld: expected word<TAB>"
			                  "positive|negative[<TAB>...], a word under 24 bytes",
			                  path, ln);
			goto done;
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 256;
			stance_ent *e = realloc(s->e, cap * sizeof *e);
			if (!e) {
				rc = cf_error_set(err, CF_ENOMEM, "rules: out of memory");
				goto done;
			}
			s->e = e;
			s->cap = cap;
		}
		memcpy(s->e[s->n].w, w, strlen(w) + 1);   /* length checked above */
		s->e[s->n].side = side[0] == 'n';
		s->e[s->n++].verb = verb && !strcmp(verb + 1, "verb");
	}
	qsort(s->e, s->n, sizeof *s->e, ent_cmp);
	rc = build_index(s, err);
done:
	if (f)
		fclose(f);
	if (rc < 0)
		cf_rules_stance_free(s);
	else
		*out = s;
	return rc;
}

static size_t hash_w(const char *w, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

/* The slot of the folded word w (n bytes, n < 24): its entry, or the
 * empty slot where it would go. */
static word_ent *slot(word_ent *tab, size_t mask, const char *w, size_t n)
{
	for (size_t i = hash_w(w, n) & mask;; i = (i + 1) & mask)
		if (!tab[i].w[0] || (!memcmp(tab[i].w, w, n) && !tab[i].w[n]))
			return &tab[i];
}

static const word_ent *lookup(const cf_rules_stance *s, const char *w, size_t n)
{
	const word_ent *e = slot(s->tab, s->mask, w, n);
	return e->w[0] ? e : NULL;
}

/* A negator, and the words after which a clause turns: a negation before
 * them does not reach past ("not great but good"). */
static const char *const negators[] = { "not", "no", "never", "nothing",
	"without", "hardly", "nor", "neither", "none", "cannot", "dont",
	"didnt", "doesnt", "isnt", "wasnt", "arent", "werent", "cant",
	"couldnt", "wouldnt", "wont", "shouldnt", "aint", NULL };
static const char *const turns[] = { "but", "although", "though", "yet",
	"while", "whereas", NULL };

static word_ent *add_word(cf_rules_stance *s, const char *w)
{
	size_t n = strlen(w);
	word_ent *e = slot(s->tab, s->mask, w, n);

	if (!e->w[0]) {
		memcpy(e->w, w, n + 1);
		e->st = e->sw = -1;
	}
	return e;
}

static int build_index(cf_rules_stance *s, cf_error *err)
{
	size_t want = 2 * (s->n + s->nsw + 32), cap = 64, i;

	while (cap < want)
		cap *= 2;
	if (!(s->tab = calloc(cap, sizeof *s->tab)))
		return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
	s->mask = cap - 1;
	for (i = 0; i < s->n; i++)
		add_word(s, s->e[i].w)->st = (int32_t)i;
	for (i = 0; i < s->nsw; i++)
		add_word(s, s->sw[i].w)->sw = (int32_t)i;
	for (i = 0; negators[i]; i++)
		add_word(s, negators[i])->neg = 1;
	for (i = 0; turns[i]; i++)
		add_word(s, turns[i])->turn = 1;
	return 0;
}

/* A rating at text[p] (a digit): its side (0 positive, 1 negative), or -1
 * for none or the middle of the scale; *e gets its end. */
static int rating_at(const char *t, size_t len, size_t p, size_t *e)
{
	double v = 0, scale = 0, frac = 0.1;
	size_t q = p;

	while (q < len && t[q] >= '0' && t[q] <= '9')
		v = v * 10 + (t[q++] - '0');
	if (q + 1 < len && t[q] == '.' && t[q + 1] >= '0' && t[q + 1] <= '9')
		for (q++; q < len && t[q] >= '0' && t[q] <= '9'; q++, frac /= 10)
			v += (t[q] - '0') * frac;
	while (q < len && t[q] == ' ')
		q++;
	if (q < len && t[q] == '/')
		q++;
	else if (q + 6 <= len && !strncmp(t + q, "out of", 6))
		q += 6;
	else if (q + 2 <= len && !strncmp(t + q, "of", 2))
		q += 2;   /* "8 of 10" */
	else
		return -1;
	while (q < len && t[q] == ' ')
		q++;
	if (q + 2 <= len && !strncmp(t + q, "10", 2) &&
	    !(q + 2 < len && t[q + 2] >= '0' && t[q + 2] <= '9'))
		scale = 10, q += 2;
	else if (q < len && t[q] == '5' && !(q + 1 < len && t[q + 1] >= '0' &&
	                                     t[q + 1] <= '9'))
		scale = 5, q += 1;
	else
		return -1;
	*e = q;
	if (v > scale)
		return -1;
	return v >= 0.6 * scale ? 0 : v <= 0.4 * scale ? 1 : -1;
}

static int word_left(const cf_rules_stance *s, int side, const char *text,
                     size_t len, size_t *ls, size_t *le)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t p = 0, cl;
	int since_neg = 99;      /* words since the last negator in the clause */

	while (p < len) {
		size_t ws, we, n = 0, re = 0;
		char w[24];
		int toolong = 0;

		if (!cf_rules_is_word(t + p, len - p, &cl)) {
			if (strchr(".,;:!?()\"<>\n[]", t[p]) || (t[p] == 0xE2 && p + 2 < len &&
			    t[p + 1] == 0x80 && (t[p + 2] == 0x93 || t[p + 2] == 0x94 ||
			                         t[p + 2] == 0x9C || t[p + 2] == 0x9D)))
				since_neg = 99;   /* a clause ends: , ; . – — “ ” */
			p += cl;
			continue;
		}
		ws = p;
		if (t[p] >= '0' && t[p] <= '9') {
			int r = rating_at(text, len, p, &re);
			if (r == side) {
				*ls = ws;
				*le = re;
				return 1;
			}
		}
		/* the word, with an apostrophe part: didn't, isn't (’ too) */
		for (;;) {
			while (p < len && cf_rules_is_word(t + p, len - p, &cl)) {
				if (n + 1 < sizeof w && cl == 1)
					w[n++] = (char)(t[p] | (t[p] >= 'A' && t[p] <= 'Z' ? 32 : 0));
				else
					toolong = 1;
				p += cl;
			}
			size_t al = p < len && t[p] == '\'' ? 1 :
			            p + 2 < len && t[p] == 0xE2 && t[p + 1] == 0x80 &&
			            t[p + 2] == 0x99 ? 3 : 0;
			if (!al || p + al >= len || !cf_rules_is_word(t + p + al, len - p - al, &cl))
				break;
			if (n + 1 < sizeof w)
				w[n++] = '\'';
			p += al;
		}
		we = p;
		w[n] = '\0';
		since_neg++;
		if (toolong || !n)
			continue;
		const word_ent *x = lookup(s, w, n);
		if ((x && x->neg) || (n > 3 && !memcmp(w + n - 3, "n't", 3))) {
			since_neg = 0;
			continue;
		}
		if (!x || x->turn) {
			since_neg = x ? 99 : since_neg;
			continue;
		}
		if (x->st < 0)
			continue;
		const stance_ent *e = &s->e[x->st];
		int negated = since_neg <= 4;
		if ((e->side == side) == negated)
			continue;   /* the stance is the target's */
		if (cf_rules_mid_capital(text, len, ws) ||
		    cf_rules_in_compound(text, len, ws, we) ||
		    cf_rules_sense_blocked(s->sense, text, len, ws, we) ||
		    in_idiom(s, w, text, len, ws, we) ||
		    (e->verb && (cf_rules_plot_verb(CF_POS_VERB, text, ws) ||
		                 cf_rules_pos_mismatch(CF_POS_VERB, text, len, ws, we))))
			continue;   /* not an evaluation (as the antonyms pack reads it) */
		*ls = ws;
		*le = we;
		return 1;
	}
	return 0;
}

/* The sentence model's words: ASCII letters and digits, an inner
 * apostrophe (didn't); sentences end at . ! ? <br> and newlines
 * (scripts/derive_stance_sentences.py splits alike). */
static int alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static size_t sentence_end(const char *t, size_t len, size_t p)
{
	for (; p < len; p++) {
		if (t[p] == '.' || t[p] == '!' || t[p] == '?' || t[p] == '\n') {
			while (p < len && (t[p] == '.' || t[p] == '!' || t[p] == '?'))
				p++;
			return p < len && t[p] == '\n' ? p + 1 : p;
		}
		if (t[p] == '<' && p + 2 < len && (t[p + 1] | 32) == 'b' &&
		    (t[p + 2] | 32) == 'r') {
			const char *gt = memchr(t + p, '>', len - p);
			return gt ? (size_t)(gt - t) + 1 : len;
		}
	}
	return len;
}

/* 1 if a sentence with no edit in it reads as stance-bearing to the model:
 * its stance is still the source label's. */
static int sentence_left(const cf_rules_stance *s, int side, const char *text,
                         size_t len, const cf_rules_edit *ed, size_t ned,
                         size_t *ls, size_t *le)
{
	const sent_ent *seen[256];
	size_t p = 0, k = 0;

	if (!s->nsw)
		return 0;
	while (p < len) {
		size_t e = sentence_end(text, len, p), nseen = 0;
		double z = s->bias[side];
		int any = 0;

		while (k < ned && ed[k].dst_off + ed[k].dst_len <= p)
			k++;
		if (k < ned && ed[k].dst_off < e) {   /* the rules edited it */
			p = e;
			continue;
		}
		for (size_t q = p; q < e; ) {
			char w[24];
			size_t n = 0;
			if (!alnum((unsigned char)text[q])) {
				q++;
				continue;
			}
			while (q < e && (alnum((unsigned char)text[q]) ||
			                 (text[q] == '\'' && q + 1 < e &&
			                  alnum((unsigned char)text[q + 1]) && n))) {
				if (n + 1 < sizeof w)
					w[n] = (char)(text[q] | (text[q] >= 'A' && text[q] <= 'Z' ? 32 : 0));
				n++;
				q++;
			}
			any = 1;
			if (n >= sizeof w)
				continue;
			w[n] = '\0';
			const word_ent *x = lookup(s, w, n);
			const sent_ent *h = x && x->sw >= 0 ? &s->sw[x->sw] : NULL;
			size_t j;
			for (j = 0; h && j < nseen && seen[j] != h; j++)
				;
			if (!h || j < nseen)
				continue;   /* unknown, or counted once already */
			if (nseen < sizeof seen / sizeof *seen)
				seen[nseen++] = h;
			z += h->wt[side];
		}
		if (any && 1.0 / (1.0 + exp(-z)) >= s->cut[side]) {
			while (p < e && (text[p] == ' ' || text[p] == '\t'))
				p++;
			*ls = p;
			*le = e;
			return 2;
		}
		p = e;
	}
	return 0;
}

int cf_rules_stance_left(const cf_rules_stance *s, int side, const char *text,
                         size_t len, const cf_rules_edit *ed, size_t ned,
                         size_t *ls, size_t *le)
{
	int r = word_left(s, side, text, len, ls, le);

	return r ? r : sentence_left(s, side, text, len, ed, ned, ls, le);
}
