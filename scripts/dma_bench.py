#!/usr/bin/env python3
"""dma_bench.py OUT BEFORE_LOG AFTER_LOG [BEFORE_LOG AFTER_LOG ...]: the DMA
map benchmark before and after the series' VT-d patches.

Reads the consoles of guests/dma-bench/ boots, given in pairs booted one
after the other (the kernel before the VT-d patches, then the kernel of
the whole series), each with the runs of the dma-map-bench check. Per pair,
the ratio after/before of the medians of the runs' mean map and unmap
times; the table gives the median and the range of those ratios over the
pairs, and the medians of each side for reference. Writes OUT (the table)
and prints it, ending with one summary line.

Exits 1 when a boot did not run every run the benchmark asked for, its
device was not behind a strict DMA domain, it was not the kernel its side
names (the series' kernel has intel_iommu_attach_dev_pasid, the one before
its VT-d patches has not), or the kernel reported anything.
"""
import re
import statistics
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import REPORTS  # noqa: E402  the kernel reports the guests' judge knows

RUN = re.compile(r'# dma-map-bench map_100ns=(\d+) map_sd=(\d+) unmap_100ns=(\d+) unmap_sd=(\d+)')
TYPE = re.compile(r'# dma-map-bench device (\S+), IOMMU group type (\S*)')
OK = re.compile(r'^ok \d+ guest\.dma-map-bench - (\d+) runs of 2 s')
HAS = re.compile(r'# dma-map-bench kernel has intel_iommu_attach_dev_pasid: (yes|no)$')


def parse(path, after):
    """(map means, unmap means, cpu, problems) of one boot, in 100 ns."""
    maps, unmaps, problems, cpu, runs, gtype, has = [], [], [], '?', None, None, None
    for raw in open(path, errors='replace'):
        line = re.sub(r'^\[\s*\d+\.\d+\]\s?', '', raw.rstrip('\r\n'))
        if REPORTS.search(line):
            problems.append('kernel: ' + line.strip())
        m = RUN.search(line)
        if m:
            maps.append(int(m.group(1)))
            unmaps.append(int(m.group(3)))
        m = TYPE.search(line)
        if m:
            gtype = m.group(2)
        m = OK.match(line)
        if m:
            runs = int(m.group(1))
        m = HAS.search(line)
        if m:
            has = m.group(1) == 'yes'
        if line.startswith('# dma-map-bench cpu: '):
            cpu = line.split('\t: ', 1)[-1].strip()
    if runs is None or len(maps) != runs:
        problems.append('the benchmark did not run to its end: %d of %s runs'
                        % (len(maps), runs if runs is not None else '?'))
    if has is not after:
        problems.append('not the kernel %s the VT-d patches (intel_iommu_attach_dev_pasid: %s)'
                        % ('after' if after else 'before',
                           {True: 'yes', False: 'no', None: 'not said'}[has]))
    if gtype != 'DMA':
        problems.append('IOMMU group type %r, not a strict DMA domain' % gtype)
    if min(maps + unmaps, default=1) <= 0:
        problems.append('a mean of 0: below the benchmark\'s 100 ns resolution')
    return maps, unmaps, cpu, problems


def per_run(boot):
    """A boot's runs: map and unmap means, and the unmap/map ratio of each."""
    maps, unmaps = boot[0], boot[1]
    return {'map': maps, 'unmap': unmaps,
            'unmap/map': [u / m for m, u in zip(maps, unmaps)]}


def main():
    out, logs = sys.argv[1], sys.argv[2:]
    if len(logs) < 2 or len(logs) % 2:
        sys.exit('usage: dma_bench.py OUT BEFORE_LOG AFTER_LOG [BEFORE_LOG AFTER_LOG ...]')
    boots = [(path, parse(path, i % 2 == 1)) for i, path in enumerate(logs)]
    problems = ['%s: %s' % (os.path.basename(p), x) for p, b in boots for x in b[3]]
    lines = ['DMA map benchmark (kernel/dma/map_benchmark.c): one thread maps and',
             'unmaps one page, bidirectional, on QEMU\'s edu device behind emulated',
             'VT-d (scalable mode, strict invalidation); boots alternate between the',
             'series up to its VT-d patches (before) and the whole series (after).',
             'unmap/map: per run, the unmap time over the map time of the same run,',
             'which the patches do not change: the control for the host\'s speed.',
             'Guest CPU: %s.' % boots[0][1][2], '']
    if problems:
        lines += ['FAILED: ' + p for p in problems]
    else:
        ratios = {'map': [], 'unmap': [], 'unmap/map': []}
        sides = {k: ([], []) for k in ratios}
        for i in range(0, len(boots), 2):
            before, after = boots[i][1], boots[i + 1][1]
            for k in ratios:
                b, a = [statistics.median(runs[k]) for runs in (per_run(before), per_run(after))]
                ratios[k].append(a / b)
                sides[k][0].append(b)
                sides[k][1].append(a)
        lines.append('%-9s %12s %12s %24s' % ('', 'before', 'after', 'after/before [min-max]'))
        for k in ('map', 'unmap', 'unmap/map'):
            r = ratios[k]
            unit = 1 if k == 'unmap/map' else 10
            lines.append('%-9s %12.2f %12.2f %10.3f [%.3f-%.3f]' % (
                k + ('' if unit == 1 else ' (us)'), statistics.median(sides[k][0]) / unit,
                statistics.median(sides[k][1]) / unit, statistics.median(r), min(r), max(r)))
        least = min(min(b[1][0] + b[1][1]) for b in boots)
        lines += ['', '%d pairs of boots, %d runs of 2 s each; per pair the medians of the runs.'
                  % (len(boots) // 2, len(boots[0][1][0])),
                  'The benchmark counts whole 100 ns steps: the shortest mean, %d steps,'
                  % least,
                  'resolves a change of %.0f %%; the timed calls include the clock reads.'
                  % (100.0 / least)]
    text = '\n'.join(lines) + '\n'
    with open(out, 'w') as f:
        f.write(text)
    sys.stdout.write(text)
    if problems:
        print('dma-map-bench: FAILED (%d problems)' % len(problems))
        return 1
    print('dma-map-bench: unmap/map after/before %.3f [%.3f-%.3f]; unmap %.3f, map %.3f'
          ' (medians of %d pairs)'
          % (statistics.median(ratios['unmap/map']), min(ratios['unmap/map']),
             max(ratios['unmap/map']), statistics.median(ratios['unmap']),
             statistics.median(ratios['map']), len(boots) // 2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
