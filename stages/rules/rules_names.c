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
 *               capitalised word in mid-sentence (Henry James), a title
 *               (Mr. Davis, Lord Byron), an initial (George R. R. Martin),
 *               a place word (St. Louis, Santa Barbara), a possessive
 *               determiner (his Dorsey days), or a sentence-initial word
 *               that is a name or no ordinary word (Lysette Anthony; not
 *               "Director John Ford": common_words.c); not before a place
 *               or organisation word (Elizabeth Street, Johns Hopkins
 *               University); not hyphen- or apostrophe-joined (Spider-Man,
 *               O'Brien, Don't); not after in/on without a surname (filmed
 *               in Skye); not a work: capitals after a lower-case word or
 *               '/' ("1981's ARTHUR"), a year after it (Theodore Rex
 *               (1995)), a determiner before it and a kind of work after it
 *               (the Harry Potter movies), a kind of work before it (the
 *               film Annie; not "in the book Jane seemed"), an adverb after
 *               it (Johnny Dangerously), "is a ... comedy" / ", a western"
 *               after it; a two-part first name or a first and middle
 *               name swaps as one unit when both parts are paired names of
 *               one sex (Sarah Jessica Parker, Lisa Marie Presley: the
 *               second part follows the first), else not at all (Billy
 *               Bob, Mary Lou, Jennifer Jason Leigh: the caller learns it
 *               from cf_rules_kept_person_name, and the stage rejects a
 *               candidate that flips gendered words beside it; a pair
 *               with no surname counts when the same pair has one
 *               elsewhere: Billy Ray Cyrus ... Billy Ray smiled); not a
 *               possessive after at/to/from with no noun after it (at
 *               Wendy's for lunch: a shop); not "NAME is Jane Austen's
 *               best novel"; and not where the same word is in surname
 *               position elsewhere in the text (Lysette Anthony ... Anthony
 *               with Hugh Grant), nor, for a bare name, where it is a
 *               double name or a work elsewhere (Billy Bob ... Billy).
 *   ambig-name  a name that is also a common word (Will, Bill, Rose, Mark,
 *               Frank): as `name`, and it needs evidence of name use: mid-
 *               sentence capital (not after a determiner), a capitalised
 *               surname after it, or a verb after it (Will said) -- here
 *               or at another place in the same text, so one text swaps
 *               the name everywhere or nowhere -- except a place use
 *               (drove to Georgia, in Austin), which stays a place.
 *   rare-name   a fallback name (names.tsv rare-name-f2m/m2f: a strongly
 *               sexed name outside the pairs, partnered with a frequent name
 *               of its peak decade): as `name`, and also a surname after a
 *               lower-case title (president Kegan), alone in parentheses
 *               after a first name (John (Lennon)), before brother(s) or
 *               sister(s) (the Coen brothers).  It fires only in a text the
 *               gender pack edits, and not when its partner already names
 *               someone there (the stage then rejects the candidate as
 *               unswapped_name): rules_lexicon.c decides both, so that a
 *               person keeps one sex with their pronouns.
 *
 * Titles of works and brands that start with a name (Jane Eyre, Kate
 * Spade) are `keep` entries of names.tsv (lexicons/names-works.txt), not
 * decided here.
 *   before-name a title used only before a name (Dame Judi -> Sir Judi).
 *   noun-verb   "man" is a verb before a determiner (volunteers man the
 *               phones), unless a determiner or adjective precedes it; and
 *               an interjection as interj.
 *   interj      not a sentence-initial word before a comma or '!' ("Boy,
 *               would that be hard").
 *   wedding     "best man" is the wedding role only after a possessive or
 *               before 's / at / to / speech / toast / duties ("his best
 *               man", "best man at the wedding"); else the words swap one
 *               by one (the best man for the job -> the best woman ...).
 *
 * cf_rules_surname_position() says when any capitalised lexicon word is a
 * surname (Stephen King, Mr. King).
 *
 * The lexicon is asked (cf_rules_first_name) whether a word next to a name
 * is a first name too: Sarah Jessica, "Lysette Anthony".
 *
 * State: the word lists as hash sets, built once on first use (in(); safe
 * from several threads).  Limits: looks at a few words either side, and at the first
 * OCC_MAX (64) other occurrences of a name in the text.  Failure: none (always decides).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"

typedef cf_rules_tok tok;

/* Ordinary words (common_words.c, generated by scripts/derive_common_words.py) */
extern const char *const cf_common_words[];
extern const size_t cf_n_common_words;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int common_word(const char *w)
{
	return w[0] && bsearch(&w, cf_common_words, cf_n_common_words,
	                       sizeof *cf_common_words, cmp_str) != NULL;
}

/* The word lists below as hash sets, each built on its first use (issue
 * 15: a linear scan of a 100-word list per word near a name candidate was
 * 4% of a gender + names run).  A list that does not fit (more lists or
 * words than the pool holds) is scanned as before.  The rules stage
 * applies on worker threads (rules_pool.c): a set is built under
 * sets_lock and published last (release), so a reader that sees its list
 * (acquire) sees it whole. */
#define SETS_MAX 64             /* lists: a power of two */
#define POOL_MAX 8192           /* slots of all sets together */

typedef struct {
	const char *const *list;    /* NULL: a free entry */
	size_t off, mask;           /* slots pool[off .. off + mask] */
	int scan;                   /* did not fit: linear scan */
} wordset;

static wordset sets[SETS_MAX];
static const char *pool[POOL_MAX];
static size_t pool_used;
static pthread_mutex_t sets_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t word_hash(const char *w)
{
	size_t h = 2166136261u;

	for (; *w; w++)
		h = (h ^ (unsigned char)*w) * 16777619u;
	return h;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Under sets_lock; st->list is set last. */
static void build_set(wordset *st, const char *const *list)
{
	size_t n = 0, cap = 8, i;

	while (list[n])
		n++;
	while (cap < 2 * n)
		cap *= 2;
	if (pool_used + cap > POOL_MAX) {
		st->scan = 1;
		__atomic_store_n(&st->list, list, __ATOMIC_RELEASE);
		return;
	}
	st->off = pool_used;
	st->mask = cap - 1;
	pool_used += cap;
	for (i = 0; i < n; i++) {
		size_t h = word_hash(list[i]) & st->mask;
		while (pool[st->off + h] && !same(pool[st->off + h], list[i]))
			h = (h + 1) & st->mask;
		pool[st->off + h] = list[i];
	}
	__atomic_store_n(&st->list, list, __ATOMIC_RELEASE);
}

static const wordset *set_of(const char *const *list)
{
	size_t h = ((size_t)(uintptr_t)list >> 4) & (SETS_MAX - 1), k;
	const wordset *found = NULL;

	for (k = 0; k < SETS_MAX; k++, h = (h + 1) & (SETS_MAX - 1)) {
		const char *const *l = __atomic_load_n(&sets[h].list, __ATOMIC_ACQUIRE);
		if (l == list)
			return &sets[h];
		if (!l)
			break;
	}
	/* not built yet: look again under the lock (another thread may be
	 * building it, or a list before it in the probe sequence) */
	pthread_mutex_lock(&sets_lock);
	h = ((size_t)(uintptr_t)list >> 4) & (SETS_MAX - 1);
	for (k = 0; k < SETS_MAX; k++, h = (h + 1) & (SETS_MAX - 1)) {
		if (sets[h].list == list || !sets[h].list) {
			if (!sets[h].list)
				build_set(&sets[h], list);
			found = &sets[h];
			break;
		}
	}
	pthread_mutex_unlock(&sets_lock);
	return found;   /* NULL: more lists than SETS_MAX: scan */
}

/* w is in the NULL-ended list. */
static int in(const char *const *list, const char *w)
{
	const wordset *st;

	if (!w[0])
		return 0;
	st = set_of(list);
	if (!st || st->scan) {
		for (; *list; list++)
			if ((*list)[0] == w[0] && same(*list, w))
				return 1;
		return 0;
	}
	{
		size_t h = word_hash(w) & st->mask;
		const char *e;
		while ((e = pool[st->off + h])) {
			if (e[0] == w[0] && same(e, w))
				return 1;
			h = (h + 1) & st->mask;
		}
	}
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
	"lord", "king", "queen", "prince", "princess", "duke", "duchess", "earl",
	"baron", "count", "emperor", "empress",
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
	"brothers", "sisters", "bros", "hills", "village", "towers", "crew",
	"gang", "entertainment", "productions", "films", "media", "enterprises",
	"industries", "group", "network", "high", NULL
};

/* Kinds of work: "the Harry Potter movies" names a work, not a person. */
static const char *const work_noun[] = {
	"movie", "movies", "film", "films", "series", "book", "books", "novel",
	"novels", "franchise", "saga", "trilogy", "sequel", "sequels", "remake",
	"episode", "episodes", "show", "shows", "soundtrack", "album", "comic",
	"comics", "cartoon", "cartoons", "musical", "game", "games", "cult",
	"universe", NULL
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
	"who",
	/* what people do, not things: Rose watered, Holly watched, Frank ate */
	"watched", "watches", "walked", "walks", "ran", "runs", "cried",
	"cries", "shouted", "shouts", "answered", "answers", "called", "calls",
	"nodded", "nods", "shrugged", "shrugs", "waved", "waves", "sighed",
	"sighs", "screamed", "screams", "danced", "dances", "sang", "sings",
	"cooked", "cooks", "drove", "drives", "slept", "sleeps", "woke",
	"wakes", "planted", "watered", "wrote", "writes", "ate", "eats",
	"drank", "drinks", "paid", "pays", "worked", "waited",
	"waits", "bought", "buys", "hugged", "hugs", "kissed", "kisses",
	"phoned", "texted", "apologised", "apologized", "apologises",
	"apologizes", "complained", "complains", "joked", "jokes", "grinned",
	"grins", "frowned", "frowns", "winked", "winks", "whispered",
	"whispers", "yelled", "yells", "stared", "stares", "listened",
	"listens", "prayed", "prays", "studied", "studies", "taught",
	"teaches", "sat", "sits", "stood", "stands", "jumped", "jumps", "swam",
	"swims", "climbed", "climbs", "hates",
	"hated", "likes", "liked", "admits", "admitted", "explains",
	"explained", "insists", "insisted", "promised", "promises", "wonders",
	"wondered", "warned", "warns", "shook", "grabbed", "kicked", "hid",
	"hides", NULL
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
	switch (text[p.s]) {
	case '.': case '!': case '?': case ':': case ';': case '"': case '(':
	case '-': case '*': case '[': case '>':
		return 1;
	}
	return (unsigned char)text[p.s] >= 0x80;   /* closing bytes of “ ” … */
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

/* 1 if the word at ws follows what makes it a surname or part of a place:
 * a capitalised word in mid-sentence (Henry James), a title (Mr. Davis), an
 * initial (R. Martin), or a sentence-initial word that is a name of the
 * lexicon lex (looked up only then) or no ordinary word (Lysette Anthony; not "Director
 * John Ford"). */
static int after_name(const cf_rules *lex, const char *text, size_t len,
                      size_t ws)
{
	tok p = cf_rules_prev_tok(text, ws);

	if (p.kind == CF_TOK_WORD && cap_at(text, len, p.s)) {
		if (in(first_after, p.w))
			return 0;   /* Sir John, Aunt May */
		if (in(surname_after, p.w) || !sentence_start(text, p.s))
			return 1;
		return !common_word(p.w) || cf_rules_first_name(lex, text, p.s, p.e);
	}
	return p.kind == CF_TOK_PUNCT && text[p.s] == '.' &&
	       abbrev_before_dot(text, p.s);
}

/* An all-capitals word after a lower-case word: a title in running text
 * ("1981's ARTHUR"), not a name ("; JAMES was sad" is one). */
static int caps_title(const char *text, size_t len, size_t ws, size_t we)
{
	tok p = cf_rules_prev_tok(text, ws);
	size_t i;
	int lower_near = 0;

	if (we - ws < 2)
		return 0;
	for (i = ws; i < we; i++)
		if (!((text[i] >= 'A' && text[i] <= 'Z') || (unsigned char)text[i] >= 0x80))
			return 0;
	if (p.kind == CF_TOK_WORD)   /* in running text: "1981's ARTHUR" */
		for (i = p.s; i < p.e; i++)
			lower_near |= text[i] >= 'a' && text[i] <= 'z';
	if (p.kind == CF_TOK_PUNCT && text[p.s] == '/')
		return 1;   /* OKLAHOMA!/ANNIE GET YOUR GUN */
	return lower_near;
}

/* A test of the word at [s, e) of text, for other_occurrence(). */
typedef int (*occ_test)(const cf_rules *lex, const char *text, size_t len,
                        size_t s, size_t e);

/* Other occurrences looked at per decision: real texts name a person a few
 * dozen times at most; the cap keeps a text of one name repeated 100,000
 * times linear instead of quadratic. */
#define OCC_MAX 64

/* 1 if another whole-word occurrence of text[ws, we) in the text (among the
 * first OCC_MAX) passes test: one text decides a name the same way
 * everywhere. */
static int other_occurrence(const cf_rules *lex, const char *text, size_t len,
                            size_t ws, size_t we, occ_test test)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t n = we - ws, p = 0, cl;
	int seen = 0;

	while (p + n <= len && seen++ < OCC_MAX) {
		const char *q = cf_rules_find(text + p, len - p, text + ws, n);
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
		if (test(lex, text, len, s, s + n))
			return 1;
	}
	return 0;
}

/* In surname position (Lysette Anthony ... Anthony with Hugh Grant); the
 * lexicon is not asked here, as before a name seen elsewhere. */
static int surname_at(const cf_rules *lex, const char *text, size_t len,
                      size_t s, size_t e)
{
	(void)lex;
	(void)e;
	return after_name(NULL, text, len, s);
}

/* Second parts of two-part first names: Billy Bob, Mary Lou, Peggy Sue,
 * Ellie Mae, Mary Beth, Bobby Joe -- rarely a surname, so the pair is one
 * first name even with no surname after it. */
static const char *const double_part[] = {
	"bob", "lou", "sue", "mae", "jo", "joe", "beth", "ann", "kay", "rae",
	"belle", NULL
};

/* Names given as middle names that the lexicon does not pair (both-sex or
 * stoplisted): Jamie Lee Curtis, Billy Ray Cyrus, Mary Tyler Moore. */
static const char *const middle_name[] = {
	"lee", "ray", "jean", "lynn", "marie", "anne", "jane", "kate", "may",
	"ellen", "tyler", "james", "allan", "allen", NULL
};

/* A capitalised word after [s, e) that can be a surname: not a place word
 * (Elizabeth Street) or a determiner. */
static int surname_follows(const cf_rules *lex, const char *text, size_t len,
                           size_t s, size_t e)
{
	tok n = cf_rules_next_tok(text, len, e);

	(void)lex;
	(void)s;
	return e < len && text[e] == ' ' && is_cap_word(&n, text, len) &&
	       !in(place_word, n.w) && !in(determiner, n.w);
}

/* The name at [ws, we) is the first part of a two-part first name or is
 * followed by a middle name: Billy Bob (Thornton), Sarah Jessica Parker,
 * Tommy Lee Jones.  Swapping the first part alone gives "Theresa Bob". */
static int double_at(const cf_rules *lex, const char *text, size_t len,
                     size_t ws, size_t we)
{
	tok n, n2;

	(void)ws;
	if (we >= len || text[we] != ' ')
		return 0;   /* Billy's, Billy-Bob, "Billy, Bob" */
	n = cf_rules_next_tok(text, len, we);
	if (n.kind == CF_TOK_WORD && !cap_at(text, len, n.s) &&
	    (in(double_part, n.w) || in(middle_name, n.w)) && n.e < len &&
	    text[n.e] == ' ') {   /* Mary jean Babtise */
		n2 = cf_rules_next_tok(text, len, n.e);
		return is_cap_word(&n2, text, len);
	}
	if (!is_cap_word(&n, text, len))
		return 0;
	if (in(surname_after, n.w))
		return 0;   /* Max Von Sydow, Elizabeth Von Arnim */
	if (in(double_part, n.w))
		return 1;
	if (!in(middle_name, n.w) && !cf_rules_first_name(lex, text, n.s, n.e))
		return 0;
	if (n.e >= len || text[n.e] != ' ')
		return 0;   /* Mark Ruffalo's, John Wayne. */
	if (surname_follows(lex, text, len, ws, n.e))
		return 1;
	/* no surname here: the same two names before a surname elsewhere in
	 * the text (Billy Ray Cyrus ... Billy Ray smiled) */
	return other_occurrence(lex, text, len, ws, n.e, surname_follows);
}

/* Both parts of the double name at [ws, we) are paired first names of the
 * same sex (names.tsv column): the unit swaps part by part, Sarah Jessica
 * Parker -> <partner of Sarah> <partner of Jessica> Parker.  A part that is
 * unknown, ambiguous (Will, Rose), lower-case or a surname particle keeps
 * the unit as it is. */
static int unit_swaps(const cf_rules *lex, const char *text, size_t len,
                      size_t ws, size_t we)
{
	tok n, n2;
	int side;

	if (we >= len || text[we] != ' ' ||
	    !(side = cf_rules_name_side(lex, text, ws, we)))
		return 0;
	n = cf_rules_next_tok(text, len, we);
	if (!is_cap_word(&n, text, len) || in(surname_after, n.w) ||
	    cf_rules_name_side(lex, text, n.s, n.e) != side)
		return 0;
	/* two given names at most: a run of names is a list, not a unit */
	n2 = cf_rules_next_tok(text, len, n.e);
	return !(n2.kind == CF_TOK_WORD && cf_rules_first_name(lex, text, n2.s, n2.e));
}

/* A double name left alone as one unit (double_at and not unit_swaps). */
/* The name at [ws, we) and a surname are followed by Jr./Sr. (Robert
 * Walker, Jr.): a son named after his father, so another sex's first name
 * would contradict the suffix.  Returns the end of the suffix, or 0. */
static size_t junior_at(const char *text, size_t len, size_t we)
{
	tok n = cf_rules_next_tok(text, len, we), m;

	if (!is_cap_word(&n, text, len))
		return 0;
	m = cf_rules_next_tok(text, len, n.e);
	if (m.kind == CF_TOK_PUNCT && text[m.s] == ',')
		m = cf_rules_next_tok(text, len, m.e);
	if (m.kind != CF_TOK_WORD || (strcmp(m.w, "jr") && strcmp(m.w, "sr")))
		return 0;
	return m.e < len && text[m.e] == '.' ? m.e + 1 : m.e;
}

/* A person's name kept as it is: a double name that does not swap as a
 * unit, or a name with Jr./Sr. */
static int double_first(const cf_rules *lex, const char *text, size_t len,
                        size_t ws, size_t we)
{
	return (double_at(lex, text, len, ws, we) && !unit_swaps(lex, text, len, ws, we)) ||
	       junior_at(text, len, we);
}

/* The name at ws is the second part of a unit that swaps (the Jessica of
 * Sarah Jessica Parker); *fs, *fe: its first part. */
static int second_of_unit(const cf_rules *lex, const char *text, size_t len,
                          size_t ws, size_t *fs, size_t *fe)
{
	tok p = cf_rules_prev_tok(text, ws);

	if (!is_cap_word(&p, text, len) || p.e + 1 != ws || text[p.e] != ' ')
		return 0;
	if (!double_at(lex, text, len, p.s, p.e) ||
	    !unit_swaps(lex, text, len, p.s, p.e))
		return 0;
	*fs = p.s;
	*fe = p.e;
	return 1;
}

/* A four-digit year: 1982. */
static int is_year(const tok *k, const char *text)
{
	return k->kind == CF_TOK_WORD && k->e - k->s == 4 && text[k->s] >= '1' &&
	       text[k->s] <= '2' && text[k->s + 1] >= '0' && text[k->s + 1] <= '9';
}

/* Titles and kinds of work a name can be the title of. */
static const char *const title_noun[] = {
	"film", "movie", "book", "novel", "musical", "play", "series", "show",
	"sitcom", "cartoon", "comic", "album", "song", "episode", "sequel",
	"remake", "documentary", "miniseries", "opera", "comedy", "drama",
	"western", "thriller", "romance", "horror", "classic", "flick", NULL
};

/* Words after a kind of work that keep it the head of its phrase: "is a
 * silly comedy about", "a western with"; not "a film director". */
static const char *const after_title_noun[] = {
	"about", "by", "from", "with", "starring", "that", "which", "where",
	"in", "of", "and", "but", "for", "set", "i", "you", "to", "based", NULL
};

/* Words that can open the phrase naming a kind of work after "is". */
static const char *const work_det[] = {
	"a", "an", "the", "my", "his", "her", "their", "our", "your", NULL
};

/* "is a [up to 3 words] comedy", ", a western", "is Jane Austen's best
 * novel", "is my favourite film": the words after the name
 * (and its surname) at pos say that it is the title of a work. */
static int called_a_work(const char *text, size_t len, size_t pos)
{
	tok k = cf_rules_next_tok(text, len, pos);
	int i;

	if (k.kind == CF_TOK_PUNCT && text[k.s] == ',')
		k = cf_rules_next_tok(text, len, k.e);
	else if (k.kind == CF_TOK_WORD && (!strcmp(k.w, "is") || !strcmp(k.w, "was")))
		k = cf_rules_next_tok(text, len, k.e);
	else
		return 0;
	if (is_cap_word(&k, text, len)) {
		/* "Emma is Jane Austen's best novel": a possessive name */
		tok k2 = cf_rules_next_tok(text, len, k.e);
		size_t pe;
		if (is_cap_word(&k2, text, len) && k2.s == k.e + 1)
			k = k2;
		if ((pe = past_possessive(text, len, k.e)) == k.e)
			return 0;
		k.e = pe;
	} else if (k.kind != CF_TOK_WORD || !in(work_det, k.w))
		return 0;
	for (i = 0; i < 4; i++) {
		k = cf_rules_next_tok(text, len, k.e);
		if (k.kind != CF_TOK_WORD || cap_at(text, len, k.s))
			return 0;
		if (in(title_noun, k.w)) {
			tok a = cf_rules_next_tok(text, len, k.e);
			if (past_possessive(text, len, k.e) != k.e)
				return 0;   /* is the film's hero */
			return a.kind != CF_TOK_WORD || in(after_title_noun, a.w);
		}
	}
	return 0;
}

/* "in the book Jane seemed ...", "In this movie Henry Fonda shows": after
 * a preposition, "the <work> NAME" and a lower-case word is a character
 * acting in the work (ds: the determiner; we: the end of the name). */
static int acts_in_work(const char *text, size_t len, size_t ds, size_t we)
{
	static const char *const setting[] = {
		"in", "of", "at", "during", "throughout", "from", NULL
	};
	tok b = cf_rules_prev_tok(text, ds), n = cf_rules_next_tok(text, len, we);

	if (b.kind != CF_TOK_WORD || !in(setting, b.w))
		return 0;
	if (is_cap_word(&n, text, len))   /* the surname: Henry Fonda shows */
		n = cf_rules_next_tok(text, len, n.e);
	return n.kind == CF_TOK_WORD && !cap_at(text, len, n.s);
}

/* After a name's possessive at pos: a capitalised ordinary word that is
 * not kin and not followed by a capital is the title of a work: Dante's
 * Peak, Adam's Rib, Freddy's Nightmares (not Susan's Dad, Burt's Boss Hogg). */
static int possessive_title(const char *text, size_t len, size_t pos)
{
	static const char *const kin[] = {
		"dad", "mom", "mum", "father", "mother", "brother", "sister", "son",
		"daughter", "wife", "husband", "uncle", "aunt", "grandma", "grandpa",
		"granny", "girlfriend", "boyfriend", NULL
	};
	tok n = cf_rules_next_tok(text, len, pos), n2;

	if (!is_cap_word(&n, text, len) || !common_word(n.w) || in(kin, n.w) ||
	    n.e - n.s < 2 || !(text[n.s + 1] >= 'a' && text[n.s + 1] <= 'z'))
		return 0;   /* JAMES' CAR: capitals throughout are no title */
	n2 = cf_rules_next_tok(text, len, n.e);
	return !is_cap_word(&n2, text, len);
}

/* The name at [ws, we) names a work: "the film Annie", "Johnny
 * Dangerously" (an adverb is no surname), "Emma is a true romance",
 * "Saving Grace, a comedy". */
static int work_at(const cf_rules *lex, const char *text, size_t len,
                   size_t ws, size_t we)
{
	tok p = cf_rules_prev_tok(text, ws), n = cf_rules_next_tok(text, len, we);

	(void)lex;
	{
		tok v = p.kind == CF_TOK_PUNCT && text[p.s] == '.' ?
		        cf_rules_prev_tok(text, p.s) : p;
		if (v.kind == CF_TOK_WORD && !strcmp(v.w, "vs"))
			return 1;   /* Freddy vs. Jason */
	}
	if (past_possessive(text, len, we) != we)
		return possessive_title(text, len, past_possessive(text, len, we));
	if (p.kind == CF_TOK_WORD && in(title_noun, p.w) && !cap_at(text, len, p.s)) {
		tok pp = cf_rules_prev_tok(text, p.s);
		if (pp.kind == CF_TOK_WORD && (in(determiner, pp.w) || is_year(&pp, text)) &&
		    !acts_in_work(text, len, pp.s, we))
			return 1;   /* the film Annie, the 1982 musical Annie */
	}
	if (is_cap_word(&n, text, len)) {
		size_t l = n.e - n.s;
		tok n2 = cf_rules_next_tok(text, len, n.e);
		if (n.w[0] && l > 3 && !strcmp(n.w + l - 2, "ly") && common_word(n.w))
			return 1;   /* Johnny Dangerously */
		if (!strcmp(n.w, "vs") || (n2.kind == CF_TOK_WORD && !strcmp(n2.w, "vs")))
			return 1;   /* Freddy Vs Jason, Kramer vs. Kramer */
		if (called_a_work(text, len, n.e))
			return 1;   /* Napoleon Dynamite is a comedy */
	}
	return past_possessive(text, len, we) == we && called_a_work(text, len, we);
}

/* A bare name (no capitalised word after it) takes the decision of the
 * same name elsewhere in the text: Billy Bob Thornton ... Billy; the film
 * Annie ... Annie. */
static int not_a_name_at(const cf_rules *lex, const char *text, size_t len,
                         size_t s, size_t e)
{
	return double_first(lex, text, len, s, e) || work_at(lex, text, len, s, e);
}

/* For a bare name, an occurrence that decides against it: in surname
 * position, or a double name or a work. */
static int surname_or_kept_at(const cf_rules *lex, const char *text, size_t len,
                              size_t s, size_t e)
{
	return surname_at(lex, text, len, s, e) || not_a_name_at(lex, text, len, s, e);
}

/* "at Wendy's for lunch", "to Macy's.": a name's possessive with no noun
 * after it, after a preposition of place, names a shop or restaurant (p:
 * the token before the name, n: the one after its possessive). */
static int shop_at(const char *text, size_t len, const tok *p, const tok *n,
                   size_t we)
{
	static const char *const place_prep[] = {
		"at", "to", "from", "into", "inside", "outside", "near", NULL
	};
	static const char *const no_noun[] = {
		"for", "and", "or", "on", "in", "at", "with", "after", "before",
		"again", "today", "tonight", "yesterday", "last", "every", "near",
		"but", "because", "since", "so", "then", "when", "where", "while",
		"until", "instead", "once", "twice", NULL
	};

	size_t a = apos(text, len, we);

	if (p->kind != CF_TOK_WORD || !in(place_prep, p->w) ||
	    past_possessive(text, len, we) == we || we + a >= len ||
	    !(text[we + a] == 's' || text[we + a] == 'S'))
		return 0;   /* James' is no shop */
	return n->kind != CF_TOK_WORD || (!cap_at(text, len, n->s) && in(no_noun, n->w));
}

/* Position checks shared by name and ambig-name. */
static int first_name_position(const cf_rules *lex, const char *text,
                               size_t len, size_t ws, size_t we)
{
	static const char *const poss_det[] = {
		"his", "her", "my", "your", "our", "their", "its", NULL
	};
	const unsigned char *t = (const unsigned char *)text;
	size_t cl, fs, fe;
	tok p, n, n2;

	/* the second part of a unit that swaps goes with its first part (a
	 * unit has two given names, so its first part is no second part) */
	if (second_of_unit(lex, text, len, ws, &fs, &fe)) {
		ws = fs;
		we = fe;
	}

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
	if (after_name(lex, text, len, ws) || caps_title(text, len, ws, we))
		return 0;
	p = cf_rules_prev_tok(text, ws);
	if (p.kind == CF_TOK_WORD && in(poss_det, p.w))
		return 0;   /* his Dorsey days: a name as a modifier */
	n = cf_rules_next_tok(text, len, past_possessive(text, len, we));
	if (shop_at(text, len, &p, &n, we))
		return 0;   /* stopped at Wendy's for lunch */
	if (p.kind == CF_TOK_WORD && (!strcmp(p.w, "in") || !strcmp(p.w, "on")) &&
	    !is_cap_word(&n, text, len) && past_possessive(text, len, we) == we)
		return 0;   /* filmed in Skye, on Skye: a place */
	if (p.kind == CF_TOK_WORD && (!strcmp(p.w, "a") || !strcmp(p.w, "an") ||
	                              !strcmp(p.w, "the")) &&
	    !is_cap_word(&n, text, len))
		return 0;   /* leaving a Benjamin on your seat, the Simon says scene;
		             * not "a John Wayne type" */
	n2 = n;
	if (is_cap_word(&n, text, len)) {
		if (in(place_word, n.w))
			return 0;   /* Elizabeth Street */
		n2 = cf_rules_next_tok(text, len, n.e);
		if (is_cap_word(&n2, text, len) && in(place_word, n2.w))
			return 0;   /* George Washington Bridge */
	}
	/* the name (and a surname) and a year: Theodore Rex (1995) */
	{
		tok y = n2.kind == CF_TOK_WORD && cap_at(text, len, n2.s) && n2.s != n.s ?
		        cf_rules_next_tok(text, len, n2.e) : n2;
		if (y.kind == CF_TOK_PUNCT && text[y.s] == '(') {
			tok d = cf_rules_next_tok(text, len, y.e);
			if (d.kind == CF_TOK_WORD && d.e - d.s == 4 && text[d.s] >= '1' &&
			    text[d.s] <= '2' && text[d.s + 1] >= '0' && text[d.s + 1] <= '9')
				return 0;
		}
	}
	/* a determiner, the name (and a surname), a kind of work: the Harry
	 * Potter movies, a new Princess Bride cult favorite */
	if (n2.kind == CF_TOK_WORD && !cap_at(text, len, n2.s) &&
	    in(work_noun, n2.w) && p.kind == CF_TOK_WORD &&
	    (in(determiner, p.w) || !strcmp(p.w, "new")))
		return 0;
	if (double_first(lex, text, len, ws, we) || work_at(lex, text, len, ws, we))
		return 0;
	/* not where the same word is a surname elsewhere; a bare name also
	 * not where its full forms are kept elsewhere (Billy Bob ... Billy):
	 * one pass over the other occurrences for both */
	return !other_occurrence(lex, text, len, ws, we,
	                         is_cap_word(&n, text, len) ? surname_at
	                                                    : surname_or_kept_at);
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

static int is_number(const tok *k, const char *text)
{
	return k->kind == CF_TOK_WORD && text[k->s] >= '0' && text[k->s] <= '9';
}

/* Local evidence that the ambiguous word at [ws, we) is used as a name. */
static int name_evidence(const char *text, size_t len, size_t ws, size_t we)
{
	static const char *const place_prep[] = {
		"in", "of", "from", "to", "at", "near", "across", "outside", "around",
		"through", "into", "toward", "towards", NULL
	};
	tok p = cf_rules_prev_tok(text, ws);
	tok n = cf_rules_next_tok(text, len, past_possessive(text, len, we));

	if (!cap_at(text, len, ws) || word_use(text, len, we) ||
	    is_number(&p, text) || is_number(&n, text))
		return 0;   /* Will you; 25th April 1974 */
	if (is_cap_word(&n, text, len) && !in(place_word, n.w) &&
	    !in(determiner, n.w) && strcmp(n.w, "i") != 0)
		return 1;   /* Will Smith, Mark Ruffalo */
	if (n.kind == CF_TOK_WORD && !strcmp(n.w, "and")) {
		tok a = cf_rules_next_tok(text, len, n.e);
		if (is_cap_word(&a, text, len))
			return 1;   /* Rose and Jack; not "Rich and rewarding" */
	} else if (n.kind == CF_TOK_WORD && !cap_at(text, len, n.s) &&
	           in(name_verb, n.w))
		return 1;   /* Will said, Rose was */
	if (past_possessive(text, len, we) != we)
		return 1;   /* Will's */
	if (sentence_start(text, ws))
		return 0;
	/* a capital in mid-sentence, not after a determiner or a preposition
	 * of place (the Rose Bowl, governor of Georgia), and not before a
	 * lower-case word it could modify (a hot Summer day) */
	if (p.kind == CF_TOK_WORD && (in(determiner, p.w) || in(place_prep, p.w)))
		return 0;
	return !(n.kind == CF_TOK_WORD && !cap_at(text, len, n.s));
}

/* An ambiguous word used as a name at [s, e). */
static int ambig_name_at(const cf_rules *lex, const char *text, size_t len,
                         size_t s, size_t e)
{
	return name_evidence(text, len, s, e) &&
	       first_name_position(lex, text, len, s, e);
}

/* The ambiguous word at [ws, we) names a place here, whatever the rest of
 * the text says: after in/at/into/near... or a verb of motion and "to"
 * ("drove to Georgia", "moved to Austin"), with no surname or possessive
 * after it.  Not "talked to Austin": that one waits for local evidence. */
static int place_use(const char *text, size_t len, size_t ws, size_t we)
{
	static const char *const at_place[] = {
		"in", "at", "into", "near", "across", "toward", "towards", "outside",
		"around", "through", "inside", "visited", "visit", "visiting", NULL
	};
	static const char *const motion[] = {
		"moved", "move", "moving", "drove", "drive", "driving", "flew", "fly",
		"flying", "went", "go", "going", "goes", "travelled", "traveled",
		"returned", "came", "back", "trip", "headed", "relocated", "way",
		"road", "ticket", "flight", "train", "bus", NULL
	};
	tok p = cf_rules_prev_tok(text, ws), n = cf_rules_next_tok(text, len, we);

	if (p.kind != CF_TOK_WORD || is_cap_word(&n, text, len) ||
	    past_possessive(text, len, we) != we)
		return 0;
	if (in(at_place, p.w))
		return 1;
	if (strcmp(p.w, "to") != 0)
		return 0;
	p = cf_rules_prev_tok(text, p.s);
	return p.kind == CF_TOK_WORD && in(motion, p.w);
}

/* Is the ambiguous word at [ws, we) a name here or elsewhere in the text? */
static int ambig_name(const cf_rules *lex, const char *text, size_t len,
                      size_t ws, size_t we)
{
	if (!first_name_position(lex, text, len, ws, we))
		return 0;
	if (name_evidence(text, len, ws, we))
		return 1;
	if (word_use(text, len, we) || !cap_at(text, len, ws) ||
	    place_use(text, len, ws, we))
		return 0;
	/* another occurrence of the same word in name use */
	return other_occurrence(lex, text, len, ws, we, ambig_name_at);
}

/* A rare name (a fallback partner, rare-name-*) is more often a surname
 * than a common one: also a surname after a lower-case title ("president
 * Kegan"), in parentheses after a first name ("John (Lennon)"), or before
 * brother(s)/sister(s) ("the Coen brothers"). */
static int rare_surname(const cf_rules *lex, const char *text, size_t len,
                        size_t ws, size_t we)
{
	static const char *const kin_after[] = {
		"brother", "brothers", "sister", "sisters", NULL
	};
	tok p = cf_rules_prev_tok(text, ws), n = cf_rules_next_tok(text, len, we);

	if (p.kind == CF_TOK_WORD && !cap_at(text, len, p.s) && in(surname_after, p.w) &&
	    !in(determiner, p.w))
		return 1;
	if (p.kind == CF_TOK_PUNCT && text[p.s] == '(' && n.kind == CF_TOK_PUNCT &&
	    text[n.s] == ')') {
		tok f = cf_rules_prev_tok(text, p.s);
		if (f.kind == CF_TOK_WORD && cf_rules_first_name(lex, text, f.s, f.e))
			return 1;
	}
	return n.kind == CF_TOK_WORD && !cap_at(text, len, n.s) && in(kin_after, n.w);
}

/* A sentence-initial word followed by a comma or '!': "Boy, would that
 * make ...", "Man, this film ...". */
static int interjection(const char *text, size_t len, size_t ws, size_t we)
{
	tok n = cf_rules_next_tok(text, len, we);

	return sentence_start(text, ws) && n.kind == CF_TOK_PUNCT &&
	       (text[n.s] == ',' || text[n.s] == '!');
}

size_t cf_rules_kept_person_name(const cf_rules *lex, const char *text,
                                 size_t len, size_t ws, size_t we)
{
	tok n, n2;
	size_t je;

	if (!double_first(lex, text, len, ws, we) || work_at(lex, text, len, ws, we))
		return 0;
	if ((je = junior_at(text, len, we)))
		return je;
	n = cf_rules_next_tok(text, len, we);
	n2 = cf_rules_next_tok(text, len, n.e);
	return is_cap_word(&n2, text, len) && n2.s == n.e + 1 ? n2.e : n.e;
}

int cf_rules_surname_position(const char *text, size_t len, size_t ws,
                               int prev_name)
{
	tok p = cf_rules_prev_tok(text, ws);

	if (!cap_at(text, len, ws))
		return 0;
	if (p.kind == CF_TOK_WORD && cap_at(text, len, p.s))
		return !in(first_after, p.w) && !in(determiner, p.w) &&
		       (prev_name || in(surname_after, p.w) || !common_word(p.w));
	return p.kind == CF_TOK_PUNCT && text[p.s] == '.' &&
	       abbrev_before_dot(text, p.s);
}

int cf_rules_before_name(const char *text, size_t len, size_t we)
{
	tok n = cf_rules_next_tok(text, len, we);

	if (n.kind == CF_TOK_PUNCT && text[n.s] == '.')   /* Sir. rare; Dr. no */
		return 0;
	return is_cap_word(&n, text, len) && !in(determiner, n.w);
}

int cf_rules_ctx_ok(const cf_rules *lex, int ctx, const char *text, size_t len,
                    size_t ws, size_t we)
{
	tok p, n;

	switch (ctx) {
	case CF_CTX_NAME:
		return first_name_position(lex, text, len, ws, we);
	case CF_CTX_RARE_NAME:   /* the caller runs it only where the gender
	                          * pack edited the text */
		return !rare_surname(lex, text, len, ws, we) &&
		       first_name_position(lex, text, len, ws, we);
	case CF_CTX_AMBIG_NAME:
		return ambig_name(lex, text, len, ws, we);
	case CF_CTX_BEFORE_NAME:
		return cf_rules_before_name(text, len, we);
	case CF_CTX_INTERJ:
		return !interjection(text, len, ws, we);
	case CF_CTX_NOUN_VERB: {
		static const char *const det_or_adj[] = {
			"the", "a", "an", "this", "that", "every", "each", "one", "old",
			"young", "good", "other", "another", "any", "no", "my", "your",
			"his", "her", "our", "their", "its", NULL
		};
		if (interjection(text, len, ws, we))
			return 0;   /* Man, this film ... */
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
