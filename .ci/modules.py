#!/usr/bin/env python3
"""The house's walls, checked from the source (issue 17): builds the graph of which file of
src/ uses which (from `crate::…`, `super::…` and `$crate::…` paths in code, not comments)
and reports
  - import circles between files,
  - circles between top-level module folders,
  - uses of another module's repo (`crate::<module>::repo`, `<module>::…_repo`) from outside it,
  - transactions opened (`db.read()`, `db.write()`) anywhere but at the edge: a handler (a
    function taking `State<AppState>`, or any function of a `pages.rs`/`api.rs` file), the
    web layer, the job runner, the command line, the outbox runner and `db` itself. A
    service takes the caller's `&mut Tx` instead, so that a request is one transaction.
Each kind is compared with the known debt listed in .ci/modules-debt.txt: a new entry fails,
and so does a listed one that is gone (remove it from the list when it is paid)."""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "src")
files = {}
for d, _, names in os.walk(ROOT):
    for n in names:
        if n.endswith(".rs"):
            p = os.path.relpath(os.path.join(d, n), ROOT)
            parts = p[:-3].split(os.sep)
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts == ["lib"] or parts == ["main"]:
                parts = []
            files["::".join(parts)] = p


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)


def resolve(path):
    """The longest module prefix of `a::b::c` that is a file."""
    parts = path.split("::")
    while parts:
        key = "::".join(parts)
        if key in files:
            return key
        parts = parts[:-1]
    return None


edges = {}
for mod, rel in files.items():
    text = strip(open(os.path.join(ROOT, rel), encoding="utf-8").read())
    here = mod.split("::") if mod else []
    # a file's `super` is its parent module; mod.rs files are their own folder
    base = here[:-1] if not rel.endswith("mod.rs") else here[:-1]
    targets = set()
    for m in re.finditer(r"\$?crate::([A-Za-z_][\w:]*)", text):
        targets.add(m.group(1))
    for m in re.finditer(r"\bsuper::((?:super::)*)([A-Za-z_][\w:]*)", text):
        up = 1 + m.group(1).count("super::")
        anchor = here[: max(0, len(here) - up)]
        targets.add("::".join(anchor + [m.group(2)]))
    # groups: `use crate::{a, b}`, `use super::{a, b}`, `use crate::x::{y, z::w as v}`
    for m in re.finditer(r"\b(crate|super)((?:::\w+)*)::\{([^{}]*)\}", text):
        anchor = [] if m.group(1) == "crate" else here[:-1]
        anchor = anchor + [p for p in m.group(2).split("::") if p]
        for item in m.group(3).split(","):
            item = item.strip().split(" as ")[0].strip()
            if item == "self":
                targets.add("::".join(anchor))
            elif item:
                targets.add("::".join(anchor + [item]))
    for t in targets:
        r = resolve(t)
        if r is not None and r != mod and not mod.startswith(r + "::") and r != "":
            edges.setdefault(mod, set()).add(r)


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


found = set()
for comp in cycles(edges):
    found.add("file-circle: " + " <-> ".join(comp))
folders = {}
for a, bs in edges.items():
    fa = a.split("::")[0]
    for b in bs:
        fb = b.split("::")[0]
        if fa != fb:
            folders.setdefault(fa, set()).add(fb)
for comp in cycles(folders):
    found.add("folder-circle: " + " <-> ".join(comp))
for a, bs in edges.items():
    for b in bs:
        top_a, top_b = a.split("::")[0], b.split("::")[0]
        leaf = b.split("::")[-1]
        if top_a != top_b and (leaf == "repo" or leaf.endswith("_repo")):
            found.add(f"foreign-repo: {a} -> {b}")

EDGE_DIRS = ("web", "jobs", "cli", "outbox")
EDGE_FILES = ("db.rs", "lib.rs", "main.rs")
for mod, rel in files.items():
    parts = rel.split(os.sep)
    if parts[0] in EDGE_DIRS or rel in EDGE_FILES or parts[-1] in ("pages.rs", "api.rs"):
        continue
    text = strip(open(os.path.join(ROOT, rel), encoding="utf-8").read())
    fns = [(m.start(), m.group(1)) for m in re.finditer(r"\bfn\s+(\w+)", text)]
    for m in re.finditer(r"\bdb\s*\.\s*(read|write)\s*\(\s*\)", text):
        owner = [f for f in fns if f[0] < m.start()]
        if not owner:
            continue
        start, name = owner[-1]
        signature = text[start : text.find("{", start)]
        if "State<AppState>" in signature:
            continue
        found.add(f"service-tx: {mod}::{name}")

debt_file = os.path.join(os.path.dirname(__file__), "modules-debt.txt")
debt = set()
if os.path.exists(debt_file):
    debt = {l.strip() for l in open(debt_file, encoding="utf-8") if l.strip() and not l.startswith("#")}
new, paid = sorted(found - debt), sorted(debt - found)
print(f"modules: {len(files)} files, {sum(len(v) for v in edges.values())} uses; "
      f"{len(found)} known problems ({len(debt)} listed as debt)")
for n in new:
    print("NEW  ", n)
for p in paid:
    print("PAID ", p, "(remove it from .ci/modules-debt.txt)")
if "--write-debt" in sys.argv:
    with open(debt_file, "w", encoding="utf-8") as f:
        f.write("# The walls not yet built (issue 17): each line is paid by removing it with the code\n")
        f.write("# that fixes it. Written by `python3 .ci/modules.py --write-debt`.\n")
        for line in sorted(found):
            f.write(line + "\n")
    sys.exit(0)
sys.exit(1 if new or paid else 0)
