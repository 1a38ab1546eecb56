#!/usr/bin/env python3
"""Judge one guest's console log.

Usage: results.py GUEST_CONF LOG --run-id ID --json OUT [--boot-status RC] [--demo]

Every KUnit case and every guest check is one test; so is each verdict on
the log as a whole. The guest fails on:
  - a failed or skipped case of an expected suite, an expected suite that
    did not run or ran fewer cases than it planned, a suite listed in
    SUITES or SKIPPED_SUITES whose cases (and, counting each parameter of
    a parameterised case, their runs) are not as many as KUNIT_CASES pins
    ("suite=CASES[/RUNS] ..."; every listed suite needs one, with RUNS if
    it has a parameterised case, unless KUNIT_CASES_UNPINNED=1 says the
    guest definition was cut down for a prefix of the series: then a
    suite may have no count, and a count no RUNS), a case or
    a parameter reported twice in one suite, an expectation or assertion
    failure printed for a case after that case's result line, or where no
    case's lines hold it (unindented, inside a WARN's dump), a suite whose result
    line or KUnit's own totals disagree with the cases parsed, a boot
    whose suites (those reported before the guest's checks began; a check
    may run one later) are not the ones KUnit planned;
  - a case of a suite that must skip here (SKIPPED_SUITES, with the reason
    it must give: it does not apply to this machine) that did not skip or
    skipped for another reason, or such a suite not run; a case that
    failed an expectation and then skipped counts as failed;
  - a failed or skipped case or a failed suite anywhere, expected or not
    (unexpected suites that pass are only noted);
  - a failed guest check, listed or not, and a listed check that did not run;
  - any kernel report in the log (WARN, BUG, KASAN, UBSAN, lockdep, RCU,
    stalls, soft and hard lockups, hung tasks, kmemleak, Oops, panic, stack
    dumps, IOMMU faults and errors) or QEMU error, except the warnings
    EXPECT_WARN names, matched by the KUnit case they happen in and their
    message, and counted exactly; no case may run after those cases, as
    the WARN_ONCE sites they hit are silent from then on; and except the
    QEMU messages EXPECT_QEMU names, matched by the KUnit suite (or
    suite.case) they come in and their text, and counted exactly (a suite
    that makes the emulated hardware fault on purpose), and the kernel
    messages EXPECT_REPORT names, matched the same way (a case that makes
    a faked device's driver report events on purpose);
  - a log that is not from this boot (its run id differs), a guest that did
    not finish, and a boot script that failed;
  - with KCSAN=yes: a KCSAN kernel that did not say it is on in strict mode,
    and a data-race report whose racing accesses either sit in a function
    of an object the series touches (--series-functions); reports in base
    code are listed as such, not failed.
Writes the result as JSON to OUT (summary.py reads it) and prints one line
per test, then "GUEST: N passed, N failed". Exits 1 if anything failed.
"""
import argparse
import json
import re
import shlex
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')
# The kernel prints its command line, which holds the run id, first thing;
# the guest's init prints it again.
RUN = re.compile(r'(?:^# guest run |\bwb\.run=)(\S+)')
SUBTEST = re.compile(r'^(\s*)# Subtest: (\S+)$')
PLAN = re.compile(r'^(\s*)1\.\.(\d+)$')
RESULT = re.compile(r'^(\s*)(not ok|ok) \d+ (\S+)(.*)$')
STATS = re.compile(r'^# (\S+): pass:(\d+) fail:(\d+) skip:(\d+) total:(\d+)$')
INFO = re.compile(r'^\s+# (\w+): (.*)$')
CUT = '------------[ cut here ]------------'
WARN_AT = re.compile(r'WARNING: CPU: \d+ PID: \d+ at (?:\S+:\d+ )?(\w+)')
END_TRACE = re.compile(r'---\[ end trace [0-9a-f]+ \]---')
REPORTS = re.compile(
    r'(WARNING:|BUG[: ]|KASAN:|UBSAN:|KCSAN:|Oops|kernel BUG|Kernel panic|'
    r'general protection fault|Unable to handle kernel|Internal error:|'
    r'unreferenced object 0x|suspected memory leak|'
    r'detected stalls|detected expedited stalls|self-detected stall|'
    r'soft lockup|hard LOCKUP|blocked for more than|workqueue lockup|'
    r'INFO: |possible recursive locking|circular locking|'
    r'inconsistent lock state|suspicious RCU usage|Call Trace:|Call trace:|'
    r'printk messages dropped|DMAR: \[DMA|DMAR: DRHD: handling fault|PRQ|'
    r'DMAR: VT-d detected|Invalidation Queue Error|Invalidation Time-out|'
    r'arm-smmu-v3.* event 0x|CMD_SYNC timeout|CMDQ error|CMDQ timeout|gerror|'
    r'global error|Service Failure Mode|[EP][VR][TI]Q overflow|events lost|'
    r'events may have been lost|I/O error|qemu-system-\w+: )')
