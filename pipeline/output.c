/*
 * output.c - writes finished groups to the output files.
 *
 * Consumes: groups, in input order, from the runner.  Emits one line per
 * item to pairs.jsonl / augmented.jsonl / rejected.jsonl / errors.jsonl.
 * State: four stdio streams with large buffers over DIR/.NAME.part files.
 * Fast path: an original read from JSONL is written to augmented.jsonl by
 * splicing its raw line (no re-serialisation), which keeps read->write
 * throughput near the parser's; a counterfactual row is spliced from it
 * too, so the input's other fields keep their exact bytes.  Every file is
 * created through safe_file.h (no symlink, no FIFO).  The commit replaces
 * the five files as one set (see "the commit" below).  Failure: any write
 * error is CF_EIO naming the file; the partial files are removed by
 * cf_output_free().  A dry run (layout.discard) writes nothing at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "json_write.h"
#include "output.h"
#include "output_writers.h"
#include "safe_file.h"
#include "utf8_cut.h"

enum { OUT_PAIRS = CF_OUT_PAIRS, OUT_AUGMENTED = CF_OUT_AUGMENTED,
       OUT_REJECTED = CF_OUT_REJECTED, OUT_ERRORS = CF_OUT_ERRORS,
       OUT_REPORT = CF_OUT_REPORT, OUT_N = CF_OUT_N };

static const char *const out_names[OUT_N] = {
	"pairs.jsonl", "augmented.jsonl", "rejected.jsonl", "errors.jsonl",
	"report.json"
};

/* Data files are written through 1 MiB stdio buffers that the output
 * owns: glibc's setvbuf(f, NULL, _IOFBF, size) ignores size and keeps its
 * 4 KiB default, one write() per 4 KiB. */
#define OUT_BUFSZ (1u << 20)
static char stdout_buf[OUT_BUFSZ];   /* "-": stdout's buffer, for the process */
#define OUT_RAW_TEXTS 8            /* text fields whose raw spans are kept */

struct cf_output {
	char *dir;                 /* NULL for "-" and for a dry run */
	int discard;               /* dry run: nothing is written anywhere */
	cf_output_layout layout;
	FILE *f[OUT_N];            /* NULL where not written */
	char *buf[OUT_N];          /* f[i]'s stdio buffer (owned; freed after f[i]) */
	char *part[OUT_N];         /* DIR/.NAME.part */
	char *final[OUT_N];        /* DIR/NAME */
	char name[OUT_N][64];      /* NAME: with the suffix compression and format give */
	char *prev[OUT_N];         /* DIR/.NAME.prev: the previous run's file during a commit */
	char *journal;             /* DIR/.cfaug.journal: a commit is in progress */
	char *journal_part;        /* DIR/.cfaug.journal.part: the journal being written */
	int committed;
	cf_jbuf jb;                /* one line being serialised */
	cf_dsv_writer dsv;         /* augmented as CSV/TSV (output_dsv.c) */
	cf_error_lines elines;     /* "-": errors told on stderr, by kind */
	/* the original's text field values as raw JSON, when their bytes are
	 * what cf_json_write_string would write (find_raw_texts) */
	const char *rawtext[OUT_RAW_TEXTS];
	size_t rawtext_len[OUT_RAW_TEXTS];
	int rawtext_ok;
	/* a candidate's text values as JSON, written once for pairs.jsonl and
	 * copied into augmented.jsonl (issue 15); emptied per group, so a
	 * value's address stays its own while it is kept */
	cf_jbuf esc;
	const json_t *esc_v[OUT_RAW_TEXTS];
	size_t esc_off[OUT_RAW_TEXTS], esc_len[OUT_RAW_TEXTS], nesc;
	char *pid;                 /* the pair_id being written */
	size_t pid_cap;
	int lock_fd;               /* DIR/.cfaug.lock, held for the whole run */
	int locked;                /* the .part files are ours to remove */
};

static char *path_join(const char *dir, const char *prefix, const char *name,
                       const char *suffix)
{
	size_t n = strlen(dir) + strlen(prefix) + strlen(name) + strlen(suffix) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/%s%s%s", dir, prefix, name, suffix);
	return s;
}

/* mkdir -p with mode 0700 for directories we create. */
static int make_dirs(const char *dir, cf_error *err)
{
	char *tmp = strdup(dir), *s;
	int rc = 0;

	if (!tmp)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (s = tmp + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
				rc = cf_error_set(err, CF_EIO, "%s: cannot create directory: %s",
				                  tmp, strerror(errno));
				goto done;
			}
			*s = c;
			if (!c)
				break;
		}
	}
done:
	free(tmp);
	return rc;
}

/* A new private file: never through a symlink, never a FIFO (safe_file.h). */
static FILE *open_private(const char *path, cf_error *err)
{
	int fd = cf_file_create(path, O_WRONLY, 0600, err);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return f;
}

/* One run per output directory at a time: two runs writing the same
 * .part files would corrupt each other.  The lock goes with the process,
 * so a killed run never leaves it behind. */
static int lock_dir(cf_output *o, const char *dir, cf_error *err)
{
	char *path = path_join(dir, "", ".cfaug.lock", "");
	cf_error why = { 0 };
	int rc = 0;

	if (!path)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	o->lock_fd = cf_file_open(path, O_WRONLY | O_CREAT, 0600, &why);
	if (o->lock_fd < 0)   /* the directory is what the user named */
		rc = cf_error_set(err, why.code, "output directory %s: cannot write in it "
		                  "(%s)", dir, why.msg);
	else if (flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0)
		rc = cf_error_set(err, CF_EIO, "%s: another cfaug run is writing to this "
		                  "output directory", dir);
	free(path);
	return rc;
}

