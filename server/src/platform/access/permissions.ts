import type { EstablishmentProfile } from '@preau/contracts';

/**
 * Permissions are `<module>.<verb>`. Each module declares its own with the profiles that hold them by
 * default; an establishment may grant or revoke a permission for a profile (`permission_override`).
 * `platform_admin` holds every permission everywhere.
 */
export type PermissionDefaults = Record<string, readonly EstablishmentProfile[]>;

const registry = new Map<string, readonly EstablishmentProfile[]>();

/** Called once per module by buildApp, from the explicit module list. */
export function registerPermissions(defaults: PermissionDefaults): void {
  for (const [permission, profiles] of Object.entries(defaults)) {
    if (!/^[a-z_]+\.[a-z_]+$/.test(permission)) throw new Error(`Bad permission name: ${permission}`);
    registry.set(permission, profiles);
  }
}

export function isKnownPermission(permission: string): boolean {
  return registry.has(permission);
}

export function allPermissions(): string[] {
  return [...registry.keys()].sort();
}

export function defaultGranted(permission: string, profiles: readonly string[]): boolean {
  const holders = registry.get(permission);
  return !!holders && profiles.some((p) => holders.includes(p as EstablishmentProfile));
}
