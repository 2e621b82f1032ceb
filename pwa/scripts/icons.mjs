// Draws the two apps' icons from SVG and writes PNGs into public/ (committed; the build does not regenerate them).
// Run after changing the drawing: `npm run icons`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');

const house = (bg) => `
  <path d="M256 104 L424 244 L388 244 L388 404 L124 404 L124 244 L88 244 Z" fill="#ffffff"/>
  <rect x="222" y="300" width="68" height="104" rx="6" fill="${bg}"/>
  <path d="M256 168 l11.8 36.3 h38.2 l-30.9 22.4 l11.8 36.3 l-30.9 -22.4 l-30.9 22.4 l11.8 -36.3 l-30.9 -22.4 h38.2 z" fill="#f2c14e"/>`;

const badge = (bg) => `
  <circle cx="392" cy="384" r="78" fill="#f2c14e" stroke="${bg}" stroke-width="14"/>
  <path d="M356 384 l26 26 l46 -52" fill="none" stroke="${bg}" stroke-width="20" stroke-linecap="round" stroke-linejoin="round"/>`;

function svg({ bg, staff, maskable }) {
  const art = house(bg) + (staff ? badge(bg) : '');
  // A maskable icon is cropped to a circle of 80% by some launchers: shrink the drawing into that safe zone.
  const content = maskable ? `<g transform="translate(256 256) scale(0.72) translate(-256 -256)">${art}</g>` : art;
  const shape = maskable ? `<rect width="512" height="512" fill="${bg}"/>` : `<rect width="512" height="512" rx="96" fill="${bg}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">${shape}${content}</svg>`;
}

function png(source, size) {
  return new Resvg(source, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render().asPng();
}

const apps = [
  { dir: 'icons', bg: '#0a5687', staff: false },
  { dir: 'staff/icons', bg: '#14405f', staff: true },
];

for (const app of apps) {
  const out = join(root, app.dir);
  mkdirSync(out, { recursive: true });
  const any = svg({ ...app, maskable: false });
  const full = svg({ ...app, maskable: true });
  writeFileSync(join(out, 'favicon.svg'), any + '\n');
  writeFileSync(join(out, 'icon-192.png'), png(any, 192));
  writeFileSync(join(out, 'icon-512.png'), png(any, 512));
  writeFileSync(join(out, 'icon-maskable-512.png'), png(full, 512));
  writeFileSync(join(out, 'apple-touch-icon.png'), png(full, 180));
  console.log(`icons written to public/${app.dir}`);
}

// The notification badge (Android's status bar): a white silhouette on transparent, only its alpha counts.
const badgeSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <path d="M256 64 L464 236 L420 236 L420 448 L92 448 L92 236 L48 236 Z M214 448 L298 448 L298 320 L214 320 Z" fill="#ffffff" fill-rule="evenodd"/></svg>`;
writeFileSync(join(root, 'icons', 'badge-96.png'), png(badgeSvg, 96));
console.log('badge written to public/icons/badge-96.png');

// /favicon.ico for pages outside the apps (e.g. the API docs): one 32×32 PNG inside an ICO container.
const ico32 = png(svg({ ...apps[0], maskable: false }), 32);
const header = Buffer.alloc(22);
header.writeUInt16LE(0, 0); // reserved
header.writeUInt16LE(1, 2); // type: icon
header.writeUInt16LE(1, 4); // one image
header.writeUInt8(32, 6); // width
header.writeUInt8(32, 7); // height
header.writeUInt16LE(1, 10); // colour planes
header.writeUInt16LE(32, 12); // bits per pixel
header.writeUInt32LE(ico32.length, 14);
header.writeUInt32LE(22, 18); // offset of the image data
writeFileSync(join(root, 'favicon.ico'), Buffer.concat([header, ico32]));
console.log('public/favicon.ico written');
