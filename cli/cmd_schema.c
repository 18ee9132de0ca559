/*
 * cmd_schema.c - `cfaug schema` (a JSON Schema of pipeline files) and
 * `cfaug completion bash`, both generated from the tables the program
 * itself uses, so neither can drift from what the loader and the parsers
 * accept: the option tables of runner.c and of every stage kind, the
 * command table, and each command's help text (the options it names).
 */
#define _GNU_SOURCE   /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "runner.h"

/* ---- the schema ----------------------------------------------------------- */

static json_t *default_value(const cf_option *o)
{
	char *end;
	double d;

	if (!o->def)
		return NULL;
	switch (o->type) {
	case CF_OPT_INT:
		return json_integer(strtoll(o->def, &end, 10));
	case CF_OPT_DOUBLE:
		d = strtod(o->def, &end);
		return json_real(d);
	case CF_OPT_BOOL:
		return json_boolean(!strcmp(o->def, "true") || !strcmp(o->def, "yes") ||
		                    !strcmp(o->def, "on"));
	default:
		return json_string(o->def);
	}
}

static json_t *table_schema(const cf_option *t, const char *const *skip);

static json_t *option_schema(const cf_option *o)
{
	json_t *s = json_object(), *e;

	switch (o->type) {
	case CF_OPT_STRING:
		json_object_set_new(s, "type", json_string("string"));
		break;
	case CF_OPT_INT:
	case CF_OPT_DOUBLE:
		json_object_set_new(s, "type", json_string(o->type == CF_OPT_INT ? "integer" : "number"));
		if (o->min < o->max) {
			json_object_set_new(s, "minimum", json_real(o->min));
			json_object_set_new(s, "maximum", json_real(o->max));
		}
		break;
	case CF_OPT_BOOL:
		json_object_set_new(s, "type", json_string("boolean"));
		break;
	case CF_OPT_ENUM:
		e = json_array();
		for (size_t i = 0; o->choices && o->choices[i]; i++)
			json_array_append_new(e, json_string(o->choices[i]));
		json_object_set_new(s, "enum", e);
		break;
	case CF_OPT_STRLIST:
		if (o->max > 0) {   /* a counted list: no single-string form */
			e = json_pack("{s:s, s:{s:s}, s:f, s:f}", "type", "array",
			              "items", "type", "string", "minItems", o->min,
			              "maxItems", o->max);
			json_object_update(s, e);
			json_decref(e);
		} else
			json_object_set_new(s, "anyOf", json_pack("[{s:s}, {s:s, s:{s:s}}]",
			        "type", "string", "type", "array", "items", "type", "string"));
		break;
	case CF_OPT_MAP:
		e = table_schema(o->sub, NULL);
		for (const cf_option *so = o->sub; o->shorthand && so->key; so++)
			if (!strcmp(so->key, o->shorthand)) {
				json_t *sh = option_schema(so);
				json_object_del(sh, "default");
				e = json_pack("{s:[o,o]}", "anyOf", sh, e);
			}
		json_object_update(s, e);
		json_decref(e);
		break;
	case CF_OPT_MAPLIST:
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", table_schema(o->sub, NULL));
		if (o->max > 0) {
			json_object_set_new(s, "minItems", json_real(o->min));
			json_object_set_new(s, "maxItems", json_real(o->max));
		}
		break;
	case CF_OPT_RANGE:
		e = json_pack("{s:s}", "type", "number");
		if (o->min < o->max) {
			json_object_set_new(e, "minimum", json_real(o->min));
			json_object_set_new(e, "maximum", json_real(o->max));
		}
		e = json_pack("{s:s, s:o, s:i, s:i}", "type", "array", "items", e,
		              "minItems", 2, "maxItems", 2);
		json_object_update(s, e);
		json_decref(e);
		break;
	case CF_OPT_STRMAP:
		json_object_set_new(s, "type", json_string("object"));
		json_object_set_new(s, "additionalProperties", json_pack("{s:[s,s,s]}",
		        "type", "string", "number", "boolean"));
		break;
	case CF_OPT_NODELIST:   /* items checked by their own loader */
		json_object_set_new(s, "type", json_string("array"));
		if (o->max > 0) {
			json_object_set_new(s, "minItems", json_real(o->min));
			json_object_set_new(s, "maxItems", json_real(o->max));
		}
		break;
	default:   /* NODE, CUSTOM: any value; the loader checks it */
		break;
	}
	if (o->help)
		json_object_set_new(s, "description", json_string(o->help));
	if ((e = default_value(o)))
		json_object_set_new(s, "default", e);
	return s;
}

