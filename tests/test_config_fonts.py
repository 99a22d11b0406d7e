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
