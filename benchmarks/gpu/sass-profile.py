#!/usr/bin/env python3
"""Where a profiled pair kernel's instructions and stalls go, from Nsight Compute's source page per SASS instruction.

Reads the CSV that benchmarks/gpu/profile-run.sh writes (`ncu --page source --csv --print-source sass`, plain or
gzipped) and the pairs the profiled launch scored (profile-run.sh: 512 x 1,024). Prints the instructions per pair; each
opcode's share of the executed instructions and of the stall samples; the instructions with the most stall samples,
with how often each runs per pair (26 on the mid seed: once a period; 156: once a pool and period); and the blocks that
run at least --min times per pair, one line per run of instructions with the same count, so the lease step, the job
visit and the spot sale stand out with their sizes.
Usage: sass-profile.py ncu-source.csv[.gz] [--pairs 524288] [--top 25] [--min 20]
"""
import argparse
import collections
import csv
import gzip
import re


def rows(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', newline='') as f:
        table = list(csv.reader(f))
    header = next(i for i, r in enumerate(table) if 'Address' in r and 'Source' in r)
    names = {name: i for i, name in enumerate(table[header])}
    return names, table[header + 1:]


def number(text):
    try:
        return float(text.replace(',', ''))
    except ValueError:
        return 0.0


def opcode(source):
    m = re.match(r'\s*(?:@!?U?P\w+\s+)?([A-Z0-9_.]+)', source)
    return m.group(1).split('.')[0] if m else source.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('csv')
    parser.add_argument('--pairs', type=int, default=512 * 1024)
    parser.add_argument('--top', type=int, default=25)
    parser.add_argument('--min', type=float, default=20)
    args = parser.parse_args()
    names, table = rows(args.csv)
    # A warp executes an instruction once for 32 pairs: executions per pair are the warp count over pairs / 32.
    per_pair = [(r[names['Address']], r[names['Source']].strip(), number(r[names['Instructions Executed']]) * 32 / args.pairs,
                 number(r[names['Warp Stall Sampling (All Samples)']])) for r in table]
    executed = sum(n for _, _, n, _ in per_pair)
    samples = sum(s for _, _, _, s in per_pair) or 1
    print(f'{executed:,.0f} instructions per pair (thread), {samples:,.0f} stall samples')

    by_opcode, stalls = collections.Counter(), collections.Counter()
    for _, source, n, s in per_pair:
        by_opcode[opcode(source)] += n
        stalls[opcode(source)] += s
    print('\nopcode      instructions  stall samples')
    for name, n in by_opcode.most_common(20):
        print(f'{name:10s} {n / executed:12.1%} {stalls[name] / samples:14.1%}')

    print(f'\nthe {args.top} instructions with the most stall samples (runs per pair, share of samples)')
    for address, source, n, s in sorted(per_pair, key=lambda r: -r[3])[:args.top]:
        print(f'{address[-5:]} {n:8.2f} {s / samples:6.1%}  {source[:90]}')

    print(f'\nblocks run at least {args.min:g} times per pair: first address, runs, instructions, their share of all')
    block = None
    for address, source, n, _ in per_pair + [('', '', -1.0, 0)]:
        if block and abs(n - block[1]) < 0.01:
            block[2] += 1
            continue
        if block and block[1] >= args.min:
            print(f'{block[0][-5:]} {block[1]:8.2f} {block[2]:4d} {block[1] * block[2] / executed:6.1%}')
        block = [address, n, 1]


if __name__ == '__main__':
    main()
