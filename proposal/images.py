"""What a logo file holds, read without drawing it: rasters decoded, SVG parsed with
entities refused, and the cost of drawing it bounded.

WeasyPrint draws whatever an image asks for: a 30,000 x 30,000 PNG embedded in an SVG
takes GiBs, five levels of `<use>` each drawing the level below ten times take
minutes, and a file that is no image prints nothing, silently. Everything here is
decided from the file's bytes before WeasyPrint sees them, so a logo that passes is
whole, of the kind its name says, and costs a bounded time and memory to draw.

`inspect_logo` raises `BadImage` with what is wrong, worded to follow "logo `path` ".
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes
from xml.etree import ElementTree
from xml.parsers import expat

MAX_LOGO_BYTES = 2 * 1024 * 1024
"""Largest logo file: an 8 MB SVG took 87 s and 1.3 GiB to draw."""
MAX_LOGO_PIXELS = 16_000_000
"""Most pixels of a logo's rasters, all embedded images together: a 21 kB PNG of
9000 x 9000 pixels took 800 MiB to draw."""
MAX_DRAWING_COST = 10_000
"""Most shapes drawing an SVG logo may take. Each element counts once for every time
it is drawn: a `<use>` draws its target again, a pattern, mask, clip path or marker
its content for every shape it paints (a marker at every vertex); a character of text
counts as one shape, 20 numbers of a path's data as one. Measured with WeasyPrint 70
on the development machine, the costliest SVGs just within the bound take 0.1 to
4.5 s and at most 110 MiB to draw (10,000 `<tspan>` 4.3 s, rectangles 3.9 s, markers
2.9 s, a path of 100,000 segments 2.3 s, text 1.8 s; chains of masks, clip paths,
`<use>` and patterns 0.1 to 1.1 s); beyond it they grow without end (four levels of
ten `<use>`, 10^4 draws, took 9 s, and each further level multiplies that by ten).
Real logos cost tens to a few thousand."""
MAX_SVG_DEPTH = 64
"""Deepest nesting of SVG elements: WeasyPrint draws recursively, and 3,000 nested
groups fail the drawing."""
MAX_EMBEDDING = 3
"""Deepest nesting of SVG images embedded in one another as `data:` URIs."""

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CSS_URL = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])\s*(?!#|data:)([^'\")\s]+)", re.I)
"""A CSS reference to another file: `url(...)` or `@import "..."`, but a fragment or
a `data:` URI."""
FRAGMENT_URL = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)")
"""A CSS reference to an element of the same file: `url(#id)`."""
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
NOT_DRAWN = frozenset({"style", "script", "title", "desc", "metadata"})
"""Elements whose text is not drawn."""
MARKED = frozenset({"path", "line", "polyline", "polygon"})
"""Shapes that draw markers at their vertices."""


class BadImage(Exception):
    """A logo that must not reach WeasyPrint; the message follows "logo `path` "."""

    def __init__(self, message: str, whole_logo: bool = False):
        super().__init__(message)
        self.whole_logo = whole_logo
        """The message speaks of the logo as a whole even when an SVG embedded in it
        raised it (a link, the pixels, the cost): it is not reworded as the embedded
        image's problem."""


def inspect_logo(data: bytes, suffix: str) -> None:
    """Raise `BadImage` unless `data` is a whole PNG or SVG image, as `suffix` says,
    whose drawing stays within the bounds above."""
    if not data:
        raise BadImage(f"is empty (0 bytes); expected a `{suffix}` image")
    found = raster_format(data)
    if suffix == ".png":
        if found != "PNG":
            raise BadImage("is not a PNG image; expected a `.png` or `.svg` file")
        Rasters().add(data, embedded=False)
    elif found is not None:
        raise BadImage(f"is a {found} image, not SVG; expected an SVG file"
                       + (" (or give the PNG a `.png` name)" if found == "PNG" else
                          " or a PNG file"))
    else:
        inspect_svg(data)


# -------------------------------------------------------------------------- rasters


@dataclass
class Rasters:
    """The rasters of one logo, decoded one after another within one pixel budget."""

    pixels: int = 0
    """Pixels decoded so far."""
    seen: set[bytes] = field(default_factory=set)
    """Images already decoded: WeasyPrint decodes each distinct image once."""

    def add(self, data: bytes, embedded: bool = True) -> None:
        """Decode a PNG, JPEG or GIF image fully, or raise `BadImage`: too many pixels
        (read from its header before anything is decoded) or damaged."""
        if data in self.seen:
            return
        self.seen.add(data)
        from PIL import Image

        found = raster_format(data)
        if size := raster_size(data):
            self._check(size, embedded)
        try:
            with _strict_decoding(), Image.open(io.BytesIO(data), formats=[found]) as image:
                self._check(image.size, embedded)
                image.load()
                self.pixels += image.width * image.height
        except BadImage:
            raise
        except Exception:
            if embedded:
                raise BadImage("embeds a damaged image; expected whole PNG, JPEG, GIF or "
                               "SVG images", whole_logo=True) from None
            raise BadImage("cannot be drawn: the image is damaged or not of the kind its "
                           "name says; expected a valid `.png` or `.svg` file") from None

    def _check(self, size: tuple[int, int], embedded: bool) -> None:
        width, height = size
        if self.pixels + width * height <= MAX_LOGO_PIXELS:
            return
        what = (f"is {width:,} x {height:,} pixels" if not embedded else
                f"embeds an image of {width:,} x {height:,} pixels" if not self.pixels else
                f"embeds images of {self.pixels + width * height:,} pixels in all")
        raise BadImage(f"{what}; expected at most {MAX_LOGO_PIXELS:,} pixels"
                       f"{' in all' if embedded else ''}, such as 4,000 x 4,000",
                       whole_logo=True)


