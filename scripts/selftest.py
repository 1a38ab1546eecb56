#!/usr/bin/env python3
"""selftest.py: the workbench's own tests, in seconds, on canned inputs.

Every judge of the workbench is fed inputs it must fail: guest logs with a
planted failure (selftest/guest-*.log are real passing logs, mutated here),
a stale log with no kernel to boot, a series prefix that does not compile
in a stand-in kernel tree, a run with a guest missing. Each judge must
also pass the unbroken input, so that a judge that fails everything does
not pass this test. Also: the environment and locking guarantees of
scripts/lib.sh, tree.sh's refusal to touch what is not its own, and lint
of the workbench's scripts. Run by make test and make selftest.
"""
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, 'scripts'))
import abi_changes  # noqa: E402
import citations  # noqa: E402
import findings  # noqa: E402
import results  # noqa: E402

FIXTURES = os.path.join(TOP, 'selftest')
GUESTS = ('mock', 'vtd', 'smmuv3', 'failnth', 'mock-arm64')


def write(path, text):
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def fixture(guest):
    with open(os.path.join(FIXTURES, 'guest-%s.log' % guest)) as f:
        return f.read().splitlines(keepends=True)


def run_id_of(lines):
    ids = {m.group(1) for m in map(results.RUN.search, lines) if m}
    assert len(ids) == 1, ids
    return ids.pop()


def fixture_conf(conf, guest):
    """guests/CONF with KUNIT_CASES as GUEST's canned log has them: the log
    may be of an earlier revision of the series than the definition."""
    cfg = results.read_conf(os.path.join(TOP, 'guests', conf))
    cfg['KUNIT_CASES'] = fixture_pins(cfg, guest)
    return cfg


def fixture_pins(cfg, guest):
    log = results.Log(fixture(guest))
    pins = []
    for s in cfg.get('SUITES', '').split() + sorted(
            results.skipped_suites(cfg.get('SKIPPED_SUITES', ''))):
        cases = log.suites.get(s, [])
        runs = sum(max(1, len(log.params.get((s, c), []))) for c, _, _ in cases)
        pins.append('%s=%d/%d' % (s, len(cases), runs))
    return ' '.join(pins)


def failures(guest, lines, run_id=None, boot_status=0, cfg=None):
    if cfg is None:
        cfg = fixture_conf(guest + '.conf', guest)
    tests = results.judge(cfg, lines, run_id or run_id_of(fixture(guest)), boot_status)
    return [t for t in tests if t[0] in ('kunit', 'kselftest', 'check') and not t[2]]


def replace(lines, pattern, repl, count=1):
    """lines with the first COUNT matches of regex PATTERN replaced."""
    out, n = [], 0
    for line in lines:
        if n < count and re.search(pattern, line):
            line, k = re.subn(pattern, repl, line, count=1)
            n += k
        out.append(line)
    assert n, 'the fixture has no line matching %r' % pattern
    return out


def insert_after(lines, pattern, new):
    """lines with NEW (a list) inserted after the first match of PATTERN."""
    for i, line in enumerate(lines):
        if re.search(pattern, line):
            return lines[:i + 1] + new + lines[i + 1:]
    raise AssertionError('the fixture has no line matching %r' % pattern)


