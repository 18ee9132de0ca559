/*
 * test_rules.c - the rules engine without the runner: one string in, the
 * expected string out.  Case, word boundaries, Unicode, multi-word entries,
 * possessive 's, her/his/him/hers both ways, names, direction, negation and
 * antonym packs, negation scope, user regex rules and their errors, edit
 * spans.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../stages/rules/rules.h"

/* A compiled rule set from packs (comma list) and an inline lexicon. */
static cf_rules *mk(cf_rules_dir dir, const char *packs, const char *lex)
{
	cf_rules *r = NULL;
	cf_error err = { 0 };
	char buf[256], *save = NULL, *p;

	assert_int_equal(cf_rules_new(&r, dir, &err), 0);
	if (packs) {
		snprintf(buf, sizeof buf, "%s", packs);
		for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			int rc = cf_rules_add_pack(r, p, &err);
			if (rc)
				fail_msg("pack %s: %s", p, err.msg);
		}
	}
	if (lex)
		assert_int_equal(cf_rules_add_lexicon(r, "inline", "inline.tsv", lex,
		                                      strlen(lex), &err), 0);
	assert_int_equal(cf_rules_compile(r, &err), 0);
	return r;
}

static void expect(const cf_rules *r, const char *in, const char *want)
{
	cf_rules_out o = { 0 };
	int n = cf_rules_apply(r, in, strlen(in), &o, NULL);

	assert_true(n >= 0);
	if (strcmp(o.text, want) != 0)
		fail_msg("in:   %s\nwant: %s\ngot:  %s", in, want, o.text);
	assert_int_equal(n == 0, strcmp(in, want) == 0);
	cf_rules_out_free(&o);
}

static void test_case_follows_source(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, "gender", NULL);

	expect(r, "he said", "she said");
	expect(r, "He said", "She said");
	expect(r, "HE SAID", "SHE SAID");
	expect(r, "The King and the QUEEN", "The Queen and the KING");
	expect(r, "Mr. Smith met Mrs. Jones", "Ms. Smith met Mr. Jones");
	cf_rules_free(&r);
}

static void test_whole_words_only(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, "gender", NULL);

	expect(r, "the theme there, hello shell", "the theme there, hello shell");
	expect(r, "manager of menswear, human", "manager of womenswear, human");
	expect(r, "he_said he2", "he_said he2");
	expect(r, "(he)", "(she)");
	expect(r, "he-man", "she-woman");
	cf_rules_free(&r);
}

static void test_unicode_words(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, NULL,
	                 "élève\tétudiant\nStraße\tGasse\nзал\tкомната\n");

	expect(r, "une élève", "une étudiant");
	expect(r, "Élève", "Étudiant");
	expect(r, "l'élève.", "l'étudiant.");
	/* Straßenbahn is one word: no match inside it */
	expect(r, "Straßenbahn, Straße", "Straßenbahn, Gasse");
	expect(r, "ÉLÈVE", "ÉTUDIANT");
	expect(r, "Зал", "Комната");
	/* a non-ASCII letter next to the word makes it a longer word */
	expect(r, "élèves", "élèves");
	/* invalid UTF-8 around a word is not a letter */
	expect(r, "\xff" "élève\xfe", "\xff" "étudiant\xfe");
	cf_rules_free(&r);
}

static void test_multi_word_and_possessive(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, "gender", NULL);

	expect(r, "He was his best man.", "She was her maid of honor.");
	expect(r, "his best  man", "her maid of honor");
	expect(r, "His Best Man", "Her Maid of Honor");
	expect(r, "Best man at", "Maid of honor at");
	expect(r, "HIS BEST MAN", "HER MAID OF HONOR");
	expect(r, "The Maid Of Honor", "The Best Man");
	expect(r, "the best manager", "the best manager");
	expect(r, "the man's hat", "the woman's hat");
	expect(r, "the man\xe2\x80\x99s hat", "the woman\xe2\x80\x99s hat");
	expect(r, "the women's room", "the men's room");
	cf_rules_free(&r);
}

