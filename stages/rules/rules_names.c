/*
 * rules_names.c - context conditions of lexicon entries: where a first name
 * is a first name, titles before names, and a few gendered words that are
 * not gendered in some uses.
 *
 * Consumes: a text and the byte span of a word the lexicon matched, with
 * the entry's context kind (its TSV tag, see rules.h CF_CTX_*).  Emits: a
 * yes/no, no text.
 *
 *   name        a first name only in first-name position: not after a
 *               capitalised word in mid-sentence (James in "Henry James",
 *               "LeBron James"), a title (Mr. Davis, General Lee), an
 *               initial (George R. R. Martin) or a place word (St. Louis,
 *               Santa Barbara, Fort Worth); not before a place or
 *               organisation word (Elizabeth Street, Johns Hopkins
 *               University, George Washington Bridge); not hyphen-joined
 *               (Spider-Man, Jean-Claude).  After a sentence-initial
 *               capitalised word it is a surname only when that word is a
 *               first name itself (Jennifer Jason Leigh).
 *   ambig-name  a name that is also a common word (Will, Bill, Rose, Mark,
 *               Frank): as `name`, and it needs evidence of name use: mid-
 *               sentence capital (not after a determiner), a capitalised
 *               surname after it, or a verb after it (Will said) -- here
 *               or at another place in the same text, so one text swaps
 *               the name everywhere or nowhere.
 *   before-name a title used only before a name (Dame Judi -> Sir Judi).
 *   noun-verb   "man" is a verb before a determiner (volunteers man the
 *               phones), unless a determiner or adjective precedes it.
 *   wedding     "best man" is the wedding role only after a possessive or
 *               before 's / at / to / speech / toast / duties ("his best
 *               man", "best man at the wedding"); else the words swap one
 *               by one (the best man for the job -> the best woman ...).
 *
 * State: none.  Limits: looks at two words either side (ambig-name: the
 * whole text for other occurrences).  Failure: none (always decides).
 */
#define _GNU_SOURCE   /* memmem */
#include <string.h>
#include "rules.h"

typedef cf_rules_tok tok;

static int in(const char *const *list, const char *w)
{
	for (; w[0] && *list; list++)
		if (strcmp(*list, w) == 0)
			return 1;
	return 0;
}

/* The word starts with a capital (ASCII, or Latin-1 supplement upper). */
static int cap_at(const char *text, size_t len, size_t s)
{
	const unsigned char *t = (const unsigned char *)text;

	if (t[s] >= 'A' && t[s] <= 'Z')
		return 1;
	return s + 1 < len && t[s] == 0xC3 && t[s + 1] >= 0x80 && t[s + 1] <= 0x9E &&
	       t[s + 1] != 0x97;
}

static int is_cap_word(const tok *k, const char *text, size_t len)
{
	return k->kind == CF_TOK_WORD && cap_at(text, len, k->s);
}

/* Titles and place words after which a capitalised name is a surname or
 * part of a place name. */
static const char *const surname_after[] = {
	"mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "prof", "professor",
	"president", "general", "gen", "captain", "capt", "colonel", "col",
	"sergeant", "sgt", "lieutenant", "lt", "major", "officer", "detective",
	"det", "inspector", "judge", "justice", "senator", "sen", "governor",
	"gov", "rev", "reverend", "pastor", "bishop", "cardinal", "pope",
	"agent", "coach", "chief", "admiral", "commander", "private", "corporal",
	"st", "saint", "santa", "san", "fort", "ft", "mount", "mt", "lake",
	"port", "cape", "new", "north", "south", "east", "west", "upper",
	"lower", "los", "las", "el", "la", "le", "de", "van", "von", "del", "da",
	"di", "du", "des", "mac", "mc", "o", "jr", "sr", "hotel", "club",
	"team", "operation", "project", "hurricane", "the", "a", "an", NULL
};

