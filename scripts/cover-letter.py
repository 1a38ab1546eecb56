#!/usr/bin/env python3
"""cover-letter.py OLD NEW: keep our words in a regenerated cover letter.

git format-patch --cover-letter writes NEW with a placeholder subject and
blurb, then the shortlog, diffstat and base-commit. This rewrites NEW with
OLD's subject text (behind NEW's "[PATCH 0/N]" prefix) and OLD's blurb,
followed by NEW's generated part.
"""
import re
import sys

SUBJECT = r'^Subject: (\[[^]]*\] )?(.*(?:\n .*)*)'


def parts(text):
    head, body = text.split('\n\n', 1)
    # The generated part starts at the shortlog's "Author (N):" line.
    m = re.search(r'^\S.* \(\d+\):$', body, re.M)
    if not m:
        sys.exit('cover-letter.py: no shortlog in the cover letter')
    return head, body[:m.start()], body[m.start():]


def main():
    old_path, new_path = sys.argv[1:3]
    ohead, oblurb, _ = parts(open(old_path).read())
    nhead, _, ngen = parts(open(new_path).read())
    text = re.search(SUBJECT, ohead, re.M).group(2)
    nhead = re.sub(SUBJECT, lambda m: 'Subject: ' + (m.group(1) or '') + text, nhead, flags=re.M)
    with open(new_path, 'w') as f:
        f.write(nhead + '\n\n' + oblurb + ngen)


if __name__ == '__main__':
    main()
