/*
 * rules_gender.c - the English her/his ambiguity of gender swapping.
 *
 * Consumes: a text and the byte span of one `her` or `his` token.  Emits: a
 * decision, no text.  English `her` is both possessive (her idea -> his idea)
 * and object (wished her well -> wished him well); `his` is both determiner
 * (his idea -> her idea) and standalone (the idea was his -> hers).  With no
 * tagger the decision is made from the words around the token:
 *
 *   her + end of text / punctuation ............................ object
 *   her + hyphenated word (her well-being, her in-laws) ...... possessive
 *   her + own ................................................. possessive
 *   her + determiner, pronoun, preposition, conjunction, auxiliary,
 *         adverb (incl. -ly, except adjectives like lovely) ...... object
 *   her + bare verb that is never a noun (let her go) .......... object
 *   her + verb-or-noun after make/let/see/help/... then a stop .. object
 *   her + WordNet verb-only word (let her enter) ................ object
 *   her + mostly-a-verb word after make/let/help (made her feel) . object
 *   her + -ly adjective + noun (her hourly rate) ........... possessive
 *   her + -ing after a verb of perception (saw her leaving) ..... object
 *   her + being (about her being late: a gerund's subject) ...... object
 *   her + any WordNet verb + determiner after let/make/have
 *         (let her taste the cake) ................................ object
 *   her + verb-preferring word + particle or determiner after a
 *         verb of perception/causing (watched her set up) ........ object
 *   her + make-idiom noun after make (made her mark, her way) . possessive
 *   her + adjective/-ed + and/but/or: decided by what follows the
 *         second adjective (her prized and beautiful cat) .........
 *   her + WordNet adjective-only word or -ed + stop after make/
 *         keep/leave/find (left her speechless.) ................. object
 *   her + more/enough/a number after a ditransitive verb
 *         (brought her more attention, gave her 7) ............... object
 *   her + quoted word: possessive unless after a naming verb
 *         (called her "darling"); her + (noun) .............. possessive
 *   n't forms (isn, didn, won ...) count as auxiliaries ......... object
 *   her + verb-or-noun (stay, leave) after about/during/of ... possessive
 *   her + mass noun + to + verb after a ditransitive verb
 *         (gave her permission to stay) .......................... object
 *   her + very/so + first/own/best (her very first) ........ possessive
 *   her + -ed word that WordNet lists as a noun (shed, moped):
 *         not a participle
 *   her + word that is a noun or an adjective+adverb
 *         (back, home, first, best, more, dead, alone ...): decided
 *         by the word after it (a stop -> object; after a preposition,
 *         "with her back to" -> possessive) ........................
 *   -- session 4: classes from WordNet (her_pos.c) --
 *   her + last/next/every/all/one + calendar noun + stop after a verb
 *         that takes a person (visited her last week; was her last
 *         week, spent her last summer: possessive); her + number +
 *         calendar noun + ago ................................... object
 *   her + adjective that is no noun + stop after a frame-5 verb
 *         (declared her unfit) ...................................... object
 *   her + verb + particle/determiner after a frame-25 verb (had her
 *         lie down); her + verb + noun phrase after see/hear/watch,
 *         unless a time phrase follows (saw her park the van) ...... object
 *   her + adverb-only/-major word (afterwards, otherwise) like -ly;
 *         her + comparative + stop (pushed her harder.) ............ object
 *   her + degree word/number + money after a frame-14 verb (quoted her
 *         three hundred dollars); her + goodbye/goodnight ........... object
 *   her + role noun (first sense a person, not a relative) + stop after
 *         an appoint verb (elected her mayor) ...................... object
 *   her + plural person noun after a double-object verb (paid her
 *         workers); her + will + stop/to/and (against her will); ask +
 *         her + advice/permission; -ing adjective + noun after a
 *         perception verb (found her missing glove) ............ possessive
 *   -- session 5 --
 *   her + number/quantity word after a verb mostly used with two objects
 *         (WordNet frame-14 share, her_pos.c dtv_major; dealt her two
 *         aces, assigned her extra reading) ........................ object
 *         unless its head is a person/relative or one of her things or
 *         to + a noun phrase follows (paid her three cooks; sold her
 *         two flats to a developer) ............................ possessive
 *   pay/sell/send + her + one's own thing (bills, shares, regards) possessive
 *   her + adjective that is also a noun (SemCor adjective-major) + stop
 *         after a small-clause verb (got her fit for the race) .... object
 *         except the idioms kept her cool/secret, got her due ... possessive
 *   her + SemCor -ing adjective + noun after a perception verb (caught
 *         her winning smile; caught her stealing stamps: object) possessive
 *   to/with/for/from + her + time adverbial (read to her every night) object
 *   her + comparative + noun after a verb of giving (offered her cheaper
 *         rent; gave her older sister: his) ........................ object
 *   her + every other + calendar word; her + N times ........... object
 *   make/let/help + her + verb + late/again/all/harder (made her work
 *         late); get + her + -ing + stop (got her walking again) .. object
 *   call/name + her + names/a capitalised name + stop (called her Sam) object
 *   turn + her + back (turned her back on) .................. possessive
 *   her + (two modifiers) + WordNet food noun + stop after a verb of giving
 *         (served her cold soup; brought her lunch to work: his) .. object
 *   frame-25 verb + her + verb-major word + stop (had her wait outside;
 *         had her say: his); perception/causing + her + verb + adverb-only
 *         word (heard her read aloud) ............................. object
 *   on/beside/near/at/by + her + every + calendar word ........... object
 *   teach + her + (modifier) + noun.cognition/communication noun + stop
 *         (taught her algebra; taught her seminar: his) ............ object
 *   show + her + capitalised word + stop (showed her Lisbon) ....... object
 *   feed + her + animals (fed her chickens, her two goats) .. possessive
 *   anything else (a noun or an adjective) .................... possessive
 *
 *   his + end / . , ; : ! ? ) / is, was, will, to, than ........ standalone
 *   his + too + end or punctuation (his too.; not his too-short) standalone
 *   his + and/or + a possessive determiner (his or her) ........ determiner
 *   anything else .............................................. determiner
 *
 * The word lists are the data of this file; tests/data/rules/her_sentences
 * measures them on real sentences.  State: none.  Limits: only the one word
 * before and two words after are looked at.  Failure: none (always decides).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"

typedef cf_rules_tok tok;

enum { T_END = CF_TOK_END, T_PUNCT = CF_TOK_PUNCT, T_WORD = CF_TOK_WORD };

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

#define HIGH8 0x8080808080808080ull

/* 'A'..'Z' | 0x20 in 8 ASCII bytes at once */
static uint64_t fold8(uint64_t x)
{
	uint64_t ge_a = x + 0x3f3f3f3f3f3f3f3full;   /* high bit: byte >= 'A' */
	uint64_t gt_z = x + 0x2525252525252525ull;   /* high bit: byte > 'Z' */

	return x | ((ge_a & ~gt_z & HIGH8) >> 2);
}

/* t->w: the folded word, 8 bytes at a time (issue 15: the token helpers
 * run a few times per name candidate); "" if too long or not ASCII. */
