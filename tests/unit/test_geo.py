"""Berlin places: the shipped tables cover the city, and people's spellings resolve."""

from __future__ import annotations

import random

import pytest

from core.errors import NotInBerlin, UnknownPlace
from core.geo import Location, PlaceIndex, cell_of, cells_near
from core.onboarding import BEZIRKE as ALL_BEZIRKE

BEZIRKE = set(ALL_BEZIRKE)


def test_every_berlin_postcode_is_inside_berlin_with_a_district(places: PlaceIndex) -> None:
    assert len(places.postcodes) >= 185
    assert places.districts == BEZIRKE
    for code in places.postcodes:
        place = places.by_postcode(code)
        assert 52.33 <= place.location.lat <= 52.68 and 13.08 <= place.location.lon <= 13.77, code
        assert place.district in BEZIRKE


@pytest.mark.parametrize(
    "code", ["10115", "10437", "10997", "12047", "12627", "13353", "13583", "14199", "14109"]
)
def test_well_known_postcodes_are_shipped(places: PlaceIndex, code: str) -> None:
    assert places.by_postcode(code).postcode == code


@pytest.mark.parametrize(
    ("typed", "district"),
    [
        ("Neukölln", "Neukölln"),
        ("neukoelln", "Neukölln"),
        ("NEUKOLLN", "Neukölln"),
        ("Prenzlberg", "Pankow"),
        ("Prenzlauer Berg", "Pankow"),
        ("Xberg", "Friedrichshain-Kreuzberg"),
        ("Köpenick", "Treptow-Köpenick"),
        ("koepenick", "Treptow-Köpenick"),
        ("Schöneberg", "Tempelhof-Schöneberg"),
        ("Wedding", "Mitte"),
        ("ich wohne in Moabit", "Mitte"),
        ("10997 Berlin", "Friedrichshain-Kreuzberg"),
        ("Berlin-Spandau", "Spandau"),
        ("Marzahn", "Marzahn-Hellersdorf"),
    ],
)
def test_districts_localities_and_spellings_resolve(places: PlaceIndex, typed: str, district: str) -> None:
    place = places.find(typed)
    assert place is not None and place.district == district


def test_postcode_outside_berlin_is_not_in_berlin(places: PlaceIndex) -> None:
    with pytest.raises(NotInBerlin) as err:
        places.find("80331")
    assert err.value.params == {"postcode": "80331"}


@pytest.mark.parametrize("typed", ["1011", "101155", "123"])
def test_a_number_that_cannot_be_a_postcode_is_unknown(places: PlaceIndex, typed: str) -> None:
    with pytest.raises(UnknownPlace):
        places.find(typed)


@pytest.mark.parametrize(
    "typed", ["mein drucker druckt nicht mehr und ich weiss nicht warum", "Hinterdupfing", ""]
)
def test_sentences_and_unknown_names_are_no_place(places: PlaceIndex, typed: str) -> None:
    assert places.find(typed) is None


def test_shared_location_maps_to_the_nearest_postcode_area(places: PlaceIndex) -> None:
    place = places.locate(Location(52.5219, 13.4132))  # Alexanderplatz
    assert place.district == "Mitte" and place.postcode is not None and place.postcode.startswith("10")
    assert place.location == Location(52.5219, 13.4132)


@pytest.mark.parametrize("where", [Location(48.137, 11.575), Location(52.40, 13.06), Location(52.75, 13.40)])
def test_shared_location_outside_berlin_is_refused(places: PlaceIndex, where: Location) -> None:
    with pytest.raises(NotInBerlin):
        places.locate(where)


def test_distance_is_haversine() -> None:
    alex, zoo = Location(52.5219, 13.4132), Location(52.5069, 13.3321)
    assert 5.5 < alex.km_to(zoo) < 5.8


def test_the_cells_near_a_place_hold_everyone_that_close_and_never_overstate_the_distance() -> None:
    """Matching skips a cell when its distance alone loses: that distance must be a lower
    bound of the great circle to any point inside, and the cells must cover the radius."""
    rng = random.Random(12)
    for _ in range(3000):
        here = Location(rng.uniform(52.33, 52.68), rng.uniform(13.08, 13.77))
        there = Location(here.lat + rng.uniform(-0.2, 0.2), here.lon + rng.uniform(-0.3, 0.3))
        km = here.km_to(there)
        near = cells_near(here, km * 1.02 + 0.05)  # the margin matching searches with
        assert cell_of(there) in near, (here, there)
        assert near[cell_of(there)] <= km, (here, there)
        assert near[cell_of(here)] == 0.0
