/*
 * conf.h - the pipeline file as a tree of located nodes, and option tables.
 *
 * The YAML loader turns a file into cf_node trees that remember line and
 * column of every node (1-based), so any later check can say FILE:LINE:COL.
 * `${NAME}` in a scalar value (not a key) is replaced by the environment
 * variable NAME ([A-Za-z_][A-Za-z0-9_]*) at load time; `$${` is a literal
 * `${`; an unset variable or a `${` without `}` is a config error.  (YAML
 * itself wants `${X}` quoted inside [..] or {..}: braces are flow syntax.)
 * Nodes made by --set overrides have line 0, are never expanded, and are
 * reported as "--set: message".
 *
 * Stages never parse YAML: they declare a table of cf_option (key, type,
 * offset into their state, default) and cf_options_load() fills the state and
 * reports every mistake with its location.
 *
 * Ownership: a cf_conf owns all its nodes; nodes and their strings are
 * borrowed by everybody else and live until cf_conf_free() -- or until a
 * cf_conf_set() replaces them, so apply every override before reading.
 *
 * Limits: files over CF_CONF_MAX_BYTES, nesting deeper than
 * CF_CONF_MAX_DEPTH, anchors, aliases and tags are config errors.
 */
#ifndef CFAUG_CONF_H
#define CFAUG_CONF_H

#include "cfaug.h"

#define CF_CONF_MAX_BYTES (4u << 20)   /* file size */
#define CF_CONF_MAX_DEPTH 64            /* nested collections, root = 1 */

typedef enum { CF_NODE_SCALAR, CF_NODE_SEQ, CF_NODE_MAP } cf_node_type;

typedef struct cf_node {
	cf_node_type type;
	int line, col;           /* 1-based; 0 for nodes made by --set */
	char *str;               /* scalar text after ${} expansion, NUL-terminated */
	size_t len;              /* length of str */
	int quoted;              /* scalar was quoted: never read as null/bool/number */
	struct cf_node **kids;   /* SEQ: items; MAP: key0, val0, key1, val1, ... */
	size_t nkids;            /* number of entries in kids (2 x pairs for MAP) */
	struct cf_node *parent;  /* NULL for the root; used to name a node's path */
} cf_node;

typedef struct cf_conf {
	char *path;              /* file name as given, used in messages */
	cf_node *root;           /* a MAP */
	unsigned char sha256[32];/* of the file's bytes as read */
} cf_conf;

/* Load and parse a YAML file ("-" is not allowed: CF_EUSAGE).  Aliases,
 * anchors and tags are refused, the file must be one document holding one
 * mapping.  Returns 0, CF_ECONFIG with err set to "FILE:LINE:COL: message"
 * (just "FILE: message" for a file over the size cap), CF_EIO ("FILE:
 * strerror") or CF_ENOMEM.  *out is a new object, NULL on failure. */
int cf_conf_load(cf_conf **out, const char *path, cf_error *err);

/* Same, from memory; name is used in messages. */
int cf_conf_load_buffer(cf_conf **out, const char *name, const char *buf,
                        size_t len, cf_error *err);

/* Apply one "a.b.c=value" override (split at the first '='; sequence items
 * by 0-based index, e.g. "stages.0.p=0.3").  The target becomes a plain
 * scalar (so "12" is read as a number), or, for a value starting with
 * [ { " or ', the YAML it spells (a flow list or mapping, a quoted string;
 * broken YAML is CF_EUSAGE); whatever it replaces is freed.
 * Missing map keys are created, and a mapping in place of a null on the way.
 * A path through a scalar, an out-of-range index, no '=' or an empty key or
 * component is CF_EUSAGE ("--set KEY: message"). */
int cf_conf_set(cf_conf *conf, const char *assignment, cf_error *err);

void cf_conf_free(cf_conf **conf);

/* Look up key in a MAP node; NULL if absent or node is not a map. */
const cf_node *cf_node_get(const cf_node *map, const char *key);

/* True for a plain (unquoted) scalar that YAML reads as null: empty, "~",
 * "null", "Null", "NULL".  Options treat such a value as absent. */
