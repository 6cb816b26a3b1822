"""The story report: a static HTML site built from the warehouse (``copydesk report``).

``index.html`` is the overview (runs, documents per outlet and per day, the latest
checks, a link to the Data Docs) with a sortable, searchable story list; each story
has a page under ``stories/``: its sources in time order, who copied whom, the facts
with consensus and conflicts, the quotes, a map of its places and the clean text of
every document, to which each fact links by its offsets.

The pages are pure functions of the data read by :mod:`warehouse.report`. They load
nothing from the network: styles and the few lines of script are inline, the graph and
the map are inline SVG, and a Content-Security-Policy forbids everything else (the
script is allowed by its hash). Every value from the data goes through
:func:`html.escape`: article text is hostile input.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warehouse.report import Fact, Overview, Story

#: Marks a folder as a copydesk report, so ``--out`` never replaces anything else.
MARKER = ".copydesk-report"


def report_dir(home: Path) -> Path:
    """Where ``copydesk report`` writes by default: ``<home>/report``."""
    return Path(home) / "report"


def report_index(home: Path, out: Path | None = None) -> Path:
    """The report's front page for ``home`` (or under ``out``)."""
    return Path(out or report_dir(home)) / "index.html"


def report_url(home: Path, out: Path | None = None) -> str:
    """The report's front page as a ``file://`` URL, e.g. to link it from a run's artifact."""
    return report_index(home, out).resolve().as_uri()


# --------------------------------------------------------------------------- helpers


def e(value: object) -> str:
    """Escaped text of ``value`` (empty for None).

    >>> e('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


def figure(value: float | None) -> str:
    """A count as people read it: ``1,000,000``, ``2``, ``2.5``.

    >>> figure(950000.0), figure(2.0), figure(2.5), figure(None)
    ('950,000', '2', '2.5', '')
    """
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def source_name(doc: dict[str, Any]) -> str:
    """A document's short name: the file (and ``#N`` record) it came from."""
    uri = doc.get("source_uri") or doc["doc_id"]
    return uri.replace("\\", "/").rsplit("/", 1)[-1]


def story_file(story_id: str) -> str:
    """The file name of a story's page (``stories/<id>.html``), safe whatever the id holds."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", story_id)[:60]
    if safe != story_id:
        safe += "-" + hashlib.sha256(story_id.encode()).hexdigest()[:8]
    return f"{safe}.html"


def anchor(doc_id: str, start: int) -> str:
    """Id of the sentence of ``doc_id`` that holds offset ``start``."""
    return f"s-{re.sub(r'[^A-Za-z0-9_-]', '_', doc_id)}-{start}"


_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (and lines) of ``text``, covering it all, in order.

    >>> sentences("Two died. Nine fled!\\nMore")
    [(0, 10), (10, 21), (21, 25)]
    """
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > start:
            spans.append((start, m.end()))
            start = m.end()
    if start < len(text) or not spans:
        spans.append((start, len(text)))
    return spans


def sentence_start(spans: list[tuple[int, int]], offset: int) -> int:
    """Start of the sentence holding ``offset``."""
    i = bisect.bisect_right([s for s, _ in spans], offset) - 1
    return spans[max(i, 0)][0]


