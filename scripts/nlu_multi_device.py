"""Writes nlu/intents/<lang>/multi_device.yml: messages naming two or three devices where the one
that fails decides the category (../shared/NLU-LABELS.md), in both orders and with the working
devices first. Deterministic (seeded); re-run after changing the lists: `python scripts/nlu_multi_device.py`.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_CATEGORY = 34

DEVICES = {
    "de": {
        "phone": [
            "mein Handy",
            "das iPhone",
            "mein Samsung",
            "das Pixel",
            "das Tablet",
            "das iPad",
            "mein Xiaomi",
            "das Smartphone von meiner Frau",
            "mein Galaxy",
            "das Diensthandy",
        ],
        "pc": [
            "der Laptop",
            "mein Rechner",
            "der PC",
            "das MacBook",
            "der Drucker",
            "das ThinkPad",
            "der alte Computer",
            "der Laptop von der Arbeit",
            "der iMac",
            "der Epson",
        ],
        "tv": [
            "der Fernseher",
            "der Smart-TV",
            "der Fire TV Stick",
            "der LG",
            "die Glotze",
            "der Samsung Fernseher",
            "die MagentaTV Box",
            "der Chromecast",
            "das Apple TV",
            "der Receiver",
        ],
    },
    "en": {
        "phone": [
            "my phone",
            "the iPhone",
            "my Samsung",
            "the Pixel",
            "the tablet",
            "the iPad",
            "my Xiaomi",
            "my wife's phone",
            "my Galaxy",
            "my work phone",
        ],
        "pc": [
            "the laptop",
            "my computer",
            "the PC",
            "the MacBook",
            "the printer",
            "the ThinkPad",
            "the old desktop",
            "my work laptop",
            "the iMac",
            "the Epson",
        ],
        "tv": [
            "the TV",
            "the smart TV",
            "the Fire TV stick",
            "the LG",
            "the telly",
            "the Samsung TV",
            "the MagentaTV box",
            "the Chromecast",
            "the Apple TV",
            "the receiver",
        ],
    },
}
FAULTS = {
    "de": {
        "phone": [
            "kommt nicht mehr ins WLAN",
            "findet das Netzwerk nicht",
            "sagt falsches Passwort beim WLAN",
            "lädt keine Seiten",
            "verliert dauernd die Verbindung",
            "geht nicht mehr an",
            "bekommt keine Mails mehr",
        ],
        "pc": [
            "kommt nicht ins Internet",
            "zeigt kein Internetzugriff",
            "findet das WLAN nicht",
            "ist offline",
            "verbindet sich nicht mehr",
            "startet nicht mehr",
            "holt keine Mails mehr ab",
        ],
        "tv": [
            "kommt nicht mehr ins WLAN",
            "sagt keine Netzwerkverbindung",
            "lädt Netflix nicht",
            "findet das WLAN nicht",
            "puffert ständig",
            "zeigt kein Bild",
            "hat keinen Ton mehr",
        ],
    },
    "en": {
        "phone": [
            "won't join the wifi",
            "can't find the network",
            "says wrong wifi password",
            "won't load any pages",
            "keeps dropping the connection",
            "won't turn on",
            "stopped getting emails",
        ],
        "pc": [
            "can't get online",
            "says no internet access",
            "doesn't see the wifi",
            "is offline",
            "won't connect anymore",
            "won't boot",
            "stopped fetching emails",
        ],
        "tv": [
            "won't join the wifi",
            "says no network connection",
            "won't load Netflix",
            "can't find the wifi",
            "keeps buffering",
            "shows no picture",
            "has no sound",
        ],
    },
}
TEMPLATES = {
    "de": [
        "{w1} und {w2} gehen ins Internet, nur {bad} {fault}",
        "bei {w1} läuft alles, {w2} auch, aber {bad} {fault}",
        "{bad} {fault}, {w1} und {w2} funktionieren ganz normal",
        "WLAN ist da, {w1} ist drin, nur {bad} {fault}",
        "{w1} geht, {bad} nicht: {fault_cap}",
        "nicht {w1} macht Probleme, sondern {bad}: {fault_cap}",
        "seit gestern: {bad} {fault}. {w1} hat aber ganz normal Internet",
        "komisch, {w1} und {w2} sind im WLAN aber {bad} {fault}",
    ],
    "en": [
        "{w1} and {w2} are online, only {bad} {fault}",
        "everything works on {w1}, {w2} too, but {bad} {fault}",
        "{bad} {fault}, {w1} and {w2} work fine",
        "wifi is there, {w1} is connected, just {bad} {fault}",
        "{w1} works, {bad} doesn't: it {fault}",
        "it's not {w1} that's the problem, it's {bad}, it {fault}",
        "since yesterday {bad} {fault}. {w1} is online as usual though",
        "weird, {w1} and {w2} are on the wifi but {bad} {fault}",
    ],
}
# Whole-home failures: several devices named, none of them is the cause.
HOME = {
    "de": [
        "{w1}, {w2} und {w3}: alle ohne Internet, der Router blinkt",
        "weder {w1} noch {w2} kommen ins WLAN, auch {w3} nicht",
        "{w1} offline, {w2} offline, {w3} offline. Die FritzBox leuchtet rot",
    ],
    "en": [
        "{w1}, {w2} and {w3}: all without internet, the router is blinking",
        "neither {w1} nor {w2} gets on the wifi, {w3} neither",
        "{w1} offline, {w2} offline, {w3} offline. The FritzBox light is red",
    ],
}


def examples(lang: str, rng: random.Random) -> dict[str, list[str]]:
    devices, faults, out = DEVICES[lang], FAULTS[lang], {}
    for category in devices:
        others = [d for c, ds in devices.items() if c != category for d in ds]
        made: set[str] = set()
        while len(made) < PER_CATEGORY:
            bad, fault = rng.choice(devices[category]), rng.choice(faults[category])
            w1, w2 = rng.sample(others, 2)
            text = rng.choice(TEMPLATES[lang]).format(
                w1=w1,
                w2=w2,
                bad=bad,
                fault=fault,
                fault_cap=fault[0].upper() + fault[1:],
            )
            made.add(text[0].lower() + text[1:] if rng.random() < 0.5 else text[0].upper() + text[1:])
        out[category] = sorted(made)
    every = [d for ds in devices.values() for d in ds]
    home: set[str] = set()
    while len(home) < PER_CATEGORY // 2:
        w1, w2, w3 = rng.sample(every, 3)
        home.add(rng.choice(HOME[lang]).format(w1=w1, w2=w2, w3=w3))
    out["internet"] = sorted(home)
    return out


def main() -> None:
    rng = random.Random(13)
    for lang in ("de", "en"):
        lines = [
            'version: "3.1"',
            "# Generated by scripts/nlu_multi_device.py: two or three devices named, the failing one decides.",
            "nlu:",
        ]
        for category, texts in examples(lang, rng).items():
            lines += [f"- intent: problem_{category}", "  examples: |"] + [f"    - {t}" for t in texts]
        (ROOT / "nlu" / "intents" / lang / "multi_device.yml").write_text("\n".join(lines) + "\n", "utf-8")


if __name__ == "__main__":
    main()
