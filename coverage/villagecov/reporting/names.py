"""Names of the reporting body and the recipients (from settings, read at the edge) and the
report's fixed wording, Vietnamese first, English on request."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReportNames:
    """Who files the report and to whom. Defaults: the structure since 1 March 2025 (telecom and
    post under Science and Technology; press, radio and TV under Culture, Sports and Tourism)."""

    body: str = "Sở Khoa học và Công nghệ tỉnh Quảng Trị"
    body_en: str = "Department of Science and Technology of Quảng Trị province"
    recipients: tuple[str, ...] = ("Bộ Khoa học và Công nghệ", "Ủy ban nhân dân tỉnh Quảng Trị")
    media_recipients: tuple[str, ...] = ("Sở Văn hóa, Thể thao và Du lịch tỉnh Quảng Trị",)
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: object) -> ReportNames:
        return cls(body=settings.report_body, body_en=settings.report_body_en,  # type: ignore[attr-defined]
                   recipients=tuple(settings.report_recipients),  # type: ignore[attr-defined]
                   media_recipients=tuple(settings.report_media_recipients))  # type: ignore[attr-defined]

    def reporting_body(self, lang: str = "vi") -> str:
        return self.body if lang == "vi" else self.body_en

    def title(self, period: str, province: str, lang: str = "vi") -> str:
        if lang == "vi":
            return (f"Báo cáo kết quả thực hiện nhiệm vụ 8 và 9 (hạ tầng bưu chính, viễn thông; Internet, phát "
                    f"thanh, truyền hình, báo chí đến thôn, bản) năm {period} — {province}")
        return (f"Annual report {period} on tasks 8 and 9 (postal and telecom infrastructure; Internet, radio, "
                f"TV and the press in every village) — {province}")

    def map_title(self, title: str, lang: str = "vi") -> str:
        """A map's title with the body that publishes it."""
        return f"{title} — {self.reporting_body(lang)}"


_L: dict[str, tuple[str, str]] = {
    "cover": ("Trang bìa", "Cover"),
    "body": ("Cơ quan báo cáo", "Reporting body"),
    "period": ("Kỳ báo cáo", "Reporting period"),
    "as_of": ("Số liệu đến ngày", "Data as of"),
    "recipients": ("Nơi nhận", "Recipients"),
    "media_recipients": ("Nơi nhận (báo chí, phát thanh, truyền hình)", "Recipients (press, radio, TV)"),
    "boundaries": ("Ranh giới hành chính", "Administrative boundaries"),
    "level": ("Cấp báo cáo", "Level"),
    "run": ("Lần tính toán (run)", "Computation run"),
    "sources": ("Nguồn dữ liệu", "Data sources"),
    "task8": ("Nhiệm vụ 8: Hạ tầng bưu chính, viễn thông", "Task 8: postal and telecom infrastructure"),
    "task9": ("Nhiệm vụ 9: Internet, phát thanh, truyền hình, báo chí đến thôn",
              "Task 9: Internet, radio, TV and the press in every village"),
    "groups": ("Theo nhóm đối tượng", "By target group"),
    "annex": ("Phụ lục: các xã", "Annex: communes"),
    "charts": ("Tiến độ so với lộ trình", "Progress against the trajectory"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "unit": ("Đơn vị tính", "Unit"),
    "value": ("Giá trị", "Value"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "baseline": ("Kỳ gốc", "Baseline"),
    "baseline_period": ("Kỳ gốc (ngày có số liệu đầu tiên)", "Baseline period (first with data)"),
    "target": ("Mục tiêu", "Target"),
    "target_year": ("Năm mục tiêu", "Target year"),
    "target_source": ("Căn cứ mục tiêu", "Target source"),
    "trajectory": ("Lộ trình năm báo cáo", "Trajectory for the year"),
    "status": ("Đánh giá", "Status"),
    "no_target": ("Chưa có mục tiêu chính thức", "No official target"),
    "code": ("Mã", "Code"),
    "name": ("Tên", "Name"),
    "kind": ("Loại", "Kind"),
    "first": ("Từ ngày", "From"),
    "last": ("Đến ngày", "To"),
    "rows": ("Số dòng", "Rows"),
    "synthetic": ("Dữ liệu mô phỏng", "Synthetic"),
    "synthetic_banner": ("SYNTHETIC — DỮ LIỆU MÔ PHỎNG, KHÔNG PHẢI SỐ LIỆU THẬT",
                         "SYNTHETIC — SIMULATED DATA, NOT REAL FIGURES"),
    "yes": ("có", "yes"),
    "no": ("không", "no"),
    "province": ("Tỉnh", "Province"),
    "commune": ("Xã", "Commune"),
    "district": ("Huyện", "District"),
    "trajectory_table": ("Lộ trình theo năm", "Yearly trajectory"),
    "year": ("Năm", "Year"),
    "expected": ("Giá trị theo lộ trình", "Expected on the trajectory"),
    "actual": ("Thực tế", "Actual"),
}


def label(key: str, lang: str = "vi") -> str:
    pair = _L.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "vi" else pair[1]
