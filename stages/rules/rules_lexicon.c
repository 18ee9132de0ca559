/*
 * rules_lexicon.c - the rules engine: TSV lexicons, the token scan, the
 * hash lookup and case transfer (see rules.h).
 *
 * Consumes: lexicon text ("a<TAB>b[<TAB>tag]" lines, '#' comments), packs by
 * name, and at apply time one UTF-8 text.  Emits: the rewritten text and a
 * list of edits with byte spans in input and output.
 *
 * Design: every entry is keyed by its first word, case-folded, in one
 * open-addressing hash table; entries sharing a first word hang off the
 * slot longest-first, so "best man" wins over "man".  apply() walks the text
 * once, word token by word token, and looks each token up; this is far
 * cheaper than one big regex alternation because most tokens miss after a
 * hash and one probe.  When no state carries from word to word (no
 * negation scope, no regex match in the text), a prescan lists the words
 * whose first two bytes and length some key has (a bitmap) and whose hash
 * finds entries, and the word loop visits only those; the round trip
 * (cf_rules_round_trip) reuses the forward pass's list the same way.
 * With a negation scope every word is read (the scope counts words), but
 * one that can be no key and no scope word is only counted, and an entry
 * chain whose tails cannot start where the text goes on is not walked
 * (chain_may_match).  cf_rules_out.every_word selects the reference path
 * the tests compare with: no prescan, every word folded and looked up,
 * every chain walked.  Multi-word tails ("best man", "Mr.", "isn't") are
 * compared in place, any run of white space matching one space and ' / ’
 * matching each other.  User regex matches (rules_pattern.c) are found
 * first and take precedence where they overlap a lexicon match.
 *
 * Words: a word character is an ASCII letter, digit or '_', or any non-ASCII
 * code point outside the punctuation and symbol blocks (Latin-1 symbols,
 * U+2000-U+2BFF, U+3000-U+303F, U+FE30-U+FE4F, U+FF00-U+FF0F, emoji), so
 * "Straße" and "élève" are one word each.  Case folding and case transfer
 * cover ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other scripts
 * are matched byte-exact.  Invalid UTF-8 bytes are non-word characters.
 *
 * State: the cf_rules is immutable after cf_rules_compile(); apply() writes
 * only into the caller's cf_rules_out.  Limits: see CF_RULES_MAX_* in
 * rules.h.  Failure modes: malformed lexicon lines (CF_ECONFIG with
 * FILE:LINE), unreadable files (CF_EIO), limits (CF_ELIMIT), CF_ENOMEM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cfaug/reader.h"
#include "datafile.h"
#include "rules.h"
#include "rules_word.h"

enum { AMB_NONE = 0, AMB_HER, AMB_HIS, AMB_TITLE };
enum { CASE_LOWER, CASE_TITLE, CASE_UPPER, CASE_TITLE_ALL };

typedef struct lexent {
	char *src;              /* case-folded source, single spaces */
	char *dst[2];           /* targets as written; dst[1] only for her/his */
	uint32_t src_len, first_len, dst_len[2];
	uint32_t rule;
	uint32_t next;          /* next entry with the same first word, +1; 0 end */
	uint64_t fw[2];         /* the first 16 bytes of the first word, zero-
	                         * padded: the key compare of find_slot_h() */
	uint8_t ndst, need_cap, amb, alt_when; /* alt_when: resolver value for dst[1] */
	uint8_t ctx;            /* CF_CTX_*: where the entry may fire */
	uint8_t keep;           /* an idiom or fixed phrase (tag keep): matched
	                         * and left as it is */
	uint8_t pos;            /* CF_POS_* from the line's tag */
	uint8_t side;           /* 1: from the TSV's first column, 2: second
	                         * (a name's sex in names.tsv); 0: neither */
} lexent;

struct cf_rules {
	cf_rules_dir dir;
	char **rules;
	size_t nrules;
	lexent *ents;
	size_t nents, entcap;
	uint32_t *slots;        /* head entry index + 1; 0 empty */
	uint32_t *tags;         /* high hash bits of each slot's key */
	size_t nslots;          /* power of two, at most half full */
	size_t max_first;       /* longest first word, bytes */
	uint64_t pmask[38 * 38]; /* per ASCII first two bytes of a key's first
	                          * word (pcls; 37: none): bit L set if such a
	                          * first word has L bytes (bit 63: 63 or more);
	                          * lets the scan skip the hash of most words */
	cf_rules_pat **pats;
	size_t npats;
	int compiled;
	int scope;              /* negation scope in words, 0: off */
	uint64_t negrule[CF_RULES_MAX_RULES / 64];  /* rules that toggle negation */
	uint64_t protrule[CF_RULES_MAX_RULES / 64]; /* rules kept out of protected spans */
	uint64_t gtitlerule[CF_RULES_MAX_RULES / 64]; /* gender: titles, names */
	uint64_t genderrule[CF_RULES_MAX_RULES / 64]; /* the gender pack: its
	                          * edits let fallback names fire (rare-name-*) */
	cf_rules_neg *neg;      /* clause negation (pack negation, no scope) */
	uint32_t neg_rule;
	uint64_t plainrule[CF_RULES_MAX_RULES / 64];  /* sentiment words: no names,
	                                               * no compounds, fix a/an */
	cf_rules_sense *sense;  /* where the antonyms pack's words are not
	                         * evaluative (antonym-contexts.tsv) */
	uint32_t *tailmask;     /* per slot, from compile: bit c (0-25) if an
	                         * entry's tail is " " + letter 'a' + c, bit 30
	                         * if one starts with an apostrophe (that's),
	                         * bit 29 with a hyphen (so-bad-it's-good), bit
	                         * 31 if an entry is one word or has another
	                         * tail; chain_may_match() reads it */
};

/* ---- UTF-8, word characters, case ------------------------------------ */

static size_t utf8_encode(long cp, char *o)
{
	if (cp < 0x80) { o[0] = (char)cp; return 1; }
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Lower-case mapping of one code point (identity when unknown). */
static long cp_lower(long cp)
{
	if (cp < 0x80)
		return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 32;
	if (cp >= 0x100 && cp <= 0x17F) {
		if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
			return (cp & 1) ? cp + 1 : cp;
		if (cp == 0x178)
			return 0xFF;
		if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 ||
		    cp == 0x17F)
			return cp;
		return (cp & 1) ? cp : cp + 1;
	}
	if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F))
		return cp + 32;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 80;
	return cp;
}

static long cp_upper(long cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
	if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
		return cp - 32;
	if (cp == 0xFF)
		return 0x178;
	if (cp >= 0x100 && cp <= 0x17F) {
		if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
			return (cp & 1) ? cp : cp - 1;
		if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 ||
		    cp == 0x17F || cp == 0x178)
			return cp;
		return (cp & 1) ? cp - 1 : cp;
	}
	if ((cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) || (cp >= 0x430 && cp <= 0x44F))
		return cp - 32;
	if (cp >= 0x450 && cp <= 0x45F)
		return cp - 80;
	return cp;
}

/* Fold s[0..n) to lower case into o (cap bytes); length or -1 if too long.
 * Folding never changes the encoded length within the mapped ranges. */
static long fold(const char *s, size_t n, char *o, size_t cap)
{
	size_t i = 0, k = 0, cl;
	long cp;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (k >= cap)
				return -1;
			o[k++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
			i++;
			continue;
		}
		cp = cf_rules_utf8_decode((const unsigned char *)s + i, n - i, &cl);
		if (k + 4 > cap)
			return -1;
		if (cp < 0)
			o[k++] = (char)c;
		else
			k += utf8_encode(cp_lower(cp), o + k);
		i += cl;
	}
	return (long)k;
}

/* Case pattern of the matched source span. */
static int case_of(const char *s, size_t n)
{
	size_t i = 0, cl, up = 0, lo = 0, words = 0, capwords = 0;
	int first = -1, inword = 0;
	long cp;

	while (i < n) {
		cp = cf_rules_utf8_decode((const unsigned char *)s + i, n - i, &cl);
		i += cl;
		if (cp < 0)
			continue;
		/* count words and words that start upper-case (The Best Man) */
		if (cf_rules_cp_is_word(cp) && !inword) {
			words++;
			capwords += cp_lower(cp) != cp;
		}
		inword = cf_rules_cp_is_word(cp) || cp == '\'' || cp == 0x2019;
		if (cp_lower(cp) != cp) {
			up++;
			if (first < 0)
				first = 1;
		} else if (cp_upper(cp) != cp) {
			lo++;
			if (first < 0)
				first = 0;
		}
	}
	if (up == 0)
		return CASE_LOWER;
	if (lo == 0 && up >= 2)
		return CASE_UPPER;
	if (words >= 2 && capwords == words)
		return CASE_TITLE_ALL;
	return first == 1 ? CASE_TITLE : CASE_LOWER;
}

static int starts_upper(const char *s, size_t n)
{
	size_t cl;
	long cp = cf_rules_utf8_decode((const unsigned char *)s, n, &cl);
	return cp >= 0 && cp_lower(cp) != cp;
}

/* ---- output buffer ----------------------------------------------------- */

static int out_put(cf_rules_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *t;
		while (cap < o->len + n + 1)
			cap *= 2;
		if (cap > CF_RULES_MAX_OUTPUT + 1) {
			if (o->len + n + 1 > CF_RULES_MAX_OUTPUT + 1)
				return CF_ELIMIT;
			cap = CF_RULES_MAX_OUTPUT + 1;
		}
		t = realloc(o->text, cap);
		if (!t)
			return CF_ENOMEM;
		o->text = t;
		o->cap = cap;
	}
	memcpy(o->text + o->len, s, n);
	o->len += n;
	o->text[o->len] = '\0';
	return 0;
}

/* Small words that title case leaves lower-case after the first word. */
static int small_word(const char *s, size_t n)
{
	static const char *const w[] = {
		"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or",
		"the", "to",
	};
	size_t i;

	for (i = 0; i < sizeof w / sizeof w[0]; i++)
		if (strlen(w[i]) == n && strncasecmp(w[i], s, n) == 0)
			return 1;
	return 0;
}

/* Append s with case pattern cs applied: lower, Title (first letter),
 * UPPER, or Title Case Of Every Word (small words after the first kept). */
static int out_put_cased(cf_rules_out *o, const char *s, size_t n, int cs)
{
	char buf[16];
	size_t i = 0, cl, k;
	long cp;
	int rc, first = 1, inword = 0, nword = 0;

	/* ASCII, one word's case (nearly every swap): bytes in place */
	if (cs != CASE_TITLE_ALL && n <= CF_RULES_MAX_WORD * 2) {
		size_t j;
		for (j = 0; j < n && (unsigned char)s[j] < 0x80; j++)
			;
		if (j == n) {
			size_t at = o->len;
			if ((rc = out_put(o, s, n)) < 0)
				return rc;
			char *d = o->text + at;
			for (j = 0; j < n; j++) {
				unsigned char c = (unsigned char)d[j];
				if (cs == CASE_LOWER) {
					d[j] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
				} else {
					d[j] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
					if (cs == CASE_TITLE && cf_rules_ascii_word[c])
						break;   /* Title: the first word character only */
				}
			}
			return 0;
		}
	}

	if (cs == CASE_TITLE || cs == CASE_LOWER || cs == CASE_UPPER ||
	    cs == CASE_TITLE_ALL) {
		while (i < n) {
			cp = cf_rules_utf8_decode((const unsigned char *)s + i, n - i, &cl);
			if (cp < 0) {
				if ((rc = out_put(o, s + i, 1)) < 0)
					return rc;
				i++;
				continue;
			}
			if (cs == CASE_TITLE_ALL && cf_rules_cp_is_word(cp) && !inword) {
				size_t e = i;
				while (e < n && ((unsigned char)s[e] >= 0x80 ||
				                 cf_rules_ascii_word[(unsigned char)s[e]]))
					e++;
				if (nword++ == 0 || !small_word(s + i, e - i))
					cp = cp_upper(cp);
			}
			if (cs == CASE_TITLE_ALL)
				inword = cf_rules_cp_is_word(cp) || cp == '\'' || cp == 0x2019;
			if (cs == CASE_UPPER || (cs == CASE_TITLE && first))
				cp = cp_upper(cp);
			else if (cs == CASE_LOWER)
				cp = cp_lower(cp);
			if (cf_rules_cp_is_word(cp))
				first = 0;
			k = utf8_encode(cp, buf);
			if ((rc = out_put(o, buf, k)) < 0)
				return rc;
			i += cl;
		}
	}
	return 0;
}

static int out_edit(cf_rules_out *o, size_t soff, size_t slen, size_t doff,
                    size_t dlen, uint32_t rule, int amb)
{
	cf_rules_edit *e;

	if (o->nedits == o->edcap) {
		size_t cap = o->edcap ? o->edcap * 2 : 16;
		if (cap > CF_RULES_MAX_EDITS)
			return CF_ELIMIT;
		e = realloc(o->edits, cap * sizeof *e);
		if (!e)
			return CF_ENOMEM;
		o->edits = e;
		o->edcap = cap;
	}
	e = &o->edits[o->nedits++];
	e->src_off = soff;
	e->src_len = slen;
	e->dst_off = doff;
	e->dst_len = dlen;
	e->rule = rule;
	e->amb = amb;
	return 0;
}

