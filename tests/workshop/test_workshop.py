"""Workshop logic: matching rule, scoring, store, aggregation, prompts, exports, 30 participants at once."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from pathlib import Path

import pytest
import yaml
from PIL import Image

from photolab import workshop as ws
from photolab.review.store import RecordStore

QUESTION_IDS = [q.id for q in ws.load_questions("en")]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def scenarios(small_samples: Path) -> list[ws.Scenario]:
    return ws.load_scenarios(small_samples)


@pytest.fixture()
def store(tmp_path: Path) -> ws.WorkshopStore:
    return ws.WorkshopStore(tmp_path / "photolab.db")


def answer_all(store: ws.WorkshopStore, token: str, sid: str, value: str = "yes", **fields: object) -> None:
    answers = {q: value if q != "typical" else "typical" for q in QUESTION_IDS}
    defaults = {"caption": "A corridor", "decision": "publish_with_changes", "reason": "Faces must go"}
    store.save_progress(token, sid, answers=answers, **{**defaults, **fields})  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ matching


PHOTO = (400, 300)


def test_matching_rule_iou_cover_centre_and_photo_cap() -> None:
    hazard = (100, 100, 50, 50)
    assert ws.box_finds_hazard((105, 105, 50, 50), hazard, PHOTO)  # IoU ~0.68
    assert ws.box_finds_hazard((80, 80, 90, 90), hazard, PHOTO)  # generous box around it (3.2x area)
    assert ws.box_finds_hazard((20, 20, 190, 180), hazard, PHOTO)  # 13.7x its area, 28% of the photo
    assert not ws.box_finds_hazard((0, 0, 400, 300), hazard, PHOTO)  # the whole photo
    assert not ws.box_finds_hazard((0, 0, 300, 210), hazard, PHOTO)  # covers it, but 52% of the photo
    assert ws.box_finds_hazard((110, 110, 8, 8), hazard, PHOTO)  # tight box on its core
    assert ws.box_finds_hazard((95, 95, 45, 60), hazard, PHOTO)  # covers 80% of it
    assert not ws.box_finds_hazard((125, 80, 60, 90), hazard, PHOTO)  # half of it only, IoU 0.2
    assert not ws.box_finds_hazard((160, 160, 30, 30), hazard, PHOTO)  # beside it
    assert not ws.box_finds_hazard((100, 100, 0, 20), hazard, PHOTO)  # degenerate


def test_a_box_around_the_whole_door_sign_spots_name_and_room() -> None:
    """Issue 10: one box around the door sign of s01 (4.17x the name's area) scored "spotted 0 of 3"."""
    name = ws.Hazard("name", "text", "Name", (1413, 472, 80, 21))
    room = ws.Hazard("room", "text", "Room", (1424, 440, 55, 16))
    far = ws.Hazard("far", "text", "Other door", (452, 437, 41, 52))
    sign = (1400, 430, 112, 63)  # the whole sign, a margin all round
    assert sign[2] * sign[3] / (80 * 21) > 4.1
    score = ws.score_boxes([sign], [name, room, far], (1600, 1067))
    assert set(score.found) == {"name", "room"} and score.missed == ("far",) and not score.extra


def test_score_boxes_found_missed_extra(scenarios: list[ws.Scenario]) -> None:
    ward = scenarios[0]
    # one box over the door name, one on nothing, none on the face
    score = ws.score_boxes([(8, 8, 66, 24), (150, 250, 30, 30)], ward.hazards, ward.size)
    assert score.found == ("door_name",)
    assert set(score.missed) == {"face", "view"}
    assert score.extra == ((150, 250, 30, 30),)
    assert (score.must_found, score.must_total) == (1, 2)
    assert score.recall == pytest.approx(0.5)


def test_one_box_may_find_two_hazards() -> None:
    hazards = [
        ws.Hazard("name", "text", "Name", (10, 10, 40, 10)),
        ws.Hazard("room", "text", "Room", (10, 22, 40, 10)),
    ]
    score = ws.score_boxes([(8, 8, 46, 26)], hazards, PHOTO)
    assert set(score.found) == {"name", "room"} and not score.extra


def test_scenarios_load_every_language(scenarios: list[ws.Scenario]) -> None:
    ward = scenarios[0]
    assert ward.text("title", "fr") == "Chambre d'isolement"
    assert scenarios[1].text("title", "es") == "Staff office"  # English fallback
    assert ward.text("learning_points", "en") == ["Door signs carry names."]
    assert len(ward.hazards) == 3 and ward.image.exists() and ward.size == (400, 300)


def test_missing_samples_say_where_to_look(tmp_path: Path) -> None:
    with pytest.raises(ws.WorkshopError, match="PHOTOLAB_SAMPLES"):
        ws.load_scenarios(tmp_path)


def test_shipped_samples_have_hazards_inside_images() -> None:
    samples = REPO / "samples"
    if not (samples / "scenarios.yaml").exists() or not (samples / "hazards.json").exists():
        pytest.skip("samples/ not built yet")
    scenarios = ws.load_scenarios(samples)
    assert len(scenarios) >= 8
    for sc in scenarios:
        assert sc.hazards, sc.id
        with Image.open(sc.image) as im:
            width, height = im.size
        for h in sc.hazards:
            x, y, w, hh = h.box
            assert x >= 0 and y >= 0 and x + w <= width and y + hh <= height, (sc.id, h.id)
        for lang in ws.languages():
            assert sc.text("title", lang) and sc.text("brief", lang)
        assert sc.suggested_decision in ("", *ws.DECISIONS)


# --------------------------------------------------------------------------------------------- store


def test_join_is_anonymous_unless_opted_in(store: ws.WorkshopStore) -> None:
    rnd = store.create_round(["ward"], "Morning")
    assert len(rnd.code) == ws.JOIN_CODE_LENGTH and set(rnd.code) <= set(ws.JOIN_ALPHABET)
    hidden = store.join(rnd.code.lower(), name="Amina Diallo", share_name=False)
    shown = store.join(rnd.code, name="Luis", share_name=True, lang="es")
    assert hidden.name == "" and hidden.label() == "Participant 1"
    assert shown.label() == "Luis" and shown.lang == "es" and shown.number == 2
    dump = "\n".join(sqlite3.connect(store.path).iterdump())
    assert "Amina" not in dump


def test_wrong_code_and_closed_round(store: ws.WorkshopStore) -> None:
    rnd = store.create_round(["ward"])
    with pytest.raises(ws.WorkshopError):
        store.join("ZZZZZZ")
    p = store.join(rnd.code)
    answer_all(store, p.token, "ward")
    store.set_open(rnd.id, False)
    with pytest.raises(ws.WorkshopError, match="closed"):
        store.join(rnd.code)
    with pytest.raises(ws.WorkshopError, match="closed"):
        store.submit(p.token, "ward", QUESTION_IDS)
    with pytest.raises(ws.WorkshopError):
        store.create_round([])


def test_progress_is_saved_piece_by_piece_and_resumes(store: ws.WorkshopStore) -> None:
    rnd = store.create_round(["ward", "office"])
    p = store.join(rnd.code)
    store.save_progress(p.token, "ward", boxes=[{"box": [50, 60, -20, 30], "label": "face"}])
    store.save_progress(p.token, "ward", answers={"identifiable": "yes"})
    store.save_progress(p.token, "ward", answers={"consent": "no"})
    store.save_progress(p.token, "ward", caption="  Corridor  ")
    sub = store.submission(p.token, "ward")
    assert sub.boxes == [{"box": [30, 60, 20, 30], "label": "face"}]  # negative width normalised
    assert sub.answers == {"identifiable": "yes", "consent": "no"}
    assert sub.caption == "Corridor" and sub.submitted_at is None
    with pytest.raises(ws.WorkshopError, match="Answer every question"):
        store.submit(p.token, "ward", QUESTION_IDS)
    with pytest.raises(ws.WorkshopError):
        store.save_progress(p.token, "not-in-round", caption="x")
    with pytest.raises(ws.WorkshopError):
        store.save_progress(p.token, "ward", decision="maybe")
    answer_all(store, p.token, "ward")
    store.submit(p.token, "ward", QUESTION_IDS)
    # a "reload": only the token is known
    again = store.participant(p.token)
    assert again.position == 1
    assert store.submission(p.token, "ward").submitted_at is not None


def test_submission_problems() -> None:
    sub = ws.Submission("t", "s", answers=dict.fromkeys(QUESTION_IDS, "yes"), decision="publish", reason="ok")
    assert ws.submission_problems(sub, QUESTION_IDS) == ["Write the caption you would publish."]
    sub.decision = "do_not_publish"
    assert ws.submission_problems(sub, QUESTION_IDS) == []  # no caption needed when not publishing
    sub.reason = ""
    assert ws.submission_problems(sub, QUESTION_IDS) == ["Give a reason for your decision."]


def test_tables_live_in_the_review_records_database_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    records = RecordStore(db)
    assert records.count() == 0  # creates the records' tables
    store = ws.WorkshopStore(db)
    store.create_round(["ward"])
    assert records.count() == 0 and ws.WorkshopStore(db).round_by_code(store.round_by_id(1).code)
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"review_records", "workshop_rounds", "workshop_submissions"} <= tables
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        versions = dict(conn.execute("SELECT component, version FROM schema_migrations").fetchall())
        assert versions["workshop"] == len(ws.WORKSHOP_MIGRATIONS)
    assert store.secret("browser") == ws.WorkshopStore(db).secret("browser")


