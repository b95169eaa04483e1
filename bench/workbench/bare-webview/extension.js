// The first-character bench's baseline (bench/workbench/firstChar.ts): the least any extension can do to show a
// streamed answer. A bare webview asks for a run; this reads the same server's stream with fetch in the same
// extension host and posts each raw chunk to the webview the moment it arrives, where it is appended as text: no
// SSE parsing, no batching, no markdown. Plain JS, installed beside the Dify extension by the bench.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an extension's plain-JS entry gets vscode this way
const vscode = require('vscode');

const HTML = `<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>Bare webview</title></head>
<body><pre id="out" style="white-space: pre-wrap"></pre>
<script>
  const vscode = acquireVsCodeApi();
  const out = document.getElementById('out');
  // Called by the bench: one run, its query naming it.
  window.benchGo = (query) => {
    out.textContent = '';
    window.benchDone = false;
    vscode.postMessage({ type: 'go', query });
  };
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m.type === 'chunk') out.append(m.text);
    else if (m.type === 'end') window.benchDone = m.error || true;
  });
</script></body></html>`;

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('difyBench.bareWebview.open', () => {
      const panel = vscode.window.createWebviewPanel('difyBench.bare', 'Bare webview', { viewColumn: vscode.ViewColumn.One, preserveFocus: true }, { enableScripts: true });
      panel.webview.html = HTML;
      panel.webview.onDidReceiveMessage(async (m) => {
        if (!m || m.type !== 'go') return;
        try {
          const res = await fetch(`${process.env.DIFY_BENCH_URL}/chat-messages`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${process.env.DIFY_BENCH_KEY}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ query: m.query, inputs: {}, response_mode: 'streaming', user: 'bench-baseline' }),
          });
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            void panel.webview.postMessage({ type: 'chunk', text: decoder.decode(value, { stream: true }) });
          }
          void panel.webview.postMessage({ type: 'end' });
        } catch (e) {
          void panel.webview.postMessage({ type: 'end', error: String(e) });
        }
      }, undefined, context.subscriptions);
    }),
  );
};
