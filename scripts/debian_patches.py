#!/usr/bin/env python3
"""debian_patches.py PATCHES OUT: the series as a Debian debian/patches/.

Reads PATCHES/series and the git format-patch files it names, and writes
OUT/debian/patches/DIR/NNNN-name.patch, each with a DEP-3 header
(Description, Author, Origin, Forwarded, Last-Update, and for a patch
whose change a later upstream kernel makes, Applied-Upstream) in place
of the mail header, DIR being bugfix/all/iommu-pasid for a patch with a Fixes:
tag and features/all/iommu-pasid for the others, as Debian files them,
and OUT/debian/patches/series-iommu-pasid, the lines to append to the
linux source package's debian/patches/series, in the series' order.
Beside the features, in features/all/iommu-pasid: abi-changes.txt, the
ABI and API changes a Debian kernel maintainer needs (make
abi-changes), and cover-letter.txt, the series' cover letter (its
"Changes a distribution should know about").
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
BUGFIX = 'bugfix/all/iommu-pasid'
# copied beside the features: PATCHES/name -> SUBDIR/as
CARRY = [('abi-changes.txt', 'abi-changes.txt'), ('0000-cover-letter.patch', 'cover-letter.txt')]
# Patches (by subject) whose change upstream made later in a commit of its
# own. Ours is written for 6.1, not taken from it; DEP-3's Applied-Upstream
# tells a packager on a newer base which patch to drop. Each must match,
# and each commit must be one UPSTREAM-COMMITS lists (the reviewed ids).
UPSTREAM = {
    'PCI: Enable PASID only where ACS keeps PASID requests off peers':
        'v6.2, commit:201007ef707a',
}


def fail(msg):
    sys.exit('debian_patches.py: ' + msg)


def check_upstream(upstream, list_path):
    """Fails unless every commit:ID of UPSTREAM's values starts an id of
    LIST_PATH (UPSTREAM-COMMITS), with 12 lowercase hex digits or more."""
    with open(list_path) as f:
        listed = [line.split()[0] for line in f if line.strip() and not line.startswith('#')]
    for subject, value in upstream.items():
        ids = re.findall(r'commit:(\S+)', value)
        if not ids:
            fail('UPSTREAM names no commit:ID for "%s"' % subject)
        for c in ids:
            if not (re.fullmatch('[0-9a-f]{12,40}', c) and any(x.startswith(c) for x in listed)):
                fail('UPSTREAM\'s commit:%s ("%s") is not an id of %s' % (c, subject, list_path))


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
    if subject in UPSTREAM:
        lines.append('Applied-Upstream: ' + UPSTREAM[subject])
    fix = any(line.startswith('Fixes: ') for line in body)
    return subject, '\n'.join(lines) + '\n' + diff, BUGFIX if fix else SUBDIR


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('patches')
    ap.add_argument('out')
    args = ap.parse_args()
    check_upstream(UPSTREAM, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                                          'UPSTREAM-COMMITS'))
    carry = [(os.path.join(args.patches, f), to) for f, to in CARRY]
    missing = [p for p, _ in carry if not os.path.isfile(p)]
    if missing:
        fail('no %s' % ', '.join(missing))
    names = [line.strip() for line in open(os.path.join(args.patches, 'series'))
             if line.strip() and not line.startswith('#')]
    if not names:
        fail('the series is empty')
    top = os.path.join(args.out, 'debian', 'patches')
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(os.path.join(top, SUBDIR))
    os.makedirs(os.path.join(top, BUGFIX))
    where = []
    subjects = set()
    for name in names:
        subject, text, subdir = dep3(os.path.join(args.patches, name))
        subjects.add(subject)
        with open(os.path.join(top, subdir, name), 'w', encoding='utf-8') as f:
            f.write(text)
        where.append('%s/%s\n' % (subdir, name))
    unmatched = sorted(set(UPSTREAM) - subjects)
    if unmatched:
        fail('UPSTREAM names no patch of the series: %s' % '; '.join(unmatched))
    with open(os.path.join(top, 'series-iommu-pasid'), 'w') as f:
        f.write('# PASID-granular IOMMU domain attachment: append to'
                ' debian/patches/series\n')
        f.writelines(where)
    for path, to in carry:
        shutil.copy(path, os.path.join(top, SUBDIR, to))
    fixes = sum(1 for w in where if w.startswith(BUGFIX))
    print('wrote %d patches (%d to %s, %d to %s)' % (
        len(names), fixes, os.path.join(top, BUGFIX), len(names) - fixes,
        os.path.join(top, SUBDIR)))


if __name__ == '__main__':
    main()
