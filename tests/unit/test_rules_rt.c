/*
 * test_rules_rt.c - the round trip from the forward pass
 * (cf_rules_round_trip) gives exactly what a full reverse apply gives,
 * and apply's prescan (only the words with entries are visited) what a
 * scan of every word gives: the same text and the same edits, for the gender, names and user
 * lexicon rule sets (multi-word, keep and protected phrases, user regexes
 * in the forward set only), over every line of the golden cases' inputs,
 * the her/his sets and texts written to catch the window edges.  With
 * CFAUG_RT_CORPUS=FILE it also checks every line of FILE (a bench corpus:
 * bench/make_corpus.sh 60 bench/work/cad60.jsonl), the proof on real data.
 * The sentiment packs (negation scope, label_direction) keep the full
 * reverse pass; cf_rules_apply_check() stops it at the first departing
 * edit and must say exactly whether the full pass gives the original.
 * Their scan's shortcuts (issue 15, sspeed2: entry chains skipped by the
 * next word's first bytes, words folded only when they may be keys or
 * scope words, no-op words skipped while no scope is open) must give
 * what the reference path (every_word: every word folded and looked up,
 * every chain walked) gives, forward and backward: text, edits, decisions,
 * protected skips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <cmocka.h>
#include "../../stages/rules/rules.h"

/* A rule set as the stage builds it (rules.c build()): packs protected,
 * the gender pack's titles, then the user lexicon and patterns. */
static cf_rules *mk(cf_rules_dir dir, const char *packs, const char *lex,
                    const char *pattern, const char *repl)
{
	cf_rules *r = NULL;
	cf_error err = { 0 };
	char buf[256], *save = NULL, *p;
	size_t off;

	assert_int_equal(cf_rules_new(&r, dir, &err), 0);
	snprintf(buf, sizeof buf, "%s", packs ? packs : "");
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (cf_rules_add_pack(r, p, &err))
			fail_msg("pack %s: %s", p, err.msg);
		uint32_t last = (uint32_t)cf_rules_last_rule(r);
		assert_int_equal(cf_rules_set_protect(r, last, &err), 0);
		if (!strcmp(p, "gender"))
			assert_int_equal(cf_rules_set_gender_titles(r, last, &err), 0);
	}
	if (lex)
		assert_int_equal(cf_rules_add_lexicon(r, "user", "user.tsv", lex,
		                                      strlen(lex), &err), 0);
	if (pattern) {
		char msg[128];
		assert_int_equal(cf_rules_add_pattern(r, "re", pattern, repl, &off, msg,
		                                      sizeof msg), 0);
	}
	assert_int_equal(cf_rules_compile(r, &err), 0);
	return r;
}

typedef struct rt_set {
	cf_rules *fwd, *rev;
	cf_rules_out fo, full, fast, plain;
	size_t texts, edited;
} rt_set;

/* Forward apply with tracking; the reverse both ways; compare. */
static void check(rt_set *s, const char *text, size_t len)
{
	uint64_t amb_fast[CF_AMB_COUNT] = { 0 }, amb_every[CF_AMB_COUNT] = { 0 };
	int n, nf, ns, np;

	s->fo.track = 1;
	n = cf_rules_apply(s->fwd, text, len, &s->fo, amb_fast);
	assert_true(n >= 0);
	/* neither tracking nor the prescan changes the forward output: the
	 * reference reads every word */
	s->plain.every_word = 1;
	np = cf_rules_apply(s->fwd, text, len, &s->plain, amb_every);
	assert_memory_equal(amb_fast, amb_every, sizeof amb_fast);
	assert_int_equal(np, n);
	assert_int_equal(s->plain.len, s->fo.len);
	assert_memory_equal(s->plain.text, s->fo.text, s->fo.len);
	for (int i = 0; i < n; i++)
		assert_true(s->plain.edits[i].src_off == s->fo.edits[i].src_off &&
		            s->plain.edits[i].dst_len == s->fo.edits[i].dst_len &&
		            s->plain.edits[i].rule == s->fo.edits[i].rule &&
		            s->plain.edits[i].amb == s->fo.edits[i].amb);
	assert_int_equal(s->plain.nprotected, s->fo.nprotected);
	assert_int_equal(s->plain.kept_e, s->fo.kept_e);
	s->texts++;
	if (n == 0)
		return;
	s->edited++;
	s->full.every_word = 1;
	nf = cf_rules_apply(s->rev, s->fo.text, s->fo.len, &s->full, NULL);
	ns = cf_rules_round_trip(s->rev, &s->fo, &s->fast);
	if (nf != ns || s->full.len != s->fast.len ||
	    memcmp(s->full.text, s->fast.text, s->full.len) != 0)
		fail_msg("round trip differs (%d vs %d edits)\nforward: %s\nfull:    %s\n"
		         "fast:    %s", nf, ns, s->fo.text, s->full.text, s->fast.text);
	for (int i = 0; i < nf; i++) {
		const cf_rules_edit *a = &s->full.edits[i], *b = &s->fast.edits[i];
		assert_true(a->src_off == b->src_off && a->src_len == b->src_len &&
		            a->dst_off == b->dst_off && a->dst_len == b->dst_len &&
		            a->rule == b->rule && a->amb == b->amb);
	}
}