void cf_rules_out_free(cf_rules_out *o)
{
	if (!o)
		return;
	free(o->text);
	free(o->edits);
	free(o->pm);
	free(o->sub);
	free(o->prot);
	free(o->negcl);
	free(o->hits);
	free(o->skips);
	free(o->cand);
	if (o->md)
		cf_rules_pat_free_md(o->md);
	memset(o, 0, sizeof *o);
}

/* ---- building ---------------------------------------------------------- */

/* Room for a folded word key: CF_RULES_MAX_WORD bytes and 8 more (a
 * longer word is "too long" everywhere), plus 8 zero bytes of padding for
 * key_hash. */
#define KEYCAP (CF_RULES_MAX_WORD + 8)

#define KH_SEED 0x9e3779b97f4a7c15ull
#define KH_STEP(h, w) ((h) = ((h) ^ (w)) * 0xff51afd7ed558ccdull, (h) ^= (h) >> 32)
#define KH_FINAL(h) ((h) *= 0xc4ceb9fe1a85ec53ull, (h) ^ ((h) >> 29))

/* Hash of the key k[0..n), n <= CF_RULES_MAX_WORD, read 8 bytes at a time:
 * k must be followed by zero bytes up to the next multiple of 8. */
static inline uint64_t key_hash(const char *k, size_t n)
{
	uint64_t h = KH_SEED ^ n, w;

	for (size_t i = 0; i < n; i += 8) {
		memcpy(&w, k + i, 8);
		KH_STEP(h, w);
	}
	return KH_FINAL(h);
}

/* The ASCII word text[ws, ws + n) (n < KEYCAP, word characters only)
 * folded into key 8 bytes at a time, zero-padded to a multiple of 8, and
 * its key_hash.  Byte stores then a wide load stall the CPU's store
 * forwarding: here every store and load is 8 bytes wide. */
static inline uint64_t fold_key(const unsigned char *t, size_t len, size_t ws,
                                size_t n, char *key)
{
	static const unsigned char keep[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0
	};
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t h = KH_SEED ^ n, w, m;

	for (size_t q = 0; q < n; q += 8) {
		if (ws + q + 8 <= len) {
			memcpy(&w, t + ws + q, 8);
		} else {   /* the end of the text: no read past it */
			unsigned char b[8] = { 0 };
			for (size_t j = 0; ws + q + j < len && j < 8; j++)
				b[j] = t[ws + q + j];
			memcpy(&w, b, 8);
		}
		if (n - q < 8) {   /* keep the word's bytes only */
			memcpy(&m, keep + 8 - (n - q), 8);
			w &= m;
		}
		/* 'A'..'Z' + 32: bytes are ASCII letters, digits, '_' or 0 */
		uint64_t ge_a = w + ones * (0x80 - 'A'), gt_z = w + ones * (0x7f - 'Z');
		w |= ((ge_a & ~gt_z) & ones * 0x80) >> 2;
		memcpy(key + q, &w, 8);
		KH_STEP(h, w);
	}
	if (n % 8 == 0)
		memset(key + n, 0, 8);
	return KH_FINAL(h);
}

/* key_hash of any n <= CF_RULES_MAX_WORD bytes (a padded copy). */
static uint64_t hash_bytes(const char *s, size_t n)
{
	char k[KEYCAP + 8] = { 0 };

	if (n > KEYCAP)   /* no key is that long: any hash will miss */
		n = KEYCAP;
	memcpy(k, s, n);
	return key_hash(k, n);
}

/* A 256-entry byte table from F(c), written once for both tables below. */
#define BT4(F, c) F(c), F((c) + 1), F((c) + 2), F((c) + 3)
#define BT16(F, c) BT4(F, c), BT4(F, (c) + 4), BT4(F, (c) + 8), BT4(F, (c) + 12)
#define BT64(F, c) BT16(F, c), BT16(F, (c) + 16), BT16(F, (c) + 32), BT16(F, (c) + 48)
#define BYTE_TABLE(F) { BT64(F, 0), BT64(F, 64), BT64(F, 128), BT64(F, 192) }

/* The word scan's byte classes: an ASCII word character gives its folded
 * byte (>= '0'), an ASCII non-word byte 0, a byte >= 0x80 1 (decode it). */
#define SC(c) ((c) >= 0x80 ? 1 : (c) >= 'A' && (c) <= 'Z' ? (c) | 32 : \
               ((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') || \
               (c) == '_' ? (c) : 0)
static const unsigned char scan_tab[256] = BYTE_TABLE(SC);
#undef SC

/* The prefilter's class of a byte: digits 0-9, letters (either case)
 * 10-35, '_' 36, anything else 37. */
#define PC(c) ((c) >= '0' && (c) <= '9' ? (c) - '0' : \
               (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 10 : \
               (c) >= 'A' && (c) <= 'Z' ? (c) - 'A' + 10 : (c) == '_' ? 36 : 37)
static const unsigned char pcls[256] = BYTE_TABLE(PC);
#undef PC
#undef BYTE_TABLE
#undef BT64
#undef BT16
#undef BT4

/* The pmask row of the ASCII word w[0..n), n >= 1. */
static inline size_t pair_of(const unsigned char *w, size_t n)
{
	return (size_t)pcls[w[0]] * 38 + (n > 1 ? pcls[w[1]] : 37);
}

/* 0 if no key's first word has the ASCII word w[0..n)'s first two bytes
 * and length: most words of a text. */
static inline int may_be_key(const cf_rules *r, const unsigned char *w, size_t n)
{
	return (int)((r->pmask[pair_of(w, n)] >> (n < 63 ? n : 63)) & 1);
}

int cf_rules_new(cf_rules **out, cf_rules_dir dir, cf_error *err)
{
	cf_rules *r = calloc(1, sizeof *r);

	*out = NULL;
	if (!r)
		return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
	r->dir = dir;
	r->nslots = 1024;
	r->slots = calloc(r->nslots, sizeof *r->slots);
	r->tags = calloc(r->nslots, sizeof *r->tags);
	if (!r->slots || !r->tags) {
		free(r->slots);
		free(r->tags);
		free(r);
		return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
	}
	*out = r;
	return 0;
}

void cf_rules_free(cf_rules **rp)
{
	cf_rules *r;
	size_t i;

	if (!rp || !*rp)
		return;
	r = *rp;
	for (i = 0; i < r->nents; i++) {
		free(r->ents[i].src);
		free(r->ents[i].dst[0]);
		free(r->ents[i].dst[1]);
	}
	for (i = 0; i < r->nrules; i++)
		free(r->rules[i]);
	for (i = 0; i < r->npats; i++)
		cf_rules_pat_free(r->pats[i]);
	free(r->pats);
	cf_rules_neg_free(r->neg);
	cf_rules_sense_free(r->sense);
	free(r->rules);
	free(r->ents);
	free(r->slots);
	free(r->tags);
	free(r->tailmask);
	free(r);
	*rp = NULL;
}

size_t cf_rules_nrules(const cf_rules *r) { return r->nrules; }
cf_rules_dir cf_rules_direction(const cf_rules *r) { return r->dir; }

const char *cf_rules_rule_name(const cf_rules *r, uint32_t rule)
{
	return rule < r->nrules ? r->rules[rule] : "?";
}

/* Register a rule name; returns its index or a negative code. */
static int add_rule(cf_rules *r, const char *name)
{
	char **v;

	if (r->nrules >= CF_RULES_MAX_RULES)
		return CF_ELIMIT;
	v = realloc(r->rules, (r->nrules + 1) * sizeof *v);
	if (!v)
		return CF_ENOMEM;
	r->rules = v;
	if (!(v[r->nrules] = strdup(name)))
		return CF_ENOMEM;
	return (int)r->nrules++;
}

/* Slot of the first word key with hash h (found or the empty slot where it
 * goes).  The tag check keeps the probe of a miss inside the slot arrays.
 * key must be zero-padded to a multiple of 8 bytes (as key_hash wants):
 * its first 16 bytes are compared as two words. */
static inline size_t find_slot_h(const cf_rules *r, const char *key, size_t n,
                          uint64_t h)
{
	size_t mask = r->nslots - 1, i = (size_t)h & mask;
	uint32_t tag = (uint32_t)(h >> 32);

	for (;;) {
		uint32_t e = r->slots[i];
		if (!e)
			return i;
		if (r->tags[i] == tag) {
			const lexent *x = &r->ents[e - 1];
			uint64_t k0, k1;
			memcpy(&k0, key, 8);
			if (x->first_len == n && x->fw[0] == k0 &&
			    (n <= 8 || (memcpy(&k1, key + 8, 8), x->fw[1] == k1 &&
			     (n <= 16 || memcmp(x->src + 16, key + 16, n - 16) == 0))))
				return i;
		}
		i = (i + 1) & mask;
	}
}

/* find_slot_h of any key of n <= CF_RULES_MAX_WORD bytes (a padded copy) */
static size_t find_slot(const cf_rules *r, const char *key, size_t n)
{
	char k[KEYCAP + 8] = { 0 };

	memcpy(k, key, n < KEYCAP ? n : KEYCAP);
	return find_slot_h(r, k, n, hash_bytes(key, n));
}

static int grow_slots(cf_rules *r)
{
	size_t old = r->nslots, i;
	uint32_t *os = r->slots, *ot = r->tags;

	r->nslots = old * 2;
	r->slots = calloc(r->nslots, sizeof *r->slots);
	r->tags = calloc(r->nslots, sizeof *r->tags);
	if (!r->slots || !r->tags) {
		free(r->slots);
		free(r->tags);
		r->slots = os;
		r->tags = ot;
		r->nslots = old;
		return CF_ENOMEM;
	}
	for (i = 0; i < old; i++) {
		if (os[i]) {
			const lexent *e = &r->ents[os[i] - 1];
			uint64_t h = hash_bytes(e->src, e->first_len);
			size_t k = find_slot(r, e->src, e->first_len);
			r->slots[k] = os[i];
			r->tags[k] = (uint32_t)(h >> 32);
		}
	}
	free(os);
	free(ot);
	return 0;
}

/* Normalise a source phrase: fold case, collapse white space; the first
 * word must start with a word character. */
static int norm_src(const char *s, size_t n, char **out, uint32_t *olen,
                    uint32_t *first)
{
	char *f = malloc(n * 2 + 8), *o;
	long fl;
	size_t i, k = 0, cl;
	int inword = 1;

	*out = NULL;
	if (!f)
		return CF_ENOMEM;
	o = malloc(n * 2 + 8);
	if (!o) {
		free(f);
		return CF_ENOMEM;
	}
	fl = fold(s, n, f, n * 2 + 8);
	*first = 0;
	for (i = 0; i < (size_t)fl; ) {
		unsigned char c = (unsigned char)f[i];
		if (c == ' ' || c == '\t') {
			if (inword && !*first)
				*first = (uint32_t)k;
			inword = 0;
			if (k && o[k - 1] != ' ')
				o[k++] = ' ';
			i++;
			continue;
		}
		int w = cf_rules_is_word((const unsigned char *)f + i, (size_t)fl - i, &cl);
		if (inword && !w && !*first)
			*first = (uint32_t)k;
		if (!w)
			inword = 0;
		memcpy(o + k, f + i, cl);
		k += cl;
		i += cl;
	}
	while (k && o[k - 1] == ' ')
		k--;
	if (!*first)
		*first = (uint32_t)k;
	free(f);
	if (k == 0 || !cf_rules_is_word((const unsigned char *)o, k, &cl)) {
		free(o);
		return CF_RULES_ENOTWORD;
	}
	o[k] = '\0';
	*out = o;
	*olen = (uint32_t)k;
	return 0;
}

/* Add one directed entry src -> dst.  Returns 0, or a negative code;
 * CF_RULES_ENOTWORD when the source phrase does not start with a word
 * character or its first word is too long. */
static int add_entry(cf_rules *r, uint32_t rule, const char *src, size_t sn,
                     const char *dst, size_t dn, int need_cap, int ctx, int keep)
{
	char *key = NULL;
	uint32_t klen, first;
	size_t slot;
	int rc;

	if ((rc = norm_src(src, sn, &key, &klen, &first)) < 0)
		return rc;
	if (klen > 4096 || first > CF_RULES_MAX_WORD) {
		free(key);
		return CF_RULES_ENOTWORD;
	}
	if ((r->nents + 1) * 2 > r->nslots && (rc = grow_slots(r)) < 0)
		goto fail;
	slot = find_slot(r, key, first);
	/* duplicate source: keep the first, except her/his which take two */
	for (uint32_t h = r->slots[slot]; h; h = r->ents[h - 1].next) {
		lexent *e = &r->ents[h - 1];
		if (e->src_len != klen || memcmp(e->src, key, klen) != 0)
			continue;
		int amb = (klen == 3 && memcmp(key, "her", 3) == 0) ? AMB_HER :
		          (klen == 3 && memcmp(key, "his", 3) == 0) ? AMB_HIS : AMB_NONE;
		if (!amb && ctx == CF_CTX_BEFORE_NAME && e->ctx != ctx && !e->keep)
			amb = AMB_TITLE;   /* sir -> madam, but Sir John -> Dame John */
		if (amb && e->ndst == 1 && (e->dst_len[0] != dn ||
		    strncasecmp(e->dst[0], dst, dn) != 0)) {
			if (!(e->dst[1] = strndup(dst, dn))) {
				rc = CF_ENOMEM;
				goto fail;
			}
			e->dst_len[1] = (uint32_t)dn;
			e->ndst = 2;
			e->amb = (uint8_t)amb;
		}
		free(key);
		return 0;
	}
	if (r->nents >= CF_RULES_MAX_ENTRIES) {
		rc = CF_ELIMIT;
		goto fail;
	}
	if (r->nents == r->entcap) {
		size_t cap = r->entcap ? r->entcap * 2 : 256;
		lexent *v = realloc(r->ents, cap * sizeof *v);
		if (!v) {
			rc = CF_ENOMEM;
			goto fail;
		}
		r->ents = v;
		r->entcap = cap;
	}
	lexent *e = &r->ents[r->nents];
	memset(e, 0, sizeof *e);
	e->src = key;
	e->src_len = klen;
	e->first_len = first;
	memcpy(e->fw, key, first < sizeof e->fw ? first : sizeof e->fw);
	if (!(e->dst[0] = strndup(dst, dn))) {
		rc = CF_ENOMEM;
		goto fail;
	}
	e->dst_len[0] = (uint32_t)dn;
	e->ndst = 1;
	e->rule = rule;
	e->need_cap = (uint8_t)need_cap;
	e->ctx = (uint8_t)ctx;
	e->keep = (uint8_t)keep;
	r->nents++;
	/* insert into the slot's chain, longest source first */
	uint32_t *link = &r->slots[slot];
	if (!*link)
		r->tags[slot] = (uint32_t)(hash_bytes(key, first) >> 32);
	if (first > r->max_first)
		r->max_first = first;
	if (pcls[(unsigned char)key[0]] < 37 &&
	    (first == 1 || pcls[(unsigned char)key[1]] < 37))
		r->pmask[pair_of((const unsigned char *)key, first)] |=
			1ull << (first < 63 ? first : 63);
	while (*link && r->ents[*link - 1].src_len >= klen)
		link = &r->ents[*link - 1].next;
	e->next = *link;
	*link = (uint32_t)r->nents;
	return 0;
fail:
	free(key);
	return rc;
}

/* Trim ASCII blanks and a trailing CR. */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\r'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

int cf_rules_add_lexicon(cf_rules *r, const char *rule, const char *name,
                         const char *buf, size_t len, cf_error *err)
{
	const char *p = buf, *end = buf + len;
	long line = 0;
	int rc, ri;

	if (r->compiled)
		return cf_error_set(err, CF_EINTERNAL, "rules: already compiled");
	if (len > CF_RULES_MAX_LEXICON_BYTES)
		return cf_error_set(err, CF_ELIMIT, "%s: lexicon larger than %u bytes",
		                    name, CF_RULES_MAX_LEXICON_BYTES);
	if ((ri = add_rule(r, rule ? rule : name)) < 0)
		return cf_error_set(err, ri, "%s: too many rules", name);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *col[4];
		size_t cn[4], nc = 0;
		line++;
		if (p == le || *p == '#' || (le - p == 1 && *p == '\r')) {
			p = le + 1;
			continue;
		}
		/* a target with bad bytes would make every text it edits unusable */
		int nul = 0;
		size_t bad = cf_utf8_check(p, (size_t)(le - p), &nul);
		if (bad < (size_t)(le - p))
			return cf_error_set(err, CF_ECONFIG, "%s:%ld:%zu: %s", name, line,
			                    bad + 1, nul ? "NUL byte" : "invalid UTF-8");
		/* split on tabs */
		const char *q = p;
		while (nc < 4) {
			const char *t = memchr(q, '\t', (size_t)(le - q));
			col[nc] = q;
			cn[nc] = (size_t)((t ? t : le) - q);
			trim(&col[nc], &cn[nc]);
			nc++;
			if (!t)
				break;
			q = t + 1;
		}
		if (nc == 1 && cn[0] == 0) {   /* blank line */
			p = le + 1;
			continue;
		}
		if (nc < 2 || nc > 3 || cn[0] == 0 || cn[1] == 0)
			return cf_error_set(err, CF_ECONFIG, "%s:%ld: expected 2 or 3 "
			                    "tab-separated columns (a, b, tag)", name, line);
#define TAG(str) (nc == 3 && cn[2] == sizeof str - 1 && \
                  memcmp(col[2], str, sizeof str - 1) == 0)
		/* name-f2m / name-m2f (and ambig-): a name with a partner but not
		 * the partner's own (names.tsv's unpaired names), one direction */
		int f2m = TAG("name-f2m") || TAG("ambig-name-f2m");
		int m2f = TAG("name-m2f") || TAG("ambig-name-m2f");
		/* rare-name-*: a fallback partner, only where the gender pack
		 * edits the text (rules_names.c) */
		int rare = TAG("rare-name-f2m") || TAG("rare-name-m2f");
		f2m |= TAG("rare-name-f2m");
		m2f |= TAG("rare-name-m2f");
		int ambig = TAG("ambig-name") || TAG("ambig-name-f2m") ||
		            TAG("ambig-name-m2f");
		int need_cap = TAG("name") || ambig || f2m || m2f;
		int oneway = TAG("oneway") || m2f;
		int neutral = TAG("neutral");
		int keep = TAG("keep");
		int ctx = rare ? CF_CTX_RARE_NAME : ambig ? CF_CTX_AMBIG_NAME :
		          need_cap ? CF_CTX_NAME :
		          TAG("before-name") ? CF_CTX_BEFORE_NAME :
		          TAG("noun-verb") ? CF_CTX_NOUN_VERB :
		          TAG("wedding") ? CF_CTX_WEDDING :
		          TAG("interj") ? CF_CTX_INTERJ : CF_CTX_NONE;
		int pos = TAG("verb") ? CF_POS_VERB : TAG("adj") ? CF_POS_ADJ :
		          TAG("adv") ? CF_POS_ADV : TAG("noun") ? CF_POS_NOUN :
		          CF_POS_NONE;
#undef TAG
		size_t n0 = r->nents;
		rc = 0;
		if (keep)   /* a phrase left alone, whatever the direction */
			rc = add_entry(r, (uint32_t)ri, col[0], cn[0], col[0], cn[0], 0,
			               CF_CTX_NONE, 1);
		if (!keep && r->dir != CF_RULES_B_TO_A && !neutral && !f2m) {
			size_t n1 = r->nents;
			rc = add_entry(r, (uint32_t)ri, col[0], cn[0], col[1], cn[1], need_cap,
			               ctx, 0);
			if (rc == 0 && r->nents > n1)
				r->ents[n1].side = 1;
		}
		/* wedding, noun-verb: only the first word is ambiguous (best man,
		 * man); maid of honor and woman are not */
		if (ctx == CF_CTX_WEDDING || ctx == CF_CTX_NOUN_VERB || ctx == CF_CTX_INTERJ)
			ctx = CF_CTX_NONE;
		if (!keep && rc == 0 && r->dir != CF_RULES_A_TO_B && !oneway) {
			size_t n2 = r->nents;
			rc = add_entry(r, (uint32_t)ri, col[1], cn[1], col[0], cn[0], need_cap,
			               ctx, 0);
			if (rc == 0 && r->nents > n2)
				r->ents[n2].side = 2;
		}
		for (size_t e = n0; rc == 0 && e < r->nents; e++)
			r->ents[e].pos = (uint8_t)pos;
		if (rc == CF_RULES_ENOTWORD)
			return cf_error_set(err, CF_ECONFIG, "%s:%ld: an entry must start "
			                    "with a letter or digit and its first word be at "
			                    "most %d bytes", name, line, CF_RULES_MAX_WORD);
		if (rc < 0)
			return cf_error_set(err, rc, "%s:%ld: %s", name, line, cf_strerror(rc));
		p = le + 1;
	}
	return 0;
}

