/*
 * rules.h - internal interface of the rules engine behind `type: rules`.
 *
 * The engine is usable without the runner: build a cf_rules from lexicon
 * files/buffers, built-in packs and PCRE2 patterns, call cf_rules_compile()
 * once, then cf_rules_apply() any number of times (it never changes the
 * compiled rules, so one cf_rules may be shared by threads that each own a
 * cf_rules_out).
 *
 * Files: rules_lexicon.c (TSV lexicons, token scan, hash lookup, case),
 * rules_gender.c (her -> his/him and his -> her/hers; her_pos.c its
 * generated WordNet word classes), rules_names.c (context tags: first-name
 * position, titles before names, man as a verb, best man), rules_protect.c
 * (protected spans), rules_pattern.c (user regex rules), rules_negation.c
 * (clause negation of the negation pack), rules_antonym.c (checks of the
 * sentiment packs, idioms), rules_stance.c (full_flip: the source stance
 * a flipped text still holds), rules_pool.c (the stage's worker threads),
 * rules.c (the stage: options, candidates, report).
 *
 * Ownership: cf_rules_out owns its text and edit arrays; they stay valid
 * until the next apply on the same out or cf_rules_out_free().  Rule names
 * returned by cf_rules_rule_name() are borrowed from the cf_rules.
 */
#ifndef CFAUG_STAGES_RULES_H
#define CFAUG_STAGES_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cfaug/cfaug.h"
#include "rules_word.h"

typedef enum {
	CF_RULES_BOTH = 0,     /* a -> b and b -> a */
	CF_RULES_A_TO_B = 1,
	CF_RULES_B_TO_A = 2
} cf_rules_dir;

/* Hard limits: inputs beyond them are refused with CF_ELIMIT. */
#define CF_RULES_MAX_LEXICON_BYTES (32u << 20)  /* one lexicon file */
#define CF_RULES_MAX_ENTRIES       (1u << 20)   /* lexicon entries in total */
#define CF_RULES_MAX_RULES         4096         /* packs + lexicons + patterns */
#define CF_RULES_MAX_WORD          64           /* bytes of a looked-up word */
#define CF_RULES_MAX_OUTPUT        (64u << 20)  /* bytes of one output text */
#define CF_RULES_MAX_EDITS         (1u << 20)   /* edits in one text */
#define CF_RULES_MAX_SCOPE         8            /* words of a negation scope */
/* A lexicon entry or listed phrase that does not start with a word (a
 * quote, a dash): the loaders' own code, apart from every CF_E* (it was -1,
 * which read as CF_ENOMEM: "out of memory" for a phrase opening with "). */
#define CF_RULES_ENOTWORD          (-100)

typedef struct cf_rules cf_rules;

/* Decisions of the gender module, counted per apply, then those of the
 * sentiment packs: how a negation was toggled, and why a word was left. */
enum {
	CF_HER_TO_HIS, CF_HER_TO_HIM, CF_HIS_TO_HER, CF_HIS_TO_HERS,
	CF_NEG_AUX,          /* "not" after an auxiliary or modal */
	CF_NEG_DO,           /* do-support: liked -> did not like */
	CF_NEG_FRAGMENT,     /* a fragment: not + participle or preposition */
	CF_NEG_REMOVE,       /* a negation removed */
	CF_SKIP_DOUBLE_NEG,  /* no second negation in a negated clause */
	CF_SKIP_NO_NOT,      /* no "not" before somewhat, truly, at best ... */
	CF_SKIP_CAPITAL,     /* a capitalised word mid-sentence (name, title) */
	CF_SKIP_COMPOUND,    /* inside a hyphenated compound */
	CF_SKIP_IDIOM,       /* inside a fixed expression (idioms.txt) */
	CF_SKIP_POS,         /* used as another part of speech than its entry's */
	CF_SKIP_NEG_CLAUSE,  /* in a clause the negation pack toggled */
	CF_SKIP_SENSE,       /* not in an evaluative use (antonym-contexts.tsv) */
	CF_AMB_COUNT
};
#define CF_AMB_HER_HIS 4   /* the first four are her/his decisions */

