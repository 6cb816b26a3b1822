"""Linking: duplicates, syndicated copies, stories, facts and corroborated suggestions."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import transforms.link.link as link_module
from contract.schema import TABLES, conform
from contract.vocab import LINK_RELATIONS
from transforms.link.facts import object_key
from transforms.link.link import link
from transforms.link.stories import story_key

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "link"
SHARED = Path(__file__).resolve().parents[3].parent / "shared"
FACTS_CASE = json.loads((GOLDEN / "facts.json").read_text(encoding="utf-8"))
OBJECT_CASES = json.loads((GOLDEN / "object_keys.json").read_text(encoding="utf-8"))["cases"]
DOCS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("clean_text", pa.string()),
        ("title", pa.string()),
        ("published_date", pa.date32()),
        ("outlet", pa.string()),
        ("agencies", pa.list_(pa.string())),
    ]
)


def documents(rows: list[dict]) -> pa.Table:
    """A ``documents`` input table from dicts (missing columns are null)."""
    return pa.Table.from_pylist([{k: r.get(k) for k in DOCS_SCHEMA.names} for r in rows], schema=DOCS_SCHEMA)


def empty(name: str) -> pa.Table:
    return TABLES[name].arrow_schema.empty_table()


def rows_table(name: str, rows: list[dict]) -> pa.Table:
    return conform(name, pa.Table.from_pylist(rows, schema=TABLES[name].arrow_schema))


def relation(out: dict[str, pa.Table], a: str, b: str) -> str | None:
    a, b = min(a, b), max(a, b)
    links = out["doc_links"].to_pylist()
    return next((r["relation"] for r in links if (r["doc_id_a"], r["doc_id_b"]) == (a, b)), None)


def assert_consistent(out: dict[str, pa.Table], docs: pa.Table) -> None:
    """Invariants every output must satisfy."""
    for name in ("doc_links", "stories", "facts"):
        assert out[name].schema == TABLES[name].arrow_schema
    ids = set(docs.column("doc_id").to_pylist())
    for r in out["doc_links"].to_pylist():
        assert r["doc_id_a"] < r["doc_id_b"] and {r["doc_id_a"], r["doc_id_b"]} <= ids
        assert r["relation"] in LINK_RELATIONS and 0.0 <= r["similarity"] <= 1.0
    doc_story = out["doc_story"].to_pylist()
    assert sorted(r["doc_id"] for r in doc_story) == sorted(ids)
    per_story = Counter(r["story_id"] for r in doc_story)
    assert (
        dict(
            zip(
                out["stories"].column("story_id").to_pylist(),
                out["stories"].column("doc_count").to_pylist(),
                strict=True,
            )
        )
        == per_story
    )
    story_of = {r["doc_id"]: r["story_id"] for r in doc_story}
    for r in doc_story:
        if r["duplicate_of"] is not None:
            assert r["duplicate_of"] != r["doc_id"] and story_of[r["duplicate_of"]] == r["story_id"]
    for f in out["facts"].to_pylist():
        assert len(f["values"]) == len(f["doc_ids"]) == len(set(f["doc_ids"])) >= 1
        assert f["conflicting"] == (len(set(f["values"])) > 1)
        assert f["consensus"] in f["values"]
        assert {story_of[d] for d in f["doc_ids"]} == {f["story_id"]}


# --- the seeds ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> tuple[pa.Table, pa.Table, pa.Table]:
    """The five seed articles, lightly cleaned, with the extraction's counts and numbers."""
    folder = SHARED / "seeds"
    if not folder.exists():
        pytest.skip(f"needs the seed articles in {folder} (../shared beside the repository), which is absent")
    from transforms.clean.clean import clean_texts
    from transforms.extract.extract import extract

    files = sorted(folder.glob("*.txt"))
    cleaned = clean_texts([f.read_text(encoding="utf-8", errors="replace") for f in files])
    ids = [f.stem for f in files]  # "000_f51a...": keeps the seed number visible in failures
    n = len(ids)
    raw_docs = pa.table(
        {
            "doc_id": ids,
            "clean_text": cleaned.clean_text,
            "title": pa.nulls(n, pa.string()),
            "published_date": pa.nulls(n, pa.date32()),
            "source_uri": [str(f) for f in files],
            "header": cleaned.header,
        }
    )
    found = extract(raw_docs)
    meta = found["doc_meta"]
    docs = pa.table(
        {
            "doc_id": ids,
            "clean_text": cleaned.clean_text,
            "title": meta["title"],
            "published_date": meta["published_date"],
            "outlet": meta["outlet"],
            "agencies": meta["agencies"],
        }
    )
    return docs, found["counts"], found["numbers"]