static void check_lines(rt_set *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = getline(&line, &cap, f)) > 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		check(s, line, (size_t)n);
	}
	free(line);
	fclose(f);
}

static const char *const texts[] = {
	/* edits next to each other, joined by non-ASCII and apostrophes */
	"his her him hers he she man woman",
	"He told her that his wife's sister's husband's man's hat was hers.",
	"the King’s queen and the Queen's king; the kings' queens’ crowns",
	"Mr. Smith and Mrs. Smith met Sir John and Lady Jane at the best man's toast.",
	"«her»his—him…hers “he” ‘she’ (man)[woman]{boy}girl",
	"herhis him-her her/his his_her HER HIS Her His",
	"The Princess Bride, Queen Elizabeth, King Kong and \"The King and I\"",
	"Uncle Tom's Cabin was written by a woman; her brother was a man.",
	"He met Billy Bob Thornton and Lisa Marie Presley, then his mother.",
	"actor actress actors actresses waiter waitress hero heroine",
	"the man-made lake, a mother tongue, the man of the hour, the best man",
	"héros héroïne Straße his élève her",
	"James' car and Mary's car; the gentlemen's hats and the ladies' hats",
	"a his b her c him d hers e he f she g",
	"hisher herhim he'd she'd he'll she'll he's she's",
	"",
	"his",
	"her.",
	".him",
	"The King said: \"Long live the Queen!\" and the queen said nothing to him.",
	"Tom Hanks and his wife; Julia Roberts and her husband; Queen Bee",
	"John loves Mary. Mary loves John. He loves her; she loves him.",
	"I gave LADY a 5/10 and LORD a 6/10, but my father liked it.",
	"Dukes of Hazzard, the Duchess and the duke, @his_handle #herstory `his`",
	"see http://example.com/his/her?him=he and www.man.com for the woman",
	"sir, madam, Sir Elton, Dame Judi, mister, miss, Mister Rogers",
};

static const char lex[] =
	"boss\tbossess\n"
	"big cheese\tlittle cheese\n"
	"the man of the hour\tthe woman of the hour\tkeep\n"
	"red car\tblue car\n"
	"car\tbike\n";

