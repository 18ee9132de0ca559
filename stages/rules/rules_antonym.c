/*
 * rules_antonym.c - the word-level checks of the sentiment packs (see
 * rules.h): where an antonym may be swapped, the article before a swapped
 * word, polarity items after an added negation, and the idiom list.
 *
 * Consumes: a text and the byte span of a candidate word, or a word.
 * Emits: decisions and replacement words, no text.  The lists here are the
 * data of these decisions:
 *   - a word capitalised mid-sentence is a name or a title ("an actor called
 *     Best", "Happy Days"): not swapped; a word inside a hyphenated compound
 *     ("least-favorite", "so-bad-it's-good", "must-see") is not either;
 *   - a/an follows the sound of the word after it (an hour, a unique);
 *   - some/someone/something/somebody/somewhere/already become any.../yet
 *     after an added "not"; a negation is not added before an adverb that
 *     does not take one (somewhat, pretty, truly, even, at best ...);
 *   - lexicons/idioms.txt: fixed expressions ("for lack of a better word",
 *     "fall in love") inside which nothing is swapped;
 *   - lexicons/antonym-contexts.tsv: a word next to which a pack word is not
 *     an evaluation ("a great deal", "the poor girl", "love story"), from
 *     the uses CAD's human editors kept when they flipped a review.
 * State: none.  Failure: an unreadable idiom file (CF_EIO), a line that is
 * not a phrase (CF_ECONFIG with FILE:LINE).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"

static int word_at(const char *text, size_t len, size_t p)
{
	size_t cl;
	return p < len && cf_rules_is_word((const unsigned char *)text + p,
	                                   len - p, &cl);
}

int cf_rules_mid_capital(const char *text, size_t len, size_t ws)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t p = ws;

	(void)len;
	if (!(t[ws] >= 'A' && t[ws] <= 'Z'))
		return 0;
	/* all capitals (GOOD POINTS) is emphasis, not a name */
	if (ws + 1 < len && t[ws + 1] >= 'A' && t[ws + 1] <= 'Z')
		return 0;
	while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == '"' ||
	                 t[p - 1] == '\'' || t[p - 1] == '(' || t[p - 1] == '*' ||
	                 t[p - 1] == 0x9C || t[p - 1] == 0x98))
		p--;   /* blanks, quotes, an opening bracket, “ ‘ (last bytes) */
	if (p == 0)
		return 0;
	return !strchr(".!?\n\r>:;-", t[p - 1]);   /* > ends <br /> */
}

/* The folded ASCII word before ws (dir -1) or from we on (dir 1) into k;
 * its length, 0 if none or not plain ASCII letters, or punctuation first. */
static size_t word_near(const char *text, size_t len, size_t p, int dir,
                        char *k, size_t cap)
{
	size_t s, e, n;

	if (dir < 0) {
		e = p;
		while (e > 0 && text[e - 1] == ' ')
			e--;
		s = e;
		while (s > 0 && ((text[s - 1] | 32) >= 'a' && (text[s - 1] | 32) <= 'z'))
			s--;
	} else {
		s = p;
		while (s < len && text[s] == ' ')
			s++;
		e = s;
		while (e < len && ((text[e] | 32) >= 'a' && (text[e] | 32) <= 'z'))
			e++;
	}
	n = e - s;
	if (!n || n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		k[i] = (char)(text[s + i] | 32);
	k[n] = '\0';
	return n;
}

static int in_words(const char *k, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(k, *l))
			return 1;
	return 0;
}

int cf_rules_pos_mismatch(int pos, const char *text, size_t len, size_t ws,
                          size_t we)
{
	static const char *const before_noun[] = { "the", "a", "an", "my", "his",
		"her", "their", "our", "your", "its", "of", "in", "with", "for",
		"no", "true", "first", "much", "such", "this", "that", NULL };
	static const char *const object[] = { "the", "a", "an", "his", "her",
		"their", "my", "your", "our", "its", "him", "them", "us", "me",
		"everyone", "anyone", "people", "viewers", "audiences", NULL };
	char k[16];

	if (pos == CF_POS_VERB)
		return word_near(text, len, ws, -1, k, sizeof k) &&
		       in_words(k, before_noun);
	if (pos == CF_POS_ADJ && we - ws > 4 && !memcmp(text + we - 3, "ing", 3))
		return word_near(text, len, we, 1, k, sizeof k) && in_words(k, object);
	return 0;
}

