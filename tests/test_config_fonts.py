import sys

import pytest

from pipeline.config import Config, build, read_toml
from pipeline.errors import UserError
from pipeline.fonts import bundled_font, font_path


def test_bundled_font_found_without_importing_japanize():
    path = bundled_font()
    assert path is not None and path.name == "ipaexg.ttf" and path.stat().st_size > 1_000_000
    assert "japanize_matplotlib" not in sys.modules


def test_configured_font_must_exist(tmp_path):
    with pytest.raises(UserError, match="フォント"):
        font_path(str(tmp_path / "none.ttf"))
    assert font_path(None) == bundled_font()


def test_toml_round_trip(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('id_col = "団体ID"\ntext_cols = ["理由"]\nk = 4\nstop_words = ["協働"]\n'
                    '[questions."理由"]\ntitle = "協働したくない理由"\n', encoding="utf-8")
    config = build(read_toml(path))
    assert config == Config(id_col="団体ID", text_cols=("理由",), k=4, stop_words=("協働",),
                            question_titles=(("理由", "協働したくない理由"),))
    assert config.question_title("理由") == "協働したくない理由"


@pytest.mark.parametrize("text,message", [
    ("nonsense = 1\n", "不明な項目"),
    ("k = 0\n", "テーマ数"),
    ("k = \"many\"\n", "テーマ数"),
    ("encoding = \"latin-1\"\n", "文字コード"),
    ("text_cols = 3\n", "text_cols"),
    ("[broken\n", "TOML"),
])
def test_bad_config(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        build(read_toml(path))


@pytest.mark.parametrize("width,height", [(800, 400), (560, 320), (301, 151)])
def test_word_cloud_pictures_have_the_asked_size_and_show_every_word(tmp_path, width, height):
    """Laid out on a half-size canvas and drawn at twice the scale (an odd size: at scale 1),
    the PNG and the SVG are the size asked for, and the SVG shows the words in Japanese."""
    import re

    from PIL import Image

    from pipeline.render import wordcloud

    weights = (("駐車場", 9.0), ("狭い", 5.0), ("トイレ", 4.0), ("案内板", 2.0), ("Wi-Fi", 1.0))
    path = tmp_path / "cloud.png"
    assert wordcloud(weights, path, font=bundled_font(), seed=0, width=width, height=height)
    assert Image.open(path).size == (width, height)
    svg = path.with_suffix(".svg").read_text(encoding="utf-8")
    assert f'width="{width}" height="{height}"' in svg
    assert set(re.findall(r">([^<>]+)</text>", svg)) == {w for w, _ in weights}
    sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', svg)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > height / 8, "heaviest word biggest, and large"
