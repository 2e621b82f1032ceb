import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/client';
import type { AppointmentOut } from '../../shared/booking/slots';
import { staleAppointment, whatChanged } from './common';

const shown = {
  id: '6b1f0c1e-0000-4000-8000-000000000001',
  version: 70,
  status: 'requested',
  status_vi: 'Mới đăng ký',
  officer_id: null,
  officer_name: null,
  slot_start: '2026-12-03T01:00:00Z',
} as unknown as AppointmentOut;
const now = {
  ...shown,
  version: 71,
  status: 'confirmed',
  status_vi: 'Đã xác nhận lịch hẹn',
  officer_id: '6b1f0c1e-0000-4000-8000-000000000002',
  officer_name: 'Lê Thị Bích',
} as AppointmentOut;

describe('a write refused because the appointment changed meanwhile', () => {
  it('gives the current appointment from a stale 409 only', () => {
    const stale = new ApiError(409, { status_code: 409, detail: 'changed', extra: { reason: 'stale', appointment: now } });
    expect(staleAppointment(stale)).toEqual(now);
    const busy = new ApiError(409, { status_code: 409, detail: 'busy', extra: { reason: 'officer_busy' } });
    expect(staleAppointment(busy)).toBeNull();
    expect(staleAppointment(new ApiError(409, { status_code: 409, detail: 'x', extra: { reason: 'stale' } }))).toBeNull();
    expect(staleAppointment(new Error('network'))).toBeNull();
  });

  it('says what another person changed, in Vietnamese', () => {
    expect(whatChanged(shown, now, 'vi')).toEqual(['Trạng thái mới: Đã xác nhận lịch hẹn', 'Cán bộ phụ trách: Lê Thị Bích']);
    const moved = whatChanged(now, { ...now, slot_start: '2026-12-03T02:00:00Z' }, 'vi');
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(/^Giờ hẹn mới: .*09:00/);
    expect(whatChanged(now, { ...now, officer_id: null, officer_name: null }, 'vi')).toEqual(['Lịch hẹn không còn cán bộ phụ trách']);
  });
});