static void fill_word(tok *t, const char *text)
{
	const unsigned char *src = (const unsigned char *)text + t->s;
	size_t n = t->e - t->s, i = 0;
	uint64_t x;

	t->w[0] = '\0';
	if (n >= sizeof t->w)
		return;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, src + i, 8);
		if (x & HIGH8)
			goto not_ascii;
		x = fold8(x);
		memcpy(t->w + i, &x, 8);
	}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (i < n && t->e >= 8) {
		/* the last n - i bytes: the 8 bytes ending at e (all inside the
		 * text), shifted down; the bytes after them come out as 0 */
		memcpy(&x, text + t->e - 8, 8);
		x >>= 8 * (8 - (n - i));
		if (x & HIGH8)
			goto not_ascii;
		x = fold8(x);
		memcpy(t->w + i, &x, 8);   /* i + 8 <= 24: n < 24, i <= 16 */
		return;
	}
#endif
	for (; i < n; i++) {
		unsigned char c = src[i];
		if (c >= 0x80)
			goto not_ascii;
		t->w[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	t->w[n] = '\0';
	return;
not_ascii:
	t->w[0] = '\0';
}

/* cf_rules_is_word at t[pos] with the ASCII case inline (the token helpers
 * run a few times per name candidate: issue 15). */
static inline int word_at(const unsigned char *t, size_t len, size_t pos,
                          size_t *cl)
{
	if (t[pos] < 0x80) {
		*cl = 1;
		return cf_rules_ascii_word[t[pos]];
	}
	return cf_rules_is_word(t + pos, len - pos, cl);
}

/* The token starting at or after pos (white space skipped). */
tok cf_rules_next_tok(const char *text, size_t len, size_t pos)
{
	const unsigned char *t = (const unsigned char *)text;
	tok k = { T_END, len, len, "" };
	size_t cl;

	while (pos < len && is_space(t[pos]))
		pos++;
	/* a non-breaking space (U+00A0) is white space too */
	while (pos + 1 < len && t[pos] == 0xC2 && t[pos + 1] == 0xA0) {
		pos += 2;
		while (pos < len && is_space(t[pos]))
			pos++;
	}
	if (pos >= len)
		return k;
	k.s = pos;
	if (!word_at(t, len, pos, &cl)) {
		k.kind = T_PUNCT;
		k.e = pos + cl;
		return k;
	}
	for (;;) {   /* ASCII runs by the SSE2 skip */
		pos = cf_rules_skip_ascii_word(t, len, pos);
		if (pos >= len || t[pos] < 0x80 || !cf_rules_is_word(t + pos, len - pos, &cl))
			break;
		pos += cl;
	}
	k.kind = T_WORD;
	k.e = pos;
	fill_word(&k, text);
	return k;
}

/* The word ending right before pos (white space skipped); T_PUNCT/T_END
 * when punctuation or the start of the text comes first. */
tok cf_rules_prev_tok(const char *text, size_t pos)
{
	const unsigned char *t = (const unsigned char *)text;
	tok k = { T_END, 0, 0, "" };
	size_t e, cl;

	while (pos > 0 && is_space(t[pos - 1]))
		pos--;
	if (pos == 0)
		return k;
	e = pos;
	/* step back over word characters (UTF-8 aware: find each start) */
	for (;;) {
		size_t s = pos - 1;
		if (t[s] < 0x80) {   /* ASCII: no step back, one table look-up */
			if (!cf_rules_ascii_word[t[s]])
				break;
			pos = s;
			if (pos == 0)
				break;
			continue;
		}
		while (s > 0 && (t[s] & 0xC0) == 0x80)
			s--;
		if (!cf_rules_is_word(t + s, e - s, &cl) || s + cl != pos)
			break;
		pos = s;
		if (pos == 0)
			break;
	}
	if (pos == e) {
		k.kind = T_PUNCT;
		k.s = e - 1;
		k.e = e;
		return k;
	}
	k.kind = T_WORD;
	k.s = pos;
	k.e = e;
	fill_word(&k, text);
	return k;
}

#define next_tok cf_rules_next_tok
#define prev_tok cf_rules_prev_tok

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define IN(list, w) in_list(list, sizeof list / sizeof list[0], w)
static int in_list(const char *const *list, size_t n, const char *w)
{
	return w[0] && bsearch(&w, list, n, sizeof *list, cmp_str) != NULL;
}

/* w ends with suf after at least two more letters ("badly", not "fly";
 * "tied", not "red" or "bed"). */
static int ends_with(const char *w, const char *suf)
{
	size_t n = strlen(w), m = strlen(suf);
	return n > m + 1 && memcmp(w + n - m, suf, m) == 0;
}

/* WordNet word classes (her_pos.c, generated by scripts/derive_her_pos.py) */
extern const char *const cf_her_verb_only[], *const cf_her_verb_major[],
                  *const cf_her_verb_any[], *const cf_her_verb_pref[],
                  *const cf_her_adj_only[], *const cf_her_adj_nn[],
                  *const cf_her_adv_only[], *const cf_her_adv_major[],
                  *const cf_her_comparative[],
                  *const cf_her_noun_ed[],
                  *const cf_her_ly_adj[], *const cf_her_dtv[],
                  *const cf_her_adj_major[], *const cf_her_ing_adj[],
                  *const cf_her_dtv_major[], *const cf_her_food[],
                  *const cf_her_knowledge[], *const cf_her_animal_pl[],
                  *const cf_her_bare_inf[], *const cf_her_small[],
                  *const cf_her_time[], *const cf_her_kin[],
                  *const cf_her_person_pl[],
                  *const cf_her_verb_exc[];
extern const size_t cf_her_n_verb_only, cf_her_n_verb_major, cf_her_n_verb_any,
                    cf_her_n_verb_pref, cf_her_n_adj_only, cf_her_n_adj_nn,
                    cf_her_n_adv_only, cf_her_n_adv_major, cf_her_n_comparative,
                    cf_her_n_noun_ed,
                    cf_her_n_ly_adj, cf_her_n_dtv, cf_her_n_bare_inf,
                    cf_her_n_adj_major, cf_her_n_ing_adj, cf_her_n_dtv_major,
                    cf_her_n_food, cf_her_n_knowledge, cf_her_n_animal_pl,
                    cf_her_n_small, cf_her_n_time, cf_her_n_kin, cf_her_n_person_pl,
                    cf_her_n_verb_exc;
#define IN_WN(name, w) in_list(cf_her_##name, cf_her_n_##name, w)

/* verb.exc entries are "form base": compare the form part with w. */
static int cmp_exc(const void *a, const void *b)
{
	const char *w = *(const char *const *)a, *e = *(const char *const *)b;
	size_t n = strlen(w);
	int c = strncmp(w, e, n);
	return c ? c : (e[n] == ' ' ? 0 : -1);
}

/* The base form of a verb form w is in the WordNet class list: w itself,
 * an irregular form (taught -> teach, verb.exc) or a regular one
 * (awards, charged, charging, tossed, shipped, denied, issuing). */
static int verb_in(const char *const *list, size_t n, const char *w)
{
	const char *const *e;
	char b[sizeof ((tok *)0)->w];
	size_t l = strlen(w);

	if (in_list(list, n, w))
		return 1;
	if (!w[0])
		return 0;
	e = bsearch(&w, cf_her_verb_exc, cf_her_n_verb_exc, sizeof *e, cmp_exc);
	if (e)
		return in_list(list, n, strchr(*e, ' ') + 1);
	if (l < 4 || l >= sizeof b)
		return 0;
	memcpy(b, w, l + 1);
#define TRY(cut, add) (memcpy(b + l - (cut), add, sizeof add), \
                       in_list(list, n, b))
	if (ends_with(w, "ies") || ends_with(w, "ied"))
		return TRY(3, "y");
	if (w[l - 1] == 's')
		return TRY(1, "") || (ends_with(w, "es") && TRY(2, ""));
	if (ends_with(w, "ed") || ends_with(w, "ing")) {
		size_t c = w[l - 1] == 'd' ? 2 : 3;
		if (TRY(c, "") || TRY(c, "e"))
			return 1;
		/* a doubled final consonant: shipped, begging */
		return l - c >= 3 && w[l - c - 1] == w[l - c - 2] && TRY(c + 1, "");
	}
#undef TRY
	return 0;
}
#define IN_WNV(name, w) verb_in(cf_her_##name, cf_her_n_##name, w)
#define IN_V(list, w) verb_in(list, sizeof list / sizeof list[0], w)

