#!/usr/bin/env python3
"""unresolved.py BASE TIP PREFIX [EXPORTS]: the symbols that the objects of a
prefix of the series need and that nothing defines: a prefix that
compiles but would not link.

Each file is "nm -A -g" of the objects that the bisect step of check.sh
builds (the directories it checks) at one commit: the base, the series'
last commit (TIP) and a prefix. What these objects need from the rest
of the kernel is defined there: a symbol that the base's objects or the
tip's need and do not define themselves (the base and the tip link), and
each symbol in the file EXPORTS, one per line (the base's EXPORT_SYMBOLs
outside the checked directories).
A symbol that PREFIX's objects need is resolved if they define it or if
it is one of those; prints each other one, "SYMBOL (OBJECT)", and exits 1
if there is any. The symbols of the rest of the kernel are the same at
every prefix: whatever changes a definition is in a checked directory.
A prefix that needs a symbol of the rest of the kernel that neither the
base nor the tip uses and that is not exported is reported too (its
definition is not known here): check that symbol by hand.
"""
import sys


def read(path):
    """({undefined symbol: object}, {defined symbols}) of an nm -A -g dump."""
    need, have = {}, set()
    with open(path) as f:
        for line in f:
            obj, _, rest = line.rstrip('\n').partition(':')
            words = rest.split()
            if len(words) < 2:
                continue
            kind, sym = words[-2], words[-1]
            if kind == 'U':
                need.setdefault(sym, obj)
            elif kind not in ('w', 'v'):     # weak and undefined: no need
                have.add(sym)
    return need, have


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    outside = set()
    if len(sys.argv) == 5:
        with open(sys.argv[4]) as f:
            outside = set(f.read().split())
    for path in sys.argv[1:3]:
        need, have = read(path)
        outside |= set(need) - have
    need, have = read(sys.argv[3])
    missing = sorted(s for s in need if s not in have and s not in outside)
    for s in missing:
        print('%s (%s)' % (s, need[s]))
    sys.exit(1 if missing else 0)


if __name__ == '__main__':
    main()
