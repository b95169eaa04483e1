// Markdown documents for the renderer tests: a rich answer exercising the block types whose extent
// depends on later text (setext headings, lists that grow and turn loose, tables, fences, lazy lines,
// reference definitions, raw HTML spanning blocks), and a set of classic XSS payloads.

export const RICH_MARKDOWN = `# Release notes 发布说明

Intro paragraph with **bold**, _em_, \`inline code\`, a [link](https://example.com/a?b=1&c=2 "title") and
a lazy continuation line. 中文段落：这是一个测试，包含**加粗**和\`代码\`。

Setext heading
==============

Another setext
--------------

- item one
- item two with \`code\`
  - nested a
  - nested b
    1. deep ordered
    2. deep ordered two
- item three

- loose item after blank line

1. first
2. second

   continued paragraph inside item two
3. third

* [ ] task open
* [x] task done

| Column A | Column B | 中文 |
|:---------|:--------:|-----:|
| a1       | b1       | 一   |
| a2 \`x\`   | **b2**   | 二   |

\`\`\`ts
export function greet(name: string): string {
  // comment with <tags> & ampersands
  return \`hello \${name}\`;
}
\`\`\`

> A quote with a list:
> - q1
> - q2
lazy quote continuation

\`\`\`
plain fence without language
const x = 1;
\`\`\`

~~~python
def f(x):
    return x * 2  # 注释
~~~

    indented code block
    second line

Term with trailing spaces  
hard break above. See [the docs][docs] and [Docs] and ![logo](data:image/png;base64,iVBORw0KGgo=).

***

<details>
<summary>Raw HTML block</summary>

Markdown *inside* details.

</details>

Autolink https://dify.ai/docs and <https://example.org>, email <dev@example.com>.

| only | header |
|------|--------|

Final paragraph 最后一段 with trailing text
and a second line.

[docs]: https://docs.dify.ai "Dify Docs"
`;

/** Each payload tries to run script (setting window.__pwned), navigate, or load active content. */
export const XSS_PAYLOADS: string[] = [
  `<script>window.__pwned = 'script'</script>`,
  `<img src=x onerror="window.__pwned='onerror'">`,
  `<img src="https://example.com/x.png" onload="window.__pwned='onload'">`,
  `[click me](javascript:window.__pwned='jslink')`,
  `<a href="javascript:window.__pwned='ahref'">js anchor</a>`,
  `<a href="JaVaScRiPt&colon;window.__pwned='entity'">entity anchor</a>`,
  `<svg onload="window.__pwned='svg'"><circle r="5"/></svg>`,
  `<svg><script>window.__pwned='svgscript'</script></svg>`,
  `<iframe src="javascript:parent.__pwned='iframe'"></iframe>`,
  `<iframe srcdoc="<script>parent.__pwned='srcdoc'</script>"></iframe>`,
  `[data link](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0nZGF0YSc8L3NjcmlwdD4=)`,
  `<a href="data:text/html,<script>parent.__pwned='data'</script>">data anchor</a>`,
  `<meta http-equiv="refresh" content="0;url=https://evil.example/">`,
  `<style>body{display:none}</style><div style="position:fixed;inset:0;background:red">styled</div>`,
  `<form action="https://evil.example/"><input name=q><button>go</button></form>`,
  `[run command](command:workbench.action.terminal.new)`,
  `<a href="command:workbench.action.files.delete">cmd anchor</a>`,
  `<object data="javascript:window.__pwned='object'"></object><embed src="javascript:window.__pwned='embed'">`,
  `<details open ontoggle="window.__pwned='ontoggle'"><summary>x</summary>y</details>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned='mxss'">`,
  `<base href="https://evil.example/"><a href="/rel">relative</a>`,
  `<video src=x onerror="window.__pwned='video'"></video><audio src=x onerror="window.__pwned='audio'"></audio>`,
  `![img](javascript:window.__pwned='imgjs')`,
  `<img src="http://insecure.example/a.png">`,
  `<a href="https://ok.example/" target="_blank" onclick="window.__pwned='onclick'">ok link</a>`,
];
