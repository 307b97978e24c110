"""The digest's HTML in a real browser (headless Chromium): it lays out, and a screenshot is kept.

The screenshot is saved as test-artifacts/digest.png for a person to look at.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

from onboardd.daemon.config import load_config
from tests.conftest import REPO, require
from tests.ops.test_digest import render, seeded

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root in a container: no sandbox; and no calls home, which this network refuses.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
)

# Added to a copy of the page only (mail clients run no scripts): it records every
# error, including resources that fail to load, and measures each table once laid out.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var what = e.message || (e.target && (e.target.src || e.target.href));
  window.__errors.push(String(what || "error"));
}, true);
window.addEventListener("load", function () {
  var tables = Array.prototype.slice.call(document.querySelectorAll("table"));
  var flat = tables.filter(function (t) {
    var box = t.getBoundingClientRect();
    return box.width < 1 || box.height < 1;
  });
  var report = {
    errors: window.__errors,
    tables: tables.length,
    flat: flat.length,
    rows: document.querySelectorAll("tr").length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    height: document.documentElement.scrollHeight
  };
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
});
</script>"""


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_digest_html_lays_out_in_chromium_and_is_screenshotted(tmp_path: Path) -> None:
    require(CHROMIUM is not None, "headless Chromium (Debian package chromium) is not installed")
    config = load_config(REPO / "config.example.toml")
    with seeded(f"sqlite:///{tmp_path}/digest.db") as world:
        mail = render(world, config)
        open_count = len(world.open_refs)

    page = tmp_path / "digest.html"
    page.write_text(mail.html, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(mail.html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")

    width = 1100
    dumped = chromium(
        tmp_path / "profile-dom",
        f"--window-size={width},900",
        "--virtual-time-budget=5000",
        "--dump-dom",
        probed.as_uri(),
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', dumped.stdout, re.DOTALL)
    assert found, f"the page did not finish loading:\n{dumped.stderr[-2000:]}"
    report = json.loads(html.unescape(found.group(1)))
    assert report["errors"] == []
    assert report["flat"] == 0  # every table has a visible size
    assert report["tables"] >= 10
    assert report["rows"] > open_count
    assert report["overflow"] <= 0  # nothing wider than the window

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "digest.png"
    shot.unlink(missing_ok=True)
    height = min(int(report["height"]) + 40, 12000)
    result = chromium(
        tmp_path / "profile-shot",
        f"--window-size={width},{height}",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    assert shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert png_size(data) == (width, height)
    # A blank page of this size compresses to a few kilobytes; tables and text do not.
    assert len(data) > 40_000
    shutil.copyfile(page, ARTIFACTS / "digest.html")
    (ARTIFACTS / "digest.txt").write_text(mail.text, encoding="utf-8")
