"""The proposal's outline: its chapters and sections, in reading order.

One list serves the PDF (headings, contents, numbering) and `check` (the call's
`required_sections` must each have a place in it).
"""

from __future__ import annotations

from .i18n import N_

OUTLINE: tuple[tuple[str, int, str], ...] = (
    ("summary", 1, N_("Executive summary")),
    ("objectives", 2, N_("Objectives and ambition")),
    ("key-figures", 2, N_("Key figures")),
    ("commitments", 2, N_("Commitments")),
    ("consortium", 1, N_("Consortium")),
    ("positioning", 2, N_("Positioning and rationale")),
    ("members", 2, N_("Partners")),
    ("governance", 2, N_("Governance")),
    ("value-chain", 2, N_("Value-chain coverage")),
    ("infrastructure", 1, N_("Infrastructure")),
    ("phases", 2, N_("Sites, power and phases")),
    ("compute", 2, N_("Compute, storage and network")),
    ("security", 2, N_("Security and user-access environment")),
    ("access", 2, N_("Access policy and support services")),
    ("energy", 1, N_("Energy and sustainability")),
    ("energy-supply", 2, N_("Energy supply and mix")),
    ("energy-use", 2, N_("Energy use and emissions")),
    ("workplan", 1, N_("Work plan")),
    ("work-packages", 2, N_("Work packages")),
    ("timeline", 2, N_("Timeline and effort")),
    ("effort", 2, N_("Person-months")),
    ("deliverables", 2, N_("Deliverables and milestones")),
    ("kpis", 2, N_("Key performance indicators")),
    ("risks", 2, N_("Risk register")),
    ("budget", 1, N_("Budget")),
    ("capex", 2, N_("Capital expenditure")),
    ("opex", 2, N_("Operating expenditure")),
    ("total-cost", 2, N_("Total cost and cost per GPU-hour")),
    ("eu-budget", 2, N_("EU cost categories")),
    ("sensitivity", 2, N_("Sensitivity analysis")),
    ("financing", 1, N_("Financing plan")),
    ("financing-sources", 2, N_("Financing sources")),
    ("share-rules", 2, N_("Public and private shares")),
    ("pledges", 2, N_("Partner pledges and contributions in kind")),
    ("viability", 2, N_("Financial viability")),
    ("member_state", 2, N_("Member State commitment")),
    ("compliance", 1, N_("Compliance with the call")),
    ("criteria", 2, N_("Evaluation criteria")),
    ("required-sections", 2, N_("Required sections")),
    ("partners", 1, N_("Partner profiles")),
    ("assumptions", 1, N_("Assumptions and sources")),
    ("assumed-figures", 2, N_("Figures assumed by the bid team")),
    ("cited-sources", 2, N_("References")),
)
"""The proposal's sections in reading order: (key, level, title). The keys double as
the call's `required_sections` keys where they match; the last two are annexes."""
ANNEXES = ("partners", "assumptions")
"""Level-1 sections that are annexes: lettered, and outside the page limit when the
call excludes annexes."""
ANNEX_ANCHOR = f"sec-{ANNEXES[0]}"
"""Id of the heading that opens the annexes; its page ends the counted pages."""
