/*
 * fuzz_lexicon.c - libFuzzer target for the rules engine's loaders and
 * apply (stages/rules/rules_lexicon.c, rules_gender.c, rules_pattern.c).
 *
 * Input: one byte (direction, mod 3), then up to three parts separated by
 * NUL bytes: a lexicon TSV, user regex rules one per line
 * ("PATTERN<TAB>REPLACEMENT", $1 and ${1} allowed), and a sentence of its
 * own.  The loaded rules are applied to a fixed set of sentences (case
 * transfer, multi-word entries, possessives, curly apostrophes, non-ASCII
 * words, her/his) and to the input's sentence.  Checked, not just
 * survived:
 *   - a refused lexicon line or pattern has a message;
 *   - a successful apply returns its edit count, and for valid UTF-8 input
 *     a valid UTF-8 output, NUL-terminated;
 *   - the edits are in order, do not overlap, lie inside the input and the
 *     output, and everything between them is copied verbatim, so the
 *     output length is len - sum(src_len) + sum(dst_len);
 *   - with no edit the output is the input; a second apply, reading every
 *     word (no prescan), is identical, edits included;
 *   - the round trip from the forward pass (cf_rules_round_trip, when
 *     cf_rules_round_trip_ok) equals a full reverse apply;
 *   - a failure is only CF_ELIMIT or CF_ENOMEM.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include "fuzz_util.h"
#include "../../stages/rules/rules.h"

#define MAX_PATTERNS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sentences[] = {
	"The actress gave her book to him, and he thanked her.",
	"HE SAID HIS WIFE IS HERS; She Is The Queen.",
	"Mr. Smith's son met the best man at his sister's wedding.",
	"The king’s daughter isn't a prince's nephew.",
	"Élève Straße ÉLÈVE élève Ωμέγα ΩΜΈΓΑ Дочь ДОЧЬ дочь",
	"men\tand\nwomen, boys  and girls; ladies and gentlemen!",
	"it was not good, it was never bad; it is good",
	"x",
	"",
	NULL
};

/* Output buffers of one fuzz input. */
typedef struct outs { cf_rules_out out, again, back, full; } outs;

static void same_output(const cf_rules_out *a, const cf_rules_out *b)
{
	CHECK(a->len == b->len && !memcmp(a->text, b->text, a->len));
	CHECK(a->nedits == b->nedits);
	for (size_t i = 0; i < a->nedits && i < b->nedits; i++)
		CHECK(a->edits[i].src_off == b->edits[i].src_off &&
		      a->edits[i].src_len == b->edits[i].src_len &&
		      a->edits[i].dst_len == b->edits[i].dst_len &&
		      a->edits[i].rule == b->edits[i].rule &&
		      a->edits[i].amb == b->edits[i].amb);
}

/* rev: r's reverse set (no patterns), or NULL. */
static void check_apply(const cf_rules *r, const cf_rules *rev, const char *text,
                        size_t len, outs *o)
{
	cf_rules_out *out = &o->out, *again = &o->again;
	uint64_t amb[CF_AMB_COUNT] = { 0 }, amb2[CF_AMB_COUNT] = { 0 };
	size_t i, src_end = 0, dst_end = 0, delta_src = 0, delta_dst = 0;
	int rc, rt = rev && cf_rules_round_trip_ok(r, rev);

	out->track = rt;
	rc = cf_rules_apply(r, text, len, out, amb);

	if (rc < 0) {
		CHECK(rc == CF_ELIMIT || rc == CF_ENOMEM);
		return;
	}
	CHECK((size_t)rc == out->nedits);
	CHECK(out->text && out->text[out->len] == '\0');
	if (utf8_ok(text, len))
		CHECK(utf8_ok(out->text, out->len));
	for (i = 0; i < out->nedits; i++) {
		const cf_rules_edit *e = &out->edits[i];
		CHECK(e->src_off >= src_end && e->src_off + e->src_len <= len);
		CHECK(e->dst_off >= dst_end && e->dst_off + e->dst_len <= out->len);
		CHECK(e->src_len > 0);
		CHECK(e->rule < cf_rules_nrules(r));
		/* the gap before the edit is copied verbatim */
		CHECK(e->src_off - src_end == e->dst_off - dst_end);
		CHECK(!memcmp(text + src_end, out->text + dst_end, e->src_off - src_end));
		src_end = e->src_off + e->src_len;
		dst_end = e->dst_off + e->dst_len;
		delta_src += e->src_len;
		delta_dst += e->dst_len;
	}
	CHECK(len - src_end == out->len - dst_end);
	CHECK(!memcmp(text + src_end, out->text + dst_end, len - src_end));
	CHECK(out->len == len - delta_src + delta_dst);
	if (rc == 0)
		CHECK(out->len == len && !memcmp(out->text, text, len));
	/* apply never changes the compiled rules: the same again, and the
	 * same when every word is read (no prescan) */
	again->every_word = 1;
	CHECK(cf_rules_apply(r, text, len, again, amb2) == rc);
	same_output(out, again);
	CHECK(!memcmp(amb, amb2, sizeof amb));
	CHECK(again->nprotected == out->nprotected && again->kept_e == out->kept_e);
	if (rt && rc > 0) {
		int a, b;
		o->full.every_word = 1;
		a = cf_rules_apply(rev, out->text, out->len, &o->full, NULL);
		b = cf_rules_round_trip(rev, out, &o->back);
		CHECK(a == b);
		if (a >= 0 && b >= 0)
			same_output(&o->full, &o->back);
	}
}

