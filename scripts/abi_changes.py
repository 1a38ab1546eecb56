#!/usr/bin/env python3
"""abi_changes.py KTREE BUILDS: the series' ABI and API changes, as a file.

Prints the file patches/abi-changes.txt: the head below, then the public
API the series changes, then per Debian architecture the exported
symbols whose CRC changes, that go away or that are new, from the builds
of scripts/config-build.sh debian-ARCH in BUILDS. Each block names the
source it was built from (source_id(): the base, the configuration BASE
pins, the files the series changes outside Documentation/ and tools/
without their layout and comments), and a build counts only if it is
of the source of KTREE's HEAD.

  --check FILE  fails, with a diff, unless FILE is what it would print;
                every architecture's build must be in BUILDS
  --keep FILE   an architecture not built in BUILDS keeps its block from
                FILE if that block is of HEAD's source (a Debian build
                takes up to 50 minutes; layout and comments alone do not
                change the source)

abi_changes.py KTREE --current FILE: fails unless FILE is of HEAD's
source without any build: its head and API section are what this prints,
and each architecture has a block of HEAD's source and of the Debian
configuration BASE pins (make test's apply step: the Debian export
carries FILE).

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
    """C source TEXT as the compiler reads it, without its layout: comments
    and runs of blanks and line breaks become one space, which stays only
    between two word characters or two punctuation characters (which it
    may keep apart as tokens, "- -" and "--"), and always in a
    preprocessor directive ("#define F(x)" and "#define F (x)" differ);
    a directive ends with a line break; string and character literals
    stay as they are."""
    out = []
    state = {'space': False, 'directive': False}

    def put(chunk):
        if state['space'] and out and out[-1] != '\n':
            a, b = bool(IDENT.match(out[-1][-1])), bool(IDENT.match(chunk[0]))
            if state['directive'] or a == b:
                out.append(' ')
        state['space'] = False
        out.append(chunk)

    i, n, line_start = 0, len(text), True
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            i, state['space'] = (n if j < 0 else j + 2), True
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i, state['space'] = (n if j < 0 else j), True
        elif text.startswith('\\\n', i):
            i, state['space'] = i + 2, True
        elif c == '\n':
            if state['directive']:
                out.append('\n')
                state['directive'] = state['space'] = False
            else:
                state['space'] = True
            i, line_start = i + 1, True
        elif c.isspace():
            i, state['space'] = i + 1, True
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            put(text[i:j + 1])
            i, line_start = j + 1, False
        else:
            if line_start and c == '#':
                state['directive'] = True
            put(c)
            i, line_start = i + 1, False
    return ''.join(out)


def source_id(ktree, commit, arch):
    """What a Debian ARCH build of the series at COMMIT sees, as 12 hex
    digits: the base (its tree), the configuration BASE pins for ARCH, and
    the files the series changes from the tag "base" outside
    Documentation/ and tools/, each as tokens_text() gives it, so that a
    change of layout or comments alone keeps the id."""
    h = hashlib.sha256()
    h.update(('%s\0%s\0' % (git(ktree, 'rev-parse', 'base^{tree}').strip(),
                             config_pin(arch))).encode())
    for f in sorted(git(ktree, 'diff', '--name-only', 'base', commit, '--', '.',
                        ':(exclude)Documentation/', ':(exclude)tools/').split()):
        exists = git(ktree, 'ls-tree', commit, '--', f)
        text = git(ktree, 'show', '%s:%s' % (commit, f)) if exists else None
        h.update(('%s\0%s\0' % (f, 'deleted' if text is None else tokens_text(text))).encode())
    return h.hexdigest()[:12]


def config_pin(arch):
    """The "VERSION SHA256" of ARCH's Debian configuration in BASE."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'BASE')
    with open(path) as fh:
        for line in fh:
            if line.startswith('config_%s=' % arch):
                return line.split('=', 1)[1].strip()
    sys.exit('abi_changes.py: BASE pins no configuration for %s' % arch)


SECTION = re.compile(r'^(Debian (\S+) \(.*\)), source ([0-9a-f]{12}):$')


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
    of KEPT of the same source; exits if neither is there or a build is
    of another source."""
    lines = []
    for arch in ARCHES:
        want = source_id(ktree, series, arch)
        d = os.path.join(builds, 'debian-' + arch)
        if not os.path.exists(os.path.join(d, 'series-commit')) and arch in kept:
            got, block = kept[arch]
            if got != want:
                sys.exit('abi_changes.py: no Debian %s build, and the file\'s %s block is '
                         'of source %s, not %s; run scripts/config-build.sh debian-%s'
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
        got = source_id(ktree, built, arch) if built == series or subprocess.run(
            ['git', '-C', ktree, 'cat-file', '-e', built + '^{commit}'],
            capture_output=True).returncode == 0 else 'unknown'
        if 'linux-config-6.1 %s)' % config_pin(arch).split()[0] not in label:
            got = 'of another configuration (%s)' % label
        if got != want:
            sys.exit('abi_changes.py: the Debian %s build is of %s (source %s), '
                     'not of the source %s at %s; run scripts/config-build.sh debian-%s'
                     % (arch, built[:12], got, want, series[:12], arch))
        lines += ['', '%s, source %s:' % (label, want), '  ' + rows[0].lstrip('# ')]
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

Each architecture's block names the source it was built from: a hash of
the base, the Debian configuration and the files the series changes
outside Documentation/ and tools/, without their layout and comments
(scripts/abi_changes.py, source_id()).

The header comparison sees declarations, not where they sit: members
inserted before others (a layout change, which the CRCs do show), a
function that becomes an inline stub under another #ifdef, and the
values of macros and enumerators are not listed; the cover letter's
"Changes a distribution should know about" describes them.
"""


def current(ktree, path):
    """Exits unless the file at PATH is of KTREE's HEAD (see --current)."""
    series = git(ktree, 'rev-parse', 'HEAD').strip()
    try:
        with open(path) as fh:
            text = fh.read()
    except OSError as e:
        sys.exit('abi_changes.py: %s' % e)
    bad = []
    want = '\n'.join([HEAD, 'Public headers', '--------------', ''] + api(ktree, 'base', series)
                     + ['', 'Exported symbols', '----------------', ''])
    if not text.startswith(want):
        bad.append('its head or API section is not what HEAD gives')
    blocks = kept_sections(path)
    for arch in ARCHES:
        sid = source_id(ktree, series, arch)
        pin = 'linux-config-6.1 %s)' % config_pin(arch).split()[0]
        if arch not in blocks:
            bad.append('it has no %s block' % arch)
        elif blocks[arch][0] != sid:
            bad.append('its %s block is of source %s, not %s' % (arch, blocks[arch][0], sid))
        elif pin not in blocks[arch][1][0]:
            bad.append('its %s block is not of the configuration BASE pins (%s)' % (arch, pin))
    if bad:
        sys.exit('abi_changes.py: %s is not current: %s; run scripts/config-build.sh for '
                 'the Debian configurations, then "make abi-changes"' % (path, '; '.join(bad)))
    print('%s is of HEAD\'s source (%s)' % (path, ', '.join(
        '%s %s' % (a, blocks[a][0]) for a in ARCHES)))


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[1] == '--current':
        current(args[0], args[2])
        return
    check = keep = None
    if len(args) == 4 and args[2] in ('--check', '--keep'):
        if args[2] == '--check':
            check = args[3]
        else:
            keep = args[3]
        del args[2:]
    if len(args) != 2:
        sys.exit('usage: abi_changes.py KTREE BUILDS [--check FILE | --keep FILE] | '
                 'KTREE --current FILE')
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
