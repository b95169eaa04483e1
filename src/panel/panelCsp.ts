// The chat panel's Content Security Policy (no vscode import: the webview tests serve the panel under it).

/** Only our own nonce'd script, styles and fonts; images from the extension and data: (an answer's remote images
 * come through the host, as data: URIs: src/webview/markdown/images.ts); the highlight worker from a blob: URL of
 * the webview's own bundled source; nothing else. */
export function panelCsp(nonce: string, cspSource: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    'worker-src blob:',
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}