/* The built-in sentiment packs, built once: clause negation (no scope)
 * and negation + antonyms with a scope of 3 (rules_negation.c,
 * rules_antonym.c) see every fuzz text too. */
static cf_rules *packs[2];

static void build_packs(void)
{
	static int built;
	cf_error err = { 0 };

	if (built++)
		return;
	for (int k = 0; k < 2; k++) {
		cf_rules *r = NULL;
		if (cf_rules_new(&r, CF_RULES_BOTH, &err) < 0 ||
		    cf_rules_set_scope(r, k ? 3 : 0, &err) < 0 ||
		    cf_rules_add_pack(r, "negation", &err) < 0 ||
		    (k && cf_rules_add_pack(r, "antonyms", &err) < 0) ||
		    cf_rules_compile(r, &err) < 0) {
			cf_rules_free(&r);
			continue;
		}
		packs[k] = r;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p, *end, *part[3] = { NULL, NULL, NULL };
	size_t plen[3] = { 0, 0, 0 }, i;
	cf_rules *r = NULL, *rev = NULL;
	outs o = { 0 };
	cf_error err = { 0 };
	char *copy = NULL;
	int rc, np = 0;

	if (size < 1)
		return 0;
	/* an exact-size, NUL-terminated copy; split it at NUL bytes */
	if (!(copy = malloc(size)))
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	p = copy;
	end = copy + size - 1;
	for (np = 0; np < 3 && p <= end; np++) {
		const char *z = np < 2 ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		part[np] = p;
		plen[np] = (size_t)((z ? z : end) - p);
		if (!z)
			break;
		p = z + 1;
	}
	if (cf_rules_new(&r, (cf_rules_dir)(data[0] % 3), &err) < 0)
		goto done;
	rc = cf_rules_add_lexicon(r, NULL, "fuzz.tsv", part[0], plen[0], &err);
	if (rc < 0) {
		CHECK(err.msg[0]);
		goto done;
	}
	if (part[1]) {
		/* user rules, one per line: pattern TAB replacement */
		char *q = copy + (part[1] - copy), *qe = q + plen[1];
		int npat = 0;
		while (q < qe && npat < MAX_PATTERNS) {
			char *nl = memchr(q, '\n', (size_t)(qe - q)), *tab, msg[256] = "";
			size_t erroff = 0;
			if (!nl)
				nl = qe;
			*nl = '\0';
			if ((tab = strchr(q, '\t')))
				*tab = '\0';
			rc = cf_rules_add_pattern(r, "user", q, tab ? tab + 1 : "$0", &erroff,
			                          msg, sizeof msg);
			if (rc < 0) {
				CHECK(msg[0]);
				goto done;
			}
			npat++;
			q = nl + 1;
		}
	}
	if (cf_rules_compile(r, &err) < 0)
		goto done;
	/* the reverse set, as the stage builds it for round_trip */
	if (cf_rules_new(&rev, (cf_rules_dir)(data[0] % 3 == 1 ? 2 : data[0] % 3 == 2 ? 1 : 0),
	                 &err) < 0 ||
	    cf_rules_add_lexicon(rev, NULL, "fuzz.tsv", part[0], plen[0], &err) < 0 ||
	    cf_rules_compile(rev, &err) < 0)
		cf_rules_free(&rev);
	for (i = 0; sentences[i]; i++)
		check_apply(r, rev, sentences[i], strlen(sentences[i]), &o);
	if (part[2])
		check_apply(r, rev, part[2], plen[2], &o);
done:
	build_packs();
	for (i = 0; i < 2; i++)
		if (packs[i])
			check_apply(packs[i], NULL, part[0], plen[0], &o);
	cf_rules_out_free(&o.out);
	cf_rules_out_free(&o.again);
	cf_rules_out_free(&o.back);
	cf_rules_out_free(&o.full);
	cf_rules_free(&rev);
	cf_rules_free(&r);
	free(copy);
	return 0;
}
