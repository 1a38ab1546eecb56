#!/usr/bin/env python3
"""prefix_conf.py GUEST_CONF KTREE COMMIT: a guest's definition for a
prefix of the series.

A guest's definition (guests/*.conf) expects what the whole series has:
its KUnit suites, its selftest programs, the warnings its misuse cases
give. Booted on the kernel of an earlier commit, the guest can only be
asked for what that commit has. Prints GUEST_CONF, then assignments
that replace its expectations with those of COMMIT of the git tree
KTREE: the suites of SUITES and SKIPPED_SUITES that COMMIT defines (a
KUnit suite is defined where a C file has '.name = "SUITE"'; only the C
files the series changes from the tag "base" to COMMIT are searched:
the guests expect what the series adds), the
EXPECT_WARN, EXPECT_QEMU and EXPECT_REPORT items of those suites, of
the cases an item names that COMMIT has (KUNIT_CASE(case)) and, for
EXPECT_WARN, of the warnings whose format string COMMIT has (every
stretch of the message without digits, of 8 characters or more), and
the "kselftest:DIR/PROG" checks, with their KSELFTEST_SKIP and
KSELFTEST_TESTS items, whose tools/testing/selftests/DIR/PROG.c COMMIT
has. KUNIT_CASES, the case counts of the whole series, becomes those
of COMMIT: a suite's count less the cases its case array (the
KUNIT_CASE entries of the array its .test_cases names) has at HEAD but
not at COMMIT, provided the entries under a preprocessor conditional
are the same in both (else the suite's count is left out, and only
KUnit's plan checks it). The runs of parameterised cases are not pinned
(KUNIT_CASES_UNPINNED=1).
Everything else is judged as in the whole series: a case that fails, a
kernel report, a check that fails. Both bash (boot.sh) and
results.py take the last assignment of a name. GUEST_CONF is read as
they read it (shell words), and fails if even KTREE's HEAD, the whole
series, lacks one of its suites, cases, warnings or programs.
"""
import re
import subprocess
import sys

import results


def case_array(text, suite):
    """(entries, conditional entries) of the case array of SUITE in TEXT,
    the C file that defines it: the number of KUNIT_CASE entries, and the
    set of (conditions, entry) of those under a preprocessor conditional;
    None if TEXT does not have it."""
    m = re.search(r'\.name\s*=\s*"%s"' % re.escape(suite), text)
    if not m:
        return None
    start = text.rfind('struct kunit_suite', 0, m.start())
    end = text.find('};', m.end())
    t = re.search(r'\.test_cases\s*=\s*(\w+)', text[start:end]) if start >= 0 and end >= 0 else None
    a = t and re.search(r'\b%s\s*\[\s*\]\s*=\s*\{' % re.escape(t.group(1)), text)
    if not a:
        return None
    n, conditional, stack = 0, set(), []
    for line in text[a.end():text.find('};', a.end())].splitlines():
        d = re.match(r'\s*#\s*(\w+)(.*)', line)
        if d and d.group(1).startswith('if'):
            stack.append(line.strip())
        elif d and d.group(1) in ('else', 'elif'):
            stack[-1:] = [(stack[-1] if stack else '') + ' ' + line.strip()]
        elif d and d.group(1) == 'endif':
            stack[-1:] = []
        for case in re.findall(r'\bKUNIT_CASE\w*\s*\([^)]*\)', line):
            n += 1
            if stack:
                conditional.add((tuple(stack), ' '.join(case.split())))
    return n, frozenset(conditional)


