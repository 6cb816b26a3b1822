"""Write the mojibake golden corpus: tests/golden/clean/mojibake.json.

Run: ``.venv/bin/python scripts/mojibake_corpus.py`` (pure: reads nothing, writes one
file; the result is committed, so the tests never need this script).

Each source text (news sentences in many scripts: written for this corpus, plus lines
quoted from the shared BBC and Reuters corpora) is encoded as UTF-8 and decoded with a
wrong single-byte encoding, once and twice (the broken text encoded as UTF-8 and
decoded wrongly again). Bytes an encoding leaves undefined decode as the C1 control of
the same number, as browsers and ftfy's "sloppy" codecs do. Documents mixing broken
and clean lines, the clean texts themselves, and clean texts that only look like
mojibake are added. See tests/golden/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs)

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "clean" / "mojibake.json"

#: (language, text): one or two news sentences per script or language.
SOURCES: list[tuple[str, str]] = [
    ("en-bbc", "The board values the club at £800m ($1.5bn), a source told the BBC."),
    ("en-bbc", "Inbev said pre-tax profits for 2004 rose 56% to 1.16bn euros ($1.5bn; £800m)."),
    ("en-reuters", "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought."),
    ("en", "The minister’s office said “no decision” had been taken — yet."),
    ("fr", "À Paris, l’été dernier, le café coûtait 2,50 € à la terrasse du théâtre."),
    ("fr", "Voilà le travail : les élèves ont reçu leurs diplômes à Liège."),
    ("de", "Die Straße in Köln wurde für 3,5 Mio. € saniert, sagte der Bürgermeister."),
    ("es", "El niño de Peñíscola ganó el año pasado; ¿quién será el próximo campeón?"),
    ("pt", "São Paulo e Brasília registraram chuvas acima da média em março."),
    ("it", "La città di Zamò ha già approvato il piano per l’università."),
    ("pl", "Łódź i Kraków: rząd zapowiedział zmiany w ustawie o ochronie środowiska."),
    ("cs", "Příliš žluťoučký kůň úpěl ďábelské ódy v Českých Budějovicích."),
    ("lt", "Vilniuje ir Kaune šį savaitgalį vyks Lietuvos krepšinio čempionatas."),
    ("tr", "İstanbul’da Şişli ve Beşiktaş belediyeleri ortak açıklama yaptı."),
    ("ru", "В Москве выпало 15 см снега, сообщили синоптики во вторник."),
    ("uk", "Київ отримав нову партію гуманітарної допомоги, повідомило міністерство."),
    ("el", "Η Αθήνα φιλοξένησε τη σύνοδο των υπουργών οικονομικών την Πέμπτη."),
    ("he", "ראש הממשלה נפגש היום עם שר האוצר בירושלים."),
    ("ar", "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في القاهرة."),
    ("zh", "日本語と中文：北京市政府周二宣布新的交通计划。"),
    ("ja", "東京都は火曜日、新しい防災計画を発表した。"),
    ("ko", "서울시는 화요일 새로운 교통 정책을 발표했다."),
    ("th", "กรุงเทพมหานครประกาศแผนการจราจรใหม่ในวันอังคาร"),
    ("hi", "भारत सरकार ने मंगलवार को नई शिक्षा नीति की घोषणा की।"),
    ("vi", "Hà Nội: Thủ tướng phát biểu tại hội nghị kinh tế sáng thứ Ba."),
]

#: Wrong decodings: the encoding names as copydesk's docs and the issue spell them.
ENCODINGS: dict[str, str] = {
    "windows-1252": "sloppy-windows-1252",
    "windows-1251": "sloppy-windows-1251",
    "windows-1250": "sloppy-windows-1250",
    "windows-1257": "sloppy-windows-1257",
    "mac_roman": "mac_roman",
    "cp437": "cp437",
    "latin-1": "latin-1",
}

#: Clean texts that only look like mojibake: each holds characters ftfy's heuristic
#: watches for (accents beside symbols, Cyrillic, Greek, box-free symbols, ordinals).
LOOKALIKES: list[tuple[str, str]] = [
    ("de", "Größe: 5 × 3 m, Preis 12,50 € — Straße in Köln."),
    ("pl", "Łódź i Kraków: 2 °C, wiatr ±5 km/h, opady 0,5 mm."),
    ("ru", "В Москве выпало 15 см снега; «Спартак» победил «Зенит» 2:1."),
    ("el", "Η Αθήνα φιλοξενεί το «Φεστιβάλ» για 3ο έτος, στους 25 °C."),
    ("pt", "São Paulo: o café custa R$ 5,00 e o pão 1,20 €."),
    ("fr", "Ça coûte 5 £ ou 6 € — voilà à peine de quoi déjeuner."),
    ("es", "El niño (¡de 5 años!) ganó el 3.º premio en Peñíscola."),
    ("tr", "İstanbul’da Şişli ve Beşiktaş’ta hava 3 °C, nem %80."),
    ("cs", "Příliš žluťoučký kůň úpěl ďábelské ódy — 1½ hodiny."),
    ("da", "Ærø, Øresund og Århus: 3½ time med færgen, 250 kr."),
    ("is", "Þingvellir og Ísafjörður eru á Íslandi."),
    ("vi", "Hà Nội: Thủ tướng Phạm Minh Chính phát biểu."),
    ("hi", "नमस्ते दुनिया, भारत सरकार ने घोषणा की।"),
    ("he", "שלום עולם, ירושלים 2020."),
    ("ar", "مرحبا بالعالم، القاهرة ٢٠٢٠."),
    ("en", "Prices rose ¼ point; the £5.8bn (€6.7bn) deal, ¥900 a share, closed at 10:00."),
    ("en", "The © 2020 Acme™ catalogue lists item № 5 at 3 ± 0.1 µm and 45° angles."),
    ("en", "Section § 4 ¶ 2 of the act sets a fee of ¢50 per page."),
    ("ja", "東京都の人口は約1400万人です。"),
    ("ko", "서울특별시 인구는 약 950만 명이다."),
    # These three even trip ftfy's heuristic, which then finds nothing to decode.
    ("fr", "La boutique Fiancé•Café ouvre samedi."),
    ("en", "Flats of 5 m²•10 m² each were sold."),
    ("ru", "ПРОДАЖА В«РОССИИ» ВЫРОСЛА НА 5%."),
]


def broken(text: str, encoding: str, times: int) -> str | None:
    """``text`` encoded as UTF-8 and decoded as ``encoding``, ``times`` times; None if impossible."""
    for _ in range(times):
        try:
            text = text.encode("utf-8").decode(ENCODINGS[encoding])
        except UnicodeDecodeError:
            return None
    return text


def cases() -> list[dict[str, str]]:
    """Every corpus case: label, kind, input and the clean text it came from."""
    out: list[dict[str, str]] = []
    for lang, text in SOURCES:
        out.append({"label": f"{lang} clean", "kind": "clean", "input": text, "original": text})
        for encoding in ENCODINGS:
            for times in (1, 2):
                bad = broken(text, encoding, times)
                if bad is None or bad == text:
                    continue
                label = f"{lang} as {encoding}" + (" twice" if times == 2 else "")
                out.append({"label": label, "kind": "broken", "input": bad, "original": text})
    # Mixed documents: a clean line, a broken one, and clean lines in other scripts.
    for k, (lang, text) in enumerate(SOURCES):
        encoding = list(ENCODINGS)[k % len(ENCODINGS)]
        bad = broken(text, encoding, 1)
        before, after = SOURCES[(k + 3) % len(SOURCES)][1], SOURCES[(k + 11) % len(SOURCES)][1]
        if bad is not None:
            out.append(
                {
                    "label": f"{lang} as {encoding} between clean lines",
                    "kind": "mixed",
                    "input": f"{before}\n\n{bad}\n\n{after}",
                    "original": f"{before}\n\n{text}\n\n{after}",
                }
            )
    for lang, text in LOOKALIKES:
        out.append({"label": f"{lang} lookalike", "kind": "lookalike", "input": text, "original": text})
    return out


def main() -> None:
    """Write the corpus file."""
    data = {
        "note": "Generated by scripts/mojibake_corpus.py; see tests/golden/README.md (clean/mojibake.json).",
        "cases": cases(),
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(data['cases'])} cases -> {OUT}")


if __name__ == "__main__":
    main()
