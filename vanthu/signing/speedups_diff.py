"""Faster versions of the hot parts of pyHanko 0.38's difference analysis, with the same results.

Validating a document signed twice spends most of its time in pyHanko's difference analysis
(`pyhanko.sign.diff_analysis`), which judges everything written after a signature: the personal signature of
an issued document is followed by the revision of the organisation's seal. Most of that time goes to
`HistoricalResolver._load_reverse_xref_cache`, which walks every path from the trailer to every object of the
signed revision, so that later rules can ask "through which paths is this object used?" (measured with
cProfile; docs/benchmarks.md). pyHanko builds each path as a linked list (`ConsList`, a frozen dataclass whose
hash and equality recurse through the whole path), calls itself once for every number of every array
(font widths), and turns every path of every object into a `RawPdfPath` in a set, although the rules look up
the paths of a handful of objects only.

`load_reverse_xref_cache` walks the same paths in the same order, with the same rules (the canonical path into
the page tree, the structure tree, `/Parent` and `/P` skipped, cycles cut on the current path) and the same
recursion depth per level of nesting, but keeps each path as a tuple, skips values that cannot lead to an
object, and converts the paths of an object into `RawPdfPath`s when a rule first asks for them (`_Usages`).
If anything goes wrong on the way (a damaged file, a page tree with a cycle), it hands over to pyHanko's own
code, which then raises (or not) exactly as it would have.

`find_orphans` remembers pyHanko's `_find_orphans` per revision: its result depends on the newer revision
only, and each signature of a document analyses the revisions after it, so a document with several
signatures asked the same question once per signature.

tests/signing/test_speedups_diff.py compares verdicts (modification level, changed fields, the list of
suspicious changes, coverage, DocMDP) with speedups on and off over many documents, including tampered ones;
it also pins the pyHanko version these replacements were written against.
"""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath

ORIGINAL: dict[str, Any] = {}  # pyHanko's functions, filled by speedups.install()

PYHANKO_VERSION = "0.38.0"  # the version these replacements copy; tests fail on any other

_INDIRECT = generic.IndirectObject
_DICT = generic.DictionaryObject
_ARRAY = generic.ArrayObject
_CONTAINERS = (generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject)


class _Usages(dict):
    """HistoricalResolver._indirect_object_access_cache as pyHanko reads it (reference → set of RawPdfPath),
    holding tuples until a reference is first looked up. pyHanko reads it only with `cache[ref]`
    (`_get_usages_of_ref`); the set handed out is kept, as pyHanko keeps its own."""

    def __getitem__(self, ref: Any) -> set[RawPdfPath]:
        paths = dict.__getitem__(self, ref)
        if type(paths) is not _Pending:
            return paths
        converted = {RawPdfPath(*path) for path in paths}
        dict.__setitem__(self, ref, converted)
        return converted


class _Pending(set):
    """The paths of one reference as tuples, not yet converted."""


class _TooDeep(Exception):
    """A path longer than MAX_DEPTH: pyHanko's own walk decides."""


# pyHanko hashes and compares its linked-list paths recursively, one Python frame per element: on a deep enough
# structure it fails with RecursionError where a walk with tuples would not. Past this depth pyHanko's own code
# runs, so such a file gets pyHanko's verdict (or error); real documents stay far below it.
MAX_DEPTH = 200


def _page_tree_paths(resolver: HistoricalResolver) -> dict[generic.Reference, tuple[Any, ...]]:
    """The canonical path of every node of the page tree (pyHanko's `_collect_page_tree_refs`, same errors)."""

    def collect(pages_obj: Any, path: tuple[Any, ...]) -> Any:
        for ix, kid in enumerate(pages_obj["/Kids"]):
            kid_path = (*path, "/Kids", ix)
            if isinstance(kid, generic.IndirectObject):
                yield kid.reference, kid_path
            kid = kid.get_object()
            if kid.get("/Type", None) == "/Pages":
                yield from collect(kid, kid_path)

    pages_ref = resolver.root.raw_get("/Pages")
    pages_path = ("/Root", "/Pages")
    nodes: dict[generic.Reference, tuple[Any, ...]] = {}
    if isinstance(pages_ref, generic.IndirectObject):
        nodes[pages_ref.reference] = pages_path
    for ref, path in collect(pages_ref.get_object(), pages_path):
        if ref in nodes:
            raise misc.PdfReadError("Circular reference in page tree in mapping stage")
        nodes[ref] = path
    return nodes


