"""Review records: content rules (kinds, never values), the SQLite store, exports and the zip bundle."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import sqlite3
import stat
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from photolab import __version__, config
from photolab.cli import app
from photolab.errors import ReviewBlocked
from photolab.regions import Region
from photolab.review.checklist import load_checklist
from photolab.review.record import ReviewRecord, build_export_zip, build_record
from photolab.review.store import RecordStore, connect, default_db_path, ensure_schema, transaction

# Values that must never reach a record: they are what the pipeline removed or hid.
GPS_VALUE = "59.9139 N, 10.7522 E"
SERIAL_VALUE = "SN-4471-ZX-0093"
OWNER_VALUE = "Kari Nordmann"
REDACTED_TEXT = "Room 214 - Ola Hansen"
SECRETS = (GPS_VALUE, SERIAL_VALUE, OWNER_VALUE, REDACTED_TEXT, "59.9139", "4471-ZX", "Hansen")

FINDINGS = [
    {"group": "location", "name": "GPSLatitude", "kind": "GPS position", "value": GPS_VALUE, "risk": "high"},
    {
        "group": "device",
        "name": "BodySerialNumber",
        "kind": "device serial number",
        "value": SERIAL_VALUE,
        "risk": "high",
    },
    {"group": "people", "name": "OwnerName", "kind": "person's name", "value": OWNER_VALUE, "risk": "high"},
    {
        "group": "location",
        "name": "GPSLongitude",
        "kind": "GPS position",
        "value": "10.7522 E",
        "risk": "high",
    },
]
REGIONS = [
    Region(kind="face", box=(40, 30, 50, 60), score=0.93, source="detector", detector="yunet", style="blur"),
    Region(
        kind="text",
        box=(150, 20, 120, 30),
        score=0.81,
        source="detector",
        detector="rapidocr",
        style="solid",
        text=REDACTED_TEXT,
    ),
    Region(
        kind="other", box=(10, 150, 40, 40), source="manual", style="pixelate", shape="ellipse", enabled=False
    ),
]


def _jpeg(seed: int = 0) -> bytes:
    """A real JPEG encoded from pixels (noise over a gradient), about 320 x 240."""
    rng = np.random.default_rng(seed)
    pixels = (np.linspace(0, 255, 320)[None, :, None] + rng.integers(0, 40, (240, 320, 3))).clip(0, 255)
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _answers() -> tuple[dict[str, str], dict[str, str]]:
    checklist = load_checklist("en")
    answers = {q.id: next(o.id for o in q.options if o.effect != "blocks") for q in checklist.questions}
    answers["framing_crop"] = "yes"
    why = {
        "purpose_objective": "Annual report, chapter on restraint",
        "framing_crop": "Only a bare wall is cut.",
    }
    return answers, why


def make_record(
    seed: int = 0,
    *,
    reviewer: str = "A. Reviewer",
    caption: str = "A seclusion room, 2026.",
    input_name: str | None = "IMG_0042.JPG",
) -> ReviewRecord:
    answers, why = _answers()
    return build_record(
        reviewer=reviewer,
        checklist=load_checklist("en"),
        answers=answers,
        justifications=why,
        original_sha256=hashlib.sha256(b"original %d" % seed).hexdigest(),
        output_bytes=_jpeg(seed),
        output_format="JPEG",
        output_size=(320, 240),
        caption=caption,
        alt_text="An empty room with a bed fixed to the floor.",
        findings=FINDINGS,
        regions=REGIONS,
        input_name=input_name,
    )


def _assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# ----------------------------------------------------------------------------------------- content


def test_record_holds_what_the_brief_asks_for() -> None:
    record = make_record()
    assert record.decision == "approved" and record.reasons == ()
    assert record.tool_version == __version__
    assert record.created_at.endswith("Z") and "T" in record.created_at
    assert record.output_sha256 == hashlib.sha256(_jpeg(0)).hexdigest()
    assert record.output_bytes == len(_jpeg(0))
    assert [f.describe() for f in record.findings_removed] == [
        "GPS position removed",
        "device serial number removed",
        "person's name removed",
    ]
    text_region = record.regions[1]
    assert (
        text_region.kind == "text"
        and text_region.style == "solid"
        and text_region.text_length == len(REDACTED_TEXT)
    )
    assert record.regions[2].source == "manual" and record.regions[2].enabled is False
    crop = next(a for a in record.answers if a.question_id == "framing_crop")
    assert crop.option_id == "yes" and crop.justification == "Only a bare wall is cut." and crop.question


def test_record_never_contains_removed_values_text_or_pixels() -> None:
    record = make_record()
    image = _jpeg(0)
    for text in (record.to_json(), record.to_markdown(), record.to_html()):
        _assert_no_secrets(text)
        assert base64.b64encode(image[:300]).decode()[:64] not in text
        assert image[:300].hex() not in text
    assert len(record.to_json()) < 40_000  # answers and boxes only


def test_real_metadata_findings_are_reduced_to_kinds() -> None:
    """Findings from photolab.metadata on a JPEG carrying GPS, an owner's name and a serial number."""
    import piexif

    from photolab.metadata import inspect

    exif = {
        "0th": {piexif.ImageIFD.Artist: OWNER_VALUE.encode(), piexif.ImageIFD.Make: b"Canon"},
        "Exif": {piexif.ExifIFD.BodySerialNumber: SERIAL_VALUE.encode()},
        "GPS": {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: ((59, 1), (54, 1), (5004, 100)),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: ((10, 1), (45, 1), (792, 100)),
        },
    }
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(out, "JPEG", exif=piexif.dump(exif))
    findings = inspect(out.getvalue())
    values = [f.value for f in findings if len(f.value) >= 5]
    assert any(GPS_VALUE[:7] in v for v in values) and SERIAL_VALUE in values and OWNER_VALUE in values
    answers, why = _answers()
    record = build_record(
        reviewer="R", checklist=load_checklist("en"), answers=answers, justifications=why,
        original_sha256=hashlib.sha256(out.getvalue()).hexdigest(), output_bytes=_jpeg(1),
        output_format="JPEG", output_size=(320, 240), caption="c", alt_text="a", findings=findings,
    )  # fmt: skip
    assert {f.describe() for f in record.findings_removed} >= {
        "GPS position removed",
        "device serial number removed",
    }
    for text in (record.to_json(), record.to_markdown(), record.to_html()):
        _assert_no_secrets(text)
        for value in values:
            assert value not in text