int cf_rules_in_compound(const char *text, size_t len, size_t ws, size_t we)
{
	return (ws >= 2 && text[ws - 1] == '-' && word_at(text, len, ws - 2)) ||
	       (we + 1 < len && text[we] == '-' && word_at(text, len, we + 1));
}

int cf_rules_vowel_sound(const char *w, size_t n)
{
	/* prefixes, each with its length (sizeof - 1: no strlen per call) */
#define P(s) { s, sizeof s - 1 }
	static const struct { const char *s; size_t n; } cons[] = { P("one"),
		P("once"), P("unique"), P("unit"), P("univ"), P("unif"), P("union"),
		P("unison"), P("use"), P("usu"), P("usa"), P("eu"), P("ewe"),
		P("uk"), P("ura"), P("ure"), P("uri"), P("uro"), P("uti"), P("ubi"),
		{ NULL, 0 } };
	static const struct { const char *s; size_t n; } vow[] = { P("hour"),
		P("honest"), P("honor"), P("honour"), P("heir"), { NULL, 0 } };
#undef P
	char k[12];
	size_t i;

	for (i = 0; i < n && i < sizeof k - 1; i++)
		k[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
	k[i] = '\0';
	for (i = 0; cons[i].s; i++)
		if (k[0] == cons[i].s[0] && !strncmp(k, cons[i].s, cons[i].n))
			return 0;
	for (i = 0; vow[i].s; i++)
		if (k[0] == vow[i].s[0] && !strncmp(k, vow[i].s, vow[i].n))
			return 1;
	return k[0] && strchr("aeiou", k[0]) != NULL;
}

const char *cf_rules_npi(const char *key, size_t n)
{
	static const char *const m[][2] = { { "some", "any" }, { "someone", "anyone" },
		{ "somebody", "anybody" }, { "something", "anything" },
		{ "somewhere", "anywhere" }, { "already", "yet" },
		{ "several", "any" },   /* "There were not several funny moments" */
		{ NULL, NULL } };

	for (size_t i = 0; n && m[i][0]; i++)
		if (m[i][0][0] == key[0] && !strncmp(m[i][0], key, n) && !m[i][0][n])
			return m[i][1];
	return NULL;
}

int cf_rules_no_negation_before(const char *key, size_t n)
{
	static const char *const w[] = { "somewhat", "pretty", "rather", "fairly",
		"quite", "truly", "certainly", "surely", "definitely", "indeed",
		"even", "so", "already", "still", "likewise", "alternately", "either",
		"just", "simply", "absolutely", "utterly", "totally", "at", "beyond",
		"all", "only", "far", "such", "incredibly", "extremely", "highly",
		"also", "actually", "clearly", "obviously", "probably", "perhaps",
		"definately", "genuinely", "easily", "undoubtedly", "nonetheless",
		"admittedly", "kind", "sort", "unfortunately", "fortunately",
		"sadly", "happily", "thankfully", "luckily", "hopefully",
		/* a question: "is it good?" */
		"it", "he", "she", "they", "i", "you", "we", "there", "this",
		"these", "those", NULL };

	for (size_t i = 0; n && w[i]; i++)   /* first byte, then the rest */
		if (w[i][0] == key[0] && !strncmp(w[i], key, n) && !w[i][n])
			return 1;
	return 0;
}

int cf_rules_read_phrases(const char *path,
                          int (*add)(void *ctx, const char *s, size_t n),
                          void *ctx, cf_error *err)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long ln = 0;
	int rc = 0;

	if (!f)
		return cf_error_set(err, CF_EIO, "%s: cannot open phrase list: %s",
		                    path, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		ln++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
		             line[n - 1] == ' '))
			n--;
		if (!n || line[0] == '#')
			continue;
		if (n >= sizeof line - 2 || memchr(line, '\t', n)) {
			rc = cf_error_set(err, CF_ECONFIG, "%s:%ld: a phrase is one line of "
			                  "words, no tabs, under 500 bytes", path, ln);
			break;
		}
		if ((rc = add(ctx, line, n)) < 0) {
			rc = cf_error_set(err, rc == CF_RULES_ENOTWORD ? CF_ECONFIG : rc,
			                  "%s:%ld: %s", path, ln,
			                  rc == CF_RULES_ENOTWORD ? "a phrase must start with a letter "
			                  "or digit (and fit the list's header: words, "
			                  "bytes)" : cf_strerror(rc));
			break;
		}
	}
	fclose(f);
	return rc;
}

