"""`make screenshots`: refresh docs/screenshots/ from the running product.

Builds a scratch database (var/screenshots.sqlite3) with the demo scored by the real models,
serves it, and drives Debian's Chromium through Playwright (the same driver as the browser
test) over the article page, the moderator queue, the policy preview and the viewpoint audit.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    if not Path(CHROMIUM).exists():
        print("make screenshots: Debian's chromium is not installed (apt-get install chromium)", file=sys.stderr)
        sys.exit(2)
    db = ROOT / "var" / "screenshots.sqlite3"
    db.unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_DEBUG": "1",
           "REDIS_URL": "redis://127.0.0.1:1/0"}  # no broker: the demo is scored in-process below
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (["migrate", "-v0"], ["load_demo"], ["classify_pending"]):
        subprocess.run([*manage, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = _free_port()
    server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        _shoot(f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait()
    print(f"Screenshots written to {OUT.relative_to(ROOT)}/")


def _login(page, base: str, username: str, password: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def _shoot(base: str) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - playwright only when screenshots are taken

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})

        _login(page, base, "reader", "reader-demo-pass", "/")
        page.goto(f"{base}/")
        page.click("main article.card h2 a >> nth=0")
        page.fill("#comment-form textarea", "I see both sides, but the evidence from Stockholm persuades me.")
        page.click("#comment-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "article.png"), full_page=True)

        _login(page, base, "moderator", "moderator-demo-pass", "/moderation/")
        page.screenshot(path=str(OUT / "moderator_queue.png"), full_page=False)

        _login(page, base, "admin", "admin-demo-pass", "/moderation/policy/")
        page.fill("input[name='toxicity__hold']", "0.05")
        page.click("button[value=preview]")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "policy_preview.png"), full_page=True)

        page.goto(f"{base}/moderation/viewpoints/")
        page.screenshot(path=str(OUT / "viewpoint_audit.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