/* Words after which `her` is an object (and that never follow possessive
 * her).  Sorted: bsearch. */
static const char *const obj_next[] = {
	"a", "about", "above", "across", "after", "again", "against",
	"ahead", "ain", "all", "almost", "alone", "along", "already", "also",
	"although", "always", "am", "among", "an", "and", "another", "any",
	"anybody", "anymore", "anyone", "anything", "anyway", "anywhere",
	"apart", "are", "aren", "around", "as", "aside", "at", "away", "be",
	"because", "been", "before", "behind", "below", "beneath", "beside",
	"besides", "between", "beyond", "both", "but", "by", "can", "cannot",
	"could", "couldn", "despite", "did", "didn", "do", "does", "doesn", "don",
	"down", "during", "each",
	"either", "else", "enough", "even", "ever", "everybody", "everyone",
	"everything", "everywhere", "except", "for", "forever", "from",
	"had", "hadn", "has", "hasn", "have", "haven", "he", "her", "here",
	"herself", "him",
	"himself", "his", "how", "however", "i", "if", "in", "instead",
	"into", "is", "isn", "it", "its", "itself", "just", "like", "may",
	"me", "might", "mine", "much", "must", "my", "myself", "near",
	"neither", "never", "no", "nobody", "nor", "not", "nothing", "now",
	"nowhere", "of", "off", "often", "on", "once", "onto", "or", "our",
	"out", "outside", "over", "perhaps", "please", "rather", "really",
	"she", "should", "shouldn", "since", "so", "some", "somebody", "somehow",
	"someone", "something", "sometimes", "somewhere", "soon", "still",
	"such", "than", "that", "the", "their", "them", "themselves", "then",
	"there", "these", "they", "this", "those", "though", "through",
	"throughout", "till", "to", "today", "together", "tomorrow",
	"tonight", "too", "toward", "towards", "twice", "under", "unless",
	"until", "up", "upon", "us", "via", "was", "wasn", "we", "well", "were",
	"weren",
	"what", "whatsoever", "when", "whenever", "where", "whether",
	"which", "while", "who", "whom", "whose", "why", "will", "with",
	"within", "without", "won", "would", "wouldn", "yesterday", "yet", "you",
	"your",
};

/* Prepositions after which her + a verb-or-noun word is possessive: "about
 * her stay" (not "to", "like": listen to her speak). */
static const char *const noun_prep[] = {
	"about", "after", "at", "before", "during", "for", "from", "in", "of",
	"on", "with", "without",
};

/* Verbs that do not follow possessive her: "let her go", "made her cry". */
static const char *const bare_verb[] = {
	"accept", "achieve", "admit", "agree", "allow", "appear", "arrive",
	"avoid", "be", "become", "begin", "behave", "believe", "belong",
	"borrow", "breathe", "bring", "buy", "choose", "come", "consider",
	"continue", "decide", "deliver", "describe", "deserve", "destroy",
	"die", "discover", "do", "eat", "enjoy", "ensure", "explain", "find",
	"forget", "forgive", "get", "give", "go", "hear", "identify",
	"ignore", "imagine", "improve", "include", "invite", "know", "learn",
	"leave", "let", "lose", "manage", "marry", "obey", "prepare",
	"pretend", "prove", "put", "realise", "realize", "receive",
	"recognize", "recover", "refuse", "relax", "rely", "remain",
	"remember", "save", "say", "see", "seem", "settle", "shoot", "sit",
	"solve", "speak", "stay", "steal", "succeed", "survive", "swallow",
	"take", "tell", "think", "try", "understand",
};

/* Verbs after which her + base verb is an object: "watched her dance." */
static const char *const causative[] = {
	"feel", "felt", "hear", "heard",
	"hearing", "help", "helped", "helping", "helps", "let", "lets",
	"letting", "made", "make", "makes", "making", "notice", "noticed", "saw",
	"see", "seeing", "seen", "sees", "watch", "watched", "watches",
	"watching",
};

/* Verbs taking her + a bare infinitive whatever follows: "made her feel
 * better", "let her carry it", "helped her find" (the verb must be more
 * often a verb than a noun in SemCor: WordNet's verb_major). */
static const char *const make_let[] = {
	"help", "helped", "helping", "helps", "let", "lets", "letting", "made",
	"make", "makes", "making",
};

/* Nouns of "make one's X" idioms, verbs too: made her mark / way / debut. */
static const char *const make_own[] = {
	"bed", "case", "choice", "debut", "entrance", "escape", "exit",
	"fortune", "living", "mark", "move", "name", "peace", "point", "way",
};

/* Frame 25 verbs whose "her + verb + determiner" is rather a noun
 * (caught her eye the moment, got her way the first time). */
static const char *const no_bare[] = { "catch", "get" };
static const char *const make_v[] = { "make" };

/* Verbs of causing with a participle: "had her fired." */
static const char *const have_get[] = {
	"get", "gets", "getting", "got", "gotten", "had", "has", "have", "having",
};

/* Verbs that are also nouns: an object reading only after a causative
 * verb and before a stop ("watched her dance." vs "her dance was"). */
static const char *const soft_verb[] = {
	"act", "answer", "call", "change", "climb", "cook", "cry", "dance",
	"drive", "fall", "feel", "fight", "fly", "grow", "jump", "keep",
	"kill", "kiss", "laugh", "look", "move", "need", "perform", "play",
	"read", "ride", "run", "shine", "sing", "sleep", "smile", "stand",
	"struggle", "suffer", "swim", "talk", "turn", "wait", "walk", "want",
	"win", "work", "write",
};

