"""Read a file memoire wrote with Translate Toolkit, a real client, and
print the (source, target) pairs it finds as a JSON list. Exit 3 when
translate-toolkit is missing.

With xliff-fuzzy, each unit also says whether Translate Toolkit reads it
as fuzzy (not approved): [source, target, fuzzy].

Usage: translate_toolkit_check.py tmx|tbx|xliff|xliff2|xliff-fuzzy FILE"""
import json
import sys

try:
    from translate.storage import tbx, tmx, xliff, xliff2
except ImportError:
    sys.exit(3)

kind, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    data = f.read()
store = {
    "tmx": lambda: tmx.tmxfile(data, sourcelanguage="fr", targetlanguage="en"),
    "tbx": lambda: tbx.tbxfile(data),
    "xliff": lambda: xliff.xlifffile(data),
    "xliff-fuzzy": lambda: xliff.xlifffile(data),
    "xliff2": lambda: xliff2.Xliff2File(data),
}[kind]()
if kind == "xliff-fuzzy":
    pairs = [
        [str(u.source), str(u.target) if u.target else "", bool(u.isfuzzy())]
        for u in store.units
        if u.source
    ]
else:
    pairs = [[str(u.source), str(u.target) if u.target else ""] for u in store.units if u.source]
print(json.dumps(pairs, ensure_ascii=False))
