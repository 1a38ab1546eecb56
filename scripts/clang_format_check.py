#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the C files a patch series adds follow the tree's .clang-format.

usage: clang_format_check.py KTREE [--base REF] [--rev REV] [--fix] [-v]

The files checked are the *.c and *.h files that `git diff --diff-filter=A
--name-only BASE REV` lists (BASE defaults to the tag "base", REV to HEAD).
Without --rev their content is read from KTREE's working tree (which is
HEAD's when the tree is clean); with --rev it is read from that commit.

Each file is run through `clang-format --style=file` (the tree's own
.clang-format) and compared with itself.  Both versions are cut at every
line end where they hold the same code so far (the same text once
whitespace and line-continuation backslashes are dropped) and the line is
blank, a preprocessor line that is not continued, or ends in ';', '{',
'}', '},' or '*/'.  Each piece that differs, less the lines it begins or
ends with on both sides, is a hunk; the pieces of one multi-line macro are
one hunk.

A hunk is *allowed* -- kept as it is, not a finding -- by two rules:

  checkpatch: `scripts/checkpatch.pl --strict --no-tree -f` run on the fully
  clang-formatted file reports, on a line of the hunk's formatted side (on
  the line after it when that side has no line), a finding (level, type and
  message) that the same run on the file as it is does not report on the
  hunk's original side (likewise).  checkpatch wins over clang-format: this
  is how most places where clang-format 14 cannot express the kernel style
  show up (a line ending in '(' to fit a long string,
  "FIXTURE_VARIANT_ADD(x, y){", a cast of a macro argument "((bits)-1)",
  blank lines of a multi-line macro indented with spaces, ...).

  clang-format 14 (what checkpatch does not notice): (a) the hunk holds a
  #define whose replacement list is not C code but an initializer fragment
  (it starts with '{' or '[') or the empty "do { } while (0)" -- clang-format
  formats it as a block or statement; (b) the original has a line ending in
  "= {" and clang-format's version moves initializer elements onto that
  line (clang-format 14 packs a short initializer list unless it has a
  trailing comma, which a whitespace-only change cannot add).

Every other hunk is a finding, printed as FILE:LINE and the hunk's lines
('-' as they are, '+' as clang-format wants them).  The exit status is 1
when a finding remains, 0 otherwise.  With --fix the findings' hunks are
applied to the working tree files (repeated until clang-format has nothing
more to change that is not allowed).
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

CP_RE = re.compile(r'^(.*?):(\d+): (ERROR|WARNING|CHECK):(\w+): (.*)$')

Hunk = collections.namedtuple('Hunk', 'i1 i2 j1 j2 allowed reason')


def git(ktree, *args, data=None):
    return subprocess.run(['git', '-C', ktree] + list(args), input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def added_files(ktree, base, rev):
    out = git(ktree, 'diff', '--diff-filter=A', '--name-only', base, rev,
              '--', '*.c', '*.h')
    return sorted(out.decode().split())


def clang_format(ktree, path, text):
    return subprocess.run(['clang-format', '--style=file',
                           '--assume-filename=' + os.path.join(ktree, path)],
                          input=text.encode(), stdout=subprocess.PIPE,
                          cwd=ktree, check=True).stdout.decode()


def checkpatch(ktree, files):
    """Run checkpatch --strict -f on {path: text}; return {path: {line: []}}."""
    res = {p: collections.defaultdict(list) for p in files}
    if not files:
        return res
    with tempfile.TemporaryDirectory(prefix='cfcheck.') as tmp:
        for path, text in files.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(path)),
                        exist_ok=True)
            with open(os.path.join(tmp, path), 'w') as f:
                f.write(text)
        cmd = ['perl', os.path.join(ktree, 'scripts', 'checkpatch.pl'),
               '--strict', '--no-tree', '--terse', '--show-types',
               '--no-summary', '--color=never', '-f'] + sorted(files)
        out = subprocess.run(cmd, cwd=tmp, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT).stdout.decode()
    for line in out.splitlines():
        m = CP_RE.match(line)
        if m and m.group(1) in res:
            res[m.group(1)][int(m.group(2))].append(
                '%s:%s: %s' % (m.group(3), m.group(4), m.group(5)))
    return res


def findings_in(cp, first, last):
    """Findings of one file's checkpatch result on 1-based lines first..last."""
    c = collections.Counter()
    for ln in range(first, last + 1):
        c.update(cp.get(ln, ()))
    return c


def squeeze(line):
    """A line without its whitespace and line-continuation backslash."""
    line = line.rstrip()
    if line.endswith('\\'):
        line = line[:-1]
    return re.sub(r'\s+', '', line)


