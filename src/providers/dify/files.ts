// Building Dify file references for `file` / `file-list` inputs and the `files` (sys.files) array.
import type { FileRef } from '../types';

/** Dify's file type for a MIME type or file name (document, image, audio, video, custom). */
export function fileTypeOf(mimeOrName: string): FileRef['type'] {
  const s = mimeOrName.toLowerCase();
  if (s.startsWith('image/') || /\.(png|jpe?g|gif|webp|svg|bmp)$/.test(s)) return 'image';
  if (s.startsWith('audio/') || /\.(mp3|m4a|wav|webm|amr|mpga|ogg|flac)$/.test(s)) return 'audio';
  if (s.startsWith('video/') || /\.(mp4|mov|mpeg|mpe?g4?|avi|mkv)$/.test(s)) return 'video';
  if (
    s.startsWith('text/') || s.includes('pdf') || s.includes('word') || s.includes('excel') || s.includes('sheet') ||
    s.includes('presentation') || s.includes('markdown') || s.includes('json') || s.includes('xml') || s.includes('csv') ||
    /\.(txt|md|mdx|markdown|pdf|html?|xlsx?|docx?|csv|eml|msg|pptx?|xml|epub|json|ya?ml|[ch]|py|[jt]sx?|go|rs|java)$/.test(s)
  ) return 'document';
  return 'custom';
}

/** A reference to a file uploaded with POST /files/upload. */
export function localFileRef(uploadFileId: string, type: FileRef['type']): FileRef {
  return { type, transfer_method: 'local_file', upload_file_id: uploadFileId };
}

/** A reference to a file Dify should fetch from a URL. */
export function remoteFileRef(url: string, type?: FileRef['type']): FileRef {
  return { type: type ?? fileTypeOf(new URL(url).pathname), transfer_method: 'remote_url', url };
}

/** The value for a `file` input (one object). */
export function fileInput(ref: FileRef): FileRef {
  return ref;
}

/** The value for a `file-list` input (an array). */
export function fileListInput(refs: FileRef[]): FileRef[] {
  return [...refs];
}