int cf_rules_add_lexicon_file(cf_rules *r, const char *rule, const char *path,
                              cf_error *err)
{
	FILE *f = NULL;
	char *buf = NULL;
	struct stat stt;
	int rc;

	if (!(f = fopen(path, "rb"))) {
		rc = cf_error_set(err, CF_EIO, "%s: cannot open lexicon: %s", path,
		                  strerror(errno));
		goto done;
	}
	if (fstat(fileno(f), &stt) < 0 || stt.st_size < 0) {
		rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if ((uintmax_t)stt.st_size > CF_RULES_MAX_LEXICON_BYTES) {
		rc = cf_error_set(err, CF_ELIMIT, "%s: lexicon larger than %u bytes",
		                  path, CF_RULES_MAX_LEXICON_BYTES);
		goto done;
	}
	if (!(buf = malloc((size_t)stt.st_size + 1))) {
		rc = cf_error_set(err, CF_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	if (fread(buf, 1, (size_t)stt.st_size, f) != (size_t)stt.st_size) {
		rc = cf_error_set(err, CF_EIO, "%s: read failed", path);
		goto done;
	}
	rc = cf_rules_add_lexicon(r, rule ? rule : path, path, buf,
	                          (size_t)stt.st_size, err);
done:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

/* A pack is a bare name, never a path. */
static int pack_name_ok(const char *pack)
{
	size_t i;

	for (i = 0; pack[i]; i++)
		if (!((pack[i] >= 'a' && pack[i] <= 'z') ||
		      (pack[i] >= '0' && pack[i] <= '9') || pack[i] == '-' ||
		      pack[i] == '_'))
			return 0;
	return i > 0;
}

/* PACK.tsv by the one data-file search order (pipeline/util/datafile.h). */
static int find_pack(const char *pack, char *buf, size_t bufsz, cf_error *err)
{
	char file[256];

	if (!pack_name_ok(pack) || strlen(pack) + 5 > sizeof file)
		return cf_error_set(err, CF_ECONFIG, "not a pack name");
	snprintf(file, sizeof file, "%s.tsv", pack);
	return cf_datafile_find(CF_DATA_LEXICONS, file, 0, buf, bufsz, err);
}

int cf_rules_pack_path(const char *pack, char *buf, size_t bufsz)
{
	return find_pack(pack, buf, bufsz, NULL) < 0 ? -1 : 0;
}

/* Phrases kept whole (tag keep) on one rule: idioms.txt next to the
 * antonyms pack, negation-fixed.txt next to the scoped negation pack. */
typedef struct keep_ctx {
	cf_rules *r;
	uint32_t rule;
} keep_ctx;

/* One phrase: an entry that maps it to itself and is skipped. */
static int add_keep_phrase(void *ctx, const char *s, size_t n)
{
	keep_ctx *c = ctx;
	size_t before = c->r->nents;
	int rc = add_entry(c->r, c->rule, s, n, s, n, 0, CF_CTX_NONE, 1);

	if (rc == 0 && c->r->nents > before)
		c->r->ents[c->r->nents - 1].keep = 1;
	return rc;
}

/* FILE (a base name) in the directory of the pack at path, its phrases kept
 * whole by the pack's rule (the last added); a missing file is no phrases
 * when optional (an older lexicon directory). */
static int add_keep_file(cf_rules *r, const char *path, const char *file,
                         int optional, cf_error *err)
{
	char fp[4096];
	const char *sl = strrchr(path, '/');
	keep_ctx c = { r, (uint32_t)(r->nrules - 1) };
	int n = snprintf(fp, sizeof fp, "%.*s/%s", sl ? (int)(sl - path) : 1,
	                 sl ? path : ".", file);

	if (n < 0 || (size_t)n >= sizeof fp)
		return cf_error_set(err, CF_ECONFIG, "rules: path too long: %s", path);
	if (optional && access(fp, R_OK) != 0)
		return 0;
	return cf_rules_read_phrases(fp, add_keep_phrase, &c, err);
}

/* The antonyms pack: its words are checked (rules_antonym.c) and the idioms
 * next to it (idioms.txt) are left alone. */
static int add_antonym_checks(cf_rules *r, const char *path, cf_error *err)
{
	char ip[4096];
	const char *sl = strrchr(path, '/');
	uint32_t rule = (uint32_t)(r->nrules - 1);
	int n;

	r->plainrule[rule / 64] |= 1ull << (rule % 64);
	if ((n = add_keep_file(r, path, "idioms.txt", 0, err)) < 0 || r->sense)
		return n;
	n = snprintf(ip, sizeof ip, "%.*s/antonym-contexts.tsv",
	             sl ? (int)(sl - path) : 1, sl ? path : ".");
	if (n < 0 || (size_t)n >= sizeof ip)
		return cf_error_set(err, CF_ECONFIG, "rules: path too long: %s", path);
	return cf_rules_sense_load(&r->sense, ip, err);
}

/* The scoped negation pack keeps the fixed expressions of negation-fixed.txt
 * (next to negation.tsv) whole, as idioms. */
static int add_negation_fixed(cf_rules *r, const char *path, cf_error *err)
{
	return add_keep_file(r, path, "negation-fixed.txt", 1, err);
}

/* The negation pack without a scope: clause negation with do-support
 * (rules_negation.c), its verb table next to negation.tsv. */
static int add_clause_negation(cf_rules *r, const char *path, cf_error *err)
{
	char vp[4096];
	const char *sl = strrchr(path, '/');
	int ri, n = snprintf(vp, sizeof vp, "%.*s/english-verbs.txt",
	                     sl ? (int)(sl - path) : 1, sl ? path : ".");

	if (n < 0 || (size_t)n >= sizeof vp)
		return cf_error_set(err, CF_ECONFIG, "rules: path too long: %s", path);
	if ((ri = add_rule(r, "negation")) < 0)
		return cf_error_set(err, ri, "rules: too many rules");
	r->neg_rule = (uint32_t)ri;
	return cf_rules_neg_load(&r->neg, vp, err);
}

int cf_rules_add_pack(cf_rules *r, const char *pack, cf_error *err)
{
	char path[4096];
	cf_error e2 = { 0 };

	if (find_pack(pack, path, sizeof path, &e2) < 0)
		return cf_error_set(err, CF_ECONFIG, "rules: no built-in pack '%s' "
		                    "(%s; packs: gender, names, negation, antonyms)",
		                    pack, e2.msg);
	if (strcmp(pack, "negation") == 0 && !r->scope && !r->neg)
		return add_clause_negation(r, path, err);
	int rc = cf_rules_add_lexicon_file(r, pack, path, err);

	if (rc == 0 && strcmp(pack, "gender") == 0)
		r->genderrule[(r->nrules - 1) / 64] |= 1ull << ((r->nrules - 1) % 64);
	if (rc == 0 && strcmp(pack, "antonyms") == 0)
		rc = add_antonym_checks(r, path, err);
	if (rc == 0 && strcmp(pack, "negation") == 0)
		rc = cf_rules_mark_negation(r, (uint32_t)(r->nrules - 1), err);
	if (rc == 0 && strcmp(pack, "negation") == 0)
		rc = add_negation_fixed(r, path, err);
	return rc;
}

int cf_rules_mark_negation(cf_rules *r, uint32_t rule, cf_error *err)
{
	if (r->compiled || rule >= r->nrules)
		return cf_error_set(err, CF_EINTERNAL, "rules: bad negation mark");
	r->negrule[rule / 64] |= 1ull << (rule % 64);
	return 0;
}

int cf_rules_set_protect(cf_rules *r, uint32_t rule, cf_error *err)
{
	if (r->compiled || rule >= r->nrules)
		return cf_error_set(err, CF_EINTERNAL, "rules: bad protect mark");
	r->protrule[rule / 64] |= 1ull << (rule % 64);
	return 0;
}

int cf_rules_set_gender_titles(cf_rules *r, uint32_t rule, cf_error *err)
{
	if (r->compiled || rule >= r->nrules)
		return cf_error_set(err, CF_EINTERNAL, "rules: bad gender-title mark");
	r->gtitlerule[rule / 64] |= 1ull << (rule % 64);
	return 0;
}

int cf_rules_last_rule(const cf_rules *r)
{
	return r->nrules ? (int)(r->nrules - 1) : -1;
}

void cf_rules_set_direction(cf_rules *r, cf_rules_dir dir)
{
	r->dir = dir;
}

int cf_rules_set_scope(cf_rules *r, int words, cf_error *err)
{
	if (r->compiled || words < 0 || words > CF_RULES_MAX_SCOPE)
		return cf_error_set(err, CF_EINTERNAL, "rules: bad negation scope");
	r->scope = words;
	return 0;
}

int cf_rules_add_pattern(cf_rules *r, const char *rule, const char *pattern,
                         const char *replace, size_t *erroff, char *msg,
                         size_t msgsz)
{
	cf_rules_pat **v, *p = NULL;
	int ri, rc;

	if ((ri = add_rule(r, rule)) < 0) {
		snprintf(msg, msgsz, "%s", cf_strerror(ri));
		*erroff = (size_t)-1;
		return ri;
	}
	if ((rc = cf_rules_pat_new(&p, (uint32_t)ri, pattern, replace, erroff,
	                           msg, msgsz)) < 0)
		return rc;
	v = realloc(r->pats, (r->npats + 1) * sizeof *v);
	if (!v) {
		cf_rules_pat_free(p);
		snprintf(msg, msgsz, "out of memory");
		*erroff = (size_t)-1;
		return CF_ENOMEM;
	}
	r->pats = v;
	r->pats[r->npats++] = p;
	return 0;
}

int cf_rules_compile(cf_rules *r, cf_error *err)
{
	size_t i;

	if (r->compiled)
		return cf_error_set(err, CF_EINTERNAL, "rules: compiled twice");
	/* her/his with two targets: note which one the resolver's 1 selects */
	for (i = 0; i < r->nents; i++) {
		lexent *e = &r->ents[i];
		if (e->ndst != 2 || e->amb == AMB_TITLE)
			continue;
		const char *want = e->amb == AMB_HER ? "his" : "hers";
		e->alt_when = (uint8_t)(strcasecmp(e->dst[1], want) == 0);
	}
	/* what the tails of each first word's entries start with */
	if (!(r->tailmask = calloc(r->nslots, sizeof *r->tailmask)))
		return cf_error_set(err, CF_ENOMEM, "rules: out of memory");
	for (i = 0; i < r->nslots; i++) {
		for (uint32_t h = r->slots[i]; h; h = r->ents[h - 1].next) {
			const lexent *e = &r->ents[h - 1];
			const char *tl = e->src + e->first_len;
			size_t tn = e->src_len - e->first_len;
			if (tn >= 2 && tl[0] == ' ' && tl[1] >= 'a' && tl[1] <= 'z')
				r->tailmask[i] |= 1u << (tl[1] - 'a');
			else if (tn && tl[0] == '\'')
				r->tailmask[i] |= 1u << 30;
			else if (tn && tl[0] == '-')
				r->tailmask[i] |= 1u << 29;
			else
				r->tailmask[i] |= 1u << 31;
		}
	}
	r->compiled = 1;
	return 0;
}

/* ---- applying ---------------------------------------------------------- */

/* Compare the folded tail src[0..n) against text at *j; on success move *j
 * past it.  White space matches white space runs; ' matches ’. */
static int match_tail_all(const char *src, size_t n, const char *t,
                          size_t tlen, size_t *j)
{
	size_t i = 0, k = *j, cl;
	char buf[4];

	while (i < n) {
		unsigned char c = (unsigned char)src[i];
		if (c == ' ') {
			size_t k0 = k;
			while (k < tlen && (t[k] == ' ' || t[k] == '\t' || t[k] == '\n' ||
			                    t[k] == '\r'))
				k++;
			if (k == k0)
				return 0;
			i++;
			continue;
		}
		if (k >= tlen)
			return 0;
		unsigned char d = (unsigned char)t[k];
		if (c == '\'' && d == 0xE2 && k + 2 < tlen &&
		    (unsigned char)t[k + 1] == 0x80 && (unsigned char)t[k + 2] == 0x99) {
			i++;
			k += 3;
			continue;
		}
		if (d < 0x80) {
			if ((d >= 'A' && d <= 'Z' ? d + 32 : d) != c)
				return 0;
			i++;
			k++;
			continue;
		}
		long cp = cf_rules_utf8_decode((const unsigned char *)t + k, tlen - k, &cl);
		size_t bl = cp < 0 ? 1 : utf8_encode(cp_lower(cp), buf);
		if (cp < 0)
			buf[0] = (char)d;
		if (i + bl > n || memcmp(src + i, buf, bl) != 0)
			return 0;
		i += bl;
		k += cl;
	}
	/* a tail ending in a word character must end at a word boundary */
	if (k < tlen && n) {
		size_t lc = n - 1;
		while (lc && ((unsigned char)src[lc] & 0xC0) == 0x80)
			lc--;
		if (cf_rules_is_word((const unsigned char *)src + lc, n - lc, &cl) &&
		    cf_rules_is_word((const unsigned char *)t + k, tlen - k, &cl))
			return 0;
	}
	*j = k;
	return 1;
}

/* match_tail_all, after a quick reject inlined in the callers: most tails
 * are " word" and the next word's first two letters reject them ("the"
 * starts 9 idioms).  every: the reference path (cf_rules_out.every_word),
 * no quick reject. */
static inline int match_tail(const char *src, size_t n, const char *t,
                             size_t tlen, size_t *j, int every)
{
	if (!every && n >= 2 && src[0] == ' ' && src[1] >= 'a' && src[1] <= 'z') {
		size_t k = *j;
		while (k < tlen && (t[k] == ' ' || t[k] == '\t' || t[k] == '\n' ||
		                    t[k] == '\r'))
			k++;
		if (k == *j || k >= tlen || ((unsigned char)t[k] < 0x80 &&
		    t[k] != src[1] && t[k] != src[1] - 32))
			return 0;
		/* and the second letter: "the best" is not "the bad guys" */
		if (n >= 3 && src[2] >= 'a' && src[2] <= 'z' && k + 1 < tlen &&
		    (unsigned char)t[k + 1] < 0x80 && (t[k + 1] | 32) != src[2])
			return 0;
	}
	return match_tail_all(src, n, t, tlen, j);
}

/* 0 if no entry of slot's chain can match at the word ending at t[we]:
 * all its entries have tails (idioms: "the" starts 9) and the text goes
 * on with none of their first bytes (" " + a letter, any case; an
 * apostrophe, ' or the first byte of ’; a hyphen), so match_tail() would
 * reject each; 1 otherwise.  Saves walking the chain, and with no tracking
 * the prescan lists no such word (it would do nothing). */
static inline int chain_may_match(const cf_rules *r, size_t slot,
                                  const unsigned char *t, size_t len, size_t we)
{
	uint32_t m = r->tailmask ? r->tailmask[slot] : 1u << 31;
	size_t k = we;

	if (m >> 31)
		return 1;
	if (we < len && (((m >> 30) & 1 && (t[we] == '\'' || t[we] == 0xE2)) ||
	                 ((m >> 29) & 1 && t[we] == '-')))
		return 1;
	while (k < len && (t[k] == ' ' || t[k] == '\t' || t[k] == '\n' || t[k] == '\r'))
		k++;
	if (k == we || k >= len)
		return 0;
	if (t[k] >= 0x80)
		return 1;
	unsigned c = (unsigned)(t[k] | 32) - 'a';
	return c < 26 && ((m >> c) & 1);
}

/* cf_rules_apply_check(): the output departed from o->want */
#define RULES_DIFFERS (-1000)

/* Emit one edit: copy the gap, then the replacement. */
static int emit(cf_rules_out *o, const char *text, size_t *copied, size_t off,
                size_t slen, const char *rep, size_t rlen, int cs,
                uint32_t rule, int amb)
{
	size_t from = o->len, doff;
	int rc;

	if ((rc = out_put(o, text + *copied, off - *copied)) < 0)
		return rc;
	doff = o->len;
	rc = cs < 0 ? out_put(o, rep, rlen) : out_put_cased(o, rep, rlen, cs);
	if (rc < 0)
		return rc;
	*copied = off + slen;
	/* the output only grows: what is written now is final */
	if (o->want && (o->len > o->want_len ||
	                memcmp(o->text + from, o->want + from, o->len - from)))
		return RULES_DIFFERS;
	return out_edit(o, off, slen, doff, o->len - doff, rule, amb);
}

static int pm_cmp(const void *a, const void *b)
{
	const cf_rules_pm *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* ---- negation scope (cf_rules_set_scope) ------------------------------ */

enum { NEG_NONE, NEG_DEL, NEG_KEEP };

static int is_prot_rule(const cf_rules *r, uint32_t rule)
{
	return rule < CF_RULES_MAX_RULES &&
	       ((r->protrule[rule / 64] >> (rule % 64)) & 1);
}

/* The capitalised single-word entry text[s, e) names, the first found in
 * its slot's chain with exactly that key; with name_ctx only one of the
 * names pack (CF_CTX_NAME).  NULL if none. */
static const lexent *name_entry(const cf_rules *r, const char *text, size_t s,
                                size_t e, int name_ctx)
{
	char key[CF_RULES_MAX_WORD + 8];
	long kl;

	if (!r || e <= s || !starts_upper(text + s, e - s))
		return NULL;
	kl = fold(text + s, e - s, key, sizeof key);
	if (kl <= 0 || (size_t)kl > r->max_first)
		return NULL;
	for (uint32_t h = r->slots[find_slot(r, key, (size_t)kl)]; h;
	     h = r->ents[h - 1].next) {
		const lexent *x = &r->ents[h - 1];
		if (x->src_len == (size_t)kl && x->src_len == x->first_len &&
		    x->need_cap && (!name_ctx || x->ctx == CF_CTX_NAME) &&
		    x->ctx != CF_CTX_RARE_NAME &&
		    !memcmp(x->src, key, (size_t)kl))
			return x;
	}
	return NULL;
}

int cf_rules_first_name(const cf_rules *r, const char *text, size_t s, size_t e)
{
	return name_entry(r, text, s, e, 0) != NULL;
}

int cf_rules_name_side(const cf_rules *r, const char *text, size_t s, size_t e)
{
	const lexent *x = name_entry(r, text, s, e, 1);

	return x ? x->side : 0;
}

/* Is the capitalised word just before ws a first name of the lexicon? */
static int prev_is_name(const cf_rules *r, const char *text, size_t ws)
{
	cf_rules_tok p = cf_rules_prev_tok(text, ws);

	return p.kind == CF_TOK_WORD && cf_rules_first_name(r, text, p.s, p.e);
}

/* A capitalised lexicon word after a first name, title or initial (Stephen
 * King): the lexicon lookup of the word before only when it could matter. */
static int gendered_surname(const cf_rules *r, const char *text, size_t len,
                            size_t ws)
{
	cf_rules_tok p = cf_rules_prev_tok(text, ws);

	if (p.kind == CF_TOK_WORD && starts_upper(text + p.s, p.e - p.s))
		return cf_rules_surname_position(text, len, ws, prev_is_name(r, text, ws));
	return p.kind == CF_TOK_PUNCT && text[p.s] == '.' &&
	       cf_rules_surname_position(text, len, ws, 0);
}

/* End of a bare possessive apostrophe after an s-final name ("James' car"),
 * or me when there is none. */
static size_t s_apostrophe(const char *text, size_t len, size_t ws, size_t me)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t a = 0, cl;

	if (me - ws < 2 || (t[me - 1] != 's' && t[me - 1] != 'S'))
		return me;
	if (me < len && t[me] == '\'')
		a = 1;
	else if (me + 2 < len && t[me] == 0xE2 && t[me + 1] == 0x80 && t[me + 2] == 0x99)
		a = 3;
	if (!a)
		return me;
	if (me + a < len && cf_rules_is_word(t + me + a, len - me - a, &cl))
		return me;   /* James's, or a quote closing on a word */
	return me + a;
}

/* A plural-looking target: -s but not -ss/-us/-is (ladies, not princess). */
static int plural_s(const char *w, size_t n)
{
	return n > 3 && (w[n - 1] | 32) == 's' && (w[n - 2] | 32) != 's' &&
	       (w[n - 2] | 32) != 'u' && (w[n - 2] | 32) != 'i';
}

/* The possessive ending to write after a swapped word: the gentlemen's
 * hats -> the ladies' hats (a plural target takes the bare apostrophe),
 * the ladies' hats / the princess' hat -> the gentlemen's / prince's (a
 * target not ending in s takes 's).  Sets *skip to the source bytes the
 * new ending replaces (after me); returns the ending ("" for none). */
static const char *possessive_fix(const char *text, size_t len, size_t ws,
                                  size_t me, const char *dst, size_t dl,
                                  size_t *skip)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t cl;

	*skip = 0;
	if (me >= len || t[me] != '\'' || dl == 0 || (ws > 0 && t[ws - 1] == '\''))
		return "";   /* no apostrophe, or a quoted word: 'actress' */
	if (me + 1 < len && (t[me + 1] | 32) == 's' &&
	    (me + 2 >= len || !cf_rules_is_word(t + me + 2, len - me - 2, &cl))) {
		if (plural_s(dst, dl) && !plural_s(text + ws, me - ws)) {
			*skip = 2;
			return "'";   /* gentlemen's -> ladies' */
		}
		return "";
	}
	if (me + 1 < len && cf_rules_is_word(t + me + 1, len - me - 1, &cl))
		return "";   /* o'clock, a contraction */
	if ((t[me - 1] | 32) == 's' && (dst[dl - 1] | 32) != 's') {
		*skip = 1;
		return "'s";   /* ladies' -> gentlemen's, princess' -> prince's */
	}
	return "";
}

static int is_neg_rule(const cf_rules *r, uint32_t rule)
{
	return rule < CF_RULES_MAX_RULES &&
	       ((r->negrule[rule / 64] >> (rule % 64)) & 1);
}

static inline int word_is(const char *k, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(k, w, n) == 0;
}

/* Bytes of an apostrophe (' or U+2019) and a final "t" at text[p], or 0. */
static size_t apos_t(const char *text, size_t len, size_t p)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t a = 0, cl;

	if (p < len && t[p] == '\'')
		a = 1;
	else if (p + 2 < len && t[p] == 0xE2 && t[p + 1] == 0x80 && t[p + 2] == 0x99)
		a = 3;
	if (!a || p + a >= len || (t[p + a] != 't' && t[p + a] != 'T'))
		return 0;
	if (p + a + 1 < len && cf_rules_is_word(t + p + a + 1, len - p - a - 1, &cl))
		return 0;
	return a + 1;
}

/* 1 if the word text[ws..we) is the "t" of an n't already counted. */
static inline int nt_tail(const char *text, size_t ws, size_t we)
{
	const unsigned char *t = (const unsigned char *)text;

	return we - ws == 1 && (t[ws] == 't' || t[ws] == 'T') && ws > 1 &&
	       (t[ws - 1] == '\'' || t[ws - 1] == 0x99);
}

/* Negator kind of the folded word key[0..n) ending at text[we]. */
static int negator_word(const char *key, size_t n, const char *text,
                        size_t len, size_t we)
{
/* literal words: the length test and memcmp fold to a few compares */
#define IS(w) (n == sizeof(w) - 1 && memcmp(key, w, sizeof(w) - 1) == 0)
	if (IS("not") || IS("never"))
		return NEG_DEL;
	if (IS("no") || IS("nothing") || IS("none") || IS("nobody") || IS("nor") ||
	    IS("neither") || IS("hardly") || IS("without") || IS("cannot"))
		return NEG_KEEP;
#undef IS
	if (n && key[n - 1] == 'n' && apos_t(text, len, we))
		return NEG_KEEP;
	return NEG_NONE;
}

/* negator_word after a reject inlined in the callers: every word of a
 * scoped text comes here, and most start with none of n, h, w, c and do
 * not end in n */
static inline int negator(const char *key, size_t n, const char *text,
                          size_t len, size_t we)
{
	static const unsigned char first[256] = { ['n'] = 1, ['h'] = 1, ['w'] = 1,
		['c'] = 1 };

	if (!n)
		return NEG_NONE;
	if (!first[(unsigned char)key[0]])   /* only an n't can be one */
		return key[n - 1] == 'n' && apos_t(text, len, we) ? NEG_KEEP : NEG_NONE;
	return negator_word(key, n, text, len, we);
}

/* c && strchr(".,;:!?()\"<", c), by table */
static int clause_char(unsigned char c)
{
	static const unsigned char tab[256] = {
		['.'] = 1, [','] = 1, [';'] = 1, [':'] = 1, ['!'] = 1, ['?'] = 1,
		['('] = 1, [')'] = 1, ['"'] = 1, ['<'] = 1,
	};
	return tab[c];
}

static inline int clause_word(const char *key, size_t n)
{
	static const unsigned char first[256] = { ['b'] = 1, ['h'] = 1, ['a'] = 1,
		['t'] = 1 };

	if (n < 3 || !first[(unsigned char)key[0]])
		return 0;   /* every word of a scoped text: reject most cheaply */
	return word_is(key, n, "but") || word_is(key, n, "however") ||
	       word_is(key, n, "although") || word_is(key, n, "though");
}

static int is_plain_rule(const cf_rules *r, uint32_t rule)
{
	return rule < CF_RULES_MAX_RULES &&
	       ((r->plainrule[rule / 64] >> (rule % 64)) & 1);
}

/* 1 if the word after text[p] is an adverb a "not" reads badly before. */
static int no_not_before_next(const char *text, size_t len, size_t p)
{
	char key[24];
	size_t s, n = 0, cl;

	while (p < len && (text[p] == ' ' || text[p] == '\t'))
		p++;
	for (s = p; p < len && cf_rules_is_word((const unsigned char *)text + p,
	                                        len - p, &cl); p += cl)
		if (n < sizeof key && (unsigned char)text[p] < 0x80)
			key[n++] = (char)(text[p] >= 'A' && text[p] <= 'Z' ? text[p] + 32 :
			                  text[p]);
	if (p - s != n || n >= sizeof key)
		return 0;
	if (n == 2 && key[0] == 'o' && key[1] == 'f') {
		/* "of course" is a sentence adverb as "certainly" is: "There is
		 * of course great comedy" took "is not of course great" */
		while (p < len && (text[p] == ' ' || text[p] == '\t'))
			p++;
		return len - p >= 6 && strncasecmp(text + p, "course", 6) == 0 &&
		       (len - p == 6 || !cf_rules_is_word((const unsigned char *)text +
		                                          p + 6, len - p - 6, &cl));
	}
	return cf_rules_no_negation_before(key, n);
}

/* 1 if the ASCII word t[ws, ws + n) may be one the negation scope reads:
 * a negator, a clause word, and/or (negator, clause_word; a superset, by
 * first letter and length, or an n-final word before an apostrophe:
 * isn't, don't). */
static inline int scope_word_maybe(const unsigned char *t, size_t len,
                                   size_t ws, size_t n)
{
	size_t we = ws + n;

	if ((t[we - 1] | 32) == 'n' && we < len && (t[we] == '\'' || t[we] == 0xE2))
		return 1;
	switch (t[ws] | 32) {
	case 'n': return n >= 2 && n <= 7;   /* no ... nothing, neither */
	case 'h': return n == 6 || n == 7;   /* hardly, however */
	case 'w': return n == 7;             /* without */
	case 'c': return n == 6;             /* cannot */
	case 'b': return n == 3;             /* but */
	case 'a': return n == 3 || n == 8;   /* and, although */
	case 't': return n == 6;             /* though */
	case 'o': return n == 2;             /* or */
	default: return 0;
	}
}

/* 1 if the folded word key[0..n) is a degree adverb no "not" can govern:
 * "not pretty good" is not English and "not quite good" is not the
 * opposite of "quite good", so a polar word after one is flipped by the
 * swap alone ("was given quite good" -> "was given quite bad"). */
static int low_degree(const char *key, size_t n)
{
	return word_is(key, n, "quite") || word_is(key, n, "pretty") ||
	       word_is(key, n, "rather") || word_is(key, n, "fairly") ||
	       word_is(key, n, "somewhat");
}

/* low_degree's superset on the raw ASCII word t[ws, ws + n): by first
 * letter and length */
static inline int low_degree_maybe(const unsigned char *t, size_t ws, size_t n)
{
	switch (t[ws] | 32) {
	case 'q': return n == 5;
	case 'p': case 'r': case 'f': return n == 6;
	case 's': return n == 8;
	default: return 0;
	}
}

/* 1 if the word after text[p] starts a subject (a determiner or a
 * pronoun): "and the ending is", not "and think my life". */
static int subject_next(const char *text, size_t len, size_t p)
{
	static const char *const w[] = { "the", "a", "an", "this", "that", "it",
		"he", "she", "they", "we", "i", "you", "his", "her", "their", "its",
		"my", "your", "our", "these", "those", "there", NULL };
	char key[8];
	size_t n = 0;

	while (p < len && (text[p] == ' ' || text[p] == '\t'))
		p++;
	while (p < len && n < sizeof key - 1 &&
	       ((text[p] | 32) >= 'a' && (text[p] | 32) <= 'z'))
		key[n++] = (char)(text[p++] | 32);
	key[n] = '\0';
	if (p < len && ((text[p] | 32) >= 'a' && (text[p] | 32) <= 'z'))
		return 0;
	for (size_t i = 0; w[i]; i++)
		if (w[i][0] == key[0] && !strcmp(key, w[i]))
			return 1;
	return 0;
}

/* Drop the negator text[off, off+n) ("Not good" -> "good"); a capitalised
 * one gives its capital to the next word ("Not good!" -> "Good!"). */
static int drop_negator(cf_rules_out *o, const char *text, size_t len,
                        size_t *copied, size_t off, size_t n, uint32_t rule)
{
	size_t e = off + n, cl;
	char buf[CF_RULES_MAX_WORD + 8];

	if (!starts_upper(text + off, n) ||
	    !cf_rules_is_word((const unsigned char *)text + e, len - e, &cl) ||
	    (unsigned char)text[e] >= 0x80)
		return emit(o, text, copied, off, n, "", 0, -1, rule, -1);
	while (e < len && cf_rules_is_word((const unsigned char *)text + e,
	                                   len - e, &cl) && e - off - n < CF_RULES_MAX_WORD)
		e += cl;
	memcpy(buf, text + off + n, e - off - n);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 32);
	return emit(o, text, copied, off, e - off, buf, e - off - n, -1, rule, -1);
}

/* Before a swap at ws: make a preceding "a"/"an" agree with the word that
 * replaces it ("a ugly" -> "an ugly"). */
static int fix_article(cf_rules_out *o, const char *text, size_t *copied,
                       size_t ws, const char *rep, uint32_t rule)
{
	size_t p = ws, as, cl;
	const char *want;

	while (p > *copied && (text[p - 1] == ' ' || text[p - 1] == '\t'))
		p--;
	if (p == ws || p <= *copied)
		return 0;
	as = p - 1;
	if ((text[as] | 32) == 'n' && as > *copied && (text[as - 1] | 32) == 'a')
		as--;
	if ((text[as] | 32) != 'a' ||
	    (as > 0 && cf_rules_is_word((const unsigned char *)text + as - 1, 1, &cl)))
		return 0;
	want = cf_rules_vowel_sound(rep, strlen(rep)) ? "an" : "a";
	if (p - as == strlen(want))
		return 0;
	return emit(o, text, copied, as, p - as, want, strlen(want),
	            case_of(text + as, p - as), rule, -1);
}

/* 1 if an entry of an ordinary (not negation) rule matches a word within
 * the scope after text[p], in the same clause and before another negator;
 * 2 if that word comes right after a low_degree adverb.  Words are read as
 * apply_impl reads them (ASCII runs by the SSE2 skip); an ASCII word no
 * key can be is not looked up. */
static int polar_ahead(const cf_rules *r, const char *text, size_t len,
                       size_t p, int every)
{
	const unsigned char *t = (const unsigned char *)text;
	char key[KEYCAP + 8];
	size_t cl, sl;
	int w = 0, low = 0;

	while (w < r->scope && p < len) {
		size_t ws, we;
		unsigned char f = scan_tab[t[p]];
		if (f == 0) {
			if (clause_char(t[p]))
				return 0;
			p++;
			continue;
		}
		if (f == 1 && !cf_rules_is_word(t + p, len - p, &cl)) {
			p += cl;   /* not a clause character: those are ASCII */
			continue;
		}
		ws = p;
		int ascii = 1;
		for (;;) {
			p = cf_rules_skip_ascii_word(t, len, p);
			if (p == len || t[p] < 0x80 || !cf_rules_is_word(t + p, len - p, &cl))
				break;
			ascii = 0;
			p += cl;
		}
		we = p;
		if (nt_tail(text, ws, we))
			continue;
		w++;
		long kl;
		uint64_t hv = 0;
		if (ascii) {   /* fold() takes at most KEYCAP bytes */
			if (we - ws > KEYCAP)
				continue;
			kl = (long)(we - ws);
			/* no negator, clause word, low-degree adverb nor key: the
			 * word only counts */
			if (!every && !scope_word_maybe(t, len, ws, (size_t)kl) &&
			    !low_degree_maybe(t, ws, (size_t)kl) &&
			    ((size_t)kl > r->max_first || !may_be_key(r, t + ws, (size_t)kl))) {
				low = 0;
				continue;
			}
			hv = fold_key(t, len, ws, (size_t)kl, key);
		} else if ((kl = fold(text + ws, we - ws, key, KEYCAP)) < 0) {
			continue;
		}
		if (clause_word(key, (size_t)kl) ||
		    negator(key, (size_t)kl, text, len, we))
			return 0;
		int after_low = low;
		low = low_degree(key, (size_t)kl);
		if ((size_t)kl > r->max_first)
			continue;
		if (ascii) {
			if (!every && !may_be_key(r, t + ws, (size_t)kl))
				continue;
			sl = find_slot_h(r, key, (size_t)kl, hv);
		} else {
			sl = find_slot(r, key, (size_t)kl);
		}
		if (!every && !chain_may_match(r, sl, t, len, we))
			continue;
		for (uint32_t h = r->slots[sl]; h; h = r->ents[h - 1].next) {
			const lexent *e = &r->ents[h - 1];
			size_t me = we;
			if (is_neg_rule(r, e->rule) || e->keep ||
			    (e->need_cap && !starts_upper(text + ws, we - ws)))
				continue;
			if (is_plain_rule(r, e->rule) &&
			    (cf_rules_mid_capital(text, len, ws) ||
			     cf_rules_in_compound(text, len, ws, we) ||
			     cf_rules_pos_mismatch(e->pos, text, len, ws, we) ||
			     cf_rules_sense_blocked(r->sense, text, len, ws, we) ||
			     cf_rules_plot_verb(e->pos, text, ws)))
				continue;   /* a word the swap would leave alone */
			if (e->src_len > e->first_len &&
			    !match_tail(e->src + e->first_len, e->src_len - e->first_len,
			                text, len, &me, every))
				continue;
			return after_low ? 2 : 1;
		}
	}
	return 0;
}

/* 1 if the folded word key[0..n) is a sentence adverb of the antonyms pack
 * (it evaluates the whole clause after it). */
static int sentence_adverb(const char *key, size_t n)
{
	return word_is(key, n, "fortunately") || word_is(key, n, "unfortunately") ||
	       word_is(key, n, "happily") || word_is(key, n, "sadly");
}

/* 1 if a word of a sentiment-pack entry that would be swapped stands after
 * text[p] in the same sentence: a sentence adverb ("Unfortunately, ...")
 * is flipped only with the clause it judges, never alone ("Fortunately,
 * her role required nothing" contradicts itself). */
static int plain_ahead(const cf_rules *r, const char *text, size_t len,
                       size_t p, int every)
{
	const unsigned char *t = (const unsigned char *)text;
	char key[CF_RULES_MAX_WORD + 8];
	size_t cl;

	while (p < len) {
		size_t ws, we;
		if (!cf_rules_is_word(t + p, len - p, &cl)) {
			if (strchr(".!?;\n", t[p]))
				return 0;
			p += cl;
			continue;
		}
		ws = p;
		while (p < len && cf_rules_is_word(t + p, len - p, &cl))
			p += cl;
		we = p;
		long kl = fold(text + ws, we - ws, key, sizeof key);
		if (kl < 0 || (size_t)kl > r->max_first)
			continue;
		size_t sl = find_slot(r, key, (size_t)kl);
		if (!every && !chain_may_match(r, sl, t, len, we))
			continue;
		for (uint32_t h = r->slots[sl]; h; h = r->ents[h - 1].next) {
			const lexent *e = &r->ents[h - 1];
			size_t me = we;
			if (!is_plain_rule(r, e->rule) || e->keep ||
			    sentence_adverb(key, (size_t)kl) ||
			    cf_rules_mid_capital(text, len, ws) ||
			    cf_rules_in_compound(text, len, ws, we) ||
			    cf_rules_pos_mismatch(e->pos, text, len, ws, we) ||
			    cf_rules_sense_blocked(r->sense, text, len, ws, we) ||
			    cf_rules_plot_verb(e->pos, text, ws))
				continue;
			if (e->src_len > e->first_len &&
			    !match_tail(e->src + e->first_len, e->src_len - e->first_len,
			                text, len, &me, every))
				continue;
			return 1;
		}
	}
	return 0;
}

/* Append v to a tracking array (cf_rules_out.hits, .skips, .cand). */
static int track_put(size_t **a, size_t *n, size_t *cap, size_t v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		size_t *x;
		if (nc > CF_RULES_MAX_OUTPUT)
			return CF_ELIMIT;
		if (!(x = realloc(*a, nc * sizeof *x)))
			return CF_ENOMEM;
		*a = x;
		*cap = nc;
	}
	(*a)[(*n)++] = v;
	return 0;
}