typedef struct cf_rules_edit {
	size_t src_off, src_len;   /* bytes replaced in the input */
	size_t dst_off, dst_len;   /* bytes that replace them in the output */
	uint32_t rule;             /* index for cf_rules_rule_name() */
	int amb;                   /* -1, or CF_HER_TO_HIS... for her/his choices */
} cf_rules_edit;

typedef struct cf_rules_out {
	char *text;                /* NUL-terminated output */
	size_t len, cap;
	cf_rules_edit *edits;      /* in input order, non-overlapping */
	size_t nedits, edcap;
	/* scratch, owned */
	void *pm;                  /* pattern matches (rules_pattern.c) */
	size_t npm, pmcap;
	void *md;                  /* pcre2_match_data */
	char *sub;                 /* replacement text of pattern matches */
	size_t sublen, subcap;
	/* protected spans (rules_protect.c), computed lazily per apply */
	void *prot;                /* cf_rules_span[] */
	size_t nprot, protcap;
	int prot_done;
	uint64_t nprotected;       /* matches of protected rules skipped */
	/* the first person's name kept as a unit (cf_rules_kept_person_name),
	 * input bytes [kept_s, kept_e); kept_e == 0: none */
	size_t kept_s, kept_e;
	/* fallback names (tag rare-name-*, rules_names.c) fire only in a text
	 * the gender pack edits: rare_seen, one was left before any gender
	 * edit; rare_guess, one fired on a guess that a gender edit follows;
	 * rare_on, 1 / -1: apply's second pass, with them on / off (run when
	 * what the first pass did turns out wrong); unsw_s/unsw_e, the first
	 * one left unswapped because its partner already names someone in the
	 * text (unsw_e == 0: none); nfallback, edits made */
	int rare_seen, rare_guess, rare_on;
	size_t unsw_s, unsw_e, nfallback;
	/* clauses the clause negation toggled (rules_negation.c): byte spans
	 * [negcl[2i], negcl[2i+1]) in text order; no other sentiment swap is
	 * made inside one, so a clause is flipped once */
	size_t *negcl;
	size_t nnegcl, negclcap;
	/* with track set, apply() notes the input offset of every word it
	 * looked up that has entries (hits) and every span it stepped over
	 * unread, keep phrases and protected matches (skips, [s, e) pairs):
	 * what cf_rules_round_trip() needs to check this output cheaply */
	int track;
	size_t *hits, *skips;
	size_t nhits, hitcap, nskips, skipcap;
	size_t *cand;              /* scratch: the words with entries (apply's
	                            * prescan, cf_rules_round_trip()) */
	size_t ncand, candcap;
	int every_word;            /* 1: the reference path, for tests: no
	                            * prescan and none of the scan's shortcuts
	                            * (rules_lexicon.c's header lists them) */
	const char *want;          /* cf_rules_apply_check(): the text the output
	                            * must equal, or NULL */
	size_t want_len;
} cf_rules_out;

/* A new, empty rule set that swaps in direction dir. */
int cf_rules_new(cf_rules **out, cf_rules_dir dir, cf_error *err);
void cf_rules_free(cf_rules **r);

