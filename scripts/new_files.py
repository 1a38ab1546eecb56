#!/usr/bin/env python3
"""new_files.py KTREE: what the series adds is looked after.

In the git tree KTREE (tag "base", HEAD the series):
 - every file the series adds matches an F: pattern that the series adds
   to MAINTAINERS, so that get_maintainer.pl names the people who take
   the series' own files, not only a subsystem's catch-all directory;
 - every iterator macro (a #define whose name holds "for_each") the
   series adds is listed in .clang-format's ForEachMacros.
Prints each finding and a one-line verdict; exits 1 on any finding.
"""
import os
import re
import subprocess
import sys


def git(tree, *args):
    return subprocess.run(['git', '-C', tree] + list(args), check=True,
                          capture_output=True, text=True).stdout


def compile_pattern(tree, value):
    """An F: or X: value as get_maintainer.pl compiles it: "." literal,
    "*" any run of characters, "?" any one, and a trailing "/" added to
    a directory of the tree."""
    rx = value.replace('.', '\\.').replace('*', '.*').replace('?', '.')
    if os.path.isdir(os.path.join(tree, value)) and not rx.endswith('/'):
        rx += '/'
    return rx


def matches(rx, path):
    """get_maintainer.pl's file_match_pattern(): a prefix match; without a
    trailing "/", only at the pattern's own directory depth."""
    if not re.match(rx, path):
        return False
    return rx.endswith('/') or path.count('/') == rx.count('/')


def sections(text):
    """MAINTAINERS' entries: (title, [(type, value), ...])."""
    out = []
    for block in re.split(r'\n\s*\n', text):
        lines = block.strip('\n').split('\n')
        fields = [(m.group(1), m.group(2)) for m in
                  (re.match(r'^([A-Z]):\s*(.*)$', line) for line in lines[1:]) if m]
        if fields:
            out.append((lines[0], fields))
    return out


def main():
    tree = sys.argv[1]
    added = git(tree, 'diff', '--no-renames', '--name-only', '--diff-filter=A',
                'base', 'HEAD').split()
    diff = git(tree, 'diff', 'base', 'HEAD', '--', 'MAINTAINERS')
    added_f = set(re.findall(r'^\+F:\s+(\S+)', diff, re.M))
    findings = []
    # A file is the series' when an F: line the series added names it in
    # an entry whose X: lines do not exclude it, as get_maintainer.pl
    # decides.
    entries = sections(git(tree, 'show', 'HEAD:MAINTAINERS'))
    for f in added:
        owned = False
        for _, fields in entries:
            if any(t == 'X' and matches(compile_pattern(tree, v), f) for t, v in fields):
                continue
            if any(t == 'F' and v in added_f and matches(compile_pattern(tree, v), f)
                   for t, v in fields):
                owned = True
                break
        if not owned:
            findings.append('MAINTAINERS: no F: line of the series names %s' % f)
    files = git(tree, 'ls-files').split()
    for p in sorted(added_f):
        rx = compile_pattern(tree, p)
        prefix = re.split(r'[*?]', p)[0]
        if not any(matches(rx, f) for f in files if f.startswith(prefix)):
            findings.append('MAINTAINERS: F: %s matches no file' % p)

    code = git(tree, 'diff', 'base', 'HEAD', '--', '*.c', '*.h')
    macros = sorted(set(re.findall(r'^\+\s*#\s*define\s+(\w*for_each\w*)\(',
                                   code, re.M)))
    listed = set(re.findall(r"^\s+- '(\w+)'",
                            git(tree, 'show', 'HEAD:.clang-format'), re.M))
    for m in macros:
        if m not in listed:
            findings.append(".clang-format: ForEachMacros lacks %s" % m)

    for line in findings:
        print(line)
    print('new files: %d added files, %d named by the series\' MAINTAINERS'
          ' lines; %d iterator macros added, %d missing from ForEachMacros;'
          ' %d findings' % (len(added), len(added) - sum(
              f.startswith('MAINTAINERS: no') for f in findings),
              len(macros), sum(f.startswith('.clang') for f in findings),
              len(findings)))
    sys.exit(1 if findings else 0)


if __name__ == '__main__':
    main()
