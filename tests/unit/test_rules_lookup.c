/*
 * test_rules_lookup.c - the lookups the sentiment packs' speed work
 * (issue 15, sspeed2) rewrote, checked against what they must find:
 *   - the lexicon's first-word probe compares a key's first 16 bytes as
 *     two words and the rest by memcmp: keys of 1..40 bytes, and keys
 *     that share 8, 16 or 17 bytes with another, each find its own entry
 *     and nothing else;
 *   - the antonym contexts (lexicons/antonym-contexts.tsv) are hash sets:
 *     every listed (word, side, neighbour) blocks the word, the other side
 *     or an unlisted neighbour does not.
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

/* word i of length n: 'k' repeated, its last byte(s) telling it apart */
static void mkword(char *w, size_t n, int tag)
{
	memset(w, 'k', n);
	w[n] = '\0';
	w[n - 1] = (char)('a' + tag % 26);
	if (n > 1)
		w[n - 2] = (char)('a' + tag / 26);
}

static void test_first_word_probe(void **st)
{
	static const size_t lens[] = { 1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 40 };
	char lex[8192], text[8192], want[8192], w[64];
	size_t ll = 0, tl = 0, wl = 0;
	cf_rules *r = NULL;
	cf_rules_out o = { 0 };
	cf_error err = { 0 };

	(void)st;
	/* entries: each length, tags 0 and 1 (same bytes but the last);
	 * "zz" + word -> "Z" + tag; text: every entry and near misses */
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		for (int tag = 0; tag < 2; tag++) {
			mkword(w, lens[i], tag);
			ll += (size_t)snprintf(lex + ll, sizeof lex - ll, "%s\tr%zu_%d\n",
			                       w, lens[i], tag);
			tl += (size_t)snprintf(text + tl, sizeof text - tl, "%s ", w);
			wl += (size_t)snprintf(want + wl, sizeof want - wl, "r%zu_%d ",
			                       lens[i], tag);
		}
		/* the same length, another last byte: no entry */
		mkword(w, lens[i], 2);
		tl += (size_t)snprintf(text + tl, sizeof text - tl, "%s ", w);
		wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s ", w);
		/* one byte longer: no entry (the first 16 bytes may agree) */
		mkword(w, lens[i] + 1, 3);
		tl += (size_t)snprintf(text + tl, sizeof text - tl, "%s ", w);
		wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s ", w);
	}
	/* differs from a 17- and a 24-byte key only at byte 9 */
	memset(w, 'k', 24);
	w[8] = 'x';
	w[22] = 'a';
	w[23] = 'a';
	w[24] = '\0';
	tl += (size_t)snprintf(text + tl, sizeof text - tl, "%s", w);
	wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s", w);
	assert_int_equal(cf_rules_new(&r, CF_RULES_A_TO_B, &err), 0);
	assert_int_equal(cf_rules_add_lexicon(r, "t", "t.tsv", lex, ll, &err), 0);
	assert_int_equal(cf_rules_compile(r, &err), 0);
	for (int every = 0; every < 2; every++) {
		o.every_word = every;
		assert_int_equal(cf_rules_apply(r, text, tl, &o, NULL),
		                 (int)(2 * sizeof lens / sizeof lens[0]));
		assert_string_equal(o.text, want);
	}
	cf_rules_out_free(&o);
	cf_rules_free(&r);
}

/* blocked of the word w with neighbour nb on side next (1) or prev (0) */
static int blocked(const cf_rules_sense *s, const char *w, const char *nb, int next)
{
	char t[128];
	int n = next ? snprintf(t, sizeof t, "%s %s", w, nb) :
	               snprintf(t, sizeof t, "%s %s", nb, w);
	size_t ws = next ? 0 : strlen(nb) + 1;

	return cf_rules_sense_blocked(s, t, (size_t)n, ws, ws + strlen(w));
}

static void test_antonym_contexts(void **st)
{
	char path[4096], line[4096];
	cf_rules_sense *s = NULL;
	cf_error err = { 0 };
	size_t listed = 0;
	FILE *f;

	(void)st;
	assert_int_equal(cf_rules_pack_path("antonyms", path, sizeof path), 0);
	strcpy(strrchr(path, '/') + 1, "antonym-contexts.tsv");
	assert_int_equal(cf_rules_sense_load(&s, path, &err), 0);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f)) {
		char *w = line, *side, *nbs, *nb, *save = NULL;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		side = strchr(w, '\t');
		*side++ = '\0';
		nbs = strchr(side, '\t');
		*nbs++ = '\0';
		int next = side[0] == 'n';
		/* an unlisted neighbour (a participle: no degree use) */
		assert_int_equal(blocked(s, w, "walked", next), 0);
		for (nb = strtok_r(nbs, ",", &save); nb; nb = strtok_r(NULL, ",", &save)) {
			if (!blocked(s, w, nb, next))
				fail_msg("%s %s %s: not blocked", w, side, nb);
			listed++;
		}
	}
	fclose(f);
	/* the other side is not the listed one */
	assert_int_equal(blocked(s, "great", "deal", 0), 0);
	assert_int_equal(blocked(s, "GREAT", "Deal", 1), 1);   /* folded */
	assert_int_equal(blocked(s, "greater", "deal", 1), 0);
	assert_true(listed > 200);
	cf_rules_sense_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_word_probe),
		cmocka_unit_test(test_antonym_contexts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