/* Input that is one of this run's own files would be truncated (a .part)
 * or replaced (a final file) before it is read to the end: refused before
 * anything is created.  Same inode = same file, whatever the names. */
static int check_input_not_output(const cf_output *o, cf_error *err)
{
	const char *in = o->layout.input_path;
	struct stat si, so;
	int i;

	if (!in || (strcmp(in, "-") == 0 ? fstat(STDIN_FILENO, &si) : stat(in, &si)) != 0 ||
	    !S_ISREG(si.st_mode))
		return 0;
	if (strcmp(in, "-") == 0)
		in = "stdin";
	for (i = 0; i < OUT_N; i++) {
		const char *cand[3] = { o->final[i], o->part[i], o->prev[i] };
		int k;
		for (k = 0; k < 3; k++)
			if (stat(cand[k], &so) == 0 && so.st_dev == si.st_dev && so.st_ino == si.st_ino)
				return cf_error_set(err, CF_ECONFIG, "the input %s is %s, a file this "
				                    "run writes: refusing to overwrite what it reads "
				                    "(choose another output.dir)", in, cand[k]);
	}
	return 0;
}

/* Is file i written by this run (output.files; 0 = all)? */
static int wanted(const cf_output *o, int i)
{
	return !o->layout.files || (o->layout.files & (1u << i));
}

static int recover(cf_output *o, cf_error *err);
static FILE *open_private(const char *path, cf_error *err);

static int make_paths(cf_output *o, const char *dir, cf_error *err)
{
	int i;

	o->journal = path_join(dir, "", ".cfaug.journal", "");
	o->journal_part = path_join(dir, "", ".cfaug.journal", ".part");
	if (!o->journal_part)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < OUT_N; i++) {
		/* the name output.compress / augmented_format give the file */
		const char *name = cf_output_file_name(&o->layout, i, o->name[i],
		                                       sizeof o->name[i]);
		o->part[i] = path_join(dir, ".", name, ".part");
		o->final[i] = path_join(dir, "", name, "");
		o->prev[i] = path_join(dir, ".", name, ".prev");
		if (!o->part[i] || !o->final[i] || !o->prev[i])
			return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	return o->journal ? 0 : cf_error_set(err, CF_ENOMEM, "out of memory");
}

int cf_output_open(cf_output **out, const char *dir,
                   const cf_output_layout *layout, cf_error *err)
{
	cf_output *o = calloc(1, sizeof *o);
	int rc = 0, i;

	if (!o)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	o->lock_fd = -1;
	o->layout = *layout;
	if (layout->discard) {   /* dry run: no file, no stdout */
		o->discard = 1;
		goto done;
	}
	if (strcmp(dir, "-") == 0) {
		o->f[OUT_PAIRS] = stdout;
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
		goto done;
	}
	o->dir = strdup(dir);
	if (!o->dir) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = make_paths(o, dir, err)) < 0 || (rc = check_input_not_output(o, err)) < 0 ||
	    (rc = make_dirs(dir, err)) < 0 || (rc = lock_dir(o, dir, err)) < 0)
		goto done;
	o->locked = 1;
	if ((rc = recover(o, err)) < 0)
		goto done;
	for (i = 0; i < OUT_N; i++) {
		if (!wanted(o, i))
			continue;   /* not in output.files */
		if (i == OUT_REPORT)
			continue;   /* written at commit */
		if (!(o->f[i] = open_private(o->part[i], err)) ||
		    !(o->f[i] = cf_zfile_wrap(o->f[i], layout->compress))) {
			/* open_private's message, else the compressor's failure */
			rc = cf_error_set(err, CF_EIO, "%s: %s", o->part[i], strerror(errno));
			goto done;
		}
		if ((o->buf[i] = malloc(OUT_BUFSZ)))   /* else stdio's own */
			setvbuf(o->f[i], o->buf[i], _IOFBF, OUT_BUFSZ);
	}
done:
	if (rc < 0)
		cf_output_free(&o);
	*out = o;
	return rc;
}

const char *const cf_output_file_names[] = {
	"pairs", "augmented", "rejected", "errors", "report", NULL
};

const char *cf_output_file_name(const cf_output_layout *l, int i, char *buf,
                                size_t n)
{
	if (i == OUT_REPORT)
		snprintf(buf, n, "%s", out_names[i]);
	else if (i == OUT_AUGMENTED && l->aug_delim)
		snprintf(buf, n, "augmented.%s%s", l->aug_delim == ',' ? "csv" : "tsv",
		         cf_zfile_suffix(l->compress));
	else
		snprintf(buf, n, "%s%s", out_names[i], cf_zfile_suffix(l->compress));
	return buf;
}

const char *cf_output_dir(const cf_output *o)
{
	return o ? o->dir : NULL;
}

/* ---- line writers ---------------------------------------------------- */

