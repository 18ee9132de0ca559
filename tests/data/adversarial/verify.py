"""Check one adversarial run's output (tests/cli/test_adversarial.sh).

usage: verify.py DIR PROCESSED ERRORS [LINE:REASON]... [+ID]...
  ERRORS       a count, or ">N" for more than N
  LINE:REASON  an errors.jsonl entry for input line LINE whose reason
               contains REASON (listed in file order, all of them or a prefix)
  +ID          a record id that must be in augmented.jsonl as an original
Also: the report's totals reconcile (read = processed + errors), every
errors.jsonl line has a line number and a non-empty reason, and
augmented.jsonl holds exactly PROCESSED originals.  Prints what is wrong
and exits 1, or exits 0.
"""
import json
import sys

d, processed, errors = sys.argv[1], int(sys.argv[2]), sys.argv[3]
want_err = [a for a in sys.argv[4:] if not a.startswith('+')]
want_ids = [a[1:] for a in sys.argv[4:] if a.startswith('+')]
bad = []
t = json.load(open(d + '/report.json'))['totals']
if t['records_read'] != t['records_processed'] + t['records_errors'] + t['records_other_shards']:
    bad.append('totals do not reconcile: %s' % t)
if t['records_processed'] != processed:
    bad.append('processed %d, want %d' % (t['records_processed'], processed))
if errors.startswith('>'):
    if t['records_errors'] <= int(errors[1:]):
        bad.append('errors %d, want more than %s' % (t['records_errors'], errors[1:]))
elif t['records_errors'] != int(errors):
    bad.append('errors %d, want %s' % (t['records_errors'], errors))
errs = [json.loads(l) for l in open(d + '/errors.jsonl', 'rb')]
if len(errs) != t['records_errors']:
    bad.append('errors.jsonl has %d lines, the report %d'
               % (len(errs), t['records_errors']))
for e in errs:
    if not isinstance(e.get('line'), int) or not e.get('reason'):
        bad.append('error without line or reason: %r' % e)
        break
for i, w in enumerate(want_err):
    line, reason = w.split(':', 1)
    if i >= len(errs):
        bad.append('missing error %s' % w)
    elif errs[i]['line'] != int(line) or reason not in errs[i]['reason']:
        bad.append('error %d is line %s "%s", want line %s "%s"'
                   % (i + 1, errs[i]['line'], errs[i]['reason'], line, reason))
aug = [json.loads(l) for l in open(d + '/augmented.jsonl', 'rb')]
orig = [a for a in aug if a.get('source') == 'original']
if len(orig) != processed:
    bad.append('augmented.jsonl has %d originals, want %d' % (len(orig), processed))
ids = {str(a.get('id')) for a in orig}
for i in want_ids:
    if i not in ids:
        bad.append('record %s missing from augmented.jsonl' % i)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