def _struct_tree_refs(resolver: HistoricalResolver) -> set[generic.Reference]:
    """The structure elements (pyHanko's `_collect_struct_tree_refs`, same errors)."""

    def collect(struct_elem: Any) -> Any:
        try:
            children = struct_elem["/K"]
        except KeyError:
            return
        if not isinstance(children, generic.ArrayObject):
            children = (children,)
        for child in children:
            child_ref = None
            if isinstance(child, generic.IndirectObject):
                child_ref = child.reference
                child = child.get_object()
            if not isinstance(child, generic.DictionaryObject):
                continue
            try:
                if child["/Type"] != "/StructElem":
                    continue
            except KeyError:
                pass
            if child_ref is not None:
                yield child_ref
            yield from collect(child)

    nodes: set[generic.Reference] = set()
    try:
        struct_tree_root = resolver.root.raw_get("/StructTreeRoot").get_object()
        for ref in collect(struct_tree_root):
            if ref in nodes:
                raise misc.PdfReadError("Circular reference in structure tree in mapping stage")
            nodes.add(ref)
    except KeyError:
        pass
    return nodes


def _paths_to_refs(resolver: HistoricalResolver) -> _Usages:
    """Every path from the trailer to every indirect object of `resolver`'s revision, as pyHanko's
    `_compute_paths_to_refs` finds them."""
    page_tree = _page_tree_paths(resolver)
    struct_tree = _struct_tree_refs(resolver)
    collected: dict[generic.Reference, _Pending] = {}
    stack: list[Any] = []  # the current path
    on_path: set[generic.Reference] = set()  # the references on the current path (pyHanko's seen_in_path)

    # One call per level of nesting, as pyHanko's walk makes (values that cannot lead to an object are not
    # visited: pyHanko's visit of them does nothing), so recursion limits are reached at the same depth.
    def walk(obj: Any, is_struct_tree: bool) -> None:
        ref = None
        if isinstance(obj, _INDIRECT):
            ref = obj.reference
            if ref in on_path:
                return
            if len(stack) > MAX_DEPTH:
                raise _TooDeep
            path = tuple(stack)
            found = collected.get(ref)
            if found is None:
                collected[ref] = found = _Pending()
            found.add(path)
            obj = resolver(ref)
            canonical = page_tree.get(ref)
            if canonical is not None and canonical != path:
                return
            if not is_struct_tree and ref in struct_tree:
                return
            on_path.add(ref)
        if isinstance(obj, _DICT):
            at_struct_root = len(stack) == 2 and stack[0] == "/Root" and stack[1] == "/StructTreeRoot"
            for key, value in obj.items():
                if key == "/Parent" or (is_struct_tree and key == "/P"):
                    continue
                if isinstance(value, _CONTAINERS):
                    stack.append(key)
                    walk(value, is_struct_tree or (at_struct_root and key == "/K"))
                    stack.pop()
        elif isinstance(obj, _ARRAY):
            for ix, value in enumerate(obj):
                if isinstance(value, _CONTAINERS):
                    stack.append(ix)
                    walk(value, is_struct_tree)
                    stack.pop()
        if ref is not None:
            on_path.discard(ref)

    walk(resolver.trailer_view, False)
    return _Usages(collected)


def load_reverse_xref_cache(self: HistoricalResolver) -> None:
    """HistoricalResolver._load_reverse_xref_cache (see the module docstring)."""
    if self._indirect_object_access_cache is not None:
        return
    try:
        usages = _paths_to_refs(self)
    except Exception:  # pyHanko's own code decides, and raises what it raises
        ORIGINAL["_load_reverse_xref_cache"](self)
        return
    self._indirect_object_access_cache = usages


