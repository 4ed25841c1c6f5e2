"""Contact and payment details in relayed messages are found; ordinary conversation is left alone."""

from __future__ import annotations

import pytest

from core.leaks import Leak, LeakKind, find_leaks


def only(text: str) -> Leak:
    leaks = find_leaks(text)
    assert len(leaks) == 1, leaks
    return leaks[0]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Ruf mich an: +49 151 23456789", "+49 151 23456789"),
        ("Festnetz 0049 30 1234567", "0049 30 1234567"),
        ("0151/23456789", "0151/23456789"),
        ("Meine Nummer ist 0151-234 567 89.", "0151-234 567 89"),
        ("Büro: 030 12345678", "030 12345678"),
        ("(030) 123 456 78", "(030) 123 456 78"),
        ("Call me on +44 7911 123456", "+44 7911 123456"),
        ("0176.12345678", "0176.12345678"),
        ("+49 (0)151 23456789", "+49 (0)151 23456789"),
        ("Handy: 0 1 5 1 2 3 4 5 6 7 8 9", "0 1 5 1 2 3 4 5 6 7 8 9"),
        ("Tel: 1512345678", "1512345678"),
        ("My number is 15123456789", "15123456789"),
        ("Telefonnummer: 0151 23456789", "0151 23456789"),
        ("Tel.-Nr.: 0151 23456789", "0151 23456789"),
        ("Ruf an: 0151 2345678 - 14 Uhr", "0151 2345678"),
        ("Ruf 0151 2345678 an, ab 15 Uhr", "0151 2345678"),
    ],
)
def test_phone_numbers(message: str, expected: str) -> None:
    assert only(message) == Leak(LeakKind.PHONE, expected)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Schreib mir an anna@example.de", "anna@example.de"),
        ("a.b+c@mail.co.uk", "a.b+c@mail.co.uk"),
        ("Mail an müller@gmx.de.", "müller@gmx.de"),
        ("anna (at) gmx (dot) de", "anna (at) gmx (dot) de"),
        ("anna(at)gmx(dot)de, danke", "anna(at)gmx(dot)de"),
        ("anna [at] gmx.de", "anna [at] gmx.de"),
        ("anna at gmx dot de", "anna at gmx dot de"),
        ("Mail: anna at web punkt de", "anna at web punkt de"),
        ("anna @ gmx (dot) net", "anna @ gmx (dot) net"),
    ],
)
def test_email_addresses(message: str, expected: str) -> None:
    assert only(message) == Leak(LeakKind.EMAIL, expected)


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044 0532 0130 00",
        "DE89370400440532013000",
        "de89370400440532013000",
        "GB82 WEST 1234 5698 7654 32",
        "AT61 1904 3002 3457 3201",
        "CH93 0076 2011 6238 5295 7",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "MT84MALT011000012345MTLCAST001S",
    ],
)
def test_ibans(iban: str) -> None:
    assert only(f"Bitte auf {iban}, danke") == Leak(LeakKind.IBAN, iban)


def test_an_iban_after_the_word_iban_is_still_an_iban() -> None:
    kinds = [leak.kind for leak in find_leaks("IBAN: DE89 3704 0044 0532 0130 00")]
    assert kinds == [LeakKind.PAYMENT, LeakKind.IBAN]


@pytest.mark.parametrize(
    "text",
    [
        "DE89 3704 0044 0532 0130 01",
        "DE88370400440532013000",
        "GB82 WEST 1234 5698 7654 33",
        "XY12 ABCD EFGH IJKL MN",
    ],
)
def test_an_iban_with_a_wrong_checksum_is_not_an_iban(text: str) -> None:
    assert LeakKind.IBAN not in {leak.kind for leak in find_leaks(text)}


