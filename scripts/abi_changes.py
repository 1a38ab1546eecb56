#!/usr/bin/env python3
"""abi_changes.py KTREE BUILDS: the series' ABI and API changes, as a file.

Prints the file patches/abi-changes.txt: the head below, then the public
API the series changes, then per Debian architecture the exported
symbols whose CRC changes, that go away or that are new, from the builds
of scripts/config-build.sh debian-ARCH in BUILDS. Each block names the
series source it was built from (source_id(): the files the series
changes outside Documentation/ and tools/, without their layout), and a
build counts only if it is of the series source of KTREE's HEAD.

  --check FILE  fails, with a diff, unless FILE is what it would print;
                every architecture's build must be in BUILDS
  --keep FILE   an architecture not built in BUILDS keeps its block from
                FILE if that block is of HEAD's series source (a Debian
                build takes up to 50 minutes; whitespace alone does not
                change the source)

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
import hashlib
import os
import re
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


IDENT = re.compile(r'\w')


def tokens_text(text):
    """TEXT with its layout taken out: runs of blanks and line breaks become
    one space, and that space goes unless it separates two word characters
    or two punctuation characters (which it may keep apart as tokens, as
    "- -" and "--"). A line break stays after a preprocessor directive and
    after a line with a // comment, which it ends."""
    words, directive = [], False
    for line in text.split('\n'):
        parts = line.split()
        if parts and parts[0].startswith('#'):
            directive = True
        words += parts
        continued = bool(parts) and parts[-1].endswith('\\')
        if (directive or '//' in line) and not continued:
            words.append('\n')
        if not continued:
            directive = False
    out = []
    for w in words:
        if out and out[-1] != '\n' and w != '\n' and \
                bool(IDENT.match(out[-1][-1])) == bool(IDENT.match(w[0])):
            out.append(' ')
        out.append(w)
    return ''.join(out)


def source_id(ktree, commit):
    """What of the series at COMMIT a build can see, as 12 hex digits: the
    files it changes from the tag "base" outside Documentation/ and tools/,
    each without its layout (tokens_text()), so that a change of
    whitespace, indentation or line breaks alone keeps the id."""
    h = hashlib.sha256()
    for f in sorted(git(ktree, 'diff', '--name-only', 'base', commit, '--', '.',
                        ':(exclude)Documentation/', ':(exclude)tools/').split()):
        exists = git(ktree, 'ls-tree', commit, '--', f)
        text = git(ktree, 'show', '%s:%s' % (commit, f)) if exists else None
        h.update(('%s\0%s\0' % (f, 'deleted' if text is None else tokens_text(text))).encode())
    return h.hexdigest()[:12]


SECTION = re.compile(r'^(Debian (\S+) \(.*\)), series source ([0-9a-f]{12}):$')


def kept_sections(path):
    """{arch: (source id, lines)} of the exported-symbol sections of the
    file at PATH, or {} if there is none."""
    try:
        with open(path) as fh:
            lines = fh.read().splitlines()
    except OSError:
        return {}
    out, cur = {}, None
    for line in lines:
        m = SECTION.match(line)
        if m:
            cur = out[m.group(2)] = (m.group(3), [line])
        elif cur and line.startswith('  '):
            cur[1].append(line)
        else:
            cur = None
    return out


def symbols(ktree, builds, series, kept):
    """The lines of the exported-symbols section, one block per Debian
    architecture: from the build in BUILDS if there is one, else the block
    of KEPT of the same series source; exits if neither is there or a
    build is of another series source."""
    lines = []
    want = source_id(ktree, series)
    for arch in ARCHES:
        d = os.path.join(builds, 'debian-' + arch)
        if not os.path.exists(os.path.join(d, 'series-commit')) and arch in kept:
            got, block = kept[arch]
            if got != want:
                sys.exit('abi_changes.py: no Debian %s build, and the file\'s %s block is '
                         'of series source %s, not %s; run scripts/config-build.sh debian-%s'
                         % (arch, arch, got, want, arch))
            lines += [''] + block
            continue
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
        got = source_id(ktree, built) if built == series or subprocess.run(
            ['git', '-C', ktree, 'cat-file', '-e', built + '^{commit}'],
            capture_output=True).returncode == 0 else 'unknown'
        if got != want:
            sys.exit('abi_changes.py: the Debian %s build is of %s (series source %s), '
                     'not of the series source %s at %s; run scripts/config-build.sh debian-%s'
                     % (arch, built[:12], got, want, series[:12], arch))
        lines += ['', '%s, series source %s:' % (label, want), '  ' + rows[0].lstrip('# ')]
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

Each architecture's block names the series source it was built from: a
hash of the files the series changes outside Documentation/ and tools/,
without their layout (scripts/abi_changes.py, source_id()).

The header comparison sees declarations, not where they sit: members
inserted before others (a layout change, which the CRCs do show), a
function that becomes an inline stub under another #ifdef, and the
values of macros and enumerators are not listed; the cover letter's
"Changes a distribution should know about" describes them.
"""


def main():
    args = sys.argv[1:]
    check = keep = None
    if len(args) == 4 and args[2] in ('--check', '--keep'):
        if args[2] == '--check':
            check = args[3]
        else:
            keep = args[3]
        del args[2:]
    if len(args) != 2:
        sys.exit('usage: abi_changes.py KTREE BUILDS [--check FILE | --keep FILE]')
    ktree, builds = args
    series = git(ktree, 'rev-parse', 'HEAD').strip()
    out = [HEAD, 'Public headers', '--------------', '']
    out += api(ktree, 'base', series)
    out += ['', 'Exported symbols', '----------------']
    out += symbols(ktree, builds, series, kept_sections(keep) if keep else {})
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
