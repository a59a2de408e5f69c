from translator.core.report import ImportReport, ReportCategory


def test_report_counts_keeps_first_examples_and_round_trips():
    report = ImportReport()
    for i in range(8):
        report.add(
            ReportCategory.LEFT_OUT,
            "directive",
            "directive lines",
            example=f"# k={i}",
            line_no=i + 1,
        )
    report.add(ReportCategory.NORMALISED, "half_width", "half-width forms made full-width")
    entry = report.entry("directive")
    assert entry is not None and entry.count == 8 and len(entry.examples) == 5
    assert [e.code for e in report.left_out] == ["directive"]
    again = ImportReport.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
    assert any("line 1: # k=0" in line for line in report.lines())


def test_empty_report_is_falsy():
    assert not ImportReport()
    assert not ImportReport.from_dict(None)