/* Decimal digits of v at p; returns the end. */
static char *put_uint(char *p, uint32_t v)
{
	char tmp[10];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* "ID#STAGE.N" whole, however long the id (a fixed buffer used to cut
 * long ids, making them collide, and multi-byte ones invalid UTF-8).
 * Returns the id in o->pid, or NULL when out of memory. */
static const char *make_pair_id(cf_output *o, const cf_item *it)
{
	size_t need = strlen(it->rec->id) + 2 * 11 + 3;
	char *p;

	if (need > o->pid_cap) {
		if (!(p = realloc(o->pid, need)))
			return NULL;
		o->pid = p;
		o->pid_cap = need;
	}
	/* "%s#%u.%u" without printf, which showed in profiles */
	p = o->pid + (need - 2 * 11 - 3);
	memcpy(o->pid, it->rec->id, (size_t)(p - o->pid));
	*p++ = '#';
	p = put_uint(p, it->gen_stage);
	*p++ = '.';
	p = put_uint(p, it->gen_index);
	*p = '\0';
	return o->pid;
}

/* The lines below are written straight into o->jb, without building
 * jansson objects for them: each helper returns 0 or -1 (out of memory),
 * and callers OR the results together. */
#define PUT_LIT(b, lit) cf_jbuf_put((b), (lit), sizeof(lit) - 1)

static int put_str(cf_jbuf *b, const char *s)
{
	return cf_json_write_string(b, s, strlen(s));
}

static int is_text_field(const cf_output *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->layout.text_fields->n; i++)
		if (strcmp(o->layout.text_fields->v[i], key) == 0)
			return 1;
	return 0;
}

/* cf_json_write(b, v) of a candidate's text value v, from o->esc when v
 * was written in this group already. */
static int put_cf_value(cf_output *o, cf_jbuf *b, const json_t *v)
{
	size_t k, off;

	for (k = 0; k < o->nesc; k++)
		if (o->esc_v[k] == v)
			return cf_jbuf_put(b, o->esc.p + o->esc_off[k], o->esc_len[k]);
	if (!json_is_string(v) || o->nesc == OUT_RAW_TEXTS)
		return cf_json_write(b, v);
	off = o->esc.len;
	if (cf_json_write(&o->esc, v) < 0)
		return -1;
	o->esc_v[o->nesc] = v;
	o->esc_off[o->nesc] = off;
	o->esc_len[o->nesc++] = o->esc.len - off;
	return cf_jbuf_put(b, o->esc.p + off, o->esc.len - off);
}

/* {text fields..., "label"} of the original or of a candidate. */
static int put_side(cf_output *o, const cf_item *it)
{
	cf_jbuf *b = &o->jb;
	const char *label = cf_item_label(it);
	int bad = 0, first = 1;
	size_t i;

	bad |= PUT_LIT(b, "{");
	for (i = 0; i < o->layout.text_fields->n; i++) {
		const char *f = o->layout.text_fields->v[i];
		json_t *v = json_object_get(it->cf ? it->cf : it->rec->fields, f);
		if (!v)
			continue;
		if (!first)
			bad |= PUT_LIT(b, ",");
		first = 0;
		bad |= put_str(b, f) | PUT_LIT(b, ":");
		if (!it->cf && o->rawtext_ok)   /* the input's bytes are the same */
			bad |= cf_jbuf_put(b, o->rawtext[i], o->rawtext_len[i]);
		else if (it->cf)
			bad |= put_cf_value(o, b, v);
		else
			bad |= cf_json_write(b, v);
	}
	if (label)
		bad |= (first ? 0 : PUT_LIT(b, ",")) | PUT_LIT(b, "\"label\":") | put_str(b, label);
	return bad | PUT_LIT(b, "}");
}

/* cf_json_write(it->generator), with it->gen_edits (JSON text) in place of
 * the null an "edits" key holds then (record.h). */
static int put_generator(cf_jbuf *b, const cf_item *it)
{
	const char *key;
	json_t *v;
	int bad = 0, first = 1;

	if (!it->gen_edits)
		return cf_json_write(b, it->generator);
	bad |= PUT_LIT(b, "{");
	json_object_foreach(it->generator, key, v) {
		bad |= (first ? 0 : PUT_LIT(b, ",")) | put_str(b, key) | PUT_LIT(b, ":");
		first = 0;
		if (json_is_null(v) && strcmp(key, "edits") == 0)
			bad |= cf_jbuf_put(b, it->gen_edits, strlen(it->gen_edits));
		else
			bad |= cf_json_write(b, v);
	}
	return bad | PUT_LIT(b, "}");
}

/* The pairs.jsonl / rejected.jsonl line of a candidate, without its
 * closing brace (rejected.jsonl adds fields). */
static int put_pair_open(cf_output *o, const cf_item *it, const char *pair_id)
{
	cf_item orig = { .rec = it->rec };
	cf_jbuf *b = &o->jb;
	int bad = 0;

	bad |= PUT_LIT(b, "{\"pair_id\":") | put_str(b, pair_id);
	bad |= PUT_LIT(b, ",\"orig_id\":") | put_str(b, it->rec->id);
	bad |= PUT_LIT(b, ",\"original\":") | put_side(o, &orig);
	bad |= PUT_LIT(b, ",\"counterfactual\":") | put_side(o, it);
	if (it->generator)
		bad |= PUT_LIT(b, ",\"generator\":") | put_generator(b, it);
	if (it->notes) {
		const char *key;
		json_t *v;

		json_object_foreach(it->notes, key, v)
			bad |= PUT_LIT(b, ",") | put_str(b, key) | PUT_LIT(b, ":") |
			       cf_json_write(b, v);
	}
	return bad;
}

/* An augmented.jsonl line: the input record's own fields in their order,
 * with a candidate's text fields and target label put in, then source,
 * pair_id and orig_id (reserved names: an input field of that name is
 * replaced).  orig_id, the input record's id on the original and on each
 * of its counterfactuals, is the group a trainer keeps on one side of a
 * dev split (`cfaug teacher train` reads it). */
