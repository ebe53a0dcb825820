import type { ServiceKey } from '@preau/contracts';
import type { Db } from './db/schema.ts';
import type {
  HomeWidgetContext,
  IndicatorDefinition,
  ModuleDefinition,
  NotificationKind,
  PersonalDataDeclaration,
} from './module.ts';

/**
 * What the modules of the list declare besides their routes, gathered by buildApp for the platform pieces that
 * read them: the timeline (notification kinds), the rollout cockpit (indicators), the processing register and
 * the per-person export (personal data), the home request (widgets). Read-only after start-up.
 */
export interface ModuleRegistry {
  notificationKinds: Map<string, NotificationKind & { module: string }>;
  indicators: Map<string, IndicatorDefinition & { module: string; service: ServiceKey | null }>;
  personalData: { module: string; service: ServiceKey | null; declaration: PersonalDataDeclaration }[];
  homeWidgets: { module: string; service: ServiceKey | null; load: (w: HomeWidgetContext) => Promise<unknown> }[];
  /** `<module>.<holder type>` → the audience check of that kind of holder of document references. */
  documentHolders: Map<string, (db: Db, userId: string, holderIds: string[]) => Promise<Set<string>>>;
}

const registry: ModuleRegistry = {
  notificationKinds: new Map(),
  indicators: new Map(),
  personalData: [],
  homeWidgets: [],
  documentHolders: new Map(),
};

export function registerModuleDeclarations(modules: readonly ModuleDefinition[]): void {
  registry.notificationKinds.clear();
  registry.indicators.clear();
  registry.personalData = [];
  registry.homeWidgets = [];
  registry.documentHolders.clear();
  for (const m of modules) {
    const service = m.service ?? null;
    for (const k of m.notifications ?? []) {
      if (!k.kind.startsWith(`${m.name}.`)) throw new Error(`Notification kind ${k.kind} must start with ${m.name}.`);
      if (registry.notificationKinds.has(k.kind)) throw new Error(`Notification kind ${k.kind} declared twice`);
      registry.notificationKinds.set(k.kind, { ...k, module: m.name });
    }
    for (const i of m.indicators ?? []) {
      if (!i.key.startsWith(`${m.name}.`)) throw new Error(`Indicator ${i.key} must start with ${m.name}.`);
      if (registry.indicators.has(i.key)) throw new Error(`Indicator ${i.key} declared twice`);
      registry.indicators.set(i.key, { ...i, module: m.name, service });
    }
    if (m.personalData) registry.personalData.push({ module: m.name, service, declaration: m.personalData });
    if (m.home) registry.homeWidgets.push({ module: m.name, service, load: m.home });
    for (const [type, check] of Object.entries(m.documentHolders ?? {})) {
      registry.documentHolders.set(`${m.name}.${type}`, check);
    }
  }
}

export function moduleRegistry(): Readonly<ModuleRegistry> {
  return registry;
}