static void test_her_both_ways(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, "gender", NULL);

	expect(r, "She wished her well.", "He wished him well.");
	expect(r, "Her idea was good.", "His idea was good.");
	expect(r, "I like her.", "I like him.");
	expect(r, "I gave her a book", "I gave him a book");
	expect(r, "with her own hands", "with his own hands");
	expect(r, "her well-being", "his well-being");
	expect(r, "let her go", "let him go");
	expect(r, "a woman with her back to the camera",
	       "a man with his back to the camera");
	expect(r, "brought her back.", "brought him back.");
	expect(r, "made her happy.", "made him happy.");
	expect(r, "her happy face", "his happy face");
	expect(r, "treated her badly", "treated him badly");
	expect(r, "her lovely voice", "his lovely voice");
	expect(r, "saw her leaving the house", "saw him leaving the house");
	expect(r, "the book is hers", "the book is his");
	/* two objects: a mass or plural noun, or a number, after give/pay/... */
	expect(r, "He gave her money.", "She gave him money.");
	expect(r, "and refused to pay her tips.", "and refused to pay him tips.");
	expect(r, "gave her incorrect information.", "gave him incorrect information.");
	expect(r, "charged her one thousand dollars", "charged him one thousand dollars");
	expect(r, "bring her flowers once in a while", "bring him flowers once in a while");
	expect(r, "gave her book to the teacher", "gave his book to the teacher");
	expect(r, "gave her money to charity.", "gave his money to charity.");
	expect(r, "wished her happy birthday.", "wished him happy birthday.");
	expect(r, "she wished her husband were here", "he wished his wife were here");
	/* small clauses and never-noun verbs */
	expect(r, "made her very happy.", "made him very happy.");
	expect(r, "to make her less trusting.", "to make him less trusting.");
	expect(r, "her very first film", "his very first film");
	expect(r, "helped her settle in", "helped him settle in");
	expect(r, "never drove her anywhere.", "never drove him anywhere.");
	expect(r, "told her tomorrow is another day.", "told him tomorrow is another day.");
	expect(r, "and treated her bad.", "and treated him bad.");
	expect(r, "her bad knee", "his bad knee");
	/* and the other way */
	expect(r, "his idea", "her idea");
	expect(r, "I like him", "I like her");
	expect(r, "the book is his.", "the book is hers.");
	expect(r, "His is better", "Hers is better");
	expect(r, "his or her mind", "her or his mind");
	expect(r, "HIS HAT AND HIM", "HER HAT AND HER");
	expect(r, "himself", "herself");
	cf_rules_free(&r);
}

/* tag neutral: the unmarked form is never made feminine */
static void test_neutral_tag(void **state)
{
	static const char lex[] = "tailor\tseamstress\tneutral\n";
	cf_rules *r = mk(CF_RULES_BOTH, "gender", NULL);
	cf_rules *ab = mk(CF_RULES_A_TO_B, NULL, lex), *ba = mk(CF_RULES_B_TO_A, NULL, lex);

	(void)state;
	expect(r, "the tailor said he", "the tailor said she");
	expect(r, "the seamstress said she", "the tailor said he");
	expect(ab, "the seamstress", "the seamstress");
	expect(ba, "the Seamstress and the tailor", "the Tailor and the tailor");
	cf_rules_free(&r);
	cf_rules_free(&ab);
	cf_rules_free(&ba);
}

static void test_direction(void **state)
{
	cf_rules *ab = mk(CF_RULES_A_TO_B, "gender", NULL);
	cf_rules *ba = mk(CF_RULES_B_TO_A, "gender", NULL);

	expect(ab, "he and she saw him and her hat", "she and she saw her and her hat");
	expect(ba, "he and she saw him and her hat", "he and he saw him and his hat");
	cf_rules_free(&ab);
	cf_rules_free(&ba);
}

