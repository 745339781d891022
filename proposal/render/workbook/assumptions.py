"""The Assumptions sheet: every input of the workbook's formulas, with its provenance.

Each row is an `Input`: its value sits in an unlocked, shaded cell (a locked one for a
convention) beside its unit, its defined name, its source and whether it is sourced,
an assumption or a setting of the data files. Effort and work-package months are
inputs too, entered on the Effort sheet (`workplan`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from ...compute import HOURS_PER_YEAR
from ...i18n import N_
from ...models import ShareRule, ordered_partners
from .book import HEADER_ROW, Book, Wording, partner_name
from .costs import CAPEX_BASES, OPEX_BASES
from .keys import Key, Kind


@dataclass(frozen=True)
class Input:
    """One row of the Assumptions sheet."""

    section: str
    item: str
    key: Key
    value: Any
    kind: str
    unit: str
    origin: Any = None
    """The model object carrying `source`/`assumption`/`note`, when there is one."""
    name: str | None = None
    status: str | None = None
    """Overrides the status derived from `origin` (settings of the data files)."""
    note: str | None = None
    locked: bool = False
    """Shown for reference, not an input: a convention, or a setting the layout follows."""


def name_part(identifier: str) -> str:
    """An id as part of a defined name (letters, digits and underscores)."""
    return re.sub(r"[^A-Za-z0-9]", "_", identifier)


def assumption_inputs(book: Wording) -> list[Input]:
    """Every input of the workbook's formulas, with provenance, in reading order: the
    labels and units the Assumptions sheet and the PDF's assumptions annex both show."""
    _ = book._
    project = book.project
    cm, energy, plan, fin = (project.cost_model, project.cost_model.energy,
                             project.workplan, project.financing)
    setting = _("Setting")
    rows: list[Input] = []
    section = _("Project")
    rows += [
        Input(section, _("Project start (month 1 of the work plan)"), Key(Kind.INPUT, "start"),
              project.consortium.start_date, "date", "", name="ProjectStart",
              status=setting),
        Input(section, _("Amortisation period of the capex"), Key(Kind.INPUT, "amortisation"),
              cm.amortisation_years, "count", _("years"), name="AmortisationYears",
              status=setting),
        Input(section, _("Costed years of operation"), Key(Kind.INPUT, "horizon"),
              cm.horizon_years, "count", _("years"), name="HorizonYears", status=setting,
              note=_("The sheets have one row or column per costed year: change it in the "
                     "data files and build again."), locked=True),
        Input(section, _("Long-term IT power target"), Key(Kind.INPUT, "ultimate"),
              cm.ultimate_power_mw.value, "mw", _("MW"), cm.ultimate_power_mw,
              name="UltimatePowerMW"),
        *([Input(section, _("Year the long-term target is to be reached"),
                 Key(Kind.INPUT, "ultimate_year"), cm.ultimate_target_year, "year", "",
                 name="UltimateTargetYear", status=setting)]
          if cm.ultimate_target_year is not None else []),
        Input(section, _("Move of each driver in the sensitivity table"), Key(Kind.INPUT, "step"),
              cm.sensitivity_step, "share", "", name="SensitivityStep",
              status=setting),
        Input(section, _("Operating hours in a year of service"), Key(Kind.INPUT, "hours"),
              HOURS_PER_YEAR, "count", _("hours"), name="HoursPerYear", status=_("Convention"),
              locked=True),
    ]
    section = _("Accelerators")
    for t in cm.accelerator_types:
        rows += [
            Input(section, _("{name}: unit price").format(name=book.text(t.name)),
                  Key(Kind.ACCELERATOR_INPUT, t.id, "price"), t.unit_price.value, "eur",
                  _("per unit"), t.unit_price, name=f"UnitPrice_{name_part(t.id)}"),
            Input(section, _("{name}: H100 equivalents per unit").format(name=book.text(t.name)),
                  Key(Kind.ACCELERATOR_INPUT, t.id, "h100"), t.h100_equivalence.value, "number",
                  _("H100"), t.h100_equivalence),
            Input(section, _("{name}: power per unit").format(name=book.text(t.name)),
                  Key(Kind.ACCELERATOR_INPUT, t.id, "kw"), t.power_kw.value, "number", _("kW"),
                  t.power_kw),
        ]
    section = _("Sites")
    rows += [Input(section, _("{name}: grid connection").format(name=book.text(s.name)),
                   Key(Kind.SITE_INPUT, s.id, "mw"), s.max_power_mw.value, "mw", _("MW"),
                   s.max_power_mw)
             for s in cm.sites]
    section = _("Phases")
    types = {t.id: t for t in cm.accelerator_types}
    for phase in cm.phases:
        name = book.text(phase.name)
        rows += [
            Input(section, _("{phase}: start").format(phase=name),
                  Key(Kind.PHASE_INPUT, phase.id, "start"), phase.start, "date", "",
                  status=setting),
            Input(section, _("{phase}: in service from").format(phase=name),
                  Key(Kind.PHASE_INPUT, phase.id, "end"), phase.end, "date", "",
                  status=setting),
            Input(section, _("{phase}: IT power once complete (cumulative)").format(phase=name),
                  Key(Kind.PHASE_INPUT, phase.id, "power"), phase.power_mw.value, "mw", _("MW"),
                  phase.power_mw),
        ]
        rows += [
            Input(section, _("{phase}: {name} added").format(phase=name,
                                                             name=book.text(types[item.type].name)),
                  Key(Kind.PHASE_INPUT, phase.id, "count", j), item.count.value, "count",
                  _("units"), item.count)
            for j, item in enumerate(phase.accelerators)
        ]
    section = _("Energy")
    rows += [
        Input(section, _("Power usage effectiveness (PUE)"), Key(Kind.ENERGY_INPUT, "pue"),
              energy.pue.value, "number", "", energy.pue, name="PUE"),
        Input(section, _("Average utilisation of the IT power"),
              Key(Kind.ENERGY_INPUT, "utilisation"), energy.utilisation.value, "share",
              "", energy.utilisation, name="Utilisation"),
        Input(section, _("Electricity price"), Key(Kind.ENERGY_INPUT, "price"),
              energy.price_eur_per_mwh.value, "eur2", _("per MWh"),
              energy.price_eur_per_mwh, name="EnergyPrice"),
        Input(section, _("Carbon intensity of the supply"), Key(Kind.ENERGY_INPUT, "carbon"),
              energy.carbon_g_per_kwh.value, "number", _("g CO2e per kWh"),
              energy.carbon_g_per_kwh, name="CarbonIntensity"),
    ]
    if energy.water_l_per_kwh is not None:
        rows.append(Input(section, _("Water usage per kWh of IT energy"),
                          Key(Kind.ENERGY_INPUT, "water"), energy.water_l_per_kwh.value,
                          "number", _("litres per kWh"), energy.water_l_per_kwh,
                          name="WaterUsage"))
    rows += [Input(section, _("Share of the supply: {technology}").format(
                       technology=book.label("energy_technology", mix.technology)),
                   Key(Kind.ENERGY_INPUT, "mix", j), mix.share.value, "share", "",
                   mix.share)
             for j, mix in enumerate(energy.mix)]
    rows += rate_inputs(book, _("Capex rates"), "capex", cm.capex, CAPEX_BASES, {
        "per_accelerator": _("per accelerator"), "per_mw": _("per MW"),
        "per_site": _("per site"), "share_of_capex": ""})
    rows += rate_inputs(book, _("Opex rates"), "opex", cm.opex, OPEX_BASES, {
        "share_of_capex": _("per year"), "per_mw_year": _("per MW and year"),
        "fixed_per_year": _("per year")})
    section = _("Work plan")
    rows.append(Input(section, _("Cost of a person-month (default)"), Key(Kind.INPUT, "rate"),
                      plan.person_month_rate.value, "eur", _("per person-month"),
                      plan.person_month_rate, name="PersonMonthRate"))
    rows += [Input(section, _("Cost of a person-month: {partner}").format(
                       partner=partner_name(project, pid)),
                   Key(Kind.PARTNER_RATE, pid), rate.value, "eur", _("per person-month"),
                   rate)
             for pid, rate in plan.partner_rates.items()]
    section = _("Financing")
    rows += [
        Input(section, _("EU contribution: share of the total cost"), Key(Kind.INPUT, "eu"),
              fin.eu.share.value, "share", "", fin.eu.share, name="EUShare"),
        Input(section, _("Member State contribution: share of the total cost"),
              Key(Kind.INPUT, "ms"), fin.member_state.share.value, "share", "",
              fin.member_state.share, name="MemberStateShare"),
    ]
    rows += [Input(section, _("Loan: {lender}").format(lender=book.text(facility.lender)),
                   Key(Kind.LOAN, n), facility.amount.value, "eur", "", facility.amount)
             for n, facility in enumerate(fin.debt, start=1)]
    rows.append(Input(section, _("Gap or surplus still counted as balanced"),
                      Key(Kind.INPUT, "tolerance"), fin.tolerance_eur, "eur", "",
                      name="FinancingTolerance", status=setting))
    section = _("Partner contributions")
    for partner in ordered_partners(project):
        rows += [Input(section, _("{partner}: {kind}").format(
                           partner=partner.short_name, kind=_(PLEDGES[pledge.kind.value])),
                       Key(Kind.PLEDGE, partner.id, j), pledge.amount, "eur", "", pledge,
                       note=None if pledge.description is None
                       else book.text(pledge.description))
                 for j, pledge in enumerate(partner.contributions.pledges)]
        rows += [Input(section, _("{partner}: in kind, {kind}").format(
                           partner=partner.short_name, kind=book.label("in_kind", item.kind)),
                       Key(Kind.IN_KIND, partner.id, j), item.valuation.value, "eur", "",
                       item.valuation,
                       note=book.text(item.description) if item.counts_in_financing
                       else _("Listed only: not counted as a financing source. {text}")
                       .format(text=book.text(item.description)))
                 for j, item in enumerate(partner.contributions.in_kind)
                 if item.valuation is not None]
    section = _("Call")
    call = project.call
    rows.append(Input(section, _("Indirect costs (E): flat rate on eligible direct costs"),
                      Key(Kind.INPUT, "indirect"), call.indirect_rate, "share", "",
                      name="IndirectRate", status=_("Call rule")))
    for rule in call.share_rules:
        for bound, label in (("min_share", _("{rule}: lowest share of the total cost")),
                             ("max_share", _("{rule}: highest share of the total cost"))):
            if getattr(rule, bound) is not None:
                rows.append(Input(section, label.format(rule=rule_name(book, rule)),
                                  Key(Kind.SHARE_RULE_BOUND, rule.id, bound),
                                  getattr(rule, bound), "share", "", rule,
                                  note=book.text(rule.description)))
    return rows


