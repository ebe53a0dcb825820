// The locale files, split at build time by the `preau-locale-split` plugin of vite.config.ts.
declare module '*.json?first-screen' {
  const strings: Record<string, unknown>;
  export default strings;
}
declare module '*.json?later' {
  const strings: Record<string, unknown>;
  export default strings;
}
