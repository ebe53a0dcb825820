import type { ServiceKey } from '@preau/contracts';
import type { ComponentType, LazyExoticComponent } from 'react';
import type { RouteObject } from 'react-router';

/** What a home-page widget receives: its module's part of `GET /api/home`, and the establishment shown. */
export interface WidgetProps<D = unknown> {
  data: D;
  establishmentId: string;
}

/**
 * A feature of the web app: the screens of one server module (a service of the catalogue, or the timeline),
 * declared in one place and composed by the shared files — the router, the portal tiles, the home page's
 * widgets, the administration menu and the strings. Adding a service's screens = a folder under `features/` and
 * one line in `features/index.ts`.
 */
export interface FeatureDefinition {
  /** The server module it belongs to: the key of its widget in `/api/home` and of its strings (`t('<name>.…')`). */
  name: string;
  /** The catalogue service it implements: the portal's tile of that service opens `home`. */
  service?: ServiceKey;
  /** Its pages in the signed-in area (absolute paths, lazy route chunks). */
  routes: RouteObject[];
  /** Where its portal tile leads. */
  home?: string;
  /** Its pages in the establishment's administration (`/admin/:id/<path>`), shown to holders of `permission`. */
  admin?: { path: string; labelKey: string; permission: string; lazy: RouteObject['lazy'] }[];
  /** Its home-page widget, shown when `/api/home` carries data for `name` (the service is open to the reader). */
  widget?: {
    titleKey: string;
    component: LazyExoticComponent<ComponentType<WidgetProps>>;
    /** Across the whole width, before the others (a first screen, not a side panel). */
    wide?: boolean;
    /**
     * It reads strings beyond its `widget` and `menu` ones (components of its pages): the whole file is loaded
     * before it shows. Without it, the widget uses only `<name>.widget.*` and costs no download for its strings.
     */
    pageStrings?: boolean;
  };
  /** Its pages in the platform's menu (platform administrators only). */
  platform?: { path: string; labelKey: string }[];
  /**
   * Its strings, under `name` (`t('documents.title')`). Only `home` is in the first load: the file's `widget` and
   * `menu` parts (`import home from './locales/fr.json?first-screen'`), for the home widget, its title and the
   * menus. The whole French file comes with the feature's pages (`fr: () => import('./locales/fr.json')`), English
   * with the switch to English. Both languages have the same keys (checked).
   */
  strings: {
    home: Record<string, unknown>;
    fr: () => Promise<{ default: Record<string, unknown> }>;
    en: () => Promise<{ default: Record<string, unknown> }>;
  };
  /** Other features whose strings its pages read (the logbook's pages: the timetable's week navigation, documents' picker). */
  stringsOf?: string[];
}

export const defineFeature = (f: FeatureDefinition): FeatureDefinition => f;

/** A route chunk: `lazy: page(() => import('./X.tsx'), (m) => m.X)`. */
export function page<M>(load: () => Promise<M>, pick: (module: M) => ComponentType) {
  return async () => ({ Component: pick(await load()) });
}
