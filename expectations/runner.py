"""Run the data checks over a warehouse and report them (table, JUnit, Data Docs, exit code).

Importing this module is cheap: Great Expectations (several seconds to import),
pandas, pyarrow and rich are imported inside the functions that need them, so
``copydesk --help`` and ``copydesk sql`` do not pay for them.

How the checks run: GX 1.x has no DuckDB backend, so each suite's frame is pulled
from DuckDB into pandas (joins and regular expressions computed in DuckDB, see
:mod:`expectations.frames`) and validated with an ephemeral GX context and a pandas
datasource, one batch per frame.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract.vocab import ERROR

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import duckdb
    import pandas as pd
    import pyarrow as pa
    from rich.table import Table as RichTable

    from expectations.suites import Check

#: DuckDB's memory while the checks run (see :func:`run_checks`).
CHECKS_DUCKDB_MEMORY = "256MB"
#: How many offending rows a failure detail names.
SAMPLE_ROWS = 5
_VALUE_CHARS = 60


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one expectation."""

    suite: str
    expectation: str
    column_name: str | None
    success: bool
    unexpected_count: int | None
    severity: str
    detail: str

    @property
    def name(self) -> str:
        """``expectation[column]``: unique within its suite."""
        return f"{self.expectation}[{self.column_name}]" if self.column_name else self.expectation


def run_checks(
    con: duckdb.DuckDBPyConnection,
    *,
    docs_dir: Path | None = None,
    replay_sample: int = 200,
    quarantine_share_threshold: float = 0.05,
    run_id: str | None = None,
) -> list[CheckOutcome]:
    """Run every suite over the warehouse open in ``con``; one outcome per expectation.

    With ``run_id``, the row-level checks of the tables a run adds to read only that
    run's rows (checked once, when they arrive); checks of a whole table (uniqueness,
    the quarantine share) and of the columns and tables the link step rewrites read every
    row (:func:`expectations.frames.scoped_checks`). Without it, everything is checked.
    ``replay_sample`` documents (a deterministic sample, of the run's when scoped) get
    their edits replayed. With ``docs_dir``, an HTML report is written to ``docs_dir/index.html``.
    """
    from expectations.frames import iter_frames, scoped_checks
    from expectations.suites import all_checks
    from warehouse.store import duckdb_memory

    checks = scoped_checks(all_checks(quarantine_share_threshold=quarantine_share_threshold), run_id)
    # One frame in memory at a time: each is validated, then dropped, before the next is pulled; and
    # DuckDB's cache kept small beside Great Expectations (as fast here: each frame is read once).
    with duckdb_memory(con, CHECKS_DUCKDB_MEMORY) as lift:
        frames = iter_frames(con, checks, replay_sample=replay_sample, run_id=run_id, out_of_memory=lift)
        results = _validate(checks, frames)
    outcomes = [_outcome(c, results.get(c.key)) for c in checks]
    if docs_dir is not None:
        from expectations.data_docs import write_data_docs

        write_data_docs(outcomes, docs_dir)
    return outcomes


def _gx_class_name(expectation: str) -> str:
    return "".join(part.capitalize() for part in expectation.split("_"))


def _validate(checks: Sequence[Check], frames: Iterable[tuple[str, pd.DataFrame | Exception]]) -> dict[tuple, Any]:
    """Validate each frame (given with its name) with GX, one batch per frame, as they come; the
    result (or exception) per check key."""
    from expectations.frames import index_columns

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX chats at INFO (one module even forces its logger to INFO at import); keep run logs quiet.
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("copydesk")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole")
    )
    by_frame: dict[str, list[Check]] = {}
    for c in checks:
        by_frame.setdefault(c.frame_name, []).append(c)
    results: dict[tuple, Any] = {}
    for frame_name, frame in frames:
        group = by_frame[frame_name]
        if isinstance(frame, Exception):
            results.update((c.key, frame) for c in group)
            continue
        suite = gx.ExpectationSuite(name=group[0].suite)
        for i, c in enumerate(group):
            cls = getattr(gxe, _gx_class_name(c.expectation))
            severity = "critical" if c.severity == ERROR else c.severity
            suite.add_expectation(cls(**c.gx_kwargs, severity=severity, meta={"copydesk_check": i}))
        index = [col for col in index_columns(frame_name) if col in frame.columns]
        result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS}
        if index:
            result_format["unexpected_index_column_names"] = index
        try:
            batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
            validation = batch.validate(suite, result_format=result_format)
        except Exception as exc:  # noqa: BLE001 - one broken frame must not hide the other suites
            results.update((c.key, exc) for c in group)
            continue
        finally:
            del frame  # before the next frame is pulled
        for r in validation.results:
            results[group[r.expectation_config.meta["copydesk_check"]].key] = r  # type: ignore[union-attr]
        del batch, validation
    return results