/* Add a lexicon from a TSV buffer: lines "a<TAB>b[<TAB>tag]", '#' comments.
 * Tag "name" means: match only capitalised or upper-case words in first-
 * name position (rules_names.c); "ambig-name": the same, and only with
 * evidence of name use; "before-name": only before a capitalised name (a
 * source that already has a target keeps it for other places: sir -> madam,
 * Sir John -> Dame John); "noun-verb", "wedding", "interj": see rules_names.c; "keep":
 * the phrase a is left as it is and no shorter entry fires inside it (man-
 * made, mother tongue; b is ignored); tag "oneway":
 * the line is used a -> b only (and not at all under b_to_a); tag "neutral":
 * a is an unmarked form (tailor for seamstress), the line is used b -> a
 * only (and not at all under a_to_b); tags "name-m2f", "name-f2m" (and
 * "ambig-name-m2f", "ambig-name-f2m"): as "name" ("ambig-name"), used
 * a -> b only, b -> a only (a name whose partner has another partner);
 * "rare-name-m2f", "rare-name-f2m": as name-m2f / name-f2m, but only in a
 * text the gender pack edits (a fallback partner, see rules_names.c).
 * A source
 * word already defined keeps its first target (except her/his, which keep
 * both for the gender module).  rule names the lexicon in provenance.
 * Errors: CF_ECONFIG "NAME:LINE: ..." for a malformed line, "NAME:LINE:COL:
 * invalid UTF-8" (or "NUL byte") for a line that is not valid UTF-8. */
int cf_rules_add_lexicon(cf_rules *r, const char *rule, const char *name,
                         const char *buf, size_t len, cf_error *err);
/* Same from a file; rule defaults to path. */
int cf_rules_add_lexicon_file(cf_rules *r, const char *rule,
                              const char *path, cf_error *err);
/* Built-in pack by name (gender, names, negation, antonyms): the file
 * PACK.tsv found by the data-file search order (pipeline/util/datafile.h:
 * $CFAUG_LEXICONS, the source tree's lexicons/, the installed ones).
 * Unknown pack or missing file: CF_ECONFIG naming every place looked. */
int cf_rules_add_pack(cf_rules *r, const char *pack, cf_error *err);
/* Full path of a pack's file into buf; 0 if found, -1 if not. */
int cf_rules_pack_path(const char *pack, char *buf, size_t bufsz);

/* Add a user regex rule (PCRE2, UTF+UCP, JIT).  Replacement may use $N,
 * ${N} and $$.  On a bad pattern, or a replacement that is not valid UTF-8,
 * returns CF_ECONFIG and sets *erroff (the
 * pattern offset, or (size_t)-1 for an error in the replacement) and msg. */
int cf_rules_add_pattern(cf_rules *r, const char *rule, const char *pattern,
                         const char *replace, size_t *erroff, char *msg,
                         size_t msgsz);

/* Negation scope (sentiment flips).  With words > 0, a word at most `words`
 * words after a negator (not, no, never, nothing, none, nobody, nor,
 * neither, hardly, without, cannot, or a word ending in n't), with no
 * clause break between (. , ; : ! ? ( ) " < or but/however/although/though),
 * is negated, and apply() then:
 *   - does not swap a word of an ordinary rule inside a negated scope
 *     ("not good" never becomes "not bad"): it removes the negator instead
 *     when that is "not" or "never" and nothing was edited since it ("not
 *     good" -> "good"), and otherwise leaves the phrase alone;
 *   - makes an edit of a negation rule (cf_rules_mark_negation; the pack
 *     "negation" is marked by cf_rules_add_pack) only when an ordinary rule
 *     matches a word within the scope after it ("is good" -> "is not good",
 *     "isn't good" -> "is good"); the swap in its scope is then skipped.
 * 0 (the default) turns all of this off.  Before compile; CF_EINTERNAL for
 * words outside [0, CF_RULES_MAX_SCOPE]. */
int cf_rules_set_scope(cf_rules *r, int words, cf_error *err);
/* Direction of the lexicons and packs added from now on (before compile). */
void cf_rules_set_direction(cf_rules *r, cf_rules_dir dir);
/* Mark rule (an index from the rules added so far) as toggling negation. */
int cf_rules_mark_negation(cf_rules *r, uint32_t rule, cf_error *err);

/* Protected spans (rules_protect.c): mark rule (an index from the rules
 * added so far) as never editing inside a quoted title, a mid-sentence
 * Title-Case sequence, a URL, an @handle, a #tag or `code`.  apply() skips
 * such matches and counts them in out->nprotected.  Before compile. */