/* The starts of the words of text that have entries in r, into o->cand:
 * the words the scan below reads from the start or after a word, and
 * looks up (the same length limits and keys).  Apply visits only these
 * when no word-by-word state (negation scope, regex matches) is kept. */
static int prescan(const cf_rules *r, const unsigned char *t, size_t len,
                   cf_rules_out *o)
{
	char key[KEYCAP + 8];
	size_t i = 0, cl;
	int rc;

	o->ncand = 0;
	while (i < len) {
		unsigned char f = scan_tab[t[i]];
		if (f == 0) {
			i++;
			continue;
		}
		if (f == 1 && !cf_rules_is_word(t + i, len - i, &cl)) {
			i += cl;
			continue;
		}
		size_t ws = i, n;
		int ascii = 1;
		for (;;) {
			i = cf_rules_skip_ascii_word(t, len, i);
			if (i == len || t[i] < 0x80 || !cf_rules_is_word(t + i, len - i, &cl))
				break;
			ascii = 0;
			i += cl;
		}
		n = i - ws;
		if (n > CF_RULES_MAX_WORD || n > r->max_first * 2 + 4)
			continue;
		uint64_t hv;
		if (ascii) {
			if (n > r->max_first || !may_be_key(r, t + ws, n))
				continue;
			hv = fold_key(t, len, ws, n, key);
		} else {
			long kl = fold((const char *)t + ws, n, key, KEYCAP);
			if (kl < 0 || (size_t)kl > CF_RULES_MAX_WORD || (size_t)kl > r->max_first)
				continue;
			memset(key + kl, 0, 8);
			n = (size_t)kl;
			hv = key_hash(key, n);
		}
		size_t sl = find_slot_h(r, key, n, hv);
		if (r->slots[sl] && (o->track || chain_may_match(r, sl, t, len, i)) &&
		    (rc = track_put(&o->cand, &o->ncand, &o->candcap, ws)) < 0)
			return rc;
	}
	return 0;
}

