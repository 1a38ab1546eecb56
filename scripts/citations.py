#!/usr/bin/env python3
"""citations.py LIST PATCH...: every upstream commit the series names is one
that LIST holds, under the subject LIST gives it.

The kernel tree holds the base as one commit, without upstream history,
so checkpatch cannot look up the commit ids that Fixes: tags, messages
and the cover letter name: a mistyped id of the right form would pass
it. LIST (UPSTREAM-COMMITS) is the reviewed record of those commits, one
per line, "<12-character id> <subject>", each checked by hand against
upstream's history when it was added.

A citation is any word of 12 to 40 hex digits in a message: a patch's
from its headers to its "---", the cover letter's from its headers to its
base-commit: line (the tarball imported as one commit, not upstream). It
must start with an id of LIST, and where a quoted subject follows it, as
in 'commit <id> ("<subject>")', 'Fixes: <id> ("<subject>")' or
'(<id> "<subject>")', possibly wrapped over lines, that subject must be
LIST's. An id LIST holds that no patch names fails too: the list is of
what the series cites. Prints one finding per line; exits 1 on any.
"""
import re
import sys

ID = re.compile(r'\b[0-9a-f]{12,40}\b')
SUBJECT = re.compile(r'\s*\(?"([^"]*)"')
ENTRY = re.compile(r'^([0-9a-f]{12}) (\S.*)$')


def read_list(path):
    commits, findings = {}, []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            m = ENTRY.match(line)
            if not m:
                findings.append('%s:%d: not "<12-character id> <subject>": %s'
                                % (path, n, line))
            elif m.group(1) in commits:
                findings.append('%s:%d: %s is listed twice' % (path, n, m.group(1)))
            else:
                commits[m.group(1)] = m.group(2)
    return commits, findings


def message(path):
    """The message of the patch or cover letter at PATH, as (first line
    number, text)."""
    with open(path) as f:
        lines = f.read().split('\n')
    start = lines.index('') + 1 if '' in lines else len(lines)
    end = len(lines)
    for i in range(start, len(lines)):
        if lines[i] == '---' or lines[i].startswith('base-commit: '):
            end = i
            break
    return start + 1, '\n'.join(lines[start:end])


def check(list_path, patches):
    commits, findings = read_list(list_path)
    cited = set()
    for path in patches:
        first, text = message(path)
        for m in ID.finditer(text):
            where = '%s:%d' % (path, first + text.count('\n', 0, m.start()))
            word = m.group(0)
            known = word[:12]
            if known not in commits:
                findings.append('%s: %s is not in %s' % (where, word, list_path))
                continue
            cited.add(known)
            s = SUBJECT.match(text, m.end())
            if s:
                subject = ' '.join(s.group(1).split())
                if subject != commits[known]:
                    findings.append('%s: %s is "%s" upstream, not "%s"'
                                    % (where, word, commits[known], subject))
    for c in sorted(set(commits) - cited):
        findings.append('%s: %s ("%s") is cited by no patch' % (list_path, c, commits[c]))
    return findings


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    findings = check(sys.argv[1], sys.argv[2:])
    for f in findings:
        print(f)
    print('citations: %d upstream commits named, %d findings'
          % (len(read_list(sys.argv[1])[0]), len(findings)))
    sys.exit(1 if findings else 0)


if __name__ == '__main__':
    main()