int cf_rules_set_protect(cf_rules *r, uint32_t rule, cf_error *err);
/* Index of the last rule added (for the two marks above); -1 if none. */
int cf_rules_last_rule(const cf_rules *r);

/* Freeze the rule set (hash tables, longest-first order).  Once. */
int cf_rules_compile(cf_rules *r, cf_error *err);

/* Rewrite text (UTF-8, len bytes) into out.  Returns the number of edits
 * (0: nothing fired, out->text is a copy), or CF_ENOMEM / CF_ELIMIT.
 * amb, when not NULL, gets the gender decisions added to it. */
int cf_rules_apply(const cf_rules *r, const char *text, size_t len,
                   cf_rules_out *out, uint64_t amb[CF_AMB_COUNT]);
void cf_rules_out_free(cf_rules_out *out);

/* Round trip from the forward pass (issue 15): 1 if rev's words are all
 * words of fwd and rev has no pattern, no clause negation and no negation
 * scope, so that cf_rules_round_trip() may stand in for a full apply. */
int cf_rules_round_trip_ok(const cf_rules *fwd, const cf_rules *rev);

/* The full reverse pass of a round trip: 1 if cf_rules_apply(r, text, len)
 * writes exactly want[0, wlen), 0 if not, < 0 on error.  The output only
 * grows, so the pass stops at the first edit whose output departs from
 * want (most failed round trips: 60% of sentiment candidates); o then
 * holds a partial output. */
int cf_rules_apply_check(const cf_rules *r, const char *text, size_t len,
                         cf_rules_out *o, const char *want, size_t wlen);
/* Exactly cf_rules_apply(rev, fo->text, fo->len, back, NULL), where fo is
 * the output of fwd on some text with fo->track set and
 * cf_rules_round_trip_ok(fwd, rev): the reverse pass only visits the words
 * of fo->text that have entries in rev, taken from the forward pass's hits
 * away from its edits and skips, and from a fresh scan around them.  A
 * word without entries does nothing in apply(), so skipping it cannot
 * change the output.  Same returns as cf_rules_apply(). */
int cf_rules_round_trip(const cf_rules *rev, const cf_rules_out *fo,
                        cf_rules_out *back);

size_t cf_rules_nrules(const cf_rules *r);
const char *cf_rules_rule_name(const cf_rules *r, uint32_t rule);
cf_rules_dir cf_rules_direction(const cf_rules *r);

/* After a one-way apply: 1 if a word an edit put into out->text also
 * stands there (whole word, any ASCII case) where no edit wrote ("Mom and
 * mom"), with that word copied into word (wsz bytes); else 0.
 * rules_oneway.c. */
int cf_rules_one_way_collision(const cf_rules_out *out, char *word, size_t wsz);

/* Worker threads (rules_pool.c): tasks are applied by fn on nworkers
 * threads at once and handed back by cf_rules_pool_take() in submission
 * order, only after fn returned for them.  A task is a header inside the
 * caller's batch; the pool never frees one.  fn runs on a worker: it may
 * touch only its task and what is read-only while tasks run (compiled
 * rules), plus the scratch of its worker index. */
typedef struct cf_rules_task {
	struct cf_rules_task *next;
	int state;                 /* the pool's */
} cf_rules_task;
typedef struct cf_rules_pool cf_rules_pool;
typedef void (*cf_rules_pool_fn)(void *ctx, unsigned worker, cf_rules_task *t);
/* Start nworkers threads.  0, or CF_ENOMEM when one cannot be started. */
int cf_rules_pool_new(cf_rules_pool **out, unsigned nworkers,
                      cf_rules_pool_fn fn, void *ctx);
void cf_rules_pool_submit(cf_rules_pool *p, cf_rules_task *t);
/* The oldest task submitted and not yet taken, once it is done; waits up
 * to timeout_ms for it (0: not at all, < 0: as long as it takes).  NULL:
 * none is submitted, or the oldest is not done in time. */