static void test_names(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, "gender,names", NULL);
	cf_rules_out o = { 0 };
	const char *in = "James met Mary. Later James left; JAMES was sad.";
	char *a, *b;

	expect(r, "James and Mary", "Mary and James");
	/* consistent: the same name maps to the same partner everywhere */
	assert_true(cf_rules_apply(r, in, strlen(in), &o, NULL) == 4);
	assert_string_equal(o.text, "Mary met James. Later Mary left; MARY was sad.");
	/* only capitalised words are names */
	expect(r, "james", "james");
	/* the stoplist keeps both-sex names; common words stay words */
	expect(r, "Jordan and Kim met.", "Jordan and Kim met.");
	expect(r, "Will you sign? The bill was a mark of hope.",
	       "Will you sign? The bill was a mark of hope.");
	/* pairs are one-to-one: swapping twice gives the name back */
	assert_int_equal(cf_rules_apply(r, "Robert", 6, &o, NULL), 1);
	a = strdup(o.text);
	assert_int_equal(cf_rules_apply(r, a, strlen(a), &o, NULL), 1);
	b = o.text;
	assert_string_equal(b, "Robert");
	free(a);
	cf_rules_out_free(&o);
	cf_rules_free(&r);
}

static void test_negation_pack(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, "negation", NULL);

	expect(r, "It is good.", "It is not good.");
	expect(r, "It is not good.", "It is good.");
	expect(r, "It isn't good.", "It is good.");
	expect(r, "It isn\xe2\x80\x99t good.", "It is good.");
	expect(r, "He doesn't like it", "He likes it");
	expect(r, "He does the job", "He does not do the job");
	expect(r, "They were sad; I can't wait", "They were not sad; I can wait");
	expect(r, "It Was fine. IT WAS FINE", "It Was not fine. IT WAS NOT FINE");
	cf_rules_free(&r);
}

static void test_antonyms_pack(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, "antonyms", NULL);

	expect(r, "A good film with great acting; I loved it.",
	       "A bad film with terrible acting; I hated it.");
	expect(r, "The worst. Boring!", "The best. Interesting!");
	expect(r, "goodness", "goodness");
	cf_rules_free(&r);
}

/* Packs with a negation scope of `scope` words. */
static cf_rules *mk_scope(const char *packs, int scope)
{
	cf_rules *r = NULL;
	cf_error err = { 0 };
	char buf[256], *save = NULL, *p;

	assert_int_equal(cf_rules_new(&r, CF_RULES_BOTH, &err), 0);
	assert_int_equal(cf_rules_set_scope(r, scope, &err), 0);
	snprintf(buf, sizeof buf, "%s", packs);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		assert_int_equal(cf_rules_add_pack(r, p, &err), 0);
	assert_int_equal(cf_rules_compile(r, &err), 0);
	return r;
}

static void test_negation_scope(void **state)
{
	cf_rules *r = mk_scope("antonyms", 3), *n = mk_scope("negation,antonyms", 3);
	cf_rules *off = mk_scope("negation,antonyms", 0);
	cf_rules_out o = { 0 };
	cf_error err = { 0 };

	/* a negated antonym is not swapped: not/never are dropped instead */
	expect(r, "Not good! It is good.", "Good! It is bad.");
	expect(r, "I never liked it.", "I liked it.");
	expect(r, "It was not very interesting.", "It was very interesting.");
	expect(r, "not great or good", "great or good");
	/* other negators (no, n't) cannot be dropped: the phrase is kept */
	expect(r, "No good reason. A great film, not bad.",
	       "No good reason. A terrible film, bad.");
	expect(r, "It wasn\xe2\x80\x99t good", "It wasn\xe2\x80\x99t good");
	expect(r, "It isn't good at all, but the cast is great.",
	       "It isn't good at all, but the cast is terrible.");
	/* the scope ends at a clause break, at "but", and after 3 words */
	expect(r, "not long but good", "not long but bad");
	expect(r, "It is not at all a good film", "It is not at all a bad film");
	/* with the negation pack: the negation is toggled, only where it governs
	 * a swap, and the swap is then skipped (never "is not bad") */
	expect(n, "It is good.", "It is not good.");
	expect(n, "It isn't good.", "It is good.");
	expect(n, "I don't know why, but it is a great film.",
	       "I don't know why, but it is not a great film.");
	expect(n, "It was released in 1985.", "It was released in 1985.");
	/* scope 0: the clause the negation pack toggled gets no antonym swap
	 * (it was "It is not bad.", a double flip that cancels) */
	expect(off, "It is good.", "It is not good.");
	/* the dropped negator is an edit with an empty replacement */
	assert_int_equal(cf_rules_apply(r, "not good", 8, &o, NULL), 1);
	assert_string_equal(o.text, "good");
	assert_int_equal(o.edits[0].src_off, 0);
	assert_int_equal(o.edits[0].src_len, 4);
	assert_int_equal(o.edits[0].dst_len, 0);
	assert_int_equal(cf_rules_set_scope(r, 1, &err), CF_EINTERNAL);  /* compiled */
	cf_rules_out_free(&o);
	cf_rules_free(&r);
	cf_rules_free(&n);
	cf_rules_free(&off);
	assert_int_equal(cf_rules_new(&r, CF_RULES_BOTH, &err), 0);
	assert_int_equal(cf_rules_set_scope(r, CF_RULES_MAX_SCOPE + 1, &err),
	                 CF_EINTERNAL);
	cf_rules_free(&r);
}

