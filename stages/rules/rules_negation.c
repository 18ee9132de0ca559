/*
 * rules_negation.c - clause negation of the `negation` pack (see rules.h).
 *
 * Consumes: at load, lexicons/english-verbs.txt (verb forms and how often
 * each word is a verb, derived from WordNet by scripts/derive_wordnet.py);
 * at apply time one UTF-8 text.  Emits: at most one toggle per sentence as
 * replacement spans in the caller's cf_rules_out->pm (like regex matches),
 * plus the polarity items of the toggled clause.
 *
 * Per sentence (ended by . ! ? ; or a line break):
 *   - a negation already there is removed, whatever it is, so nothing is
 *     ever negated twice: "isn't" -> "is", "did not like" -> "liked",
 *     "doesn't have" -> "has", "never " -> "", "no dog" -> "a dog",
 *     "nobody" -> "somebody", "none" -> "some";
 *   - else the first auxiliary or modal takes "not" (is, was, can -> cannot,
 *     may, might, must, shall, ought to, will, would, has + participle,
 *     does + verb, he's); "There is a dog" -> "There is no dog";
 *   - else the first finite main verb gets do-support with its tense and
 *     person ("liked" -> "did not like", "has three dogs" -> "does not have
 *     three dogs", "People stand" -> "People do not stand");
 *   - else (a fragment) a participle or a preposition takes "not" ("A dog
 *     not eating food"), "with" -> "without".
 * In the clause after an added negation, some/someone/something/somebody/
 * somewhere -> any..., already -> yet, a final too -> either; after a
 * removed one the reverse.  Case follows the replaced word; a dropped
 * sentence-initial word capitalises the next.  A main verb is a word of the
 * verb table whose verb share (WordNet SemCor counts) is high enough, not
 * after a determiner or preposition, not capitalised mid-sentence.
 *
 * State: the verb table, immutable after load.  Limits: ASCII words only
 * (others are never verbs here); sentences are looked at in isolation.
 * Failure modes: unreadable or malformed verb table (CF_EIO / CF_ECONFIG
 * with FILE:LINE), CF_ENOMEM, CF_ELIMIT from the output buffers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"

#define MAX_TOK 256           /* words looked at per sentence */
#define MAX_SUB (64u << 20)
/* Keys are at most KEYLEN - 1 bytes, zero-padded to KEYLEN, so a key is
 * hashed and compared as three 64-bit words (tokens fill their key in
 * place; no per-byte hash chain in the tokenizer's inner loop). */
#define KEYLEN 24
#define FIX_WORDS 8           /* words of a fixed expression, at most */

enum { F_BASE = 1, F_S3 = 2, F_PAST = 4, F_PPART = 8, F_ING = 16 };

typedef struct vform {
	char k[KEYLEN];       /* the form, zero-padded (longer forms: never met,
	                       * tokens are shorter; kept as "" keys) */
	uint32_t lemma;       /* index into lemmas */
	uint8_t kinds, pref;  /* F_* bits; verb share 0-9 for this form */
} vform;

struct cf_rules_neg {
	char **lemmas;        /* per lemma: 5 strings lemma,3sg,past,ppart,ing */
	size_t nlemmas;
	vform *forms;
	size_t nforms;
	uint32_t *slots;      /* form index + 1 */
	size_t nslots;
	char *buf;            /* the file, split in place */
	struct cword {
		char k[KEYLEN];
		uint16_t bits;
		uint32_t fix;       /* first fixed expression starting with k, + 1 */
	} *cw;                /* closed classes and first words of the fixed
	                       * expressions; grown with the file, no limit */
	uint32_t *cslot;      /* cw index + 1, open addressing, cmask + 1 slots */
	size_t ncw, cwcap, cmask;
	/* fixed expressions (negation-fixed.txt next to the verb table): words
	 * as zero-padded keys, FIX_WORDS at most; chained by first word */
	struct fixphrase {
		char w[FIX_WORDS][KEYLEN];
		uint32_t nw;        /* words */
		uint32_t next;      /* next phrase with the same first word, + 1 */
	} *fix;
	size_t nfix, fixcap;
};

static int build_classes(cf_rules_neg *ng);
static int load_fixed(cf_rules_neg *ng, const char *verbs, cf_error *err);

/* ---- the verb table --------------------------------------------------- */


static uint64_t hkey(const char k[KEYLEN])
{
	uint64_t a, b, c;

	memcpy(&a, k, 8);
	memcpy(&b, k + 8, 8);
	memcpy(&c, k + 16, 8);
	a = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ (c * 0xC2B2AE3D27D4EB4Full)) *
	    0xFF51AFD7ED558CCDull;
	return a ^ (a >> 29);
}

static int key_eq(const char a[KEYLEN], const char b[KEYLEN])
{
	uint64_t x[3], y[3];

	memcpy(x, a, KEYLEN);
	memcpy(y, b, KEYLEN);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2])) == 0;
}

/* The form of key k (hash h): one slot probe, and the form's own cache
 * line holds the key it is compared with. */
static const vform *vlook_h(const cf_rules_neg *ng, const char k[KEYLEN],
                            uint64_t h)
{
	size_t i = (size_t)h & (ng->nslots - 1);

	for (; ng->slots[i]; i = (i + 1) & (ng->nslots - 1)) {
		const vform *f = &ng->forms[ng->slots[i] - 1];
		if (key_eq(f->k, k))
			return f;
	}
	return NULL;
}

/* Add form w of lemma li; a form seen before keeps its first lemma and
 * gains the kind (put: base, past, participle). */
static void vadd(cf_rules_neg *ng, char *w, uint32_t li, int kind, int pref)
{
	char k[KEYLEN] = { 0 };
	size_t n = strlen(w), i;

	if (n >= KEYLEN)
		return;   /* no token is that long */
	memcpy(k, w, n);
	i = (size_t)hkey(k) & (ng->nslots - 1);
	for (; ng->slots[i]; i = (i + 1) & (ng->nslots - 1)) {
		vform *f = &ng->forms[ng->slots[i] - 1];
		if (key_eq(f->k, k)) {
			if (f->lemma == li) {
				f->kinds |= (uint8_t)kind;
				if (pref > f->pref)
					f->pref = (uint8_t)pref;
			}
			return;
		}
	}
	vform *f = &ng->forms[ng->nforms++];
	memcpy(f->k, k, KEYLEN);
	f->lemma = li;
	f->kinds = (uint8_t)kind;
	f->pref = (uint8_t)pref;
	ng->slots[i] = (uint32_t)ng->nforms;
}

void cf_rules_neg_free(cf_rules_neg *ng)
{
	if (!ng)
		return;
	free(ng->lemmas);
	free(ng->forms);
	free(ng->slots);
	free(ng->buf);
	free(ng->fix);
	free(ng->cw);
	free(ng->cslot);
	free(ng);
}

