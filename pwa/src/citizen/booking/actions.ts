/** Small browser actions of the booking screens: the secret link, copying it, the calendar file. */
import { bookingApi } from '../../shared/booking/api';

/** The capability link: the secret stays in the fragment (never sent to a server, never in its logs). */
export function secretLink(reference: string, token: string): string {
  return `${location.origin}/lich-hen/${reference}#${token}`;
}

export async function copyText(text: string, fallbackInput?: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallbackInput) {
      fallbackInput.select();
      try {
        return document.execCommand('copy');
      } catch {
        return false;
      }
    }
    return false;
  }
}

/** Fetch the .ics (the secret travels in a header) and hand it to the browser as a download. */
export async function downloadIcs(reference: string, token: string): Promise<void> {
  const blob = await bookingApi.calendar(reference, token);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `lich-hen-${reference}.ics`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
