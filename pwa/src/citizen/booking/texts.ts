/**
 * Texts of the status page for two cases the shared dictionaries do not cover yet: a page opened without
 * the booking's secret (e.g. from the calendar file, which never carries it), and a change of time that sent
 * a confirmed visit back to the dispatcher because its officer is out at the new time.
 */
import type { Lang } from '../../shared/i18n';

export const STATUS_TEXTS = {
  vi: {
    noSecretTitle: (ref: string) => `Lịch hẹn ${ref}`,
    noSecret: (ref: string) =>
      `Máy này chưa lưu lịch hẹn ${ref}. Để xem, đổi giờ hoặc huỷ lịch, ông/bà mở ứng dụng Gần Dân trên điện thoại đã dùng để đặt lịch, vào mục “Lịch hẹn của tôi”, hoặc mở đường liên kết riêng nhận được khi đặt lịch. Nếu không dùng được máy đó, ông/bà gọi tổng đài 1022, đọc mã lịch hẹn ${ref} và số điện thoại đã đăng ký.`,
    backToDispatch:
      'Đã đổi giờ hẹn. Cán bộ đã phân công bận vào giờ mới, nên lịch hẹn đang chờ xác nhận lại với cán bộ khác; ông/bà sẽ được báo khi lịch hẹn được xác nhận.',
  },
  en: {
    noSecretTitle: (ref: string) => `Booking ${ref}`,
    noSecret: (ref: string) =>
      `This device does not keep booking ${ref}. To see, move or cancel it, open the Gần Dân app on the phone you booked with, under “My bookings”, or open the private link you received when booking. Without that phone, call the 1022 hotline and give the booking code ${ref} and the phone number you registered.`,
    backToDispatch:
      'The time was changed. The assigned officer is busy at the new time, so the visit is waiting to be confirmed with another officer; you will be told when it is confirmed.',
  },
} as const satisfies Record<Lang, unknown>;