# --------------------------------------------------------------------------------------- aggregation


def run_room(store: ws.WorkshopStore) -> ws.Round:
    """Four participants on the ward scenario: the face is missed by three, the room splits on consent."""
    rnd = store.create_round(["ward", "office"], "Geneva")
    people = [store.join(rnd.code, name=n, share_name=n == "Ana") for n in ("Ana", "Bo", "Cy", "Di")]
    face_box = {"box": [198, 98, 44, 54], "label": "face"}
    door_box = {"box": [10, 10, 60, 20], "label": "text"}
    stray = {"box": [0, 250, 20, 20], "label": "other"}
    plans = [
        ([door_box, face_box], "yes", "publish_with_changes"),
        ([door_box], "no", "publish"),
        ([door_box, stray], "unsure", "do_not_publish"),
        ([stray], "yes", "publish_with_changes"),
    ]
    for p, (boxes, consent, decision) in zip(people, plans, strict=True):
        answer_all(store, p.token, "ward", decision=decision, caption=f"Caption by {p.number}")
        store.save_progress(p.token, "ward", boxes=boxes, answers={"consent": consent})
        store.submit(p.token, "ward", QUESTION_IDS)
    store.save_progress(people[0].token, "office", caption="draft")  # in progress, not counted
    return rnd


