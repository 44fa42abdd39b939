import gzip
import zipfile

import pandas as pd
import pytest

from pipeline.errors import InputDataError
from pipeline.inputs.sources import TableSource, read_table


def test_reads_bom_crlf_and_numbers_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffid,name\r\n1,Ann\r\n2,Bob\r\n".encode("utf-8"))
    frame = read_table(path)
    assert list(frame.columns) == ["source_file", "source_row", "id", "name", "source_extra_fields"]
    assert frame["source_row"].tolist() == [2, 3]
    assert frame["id"].tolist() == ["1", "2"]


def test_reads_cp1252_saved_by_excel(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("id,location\r\n1,Caf\xe9 Ren\xe9\r\n".encode("cp1252"))
    assert read_table(path)["location"].tolist() == ["Café René"]


def test_reads_semicolon_delimited(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id;value\n1;5\n")
    assert read_table(path)["value"].tolist() == ["5"]


def test_empty_values_are_empty_strings(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,flag\n1,\n2,NA\n")
    assert read_table(path)["flag"].tolist() == ["", "NA"]


def test_gzip_and_zip_members(tmp_path):
    gz = tmp_path / "a.csv.gz"
    gz.write_bytes(gzip.compress(b"id\n7\n"))
    assert read_table(gz)["id"].tolist() == ["7"]
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("2024-01/x.csv", "id\n9\n")
    frame = read_table(TableSource(archive, "2024-01/x.csv"))
    assert frame["id"].tolist() == ["9"] and frame["source_file"].iloc[0] == "x.csv"


def test_xlsx_is_read(tmp_path):
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"id": ["A1"], "value": [3]}).to_excel(path, index=False)
    frame = read_table(path)
    assert frame["id"].tolist() == ["A1"] and frame["value"].tolist() == ["3"]


@pytest.mark.parametrize("content,problem", [
    (b"", "empty"),
    (b"PK\x03\x04rest-of-a-zip", "zip archive or an Excel workbook"),
])
def test_unreadable_files_name_the_file_and_problem(tmp_path, content, problem):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputDataError, match=problem) as error:
        read_table(path)
    assert "bad.csv" in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputDataError, match="file not found"):
        read_table(tmp_path / "nope.csv")
