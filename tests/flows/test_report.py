"""`copydesk report`: the static story site, read as HTML and opened in a real headless Chromium.

The browser tests need the Debian package ``chromium`` (``/usr/bin/chromium``; `.ci/run`
installs it) and the ``playwright`` Python package, which drives that browser (its own
browser download is not used). They skip, saying why, when either is missing.
Screenshots go to ``$COPYDESK_TEST_ARTIFACTS`` when set, else to pytest's temporary
folder (``<basetemp>/report-artifacts*``); the path is printed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from contract.schema import TABLES
from flows.cli import app
from flows.report import report_index, report_url, story_file
from tests.warehouse.hand_warehouse import hand_tables, publish_tables

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = '<script>document.title="pwned";window.pwned=1</script><img src=x onerror="window.pwned=2">'


def build(home: Path, out: Path) -> Path:
    result = CliRunner().invoke(app, ["report", "--home", str(home), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "index.html"


def seeds_docs(home: Path) -> dict[str, dict]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT source_uri, doc_id, outlet, story_id FROM documents").fetchall()
    finally:
        con.close()
    return {
        Path(uri).name[:3]: {"doc_id": d, "outlet": o, "story_id": s, "file": Path(uri).name} for uri, d, o, s in rows
    }


@pytest.fixture(scope="module")
def seeds_site(seeds_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(seeds_home, tmp_path_factory.mktemp("site") / "report")


@pytest.fixture
def hostile_home(tmp_path: Path) -> Path:
    """The hand-made warehouse plus a document whose every field is an injection attempt."""
    tables = hand_tables("r1")
    doc = tables["documents"].slice(0, 1).to_pylist()[0]
    text = f"Hostile {HOSTILE} text. Two soldiers were killed."
    doc.update(
        doc_id="hostile000000000",
        source_uri=f"/in/{HOSTILE}.txt",
        raw_text=text,
        clean_text=text,
        title=HOSTILE,
        outlet=HOSTILE,
        agencies=[HOSTILE],
        byline=HOSTILE,
    )
    tables["documents"] = pa.concat_tables(
        [tables["documents"], pa.Table.from_pylist([doc], schema=TABLES["documents"].arrow_schema)]
    )
    start = text.index("<script>")
    quote = {"doc_id": "hostile000000000", "start": start, "end": start + 20, "quote": HOSTILE}
    quote.update(speaker=HOSTILE, verb="said")
    tables["quotes"] = pa.concat_tables(
        [tables["quotes"], pa.Table.from_pylist([quote], schema=TABLES["quotes"].arrow_schema)]
    )
    home = tmp_path / "home"
    publish_tables(home, "r1", tables)
    return home


# --------------------------------------------------------------------------- the HTML itself


def test_every_page_has_a_strict_content_security_policy(seeds_site: Path) -> None:
    pages = [seeds_site, *sorted((seeds_site.parent / "stories").glob("*.html"))]
    assert len(pages) >= 2
    for page in pages:
        text = page.read_text(encoding="utf-8")
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        assert csp, f"{page.name} has no CSP"
        assert "default-src &#x27;none&#x27;" in csp[1]
        assert "unsafe-inline" not in csp[1].split("script-src")[-1] or "script-src" not in csp[1]
        assert not re.search(r'(src|href)="(https?:)?//', text), f"{page.name} refers to the network"


def test_hostile_values_are_escaped_in_the_html(hostile_home: Path, tmp_path: Path) -> None:
    index = build(hostile_home, tmp_path / "site")
    story = (index.parent / "stories" / story_file("s1")).read_text(encoding="utf-8")
    assert "<script>document" not in story and "<img src=x" not in story
    assert "&lt;script&gt;document.title=&quot;pwned&quot;" in story
    assert "<script>" not in index.read_text(encoding="utf-8").replace("<script>\ndocument.querySelectorAll", "")


def test_report_path_for_a_home(tmp_path: Path) -> None:
    assert report_index(tmp_path) == tmp_path / "report" / "index.html"
    assert report_url(tmp_path) == (tmp_path / "report" / "index.html").resolve().as_uri()


def test_out_folder_that_is_not_a_report_is_refused(hand_home_for_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["report", "--home", str(hand_home_for_report), "--out", str(out)])
    assert result.exit_code == 2 and "not a copydesk report" in result.output
    assert (out / "notes.txt").read_text() == "keep me"
    build(hand_home_for_report, tmp_path / "site")
    build(hand_home_for_report, tmp_path / "site")  # an earlier report is replaced whole
    assert sorted(p.name for p in (tmp_path).iterdir()) == ["mine", "site"]


def test_no_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--home", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "no warehouse" in result.output


@pytest.fixture
def hand_home_for_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("hand") / "home"
    publish_tables(home, "r1", hand_tables("r1"))
    return home


# --------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"needs headless Chromium at {CHROMIUM} (Debian package `chromium`; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the dev dependency group)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = os.environ.get("COPYDESK_TEST_ARTIFACTS")
    path = Path(where) if where else tmp_path_factory.mktemp("report-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Visit:
    """A page opened in the browser, with every request it made and every console error."""

    def __init__(self, browser, url: str) -> None:  # type: ignore[no-untyped-def]
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)

    def off_site(self, root: Path) -> list[str]:
        prefix = root.resolve().as_uri()
        return [u for u in self.requests if not u.startswith(prefix)]


def test_seeds_story_page_in_chromium(browser, seeds_site: Path, seeds_home: Path, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    docs = seeds_docs(seeds_home)
    story = docs["000"]["story_id"]
    visit = Visit(browser, (seeds_site.parent / "stories" / story_file(story)).as_uri())
    page = visit.page
    shot = artifacts / "seeds-story.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000

    # All five sources, each with its outlet.
    rows = page.locator("#timeline tbody tr")
    assert rows.count() == 5
    for seed in docs.values():
        row = page.locator(f'#timeline tbody tr[data-doc="{seed["doc_id"]}"]')
        assert seed["file"] in row.locator(".source").inner_text()
        assert row.locator(".outlet").inner_text() == (seed["outlet"] or "unknown outlet")

    # Who copied whom: the 000-001 link, as a list item and a line of the graph.
    pair = {docs["000"]["doc_id"], docs["001"]["doc_id"]}
    links = page.locator("li.copy-link")
    found = [
        links.nth(i).inner_text()
        for i in range(links.count())
        if {links.nth(i).get_attribute("data-a"), links.nth(i).get_attribute("data-b")} == pair
    ]
    assert found and docs["000"]["file"] in found[0] and docs["001"]["file"] in found[0] and "syndicated" in found[0]
    assert page.locator("#copy-graph line").count() >= 1

    # KILL soldiers, consensus 2, from at least four documents.
    kill = page.locator('tr.fact[data-type="KILL"][data-object="soldiers"]').filter(
        has=page.locator("td.consensus", has_text=re.compile(r"^2$"))
    )
    assert kill.count() == 1
    assert int(kill.locator("td.sources").inner_text()) >= 4
    assert kill.locator("td.status").inner_text() == "agreed"

    # The displaced conflict: 950,0000 shown corrected to 950,000, highlighted.
    displaced = page.locator('tr.fact.conflict[data-type="DISPLACED"]')
    assert displaced.count() == 1 and displaced.locator("td.status").inner_text() == "conflict"
    fix = displaced.locator(".malformed")
    assert fix.locator("del").inner_text() == "950,0000" and fix.locator("ins").inner_text() == "950,000"
    assert page.evaluate("el => getComputedStyle(el).backgroundColor", fix.element_handle()) != "rgba(0, 0, 0, 0)"

    # Saraqeb on the map.
    assert page.locator("#map text", has_text="Saraqeb").count() == 1
    assert page.locator("#map circle").count() >= 5

    # Every fact links to the sentence of the clean text it was read from.
    cited = page.locator("#fact-table a[href^='#s-']")
    assert cited.count() >= 12
    for i in range(cited.count()):
        target = cited.nth(i).get_attribute("href")[1:]
        sentence = page.locator(f"[id='{target}']")
        assert sentence.count() == 1, target
        assert sentence.locator("mark.count").count() >= 1, f"the cited sentence {target} holds no count"
    kill.locator("a").first.click()
    assert page.evaluate("location.hash").startswith("#s-")
    assert "soldier" in page.locator(":target").inner_text().lower()

    # Quotes with their speakers.
    assert page.locator("#quote-table td", has_text="Recep Tayyip Erdogan").count() >= 1

    assert visit.off_site(seeds_site.parent) == [], "the page reached outside the report"
    assert visit.errors == []


def test_story_list_sorts_and_searches(browser, seeds_site: Path) -> None:  # type: ignore[no-untyped-def]
    visit = Visit(browser, seeds_site.as_uri())
    page = visit.page
    assert page.locator("#stories tbody tr").count() >= 1
    assert page.locator("#data-docs").count() == 1
    search = page.locator("#story-search")
    search.fill("no story is called this")
    assert page.locator("#stories tbody tr:not([hidden])").count() == 0
    assert page.locator("#story-count").inner_text() == "0"
    search.fill("idlib")
    assert page.locator("#stories tbody tr:not([hidden])").count() == 1
    header = page.locator("#stories th", has_text="documents")
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    page.locator("#stories tbody a").first.click()
    page.wait_for_load_state()
    assert "/stories/" in page.url
    assert visit.off_site(seeds_site.parent) == []
    assert visit.errors == [], "the inline script runs under the page's CSP"


def test_hostile_document_shows_as_text_in_chromium(browser, hostile_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    index = build(hostile_home, tmp_path / "site")
    for url in (index.as_uri(), (index.parent / "stories" / story_file("s1")).as_uri()):
        visit = Visit(browser, url)
        page = visit.page
        assert page.evaluate("window.pwned") is None
        assert page.title() != "pwned"
        assert page.locator("img").count() == 0
        assert page.locator("body script").count() <= 1  # the report's own script, on the overview only
        if "stories" in url:
            assert HOSTILE in page.locator("#doc-hostile000000000 p.text").inner_text()
            assert page.locator("#quote-table", has_text=HOSTILE).count() == 1
        assert visit.off_site(index.parent) == []


def test_report_site_opens_after_the_warehouse_moves(seeds_site: Path, tmp_path: Path) -> None:
    """The site holds no absolute path: copied elsewhere, its links still resolve."""
    copy = tmp_path / "copy"
    shutil.copytree(seeds_site.parent, copy)
    text = (copy / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="(stories/[^"]+)"', text):
        assert (copy / href).exists()
    assert str(dt.date.today().year) in text  # the build stamp
