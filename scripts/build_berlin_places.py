#!/usr/bin/env python3
"""Rebuild data/berlin/postcodes.csv from two public source files.

Standard library only. Sources (see data/berlin/README.md):

  --geonames   GeoNames postal codes for Germany (CC BY 4.0), either
               * the CSV from zauberware/postal-codes-json-xml-csv
                 (data/DE.zip -> zipcodes.de.csv, or the .zip itself), or
               * the original GeoNames dump DE.txt (tab separated, no header).
               Gives every postcode with latitude/longitude.
  --addresses  Geoportal Berlin "Adressen Berlin" (dl-de/by-2.0) as CSV or
               CSV.gz with at least the columns plz, ort_name and either
               PLR_ID (LOR Planungsraum id; its first two digits are the
               Bezirk number) or bez_name.
               Gives, per postcode, how many official addresses fall into
               which Ortsteil and Bezirk.

Optional:
  --plz-shapes Geoportal Berlin postcode polygons (ESRI shapefile, ETRS89 /
               UTM 33N, with a sibling .dbf holding the column "plz"). When
               given, the GeoNames coordinate of every postcode is compared
               with the centroid of its polygon.
  --places / --aliases  places.csv and aliases.csv to validate as well
               (default: data/berlin/places.csv and aliases.csv).

A postcode is kept when it is a Berlin postcode in GeoNames (10115..14199,
community code 11000) AND has addresses in the official register; this
drops GeoNames entries for large-customer / PO-box postcodes and
placeholders (e.g. 11011, 13047, 12529, 14131). district = the Bezirk
holding most of the postcode's addresses; localities = Ortsteile holding
at least --min-share of them (largest first), and every Ortsteil is listed
for at least one postcode (the one holding most of its addresses).

Example:
  python3 scripts/build_berlin_places.py \
      --geonames /tmp/zipcodes.de.csv \
      --addresses /tmp/adressen.csv.gz \
      --plz-shapes /tmp/plz.shp
"""

import argparse
import collections
import csv
import gzip
import io
import math
import os
import struct
import sys
import zipfile

BEZIRKE = {  # official Bezirk numbers (first two digits of LOR / PLR ids)
    "01": "Mitte",
    "02": "Friedrichshain-Kreuzberg",
    "03": "Pankow",
    "04": "Charlottenburg-Wilmersdorf",
    "05": "Spandau",
    "06": "Steglitz-Zehlendorf",
    "07": "Tempelhof-Schöneberg",
    "08": "Neukölln",
    "09": "Treptow-Köpenick",
    "10": "Marzahn-Hellersdorf",
    "11": "Lichtenberg",
    "12": "Reinickendorf",
}
DISTRICTS = set(BEZIRKE.values())
BBOX = (52.33, 52.68, 13.08, 13.77)  # lat min, lat max, lon min, lon max
PLZ_MIN, PLZ_MAX = 10115, 14199
BERLIN_COMMUNITY = "11000"

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, "data", "berlin", "postcodes.csv")


def in_bbox(lat, lon):
    return BBOX[0] <= lat <= BBOX[1] and BBOX[2] <= lon <= BBOX[3]


def open_text(path, member=None):
    """Open a .csv, .txt, .gz or .zip (first matching member) as text."""
    if path.endswith(".zip"):
        zf = zipfile.ZipFile(path)
        names = [n for n in zf.namelist() if n.endswith(member or ".csv")]
        if not names:
            sys.exit("{}: no {} inside".format(path, member or ".csv"))
        return io.TextIOWrapper(zf.open(names[0]), encoding="utf-8", newline="")
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


