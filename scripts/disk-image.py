#!/usr/bin/env python3
"""disk-image.py PATH: the guests' test disk.

Writes PATH (8 MiB of fixed pseudo-random data) unless it exists, and
prints its 64-bit FNV-1a hash in hex, which the guest's disk-dma check
compares with what it read by DMA. The hash is cached in PATH.fnv.
"""
import hashlib
import os
import sys

SIZE = 8 << 20


def main():
    path = sys.argv[1]
    if not os.path.exists(path) or os.path.getsize(path) != SIZE:
        with open(path + '.tmp', 'wb') as f:
            for i in range(SIZE // 32):
                f.write(hashlib.sha256(i.to_bytes(4, 'little')).digest())
        os.replace(path + '.tmp', path)
        if os.path.exists(path + '.fnv'):
            os.remove(path + '.fnv')
    if not os.path.exists(path + '.fnv') or os.path.getmtime(path + '.fnv') < os.path.getmtime(path):
        h = 0xcbf29ce484222325
        for b in open(path, 'rb').read():
            h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
        with open(path + '.fnv', 'w') as f:
            f.write('%016x\n' % h)
    print(open(path + '.fnv').read().strip())


if __name__ == '__main__':
    main()
