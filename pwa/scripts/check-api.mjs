// Fails when src/shared/api/schema.d.ts is not what the backend's current OpenAPI generates.
// Regenerates into a temporary folder; nothing committed is touched.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'gandan-api-'));
try {
  const gandan = process.env.GANDAN_BIN ?? join(root, '..', '.venv', 'bin', 'gandan');
  try {
    execFileSync(gandan, ['openapi', join(tmp, 'openapi.json')], { stdio: 'inherit' });
  } catch {
    console.error(`\`${gandan} openapi\` failed: cannot check the API types against the backend.`);
    process.exit(2);
  }
  const cli = join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
  execFileSync(process.execPath, [cli, join(tmp, 'openapi.json'), '-o', join(tmp, 'schema.d.ts')], { stdio: 'inherit' });
  const problems = [];
  if (readFileSync(join(tmp, 'openapi.json'), 'utf8') !== readFileSync(join(root, 'openapi.json'), 'utf8')) {
    problems.push('pwa/openapi.json');
  }
  const committed = readFileSync(join(root, 'src', 'shared', 'api', 'schema.d.ts'), 'utf8');
  if (readFileSync(join(tmp, 'schema.d.ts'), 'utf8') !== committed) problems.push('pwa/src/shared/api/schema.d.ts');
  if (problems.length) {
    console.error(`API types are out of date: ${problems.join(', ')}. Run \`npm run gen:api\` in pwa/ and commit.`);
    process.exit(1);
  }
  console.log('API types match the backend’s OpenAPI schema.');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
