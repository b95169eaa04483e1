// `npm run package`: production build (minified bundles + metafiles), then `vsce package --no-dependencies`
// (everything the extension runs is bundled; .vscodeignore keeps only what runs) into dist-vsix/. Prints the VSIX
// size and its file list, and writes bench/results/vsix.json for `npm run bench`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run(process.execPath, ['esbuild.mjs', '--production']);
const outDir = join(root, 'dist-vsix');
const vsix = join(outDir, `${pkg.name}-${pkg.version}.vsix`);
rmSync(vsix, { force: true });
mkdirSync(outDir, { recursive: true });
// vscode:prepublish would rebuild; the production build above is what gets packed.
run(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', vsix, '--no-update-package-json']);

const size = statSync(vsix).size;
// `unzip -Z1`-like listing without extra tools: vsce ls prints what it would pack.
const listing = execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
  .split('\n').map((s) => s.trim()).filter(Boolean);
const files = listing.map((f) => ({ file: f, bytes: statSync(join(root, f)).size }));
console.log(`\n${vsix.slice(root.length + 1)}: ${(size / 1024).toFixed(1)} KB (${size} bytes), ${files.length} files`);
for (const f of files) console.log(`  ${String(f.bytes).padStart(9)}  ${f.file}`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'vsix.json'), JSON.stringify({ vsix: vsix.slice(root.length + 1), bytes: size, files }, null, 2));
