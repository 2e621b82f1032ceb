/** The interface language: Vietnamese first, English second; the choice is kept in localStorage. */
import { signal } from '@preact/signals';
import { en } from './en';
import { vi, type MessageKey } from './vi';

export type Lang = 'vi' | 'en';
export type { MessageKey };

export const LANGS: readonly Lang[] = ['vi', 'en'];
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { vi, en };
const STORAGE_KEY = 'gandan.lang';

function storedLang(): Lang {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return value === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi'; // storage blocked: Vietnamese
  }
}

export const lang = signal<Lang>(storedLang());

/** Switch language, remember it, and tell assistive technology through <html lang>. */
export function setLang(next: Lang): void {
  lang.value = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  applyDocumentLang();
}

export function applyDocumentLang(): void {
  if (typeof document !== 'undefined') document.documentElement.lang = lang.value;
}

/** The message for `key` in the current language, with {name} placeholders filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>, language: Lang = lang.value): string {
  const template = dictionaries[language][key] ?? vi[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Look up a key built at run time (e.g. a role or a level from the API); undefined if there is none. */
export function tMaybe(key: string, language: Lang = lang.value): string | undefined {
  return (dictionaries[language] as Record<string, string>)[key];
}
