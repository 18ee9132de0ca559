# Counterfactuals of two rules runs (dirs with augmented.jsonl, CAD sentiment: the Text field) compared by orig_id;
# writes one line per changed hunk (id, before, after) to OUT. Usage: bench/neg4_scope_diff.py BEFORE_DIR AFTER_DIR OUT
import json,difflib,sys
def load(p):
    d={}
    for l in open(p):
        r=json.loads(l)
        if r.get("source")=="counterfactual": d[r["orig_id"]]=r["Text"]
    return d
a=load(sys.argv[1]+"/augmented.jsonl"); b=load(sys.argv[2]+"/augmented.jsonl")
print("cf before",len(a),"after",len(b), "lost", len(set(a)-set(b)), "new", len(set(b)-set(a)))
n=0; out=[]
for k in sorted(set(a)|set(b), key=lambda x:int(x)):
    x=a.get(k,"<none>"); y=b.get(k,"<none>")
    if x!=y:
        n+=1
        xw=x.split(); yw=y.split()
        sm=difflib.SequenceMatcher(None,xw,yw,autojunk=False)
        for op,i1,i2,j1,j2 in sm.get_opcodes():
            if op!='equal':
                out.append("%s\t%s\t-> %s" % (k," ".join(xw[max(0,i1-6):i2+4])," ".join(yw[max(0,j1-6):j2+4])))
print("reviews changed",n, "hunks", len(out))
open(sys.argv[3],"w").write("\n".join(out)+"\n")
