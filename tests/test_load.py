"""Loader: encodings, delimiters, wide and long tables, Excel, and the errors a user can fix."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.load import load

WIDE = "団体ID,団体種別,理由,環境\nK1,NPO法人,書類が多い,相談窓口がほしい\nK2,町会・自治会,\"・人手不足\n・高齢化\",特になし\n"
WIDE_CONFIG = Config(id_col="団体ID", text_cols=("理由", "環境"), attr_cols=("団体種別",))


@pytest.mark.parametrize("name,data", [
    ("utf8.csv", WIDE.encode("utf-8")),
    ("utf8bom.csv", codecs.BOM_UTF8 + WIDE.encode("utf-8")),
    ("cp932.csv", WIDE.replace("\n", "\r\n").encode("cp932")),
    ("utf16.csv", WIDE.encode("utf-16")),
    ("tab.tsv", WIDE.replace(",", "\t").encode("utf-8")),
    ("euc.csv", WIDE.encode("euc_jp")),  # older municipal systems
    ("utf16le-no-bom.csv", WIDE.encode("utf-16-le")),
    ("utf16be-no-bom.csv", WIDE.encode("utf-16-be")),
    ("utf16be.csv", codecs.BOM_UTF16_BE + WIDE.encode("utf-16-be")),
])
def test_encodings_and_delimiters(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    answers = load(path, WIDE_CONFIG)
    assert [(a.id, a.question) for a in answers] == [("K1", "理由"), ("K1", "環境"), ("K2", "理由"), ("K2", "環境")]
    assert answers[0].raw == "書類が多い"
    assert answers[2].raw.replace("\r\n", "\n") == "・人手不足\n・高齢化"  # line break inside a cell
    assert answers[2].attrs == (("団体種別", "町会・自治会"),)


def test_long_table_and_row_number_ids(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("設問,回答\nQ1,書類が多い\nQ2,会場がほしい\nQ1,人手不足\n", encoding="utf-8")
    answers = load(path, Config(text_cols=("回答",), question_col="設問"))
    assert [(a.id, a.question, a.raw) for a in answers] == [
        ("1", "Q1", "書類が多い"), ("2", "Q2", "会場がほしい"), ("3", "Q1", "人手不足")]


def test_single_text_column_is_one_question(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("id,text\na,書類が多い\nb,予算がない\n", encoding="utf-8")
    answers = load(path, Config())
    assert {a.question for a in answers} == {"text"}
    assert [a.id for a in answers] == ["a", "b"]


def test_xlsx(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["団体ID", "団体種別", "理由", "環境"])
    sheet.append(["K1", "NPO法人", "書類が多い", "相談窓口がほしい"])
    sheet.append([2, "町会・自治会", "・人手不足\n・高齢化", None])
    book.save(tmp_path / "s.xlsx")
    answers = load(tmp_path / "s.xlsx", WIDE_CONFIG)
    assert [(a.id, a.raw) for a in answers] == [("K1", "書類が多い"), ("K1", "相談窓口がほしい"),
                                                 ("2", "・人手不足\n・高齢化"), ("2", "")]


def test_bundled_csv_and_xlsx_agree():
    from pathlib import Path

    from pipeline.config import build, read_toml

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    config = build(read_toml(corpus / "survey.toml"))
    from_csv = load(corpus / "survey.csv", config)
    from_xlsx = load(corpus / "survey.xlsx", config)
    assert len(from_csv) == 750
    assert [(a.id, a.question, a.raw.replace("\r\n", "\n"), a.attrs) for a in from_csv] == \
           [(a.id, a.question, a.raw, a.attrs) for a in from_xlsx]


@pytest.mark.parametrize("content,config,message", [
    (b"", Config(), "空"),
    (b"id,text\n", Config(), "見出し行だけ"),
    (b"id,text\n1,abc\n", Config(text_cols=("answer",)), "列「answer」"),
    (b"id,text\n1,abc\n", Config(id_col="no"), "列「no」"),
    (b"id,text\n1,abc\n", Config(attr_cols=("age",)), "列「age」"),
    (b"id,text,text\n1,a,b\n", Config(), "重複"),
    (b"id,text\n1,a\n1,b\n", Config(), "ID「1」"),
    ("id,text\n1,書類\n2,会場\n".encode("cp932") + b"3,\x82\xff\x85\n", Config(), "4 行目"),
])
def test_bad_input_is_a_user_error(tmp_path, content, config, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UserError) as err:
        load(path, config)
    assert message in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="見つかりません"):
        load(tmp_path / "nothing.csv", Config())


def test_forced_encoding_names_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("id,text\n1,書類\n".encode("cp932"))
    with pytest.raises(UserError, match="2 行目"):
        load(path, Config(encoding="utf-8"))
    assert load(path, Config(encoding="cp932"))[0].raw == "書類"


@pytest.fixture
def csv_default_limit():
    """The csv module's default cell limit for the test, whatever ran before; put back afterwards."""
    import csv

    earlier = csv.field_size_limit(131_072)
    yield 131_072
    csv.field_size_limit(earlier)


