"""Fixtures for the web tests: the page served by ``shiftnet.web.serve`` in a subprocess on a
free local port, and a headless Chromium driven by Selenium (system chromium + chromedriver).
Tests skip when the ``web`` extra, Selenium or Chromium is missing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> str:
    """Base URL of ``shiftnet.web.serve(port=...)`` running in a subprocess (default limits);
    its output goes to a log file that must announce the address."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    pytest.importorskip("plotly")
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-c", f"from shiftnet.web import serve; serve(port={port})"],
                                   stdout=out, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"server did not start:\n{log.read_text()}")
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=20)
    assert f"shiftnet serve: {url}" in log.read_text()


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    if not (browser and driver):
        pytest.skip("chromium and chromedriver are not installed")
    return browser, driver


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Selenium WebDriver), 1280x900."""
    webdriver = pytest.importorskip("selenium.webdriver")
    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, server):
    """The page freshly loaded."""
    browser.get(server)
    return browser


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory):
    """``screenshot(driver, name)``: saves the window as ``name.png`` under the test's temporary
    folder, and a small copy (900 px wide, 128 colours) under ``$SHIFTNET_SCREENSHOTS`` when that
    is set (``SHIFTNET_SCREENSHOTS=docs/screenshots`` refreshes the README's pictures)."""
    folder = tmp_path_factory.mktemp("screenshots")
    docs = os.environ.get("SHIFTNET_SCREENSHOTS")

    def save(driver, name: str) -> Path:
        path = folder / f"{name}.png"
        driver.save_screenshot(str(path))
        if docs:
            from PIL import Image

            image = Image.open(path).convert("RGB")
            image = image.resize((900, round(image.height * 900 / image.width)), Image.LANCZOS)
            image.quantize(colors=128).save(Path(docs) / f"{name}.png", optimize=True)
        return path

    return save