def test_seeds_form_one_story(seeds: tuple[pa.Table, pa.Table, pa.Table]) -> None:
    out = link(*seeds)
    assert out["stories"].num_rows == 1
    assert out["stories"].column("doc_count").to_pylist() == [5]
    assert out["stories"].column("story_id").to_pylist() == [story_key(min(seeds[0].column("doc_id").to_pylist()))]
    assert_consistent(out, seeds[0])


def test_seed_afp_copies_are_syndicated(seeds: tuple[pa.Table, pa.Table, pa.Table]) -> None:
    out = link(*seeds)
    ids = {i[:3]: i for i in seeds[0].column("doc_id").to_pylist()}
    assert relation(out, ids["000"], ids["001"]) == "syndicated"
    assert all(r["duplicate_of"] is None for r in out["doc_story"].to_pylist())


def test_seed_facts(seeds: tuple[pa.Table, pa.Table, pa.Table]) -> None:
    """Two Turkish soldiers killed: agreed by every seed; the displaced: 950,000 vs one million."""
    facts = link(*seeds)["facts"].to_pylist()
    kill = [f for f in facts if (f["count_type"], f["object"]) == ("KILL", "soldiers") and 2.0 in f["values"]]
    displaced = [f for f in facts if f["count_type"] == "DISPLACED"]
    if not kill or not displaced:
        pytest.skip("the extraction gives no KILL soldiers / DISPLACED counts for the seeds")
    assert kill[0]["consensus"] == 2.0 and not kill[0]["conflicting"] and len(kill[0]["doc_ids"]) >= 4
    assert len(displaced) == 1
    assert displaced[0]["conflicting"] and set(displaced[0]["values"]) == {950000.0, 1000000.0}


def test_seed_malformed_number_is_corroborated(seeds: tuple[pa.Table, pa.Table, pa.Table]) -> None:
    numbers = seeds[2]
    malformed = numbers.filter(numbers.column("is_malformed")).to_pylist()
    if not any(r["suggested_value"] == 950000 for r in malformed):
        pytest.skip("the extraction does not flag 950,0000 as malformed")
    rows = link(*seeds)["suggestions"].to_pylist()
    assert [(r["doc_id"][:3], r["suggested_value"]) for r in rows] == [("000", 950000.0)]


# --- duplicates and unrelated documents --------------------------------------------------

WIRE = (
    "The central bank raised its main interest rate by a quarter of a percentage point on Wednesday, "
    "its third increase this year, saying that inflation in the service sector had proved more stubborn "
    "than its economists expected and that wage growth remained strong across the northern regions. "
    "The governor told reporters that further rises could not be ruled out if prices kept climbing."
)
OTHER = (
    "Heavy snow closed mountain passes across the Alpine valley overnight, stranding hundreds of lorries "
    "and forcing the regional authorities to open emergency shelters in three schools near the border crossing."
)
THIRD = (
    "A new exhibition of medieval manuscripts opened at the city library this weekend, with illuminated "
    "gospels lent by monasteries that have never before allowed the books to travel abroad."
)


def test_exact_duplicates() -> None:
    docs = documents(
        [
            {"doc_id": "b", "clean_text": WIRE, "published_date": dt.date(2021, 3, 4), "title": "Later copy"},
            {"doc_id": "a", "clean_text": WIRE, "published_date": dt.date(2021, 3, 5)},
            {"doc_id": "c", "clean_text": OTHER},
        ]
    )
    out = link(docs, empty("counts"), empty("numbers"))
    assert out["doc_links"].select(["doc_id_a", "doc_id_b", "relation", "similarity", "reason"]).to_pylist() == [
        {"doc_id_a": "a", "doc_id_b": "b", "relation": "exact_duplicate", "similarity": 1.0, "reason": "identical_text"}
    ]
    dup = {r["doc_id"]: r["duplicate_of"] for r in out["doc_story"].to_pylist()}
    assert dup == {"a": "b", "b": None, "c": None}  # b was published first
    stories = {r["story_id"]: r for r in out["stories"].to_pylist()}
    assert stories[story_key("a")]["doc_count"] == 2 and stories[story_key("a")]["title"] == "Later copy"
    assert stories[story_key("a")]["first_published"] == dt.date(2021, 3, 4)
    assert_consistent(out, docs)


