import { t, tMaybe } from '../../shared/i18n';

export const entityLabel = (entity: string) => tMaybe(`sync.entity.${entity}`) ?? entity;
export const actionLabel = (name: string) => tMaybe(`sync.action.${name}`) ?? name;
export const reasonLabel = (reason: string | null | undefined) => (reason ? tMaybe(`sync.reason.${reason}`) ?? reason : '');

/** A stored value as text for people (JSON for anything but plain strings and numbers). */
export function showValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Field names in the officer's words where we have them. */
export function fieldLabel(field: string): string {
  return (
    tMaybe(`officer.session.${field === 'held_on' ? 'date' : field}`) ??
    tMaybe(`officer.question.${field === 'asker_name' ? 'asker' : field}`) ??
    field
  );
}

export { t };