@pytest.mark.parametrize("cell_length", [10, 100_001, 300_000])  # the default limit is 131,072
def test_huge_cells_load_without_changing_the_process_wide_csv_limit(tmp_path, csv_default_limit, cell_length):
    import csv

    giant = ("書類が多くて大変です。" * (cell_length // 11 + 1))[:cell_length]
    path = tmp_path / "giant.csv"
    path.write_text(f"id,text\n1,\"{giant}\"\n2,会場がない\n", encoding="utf-8")
    answers = load(path, Config())
    assert [len(a.raw) for a in answers] == [cell_length, 5]
    assert csv.field_size_limit() == csv_default_limit


# Blank rows: every data row keeps its number (the id when there is no id column); only blank rows
# before the header and after the last data row are dropped. An entirely blank row is a respondent
# who answered nothing in a wide table without ids, and is skipped (without renumbering) in a table
# with an id column (an empty line of the export, not a respondent) or in a long table (no question).
WIDE_NO_ID = Config(text_cols=("理由", "環境"), attr_cols=("団体種別",))
LONG = Config(text_cols=("回答",), question_col="設問")
LONG_WITH_ID = Config(id_col="id", text_cols=("回答",), question_col="設問")


@pytest.mark.parametrize("content,config,expected", [
    pytest.param("団体種別,理由,環境\nNPO法人,書類が多い,相談窓口がほしい\n,,\n町会・自治会,人手不足,特になし\n,,\n\n",
                 WIDE_NO_ID,
                 [("1", "理由", "書類が多い", 1), ("1", "環境", "相談窓口がほしい", 1), ("2", "理由", "", 2),
                  ("2", "環境", "", 2), ("3", "理由", "人手不足", 3), ("3", "環境", "特になし", 3)],
                 id="wide-no-id-blank-cells"),
    pytest.param("団体種別,理由,環境\r\nNPO法人,書類が多い,\r\n\r\n\r\n町会・自治会,,会場がほしい\r\n",
                 WIDE_NO_ID,
                 [("1", "理由", "書類が多い", 1), ("1", "環境", "", 1), ("2", "理由", "", 2), ("2", "環境", "", 2),
                  ("3", "理由", "", 3), ("3", "環境", "", 3), ("4", "理由", "", 4), ("4", "環境", "会場がほしい", 4)],
                 id="wide-no-id-empty-lines"),
    pytest.param("理由\n書類が多い\n\u3000\n会場がほしい\n \n", Config(text_cols=("理由",)),
                 [("1", "理由", "書類が多い", 1), ("2", "理由", "", 2), ("3", "理由", "会場がほしい", 3)],
                 id="one-column-full-width-space"),
    pytest.param("\n\n団体ID,理由\nK1,書類が多い\n\n,\nK4,会場がほしい\nK5,\n", Config(id_col="団体ID", text_cols=("理由",)),
                 [("K1", "理由", "書類が多い", 1), ("K4", "理由", "会場がほしい", 4), ("K5", "理由", "", 5)],
                 id="id-column-blank-line-skipped"),
    pytest.param("設問,回答\nQ1,書類が多い\n,\nQ2,会場がほしい\n\nQ1,人手不足\n", LONG,
                 [("1", "Q1", "書類が多い", 1), ("3", "Q2", "会場がほしい", 3), ("5", "Q1", "人手不足", 5)],
                 id="long-no-id"),
    pytest.param("id,設問,回答\na,Q1,書類が多い\n,,\nb,Q2,\n", Config(text_cols=("回答",), question_col="設問"),
                 [("a", "Q1", "書類が多い", 1), ("b", "Q2", "", 3)],
                 id="long-with-id"),
])
def test_blank_rows_keep_their_row_numbers(tmp_path, content, config, expected):
    path = tmp_path / "blank.csv"
    path.write_text(content, encoding="utf-8")
    answers = load(path, config)
    assert [(a.id, a.question, a.raw.strip(), a.row) for a in answers] == expected


def test_blank_rows_in_xlsx(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["団体種別", "理由", "環境"])
    sheet.append(["NPO法人", "書類が多い", "相談窓口がほしい"])
    sheet.append([None, None, None])  # a respondent who left everything blank
    sheet.append(["町会・自治会", "人手不足", "特になし"])
    sheet.append([None, "", "   "])
    sheet["C8"].font = openpyxl.styles.Font(bold=True)  # a formatted empty cell below: trailing rows are no data
    book.save(tmp_path / "s.xlsx")
    answers = load(tmp_path / "s.xlsx", WIDE_NO_ID)
    assert [(a.id, a.raw) for a in answers if a.question == "理由"] == [("1", "書類が多い"), ("2", ""), ("3", "人手不足")]
    assert answers[2].attrs == (("団体種別", ""),)


@pytest.mark.parametrize("content,message", [
    pytest.param("id,text\n1,書類\n,会場\n", "3 行目に ID", id="no-id"),
    pytest.param("\nid,text\n1,書類\n\n,会場\n", "5 行目に ID", id="no-id-after-blank-lines"),
    pytest.param("id,text\n1,書類\n\n1,会場\n", "2 行目と 4 行目", id="duplicate-id"),
    pytest.param("設問,回答\nQ1,書類\n\n,会場\n", "4 行目に設問名", id="no-question"),
    # Long tables: one id may answer several questions, not one twice (the question as written, spaces aside).
    pytest.param("id,設問,回答\n1,Q1,書類\n1,Q2,会場\n2,Q1,人手\n\n1, Q2 ,予算\n", "3 行目と 6 行目.*Q2",
                 id="duplicate-id-and-question"),
])
def test_messages_name_the_line_in_the_file(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    config = LONG if content.startswith("設問") else LONG_WITH_ID if content.startswith("id,設問") else Config()
    with pytest.raises(UserError, match=message):
        load(path, config)


# Encodings. `auto` reads BOMs, UTF-16 without a BOM, UTF-8, CP932 and EUC-JP; every reading, auto
# or forced, must be plausible text, else a UserError names the file and the --encoding to pass.
def euc_jp(text: str) -> bytes:
    """EUC-JP as older systems write it: JIS X 0208 plus the NEC symbols of row 13 (①, ㈱)."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("euc_jp")
        except UnicodeEncodeError:
            code = ch.encode("euc_jis_2004")
            if not code.startswith(b"\xad"):
                raise
            out += code
    return bytes(out)


def encodings_of(text: str) -> dict[str, bytes]:
    """The bytes of `text` in every encoding that can hold it, by the --encoding that reads them."""
    out = {"utf-8": text.encode("utf-8"), "utf-8-sig": codecs.BOM_UTF8 + text.encode("utf-8"),
           "utf-16": text.encode("utf-16")}
    for option, encode in (("cp932", lambda t: t.encode("cp932")), ("euc-jp", euc_jp)):
        try:
            out[option] = encode(text)
        except UnicodeEncodeError:
            pass
    return out


# Real-looking answers that must never be taken for garbage, in any encoding that can hold them.
LEGITIMATE = {
    "prose": "団体ID,理由\nK1,書類が多くて、報告書の作成に時間がかかる。\nK2,\"・人手不足\n・高齢化\"\nK3,特になし\n",
    "emoji": "id,text\n1,とても良かったです😀👍🏻\n2,また参加したい🙇‍♀️✨\n3,楽しかった！！♪\n",
    "circled-numbers": "id,text\n1,①書類が多い②会場がない③予算が足りない\n2,⑴人手不足 ⑵高齢化\n3,㈱〇〇との協働、㍉単位の調整\n",
    "full-width-symbols": "id,text\n1,【要望】※会場の確保→最優先。■□◆◇☆★〒１２３－４５６７\n2,～～ー―‐＃＄％＆（）＝｜\n3,±×÷°℃￥§\n",
    "rare-kanji-names": "id,text\n1,髙橋さんと山﨑さんに相談しました\n2,德永さん、濵田さん、邉見さんにお世話になった\n3,蔵王・鬱蒼・薔薇・檸檬\n",
    "hankaku-mixed": "id,text\n1,ｱﾝｹｰﾄにご協力ありがとうございました\n2,ﾎﾞﾗﾝﾃｨｱの人数が足りない｡ｲﾍﾞﾝﾄの告知もﾑｽﾞｶｼｲ\n3,ﾄｸﾆﾅｼ\n",
    "hankaku-only": "id,text\n1,ｼｮﾙｲｶﾞｵｵｲ\n2,ｶｲｼﾞｮｳｶﾞﾅｲ\n3,ﾖｻﾝｶﾞﾀﾘﾅｲ｡ﾋﾄﾃﾞﾌﾞｿｸ\n4,ﾄｸﾆﾅｼ\n5,ﾎﾞﾗﾝﾃｨｱﾉｺｳﾚｲｶ\n",
    "english": "id,text\nr1,Too much paperwork\nr2,We need a meeting room\n",
    "accented-latin": "id,text\n1,カフェ（café）で会議\n2,naïve な意見ですが、Café Müller のような場所\n",
    "hangul": "id,text\n1,会場がない\n2,회의실이 필요합니다\n3,書類が多い\n4,予算がない\n",
    "pasted-control-characters": "id,text\n1,会場が\x00な\x07い\x1b\n2,書類が多い\n3,予算がない\x0c\n",
    "private-use-gaiji": "id,text\n1,\ue000田さんに相談した。とても丁寧に対応していただいた\n2,書類が多い\n",
    "greek": "id,text\n1,β版のシステムでΩ単位、α値を設定\n",
    "kanji-only": "id,text\n1,会場確保困難\n2,予算不足\n3,人材育成\n",
    "hankaku-punctuation": "id,text\n1,｡｡\n",  # in CP932 also EUC-JP's 全角 space, a reading with no letter
}


@pytest.mark.parametrize("name", LEGITIMATE)
def test_legitimate_text_reads_back_in_every_encoding(name):
    from pipeline.load import decode

    text = LEGITIMATE[name]
    for option, data in encodings_of(text).items():
        assert decode(Path("回答.csv"), data).lstrip("\ufeff") == text, f"auto, {option}"
        assert decode(Path("回答.csv"), data, option).lstrip("\ufeff") == text, option


def test_euc_jp_with_nec_symbols_and_long_answers(tmp_path):
    text = "番号,自由記述\n1,①会場が遠い　②駐車場がない\n2,㈱〇〇さんとの協働で、地域の高齢者の見守りができた。\n3,特になし\n"
    path = tmp_path / "euc.csv"
    path.write_bytes(euc_jp(text).replace(b"\n", b"\r\n"))
    for encoding in ("auto", "euc-jp"):
        answers = load(path, Config(id_col="番号", text_cols=("自由記述",), encoding=encoding))
        assert [a.raw for a in answers] == ["①会場が遠い　②駐車場がない", "㈱〇〇さんとの協働で、地域の高齢者の見守りができた。", "特になし"]


@pytest.mark.parametrize("text", [
    pytest.param("id,text\n1,予算\n2,協働\n3,不足\n", id="kanji-only"),
    pytest.param("id,text\n1,特になし\n2,少ない\n", id="hiragana"),
    pytest.param("団体,理由\n市民,予算不足\n行政,制度と環境\n", id="short-answers"),
])
def test_short_euc_jp_that_also_reads_as_cp932_is_read_as_euc_jp(text):
    from pipeline.load import decode

    data = euc_jp(text)
    data.decode("cp932")  # the trap: CP932 reads these bytes without an error
    assert decode(Path("回答.csv"), data) == text


def test_utf16_without_bom_and_with_few_ascii_characters():
    from pipeline.load import decode

    text = "回答\n" + "協働事業を通じて地域の課題を共有できたことがとても良かったと思います。" * 20 + "\n"
    for codec in ("utf-16-le", "utf-16-be"):
        assert decode(Path("回答.csv"), text.encode(codec)) == text
        assert decode(Path("回答.csv"), text.encode(codec), "utf-16") == text


SURVEY = "id,text\n1,書類が多くて大変です。\n2,会場の確保が難しい。\n3,わかりません\n4,特になし\n5,予算が足りないので、活動が続けられない。\n"


def mojibake(text: str, wrote: str, read: str) -> bytes:
    """Text written in one encoding, read as another and saved as UTF-8 (what an editor does)."""
    return text.encode(wrote).decode(read, errors="replace").encode("utf-8")


@pytest.mark.parametrize("data,encoding,expected", [
    # the wrong encoding forced: the message names the one that reads the file
    pytest.param(euc_jp(SURVEY), "cp932", "--encoding euc-jp", id="euc-jp-forced-as-cp932"),
    pytest.param(SURVEY.encode("utf-8"), "cp932", "--encoding utf-8", id="utf-8-forced-as-cp932"),
    pytest.param("id,text\n1,わかりません\n".encode(), "cp932", "--encoding utf-8", id="utf-8-that-cp932-reads"),
    pytest.param(SURVEY.encode("utf-8"), "euc-jp", "--encoding utf-8", id="utf-8-forced-as-euc-jp"),
    pytest.param(SURVEY.encode("cp932"), "euc-jp", "--encoding cp932", id="cp932-forced-as-euc-jp"),
    pytest.param(SURVEY.encode("cp932"), "utf-8", "--encoding cp932", id="cp932-forced-as-utf-8"),
    pytest.param(SURVEY.encode("utf-16-le"), "utf-8", "--encoding utf-16", id="utf-16-forced-as-utf-8"),
    pytest.param(SURVEY.encode("utf-8"), "utf-16", "--encoding utf-8", id="utf-8-forced-as-utf-16"),
    # garbage inside a file that decodes: refused, whatever --encoding says
    pytest.param(mojibake(SURVEY, "utf-8", "cp1252"), "auto", "Latin-1", id="utf-8-read-as-cp1252"),
    pytest.param(mojibake(SURVEY, "utf-8", "latin-1"), "utf-8", "Latin-1", id="utf-8-read-as-latin-1"),
    pytest.param(mojibake(SURVEY, "utf-8", "cp932"), "auto", "まれな漢字", id="utf-8-read-as-cp932"),
    pytest.param(mojibake(SURVEY * 3, "euc_jp", "cp932"), "auto", "半角カナとまれな漢字", id="euc-jp-read-as-cp932"),
    pytest.param(mojibake(SURVEY, "utf-16-le", "utf-8"), "auto", "文字化け", id="utf-16-read-as-utf-8"),
    pytest.param(SURVEY.replace("。", "\ufffd\ufffd").encode("utf-8"), "auto", "読めない文字", id="replacement-characters"),
    pytest.param(b"id,text\n" + bytes(range(1, 32)) * 4, "auto", "制御文字", id="control-characters"),
    pytest.param(b"\x00" * 64, "auto", "制御文字", id="nul-bytes"),
])
def test_garbage_is_refused_with_the_encoding_to_pass(data, encoding, expected):
    from pipeline.load import decode

    with pytest.raises(UserError) as err:
        decode(Path("回答.csv"), data, encoding)
    message = str(err.value)
    assert "回答.csv" in err.value.message and expected in message
    assert 1 <= message.count("\n") + 1 <= 2


def test_euc_jp_is_an_encoding_option():
    from pipeline.config import ENCODINGS, build

    assert {"auto", "utf-8", "cp932", "euc-jp", "utf-16"} <= set(ENCODINGS)
    assert build({"encoding": "euc-jp"}).encoding == "euc-jp"


@pytest.mark.parametrize("text, encoding", [
    ("ﾊゃぁ", "cp932"),  # CA 82 E1 82 9F: also valid UTF-8 (ʂ႟), found by the property test
    ("駐車場が狭い ʂ", "utf-8"),  # UTF-8 with an odd character stays UTF-8 (not valid CP932)
])
def test_short_text_valid_in_both_is_read_as_the_japanese_reading(tmp_path, text, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes(f"id,text\nr1,{text}\n".encode(encoding))
    assert [a.raw for a in load(path, Config())] == [text]


def test_short_rows_read_as_padded_and_repeated_values_shared(tmp_path):
    # A row with fewer cells than the header (an export that drops trailing empty cells) reads as
    # if padded with empty cells; repeated attribute values and question names are one object.
    path = tmp_path / "short.csv"
    path.write_text("id,設問,回答,地域,年代\n1,Q1,書類が多い,北,30代\n2,Q1,会場がほしい\n3,Q2,人手不足,北,30代\n4,Q1\n",
                    encoding="utf-8")
    config = Config(text_cols=("回答",), question_col="設問", attr_cols=("地域", "年代"))
    answers = load(path, config)
    assert [(a.id, a.question, a.raw, a.attrs) for a in answers] == [
        ("1", "Q1", "書類が多い", (("地域", "北"), ("年代", "30代"))),
        ("2", "Q1", "会場がほしい", (("地域", ""), ("年代", ""))),
        ("3", "Q2", "人手不足", (("地域", "北"), ("年代", "30代"))),
        ("4", "Q1", "", (("地域", ""), ("年代", ""))),
    ]
    assert answers[0].attrs is answers[2].attrs and answers[1].attrs is answers[3].attrs
    assert answers[0].question is answers[1].question is answers[3].question


def test_repeated_answers_are_one_string(tmp_path):
    path = tmp_path / "repeat.csv"
    path.write_text("id,回答\n1,特になし\n2,駐車場が狭い\n3,特になし\n", encoding="utf-8")
    answers = load(path, Config(text_cols=("回答",)))
    assert [a.raw for a in answers] == ["特になし", "駐車場が狭い", "特になし"]
    assert answers[0].raw is answers[2].raw


@pytest.mark.parametrize("text", [
    "id,text\n1,駐車場が狭い\n2,ｶﾀｶﾅと①、café ×÷ 😀\x00\x01\n",
    "ã\x81\x82ã\x81\x84 Ã© mojibake, 鷗外 髙橋 ﾊｶﾞ鵞\u3000\ufeff" * 3,
    "".join(chr(c) for c in range(0x20, 0x3000, 7)) + "\ud800",  # a lone surrogate too
    "",
])
def test_character_profile_is_the_same_counted_in_arrays(monkeypatch, text):
    """Long texts' characters are counted as code-point arrays, short ones with a Counter: the
    profile that decides whether a reading is plausible does not depend on which."""
    import pipeline.load as loading

    by_counter = vars(loading._Profile(text))
    monkeypatch.setattr(loading, "COUNT_IN_ARRAYS", -1)
    assert vars(loading._Profile(text)) == by_counter


@pytest.mark.parametrize("attr_cols", [(), ("area",), ("area", "age")])
def test_attributes_are_stripped_and_held_once(tmp_path, attr_cols):
    """Each answer's attributes are its cells stripped, paired with their column names; equal
    values (with stray spaces or not) are one tuple; a blank line between rows is skipped, a row
    with content but no id is refused."""
    src = tmp_path / "a.csv"
    src.write_text("id,question,area,age,text\n1,q,福井 ,30代,駐車場が狭い\n2,q,福井,30代 ,バスが少ない\n,,,,\n"
                   "3,q, 坂井,40代,トイレ\n", encoding="utf-8")
    answers = load(src, Config(question_col="question", attr_cols=attr_cols))
    assert [a.id for a in answers] == ["1", "2", "3"]
    values = {"area": ["福井", "福井", "坂井"], "age": ["30代", "30代", "40代"]}
    assert [a.attrs for a in answers] == [tuple((c, values[c][k]) for c in attr_cols) for k in range(3)]
    assert answers[0].attrs is answers[1].attrs
    src.write_text("id,question,area,age,text\n1,q,福井,30代,駐車場が狭い\n,q,福井,30代,バス\n", encoding="utf-8")
    with pytest.raises(UserError, match="ID"):
        load(src, Config(question_col="question", attr_cols=attr_cols))


def test_missing_text_column_suggests_the_columns(tmp_path):
    """A survey export names its columns after its questions: the error says which columns look
    like free text, attributes and an id, as the options to pass (wide and long tables)."""
    ages = ["20代", "30代", "40代"]
    rows = [f"R{i:03d},{ages[i % 3]},駐車場が少なくて困る{i}回目,もっと開館時間を延ばしてほしい{i}" for i in range(30)]
    wide = tmp_path / "wide.csv"
    wide.write_text("回答者ID,年代,問3 不便なこと,問4 要望\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load(wide, Config())
    hint = err.value.hint
    assert '--text-col "問3 不便なこと" --text-col "問4 要望"' in hint and "--attr-col 年代" in hint
    assert "--id-col 回答者ID" in hint and "横持ち" in hint
    long = tmp_path / "long.csv"
    long.write_text("設問,回答\n" + "\n".join(f"Q{i % 2 + 1},駐車場が少なくて困る{i}回目" for i in range(30)) + "\n",
                    encoding="utf-8")
    with pytest.raises(UserError) as err:
        load(long, Config())
    assert "--text-col 回答 --question-col 設問" in err.value.hint and "縦持ち" in err.value.hint
    short = tmp_path / "short.csv"  # nothing that looks like free text: no suggestion
    short.write_text("番号,年代\n1,20代\n2,30代\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load(short, Config())
    assert "たとえば" not in err.value.hint
