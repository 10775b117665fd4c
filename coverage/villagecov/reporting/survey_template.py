"""The pre-filled Task 9 survey workbook a commune fills in and sends back.

One row per village of the commune (its latest register): ``ma_thon`` (village_id), ``ten_thon``
(name, for reading; ignored on ingest), ``ngay`` (survey date), ``nguon`` (source), then one
column per service with a validated drop-down list ``có`` / ``không``, pre-filled with the
latest answer in the store (blank when the store has none). ``villagecov ingest services`` reads
the workbook back as it is (first sheet; the second sheet is the instructions).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from villagecov.errors import NotFound
from villagecov.schema import LATEST
from villagecov.storage import Store

# service -> (column as the survey reader knows it, Vietnamese heading comment, English)
SERVICE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "fixed_broadband": ("internet_co_dinh", "Internet băng rộng cố định (cáp quang)", "Fixed broadband available"),
    "radio": ("truyen_thanh", "Được nghe phát thanh", "Radio"),
    "tv": ("truyen_hinh", "Được xem truyền hình", "Television"),
    "press": ("bao_chi", "Có báo chí, xuất bản phẩm", "Press and publications"),
    "post": ("buu_chinh", "Có dịch vụ bưu chính", "Postal service"),
    "loudspeaker": ("loa_truyen_thanh", "Có loa truyền thanh của đài xã", "Commune radio loudspeakers"),
}
YES, NO = "có", "không"


def survey_frame(store: Store, commune: str, as_of: str | None = None) -> pd.DataFrame:
    """The template's rows: villages of ``commune`` with the latest answers (có/không/blank)."""
    villages = store.read("villages", where={"commune_code": commune}, as_of=as_of or LATEST)
    if villages.empty:
        raise NotFound(f"no villages registered in commune {commune!r}")
    ids = villages["village_id"].astype(str).tolist()
    services = store.read("services", where={"village_id": ids}, as_of=as_of or LATEST)
    out = pd.DataFrame({"ma_thon": ids, "ten_thon": villages["name"].to_numpy(),
                        "ngay": as_of if as_of and as_of != LATEST else date.today().isoformat(),
                        "nguon": f"Khảo sát thôn, xã {commune}"})
    for service, (col, _, _) in SERVICE_COLUMNS.items():
        s = services[services["service"] == service].set_index("village_id")["available"]
        out[col] = [None if pd.isna(s.get(v)) else (YES if bool(s.get(v)) else NO) for v in ids]
    return out.sort_values("ma_thon", kind="stable").reset_index(drop=True)


def write_survey_template(frame: pd.DataFrame, path: Path, commune_name: str, synthetic: bool) -> Path:
    """The workbook: sheet "khao_sat" with validated có/không lists, sheet "huong_dan"."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "khao_sat"
    ws.append(list(frame.columns))
    for rec in frame.itertuples(index=False):
        ws.append(list(rec))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    notes = {col: f"{vi} / {en}" for col, vi, en in SERVICE_COLUMNS.values()}
    notes |= {"ma_thon": "Mã thôn (không sửa) / village id (do not edit)", "ten_thon": "Tên thôn / village name",
              "ngay": "Ngày khảo sát YYYY-MM-DD / survey date", "nguon": "Nguồn / source"}
    last = len(frame) + 1
    dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
                        errorTitle="có / không", error="Chọn 'có' hoặc 'không' / choose 'có' or 'không'")
    ws.add_data_validation(dv)
    for i, col in enumerate(frame.columns, start=1):
        letter = ws.cell(1, i).column_letter
        ws.cell(1, i).comment = Comment(notes.get(col, col), "villagecov")
        ws.column_dimensions[letter].width = max(12, min(40, len(str(col)) + 4))
        if col in notes and col not in ("ma_thon", "ten_thon", "ngay", "nguon"):
            dv.add(f"{letter}2:{letter}{last}")
    ws.column_dimensions["B"].width = 30
    ws.freeze_panes = "C2"
    guide = wb.create_sheet("huong_dan")
    lines = [
        f"Phiếu khảo sát dịch vụ tại thôn (nhiệm vụ 9) — {commune_name}",
        "Điền 'có' hoặc 'không' cho từng dịch vụ của từng thôn; để trống nếu chưa rõ. Không sửa cột ma_thon.",
        "Gửi lại tệp này như nguyên bản; hệ thống nạp bằng: villagecov ingest services <tệp>.xlsx",
        "Task 9 village survey: fill in 'có' (yes) or 'không' (no); leave blank when unknown; keep ma_thon.",
    ]
    if synthetic:
        lines.insert(0, "SYNTHETIC — thôn mô phỏng, không phải số liệu thật / simulated villages, not real data")
    for line in lines:
        guide.append([line])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