def test_json_round_trip() -> None:
    record = make_record()
    assert ReviewRecord.from_json(record.to_json()) == record


def test_markdown_is_readable_and_escapes_tables() -> None:
    record = make_record(caption="Corridor | east wing\nsecond line")
    md = record.to_markdown()
    assert md.startswith(f"# Review record {record.record_id}")
    assert "**Decision: APPROVED**" in md and "## Redacted regions" in md and "| # | Kind |" in md
    assert "> Corridor | east wing" in md  # the caption block keeps the text as written
    assert "Only a bare wall is cut." in md
    assert "(withheld)" in make_record(input_name=None).to_markdown()


def test_html_escapes_user_text() -> None:
    html_page = make_record(caption="<script>alert(1)</script>").to_html()
    assert "<script>" not in html_page and "&lt;script&gt;" in html_page
    assert "http" not in html_page  # self-contained


def test_approval_is_enforced_on_the_server() -> None:
    answers, why = _answers()
    common = dict(
        checklist=load_checklist("en"),
        original_sha256="0" * 64,
        output_bytes=b"x",
        output_format="JPEG",
        output_size=(1, 1),
        reviewer="R",
    )
    with pytest.raises(ReviewBlocked, match="expressly agreed"):
        build_record(
            answers=answers | {"consent_identifiable": "yes", "consent_express": "no"},
            justifications=why,
            caption="c",
            alt_text="a",
            **common,
        )
    with pytest.raises(ReviewBlocked, match="Justification needed: purpose_objective, framing_crop"):
        build_record(answers=answers, justifications={}, caption="c", alt_text="a", **common)
    with pytest.raises(ReviewBlocked, match="Alt text is required"):
        build_record(answers=answers, justifications=why, caption="c", alt_text=" ", **common)
    with pytest.raises(ReviewBlocked, match="caption is required"):
        build_record(answers=answers, justifications=why, caption="", alt_text="a", **common)


def test_refusal_is_recorded_with_reasons() -> None:
    answers, why = _answers()
    record = build_record(
        checklist=load_checklist("en"),
        answers=answers | {"reprisal_assessment": "no"},
        justifications=why,
        original_sha256="0" * 64,
        output_bytes=b"x",
        output_format="JPEG",
        output_size=(1, 1),
        reviewer="R",
        caption="",
        alt_text="",
        refuse=True,
        refusal_reasons=["Too close to the visit date.", " "],
    )
    assert record.decision == "refused"
    assert record.reasons == (
        "Too close to the visit date.",
        load_checklist("en").question("reprisal_assessment").option("no").reason,
    )
    assert "**Decision: REFUSED**" in record.to_markdown()


