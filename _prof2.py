import cProfile, pstats, time, sys
from benchmarks.classify import *
from backfire.classify._match import get_matcher
codes=lexicon_languages()
for c in list(codes):
  try: get_matcher(c)
  except Exception as e: codes.remove(c); print('skip',c)
langs,texts=build_set(codes,50000,0)
classify_mixed(langs[:2000],texts[:2000])
for i in range(2):
    t=time.perf_counter(); classify_mixed(langs,texts); print(time.perf_counter()-t)
cProfile.run('classify_mixed(langs,texts)','/tmp/prof')
pstats.Stats('/tmp/prof').sort_stats(sys.argv[1] if len(sys.argv)>1 else 'tottime').print_stats(25)
