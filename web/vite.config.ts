import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The strings of the administration, account, legal, platform and password-recovery pages (three quarters of a
 * locale file) are not in the first load: `locales/fr.json?first-screen` is the file without them, `?later` only
 * them, loaded with the first of those pages (src/app/i18n.ts). The files stay whole for the people who edit
 * them.
 */
const LATER = ['directory', 'admin', 'account', 'legal', 'a11y', 'operator', 'platform', 'recovery'];
/** What the first screens read of those (the platform menu's titles, the login page's link): kept in the first load too. */
const FIRST_OF_LATER: Record<string, string[]> = { operator: ['title'], platform: ['title'], recovery: ['link'] };
/**
 * A feature's strings (`features/<name>/locales/fr.json`): `?first-screen` is its home widget's and its menus'
 * (`widget`, `menu`), in the first load; the whole file comes with the feature's pages (src/app/i18n.ts).
 */
const FEATURE_FIRST = ['widget', 'menu'];
function localeSplit(): Plugin {
  return {
    name: 'preau-locale-split',
    enforce: 'pre',
    async resolveId(source, importer) {
      const m = /^(.*\.json)\?(first-screen|later)$/.exec(source);
      if (!m) return null;
      const resolved = await this.resolve(m[1]!, importer, { skipSelf: true });
      return resolved ? `\0locale:${resolved.id}?${m[2]}` : null;
    },
    load(id) {
      const m = /^\0locale:(.*)\?(first-screen|later)$/.exec(id);
      if (!m) return null;
      this.addWatchFile(m[1]!);
      const all = JSON.parse(readFileSync(m[1]!, 'utf8')) as Record<string, unknown>;
      const first = (k: string) =>
        /[\\/]features[\\/][^\\/]+[\\/]locales[\\/]/.test(m[1]!) ? FEATURE_FIRST.includes(k) : !LATER.includes(k);
      const keep = Object.entries(all).filter(([k]) => first(k) === (m[2] === 'first-screen'));
      if (m[2] === 'first-screen' && !/[\\/]features[\\/]/.test(m[1]!)) {
        for (const [k, keys] of Object.entries(FIRST_OF_LATER)) {
          const part = all[k] as Record<string, unknown> | undefined;
          if (part) keep.push([k, Object.fromEntries(keys.map((x) => [x, part[x]]))]);
        }
      }
      return `export default ${JSON.stringify(Object.fromEntries(keep))};`;
    },
  };
}

/**
 * react-dsfr's `fr` object carries the DSFR's colour tables (`fr/colors`: 177 kB of source, 12 kB gzipped), and
 * every react-dsfr component imports `fr`. At run time react-dsfr reads one value from them, the page background
 * for the `theme-color` meta. The build replaces `fr/colors` with that value; any other read throws, naming this
 * file (no component Préau uses reads them; add the tables back here before using one that does, e.g. Tooltip).
 * The dev server pre-bundles react-dsfr whole: only the build is affected, and the browser tests run the build.
 */
function dsfrColorTablesOut(): Plugin {
  const id = '\0dsfr-colors';
  return {
    name: 'preau-dsfr-colors',
    enforce: 'pre',
    apply: 'build',
    async resolveId(source, importer) {
      if (!importer || !/react-dsfr[\\/]fr[\\/]index\.js$/.test(importer) || source !== './colors') return null;
      return id;
    },
    load(loaded) {
      if (loaded !== id) return null;
      return `
const missing = () => { throw new Error('The DSFR colour tables are left out of the build (web/vite.config.ts)'); };
const grey = (isDark) => ({
  default: isDark ? '#161616' : '#ffffff',
  hover: isDark ? '#343434' : '#f6f6f6',
  active: isDark ? '#474747' : '#ededed',
});
export const colors = {
  get options() { return missing(); },
  get decisions() { return missing(); },
  getHex: ({ isDark }) => ({
    get options() { return missing(); },
    decisions: { background: { default: { grey: grey(isDark) } } },
  }),
};`;
    },
  };
}

// Dev: Vite serves the app and proxies /api to the Préau server (npm start, port 3000).
// Build: web/dist, served by the server with the SPA fallback.
export default defineConfig({
  plugins: [localeSplit(), dsfrColorTablesOut(), react()],
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.PREAU_API ?? 'http://localhost:3000', changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Fonts and icons are bundled as files: the CSP allows data: but files cache better.
    assetsInlineLimit: 0,
    // Vite's default 500 kB chunk warning applies: routes are split (src/app/router.tsx), a bigger chunk is a regression.
  },
});
