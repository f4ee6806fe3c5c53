"""Write the demo vacancies.json and trainings.json beside this script.

Run it again after changing the tables below: `python knowledge/data/make_demo_offers.py`.
The output is deterministic (a fixed random seed) and every date is relative to
REFERENCE_DATE. knowledge.imports.load_demo_offers moves all dates forward by the days that
have passed since then, so the offers stay current whenever the demo is loaded, and the few
written as expired stay expired.

Employers and training providers are invented and marked "(demo)"; any likeness to a real
firm is accidental. Occupation codes are ISCO-08 unit groups, which are also the first four
digits of the Polish KZiS codes. Pay is monthly gross PLN, set around what 2026 offers
publish, and never below the 2026 minimum wage of 4806 PLN for full-time work.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
REFERENCE_DATE = date(2026, 11, 23)
MINIMUM_WAGE = 4806
PER_REGION = 14
EXPIRED_REGIONS = ("02", "12", "14", "20", "22", "24", "30", "32")

SOURCES = [
    "Rozporządzenie Rady Ministrów z dnia 11 września 2025 r. w sprawie wysokości "
    "minimalnego wynagrodzenia za pracę oraz wysokości minimalnej stawki godzinowej w 2026 r.: "
    "4806 zł brutto a month (reported by gazetaprawna.pl, forsal.pl and tvn24.pl)",
    "Centralna Baza Ofert Pracy (https://oferty.praca.gov.pl): the kinds of offers, fields "
    "and wording that labour offices publish",
    "Klasyfikacja zawodów i specjalności (KZiS) and ISCO-08 (https://psz.praca.gov.pl, "
    "https://www.ilo.org/public/english/bureau/stat/isco): occupation codes",
    "Rejestr Instytucji Szkoleniowych (https://stor.praca.gov.pl) and the training pages of "
    "powiatowe urzędy pracy: the kinds of courses offices fund",
]

# occupation, ISCO-08 group, title variants, pay range (min, max), contract, working time
OCCUPATIONS = [
    ("Spawacz metodą MAG", "7212", ["Spawacz MAG", "Spawacz MAG – konstrukcje stalowe"],
     (6500, 9500), "umowa o pracę", "pełny etat"),
    ("Spawacz metodą TIG", "7212", ["Spawacz TIG", "Spawacz TIG – stal nierdzewna"],
     (7000, 10500), "umowa o pracę", "pełny etat"),
    ("Magazynier", "4321", ["Magazynier", "Magazynier z uprawnieniami UDT"],
     (4900, 6300), "umowa o pracę", "pełny etat, praca zmianowa"),
    ("Operator wózka widłowego", "8344", ["Operator wózka widłowego"],
     (5200, 6900), "umowa o pracę", "pełny etat, praca zmianowa"),
    ("Kierowca kat. C+E", "8332", ["Kierowca C+E – transport krajowy",
     "Kierowca C+E – transport międzynarodowy"], (7500, 12000), "umowa o pracę", "pełny etat"),
    ("Kierowca kat. B – kurier", "8322", ["Kurier z samochodem firmowym"],
     (5000, 7000), "umowa o pracę", "pełny etat"),
    ("Sprzedawca", "5223", ["Sprzedawca w sklepie spożywczym", "Sprzedawca – kasjer"],
     (4806, 5900), "umowa o pracę", "pełny etat"),
    ("Opiekunka osób starszych", "5322", ["Opiekunka osób starszych",
     "Opiekun osoby starszej w domu pomocy"], (4806, 6200), "umowa o pracę", "pełny etat"),
    ("Pielęgniarka", "2221", ["Pielęgniarka na oddział internistyczny",
     "Pielęgniarka w zakładzie opiekuńczo-leczniczym"], (7800, 10500), "umowa o pracę",
     "pełny etat, dyżury"),
    ("Programista", "2512", ["Programista Python", "Programista Java", "Młodszy programista"],
     (10000, 19000), "umowa o pracę", "pełny etat, praca hybrydowa"),
    ("Księgowa", "4311", ["Księgowa", "Samodzielna księgowa"],
     (6500, 9500), "umowa o pracę", "pełny etat"),
    ("Kucharz", "5120", ["Kucharz", "Kucharz kuchni polskiej"],
     (5200, 7200), "umowa o pracę", "pełny etat, praca zmianowa"),
    ("Pomoc kuchenna", "9412", ["Pomoc kuchenna"], (4806, 5300), "umowa o pracę", "pełny etat"),
    ("Elektryk", "7411", ["Elektryk z uprawnieniami SEP", "Elektryk budowlany"],
     (6500, 9200), "umowa o pracę", "pełny etat"),
    ("Monter instalacji fotowoltaicznych", "7411", ["Monter instalacji fotowoltaicznych"],
     (6000, 8500), "umowa o pracę", "pełny etat, praca w terenie"),
    ("Mechanik samochodowy", "7231", ["Mechanik samochodowy", "Mechanik pojazdów ciężarowych"],
     (6000, 9000), "umowa o pracę", "pełny etat"),
    ("Murarz", "7112", ["Murarz", "Murarz-tynkarz"], (6500, 9000), "umowa o pracę", "pełny etat"),
    ("Stolarz", "7522", ["Stolarz meblowy"], (5500, 7600), "umowa o pracę", "pełny etat"),
    ("Operator maszyn CNC", "7223", ["Operator centrum obróbczego CNC"],
     (6500, 9000), "umowa o pracę", "pełny etat, praca zmianowa"),
    ("Pracownik produkcji", "9329", ["Pracownik produkcji", "Pracownik linii pakowania"],
     (4900, 6000), "umowa o pracę", "pełny etat, praca zmianowa"),
    ("Sprzątaczka", "9112", ["Sprzątaczka biurowa", "Pracownik utrzymania czystości"],
     (4806, 5200), "umowa o pracę", "pełny etat"),
    ("Konsultant infolinii", "4222", ["Konsultant infolinii z językiem ukraińskim",
     "Konsultant infolinii"], (5000, 6500), "umowa o pracę", "pełny etat"),
    ("Fizjoterapeuta", "2264", ["Fizjoterapeuta"], (6500, 9500), "umowa o pracę", "pełny etat"),
    ("Hydraulik", "7126", ["Hydraulik – instalacje wod-kan"], (6500, 9000), "umowa o pracę",
     "pełny etat"),
    ("Pracownik ochrony", "5414", ["Pracownik ochrony obiektu"], (4806, 5700), "umowa o pracę",
     "pełny etat, praca zmianowa"),
    ("Fryzjer", "5141", ["Fryzjer damsko-męski"], (5000, 7000), "umowa o pracę", "pełny etat"),
    ("Kelner", "5131", ["Kelner", "Kelner – restauracja hotelowa"], (4806, 5900),
     "umowa o pracę", "pełny etat, praca zmianowa"),
    ("Piekarz", "7512", ["Piekarz"], (5200, 6900), "umowa o pracę", "pełny etat, praca nocna"),
    ("Recepcjonista", "4224", ["Recepcjonista hotelowy"], (4900, 6000), "umowa o pracę",
     "pełny etat, praca zmianowa"),
    ("Opiekunka dziecięca", "5311", ["Opiekunka w żłobku"], (4806, 5800), "umowa o pracę",
     "pełny etat"),
]  # fmt: skip
CORE = ("Spawacz metodą MAG", "Magazynier", "Kierowca kat. C+E", "Sprzedawca")

# A few offers are part time, on a civil-law contract or a replacement contract.
OTHER_TERMS = [
    ("umowa zlecenie", "3/4 etatu"),
    ("umowa o pracę na zastępstwo", "pełny etat"),
    ("umowa o pracę", "1/2 etatu"),
]

EMPLOYER_STEMS = {
    "7212": ["Stalmont", "Konstal", "Metalbud", "Spaw-Tech"],
    "4321": ["Logis", "Magazyny Centralne", "Hurtpol", "Skład-Trans"],
    "8344": ["Logis", "Paletpol", "Hurtpol"],
    "8332": ["Trans-Wiśl", "Euro-Cargo", "Autotrans", "Spedpol"],
    "8322": ["Szybka Paczka", "Kurier Lokalny"],
    "5223": ["Sklepy Sąsiedzkie", "Market Pod Lipą", "Delikatesy Rynek"],
    "5322": ["Dom Seniora Pogodna Jesień", "Opieka Domowa Razem"],
    "2221": ["Szpital Powiatowy", "Centrum Medyczne Zdrowie", "ZOL Przystań"],
    "2512": ["Softwerk", "Kodlab", "Datapol", "Bitwise Studio"],
    "4311": ["Biuro Rachunkowe Bilans", "Rachmistrz", "Księgi i Podatki"],
    "5120": ["Restauracja Pod Dębem", "Gospoda Smaki Regionu", "Hotel Centrum"],
    "9412": ["Stołówka Zakładowa Smak", "Restauracja Pod Dębem"],
    "7411": ["Elektromont", "Volt-Instal", "Energo-Serwis"],
    "7223": ["Precyzja CNC", "Metalobróbka", "Frezpol"],
    "7231": ["Auto-Serwis", "Moto-Naprawa", "Serwis Ciężarowy"],
    "7112": ["Budomex", "Domy Solidne", "Bud-Rem"],
    "7522": ["Meble Dąb", "Stolarnia Słoje"],
    "9329": ["Fabryka Opakowań", "Zakłady Mięsne Smakosz", "Przetwórnia Owoców"],
    "9112": ["Czysty Dom", "Serwis Sprzątający Blask"],
    "4222": ["Contact Center Linia", "Infolinia Serwis"],
    "2264": ["Rehabilitacja Ruch", "Centrum Medyczne Zdrowie"],
    "7126": ["Hydro-Instal", "Wod-Kan Serwis"],
    "5414": ["Ochrona Straż", "Agencja Ochrony Tarcza"],
    "5141": ["Salon Fryzjerski Nożyczki"],
    "5131": ["Restauracja Pod Dębem", "Hotel Centrum"],
    "7512": ["Piekarnia Złoty Kłos", "Piekarnia Rodzinna"],
    "4224": ["Hotel Centrum", "Hotel Nad Rzeką"],
    "5311": ["Żłobek Miejski Maluch", "Klub Dziecięcy Bajka"],
}
LEGAL_FORMS = ["sp. z o.o.", "S.A.", "sp. j.", "s.c."]

REQUIREMENTS = {
    "7212": "Wymagamy uprawnień spawalniczych i czytania rysunku technicznego.",
    "4321": "Wymagamy dokładności; uprawnienia UDT na wózki będą atutem.",
    "8344": "Wymagamy uprawnień UDT na wózki jezdniowe.",
    "8332": "Wymagamy prawa jazdy C+E, kwalifikacji zawodowej i karty kierowcy.",
    "8322": "Wymagamy prawa jazdy kategorii B i znajomości okolicy.",
    "5223": "Wymagamy uprzejmości; doświadczenie w handlu nie jest konieczne.",
    "5322": "Wymagamy cierpliwości i empatii; kurs opiekuna będzie atutem.",
    "2221": "Wymagamy prawa wykonywania zawodu pielęgniarki.",
    "2512": "Wymagamy znajomości języka programowania i pracy z Git.",
    "4311": "Wymagamy znajomości przepisów podatkowych i programu księgowego.",
    "5120": "Wymagamy doświadczenia w kuchni i aktualnych badań sanitarno-epidemiologicznych.",
    "9412": "Wymagamy aktualnych badań sanitarno-epidemiologicznych.",
    "7411": "Wymagamy świadectwa kwalifikacji SEP do 1 kV.",
    "7223": "Wymagamy znajomości obsługi maszyn CNC i rysunku technicznego.",
    "7231": "Wymagamy doświadczenia w naprawie pojazdów.",
    "7112": "Wymagamy doświadczenia na budowie.",
    "7522": "Wymagamy doświadczenia w obróbce drewna.",
    "9329": "Doświadczenie nie jest wymagane; zapewniamy przyuczenie.",
    "9112": "Doświadczenie nie jest wymagane.",
    "4222": "Wymagamy dobrej dykcji i obsługi komputera.",
    "2264": "Wymagamy prawa wykonywania zawodu fizjoterapeuty.",
    "7126": "Wymagamy doświadczenia w instalacjach wodno-kanalizacyjnych.",
    "5414": "Wpis na listę kwalifikowanych pracowników ochrony będzie atutem.",
    "5141": "Wymagamy dyplomu lub doświadczenia w zawodzie fryzjera.",
    "5131": "Wymagamy komunikatywności; znajomość języka angielskiego będzie atutem.",
    "7512": "Wymagamy aktualnych badań sanitarno-epidemiologicznych.",
    "4224": "Wymagamy znajomości języka angielskiego.",
    "5311": "Wymagamy kwalifikacji opiekuna w żłobku.",
}
OFFERS = [
    "Oferujemy stabilne zatrudnienie i szkolenie stanowiskowe.",
    "Oferujemy dofinansowanie dojazdów i premię za frekwencję.",
    "Oferujemy pakiet medyczny i możliwość rozwoju.",
    "Oferujemy stałe godziny pracy i dobrą atmosferę.",
]

# title, hours, cost PLN, languages
TRAININGS = [
    ("Spawanie metodą MAG (135) z egzaminem", 160, 5200, ["pl"]),
    ("Operator wózków jezdniowych z egzaminem UDT", 60, 1400, ["pl", "uk"]),
    ("Prawo jazdy kat. C z kwalifikacją wstępną", 320, 9800, ["pl"]),
    ("Opiekun osoby starszej", 120, 2100, ["pl", "uk"]),
    ("Księgowość z obsługą programu kadrowo-płacowego", 150, 3600, ["pl"]),
    ("Podstawy programowania w Pythonie", 160, 6500, ["pl", "en"]),
    ("Język polski dla cudzoziemców – poziom A2", 100, 1800, ["pl", "uk", "ro"]),
    ("Uprawnienia elektryczne SEP do 1 kV", 40, 900, ["pl"]),
    ("Kucharz – kurs zawodowy", 180, 3900, ["pl"]),
    ("Montaż instalacji fotowoltaicznych", 80, 3200, ["pl"]),
    ("Kompetencje cyfrowe – praca z komputerem", 60, 1200, ["pl", "uk"]),
    ("Język angielski w pracy – poziom B1", 120, 2400, ["pl", "en"]),
    ("Pracownik ochrony – przygotowanie do wpisu na listę", 100, 2300, ["pl"]),
    ("Barista z elementami obsługi klienta", 40, 1300, ["pl", "ro"]),
]
TRAINING_PROVIDERS = [
    "Centrum Kształcenia Zawodowego Fach", "Akademia Umiejętności Progres",
    "Ośrodek Szkoleniowy Kwalifikacje", "Szkoła Zawodowa dla Dorosłych Warsztat",
]  # fmt: skip


def load_places() -> dict[str, list[dict[str, str]]]:
    """Return the places of each region from regions.json."""
    document = json.loads((HERE / "regions.json").read_text(encoding="utf-8"))
    return {region["code"]: region["places"] for region in document["regions"]}


def load_offices() -> dict[str, str]:
    """Return the demo office code of each region from offices.json."""
    document = json.loads((HERE / "offices.json").read_text(encoding="utf-8"))
    return {office["region_code"]: office["code"] for office in document["offices"]}


def pay(rng: random.Random, low: int, high: int) -> tuple[int, int]:
    """Return a plausible pay range inside low..high, rounded to 100 PLN."""
    start = max(MINIMUM_WAGE, round(rng.uniform(low, (low + high) / 2) / 100) * 100)
    end = round(rng.uniform(start + 300, high) / 100) * 100
    return start, max(end, start + 300)


def vacancies(rng: random.Random) -> list[dict[str, object]]:
    """Return the demo vacancies, PER_REGION current ones in every region and a few expired."""
    places, offices = load_places(), load_offices()
    by_name = {row[0]: row for row in OCCUPATIONS}
    result = []
    for region_code in sorted(places):
        others = [row[0] for row in OCCUPATIONS if row[0] not in CORE]
        chosen = list(CORE) + rng.sample(others, PER_REGION - len(CORE))
        expired = 1 if region_code in EXPIRED_REGIONS else 0
        for number, name in enumerate(chosen + chosen[:expired], start=1):
            occupation, code, titles, (low, high), contract, working_time = by_name[name]
            if rng.random() < 0.12:
                contract, working_time = rng.choice(OTHER_TERMS)
            place = rng.choice(places[region_code][:8])
            is_expired = number > PER_REGION
            posted = REFERENCE_DATE - timedelta(days=rng.randint(60, 90) if is_expired
                                                else rng.randint(1, 40))  # fmt: skip
            expires = (REFERENCE_DATE - timedelta(days=rng.randint(1, 20)) if is_expired
                       else REFERENCE_DATE + timedelta(days=rng.randint(14, 75)))  # fmt: skip
            wage_min, wage_max = pay(rng, low, high)
            if "1/2" in working_time or "3/4" in working_time:
                share = 0.5 if "1/2" in working_time else 0.75
                wage_min = int(round(wage_min * share, -1))
                wage_max = int(round(wage_max * share, -1))
            employer = f"{rng.choice(EMPLOYER_STEMS[code])} {rng.choice(LEGAL_FORMS)} (demo)"
            description = " ".join([
                f"{occupation}, {place['name']}.", REQUIREMENTS[code], rng.choice(OFFERS),
                "Oferta demonstracyjna; w sprawie pracy skontaktuj się z urzędem pracy "
                "i podaj numer oferty.",
            ])  # fmt: skip
            vacancy: dict[str, object] = {
                "external_id": f"DEMO-{region_code}-{number:03d}",
                "title": rng.choice(titles),
                "occupation": occupation,
                "occupation_code": code,
                "employer": employer,
                "city": place["name"],
                "county": place["county"],
                "region": region_code,
                "office_code": offices[region_code],
                "wage_min": int(wage_min),
                "wage_max": int(wage_max),
                "contract_type": contract,
                "working_time": working_time,
                "posted_on": posted.isoformat(),
                "expires_on": expires.isoformat(),
                "description": description,
            }
            if rng.random() < 0.1:
                del vacancy["wage_max"]
            result.append(vacancy)
    return result


def trainings(rng: random.Random) -> list[dict[str, object]]:
    """Return about 40 demo training offers, 2 or 3 per region, a few already closed."""
    places = load_places()
    result = []
    for index, region_code in enumerate(sorted(places)):
        count = 3 if index % 2 == 0 else 2
        for number, (title, hours, cost, languages) in enumerate(
            rng.sample(TRAININGS, count), start=1
        ):
            place = places[region_code][0] if number == 1 else rng.choice(places[region_code][:6])
            closed = number == 2 and index % 5 == 0
            starts = REFERENCE_DATE + timedelta(
                days=rng.randint(-20, -5) if closed else rng.randint(10, 70)
            )
            ends = starts + timedelta(days=max(5, hours // 6) + rng.randint(0, 10))
            deadline = starts - timedelta(days=rng.randint(3, 10))
            funded = rng.random() < 0.85
            result.append({
                "external_id": f"DEMO-SZK-{region_code}-{number:02d}",
                "title": title,
                "provider": f"{rng.choice(TRAINING_PROVIDERS)} (demo)",
                "region": region_code,
                "city": place["name"],
                "starts_on": starts.isoformat(),
                "ends_on": ends.isoformat(),
                "registration_deadline": deadline.isoformat(),
                "hours": hours,
                "cost_pln": cost,
                "funded": funded,
                "languages": languages,
                "description": (
                    f"{title}, {hours} godzin, {place['name']}. "
                    + ("Dla osób skierowanych przez urząd pracy kurs jest bezpłatny. "
                       if funded else "Kurs płatny; zapytaj w urzędzie o dofinansowanie. ")
                    + "Oferta demonstracyjna."
                ),
            })  # fmt: skip
    return result


def write(name: str, key: str, items: list[dict[str, object]], about: str) -> None:
    """Write one demo file with its sources, one record per line."""
    head = {"_about": about, "sources": SOURCES, "reference_date": REFERENCE_DATE.isoformat()}
    lines = json.dumps(head, ensure_ascii=False, indent=2)[:-2]
    body = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in items)
    text = f'{lines},\n  "{key}": [\n{body}\n  ]\n}}\n'
    assert json.loads(text)[key] == items
    (HERE / name).write_text(text, encoding="utf-8")


def main() -> None:
    """Write both files."""
    rng = random.Random(2026)
    found = vacancies(rng)
    write(
        "vacancies.json", "vacancies", found,
        "Demo vacancies for every voivodeship, written by make_demo_offers.py; do not edit by "
        "hand. Employers are invented and marked (demo). Dates are relative to reference_date "
        "and are moved forward on loading, so offers stay current; the ones that expire before "
        "reference_date prove that expired offers are left out.",
    )  # fmt: skip
    write(
        "trainings.json", "trainings", trainings(rng),
        "Demo training offers, 2 or 3 per voivodeship, written by make_demo_offers.py; do not "
        "edit by hand. Providers are invented and marked (demo). Dates are relative to "
        "reference_date and move forward on loading; a few have closed registration.",
    )  # fmt: skip
    print(f"{len(found)} vacancies written")


if __name__ == "__main__":
    main()
