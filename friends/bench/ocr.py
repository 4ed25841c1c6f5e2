"""`friends bench ocr`: Tesseract on generated error screens – seconds per image and the share
of the screen's words it read, for clean screenshots and for blurred, tilted photos of them."""

from __future__ import annotations

import io
import re
import resource
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from gateways.ocr import TesseractOcr

FONTS = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Screen:
    """An error screen a customer might photograph, and the category it belongs to."""

    name: str
    category: str
    title: str
    lines: tuple[str, ...]
    background: str = "white"
    ink: str = "black"

    @property
    def words(self) -> list[str]:
        return words(" ".join((self.title, *self.lines)))


SCREENS = (
    Screen(
        "fritzbox",
        "internet",
        "FRITZ!Box 7590",
        (
            "Internet: DSL-Synchronisierung fehlgeschlagen.",
            "Bitte prüfen Sie die Verkabelung zur Telefondose.",
        ),
    ),
    Screen(
        "tv",
        "tv",
        "Kein Signal",
        ("Bitte überprüfen Sie die Antennenverbindung", "und den Sendersuchlauf Ihres Fernsehers."),
        background="#101830",
        ink="white",
    ),
    Screen(
        "bluescreen",
        "pc",
        "Your PC ran into a problem and needs to restart.",
        (
            "We're just collecting some error info, and then",
            "Windows will restart for you. Stop code: CRITICAL PROCESS DIED",
        ),
        background="#0a5fb4",
        ink="white",
    ),
    Screen(
        "printer",
        "pc",
        "Printer offline",
        ("HP LaserJet M15w is not responding.", "Check that the printer is on and connected to Wi-Fi."),
    ),
    Screen(
        "sim",
        "phone",
        "Keine SIM-Karte",
        ("Die SIM-Karte wurde nicht erkannt.", "Bitte legen Sie eine SIM-Karte ein."),
        background="#f2f2f7",
    ),
    Screen(
        "netflix",
        "tv",
        "Netflix error NW-2-5",
        ("We are having trouble connecting to Netflix.", "Please check your home network."),
        background="#141414",
        ink="#e5e5e5",
    ),
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-zäöüß0-9]+", text.lower())


def draw(screen: Screen, size: tuple[int, int] = (1280, 720)) -> Image.Image:
    """The screen as a screenshot: a bold title and lines of text in DejaVu Sans."""
    image = Image.new("RGB", size, screen.background)
    pen = ImageDraw.Draw(image)
    pen.text(
        (80, 160),
        screen.title,
        fill=screen.ink,
        font=ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 44),
    )
    body = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 32)
    for n, line in enumerate(screen.lines):
        pen.text((80, 280 + 56 * n), line, fill=screen.ink, font=body)
    return image


def photographed(image: Image.Image) -> Image.Image:
    """A phone photo of the screen: tilted, slightly blurred, smaller, JPEG."""
    tilted = image.rotate(3, expand=True, fillcolor="#808080").filter(ImageFilter.GaussianBlur(1.2))
    small = tilted.resize((tilted.width * 3 // 4, tilted.height * 3 // 4))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue()))


def png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def accuracy(expected: list[str], read: str) -> float:
    """Share of the screen's words found in what OCR read (each as often as it is on the screen)."""
    found = words(read)
    hits = 0
    for word in expected:
        if word in found:
            found.remove(word)
            hits += 1
    return hits / len(expected)


def measure(ocr: TesseractOcr | None = None) -> list[dict[str, object]]:
    """One row per screen and kind (screenshot, photo): seconds and word accuracy."""
    ocr = ocr or TesseractOcr()
    ocr.read(png(draw(SCREENS[0])))  # the first call loads the models
    rows: list[dict[str, object]] = []
    for screen in SCREENS:
        for kind, image in (("screenshot", draw(screen)), ("photo", photographed(draw(screen)))):
            data = png(image, "PNG" if kind == "screenshot" else "JPEG")
            started, cpu = time.perf_counter(), _child_cpu()
            read = ocr.read(data)
            seconds, cpu = time.perf_counter() - started, _child_cpu() - cpu
            rows.append(
                {
                    "screen": screen.name,
                    "kind": kind,
                    "seconds": round(seconds, 2),
                    "cpu": round(cpu, 2),
                    "accuracy": round(accuracy(screen.words, read), 3),
                    "read": " ".join(read.split()),
                }
            )
    return rows


def _child_cpu() -> float:
    """CPU seconds used by finished child processes (pytesseract runs one tesseract per image)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(rows: list[dict[str, object]]) -> str:
    lines = [f"{'screen':<12} {'kind':<11} {'seconds':>7} {'cpu s':>6} {'words read':>10}"]
    lines += [
        f"{r['screen']:<12} {r['kind']:<11} {r['seconds']:>7.2f} {r['cpu']:>6.2f} {r['accuracy']:>10.0%}"
        for r in rows
    ]
    for kind in ("screenshot", "photo"):
        mine = [r for r in rows if r["kind"] == kind]
        seconds = statistics.median(float(str(r["seconds"])) for r in mine)
        cpu = statistics.median(float(str(r["cpu"])) for r in mine)
        share = statistics.mean(float(str(r["accuracy"])) for r in mine)
        lines.append(
            f"{kind}s: median {seconds:.2f} s per image ({cpu:.2f} s CPU of Tesseract), "
            f"{share:.1%} of the words read"
        )
    return "\n".join(lines)
