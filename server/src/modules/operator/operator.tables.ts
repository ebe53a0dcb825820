import type { OperatorIdentityBody } from '@preau/contracts';
import type { ColumnType } from 'kysely';

export interface OperatorIdentityTable {
  singleton: ColumnType<boolean, boolean | undefined, never>;
  identity: ColumnType<OperatorIdentityBody, string, string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    operator_identity: OperatorIdentityTable;
  }
}
