"""The Playground in a real browser: Debian's headless chromium, driven by Playwright (pointed at
that binary: no browser is downloaded), against the app of ``browser_app`` served by uvicorn.

One walk through every view: requests appear live, a request's lifecycle and state, a replay
against the other version and its diff, a debug gate whose edited state reaches the handler, the
version timeline; then the token flow. Each view's screenshot is taken: under docs/img/ for the
README with ``make screenshots`` (``GATI_SCREENSHOTS`` names the folder), else in a temporary
folder, so a test run leaves the tracked images as they are.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from gati.testing import LiveServer, live_server
from tests.playground.browser_app import V1, V2

ROOT = Path(__file__).resolve().parents[2]
IMAGES = Path(os.environ.get("GATI_SCREENSHOTS") or Path(tempfile.gettempdir(), "gati-screenshots"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROUTE = "GET /greet/{name}"
WAIT_MS = 15_000

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make system)"),
]


@contextlib.contextmanager
def serve(token: str | None = None) -> Iterator[LiveServer]:
    """``browser_app`` through uvicorn, with the Playground token on when ``token`` is given."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env.pop("PLAYGROUND_TOKEN", None)
    if token is not None:
        env["PLAYGROUND_TOKEN"] = token
    command = [sys.executable, "-m", "uvicorn", "tests.playground.browser_app:app",
               "--port", "{port}", "--log-level", "warning"]  # fmt: skip
    # the probe asks the Playground, whose paths are never recorded
    with live_server(command, cwd=ROOT, env=env, probe="/_gati/") as server:
        yield server


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with serve() as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=WAIT_MS)  # waits, not timings: a busy machine only waits longer
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