def ends_unit(line):
    """Whether a hunk may end after this line: a blank line, a preprocessor
    line that is not continued, or one ending a statement, a block, an
    initializer element or a comment."""
    sq = squeeze(line)
    if not sq:
        return True
    if sq.startswith('#'):
        return not line.rstrip().endswith('\\')
    return sq.endswith((';', '{', '}', '},', '*/'))


def segments(a, b):
    """Cut both versions at every line end where they hold the same code so
    far (same text once whitespace and continuation backslashes are
    dropped) and ends_unit() allows it; return the pieces that differ as
    (i1, i2, j1, j2).  If the code itself differs, the whole file is one
    piece."""
    la = [0]
    for ln in a:
        la.append(la[-1] + len(squeeze(ln)))
    lb = [0]
    for ln in b:
        lb.append(lb[-1] + len(squeeze(ln)))
    if ''.join(map(squeeze, a)) != ''.join(map(squeeze, b)):
        return [(0, len(a), 0, len(b))] if a != b else []
    bounds = [(0, 0)]
    k = m = 0
    na, nb = len(a), len(b)
    while k < na or m < nb:
        if m == nb or (k < na and la[k + 1] < lb[m + 1]):
            k += 1
        elif k == na or lb[m + 1] < la[k + 1]:
            m += 1
        else:
            k += 1
            m += 1
        if la[k] == lb[m] and (k == na or ends_unit(a[k - 1])):
            bounds.append((k, m))
    if bounds[-1] != (na, nb):
        bounds.append((na, nb))
    return [(k0, k1, m0, m1)
            for (k0, m0), (k1, m1) in zip(bounds, bounds[1:])
            if a[k0:k1] != b[m0:m1]]


def macro_ids(a):
    """For each line, the index of the first line of the backslash-continued
    preprocessor directive it belongs to, or None."""
    ids = []
    start = None
    for i, ln in enumerate(a):
        if start is None and ln.lstrip().startswith('#') and \
           ln.rstrip().endswith('\\'):
            start = i
        ids.append(start)
        if start is not None and not ln.rstrip().endswith('\\'):
            start = None
    return ids


# The "clang-format 14" rule, (a) and (b) of the description above.
FRAGMENT_RE = re.compile(r'^\s*#\s*define\s+\w+(\([^)]*\))?\s*'
                         r'(\{|\[|do\s*\{\s*\}\s*while\s*\(0\))')
OPEN_INIT_RE = re.compile(r'=\s*\{\s*(\\)?$')
PACKED_INIT_RE = re.compile(r'=\s*\{\s*[^\s}\\]')


def logical_lines(lines):
    """Join backslash-continued lines."""
    out = ['']
    for ln in lines:
        ln = ln.rstrip()
        if ln.endswith('\\'):
            out[-1] += ln[:-1] + ' '
        else:
            out[-1] += ln
            out.append('')
    return [ln for ln in out if ln]


def cf14_reason(old, new):
    if any(FRAGMENT_RE.match(ln) for ln in logical_lines(old)):
        return 'macro body is an initializer fragment or empty do-while'
    if any(OPEN_INIT_RE.search(ln.rstrip()) for ln in old) and \
       any(PACKED_INIT_RE.search(ln) for ln in new):
        return 'initializer packed onto its "= {" line'
    return ''


def hunks_of(orig, fmt, cp_orig, cp_fmt):
    a = orig.splitlines(True)
    b = fmt.splitlines(True)
    # One multi-line macro is one hunk.
    ids = macro_ids(a)
    merged = []
    for seg in segments(a, b):
        if merged:
            prev = merged[-1]
            last = ids[prev[1] - 1] if prev[1] > prev[0] else None
            first = ids[seg[0]] if seg[0] < len(a) else None
            if last is not None and last == first:
                merged[-1] = (prev[0], seg[1], prev[2], seg[3])
                continue
        merged.append(seg)
    # Leave out the lines a piece begins or ends with on both sides.
    trimmed = []
    for i1, i2, j1, j2 in merged:
        while i1 < i2 and j1 < j2 and a[i1] == b[j1]:
            i1 += 1
            j1 += 1
        while i1 < i2 and j1 < j2 and a[i2 - 1] == b[j2 - 1]:
            i2 -= 1
            j2 -= 1
        trimmed.append((i1, i2, j1, j2))
    hunks = []
    for i1, i2, j1, j2 in trimmed:
        # 1-based: the hunk's lines, or the line it is at if it has none.
        new = findings_in(cp_fmt, j1 + 1, max(j2, j1 + 1))
        old = findings_in(cp_orig, i1 + 1, max(i2, i1 + 1))
        extra = sorted((new - old).elements())
        if extra:
            hunks.append(Hunk(i1, i2, j1, j2, 'checkpatch', extra[0]))
            continue
        # The whole of a macro the hunk is in.
        start = ids[i1] if i1 < len(a) and ids[i1] is not None else i1
        why = cf14_reason(a[start:i2], b[j1:j2])
        hunks.append(Hunk(i1, i2, j1, j2, 'clang-format 14' if why else '',
                          why))
    return a, b, hunks