# The lines of a WARN's own dump, each once; anything else inside it, or a
# second one of them (another CPU's dump), is judged.
DUMP = re.compile(r'^(Call Trace:|Call trace:|CPU: \d+ PID:|Modules linked in)')
DONE = re.compile(r'^# guest checks done: (\d+) run, (\d+) failed')
# The guest's init starts its checks; a suite reported after this ran on a
# check's request (iommu-failnth), outside KUnit's boot-time plan.
CHECKS_START = '# guest checks'
# The coverage data the "gcov" check prints (scripts/coverage.py reads it);
# a line that is not exactly this is judged like any other.
GCOV_LINE = re.compile(r'^# gcov-(?:data [0-9a-f]+|file /\S+\.gcda \d+)$')
POWER_DOWN = re.compile(r'^reboot: Power down$')
# A kselftest program the guest's init ran ("kselftest:PROG" check): its
# output comes prefixed, between a start and an exit line.
KSFT_START = re.compile(r'^# kselftest (\S+) start$')
KSFT_EXIT = re.compile(r'^# kselftest (\S+) exit (.+)$')
KSFT_LINE = re.compile(r'^kselftest (\S+): (.*)$')
# Inside a program's output: the kselftest harness's TAP. A skipped test's
# line carries no name; the "RUN" line before it has it.
K_PLAN = re.compile(r'^1\.\.(\d+)$')
K_RUN = re.compile(r'^#\s+RUN\s+(\S+) \.\.\.$')
K_RESULT = re.compile(r'^(not ok|ok) (\d+)(?: (.*))?$')
K_TOTALS = re.compile(r'^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) '
                      r'skip:(\d+) error:(\d+)$')
# A KUnit case that failed an expectation and then skipped prints "ok".
FAILED_EXPECT = re.compile(r'^(EXPECTATION|ASSERTION) FAILED')
# The same wherever it is printed: inside a WARN's dump, unindented, in
# the middle of another line (another CPU's output glued to it). Each must
# be one that a case's lines hold, so a test must not print this text in
# its own messages.
FAILED_ANYWHERE = re.compile(r'(?:EXPECTATION|ASSERTION) FAILED at .*$')
KCSAN_BUG = re.compile(r'BUG: KCSAN: (.*)$')
KCSAN_ACCESS = re.compile(r'^(?:race at unknown origin, with )?(?:read|write|assert no \w+)\S*\b.* to 0x')
KCSAN_FRAME = re.compile(r'^\s*(?:\? )?([\w.]+)\+0x[0-9a-f]+/0x[0-9a-f]+')
KCSAN_END = re.compile(r'^={20,}$')
# The other lines of a KCSAN report; anything else inside one is judged.
KCSAN_OWN = re.compile(r'^(|value changed: .*|Reported by Kernel Concurrency Sanitizer on:|'
                       r'CPU: \d+ PID: \d+ Comm: .*|Hardware name: .*)$')
KCSAN_TITLE = re.compile(r' in ([\w.]+)(?: / ([\w.]+))?$')
KCSAN_ON = ('kcsan: enabled early', 'kcsan: strict mode configured')
# What the debug kernel (a guest without KERNEL=) prints when its checkers
# are on; kmemleak's own check finds out whether it is.
DEBUG_ON = (('KASAN', 'KernelAddressSanitizer initialized'),
            ('lockdep', 'Lock dependency validator'),
            ('PROVE_RCU', 'RCU lockdep checking is enabled'))


def read_conf(path):
    """The KEY=VALUE lines of a guest definition, shell-unquoted."""
    vals = {}
    with open(path) as f:
        lines = f.readlines()
    for line in lines:
        m = re.match(r'^(\w+)=(.*)$', line.strip())
        if m:
            vals[m.group(1)] = ' '.join(shlex.split(m.group(2)))
    return vals


def skipped_suites(spec):
    """SKIPPED_SUITES="suite|reason[;...]" -> {suite: reason}."""
    out = {}
    for item in filter(None, (s.strip() for s in spec.split(';'))):
        parts = item.split('|', 1)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise ValueError('SKIPPED_SUITES item %r is not "suite|reason"' % item)
        out[parts[0]] = parts[1]
    return out


def kunit_pins(spec):
    """KUNIT_CASES="suite=CASES[/RUNS] ..." -> {suite: (cases, runs or None)}."""
    out = {}
    for item in spec.split():
        m = re.match(r'^([\w-]+)=(\d+)(?:/(\d+))?$', item)
        if not m or m.group(1) in out:
            raise ValueError('KUNIT_CASES item %r is not "suite=CASES[/RUNS]", or repeats a suite'
                             % item)
        out[m.group(1)] = (int(m.group(2)), int(m.group(3)) if m.group(3) else None)
    return out


def expected_warnings(spec):
    """EXPECT_WARN="N|suite.case|message[;...]" -> [(suite.case, message, N)]."""
    out = []
    for item in filter(None, (s.strip() for s in spec.split(';'))):
        parts = item.split('|', 2)
        if len(parts) != 3 or not parts[0].isdigit() or '.' not in parts[1] or not parts[2]:
            raise ValueError('EXPECT_WARN item %r is not "N|suite.case|message"' % item)
        out.append((parts[1], parts[2], int(parts[0])))
    return out


