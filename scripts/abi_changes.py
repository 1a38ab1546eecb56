#!/usr/bin/env python3
"""abi_changes.py KTREE BUILDS: the series' ABI and API changes, as a file.

Prints the file patches/abi-changes.txt (with --check FILE: fails, with a
diff, unless FILE is what it would print): the head below, then the public
API the series changes, then per Debian architecture the exported
symbols whose CRC changes, that go away or that are new, from the builds
of scripts/config-build.sh debian-ARCH in BUILDS (each of KTREE's HEAD,
or of a commit from which HEAD changes only Documentation/ and tools/).

API: for every header under include/ that differs between the tag "base"
and HEAD of the git tree KTREE, compares
the declarations universal-ctags finds in the two versions: functions
(prototypes and inline definitions, one entry per name), macros,
structures, unions, enumerations and their enumerators, typedefs,
external variables and structure members. Prints, per header, what is
removed (an out-of-tree module that uses it no longer compiles), what
changes (a function's parameters or return type, a member's type, a
macro's parameters) and a count of what is added. Exits non-zero if
ctags fails or finds nothing in a header that has declarations.
"""
import difflib
import os
import subprocess
import sys
import tempfile

KINDS = '+p+m+e+d+t+s+u+g+x'
FORMAT = '%K|%N|%s|%S|%t'
ARCHES = ('amd64', 'arm64', 'i386')
# universal-ctags by its own name: "ctags" may be another implementation.
CTAGS = 'ctags-universal'
GROUP = {'prototype': 'function', 'function': 'function'}


def git(ktree, *args):
    return subprocess.run(['git', '-C', ktree] + list(args), check=True,
                          capture_output=True, text=True).stdout


def declarations(text):
    """{(kind, scope, name): {(signature, type), ...}} of one header."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'header.h')
        with open(path, 'w') as fh:
            fh.write(text)
        out = subprocess.run(
            [CTAGS, '-x', '--language-force=C', '--kinds-C=' + KINDS,
             '--_xformat=' + FORMAT, path], capture_output=True, text=True,
            check=True).stdout
    decls = {}
    for line in out.splitlines():
        kind, name, scope, sig, typ = line.split('|', 4)
        kind = GROUP.get(kind, kind)
        sig = ' '.join(sig.split()) if sig != '-' else ''
        typ = ' '.join(typ.split()) if typ != '-' else ''
        decls.setdefault((kind, scope, name), set()).add((sig, typ))
    if not decls and '#define' in text:
        sys.exit('api_changes.py: ctags found no declaration')
    return decls


def show(key, forms):
    kind, scope, name = key
    what = '%s %s' % (kind, '%s.%s' % (scope, name) if scope else name)
    form = ' | '.join(sorted(' '.join(p for p in (t, s) if p) for s, t in forms))
    return '%s: %s' % (what, form) if form else what


def api(ktree, base, series):
    """The lines of the API section."""
    lines = []
    headers = git(ktree, 'diff', '--name-only', base, series, '--',
                  'include/').split()
    for h in headers:
        old = git(ktree, 'show', '%s:%s' % (base, h)) if git(
            ktree, 'ls-tree', base, h) else ''
        new = git(ktree, 'show', '%s:%s' % (series, h)) if git(
            ktree, 'ls-tree', series, h) else ''
        a, b = declarations(old), declarations(new)
        removed = sorted(k for k in a if k not in b)
        changed = sorted(k for k in a if k in b and a[k] != b[k])
        added = [k for k in b if k not in a]
        lines.append('%s: %d removed, %d changed, %d added' % (
            h, len(removed), len(changed), len(added)))
        for k in removed:
            lines.append('  removed %s' % show(k, a[k]))
        for k in changed:
            lines.append('  changed %s' % show(k, a[k]))
            lines.append('       to %s' % show(k, b[k]))
    return lines


def stale(ktree, built, series):
    """Files between commits BUILT and SERIES that may change a build:
    any outside Documentation/ and tools/ (or None: BUILT is unknown)."""
    p = subprocess.run(['git', '-C', ktree, 'diff', '--name-only', built, series],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None
    return [f for f in p.stdout.split()
            if not f.startswith(('Documentation/', 'tools/'))]


def symbols(ktree, builds, series):
    """The lines of the exported-symbols section, one block per Debian
    architecture; exits if a build is missing or of another commit."""
    lines = []
    for arch in ARCHES:
        d = os.path.join(builds, 'debian-' + arch)
        try:
            with open(os.path.join(d, 'series-commit')) as fh:
                built = fh.read().strip()
            with open(os.path.join(d, 'label')) as fh:
                label = fh.read().strip()
            with open(os.path.join(d, 'symvers.txt')) as fh:
                rows = fh.read().splitlines()
        except OSError as e:
            sys.exit('abi_changes.py: no complete Debian %s build (%s); run '
                     'scripts/config-build.sh debian-%s' % (arch, e, arch))
        if built != series:
            changed = stale(ktree, built, series)
            if changed is None or changed:
                sys.exit('abi_changes.py: the Debian %s build is of %s, not of the '
                         'series at %s%s; run scripts/config-build.sh debian-%s'
                         % (arch, built[:12], series[:12],
                            ', which changes %s' % ' '.join(changed[:5]) if changed else '',
                            arch))
        lines += ['', '%s:' % label, '  ' + rows[0].lstrip('# ')]
        for row in rows[1:]:
            kind, name, obj = row.split()
            lines.append('  %s %s (%s)' % (kind, name, obj))
    return lines


HEAD = """\
ABI and API changes of the PASID attachment series
==================================================

For a Debian kernel maintainer: which exported symbols of Debian's 6.1
kernels change their CRC (CONFIG_MODVERSIONS: a module built against the
other kernel does not load), go away or are new with the series, and
which declarations of the public headers an out-of-tree or DKMS module
may use are removed or changed (such a module no longer builds).

Generated by "make abi-changes" from the Debian-configuration builds of
"make test-long" (scripts/config-build.sh, scripts/symvers.py,
scripts/abi_changes.py); make test-long fails when this file is not
what they give.

The builds compile, in each configuration, the directories the series
touches and every object that may include a public header it changes.
No other object's symbols can change: an export's CRC is computed from
the declarations its own object sees.

The header comparison sees declarations, not where they sit: members
inserted before others (a layout change, which the CRCs do show), a
function that becomes an inline stub under another #ifdef, and the
values of macros and enumerators are not listed; the cover letter's
"Changes a distribution should know about" describes them.
"""


def main():
    args = sys.argv[1:]
    check = None
    if len(args) == 4 and args[2] == '--check':
        check = args.pop()
        args.pop()
    if len(args) != 2:
        sys.exit('usage: abi_changes.py KTREE BUILDS [--check FILE]')
    ktree, builds = args
    series = git(ktree, 'rev-parse', 'HEAD').strip()
    out = [HEAD, 'Public headers', '--------------', '']
    out += api(ktree, 'base', series)
    out += ['', 'Exported symbols', '----------------']
    out += symbols(ktree, builds, series)
    text = '\n'.join(out) + '\n'
    if check is None:
        sys.stdout.write(text)
        return
    try:
        with open(check) as fh:
            old = fh.read()
    except OSError as e:
        sys.exit('abi_changes.py: %s' % e)
    if old != text:
        sys.stdout.writelines(difflib.unified_diff(
            old.splitlines(True), text.splitlines(True), check, 'now'))
        sys.exit('abi_changes.py: %s is not what the builds give; run '
                 '"make abi-changes" and commit it' % check)
    print('%s is current' % check)


if __name__ == '__main__':
    main()