# --------------------------------------------------------------- GeoNames
def read_geonames(path):
    """Return {postcode: (lat, lon, place, is_area_row)} for Berlin postcodes in range."""
    rows = []
    with open_text(path, "zipcodes.de.csv") as fh:
        if path.endswith(".txt"):  # original GeoNames dump, tab separated
            for f in csv.reader(fh, delimiter="\t"):
                if len(f) < 11:
                    continue
                rows.append(
                    dict(
                        zipcode=f[1],
                        place=f[2],
                        state_code=f[4],
                        community_code=f[8],
                        latitude=f[9],
                        longitude=f[10],
                    )
                )
        else:
            rows = list(csv.DictReader(fh))
    found = {}
    for r in rows:
        pc = r["zipcode"].strip()
        if r.get("community_code", "").strip() != BERLIN_COMMUNITY:
            continue
        if not (pc.isdigit() and len(pc) == 5 and PLZ_MIN <= int(pc) <= PLZ_MAX):
            continue
        # several rows per postcode: prefer the area row (state code BE,
        # place "Berlin ...") over rows naming large customers.
        place = r["place"].strip()
        score = 2 * (r.get("state_code") == "BE") + (place == "Berlin" or place.startswith("Berlin "))
        lat, lon = float(r["latitude"]), float(r["longitude"])
        if pc not in found or score > found[pc][4]:
            found[pc] = (lat, lon, r["place"], r.get("state_code") == "BE", score)
    return {pc: v[:4] for pc, v in found.items()}


# -------------------------------------------------------------- addresses
def read_addresses(path):
    """Return (ortsteil counts per plz, bezirk counts per plz, ortsteil->bezirk counts)."""
    by_ot = collections.defaultdict(collections.Counter)
    by_bez = collections.defaultdict(collections.Counter)
    ot_bez = collections.defaultdict(collections.Counter)
    n = 0
    with open_text(path) as fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or [])
        if not {"plz", "ort_name"} <= cols or not ({"PLR_ID", "bez_name"} & cols):
            sys.exit(f"{path}: need columns plz, ort_name and PLR_ID or bez_name; got {sorted(cols)}")
        for r in reader:
            plz, ot = r["plz"].strip(), r["ort_name"].strip()
            bez = BEZIRKE.get(r["PLR_ID"].strip().zfill(8)[:2]) if "PLR_ID" in cols else r["bez_name"].strip()
            if not plz or not ot or bez not in DISTRICTS:
                continue
            n += 1
            by_ot[plz][ot] += 1
            by_bez[plz][bez] += 1
            ot_bez[ot][bez] += 1
    return by_ot, by_bez, ot_bez, n


# ------------------------------------------------------- shapefile (check)
def read_plz_centroids(shp_path):
    """Centroids (lat, lon) of the postcode polygons, ETRS89/UTM 33N input."""
    dbf_path = os.path.splitext(shp_path)[0] + ".dbf"
    b = open(dbf_path, "rb").read()
    nrec, hlen, rlen = struct.unpack("<IHH", b[4:12])
    fields, o = [], 32
    while b[o] != 0x0D:
        fields.append((b[o : o + 11].split(b"\0")[0].decode(), b[o + 16]))
        o += 32
    codes = []
    for i in range(nrec):
        rec, p, d = b[hlen + i * rlen : hlen + (i + 1) * rlen], 1, {}
        for name, ln in fields:
            d[name.lower()] = rec[p : p + ln].decode("latin-1").strip()
            p += ln
        codes.append(d.get("plz", ""))
    s, o, out, i = open(shp_path, "rb").read(), 100, {}, 0
    while o < len(s):
        _, clen = struct.unpack(">II", s[o : o + 8])
        c = s[o + 8 : o + 8 + clen * 2]
        o += 8 + clen * 2
        if struct.unpack("<i", c[:4])[0] in (5, 15, 25):
            nparts, npts = struct.unpack("<ii", c[36:44])
            parts = [*list(struct.unpack("<%di" % nparts, c[44 : 44 + 4 * nparts])), npts]
            xy = struct.unpack("<%dd" % (2 * npts), c[44 + 4 * nparts : 44 + 4 * nparts + 16 * npts])
            a = cx = cy = 0.0
            for k in range(nparts):
                ring = [(xy[2 * j], xy[2 * j + 1]) for j in range(parts[k], parts[k + 1])]
                for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False):
                    f = x1 * y2 - x2 * y1
                    a += f
                    cx += (x1 + x2) * f
                    cy += (y1 + y2) * f
            if a:
                out[codes[i]] = utm33_to_latlon(cx / (3 * a), cy / (3 * a))
        i += 1
    return out


