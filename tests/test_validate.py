"""Load and validate stages: every kind of bad input gets its exact message and location."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from proposal.cli import main
from proposal.pipeline import check

from .conftest import EXAMPLE, REPO, SampleProject, check_in_child


def problems_of(sample: SampleProject) -> list[str]:
    """The formatted problems `check` reports for the sample (empty when valid)."""
    return [str(p) for p in check(sample.path).problems]


def test_minimal_root_is_valid(sample: SampleProject) -> None:
    result = check(sample.path)
    assert result.warnings == []
    assert result.summary() == "ok: 2 partners, 21 figures, 0 warnings"


def test_shipped_example_validates_with_zero_errors() -> None:
    result = check(EXAMPLE)
    assert len(result.project.partners) >= 20
    assert result.project.consortium.acronym == "AION"


# ------------------------------------------------------------ kinds of bad input


def test_syntax_error(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", "legal_name: [Gamma\nshort_name: G\n")
    assert problems_of(sample) == [
        "partners/gamma.yaml:2:11: error: YAML syntax error: while parsing a flow sequence: "
        "expected ',' or ']', but got ':'; a list opened with `[` is not closed: add `]`, or "
        "quote a text that holds `[` [syntax]"
    ]


def test_wrong_type(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "value_chain: [energy]", "value_chain: energy")
    assert problems_of(sample) == [
        "partners/beta.yaml:8:14: error: `value_chain` is 'energy'; expected a list [wrong-type]"
    ]


def test_unknown_key_suggests_the_right_one(sample: SampleProject) -> None:
    sample.edit("partners/alpha.yaml", "short_name: Alpha", "shortname: Alpha")
    assert problems_of(sample) == [
        "partners/alpha.yaml:1:1: error: missing key `short_name`; expected: Short name used in "
        "tables [missing-key]",
        "partners/alpha.yaml:2:1: error: unknown key `shortname`; expected one of: address, "
        "assumption, contributions, country, description, founding_member, infrastructure, "
        "key_people, legal_name, logo, notes, organisation_type, pic, previous_projects, "
        "references, role, short_name, sources, status, value_chain, website; did you mean "
        "`short_name`? "
        "[unknown-key]",
    ]


def test_missing_key_points_at_its_mapping(sample: SampleProject) -> None:
    sample.edit("data/workplan.yaml", "    lead: alpha\n    start_month: 1",
                "    start_month: 1")
    assert problems_of(sample) == [
        "data/workplan.yaml:3:5: error: missing key `lead`; expected: Lead partner id "
        "[missing-key]"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("role: {en: Coordinator, fr: Coordinateur}", "role: {en: Coordinator}",
         "partners/alpha.yaml:10:7: error: `role` has missing French text (`fr`); every text "
         "needs both `en` and `fr` [missing-translation]"),
        ("role: {en: Coordinator, fr: Coordinateur}", "role: {en: '  ', fr: Coordinateur}",
         "partners/alpha.yaml:10:7: error: `role` has empty English text (`en`); every text "
         "needs both `en` and `fr` [missing-translation]"),
    ],
)
def test_missing_translation(sample: SampleProject, old: str, new: str, message: str) -> None:
    sample.edit("partners/alpha.yaml", old, new)
    assert problems_of(sample) == [message]


def test_duplicate_key(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "short_name: Beta", "short_name: Beta\nshort_name: B")
    assert problems_of(sample) == [
        "partners/beta.yaml:3:1: error: key `short_name` appears twice in this mapping; keep one "
        "[duplicate-key]"
    ]


def test_duplicate_legal_name_and_pic(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "legal_name: Beta GmbH", "legal_name: ALPHA sas\n"
                'pic: "999999999"')
    assert problems_of(sample) == [
        "partners/beta.yaml:1:13: error: legal name `ALPHA sas` is already used by partner "
        "`alpha`; each partner needs its own legal name [duplicate-legal-name]",
        "partners/beta.yaml:2:6: error: PIC `999999999` is already used by partner `alpha`; each "
        "partner needs its own PIC [duplicate-pic]",
    ]


def test_duplicate_work_item_id(sample: SampleProject) -> None:
    sample.edit("data/workplan.yaml", "      - id: MS1\n",
                "      - id: MS1\n        title: {en: a, fr: b}\n        month: 2\n"
                "        verification: {en: a, fr: b}\n      - id: MS1\n")
    assert problems_of(sample) == [
        "data/workplan.yaml:26:13: error: milestone id `MS1` is used twice; ids must be unique "
        "[duplicate-id]"
    ]


def test_partner_id_must_be_the_file_stem(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "legal_name: Beta GmbH", "id: gamma\nlegal_name: Beta GmbH")
    assert problems_of(sample) == [
        "partners/beta.yaml:1:1: error: key `id` is not written in partner files; the id is the "
        "file name (`beta`): remove this key [partner-id]"
    ]


def test_invalid_partner_file_name(sample: SampleProject) -> None:
    (sample.path / "partners/beta.yaml").rename(sample.path / "partners/Beta Corp.yaml")
    assert "partners/Beta Corp.yaml:1:1: error: file name `Beta Corp.yaml` is not a valid " \
           "partner id; expected lower-case letters, digits, '-' and '_' (the file stem is the " \
           "partner id) [partner-id]" in problems_of(sample)


@pytest.mark.parametrize("suffix", [".yml", ".YAML", ".Yml"])
def test_partner_file_with_another_yaml_suffix(sample: SampleProject, suffix: str) -> None:
    # Before, `beta.YAML` was skipped without a word: the partner vanished from the proposal.
    (sample.path / "partners/beta.yaml").rename(sample.path / f"partners/beta{suffix}")
    assert problems_of(sample)[0] == (
        f"partners/beta{suffix}:1:1: error: file name ends in `{suffix}`; expected `.yaml`: "
        "rename it to `beta.yaml` [file-name]")


def test_data_file_with_another_yaml_suffix(sample: SampleProject) -> None:
    (sample.path / "data/financing.yaml").rename(sample.path / "data/financing.yml")
    assert problems_of(sample) == [
        "data/financing.yaml:1:1: error: file is missing; expected `data/financing.yaml` in the "
        "input folder (`data/financing.yml` is there: rename it) [missing-file]"
    ]


def test_dangling_references(sample: SampleProject) -> None:
    sample.edit("data/workplan.yaml", "effort: {alpha: 24, beta: 12}",
                "effort: {alpha: 24, betta: 12}")
    sample.edit("data/consortium.yaml", "coordinator: alpha", "coordinator: omega")
    sample.edit("data/cost_model.yaml", "sites: [paris]", "sites: [lyon]")
    assert problems_of(sample) == [
        "data/consortium.yaml:3:14: error: `omega` is not a partner; expected one of the files in "
        "`partners/` [unknown-partner]",
        "data/cost_model.yaml:23:13: error: `lyon` is not a known site; expected one of: paris "
        "[unknown-site]",
        "data/workplan.yaml:9:25: error: `betta` is not a partner; expected one of the files in "
        "`partners/`; did you mean `beta`? [unknown-partner]",
    ]


def test_unknown_source(sample: SampleProject) -> None:
    sample.edit("partners/alpha.yaml", "sources: [press]", "sources: [presse]")
    assert problems_of(sample) == [
        "partners/alpha.yaml:21:11: error: source `presse` is not in `data/sources.yaml`; "
        "expected one of: press [unknown-source]"
    ]


def test_negative_amount(sample: SampleProject) -> None:
    sample.edit("partners/alpha.yaml", "amount: 100000000", "amount: -100000000")
    assert problems_of(sample) == [
        "partners/alpha.yaml:19:15: error: `contributions.pledges[0].amount` is -100000000; "
        "expected a number that is not negative [negative]"
    ]


@pytest.mark.parametrize(("value", "shown"), [(".nan", "nan"), (".inf", "inf"), ("1e400", "inf")])
def test_amount_must_be_finite(sample: SampleProject, value: str, shown: str) -> None:
    sample.edit("partners/alpha.yaml", "amount: 100000000", f"amount: {value}")
    sample.edit("data/cost_model.yaml", "pue: {value: 1.2, assumption: true, "
                                        "note: {en: Test value., fr: Valeur de test.}}",
                                        f"pue: {value}")
    assert problems_of(sample) == [
        f"data/cost_model.yaml:28:8: error: `energy.pue` is {shown}; expected a finite "
        "number [invalid-value]",
        f"partners/alpha.yaml:19:15: error: `contributions.pledges[0].amount` is {shown}; "
        "expected a finite number [invalid-value]",
    ]


def test_negative_person_months(sample: SampleProject) -> None:
    sample.edit("data/workplan.yaml", "effort: {alpha: 24, beta: 12}",
                "effort: {alpha: 24, beta: -12}")
    assert problems_of(sample) == [
        "data/workplan.yaml:9:31: error: `work_packages[0].effort.beta` is -12; expected a "
        "number that is not negative [negative]"
    ]


def test_pledge_currency_must_be_eur(sample: SampleProject) -> None:
    sample.edit("partners/alpha.yaml", "      amount: 100000000",
                "      amount: 100000000\n      currency: USD")
    assert problems_of(sample) == [
        "partners/alpha.yaml:20:17: error: amount in USD; the financing plan is in EUR: convert "
        "it and write `currency: EUR` [currency]"
    ]


def test_phases_ordered_inside_window_and_not_decreasing(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "        count: {value: 4000, assumption: true, "
                                        "note: {en: Test value., fr: Valeur de test.}}\n",
                "        count: {value: 4000, assumption: true, "
                "note: {en: Test value., fr: Valeur de test.}}\n"
                "  - id: p2\n    name: {en: Phase 2, fr: Phase 2}\n    start: 2026-01-01\n"
                "    end: 2031-06-30\n    power_mw: {value: 5, assumption: true, "
                "note: {en: Test value., fr: Valeur de test.}}\n"
                "    sites: [paris]\n    accelerators:\n      - type: h100\n"
                "        count: {value: 10, assumption: true, "
                "note: {en: Test value., fr: Valeur de test.}}\n")
    assert problems_of(sample) == [
        "data/cost_model.yaml:29:12: error: phase `p2` is listed after `p1` but starts or ends "
        "earlier; list phases in order [phase-order]",
        "data/cost_model.yaml:29:12: error: phase `p2` starts on 2026-01-01, before the call's "
        "window opens (2026-06-01) [phase-window]",
        "data/cost_model.yaml:30:10: error: phase `p2` ends on 2031-06-30, after the call's "
        "window closes (2030-12-31) [phase-window]",
        "data/cost_model.yaml:31:15: error: phase `p2` has 5 MW, less than `p1` (10 MW); "
        "`power_mw` is the cumulative power and cannot decrease [power-decreasing]",
    ]


def test_task_outside_its_work_package(sample: SampleProject) -> None:
    sample.edit("data/workplan.yaml", "        end_month: 12\n", "        end_month: 30\n")
    assert problems_of(sample) == [
        "data/workplan.yaml:14:20: error: task T1.1 ends in month 30, outside WP1's months "
        "(1-24) [month-range]"
    ]


def test_figure_without_provenance_is_a_warning(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "pue: {value: 1.2, assumption: true, "
                                        "note: {en: Test value., fr: Valeur de test.}}", "pue: 1.2")
    result = check(sample.path)
    assert [str(p) for p in result.warnings] == [
        "data/cost_model.yaml:28:8: warning: figure `energy.pue` has neither `source` nor "
        "`assumption: true`; cite a source from `data/sources.yaml` or flag it as an assumption "
        "[provenance]"
    ]


def test_sourced_and_assumed_at_once_is_an_error(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "pue: {value: 1.2, assumption: true, "
                                        "note: {en: Test value., fr: Valeur de test.}}",
                "pue: {value: 1.2, assumption: true, source: press}")
    assert problems_of(sample) == [
        "data/cost_model.yaml:28:8: error: `energy.pue`: a figure is either sourced or an "
        "assumption: remove `source` or `assumption` [invalid-value]"
    ]


@pytest.mark.parametrize(
    ("logo", "message"),
    [
        ("../../outside.svg", "logo `../../outside.svg` leaves the input folder; expected a path "
         "inside it, such as `logos/name.svg`"),
        ("/etc/passwd", "logo `/etc/passwd` is not a relative path; expected a path inside the "
         "input folder, such as `logos/name.svg`"),
        ("logos/missing.svg", "logo `logos/missing.svg` does not exist in the input folder"),
        ("data/call.yaml", "logo `data/call.yaml` is not an SVG or PNG file; expected a `.svg` or "
         "`.png` file"),
    ],
)
def test_logo_must_be_an_image_inside_the_input(
    sample: SampleProject, logo: str, message: str
) -> None:
    sample.edit("partners/alpha.yaml", "logo: logos/alpha.svg", f"logo: {logo}")
    assert problems_of(sample) == [f"partners/alpha.yaml:9:7: error: {message} [logo]"]


def test_logo_too_large(sample: SampleProject) -> None:
    # An 8 MB SVG took 87 s and 1.3 GiB to render.
    sample.write("logos/alpha.svg", "<svg xmlns='http://www.w3.org/2000/svg'>"
                 + "<rect width='5' height='5'/>" * 80_000 + "</svg>")
    assert problems_of(sample) == [
        "partners/alpha.yaml:9:7: error: logo `logos/alpha.svg` is 2,240,046 bytes; the limit "
        "is 2,097,152 bytes [logo]"
    ]


def test_logo_with_too_many_pixels(sample: SampleProject) -> None:
    # A 21 kB PNG of 9000 x 9000 white pixels took 10 s and 800 MiB to render.
    header = struct.pack(">I4sIIBBBBB", 13, b"IHDR", 9000, 9000, 1, 0, 0, 0, 0)
    sample.write("logos/alpha.png", b"\x89PNG\r\n\x1a\n" + header + b"\x00" * 4)
    sample.edit("partners/alpha.yaml", "logo: logos/alpha.svg", "logo: logos/alpha.png")
    assert problems_of(sample) == [
        "partners/alpha.yaml:9:7: error: logo `logos/alpha.png` is 9,000 x 9,000 pixels; "
        "expected at most 16,000,000 pixels, such as 4,000 x 4,000 [logo]"
    ]


def test_yaml_bomb_is_refused_with_bounded_memory(sample: SampleProject) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    sample.write("partners/bomb.yaml", "\n".join(lines) + "\n")
    out, peak = check_in_child(sample.path)
    assert out[:2] == ["False", "partners/bomb.yaml:2:10: error: alias `*a0` is not allowed; "
                       "write the value out (aliases and merge keys are refused) [alias]"]
    # The alias is refused before anything expands, so the process's peak memory stays
    # at what the interpreter and libraries need; expanding 10^9 leaves takes GiBs.
    assert peak < 400 * 1024


def test_merge_keys_are_refused(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n")
    assert problems_of(sample) == [
        "partners/gamma.yaml:3:7: error: alias `*b` is not allowed; write the value out "
        "(aliases and merge keys are refused) [alias]"
    ]


def test_object_tags_are_refused(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", "legal_name: !!python/object/apply:os.system [ls]\n")
    assert problems_of(sample) == [
        "partners/gamma.yaml:1:13: error: tag `tag:yaml.org,2002:python/object/apply:os.system` "
        "is not allowed; write plain YAML values [tag]"
    ]


@pytest.mark.parametrize(("char", "code"), [("\x07", "0007"), ("\x1b", "001B"),
                                            ("\x7f", "007F"), ("\ufffe", "FFFE")])
def test_raw_control_character_is_located(sample: SampleProject, char, code) -> None:
    sample.edit("partners/beta.yaml", "short_name: Beta", f"short_name: Be{char}ta")
    assert problems_of(sample) == [
        f"partners/beta.yaml:2:15: error: character U+{code} is not allowed in YAML text; "
        "remove it [control-character]"
    ]


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "9" * 5000, "0x" + "f" * 5000,
                                    "0o" + "7" * 40])
def test_number_with_too_many_digits(sample: SampleProject, number: str) -> None:
    sample.edit("partners/alpha.yaml", "amount: 100000000", f"amount: {number}")
    digits = len(number.lstrip("-").removeprefix("0x").removeprefix("0o"))
    assert problems_of(sample) == [
        f"partners/alpha.yaml:19:15: error: number `{number[:12]}...` has {digits:,} digits; "
        "expected at most 30 (quote it to keep it as text) [too-many-digits]"
    ]


@pytest.mark.parametrize("version", ["1.1", "1.3", "2.0"])
def test_yaml_version_directive_is_refused(sample: SampleProject, version: str) -> None:
    # Under `%YAML 1.1` the effort `010` would silently read as 8 and `NO` as false.
    sample.write("partners/gamma.yaml", f"# Gamma\n%YAML {version}\n---\nlegal_name: NO\n")
    assert problems_of(sample) == [
        f"partners/gamma.yaml:2:1: error: directive `%YAML {version}` asks for another YAML "
        "version, which reads values differently (`NO` as false, `010` as 8); expected YAML "
        "1.2: remove this line [yaml-version]"
    ]


def test_yaml_1_2_directive_is_accepted(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "legal_name: Beta GmbH",
                "%YAML 1.2\n---\nlegal_name: Beta GmbH")
    assert problems_of(sample) == []


@pytest.mark.parametrize(("escape", "message"), [
    ("\\a", "the control character U+0007"),
    ("\\0", "the control character U+0000"),
    ("\\e[31m", "the control character U+001B"),
    ("\\x85", "the control character U+0085"),
    ("\\u202E", "the direction override U+202E (RIGHT-TO-LEFT OVERRIDE), which reorders the "
                 "printed text"),
    ("\\u2066", "the direction override U+2066 (LEFT-TO-RIGHT ISOLATE), which reorders the "
                 "printed text"),
    ("\\ud800", "U+D800, half of a surrogate pair and no character"),
    ("\\uFFFE", "the non-character U+FFFE"),
])
def test_escaped_control_characters_are_refused(sample: SampleProject, escape, message) -> None:
    # The YAML reader refuses these characters typed raw; written as escapes inside double
    # quotes they reached the workbook, which refuses them with a traceback.
    sample.edit("partners/alpha.yaml", "legal_name: Alpha SAS", f'legal_name: "Alpha{escape} SAS"')
    assert problems_of(sample) == [
        f"partners/alpha.yaml:1:13: error: `legal_name` contains {message}; expected printable "
        "text: remove it [control-character]"
    ]


def test_control_characters_in_keys_and_narrative_texts(sample: SampleProject) -> None:
    sample.edit("data/call.yaml", "  budget: {en: Budget", '  "budget\\a": {en: Budget')
    sample.edit("data/consortium.yaml", "abstract: {en: A short abstract.",
                'abstract: {en: "A short\\babstract."')
    assert problems_of(sample) == [
        "data/call.yaml:12:3: error: key `required_sections.budget\\u0007` contains the control "
        "character U+0007; expected printable text: remove it [control-character]",
        "data/consortium.yaml:11:18: error: `texts.abstract.en` contains the control character "
        "U+0008; expected printable text: remove it [control-character]",
    ]


@pytest.mark.parametrize(("key", "message"), [
    ("~", "a key is null (written `~`, `null` or left out); expected a text key"),
    ("null", "a key is null (written `~`, `null` or left out); expected a text key"),
    ("true", "key `true` is a boolean; expected a text key (quote it: 'true')"),
    ("1.5", "key `1.5` is a number; expected a text key (quote it: '1.5')"),
    ("2020-01-01", "key `2020-01-01` is a date; expected a text key (quote it: '2020-01-01')"),
    ("[a, b]", "a key is a list; expected a text key"),
    ("{a: 1}", "a key is a mapping; expected a text key"),
])
def test_key_that_is_not_text(sample: SampleProject, key: str, message: str) -> None:
    sample.write("partners/gamma.yaml", f"legal_name: Gamma\n? {key}\n: x\n")
    assert problems_of(sample) == [f"partners/gamma.yaml:2:3: error: {message} [key-type]"]


def test_number_key_is_read_as_text(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "legal_name: Beta GmbH", "legal_name: Beta GmbH\n1: x")
    assert problems_of(sample)[0].startswith(
        "partners/beta.yaml:2:1: error: unknown key `1`; expected one of: address, ")


def test_word_too_long_to_print(sample: SampleProject) -> None:
    # A word of 2,000 characters ran off the page (and such words make the layout crawl).
    sample.edit("partners/alpha.yaml", "legal_name: Alpha SAS", "legal_name: Alpha" + "X" * 2000)
    sample.edit("data/consortium.yaml", "positioning: {en: Two partners suffice.",
                "positioning: {en: " + "Two-partners/" + "W" * 41)
    assert problems_of(sample) == [
        "data/consortium.yaml:13:21: error: `texts.positioning.en` has a word of 41 characters "
        "(`WWWWWWWWWWWWWWWWWWWW...`); expected words of at most 40 characters, which the PDF "
        "can wrap: add spaces or shorten it [long-word]",
        "partners/alpha.yaml:1:13: error: `legal_name` has a word of 2,005 characters "
        "(`AlphaXXXXXXXXXXXXXXX...`); expected words of at most 40 characters, which the PDF "
        "can wrap: add spaces or shorten it [long-word]",
    ]


def test_long_words_that_can_break_are_accepted(sample: SampleProject) -> None:
    sample.edit("partners/alpha.yaml", "legal_name: Alpha SAS", "legal_name: " + "W" * 40)
    sample.edit("partners/alpha.yaml", "website: https://alpha.example",
                "website: https://alpha.example/" + "a" * 60)
    sample.edit("data/consortium.yaml", "positioning: {en: Two partners suffice.",
                "positioning: {en: 'See https://www.example-research-institute.europa.eu/en/"
                "policies/artificial-intelligence/annex-3-guidelines.pdf'")
    assert problems_of(sample) == []


def test_empty_file(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", "# nothing yet\n\n")
    assert problems_of(sample) == [
        "partners/gamma.yaml:1:1: error: file is empty; expected a mapping of keys to values "
        "[empty]"
    ]


def test_binary_file(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problems_of(sample) == [
        "partners/gamma.yaml:1:1: error: file is binary; expected UTF-8 YAML text [binary]"
    ]


def test_non_utf8_file(sample: SampleProject) -> None:
    text = "legal_name: Gamma\nshort_name: Caf\xe9\n"
    sample.write("partners/gamma.yaml", text.encode("latin-1"))
    assert problems_of(sample) == [
        "partners/gamma.yaml:2:16: error: byte 0xe9 is not UTF-8; save the file as UTF-8 "
        "[encoding]"
    ]


def test_oversized_file(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", "# padding\n" * 200_000)
    assert problems_of(sample) == [
        "partners/gamma.yaml:1:1: error: file is 2,000,000 bytes; the limit is 1,048,576 bytes "
        "[too-large]"
    ]


def test_deep_nesting(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", "a: " + "[" * 40 + "]" * 40 + "\n")
    assert problems_of(sample) == [
        "partners/gamma.yaml:1:35: error: nesting deeper than 32 levels; flatten the data "
        "[too-deep]"
    ]


def problems_within(sample: SampleProject, seconds: float = 20) -> list[str]:
    """`problems_of`, failing instead of hanging when the check does not finish."""
    found: list[list[str]] = []
    worker = threading.Thread(target=lambda: found.append(problems_of(sample)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert found, f"the check did not finish within {seconds} s"
    return found[0]


def test_folder_named_like_a_yaml_file(sample: SampleProject) -> None:
    (sample.path / "partners/gamma.yaml").mkdir()
    (sample.path / "data/financing.yaml").unlink()
    (sample.path / "data/financing.yaml").mkdir()
    assert problems_of(sample) == [
        "data/financing.yaml:1:1: error: `data/financing.yaml` is a folder, not a file; expected "
        "a YAML file [not-a-file]",
        "partners/gamma.yaml:1:1: error: `partners/gamma.yaml` is a folder, not a file; expected "
        "a YAML file [not-a-file]",
    ]


def test_named_pipe_is_refused_without_waiting(sample: SampleProject) -> None:
    os.mkfifo(sample.path / "partners/gamma.yaml")
    assert problems_within(sample) == [
        "partners/gamma.yaml:1:1: error: `partners/gamma.yaml` is a named pipe, not a file; "
        "expected a YAML file [not-a-file]"
    ]


def test_socket_is_refused(sample: SampleProject, monkeypatch) -> None:
    monkeypatch.chdir(sample.path / "partners")  # a socket's path is limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("gamma.yaml")
        assert problems_within(sample) == [
            "partners/gamma.yaml:1:1: error: `partners/gamma.yaml` is a socket, not a file; "
            "expected a YAML file [not-a-file]"
        ]


def test_dangling_symbolic_link(sample: SampleProject) -> None:
    (sample.path / "partners/gamma.yaml").symlink_to(sample.path / "partners/missing.yaml")
    assert problems_of(sample) == [
        "partners/gamma.yaml:1:1: error: `partners/gamma.yaml` is a symbolic link to a file that "
        "does not exist; expected a YAML file [not-a-file]"
    ]


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero", "../../outside.yaml"])
def test_link_out_of_the_input_folder_is_not_followed(sample: SampleProject, target) -> None:
    # A valid partner file outside the input folder is refused too: nothing is read there.
    (sample.path.parent / "outside.yaml").write_text(
        (sample.path / "partners/beta.yaml").read_text().replace("Beta GmbH", "Gamma"))
    (sample.path / "partners/gamma.yaml").symlink_to(target)
    shown = (sample.path / "partners" / target).resolve()
    assert problems_within(sample) == [
        f"partners/gamma.yaml:1:1: error: `partners/gamma.yaml` leads to `{shown}` through a "
        "symbolic link, outside the input folder; expected a file inside the input folder "
        "[outside-input]"
    ]


def test_linked_data_folder_out_of_the_input_is_not_followed(sample: SampleProject) -> None:
    (sample.path / "data").rename(sample.path.parent / "shared-data")
    (sample.path / "data").symlink_to(sample.path.parent / "shared-data")
    lines = problems_of(sample)
    assert len(lines) == 6
    assert lines[0] == (
        f"data/call.yaml:1:1: error: `data/call.yaml` leads to "
        f"`{sample.path.parent.resolve()}/shared-data/call.yaml` through a symbolic link, "
        "outside the input folder; expected a file inside the input folder [outside-input]")


def test_link_inside_the_input_folder_is_followed(sample: SampleProject) -> None:
    (sample.path / "shared").mkdir()
    (sample.path / "partners/beta.yaml").rename(sample.path / "shared/beta.yaml")
    (sample.path / "partners/beta.yaml").symlink_to("../shared/beta.yaml")
    assert problems_of(sample) == []


def test_symbolic_link_loop(sample: SampleProject) -> None:
    (sample.path / "partners/gamma.yaml").symlink_to("gamma.yaml")
    assert problems_of(sample) == [
        "partners/gamma.yaml:1:1: error: `partners/gamma.yaml` is a symbolic link that leads "
        "back to itself; expected a YAML file [not-a-file]"
    ]


def test_unreadable_file(sample: SampleProject, monkeypatch) -> None:
    # Tests may run as root, who reads any file whatever its mode: deny the opening itself.
    denied = (sample.path / "partners/beta.yaml").resolve()
    real_open = os.open

    def open_denying(path, *args, **kwargs):
        if Path(path).resolve() == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_denying)
    assert problems_of(sample) == [
        "partners/beta.yaml:1:1: error: `partners/beta.yaml` cannot be read (Permission denied); "
        "expected a file the build may read [unreadable]"
    ]


def test_unlistable_partners_folder(sample: SampleProject, monkeypatch) -> None:
    real_scandir = os.scandir
    partners = (sample.path / "partners").resolve()

    def scandir_denying(path="."):
        if Path(path).resolve() == partners:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir_denying)
    monkeypatch.setattr(os, "listdir", lambda path=".": list(
        entry.name for entry in scandir_denying(path)))
    assert problems_of(sample) == [
        "partners/:1:1: error: folder `partners/` cannot be read (Permission denied); expected "
        "a folder the build may read [unreadable]"
    ]


def test_top_level_list(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", "- legal_name: Gamma\n- short_name: G\n")
    assert problems_of(sample) == [
        "partners/gamma.yaml:1:1: error: the file holds a list; expected a mapping of keys to "
        "values [not-a-mapping]"
    ]


def test_missing_data_file(sample: SampleProject) -> None:
    (sample.path / "data/financing.yaml").unlink()
    assert problems_of(sample) == [
        "data/financing.yaml:1:1: error: file is missing; expected `data/financing.yaml` in the "
        "input folder [missing-file]"
    ]


def test_all_problems_are_reported_at_once_sorted(sample: SampleProject) -> None:
    sample.write("partners/gamma.yaml", "")
    sample.edit("partners/beta.yaml", "country: DE", "country: Germany")
    sample.edit("data/workplan.yaml", "likelihood: medium", "likelihood: often")
    lines = problems_of(sample)
    assert [line.split(": error")[0] for line in lines] == [
        "data/workplan.yaml:29:17", "partners/beta.yaml:3:10", "partners/gamma.yaml:1:1",
    ]


def test_country_must_exist(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "country: DE", "country: XX")
    assert problems_of(sample) == [
        "partners/beta.yaml:3:10: error: `XX` is not an ISO 3166-1 country code [country]"
    ]


def test_pic_must_be_nine_digits(sample: SampleProject) -> None:
    sample.edit("partners/alpha.yaml", 'pic: "999999999"', 'pic: "12345"')
    assert problems_of(sample) == [
        "partners/alpha.yaml:7:6: error: `pic` is '12345'; expected exactly 9 digits, written as "
        "a quoted string such as '999999999' [invalid-value]"
    ]


# ------------------------------------------------------------------ command line


def test_check_exit_codes_and_formats(sample: SampleProject, capsys) -> None:
    assert main(["check", "--input", str(sample.path)]) == 0
    assert capsys.readouterr().out == "ok: 2 partners, 21 figures, 0 warnings\n"
    sample.edit("partners/beta.yaml", "country: DE", "country: Germany")
    assert main(["check", "--input", str(sample.path), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == [{
        "file": "partners/beta.yaml", "line": 3, "column": 10, "severity": "error",
        "code": "invalid-value",
        "message": "`country` is 'Germany'; expected a two-letter ISO 3166-1 country code such "
                   "as FR",
    }]
    assert main(["check", "--input", str(sample.path), "--format", "github"]) == 1
    assert capsys.readouterr().out == (
        "::error file=partners/beta.yaml,line=3,col=10,title=invalid-value::`country` is "
        "'Germany'; expected a two-letter ISO 3166-1 country code such as FR\n"
    )


def test_usage_error_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--format", "xml"])
    assert exit_info.value.code == 2
    assert main(["check", "--input", "/nonexistent/folder"]) == 2


def test_check_writes_nothing_and_changes_nothing(sample: SampleProject) -> None:
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in sample.path.rglob("*")
              if p.is_file()}
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--input",
                             str(sample.path)], capture_output=True, text=True, cwd=sample.path)
    assert result.returncode == 0, result.stdout + result.stderr
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in sample.path.rglob("*")
             if p.is_file()}
    assert after == before


def test_new_partner_skeleton(sample: SampleProject, capsys) -> None:
    assert main(["new-partner", "gamma", "--input", str(sample.path)]) == 0
    text = (sample.path / "partners/gamma.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/partner.schema.json\n")
    assert main(["new-partner", "gamma", "--input", str(sample.path)]) == 1
    assert "partners/gamma.yaml already exists; not overwritten" in capsys.readouterr().err
    assert (sample.path / "partners/gamma.yaml").read_text() == text
    # The unfilled skeleton is reported field by field, never silently accepted.
    lines = problems_of(sample)
    assert "partners/gamma.yaml:7:13: error: `legal_name` is empty; expected text [empty]" in lines
    assert main(["new-partner", "../evil", "--input", str(sample.path)]) == 1


def test_schema_command_and_shipped_schemas_are_current(tmp_path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    partner = json.loads((tmp_path / "partner.schema.json").read_text())
    assert "id" not in partner["properties"]
    assert partner["additionalProperties"] is False
    assert partner["properties"]["pic"]["description"].startswith("EU Participant")
    for generated in sorted(tmp_path.glob("*.schema.json")):
        shipped = REPO / "schemas" / generated.name
        assert shipped.read_text() == generated.read_text(), "run `python build.py schema`"


def test_shipped_yaml_files_name_their_schema() -> None:
    for path in [*EXAMPLE.glob("partners/*.yaml"), *EXAMPLE.glob("data/*.yaml")]:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        name = "partner" if path.parent.name == "partners" else path.stem
        assert first == f"# yaml-language-server: $schema=../schemas/{name}.schema.json", path



# ------------------------------------------------------------ remaining rules


def test_each_cost_category_is_costed_once(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "  - {category: energy, basis: energy,",
                "  - {category: energy, basis: fixed_per_year, rate: {value: 1, assumption: true, "
                "note: {en: Test value., fr: Valeur de test.}},"
                " eu_category: C.3, beneficiary: alpha, work_package: WP1}\n"
                "  - {category: energy, basis: energy,")
    assert problems_of(sample) == [
        "data/cost_model.yaml:40:16: error: opex category `energy` is costed twice; keep one "
        "line per category [duplicate-category]"
    ]


def test_in_kind_needs_a_valuation_and_accelerators_a_type(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "      valuation: {value: 20000000, assumption: true, "
                                      "note: {en: Test value., fr: Valeur de test.}}\n", "")
    sample.edit("partners/beta.yaml", "    - kind: power", "    - kind: accelerators")
    assert problems_of(sample) == [
        "partners/beta.yaml:11:7: error: accelerators contributed in kind need an "
        "`accelerator_type` [in-kind-type]",
        "partners/beta.yaml:11:7: error: in-kind contribution counts in the financing plan but "
        "has no `valuation`; add a valuation in EUR or set `counts_in_financing: false` "
        "[in-kind-valuation]",
    ]


def test_agreement_must_last_as_long_as_the_call_asks(sample: SampleProject) -> None:
    sample.edit("data/consortium.yaml", "agreement_years: 5", "agreement_years: 3")
    assert problems_of(sample) == [
        "data/consortium.yaml:8:18: error: the consortium agreement lasts 3 years; the call "
        "requires at least 5 [agreement-years]"
    ]


def test_title_and_abstract_fit_the_call_limits(sample: SampleProject) -> None:
    sample.edit("data/call.yaml", "  page_limit: 70", "  page_limit: 70\n  title_max_chars: 20")
    assert problems_of(sample) == [
        "data/consortium.yaml:10:15: error: the en title has 23 characters; the call allows at "
        "most 20 [text-length]",
        "data/consortium.yaml:10:44: error: the fr title has 32 characters; the call allows at "
        "most 20 [text-length]",
    ]


def test_criteria_are_answered_in_known_sections(sample: SampleProject) -> None:
    sample.edit("data/call.yaml", "answered_in: [consortium, budget]",
                "answered_in: [consortium, budjet]")
    assert problems_of(sample) == [
        "data/call.yaml:17:31: error: section `budjet` is not in `required_sections`; expected "
        "one of: budget, consortium [unknown-section]"
    ]


def test_format_rules_the_pdf_cannot_honour(sample: SampleProject) -> None:
    sample.edit("data/call.yaml", "  page_limit: 70", "  page_limit: 70\n  min_margin_mm: 35\n"
                "  min_body_pt: 14\n  min_small_pt: 10.5")
    assert problems_of(sample) == [
        "data/call.yaml:10:18: error: margins of at least 35 mm cannot be honoured: the "
        "proposal's tables and charts fit A4 pages with margins of at most 30 mm [format-rule]",
        "data/call.yaml:11:16: error: body and table text of at least 14 pt cannot be honoured: "
        "the proposal's tables fit the page with body and table text of at most 12 pt "
        "[format-rule]",
        "data/call.yaml:12:17: error: small text of at least 10.5 pt cannot be honoured: the "
        "proposal's chart labels fit the charts with small text of at most 10 pt [format-rule]",
    ]


def test_energy_mix_adds_up_to_one(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "share: {value: 0.3, assumption: true, "
                                        "note: {en: Test value., fr: Valeur de test.}}",
                "share: {value: 0.2, assumption: true, "
                "note: {en: Test value., fr: Valeur de test.}}")
    assert problems_of(sample) == [
        "data/cost_model.yaml:33:5: error: the energy mix adds up to 90.0%; expected 100% "
        "[energy-mix]"
    ]


def test_unknown_accelerator_type_and_work_package(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "      - type: h100", "      - type: b200")
    sample.edit("data/workplan.yaml", "    work_packages: [WP1]", "    work_packages: [WP9]")
    assert problems_of(sample) == [
        "data/cost_model.yaml:25:15: error: `b200` is not a known accelerator type; expected one "
        "of: h100 [unknown-accelerator-type]",
        "data/workplan.yaml:31:21: error: `WP9` is not a known work package; expected one of: "
        "WP1 [unknown-work-package]",
    ]


def test_unprintable_file_names_are_escaped_in_messages(sample: SampleProject) -> None:
    sample.write("partners/\x1b[31mred\nx.yaml", "legal_name: X\n")
    lines = problems_of(sample)
    assert lines[0].startswith("partners/\\x1b[31mred\\nx.yaml:1:1: error: ")
    assert all("\x1b" not in line and "\n" not in line for line in lines)


# ------------------------------------------------------------ one run, every problem


def test_a_type_error_does_not_hide_a_reference_error(sample: SampleProject, capsys) -> None:
    sample.edit("partners/beta.yaml", "country: DE", "country: Germany")
    sample.edit("data/workplan.yaml", "    lead: alpha\n    start_month: 1",
                "    lead: alfa\n    start_month: 1")
    assert main(["check", "--input", str(sample.path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in out[:-1]] == ["data/workplan.yaml:5:11",
                                                          "partners/beta.yaml:3:10"]
    assert out[-1] == "2 errors, 0 warnings in 2 files"


def test_a_reference_error_does_not_hide_a_share_rule(sample: SampleProject, capsys) -> None:
    """Compute runs once every file is valid on its own, whatever the cross-file rules
    found; it waits only for files that fail on their own (it reads them all)."""
    sample.edit("data/workplan.yaml", "    lead: alpha\n    start_month: 1",
                "    lead: alfa\n    start_month: 1")
    sample.edit("data/financing.yaml", "share: {value: 0.2, assumption: true, "
                                       "note: {en: Test value., fr: Valeur de test.}}"
                "\n  description: {en: EU procurement", "share: {value: 0.45, assumption: true, "
                                       "note: {en: Test value., fr: Valeur de test.}}"
                "\n  description: {en: EU procurement")
    assert main(["check", "--input", str(sample.path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.rsplit(" ", 1)[-1] for line in out[:-1]] == ["[share-rule]",
                                                              "[unknown-partner]"]
    assert out[-1] == "2 errors, 0 warnings in 2 files"


def test_reference_to_a_partner_whose_file_failed_is_not_unknown(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", "country: DE", "country: Germany")
    assert [p.code for p in check(sample.path).problems] == ["invalid-value"]


def test_rules_reading_an_invalid_file_wait_for_it(sample: SampleProject) -> None:
    """A broken cost model does not bring a flood of rules that read it."""
    sample.edit("data/cost_model.yaml", "sites: [paris]", "sites: paris")
    assert [p.code for p in check(sample.path).problems] == ["wrong-type"]


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("data/consortium.yaml", "submission_date: 2026-09-30", "submission_date: 30/09/2026",
     "data/consortium.yaml:5:18: error: `submission_date` is '30/09/2026'; expected a date "
     "written YYYY-MM-DD, such as 2027-01-31 [invalid-date]"),
    ("data/consortium.yaml", "submission_date: 2026-09-30", "submission_date: 2026-09-31",
     "data/consortium.yaml:5:18: error: `2026-09-31` is not a date (day is out of range for "
     "month); expected a date written YYYY-MM-DD, such as 2027-01-31 [invalid-date]"),
    ("data/financing.yaml", "  share: {value: 0.2, assumption: true, "
                            "note: {en: Test value., fr: Valeur de test.}}\n  description: {en: EU",
     "  share: {value: 35, assumption: true, "
     "note: {en: Test value., fr: Valeur de test.}}\n  description: {en: EU",
     "data/financing.yaml:3:18: error: `eu.share.value` is 35; expected a share between 0 and "
     "1: write 0.35 for 35 % [out-of-range]"),
    ("data/workplan.yaml", "    start_month: 1\n    end_month: 24",
     "    start_month: 0\n    end_month: 24",
     "data/workplan.yaml:6:18: error: `work_packages[0].start_month` is 0; expected a project "
     "month from 1 to 24 (month 1 starts on the consortium's `start_date`) [month-range]"),
    ("data/workplan.yaml", "likelihood: medium", "likelihood: meduim",
     "data/workplan.yaml:29:17: error: `risks[0].likelihood` is 'meduim'; expected 'low', "
     "'medium' or 'high'; did you mean 'medium'? [invalid-value]"),
    ("partners/alpha.yaml", "status: member", "status: memb",
     "partners/alpha.yaml:5:9: error: `status` is 'memb'; expected 'member', 'supporter' or "
     "'in_discussion'; did you mean 'member'? [invalid-value]"),
], ids=["date-format", "impossible-date", "percentage-as-share", "month-zero", "enum-typo",
        "status-typo"])
def test_typical_slips_get_hints(sample: SampleProject, file, old, new, expected) -> None:
    sample.edit(file, old, new)
    assert problems_of(sample) == [expected]


@pytest.mark.parametrize(("content", "expected"), [
    ('legal_name: "Gamma\nshort_name: G\n',
     "partners/gamma.yaml:1:13: error: YAML syntax error: while scanning a quoted scalar: found "
     "unexpected end of stream; a quotation mark is not closed: add the closing quote [syntax]"),
    ("legal_name: Gamma\n  short_name: G\n",
     "partners/gamma.yaml:2:13: error: YAML syntax error: mapping values are not allowed here; "
     'a `: ` inside a value, or a key indented under a value: quote the text ("...") or fix '
     "the indentation [syntax]"),
    ("legal_name: Gamma\nrole:\n\ten: x\n",
     "partners/gamma.yaml:3:1: error: YAML syntax error: while scanning for the next token: "
     "found character '\\t' that cannot start any token; a tab character: YAML indents with "
     "spaces only [syntax]"),
], ids=["unclosed-quote", "indented-key", "tab"])
def test_yaml_syntax_errors_in_plain_words(sample: SampleProject, content, expected) -> None:
    sample.write("partners/gamma.yaml", content)
    assert problems_of(sample) == [expected]


def test_check_finds_a_required_section_without_a_place(sample: SampleProject) -> None:
    """Once found only while rendering the PDF; now `check` says it, located."""
    sample.edit("data/call.yaml", "  budget: {en: Budget, fr: Budget}\n",
                "  budget: {en: Budget, fr: Budget}\n  water: {en: Water, fr: Eau}\n")
    [problem] = check(sample.path).problems
    assert (problem.file, problem.line, problem.col, problem.severity, problem.code) == (
        "data/call.yaml", 13, 3, "warning", "unanswered-section")
    assert problem.message.startswith("required section `water` has no section in the "
                                      "proposal; the compliance table shows it as not answered")