def test_aggregate_counts_hazards_questions_and_decisions(
    store: ws.WorkshopStore, scenarios: list[ws.Scenario]
) -> None:
    rnd = run_room(store)
    result = ws.aggregate(store, rnd.id, scenarios)
    assert (result.participants, result.finished) == (4, 0)
    ward, office = result.scenarios
    assert (ward.submitted, ward.in_progress, office.submitted, office.in_progress) == (4, 0, 0, 1)
    found = {hr.hazard.id: hr.found_by for hr in ward.hazards}
    assert found == {"door_name": 3, "face": 1, "view": 0}
    consent = next(qr for qr in ward.questions if qr.question.id == "consent")
    assert consent.counts == {"yes": 2, "no": 1, "unsure": 1}
    identifiable = next(qr for qr in ward.questions if qr.question.id == "identifiable")
    assert identifiable.counts["yes"] == 4 and identifiable.entropy == 0.0
    assert ward.decisions == {"publish": 1, "publish_with_changes": 2, "do_not_publish": 1}
    assert ward.extra_marks == 2
    assert ward.mean_recall == pytest.approx((1.0 + 0.5 + 0.5 + 0.0) / 4)
    labels = [e.participant for e in ward.entries]
    assert labels == ["Ana", "Participant 2", "Participant 3", "Participant 4"]
    assert [e.caption for e in ward.entries] == [f"Caption by {i}" for i in range(1, 5)]


