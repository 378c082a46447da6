"""The page in a real headless Chromium: predict, hover, bad input, spectrum upload, refused
uploads, assignment. Screenshots of each view land in the test's temporary folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

pytest.importorskip("selenium")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"
MARKERS = "return document.getElementById(arguments[0])?.data?.[1]?.x.length ?? 0"


def wait_for(driver, script: str, *args, timeout: float = 20):
    """The truthy value of ``script`` once it has one (a JS function body)."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: d.execute_script(script, *args))
    except TimeoutException:
        messages = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".message")]
        raise AssertionError(f"timed out waiting for {script!r}; messages on the page: {messages}") from None


def view_message(driver, view: str) -> str:
    return wait_for(driver, "const m = document.querySelector(`#${arguments[0]} .message`);"
                            "return m.classList.contains('busy') ? '' : m.textContent", view)


def open_view(driver, view: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f".tab[data-view='{view}']").click()


def predict(driver, smiles: str) -> None:
    box = driver.find_element(By.ID, "smiles")
    box.clear()
    box.send_keys(smiles)
    driver.find_element(By.ID, "predict-btn").click()


def upload_spectrum(driver, path: Path) -> None:
    open_view(driver, "spectrum")
    driver.find_element(By.ID, "spectrum-file").send_keys(str(path))
    driver.find_element(By.ID, "spectrum-btn").click()


def test_predict_aspirin_hover_links_peaks_and_atoms(page, screenshot):
    predict(page, ASPIRIN)
    assert wait_for(page, MARKERS, "plot-13C") == 9
    assert len(page.find_elements(By.CSS_SELECTOR, "#plot-13C .scatterlayer .trace:last-child .point")) == 9
    # hover the carbonyl-most 13C marker with the mouse: exactly one carbon lights up
    ppm, atoms = page.execute_script("const d = document.getElementById('plot-13C').data[1];"
                                     "return [d.x[0], d.customdata[0]]")
    point = page.find_elements(By.CSS_SELECTOR, "#plot-13C .scatterlayer .trace:last-child .point")[0]
    ActionChains(page).move_to_element(point).perform()
    lit = wait_for(page, "const on = [...document.querySelectorAll('#molecule .atom-spot.on')];"
                         "return on.length ? on.map(s => Number(s.dataset.atom)) : null")
    assert lit == atoms and len(lit) == 1 and ppm > 160
    assert page.find_elements(By.CSS_SELECTOR, "#shift-table tr.on")
    screenshot(page, "predict")
    # hover an atom: its 13C marker changes colour
    spot = page.find_element(By.CSS_SELECTOR, "#molecule .atom-spot[data-atom='0']")
    ActionChains(page).move_to_element(spot).perform()
    colours = wait_for(page, "const c = document.getElementById('plot-13C').data[1].marker.color;"
                             "return Array.isArray(c) && c.includes('#e8590c') ? c : null")
    index = page.execute_script("return document.getElementById('plot-13C').data[1].customdata"
                                ".findIndex(a => a.includes(0))")
    assert [i for i, c in enumerate(colours) if c == "#e8590c"] == [index]
    links = [a.get_attribute("href") for a in page.find_elements(By.CSS_SELECTOR, "#downloads a")]
    assert [link.split("?")[0].rsplit("/", 1)[1] for link in links] == ["csv", "sdf", "png", "svg"]


def test_bad_smiles_gives_a_message_and_the_page_keeps_working(page):
    predict(page, "C1CC(")
    assert "cannot parse SMILES" in view_message(page, "predict")
    predict(page, "CCO")
    assert wait_for(page, MARKERS, "plot-13C") == 2
    assert page.find_element(By.CSS_SELECTOR, "#predict .message").text == ""


def test_ibuprofen_13c_upload_shows_the_carbonyl(page, raw, tmp_path, screenshot):
    archive = tmp_path / "ibuprofen_13c.zip"
    experiment = raw / "lucyng_ibuprofen" / "2"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(experiment.rglob("*")):
            zf.write(path, Path("2") / path.relative_to(experiment))
    upload_spectrum(page, archive)
    apex = wait_for(page, """const d = document.getElementById('plot-spectrum').data?.[0];
        if (!d) return null;
        let best = null;
        d.y.forEach((y, i) => { const x = d.x0 + i * d.dx;
            if (x > 170 && x < 190 && (best === null || y > best[1])) best = [x, y]; });
        return best""")
    assert apex[0] == pytest.approx(180.7, abs=0.3)
    steps = page.find_element(By.ID, "steps").text
    assert "phase" in steps and "reference" in steps
    assert "CDCl3" in page.find_element(By.ID, "spectrum-info").text
    screenshot(page, "spectrum")


def test_refused_uploads_give_messages(page, tmp_path):
    escape = tmp_path / "escape.zip"
    with zipfile.ZipFile(escape, "w") as zf:
        zf.writestr("../outside/acqus", "##TITLE= x\n")
    upload_spectrum(page, escape)
    assert "leaves the archive folder" in view_message(page, "spectrum")
    big = tmp_path / "big.zip"
    big.write_bytes(b"\0" * (51 * 2**20))
    page.find_element(By.ID, "spectrum-file").send_keys(str(big))
    page.find_element(By.ID, "spectrum-btn").click()
    assert "larger than the 50 MB limit" in view_message(page, "spectrum")


def test_assign_and_verify_view(page, screenshot):
    open_view(page, "assign")
    page.find_element(By.ID, "candidates").send_keys("CCOC(C)=O\nCOC(=O)CC\nCC(=O)OC")
    page.find_element(By.ID, "peaks-13c").send_keys("14.2, 21.0, 60.4, 171.1")
    page.find_element(By.ID, "peaks-1h").send_keys("1.26:3, 2.05:3, 4.12:2")
    page.find_element(By.ID, "assign-btn").click()
    rows = wait_for(page, "return document.querySelectorAll('#ranking tbody tr').length")
    assert rows == 3
    assert len(page.find_elements(By.CSS_SELECTOR, "#assignment-table tbody tr")) == 7
    assert page.find_elements(By.CSS_SELECTOR, "#assigned-molecule svg")
    screenshot(page, "assign")
