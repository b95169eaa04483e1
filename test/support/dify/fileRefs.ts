// How Dify checks a file reference in `inputs` (a file / file-list field) or in `files` (the app's file upload)
// before a run: the uploaded file must exist, then `_is_file_valid_with_config` (factories/file_factory.py) —
// a type the config does not list is refused unless the reference says `custom`, and a `custom` one must have
// one of the listed extensions; the transfer method must be allowed (images: the legacy image config's).

/** The parts of a field's or the app's file_upload configuration the check reads. */
export interface FileConfig {
  allowed_file_types?: string[];
  allowed_file_extensions?: string[];
  allowed_file_upload_methods?: string[];
  image?: { enabled?: boolean; transfer_methods?: string[] };
}

/** What the server remembers of an upload: its extension, with the dot, lower case. */
export interface StoredUpload {
  extension: string;
}

/** The extension of a name or URL path, with the dot, lower case ('' when none). */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** Dify's refusal of a file reference (400 invalid_param with this message), or undefined when it is taken. */
export function fileRefProblem(ref: unknown, cfg: FileConfig, uploads: ReadonlyMap<string, StoredUpload>): string | undefined {
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) return 'Invalid file reference';
  const r = ref as { type?: unknown; transfer_method?: unknown; upload_file_id?: unknown; url?: unknown };
  let extension: string;
  let name: string;
  if (r.transfer_method === 'local_file') {
    const up = typeof r.upload_file_id === 'string' ? uploads.get(r.upload_file_id) : undefined;
    if (!up) return 'Invalid upload file';
    extension = up.extension;
    name = String(r.upload_file_id);
  } else if (r.transfer_method === 'remote_url') {
    if (typeof r.url !== 'string' || !/^https?:\/\//i.test(r.url)) return 'Invalid file url';
    extension = extensionOf(new URL(r.url).pathname);
    name = r.url;
  } else return `No matching enum found for value '${String(r.transfer_method)}'`;
  const type = typeof r.type === 'string' ? r.type : 'custom';
  const types = cfg.allowed_file_types ?? [];
  const refused = `File validation failed for file: ${name}`;
  if (types.length > 0 && !types.includes(type) && type !== 'custom') return refused;
  if (type === 'custom' && !(cfg.allowed_file_extensions ?? []).map((e) => e.toLowerCase()).includes(extension)) return refused;
  if (type === 'image') {
    const methods = cfg.image?.transfer_methods ?? [];
    if (methods.length > 0 && !methods.includes(r.transfer_method)) return refused;
  } else if ((cfg.allowed_file_upload_methods ?? []).length > 0 && !cfg.allowed_file_upload_methods!.includes(r.transfer_method)) return refused;
  return undefined;
}