def utm33_to_latlon(east, north):
    """Inverse transverse Mercator, GRS80, zone 33N (central meridian 15 E)."""
    a, f, k0 = 6378137.0, 1 / 298.257222101, 0.9996
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    x, m = east - 500000.0, north / k0
    mu = m / (a * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
    e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
    p1 = (
        mu
        + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
        + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
        + (151 * e1**3 / 96) * math.sin(6 * mu)
        + (1097 * e1**4 / 512) * math.sin(8 * mu)
    )
    c1, t1 = ep2 * math.cos(p1) ** 2, math.tan(p1) ** 2
    n1 = a / math.sqrt(1 - e2 * math.sin(p1) ** 2)
    r1 = a * (1 - e2) / (1 - e2 * math.sin(p1) ** 2) ** 1.5
    d = x / (n1 * k0)
    lat = p1 - (n1 * math.tan(p1) / r1) * (
        d**2 / 2
        - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * ep2) * d**4 / 24
        + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * ep2 - 3 * c1**2) * d**6 / 720
    )
    lon = (
        d
        - (1 + 2 * t1 + c1) * d**3 / 6
        + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * ep2 + 24 * t1**2) * d**5 / 120
    ) / math.cos(p1)
    return math.degrees(lat), 15.0 + math.degrees(lon)