static void run_set(const char *packs, const char *lexicon, const char *pattern,
                    const char *repl, int must_be_ok)
{
	rt_set s = { 0 };
	glob_t g;

	s.fwd = mk(CF_RULES_BOTH, packs, lexicon, pattern, repl);
	s.rev = mk(CF_RULES_BOTH, packs, lexicon, NULL, NULL);
	assert_int_equal(cf_rules_round_trip_ok(s.fwd, s.rev), must_be_ok);
	if (!must_be_ok)
		goto done;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		check(&s, texts[i], strlen(texts[i]));
	check(&s, "the big cheese, the red car and the boss's car", 46);
	/* a regex edit glued to the word after it: "zzr" -> "her" */
	check(&s, "zzr said zzr; zzis zzr's hat zz", 31);
	if (glob("tests/cases/*/input.*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			check_lines(&s, g.gl_pathv[i]);
		globfree(&g);
	}
	check_lines(&s, TEST_DATA_DIR "/rules/her_dev.tsv");
	check_lines(&s, TEST_DATA_DIR "/rules/her_test.tsv");
	const char *corpus = getenv("CFAUG_RT_CORPUS");
	if (corpus && *corpus) {
		check_lines(&s, corpus);
		fprintf(stderr, "[%s] %s: %zu texts, %zu edited, all identical\n",
		        packs, corpus, s.texts, s.edited);
	}
	assert_true(s.edited > 20);
done:
	cf_rules_out_free(&s.fo);
	cf_rules_out_free(&s.full);
	cf_rules_out_free(&s.fast);
	cf_rules_out_free(&s.plain);
	cf_rules_free(&s.fwd);
	cf_rules_free(&s.rev);
}

static void test_gender(void **st) { (void)st; run_set("gender", NULL, NULL, NULL, 1); }
static void test_gender_names(void **st) { (void)st; run_set("gender,names", NULL, NULL, NULL, 1); }
static void test_user_lexicon_pattern(void **st)
{
	(void)st;
	run_set("gender,names", lex, "\\b[Ww]ife\\b", "X", 1);
	run_set("gender", NULL, "zz", "he", 1);
}
static void test_antonyms(void **st) { (void)st; run_set("antonyms", lex, NULL, NULL, 1); }

/* Clause negation reads whole sentences: the full pass stays. */
static void test_negation_falls_back(void **st)
{
	(void)st;
	run_set("negation,antonyms", NULL, NULL, NULL, 0);
}

/* A reverse set with a word the forward set lacks (one-way directions):
 * the forward pass's hits cannot stand for it, the full pass stays. */
static void test_one_way_falls_back(void **st)
{
	cf_rules *f, *r;

	(void)st;
	f = mk(CF_RULES_A_TO_B, NULL, lex, NULL, NULL);
	r = mk(CF_RULES_B_TO_A, NULL, lex, NULL, NULL);
	assert_int_equal(cf_rules_round_trip_ok(f, r), 0);
	assert_int_equal(cf_rules_round_trip_ok(f, f), 1);
	cf_rules_free(&f);
	cf_rules_free(&r);
}

/* The sentiment packs as the stage builds them by label (rules.c build():
 * scope 3, negation both ways, antonyms one way; the reverse set both). */
static cf_rules *mk_senti(cf_rules_dir dir)
{
	cf_rules *r = NULL;
	cf_error err = { 0 };

	assert_int_equal(cf_rules_new(&r, dir, &err), 0);
	assert_int_equal(cf_rules_set_scope(r, 3, &err), 0);
	cf_rules_set_direction(r, CF_RULES_BOTH);
	assert_int_equal(cf_rules_add_pack(r, "negation", &err), 0);
	cf_rules_set_direction(r, dir);
	assert_int_equal(cf_rules_set_protect(r, (uint32_t)cf_rules_last_rule(r), &err), 0);
	assert_int_equal(cf_rules_add_pack(r, "antonyms", &err), 0);
	assert_int_equal(cf_rules_set_protect(r, (uint32_t)cf_rules_last_rule(r), &err), 0);
	assert_int_equal(cf_rules_compile(r, &err), 0);
	return r;
}

typedef struct chk_set {
	cf_rules *fwd[3], *rev;
	cf_rules_out fo, full, part, fast, ref;
	size_t edited, exact, applied;
} chk_set;

/* apply(r, text) by the fast path and by the reference path agree */
static int same_apply(chk_set *s, const cf_rules *r, const char *text, size_t len)
{
	uint64_t af[CF_AMB_COUNT] = { 0 }, ar[CF_AMB_COUNT] = { 0 };
	int n = cf_rules_apply(r, text, len, &s->fast, af);

	s->ref.every_word = 1;
	assert_int_equal(cf_rules_apply(r, text, len, &s->ref, ar), n);
	if (s->fast.len != s->ref.len || memcmp(s->fast.text, s->ref.text, s->ref.len))
		fail_msg("fast path differs from the reference\ntext: %.*s\nfast: %s\n"
		         "ref:  %s", (int)len, text, s->fast.text, s->ref.text);
	for (int i = 0; i < n; i++) {
		const cf_rules_edit *a = &s->fast.edits[i], *b = &s->ref.edits[i];
		assert_true(a->src_off == b->src_off && a->src_len == b->src_len &&
		            a->dst_off == b->dst_off && a->dst_len == b->dst_len &&
		            a->rule == b->rule && a->amb == b->amb);
	}
	assert_memory_equal(af, ar, sizeof af);
	assert_int_equal(s->fast.nprotected, s->ref.nprotected);
	s->applied++;
	return n;
}

static void check_one(chk_set *s, const char *text, size_t len)
{
	/* by label (a_to_b, b_to_a) and both ways (no label_direction) */
	for (int d = 0; d < 3; d++) {
		int n = same_apply(s, s->fwd[d], text, len);
		assert_int_equal(cf_rules_apply(s->fwd[d], text, len, &s->fo, NULL), n);
		if (n == 0)
			continue;
		s->edited++;
		same_apply(s, s->rev, s->fo.text, s->fo.len);   /* the reverse pass */
		s->full.every_word = 1;
		assert_true(cf_rules_apply(s->rev, s->fo.text, s->fo.len, &s->full, NULL) >= 0);
		int want = s->full.len == len && memcmp(s->full.text, text, len) == 0;
		int got = cf_rules_apply_check(s->rev, s->fo.text, s->fo.len, &s->part,
		                               text, len);
		if (got != want)
			fail_msg("apply_check %d, full pass %d\nforward: %s\nfull:    %s",
			         got, want, s->fo.text, s->full.text);
		s->exact += (size_t)want;
		/* against its own full output it always holds */
		assert_int_equal(cf_rules_apply_check(s->rev, s->fo.text, s->fo.len,
		                                      &s->part, s->full.text,
		                                      s->full.len), 1);
	}
}

static void check_file(chk_set *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = getline(&line, &cap, f)) > 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		check_one(s, line, (size_t)n);
	}
	free(line);
	fclose(f);
}

