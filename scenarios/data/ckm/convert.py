#!/usr/bin/env python3
"""Convert the Coleman-Katz-Menzel (CKM) "Medical Innovation" physician data into the CSV
files shipped with kolsim in scenarios/data/ckm/.

Usage:
    python3 convert.py SOURCE_DIR [OUT_DIR]

SOURCE_DIR must hold the original files of the De Domenico multiplex collection
(as redistributed in GitHub CompNet/MultiplexCentrality):
    CKM-Physicians-Innovation_multiplex.edges   (layerID src dst weight, no header)
    CKM-Physicians-Innovation_nodes.txt         (space-separated, with header)
and optionally netdiffuseR's medInnovations table converted to CSV (medInnovations.csv),
which is used only to cross-check the adoption months.

OUT_DIR defaults to the folder holding this script. Writes:
    advice.csv, discussion.csv, friendship.csv   (nominator,nominee)
    nodes.csv                                    (246 physicians, recoded attributes)
    observed_adoption.csv                        (monthly adoption curve of the 125 with data)
    observed.csv                                 (per physician, for `kolsim fit --observed`)

Python 3 standard library only. Output is deterministic (same input -> same bytes).
"""

import csv
import os
import sys

LAYERS = {1: "advice", 2: "discussion", 3: "friendship"}
CITY_NAMES = {1: "Peoria", 2: "Bloomington", 3: "Quincy", 4: "Galesburg"}
# Original column -> output column, in output order (after `id`).
NODE_COLUMNS = [
    ("nodeCity", "city"),
    ("nodeAdoptionDate", "adoption_month"),
    ("nodeMed_sch_yr", "med_sch_yr"),
    ("nodeMeetings", "meetings"),
    ("nodeJours", "jours"),
    ("nodeFreeTime", "free_time"),
    ("nodeDiscuss", "discuss"),
    ("nodeClubs", "clubs"),
    ("nodeFriends", "friends"),
    ("nodeCommunity", "community"),
    ("nodePatients", "patients"),
    ("nodeProximity", "proximity"),
    ("nodeSpecialty", "specialty"),
]
LAST_MONTH = 17  # month 17 = Feb 1955; code 18 = no prescription found (non-adopter)
NON_ADOPTER = 18
NO_DATA = (98, 99)  # 98 = no prescription data obtained; 99 = undocumented, treated as unknown
NA = 9  # attribute code for "not available"
# Expected figures of the published data, checked after conversion.
EXPECTED_ARCS = {1: 480, 2: 565, 3: 506}
EXPECTED_NODES = 246
EXPECTED_CUMULATIVE = [11, 20, 29, 40, 51, 62, 75, 82, 86, 87, 92, 95, 98, 102, 106, 108, 109]
WITH_DATA = 125
# First multiplex node id of each town minus 1: multiplex id = offset + netdiffuseR's id within town.
CITY_OFFSET = {1: 0, 2: 117, 3: 167, 4: 211}


def die(msg):
    sys.exit(f"convert.py: {msg}")


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read_nodes(src):
    path = os.path.join(src, "CKM-Physicians-Innovation_nodes.txt")
    with open(path, encoding="utf-8") as f:
        # The original mixes CRLF and LF line ends; splitlines() handles both.
        lines = [ln.split() for ln in f.read().splitlines() if ln.strip()]
    header, rows = lines[0], lines[1:]
    expected = ["nodeID"] + [c for c, _ in NODE_COLUMNS]
    if header != expected:
        die(f"{path}: unexpected header {header}")
    out = []
    for fields in rows:
        if len(fields) != len(header):
            die(f"{path}: row {fields} has {len(fields)} fields, expected {len(header)}")
        out.append([int(x) for x in fields])
    ids = [r[0] for r in out]
    if sorted(ids) != list(range(1, EXPECTED_NODES + 1)):
        die(f"{path}: node ids are not 1..{EXPECTED_NODES}")
    return sorted(out)


def recode_node(r):
    """One output row: id, attributes (9 -> empty), adoption recoded, adopted, city_name."""
    node_id, city, month = r[0], r[1], r[2]
    if 1 <= month <= LAST_MONTH:
        adoption_month, adopted = str(month), "1"
    elif month == NON_ADOPTER:
        adoption_month, adopted = "", "0"
    elif month in NO_DATA:
        adoption_month, adopted = "", ""
    else:
        die(f"node {node_id}: unknown adoption code {month}")
    if city not in CITY_NAMES:
        die(f"node {node_id}: unknown city code {city}")
    others = ["" if v == NA else str(v) for v in r[3:]]
    return [str(node_id), str(city), adoption_month] + others + [adopted, CITY_NAMES[city]]


