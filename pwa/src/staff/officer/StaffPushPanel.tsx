/**
 * "Nhận thông báo khi có lịch hẹn được giao" on the sync screen: permission only from the button, subscribe
 * raced against a timeout, then registered with the officer's session token; every failure explained.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../shared/api/client';
import { lang, t } from '../../shared/i18n';
import { permission, type PushProblem, pushSupport } from '../../shared/push/page';
import { enableStaffPush, staffPushOn } from '../push';
import { session } from '../session';

type View = 'loading' | 'ios' | 'unsupported' | 'denied' | 'off' | 'busy' | 'on';

export function StaffPushPanel() {
  const [view, setView] = useState<View>('loading');
  const [problem, setProblem] = useState<{ kind: PushProblem; detail: string } | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    const support = pushSupport();
    if (support === 'ios-install') setView('ios');
    else if (support === 'unsupported') setView('unsupported');
    else if (permission() === 'denied') setView('denied');
    else
      void staffPushOn()
        .catch(() => false)
        .then((on) => live && setView(on ? 'on' : 'off'));
    return () => {
      live = false;
    };
  }, []);

  async function turnOn() {
    const token = session.value?.token;
    if (!token) return;
    setView('busy');
    setProblem(null);
    const r = await enableStaffPush(token, lang.value);
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

  if (view === 'loading') return null;

  const problemText = (p: { kind: PushProblem; detail: string }) =>
    p.kind === 'server'
      ? t('push.err.server', { detail: p.detail })
      : p.kind === 'dismissed'
        ? t('push.staff.err.dismissed')
        : t(`push.err.${p.kind}`);

  return (
    <section class="card staff-push" aria-labelledby="staff-push-title" data-push={view}>
      <h2 id="staff-push-title">{t('push.staff.title')}</h2>
      {view === 'ios' && <p class="muted">{t('push.staff.ios')}</p>}
      {view === 'unsupported' && <p class="muted">{t('push.unsupported')}</p>}
      {view === 'denied' && (
        <div class="notice notice--warn" role="status">
          <p>
            <strong>{t('push.denied.title')}</strong>
          </p>
          <p>{t('push.denied.text')}</p>
          <ul>
            <li>{t('push.denied.android')}</li>
            <li>{t('push.denied.desktop')}</li>
            <li>{t('push.denied.app')}</li>
          </ul>
          <p>{t('push.staff.denied.reload')}</p>
        </div>
      )}
      {(view === 'off' || view === 'busy') && (
        <>
          <p class="muted">{t('push.staff.intro')}</p>
          <button
            ref={buttonRef}
            type="button"
            class="button button--primary"
            disabled={view === 'busy'}
            aria-describedby={problem ? 'staff-push-problem' : undefined}
            onClick={() => void turnOn()}
          >
            {view === 'busy' ? t('push.enabling') : problem ? t('push.retry') : t('push.staff.enable')}
          </button>
        </>
      )}
      {view === 'on' && (
        <p ref={statusRef} tabIndex={-1} role="status">
          <span aria-hidden="true">✓</span> {t('push.on')}{' '}
          <span class="muted">{t('push.staff.onHint')}</span>
        </p>
      )}
      {problem && view !== 'busy' && (
        <div class="notice notice--error" role="alert" id="staff-push-problem">
          <p>{problemText(problem)}</p>
        </div>
      )}
    </section>
  );
}
