/** Choose the commune/ward: search the new units (no diacritics needed), or give an old (pre-2025) address. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, NetworkError } from '../../shared/api/client';
import { bookingApi, type Unit } from '../../shared/booking/api';
import { lang, t } from '../../shared/i18n';

export interface CommuneValue {
  communeId: string;
  communeName: string;
  legacy: boolean;
  legacyCommune: string;
  legacyDistrict: string;
}

interface Props {
  value: CommuneValue;
  onChange: (next: Partial<CommuneValue>) => void;
  error?: string | null;
}

interface Candidate {
  code: string;
  name: string;
  from: string;
}

export function CommuneField({ value, onChange, error }: Props) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Unit[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [candidates, setCandidates] = useState<Candidate[] | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    if (value.legacy) return;
    clearTimeout(timer.current);
    if (q.trim().length < 2) {
      setResults(null);
      return;
    }
    timer.current = setTimeout(() => {
      bookingApi
        .units(q.trim(), 12)
        .then((r) => {
          setResults(r);
          setProblem(null);
        })
        .catch((err: unknown) => setProblem(err instanceof NetworkError ? t('book.commune.offline') : t('slot.failed')));
    }, 250);
    return () => clearTimeout(timer.current);
  }, [q, value.legacy]);

  async function resolve() {
    if (!value.legacyCommune.trim()) {
      setProblem(t('book.legacy.needCommune'));
      return;
    }
    setBusy(true);
    setProblem(null);
    setCandidates(null);
    try {
      const rows = await bookingApi.resolve(value.legacyCommune.trim(), value.legacyDistrict.trim() || undefined);
      const seen = new Map<string, Candidate>();
      for (const r of rows) {
        const from = [r.legacy_commune.name, r.legacy_district?.name].filter(Boolean).join(', ');
        for (const u of r.new_units) if (!seen.has(u.code)) seen.set(u.code, { code: u.code, name: u.name, from });
      }
      const list = [...seen.values()];
      setCandidates(list);
      if (list.length === 1) onChange({ communeId: list[0]!.code, communeName: list[0]!.name });
      else onChange({ communeId: '', communeName: '' });
    } catch (err) {
      setProblem(
        err instanceof NetworkError ? t('book.commune.offline') : err instanceof ApiError ? err.message_for(lang.value) : t('slot.failed'),
      );
    } finally {
      setBusy(false);
    }
  }

  const describedBy = error ? 'commune-error' : undefined;
  return (
    <fieldset class="commune" aria-describedby={describedBy}>
      <legend class="field__label">{t('book.commune.label')}</legend>
      {value.communeId && (
        <p class="commune__chosen" aria-live="polite">
          {t('book.commune.chosen')} <strong>{value.communeName}</strong>
        </p>
      )}
      {!value.legacy ? (
        <>
          <div class="field">
            <label class="field__label field__label--sub" for="commune-q">
              {t('book.commune.search')}
            </label>
            <span class="field__hint" id="commune-q-hint">
              {t('book.commune.hint')}
            </span>
            <input
              id="commune-q"
              class="input"
              type="search"
              autocomplete="off"
              value={q}
              aria-describedby="commune-q-hint"
              onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            />
          </div>
          {results && results.length === 0 && <p class="muted">{t('book.commune.noMatch', { q })}</p>}
          {results && results.length > 0 && (
            <ul class="choice-list" aria-label={t('book.commune.results')}>
              {results.map((u) => (
                <li key={u.code}>
                  <button
                    type="button"
                    class={`choice${u.code === value.communeId ? ' is-selected' : ''}`}
                    aria-pressed={u.code === value.communeId}
                    onClick={() => onChange({ communeId: u.code, communeName: u.name })}
                  >
                    {u.name}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button
            type="button"
            class="button button--secondary"
            onClick={() => {
              setCandidates(null);
              onChange({ legacy: true, communeId: '', communeName: '' });
            }}
          >
            {t('book.legacy.use')}
          </button>
        </>
      ) : (
        <div class="legacy">
          <p class="field__hint">{t('book.legacy.explain')}</p>
          <div class="field">
            <label class="field__label field__label--sub" for="legacy-commune">
              {t('book.legacy.commune')}
            </label>
            <input
              id="legacy-commune"
              class="input"
              value={value.legacyCommune}
              placeholder={t('book.legacy.communeExample')}
              onInput={(e) => onChange({ legacyCommune: (e.target as HTMLInputElement).value })}
            />
          </div>
          <div class="field">
            <label class="field__label field__label--sub" for="legacy-district">
              {t('book.legacy.district')}
            </label>
            <input
              id="legacy-district"
              class="input"
              value={value.legacyDistrict}
              placeholder={t('book.legacy.districtExample')}
              onInput={(e) => onChange({ legacyDistrict: (e.target as HTMLInputElement).value })}
            />
          </div>
          <div class="actions">
            <button type="button" class="button button--primary" disabled={busy} onClick={() => void resolve()}>
              {busy ? t('book.legacy.resolving') : t('book.legacy.resolve')}
            </button>
            <button
              type="button"
              class="button button--secondary"
              onClick={() => {
                setCandidates(null);
                onChange({ legacy: false, communeId: '', communeName: '' });
              }}
            >
              {t('book.legacy.back')}
            </button>
          </div>
          {candidates && candidates.length === 0 && <p class="notice notice--warn">{t('book.legacy.none')}</p>}
          {candidates && candidates.length === 1 && (
            <p class="notice">{t('book.legacy.one', { from: candidates[0]!.from, to: candidates[0]!.name })}</p>
          )}
          {candidates && candidates.length > 1 && (
            <>
              <p class="notice">{t('book.legacy.many')}</p>
              <ul class="choice-list" aria-label={t('book.legacy.candidates')}>
                {candidates.map((c) => (
                  <li key={c.code}>
                    <button
                      type="button"
                      class={`choice${c.code === value.communeId ? ' is-selected' : ''}`}
                      aria-pressed={c.code === value.communeId}
                      onClick={() => onChange({ communeId: c.code, communeName: c.name })}
                    >
                      <span class="choice__main">{c.name}</span>
                      <span class="choice__sub">{t('book.legacy.from', { from: c.from })}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {problem && <p class="notice notice--warn">{problem}</p>}
      {error && (
        <p class="field__error" id="commune-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