def kselftest_skips(spec):
    """KSELFTEST_SKIP="DIR/PROG|reason[;...]" -> {prog: reason}."""
    out = {}
    for item in filter(None, (s.strip() for s in spec.split(';'))):
        parts = item.split('|', 1)
        if len(parts) != 2 or '/' not in parts[0] or not parts[1]:
            raise ValueError('KSELFTEST_SKIP item %r is not "DIR/PROG|reason"' % item)
        out[parts[0]] = parts[1]
    return out


def kselftest_counts(spec):
    """KSELFTEST_TESTS="DIR/PROG=N[;...]" -> {prog: N}."""
    out = {}
    for item in filter(None, (s.strip() for s in spec.split(';'))):
        m = re.match(r'^(\S+/\S+)=([1-9]\d*)$', item)
        if not m:
            raise ValueError('KSELFTEST_TESTS item %r is not "DIR/PROG=N", N > 0' % item)
        out[m.group(1)] = int(m.group(2))
    return out


class Kselftest:
    """What one kselftest program printed, as the guest's init relayed it."""

    def __init__(self):
        self.started = False
        self.exit = None     # "0", "1", "signal 9", "timeout", ...
        self.plan = None
        self.results = []   # (number, name, status, reason); status ok/not ok/skip
        self.totals = None  # (pass, fail, xfail, xpass, skip, error)
        self.run = None     # the test the harness announced last
        self.said = []      # what the harness printed since that test began

    def line(self, text):
        m = K_PLAN.match(text)
        if m and self.plan is None:
            self.plan = int(m.group(1))
            return
        m = K_RUN.match(text)
        if m:
            self.run = m.group(1)
            self.said = []
            return
        m = K_RESULT.match(text)
        if m:
            status, num, rest = m.group(1), int(m.group(2)), m.group(3) or ''
            if rest.startswith('# SKIP'):
                self.results.append((num, self.run or '?', 'skip' if status == 'ok' else status,
                                     rest[len('# SKIP'):].strip()))
            else:
                # A failed test's own lines ("file:line:test:Expected ...")
                # say why: the last few go with its verdict.
                said = [t[2:] for t in self.said if t.startswith('# ') and
                        not t.lstrip('# ').startswith(('OK ', 'FAIL '))]
                self.results.append((num, rest.strip(), status,
                                     ' | '.join(said[-6:]) if status == 'not ok' else ''))
            self.run = None
            self.said = []
            return
        if self.run:
            self.said.append(text)
        m = K_TOTALS.match(text)
        if m:
            self.totals = tuple(int(x) for x in m.groups())


def expected_in_suite(spec, key='EXPECT_QEMU'):
    """KEY="N|suite[.case]|message[;...]" -> [(suite[.case], message, N)]."""
    out = []
    for item in filter(None, (s.strip() for s in spec.split(';'))):
        parts = item.split('|', 2)
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1] or not parts[2]:
            raise ValueError('%s item %r is not "N|suite[.case]|message"' % (key, item))
        out.append((parts[1], parts[2], int(parts[0])))
    return out


