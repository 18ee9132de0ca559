#!/usr/bin/env bash
# Session 5 UX leftovers (ci5): the command `cfaug init` prints runs when
# pasted, whatever the file's name; a model file that is not there says
# which file, which key (FILE:LINE:COL), and the command that makes it —
# and that command, pasted with its placeholders filled, makes it.
set -u
. "$(dirname "$0")/../lib.sh"
ROOT=$PWD

# paste_cmd LINE: the command after "then: " / "make it with: " in LINE,
# with cfaug as $CFAUG, DATA and LABEL filled (for eval)
paste_cmd() {
  local c
  c=$(printf '%s\n' "$1" | sed -e 's/.*\(then\|make it with\): //' -e 's/ (see cfaug help teacher)$//')
  c=${c//DATA/$ROOT/tests/data/teacher/train.jsonl}
  c=${c//LABEL/label}
  printf '%s\n' "${c/cfaug /\"\$CFAUG\" }"
}

# --- 1. cfaug init: the printed next command, pasted, runs ----------------
mkdir -p "$T/w"
cp examples/data/reviews.jsonl "$T/w/data.jsonl"
for name in "my pipeline.yaml" "it's \$HOME.yaml" "-dash.yaml" "plain.yaml"; do
  (cd "$T/w" && "$CFAUG" init gender-cda -o "$name") >"$T/out" 2>"$T/err"
  line=$(grep "then: cfaug validate" "$T/out")
  cmd=$(paste_cmd "$line")
  if (cd "$T/w" && eval "$cmd") >"$T/v.out" 2>"$T/v.err"; then
    ok "init -o '$name': the printed command, pasted, validates it"
  else
    bad "init -o '$name': pasting '$line' failed" "$(head -c 300 "$T/v.err")"
  fi
done
contains "$T/out" "then: cfaug validate plain.yaml" "a plain name stays unquoted"

# --- 2. a missing model: which file, which key, how to make it ------------
mkdir -p "$T/m"
cat >"$T/m/short.yaml" <<Y
input: {path: $ROOT/examples/data/reviews.jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, packs: [antonyms], label: {positive: negative, negative: positive}}
  - type: teacher
    model: models/my model.cft
    labels: {Negative: negative, Positive: positive}
    accept: {policy: delta, min_delta: 0.25}
output: {dir: out}
Y
cat >"$T/m/judges.yaml" <<Y
input: {path: $ROOT/examples/data/reviews.jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, packs: [antonyms], label: {positive: negative, negative: positive}}
  - type: teacher
    judges:
      - {kind: builtin, name: a, model: judge-a.cft}
    accept: {policy: delta, min_delta: 0.25}
output: {dir: out}
Y
for f in short judges; do
  (cd "$T/m" && "$CFAUG" validate "$f.yaml") >"$T/out" 2>"$T/err"; RC=$?
  [ "$RC" -eq 3 ] && ok "$f: a missing model is a config error (exit 3)" || bad "$f: exit $RC, wanted 3"
done
# the shorthand model: at line 5, column 12; the judge's at line 6, column 41
(cd "$T/m" && "$CFAUG" validate short.yaml) 2>"$T/err"
contains "$T/err" "short.yaml:5:12: model: models/my model.cft (relative to $T/m): no such model file" \
  "shorthand: FILE:LINE:COL, the key, the file and relative to what"
contains "$T/err" "make it with: cfaug teacher train -i DATA --label-field LABEL -o 'models/my model.cft'" \
  "shorthand: the command that makes it, the name quoted"
(cd "$T/m" && "$CFAUG" validate judges.yaml) 2>"$T/err"
contains "$T/err" "judges.yaml:6:41: model: judge-a.cft (relative to $T/m): no such model file" \
  "judges[]: FILE:LINE:COL, the key and the file"
if grep -q "cannot open" "$T/err"; then bad "the old bare 'cannot open' is still said" "$(cat "$T/err")"
else ok "no bare 'cannot open'"; fi

# the hint, pasted with DATA and LABEL filled, makes a model the pipeline takes
mkdir -p "$T/m/models"
(cd "$T/m" && "$CFAUG" validate short.yaml) 2>"$T/err"
cmd=$(paste_cmd "$(cat "$T/err")")
(cd "$T/m" && eval "$cmd") >"$T/train.out" 2>"$T/train.err" \
  && ok "the hint's teacher train command, pasted, makes the model" \
  || bad "the hint's command failed: $cmd" "$(tail -c 300 "$T/train.err")"
(cd "$T/m" && "$CFAUG" validate short.yaml) >"$T/out" 2>"$T/err" \
  && ok "with the model made, the pipeline validates" || bad "still invalid" "$(cat "$T/err")"

# --- 3. the command line: cfaug teacher eval/predict -m, cfaug eval --judge -
for sub in eval predict; do
  (cd "$T/m" && "$CFAUG" teacher $sub -m gone.cft -i "$ROOT/tests/data/teacher/train.jsonl") >"$T/out" 2>"$T/err"; RC=$?
  [ "$RC" -eq 1 ] && ok "teacher $sub -m gone.cft: exit 1" || bad "teacher $sub: exit $RC"
  contains "$T/err" "cfaug teacher: gone.cft (relative to $T/m): no such model file; make it with: cfaug teacher train" \
    "teacher $sub: which file and how to make it"
done
(cd "$T/m" && "$CFAUG" eval -i "$ROOT/tests/data/teacher/train.jsonl" -o ev --judge gone.cft) >"$T/out" 2>"$T/err"
contains "$T/err" "gone.cft (relative to $T/m): no such model file; make it with" "eval --judge gone.cft: the same"
if [ "$(id -u)" -ne 0 ] && [ -e "$T/m/models/my model.cft" ]; then
  chmod 000 "$T/m/models/my model.cft"
  (cd "$T/m" && "$CFAUG" teacher eval -m "models/my model.cft" -i x) 2>"$T/err"
  contains "$T/err" "cannot open the model file: Permission denied" "an unreadable model: the reason, no train hint"
  chmod 644 "$T/m/models/my model.cft"
fi

# --- 4. teacher train -o into a folder that does not exist -----------------
"$CFAUG" teacher train -i tests/data/teacher/train.jsonl --label-field label \
  -o "$T/nodir/m.cft" >"$T/out" 2>"$T/err"; RC=$?
[ "$RC" -eq 1 ] && ok "train -o into a missing folder: exit 1" || bad "train -o: exit $RC"
contains "$T/err" "$T/nodir/m.cft: cannot write the model file: No such file or directory (its folder does not exist)" \
  "train -o: names the file given (not its .tmp) and the folder"

finish
