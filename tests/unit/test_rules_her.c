/*
 * test_rules_her.c - accuracy of the her -> his/him decision on real,
 * hand-labelled sentences (tests/data/rules/her_*.tsv; see their headers).
 *
 * Each sentence is swapped with the pronoun pairs alone, direction b_to_a,
 * and must equal the sentence with every "her" replaced by its label.  The
 * figure is printed; the test fails when fewer than MIN_EXACT of the
 * sentences of a file come out exactly right.
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

#define MIN_EXACT 0.99

static const char pron[] = "his\ther\nhim\ther\nhis\thers\n";

/* Expected text: each whole-word her/Her/HER replaced by the next label. */
static void expected(const char *s, const char *labels, char *out, size_t cap)
{
	const char *l = labels;
	size_t o = 0, i = 0, n = strlen(s);

	while (i < n && o + 4 < cap) {
		int word_before = i > 0 && ((s[i - 1] | 32) >= 'a' && (s[i - 1] | 32) <= 'z');
		if (!word_before && i + 3 <= n && strncasecmp(s + i, "her", 3) == 0 &&
		    !(i + 3 < n && (((s[i + 3] | 32) >= 'a' && (s[i + 3] | 32) <= 'z') ||
		                    (unsigned char)s[i + 3] >= 0x80))) {
			assert_true(*l != '\0');
			out[o++] = s[i] == 'H' ? 'H' : 'h';
			out[o++] = s[i + 1] == 'E' ? 'I' : 'i';
			out[o++] = s[i + 1] == 'E' ? (l[2] == 's' ? 'S' : 'M') : l[2];
			l += 3;
			if (*l == ',')
				l++;
			i += 3;
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	assert_int_equal(*l, '\0');   /* every label used */
}

/* min_total: the file's size; min_exact: the share that must be right
 * (the real-text files allow MIN_EXACT, the context classes none wrong). */
static void run_file(const char *name, unsigned min_total, double min_exact,
                     unsigned min_him)
{
	char path[512], line[4096], want[4096];
	cf_rules *r = NULL;
	cf_error err = { 0 };
	cf_rules_out o = { 0 };
	uint64_t amb[CF_AMB_COUNT] = { 0 };
	unsigned total = 0, exact = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/rules/%s", TEST_DATA_DIR, name);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(cf_rules_new(&r, CF_RULES_B_TO_A, &err), 0);
	assert_int_equal(cf_rules_add_lexicon(r, "pron", "pron", pron, strlen(pron),
	                                      &err), 0);
	assert_int_equal(cf_rules_compile(r, &err), 0);
	while (fgets(line, sizeof line, f)) {
		char *tab, *nl;
		if (line[0] == '#' || !(tab = strchr(line, '\t')))
			continue;
		*tab = '\0';
		if ((nl = strchr(tab + 1, '\n')))
			*nl = '\0';
		expected(tab + 1, line, want, sizeof want);
		assert_true(cf_rules_apply(r, tab + 1, strlen(tab + 1), &o, amb) > 0);
		total++;
		if (strcmp(o.text, want) == 0)
			exact++;
		else
			print_message("  want: %s\n  got:  %s\n", want, o.text);
	}
	fclose(f);
	print_message("%s: %u/%u sentences exactly right (%.1f%%); her->his %llu, "
	              "her->him %llu\n", name, exact, total, 100.0 * exact / total,
	              (unsigned long long)amb[CF_HER_TO_HIS],
	              (unsigned long long)amb[CF_HER_TO_HIM]);
	assert_true(total >= min_total);
	assert_true(amb[CF_HER_TO_HIM] > min_him);   /* both readings occur */
	assert_true((double)exact >= min_exact * total);
	cf_rules_out_free(&o);
	cf_rules_free(&r);
}

static void test_her_dev(void **state) { run_file("her_dev.tsv", 150, MIN_EXACT, 20); }
static void test_her_test(void **state) { run_file("her_test.tsv", 150, MIN_EXACT, 20); }
/* one sentence per context class of issue 12 round 3 (n't, gerund subject,
 * adjective and adjective, quoted noun, ditransitive + number, let + verb +
 * determiner, ...): all must be right */
static void test_her_contexts(void **state) { run_file("her_contexts.tsv", 20, 1.0, 10); }

/* Every word list of rules_gender.c is searched with bsearch, so each must
 * be sorted (an unsorted "mass" list silently lost "lunch" until session
 * 4): read the source and check each `static const char *const x[] = {`
 * list's strings ascend. */
static void test_her_lists_sorted(void **state)
{
	char path[512], line[1024], prev[64] = "", name[64] = "";
	unsigned lists = 0;
	int in = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/../../stages/rules/rules_gender.c",
	         TEST_DATA_DIR);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f)) {
		const char *p = line, *q;
		if (!in && (q = strstr(line, "static const char *const ")) &&
		    strstr(line, "[] = {")) {
			sscanf(q + strlen("static const char *const "), "%63[a-z_]", name);
			in = 1;
			prev[0] = '\0';
			lists++;
			p = strstr(line, "{");
		}
		if (!in)
			continue;
		while ((p = strchr(p, '"'))) {
			char w[64];
			size_t n = strcspn(p + 1, "\"");
			assert_true(n < sizeof w);
			memcpy(w, p + 1, n);
			w[n] = '\0';
			if (strcmp(prev, w) >= 0)
				fail_msg("%s: \"%s\" after \"%s\"", name, w, prev);
			strcpy(prev, w);
			p += n + 2;
		}
		if (strstr(line, "};"))
			in = 0;
	}
	fclose(f);
	assert_true(lists > 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_her_dev),
		cmocka_unit_test(test_her_test),
		cmocka_unit_test(test_her_contexts),
		cmocka_unit_test(test_her_lists_sorted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