/* {type: object, properties, required, additionalProperties: false}. */
static json_t *table_schema(const cf_option *t, const char *const *skip)
{
	json_t *s = json_object(), *props = json_object(), *req = json_array();

	for (; t && t->key; t++) {
		int skipped = 0;
		for (size_t i = 0; skip && skip[i]; i++)
			skipped |= !strcmp(skip[i], t->key);
		if (skipped)
			continue;
		json_object_set_new(props, t->key, option_schema(t));
		if (t->flags & CF_OPT_REQUIRED)
			json_array_append_new(req, json_string(t->key));
	}
	json_object_set_new(s, "type", json_string("object"));
	json_object_set_new(s, "properties", props);
	if (json_array_size(req))
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	json_object_set_new(s, "additionalProperties", json_false());
	return s;
}

static json_t *stages_schema(void)
{
	json_t *kinds = json_array(), *all = json_array(), *item, *then, *props;

	for (size_t i = 0; cf_stage_kinds[i]; i++) {
		const cf_stage_kind *k = cf_stage_kinds[i];
		json_array_append_new(kinds, json_string(k->name));
		then = table_schema(k->options, NULL);
		props = json_object_get(then, "properties");
		json_object_set_new(props, "type", json_pack("{s:s, s:s}", "const", k->name,
		                                             "description", k->summary));
		json_object_set_new(props, "name", json_pack("{s:s, s:s}", "type", "string",
		        "description", "the stage's name in the report and provenance"));
		json_array_append_new(all, json_pack("{s:{s:{s:{s:s}}}, s:o}",
		        "if", "properties", "type", "const", k->name, "then", then));
	}
	item = json_pack("{s:s, s:[s], s:{s:{s:o, s:s}}, s:o}", "type", "object",
	                 "required", "type", "properties", "type", "enum", kinds,
	                 "description", "the stage kind (cfaug help stages)", "allOf", all);
	return json_pack("{s:s, s:o, s:s}", "type", "array", "items", item,
	                 "description", "the stages, run in this order");
}

static json_t *pipeline_schema(void)
{
	static const char *const nodes[] = { "input", "output", "stages", NULL };
	json_t *s = table_schema(cf_pipeline_options(""), nodes);
	json_t *props = json_object_get(s, "properties");

	json_object_set_new(props, "input", table_schema(cf_pipeline_options("input"), NULL));
	json_object_set_new(props, "output", table_schema(cf_pipeline_options("output"), NULL));
	json_object_set_new(props, "stages", stages_schema());
	json_object_set_new(s, "required", json_pack("[s, s]", "input", "output"));
	json_object_set_new(s, "$schema", json_string("https://json-schema.org/draft/2020-12/schema"));
	json_object_set_new(s, "$id", json_string("https://cfaug.invalid/pipeline.schema.json"));
	json_object_set_new(s, "title", json_string("cfaug pipeline " CFAUG_VERSION));
	return s;
}

int cf_cmd_schema(int argc, char **argv)
{
	json_t *s;
	int rc;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			cf_cli_usage("schema", stdout);
			return CF_EXIT_OK;
		}
		fprintf(stderr, "cfaug schema: unexpected argument '%s'\n", argv[1]);
		return CF_EXIT_USAGE;
	}
	if (!(s = pipeline_schema()))
		return CF_EXIT_RUNTIME;
	rc = json_dumpf(s, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	putchar('\n');
	json_decref(s);
	return rc == 0 ? CF_EXIT_OK : CF_EXIT_RUNTIME;
}

/* ---- bash completion -------------------------------------------------------- */

/* A command's whole help text as printed on stdout (eval prints its own,
 * so stdout itself is redirected to a temporary file).  New string or NULL. */
static char *capture_help(const char *cmd)
{
	FILE *tmp = tmpfile();
	char *text = NULL;
	long n;
	int saved;

	if (!tmp)
		return NULL;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
		fclose(tmp);
		return NULL;
	}
	cf_cli_usage(cmd, stdout);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = ftell(tmp);
	if (n >= 0 && (text = malloc((size_t)n + 1))) {
		rewind(tmp);
		text[fread(text, 1, (size_t)n, tmp)] = '\0';
	}
	fclose(tmp);
	return text;
}

/* The options a command's help names (tokens -x and --word), each once,
 * as " -a --bee ... ".  New string or NULL. */
