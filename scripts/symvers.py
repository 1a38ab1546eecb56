#!/usr/bin/env python3
"""symvers.py: the CRCs of exported symbols, and how they change.

  symvers.py dump O [LIST]
                         print "SYMBOL CRC OBJECT" for every export of the
                         objects built in the kbuild directory O (those
                         LIST names, one per line, if given)
  symvers.py diff A B    compare two dumps

With CONFIG_MODVERSIONS, kbuild appends genksyms' "#SYMVER SYMBOL 0xCRC"
lines for an object's exports to the object's .cmd file; a dump reads
those of every object that is there (a .cmd whose object is gone is
skipped). A diff prints a first line "# N changed, N removed, N added of
N compared", then one line per symbol whose CRC differs ("changed"),
that A exports and B does not ("removed") and the reverse ("added"),
each with its object, sorted. A module built against one kernel and
loaded into the other fails to load on a changed or removed symbol it
uses. Symbols are compared by name, so a symbol that moves to another
object is the same symbol; the object printed is B's. A name that one
dump has in two objects is compared as two symbols, NAME@OBJECT.
"""
import collections
import os
import re
import sys

SYMVER = re.compile(r'^#SYMVER (\S+) (0x[0-9a-f]+)$', re.M)


def dump(top, only=None):
    rows = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for f in sorted(filenames):
            if not (f.startswith('.') and f.endswith('.o.cmd')):
                continue
            obj = os.path.join(dirpath, f[1:-4])
            if not os.path.exists(obj):
                continue
            if only is not None and os.path.relpath(obj, top) not in only:
                continue
            with open(os.path.join(dirpath, f), errors='replace') as fh:
                for name, crc in SYMVER.findall(fh.read()):
                    rows.append((name, crc, os.path.relpath(obj, top)))
    if not rows:
        sys.exit('symvers.py: no #SYMVER lines in %s (is CONFIG_MODVERSIONS on?)'
                 % top)
    for r in sorted(rows):
        print('%s %s %s' % r)


def load(path):
    """{name: (crc, object)}; NAME@OBJECT for a name two objects export."""
    rows = []
    with open(path) as fh:
        for line in fh:
            rows.append(line.split())
    names = collections.Counter(r[0] for r in rows)
    syms = {}
    for name, crc, obj in rows:
        key = name if names[name] == 1 else '%s@%s' % (name, obj)
        syms[key] = (crc, obj)
    return syms


def diff(a_path, b_path):
    a, b = load(a_path), load(b_path)
    if not a or not b:
        sys.exit('symvers.py: an empty dump')
    rows = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            rows.append(('removed', key, a[key][1]))
        elif key not in a:
            rows.append(('added', key, b[key][1]))
        elif a[key][0] != b[key][0]:
            rows.append(('changed', key, b[key][1]))
    count = {k: sum(r[0] == k for r in rows) for k in ('changed', 'removed', 'added')}
    print('# %d changed, %d removed, %d added of %d compared' % (
        count['changed'], count['removed'], count['added'], len(set(a) & set(b))))
    for kind in ('changed', 'removed', 'added'):
        for r in rows:
            if r[0] == kind:
                print('%s %s %s' % r)


def main():
    if len(sys.argv) in (3, 4) and sys.argv[1] == 'dump':
        only = None
        if len(sys.argv) == 4:
            with open(sys.argv[3]) as fh:
                only = set(fh.read().split())
        dump(sys.argv[2], only)
    elif len(sys.argv) == 4 and sys.argv[1] == 'diff':
        diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit('usage: symvers.py dump O | symvers.py diff A B')


if __name__ == '__main__':
    main()
