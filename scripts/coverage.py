#!/usr/bin/env python3
"""Line coverage of what the series adds, from the test guests' gcov data.

Usage: coverage.py --ktree KTREE --out DIR --objdir KERNEL=OBJDIR...
                   --guest NAME:KERNEL:LOG... [--results DIR] [--target PERCENT]

Each guest whose checks include "gcov" prints its kernel's .gcda files on
its console (guest-init/init.c: "# gcov-file PATH SIZE", then "# gcov-data
HEX" lines). For each guest this writes them beside a copy of the kernel's
.gcno files under DIR/gcda/NAME/, runs the kernel's gcov on them (JSON),
and adds up the counts of every line over all guests. Then, for the lines
the series adds or changes (git diff base HEAD) in drivers/iommu and
drivers/dma/idxd, it writes:
  DIR/coverage.info   an lcov trace of those files (all their lines)
  DIR/html/           genhtml's report of it
  DIR/uncovered.txt   every added line that is compiled and never ran
  DIR/summary.txt     one line: the figure per part of the series
and prints the summary. A line counts when the compiler attributed code
to it (declarations and comments do not); a line of a header counts in
every object that uses it.

Fails when a guest's data is missing, cut short, not what its gcov check
said it printed, or matches no object of its kernel; when a guest lacks
the data of an object built from a file the series touches; when a log is
not the boot whose result is in --results (result-NAME.json, its run id);
when gcov fails; when an IOMMU core file the series changes was measured
in no guest; and when the IOMMU core's files (iommu.c, io-pgfault.c,
iommu-sva-lib.[ch]) reach less than --target percent. Files measured
nowhere are named in the summary.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

from results import RUN, TS  # the console's timestamps and run ids

GCOV_FILE = re.compile(r'^# gcov-file (/\S+\.gcda) (\d+)$')
GCOV_DATA = re.compile(r'^# gcov-data ([0-9a-f]+)$')
GCOV_ERROR = re.compile(r'^# gcov-error (\S+)$')
GCOV_CHECK = re.compile(r'^(?:not )?ok \d+ guest\.gcov - (\d+) \.gcda files, (\d+) bytes printed')
DIRS = ('drivers/iommu/', 'drivers/dma/idxd/')
CORE = ('drivers/iommu/iommu.c', 'drivers/iommu/io-pgfault.c', 'drivers/iommu/iommu-sva-lib.c',
        'drivers/iommu/iommu-sva-lib.h')
# Test code beside a driver: KUnit suites (*-test.c), the mock and the
# selftests' test device.
TEST_CODE = re.compile(r'(-test\.c|/iommu-mock\.[ch]|/iommu-test\.h|-bench\.c|-selftest\.[ch])$')
# The parts of the series, in the order reported: (label, test on a path).
PARTS = [
    ('IOMMU core', lambda f: f in CORE),
    ('VT-d', lambda f: f.startswith('drivers/iommu/intel/') and not TEST_CODE.search(f)),
    ('SMMUv3', lambda f: f.startswith('drivers/iommu/arm/') and not TEST_CODE.search(f)),
    ('idxd', lambda f: f.startswith('drivers/dma/idxd/') and not TEST_CODE.search(f)),
    ('test code (mock, KUnit, selftest device, benchmark)', lambda f: True),
]


class Error(Exception):
    pass


def read_gcda(log, run_id=None):
    """{guest path: bytes} from one console log; Error if it is not all there."""
    files, cur, errors, said, runs = {}, None, [], None, set()
    for raw in open(log, errors='replace'):
        line = TS.sub('', raw.rstrip('\r\n'))
        m = RUN.search(line)
        if m:
            runs.add(m.group(1))
        m = GCOV_CHECK.match(line)
        if m:
            said = (int(m.group(1)), int(m.group(2)))
        m = GCOV_FILE.match(line)
        if m:
            cur = [m.group(1), int(m.group(2)), bytearray()]
            files[cur[0]] = cur
            continue
        m = GCOV_DATA.match(line)
        if m and cur is not None:
            cur[2] += bytes.fromhex(m.group(1))
            continue
        m = GCOV_ERROR.match(line)
        if m:
            errors.append(m.group(1))
    if errors:
        raise Error('%s: the guest could not read %s' % (log, ', '.join(errors)))
    bad = ['%s (%d of %d bytes)' % (p, len(d), n) for p, n, d in files.values() if len(d) != n]
    if bad:
        raise Error('%s: gcov data cut short: %s' % (log, ', '.join(bad)))
    if run_id is not None and runs != {run_id}:
        raise Error('%s: not the boot that was judged (run %s, judged %s)'
                    % (log, ', '.join(sorted(runs)) or 'missing', run_id))
    if files:
        got = (len(files), sum(n for _, n, _ in files.values()))
        if said != got:
            raise Error('%s: the gcov check said %s files and bytes, the log holds %d and %d'
                        % (log, '%d and %d' % said if said else 'nothing about its', got[0], got[1]))
    return {p: bytes(d) for p, n, d in files.values()}


def gcno_files(objdir):
    """The .gcno files of a kernel's build, relative to its objdir, without the suffix."""
    out = []
    for root, _, names in os.walk(objdir):
        for n in names:
            if n.endswith('.gcno'):
                out.append(os.path.relpath(os.path.join(root, n), objdir)[:-5])
    return out