class Log:
    """What one console log says, parsed once."""

    def __init__(self, lines, kcsan=False):
        self.run_ids = []
        self.kcsan = []      # KCSAN reports: [title, [[frames] per access]]
        self.kcsan_on = set()   # the KCSAN_ON lines the kernel printed
        self.suites = {}     # suite -> [(case, status, rest)]
        self.plans = {}      # suite -> cases its plan announced
        self.suite_ok = {}   # suite -> its own result line said ok
        self.stats = {}      # suite -> (pass, fail, skip, total) of its cases
        self.totals = {}     # suite -> the same, over parameters ("# Totals:")
        self.params = {}     # (suite, case) -> [status] of a parameterised case
        self.param_names = {}  # (suite, case) -> [name] of its parameters
        self.failed_lines = []  # every expectation or assertion failure printed
        param_case = None    # the parameterised case being read
        self.top_plan = None
        self.late = set()    # suites run after the boot-time ones, by a check
        checks_started = False
        self.infos = {}      # (suite, case) -> info lines
        self.infos_judged = {}  # (suite, case) -> infos there at its result
        self.order = []      # every case, as suite.case, in the order reported
        self.checks = []     # (name, ok, detail)
        self.warns = []      # (function, message, suite.case or None)
        self.reports = []
        self.report_suites = []   # per report line: the suite open then, or None
        self.report_cases = []    # per report line: its suite.case, or None
        self.report_at = []  # per report line: (suite, cases done) if in a suite
        self.open_suite = None
        self.finished = False
        self.done = None     # (run, failed) as the guest's init counted them
        self.kselftests = {}  # program -> Kselftest
        suite = None
        suite_open = False   # between a suite's "# Subtest:" and its result
        in_warn = None       # message lines of the WARN being read
        warn_body = False    # inside a WARN's dump, up to its end trace
        warn_at = []         # per WARN: (suite, cases done) if in a suite
        dumped = set()       # the DUMP lines the current WARN has shown
        in_kcsan = None      # the KCSAN report being read
        for raw in lines:
            line = TS.sub('', raw.rstrip('\r\n'))
            m = FAILED_ANYWHERE.search(line)
            if m:
                self.failed_lines.append(m.group(0))
            if kcsan:
                # A KCSAN report is judged by where its accesses are, as a
                # whole, not line by line.
                for on in KCSAN_ON:
                    if on in line:
                        self.kcsan_on.add(on)
                m = KCSAN_BUG.search(line)
                if m:
                    in_kcsan = [m.group(1), []]
                    self.kcsan.append(in_kcsan)
                    continue
                if in_kcsan is not None:
                    own = line.strip()
                    if KCSAN_END.match(own):
                        in_kcsan = None
                        continue
                    if KCSAN_ACCESS.match(own):
                        in_kcsan[1].append([])
                        continue
                    if in_kcsan[1] and KCSAN_FRAME.match(line):
                        in_kcsan[1][-1].append(KCSAN_FRAME.match(line).group(1))
                        continue
                    if KCSAN_OWN.match(own):
                        continue
            if line == CUT:
                in_warn, warn_body = [], False
                continue
            if in_warn is not None and not warn_body:
                m = WARN_AT.search(line)
                if m:
                    self.report_in(line[:m.start()] + line[m.end():])
                    self.warns.append((m.group(1), ' '.join(in_warn)))
                    warn_at.append((suite, len(self.suites[suite])) if suite_open else None)
                    warn_body, dumped = True, set()
                    continue
                if not REPORTS.search(line):
                    in_warn.append(line.strip())
                    continue
                in_warn = None      # a cut line that no WARNING followed
            if warn_body:
                d = DUMP.search(line.strip())
                kind = d and d.group(1)[:3].lower()   # cal, cpu, mod
                e = END_TRACE.search(line)
                if e:
                    self.report_in(line[:e.start()] + line[e.end():])
                    in_warn, warn_body = None, False
                elif d and kind not in dumped:
                    dumped.add(kind)
                    self.report_in(line.strip()[d.end():])
                elif REPORTS.search(line) or d:
                    self.reports.append(line.strip())
                    self.report_suites.append(self.open_suite)
                    self.report_at.append(self.cases_done())
                continue
            if GCOV_LINE.match(line):
                continue
            if line == CHECKS_START:
                checks_started = True
            # Before any other parsing: a report printed into the middle of
            # a line the parser also reads (a result, a check) still counts.
            self.report_in(line)
            m = KSFT_LINE.match(line)
            if m:
                self.kselftests.setdefault(m.group(1), Kselftest()).line(m.group(2))
                continue
            m = KSFT_START.match(line)
            if m:
                self.kselftests.setdefault(m.group(1), Kselftest()).started = True
                continue
            m = KSFT_EXIT.match(line)
            if m:
                self.kselftests.setdefault(m.group(1), Kselftest()).exit = m.group(2)
                continue
            m = RUN.search(line)
            if m:
                self.run_ids.append(m.group(1))
                continue
            m = SUBTEST.match(line)
            if m and m.group(1) and suite_open:
                # A parameterised case: its parameters nest one level down.
                param_case = m.group(2)
                self.params[(suite, param_case)] = []
                self.param_names[(suite, param_case)] = []
                continue
            if m:
                suite, suite_open = m.group(2), True
                self.open_suite = suite
                self.suites.setdefault(suite, [])
                if checks_started:
                    self.late.add(suite)
                continue
            m = PLAN.match(line)
            if m:
                if not m.group(1):
                    self.top_plan = int(m.group(2))
                elif suite and suite not in self.plans:
                    self.plans[suite] = int(m.group(2))
                continue
            m = RESULT.match(line)
            if m and param_case and len(m.group(1)) > 4:
                status, rest = m.group(2), m.group(4)
                self.params[(suite, param_case)].append(
                    'skip' if status == 'ok' and '# SKIP' in rest else status)
                # KUnit's get_desc must give each parameter its own name.
                self.param_names[(suite, param_case)].append(
                    re.sub(r'\s+# SKIP\b.*$', '', m.group(3) + rest))
                continue
            if m:
                indent, status, name, rest = m.groups()
                param_case = None
                if not indent and name.startswith('guest.'):
                    self.checks.append((name[6:], status == 'ok', rest.lstrip(' -')))
                elif not indent:
                    self.suite_ok[name] = status == 'ok'
                    suite_open = False
                    self.open_suite = None
                elif suite:
                    # "not ok # SKIP" is not a skip: KUnit 6.1 never prints it.
                    skip = status == 'ok' and '# SKIP' in rest
                    infos = self.infos.get((suite, name), [])
                    self.infos_judged[(suite, name)] = len(infos)
                    failed = any(FAILED_EXPECT.match(i) for i in infos)
                    if failed:
                        status, rest = 'not ok', rest + ' (an expectation failed)'
                    self.suites[suite].append((name, 'skip' if skip and not failed else status, rest))
                    self.order.append('%s.%s' % (suite, name))
                continue
            m = STATS.match(line)
            if m:
                # 6.1 prints "# Totals:" after each suite's own line.
                counts = tuple(int(x) for x in m.groups()[1:])
                if m.group(1) == 'Totals':
                    self.totals[suite] = counts
                else:
                    self.stats[m.group(1)] = counts
                continue
            m = INFO.match(line)
            if m and suite:
                self.infos.setdefault((suite, m.group(1)), []).append(m.group(2))
                continue
            m = DONE.match(line)
            if m:
                self.done = (int(m.group(1)), int(m.group(2)))
            # Finished: the checks ran to their end, then the kernel shut
            # down cleanly (QEMU runs with -no-reboot: a reset exits it too).
            if self.done and POWER_DOWN.match(line):
                self.finished = True
        # A case's output comes before its result line: a WARN belongs to
        # the first case of its suite that had not reported yet.
        for i, at in enumerate(warn_at):
            self.warns[i] += (self.case_at(at),)
        self.report_cases = [self.case_at(at) for at in self.report_at]

    def stray_failures(self):
        """[(suite.case, line)]: expectation and assertion failures printed
        after their case's result line (by a thread or work that outlived
        the case), or for a case that never reported."""
        out = []
        for (suite, case), infos in sorted(self.infos.items()):
            for text in infos[self.infos_judged.get((suite, case), 0):]:
                if FAILED_EXPECT.match(text):
                    out.append(('%s.%s' % (suite, case), text))
        return out

    def unattributed_failures(self):
        """[line]: expectation and assertion failures printed where no
        case's lines hold them (inside a WARN's dump, unindented)."""
        held = {}
        for infos in self.infos.values():
            for text in infos:
                if FAILED_EXPECT.match(text):
                    held[text] = held.get(text, 0) + 1
        out = []
        for text in self.failed_lines:
            if held.get(text):
                held[text] -= 1
            else:
                out.append(text)
        return out

    def case_at(self, at):
        """The suite.case that (suite, cases done) was in, or None."""
        if at and at[1] < len(self.suites.get(at[0], [])):
            return '%s.%s' % (at[0], self.suites[at[0]][at[1]][0])
        return None

    def cases_done(self):
        """(open suite, its cases reported so far), or None."""
        s = self.open_suite
        return (s, len(self.suites.get(s, []))) if s else None

    def report_in(self, text):
        """Note TEXT as a report line if it holds a kernel report."""
        if REPORTS.search(text):
            self.reports.append(text.strip())
            self.report_suites.append(self.open_suite)
            self.report_at.append(self.cases_done())


