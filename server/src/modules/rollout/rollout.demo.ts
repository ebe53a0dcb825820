import type { DemoWorld } from '../../platform/module.ts';

export async function seedRolloutDemo(_world: DemoWorld): Promise<void> {}
