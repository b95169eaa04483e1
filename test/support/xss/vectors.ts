// Hostile inputs for the panel: classic XSS payloads (OWASP cheat sheet, DOMPurify's own regression
// themes: mXSS through namespaces/nesting, DOM clobbering, dangerous URL schemes, SVG/MathML, event
// handlers, CSS, meta refresh, forms, srcdoc) placed into every place the panel renders text.
// Each payload, if it ever ran, would bump `window.__pwned`, call alert() or open/navigate a window.

const S = 'window.__pwned=(window.__pwned||0)+1;alert(1)';

/** HTML payloads (raw HTML inside markdown). */
export const HTML_PAYLOADS: string[] = [
  `<script>${S}</script>`,
  `<SCRIPT SRC=data:text/javascript,${encodeURIComponent(S)}></SCRIPT>`,
  `<img src=x onerror="${S}">`,
  `<img src="x" onerror=${S}//>`,
  `<IMG SRC="javascript:${S}">`,
  `<img src=1 href=1 onerror="javascript:${S}"></img>`,
  `<svg onload="${S}"></svg>`,
  `<svg><script>${S}</script></svg>`,
  `<svg><animate onbegin="${S}" attributeName=x dur=1s>`,
  `<svg><a xlink:href="javascript:${S}"><text x=20 y=20>clickme</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${S}">`,
  `<math><mi xlink:href="javascript:${S}">x</mi></math>`,
  `<body onload="${S}">`,
  `<iframe src="javascript:${S}"></iframe>`,
  `<iframe srcdoc="<script>${S}</script>"></iframe>`,
  `<object data="javascript:${S}"></object>`,
  `<embed src="data:text/html,<script>${S}</script>">`,
  `<a href="javascript:${S}">js link</a>`,
  `<a href="JaVaScRiPt:${S}">mixed case</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${S}">entities</a>`,
  `<a href="java\tscript:${S}">tab</a>`,
  `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>`,
  `<a href="vbscript:msgbox(1)">vb</a>`,
  `<a href="command:dify.addApp">command link</a>`,
  `<a href="command:workbench.action.quit">quit</a>`,
  `<a href="#" onclick="${S}">onclick</a>`,
  `<div onmouseover="${S}" style="width:100%;height:100%">hover</div>`,
  `<details open ontoggle="${S}"><summary>t</summary></details>`,
  `<input autofocus onfocus="${S}">`,
  `<select autofocus onfocus="${S}"></select>`,
  `<textarea autofocus onfocus="${S}"></textarea>`,
  `<video><source onerror="${S}"></video>`,
  `<audio src=x onerror="${S}"></audio>`,
  `<marquee onstart="${S}">m</marquee>`,
  `<form action="javascript:${S}"><button>submit</button></form>`,
  `<button formaction="javascript:${S}">fa</button>`,
  `<meta http-equiv="refresh" content="0;url=javascript:${S}">`,
  `<meta http-equiv="refresh" content="0;url=https://example.invalid/">`,
  `<base href="javascript:${S}//">`,
  `<link rel="stylesheet" href="javascript:${S}">`,
  `<style>@import 'javascript:${S}';</style>`,
  `<div style="background:url(javascript:${S})">css</div>`,
  `<div style="x:expression(${S})">ie</div>`,
  `<noscript><p title="</noscript><img src=x onerror=${S}>">`,
  `<template><img src=x onerror="${S}"></template>`,
  `<img src=x id=root><form id=__proto__ name=cookie>clobber</form>`,
  `<form name="getElementById"></form><img name="body" src=x onerror="${S}">`,
  `<xmp><img src=x onerror="${S}"></xmp>`,
  `<plaintext><img src=x onerror=${S}>`,
  `<table><td background="javascript:${S}">`,
  `<isindex type=image src=1 onerror=${S}>`,
  `<object type="text/x-scriptlet" data="https://example.invalid/x"></object>`,
  `"><script>${S}</script>`,
  `'';!--"<XSS>=&{()}`,
  `<scr<script>ipt>${S}</scr</script>ipt>`,
  `<<script>script>${S}<</script>/script>`,
];

/** URL payloads for markdown links and images. */
export const URL_PAYLOADS: string[] = [
  `javascript:${S}`,
  `JAVASCRIPT:${S}`,
  ` javascript:${S}`,
  `javascript&#58;${S}`,
  `data:text/html,<script>${S}</script>`,
  `data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
  `vbscript:msgbox(1)`,
  `command:dify.addApp`,
  `command:workbench.action.quit`,
  `file:///etc/passwd`,
  `vscode-webview://x/index.html`,
];

/** A markdown answer carrying every HTML payload and every URL payload as link and image. */
export function hostileMarkdown(): string {
  const parts = ['# Hostile answer', ''];
  HTML_PAYLOADS.forEach((p, i) => parts.push(`Payload ${i}: ${p}`, ''));
  URL_PAYLOADS.forEach((u, i) => parts.push(`[link ${i}](${u}) ![img ${i}](${u}) <${u}>`, ''));
  // Code-block languages that try to break out of the class attribute.
  parts.push('```"><img src=x onerror="' + S + '">', 'code', '```', '');
  parts.push('```js onload=' + S, 'code', '```', '');
  return parts.join('\n');
}

/** The same payloads inside a qwen3-style think block, followed by a harmless answer. */
export function hostileThinking(): string {
  return `<think>\n${hostileMarkdown()}\n</think>\nDone thinking.`;
}

/** Output variables of a workflow: strings rendered as markdown, objects as JSON. */
export function hostileOutputs(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  HTML_PAYLOADS.slice(0, 20).forEach((p, i) => (out[`html_${i}`] = p));
  out.object = { '<img src=x onerror=alert(1)>': HTML_PAYLOADS.slice(20, 30) };
  return out;
}

/** Node titles for the workflow trace. */
export function hostileNodeTitles(): { node_id: string; node_type: string; title: string }[] {
  return HTML_PAYLOADS.slice(0, 8).map((p, i) => ({ node_id: `n${i}`, node_type: i % 2 ? 'code' : '<img src=x onerror=alert(1)>', title: p }));
}

/** How many hostile inputs reach the panel in one pass (each payload in each place it is rendered). */
export function vectorCount(): number {
  const markdown = HTML_PAYLOADS.length + URL_PAYLOADS.length * 3 + 2;
  return markdown /* answer */ + markdown /* thinking */ + 30 /* outputs */ + 8 /* node titles */;
}