/* Did an edit of o come from the gender pack? */
static int gender_edited(const cf_rules *r, const cf_rules_out *o)
{
	for (size_t q = 0; q < o->nedits; q++) {
		uint32_t ru = o->edits[q].rule;
		if (ru < CF_RULES_MAX_RULES && ((r->genderrule[ru / 64] >> (ru % 64)) & 1))
			return 1;
	}
	return 0;
}

/* The whole word w[0, n) (case as written) occurs in s[0, len). */
static int has_word(const char *s, size_t len, const char *w, size_t n)
{
	const unsigned char *t = (const unsigned char *)s;
	size_t p = 0, cl;
	const char *q;

	while (n && p + n <= len && (q = cf_rules_find(s + p, len - p, w, n))) {
		size_t a = (size_t)(q - s);
		int before = 0;
		if (a > 0) {
			size_t b = a - 1;
			while (b > 0 && (t[b] & 0xC0) == 0x80)
				b--;
			before = cf_rules_is_word(t + b, a - b, &cl);
		}
		if (!before && !(a + n < len && cf_rules_is_word(t + a + n, len - a - n, &cl)))
			return 1;
		p = a + 1;
	}
	return 0;
}

/* 1 if the fallback partner of entry e (for the word text[ws, we)) names
 * nobody else in the text: it is not in the input, nor the name that swaps
 * to it (its pair), nor written already by an earlier swap of another
 * word (Meryl ... Meryl both become Keith); 0 if it is taken. */