def raster_format(data: bytes) -> str | None:
    """`PNG`, `JPEG` or `GIF` when `data` starts like one, else None."""
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    return None


def raster_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a PNG's IHDR, a JPEG's frame header or a GIF's screen
    descriptor, before any decoder allocates pixels; None when the header is missing."""
    kind = raster_format(data)
    if kind == "PNG" and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if kind == "GIF" and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if kind == "JPEG":
        at = 2
        while at + 9 <= len(data) and data[at] == 0xFF:
            marker = data[at + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                at += 1 if marker == 0xFF else 2  # markers without a length
                continue
            # A start-of-frame (SOFn but DHT, JPG and DAC) holds height and width.
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[at + 5:at + 9])
                return width, height
            at += 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    return None


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Make Pillow raise on a truncated image: WeasyPrint, once imported, lets it draw
    what it could read (`LOAD_TRUNCATED_IMAGES`), which prints half a logo."""
    from PIL import ImageFile

    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


# ------------------------------------------------------------------------------ SVG


def inspect_svg(data: bytes, rasters: Rasters | None = None, depth: int = 0) -> int:
    """The cost of drawing an SVG image (see `MAX_DRAWING_COST`), its embedded images
    decoded into `rasters`; raise `BadImage` for anything the drawing must not meet."""
    root = parse_svg(data)
    if root.tag != f"{{{SVG_NS}}}svg":
        tag = root.tag.rpartition("}")[2]
        raise BadImage(f"is not an SVG image: its root element is `<{tag}>`"
                       + ("" if tag != "svg" else " outside the SVG namespace")
                       + f"; expected `<svg xmlns=\"{SVG_NS}\">`")
    if (link := external_link(root)) is not None:
        raise BadImage(links_elsewhere(link), whole_logo=True)
    rasters = Rasters() if rasters is None else rasters
    embedded = {}
    for element in root.iter():
        uri = _href(element)
        if _local(element) == "image" and uri.startswith("data:"):
            embedded[element] = _embedded_cost(data_uri_bytes(uri), rasters, depth)
    return drawing_cost(root, embedded)


def _embedded_cost(data: bytes, rasters: Rasters, depth: int) -> int:
    """The cost of drawing an image embedded as a `data:` URI, decoded into `rasters`."""
    if raster_format(data) is not None:
        rasters.add(data)
        return 1
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise BadImage("embeds an image that is not PNG, JPEG, GIF or SVG; expected one of "
                       "those", whole_logo=True)
    if depth + 1 >= MAX_EMBEDDING:
        raise BadImage(f"nests SVG images more than {MAX_EMBEDDING} deep; expected a "
                       "plain SVG drawing", whole_logo=True)
    try:
        return inspect_svg(data, rasters, depth + 1)
    except BadImage as inner:
        if inner.whole_logo:
            raise
        raise BadImage(f"embeds an SVG image that {inner}", whole_logo=True) from None


def data_uri_bytes(uri: str) -> bytes:
    """The bytes a `data:` URI holds (base64 or percent-encoded)."""
    header, comma, payload = uri.partition(",")
    if not comma:
        raise BadImage("embeds a damaged image (a `data:` URI without a comma); expected "
                       "whole PNG, JPEG, GIF or SVG images", whole_logo=True)
    raw = unquote_to_bytes(payload)
    if header.lower().endswith(";base64"):
        try:
            return base64.b64decode(re.sub(rb"\s+", b"", raw), validate=True)
        except (binascii.Error, ValueError):
            raise BadImage("embeds a damaged image (its base64 does not decode); expected "
                           "whole PNG, JPEG, GIF or SVG images", whole_logo=True) from None
    return raw


