"""Addresses are read the way people type them; what has no street and number is refused."""

from __future__ import annotations

import pytest

from core.address import VisitAddress, read_address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Musterstraße 12a, 3. OG, Klingel Meyer",
            VisitAddress("Musterstraße 12a", "10437", "3. OG", "Meyer"),
        ),
        ("karl-marx-allee 90 / hinterhaus", VisitAddress("karl-marx-allee 90", "10437", "hinterhaus")),
        (
            "Am Friedrichshain 3, 10407, bell: Novak",
            VisitAddress("Am Friedrichshain 3", "10407", doorbell="Novak"),
        ),
        ("Straße des 17. Juni 135", VisitAddress("Straße des 17. Juni 135", "10437")),
        ("Torstr 12/14 EG", VisitAddress("Torstr 12/14", "10437", "EG")),
        ("Kurfürstendamm 21, 10719 Berlin", VisitAddress("Kurfürstendamm 21", "10719")),
        (
            "Schönhauser Allee 36-39, Seitenflügel 2. Etage, bitte zweimal klingeln",
            VisitAddress(
                "Schönhauser Allee 36-39", "10437", "Seitenflügel 2. Etage", note="bitte zweimal klingeln"
            ),
        ),
        (
            "Boxhagener Str. 7, 2nd floor, doorbell Smith",
            VisitAddress("Boxhagener Str. 7", "10437", "2nd floor", "Smith"),
        ),
    ],
)
def test_addresses_are_read_as_typed(text: str, expected: VisitAddress) -> None:
    assert read_address(text, "10437") == expected


@pytest.mark.parametrize(
    "text",
    [
        "morgen passt nicht",
        "12",
        "Ich wohne in Neukölln",
        "ich komme um 15 uhr",
        "ich habe 2 fragen zu dem termin",
        "kostet das 20 euro?",
        "Wann kommst du? Bin ab 14 da",
        "x" * 300 + " Straße 5",
    ],
)
def test_text_without_street_and_number_is_no_address(text: str) -> None:
    assert read_address(text, "10437") is None


def test_the_maps_link_opens_the_street_in_berlin() -> None:
    url = VisitAddress("Straße des 17. Juni 135", "10623").maps_url()
    assert (
        url
        == "https://www.google.com/maps/search/?api=1&query=Stra%C3%9Fe%20des%2017.%20Juni%20135%2C%2010623%20Berlin"
    )