static int put_flat(cf_output *o, const cf_item *it, const char *pair_id)
{
	const char *lf = o->layout.label_field, *label = cf_item_label(it), *key;
	cf_jbuf *b = &o->jb;
	json_t *v, *cfv;
	int bad = 0, first = 1;

	bad |= PUT_LIT(b, "{");
	json_object_foreach(it->rec->fields, key, v) {
		if (strcmp(key, "source") == 0 || strcmp(key, "pair_id") == 0 ||
		    strcmp(key, "orig_id") == 0)
			continue;
		if (!first)
			bad |= PUT_LIT(b, ",");
		first = 0;
		bad |= put_str(b, key) | PUT_LIT(b, ":");
		if (it->cf && lf && label && strcmp(key, lf) == 0)
			bad |= put_str(b, label);
		else if (it->cf && is_text_field(o, key) && (cfv = json_object_get(it->cf, key)))
			bad |= cf_json_write(b, cfv);
		else
			bad |= cf_json_write(b, v);
	}
	bad |= first ? PUT_LIT(b, "\"source\":") : PUT_LIT(b, ",\"source\":");
	bad |= it->cf ? PUT_LIT(b, "\"counterfactual\"") : PUT_LIT(b, "\"original\"");
	bad |= PUT_LIT(b, ",\"pair_id\":") | (pair_id ? put_str(b, pair_id) : PUT_LIT(b, "null"));
	bad |= PUT_LIT(b, ",\"orig_id\":") | put_str(b, it->rec->id);
	return bad | PUT_LIT(b, "}\n");
}

/* An augmented row as CSV/TSV (output_dsv.c). */
static int put_augmented_dsv(cf_output *o, const cf_item *it, const char *pair_id)
{
	o->dsv.delim = o->layout.aug_delim;
	return cf_dsv_write_flat(&o->dsv, o->f[OUT_AUGMENTED], it, pair_id,
	                         o->layout.text_fields, o->layout.label_field);
}

/* ---- counterfactual rows from the raw line ------------------------------
 * A counterfactual row of augmented.jsonl carries the input's other fields
 * byte-exact: each member's key and value are copied from the raw JSONL
 * line (a float keeps its digits, an escape its spelling), and only the
 * edited text fields and the label are written anew.  The line was parsed
 * as one valid object before, so the scanner below only finds extents. */

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

/* End of the string starting at the quote s.  memchr finds the next quote
 * (texts are long, escapes rare); it closes the string when an even number
 * of backslashes precede it inside the string. */
static const char *skip_string(const char *s, const char *end)
{
	const char *start = s + 1, *q = start, *b;

	while ((q = memchr(q, '"', (size_t)(end - q))) != NULL) {
		for (b = q; b > start && b[-1] == '\\'; b--)
			;
		if (((q - b) & 1) == 0)
			return q + 1;
		q++;
	}
	return NULL;
}

/* End of the value starting at s (string, container, number, literal). */
static const char *skip_value(const char *s, const char *end)
{
	int depth = 0;

	if (s >= end)
		return NULL;
	if (*s == '"')
		return skip_string(s, end);
	if (*s != '{' && *s != '[') {
		while (s < end && *s != ',' && *s != '}' && *s != ']' && *s != ' ' &&
		       *s != '\t' && *s != '\r' && *s != '\n')
			s++;
		return s;
	}
	while (s < end) {
		if (*s == '"') {
			if (!(s = skip_string(s, end)))
				return NULL;
			continue;
		}
		if (*s == '{' || *s == '[')
			depth++;
		else if ((*s == '}' || *s == ']') && --depth == 0)
			return s + 1;
		s++;
	}
	return NULL;
}

/* The decoded key of a raw "..." span (escapes are rare: jansson then). */
static int key_is(const char *ks, const char *ke, const char *name)
{
	size_t n = (size_t)(ke - ks) - 2;
	json_t *j;
	int same;

	if (!memchr(ks, '\\', (size_t)(ke - ks)))
		return strlen(name) == n && memcmp(ks + 1, name, n) == 0;
	if (!(j = json_loadb(ks, (size_t)(ke - ks), JSON_DECODE_ANY, NULL)))
		return 0;
	same = strcmp(json_string_value(j), name) == 0;
	json_decref(j);
	return same;
}

static int raw_is_text_field(const cf_output *o, const char *ks, const char *ke,
                             const char **name)
{
	size_t i;

	for (i = 0; i < o->layout.text_fields->n; i++)
		if (key_is(ks, ke, o->layout.text_fields->v[i])) {
			*name = o->layout.text_fields->v[i];
			return 1;
		}
	return 0;
}

/* A candidate's label where the input had raw label [vs, ve): the input's
 * bytes when the label is kept, a bare number when the input's label was a
 * number and the new one is an integer too (labels 0/1 stay numbers). */
static int put_label(cf_jbuf *b, const char *label, const char *vs, const char *ve)
{
	size_t n = strlen(label), i = label[0] == '-';

	if (n == (size_t)(ve - vs) && memcmp(label, vs, n) == 0)
		return cf_jbuf_put(b, vs, n);   /* the same number, as written */
	if (*vs != '"' && n > i && n < 20) {
		while (i < n && label[i] >= '0' && label[i] <= '9')
			i++;
		if (i == n)
			return cf_jbuf_put(b, label, n);
	}
	return put_str(b, label);
}

/* put_flat() from the raw line (a candidate, or an original that cannot be
 * spliced whole because it has a `source` or `pair_id` field): 0, -1 (out
 * of memory) or 1 when the line cannot be scanned (then put_flat()). */
