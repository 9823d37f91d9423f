#!/usr/bin/env python3
"""Writes fuzz/dict/<target>.dict: the words each fuzz target's code compares its input with.

libFuzzer splices dictionary entries into inputs, so a tag name, a feed element or a month name
the parser looks for is one mutation away instead of many. The entries are the string literals of
the code each target reaches (Herald's own modules and the parsing crates, located with
`cargo metadata`), regular expressions split into their words, plus the HTML element names for the
page target. Run it again after upgrading those crates:

    scripts/fuzz-dict.py
"""

import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Per target: Herald paths (files or folders) and crates whose sources are read.
TARGETS = {
    "page": {
        "herald": ["src/extract", "src/sources/parse/page.rs", "src/sources/charset.rs"],
        "crates": ["rs-trafilatura", "dom_smoothie"],
        "html": True,
    },
    "feed": {
        "herald": ["src/sources/parse/feed.rs", "src/sources/parse/timestamp.rs"],
        "crates": ["feed-rs"],
        "html": False,
        "xml": True,
    },
    "json": {
        "herald": ["src/sources/parse/json.rs", "src/sources/parse/timestamp.rs"],
        "crates": [],
        "html": False,
        "json": True,
    },
    "facts": {"herald": ["src/engine"], "crates": [], "html": False},
    "charset": {"herald": ["src/sources/charset.rs"], "crates": [], "html": True},
}

HTML_ELEMENTS = """a abbr address area article aside audio b base bdi bdo blockquote body br button
canvas caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed
fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img
input ins kbd label legend li link main map mark menu meta meter nav noscript object ol optgroup
option output p picture pre progress q rp rt ruby s samp script search section select slot small
source span strong style sub summary sup table tbody td template textarea tfoot th thead time
title tr track u ul var video wbr svg math""".split()

HTML_TOKENS = ["<!DOCTYPE html>", "<!--", "-->", "<![CDATA[", "]]>", "=\"", "\" ", "/>",
               "&amp;", "&nbsp;", "&#", "&#x", "charset=", "http-equiv", "content="]

XML_TOKENS = ['<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0">', "<![CDATA[", "]]>",
              'xmlns="http://www.w3.org/2005/Atom"', 'xmlns:dc="http://purl.org/dc/elements/1.1/"',
              'rel="hub"', 'href="', "&amp;", "&#"]

# The json target's fixed fields, and the syntax around them.
JSON_TOKENS = ['"data"', '"items"', '"title"', '"body"', '"link"', '"id"', '"ts"', '":', '":"',
               '{"data":{"items":[', "]}}", "true", "false", "null", "\\u00", "1e999", "-0.0",
               "2018-07-16T12:00:00Z"]

STRING = re.compile(r'r(#*)"(.*?)"\1|"((?:[^"\\]|\\.)*)"', re.S)
CHAR = re.compile(r"'(?:\\.|[^\\'\n])'")
REGEX_HINT = re.compile(r"\\[bBsSdDwW]|\(\?|\[\^|\|.*\||\\\.")
WORD = re.compile(r"[A-Za-z][A-Za-z_-]{2,}")


def crate_sources(names, meta):
    used = {node["id"] for node in meta["resolve"]["nodes"]}
    found = {}
    for package in meta["packages"]:
        if package["name"] in names and package["id"] in used:
            found.setdefault(package["name"], []).append(
                pathlib.Path(package["manifest_path"]).parent / "src")
    missing = set(names) - set(found)
    if missing:
        sys.exit(f"not in fuzz/Cargo.lock: {', '.join(sorted(missing))}")
    return [path for paths in found.values() for path in paths]


def rust_files(paths):
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*.rs"))
        elif path.exists():
            yield path
        else:
            sys.exit(f"no such file: {path} (update TARGETS in scripts/fuzz-dict.py)")


def unescape(text):
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}

    def one(match):
        body = match.group(1)
        if body in simple:
            return simple[body]
        if body.startswith("u{"):
            return chr(int(body[2:-1], 16))
        if body.startswith("x"):
            return chr(int(body[1:], 16))
        return ""

    return re.sub(r"\\(u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|\n\s*|.)", one, text)


def literals(source):
    # A quote in a char literal ('"') would pair the strings around it the wrong way.
    source = CHAR.sub("' '", source)
    for match in STRING.finditer(source):
        raw = match.group(2) is not None
        text = match.group(2) if raw else unescape(match.group(3))
        if REGEX_HINT.search(text):
            yield from WORD.findall(re.sub(r"\\[A-Za-z]", " ", text))
        elif 2 <= len(text) <= 32 and text.strip():
            yield text
        elif len(text) > 32:
            yield from WORD.findall(text)


def entry(token):
    data = token.encode("utf-8")
    out = []
    for byte in data:
        if 0x20 <= byte < 0x7F and byte not in (0x22, 0x5C):
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02X}")
    return '"' + "".join(out) + '"'


def main():
    out_dir = ROOT / "fuzz/dict"
    out_dir.mkdir(exist_ok=True)
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked",
         "--manifest-path", str(ROOT / "fuzz/Cargo.toml")]))
    for target, spec in TARGETS.items():
        paths = [ROOT / p for p in spec["herald"]] + crate_sources(spec["crates"], meta)
        tokens = set()
        for file in rust_files(paths):
            if "test" in file.stem:
                continue
            source = file.read_text(encoding="utf-8", errors="replace")
            # Unit tests come last in a file and compare with their own fixtures: not input words.
            tokens.update(literals(source.split("#[cfg(test)]")[0]))
        if spec.get("xml"):
            tokens.update(XML_TOKENS)
            for name in [t for t in tokens if re.fullmatch(r"[A-Za-z][A-Za-z0-9:_-]*", t)]:
                tokens.update((f"<{name}>", f"</{name}>"))
        if spec.get("json"):
            tokens.update(JSON_TOKENS)
        if spec["html"]:
            tokens.update(HTML_TOKENS)
            for name in HTML_ELEMENTS:
                tokens.update((f"<{name}", f"</{name}>"))
        tokens = sorted(t for t in tokens if 0 < len(t.encode("utf-8")) <= 64 and "\n" not in t)
        lines = [f"# {target}: {len(tokens)} entries, written by scripts/fuzz-dict.py"]
        lines += [entry(t) for t in tokens]
        (out_dir / f"{target}.dict").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{target}: {len(tokens)} entries")


if __name__ == "__main__":
    main()