int cf_rules_neg_load(cf_rules_neg **out, const char *path, cf_error *err)
{
	cf_rules_neg *ng = calloc(1, sizeof *ng);
	FILE *f = NULL;
	long sz;
	size_t nl = 0, line = 0, li;
	char *p, *save = NULL;
	int rc = 0;

	*out = NULL;
	if (!ng)
		return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
	if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) < 0 ||
	    (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		rc = cf_error_set(err, CF_EIO, "%s: cannot read verb table: %s", path,
		                  strerror(errno));
		goto done;
	}
	if (sz > (long)CF_RULES_MAX_LEXICON_BYTES ||
	    !(ng->buf = malloc((size_t)sz + 1)) ||
	    fread(ng->buf, 1, (size_t)sz, f) != (size_t)sz) {
		rc = cf_error_set(err, CF_EIO, "%s: cannot read verb table", path);
		goto done;
	}
	ng->buf[sz] = '\0';
	for (p = ng->buf; *p; p++)
		nl += *p == '\n';
	ng->lemmas = calloc(nl + 1, 5 * sizeof *ng->lemmas);
	ng->forms = calloc(5 * nl + 8, sizeof *ng->forms);
	for (ng->nslots = 64; ng->nslots < 10 * nl + 16; )
		ng->nslots *= 2;
	ng->slots = calloc(ng->nslots, sizeof *ng->slots);
	if (!ng->lemmas || !ng->forms || !ng->slots) {
		rc = cf_error_set(err, CF_ENOMEM, "rules: out of memory");
		goto done;
	}
	for (p = strtok_r(ng->buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		char *col[7], *q = p, *t;
		int nc = 0;
		line++;
		if (*p == '#')
			continue;
		while (nc < 7 && (t = strsep(&q, "\t")))
			col[nc++] = t;
		if (nc != 7 || q || !*col[0] || col[5][0] < '0' || col[5][0] > '9' ||
		    col[6][0] < '0' || col[6][0] > '9') {
			rc = cf_error_set(err, CF_ECONFIG, "%s:%zu: expected 7 tab-separated "
			                  "columns (lemma 3sg past ppart ing pref past_pref)",
			                  path, line);
			goto done;
		}
		li = ng->nlemmas++;
		memcpy(&ng->lemmas[5 * li], col, 5 * sizeof *col);
		int pref = col[5][0] - '0', ppref = col[6][0] - '0';
		vadd(ng, col[0], (uint32_t)li, F_BASE, pref);
		vadd(ng, col[1], (uint32_t)li, F_S3, pref);
		vadd(ng, col[2], (uint32_t)li, F_PAST, ppref);
		vadd(ng, col[3], (uint32_t)li, F_PPART, ppref);
		vadd(ng, col[4], (uint32_t)li, F_ING, 9);
	}
	if (build_classes(ng) < 0)
		rc = cf_error_set(err, CF_ENOMEM, "rules: out of memory");
	else
		rc = load_fixed(ng, path, err);
done:
	if (f)
		fclose(f);
	if (rc < 0)
		cf_rules_neg_free(ng);
	else
		*out = ng;
	return rc;
}

/* ---- words ------------------------------------------------------------ */

typedef struct tok {
	size_t s, e;          /* span in the text */
	char k[KEYLEN];       /* folded ASCII word with ' for ’, zero-padded;
	                       * "" if not ASCII or too long */
	uint8_t cap;          /* starts upper-case (2: all capitals) */
	uint8_t apos;         /* k holds an apostrophe */
	uint8_t negk;         /* negator kind (see negator), 0 if none */
	uint16_t cls;         /* C_* word classes of k */
	uint8_t klen;         /* strlen(k) */
	uint8_t frozen;       /* inside a fixed expression: no verb, no
	                       * auxiliary, no negator, no polarity item */
	uint8_t looked;       /* vf is set (looked up on first use: most words
	                       * are never asked, and each probe of the large
	                       * verb table is a likely cache miss) */
	uint64_t h;           /* hkey(k) */
	const vform *vf;      /* k in the verb table, or NULL */
} tok;

/* Word classes of the closed lists below, looked up once per token. */
enum { C_BE = 1, C_MODAL = 2, C_DO = 4, C_HAVE = 8, C_BLOCK = 16, C_DET = 32,
       C_SUBJ_PRON = 64, C_PREP = 128, C_ADV = 256, C_CLAUSE_END = 512,
       C_ADJ = 1024, C_EXIST_Q = 2048, C_COLOUR = 4096, C_FIX = 8192 };

static int in_list(const char *k, const char *const *l)
{
	for (; *l; l++)
		if (strcmp(k, *l) == 0)
			return 1;
	return 0;
}

#define CLASS_MAXLEN 9   /* longest word of the lists below ("certainly",
                          * "different", "countless") */
static const char *const BE[] = { "am", "is", "are", "was", "were", NULL };
static const char *const MODAL[] = { "can", "could", "may", "might", "must",
	"shall", "should", "will", "would", NULL };
static const char *const DO[] = { "do", "does", "did", NULL };
static const char *const HAVE[] = { "has", "have", "had", NULL };
/* after these a word is not a finite verb */
static const char *const BLOCK[] = { "a", "an", "the", "his", "her", "their",
	"my", "your", "its", "our", "this", "these", "those", "of", "in", "on",
	"at", "with", "to", "for", "from", "by", "into", "onto", "some", "any",
	"every", "each", "no", "one", "two", "three", "four", "five", "six",
	"seven", "eight", "nine", "ten", "several", "many", "few", "other",
	"another", "very", "under", "near", "behind", "over", "about", "around",
	"through", "across", "after", "before", "during", "without", "between",
	"while", "and", "or", "but", "than", "as", "not", "being", "be", "been",
	"most", "more", "up", "down", "out", "off", NULL };
static const char *const DET[] = { "a", "an", "the", "his", "her", "their",
	"my", "your", "its", "our", "this", "these", "those", "some", "another",
	NULL };
static const char *const SUBJ_PRON[] = { "i", "you", "we", "they", "he", "she",
	"it", "who", "that", "which", "people", "men", "women", "children", NULL };
static const char *const PREP[] = { "in", "on", "at", "near", "under", "inside",
	"outside", "behind", "beside", "above", "below", "by", "next", "along",
	"across", "through", "into", "onto", "over", "around", "against", NULL };
/* adverbs between an auxiliary and its verb */
static const char *const ADV[] = { "also", "just", "already", "still", "always",
	"often", "really", "only", "even", "ever", "recently", "finally", "all",
	"both", "certainly", "actually", "clearly", "simply", "usually", NULL };
static const char *const CLAUSE_END[] = { "and", "but", "or", "while",
	"because", "when", "although", "though", "if", "so", "who", "which",
	"whereas", "since", "unless", "until", NULL };

/* adjectives that are never nouns: the word after one is a noun, not a
 * finite verb ("dogs of different colors drinking") */
static const char *const ADJ[] = { "different", "various", "matching",
	"striped", "colorful", "plaid", NULL };
/* colours, which are nouns too ("a woman in white walks"): the word after
 * one is a finite verb only when the sentence has no other ("in white
 * pants and a yellow blouse exits") */
static const char *const COLOUR[] = { "white", "black", "red", "blue",
	"green", "yellow", "brown", "orange", "pink", "purple", "gray", "grey",
	NULL };
/* sentence adverbs an existential "no" goes after: "There is also no dog" */
static const char *const EXIST_ADV[] = { "also", "certainly", "clearly",
	"actually", NULL };
/* sentence adverbs right after an auxiliary take the "not" after them:
 * "This is surely one of" -> "This is surely not one of" */
static const char *const SENT_ADV[] = { "surely", "indeed", "certainly",
	"definitely", "absolutely", "obviously", "clearly", "probably", "truly",
	"actually", "undoubtedly", "also", "still", "really", NULL };
