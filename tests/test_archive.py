"""Accessible and archivable PDFs: the structure tree, PDF/A-3b and the attached data,
read back from the published files."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pypdf
import pytest
from pypdf.generic import ArrayObject, DictionaryObject

from proposal.archive import Attachment, attach_files
from proposal.cli import main

from .conftest import ROOTS, SampleProject
from .test_build import whole_set

STEM = "MINI"
DATA_FILES = [f"{STEM}_budget_en.xlsx", f"{STEM}_budget_fr.xlsx", f"{STEM}_figures.json"]


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> Path:
    """The minimal sample built with the default variant (tagged PDF/A-3b)."""
    base = tmp_path_factory.mktemp("archived")
    shutil.copytree(ROOTS / "minimal", base / "project")
    assert main(["--input", str(base / "project"), "--out", str(base / "out"), "--quiet"]) == 0
    return base / "out"


def reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(path.read_bytes()), strict=True)


def structure(pdf: pypdf.PdfReader) -> list[DictionaryObject]:
    """Every structure element of the tree, in the tree's (reading) order."""
    found: list[DictionaryObject] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject) and "/S" in node:
            found.append(node)
            if "/K" in node:
                walk(node["/K"])

    walk(pdf.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_each_edition_is_tagged_in_its_language(archived: Path, lang: str) -> None:
    pdf = reader(archived / f"{STEM}_proposal_{lang}.pdf")
    catalog = pdf.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712  (a pypdf BooleanObject)
    assert str(catalog["/Lang"]).split("-")[0] == lang
    kinds = [str(element["/S"]) for element in structure(pdf)]
    for kind in ("/H1", "/H2", "/P", "/Table", "/TR", "/TH", "/TD", "/Figure", "/L", "/LI"):
        assert kind in kinds, kind
    info = subprocess.run(["pdfinfo", archived / f"{STEM}_proposal_{lang}.pdf"],
                          capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info


def test_every_figure_has_an_alternative_text(archived: Path) -> None:
    elements = structure(reader(archived / f"{STEM}_proposal_en.pdf"))
    alts = [str(element.get("/Alt", "")) for element in elements if element["/S"] == "/Figure"]
    assert len(alts) >= 3  # the charts and the logo
    assert all(alt.strip() for alt in alts), alts
    assert "Alpha" in alts  # the logo's alt is the partner's name


def test_headings_are_in_reading_order(archived: Path) -> None:
    pdf = reader(archived / f"{STEM}_proposal_en.pdf")
    pages = [page.indirect_reference.idnum for page in pdf.pages]
    order = [pages.index(element.raw_get("/Pg").idnum) for element in structure(pdf)
             if element["/S"] == "/H1"]
    assert len(order) > 5
    assert order == sorted(order)


def test_the_pdf_says_it_is_pdf_a_3b_with_an_output_intent(archived: Path) -> None:
    pdf = reader(archived / f"{STEM}_proposal_fr.pdf")
    xmp = ElementTree.fromstring(pdf.trailer["/Root"]["/Metadata"].get_object().get_data())
    pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
    said = {}  # attributes or elements, as XMP allows either
    for element in xmp.iter():
        said.update({key: value for key, value in element.attrib.items()
                     if key.startswith(pdfaid)})
        if element.tag.startswith(pdfaid):
            said[element.tag] = element.text
    assert said == {f"{pdfaid}part": "3", f"{pdfaid}conformance": "B"}
    (intent,) = pdf.trailer["/Root"]["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"
    assert intent.get_object()["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_attached_files_are_the_published_ones(archived: Path, lang: str) -> None:
    whole_set(archived)  # the build id of every file, the PDF's included, agrees
    pdf = reader(archived / f"{STEM}_proposal_{lang}.pdf")
    assert sorted(pdf.attachments) == DATA_FILES
    for name in DATA_FILES:
        (content,) = pdf.attachments[name]
        assert content == (archived / name).read_bytes(), name
    associated = [spec.get_object() for spec in pdf.trailer["/Root"]["/AF"]]
    assert sorted(str(spec["/UF"]) for spec in associated) == DATA_FILES
    assert {str(spec["/AFRelationship"]) for spec in associated} == {"/Data"}
    for spec in associated:
        stream = spec["/EF"]["/F"].get_object()
        assert stream["/Subtype"] in ("/application/json", "/application/vnd.openxmlformats-"
                                      "officedocument.spreadsheetml.sheet")
        assert stream["/Params"]["/Size"] == len((archived / str(spec["/UF"])).read_bytes())
    listed = subprocess.run(["pdfdetach", "-list", archived / f"{STEM}_proposal_{lang}.pdf"],
                            capture_output=True, text=True, check=True).stdout
    assert listed.splitlines()[0] == "3 embedded files"


def test_the_tagged_variant_has_no_attachments_nor_pdf_a(sample: SampleProject,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--lang", "en",
                 "--pdf-variant", "tagged", "--quiet"]) == 0
    pdf = reader(out / f"{STEM}_proposal_en.pdf")
    assert pdf.trailer["/Root"]["/MarkInfo"]["/Marked"] == True  # noqa: E712  (a pypdf BooleanObject)
    assert pdf.attachments == {}
    assert "/OutputIntents" not in pdf.trailer["/Root"]
    whole_set(out)


def test_attaching_keeps_the_original_bytes_and_refuses_twice(archived: Path) -> None:
    original = (archived / ".cache" / "pdf").iterdir().__next__().read_bytes()
    original = original[original.index(b"%PDF-"):]
    files = [Attachment("a.json", b'{"x": 1}\n', "one"), Attachment("b.xlsx", b"PK", "two")]
    attached = attach_files(original, files, dt.date(2026, 9, 30))
    assert attached.startswith(original)
    pdf = pypdf.PdfReader(io.BytesIO(attached), strict=True)
    assert {name: content for name, (content,) in pdf.attachments.items()} == {
        "a.json": b'{"x": 1}\n', "b.xlsx": b"PK"}
    assert len(pdf.pages) == len(pypdf.PdfReader(io.BytesIO(original)).pages)
    with pytest.raises(ValueError, match="already has attached files"):
        attach_files(attached, files, dt.date(2026, 9, 30))