/* ---- contexts where a pack word is not evaluative ----------------------- */

typedef struct sense_ent {
	char word[24], nb[24];
	int next;             /* 1: nb is the word after, 0: the word before */
} sense_ent;

struct cf_rules_sense {
	sense_ent *e;
	size_t n, cap;
	uint32_t *set;       /* the distinct words: open addressing, index of
	                      * an entry + 1 (0 empty); a power of two long */
	uint32_t *ent;       /* every entry (word, side, neighbour), the same */
	size_t setmask;      /* both tables' length - 1 */
};

void cf_rules_sense_free(cf_rules_sense *s)
{
	if (s) {
		free(s->e);
		free(s->set);
		free(s->ent);
		free(s);
	}
}

/* FNV-1a of the string w, from h (0 to start) */
static uint64_t sense_hash(const char *w, uint64_t h)
{
	if (!h)
		h = 0xcbf29ce484222325ull;
	for (; *w; w++)
		h = (h ^ (unsigned char)*w) * 0x100000001b3ull;
	return h;
}

static size_t slot_of(uint64_t h, size_t mask)
{
	return (size_t)(h ^ (h >> 29)) & mask;
}

/* hash of an entry: word, side, neighbour */
static uint64_t ent_hash(const char *w, int next, const char *nb)
{
	return sense_hash(nb, (sense_hash(w, 0) ^ (uint64_t)(next + 1)) *
	                      0x100000001b3ull);
}

/* 1 if (w, next, nb) is an entry: one hash probe (was a binary search,
 * ~10 strcmp calls) */
static int sense_has(const cf_rules_sense *s, const char *w, int next,
                     const char *nb)
{
	for (size_t i = slot_of(ent_hash(w, next, nb), s->setmask); s->ent[i];
	     i = (i + 1) & s->setmask) {
		const sense_ent *e = &s->e[s->ent[i] - 1];
		if (e->next == next && !strcmp(e->word, w) && !strcmp(e->nb, nb))
			return 1;
	}
	return 0;
}

/* 1 if some entry's word is the string w: one hash probe
 * where a binary search took ~10 strcmp calls, and most pack words have
 * no entry. */
static int sense_has_word(const cf_rules_sense *s, const char *w)
{
	for (size_t i = slot_of(sense_hash(w, 0), s->setmask); s->set[i];
	     i = (i + 1) & s->setmask)
		if (!strcmp(s->e[s->set[i] - 1].word, w))
			return 1;
	return 0;
}

/* The hash tables of the sorted entries: distinct words, entries. */
static int sense_index(cf_rules_sense *s)
{
	size_t cap = 16, i;

	while (cap < s->n * 2)
		cap *= 2;
	if (!(s->set = calloc(cap, sizeof *s->set)) ||
	    !(s->ent = calloc(cap, sizeof *s->ent)))
		return CF_ENOMEM;
	s->setmask = cap - 1;
	for (size_t k = 0; k < s->n; k++) {
		const sense_ent *e = &s->e[k];
		for (i = slot_of(ent_hash(e->word, e->next, e->nb), s->setmask);
		     s->ent[i]; i = (i + 1) & s->setmask)
			;
		s->ent[i] = (uint32_t)k + 1;
		if (k && !strcmp(e->word, s->e[k - 1].word))
			continue;
		for (i = slot_of(sense_hash(e->word, 0), s->setmask); s->set[i];
		     i = (i + 1) & s->setmask)
			;
		s->set[i] = (uint32_t)k + 1;
	}
	return 0;
}

