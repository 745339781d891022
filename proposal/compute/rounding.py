"""Rounding for print: every printed total is the sum of the printed parts above it.

Rounding each amount on its own breaks sums: 0.4 + 0.4 = 0.8 prints as 0 + 0 = 1. Here
a table is rounded as a whole, in whole steps of its `Precision` (EUR 0.1 million for a
bid of billions): every part goes down or up to a neighbouring step, every total is the
sum of its rounded parts, and the rounding goes where it errs least, so the parts with
the largest remainders go up (the largest-remainder rule). A total that several tables
print, such as the total cost, is rounded once and handed to each as fixed.

`round_parts` rounds a list of parts to a given total; `round_grid` rounds a grid with
row and column totals, each of them down or up too ("controlled rounding"). Both solve
the same small minimum-cost flow: each step a cell gains over its rounded-down value
flows from its row to its column, and a step costs what it adds to the rounding error.
Such a flow has a whole-numbered optimum whenever the fixed totals are themselves one of
the two steps around the true sum, which is what makes every table add up.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .tables import TOTAL

SNAP = 6
"""Decimals of a step kept before rounding: float noise (2.9999999) is not a remainder."""


@dataclass(frozen=True)
class Precision:
    """How a column of figures is printed: in `unit`s with `decimals` decimals."""

    unit: float
    """Amount of one printed unit: 1e6 for "EUR million", 0.01 for a percentage."""
    decimals: int
    """Decimals printed."""

    @property
    def step(self) -> float:
        """The smallest printed difference, in the figures' own unit."""
        return self.unit / 10**self.decimals

    def steps(self, value: float) -> float:
        """`value` counted in steps (not rounded)."""
        return round(value / self.step, SNAP)

    def printed(self, steps: int | float) -> float:
        """A whole number of steps as the printed number, in units (12345 -> 1234.5)."""
        return round(steps / 10**self.decimals, self.decimals)

    def value(self, steps: int | float) -> float:
        """A whole number of steps in the figures' own unit (a share: 170 -> 0.17)."""
        return round(steps * self.step, self.decimals + SNAP)

    def nearest(self, value: float) -> int:
        """`value` rounded to the nearest step, halves away from zero, in steps."""
        return half_away(self.steps(value))


def half_away(value: float) -> int:
    """The nearest whole number, halves away from zero (Python's `round` goes to even)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def round_parts(parts: Sequence[float], total: int | None = None) -> list[int]:
    """Parts counted in steps, each rounded down or up so that they add up to `total`.

    `total` (in steps) defaults to the nearest step of the parts' sum; it must be one of
    the two steps around that sum. The parts with the largest remainders go up.
    """
    column = pd.DataFrame({"part": list(parts)}, dtype=float)
    return [int(v) for v in round_grid(column, total)["part"]]


def round_grid(values: pd.DataFrame, total: int | None = None,
               column_totals: Sequence[int] | None = None) -> pd.DataFrame:
    """A grid counted in steps, each cell rounded down or up, with rows and columns
    adding up to totals that are each one of the two steps around their true sum.

    `total` (in steps) fixes the grand total, by default the nearest step of the sum.
    `column_totals`, when given, fixes each column's total (they must add up to
    `total`); when the grid cannot meet them together with its rows (it happens when
    remainders tie), the columns are left free like the rows. Returns whole steps.
    """
    grid = values.astype(float).map(lambda v: round(v, SNAP))
    whole = total if total is not None else half_away(round(float(grid.to_numpy().sum()), SNAP))
    if column_totals is not None:
        fixed = _solve(grid, whole, list(column_totals))
        if fixed is not None:
            return fixed
    solved = _solve(grid, whole, None)
    if solved is None:
        raise ValueError(f"no rounding of the grid adds up to {whole} steps")
    return solved


def _solve(grid: pd.DataFrame, total: int,
           columns: list[int] | None) -> pd.DataFrame | None:
    """The rounding of least error meeting the totals, or None when none exists."""
    floors = grid.map(math.floor)
    rest = grid - floors
    net = _Network()
    source, sink = net.node(), net.node()
    rows = [net.node() for _ in grid.index]
    cols = [net.node() for _ in grid.columns]
    cells: dict[tuple[int, int], int] = {}
    for i in range(len(grid.index)):
        for j in range(len(grid.columns)):
            remainder = float(rest.iat[i, j])
            if remainder > 0:
                cells[i, j] = net.edge(rows[i], cols[j], 0, 1, 1 - 2 * remainder)
    for i, row in enumerate(rows):
        low, high, cost = _bounds(float(rest.iloc[i].sum()))
        net.edge(source, row, low, high, cost)
    base = int(floors.to_numpy().sum())
    for j, col in enumerate(cols):
        if columns is None:
            low, high, cost = _bounds(float(rest.iloc[:, j].sum()))
        else:
            low = high = columns[j] - int(floors.iloc[:, j].sum())
            cost = 0.0
        net.edge(col, sink, low, high, cost)
    if not net.circulate(source, sink, total - base):
        return None
    rounded = floors.astype(int)
    for (i, j), edge in cells.items():
        rounded.iat[i, j] += net.flow(edge)
    return rounded


def _bounds(remainders: float) -> tuple[int, int, float]:
    """The steps a total of cells' remainders may take (down, up) and the cost of up."""
    low = math.floor(round(remainders, SNAP))
    high = math.ceil(round(remainders, SNAP))
    return low, high, 1 - 2 * (remainders - low)


