"""The report in a real browser: headless Chromium (Debian's chromium + chromium-driver, which
.ci/run installs when absent) opens report.html, every image loads, no script error occurs,
the page shows the theme labels, and a screenshot is saved."""

from __future__ import annotations

import json
import os
import shutil

import pytest

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1100,1600"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("Chromium と chromedriver が見つからないため、ブラウザでの確認を省略しました"
                    "（Debian: apt-get install chromium chromium-driver。.ci/run は自動で入れます）。")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium download a browser or driver
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
    yield session
    session.quit()


def test_report_renders_in_chromium(browser, corpus_run, tmp_path_factory):
    from selenium.webdriver.common.by import By

    browser.get((corpus_run / "report.html").as_uri())
    browser.execute_async_script("const done = arguments[0]; document.fonts.ready.then(() => done());")
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth > 0]);")
    assert len(images) >= 10 and all(ok for _, ok in images), [alt for alt, ok in images if not ok]
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    text = browser.find_element(By.TAG_NAME, "body").text
    doc = json.loads((corpus_run / "themes.json").read_text(encoding="utf-8"))
    for q in doc["questions"]:
        for t in q["themes"]:
            assert t["label"] in text
    assert "主な意見" in text and "属性別クロス集計" in text and "共起ネットワーク" in text
    # The embedded font is used, so Japanese shows even on a machine without Japanese fonts.
    assert browser.execute_script("return document.fonts.check('16px ReportGothic', '協働');")
    shot = tmp_path_factory.getbasetemp() / "report_screenshot.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
