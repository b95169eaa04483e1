// `npm run l10n`: regenerates l10n/bundle.l10n.json — the host strings (`vscode.l10n.t('…')` in src, extracted
// by @vscode/l10n-dev) plus the webview's STRING_KEYS (src/shared/webviewStrings.ts), the input checks'
// PROBLEM_TEXTS (src/run/inputForm.ts) and the form answers' ANSWER_PROBLEM_TEXTS (src/shared/humanInput.ts), which the host translates with a variable key that l10n-dev cannot see. Keys are sorted (by code unit) so the file is stable.
//
// `npm run l10n -- --check`: writes nothing; exits 1 if the committed bundle is out of date, or if
// l10n/bundle.l10n.zh-cn.json misses a key, has a stale one, or changes a key's `{n}` placeholders.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundlePath = join(root, 'l10n', 'bundle.l10n.json');
const translations = ['zh-cn'];
const check = process.argv.includes('--check');

/** Unescapes the body of a JS string literal (no `${…}` in it). */
function unescapeJs(body) {
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g, (_, e) => {
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(parseInt(e[1] === '{' ? e.slice(2, -1) : e.slice(1), 16));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0', '\n': '', '\r\n': '', '\u2028': '', '\u2029': '' }[e] ?? e;
  });
}

/** Keys translated with a variable key: the string literals of the `export const <name> = [ … ] as const` array in
 * src/<file>. */
function keysOf(file, name) {
  const src = readFileSync(join(root, 'src', ...file.split('/')), 'utf8');
  const m = new RegExp(`export const ${name}\\s*=\\s*\\[([\\s\\S]*?)\\]\\s*as const`).exec(src);
  if (!m) throw new Error(`${name} array not found in src/${file}`);
  const body = m[1].replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (c) => (/['"`]/.test(c) ? ' ' : c));
  const keys = [];
  const lit = /'((?:[^'\\\n]|\\[\s\S])*)'|"((?:[^"\\\n]|\\[\s\S])*)"|`((?:[^`\\$]|\\[\s\S]|\$(?!\{))*)`/g;
  for (const l of body.matchAll(lit)) keys.push(unescapeJs(l[1] ?? l[2] ?? l[3]));
  const rest = body.replace(lit, '').replace(/[\s,]/g, '');
  if (rest) throw new Error(`${name} has entries that are not plain string literals: ${rest.slice(0, 80)}`);
  return keys;
}

/** The texts each provider module gives the glue to translate (`texts: {…}`, its app fields' `prompt`): their
 * keys are properties of src/providers/<id>/provider.ts, read by name. */
function providerTexts() {
  const dir = join(root, 'src', 'providers');
  const keys = [];
  for (const id of readdirSync(dir)) {
    const file = join(dir, id, 'provider.ts');
    if (!existsSync(file)) continue;
    const src = readFileSync(file, 'utf8');
    const prop = /\b(?:description|urlPrompt|keyPrompt|prompt):\s*('((?:[^'\\\n]|\\[\s\S])*)'|"((?:[^"\\\n]|\\[\s\S])*)")/g;
    for (const m of src.matchAll(prop)) keys.push(unescapeJs(m[2] ?? m[3]));
  }
  return keys;
}

/** Runs `l10n-dev export` on src into a temporary directory and returns the extracted bundle. */
function hostBundle() {
  const cli = join(dirname(createRequire(import.meta.url).resolve('@vscode/l10n-dev/package.json')), 'dist', 'cli.js');
  const out = mkdtempSync(join(tmpdir(), 'dify-l10n-'));
  try {
    const r = spawnSync(process.execPath, [cli, 'export', '--outDir', out, './src'], { cwd: root, encoding: 'utf8' });
    const file = join(out, 'bundle.l10n.json');
    if (r.status !== 0 || !existsSync(file)) {
      process.stderr.write(r.stdout + r.stderr);
      throw new Error(`l10n-dev export failed (exit ${r.status})`);
    }
    return JSON.parse(readFileSync(file, 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const byCodeUnit = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const placeholders = (s) => [...new Set(String(s).match(/\{\d+\}/g) ?? [])].sort().join(' ');
const messageOf = (v) => (typeof v === 'string' ? v : v && typeof v === 'object' ? v.message : undefined);

const host = hostBundle();
const merged = { ...host };
for (const k of [...keysOf('shared/webviewStrings.ts', 'STRING_KEYS'), ...keysOf('run/inputForm.ts', 'PROBLEM_TEXTS'), ...keysOf('shared/humanInput.ts', 'ANSWER_PROBLEM_TEXTS'), ...providerTexts()]) if (!(k in merged)) merged[k] = k;
const sorted = Object.fromEntries(Object.keys(merged).sort(byCodeUnit).map((k) => [k, merged[k]]));
const text = JSON.stringify(sorted, null, 2) + '\n';
const variableKeys = Object.keys(sorted).length - Object.keys(host).length;

let problems = 0;
const problem = (msg) => {
  problems++;
  console.error(msg);
};

if (check) {
  const committed = existsSync(bundlePath) ? readFileSync(bundlePath, 'utf8') : '';
  if (committed !== text) {
    const old = committed ? Object.keys(JSON.parse(committed)) : [];
    const added = Object.keys(sorted).filter((k) => !old.includes(k));
    const removed = old.filter((k) => !(k in sorted));
    problem('l10n/bundle.l10n.json is out of date: run `npm run l10n`.');
    for (const k of added) console.error(`  + ${JSON.stringify(k)}`);
    for (const k of removed) console.error(`  - ${JSON.stringify(k)}`);
  }
} else {
  writeFileSync(bundlePath, text);
  console.log(`l10n/bundle.l10n.json: ${Object.keys(sorted).length} keys (${Object.keys(host).length} host, ${variableKeys} webview or input-check only).`);
}

for (const lang of translations) {
  const file = join(root, 'l10n', `bundle.l10n.${lang}.json`);
  const rel = `l10n/bundle.l10n.${lang}.json`;
  const tr = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const missing = Object.keys(sorted).filter((k) => !(k in tr));
  const stale = Object.keys(tr).filter((k) => !(k in sorted));
  const mismatched = Object.keys(sorted).filter((k) => k in tr && placeholders(messageOf(sorted[k])) !== placeholders(messageOf(tr[k])));
  if (missing.length) problem(`${rel}: ${missing.length} missing key(s):\n${missing.map((k) => `  ${JSON.stringify(k)}`).join('\n')}`);
  if (stale.length) problem(`${rel}: ${stale.length} stale key(s):\n${stale.map((k) => `  ${JSON.stringify(k)}`).join('\n')}`);
  if (mismatched.length) problem(`${rel}: placeholders differ for:\n${mismatched.map((k) => `  ${JSON.stringify(k)}`).join('\n')}`);
  if (!check && (missing.length || stale.length || mismatched.length)) console.error(`${rel} needs updating (see above).`);
}

if (check) {
  if (problems) process.exit(1);
  console.log(`l10n up to date: ${Object.keys(sorted).length} keys, translated into ${translations.join(', ')}.`);
}