static void test_patterns(void **state)
{
	cf_rules *r = NULL;
	cf_error err = { 0 };
	cf_rules_out o = { 0 };
	size_t off;
	char msg[256];
	const char *in = "The colour and the color; he said.";

	assert_int_equal(cf_rules_new(&r, CF_RULES_BOTH, &err), 0);
	assert_int_equal(cf_rules_add_pack(r, "gender", &err), 0);
	assert_int_equal(cf_rules_add_pattern(r, "shade", "\\bcolou?r\\b", "shade",
	                                      &off, msg, sizeof msg), 0);
	assert_int_equal(cf_rules_add_pattern(r, "swap", "(\\w+) (said)", "$2 ${1}$$",
	                                      &off, msg, sizeof msg), 0);
	assert_int_equal(cf_rules_compile(r, &err), 0);
	assert_int_equal(cf_rules_apply(r, in, strlen(in), &o, NULL), 3);
	/* the regex owns "he said": the lexicon does not also swap "he" */
	assert_string_equal(o.text, "The shade and the shade; said he$.");
	assert_string_equal(cf_rules_rule_name(r, o.edits[2].rule), "swap");
	cf_rules_out_free(&o);
	cf_rules_free(&r);

	/* a bad pattern: PCRE2's message and the offset */
	assert_int_equal(cf_rules_new(&r, CF_RULES_BOTH, &err), 0);
	assert_int_equal(cf_rules_add_pattern(r, "bad", "ab(c", "x", &off, msg,
	                                      sizeof msg), CF_ECONFIG);
	assert_int_equal(off, 4);
	assert_non_null(strstr(msg, "missing closing parenthesis"));
	/* a replacement naming a group the pattern lacks */
	assert_int_equal(cf_rules_add_pattern(r, "bad2", "(a)", "$2", &off, msg,
	                                      sizeof msg), CF_ECONFIG);
	assert_int_equal(off, (size_t)-1);
	assert_non_null(strstr(msg, "group 2"));
	/* a replacement that is not UTF-8 (found by fuzz_lexicon: every edited
	 * text became unusable) */
	assert_int_equal(cf_rules_add_pattern(r, "bad3", "(he)", "$1\xff", &off, msg,
	                                      sizeof msg), CF_ECONFIG);
	assert_int_equal(off, (size_t)-1);
	assert_non_null(strstr(msg, "not valid UTF-8"));
	cf_rules_free(&r);
}