_LEAVES = frozenset(
    {
        generic.NullObject,
        generic.BooleanObject,
        generic.NumberObject,
        generic.FloatObject,
        generic.NameObject,
        generic.TextStringObject,
        generic.ByteStringObject,
    }
)
_REFERENCE = generic.Reference


def subsume_object(self: HistoricalResolver, obj: Any) -> Any:
    """HistoricalResolver._subsume_object: the same copy of `obj` with references resolving in this revision.
    pyHanko builds a new container reference for every value, numbers and names included, before returning
    those unchanged; here a plain value (of exactly one of pyHanko's value types, whose container is a
    plain reference) is returned at once. Everything else is pyHanko's code, line for line, with the same
    recursion (children go through `self._subsume_object`)."""
    container_ref = getattr(obj, "container_ref", None)
    if type(obj) in _LEAVES and type(container_ref) is _REFERENCE:
        return obj
    result: Any
    container_ref = obj.get_container_ref()
    container_ref = _REFERENCE(idnum=container_ref.idnum, generation=container_ref.generation, pdf=self)
    if isinstance(obj, generic.DecryptedObjectProxy):
        raw_obj_replacement = self._subsume_object(obj.raw_object)
        result = generic.DecryptedObjectProxy(raw_object=raw_obj_replacement, handler=obj.handler)
        raw_obj_replacement.container_ref = container_ref
        return result
    if isinstance(obj, generic.IndirectObject):
        return generic.IndirectObject(idnum=obj.idnum, generation=obj.generation, pdf=self)
    elif isinstance(obj, generic.StreamObject):
        result = generic.StreamObject(
            {k: self._subsume_object(v) for k, v in obj.items()}, encoded_data=obj.encoded_data
        )
    elif isinstance(obj, generic.DictionaryObject):
        result = generic.DictionaryObject({k: self._subsume_object(v) for k, v in obj.items()})
    elif isinstance(obj, generic.ArrayObject):
        result = generic.ArrayObject(self._subsume_object(v) for v in obj)
    else:
        return obj
    result.container_ref = container_ref
    return result


def collect_indirect_references(self: HistoricalResolver, obj: Any, seen: set[generic.Reference],
                                since_revision: int | None = None) -> None:
    """HistoricalResolver._collect_indirect_references (under `collect_dependencies`, which the orphan search
    and the form rules call): pyHanko's code line for line, in the same order and with one call per level of
    nesting, except that values that cannot lead to an object (the numbers of a font's /W array, names,
    strings) are not visited: pyHanko's visit of them does nothing."""
    if isinstance(obj, _INDIRECT):
        ref = obj.reference
        if ref in seen:
            return
        xrefs = self.reader.xrefs
        relevant = since_revision is None or xrefs.get_introducing_revision(ref) >= since_revision
        if relevant:
            seen.add(ref)
        elif since_revision is not None:
            return
        obj = self(ref)
    if isinstance(obj, _DICT):
        for v in obj.values():
            if isinstance(v, _CONTAINERS):
                self._collect_indirect_references(v, seen, since_revision)
    elif isinstance(obj, _ARRAY):
        for v in obj:
            if isinstance(v, _CONTAINERS):
                self._collect_indirect_references(v, seen, since_revision)


def find_orphans(hist_rev: HistoricalResolver) -> set[generic.Reference]:
    """policies._find_orphans, computed once per revision view (it depends on nothing else)."""
    known = hist_rev.__dict__.get("_vanthu_orphans")
    if known is None:
        known = frozenset(ORIGINAL["_find_orphans"](hist_rev))
        hist_rev.__dict__["_vanthu_orphans"] = known
    return set(known)


def patches() -> list[tuple[str, Any, str, Any]]:
    """(key, owner, attribute, replacement) for speedups.install()."""
    from pyhanko.sign.diff_analysis import policies

    return [
        ("_load_reverse_xref_cache", HistoricalResolver, "_load_reverse_xref_cache", load_reverse_xref_cache),
        ("_find_orphans", policies, "_find_orphans", find_orphans),
        ("_subsume_object", HistoricalResolver, "_subsume_object", subsume_object),
        ("_collect_indirect_references", HistoricalResolver, "_collect_indirect_references",
         collect_indirect_references),
    ]
