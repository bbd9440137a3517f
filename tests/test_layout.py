"""The "Kính gửi" block, read once for the accused, the matter's place and the routing facts."""

from __future__ import annotations

import pytest

from extractors.accused import extract_accused
from extractors.layout import addressee_lines
from routing.facts import letter_parts

LETTER = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "",
    "Kính gửi: - UBND TP. Nam Định",  # an abbreviation's stop ends no addressee
    "- Công an xã Gia Trấn",
    "Tôi tên là Phạm Văn Lợi, trú tại xóm 2, xã Gia Hưng.",
    "Đồng kính gửi:",
    "Ủy ban nhân dân xã Gia Hưng",  # a short line carries a lone cue line on
    "Ông Đinh Văn Tám, trưởng thôn, đã thu tiền trái quy định.",  # a second one does not
]


def test_the_block_is_the_cue_its_list_items_and_one_carried_on_line() -> None:
    assert [n > 0 for n in addressee_lines(LETTER)] == [False, False, True, True, False, True, True, False]
    assert addressee_lines(LETTER)[2] == len(LETTER[2])


@pytest.mark.parametrize(("line", "addressee"), [
    ("Kính gửi các cơ quan chức năng tỉnh Ninh Bình, em tên là Trần Thị Hà. Công ty nợ lương em.",
     "Kính gửi các cơ quan chức năng tỉnh Ninh Bình,"),
    ("KG: Chủ tịch UBND xã Gia Trấn. Tôi xin tố cáo ông Lê Văn Bình.", "KG: Chủ tịch UBND xã Gia Trấn."),
])
def test_a_letter_written_on_the_cue_line_is_no_addressee(line: str, addressee: str) -> None:
    [extent] = addressee_lines([line])
    assert line[:extent] == addressee
    # the routing facts read the rest of the line as the letter's body
    to, body = letter_parts(line)
    assert "chu tich" not in body and body.strip()


def test_the_accused_is_read_on_the_cue_line_after_the_addressee() -> None:
    # a letter written on one line with its cue: the wrongdoer after the addressee is the accused
    text = ("Kính gửi Chủ tịch UBND xã Gia Trấn, tôi tên là Lê Thị Hoa, ở xóm 3. Ông Trần Văn Nam, cán bộ địa "
            "chính xã, đã nhận tiền của dân để làm sổ đỏ. Đề nghị xử lý nghiêm ông Trần Văn Nam.")
    accused = extract_accused(text)
    assert accused is not None and accused.name == "Trần Văn Nam"


def test_the_signature_ends_the_matter_and_an_identity_label_does_not() -> None:
    text = ("ĐƠN KHIẾU NẠI\n(Về quyết định kê biên)\n\nNgười khiếu nại: Hà Văn Tuyến, sinh năm 1976\n\n"
            "Tôi đề nghị hủy Quyết định số 112/QĐ-CCTHADS.\n\nHoa Lư, ngày 18 tháng 10 năm 2026\n"
            "Người khiếu nại\nHà Văn Tuyến\nĐT: 0904 772 318\n")
    _, body = letter_parts(text)
    assert "huy quyet dinh" in body  # the label with its name at the top is the writer's identity …
    assert "tuyen" not in body and "0904" not in body  # … the bare label at the end opens the signature