def test_near_duplicate_and_syndicated() -> None:
    near = WIRE.replace("Wednesday", "Thursday")
    rewrite = WIRE.split(". ")[0] + ". " + OTHER  # one shared sentence, half the text
    docs = documents(
        [
            {"doc_id": "a", "clean_text": WIRE},
            {"doc_id": "b", "clean_text": near},
            {"doc_id": "c", "clean_text": rewrite},
        ]
    )
    out = link(docs, empty("counts"), empty("numbers"))
    assert relation(out, "a", "b") == "near_duplicate"
    assert relation(out, "a", "c") == "syndicated"
    assert {r["doc_id"]: r["duplicate_of"] for r in out["doc_story"].to_pylist()}["b"] == "a"
    assert out["stories"].num_rows == 1
    assert_consistent(out, docs)


def test_unrelated_documents_are_not_linked() -> None:
    docs = documents(
        [
            {"doc_id": "a", "clean_text": WIRE},
            {"doc_id": "b", "clean_text": OTHER},
            {"doc_id": "c", "clean_text": THIRD},
            {"doc_id": "d", "clean_text": ""},
            {"doc_id": "e", "clean_text": ""},
        ]
    )
    out = link(docs, empty("counts"), empty("numbers"))
    assert out["doc_links"].num_rows == 0  # blank texts are not duplicates of each other
    assert out["stories"].num_rows == 5
    assert_consistent(out, docs)


NAMED_TEXTS = [
    "In Qarnabad, the envoy from Veloria said Halvorsen had arrived. " + WIRE,
    "Halvorsen, who was sent by Veloria to Qarnabad last week, spoke briefly. " + OTHER,
    "Qarnabad welcomed Halvorsen of Veloria once more. " + THIRD,
]


def killed(doc_id: str, number: float, obj: str) -> dict:
    """A ``counts`` row: ``number`` of ``obj`` killed, reported by ``doc_id``."""
    return {"doc_id": doc_id, "start": 0, "end": 10, "count_type": "KILL", "number": number, "object": obj,
            "qualifier": "exact"}


def test_names_link_only_within_days() -> None:
    """Shared rare names and a shared fact make a story only when the documents are published close together."""
    dates = [dt.date(2021, 1, 1), dt.date(2021, 1, 3), dt.date(2021, 2, 1)]
    docs = documents(
        [{"doc_id": i, "clean_text": t, "published_date": d} for i, t, d in zip("abc", NAMED_TEXTS, dates, strict=True)]
    )
    counts = rows_table("counts", [killed("a", 2, "Velorian soldiers"), killed("b", 2, "two of its soldiers"),
                                   killed("c", 2, "soldiers")])
    out = link(docs, counts, empty("numbers"))
    assert relation(out, "a", "b") == "same_story"
    link_a_b = next(r for r in out["doc_links"].to_pylist() if r["relation"] == "same_story")
    assert link_a_b["reason"] == "names_and_facts" and link_a_b["shared_counts"] == 1
    assert relation(out, "a", "c") is None and relation(out, "b", "c") is None
    assert sorted(out["stories"].column("doc_count").to_pylist()) == [1, 2]


def test_shared_names_alone_are_not_a_story() -> None:
    """Documents naming the same people and places, with no fact and no passage in common, stay apart."""
    day = dt.date(2021, 1, 1)
    docs = documents(
        [{"doc_id": i, "clean_text": t, "published_date": day} for i, t in zip("abc", NAMED_TEXTS, strict=True)]
    )
    counts = rows_table("counts", [killed("a", 2, "soldiers"), killed("b", 45, "people")])
    out = link(docs, counts, empty("numbers"))
    assert out["doc_links"].num_rows == 0
    assert out["stories"].num_rows == 3


@pytest.mark.corpus
def test_bbc_does_not_collapse_into_giant_stories() -> None:
    """BBC articles (undated) on one topic stay apart: no story holds 1% of the corpus."""
    folder = SHARED / "corpora" / "bbc"
    if not folder.exists():
        pytest.skip(f"needs the BBC corpus in {folder}, which is absent")
    paths = sorted(folder.glob("*/*.txt"))
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in paths]
    docs = documents(
        [{"doc_id": f"{i:05d}", "clean_text": t, "title": t.split("\n", 1)[0]} for i, t in enumerate(texts)]
    )
    out = link(docs, empty("counts"), empty("numbers"))
    rows = out["doc_story"].to_pylist()
    distinct = Counter(r["story_id"] for r in rows if r["duplicate_of"] is None)  # true duplicates aside
    assert max(distinct.values()) < 0.01 * len(paths)
    assert_consistent(out, docs)


