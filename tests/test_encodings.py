"""Text files in the encodings exports and spreadsheets write, cells written as Excel formulas, and rows wider
than their header: the fixtures of tests/data (see its README) and the real Japanese sample where it is."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DATA, make_project, shared_samples

from sitegen.data.headers import map_headers, unmapped
from sitegen.data.load import load_client_data
from sitegen.data.readers import open_table, read_table
from sitegen.data.readers.encodings import decode_text
from sitegen.data.readers.formulas import unwrap
from sitegen.data.totals import total_rows
from sitegen.errors import Diagnostics, SitegenError

JA_HEADER = ["キャンペーン名", "一級ステータス", "キャンペーン予算", "コスト", "CPC（誘導先）", "CPM",
             "インプレッション", "クリック（誘導先）", "CTR（誘導先）", "コンバージョン", "コンバージョン単価",
             "コンバージョン率（CVR）", "結果", "結果の単価", "結果率（％）", "ディープファネル結果",
             "ディープファネル結果ごとのコスト", "ディープファネル結果の割合", "目標ベースの予算増加", "通貨"]
JA_MAPPING = {"キャンペーン名": "campaign", "コスト": "spend", "インプレッション": "impressions",
              "クリック（誘導先）": "clicks", "コンバージョン": "conversions", "通貨": "currency"}


def load(*files: Path, tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    return load_client_data(folder, Diagnostics())


def text(cells) -> list[str]:
    return [c if isinstance(c, str) else c.as_py() for c in cells]


def check_japanese_export(path: Path, names: list[str]) -> None:
    table = open_table(path)
    assert table.names == JA_HEADER
    assert table.notes == ["encoding Shift_JIS (Windows-31J) (not UTF-8; detected)"]
    mapping = map_headers(table.names, "ads", {})
    assert mapping == JA_MAPPING
    assert unmapped(table.names, mapping) == []  # the ratio and status columns are known and ignored
    _, cells = table.read(["キャンペーン名", "通貨"])
    assert text(cells["キャンペーン名"]) == [*names, "全2件の結果"]
    assert set(text(cells["通貨"])) == {"JPY"}
    assert total_rows(cells["キャンペーン名"]).tolist() == [False, False, True]


def test_shift_jis_ads_export_is_read_and_its_columns_recognised():
    check_japanese_export(DATA / "ads-manager-ja-sjis.csv", ["春の新作　※テスト", "秋セール"])


def test_real_japanese_sample_is_read_and_its_columns_recognised():
    check_japanese_export(shared_samples() / "real-world/ads-jp-campaign/tiktok.csv",
                          ["2026初売り", "UGC風業態訴求　※コメントオフ"])


@pytest.mark.parametrize(("name", "encoding", "campaigns"), [
    ("ads-unicode-text.txt", "encoding UTF-16 (Excel's \"Unicode text\")", ["Été ☀ 夏", "Νέα σειρά"]),
    ("ads-gbk.csv", "encoding GBK (GB18030) (not UTF-8; detected)", ["双十一预热", "品牌广告系列"]),
    ("ads-cp1252.csv", "encoding Windows-1252 (not UTF-8; detected)", ["Herbst – 5 € Rabatt", "Müller & Söhne"]),
])
def test_export_in_a_legacy_encoding_loads_and_says_which(tmp_path, name, encoding, campaigns):
    data = load(DATA / name, tmp_path=tmp_path)
    assert data["ads"]["campaign"].tolist() == campaigns
    assert encoding in data.files[0].notes


def test_utf8_with_a_byte_order_mark_needs_no_note(tmp_path):
    data = load(DATA / "ads-manager-export.csv", tmp_path=tmp_path)
    assert not [n for n in data.files[0].notes if "encoding" in n]


@pytest.mark.parametrize(("written", "encoding", "name"), [
    ("日付,キャンペーン名,コスト\n2026-10-01,東京,100\n", "cp932", "Shift_JIS (Windows-31J)"),
    ("キャンペーン名,コスト\n春,100\n", "cp932", "Shift_JIS (Windows-31J)"),
    ("名称,花费\n东京,100\n", "gbk", "GBK (GB18030)"),
    ("日期,广告系列名称,花费\n2026-10-01,春季促销,12.5\n", "gbk", "GBK (GB18030)"),
    ("Kampagne,Kosten\nMüller,5\n", "cp1252", "Windows-1252"),
    ("Campagne,Coût\nÉté,5 €\n", "cp1252", "Windows-1252"),
    ("Fecha,Campaña,Coste\n2026-10-01,Campaña de año nuevo,12.5\n", "cp1252", "Windows-1252"),
])
def test_a_few_lines_are_enough_to_tell_the_encoding(written, encoding, name):
    decoded, note = decode_text(written.encode(encoding), Path("x.csv"))
    assert decoded == written
    assert note == f"encoding {name} (not UTF-8; detected)"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_unicode_files_are_read_by_their_byte_order_mark(encoding):
    written = "date\tcampaign\n2026-10-01\tÉté ☀ 夏\n"
    data = written.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + written.encode(encoding)
    decoded, note = decode_text(data, Path("x.csv"))
    assert decoded == written
    assert (note is None) == encoding.startswith("utf-8")


def test_a_file_no_encoding_reads_is_an_error_naming_it(tmp_path):
    path = tmp_path / "ads.csv"
    path.write_bytes(b"date,campaign,spend\n2026-10-01," + bytes(range(128, 256)) * 3 + b",1\n")
    with pytest.raises(SitegenError) as caught:
        read_table(path)
    assert caught.value.file == path
    assert "cannot tell the file's encoding" in caught.value.message
    with pytest.raises(SitegenError, match="cannot tell the file's encoding"):
        open_table(path)  # the fast reader leaves the file to the general one


def test_check_names_the_encoding_and_rejects_an_unreadable_file(tmp_path):
    root = make_project(tmp_path, {}, {"2026-10.md": "x"})
    shutil.copy(DATA / "ads-cp1252.csv", root / "content/acme/data/ads-cp1252.csv")
    run = subprocess.run([sys.executable, "-m", "sitegen", "check", str(root)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "ads-cp1252.csv: delimiter ';'; encoding Windows-1252 (not UTF-8; detected)" in run.stdout
    (root / "content/acme/data/broken.csv").write_bytes(b"date,campaign,spend\n2026-10-01," +
                                                       bytes(range(128, 256)) * 3 + b",1\n")
    run = subprocess.run([sys.executable, "-m", "sitegen", "check", str(root)], capture_output=True, text=True)
    assert run.returncode == 2
    assert "broken.csv: cannot tell the file's encoding" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(("cell", "shown"), [
    ('="Nama kampanye"', "Nama kampanye"), ('="say ""hi"""', 'say "hi"'), ('=""', ""), ('="007"', "007"),
    ("=1+1", "=1+1"), ('="a"&"b"', '="a"&"b"'), ('="open', '="open'), ("plain", "plain"), ("", ""),
])
def test_a_text_formula_is_the_text_it_gives(cell, shown):
    assert unwrap(cell) == shown


