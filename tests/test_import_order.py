"""Dependencies point one way (DESIGN.md, "Dependencies point one way"):

    community  <-  courses, events, payments  <-  gamification  <-  messaging

An app imports only from apps to its left: courses, events and payments never import each
other, gamification never imports messaging or payments, community imports none of them.
config and bench sit above every app: config may import the apps, bench may import the apps
and config, and no app imports config or bench (config mounts bench's URLs by name, only in
benchmark mode). Inside community, no two modules import each other, directly or through
others.

Every .py file of these packages is parsed with `ast`; every import counts, absolute or
relative, at module level or inside a function (a deferred import still is a dependency).
Only imports under `if TYPE_CHECKING:` are left out of the cycle check, since they never run.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APPS = {
    "community": set(),
    "courses": {"community"},
    "events": {"community"},
    "payments": {"community"},
    "gamification": {"community", "courses", "events"},
    "messaging": {"community", "courses", "events", "payments", "gamification"},
}
MAY_IMPORT = {**APPS, "config": set(APPS), "bench": {*APPS, "config"}}
PACKAGES = tuple(MAY_IMPORT)
NO_CYCLES_INSIDE = ("community",)
ORDER = (
    "community <- courses, events, payments <- gamification <- messaging; "
    "config may import the apps; bench may import the apps and config; "
    "no app imports config or bench"
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. "community.selectors.feed"
    target: str  # the deepest module of the project it names, or the name as written
    path: str  # the importing file, relative to the root
    line: int
    code: str  # the statement as written
    type_checking: bool = False

    @property
    def where(self):
        return f"{self.path}:{self.line}"


def module_name(root, path):
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root, packages=PACKAGES):
    """{module name: file} for every .py file of the packages."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                modules[module_name(root, path)] = path
    return modules


def _type_checking_nodes(tree):
    """The import statements under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`)."""
    nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for statement in node.body:
                    nodes.update(id(n) for n in ast.walk(statement))
    return nodes


def _resolve(module, names, modules):
    """`from module import name`: the submodule module.name if there is one, else module."""
    if not names:
        yield module
    for name in names:
        candidate = f"{module}.{name}"
        yield candidate if candidate in modules else module


def imports_of(root, source, path, modules):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    guarded = _type_checking_nodes(tree)
    relpath = str(path.relative_to(root))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = source.split(".") if is_package else source.split(".")[:-1]
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module
            names = [alias.name for alias in node.names if alias.name != "*"]
            targets = list(_resolve(module, names, modules))
        else:
            continue
        for target in dict.fromkeys(targets):
            yield Import(
                source, target, relpath, node.lineno, ast.unparse(node), id(node) in guarded
            )


def project_imports(root=ROOT, packages=PACKAGES):
    modules = project_modules(root, packages)
    found = []
    for source, path in modules.items():
        found.extend(imports_of(root, source, path, modules))
    return modules, found


def order_violations(imports, may_import=MAY_IMPORT):
    """Imports from one package of the project into another that the order forbids."""
    bad = []
    for imp in imports:
        source_package, target_package = imp.source.split(".")[0], imp.target.split(".")[0]
        if target_package == source_package or target_package not in may_import:
            continue  # inside one package, or outside the project (Django, the stdlib…)
        if target_package not in may_import[source_package]:
            allowed = ", ".join(sorted(may_import[source_package])) or "none of them"
            bad.append(
                f"{imp.where}: {source_package} imports {target_package} "
                f"(`{imp.code}`); {source_package} may import: {allowed}"
            )
    return bad


def _strongly_connected(graph):
    """Tarjan's algorithm, iterative: the components of more than one module."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return components


def _a_cycle(component, graph):
    """One cycle through the component's first module, as a list of modules."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & component):
            if child == start:
                return paths[node]
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    raise AssertionError("a strongly connected component without a cycle")


def import_cycles(imports, modules, packages=NO_CYCLES_INSIDE):
    """Each cycle of imports between the modules of one package, edge by edge."""
    inside = {m for m in modules if m.split(".")[0] in packages}
    graph = {m: set() for m in inside}
    edges = {}
    for imp in imports:
        if imp.type_checking or imp.source == imp.target:
            continue
        if imp.source in inside and imp.target in inside:
            graph[imp.source].add(imp.target)
            edges.setdefault((imp.source, imp.target), imp)
    cycles = []
    for component in _strongly_connected(graph):
        cycle = _a_cycle(component, graph)
        steps = [
            f"    {edges[(a, b)].where}: {a} -> {b} (`{edges[(a, b)].code}`)"
            for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True)
        ]
        others = sorted(component - set(cycle))
        also = f"\n    (the same knot also holds: {', '.join(others)})" if others else ""
        cycles.append(f"  {' -> '.join([*cycle, cycle[0]])}\n" + "\n".join(steps) + also)
    return cycles