def src_path(path, ktree, cache={}):
    """PATH as compiled (absolute, maybe from another checkout) -> relative to KTREE."""
    if path not in cache:
        comps = path.split('/')
        # The longest tail that names a file of KTREE, without "..".
        start = max((i + 1 for i, c in enumerate(comps) if c in ('', '.', '..')), default=0)
        cache[path] = next((('/'.join(comps[i:]))
                            for i in range(start, len(comps))
                            if os.path.isfile(os.path.join(ktree, *comps[i:]))), None)
    return cache[path]


def added_lines(ktree):
    """{file: set(line)}: the lines the series adds or changes in DIRS."""
    diff = subprocess.run(['git', '-C', ktree, 'diff', '-U0', 'base', 'HEAD', '--'] + list(DIRS),
                          check=True, capture_output=True, text=True).stdout
    out, cur = {}, None
    for line in diff.splitlines():
        if line.startswith('+++ '):
            cur = line[6:] if line.startswith('+++ b/') else None
            continue
        m = re.match(r'^@@ -\S+ \+(\d+)(?:,(\d+))? @@', line)
        if m and cur:
            start, n = int(m.group(1)), int(m.group(2) or 1)
            out.setdefault(cur, set()).update(range(start, start + n))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ktree', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--objdir', action='append', default=[], help='KERNEL=OBJDIR')
    ap.add_argument('--guest', action='append', default=[], help='NAME:KERNEL:LOG')
    ap.add_argument('--results', help='directory of result-NAME.json: the boots judged')
    ap.add_argument('--target', type=float, default=90.0)
    a = ap.parse_args()
    objdirs = dict(o.split('=', 1) for o in a.objdir)
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)

    counts = {}     # file -> {line: count}, over every guest
    problems = []
    touched = subprocess.run(['git', '-C', a.ktree, 'diff', '--name-only', 'base', 'HEAD', '--']
                             + ['%s*.c' % d for d in DIRS],
                             check=True, capture_output=True, text=True).stdout.split()
    for spec in a.guest:
        name, kernel, log = spec.split(':', 2)
        objdir = objdirs[kernel]
        gcov = 'aarch64-linux-gnu-gcov-12' if kernel.startswith('arm64') else 'gcov-12'
        try:
            run_id = None
            if a.results:
                with open(os.path.join(a.results, 'result-%s.json' % name)) as f:
                    run_id = json.load(f)['run_id']
            data = read_gcda(log, run_id)
        except (OSError, ValueError, KeyError, Error) as e:
            problems.append(str(e))
            continue
        if not data:
            problems.append('guest %s printed no gcov data' % name)
            continue
        objs = gcno_files(objdir)
        # Every object built from a file the series touches, in every guest.
        want = [f[:-2] for f in touched if f[:-2] in objs]
        lost = [o for o in want if not any(p.endswith('/' + o + '.gcda') for p in data)]
        if lost:
            problems.append('guest %s printed no data of %s' % (name, ', '.join(lost)))
        gdir = os.path.join(a.out, 'gcda', name)
        for path, blob in sorted(data.items()):
            # The guest's path is the objdir's as the object was compiled,
            # maybe in another checkout: match it by its end.
            rel = [o for o in objs if path.endswith('/' + o + '.gcda')]
            if len(rel) != 1:
                problems.append('guest %s: %s matches %d objects of %s' % (name, path, len(rel), kernel))
                continue
            os.makedirs(os.path.dirname(os.path.join(gdir, rel[0])), exist_ok=True)
            with open(os.path.join(gdir, rel[0] + '.gcda'), 'wb') as f:
                f.write(blob)
            shutil.copy(os.path.join(objdir, rel[0] + '.gcno'), os.path.join(gdir, rel[0] + '.gcno'))
            r = subprocess.run([gcov, '-j', '-t', rel[0] + '.gcda'], cwd=gdir,
                               capture_output=True, text=True)
            if r.returncode:
                problems.append('guest %s: %s failed on %s: %s' % (name, gcov, rel[0], r.stderr.strip()))
                continue
            for f in json.loads(r.stdout)['files']:
                src = src_path(f['file'], a.ktree)
                if not src or not src.startswith(DIRS):
                    continue
                lines = counts.setdefault(src, {})
                for ln in f['lines']:
                    lines[ln['line_number']] = lines.get(ln['line_number'], 0) + ln['count']

    added = added_lines(a.ktree)
    with open(os.path.join(a.out, 'coverage.info'), 'w') as info:
        for src in sorted(counts):
            info.write('TN:\nSF:%s\n' % os.path.join(os.path.abspath(a.ktree), src))
            for ln, c in sorted(counts[src].items()):
                info.write('DA:%d,%d\n' % (ln, c))
            hit = sum(1 for c in counts[src].values() if c)
            info.write('LH:%d\nLF:%d\nend_of_record\n' % (hit, len(counts[src])))
    parts = {label: [0, 0] for label, _ in PARTS}
    uncovered = []
    for src in sorted(added):
        lines = counts.get(src, {})
        text = open(os.path.join(a.ktree, src), errors='replace').read().split('\n')
        label = next(label for label, test in PARTS if test(src))
        for ln in sorted(added[src]):
            if ln not in lines:
                continue        # no code on this line
            parts[label][1] += 1
            if lines[ln]:
                parts[label][0] += 1
            else:
                uncovered.append('%s:%d: %s' % (src, ln, text[ln - 1].strip()))
    with open(os.path.join(a.out, 'uncovered.txt'), 'w') as f:
        f.write('# Lines the series adds that are compiled and never ran in the test guests.\n')
        f.write(''.join(u + '\n' for u in uncovered))

    def pct(p):
        return 100.0 * p[0] / p[1] if p[1] else 0.0
    figures = ['%s %.1f%% of %d' % (label, pct(parts[label]), parts[label][1])
               for label, _ in PARTS if parts[label][1]]
    core = parts['IOMMU core']
    # Files with added lines that no guest measured (not built, or no data).
    unmeasured = sorted(f for f in added if f.endswith('.c') and f not in counts)
    for f in unmeasured:
        if f in CORE:
            problems.append('%s: changed by the series, measured in no guest' % f)
    summary = 'added lines run: %s; %d uncovered in %s%s' % (
        ', '.join(figures), len(uncovered), os.path.join(os.path.basename(a.out), 'uncovered.txt'),
        '; not measured: ' + ', '.join(unmeasured) if unmeasured else '')
    if not core[1]:
        problems.append('no line of the IOMMU core was measured')
    elif pct(core) < a.target:
        problems.append('the IOMMU core\'s added lines: %.1f%% run, below the target %.0f%%'
                        % (pct(core), a.target))
    if counts and shutil.which('genhtml'):
        r = subprocess.run(['genhtml', '-q', '--output-directory', os.path.join(a.out, 'html'),
                            '--title', 'PASID series: drivers/iommu, drivers/dma/idxd',
                            os.path.join(a.out, 'coverage.info')], capture_output=True, text=True)
        if r.returncode:
            problems.append('genhtml failed: %s' % r.stderr.strip()[-300:])
    elif counts:
        problems.append('genhtml is not installed (package lcov)')
    with open(os.path.join(a.out, 'summary.txt'), 'w') as f:
        f.write(summary + '\n')
    for p in problems:
        print('error: ' + p)
    print(summary)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
