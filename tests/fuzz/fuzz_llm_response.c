/*
 * fuzz_llm_response.c - libFuzzer target for the LLM and judge answer
 * readers: stages/llm/llm_parse.c (the llm stage's choice lookup and answer
 * parsing, split out of llm.c for this) and pipeline/judge/teacher_judge.c.
 *
 * Input: one configuration byte, then a response body.  The byte picks the
 * llm stage's parse settings (text or json, markers, a json field, one or
 * two edited fields) and the judge's label set.  The body goes down the
 * path a real answer takes: JSON -> "choices" -> the choice for samples
 * 0..3 -> message.content -> cf_llm_parse_answer; and, as a judge answer,
 * through the TEI, vLLM, logprobs and label readers.  Checked, not just
 * survived:
 *   - a choice found for sample k is in the array, with index k or, with
 *     no index, at position k;
 *   - a usable answer gives exactly the edited fields, each non-empty,
 *     valid UTF-8, without NUL, trimmed, at most as long as the content,
 *     not all equal to the original; in text mode a substring of the
 *     content and never containing the closing marker;
 *   - an unusable answer gives a known reason and no edits;
 *   - the kept excerpt of an answer is a valid prefix of at most 500 bytes;
 *   - a judge answer read without error is a probability vector (each in
 *     [0, 1], sum 1); an error has a reason; a label answer is one-hot.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "fuzz_util.h"
#include "../../stages/llm/llm_parse.h"
#include "teacher_judge.h"

#define KEEP 500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const reasons[] = { "no_content", "no_marker", "empty",
	"invalid_utf8", "bad_json", "missing_field", "unchanged", "out_of_memory",
	"marker_in_answer", "refusal", NULL };

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void check_answer(const cf_llm_parse *p, const cf_item *it,
                         const char *content)
{
	json_t *edits = (json_t *)1, *v;
	const char *reason = cf_llm_parse_answer(p, it, content, &edits);
	size_t i, k, n, cl = content ? strlen(content) : 0;
	int changed = 0;

	if (reason) {
		for (k = 0; reasons[k] && strcmp(reasons[k], reason); k++)
			;
		CHECK(reasons[k] && !edits);
		return;
	}
	CHECK(content && json_is_object(edits));
	CHECK(json_object_size(edits) == p->edit->n);
	for (i = 0; i < p->edit->n; i++) {
		const char *s, *o;
		size_t ol;
		CHECK(json_is_string(v = json_object_get(edits, p->edit->v[i])));
		s = json_string_value(v);
		n = json_string_length(v);
		CHECK(n > 0 && n <= cl && strlen(s) == n && utf8_ok(s, n));
		CHECK(!is_blank(s[0]) && !is_blank(s[n - 1]));
		if (!p->json_mode) {
			CHECK(memmem(content, cl, s, n));
			if (p->between[1])
				CHECK(!strstr(s, p->between[1]));
		}
		o = cf_item_text(it, p->edit->v[i], &ol);
		while (o && ol && is_blank(o[0]))
			o++, ol--;
		while (o && ol && is_blank(o[ol - 1]))
			ol--;
		if (!o || ol != n || memcmp(o, s, n))
			changed = 1;
	}
	CHECK(changed);
	json_decref(edits);
}

static void check_cut(const char *s, size_t n)
{
	json_t *c = cf_llm_cut_string(s, n, KEEP);
	size_t m = n < KEEP ? n : KEEP;

	if (utf8_ok(s, m) && (m == n || ((unsigned char)s[m] & 0xC0) != 0x80)) {
		CHECK(c);   /* a valid prefix cut at a boundary is kept */
	}
	if (c) {
		CHECK(json_string_length(c) <= KEEP && json_string_length(c) <= n);
		if (utf8_ok(s, n))   /* at most one character dropped */
			CHECK(json_string_length(c) + 3 >= m);
		CHECK(!memcmp(json_string_value(c), s, json_string_length(c)));
	}
	json_decref(c);
}