# --- the project ------------------------------------------------------------------------


def test_imports_follow_the_order_between_apps():
    _modules, imports = project_imports()
    bad = order_violations(imports)
    assert not bad, (
        f"{len(bad)} import(s) break DESIGN.md's order ({ORDER}):\n  "
        + "\n  ".join(bad)
        + "\nSend a domain signal from the lower app and listen in the higher one, or move the "
        "code to the app that may import both."
    )


def test_no_import_cycles_inside_community():
    modules, imports = project_imports()
    cycles = import_cycles(imports, modules)
    assert not cycles, (
        f"{len(cycles)} import cycle(s) between modules of "
        f"{', '.join(NO_CYCLES_INSIDE)} (imports inside functions count):\n"
        + "\n".join(cycles)
        + "\nMove what both sides need into a module that neither imports back."
    )


def test_the_scan_sees_the_project():
    """Guards the two tests above against passing because they found nothing."""
    modules, imports = project_imports()
    assert {"community.access", "community.selectors.feed", "config.settings"} <= set(modules)
    assert {"bench.run", "courses.apps", "messaging.apps"} <= set(modules)
    targets = {(imp.source, imp.target) for imp in imports}
    assert ("config.urls", "community.health") in targets
    assert ("community.selectors.feed", "community.access") in targets


# --- the checker itself, on a small made-up project ---------------------------------------


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checker_finds_every_kind_of_import(tmp_path):
    packages = ("community", "courses", "events", "gamification", "messaging", "bench", "config")
    write(tmp_path, {
        "community/__init__.py": "",
        "community/a.py": "def later():\n    from courses import models\n",
        "community/b.py": "import config.celery\n",
        "courses/__init__.py": "",
        "courses/models.py": "from events.models import Event\nfrom community import a\n",
        "events/__init__.py": "",
        "events/models.py": "from ..gamification import x\n",
        "gamification/__init__.py": "",
        "gamification/x.py": "from messaging.y import z\n",
        "messaging/__init__.py": "",
        "messaging/y.py": "from gamification import x\nfrom courses.models import M\n",
        "config/__init__.py": "",
        "config/urls.py": "from bench import probes\nfrom community import a\n",
        "bench/__init__.py": "",
        "bench/probes.py": "from config import urls\nfrom messaging import y\n",
    })  # fmt: skip
    _modules, imports = project_imports(tmp_path, packages)
    bad = order_violations(imports)
    assert {line.split(" (")[0] for line in bad} == {
        "community/a.py:2: community imports courses",
        "community/b.py:1: community imports config",
        "courses/models.py:1: courses imports events",
        "events/models.py:1: events imports gamification",
        "gamification/x.py:1: gamification imports messaging",
        "config/urls.py:1: config imports bench",
    }
    courses = next(line for line in bad if line.startswith("courses/"))
    assert courses.endswith("(`from events.models import Event`); courses may import: community")


def test_the_checker_finds_cycles_through_deferred_and_relative_imports(tmp_path):
    write(tmp_path, {
        "community/__init__.py": "",
        "community/selectors/__init__.py": "from .feed import feed\nfrom .posts import post\n",
        "community/selectors/feed.py": (
            "from community import access\n\n"
            "def feed():\n    from community.selectors.posts import liked_ids\n"
        ),
        "community/selectors/posts.py": "from .feed import with_card_data\n",
        "community/access.py": "from typing import TYPE_CHECKING\n"
                               "if TYPE_CHECKING:\n    from community.selectors import feed\n",
        "community/x.py": "from community import y\n",
        "community/y.py": "from . import z\n",
        "community/z.py": "import community.x\n",
    })  # fmt: skip
    modules, imports = project_imports(tmp_path, ("community",))
    cycles = import_cycles(imports, modules)
    assert len(cycles) == 2
    feed_cycle = next(c for c in cycles if "feed" in c)
    assert feed_cycle.startswith(
        "  community.selectors.feed -> community.selectors.posts -> community.selectors.feed"
    )
    assert "community/selectors/feed.py:4:" in feed_cycle
    assert "community/selectors/posts.py:1:" in feed_cycle
    assert "community.x -> community.y -> community.z -> community.x" in cycles[1]