# --- facts and suggestions (golden) ------------------------------------------------------


def golden_inputs() -> tuple[pa.Table, pa.Table, pa.Table]:
    case = FACTS_CASE
    docs = documents(
        [
            {
                "doc_id": d["doc_id"],
                "outlet": d["outlet"],
                "agencies": d["agencies"],
                "published_date": dt.date.fromisoformat(d["published_date"]),
                "clean_text": d.get("text") or f"{case['shared_paragraph']} {d['tail']}",
            }
            for d in case["documents"]
        ]
    )
    return docs, rows_table("counts", case["counts"]), rows_table("numbers", case["numbers"])


def test_golden_facts() -> None:
    docs, counts, numbers = golden_inputs()
    out = link(docs, counts, numbers)
    expected = [
        {**{k: v for k, v in f.items() if k != "story"}, "story_id": story_key(f["story"])}
        for f in FACTS_CASE["expected_facts"]
    ]
    expected = [{**f, "values": [float(v) for v in f["values"]], "consensus": float(f["consensus"])} for f in expected]
    key = lambda f: (f["story_id"], f["count_type"], f["object"], min(f["values"]))  # noqa: E731
    assert sorted(out["facts"].to_pylist(), key=key) == sorted(expected, key=key)
    assert out["suggestions"].to_pylist() == [
        {**s, "suggested_value": float(s["suggested_value"])} for s in FACTS_CASE["expected_suggestions"]
    ]
    assert_consistent(out, docs)


def test_consensus_tie_goes_to_more_outlets_then_larger() -> None:
    from transforms.link.facts import consensus

    assert consensus([2.0, 3.0, 3.0, 2.0], ["x", "y", "y", "z"]) == 2.0  # 2 from two outlets, 3 from one
    assert consensus([2.0, 3.0], ["x", "y"]) == 3.0


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c, id=c["label"], marks=[pytest.mark.xfail(reason=c["xfail"], strict=True)] if "xfail" in c else []
        )
        for c in OBJECT_CASES
    ],
)
def test_object_key(case: dict) -> None:
    assert object_key(case["input"]) == case["expected"]


# --- properties --------------------------------------------------------------------------


def property_inputs() -> tuple[pa.Table, pa.Table, pa.Table]:
    """The golden case plus duplicates and unrelated texts: every kind of link at once."""
    docs, counts, numbers = golden_inputs()
    extra = documents(
        [
            {"doc_id": "w1", "clean_text": WIRE, "published_date": dt.date(2020, 1, 2)},
            {"doc_id": "w0", "clean_text": WIRE, "published_date": dt.date(2020, 1, 2)},
            {"doc_id": "w2", "clean_text": WIRE.replace("Wednesday", "Tuesday")},
            {"doc_id": "o1", "clean_text": OTHER},
            {"doc_id": "t1", "clean_text": THIRD},
            {"doc_id": "e1", "clean_text": ""},
        ]
    )
    return pa.concat_tables([docs, extra]), counts, numbers


