"""The personal-data consent citizens give when booking (Law 91/2025/QH15, Decree 356/2025/NĐ-CP).

Each text has a version; a booking records the version the citizen accepted. Publish a new version by adding
it here and making it CURRENT: old bookings keep the version they accepted.
"""

from __future__ import annotations

CURRENT_CONSENT_VERSION = "2026-11"

CONSENT_TEXTS: dict[str, dict[str, str]] = {
    "2026-11": {
        "vi": (
            "Tôi đồng ý để Ủy ban nhân dân xã/phường nơi tôi đăng ký xử lý họ tên, số điện thoại và địa chỉ "
            "của tôi chỉ nhằm mục đích sắp xếp và thực hiện lịch hẹn cán bộ đến nhà hỗ trợ thủ tục hành chính "
            "đã chọn, và gửi thông báo về lịch hẹn này. Dữ liệu được lưu trong thời gian cần thiết để thực hiện "
            "thủ tục theo quy định. Tôi có thể rút lại sự đồng ý bất cứ lúc nào bằng đường liên kết tra cứu lịch "
            "hẹn; khi đó lịch hẹn chưa thực hiện sẽ bị huỷ và thông tin cá nhân của tôi trong lịch hẹn sẽ được "
            "xoá. Căn cứ: Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15."
        ),
        "en": (
            "I agree that the People's Committee of the ward/commune where I booked may process my name, phone "
            "number and address solely to arrange and carry out the home visit for the procedure I chose, and to "
            "send me notifications about it. The data is kept for as long as the procedure requires. I can "
            "withdraw my consent at any time through the booking's tracking link; an upcoming visit is then "
            "cancelled and my personal data in the booking is erased. Legal basis: Personal Data Protection Law "
            "No. 91/2025/QH15."
        ),
    }
}