static int put_flat_raw(cf_output *o, const cf_group *g, const cf_item *it,
                        const char *pair_id)
{
	const char *lf = o->layout.label_field, *label = cf_item_label(it), *name;
	const char *s = g->raw, *end = g->raw + g->raw_len, *ks, *ke, *vs, *ve;
	cf_jbuf *b = &o->jb;
	size_t mark = b->len;
	json_t *cfv;
	int bad = 0, first = 1;

	s = skip_ws(s, end);
	if (s >= end || *s++ != '{')
		goto unscannable;
	bad |= PUT_LIT(b, "{");
	for (;;) {
		s = skip_ws(s, end);
		if (s < end && *s == '}')
			break;
		if (s >= end || *s != '"' || !(ke = skip_string(ks = s, end)))
			goto unscannable;
		s = skip_ws(ke, end);
		if (s >= end || *s++ != ':')
			goto unscannable;
		vs = skip_ws(s, end);
		if (!(ve = skip_value(vs, end)))
			goto unscannable;
		s = skip_ws(ve, end);
		if (s < end && *s == ',')
			s++;
		if (key_is(ks, ke, "source") || key_is(ks, ke, "pair_id") ||
		    key_is(ks, ke, "orig_id"))
			continue;
		if (!first)
			bad |= PUT_LIT(b, ",");
		first = 0;
		bad |= cf_jbuf_put(b, ks, (size_t)(ke - ks)) | PUT_LIT(b, ":");
		if (it->cf && lf && label && key_is(ks, ke, lf))
			bad |= put_label(b, label, vs, ve);
		else if (it->cf && raw_is_text_field(o, ks, ke, &name) &&
		         (cfv = json_object_get(it->cf, name)))
			bad |= put_cf_value(o, b, cfv);
		else
			bad |= cf_jbuf_put(b, vs, (size_t)(ve - vs));
	}
	bad |= first ? PUT_LIT(b, "\"source\":") : PUT_LIT(b, ",\"source\":");
	bad |= it->cf ? PUT_LIT(b, "\"counterfactual\"") : PUT_LIT(b, "\"original\"");
	bad |= PUT_LIT(b, ",\"pair_id\":") | (pair_id ? put_str(b, pair_id) : PUT_LIT(b, "null"));
	bad |= PUT_LIT(b, ",\"orig_id\":") | put_str(b, it->rec->id);
	return bad | PUT_LIT(b, "}\n") ? -1 : 0;
unscannable:
	b->len = mark;
	return 1;
}

/* Is the raw JSON string [s, e) (quotes included) byte for byte what
 * cf_json_write_string writes for its value?  Yes when its only escapes
 * are the short ones the writer uses (the parser refused raw control
 * bytes already). */
static int canonical_string(const char *s, const char *e)
{
	const char *p = s + 1;

	while ((p = memchr(p, '\\', (size_t)(e - 1 - p))) != NULL) {
		if (!strchr("\"\\bfnrt", p[1]) || !p[1])
			return 0;
		p += 2;
	}
	return 1;
}

/* Note in o->rawtext the raw values of the text fields of g's JSONL line
 * when every one is a string in canonical form found once: pairs.jsonl's
 * "original" side is then copied, not re-escaped (issue 15).  Leaves
 * o->rawtext_ok 0 when anything is unusual. */
static void find_raw_texts(cf_output *o, const cf_group *g)
{
	const char *s = g->raw, *end = g->raw + g->raw_len, *ks, *ke, *vs, *ve, *name;
	const cf_strlist *tf = o->layout.text_fields;
	size_t i, found = 0;

	o->rawtext_ok = 0;
	if (!o->layout.raw_splice || !g->raw || tf->n > OUT_RAW_TEXTS)
		return;
	for (i = 0; i < tf->n; i++)
		o->rawtext[i] = NULL;
	s = skip_ws(s, end);
	if (s >= end || *s++ != '{')
		return;
	for (;;) {
		s = skip_ws(s, end);
		if (s < end && *s == '}')
			break;
		if (s >= end || *s != '"' || !(ke = skip_string(ks = s, end)))
			return;
		s = skip_ws(ke, end);
		if (s >= end || *s++ != ':')
			return;
		vs = skip_ws(s, end);
		if (!(ve = skip_value(vs, end)))
			return;
		s = skip_ws(ve, end);
		if (s < end && *s == ',')
			s++;
		if (!raw_is_text_field(o, ks, ke, &name))
			continue;
		for (i = 0; tf->v[i] != name; i++)
			;
		if (o->rawtext[i] || *vs != '"' || !canonical_string(vs, ve))
			return;   /* twice (the parser kept one), or not as written */
		o->rawtext[i] = vs;
		o->rawtext_len[i] = (size_t)(ve - vs);
		found++;
	}
	o->rawtext_ok = found == tf->n;
}

static int flush_line(cf_output *o, int which, int bad);

/* flush_line() for a writer that returns 1 for "not done, nothing put". */
static int flush_line_keep(cf_output *o, int which, int r)
{
	return r == 1 ? 1 : flush_line(o, which, r);
}

/* Write o->jb to file `which` and empty it. */
static int flush_line(cf_output *o, int which, int bad)
{
	size_t n = o->jb.len;

	o->jb.len = 0;
	if (bad)
		return CF_ENOMEM;
	if (o->f[which] && fwrite(o->jb.p, 1, n, o->f[which]) != n)
		return CF_EIO;
	return 0;
}

/* Write an original from its raw JSONL line: `{...` + our three fields +
 * `}`.  Only when the object is non-empty and has none of our keys. */
static int put_original_raw(cf_output *o, const cf_group *g)
{
	static const char tail[] = ",\"source\":\"original\",\"pair_id\":null,"
	                           "\"orig_id\":";
	const char *s = g->raw;
	size_t n = g->raw_len;
	FILE *f = o->f[OUT_AUGMENTED];

	while (n && s[n - 1] != '}')
		n--;
	if (!n)
		return 1;
	if (fwrite(s, 1, n - 1, f) != n - 1 ||
	    fwrite(tail, 1, sizeof tail - 1, f) != sizeof tail - 1)
		return CF_EIO;
	return flush_line(o, OUT_AUGMENTED,
	                  put_str(&o->jb, g->rec.id) | PUT_LIT(&o->jb, "}\n"));
}

