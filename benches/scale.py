#!/usr/bin/env python3
"""A memory of N pairs for the scale run (issue 14): the Hansard CSV, then
perturbed copies of its rows until N rows are written.

    benches/scale.py HANSARD.csv[.xz] N > scale.csv

A copy of a row changes its source and its target the same way, with a
random generator seeded by the copy's number (the file is the same at
every run): one to three words of the source dropped, repeated or swapped
with a neighbour, and a copy number put in the source and the target, so
that every copy is a new pair (no duplicate is skipped) that looks like a
near-repeat of a real sentence, as a growing wire memory holds them.
"""
import csv
import lzma
import random
import sys


def rows(path):
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        yield header
        for row in reader:
            if len(row) >= 2 and row[0] and row[1]:
                yield row[:2]


def perturb(words, rng):
    words = list(words)
    for _ in range(rng.randint(1, 3)):
        if len(words) < 3:
            break
        i = rng.randrange(len(words) - 1)
        what = rng.random()
        if what < 0.4:
            words[i], words[i + 1] = words[i + 1], words[i]
        elif what < 0.7:
            del words[i]
        else:
            words.insert(i, words[i])
    return words


def main():
    path, total = sys.argv[1], int(sys.argv[2])
    out = csv.writer(sys.stdout, lineterminator="\n")
    source = rows(path)
    out.writerow(next(source))
    originals = list(source)
    written = 0
    for row in originals:
        if written == total:
            return
        out.writerow(row)
        written += 1
    copy = 0
    while written < total:
        copy += 1
        rng = random.Random(copy)
        for fr, en in originals:
            if written == total:
                return
            fr_words = perturb(fr.split(), rng)
            out.writerow([f"{' '.join(fr_words)} ({copy})", f"{en} ({copy})"])
            written += 1


if __name__ == "__main__":
    main()