def rule_name(book: Wording, rule: ShareRule) -> str:
    """A share rule as readers know it: the financing sources it adds up."""
    return " + ".join(book.label("financing_kind", kind) for kind in rule.financing_sources)


PLEDGES = {"cash": N_("cash pledge"), "equity": N_("equity pledge"), "debt": N_("debt pledge")}
"""How each kind of pledge reads in the list of inputs."""


def rate_inputs(book: Wording, section: str, group: str, lines: tuple, bases: dict[str, str],
                units: dict[str, str]) -> list[Input]:
    """The rates of the capex or the opex lines (`group`), one input per line that has one."""
    rate, prefix = ((Kind.CAPEX_RATE, "CapexRate") if group == "capex"
                    else (Kind.OPEX_RATE, "OpexRate"))
    return [Input(section, book._("{category}: {basis}").format(
                      category=book.label(group, line.category), basis=book._(bases[line.basis])),
                  Key(rate, i), line.rate.value,
                  "share" if line.basis == "share_of_capex" else "eur", units[line.basis],
                  line.rate, name=rate_name(prefix, lines, i))
            for i, line in enumerate(lines) if line.rate is not None]


def rate_name(prefix: str, lines: tuple, index: int) -> str:
    """The defined name of a cost line's rate: by category, numbered when it repeats."""
    category = lines[index].category
    same = [i for i, line in enumerate(lines) if line.category == category]
    suffix = "" if len(same) == 1 else f"_{same.index(index) + 1}"
    return f"{prefix}_{category}{suffix}"