/* Verbs after which her + -ing is an object: "saw her leaving". */
static const char *const perception[] = {
	"catch", "caught", "feel", "felt", "find", "finds", "found", "hear",
	"heard", "imagine", "imagined", "keep", "keeps", "kept", "leave",
	"left", "notice", "noticed", "observe", "observed", "overheard",
	"picture", "pictures", "saw", "see",
	"seeing", "seen", "sees", "send", "sent", "set", "show", "showed",
	"showing", "shown", "shows", "spot", "spotted", "start", "started",
	"stop", "stopped", "watch", "watched", "watches", "watching", "witness",
	"witnessed", "witnesses", "witnessing",
};

/* Particles: "watched her set up" (a verb before them is a bare infinitive). */
static const char *const particle[] = {
	"away", "back", "down", "in", "off", "on", "out", "over", "up",
};

/* Verbs that take a quoted name or greeting: called her "darling". */
static const char *const naming[] = {
	"answer", "answered", "ask", "asked", "call", "called", "calling",
	"calls", "dub", "dubbed", "greet", "greeted", "greets", "name", "named",
	"nickname", "nicknamed", "said", "say", "says", "tell", "tells", "told",
	"wish", "wished", "wishes",
};

/* Prepositions of place: "behind her running" is an object. */
static const char *const spatial[] = {
	"around", "behind", "beside", "near", "past", "to", "toward", "towards",
};

/* -ly words that are adjectives or nouns, so possessive her may precede. */
static const char *const ly_nonadv[] = {
	"ally", "anomaly", "assembly", "belly", "bully", "costly", "cowardly",
	"curly", "daily", "deadly", "early", "elderly", "family", "fly",
	"friendly", "ghostly", "heavenly", "holy", "homely", "jelly", "jolly",
	"likely", "lily", "lively", "lonely", "lovely", "lowly", "motherly",
	"only", "orderly", "rally", "reply", "saintly", "sickly", "silly",
	"sisterly", "stately", "supply", "surly", "timely", "ugly", "unlikely",
	"unruly", "womanly", "worldly",
};

/* Words that can follow possessive her (as noun or adjective) or end an
 * object phrase (as adverb/particle/predicate): decided by the next word. */
static const char *const two_way[] = {
	"back", "best", "close", "dead", "first", "free", "high", "home",
	"last", "least", "left", "less", "long", "more", "most", "naked", "next",
	"right", "safe", "straight", "wet", "worst",
};

/* Adverbs of time that are adjectives too (so not in obj_next). */
static const char *const time_adv[] = { "early", "late", "soon" };

/* Words a degree word makes a determiner phrase of: her very first film. */
static const char *const ordinal[] = {
	"best", "first", "last", "latest", "own", "worst",
};

/* Intensifiers: "her very first film" vs "loved her very much". */
static const char *const intens[] = { "pretty", "quite", "very" };

/* Adjectives that, before a stop, are predicates: "made her happy." */
static const char *const pred_adj[] = {
	"afraid", "alive", "angry", "annoying", "appealing", "ashamed",
	"asleep", "attractive", "awake", "aware", "bad", "beautiful",
	"believable", "better", "busy", "calm", "cold", "comfortable",
	"crazy", "famous", "fine", "fragile", "free", "funny", "furious",
	"glad", "guilty", "happy", "hot", "human", "hungry", "ill",
	"innocent", "insane", "interesting", "irresistible", "jealous",
	"likable", "likeable", "lovable", "mad", "miserable", "nervous",
	"ok", "okay", "older", "pale", "poor", "pregnant", "proud", "quiet",
	"ready", "real", "rich", "sad", "sexy", "sick", "silent", "smart",
	"sorry", "special", "strong", "stronger", "stupid", "sympathetic",
	"ugly", "unbearable", "uncomfortable", "unconscious", "unhappy",
	"unsympathetic", "upset", "vulnerable", "weak", "wet", "worse",
	"wrong", "young", "younger",
};

/* Verbs that take a small clause: "made her very happy", "kept her more
 * busy" -- her + a degree word is then an object. */
static const char *const small_clause[] = {
	"drive", "driven", "drives", "drove", "find", "finds", "found",
	"get", "gets", "got", "keep", "keeps", "kept", "leave", "leaves",
	"left", "made", "make", "makes", "making", "render", "rendered",
};
static const char *const degree[] = {
	"less", "more", "pretty", "quite", "so", "too", "very",
};

/* Verbs with two objects: "gave her money", "paid her tips". */
static const char *const ditrans[] = {
	"ask", "asked", "asking", "asks", "bought", "bring", "brings",
	"brought", "buy", "buys", "charge",
	"charged", "denied", "deny", "fed", "feed", "gave", "give", "given",
	"gives", "giving", "grant", "granted", "hand", "handed", "hands",
	"lend", "lent", "offer", "offered", "offers", "owe", "owed", "paid",
	"pay", "pays", "promise", "promised", "sell", "sells", "send",
	"sends", "sent", "serve", "served", "show", "showed", "shown",
	"shows", "sold", "taught", "teach", "teaches", "threw", "throw",
	"wish", "wished", "wishes",
};

/* Number words, and what makes "number + it" a sum of money: after a
 * double-object verb that is the second object (quoted her three hundred
 * dollars; returned her three books: his). */
static const char *const numbers[] = {
	"billion", "dozen", "eight", "eighty", "eleven", "few", "fifty",
	"five", "forty", "four", "hundred", "many", "million", "nine",
	"ninety", "one", "seven", "seventy", "several", "six", "sixty", "ten",
	"thirty", "thousand", "three", "twelve", "twenty", "two",
};
static const char *const money[] = {
	"bucks", "cents", "dollars", "euros", "grand", "hundred", "million",
	"pounds", "thousand",
};

/* Quantity words that start the second object of a double-object verb
 * (dealt her two aces, assigned her extra reading, paid her half). */
static const char *const quantity[] = {
	"additional", "extra", "half", "plenty",
};

/* Verbs of giving, throwing and preparing that WordNet gives no frame 14
 * (Levin 1993, classes 13.1, 17.1, 26.1, 26.3): dealt her two aces. */
static const char *const give_more[] = {
	"bake", "build", "cook", "deal", "pour", "slide", "toss",
};

/* What one pays, sells or sends of one's own, not as a gift: paid her
 * bills, sold her shares, sent her regards (a recipient reading would
 * need money, goods or a message). */
static const char *const own_thing[] = {
	"apologies", "belongings", "bonds", "compliments", "condolences",
	"congratulations", "greetings", "possessions", "regards", "respects",
	"services", "shares", "stocks", "sympathies", "thanks",
};
/* ... and what one pays off (paid her bills; sent her bills: him) */
static const char *const pay_own[] = {
	"bills", "debts", "dues", "fines", "invoices", "taxes",
};
static const char *const pay_v[] = { "pay" };

/* Adjective-nouns of idioms with one's: kept her cool, kept her secret,
 * got her due (not a small clause). */
static const char *const own_adj[] = { "cool", "due", "secret" };

/* teach someone a subject; show someone a place */
static const char *const teach_v[] = { "teach" };
static const char *const show_v[] = { "show" };

/* have one's say / fill: not a bare infinitive after have */
static const char *const have_own[] = { "fill", "say" };

/* turn one's back on (turned her back on them: his) */
static const char *const turn_v[] = { "turn" };

/* Prepositions whose object a time adverbial may follow: read to her
 * every night, waited for her all morning (not on/in/during/about: on
 * her last day, about her last week). */