def test_prompts_come_from_disagreement(store: ws.WorkshopStore, scenarios: list[ws.Scenario]) -> None:
    rnd = run_room(store)
    result = ws.aggregate(store, rnd.id, scenarios)
    prompts = ws.discussion_prompts(result)
    kinds = [p.kind for p in prompts]
    assert "hazard_missed" in kinds and "question_split" in kinds and "decision_split" in kinds
    missed = next(p for p in prompts if p.kind == "hazard_missed")
    assert "“Face”" in missed.text and "3 of 4" in missed.text
    assert not any("Window view" in p.text for p in prompts)  # not a must-redact hazard
    assert not any("Does the image show a systemic" in p.text for p in prompts)  # everyone agreed
    assert prompts == sorted(prompts, key=lambda p: -p.weight)
    fr = ws.discussion_prompts(ws.aggregate(store, rnd.id, scenarios, "fr"), "fr")
    assert any("Chambre d'isolement" in p.text and "« Visage »" in p.text for p in fr)


def test_prompts_fall_back_to_scenario_questions(
    store: ws.WorkshopStore, scenarios: list[ws.Scenario]
) -> None:
    rnd = store.create_round(["ward"])
    result = ws.aggregate(store, rnd.id, scenarios)
    assert [p.text for p in ws.discussion_prompts(result)] == ["Would you publish a restraint bed?"]


# -------------------------------------------------------------------------------------------- export


def test_exports_keep_hidden_names_and_tokens_out(
    store: ws.WorkshopStore, scenarios: list[ws.Scenario]
) -> None:
    rnd = run_room(store)
    store.set_takeaways(rnd.id, "Check door signs first\n\nAsk for consent in writing")
    result = ws.aggregate(store, rnd.id, scenarios)
    tokens = [p.token for p in store.participants(rnd.id)]

    rows = list(csv.DictReader(io.StringIO(ws.export_csv(store, result))))
    assert len(rows) == 4
    assert [r["participant"] for r in rows] == ["Ana", "Participant 2", "Participant 3", "Participant 4"]
    assert rows[0]["hazards_found"] == "door_name;face" and rows[0]["q_consent"] == "yes"
    assert rows[3]["hazards_missed"] == "door_name;face;view" and rows[3]["extra_marks"] == "1"

    data = ws.export_json(store, result)
    text = json.dumps(data, ensure_ascii=False)
    for secret in (*tokens, "Bo", "Cy", "Di", rnd.admin_key):
        assert f'"{secret}"' not in text
    ward = data["scenarios"][0]
    assert {h["id"]: h["found_by"] for h in ward["hazards"]} == {"door_name": 3, "face": 1, "view": 0}
    assert data["round"]["participants"] == 4 and data["prompts"]

    md = ws.summary_markdown(result)
    assert "## What we learned" in md and "## What we will change" in md
    assert "- Check door signs first" in md and "- Ask for consent in writing" in md
    assert "Face (3/4)" in md
    page = ws.summary_html(result, "es")
    assert page.startswith("<!doctype html>") and 'class="ws-chart"' in page and "Qué aprendimos" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    for token in tokens:
        assert token not in md and token not in page


def test_chart_escapes_labels_and_scales_bars() -> None:
    chart = ws.bar_chart([("<b>x</b>", 1, "1/2"), ("y", 2, "2/2")], title="T & co", maximum=2)
    assert "<b>" not in chart and "&lt;b&gt;" in chart and "<figcaption>T &amp; co</figcaption>" in chart
    assert 'style="width:50.0%"' in chart and 'style="width:100.0%"' in chart
    assert (
        chart.count("<li>") == 2 and 'aria-hidden="true"' in chart
    )  # text carries the value, bars are decor


def test_summary_of_an_unplayed_scenario_says_so(
    store: ws.WorkshopStore, scenarios: list[ws.Scenario]
) -> None:
    rnd = store.create_round(["ward", "office"])
    md = ws.summary_markdown(ws.aggregate(store, rnd.id, scenarios))
    assert "0%" not in md and "(0 answer sheets)" not in md
    assert md.count("Nobody submitted an answer sheet for this scenario.") == 2


# ---------------------------------------------------------------------------------------- concurrency


