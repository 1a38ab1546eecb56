#!/usr/bin/env python3
"""Judge one guest's console log.

Usage: results.py GUEST_CONF LOG [--demo]

Counts every KUnit test case and every guest check as one test. The run
fails on a failed, skipped or missing expected suite or check, on a guest
that did not finish, and on any kernel report in the log (WARN, BUG,
KASAN, lockdep, RCU, kmemleak, Oops, panic, stall) except the warnings
the guest's EXPECT_WARN names, which must appear exactly that often.
Prints one line per suite and check, then "GUEST: N passed, N failed".
"""
import re
import shlex
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SUBTEST = re.compile(r'^\s*# Subtest: (\S+)')
PLAN = re.compile(r'^\s+1\.\.(\d+)$')
RESULT = re.compile(r'^(\s*)(not ok|ok) \d+ (\S+)(.*)$')
INFO = re.compile(r'^\s+# (\w+): (.*)$')
WARN_AT = re.compile(r'WARNING: CPU: \d+ PID: \d+ at \S+ (\w+)\+')
REPORTS = re.compile(
    r'(WARNING:|BUG:|KASAN:|UBSAN:|Oops|kernel BUG|Kernel panic|'
    r'general protection fault|unreferenced object 0x|'
    r'detected stalls|blocked for more than|possible recursive locking|'
    r'circular locking|inconsistent lock state|suspicious RCU usage)')


def conf(path):
    vals = {}
    for line in open(path):
        m = re.match(r'^(\w+)=(.*)$', line.strip())
        if m:
            vals[m.group(1)] = ' '.join(shlex.split(m.group(2)))
    return vals


def main():
    cfg = conf(sys.argv[1])
    log = sys.argv[2]
    demo = '--demo' in sys.argv
    guest = re.sub(r'\.conf$', '', sys.argv[1].split('/')[-1])
    lines = [TS.sub('', l.rstrip('\r\n')) for l in open(log, errors='replace')]

    suites = {}     # suite -> list of (name, status, detail)
    plans = {}      # suite -> number of cases its KTAP plan announced
    infos = {}      # (suite, case) -> info lines
    checks = []     # (name, ok, detail)
    warns = {}
    reports = []
    finished = False
    suite = None
    for line in lines:
        m = SUBTEST.match(line)
        if m:
            suite = m.group(1)
            suites.setdefault(suite, [])
            continue
        m = PLAN.match(line)
        if m and suite and suite not in plans:
            plans[suite] = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m:
            indent, status, name, rest = m.groups()
            if name.startswith('guest.'):
                checks.append((name[6:], status == 'ok', rest.lstrip(' -')))
            elif suite and len(indent) >= 4:
                skip = '# SKIP' in rest
                suites[suite].append((name, 'skip' if skip else status, rest))
            continue
        m = INFO.match(line)
        if m and suite:
            infos.setdefault((suite, m.group(1)), []).append(m.group(2))
        if line.startswith('# guest checks done'):
            finished = True
        m = WARN_AT.search(line)
        if m:
            warns[m.group(1)] = warns.get(m.group(1), 0) + 1
            continue
        if REPORTS.search(line):
            reports.append(line.strip())

    passed = failed = 0
    out = []

    def count(ok, text):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        out.append(('  ok    ' if ok else '  FAIL  ') + text)

    for s in cfg.get('SUITES', '').split():
        cases = suites.get(s)
        if not cases:
            count(False, 'suite %s: did not run' % s)
            continue
        for name, status, rest in cases:
            count(status == 'ok', '%s.%s%s' % (s, name, '' if status == 'ok' else ' (%s)' % status))
            if demo:
                for info in infos.get((s, name), []):
                    out.append('          ' + info)
        # A suite cut short (crash, hang) reports fewer cases than planned.
        for _ in range(plans.get(s, len(cases)) - len(cases)):
            count(False, '%s: a planned case never reported' % s)
    for s in suites:
        if s not in cfg.get('SUITES', '').split():
            out.append('  note  suite %s ran but is not expected here' % s)

    want_checks = [c.split(':')[0] for c in cfg.get('CHECKS', '').split()]
    got = {n: (ok, d) for n, ok, d in checks}
    for c in want_checks:
        ok, detail = got.get(c, (False, 'did not run'))
        count(ok, 'check %s: %s' % (c, detail))

    expect = dict(w.split(':') for w in cfg.get('EXPECT_WARN', '').split())
    for fn in sorted(set(expect) | set(warns)):
        n, want = warns.get(fn, 0), int(expect.get(fn, 0))
        count(n == want, 'warnings from %s: %d, expected %d' % (fn, n, want))
    count(not reports, 'kernel log: %s' % ('no reports' if not reports else
                                            '%d report lines, first: %s' % (len(reports), reports[0])))
    count(finished, 'guest finished its checks and powered off' if finished else
          'guest did not finish (crash or timeout): see the log')

    print('\n'.join(out))
    print('%s: %d passed, %d failed' % (guest, passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
