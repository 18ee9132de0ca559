#!/usr/bin/env bash
# The phrase lists next to the sentiment packs (lexicons/idioms.txt,
# lexicons/negation-fixed.txt) load through one reader (neg4, issue 12):
#  - a phrase opening with a quote is a config error at FILE:LINE (exit 3,
#    with the yaml key's location), not "out of memory" (exit 1);
#  - negation-fixed.txt has no fixed count: 700 phrases (700 first words,
#    more than the closed-class table started with) load, and the last one
#    still freezes its words in clause negation and in the scoped pack.
# Run from the project root with CFAUG set.
set -u
fail=0
T=$(mktemp -d /tmp/cfaug-phrases.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf '{"id":"1","text":"The plot was good and the acting was great.","label":"positive"}\n' >"$T/in.jsonl"
for scope in 0 3; do
  cat >"$T/p$scope.yaml" <<EOF
input: {path: $T/in.jsonl, id_field: id, text_fields: [text], label_field: label, labels: [positive, negative]}
stages:
  - type: rules
    packs: [negation, antonyms]
    negation_scope: $scope
    label: {positive: negative, negative: positive}
output: {dir: $T/out$scope}
EOF
done

# 1. a quote at the start of an idiom
cp -r lexicons "$T/q"
printf '"dead on arrival"\n' >>"$T/q/idioms.txt"
n=$(grep -c '' "$T/q/idioms.txt")
CFAUG_LEXICONS="$T/q" "$CFAUG" run "$T/p3.yaml" -q >"$T/q.out" 2>&1
rc=$?
[ "$rc" = 3 ] || { echo "FAIL: quoted idiom: exit $rc, want 3"; fail=1; }
grep -q "p3.yaml:[0-9]*:[0-9]*: .*idioms.txt:$n: a phrase must start with a letter or digit" "$T/q.out" ||
  { echo "FAIL: quoted idiom message:"; cat "$T/q.out"; fail=1; }
# the same in negation-fixed.txt, for both loaders
cp -r lexicons "$T/qf"
printf '"as good as it gets"\n' >>"$T/qf/negation-fixed.txt"
n=$(grep -c '' "$T/qf/negation-fixed.txt")
for scope in 0 3; do
  CFAUG_LEXICONS="$T/qf" "$CFAUG" run "$T/p$scope.yaml" -q >"$T/qf.out" 2>&1
  rc=$?
  [ "$rc" = 3 ] && grep -q "negation-fixed.txt:$n: a phrase must start" "$T/qf.out" ||
    { echo "FAIL: quoted fixed phrase, scope $scope: exit $rc"; cat "$T/qf.out"; fail=1; }
done

# 2. 700 fixed phrases, the one that matters last
cp -r lexicons "$T/big"
for i in $(seq 1 700); do echo "zq$i whatever thing"; done >>"$T/big/negation-fixed.txt"
echo "the plot was good" >>"$T/big/negation-fixed.txt"
for scope in 0 3; do
  CFAUG_LEXICONS="$T/big" "$CFAUG" run "$T/p$scope.yaml" -q >"$T/big.out" 2>&1
  rc=$?
  [ "$rc" = 0 ] || { echo "FAIL: 701 fixed phrases, scope $scope: exit $rc"; cat "$T/big.out"; fail=1; continue; }
  # clause negation (scope 0) does not negate inside it; the scoped pack
  # keeps it whole
  want="The plot was good"; [ $scope = 0 ] && want="The plot was bad"
  grep '"counterfactual"' "$T/out$scope/augmented.jsonl" | grep -q "$want" ||
    { echo "FAIL: scope $scope: the last fixed phrase was edited:"; cat "$T/out$scope/augmented.jsonl"; fail=1; }
done
for scope in 0 3; do
  "$CFAUG" run "$T/p$scope.yaml" -q >/dev/null 2>&1
  grep '"counterfactual"' "$T/out$scope/augmented.jsonl" | grep -q "The plot was not good" ||
    { echo "FAIL: control: the shipped lexicons do not negate 'The plot was good' at scope $scope: the test proves nothing"; fail=1; }
done
exit $fail
