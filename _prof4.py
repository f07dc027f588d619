import numpy as np, time, sys
from benchmarks.classify import sentence_pool
from backfire.classify._match import get_matcher
import backfire.classify._match as M
from backfire.classify import _normalize as nz
for c in sys.argv[1].split(','):
    m=get_matcher(c)
    texts=(sentence_pool(c)*40)[:4000]
    S=nz.strip(nz.normalize(nz.SEP+nz.SEP.join(texts)+nz.SEP))[0]
    parts=S.split(nz.SEP); L=np.array([len(p) for p in parts]); starts=np.cumsum(L+3)[:-2]; ends=starts+L[1:-1]
    todo=m._candidates(S,starts)
    full=0; ideal=0; nomatch=0
    for p,u in todo.items():
        rx=m.entries[p].sregex
        subs=[S[starts[k]-1:ends[k]+1] for k in u.tolist()]
        sub='\x00'.join(subs)
        t=time.perf_counter(); spans=[x.span() for x in rx.finditer(sub)]; full+=time.perf_counter()-t
        # ideal: start each utterance at its first match
        firsts=[]
        for w in subs:
            mm=rx.search(w)
            firsts.append(w[mm.start()-1 if mm and mm.start()>0 else 0:] if mm else '')
        sub2='\x00'.join(f for f in firsts if f)
        t=time.perf_counter(); spans=[x.span() for x in rx.finditer(sub2)]; ideal+=time.perf_counter()-t
    print(c, 'full', round(full,3), 'ideal-start', round(ideal,3))