static void test_edit_spans(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, "gender", NULL);
	cf_rules_out o = { 0 };
	const char *in = "he met the woman";
	size_t i;

	assert_int_equal(cf_rules_apply(r, in, strlen(in), &o, NULL), 2);
	assert_string_equal(o.text, "she met the man");
	for (i = 0; i < o.nedits; i++) {
		const cf_rules_edit *e = &o.edits[i];
		assert_true(e->src_off + e->src_len <= strlen(in));
		assert_true(e->dst_off + e->dst_len <= o.len);
	}
	assert_int_equal(o.edits[0].src_off, 0);
	assert_int_equal(o.edits[0].src_len, 2);
	assert_int_equal(o.edits[0].dst_len, 3);
	assert_memory_equal(in + o.edits[1].src_off, "woman", 5);
	assert_memory_equal(o.text + o.edits[1].dst_off, "man", 3);
	assert_int_equal(o.edits[1].dst_off, 12);
	/* nothing fired: a plain copy and zero edits */
	assert_int_equal(cf_rules_apply(r, "a cat", 5, &o, NULL), 0);
	assert_string_equal(o.text, "a cat");
	cf_rules_out_free(&o);
	cf_rules_free(&r);
}

/* One-way name tags (names.tsv's unpaired names): name-f2m swaps the
 * female name (column b) to the male one only, name-m2f the reverse; both
 * keep the first-name position check of "name", and ambig-name-* the need
 * for evidence of name use. */
static void test_oneway_name_tags(void **state)
{
	cf_rules *r = mk(CF_RULES_BOTH, NULL,
	                 "Paul\tEmily\tname\n"
	                 "Paul\tMabel\tname-f2m\n"
	                 "Ezra\tEmily\tname-m2f\n"
	                 "Frank\tCarol\tambig-name-f2m\n");

	expect(r, "Mabel smiled at Paul.", "Paul smiled at Emily.");
	expect(r, "We met Bill Mabel.", "We met Bill Mabel.");   /* surname */
	expect(r, "Ezra left.", "Emily left.");
	expect(r, "Emily left.", "Paul left.");   /* Emily's own pair */
	expect(r, "Carol said hello.", "Frank said hello.");
	expect(r, "A carol. Carol, the song.", "A carol. Carol, the song.");
	cf_rules_free(&r);
	(void)state;
}

static void test_lexicon_errors(void **state)
{
	cf_rules *r = NULL;
	cf_error err = { 0 };
	const char *bad = "# comment\nok\tfine\nonlyone\n";

	assert_int_equal(cf_rules_new(&r, CF_RULES_BOTH, &err), 0);
	assert_int_equal(cf_rules_add_lexicon(r, NULL, "x.tsv", bad, strlen(bad), &err),
	                 CF_ECONFIG);
	assert_string_equal(err.msg, "x.tsv:3: expected 2 or 3 tab-separated columns "
	                    "(a, b, tag)");
	memset(&err, 0, sizeof err);
	/* found by fuzz_lexicon: a target that is not UTF-8 was loaded */
	assert_int_equal(cf_rules_add_lexicon(r, NULL, "y.tsv", "a\tb\nhe\tsh\xe9\n", 11,
	                                      &err), CF_ECONFIG);
	assert_string_equal(err.msg, "y.tsv:2:6: invalid UTF-8");
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_rules_add_lexicon_file(r, NULL, "/nonexistent.tsv", &err),
	                 CF_EIO);
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_rules_add_pack(r, "../etc/passwd", &err), CF_ECONFIG);
	assert_int_equal(cf_rules_add_pack(r, "nosuchpack", &err), CF_ECONFIG);
	cf_rules_free(&r);
	cf_rules_free(&r);   /* NULL-safe */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_follows_source),
		cmocka_unit_test(test_whole_words_only),
		cmocka_unit_test(test_unicode_words),
		cmocka_unit_test(test_multi_word_and_possessive),
		cmocka_unit_test(test_her_both_ways),
		cmocka_unit_test(test_neutral_tag),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_negation_pack),
		cmocka_unit_test(test_antonyms_pack),
		cmocka_unit_test(test_negation_scope),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_edit_spans),
		cmocka_unit_test(test_oneway_name_tags),
		cmocka_unit_test(test_lexicon_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
