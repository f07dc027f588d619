import time, sys
from benchmarks.classify import *
from backfire.classify._match import get_matcher
import backfire.classify._requirements as R
codes=lexicon_languages()
for c in list(codes):
  try: get_matcher(c)
  except Exception as e: codes.remove(c); print('skip',c)
langs,texts=build_set(codes,50000,0)
classify_mixed(langs[:2000],texts[:2000])
best=1e9
for i in range(4):
    t=time.process_time(); classify_mixed(langs,texts); best=min(best,time.process_time()-t)
print('cpu best', round(best,3), 'utt/cpu-s', round(50000/best))