_STYLE = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#1f2328;line-height:1.4}
a{color:#0969da} h1{font-size:1.6rem} h2{margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
th.sort{cursor:pointer} th.sort::after{content:" \\2195";color:#8c959f}
.muted{color:#6e7781} .ok{color:#1a7f37} .error{color:#cf222e;font-weight:bold} .warning{color:#9a6700}
.conflict{background:#fff8c5} .disagree{color:#cf222e;font-weight:bold}
.malformed del{color:#cf222e} .malformed ins{color:#1a7f37;text-decoration:none;font-weight:bold}
.malformed{background:#ffebe9;padding:0 .2rem;border-radius:3px}
.bar{display:inline-block;height:.8rem;background:#54aeff;vertical-align:middle}
.doc{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.doc p.text{white-space:pre-wrap;font-family:Georgia,serif}
.sentence:target{background:#fff8c5;outline:2px solid #d4a72c}
mark.count{background:#ddf4ff} mark.malformed-number{background:#ffebe9}
svg text{font-family:system-ui,sans-serif;font-size:11px}
input[type=search]{font-size:1rem;padding:.3rem;width:20rem;margin:.5rem 0}
"""

#: Sorting and searching the story list: reads the table, never the data itself.
_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  var body = table.tBodies[0];
  table.querySelectorAll('th.sort').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th.sort').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var num = th.classList.contains('num');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-sort') || a.cells[col].textContent;
        var y = b.cells[col].getAttribute('data-sort') || b.cells[col].textContent;
        var c = num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
var search = document.getElementById('story-search');
if (search) {
  search.addEventListener('input', function () {
    var q = search.value.toLowerCase();
    var shown = 0;
    document.querySelectorAll('#stories tbody tr').forEach(function (r) {
      var hit = r.textContent.toLowerCase().indexOf(q) !== -1;
      r.hidden = !hit;
      if (hit) { shown += 1; }
    });
    document.getElementById('story-count').textContent = shown;
  });
}
"""


def _csp(script: str | None) -> str:
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    if script is not None:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        policy += f"; script-src 'sha256-{digest}'"
    return policy


def page(title: str, body: list[str], *, script: bool = False) -> str:
    """A whole HTML page around ``body`` (already escaped), with the CSP and the styles."""
    js = _SCRIPT if script else None
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{e(_csp(js))}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>{e(title)}</title>",
            f"<style>{_STYLE}</style></head><body>",
            *body,
            f"<script>{js}</script>" if js else "",
            "</body></html>",
        ]
    )


def _date(value: object) -> str:
    return e(value) if value is not None else '<span class="muted">undated</span>'


def _outlet(value: object) -> str:
    return e(value) if value else '<span class="muted">unknown outlet</span>'


# --------------------------------------------------------------------------- overview


def overview_html(ov: Overview, *, data_docs: str | None, generated_at: str) -> str:
    """The front page: runs, documents per outlet and per day, checks, and the story list."""
    body = [
        "<h1>copydesk report</h1>",
        f'<p class="muted">Built {e(generated_at)} from the warehouse: {ov.documents:,} documents, '
        f"{len(ov.stories):,} stories, {ov.quarantined:,} quarantined records.</p>",
        '<nav><a href="#stories-list">Stories</a> · <a href="#runs">Runs</a> · <a href="#outlets">Outlets</a> · '
        '<a href="#days">Days</a> · <a href="#checks">Checks</a></nav>',
    ]
    body += _stories_table(ov)
    body += ['<h2 id="runs">Runs</h2>', "<table><thead><tr><th>run</th><th>started</th><th>status</th>"]
    body[-1] += (
        '<th class="num">inputs</th><th class="num">new</th><th class="num">unchanged</th>'
        '<th class="num">quarantined</th><th class="num">checks failed</th></tr></thead><tbody>'
    )
    for r in ov.runs:
        cls = {"completed": "ok", "failed": "error"}.get(r["status"], "")
        body.append(
            f'<tr><td>{e(r["run_id"])}</td><td>{e(r["started_at"])}</td><td class="{cls}">{e(r["status"])}</td>'
            + "".join(
                f'<td class="num">{e(r[k])}</td>'
                for k in ("inputs_seen", "docs_new", "docs_unchanged", "quarantined", "checks_failed")
            )
            + "</tr>"
        )
    body.append("</tbody></table>")
    body += _bars('<h2 id="outlets">Documents per outlet</h2>', "outlet", [(_outlet(o), n) for o, n in ov.per_outlet])
    body += _bars('<h2 id="days">Documents per day</h2>', "published", [(_date(d), n) for d, n in ov.per_day])
    body += _checks(ov, data_docs)
    return page("copydesk report", body, script=True)


def _stories_table(ov: Overview) -> list[str]:
    out = [
        '<h2 id="stories-list">Stories</h2>',
        '<label>Search <input type="search" id="story-search" placeholder="title, outlet, date…"></label> '
        f'<span class="muted"><span id="story-count">{len(ov.stories)}</span> shown; '
        "click a column to sort</span>",
        '<table id="stories" class="sortable"><thead><tr><th class="sort">story</th>'
        '<th class="sort">first published</th><th class="sort num">documents</th><th class="sort">outlets</th>'
        '<th class="sort num">facts</th><th class="sort num">conflicts</th></tr></thead><tbody>',
    ]
    for s in ov.stories:
        title = s["title"] or s["story_id"]
        out.append(
            f'<tr><td><a href="stories/{e(story_file(s["story_id"]))}">{e(title)}</a></td>'
            f'<td data-sort="{e(s["first_published"] or "")}">{_date(s["first_published"])}</td>'
            f'<td class="num">{e(s["doc_count"])}</td><td>{e(", ".join(s["outlets"] or []))}</td>'
            f'<td class="num">{e(s["facts"])}</td><td class="num">{e(s["conflicts"])}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


def _bars(heading: str, label: str, rows: list[tuple[str, int]]) -> list[str]:
    top = max((n for _, n in rows), default=1) or 1
    out = [heading, f'<table><thead><tr><th>{e(label)}</th><th class="num">documents</th><th></th></tr></thead><tbody>']
    for name, n in rows:
        width = max(1, round(200 * n / top))
        out.append(
            f'<tr><td>{name}</td><td class="num">{n:,}</td>'
            f'<td><span class="bar" style="width:{width}px"></span></td></tr>'
        )
    out.append("</tbody></table>")
    return out


def _checks(ov: Overview, data_docs: str | None) -> list[str]:
    out = ['<h2 id="checks">Checks</h2>']
    if not ov.check_run:
        out.append("<p>No data checks have run yet (<code>copydesk check</code>).</p>")
    else:
        failed = [c for c in ov.checks if not c["success"]]
        errors = sum(c["severity"] == "error" for c in failed)
        cls = "error" if errors else "warning" if failed else "ok"
        out.append(
            f'<p class="{cls}" id="check-status">Latest checks ({e(ov.check_run)}): {len(ov.checks)} expectations, '
            f"{len(ov.checks) - len(failed)} passed, {errors} error(s) and {len(failed) - errors} warning(s) "
            "failed.</p>"
        )
        if failed:
            out.append(
                "<table><thead><tr><th>severity</th><th>suite</th><th>expectation</th><th>column</th>"
                '<th class="num">unexpected</th><th>detail</th></tr></thead><tbody>'
            )
            for c in failed:
                out.append(
                    f'<tr><td class="{e(c["severity"])}">{e(c["severity"])}</td><td>{e(c["suite"])}</td>'
                    f"<td>{e(c['expectation'])}</td><td>{e(c['column_name'])}</td>"
                    f'<td class="num">{e(c["unexpected_count"])}</td><td>{e(c["detail"])}</td></tr>'
                )
            out.append("</tbody></table>")
    if data_docs:
        out.append(f'<p><a id="data-docs" href="{e(data_docs)}">Data Docs: every check, with details</a></p>')
    else:
        out.append('<p class="muted">No Data Docs yet: <code>copydesk check</code> writes them.</p>')
    return out


# --------------------------------------------------------------------------- story page


def story_html(story: Story, *, generated_at: str) -> str:
    """One story's page."""
    docs = {d["doc_id"]: d for d in story.documents}
    spans = {d["doc_id"]: sentences(d["clean_text"] or "") for d in story.documents}

    def cite(doc_id: str, start: int | None, label: str) -> str:
        if start is None or doc_id not in spans:
            return label
        return f'<a href="#{anchor(doc_id, sentence_start(spans[doc_id], start))}">{label}</a>'

    title = story.title or story.story_id
    outlets = sorted({d["outlet"] for d in story.documents if d["outlet"]})
    body = [
        '<p><a href="../index.html">← all stories</a></p>',
        f"<h1>{e(title)}</h1>",
        f'<p class="muted">Story {e(story.story_id)} · first published {_date(story.first_published)} · '
        f"{len(story.documents)} document(s) from {len(outlets)} known outlet(s) · built {e(generated_at)}</p>",
        '<nav><a href="#sources">Sources</a> · <a href="#copies">Who copied whom</a> · <a href="#facts">Facts</a> · '
        '<a href="#quotes">Quotes</a> · <a href="#places">Places</a> · <a href="#texts">Texts</a></nav>',
    ]
    body += _timeline(story)
    body += _copies(story, docs)
    body += _facts(story, docs, cite)
    body += _quotes(story, docs, cite)
    body += ['<h2 id="places">Places</h2>', *place_maps(story.places)]
    body += _texts(story, spans)
    return page(f"{title} · copydesk", body)


def _timeline(story: Story) -> list[str]:
    out = [
        '<h2 id="sources">Sources, in time order</h2>',
        '<table id="timeline"><thead><tr><th>published</th><th>outlet</th><th>agencies</th><th>title</th>'
        '<th>source</th><th class="num">words</th></tr></thead><tbody>',
    ]
    for d in story.documents:
        dup = f'<br><span class="muted">duplicate of {e(d["duplicate_of"])}</span>' if d["duplicate_of"] else ""
        out.append(
            f'<tr data-doc="{e(d["doc_id"])}"><td>{_date(d["published_date"])}</td>'
            f'<td class="outlet">{_outlet(d["outlet"])}</td>'
            f"<td>{e(', '.join(d['agencies'] or [])) or '<span class=muted>none credited</span>'}</td>"
            f'<td><a href="#doc-{e(d["doc_id"])}">{e(d["title"]) or "<span class=muted>untitled</span>"}</a></td>'
            f'<td class="source">{e(source_name(d))}<br><span class="muted">{e(d["doc_id"])}</span>{dup}</td>'
            f'<td class="num">{e(d["word_count"])}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


#: Relations that mean one text was copied from another.
COPY_RELATIONS = ("exact_duplicate", "near_duplicate", "syndicated")


def _copy_direction(a: dict[str, Any], b: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """(earlier, later, known): the copy runs from the earlier published document when the dates tell."""
    da, db = a["published_date"], b["published_date"]
    if da is not None and db is not None and da != db:
        return (a, b, True) if da < db else (b, a, True)
    return a, b, False


def _copies(story: Story, docs: dict[str, dict[str, Any]]) -> list[str]:
    copies = [lk for lk in story.links if lk["relation"] in COPY_RELATIONS]
    out = ['<h2 id="copies">Who copied whom</h2>']
    if not copies:
        out.append("<p>No document of this story copies another: they share the event, not the text.</p>")
        return out
    out.append(copy_graph_svg(story.documents, copies))
    out.append('<ul id="copy-links">')
    for lk in copies:
        a, b = docs.get(lk["doc_id_a"]), docs.get(lk["doc_id_b"])
        if a is None or b is None:
            continue
        first, second, known = _copy_direction(a, b)
        arrow = "→" if known else "↔"
        out.append(
            f'<li class="copy-link" data-a="{e(first["doc_id"])}" data-b="{e(second["doc_id"])}">'
            f"{e(source_name(first))} ({_outlet(first['outlet'])}) {arrow} {e(source_name(second))} "
            f"({_outlet(second['outlet'])}): {e(lk['relation'].replace('_', ' '))}, similarity "
            f"{lk['similarity']:.2f}{'' if known else ' (same or unknown dates: direction not known)'}</li>"
        )
    out.append("</ul>")
    return out


def copy_graph_svg(documents: list[dict[str, Any]], copies: list[dict[str, Any]]) -> str:
    """Documents on a circle, a line (arrow when the dates tell) for each copy link."""
    n = len(documents)
    size, radius = 360, 120
    pos = {}
    for i, d in enumerate(documents):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        pos[d["doc_id"]] = (size / 2 + radius * math.cos(angle), 170 + radius * math.sin(angle))
    by_id = {d["doc_id"]: d for d in documents}
    parts = [
        f'<svg id="copy-graph" xmlns="http://www.w3.org/2000/svg" width="{size}" height="340" '
        f'viewBox="0 0 {size} 340" role="img" aria-label="who copied whom">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="18" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#cf222e"/></marker></defs>',
    ]
    for lk in copies:
        a, b = by_id.get(lk["doc_id_a"]), by_id.get(lk["doc_id_b"])
        if a is None or b is None:
            continue
        first, second, known = _copy_direction(a, b)
        (x1, y1), (x2, y2) = pos[first["doc_id"]], pos[second["doc_id"]]
        arrow = ' marker-end="url(#arrow)"' if known else ""
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#cf222e" '
            f'stroke-width="{1 + 3 * lk["similarity"]:.1f}"{arrow}><title>{e(lk["relation"])} '
            f"{lk['similarity']:.2f}</title></line>"
        )
    for d in documents:
        x, y = pos[d["doc_id"]]
        label = source_name(d)[:18]
        parts.append(
            f'<g class="node"><circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#0969da"/>'
            f'<text x="{x:.1f}" y="{y + (20 if y >= 170 else -12):.1f}" text-anchor="middle">{e(label)}</text>'
            f'<text x="{x:.1f}" y="{y + (32 if y >= 170 else -24):.1f}" text-anchor="middle" fill="#6e7781">'
            f"{e(d['outlet'] or '')}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _facts(story: Story, docs: dict[str, dict[str, Any]], cite: Any) -> list[str]:
    out = [
        '<h2 id="facts">Facts</h2>',
        '<p class="muted">Each source\'s value links to the sentence it was read from. A figure written '
        "with broken digit grouping is shown with the value other sources corroborate.</p>",
        '<table id="fact-table"><thead><tr><th>what</th><th>who</th><th class="num">consensus</th>'
        '<th class="num">sources</th><th>status</th><th>each source</th></tr></thead><tbody>',
    ]
    for f in story.facts:
        out.append(_fact_row(f, docs, cite))
    out.append("</tbody></table>")
    if not story.facts:
        out.append("<p>No counts were read from this story.</p>")
    return out


def _fact_row(f: Fact, docs: dict[str, dict[str, Any]], cite: Any) -> str:
    status = "conflict" if f.conflicting else "agreed"
    items = []
    for s in f.sources:
        doc = docs.get(s.doc_id, {"doc_id": s.doc_id, "outlet": None})
        value = e(figure(s.value))
        if s.malformed:
            written, meant = s.malformed["surface"], s.malformed["suggested_value"]
            value = (
                f'<span class="malformed" title="written with broken digit grouping">'
                f"<del>{e(written)}</del> → <ins>{e(figure(meant))}</ins></span>"
            )
        disagree = ' class="disagree"' if f.consensus is not None and s.value != f.consensus else ""
        items.append(
            f'<li data-doc="{e(s.doc_id)}"{disagree}>{cite(s.doc_id, s.start, value)} '
            f"<span class=muted>{e(source_name(doc))}, {_outlet(doc.get('outlet'))}</span></li>"
        )
    return (
        f'<tr class="fact{" conflict" if f.conflicting else ""}" data-type="{e(f.count_type)}" '
        f'data-object="{e(f.object)}"><td>{e(f.count_type)}</td><td>{e(f.object)}</td>'
        f'<td class="num consensus">{e(figure(f.consensus))}</td><td class="num sources">{len(f.sources)}</td>'
        f'<td class="status">{status}</td><td><ul>{"".join(items)}</ul></td></tr>'
    )


def _quotes(story: Story, docs: dict[str, dict[str, Any]], cite: Any) -> list[str]:
    out = ['<h2 id="quotes">Quotes</h2>']
    if not story.quotes:
        return [*out, "<p>No quotes.</p>"]
    out.append(
        '<table id="quote-table"><thead><tr><th>speaker</th><th>verb</th><th>quote</th><th>source</th></tr>'
        "</thead><tbody>"
    )
    for q in story.quotes:
        doc = docs.get(q["doc_id"], {"doc_id": q["doc_id"], "outlet": None})
        speaker = e(q["speaker"]) or '<span class="muted">unattributed</span>'
        out.append(
            f"<tr><td>{speaker}</td><td>{e(q['verb'])}</td>"
            f"<td>{cite(q['doc_id'], q['start'], '“' + e(q['quote']) + '”')}</td>"
            f"<td><td>{e(source_name(doc))}<br>{_outlet(doc.get('outlet'))}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def map_svg(
    places: list[dict[str, Any]],
    width: int = 640,
    height: int = 400,
    svg_id: str = "map",
    labels: set[str] | None = None,
    caption: bool = True,
) -> str:
    """The places on an equirectangular map fitted to them: a graticule, a dot per place (sized by mentions).

    Self-contained SVG: no tiles, no script.
    """
    located = [p for p in places if p["latitude"] is not None and p["longitude"] is not None]
    pts: Counter[tuple[str, float, float]] = Counter((p["name"], p["latitude"], p["longitude"]) for p in located)
    written: dict[tuple[str, float, float], set[str]] = {}
    for p in located:
        if p["surface"] and p["surface"] != p["name"]:
            written.setdefault((p["name"], p["latitude"], p["longitude"]), set()).add(p["surface"])
    if not pts:
        return '<p id="map-empty">No place of this story has coordinates in the gazetteer.</p>'
    lats = [lat for _, lat, _ in pts]
    lons = [lon for _, _, lon in pts]
    pad = 2.0
    south, north = max(min(lats) - pad, -90.0), min(max(lats) + pad, 90.0)
    west, east = max(min(lons) - pad, -180.0), min(max(lons) + pad, 180.0)
    kx = math.cos(math.radians((south + north) / 2))  # keep shapes: a degree of longitude is shorter
    span_x, span_y = (east - west) * kx, north - south
    scale = min((width - 80) / span_x, (height - 60) / span_y)
    ox = (width - span_x * scale) / 2
    oy = (height - span_y * scale) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return ox + (lon - west) * kx * scale, oy + (north - lat) * scale

    step = next(s for s in (1, 2, 5, 10, 20, 30, 45, 90) if max(north - south, east - west) / s <= 8)
    parts = [
        f'<svg id="{svg_id}" class="map" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="map of the places mentioned">',
        f'<rect width="{width}" height="{height}" fill="#f0f6fc"/>',
    ]
    for grid_lat in range(math.ceil(south / step) * step, math.floor(north / step) * step + 1, step):
        (x1, y), (x2, _) = xy(grid_lat, west), xy(grid_lat, east)
        parts.append(f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>')
        parts.append(f'<text x="{x1 + 2:.1f}" y="{y - 2:.1f}" fill="#8c959f">{grid_lat}°</text>')
    for grid_lon in range(math.ceil(west / step) * step, math.floor(east / step) * step + 1, step):
        (x, y1), (_, y2) = xy(north, grid_lon), xy(south, grid_lon)
        parts.append(f'<line x1="{x:.1f}" y1="{y1:.1f}" x2="{x:.1f}" y2="{y2:.1f}" stroke="#d0d7de"/>')
        parts.append(f'<text x="{x + 2:.1f}" y="{y2 - 2:.1f}" fill="#8c959f">{grid_lon}°</text>')
    most = max(pts.values())
    taken: list[tuple[float, float, float, float]] = []  # label boxes placed so far
    for (name, lat, lon), n in sorted(pts.items(), key=lambda kv: (-kv[1], kv[0])):
        x, y = xy(lat, lon)
        also = sorted(written.get((name, lat, lon), ()))
        label = f"{name} ({', '.join(also)})" if also else name
        r = 3 + 7 * math.sqrt(n / most)
        if labels is not None and name not in labels:  # shown on the detail map
            parts.append(
                f'<g class="place"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#cf222e" fill-opacity=".4">'
                f"<title>{e(label)}: {n} mention(s), {lat:.3f}, {lon:.3f}</title></circle></g>"
            )
            continue
        lx, ly = _label_spot(x + r + 2, y + 4, 6.2 * len(label), taken, height)
        leader = (
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{lx - 1:.1f}" y2="{ly - 4:.1f}" stroke="#8c959f" stroke-width=".6"/>'
            if abs(ly - (y + 4)) > 1
            else ""
        )
        parts.append(
            f'<g class="place"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#cf222e" fill-opacity=".6">'
            f"<title>{e(label)}: {n} mention(s), {lat:.3f}, {lon:.3f}</title></circle>{leader}"
            f'<text x="{lx:.1f}" y="{ly:.1f}">{e(label)}</text></g>'
        )
    parts.append("</svg>")
    if caption:
        parts.append(
            '<p class="muted">Places as the gazetteer names them (and as the texts write them), at its '
            "coordinates; a dot's size grows with its mentions.</p>"
        )
    return "".join(parts)


def _label_spot(
    x: float, y: float, width: float, taken: list[tuple[float, float, float, float]], height: int
) -> tuple[float, float]:
    """Where a label goes: beside its dot, else the nearest free line above or below (greedy)."""
    for step in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8):
        ly = y + 13 * step
        box = (x, ly - 10, x + width, ly + 3)
        if 10 <= ly <= height - 2 and not any(
            box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3] for t in taken
        ):
            taken.append(box)
            return x, ly
    taken.append((x, y - 10, x + width, y + 3))
    return x, y


def place_maps(places: list[dict[str, Any]]) -> list[str]:
    """The story's map: the region around its most-mentioned place, then every place when some lie far away."""
    located = [p for p in places if p["latitude"] is not None and p["longitude"] is not None]
    if not located:
        return [map_svg(places)]
    top = Counter((p["latitude"], p["longitude"]) for p in located).most_common(1)[0][0]
    near = [p for p in located if abs(p["latitude"] - top[0]) <= 6 and abs(p["longitude"] - top[1]) <= 6]
    far = sorted({p["name"] for p in located} - {p["name"] for p in near})
    if not far:
        return [map_svg(located)]
    return [
        map_svg(near),
        f"<p>Farther away: {e(', '.join(far))}.</p>",
        map_svg(located, svg_id="map-all", width=480, height=300, labels=set(far), caption=False),
    ]


def _texts(story: Story, spans: dict[str, list[tuple[int, int]]]) -> list[str]:
    marks: dict[str, list[tuple[int, int, str]]] = {}
    for c in story.counts:
        marks.setdefault(c["doc_id"], []).append((c["start"], c["end"], "count"))
    for n in story.malformed:
        marks.setdefault(n["doc_id"], []).append((n["start"], n["end"], "malformed-number"))
    out = ['<h2 id="texts">Texts</h2>']
    for d in story.documents:
        text = d["clean_text"] or ""
        out.append(
            f'<section class="doc" id="doc-{e(d["doc_id"])}"><h3>{e(d["title"]) or "untitled"}</h3>'
            f'<p class="muted">{e(source_name(d))} · {_outlet(d["outlet"])} · {_date(d["published_date"])}'
            f"{' · by ' + e(d['byline']) if d['byline'] else ''}</p>"
            f'<p class="text">{marked_text(text, spans[d["doc_id"]], marks.get(d["doc_id"], []), d["doc_id"])}</p>'
            "</section>"
        )
    return out


def marked_text(text: str, spans: list[tuple[int, int]], marks: list[tuple[int, int, str]], doc_id: str) -> str:
    """``text`` escaped, each sentence a target for links, marked spans (nested or apart) highlighted.

    >>> text = "Two <b>died</b>. Ok"
    >>> marked_text(text, sentences(text), [(0, 3, "count")], "d").split("</span>")
    ['<span class="sentence" id="s-d-0"><mark class="count">Two</mark> &lt;b&gt;died&lt;/b&gt;.', \
' <span class="sentence" id="s-d-17">Ok', '']
    """
    # Keep marks that nest or stand apart; drop any that cross a kept one or a sentence end.
    kept: list[tuple[int, int, str]] = []
    for start, end, cls in sorted(marks, key=lambda m: (m[0], -m[1])):
        if not 0 <= start < end <= len(text):
            continue
        sent = sentence_start(spans, start)
        sent_end = next(b for a, b in spans if a == sent)
        if end > sent_end or any(s < start < t < end or start < s < end < t for s, t, _ in kept):
            continue
        kept.append((start, end, cls))
    opens: dict[int, list[tuple[int, str]]] = {}
    closes: Counter[int] = Counter()
    for start, end, cls in kept:
        opens.setdefault(start, []).append((end, cls))
        closes[end] += 1
    out: list[str] = []
    for s_start, span_end in spans:
        # The whitespace after a sentence stays outside it, so a highlighted sentence is only the sentence.
        s_end = s_start + len(text[s_start:span_end].rstrip())
        s_end = max([s_end, *(p for p in closes if s_start < p <= span_end)])
        out.append(f'<span class="sentence" id="{anchor(doc_id, s_start)}">')
        inside = [p for p in (*opens, *closes) if s_start < p < s_end]
        cuts = sorted({s_start, s_end, *inside})
        for a, b in zip(cuts, cuts[1:], strict=False):
            out.append("</mark>" * closes.get(a, 0) if a != s_start else "")
            for _, cls in sorted(opens.get(a, []), key=lambda m: -m[0]):
                out.append(f'<mark class="{cls}">')
            out.append(e(text[a:b]))
        out.append("</mark>" * closes.get(s_end, 0))
        out.append("</span>" + e(text[s_end:span_end]))
    return "".join(out)


# --------------------------------------------------------------------------- the site


class NotAReport(RuntimeError):
    """``--out`` names a folder that holds something other than a copydesk report."""


def build_report(home: Path, out: Path | None = None, *, generated_at: str | None = None) -> Path:
    """Write the site for the warehouse under ``home`` into ``out`` (default ``<home>/report``); its index.

    The site is written beside ``out`` and swapped in whole, so a reader never sees half
    a report; an existing ``out`` is replaced only if it is empty or an earlier report.
    """
    import time

    from transforms.link.facts import object_key
    from warehouse.report import connect, iter_stories, read_overview

    home = Path(home)
    out = Path(out) if out is not None else report_dir(home)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise NotAReport(f"{out} exists and is not a copydesk report: choose an empty or new --out folder")
    stamp = generated_at or time.strftime("%Y-%m-%d %H:%M:%S %Z")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / MARKER).write_text("written by copydesk report; replaced whole by the next one\n")
        (tmp / "stories").mkdir()
        con = connect(home)
        try:
            ov = read_overview(con)
            docs = home / "data_docs" / "index.html"
            link = os.path.relpath(docs, out).replace(os.sep, "/") if docs.exists() else None
            (tmp / "index.html").write_text(overview_html(ov, data_docs=link, generated_at=stamp), encoding="utf-8")
            for story in iter_stories(con, object_key):
                (tmp / "stories" / story_file(story.story_id)).write_text(
                    story_html(story, generated_at=stamp), encoding="utf-8"
                )
        finally:
            con.close()
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / "index.html"