/* by word, then side, then neighbour: a check is two exact searches */
static int sense_cmp(const void *a, const void *b)
{
	const sense_ent *x = a, *y = b;
	int c = strcmp(x->word, y->word);

	if (!c)
		c = x->next - y->next;
	return c ? c : strcmp(x->nb, y->nb);
}

int cf_rules_sense_load(cf_rules_sense **out, const char *path, cf_error *err)
{
	cf_rules_sense *s = calloc(1, sizeof *s);
	FILE *f = NULL;
	char line[2048];
	long ln = 0;
	int rc = 0;

	*out = NULL;
	if (!s)
		return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT) {   /* an old lexicon directory: no contexts */
			if (sense_index(s) < 0) {
				cf_rules_sense_free(s);
				return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
			}
			*out = s;
			return 0;
		}
		rc = cf_error_set(err, CF_EIO, "%s: cannot open: %s", path, strerror(errno));
		goto done;
	}
	while (fgets(line, sizeof line, f)) {
		char *w, *side, *nbs, *save = NULL, *nb;
		ln++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		w = line;
		side = strchr(w, '\t');
		nbs = side ? strchr(side + 1, '\t') : NULL;
		if (side)
			*side++ = '\0';
		if (nbs)
			*nbs++ = '\0';
		if (!nbs || strlen(w) >= sizeof s->e->word ||
		    (strcmp(side, "next") && strcmp(side, "prev"))) {
			rc = cf_error_set(err, CF_ECONFIG, "%s:%ld: expected word<TAB>next|prev"
			                  "<TAB>neighbours", path, ln);
			goto done;
		}
		for (nb = strtok_r(nbs, ",", &save); nb; nb = strtok_r(NULL, ",", &save)) {
			if (strlen(nb) >= sizeof s->e->nb || !*nb) {
				rc = cf_error_set(err, CF_ECONFIG, "%s:%ld: neighbour '%s' is empty "
				                  "or too long", path, ln, nb);
				goto done;
			}
			if (s->n == s->cap) {
				size_t cap = s->cap ? 2 * s->cap : 64;
				sense_ent *e = realloc(s->e, cap * sizeof *e);
				if (!e) {
					rc = cf_error_set(err, CF_ENOMEM, "rules: out of memory");
					goto done;
				}
				s->e = e;
				s->cap = cap;
			}
			/* both lengths checked above */
			memcpy(s->e[s->n].word, w, strlen(w) + 1);
			memcpy(s->e[s->n].nb, nb, strlen(nb) + 1);
			s->e[s->n++].next = side[0] == 'n';
		}
	}
done:
	if (f)
		fclose(f);
	if (rc < 0) {
		cf_rules_sense_free(s);
	} else {
		/* sorted for a binary search: the checks run on every pack word
		 * of every scope (25% of a sentiment run as a linear scan) */
		if (s->n > 1)
			qsort(s->e, s->n, sizeof *s->e, sense_cmp);
		if (sense_index(s) < 0) {
			cf_rules_sense_free(s);
			return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
		}
		*out = s;
	}
	return rc;
}

/* A manner adverb of the pack right before an adjective is a degree word,
 * not an evaluation: "so terribly crude" is very crude, and swapping it
 * gives "so brilliantly crude".  Before a participle ("poorly acted",
 * "beautifully shot"), a verb ("superbly captures") or a function word it
 * evaluates.  On CAD paired_TRAIN (never dev) the words after terribly
 * were mostly adjectives (negative, heavy, fake, complicated, boring,
 * wrong, slow), after poorly/beautifully/brilliantly mostly participles. */
