/** Calls of the appointments API (citizen side with the booking secret; staff side with the session token). */
import { call } from '../api/client';
import type { components } from '../api/schema';
import type {
  AppointmentOut,
  Availability,
  BookingCreate,
  BookingCreated,
  BookingOut,
  ConsentOut,
  OfficerOut,
  StaffIntake,
  VisitKind,
} from './slots';

type S = components['schemas'];
export type LegacyResolution = S['LegacyResolution'];
export type Unit = S['UnitOut'];

const secret = (token: string) => ({ 'X-Booking-Token': token });
const ref = (reference: string) => `/api/bookings/${encodeURIComponent(reference)}`;

export const bookingApi = {
  consent: () => call<ConsentOut>('/api/bookings/consent'),
  availability: (commune_id: string, kind: VisitKind, days = 21, start?: string) =>
    call<Availability>('/api/bookings/availability', { query: { commune_id, kind, days, start } }),
  /** Safe to retry with the same id and token: the server answers 200 with the same booking. */
  create: (body: BookingCreate) => call<BookingCreated>('/api/bookings', { method: 'POST', body, timeoutMs: 20_000 }),
  show: (reference: string, token: string) => call<BookingOut>(ref(reference), { headers: secret(token) }),
  reschedule: (reference: string, token: string, slot_start: string, reason = '') =>
    call<BookingOut>(`${ref(reference)}/reschedule`, { method: 'POST', headers: secret(token), body: { slot_start, reason } }),
  cancel: (reference: string, token: string, reason = '') =>
    call<BookingOut>(`${ref(reference)}/cancel`, { method: 'POST', headers: secret(token), body: { reason } }),
  withdrawConsent: (reference: string, token: string) =>
    call<BookingOut>(`${ref(reference)}/withdraw-consent`, { method: 'POST', headers: secret(token) }),
  /** The .ics file (the secret travels in a header, so this is a fetch, not a plain link). */
  async calendar(reference: string, token: string): Promise<Blob> {
    const res = await fetch(`${ref(reference)}/calendar.ics`, { headers: secret(token), signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.blob();
  },
  units: (q: string, limit = 20) => call<Unit[]>('/api/units', { query: { q, level: 'commune', limit } }),
  unit: (code: string) => call<Unit>(`/api/units/${encodeURIComponent(code)}`),
  resolve: (commune: string, district?: string) =>
    call<LegacyResolution[]>('/api/units/resolve', { query: { commune, district } }),
};

export interface AppointmentQuery {
  status?: string;
  day?: string;
  commune_id?: string;
  officer_id?: string;
}

export const staffApi = {
  list: (token: string, q: AppointmentQuery = {}) =>
    call<AppointmentOut[]>('/api/staff/appointments', { token, query: { ...q, limit: 500 } }),
  get: (token: string, id: string) => call<AppointmentOut>(`/api/staff/appointments/${id}`, { token }),
  intake: (token: string, body: StaffIntake) =>
    call<AppointmentOut>('/api/staff/appointments', { token, method: 'POST', body }),
  /**
   * The writes below send the `version` of the appointment the dispatcher was looking at (`expect_version`):
   * if someone changed it meanwhile, the server writes nothing and answers 409 with the current appointment
   * (see staleAppointment in staff/dispatch/common.ts).
   */
  assign: (token: string, id: string, version: number, officer_id: string, slot_start?: string | null) =>
    call<AppointmentOut>(`/api/staff/appointments/${id}/assign`, {
      token,
      method: 'POST',
      body: slot_start ? { officer_id, slot_start, expect_version: version } : { officer_id, expect_version: version },
    }),
  reschedule: (token: string, id: string, version: number, slot_start: string, reason: string) =>
    call<AppointmentOut>(`/api/staff/appointments/${id}/reschedule`, {
      token,
      method: 'POST',
      body: { slot_start, reason, expect_version: version },
    }),
  cancel: (token: string, id: string, version: number, reason: string) =>
    call<AppointmentOut>(`/api/staff/appointments/${id}/cancel`, {
      token,
      method: 'POST',
      body: { reason, expect_version: version },
    }),
  officers: (token: string, commune_id?: string) =>
    call<OfficerOut[]>('/api/staff/officers', { token, query: { commune_id } }),
};