static const char *const time_prep[] = { "for", "from", "to", "with" };
/* ... and with "every" only (on her last day stays his) */
static const char *const every_prep[] = { "at", "beside", "by", "near", "on" };

/* Verbs of perception that take a bare infinitive (saw her park the car;
 * base forms, WordNet finds the inflections). */
static const char *const see_v[] = {
	"feel", "hear", "notice", "observe", "overhear", "see", "watch", "witness",
};

/* Words after "the"/"this" that make a time phrase, not an object (heard
 * her voice the first time: his). */
static const char *const time_mod[] = {
	"entire", "first", "last", "next", "other", "same", "whole",
};

/* Levin's appoint verbs (+ make): a role noun after her is a second
 * object (elected her mayor, named her captain, made her partner). */
static const char *const appoint_v[] = {
	"anoint", "appoint", "crown", "designate", "dub", "elect", "install",
	"make", "name", "nominate", "ordain", "vote",
};

/* What one asks of someone (asked her advice -> his advice). */
static const char *const ask_own[] = {
	"advice", "blessing", "forgiveness", "opinion", "pardon", "permission",
};
static const char *const ask_v[] = { "ask" };

/* Words that start a time adverbial: last week, every day, one night. */
static const char *const time_det[] = { "all", "every", "last", "next", "one" };

/* Leave-taking words: kissed her goodbye (but said her goodbyes). */
static const char *const farewell[] = { "farewell", "goodbye", "goodnight" };
static const char *const say[] = { "say" };

/* Mass nouns that stand without a determiner: "gave her money" (no one
 * says "gave him book", so a bare singular noun there is possessive). */
static const char *const mass[] = {
	"access", "advice", "assistance", "attention", "bread", "breakfast",
	"cash", "coffee", "comfort", "confidence", "courage", "credit",
	"dinner", "directions",
	"feedback", "food", "guidance", "help", "homework", "hope",
	"information", "instructions", "luck", "lunch", "medicine", "money",
	"news", "peace", "permission", "pleasure", "praise", "respect", "strength", "support",
	"tea", "trouble", "water", "wine", "work",
};

/* After wish: "wished her happy birthday", "wished her luck". */
static const char *const wishes[] = {
	"godspeed", "good", "happy", "luck", "merry", "success",
};

/* Determiners and pronouns that start a noun phrase: a verb before them
 * takes an object ("let her taste the cake"), a noun rarely does. */
static const char *const np_start[] = {
	"a", "an", "another", "any", "every", "her", "him", "his", "it", "its",
	"my", "our", "some", "that", "the", "their", "them", "these", "this",
	"those", "your",
};

/* A plural-looking word: -s, not -ss/-us/-is ("goods", not "dress"). */
static int plural(const char *w)
{
	size_t n = strlen(w);
	return n > 3 && w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' &&
	       w[n - 2] != 'i';
}


/* A "stop": the object phrase may end before it. */
static int is_stop(const tok *t)
{
	if (t->kind == T_END)
		return 1;
	if (t->kind == T_PUNCT)
		return 1;
	return IN(obj_next, t->w) || (ends_with(t->w, "ly") && !IN(ly_nonadv, t->w));
}

static int is_stop_tok(tok t)
{
	return is_stop(&t);
}

/* The word before her takes two objects (gave, charged: her own list and
 * WordNet frame 14) or a small clause (found, declared: frame 5). */
static int dtv_verb(const tok *pv)
{
	return pv->kind == T_WORD && (IN(ditrans, pv->w) || IN_WNV(dtv, pv->w));
}

/* A verb of giving: the hand list, WordNet frame-14 verbs mostly used so
 * (dtv_major), Levin's give/throw/prepare verbs without frame 14. */
static int give_verb(const tok *pv)
{
	return pv->kind == T_WORD && (IN(ditrans, pv->w) || IN_WNV(dtv_major, pv->w) ||
	                              IN_V(give_more, pv->w));
}

/* w is one of her own things for the verb before her: sent her regards,
 * sold her shares, paid her bills (not: sent her bills). */
static int own_thing_of(const tok *pv, const char *w)
{
	return IN(own_thing, w) || (IN(pay_own, w) && IN_V(pay_v, pv->w));
}

/* feed + her + animals: the animals she has are fed (fed her chickens,
 * fed her two goats: his; sold her two horses: him). */
static int fed_animal(const tok *pv, const char *w)
{
	static const char *const feed_v[] = { "feed" };
	return IN_WN(animal_pl, w) && IN_V(feed_v, pv->w);
}

static int small_verb(const tok *pv)
{
	return pv->kind == T_WORD &&
	       (IN(small_clause, pv->w) || IN_WNV(small, pv->w));
}

/* A calendar word, singular or plural (week, weeks, Friday, summer). */
static int time_noun(const tok *t)
{
	char b[sizeof t->w];
	size_t n = strlen(t->w);

	if (t->kind != T_WORD || !t->w[0])
		return 0;
	if (IN_WN(time, t->w))
		return 1;
	if (n < 4 || t->w[n - 1] != 's')
		return 0;
	memcpy(b, t->w, n - 1);
	b[n - 1] = '\0';
	return IN_WN(time, b);
}

/* her + a time adverbial (visited her last week., paid her every month,
 * met her two years ago): her is the object.  w starts the adverbial,
 * n2 is the calendar word.  The verb before her must be one that takes a
 * person, not be/have or a verb whose object is a stretch of time (spent
 * her last summer, was her last day, began her first year: his). */
static int time_adverbial(const tok *pv, const char *w, const tok *n2,
                          const tok *n3)
{
	static const char *const ago[] = { "ago", "earlier", "later", "running" };
	static const char *const time_obj[] = {
		"be", "begin", "celebrate", "dedicate", "devote", "end", "enjoy",
		"finish", "give", "have", "live", "make", "mark", "pass", "plan",
		"recall", "remember", "ruin", "spend", "start", "take", "use",
		"waste",
	};
	static const char *const copula[] = {
		"am", "are", "is", "was", "were",
	};
	if (!time_noun(n2) || pv->kind != T_WORD)
		return 0;
	if ((IN(numbers, w) || (w[0] >= '0' && w[0] <= '9')) &&
	    n3->kind == T_WORD && IN(ago, n3->w))
		return 1;   /* met her two years ago */
	if (!IN(time_det, w) || !is_stop(n3) || !strcmp(n3->w, "of"))
		return 0;   /* her last week of school: his */
	if (IN(time_prep, pv->w) ||
	    (!strcmp(w, "every") && IN(every_prep, pv->w)))
		return 1;   /* read to her every night, waited for her all day,
		             * relied on her every day */
	/* on her last day, was her last night, spent her last summer: his */
	return IN_WNV(verb_any, pv->w) && !IN_V(time_obj, pv->w) &&
	       !IN(copula, pv->w);
}

/* w is a singular noun whose first WordNet sense is a person (its plural
 * is in person_pl: captain, treasurer, chairman), not a relative. */