def test_answers_to_questions_that_do_not_apply_are_not_recorded() -> None:
    answers, why = _answers()
    record = build_record(
        checklist=load_checklist("en"),
        answers=answers | {"purpose_people_visible": "no"},
        justifications=why,
        original_sha256="0" * 64,
        output_bytes=b"x",
        output_format="PNG",
        output_size=(1, 1),
        reviewer="R",
        caption="c",
        alt_text="a",
    )
    ids = {a.question_id for a in record.answers}
    assert "consent_informed" not in ids and "purpose_people_visible" in ids


def test_french_record_keeps_french_wording() -> None:
    answers, why = _answers()
    record = build_record(
        checklist=load_checklist("fr"),
        answers=answers,
        justifications=why,
        original_sha256="0" * 64,
        output_bytes=b"x",
        output_format="PNG",
        output_size=(1, 1),
        reviewer="R",
        caption="c",
        alt_text="a",
    )
    assert record.checklist_language == "fr"
    assert record.answers[0].question == load_checklist("fr").question(record.answers[0].question_id).text


# ------------------------------------------------------------------------------------------- store


def test_store_save_get_list(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "db.sqlite3")
    records = [make_record(i, reviewer=f"R{i}") for i in range(5)]
    for record in records:
        store.save(record)
    assert store.count() == 5
    assert store.get(records[3].record_id) == records[3]
    assert store.get("no-such-id") is None
    listed = store.list(limit=3)
    assert [s.reviewer for s in listed] == ["R4", "R3", "R2"]  # newest first (same second: insertion order)
    assert [s.reviewer for s in store.list(limit=3, offset=3)] == ["R1", "R0"]
    assert listed[0].decision == "approved" and listed[0].output_sha256 == records[4].output_sha256
    _assert_no_secrets((tmp_path / "db.sqlite3").read_bytes().decode("latin-1"))


def test_database_is_private_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "private" / "db.sqlite3"
    RecordStore(path).save(make_record())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert (
            conn.execute("SELECT version FROM schema_migrations WHERE component='records'").fetchone()[0] == 1
        )
    conn.close()