class GuestLogJudge(unittest.TestCase):
    """results.py: every planted failure fails the guest."""

    def caught(self, guest, lines, why, run_id=None, boot_status=0):
        self.assertNotEqual(lines, fixture(guest), 'the planted failure changed nothing')
        self.assertTrue(failures(guest, lines, run_id, boot_status), 'passed: ' + why)

    def test_canned_logs_pass(self):
        for g in GUESTS:
            self.assertEqual(failures(g, fixture(g)), [], g)

    def test_not_ok_in_unlisted_suite(self):
        bad = ['[    9.000000]     KTAP version 1\n',
               '[    9.000000]     # Subtest: other-suite\n',
               '[    9.000000]     1..1\n',
               '[    9.000000]     not ok 1 other_case\n',
               '[    9.000000] # other-suite: pass:0 fail:1 skip:0 total:1\n',
               '[    9.000000] not ok 9 other-suite\n']
        for g in GUESTS:
            self.caught(g, insert_after(fixture(g), r'# guest checks$', bad),
                        'a failing suite that the guest does not list')

    def test_suite_without_cases(self):
        lines = fixture('mock')
        start = next(i for i, l in enumerate(lines) if '# Subtest: iommu-sva' in l)
        end = next(i for i, l in enumerate(lines) if re.search(r'^ok \d+ iommu-sva\s*$', l))
        self.caught('mock', lines[:start + 1] + ['[    9.000000]     1..0\n'] + lines[end:],
                    'an expected suite with no cases')
        self.caught('vtd', insert_after(fixture('vtd'), r'# guest checks$',
                                        ['[    9.000000]     # failed to initialize (-19)\n',
                                         '[    9.000000] not ok 2 iommu-other\n']),
                    'a suite whose init failed')

    def test_suite_that_must_skip(self):
        self.caught('vtd', replace(fixture('vtd'), r'ok (\d+ sva_bind_twice) # SKIP .*$',
                                   r'ok \1'),
                    'a case of a suite that does not apply ran')
        self.caught('mock', replace(fixture('mock'), r'ok (\d+ vtd_sva_refused) # SKIP .*$',
                                    r'not ok \1'),
                    'a case of a suite that must skip failed')
        lines = fixture('smmuv3')
        start = next(i for i, l in enumerate(lines) if '# Subtest: iommu-vtd-sva' in l)
        end = next(i for i, l in enumerate(lines) if re.search(r'^ok \d+ iommu-vtd-sva\b', l))
        self.caught('smmuv3', lines[:start - 1] + lines[end + 1:],
                    'a suite that must skip did not run')

    def test_skip_that_hides_a_failure(self):
        self.caught('vtd', replace(fixture('vtd'), r'# SKIP another IOMMU driver is active',
                                   '# SKIP mock IOMMU driver off: boot with iommu_mock.enable=1'),
                    'a suite that must skip skipped for another reason')
        self.caught('vtd', insert_after(fixture('vtd'), r'# Subtest: iommu-sva$',
                                        ['    1..1\n', '    # sva_bind_twice: EXPECTATION FAILED at'
                                         ' drivers/iommu/iommu-sva-test.c:1\n']),
                    'a case that failed an expectation, then skipped')
        cfg = fixture_conf('vtd.conf', 'vtd')
        cfg['SUITES'] += ' iommu-sva'
        with self.assertRaises(ValueError):
            results.judge(cfg, fixture('vtd'), run_id_of(fixture('vtd')))

    def test_kselftest_failures(self):
        k = 'kselftest iommu/iommu_pasid: '
        f = fixture('failnth')
        for lines, why in (
                (replace(f, k + r'ok (\d+) pasid\.limit2\.attach_busy$', k + r'not ok \1 pasid.limit2.attach_busy'),
                 'a failed kselftest'),
                (replace(f, k + r'ok (\d+) pasid\.limit2\.attach_busy$', k + r'ok \1 # SKIP no reason'),
                 'a kselftest that skipped where nothing may'),
                (replace(f, k + r'1\.\.(\d+)$', k + '1..999'), 'fewer kselftest results than planned'),
                ([l for l in f if not re.match(k + r'ok \d+ misc\.unknown_commands$', l)],
                 'a kselftest result missing'),
                (replace(f, r'# Totals: pass:(\d+) fail:0', r'# Totals: pass:\1 fail:1'),
                 'kselftest totals that disagree'),
                (replace(f, r'# kselftest iommu/iommu_pasid exit 0$', '# kselftest iommu/iommu_pasid exit 1'),
                 'a kselftest program that exited 1'),
                ([l for l in f if not l.startswith('# kselftest iommu/iommu_pasid exit')],
                 'a kselftest program that never exited'),
                ([l for l in f if not l.startswith(k)], 'a kselftest program with no output'),
                (insert_after(f, k + r'ok 3 ', [k + '[   12.3] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x1/0x2\n']),
                 'a kernel report inside a kselftest line'),
                (insert_after(f, r'# kselftest iommu/iommu_pasid exit 0$',
                              ['# kselftest iommu/other start\n', 'kselftest iommu/other: 1..0\n',
                               '# kselftest iommu/other exit 0\n']),
                 'a kselftest program that no check runs')):
            self.caught('failnth', lines, why)
        # A run that agrees with itself but is short: no tests at all, or
        # one test fewer (a test that stopped being registered).
        empty = [l for l in f if not l.startswith(k)]
        empty = insert_after(empty, r'^# kselftest iommu/iommu_pasid start$',
                             [k + 'TAP version 13\n', k + '1..0\n',
                              k + '# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n'])
        self.caught('failnth', empty, 'a kselftest program that ran no test')
        last = max(i for i, l in enumerate(f) if re.match(k + r'ok \d+ ', l))
        n = int(re.match(k + r'ok (\d+) ', f[last]).group(1))
        short = f[:last] + f[last + 1:]
        short = replace(short, k + r'1\.\.\d+$', k + '1..%d' % (n - 1))
        short = replace(short, k + r'# Totals: pass:(\d+)',
                        lambda m: k + '# Totals: pass:%d' % (int(m.group(1)) - 1))
        self.caught('failnth', short, 'a kselftest program one test short')
        cfg = fixture_conf('failnth.conf', 'failnth')
        cfg['EXPECT_WARN'] = '1|iommu-failnth.x|message'
        with self.assertRaises(ValueError):
            results.judge(cfg, f, run_id_of(f))
        cfg = fixture_conf('failnth.conf', 'failnth')
        del cfg['KSELFTEST_TESTS']
        with self.assertRaises(ValueError):
            results.judge(cfg, f, run_id_of(f))
        s = fixture('smmuv3')
        self.caught('smmuv3', replace(s, r'(kselftest iommu/iommu_pasid: ok \d+) # SKIP another IOMMU driver is active',
                                      r'\1 # SKIP needs root'),
                    'a kselftest that must skip skipped for another reason')
        self.caught('smmuv3', replace(s, r'(kselftest iommu/iommu_pasid: ok \d+) # SKIP another IOMMU driver is active',
                                      r'\1 # SKIP not because another IOMMU driver is active'),
                    'a kselftest skip reason that only contains the expected one')
        self.caught('smmuv3', replace(s, r'(kselftest iommu/iommu_pasid: ok \d+) # SKIP another IOMMU driver is active',
                                      r'\1 pasid.all_pasids.attach_detach'),
                    'a kselftest ran where it does not apply')
        cfg = fixture_conf('failnth.conf', 'failnth')
        cfg['KSELFTEST_SKIP'] = 'iommu/other|whatever'
        with self.assertRaises(ValueError):
            results.judge(cfg, f, run_id_of(f))

    def test_a_failed_kselftest_says_why(self):
        k = 'kselftest iommu/iommu_pasid_fail_nth: '
        lines = replace(fixture('mock-arm64'), r'^' + k + r'#\s+OK  fail_nth\.dma_fault_read\.sweep$',
                        k + '#            FAIL  fail_nth.dma_fault_read.sweep')
        lines = replace(lines, r'^' + k + r'ok (\d+) fail_nth\.dma_fault_read\.sweep$',
                        k + r'not ok \1 fail_nth.dma_fault_read.sweep')
        lines = insert_after(lines, r'^' + k + r'#\s+RUN\s+fail_nth\.dma_fault_read\.sweep',
                             [k + '# iommu_pasid_fail_nth.c:498:sweep:Expected 0 (0) == ret (-1)\n'])
        failed = [t for t in failures('mock-arm64', lines) if t[1].endswith('dma_fault_read.sweep')]
        self.assertEqual(len(failed), 1, failed)
        self.assertIn('not ok -- iommu_pasid_fail_nth.c:498:sweep:Expected 0 (0) == ret (-1)',
                      failed[0][3])
        self.assertNotIn('FAIL', failed[0][3])

    def test_not_ok_skip_is_a_failure(self):
        self.caught('vtd', replace(fixture('vtd'), r'^(\s*)ok (\d+ sva_bind_twice # SKIP)',
                                   r'\1not ok \2'),
                    '"not ok # SKIP" in a suite that must skip')

    def test_skip_in_unlisted_suite(self):
        lines = replace(fixture('mock'), r'^1\.\.8$', '1..9')

        def extra(case):
            return ['    KTAP version 1\n', '    # Subtest: iommu-extra\n', '    1..1\n',
                    '    %s\n' % case, 'ok 6 iommu-extra\n']
        self.assertEqual(failures('mock', insert_after(lines, r'^ok \d+ pci-pasid-acs',
                                                       extra('ok 1 extra_case'))), [])
        self.caught('mock', insert_after(lines, r'^ok \d+ pci-pasid-acs',
                                         extra('ok 1 extra_case # SKIP dependency missing')),
                    'an unlisted suite that only skipped')

    def test_case_after_the_expected_warnings(self):
        lines = replace(fixture('mock'), r'^1\.\.8$', '1..9')
        extra = ['    KTAP version 1\n', '    # Subtest: iommu-extra\n', '    1..1\n',
                 '    ok 1 extra_case\n', 'ok 6 iommu-extra\n']
        self.assertEqual(failures('mock', insert_after(lines, r'^ok \d+ pci-pasid-acs', extra)), [])
        self.caught('mock', insert_after(lines, r'^ok \d+ iommu-pasid-misuse', extra),
                    'a case that ran after the WARN_ONCE sites went silent')

    def test_report_in_a_warn_dump_line(self):
        for line in (r'^(---\[ end trace [0-9a-f]+ \]---)$', r'^(CPU: \d+ PID: .*)$',
                     r'^(WARNING: CPU: .*)$'):
            self.caught('mock', replace(fixture('mock'), line,
                                        r'\1BUG: KASAN: use-after-free in x+0x1/0x2'),
                        'a report in the line %r of the expected WARN' % line)

    def test_report_inside_a_line(self):
        lines = fixture('smmuv3')
        i = next(i for i, l in enumerate(lines) if re.match(r'^ok \d+ guest\.', l))
        self.caught('smmuv3', lines[:i] + [lines[i][:20] + 'arm-smmu-v3 9050000.smmuv3: event 0x10 received:\n',
                                           lines[i][20:]] + lines[i + 1:],
                    'an SMMUv3 event printed into a check line')
        lines = fixture('vtd')
        i = next(i for i, l in enumerate(lines) if 'ok 1 vtd_sva_refused' in l)
        self.caught('vtd', lines[:i] + [lines[i][:14] + 'qemu-system-x86_64: vtd_iova_to_slpte: detected IOVA overflow\n',
                                        lines[i][14:]] + lines[i + 1:],
                    "QEMU's error printed into a KTAP line")

    def test_suite_run_by_a_check(self):
        lines = fixture('failnth')
        self.assertTrue(any('# Subtest: iommu-failnth' in l for l in lines))
        # The sweep that init runs did not run, or did not finish.
        self.caught('failnth', [l for l in lines if not re.search(r'iommu-failnth|failnth_', l)],
                    'the check\'s suite did not run')
        i = next(i for i, l in enumerate(lines) if 'ok 4 failnth_bind_first' in l)
        self.caught('failnth', lines[:i], 'the sweep was cut short')
        self.caught('failnth', replace(lines, r'^    ok 8 failnth_fault', '    not ok 8 failnth_fault'),
                    'a failed case of the check\'s suite')
        # A suite printed after the boot's plan is not taken for one of it.
        self.caught('failnth', replace(lines, r'^1\.\.0$', '1..1'), 'a boot-time suite missing')

    def test_report_inside_gcov_data(self):
        for g in ('failnth', 'mock'):
            self.caught(g, replace(fixture(g), r'^(# gcov-file \S+) ', r'\1 BUG: KASAN: x '),
                        'a report printed into a gcov line')

    def test_no_clean_power_down(self):
        for g in GUESTS:
            lines = fixture(g)
            self.caught(g, [l for l in lines if 'reboot: Power down' not in l],
                        'the guest reset instead of powering down')

    def test_failed_unlisted_check(self):
        for g in GUESTS:
            self.caught(g, insert_after(fixture(g), r'# guest checks$',
                                        ['not ok 9 guest.extra - broken\n']),
                        'a failing guest check that the guest does not list')

    def test_failed_case(self):
        self.caught('mock', replace(fixture('mock'), r'\bok (\d+ pasid_attach_detach)$',
                                    r'not ok \1'), 'a failed case')

    def test_skipped_case(self):
        self.caught('mock', replace(fixture('mock'), r'ok (\d+ pasid_lookup_stress)$',
                                    r'ok \1 # SKIP needs two CPUs'), 'a skipped case')

    def test_missing_case(self):
        self.caught('mock', [l for l in fixture('mock') if ' sva_fault_resolved' not in l
                             or 'ok' not in l], 'a case that never reported')

    def test_case_compiled_out(self):
        # A case gone with KUnit's plan, numbering and totals agreeing: only
        # the pin sees it.
        lines = fixture('mock')
        at = next(i for i, l in enumerate(lines) if '# Subtest: iommu-pasid' in l)
        end = next(i for i in range(at, len(lines)) if re.search(r'^ok \d+ iommu-pasid$', lines[i]))
        gone, n = lines[:at], 0
        for l in lines[at:end]:
            if re.search(r'^    ok \d+ pasid_attach_busy$', l):
                continue
            m = re.search(r'^    ok \d+ (\w+)$', l)
            if m:
                n += 1
                l = '    ok %d %s\n' % (n, m.group(1))
            l = re.sub(r'^    1\.\.(\d+)$', lambda m: '    1..%d' % (int(m.group(1)) - 1), l)
            l = re.sub(r'^(# (?:iommu-pasid|Totals): pass:)(\d+)(.*total:)(\d+)$', lambda m: '%s%d%s%d' % (
                m.group(1), int(m.group(2)) - 1, m.group(3), int(m.group(4)) - 1), l)
            gone.append(l)
        gone += lines[end:]
        self.assertEqual(len(gone), len(lines) - 1)
        cfg = fixture_conf('mock.conf', 'mock')
        self.assertEqual([f[1] for f in failures('mock', gone, cfg=cfg)], ['suite iommu-pasid cases'])
        unpinned = dict(cfg, KUNIT_CASES='', KUNIT_CASES_UNPINNED='1')
        self.assertEqual(failures('mock', gone, cfg=unpinned), [])
        # A parameter gone, with its case's and the suite's totals agreeing.
        vtd = [l for l in fixture('vtd') if l.rstrip() != '        ok 2 caching mode on']
        vtd = replace(vtd, r'^    # vtd_pasid_first_level: pass:2 fail:0 skip:0 total:2$',
                      '    # vtd_pasid_first_level: pass:1 fail:0 skip:0 total:1')
        at = next(i for i, l in enumerate(vtd) if 'vtd_pasid_first_level: pass:1' in l)
        at += next(i for i, l in enumerate(vtd[at:]) if l.startswith('# Totals:'))
        vtd[at] = re.sub(r'pass:(\d+)(.*)total:(\d+)', lambda m: 'pass:%d%stotal:%d' % (
            int(m.group(1)) - 1, m.group(2), int(m.group(3)) - 1), vtd[at])
        self.caught('vtd', vtd, 'a parameter gone, every count agreeing')
        # Every listed suite needs a pin, and a pin a listed suite.
        cfg = fixture_conf('vtd.conf', 'vtd')
        for pins in (re.sub(r'\bpci-pasid-acs=\S+', '', cfg['KUNIT_CASES']),
                     cfg['KUNIT_CASES'] + ' other-suite=1', 'iommu-vtd-sva=one'):
            with self.assertRaises(ValueError):
                results.judge(dict(cfg, KUNIT_CASES=pins), fixture('vtd'), run_id_of(fixture('vtd')))
        unpinned = dict(cfg, KUNIT_CASES='', KUNIT_CASES_UNPINNED='1')
        self.assertEqual(failures('vtd', fixture('vtd'), cfg=unpinned), [])

    def test_expectation_failed_after_the_result(self):
        # Deferred work that outlives its case and fails it afterwards.
        late = '    # t_max_pasids: EXPECTATION FAILED at drivers/iommu/x.c:1\n'
        for after in (r'^\s+ok \d+ t_max_pasids$', r'^ok \d+ arm-smmu-v3-pasid$'):
            self.caught('smmuv3', insert_after(fixture('smmuv3'), after, [late]),
                        'an expectation failure after the result line')

    def test_failure_line_anywhere(self):
        # A KUnit failure line fails the guest wherever it is printed: an
        # assertion as well as an expectation, in the next suite, unindented,
        # and inside an expected WARN's dump, or its message.
        late = '    # t_max_pasids: ASSERTION FAILED at drivers/iommu/x.c:1\n'
        self.caught('smmuv3', insert_after(fixture('smmuv3'), r'^\s+ok \d+ t_max_pasids$', [late]),
                    'an assertion failure after the result line')
        lines = fixture('smmuv3')
        at = next(i for i, l in enumerate(lines) if re.search(r'^ok \d+ arm-smmu-v3-pasid$', l))
        at += next(i for i, l in enumerate(lines[at:]) if '# Subtest:' in l)
        self.caught('smmuv3', lines[:at + 1] + [late] + lines[at + 1:],
                    'a late failure printed inside the next suite')
        flat = '# sva_bind_twice: EXPECTATION FAILED at drivers/iommu/x.c:1\n'
        lines = fixture('mock')
        at = next(i for i, l in enumerate(lines) if re.search(r'^\s+ok \d+ sva_bind_twice$', l))
        for where in (at, at + 1):
            self.caught('mock', lines[:where] + [flat] + lines[where:], 'an unindented failure line')
        for after in (r'^WARNING: CPU: \d+ PID: \d+ at drivers/iommu/iommu.c:3356',
                      r'^-+\[ cut here \]-+$'):
            self.caught('mock', insert_after(fixture('mock'), after, ['    ' + flat]),
                        'a failure line inside an expected WARN')

    def test_case_names_twice(self):
        # A case or parameter reported twice stands in for one gone.
        lines = fixture('vtd')
        self.assertIn('suite intel-iommu-pasid case names', [f[1] for f in failures(
            'vtd', replace(lines, r'^        ok 2 caching mode on$', '        ok 2 caching mode off'))])
        self.assertIn('suite intel-iommu-pasid case names', [f[1] for f in failures(
            'vtd', replace(lines, r'^    ok 2 vtd_pasid_second_level$',
                           '    ok 2 vtd_pasid_first_level'))])

    def test_pins(self):
        # A suite with a parameterised case pins its runs too.
        cfg = fixture_conf('vtd.conf', 'vtd')
        cases = re.sub(r'\b(intel-iommu-pasid=\d+)/\d+', r'\1', cfg['KUNIT_CASES'])
        self.assertNotEqual(cases, cfg['KUNIT_CASES'])
        self.assertEqual([f[1] for f in failures('vtd', fixture('vtd'), cfg=dict(cfg, KUNIT_CASES=cases))],
                         ['suite intel-iommu-pasid cases'])
        # A case gone from a suite that skips here.
        lines = [l for l in fixture('mock') if 'ok 4 vtd_qemu_decoy_domain' not in l]
        lines = replace(replace(replace(lines, r'^    1\.\.4$', '    1..3'),
                                r'^# intel-iommu-pasid-qemu: pass:0 fail:0 skip:4 total:4$',
                                '# intel-iommu-pasid-qemu: pass:0 fail:0 skip:3 total:3'),
                        r'^# Totals: pass:0 fail:0 skip:4 total:4$',
                        '# Totals: pass:0 fail:0 skip:3 total:3')
        self.assertEqual([f[1] for f in failures('mock', lines)], ['suite intel-iommu-pasid-qemu cases'])

    def test_guest_definitions_pinned(self):
        # The guests make test boots pin every suite they list, and none
        # takes the prefix guests' way out.
        confs = sorted(glob.glob(os.path.join(TOP, 'guests', '**', '*.conf'), recursive=True))
        pinned = 0
        for conf in confs:
            cfg = results.read_conf(conf)
            self.assertNotIn('KUNIT_CASES_UNPINNED', cfg, conf)
            listed = cfg.get('SUITES', '').split() + sorted(
                results.skipped_suites(cfg.get('SKIPPED_SUITES', '')))
            pins = results.kunit_pins(cfg.get('KUNIT_CASES', ''))
            self.assertEqual(sorted(pins), sorted(listed), conf)
            pinned += bool(listed)
            # A suite with a parameterised case (in any canned log) pins
            # its runs.
            for s, (_, runs) in pins.items():
                if any(k[0] == s for g in GUESTS for k in results.Log(fixture(g)).params):
                    self.assertIsNotNone(runs, '%s: %s pins no runs' % (conf, s))
        self.assertEqual(pinned, 5)
        # The KCSAN guest boots the mock's suites in another kernel.
        kcsan = results.read_conf(os.path.join(TOP, 'guests', 'long', 'kcsan.conf'))
        mock = results.read_conf(os.path.join(TOP, 'guests', 'mock.conf'))
        self.assertEqual(results.kunit_pins(kcsan['KUNIT_CASES']),
                         results.kunit_pins(mock['KUNIT_CASES']))

    def test_kunit_totals_disagree(self):
        self.caught('mock', replace(fixture('mock'), r'# Totals: pass:(\d+)',
                                    lambda m: '# Totals: pass:%d' % (int(m.group(1)) + 1)),
                    "KUnit's totals disagree with the cases")
        self.caught('mock', replace(fixture('mock'), r'# iommu-sva: pass:(\d+)',
                                    lambda m: '# iommu-sva: pass:%d' % (int(m.group(1)) - 1)),
                    "a suite's totals disagree with its cases")

    def test_parameterised_case(self):
        # The fixture's VT-d suite has two cases of two parameters each.
        lines = fixture('vtd')
        self.caught('vtd', replace(lines, r'^        ok 2 caching mode on$',
                                   '        not ok 2 caching mode on'),
                    'a failed parameter under a case that says ok')
        self.caught('vtd', [l for l in lines if l.rstrip() != '        ok 2 caching mode on'],
                    'parameters that never reported')
        # KUnit's own counts agreeing with the failed parameter changes nothing.
        agreed = replace(replace(lines, r'^        ok 2 caching mode on$',
                                 '        not ok 2 caching mode on'),
                         r'^    # vtd_pasid_first_level: pass:2 fail:0 skip:0 total:2$',
                         '    # vtd_pasid_first_level: pass:1 fail:1 skip:0 total:2')
        at = next(i for i, l in enumerate(agreed) if 'vtd_pasid_first_level: pass:1' in l)
        at += next(i for i, l in enumerate(agreed[at:]) if l.startswith('# Totals:'))
        agreed[at] = re.sub(r'pass:(\d+) fail:0 ',
                            lambda m: 'pass:%d fail:1 ' % (int(m.group(1)) - 1), agreed[at])
        self.assertIn('fail:1', agreed[at])
        self.caught('vtd', agreed, 'a failed parameter that the totals count')
        failed = replace(replace(lines, r'^        ok 2 caching mode on$',
                                 '        not ok 2 caching mode on'),
                         r'^    ok 1 vtd_pasid_first_level$', '    not ok 1 vtd_pasid_first_level')
        self.assertIn(('kunit', 'intel-iommu-pasid.vtd_pasid_first_level', False, 'not ok'),
                      [f[:3] + (f[3][:6],) for f in failures('vtd', failed)])

    def test_debug_checkers_on(self):
        # A debug kernel whose config lost a checker says nothing of it.
        for g in ('mock', 'vtd', 'smmuv3', 'failnth'):
            for banner in ('KernelAddressSanitizer initialized', 'Lock dependency validator',
                           'RCU lockdep checking is enabled'):
                lines = fixture(g)
                self.caught(g, [l for l in lines if banner not in l],
                            'a debug kernel without "%s"' % banner)

    def test_truncated_log(self):
        for g in GUESTS:
            lines = fixture(g)
            done = next(i for i, l in enumerate(lines) if '# guest checks done' in l)
            for cut in (len(lines) // 3, len(lines) * 2 // 3, done):
                self.caught(g, lines[:cut], 'a log cut at line %d' % cut)

    def test_stale_or_empty_log(self):
        for g in GUESTS:
            self.assertTrue(failures(g, fixture(g), run_id='0123456789abcdef'),
                            'a log from another boot passed')
            self.assertTrue(failures(g, [], run_id='0123456789abcdef'), 'an empty log passed')

    def test_boot_failed(self):
        self.assertTrue(failures('mock', fixture('mock'), boot_status=1),
                        'a failed boot script passed')

    def test_kernel_reports(self):
        planted = [
            'rcu: INFO: rcu_preempt self-detected stall on CPU',
            'rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... } 21002 jiffies s: 105 root: 0x2/.',
            'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:',
            'watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [kworker/1:1:52]',
            'Watchdog detected hard LOCKUP on cpu 1',
            'INFO: task kworker/0:2:63 blocked for more than 120 seconds.',
            'BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 31s!',
            'BUG: KASAN: use-after-free in iommu_get_domain_for_dev_pasid+0x1c/0x90',
            'WARNING: possible circular locking dependency detected',
            'WARNING: suspicious RCU usage',
            'BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580',
            'unreferenced object 0xffff888004a1c000 (size 64):',
            'kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)',
            'BUG: kernel NULL pointer dereference, address: 0000000000000008',
            'Unable to handle kernel paging request at virtual address dead000000000108',
            'Internal error: Oops: 96000004 [#1] PREEMPT SMP',
            'UBSAN: shift-out-of-bounds in drivers/iommu/iommu.c:3001:9',
            'Call Trace:',
            'DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x7f000 [fault reason 0x06] PTE Read access is not set',
            'arm-smmu-v3 9050000.smmuv3: event 0x10 received:',
            '** 1523 printk messages dropped **',
            'virtio_blk virtio1: [vda] blk_update_request: I/O error, dev vda, sector 0',
        ]
        for g in GUESTS:
            for p in planted:
                self.caught(g, insert_after(fixture(g), r'# guest checks$',
                                            ['[   12.345678] %s\n' % p]), p)

    def test_expected_warning_matched_by_message(self):
        lines = fixture('mock')
        self.assertEqual(sum(1 for l in lines if 'detach of a domain that is not attached' in l), 1)
        # The same function warning with another message is not the expected one.
        self.caught('mock', replace(lines, r'detach of a domain that is not attached',
                                    'refcount underflow'), 'a WARN with another message')
        # Twice is not once.
        start = next(i for i, l in enumerate(lines) if 'cut here' in l)
        end = next(i for i, l in enumerate(lines) if i > start and 'end trace' in l)
        self.caught('mock', lines[:end + 1] + lines[start:end + 1] + lines[end + 1:],
                    'the expected WARN twice')
        # Another CPU's report inside the expected WARN's dump still counts.
        rip = next(i for i in range(start, end) if 'RIP:' in lines[i] or 'pc :' in lines[i])
        self.caught('mock', lines[:rip + 1] + ['BUG: KASAN: use-after-free in x+0x1/0x2\n']
                    + lines[rip + 1:], 'a report inside the expected WARN')
        # Another CPU's dump (no report line of its own) inside it counts.
        self.caught('mock', lines[:rip + 1] + ['irq 11: nobody cared\n',
                                               'CPU: 1 PID: 0 Comm: swapper/1 Not tainted\n']
                    + lines[rip + 1:], 'a second CPU dump inside the expected WARN')
        # Never is not once.
        self.caught('mock', lines[:start] + lines[end + 1:], 'the expected WARN missing')
        # The right message outside its case is not the expected WARN: before
        # any suite, in another suite, after the suites, or about another PASID.
        rest = lines[:start] + lines[end + 1:]
        for where in (r'KTAP version 1', r'^ok \d+ iommu-sva\b', r'# Subtest: iommu-pasid$',
                      r'ok \d+ pasid_attach_detach', r'^ok \d+ iommu-pasid-misuse', r'# guest checks$'):
            self.caught('mock', insert_after(rest, where, lines[start:end + 1]),
                        'the expected WARN after %r' % where)
        self.caught('mock', replace(lines, r'PASID 7: detach', 'PASID 8: detach'),
                    'the expected WARN about another PASID')
        # A WARN elsewhere is not expected.
        for g in GUESTS[1:]:
            self.caught(g, insert_after(fixture(g), r'# guest checks$', lines[start:end + 1]),
                        'a WARN in a guest that expects none')

    def test_iommu_and_qemu_errors(self):
        for g, bad in (('vtd', 'DMAR: VT-d detected Invalidation Queue Error: Reason 1'),
                       ('vtd', 'DMAR: VT-d detected Invalidation Time-out Error: SID 18'),
                       ('vtd', 'qemu-system-x86_64: vtd_process_inv_desc: invalid inv desc'),
                       ('smmuv3', 'arm-smmu-v3 9050000.smmuv3: unexpected global error reported'
                        ' (0x00000004), this could be serious'),
                       ('smmuv3', 'arm-smmu-v3 9050000.smmuv3: device has entered Service'
                        ' Failure Mode!'),
                       ('smmuv3', 'arm-smmu-v3 9050000.smmuv3: EVTQ overflow detected --'
                        ' events lost'),
                       ('smmuv3', 'arm-smmu-v3 9050000.smmuv3: CMDQ timeout')):
            self.caught(g, insert_after(fixture(g), r'^ok 1 guest\.', [bad + '\n']), bad)

    def test_expected_qemu_messages(self):
        # The vtd guest's probe makes QEMU report three kinds of fault, once
        # each: one missing, one twice, or another QEMU message fails.
        lines = fixture('vtd')
        expected = [line for line in lines if line.startswith('qemu-system-')]
        self.assertEqual(len(expected), 3, 'the vtd fixture lacks the probe\'s QEMU messages')
        for line in expected:
            self.caught('vtd', [x for x in lines if x is not line],
                        'an expected QEMU message missing: %s' % line.strip())
            self.caught('vtd', insert_after(lines, r'^ok 1 guest\.', [line]),
                        'an expected QEMU message twice: %s' % line.strip())
        self.caught('vtd', insert_after(lines, r'^ok 1 guest\.',
                                        ['qemu-system-x86_64: vtd_iommu_translate: detected'
                                         ' translation failure (dev=00:04:00, iova=0x1000)\n']),
                    'a translation failure of another device')
        # A kernel report on the same line as an expected message still counts.
        self.caught('vtd', replace(lines, r'^(qemu-system-x86_64: New fault.*)$',
                                   r'\1 BUG: KASAN: use-after-free'),
                    'a report sharing a line with an expected QEMU message')

    def test_expected_kernel_messages(self):
        # The smmuv3 guest's faked SMMU reports the two stalls a case queues:
        # one missing, one more, the real SMMU's event, or one outside the
        # suite fails.
        lines = fixture('smmuv3')
        text = 'arm-smmu-v3-kunit: event 0x10 received:'
        expected = [line for line in lines if text in line]
        self.assertEqual(len(expected), 2, 'the smmuv3 fixture lacks the faked SMMU\'s events')
        self.caught('smmuv3', [x for x in lines if x is not expected[0]],
                    'an expected kernel message missing')
        self.caught('smmuv3', insert_after(lines, re.escape(expected[0].rstrip('\n')) + '$',
                                           [expected[0]]),
                    'an expected kernel message once more')
        self.caught('smmuv3', replace(lines, re.escape(expected[1].rstrip('\n')) + '$',
                                      expected[1].rstrip('\n').replace(
                                          'arm-smmu-v3-kunit:', 'arm-smmu-v3 9050000.smmuv3:')),
                    'the real SMMU\'s event in the suite')
        self.caught('smmuv3', insert_after([x for x in lines if x is not expected[0]],
                                           r'^ok 1 guest\.', [expected[0]]),
                    'an expected kernel message outside its suite')
        rest = [x for x in lines if x is not expected[0]]
        at = next(i for i, x in enumerate(rest) if re.search(r'ok \d+ t_rid_change_busy$', x))
        self.caught('smmuv3', rest[:at] + [expected[0]] + rest[at:],
                    'an expected kernel message in another case of its suite')
        self.caught('smmuv3', replace(lines, re.escape(expected[1].rstrip('\n')) + '$',
                                      expected[1].rstrip('\n') + ' BUG: KASAN: use-after-free'),
                    'a report sharing a line with an expected kernel message')

    def test_command_line_and_json(self):
        with tempfile.TemporaryDirectory() as tmp:
            for planted in (False, True):
                log = os.path.join(tmp, 'guest.log')
                lines = fixture('vtd')
                if planted:
                    lines = insert_after(lines, r'# guest checks$', ['BUG: KASAN: planted\n'])
                with open(log, 'w') as f:
                    f.writelines(lines)
                out = os.path.join(tmp, 'result.json')
                conf = os.path.join(tmp, 'vtd.conf')
                with open(os.path.join(TOP, 'guests/vtd.conf')) as f:
                    write(conf, f.read() + 'KUNIT_CASES="%s"\n' % fixture_pins(
                        results.read_conf(os.path.join(TOP, 'guests/vtd.conf')), 'vtd'))
                p = subprocess.run([sys.executable, os.path.join(TOP, 'scripts/results.py'),
                                    conf, log,
                                    '--run-id', run_id_of(fixture('vtd')), '--json', out],
                                   capture_output=True, text=True)
                with open(out) as f:
                    r = json.load(f)
                self.assertEqual(p.returncode != 0, planted, p.stdout)
                self.assertEqual(r['failed'] > 0, planted, r)
                self.assertGreater(r['passed'], 0)


class KcsanJudge(unittest.TestCase):
    """results.py with KCSAN=yes: a race in the series' code fails, one in
    base code is listed, a KCSAN that is off fails."""

    SERIES = {'iommu_get_domain_for_dev_pasid', '__iommu_group_remove_pasid',
              'pasid_lookup_stress', 'stress_reader'}

    def judge(self, lines, series=SERIES):
        cfg = fixture_conf('long/kcsan.conf', 'long-kcsan')
        run_id = run_id_of(fixture('long-kcsan'))
        return results.judge(cfg, lines, run_id, 0, False, series)

    def failed(self, lines):
        return [t for t in self.judge(lines) if t[0] in ('kunit', 'kselftest', 'check') and not t[2]]

    def test_canned_log_passes_and_lists_base_races(self):
        tests = self.judge(fixture('long-kcsan'))
        self.assertEqual([t for t in tests if not t[2]], [])
        base = [t for t in tests if t[1] == 'KCSAN reports in base code']
        self.assertRegex(base[0][3], r'^1: data-race in xas_start / xas_store, reached from '
                         r'iommu_get_domain_for_dev_pasid')

    def test_race_in_the_series_fails(self):
        lines = replace(fixture('long-kcsan'), r'^ xas_start\+', ' iommu_get_domain_for_dev_pasid+')
        self.assertTrue(self.failed(lines))

    def test_race_without_a_stack_fails(self):
        lines = fixture('long-kcsan')
        i = next(i for i, l in enumerate(lines) if re.match(r'^read \(marked\) to 0x', l)) + 1
        j = next(j for j in range(i, len(lines)) if not lines[j].strip())
        self.assertTrue(self.failed(lines[:i] + lines[j:]))

    def test_lost_access_line_fails(self):
        lines = [l for l in fixture('long-kcsan') if not re.match(r'^write to 0x', l)]
        self.assertTrue(self.failed(lines))

    def test_report_inside_a_kcsan_report_fails(self):
        lines = insert_after(fixture('long-kcsan'), r'^Reported by Kernel Concurrency Sanitizer',
                             ['BUG: workqueue lockup - pool cpus=0 stuck for 31s!\n'])
        self.assertTrue(self.failed(lines))

    def test_kcsan_off_fails(self):
        lines = [l for l in fixture('long-kcsan') if 'kcsan: strict mode configured' not in l]
        self.assertTrue(self.failed(lines))

    def test_a_kcsan_report_is_a_report_elsewhere(self):
        lines = fixture('long-kcsan')
        cfg = fixture_conf('mock.conf', 'long-kcsan')
        tests = results.judge(cfg, lines, run_id_of(lines))
        self.assertTrue([t for t in tests if t[1] == 'kernel log' and not t[2]])

    def test_series_functions_required(self):
        with self.assertRaises(ValueError):
            self.judge(fixture('long-kcsan'), None)


class Findings(unittest.TestCase):
    """findings.py: a finding the series adds is new, one it moves is not."""

    T = '/work/x/build/linux/'

    def new(self, base, tip, files=None):
        norm = (lambda t: findings.cocci(t, files)) if files else findings.build
        return findings.new(norm(base), norm(tip))

    def test_moved_finding_is_not_new(self):
        w = 'drivers/iommu/iommu.c:%d:5: warning: unused variable \'pasid1\' [-Wunused-variable]'
        self.assertEqual(self.new([w % 100], [self.T + w % 3500]), [])

    def test_new_finding_beside_a_fixed_one(self):
        sparse = ['drivers/dma/idxd/cdev.c:%s: warning: incorrect type in return expression'
                  ' (different base types)', 'drivers/dma/idxd/cdev.c:%s:    expected %s',
                  'drivers/dma/idxd/cdev.c:%s:    got %s']

        def mismatch(pos, want, got):
            return [sparse[0] % pos, sparse[1] % (pos, want), sparse[2] % (pos, got)]
        self.assertEqual(self.new(mismatch('331:24', 'restricted __poll_t', 'int'),
                                  mismatch('900:24', 'restricted __poll_t', 'int')), [])
        self.assertTrue(self.new(mismatch('331:24', 'restricted __poll_t', 'int'),
                                 mismatch('118:16', 'int', 'restricted __poll_t')),
                        'a new type mismatch hid behind a fixed one')
        w = 'drivers/iommu/iommu.c:%d:5: warning: unused variable \'%s\''
        self.assertTrue(self.new([w % (100, 'pasid1')], [w % (3500, 'pasid2')]),
                        'a new warning about pasid2 hid behind a fixed one about pasid1')
        w = 'arch/%s/include/asm/cmpxchg.h:10:1: warning: cast truncates bits'
        self.assertTrue(self.new([w % 'x86'], [self.T + w % 'arm64']),
                        'the directories of an arch header were lost')
        c = '%s:42:1-7: WARNING: Threaded IRQ with no primary handler requested'
        files = ['drivers/iommu/iommu.c', 'drivers/iommu/intel/iommu.c']
        self.assertEqual(self.new([c % files[1]], [self.T + c % files[1]], files), [])
        self.assertTrue(self.new([c % files[1]], [self.T + c % files[0]], files),
                        'a coccicheck finding in iommu.c hid behind a fixed one in intel/iommu.c')

    def test_interleaved_detail_lines(self):
        f = 'drivers/pci/pci.c:%s: warning: incorrect type in return expression'
        d = ['drivers/pci/pci.c:%s:    expected int', 'drivers/pci/pci.c:%s:    got restricted pci_power_t']
        other = 'drivers/vfio/vfio.c:20:1: warning: context imbalance in \'f\''
        alone = [f % '1079:56', d[0] % '1079:56', d[1] % '1079:56', other]
        # Another job's line between a finding and its types (make -j).
        mixed = [f % '1079:56', other, d[0] % '1079:56', d[1] % '1079:56']
        self.assertEqual(self.new(alone, mixed), [])
        self.assertEqual(self.new(mixed, alone), [])

    def test_build_failures_are_findings(self):
        self.assertTrue(self.new([], ['make[4]: *** [scripts/Makefile.build:250: x.o] Error 1']))
        self.assertTrue(self.new([], ['ld: iommu.o: undefined reference to `foo\'']))
        for line in ('cc1: warning: command-line option \'-Wfoo\' is valid for C++',
                     'x86_64-linux-gnu-gcc-12: error: unrecognized command-line option',
                     'aarch64-linux-gnu-ld: warning: orphan section `.bar\' being placed',
                     'ld: warning: creating DT_TEXTREL in a PIE',
                     'ld: drivers/iommu/iommu.o: warning: relocation in read-only section',
                     'WARNING: unmet direct dependencies detected for IOASID',
                     'drivers/iommu/Kconfig:9:warning: choice value used outside its choice group',
                     '.config:12:warning: override: reassigning to symbol IOMMU_SVA'):
            self.assertTrue(self.new([], [line]), 'not a finding: ' + line)
        self.assertEqual(self.new([], ['  CC      drivers/iommu/iommu.o',
                                       '  LD [M]  drivers/dma/idxd/idxd.ko']), [])


class AbiTools(unittest.TestCase):
    """symvers.py and header_users.py, which make test-long's Debian
    builds and patches/abi-changes.txt rest on."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='wb-selftest.')

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def symvers_diff(self, a, b):
        paths = []
        for name, rows in (('a', a), ('b', b)):
            paths.append(os.path.join(self.tmp, name))
            write(paths[-1], ''.join('%s %s %s\n' % r for r in rows))
        p = run([sys.executable, os.path.join(TOP, 'scripts/symvers.py'), 'diff'] + paths)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.splitlines()

    def test_symvers_diff(self):
        a = [('kept', '0x1', 'a.o'), ('moved', '0x2', 'a.o'), ('changed', '0x3', 'a.o'),
             ('gone', '0x4', 'a.o'), ('twice', '0x5', 'a.o'), ('twice', '0x6', 'b.o')]
        b = [('kept', '0x1', 'a.o'), ('moved', '0x2', 'b.o'), ('changed', '0x9', 'b.o'),
             ('new', '0x7', 'a.o'), ('twice', '0x5', 'a.o'), ('twice', '0x8', 'b.o')]
        self.assertEqual(self.symvers_diff(a, b), [
            '# 2 changed, 1 removed, 1 added of 5 compared',
            'changed changed b.o', 'changed twice@b.o b.o',
            'removed gone a.o', 'added new a.o'])
        self.assertEqual(self.symvers_diff(a, a)[0], '# 0 changed, 0 removed, 0 added of 6 compared')

    def test_symvers_dump_needs_symbols(self):
        o = os.path.join(self.tmp, 'o')
        write(os.path.join(o, 'd/.x.o.cmd'), 'cmd_d/x.o := gcc\n#SYMVER foo 0x0000abcd\n')
        write(os.path.join(o, 'd/x.o'), '')
        write(os.path.join(o, 'd/.gone.o.cmd'), '#SYMVER bar 0x00000001\n')
        p = run([sys.executable, os.path.join(TOP, 'scripts/symvers.py'), 'dump', o])
        self.assertEqual((p.returncode, p.stdout), (0, 'foo 0x0000abcd d/x.o\n'), p.stderr)
        write(os.path.join(self.tmp, 'list'), 'd/y.o\n')
        p = run([sys.executable, os.path.join(TOP, 'scripts/symvers.py'), 'dump', o,
                 os.path.join(self.tmp, 'list')])
        self.assertNotEqual(p.returncode, 0, 'an object the list leaves out was dumped')
        os.remove(os.path.join(o, 'd/.x.o.cmd'))
        p = run([sys.executable, os.path.join(TOP, 'scripts/symvers.py'), 'dump', o])
        self.assertNotEqual(p.returncode, 0, 'a dump without #SYMVER lines passed')

    def test_layout_keeps_the_series_source(self):
        same = (('int  f(int a,\n\t  int b);\n', 'int f(int a, int b);\n'),
                ('#define X(a) \\\n\tdo { } while (0)\n', '#define X(a)  \\\n    do { } while (0)\n'),
                ('/* one\n * two */\nint x;\n', '/* three */ int x; // four\n'),
                ("/* don't */ int x;\n", 'int x;\n'))
        differ = (('x = a - -b;\n', 'x = a--b;\n'), ('unsigned int x;\n', 'unsignedint x;\n'),
                  ('#define A 1\nint x;\n', '#define A 1 int x;\n'),
                  ('y = 1; // c\nx = 2;\n', 'y = 1; // c x = 2;\n'),
                  ('#define A \\\n 1\nint x;\n', '#define A \\\n 1 int x;\n'),
                  ('#define F(x) x\n', '#define F (x) x\n'),
                  ('p("%d %d");\n', 'p("%d%d");\n'), ("c = ' ';\n", "c = '';\n"))
        for a, b in same:
            self.assertEqual(abi_changes.tokens_text(a), abi_changes.tokens_text(b), (a, b))
        for a, b in differ:
            self.assertNotEqual(abi_changes.tokens_text(a), abi_changes.tokens_text(b), (a, b))

    def test_abi_blocks_of_the_series_source(self):
        t = os.path.join(self.tmp, 'linux')
        fake_tree(t, [('one', 'int fake(void)  { return 1; }\n'),
                      ('layout', 'int fake(void)\n{\n\treturn 1;\n}\n'),
                      ('code', 'int fake(void)\n{\n\treturn 2;\n}\n')])
        builds = os.path.join(self.tmp, 'builds')
        one = git(t, 'rev-parse', 'HEAD~2')

        def build(arch, commit):
            d = os.path.join(builds, 'debian-' + arch)
            write(os.path.join(d, 'series-commit'), commit + '\n')
            write(os.path.join(d, 'label'), 'Debian %s (x, linux-config-6.1 %s)\n'
                  % (arch, abi_changes.config_pin(arch).split()[0]))
            write(os.path.join(d, 'symvers.txt'), '# 1 changed, 0 removed, 0 added of 1 compared\n'
                  'changed fake drivers/fake/a.o\n')
        for arch in ('amd64', 'arm64', 'i386'):
            build(arch, one)
        script = os.path.join(TOP, 'scripts/abi_changes.py')
        out = os.path.join(self.tmp, 'abi.txt')

        def abi(*extra):
            return run([sys.executable, script, t, builds] + list(extra))
        git(t, 'checkout', '-q', 'HEAD~1')      # "layout": whitespace only
        p = abi()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(', source ', p.stdout)
        write(out, p.stdout)
        self.assertEqual(abi('--check', out).returncode, 0)
        current = [sys.executable, script, t, '--current', out]
        self.assertEqual(run(current).returncode, 0, run(current).stderr)
        # Without a build: an edited API section, another source, another
        # configuration are not current.
        for old, new in (('Public headers\n--------------\n', 'Public headers\n--------------\nx\n'),
                         (', source ', ', source 0'),
                         ('linux-config-6.1 ', 'linux-config-6.1 0.')):
            write(out + '.bad', p.stdout.replace(old, new, 1))
            q = run(current[:-1] + [out + '.bad'])
            self.assertNotEqual(q.returncode, 0, (old, q.stdout))
        shutil.rmtree(os.path.join(builds, 'debian-i386'))
        self.assertNotEqual(abi('--check', out).returncode, 0, '--check without a build passed')
        p = abi('--keep', out)
        with open(out) as f:
            self.assertEqual((p.returncode, p.stdout), (0, f.read()), p.stderr)
        git(t, 'checkout', '-q', 'main')        # "code": another source
        self.assertNotEqual(run(current).returncode, 0, 'a file of another source is current')
        head = git(t, 'rev-parse', 'HEAD')
        build('amd64', head)
        build('arm64', head)
        self.assertNotEqual(abi('--keep', out).returncode, 0,
                            'a block of another series source was kept')
        build('i386', one)
        self.assertNotEqual(abi('--keep', out).returncode, 0,
                            'a build of another series source was taken')
        build('i386', head)
        self.assertEqual(abi('--keep', out).returncode, 0)
        write(os.path.join(builds, 'debian-i386', 'label'), 'Debian i386 (x, linux-config-6.1 0.1-1)\n')
        self.assertNotEqual(abi('--keep', out).returncode, 0,
                            'a build of another Debian configuration was taken')

    def test_header_users(self):
        t = os.path.join(self.tmp, 'linux')
        files = {
            'include/linux/iommu.h': '',
            'include/linux/dma-iommu.h': '#include <linux/iommu.h>\n',
            # directly, through a header, through a header of the driver's
            # own -I directory, through the arch's headers
            'drivers/a/direct.c': '#include <linux/iommu.h>\n',
            'drivers/a/indirect.c': '#include <linux/dma-iommu.h>\n',
            'drivers/gpu/drm/nv/nv_drv.h': '#include <linux/iommu.h>\n',
            'drivers/gpu/drm/nv/disp/overlay.c': '#include "nv_drv.h"\n',
            'arch/x86/include/asm/iommu.h': '#include <linux/iommu.h>\n',
            'arch/x86/kernel/pci-dma.c': '#include <asm/iommu.h>\n',
            # none of these
            'drivers/b/other.c': '#include <linux/dma-mapping.h>\n',
            'drivers/c/nv_drv.c': '#include "nv_drv.h"\n',
            'arch/arm64/kernel/iommu.c': '#include <linux/iommu.h>\n',
            'tools/iommu.c': '#include <linux/iommu.h>\n',
        }
        for f, text in files.items():
            write(os.path.join(t, f), text)
        p = run([sys.executable, os.path.join(TOP, 'scripts/header_users.py'), t, 'x86',
                 'include/linux/iommu.h'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ['arch/x86/kernel/pci-dma.c', 'drivers/a/direct.c',
                                            'drivers/a/indirect.c',
                                            'drivers/gpu/drm/nv/disp/overlay.c'])
        p = run([sys.executable, os.path.join(TOP, 'scripts/header_users.py'), t, 'x86',
                 'include/linux/nonesuch.h'])
        self.assertNotEqual(p.returncode, 0, 'a header that does not exist was taken')


class Bench(unittest.TestCase):
    """bench.py: a benchmark that did not measure what it claims fails."""

    def bench(self, edit=lambda t: t):
        with open(os.path.join(FIXTURES, 'guest-bench-smp2.log')) as f:
            text = edit(f.read())
        with tempfile.TemporaryDirectory() as tmp:
            logs = [os.path.join(tmp, 'guest-bench-smp%d.log' % n) for n in (2, 4)]
            write(logs[0], text)
            with open(os.path.join(FIXTURES, 'guest-bench-smp2.log')) as f:
                write(logs[1], f.read())
            return run([sys.executable, os.path.join(TOP, 'scripts/bench.py'),
                        os.path.join(tmp, 'out')] + logs)

    def test_canned_log_passes(self):
        p = self.bench()
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertRegex(p.stdout, r'(?m)^bench: .* bars \d+ of \d+ met')

    def test_broken_runs_fail(self):
        for what, edit in (
                ('a wrong lookup', lambda t: t.replace('wrong=0', 'wrong=1', 1)),
                ('a writer error', lambda t: t.replace('writer_err=0', 'writer_err=-12', 1)),
                ('a missing round', lambda t: re.sub(r'.*lookup scheme=mutex churn=1 round=3 .*\n', '', t)),
                ('a kernel warning', lambda t: t.replace('# guest checks done', 'WARNING: CPU: 1 PID: 9\n# guest checks done')),
                ('no end', lambda t: t.replace('pasid-bench: done', 'pasid-bench: gone')),
                ('an unresolved fault', lambda t: t.replace('success=256', 'success=255', 1)),
                ('too few rounds', lambda t: t.replace('wb.check=bench:7', 'wb.check=bench:3')),
                ('nothing measured', lambda t: re.sub(r'(scheme=rcu_xas churn=0 round=2 readers=\d+) ops=\d+',
                                                      r'\1 ops=0', t)),
                ('no writer', lambda t: re.sub(r'writes=\d+', 'writes=0', t)),
                ('no faults', lambda t: re.sub(r'faults=256 success=256', 'faults=0 success=0', t)),
                ('a missing attach round', lambda t: re.sub(r'.*pasid-bench: attach round=4 .*\n', '', t)),
                ('a stall', lambda t: t.replace('# guest checks done', 'rcu: INFO: rcu_preempt detected stalls\n# guest checks done')),
                ('a failed check', lambda t: re.sub(r'(?m)^ok (\d+) guest\.bench', r'not ok \1 guest.bench', t)),
                ('a round out of range', lambda t: t.replace('churn=0 round=6 ', 'churn=0 round=60 '))):
            p = self.bench(edit)
            self.assertNotEqual(p.returncode, 0, '%s passed:\n%s' % (what, p.stdout))
            self.assertIn('bench: FAILED', p.stdout, what)


class DmaBench(unittest.TestCase):
    """dma_bench.py: a before/after pair that is not what it claims fails."""

    def bench(self, edit_before=lambda t: t, edit_after=lambda t: t):
        texts = []
        for side, edit in (('before', edit_before), ('after', edit_after)):
            with open(os.path.join(FIXTURES, 'dma-bench-%s.log' % side)) as f:
                texts.append(edit(f.read()))
        with tempfile.TemporaryDirectory() as tmp:
            logs = [os.path.join(tmp, 'dma-%d.log' % i) for i in (0, 1)]
            for path, text in zip(logs, texts):
                write(path, text)
            return run([sys.executable, os.path.join(TOP, 'scripts/dma_bench.py'),
                        os.path.join(tmp, 'out.txt')] + logs)

    def test_canned_pair_passes(self):
        p = self.bench()
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertRegex(p.stdout, r'(?m)^dma-map-bench: unmap/map after/before \d\.\d+ \[\d\.\d+-\d\.\d+\]; unmap \d\.\d+, map \d\.\d+')

    def test_broken_pairs_fail(self):
        one_run = re.compile(r'.*# dma-map-bench map_100ns=.*\n')
        for what, before, after in (
                ('the same kernel twice', lambda t: t, lambda t: t.replace(
                    'intel_iommu_attach_dev_pasid: yes', 'intel_iommu_attach_dev_pasid: no')),
                ('the kernels swapped', lambda t: t.replace(
                    'intel_iommu_attach_dev_pasid: no', 'intel_iommu_attach_dev_pasid: yes'),
                 lambda t: t.replace('intel_iommu_attach_dev_pasid: yes',
                                     'intel_iommu_attach_dev_pasid: no')),
                ('a lost run', lambda t: one_run.sub('', t, count=1), lambda t: t),
                ('a lazy domain', lambda t: t, lambda t: t.replace('group type DMA', 'group type DMA-FQ')),
                ('a failed check', lambda t: re.sub(r'(?m)^ok (\d+) guest\.dma-map-bench',
                                                    r'not ok \1 guest.dma-map-bench', t), lambda t: t),
                ('a kernel warning', lambda t: t, lambda t: t.replace(
                    '# guest checks done', 'WARNING: CPU: 1 PID: 9\n# guest checks done')),
                ('a mean of 0', lambda t: re.sub(r'unmap_100ns=\d+', 'unmap_100ns=0', t, count=1),
                 lambda t: t)):
            p = self.bench(before, after)
            self.assertNotEqual(p.returncode, 0, '%s passed:\n%s' % (what, p.stdout))
            self.assertIn('dma-map-bench: FAILED', p.stdout, what)


class Coverage(unittest.TestCase):
    """coverage.py: figures from real gcov data; broken data fails."""

    BASE = 'int f(int x)\n{\n\treturn x;\n}\n'
    # The series adds g(); main() calls g(1): "return 2;" never runs.
    SERIES = BASE + 'int g(int x)\n{\n\tif (x)\n\t\treturn 1;\n\treturn 2;\n}\n'

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='wb-coverage.')
        self.ktree = os.path.join(self.tmp, 'linux')
        os.makedirs(os.path.join(self.ktree, 'drivers/iommu'))
        src = os.path.join(self.ktree, 'drivers/iommu/iommu.c')
        write(src, self.BASE)
        # A file the series leaves alone, built into the same kernel.
        other = os.path.join(self.ktree, 'drivers/iommu/other.c')
        write(other, 'int h(void)\n{\n\treturn 0;\n}\n')
        git(self.ktree, 'init', '-q', '-b', 'main')
        git(self.ktree, 'add', '-A')
        git(self.ktree, 'commit', '-q', '-m', 'base')
        git(self.ktree, 'tag', 'base')
        write(src, self.SERIES)
        git(self.ktree, 'commit', '-q', '-a', '-m', 'series')
        # A "kernel" built out of tree, run once, as a guest would.
        self.objdir = os.path.join(self.tmp, 'out/x86_64')
        obj = os.path.join(self.objdir, 'drivers/iommu/iommu.o')
        oobj = os.path.join(self.objdir, 'drivers/iommu/other.o')
        os.makedirs(os.path.dirname(obj))
        main = os.path.join(self.tmp, 'main.c')
        write(main, 'int g(int x);\nint h(void);\nint main(void)\n{\n\treturn g(1) - 1 + h();\n}\n')
        for cmd in (['gcc', '-fprofile-arcs', '-ftest-coverage', '-c', src, '-o', obj],
                    ['gcc', '-fprofile-arcs', '-ftest-coverage', '-c', other, '-o', oobj],
                    ['gcc', '-fprofile-arcs', main, obj, oobj, '-o', os.path.join(self.tmp, 'kernel')],
                    [os.path.join(self.tmp, 'kernel')]):
            p = run(cmd, cwd=self.objdir)
            self.assertEqual(p.returncode, 0, p.stderr)
        # As the guest prints it, from a checkout elsewhere.
        self.log = ['# guest run 0123456789abcdef\n']
        total = 0
        for o in (obj, oobj):
            with open(o[:-2] + '.gcda', 'rb') as f:
                blob = f.read()
            self.log += ['[    9.000000] # gcov-file /elsewhere/build/out/x86_64/%s %d\n'
                         % (os.path.relpath(o[:-2] + '.gcda', self.objdir), len(blob))]
            self.log += ['# gcov-data %s\n' % blob[i:i + 96].hex() for i in range(0, len(blob), 96)]
            total += len(blob)
        self.log += ['ok 1 guest.gcov - 2 .gcda files, %d bytes printed\n' % total]
        write(os.path.join(self.tmp, 'result-mock.json'), '{"run_id": "0123456789abcdef"}')

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def coverage(self, log, target='50'):
        path = os.path.join(self.tmp, 'guest.log')
        write(path, ''.join(log))
        return run([sys.executable, os.path.join(TOP, 'scripts/coverage.py'), '--ktree', self.ktree,
                    '--out', os.path.join(self.tmp, 'coverage'), '--objdir', 'x86_64=' + self.objdir,
                    '--guest', 'mock:x86_64:' + path, '--target', target, '--results', self.tmp])

    def test_figure_and_uncovered_lines(self):
        p = self.coverage(self.log)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # g(): its lines 5, 7, 8 and 10 hold code; "return 2;" never ran.
        self.assertIn('IOMMU core 75.0% of 4', p.stdout)
        with open(os.path.join(self.tmp, 'coverage/uncovered.txt')) as f:
            self.assertIn('drivers/iommu/iommu.c:9: return 2;', f.read())
        self.assertTrue(os.path.exists(os.path.join(self.tmp, 'coverage/html/index.html')))

    def test_broken_data_fails(self):
        data = [i for i, line in enumerate(self.log) if 'gcov-data' in line]
        first = [i for i, line in enumerate(self.log) if 'gcov-file' in line]
        count = [i for i, line in enumerate(self.log) if 'guest.gcov' in line][0]
        for why, log, target in [
                ('printed no data of drivers/iommu/iommu', self.log[:first[0]] + self.log[first[1]:count]
                 + ['ok 1 guest.gcov - 1 .gcda files, %s bytes printed\n' % self.log[first[1]].split()[-1]],
                 '50'),
                ('the gcov check said 3 and', replace(self.log, r'- 2 \.gcda', '- 3 .gcda'), '50'),
                ('the gcov check said nothing', self.log[:count] + self.log[count + 1:], '50'),
                ('not the boot that was judged', replace(self.log, '0123456789abcdef', 'fedcba9876543210'),
                 '50'),
                ('gcov data cut short', self.log[:data[-1]], '50'),
                ('printed no gcov data', self.log[:1], '50'),
                ('could not read', self.log + ['# gcov-error /sys/kernel/debug/gcov/x.gcda\n'], '50'),
                ('matches 0 objects', replace(self.log, r'/iommu\.gcda', '/nothing.gcda'), '50'),
                ('not a gcov data file', self.log[:data[0]] + ['# gcov-data %s\n' % ('00' * 96)]
                 + self.log[data[0] + 1:], '50'),
                ('below the target 90%', self.log, '90')]:
            p = self.coverage(log, target)
            self.assertNotEqual(p.returncode, 0, '%s passed:\n%s' % (why, p.stdout))
            self.assertIn(why, p.stdout)


def run(cmd, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(cmd, env=e, capture_output=True, text=True, **kw)


GIT_ID = {'GIT_AUTHOR_NAME': 'selftest', 'GIT_AUTHOR_EMAIL': 'selftest@localhost',
          'GIT_COMMITTER_NAME': 'selftest', 'GIT_COMMITTER_EMAIL': 'selftest@localhost'}

# A stand-in for a kernel tree: a top Makefile that takes what build.sh
# and check.sh ask of the kernel's, a merge_config.sh, and one driver.
FAKE_MAKEFILE = '''\
O ?= .
allnoconfig:
\tcp $(KCONFIG_ALLCONFIG) $(O)/$(KCONFIG_CONFIG)
%/: FORCE
\tenv > $(O)/env.txt
\techo "ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE) KCFLAGS=$(KCFLAGS) CC=$(CC)" >> $(O)/env.txt
\tset -e; mkdir -p $(O)/$@; rm -f $(O)/$@built-in.a; for f in $@*.c; do \\
\t\to=$(O)/$${f%.c}.o; [ "$$o" -nt "$$f" ] || $(CC) -Wall -c $$f -o $$o; \\
\t\t(cd $(O) && ar cDPrST $@built-in.a $${f%.c}.o); done
FORCE:
.PHONY: FORCE
'''
FAKE_MERGE = '#!/bin/sh\n# merge_config.sh -m BASE FRAGMENT...\nshift\ncat "$@" > "$KCONFIG_CONFIG"\n'


def git(tree, *args):
    p = run(['git', '-C', tree] + list(args), env=GIT_ID)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def fake_tree(path, commits):
    """A git tree at PATH: base (tag "base") plus one commit per (subject,
    a.c) or (subject, {file in drivers/fake: text})."""
    os.makedirs(os.path.join(path, 'scripts/kconfig'))
    os.makedirs(os.path.join(path, 'drivers/fake'))
    write(os.path.join(path, 'Makefile'), FAKE_MAKEFILE)
    merge = os.path.join(path, 'scripts/kconfig/merge_config.sh')
    write(merge, FAKE_MERGE)
    os.chmod(merge, 0o755)
    src = os.path.join(path, 'drivers/fake/a.c')
    write(src, 'int fake(void) { return 0; }\n')
    # The rest of the kernel: what it exports.
    os.makedirs(os.path.join(path, 'kernel'))
    write(os.path.join(path, 'kernel/export.c'), 'int exported(void) { return 0; }\n'
          'EXPORT_SYMBOL_GPL(exported);\n')
    git(path, 'init', '-q', '-b', 'main')
    git(path, 'config', 'gc.auto', '0')
    git(path, 'add', '-A')
    git(path, 'commit', '-q', '-m', 'base')
    git(path, 'tag', 'base')
    for subject, text in commits:
        for name, t in (text.items() if isinstance(text, dict) else (('a.c', text),)):
            write(os.path.join(path, 'drivers/fake', name), t)
        git(path, 'add', '-A')
        git(path, 'commit', '-q', '-m', subject)


class PrefixConf(unittest.TestCase):
    """prefix_conf.py: a guest asked only for what a prefix of the series has."""

    def test_expectations_of_a_prefix(self):
        with tempfile.TemporaryDirectory() as tmp:
            t = os.path.join(tmp, 'linux')
            suite = 'static struct kunit_suite s = { .name = "fake-suite" };\n'
            fake_tree(t, [
                ('suite', suite + 'KUNIT_CASE(c_one),\n'),
                ('warn', suite + 'KUNIT_CASE(c_one),\nWARN(1, "PASID %u: not freed by me()");\n'),
                ('case', suite + 'KUNIT_CASE(c_one),\nWARN(1, "PASID %u: not freed by me()");\n'
                 'KUNIT_CASE_PARAM(c_two, gen),\n')])
            conf = os.path.join(tmp, 'g.conf')
            text = ('SUITES="fake-suite"\n'
                    'EXPECT_WARN="1|fake-suite.c_one|PASID 77: not freed by me()"\n'
                    'EXPECT_REPORT="2|fake-suite.c_two|dev: event 0x10"\n'
                    'EXPECT_QEMU="1|fake-suite|qemu says"\n')
            prefix_conf = os.path.join(TOP, 'scripts/prefix_conf.py')
            write(conf, text)
            got = []
            for n in range(4):
                c = git(t, 'rev-parse', 'HEAD~%d' % (3 - n))
                p = run([sys.executable, prefix_conf, conf, t, c])
                self.assertEqual(p.returncode, 0, p.stderr)
                cfg = dict(re.findall(r'^(\w+)="(.*)"$', p.stdout, re.M))
                got.append(tuple(bool(cfg[k]) for k in ('SUITES', 'EXPECT_WARN',
                                                        'EXPECT_REPORT', 'EXPECT_QEMU')))
            # base: nothing; the suite; its warning; its second case
            self.assertEqual(got, [(False, False, False, False), (True, False, False, True),
                                   (True, True, False, True), (True, True, True, True)])
            # Read as the shell reads it: single quotes are quotes.
            write(conf, text.replace('"', "'"))
            p = run([sys.executable, prefix_conf, conf, t, git(t, 'rev-parse', 'HEAD')])
            self.assertIn('SUITES="fake-suite"', p.stdout, p.stderr)
            # What the whole series lacks is a mistake, not a prefix's due.
            for bad in (text.replace('"fake-suite"', '"fake-suite other-suite"'),
                        text.replace('c_two', 'c_three')):
                write(conf, bad)
                p = run([sys.executable, prefix_conf, conf, t, git(t, 'rev-parse', 'HEAD~2')])
                self.assertNotEqual(p.returncode, 0, 'passed: ' + bad)


    def test_case_counts_of_a_prefix(self):
        # The false-pass hunt's: a case compiled out at a prefix (here
        # one under an #ifdef the guest's kernel lacks) must count.
        with tempfile.TemporaryDirectory() as tmp:
            t = os.path.join(tmp, 'linux')
            suite = ('static struct kunit_suite s = {\n\t.name = "fake-suite",\n'
                     '\t.test_cases = fake_cases,\n};\n')
            head = ('static struct kunit_case fake_cases[] = {\n\tKUNIT_CASE(c_one),\n'
                    '#ifdef CONFIG_X\n\tKUNIT_CASE(c_x),\n#endif\n%s\t{}\n};\n' + suite)
            moved = head.replace('#ifdef CONFIG_X', '#ifdef CONFIG_Y')
            fake_tree(t, [('suite', head % ''), ('ifdef moved', moved % ''),
                          ('case', moved % '\tKUNIT_CASE_PARAM(c_two, gen),\n')])
            conf = os.path.join(tmp, 'g.conf')
            prefix_conf = os.path.join(TOP, 'scripts/prefix_conf.py')
            write(conf, 'SUITES="fake-suite"\nKUNIT_CASES="fake-suite=2/5"\n')
            pins = []
            for n in range(3):
                p = run([sys.executable, prefix_conf, conf, t, git(t, 'rev-parse', 'HEAD~%d' % n)])
                self.assertEqual(p.returncode, 0, p.stderr)
                cfg = dict(re.findall(r'^(\w+)="(.*)"$', p.stdout, re.M))
                self.assertEqual(cfg['KUNIT_CASES_UNPINNED'], '1')
                pins.append(cfg['KUNIT_CASES'])
            # HEAD: the count without runs; before c_two: one case less;
            # where the conditional entries differ from HEAD's: no count.
            self.assertEqual(pins, ['fake-suite=2', 'fake-suite=1', ''])
            # A suite whose case array HEAD does not have is a mistake.
            write(conf, 'SUITES="fake-suite"\nKUNIT_CASES="fake-suite=2/5"\n')
            git(t, 'commit', '-q', '--allow-empty', '-m', 'empty')
            os.remove(os.path.join(t, 'drivers/fake/a.c'))
            write(os.path.join(t, 'drivers/fake/a.c'), 'static struct kunit_suite s = '
                  '{ .name = "fake-suite" };\nKUNIT_CASE(c_one),\n')
            git(t, 'commit', '-q', '-am', 'no array')
            p = run([sys.executable, prefix_conf, conf, t, git(t, 'rev-parse', 'HEAD')])
            self.assertNotEqual(p.returncode, 0, p.stdout)
            self.assertIn('no case array found for suite fake-suite', p.stderr)

    def test_prefix_pins_judged(self):
        # A prefix's pin without runs: the cases count, the runs do not.
        cfg = fixture_conf('vtd.conf', 'vtd')
        cut = dict(cfg, KUNIT_CASES_UNPINNED='1',
                   KUNIT_CASES=re.sub(r'\b(intel-iommu-pasid=\d+)/\d+', r'\1', cfg['KUNIT_CASES']))
        self.assertEqual(failures('vtd', fixture('vtd'), cfg=cut), [])
        fewer = dict(cut, KUNIT_CASES=re.sub(r'\bintel-iommu-pasid=(\d+)',
                                             lambda m: 'intel-iommu-pasid=%d' % (int(m.group(1)) + 1),
                                             cut['KUNIT_CASES']))
        self.assertEqual([f[1] for f in failures('vtd', fixture('vtd'), cfg=fewer)],
                         ['suite intel-iommu-pasid cases'])


class Workbench(unittest.TestCase):
    """The scripts, each in a build directory of its own (WB_BUILD)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='wb-selftest.')
        self.env = {'WB_BUILD': os.path.join(self.tmp, 'build')}
        os.makedirs(os.path.join(self.tmp, 'build/logs'))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def script(self, name, *args, env=None):
        e = dict(self.env)
        e.update(env or {})
        return run([os.path.join(TOP, 'scripts', name)] + list(args), env=e)

    def test_stale_log_without_a_kernel(self):
        logs = os.path.join(self.tmp, 'build/logs')
        with open(os.path.join(logs, 'guest-mock.log'), 'w') as f:
            f.writelines(fixture('mock'))
        write(os.path.join(logs, 'result-mock.json'),
              json.dumps({'guest': 'mock', 'passed': 27, 'failed': 0, 'tests': []}))
        p = self.script('guests.sh', 'mock')
        self.assertNotEqual(p.returncode, 0, 'a guest with no kernel passed:\n' + p.stdout)
        with open(os.path.join(logs, 'result-mock.json')) as f:
            r = json.load(f)
        self.assertGreater(r['failed'], 0, r)
        p = run([sys.executable, os.path.join(TOP, 'scripts/summary.py'), logs, 'mock'])
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertRegex(p.stdout, r'(?m)^0 passed, [1-9]\d* failed$')

    def test_boot_only_what_was_built(self):
        tree = os.path.join(self.tmp, 'build/linux')
        fake_tree(tree, [])
        out = os.path.join(self.tmp, 'build/out/x86_64')
        os.makedirs(os.path.join(out, 'arch/x86/boot'))
        write(os.path.join(out, 'arch/x86/boot/bzImage'), 'not a kernel')
        # lib.sh's build_stamp, computed here on its own.
        h = hashlib.sha256((git(tree, 'rev-parse', 'HEAD') + '\n').encode()
                           + git(tree, 'diff', 'HEAD').encode())
        for c in ('common', 'debug', 'x86_64'):
            with open(os.path.join(TOP, 'configs', c + '.config'), 'rb') as f:
                h.update(f.read())
        for built, series, why in (('0' * 64, None, 'not built from build/linux as it is now'),
                                   (h.hexdigest(), 'other',
                                    'patches/ changed since build/linux was made')):
            write(os.path.join(out, 'built'), built + '\n')
            if series:
                git(tree, 'config', 'workbench.series', series)
            p = self.script('boot.sh', 'mock', '5e1f7e57a11d0009')
            self.assertNotEqual(p.returncode, 0, p.stdout)
            self.assertIn(why, p.stderr)

    def test_summary(self):
        logs = os.path.join(self.tmp, 'build/logs')
        stages = os.path.join(logs, 'stages.jsonl')

        def summary(*guests):
            return run([sys.executable, os.path.join(TOP, 'scripts/summary.py'), logs] + list(guests))
        p = summary()
        self.assertNotEqual(p.returncode, 0, 'a run that counted nothing passed')
        with open(stages, 'w') as f:
            f.write('{"kind": "setup", "name": "install packages", "status": 0, "seconds": 1, "log": "x"}\n')
        p = summary()
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertRegex(p.stdout, r'(?m)^1 passed, 0 failed$')
        p = summary('mock')
        self.assertNotEqual(p.returncode, 0, 'a guest without a result passed')
        with open(stages, 'a') as f:
            f.write('{"kind": "static", "name": "bisect-x86_64", "status": 1, "seconds": 1, "log": "x"}\n')
        p = summary()
        self.assertNotEqual(p.returncode, 0, 'a failed static check passed')
        self.assertRegex(p.stdout, r'(?m)^1 passed, 1 failed$')
        # A line cut short, or of a kind no one knows, is a failure; the
        # verdict line still comes.
        for bad in ('{"kind": "static", "name": "bisect", "sta', '{"kind": "other", "status": 0}',
                    '{"kind": "static", "name": "x"}'):
            with open(stages, 'w') as f:
                f.write('{"kind": "setup", "name": "install packages", "status": 0, "seconds": 1, '
                        '"log": "x"}\n' + bad + '\n')
            p = summary()
            self.assertNotEqual(p.returncode, 0, p.stdout)
            self.assertRegex(p.stdout, r'(?m)^1 passed, 1 failed$', p.stdout + p.stderr)
        # A guest result with a test of no known kind, or none at all.
        with open(stages, 'w') as f:
            f.write('{"kind": "setup", "name": "install packages", "status": 0, "seconds": 1, "log": "x"}\n')
        # The false-pass hunt's: an "ok" that is no boolean, no tests,
        # counts that the tests do not give.
        t = {'kind': 'kunit', 'ok': True, 'name': 'x'}
        for r in ({'passed': 1, 'failed': 0, 'tests': [{'kind': 'odd', 'ok': True, 'name': 'x'}]},
                  {'passed': 1, 'failed': 0},
                  {'passed': 0, 'failed': 1, 'tests': [dict(t, ok='false')]},
                  {'passed': 0, 'failed': 0, 'tests': []},
                  {'passed': 5, 'failed': 3, 'tests': [t] * 5}):
            write(os.path.join(logs, 'result-mock.json'), json.dumps(r))
            p = summary('mock')
            self.assertRegex(p.stdout, r'(?m)^1 passed, 1 failed$', p.stdout + p.stderr)
        write(os.path.join(logs, 'result-mock.json'),
              json.dumps({'passed': 1, 'failed': 0, 'tests': [t]}))
        p = summary('mock')
        self.assertRegex(p.stdout, r'(?m)^2 passed, 0 failed$', p.stdout + p.stderr)
        # A status that is no number; a kind of stage the run must have.
        with open(stages, 'a') as f:
            f.write('{"kind": "static", "name": "x", "status": false, "seconds": 1, "log": "x"}\n')
        p = summary()
        self.assertRegex(p.stdout, r'(?m)^1 passed, 1 failed$', p.stdout + p.stderr)
        with open(stages, 'w') as f:
            f.write('{"kind": "setup", "name": "install packages", "status": 0, "seconds": 1, "log": "x"}\n')
        p = summary('--expect', 'setup')
        self.assertEqual(p.returncode, 0, p.stdout)
        p = summary('--expect', 'setup,build')
        self.assertRegex(p.stdout, r'(?m)^1 passed, 1 failed$', p.stdout + p.stderr)
        self.assertIn('no build stage was run', p.stdout)

    def bisect(self, commits, step='bisect-x86_64'):
        ktree = os.path.join(self.tmp, 'build/linux')
        fake_tree(ktree, commits)
        return self.script('check.sh', step, env={'KTREE': ktree})

    def test_bisect_catches_a_prefix_that_does_not_build(self):
        good = 'int fake(void) { return 1; }\n'
        broken = '#include "missing.h"\nint fake(void) { return 2; }\n'
        p = self.bisect([('good', good), ('broken', broken), ('fixed', good)])
        self.assertNotEqual(p.returncode, 0, 'a prefix with "fatal error:" built clean:\n' + p.stdout)
        self.assertIn('does not build on x86_64: broken', p.stdout)
        self.assertIn('fatal error', p.stdout)

    def test_bisect_passes_a_good_series(self):
        p = self.bisect([('one', 'int fake(void) { return 1; }\n'),
                         ('two', 'int fake(void) { return 2; }\n')], step='bisect')
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for arch in ('x86_64', 'arm64'):
            self.assertIn('bisect (%s, drivers/fake ): 2 of 2 prefixes build with no new W=1 '
                          'warning and link' % arch, p.stdout)

    def test_bisect_catches_a_prefix_that_does_not_link(self):
        # The false-pass hunt's: a prefix calls what a later one defines.
        # Every object compiles; the prefix would not link. What the tip
        # also needs from the rest of the kernel is defined there.
        # What the base exports may be called at one prefix only.
        p = self.bisect([('call', {'a.c': 'int later(void);\nint outside(void);\nint exported(void);\n'
                                   'int fake(void) { return later() + outside() + exported(); }\n'}),
                         ('define', {'a.c': 'int later(void);\nint outside(void);\n'
                                     'int fake(void) { return later() + outside(); }\n',
                                     'b.c': 'int later(void) { return 1; }\n'})], step='bisect')
        self.assertNotEqual(p.returncode, 0, 'a prefix that does not link passed:\n' + p.stdout)
        for arch in ('x86_64', 'arm64'):
            self.assertRegex(p.stdout, r'does not link on %s \(.*\): call\n    later '
                             r'\(drivers/fake/a\.o\)\n(?!    (outside|exported))' % arch)
            self.assertIn('bisect (%s, drivers/fake ): 1 of 2 prefixes' % arch, p.stdout)
        self.assertNotRegex(p.stdout, 'does not link on .*: define')

    def test_bisect_catches_a_new_warning(self):
        p = self.bisect([('warns', 'int fake(void) { int unused; return 1; }\n')])
        self.assertNotEqual(p.returncode, 0, 'a new warning passed:\n' + p.stdout)
        self.assertIn('new W=1 warnings on x86_64 after: warns', p.stdout)

    def test_bisect_keeps_the_warnings_of_objects_it_did_not_rebuild(self):
        # The build is incremental: after "other", a.o is not rebuilt, and
        # its warning must still count, as in a build from scratch.
        p = self.bisect([('warns', 'int fake(void) { int unused; return 1; }\n'),
                         ('other', {'b.c': 'int other(void) { return 2; }\n'}),
                         ('fixed', 'int fake(void) { return 1; }\n')])
        self.assertNotEqual(p.returncode, 0, 'a kept warning passed:\n' + p.stdout)
        self.assertIn('new W=1 warnings on x86_64 after: other', p.stdout)
        self.assertIn('builds clean on x86_64: fixed', p.stdout)

    def test_bisect_builds_both_architectures(self):
        # One prefix breaks arm64 only, another adds a warning on x86_64
        # only: each is named with its architecture, and the other
        # architecture's verdict on it stays clean.
        arm64_only = 'int fake(void) { return 1; }\n#ifdef __aarch64__\n#error arm64\n#endif\n'
        x86_only = 'int fake(void) {\n#ifdef __x86_64__\nint unused;\n#endif\nreturn 2; }\n'
        p = self.bisect([('arm64 breaks', arm64_only), ('x86 warns', x86_only),
                         ('fixed', 'int fake(void) { return 3; }\n')], step='bisect')
        self.assertNotEqual(p.returncode, 0, p.stdout)
        for line in ('does not build on arm64: arm64 breaks', 'builds clean on x86_64: arm64 breaks',
                     'new W=1 warnings on x86_64 after: x86 warns', 'builds clean on arm64: x86 warns',
                     'builds clean on x86_64: fixed', 'builds clean on arm64: fixed',
                     'bisect (x86_64, drivers/fake ): 2 of 3 prefixes',
                     'bisect (arm64, drivers/fake ): 2 of 3 prefixes'):
            self.assertIn(line, p.stdout, p.stdout + p.stderr)

    def test_sparse_step_fails_when_the_series_does_not_build(self):
        p = self.bisect([('broken', 'int fake(void) { return }\n')], step='sparse-x86_64')
        self.assertNotEqual(p.returncode, 0, 'a series that does not build passed:\n' + p.stdout)

    def test_environment_is_cleared(self):
        ktree = os.path.join(self.tmp, 'build/linux')
        fake_tree(ktree, [])
        polluted = {'KTREE': ktree, 'ARCH': 'arm64', 'SUBARCH': 'arm64',
                    'CROSS_COMPILE': 'bogus-', 'LLVM': '1', 'KCFLAGS': '-DPOLLUTED',
                    'KCONFIG_CONFIG': 'polluted.config', 'O': '/nonexistent',
                    'KBUILD_OUTPUT': '/nonexistent', 'CPATH': '/nonexistent',
                    'MAKEFLAGS': 'KCFLAGS=-DPOLLUTED', 'LC_ALL': 'de_DE.UTF-8',
                    'LANG': 'de_DE.UTF-8'}
        p = self.script('build.sh', 'x86_64', 'drivers/fake/', env=polluted)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(self.tmp, 'build/out/x86_64/env.txt')) as f:
            seen = f.read()
        for word in ('POLLUTED', 'arm64', 'bogus-', 'LLVM=', 'polluted.config',
                     'nonexistent', 'de_DE'):
            self.assertNotIn(word, seen, 'the user environment reached the build')
        self.assertIn('LC_ALL=C\n', seen)
        self.assertIn('ARCH=x86_64 ', seen)

    def test_settings_reach_the_scripts(self):
        # The clean environment keeps the README's settings: FROM reaches
        # prefix-guests.sh, which checks it before anything else.
        ktree = os.path.join(self.tmp, 'build/linux')
        fake_tree(ktree, [])
        p = self.script('prefix-guests.sh', env={'KTREE': ktree, 'FROM': 'x1'})
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn('FROM=x1: a patch number', p.stderr)

    def test_configuration_is_made_again_when_its_inputs_change(self):
        ktree = os.path.join(self.tmp, 'build/linux')
        fake_tree(ktree, [])
        config = os.path.join(self.tmp, 'build/out/x86_64/.config')

        def build():
            p = self.script('build.sh', 'x86_64', 'drivers/fake/', env={'KTREE': ktree})
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(config) as f:
                return f.read()
        made = build()
        self.assertIn('CONFIG_KUNIT=y', made)
        # An edited .config, and a Kconfig file the tree changes (here one
        # it adds, uncommitted, then committed): configured again.
        write(config, 'CONFIG_EDITED=y\n')
        self.assertEqual(build(), made, 'an edited .config was kept')
        kconfig = os.path.join(ktree, 'drivers/fake/Kconfig')
        merged = os.path.join(self.tmp, 'build/out/x86_64/fragments.config')
        write(kconfig, 'config FAKE\n\tbool "fake"\n')
        git(ktree, 'add', kconfig)
        git(ktree, 'commit', '-q', '-m', 'Kconfig')
        build()
        # Each step changes what only one of the inputs shows: the working
        # tree's edit, then a commit of new content.
        for step, commit in (('edited', False), ('committed', True)):
            write(kconfig, 'config FAKE\n\tbool "%s"\n' % step)
            if commit:
                git(ktree, 'commit', '-q', '-a', '-m', step)
                os.utime(merged, (0, 0))
                build()
                write(kconfig, 'config FAKE\n\tbool "%s again"\n' % step)
                git(ktree, 'commit', '-q', '-a', '-m', step)
            os.utime(merged, (0, 0))
            build()
            self.assertNotEqual(os.stat(merged).st_mtime, 0, 'a Kconfig change (%s) was not seen' % step)

    def test_one_command_at_a_time(self):
        lock = os.path.join(self.tmp, 'build/lock')
        with open(lock, 'a') as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            p = self.script('tree.sh')
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('another workbench command', p.stderr)

    def test_tree_leaves_a_foreign_tree_alone(self):
        mine = os.path.join(self.tmp, 'mine')
        os.makedirs(mine)
        write(os.path.join(mine, 'precious.c'), '/* mine */\n')
        p = self.script('tree.sh', env={'KTREE': mine})
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('not made by the workbench', p.stderr)
        self.assertEqual(os.listdir(mine), ['precious.c'])

    def test_tree_keeps_uncommitted_edits(self):
        ktree = os.path.join(self.tmp, 'build/linux')
        fake_tree(ktree, [('mine', 'int fake(void) { return 3; }\n')])
        git(ktree, 'config', 'workbench.tarball', 'another-base')
        git(ktree, 'config', 'workbench.applied', git(ktree, 'rev-parse', 'HEAD'))
        edit = os.path.join(ktree, 'drivers/fake/new.c')
        write(edit, '/* not yet committed */\n')
        p = self.script('tree.sh', env={'KTREE': ktree})
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn('uncommitted edits', p.stderr)
        self.assertTrue(os.path.exists(edit))
        os.remove(edit)
        git(ktree, 'commit', '-q', '--allow-empty', '-m', 'unexported')
        p = self.script('tree.sh', env={'KTREE': ktree})
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn('not in patches/', p.stderr)
        self.assertEqual(git(ktree, 'log', '-1', '--format=%s'), 'unexported')


