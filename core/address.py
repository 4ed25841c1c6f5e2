"""Where the helper rings: street and number, floor or doorbell name, a note, a Berlin postcode.

People type it the way they would on an envelope or in a message ("Musterstraße 12a, 3. OG,
Klingel Meyer", "karl-marx-allee 90 / hinterhaus", "Am Friedrichshain 3, 10407, bell: Novak");
`read_address` takes it apart, and refuses what has no street and number."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Final

#: An address is short; a longer text is a message, not an address.
MAX_TEXT: Final = 200

#: A house number ("12", "12a", "36-39", "12/14"), not an ordinal inside a street name ("17. Juni").
_NUMBER = re.compile(
    r"(?<=[\s.])(\d{1,4}(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:\s?[-/]\s?\d{1,4}[a-zA-Z]?)?)(?![\d.]|\s*\.\s*\w)"
)
#: How Berlin's street names end or begin ("…straße", "…damm", "Am …", "Alt-…"); English too.
_STREETLIKE = re.compile(
    r"(str(\.|a(ß|ss|s)e)?|allee|weg|platz|damm|ufer|ring|chaussee|gasse|pfad|steig|stieg|zeile|promenade|"
    r"markt|br(ü|ue)cke|hof|park|garten|berg|feld|graben|kiez|insel|linden|heide|tor|bogen|h(ö|oe)he|hain|"
    r"aue|winkel|anger|kamp|street|road|avenue|lane|square|st\.?)\b"
    r"|^(am|an|auf|im|in den|zum|zur|alt-|unter)\b",
    re.IGNORECASE,
)
#: Numbers with these are times, durations or prices, not house numbers.
_NOT_AN_ADDRESS = re.compile(r"\d\s*(uhr|h\b|o'?clock|pm\b|am\b|min|std|stunden|hours?|euro|€|%)|\?", re.I)
_POSTCODE = re.compile(r"\b(\d{5})\b")
_FLOOR = re.compile(
    r"\b(\d{1,2}\s*\.?\s*(?:og|etage|stock|obergeschoss|floor|st|nd|rd|th\s*floor)|eg|erdgeschoss|dg|"
    r"dachgeschoss|souterrain|ground\s+floor|hinterhaus|vorderhaus|seitenfl(?:ü|ue)gel|quergeb(?:ä|ae)ude|"
    r"(?:floor|etage)\s*\d{1,2})\b",
    re.IGNORECASE,
)
_DOORBELL = re.compile(
    r"\b(?:klingel(?:schild)?|bell|doorbell|c/o|bei)\b\s*[:=]?\s*(?P<name>[^,;\n]{1,40})", re.I
)


@dataclass(frozen=True)
class VisitAddress:
    street: str  # with the house number: "Musterstraße 12a"
    postcode: str
    floor: str = ""  # "3. OG", "Hinterhaus"
    doorbell: str = ""  # the name on the bell
    note: str = ""  # anything else ("bitte zweimal klingeln")

    def one_line(self) -> str:
        extras = ", ".join(x for x in (self.floor, self.doorbell and f"🔔 {self.doorbell}", self.note) if x)
        return f"{self.street}, {self.postcode} Berlin" + (f" ({extras})" if extras else "")

    def maps_url(self) -> str:
        """A link that opens the address in the phone's maps app (or the browser)."""
        query = urllib.parse.quote(f"{self.street}, {self.postcode} Berlin")
        return f"https://www.google.com/maps/search/?api=1&query={query}"


def read_address(text: str, default_postcode: str | None) -> VisitAddress | None:
    """The address in a text (its postcode, or the request's; the caller checks it is Berlin's);
    None when the text has no street and number."""
    text = " ".join(text.split()) if len(text) <= MAX_TEXT else ""
    parts = [p.strip() for p in re.split(r"[,;\n]|\s[-/]\s", text) if p.strip()]
    numbers = list(_NUMBER.finditer(parts[0])) if parts else []
    if not numbers or not re.search(r"[^\W\d_]{2}", parts[0][: numbers[-1].start()]):
        return None
    number = numbers[-1]
    before, after = parts[0][: number.start()].split(), parts[0][number.end() :].split()
    if (
        len(before) > 5
        or len(after) > 3
        or _NOT_AN_ADDRESS.search(text)
        or not _STREETLIKE.search(" ".join(before))
    ):
        return None
    postcode_match = _POSTCODE.search(text)
    postcode = postcode_match.group(1) if postcode_match else default_postcode
    floor, doorbell, note = [], "", []
    rest = [parts[0][number.end() :].strip(), *parts[1:]]
    for part in rest:
        part = _POSTCODE.sub("", part).replace("Berlin", "").strip(" .")
        if not part:
            continue
        if bell := _DOORBELL.search(part):
            doorbell = bell.group("name").strip()
        elif _FLOOR.search(part):
            floor.append(part)
        else:
            note.append(part)
    if postcode is None:
        return None
    house = "".join(number.group(1).split())
    return VisitAddress(
        street=f"{parts[0][: number.start()].strip()} {house}",
        postcode=postcode,
        floor=", ".join(floor),
        doorbell=doorbell,
        note=", ".join(note)[:100],
    )
