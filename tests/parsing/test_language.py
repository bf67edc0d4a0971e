"""Language tags normalised, and guessed from text only when the guess is sure."""

from __future__ import annotations

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from monitor.parsing import detect_language, normalize_language
from monitor.parsing.language import EU_LANGUAGES, LANGUAGES
from monitor.rules.lemmas import LEMMA_LANGUAGES
from monitor.rules.stemming import ALGORITHMS


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("fr_FR", "fr"),
        (" DE ", "de"),
        ("uk-UA", "uk"),
        ("zh-Hans-CN", "zh"),
        ("", None),
        (None, None),
        ("english", None),
        ("x", None),
    ],
)
def test_normalize_language(tag: str | None, expected: str | None):
    assert normalize_language(tag) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Завод в Алабуге выпускает беспилотники «Герань-2» для российской армии.", "ru"),
        ("Завод в Алабузі випускає безпілотники «Герань-2» для російської армії.", "uk"),
        ("L'usine d'Alabouga produit des drones Shahed pour l'armée russe depuis 2023.", "fr"),
        ("Die Fabrik in Alabuga stellt seit 2023 Shahed-Drohnen für die russische Armee her.", "de"),
        ("North Korea has shipped millions of artillery shells to Russia by rail via Tumangang.", "en"),
        ("북한은 나선을 거쳐 러시아로 포탄을 보냈다고 전해졌다 열차 운송", "ko"),
        ("Rason", None),  # too short to tell
        ("12 345 678 — 2024", None),
        ("", None),
    ],
)
def test_detect_language(text: str, expected: str | None):
    assert detect_language(text) == expected


