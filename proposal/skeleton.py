"""The commented skeleton that `build.py new-partner ID` writes for a new contributor."""

from __future__ import annotations

from pathlib import Path

from .models import MAX_PARTNER_ID, PARTNER_ID, ValueChainLayer
from .output import write_atomic
from .schema import modeline

SKELETON = """\
{modeline}
# Partner file for `{id}`: the file name is the partner id. Fill in every field,
# then run `python build.py check`: it names the line of anything still missing.
# Figures are written with their provenance: `{{value: 4000000000, source: a}}` cites
# a source of data/sources.yaml; `{{value: 12, assumption: true}}` flags an assumption.

legal_name: ""            # registered legal name, e.g. "Example SAS"
short_name: ""            # short name for tables (at most 30 characters)
country: FR               # ISO 3166-1 alpha-2 code of the country of incorporation
organisation_type: large_enterprise  # large_enterprise, sme, startup, research_organisation,
                          # university, public_body, investor or other
status: member            # member, supporter or in_discussion
# pic: "999999999"        # EU Participant Identification Code: 9 digits, in quotes
# website: https://www.example.com
# logo: logos/{id}.svg    # an SVG or PNG file inside the input folder

role:                     # one sentence per language: the partner's role in the bid
  en: ""
  fr: ""
description:              # a short profile for the partner annex
  en: ""
  fr: ""

value_chain: []           # one or more of: {layers}

key_people: []
#  - name: Jane Doe
#    position: {{en: Chief Technology Officer, fr: Directrice technique}}

references: []            # up to 5 relevant publications or products
previous_projects: []     # up to 5 previous projects
infrastructure: []        # significant infrastructure, as {{en: ..., fr: ...}} texts

contributions:
  pledges: []
#    - kind: cash          # cash, equity or debt
#      amount: 100000000   # EUR
#      assumption: true    # or `source: <id>`
  in_kind: []
#    - kind: power         # accelerators, power, site, staff or other
#      description: {{en: ..., fr: ...}}
#      quantity: {{value: 20, assumption: true}}   # in units, MW, sites or FTE
#      valuation: {{value: 50000000, assumption: true}}  # EUR, counted in the financing plan

sources: []               # ids from data/sources.yaml that state the partner's participation
"""


def partner_skeleton(partner_id: str) -> str:
    """The text of a new partner file."""
    return SKELETON.format(
        id=partner_id,
        modeline=modeline("partner"),
        layers=", ".join(layer.value for layer in ValueChainLayer),
    )


class SkeletonError(Exception):
    """The skeleton cannot be written (bad id or existing file)."""


def write_partner_skeleton(input_dir: Path, partner_id: str) -> Path:
    """Write `partners/<id>.yaml`; refuse a bad id or an existing file."""
    if not PARTNER_ID.fullmatch(partner_id) or len(partner_id) > MAX_PARTNER_ID:
        raise SkeletonError(f"`{partner_id}` is not a valid partner id; expected lower-case "
                            "letters, digits, '-' and '_', starting with a letter or digit")
    path = input_dir / "partners" / f"{partner_id}.yaml"
    if path.exists():
        raise SkeletonError(f"partners/{partner_id}.yaml already exists; not overwritten")
    return write_atomic(path, partner_skeleton(partner_id))
