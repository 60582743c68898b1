"""Every English text the programs print through the catalog has its Korean in common/i18n_ko.c,
with the same printf conversions in the same order (the Korean is handed the English's arguments).

The texts are found in the sources: the string literals given to T(...) and to cli_fail(prog, ...),
and, in the three programs (runner/, server/, client/), the usage text and each option's help.
Usage: korean_catalog.py REPO_ROOT   -> exit 0, or 1 listing every problem."""
import os
import re
import sys

ROOT = sys.argv[1]
SOURCES = ["common", "lessons/engine", "runner", "server", "client"]
PROGRAMS = ["runner", "server", "client"]

C_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'", "r": "\r", "0": "\0"}


def literal_run(text, i):
    """The C string literals starting at text[i] (after blanks and comments), concatenated, and
    where they end; None when text[i:] does not start with a literal."""
    out, found = [], False
    while True:
        m = re.match(r'(\s|/\*.*?\*/|//[^\n]*)*', text[i:], re.S)
        j = i + m.end()
        if j >= len(text) or text[j] != '"':
            return ("".join(out), i) if found else None
        j += 1
        while text[j] != '"':
            if text[j] == "\\":
                out.append(C_ESCAPES.get(text[j + 1], text[j + 1]))
                j += 2
            else:
                out.append(text[j])
                j += 1
        found, i = True, j + 1


def texts_in(path, program):
    """The literals that follow each match of each pattern."""
    text = open(path, encoding="utf-8").read()
    patterns = [r"\bT\(", r"\bcli_fail\([^,]*,"]
    if program:
        patterns += [r"\{\"[a-z0-9-]+\", CLI_[A-Z]+, [^,]+, [^,]+, [^,]+,", r"static const char usage\[\] ="]
    found = []
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            lit = literal_run(text, m.end())
            if lit is not None:
                found.append(lit[0])
    return found


def catalog():
    text = open(os.path.join(ROOT, "common/i18n_ko.c"), encoding="utf-8").read()
    pairs, i = [], text.index("pairs[] = {")
    while True:
        i = text.find("{", i + 1)
        if i < 0:
            break
        en = literal_run(text, i + 1)
        if en is None:
            continue
        comma = re.match(r"\s*,", text[en[1]:])
        ko = literal_run(text, en[1] + comma.end()) if comma else None
        if ko is None:
            continue
        pairs.append((en[0], ko[0]))
        i = ko[1]
    return pairs


CONVERSION = re.compile(r"%[-+ #0]*(\*|\d+)?(\.(\*|\d+))?(hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcspn%]")


def conversions(s):
    return [m.group(0) for m in CONVERSION.finditer(s)]


def main():
    problems = []
    pairs = catalog()
    ko = {}
    for en, k in pairs:
        if en in ko:
            problems.append(f"listed twice: {en!r}")
        ko[en] = k
        if conversions(en) != conversions(k):
            problems.append(f"conversions differ: {conversions(en)} in {en!r}, {conversions(k)} in {k!r}")
        if not k.strip() and en.strip():
            problems.append(f"empty Korean for {en!r}")
    used = set()
    for d in SOURCES:
        for dirpath, _, files in os.walk(os.path.join(ROOT, d)):
            for f in sorted(files):
                if f.endswith(".c") and f != "i18n_ko.c":
                    path = os.path.join(dirpath, f)
                    for t in texts_in(path, d in PROGRAMS):
                        used.add(t)
                        if t not in ko:
                            problems.append(f"no Korean for {t!r} ({os.path.relpath(path, ROOT)})")
    for en in ko:
        if en not in used:
            problems.append(f"in the catalog but used nowhere: {en!r}")
    for p in problems:
        print(p)
    print(f"{len(used)} texts in the sources, {len(pairs)} in the catalog, {len(problems)} problems")
    return 1 if problems else 0


sys.exit(main())
