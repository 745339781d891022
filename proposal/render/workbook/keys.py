"""Typed keys of the workbook's cells: how a formula names a cell before it has an address.

A cell is registered under a `Key`: the `Kind` of cell (which input, which table) and
the parts that single it out among the cells of that kind, such as
`Key(Kind.CAPEX_LINE, 3, "p1")` for line 3's capex in phase p1. Tables mirroring a
`Figures` table take its row label and column name as parts, and `TOTAL` for a total.

A key's text (`cl/3/p1`) is what a formula carries until `Book.finish` swaps it for the
cell's address, and what `Layout.inputs` lists the input cells by.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a registered cell holds; the value starts the key's text.

    Each member's note gives the parts that follow it.
    """

    # -- inputs: the Assumptions sheet (effort and the calendar: the Effort sheet)
    INPUT = "in"
    """One word for a single input of the project: `start`, `amortisation`, `horizon` (a
    locked setting), `ultimate`, `ultimate_year`, `step`, `hours` (a locked convention),
    `rate` (the default person-month cost), `eu`, `ms` (Member State), `tolerance`,
    `indirect`."""
    ACCELERATOR_INPUT = "in/acc"
    """Accelerator type id, then `price`, `h100` (H100 equivalents) or `kw` (power)."""
    SITE_INPUT = "in/site"
    """Site id, then `mw` (its grid connection)."""
    PHASE_INPUT = "in/phase"
    """Phase id, then `start`, `end`, `power`, or `count` and the index of the phase's
    accelerator item."""
    ENERGY_INPUT = "in/energy"
    """`pue`, `utilisation`, `price`, `carbon`, `water`, or `mix` and the index of the
    supply's technology."""
    CAPEX_RATE = "in/capex"
    """Index of the capex line."""
    OPEX_RATE = "in/opex"
    """Index of the opex line."""
    PARTNER_RATE = "in/rate"
    """Partner id: the partner's own person-month cost."""
    LOAN = "in/debt"
    """Number of the loan, from 1 as in the financing source `debt:<n>`."""
    PLEDGE = "in/pledge"
    """Partner id and the index of the partner's pledge."""
    IN_KIND = "in/inkind"
    """Partner id and the index of the partner's contribution in kind."""
    SHARE_RULE_BOUND = "in/rule"
    """Share rule id, then `min_share` or `max_share`."""
    EFFORT = "pm"
    """Partner id and work package id (person-months, inputs), or `TOTAL` for either:
    `Figures.effort`."""
    CALENDAR = "wpc"
    """Work package id, then `start`, `end` (months, inputs), `months`, `share` (of the
    package in the costed years) or a costed year (months in that year)."""

    # -- formulas: the Phases, Capex and Opex sheets
    PHASES = "ph"
    """Phase id and a `Figures.phases` column."""
    PHASE_ACCELERATORS = "pa"
    """Row and column of `Figures.phase_accelerators`."""
    CAPACITY = "cap"
    """Costed year, then a `Figures.capacity_by_year` column, `year`, `share` and a phase
    id (the share of the year the phase serves) or `accelerator_capex_in_service_eur`."""
    CAPEX_LINE = "cl"
    """Index of the capex line, or `acc` (what moves with accelerator prices), then a
    phase id or `TOTAL`."""
    CAPEX = "cx"
    """Phase id or `TOTAL`, then a capex category or `TOTAL`: `Figures.capex`."""
    OPEX_LINE = "ol"
    """Index of the opex line, `acc` (what moves with accelerator prices) or `energy`,
    then a costed year or `TOTAL`."""
    OPEX = "ox"
    """Costed year or `TOTAL`, then an opex category or `TOTAL`: `Figures.opex`."""

    # -- formulas: the Cost by year sheet
    COST_BY_YEAR = "cy"
    """Year of the cash view or `TOTAL`, then `year` or a `Figures.cost_by_year` column."""
    CAPEX_BY_YEAR = "cxy"
    """Phase id, then `start`, `end`, `capex`, a year of the cash view (the phase's capex
    spent in it) or `TOTAL`."""

    # -- the Effort sheet
    PERSON_MONTH_COST = "rate"
    """Partner id: the person-month cost the partner's effort is costed at."""
    PERSONNEL_COST = "pc"
    """Partner id and work package id, or `TOTAL` for either: `Figures.personnel_cost`."""
    COSTED_PERSONNEL_COST = "hc"
    """As `PERSONNEL_COST`, for the part of the cost in the costed years."""
    STAFF_COST_BY_YEAR = "sy"
    """Work package id or `TOTAL`, then a costed year or `TOTAL`."""

    # -- the Partners, Financing, EU budget, Sensitivity and Summary sheets
    PLEDGES = "pl"
    """Partner id or `TOTAL`, then a `Figures.pledges` column."""
    FINANCING = "fin"
    """Financing source or `TOTAL`, then `amount`; or `cost`, `gap` (signed), `balance`
    (the gap or surplus as a positive amount), `tolerance`, `balanced`."""
    SHARE_RULES = "rule"
    """Share rule id, then `amount`, `share`, `min_share` or `max_share`."""
    EU_BUDGET = "eud"
    """Partner id and work package id, or `TOTAL`, then an EU budget column."""
    EU_BUDGET_BY_PARTNER = "eup"
    """Partner id or `TOTAL`, then an EU budget column: `Figures.eu_budget_by_partner`."""
    EU_BUDGET_BY_WORK_PACKAGE = "euw"
    """Work package id or `TOTAL`, then an EU budget column:
    `Figures.eu_budget_by_work_package`."""
    RECONCILIATION = "rec"
    """A step of `Figures.reconciliation` (`total_cost`, `indirect`, `eligible`...)."""
    SENSITIVITY = "sens"
    """Row and column of `Figures.sensitivity`, or the name of a part of the cost a
    driver moves (`acc_cost`, `energy_cost`...)."""
    SUMMARY = "sum"
    """A key figure: a `Figures` field name."""


@dataclass(frozen=True, init=False)
class Key:
    """One cell of the workbook: its kind and the parts that single it out."""

    kind: Kind
    parts: tuple[Hashable, ...]

    def __init__(self, kind: Kind, *parts: Hashable) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "parts", parts)

    def at(self, *parts: Hashable) -> Key:
        """The key with more parts: a cell in the row this key names."""
        return Key(self.kind, *self.parts, *parts)

    def __str__(self) -> str:
        """The key's text, as formulas carry it: the kind's value and the parts, by `/`."""
        return "/".join([self.kind.value, *(str(part) for part in self.parts)])