NEWS = [
    # one news sentence in each language detection answers: the 24 EU languages first
    (
        "bg",
        "Русия е увеличила производството на дронове в завода в Алабуга с "
        "помощта на Иран, съобщават медиите.",
    ),
    (
        "hr",
        "Rusija je povećala proizvodnju dronova u tvornici u Alabugi uz pomoć "
        "Irana, izvijestili su mediji u srijedu.",
    ),
    (
        "cs",
        "Rusko s pomocí Íránu zvýšilo výrobu dronů v továrně v Alabuze, uvedla ve středu média.",
    ),
    (
        "da",
        "Rusland har øget produktionen af droner på fabrikken i Alabuga med "
        "hjælp fra Iran, skriver medierne.",
    ),
    (
        "nl",
        "Rusland heeft met hulp van Iran de productie van drones in de fabriek "
        "in Alabuga opgevoerd, melden media.",
    ),
    (
        "en",
        "Russia has stepped up drone production at the Alabuga factory with help from Iran, media reported.",
    ),
    (
        "et",
        "Venemaa on Iraani abiga suurendanud droonide tootmist Alabuga tehases,"
        " teatasid kolmapäeval meediaväljaanded.",
    ),
    (
        "fi",
        "Venäjä on lisännyt lennokkien tuotantoa Alabugan tehtaalla Iranin "
        "avulla, kertoivat tiedotusvälineet keskiviikkona.",
    ),
    (
        "fr",
        "La Russie a augmenté la production de drones dans l'usine d'Alabuga "
        "avec l'aide de l'Iran, selon les médias.",
    ),
    (
        "de",
        "Russland hat mit Hilfe des Iran die Produktion von Drohnen in der "
        "Fabrik in Alabuga gesteigert, berichten Medien.",
    ),
    (
        "el",
        "Η Ρωσία αύξησε την παραγωγή μη επανδρωμένων αεροσκαφών στο εργοστάσιο "
        "της Αλαμπούγκα με τη βοήθεια του Ιράν.",
    ),
    (
        "hu",
        "Oroszország Irán segítségével növelte a drónok gyártását az alabugai "
        "gyárban, számoltak be a médiumok szerdán.",
    ),
    (
        "ga",
        "Mhéadaigh an Rúis táirgeadh dróin sa mhonarcha in Alabuga le cabhair "
        "ón Iaráin, a dúirt na meáin inniu.",
    ),
    (
        "it",
        "La Russia ha aumentato la produzione di droni nella fabbrica di "
        "Alabuga con l'aiuto dell'Iran, riferiscono i media.",
    ),
    (
        "lv",
        "Krievija ar Irānas palīdzību ir palielinājusi dronu ražošanu Alabugas "
        "rūpnīcā, trešdien ziņoja plašsaziņas līdzekļi.",
    ),
    (
        "lt",
        "Rusija, padedama Irano, padidino dronų gamybą Alabugos gamykloje, trečiadienį pranešė žiniasklaida.",
    ),
    (
        "mt",
        "Ir-Russja żiedet il-produzzjoni tad-droni fil-fabbrika ta' Alabuga bl-"
        "għajnuna tal-Iran, irrappurtaw il-midja.",
    ),
    (
        "pl",
        "Rosja zwiększyła produkcję dronów w fabryce w Ałabudze z pomocą Iranu, poinformowały w środę media.",
    ),
    (
        "pt",
        "A Rússia aumentou a produção de drones na fábrica de Alabuga com a "
        "ajuda do Irão, noticiaram os meios de comunicação.",
    ),
    (
        "ro",
        "Rusia a crescut producția de drone în fabrica de la Alabuga cu "
        "ajutorul Iranului, au relatat miercuri presa.",
    ),
    (
        "sk",
        "Rusko s pomocou Iránu zvýšilo výrobu dronov v továrni v Alabuge, informovali v stredu médiá.",
    ),
    (
        "sl",
        "Rusija je s pomočjo Irana povečala proizvodnjo dronov v tovarni v "
        "Alabugi, so v sredo poročali mediji.",
    ),
    (
        "es",
        "Rusia ha aumentado la producción de drones en la fábrica de Alabuga "
        "con la ayuda de Irán, informaron los medios.",
    ),
    (
        "sv",
        "Ryssland har med hjälp av Iran ökat produktionen av drönare vid "
        "fabriken i Alabuga, rapporterar medierna.",
    ),
    (
        "ru",
        "Россия с помощью Ирана нарастила производство беспилотников на заводе "
        "в Алабуге, сообщили в среду СМИ.",
    ),
    (
        "uk",
        "Росія за допомогою Ірану наростила виробництво безпілотників на заводі"
        " в Алабузі, повідомили в середу ЗМІ.",
    ),
    (
        "be",
        "Расія з дапамогай Ірана павялічыла вытворчасць беспілотнікаў на "
        "заводзе ў Алабузе, паведамілі ў сераду СМІ.",
    ),
    (
        "ar",
        "زادت روسيا إنتاج الطائرات المسيرة في مصنع ألابوغا بمساعدة إيران، بحسب "
        "ما أفادت وسائل الإعلام الأربعاء.",
    ),
    (
        "fa",
        "روسیه با کمک ایران تولید پهپاد در کارخانه آلابوگا را افزایش داده است، "
        "رسانه\u200cها روز چهارشنبه گزارش دادند.",
    ),
    (
        "tr",
        "Rusya, İran'ın yardımıyla Alabuga'daki fabrikada insansız hava aracı "
        "üretimini artırdı, medya çarşamba günü bildirdi.",
    ),
    ("zh", "据媒体周三报道，俄罗斯在伊朗的帮助下扩大了阿拉布加工厂的无人机生产。"),
    ("ja", "ロシアはイランの支援を受けて、アラブガの工場で無人機の生産を拡大したと報じられた。"),
    ("ko", "러시아는 이란의 도움을 받아 알라부가 공장에서 무인기 생산을 늘렸다고 언론이 수요일 보도했다."),
    (
        "ca",
        "Rússia ha augmentat la producció de drons a la fàbrica d'Alabuga amb "
        "l'ajuda de l'Iran, segons els mitjans.",
    ),
    (
        "no",
        "Russland har økt produksjonen av droner ved fabrikken i Alabuga med "
        "hjelp fra Iran, melder mediene onsdag.",
    ),
    (
        "sr",
        "Русија је уз помоћ Ирана повећала производњу дронова у фабрици у Алабуги, јавили су у среду медији.",
    ),
    (
        "he",
        "רוסיה הגדילה את ייצור הרחפנים במפעל באלבוגה בסיוע איראן, כך דיווחו כלי התקשורת ביום רביעי.",
    ),
    (
        "hi",
        "ईरान की मदद से रूस ने अलाबुगा के कारखाने में ड्रोन का उत्पादन बढ़ाया है, मीडिया ने बुधवार को बताया।",
    ),
    (
        "id",
        "Rusia telah meningkatkan produksi drone di pabrik Alabuga dengan "
        "bantuan Iran, media melaporkan pada hari Rabu.",
    ),
]


@pytest.mark.parametrize(("language", "text"), NEWS, ids=[language for language, _ in NEWS])
def test_every_supported_language_is_detected(language: str, text: str) -> None:
    assert detect_language(text) == language


def test_the_table_covers_every_language_detection_answers() -> None:
    assert {language for language, _ in NEWS} >= set(EU_LANGUAGES) | {"ru", "uk", "be", "ar", "fa", "tr"}
    assert {language for language, _ in NEWS} >= {"zh", "ja", "ko"}


def test_detection_covers_every_language_the_analysis_stems_or_lemmatizes() -> None:
    model = set(LanguageIdentifier.from_model_file(MODEL_FILE).nb_classes)  # all the model knows
    analysed = (set(ALGORITHMS) | set(LEMMA_LANGUAGES)) & model
    assert analysed <= set(LANGUAGES)
