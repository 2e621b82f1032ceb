import { LANGS, lang, setLang, t } from '../i18n';

/** VI / EN buttons; the current one is pressed. */
export function LangSwitch() {
  return (
    <div class="lang-switch" role="group" aria-label={t('lang.label')}>
      {LANGS.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          class="lang-switch__button"
          aria-pressed={lang.value === code}
          title={t(code === 'vi' ? 'lang.vi' : 'lang.en')}
          onClick={() => setLang(code)}
        >
          <span aria-hidden="true">{code.toUpperCase()}</span>
          <span class="visually-hidden">{t(code === 'vi' ? 'lang.vi' : 'lang.en')}</span>
        </button>
      ))}
    </div>
  );
}