/* quantifiers that read badly after an added "not" in an existential:
 * "There were several funny moments" -> "There were no funny moments" */
static const char *const EXIST_Q[] = { "several", "numerous", "various",
	"countless", NULL };

/* The closed-class table: every word of the lists with its class bits. */
/* The closed-class table doubled: entries and slots (kept at most half
 * full), the slots rebuilt.  0 or CF_ENOMEM. */
static int grow_classes(cf_rules_neg *ng)
{
	size_t cap = ng->cwcap ? 2 * ng->cwcap : 512, mask = 2 * cap - 1;
	struct cword *cw = realloc(ng->cw, cap * sizeof *cw);
	uint32_t *slot;

	if (!cw)
		return CF_ENOMEM;
	ng->cw = cw;
	if (!(slot = calloc(mask + 1, sizeof *slot)))
		return CF_ENOMEM;
	for (size_t c = 0; c < ng->ncw; c++) {
		size_t i = (size_t)hkey(cw[c].k) & mask;
		while (slot[i])
			i = (i + 1) & mask;
		slot[i] = (uint32_t)c + 1;
	}
	free(ng->cslot);
	ng->cslot = slot;
	ng->cwcap = cap;
	ng->cmask = mask;
	return 0;
}

/* The entry of key k (at most CLASS_MAXLEN bytes) in the closed-class
 * table, added if new; CF_ENOMEM if it cannot grow. */
static int class_entry(cf_rules_neg *ng, const char k[KEYLEN])
{
	size_t i;

	if (ng->ncw == ng->cwcap && grow_classes(ng) < 0)
		return CF_ENOMEM;
	for (i = (size_t)hkey(k) & ng->cmask; ng->cslot[i];
	     i = (i + 1) & ng->cmask)
		if (key_eq(ng->cw[ng->cslot[i] - 1].k, k))
			return (int)ng->cslot[i] - 1;
	memcpy(ng->cw[ng->ncw].k, k, KEYLEN);
	ng->cw[ng->ncw].bits = 0;
	ng->cw[ng->ncw].fix = 0;
	ng->cslot[i] = (uint32_t)++ng->ncw;
	return (int)ng->ncw - 1;
}

static int add_class(cf_rules_neg *ng, const char *const *l, uint16_t bit)
{
	for (; *l; l++) {
		char k[KEYLEN] = { 0 };
		if (strlen(*l) > CLASS_MAXLEN)
			abort();   /* CLASS_MAXLEN is stale: a programming error */
		memcpy(k, *l, strlen(*l));   /* the lists' words are short */
		int c = class_entry(ng, k);
		if (c < 0)
			return c;
		ng->cw[c].bits |= bit;
	}
	return 0;
}

/* 0 or CF_ENOMEM */
static int build_classes(cf_rules_neg *ng)
{
	return add_class(ng, BE, C_BE) |
	       add_class(ng, MODAL, C_MODAL) | add_class(ng, DO, C_DO) |
	       add_class(ng, HAVE, C_HAVE) | add_class(ng, BLOCK, C_BLOCK) |
	       add_class(ng, DET, C_DET) | add_class(ng, SUBJ_PRON, C_SUBJ_PRON) |
	       add_class(ng, PREP, C_PREP) | add_class(ng, ADV, C_ADV) |
	       add_class(ng, CLAUSE_END, C_CLAUSE_END) |
	       add_class(ng, ADJ, C_ADJ) | add_class(ng, COLOUR, C_COLOUR) |
	       add_class(ng, EXIST_Q, C_EXIST_Q) ? CF_ENOMEM : 0;
}

/* The closed-class entry of k + 1, 0 if none. */
static uint32_t class_of(const cf_rules_neg *ng, const char k[KEYLEN],
                         uint64_t h)
{
	size_t i = (size_t)h & ng->cmask;

	for (; ng->cslot[i]; i = (i + 1) & ng->cmask)
		if (key_eq(ng->cw[ng->cslot[i] - 1].k, k))
			return ng->cslot[i];
	return 0;
}