def test_a_deleted_database_is_recreated_private(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite3"
    RecordStore(path).save(make_record())
    for p in tmp_path.iterdir():
        p.unlink()
    store = RecordStore(path)
    store.save(make_record(1))
    assert store.count() == 1 and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_default_path_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOLAB_DB", str(tmp_path / "env.sqlite3"))
    config.reload()
    assert RecordStore().path == tmp_path / "env.sqlite3"
    monkeypatch.delenv("PHOTOLAB_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config.reload()
    assert default_db_path() == tmp_path / "data" / "photolab" / "photolab.sqlite3"


def test_fifty_threads_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    records = [make_record(i % 3, reviewer=f"thread {i}") for i in range(50)]
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def write(record: ReviewRecord) -> None:
        try:
            store = RecordStore(path)  # a fresh store per thread: schema creation races too
            barrier.wait()
            store.save(record)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(r,)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    store = RecordStore(path)
    assert store.count() == 50
    assert {s.record_id for s in store.list(limit=100)} == {r.record_id for r in records}


def test_shared_database_helper_for_other_components(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    RecordStore(path).save(make_record())
    v1 = [
        "CREATE TABLE rounds (id TEXT PRIMARY KEY, code TEXT NOT NULL);\n"
        "CREATE TABLE submissions (id INTEGER PRIMARY KEY, round_id TEXT REFERENCES rounds(id), body TEXT);"
    ]
    with connect(path) as conn:
        assert ensure_schema(conn, "workshop", v1) == 1
        assert ensure_schema(conn, "workshop", v1) == 1  # idempotent
        with transaction(conn):
            conn.execute("INSERT INTO rounds VALUES ('r1', 'ABC-123')")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO submissions (round_id, body) VALUES ('missing', 'x')")  # FKs are on
        with pytest.raises(ZeroDivisionError), transaction(conn):
            conn.execute("INSERT INTO rounds VALUES ('r2', 'rolled back')")
            raise ZeroDivisionError
        v2 = [*v1, "ALTER TABLE rounds ADD COLUMN title TEXT DEFAULT 'Oslo; day 2';"]
        assert ensure_schema(conn, "workshop", v2) == 2
        assert [tuple(r) for r in conn.execute("SELECT id, title FROM rounds")] == [("r1", "Oslo; day 2")]
        with pytest.raises(RuntimeError, match="newer"):
            ensure_schema(conn, "workshop", v1)
    assert RecordStore(path).count() == 1


def test_json_export_round_trip(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "db.sqlite3")
    records = [make_record(i) for i in range(3)]
    for r in records:
        store.save(r)
    out = tmp_path / "out" / "records.json"
    text = store.export_json(out)
    assert out.read_text("utf-8") == text
    assert [ReviewRecord.from_dict(d) for d in json.loads(text)] == records
    _assert_no_secrets(text)


def test_csv_export_round_trip(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "db.sqlite3")
    records = [make_record(0, caption='=HYPERLINK("http://x")'), make_record(1, caption="Ward, façade; 2026")]
    for r in records:
        store.save(r)
    text = store.export_csv(tmp_path / "records.csv")
    assert (tmp_path / "records.csv").read_text("utf-8") == text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    for row, record in zip(rows, records, strict=True):
        assert row["record_id"] == record.record_id and row["output_sha256"] == record.output_sha256
        assert int(row["output_width"]) == 320 and row["decision"] == "approved"
        assert json.loads(row["regions"]) == json.loads(record.to_json())["regions"]
        for a in record.answers:
            assert row[f"answer:{a.question_id}"] == a.option_id
            assert row[f"justification:{a.question_id}"] == a.justification
    assert rows[0]["caption"] == '\'=HYPERLINK("http://x")'  # never run as a spreadsheet formula
    assert rows[1]["caption"] == "Ward, façade; 2026"
    _assert_no_secrets(text)


# --------------------------------------------------------------------------------------------- zip


def test_export_zip_has_exactly_the_bundle(tmp_path: Path) -> None:
    image = _jpeg(7)
    record = make_record(7)
    out = build_export_zip(
        tmp_path / "export" / "bundle.zip", image, "clean-042.jpg", record, record.caption, record.alt_text
    )
    assert out == tmp_path / "export" / "bundle.zip"
    assert [p.name for p in out.parent.iterdir()] == ["bundle.zip"]  # no temp file left behind
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["caption.txt", "clean-042.jpg", "record.json", "record.md"]
        assert zf.read("clean-042.jpg") == image
        assert hashlib.sha256(zf.read("clean-042.jpg")).hexdigest() == record.output_sha256
        assert ReviewRecord.from_json(zf.read("record.json").decode()) == record
        assert zf.read("record.md").decode() == record.to_markdown()
        caption = zf.read("caption.txt").decode()
        assert record.caption in caption and record.alt_text in caption
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zf.infolist())
        for name in ("caption.txt", "record.json", "record.md"):
            _assert_no_secrets(zf.read(name).decode())


def test_export_zip_image_name_cannot_escape_or_collide(tmp_path: Path) -> None:
    out = build_export_zip(tmp_path / "a.zip", b"img", "../../etc/x.png", make_record(), "c", "a")
    with zipfile.ZipFile(out) as zf:
        assert "x.png" in zf.namelist()
    for bad in ("record.json", "", "/", "a/.hidden"):
        with pytest.raises(ValueError):
            build_export_zip(tmp_path / "b.zip", b"img", bad, make_record(), "c", "a")
    assert not (tmp_path / "b.zip").exists()


# --------------------------------------------------------------------------------------------- CLI


def test_cli_records_list_and_export(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    store = RecordStore(db)
    records = [make_record(i, reviewer=f"Reviewer {i}") for i in range(2)]
    for r in records:
        store.save(r)
    runner = CliRunner()

    listed = runner.invoke(app, ["records", "list", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert records[0].record_id in listed.output and "Reviewer 1" in listed.output

    as_json = runner.invoke(app, ["records", "export", "--db", str(db)])
    assert as_json.exit_code == 0
    assert [d["record_id"] for d in json.loads(as_json.stdout)] == [r.record_id for r in records]

    out = tmp_path / "r.csv"
    as_csv = runner.invoke(app, ["records", "export", "--db", str(db), "-o", str(out)])  # format from suffix
    assert as_csv.exit_code == 0
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 2

    shown = runner.invoke(app, ["records", "show", records[1].record_id, "--db", str(db)])
    assert shown.exit_code == 0 and shown.stdout.startswith(f"# Review record {records[1].record_id}")
    missing = runner.invoke(app, ["records", "show", "nope", "--db", str(db)])
    assert missing.exit_code == 1

    bad = runner.invoke(app, ["records", "export", "--db", str(db), "--format", "xml"])
    assert bad.exit_code == 2


def test_headings_follow_the_language_of_the_checklist() -> None:
    for lang, title in (("ar", "سجل المراجعة"), ("ru", "Протокол проверки"), ("pt", "Registo de revisão")):
        record = record_for_lang(lang)
        assert record.to_markdown().startswith(f"# {title} ")
        page = record.to_html()
        assert title in page and f"lang='{lang}'" in page
    assert "dir='rtl'" in record_for_lang("ar").to_html()


def record_for_lang(lang: str):
    return build_record(reviewer="R", checklist=load_checklist(lang), answers={}, justifications={},
                        original_sha256="a" * 64, output_bytes=b"", output_format="JPEG", output_size=(1, 1),
                        caption="", alt_text="", refuse=True, refusal_reasons=("x",))