static int can_splice(const cf_output *o, const cf_group *g)
{
	return o->layout.raw_splice && g->raw && json_object_size(g->rec.fields) &&
	       !json_object_get(g->rec.fields, "source") &&
	       !json_object_get(g->rec.fields, "pair_id") &&
	       !json_object_get(g->rec.fields, "orig_id");
}

/* Raw input for errors.jsonl: at most CF_RAW_MAX bytes, cut on a character
 * boundary, with every byte
 * that is not valid UTF-8 (or NUL) replaced by U+FFFD, so the line is
 * valid JSON whatever the input held. */
static json_t *raw_string(const char *s, size_t n)
{
	char buf[CF_RAW_MAX * 3 + 4];
	size_t out = 0, ok;
	int nul;

	n = cf_utf8_cut(s, n, CF_RAW_MAX);   /* never half a character at the cut */
	while (n) {
		ok = cf_utf8_check(s, n, &nul);
		memcpy(buf + out, s, ok);
		out += ok;
		if (ok == n)
			break;
		memcpy(buf + out, "\xEF\xBF\xBD", 3);
		out += 3;
		s += ok + 1;
		n -= ok + 1;
	}
	return json_stringn_nocheck(buf, out);
}

static int put_json(cf_output *o, int which, json_t *j)
{
	if (!o->f[which])
		return 0;
	return flush_line(o, which, cf_json_write(&o->jb, j) | PUT_LIT(&o->jb, "\n"));
}

static int put_error(cf_output *o, const cf_group *g)
{
	json_t *j;
	char *reason;
	int rc;

	if (o->discard)
		return 0;
	if (!o->f[OUT_ERRORS]) {   /* "-": one text line on stderr (error_lines.c) */
		cf_error_line(&o->elines, stderr, o->layout.input_name, g->rec.line,
		              g->rec.recno, g->error_stage, g->error);
		return 0;
	}
	if (!(j = json_object()))
		return CF_ENOMEM;
	json_object_set_new(j, "line", json_integer(g->rec.line));
	json_object_set_new(j, "recno", json_integer((json_int_t)g->rec.recno));
	if (g->id_known)
		json_object_set_new(j, "id", json_string(g->rec.id));
	if (g->error_stage)
		json_object_set_new(j, "stage", json_string(g->error_stage));
	/* a reason cut inside a character would make json_string() fail and
	 * the line lose its reason: repaired instead */
	if (!(reason = cf_utf8_valid_dup(g->error, strlen(g->error)))) {
		json_decref(j);
		return CF_ENOMEM;
	}
	json_object_set_new(j, "reason", json_string_nocheck(reason));
	free(reason);
	if (g->raw)
		json_object_set_new(j, "raw", raw_string(g->raw, g->raw_len));
	rc = put_json(o, OUT_ERRORS, j);
	json_decref(j);
	return rc;
}

/* Candidates of one record, sorted by (gen_stage, gen_index) into v. */
static size_t sorted_items(cf_item *head, cf_item **v, size_t cap)
{
	size_t n = 0, i;

	for (; head && n < cap; head = head->next) {
		for (i = n; i > 0 && (v[i - 1]->gen_stage > head->gen_stage ||
		     (v[i - 1]->gen_stage == head->gen_stage &&
		      v[i - 1]->gen_index > head->gen_index)); i--)
			v[i] = v[i - 1];
		v[i] = head;
		n++;
	}
	return n;
}

static size_t list_len(const cf_item *it)
{
	size_t n = 0;

	for (; it; it = it->next)
		n++;
	return n;
}

static int put_rejected(cf_output *o, const cf_item *it, const char *pair_id)
{
	cf_jbuf *b = &o->jb;
	int bad;

	if (!o->f[OUT_REJECTED])
		return 0;
	bad = put_pair_open(o, it, pair_id);
	bad |= PUT_LIT(b, ",\"stage\":") | put_str(b, o->layout.stages[it->reject_stage].name);
	bad |= PUT_LIT(b, ",\"reason\":") | put_str(b, it->reason ? it->reason : "rejected");
	if (it->detail)
		bad |= PUT_LIT(b, ",\"detail\":") | cf_json_write(b, it->detail);
	bad |= PUT_LIT(b, "}\n");
	return flush_line(o, OUT_REJECTED, bad);
}

