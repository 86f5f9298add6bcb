"""Every case of the bad-input corpus (tests/bad_inputs/cases.yaml) is rejected clearly."""

import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from .conftest import ROOT, run_cli, validation_copy

CASES = yaml.safe_load((Path(__file__).parent / "bad_inputs" / "cases.yaml").read_text(encoding="utf-8"))
def apply(path: Path, edit: dict) -> None:
    kind = edit["kind"]
    if kind == "delete":
        path.unlink()
    elif kind in ("text", "yaml_text"):
        path.write_text(edit["content"], encoding="utf-8")
    elif kind == "yaml":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        *parents, last = edit["key"].split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if edit["value"] is None and isinstance(node, dict):
            del node[last]
        else:
            node[int(last) if isinstance(node, list) else last] = edit["value"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    elif kind == "empty_workbook":
        Workbook().save(path)
    elif kind == "replace":
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, edit["old"]
        path.write_text(text.replace(edit["old"], edit["new"], 1), encoding="utf-8")
    elif kind == "encode":  # the same text saved in another encoding (Windows-1258 keeps tones apart)
        text = path.read_text(encoding="utf-8")
        if edit["encoding"] == "cp1258":
            text = unicodedata.normalize("NFD", text)
        path.write_bytes(text.encode(edit["encoding"], errors="replace"))
    elif kind == "dimension":  # a sheet claiming a data area it does not have
        rewrite_zip(path, lambda name, data: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{edit["ref"]}"'.encode(),
                                                    data) if name == edit["part"] else data)
    elif kind == "cut_sheet":  # a sheet's XML cut in half (a copy interrupted)
        rewrite_zip(path, lambda name, data: data[:len(data) // 2] if name == edit["part"] else data)
    elif kind == "bit_rot":  # one flipped bit in a sheet stored without compression: a bad CRC
        rewrite_zip(path, lambda name, data: data, zipfile.ZIP_STORED)
        content = bytearray(path.read_bytes())
        content[content.index(b"<sheetData>") + 20] ^= 0x01
        path.write_bytes(bytes(content))
    elif kind == "copy_from":
        path.write_bytes((ROOT / edit["file"]).read_bytes())  # from the project itself
    else:
        apply_to_workbook(path, edit)


def rewrite_zip(path: Path, change, compression: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, change(info.filename, source.read(info.filename))) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression) as target:
        for name, data in parts:
            target.writestr(name, data)


def apply_to_workbook(path: Path, edit: dict) -> None:
    book = load_workbook(path)
    kind = edit["kind"]
    sheet = book[edit["sheet"]]
    if kind == "cell" and "cell" in edit:
        sheet[edit["cell"]].value = edit["value"]
    elif kind == "cell":
        column = next(c.column for c in sheet[1] if c.value == edit["column"])
        sheet.cell(row=edit["row"], column=column).value = edit["value"]
    elif kind == "nfd":
        sheet[edit["cell"]].value = unicodedata.normalize("NFD", sheet[edit["cell"]].value)
    elif kind == "rename_sheet":
        sheet.title = edit["to"]
    elif kind == "delete_sheet":
        del book[edit["sheet"]]
    elif kind == "insert_row":
        sheet.insert_rows(1)
        for column, value in enumerate(edit["values"], start=1):
            sheet.cell(row=1, column=column).value = value
    elif kind == "merge":
        sheet.merge_cells(edit["range"])
    else:
        raise ValueError(f"unknown edit kind {kind}")
    book.save(path)


def test_corpus_is_large_and_ids_are_unique():
    ids = [case["id"] for case in CASES]
    assert len(ids) >= 30 and len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input_is_rejected_clearly(case, tmp_path):
    project = validation_copy(tmp_path / "project")
    for edit in case.get("edits", [case["edit"]] if "edit" in case else []):
        apply(project / case["file"], edit)
    result = run_cli(project, "validate", "--year", str(case.get("year", 2021)))
    shown = result.stdout + result.stderr
    assert result.returncode == case.get("status", 2), shown
    missing = [text for text in case["expect"] if str(text) not in shown]
    assert missing == [], shown
    assert "Traceback" not in shown
    if "issues" in case:
        assert shown.count("\n  - ") == case["issues"], shown
    if case.get("status", 2) == 0:
        assert result.stderr == ""
