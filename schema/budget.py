"""What a GraphQL document would cost to run, measured before validation or execution.

A document's fragments may spread into each other: each spreading the next one twice
makes 30 short definitions stand for a billion fields. So each fragment is measured once,
in an order where every fragment comes after the ones it spreads (its measure is then a
sum of known measures), and a document is measured without ever expanding it. Undefined
fragments, repeated fragment names and cycles are found first, without recursion, so that
nothing later (graphql-core's rules, strawberry's limiters) walks a document that never ends.

The weights (which fields run a scoring pass, which grow with a window of days, which
arguments are page sizes) are the caller's, given as a :class:`Weights`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.language import StringValueNode, Visitor, visit
from graphql.pyutils import Undefined

__all__ = [
    "DocumentFault",
    "Measure",
    "Weights",
    "bad_text_at",
    "document_fault",
    "measure",
    "most_repeated",
]


@dataclass(frozen=True)
class Weights:
    """How much more than one a field costs, keyed by ``(parent type, field name)``.

    ``extra`` maps a field to a function of its resolved arguments; ``page_arguments``
    name the arguments whose value multiplies the cost of what a field selects.
    """

    extra: Mapping[tuple[str, str], Callable[[Mapping[str, Any]], int]] = field(
        default_factory=dict
    )
    page_arguments: tuple[str, ...] = ("first", "last", "limit")
    max_page: int = 100
    # A page whose size the client left to the server (``first: null``).
    default_page: int = 20


@dataclass(frozen=True)
class Measure:
    """``fields``: fields resolved after spreading fragments; ``cost``: their weighted sum;
    ``nesting``: the longest chain of fragment spreads."""

    fields: int = 0
    cost: int = 0
    nesting: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.fields + other.fields, self.cost + other.cost, max(self.nesting, other.nesting)
        )


@dataclass(frozen=True)
class DocumentFault:
    """A document that cannot be measured: the first problem found, and where."""

    message: str
    nodes: tuple[Any, ...] = ()


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }


def _spreads(selection_set: SelectionSetNode | None) -> Iterator[FragmentSpreadNode]:
    """Every fragment spread inside a selection set, at any depth, without recursion."""
    pending = [selection_set] if selection_set is not None else []
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection
            elif selection.selection_set is not None:
                pending.append(selection.selection_set)


def _first_cycle(spreads: Mapping[str, list[str]]) -> list[str] | None:
    """A cycle of spreads (``[A, ..., A]``), if any: one depth-first walk over every
    fragment, without recursion, each fragment entered once."""
    entered: dict[str, bool] = {}  # name -> still on the current path
    for root in spreads:
        if root in entered:
            continue
        path, pending = [root], [iter(spreads[root])]
        entered[root] = True
        while pending:
            following = next(pending[-1], None)
            if following is None:
                pending.pop()
                entered[path.pop()] = False
            elif entered.get(following):
                return [*path[path.index(following) :], following]
            elif following not in entered:
                entered[following] = True
                path.append(following)
                pending.append(iter(spreads.get(following, ())))
    return None


def document_fault(document: DocumentNode) -> DocumentFault | None:
    """The first repeated or undefined fragment name, or fragment cycle, in ``document``."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    for node in document.definitions:
        if isinstance(node, FragmentDefinitionNode):
            if node.name.value in fragments:
                name = node.name.value
                return DocumentFault(f"There can be only one fragment named '{name}'.", (node,))
            fragments[node.name.value] = node
    spreads: dict[str, list[str]] = {}
    for node in document.definitions:
        owner = node.name.value if isinstance(node, FragmentDefinitionNode) else None
        for spread in _spreads(getattr(node, "selection_set", None)):
            if spread.name.value not in fragments:
                return DocumentFault(f"Unknown fragment '{spread.name.value}'.", (spread,))
            if owner is not None:
                spreads.setdefault(owner, []).append(spread.name.value)
    cycle = _first_cycle(spreads)
    if cycle is not None:
        name, steps = cycle[0], cycle[1:-1]
        via = ", ".join(f"'{step}'" for step in steps[:5])
        via += f" and {len(steps) - 5} more" if len(steps) > 5 else ""
        message = f"Cannot spread fragment '{name}' within itself" + (
            f" via {via}." if via else "."
        )
        return DocumentFault(message, (fragments[name],))
    return None


def _dependency_order(fragments: Mapping[str, FragmentDefinitionNode]) -> list[str]:
    """Fragment names, each after every fragment it spreads (the document has no cycle)."""
    order: list[str] = []
    done: set[str] = set()
    for root in fragments:
        if root in done:
            continue
        stack = [(root, iter({s.name.value for s in _spreads(fragments[root].selection_set)}))]
        done.add(root)
        while stack:
            name, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                stack.pop()
                order.append(name)
            elif following not in done:
                done.add(following)
                inner = {s.name.value for s in _spreads(fragments[following].selection_set)}
                stack.append((following, iter(inner)))
    return order