def expectations(vals, ktree, commit):
    """The assignments that ask a guest defined by VALS only for what
    COMMIT has."""
    # Where the series defines what the guest expects: the C files it
    # changes up to COMMIT (searching the whole tree takes minutes a grep).
    files = [f for f in subprocess.run(
        ['git', '-C', ktree, 'diff', '--name-only', 'base', commit, '--', '*.c', '*.h'],
        capture_output=True, text=True, check=True).stdout.split()]

    def grep(pattern, how):
        """Whether a C file the series changes has PATTERN at COMMIT (-E or -F)."""
        if not files:
            return False
        p = subprocess.run(['git', '-C', ktree, 'grep', '-q', how, '-e', pattern,
                            commit, '--'] + files)
        if p.returncode > 1:
            sys.exit('prefix_conf.py: git grep failed in %s' % ktree)
        return p.returncode == 0

    def defines_suite(suite):
        return grep(r'\.name\s*=\s*"%s"' % re.escape(suite), '-E')

    def has_program(prog):
        p = subprocess.run(['git', '-C', ktree, 'cat-file', '-e',
                            '%s:tools/testing/selftests/%s.c' % (commit, prog)],
                           capture_output=True)
        return p.returncode == 0

    def cases(suite):
        """case_array() of SUITE at COMMIT, from the file that defines it."""
        for f in files:
            p = subprocess.run(['git', '-C', ktree, 'show', '%s:%s' % (commit, f)],
                               capture_output=True, text=True)
            if p.returncode == 0 and f.endswith('.c'):
                got = case_array(p.stdout, suite)
                if got:
                    return got
        return None

    def defines_case(case):
        return grep(r'KUNIT_CASE(_PARAM)?\(\s*%s\s*[,)]' % re.escape(case), '-E')

    def prints(text):
        # A WARN prints its format string with the numbers filled in: every
        # stretch of the text without digits, 8 characters or longer, is in
        # the format string.
        return all(grep(part, '-F') for part in re.split(r'\d+', text)
                   if len(part.strip()) >= 8)

    def applies(key, item):
        if key == 'SKIPPED_SUITES':     # "suite|why"
            return defines_suite(item.split('|')[0])
        where, text = item.split('|', 2)[1:]     # "N|suite[.case]|text"
        suite, _, case = where.partition('.')
        return (defines_suite(suite) and (not case or defines_case(case))
                and (key != 'EXPECT_WARN' or prints(text)))

    out = {}
    out['SUITES'] = ' '.join(s for s in vals.get('SUITES', '').split() if defines_suite(s))
    for key in ('SKIPPED_SUITES', 'EXPECT_WARN', 'EXPECT_QEMU', 'EXPECT_REPORT'):
        items = [i for i in vals.get(key, '').split(';') if i.strip()]
        out[key] = ';'.join(i for i in items if applies(key, i))
    progs = [c[len('kselftest:'):] for c in vals.get('CHECKS', '').split()
             if c.startswith('kselftest:')]
    gone = {p for p in progs if not has_program(p)}
    out['CASE_ARRAYS'] = {s: cases(s) for s in results.kunit_pins(vals.get('KUNIT_CASES', ''))
                          if defines_suite(s)}
    out['CHECKS'] = ' '.join(c for c in vals.get('CHECKS', '').split()
                             if c[len('kselftest:'):] not in gone or not c.startswith('kselftest:'))
    for key in ('KSELFTEST_SKIP', 'KSELFTEST_TESTS'):
        items = [i for i in vals.get(key, '').split(';') if i.strip()]
        out[key] = ';'.join(i for i in items if re.split('[|=]', i)[0] not in gone)
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit('usage: prefix_conf.py GUEST_CONF KTREE COMMIT')
    conf, ktree, commit = sys.argv[1:]
    # Read as boot.sh and results.py read it: shell words.
    vals = results.read_conf(conf)
    for k, v in vals.items():
        if '"' in v or '$' in v or '`' in v or '\\' in v:
            sys.exit('prefix_conf.py: %s: %s holds a quote, $, ` or \\' % (conf, k))
    # At the series' last commit nothing may be dropped: what is dropped
    # there (a misspelt suite or case) would be dropped everywhere.
    full = expectations(vals, ktree, 'HEAD')
    head_arrays = full.pop('CASE_ARRAYS')
    for s, got in head_arrays.items():
        if got is None:
            sys.exit('prefix_conf.py: %s: no case array found for suite %s at HEAD' % (conf, s))
    for k, v in full.items():
        if v != ' '.join(vals.get(k, '').split()) and v != ';'.join(
                i for i in vals.get(k, '').split(';') if i.strip()):
            sys.exit('prefix_conf.py: %s: the series at HEAD does not have all of %s="%s" '
                     '(it has "%s")' % (conf, k, vals.get(k, ''), v))
    out = expectations(vals, ktree, commit)
    pins = results.kunit_pins(vals.get('KUNIT_CASES', ''))
    out['KUNIT_CASES'] = ' '.join(
        '%s=%d' % (s, pins[s][0] - (head_arrays[s][0] - got[0]))
        for s, got in sorted(out.pop('CASE_ARRAYS').items())
        if got and got[1] == head_arrays[s][1])
    out['KUNIT_CASES_UNPINNED'] = '1'
    with open(conf) as f:
        sys.stdout.write(f.read())
    print('# For commit %s of the series (scripts/prefix_conf.py):' % commit)
    for k, v in out.items():
        print('%s="%s"' % (k, v))


if __name__ == '__main__':
    main()
