#!/usr/bin/env python3
"""Edits that differ between two runs of the same pipeline on the same input:
one line per edit only one side made (old/new), with its context; the last
line counts the pairs that changed.  Usage: pair_edits_diff.py OLD NEW [N]
(N: show N changed pairs, seeded random sample)."""
import json, random, sys
def load(p):
    d={}
    for l in open(p):
        x=json.loads(l); d[x['pair_id']]=x
    return d
o=load(sys.argv[1]); n=load(sys.argv[2]); k=int(sys.argv[3]) if len(sys.argv)>3 else 999
rows=[]
for pid in n:
    if pid in o and o[pid]['generator']['edits']!=n[pid]['generator']['edits']:
        t=next(iter(n[pid]['original'].values())).encode()
        oe={(e['src'][0],e['to']) for e in o[pid]['generator']['edits']}
        ne={(e['src'][0],e['to']) for e in n[pid]['generator']['edits']}
        def show(E,tag):
            for e in E:
                if (e['src'][0],e['to']) in (oe^ne):
                    a,b=e['src']; rows.append((pid,tag,(t[max(0,a-45):a].decode('utf8','replace')+'<<'+e['from']+'->'+e['to']+'>>'+t[b:b+35].decode('utf8','replace')).replace('\n',' ')))
        show(o[pid]['generator']['edits'],'old'); show(n[pid]['generator']['edits'],'new')
random.seed(1)

ids=sorted({r[0] for r in rows}); pick=set(random.sample(ids,min(k,len(ids))))
for r in rows:
    if r[0] in pick: print(r[0], r[1], r[2])
print(len(ids),'pairs changed')
