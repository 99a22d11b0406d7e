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


def _expected(corpus_run, question: str, word: str = "", theme: int | None = None) -> int:
    """Kept answers of `question` (assignments.csv) whose text holds `word` (NFKC, any case)."""
    import csv
    import unicodedata

    def norm(s: str) -> str:
        return unicodedata.normalize("NFKC", s).lower()

    with (corpus_run / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["question"] == question and int(r["theme_id"]) >= 0]
    return sum(1 for r in rows if norm(word).strip() in norm(r["text"]) and (theme is None or int(r["theme_id"]) == theme))


def test_answers_table_filters_in_chromium(browser, corpus_run, tmp_path_factory):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    browser.get((corpus_run / "report.html").as_uri())
    doc = json.loads((corpus_run / "themes.json").read_text(encoding="utf-8"))
    q = doc["questions"][0]
    total = _expected(corpus_run, q["question"])
    box = browser.find_element(By.CSS_SELECTOR, "#q01 .answers")
    count = box.find_element(By.CSS_SELECTOR, ".answers-count")
    form = box.find_element(By.CSS_SELECTOR, "form.answers-filter")
    assert form.is_displayed(), "the script shows the filter"

    def visible() -> int:
        return browser.execute_script(
            "return Array.from(arguments[0].querySelectorAll('tbody tr')).filter(r => r.offsetParent !== null).length;",
            box)

    assert visible() == total > 50 and count.text == f"全 {total} 件中 {total} 件を表示"
    # A word typed into the search box, then a theme chosen.
    search = box.find_element(By.CSS_SELECTOR, 'input[type="search"]')
    search.send_keys("予算")
    by_word = _expected(corpus_run, q["question"], "予算")
    assert 0 < by_word < total
    assert visible() == by_word and count.text.startswith(f"全 {total} 件中 {by_word} 件を表示")
    # The first theme that holds some of those answers, not all (which one depends on the partition).
    theme = next(t for t in range(len(q["themes"])) if 0 < _expected(corpus_run, q["question"], "予算", theme=t) < by_word)
    Select(box.find_element(By.CSS_SELECTOR, 'select[data-filter="theme"]')).select_by_value(str(theme + 1))
    both = _expected(corpus_run, q["question"], "予算", theme=theme)
    assert both < by_word and visible() == both
    assert count.text.startswith(f"全 {total} 件中 {both} 件を表示（絞り込み：テーマ{theme + 1}：")
    shot = tmp_path_factory.getbasetemp() / "answers_screenshot.png"
    browser.execute_script("arguments[0].scrollIntoView();", box)
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
    # An attribute filter narrows further, to the value of the first row shown: every row left holds it.
    value = browser.execute_script(
        "const r = Array.from(arguments[0].querySelectorAll('tbody tr')).find(r => r.offsetParent !== null);"
        "return JSON.parse(r.getAttribute('data-values'))[0][0];", box)
    Select(box.find_element(By.CSS_SELECTOR, 'select[data-filter="attr"]')).select_by_value(value)
    cells = browser.execute_script(
        "return Array.from(arguments[0].querySelectorAll('tbody tr')).filter(r => r.offsetParent !== null)"
        ".map(r => r.querySelector('td.attr').textContent);", box)
    assert 0 < visible() == len(cells) <= both and all(value in c for c in cells)
    # Keyboard: the controls are labelled and focusable, and show a focus ring.
    assert browser.execute_script("return arguments[0].labels.length;", search) == 1
    search.send_keys(Keys.SHIFT, Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.tag_name == "select" and focused.value_of_css_property("outline-style") != "none"
    # Print: the controls are hidden, the filtered rows print (and only they).
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not form.is_displayed() and count.is_displayed() and visible() == len(cells)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    # Clearing the conditions shows every row again.
    box.find_element(By.CSS_SELECTOR, 'button[type="reset"]').click()
    assert visible() == total and count.text == f"全 {total} 件中 {total} 件を表示"
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_attribute_tallies_in_chromium(browser, corpus_run, tmp_path_factory):
    from selenium.webdriver.common.by import By

    browser.get((corpus_run / "report.html").as_uri())
    section = browser.find_element(By.ID, "attributes")
    assert section.find_element(By.TAG_NAME, "h2").text == "回答者の属性（単純集計）"
    charts = section.find_elements(By.TAG_NAME, "img")
    assert len(charts) == 2 and all(browser.execute_script("return arguments[0].naturalWidth > 0;", i) for i in charts)
    # Per respondent: each tally's counts add up to the number of respondents (single-answer attributes).
    for table in section.find_elements(By.CSS_SELECTOR, "table.tally-table"):
        counts = [int(td.text) for td in table.find_elements(By.CSS_SELECTOR, "tbody td:nth-child(2)")]
        n = int(table.find_element(By.CSS_SELECTOR, "tfoot th:nth-child(2)").text)
        assert sum(counts) == n == 250
    shot = tmp_path_factory.getbasetemp() / "attributes_screenshot.png"
    browser.execute_script("arguments[0].scrollIntoView();", section)
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
