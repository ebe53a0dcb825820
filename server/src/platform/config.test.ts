import { describe, expect, test } from 'vitest';
import { loadConfig, withDataDir } from './config.ts';

describe('configuration', () => {
  test('production refuses to start without PUBLIC_ORIGIN, and says what to set', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_ORIGIN is required in production/);
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://ent.example.fr' }).publicOrigin).toBe(
      'https://ent.example.fr',
    );
  });

  test('PUBLIC_ORIGIN must be an origin: scheme, host and port, nothing else', () => {
    expect(loadConfig({ PUBLIC_ORIGIN: 'https://ent.example.fr/' }).publicOrigin).toBe('https://ent.example.fr');
    expect(loadConfig({ PUBLIC_ORIGIN: 'http://localhost:3000' }).publicOrigin).toBe('http://localhost:3000');
    for (const bad of [
      'ent.example.fr',
      'https://ent.example.fr/ent',
      'ftp://ent.example.fr',
      'HTTPS://ENT.example.fr',
    ]) {
      expect(() => loadConfig({ PUBLIC_ORIGIN: bad }), bad).toThrow(/PUBLIC_ORIGIN/);
    }
  });

  test('development starts without PUBLIC_ORIGIN', () => {
    expect(loadConfig({}).publicOrigin).toBeNull();
  });

  test('another data folder (chosen when the default is out of reach): default file storage follows it', () => {
    const moved = withDataDir(loadConfig({}), '/var/lib/preau/root-preau');
    expect(moved.dataDir).toBe('/var/lib/preau/root-preau');
    expect(moved.storage).toEqual({ driver: 'local', root: '/var/lib/preau/root-preau/files' });
    // A storage folder set on purpose stays where it was set.
    const own = withDataDir(loadConfig({ STORAGE_DIR: '/srv/files' }), '/var/lib/preau/root-preau');
    expect(own.storage).toEqual({ driver: 'local', root: '/srv/files' });
    expect(loadConfig({ DATA_DIR: '/srv/preau' }).dataDirExplicit).toBe(true);
    expect(loadConfig({}).dataDirExplicit).toBe(false);
  });
});