static int partner_free(const cf_rules *r, const char *text, size_t len,
                        const cf_rules_out *o, const lexent *e, size_t ws,
                        size_t we)
{
	const lexent *pair = name_entry(r, e->dst[0], 0, e->dst_len[0], 1);
	size_t dl = e->dst_len[0], n = we - ws;

	if (has_word(text, len, e->dst[0], dl) ||
	    (pair && has_word(text, len, pair->dst[0], pair->dst_len[0])))
		return 0;
	for (size_t q = 0; q < o->nedits; q++) {
		const cf_rules_edit *d = &o->edits[q];
		if (d->dst_len >= dl && !memcmp(o->text + d->dst_off, e->dst[0], dl) &&
		    !(d->src_len >= n && !strncasecmp(text + d->src_off, text + ws, n)))
			return 0;
	}
	return 1;
}

/* Will the gender pack edit a word after from?  A guess from the words
 * with entries (cand, ncand: apply's prescan), at most 32 of them: one
 * with a lower-case gender entry (he, her, mother) says yes.  apply_impl
 * runs again if the guess was wrong, so it only saves that second pass. */
static int gender_ahead(const cf_rules *r, const unsigned char *t, size_t len,
                        const size_t *cand, size_t ncand, size_t from)
{
	char key[KEYCAP + 8];
	size_t c, seen = 0;

	for (c = 0; c < ncand && cand[c] <= from; c++)
		;
	for (; c < ncand && seen++ < 32; c++) {
		size_t ws = cand[c], we = cf_rules_skip_ascii_word(t, len, ws), n = we - ws;
		if (n == 0 || n > r->max_first || (we < len && t[we] >= 0x80))
			continue;
		uint64_t hv = fold_key(t, len, ws, n, key);
		for (uint32_t h = r->slots[find_slot_h(r, key, n, hv)]; h;
		     h = r->ents[h - 1].next) {
			const lexent *e = &r->ents[h - 1];
			if (!e->need_cap && !e->keep && e->rule < CF_RULES_MAX_RULES &&
			    ((r->genderrule[e->rule / 64] >> (e->rule % 64)) & 1))
				return 1;
		}
	}
	return 0;
}