class Citations(unittest.TestCase):
    """citations.py, which the checkpatch stage runs on the real series:
    the upstream commits it names against UPSTREAM-COMMITS."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.list = os.path.join(self.tmp, 'list')
        write(self.list, '# reviewed\n'
              '72f98ef9a4be30d2a60136dd6faee376f780d06c iommu: disable SVA when CONFIG_X86 is set\n'
              '201007ef707a PCI: Enable PASID only when ACS RR & UF enabled on upstream path\n')

    DIFF = '---\n drivers/x.c | 2 +-\ndiff --git a/drivers/x.c b/drivers/x.c\n'

    def patch(self, name, body, tail=DIFF, subject='iommu: x'):
        path = os.path.join(self.tmp, name)
        write(path, 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n'
              'Subject: [PATCH] %s\n\n' % subject + body + tail)
        return path

    GOOD = ('Since commit 201007ef707a ("PCI: Enable PASID only when ACS RR & UF enabled on\n'
            'upstream path") the core checks ACS.\n\n'
            'Fixes: 72f98ef9a4be ("iommu: disable SVA when CONFIG_X86 is set")\n'
            'Link: https://lore.kernel.org/r/20220607014942.3954894-1-x@y.z\n'
            'Signed-off-by: Seed 85555a6e maintainers <seed-85555a6e@example.org>\n')

    def findings(self, body, tail=DIFF, good=True, subject='iommu: x'):
        """citations.py's findings on a patch of BODY, cited beside a
        patch that cites both listed commits (GOOD) unless not GOOD; a
        TAIL without a diff makes it a cover letter."""
        paths = [self.patch('1.patch', body, tail, subject)]
        if good:
            paths.append(self.patch('2.patch', self.GOOD))
        return citations.check(self.list, paths)

    def test_the_series_cites_only_listed_commits(self):
        with open(os.path.join(TOP, 'patches', 'series')) as f:
            names = [l.split('#')[0].strip() for l in f]
        paths = [os.path.join(TOP, 'patches', n) for n in ['0000-cover-letter.patch'] + names if n]
        self.assertEqual(citations.check(os.path.join(TOP, 'UPSTREAM-COMMITS'), paths), [])

    def test_good_citations_pass(self):
        # The diff's own hex, people, message ids, words such as "added"
        # and the cover letter's base-commit are no citations.
        self.assertEqual(self.findings(self.GOOD, good=False), [])
        self.assertEqual(self.findings('That commit added a "faced" cc.\n'
                                       'Built with aarch64-linux-gnu-gcc.\n',
                                       self.DIFF + '+\tx = 0xdeadbeefcafe1;\n+\t/* deadbeef12 */\n'), [])
        cover = ('Upstream did this in (201007ef707a), later 72f98ef9a4be30d2 "iommu:\n'
                 '  disable SVA when CONFIG_X86 is set".\n\nABI\n---\n\nSeed 85555a6e maintainers (2):\n'
                 '  iommu: x\n\n')
        self.assertEqual(self.findings(cover, 'base-commit: 87319b76ebb3f53aa63aae3aa0ff7d4bdc936d4f\n',
                                       good=False), [])

    def test_a_digit_changed_fails(self):
        f = self.findings(self.GOOD.replace('72f98ef9a4be', '72f98ef9a4bf'), good=False)
        self.assertIn('72f98ef9a4bf is not in', f[0])
        self.assertIn('cited by no patch', f[1])
        self.assertEqual(len(f), 2)

    def test_an_id_must_start_a_listed_one(self):
        self.assertEqual(self.findings(self.GOOD.replace('72f98ef9a4be', '72f98ef9a4be30d2')
                                       .replace('201007ef707a', '201007ef707a'), good=False), [])
        for bad in ('72f98ef9a4be31', '72F98EF9A4BE', '72f98ef9a4b', '201007ef707a0'):
            f = self.findings('Fixes: %s ("iommu: disable SVA when CONFIG_X86 is set")\n' % bad)
            self.assertEqual(len(f), 1, (bad, f))

    def test_bad_forms_fail(self):
        # Each: an id that no list holds, or not written as an id.
        for body in ('Since commit 201007EF707B ("PCI: Enable PASID only when ACS RR & UF enabled on '
                     'upstream path")\n',
                     '1660370 ("iommu: Add attach/detach_dev_pasid iommu interface")\n',
                     'This reverts commit 201007ef70.\n',
                     'Link: https://git.kernel.org/torvalds/c/201007ef70\n',
                     'See https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=201007e\n',
                     'As v6.1-rc3-46-g16603704559d did.\n',
                     'Since commit 201007ef\n707a ("PCI: x").\n',
                     'The cover letter cites (201007ef707b).\n',
                     'See commit deadbeef0123 ("iommu: no such commit").\n'):
            f = self.findings(body)
            self.assertGreaterEqual(len(f), 1, (body, f))
            self.assertFalse([x for x in f if 'cited by no patch' in x], f)
        # A cover letter's "---" (a heading's underline) ends nothing.
        f = self.findings('ABI\n---\n\nSee commit deadbeef0123 ("iommu: no such commit").\n',
                          '\nbase-commit: 87319b76ebb3f53aa63aae3aa0ff7d4bdc936d4f\n')
        self.assertEqual(len(f), 1, f)

    def test_a_wrong_subject_fails(self):
        # Wrapped elsewhere: the same subject.
        self.assertEqual(self.findings(self.GOOD.replace('UF enabled on\nupstream', 'UF enabled\non upstream'),
                                       good=False), [])
        for body in (self.GOOD.replace('SVA when', 'SVA if'),
                     self.GOOD.replace('ACS RR & UF', 'ACS RR and UF'),
                     '201007ef707a: "PCI: Enable PASID only when ACS is on"\n',
                     '(201007ef707a \u201cPCI: Enable PASID only when ACS is on\u201d)\n',
                     '201007ef707a, "PCI: Enable PASID only when ACS is on"\n',
                     'Fixes: 72f98ef9a4be\n'):
            f = self.findings(body)
            self.assertEqual(len(f), 1, (body, f))
        f = self.findings(self.GOOD.replace('ACS RR & UF', 'ACS RR and UF'), good=False)
        self.assertIn('201007ef707a is "PCI: Enable PASID only when ACS RR & UF', f[0])

    def test_every_form_of_subject_is_checked(self):
        # The false-pass hunt's: subjects in single quotes or none.
        right = 'PCI: Enable PASID only when ACS RR & UF enabled on\n upstream path'
        for body in ('As in 201007ef707a (%s).\n', 'Needs 201007ef707a %s, in 6.2.\n',
                     "As in 201007ef707a ('%s').\n", 'As in 201007ef707a \u2018%s\u2019.\n'):
            self.assertEqual(self.findings(body % right), [], body)
            f = self.findings(body % 'PCI: Enable PASID always')
            self.assertEqual(len(f), 1, (body, f))
            self.assertIn('201007ef707a is "PCI: Enable PASID only', f[0])
        # An apostrophe is no quote.
        self.assertEqual(self.findings("201007ef707a's check, and 201007ef707a's test.\n"), [])

    def test_every_place_of_a_citation_is_read(self):
        # The false-pass hunt's: an id after a stable trailer's "#", a
        # line like a shortlog head or a base-commit: line in a patch's
        # message, in the Subject: header, or written in digits alone.
        for body, subject in (
                ('Cc: stable@vger.kernel.org # 6.1.x: 201007ef707b: PCI: Enable PASID always\n',
                 'iommu: x'),
                ('It partly reverts 201007ef707b in two places (2):\n', 'iommu: x'),
                ('base-commit: 0123\nAs 201007ef707b ("PCI: wrong") did.\n', 'iommu: x'),
                ('As upstream 123456789012 did.\n', 'iommu: x'),
                ('Text.\n', 'iommu: x, as\n upstream (since 72f98ef9a4bf)')):
            f = self.findings(body, subject=subject)
            self.assertEqual(len(f), 1, (body, subject, f))
            self.assertRegex(f[0], r'1\.patch:\d+: ', f)
        # People stay out of it: a name, an address.
        self.assertEqual(self.findings('Cc: Dead Beef 1234 <deadbeef1234@example.org>\n'), [])

    def test_an_uncited_entry_or_a_bad_line_fails(self):
        write(self.list, '72f98ef9a4be iommu: disable SVA when CONFIG_X86 is set\n'
              '72f98ef9a4be30d2 iommu: disable SVA when CONFIG_X86 is set\n'
              '72f98ef9a4 iommu: short\n')
        p = self.patch('1.patch', 'Fixes: 72f98ef9a4be ("iommu: disable SVA when CONFIG_X86 is set")\n')
        f = citations.check(self.list, [p])
        self.assertEqual(len(f), 2, f)
        write(self.list, '72f98ef9a4be iommu: disable SVA when CONFIG_X86 is set\n'
              '701fac40384f iommu/sva: Assign a PASID\n')
        f = citations.check(self.list, [p])
        self.assertEqual(f, [self.list + ': 701fac40384f ("iommu/sva: Assign a PASID") is cited by no patch'])

    def test_command_fails_on_a_finding(self):
        p = self.patch('1.patch', 'Fixes: 0123456789ab ("x")\n')
        r = run([sys.executable, os.path.join(TOP, 'scripts', 'citations.py'), self.list, p])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('0123456789ab is not in', r.stdout)


class DebianUpstream(unittest.TestCase):
    """debian_patches.py: an Applied-Upstream commit must be a listed one."""

    def test_applied_upstream_commits_are_listed(self):
        sys.path.insert(0, os.path.join(TOP, 'scripts'))
        import debian_patches
        listed = os.path.join(TOP, 'UPSTREAM-COMMITS')
        debian_patches.check_upstream(debian_patches.UPSTREAM, listed)
        for value in ('v6.2, commit:201007ef707b', 'v6.2, commit:201007ef70', 'v6.2',
                      'v6.2, commit:201007EF707A'):
            with self.assertRaises(SystemExit, msg=value):
                debian_patches.check_upstream({'PCI: x': value}, listed)


class Lint(unittest.TestCase):
    """The workbench's own scripts."""

    def test_shellcheck(self):
        scripts = sorted(os.path.join(TOP, 'scripts', f) for f in os.listdir(os.path.join(TOP, 'scripts'))
                         if f.endswith('.sh'))
        p = run(['shellcheck', '-S', 'warning', '-x', '-P', 'SCRIPTDIR'] + scripts)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_pyflakes(self):
        scripts = sorted(os.path.join(TOP, 'scripts', f) for f in os.listdir(os.path.join(TOP, 'scripts'))
                         if f.endswith('.py'))
        p = run(['pyflakes3'] + scripts)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
