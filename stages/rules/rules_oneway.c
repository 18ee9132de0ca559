/*
 * rules_oneway.c - the warning of a one-way swap (direction a_to_b or
 * b_to_a) that left a record with both members of a pair: "Mom and dad"
 * under dad -> mom becomes "Mom and mom".  A both-ways swap never does
 * that (it swaps the pair), so the check runs only for one-way rule sets.
 *
 * A collision: a word an edit put in also stands, as a whole word and in
 * any ASCII case, somewhere in the output that no edit wrote.
 */
#include <string.h>
#include <strings.h>
#include "rules.h"

static int word_byte(unsigned char c)
{
	return c >= 0x80 || c == '_' || (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int inside_edit(const cf_rules_out *o, size_t at)
{
	for (size_t i = 0; i < o->nedits; i++)
		if (at >= o->edits[i].dst_off && at < o->edits[i].dst_off + o->edits[i].dst_len)
			return 1;
	return 0;
}

int cf_rules_one_way_collision(const cf_rules_out *o, char *word, size_t wsz)
{
	const char *t = o->text;

	for (size_t e = 0; e < o->nedits; e++) {
		const char *w = t + o->edits[e].dst_off;
		size_t n = o->edits[e].dst_len;

		if (!n || n >= wsz)
			continue;
		for (size_t at = 0; at + n <= o->len; at++) {
			if ((at && word_byte((unsigned char)t[at - 1])) ||
			    (at + n < o->len && word_byte((unsigned char)t[at + n])) ||
			    strncasecmp(t + at, w, n) || inside_edit(o, at))
				continue;
			memcpy(word, w, n);
			word[n] = '\0';
			return 1;
		}
	}
	return 0;
}