static void test_sentiment_apply_check(void **st)
{
	chk_set s = { 0 };
	glob_t g;

	(void)st;
	s.fwd[0] = mk_senti(CF_RULES_A_TO_B);
	s.fwd[1] = mk_senti(CF_RULES_B_TO_A);
	s.fwd[2] = mk_senti(CF_RULES_BOTH);
	s.rev = mk_senti(CF_RULES_BOTH);
	check_one(&s, "The food was good, but the service was not bad at all.", 54);
	check_one(&s, "I loved it and she hated it; it is not great, too.", 50);
	/* the words that open and close a scope, next to pack words */
	static const char *const scoped[] = {
		"It was not good but it was great, and the cast is bad.",
		"It isn't bad, however boring it is; hardly good and the plot is bad.",
		"Without doubt good, neither good nor bad, nothing good or great.",
		"It was never good.  Nobody was great (not bad) \"not good\" either",
		"The acting wasn’t good although the story is great though dull.",
		"It was not so bad it's good, it was not bad-it's-good, that's too bad",
		"Good, Bad and Ugly: THE GOOD is not GOOD; I did not love it either",
	};
	for (size_t i = 0; i < sizeof scoped / sizeof scoped[0]; i++)
		check_one(&s, scoped[i], strlen(scoped[i]));
	if (glob("tests/cases/*/input.*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			check_file(&s, g.gl_pathv[i]);
		globfree(&g);
	}
	const char *corpus = getenv("CFAUG_RT_CORPUS");
	if (corpus && *corpus)
		check_file(&s, corpus);
	fprintf(stderr, "[sentiment] %zu applies: fast path == reference; %zu "
	        "edited, %zu round-trip exactly, apply_check agrees on all\n",
	        s.applied, s.edited, s.exact);
	/* both outcomes were exercised */
	assert_true(s.edited > 20 && s.exact > 0 && s.exact < s.edited);
	cf_rules_out_free(&s.fo);
	cf_rules_out_free(&s.full);
	cf_rules_out_free(&s.part);
	cf_rules_out_free(&s.fast);
	cf_rules_out_free(&s.ref);
	for (int d = 0; d < 3; d++)
		cf_rules_free(&s.fwd[d]);
	cf_rules_free(&s.rev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gender),
		cmocka_unit_test(test_gender_names),
		cmocka_unit_test(test_user_lexicon_pattern),
		cmocka_unit_test(test_antonyms),
		cmocka_unit_test(test_negation_falls_back),
		cmocka_unit_test(test_one_way_falls_back),
		cmocka_unit_test(test_sentiment_apply_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