def test_an_iban_is_not_also_a_phone_number() -> None:
    assert find_leaks("DE89 3704 0044 0532 0130 00") == [Leak(LeakKind.IBAN, "DE89 3704 0044 0532 0130 00")]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("paypal.me/xyz", "paypal.me/xyz"),
        ("Hier: https://www.paypal.me/anna.", "https://www.paypal.me/anna"),
        ("paypal.com/paypalme/anna", "paypal.com/paypalme/anna"),
        ("paypal: anna@x.de", "paypal: anna@x.de"),
        ("Zahl per PayPal an anna@x.de", "PayPal an anna@x.de"),
        ("PayPal an mich bitte", "PayPal"),
        ("Schick es per PayPal", "PayPal"),
        ("Can you pay via Paypal?", "Paypal"),
        ("Hast du Revolut?", "Revolut"),
        ("Venmo works for me", "Venmo"),
        ("Ich kann dir das per Wise schicken", "Wise"),
        ("Geht auch Wise?", "Wise"),
        ("Ich schick dir das Geld mit Wise", "Wise"),
        ("Zahlen mit Klarna?", "Klarna"),
        ("Geht auch Überweisung?", "Überweisung"),
        ("Ich überweise dir das morgen", "überweise"),
        ("Hab's dir schon überwiesen", "überwiesen"),
        ("Is a bank transfer ok?", "bank transfer"),
        ("I can do a wire transfer", "wire transfer"),
        ("Can you wire me the money?", "wire me the money"),
        ("Gib mir deine Kontonummer", "Kontonummer"),
        ("What's your account number?", "account number"),
        ("Brauche noch die BIC", "BIC"),
        ("Bankverbindung schicke ich gleich", "Bankverbindung"),
    ],
)
def test_payment_channels(message: str, expected: str) -> None:
    assert only(message) == Leak(LeakKind.PAYMENT, expected)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Infos unter http://example.com/foo?x=1.", "http://example.com/foo?x=1"),
        ("https://anna-hilft.de", "https://anna-hilft.de"),
        ("Schau auf www.example.de", "www.example.de"),
        ("Meine Seite: example.de", "example.de"),
        ("foo.com", "foo.com"),
        ("Google.com hilft", "Google.com"),
        ("bit.ly/x", "bit.ly/x"),
        ("Schreib mir: t.me/anna_b", "t.me/anna_b"),
        ("wa.me/4915123456789", "wa.me/4915123456789"),
    ],
)
def test_links(message: str, expected: str) -> None:
    assert only(message) == Leak(LeakKind.LINK, expected)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Schreib mir auf WhatsApp", "WhatsApp"),
        ("Hast du Whats App?", "Whats App"),
        ("Lieber per Signal", "Signal"),
        ("I'm on Signal, text me", "Signal"),
        ("Meine Signal-Nummer gebe ich dir", "Signal-Nummer"),
        ("Threema?", "Threema"),
        ("Folg mir auf Instagram", "Instagram"),
        ("Schreib mir auf Insta", "Insta"),
        ("Mein Telegram ist @anna_b", "@anna_b"),
        ("Schreib an @anna.b.", "@anna.b"),
    ],
)
def test_handles(message: str, expected: str) -> None:
    assert only(message) == Leak(LeakKind.HANDLE, expected)


def test_an_email_is_not_also_a_link_or_handle() -> None:
    assert find_leaks("anna@gmx.de") == [Leak(LeakKind.EMAIL, "anna@gmx.de")]


def test_a_paypal_link_is_payment_not_link() -> None:
    assert find_leaks("paypal.me/anna") == [Leak(LeakKind.PAYMENT, "paypal.me/anna")]


def test_leaks_come_in_order_of_appearance() -> None:
    message = "Erreichbar unter 0151 23456789 oder anna@web.de, Geld per Revolut, sonst www.anna.de"
    assert find_leaks(message) == [
        Leak(LeakKind.PHONE, "0151 23456789"),
        Leak(LeakKind.EMAIL, "anna@web.de"),
        Leak(LeakKind.PAYMENT, "Revolut"),
        Leak(LeakKind.LINK, "www.anna.de"),
    ]


@pytest.mark.parametrize(
    "message",
    [
        "Ich komme um 14 Uhr",
        "Der Router ist eine FRITZ!Box 7590",
        "Can you come tomorrow at 2pm?",
        "Passwort ist auf der Rückseite",
        "Mein Drucker HP OfficeJet 8010 druckt nicht",
        "Hausnummer 12, 3. OG",
        "I'll be there in 10 minutes",
        "Kostet das 25 €?",
        "Bitte klingeln bei Müller",
        "Das macht 18,50 Euro",
        "Kosten 0,50 € pro km",
        "Der Termin ist am 28.11.2026 um 14:00",
        "Ich bin am 01.12.2026 zwischen 08:00 und 10:00 da",
        "Am 01/12/2026 passt es",
        "Vom 24.12.-2.1. bin ich im Urlaub",
        "Ich wohne in 10115 Berlin",
        "12043 Neukölln",
        "Ich bin von 9-17 Uhr erreichbar",
        "Werktags von 0800-1700 Uhr",
        "Geöffnet 08.30 - 17.30",
        "Mein iPhone 13 lädt nicht mehr",
        "Windows 10 startet nicht",
        "Der Laptop ist von 2019 und es dauert etwa 90 Minuten",
        "Bestellnummer 4711",
        "Kundennummer 0123456789",
        "Order number: 01234567",
        "Sendungsnummer 00340434161234567890",
        "Version 0.9.12345",
        "Fehlercode 0x80070005",
        "Die IP ist 192.168.0.1",
        "Geh auf fritz.box und melde dich an",
        "z.B. am Dienstag",
        "Das WLAN-Signal ist im Schlafzimmer schwach",
        "The wifi signal is weak upstairs",
        "The TV says no signal",
        "It depends on signal strength",
        "Ich zahle bar auf die Hand",
        "I'll pay cash when you're done",
        "The wire behind the TV is loose",
        "Otherwise it works fine",
        "That's a wise choice",
        "Look at the router, the light is red",
        "Danke, bis morgen!",
    ],
)
def test_ordinary_conversation_is_not_a_leak(message: str) -> None:
    assert find_leaks(message) == []


def test_an_empty_message_has_no_leaks() -> None:
    assert find_leaks("") == []