def _outcome(check: Check, result: Any) -> CheckOutcome:
    """A :class:`CheckOutcome` from a GX validation result (or the error that prevented one)."""

    def make(success: bool, unexpected: int | None, detail: str) -> CheckOutcome:
        return CheckOutcome(
            check.suite, check.expectation, check.column_name, success, unexpected, check.severity, detail
        )

    if result is None:
        return make(False, None, f"{check.description}: no result")
    if isinstance(result, Exception):
        return make(False, None, f"{check.description}: could not read the data: {_short(str(result), 200)}")
    raised = _raised(result.exception_info)
    if raised:
        return make(False, None, f"{check.description}: check raised: {_short(raised, 200)}")
    res = result.result or {}
    unexpected = res.get("unexpected_count")
    unexpected = int(unexpected) if unexpected is not None else None
    if result.success:
        rows = res.get("element_count")
        return make(True, unexpected, check.description + (f" ({rows} rows)" if rows is not None else ""))
    parts = [check.description]
    if unexpected is not None:
        parts.append(f"{unexpected} of {res.get('element_count')} rows fail")
    examples = res.get("partial_unexpected_index_list") or []
    if examples and isinstance(examples[0], dict):
        column = check.column
        shown = [", ".join(f"{k}={_short(_plain(v))}" for k, v in ex.items() if k != column) for ex in examples]
        parts.append("e.g. " + "; ".join(shown))
    values = res.get("partial_unexpected_list")
    if values and not (check.kwargs.get("value_set") == [True]):
        parts.append("values: " + ", ".join(_short(_plain(v)) for v in values[:SAMPLE_ROWS]))
    if "observed_value" in res:
        parts.append(f"observed: {_short(_plain(res['observed_value']))}")
    return make(False, unexpected, "; ".join(parts))


def _raised(info: Any) -> str | None:
    """The exception message in a GX ``exception_info`` (flat, or keyed by metric)."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception", True) and value.get("exception_message"):
            return str(value["exception_message"])
    return None


def _plain(value: Any) -> str:
    """A value as short readable text (NaN and NaT read as null)."""
    try:
        if value != value:  # NaN, NaT
            return "null"
    except (TypeError, ValueError):
        pass
    if value is None:
        return "null"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def _short(text: str, limit: int = _VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def outcomes_table(outcomes: Iterable[CheckOutcome], run_id: str) -> pa.Table:
    """Rows for the warehouse ``check_results`` table."""
    import pyarrow as pa

    from contract.schema import TABLES

    outcomes = list(outcomes)
    return pa.Table.from_pydict(
        {
            "run_id": [run_id] * len(outcomes),
            "suite": [o.suite for o in outcomes],
            "expectation": [o.expectation for o in outcomes],
            "column_name": [o.column_name for o in outcomes],
            "success": [o.success for o in outcomes],
            "unexpected_count": [o.unexpected_count for o in outcomes],
            "severity": [o.severity for o in outcomes],
            "detail": [o.detail or None for o in outcomes],
        },
        schema=TABLES["check_results"].arrow_schema,
    )


def failed(outcomes: Iterable[CheckOutcome], severity: str | None = None) -> list[CheckOutcome]:
    """Outcomes that failed, optionally only those of ``severity``."""
    return [o for o in outcomes if not o.success and (severity is None or o.severity == severity)]


def exit_code(outcomes: Iterable[CheckOutcome], strict: bool = False) -> int:
    """1 when an ``error`` check failed, or (``strict``) when any check failed; else 0."""
    bad = failed(outcomes)
    return int(any(o.severity == ERROR for o in bad) or (strict and bool(bad)))


def write_junit(outcomes: Iterable[CheckOutcome], path: Path) -> None:
    """JUnit XML for CI: one ``<testsuite>`` per suite, one ``<testcase>`` per expectation.

    A failed check is a ``<failure>`` whose ``type`` is its severity (``error`` or
    ``warning``): a failed warning is still a failed expectation, and CI shows it as
    such; whether the build fails is decided by :func:`exit_code`, not by the report.
    """
    import xml.etree.ElementTree as ET

    outcomes = list(outcomes)
    suites: dict[str, list[CheckOutcome]] = {}
    for o in outcomes:
        suites.setdefault(o.suite, []).append(o)
    root = ET.Element(
        "testsuites", name="copydesk checks", tests=str(len(outcomes)), failures=str(len(failed(outcomes)))
    )
    for suite, items in suites.items():
        el = ET.SubElement(
            root,
            "testsuite",
            name=suite,
            tests=str(len(items)),
            failures=str(len(failed(items))),
            errors="0",
            skipped="0",
            timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"),
        )
        for o in items:
            case = ET.SubElement(el, "testcase", classname=f"copydesk.checks.{suite}", name=o.name)
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="severity", value=o.severity)
            if not o.success:
                failure = ET.SubElement(case, "failure", type=o.severity, message=_xml_safe(_short(o.detail, 300)))
                failure.text = _xml_safe(o.detail)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (control characters, surrogates)."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n\r" or "\x20" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd" or "\U00010000" <= ch
    )


def render_table(outcomes: Iterable[CheckOutcome], *, failures_only: bool = False) -> RichTable:
    """A rich table of the outcomes (failures first). Text is never parsed as rich markup."""
    from rich.table import Table
    from rich.text import Text

    outcomes = sorted(outcomes, key=lambda o: (o.success, o.severity != ERROR, o.suite))
    bad = failed(outcomes)
    table = Table(title=f"copydesk checks: {len(outcomes) - len(bad)} passed, {len(bad)} failed")
    for header in ("", "suite", "expectation", "column", "severity", "unexpected", "detail"):
        table.add_column(header, overflow="fold")
    for o in outcomes:
        if failures_only and o.success:
            continue
        mark = (
            Text("ok", style="green")
            if o.success
            else Text("FAIL", style="bold red" if o.severity == ERROR else "yellow")
        )
        table.add_row(
            mark,
            Text(o.suite),
            Text(o.expectation),
            Text(o.column_name or ""),
            Text(o.severity),
            Text("" if o.unexpected_count is None else str(o.unexpected_count)),
            Text(o.detail),
        )
    return table


def build_data_docs(outcomes: Iterable[CheckOutcome], home: Path) -> Path:
    """Write the HTML report to ``<home>/data_docs/index.html`` and return its path."""
    from expectations.data_docs import write_data_docs

    return write_data_docs(outcomes, Path(home) / "data_docs")
