import type { DemoWorld } from '../../platform/module.ts';

export async function seedSchoolLifeDemo(_world: DemoWorld): Promise<void> {}