/* One fixed expression: its words as keys (ASCII, folded). */
static int add_fixed(void *ctx, const char *s, size_t n)
{
	cf_rules_neg *ng = ctx;
	size_t w = 0, k = 0;

	if (!((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z') &&
	    !(s[0] >= '0' && s[0] <= '9'))
		return CF_RULES_ENOTWORD;
	if (ng->nfix == ng->fixcap) {   /* grown with the file: no limit */
		size_t cap = ng->fixcap ? 2 * ng->fixcap : 32;
		void *v = realloc(ng->fix, cap * sizeof *ng->fix);
		if (!v)
			return CF_ENOMEM;
		ng->fix = v;
		ng->fixcap = cap;
	}
	struct fixphrase *fp = &ng->fix[ng->nfix];
	memset(fp, 0, sizeof *fp);
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)s[i] : ' ';
		if (c == ' ') {
			w += k > 0;
			k = 0;
			continue;
		}
		if (c >= 0x80 || k + 1 >= KEYLEN || w == FIX_WORDS)
			return CF_RULES_ENOTWORD;
		fp->w[w][k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	/* its first word is found by the closed-class probe every token has */
	if (strlen(fp->w[0]) > CLASS_MAXLEN)
		return CF_RULES_ENOTWORD;
	int ce = class_entry(ng, fp->w[0]);
	if (ce < 0)
		return CF_ENOMEM;
	fp->nw = (uint32_t)w;   /* the last blank counted the last word */
	fp->next = ng->cw[ce].fix;
	ng->cw[ce].bits |= C_FIX;
	ng->cw[ce].fix = (uint32_t)++ng->nfix;
	return 0;
}

/* negation-fixed.txt next to the verb table, if there (an older lexicon
 * directory has none). */
static int load_fixed(cf_rules_neg *ng, const char *verbs, cf_error *err)
{
	char fp[4096];
	const char *sl = strrchr(verbs, '/');
	int n = snprintf(fp, sizeof fp, "%.*s/negation-fixed.txt",
	                 sl ? (int)(sl - verbs) : 1, sl ? verbs : ".");

	if (n < 0 || (size_t)n >= sizeof fp)
		return cf_error_set(err, CF_ECONFIG, "rules: path too long: %s", verbs);
	FILE *f = fopen(fp, "r");
	if (!f)
		return errno == ENOENT ? 0 : cf_error_set(err, CF_EIO,
		       "%s: cannot open: %s", fp, strerror(errno));
	fclose(f);
	return cf_rules_read_phrases(fp, add_fixed, ng, err);
}

/* ASCII word bytes folded to lower case (letters, digits, _); 0 otherwise */
static const unsigned char fold_word[128] = {
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['_'] = '_',
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
	['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
	['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
	['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
	['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
	['Z'] = 'z',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
	['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
	['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
	['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
	['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
	['z'] = 'z',
};

static const unsigned char sentence_end[256] = {
	['.'] = 1, ['!'] = 1, ['?'] = 1, [';'] = 1, ['\n'] = 1,
};

/* Split the sentence starting at text[a] into word tokens (an apostrophe
 * between letters stays inside: isn't, he's); *end gets the offset of the
 * byte that ends it (a sentence_end byte, or b).  One pass finds both: no
 * token holds a sentence_end byte (UTF-8 sequences are validated, so none
 * swallows an ASCII byte), so reading up to b instead of the sentence end
 * gives the same tokens.  Returns the number of tokens. */
static size_t tokenize(const cf_rules_neg *ng, const char *text, size_t a,
                       size_t b, tok *tk, size_t max, size_t *end)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t n = 0, i = a, cl;

	while (i < b && n < max) {
		if (t[i] < 0x80 && !cf_rules_ascii_word[t[i]]) {
			if (sentence_end[t[i]]) {
				*end = i;
				return n;
			}
			i++;   /* blanks and punctuation, the common case, without a call */
			continue;
		}
		if (t[i] >= 0x80 && !cf_rules_is_word(t + i, b - i, &cl)) {
			i += cl;
			continue;
		}
		tok *x = &tk[n++];
		size_t k = 0;
		memset(x->k, 0, KEYLEN);
		x->apos = 0;
		int ascii = 1;
		x->s = i;
		x->cap = t[i] >= 'A' && t[i] <= 'Z';
		for (;;) {
			unsigned char c;
			if (i < b && t[i] < 0x80 && (c = fold_word[t[i]])) {
				/* ASCII letters (folded), digits, _: the common case */
				if (k + 1 < KEYLEN)
					x->k[k++] = (char)c;
				else
					ascii = 0;
				i++;
				continue;
			}
			if (i < b && t[i] >= 0x80 && cf_rules_is_word(t + i, b - i, &cl)) {
				ascii = 0;
				i += cl;
				continue;
			}
			/* an apostrophe followed by a letter continues the word */
			size_t al = (i < b && t[i] == '\'') ? 1 :
			            (i + 2 < b && t[i] == 0xE2 && t[i + 1] == 0x80 &&
			             t[i + 2] == 0x99) ? 3 : 0;
			if (al && i + al < b && t[i + al] < 0x80 &&
			    ((t[i + al] | 32) >= 'a' && (t[i + al] | 32) <= 'z') &&
			    k + 2 < KEYLEN) {
				x->k[k++] = '\'';
				x->apos = 1;
				i += al;
				continue;
			}
			break;
		}
		x->e = i;
		if (!ascii) {
			memset(x->k, 0, KEYLEN);
			k = 0;
		}
		x->h = hkey(x->k);
		/* the closed-class words are at most CLASS_MAXLEN bytes */
		uint32_t ci = k && k <= CLASS_MAXLEN ? class_of(ng, x->k, x->h) : 0;
		x->cls = ci ? ng->cw[ci - 1].bits : 0;
		x->klen = (uint8_t)k;
		x->looked = 0;
		x->frozen = 0;
		x->vf = NULL;
		if (x->cap && x->e - x->s >= 2) {   /* 2: all capitals (IS, CAN'T) */
			size_t q = x->s;
			while (q < x->e && !(t[q] >= 'a' && t[q] <= 'z'))
				q++;
			if (q == x->e)
				x->cap = 2;
		}
	}
	while (i < b && !sentence_end[t[i]])   /* MAX_TOK reached */
		i++;
	*end = i;
	return n;
}

/* ---- output ----------------------------------------------------------- */

typedef struct edit_buf {
	char s[160];
	size_t n;
} edit_buf;

static void eb_put(edit_buf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->n + n < sizeof b->s) {
		memcpy(b->s + b->n, s, n);
		b->n += n;
		b->s[b->n] = '\0';
	}
}

static void eb_putn(edit_buf *b, const char *s, size_t n)
{
	if (b->n + n < sizeof b->s) {
		memcpy(b->s + b->n, s, n);
		b->n += n;
		b->s[b->n] = '\0';
	}
}

/* Append a replacement of text[off, off+len) to o->pm (unless it overlaps
 * one already there: regex rules win).  cap: upper-case its first letter. */
static int put_pm(cf_rules_out *o, uint32_t rule, size_t off, size_t len,
                  const char *rep, size_t rn, int upper)
{
	cf_rules_pm *pm = o->pm;

	for (size_t i = 0; i < o->npm; i++)
		if (off < pm[i].off + pm[i].len && pm[i].off < off + len)
			return 0;
	if (o->npm == o->pmcap) {
		size_t cap = o->pmcap ? o->pmcap * 2 : 16;
		if (cap > CF_RULES_MAX_EDITS)
			return CF_ELIMIT;
		if (!(pm = realloc(o->pm, cap * sizeof *pm)))
			return CF_ENOMEM;
		o->pm = pm;
		o->pmcap = cap;
	}
	if (o->sublen + rn + 1 > o->subcap) {
		size_t cap = o->subcap ? o->subcap : 256;
		char *t;
		while (cap < o->sublen + rn + 1)
			cap *= 2;
		if (cap > MAX_SUB)
			return CF_ELIMIT;
		if (!(t = realloc(o->sub, cap)))
			return CF_ENOMEM;
		o->sub = t;
		o->subcap = cap;
	}
	pm = (cf_rules_pm *)o->pm + o->npm++;
	pm->off = off;
	pm->len = len;
	pm->rule = rule;
	pm->sub_off = o->sublen;
	pm->sub_len = rn;
	memcpy(o->sub + o->sublen, rep, rn);
	if (upper == 2) {   /* the replaced word was all capitals */
		for (size_t q = 0; q < rn; q++)
			if (rep[q] >= 'a' && rep[q] <= 'z')
				o->sub[o->sublen + q] = (char)(rep[q] - 32);
	} else if (upper && rn && rep[0] >= 'a' && rep[0] <= 'z') {
		o->sub[o->sublen] = (char)(rep[0] - 32);
	}
	o->sublen += rn;
	return 0;
}

/* ---- decisions -------------------------------------------------------- */

typedef struct sent {
	const cf_rules_neg *ng;
	const char *text;
	tok *tk;
	size_t n;             /* tokens */
	int question;
	int plural;           /* the first content word looks plural */
	int relaxed;          /* second pass: any verb share will do */
	int late;             /* third pass: a verb after a colour will do */
	int conj;             /* an "and" seen (compound subject) */
} sent;

/* !strcmp(t->k, w) for a literal w: a length test and a folded memcmp */
#define KEQ(t, w) ((t)->klen == sizeof(w) - 1 && !memcmp((t)->k, w, sizeof(w) - 1))

static const vform *verb_of(const sent *S, size_t i)
{
	tok *t = &S->tk[i];

	if (!t->looked) {
		t->vf = t->klen ? vlook_h(S->ng, t->k, t->h) : NULL;
		t->looked = 1;
	}
	return t->vf;
}

static const char *lemma_form(const cf_rules_neg *ng, uint32_t li, int which)
{
	return ng->lemmas[5 * li + which];
}

/* The next token after i that is not an adverb between auxiliary and verb. */
static size_t skip_adv(const sent *S, size_t i)
{
	for (i++; i < S->n && (S->tk[i].cls & C_ADV); i++)
		;
	return i;
}

static int plural_like(const tok *t)
{
	size_t n = t->klen;
	return (t->cls & C_SUBJ_PRON) ||
	       (n > 3 && !strcmp(t->k + n - 3, "men")) ||
	       (n > 2 && t->k[n - 1] == 's' && t->k[n - 2] != 's' &&
	        t->k[n - 2] != '\'');
}

/* 1 if token i can be the finite main verb: *kind gets F_BASE/F_S3/F_PAST. */
static int finite_verb(const sent *S, size_t i, int *kind)
{
	const tok *t = &S->tk[i], *pv = i ? &S->tk[i - 1] : NULL;
	const vform *f;

	/* the cheap tests first: each verb-table probe is a likely cache miss */
	if (!pv || t->cap || t->frozen || (pv->cls & (C_BLOCK | C_ADJ)) || !*pv->k ||
	    ((pv->cls & C_COLOUR) && !S->late) || !(f = verb_of(S, i)))
		return 0;
	int pron = (pv->cls & C_SUBJ_PRON);
	size_t tn = t->klen;
	int need = pron ? 2 : S->relaxed ? 1 : 5;
	/* a verb before its object's determiner: "fires a bow" */
	if (i + 1 < S->n && (S->tk[i + 1].cls & C_DET))
		need = 1;
	/* a regular past (-ed) is rarely anything but a verb form */
	if ((f->kinds & F_PAST) && tn > 3 && !strcmp(t->k + tn - 2, "ed"))
		need = 2;
	if (f->pref < need)
		return 0;
	if (f->kinds & F_PAST) {
		/* "a cave surrounded by rocks": a passive participle */
		if ((f->kinds & F_PPART) && i + 1 < S->n && KEQ(&S->tk[i + 1], "by"))
			for (size_t j = 0; j < i; j++) {
				size_t jn = S->tk[j].klen;
				if (jn > 4 && !strcmp(S->tk[j].k + jn - 3, "ing"))
					return 0;
			}
		*kind = F_PAST;
		return 1;
	}
	if (f->kinds & F_S3) {
		if (KEQ(pv, "i") || KEQ(pv, "you") || KEQ(pv, "we") ||
		    KEQ(pv, "they"))
			return 0;
		*kind = F_S3;
		return 1;
	}
	if (f->kinds & F_BASE) {
		if ((!plural_like(pv) && !S->plural && !(S->relaxed && S->conj)) ||
		    KEQ(pv, "it") ||
		    KEQ(pv, "he") || KEQ(pv, "she"))
			return 0;
		*kind = F_BASE;
		return 1;
	}
	return 0;
}

static int is_aux(const sent *S, size_t i, int *type)
{
	const tok *t = &S->tk[i], *pv = i ? &S->tk[i - 1] : NULL;
	size_t j;

	if (t->frozen)
		return 0;
	/* "a can of", "the will"; a form of be is never a noun, so it stays a
	 * verb after "this" or a particle ("This is", "clothes on is"), but not
	 * after and/or/but (a second predicate: the first one is negated) */
	if (pv && (pv->cls & C_BLOCK) && !KEQ(pv, "not") &&
	    !((t->cls & C_BE) && !(pv->cls & C_CLAUSE_END)))
		return 0;
	if ((t->cls & C_BE)) {
		*type = 'b';
		return 1;
	}
	if ((t->cls & C_MODAL)) {
		if (t->cap && i > 0)
			return 0;   /* May (the month), Will (a name) */
		/* a modal is followed by a verb: "a trash can." is a noun */
		j = skip_adv(S, i);
		const vform *mf = j < S->n ? verb_of(S, j) : NULL;
		if (j >= S->n || (!(mf && (mf->kinds & F_BASE)) &&
		    !KEQ(&S->tk[j], "not") && !KEQ(&S->tk[j], "be")))
			return 0;
		*type = 'm';
		return 1;
	}
	if (t->k[0] == 'o' && KEQ(t, "ought") && i + 1 < S->n && KEQ(&S->tk[i + 1], "to")) {
		*type = 'm';
		return 1;
	}
	if ((t->cls & C_HAVE)) {
		j = skip_adv(S, i);
		const vform *f = j < S->n ? verb_of(S, j) : NULL;
		if (j < S->n && (KEQ(&S->tk[j], "been") ||
		    (f && (f->kinds & F_PPART) && !(f->kinds & F_BASE)))) {
			*type = 'h';
			return 1;
		}
		return 0;
	}
	if ((t->cls & C_DO)) {
		j = skip_adv(S, i);
		const vform *f = j < S->n ? verb_of(S, j) : NULL;
		if (f && (f->kinds & F_BASE)) {
			*type = 'd';
			return 1;
		}
		return 0;
	}
	if (!t->apos)
		return 0;
	size_t n = t->klen;
	if (n > 3 && (!strcmp(t->k + n - 3, "'re") || !strcmp(t->k + n - 2, "'m"))) {
		*type = 'c';
		return 1;
	}
	if (n > 2 && !strcmp(t->k + n - 2, "'s")) {
		static const char *const pr[] = { "he's", "she's", "it's", "that's",
			"there's", "here's", "what's", "who's", "where's", NULL };
		if (in_list(t->k, pr)) {
			*type = 'c';
			return 1;
		}
	}
	return 0;
}

/* Negator at token i: 'n' not, 'c' cannot, 't' n't, 'v' never, 'o' no,
 * 'q' nobody/nothing/none/nowhere/no one, 0 none.  Computed once per
 * token by find_negators. */
static int negator(const sent *S, size_t i)
{
	return S->tk[i].negk;
}

static int negator_of(const sent *S, size_t i)
{
	const char *k = S->tk[i].k;
	size_t n;

	if (k[0] != 'n' && k[0] != 'c' && !S->tk[i].apos)
		return 0;   /* the common case, without a string compare */
	n = S->tk[i].klen;
	if (!strcmp(k, "not"))
		return 'n';
	if (!strcmp(k, "cannot"))
		return 'c';
	if (n > 3 && !strcmp(k + n - 3, "n't"))
		return 't';
	if (!strcmp(k, "never"))
		return 'v';
	if (!strcmp(k, "no")) {
		/* "No." / "No, ..." is an answer, not a determiner */
		if (i + 1 >= S->n ||
		    memchr(S->text + S->tk[i].e, ',', S->tk[i + 1].s - S->tk[i].e))
			return 0;
		if (i + 1 < S->n && KEQ(&S->tk[i + 1], "one"))
			return 'q';
		if (i + 1 < S->n && (KEQ(&S->tk[i + 1], "longer") ||
		    KEQ(&S->tk[i + 1], "doubt") || KEQ(&S->tk[i + 1], "matter")))
			return 0;
		return 'o';
	}
	if (!strcmp(k, "nobody") || !strcmp(k, "nothing") || !strcmp(k, "none") ||
	    !strcmp(k, "nowhere"))
		return 'q';
	return 0;
}

/* memchr(p, ',', n) || memchr(p, ':', n) for the gap between two words,
 * usually one blank: a loop is cheaper than two calls. */
static int comma_or_colon(const char *p, size_t n)
{
	for (size_t q = 0; q < n; q++)
		if (p[q] == ',' || p[q] == ':')
			return 1;
	return 0;
}

/* Polarity items in the clause after token i: add = 1 after an added
 * negation (some -> any), 0 after a removed one (any -> some). */
static int polarity(const sent *S, size_t i, int add, cf_rules_out *o,
                    uint32_t rule)
{
	static const char *const pos[] = { "some", "someone", "somebody",
		"something", "somewhere", "already", NULL };
	static const char *const neg[] = { "any", "anyone", "anybody",
		"anything", "anywhere", "yet", NULL };
	int rc, npi = 0;

	for (size_t j = i + 1; j < S->n; j++) {
		const tok *t = &S->tk[j];
		const char *sep = S->text + S->tk[j - 1].e;
		size_t gap = t->s - S->tk[j - 1].e;
		if (comma_or_colon(sep, gap) || negator(S, j))
			break;
		if (t->cls & C_CLAUSE_END) {
			/* "does not offer any gore and plenty of ...": under the
			 * negation a second object joins with "or", so the "any" does
			 * not end at a positive conjunct; a subject or a verb after
			 * "and" starts a new clause, left alone */
			const tok *x = j + 1 < S->n ? &S->tk[j + 1] : NULL;
			const vform *xf = x ? verb_of(S, j + 1) : NULL;
			if (add && npi && KEQ(t, "and") && x && !x->cap &&
			    !(x->cls & (C_DET | C_SUBJ_PRON | C_CLAUSE_END | C_ADV)) &&
			    !(xf && xf->pref >= 3) &&
			    (rc = put_pm(o, rule, t->s, t->e - t->s, "or", 2, 0)) < 0)
				return rc;
			break;
		}
		if (t->frozen)
			continue;
		const char *const *from = add ? pos : neg, *const *to = add ? neg : pos;
		char c0 = t->k[0];
		if (add ? (c0 != 's' && c0 != 'a' && c0 != 't') :
		          (c0 != 'a' && c0 != 'y' && c0 != 'e'))
			continue;   /* no polarity item starts otherwise */
		for (size_t q = 0; from[q]; q++)
			if (!strcmp(t->k, from[q])) {
				if ((rc = put_pm(o, rule, t->s, t->e - t->s, to[q],
				                 strlen(to[q]), t->cap)) < 0)
					return rc;
				npi = 1;
				break;
			}
		/* a final "too" -> "either" and back */
		int last = j + 1 == S->n || (S->tk[j + 1].cls & C_CLAUSE_END);
		if (last && !strcmp(t->k, add ? "too" : "either"))
			if ((rc = put_pm(o, rule, t->s, t->e - t->s, add ? "either" : "too",
			                 add ? 6 : 3, t->cap)) < 0)
				return rc;
	}
	return 0;
}

/* Remove the negation at token i (kind k). */
static int remove_neg(const sent *S, size_t i, int k, cf_rules_out *o,
                      uint32_t rule)
{
	const tok *t = &S->tk[i];
	const char *txt = S->text;
	edit_buf b = { .n = 0 };
	size_t n = strlen(t->k);
	int rc;

	b.s[0] = '\0';
	if (k == 't' || k == 'n' || k == 'c') {
		/* the auxiliary: isn't -> is; did not like -> liked */
		size_t a = i, vend;
		char aux[24];
		if (k == 't') {
			static const char *const irr[][2] = { { "won't", "will" },
				{ "can't", "can" }, { "shan't", "shall" }, { "ain't", "is" },
				{ NULL, NULL } };
			snprintf(aux, sizeof aux, "%.*s", (int)(n - 3), t->k);
			for (int q = 0; irr[q][0]; q++)
				if (!strcmp(t->k, irr[q][0]))
					snprintf(aux, sizeof aux, "%s", irr[q][1]);
		} else if (k == 'c') {
			snprintf(aux, sizeof aux, "can");
		} else {
			if (i == 0 || !((S->tk[i - 1].cls & C_BE) ||
			    (S->tk[i - 1].cls & C_MODAL) || (S->tk[i - 1].cls & C_DO) ||
			    (S->tk[i - 1].cls & C_HAVE) || KEQ(&S->tk[i - 1], "ought") ||
			    strchr(S->tk[i - 1].k, '\''))) {
				/* a bare "not" (Not good; a man not wearing): drop it */
				goto drop_word;
			}
			a = i - 1;
			snprintf(aux, sizeof aux, "%s", S->tk[a].k);
		}
		vend = skip_adv(S, i);
		const vform *f = vend < S->n ? verb_of(S, vend) : NULL;
		if (in_list(aux, DO) && f && (f->kinds & F_BASE) && vend == i + 1) {
			int w = !strcmp(aux, "did") ? 2 : !strcmp(aux, "does") ? 1 : 0;
			const char *v = lemma_form(S->ng, f->lemma, w);
			eb_put(&b, v);
			if ((rc = put_pm(o, rule, S->tk[a].s, S->tk[vend].e - S->tk[a].s,
			                 b.s, b.n, S->tk[a].cap)) < 0)
				return rc;
			return polarity(S, vend, 0, o, rule);
		}
		if (k == 'n') {   /* "is not" -> "is": drop " not" */
			if ((rc = put_pm(o, rule, S->tk[a].e, t->e - S->tk[a].e, "", 0, 0)) < 0)
				return rc;
			return polarity(S, i, 0, o, rule);
		}
		/* isn't -> is, keeping the case of the first letter (and CAN'T) */
		if (t->e - t->s >= 2 && txt[t->s] >= 'A' && txt[t->s] <= 'Z' &&
		    txt[t->s + 1] >= 'A' && txt[t->s + 1] <= 'Z')
			for (char *c = aux; *c; c++)
				*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		eb_put(&b, aux);
		if ((rc = put_pm(o, rule, t->s, t->e - t->s, b.s, b.n, t->cap)) < 0)
			return rc;
		return polarity(S, i, 0, o, rule);
	}
	if (k == 'v')
		goto drop_word;
	if (k == 'o') {   /* no dog -> a dog; no dogs -> some dogs */
		const char *rep = "some";
		if (i + 1 < S->n) {
			const tok *x = &S->tk[i + 1];
			size_t xn = strlen(x->k);
			(void)xn;
			if (!plural_like(x))
				rep = cf_rules_vowel_sound(x->k, x->klen) ? "an" : "a";
		}
		if ((rc = put_pm(o, rule, t->s, t->e - t->s, rep, strlen(rep), t->cap)) < 0)
			return rc;
		return polarity(S, i, 0, o, rule);
	}
	/* nobody -> somebody, no one -> someone */
	{
		size_t e = t->e;
		const char *rep = KEQ(t, "nobody") ? "somebody" :
		                  KEQ(t, "nothing") ? "something" :
		                  KEQ(t, "none") ? "some" :
		                  KEQ(t, "nowhere") ? "somewhere" : "someone";
		if (KEQ(t, "no"))
			e = S->tk[i + 1].e;
		if ((rc = put_pm(o, rule, t->s, e - t->s, rep, strlen(rep), t->cap)) < 0)
			return rc;
		return polarity(S, i, 0, o, rule);
	}
drop_word:
	/* drop the word and the blanks after it; a sentence-initial one gives
	 * its capital to the next word */
	{
		size_t e = t->e;
		while (txt[e] == ' ' || txt[e] == '\t')
			e++;
		if (t->cap && i + 1 < S->n && S->tk[i + 1].s == e) {
			const tok *x = &S->tk[i + 1];
			eb_putn(&b, txt + x->s, x->e - x->s);
			rc = put_pm(o, rule, t->s, x->e - t->s, b.s, b.n, 1);
		} else {
			rc = put_pm(o, rule, t->s, e - t->s, "", 0, 0);
		}
		if (rc < 0)
			return rc;
		return polarity(S, i, 0, o, rule);
	}
}

/* Put word before token x: an edit of x itself ("eating" -> "not eating"),
 * so that every edit replaces some text. */
static int put_before(const sent *S, cf_rules_out *o, uint32_t rule,
                      const tok *x, const char *word)
{
	edit_buf b = { .n = 0 };

	b.s[0] = '\0';
	eb_put(&b, word);
	eb_putn(&b, S->text + x->s, x->e - x->s);
	return put_pm(o, rule, x->s, x->e - x->s, b.s, b.n, 0);
}

/* Add a negation to the sentence; 0 with nothing done when no predicate. */
/* A question's auxiliary before its subject ("Why was she late?", "How can
 * they make such films?", "What is this about?"): "not" cannot follow it
 * ("Why was not she late", "can they do not make"), so the negation is the
 * contracted form in place ("Why wasn't she late?"); an auxiliary without
 * a usual contraction (am, may, might, shall) leaves the question alone.
 * Returns the token index (0 for a yes/no question, with no contraction:
 * left alone), or S->n when the question's first auxiliary is not
 * inverted ("Who likes it?": the usual rules). */
static size_t inverted_aux(const sent *S, const char **contracted)
{
	static const char *const nt[][2] = { { "is", "isn't" }, { "are", "aren't" },
		{ "was", "wasn't" }, { "were", "weren't" }, { "do", "don't" },
		{ "does", "doesn't" }, { "did", "didn't" }, { "has", "hasn't" },
		{ "have", "haven't" }, { "had", "hadn't" }, { "can", "can't" },
		{ "could", "couldn't" }, { "will", "won't" }, { "would", "wouldn't" },
		{ "should", "shouldn't" }, { "must", "mustn't" }, { NULL, NULL } };
	const tok *tk = S->tk;

	*contracted = NULL;
	if (S->n && (tk[0].cls & (C_BE | C_MODAL | C_DO | C_HAVE)))
		return 0;   /* a yes/no question: "Isn't it good?" still asks it
		             * as good, and a later verb is no predicate to negate
		             * ("Has Mr Mamet did not have ...?"): left alone */
	for (size_t i = 1; i + 1 < S->n; i++) {
		const tok *t = &tk[i], *x = &tk[i + 1], *pv = &tk[i - 1];
		if (t->frozen || !(t->cls & (C_BE | C_MODAL | C_DO | C_HAVE)) ||
		    ((pv->cls & C_BLOCK) && !(pv->cls & C_CLAUSE_END)))
			continue;   /* "to do it", "a can of" */
		if (t->cap)
			return 0;   /* "Or Will Maya have ...?": a yes/no question */
		/* after its subject it is not inverted: "you had", "you've had",
		 * "London has", "there were" (the usual rules) */
		if ((pv->cls & C_SUBJ_PRON) || pv->apos || (pv->cap && i > 1) ||
		    KEQ(pv, "there") ||
		    (!(x->cls & (C_SUBJ_PRON | C_DET)) && !KEQ(x, "there")))
			return S->n;   /* the first auxiliary is not inverted */
		for (int q = 0; nt[q][0]; q++)
			if (!strcmp(t->k, nt[q][0]))
				*contracted = nt[q][1];
		return i;
	}
	return S->n;
}

static int add_neg(const sent *S, cf_rules_out *o, uint32_t rule, int *how)
{
	const tok *tk = S->tk;
	const char *txt = S->text;
	edit_buf b = { .n = 0 };
	size_t i;
	int type = 0, kind = 0, rc;

	b.s[0] = '\0';
	if (S->question) {
		const char *nt = NULL;
		if ((i = inverted_aux(S, &nt)) < S->n) {
			if (!nt)
				return 0;
			*how = CF_NEG_AUX;
			if ((rc = put_pm(o, rule, tk[i].s, tk[i].e - tk[i].s, nt,
			                 strlen(nt), 0)) < 0)
				return rc;
			return polarity(S, i, 1, o, rule);
		}
	}
	for (i = 0; i < S->n; i++)
		if (is_aux(S, i, &type) && !(i == 0 && S->question))
			break;
	*how = i < S->n ? CF_NEG_AUX : CF_NEG_FRAGMENT;
	if (i < S->n) {
		const tok *t = &tk[i];
		/* existential there: There is a dog -> There is no dog */
		if (((type == 'b' && i > 0 && KEQ(&tk[i - 1], "there")) ||
		     KEQ(t, "there's")) && i + 1 < S->n) {
			/* past a parenthetical: "There is of course great comedy" ->
			 * "There is of course no great comedy" */
			size_t xi = i + 1;
			if (xi + 2 < S->n && KEQ(&tk[xi], "of") && KEQ(&tk[xi + 1], "course"))
				xi += 2;
			else if (xi + 1 < S->n && in_list(tk[xi].k, EXIST_ADV))
				xi++;
			const tok *x = &tk[xi];
			/* "There were several funny moments" -> "There were no ..." */
			if ((x->cls & C_EXIST_Q) && xi + 1 < S->n)
				return put_pm(o, rule, x->s, x->e - x->s, "no", 2, x->cap);
			static const char *const det[][2] = { { "a", "no" }, { "an", "no" },
				{ "some", "no" }, { "any", "no" }, { "someone", "no one" },
				{ "somebody", "nobody" }, { "something", "nothing" },
				{ NULL, NULL } };
			for (int q = 0; det[q][0]; q++)
				if (!strcmp(x->k, det[q][0]))
					return put_pm(o, rule, x->s, x->e - x->s, det[q][1],
					              strlen(det[q][1]), x->cap);
			const vform *xf = verb_of(S, xi);
			if (!(x->cls & C_BLOCK) && !(xf && xf->pref >= 5) && *x->k &&
			    !(x->cls & C_ADV) &&
			    !(x->k[0] >= '0' && x->k[0] <= '9') && !KEQ(x, "lots") &&
			    !KEQ(x, "plenty"))
				return put_before(S, o, rule, x, "no ");
		}
		if (KEQ(t, "can")) {
			eb_putn(&b, txt + t->s, t->e - t->s);
			eb_put(&b, (t->e - t->s == 3 && txt[t->s + 1] == 'A') ? "NOT" : "not");
		} else if (i + 2 < S->n && !tk[i + 1].cap && in_list(tk[i + 1].k, SENT_ADV)) {
			t = &tk[i + 1];   /* the "not" after the sentence adverb */
			eb_putn(&b, txt + t->s, t->e - t->s);
			eb_put(&b, " not");
		} else {
			eb_putn(&b, txt + t->s, t->e - t->s);
			eb_put(&b, " not");
		}
		if ((rc = put_pm(o, rule, t->s, t->e - t->s, b.s, b.n,
		                 t->cap == 2 ? 2 : 0)) < 0)
			return rc;
		/* has already seen -> has not yet seen */
		return polarity(S, i, 1, o, rule);
	}
	for (i = 1; i < S->n; i++)
		if (finite_verb(S, i, &kind))
			break;
	if (i == S->n) {   /* a verb that is more often a noun: "A biker races" */
		sent R = *S;
		R.relaxed = 1;
		for (i = 1; i < S->n; i++) {
			R.conj |= KEQ(&tk[i - 1], "and");
			if (finite_verb(&R, i, &kind))
				break;
		}
		if (i == S->n) {   /* only a verb after a colour: "in white walks" */
			R.late = 1;
			R.conj = 0;
			for (i = 1; i < S->n; i++) {
				R.conj |= KEQ(&tk[i - 1], "and");
				if (finite_verb(&R, i, &kind))
					break;
			}
		}
	}
	if (i < S->n) {
		/* "white pants exits", "A woman dressed in white walks": a later
		 * finite verb right after, or a past participle before a
		 * preposition when another verb follows, is the predicate */
		int k2;
		const vform *f0 = verb_of(S, i), *f1;
		if (kind == F_PAST && (f0->kinds & F_PPART) &&
		    skip_adv(S, i) < S->n &&
		    ((tk[skip_adv(S, i)].cls & C_PREP) ||
		     KEQ(&tk[skip_adv(S, i)], "with"))) {
			sent L = *S;   /* a verb after a colour last: "dressed in white
			                * pants and a yellow blouse exits", "dressed
			                * all in black charges" */
			size_t j = S->n;
			for (int late = 0; late < 2 && j == S->n; late++) {
				L.late = late;
				for (j = i + 2; j < S->n; j++)
					if (finite_verb(&L, j, &k2) && k2 != F_PAST)
						break;
			}
			if (j < S->n) {
				i = j;
				kind = k2;
			}
		}
		f1 = i + 1 < S->n ? verb_of(S, i + 1) : NULL;
		if (kind == F_S3 && f1 && (f1->kinds & F_S3) && !tk[i + 1].cap &&
		    (f1->pref >= 5 || (i + 2 < S->n && (tk[i + 2].cls & C_DET)))) {
			i++;
			kind = F_S3;
		}
	}
	if (i < S->n) {
		const tok *t = &tk[i];
		const vform *f = verb_of(S, i);
		*how = CF_NEG_DO;
		eb_put(&b, kind == F_PAST ? "did not " : kind == F_S3 ? "does not " :
		           "do not ");
		eb_put(&b, lemma_form(S->ng, f->lemma, 0));
		if ((rc = put_pm(o, rule, t->s, t->e - t->s, b.s, b.n, t->cap)) < 0)
			return rc;
		return polarity(S, i, 1, o, rule);
	}
	/* fragments: a participle or a preposition takes the negation */
	for (i = 1; i < S->n; i++) {
		size_t n = tk[i].klen;
		const vform *f;
		if (n > 4 && !strcmp(tk[i].k + n - 3, "ing") && !tk[i].frozen &&
		    !(tk[i - 1].cls & C_BLOCK) && !tk[i].cap &&
		    (f = verb_of(S, i)) && (f->kinds & F_ING)) {
			if ((rc = put_before(S, o, rule, &tk[i], "not ")) < 0)
				return rc;
			return polarity(S, i, 1, o, rule);
		}
	}
	for (i = 1; i < S->n; i++) {
		if (KEQ(&tk[i], "with"))
			return put_pm(o, rule, tk[i].s, tk[i].e - tk[i].s, "without", 7, 0);
		if (KEQ(&tk[i], "without"))
			return put_pm(o, rule, tk[i].s, tk[i].e - tk[i].s, "with", 4, 0);
		if ((tk[i].cls & C_PREP))
			return put_before(S, o, rule, &tk[i], "not ");
	}
	return 0;
}

/* Record the clause around the toggle put at pm index first: from the
 * clause break before it to the one after it (a comma or colon between
 * words, a clause word: and, but, because, which ...), within the
 * sentence.  The lexicon scan then makes no other sentiment swap there. */
static int note_clause(const sent *S, cf_rules_out *o, size_t first)
{
	size_t off = ((const cf_rules_pm *)o->pm)[first].off, i = 0, a, b;
	const tok *tk = S->tk;

	while (i + 1 < S->n && tk[i].e <= off)
		i++;
	for (a = i; a > 0 && !(tk[a].cls & C_CLAUSE_END) &&
	     !comma_or_colon(S->text + tk[a - 1].e, tk[a].s - tk[a - 1].e); a--)
		;
	for (b = i; b + 1 < S->n && !(tk[b + 1].cls & C_CLAUSE_END) &&
	     !comma_or_colon(S->text + tk[b].e, tk[b + 1].s - tk[b].e); b++)
		;
	if (o->nnegcl + 2 > o->negclcap) {
		size_t cap = o->negclcap ? o->negclcap * 2 : 16, *p;
		if (cap > 2 * (size_t)CF_RULES_MAX_EDITS)
			return CF_ELIMIT;
		if (!(p = realloc(o->negcl, cap * sizeof *p)))
			return CF_ENOMEM;
		o->negcl = p;
		o->negclcap = cap;
	}
	o->negcl[o->nnegcl++] = tk[a].s < off ? tk[a].s : off;
	o->negcl[o->nnegcl++] = tk[b].e;
	return 0;
}

/* Freeze the tokens of the fixed expressions in the sentence ("left to
 * right", "as dumb does"): a proverb or a set phrase is not negated inside
 * and its words are not verbs. */
static void mark_fixed(sent *S)
{
	const cf_rules_neg *ng = S->ng;

	for (size_t i = 0; i < S->n; i++) {
		if (!(S->tk[i].cls & C_FIX))
			continue;
		/* a second probe, for the few tokens that start a phrase */
		uint32_t f = ng->cw[class_of(ng, S->tk[i].k, S->tk[i].h) - 1].fix;
		for (; f; f = ng->fix[f - 1].next) {
			const struct fixphrase *fp = &ng->fix[f - 1];
			size_t w = fp->nw, j = 1;
			/* the first word matched: it holds the chain */
			while (j < w && i + j < S->n && key_eq(S->tk[i + j].k, fp->w[j]))
				j++;
			if (j == w)
				for (j = 0; j < w; j++)
					S->tk[i + j].frozen = 1;
		}
	}
}

int cf_rules_neg_scan(const cf_rules_neg *ng, uint32_t rule, const char *text,
                      size_t len, cf_rules_out *o, uint64_t *amb)
{
	tok tk[MAX_TOK];
	size_t a = 0, b, i;
	int rc = 0;

	while (a < len) {
		/* the sentence text[a, b) and the byte that ends it */
		sent S = { .ng = ng, .text = text, .tk = tk };
		S.n = tokenize(ng, text, a, len, tk, MAX_TOK, &b);
		S.question = b < len && text[b] == '?';
		mark_fixed(&S);
		for (i = 0; i < S.n; i++)
			tk[i].negk = tk[i].frozen ? 0 : (uint8_t)negator_of(&S, i);
		for (i = 0; i < S.n && (tk[i].cls & C_BLOCK); i++)
			;
		S.plural = i < S.n && plural_like(&tk[i]);
		size_t before = o->npm;
		for (i = 0; i < S.n; i++) {
			int k = negator(&S, i);
			if (k) {
				rc = remove_neg(&S, i, k, o, rule);
				if (amb)
					amb[CF_NEG_REMOVE]++;
				break;
			}
		}
		if (i == S.n && S.n > 1) {
			int how = 0;
			rc = add_neg(&S, o, rule, &how);
			if (amb && o->npm > before)
				amb[how]++;
		}
		if (rc == 0 && o->npm > before && S.n)
			rc = note_clause(&S, o, before);
		if (rc < 0)
			return rc;
		a = b + 1;
	}
	return 0;
}