int cf_node_is_null(const cf_node *n);

/* Write the dotted path of n from the root ("stages.1.p", "input"; "" for
 * the root, the same syntax --set takes) into buf, truncated to size.
 * Returns the length the full path has (like snprintf). */
size_t cf_node_path(const cf_node *n, char *buf, size_t size);

/* Set err to "FILE:LINE:COL: <fmt>" (or "--set: <fmt>" for line 0, or
 * "FILE: <fmt>" when at is NULL) and return CF_ECONFIG. */
int cf_conf_error(cf_error *err, const char *file, const cf_node *at,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- option tables --------------------------------------------------- */

typedef enum {
	CF_OPT_STRING,   /* char *            (owned copy, freed by cf_options_free) */
	CF_OPT_INT,      /* long */
	CF_OPT_DOUBLE,   /* double */
	CF_OPT_BOOL,     /* int 0/1  (true/false/yes/no/on/off) */
	CF_OPT_ENUM,     /* int: index into choices */
	CF_OPT_STRLIST,  /* cf_strlist: a scalar or a sequence of scalars */
	CF_OPT_STRMAP,   /* cf_strmap: a mapping of scalar -> scalar */
	CF_OPT_NODE,     /* const cf_node * (borrowed from the conf) */
	CF_OPT_CUSTOM,   /* the setter is called with the node */
	CF_OPT_OPTNUM,   /* cf_optnum: a number, or absent (the server's
	                    default); CF_OPT_INTEGER: a whole number */
	CF_OPT_MAP,      /* a struct (see "sub-tables" below) loaded from a
	                    mapping by .sub; a scalar stands for
	                    {.shorthand: scalar} when .shorthand is set */
	CF_OPT_MAPLIST,  /* cf_maplist: a sequence of mappings, each loaded by
	                    .sub into a struct of .size bytes */
	CF_OPT_RANGE,    /* cf_range: [lo, hi], two numbers, lo <= hi, both
	                    within min..max when min < max */
	CF_OPT_NODELIST  /* cf_nodelist: a sequence whose items are handed
	                    whole to another loader (judges, each by its
	                    kind's table) */
} cf_opt_type;

typedef struct cf_strlist { char **v; size_t n; } cf_strlist;
typedef struct cf_strmap { char **keys; char **vals; size_t n; } cf_strmap;

#define CF_OPT_REQUIRED 0x1u
#define CF_OPT_INTEGER  0x2u   /* CF_OPT_OPTNUM: must be a whole number */
#define CF_OPT_NONEMPTY 0x4u   /* STRING, STRLIST items, STRMAP values: not "" */

/* Sub-tables (CF_OPT_MAP, CF_OPT_MAPLIST): the struct a sub-table loads
 * starts with `const cf_node *at;`, which the loader sets to the mapping
 * (or shorthand scalar) it came from -- NULL for a MAP that is absent, whose
 * struct then holds the sub-table's defaults.  Use it to point later
 * messages at the entry (cf_node_get(x.at, "key") for one of its keys).
 * Messages about a sub-table's keys name it by its path ("unknown key 'x'
 * in stages.0.parse (mode, between, field)"). */
typedef struct cf_maplist {
	void *v;               /* n structs of the row's .size bytes */
	size_t n;
} cf_maplist;

/* Element i of a cf_maplist of T. */
#define CF_MAPLIST_AT(l, T, i) (&((T *)(l)->v)[i])

typedef struct cf_nodelist {
	const cf_node *const *v;   /* the items (borrowed from the conf) */
	size_t n;
	const cf_node *at;         /* the sequence; NULL when absent */
} cf_nodelist;

typedef struct cf_range {
	int set;               /* 0: absent */
	double lo, hi;
} cf_range;

/* An optional number (CF_OPT_OPTNUM): set is 0 when the key is absent or
 * null; at is the value's node (borrowed from the conf), for messages. */
typedef struct cf_optnum {
	int set;
	double v;              /* integers up to 2^53 are exact */
	const struct cf_node *at;
} cf_optnum;

typedef struct cf_option {
	const char *key;
	cf_opt_type type;
	size_t offset;                   /* offsetof(state, field) */
	const char *def;                 /* default, as YAML scalar text; NULL = none */
	unsigned flags;                  /* CF_OPT_REQUIRED */
	const char *const *choices;      /* ENUM: NULL-terminated names */
	/* INT/DOUBLE/OPTNUM/RANGE: value range, checked when min < max;
	 * STRLIST/MAPLIST/NODELIST: item count, checked when max > 0 */
	double min, max;
	/* CUSTOM: parse node into state; use cf_conf_error for messages. */
	int (*set)(void *state, const cf_node *node, const char *file, cf_error *err);
	const char *help;                /* one line, for `cfaug help stages` */
	/* CUSTOM: free what set() stored, leaving zeroes; called by
	 * cf_options_free (so also after a failed load).  May be NULL. */
	void (*release)(void *state);
	const struct cf_option *sub;     /* MAP, MAPLIST: the entries' table */
	size_t size;                     /* MAPLIST: sizeof one entry's struct */
	const char *shorthand;           /* MAP: the key a scalar value sets */
} cf_option;

/* Fill state from a MAP node using table (terminated by key == NULL).
 * Keys listed in skip (NULL-terminated, may be NULL) are ignored — e.g.
 * "type" and "name" of a stage.  Unknown keys, wrong types, values out of
 * range, missing required keys: CF_ECONFIG with FILE:LINE:COL naming the key.
 * Defaults are applied for absent keys; a plain null value (`key:`, `~`)
 * counts as absent.  map may be NULL or a null scalar (all defaults).
 * Messages name the map by its path: "unknown key 'x' in input".
 * state must start zeroed; on failure what was stored is freed again. */
int cf_options_load(const cf_option *table, void *state, const cf_node *map,
                    const char *file, const char *const *skip, cf_error *err);

/* As cf_options_load, but keys the table does not name are passed over:
 * a view of a mapping whose owner's table has checked it already (the
 * dataset card reads a stage's packs and models so).  Sub-tables (MAP,
 * MAPLIST) of the table stay strict. */
int cf_options_pick(const cf_option *table, void *state, const cf_node *map,
                    const char *file, cf_error *err);

/* Set one row's field in state from n (not null), as cf_options_load
 * would: for a CUSTOM setter that accepts a keyword or a typed value and
 * hands the typed value to the row of its type. */
int cf_option_set(const cf_option *row, void *state, const cf_node *n,
                  const char *file, cf_error *err);

/* Free what cf_options_load allocated in state (strings, lists, maps, and
 * CUSTOM via release) and zero those fields; safe to call twice. */
void cf_options_free(const cf_option *table, void *state);

/* Helpers for custom setters and stages.  They are strict like the option
 * types: a quoted scalar is a string, never a number or a bool.
 * long: decimal with optional sign, in range of long.  double: decimal or
 * exponent notation, finite.  bool: true/false/yes/no/on/off, any case. */
int cf_node_to_long(const cf_node *n, long *out);      /* 0 ok, -1 not an integer */
int cf_node_to_double(const cf_node *n, double *out);  /* 0 ok, -1 not a number */
int cf_node_to_bool(const cf_node *n, int *out);       /* 0 ok, -1 not a bool */
const char *cf_node_type_name(cf_node_type t);          /* "scalar", "sequence", "mapping" */
/* Free the contents and zero the struct; l / m may be NULL. */
void cf_strlist_free(cf_strlist *l);
void cf_strmap_free(cf_strmap *m);
/* Value for key in m, or NULL. */
const char *cf_strmap_get(const cf_strmap *m, const char *key);

/* SHA-256 of a buffer (used for the pipeline file, prompts, cache keys). */
void cf_sha256(const void *data, size_t len, unsigned char out[32]);
/* Lower-case hex of a 32-byte digest into out[65]. */
void cf_sha256_hex(const unsigned char d[32], char out[65]);

#endif
