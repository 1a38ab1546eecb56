#!/usr/bin/env python3
"""header_users.py KTREE ARCH HEADER...: the C files that may include HEADER.

Prints, one per line, every .c file of KTREE (outside tools/, scripts/,
samples/, Documentation/ and other architectures' arch/ directories)
that includes one of the HEADERs directly or through other headers. The
answer errs on the side of too many: an #include "x.h" that is not found
beside the including file, nor in the include paths kbuild gives every
object (include/, include/uapi/, arch/ARCH/include/ and its uapi/), is
taken to mean every x.h under the file's subsystem (the first three
components of its directory), since drivers add their own directories with -I. Generated
headers are not followed; config-build.sh builds the files printed and
counts, from the compiler's own dependency lists, those that really do.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
SKIP = {'.git', 'Documentation', 'tools', 'scripts', 'samples', 'usr'}


def sources(root, arch):
    """The .c and .h files of ROOT that ARCH may build, relative to ROOT."""
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        parts = rel.split(os.sep)
        if parts[0] in SKIP or (parts[0] == 'arch' and len(parts) > 1 and
                                parts[1] != arch):
            dirnames[:] = []
            continue
        files += [os.path.normpath(os.path.join(rel, f)) for f in filenames
                  if f.endswith(('.c', '.h'))]
    return files


def users(root, arch, headers):
    files = sources(root, arch)
    exists = set(files)
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    incdirs = ['include', 'include/uapi', 'arch/%s/include' % arch,
               'arch/%s/include/uapi' % arch]
    includes = {}
    for f in files:
        with open(os.path.join(root, f), errors='replace') as fh:
            text = fh.read()
        deps = set()
        for quote, name in INCLUDE.findall(text):
            cands = [os.path.normpath(os.path.join(os.path.dirname(f), name))] \
                if quote == '"' else []
            cands += [os.path.join(d, name) for d in incdirs]
            found = [c for c in cands if c in exists][:1]
            if not found:
                prefix = os.sep.join(os.path.dirname(f).split(os.sep)[:3]) + os.sep
                found = [g for g in by_name.get(os.path.basename(name), [])
                         if g.startswith(prefix) and
                         g.endswith(os.sep + os.path.normpath(name))]
            deps.update(found)
        includes[f] = deps
    reach = set(headers)
    grown = True
    while grown:
        grown = False
        for f, deps in includes.items():
            if f not in reach and deps & reach:
                reach.add(f)
                grown = True
    return sorted(f for f in reach if f.endswith('.c'))


def main():
    if len(sys.argv) < 4:
        sys.exit('usage: header_users.py KTREE ARCH HEADER...')
    root, arch, headers = sys.argv[1], sys.argv[2], sys.argv[3:]
    missing = [h for h in headers if not os.path.isfile(os.path.join(root, h))]
    if missing:
        sys.exit('header_users.py: no such header: %s' % ' '.join(missing))
    for f in users(root, arch, headers):
        print(f)


if __name__ == '__main__':
    main()
