"""Data Docs: the check results as one static, self-contained HTML page.

Written here rather than by GX's Data Docs renderer, which in GX 1.24 puts unexpected
values into the page unescaped; our details quote article data, which is hostile input.
Every piece of text goes through :func:`html.escape`, and the page's Content Security
Policy forbids scripts anyway.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from contract.vocab import ERROR

if TYPE_CHECKING:
    from expectations.runner import CheckOutcome

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3} .ok{color:#1a7f37} .error{color:#cf222e;font-weight:bold} .warning{color:#9a6700}
td.detail{white-space:pre-wrap;word-break:break-word;font-family:monospace;font-size:.9em}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_html(outcomes: Iterable[CheckOutcome], *, generated_at: str | None = None) -> str:
    """The report page for ``outcomes``, every text escaped."""
    outcomes = list(outcomes)
    bad = [o for o in outcomes if not o.success]
    errors = sum(o.severity == ERROR for o in bad)
    stamp = generated_at or time.strftime("%Y-%m-%d %H:%M:%S %Z")
    suites: dict[str, list[CheckOutcome]] = {}
    for o in outcomes:
        suites.setdefault(o.suite, []).append(o)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "<title>copydesk data checks</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>copydesk data checks</h1>",
        f"<p>{_e(stamp)}: {len(outcomes)} expectations, {len(outcomes) - len(bad)} passed, "
        f"{errors} errors failed, {len(bad) - errors} warnings failed.</p>",
        "<ul>",
        *(
            f'<li><a href="#suite-{_e(s)}">{_e(s)}</a>: {sum(not o.success for o in items)} of {len(items)} failed</li>'
            for s, items in suites.items()
        ),
        "</ul>",
    ]
    for suite, items in suites.items():
        out.append(f'<h2 id="suite-{_e(suite)}">{_e(suite)}</h2>')
        out.append(
            "<table><thead><tr><th>status</th><th>expectation</th><th>column</th><th>severity</th>"
            "<th>unexpected</th><th>detail</th></tr></thead><tbody>"
        )
        for o in sorted(items, key=lambda o: o.success):
            status, cls = ("passed", "ok") if o.success else ("FAILED", o.severity)
            out.append(
                f'<tr><td class="{_e(cls)}">{status}</td><td>{_e(o.expectation)}</td><td>{_e(o.column_name)}</td>'
                f"<td>{_e(o.severity)}</td><td>{_e(o.unexpected_count)}</td>"
                f'<td class="detail">{_e(o.detail)}</td></tr>'
            )
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out)


def write_data_docs(outcomes: Iterable[CheckOutcome], directory: Path) -> Path:
    """Write ``directory/index.html`` (atomically) and return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "index.html"
    tmp = directory / ".index.html.tmp"
    tmp.write_text(render_html(outcomes), encoding="utf-8")
    tmp.replace(target)
    return target
