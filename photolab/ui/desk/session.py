"""Session lifetime and background detection for the review desk.

Detection runs on one background thread shared by every session (the models are large and the machine
may be a laptop): the faces of every waiting photo first, then their text, so face boxes are on screen
seconds after an upload while text follows. Each result is merged into its photo under the session's
lock as new areas — the reviewer's edits meanwhile are never touched. A closed session's queued work is
dropped and everything it held is released.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from photolab.core import job, policy
from photolab.errors import PhotoLabError
from photolab.photo import release_memory
from photolab.ui.desk.state import FAMILIES, Desk, Item

log = logging.getLogger("photolab.desk")


@dataclass(order=True)
class _Task:
    rank: int
    seq: int
    desk: Desk = field(compare=False)
    item: Item = field(compare=False)
    family: str = field(compare=False)


class Detections:
    """The background detection queue."""

    def __init__(self) -> None:
        self._queue: queue.PriorityQueue[_Task] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()

    def submit(self, desk: Desk, item: Item, *, first: bool = False) -> None:
        """Queue every family not done yet for ``item`` (``first``: ahead of the other photos)."""
        for rank, family in enumerate(FAMILIES):
            if family not in item.detected:
                self.idle.clear()
                self._queue.put(_Task(rank * 2 - (1 if first else 0), next(self._seq), desk, item, family))
        self._ensure_worker()

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="photolab-detect", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            task = self._queue.get()
            try:
                if not task.desk.closed and task.item in task.desk.items:
                    run_family(task.desk, task.item, task.family)
            except Exception:  # a bug in one photo's detection must not stop the others
                log.exception("detection failed")
            finally:
                release_memory()  # a 12 MP photo's detection frees hundreds of MB: give them back
                self._queue.task_done()
                if self._queue.unfinished_tasks == 0:
                    self.idle.set()


def run_family(desk: Desk, item: Item, family: str) -> None:
    """Detect one family on one photo and merge the result (the reviewer's edits are kept)."""
    if family in item.detected:
        return
    try:
        found = job.detect_regions(item.pixels.image(), (family,))
    except PhotoLabError as exc:
        with desk.lock:
            item.failed[family] = exc.message
            item.detected.add(family)
            item.version += 1
        return
    with desk.lock:
        if family in item.detected:
            return
        item.regions = [*item.regions, *policy.plan(found.regions, policy.DEFAULT_STYLE, found.candidates)]
        item.dark |= bool(found.dark)
        item.low_confidence |= bool(found.low_confidence)
        item.reasons += [r for r in found.needs_review_reasons if r not in item.reasons]
        item.detected.add(family)
        item.version += 1
    desk.park_idle()


DETECTIONS = Detections()

# Gradio keeps a closed page's state for an hour before its delete callback runs; the desk drops a session's
# photos as soon as the page is gone. Sessions are found by Gradio's session hash (never shown to a page).
_open: dict[str, Desk] = {}
_open_lock = threading.Lock()


def desk_for(request: Any) -> Desk:
    """The desk of the page behind ``request``: the one already opened for its session, or a new one.

    A page loads its session in the background (``photolab serve FOLDER`` opens the folder's photos
    first, which takes seconds), and a reviewer may drop files on the upload box meanwhile: that upload
    and the page's load must share one desk, whichever runs first. The desk is remembered by Gradio's
    session hash so its photos can be dropped when the page goes.
    """
    from photolab.server import downloads
    from photolab.ui import i18n

    session_hash = getattr(request, "session_hash", None) or ""
    with _open_lock:
        desk = _open.get(session_hash)
        if desk is None or desk.closed:
            headers = getattr(request, "headers", None)
            lang = i18n.pick_language(headers.get("accept-language") if headers else None)
            desk = Desk(lang=lang, browser=downloads.browser_of(request))
            if session_hash:
                _open[session_hash] = desk
    return desk


def page_closed(session_hash: str | None) -> None:
    """The page's connection is gone (tab closed, reloaded or navigated away): end its session now."""
    with _open_lock:
        desk = _open.pop(session_hash or "", None)
    end_session(desk)


def end_session(desk: Any) -> None:
    """The tab closed or the session expired: drop its queued work, its downloads and its photos."""
    if not isinstance(desk, Desk) or desk.closed:
        return
    with _open_lock:  # an expired session whose page never said goodbye
        for key in [k for k, d in _open.items() if d is desk]:
            del _open[key]
    with desk.lock:
        desk.closed = True
        desk.items.clear()
        offered, desk.downloads = desk.downloads, []
    from photolab.server import downloads

    for url in offered:  # only this session's: another tab of the same browser keeps its own
        with contextlib.suppress(Exception):
            downloads.withdraw(url)
    release_memory()  # glibc keeps a big photo's freed blocks in the heap unless asked to give them back
