// After `vite build`: writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) next to every text
// file of web/dist. The server sends them as they are (@fastify/static `preCompressed`): no request pays for
// compression, and the bytes are the smallest the formats allow. Fonts (woff, woff2) are compressed already.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = resolve(import.meta.dirname, '../web/dist');
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.map', '.ttf', '.eot']);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let raw = 0;
let brotli = 0;
for (const path of files(dist)) {
  if (!COMPRESSIBLE.has(extname(path))) continue;
  const content = readFileSync(path);
  if (content.length < 512) continue;
  const br = brotliCompressSync(content, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
    },
  });
  const gz = gzipSync(content, { level: 9 });
  if (br.length < content.length * 0.9) writeFileSync(`${path}.br`, br);
  if (gz.length < content.length * 0.9) writeFileSync(`${path}.gz`, gz);
  raw += content.length;
  brotli += Math.min(br.length, content.length);
}
process.stdout.write(
  `precompressed web/dist: ${Math.round(raw / 1024)} kB of text → ${Math.round(brotli / 1024)} kB brotli\n`,
);
