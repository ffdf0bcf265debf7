"""Read memoire's TMX and TBX exports with Translate Toolkit, a real client,
and print the pairs it finds as JSON: {"tmx": [[source, target], ...],
"tbx": [[source, target], ...]}. Exit 3 when translate-toolkit is missing.

Usage: translate_toolkit_check.py EXPORT.tmx EXPORT.tbx"""
import json
import sys

try:
    from translate.storage import tbx, tmx
except ImportError:
    sys.exit(3)


def pairs(store):
    return [[str(unit.source), str(unit.target)] for unit in store.units if unit.source]


tmx_path, tbx_path = sys.argv[1], sys.argv[2]
with open(tmx_path, "rb") as f:
    tmx_store = tmx.tmxfile(f, sourcelanguage="fr", targetlanguage="en")
with open(tbx_path, "rb") as f:
    tbx_store = tbx.tbxfile(f)
print(json.dumps({"tmx": pairs(tmx_store), "tbx": pairs(tbx_store)}, ensure_ascii=False))