/* Words after which a capitalised name is a first name. */
static const char *const first_after[] = {
	"sir", "dame", "lady", "uncle", "aunt", "auntie", "aunty", "cousin",
	"brother", "sister", "little", "young", "old", "big", "baby", "i", NULL
};

/* Place and organisation words: a name before them names a place. */
static const char *const place_word[] = {
	"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd",
	"lane", "drive", "court", "place", "square", "university", "college",
	"school", "academy", "hospital", "clinic", "park", "bridge", "river",
	"lake", "station", "island", "islands", "county", "bay", "hall",
	"center", "centre", "foundation", "institute", "church", "cathedral",
	"chapel", "award", "awards", "prize", "theatre", "theater", "museum",
	"library", "company", "co", "corporation", "corp", "inc", "ltd",
	"records", "studios", "studio", "pictures", "hotel", "airport",
	"stadium", "falls", "mountain", "mountains", "valley", "beach", "city",
	"township", "harbor", "harbour", "canyon", "creek", "forest", "memorial",
	"building", "tower", "towers", "gardens", "heights", "springs", "sound",
	"strait", "point", "festival", "show", "band", "trio", "quartet",
	"brothers", "sisters", "bros", NULL
};

/* Verbs that show an ambiguous name is a name: "Will said", "Mark is". */
static const char *const name_verb[] = {
	"is", "was", "has", "had", "says", "said", "asks", "asked", "tells",
	"told", "looks", "looked", "goes", "went", "gets", "got", "does", "did",
	"can", "could", "would", "should", "wants", "wanted", "knows", "knew",
	"thinks", "thought", "finds", "found", "seems", "seemed", "tries",
	"tried", "takes", "took", "comes", "came", "falls", "fell", "loves",
	"loved", "meets", "met", "decides", "decided", "realizes", "realized",
	"realises", "realised", "plays", "played", "sees", "saw", "becomes",
	"became", "lives", "lived", "leaves", "left", "returns", "returned",
	"arrives", "arrived", "agrees", "agreed", "begins", "began", "starts",
	"started", "manages", "managed", "marries", "married", "kills", "killed",
	"smiles", "smiled", "laughs", "laughed", "replies", "replied", "and",
	"who", NULL
};

static const char *const determiner[] = {
	"the", "a", "an", "this", "that", "these", "those", "my", "your", "his",
	"her", "its", "our", "their", "every", "each", "no", "any", "some", NULL
};

/* prev is at a sentence start (nothing, or . ! ? : ; quote, bracket
 * before it). */
static int sentence_start(const char *text, size_t pos)
{
	tok p = cf_rules_prev_tok(text, pos);

	if (p.kind == CF_TOK_END)
		return 1;
	if (p.kind != CF_TOK_PUNCT)
		return 0;
	return strchr(".!?:;\"(-*[>", text[p.s]) != NULL ||
	       (unsigned char)text[p.s] >= 0x80;   /* closing bytes of “ ” … */
}

/* The word of an initial or abbreviation before '.' at p: "R" or "Mr". */
static int abbrev_before_dot(const char *text, size_t dot)
{
	tok w = cf_rules_prev_tok(text, dot);

	if (w.kind != CF_TOK_WORD)
		return 0;
	if (w.e - w.s == 1 && text[w.s] >= 'A' && text[w.s] <= 'Z')
		return 1;   /* an initial */
	return in(surname_after, w.w);
}

/* Bytes of an apostrophe (' or U+2019) at text[p], or 0. */
static size_t apos(const char *text, size_t len, size_t p)
{
	const unsigned char *t = (const unsigned char *)text;

	if (p < len && t[p] == '\'')
		return 1;
	if (p + 2 < len && t[p] == 0xE2 && t[p + 1] == 0x80 && t[p + 2] == 0x99)
		return 3;
	return 0;
}