def apply_hunks(a, b, hunks):
    out = []
    pos = 0
    for h in hunks:
        out.extend(a[pos:h.i1])
        out.extend(a[h.i1:h.i2] if h.allowed else b[h.j1:h.j2])
        pos = h.i2
    out.extend(a[pos:])
    return ''.join(out)


def analyse(ktree, texts):
    """texts: {path: text} -> {path: (a, b, hunks)}."""
    fmts = {p: clang_format(ktree, p, t) for p, t in texts.items()}
    changed = [p for p in texts if fmts[p] != texts[p]]
    cp_orig = checkpatch(ktree, {p: texts[p] for p in changed})
    cp_fmt = checkpatch(ktree, {p: fmts[p] for p in changed})
    res = {}
    for p in texts:
        if p in changed:
            res[p] = hunks_of(texts[p], fmts[p], cp_orig[p], cp_fmt[p])
        else:
            a = texts[p].splitlines(True)
            res[p] = (a, a, [])
    return res


def code_of(text):
    return ''.join(map(squeeze, text.splitlines()))


def fix_texts(ktree, texts, rounds=6):
    """Apply the non-allowed hunks until none is left; return {path: text}."""
    texts = dict(texts)
    todo = dict(texts)
    for _ in range(rounds):
        res = analyse(ktree, todo)
        nxt = {}
        for p, (a, b, hunks) in res.items():
            if any(not h.allowed for h in hunks):
                texts[p] = nxt[p] = apply_hunks(a, b, hunks)
                if code_of(texts[p]) != code_of(''.join(a)):
                    raise RuntimeError('%s: fixing changed code' % p)
        if not nxt:
            return texts
        todo = nxt
    raise RuntimeError('clang-format fixes did not converge: %s'
                       % ', '.join(sorted(todo)))


def read_texts(ktree, files, rev):
    texts = {}
    for p in files:
        if rev is None:
            with open(os.path.join(ktree, p)) as f:
                texts[p] = f.read()
        else:
            texts[p] = git(ktree, 'show', '%s:%s' % (rev, p)).decode()
    return texts


def show_hunk(path, a, b, h, out):
    if h.allowed:
        out.write('%s:%d: allowed (%s: %s)\n' % (path, h.i1 + 1, h.allowed,
                                                 h.reason))
    else:
        out.write('%s:%d: clang-format differs\n' % (path, h.i1 + 1))
    for ln in a[h.i1:h.i2]:
        out.write('-' + ln.rstrip('\n') + '\n')
    for ln in b[h.j1:h.j2]:
        out.write('+' + ln.rstrip('\n') + '\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('ktree')
    ap.add_argument('--base', default='base')
    ap.add_argument('--rev', default=None,
                    help='check this commit (default: the working tree)')
    ap.add_argument('--fix', action='store_true',
                    help='apply the non-allowed hunks to the working tree')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='also show the allowed hunks')
    args = ap.parse_args()
    ktree = os.path.abspath(args.ktree)
    if args.fix and args.rev:
        ap.error('--fix works on the working tree only')

    files = added_files(ktree, args.base, args.rev or 'HEAD')
    texts = read_texts(ktree, files, args.rev)
    if args.fix:
        fixed = fix_texts(ktree, texts)
        for p in files:
            if fixed[p] != texts[p]:
                with open(os.path.join(ktree, p), 'w') as f:
                    f.write(fixed[p])
                print('fixed %s' % p)
        texts = fixed

    res = analyse(ktree, texts)
    nhunks = nfind = 0
    nallowed = collections.Counter()
    for p in files:
        a, b, hunks = res[p]
        for h in hunks:
            nhunks += 1
            if h.allowed:
                nallowed[h.allowed] += 1
            else:
                nfind += 1
            if args.verbose or not h.allowed:
                show_hunk(p, a, b, h, sys.stdout)
    if nallowed['clang-format 14']:
        print('%d hunks allowed (clang-format 14 cannot express them)'
              % nallowed['clang-format 14'])
    print('%d files, %d hunks differ, %d allowed (checkpatch), %d findings'
          % (len(files), nhunks, nallowed['checkpatch'], nfind))
    return 1 if nfind else 0


if __name__ == '__main__':
    sys.exit(main())