class _Network:
    """A flow network with lower bounds and costs, small enough for plain Bellman-Ford."""

    def __init__(self) -> None:
        self.heads: list[int] = []
        self.capacity: list[int] = []
        self.cost: list[float] = []
        self.out: list[list[int]] = []
        self.low: dict[int, int] = {}
        self.excess: list[int] = []

    def node(self) -> int:
        self.out.append([])
        self.excess.append(0)
        return len(self.out) - 1

    def edge(self, tail: int, head: int, low: int, high: int, cost: float) -> int:
        """An edge carrying between `low` and `high` units at `cost` each; its index."""
        index = self._arc(tail, head, high - low, cost)
        self.low[index] = low
        self.excess[head] += low
        self.excess[tail] -= low
        return index

    def _arc(self, tail: int, head: int, capacity: int, cost: float) -> int:
        index = len(self.heads)
        self.heads += [head, tail]
        self.capacity += [capacity, 0]
        self.cost += [cost, -cost]
        self.out[tail].append(index)
        self.out[head].append(index + 1)
        return index

    def flow(self, edge: int) -> int:
        """Units the edge carries."""
        return self.low.get(edge, 0) + self.capacity[edge ^ 1]

    def circulate(self, source: int, sink: int, amount: int) -> bool:
        """Send `amount` from `source` to `sink` within every edge's bounds at least
        cost; False when the bounds allow no such flow."""
        self.excess[source] += amount
        self.excess[sink] -= amount
        start, end = self.node(), self.node()
        needed = 0
        for node, excess in enumerate(self.excess[:start]):
            if excess > 0:
                self._arc(start, node, excess, 0.0)
                needed += excess
            elif excess < 0:
                self._arc(node, end, -excess, 0.0)
        return self._cheapest_flow(start, end) == needed

    def _cheapest_flow(self, start: int, end: int) -> int:
        """Successive shortest paths: the most flow from `start` to `end`, least cost."""
        sent = 0
        while True:
            path = self._shortest_path(start, end)
            if path is None:
                return sent
            push = min(self.capacity[e] for e in path)
            for e in path:
                self.capacity[e] -= push
                self.capacity[e ^ 1] += push
            sent += push

    def _shortest_path(self, start: int, end: int) -> list[int] | None:
        """The cheapest path of edges with capacity left (queue-based Bellman-Ford)."""
        distance: dict[int, float] = {start: 0.0}
        via: dict[int, int] = {}
        queue, queued = deque([start]), {start}
        while queue:
            node = queue.popleft()
            queued.discard(node)
            for e in self.out[node]:
                if self.capacity[e] <= 0:
                    continue
                head, cost = self.heads[e], distance[node] + self.cost[e]
                if cost < distance.get(head, math.inf) - 1e-12:
                    distance[head], via[head] = cost, e
                    if head not in queued:
                        queue.append(head)
                        queued.add(head)
        if end not in distance:
            return None
        path, node = [], end
        while node != start:
            e = via[node]
            path.append(e)
            node = self.heads[e ^ 1]
        return path[::-1]



EURO = Precision(1.0, 0)
"""Amounts to the euro: the key figures and the texts."""

PERCENT = 0.01
"""A percentage point, the unit shares are printed in."""

MONEY_PRECISIONS = (Precision(1e6, 1), Precision(1e3, 0), EURO)
"""The precisions of the money tables, coarsest first (see `money_precision`)."""


def money_precision(total_cost: float) -> Precision:
    """The precision of the money tables: the coarsest that prints the total cost with at
    least four digits (EUR million with one decimal for a bid of EUR 100 million or more,
    EUR thousand from EUR 1 million, euros below)."""
    return next((p for p in MONEY_PRECISIONS if abs(p.steps(total_cost)) >= 1000), EURO)


def in_steps(table: pd.DataFrame, money: Precision) -> pd.DataFrame:
    """A table's cells without its total row and column, counted in `money`'s steps."""
    return table.drop(index=TOTAL, columns=TOTAL, errors="ignore").map(money.steps)


def in_units(table: pd.DataFrame, money: Precision) -> pd.DataFrame:
    """Whole steps as the printed numbers, in `money`'s units."""
    return table.map(money.printed)
