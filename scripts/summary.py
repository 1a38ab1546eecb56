#!/usr/bin/env python3
"""summary.py LOGS [--expect KIND,...] GUEST...: the verdict of one
workbench run.

Reads LOGS/stages.jsonl (one line per stage: set-up, self-test, static
checks, kernel builds, boots) and LOGS/result-GUEST.json for each guest
the run was to boot, prints one line per kind of test, and ends with
"N passed, N failed". Each of these counts as a failure: a guest without
a result, or whose result lists no test or counts other than its tests
give; a stage line or a test that is not of the form the workbench
writes (a status that is not a number, an "ok" that is not true or
false); a kind of stage in --expect that no stage is of; a run that
counted nothing. Exits 1 unless everything passed.
"""
import json
import os
import sys

KINDS = [  # (key, label)
    ('setup', 'set-up'),
    ('selftest', 'workbench self-test'),
    ('static', 'static checks'),
    ('build', 'kernel builds'),
    ('kunit', 'KUnit cases'),
    ('kselftest', 'kselftest cases'),
    ('check', 'guest checks'),
    ('config', 'other configurations'),
    ('prefix', 'series prefixes booted'),
    ('coverage', 'line coverage'),
]


def main():
    logs, guests = sys.argv[1], sys.argv[2:]
    expect = []
    if guests[:1] == ['--expect']:
        expect, guests = guests[1].split(','), guests[2:]
    counts = {k: [0, 0] for k, _ in KINDS}
    failures = []
    path = os.path.join(logs, 'stages.jsonl')
    stages = []
    # A line that cannot be read (a stage killed while writing it) is a
    # failed stage: the verdict line comes out all the same.
    for n, line in enumerate(open(path) if os.path.exists(path) else [], 1):
        try:
            s = json.loads(line)
            kind, ok = s['kind'], s['status'] == 0
            if type(s['status']) is not int:
                raise TypeError('status')
            if kind != 'boot':
                counts[kind]
        except (ValueError, TypeError, KeyError):
            counts['setup'][1] += 1
            failures.append('stages.jsonl line %d unreadable: %r' % (n, line[:60]))
            continue
        stages.append(s)
        if kind == 'boot':
            continue        # judged with the guest's log, as its "boot" check
        counts[kind][0 if ok else 1] += 1
        if not ok:
            failures.append('%s (%s)' % (s.get('name'), s.get('log')))
    for kind in expect:
        if kind not in counts or not any(s['kind'] == kind for s in stages):
            counts['setup'][1] += 1
            failures.append('no %s stage was run' % kind)
    per_guest = []
    for g in guests:
        path = os.path.join(logs, 'result-%s.json' % g)
        try:
            r = json.load(open(path))
            tests = [(t['kind'], t['ok'], t['name']) for t in r['tests']]
            if not all(k in counts and type(ok) is bool for k, ok, _ in tests):
                raise KeyError('kind')
            # The counts are the tests': none is left out or made up.
            n_ok = sum(1 for _, ok, _ in tests if ok)
            if not tests or (r['passed'], r['failed']) != (n_ok, len(tests) - n_ok):
                raise ValueError('counts')
            line = '%s %d/%d' % (g, r['passed'], r['passed'] + r['failed'])
        except (OSError, ValueError, TypeError, KeyError):
            counts['check'][1] += 1
            failures.append('guest %s: no result, or one not of the workbench\'s form' % g)
            per_guest.append('%s: no result' % g)
            continue
        for kind, ok, name in tests:
            counts[kind][0 if ok else 1] += 1
            if not ok:
                failures.append('guest %s: %s' % (g, name))
        per_guest.append(line)
    for key, label in KINDS:
        p, f = counts[key]
        if p or f:
            print('  %-20s %3d passed, %d failed' % (label, p, f))
    if per_guest:
        print('  guests: ' + ', '.join(per_guest))
    cov = os.path.join(logs, 'coverage.log')
    if any(s['kind'] == 'coverage' for s in stages) and os.path.exists(cov):
        lines = open(cov).read().splitlines()
        print('  coverage: ' + (lines[-1] if lines else 'no figure'))
    for f in failures[:20]:
        print('  failed: ' + f)
    passed = sum(c[0] for c in counts.values())
    failed = sum(c[1] for c in counts.values())
    if passed + failed == 0:
        failed = 1
        print('  failed: nothing was run')
    print('%d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
