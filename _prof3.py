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
    cand=0; hit=0; rows=[]
    for p,u in todo.items():
        rx=m.entries[p].sregex
        matched=set()
        for k in u.tolist():
            if any(True for _ in M.pattern_spans(rx, S[starts[k]-1:ends[k]+1])): matched.add(k)
        cand+=len(u); hit+=len(matched)
        rows.append((len(u)-len(matched), len(u), len(matched), p))
    rows.sort(reverse=True)
    print(c, 'utts', len(texts), 'patterns', len(m.patterns), 'candidates', cand, 'true', hit, 'precision', round(hit/max(cand,1),3))
    for w,n,h,p in rows[:6]:
        e=m.entries[p]; print('   ', n, h, e.entry.value[:80], [sorted(s)[:6] for cl in e.requires for s in cl][:3])