def parse_svg(data: bytes) -> ElementTree.Element:
    """The element tree of an SVG file, parsed with DTDs' entities refused (they can
    expand a small file into gigabytes, or read other files) and nesting bounded."""
    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    depth = 0

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_SVG_DEPTH:
            raise BadImage(f"nests elements more than {MAX_SVG_DEPTH} deep; expected a "
                           "flatter drawing")
        builder.start(name(tag), {name(k): v for k, v in attributes.items()})

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(name(tag))

    def doctype(_name: str, _system: str | None, _public: str | None, internal: int) -> None:
        if internal:  # an external DTD (SVG 1.1's) is named, never read: it is harmless
            raise BadImage("declares entities in a DOCTYPE; expected plain SVG without "
                           "`<!DOCTYPE ... [...]>` (entities can expand a small file into "
                           "gigabytes)")

    def entity(*_: object) -> None:
        raise BadImage("uses an entity defined outside the file; expected plain SVG")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.SkippedEntityHandler = entity
    parser.ExternalEntityRefHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise BadImage(f"is not a well-formed SVG file ({error})") from None
    return builder.close()


def external_link(root: ElementTree.Element) -> str | None:
    """The first reference to anything outside the file (another file, the network),
    which the fetcher would refuse mid-render without knowing which logo asked."""
    for element in root.iter():
        for key, value in element.attrib.items():
            if key.rpartition("}")[2] == "href" and not value.strip().startswith(
                    ("#", "data:")):
                return value
        for text in (*element.attrib.values(), element.text or ""):
            if found := CSS_URL.search(text):
                return found.group(1)
    return None


def links_elsewhere(link: str) -> str:
    """Why a logo that refers to `link`, outside itself, is refused."""
    # An empty link is the logo's own file, which an <image> would draw inside itself.
    what = f"`{link}`" if link.strip() else "itself with an empty link"
    return (f"refers to {what}; a logo must be self-contained, without links to other "
            "files or the network")


def drawing_cost(root: ElementTree.Element, embedded: dict[ElementTree.Element, int]) -> int:
    """The shapes drawing `root` takes (see `MAX_DRAWING_COST`), counted without
    drawing; raise `BadImage` as soon as it passes the bound, or for a reference cycle.

    `embedded` holds the cost of each `<image>` that embeds an SVG. Each element costs
    itself, its text and path data, and the cost of everything it draws: its children
    and what it refers to, by `href="#id"` or `url(#id)`; a marker once per vertex of
    the shape. A `url(#id)` in a stylesheet may paint every element, so it costs its
    target once per element. Elements drawn only through a reference (`<defs>`,
    patterns) also count once where they stand: the bound errs on the safe side.
    """
    elements = list(root.iter())
    by_id = {el.get("id"): el for el in elements if el.get("id")}
    edges: dict[ElementTree.Element, list[tuple[ElementTree.Element, int]]] = {}
    for element in elements:
        targets = [(child, 1) for child in element]
        href = _href(element)
        references = [href[1:]] if href.startswith("#") else []
        references += [ref for value in element.attrib.values()
                       for ref in FRAGMENT_URL.findall(value)]
        if _local(element) == "style":
            targets += [(by_id[ref], len(elements)) for ref in
                        FRAGMENT_URL.findall(element.text or "") if ref in by_id]
        for ref in references:
            if ref in by_id:
                times = _vertices(element) if _local(by_id[ref]) == "marker" else 1
                targets.append((by_id[ref], max(times, 1)))
        edges[element] = targets
    cost: dict[ElementTree.Element, int] = {}
    drawing = {root}
    stack = [(root, iter(edges[root]))]
    while stack:
        element, pending = stack[-1]
        for target, _ in pending:
            if target in cost:
                continue
            if target in drawing:
                raise BadImage(f"draws `#{target.get('id')}` inside itself; expected "
                               "references that end")
            drawing.add(target)
            stack.append((target, iter(edges[target])))
            break
        else:
            stack.pop()
            drawing.discard(element)
            cost[element] = (_own_cost(element) + embedded.get(element, 0)
                             + sum(times * cost[t] for t, times in edges[element]))
            if cost[element] > MAX_DRAWING_COST:
                raise BadImage(f"costs more than {MAX_DRAWING_COST:,} shapes to draw "
                               "(counting every element each time `<use>`, patterns, "
                               "masks, clip paths and markers draw it); expected a simpler "
                               "drawing", whole_logo=True)
    return cost[root]


def _local(element: ElementTree.Element) -> str:
    """The tag without its namespace, as WeasyPrint reads it (`image`, `marker`)."""
    return element.tag.rpartition("}")[2]


def _href(element: ElementTree.Element) -> str:
    """What the element links to, as WeasyPrint reads it (`xlink:href`, else `href`)."""
    return (element.get(XLINK_HREF) or element.get("href") or "").strip()


def _own_cost(element: ElementTree.Element) -> int:
    """An element alone: one shape, one per character of text, one per 20 numbers of
    path data."""
    text = 0 if _local(element) in NOT_DRAWN else len((element.text or "").strip())
    data = element.get("d") or element.get("points") or ""
    return 1 + text + len((element.tail or "").strip()) + len(NUMBER.findall(data)) // 20


def _vertices(element: ElementTree.Element) -> int:
    """An upper bound on the vertices of a shape, where markers are drawn."""
    if _local(element) not in MARKED:
        return 0
    return len(NUMBER.findall(element.get("d") or element.get("points") or "")) // 2 + 2
