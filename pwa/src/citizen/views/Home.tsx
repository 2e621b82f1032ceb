import { lang, t } from '../../shared/i18n';
import { feeText, loadState, processingText, procedures, query, refreshFailed, updatedAt, visible } from '../catalogue';
import type { StoredProcedure } from '../db';
import { IconChevron, IconGuide, IconReceive, IconReturn, IconSearch } from '../icons';
import { linkHandler, procedureHref } from '../router';

function Intro() {
  return (
    <section class="intro card" aria-labelledby="intro-title">
      <h1 id="intro-title" tabIndex={-1}>
        {t('citizen.intro.title')}
      </h1>
      <p>{t('citizen.intro.text')}</p>
      <ul class="intro__steps">
        <li>
          <IconGuide />
          <span>{t('citizen.intro.guide')}</span>
        </li>
        <li>
          <IconReceive />
          <span>{t('citizen.intro.receive')}</span>
        </li>
        <li>
          <IconReturn />
          <span>{t('citizen.intro.return')}</span>
        </li>
      </ul>
    </section>
  );
}

function ProcedureItem({ p }: { p: StoredProcedure }) {
  const href = procedureHref(p.code);
  const english = lang.value === 'en' && p.name_en;
  const facts = [processingText(p), feeText(p)].filter(Boolean);
  return (
    <li>
      <a class="proc-card" href={href} onClick={linkHandler(href)} data-code={p.code}>
        <span class="proc-card__body">
          <span class="proc-card__name" lang="vi">
            {p.name}
          </span>
          {english && (
            <span class="proc-card__en" lang="en">
              {p.name_en}
            </span>
          )}
          <span class="proc-card__meta">
            <span lang="vi">{p.field}</span> · {p.code}
            {facts.length > 0 && <> · {facts.join(' · ')}</>}
          </span>
        </span>
        <IconChevron />
      </a>
    </li>
  );
}

function Catalogue() {
  const list = visible.value;
  const total = procedures.value.length;
  const q = query.value.trim();
  const time = updatedAt.value
    ? new Intl.DateTimeFormat(lang.value === 'vi' ? 'vi-VN' : 'en-GB', {
        dateStyle: 'short',
        timeStyle: 'short',
        timeZone: 'Asia/Ho_Chi_Minh',
      }).format(new Date(updatedAt.value))
    : '';
  return (
    <section class="catalogue" aria-labelledby="catalogue-title">
      <h2 id="catalogue-title">{t('citizen.catalogue.title')}</h2>
      <form class="search" role="search" onSubmit={(e) => e.preventDefault()}>
        <label class="field__label" for="search">
          {t('citizen.search.label')}
        </label>
        <div class="search__box">
          <IconSearch />
          <input
            id="search"
            class="input search__input"
            type="search"
            autocomplete="off"
            enterkeyhint="search"
            placeholder={t('citizen.search.placeholder')}
            aria-describedby="search-hint catalogue-count"
            value={query.value}
            onInput={(e) => (query.value = e.currentTarget.value)}
          />
        </div>
        <p id="search-hint" class="field__hint">
          {t('citizen.search.hint')}
        </p>
      </form>

      {refreshFailed.value && total > 0 && (
        <p class="notice notice--warn">
          {time ? t('citizen.catalogue.saved', { time }) : t('citizen.catalogue.refreshFailed')}
        </p>
      )}

      <p id="catalogue-count" class="catalogue__count muted" aria-live="polite">
        {loadState.value === 'loading' && total === 0
          ? t('citizen.catalogue.loading')
          : t('citizen.catalogue.count', { n: list.length })}
      </p>

      {loadState.value === 'ready' && total === 0 && <p class="notice">{t('citizen.catalogue.empty')}</p>}
      {total > 0 && list.length === 0 && <p class="notice">{t('citizen.catalogue.noMatch', { q })}</p>}

      {list.length > 0 && (
        <ul class="proc-list" aria-labelledby="catalogue-title">
          {list.map((p) => (
            <ProcedureItem key={p.code} p={p} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function Home() {
  return (
    <>
      <Intro />
      <Catalogue />
    </>
  );
}
