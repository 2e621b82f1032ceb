import { useEffect, useState } from 'preact/hooks';
import { lang, t, tMaybe } from '../../shared/i18n';
import { fold } from '../../shared/text';
import { feeText, findProcedure, processingText, procedures } from '../catalogue';
import type { StoredProcedure } from '../db';
import { IconBack } from '../icons';
import { bookHref, linkHandler } from '../router';

function BackLink() {
  return (
    <a class="back-link" href="/" onClick={linkHandler('/')}>
      <IconBack />
      {t('procedure.back')}
    </a>
  );
}


export function ProcedureDetail({ code }: { code: string }) {
  // Render from the signal (already loaded from IndexedDB) when we can; otherwise ask the store/network once.
  const fromList = procedures.value.find((p) => p.code === code) ?? null;
  const [fetched, setFetched] = useState<StoredProcedure | null | undefined>(undefined);
  useEffect(() => {
    if (fromList) return;
    let live = true;
    void findProcedure(code).then((p) => live && setFetched(p));
    return () => {
      live = false;
    };
  }, [code, fromList === null]);
  const p = fromList ?? fetched;
  const dataLang = lang.value === 'vi' ? undefined : 'vi'; // catalogue texts are in Vietnamese

  if (p === undefined) {
    return (
      <section class="card">
        <BackLink />
        <p aria-live="polite">{t('procedure.loading')}</p>
      </section>
    );
  }
  if (p === null) {
    return (
      <section class="card">
        <BackLink />
        <h1 tabIndex={-1}>{t('procedure.notFound')}</h1>
        <p class="muted">{code}</p>
      </section>
    );
  }
  const level = tMaybe(`level.${fold(p.level)}`) ?? p.level;
  const fee = feeText(p) ?? (p.fee_note ? '' : t('procedure.notStated'));
  return (
    <article class="procedure" aria-labelledby="procedure-title">
      <BackLink />
      <header class="procedure__head card">
        <h1 id="procedure-title" tabIndex={-1} lang="vi">
          {p.name}
        </h1>
        {lang.value === 'en' && p.name_en && (
          <p class="procedure__en" lang="en">
            {p.name_en}
          </p>
        )}
        <dl class="facts">
          <div>
            <dt>{t('procedure.processing')}</dt>
            <dd>
              {processingText(p) ?? t('procedure.notStated')}
              {p.processing_note && (
                <span class="facts__note" lang={dataLang}>
                  {p.processing_note}
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('procedure.fee')}</dt>
            <dd>
              {fee}
              {p.fee_note && (
                <span class="facts__note" lang={dataLang}>
                  {p.fee_note}
                </span>
              )}
            </dd>
          </div>
          {p.result && (
            <div class="facts__wide">
              <dt>{t('procedure.result')}</dt>
              <dd lang={dataLang}>{p.result}</dd>
            </div>
          )}
          <div>
            <dt>{t('procedure.agency')}</dt>
            <dd lang={dataLang}>{p.agency}</dd>
          </div>
          <div>
            <dt>{t('procedure.field')}</dt>
            <dd lang={dataLang}>{p.field}</dd>
          </div>
          <div>
            <dt>{t('procedure.level')}</dt>
            <dd>{level}</dd>
          </div>
          <div>
            <dt>{t('procedure.code')}</dt>
            <dd>{p.code}</dd>
          </div>
        </dl>
      </header>

      <section class="card" aria-labelledby="docs-title">
        <h2 id="docs-title">{t('procedure.documents')}</h2>
        {p.required_documents.length === 0 ? (
          <p>{t('procedure.noDocuments')}</p>
        ) : (
          <ol class="doc-list" lang={dataLang}>
            {p.required_documents.map((d, i) => (
              <li key={i}>
                <span class="doc-list__name">{d.name}</span>
                {d.note && <span class="doc-list__note">{d.note}</span>}
              </li>
            ))}
          </ol>
        )}
      </section>

      {p.visit_kinds.length > 0 && (
        <section class="card" aria-labelledby="visit-title">
          <h2 id="visit-title">{t('procedure.visitKinds')}</h2>
          <ul class="tag-list">
            {p.visit_kinds.map((k) => (
              <li key={k} class="tag">
                {tMaybe(`visitKind.${k}`) ?? k}
              </li>
            ))}
          </ul>
          {p.visit_note && (
            <p class="visit-note" lang={dataLang}>
              {p.visit_note}
            </p>
          )}
          <a class="button button--primary button--big book-cta" href={bookHref(p.code)} onClick={linkHandler(bookHref(p.code))}>
            {t('book.cta')}
          </a>
        </section>
      )}

      {p.legal_basis.length > 0 && (
        <section class="card" aria-labelledby="legal-title">
          <h2 id="legal-title">{t('procedure.legalBasis')}</h2>
          <ul class="legal-list" lang={dataLang}>
            {p.legal_basis.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