static void check_probs(int rc, const double *p, size_t K, const char *why)
{
	double sum = 0;
	size_t k;

	if (rc < 0) {
		CHECK(why[0]);
		return;
	}
	if (rc > 0)
		return;
	for (k = 0; k < K; k++) {
		CHECK(isfinite(p[k]) && p[k] >= 0 && p[k] <= 1 + 1e-9);
		sum += p[k];
	}
	CHECK(fabs(sum - 1) < 1e-9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *fields_one[] = { "text" }, *fields_two[] = { "text", "hypothesis" };
	static char *lab3[] = { "positive", "negative", "neutral" };
	static char *lab2[] = { "entailment", "contradiction" };
	static char *mkeys[] = { "LABEL_0", "1", "pos", "NEG", "2" };
	static char *mvals[] = { "negative", "positive", "positive", "negative", "neutral" };
	static const char *names3[] = { "positive", "negative", "neutral" };
	static const char *names2[] = { "yes", "no" };
	static const char *names_pre[] = { "pos", "positive", "neg" };
	cf_strlist one = { fields_one, 1 }, two = { fields_two, 2 };
	cf_strlist l3 = { lab3, 3 }, l2 = { lab2, 2 };
	cf_strmap map = { mkeys, mvals, 5 };
	cf_judge_labels jl;
	cf_llm_parse p = { { NULL, NULL }, 0, NULL, &one };
	cf_record rec = { 0 };
	cf_item it = { 0 };
	const char *const *names;
	json_t *resp = NULL, *choices, *ch;
	char *body = NULL, why[256];
	double probs[3];
	size_t len, K;
	uint8_t cfg;
	int k, rc;

	if (size < 1)
		return 0;
	cfg = data[0];
	len = size - 1;
	/* an exact-size copy, NUL-terminated for the readers of C strings */
	if (!(body = malloc(len + 1)))
		return 0;
	memcpy(body, data + 1, len);
	body[len] = '\0';

	p.json_mode = cfg & 1;
	if (cfg & 2) {
		p.between[0] = (cfg & 16) ? "```" : "<new>";
		p.between[1] = (cfg & 16) ? "```" : "</new>";
	}
	/* only the settings the stage's init accepts: two fields need json
	 * mode without a single field name */
	if ((cfg & 4) && p.json_mode)
		p.jfield = "rewrite";
	else if ((cfg & 8) && p.json_mode)
		p.edit = &two;
	rec.fields = json_pack("{s:s, s:s}", "text", "The movie was great.",
	                       "hypothesis", " A man sleeps. ");
	rec.id = "1";
	it.rec = &rec;

	resp = json_loadb(body, len, 0, NULL);
	choices = json_object_get(resp, "choices");
	for (k = 0; k < 4 && json_is_array(choices); k++) {
		size_t ci;
		json_t *e, *ix;
		const char *content;
		if (!(ch = cf_llm_choice(choices, k)))
			continue;
		json_array_foreach(choices, ci, e)
			if (e == ch)
				break;
		CHECK(ci < json_array_size(choices));
		ix = json_object_get(ch, "index");
		CHECK(ix ? json_integer_value(ix) == k : (int)ci == k);
		content = json_string_value(json_object_get(json_object_get(ch, "message"),
		                                            "content"));
		check_answer(&p, &it, content);
		if (content)
			check_cut(content, strlen(content));
	}
	if (!resp || !json_is_array(choices))
		check_cut(body, len);   /* kept as a malformed response */
	/* the content itself, as an answer of its own */
	check_answer(&p, &it, body);

	/* judges */
	jl.labels = (cfg & 32) ? &l2 : &l3;
	jl.map = (cfg & 64) ? NULL : &map;
	K = jl.labels->n;
	why[0] = '\0';
	rc = cf_judge_read_tei(&jl, body, len, probs, why, sizeof why);
	check_probs(rc, probs, K, why);
	why[0] = '\0';
	rc = cf_judge_read_vllm(&jl, body, len, probs, why, sizeof why);
	check_probs(rc, probs, K, why);
	names = (cfg & 32) ? names2 : (cfg & 128) ? names_pre : names3;
	K = (cfg & 32) ? 2 : 3;
	ch = json_array_get(choices, 0);
	why[0] = '\0';
	rc = cf_judge_read_logprobs(names, K, ch ? ch : resp, probs, why, sizeof why);
	CHECK(rc >= -1 && rc <= 1);
	check_probs(rc, probs, K, why);
	why[0] = '\0';
	rc = cf_judge_read_label_answer(names, K, body, probs, why, sizeof why);
	check_probs(rc, probs, K, why);
	if (rc == 0) {
		size_t ones = 0, i;
		for (i = 0; i < K; i++)
			ones += probs[i] == 1;
		CHECK(ones == 1);
	}

	json_decref(rec.fields);
	json_decref(resp);
	free(body);
	return 0;
}