static char *help_options(const char *cmd)
{
	char *text = capture_help(cmd), *out, *p, *q, tok[80];
	size_t len = 1;

	if (!text || !(out = malloc(strlen(text) * 2 + 2))) {
		free(text);
		return NULL;
	}
	strcpy(out, " ");
	for (p = text; *p; p = q) {
		q = p + 1;
		if (*p != '-' || (p > text && !strchr(" [(|\n", p[-1])))
			continue;
		for (q = p + 1; *q == '-' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'); q++)
			;
		if (q - p < 2 || q - p > 60 || (q - p == 2 && p[1] == '-') || q[-1] == '-')
			continue;
		snprintf(tok, sizeof tok, " %.*s ", (int)(q - p), p);
		if (strstr(out, tok))
			continue;
		memcpy(out + len, tok + 1, strlen(tok) - 1);
		len += strlen(tok) - 1;
		out[len] = '\0';
	}
	free(text);
	return out;
}

static void set_keys(FILE *f)
{
	static const char *const sections[] = { "", "input", "output", NULL };
	const cf_option *t;

	for (size_t i = 0; sections[i]; i++)
		for (t = cf_pipeline_options(sections[i]); t->key; t++)
			if (t->type != CF_OPT_NODE)
				fprintf(f, "%s%s%s= ", sections[i], *sections[i] ? "." : "", t->key);
	fprintf(f, "stages.0.");
}

int cf_cmd_completion(int argc, char **argv)
{
	const char *cmds[] = { "run", "validate", "teacher", "eval", "merge", "init",
	                       "schema", "completion", "help", "version", NULL };
	char *opts;

	if (argc < 2 || strcmp(argv[1], "bash")) {
		if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			cf_cli_usage("completion", stdout);
			return CF_EXIT_OK;
		}
		fprintf(stderr, "cfaug completion: say which shell: cfaug completion bash\n");
		return CF_EXIT_USAGE;
	}
	printf("# bash completion for cfaug %s (generated by 'cfaug completion bash')\n"
	       "_cfaug() {\n"
	       "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
	       "  local cmd=\"${COMP_WORDS[1]}\" words=\"\"\n"
	       "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	       "    COMPREPLY=($(compgen -W \"", CFAUG_VERSION);
	for (size_t i = 0; cmds[i]; i++)
		printf("%s%s", i ? " " : "", cmds[i]);
	printf(" --help --version\" -- \"$cur\")); return\n  fi\n"
	       "  case \"$prev\" in\n"
	       "    -i|--input|-o|--output|-m|--model|--judge|--originals|--fluency|"
	       "--review-export|--review-import)\n"
	       "      COMPREPLY=($(compgen -f -- \"$cur\")); return;;\n"
	       "    --set)\n"
	       "      case \"$cur\" in\n"
	       "        stages.*.type=*) COMPREPLY=($(compgen -P \"${cur%%=*}=\" -W \"");
	for (size_t i = 0; cf_stage_kinds[i]; i++)
		printf("%s%s", i ? " " : "", cf_stage_kinds[i]->name);
	printf("\" -- \"${cur#*=}\"));;\n"
	       "        *) compopt -o nospace 2>/dev/null\n"
	       "           COMPREPLY=($(compgen -W \"");
	set_keys(stdout);
	printf("\" -- \"$cur\"));;\n      esac; return;;\n  esac\n"
	       "  case \"$cmd\" in\n");
	for (size_t i = 0; cmds[i]; i++) {
		if (!(opts = help_options(cmds[i])))
			continue;
		printf("    %s) words=\"%s\";;\n", cmds[i], opts);
		free(opts);
	}
	printf("  esac\n"
	       "  case \"$cmd\" in\n"
	       "    teacher) [ \"$COMP_CWORD\" -eq 2 ] && words=\"train eval predict\";;\n"
	       "    init) words=\"$words sentiment-flip gender-cda nli llm\";;\n"
	       "    help) words=\"");
	for (size_t i = 0; cmds[i]; i++)
		printf("%s ", cmds[i]);
	printf("stages\";;\n    completion) words=\"bash\";;\n  esac\n"
	       "  if [[ \"$cur\" == -* || -n \"$words\" && \"$cmd\" =~ ^(teacher|init|help|completion)$ ]]; then\n"
	       "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	       "  else\n"
	       "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
	       "  fi\n"
	       "}\n"
	       "complete -F _cfaug cfaug\n");
	return CF_EXIT_OK;
}
