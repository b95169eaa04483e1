// `import source from 'inline-worker:./file'`: the bundled worker script as a string (scripts/inlineWorker.mjs).
declare module 'inline-worker:*' {
  const source: string;
  export default source;
}