def test_thirty_concurrent_participants_lose_nothing(
    store: ws.WorkshopStore, scenarios: list[ws.Scenario]
) -> None:
    rnd = store.create_round(["ward", "office"])
    n = 30
    tokens: dict[int, str] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def participant(i: int) -> None:
        try:
            barrier.wait()
            p = store.join(rnd.code, name=f"P{i}", share_name=True)
            tokens[i] = p.token
            for sid in ("ward", "office"):
                store.save_progress(p.token, sid, boxes=[{"box": [i, i, 10 + i, 10], "label": "face"}])
                for q in QUESTION_IDS:  # one event per question, as the UI does
                    store.save_progress(p.token, sid, answers={q: ("yes", "no", "unsure")[i % 3]})
                store.save_progress(p.token, sid, caption=f"caption {i} {sid}", decision=ws.DECISIONS[i % 3])
                store.save_progress(p.token, sid, reason=f"reason {i}")
                store.submit(p.token, sid, QUESTION_IDS)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=participant, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    people = store.participants(rnd.id)
    assert sorted(p.number for p in people) == list(range(1, n + 1))
    assert all(p.position == 2 for p in people)
    for i, token in tokens.items():
        assert store.participant(token).name == f"P{i}"
        for sid in ("ward", "office"):
            sub = store.submission(token, sid)
            assert sub.caption == f"caption {i} {sid}" and sub.reason == f"reason {i}"
            assert sub.boxes == [{"box": [i, i, 10 + i, 10], "label": "face"}]
            assert sub.answers == dict.fromkeys(QUESTION_IDS, ("yes", "no", "unsure")[i % 3])
            assert sub.decision == ws.DECISIONS[i % 3] and sub.submitted_at
    result = ws.aggregate(store, rnd.id, scenarios)
    assert result.finished == n and [sr.submitted for sr in result.scenarios] == [n, n]
    assert sum(result.scenarios[0].decisions.values()) == n


# ------------------------------------------------------------------------------------------ languages


def _keys(d: object, prefix: str = "") -> set[str]:
    if isinstance(d, dict):
        return set().union(*(_keys(v, f"{prefix}{k}.") for k, v in d.items())) | {prefix}
    if isinstance(d, list):
        return set().union(*(_keys(v, f"{prefix}{i}.") for i, v in enumerate(d))) | {prefix}
    return {prefix}


def test_languages_come_from_the_files_present() -> None:
    files = {p.stem for p in ws.TEXTS_DIR.glob("*.yaml")}
    assert ws.languages()[0] == "en" and set(ws.languages()) == files and {"fr", "es"} <= files
    assert ws.language_name("fr") == "Français" and ws.direction("fr") == "ltr"
    assert ws.direction("ar") == "rtl"  # declared or not, Arabic is written right to left
    assert ws.pick_language("fr-CH, fr;q=0.9, en;q=0.8") == "fr"
    assert ws.pick_language("de-DE, es;q=0.5") == "es" and ws.pick_language("de") == "en"
    assert ws.pick_language("en;q=0.1, fr;q=0.9") == "fr"


@pytest.mark.parametrize("lang", [code for code in ws.languages() if code != "en"])
def test_every_language_has_every_string(lang: str) -> None:
    """Every language present has exactly the English keys (pt, ar, ru are filled in by the translators)."""
    raw = {
        code: yaml.safe_load((ws.TEXTS_DIR / f"{code}.yaml").read_text(encoding="utf-8"))
        for code in ("en", lang)
    }
    keys = _keys(raw["en"]) - {k for k in _keys(raw["en"]) if k.startswith("_meta.")}
    theirs = _keys(raw[lang]) - {k for k in _keys(raw[lang]) if k.startswith("_meta.")}
    assert sorted(keys - theirs) == [], f"{lang} lacks these keys"
    assert sorted(theirs - keys) == [], f"{lang} has keys English does not"
    assert [q["id"] for q in raw[lang]["questions"]] == [q["id"] for q in raw["en"]["questions"]]
    for key in ("participant", "join_button", "submit", "all_done", "tool_create"):
        assert raw[lang]["ui"].get(key) != raw["en"]["ui"][key], (lang, key)  # translated, not copied


def test_errors_speak_the_participants_language(store: ws.WorkshopStore) -> None:
    rnd = store.create_round(["ward"])
    p = store.join(rnd.code, lang="fr")
    with pytest.raises(ws.WorkshopError) as caught:
        store.submit(p.token, "ward", QUESTION_IDS)
    assert caught.value.message == f"Answer every question ({len(QUESTION_IDS)} left)."
    assert caught.value.text("fr") == f"Répondez à toutes les questions (il en reste {len(QUESTION_IDS)})."
    assert caught.value.text("es").startswith("Responda")
    sub = ws.Submission("t", "s", answers=dict.fromkeys(QUESTION_IDS, "yes"), decision="publish", reason="r")
    assert ws.submission_problems(sub, QUESTION_IDS, "es") == ["Escriba el pie de foto que publicaría."]


