/**
 * Pick a day, then a time, from the API's real availability. Days show their weekday; holidays say so; times are
 * in Asia/Ho_Chi_Minh. Two radio groups: keyboard and screen readers work as with any form.
 */
import { useEffect, useState } from 'preact/hooks';
import './booking.css';
import { lang, t } from '../i18n';
import { dayParts, type DayChoice, firstOpenDay, formatDay, type Slot, splitDay } from './slots';

interface Props {
  /** null while loading. */
  days: DayChoice[] | null;
  value: string | null;
  onChange: (slot: Slot) => void;
  error?: string | null;
  /** For ids: two pickers can be on one page. */
  idPrefix?: string;
  /** A message that explains why the list is empty (e.g. offline). */
  unavailable?: string | null;
}

export function SlotPicker({ days, value, onChange, error, idPrefix = 'slot', unavailable }: Props) {
  const dayOfValue = value && days?.find((d) => d.slots.some((s) => new Date(s.start).getTime() === new Date(value).getTime()))?.day;
  const [day, setDay] = useState<string | null>(dayOfValue ?? null);
  useEffect(() => {
    if (!days) return;
    if (!day || !days.some((d) => d.day === day && !d.closed)) setDay(dayOfValue ?? firstOpenDay(days));
  }, [days]);

  if (unavailable) return <p class="notice notice--warn">{unavailable}</p>;
  if (!days) return <p aria-live="polite">{t('slot.loading')}</p>;
  if (!days.some((d) => !d.closed)) return <p class="notice notice--warn">{t('slot.none')}</p>;

  const current = days.find((d) => d.day === day);
  const { morning, afternoon } = splitDay(current?.slots ?? []);
  const timeGroup = (label: string, slots: Slot[]) =>
    slots.length > 0 && (
      <div class="slot-times__group">
        <p class="slot-times__label">{label}</p>
        <div class="slot-times__grid">
          {slots.map((s) => {
            const id = `${idPrefix}-t-${s.start}`;
            const checked = !!value && new Date(value).getTime() === new Date(s.start).getTime();
            return (
              <span class="chip" key={s.start}>
                <input
                  type="radio"
                  class="chip__input"
                  id={id}
                  name={`${idPrefix}-time`}
                  value={s.start}
                  checked={checked}
                  onChange={() => onChange(s)}
                />
                <label class="chip__label chip__label--time" for={id}>
                  {s.label}
                </label>
              </span>
            );
          })}
        </div>
      </div>
    );

  return (
    <div class="slot-picker">
      <fieldset class="slot-days">
        <legend class="field__label">{t('slot.day')}</legend>
        <div class="slot-days__grid">
          {days.map((d) => {
            const p = dayParts(d.day, d.weekdayVi, lang.value);
            const id = `${idPrefix}-d-${d.day}`;
            const note = d.holiday ? t('slot.holiday', { name: d.holiday }) : d.closed ? t('slot.closed') : t('slot.free', { n: d.slots.length });
            return (
              <span class="chip" key={d.day}>
                <input
                  type="radio"
                  class="chip__input"
                  id={id}
                  name={`${idPrefix}-day`}
                  value={d.day}
                  checked={d.day === day}
                  disabled={d.closed}
                  onChange={() => setDay(d.day)}
                />
                <label class={`chip__label chip__label--day${d.holiday ? ' is-holiday' : ''}`} for={id}>
                  <span class="chip__weekday">{p.weekday}</span>
                  <span class="chip__date">{p.date}</span>
                  <span class="chip__note">{note}</span>
                </label>
              </span>
            );
          })}
        </div>
      </fieldset>
      {current && !current.closed && (
        <fieldset class="slot-times" aria-describedby={error ? `${idPrefix}-error` : undefined}>
          <legend class="field__label">{t('slot.time', { day: formatDay(`${current.day}T05:00:00Z`, lang.value) })}</legend>
          <p class="field__hint">{t('slot.tz')}</p>
          {timeGroup(t('slot.morning'), morning)}
          {timeGroup(t('slot.afternoon'), afternoon)}
        </fieldset>
      )}
      {error && (
        <p class="field__error" id={`${idPrefix}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