def judge_kselftests(cfg, log, add):
    """One test per kselftest result, and the program's run as a whole."""
    progs = [c.split(':', 1)[1] for c in cfg.get('CHECKS', '').split()
             if c.startswith('kselftest:')]
    skips = kselftest_skips(cfg.get('KSELFTEST_SKIP', ''))
    counts = kselftest_counts(cfg.get('KSELFTEST_TESTS', ''))
    extra = sorted((set(skips) | set(counts)) - set(progs))
    if extra:
        raise ValueError('KSELFTEST_SKIP or _TESTS names %s, which no kselftest check runs'
                         % extra[0])
    if set(progs) - set(counts):
        raise ValueError('KSELFTEST_TESTS gives no test count for %s'
                         % sorted(set(progs) - set(counts))[0])
    # A case that warned on purpose silences WARN_ONCE sites that the
    # selftests must prove unreachable from userspace.
    if progs and cfg.get('EXPECT_WARN'):
        raise ValueError('kselftest checks in a guest with EXPECT_WARN')
    for prog in progs + sorted(set(log.kselftests) - set(progs)):
        k = log.kselftests.get(prog)
        if prog not in progs:
            add('kselftest', False, prog, 'ran, but no check here runs it')
            continue
        if k is None or not k.started or k.exit is None:
            add('kselftest', False, '%s ran' % prog,
                'never started' if k is None or not k.started else 'no exit line')
            continue
        add('kselftest', k.exit == '0', '%s exit' % prog, 'exit ' + k.exit)
        nums = [r[0] for r in k.results]
        # Its own plan, and the number of tests the program has: a test
        # that stopped being registered is a failure, not a smaller run.
        add('kselftest', k.plan == counts[prog] and nums == list(range(1, k.plan + 1)),
            '%s plan' % prog, 'planned %s of %d, reported %d' % (k.plan, counts[prog], len(nums))
            if nums == list(range(1, len(nums) + 1)) else
            'planned %s, reported numbers %s' % (k.plan, nums))
        parsed = tuple(sum(1 for r in k.results if r[2] == st) for st in ('ok', 'not ok', 'skip'))
        said = k.totals and (k.totals[0], k.totals[1], k.totals[4])
        odd = k.totals and any(k.totals[i] for i in (2, 3, 5))    # xfail, xpass, error
        add('kselftest', said == parsed and not odd,
            '%s totals' % prog, 'the harness says %s, parsed pass:fail:skip %s'
            % (':'.join(map(str, k.totals)) if k.totals else 'nothing',
               ':'.join(map(str, parsed))))
        for num, name, status, reason in k.results:
            if prog in skips:
                ok = status == 'skip' and skips[prog] == reason
                add('kselftest', ok, '%s: %s skips' % (prog, name), reason if ok else
                    'skipped, but not because "%s": %s' % (skips[prog], reason)
                    if status == 'skip' else status + ': ran where it does not apply')
            else:
                add('kselftest', status == 'ok', '%s: %s' % (prog, name),
                    '' if status == 'ok' else 'skipped: ' + reason if status == 'skip'
                    else status + (' -- ' + reason if reason else ''))