def write_assumptions(book: Book) -> None:
    """Every input with its unit, defined name, source or assumption flag, and note."""
    _ = book._
    sheet = book.sheets["assumptions"]
    sheet.heading(_("Assumptions"), _(
        "Every input of the workbook. Shaded cells are inputs: change them and every "
        "sheet recalculates. Person-months and work-package months are entered on the "
        "Effort sheet."))
    row = HEADER_ROW
    last = sheet.header(row, [_("Section"), _("Item"), _("Value"), _("Unit"), _("Name"),
                              _("Source"), _("Status"), _("Note")])
    sources = book.project.sources
    for entry in assumption_inputs(book):
        row += 1
        origin = entry.origin
        source_id = getattr(origin, "source", None)
        note = entry.note
        if note is None and getattr(origin, "note", None) is not None:
            note = book.text(origin.note)
        sheet.text(row, 1, entry.section)
        sheet.text(row, 2, entry.item, wrap=True)
        if entry.locked:
            sheet.value(row, 3, entry.value, entry.kind, key=entry.key)  # a convention
        else:
            sheet.input(row, 3, entry.value, entry.kind, entry.key)
        sheet.text(row, 4, entry.unit)
        sheet.text(row, 5, entry.name)
        if source_id is not None:
            source = sources.get(source_id)
            sheet.text(row, 6, source_id if source is None
                       else f"[{source_id}] {book.text(source.title)}", wrap=True)
        sheet.text(row, 7, entry.status or provenance_status(book, origin))
        sheet.text(row, 8, note, wrap=True)
        if entry.name:
            book.name(entry.name, entry.key)
    sheet.finish({1: 20, 2: 48, 3: 16, 4: 20, 5: 26, 6: 40, 7: 14, 8: 80}, "C5",
                 f"A{HEADER_ROW}:{get_column_letter(last)}{row}")


def provenance_status(book: Book, origin: Any) -> str:
    """`Sourced`, `Assumption` or `Not documented`, from a figure's provenance."""
    if getattr(origin, "source", None) is not None:
        return book._("Sourced")
    if getattr(origin, "assumption", False):
        return book._("Assumption")
    return book._("Not documented")
