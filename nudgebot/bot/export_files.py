"""An export as files a person can open: JSON with everything, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from nudgebot.services.privacy import Export

CSV_COLUMNS = [
    "record",
    "date",
    "time",
    "rating",
    "note",
    "kind",
    "minutes",
    "stress_before",
    "stress_after",
    "detail",
]


def as_json(export: Export) -> bytes:
    return json.dumps(asdict(export), ensure_ascii=False, indent=2).encode()


def as_csv(export: Export) -> bytes:
    """One row per check-in, activity and suggestion, then the settings, in one sheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for c in export.checkins:
        writer.writerow(
            {
                "record": "checkin",
                "date": c["date"],
                "time": c["answered"] or c["asked"],
                "rating": c["rating"],
                "note": c["note"],
                "detail": c["slot"],
            }
        )
    for a in export.activities:
        writer.writerow(
            {
                "record": "activity",
                "date": a["date"],
                "time": a["logged"],
                "kind": a["kind"],
                "minutes": a["minutes"],
                "stress_before": a["stress_before"],
                "stress_after": a["stress_after"],
                "detail": a["source"],
            }
        )
    for s in export.suggestions:
        writer.writerow(
            {
                "record": "suggestion",
                "date": s["date"],
                "time": s["offered"],
                "kind": s["kind"],
                "minutes": s["minutes"],
                "stress_before": s["stress_before"],
                "detail": s["answer"],
            }
        )
    for key, value in export.settings.items():
        writer.writerow({"record": "setting", "kind": key, "detail": _plain(value)})
    if export.safety_plan:
        writer.writerow({"record": "safety_plan", "note": export.safety_plan})
    return out.getvalue().encode()


def _plain(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)
