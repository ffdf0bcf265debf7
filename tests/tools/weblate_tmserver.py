"""Weblate's own tmserver client against `memoire serve`.

Usage: weblate_tmserver.py BASE_URL SOURCE_TEXT

Weblate (pinned: `pip install --no-deps weblate==5.14.3`) cannot be
imported whole without its server (Django apps, a database, cairo, borg):
this runs its real `weblate/machinery/tmserver.py`, unchanged, read from
the installed package, over a base class made of Weblate's own
`get_api_url`, `api_base_url` and `map_language_code` taken from its
`weblate/machinery/base.py` (by name, with `ast`), and `request` doing what
Weblate's does for this client (a GET that raises on an HTTP error).
Prints the languages and the suggestions as JSON.
"""

import ast
import importlib.metadata
import json
import sys
import types
from itertools import chain  # noqa: F401  (used by get_api_url)
from urllib.parse import quote  # noqa: F401  (used by get_api_url)

import requests

base_url, text = sys.argv[1], sys.argv[2]
dist = importlib.metadata.distribution("weblate")
machinery = dist.locate_file("weblate/machinery")
base_source = (machinery / "base.py").read_text(encoding="utf-8")
client_source = (machinery / "tmserver.py").read_text(encoding="utf-8")

# Weblate's own methods, by name, from its MachineTranslation class.
wanted = {"get_api_url", "api_base_url", "map_language_code"}
tree = ast.parse(base_source)
methods = [
    node
    for cls in tree.body
    if isinstance(cls, ast.ClassDef)
    and cls.name in ("BatchMachineTranslation", "MachineTranslation")
    for node in cls.body
    if isinstance(node, ast.FunctionDef) and node.name in wanted
]
assert {m.name for m in methods} == wanted, [m.name for m in methods]
for method in methods:
    # Kept as Weblate declares them (api_base_url is a property).
    method.decorator_list = [
        d for d in method.decorator_list if isinstance(d, ast.Name) and d.id == "property"
    ]
namespace = {"chain": chain, "quote": quote}
module = ast.Module(body=methods, type_ignores=[])
exec(compile(module, str(machinery / "base.py"), "exec"), namespace)


class MachineTranslation:
    name = "base"
    language_map = {}
    request_timeout = 20

    def __init__(self, settings):
        self.settings = settings

    def request(self, method, url, **kwargs):
        response = requests.request(
            method, url, headers={"Accept": "application/json; charset=utf-8"}, timeout=20
        )
        response.raise_for_status()
        return response

    @property
    def supported_languages(self):
        return set(self.download_languages())


for name in wanted:
    setattr(MachineTranslation, name, namespace[name])

base = types.ModuleType("weblate.machinery.base")
base.MachineTranslation = MachineTranslation
base.MACHINERY_DEFAULT_THRESHOLD = 75
forms = types.ModuleType("weblate.machinery.forms")
forms.URLMachineryForm = object
forms.BaseMachineryForm = object
package = types.ModuleType("weblate.machinery")
package.__path__ = []
sys.modules.update(
    {
        "weblate": types.ModuleType("weblate"),
        "weblate.machinery": package,
        "weblate.machinery.base": base,
        "weblate.machinery.forms": forms,
    }
)
client = types.ModuleType("weblate.machinery.tmserver")
client.__package__ = "weblate.machinery"
exec(compile(client_source, str(machinery / "tmserver.py"), "exec"), client.__dict__)

tm = client.TMServerTranslation({"url": base_url})
languages = tm.download_languages()
source = tm.map_language_code("fr")
target = tm.map_language_code("en-GB")
suggestions = list(
    tm.download_translations(source, target, text, None, None, threshold=50)
)
print(
    json.dumps(
        {
            "version": dist.version,
            "languages": languages,
            "codes": [source, target],
            "supported": tm.is_supported(source, target),
            "suggestions": suggestions,
        },
        ensure_ascii=False,
    )
)