/* End of the word at we with a possessive 's or s' skipped; we if none. */
static size_t past_possessive(const char *text, size_t len, size_t we)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t p = we + apos(text, len, we), cl;

	if (p == we)
		return we;
	if (p < len && (t[p] == 's' || t[p] == 'S'))
		p++;
	if (p < len && cf_rules_is_word(t + p, len - p, &cl))
		return we;   /* Don't, O'Neill: not a possessive */
	return p;
}

/* A contraction or a glued name after the word: Don't, Will'll, O'Neill. */
static int glued(const char *text, size_t len, size_t we)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t a = apos(text, len, we), cl;

	return a && we + a < len && cf_rules_is_word(t + we + a, len - we - a, &cl) &&
	       past_possessive(text, len, we) == we;
}

/* Position checks shared by name and ambig-name. */
static int first_name_position(const char *text, size_t len, size_t ws,
                               size_t we, int prev_name)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t cl;
	tok p = cf_rules_prev_tok(text, ws), n, n2;

	/* hyphen-joined: Spider-Man, Jean-Claude, Mary-Kate; Don't */
	if ((ws > 0 && t[ws - 1] == '-') || glued(text, len, we))
		return 0;
	if ((ws > 1 && t[ws - 1] == '\'' && cf_rules_is_word(t + ws - 2, 1, &cl)) ||
	    (ws > 3 && t[ws - 1] == 0x99 && t[ws - 2] == 0x80 && t[ws - 3] == 0xE2 &&
	     cf_rules_is_word(t + ws - 4, 1, &cl)))
		return 0;   /* O'Brien */
	if (we + 1 < len && t[we] == '-' &&
	    cf_rules_is_word(t + we + 1, len - we - 1, &cl))
		return 0;
	if (p.kind == CF_TOK_WORD && cap_at(text, len, p.s)) {
		if (in(first_after, p.w))
			;   /* Sir John, Aunt May */
		else if (in(surname_after, p.w))
			return 0;
		else if (!sentence_start(text, p.s) || prev_name)
			return 0;   /* Henry James; Jennifer Jason Leigh */
	} else if (p.kind == CF_TOK_PUNCT && text[p.s] == '.' &&
	           abbrev_before_dot(text, p.s)) {
		return 0;   /* Mr. Davis, George R. R. Martin, St. Louis */
	}
	n = cf_rules_next_tok(text, len, past_possessive(text, len, we));
	if (is_cap_word(&n, text, len)) {
		if (in(place_word, n.w))
			return 0;   /* Elizabeth Street */
		n2 = cf_rules_next_tok(text, len, n.e);
		if (is_cap_word(&n2, text, len) && in(place_word, n2.w))
			return 0;   /* George Washington Bridge */
	}
	return 1;
}

/* Pronouns and determiners after which an ambiguous name is a word: "Will
 * you", "Mark my words", "Rose the price". */
static const char *const word_next[] = {
	"you", "he", "she", "it", "we", "they", "i", "my", "your", "his", "her",
	"its", "our", "their", "the", "a", "an", "this", "that", "these",
	"those", "me", "him", "us", "them", "not", "be", NULL
};

/* Local evidence that the ambiguous word at [ws, we) is a word, not a
 * name, whatever else the text says. */
static int word_use(const char *text, size_t len, size_t we)
{
	tok n = cf_rules_next_tok(text, len, we);

	return n.kind == CF_TOK_WORD && in(word_next, n.w);
}

/* Local evidence that the ambiguous word at [ws, we) is used as a name. */
static int name_evidence(const char *text, size_t len, size_t ws, size_t we)
{
	tok p = cf_rules_prev_tok(text, ws);
	tok n = cf_rules_next_tok(text, len, past_possessive(text, len, we));

	if (!cap_at(text, len, ws) || word_use(text, len, we))
		return 0;
	if (is_cap_word(&n, text, len) && !in(place_word, n.w) &&
	    !in(determiner, n.w) && strcmp(n.w, "i") != 0)
		return 1;   /* Will Smith, Mark Ruffalo */
	if (n.kind == CF_TOK_WORD && !cap_at(text, len, n.s) && in(name_verb, n.w))
		return 1;   /* Will said, Rose was */
	if (past_possessive(text, len, we) != we)
		return 1;   /* Will's */
	if (sentence_start(text, ws))
		return 0;
	return !(p.kind == CF_TOK_WORD && in(determiner, p.w));
}

