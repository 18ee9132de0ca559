/*
 * cmd_init.c - `cfaug init [KIND]`: a commented starter pipeline.
 *
 * One template per kind, as data.  Each is a complete pipeline that
 * `cfaug validate` accepts once its input.path exists (tests/cli/
 * test_init.sh validates every one); comments say what to change.  The
 * file is not overwritten unless --force.  @FILE@ in a template becomes
 * the name written (-o), so the commands of its header run as written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "shell_word.h"

#define SCHEMA_LINE "# yaml-language-server: $schema=cfaug.schema.json\n" \
	"# (editor completion: cfaug schema > cfaug.schema.json)\n"

static const char gender_cda[] = SCHEMA_LINE
	"# Gender counterfactual data augmentation (CDA): every record is kept and\n"
	"# a record that mentions gendered words or first names gets a twin with\n"
	"# he/she, his/her, man/woman, James/Mary ... swapped, label unchanged.\n"
	"#   cfaug validate @FILE@ && cfaug run @FILE@\n"
	"seed: 13                        # every random choice derives from (seed, id)\n"
	"input:\n"
	"  path: data.jsonl              # yours: .jsonl, .csv, .tsv, also .gz/.zst; '-' = stdin\n"
	"  # format: csv                 # only when the name does not tell\n"
	"  # columns: [id, text, label]  # csv/tsv without a header row\n"
	"  id_field: id                  # give ids: shards and resumes rely on them\n"
	"  text_fields: [text]\n"
	"  label_field: label\n"
	"  # labels: [negative, positive]  # other labels become data errors\n"
	"stages:\n"
	"  - type: rules\n"
	"    name: gender-cda\n"
	"    packs: [gender, names]      # built-in lexicons\n"
	"    mode: augment               # augment: keep the original | substitute (CDS)\n"
	"    direction: both             # a_to_b alone can give 'Mom and mom'\n"
	"    label: keep\n"
	"  - type: edit_filter           # keep counterfactuals minimal\n"
	"    max_ratio: 0.5\n"
	"output:\n"
	"  dir: out/gender-cda\n"
	"  # files: [augmented, pairs, rejected, errors, report, card]\n"
	"  # compress: gzip              # none | gzip | zstd\n"
	"  # augmented_format: input     # csv/tsv input: augmented in the same format\n";

static const char sentiment_flip[] = SCHEMA_LINE
	"# Sentiment flips without a model: antonym and negation rules turn a\n"
	"# review into one with the other label (good -> bad, is -> is not).\n"
	"# Add a teacher stage (cfaug help stages) to keep only real flips.\n"
	"seed: 13\n"
	"input:\n"
	"  path: reviews.jsonl           # yours\n"
	"  id_field: id\n"
	"  text_fields: [text]\n"
	"  label_field: label\n"
	"  labels: [negative, positive]\n"
	"stages:\n"
	"  - type: rules\n"
	"    name: antonyms\n"
	"    packs: [antonyms]\n"
	"    label: {positive: negative, negative: positive}   # the flip\n"
	"    negation_scope: 3           # no swap right after not/no/never\n"
	"  - type: edit_filter\n"
	"    max_ratio: 0.3\n"
	"output:\n"
	"  dir: out/sentiment-flip\n";

static const char nli[] = SCHEMA_LINE
	"# NLI: negate the hypothesis, which turns entailment into contradiction.\n"
	"seed: 13\n"
	"input:\n"
	"  path: nli.tsv                 # yours: premise, hypothesis, label columns\n"
	"  text_fields: [premise, hypothesis]\n"
	"  label_field: label\n"
	"  labels: [entailment, neutral, contradiction]\n"
	"  # quotes: false               # tsv whose texts start with a quote\n"
	"stages:\n"
	"  - type: rules\n"
	"    name: hypothesis-negation\n"
	"    packs: [negation]\n"
	"    fields: [hypothesis]\n"
	"    # a negated contradiction is not an entailment (\"two men are not\n"
	"    # getting dressed\" for two women is neutral): contradictions are\n"
	"    # left out, as label_unmapped in rejected.jsonl\n"
	"    label: {entailment: contradiction, neutral: neutral}\n"
	"output:\n"
	"  dir: out/nli\n";

static const char llm[] = SCHEMA_LINE
	"# Counterfactuals from an OpenAI-compatible chat endpoint (vLLM, Ollama,\n"
	"# llama.cpp, OpenAI).  Try it first with: cfaug run @FILE@ --dry-run\n"
	"seed: 13\n"
	"input:\n"
	"  path: reviews.jsonl           # yours\n"
	"  id_field: id\n"
	"  text_fields: [text]\n"
	"  label_field: label\n"
	"  labels: [negative, positive]\n"
	"stages:\n"
	"  - type: llm\n"
	"    base_url: http://127.0.0.1:8000/v1   # vLLM; Ollama: http://127.0.0.1:11434/v1\n"
	"    model: Qwen/Qwen2.5-7B-Instruct\n"
	"    api_key_env: OPENAI_API_KEY # the variable holding the key (unset: none sent)\n"
	"    prompt: prompts/sentiment-flip.txt   # shipped prompts are found by name\n"
	"    target: {positive: negative, negative: positive}\n"
	"    samples: 1\n"
	"    parse: {mode: text, between: [\"<new>\", \"</new>\"]}\n"
	"    concurrency: 16\n"
	"    cache: .cfaug-cache         # re-runs send only what was not answered\n"
	"  - type: edit_filter\n"
	"    max_ratio: 0.5\n"
	"output:\n"
	"  dir: out/llm\n";

static const struct { const char *name, *text; } kinds[] = {
	{ "gender-cda", gender_cda },
	{ "sentiment-flip", sentiment_flip },
	{ "nli", nli },
	{ "llm", llm },
	{ NULL, NULL }
};

/* text with every @FILE@ replaced by name as a shell word
 * (pipeline/util/shell_word.h).  A name with a line break would end the
 * YAML comment: the default name then.  Caller frees. */
