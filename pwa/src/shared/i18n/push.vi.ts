/**
 * Vietnamese texts of the citizen's push notifications panel (spread into vi.ts).
 * Every key here must exist in push.en.ts (the type checks it).
 */
export const pushVi = {
  'push.title': 'Thông báo về lịch hẹn',
  'push.intro': 'Nhận thông báo trên máy này khi lịch hẹn được xác nhận, đổi giờ, huỷ, khi cán bộ đang đến và trước giờ hẹn.',
  'push.enable': 'Nhận thông báo về lịch hẹn này',
  'push.enabling': 'Đang bật thông báo…',
  'push.on': 'Đã bật thông báo',
  'push.onHint': 'Máy này sẽ nhận thông báo khi lịch hẹn thay đổi.',
  'push.off': 'Tắt',
  'push.offSuffix': ' thông báo',
  'push.turningOff': 'Đang tắt…',
  'push.offDone': 'Đã tắt thông báo về lịch hẹn này.',
  'push.offFailed': 'Chưa tắt được thông báo vì không kết nối được với máy chủ. Vui lòng thử lại khi có mạng.',
  'push.linkStill': 'Ông/bà vẫn có thể xem trạng thái lịch hẹn bất cứ lúc nào bằng đường liên kết tra cứu.',
  'push.err.timeout':
    'Trình duyệt chưa kết nối được với dịch vụ thông báo của nó nên chưa bật được thông báo. Vui lòng thử lại sau.',
  'push.err.failed':
    'Trình duyệt không đăng ký được với dịch vụ thông báo của nó nên chưa bật được thông báo. Vui lòng thử lại sau.',
  'push.err.offline': 'Không kết nối được với máy chủ Gần Dân. Vui lòng kiểm tra mạng rồi thử lại.',
  'push.err.server': 'Máy chủ chưa nhận đăng ký thông báo: {detail}',
  'push.err.dismissed': 'Ông/bà chưa cho phép thông báo. Bấm nút lần nữa và chọn “Cho phép” để nhận thông báo.',
  'push.err.noWorker': 'Ứng dụng chưa sẵn sàng để nhận thông báo. Vui lòng tải lại trang rồi thử lại.',
  'push.err.denied': 'Trình duyệt này đang chặn thông báo của Gần Dân.',
  'push.retry': 'Thử lại',
  'push.denied.title': 'Thông báo đang bị chặn',
  'push.denied.text': 'Trình duyệt này đang chặn thông báo của Gần Dân. Để bật lại:',
  'push.denied.android': 'Điện thoại Android (Chrome): bấm biểu tượng bên trái địa chỉ trang → Quyền → Thông báo → Cho phép.',
  'push.denied.desktop': 'Máy tính: bấm biểu tượng ổ khóa cạnh địa chỉ trang → Thông báo → Cho phép.',
  'push.denied.app': 'Nếu đã cài ứng dụng: Cài đặt của điện thoại → Ứng dụng → Gần Dân → Thông báo → Cho phép.',
  'push.denied.reload': 'Sau đó tải lại trang này và bấm “Nhận thông báo về lịch hẹn này”.',
  'push.ios.title': 'Nhận thông báo trên iPhone, iPad',
  'push.ios.text': 'Trên iPhone, iPad (iOS 16.4 trở lên), thông báo chỉ hoạt động khi Gần Dân đã được thêm vào Màn hình chính:',
  'push.ios.step1': 'Mở trang này bằng Safari và giữ lại đường liên kết tra cứu lịch hẹn.',
  'push.ios.step2': 'Bấm nút Chia sẻ (hình vuông có mũi tên hướng lên), chọn “Thêm vào MH chính”.',
  'push.ios.step3': 'Mở Gần Dân từ Màn hình chính, mở lịch hẹn này và bấm “Nhận thông báo về lịch hẹn này”.',
  'push.unsupported': 'Trình duyệt này không hỗ trợ thông báo đẩy.',
} as const;