static int degree_use(const char *w, const char *after)
{
	static const char *const manner[] = { "brilliantly", "terribly",
		"wonderfully", "horribly", "superbly", "dreadfully", "beautifully",
		"poorly", NULL };
	static const char *const verbish[] = { "done", "made", "shot", "cast",
		"told", "put", "written", "drawn", "lit", "spent", "given", "built",
		"sung", "seen", "taken", "thought", "kept", "held", "set", "run",
		"shown", "known", "grown", "chosen", "spoken", "hidden", "broken",
		"driven", "fought", "brought", "caught", "taught", "sold", "paid",
		"read", "said", "heard", "felt", "left", "lost", "meant", "sent",
		"understood", "and", "or", "but", "by", "for", "to", "in", "on", "at",
		"with", "that", "than", "through", "together", "as", "from", "of",
		"into", "when", "while", "if", "the", "a", "an", "this", "it", "his",
		"her", "their", "its", "too", NULL };
	size_t n = strlen(after), wn = strlen(w), i;

	if (wn < 6 || strcmp(w + wn - 2, "ly"))
		return 0;   /* every manner word ends in -ly: most words stop here */
	for (i = 0; manner[i] && strcmp(manner[i], w); i++)
		;
	if (!manner[i] || n < 3 || !strcmp(after + n - 2, "ed") ||
	    (after[n - 1] == 's' && after[n - 2] != 's'))
		return 0;
	for (i = 0; verbish[i]; i++)
		if (!strcmp(verbish[i], after))
			return 0;
	return 1;
}

int cf_rules_sense_blocked(const cf_rules_sense *s, const char *text,
                           size_t len, size_t ws, size_t we)
{
	char w[24], before[24], after[24];
	size_t n = we - ws, nb, na;

	if (!s || !s->n || n >= sizeof w)
		return 0;
	for (size_t i = 0; i < n; i++)
		w[i] = (char)(text[ws + i] >= 'A' && text[ws + i] <= 'Z' ?
		              text[ws + i] + 32 : text[ws + i]);
	w[n] = '\0';
	/* most pack words have no sense entry and are no manner adverb: stop
	 * before reading the neighbours (e is sorted by word first) */
	if ((n < 6 || w[n - 2] != 'l' || w[n - 1] != 'y') && !sense_has_word(s, w))
		return 0;
	/* a word right before or after, across blanks only */
	nb = ws > 0 && (text[ws - 1] == ' ' || text[ws - 1] == '\t') ?
	     word_near(text, len, ws, -1, before, sizeof before) : 0;
	na = we < len && (text[we] == ' ' || text[we] == '\t') ?
	     word_near(text, len, we, 1, after, sizeof after) : 0;
	if (na && degree_use(w, after))
		return 1;
	/* w with the word after, then with the word before */
	return (na && sense_has(s, w, 1, after)) || (nb && sense_has(s, w, 0, before));
}

/* 1 if the verb entry at ws has no first- or second-person subject among
 * the three words before it in its clause, and does not start a sentence
 * or follow a comma ("Loved it!", "Love it, love it"): a character's
 * feeling in the plot ("he hates his father"), not the reviewer's.  On CAD paired_TRAIN the human editors
 * changed love/hate/enjoy/like verbs after I/we/you in 55% of 389 uses,
 * after he/she/they/who in 14% of 76, otherwise 25% of 343
 * (scripts/antonym_human_edits.py --verbs). */
int cf_rules_plot_verb(int pos, const char *text, size_t ws)
{
	static const char *const person[] = { "i", "we", "you", "ve", "d", "ll",
		"m", "ya", "u", NULL };
	size_t p = ws;

	if (pos != CF_POS_VERB)
		return 0;
	for (int k = 0; k < 3; k++) {
		cf_rules_tok t = cf_rules_prev_tok(text, p);
		if (t.kind == CF_TOK_END)
			return k > 0;
		if (t.kind == CF_TOK_PUNCT) {
			unsigned char c = (unsigned char)text[t.s];
			if (c == '\'' || c == 0x99) {   /* I've, we'd: the word before */
				p = t.s;
				k--;
				continue;
			}
			/* a sentence or a list item starts right before the verb,
			 * its subject elided: "Loved it!", "Love it, love it" */
			return !(k == 0 && strchr(".!?>\n,;", c));
		}
		if (in_words(t.w, person))
			return 0;
		p = t.s;
	}
	return 1;
}
