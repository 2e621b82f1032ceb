/**
 * "Nhận thông báo về lịch hẹn này": the push panel of the status and confirmation pages.
 * Permission is asked only from the button; subscribe() is raced against a timeout and every failure is
 * explained; iPhone/iPad in a Safari tab get the Home Screen guidance instead of the button.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../shared/api/client';
import { lang, t } from '../../shared/i18n';
import { disablePush, enablePush, isFollowing, permission, type PushProblem, pushSupport } from '../../shared/push/page';
import './push.css';

type View = 'loading' | 'ios' | 'unsupported' | 'denied' | 'off' | 'busy' | 'on' | 'turningOff';

export function PushPanel({ reference, token }: { reference: string; token: string }) {
  const [view, setView] = useState<View>('loading');
  const [problem, setProblem] = useState<{ kind: PushProblem; detail: string } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    const support = pushSupport();
    if (support === 'ios-install') setView('ios');
    else if (support === 'unsupported') setView('unsupported');
    else if (permission() === 'denied') setView('denied');
    else
      void isFollowing(reference)
        .catch(() => false)
        .then((on) => live && setView(on ? 'on' : 'off'));
    return () => {
      live = false;
    };
  }, [reference]);

  async function turnOn() {
    setView('busy');
    setProblem(null);
    setNote(null);
    const r = await enablePush(reference, token, lang.value);
    if (r.ok) {
      setView('on');
      requestAnimationFrame(() => statusRef.current?.focus());
      return;
    }
    if (r.problem === 'denied') {
      setView('denied');
      return;
    }
    const detail = r.error instanceof ApiError ? r.error.message_for(lang.value) : '';
    setProblem({ kind: r.problem, detail });
    setView('off');
    requestAnimationFrame(() => buttonRef.current?.focus());
  }

  async function turnOff() {
    setView('turningOff');
    setNote(null);
    try {
      await disablePush(reference);
      setView('off');
      setNote(t('push.offDone'));
    } catch {
      setView('on');
      setNote(t('push.offFailed'));
    }
    requestAnimationFrame(() => buttonRef.current?.focus());
  }

  if (view === 'loading') return null;

  return (
    <section class="card push-panel" aria-labelledby="push-title" data-push={view}>
      <h2 id="push-title">{t('push.title')}</h2>

      {view === 'ios' && (
        <div class="push-guide">
          <p>{t('push.ios.text')}</p>
          <ol class="push-steps">
            <li>{t('push.ios.step1')}</li>
            <li>{t('push.ios.step2')}</li>
            <li>{t('push.ios.step3')}</li>
          </ol>
          <p class="muted">{t('push.linkStill')}</p>
        </div>
      )}

      {view === 'unsupported' && (
        <p class="muted">
          {t('push.unsupported')} {t('push.linkStill')}
        </p>
      )}

      {view === 'denied' && (
        <div class="notice notice--warn push-guide" role="status">
          <p class="push-guide__title">{t('push.denied.title')}</p>
          <p>{t('push.denied.text')}</p>
          <ul class="push-steps">
            <li>{t('push.denied.android')}</li>
            <li>{t('push.denied.desktop')}</li>
            <li>{t('push.denied.app')}</li>
          </ul>
          <p>{t('push.denied.reload')}</p>
        </div>
      )}

      {(view === 'off' || view === 'busy') && (
        <>
          <p class="muted">{t('push.intro')}</p>
          <button
            ref={buttonRef}
            type="button"
            class="button button--primary push-panel__button"
            disabled={view === 'busy'}
            aria-describedby={problem ? 'push-problem' : undefined}
            onClick={() => void turnOn()}
          >
            {view === 'busy' ? t('push.enabling') : problem ? t('push.retry') : t('push.enable')}
          </button>
        </>
      )}

      {(view === 'on' || view === 'turningOff') && (
        <div class="push-on">
          <p class="push-on__text" ref={statusRef} tabIndex={-1} role="status">
            <span class="push-on__mark" aria-hidden="true">
              ✓
            </span>{' '}
            {t('push.on')}
            <span class="muted push-on__hint">{t('push.onHint')}</span>
          </p>
          <button
            ref={buttonRef}
            type="button"
            class="button button--secondary"
            disabled={view === 'turningOff'}
            onClick={() => void turnOff()}
          >
            {view === 'turningOff' ? (
              t('push.turningOff')
            ) : (
              <>
                {t('push.off')}
                <span class="visually-hidden">{t('push.offSuffix')}</span>
              </>
            )}
          </button>
        </div>
      )}

      {problem && view !== 'busy' && (
        <div class="notice notice--error push-problem" role="alert" id="push-problem">
          <p>{problem.kind === 'server' ? t('push.err.server', { detail: problem.detail }) : t(`push.err.${problem.kind}`)}</p>
          <p>{t('push.linkStill')}</p>
        </div>
      )}
      {note && (
        <p class="notice" role="status">
          {note}
        </p>
      )}
    </section>
  );
}