def test_cells_written_as_formulas_lose_their_wrappers(tmp_path):
    data = load(DATA / "ads-formula-cells.csv", tmp_path=tmp_path)
    ads = data["ads"]
    assert ads["campaign"].tolist() == ['Promo "Flash" 10.10', "Serum, 30 ml"]
    assert ads["ad"].tolist() == ["007", "=1+1"]
    assert ads["spend"].tolist() == [30.0, 20.0]
    assert [d.isoformat()[:10] for d in ads["date"]] == ["2026-10-01", "2026-10-02"]


def test_formula_cells_read_in_blocks_as_read_whole(tmp_path):
    path = tmp_path / "ads.csv"
    rows = [f'="2026-10-{d:02d}",="Promo ""{d % 3}""",="{d}.50"' for d in range(1, 29)] * 40
    path.write_text("date,campaign,spend\n" + "\n".join(rows) + "\n")
    whole = read_table(path)
    table = open_table(path, stream_from=1)
    assert table.lazy  # the block reader took it
    numbers, cells = table.read(["date", "campaign", "spend"])
    assert numbers.tolist() == whole.row_numbers.tolist()
    for name in ("date", "campaign", "spend"):
        column = cells[name]
        got = [column.uniques[int(i)].as_py() for i in column.codes]
        assert got == whole.frame[name].tolist()
    assert whole.frame["campaign"].iloc[0] == 'Promo "1"'


@pytest.mark.parametrize(("written", "row", "message"), [
    ("date,campaign,spend\n2026-10-01,A,1\n2026-10-02,B,2,3\n", 3, "row has 4 cells, expected 3 like the header"),
    ("TikTok Ads report\nDate range: 2026-10-01 - 2026-10-31\n\ndate,campaign,spend\n2026-10-01,A,1\n"
     "2026-10-02,B,2,3,4\n", 6, "row has 5 cells, expected 3 like the header"),
    ("date,campaign,spend\n2026-10-01,A,1,9\n2026-10-02,B,2\n", 2, "row has 4 cells, expected 3 like the header"),
    ('date,campaign,spend\n2026-10-01,"A\nB",1\n2026-10-02,B,2,3\n', 3, "row has 4 cells, expected 3 like the header"),
])
def test_a_row_wider_than_the_header_is_an_error_at_its_row(tmp_path, written, row, message):
    path = tmp_path / "ads.csv"
    path.write_text(written)
    for read in (read_table, open_table):
        with pytest.raises(SitegenError) as caught:
            read(path)
        assert (caught.value.message, caught.value.row, caught.value.file) == (message, row, path)


def test_a_delimiter_at_the_end_of_each_row_shifts_nothing(tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text("date,campaign,spend\n2026-10-01,A,1,\n\n2026-10-02,B,2,\n")
    table = read_table(path)
    assert table.frame.to_dict("list") == {"date": ["2026-10-01", "2026-10-02"], "campaign": ["A", "B"],
                                           "spend": ["1", "2"]}
    assert table.row_numbers.tolist() == [2, 4]
