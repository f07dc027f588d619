import cProfile, pstats, sys, time
from benchmarks.classify import sentence_pool
from backfire.classify import classify
from backfire.classify._match import get_matcher
import backfire.classify._match as M
c=sys.argv[1]
m=get_matcher(c)
texts=(sentence_pool(c)*300)[:12000]
classify(texts,c)
orig=M._joined_spans
stats=[]
def wrapped(rx,S,st,en):
    t=time.perf_counter(); r=orig(rx,S,st,en); stats.append((time.perf_counter()-t, len(st), len(S), rx.pattern[:90])); return r
M._joined_spans=wrapped
cProfile.run('classify(texts,c)','/tmp/prof')
pstats.Stats('/tmp/prof').sort_stats('tottime').print_stats(8)
stats.sort(reverse=True)
print('patterns', len(m.patterns), 'uncovered', len(m.uncovered), 'scan total', round(sum(s[0] for s in stats),3), 'chars scanned', sum(s[2] for s in stats), 'text', len(''.join(texts)))
for s in stats[:8]: print('  ', round(s[0],4), s[1], s[2], s[3])
