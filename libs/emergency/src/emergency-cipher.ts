import { Injectable } from '@nestjs/common';
import { FieldCipher } from '@app/platform';

/** The emergency tables' encrypted columns, each sealed under its own context `table.column:rowId`. */
@Injectable()
export class EmergencyCipher {
  constructor(private readonly cipher: FieldCipher) {}

  seal(table: string, column: string, rowId: string, value: string | null): string | null {
    return value ? this.cipher.encrypt(value, `${table}.${column}:${rowId}`) : null;
  }

  open(table: string, column: string, rowId: string, value: string | null): string | null {
    return value ? this.cipher.decrypt(value, `${table}.${column}:${rowId}`) : null;
  }
}
