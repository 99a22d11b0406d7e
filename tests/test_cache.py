"""DIR/.cache: a rerun on the same input reuses the prepared answers and the images an earlier run
made, gives the same outputs as a run without the cache, and starts afresh when the input, the
settings or the cache's files change. A failed run leaves it (and DIR) as it was; a masked run
keeps nothing unmasked in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import output_texts

from pipeline import cache as caching
from pipeline import cli, render
from pipeline import prepare as preparing

ANSWERS = [
    "書類が多くて大変", "報告書の書類が負担", "書類の提出が面倒", "申請書類の様式が複雑", "提出書類が多すぎる",
    "会場の確保が難しい", "会場がない", "会場を借りたい", "活動する会場が足りない", "会場の予約が取れない",
    "補助金を増やしてほしい", "補助金の手続きが大変", "資金が足りない", "活動資金の補助がほしい",
    "補助金が少ない。山田太郎さんに電話 090-1234-5678 で相談した",
]
SECRETS = ("山田", "太郎", "090-1234-5678")


def _source(tmp_path: Path, answers=ANSWERS) -> Path:
    src = tmp_path / "s.csv"
    src.write_text("id,text\n" + "".join(f"a{i:02d},{t}\n" for i, t in enumerate(answers)), encoding="utf-8")
    return src


def _run(src: Path, out: Path, *options: str) -> int:
    return cli.main(["themes", str(src), "--out", str(out), "--quiet", "--no-review", "--k", "3", *options])


@pytest.fixture
def counted(monkeypatch):
    """How often answers were prepared and word clouds and charts drawn (the work the cache saves)."""
    calls = {"prepare": 0, "draw": 0, "texts": [], "kinds": []}
    collect, add = preparing.Preparation._collect, render.Drawing.add

    def counting_prepare(preparation):
        calls["prepare"] += 1
        calls["texts"] += preparation.distinct
        return collect(preparation)

    def counting_add(drawing, pictures):  # every picture is drawn through render.Drawing.add
        calls["draw"] += len(pictures)
        calls["kinds"] += [p.kind for p in pictures]
        return add(drawing, pictures)

    monkeypatch.setattr(preparing.Preparation, "_collect", counting_prepare)
    monkeypatch.setattr(render.Drawing, "add", counting_add)
    return calls


def _contract_files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("assignments.csv", "themes.json", "codebook.toml")}


def test_a_rerun_reuses_the_prepared_answers_and_images(tmp_path, counted):
    src, out = _source(tmp_path), tmp_path / "out"
    assert _run(src, out) == 0
    drawn = counted["draw"]
    assert counted["prepare"] == 1 and sorted(counted["kinds"]) == ["bars"] + ["cloud"] * 4, \
        "three themes' clouds, the question's, the chart"
    assert (out / ".cache" / "prepared").is_dir()
    first = _contract_files(out)
    assert _run(src, out) == 0
    assert (counted["prepare"], counted["draw"]) == (1, drawn), "nothing prepared or drawn again"
    assert _contract_files(out) == first
    assert (out / "charts" / "q01_themes.png").is_file() and (out / "wordclouds" / "q01" / "all.svg").is_file()
    # And the same as a run that never saw a cache.
    assert _run(src, tmp_path / "plain", "--no-cache") == 0
    assert _contract_files(tmp_path / "plain") == first
    pictures = sorted(p.relative_to(out) for p in out.rglob("*") if p.suffix in (".png", ".svg") and ".cache" not in p.parts)
    assert pictures and all((out / p).read_bytes() == (tmp_path / "plain" / p).read_bytes() for p in pictures)
    assert not (tmp_path / "plain" / ".cache").exists()


def test_a_codebook_rerun_reuses_the_prepared_answers(tmp_path, counted):
    src, out = _source(tmp_path), tmp_path / "out"
    assert _run(src, out) == 0
    (tmp_path / "book.toml").write_bytes((out / "codebook.toml").read_bytes())
    assert _run(src, out, "--codebook", str(tmp_path / "book.toml")) == 0
    # Only the codebook's theme names (label and description) are prepared, not the answers again.
    assert not set(counted["texts"][len(ANSWERS):]) & set(ANSWERS)
    assert len(counted["texts"]) > len(ANSWERS)


@pytest.mark.parametrize("change", ["input", "stop_words", "mask"])
def test_a_change_of_input_or_settings_prepares_again(tmp_path, counted, change):
    src, out = _source(tmp_path), tmp_path / "out"
    assert _run(src, out) == 0
    options: tuple[str, ...] = ()
    if change == "input":
        src = _source(tmp_path, ANSWERS[:-1] + ["補助金がもっとほしい"])
    elif change == "stop_words":
        (tmp_path / "c.toml").write_text('stop_words = ["会場"]\n', encoding="utf-8")
        options = ("--config", str(tmp_path / "c.toml"))
    else:
        options = ("--no-mask",)
    assert _run(src, out, *options) == 0
    assert counted["prepare"] == 2


def test_a_damaged_cache_is_made_again(tmp_path, counted):
    src, out = _source(tmp_path), tmp_path / "out"
    assert _run(src, out) == 0
    first = _contract_files(out)
    for path in (out / ".cache").rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage")
    assert _run(src, out) == 0
    assert counted["prepare"] == 2
    assert _contract_files(out) == first
    assert all(b"garbage" not in p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts)


def test_a_failed_run_leaves_the_folder_and_its_cache_as_they_were(tmp_path, capsys):
    src, out = _source(tmp_path), tmp_path / "out"
    assert _run(src, out) == 0
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    (tmp_path / "bad.toml").write_text('[[theme]]\nlabel = "キーのないテーマ"\n', encoding="utf-8")
    assert _run(src, out, "--codebook", str(tmp_path / "bad.toml")) == 2
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    # A first run that fails writes nothing at all.
    assert _run(src, tmp_path / "never", "--codebook", str(tmp_path / "bad.toml")) == 2
    assert not (tmp_path / "never").exists()


def test_a_masked_run_keeps_nothing_unmasked_in_its_cache(tmp_path):
    src, out = _source(tmp_path), tmp_path / "out"
    assert _run(src, out) == 0
    assert _run(src, out) == 0  # from the cache: still masked
    texts = output_texts(out)
    cached = {name: text for name, text in texts.items() if name.startswith(".cache/")}
    assert any(name.startswith(".cache/prepared/") for name in cached)
    for secret in SECRETS:
        assert [name for name, text in texts.items() if secret in text] == [], secret
    assert "〔氏名〕" in (out / "assignments.csv").read_text(encoding="utf-8-sig")


def test_the_cache_is_pruned_to_its_size_least_recently_used_first(tmp_path):
    import os

    cache = caching.Cache(tmp_path / "c")
    for i in range(5):
        path = cache.folder / "files" / f"{i}.png"
        caching._store(path, b"x" * 100)
        os.utime(path, ns=(i * 10**9, i * 10**9))
    cache.prune(max_bytes=250)
    assert sorted(p.name for p in (cache.folder / "files").iterdir()) == ["3.png", "4.png"]


def test_keys_follow_every_part_of_their_material(tmp_path):
    font = tmp_path / "f.ttf"
    font.write_bytes(b"one")
    a = caching.key("cloud", (("書類", 1.0),), {"width": 800}, 0, font)
    assert a == caching.key("cloud", (("書類", 1.0),), {"width": 800}, 0, font)
    assert a != caching.key("cloud", (("書類", 2.0),), {"width": 800}, 0, font)
    assert a != caching.key("cloud", (("書類", 1.0),), {"width": 801}, 0, font)
    assert a != caching.key("cloud", (("書類", 1.0),), {"width": 800}, 1, font)
    other = tmp_path / "g.ttf"
    other.write_bytes(b"two")
    assert a != caching.key("cloud", (("書類", 1.0),), {"width": 800}, 0, other)


def test_the_library_writes_no_cache_unless_asked(tmp_path):
    import pipeline

    result = pipeline.analyse(ANSWERS, {"k": 3})
    out = pipeline.write(result, tmp_path / "out")
    assert not (out / ".cache").exists()
    result = pipeline.analyse(ANSWERS, {"k": 3}, cache=tmp_path / "cache")
    pipeline.write(result, tmp_path / "out2", cache=tmp_path / "cache")
    assert (tmp_path / "cache" / "prepared").is_dir() and (tmp_path / "cache" / "files").is_dir()
    assert not (tmp_path / "out2" / ".cache").exists()


def test_images_from_the_cache_are_the_images_drawn(tmp_path, monkeypatch):
    src = _source(tmp_path)
    assert _run(src, tmp_path / "out") == 0
    images = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*.png")
              if ".cache" not in p.parts}
    monkeypatch.setattr(render, "_draw", lambda *a, **k: pytest.fail("drawn again"))
    assert _run(src, tmp_path / "out") == 0
    assert {p: (tmp_path / "out" / p).read_bytes() for p in images} == images


def test_a_font_subset_covering_the_characters_is_reused_and_a_damaged_one_is_not(tmp_path):
    font = tmp_path / "f.ttf"
    font.write_bytes(b"font")
    cache = caching.Cache(tmp_path / "c")
    made: list[str] = []

    def make(chars: str) -> bytes:
        made.append(chars)
        return f"subset of {chars}".encode()

    first = cache.covering("face", font, "書類", "書類会場補助金", make, ".css")
    assert made == ["".join(sorted(set("書類会場補助金")))]
    assert cache.covering("face", font, "会場", "", make, ".css") == first, "covered: reused"
    assert len(made) == 1
    cache.covering("face", font, "予算", "", make, ".css")
    assert len(made) == 2, "not covered: made again"
    for path in (cache.folder / "face").glob("*.css"):
        path.write_bytes(b"broken")
    cache.covering("face", font, "会場", "", make, ".css")
    assert len(made) == 3, "a damaged subset is never used"


def test_a_survey_above_the_prepared_cache_s_size_keeps_images_only(tmp_path, counted, monkeypatch):
    """Above CACHE_PREPARED_UP_TO distinct answers the prepared answers are neither kept nor taken
    from the cache (it would hold them all at once); the images still are, and the outputs are
    those of a run that keeps them."""
    src = _source(tmp_path)
    assert _run(src, tmp_path / "kept") == 0
    monkeypatch.setattr(preparing, "CACHE_PREPARED_UP_TO", len(ANSWERS) - 1)
    out = tmp_path / "out"
    assert _run(src, out) == 0
    drawn = counted["draw"] - counted["draw"] // 2  # the second run's pictures
    assert not (out / ".cache" / "prepared").exists() and (out / ".cache").is_dir()
    assert _run(src, out) == 0
    assert counted["prepare"] == 3, "prepared again on the rerun"
    assert counted["draw"] == 2 * drawn, "its pictures taken from the cache"
    assert _contract_files(out) == _contract_files(tmp_path / "kept")


def test_has_tells_kept_files_before_and_after_they_are_written(tmp_path):
    # `Cache.has` (which word clouds the analysis need not draw early, `outputs.EarlyClouds`): files
    # kept now, or held until the run succeeds (defer), are there; others are not.
    picture = tmp_path / "a.png"
    picture.write_bytes(b"png")
    held = caching.Cache(tmp_path / "held", defer=True)
    written = caching.Cache(tmp_path / "written")
    for store in (held, written):
        assert not store.has("cloud-1")
        store.keep("cloud-1", {".png": picture})
        assert store.has("cloud-1") and not store.has("cloud-2")
    held.flush()
    assert caching.Cache(tmp_path / "held").has("cloud-1")