def judge(cfg, lines, run_id, boot_status=0, demo=False, series_functions=None):
    """[(kind, name, ok, detail)] for one guest's log; kind: kunit, kselftest or check."""
    kcsan = cfg.get('KCSAN') == 'yes'
    if kcsan and not series_functions:
        raise ValueError('KCSAN=yes needs the functions of the series (--series-functions)')
    log = Log(lines, kcsan)
    tests = []

    def add(kind, ok, name, detail=''):
        tests.append((kind, name, bool(ok), detail))

    # The log must be this boot's, or nothing in it counts.
    ids = set(log.run_ids)
    if ids != {run_id}:
        add('check', False, 'log of this boot',
            'run id %s in the log, expected %s: an empty, stale or foreign log'
            % (', '.join(sorted(ids)) or 'missing', run_id))
        return tests
    add('check', boot_status == 0, 'boot',
        'QEMU ran and exited' if boot_status == 0 else
        'the boot script failed (status %d): see the boot log' % boot_status)

    expected = cfg.get('SUITES', '').split()
    skipping = skipped_suites(cfg.get('SKIPPED_SUITES', ''))
    both = set(expected) & set(skipping)
    if both:
        raise ValueError('suites both expected and skipped: %s' % ', '.join(sorted(both)))
    counts = {}
    listed = expected + sorted(skipping)
    # A case compiled out (a wrong #ifdef) also leaves KUnit's own plan and
    # totals one short: only a count fixed in the guest definition sees it.
    pins = kunit_pins(cfg.get('KUNIT_CASES', ''))
    if cfg.get('KUNIT_CASES_UNPINNED') != '1':
        unpinned = [s for s in listed if s not in pins]
        if unpinned:
            raise ValueError('KUNIT_CASES pins no count for %s' % ', '.join(unpinned))
    stale = sorted(set(pins) - set(listed))
    if stale:
        raise ValueError('KUNIT_CASES pins %s, which SUITES and SKIPPED_SUITES do not list'
                         % ', '.join(stale))
    for s in listed + sorted(set(log.suites) - set(listed)):
        cases = log.suites.get(s)
        if not cases:
            add('kunit', False, 'suite %s' % s, 'did not run' if cases is None else 'has no cases')
            continue
        c = counts.setdefault(s, [0, 0, 0])
        over = [0, 0, 0]     # the same, counting each parameter
        for name, status, rest in cases:
            c[['ok', 'not ok', 'skip'].index(status)] += 1
            # 6.1 prints the parameters of a skipped case as "ok" and
            # counts them as skipped.
            params = log.params.get((s, name)) or [status]
            for st in params if status != 'skip' else ['skip'] * len(params):
                over[['ok', 'not ok', 'skip'].index(st)] += 1
            if s in skipping:
                why = rest.split('# SKIP', 1)[-1].strip()
                ok = status == 'skip' and skipping[s] in why
                add('kunit', ok, '%s.%s skips' % (s, name),
                    why if ok else status + rest +
                    (': skipped, but not because "%s"' % skipping[s] if status == 'skip'
                     else ': ran where it does not apply'))
                continue
            # A skip fails wherever SKIPPED_SUITES does not name it, and a
            # case whose parameter failed or skipped fails, whatever its
            # own line says.
            odd = [i + 1 for i, p in enumerate(log.params.get((s, name), []))
                   if p != 'ok'] if status == 'ok' else []
            bad = status != 'ok' or bool(odd)
            if s in expected or bad:
                add('kunit', not bad, '%s.%s' % (s, name),
                    '' if not bad else status + rest if status != 'ok' else
                    'ok, but not parameter %s' % ', '.join(map(str, odd)))
            if demo and s in expected:
                for info in log.infos.get((s, name), []):
                    tests.append(('info', info, True, ''))
        if s in pins:
            # A suite with a parameterised case pins its runs too.
            # (Cut down for a prefix, a pin without runs leaves them free.)
            want_cases, want_runs = pins[s]
            free = want_runs is None and cfg.get('KUNIT_CASES_UNPINNED') == '1'
            add('kunit', len(cases) == want_cases and (free or want_runs in (
                None if sum(over) == len(cases) else (), sum(over))),
                'suite %s cases' % s,
                '%d cases, %d runs counting each parameter; KUNIT_CASES pins %d%s'
                % (len(cases), sum(over), want_cases,
                   ' and %d runs' % want_runs if want_runs is not None else
                   ' and no runs' if sum(over) != len(cases) else ''))
        # A case or parameter reported twice stands in for another.
        names = [name for name, _, _ in cases]
        twice = sorted(n for n in set(names) if names.count(n) > 1)
        for name in sorted(set(names)):
            pnames = log.param_names.get((s, name), [])
            twice += sorted('%s(%s)' % (name, p) for p in set(pnames) if pnames.count(p) > 1)
        if twice:
            add('kunit', False, 'suite %s case names' % s, 'reported twice: ' + ', '.join(twice))
        if s not in listed and all(st == 'ok' for _, st, _ in cases):
            tests.append(('note', 'suite %s ran but is not expected here' % s, True, ''))
        # A suite cut short (crash, hang) reports fewer cases than planned.
        missing = log.plans.get(s, len(cases)) - len(cases)
        if missing:
            add('kunit', False, 'suite %s' % s,
                '%d planned cases never reported' % missing)
        if s in log.suite_ok or s in listed:
            ok = log.suite_ok.get(s)
            add('kunit', ok, 'suite %s result' % s,
                {True: 'ok', False: 'not ok', None: 'no result line'}[ok])
        # KUnit's own counts must agree with what was parsed: the suite's
        # line counts cases, its totals count each parameter of a
        # parameterised case. 6.1 prints them only for a suite of more
        # than one case.
        st, tot = log.stats.get(s), log.totals.get(s)
        want = (c[0], c[1], c[2], sum(c))
        want_tot = (over[0], over[1], over[2], sum(over))
        if sum(c) <= 1 and st is None and tot is None:
            pass
        elif st is not None or tot is not None or s in listed:
            fmt = lambda t: ':'.join(map(str, t)) if t else 'nothing'  # noqa: E731
            add('kunit', st == want and tot == want_tot, 'suite %s totals' % s,
                'KUnit says pass:fail:skip:total %s (totals %s), parsed %s (totals %s)'
                % (fmt(st), fmt(tot), fmt(want), fmt(want_tot)))
    for where, text in log.stray_failures():
        add('kunit', False, where, 'failed after its result line, or never reported: ' + text)
    for text in log.unattributed_failures():
        add('kunit', False, 'KUnit failure line', 'printed where no case holds it: ' + text)
    # A suite that failed before its header (suite_init) has a result only.
    for s in sorted(set(log.suite_ok) - set(log.suites)):
        add('kunit', log.suite_ok[s], 'suite %s result' % s,
            'ok' if log.suite_ok[s] else 'not ok, and it reported no case')
    if log.suites or log.suite_ok or log.top_plan is not None:
        ran = len((set(log.suites) | set(log.suite_ok)) - log.late)
        add('kunit', log.top_plan == ran, 'KUnit plan',
            'KUnit planned %s suites at boot, %d reported' % (log.top_plan, ran))

    judge_kselftests(cfg, log, add)

    listed = list(dict.fromkeys(c.split(':')[0] for c in cfg.get('CHECKS', '').split()))
    got = {}
    for name, ok, detail in log.checks:
        got.setdefault(name, []).append((ok, detail))
    for name in listed + sorted(set(got) - set(listed)):
        for ok, detail in got.get(name, [(False, 'did not run')]):
            add('check', ok, 'check %s' % name, detail)

    want = expected_warnings(cfg.get('EXPECT_WARN', ''))
    seen = [0] * len(want)
    unexpected = []
    for fn, msg, case in log.warns:
        for i, (where, text, _) in enumerate(want):
            if case == where and text in msg:
                seen[i] += 1
                break
        else:
            unexpected.append('%s: %s (in %s)' % (fn, msg or '(no message)',
                                                  case or 'no KUnit case'))
    for (where, text, n), got_n in zip(want, seen):
        add('check', got_n == n, 'expected warning "%s" in %s' % (text, where),
            'seen %d times, expected %d' % (got_n, n))
    # The expected warnings come from WARN_ONCE sites, silent from then on:
    # a case that ran after them could hit one unseen.
    warners = {where for where, _, _ in want}
    if warners:
        first = min((log.order.index(w) for w in warners if w in log.order), default=None)
        later = [c for c in log.order[first:] if c not in warners] if first is not None else []
        add('check', not later, 'expected warnings last',
            'no case ran after %s' % ', '.join(sorted(warners)) if not later else
            '%s ran after a case that warns on purpose; its WARN_ONCE sites were silent'
            % later[0])
    # The debug kernel's checkers must have said they are on: a config
    # fragment that lost one would otherwise pass every guest.
    if not cfg.get('KERNEL'):
        for what, banner in DEBUG_ON:
            said = any(banner in line for line in lines)
            add('check', said, '%s on' % what,
                ('the kernel said "%s"' if said else 'the kernel never said "%s"') % banner)
    if kcsan:
        add('check', log.kcsan_on == set(KCSAN_ON), 'KCSAN on',
            'KCSAN said: %s' % ('; '.join(sorted(log.kcsan_on)) or 'nothing'))
        base = []
        for title, stacks in log.kcsan:
            # Where each access is: the functions the title names, and
            # each access's first frame; one stack per function named.
            m = KCSAN_TITLE.search(title)
            named = [f for f in m.groups() if f] if m else []
            tops = [st[0] for st in stacks if st]
            mine = sorted({f for f in named + tops if f in series_functions})
            if mine or not named or len(tops) != len(named) or len(stacks) != len(named):
                add('check', False, 'KCSAN: %s' % title,
                    'in the series\' code (%s)' % ', '.join(mine) if mine else
                    'its access stacks could not all be read')
            else:
                via = [next((f for f in st if f in series_functions), 'no series frame')
                       for st in stacks]
                base.append('%s, reached from %s' % (title, ' / '.join(via)))
        add('check', True, 'KCSAN reports in base code',
            '%d: %s' % (len(base), '; '.join(base)) if base else 'none')
    # QEMU's messages about faults a KUnit suite causes on purpose, and the
    # kernel's about events of a faked device, while that suite runs. A line
    # that holds anything else a report is made of stays a report.
    def only(line, text, qemu):
        if text not in line or (qemu and not line.startswith('qemu-system-')):
            return False
        rest = line.replace(text, '', 1)
        if qemu:
            rest = re.sub(r'qemu-system-\w+: ', '', rest, count=1)
        return not REPORTS.search(rest)
    for key, qemu, what in (('EXPECT_QEMU', True, 'QEMU message'),
                            ('EXPECT_REPORT', False, 'kernel message')):
        for where, text, n in expected_in_suite(cfg.get(key, ''), key):
            hits = [i for i, r in enumerate(log.reports)
                    if where in (log.report_suites[i], log.report_cases[i])
                    and only(r, text, qemu)]
            log.reports = [r for i, r in enumerate(log.reports) if i not in hits]
            log.report_suites = [w for i, w in enumerate(log.report_suites) if i not in hits]
            log.report_cases = [w for i, w in enumerate(log.report_cases) if i not in hits]
            add('check', len(hits) == n, 'expected %s "%s" in %s' % (what, text, where),
                'seen %d times, expected %d' % (len(hits), n))
    add('check', not unexpected and not log.reports, 'kernel log',
        'no reports' if not unexpected and not log.reports else
        '%d unexpected warnings, %d report lines; first: %s'
        % (len(unexpected), len(log.reports), (unexpected + log.reports)[0]))
    add('check', log.finished, 'guest finished',
        'the guest finished its checks and powered off' if log.finished else
        'the guest did not finish (crash, hang or timeout): see the log')
    if log.done is not None:
        parsed = (len(log.checks), sum(1 for _, ok, _ in log.checks if not ok))
        add('check', log.done == parsed, 'guest check count',
            'the guest ran %d and failed %d, the log shows %d and %d' % (log.done + parsed))
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('conf')
    ap.add_argument('log')
    ap.add_argument('--run-id', required=True)
    ap.add_argument('--series-functions', help='file: the functions of the objects the series touches')
    ap.add_argument('--json', required=True)
    ap.add_argument('--boot-status', type=int, default=0)
    ap.add_argument('--demo', action='store_true')
    a = ap.parse_args()
    guest = re.sub(r'\.conf$', '', a.conf.split('/')[-1])
    try:
        lines = open(a.log, errors='replace').readlines()
    except OSError as e:
        lines = []
        print('  no console log: %s' % e)
    series = None
    if a.series_functions:
        with open(a.series_functions) as f:
            series = set(f.read().split())
    tests = judge(read_conf(a.conf), lines, a.run_id, a.boot_status, a.demo, series)
    counted = [t for t in tests if t[0] in ('kunit', 'kselftest', 'check')]
    passed = sum(1 for t in counted if t[2])
    failed = len(counted) - passed
    with open(a.json, 'w') as f:
        json.dump({'guest': guest, 'run_id': a.run_id, 'passed': passed, 'failed': failed,
                   'tests': [{'kind': k, 'name': n, 'ok': bool(ok), 'detail': d}
                             for k, n, ok, d in counted]}, f, indent=1)
    for kind, name, ok, detail in tests:
        if kind == 'info':
            print('          ' + name)
        elif kind == 'note':
            print('  note  ' + name)
        else:
            print('%s%s%s' % ('  ok    ' if ok else '  FAIL  ', name,
                              ': ' + detail if detail else ''))
    print('%s: %d passed, %d failed' % (guest, passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
