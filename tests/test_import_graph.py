"""Our modules import one another in one direction: no cycle, and accounts below questionnaire.

Read from the source with ast, so that the imports inside functions (the usual way a cycle hides)
count as much as the ones at the top of a module.
"""

import ast
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PACKAGES = ("accounts", "api", "linkcheck", "msq_portal", "questionnaire")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _our_modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def _imported(node: ast.AST, *, module: str, is_package: bool) -> list[str]:
    """The modules an import statement names (`from a import b` names a.b when b is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def import_graph() -> dict[str, set[str]]:
    """Each of our modules → the modules of ours it imports, at the top or inside a function."""
    modules = _our_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        graph[module] = {
            name
            for node in ast.walk(tree)
            for name in _imported(node, module=module, is_package=is_package)
            if name in modules and name != module
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def test_import_graph_accounts_never_imports_questionnaire():
    graph = import_graph()
    reaching = {
        f"{module} → {imported}"
        for module, imports in graph.items()
        if module.split(".")[0] == "accounts"
        for imported in imports
        if imported.split(".")[0] == "questionnaire"
    }
    assert reaching == set()


def test_import_graph_finds_imports_inside_functions():
    # The test would prove nothing if it missed the imports that hide cycles.
    graph = import_graph()
    # questionnaire/apps.py imports its receivers inside ready().
    assert "questionnaire.receivers" in graph["questionnaire.apps"]


def test_cycles_finds_a_loop_of_three():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