int cf_output_write_group(cf_output *o, const cf_group *g, cf_error *err)
{
	cf_item *stackv[64], **v = stackv;
	size_t n, i, cap;
	const char *pid;
	int rc = 0;

	if (g->is_error) {   /* its candidates were all moved to rejected */
		if ((rc = put_error(o, g)) < 0)
			goto done;
		goto rejected;
	}
	/* the original first, then its accepted counterfactuals */
	if (g->original_out && o->f[OUT_AUGMENTED] && o->layout.aug_delim) {
		rc = put_augmented_dsv(o, &g->original, NULL);
	} else if (g->original_out && o->f[OUT_AUGMENTED]) {
		rc = can_splice(o, g) ? put_original_raw(o, g) : 1;
		if (rc == 1 && o->layout.raw_splice && g->raw)
			rc = flush_line_keep(o, OUT_AUGMENTED, put_flat_raw(o, g, &g->original, NULL));
		if (rc == 1)
			rc = flush_line(o, OUT_AUGMENTED, put_flat(o, &g->original, NULL));
		if (rc < 0)
			goto done;
	}
	cap = list_len(g->accepted);
	if (list_len(g->rejected) > cap)
		cap = list_len(g->rejected);
	if (cap)
		find_raw_texts(o, g);
	if (cap > 64 && !(v = malloc(cap * sizeof *v))) {
		rc = CF_ENOMEM;
		goto done;
	}
	n = sorted_items(g->accepted, v, cap);
	for (i = 0; i < n && rc == 0; i++) {
		o->nesc = 0;   /* one candidate's values at a time */
		o->esc.len = 0;
		if (!(pid = make_pair_id(o, v[i]))) {
			rc = CF_ENOMEM;
			break;
		}
		rc = flush_line(o, OUT_PAIRS, put_pair_open(o, v[i], pid) | PUT_LIT(&o->jb, "}\n"));
		if (rc == 0 && o->f[OUT_AUGMENTED] && o->layout.aug_delim)
			rc = put_augmented_dsv(o, v[i], pid);
		else if (rc == 0 && o->f[OUT_AUGMENTED]) {
			int r = o->layout.raw_splice && g->raw ? put_flat_raw(o, g, v[i], pid) : 1;
			rc = flush_line(o, OUT_AUGMENTED, r == 1 ? put_flat(o, v[i], pid) : r);
		}
	}
rejected:
	cap = list_len(g->rejected);
	if (cap > 64 && v == stackv && !(v = malloc(cap * sizeof *v))) {
		rc = CF_ENOMEM;
		goto done;
	}
	n = sorted_items(g->rejected, v, cap);
	for (i = 0; i < n && rc == 0; i++) {
		if (!(pid = make_pair_id(o, v[i]))) {
			rc = CF_ENOMEM;
			break;
		}
		rc = put_rejected(o, v[i], pid);
	}
done:
	o->rawtext_ok = 0;
	o->nesc = 0;
	o->esc.len = 0;
	if (v != stackv)
		free(v);
	if (rc == CF_ENOMEM)
		return cf_error_set(err, rc, "out of memory while writing output");
	if (rc < 0)
		return cf_error_set(err, CF_EIO, "%s: write failed: %s",
		                    o->dir ? o->dir : "stdout", strerror(errno));
	return 0;
}

