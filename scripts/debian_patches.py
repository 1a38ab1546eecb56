#!/usr/bin/env python3
"""debian_patches.py PATCHES OUT: the series as a Debian debian/patches/.

Reads PATCHES/series and the git format-patch files it names, and writes
OUT/debian/patches/features/all/iommu-pasid/NNNN-name.patch, each with a
DEP-3 header (Description, Author, Origin, Forwarded, Last-Update) in
place of the mail header, and OUT/debian/patches/series-iommu-pasid, the
lines to append to the linux source package's debian/patches/series.
PATCHES/abi-changes.txt, the ABI and API changes a Debian kernel
maintainer needs (make abi-changes), is copied beside the patches.
The output depends only on the patches: Last-Update is the patch's Date.
"""
import argparse
import email.header
import email.utils
import os
import re
import shutil
import sys

SUBDIR = 'features/all/iommu-pasid'
CARRY = ['abi-changes.txt']     # copied beside the patches


def fail(msg):
    sys.exit('debian_patches.py: ' + msg)


def unfold(header, name):
    """The value of a mail header field, continuation lines joined and
    RFC 2047 encoded words (a name with accents) decoded."""
    m = re.search(r'^%s: (.*(?:\n[ \t].*)*)' % name, header, re.M)
    if not m:
        return None
    value = re.sub(r'\n[ \t]+', ' ', m.group(1)).strip()
    return str(email.header.make_header(email.header.decode_header(value)))


def dep3(path):
    text = open(path, encoding='utf-8').read()
    if not text.startswith('From '):
        fail('%s is not a git format-patch file' % path)
    header, rest = text.split('\n\n', 1)
    author = unfold(header, 'From')
    date = unfold(header, 'Date')
    subject = unfold(header, 'Subject')
    if not (author and date and subject):
        fail('%s lacks From:, Date: or Subject:' % path)
    subject = re.sub(r'^\[PATCH[^]]*\] ', '', subject)
    # The commit message ends at the "---" before the diffstat.
    m = re.search(r'^---$', rest, re.M)
    if not m or '\ndiff --git ' not in rest[m.start():]:
        fail('%s has no "---" line before its diff' % path)
    body = rest[:m.start()].strip('\n').split('\n')
    diff = rest[m.start():]
    day = email.utils.parsedate_to_datetime(date).strftime('%Y-%m-%d')
    lines = ['Description: ' + subject]
    lines += [' ' + line if line.strip() else ' .' for line in body]
    lines += [
        'Author: ' + author,
        'Origin: other, %s of the iommu-pasid series' % os.path.basename(path),
        'Forwarded: no',
        'Last-Update: ' + day,
    ]
    return '\n'.join(lines) + '\n' + diff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('patches')
    ap.add_argument('out')
    args = ap.parse_args()
    carry = [os.path.join(args.patches, f) for f in CARRY]
    missing = [p for p in carry if not os.path.isfile(p)]
    if missing:
        fail('no %s' % ', '.join(missing))
    names = [line.strip() for line in open(os.path.join(args.patches, 'series'))
             if line.strip() and not line.startswith('#')]
    if not names:
        fail('the series is empty')
    top = os.path.join(args.out, 'debian', 'patches')
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(os.path.join(top, SUBDIR))
    for name in names:
        with open(os.path.join(top, SUBDIR, name), 'w', encoding='utf-8') as f:
            f.write(dep3(os.path.join(args.patches, name)))
    with open(os.path.join(top, 'series-iommu-pasid'), 'w') as f:
        f.write('# PASID-granular IOMMU domain attachment: append to'
                ' debian/patches/series\n')
        f.writelines('%s/%s\n' % (SUBDIR, name) for name in names)
    for path in carry:
        shutil.copy(path, os.path.join(top, SUBDIR, os.path.basename(path)))
    print('wrote %d patches to %s' % (len(names), os.path.join(top, SUBDIR)))


if __name__ == '__main__':
    main()