def test_delete_round_forgets_everything_of_that_round_only(store: ws.WorkshopStore) -> None:
    keeper = sqlite3.connect(store.path)  # another open connection, as in a running server: the WAL stays
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    gone, kept = store.create_round(["ward"]), store.create_round(["ward"])
    for rnd in (gone, kept):
        p = store.join(rnd.code, name="Zaid", share_name=True)
        answer_all(store, p.token, "ward", caption=f"caption {rnd.code}")
        store.submit(p.token, "ward", QUESTION_IDS)
    store.delete_round(gone.id)
    with pytest.raises(ws.WorkshopError):
        store.round_by_code(gone.code)
    on_disk = b"".join(p.read_bytes() for p in store.path.parent.glob(store.path.name + "*"))
    assert f"caption {gone.code}".encode() not in on_disk  # overwritten, not just unlinked
    assert f"caption {kept.code}".encode() in on_disk
    keeper.close()
    assert [s.caption for s in store.submissions(kept.id)] == [f"caption {kept.code}"]


def _database_bytes(store: ws.WorkshopStore) -> dict[str, bytes]:
    """The database file and its -wal and -shm companions, whatever exists of them."""
    names = [store.path.name, store.path.name + "-wal", store.path.name + "-shm"]
    return {n: (store.path.parent / n).read_bytes() for n in names if (store.path.parent / n).exists()}


def test_delete_with_a_dashboard_reader_open_completes_when_the_reader_goes(store: ws.WorkshopStore) -> None:
    """Issue 8 part 7: a reader in the middle of a read blocked the checkpoint, and the main file kept a
    caption naming a resident. The delete must say so, then finish by itself once the reader lets go."""
    gone, kept = store.create_round(["ward"]), store.create_round(["ward"])
    secret = "Room 14 Amara Okafor"
    for rnd, caption in ((gone, f"{secret} {gone.code}"), (kept, f"kept {kept.code}")):
        p = store.join(rnd.code, name="Zaid Haddad", share_name=True)
        answer_all(store, p.token, "ward", caption=caption)
        store.submit(p.token, "ward", QUESTION_IDS)
    with sqlite3.connect(store.path) as conn:  # get the caption into the main file, as hours of use would
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert secret.encode() in _database_bytes(store)[store.path.name]

    reader = sqlite3.connect(store.path, isolation_level=None)
    reader.execute("BEGIN")  # a dashboard refresh holding its read snapshot
    assert reader.execute("SELECT count(*) FROM workshop_submissions").fetchone()[0] == 2
    outcome = store.delete_round(gone.id, wait_s=0.3)
    assert not outcome.complete  # said plainly: the old copies are still in the files
    with pytest.raises(ws.WorkshopError):
        store.round_by_code(gone.code)  # but no query finds the round any more
    reader.execute("COMMIT")  # the reader goes (its connection stays open, idle)

    assert store.wait_scrubbed(10)
    for name, data in _database_bytes(store).items():
        assert secret.encode() not in data, name
        assert b"Zaid Haddad" not in data or name == store.path.name  # the kept round's opted-in name
    assert f"kept {kept.code}".encode() in _database_bytes(store)[store.path.name]
    reader.close()
    assert [s.caption for s in store.submissions(kept.id)] == [f"kept {kept.code}"]


def test_delete_with_an_idle_reader_connection_is_complete_at_once(store: ws.WorkshopStore) -> None:
    idle = sqlite3.connect(store.path)
    idle.execute("SELECT count(*) FROM sqlite_master").fetchall()
    rnd = store.create_round(["ward"])
    p = store.join(rnd.code)
    answer_all(store, p.token, "ward", caption="Ward 3 East, Mr Lindqvist")
    store.submit(p.token, "ward", QUESTION_IDS)
    assert store.delete_round(rnd.id).complete
    assert all(b"Lindqvist" not in data for data in _database_bytes(store).values())
    idle.close()