/* cf_rules_apply, or with cand (ncand sorted word starts) the sparse scan
 * of cf_rules_round_trip: from a clean position (the end of the word just
 * read, or the start) the scan goes straight to the next candidate, as
 * the words between have no entries and would change nothing. */
static int apply_impl(const cf_rules *r, const char *text, size_t len,
                      cf_rules_out *o, uint64_t amb[CF_AMB_COUNT],
                      const size_t *cand, size_t ncand)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t cn = 0, clean = 0;          /* next candidate; clean position */
	cf_rules_pm *pm;
	const char *sub;
	char key[KEYCAP + 8];
	size_t i = 0, copied = 0, k = 0, cl, p;
	size_t ci = 0;                     /* next toggled clause (o->negcl) */
	size_t neg_off = 0, neg_len = 0;   /* the open negator, for removal */
	int neg_left = 0, neg_done = 0, neg_del = 0;
	int clause_neg = 0, npi_left = 0;  /* a negator earlier in the clause;
	                                    * words left for some -> any */
	uint32_t npi_rule = 0;
	int rc = 0;

	o->len = 0;
	o->nedits = 0;
	o->npm = 0;
	o->nnegcl = 0;
	o->sublen = 0;
	o->prot_done = 0;
	o->nprotected = 0;
	o->kept_s = o->kept_e = 0;
	o->rare_seen = o->rare_guess = 0;
	o->unsw_s = o->unsw_e = o->nfallback = 0;
	o->nhits = o->nskips = 0;
	if ((rc = out_put(o, "", 0)) < 0)
		return rc;
	for (p = 0; p < r->npats; p++)
		if ((rc = cf_rules_pat_scan(r->pats[p], text, len, o)) < 0)
			return rc;
	if (r->neg && (rc = cf_rules_neg_scan(r->neg, r->neg_rule, text, len, o,
	                                      amb)) < 0)
		return rc;
	pm = o->pm;
	/* NULL when every replacement so far was empty (deletions) */
	sub = o->sub ? o->sub : "";
	if (o->npm > 1)
		qsort(pm, o->npm, sizeof *pm, pm_cmp);
	if (r->nents == 0)
		i = len;   /* no lexicon (clause negation, regexes): no word scan */
	else if (!cand && !r->scope && o->npm == 0 && !o->every_word) {
		/* nothing carried from word to word: visit the words with
		 * entries only (a word without does nothing below) */
		if ((rc = prescan(r, t, len, o)) < 0)
			return rc;
		cand = o->cand;
		ncand = o->ncand;
	}

	while (i < len) {
		size_t ws, we;
		if (cand && i == clean) {   /* sparse: on to the next candidate */
			while (cn < ncand && cand[cn] < i)
				cn++;
			if (cn == ncand)
				break;
			i = cand[cn++];
		}
		/* skip to the next word */
		unsigned char f = scan_tab[t[i]];
		if (f <= 1) {
			if (f == 0) {
				if (r->scope && clause_char(t[i])) {
					neg_left = clause_neg = 0;
					/* "is not great, too": only "too" goes on */
					if (!(t[i] == ',' && i + 4 < len && t[i + 1] == ' ' &&
					      !strncasecmp(text + i + 2, "too", 3) &&
					      !cf_rules_is_word(t + i + 5, len - i - 5, &cl)))
						npi_left = 0;
				}
				i++;
				continue;
			}
			if (!cf_rules_is_word(t + i, len - i, &cl)) {
				i += cl;
				continue;
			}
		}
		/* scan the word to its end; then an ASCII word that could be a
		 * key (or a negator, with a scope) is folded into key, at most
		 * KEYCAP bytes (kn == KEYCAP: too long for any use) */
		ws = i;
		int ascii = 1;
		for (;;) {
			i = cf_rules_skip_ascii_word(t, len, i);
			if (i == len || t[i] < 0x80 || !cf_rules_is_word(t + i, len - i, &cl))
				break;
			ascii = 0;
			i += cl;
		}
		we = clean = i;
		size_t kn = we - ws < KEYCAP ? we - ws : KEYCAP;
		uint64_t hv = 0;
		/* an ASCII word no key can be: no first word of its length
		 * starts with its first letter (most words) */
		int nokey = ascii && !may_be_key(r, t + ws, kn);
		/* with a scope also a word that may change its state or take a
		 * polarity item: most words are neither (scope_word_maybe; the
		 * reference path folds every word) */
		int keyed = ascii && kn < KEYCAP &&
		            ((kn <= r->max_first && !nokey) ||
		             (r->scope && (npi_left > 0 || o->every_word ||
		                           scope_word_maybe(t, len, ws, kn))));
		if (keyed)
			hv = fold_key(t, len, ws, kn, key);
		/* with no scope or polarity item open (and no pattern match
		 * left), an ASCII word with no key changes nothing: not a scope
		 * word, nothing to look up */
		else if (ascii && !neg_left && !npi_left && k >= o->npm && !o->every_word) {
			while (!cand && i < len && t[i] == ' ')
				i++;   /* and the blanks after it */
			continue;
		}
		/* negation scope: is this word negated, does it open a scope? */
		int in_scope = 0, clause_neg_before = clause_neg;
		if (r->scope && !nt_tail(text, ws, we)) {
			in_scope = neg_left > 0;
			if (neg_left)
				neg_left--;
			if (keyed && clause_word(key, kn))
				neg_left = in_scope = clause_neg = clause_neg_before = 0;
			if (keyed && ((kn == 3 && !memcmp(key, "and", 3)) ||
			              (kn == 2 && !memcmp(key, "or", 2))) &&
			    subject_next(text, len, we))
				clause_neg = clause_neg_before = 0;   /* a new clause starts */
			int nk = keyed ? negator(key, kn, text, len, we) : NEG_NONE;
			if (nk) {
				clause_neg = 1;
				neg_left = r->scope;
				neg_done = 0;
				neg_del = nk == NEG_DEL;
				neg_off = ws;
				for (neg_len = we - ws; ws + neg_len < len &&
				     (t[ws + neg_len] == ' ' || t[ws + neg_len] == '\t'); )
					neg_len++;
			}
		}
		/* pattern matches wholly before this word */
		while (k < o->npm && pm[k].off + pm[k].len <= ws) {
			if ((rc = emit(o, text, &copied, pm[k].off, pm[k].len,
			               sub + pm[k].sub_off, pm[k].sub_len, -1,
			               pm[k].rule, -1)) < 0)
				return rc;
			k++;
		}
		if (k < o->npm && pm[k].off < we) {   /* the word is inside a match */
			if ((rc = emit(o, text, &copied, pm[k].off, pm[k].len,
			               sub + pm[k].sub_off, pm[k].sub_len, -1,
			               pm[k].rule, -1)) < 0)
				return rc;
			if (i < pm[k].off + pm[k].len)
				i = pm[k].off + pm[k].len;
			k++;
			continue;
		}
		/* after an added "not": some -> any, already -> yet */
		if (npi_left > 0 && !nt_tail(text, ws, we) && npi_left--) {
			const char *np = keyed ? cf_rules_npi(key, kn) : NULL;
			/* "is not great, too" -> "either" at the end of a clause */
			if (!np && keyed && kn == 3 && !memcmp(key, "too", 3) &&
			    (we == len || clause_char(t[we])))
				np = "either";
			if (np) {
				if ((rc = emit(o, text, &copied, ws, we - ws, np, strlen(np),
				               case_of(text + ws, we - ws), npi_rule, -1)) < 0)
					return rc;
				continue;
			}
		}
		if (we - ws > CF_RULES_MAX_WORD || we - ws > r->max_first * 2 + 4)
			continue;   /* longer than any first word, even folded */
		long kl = (long)kn;
		if (!ascii) {
			kl = fold(text + ws, we - ws, key, KEYCAP);
			if (kl < 0 || (size_t)kl > CF_RULES_MAX_WORD)
				continue;
			memset(key + kl, 0, 8);
			hv = key_hash(key, (size_t)kl);
		}
		if ((size_t)kl > r->max_first || nokey)
			continue;
		size_t sl = find_slot_h(r, key, (size_t)kl, hv);
		uint32_t h = r->slots[sl];
		if (h && o->track &&
		    (rc = track_put(&o->hits, &o->nhits, &o->hitcap, ws)) < 0)
			return rc;
		if (h && !o->every_word && !chain_may_match(r, sl, t, len, we))
			continue;   /* every entry's tail would fail */
		for (; h; h = r->ents[h - 1].next) {
			const lexent *e = &r->ents[h - 1];
			size_t me = we;
			if (e->src_len > e->first_len &&
			    !match_tail(e->src + e->first_len, e->src_len - e->first_len,
			                text, len, &me, o->every_word))
				continue;
			if (e->need_cap && !starts_upper(text + ws, we - ws))
				continue;
			if (e->ctx == CF_CTX_RARE_NAME) {
				/* a fallback name: only once the gender pack has edited
				 * this text; one met before that makes apply_impl run
				 * again with them on if a gender edit follows */
				int ok;
				if (o->rare_on < 0)
					continue;
				if (!o->rare_on && !gender_edited(r, o)) {
					if (!cand || !gender_ahead(r, t, len, cand, ncand, me)) {
						o->rare_seen = 1;
						continue;
					}
					o->rare_guess = 1;   /* checked at the end */
				}
				if (!cf_rules_ctx_ok(r, e->ctx, text, len, ws, me))
					continue;
				if ((ok = partner_free(r, text, len, o, e, ws, me)) < 0)
					return ok;
				if (!ok) {   /* two people, one name: the stage rejects */
					if (!o->unsw_e) {
						o->unsw_s = ws;
						o->unsw_e = me;
					}
					continue;
				}
			} else if (e->ctx && !cf_rules_ctx_ok(r, e->ctx, text, len, ws, me)) {
				/* a person's double name left alone: the stage must not
				 * flip that person's pronouns (kept_person_name) */
				size_t ke;
				if (e->ctx == CF_CTX_NAME && !o->kept_e &&
				    (ke = cf_rules_kept_person_name(r, text, len, ws, me))) {
					int pr = cf_rules_protected_at(o, text, len, ws);
					if (pr < 0)
						return pr;
					if (!pr) {
						o->kept_s = ws;
						o->kept_e = ke;
					}
				}
				continue;
			}
			/* a capitalised word after a first name is a surname: Stephen
			 * King, Carole King, Freddie Prince */
			if (!e->need_cap && starts_upper(text + ws, we - ws) &&
			    gendered_surname(r, text, len, ws))
				continue;
			if (k < o->npm && pm[k].off < me)
				continue;   /* a regex rule owns part of it */
			if (e->keep) {   /* an idiom, a fixed phrase: nothing inside it is
			                  * swapped */
				if (amb)
					amb[CF_SKIP_IDIOM]++;
				if (o->track && me > we &&
				    ((rc = track_put(&o->skips, &o->nskips, &o->skipcap, we)) < 0 ||
				     (rc = track_put(&o->skips, &o->nskips, &o->skipcap, me)) < 0))
					return rc;
				i = me;
				break;
			}
			if (is_prot_rule(r, e->rule)) {
				int pr = cf_rules_protected_at(o, text, len, ws);
				/* a name that is a title elsewhere in the text is one here */
				if (pr == 0 && e->need_cap)
					pr = cf_rules_protected_elsewhere(o, text, len, ws, we);
				/* a gendered title or Title-Case word of a person or a work */
				if (pr == 0 && !e->need_cap && e->rule < CF_RULES_MAX_RULES &&
				    ((r->gtitlerule[e->rule / 64] >> (e->rule % 64)) & 1))
					pr = cf_rules_gender_title(r, text, len, ws, we);
				if (pr < 0)
					return pr;
				if (pr) {
					o->nprotected++;
					if (o->track && me > we &&
					    ((rc = track_put(&o->skips, &o->nskips, &o->skipcap, we)) < 0 ||
					     (rc = track_put(&o->skips, &o->nskips, &o->skipcap, me)) < 0))
						return rc;
					i = me;
					break;
				}
			}
			if (is_plain_rule(r, e->rule)) {   /* a name, a title, a compound */
				int sk = cf_rules_mid_capital(text, len, ws) ? CF_SKIP_CAPITAL :
				         cf_rules_in_compound(text, len, ws, me) ?
				         CF_SKIP_COMPOUND :
				         cf_rules_pos_mismatch(e->pos, text, len, ws, me) ?
				         CF_SKIP_POS :
				         cf_rules_sense_blocked(r->sense, text, len, ws, me) ||
				         cf_rules_plot_verb(e->pos, text, ws) ||
				         (sentence_adverb(key, (size_t)kl) &&
				          !plain_ahead(r, text, len, me, o->every_word)) ?
				         CF_SKIP_SENSE : -1;
				if (sk >= 0) {
					if (amb)
						amb[sk]++;
					continue;
				}
				/* the clause negation flipped this clause already: a swap
				 * too would flip it back ("did not bring me back to the
				 * worst time") */
				while (ci < o->nnegcl && o->negcl[ci + 1] <= ws)
					ci += 2;
				if (ci < o->nnegcl && o->negcl[ci] <= ws) {
					if (amb)
						amb[CF_SKIP_NEG_CLAUSE]++;
					continue;
				}
			}
			int negedit = 0;
			if (r->scope && is_neg_rule(r, e->rule) &&
			    cf_rules_mid_capital(text, len, ws)) {
				/* a modal capitalised mid-sentence is a name or a month:
				 * Dame May Witty, Will Smith */
				if (amb)
					amb[CF_SKIP_CAPITAL]++;
				continue;
			}
			if (r->scope && is_neg_rule(r, e->rule)) {
				/* toggle a negation only where it governs a swap */
				int pa = polar_ahead(r, text, len, me, o->every_word);
				if (!pa)
					break;
				int adds = strstr(e->dst[0], "not") || strstr(e->dst[0], "n't");
				/* one direction only (label_direction): the word governed
				 * is of the source label, so its negation already reads as
				 * the target: removing it would push the wrong way */
				if (!adds && r->dir != CF_RULES_BOTH) {
					neg_left = r->scope;
					neg_done = 1;
					break;
				}
				if (adds && clause_neg_before) {
					/* "none of them are good": no second negation, and
					 * the word it governs stays */
					if (amb)
						amb[CF_SKIP_DOUBLE_NEG]++;
					neg_left = r->scope;
					neg_done = 1;
					break;
				}
				if (adds && (pa == 2 || no_not_before_next(text, len, me))) {
					if (amb)
						amb[CF_SKIP_NO_NOT]++;
					break;   /* "is somewhat good": the swap does it */
				}
				negedit = 1;
				if (amb)
					amb[adds ? CF_NEG_AUX : CF_NEG_REMOVE]++;
				if (adds) {
					npi_left = r->scope;
					npi_rule = e->rule;
				}
			} else if (r->scope && in_scope) {
				/* "not good": drop the "not", never "not bad"; swapping one
				 * direction only (label_direction), a negated word already
				 * reads as the target: leave it */
				if (!neg_done && neg_del && copied <= neg_off &&
				    r->dir == CF_RULES_BOTH) {
					if ((rc = drop_negator(o, text, len, &copied, neg_off,
					                       neg_len, e->rule)) < 0)
						return rc;
					neg_done = 1;
				}
				break;
			}
			if (is_plain_rule(r, e->rule) &&
			    (rc = fix_article(o, text, &copied, ws, e->dst[0],
			                      e->rule)) < 0)
				return rc;
			int which = 0, a = -1;
			if (e->amb == AMB_TITLE) {
				which = cf_rules_before_name(text, len, me);
			} else if (e->ndst == 2) {
				int v = e->amb == AMB_HER ?
				        cf_rules_her_possessive(text, len, ws, we) :
				        cf_rules_his_standalone(text, len, ws, we);
				which = (v == e->alt_when) ? 1 : 0;
				a = e->amb == AMB_HER ? (v ? CF_HER_TO_HIS : CF_HER_TO_HIM) :
				                        (v ? CF_HIS_TO_HERS : CF_HIS_TO_HER);
				if (amb)
					amb[a]++;
			}
			if (e->ctx == CF_CTX_RARE_NAME)
				o->nfallback++;
			size_t pe = e->need_cap ? s_apostrophe(text, len, ws, me) : me;
			if (pe > me) {   /* James' car -> Mary's car */
				char buf[CF_RULES_MAX_WORD * 2 + 8];
				size_t dl = e->dst_len[which];
				if (dl + (pe - me) + 1 > sizeof buf)
					break;
				memcpy(buf, e->dst[which], dl);
				memcpy(buf + dl, text + me, pe - me);
				buf[dl + (pe - me)] = starts_upper(text + me - 1, 1) ? 'S' : 's';
				rc = emit(o, text, &copied, ws, pe - ws, buf, dl + (pe - me) + 1,
				          case_of(text + ws, me - ws), e->rule, a);
				me = pe;
			} else {
				size_t skip;
				const char *pos = possessive_fix(text, len, ws, me,
				                                 e->dst[which],
				                                 e->dst_len[which], &skip);
				char buf[CF_RULES_MAX_WORD * 2 + 8];
				size_t dl = e->dst_len[which], pl = strlen(pos);
				if (skip && dl + pl <= sizeof buf) {
					memcpy(buf, e->dst[which], dl);
					memcpy(buf + dl, pos, pl);
					if (pl == 2 && starts_upper(text + me - 1, 1))
						buf[dl + 1] = 'S';
					rc = emit(o, text, &copied, ws, me + skip - ws, buf,
					          dl + pl, case_of(text + ws, me - ws), e->rule, a);
					me += skip;
				} else {
					rc = emit(o, text, &copied, ws, me - ws, e->dst[which],
					          e->dst_len[which], case_of(text + ws, me - ws),
					          e->rule, a);
				}
			}
			if (rc < 0)
				return rc;
			if (negedit) {
				neg_left = r->scope;
				neg_done = 1;
			}
			i = me;
			break;
		}
	}
	for (; k < o->npm; k++)
		if ((rc = emit(o, text, &copied, pm[k].off, pm[k].len,
		               sub + pm[k].sub_off, pm[k].sub_len, -1, pm[k].rule,
		               -1)) < 0)
			return rc;
	if ((rc = out_put(o, text + copied, len - copied)) < 0)
		return rc;
	/* a fallback name met and the gender pack edited the text: again,
	 * with the fallback names on (their person keeps one sex); her/his
	 * decisions are the first pass's, so amb is not counted twice */
	if (!o->rare_on && (o->rare_seen || o->rare_guess)) {
		int g = gender_edited(r, o);
		if ((o->rare_seen && g) || (o->rare_guess && !g)) {
			o->rare_on = g ? 1 : -1;
			rc = apply_impl(r, text, len, o, NULL, cand, ncand);
			o->rare_on = 0;
			return rc;
		}
	}
	return o->nedits > (size_t)0x7fffffff ? CF_ELIMIT : (int)o->nedits;
}

