#!/usr/bin/env python3
"""citations.py LIST PATCH...: every upstream commit the series names is one
that LIST holds, under the subject LIST gives it.

The kernel tree holds the base as one commit, without upstream history,
so checkpatch cannot look up the commit ids that Fixes: tags, messages
and the cover letter name: a mistyped id of the right form would pass
it. LIST (UPSTREAM-COMMITS) is the reviewed record of those commits, one
per line, "<id> <subject>", the id 12 to 40 lowercase hex digits as
upstream's history gives it, each checked by hand when it was added.

What is read: the Subject: header, and a patch's message, from its
headers to its "---"; the cover letter's (the one file without a diff),
from its headers to its base-commit: line (the tarball imported as one
commit, not upstream). Lore and patch.msgid.link addresses (message ids,
not commits) are left out, and so are people: the "...-by:", "Cc:" and
"From:" lines up to a "#" (what follows it, such as a stable
prerequisite's id, is read), and the heads of the cover letter's
shortlog.

What is a citation: a word of 7 to 40 hex digits, of either case, with a
digit and a letter in it, or of 12 to 40 digits; any hex word with a
digit (or of 12 digits or more) after "commit", "Fixes:", a
git.kernel.org "/c/" or "/commit/?id=", or a git-describe "-g", or that
a quoted subject follows. Each must be 12 hex digits or more, lowercase,
and the start of an id of LIST. Where a subject follows it, after an
optional "(", ":" or ",", it must be LIST's: in straight or typographic
double quotes, in typographic single quotes, in straight single quotes
inside "(...)", possibly wrapped over lines, or unquoted on the same
line (what starts like a subject, "subsystem: ", must go on as LIST's
does); after "commit" or "Fixes:" one must follow. An id of LIST that nothing names fails too: the list is of
what the series cites. Prints one finding per line; exits 1 on any.
"""
import re
import sys

HEX = r'[0-9a-fA-F]'
# Any run of letters and digits, and where a git-describe suffix starts.
WORD = re.compile(r'-g(%s+)(?![0-9A-Za-z])|(?<![0-9A-Za-z])([0-9A-Za-z]+)' % HEX)
KEYWORD = re.compile(r'(?:\b[Cc]ommit|\bFixes:|/c/|/commit/\?id=)\s*$')
SUBJECT = re.compile(r'\s*[(:,]?\s*(["\u201c\u2018])|\s*\((\')')
CLOSE = {'"': '"', '\u201c': '\u201d', '\u2018': '\u2019', "'": "'"}
# What starts like an unquoted subject: "subsys/part: " and a word.
UNQUOTED = re.compile(r'[ \t]*[(:,]?[ \t]*([A-Za-z][\w.-]*(?:/[\w.-]+)*: +\S)')
# Message ids, and people: trailers up to a "# comment"; in the cover
# letter, the shortlog heads.
IGNORED = re.compile(r'https?://(?:lore\.kernel\.org|patch\.msgid\.link)/\S*|'
                     r'^(?:[\w-]+-by|Cc|From):[^#\n]*', re.M)
SHORTLOG = re.compile(r'^\S.* \(\d+\):$', re.M)
ENTRY = re.compile(r'^([0-9a-f]{12,40}) (\S.*)$')


def read_list(path):
    commits, findings = {}, []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            m = ENTRY.match(line)
            if not m:
                findings.append('%s:%d: not "<12 to 40 lowercase hex digits> <subject>": %s'
                                % (path, n, line))
            elif any(c.startswith(m.group(1)[:12]) for c in commits):
                findings.append('%s:%d: %s is listed twice' % (path, n, m.group(1)))
            else:
                commits[m.group(1)] = m.group(2)
    return commits, findings


def message(path):
    """What is read of the patch or cover letter at PATH: [(first line
    number, text)], its Subject: header (folded lines as they are) and its
    message, and whether it is the cover letter. A patch's message ends at
    its "---", the cover letter's (it has no diff; its own text may hold a
    "---") at base-commit:."""
    with open(path) as f:
        lines = f.read().split('\n')
    start = lines.index('') + 1 if '' in lines else len(lines)
    cover = not any(line.startswith('diff --git ') for line in lines)
    parts = []
    for i in range(start):
        if lines[i].startswith('Subject:'):
            j = i + 1
            while j < start and lines[j][:1] in (' ', '\t'):
                j += 1
            parts.append((i + 1, '\n'.join(lines[i:j])[len('Subject:'):]))
    end = len(lines)
    for i in range(start, len(lines)):
        if (cover and lines[i].startswith('base-commit: ')) or (not cover and lines[i] == '---'):
            end = i
            break
    parts.append((start + 1, '\n'.join(lines[start:end])))
    return parts, cover


def citations(text, cover=False):
    """(offset, word, subject or None, keyword, unquoted) of each
    citation; UNQUOTED: the subject is the text that follows, unquoted."""
    def blank(m):
        return ' ' * len(m.group(0))
    text = IGNORED.sub(blank, text)
    if cover:
        text = SHORTLOG.sub(blank, text)
    for m in WORD.finditer(text):
        word = m.group(1) or m.group(2)
        start = m.start(1) if m.group(1) else m.start(2)
        if not re.fullmatch(HEX + '+', word):
            continue
        s = SUBJECT.match(text, start + len(word))
        subject, unquoted = None, False
        if s:
            close = text.find(CLOSE[s.group(s.lastindex)], s.end())
            if close >= 0:
                subject = ' '.join(text[s.end():close].split())
        else:
            u = UNQUOTED.match(text, start + len(word))
            if u:
                subject, unquoted = ' '.join(text[u.start(1):].split()), True
        keyword = bool(KEYWORD.search(text, 0, start)) or bool(m.group(1))
        # Words such as "added" or "cc" are no ids.
        if not re.search('[0-9]', word) and len(word) < 12:
            continue
        if not (keyword or (subject is not None and not unquoted) or
                (7 <= len(word) <= 40 and re.search('[a-fA-F]', word)) or
                12 <= len(word) <= 40):
            continue
        yield start, word, subject, keyword, unquoted


def check(list_path, patches):
    commits, findings = read_list(list_path)
    cited = set()
    for path in patches:
        parts, cover = message(path)
        for first, text in parts:
            findings += cite(commits, cited, path, first, text, cover, list_path)
    for c in sorted(set(commits) - cited):
        findings.append('%s: %s ("%s") is cited by no patch' % (list_path, c[:12], commits[c]))
    return findings


def cite(commits, cited, path, first, text, cover, list_path):
    """The findings of the citations in TEXT, which starts at line FIRST
    of PATH; adds the commits it cites to CITED."""
    findings = []
    for start, word, subject, keyword, unquoted in citations(text, cover):
        where = '%s:%d' % (path, first + text.count('\n', 0, start))
        if word != word.lower() or not 12 <= len(word) <= 40:
            findings.append('%s: %s is not an id of 12 to 40 lowercase hex digits'
                            % (where, word))
            continue
        known = [c for c in commits if c.startswith(word)]
        if not known:
            findings.append('%s: %s is not in %s' % (where, word, list_path))
            continue
        cited.add(known[0])
        if subject is None:
            if keyword:
                findings.append('%s: %s names no subject ("<subject>")' % (where, word))
        elif unquoted:
            if not subject.startswith(commits[known[0]]):
                findings.append('%s: %s is "%s" upstream, not "%s..." (unquoted)'
                                % (where, word, commits[known[0]], subject[:60]))
        elif subject != commits[known[0]]:
            findings.append('%s: %s is "%s" upstream, not "%s"'
                            % (where, word, commits[known[0]], subject))
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