def metres(lat1, lon1, lat2, lon2):
    p = math.radians
    h = (
        math.sin(p(lat2 - lat1) / 2) ** 2
        + math.cos(p(lat1)) * math.cos(p(lat2)) * math.sin(p(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371000 * math.asin(math.sqrt(h))


# ------------------------------------------------------------------ build
def build(geo, by_ot, by_bez, min_share):
    """Return (rows, dropped) where rows = [(pc, lat, lon, district, [ortsteile])]."""
    rows, dropped = [], []
    for pc in sorted(geo):
        lat, lon = geo[pc][:2]
        if pc not in by_bez:
            dropped.append(
                (pc, "no address in the official register (large-customer/PO-box postcode or placeholder)")
            )
            continue
        total = sum(by_ot[pc].values())
        district = by_bez[pc].most_common(1)[0][0]
        locs = [ot for ot, n in by_ot[pc].most_common() if n >= min_share * total]
        rows.append([pc, lat, lon, district, locs])
    # every Ortsteil appears at least once: add it where most of its addresses are
    listed = {ot for r in rows for ot in r[4]}
    kept = {r[0]: r for r in rows}
    everywhere = collections.Counter()
    for pc in kept:
        everywhere.update(by_ot[pc].keys())
    for ot in sorted(set(everywhere) - listed):
        best = max(kept, key=lambda pc: by_ot[pc].get(ot, 0))
        kept[best][4].append(ot)
    return rows, dropped


def check_places(places_path, aliases_path, ortsteile):
    problems = []
    names = {}
    with open(places_path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != ["name", "lat", "lon", "district"]:
            problems.append(f"places.csv header {reader.fieldnames}")
        for r in reader:
            key = r["name"].lower()
            if key in names:
                problems.append("places.csv duplicate name {!r}".format(r["name"]))
            names[key] = r
            if r["district"] not in DISTRICTS:
                problems.append("places.csv {!r}: district {!r}".format(r["name"], r["district"]))
            if not in_bbox(float(r["lat"]), float(r["lon"])):
                problems.append("places.csv {!r} outside bbox".format(r["name"]))
    for d in DISTRICTS | set(ortsteile):
        if d.lower() not in names:
            problems.append(f"places.csv lacks {d!r}")
    n_alias = 0
    if aliases_path and os.path.exists(aliases_path):
        seen = {}
        with open(aliases_path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != ["alias", "name"]:
                problems.append(f"aliases.csv header {reader.fieldnames}")
            for r in reader:
                n_alias += 1
                a = r["alias"].lower()
                if r["name"].lower() not in names:
                    problems.append("alias {!r} -> unknown {!r}".format(r["alias"], r["name"]))
                if a in names:
                    problems.append("alias {!r} shadows a place name".format(r["alias"]))
                if a in seen:
                    problems.append("alias {!r} listed twice".format(r["alias"]))
                seen[a] = r["name"]
    return len(names), n_alias, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--geonames", required=True)
    ap.add_argument("--addresses", required=True)
    ap.add_argument("--plz-shapes")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--min-share", type=float, default=0.05)
    ap.add_argument("--places")
    ap.add_argument("--aliases")
    args = ap.parse_args()

    geo = read_geonames(args.geonames)
    by_ot, by_bez, ot_bez, n_addr = read_addresses(args.addresses)
    print("GeoNames: %d Berlin postcodes in %d..%d" % (len(geo), PLZ_MIN, PLZ_MAX))
    print("Addresses: %d addresses, %d postcodes, %d Ortsteile" % (n_addr, len(by_bez), len(ot_bez)))

    problems = []
    # each Ortsteil must lie in exactly one Bezirk
    for ot, c in sorted(ot_bez.items()):
        if len(c) != 1:
            problems.append(f"Ortsteil {ot} spread over Bezirke {dict(c)}")

    rows, dropped = build(geo, by_ot, by_bez, args.min_share)
    named = [pc for pc, _ in dropped if geo[pc][3]]
    print(
        "Dropped %d GeoNames postcodes without addresses in the register "
        "(large-customer/PO-box postcodes, placeholders):" % len(dropped)
    )
    print("  area entries: {}".format(", ".join(f"{pc} ({geo[pc][2]})" for pc in named)))
    print("  organisation entries: {}".format(", ".join(pc for pc, _ in dropped if pc not in named)))
    for pc in sorted(set(by_bez) - set(geo)):
        print(
            "  not used %s: %d register addresses, not a Berlin postcode in GeoNames "
            "(range %d..%d)" % (pc, sum(by_bez[pc].values()), PLZ_MIN, PLZ_MAX)
        )

    # ---- cross-checks
    seen = set()
    coords = collections.Counter((r[1], r[2]) for r in rows)
    for pc, lat, lon, district, locs in rows:
        if not (len(pc) == 5 and pc.isdigit()) or pc in seen:
            problems.append(f"{pc}: bad or duplicate postcode")
        seen.add(pc)
        if not in_bbox(lat, lon):
            problems.append(f"{pc}: {lat:.5f},{lon:.5f} outside Berlin bbox")
        if district not in DISTRICTS:
            problems.append(f"{pc}: no valid district ({district!r})")
        if not locs:
            problems.append(f"{pc}: no Ortsteil")
        if coords[(lat, lon)] > 1:
            problems.append(f"{pc}: coordinate shared with another postcode (placeholder?)")
        place = geo[pc][2]
        if place.startswith("Berlin ") and place[7:] not in locs:
            problems.append(f"{pc}: GeoNames says {place!r}, register says {locs}")
    if args.plz_shapes:
        cent = read_plz_centroids(args.plz_shapes)
        dist = []
        for pc, lat, lon, _d, _l in rows:
            if pc not in cent:
                problems.append(f"{pc}: no polygon in {args.plz_shapes}")
                continue
            dist.append((metres(lat, lon, *cent[pc]), pc))
        dist.sort()
        if dist:
            print(
                f"GeoNames point vs polygon centroid: median {dist[len(dist) // 2][0]:.0f} m, max {dist[-1][0]:.0f} m ({dist[-1][1]})"
            )
        for m, pc in dist:
            if m > 1000:
                problems.append(f"{pc}: GeoNames point {m:.0f} m from polygon centroid")

    # ---- write
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["postcode", "lat", "lon", "district", "localities"])
        for pc, lat, lon, district, locs in rows:
            w.writerow([pc, f"{lat:.5f}", f"{lon:.5f}", district, "|".join(locs)])

    per_district = collections.Counter(r[3] for r in rows)
    ortsteile = {ot for r in rows for ot in r[4]}
    print(
        "Wrote %s: %d postcodes, %d districts, %d Ortsteile listed, %d dropped"
        % (args.out, len(rows), len(per_district), len(ortsteile), len(dropped))
    )
    for d, n in sorted(per_district.items()):
        print("  %-28s %3d" % (d, n))
    if len(per_district) != 12:
        problems.append("only %d districts covered" % len(per_district))

    data_dir = os.path.dirname(DEFAULT_OUT)
    places = args.places or os.path.join(data_dir, "places.csv")
    aliases = args.aliases or os.path.join(data_dir, "aliases.csv")
    if os.path.exists(places):
        n_places, n_alias, p = check_places(places, aliases, set(ot_bez))
        problems += p
        print("Checked %s (%d names) and %s (%d aliases)" % (places, n_places, aliases, n_alias))

    if problems:
        print("PROBLEMS (%d):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
