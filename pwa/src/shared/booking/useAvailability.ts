/** Load a commune's free slots for a visit kind; `reload()` after a slot was taken. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, NetworkError } from '../api/client';
import { lang, t } from '../i18n';
import { bookingApi } from './api';
import { type DayChoice, groupAvailability, type VisitKind } from './slots';

export function useAvailability(
  communeId: string | null | undefined,
  kind: VisitKind | null | undefined,
  exclude?: string | null,
  days = 14,
) {
  const [choices, setChoices] = useState<DayChoice[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!communeId || !kind) return;
    let live = true;
    setChoices(null);
    setProblem(null);
    bookingApi
      .availability(communeId, kind, days)
      .then((a) => live && setChoices(groupAvailability(a.days, { notBefore: new Date(), exclude })))
      .catch((err: unknown) => {
        if (!live) return;
        setProblem(
          err instanceof NetworkError ? t('slot.offline') : err instanceof ApiError ? err.message_for(lang.value) : t('slot.failed'),
        );
      });
    return () => {
      live = false;
    };
  }, [communeId, kind, exclude, days, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { days: choices, problem, reload };
}