cf_rules_task *cf_rules_pool_take(cf_rules_pool *p, int timeout_ms);
/* Stop the workers (a task being applied is finished first) and free the
 * pool; returns the tasks not taken, linked by next, for the caller to
 * release.  Accepts NULL and *pp == NULL; clears *pp. */
cf_rules_task *cf_rules_pool_free(cf_rules_pool **pp);

/* ---- shared by the engine's files -------------------------------------- */

/* cf_rules_is_word, cf_rules_ascii_word: rules_word.h (included above) */
/* memmem(h, hl, nd, n) by memchr on the needle's first byte and a memcmp:
 * the needles here are words starting with a capital, rare in running
 * text, so the SIMD memchr skips most of the haystack. */
static inline const char *cf_rules_find(const char *h, size_t hl,
                                        const char *nd, size_t n)
{
	const char *p = h, *last;

	if (n == 0)
		return h;
	if (hl < n)
		return NULL;
	last = h + (hl - n);
	while (p <= last && (p = memchr(p, (unsigned char)nd[0], (size_t)(last - p) + 1))) {
		if (memcmp(p + 1, nd + 1, n - 1) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Tokens around a position (rules_gender.c), for the context checks. */
enum { CF_TOK_END, CF_TOK_PUNCT, CF_TOK_WORD };
typedef struct cf_rules_tok {
	int kind;           /* CF_TOK_END, CF_TOK_PUNCT, CF_TOK_WORD */
	size_t s, e;        /* span */
	char w[24];         /* folded ASCII word, "" if too long or non-ASCII */
} cf_rules_tok;
/* The token starting at or after pos (white space skipped). */
cf_rules_tok cf_rules_next_tok(const char *text, size_t len, size_t pos);
/* The word ending right before pos; CF_TOK_PUNCT (one byte) or CF_TOK_END
 * when punctuation or the start of the text comes first. */
cf_rules_tok cf_rules_prev_tok(const char *text, size_t pos);

/* Gender module: given the text and the byte span of a `her` token, 1 if it
 * is possessive (-> his), 0 if object (-> him). */
int cf_rules_her_possessive(const char *text, size_t len, size_t start,
                            size_t end);
/* Given a `his` token: 1 if it stands alone (-> hers), 0 if it is a
 * determiner (-> her). */
int cf_rules_his_standalone(const char *text, size_t len, size_t start,
                            size_t end);

/* Protected spans of text: 1 if byte off lies in one, 0 if not, or
 * CF_ENOMEM / CF_ELIMIT.  Scans text on the first call after an apply
 * reset out->prot_done; the spans stay in out. */
typedef struct cf_rules_span { size_t s, e; int title; } cf_rules_span;
int cf_rules_protected_at(cf_rules_out *out, const char *text, size_t len,
                          size_t off);
/* 1 if another occurrence of the word text[ws, we) lies in a protected span
 * (the title "Veronica Mars" quoted once makes every Veronica a title); 0,
 * or CF_ENOMEM / CF_ELIMIT. */
int cf_rules_protected_elsewhere(cf_rules_out *out, const char *text,
                                 size_t len, size_t ws, size_t we);

/* Gender pack (rules_protect.c): 1 if the capitalised gendered word
 * text[ws, we) names a person or a work rather than a sex: a title before a
 * capitalised word (Queen Elizabeth, Queen Bee; not Sir/Dame/Lady before a
 * first name the names pack of r swaps), a word of a mid-sentence
 * Title-Case run (The Princess Bride, Tarzan and His Mate), a word in
 * capitals in running text (I gave LADY a 5/10). */
int cf_rules_gender_title(const cf_rules *r, const char *text, size_t len,
                          size_t ws, size_t we);
/* Mark rule as the gender pack: cf_rules_gender_title() protects its
 * words too.  Before compile. */
int cf_rules_set_gender_titles(cf_rules *r, uint32_t rule, cf_error *err);

/* Context conditions of lexicon entries (rules_names.c), from the TSV tag:
 * name, ambig-name, before-name, noun-verb, wedding, interj. */
enum { CF_CTX_NONE, CF_CTX_NAME, CF_CTX_AMBIG_NAME, CF_CTX_BEFORE_NAME,
       CF_CTX_NOUN_VERB, CF_CTX_WEDDING, CF_CTX_INTERJ, CF_CTX_RARE_NAME };
/* 1 if an entry of context ctx may fire on the word text[ws, we); lex: the
 * lexicon, asked whether words around it are first names (may be NULL). */
int cf_rules_ctx_ok(const cf_rules *lex, int ctx, const char *text, size_t len,
                    size_t ws, size_t we);
/* 1 if the capitalised word text[s, e) is a one-word first name of the
 * lexicon r (an entry tagged name or ambig-name); 0 if not or r is NULL. */
int cf_rules_first_name(const cf_rules *r, const char *text, size_t s, size_t e);
/* The sex column of the capitalised word text[s, e) if it is a one-word
 * first name tagged `name` (not ambig-name): 1 for the TSV's first column,
 * 2 for its second; 0 if none or r is NULL. */
int cf_rules_name_side(const cf_rules *r, const char *text, size_t s, size_t e);
/* The end of the unit if the first name at [ws, we), whose entry did not
 * fire, begins a person's two-part or first + middle name left alone as a
 * unit (Billy Bob Thornton, Lisa Marie Presley; not the title of a work);
 * 0 if not. */
size_t cf_rules_kept_person_name(const cf_rules *lex, const char *text,
                                 size_t len, size_t ws, size_t we);
/* 1 if the capitalised word at ws follows a first name, a title or an
 * initial (Stephen King, Mr. King): a surname, whatever else it means. */
int cf_rules_surname_position(const char *text, size_t len, size_t ws,
                              int prev_name);
/* 1 if a capitalised word (a name) follows position we: Sir John. */
int cf_rules_before_name(const char *text, size_t len, size_t we);

/* Pattern rules (rules_pattern.c), called by cf_rules_apply. */
typedef struct cf_rules_pat cf_rules_pat;
typedef struct cf_rules_pm {
	size_t off, len;           /* span in the input */
	size_t sub_off, sub_len;   /* replacement in out->sub */
	uint32_t rule;
} cf_rules_pm;
int cf_rules_pat_new(cf_rules_pat **out, uint32_t rule, const char *pattern,
                     const char *replace, size_t *erroff, char *msg,
                     size_t msgsz);
void cf_rules_pat_free(cf_rules_pat *p);
void cf_rules_pat_free_md(void *md);
/* Append p's matches in text to out->pm (skipping ones overlapping matches
 * already there); returns 0 or CF_ENOMEM / CF_ELIMIT. */
int cf_rules_pat_scan(const cf_rules_pat *p, const char *text, size_t len,
                      cf_rules_out *out);

/* Sentiment-pack checks (rules_antonym.c).  mid_capital: 1 if the word at
 * ws starts with a capital and is not first in its sentence (a name or a
 * title).  in_compound: 1 if text[ws, we) is part of a hyphenated word.
 * vowel_sound: 1 if the word takes "an".  npi: the negative-polarity form
 * of a folded word (some -> any), or NULL.  no_negation_before: 1 for an
 * adverb a "not" reads badly before (somewhat, truly, at best).
 * read_phrases: calls add for each phrase line of path ('#' comments);
 * returns 0, CF_EIO, CF_ECONFIG "PATH:LINE: ...", or add's code. */
int cf_rules_mid_capital(const char *text, size_t len, size_t ws);
/* Parts of speech of a lexicon line's tag (adj, adv, verb, noun). */
enum { CF_POS_NONE, CF_POS_VERB, CF_POS_ADJ, CF_POS_ADV, CF_POS_NOUN };
/* 1 if the word text[ws, we), an entry of part of speech pos, is used as
 * another here: a verb after a determiner, possessive or preposition ("my
 * love", "in hate"); an -ing adjective before an object ("boring a hole",
 * "engaging the audience"). */
int cf_rules_pos_mismatch(int pos, const char *text, size_t len, size_t ws,
                          size_t we);
int cf_rules_in_compound(const char *text, size_t len, size_t ws, size_t we);
/* 1 if a verb entry at ws has no I/we/you among the three words before it
 * in its clause and does not start a sentence or follow a comma: a
 * character's feeling ("he hates his father"), not the reviewer's. */
int cf_rules_plot_verb(int pos, const char *text, size_t ws);
int cf_rules_vowel_sound(const char *w, size_t n);
const char *cf_rules_npi(const char *key, size_t n);
int cf_rules_no_negation_before(const char *key, size_t n);
int cf_rules_read_phrases(const char *path,
                          int (*add)(void *ctx, const char *s, size_t n),
                          void *ctx, cf_error *err);

/* Contexts where an antonyms-pack word is not an evaluation
 * (lexicons/antonym-contexts.tsv: word, next|prev, neighbours).  load: a
 * missing file is an empty list; CF_ECONFIG "PATH:LINE: ..." for a bad
 * line.  blocked: 1 if text[ws, we) has a listed neighbour. */
typedef struct cf_rules_sense cf_rules_sense;
int cf_rules_sense_load(cf_rules_sense **out, const char *path, cf_error *err);
void cf_rules_sense_free(cf_rules_sense *s);
int cf_rules_sense_blocked(const cf_rules_sense *s, const char *text,
                           size_t len, size_t ws, size_t we);

/* Clause negation (rules_negation.c): the `negation` pack when no negation
 * scope is set.  load reads the verb table (lexicons/english-verbs.txt);
 * scan appends at most one negation toggle per sentence of text, and its
 * polarity items, to out->pm as replacements of rule, and the span of each
 * toggled clause to out->negcl.  Returns 0 or
 * CF_ENOMEM / CF_ELIMIT (scan), CF_EIO / CF_ECONFIG (load). */
typedef struct cf_rules_neg cf_rules_neg;
int cf_rules_neg_load(cf_rules_neg **out, const char *path, cf_error *err);
void cf_rules_neg_free(cf_rules_neg *ng);
int cf_rules_neg_scan(const cf_rules_neg *ng, uint32_t rule, const char *text,
                      size_t len, cf_rules_out *out, uint64_t *amb);

/* Append out's edits of field to candidate c's edit spans (the hint
 * edit_filter reads; rules_spans.c).  0 or CF_ENOMEM. */
struct cf_item;
int cf_rules_note_spans(struct cf_item *c, const char *field,
                        const cf_rules_out *out);

/* The full_flip check (rules_stance.c): stance words of the two labels
 * (lexicons/antonym-stance.tsv: word, positive|negative[, ...]) and the
 * antonym contexts that make a use non-evaluative.  left: 1 and the span
 * [*ls, *le) of the first stance of side (0 positive, 1 negative) that
 * text still holds (an un-negated stance word of side, a negated one of
 * the other side, a rating on side), 2 and the sentence's span if a
 * sentence with no edit among ed (output spans) reads as stance-bearing
 * to the sentence model (antonym-stance-sentences.tsv), else 0.  load:
 * also that model, and the antonym
 * contexts and idioms, uses that are not evaluations; 0, CF_EIO,
 * CF_ENOMEM or CF_ECONFIG "PATH:LINE: ...". */
typedef struct cf_rules_stance cf_rules_stance;
int cf_rules_stance_load(cf_rules_stance **out, const char *path,
                         const char *contexts, const char *idioms,
                         const char *sentences, cf_error *err);
void cf_rules_stance_free(cf_rules_stance *s);
int cf_rules_stance_left(const cf_rules_stance *s, int side, const char *text,
                         size_t len, const cf_rules_edit *ed, size_t ned,
                         size_t *ls, size_t *le);

#endif