/* fflush + fsync + fclose, reporting the first failure. */
static int close_stream(FILE *f, const char *path, cf_error *err)
{
	int bad = fflush(f) != 0;

	if (!bad && f != stdout && fileno(f) >= 0 && fsync(fileno(f)) != 0 &&
	    errno != EINVAL)   /* a compressed stream fsyncs in fclose */
		bad = 1;
	if (f != stdout ? fclose(f) != 0 : 0)
		bad = 1;
	if (bad)
		return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

/* ---- the commit: the whole set or the previous one --------------------
 *
 * The five files change together.  Before the first rename, every
 * previous file is hard-linked to DIR/.NAME.prev and the journal
 * DIR/.cfaug.journal (the names that had a previous file) is made
 * durable; then the .part files are renamed into place, report.json last;
 * the commit point is the journal's removal.  A rename that fails puts the
 * previous set back at once; a run killed in between leaves the journal,
 * and the next run on the directory puts the previous set back (recover())
 * before anything else.  While the journal exists the set is not whole. */

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Is name one of the lines of the journal's text? */
static int listed_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

/* Put the previous set back as the journal lists it, remove the journal
 * and every leftover of the interrupted commit.  Idempotent. */
static int roll_back(cf_output *o, const char *listed, cf_error *err)
{
	int i, rc = 0;

	for (i = 0; i < OUT_N; i++) {
		int had = listed && listed_has(listed, o->name[i]);
		if (!wanted(o, i))
			continue;   /* not in output.files: this run never touches it */
		if (had && rename(o->prev[i], o->final[i]) != 0 && errno != ENOENT)
			rc = cf_error_set(err, CF_EIO, "%s: cannot put the previous file back: %s",
			                  o->final[i], strerror(errno));
		else if (!had && listed && unlink(o->final[i]) != 0 && errno != ENOENT)
			rc = cf_error_set(err, CF_EIO, "%s: cannot remove: %s", o->final[i],
			                  strerror(errno));
	}
	if (rc < 0)
		return rc;   /* keep the journal: the next run tries again */
	sync_dir(o->dir);
	if (unlink(o->journal) != 0 && errno != ENOENT)
		return cf_error_set(err, CF_EIO, "%s: %s", o->journal, strerror(errno));
	/* without a journal nothing new was renamed in: a .prev is the
	 * previous file (moved aside where hard links are not supported) */
	for (i = 0; i < OUT_N; i++)
		if (listed || access(o->final[i], F_OK) == 0 || rename(o->prev[i], o->final[i]) != 0)
			unlink(o->prev[i]);
	unlink(o->journal_part);
	return 0;
}

/* Under the lock, before anything is written: finish off a commit that a
 * killed run left (put its previous set back). */
static int recover(cf_output *o, cf_error *err)
{
	char buf[512];
	struct stat sb;
	ssize_t n;
	int fd, rc;

	if (lstat(o->journal, &sb) != 0 && errno == ENOENT)
		return roll_back(o, NULL, err);   /* only leftovers to remove */
	if ((fd = cf_file_open(o->journal, O_RDONLY, 0, err)) < 0)
		return fd;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return cf_error_set(err, CF_EIO, "%s: %s", o->journal, strerror(errno));
	buf[n] = '\0';
	rc = roll_back(o, buf, err);
	if (rc == 0)
		fprintf(stderr, "cfaug: %s: an interrupted commit was found; the previous "
		        "output was put back\n", o->dir);
	return rc;
}

/* Hard-link every previous file to .NAME.prev and write the journal. */
static int begin_commit(cf_output *o, cf_error *err)
{
	char list[512];
	size_t len = 0;
	struct stat sb;
	FILE *f;
	int i, rc;

	list[0] = '\0';
	for (i = 0; i < OUT_N; i++) {
		if (!wanted(o, i))
			continue;   /* not in output.files: left as it is */
		unlink(o->prev[i]);
		if (lstat(o->final[i], &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			return cf_error_set(err, CF_EIO, "%s: is a directory", o->final[i]);
		/* a link keeps the file in place; where the file system has no
		 * hard links, moving it aside keeps the set whole all the same */
		if (link(o->final[i], o->prev[i]) != 0 &&
		    ((errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP &&
		      errno != ENOSYS) || rename(o->final[i], o->prev[i]) != 0))
			return cf_error_set(err, CF_EIO, "%s: cannot keep the previous file: %s",
			                    o->final[i], strerror(errno));
		len += (size_t)snprintf(list + len, sizeof list - len, "%s\n", o->name[i]);
	}
	{
		const char *tmp = o->journal_part;
		rc = (f = open_private(tmp, err)) ? 0 : CF_EIO;
		if (rc == 0 && (fputs(list, f) == EOF || (rc = close_stream(f, tmp, err)) < 0))
			rc = rc < 0 ? rc : cf_error_set(err, CF_EIO, "%s: write failed", tmp);
		if (rc == 0 && rename(tmp, o->journal) != 0)
			rc = cf_error_set(err, CF_EIO, "%s: cannot rename into place: %s",
			                  o->journal, strerror(errno));
		if (rc < 0)
			unlink(tmp);
	}
	if (rc == 0 && sync_dir(o->dir) != 0)
		rc = cf_error_set(err, CF_EIO, "%s: fsync: %s", o->dir, strerror(errno));
	return rc;
}

int cf_output_commit(cf_output *o, json_t *report, cf_error *err)
{
	cf_error e2 = { 0 };
	int rc = 0, i;
	FILE *f;

	if (o->discard) {
		o->committed = 1;
		goto done;
	}
	if (!o->dir) {
		rc = fflush(stdout) ? cf_error_set(err, CF_EIO, "stdout: %s",
		                                   strerror(errno)) : 0;
		o->f[OUT_PAIRS] = NULL;
		goto done;
	}
	for (i = 0; i < OUT_N && rc == 0; i++) {
		if (!o->f[i])
			continue;
		rc = close_stream(o->f[i], o->part[i], err);
		o->f[i] = NULL;
		free(o->buf[i]);
		o->buf[i] = NULL;
	}
	if (rc < 0)
		goto done;
	if (wanted(o, OUT_REPORT)) {
		if (!(f = open_private(o->part[OUT_REPORT], err))) {
			rc = CF_EIO;
			goto done;
		}
		if (json_dumpf(report, f, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0 ||
		    fputc('\n', f) == EOF) {
			fclose(f);
			rc = cf_error_set(err, CF_EIO, "%s: write failed", o->part[OUT_REPORT]);
			goto done;
		}
		if ((rc = close_stream(f, o->part[OUT_REPORT], err)) < 0)
			goto done;
	}
	if ((rc = begin_commit(o, err)) < 0) {
		roll_back(o, NULL, &e2);   /* nothing was renamed in: undo the links */
		goto done;
	}
	/* the data files first, the report last: a report means a whole run */
	for (i = 0; i < OUT_N; i++) {
		if (!wanted(o, i))
			continue;   /* not in output.files */
		if (rename(o->part[i], o->final[i]) != 0) {
			rc = cf_error_set(err, CF_EIO, "%s: cannot rename into place: %s; the "
			                  "previous output was kept", o->final[i], strerror(errno));
			goto rollback;
		}
	}
	if (sync_dir(o->dir) != 0 || unlink(o->journal) != 0) {
		rc = cf_error_set(err, CF_EIO, "%s: cannot finish the commit: %s", o->journal,
		                  strerror(errno));
		goto rollback;
	}
	o->committed = 1;
	for (i = 0; i < OUT_N; i++)
		unlink(o->prev[i]);
	goto done;
rollback:
	{
		char buf[512];
		ssize_t n;
		int fd = open(o->journal, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		buf[0] = '\0';
		if (fd >= 0) {
			n = read(fd, buf, sizeof buf - 1);
			buf[n > 0 ? n : 0] = '\0';
			close(fd);
			roll_back(o, buf, &e2);
		}
	}
done:
	return rc;
}

void cf_output_free(cf_output **po)
{
	cf_output *o = po ? *po : NULL;
	int i;

	if (!o)
		return;
	for (i = 0; i < OUT_N; i++) {
		if (o->f[i] && o->f[i] != stdout)
			fclose(o->f[i]);
		else if (o->f[i] == stdout)
			fflush(stdout);
		free(o->buf[i]);
		if (!o->committed && o->locked && o->part[i])
			unlink(o->part[i]);
		free(o->part[i]);
		free(o->final[i]);
		free(o->prev[i]);
	}
	cf_jbuf_free(&o->jb);
	cf_jbuf_free(&o->esc);
	cf_dsv_writer_free(&o->dsv);
	cf_error_lines_end(&o->elines, stderr);
	free(o->pid);
	if (o->lock_fd >= 0)
		close(o->lock_fd);   /* releases the lock */
	free(o->journal);
	free(o->journal_part);
	free(o->dir);
	free(o);
	*po = NULL;
}
