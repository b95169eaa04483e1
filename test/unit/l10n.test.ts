// Every user-visible string exists in English and Simplified Chinese: the host bundle (vscode.l10n.t literals
// in src + the webview's STRING_KEYS), its zh-cn translation, and package.json's %key% placeholders.
// A new string without a translation fails here; `npm run l10n` regenerates the English bundle.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEM_TEXTS } from '../../src/run/inputForm';
import { STRING_KEYS } from '../../src/shared/webviewStrings';

const root = join(__dirname, '..', '..');
const readJson = (...p: string[]): Record<string, unknown> => JSON.parse(readFileSync(join(root, ...p), 'utf8'));
const messageOf = (v: unknown): string => (typeof v === 'string' ? v : String((v as { message?: unknown })?.message ?? ''));

const en = readJson('l10n', 'bundle.l10n.json');
const zh = readJson('l10n', 'bundle.l10n.zh-cn.json');
const nlsEn = readJson('package.nls.json');
const nlsZh = readJson('package.nls.zh-cn.json');
const pkg = readJson('package.json');

/** The tokens a translation must carry over unchanged: `{n}` arguments and `$(codicon)` icons. */
function tokens(s: string): string[] {
  return [...new Set(s.match(/\{\d+\}|\$\([a-z0-9~-]+\)/g) ?? [])].sort();
}

/** Command links such as `(command:dify.addApp)` in markdown. */
function commandLinks(s: string): string[] {
  return (s.match(/\(command:[^)\s]+\)/g) ?? []).sort();
}

function diff(a: Iterable<string>, b: Record<string, unknown> | Set<string>): string[] {
  const has = (k: string) => (b instanceof Set ? b.has(k) : Object.prototype.hasOwnProperty.call(b, k));
  return [...a].filter((k) => !has(k));
}

/** Unescapes the body of a JS string literal. */
function unescapeJs(body: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '', '\r\n': '' };
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g, (_, e: string) => {
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(parseInt(e[1] === '{' ? e.slice(2, -1) : e.slice(1), 16));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return simple[e] ?? e;
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every `l10n.t('…')` / `l10n.t("…")` / template-free `l10n.t(`…`)` first argument in src. */
function sourceLiterals(): { key: string; where: string }[] {
  const call = /\bl10n\.t\(\s*(?:'((?:[^'\\\n]|\\[\s\S])*)'|"((?:[^"\\\n]|\\[\s\S])*)"|`((?:[^`\\$]|\\[\s\S]|\$(?!\{))*)`)/g;
  const out: { key: string; where: string }[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(call)) {
      const line = text.slice(0, m.index).split('\n').length;
      out.push({ key: unescapeJs(m[1] ?? m[2] ?? m[3]), where: `${file.slice(root.length + 1)}:${line}` });
    }
  }
  return out;
}

/** Every `%key%` string value in package.json (contributions, display name, capabilities). */
function nlsPlaceholders(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === 'string') {
    const m = /^%([^%\s]+)%$/.exec(v);
    if (m) out.add(m[1]);
  } else if (Array.isArray(v)) {
    for (const x of v) nlsPlaceholders(x, out);
  } else if (v && typeof v === 'object') {
    for (const x of Object.values(v)) nlsPlaceholders(x, out);
  }
  return out;
}

describe('localization (en + zh-cn)', () => {
  it('the zh-cn bundle has exactly the keys of the English bundle', () => {
    assert.deepEqual(diff(Object.keys(en), zh), [], 'keys missing from l10n/bundle.l10n.zh-cn.json (run `npm run l10n -- --check`)');
    assert.deepEqual(diff(Object.keys(zh), en), [], 'stale keys in l10n/bundle.l10n.zh-cn.json');
  });

  it('every translation is a non-empty string with the same {n} placeholders and $(icons)', () => {
    const bad = Object.keys(en).filter((k) => {
      const t = zh[k];
      return typeof t !== 'string' || !t.trim() || tokens(messageOf(en[k])).join() !== tokens(t).join();
    });
    assert.deepEqual(bad, []);
  });

  it('every %key% of package.json is in package.nls.json and package.nls.zh-cn.json', () => {
    const used = nlsPlaceholders(pkg);
    assert.ok(used.size > 0);
    assert.deepEqual(diff(used, nlsEn), [], 'missing from package.nls.json');
    assert.deepEqual(diff(used, nlsZh), [], 'missing from package.nls.zh-cn.json');
  });

  it('the two package.nls files have the same keys, placeholders and command links', () => {
    assert.deepEqual(diff(Object.keys(nlsEn), nlsZh), [], 'missing from package.nls.zh-cn.json');
    assert.deepEqual(diff(Object.keys(nlsZh), nlsEn), [], 'stale in package.nls.zh-cn.json');
    const bad = Object.keys(nlsEn).filter((k) => {
      const a = messageOf(nlsEn[k]);
      const b = messageOf(nlsZh[k]);
      return !b.trim() || tokens(a).join() !== tokens(b).join() || commandLinks(a).join() !== commandLinks(b).join();
    });
    assert.deepEqual(bad, []);
  });

  it('every webview STRING_KEYS entry is in both bundles', () => {
    assert.deepEqual(diff(STRING_KEYS, en), [], 'webview keys missing from l10n/bundle.l10n.json (run `npm run l10n`)');
    assert.deepEqual(diff(STRING_KEYS, zh), [], 'webview keys missing from l10n/bundle.l10n.zh-cn.json');
  });

  it('every input-check PROBLEM_TEXTS template is in both bundles', () => {
    assert.deepEqual(diff(PROBLEM_TEXTS, en), [], 'input-check texts missing from l10n/bundle.l10n.json (run `npm run l10n`)');
    assert.deepEqual(diff(PROBLEM_TEXTS, zh), [], 'input-check texts missing from l10n/bundle.l10n.zh-cn.json');
  });

  it('every vscode.l10n.t literal in src is in the English bundle', () => {
    const found = sourceLiterals();
    assert.ok(found.length > 50, `only ${found.length} l10n.t literals found: is the scan broken?`);
    const missing = found.filter((f) => !Object.prototype.hasOwnProperty.call(en, f.key)).map((f) => `${f.where}: ${JSON.stringify(f.key)}`);
    assert.deepEqual(missing, [], 'strings missing from l10n/bundle.l10n.json (run `npm run l10n`, then translate them)');
  });
});