def new_page(browser: Browser, errors: list[str]) -> Page:
    """A page whose uncaught script errors land in ``errors``."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def shoot(page: Page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    image = page.locator("body").screenshot(path=str(IMAGES / name))  # the content, no viewport
    assert image.startswith(b"\x89PNG"), name


def test_every_view_of_the_playground_in_chromium(server: LiveServer, browser: Browser) -> None:
    errors: list[str] = []
    url, page = server.url, new_page(browser, errors)
    page.goto(f"{url}/_gati/")
    expect(page.locator("#stream-state")).to_have_class(re.compile(r"\bon\b"))
    page.evaluate("window.loadedOnce = true")

    # live: requests made now appear in the list, newest on top, with no reload
    httpx.get(f"{url}/greet/ada")
    bob = {"Gati-Version": V1, "Authorization": "Bearer tok-123"}
    httpx.get(f"{url}/greet/bob?flaky=1", headers=bob)
    httpx.get(f"{url}/greet/cy", headers={"Gati-Version": V2})
    httpx.get(f"{url}/nowhere")
    httpx.get(f"{url}/profile/ada", headers={"Gati-Version": V1})
    httpx.get(f"{url}/about")
    rows = page.locator("#requests tbody tr[data-request-id]")
    expect(rows).to_have_count(6)
    expect(rows.first).to_contain_text("/about")
    expect(rows.nth(2)).to_contain_text("404")
    expect(rows.nth(5)).to_contain_text("/greet/ada")
    assert page.evaluate("window.loadedOnce") is True
    shoot(page, "playground-live.png")
    page.fill("#filter", "bob")
    expect(page.locator("#requests tbody tr:visible")).to_have_count(1)
    page.fill("#filter", "")
    # two ticked requests (two versions of one route) open their diff, the older on the left
    ada, cy = rows.filter(has_text="/greet/ada"), rows.filter(has_text="/greet/cy")
    ada.locator("input.pick").check()
    expect(page.locator("#compare")).to_be_disabled()
    cy.locator("input.pick").check()
    left, right = ada.get_attribute("data-request-id"), cy.get_attribute("data-request-id")
    page.click("#compare")
    page.wait_for_url(re.compile(rf"#/diff/{left}/{right}$"))
    expect(page.locator("#diff-body [data-change]")).to_have_count(1)  # .name: "ada" → "cy"
    page.go_back()

    # a request's page: timeline, state at each hook boundary, redacted request, response
    row = rows.filter(has_text="/greet/bob")
    original = row.get_attribute("data-request-id")
    row.click()
    steps = page.locator("#timeline [data-step]")
    expect(steps.first).to_be_visible()
    phases = steps.evaluate_all("els => els.map(e => e.dataset.phase)")
    assert phases[0] == "ingress" and "hook" in phases and "handler" in phases
    expect(page.locator("#timeline [data-phase=hook]").first).to_contain_text("greeting")
    retried = page.locator("#timeline [data-outcome=retry]")
    expect(retried).to_contain_text("lookup")
    expect(retried).to_contain_text("profile store not reachable")
    after = page.locator('#snapshots [data-boundary="after:greeting"]')
    expect(after).to_contain_text('"greeting": "hello"')
    expect(page.locator("#request")).to_contain_text("/greet/bob")
    expect(page.locator("#request")).to_contain_text("***")
    expect(page.locator("#request")).not_to_contain_text("tok-123")
    expect(page.locator("#response")).to_contain_text("hello, bob")
    options = page.locator("#replay-version option").evaluate_all("els => els.map(e => e.value)")
    assert options == [V1, V2]
    shoot(page, "playground-request.png")

    # replay against the other version: the diff of status, body and the two traces
    page.select_option("#replay-version", V2)
    page.click("#replay")
    page.wait_for_url(re.compile(rf"#/diff/{original}/[^/]+$"))
    expect(page.locator("#diff-status")).to_contain_text("same status")
    changes = page.locator("#diff-body [data-change]")
    expect(changes).to_have_count(3)
    ops = sorted(changes.evaluate_all("els => els.map(e => e.dataset.change)"))
    assert ops == ["added", "added", "removed"]
    expect(page.locator("#diff-body")).to_contain_text(".message")
    expect(page.locator("#timeline-left [data-step]").first).to_be_visible()
    expect(page.locator("#timeline-right [data-phase=handler]")).to_contain_text("greet_v2")
    shoot(page, "playground-diff.png")

    # a gate after the hook (the request page's hook row links to the form, filled in): the
    # request pauses, its state is edited (bad JSON refused), it resumes
    page.go_back()
    page.locator("#timeline [data-phase=hook]", has_text="greeting").locator("a.gate-link").click()
    expect(page.locator("#gate-route")).to_have_value(ROUTE)
    expect(page.locator("#gate-hook")).to_have_value("greeting")
    page.select_option("#gate-when", "after")
    page.fill("#gate-count", "2")
    page.click("#gate-add")
    expect(page.locator("#gates")).to_contain_text("2 left")
    with ThreadPoolExecutor(2) as pool:
        paused = pool.submit(httpx.get, f"{url}/greet/dee", timeout=30)
        editor = page.locator("#paused .state-editor")
        expect(editor).to_have_value(re.compile(r'"greeting": "hello"'))
        editor.fill('["not", "an object"]')
        expect(page.locator("#paused .state-error")).to_be_visible()
        expect(page.locator("#paused .state-error")).to_contain_text("JSON object")
        expect(page.locator("#paused button.save-state")).to_be_disabled()
        editor.fill('{\n  "greeting": "hola"\n}')
        expect(page.locator("#paused .state-error")).to_be_hidden()
        page.click("#paused button.save-state")
        expect(page.locator("#paused")).to_contain_text("saved")
        shoot(page, "playground-gates.png")
        page.click("#paused button.resume")
        response = paused.result(timeout=20)
        assert response.status_code == 200
        assert response.json() == {"greeting": "hola", "name": "dee"}

        # the gate's second request: aborted, it is answered 503
        expect(page.locator("#gates")).to_contain_text("1 left")
        aborted = pool.submit(httpx.get, f"{url}/greet/eve", timeout=30)
        expect(page.locator("#paused .paused-card:not(.done) button.abort")).to_have_count(1)
        page.click("#paused .paused-card:not(.done) button.abort")
        assert aborted.result(timeout=20).status_code == 503

        # a gate left alone: at its timeout the request goes on, and the page says so
        page.fill("#gate-count", "1")
        page.fill("#gate-timeout", "1")
        page.click("#gate-add")
        expect(page.locator("#gates")).to_contain_text("times out after 1 s")
        forgotten = pool.submit(httpx.get, f"{url}/greet/fay", timeout=30)
        assert forgotten.result(timeout=20).json() == {"greeting": "hello", "name": "fay"}
        expect(page.locator("#paused .paused-card").last).to_contain_text("no longer paused")

    # versions: each route's timeline with breaking and deprecation flags, traffic, OpenAPI link
    page.goto(f"{url}/_gati/#/versions")
    greet = page.locator(f'#versions [data-route="{ROUTE}"]')
    expect(greet.locator("[data-version]")).to_have_count(2)
    expect(greet.locator(f'[data-version="{V1}"]')).to_contain_text("deprecated")
    expect(greet.locator(f'[data-version="{V2}"]')).to_contain_text("breaking")
    expect(greet.locator(f'[data-version="{V2}"]')).to_contain_text("requests")
    profile = page.locator('#versions [data-route="GET /profile/{name}"]')
    old_profile = profile.locator(f'[data-version="{V1}"]')
    expect(old_profile).to_contain_text(f"served by {V2}")
    expect(old_profile).to_contain_text(f"{V1} → {V2}")
    expect(page.locator('a[href="/openapi.json"]')).to_be_visible()
    shoot(page, "playground-versions.png")
    assert errors == []
    page.close()


def test_the_token_is_asked_for_then_kept_in_a_cookie(browser: Browser) -> None:
    errors: list[str] = []
    with serve(token="let-me-in") as server:
        page = new_page(browser, errors)
        for refused in (f"{server.url}/_gati/", f"{server.url}/_gati/?token=wrong"):
            answer = page.goto(refused)
            assert answer is not None and answer.status == 401
        answer = page.goto(f"{server.url}/_gati/?token=let-me-in")
        assert answer is not None and answer.status == 200 and answer.url == f"{server.url}/_gati/"
        expect(page.locator("#stream-state")).to_have_class(re.compile(r"\bon\b"))
        httpx.get(f"{server.url}/greet/ada")
        # (the browser also asked for /favicon.ico while refused: the app recorded that 404)
        expect(page.locator("#requests tbody tr", has_text="/greet/ada")).to_have_count(1)
        assert errors == []
        page.close()  # ends its event stream before the server stops
