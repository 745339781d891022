"""The live preview in a real browser: Debian's headless Chromium, driven by Playwright.

The page is opened once; every later change it shows comes from its own reload (the
event stream and the script), as a person editing a YAML file would see it. No browser
is downloaded: Playwright drives the system's `chromium` (`apt-get install chromium`),
and the test is skipped where there is none.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from proposal.serve import running

from .conftest import ROOTS, SampleProject

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WAIT_MS = 60_000
"""Longest the browser waits for a change to show (a loaded machine is slow)."""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed: `apt-get install chromium` (Debian) runs "
           "the live preview's browser test")


@pytest.fixture
def browser_page():
    """A page of headless Chromium, and the console errors it reports (a refused
    script or stylesheet, under the Content-Security-Policy, is one)."""
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text)
                    if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page, errors, playwright_api.expect
        finally:
            browser.close()


def test_the_page_follows_the_files(browser_page, tmp_path: Path) -> None:
    page, errors, expect = browser_page
    sample = SampleProject(tmp_path / "project")
    shutil.copytree(ROOTS / "minimal", sample.path)
    with running(sample.path, tmp_path / "out") as server:
        page.goto(server.url)  # redirected to the English edition
        expect(page.locator("#partner-alpha")).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("body")).to_contain_text("Alpha runs data centres.")
        expect(page.locator(".serve-source").first).to_contain_text("partners/alpha.yaml")
        assert page.evaluate("document.querySelector('.profile-head img').naturalWidth") > 0

        sample.edit("partners/alpha.yaml", "Alpha runs data centres.", "Refreshed profile.")
        expect(page.locator("body")).to_contain_text("Refreshed profile.", timeout=WAIT_MS)

        sample.edit("partners/beta.yaml", "short_name:", "short_name: [unclosed\nx:")
        problems = page.locator("#serve-problems")
        expect(problems).to_contain_text(re.compile(r"partners/beta\.yaml:\d+:\d+: error: "),
                                         timeout=WAIT_MS)
        expect(page.locator("#serve-status")).to_contain_text("1 error")

        sample.edit("partners/beta.yaml", "short_name: [unclosed\nx:", "short_name:")
        expect(page.locator("#partner-beta")).to_be_visible(timeout=WAIT_MS)
        expect(problems).to_have_count(0)

        page.get_by_role("link", name="FR", exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "fr-FR", timeout=WAIT_MS)
        expect(page.locator(".serve-bar")).to_contain_text("Aperçu en direct")
        expect(page.locator("body")).to_contain_text("Alpha exploite des centres de données.")

        # The builds page's button: the browser's own Origin and the page's token pass
        # the server's checks (the build itself is left out: test_serve.py runs one).
        started: list[bool] = []
        server.builds.start = lambda: started.append(True) or True
        page.get_by_role("link", name="Résultats et compilation complète").click()
        button = page.get_by_role("button", name="Lancer une compilation complète")
        button.click()
        expect(button).to_be_disabled(timeout=WAIT_MS)
        for _ in range(WAIT_MS // 100):
            if started:
                break
            page.wait_for_timeout(100)
        assert started == [True]
        expect(page.locator("#serve-build-state")).to_have_text("")
    assert errors == []