int cf_rules_apply(const cf_rules *r, const char *text, size_t len,
                   cf_rules_out *o, uint64_t amb[CF_AMB_COUNT])
{
	return apply_impl(r, text, len, o, amb, NULL, 0);
}

int cf_rules_apply_check(const cf_rules *r, const char *text, size_t len,
                         cf_rules_out *o, const char *want, size_t wlen)
{
	o->want = want;
	o->want_len = wlen;
	int rc = apply_impl(r, text, len, o, NULL, NULL, 0);
	o->want = NULL;
	if (rc == RULES_DIFFERS)
		return 0;
	if (rc < 0)
		return rc;
	return o->len == wlen && memcmp(o->text, want, wlen) == 0;
}


/* ---- round trip from the forward pass (issue 15) ------------------------ */

int cf_rules_round_trip_ok(const cf_rules *fwd, const cf_rules *rev)
{
	if (!fwd || !rev || rev->npats || rev->neg || rev->scope ||
	    rev->max_first > fwd->max_first)
		return 0;
	/* every first word of rev must have entries in fwd, so that the
	 * forward pass's hits are a superset of rev's */
	for (size_t i = 0; i < rev->nslots; i++) {
		if (!rev->slots[i])
			continue;
		const lexent *e = &rev->ents[rev->slots[i] - 1];
		if (!fwd->slots[find_slot(fwd, e->src, e->first_len)])
			return 0;
	}
	return 1;
}

/* An ASCII byte that is not a word character: a word boundary whatever
 * surrounds it. */
static int ascii_gap(unsigned char c)
{
	return c < 0x80 && !cf_rules_ascii_word[c];
}

/* Out offset of input offset x, given the edits before it (delta so far,
 * advanced in place: calls come in increasing x). */
static size_t map_off(const cf_rules_out *fo, size_t *ei, long long *delta,
                      size_t x)
{
	while (*ei < fo->nedits &&
	       fo->edits[*ei].src_off + fo->edits[*ei].src_len <= x) {
		const cf_rules_edit *e = &fo->edits[*ei];
		*delta += (long long)e->dst_len - (long long)e->src_len;
		(*ei)++;
	}
	if (*ei < fo->nedits && fo->edits[*ei].src_off <= x)
		return fo->edits[*ei].dst_off;   /* inside an edit: its start */
	return (size_t)((long long)x + *delta);
}

/* Append to back->cand the starts of the words of text[a, b) that have
 * entries in rev; a is 0 or follows an ASCII gap, b is len or an ASCII
 * gap, so the words are those a full scan reads. */
static int window_words(const cf_rules *rev, const char *text, size_t len,
                        size_t a, size_t b, cf_rules_out *back)
{
	const unsigned char *t = (const unsigned char *)text;
	char key[CF_RULES_MAX_WORD + 8];
	size_t i = a, cl;
	int rc;

	while (i < b) {
		if (!cf_rules_is_word(t + i, len - i, &cl)) {
			i += cl;
			continue;
		}
		size_t ws = i;
		while (i < len && cf_rules_is_word(t + i, len - i, &cl))
			i += cl;
		if (i - ws > CF_RULES_MAX_WORD || i - ws > rev->max_first * 2 + 4)
			continue;
		long kl = fold(text + ws, i - ws, key, sizeof key);
		if (kl < 0 || (size_t)kl > CF_RULES_MAX_WORD || (size_t)kl > rev->max_first)
			continue;
		if (rev->slots[find_slot(rev, key, (size_t)kl)] &&
		    (rc = track_put(&back->cand, &back->ncand, &back->candcap, ws)) < 0)
			return rc;
	}
	return 0;
}

/* The next window of fo->text to scan afresh, in text order (edits and
 * skips interleaved by input offset: the output keeps their order): an
 * edit's new text or a skipped span, widened to ASCII gaps on both sides
 * so that the words joined to it are read whole.  0 when none is left;
 * with take, the window is consumed. */
static int next_window(const cf_rules_out *fo, size_t *ei, size_t *si,
                       int take, size_t *a, size_t *b)
{
	const unsigned char *t = (const unsigned char *)fo->text;

	if (*ei < fo->nedits &&
	    (*si >= fo->nskips || fo->edits[*ei].src_off <= fo->skips[*si])) {
		*a = fo->edits[*ei].dst_off;
		*b = *a + fo->edits[*ei].dst_len;
		*ei += (size_t)take;
	} else if (*si < fo->nskips) {
		size_t e2 = 0;
		long long d2 = 0;
		*a = map_off(fo, &e2, &d2, fo->skips[*si]);
		*b = map_off(fo, &e2, &d2, fo->skips[*si + 1]);
		*si += 2 * (size_t)take;
	} else {
		return 0;
	}
	while (*a > 0 && !ascii_gap(t[*a - 1]))
		(*a)--;
	while (*b < fo->len && !ascii_gap(t[*b]))
		(*b)++;
	return 1;
}

/* The out offset of the next forward hit outside every edit (hits that
 * were edited are read in their window); 0 when none is left. */
static int next_hit(const cf_rules_out *fo, size_t *hi, size_t *hei,
                    long long *hdelta, size_t *y)
{
	for (; *hi < fo->nhits; (*hi)++) {
		size_t x = fo->hits[*hi];
		while (*hei < fo->nedits &&
		       fo->edits[*hei].src_off + fo->edits[*hei].src_len <= x) {
			*hdelta += (long long)fo->edits[*hei].dst_len -
			           (long long)fo->edits[*hei].src_len;
			(*hei)++;
		}
		if (*hei < fo->nedits && fo->edits[*hei].src_off <= x)
			continue;
		*y = (size_t)((long long)x + *hdelta);
		return 1;
	}
	return 0;
}

int cf_rules_round_trip(const cf_rules *rev, const cf_rules_out *fo,
                        cf_rules_out *back)
{
	size_t ei = 0, si = 0, hi = 0, hei = 0, a, b, na, nb, y;
	long long hdelta = 0;
	int rc, have;

	back->ncand = 0;
	/* between windows the forward pass's hits stand for the words with
	 * entries; inside them the words are looked up again */
	have = next_window(fo, &ei, &si, 1, &a, &b);
	for (;;) {
		while (have && next_window(fo, &ei, &si, 0, &na, &nb) && na <= b) {
			next_window(fo, &ei, &si, 1, &na, &nb);
			if (nb > b)
				b = nb;
		}
		while (next_hit(fo, &hi, &hei, &hdelta, &y) && (!have || y < a)) {
			if ((rc = track_put(&back->cand, &back->ncand, &back->candcap, y)) < 0)
				return rc;
			hi++;
		}
		if (!have)
			break;
		if ((rc = window_words(rev, fo->text, fo->len, a, b, back)) < 0)
			return rc;
		while (next_hit(fo, &hi, &hei, &hdelta, &y) && y < b)
			hi++;
		have = next_window(fo, &ei, &si, 1, &a, &b);
	}
	return apply_impl(rev, fo->text, fo->len, back, NULL, back->cand,
	                  back->ncand);
}
