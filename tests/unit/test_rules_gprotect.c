/*
 * test_rules_gprotect.c - the gender pack's protected titles and names
 * (issue 12): a gendered word that names a person or a work (Queen Bee,
 * The Princess Bride, Queen Elizabeth, Goodnight, Mister Tom) is left
 * alone and counted as a protected skip; Mr/Mrs/Ms before a surname, an
 * award (Best Actress), capitals for emphasis and a capital the sentence
 * gives are still edited; Sir/Dame before a first name swap with the name
 * when the names pack runs too.  Cases are data: packs, input, output,
 * protected skips.
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

typedef struct {
	const char *packs, *in, *want;   /* want NULL: prefix below */
	const char *prefix;              /* the output starts with it */
	uint64_t protected_skips;
} gcase;

static const gcase cases[] = {
	/* titles of works (CAD dev reads) */
	{ "gender", "and Queen Bee is such a fun song, she said.",
	  "and Queen Bee is such a fun song, he said.", NULL, 1 },
	{ "gender", "I would call it a new Princess Bride cult favorite.",
	  "I would call it a new Princess Bride cult favorite.", NULL, 1 },
	{ "gender", "Goodnight, Mister Tom begins in a village.",
	  "Goodnight, Mister Tom begins in a village.", NULL, 1 },
	{ "gender", "Jon Voight is brilliant in Midnight Cowboy and his friend too.",
	  "Jon Voight is brilliant in Midnight Cowboy and her friend too.", NULL, 1 },
	/* a title before a person's name, gender alone: kept */
	{ "gender", "Queen Elizabeth was crowned and she smiled.",
	  "Queen Elizabeth was crowned and he smiled.", NULL, 1 },
	{ "gender", "The late Sir John Gielgud won for his role.",
	  "The late Sir John Gielgud won for her role.", NULL, 1 },
	{ "gender", "a case worker Earl Babbage and his files",
	  "a case worker Earl Babbage and her files", NULL, 1 },
	/* with the names pack: Sir and the first name swap together; Queen
	 * before a name the names pack keeps stays too */
	{ "gender,names", "Sir John said he was tired.", NULL, "Dame ", 0 },
	{ "gender,names", "Queen Elizabeth was crowned and she smiled.",
	  "Queen Elizabeth was crowned and he smiled.", NULL, 1 },
	/* still edited */
	{ "gender", "Mr Boll made it and he failed.",
	  "Ms Boll made it and she failed.", NULL, 0 },
	{ "gender", "Cher won Best Actress and she deserved it.",
	  "Cher won Best Actor and he deserved it.", NULL, 0 },
	{ "gender", "His Oscar-winning role.", "Her Oscar-winning role.", NULL, 0 },
	{ "gender", "he married her SISTER after that.",
	  "she married his BROTHER after that.", NULL, 0 },
	{ "gender", "Then Mother said no.", "Then Father said no.", NULL, 0 },
	{ "gender", "The queen was angry.", "The king was angry.", NULL, 0 },
};

static cf_rules *mk(const char *packs)
{
	cf_rules *r = NULL;
	cf_error err = { 0 };
	char buf[64], *save = NULL, *p;

	assert_int_equal(cf_rules_new(&r, CF_RULES_BOTH, &err), 0);
	snprintf(buf, sizeof buf, "%s", packs);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		uint32_t last;
		if (cf_rules_add_pack(r, p, &err))
			fail_msg("pack %s: %s", p, err.msg);
		last = (uint32_t)cf_rules_last_rule(r);
		assert_int_equal(cf_rules_set_protect(r, last, &err), 0);
		if (!strcmp(p, "gender"))
			assert_int_equal(cf_rules_set_gender_titles(r, last, &err), 0);
	}
	assert_int_equal(cf_rules_compile(r, &err), 0);
	return r;
}

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		const gcase *c = &cases[i];
		cf_rules *r = mk(c->packs);
		cf_rules_out o = { 0 };
		assert_true(cf_rules_apply(r, c->in, strlen(c->in), &o, NULL) >= 0);
		if (c->want && strcmp(o.text, c->want))
			fail_msg("[%s] %s\nwant: %s\ngot:  %s", c->packs, c->in, c->want, o.text);
		if (c->prefix && strncmp(o.text, c->prefix, strlen(c->prefix)))
			fail_msg("[%s] %s\nwant prefix: %s\ngot: %s", c->packs, c->in,
			         c->prefix, o.text);
		if (o.nprotected != c->protected_skips)
			fail_msg("[%s] %s: %llu protected skips, want %llu", c->packs, c->in,
			         (unsigned long long)o.nprotected,
			         (unsigned long long)c->protected_skips);
		cf_rules_out_free(&o);
		cf_rules_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_cases) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
