#!/usr/bin/env bash
# scripts/designate_options.py keeps every default and help text: a string
# made only of spaces stays as it is (it was wiped to nothing), adjacent
# literals are joined, an escaped quote is not a literal's end.
set -eu
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cat > "$T/t.c" <<'C'
static const cf_option opts[] = {
	{ "sep", CF_OPT_STRING, offsetof(st, sep), "   ", 0, NULL, 0, 0, NULL,
	  "three spaces" },
	{ "q", CF_OPT_STRING, offsetof(st, q), "\" \"", 0, NULL, 0, 0, NULL,
	  "a quote, " "a space, "
	  "a quote" },
	{ NULL }
};
C
cat > "$T/want.c" <<'C'
static const cf_option opts[] = {
	{ .key = "sep", .type = CF_OPT_STRING, .offset = offsetof(st, sep),
	  .def = "   ", .help = "three spaces" },
	{ .key = "q", .type = CF_OPT_STRING, .offset = offsetof(st, q),
	  .def = "\" \"", .help = "a quote, a space, a quote" },
	{ .key = NULL }
};
C
[ "$(python3 scripts/designate_options.py "$T/t.c")" = "$T/t.c" ]
diff -u "$T/want.c" "$T/t.c"
# a second run finds nothing to do
[ -z "$(python3 scripts/designate_options.py "$T/t.c")" ]
echo "ok: designate_options keeps blank strings and joins literals"