static char *fill(const char *text, const char *name, size_t *len)
{
	const char *at;
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	if (!f)
		return NULL;
	if (strpbrk(name, "\r\n"))
		name = "pipeline.yaml";
	while ((at = strstr(text, "@FILE@"))) {
		fwrite(text, 1, (size_t)(at - text), f);
		cf_shell_word(f, name);
		text = at + 6;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

int cf_cmd_init(int argc, char **argv)
{
	const char *kind = "gender-cda", *path = "pipeline.yaml", *text = NULL;
	char *filled;
	int force = 0, i, fd, flags, rc;
	size_t k, n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cf_cli_usage("init", stdout);
			return CF_EXIT_OK;
		} else if (!strcmp(argv[i], "--force")) {
			force = 1;
		} else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
			path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "cfaug init: unknown or incomplete option '%s'\n"
			        "(see 'cfaug help init')\n", argv[i]);
			return CF_EXIT_USAGE;
		} else {
			kind = argv[i];
		}
	}
	for (k = 0; kinds[k].name; k++)
		if (!strcmp(kinds[k].name, kind))
			text = kinds[k].text;
	if (!text) {
		fprintf(stderr, "cfaug init: no starter '%s' (sentiment-flip, gender-cda, "
		        "nli or llm)\n", kind);
		return CF_EXIT_USAGE;
	}
	/* on stdout the file is named by the redirection: the default name */
	if (!(filled = fill(text, strcmp(path, "-") ? path : "pipeline.yaml", &n))) {
		fprintf(stderr, "cfaug init: out of memory\n");
		return CF_EXIT_RUNTIME;
	}
	if (!strcmp(path, "-")) {
		rc = fwrite(filled, 1, n, stdout) == n ? CF_EXIT_OK : CF_EXIT_RUNTIME;
		goto done;
	}
	flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL);
	if ((fd = open(path, flags, 0644)) < 0) {
		fprintf(stderr, "cfaug init: %s: %s%s\n", path, strerror(errno),
		        errno == EEXIST ? " (--force replaces it)" : "");
		rc = CF_EXIT_RUNTIME;
		goto done;
	}
	if (write(fd, filled, n) != (ssize_t)n || close(fd) != 0) {
		fprintf(stderr, "cfaug init: %s: %s\n", path, strerror(errno));
		rc = CF_EXIT_RUNTIME;
		goto done;
	}
	/* the next command is pasted: the name as one shell word */
	printf("cfaug: wrote %s (%s); edit input.path, then: cfaug validate ", path, kind);
	cf_shell_word(stdout, path);
	putchar('\n');
	rc = CF_EXIT_OK;
done:
	free(filled);
	return rc;
}
