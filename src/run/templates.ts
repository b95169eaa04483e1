// Per-app input templates (`dify.apps[].inputs`): map editor context into app variables.
// `${selection}`, `${file}` (whole text), `${fileName}`, `${languageId}`, `${input}` (what the user typed).

export interface EditorContext {
  selection?: string;
  file?: string;
  fileName?: string;
  languageId?: string;
  input?: string;
}

const VARIABLE = /\$\{(selection|file|fileName|languageId|input)\}/g;

/** Expands one template. Unknown `${…}` stay as written; missing context becomes ''. */
export function expandTemplate(template: string, ctx: EditorContext): string {
  return template.replace(VARIABLE, (_, name: keyof EditorContext) => ctx[name] ?? '');
}

/** The context variables a template needs, to know whether it can be filled without asking. */
export function templateNeeds(template: string): (keyof EditorContext)[] {
  return [...template.matchAll(VARIABLE)].map((m) => m[1] as keyof EditorContext);
}

/** Expands every template whose context is available; a template needing absent context is left out. */
export function expandTemplates(templates: Record<string, string> | undefined, ctx: EditorContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [variable, template] of Object.entries(templates ?? {})) {
    if (templateNeeds(template).every((n) => ctx[n] !== undefined && ctx[n] !== '')) {
      out[variable] = expandTemplate(template, ctx);
    }
  }
  return out;
}
