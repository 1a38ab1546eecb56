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
import re
import subprocess
import sys


def git(tree, *args):
    return subprocess.run(['git', '-C', tree] + list(args), check=True,
                          capture_output=True, text=True).stdout


def matches(pattern, path):
    """get_maintainer.pl's F: semantics: a trailing "/" takes the whole
    directory below, "*" and "?" match within one path component."""
    if pattern.endswith('/'):
        return path.startswith(pattern)
    rx = ''.join('[^/]*' if c == '*' else '[^/]' if c == '?' else re.escape(c)
                 for c in pattern)
    # A pattern naming a directory without "/" still takes what is below.
    return re.fullmatch(rx + '(/.*)?', path) is not None


def main():
    tree = sys.argv[1]
    added = git(tree, 'diff', '--no-renames', '--name-only', '--diff-filter=A',
                'base', 'HEAD').split()
    diff = git(tree, 'diff', 'base', 'HEAD', '--', 'MAINTAINERS')
    patterns = [m.group(1) for m in re.finditer(r'^\+F:\s+(\S+)', diff, re.M)]
    findings = []
    for f in added:
        if not any(matches(p, f) for p in patterns):
            findings.append('MAINTAINERS: no F: line of the series names %s' % f)
    files = git(tree, 'ls-files').split()
    for p in patterns:
        prefix = re.split(r'[*?]', p)[0]
        if not any(matches(p, f) for f in files if f.startswith(prefix)):
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
