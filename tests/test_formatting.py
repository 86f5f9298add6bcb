import datetime as dt
import unicodedata

from cqdt.formatting import nfc, round_half_up, vietnamese_key, vn_date, vn_int, vn_number, vn_percent, vn_signed


def test_thousands_and_decimals_follow_vietnamese_usage():
    assert vn_int(508364) == "508.364"
    assert vn_int(2568409) == "2.568.409"
    assert vn_number(117.69, 2) == "117,69"
    assert vn_number(118.348, 3) == "118,348"
    assert vn_number(1069, 0) == "1.069"


def test_rounding_is_half_up_as_in_published_tables():
    assert round_half_up(0.125, 2) == 0.13
    assert vn_number(2.675, 2) == "2,68"
    assert round_half_up(117.68500000001, 2) == 117.69


def test_percent_and_signed_changes():
    assert vn_percent(147 / 282) == "52,13%"
    assert vn_percent(1.0) == "100%"
    assert vn_signed(1.254, 2) == "+1,25"
    assert vn_signed(-0.4, 2) == "−0,40"
    assert vn_signed(0.001, 2) == "0"


def test_decision_dates_take_leading_zeros_for_small_days_and_first_months():
    assert vn_date(dt.date(2022, 7, 29)) == "ngày 29 tháng 7 năm 2022"
    assert vn_date(dt.date(2019, 4, 5)) == "ngày 05 tháng 4 năm 2019"
    assert vn_date(dt.date(2023, 2, 14)) == "ngày 14 tháng 02 năm 2023"


def test_nfd_names_become_nfc():
    decomposed = "Nho\u031bn Hoa\u0300"
    assert nfc(decomposed) == "Nhơn Hoà"


def test_vietnamese_alphabetical_order():
    names = ["Krông Pa", "Đăk Pơ", "Kông Chro", "anh", "Đak Đoa", "ăn", "Dung", "An Khê", "ân", "Chư Sê", "Chư Păh"]
    assert sorted(names, key=vietnamese_key) == [
        "An Khê", "anh", "ăn", "ân", "Chư Păh", "Chư Sê", "Dung", "Đak Đoa", "Đăk Pơ", "Kông Chro", "Krông Pa"]
    assert sorted(["mạ", "má", "mã", "mả", "mà", "ma"], key=vietnamese_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    nfd = unicodedata.normalize("NFD", "Kông Chro")
    assert vietnamese_key(nfd)[:2] == vietnamese_key("Kông Chro")[:2]  # the same name, however typed


def test_a_rows_parts_are_printed_so_that_they_add_up_to_its_printed_total():
    from cqdt.formatting import shown_parts

    # Plain rounding prints 1,01 + 2,01 + 3,00 = 6,02 for a total printed as 6,01.
    values = {"a": 1.005, "b": 2.005, "c": 3.004, "unscored": 7.125}
    shown = shown_parts(values, ["a", "b", "c"], 2)
    assert shown == {"a": "1,01", "b": "2,00", "c": "3,00", "unscored": "7,13"}
    # At three decimals nothing needs moving: each part is its plain rounding.
    assert shown_parts(values, ["a", "b", "c"], 3) == {"a": "1,005", "b": "2,005", "c": "3,004", "unscored": "7,125"}