PROPERTY_INPUTS = property_inputs()
PROPERTY_OUT = link(*PROPERTY_INPUTS)


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_output_invariant_to_row_order(rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = []
    for table in PROPERTY_INPUTS:
        order = list(range(table.num_rows))
        rnd.shuffle(order)
        shuffled.append(table.take(pa.array(order, pa.int64())))
    out = link(*shuffled)
    assert out.keys() == PROPERTY_OUT.keys()
    for name, table in out.items():
        assert table.equals(PROPERTY_OUT[name]), name
    assert_consistent(out, shuffled[0])


# --- features worked out a chunk of documents at a time ------------------------------------


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_features_worked_out_in_chunks_give_the_same_links(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    docs, counts, numbers = golden_inputs()
    assert docs.num_rows > chunk
    whole = link(docs, counts, numbers)
    monkeypatch.setattr(link_module, "FEATURE_CHUNK", chunk)
    chunked = link(docs, counts, numbers)
    assert whole["doc_links"].num_rows and all(whole[k].equals(chunked[k]) for k in whole)


@pytest.mark.corpus
def test_features_in_chunks_give_the_same_links_on_the_bbc_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = SHARED / "corpora" / "bbc"
    if not folder.exists():
        pytest.skip(f"needs the BBC corpus in {folder}, which is absent")
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted(folder.glob("*/*.txt"))]
    docs = documents([{"doc_id": f"{i:05d}", "clean_text": t} for i, t in enumerate(texts)])
    monkeypatch.setattr(link_module, "FEATURE_CHUNK", len(texts))
    whole = link(docs, empty("counts"), empty("numbers"))
    monkeypatch.setattr(link_module, "FEATURE_CHUNK", 333)
    chunked = link(docs, empty("counts"), empty("numbers"))
    assert all(whole[k].equals(chunked[k]) for k in whole)


PESHAWAR = "A suicide bomber killed 45 people at a crowded market in Peshawar on Monday, police said."
QUETTA = "A second bomb in three days killed 22 people at the main bus station in Quetta on Wednesday, officials said."
QUETTA_TOLL = "At least 23 people died in the blast at the main bus station in Quetta, a hospital official said."
RECAP = (
    "The attacks are the deadliest in the country this year. The government has ordered extra checkpoints on "
    "the roads into both cities and closed the schools for the rest of the week, the interior minister said."
)


def test_two_events_under_one_headline_are_two_facts() -> None:
    """One story, two bombings: their tolls are two facts, and only the two tolls of one bombing conflict."""
    texts = {
        "a": f"{PESHAWAR} {RECAP}",
        "b": f"{QUETTA} It followed Monday's attack, when {PESHAWAR[0].lower()}{PESHAWAR[1:]} {RECAP}",
        "c": f"{QUETTA_TOLL} {RECAP}",
    }
    day = dt.date(2021, 3, 3)
    docs = documents(
        [
            {"doc_id": d, "clean_text": t, "published_date": day, "title": "SECOND PAKISTAN BOMBING KILLS 22"}
            for d, t in texts.items()
        ]
    )

    def at(doc_id: str, number: float, word: str, sentence: str) -> dict:
        start = texts[doc_id].index(sentence) + sentence.index(word)
        return {"doc_id": doc_id, "start": start, "end": start + len(word) + 7, "count_type": "KILL",
                "number": number, "object": "people", "qualifier": "exact"}

    counts = rows_table(
        "counts",
        [
            at("a", 45, "45", PESHAWAR),
            at("b", 22, "22", QUETTA),
            at("b", 45, "45", PESHAWAR[1:]),
            at("c", 23, "23", QUETTA_TOLL),
        ],
    )
    out = link(docs, counts, empty("numbers"))
    assert out["stories"].num_rows == 1  # one headline, one story
    kill = sorted(
        ((f["values"], f["doc_ids"], f["conflicting"]) for f in out["facts"].to_pylist()), key=lambda f: min(f[0])
    )
    assert kill == [([22.0, 23.0], ["b", "c"], True), ([45.0, 45.0], ["a", "b"], False)]
    assert_consistent(out, docs)


def test_the_first_pass_in_worker_processes_gives_the_same_links(seeds, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Chunks of texts sent to spawned worker processes, in order: the same links, stories and facts."""
    from concurrent.futures import ProcessPoolExecutor

    docs, counts, numbers = seeds
    # Reworded copies of the seeds (distinct texts) make several chunks of two documents each.
    copies = [
        pa.table(
            {
                **{name: docs[name] for name in docs.column_names},
                "doc_id": pa.array([f"{d}-{k}" for d in docs["doc_id"].to_pylist()]),
                "clean_text": pa.array([f"{t}\nCopy {k}." for t in docs["clean_text"].to_pylist()]),
            }
        ).select(docs.column_names)
        for k in (1, 2)
    ]
    more = pa.concat_tables([docs, *copies])
    monkeypatch.setattr(link_module, "FEATURE_CHUNK", 2)
    monkeypatch.setattr(link_module, "PARALLEL_MIN_CHUNKS", 2)
    submitted = []
    real_submit = ProcessPoolExecutor.submit
    monkeypatch.setattr(ProcessPoolExecutor, "submit", lambda self, *a: submitted.append(1) or real_submit(self, *a))
    serial = link(more, counts, numbers, workers=1)
    assert not submitted
    parallel = link(more, counts, numbers, workers=2)
    assert len(submitted) == 8  # 15 texts, two per chunk: every chunk went to a worker process
    for name in ("doc_links", "stories", "facts", "doc_story", "suggestions"):
        assert parallel[name].equals(serial[name]), name
    assert serial["doc_links"].num_rows > 0
