"""The terminal: one plain line for an ordinary refusal, no asset chatter, a bug's traceback with --debug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("gradio_client")

SCRIPT = """
import sys
from photolab import server
server.prepare_environment({temp!r})
import gradio as gr
from gradio_client import Client
from photolab.errors import CorruptImage
from photolab.server import web
web.log_to_terminal()
web.quiet_gradio(debug={debug})

def refuse(x):
    raise gr.Error("**Blocks approval**: question 3 is unanswered")

def bad_file(x):
    raise CorruptImage("holiday.jpg: the file ends before the image does")

def bug(x):
    return {{}}["no such key"]

with gr.Blocks() as demo:
    box = gr.Textbox()
    for fn in (refuse, bad_file, bug):
        box.submit(fn, box, box, api_name=fn.__name__)
running = server.start(server.mount(demo))
import urllib.request, urllib.error
for asset in ("client/index.js", "server/x.js"):
    try:
        urllib.request.urlopen(running.url + "/gradio_api/custom_component/abc123/" + asset)
    except urllib.error.HTTPError:
        pass
client = Client(running.url, verbose=False, download_files=False)
for name in ("refuse", "bad_file", "bug"):
    try:
        client.predict("x", api_name="/" + name)
    except Exception:
        print("client saw an error for", name, file=sys.stderr)
running.stop()
"""


def _run(tmp_path: Path, debug: bool) -> str:
    code = SCRIPT.format(temp=str(tmp_path / "gradio"), debug=debug)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout + out.stderr


def test_refusals_are_one_plain_line_and_a_bug_is_one_line_without_debug(tmp_path: Path) -> None:
    output = _run(tmp_path, debug=False)
    lines = [line for line in output.splitlines() if line.startswith("photolab:")]
    assert "photolab: refused: **Blocks approval**: question 3 is unanswered" in lines
    assert "photolab: refused: holiday.jpg: the file ends before the image does" in lines
    assert any(line.startswith("photolab: internal error: KeyError") and "--debug" in line for line in lines)
    assert "Traceback" not in output, output
    assert "environment=client" not in output and "environment=server" not in output
    assert output.count("client saw an error") == 3, "the browser is still told each event failed"


def test_with_debug_a_bug_shows_its_traceback_and_refusals_stay_one_line(tmp_path: Path) -> None:
    output = _run(tmp_path, debug=True)
    assert output.count("Traceback") == 1, output
    assert ", in bug" in output and "KeyError: 'no such key'" in output
    assert "photolab: refused: holiday.jpg: the file ends before the image does" in output


@pytest.mark.slow
def test_the_served_desk_logs_a_bad_upload_as_one_line(
    tmp_path: Path, serve_env: dict[str, str], start_serve: Any
) -> None:
    """The real ``photolab serve`` and desk: a file that is not an image, and the page's assets."""
    import httpx
    from gradio_client import Client, handle_file

    from photolab.server import free_port

    running = start_serve(["--db", str(tmp_path / "r.sqlite3")], serve_env, tmp_path / "temp", free_port())
    bad = tmp_path / "not-a-photo.jpg"
    bad.write_bytes(b"this is text, not a JPEG")
    client = Client(running.url, verbose=False, download_files=False)
    try:
        client.predict(api_name="/load")
        client.predict([handle_file(str(bad))], api_name="/ingest")  # refused in a toast, not a failure
    finally:
        client.close()
    for asset in ("client/index.js", "client/style.css"):
        httpx.get(f"{running.url}/gradio_api/custom_component/abc/{asset}")
    running.stop()
    output = running.output
    refusals = [line for line in output.splitlines() if "refused" in line]
    assert len(refusals) == 1, output
    assert "Traceback" not in output and "environment=client" not in output, output