def observed_row(r):
    """One row of observed.csv: id, adoption month (empty = not adopted by month 17, i.e.
    censored; NA = unknown, no prescription data), and the original code."""
    node_id, month = r[0], r[2]
    if 1 <= month <= LAST_MONTH:
        at = str(month)
    elif month == NON_ADOPTER:
        at = ""
    else:
        at = "NA"
    return [str(node_id), at, str(month)]


def read_edges(src, cities):
    path = os.path.join(src, "CKM-Physicians-Innovation_multiplex.edges")
    layers = {k: [] for k in LAYERS}
    seen = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            fields = line.split()
            if len(fields) != 4:
                die(f"{path}:{n}: expected 4 fields (layerID src dst weight)")
            layer, s, d, w = (int(x) for x in fields)
            if layer not in LAYERS:
                die(f"{path}:{n}: unknown layer {layer}")
            if w != 1:
                die(f"{path}:{n}: weight {w} (expected 1)")
            if s == d or s not in cities or d not in cities:
                die(f"{path}:{n}: self-loop or unknown node")
            if (layer, s, d) in seen:
                die(f"{path}:{n}: duplicate arc")
            seen.add((layer, s, d))
            # src named dst: src is the nominator, dst the nominee (adviser / discussant / friend).
            layers[layer].append((s, d))
    for k, arcs in layers.items():
        if len(arcs) != EXPECTED_ARCS[k]:
            die(f"layer {k}: {len(arcs)} arcs, expected {EXPECTED_ARCS[k]}")
    return layers


def cross_check(src, nodes):
    """Adoption months must agree with netdiffuseR's medInnovations (toa), when present."""
    path = os.path.join(src, "medInnovations.csv")
    if not os.path.exists(path):
        print("note: medInnovations.csv not found; cross-check skipped")
        return
    by_id = {r[0]: r for r in nodes}
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for x in rows:
        city, local, toa = int(float(x["city"])), int(float(x["id"])), int(float(x["toa"]))
        node = by_id.get(CITY_OFFSET[city] + local)
        if node is None or node[1] != city or node[2] != toa:
            die(f"medInnovations city {city} id {local}: toa {toa} does not match the node file")
    print(f"cross-check: {len(rows)} netdiffuseR physicians match the node file's adoption months")


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    src = argv[1]
    out = argv[2] if len(argv) == 3 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)

    nodes = read_nodes(src)
    cities = {r[0]: r[1] for r in nodes}
    layers = read_edges(src, cities)
    for (s, d) in (a for arcs in layers.values() for a in arcs):
        if cities[s] != cities[d]:
            die(f"arc {s} -> {d} crosses towns")

    for k, name in LAYERS.items():
        write_csv(os.path.join(out, f"{name}.csv"), ["nominator", "nominee"], layers[k])

    header = ["id"] + [c for _, c in NODE_COLUMNS] + ["adopted", "city_name"]
    write_csv(os.path.join(out, "nodes.csv"), header, [recode_node(r) for r in nodes])

    # Observed curve: physicians with prescription data (codes 1..18).
    months = [r[2] for r in nodes]
    with_data = sum(1 for m in months if 1 <= m <= NON_ADOPTER)
    if with_data != WITH_DATA:
        die(f"{with_data} physicians with prescription data, expected {WITH_DATA}")
    rows, cum = [], 0
    for m in range(1, LAST_MONTH + 1):
        new = months.count(m)
        cum += new
        rows.append([m, new, cum, f"{cum / WITH_DATA:.4f}"])
    if [r[2] for r in rows] != EXPECTED_CUMULATIVE:
        die(f"cumulative adopters {[r[2] for r in rows]} differ from the published curve")
    write_csv(
        os.path.join(out, "observed_adoption.csv"),
        ["month", "new_adopters", "cumulative_adopters", "cumulative_share_of_125"],
        rows,
    )
    write_csv(os.path.join(out, "observed.csv"), ["id", "adopted_at", "code"], [observed_row(r) for r in nodes])
    cross_check(src, nodes)
    print(
        f"wrote {out}: "
        + ", ".join(f"{LAYERS[k]}.csv ({len(v)} arcs)" for k, v in layers.items())
        + f", nodes.csv ({len(nodes)} physicians, {cum} adopters), observed_adoption.csv, observed.csv"
    )


if __name__ == "__main__":
    main(sys.argv)
