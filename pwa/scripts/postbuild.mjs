// After `vite build`: build each app's service worker with its own precache list, and copy Swagger UI.
//
// dist/                      citizen app (scope /)       dist/staff/              staff app (scope /staff/)
//   index.html sw.js manifest.webmanifest icons/          index.html sw.js manifest.webmanifest icons/
//   assets/  hashed JS/CSS of both apps (immutable)       vendor/swagger-ui/  for the API docs page
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { injectManifest } from 'workbox-build';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const viteManifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));

/** Every built file an HTML entry needs: its chunk, the chunks it imports, their CSS and assets. */
function filesOf(entry) {
  const files = new Set();
  const seen = new Set();
  const visit = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = viteManifest[key];
    if (!chunk) throw new Error(`no chunk ${key} in the Vite manifest`);
    files.add(chunk.file);
    for (const f of [...(chunk.css ?? []), ...(chunk.assets ?? [])]) files.add(f);
    for (const k of chunk.imports ?? []) visit(k);
  };
  visit(entry);
  return [...files];
}

const apps = [
  {
    name: 'citizen',
    entry: 'index.html',
    sw: 'src/citizen/sw.ts',
    out: 'sw.js',
    shell: ['index.html', 'manifest.webmanifest', 'icons/*.{png,svg}'],
  },
  {
    name: 'staff',
    entry: 'staff/index.html',
    sw: 'src/staff/sw.ts',
    out: 'staff/sw.js',
    shell: ['staff/index.html', 'staff/manifest.webmanifest', 'staff/icons/*.{png,svg}'],
  },
];

for (const app of apps) {
  const tmp = join(root, 'node_modules', '.cache', 'sw', app.name);
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: tmp,
      emptyOutDir: true,
      target: 'es2020',
      minify: true,
      modulePreload: false,
      rolldownOptions: {
        input: join(root, app.sw),
        output: { format: 'iife', entryFileNames: 'sw.js' },
      },
    },
  });
  const { count, size, warnings } = await injectManifest({
    swSrc: join(tmp, 'sw.js'),
    swDest: join(dist, app.out),
    globDirectory: dist,
    globPatterns: [...app.shell, ...filesOf(app.entry)],
    // URLs absolute from the site root, so that /staff/sw.js precaches /assets/… and not /staff/assets/…
    modifyURLPrefix: { '': '/' },
    // Hashed names need no revision; the others get a content hash.
    dontCacheBustURLsMatching: /^\/assets\//,
    maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
  });
  for (const w of warnings) console.warn(`[${app.name}] ${w}`);
  console.log(`${app.out}: precaches ${count} files, ${(size / 1024).toFixed(1)} KiB`);
}

// Swagger UI for /api/schema: the backend page loads exactly these three files.
const swaggerDir = join(dist, 'vendor', 'swagger-ui');
mkdirSync(swaggerDir, { recursive: true });
const swaggerDist = join(root, 'node_modules', 'swagger-ui-dist');
for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css']) copyFileSync(join(swaggerDist, f), join(swaggerDir, f));
copyFileSync(join(root, 'src', 'vendor', 'swagger-ui-init.js'), join(swaggerDir, 'init.js'));
console.log('vendor/swagger-ui: swagger-ui-bundle.js, swagger-ui.css, init.js');

// The Vite manifest was only for us; don't publish it.
if (existsSync(join(dist, '.vite'))) rmSync(join(dist, '.vite'), { recursive: true });