class _Measurer:
    """Measures selection sets against the schema, with every fragment measured once."""

    def __init__(
        self, schema: GraphQLSchema, weights: Weights, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.weights = weights
        self.variables = variables
        self.fragments: dict[str, Measure] = {}

    def selection_set(self, selection_set: SelectionSetNode | None, parent: Any) -> Measure:
        total = Measure()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, inner)
            else:
                spread = self.fragments[selection.name.value]
                total += Measure(spread.fields, spread.cost, spread.nesting + 1)
        return total

    def field(self, node: FieldNode, parent: Any) -> Measure:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        arguments = self.arguments(node, definition)
        key = (getattr(parent, "name", ""), node.name.value)
        own = 1 + self.weights.extra.get(key, lambda _arguments: 0)(arguments)
        if node.selection_set is None:
            return Measure(1, own, 0)
        inner_type = get_named_type(definition.type) if definition else None
        inner = self.selection_set(node.selection_set, inner_type)
        return Measure(1 + inner.fields, own + self.page(arguments) * inner.cost, inner.nesting)

    def page(self, arguments: Mapping[str, Any]) -> int:
        """How many times a field's selection will be resolved: its page size, if it has one."""
        pages = [arguments[name] for name in self.weights.page_arguments if name in arguments]
        sizes = [size for size in pages if isinstance(size, int)]
        if pages and not sizes:
            return self.weights.default_page
        return max([1, *(min(size, self.weights.max_page) for size in sizes)])

    def arguments(self, node: FieldNode, definition: Any) -> dict[str, Any]:
        """Integer arguments as the resolver will see them: literal, variable or default."""
        values: dict[str, Any] = {}
        for name, argument in definition.args.items() if definition else ():
            if argument.default_value is not Undefined:
                values[name] = argument.default_value
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, IntValueNode):
                values[argument.name.value] = int(value.value)
            elif isinstance(value, VariableNode):
                values[argument.name.value] = self.variables.get(value.name.value)
        return values


def measure(
    document: DocumentNode,
    schema: GraphQLSchema,
    weights: Weights,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> Measure:
    """The measure of the operation that will run (all of them when it is ambiguous).

    ``document`` must have no :func:`document_fault`. Variables the client left out
    count as their declared default.
    """
    operations = [
        node
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode)
        and (operation_name is None or (node.name and node.name.value == operation_name))
    ]
    defaults = {
        definition.variable.name.value: int(definition.default_value.value)
        for node in operations
        for definition in node.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode)
    }
    measurer = _Measurer(schema, weights, {**defaults, **(variables or {})})
    fragments = _fragments(document)
    for name in _dependency_order(fragments):
        fragment = fragments[name]
        parent = schema.get_type(fragment.type_condition.name.value)
        measurer.fragments[name] = measurer.selection_set(fragment.selection_set, parent)
    total = Measure()
    for node in operations:
        root = schema.get_root_type(node.operation)
        total += measurer.selection_set(node.selection_set, root)
    return total


def most_repeated(document: DocumentNode, operation_name: str | None = None) -> tuple[int, str]:
    """The most fields under one response name at one level once fields of the same name
    are merged (as validation and execution merge them), and that name.

    graphql-core compares every pair of such fields, and the pairs of their merged
    sub-selections, so its work grows with the square of this at every level. This walk
    expands the document: call it only once :func:`measure` has bounded its size.
    """
    fragments = _fragments(document)
    pending = [
        [node.selection_set]
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode)
        and (operation_name is None or (node.name and node.name.value == operation_name))
    ]
    most = (0, "")
    while pending:
        merged: dict[str, list[FieldNode]] = {}
        sets = pending.pop()
        while sets:
            for selection in sets.pop().selections or ():
                if isinstance(selection, FieldNode):
                    name = (selection.alias or selection.name).value
                    merged.setdefault(name, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    sets.append(selection.selection_set)
                else:
                    sets.append(fragments[selection.name.value].selection_set)
        for name, fields in merged.items():
            most = max(most, (len(fields), name))
            inner = [field.selection_set for field in fields if field.selection_set]
            if inner:
                pending.append(inner)
    return most


def _bad_text(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)


def _bad_in_value(value: Any, path: str) -> str | None:
    """The path of the first string (or key) holding a NUL or an unpaired surrogate."""
    pending = [(value, path)]
    while pending:
        current, where = pending.pop()
        if isinstance(current, str) and _bad_text(current):
            return where
        if isinstance(current, dict):
            for key, inner in current.items():
                if isinstance(key, str) and _bad_text(key):
                    return where
                pending.append((inner, f"{where}.{key}"))
        elif isinstance(current, list):
            pending.extend((inner, f"{where}[{i}]") for i, inner in enumerate(current))
    return None


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.bad: StringValueNode | None = None

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> Any:
        if self.bad is None and _bad_text(node.value):
            self.bad = node
        return self.BREAK if self.bad is not None else None


def bad_text_at(
    document: DocumentNode, variables: Mapping[str, Any] | None
) -> tuple[str | None, tuple[Any, ...]] | None:
    """Where a variable or string literal holds text no field accepts (NUL, a lone
    surrogate): ``("variables.name", ())`` or ``(None, (literal,))``; None when nowhere."""
    where = _bad_in_value(dict(variables or {}), "variables")
    if where is not None:
        return where, ()
    literals = _StringLiterals()
    visit(document, literals)
    return (None, (literals.bad,)) if literals.bad is not None else None
