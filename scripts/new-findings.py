#!/usr/bin/env python3
"""new-findings.py BASE TIP: the lines of TIP beyond those of BASE.

Both files hold one finding a line (normalized: no line numbers). A line
that TIP holds more often than BASE is new that many times. Prints the new
lines, sorted, with "(xN)" for repeats, and nothing if there are none.
"""
import collections
import sys


def main():
    base, tip = (collections.Counter(open(f).read().splitlines()) for f in sys.argv[1:3])
    for line, n in sorted((tip - base).items()):
        print('%s%s' % (line, '' if n == 1 else ' (x%d)' % n))


if __name__ == '__main__':
    main()
