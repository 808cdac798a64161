#!/usr/bin/env python3
"""The loops of a SASS listing (cuobjdump -sass), nested, each with its instructions and the most frequent opcodes.

Each backward branch closes a loop from its target to itself; a loop's "own" instructions exclude its inner loops.
Static counts: a loop body's size, not how often it runs. Usage: sass-loops.py LISTING.sass
"""
import re
import sys


def instructions(path):
    found = []
    for line in open(path):
        m = re.match(r'\s+/\*([0-9a-f]{4,})\*/\s+(.*?)\s*;', line)
        if m:
            found.append((int(m.group(1), 16), m.group(2).strip()))
    return found


def opcode(text):
    words = text.split()
    word = words[1] if words[0].startswith('@') and len(words) > 1 else words[0]
    return word.split('.')[0]


def main(path):
    listing = instructions(path)
    at = {address: i for i, (address, _) in enumerate(listing)}
    loops = set()
    for i, (address, text) in enumerate(listing):
        m = re.search(r'\bBRA\b.*?(0x[0-9a-f]+)', text)
        if m and int(m.group(1), 16) <= address and int(m.group(1), 16) in at:
            loops.add((at[int(m.group(1), 16)], i))
    loops = sorted(loops, key=lambda loop: (loop[0], -loop[1]))
    for first, last in loops:
        depth = sum(1 for a, b in loops if (a, b) != (first, last) and a <= first and b >= last)
        inner = set()
        for a, b in loops:
            if (a, b) != (first, last) and a >= first and b <= last:
                inner.update(range(a, b + 1))
        own = [listing[i][1] for i in range(first, last + 1) if i not in inner]
        counts = {}
        for text in own:
            counts[opcode(text)] = counts.get(opcode(text), 0) + 1
        top = ' '.join(f'{op}:{n}' for op, n in sorted(counts.items(), key=lambda x: -x[1])[:10])
        print(f"{'  ' * depth}loop {listing[first][0]:#06x}-{listing[last][0]:#06x}: {last - first + 1} instructions, own {len(own)} | {top}")
    print(f'{len(listing)} instructions in all')


if __name__ == '__main__':
    main(sys.argv[1])
