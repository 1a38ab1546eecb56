#!/usr/bin/env python3
"""findings.py: static-check findings, one a line, compared with the base's.

  findings.py build < OUTPUT      compiler, sparse and build findings
  findings.py cocci FILE... < OUTPUT
                                  coccicheck's findings in FILEs
  findings.py new BASE TIP        the lines of TIP beyond those of BASE

Findings carry no position, so that moved code compares equal: a path
keeps its directories, an identifier its digits, and a sparse type
finding its detail lines (sparse's types); only standalone numbers (line
numbers in messages, offsets, sizes) become N. A line that TIP holds more
often than BASE is new that many times; "new" prints those lines, sorted,
with "(xN)" for repeats, and nothing if there are none.
"""
import collections
import re
import sys

# Every top-level directory of the kernel that holds code.
TOP_DIRS = (r'(?:drivers|include|arch|lib|kernel|mm|tools|virt|sound|net|fs|block|crypto|'
            r'security|certs|init|ipc|io_uring|rust|samples|scripts|usr)')
# [tree/]path:line[:col]: warning|error: message; the tree's path is the
# shortest prefix that leaves a top-level directory of the kernel.
LOCATED = re.compile(r'^(?:.*?/)?(%s/[^:]+):(\d+(?::\d+)?): ((?:fatal )?(?:warning|error)): (.*)$'
                     % TOP_DIRS)
# sparse's detail lines under a finding, at its position, indented:
# the types of a mismatch.
DETAIL = re.compile(r'^(?:.*?/)?(%s/[^:]+):(\d+(?::\d+)?): {2,}(\S.*)$' % TOP_DIRS)
# What fails a build without a located error, objtool and modpost, the
# compiler driver's, the compiler's and the linker's own warnings and
# errors ("cc1: warning: ...", "aarch64-linux-gnu-ld: x.o: warning: ..."),
# and Kconfig's (unmet dependencies, "drivers/iommu/Kconfig:9:warning:",
# ".config:12:warning:").
UNLOCATED = re.compile(r'No rule to make target|undefined reference to|[Uu]ndefined symbol|'
                       r'^make.*Error \d+|\.o: warning: objtool:|WARNING: modpost:|'
                       r'^(?:\S*-)?(?:cc1|cc1plus|gcc|ld|ld\.bfd|as)(?:-\d+)?: (?:\S+: )?'
                       r'(?:fatal )?(?:warning|error):|unmet direct dependencies|'
                       r'(?:Kconfig[\w.-]*|\.config):\d+:\s*(?:warning|error):')
NUMBER = re.compile(r'\b(?:0x[0-9a-fA-F]+|\d+)\b')


def numbers_out(text):
    return NUMBER.sub('N', text)


def build(lines):
    out = []
    # The last finding at each (path, position): a parallel build puts
    # other jobs' lines between a finding and its detail lines.
    at = {}
    for line in lines:
        line = line.rstrip('\n')
        m = DETAIL.match(line)
        if m and (m.group(1), m.group(2)) in at:
            out[at[m.group(1), m.group(2)]] += ' [%s]' % m.group(3)
            continue
        m = LOCATED.match(line)
        if m:
            out.append('%s: %s: %s' % (m.group(1), m.group(3), m.group(4)))
            at[m.group(1), m.group(2)] = len(out) - 1
        elif UNLOCATED.search(line):
            out.append(line)
    return sorted(numbers_out(f) for f in out)


def cocci(lines, files):
    out = []
    for line in lines:
        for f in files:
            m = re.match(r'^(?:.*/)?%s:\d+:[0-9-]*:\s*(.*)$' % re.escape(f), line.rstrip('\n'))
            if m:
                out.append('%s: %s' % (f, numbers_out(m.group(1))))
                break
    return sorted(out)


def new(base, tip):
    out = []
    for line, n in sorted((collections.Counter(tip) - collections.Counter(base)).items()):
        out.append('%s%s' % (line, '' if n == 1 else ' (x%d)' % n))
    return out


def main(argv):
    if argv[:1] == ['build'] and len(argv) == 1:
        res = build(sys.stdin)
    elif argv[:1] == ['cocci'] and len(argv) > 1:
        res = cocci(sys.stdin, argv[1:])
    elif argv[:1] == ['new'] and len(argv) == 3:
        res = new(*(open(f).read().splitlines() for f in argv[1:]))
    else:
        sys.exit(__doc__)
    for line in res:
        print(line)


if __name__ == '__main__':
    main(sys.argv[1:])