static int role_noun(const char *w)
{
	char b[sizeof ((tok *)0)->w + 2];
	size_t n = strlen(w);

	if (n < 3 || n + 3 > sizeof b || IN_WN(kin, w) || w[n - 1] == 's')
		return 0;
	memcpy(b, w, n + 1);
	if (!strcmp(w + n - 3, "man"))
		b[n - 2] = 'e';                       /* chairman -> chairmen */
	else if (w[n - 1] == 'y' && !strchr("aeiou", w[n - 2]))
		memcpy(b + n - 1, "ies", 4);          /* deputy -> deputies */
	else if (w[n - 1] == 'h' || w[n - 1] == 'x')
		memcpy(b + n, "es", 3);               /* coach -> coaches */
	else
		memcpy(b + n, "s", 2);
	return IN_WN(person_pl, b);
}

int cf_rules_her_possessive(const char *text, size_t len, size_t start,
                            size_t end)
{
	tok n = next_tok(text, len, end), pv, n2;
	const char *w = n.w;

	if (n.kind == T_PUNCT) {
		const unsigned char *t = (const unsigned char *)text;
		size_t cl;
		/* her's (= hers) is possessive (the lexicon's "her's" -> "his"
		 * line takes it first; this is for a lexicon without it) */
		if (t[n.s] == '\'' && n.e < len && (t[n.e] == 's' || t[n.e] == 'S') &&
		    (n.e + 1 >= len ||
		     !cf_rules_is_word(t + n.e + 1, len - n.e - 1, &cl)))
			return 1;
		/* an opening quote after a space: her "Roswell" persona (a noun
		 * follows the quote) vs greets her "Hello" (nothing follows) */
		if ((t[n.s] == '"' || t[n.s] == '\'' || t[n.s] == '`') && n.s > end &&
		    n.e < len && cf_rules_is_word(t + n.e, len - n.e, &cl)) {
			tok pq = prev_tok(text, start), q1 = next_tok(text, len, n.e);
			if (!memchr(text + n.e, t[n.s] == '`' ? '\'' : t[n.s], len - n.e))
				return 0;
			/* called her "darling", greets her "Hello": a quoted name
			 * or greeting; otherwise a quoted noun or title: her
			 * "career", her "This Is England" */
			return !(pq.kind == T_WORD && IN(naming, pq.w)) &&
			       q1.kind == T_WORD && (!IN(obj_next, q1.w) ||
			                             (t[q1.s] >= 'A' && t[q1.s] <= 'Z'));
		}
		/* her (shoes): a noun in brackets; told her (in private) that */
		if (t[n.s] == '(' && n.s > end) {
			tok q1 = next_tok(text, len, n.e), a;
			const char *c = memchr(text + n.e, ')', len - n.e);
			if (q1.kind == T_WORD && !is_stop(&q1) && !IN_WN(verb_only, q1.w))
				return 1;
			/* her (now fading) looks: a noun after the bracket */
			if (!c)
				return 0;
			a = next_tok(text, len, (size_t)(c - text) + 1);
			return a.kind == T_WORD && !is_stop(&a);
		}
		return 0;
	}
	if (n.kind != T_WORD)
		return 0;
	/* her well-being, her in-laws, her so-called: a compound modifier */
	if (n.e + 1 < len && text[n.e] == '-' &&
	    cf_rules_is_word((const unsigned char *)text + n.e + 1, len - n.e - 1,
	                     &(size_t){0}))
		return 1;
	if (!w[0])
		return 1;   /* non-ASCII or long word: a name or noun */
	if (strcmp(w, "own") == 0)
		return 1;
	pv = prev_tok(text, start);
	n2 = next_tok(text, len, n.e);
	if (IN(degree, w) && n2.kind == T_WORD && IN(ordinal, n2.w))
		return 1;   /* make her very first margarita, her very own */
	if (!strcmp(w, "every") && (!strcmp(n2.w, "other") || !strcmp(n2.w, "single"))) {
		/* paid her every other week: the calendar word after "other" */
		tok n3 = next_tok(text, len, n2.e), n4 = next_tok(text, len, n3.e);
		if (time_adverbial(&pv, w, &n3, &n4))
			return 0;
	}
	if ((IN(time_det, w) || IN(numbers, w) || (w[0] >= '0' && w[0] <= '9')) &&
	    time_noun(&n2)) {
		tok n3 = next_tok(text, len, n2.e);
		if (time_adverbial(&pv, w, &n2, &n3))
			return 0;   /* visited her last week, met her two years ago */
		if (!strcmp(n2.w, "times") && pv.kind == T_WORD && IN_WNV(verb_any, pv.w))
			return 0;   /* called her three times (last month) */
	}
	if (IN(degree, w) && small_verb(&pv))
		return 0;   /* made her very happy, kept her too busy */
	if (IN(intens, w))
		return !is_stop(&n2) && strcmp(n2.w, "well") != 0;
	if (!strcmp(w, "being"))
		return 0;   /* him being comatose: the subject of a gerund */
	if (!strcmp(w, "later"))   /* called her later. / her later years */
		return !is_stop(&n2);
	if ((IN(degree, w) || !strcmp(w, "enough") || (w[0] >= '0' && w[0] <= '9') ||
	     (IN(numbers, w) && IN(money, n2.w))) && dtv_verb(&pv))
		return 0;   /* brought her more attention, gave her 7 out of 10,
		             * quoted her three hundred dollars */
	/* teach/taught, show: the first letter first (issue 15: these run for
	 * every her that gets here) */
	if (pv.kind == T_WORD && pv.w[0] == 't' && IN_V(teach_v, pv.w) &&
	    !is_stop(&n)) {
		/* taught her algebra, taught her basic French: what is taught
		 * (taught her class, her students: his) */
		tok h = n, a = n2;
		if (a.kind == T_WORD && !is_stop(&a)) {
			h = a;
			a = next_tok(text, len, a.e);
		}
		if (IN_WN(knowledge, h.w) && is_stop(&a))
			return 0;
	}
	if (text[n.s] >= 'A' && text[n.s] <= 'Z' && pv.kind == T_WORD &&
	    pv.w[0] == 's' && is_stop(&n2) && IN_V(show_v, pv.w))
		return 0;   /* showed her Lisbon: a place shown to her */
	if (pv.kind == T_WORD && !is_stop(&n)) {
		/* served her cold soup., sold her cough syrup: a food noun (no
		 * determiner needed) after at most two modifiers, then a stop
		 * other than "to" (brought her lunch to work: his) */
		tok h = n, a = n2;
		int k;
		for (k = 0; k < 2 && a.kind == T_WORD && !is_stop(&a); k++) {
			h = a;
			a = next_tok(text, len, a.e);
		}
		if (IN_WN(food, h.w) && is_stop(&a) && strcmp(a.w, "to") &&
		    strcmp(a.w, "of") && give_verb(&pv))
			return 0;   /* the verb last: the costliest test */
	}
	if ((IN_WN(comparative, w) || !strcmp(w, "better") || !strcmp(w, "worse")) &&
	    pv.kind == T_WORD && n2.kind == T_WORD && !is_stop(&n2) &&
	    give_verb(&pv) && !IN_WN(kin, n2.w) && !IN_WN(person_pl, n2.w))
		return 0;   /* offered her cheaper rent, gave her better hours (her
		             * older sister: his) */
	if ((IN(numbers, w) || IN(quantity, w) || (w[0] >= '0' && w[0] <= '9')) &&
	    pv.kind == T_WORD && give_verb(&pv)) {
		/* dealt her two aces, assigned her extra reading: the second
		 * object -- unless its head is a person she has (paid her three
		 * cooks) or one of her things, or a goal follows (sold her two
		 * flats to a developer, not: sold her two tickets to Vienna) */
		tok h = n, a = n2;
		int k;
		for (k = 0; k < 4 && a.kind == T_WORD && !is_stop(&a); k++) {
			h = a;
			a = next_tok(text, len, a.e);
		}
		return IN_WN(person_pl, h.w) || fed_animal(&pv, h.w) ||
		       IN_WN(kin, h.w) || own_thing_of(&pv, h.w) ||
		       !strcmp(a.w, "into") || !strcmp(a.w, "onto") ||
		       (!strcmp(a.w, "to") && IN(np_start, next_tok(text, len, a.e).w));
	}
	if (IN(two_way, w)) {
		static const char *const preps[] = {
			"about", "across", "around", "at", "be", "behind", "being",
			"beside", "by", "down", "for", "from", "in", "inside", "into",
			"is", "like", "near", "of", "off", "on", "onto", "over", "than",
			"through", "to", "under", "was", "with", "within", "without",
		};
		static const char *const effort[] = {
			"did", "do", "does", "doing", "done", "gave", "give", "given",
			"gives", "giving", "tried", "tries", "try", "trying",
		};
		if (pv.kind == T_WORD && IN(preps, pv.w))
			return 1;
		if (!strcmp(w, "back") && pv.kind == T_WORD && IN_V(turn_v, pv.w))
			return 1;   /* turned her back on the team: an idiom */
		if (pv.kind == T_WORD && IN(effort, pv.w) &&
		    (!strcmp(w, "best") || !strcmp(w, "worst")))
			return 1;   /* gave her best, tried her best */
		if (!strcmp(n2.w, "of") && strcmp(w, "most") && strcmp(w, "least"))
			return 1;   /* her first of two, her best of all */
		/* sent her home early, got her back late: an adverb, not a noun */
		return !is_stop(&n2) && !IN(time_adv, n2.w);
	}
	if (strcmp(w, "all") == 0) {   /* gave her all. / told her all about it */
		static const char *const give[] = {
			"gave", "give", "given", "gives", "giving",
		};
		/* gives her all in this role / give her all (that) she wants */
		return n2.kind != T_WORD ||
		       (pv.kind == T_WORD && IN(give, pv.w) && !IN(np_start, n2.w) &&
		        strcmp(n2.w, "of") && strcmp(n2.w, "she") && strcmp(n2.w, "he") &&
		        strcmp(n2.w, "they") && strcmp(n2.w, "you") && strcmp(n2.w, "i") &&
		        strcmp(n2.w, "we"));
	}
	if (!strcmp(w, "will") && (n2.kind != T_WORD || !strcmp(n2.w, "to") ||
	                           !strcmp(n2.w, "and")))
		return 1;   /* against her will, read her will., her will to live */
	if (IN(obj_next, w))
		return 0;
	if ((IN_WN(comparative, w) || IN_WN(adv_major, w)) && is_stop(&n2) &&
	    !(pv.kind == T_WORD && IN(noun_prep, pv.w)))
		return 0;   /* pushed her harder., convinced her otherwise. */
	if (IN(farewell, w) && is_stop(&n2) &&
	    !(pv.kind == T_WORD && IN_V(say, pv.w)))
		return 0;   /* kissed her goodbye (said her goodbye: his) */
	if ((ends_with(w, "ly") && !IN(ly_nonadv, w)) || IN_WN(adv_only, w)) {
		/* an adverb: -ly or WordNet adverb-only (afterwards, somewhat) */
		tok n3 = next_tok(text, len, n2.e);
		/* an -ly adjective before a noun: her hourly rate, her early work */
		if (IN_WN(ly_adj, w) && n2.kind == T_WORD && !is_stop(&n2) &&
		    !IN(pred_adj, n2.w))
			return 1;
		if (is_stop(&n2))
			return 0;                    /* treated her badly */
		if (IN(pred_adj, n2.w))          /* her mentally ill father */
			return n3.kind == T_WORD && !is_stop(&n3);
		/* left her emotionally fragile. / her truly awful hat */
		return !(is_stop(&n3) && strcmp(n3.w, "and") && strcmp(n3.w, "or"));
	}
	if (pv.kind == T_WORD && IN(noun_prep, pv.w) && IN(bare_verb, w) &&
	    !IN_WN(verb_only, w))
		return 1;   /* about her stay, during her leave: a noun here */
	if (IN(bare_verb, w) || IN_WN(verb_only, w))
		return 0;   /* let her enter: a verb that is never a noun */
	if (pv.kind == T_WORD && IN(make_let, pv.w) && IN(make_own, w))
		return 1;   /* made her mark, made her way: make + one's noun */
	/* WordNet frame 25 verbs (let, make, have, allow, invite; not catch
	 * or get: caught her eye the moment ...) and help */
	if (n2.kind == T_WORD && IN(np_start, n2.w) && IN_WN(verb_any, w) &&
	    pv.kind == T_WORD && (IN(make_let, pv.w) ||
	                          (IN_WNV(bare_inf, pv.w) && !IN_V(no_bare, pv.w))))
		return 0;   /* let her taste the cake, had her sign the contract */
	if (n2.kind == T_WORD && IN(np_start, n2.w) && IN_WN(verb_any, w) &&
	    pv.kind == T_WORD && IN_V(see_v, pv.w)) {
		tok n3 = next_tok(text, len, n2.e);
		if (!IN(time_mod, n3.w) && !time_noun(&n3))
			return 0;   /* saw her park the car (heard her voice the
			             * first time: his) */
	}
	if (pv.kind == T_WORD && (!strcmp(pv.w, "let") || !strcmp(pv.w, "lets") ||
	                          !strcmp(pv.w, "letting")) &&
	    IN_WN(verb_any, w) && is_stop(&n2) && !IN(particle, n2.w))
		return 0;   /* let her rest for a while (let her guard down: his) */
	if (is_stop(&n2) && !IN(particle, n2.w) && pv.kind == T_WORD &&
	    IN_WN(verb_pref, w) && IN_V(make_v, pv.w))
		return 0;   /* made her rest for a week (a verb more than a noun) */
	if (n2.kind == T_WORD && (IN(particle, n2.w) || IN(np_start, n2.w)) &&
	    pv.kind == T_WORD && IN_WN(verb_pref, w) &&
	    (IN(causative, pv.w) || IN(perception, pv.w) ||
	     (IN_WNV(bare_inf, pv.w) && !IN_V(no_bare, pv.w))))
		return 0;   /* watched her set up his camera, saw her kill the man */
	if (pv.kind == T_WORD && IN(make_let, pv.w) && IN_WN(verb_major, w))
		return 0;   /* made her feel better, helped her carry the boxes */
	if (pv.kind == T_WORD && IN(make_let, pv.w) && IN_WN(verb_any, w) &&
	    n2.kind == T_WORD && (IN(time_adv, n2.w) || IN_WN(comparative, n2.w) ||
	                          IN(time_det, n2.w) || !strcmp(n2.w, "again") ||
	                          !strcmp(n2.w, "twice")))
		return 0;   /* made her work late, made her march all night, made
		             * her study harder (a noun has no such adverb) */
	if (pv.kind == T_WORD && IN(causative, pv.w) &&
	    (IN(soft_verb, w) || IN_WN(verb_major, w)) &&
	    is_stop(&n2))
		return 0;
	if (pv.kind == T_WORD && is_stop(&n2) && IN_WN(verb_major, w) &&
	    !IN(have_own, w) && IN_WNV(bare_inf, pv.w) && !IN_V(no_bare, pv.w))
		return 0;   /* had her wait outside (had her say: his) */
	if (pv.kind == T_WORD && IN_WN(adv_only, n2.w) && IN_WN(verb_any, w) &&
	    (IN(causative, pv.w) || IN(perception, pv.w) ||
	     (IN_WNV(bare_inf, pv.w) && !IN_V(no_bare, pv.w))))
		return 0;   /* heard her read aloud */
	if (ends_with(w, "ing") && pv.kind == T_WORD && is_stop(&n2) &&
	    !IN(particle, n2.w) && strcmp(pv.w, "catch") && IN_V(no_bare, pv.w))
		return 0;   /* got her walking again, get her talking. */
	if (ends_with(w, "ing") && pv.kind == T_WORD &&
	    (IN(perception, pv.w) || IN(spatial, pv.w)) &&
	    !((IN_WN(adj_nn, w) || IN_WN(ing_adj, w)) && n2.kind == T_WORD &&
	      !is_stop(&n2) && !IN(two_way, n2.w) && !IN(time_adv, n2.w) &&
	      !IN_WN(adv_major, n2.w)))
		return 0;   /* saw her leaving (found her missing glove, her
		             * sleeping bag: his; found her walking home: him) */
	if ((IN(pred_adj, w) || IN_WN(adj_only, w) || ends_with(w, "ed")) &&
	    (!strcmp(n2.w, "and") || !strcmp(n2.w, "but") || !strcmp(n2.w, "or"))) {
		/* her beautiful but dumb secretary / made her happy and proud. */
		tok n4 = next_tok(text, len, next_tok(text, len, n2.e).e);
		return n4.kind == T_WORD && !is_stop(&n4);
	}
	if (IN(pred_adj, w) && is_stop(&n2))
		return 0;
	if (is_stop(&n2) &&
	    (IN_WN(adj_nn, w) || (ends_with(w, "ed") && !IN_WN(noun_ed, w)) ||
	     (IN_WN(adj_major, w) && !IN(own_adj, w))) &&
	    small_verb(&pv))
		return 0;   /* left her speechless., left her unaffected., got her
		             * fit for the race (kept her cool: his) */
	if (ends_with(w, "ed") && strcmp(w + strlen(w) - 3, "eed") &&
	    !IN_WN(noun_ed, w) && is_stop(&n2) &&
	    (n2.kind == T_WORD || (pv.kind == T_WORD && IN(have_get, pv.w))))
		return 0;   /* found her tied up, had her killed off, had her fired. */
	if (pv.kind == T_WORD && is_stop(&n2) && role_noun(w) &&
	    IN_V(appoint_v, pv.w))
		return 0;   /* elected her mayor, named her captain of the team */
	if (pv.kind == T_WORD && IN(ask_own, w) && IN_V(ask_v, pv.w))
		return 1;   /* asked her advice: his */
	if (pv.kind == T_WORD && IN(naming, pv.w)) {
		/* called her names, called her Sam, called her Auntie Jo (a
		 * name, not her Mom) */
		int cap = text[n.s] >= 'A' && text[n.s] <= 'Z' && text[n.s + 1] >= 'a';
		if (!strcmp(w, "names") && is_stop(&n2))
			return 0;
		if (cap && !IN_WN(kin, w) &&
		    (is_stop(&n2) ||
		     (n2.kind == T_WORD && text[n2.s] >= 'A' && text[n2.s] <= 'Z' &&
		      is_stop_tok(next_tok(text, len, n2.e)))))
			return 0;
	}
	if (pv.kind == T_WORD && IN(ditrans, pv.w)) {
		/* gave her money. / paid her tips / gave her wrong directions:
		 * a mass or plural noun (one modifier allowed) then a stop other
		 * than "to" (gave her money to charity is possessive) */
		tok noun = n, after = n2;
		if (IN(numbers, w))
			return 0;   /* charged her one thousand dollars */
		if (!IN(mass, w) && !plural(w)) {
			noun = n2;                  /* one modifier: her new shoes */
			after = next_tok(text, len, n2.e);
		}
		if (own_thing_of(&pv, noun.w))
			return 1;   /* paid her bills, sent her warm regards */
		if (noun.kind == T_WORD && !is_stop(&noun) && IN(mass, noun.w) &&
		    !strcmp(after.w, "to")) {
			tok v = next_tok(text, len, after.e);
			if (v.kind == T_WORD && IN_WN(verb_any, v.w) && !IN(np_start, v.w))
				return 0;   /* gave her permission to stay late */
		}
		/* paid her workers, taught her students: people she has */
		if (noun.kind == T_WORD && !is_stop(&noun) &&
		    (IN(mass, noun.w) || (plural(noun.w) && !IN_WN(person_pl, noun.w) &&
		                          !fed_animal(&pv, noun.w))) &&
		    (is_stop(&after) || !strcmp(after.w, "every") ||
		     !strcmp(after.w, "each")) &&
		    strcmp(after.w, "to") != 0)
			return 0;
		if (IN(wishes, w) && (!strcmp(pv.w, "wish") || !strcmp(pv.w, "wished") ||
		                      !strcmp(pv.w, "wishes")))
			return 0;   /* wished her happy birthday, wished her luck */
	}
	return 1;
}

int cf_rules_his_standalone(const char *text, size_t len, size_t start,
                            size_t end)
{
	static const char *const after[] = {
		"are", "can", "could", "did", "does", "had", "has", "is", "may",
		"might", "must", "should", "than", "to", "too", "was", "were",
		"will", "would",
	};
	static const char *const dets[] = {
		"her", "his", "its", "my", "our", "their", "your",
	};
	tok n = next_tok(text, len, end);

	(void)start;
	if (n.kind == T_END)
		return 1;
	if (n.kind == T_PUNCT) {
		unsigned char c = (unsigned char)text[n.s];
		return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
		       c == '?' || c == ')' || c == ']' || c == '<';
	}
	if (strcmp(n.w, "and") == 0 || strcmp(n.w, "or") == 0) {
		tok n2 = next_tok(text, len, n.e);
		return !(n2.kind == T_WORD && IN(dets, n2.w));
	}
	if (strcmp(n.w, "too") == 0) {   /* was his too. / his too-short career */
		tok n2 = next_tok(text, len, n.e);
		return n2.kind == T_END || (n2.kind == T_PUNCT && text[n2.s] != '-');
	}
	return IN(after, n.w);
}
