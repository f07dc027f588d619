import time, sys
import backfire.classify._match as M
import backfire.classify._requirements as R
if 'nostart' in sys.argv: M.start_set = lambda p: (None, 0)
for a in sys.argv:
    if a.startswith('spc='): R.SETS_PER_CLAUSE=int(a[4:])
exec(open('_bench.py').read())