/* Is the ambiguous word at [ws, we) a name here or elsewhere in the text? */
static int ambig_name(const char *text, size_t len, size_t ws, size_t we,
                      int prev_name)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t n = we - ws, p = 0, cl;

	if (!first_name_position(text, len, ws, we, prev_name))
		return 0;
	if (name_evidence(text, len, ws, we))
		return 1;
	if (word_use(text, len, we) || !cap_at(text, len, ws))
		return 0;
	/* another occurrence of the same word in name use */
	while (p + n <= len) {
		const char *q = memmem(text + p, len - p, text + ws, n);
		size_t s;
		if (!q)
			break;
		s = (size_t)(q - text);
		p = s + 1;
		if (s == ws)
			continue;
		if (s > 0) {
			size_t b = s - 1;
			while (b > 0 && (t[b] & 0xC0) == 0x80)
				b--;
			if (cf_rules_is_word(t + b, s - b, &cl))
				continue;
		}
		if (s + n < len && cf_rules_is_word(t + s + n, len - s - n, &cl))
			continue;
		if (name_evidence(text, len, s, s + n) &&
		    first_name_position(text, len, s, s + n, 0))
			return 1;
	}
	return 0;
}

int cf_rules_before_name(const char *text, size_t len, size_t we)
{
	tok n = cf_rules_next_tok(text, len, we);

	if (n.kind == CF_TOK_PUNCT && text[n.s] == '.')   /* Sir. rare; Dr. no */
		return 0;
	return is_cap_word(&n, text, len) && !in(determiner, n.w);
}

int cf_rules_ctx_ok(int ctx, const char *text, size_t len, size_t ws,
                    size_t we, int prev_name)
{
	tok p, n;

	switch (ctx) {
	case CF_CTX_NAME:
		return first_name_position(text, len, ws, we, prev_name);
	case CF_CTX_AMBIG_NAME:
		return ambig_name(text, len, ws, we, prev_name);
	case CF_CTX_BEFORE_NAME:
		return cf_rules_before_name(text, len, we);
	case CF_CTX_NOUN_VERB: {
		static const char *const det_or_adj[] = {
			"the", "a", "an", "this", "that", "every", "each", "one", "old",
			"young", "good", "other", "another", "any", "no", "my", "your",
			"his", "her", "our", "their", "its", NULL
		};
		n = cf_rules_next_tok(text, len, we);
		if (n.kind != CF_TOK_WORD || !in(determiner, n.w))
			return 1;
		p = cf_rules_prev_tok(text, ws);
		return p.kind == CF_TOK_WORD && in(det_or_adj, p.w);
	}
	case CF_CTX_WEDDING: {
		static const char *const cue[] = {
			"at", "speech", "toast", "duties", "to", NULL
		};
		static const char *const poss[] = {
			"my", "your", "his", "her", "our", "their", NULL
		};
		p = cf_rules_prev_tok(text, ws);
		if (p.kind == CF_TOK_WORD && in(poss, p.w))
			return 1;
		if (p.kind == CF_TOK_WORD && p.e < ws && text[p.e] == '\'')
			return 1;   /* the groom's best man */
		n = cf_rules_next_tok(text, len, we);
		if (n.kind == CF_TOK_PUNCT && text[n.s] == '\'')
			return 1;   /* the best man's speech */
		return n.kind == CF_TOK_WORD && in(cue, n.w);   /* best man at */
	}
	}
	return 1;
}
